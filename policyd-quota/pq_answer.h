/*
 * pq_answer.h - what policyd-quota answers, composed from its settings
 *
 * The steps between the request and the action line that the daemon
 * (pq_server.c) and its offline test (-T, pq_offline.c) share, so the
 * test shows the daemon's answer and not a copy of it: the recipient's
 * mailbox form, the id of a deferral, the limits the decision uses, and
 * the action lines for a full mailbox and for a Redis failure.  Pure: no
 * I/O, the clock is an argument.
 */
#ifndef PQ_ANSWER_H
#define PQ_ANSWER_H

#include <stddef.h>

#include "mg_keys.h"
#include "pq_codec.h"
#include "pq_config.h"
#include "pq_decide.h"

#define PQ_ACTION_MAX 1000

/* pq_answer_mailbox - the recipient as the quota keys name it (delimiter
 * and default domain applied); -1 when it is no address (the daemon
 * answers DUNNO) */
int pq_answer_mailbox(const struct pq_config *cfg, const char *recipient,
		      char *out, size_t outsz, struct mg_error *err);

/* pq_answer_defer_id - the id of the deferral of (sender, size) */
void pq_answer_defer_id(const struct pq_config *cfg, const char *sender,
			long long size, char id[MG_KEYS_ID_LEN + 1]);

/* pq_answer_defer_ttl - seconds a first-deferral record is kept */
long long pq_answer_defer_ttl(const struct pq_config *cfg);

/* pq_answer_limits - the decision's limits from the settings */
void pq_answer_limits(const struct pq_config *cfg, struct pq_limits *lim);

/* pq_answer_full - a full mailbox whose first deferral is known: the
 * action line ("550 5.2.2 ..." or "DEFER_IF_PERMIT 4.2.2 ...") into
 * action (PQ_ACTION_MAX), and which one */
enum pq_verdict pq_answer_full(const struct pq_config *cfg,
			       const struct pq_request *req,
			       long long first_deferral, long long now,
			       char *action, size_t actionsz);

/* pq_answer_error - redis_error_action: "DEFER_IF_PERMIT 4.3.0 ..." (1)
 * or "DUNNO" (0) */
int pq_answer_error(const struct pq_config *cfg, const struct pq_request *req,
		    char *action, size_t actionsz);

#endif
