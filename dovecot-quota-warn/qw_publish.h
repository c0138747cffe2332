/*
 * qw_publish.h - publish a mailbox's quota and warn, without Dovecot headers
 *
 * The Dovecot side reads the quota and the settings and passes them in;
 * this module talks to Redis (common/mg_redis, short timeouts, one
 * connection per process), applies qw_logic and composes the mail
 * (qw_message); the Dovecot side delivers it through a callback.
 *
 * Settings (plugin {} or userdb extra fields), read at every flush:
 *   quota_warn_redis            host:port or /path (required, unless:)
 *   quota_warn_redis_sentinels  host:port... of Redis Sentinels (then the
 *                               master is asked for; _sentinel_master,
 *                               default "mailguard", _sentinel_password)
 *   quota_warn_redis_password, quota_warn_redis_db,
 *   quota_warn_redis_timeout    milliseconds (default 100)
 *   quota_warn_redis_prefix     default "mg:"
 *   quota_warn_state_ttl        seconds the quota hash lives (default 30 days)
 *   quota_warn_recipient_delimiter  default "+"
 *   quota_warn_thresholds       default "90 100"
 *   quota_warn_rearm            default 85
 *   quota_warn_resource         storage | messages | both (default both)
 *   quota_warn_language         fr | en (default fr)
 *   quota_warn_from             default postmaster@<the user's domain>
 *   quota_warn_subject, quota_warn_body, quota_warn_full_subject,
 *   quota_warn_full_body        templates (see qw_message.h)
 *   quota_warn_disable          yes: publish, but never warn (opt-out)
 *   quota_warn_submission_host, quota_warn_submission_timeout
 *                               read by the Dovecot side (how notices go)
 */
#ifndef QW_PUBLISH_H
#define QW_PUBLISH_H

#include <stddef.h>

#include "qw_logic.h"

struct qw_reading {
	const char *username;
	struct qw_usage usage;
	/* setting(ctx, "quota_warn_x"): the value or NULL */
	const char *(*setting)(void *ctx, const char *name);
	void *setting_ctx;
	/* a look without a change (LMTP's RCPT quota check): published only
	 * when qw_near_limit() says so */
	int probe;
};

/* deliver the notice of this threshold (CRLF text) to the user; 0 with
 * *via_r naming the path taken ("inbox", "submission"), or -1 */
typedef int qw_deliver_fn(void *ctx, unsigned threshold, const char *msg,
			  size_t len, const char **via_r, const char **error_r);

/* qw_publish_near_limit - qw_near_limit() with the user's settings */
int qw_publish_near_limit(const struct qw_reading *rd);
void qw_publish_flush(const struct qw_reading *rd, qw_deliver_fn *deliver,
		   void *deliver_ctx);
void qw_publish_deinit(void);

#endif
