/*
 * qw_known.h - a quota root's usage as the quota plugin last read it,
 * kept current with each committed transaction's deltas
 *
 * The quota backend computes the usage when a transaction sets its limits
 * (before a save) and the transaction commits its own byte and message
 * deltas right after.  Remembering that reading plus the deltas gives the
 * usage after the commit without a second count (with the `count`
 * backend a count opens every mailbox: O(messages) on maildir).  Another
 * process's concurrent change is not in it, so the plugin uses it only
 * when it is fresh and far from the limit (qw_near_limit), and reads the
 * quota again otherwise.  Pure functions; no Dovecot headers.
 */
#ifndef QW_KNOWN_H
#define QW_KNOWN_H

#include <stdint.h>

enum qw_known_res { QW_KNOWN_BYTES, QW_KNOWN_MSGS };

struct qw_known {
	int have[2];              /* indexed by enum qw_known_res */
	uint64_t value[2];
	long long read_ms[2];     /* when the backend read it */
};

/* qw_known_read - the backend has just read a value */
void qw_known_read(struct qw_known *k, enum qw_known_res r, uint64_t value,
		   long long now_ms);
/* qw_known_apply - a transaction committed these deltas; a result under
 * zero means the reading was wrong: forget it */
void qw_known_apply(struct qw_known *k, int64_t bytes_delta,
		    int64_t msgs_delta);
/* qw_known_forget - a recalculation or a failed update */
void qw_known_forget(struct qw_known *k);
/* qw_known_fresh - both values known and read at most max_age_ms ago */
int qw_known_fresh(const struct qw_known *k, long long now_ms,
		   long long max_age_ms);

#endif
