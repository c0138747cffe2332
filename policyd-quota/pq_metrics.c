/*
 * pq_metrics.c - policyd-quota's metric families (see pq_metrics.h)
 */
#include <string.h>

#include "pq_metrics.h"

/* pq_metrics_init - declare them all, in the order they are rendered */
int
pq_metrics_init(struct pq_metrics *pm, struct mg_error *err)
{
	struct mg_metrics *m;

	memset(pm, 0, sizeof(*pm));
	if ((m = pm->reg = mg_metrics_new()) == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "metrics: out of memory");
	if ((pm->requests = mg_metrics_counter(m, "mailguard_policy_requests_total",
		"policy answers by action (dunno, queue, defer, reject, defer_if_permit) and reason",
		"action", "reason", err)) == NULL ||
	    (pm->answer = mg_metrics_histogram(m, "mailguard_policy_answer_seconds",
		"time from a complete policy request to its answer", NULL, NULL,
		MG_METRICS_SECONDS, MG_METRICS_SECONDS_N, err)) == NULL ||
	    (pm->cache = mg_metrics_counter(m, "mailguard_policy_cache_total",
		"quota cache lookups by result (hit, miss)", "result", NULL, err)) == NULL ||
	    (pm->refused = mg_metrics_counter(m, "mailguard_policy_refused_input_total",
		"malformed policy requests (the connection was closed)", NULL, NULL,
		err)) == NULL ||
	    (pm->notices = mg_metrics_counter(m, "mailguard_notices_total",
		"notices to senders by status (sent, failed, skipped)", "status", NULL,
		err)) == NULL ||
	    (pm->connections = mg_metrics_gauge(m, "mailguard_policy_connections",
		"Postfix policy connections open", NULL, NULL, err)) == NULL ||
	    (pm->cache_entries = mg_metrics_gauge(m, "mailguard_policy_cache_entries",
		"addresses in the quota cache", NULL, NULL, err)) == NULL ||
	    (pm->subscribed = mg_metrics_gauge(m, "mailguard_policy_subscribed",
		"1 while quota changes are received from Redis (the cache is used)",
		NULL, NULL, err)) == NULL ||
	    mg_redis_metrics_declare(m, &pm->redis, err) < 0) {
		pq_metrics_release(pm);
		return -1;
	}
	mg_metric_add(pm->refused, NULL, NULL, 0);      /* shown from the start */
	return 0;
}

/* pq_metrics_release - free the registry */
void
pq_metrics_release(struct pq_metrics *pm)
{
	mg_metrics_free(&pm->reg);
	memset(pm, 0, sizeof(*pm));
}
