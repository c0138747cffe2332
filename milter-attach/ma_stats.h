/*
 * ma_stats.h - milter-attach counters, flushed to K stats:milter-attach
 *
 * Callbacks and the notice worker increment in-memory atomic counters; the
 * ban refresher thread (which already owns a Redis connection) moves them
 * to Redis with HINCRBY at every refresh, so counting never waits for
 * Redis.  A failed flush puts the amounts back for the next try.
 * `milter-attach-ctl stats` prints the hash (summed over all hosts).
 */
#ifndef MA_STATS_H
#define MA_STATS_H

#include "mg_error.h"
#include "mg_keys.h"
#include "mg_redis.h"

enum ma_stat {
	MA_ST_MESSAGES,
	MA_ST_ACCEPTED,
	MA_ST_REJECTED_SIZE,
	MA_ST_REJECTED_ATTACHMENT,
	MA_ST_REJECTED_ALERT,
	MA_ST_REJECTED_STRUCTURE,
	MA_ST_TEMPFAILED,
	MA_ST_NOTICES_SENT,
	MA_ST_NOTICES_SKIPPED,
	MA_ST_NOTICES_FAILED,
	MA_ST_COUNT,
};

struct ma_stats {
	unsigned long long v[MA_ST_COUNT];
};

/* ma_stat_name - the hash field ("rejected_size", ...) */
const char *ma_stat_name(enum ma_stat s);
/* ma_stats_inc - add one (thread-safe); s may be NULL */
void ma_stats_inc(struct ma_stats *s, enum ma_stat which);
/* ma_stats_flush - HINCRBY the amounts since the last flush */
int ma_stats_flush(struct ma_stats *s, struct mg_redis *r,
		   const struct mg_keys *k, struct mg_error *err);

#endif
