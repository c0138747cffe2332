/*
 * pq_cache.c - open-addressing hash table of pq_entry (see pq_cache.h)
 *
 * Linear probing with tombstones; the table has twice as many slots as
 * the entry bound, so probes stay short.
 */
#include <stdlib.h>
#include <string.h>

#include "pq_cache.h"

enum slot_state { SLOT_EMPTY, SLOT_USED, SLOT_DELETED };

struct slot {
	enum slot_state state;
	unsigned long hash;
	struct pq_entry *e;
};

struct pq_cache {
	struct slot *slots;
	size_t nslots, count, used_or_deleted, max_entries;
	long long ttl_ms;
};

static unsigned long
hash_str(const char *s)
{
	unsigned long h = 1469598103934665603UL;   /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211UL;
	}
	return h;
}

struct pq_cache *
pq_cache_new(size_t max_entries, long long ttl_ms)
{
	struct pq_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->max_entries = max_entries < 16 ? 16 : max_entries;
	c->nslots = 32;
	while (c->nslots < c->max_entries * 2)
		c->nslots *= 2;
	c->slots = calloc(c->nslots, sizeof(*c->slots));
	if (c->slots == NULL) {
		free(c);
		return NULL;
	}
	c->ttl_ms = ttl_ms;
	return c;
}

void
pq_cache_clear(struct pq_cache *c)
{
	size_t i;

	for (i = 0; i < c->nslots; i++) {
		free(c->slots[i].e);
		c->slots[i].e = NULL;
		c->slots[i].state = SLOT_EMPTY;
	}
	c->count = 0;
	c->used_or_deleted = 0;
}

void
pq_cache_free(struct pq_cache **cp)
{
	struct pq_cache *c = *cp;

	if (c == NULL)
		return;
	pq_cache_clear(c);
	free(c->slots);
	free(c);
	*cp = NULL;
}

/* find - slot holding addr, or NULL */
static struct slot *
find(struct pq_cache *c, const char *addr, unsigned long h)
{
	size_t i, mask = c->nslots - 1;

	for (i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &c->slots[i];
		if (s->state == SLOT_EMPTY)
			return NULL;
		if (s->state == SLOT_USED && s->hash == h &&
		    strcmp(s->e->addr, addr) == 0)
			return s;
	}
}

static void
remove_slot(struct pq_cache *c, struct slot *s)
{
	free(s->e);
	s->e = NULL;
	s->state = SLOT_DELETED;
	c->count--;
}

const struct pq_entry *
pq_cache_get(struct pq_cache *c, const char *addr, long long now_ms)
{
	struct slot *s = find(c, addr, hash_str(addr));

	if (s == NULL)
		return NULL;
	if (now_ms - s->e->fetched_ms >= c->ttl_ms || now_ms < s->e->fetched_ms) {
		remove_slot(c, s);
		return NULL;
	}
	return s->e;
}

void
pq_cache_put(struct pq_cache *c, const struct pq_entry *e)
{
	unsigned long h = hash_str(e->addr);
	struct slot *s = find(c, e->addr, h);
	size_t i, mask = c->nslots - 1;
	struct pq_entry *copy;

	if (s != NULL) {
		*s->e = *e;
		return;
	}
	/* bounded: start over rather than grow; tombstones are purged too */
	if (c->count >= c->max_entries || c->used_or_deleted >= c->nslots * 3 / 4)
		pq_cache_clear(c);
	if ((copy = malloc(sizeof(*copy))) == NULL)
		return;                      /* a cache may forget */
	*copy = *e;
	for (i = h & mask; c->slots[i].state == SLOT_USED; i = (i + 1) & mask)
		;
	if (c->slots[i].state == SLOT_EMPTY)
		c->used_or_deleted++;
	c->slots[i].state = SLOT_USED;
	c->slots[i].hash = h;
	c->slots[i].e = copy;
	c->count++;
}

void
pq_cache_drop(struct pq_cache *c, const char *addr)
{
	struct slot *s = find(c, addr, hash_str(addr));

	if (s != NULL)
		remove_slot(c, s);
}

size_t
pq_cache_count(const struct pq_cache *c)
{
	return c->count;
}
