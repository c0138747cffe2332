/*
 * pq_offline.h - policyd-quota -T RCPT [SENDER [SIZE]] [NAME=VALUE...]
 *
 * The answer policyd-quota would give to one RCPT request, and the state
 * it read, without Postfix.  The request is written as Postfix writes it
 * and parsed by pq_codec (extra NAME=VALUE words are attributes, e.g.
 * sasl_username=alice); the mailbox form, the deferral id, the limits and
 * the action lines come from pq_answer, the decision from pq_decide, the
 * Redis commands and their parsing from the daemon's job table
 * (pq_backend_jobs: the lookup, then PQ_JOB_DEFER_PEEK instead of the
 * recording SET NX).  Read-only: nothing is written to Redis, no notice
 * is queued.  Redis unusable: the redis_error_action answer, and why.
 */
#ifndef PQ_OFFLINE_H
#define PQ_OFFLINE_H

#include "pq_config.h"

/* exit codes of policyd-quota -T (policyd-quota(8)) */
enum pq_offline_exit {
	PQ_EXIT_DUNNO = 0,
	PQ_EXIT_REJECT = 1,
	PQ_EXIT_ERROR = 2,       /* usage, configuration, malformed address */
	PQ_EXIT_DEFER = 3,       /* DEFER_IF_PERMIT */
};

/* pq_offline_request - the words after RCPT: SENDER and SIZE first (either
 * may be left out; "<>" or "" is the null sender), then NAME=VALUE
 * attributes (NAME lowercase letters, digits and '_'); the request text
 * into out.  -1 and err for a bad size, a bad attribute, a value with a
 * line break, or a request over PQ_REQUEST_MAX. */
int pq_offline_request(const char *rcpt, char *const *words, int n_words,
		       char *out, size_t outsz, struct mg_error *err);

/* pq_offline_run - print the state read and the action line; returns
 * the exit code */
int pq_offline_run(const struct pq_config *cfg, const char *rcpt,
		   char *const *words, int n_words, int json);

#endif
