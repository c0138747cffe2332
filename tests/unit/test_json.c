/*
 * test_json.c - mg_json_str: escapes and UTF-8 repair, as a table
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mg_json.h"

struct jrow { const char *name, *in, *out; };

static void
test_json_str(void **state)
{
	static const struct jrow rows[] = {
		{ "empty", "", "\"\"" },
		{ "NULL is empty", NULL, "\"\"" },
		{ "plain", "a.exe", "\"a.exe\"" },
		{ "quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "newline, tab, CR", "a\nb\tc\rd", "\"a\\nb\\tc\\u000dd\"" },
		{ "DEL", "a\x7f", "\"a\\u007f\"" },
		{ "valid UTF-8 kept", "r\xc3\xa9sum\xc3\xa9.pdf", "\"r\xc3\xa9sum\xc3\xa9.pdf\"" },
		{ "4-byte UTF-8 kept", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
		{ "Latin-1 byte", "caf\xe9", "\"caf\\ufffd\"" },
		{ "truncated sequence", "\xc3", "\"\\ufffd\"" },
		{ "overlong slash", "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "overlong 3-byte", "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "surrogate", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "beyond U+10FFFF", "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&buf, &len);

		assert_non_null(fp);
		mg_json_str(fp, rows[i].in);
		fclose(fp);
		if (strcmp(buf, rows[i].out) != 0)
			fail_msg("%s: got %s, want %s", rows[i].name, buf, rows[i].out);
		free(buf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
