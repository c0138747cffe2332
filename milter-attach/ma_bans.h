/*
 * ma_bans.h - the refresher: security-alert bans read from Redis
 *
 * milter-attach-ctl writes three sorted sets (K {ban}:ext, :mime, :sha256,
 * member = value, score = expiry in unix seconds) and increments
 * K {ban}:serial.  A refresher thread reads the serial every ban_refresh
 * and reloads the sets (members not yet expired) when it changed or when
 * the earliest known expiry has passed, then swaps in a new immutable
 * struct ma_banset (ma_banset.h).  Readers take a reference with
 * ma_bans_get().  While Redis is down the last snapshot stays in use; the
 * refresher's Redis client reports the outage ("redis unavailable,
 * keeping the last known list of bans until it is back: ...").
 */
#ifndef MA_BANS_H
#define MA_BANS_H

#include "ma_banset.h"
#include "ma_stats.h"
#include "mg_error.h"
#include "mg_keys.h"
#include "mg_redis.h"

/* ma_bans_read - read the three sets from Redis (entries expiring after
 * now) into a new set.  0 ok, -1 Redis error. */
int ma_bans_read(struct mg_redis *r, const struct mg_keys *k, long long now,
		 struct ma_banset **set_r, struct mg_error *err);

/* ma_bans_read_once - the start-up read: its own client, one quiet
 * attempt, closed after; -1 with err naming the server when Redis cannot
 * be read (the caller says what it does without a list) */
int ma_bans_read_once(const struct mg_redis_settings *set, const char *prefix,
		      long long now, struct ma_banset **set_r,
		      struct mg_error *err);

struct ma_bans;

/* ma_bans_start - start the refresher thread; initial (may be NULL) is
 * the snapshot to serve until the first successful read (a reference is
 * taken).  Does not wait for Redis.  stats (may be NULL) is flushed to
 * Redis after each refresh. */
struct ma_bans *ma_bans_start(const struct mg_redis_settings *set,
			      const char *prefix, long long refresh_ms,
			      struct ma_banset *initial, struct ma_stats *stats,
			      struct mg_error *err);
/* ma_bans_get - the current snapshot with a reference (NULL: never read) */
struct ma_banset *ma_bans_get(struct ma_bans *b);
/* ma_bans_stop - stop and join the thread, free everything */
void ma_bans_stop(struct ma_bans **b);

#endif
