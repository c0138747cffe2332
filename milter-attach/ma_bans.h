/*
 * ma_bans.h - the security-alert bans: immutable snapshots and their refresher
 *
 * milter-attach-ctl writes three sorted sets (K {ban}:ext, :mime, :sha256,
 * member = value, score = expiry in unix seconds) and increments
 * K {ban}:serial.  A refresher thread reads the serial every ban_refresh
 * and reloads the sets (members not yet expired) when it changed or when
 * the earliest known expiry has passed, then swaps in a new immutable
 * struct ma_banset.  Readers take a reference with ma_bans_get().  While
 * Redis is down the last snapshot stays in use (one warning per outage);
 * expired entries are never matched, even in a stale snapshot, because
 * ma_banset_match() compares the expiry with the time of the decision.
 */
#ifndef MA_BANS_H
#define MA_BANS_H

#include "mg_error.h"
#include "mg_keys.h"
#include "mg_redis.h"
#include "ma_stats.h"

struct ma_ban {
	char *value;            /* ".iso", "application/x-...", 64 hex */
	long long expiry;       /* unix seconds */
};

struct ma_banset {
	int refs;
	size_t n[MG_BAN_KINDS];
	struct ma_ban *v[MG_BAN_KINDS];
	long long loaded_at;    /* unix seconds of the Redis read */
};

/* ma_banset_new - empty set with one reference; NULL on ENOMEM */
struct ma_banset *ma_banset_new(void);
/* ma_banset_add - append a ban (value lowercased); 0 / -1 ENOMEM */
int ma_banset_add(struct ma_banset *s, enum mg_ban_kind kind,
		  const char *value, long long expiry, struct mg_error *err);
/* ma_banset_match - the ban on value (case-insensitive) still valid at
 * now, or NULL.  s may be NULL (no bans known). */
const struct ma_ban *ma_banset_match(const struct ma_banset *s,
				     enum mg_ban_kind kind, const char *value,
				     long long now);
/* ma_banset_earliest - smallest expiry in the set (0: none) */
long long ma_banset_earliest(const struct ma_banset *s);
struct ma_banset *ma_banset_ref(struct ma_banset *s);
void ma_banset_unref(struct ma_banset **s);

/* ma_bans_read - read the three sets from Redis (entries expiring after
 * now) into a new set.  0 ok, -1 Redis error. */
int ma_bans_read(struct mg_redis *r, const struct mg_keys *k, long long now,
		 struct ma_banset **set_r, struct mg_error *err);

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
