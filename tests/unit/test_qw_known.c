/*
 * test_qw_known.c - the last known usage: readings, deltas, freshness
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "qw_known.h"

static void
test_apply(void **state)
{
	static const struct {
		uint64_t bytes, msgs; int64_t db, dm;
		int have_b, have_m; uint64_t want_b, want_m;
	} rows[] = {
		{ 1000, 10, 500, 1, 1, 1, 1500, 11 },           /* a delivery */
		{ 1000, 10, -400, -2, 1, 1, 600, 8 },           /* an expunge */
		{ 1000, 10, -1000, -10, 1, 1, 0, 0 },           /* down to zero */
		{ 1000, 10, -1001, 0, 0, 1, 0, 10 },            /* under zero: forget */
		{ 1000, 10, 0, -11, 1, 0, 1000, 0 },
		{ 1000, 10, INT64_MIN, 0, 0, 1, 0, 10 },
		{ UINT64_MAX - 1, 0, 1, 0, 1, 1, UINT64_MAX, 0 },
		{ UINT64_MAX - 1, 0, 2, 0, 0, 1, 0, 0 },        /* overflow: forget */
		{ 0, 0, INT64_MAX, INT64_MAX, 1, 1, INT64_MAX, INT64_MAX },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct qw_known k;

		qw_known_forget(&k);
		qw_known_read(&k, QW_KNOWN_BYTES, rows[i].bytes, 5);
		qw_known_read(&k, QW_KNOWN_MSGS, rows[i].msgs, 5);
		qw_known_apply(&k, rows[i].db, rows[i].dm);
		if (k.have[QW_KNOWN_BYTES] != rows[i].have_b ||
		    k.have[QW_KNOWN_MSGS] != rows[i].have_m ||
		    (rows[i].have_b && k.value[QW_KNOWN_BYTES] != rows[i].want_b) ||
		    (rows[i].have_m && k.value[QW_KNOWN_MSGS] != rows[i].want_m))
			fail_msg("row %zu", i);
	}
}

static void
test_unknown_stays_unknown(void **state)
{
	struct qw_known k;

	(void)state;
	qw_known_forget(&k);
	qw_known_apply(&k, 100, 1);          /* no reading: nothing to add to */
	assert_false(k.have[QW_KNOWN_BYTES]);
	assert_false(k.have[QW_KNOWN_MSGS]);
	qw_known_read(&k, QW_KNOWN_BYTES, 7, 0);
	assert_false(qw_known_fresh(&k, 0, 2000));      /* messages unknown */
}

static void
test_fresh(void **state)
{
	static const struct { long long b_at, m_at, now; int fresh; } rows[] = {
		{ 1000, 1000, 1000, 1 },
		{ 1000, 1000, 3000, 1 },            /* exactly the maximum age */
		{ 1000, 1000, 3001, 0 },
		{ 1000, 500, 2600, 0 },             /* the older reading counts */
		{ 1000, 1000, 999, 0 },             /* the clock went back */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct qw_known k;

		qw_known_forget(&k);
		qw_known_read(&k, QW_KNOWN_BYTES, 1, rows[i].b_at);
		qw_known_read(&k, QW_KNOWN_MSGS, 1, rows[i].m_at);
		if (qw_known_fresh(&k, rows[i].now, 2000) != rows[i].fresh)
			fail_msg("row %zu", i);
	}
	{
		struct qw_known k;

		qw_known_forget(&k);
		qw_known_read(&k, QW_KNOWN_BYTES, 1, 0);
		qw_known_read(&k, QW_KNOWN_MSGS, 1, 0);
		qw_known_forget(&k);
		assert_false(qw_known_fresh(&k, 0, 2000));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_unknown_stays_unknown),
		cmocka_unit_test(test_fresh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
