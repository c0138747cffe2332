/*
 * pq_notice.c - notices to local senders (see pq_notice.h)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mg_addr.h"
#include "mg_keys.h"
#include "mg_log.h"
#include "mg_redis.h"
#include "mg_smtpc.h"
#include "pq_notice.h"

#define PQ_NOTICE_QUEUE 256

struct notice {
	char sender[MG_ADDR_MAX + 1], rcpt[MG_ADDR_MAX + 1], mailbox[MG_ADDR_MAX + 1];
};

struct pq_notifier {
	const struct pq_config *cfg;     /* the config at start (copied fields below) */
	char smtp[256], from[MG_ADDR_MAX + 1];
	long long timeout_ms, days;
	int lang;
	struct mg_redis_settings redis;
	struct mg_keys keys;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct notice q[PQ_NOTICE_QUEUE];
	unsigned head, n;
	int stop;
};

static const char *const subjects[] = {
	[MG_LANG_FR] = "Message en attente : boite aux lettres du destinataire pleine",
	[MG_LANG_EN] = "Message delayed: the recipient's mailbox is full",
};

static const char *const bodies[] = {
	[MG_LANG_FR] =
		"Bonjour,\n\n"
		"Votre message pour %{rcpt} n'a pas encore pu \xc3\xaatre remis : la bo\xc3\xaete "
		"aux lettres de ce destinataire est pleine.\n\n"
		"Il reste en file d'attente et sera retent\xc3\xa9 automatiquement pendant "
		"%{days} jours. Si la place n'a pas \xc3\xa9t\xc3\xa9 lib\xc3\xa9r\xc3\xa9""e d'ici l\xc3\xa0, "
		"il vous sera renvoy\xc3\xa9.\n\n"
		"Vous n'avez rien \xc3\xa0 faire ; vous pouvez pr\xc3\xa9venir le destinataire par "
		"un autre moyen.\n\n"
		"Ce message est envoy\xc3\xa9 automatiquement : merci de ne pas y r\xc3\xa9pondre.\n",
	[MG_LANG_EN] =
		"Hello,\n\n"
		"Your message to %{rcpt} could not be delivered yet: the recipient's "
		"mailbox is full.\n\n"
		"It stays in the queue and will be retried automatically for %{days} days. "
		"If no space has been freed by then, it will be returned to you.\n\n"
		"There is nothing you need to do; you may tell the recipient by other means.\n\n"
		"This message was sent automatically: please do not reply.\n",
};

int
pq_notifier_wanted(const struct pq_config *cfg, const char *sender)
{
	const char *dom = mg_addr_domain(sender);
	size_t i;

	if (sender[0] == '\0' || dom == NULL || cfg->notice_smtp[0] == '\0')
		return 0;
	for (i = 0; i < cfg->local_domains.n; i++)
		if (strcasecmp(dom, cfg->local_domains.v[i]) == 0)
			return 1;
	return 0;
}

int
pq_notice_build(const struct pq_config *cfg, const char *sender,
		const char *rcpt, long long now, char *out, size_t outsz,
		struct mg_error *err)
{
	char body[4096], days[24], date[64], from[MG_ADDR_MAX + 16];
	struct mg_tvar vars[2];
	const char *dom = mg_addr_domain(sender);
	time_t t = (time_t)now;
	struct tm tm;
	int n;

	snprintf(days, sizeof(days), "%lld", cfg->defer_period_ms / 86400000);
	vars[0] = (struct mg_tvar){ "rcpt", rcpt };
	vars[1] = (struct mg_tvar){ "days", days };
	if (mg_template_expand(bodies[cfg->language], vars, 2, body, sizeof(body), err) < 0)
		return -1;
	if (cfg->notice_from[0] != '\0')
		snprintf(from, sizeof(from), "%s", cfg->notice_from);
	else
		snprintf(from, sizeof(from), "postmaster@%s", dom ? dom : "localhost");
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	n = snprintf(out, outsz,
		     "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
		     "Message-ID: <fullnotice.%lld.%u@%s>\r\n"
		     "Auto-Submitted: auto-generated\r\nPrecedence: bulk\r\n"
		     "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		     "Content-Transfer-Encoding: 8bit\r\n\r\n%s",
		     from, sender, subjects[cfg->language], date, now,
		     (unsigned)rand(), dom ? dom : "localhost", body);
	if (n < 0 || (size_t)n >= outsz)
		return mg_error_set(err, MG_ERR_LIMIT, "notice too large");
	return n;
}

static void
send_one(struct pq_notifier *nf, struct mg_redis *r, const struct notice *no)
{
	char key[MG_KEY_MAX], id[MG_KEYS_ID_LEN + 1], msg[8192];
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
	if (!fresh)
		return;
	mg_kv_init(&kv);
	mg_kv_add(&kv, "action", "notice");
	mg_kv_add(&kv, "to", no->sender);
	mg_kv_add(&kv, "about", no->rcpt);
	if ((n = pq_notice_build(nf->cfg, no->sender, no->rcpt, (long long)time(NULL),
				 msg, sizeof(msg), &err)) < 0 ||
	    mg_smtpc_send(nf->smtp, "", rcpts, 1, msg, (size_t)n, nf->timeout_ms,
			  NULL, &err) < 0) {
		(void)mg_redis_command(r, NULL, NULL, "DEL %s", key);
		mg_kv_add(&kv, "error", err.msg);
		mg_log_kv(MG_LOG_WARNING, &kv);
		return;
	}
	mg_log_kv(MG_LOG_INFO, &kv);
}

static void *
notifier_main(void *arg)
{
	struct pq_notifier *nf = arg;
	struct mg_redis *r = mg_redis_new(&nf->redis);

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

struct pq_notifier *
pq_notifier_start(const struct pq_config *cfg, struct mg_error *err)
{
	struct pq_notifier *nf;

	if (cfg->notice_smtp[0] == '\0' || cfg->local_domains.n == 0)
		return NULL;                 /* notices are off */
	if ((nf = calloc(1, sizeof(*nf))) == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	nf->cfg = cfg;
	snprintf(nf->smtp, sizeof(nf->smtp), "%s", cfg->notice_smtp);
	nf->timeout_ms = cfg->notice_timeout_ms;
	nf->redis = cfg->redis;
	nf->keys = cfg->keys;
	pthread_mutex_init(&nf->lock, NULL);
	pthread_cond_init(&nf->wake, NULL);
	if (pthread_create(&nf->thread, NULL, notifier_main, nf) != 0) {
		free(nf);
		mg_error_set(err, MG_ERR_SYS, "cannot start the notice thread");
		return NULL;
	}
	return nf;
}

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
