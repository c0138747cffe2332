/*
 * pq_probe.h - policyd-quota -t --probe: Redis as the daemon finds it
 *
 * After the configuration check: connect as the daemon does
 * (mg_redis_probe.h: server or sentinel, AUTH, SELECT, ROLE, version,
 * PING), SUBSCRIBE to the quota-changed channel on a second connection as
 * the subscriber thread does, and count the published quota states with
 * a bounded SCAN (never KEYS: at most PQ_PROBE_SCAN_ROUNDS rounds).
 */
#ifndef PQ_PROBE_H
#define PQ_PROBE_H

#include <stdio.h>

#include "pq_config.h"

#define PQ_PROBE_SCAN_ROUNDS 20
#define PQ_PROBE_SCAN_COUNT 1000

/* pq_probe_run - print on fp (NULL: nothing, as -q asks); 0 when Redis is usable (the subscription
 * included), -1 (the reason on stderr) when not */
int pq_probe_run(const struct pq_config *cfg, FILE *fp);

#endif
