/*
 * ma_notifier.h - tell local recipients that a message was not delivered
 *
 * The charter wants the recipient of a refused message informed.  The
 * milter hands a request to ma_notifier_submit() and replies at once; a
 * worker thread with a bounded queue then, for each recipient in
 * local_domains (mg_addr_in_domains; never anyone else: no backscatter):
 *   - SET K notice:{RCPT}:<id> 1 NX EX 7d  (<id> from sender + message id)
 *     so a message gets at most one notice per recipient;
 *   - INCR K noticerate:{RCPT} (EXPIRE 1h at the first) and skips the
 *     notice over notice_rate per hour;
 *   - builds the notice (ma_notice.h) with a Message-ID from the
 *     notifier's counter (mg_msgid_next) and sends it with an empty
 *     envelope sender through notice_smtp (mg_smtpc), the only transport.
 * When Redis is unreachable the notice is still sent (logged with
 * dedup=unavailable): informing the recipient wins over deduplication.
 */
#ifndef MA_NOTIFIER_H
#define MA_NOTIFIER_H

#include "ma_config.h"
#include "ma_notice.h"
#include "ma_stats.h"
#include "mg_error.h"

struct ma_notifier;

/* ma_notifier_start - stats (may be NULL) counts sent/skipped/failed */
struct ma_notifier *ma_notifier_start(struct ma_stats *stats,
				      struct mg_error *err);
/* ma_notifier_submit - queue a request (copied, with a reference on cfg);
 * 0 queued, 1 nothing to do (no local recipient), -1 queue full */
int ma_notifier_submit(struct ma_notifier *n, struct ma_config *cfg,
		       const struct ma_notice_req *req, struct mg_error *err);
/* ma_notifier_stop - finish the queued notices (each bounded by
 * notice_timeout), then stop the worker */
void ma_notifier_stop(struct ma_notifier **n);

#endif
