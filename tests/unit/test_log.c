/*
 * test_log.c - sanitising untrusted text and key=value decision lines
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mg_log.h"

struct srow { const char *in; size_t inlen, max, outsz; const char *out; };

static void
test_sanitize(void **state)
{
	static const struct srow rows[] = {
		{ "plain.exe", 9, 100, 64, "plain.exe" },
		{ "a\r\nb\tc", 6, 100, 64, "a  b c" },
		{ "nul\0byte", 8, 100, 64, "nul?byte" },
		{ "\xc3\xa9t\xc3\xa9.pdf", 9, 100, 64, "\xc3\xa9t\xc3\xa9.pdf" },  /* valid UTF-8 */
		{ "\xc3(", 2, 100, 64, "?(" },                                     /* broken UTF-8 */
		{ "\xe2\x80\xaegpj.exe", 10, 100, 64, "???gpj.exe" },               /* RLO disguise */
		{ "\xed\xa0\x80", 3, 100, 64, "???" },                              /* surrogate */
		{ "\xc0\xae", 2, 100, 64, "??" },                                   /* overlong */
		{ "abcdefghij", 10, 5, 64, "abcde..." },                           /* input cap */
		{ "abcdefghij", 10, 100, 8, "abcd..." },                           /* output cap */
		{ "\xc3\xa9\xc3\xa9\xc3\xa9", 6, 100, 7, "\xc3\xa9\xc3\xa9\xc3\xa9" },  /* exact fit */
		{ "\xc3\xa9\xc3\xa9\xc3\xa9", 6, 100, 6, "\xc3\xa9..." },
		{ "\xc3\xa9\xc3\xa9\xc3\xa9", 6, 100, 5, "..." },                  /* no half sequence */
		{ "", 0, 100, 64, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[64];
		size_t n = mg_sanitize(out, rows[i].outsz, rows[i].in,
				       rows[i].inlen, rows[i].max);
		if (strcmp(out, rows[i].out) != 0)
			fail_msg("row %zu: got '%s' want '%s'", i, out, rows[i].out);
		assert_int_equal(n, strlen(out));
		assert_true(n < rows[i].outsz);
	}
}

static void
test_kv(void **state)
{
	struct mg_kv kv;

	(void)state;
	mg_kv_init(&kv);
	mg_kv_add(&kv, "queue_id", "4ABC123");
	mg_kv_add(&kv, "from", "<a@b>");
	mg_kv_add(&kv, "name", "my file \"x\".exe");
	mg_kv_add(&kv, "empty", NULL);
	mg_kv_addf(&kv, "size", "%d", 42);
	mg_kv_add(&kv, "eq", "a=b");
	mg_kv_addn(&kv, "bin", "x\ny\0z", 5);
	assert_string_equal(mg_kv_str(&kv),
		"queue_id=4ABC123 from=<a@b> name=\"my file \\\"x\\\".exe\" "
		"empty=\"\" size=42 eq=\"a=b\" bin=\"x y?z\"");
	assert_false(kv.truncated);
}

static void
test_kv_bounds(void **state)
{
	char big[1000];
	struct mg_kv kv;
	int i;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mg_kv_init(&kv);
	mg_kv_add(&kv, "v", big);
	/* a value is cut at MG_KV_VALUE_MAX bytes and marked */
	assert_int_equal(kv.len, 2 + MG_KV_VALUE_MAX + 3);
	for (i = 0; i < 30; i++)
		mg_kv_add(&kv, "v", big);
	assert_true(kv.truncated);
	assert_true(kv.len < MG_KV_LINE_MAX);
	assert_int_equal(strlen(mg_kv_str(&kv)), kv.len);
}

static char captured[4096];
static enum mg_log_level captured_level;

static void
capture(void *ctx, enum mg_log_level level, const char *line)
{
	(void)ctx;
	captured_level = level;
	snprintf(captured, sizeof(captured), "%s", line);
}

static void
test_backend(void **state)
{
	struct mg_kv kv;

	(void)state;
	mg_log_init("test", 0, 0);
	mg_log_set_backend(capture, NULL);
	mg_warnx("disk %s", "full");
	assert_string_equal(captured, "disk full");
	assert_int_equal(captured_level, MG_LOG_WARNING);
	captured[0] = '\0';
	mg_debug("hidden");
	assert_string_equal(captured, "");
	mg_log_set_debug(1);
	mg_debug("shown");
	assert_string_equal(captured, "shown");
	mg_kv_init(&kv);
	mg_kv_add(&kv, "action", "reject");
	mg_log_kv(MG_LOG_INFO, &kv);
	assert_string_equal(captured, "action=reject");
	mg_log_set_backend(NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_kv),
		cmocka_unit_test(test_kv_bounds),
		cmocka_unit_test(test_backend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
