/*
 * pq_backend.h - Redis work off the event loop
 *
 * One worker thread owns a Redis connection and serves jobs in batches:
 * every job queued while it was busy goes out in one pipeline (a round
 * trip per batch and round, not per request).  A second thread holds the
 * subscription to the quota-changed channel.  Finished jobs and cache
 * invalidations come back to the event loop, which drains them with
 * pq_backend_take() when pq_backend_fd() (an eventfd) is readable.  The
 * event loop never waits for Redis.
 *
 * Jobs (each kind is a request builder and a reply parser in
 * pq_backend.c's table, per round):
 *   PQ_JOB_LOOKUP  round 1: SMEMBERS alias:{addr} and HGETALL quota:{addr};
 *                  round 2, for an alias with exactly one target:
 *                  HGETALL quota:{target}
 *   PQ_JOB_DEFER   SET defer:{mailbox}:<id> now NX EX ttl, then GET it:
 *                  the time of the first deferral (an admin may edit it);
 *                  in the same pipeline HSET deferinfo:{mailbox}:<id>
 *                  sender size rcpt and EXPIRE ... ttl NX, for mailguard-ctl
 *   PQ_JOB_STATS   HINCRBY stats:policyd-quota:<host> for each counter delta
 *                  (<host> in addr)
 *   PQ_JOB_DEFER_PEEK  GET defer:{mailbox}:<id> only: the first deferral
 *                  if one is recorded (0: none), writing nothing (-T)
 *
 * Events from the subscriber (struct pq_events):
 *   an invalidation   the plugin announced a change of this mailbox
 *   flush             drop everything: the subscription was made or lost,
 *                     so changes may have been missed (also set when an
 *                     invalidation could not be queued)
 */
#ifndef PQ_BACKEND_H
#define PQ_BACKEND_H

#include "mg_addr.h"
#include "mg_error.h"
#include "mg_keys.h"
#include "mg_redis.h"
#include "mg_redis_settings.h"
#include "pq_decide.h"

enum pq_job_kind { PQ_JOB_LOOKUP, PQ_JOB_DEFER, PQ_JOB_STATS, PQ_JOB_DEFER_PEEK,
		   PQ_JOB_KINDS };

#define PQ_STATS_N 9
extern const char *const pq_stats_names[PQ_STATS_N];

struct pq_job {
	struct pq_job *next;
	enum pq_job_kind kind;
	unsigned long long token;        /* the caller's: matches job and waiter */
	unsigned long long seq;          /* the caller's: invalidations seen at submission */
	char addr[MG_ADDR_MAX + 1];       /* LOOKUP: recipient; DEFER: mailbox */
	char id[MG_KEYS_ID_LEN + 1];      /* DEFER */
	long long now, ttl;               /* DEFER: seconds */
	char sender[MG_ADDR_MAX + 3];     /* DEFER: as in the request */
	char rcpt[MG_ADDR_MAX + 3];       /* DEFER: the recipient as given */
	long long size;                   /* DEFER: declared size */
	long long stats[PQ_STATS_N];      /* STATS: deltas */
	/* results */
	int failed;                       /* 1: Redis error (err below) */
	struct mg_error err;
	unsigned ntargets;                /* LOOKUP: alias targets (0 = not an alias) */
	char target[MG_ADDR_MAX + 1];     /* LOOKUP: the one target */
	struct pq_quota quota;            /* LOOKUP: of addr, or of the target */
	long long first_deferral;         /* DEFER, DEFER_PEEK (0: none yet) */
};

/* One mailbox whose quota state changed */
struct pq_invalidation {
	struct pq_invalidation *next;
	char addr[MG_ADDR_MAX + 1];
};

/* What pq_backend_take() hands over; the caller frees every element of
 * both lists (pq_backend_events_free) */
struct pq_events {
	int flush;                        /* drop the whole cache first */
	struct pq_invalidation *invalidations;  /* oldest first */
	struct pq_job *done;              /* finished jobs, oldest first */
};

struct pq_backend;

/* pq_backend_start - create the Redis clients and start both threads
 * (rm, NULL: none, counts their work as client="lookups" and
 * client="subscription");
 * NULL with err on failure (nothing left behind) */
struct pq_backend *pq_backend_start(const struct mg_redis_settings *set,
				    const struct mg_keys *keys,
				    const struct mg_redis_metrics *rm,
				    struct mg_error *err);
/* pq_backend_stop - stop and join both threads, free every job and event
 * still queued, close the descriptors; *b becomes NULL */
void pq_backend_stop(struct pq_backend **b);

/* pq_backend_fd - readable when events are waiting */
int pq_backend_fd(const struct pq_backend *b);
/* pq_backend_submit - hand a job over (the backend frees it unless it comes
 * back through pq_backend_take).  -1 when the queue is full: the caller
 * keeps and frees the job. */
int pq_backend_submit(struct pq_backend *b, struct pq_job *job);
/* pq_backend_take - everything waiting (STATS jobs are not handed back) */
void pq_backend_take(struct pq_backend *b, struct pq_events *ev);
/* pq_backend_events_free - free both lists of ev */
void pq_backend_events_free(struct pq_events *ev);
/* pq_backend_subscribed - whether invalidations are flowing right now */
int pq_backend_subscribed(const struct pq_backend *b);

#endif
