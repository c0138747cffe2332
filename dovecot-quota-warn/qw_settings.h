/*
 * qw_settings.h - the plugin's settings, typed, read once per user
 *
 * Every quota_warn_* setting (plugin {} or a userdb extra field, which
 * overrides it for one user) is read once, when Dovecot creates the mail
 * user, into one struct kept in the user's module context: a flush reads
 * fields, never text.  Durations are kept in milliseconds (fields named
 * _ms) whatever unit the setting is written in.  An empty value is the
 * same as no value.  A value that does not parse or is out of range is
 * named once in the log when the user is created,
 *   quota_warn_x: bad value "..." (why); using default D
 * and the default is used.  Pure (no Dovecot headers): the values come
 * from a getter, so the table is unit-tested on its own.
 *
 *   setting                          written as               default
 *   quota_warn_redis                 host:port or /path       "" (needed, or:)
 *   quota_warn_redis_sentinels       host:port ...            ""
 *   quota_warn_redis_sentinel_master                          mailguard
 *   quota_warn_redis_sentinel_password, quota_warn_redis_password   ""
 *   quota_warn_redis_db              0..65535                 0
 *   quota_warn_redis_timeout         ms, or 250ms, 1s: 1ms..60s   100ms
 *   quota_warn_redis_prefix          see mg_keys_init()       mg:
 *   quota_warn_state_ttl             seconds, or 12h, 30d: >= 1s  30d
 *   quota_warn_recipient_delimiter                            +
 *   quota_warn_default_domain        a domain                 "" (none)
 *   quota_warn_thresholds            "90 100", "80,90,100"    90 100
 *   quota_warn_rearm                 percent, 0..100000       85
 *   quota_warn_resource              storage|messages|both    both
 *   quota_warn_language              fr|en                    fr
 *   quota_warn_from                  address     postmaster@<the user's domain>
 *   quota_warn_subject, quota_warn_body, quota_warn_full_subject,
 *   quota_warn_full_body             templates (qw_message.h) built in
 *   quota_warn_disable               yes|no (true, on, 1...)  no
 *   quota_warn_submission_host       host:port                unset: INBOX
 *   quota_warn_submission_timeout    seconds, or 1500ms: > 0  5s
 *   quota_warn_flush_delay           ms, or 2s                1000ms
 *   quota_warn_stats_host            <host> of K stats:dovecot-quota-warn:<host>
 *                                    (letters, digits . - _)  "" (the host name)
 */
#ifndef QW_SETTINGS_H
#define QW_SETTINGS_H

#include <stdbool.h>

#include "mg_keys.h"
#include "mg_text.h"
#include "qw_logic.h"

/* the value of one setting for this user, or NULL when it is not set;
 * the strings must outlive the settings (Dovecot: the user's pool) */
typedef const char *qw_setting_fn(void *ctx, const char *name);

struct qw_settings {
	/* Redis */
	const char *redis;
	const char *redis_password;
	long long redis_db;
	long long redis_timeout_ms;
	const char *redis_sentinels;
	const char *redis_sentinel_master;
	const char *redis_sentinel_password;
	struct mg_keys keys;                 /* quota_warn_redis_prefix */
	long long state_ttl_ms;
	const char *recipient_delimiter;
	const char *default_domain;          /* "": a bare user stays bare */
	/* warnings */
	struct qw_thresholds thresholds;
	unsigned rearm_pct;
	enum qw_resource resource;
	enum mg_lang lang;
	const char *from;                    /* NULL: postmaster@<domain> */
	const char *subject, *body;          /* NULL: the built-in text */
	const char *full_subject, *full_body;
	bool disable;
	/* how notices go, when changes are published */
	const char *submission_host;         /* NULL: into the INBOX */
	long long submission_timeout_ms;
	long long flush_delay_ms;
	/* counters */
	const char *stats_host;              /* "": the host name */
};

/* qw_settings_read - fill set from get(ctx, name) over the defaults; logs
 * each bad value once (mg_warnx) and returns how many there were */
int qw_settings_read(struct qw_settings *set, qw_setting_fn *get, void *ctx);

#endif
