/*
 * qw_warn.c - claim, compose, deliver (see qw_warn.h)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mg_addr.h"
#include "mg_log.h"
#include "qw_message.h"
#include "qw_warn.h"

/* the hash fields of the counters (K stats:dovecot-quota-warn:<host>) */
const char *const qw_count_names[QW_COUNTS] = {
	[QW_PUBLISHES] = "publishes",
	[QW_PUBLISH_FAILURES] = "publish_failures",
	[QW_WARNINGS_SENT] = "warnings_sent",
	[QW_WARNINGS_FAILED] = "warnings_failed",
};

#define QW_NOTICE_MAX 16384

unsigned
qw_warn_claimed(const redisReply *r, const struct qw_thresholds *t)
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

/* release - give back a threshold's claim (a failure only delays it) */
static void
release(const struct qw_warn_in *in, unsigned pct)
{
	struct mg_error err;
	char field[16];

	snprintf(field, sizeof(field), "%u", pct);
	(void)mg_redis_command(in->redis, NULL, &err, "HDEL %s %s", in->warnkey, field);
}

/* claim - HSETNX of the threshold; 1 this process won it, 0 another one
 * holds it, -1 Redis failed */
static int
claim(const struct qw_warn_in *in, unsigned pct, const char *now,
      struct mg_error *err)
{
	redisReply *r = NULL;
	char field[16];
	int won;

	snprintf(field, sizeof(field), "%u", pct);
	if (mg_redis_command(in->redis, &r, err, "HSETNX %s %s %s",
			     in->warnkey, field, now) < 0)
		return -1;
	won = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
	freeReplyObject(r);
	return won;
}

/* compose - the notice of threshold pct in the user's language and
 * templates (qw_message); its length, or -1 */
static int
compose(const struct qw_warn_in *in, unsigned pct, unsigned percent,
	char *msg, size_t msgsz, struct mg_error *err)
{
	const struct qw_settings *set = in->set;
	const char *domain = mg_addr_domain(in->mailbox);
	char from[MG_ADDR_MAX + 16];
	struct qw_message_in m;

	memset(&m, 0, sizeof(m));
	m.lang = set->lang;
	snprintf(from, sizeof(from), "postmaster@%s", domain ? domain : "localhost");
	m.from = set->from != NULL ? set->from : from;
	/* a user without domain: the mailbox, with quota_warn_default_domain */
	m.to = strchr(in->username, '@') != NULL ? in->username : in->mailbox;
	m.subject_tmpl = pct >= 100 ? set->full_subject : set->subject;
	m.body_tmpl = pct >= 100 ? set->full_body : set->body;
	m.threshold = pct;
	m.percent = percent;
	m.used_bytes = in->usage->bytes;
	m.limit_bytes = in->usage->bytes_limit;
	m.now = time(NULL);
	m.msgid_domain = domain ? domain : "localhost";
	m.unique = ++*in->sent;
	return qw_message_build(&m, msg, msgsz, err);
}

/* notify - compose and deliver the notice of a threshold just claimed;
 * on failure the claim is given back (the next flush tries again) */
static void
notify(const struct qw_warn_in *in, unsigned pct, unsigned percent)
{
	char msg[QW_NOTICE_MAX];
	const char *error = "", *via = "";
	struct mg_error err;
	struct mg_kv kv;
	int n;

	mg_kv_init(&kv);
	mg_kv_add(&kv, "action", "warn");
	mg_kv_add(&kv, "user", in->username);
	mg_kv_addf(&kv, "threshold", "%u", pct);
	mg_kv_addf(&kv, "percent", "%u", percent);
	mg_kv_addf(&kv, "bytes", "%llu", (unsigned long long)in->usage->bytes);
	mg_kv_addf(&kv, "bytes_limit", "%llu", (unsigned long long)in->usage->bytes_limit);
	if ((n = compose(in, pct, percent, msg, sizeof(msg), &err)) < 0 ||
	    in->deliver(in->deliver_ctx, pct, msg, (size_t)n, &via, &error) < 0) {
		release(in, pct);
		mg_kv_add(&kv, "status", "failed");
		mg_kv_add(&kv, "detail", n < 0 ? err.msg : error);
		mg_log_kv(MG_LOG_ERROR, &kv);
		if (in->counts != NULL)
			in->counts[QW_WARNINGS_FAILED]++;
		return;
	}
	if (in->counts != NULL)
		in->counts[QW_WARNINGS_SENT]++;
	mg_kv_add(&kv, "status", "sent");
	mg_kv_add(&kv, "via", via);
	mg_log_kv(MG_LOG_INFO, &kv);
}

int
qw_warn(const struct qw_warn_in *in, struct mg_error *err)
{
	const struct qw_thresholds *t = &in->set->thresholds;
	unsigned percent = qw_usage_percent(in->usage, in->set->resource);
	struct qw_action a = qw_decide(t, in->set->rearm_pct, percent, in->claimed);
	char now[24];
	unsigned i;
	int won;

	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	for (i = 0; i < t->n; i++)
		if (a.release_mask & (1u << i))
			release(in, t->pct[i]);
	for (i = 0; i < t->n; i++) {
		if (!(a.claim_mask & (1u << i)))
			continue;
		if ((won = claim(in, t->pct[i], now, err)) < 0)
			return -1;
		if (won && t->pct[i] == a.notify_pct && !in->set->disable)
			notify(in, t->pct[i], percent);
	}
	return 0;
}
