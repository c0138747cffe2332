/*
 * ma_notifier.c - recipient notices: queue, dedup and rate in Redis, sending
 *
 * See ma_notifier.h.  The queue is a singly linked FIFO bounded by the
 * notice_queue setting of the config attached to each job; one worker
 * thread takes the jobs, so Redis and SMTP never hold up a milter thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ma_notifier.h"
#include "mg_addr.h"
#include "mg_keys.h"
#include "mg_log.h"
#include "mg_mail.h"
#include "mg_redis.h"
#include "mg_smtpc.h"

#define NOTICE_MAX (32 * 1024)
#define NOTICE_TTL_S (7 * 86400)
#define STOP_GRACE_S 5

struct job {
	struct job *next;
	struct ma_config *cfg;
	char *queue_id, *sender, *subject, *message_id, *file, *reason;
	char **rcpts;
	size_t n_rcpts;
	long long when;
};

struct ma_notifier {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	size_t queued;
	int stop;
	long long stop_deadline;
	/* worker-only */
	struct mg_redis *redis;
	struct ma_config *redis_cfg;   /* referenced */
	struct ma_stats *stats;
	struct mg_msgid msgids;        /* Message-IDs of the notices */
};

/* job_free - release a job and its strings */
static void
job_free(struct job *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n_rcpts; i++)
		free(j->rcpts[i]);
	free(j->rcpts);
	free(j->queue_id);
	free(j->sender);
	free(j->subject);
	free(j->message_id);
	free(j->file);
	free(j->reason);
	ma_config_unref(&j->cfg);
	free(j);
}

/* xdup - strdup that maps NULL to "" */
static char *
xdup(const char *s)
{
	return strdup(s ? s : "");
}

/* ma_notifier_submit - copy the local recipients and queue */
int
ma_notifier_submit(struct ma_notifier *n, struct ma_config *cfg,
		   const struct ma_notice_req *req, struct mg_error *err)
{
	struct job *j;
	size_t i;

	if (n == NULL || !cfg->notice_enable)
		return 1;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->rcpts = calloc(req->n_rcpts ? req->n_rcpts : 1, sizeof(char *))) == NULL)
		goto nomem;
	for (i = 0; i < req->n_rcpts; i++)
		if (mg_addr_in_domains(req->rcpts[i], &cfg->local_domains) &&
		    (j->rcpts[j->n_rcpts++] = strdup(req->rcpts[i])) == NULL)
			goto nomem;
	if (j->n_rcpts == 0) {
		job_free(j);
		return 1;
	}
	j->queue_id = xdup(req->queue_id);
	j->sender = xdup(req->sender);
	j->subject = xdup(req->subject);
	j->message_id = xdup(req->message_id);
	j->file = xdup(req->file);
	j->reason = xdup(req->reason);
	j->when = req->when;
	if (!j->queue_id || !j->sender || !j->subject || !j->message_id ||
	    !j->file || !j->reason)
		goto nomem;
	j->cfg = ma_config_ref(cfg);
	pthread_mutex_lock(&n->lock);
	if (n->stop || n->queued >= (size_t)cfg->notice_queue) {
		pthread_mutex_unlock(&n->lock);
		job_free(j);
		return mg_error_set(err, MG_ERR_LIMIT, "notice queue full");
	}
	if (n->tail)
		n->tail->next = j;
	else
		n->head = j;
	n->tail = j;
	n->queued++;
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->lock);
	return 0;
nomem:
	job_free(j);
	return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
}

/* redis_for - the worker's connection for this job's settings */
static struct mg_redis *
redis_for(struct ma_notifier *n, struct ma_config *cfg)
{
	if (n->redis_cfg != cfg) {
		mg_redis_free(&n->redis);
		ma_config_unref(&n->redis_cfg);
		n->redis = mg_redis_new(&cfg->redis);
		if (n->redis != NULL)
			mg_redis_set_outage_text(n->redis,
			    "sending notices without duplicate check");
		if (n->redis != NULL && n->stats != NULL && n->stats->metrics != NULL)
			mg_redis_set_metrics(n->redis, &n->stats->metrics->redis, "notices");
		n->redis_cfg = ma_config_ref(cfg);
	}
	return n->redis;
}

/* gate - 1 send, 0 skip (duplicate or over rate), -1 Redis unavailable;
 * key gets the dedup key (to release it when the send fails) */
static int
gate(struct ma_notifier *n, const struct job *j, const char *norm,
     const char *id, const char **why, char *key)
{
	struct mg_redis *r = redis_for(n, j->cfg);
	char rkey[MG_KEY_MAX];
	struct mg_keys k;
	struct mg_error err;
	redisReply *rep;
	long long count;

	if (r == NULL || mg_keys_init(&k, j->cfg->redis_prefix, &err) < 0)
		return -1;
	if (mg_key_notice(&k, norm, id, key, MG_KEY_MAX, &err) < 0)
		return -1;
	if (mg_redis_command(r, &rep, &err, "SET %s 1 NX EX %d", key,
			     NOTICE_TTL_S) < 0)
		return -1;
	if (rep->type == REDIS_REPLY_NIL) {
		freeReplyObject(rep);
		*why = "duplicate";
		return 0;
	}
	freeReplyObject(rep);
	if (mg_key_noticerate(&k, norm, rkey, sizeof(rkey), &err) < 0 ||
	    mg_redis_command(r, &rep, &err, "INCR %s", rkey) < 0)
		return 1;     /* deduplicated; the rate is unknown: send */
	count = rep->type == REDIS_REPLY_INTEGER ? rep->integer : 0;
	freeReplyObject(rep);
	if (count == 1 &&
	    mg_redis_command(r, &rep, &err, "EXPIRE %s 3600", rkey) == 0)
		freeReplyObject(rep);
	if (count > j->cfg->notice_rate) {
		*why = "rate_limited";
		return 0;
	}
	return 1;
}

/* log_notice - one key=value line per notice */
static void
log_notice(const struct job *j, const char *rcpt, const char *status,
	   const char *detail)
{
	struct mg_kv kv;

	mg_kv_init(&kv);
	mg_kv_add(&kv, "action", "notice");
	mg_kv_add(&kv, "queue_id", j->queue_id[0] ? j->queue_id : "-");
	mg_kv_add(&kv, "from", j->sender);
	mg_kv_add(&kv, "to", rcpt);
	mg_kv_add(&kv, "status", status);
	if (detail)
		mg_kv_add(&kv, "detail", detail);
	mg_log_kv(MG_LOG_INFO, &kv);
}

/* notice_id - <id> of the dedup key: sender and message id (or queue id) */
static void
notice_id(const struct job *j, char id[MG_KEYS_ID_LEN + 1])
{
	char idsrc[2048];
	int idlen;

	idlen = snprintf(idsrc, sizeof(idsrc), "%s\n%s", j->sender,
			 j->message_id[0] ? j->message_id : j->queue_id);
	if (idlen < 0 || (size_t)idlen >= sizeof(idsrc))
		idlen = (int)strlen(idsrc);
	mg_keys_id(idsrc, (size_t)idlen, id);
}

/* release - a notice not sent: drop its dedup key so that a later copy
 * of the message notifies */
static void
release(struct ma_notifier *n, const char *dkey)
{
	redisReply *rep;

	if (dkey[0] != '\0' && n->redis != NULL &&
	    mg_redis_command(n->redis, &rep, NULL, "DEL %s", dkey) == 0)
		freeReplyObject(rep);
}

/* send_one - build and send the notice for one recipient (gate passed:
 * g is 1, or -1 when Redis was unavailable) */
static void
send_one(struct ma_notifier *n, const struct job *j, const char *rcpt,
	 int g, const char *dkey, char *msg, size_t msgsz)
{
	const struct ma_notice_req req = {
		.queue_id = j->queue_id, .sender = j->sender,
		.subject = j->subject, .message_id = j->message_id,
		.file = j->file, .reason = j->reason, .when = j->when,
	};
	const char *rcpts[1] = { rcpt }, *dom = strrchr(rcpt, '@');
	char msgid[MG_MAIL_MSGID_MAX];
	long long now = (long long)time(NULL);
	struct mg_error err;
	int len;

	if (mg_msgid_next(&n->msgids, now, dom ? dom + 1 : NULL, msgid,
			  sizeof(msgid), &err) < 0 ||
	    (len = ma_notice_build(j->cfg, &req, rcpt, now, msgid, msg, msgsz,
				   &err)) < 0) {
		release(n, dkey);
		log_notice(j, rcpt, "failed", err.msg);
		return;
	}
	if (mg_smtpc_send(j->cfg->notice_smtp, "", rcpts, 1, msg, (size_t)len,
			  j->cfg->notice_timeout_ms, NULL, &err) < 0) {
		ma_stats_inc(n->stats, MA_ST_NOTICES_FAILED);
		release(n, dkey);
		log_notice(j, rcpt, "failed", err.msg);
		return;
	}
	ma_stats_inc(n->stats, MA_ST_NOTICES_SENT);
	log_notice(j, rcpt, "sent", g < 0 ? "dedup=unavailable" : NULL);
}

/* process - for each local recipient: dedup and rate gate, then send */
static void
process(struct ma_notifier *n, struct job *j)
{
	char norm[MG_ADDR_MAX + 1], id[MG_KEYS_ID_LEN + 1], dkey[MG_KEY_MAX];
	const char *why = NULL;
	struct mg_error err;
	char *msg;
	size_t i;
	int g;

	if ((msg = malloc(NOTICE_MAX)) == NULL)
		return;
	notice_id(j, id);
	for (i = 0; i < j->n_rcpts; i++) {
		if (mg_addr_normalize(j->rcpts[i], strlen(j->rcpts[i]), NULL,
				      norm, sizeof(norm), &err) < 0) {
			log_notice(j, j->rcpts[i], "skipped", "bad address");
			continue;
		}
		if (j->cfg->notice_smtp[0] == '\0') {
			log_notice(j, j->rcpts[i], "skipped", "no notice transport");
			continue;
		}
		dkey[0] = '\0';
		if ((g = gate(n, j, norm, id, &why, dkey)) == 0) {
			ma_stats_inc(n->stats, MA_ST_NOTICES_SKIPPED);
			log_notice(j, j->rcpts[i], "skipped", why);
			continue;
		}
		send_one(n, j, j->rcpts[i], g, dkey, msg, NOTICE_MAX);
	}
	free(msg);
}

/* worker - take jobs until stopped and drained (or the grace is over) */
static void *
worker(void *arg)
{
	struct ma_notifier *n = arg;
	struct job *j;

	pthread_mutex_lock(&n->lock);
	for (;;) {
		while (n->head == NULL && !n->stop)
			pthread_cond_wait(&n->cond, &n->lock);
		if (n->head == NULL ||
		    (n->stop && (long long)time(NULL) > n->stop_deadline))
			break;
		j = n->head;
		n->head = j->next;
		if (n->head == NULL)
			n->tail = NULL;
		n->queued--;
		pthread_mutex_unlock(&n->lock);
		process(n, j);
		job_free(j);
		pthread_mutex_lock(&n->lock);
	}
	while ((j = n->head) != NULL) {
		n->head = j->next;
		mg_warnx("notice for queue_id=%s dropped at shutdown", j->queue_id);
		job_free(j);
	}
	n->tail = NULL;
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

/* ma_notifier_start - start the worker */
struct ma_notifier *
ma_notifier_start(struct ma_stats *stats, struct mg_error *err)
{
	struct ma_notifier *n = calloc(1, sizeof(*n));
	int rc;

	if (n == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	n->stats = stats;
	mg_msgid_init(&n->msgids);
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	if ((rc = pthread_create(&n->thread, NULL, worker, n)) != 0) {
		errno = rc;
		mg_error_sys(err, "pthread_create");
		free(n);
		return NULL;
	}
	return n;
}

/* ma_notifier_stop - drain (bounded) and join */
void
ma_notifier_stop(struct ma_notifier **np)
{
	struct ma_notifier *n = *np;

	if (n == NULL)
		return;
	*np = NULL;
	pthread_mutex_lock(&n->lock);
	n->stop = 1;
	n->stop_deadline = (long long)time(NULL) + STOP_GRACE_S;
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	mg_redis_free(&n->redis);
	ma_config_unref(&n->redis_cfg);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->cond);
	free(n);
}
