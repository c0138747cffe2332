/*
 * test_ma_ctl.c - milter-attach-ctl argument checks (no Redis)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ma_ctlcmd.h"

#define HEX64 "71E7B604D18AEFD839E51A39C88DF8383BB4C071DC31F87F00A2B5DF580D4495"

static void
test_parse(void **state)
{
	static const struct {
		const char *args[8];
		int ok;
		enum ma_ctl_op op;
		const char *value;
		long long ttl;
		const char *reason;
	} rows[] = {
		{ { "ban", "add", "ext", ".iso", "48h" }, 1, MA_CTL_BAN_ADD, ".iso", 172800, "" },
		{ { "ban", "add", "ext", "ISO", "2d", "alerte", "CERT" }, 1, MA_CTL_BAN_ADD,
		  ".iso", 172800, "alerte CERT" },
		{ { "ban", "add", "mime", "application/x-iso9660-image", "2d" }, 1,
		  MA_CTL_BAN_ADD, "application/x-iso9660-image", 172800, "" },
		{ { "ban", "add", "sha256", HEX64, "7d" }, 1, MA_CTL_BAN_ADD,
		  "71e7b604d18aefd839e51a39c88df8383bb4c071dc31f87f00a2b5df580d4495", 604800, "" },
		{ { "ban", "add", "ext", ".iso", "1s" }, 1, MA_CTL_BAN_ADD, ".iso", 1, "" },
		{ { "ban", "add", "ext", ".iso", "366d" }, 1, MA_CTL_BAN_ADD, ".iso", 366 * 86400LL, "" },
		{ { "ban", "add", "ext", ".iso", "367d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "ext", ".iso", "500ms" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "ext", ".iso", "forever" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "ext", ".iso" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "ext", ".i so", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "ext", ".", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "ext", "..iso", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "mime", "application", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "mime", "/x", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "mime", "a/", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "mime", "a/b/c", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "sha256", "abc", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "sha256",
		    "71e7b604d18aefd839e51a39c88df8383bb4c071dc31f87f00a2b5df580d449", "1d" },
		  0, 0, NULL, 0, NULL },                                   /* 63 */
		{ { "ban", "add", "sha256",
		    "71e7b604d18aefd839e51a39c88df8383bb4c071dc31f87f00a2b5df580d44955", "1d" },
		  0, 0, NULL, 0, NULL },                                   /* 65 */
		{ { "ban", "add", "sha256",
		    "g1e7b604d18aefd839e51a39c88df8383bb4c071dc31f87f00a2b5df580d4495", "1d" },
		  0, 0, NULL, 0, NULL },
		{ { "ban", "add", "md5", "x", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "del", "ext", ".ISO" }, 1, MA_CTL_BAN_DEL, ".iso", 0, "" },
		{ { "ban", "del", "ext", ".iso", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "list" }, 1, MA_CTL_BAN_LIST, "", 0, "" },
		{ { "ban", "list", "x" }, 0, 0, NULL, 0, NULL },
		{ { "stats" }, 1, MA_CTL_STATS, "", 0, "" },
		{ { "ban" }, 0, 0, NULL, 0, NULL },
		{ { "bans", "list" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "purge" }, 0, 0, NULL, 0, NULL },
		{ { NULL }, 0, 0, NULL, 0, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ma_ctl_cmd cmd;
		struct mg_error err = { 0 };
		int argc = 0, rc;

		while (argc < 8 && rows[i].args[argc])
			argc++;
		rc = ma_ctl_parse(argc, (char *const *)rows[i].args, &cmd, &err);
		if ((rc == 0) != rows[i].ok)
			fail_msg("row %zu: rc %d (%s)", i, rc, err.msg);
		if (rc != 0) {
			assert_true(err.msg[0] != '\0');
			continue;
		}
		assert_int_equal(cmd.op, rows[i].op);
		assert_string_equal(cmd.value, rows[i].value);
		assert_int_equal(cmd.ttl_s, rows[i].ttl);
		assert_string_equal(cmd.reason, rows[i].reason);
	}
}

static void
test_reason_too_long(void **state)
{
	char big[300];
	const char *args[] = { "ban", "add", "ext", ".iso", "1d", big };
	struct ma_ctl_cmd cmd;
	struct mg_error err;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ma_ctl_parse(6, (char *const *)args, &cmd, &err), -1);
	big[254] = '\0';
	assert_int_equal(ma_ctl_parse(6, (char *const *)args, &cmd, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_reason_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
