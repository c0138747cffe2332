/*
 * pq_cache.h - the daemon's local cache of quota states and aliases
 *
 * Owned by the event-loop thread only (no locks).  An entry maps an
 * address to either a mailbox's quota state or an alias's targets, with
 * the time it was fetched.  Entries expire after the configured TTL (a
 * safety net); a quota entry is dropped at once when the Dovecot plugin
 * announces a change of that mailbox (pub/sub), and everything is dropped
 * when the subscription is lost (pq_cache_clear), because changes may
 * have been missed.  The table is bounded: when full, it is cleared.
 */
#ifndef PQ_CACHE_H
#define PQ_CACHE_H

#include <stddef.h>

#include "mg_addr.h"
#include "pq_decide.h"

struct pq_entry {
	char addr[MG_ADDR_MAX + 1];
	long long fetched_ms;
	int is_alias;                      /* 1: targets below; 0: quota */
	int tombstone;                     /* 1: only records an invalidation */
	unsigned long long inval_seq;      /* tombstone: when it was invalidated */
	struct pq_quota quota;
	unsigned ntargets;                 /* alias: number of targets */
	char target[MG_ADDR_MAX + 1];      /* alias with one target: it */
};

struct pq_cache;

struct pq_cache *pq_cache_new(size_t max_entries, long long ttl_ms);
void pq_cache_free(struct pq_cache **c);

/* pq_cache_get - the live entry for addr, or NULL (absent or expired) */
const struct pq_entry *pq_cache_get(struct pq_cache *c, const char *addr,
				    long long now_ms);
/* pq_cache_put - insert or replace (copied) */
void pq_cache_put(struct pq_cache *c, const struct pq_entry *e);
/* pq_cache_drop - forget addr */
void pq_cache_drop(struct pq_cache *c, const char *addr);
void pq_cache_clear(struct pq_cache *c);
size_t pq_cache_count(const struct pq_cache *c);

#endif
