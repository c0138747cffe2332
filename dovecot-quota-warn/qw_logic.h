/*
 * qw_logic.h - when to warn: thresholds and hysteresis, as pure functions
 *
 * Usage is a percentage of the limit (rounded down; an unlimited
 * resource counts as 0 %), the larger of bytes and messages when both are
 * watched.  Thresholds (e.g. "90 100") are claimed in Redis once crossed;
 * a notice is sent for the highest newly reached threshold only (a jump
 * from 70 % to 100 % sends the 100 % notice, and claims 90 % silently).
 * All claims are released when usage falls under the re-arm mark
 * (default 85 %), so the next crossing warns again.
 */
#ifndef QW_LOGIC_H
#define QW_LOGIC_H

#include <stdint.h>

#include "mg_error.h"

#define QW_MAX_THRESHOLDS 8

struct qw_thresholds {
	unsigned n;
	unsigned pct[QW_MAX_THRESHOLDS];     /* ascending, 1..100 */
};

struct qw_usage {
	uint64_t bytes, bytes_limit;         /* limit 0 = unlimited */
	uint64_t msgs, msgs_limit;
};

enum qw_resource { QW_RES_STORAGE = 1, QW_RES_MESSAGES = 2, QW_RES_BOTH = 3 };

struct qw_action {
	unsigned notify_pct;      /* threshold to announce, 0 = none */
	unsigned claim_mask;      /* bit i: claim pct[i] */
	unsigned release_mask;    /* bit i: release pct[i] */
};

/* qw_parse_thresholds - "90 100" or "80,90,100": 1..100, no duplicates */
int qw_parse_thresholds(const char *s, struct qw_thresholds *t,
			struct mg_error *err);
/* qw_parse_resource - "storage", "messages" or "both" */
int qw_parse_resource(const char *s, enum qw_resource *r);

/* qw_percent - floor(used * 100 / limit) without overflow; 0 if unlimited */
unsigned qw_percent(uint64_t used, uint64_t limit);
unsigned qw_usage_percent(const struct qw_usage *u, enum qw_resource res);

/* qw_decide - claimed_mask: bit i set when pct[i] is already claimed */
struct qw_action qw_decide(const struct qw_thresholds *t, unsigned rearm_pct,
			   unsigned percent, unsigned claimed_mask);

/* qw_near_limit - the mailbox, bytes or messages, is at or above the
 * re-arm mark or the lowest threshold: where warnings and the policy
 * daemon's answer depend on exact figures.  A look without a change
 * (LMTP's RCPT quota check, just before the delivery that publishes
 * anyway) is published only then, so the readers learn of a limit lowered
 * under the usage even when every delivery is refused. */
int qw_near_limit(const struct qw_thresholds *t, unsigned rearm_pct,
		       const struct qw_usage *u);

#endif
