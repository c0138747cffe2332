/*
 * test_qw_settings.c - the plugin's typed settings, as tables: defaults,
 * valid, invalid and boundary values, the bad-value log line, per-user
 * overrides
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mg_log.h"
#include "qw_settings.h"

/* ---- a getter over name/value pairs, in layers (global, then user) ---- */

struct env {
	const char *const *user;      /* NULL-terminated name, value pairs */
	const char *const *global;
};

static const char *
lookup(const char *const *kv, const char *name)
{
	for (; kv != NULL && kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

/* env_get - a userdb field overrides plugin {}, as in Dovecot */
static const char *
env_get(void *ctx, const char *name)
{
	const struct env *e = ctx;
	const char *v = lookup(e->user, name);

	return v != NULL ? v : lookup(e->global, name);
}

/* ---- the log ---- */

static struct {
	int lines;
	char last[512];
} logged;

static void
capture(void *ctx, enum mg_log_level level, const char *line)
{
	(void)ctx;
	if (level == MG_LOG_WARNING)
		logged.lines++;
	snprintf(logged.last, sizeof(logged.last), "%s", line);
}

static int
setup(void **state)
{
	(void)state;
	memset(&logged, 0, sizeof(logged));
	mg_log_set_backend(capture, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mg_log_set_backend(NULL, NULL);
	return 0;
}

/* read_one - the settings with one value set */
static int
read_one(struct qw_settings *set, const char *name, const char *value)
{
	const char *kv[] = { name, value, NULL };
	struct env e = { kv, NULL };

	logged.lines = 0;
	return qw_settings_read(set, env_get, &e);
}

/* ---- defaults ---- */

static void
test_defaults(void **state)
{
	struct qw_settings s;
	struct env e = { NULL, NULL };

	(void)state;
	assert_int_equal(qw_settings_read(&s, env_get, &e), 0);
	assert_int_equal(logged.lines, 0);
	assert_string_equal(s.redis, "");
	assert_string_equal(s.redis_password, "");
	assert_int_equal(s.redis_db, 0);
	assert_int_equal(s.redis_timeout_ms, 100);
	assert_string_equal(s.redis_sentinels, "");
	assert_string_equal(s.redis_sentinel_master, "mailguard");
	assert_string_equal(s.redis_sentinel_password, "");
	assert_string_equal(s.keys.base, "mg:v1:");
	assert_int_equal(s.state_ttl_ms, 30LL * 86400 * 1000);
	assert_string_equal(s.recipient_delimiter, "+");
	assert_string_equal(s.default_domain, "");
	assert_int_equal(s.thresholds.n, 2);
	assert_int_equal(s.thresholds.pct[0], 90);
	assert_int_equal(s.thresholds.pct[1], 100);
	assert_int_equal(s.rearm_pct, 85);
	assert_int_equal(s.resource, QW_RES_BOTH);
	assert_int_equal(s.lang, MG_LANG_FR);
	assert_null(s.from);
	assert_null(s.subject);
	assert_null(s.body);
	assert_null(s.full_subject);
	assert_null(s.full_body);
	assert_false(s.disable);
	assert_null(s.submission_host);
	assert_int_equal(s.submission_timeout_ms, 5000);
	assert_int_equal(s.flush_delay_ms, 1000);
}

/* ---- numbers and durations ---- */

enum nfield { DB, TIMEOUT, TTL, REARM, SUBMIT, FLUSH };

static long long
nfield(const struct qw_settings *s, enum nfield f)
{
	switch (f) {
	case DB: return s->redis_db;
	case TIMEOUT: return s->redis_timeout_ms;
	case TTL: return s->state_ttl_ms;
	case REARM: return s->rearm_pct;
	case SUBMIT: return s->submission_timeout_ms;
	case FLUSH: return s->flush_delay_ms;
	}
	return -1;
}

struct nrow {
	const char *name, *key, *value;
	int bad;
	enum nfield field;
	long long want;           /* the default when bad */
};

static void
test_numbers(void **state)
{
	static const struct nrow rows[] = {
		{ "db 3", "quota_warn_redis_db", "3", 0, DB, 3 },
		{ "db max", "quota_warn_redis_db", "65535", 0, DB, 65535 },
		{ "db over", "quota_warn_redis_db", "65536", 1, DB, 0 },
		{ "db negative", "quota_warn_redis_db", "-1", 1, DB, 0 },
		{ "db word", "quota_warn_redis_db", "one", 1, DB, 0 },
		{ "db trailing", "quota_warn_redis_db", "3x", 1, DB, 0 },
		{ "db empty: unset", "quota_warn_redis_db", "", 0, DB, 0 },
		{ "timeout bare is ms", "quota_warn_redis_timeout", "250", 0, TIMEOUT, 250 },
		{ "timeout 250ms", "quota_warn_redis_timeout", "250ms", 0, TIMEOUT, 250 },
		{ "timeout 1s", "quota_warn_redis_timeout", "1s", 0, TIMEOUT, 1000 },
		{ "timeout min", "quota_warn_redis_timeout", "1", 0, TIMEOUT, 1 },
		{ "timeout 0", "quota_warn_redis_timeout", "0", 1, TIMEOUT, 100 },
		{ "timeout max", "quota_warn_redis_timeout", "60s", 0, TIMEOUT, 60000 },
		{ "timeout over", "quota_warn_redis_timeout", "60001", 1, TIMEOUT, 100 },
		{ "timeout unit", "quota_warn_redis_timeout", "5 ms", 1, TIMEOUT, 100 },
		{ "timeout huge", "quota_warn_redis_timeout", "99999999999999999999999999",
		  1, TIMEOUT, 100 },
		{ "ttl bare is s", "quota_warn_state_ttl", "2592000", 0, TTL, 2592000000LL },
		{ "ttl 30d", "quota_warn_state_ttl", "30d", 0, TTL, 2592000000LL },
		{ "ttl 12h", "quota_warn_state_ttl", "12h", 0, TTL, 43200000 },
		{ "ttl min", "quota_warn_state_ttl", "1", 0, TTL, 1000 },
		{ "ttl 0", "quota_warn_state_ttl", "0", 1, TTL, 2592000000LL },
		{ "ttl 999ms", "quota_warn_state_ttl", "999ms", 1, TTL, 2592000000LL },
		{ "ttl 1y", "quota_warn_state_ttl", "1y", 1, TTL, 2592000000LL },
		{ "rearm 70", "quota_warn_rearm", "70", 0, REARM, 70 },
		{ "rearm 0", "quota_warn_rearm", "0", 0, REARM, 0 },
		{ "rearm max", "quota_warn_rearm", "100000", 0, REARM, 100000 },
		{ "rearm over", "quota_warn_rearm", "100001", 1, REARM, 85 },
		{ "rearm percent sign", "quota_warn_rearm", "80%", 1, REARM, 85 },
		{ "rearm sign", "quota_warn_rearm", "+80", 1, REARM, 85 },
		{ "submit bare is s", "quota_warn_submission_timeout", "10", 0, SUBMIT, 10000 },
		{ "submit 1500ms", "quota_warn_submission_timeout", "1500ms", 0, SUBMIT, 1500 },
		{ "submit 0", "quota_warn_submission_timeout", "0", 1, SUBMIT, 5000 },
		{ "submit word", "quota_warn_submission_timeout", "soon", 1, SUBMIT, 5000 },
		{ "flush bare is ms", "quota_warn_flush_delay", "250", 0, FLUSH, 250 },
		{ "flush 0", "quota_warn_flush_delay", "0", 0, FLUSH, 0 },
		{ "flush 2s", "quota_warn_flush_delay", "2s", 0, FLUSH, 2000 },
		{ "flush max", "quota_warn_flush_delay", "4294967295", 0, FLUSH, 4294967295LL },
		{ "flush over", "quota_warn_flush_delay", "4294967296", 1, FLUSH, 1000 },
		{ "flush negative", "quota_warn_flush_delay", "-1", 1, FLUSH, 1000 },
	};
	struct qw_settings s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct nrow *r = &rows[i];
		int bad = read_one(&s, r->key, r->value);

		if (bad != r->bad || logged.lines != r->bad ||
		    nfield(&s, r->field) != r->want)
			fail_msg("%s: bad %d, logged %d, value %lld (want %d, %lld)",
				 r->name, bad, logged.lines, nfield(&s, r->field),
				 r->bad, r->want);
	}
}

/* ---- words ---- */

struct wrow {
	const char *key, *value;
	int bad;
	int disable;
	enum qw_resource res;
	enum mg_lang lang;
};

static void
test_words(void **state)
{
	static const struct wrow rows[] = {
		{ "quota_warn_disable", "yes", 0, 1, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_disable", "true", 0, 1, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_disable", "1", 0, 1, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_disable", "YES", 0, 1, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_disable", "no", 0, 0, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_disable", "off", 0, 0, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_disable", "maybe", 1, 0, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_resource", "storage", 0, 0, QW_RES_STORAGE, MG_LANG_FR },
		{ "quota_warn_resource", "messages", 0, 0, QW_RES_MESSAGES, MG_LANG_FR },
		{ "quota_warn_resource", "both", 0, 0, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_resource", "bytes", 1, 0, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_resource", "Storage", 1, 0, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_language", "en", 0, 0, QW_RES_BOTH, MG_LANG_EN },
		{ "quota_warn_language", "fr", 0, 0, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_language", "de", 1, 0, QW_RES_BOTH, MG_LANG_FR },
		{ "quota_warn_language", "english", 1, 0, QW_RES_BOTH, MG_LANG_FR },
	};
	struct qw_settings s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct wrow *r = &rows[i];
		int bad = read_one(&s, r->key, r->value);

		if (bad != r->bad || logged.lines != r->bad ||
		    (int)s.disable != r->disable || s.resource != r->res ||
		    s.lang != r->lang)
			fail_msg("%s = %s: bad %d, disable %d, resource %d, lang %d",
				 r->key, r->value, bad, (int)s.disable,
				 (int)s.resource, (int)s.lang);
	}
}

/* ---- thresholds, prefix, strings ---- */

static void
test_thresholds(void **state)
{
	static const struct {
		const char *value;
		int bad;
		unsigned n, pct[3];
	} rows[] = {
		{ "90 100", 0, 2, { 90, 100, 0 } },
		{ "100,80, 90", 0, 3, { 80, 90, 100 } },
		{ "1", 0, 1, { 1, 0, 0 } },
		{ "95", 0, 1, { 95, 0, 0 } },
		{ "0", 1, 2, { 90, 100, 0 } },
		{ "101", 1, 2, { 90, 100, 0 } },
		{ "90 90", 1, 2, { 90, 100, 0 } },
		{ "90%", 1, 2, { 90, 100, 0 } },
		{ " , ", 1, 2, { 90, 100, 0 } },
		{ "1 2 3 4 5 6 7 8 9", 1, 2, { 90, 100, 0 } },
	};
	struct qw_settings s;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int bad = read_one(&s, "quota_warn_thresholds", rows[i].value);

		if (bad != rows[i].bad || logged.lines != rows[i].bad ||
		    s.thresholds.n != rows[i].n)
			fail_msg("\"%s\": bad %d, n %u", rows[i].value, bad, s.thresholds.n);
		for (k = 0; k < rows[i].n; k++)
			if (s.thresholds.pct[k] != rows[i].pct[k])
				fail_msg("\"%s\": pct[%zu] = %u", rows[i].value, k,
					 s.thresholds.pct[k]);
	}
}

static void
test_prefix(void **state)
{
	static const struct { const char *value; int bad; const char *base; } rows[] = {
		{ "tenant1:", 0, "tenant1:v1:" },
		{ "mg:", 0, "mg:v1:" },
		{ "a b", 1, "mg:v1:" },
		{ "x{y}", 1, "mg:v1:" },
		{ "12345678901234567890123456789012345678901234567890123456789012345",
		  1, "mg:v1:" },                                /* 65 characters */
	};
	struct qw_settings s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int bad = read_one(&s, "quota_warn_redis_prefix", rows[i].value);

		if (bad != rows[i].bad || strcmp(s.keys.base, rows[i].base) != 0)
			fail_msg("\"%s\": bad %d, base %s", rows[i].value, bad, s.keys.base);
	}
}

/* A text setting's rows: the value read, whether it is refused (named
 * once in the log), and the field's value then */
struct text_row { const char *name, *value; int bad; const char *want; };

/* check_text_rows - read each row's value into setting; field gives
 * the text the settings hold */
static void
check_text_rows(const char *setting, const struct text_row *rows, size_t n,
		const char *(*field)(const struct qw_settings *))
{
	struct qw_settings s;
	size_t i;

	for (i = 0; i < n; i++) {
		int bad = read_one(&s, setting, rows[i].value);

		if (bad != rows[i].bad || logged.lines != rows[i].bad ||
		    strcmp(field(&s), rows[i].want) != 0)
			fail_msg("%s: %s: bad %d, logged %d, value \"%s\"", setting,
				 rows[i].name, bad, logged.lines, field(&s));
	}
}

static const char *
default_domain_of(const struct qw_settings *s)
{
	return s->default_domain;
}

static const char *
stats_host_of(const struct qw_settings *s)
{
	return s->stats_host;
}

/* quota_warn_default_domain: a domain, or the default (none) */
static void
test_default_domain(void **state)
{
	static const struct text_row rows[] = {
		{ "a domain", "example.org", 0, "example.org" },
		{ "case kept here (lowercased in the key)", "AC-Besancon.fr", 0, "AC-Besancon.fr" },
		{ "empty: none", "", 0, "" },
		{ "an address is refused", "postmaster@example.org", 1, "" },
		{ "a leading @ is refused", "@example.org", 1, "" },
		{ "blanks are refused", "example org", 1, "" },
	};

	(void)state;
	check_text_rows("quota_warn_default_domain", rows, sizeof(rows) / sizeof(rows[0]),
			default_domain_of);
}

/* quota_warn_stats_host: a host name for the stats hash, or empty */
static void
test_stats_host(void **state)
{
	static const struct text_row rows[] = {
		{ "a host name", "mx1.example.org", 0, "mx1.example.org" },
		{ "digits, dash, underscore", "imap-2_b", 0, "imap-2_b" },
		{ "empty: the host name at use", "", 0, "" },
		{ "a colon would split the key", "mx1:a", 1, "" },
		{ "blanks are refused", "mx 1", 1, "" },
		{ "braces are refused", "{mx1}", 1, "" },
	};

	(void)state;
	check_text_rows("quota_warn_stats_host", rows, sizeof(rows) / sizeof(rows[0]),
			stats_host_of);
}

static void
test_strings(void **state)
{
	static const char *const kv[] = {
		"quota_warn_redis", "/run/redis.sock",
		"quota_warn_redis_sentinels", "10.0.0.1:26379 10.0.0.2:26379",
		"quota_warn_redis_sentinel_master", "",          /* empty: unset */
		"quota_warn_recipient_delimiter", "+-",
		"quota_warn_default_domain", "Example.ORG",
		"quota_warn_from", "quota@example.org",
		"quota_warn_full_subject", "Full: %{percent}%%",
		"quota_warn_submission_host", "127.0.0.1:10026",
		NULL,
	};
	struct env e = { kv, NULL };
	struct qw_settings s;

	(void)state;
	assert_int_equal(qw_settings_read(&s, env_get, &e), 0);
	assert_string_equal(s.redis, "/run/redis.sock");
	assert_string_equal(s.redis_sentinels, "10.0.0.1:26379 10.0.0.2:26379");
	assert_string_equal(s.redis_sentinel_master, "mailguard");
	assert_string_equal(s.recipient_delimiter, "+-");
	assert_string_equal(s.default_domain, "Example.ORG");
	assert_string_equal(s.from, "quota@example.org");
	assert_string_equal(s.full_subject, "Full: %{percent}%%");
	assert_null(s.subject);
	assert_string_equal(s.submission_host, "127.0.0.1:10026");
	assert_int_equal(logged.lines, 0);
}

/* ---- the log line ---- */

static void
test_bad_value_logged_once(void **state)
{
	static const char *const kv[] = {
		"quota_warn_rearm", "abc",
		"quota_warn_redis_timeout", "0",
		"quota_warn_language", "de\nX-Injected: 1",
		"quota_warn_thresholds", "90 90",
		NULL,
	};
	struct env e = { kv, NULL };
	struct qw_settings s;

	(void)state;
	assert_int_equal(read_one(&s, "quota_warn_rearm", "abc"), 1);
	assert_string_equal(logged.last,
	    "quota_warn_rearm: bad value \"abc\" (not a number); using default 85");
	assert_int_equal(read_one(&s, "quota_warn_redis_timeout", "0"), 1);
	assert_string_equal(logged.last, "quota_warn_redis_timeout: bad value \"0\" "
			    "(below the minimum 1 ms); using default 100ms");
	assert_int_equal(read_one(&s, "quota_warn_thresholds", "90 90"), 1);
	assert_string_equal(logged.last, "quota_warn_thresholds: bad value \"90 90\" "
			    "(90 given twice); using default 90 100");
	/* untrusted text is sanitised: no line break reaches the log */
	assert_int_equal(read_one(&s, "quota_warn_language", "de\nX-Injected: 1"), 1);
	assert_string_equal(logged.last, "quota_warn_language: bad value "
			    "\"de X-Injected: 1\" (not fr or en); using default fr");
	/* four bad values: four lines, one each */
	logged.lines = 0;
	assert_int_equal(qw_settings_read(&s, env_get, &e), 4);
	assert_int_equal(logged.lines, 4);
}

/* ---- per-user overrides ---- */

static void
test_per_user(void **state)
{
	static const char *const global[] = {
		"quota_warn_redis", "127.0.0.1:6379",
		"quota_warn_thresholds", "80 100",
		"quota_warn_language", "en",
		"quota_warn_flush_delay", "500",
		NULL,
	};
	static const char *const alice[] = {
		"quota_warn_thresholds", "95",
		"quota_warn_disable", "yes",
		"quota_warn_submission_host", "127.0.0.1:10026",
		NULL,
	};
	static const char *const bob[] = {
		"quota_warn_language", "fr",
		"quota_warn_rearm", "bad",                     /* his own bad value */
		NULL,
	};
	struct env ea = { alice, global }, eb = { bob, global };
	struct qw_settings a, b;

	(void)state;
	assert_int_equal(qw_settings_read(&a, env_get, &ea), 0);
	assert_int_equal(qw_settings_read(&b, env_get, &eb), 1);
	/* alice: her thresholds and opt-out, the global rest */
	assert_int_equal(a.thresholds.n, 1);
	assert_int_equal(a.thresholds.pct[0], 95);
	assert_true(a.disable);
	assert_string_equal(a.submission_host, "127.0.0.1:10026");
	assert_int_equal(a.lang, MG_LANG_EN);
	assert_int_equal(a.flush_delay_ms, 500);
	assert_int_equal(a.rearm_pct, 85);
	/* bob: his language, the global thresholds, the default re-arm;
	 * reading him left alice's settings alone */
	assert_int_equal(b.thresholds.n, 2);
	assert_int_equal(b.thresholds.pct[0], 80);
	assert_false(b.disable);
	assert_null(b.submission_host);
	assert_int_equal(b.lang, MG_LANG_FR);
	assert_int_equal(b.rearm_pct, 85);
	assert_string_equal(b.redis, "127.0.0.1:6379");
	assert_int_equal(a.thresholds.pct[0], 95);
	assert_int_equal(a.lang, MG_LANG_EN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thresholds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_value_logged_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_user, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
