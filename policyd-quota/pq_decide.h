/*
 * pq_decide.h - the full-mailbox decision, as pure functions
 *
 * Phase 1, pq_quota_check(): from the mailbox's published quota state
 * (or its absence), the declared message size and the clock, is the
 * mailbox full?  Phase 2, pq_decide_full(): for a full mailbox, from the
 * time of the message's first deferral, defer or reject?  Before phase 2,
 * pq_full_route(): does a full mailbox's message from this sender go to
 * Postfix's queue (an authenticated sender, authenticated_full_action =
 * queue) or to the deferral?  None of them touches sockets or Redis; the
 * clock is an argument.
 */
#ifndef PQ_DECIDE_H
#define PQ_DECIDE_H

struct pq_quota {
	int found;                 /* 0: no state published for the mailbox */
	long long bytes, bytes_limit;   /* limit 0 = unlimited */
	long long msgs, msgs_limit;
	long long updated;         /* unix seconds */
};

struct pq_limits {
	long long grace_percent;   /* limit * (100 + grace) / 100 is "full" */
	long long stale_after;     /* seconds: older state is not trusted */
	long long defer_period;    /* seconds of deferral before rejecting */
};

enum pq_fullness {
	PQ_NO_STATE,               /* nothing published: DUNNO */
	PQ_STALE,                  /* state too old (or from the future): DUNNO */
	PQ_NOT_FULL,
	PQ_FULL,
};

/* pq_quota_check - full when messages >= their limit, or bytes >= the
 * byte limit, or bytes + size > the byte limit (limits widened by the
 * grace).  size is the declared SIZE= (0 when absent). */
enum pq_fullness pq_quota_check(const struct pq_quota *q, long long size,
				const struct pq_limits *lim, long long now);

enum pq_verdict {
	PQ_DEFER,                  /* 4.2.2: keep trying */
	PQ_REJECT,                 /* 5.2.2: five days are over */
};

/* pq_decide_full - first_deferral is the recorded unix time of the first
 * deferral (an admin may have edited it); PQ_REJECT once now is at least
 * defer_period after it. */
enum pq_verdict pq_decide_full(long long first_deferral, long long now,
			       const struct pq_limits *lim);

/* authenticated_full_action: what a full mailbox means for mail from an
 * authenticated sender (submission) */
enum pq_auth_action {
	PQ_AUTH_QUEUE,             /* DUNNO: Postfix accepts and queues it */
	PQ_AUTH_DEFER,             /* as from outside: defer, then reject */
};

enum pq_route {
	PQ_ROUTE_QUEUE,            /* answer DUNNO, record no deferral */
	PQ_ROUTE_DEFERRAL,         /* phase 2: pq_decide_full */
};

/* pq_full_route - the route of a message for a full mailbox:
 * sasl_username is the policy request's (empty or NULL from outside).
 * A mail client does not queue a 4xx, so our own authenticated users'
 * mail is left to Postfix's queue (it keeps retrying until
 * maximal_queue_lifetime, and tells the sender) unless action says defer. */
enum pq_route pq_full_route(const char *sasl_username, enum pq_auth_action action);

const char *pq_fullness_name(enum pq_fullness f);

#endif
