/*
 * pq_backend_jobs.c - per-kind request builders and reply parsers (see
 * pq_backend_jobs.h)
 *
 *   kind     round 1                                round 2
 *   LOOKUP   SMEMBERS alias:{a}, HGETALL quota:{a}   HGETALL quota:{target}
 *   DEFER    SET defer:{m}:<id> now NX EX ttl, GET,  -
 *            HSET deferinfo:{m}:<id> sender S size N rcpt R,
 *            EXPIRE deferinfo:{m}:<id> ttl NX
 *   STATS    HINCRBY stats:policyd-quota:<host> name delta  -
 *   PEEK     GET defer:{m}:<id>                     -
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pq_backend_jobs.h"

const char *const pq_stats_names[PQ_STATS_N] = {
	"requests", "passed", "deferred", "rejected", "queued", "errors",
	"cache_hits", "cache_misses", "refused_input",
};

struct job_ops {
	size_t max_cmds;
	size_t (*build)(const struct mg_keys *keys, const struct pq_job *j,
			int round, struct pq_cmd *cmds);
	void (*parse)(struct pq_job *j, int round, redisReply *const *replies);
};

/* cmd2 - a two-word command on a key */
static void
cmd2(struct pq_cmd *c, const char *verb)
{
	c->argc = 2;
	c->argv[0] = verb;
	c->argv[1] = c->key;
}

/* reply_ll - an integer or numeric string reply as a number (0 otherwise) */
static long long
reply_ll(const redisReply *r)
{
	if (r->type == REDIS_REPLY_INTEGER)
		return r->integer;
	if (r->type == REDIS_REPLY_STRING)
		return strtoll(r->str, NULL, 10);
	return 0;
}

/* parse_quota - an HGETALL reply into a pq_quota */
static void
parse_quota(const redisReply *r, struct pq_quota *q)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements == 0)
		return;
	q->found = 1;
	for (i = 0; i + 1 < r->elements; i += 2) {
		const char *f = r->element[i]->str;
		long long v = reply_ll(r->element[i + 1]);
		if (f == NULL)
			continue;
		if (strcmp(f, MG_QF_BYTES) == 0) q->bytes = v;
		else if (strcmp(f, MG_QF_BYTES_LIMIT) == 0) q->bytes_limit = v;
		else if (strcmp(f, MG_QF_MSGS) == 0) q->msgs = v;
		else if (strcmp(f, MG_QF_MSGS_LIMIT) == 0) q->msgs_limit = v;
		else if (strcmp(f, MG_QF_UPDATED) == 0) q->updated = v;
	}
}

/* lookup_build - the alias set and the quota of addr; then the quota of
 * the one target */
static size_t
lookup_build(const struct mg_keys *keys, const struct pq_job *j, int round,
	     struct pq_cmd *cmds)
{
	if (round == 1) {
		if (j->ntargets != 1)
			return 0;
		mg_key_quota(keys, j->target, cmds[0].key, sizeof(cmds[0].key), NULL);
		cmd2(&cmds[0], "HGETALL");
		return 1;
	}
	mg_key_alias(keys, j->addr, cmds[0].key, sizeof(cmds[0].key), NULL);
	cmd2(&cmds[0], "SMEMBERS");
	mg_key_quota(keys, j->addr, cmds[1].key, sizeof(cmds[1].key), NULL);
	cmd2(&cmds[1], "HGETALL");
	return 2;
}

/* lookup_parse - an alias with one target waits for round 2; a list of
 * targets is reported as such; otherwise addr's own quota */
static void
lookup_parse(struct pq_job *j, int round, redisReply *const *replies)
{
	const redisReply *al, *q;

	if (round == 1) {
		parse_quota(replies[0], &j->quota);
		return;
	}
	al = replies[0];
	q = replies[1];
	if (al->type == REDIS_REPLY_ERROR || q->type == REDIS_REPLY_ERROR) {
		j->failed = 1;
		mg_error_set(&j->err, MG_ERR_REDIS_REPLY, "redis: %.100s",
			     al->type == REDIS_REPLY_ERROR ? al->str : q->str);
		return;
	}
	j->ntargets = al->type == REDIS_REPLY_ARRAY ? (unsigned)al->elements : 0;
	if (j->ntargets == 1 && al->element[0]->type == REDIS_REPLY_STRING)
		snprintf(j->target, sizeof(j->target), "%s", al->element[0]->str);
	else
		parse_quota(q, &j->quota);
}

/* defer_build - record the first deferral unless one exists, read it;
 * beside it what mailguard-ctl shows (sender, size, recipient), expiring
 * with it: EXPIRE NX sets the TTL only when the hash has none, so it is
 * the SET's own TTL, counted from the first deferral */
static size_t
defer_build(const struct mg_keys *keys, const struct pq_job *j, int round,
	    struct pq_cmd *cmds)
{
	struct pq_cmd *c = &cmds[0], *h = &cmds[2], *e = &cmds[3];

	if (round != 0)
		return 0;
	mg_key_defer(keys, j->addr, j->id, c->key, sizeof(c->key), NULL);
	snprintf(c->a1, sizeof(c->a1), "%lld", j->now);
	snprintf(c->a2, sizeof(c->a2), "%lld", j->ttl);
	c->argc = 6;
	c->argv[0] = "SET"; c->argv[1] = c->key; c->argv[2] = c->a1;
	c->argv[3] = "NX"; c->argv[4] = "EX"; c->argv[5] = c->a2;
	memcpy(cmds[1].key, c->key, sizeof(c->key));
	cmd2(&cmds[1], "GET");
	mg_key_deferinfo(keys, j->addr, j->id, h->key, sizeof(h->key), NULL);
	snprintf(h->a1, sizeof(h->a1), "%lld", j->size);
	h->argc = 8;
	h->argv[0] = "HSET"; h->argv[1] = h->key;
	h->argv[2] = MG_DF_SENDER; h->argv[3] = j->sender;
	h->argv[4] = MG_DF_SIZE; h->argv[5] = h->a1;
	h->argv[6] = MG_DF_RCPT; h->argv[7] = j->rcpt;
	memcpy(e->key, h->key, sizeof(h->key));
	snprintf(e->a1, sizeof(e->a1), "%lld", j->ttl);
	e->argc = 4;
	e->argv[0] = "EXPIRE"; e->argv[1] = e->key; e->argv[2] = e->a1;
	e->argv[3] = "NX";
	return 4;
}

/* take_first - a GET of a first-deferral record into j (nil: none yet,
 * when that is allowed) */
static void
take_first(struct pq_job *j, const redisReply *g, int nil_ok)
{
	j->first_deferral = 0;
	if (nil_ok && g->type == REDIS_REPLY_NIL)
		return;
	if (g->type != REDIS_REPLY_STRING) {
		j->failed = 1;
		mg_error_set(&j->err, MG_ERR_REDIS_REPLY,
			     "redis: no first-deferral record");
		return;
	}
	j->first_deferral = strtoll(g->str, NULL, 10);
	if (j->first_deferral <= 0)     /* garbage from an edit */
		j->first_deferral = j->now;
}

/* defer_parse - the time of the first deferral (the GET's answer); the
 * info's replies do not matter: a deferral without them still works */
static void
defer_parse(struct pq_job *j, int round, redisReply *const *replies)
{
	(void)round;
	take_first(j, replies[1], 0);
}

/* peek_build - read the first deferral, record nothing */
static size_t
peek_build(const struct mg_keys *keys, const struct pq_job *j, int round,
	   struct pq_cmd *cmds)
{
	if (round != 0)
		return 0;
	mg_key_defer(keys, j->addr, j->id, cmds[0].key, sizeof(cmds[0].key), NULL);
	cmd2(&cmds[0], "GET");
	return 1;
}

/* peek_parse - the recorded time, 0 when there is none */
static void
peek_parse(struct pq_job *j, int round, redisReply *const *replies)
{
	(void)round;
	take_first(j, replies[0], 1);
}

/* stats_build - one HINCRBY per counter that moved */
static size_t
stats_build(const struct mg_keys *keys, const struct pq_job *j, int round,
	    struct pq_cmd *cmds)
{
	size_t i, n = 0;

	if (round != 0)
		return 0;
	for (i = 0; i < PQ_STATS_N; i++) {
		struct pq_cmd *c = &cmds[n];
		if (j->stats[i] == 0)
			continue;
		mg_key_stats_host(keys, "policyd-quota", j->addr, c->key, sizeof(c->key), NULL);
		snprintf(c->a1, sizeof(c->a1), "%lld", j->stats[i]);
		c->argc = 4;
		c->argv[0] = "HINCRBY"; c->argv[1] = c->key;
		c->argv[2] = pq_stats_names[i]; c->argv[3] = c->a1;
		n++;
	}
	return n;
}

/* stats_parse - nothing to read: the counters are fire and forget */
static void
stats_parse(struct pq_job *j, int round, redisReply *const *replies)
{
	(void)j;
	(void)round;
	(void)replies;
}

static const struct job_ops ops[PQ_JOB_KINDS] = {
	[PQ_JOB_LOOKUP] = { 2, lookup_build, lookup_parse },
	[PQ_JOB_DEFER] = { 4, defer_build, defer_parse },
	[PQ_JOB_STATS] = { PQ_STATS_N, stats_build, stats_parse },
	[PQ_JOB_DEFER_PEEK] = { 1, peek_build, peek_parse },
};

/* pq_job_max_cmds - the kind's row of the table: its command budget */
size_t
pq_job_max_cmds(enum pq_job_kind kind)
{
	return ops[kind].max_cmds;
}

/* pq_job_build - the kind's request builder */
size_t
pq_job_build(const struct mg_keys *keys, const struct pq_job *j, int round,
	     struct pq_cmd *cmds)
{
	return ops[j->kind].build(keys, j, round, cmds);
}

/* pq_job_parse - the kind's reply parser */
void
pq_job_parse(struct pq_job *j, int round, redisReply *const *replies)
{
	ops[j->kind].parse(j, round, replies);
}
