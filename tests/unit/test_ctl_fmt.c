/*
 * test_ctl_fmt.c - mailguard-ctl's output pieces: spans, local times,
 * sizes, JSON strings, Prometheus names and labels, aligned tables
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "ctl_fmt.h"
#include "ctl_run.h"

/* captured - what fn wrote on a memory stream */
#define CAPTURE(buf, call) do { \
		FILE *fp_ = fmemopen(buf, sizeof(buf), "w"); \
		assert_non_null(fp_); \
		call; \
		fclose(fp_); \
	} while (0)

static void
test_span(void **state)
{
	static const struct { long long s; const char *want; } rows[] = {
		{ -5, "0 s" }, { 0, "0 s" }, { 59, "59 s" }, { 60, "1 min" },
		{ 61, "1 min 1 s" }, { 3599, "59 min 59 s" }, { 3600, "1 h" },
		{ 3660, "1 h 1 min" }, { 86399, "23 h 59 min" }, { 86400, "1 d" },
		{ 4 * 86400 + 3 * 3600 + 59, "4 d 3 h" }, { 5 * 86400 - 1, "4 d 23 h" },
		{ 366 * 86400LL, "366 d" },
	};
	char out[CTL_SPAN_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ctl_fmt_span(rows[i].s, out, sizeof(out));
		if (strcmp(out, rows[i].want) != 0)
			fail_msg("%lld: got \"%s\", want \"%s\"", rows[i].s, out,
				 rows[i].want);
	}
}

static void
test_local_and_bytes(void **state)
{
	char out[CTL_TIME_MAX];

	(void)state;
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	ctl_fmt_local(1700000000, out, sizeof(out));
	assert_string_equal(out, "2023-11-14 23:13:20 CET");
	ctl_fmt_local(1690000000, out, sizeof(out));
	assert_string_equal(out, "2023-07-22 06:26:40 CEST");
	setenv("TZ", "UTC", 1);
	tzset();
	ctl_fmt_local(0, out, sizeof(out));
	assert_string_equal(out, "1970-01-01 00:00:00 UTC");
	ctl_fmt_bytes(0, out, sizeof(out));
	assert_string_equal(out, "0 B");
	ctl_fmt_bytes(1023, out, sizeof(out));
	assert_string_equal(out, "1023 B");
	ctl_fmt_bytes(1024, out, sizeof(out));
	assert_string_equal(out, "1.0 KiB");
	ctl_fmt_bytes(10 * 1048576LL + 524288, out, sizeof(out));
	assert_string_equal(out, "10.5 MiB");
	ctl_fmt_bytes(3LL << 40, out, sizeof(out));
	assert_string_equal(out, "3.0 TiB");
}

static void
test_json_str(void **state)
{
	static const struct { const char *in, *want; } rows[] = {
		{ "plain", "\"plain\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "l1\nl2\tx\r", "\"l1\\nl2\\u0009x\\u000d\"" },
		{ "Fran\xc3\xa7oise", "\"Fran\xc3\xa7oise\"" },          /* valid UTF-8 kept */
		{ "bad\xff\xc3", "\"bad\\u00ff\\u00c3\"" },              /* stray bytes */
		{ "", "\"\"" },
		{ NULL, "null" },
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CAPTURE(buf, ctl_json_str(fp_, rows[i].in));
		if (strcmp(buf, rows[i].want) != 0)
			fail_msg("row %zu: got %s", i, buf);
	}
}

static void
test_prometheus(void **state)
{
	char name[64], buf[64];

	(void)state;
	assert_int_equal(ctl_prom_name("milter-attach", "messages", name, sizeof(name)), 0);
	assert_string_equal(name, "mailguard_milter_attach_messages_total");
	assert_int_equal(ctl_prom_name("dovecot-quota-warn", "warn.sent-ok", name,
				       sizeof(name)), 0);
	assert_string_equal(name, "mailguard_dovecot_quota_warn_warn_sent_ok_total");
	assert_int_equal(ctl_prom_name("policyd-quota", "a-very-long-counter-name-indeed",
				       name, 40), -1);
	CAPTURE(buf, ctl_prom_label(fp_, "mx\"1\\\n"));
	assert_string_equal(buf, "\"mx\\\"1\\\\\\n\"");
}

static void
test_table(void **state)
{
	static const char *const heads[] = { "NAME", "N", "NOTE" };
	static const char *const r1[] = { "alice@example.org", "5", "x" };
	static const char *const r2[] = { "b", "12345", NULL };
	static const char *const r3[] = { "e\033[2J", "1", "x\ny" };
	struct ctl_table *t;
	char buf[512];

	(void)state;
	assert_non_null(t = ctl_table_new(3, heads));
	assert_int_equal(ctl_table_add(t, r1), 0);
	assert_int_equal(ctl_table_add(t, r2), 0);
	assert_int_equal(ctl_table_add(t, r3), 0);
	assert_int_equal(ctl_table_rows(t), 3);
	CAPTURE(buf, ctl_table_print(t, 1u << 1, fp_));
	assert_string_equal(buf,
	    "NAME                   N  NOTE\n"
	    "alice@example.org      5  x\n"
	    "b                  12345  -\n"
	    "e?[2J                  1  x?y\n");
	ctl_table_free(&t);
	assert_null(t);
}

static void
test_glob_escape(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(ctl_glob_escape("mg:v1:", out, sizeof(out)), 0);
	assert_string_equal(out, "mg:v1:");
	assert_int_equal(ctl_glob_escape("a*b?[c]\\d", out, sizeof(out)), 0);
	assert_string_equal(out, "a\\*b\\?\\[c\\]\\\\d");
	assert_int_equal(ctl_glob_escape("****", out, 8), -1);
	assert_int_equal(ctl_glob_escape("***", out, 7), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_local_and_bytes),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_glob_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
