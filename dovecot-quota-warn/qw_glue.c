/*
 * qw_glue.c - publish, decide, claim, compose (see qw_glue.h)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mg_addr.h"
#include "mg_keys.h"
#include "mg_log.h"
#include "mg_redis.h"
#include "qw_glue.h"
#include "qw_message.h"

/* The one piece of process state: the Redis connection and what it was
 * made from (the connection reports its own outages). */
static struct qw_process {
	struct mg_redis *redis;
	char server[256], password[128];
	char sentinels[512], sentinel_master[128], sentinel_password[128];
	long long db, timeout_ms;
	int bad_settings_logged;
	unsigned long sent;
} qw_proc;

static const char *
get(const struct qw_reading *rd, const char *name, const char *def)
{
	const char *v = rd->setting(rd->setting_ctx, name);

	return v != NULL && *v != '\0' ? v : def;
}

static long long
get_num(const struct qw_reading *rd, const char *name, long long def)
{
	const char *v = get(rd, name, NULL);
	char *end;
	long long n;

	if (v == NULL)
		return def;
	n = strtoll(v, &end, 10);
	return *end == '\0' && n >= 0 ? n : def;
}

/* redis_for - the process's connection for these settings */
static struct mg_redis *
redis_for(const struct qw_reading *rd)
{
	const char *server = get(rd, "quota_warn_redis", "");
	const char *password = get(rd, "quota_warn_redis_password", "");
	const char *sentinels = get(rd, "quota_warn_redis_sentinels", "");
	const char *smaster = get(rd, "quota_warn_redis_sentinel_master", "mailguard");
	const char *spassword = get(rd, "quota_warn_redis_sentinel_password", "");
	long long db = get_num(rd, "quota_warn_redis_db", 0);
	long long timeout = get_num(rd, "quota_warn_redis_timeout", 100);
	struct mg_redis_settings set;
	struct mg_error err;

	if (qw_proc.redis != NULL && strcmp(server, qw_proc.server) == 0 &&
	    strcmp(password, qw_proc.password) == 0 && db == qw_proc.db &&
	    timeout == qw_proc.timeout_ms && strcmp(sentinels, qw_proc.sentinels) == 0 &&
	    strcmp(smaster, qw_proc.sentinel_master) == 0 &&
	    strcmp(spassword, qw_proc.sentinel_password) == 0)
		return qw_proc.redis;
	mg_redis_free(&qw_proc.redis);
	snprintf(qw_proc.server, sizeof(qw_proc.server), "%s", server);
	snprintf(qw_proc.password, sizeof(qw_proc.password), "%s", password);
	snprintf(qw_proc.sentinels, sizeof(qw_proc.sentinels), "%s", sentinels);
	snprintf(qw_proc.sentinel_master, sizeof(qw_proc.sentinel_master), "%s", smaster);
	snprintf(qw_proc.sentinel_password, sizeof(qw_proc.sentinel_password), "%s", spassword);
	qw_proc.db = db;
	qw_proc.timeout_ms = timeout;
	memset(&set, 0, sizeof(set));
	set.server = qw_proc.server;
	set.user = "";
	set.password = qw_proc.password;
	set.db = db;
	set.sentinels = qw_proc.sentinels;
	set.sentinel_master = qw_proc.sentinel_master;
	set.sentinel_password = qw_proc.sentinel_password;
	set.connect_timeout_ms = timeout;
	set.command_timeout_ms = timeout;
	/* short: a process in backoff does not publish, and every attempt
	 * costs at most one timeout */
	set.backoff_min_ms = 200;
	set.backoff_max_ms = 2000;
	if (mg_redis_settings_check(&set, &err) < 0) {
		/* quota_warn_redis unset or wrong: say so once, publish nothing */
		if (!qw_proc.bad_settings_logged)
			mg_warnx("quota state is not published: %s (quota_warn_redis or "
				 "quota_warn_redis_sentinels)", err.msg);
		qw_proc.bad_settings_logged = 1;
		return NULL;
	}
	qw_proc.redis = mg_redis_new(&set);
	if (qw_proc.redis != NULL)
		mg_redis_set_outage_text(qw_proc.redis, "quota state not published");
	return qw_proc.redis;
}

struct publish_cmds {
	char key[MG_KEY_MAX], warn[MG_KEY_MAX], chan[MG_KEY_MAX];
	char b[24], bl[24], m[24], ml[24], up[24], ttl[24];
};

/* claimed_mask - which thresholds the warn hash already holds */
static unsigned
claimed_mask(const redisReply *r, const struct qw_thresholds *t)
{
	unsigned mask = 0, i;
	size_t k;

	if (r == NULL || r->type != REDIS_REPLY_ARRAY)
		return 0;
	for (k = 0; k + 1 < r->elements; k += 2)
		for (i = 0; i < t->n; i++)
			if (r->element[k]->type == REDIS_REPLY_STRING &&
			    (unsigned)atoi(r->element[k]->str) == t->pct[i])
				mask |= 1u << i;
	return mask;
}

static void
warn(const struct qw_reading *rd, const char *mailbox, const char *warnkey,
     unsigned claimed, qw_deliver_fn *deliver, void *deliver_ctx)
{
	struct qw_thresholds t;
	enum qw_resource res = QW_RES_BOTH;
	struct qw_action a;
	struct mg_error err;
	unsigned percent, i, rearm = (unsigned)get_num(rd, "quota_warn_rearm", 85);
	char field[16], now[24];
	const char *lang = get(rd, "quota_warn_language", "fr");

	if (qw_parse_thresholds(get(rd, "quota_warn_thresholds", "90 100"), &t, &err) < 0 ||
	    qw_parse_resource(get(rd, "quota_warn_resource", "both"), &res) < 0) {
		if (!qw_proc.bad_settings_logged)
			mg_warnx("bad setting, no warnings sent: %s", err.msg);
		qw_proc.bad_settings_logged = 1;
		return;
	}
	percent = qw_usage_percent(&rd->usage, res);
	a = qw_decide(&t, rearm, percent, claimed);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	for (i = 0; i < t.n; i++) {
		snprintf(field, sizeof(field), "%u", t.pct[i]);
		if (a.release_mask & (1u << i))
			(void)mg_redis_command(qw_proc.redis, NULL, &err, "HDEL %s %s",
					       warnkey, field);
	}
	for (i = 0; i < t.n; i++) {
		redisReply *r = NULL;
		int won;

		if (!(a.claim_mask & (1u << i)))
			continue;
		snprintf(field, sizeof(field), "%u", t.pct[i]);
		if (mg_redis_command(qw_proc.redis, &r, &err, "HSETNX %s %s %s",
				     warnkey, field, now) < 0) {
			if (err.kind == MG_ERR_REDIS_REPLY)
				mg_warnx("claiming %s: %s", warnkey, err.msg);
			return;             /* outages: mg_redis reports them */
		}
		won = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
		freeReplyObject(r);
		if (won && t.pct[i] == a.notify_pct &&
		    strcmp(get(rd, "quota_warn_disable", "no"), "yes") != 0) {
			struct qw_message_in in;
			char from[MG_ADDR_MAX + 16], msg[16384];
			const char *domain = mg_addr_domain(mailbox), *error = "", *via = "";
			struct mg_kv kv;
			int n;

			memset(&in, 0, sizeof(in));
			in.lang = strcmp(lang, "en") == 0 ? MG_LANG_EN : MG_LANG_FR;
			snprintf(from, sizeof(from), "postmaster@%s", domain ? domain : "localhost");
			in.from = get(rd, "quota_warn_from", from);
			in.to = rd->username;
			in.subject_tmpl = get(rd, t.pct[i] >= 100 ? "quota_warn_full_subject"
						 : "quota_warn_subject", NULL);
			in.body_tmpl = get(rd, t.pct[i] >= 100 ? "quota_warn_full_body"
					      : "quota_warn_body", NULL);
			in.threshold = t.pct[i];
			in.percent = percent;
			in.used_bytes = rd->usage.bytes;
			in.limit_bytes = rd->usage.bytes_limit;
			in.now = time(NULL);
			in.msgid_domain = domain ? domain : "localhost";
			in.unique = ++qw_proc.sent;
			mg_kv_init(&kv);
			mg_kv_add(&kv, "action", "warn");
			mg_kv_add(&kv, "user", rd->username);
			mg_kv_addf(&kv, "threshold", "%u", t.pct[i]);
			mg_kv_addf(&kv, "percent", "%u", percent);
			mg_kv_addf(&kv, "bytes", "%llu", (unsigned long long)rd->usage.bytes);
			mg_kv_addf(&kv, "bytes_limit", "%llu", (unsigned long long)rd->usage.bytes_limit);
			if ((n = qw_message_build(&in, msg, sizeof(msg), &err)) < 0 ||
			    deliver(deliver_ctx, t.pct[i], msg, (size_t)n, &via, &error) < 0) {
				/* give the claim back: the next flush tries again */
				(void)mg_redis_command(qw_proc.redis, NULL, &err,
						       "HDEL %s %s", warnkey, field);
				mg_kv_add(&kv, "error", n < 0 ? err.msg : error);
				mg_log_kv(MG_LOG_ERROR, &kv);
				continue;
			}
			mg_kv_add(&kv, "via", via);
			mg_log_kv(MG_LOG_INFO, &kv);
		}
	}
}

int
qw_glue_near_limit(const struct qw_reading *rd)
{
	struct qw_thresholds t;

	if (qw_parse_thresholds(get(rd, "quota_warn_thresholds", "90 100"), &t, NULL) < 0)
		return 1;               /* bad setting: take the exact path */
	return qw_near_limit(&t, (unsigned)get_num(rd, "quota_warn_rearm", 85), &rd->usage);
}

void
qw_glue_flush(const struct qw_reading *rd, qw_deliver_fn *deliver,
	      void *deliver_ctx)
{
	struct mg_keys keys;
	struct mg_error err;
	struct publish_cmds c;
	char mailbox[MG_ADDR_MAX + 1];
	redisReply *replies[4];
	const char *hset[] = { "HSET", c.key, "bytes", c.b, "bytes_limit", c.bl,
			       "msgs", c.m, "msgs_limit", c.ml, "updated", c.up };
	const char *expire[] = { "EXPIRE", c.key, c.ttl };
	const char *publish[] = { "PUBLISH", c.chan, mailbox };
	const char *getwarn[] = { "HGETALL", c.warn };
	const char *const *argvs[] = { hset, expire, publish, getwarn };
	int argcs[] = { 12, 3, 3, 2 };
	unsigned claimed;
	size_t i;

	if (rd->probe && !qw_glue_near_limit(rd))
		return;
	if (redis_for(rd) == NULL)
		return;
	if (mg_keys_init(&keys, get(rd, "quota_warn_redis_prefix", MG_KEYS_PREFIX_DEFAULT),
			 &err) < 0 ||
	    mg_addr_normalize(rd->username, strlen(rd->username),
			      get(rd, "quota_warn_recipient_delimiter", "+"),
			      mailbox, sizeof(mailbox), &err) < 0 ||
	    mg_key_quota(&keys, mailbox, c.key, sizeof(c.key), &err) < 0 ||
	    mg_key_warn(&keys, mailbox, c.warn, sizeof(c.warn), &err) < 0 ||
	    mg_key_quota_channel(&keys, c.chan, sizeof(c.chan), &err) < 0) {
		mg_warnx("user %s: %s", rd->username, err.msg);
		return;
	}
	snprintf(c.b, sizeof(c.b), "%llu", (unsigned long long)rd->usage.bytes);
	snprintf(c.bl, sizeof(c.bl), "%llu", (unsigned long long)rd->usage.bytes_limit);
	snprintf(c.m, sizeof(c.m), "%llu", (unsigned long long)rd->usage.msgs);
	snprintf(c.ml, sizeof(c.ml), "%llu", (unsigned long long)rd->usage.msgs_limit);
	snprintf(c.up, sizeof(c.up), "%lld", (long long)time(NULL));
	snprintf(c.ttl, sizeof(c.ttl), "%lld",
		 get_num(rd, "quota_warn_state_ttl", 30LL * 86400));
	if (mg_redis_pipeline(qw_proc.redis, 4, argcs, argvs, NULL, replies, &err) < 0)
		return;                 /* outages: mg_redis reports them */
	claimed = 0;
	for (i = 0; i < 3; i++)
		if (replies[i]->type == REDIS_REPLY_ERROR)
			mg_warnx("publishing %s: %s", mailbox, replies[i]->str);
	{
		struct qw_thresholds t;
		if (qw_parse_thresholds(get(rd, "quota_warn_thresholds", "90 100"), &t, NULL) == 0)
			claimed = claimed_mask(replies[3], &t);
	}
	for (i = 0; i < 4; i++)
		freeReplyObject(replies[i]);
	warn(rd, mailbox, c.warn, claimed, deliver, deliver_ctx);
}

void
qw_glue_deinit(void)
{
	mg_redis_free(&qw_proc.redis);
}
