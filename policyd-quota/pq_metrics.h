/*
 * pq_metrics.h - policyd-quota's metrics (a registry per process)
 *
 *   mailguard_policy_requests_total{action,reason}  answers given: action
 *       dunno, defer, reject or defer_if_permit (the log line's action
 *       words), reason: for DUNNO the quota state read (no_state,
 *       stale_state, not_full) or "" (not a RCPT, an alias list), mailbox_full,
 *       full_for_defer_period, or why Redis could not be asked
 *       (redis_down, redis_timeout, redis_auth, redis_reply, timeout,
 *       queue_full: the answer was redis_error_action's)
 *   mailguard_policy_answer_seconds                 histogram: request
 *       read to answer written
 *   mailguard_policy_cache_total{result}            hit, miss
 *   mailguard_policy_refused_input_total            malformed requests
 *                                                   (connection closed)
 *   mailguard_notices_total{status}                 sent, failed, skipped
 *   mailguard_policy_connections                    Postfix connections open
 *   mailguard_policy_cache_entries                  addresses cached
 *   mailguard_policy_subscribed                     1 while quota changes
 *                                                   are received
 *   mailguard_redis_*{client="lookups"|"subscription"|"notices"}
 *                                                   (mg_redis.h)
 */
#ifndef PQ_METRICS_H
#define PQ_METRICS_H

#include "mg_metrics.h"
#include "mg_redis.h"

struct pq_metrics {
	struct mg_metrics *reg;
	struct mg_redis_metrics redis;
	struct mg_metric *requests, *answer, *cache, *refused, *notices;
	struct mg_metric *connections, *cache_entries, *subscribed;
};

/* pq_metrics_init - the registry and every family; -1 with err */
int pq_metrics_init(struct pq_metrics *pm, struct mg_error *err);
void pq_metrics_release(struct pq_metrics *pm);

#endif
