/*
 * qw_warn.h - claim the thresholds a mailbox crossed and send their
 * notices, without Dovecot headers
 *
 * After a publication (qw_publish.h), with the thresholds already claimed
 * in the warn hash: decide (qw_logic), release the claims under the
 * re-arm mark (HDEL), claim each threshold newly reached (HSETNX: only
 * the process that wins sends), compose the notice of the highest one
 * (qw_message) and deliver it through the Dovecot side's callback (INBOX
 * or submission).  A notice that cannot be composed or delivered gives
 * its claim back, so the next flush tries again.
 */
#ifndef QW_WARN_H
#define QW_WARN_H

#include <stddef.h>

#include "mg_error.h"
#include "mg_redis.h"
#include "qw_logic.h"
#include "qw_settings.h"

/* deliver the notice of this threshold (CRLF text) to the user; 0 with
 * *via_r naming the path taken ("inbox", "submission"), or -1 */
typedef int qw_deliver_fn(void *ctx, unsigned threshold, const char *msg,
			  size_t len, const char **via_r, const char **error_r);

/* The process's counters, added to K stats:dovecot-quota-warn:<host> with
 * HINCRBY in the next publication's pipeline (no round trip of their own) */
enum qw_count { QW_PUBLISHES, QW_PUBLISH_FAILURES, QW_WARNINGS_SENT,
		QW_WARNINGS_FAILED, QW_COUNTS };
extern const char *const qw_count_names[QW_COUNTS];

struct qw_warn_in {
	struct mg_redis *redis;
	const struct qw_settings *set;
	const char *username;
	const char *mailbox;          /* normalised (the keys' form) */
	const char *warnkey;          /* mg_key_warn() of the mailbox */
	const struct qw_usage *usage;
	unsigned claimed;             /* bit i: thresholds.pct[i] is claimed */
	unsigned long *sent;          /* the process's notice counter */
	unsigned long long *counts;   /* [QW_COUNTS]: warnings sent/failed added */
	qw_deliver_fn *deliver;
	void *deliver_ctx;
};

/* qw_warn_claimed - the claimed mask from the warn hash's HGETALL reply */
unsigned qw_warn_claimed(const redisReply *r, const struct qw_thresholds *t);

/* qw_warn - release, claim and announce; 0, or -1 when a claim could not
 * be made (Redis down: err set, the remaining claims are left for the
 * next flush) */
int qw_warn(const struct qw_warn_in *in, struct mg_error *err);

#endif
