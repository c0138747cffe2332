/*
 * test_config.c - tables of valid and invalid config rows for mg_config
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mg_config.h"

struct tcfg {
	char *name;
	bool flag;
	long long count;
	unsigned long long size;
	long long delay;
	int mode;
	struct mg_strlist exts;
	char *secret_password;
};

static const struct mg_cfg_enum modes[] = {
	{ "off", 0 }, { "log", 1 }, { "reject", 2 }, { NULL, 0 },
};

static const struct mg_cfg_spec spec[] = {
	{ "name", MG_CFG_STRING, "default name", offsetof(struct tcfg, name), 0, 0, NULL, "a name" },
	{ "flag", MG_CFG_BOOL, "no", offsetof(struct tcfg, flag), 0, 0, NULL, NULL },
	{ "count", MG_CFG_INT, "5", offsetof(struct tcfg, count), 1, 100, NULL, NULL },
	{ "size", MG_CFG_SIZE, "10M", offsetof(struct tcfg, size), 1024, 1LL << 40, NULL, NULL },
	{ "delay", MG_CFG_DURATION, "5d", offsetof(struct tcfg, delay), 0, 0, NULL, NULL },
	{ "mode", MG_CFG_ENUM, "log", offsetof(struct tcfg, mode), 0, 0, modes, NULL },
	{ "exts", MG_CFG_LIST, ".exe .com", offsetof(struct tcfg, exts), 0, 0, NULL, NULL },
	{ "secret_password", MG_CFG_STRING, "", offsetof(struct tcfg, secret_password), 0, 0, NULL, NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL },
};

static int
load(const char *text, struct tcfg *c, struct mg_error *err)
{
	memset(c, 0, sizeof(*c));
	if (mg_config_defaults(spec, c, err) < 0)
		return -1;
	return mg_config_parse_buffer(spec, c, "t.conf", text, strlen(text), err);
}

static void
test_defaults(void **state)
{
	struct mg_error err;
	struct tcfg c;

	(void)state;
	assert_int_equal(load("", &c, &err), 0);
	assert_string_equal(c.name, "default name");
	assert_false(c.flag);
	assert_int_equal(c.count, 5);
	assert_int_equal(c.size, 10485760ULL);
	assert_int_equal(c.delay, 5LL * 86400 * 1000);
	assert_int_equal(c.mode, 1);
	assert_int_equal(c.exts.n, 2);
	assert_string_equal(c.exts.v[1], ".com");
	mg_config_release(spec, &c);
}

static void
test_valid_rows(void **state)
{
	static const char *text =
		"# comment\n"
		"\n"
		"name =   hello world  \n"
		"flag=yes\r\n"
		"   # indented comment\n"
		"count = 100\n"
		"size = 1G\n"
		"delay = 250ms\n"
		"mode = REJECT\n"
		"exts = .exe, .scr\n"
		"  .vbs\n";
	struct mg_error err;
	struct tcfg c;

	(void)state;
	assert_int_equal(load(text, &c, &err), 0);
	assert_string_equal(c.name, "hello world");
	assert_true(c.flag);
	assert_int_equal(c.count, 100);
	assert_int_equal(c.size, 1ULL << 30);
	assert_int_equal(c.delay, 250);
	assert_int_equal(c.mode, 2);
	assert_int_equal(c.exts.n, 3);
	assert_string_equal(c.exts.v[2], ".vbs");
	mg_config_release(spec, &c);
}

static void
test_quoted_and_no_final_newline(void **state)
{
	struct mg_error err;
	struct tcfg c;

	(void)state;
	assert_int_equal(load("name = \"  a \\\"b\\\" \\\\ c\\n\"", &c, &err), 0);
	assert_string_equal(c.name, "  a \"b\" \\ c\n");
	mg_config_release(spec, &c);
	assert_int_equal(load("count = 7", &c, &err), 0);
	assert_int_equal(c.count, 7);
	mg_config_release(spec, &c);
}

struct bad_row {
	const char *text;
	const char *msg;   /* expected exact error message */
};

static const struct bad_row bad_rows[] = {
	{ "nosuch = 1\n", "t.conf:1: unknown key \"nosuch\"" },
	{ "\n\nsize = 10X\n", "t.conf:3: size: bad size \"10X\" (examples: 1048576, 512K, 10M, 1G)" },
	{ "size = 10MB5\n", "t.conf:1: size: bad size \"10MB5\" (examples: 1048576, 512K, 10M, 1G)" },
	{ "size = -1\n", "t.conf:1: size: bad size \"-1\" (examples: 1048576, 512K, 10M, 1G)" },
	{ "size = 1023\n", "t.conf:1: size: 1023 is out of range [1024, 1099511627776]" },
	{ "size = 99999999999999999999\n", "t.conf:1: size: bad size \"99999999999999999999\" (examples: 1048576, 512K, 10M, 1G)" },
	{ "size = 20000000T\n", "t.conf:1: size: bad size \"20000000T\" (examples: 1048576, 512K, 10M, 1G)" },
	{ "size =\n", "t.conf:1: size: bad size \"\" (examples: 1048576, 512K, 10M, 1G)" },
	{ "delay = 5x\n", "t.conf:1: delay: bad duration \"5x\" (examples: 250ms, 30s, 5m, 2h, 5d)" },
	{ "delay = 1.5s\n", "t.conf:1: delay: bad duration \"1.5s\" (examples: 250ms, 30s, 5m, 2h, 5d)" },
	{ "delay = 5 d\n", "t.conf:1: delay: bad duration \"5 d\" (examples: 250ms, 30s, 5m, 2h, 5d)" },
	{ "count = 0\n", "t.conf:1: count: 0 is out of range [1, 100]" },
	{ "count = 101\n", "t.conf:1: count: 101 is out of range [1, 100]" },
	{ "count = 12abc\n", "t.conf:1: count: bad number \"12abc\"" },
	{ "flag = maybe\n", "t.conf:1: flag: bad boolean \"maybe\" (use yes or no)" },
	{ "mode = loud\n", "t.conf:1: mode: bad value \"loud\" (one of: off, log, reject)" },
	{ "count = 1\ncount = 2\n", "t.conf:2: duplicate key \"count\"" },
	{ "just words\n", "t.conf:1: expected \"key = value\"" },
	{ "= 5\n", "t.conf:1: missing key before '='" },
	{ "Count = 5\n", "t.conf:1: bad key \"Count\"" },
	{ "  indented = 1\n", "t.conf:1: continuation line without a setting" },
	{ "name = \"open\n", "t.conf:1: missing closing quote" },
	{ "name = \"a\" b\n", "t.conf:1: text after closing quote" },
	{ "name = \"a\\q\"\n", "t.conf:1: bad escape sequence in quoted value" },
	{ "count = 3\n\n# x\nsize = 5\n", "t.conf:4: size: 5 is out of range [1024, 1099511627776]" },
	{ "name = a\n  b\nsize = 1Q\n", "t.conf:3: size: bad size \"1Q\" (examples: 1048576, 512K, 10M, 1G)" },
};

static void
test_invalid_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		struct mg_error err;
		struct tcfg c;

		mg_error_clear(&err);
		if (load(bad_rows[i].text, &c, &err) != -1)
			fail_msg("row %zu accepted: %s", i, bad_rows[i].text);
		assert_int_equal(err.kind, MG_ERR_CONFIG);
		if (strcmp(err.msg, bad_rows[i].msg) != 0)
			fail_msg("row %zu: got '%s' want '%s'", i, err.msg,
				 bad_rows[i].msg);
		/* released on failure: nothing left to free */
		assert_null(c.name);
		assert_null(c.exts.v);
	}
}

static void
test_nul_and_long_lines(void **state)
{
	struct mg_error err;
	struct tcfg c;
	char *big;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(mg_config_defaults(spec, &c, &err), 0);
	assert_int_equal(mg_config_parse_buffer(spec, &c, "t.conf",
		"name = a\0b\n", 11, &err), -1);
	assert_string_equal(err.msg, "t.conf:1: NUL byte");

	big = malloc(MG_CFG_LINE_MAX + 32);
	assert_non_null(big);
	memcpy(big, "name = ", 7);
	memset(big + 7, 'x', MG_CFG_LINE_MAX);
	big[MG_CFG_LINE_MAX + 7] = '\0';
	assert_int_equal(load(big, &c, &err), -1);
	assert_string_equal(err.msg, "t.conf:1: line too long");
	/* exactly the maximum logical line is fine */
	big[MG_CFG_LINE_MAX] = '\0';
	assert_int_equal(load(big, &c, &err), 0);
	assert_int_equal(strlen(c.name), MG_CFG_LINE_MAX - 7);
	mg_config_release(spec, &c);
	free(big);
}

struct size_row { const char *in; int ok; unsigned long long v; };

static void
test_parse_size(void **state)
{
	static const struct size_row rows[] = {
		{ "0", 1, 0 }, { "1", 1, 1 }, { "10485760", 1, 10485760ULL },
		{ "512K", 1, 524288 }, { "512k", 1, 524288 }, { "10M", 1, 10485760ULL },
		{ "10MB", 1, 10485760ULL }, { "10MiB", 1, 10485760ULL },
		{ "1G", 1, 1073741824ULL }, { "2T", 1, 2ULL << 40 }, { "100B", 1, 100 },
		{ "16777215T", 1, 16777215ULL << 40 }, { "16777216T", 0, 0 },
		{ "18446744073709551615", 1, 18446744073709551615ULL },
		{ "18446744073709551616", 0, 0 },
		{ "", 0, 0 }, { "M", 0, 0 }, { "10 M", 0, 0 }, { " 10M", 0, 0 },
		{ "10iB", 0, 0 }, { "10Mi", 0, 0 }, { "1.5G", 0, 0 }, { "+5", 0, 0 },
		{ "0x10", 0, 0 }, { "10MM", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned long long v = 0;
		int rc = mg_config_parse_size(rows[i].in, &v);
		if ((rc == 0) != rows[i].ok)
			fail_msg("size '%s': rc %d", rows[i].in, rc);
		if (rows[i].ok && v != rows[i].v)
			fail_msg("size '%s': %llu", rows[i].in, v);
	}
}

struct dur_row { const char *in; int ok; long long ms; };

static void
test_parse_duration(void **state)
{
	static const struct dur_row rows[] = {
		{ "0", 1, 0 }, { "250ms", 1, 250 }, { "30", 1, 30000 },
		{ "30s", 1, 30000 }, { "5m", 1, 300000 }, { "2h", 1, 7200000 },
		{ "5d", 1, 432000000LL }, { "1w", 1, 604800000LL },
		{ "9223372036854775807ms", 1, 9223372036854775807LL },
		{ "9223372036854775808ms", 0, 0 }, { "106751991167301d", 0, 0 },
		{ "", 0, 0 }, { "s", 0, 0 }, { "5 s", 0, 0 }, { "5S", 0, 0 },
		{ "5sec", 0, 0 }, { "-5s", 0, 0 }, { "1h30m", 0, 0 }, { "5y", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		long long v = 0;
		int rc = mg_config_parse_duration(rows[i].in, &v);
		if ((rc == 0) != rows[i].ok)
			fail_msg("duration '%s': rc %d", rows[i].in, rc);
		if (rows[i].ok && v != rows[i].ms)
			fail_msg("duration '%s': %lld", rows[i].in, v);
	}
}

/* dump - what -t prints for c, as a string to free */
static char *
dump(const struct mg_cfg_spec *sp, const struct tcfg *c)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp = open_memstream(&out, &outlen);

	assert_non_null(fp);
	mg_config_dump(sp, c, fp);
	fclose(fp);
	return out;
}

static void
test_dump(void **state)
{
	struct mg_error err;
	struct tcfg c;
	char *out;

	(void)state;
	assert_int_equal(load("size = 1536K\ndelay = 90s\nsecret_password = hunter2\n"
			      "name = \" padded\"\n", &c, &err), 0);
	out = dump(spec, &c);
	assert_non_null(strstr(out, "# a name\nname = \" padded\"\n"));
	assert_non_null(strstr(out, "\nsize = 1536K\n"));
	assert_non_null(strstr(out, "\ndelay = 90s\n"));
	assert_non_null(strstr(out, "\nmode = log\n"));
	assert_non_null(strstr(out, "\nexts = .exe .com\n"));
	assert_non_null(strstr(out, "\nflag = no\n"));
	assert_non_null(strstr(out, "\nsecret_password = ********\n"));
	assert_null(strstr(out, "hunter2"));
	free(out);
	mg_config_release(spec, &c);
}

static void
test_load_file(void **state)
{
	char path[] = "/tmp/mg-test-config-XXXXXX";
	struct mg_error err;
	struct tcfg c;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "count = 9\nsize = 2x\n", 20), 20);
	close(fd);
	memset(&c, 0, sizeof(c));
	assert_int_equal(mg_config_load(spec, &c, path, &err), -1);
	assert_non_null(strstr(err.msg, ":2: size: bad size"));
	assert_int_equal(strncmp(err.msg, path, strlen(path)), 0);
	unlink(path);
	memset(&c, 0, sizeof(c));
	assert_int_equal(mg_config_load(spec, &c, path, &err), -1);
	assert_int_equal(err.kind, MG_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "cannot open"));
	memset(&c, 0, sizeof(c));
	assert_int_equal(mg_config_load(spec, &c, "/tmp", &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

static void
test_removed_key(void **state)
{
	static const struct mg_cfg_spec spec2[] = {
		{ "name", MG_CFG_STRING, "n", offsetof(struct tcfg, name), 0, 0, NULL, NULL },
		{ "old_way", MG_CFG_REMOVED, NULL, 0, 0, 0, NULL, "use name instead" },
		{ NULL, 0, NULL, 0, 0, 0, NULL, NULL },
	};
	struct mg_error err;
	struct tcfg c;
	char *out;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(mg_config_defaults(spec2, &c, &err), 0);
	assert_int_equal(mg_config_parse_buffer(spec2, &c, "t.conf", "name = x\n", 9, &err), 0);
	out = dump(spec2, &c);
	assert_null(strstr(out, "old_way"));            /* not an effective setting */
	assert_null(strstr(out, "use name instead"));
	free(out);
	mg_config_release(spec2, &c);
	assert_int_equal(mg_config_defaults(spec2, &c, &err), 0);
	assert_int_equal(mg_config_parse_buffer(spec2, &c, "t.conf",
	    "name = x\n\nold_way = /bin/true\n", 30, &err), -1);
	assert_int_equal(err.kind, MG_ERR_CONFIG);
	assert_string_equal(err.msg, "t.conf:3: old_way was removed: use name instead");
}

/* test_subset - another program's file: its other rows are skipped, the
 * rows in the spec checked as strictly as ever */
static void
test_subset(void **state)
{
	static const struct {
		const char *text;
		int ok;
		long long count;
	} rows[] = {
		{ "listen = inet:127.0.0.1:10031\ncount = 7\n", 1, 7 },
		{ "whatever_else = \"unclosed\ncount = 8\n", 1, 8 },
		{ "other = x\n  continued\n", 1, 5 },
		{ "", 1, 5 },
		{ "count = 500\n", 0, 0 },                 /* out of range */
		{ "count = 7\ncount = 8\n", 0, 0 },        /* duplicate */
		{ "Bad-Key = 1\n", 0, 0 },                 /* syntax */
		{ "no equals sign\n", 0, 0 },
		{ "  continuation first\n", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct mg_error err = { 0 };
		struct tcfg c;
		int rc;

		memset(&c, 0, sizeof(c));
		assert_int_equal(mg_config_defaults(spec, &c, &err), 0);
		rc = mg_config_parse_subset(spec, &c, "t.conf", rows[i].text,
					    strlen(rows[i].text), &err);
		if ((rc == 0) != rows[i].ok)
			fail_msg("row %zu: rc %d (%s)", i, rc, err.msg);
		if (rc == 0) {
			assert_int_equal(c.count, rows[i].count);
			mg_config_release(spec, &c);
		} else {
			assert_non_null(strstr(err.msg, "t.conf:"));
		}
	}
	/* the full loader still refuses the unknown key */
	{
		struct mg_error err;
		struct tcfg c;
		assert_int_equal(load("listen = x\n", &c, &err), -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_valid_rows),
		cmocka_unit_test(test_quoted_and_no_final_newline),
		cmocka_unit_test(test_invalid_rows),
		cmocka_unit_test(test_nul_and_long_lines),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_removed_key),
		cmocka_unit_test(test_subset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
