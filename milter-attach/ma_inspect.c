/*
 * ma_inspect.c - the pool of inspector processes (see ma_inspect.h)
 *
 * A helper is free, or busy with one request of one milter thread; only
 * that thread talks to it, kills it or starts it again, so the lock only
 * guards the free flags.  The helper's socket is the only descriptor it
 * inherits (every other one above 2 is closed in the child).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "anomaly.h"
#include "insp_list.h"
#include "insp_proto.h"
#include "ma_inspect.h"
#include "mg_clock.h"
#include "mg_log.h"

#define WAIT_FREE_MS 30000      /* longest wait for a free helper */
#define ANSWER_ANOMALIES (SCAN_ANOM_ZIP_BROKEN | SCAN_ANOM_ZIP_DEPTH | \
			  SCAN_ANOM_ZIP_ENTRIES | SCAN_ANOM_NAMES_ENCRYPTED | \
			  SCAN_ANOM_INSPECT_FAILED)

extern char **environ;

struct worker {
	pid_t pid;                  /* 0: not running */
	int sock;                   /* -1: none */
	int busy;
};

struct ma_inspect {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct worker *w;
	unsigned n;
	char helper[1024];
	char memory[32], file_bytes[32];
	unsigned long long max_bytes;
	long long timeout_ms;
	struct mg_metric *failures;   /* NULL: not counted (fixed at start) */
};

/* spawn - a helper on a new socketpair; 0 or -1 and err */
static int
spawn(struct ma_inspect *p, struct worker *w, struct mg_error *err)
{
	char *argv[] = { p->helper, "-m", p->memory, "-f", p->file_bytes, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, deflt;
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return mg_error_set(err, MG_ERR_SYS, "socketpair: %s", strerror(errno));
	sigemptyset(&none);
	sigfillset(&deflt);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &deflt);
	rc = posix_spawn(&w->pid, p->helper, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		w->pid = 0;
		return mg_error_set(err, MG_ERR_SYS, "%s: %s", p->helper, strerror(rc));
	}
	w->sock = sv[0];
	return 0;
}

/* reap - kill a helper and wait for it */
static void
reap(struct worker *w)
{
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (w->sock >= 0)
		close(w->sock);
	w->pid = 0;
	w->sock = -1;
}

/* acquire - a free helper, waiting at most WAIT_FREE_MS; NULL if none */
static struct worker *
acquire(struct ma_inspect *p)
{
	long long until = mg_now_ms() + WAIT_FREE_MS;
	struct worker *got = NULL;
	unsigned i;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		for (i = 0; i < p->n && got == NULL; i++)
			if (!p->w[i].busy)
				got = &p->w[i];
		if (got != NULL || mg_now_ms() >= until)
			break;
		{
			struct timespec ts;
			long long left = until - mg_now_ms();

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += left / 1000;
			ts.tv_nsec += (left % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&p->freed, &p->lock, &ts);
		}
	}
	if (got != NULL)
		got->busy = 1;
	pthread_mutex_unlock(&p->lock);
	return got;
}

static void
release(struct ma_inspect *p, struct worker *w)
{
	pthread_mutex_lock(&p->lock);
	w->busy = 0;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

/* log_failed - the one line of a failed inspection */
static void
log_failed(struct ma_inspect *p, const char *name, pid_t pid, const char *detail)
{
	struct mg_kv kv;

	mg_metric_inc(p->failures, detail, NULL);
	mg_kv_init(&kv);
	mg_kv_add(&kv, "action", "inspect");
	mg_kv_add(&kv, "status", "failed");
	mg_kv_add(&kv, "detail", detail);
	mg_kv_add(&kv, "name", name);
	mg_kv_addf(&kv, "pid", "%ld", (long)pid);
	mg_log_kv(MG_LOG_WARNING, &kv);
}

/* send_request - the request and the spool's descriptor; 0 or -1 */
static int
send_request(struct worker *w, const struct insp_request *q, int fd)
{
	unsigned char buf[INSP_MSG_MAX];
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *ch;
	size_t n = insp_request_encode(q, buf, sizeof(buf));
	ssize_t r;

	if (n == 0 || w->sock < 0)
		return -1;
	iov.iov_base = buf;
	iov.iov_len = n;
	memset(&mh, 0, sizeof(mh));
	memset(&c, 0, sizeof(c));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = c.space;
	mh.msg_controllen = sizeof(c.space);
	ch = CMSG_FIRSTHDR(&mh);
	ch->cmsg_level = SOL_SOCKET;
	ch->cmsg_type = SCM_RIGHTS;
	ch->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(ch), &fd, sizeof(int));
	do
		r = sendmsg(w->sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -1;
}

struct answer {
	scan_inspect_member_fn *cb;
	void *cbctx;
	unsigned members, max_entries;
	unsigned anomalies;
	const char *detail;          /* why it failed */
};

/* take_reply - one reply: a member forwarded, or the end; 1 at the end,
 * 0 for more, -1 for garbage */
static int
take_reply(const unsigned char *buf, size_t n, struct answer *a)
{
	static __thread struct insp_reply r;
	struct scan_member m;

	if (insp_reply_decode(buf, n, &r) != 0) {
		a->detail = "bad_reply";
		return -1;
	}
	if (r.kind == INSP_REPLY_END) {
		a->anomalies |= r.anomalies & ANSWER_ANOMALIES;
		return 1;
	}
	if (++a->members > a->max_entries) {
		a->anomalies |= SCAN_ANOM_ZIP_ENTRIES;  /* the helper's cap is ours */
		return 0;
	}
	m.name = r.name;
	m.format = r.format;
	m.size = r.size;
	m.encrypted = r.encrypted;
	m.depth = r.depth;
	a->cb(a->cbctx, &m);
	return 0;
}

/* read_answer - MEMBER... END within timeout_ms in all; 0 or -1 */
static int
read_answer(struct worker *w, long long timeout_ms, struct answer *a)
{
	static __thread unsigned char buf[INSP_MSG_MAX];
	long long until = mg_now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { w->sock, POLLIN, 0 };
		long long left = until - mg_now_ms();
		ssize_t n;
		int rc;

		if (left <= 0) {
			a->detail = "timeout";
			return -1;
		}
		rc = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue;               /* the deadline decides */
		n = recv(w->sock, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			a->detail = n == 0 || errno == ECONNRESET ? "helper_died"
							       : "recv_failed";
			return -1;
		}
		if ((size_t)n > sizeof(buf)) {
			a->detail = "reply_too_long";
			return -1;
		}
		rc = take_reply(buf, (size_t)n, a);
		if (rc != 0)
			return rc > 0 ? 0 : -1;
	}
}

/* in_process - inspect_workers = 0: insp_list() here */
struct in_process_ctx {
	scan_inspect_member_fn *cb;
	void *cbctx;
};

static void
in_process_member(void *ctx, const struct insp_member *im)
{
	struct in_process_ctx *c = ctx;
	struct scan_member m = { im->name, im->format, im->size, im->encrypted,
				 im->depth };

	c->cb(c->cbctx, &m);
}

static unsigned
in_process(const struct insp_request *q, int fd, scan_inspect_member_fn *cb,
	   void *cbctx)
{
	struct in_process_ctx c = { cb, cbctx };
	struct insp_limits lim;

	insp_limits_default(&lim);
	lim.max_depth = q->max_depth;
	lim.max_entries = q->max_entries;
	lim.max_bytes = q->max_bytes;
	return insp_list(fd, q->size, q->name, &lim, in_process_member, &c) &
	       ANSWER_ANOMALIES;
}

/* read_only - the spool opened again read-only for the helper (it
 * cannot change what the milter wrote); fd itself when that fails */
static int
read_only(int fd)
{
	char path[64];
	int ro;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	return ro >= 0 ? ro : fd;
}

/* restart - kill a helper that failed and start a new one */
static void
restart(struct ma_inspect *p, struct worker *w)
{
	struct mg_error err;

	reap(w);
	if (spawn(p, w, &err) != 0)
		mg_warnx("inspect: cannot restart a helper: %s", err.msg);
}

unsigned
ma_inspect_list(void *ctx, int fd, unsigned long long size,
		const char *carrier_name, unsigned max_depth, unsigned max_entries,
		scan_inspect_member_fn *cb, void *cbctx)
{
	struct ma_inspect *p = ctx;
	static __thread struct insp_request q;
	struct answer a = { cb, cbctx, 0, max_entries, 0, NULL };
	struct worker *w;
	pid_t pid;
	int ro;

	memset(&q, 0, sizeof(q));
	q.max_depth = max_depth;
	q.max_entries = max_entries;
	q.max_bytes = p->max_bytes;
	q.size = size;
	snprintf(q.name, sizeof(q.name), "%s", carrier_name);
	if (p->n == 0)
		return in_process(&q, fd, cb, cbctx);
	if ((w = acquire(p)) == NULL) {
		log_failed(p, carrier_name, 0, "no_free_helper");
		return SCAN_ANOM_INSPECT_FAILED;
	}
	ro = read_only(fd);
	if (w->pid == 0 || send_request(w, &q, ro) != 0) {
		restart(p, w);          /* died while idle: one more try */
		if (w->pid == 0 || send_request(w, &q, ro) != 0)
			a.detail = "send_failed";
	}
	if (ro != fd)
		close(ro);
	if (a.detail == NULL)
		read_answer(w, p->timeout_ms, &a);
	pid = w->pid;
	if (a.detail != NULL) {
		restart(p, w);
		log_failed(p, carrier_name, pid, a.detail);
		a.anomalies |= SCAN_ANOM_INSPECT_FAILED;
	}
	release(p, w);
	return a.anomalies;
}

/* ma_inspect_set_metrics - count failures in f, by detail word */
void
ma_inspect_set_metrics(struct ma_inspect *p, struct mg_metric *failures)
{
	p->failures = failures;
}

struct ma_inspect *
ma_inspect_start(const struct ma_config *cfg, struct mg_error *err)
{
	struct ma_inspect *p = calloc(1, sizeof(*p));
	pthread_condattr_t ca;
	unsigned i;

	if (p == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	p->n = (unsigned)cfg->inspect_workers;
	p->timeout_ms = cfg->inspect_timeout_ms;
	snprintf(p->helper, sizeof(p->helper), "%s", cfg->inspect_helper);
	snprintf(p->memory, sizeof(p->memory), "%llu", cfg->inspect_memory);
	snprintf(p->file_bytes, sizeof(p->file_bytes), "%llu", cfg->inspect_max_bytes);
	p->max_bytes = cfg->inspect_max_bytes;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->freed, &ca);
	pthread_condattr_destroy(&ca);
	p->w = calloc(p->n ? p->n : 1, sizeof(*p->w));
	if (p->w == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		ma_inspect_stop(&p);
		return NULL;
	}
	for (i = 0; i < p->n; i++)
		p->w[i].sock = -1;
	for (i = 0; i < p->n; i++)
		if (spawn(p, &p->w[i], err) != 0) {
			ma_inspect_stop(&p);
			return NULL;
		}
	return p;
}

void
ma_inspect_stop(struct ma_inspect **pp)
{
	struct ma_inspect *p = *pp;
	unsigned i;

	if (p == NULL)
		return;
	for (i = 0; p->w != NULL && i < p->n; i++)
		reap(&p->w[i]);
	free(p->w);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
	free(p);
	*pp = NULL;
}

int
ma_inspect_check(const struct ma_config *cfg, struct mg_error *err)
{
	struct stat st;

	if (cfg->inspect_workers > 0 &&
	    (stat(cfg->inspect_helper, &st) != 0 || !S_ISREG(st.st_mode) ||
	     access(cfg->inspect_helper, X_OK) != 0))
		return mg_error_set(err, MG_ERR_CONFIG,
		    "inspect_helper: %.200s is not an executable file",
		    cfg->inspect_helper);
	if (stat(cfg->inspect_spool_dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    access(cfg->inspect_spool_dir, W_OK | X_OK) != 0)
		return mg_error_set(err, MG_ERR_CONFIG,
		    "inspect_spool_dir: %.200s is not a writable directory",
		    cfg->inspect_spool_dir);
	return 0;
}
