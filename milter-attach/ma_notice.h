/*
 * ma_notice.h - tell local recipients that a message was not delivered
 *
 * The charter wants the recipient of a refused message informed.  The
 * milter hands a request to ma_notifier_submit() and replies at once; a
 * worker thread with a bounded queue then, for each recipient in
 * local_domains (never anyone else: no backscatter):
 *   - SET K notice:{RCPT}:<id> 1 NX EX 7d  (<id> from sender + message id)
 *     so a message gets at most one notice per recipient;
 *   - INCR K noticerate:{RCPT} (EXPIRE 1h at the first) and skips the
 *     notice over notice_rate per hour;
 *   - builds the notice (ma_notice_build: UTF-8 quoted-printable body,
 *     RFC 2047 Subject, Auto-Submitted: auto-generated, Date, Message-ID)
 *     and sends it with an empty envelope sender through notice_smtp
 *     (mg_smtpc) or notice_sendmail (-i -f <> -- rcpt).
 * When Redis is unreachable the notice is still sent (logged with
 * dedup=unavailable): informing the recipient wins over deduplication.
 */
#ifndef MA_NOTICE_H
#define MA_NOTICE_H

#include <stddef.h>

#include "ma_config.h"
#include "ma_stats.h"
#include "mg_error.h"

struct ma_notice_req {
	const char *queue_id;
	const char *sender;          /* envelope sender, without <> */
	const char *const *rcpts;    /* envelope recipients, without <> */
	size_t n_rcpts;
	const char *subject;         /* Subject header as received (may be "") */
	const char *message_id;      /* Message-ID header (may be "") */
	const char *file;            /* offending file name */
	const char *reason;          /* reason phrase for people */
	long long when;              /* unix seconds of reception */
};

/* ma_rcpt_is_local - 1 when the (normalised) address's domain is listed */
int ma_rcpt_is_local(const struct ma_config *cfg, const char *rcpt);

/* ma_notice_build - the whole notice message for one recipient into out
 * (LF line ends).  Returns its length or -1 (MG_ERR_LIMIT / PARSE). */
int ma_notice_build(const struct ma_config *cfg, const struct ma_notice_req *req,
		    const char *rcpt, long long now, const char *msgid_token,
		    char *out, size_t outsz, struct mg_error *err);

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
