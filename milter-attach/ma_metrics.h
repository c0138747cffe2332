/*
 * ma_metrics.h - milter-attach's metrics (a registry per process)
 *
 *   mailguard_milter_messages_total                  messages given a verdict
 *   mailguard_milter_verdicts_total{action,reason}   accept, reject, tempfail
 *       by the log line's reason word (none, size, banned_ext, alert_ext,
 *       alert_mime, alert_sha256, exec_content, structure, error)
 *   mailguard_milter_scan_seconds                    histogram: time spent
 *       scanning one message (body chunks and the end, not the wait for
 *       the client's data)
 *   mailguard_milter_bans{kind}                      bans loaded (ext, mime, sha256)
 *   mailguard_milter_bans_age_seconds                since the last successful
 *       ban refresh (since the start when none succeeded)
 *   mailguard_notices_total{status}                  sent, failed, skipped
 *   mailguard_milter_inspect_failures_total{reason}  inspector failures
 *       (timeout, no_free_helper, send_failed, ... as logged)
 *   mailguard_redis_*{client="bans"|"notices"}       (mg_redis.h)
 * The ban refresher and the notifier reach it through struct ma_stats.
 */
#ifndef MA_METRICS_H
#define MA_METRICS_H

#include "mg_metrics.h"
#include "mg_redis.h"

struct ma_metrics {
	struct mg_metrics *reg;
	struct mg_redis_metrics redis;
	struct mg_metric *messages, *verdicts, *scan, *bans, *bans_age, *notices;
	struct mg_metric *inspect_failed;
	long long bans_ok;              /* unix seconds (atomic): last good refresh */
};

/* ma_metrics_init - the registry and every family; -1 with err */
int ma_metrics_init(struct ma_metrics *mm, struct mg_error *err);
void ma_metrics_release(struct ma_metrics *mm);
/* ma_metrics_bans_loaded - a refresh succeeded: the counts per kind
 * (n[MG_BAN_KINDS]) and now */
void ma_metrics_bans_loaded(struct ma_metrics *mm, const size_t *n);

#endif
