/*
 * ma_notice.c - recipient notices: building, dedup/rate in Redis, sending
 *
 * See ma_notice.h.  The queue is a singly linked FIFO bounded by the
 * notice_queue setting of the config attached to each job.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ma_notice.h"
#include "ma_texts.h"
#include "mg_addr.h"
#include "mg_keys.h"
#include "mg_log.h"
#include "mg_redis.h"
#include "mg_smtpc.h"
#include "mg_text.h"

#define NOTICE_MAX (32 * 1024)
#define NOTICE_TTL_S (7 * 86400)
#define STOP_GRACE_S 5

/* ma_rcpt_is_local - domain of rcpt in cfg->local_domains */
int
ma_rcpt_is_local(const struct ma_config *cfg, const char *rcpt)
{
	char norm[MG_ADDR_MAX + 1];
	const char *dom;
	size_t i;

	if (mg_addr_normalize(rcpt, strlen(rcpt), "", norm, sizeof(norm), NULL) < 0)
		return 0;
	if ((dom = mg_addr_domain(norm)) == NULL)
		return 0;
	for (i = 0; i < cfg->local_domains.n; i++)
		if (strcasecmp(cfg->local_domains.v[i], dom) == 0)
			return 1;
	return 0;
}

/* b64_encode - standard base64 of in into out (NUL-terminated) */
static size_t
b64_encode(const unsigned char *in, size_t n, char *out)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		out[o++] = t[in[i] >> 2];
		out[o++] = t[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = t[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		out[o++] = t[in[i + 2] & 63];
	}
	if (i < n) {
		out[o++] = t[in[i] >> 2];
		if (i + 1 < n) {
			out[o++] = t[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			out[o++] = t[(in[i + 1] & 15) << 2];
		} else {
			out[o++] = t[(in[i] & 3) << 4];
			out[o++] = '=';
		}
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* encode_subject - RFC 2047 B encoded-words of at most 45 input bytes each
 * (cut on UTF-8 character boundaries), folded; into out */
static int
encode_subject(const char *s, char *out, size_t outsz)
{
	size_t len = strlen(s), pos = 0, o = 0, chunk;
	char b64[80];

	if (len == 0) {
		out[0] = '\0';
		return 0;
	}
	while (pos < len) {
		chunk = len - pos > 45 ? 45 : len - pos;
		while (pos + chunk < len && chunk > 1 &&
		       ((unsigned char)s[pos + chunk] & 0xC0) == 0x80)
			chunk--;
		b64_encode((const unsigned char *)s + pos, chunk, b64);
		if (o + strlen(b64) + 20 >= outsz)
			return -1;
		o += (size_t)snprintf(out + o, outsz - o, "%s=?UTF-8?B?%s?=",
				      pos ? "\n " : "", b64);
		pos += chunk;
	}
	return 0;
}

/* qp_encode - quoted-printable (RFC 2045) of text with LF line ends */
static int
qp_encode(const char *in, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0, col = 0, i;

	for (i = 0; in[i] != '\0'; i++) {
		unsigned char c = (unsigned char)in[i];
		int enc = (c > 126 || c == '=' || (c < 32 && c != '\n') ||
			   ((c == ' ' || c == '\t') &&
			    (in[i + 1] == '\n' || in[i + 1] == '\0')));
		size_t need = c == '\n' ? 1 : enc ? 3 : 1;
		if (o + need + 4 >= outsz)
			return -1;
		if (c == '\n') {
			out[o++] = '\n';
			col = 0;
			continue;
		}
		if (col + need > 75) {
			out[o++] = '=';
			out[o++] = '\n';
			col = 0;
		}
		if (enc) {
			out[o++] = '=';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
		col += need;
	}
	out[o] = '\0';
	return 0;
}

/* clean_text - untrusted header text for a notice: UTF-8 kept, controls
 * replaced, bounded */
static void
clean_text(char *out, size_t outsz, const char *in, size_t max)
{
	mg_sanitize(out, outsz, in ? in : "", in ? strlen(in) : 0, max);
}

/* ma_notice_build - headers + QP body */
int
ma_notice_build(const struct ma_config *cfg, const struct ma_notice_req *req,
		const char *rcpt, long long now, const char *msgid_token,
		char *out, size_t outsz, struct mg_error *err)
{
	char sender[400], subject[400], file[300], date[64], hdate[64];
	char from[400], subj_raw[1024], subj_enc[2048];
	char body[8192], qp[16384];
	const char *dom = strrchr(rcpt, '@');
	struct mg_tvar vars[6];
	time_t t = (time_t)req->when, tn = (time_t)now;
	struct tm tm;
	int n;

	clean_text(sender, sizeof(sender), req->sender[0] ? req->sender : "<>", 300);
	clean_text(subject, sizeof(subject), req->subject, 200);
	clean_text(file, sizeof(file), req->file, 200);
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%d/%m/%Y %H:%M:%S", &tm);
	localtime_r(&tn, &tm);
	strftime(hdate, sizeof(hdate), "%a, %d %b %Y %H:%M:%S %z", &tm);
	if (strchr(cfg->notice_from, '@') != NULL || dom == NULL)
		snprintf(from, sizeof(from), "%s", cfg->notice_from);
	else
		snprintf(from, sizeof(from), "%s%s", cfg->notice_from, dom);
	vars[0] = (struct mg_tvar){ "sender", sender };
	vars[1] = (struct mg_tvar){ "date", date };
	vars[2] = (struct mg_tvar){ "subject", subject };
	vars[3] = (struct mg_tvar){ "file", file };
	vars[4] = (struct mg_tvar){ "reason", req->reason };
	vars[5] = (struct mg_tvar){ "rcpt", rcpt };
	if (mg_template_expand(cfg->notice_subject[0] ? cfg->notice_subject :
			       ma_text_default(MA_T_NOTICE_SUBJECT, cfg->language),
			       vars, 6, subj_raw, sizeof(subj_raw), err) < 0 ||
	    mg_template_expand(cfg->notice_body[0] ? cfg->notice_body :
			       ma_text_default(MA_T_NOTICE_BODY, cfg->language),
			       vars, 6, body, sizeof(body), err) < 0)
		return -1;
	if (encode_subject(subj_raw, subj_enc, sizeof(subj_enc)) < 0 ||
	    qp_encode(body, qp, sizeof(qp)) < 0)
		return mg_error_set(err, MG_ERR_LIMIT, "notice too long");
	n = snprintf(out, outsz,
	    "From: %s\n"
	    "To: <%s>\n"
	    "Subject: %s\n"
	    "Date: %s\n"
	    "Message-ID: <%s.notice@%s>\n"
	    "Auto-Submitted: auto-generated\n"
	    "X-Mailguard-Notice: %s\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n%s",
	    from, rcpt, subj_enc, hdate, msgid_token,
	    dom ? dom + 1 : "localhost", req->queue_id[0] ? req->queue_id : "-",
	    qp);
	if (n < 0 || (size_t)n >= outsz)
		return mg_error_set(err, MG_ERR_LIMIT, "notice too long");
	return n;
}

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
		if (ma_rcpt_is_local(cfg, req->rcpts[i]) &&
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

/* run_sendmail - BIN -i -f <> -- rcpt, message on stdin, bounded wait */
static int
run_sendmail(const char *bin, const char *rcpt, const char *msg, size_t len,
	     long long timeout_ms, struct mg_error *err)
{
	int p[2], status = 0;
	pid_t pid, w;
	long long waited = 0;
	size_t off = 0;
	ssize_t k;

	if (pipe2(p, O_CLOEXEC) < 0)
		return mg_error_sys(err, "pipe");
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return mg_error_sys(err, "fork");
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		sigset_t none;

		/* the daemon blocks its signals for sigwait: not the child */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(p[0], 0);
		if (devnull >= 0)
			dup2(devnull, 1);
		execl(bin, bin, "-i", "-f", "<>", "--", rcpt, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	while (off < len) {
		k = write(p[1], msg + off, len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		off += (size_t)k;
	}
	close(p[1]);
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 && waited < timeout_ms) {
		usleep(10000);
		waited += 10;
	}
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return mg_error_set(err, MG_ERR_LIMIT, "%s: timeout", bin);
	}
	if (w < 0)
		return mg_error_sys(err, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || off < len)
		return mg_error_set(err, MG_ERR_SYS, "%s failed (status %d)", bin,
				    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* log_notice - one key=value line per notice */
static void
log_notice(const struct job *j, const char *rcpt, const char *status,
	   const char *detail)
{
	struct mg_kv kv;

	mg_kv_init(&kv);
	mg_kv_add(&kv, "event", "notice");
	mg_kv_add(&kv, "queue_id", j->queue_id[0] ? j->queue_id : "-");
	mg_kv_add(&kv, "from", j->sender);
	mg_kv_add(&kv, "rcpt", rcpt);
	mg_kv_add(&kv, "status", status);
	if (detail)
		mg_kv_add(&kv, "detail", detail);
	mg_log_kv(MG_LOG_INFO, &kv);
}

/* process - dedup, rate-limit, build and send for each local recipient */
static void
process(struct ma_notifier *n, struct job *j)
{
	char norm[MG_ADDR_MAX + 1], id[MG_KEYS_ID_LEN + 1], token[64];
	char dkey[MG_KEY_MAX];
	char idsrc[2048];
	const char *why = NULL, *rcpts[1];
	struct ma_notice_req req = {
		.queue_id = j->queue_id, .sender = j->sender,
		.subject = j->subject, .message_id = j->message_id,
		.file = j->file, .reason = j->reason, .when = j->when,
	};
	struct mg_error err;
	char *msg;
	size_t i;
	int g, len, idlen;

	if ((msg = malloc(NOTICE_MAX)) == NULL)
		return;
	idlen = snprintf(idsrc, sizeof(idsrc), "%s\n%s", j->sender,
			 j->message_id[0] ? j->message_id : j->queue_id);
	if (idlen < 0 || (size_t)idlen >= sizeof(idsrc))
		idlen = (int)strlen(idsrc);
	mg_keys_id(idsrc, (size_t)idlen, id);
	for (i = 0; i < j->n_rcpts; i++) {
		if (mg_addr_normalize(j->rcpts[i], strlen(j->rcpts[i]), NULL,
				      norm, sizeof(norm), &err) < 0) {
			log_notice(j, j->rcpts[i], "skipped", "bad address");
			continue;
		}
		dkey[0] = '\0';
		g = gate(n, j, norm, id, &why, dkey);
		if (g == 0) {
			ma_stats_inc(n->stats, MA_ST_NOTICES_SKIPPED);
			log_notice(j, j->rcpts[i], "skipped", why);
			continue;
		}
		snprintf(token, sizeof(token), "%lld.%.16s.%zu", (long long)time(NULL),
			 id, i);
		len = ma_notice_build(j->cfg, &req, j->rcpts[i], (long long)time(NULL),
				      token, msg, NOTICE_MAX, &err);
		if (len < 0) {
			log_notice(j, j->rcpts[i], "failed", err.msg);
			continue;
		}
		rcpts[0] = j->rcpts[i];
		if (j->cfg->notice_sendmail[0] != '\0') {
			if (run_sendmail(j->cfg->notice_sendmail, j->rcpts[i], msg,
					 (size_t)len, j->cfg->notice_timeout_ms, &err) < 0)
				g = -2;
		} else if (j->cfg->notice_smtp[0] != '\0') {
			if (mg_smtpc_send(j->cfg->notice_smtp, "", rcpts, 1, msg,
					  (size_t)len, j->cfg->notice_timeout_ms,
					  NULL, &err) < 0)
				g = -2;
		} else {
			log_notice(j, j->rcpts[i], "skipped", "no notice transport");
			continue;
		}
		ma_stats_inc(n->stats, g == -2 ? MA_ST_NOTICES_FAILED
					       : MA_ST_NOTICES_SENT);
		if (g == -2 && dkey[0] != '\0' && n->redis != NULL) {
			/* not sent: let a later copy of the message notify */
			redisReply *rep;
			if (mg_redis_command(n->redis, &rep, NULL, "DEL %s", dkey) == 0)
				freeReplyObject(rep);
		}
		if (g == -2)
			log_notice(j, j->rcpts[i], "failed", err.msg);
		else
			log_notice(j, j->rcpts[i], "sent",
				   g < 0 ? "dedup=unavailable" : NULL);
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
