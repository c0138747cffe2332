/*
 * test_pq_decide.c - the full-mailbox decision with an injected clock
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pq_decide.h"

#define NOW 1795344000LL
#define DAY 86400LL
#define MIB 1048576LL

struct frow {
	const char *name;
	struct pq_quota q;
	long long size, grace;
	enum pq_fullness want;
};

static void
test_fullness(void **state)
{
	static const struct frow rows[] = {
		{ "no state", { 0, 0, 0, 0, 0, 0 }, 0, 0, PQ_NO_STATE },
		{ "empty", { 1, 0, MIB, 0, 0, NOW }, 0, 0, PQ_NOT_FULL },
		{ "one byte short, no size", { 1, MIB - 1, MIB, 0, 0, NOW }, 0, 0, PQ_NOT_FULL },
		{ "exactly full", { 1, MIB, MIB, 0, 0, NOW }, 0, 0, PQ_FULL },
		{ "over (grace of dovecot)", { 1, MIB + 100, MIB, 0, 0, NOW }, 0, 0, PQ_FULL },
		{ "size fits exactly", { 1, MIB - 100, MIB, 0, 0, NOW }, 100, 0, PQ_NOT_FULL },
		{ "size one byte too big", { 1, MIB - 100, MIB, 0, 0, NOW }, 101, 0, PQ_FULL },
		{ "size absent = 0", { 1, MIB - 1, MIB, 0, 0, NOW }, 0, 0, PQ_NOT_FULL },
		{ "negative size ignored", { 1, MIB - 1, MIB, 0, 0, NOW }, -5, 0, PQ_NOT_FULL },
		{ "grace 10% not reached", { 1, MIB, MIB, 0, 0, NOW }, 0, 10, PQ_NOT_FULL },
		{ "grace 10% reached", { 1, MIB + MIB / 10, MIB, 0, 0, NOW }, 0, 10, PQ_FULL },
		{ "unlimited bytes", { 1, 50 * MIB, 0, 0, 0, NOW }, 10 * MIB, 0, PQ_NOT_FULL },
		{ "messages at limit", { 1, 10, MIB, 100, 100, NOW }, 0, 0, PQ_FULL },
		{ "messages under limit", { 1, 10, MIB, 99, 100, NOW }, 0, 0, PQ_NOT_FULL },
		{ "messages unlimited", { 1, 10, MIB, 99999, 0, NOW }, 0, 0, PQ_NOT_FULL },
		{ "stale by one second", { 1, MIB, MIB, 0, 0, NOW - DAY - 1 }, 0, 0, PQ_STALE },
		{ "exactly max age", { 1, MIB, MIB, 0, 0, NOW - DAY }, 0, 0, PQ_FULL },
		{ "from the future (skew)", { 1, MIB, MIB, 0, 0, NOW + 61 }, 0, 0, PQ_STALE },
		{ "small skew tolerated", { 1, MIB, MIB, 0, 0, NOW + 60 }, 0, 0, PQ_FULL },
		{ "huge values no overflow", { 1, 0x7fffffffffffffLL, 0x7fffffffffffffLL, 0, 0, NOW },
		  0x7fffffffffffffLL, 50, PQ_FULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pq_limits lim = { rows[i].grace, DAY, 5 * DAY };
		enum pq_fullness got = pq_quota_check(&rows[i].q, rows[i].size, &lim, NOW);
		if (got != rows[i].want)
			fail_msg("%s: got %s want %s", rows[i].name,
				 pq_fullness_name(got), pq_fullness_name(rows[i].want));
	}
}

static void
test_five_days(void **state)
{
	struct pq_limits lim = { 0, DAY, 5 * DAY };

	(void)state;
	assert_int_equal(pq_decide_full(NOW, NOW, &lim), PQ_DEFER);              /* first */
	assert_int_equal(pq_decide_full(NOW - 5 * DAY + 1, NOW, &lim), PQ_DEFER); /* -1 s */
	assert_int_equal(pq_decide_full(NOW - 5 * DAY, NOW, &lim), PQ_REJECT);    /* exactly */
	assert_int_equal(pq_decide_full(NOW - 5 * DAY - 1, NOW, &lim), PQ_REJECT);/* +1 s */
	assert_int_equal(pq_decide_full(NOW + 3600, NOW, &lim), PQ_DEFER);       /* edited ahead */
	lim.defer_period = 3600;                                               /* configurable */
	assert_int_equal(pq_decide_full(NOW - 3600, NOW, &lim), PQ_REJECT);
	assert_string_equal(pq_fullness_name(PQ_STALE), "stale_state");
}

/* the route of a full mailbox's message: only an authenticated sender's
 * goes to Postfix's queue, and only under authenticated_full_action = queue */
static void
test_route(void **state)
{
	static const struct {
		const char *name, *sasl;
		enum pq_auth_action action;
		enum pq_route want;
	} rows[] = {
		{ "submission, queue", "alice@mailguard.test", PQ_AUTH_QUEUE, PQ_ROUTE_QUEUE },
		{ "bare login, queue", "alice", PQ_AUTH_QUEUE, PQ_ROUTE_QUEUE },
		{ "submission, defer", "alice@mailguard.test", PQ_AUTH_DEFER, PQ_ROUTE_DEFERRAL },
		{ "outside, queue", "", PQ_AUTH_QUEUE, PQ_ROUTE_DEFERRAL },
		{ "outside, defer", "", PQ_AUTH_DEFER, PQ_ROUTE_DEFERRAL },
		{ "no attribute", NULL, PQ_AUTH_QUEUE, PQ_ROUTE_DEFERRAL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (pq_full_route(rows[i].sasl, rows[i].action) != rows[i].want)
			fail_msg("%s: wrong route", rows[i].name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fullness),
		cmocka_unit_test(test_five_days),
		cmocka_unit_test(test_route),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
