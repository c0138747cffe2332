/*
 * pq_decide.c - the full-mailbox decision (see pq_decide.h)
 */
#include <stddef.h>

#include "pq_decide.h"

/* widen - limit plus grace, without overflow */
static long long
widen(long long limit, long long grace_percent)
{
	if (grace_percent <= 0)
		return limit;
	if (limit > (long long)9e15 / (100 + grace_percent))
		return limit + limit / 100 * grace_percent;
	return limit * (100 + grace_percent) / 100;
}

enum pq_fullness
pq_quota_check(const struct pq_quota *q, long long size,
	       const struct pq_limits *lim, long long now)
{
	if (!q->found)
		return PQ_NO_STATE;
	/* a clock skew of a minute between hosts is tolerated */
	if (q->updated > now + 60 || now - q->updated > lim->stale_after)
		return PQ_STALE;
	if (size < 0)
		size = 0;
	if (q->msgs_limit > 0 && q->msgs >= widen(q->msgs_limit, lim->grace_percent))
		return PQ_FULL;
	if (q->bytes_limit > 0) {
		long long limit = widen(q->bytes_limit, lim->grace_percent);
		if (q->bytes >= limit || size > limit - q->bytes)
			return PQ_FULL;
	}
	return PQ_NOT_FULL;
}

enum pq_verdict
pq_decide_full(long long first_deferral, long long now,
	       const struct pq_limits *lim)
{
	if (now - first_deferral >= lim->defer_period)
		return PQ_REJECT;
	return PQ_DEFER;
}

enum pq_route
pq_full_route(const char *sasl_username, enum pq_auth_action action)
{
	if (sasl_username == NULL || sasl_username[0] == '\0')
		return PQ_ROUTE_DEFERRAL;
	return action == PQ_AUTH_QUEUE ? PQ_ROUTE_QUEUE : PQ_ROUTE_DEFERRAL;
}

const char *
pq_fullness_name(enum pq_fullness f)
{
	switch (f) {
	case PQ_NO_STATE: return "no_state";
	case PQ_STALE: return "stale_state";
	case PQ_NOT_FULL: return "not_full";
	case PQ_FULL: return "full";
	}
	return "?";
}
