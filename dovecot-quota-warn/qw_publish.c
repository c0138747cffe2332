/*
 * qw_publish.c - publish a mailbox's quota to Redis, then claim and send
 * its warnings (see qw_publish.h)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mg_addr.h"
#include "mg_keys.h"
#include "mg_log.h"
#include "mg_redis.h"
#include "qw_publish.h"

/* The one piece of process state: the Redis connection and what it was
 * made from (the connection reports its own outages), the count of
 * notices composed (it makes their Message-IDs unique) and the counters
 * not yet added to the stats hash. */
static struct qw_process {
	struct mg_redis *redis;
	char server[256], password[128];
	char sentinels[512], sentinel_master[128], sentinel_password[128];
	long long db, timeout_ms;
	int bad_settings_logged;
	unsigned long sent;
	unsigned long long pending[QW_COUNTS];
} qw_proc;

/* redis_for - the process's connection for these settings */
static struct mg_redis *
redis_for(const struct qw_settings *qs)
{
	long long db = qs->redis_db, timeout = qs->redis_timeout_ms;
	const char *server = qs->redis, *password = qs->redis_password;
	const char *sentinels = qs->redis_sentinels;
	const char *smaster = qs->redis_sentinel_master;
	const char *spassword = qs->redis_sentinel_password;
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
	char key[MG_KEY_MAX], warn[MG_KEY_MAX], chan[MG_KEY_MAX], stats[MG_KEY_MAX];
	char b[24], bl[24], m[24], ml[24], up[24], ttl[24];
	char n[QW_COUNTS][24];
	const char *hincrby[QW_COUNTS][4];
};

/* add_counts - one HINCRBY per counter that moved (this publication
 * counted in); how many commands were added after the first n */
static size_t
add_counts(struct publish_cmds *c, const char *const **argvs, int *argcs, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < QW_COUNTS; i++) {
		unsigned long long v = qw_proc.pending[i] + (i == QW_PUBLISHES);
		if (v == 0)
			continue;
		snprintf(c->n[i], sizeof(c->n[i]), "%llu", v);
		c->hincrby[i][0] = "HINCRBY";
		c->hincrby[i][1] = c->stats;
		c->hincrby[i][2] = qw_count_names[i];
		c->hincrby[i][3] = c->n[i];
		argvs[n + k] = c->hincrby[i];
		argcs[n + k] = 4;
		k++;
	}
	return k;
}

/* publish_args - the keys and the values of one publication */
static int
publish_args(const struct qw_reading *rd, char *mailbox, size_t mailboxsz,
	     struct publish_cmds *c, struct mg_error *err)
{
	const struct qw_settings *set = rd->set;
	char host[MG_KEYS_HOST_MAX];

	if (mg_keys_stats_host(set->stats_host, "quota_warn_stats_host", host,
			       sizeof(host), err) < 0 ||
	    mg_key_stats_host(&set->keys, "dovecot-quota-warn", host, c->stats,
			      sizeof(c->stats), err) < 0 ||
	    mg_addr_mailbox(rd->username, strlen(rd->username),
			    set->recipient_delimiter, set->default_domain,
			    mailbox, mailboxsz, err) < 0 ||
	    mg_key_quota(&set->keys, mailbox, c->key, sizeof(c->key), err) < 0 ||
	    mg_key_warn(&set->keys, mailbox, c->warn, sizeof(c->warn), err) < 0 ||
	    mg_key_quota_channel(&set->keys, c->chan, sizeof(c->chan), err) < 0)
		return -1;
	snprintf(c->b, sizeof(c->b), "%llu", (unsigned long long)rd->usage.bytes);
	snprintf(c->bl, sizeof(c->bl), "%llu", (unsigned long long)rd->usage.bytes_limit);
	snprintf(c->m, sizeof(c->m), "%llu", (unsigned long long)rd->usage.msgs);
	snprintf(c->ml, sizeof(c->ml), "%llu", (unsigned long long)rd->usage.msgs_limit);
	snprintf(c->up, sizeof(c->up), "%lld", (long long)time(NULL));
	snprintf(c->ttl, sizeof(c->ttl), "%lld", set->state_ttl_ms / 1000);
	return 0;
}

void
qw_publish_flush(const struct qw_reading *rd, qw_deliver_fn *deliver,
		 void *deliver_ctx)
{
	struct mg_error err;
	struct publish_cmds c;
	struct qw_warn_in in;
	char mailbox[MG_ADDR_MAX + 1];
	redisReply *replies[4 + QW_COUNTS];
	const char *hset[] = { "HSET", c.key, "bytes", c.b, "bytes_limit", c.bl,
			       "msgs", c.m, "msgs_limit", c.ml, "updated", c.up };
	const char *expire[] = { "EXPIRE", c.key, c.ttl };
	const char *publish[] = { "PUBLISH", c.chan, mailbox };
	const char *getwarn[] = { "HGETALL", c.warn };
	const char *const *argvs[4 + QW_COUNTS] = { hset, expire, publish, getwarn };
	int argcs[4 + QW_COUNTS] = { 12, 3, 3, 2 };
	size_t i, n;

	if (redis_for(rd->set) == NULL)
		return;
	if (publish_args(rd, mailbox, sizeof(mailbox), &c, &err) < 0) {
		mg_warnx("user %s: %s", rd->username, err.msg);
		return;
	}
	/* the counters ride along: no round trip of their own */
	n = 4 + add_counts(&c, argvs, argcs, 4);
	if (mg_redis_pipeline(qw_proc.redis, n, argcs, argvs, NULL, replies, &err) < 0) {
		qw_proc.pending[QW_PUBLISH_FAILURES]++;
		return;                 /* outages: mg_redis reports them */
	}
	memset(qw_proc.pending, 0, sizeof(qw_proc.pending));
	for (i = 0; i < 3; i++)
		if (replies[i]->type == REDIS_REPLY_ERROR)
			mg_warnx("publishing %s: %s", mailbox, replies[i]->str);
	for (i = 4; i < n; i++)
		freeReplyObject(replies[i]);
	memset(&in, 0, sizeof(in));
	in.redis = qw_proc.redis;
	in.set = rd->set;
	in.username = rd->username;
	in.mailbox = mailbox;
	in.warnkey = c.warn;
	in.usage = &rd->usage;
	in.claimed = qw_warn_claimed(replies[3], &rd->set->thresholds);
	in.sent = &qw_proc.sent;
	in.counts = qw_proc.pending;
	in.deliver = deliver;
	in.deliver_ctx = deliver_ctx;
	for (i = 0; i < 4; i++)
		freeReplyObject(replies[i]);
	if (qw_warn(&in, &err) < 0 && err.kind == MG_ERR_REDIS_REPLY)
		mg_warnx("claiming %s: %s", c.warn, err.msg);
	/* other errors are outages: mg_redis reports them */
}

void
qw_publish_deinit(void)
{
	mg_redis_free(&qw_proc.redis);
}
