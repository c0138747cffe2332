/*
 * test_pq_cache.c - the local cache: TTL, invalidation, bound
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pq_cache.h"

static struct pq_entry
entry(const char *addr, long long t, long long bytes)
{
	struct pq_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.addr, sizeof(e.addr), "%s", addr);
	e.fetched_ms = t;
	e.quota.found = 1;
	e.quota.bytes = bytes;
	return e;
}

static void
test_ttl_and_drop(void **state)
{
	struct pq_cache *c = pq_cache_new(100, 1000);
	struct pq_entry e = entry("a@x", 5000, 7);
	const struct pq_entry *g;

	(void)state;
	pq_cache_put(c, &e);
	g = pq_cache_get(c, "a@x", 5999);
	assert_non_null(g);
	assert_int_equal(g->quota.bytes, 7);
	assert_null(pq_cache_get(c, "a@x", 6000));      /* TTL boundary */
	assert_int_equal(pq_cache_count(c), 0);
	pq_cache_put(c, &e);
	e.quota.bytes = 8;
	pq_cache_put(c, &e);                            /* replace */
	assert_int_equal(pq_cache_count(c), 1);
	assert_int_equal(pq_cache_get(c, "a@x", 5001)->quota.bytes, 8);
	pq_cache_drop(c, "a@x");
	assert_null(pq_cache_get(c, "a@x", 5001));
	assert_null(pq_cache_get(c, "a@x", 4000) );
	pq_cache_free(&c);
	assert_null(c);
}

static void
test_bound_and_tombstones(void **state)
{
	struct pq_cache *c = pq_cache_new(16, 1000000);
	char addr[32];
	int i;

	(void)state;
	for (i = 0; i < 16; i++) {
		struct pq_entry e;
		snprintf(addr, sizeof(addr), "u%d@x", i);
		e = entry(addr, 0, i);
		pq_cache_put(c, &e);
	}
	assert_int_equal(pq_cache_count(c), 16);
	for (i = 0; i < 16; i++) {
		snprintf(addr, sizeof(addr), "u%d@x", i);
		assert_int_equal(pq_cache_get(c, addr, 1)->quota.bytes, i);
	}
	{
		struct pq_entry e = entry("one-more@x", 0, 99);
		pq_cache_put(c, &e);                    /* full: starts over */
	}
	assert_int_equal(pq_cache_count(c), 1);
	assert_non_null(pq_cache_get(c, "one-more@x", 1));
	/* many put/drop cycles never wedge the table (tombstones purged) */
	for (i = 0; i < 10000; i++) {
		struct pq_entry e;
		snprintf(addr, sizeof(addr), "churn%d@x", i);
		e = entry(addr, 0, i);
		pq_cache_put(c, &e);
		pq_cache_drop(c, addr);
	}
	assert_null(pq_cache_get(c, "churn9999@x", 1));
	pq_cache_clear(c);
	assert_int_equal(pq_cache_count(c), 0);
	pq_cache_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ttl_and_drop),
		cmocka_unit_test(test_bound_and_tombstones),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
