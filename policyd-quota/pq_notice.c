/*
 * pq_notice.c - notices to local senders (see pq_notice.h)
 *
 * The texts are policyd-quota's; mg_mail composes the mail.  One worker
 * thread with a fixed ring of PQ_NOTICE_QUEUE entries sends them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mg_addr.h"
#include "mg_keys.h"
#include "mg_log.h"
#include "mg_mail.h"
#include "mg_redis.h"
#include "mg_smtpc.h"
#include "pq_notice.h"

#define PQ_NOTICE_QUEUE 256

struct notice {
	char sender[MG_ADDR_MAX + 1], rcpt[MG_ADDR_MAX + 1], mailbox[MG_ADDR_MAX + 1];
};

struct pq_notifier {
	const struct pq_config *cfg;     /* the config at start (copied fields below) */
	char smtp[256];
	long long timeout_ms;
	struct mg_redis_settings redis;
	struct mg_keys keys;
	struct mg_msgid msgids;          /* Message-IDs of the notices */
	const struct pq_metrics *pm;     /* NULL: not counted */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct notice q[PQ_NOTICE_QUEUE];
	unsigned head, n;
	int stop;
};

static const char *const subjects[] = {
	[MG_LANG_FR] = "Message en attente : boîte aux lettres du destinataire pleine",
	[MG_LANG_EN] = "Message delayed: the recipient's mailbox is full",
};

static const char *const bodies[] = {
	[MG_LANG_FR] =
		"Bonjour,\n\n"
		"Votre message pour %{rcpt} n'a pas encore pu être remis : la boîte "
		"aux lettres de ce destinataire est pleine.\n\n"
		"Il reste en file d'attente et sera retenté automatiquement pendant "
		"%{days} jours. Si la place n'a pas été libérée d'ici là, "
		"il vous sera renvoyé.\n\n"
		"Vous n'avez rien à faire ; vous pouvez prévenir le destinataire par "
		"un autre moyen.\n\n"
		"Ce message est envoyé automatiquement : merci de ne pas y répondre.\n",
	[MG_LANG_EN] =
		"Hello,\n\n"
		"Your message to %{rcpt} could not be delivered yet: the recipient's "
		"mailbox is full.\n\n"
		"It stays in the queue and will be retried automatically for %{days} days. "
		"If no space has been freed by then, it will be returned to you.\n\n"
		"There is nothing you need to do; you may tell the recipient by other means.\n\n"
		"This message was sent automatically: please do not reply.\n",
};

/* pq_notifier_wanted - a local sender, and a transport to tell it */
int
pq_notifier_wanted(const struct pq_config *cfg, const char *sender)
{
	return cfg->notice_smtp[0] != '\0' &&
	       mg_addr_in_domains(sender, &cfg->local_domains);
}

/* pq_notice_build - the texts, composed by mg_mail */
int
pq_notice_build(const struct pq_config *cfg, const char *sender,
		const char *rcpt, long long now, const char *message_id,
		char *out, size_t outsz, struct mg_error *err)
{
	char body[4096], days[24], from[MG_ADDR_MAX + 16];
	struct mg_tvar vars[2];
	const char *dom = mg_addr_domain(sender);
	static const struct mg_mail_hdr extra[] = { { "Precedence", "bulk" } };
	struct mg_mail m = {
		.from = from, .to = sender, .subject = subjects[cfg->language],
		.body = body, .date = now, .message_id = message_id,
		.auto_submitted = MG_MAIL_AUTO_GENERATED, .extra = extra, .n_extra = 1,
	};

	snprintf(days, sizeof(days), "%lld", cfg->defer_period_ms / 86400000);
	vars[0] = (struct mg_tvar){ "rcpt", rcpt };
	vars[1] = (struct mg_tvar){ "days", days };
	if (mg_template_expand(bodies[cfg->language], vars, 2, body, sizeof(body), err) < 0)
		return -1;
	if (cfg->notice_from[0] != '\0')
		snprintf(from, sizeof(from), "%s", cfg->notice_from);
	else
		snprintf(from, sizeof(from), "postmaster@%s", dom ? dom : "localhost");
	return mg_mail_compose(&m, out, outsz, err);
}

/* count - one notice's outcome in the metrics */
static void
count(const struct pq_notifier *nf, const char *status)
{
	if (nf->pm != NULL)
		mg_metric_inc(nf->pm->notices, status, NULL);
}

/* send_one - dedup in Redis, build, send; the claim is given back when
 * the notice could not be sent */
static void
send_one(struct pq_notifier *nf, struct mg_redis *r, const struct notice *no)
{
	char key[MG_KEY_MAX], id[MG_KEYS_ID_LEN + 1], msg[8192];
	char msgid[MG_MAIL_MSGID_MAX];
	long long now = (long long)time(NULL);
	const char *rcpts[1] = { no->sender };
	struct mg_error err;
	redisReply *reply = NULL;
	struct mg_kv kv;
	int n, fresh = 1;

	mg_keys_id(no->mailbox, strlen(no->mailbox), id);
	mg_key_fullnotice(&nf->keys, no->sender, id, key, sizeof(key), NULL);
	if (mg_redis_command(r, &reply, &err, "SET %s 1 NX EX 86400", key) == 0) {
		fresh = reply->type != REDIS_REPLY_NIL;
		freeReplyObject(reply);
	} else {
		/* without Redis: still tell the sender, at most once per deferral */
		mg_warnx("notice dedup unavailable: %s", err.msg);
	}
	if (!fresh) {
		count(nf, "skipped");
		return;
	}
	mg_kv_init(&kv);
	mg_kv_add(&kv, "action", "notice");
	mg_kv_add(&kv, "to", no->sender);
	mg_kv_add(&kv, "about", no->rcpt);
	if (mg_msgid_next(&nf->msgids, now, mg_addr_domain(no->sender), msgid,
			  sizeof(msgid), &err) < 0 ||
	    (n = pq_notice_build(nf->cfg, no->sender, no->rcpt, now, msgid,
				 msg, sizeof(msg), &err)) < 0 ||
	    mg_smtpc_send(nf->smtp, "", rcpts, 1, msg, (size_t)n, nf->timeout_ms,
			  NULL, &err) < 0) {
		(void)mg_redis_command(r, NULL, NULL, "DEL %s", key);
		mg_kv_add(&kv, "status", "failed");
		mg_kv_add(&kv, "detail", err.msg);
		mg_log_kv(MG_LOG_WARNING, &kv);
		count(nf, "failed");
		return;
	}
	count(nf, "sent");
	mg_kv_add(&kv, "status", "sent");
	mg_log_kv(MG_LOG_INFO, &kv);
}

/* notifier_main - the worker: take notices until stopped and drained */
static void *
notifier_main(void *arg)
{
	struct pq_notifier *nf = arg;
	struct mg_redis *r = mg_redis_new(&nf->redis);

	if (r != NULL && nf->pm != NULL)
		mg_redis_set_metrics(r, &nf->pm->redis, "notices");

	for (;;) {
		struct notice no;

		pthread_mutex_lock(&nf->lock);
		while (nf->n == 0 && !nf->stop)
			pthread_cond_wait(&nf->wake, &nf->lock);
		if (nf->n == 0 && nf->stop) {
			pthread_mutex_unlock(&nf->lock);
			break;
		}
		no = nf->q[nf->head];
		nf->head = (nf->head + 1) % PQ_NOTICE_QUEUE;
		nf->n--;
		pthread_mutex_unlock(&nf->lock);
		if (r != NULL)
			send_one(nf, r, &no);
	}
	mg_redis_free(&r);
	return NULL;
}

/* pq_notifier_start - NULL when notices are off (or on error) */
struct pq_notifier *
pq_notifier_start(const struct pq_config *cfg, const struct pq_metrics *pm,
		  struct mg_error *err)
{
	struct pq_notifier *nf;

	if (cfg->notice_smtp[0] == '\0' || cfg->local_domains.n == 0)
		return NULL;                 /* notices are off */
	if ((nf = calloc(1, sizeof(*nf))) == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	nf->cfg = cfg;
	nf->pm = pm;
	snprintf(nf->smtp, sizeof(nf->smtp), "%s", cfg->notice_smtp);
	nf->timeout_ms = cfg->notice_timeout_ms;
	nf->redis = cfg->redis;
	nf->keys = cfg->keys;
	mg_msgid_init(&nf->msgids);
	pthread_mutex_init(&nf->lock, NULL);
	pthread_cond_init(&nf->wake, NULL);
	if (pthread_create(&nf->thread, NULL, notifier_main, nf) != 0) {
		free(nf);
		mg_error_set(err, MG_ERR_SYS, "cannot start the notice thread");
		return NULL;
	}
	return nf;
}

/* pq_notifier_queue - copy into the ring; -1 when it is full */
int
pq_notifier_queue(struct pq_notifier *nf, const char *sender, const char *rcpt,
		  const char *mailbox)
{
	struct notice *no;

	pthread_mutex_lock(&nf->lock);
	if (nf->n == PQ_NOTICE_QUEUE) {
		pthread_mutex_unlock(&nf->lock);
		return -1;
	}
	no = &nf->q[(nf->head + nf->n) % PQ_NOTICE_QUEUE];
	snprintf(no->sender, sizeof(no->sender), "%s", sender);
	snprintf(no->rcpt, sizeof(no->rcpt), "%s", rcpt);
	snprintf(no->mailbox, sizeof(no->mailbox), "%s", mailbox);
	nf->n++;
	pthread_cond_signal(&nf->wake);
	pthread_mutex_unlock(&nf->lock);
	return 0;
}

/* pq_notifier_stop - send what is queued, join, free */
void
pq_notifier_stop(struct pq_notifier **nfp)
{
	struct pq_notifier *nf = *nfp;

	if (nf == NULL)
		return;
	pthread_mutex_lock(&nf->lock);
	nf->stop = 1;
	pthread_cond_signal(&nf->wake);
	pthread_mutex_unlock(&nf->lock);
	pthread_join(nf->thread, NULL);
	free(nf);
	*nfp = NULL;
}
