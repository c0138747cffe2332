/*
 * test_redis_probe.c - the INFO field reader of -t --probe, as a table
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mg_redis_probe.h"

static const char info[] =
	"# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n"
	"redis_mode:standalone\r\nos:Linux\r\nrun_id:\r\nlast";

static void
test_info_field(void **state)
{
	static const struct {
		const char *name;
		int found;
		const char *value;
	} rows[] = {
		{ "redis_version", 1, "7.0.15" },
		{ "redis_mode", 1, "standalone" },
		{ "redis", 0, "" },              /* a prefix of a name is no name */
		{ "version", 0, "" },            /* nor is a suffix */
		{ "run_id", 1, "" },             /* an empty value */
		{ "# Server", 0, "" },
		{ "last", 0, "" },               /* no colon */
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int found = mg_redis_info_field(info, rows[i].name, out, sizeof(out));
		if (found != rows[i].found || strcmp(out, rows[i].value) != 0)
			fail_msg("%s: found %d \"%s\"", rows[i].name, found, out);
	}
	/* a value longer than out is cut, still terminated */
	assert_int_equal(mg_redis_info_field(info, "redis_git_sha1", out, 4), 1);
	assert_string_equal(out, "000");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
