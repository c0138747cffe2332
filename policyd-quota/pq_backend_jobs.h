/*
 * pq_backend_jobs.h - what each kind of backend job asks Redis, and how
 * its replies are read
 *
 * Sans-IO: a table of per-kind request builders and reply parsers, per
 * round (a lookup needs a second round for the quota of an alias's one
 * target).  The worker (pq_backend.c) gathers the commands of a whole
 * batch into one pipeline per round and hands each job its replies.
 */
#ifndef PQ_BACKEND_JOBS_H
#define PQ_BACKEND_JOBS_H

#include <stddef.h>

#include <hiredis.h>

#include "mg_keys.h"
#include "pq_backend.h"

#define PQ_ROUNDS 2
#define PQ_CMD_ARGS 8

/* One command; argv points into the struct itself: do not copy it */
struct pq_cmd {
	int argc;
	const char *argv[PQ_CMD_ARGS];
	char key[MG_KEY_MAX];
	char a1[32], a2[32];
};

/* pq_job_max_cmds - the most commands one job of kind adds to a round */
size_t pq_job_max_cmds(enum pq_job_kind kind);

/* pq_job_build - the commands j needs in round (0 or 1) into cmds (room
 * for pq_job_max_cmds); how many (0: none this round) */
size_t pq_job_build(const struct mg_keys *keys, const struct pq_job *j,
		    int round, struct pq_cmd *cmds);

/* pq_job_parse - the replies to those commands (as many as built, in
 * order) into j's results; an unusable reply sets j->failed */
void pq_job_parse(struct pq_job *j, int round, redisReply *const *replies);

#endif
