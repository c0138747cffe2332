/*
 * ma_inspect.h - the pool of inspector processes (milter-attach-inspect(8))
 *
 * Started once at launch, before libmilter's threads serve: N helpers
 * spawned with posix_spawn, each on a SOCK_SEQPACKET socketpair.  A
 * message's walker (scan.h) calls ma_inspect_list() for a spooled carrier:
 * it takes a free helper (waiting at most 30 s), sends the request with
 * the descriptor (insp_proto.h) and reads MEMBER... END within
 * inspect_timeout.  A timeout, a crash, garbage or no free helper costs
 * that carrier SCAN_ANOM_INSPECT_FAILED and one log line
 * (action=inspect status=failed detail=...); the helper is killed and
 * started again.  With no workers (inspect_workers = 0), insp_list() runs
 * in the milter itself: for debugging only.
 */
#ifndef MA_INSPECT_H
#define MA_INSPECT_H

#include "ma_config.h"
#include "mg_error.h"
#include "mg_metrics.h"
#include "scan.h"

struct ma_inspect;

/* ma_inspect_start - the pool for cfg's inspect_* keys; NULL and err
 * when a helper cannot be started */
struct ma_inspect *ma_inspect_start(const struct ma_config *cfg,
				    struct mg_error *err);
/* ma_inspect_set_metrics - count each failed inspection in failures
 * (label: the detail word of its log line); before libmilter's threads */
void ma_inspect_set_metrics(struct ma_inspect *p, struct mg_metric *failures);
/* ma_inspect_stop - kill the helpers, wait for them, free; NULL */
void ma_inspect_stop(struct ma_inspect **p);

/* ma_inspect_list - a scan_inspect_fn (scan.h); ctx is the pool */
unsigned ma_inspect_list(void *ctx, int fd, unsigned long long size,
			 const char *carrier_name, unsigned max_depth,
			 unsigned max_entries, scan_inspect_member_fn *cb,
			 void *cbctx);

/* ma_inspect_check - for -t and at start: the helper is an executable
 * file (when workers > 0), the spool directory a writable directory */
int ma_inspect_check(const struct ma_config *cfg, struct mg_error *err);

#endif
