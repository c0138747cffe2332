/*
 * test_scan_anomaly.c - the scanner's anomaly words (anomaly.h): every
 * bit and its word both ways, unknown words and bits, the joined list
 * and its truncation
 *
 * The words are a contract: the same in the config (structure_anomalies),
 * in SMTP replies (%{anomaly}) and in log lines (anomalies=).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "anomaly.h"

static const struct {
	const char *name;
	unsigned bit;
} words[] = {
	{ "depth", SCAN_ANOM_DEPTH },
	{ "parts", SCAN_ANOM_PARTS },
	{ "zip_depth", SCAN_ANOM_ZIP_DEPTH },
	{ "malformed", SCAN_ANOM_MALFORMED },
	{ "ambiguous", SCAN_ANOM_AMBIGUOUS },
	{ "zip_broken", SCAN_ANOM_ZIP_BROKEN },
	{ "header_long", SCAN_ANOM_HEADER_LONG },
	{ "zip_entries", SCAN_ANOM_ZIP_ENTRIES },
	{ "message_partial", SCAN_ANOM_MESSAGE_PARTIAL },
	{ "name_sections", SCAN_ANOM_NAME_SECTIONS },
	{ "names_encrypted", SCAN_ANOM_NAMES_ENCRYPTED },
	{ "inspect_failed", SCAN_ANOM_INSPECT_FAILED },
};

/* test_anomaly_words - every bit has its word, and the word gives the
 * bit back */
static void
test_anomaly_words(void **state)
{
	size_t i;
	unsigned bit;

	(void)state;
	assert_int_equal(sizeof(words) / sizeof(words[0]), SCAN_ANOM_COUNT);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *w = scan_anomaly_name(words[i].bit);

		if (w == NULL || strcmp(w, words[i].name) != 0)
			fail_msg("%s: name of bit 0x%x is \"%s\"", words[i].name,
				 words[i].bit, w ? w : "(null)");
		bit = 0;
		if (scan_anomaly_parse(words[i].name, &bit) < 0 || bit != words[i].bit)
			fail_msg("%s: parsed to 0x%x", words[i].name, bit);
		if (scan_anomaly_name(1u << i) != scan_anomaly_name(words[i].bit))
			fail_msg("%s: not bit %zu", words[i].name, i);
	}
}

/* test_anomaly_unknown - what is not one anomaly */
static void
test_anomaly_unknown(void **state)
{
	static const struct { const char *name, *word; } bad_words[] = {
		{ "a near miss", "deep" },
		{ "case matters", "Depth" },
		{ "empty", "" },
		{ "two words", "depth parts" },
		{ "a list", "depth,parts" },
	};
	static const struct { const char *name; unsigned bits; } bad_bits[] = {
		{ "none", 0 },
		{ "two bits", SCAN_ANOM_DEPTH | SCAN_ANOM_PARTS },
		{ "past the last", 1u << SCAN_ANOM_COUNT },
		{ "the top bit", 1u << 31 },
	};
	size_t i;
	unsigned bit;

	(void)state;
	for (i = 0; i < sizeof(bad_words) / sizeof(bad_words[0]); i++)
		if (scan_anomaly_parse(bad_words[i].word, &bit) != -1)
			fail_msg("%s: \"%s\" parsed", bad_words[i].name, bad_words[i].word);
	for (i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++)
		if (scan_anomaly_name(bad_bits[i].bits) != NULL)
			fail_msg("%s: 0x%x has a name", bad_bits[i].name, bad_bits[i].bits);
}

/* test_anomaly_list - the joined words, as in replies and log lines */
static void
test_anomaly_list(void **state)
{
	static const struct {
		const char *name;
		unsigned bits;
		size_t outsz;
		const char *want;
	} rows[] = {
		{ "none", 0, 128, "" },
		{ "one", SCAN_ANOM_MALFORMED, 128, "malformed" },
		{ "two, in bit order", SCAN_ANOM_MALFORMED | SCAN_ANOM_DEPTH, 128,
		  "depth,malformed" },
		{ "all", 0xff, 128, "depth,parts,zip_depth,malformed,ambiguous,"
		  "zip_broken,header_long,zip_entries" },
		{ "bits past the last are not named", (1u << SCAN_ANOM_COUNT) | SCAN_ANOM_PARTS, 128,
		  "parts" },
		{ "cut to the buffer", SCAN_ANOM_DEPTH | SCAN_ANOM_PARTS, 8, "depth,p" },
		{ "cut inside the first word", SCAN_ANOM_ZIP_ENTRIES, 4, "zip" },
		{ "one byte: empty", SCAN_ANOM_DEPTH, 1, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[128];
		const char *r;

		memset(out, 'x', sizeof(out));
		r = scan_anomaly_list(rows[i].bits, out, rows[i].outsz);
		if (r != out || strcmp(out, rows[i].want) != 0)
			fail_msg("%s: got \"%.*s\"", rows[i].name, (int)sizeof(out) - 1, out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anomaly_words),
		cmocka_unit_test(test_anomaly_unknown),
		cmocka_unit_test(test_anomaly_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
