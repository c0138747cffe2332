/*
 * test_text.c - templates and RFC 3463 reply code checks, as tables
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mg_text.h"

static const struct mg_tvar vars[] = {
	{ "file", "evil.exe" }, { "limit", "10 Mo" }, { "empty", NULL },
};

struct trow { const char *tmpl; int rc; const char *out; };

static void
test_expand(void **state)
{
	static const struct trow rows[] = {
		{ "", 0, "" },
		{ "plain", 0, "plain" },
		{ "fichier %{file} refuse", 0, "fichier evil.exe refuse" },
		{ "%{file}%{limit}", 0, "evil.exe10 Mo" },
		{ "100%% plein", 0, "100% plein" },
		{ "[%{empty}]", 0, "[]" },
		{ "%{nosuch}", -1, NULL },
		{ "50%", -1, NULL },
		{ "%{}", -1, NULL },
		{ "%{fi le}", -1, NULL },
		{ "%{file", -1, NULL },
		{ "%d", -1, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[128];
		struct mg_error err;
		int rc = mg_template_expand(rows[i].tmpl, vars, 3, out,
					    sizeof(out), &err);
		if ((rc >= 0 ? 0 : -1) != rows[i].rc)
			fail_msg("row %zu '%s': rc %d", i, rows[i].tmpl, rc);
		if (rc >= 0 && strcmp(out, rows[i].out) != 0)
			fail_msg("row %zu: got '%s'", i, out);
		if (rc >= 0)
			assert_int_equal(rc, (int)strlen(rows[i].out));
	}
}

static void
test_expand_overflow(void **state)
{
	char out[8];
	struct mg_error err;

	(void)state;
	assert_int_equal(mg_template_expand("1234567", vars, 3, out, sizeof(out), &err), 7);
	assert_int_equal(mg_template_expand("12345678", vars, 3, out, sizeof(out), &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
	assert_string_equal(out, "1234567");
	assert_int_equal(mg_template_expand("ab%{file}", vars, 3, out, sizeof(out), &err), -1);
	assert_string_equal(out, "abevil.");
}

static void
test_check(void **state)
{
	static const char *const allowed[] = { "file", "limit", NULL };
	struct mg_error err;

	(void)state;
	assert_int_equal(mg_template_check("%{file} over %{limit}, 100%%", allowed, &err), 0);
	assert_int_equal(mg_template_check("%{sender}", allowed, &err), -1);
	assert_string_equal(err.msg, "unknown template variable %{sender}");
	assert_int_equal(err.kind, MG_ERR_CONFIG);
	assert_int_equal(mg_template_check("50% off", allowed, &err), -1);
	assert_int_equal(mg_template_check("trailing %", allowed, &err), -1);
}

struct crow { const char *code, *xcode; int rc; };

static void
test_codes(void **state)
{
	static const struct crow rows[] = {
		{ "552", "5.3.4", 0 }, { "550", "5.7.1", 0 }, { "452", "4.2.2", 0 },
		{ "450", "4.2.2", 0 }, { "554", "5.999.999", 0 }, { "550", "5.0.0", 0 },
		{ "452", "5.2.2", -1 }, { "550", "4.2.2", -1 }, { "250", "2.0.0", -1 },
		{ "55", "5.2.2", -1 }, { "5500", "5.2.2", -1 }, { "5x0", "5.2.2", -1 },
		{ "550", "5.2", -1 }, { "550", "5.2.2.", -1 }, { "550", "5.1000.1", -1 },
		{ "550", "5.01.1", -1 }, { "550", "5..1", -1 }, { "550", "", -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct mg_error err;
		int rc = mg_smtp_code_check(rows[i].code, rows[i].xcode, &err);
		if (rc != rows[i].rc)
			fail_msg("row %zu %s %s: rc %d", i, rows[i].code,
				 rows[i].xcode, rc);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_overflow),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
