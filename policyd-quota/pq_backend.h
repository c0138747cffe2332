/*
 * pq_backend.h - Redis work off the event loop
 *
 * One worker thread owns a Redis connection and serves jobs in batches:
 * every job queued while it was busy goes out in one pipeline (a round
 * trip per batch, not per request).  A second thread holds the
 * subscription to the quota-changed channel.  Results and invalidations
 * come back through a queue the event loop drains when pq_backend_fd()
 * is readable (an eventfd).  The event loop never waits for Redis.
 *
 * Jobs:
 *   PQ_JOB_LOOKUP  addr -> alias targets (SMEMBERS alias:{addr}); if none,
 *                  the quota state of addr, if exactly one, the quota state
 *                  of the target (HGETALL quota:{..})
 *   PQ_JOB_DEFER   SET defer:{mailbox}:<id> now NX EX ttl, then GET it:
 *                  the time of the first deferral (an admin may edit it)
 *   PQ_JOB_STATS   HINCRBY stats:policyd-quota for each counter delta
 */
#ifndef PQ_BACKEND_H
#define PQ_BACKEND_H

#include "mg_addr.h"
#include "mg_error.h"
#include "mg_keys.h"
#include "mg_redis.h"
#include "pq_decide.h"

enum pq_job_kind { PQ_JOB_LOOKUP, PQ_JOB_DEFER, PQ_JOB_STATS };

#define PQ_STATS_N 8
extern const char *const pq_stats_names[PQ_STATS_N];

struct pq_job {
	struct pq_job *next;
	enum pq_job_kind kind;
	unsigned long long token;        /* the caller's: matches job and waiter */
	char addr[MG_ADDR_MAX + 1];       /* LOOKUP: recipient; DEFER: mailbox */
	char id[MG_KEYS_ID_LEN + 1];      /* DEFER */
	long long now, ttl;               /* DEFER: seconds */
	long long stats[PQ_STATS_N];      /* STATS: deltas */
	/* results */
	int failed;                       /* 1: Redis error (err below) */
	struct mg_error err;
	unsigned ntargets;                /* LOOKUP: alias targets (0 = not an alias) */
	char target[MG_ADDR_MAX + 1];     /* LOOKUP: the one target */
	struct pq_quota quota;            /* LOOKUP: of addr, or of the target */
	long long first_deferral;         /* DEFER */
	/* invalidation notices from the subscriber use kind LOOKUP, token 0 */
	int is_invalidation;              /* addr changed; 2 = flush everything */
};

struct pq_backend;

struct pq_backend *pq_backend_start(const struct mg_redis_settings *set,
				    const struct mg_keys *keys,
				    struct mg_error *err);
void pq_backend_stop(struct pq_backend **b);

/* pq_backend_fd - readable when results are waiting */
int pq_backend_fd(const struct pq_backend *b);
/* pq_backend_submit - hand a job over (the backend frees it unless it comes
 * back through pq_backend_take).  -1 when the queue is full: the caller
 * keeps and frees the job. */
int pq_backend_submit(struct pq_backend *b, struct pq_job *job);
/* pq_backend_take - all finished jobs and notices, oldest first (a list
 * linked by next; the caller frees each) */
struct pq_job *pq_backend_take(struct pq_backend *b);
/* pq_backend_subscribed - whether invalidations are flowing right now */
int pq_backend_subscribed(const struct pq_backend *b);

#endif
