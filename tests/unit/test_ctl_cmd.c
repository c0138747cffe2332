/*
 * test_ctl_cmd.c - mailguard-ctl's command words and settings (no Redis):
 * the 0.4 grammar of the alias milter-attach-ctl (legacy rows, kept from
 * test_ma_ctl.c), the new commands and options, the config subset
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_cmd.h"
#include "ctl_config.h"
#include "pq_config.h"

#define HEX64 "71E7B604D18AEFD839E51A39C88DF8383BB4C071DC31F87F00A2B5DF580D4495"

/* parse_row - one table row (args up to max, NULL-terminated) through
 * ctl_parse; fails the test unless it is accepted exactly when ok; a
 * refusal says why.  Returns ctl_parse's result. */
static int
parse_row(const char *const *args, int max, int legacy, int ok, size_t i,
	  struct ctl_cmd *cmd)
{
	struct mg_error err = { 0 };
	int argc = 0, rc;

	while (argc < max && args[argc])
		argc++;
	rc = ctl_parse(argc, (char *const *)args, legacy, cmd, &err);
	if ((rc == 0) != ok)
		fail_msg("row %zu: rc %d (%s)", i, rc, err.msg);
	if (rc != 0)
		assert_true(err.msg[0] != '\0');
	return rc;
}

static void
test_parse_legacy(void **state)
{
	static const struct {
		const char *args[8];
		int ok;
		enum ctl_op op;
		const char *value;
		long long ttl;
		const char *reason;
	} rows[] = {
		{ { "ban", "add", "ext", ".iso", "48h" }, 1, CTL_BAN_ADD, ".iso", 172800, "" },
		{ { "ban", "add", "ext", "ISO", "2d", "alerte", "CERT" }, 1, CTL_BAN_ADD,
		  ".iso", 172800, "alerte CERT" },
		{ { "ban", "add", "mime", "application/x-iso9660-image", "2d" }, 1,
		  CTL_BAN_ADD, "application/x-iso9660-image", 172800, "" },
		{ { "ban", "add", "sha256", HEX64, "7d" }, 1, CTL_BAN_ADD,
		  "71e7b604d18aefd839e51a39c88df8383bb4c071dc31f87f00a2b5df580d4495", 604800, "" },
		{ { "ban", "add", "ext", ".iso", "1s" }, 1, CTL_BAN_ADD, ".iso", 1, "" },
		{ { "ban", "add", "ext", ".iso", "366d" }, 1, CTL_BAN_ADD, ".iso", 366 * 86400LL, "" },
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
		{ { "ban", "del", "ext", ".ISO" }, 1, CTL_BAN_DEL, ".iso", 0, "" },
		{ { "ban", "del", "ext", ".iso", "1d" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "list" }, 1, CTL_BAN_LIST, "", 0, "" },
		{ { "ban", "list", "x" }, 0, 0, NULL, 0, NULL },
		{ { "stats" }, 1, CTL_STATS, "", 0, "" },
		{ { "ban" }, 0, 0, NULL, 0, NULL },
		{ { "bans", "list" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "purge" }, 0, 0, NULL, 0, NULL },          /* not in 0.4 */
		{ { "defer", "list" }, 0, 0, NULL, 0, NULL },
		{ { "ban", "add", "ext", ".iso", "1d", "--by", "x" }, 1, CTL_BAN_ADD,
		  ".iso", 86400, "--by x" },                         /* no options */
		{ { NULL }, 0, 0, NULL, 0, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ctl_cmd cmd;

		if (parse_row(rows[i].args, 8, 1, rows[i].ok, i, &cmd) != 0)
			continue;
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
	struct ctl_cmd cmd;
	struct mg_error err;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ctl_parse(6, (char *const *)args, 0, &cmd, &err), -1);
	big[254] = '\0';
	assert_int_equal(ctl_parse(6, (char *const *)args, 0, &cmd, &err), 0);
}

#define ID32 "0123456789ABCDEF0123456789abcdef"

/* test_parse - mailguard-ctl's grammar: valid and invalid rows */
static void
test_parse(void **state)
{
	static const struct {
		const char *args[9];
		int ok;
		enum ctl_op op;
		enum ctl_format format;
		int all;
		const char *mailbox, *id, *by;
		long long threshold;
	} rows[] = {
		{ { "defer", "list" }, 1, CTL_DEFER_LIST, CTL_HUMAN, 0, "", "", "", 0 },
		{ { "defer", "list", "--json" }, 1, CTL_DEFER_LIST, CTL_JSON, 0, "", "", "", 0 },
		{ { "--json", "defer", "list", "Bob+x@Example.org" }, 1, CTL_DEFER_LIST,
		  CTL_JSON, 0, "Bob+x@Example.org", "", "", 0 },
		{ { "defer", "list", "a@b", "c@d" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "defer", "list", "--all" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "defer" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "defer", "show" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "defer", "lift", "bob@example.org", ID32 }, 1, CTL_DEFER_LIFT,
		  CTL_HUMAN, 0, "bob@example.org", "0123456789abcdef0123456789abcdef", "", 0 },
		{ { "defer", "lift", "bob@example.org", "--all" }, 1, CTL_DEFER_LIFT,
		  CTL_HUMAN, 1, "bob@example.org", "", "", 0 },
		{ { "defer", "lift", "bob@example.org" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "defer", "lift", "bob@example.org", ID32, "--all" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "defer", "lift", "bob@example.org", "0123" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "defer", "lift", "bob@example.org", ID32 "0" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "defer", "lift", "bob@example.org", "g123456789abcdef0123456789abcdef" },
		  0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "quota", "show", "bob" }, 1, CTL_QUOTA_SHOW, CTL_HUMAN, 0, "bob", "", "", 0 },
		{ { "quota", "show" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "quota", "list", "bob" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "quota", "show", "" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "warn", "rearm", "bob@x.org", "90" }, 1, CTL_WARN_REARM, CTL_HUMAN, 0,
		  "bob@x.org", "", "", 90 },
		{ { "warn", "rearm", "bob@x.org", "100%" }, 1, CTL_WARN_REARM, CTL_HUMAN, 0,
		  "bob@x.org", "", "", 100 },
		{ { "warn", "rearm", "bob@x.org", "--all" }, 1, CTL_WARN_REARM, CTL_HUMAN, 1,
		  "bob@x.org", "", "", 0 },
		{ { "warn", "rearm", "bob@x.org", "0" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "warn", "rearm", "bob@x.org", "1001" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "warn", "rearm", "bob@x.org", "-5" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "warn", "rearm", "bob@x.org", "90x" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "warn", "rearm", "bob@x.org" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "ban", "add", "ext", ".iso", "2d", "--by", "alice" }, 1, CTL_BAN_ADD,
		  CTL_HUMAN, 0, "", "", "alice", 0 },
		{ { "ban", "add", "ext", ".iso", "2d", "--by" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "ban", "add", "ext", ".iso", "2d", "--by", "a b" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "ban", "del", "ext", ".iso", "--by", "alice" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "ban", "list", "--json" }, 1, CTL_BAN_LIST, CTL_JSON, 0, "", "", "", 0 },
		{ { "ban", "purge" }, 1, CTL_BAN_PURGE, CTL_HUMAN, 0, "", "", "", 0 },
		{ { "ban", "purge", "now" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "stats", "--prometheus" }, 1, CTL_STATS, CTL_PROMETHEUS, 0, "", "", "", 0 },
		{ { "stats", "--json", "--json" }, 1, CTL_STATS, CTL_JSON, 0, "", "", "", 0 },
		{ { "stats", "--json", "--prometheus" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "ban", "list", "--prometheus" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "stats", "--all" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "stats", "--verbose" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "--", "stats", "--json" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { "frobnicate" }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
		{ { NULL }, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ctl_cmd cmd;

		if (parse_row(rows[i].args, 9, 0, rows[i].ok, i, &cmd) != 0)
			continue;
		assert_int_equal(cmd.op, rows[i].op);
		assert_int_equal(cmd.format, rows[i].format);
		assert_int_equal(cmd.all, rows[i].all);
		assert_string_equal(cmd.mailbox, rows[i].mailbox);
		assert_string_equal(cmd.id, rows[i].id);
		assert_string_equal(cmd.by, rows[i].by);
		assert_int_equal(cmd.threshold, rows[i].threshold);
	}
}

/* write_file - text into dir/name */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[300];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

/* test_config - the rows read from policyd-quota.conf (others skipped),
 * the fallback to milter-attach.conf, bad values refused */
/* test_output - --output FILE: only with stats, a name required (not an
 * option word), kept as typed; the alias has no options */
static void
test_output(void **state)
{
	static const struct {
		const char *args[6];
		int legacy, ok;
		const char *output;
	} rows[] = {
		{ { "stats", "--prometheus", "--output", "/x/m.prom" }, 0, 1, "/x/m.prom" },
		{ { "stats", "--output", "m.json", "--json" }, 0, 1, "m.json" },
		{ { "--output", "./-odd", "stats" }, 0, 1, "./-odd" },
		{ { "stats" }, 0, 1, "" },
		{ { "stats", "--output" }, 0, 0, NULL },
		{ { "stats", "--output", "" }, 0, 0, NULL },
		{ { "stats", "--output", "--json" }, 0, 0, NULL },
		{ { "ban", "list", "--output", "b.txt" }, 0, 0, NULL },
		{ { "defer", "list", "--output", "d.txt" }, 0, 0, NULL },
		{ { "stats", "--output", "m.prom" }, 1, 0, NULL },
	};
	char longname[CTL_OUTPUT_MAX + 1];
	const char *toolong[] = { "stats", "--output", longname, NULL };
	struct ctl_cmd cmd;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (parse_row(rows[i].args, 6, rows[i].legacy, rows[i].ok, i, &cmd) != 0)
			continue;
		assert_string_equal(cmd.output, rows[i].output);
	}
	memset(longname, 'a', CTL_OUTPUT_MAX - 1);          /* the longest name */
	longname[CTL_OUTPUT_MAX - 1] = '\0';
	parse_row(toolong, 3, 0, 1, 100, &cmd);
	assert_int_equal(strlen(cmd.output), CTL_OUTPUT_MAX - 1);
	longname[CTL_OUTPUT_MAX - 1] = 'a';                 /* one byte more */
	longname[CTL_OUTPUT_MAX] = '\0';
	parse_row(toolong, 3, 0, 0, 101, &cmd);
}

static void
test_config(void **state)
{
	char dir[] = "/tmp/test_ctl_cmd.XXXXXX", buf[300], path[300];
	struct ctl_config cfg;
	struct mg_error err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_null(ctl_config_default_path(dir, 0, buf, sizeof(buf)));
	write_file(dir, "milter-attach.conf", "redis_prefix = ma:\nban_refresh = 2s\n");
	assert_non_null(ctl_config_default_path(dir, 0, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "/milter-attach.conf"));
	write_file(dir, "policyd-quota.conf",
		   "listen = inet:127.0.0.1:10031\nredis_prefix = pq:\n"
		   "defer_period = 3d\ndefault_domain = Example.ORG\n"
		   "recipient_delimiter = +-\nlocal_domains = example.org\n");
	assert_non_null(ctl_config_default_path(dir, 0, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "/policyd-quota.conf"));
	/* the alias reads milter-attach.conf, as 0.4 did */
	assert_non_null(ctl_config_default_path(dir, 1, path, sizeof(path)));
	assert_non_null(strstr(path, "/milter-attach.conf"));

	assert_int_equal(ctl_config_load(&cfg, buf, &err), 0);
	assert_string_equal(cfg.keys.base, "pq:v1:");
	assert_int_equal(cfg.defer_period_ms, 3 * 86400000LL);
	assert_int_equal(cfg.state_max_age_ms, 86400000LL);
	{
		static const struct { const char *in, *out; } mbs[] = {
			{ "Bob-list@Example.org", "bob@example.org" },
			{ "<alice+news@example.org>", "alice@example.org" },
			{ "carol", "carol@example.org" },
		};
		char out[MG_ADDR_MAX + 1];
		size_t i;
		for (i = 0; i < sizeof(mbs) / sizeof(mbs[0]); i++) {
			assert_int_equal(ctl_config_mailbox(&cfg, mbs[i].in, out,
							    sizeof(out), &err), 0);
			assert_string_equal(out, mbs[i].out);
		}
		assert_int_equal(ctl_config_mailbox(&cfg, "a b@example.org", out,
						    sizeof(out), &err), -1);
		assert_int_equal(err.kind, MG_ERR_PARSE);
		assert_int_equal(ctl_config_mailbox(&cfg, "<>", out, sizeof(out), &err), -1);
		assert_int_equal(ctl_config_mailbox(&cfg, "x@", out, sizeof(out), &err), -1);
	}
	ctl_config_release(&cfg);

	/* no default_domain: a bare local part is not a mailbox */
	assert_int_equal(ctl_config_load(&cfg, NULL, &err), 0);
	{
		char out[MG_ADDR_MAX + 1];
		assert_int_equal(ctl_config_mailbox(&cfg, "carol", out, sizeof(out), &err), -1);
		assert_non_null(strstr(err.msg, "default_domain"));
	}
	ctl_config_release(&cfg);

	/* a row we read is checked as policyd-quota checks it */
	write_file(dir, "bad.conf", "defer_period = forever\n");
	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	assert_int_equal(ctl_config_load(&cfg, path, &err), -1);
	assert_int_equal(err.kind, MG_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "bad.conf:1:"));
	write_file(dir, "bad.conf", "redis_server = host:99999\n");
	assert_int_equal(ctl_config_load(&cfg, path, &err), -1);
	assert_int_equal(ctl_exit_code(&err), CTL_EXIT_USAGE);
	write_file(dir, "bad.conf", "redis_prefix = a b\n");
	assert_int_equal(ctl_config_load(&cfg, path, &err), -1);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* test_defaults_agree - the defaults are policyd-quota's own */
static void
test_defaults_agree(void **state)
{
	struct ctl_config cfg;
	struct pq_config pq;
	struct mg_error err;

	(void)state;
	assert_int_equal(ctl_config_load(&cfg, NULL, &err), 0);
	assert_int_equal(pq_config_load(&pq, NULL, &err), 0);
	assert_string_equal(cfg.redis_prefix, pq.redis_prefix);
	assert_string_equal(cfg.recipient_delimiter, pq.recipient_delimiter);
	assert_string_equal(cfg.default_domain, pq.default_domain);
	assert_int_equal(cfg.defer_period_ms, pq.defer_period_ms);
	assert_int_equal(cfg.state_max_age_ms, pq.state_max_age_ms);
	assert_string_equal(cfg.redis.server, pq.redis.server);
	assert_int_equal(cfg.redis.command_timeout_ms, pq.redis.command_timeout_ms);
	pq_config_release(&pq);
	ctl_config_release(&cfg);
}

static void
test_exit_codes(void **state)
{
	struct mg_error err;

	(void)state;
	mg_error_set(&err, MG_ERR_REDIS_DOWN, "redis 127.0.0.1:1: connect");
	assert_int_equal(ctl_exit_code(&err), CTL_EXIT_REDIS);
	mg_error_set(&err, MG_ERR_REDIS_REPLY, "WRONGTYPE");
	assert_int_equal(ctl_exit_code(&err), CTL_EXIT_REDIS);
	mg_error_set(&err, MG_ERR_PARSE, "bad");
	assert_int_equal(ctl_exit_code(&err), CTL_EXIT_USAGE);
	mg_error_set(&err, MG_ERR_CONFIG, "f:1: bad");
	assert_int_equal(ctl_exit_code(&err), CTL_EXIT_USAGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_legacy),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_defaults_agree),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_reason_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
