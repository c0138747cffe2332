/*
 * ma_stats.c - milter-attach counters (see ma_stats.h)
 */
#include <stdio.h>

#include "mg_clock.h"
#include "mg_log.h"

#include "ma_stats.h"

static const char *const names[MA_ST_COUNT] = {
	[MA_ST_MESSAGES] = "messages",
	[MA_ST_ACCEPTED] = "accepted",
	[MA_ST_REJECTED_SIZE] = "rejected_size",
	[MA_ST_REJECTED_ATTACHMENT] = "rejected_attachment",
	[MA_ST_REJECTED_ALERT] = "rejected_alert",
	[MA_ST_REJECTED_STRUCTURE] = "rejected_structure",
	[MA_ST_TEMPFAILED] = "tempfailed",
	[MA_ST_NOTICES_SENT] = "notices_sent",
	[MA_ST_NOTICES_SKIPPED] = "notices_skipped",
	[MA_ST_NOTICES_FAILED] = "notices_failed",
};

/* ma_stat_name - field name */
const char *
ma_stat_name(enum ma_stat s)
{
	return (unsigned)s < MA_ST_COUNT ? names[s] : "unknown";
}

/* ma_stats_inc - atomic add */
void
ma_stats_inc(struct ma_stats *s, enum ma_stat which)
{
	if (s == NULL || (unsigned)which >= MA_ST_COUNT)
		return;
	__atomic_add_fetch(&s->v[which], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->total[which], 1, __ATOMIC_RELAXED);
	if (s->metrics == NULL)
		return;
	/* the notices are a metric too, by the status word of their log line */
	if (which == MA_ST_NOTICES_SENT)
		mg_metric_inc(s->metrics->notices, "sent", NULL);
	else if (which == MA_ST_NOTICES_FAILED)
		mg_metric_inc(s->metrics->notices, "failed", NULL);
	else if (which == MA_ST_NOTICES_SKIPPED)
		mg_metric_inc(s->metrics->notices, "skipped", NULL);
}

/* ma_stats_log - one line with every total and the bans loaded */
void
ma_stats_log(const struct ma_stats *s)
{
	struct mg_kv kv;
	int i;

	mg_kv_init(&kv);
	mg_kv_add(&kv, "action", "stats");
	for (i = 0; i < MA_ST_COUNT; i++)
		mg_kv_addf(&kv, names[i], "%llu",
			   __atomic_load_n(&s->total[i], __ATOMIC_RELAXED));
	if (s->metrics != NULL) {
		for (i = 0; i < MG_BAN_KINDS; i++) {
			char k[32];
			snprintf(k, sizeof(k), "bans_%s", mg_ban_kind_name((enum mg_ban_kind)i));
			mg_kv_addf(&kv, k, "%lld", mg_metric_value(s->metrics->bans,
				   mg_ban_kind_name((enum mg_ban_kind)i), NULL));
		}
	}
	mg_log_kv(MG_LOG_INFO, &kv);
}

/* ma_stats_flush - take each counter and HINCRBY it; put back on failure */
int
ma_stats_flush(struct ma_stats *s, struct mg_redis *r, const struct mg_keys *k,
	       struct mg_error *err)
{
	char key[MG_KEY_MAX];
	unsigned long long n;
	redisReply *rep;
	int i;

	if (s == NULL || mg_now_ms() < s->next_flush_ms)
		return 0;
	s->next_flush_ms = mg_now_ms() + s->interval_ms;
	if (mg_key_stats_host(k, "milter-attach", s->host[0] ? s->host : "unknown", key,
			      sizeof(key), err) < 0)
		return -1;
	for (i = 0; i < MA_ST_COUNT; i++) {
		n = __atomic_exchange_n(&s->v[i], 0, __ATOMIC_RELAXED);
		if (n == 0)
			continue;
		if (mg_redis_command(r, &rep, err, "HINCRBY %s %s %llu", key,
				     names[i], n) < 0) {
			__atomic_add_fetch(&s->v[i], n, __ATOMIC_RELAXED);
			return -1;
		}
		freeReplyObject(rep);
	}
	return 0;
}
