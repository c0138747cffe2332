/*
 * ma_stats.c - milter-attach counters (see ma_stats.h)
 */
#include <stdio.h>

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
	if (s != NULL && (unsigned)which < MA_ST_COUNT)
		__atomic_add_fetch(&s->v[which], 1, __ATOMIC_RELAXED);
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

	if (s == NULL)
		return 0;
	if (mg_key_stats(k, "milter-attach", key, sizeof(key), err) < 0)
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
