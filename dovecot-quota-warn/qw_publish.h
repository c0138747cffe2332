/*
 * qw_publish.h - publish a mailbox's quota to Redis, then warn, without
 * Dovecot headers
 *
 * The Dovecot side reads the quota and passes it in with the user's
 * settings (qw_settings.h, read once per user); this module keeps the
 * process's one Redis connection (common/mg_redis, short timeouts),
 * writes the quota hash and announces it in one pipelined round trip,
 * and hands the warning state it read back to qw_warn (claim, compose,
 * deliver through the Dovecot side's callback).
 */
#ifndef QW_PUBLISH_H
#define QW_PUBLISH_H

#include "qw_logic.h"
#include "qw_settings.h"
#include "qw_warn.h"

struct qw_reading {
	const char *username;
	const struct qw_settings *set;
	struct qw_usage usage;
};

/* qw_publish_flush - publish rd, then claim and announce the thresholds
 * it crossed; Redis trouble is logged once per outage, never returned */
void qw_publish_flush(const struct qw_reading *rd, qw_deliver_fn *deliver,
		      void *deliver_ctx);
/* qw_publish_deinit - close the process's Redis connection */
void qw_publish_deinit(void);

#endif
