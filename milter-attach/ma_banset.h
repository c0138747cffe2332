/*
 * ma_banset.h - one immutable snapshot of the security-alert bans
 *
 * A set holds, per kind (extension, MIME type, SHA-256), the banned
 * values and their expiry in unix seconds.  It is built once (new, add)
 * and then only read: readers share it by reference count, and a match
 * compares the expiry with the time of the decision, so an expired entry
 * never matches even in an old snapshot.  Pure: no Redis, no threads of
 * its own (ma_bans.h reads and refreshes snapshots).
 */
#ifndef MA_BANSET_H
#define MA_BANSET_H

#include <stddef.h>

#include "mg_error.h"
#include "mg_keys.h"

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

#endif
