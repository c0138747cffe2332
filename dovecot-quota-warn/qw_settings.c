/*
 * qw_settings.c - the plugin's settings as one typed table (see qw_settings.h)
 *
 * Each row names a setting, how its text converts (kind), its default
 * text and the field it fills.  The default is converted first, then the
 * user's value over it; a conversion writes its field only on success, so
 * a bad value leaves the default in place.  Durations are parsed by
 * common/'s mg_config_parse_duration(), except that a bare number is
 * milliseconds for the settings that were always written so (K_MS).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mg_config.h"
#include "mg_addr.h"
#include "mg_log.h"
#include "qw_settings.h"

enum kind {
	K_STR,          /* const char *, NULL default: unset */
	K_DOMAIN,       /* const char *, a domain (mg_addr_domain_check) */
	K_NUM,          /* long long, a plain number */
	K_PCT,          /* unsigned, a plain number */
	K_MS,           /* long long ms; a bare number is milliseconds */
	K_SEC,          /* long long ms; a bare number is seconds */
	K_BOOL,
	K_THRESHOLDS,
	K_RESOURCE,
	K_LANG,
	K_PREFIX,       /* struct mg_keys */
	K_HOST,         /* const char *, "" or a host name (mg_keys_stats_host) */
};

struct row {
	const char *name;
	enum kind kind;
	const char *def;          /* converted like a value; NULL: unset */
	size_t off;               /* offsetof(struct qw_settings, field) */
	long long min, max;       /* numbers: bounds, in the field's unit */
};

#define F(field) offsetof(struct qw_settings, field)
#define DAY_MS (86400LL * 1000)

static const struct row rows[] = {
	{ "quota_warn_redis", K_STR, "", F(redis), 0, 0 },
	{ "quota_warn_redis_password", K_STR, "", F(redis_password), 0, 0 },
	{ "quota_warn_redis_db", K_NUM, "0", F(redis_db), 0, 65535 },
	{ "quota_warn_redis_timeout", K_MS, "100ms", F(redis_timeout_ms), 1, 60000 },
	{ "quota_warn_redis_sentinels", K_STR, "", F(redis_sentinels), 0, 0 },
	{ "quota_warn_redis_sentinel_master", K_STR, "mailguard",
	  F(redis_sentinel_master), 0, 0 },
	{ "quota_warn_redis_sentinel_password", K_STR, "",
	  F(redis_sentinel_password), 0, 0 },
	{ "quota_warn_redis_prefix", K_PREFIX, MG_KEYS_PREFIX_DEFAULT, F(keys), 0, 0 },
	{ "quota_warn_state_ttl", K_SEC, "30d", F(state_ttl_ms), 1000, LLONG_MAX },
	{ "quota_warn_recipient_delimiter", K_STR, "+", F(recipient_delimiter), 0, 0 },
	{ "quota_warn_default_domain", K_DOMAIN, "", F(default_domain), 0, 0 },
	{ "quota_warn_thresholds", K_THRESHOLDS, "90 100", F(thresholds), 0, 0 },
	{ "quota_warn_rearm", K_PCT, "85", F(rearm_pct), 0, 100000 },
	{ "quota_warn_resource", K_RESOURCE, "both", F(resource), 0, 0 },
	{ "quota_warn_language", K_LANG, "fr", F(lang), 0, 0 },
	{ "quota_warn_from", K_STR, NULL, F(from), 0, 0 },
	{ "quota_warn_subject", K_STR, NULL, F(subject), 0, 0 },
	{ "quota_warn_body", K_STR, NULL, F(body), 0, 0 },
	{ "quota_warn_full_subject", K_STR, NULL, F(full_subject), 0, 0 },
	{ "quota_warn_full_body", K_STR, NULL, F(full_body), 0, 0 },
	{ "quota_warn_disable", K_BOOL, "no", F(disable), 0, 0 },
	{ "quota_warn_submission_host", K_STR, NULL, F(submission_host), 0, 0 },
	{ "quota_warn_submission_timeout", K_SEC, "5s", F(submission_timeout_ms),
	  1, UINT_MAX * 1000LL },
	{ "quota_warn_flush_delay", K_MS, "1000ms", F(flush_delay_ms), 0, UINT_MAX },
	{ "quota_warn_stats_host", K_HOST, "", F(stats_host), 0, 0 },
};

#define FIELD(set, row, type) ((type *)(void *)((char *)(set) + (row)->off))

/* parse_plain - a decimal number, digits only */
static int
parse_plain(const char *s, long long *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > LLONG_MAX)
		return -1;
	*out = (long long)v;
	return 0;
}

/* parse_ms - a duration; a bare number is milliseconds */
static int
parse_ms(const char *s, long long *out_ms)
{
	char buf[32];
	size_t len = strlen(s);

	if (len > 0 && strspn(s, "0123456789") == len) {
		if (len + 3 > sizeof(buf))
			return -1;
		memcpy(buf, s, len);
		memcpy(buf + len, "ms", 3);
		s = buf;
	}
	return mg_config_parse_duration(s, out_ms);
}

/* convert_number - the numeric kinds, bounds checked */
static int
convert_number(const struct row *r, const char *s, struct qw_settings *set,
	       struct mg_error *err)
{
	long long v;

	switch (r->kind) {
	case K_MS:
		if (parse_ms(s, &v) < 0)
			return mg_error_set(err, MG_ERR_CONFIG,
			    "not milliseconds or a duration such as 250ms, 2s");
		break;
	case K_SEC:
		if (mg_config_parse_duration(s, &v) < 0)
			return mg_error_set(err, MG_ERR_CONFIG,
			    "not seconds or a duration such as 1500ms, 30s, 5m, 2h, 30d");
		break;
	default:
		if (parse_plain(s, &v) < 0)
			return mg_error_set(err, MG_ERR_CONFIG, "not a number");
		break;
	}
	if (v < r->min || v > r->max)
		return mg_error_set(err, MG_ERR_CONFIG, "%s %lld%s",
				    v < r->min ? "below the minimum" : "above the maximum",
				    v < r->min ? r->min : r->max,
				    r->kind == K_MS || r->kind == K_SEC ? " ms" : "");
	if (r->kind == K_PCT)
		*FIELD(set, r, unsigned) = (unsigned)v;
	else
		*FIELD(set, r, long long) = v;
	return 0;
}

/* convert_word - the kinds named by a word */
static int
convert_word(const struct row *r, const char *s, struct qw_settings *set,
	     struct mg_error *err)
{
	const struct mg_cfg_enum *e;
	enum qw_resource res;
	bool b;

	switch (r->kind) {
	case K_BOOL:
		if (mg_config_parse_bool(s, &b) < 0)
			return mg_error_set(err, MG_ERR_CONFIG, "not yes or no");
		*FIELD(set, r, bool) = b;
		return 0;
	case K_RESOURCE:
		if (qw_parse_resource(s, &res) < 0)
			return mg_error_set(err, MG_ERR_CONFIG,
					    "not storage, messages or both");
		*FIELD(set, r, enum qw_resource) = res;
		return 0;
	default:                        /* K_LANG */
		for (e = mg_lang_enums; e->name != NULL; e++)
			if (strcmp(s, e->name) == 0) {
				*FIELD(set, r, enum mg_lang) = (enum mg_lang)e->value;
				return 0;
			}
		return mg_error_set(err, MG_ERR_CONFIG, "not fr or en");
	}
}

/* convert - s into the row's field; the field is left alone on error */
static int
convert(const struct row *r, const char *s, struct qw_settings *set,
	struct mg_error *err)
{
	struct qw_thresholds t;

	switch (r->kind) {
	case K_DOMAIN:
		if (mg_addr_domain_check(s, err) < 0)
			return -1;
		/* fall through */
	case K_STR:
		*FIELD(set, r, const char *) = s;
		return 0;
	case K_NUM: case K_PCT: case K_MS: case K_SEC:
		return convert_number(r, s, set, err);
	case K_BOOL: case K_RESOURCE: case K_LANG:
		return convert_word(r, s, set, err);
	case K_THRESHOLDS:
		if (qw_parse_thresholds(s, &t, err) < 0)
			return -1;
		*FIELD(set, r, struct qw_thresholds) = t;
		return 0;
	case K_PREFIX:
		return mg_keys_init(FIELD(set, r, struct mg_keys), s, err);
	case K_HOST: {
		char host[MG_KEYS_HOST_MAX];
		if (s[0] != '\0' &&
		    mg_keys_stats_host(s, r->name, host, sizeof(host), err) < 0)
			return -1;
		*FIELD(set, r, const char *) = s;
		return 0;
	}
	}
	return mg_error_set(err, MG_ERR_INTERNAL, "kind %d", (int)r->kind);
}

int
qw_settings_read(struct qw_settings *set, qw_setting_fn *get, void *ctx)
{
	struct mg_error err;
	char shown[80];
	const char *v;
	size_t i;
	int bad = 0;

	memset(set, 0, sizeof(*set));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		/* the defaults are unit-tested: they always convert */
		if (r->def != NULL)
			(void)convert(r, r->def, set, &err);
		v = get(ctx, r->name);
		if (v == NULL || *v == '\0' || convert(r, v, set, &err) == 0)
			continue;
		(void)mg_sanitize(shown, sizeof(shown), v, strlen(v), 64);
		mg_warnx("%s: bad value \"%s\" (%s); using default %s",
			 r->name, shown, err.msg, r->def != NULL ? r->def : "(unset)");
		bad++;
	}
	return bad;
}
