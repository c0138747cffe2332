/*
 * pq_backend.c - the Redis worker and subscriber threads (see pq_backend.h)
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mg_log.h"
#include "pq_backend.h"

#define PQ_QUEUE_MAX 10000
#define PQ_BATCH_MAX 256

const char *const pq_stats_names[PQ_STATS_N] = {
	"requests", "passed", "deferred", "rejected", "errors",
	"cache_hits", "cache_misses", "refused_input",
};

struct jobq {
	struct pq_job *head, *tail;
	size_t n;
};

struct pq_backend {
	struct mg_redis_settings set;
	struct mg_keys keys;
	pthread_t worker, subscriber;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct jobq todo, done;
	int efd;
	int stopping;
	atomic_int subscribed;
};

static void
q_push(struct jobq *q, struct pq_job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->n++;
}

static void
signal_done(struct pq_backend *b)
{
	uint64_t one = 1;
	ssize_t w = write(b->efd, &one, sizeof(one));
	(void)w;
}

/* finish - move a batch to the done queue and wake the event loop */
static void
finish(struct pq_backend *b, struct pq_job *list)
{
	pthread_mutex_lock(&b->lock);
	while (list != NULL) {
		struct pq_job *next = list->next;
		if (list->kind == PQ_JOB_STATS)
			free(list);
		else
			q_push(&b->done, list);
		list = next;
	}
	pthread_mutex_unlock(&b->lock);
	signal_done(b);
}

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

struct cmd {
	int argc;
	const char *argv[6];
	char key[MG_KEY_MAX];
	char a1[32], a2[32];
};

/* run - one pipeline for n commands; 0, or -1 with err set */
static int
run(struct pq_backend *b, struct mg_redis *r, struct cmd *cmds, size_t n,
    redisReply **replies, struct mg_error *err)
{
	const char *const *argvs[PQ_BATCH_MAX * 2];
	int argcs[PQ_BATCH_MAX * 2];
	size_t i;

	(void)b;
	for (i = 0; i < n; i++) {
		argvs[i] = cmds[i].argv;
		argcs[i] = cmds[i].argc;
	}
	return mg_redis_pipeline(r, n, argcs, argvs, NULL, replies, err);
}

static void
free_replies(redisReply **replies, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (replies[i] != NULL)
			freeReplyObject(replies[i]);
}

static void
fail_all(struct pq_job *list, const struct mg_error *err)
{
	for (; list != NULL; list = list->next) {
		list->failed = 1;
		list->err = *err;
	}
}

/* serve - one batch: phase 1 aliases + quotas + defers + stats, phase 2
 * the quota of single-target aliases */
static int
serve(struct pq_backend *b, struct mg_redis *r, struct pq_job *list,
      struct mg_error *err)
{
	static struct cmd cmds[PQ_BATCH_MAX * 2 + PQ_STATS_N];
	redisReply *replies[PQ_BATCH_MAX * 2 + PQ_STATS_N];
	struct pq_job *j;
	size_t n = 0, k = 0, i;

	for (j = list; j != NULL; j = j->next) {
		struct cmd *c = &cmds[n];
		if (j->kind == PQ_JOB_LOOKUP) {
			mg_key_alias(&b->keys, j->addr, c->key, sizeof(c->key), NULL);
			c->argc = 2; c->argv[0] = "SMEMBERS"; c->argv[1] = c->key;
			c = &cmds[++n];
			mg_key_quota(&b->keys, j->addr, c->key, sizeof(c->key), NULL);
			c->argc = 2; c->argv[0] = "HGETALL"; c->argv[1] = c->key;
			n++;
		} else if (j->kind == PQ_JOB_DEFER) {
			mg_key_defer(&b->keys, j->addr, j->id, c->key, sizeof(c->key), NULL);
			snprintf(c->a1, sizeof(c->a1), "%lld", j->now);
			snprintf(c->a2, sizeof(c->a2), "%lld", j->ttl);
			c->argc = 6; c->argv[0] = "SET"; c->argv[1] = c->key;
			c->argv[2] = c->a1; c->argv[3] = "NX"; c->argv[4] = "EX";
			c->argv[5] = c->a2;
			cmds[n + 1] = *c;
			c = &cmds[++n];
			c->argc = 2; c->argv[0] = "GET"; c->argv[1] = c->key;
			n++;
		} else {
			char skey[MG_KEY_MAX];
			mg_key_stats(&b->keys, "policyd-quota", skey, sizeof(skey), NULL);
			for (i = 0; i < PQ_STATS_N; i++) {
				if (j->stats[i] == 0)
					continue;
				c = &cmds[n++];
				memcpy(c->key, skey, sizeof(skey));
				snprintf(c->a1, sizeof(c->a1), "%lld", j->stats[i]);
				c->argc = 4; c->argv[0] = "HINCRBY"; c->argv[1] = c->key;
				c->argv[2] = pq_stats_names[i]; c->argv[3] = c->a1;
			}
		}
	}
	if (n > 0 && run(b, r, cmds, n, replies, err) < 0)
		return -1;
	/* phase 1 results */
	for (j = list; j != NULL; j = j->next) {
		if (j->kind == PQ_JOB_LOOKUP) {
			redisReply *al = replies[k], *q = replies[k + 1];
			k += 2;
			if (al->type == REDIS_REPLY_ERROR || q->type == REDIS_REPLY_ERROR) {
				j->failed = 1;
				mg_error_set(&j->err, MG_ERR_REDIS_REPLY, "redis: %.100s",
					     al->type == REDIS_REPLY_ERROR ? al->str : q->str);
				continue;
			}
			j->ntargets = al->type == REDIS_REPLY_ARRAY ? (unsigned)al->elements : 0;
			if (j->ntargets == 1 && al->element[0]->type == REDIS_REPLY_STRING)
				snprintf(j->target, sizeof(j->target), "%s", al->element[0]->str);
			else
				parse_quota(q, &j->quota);
		} else if (j->kind == PQ_JOB_DEFER) {
			redisReply *g = replies[k + 1];
			k += 2;
			if (g->type != REDIS_REPLY_STRING) {
				j->failed = 1;
				mg_error_set(&j->err, MG_ERR_REDIS_REPLY,
					     "redis: no first-deferral record");
				continue;
			}
			j->first_deferral = strtoll(g->str, NULL, 10);
			if (j->first_deferral <= 0)     /* garbage from an edit */
				j->first_deferral = j->now;
		} else {
			for (i = 0; i < PQ_STATS_N; i++)
				if (j->stats[i] != 0)
					k++;
		}
	}
	free_replies(replies, n);
	/* phase 2: single-target aliases */
	n = 0;
	for (j = list; j != NULL; j = j->next) {
		if (j->kind != PQ_JOB_LOOKUP || j->failed || j->ntargets != 1)
			continue;
		mg_key_quota(&b->keys, j->target, cmds[n].key, sizeof(cmds[n].key), NULL);
		cmds[n].argc = 2; cmds[n].argv[0] = "HGETALL"; cmds[n].argv[1] = cmds[n].key;
		n++;
	}
	if (n == 0)
		return 0;
	if (run(b, r, cmds, n, replies, err) < 0)
		return -1;
	k = 0;
	for (j = list; j != NULL; j = j->next)
		if (j->kind == PQ_JOB_LOOKUP && !j->failed && j->ntargets == 1)
			parse_quota(replies[k++], &j->quota);
	free_replies(replies, n);
	return 0;
}

static void *
worker_main(void *arg)
{
	struct pq_backend *b = arg;
	struct mg_redis *r = mg_redis_new(&b->set);

	if (r == NULL)
		mg_fatalx("out of memory");
	mg_redis_set_outage_text(r, "answering with redis_error_action");
	for (;;) {
		struct pq_job *list = NULL, **tail = &list;
		struct mg_error err;
		size_t n = 0;

		pthread_mutex_lock(&b->lock);
		while (b->todo.head == NULL && !b->stopping)
			pthread_cond_wait(&b->wake, &b->lock);
		if (b->stopping) {
			pthread_mutex_unlock(&b->lock);
			break;
		}
		while (b->todo.head != NULL && n < PQ_BATCH_MAX) {
			struct pq_job *j = b->todo.head;
			b->todo.head = j->next;
			if (b->todo.head == NULL)
				b->todo.tail = NULL;
			b->todo.n--;
			j->next = NULL;
			*tail = j;
			tail = &j->next;
			n++;
		}
		pthread_mutex_unlock(&b->lock);

		mg_error_clear(&err);
		if (serve(b, r, list, &err) < 0)
			fail_all(list, &err);   /* outages: mg_redis reports them */
		finish(b, list);
	}
	mg_redis_free(&r);
	return NULL;
}

/* notify - queue an invalidation notice for the event loop */
static void
notify(struct pq_backend *b, const char *addr, int what)
{
	struct pq_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return;
	j->kind = PQ_JOB_LOOKUP;
	j->is_invalidation = what;
	snprintf(j->addr, sizeof(j->addr), "%s", addr);
	finish(b, j);
}

static void *
subscriber_main(void *arg)
{
	struct pq_backend *b = arg;
	struct mg_redis *r = mg_redis_new(&b->set);
	char channel[MG_KEY_MAX], payload[MG_ADDR_MAX + 1];
	struct mg_error err;

	if (r == NULL)
		mg_fatalx("out of memory");
	mg_redis_set_quiet(r, true);    /* the subscription's loss is said below */
	mg_key_quota_channel(&b->keys, channel, sizeof(channel), NULL);
	for (;;) {
		if (mg_redis_subscribe(r, channel, &err) < 0) {
			usleep(200 * 1000);
			continue;
		}
		/* changes may have been missed while unsubscribed */
		notify(b, "", 2);
		atomic_store(&b->subscribed, 1);
		while (mg_redis_read_message(r, payload, sizeof(payload), -1, &err) == 1)
			notify(b, payload, 1);
		atomic_store(&b->subscribed, 0);
		notify(b, "", 2);
		mg_warnx("quota change subscription lost (%s): cache disabled until resubscribed",
			 err.msg);
	}
	return NULL;
}

struct pq_backend *
pq_backend_start(const struct mg_redis_settings *set, const struct mg_keys *keys,
		 struct mg_error *err)
{
	struct pq_backend *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	b->set = *set;
	b->keys = *keys;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	if ((b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		mg_error_sys(err, "eventfd");
		free(b);
		return NULL;
	}
	if (pthread_create(&b->worker, NULL, worker_main, b) != 0 ||
	    pthread_create(&b->subscriber, NULL, subscriber_main, b) != 0) {
		mg_error_set(err, MG_ERR_SYS, "cannot start threads");
		return NULL;
	}
	pthread_detach(b->subscriber);
	return b;
}

void
pq_backend_stop(struct pq_backend **bp)
{
	struct pq_backend *b = *bp;

	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	b->stopping = 1;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->worker, NULL);
	/* the subscriber blocks in a read; the process is about to exit */
	*bp = NULL;
}

int
pq_backend_fd(const struct pq_backend *b)
{
	return b->efd;
}

int
pq_backend_submit(struct pq_backend *b, struct pq_job *job)
{
	pthread_mutex_lock(&b->lock);
	if (b->todo.n >= PQ_QUEUE_MAX) {
		pthread_mutex_unlock(&b->lock);
		return -1;
	}
	q_push(&b->todo, job);
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

struct pq_job *
pq_backend_take(struct pq_backend *b)
{
	struct pq_job *list;
	uint64_t v;
	ssize_t rd = read(b->efd, &v, sizeof(v));

	(void)rd;
	pthread_mutex_lock(&b->lock);
	list = b->done.head;
	b->done.head = b->done.tail = NULL;
	b->done.n = 0;
	pthread_mutex_unlock(&b->lock);
	return list;
}

int
pq_backend_subscribed(const struct pq_backend *b)
{
	return atomic_load(&((struct pq_backend *)b)->subscribed);
}
