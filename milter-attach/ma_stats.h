/*
 * ma_stats.h - milter-attach counters, flushed to K stats:milter-attach:<host>
 *
 * Callbacks and the notice worker increment in-memory atomic counters; the
 * ban refresher thread (which already owns a Redis connection) moves them
 * to K stats:milter-attach:<host> with HINCRBY at the first refresh after
 * each stats_interval, so counting never waits for Redis.  A failed flush
 * puts the amounts back for the next try.  The struct also carries the
 * process's metrics registry (ma_metrics.h) to the threads that count.
 */
#ifndef MA_STATS_H
#define MA_STATS_H

#include "ma_metrics.h"
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
	unsigned long long v[MA_ST_COUNT];       /* since the last flush */
	unsigned long long total[MA_ST_COUNT];   /* since the start */
	struct ma_metrics *metrics;      /* NULL: none (set before threads start) */
	char host[MG_KEYS_HOST_MAX];     /* <host> of the hash (fixed at start) */
	long long interval_ms;           /* stats_interval (fixed at start) */
	long long next_flush_ms;         /* the refresher's, monotonic */
};

/* ma_stat_name - the hash field ("rejected_size", ...) */
const char *ma_stat_name(enum ma_stat s);
/* ma_stats_inc - add one (thread-safe); s may be NULL */
void ma_stats_inc(struct ma_stats *s, enum ma_stat which);
/* ma_stats_log - the totals as one "action=stats" key=value line (SIGUSR1) */
void ma_stats_log(const struct ma_stats *s);
/* ma_stats_flush - HINCRBY the amounts since the last flush, when
 * stats_interval passed since the last one */
int ma_stats_flush(struct ma_stats *s, struct mg_redis *r,
		   const struct mg_keys *k, struct mg_error *err);

#endif
