/*
 * test_qw_logic.c - quota warning thresholds and hysteresis, as tables
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "qw_logic.h"

#define MIB 1048576ULL

static void
test_percent(void **state)
{
	static const struct { uint64_t used, limit; unsigned pct; } rows[] = {
		{ 0, MIB, 0 }, { MIB * 8999 / 10000, MIB, 89 },      /* 89.99 % */
		{ 943718, MIB, 89 }, { 943719, MIB, 90 },              /* 90 % boundary */
		{ 9, 10, 90 }, { 10, 10, 100 }, { 11, 10, 110 },
		{ MIB, 0, 0 },                                           /* unlimited */
		{ UINT64_MAX, UINT64_MAX, 100 }, { UINT64_MAX, 1, 100000 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (qw_percent(rows[i].used, rows[i].limit) != rows[i].pct)
			fail_msg("row %zu: %u", i, qw_percent(rows[i].used, rows[i].limit));
}

static void
test_usage_percent(void **state)
{
	struct qw_usage u = { 50, 100, 95, 100 };

	(void)state;
	assert_int_equal(qw_usage_percent(&u, QW_RES_STORAGE), 50);
	assert_int_equal(qw_usage_percent(&u, QW_RES_MESSAGES), 95);
	assert_int_equal(qw_usage_percent(&u, QW_RES_BOTH), 95);
	u.msgs_limit = 0;                                 /* unlimited messages */
	assert_int_equal(qw_usage_percent(&u, QW_RES_BOTH), 50);
}

static void
test_parse(void **state)
{
	struct qw_thresholds t;
	struct mg_error err;
	enum qw_resource r;

	(void)state;
	assert_int_equal(qw_parse_thresholds("90 100", &t, &err), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.pct[0], 90);
	assert_int_equal(t.pct[1], 100);
	assert_int_equal(qw_parse_thresholds("100,80, 90", &t, &err), 0);
	assert_int_equal(t.pct[0], 80);
	assert_int_equal(t.pct[2], 100);
	assert_int_equal(qw_parse_thresholds("1", &t, &err), 0);
	assert_int_equal(qw_parse_thresholds("0", &t, &err), -1);
	assert_int_equal(qw_parse_thresholds("101", &t, &err), -1);
	assert_int_equal(qw_parse_thresholds("90 90", &t, &err), -1);
	assert_int_equal(qw_parse_thresholds("90%", &t, &err), -1);
	assert_int_equal(qw_parse_thresholds("", &t, &err), -1);
	assert_int_equal(qw_parse_thresholds("1 2 3 4 5 6 7 8", &t, &err), 0);
	assert_int_equal(qw_parse_thresholds("1 2 3 4 5 6 7 8 9", &t, &err), -1);
	assert_int_equal(qw_parse_thresholds("12345", &t, &err), -1);
	assert_int_equal(qw_parse_resource("both", &r), 0);
	assert_int_equal(r, QW_RES_BOTH);
	assert_int_equal(qw_parse_resource("bytes", &r), -1);
}

struct drow {
	const char *name;
	unsigned percent, claimed;
	unsigned notify, claim, release;
};

static void
test_decide(void **state)
{
	/* thresholds 90 100 (bits 0 and 1), re-arm under 85 */
	static const struct drow rows[] = {
		{ "well under", 50, 0, 0, 0, 0 },
		{ "89 %: nothing", 89, 0, 0, 0, 0 },
		{ "90 %: warn 90", 90, 0, 90, 1, 0 },
		{ "95 %, 90 claimed: nothing", 95, 1, 0, 0, 0 },
		{ "100 %, 90 claimed: warn 100", 100, 1, 100, 2, 0 },
		{ "jump 70 to 100: only 100, both claimed", 100, 0, 100, 3, 0 },
		{ "over 100 (grace)", 110, 0, 100, 3, 0 },
		{ "all claimed: nothing", 100, 3, 0, 0, 0 },
		{ "86 %, claimed: kept (hysteresis)", 86, 1, 0, 0, 0 },
		{ "85 %: still kept", 85, 1, 0, 0, 0 },
		{ "84 %: released", 84, 1, 0, 0, 1 },
		{ "84 %: both released", 84, 3, 0, 0, 3 },
		{ "92 % with only 100 claimed: no 90 news", 92, 2, 0, 1, 0 },
		{ "unlimited (0 %) releases", 0, 3, 0, 0, 3 },
	};
	struct qw_thresholds t = { 2, { 90, 100 } };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct qw_action a = qw_decide(&t, 85, rows[i].percent, rows[i].claimed);
		if (a.notify_pct != rows[i].notify || a.claim_mask != rows[i].claim ||
		    a.release_mask != rows[i].release)
			fail_msg("%s: notify %u claim %u release %u", rows[i].name,
				 a.notify_pct, a.claim_mask, a.release_mask);
	}
}

static void
test_sequence(void **state)
{
	/* the life of a mailbox, claims carried over as Redis would keep them */
	static const struct { unsigned pct, notify; } steps[] = {
		{ 70, 0 }, { 91, 90 }, { 93, 0 }, { 99, 0 }, { 100, 100 }, { 105, 0 },
		{ 88, 0 }, { 96, 0 }, { 60, 0 }, { 90, 90 }, { 92, 0 },
	};
	struct qw_thresholds t = { 2, { 90, 100 } };
	unsigned claimed = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct qw_action a = qw_decide(&t, 85, steps[i].pct, claimed);
		if (a.notify_pct != steps[i].notify)
			fail_msg("step %zu (%u %%): notify %u", i, steps[i].pct, a.notify_pct);
		claimed = (claimed | a.claim_mask) & ~a.release_mask;
	}
}

static void
test_near_limit(void **state)
{
	static const struct {
		const char *thresholds; unsigned rearm;
		struct qw_usage u; int publish;
	} rows[] = {
		{ "90 100", 85, { 84, 100, 0, 0 }, 0 },      /* under re-arm */
		{ "90 100", 85, { 85, 100, 0, 0 }, 1 },      /* re-arm mark */
		{ "90 100", 85, { 120, 100, 0, 0 }, 1 },     /* limit lowered */
		{ "90 100", 85, { 10, 100, 99, 100 }, 1 },   /* messages count too */
		{ "90 100", 85, { 10, 0, 10, 0 }, 0 },       /* unlimited */
		{ "50 100", 85, { 50, 100, 0, 0 }, 1 },      /* threshold under re-arm */
		{ "50 100", 85, { 49, 100, 0, 0 }, 0 },
		{ "100", 0, { 0, 100, 0, 0 }, 1 },           /* re-arm 0: always */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct qw_thresholds t;

		assert_int_equal(qw_parse_thresholds(rows[i].thresholds, &t, NULL), 0);
		if (qw_near_limit(&t, rows[i].rearm, &rows[i].u) != rows[i].publish)
			fail_msg("row %zu", i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_usage_percent),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_near_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
