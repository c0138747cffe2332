/*
 * pq_decide.h - the full-mailbox decision, as pure functions
 *
 * Phase 1, pq_quota_check(): from the mailbox's published quota state
 * (or its absence), the declared message size and the clock, is the
 * mailbox full?  Phase 2, pq_decide_full(): for a full mailbox, from the
 * time of the message's first deferral, defer or reject?  Neither phase
 * touches sockets or Redis; the clock is an argument.
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

const char *pq_fullness_name(enum pq_fullness f);

#endif
