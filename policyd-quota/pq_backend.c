/*
 * pq_backend.c - the Redis worker and subscriber threads (see pq_backend.h)
 *
 * worker:     wait for jobs -> take a batch (bounded by jobs and by the
 *             commands they may need) -> per round, one pipeline built and
 *             read through pq_backend_jobs -> hand the batch back
 * subscriber: SUBSCRIBE quota-changed -> flush -> one invalidation per
 *             message -> on loss, flush and subscribe again
 * Both threads end when pq_backend_stop() writes the stop eventfd and
 * raises `stopping`; the subscriber's blocking read watches that fd.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mg_log.h"
#include "mg_redis.h"
#include "pq_backend.h"
#include "pq_backend_jobs.h"

#define PQ_QUEUE_MAX 10000
#define PQ_BATCH_MAX 256
#define PQ_CMDS_MAX (PQ_BATCH_MAX * 4 + PQ_STATS_N)   /* a batch of DEFER jobs fits */
#define PQ_RESUBSCRIBE_MS 200

struct jobq {
	struct pq_job *head, *tail;
	size_t n;
};

/* The worker's scratch space for one batch (owned by the worker thread) */
struct worker {
	struct mg_redis *redis;
	struct pq_cmd cmds[PQ_CMDS_MAX];
	redisReply *replies[PQ_CMDS_MAX];
	const char *const *argvs[PQ_CMDS_MAX];
	int argcs[PQ_CMDS_MAX];
	size_t first[PQ_BATCH_MAX], count[PQ_BATCH_MAX];
};

struct pq_backend {
	struct mg_keys keys;
	struct worker *w;
	struct mg_redis *sub_redis;      /* the subscriber's */
	pthread_t worker, subscriber;
	int worker_started, subscriber_started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* under lock */
	struct jobq todo, done;
	struct pq_invalidation *inval_head, *inval_tail;
	int flush;
	int stopping;
	/* descriptors */
	int efd;                         /* events waiting (to the event loop) */
	int stopfd;                      /* stop asked (to the threads) */
	atomic_int subscribed;
};

/* q_push - append a job */
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

/* free_jobs - a list of jobs */
static void
free_jobs(struct pq_job *j)
{
	while (j != NULL) {
		struct pq_job *next = j->next;
		free(j);
		j = next;
	}
}

/* free_invalidations - a list of invalidations */
static void
free_invalidations(struct pq_invalidation *v)
{
	while (v != NULL) {
		struct pq_invalidation *next = v->next;
		free(v);
		v = next;
	}
}

/* wake_loop - tell the event loop that events wait */
static void
wake_loop(struct pq_backend *b)
{
	uint64_t one = 1;
	ssize_t w = write(b->efd, &one, sizeof(one));
	(void)w;
}

/* finish - move a batch to the done queue (STATS jobs end here) */
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
	wake_loop(b);
}

/* pipeline - send n built commands in one round trip */
static int
pipeline(struct worker *w, size_t n, struct mg_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		w->argvs[i] = w->cmds[i].argv;
		w->argcs[i] = w->cmds[i].argc;
	}
	return mg_redis_pipeline(w->redis, n, w->argcs, w->argvs, NULL,
				 w->replies, err);
}

/* serve - one batch, round by round: every job's commands in one
 * pipeline, then every job reads its replies; -1 when Redis failed */
static int
serve(struct pq_backend *b, struct pq_job *list, struct mg_error *err)
{
	struct worker *w = b->w;
	struct pq_job *j;
	size_t n, i, k;
	int round;

	for (round = 0; round < PQ_ROUNDS; round++) {
		for (n = 0, i = 0, j = list; j != NULL; j = j->next, i++) {
			w->first[i] = n;
			w->count[i] = j->failed ? 0 :
				pq_job_build(&b->keys, j, round, &w->cmds[n]);
			n += w->count[i];
		}
		if (n == 0)
			continue;
		if (pipeline(w, n, err) < 0)
			return -1;
		for (i = 0, j = list; j != NULL; j = j->next, i++)
			if (w->count[i] > 0)
				pq_job_parse(j, round, &w->replies[w->first[i]]);
		for (k = 0; k < n; k++)
			freeReplyObject(w->replies[k]);
	}
	return 0;
}

/* fail_all - every job of the batch gets the Redis error */
static void
fail_all(struct pq_job *list, const struct mg_error *err)
{
	for (; list != NULL; list = list->next) {
		list->failed = 1;
		list->err = *err;
	}
}

/* take_batch - wait for jobs, then take as many as one batch holds:
 * PQ_BATCH_MAX jobs whose commands fit PQ_CMDS_MAX.  NULL: stopping. */
static struct pq_job *
take_batch(struct pq_backend *b)
{
	struct pq_job *list = NULL, **tail = &list;
	size_t n = 0, cmds = 0;

	pthread_mutex_lock(&b->lock);
	while (b->todo.head == NULL && !b->stopping)
		pthread_cond_wait(&b->wake, &b->lock);
	while (!b->stopping && b->todo.head != NULL && n < PQ_BATCH_MAX &&
	       cmds + pq_job_max_cmds(b->todo.head->kind) <= PQ_CMDS_MAX) {
		struct pq_job *j = b->todo.head;
		b->todo.head = j->next;
		if (b->todo.head == NULL)
			b->todo.tail = NULL;
		b->todo.n--;
		j->next = NULL;
		*tail = j;
		tail = &j->next;
		cmds += pq_job_max_cmds(j->kind);
		n++;
	}
	pthread_mutex_unlock(&b->lock);
	return list;
}

/* worker_main - serve batches until stopped */
static void *
worker_main(void *arg)
{
	struct pq_backend *b = arg;
	struct pq_job *list;

	while ((list = take_batch(b)) != NULL) {
		struct mg_error err;

		mg_error_clear(&err);
		if (serve(b, list, &err) < 0)
			fail_all(list, &err);   /* outages: mg_redis reports them */
		finish(b, list);
	}
	return NULL;
}

/* invalidate - queue one changed mailbox for the event loop; one that
 * cannot be queued turns into a flush (never a stale cache entry) */
static void
invalidate(struct pq_backend *b, const char *addr)
{
	struct pq_invalidation *v = calloc(1, sizeof(*v));

	pthread_mutex_lock(&b->lock);
	if (v == NULL) {
		b->flush = 1;
	} else {
		snprintf(v->addr, sizeof(v->addr), "%s", addr);
		if (b->inval_tail)
			b->inval_tail->next = v;
		else
			b->inval_head = v;
		b->inval_tail = v;
	}
	pthread_mutex_unlock(&b->lock);
	wake_loop(b);
}

/* flush - changes may have been missed: the event loop drops everything */
static void
flush(struct pq_backend *b)
{
	pthread_mutex_lock(&b->lock);
	b->flush = 1;
	pthread_mutex_unlock(&b->lock);
	wake_loop(b);
}

/* stop_asked - wait up to ms for the stop descriptor; 1 when stopping */
static int
stop_asked(const struct pq_backend *b, int ms)
{
	struct pollfd p = { .fd = b->stopfd, .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

/* subscriber_main - hold the subscription until stopped */
static void *
subscriber_main(void *arg)
{
	struct pq_backend *b = arg;
	char channel[MG_KEY_MAX], payload[MG_ADDR_MAX + 1];
	struct mg_error err;
	int rc;

	mg_key_quota_channel(&b->keys, channel, sizeof(channel), NULL);
	while (!stop_asked(b, 0)) {
		if (mg_redis_subscribe(b->sub_redis, channel, &err) < 0) {
			(void)stop_asked(b, PQ_RESUBSCRIBE_MS);
			continue;
		}
		/* changes may have been missed while unsubscribed */
		flush(b);
		atomic_store(&b->subscribed, 1);
		while ((rc = mg_redis_read_message(b->sub_redis, payload, sizeof(payload),
						   b->stopfd, &err)) == 1)
			invalidate(b, payload);
		atomic_store(&b->subscribed, 0);
		if (rc == 0)
			break;                  /* stopping */
		flush(b);
		mg_warnx("quota change subscription lost (%s): cache disabled until resubscribed",
			 err.msg);
	}
	return NULL;
}

/* backend_free - everything pq_backend_start made, threads already ended */
static void
backend_free(struct pq_backend *b)
{
	free_jobs(b->todo.head);
	free_jobs(b->done.head);
	free_invalidations(b->inval_head);
	if (b->w != NULL)
		mg_redis_free(&b->w->redis);
	free(b->w);
	mg_redis_free(&b->sub_redis);
	if (b->efd >= 0)
		close(b->efd);
	if (b->stopfd >= 0)
		close(b->stopfd);
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->wake);
	free(b);
}

/* join_threads - ask both threads to stop and wait for them */
static void
join_threads(struct pq_backend *b)
{
	uint64_t one = 1;
	ssize_t w;

	pthread_mutex_lock(&b->lock);
	b->stopping = 1;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
	w = write(b->stopfd, &one, sizeof(one));
	(void)w;
	if (b->worker_started)
		pthread_join(b->worker, NULL);
	if (b->subscriber_started)
		pthread_join(b->subscriber, NULL);
	b->worker_started = b->subscriber_started = 0;
}

/* new_clients - the worker's scratch space and both Redis clients */
static int
new_clients(struct pq_backend *b, const struct mg_redis_settings *set,
	    const struct mg_redis_metrics *rm, struct mg_error *err)
{
	if ((b->w = calloc(1, sizeof(*b->w))) == NULL ||
	    (b->w->redis = mg_redis_new(set)) == NULL ||
	    (b->sub_redis = mg_redis_new(set)) == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	mg_redis_set_outage_text(b->w->redis, "answering with redis_error_action");
	/* the subscription's loss is said by the subscriber itself */
	mg_redis_set_quiet(b->sub_redis, true);
	if (rm != NULL) {
		mg_redis_set_metrics(b->w->redis, rm, "lookups");
		mg_redis_set_metrics(b->sub_redis, rm, "subscription");
	}
	return 0;
}

/* pq_backend_start - descriptors, Redis clients, then the two threads */
struct pq_backend *
pq_backend_start(const struct mg_redis_settings *set, const struct mg_keys *keys,
		 const struct mg_redis_metrics *rm, struct mg_error *err)
{
	struct pq_backend *b = calloc(1, sizeof(*b));
	int rc;

	if (b == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	b->keys = *keys;
	b->efd = b->stopfd = -1;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	if ((b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
	    (b->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		mg_error_sys(err, "eventfd");
		goto fail;
	}
	if (new_clients(b, set, rm, err) < 0)
		goto fail;
	if ((rc = pthread_create(&b->worker, NULL, worker_main, b)) != 0)
		goto fail_thread;
	b->worker_started = 1;
	if ((rc = pthread_create(&b->subscriber, NULL, subscriber_main, b)) != 0)
		goto fail_thread;
	b->subscriber_started = 1;
	return b;
fail_thread:
	errno = rc;
	mg_error_sys(err, "cannot start the Redis threads");
	join_threads(b);
fail:
	backend_free(b);
	return NULL;
}

/* pq_backend_stop - join both threads and free everything */
void
pq_backend_stop(struct pq_backend **bp)
{
	struct pq_backend *b = *bp;

	if (b == NULL)
		return;
	*bp = NULL;
	join_threads(b);
	backend_free(b);
}

/* pq_backend_fd - the eventfd the event loop watches */
int
pq_backend_fd(const struct pq_backend *b)
{
	return b->efd;
}

/* pq_backend_submit - queue a job for the worker, bounded */
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

/* pq_backend_take - hand over every waiting event at once */
void
pq_backend_take(struct pq_backend *b, struct pq_events *ev)
{
	uint64_t v;
	ssize_t rd = read(b->efd, &v, sizeof(v));

	(void)rd;
	pthread_mutex_lock(&b->lock);
	ev->flush = b->flush;
	ev->invalidations = b->inval_head;
	ev->done = b->done.head;
	b->flush = 0;
	b->inval_head = b->inval_tail = NULL;
	b->done.head = b->done.tail = NULL;
	b->done.n = 0;
	pthread_mutex_unlock(&b->lock);
}

/* pq_backend_events_free - free what pq_backend_take handed over */
void
pq_backend_events_free(struct pq_events *ev)
{
	free_invalidations(ev->invalidations);
	free_jobs(ev->done);
	ev->invalidations = NULL;
	ev->done = NULL;
	ev->flush = 0;
}

/* pq_backend_subscribed - whether the subscriber holds its subscription */
int
pq_backend_subscribed(const struct pq_backend *b)
{
	return atomic_load(&((struct pq_backend *)b)->subscribed);
}
