/*
 * pq_server.c - policyd-quota's event loop (see pq_server.h)
 *
 * parse (pq_codec) -> look up (pq_cache, else a pq_backend job) ->
 * decide (pq_decide, pure) -> act (reply, log line, counters).
 * A connection handles one request at a time, in order; while a request
 * waits for Redis, further input is kept unread in its buffer.  Every
 * waiting request has a deadline (lookup_timeout): when it passes, the
 * request is answered with redis_error_action and the late result only
 * feeds the cache.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mg_addr.h"
#include "mg_clock.h"
#include "mg_daemon.h"
#include "mg_log.h"
#include "mg_metrics_http.h"
#include "mg_text.h"
#include "pq_answer.h"
#include "pq_backend.h"
#include "pq_cache.h"
#include "pq_codec.h"
#include "pq_decide.h"
#include "pq_metrics.h"
#include "pq_notice.h"
#include "pq_server.h"

enum { ST_REQUESTS, ST_PASSED, ST_DEFERRED, ST_REJECTED, ST_QUEUED, ST_ERRORS,
       ST_CACHE_HITS, ST_CACHE_MISSES, ST_REFUSED };

enum wait_stage { WAIT_NONE, WAIT_LOOKUP, WAIT_DEFER };

struct conn {
	int fd;
	char in[PQ_REQUEST_MAX + 1];
	size_t inlen;
	char out[1200];
	size_t outlen, outoff;
	enum wait_stage stage;
	unsigned long long token;
	long long deadline_ms;
	struct pq_request req;
	char rcpt[MG_ADDR_MAX + 1];       /* normalised recipient */
	char mailbox[MG_ADDR_MAX + 1];    /* after alias resolution */
	struct pq_quota quota;
	long long t0_ns;                  /* the current request's start */
	struct conn *wprev, *wnext;       /* waiting list, oldest first */
};

struct pq_server {
	struct pq_config *cfg;
	char *config_path;
	int ep, sigfd;
	int *lfds;
	size_t nlfds;
	struct pq_backend *backend;
	struct pq_notifier *notifier;       /* NULL: notices off */
	struct pq_cache *cache;
	struct conn **conns;              /* indexed by fd */
	size_t maxfd, nconns;
	struct conn *whead, *wtail;
	unsigned long long gen;
	unsigned long long inval_seq;     /* invalidations seen so far */
	unsigned long long flush_seq;     /* inval_seq at the last flush */
	long long stats[PQ_STATS_N], stats_flushed[PQ_STATS_N];
	long long next_stats_ms;
	int stop;
	struct pq_metrics pm;
	struct mg_metrics_export *export;  /* NULL: metrics not exported */
	sigset_t oldmask;                 /* before pq_server_new blocked signals */
};

/* ep_set - watch fd for events (add, or change) */
static void
ep_set(struct pq_server *s, int fd, unsigned events, int add)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (epoll_ctl(s->ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) < 0)
		mg_warn("epoll_ctl fd %d", fd);
}

/* wait_unlink - take a connection off the waiting list */
static void
wait_unlink(struct pq_server *s, struct conn *c)
{
	if (c->stage == WAIT_NONE)
		return;
	if (c->wprev) c->wprev->wnext = c->wnext; else s->whead = c->wnext;
	if (c->wnext) c->wnext->wprev = c->wprev; else s->wtail = c->wprev;
	c->wprev = c->wnext = NULL;
	c->stage = WAIT_NONE;
}

/* conn_close - forget a connection and close it */
static void
conn_close(struct pq_server *s, struct conn *c)
{
	wait_unlink(s, c);
	s->conns[c->fd] = NULL;
	s->nconns--;
	close(c->fd);
	free(c);
}

/* flush - write what is pending; 0 all written, 1 would block, -1 error */
static int
flush(struct pq_server *s, struct conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
				 MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ep_set(s, c->fd, EPOLLIN | EPOLLOUT, 0);
			return 1;
		}
		if (n <= 0)
			return -1;
		c->outoff += (size_t)n;
	}
	c->outlen = c->outoff = 0;
	return 0;
}

/* reply - answer the current request and go on with the next one */
static void
reply(struct pq_server *s, struct conn *c, const char *action)
{
	int n;

	wait_unlink(s, c);
	if (c->t0_ns != 0) {
		mg_metric_observe(s->pm.answer, NULL, NULL,
				  (double)(mg_now_ns() - c->t0_ns) / 1e9);
		c->t0_ns = 0;
	}
	n = pq_codec_reply(action, c->out, sizeof(c->out));
	if (n < 0) {
		mg_warnx("internal: reply too long; closing connection");
		conn_close(s, c);
		return;
	}
	c->outlen = (size_t)n;
	c->outoff = 0;
	if (flush(s, c) < 0)
		conn_close(s, c);
	/* the caller goes on with the connection's next request, if any */
}

/* log_decision - one key=value line per non-DUNNO answer, and per
 * full mailbox's message left to Postfix's queue (action=queue) */
static void
log_decision(struct conn *c, const char *action, const char *reason,
	     long long first_deferral)
{
	struct mg_kv kv;

	mg_kv_init(&kv);
	mg_kv_add(&kv, "action", action);
	mg_kv_add(&kv, "reason", reason);
	mg_kv_add(&kv, "queue_id", c->req.queue_id);
	mg_kv_add(&kv, "from", c->req.sender);
	mg_kv_add(&kv, "to", c->req.recipient);
	mg_kv_add(&kv, "mailbox", c->mailbox);
	mg_kv_addf(&kv, "size", "%lld", c->req.size);
	mg_kv_addf(&kv, "bytes", "%lld", c->quota.bytes);
	mg_kv_addf(&kv, "bytes_limit", "%lld", c->quota.bytes_limit);
	mg_kv_addf(&kv, "msgs", "%lld", c->quota.msgs);
	mg_kv_addf(&kv, "msgs_limit", "%lld", c->quota.msgs_limit);
	if (first_deferral > 0)
		mg_kv_addf(&kv, "first_deferral", "%lld", first_deferral);
	mg_kv_add(&kv, "client", c->req.client_address);
	mg_log_kv(MG_LOG_INFO, &kv);
}

/* error_action - Redis could not be asked in time */
static void
error_action(struct pq_server *s, struct conn *c, const char *why)
{
	char action[PQ_ACTION_MAX];

	s->stats[ST_ERRORS]++;
	mg_metric_inc(s->pm.requests, s->cfg->redis_error_action == PQ_ON_ERROR_DEFER_IF_PERMIT ?
		      "defer_if_permit" : "dunno", why);
	if (pq_answer_error(s->cfg, &c->req, action, sizeof(action)))
		log_decision(c, "defer_if_permit", why, 0);
	reply(s, c, action);
}

/* dunno - let the message go on; why: the quota state's word
 * (no_state, stale_state, not_full) or "" (not a RCPT, a list alias) */
static void
dunno(struct pq_server *s, struct conn *c, const char *why)
{
	s->stats[ST_PASSED]++;
	mg_metric_inc(s->pm.requests, "dunno", why);
	reply(s, c, "DUNNO");
}

/* submit - hand a lookup or a deferral record to the backend and wait */
static int
submit(struct pq_server *s, struct conn *c, enum pq_job_kind kind,
       enum wait_stage stage)
{
	struct pq_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return -1;
	j->kind = kind;
	c->token = ((unsigned long long)c->fd << 32) | (++s->gen & 0xffffffffULL);
	j->token = c->token;
	j->seq = s->inval_seq;
	if (kind == PQ_JOB_LOOKUP) {
		snprintf(j->addr, sizeof(j->addr), "%s", c->rcpt);
	} else {
		pq_answer_defer_id(s->cfg, c->req.sender, c->req.size, j->id);
		snprintf(j->addr, sizeof(j->addr), "%s", c->mailbox);
		snprintf(j->sender, sizeof(j->sender), "%s", c->req.sender);
		snprintf(j->rcpt, sizeof(j->rcpt), "%s", c->req.recipient);
		j->size = c->req.size;
		j->now = time(NULL);
		j->ttl = pq_answer_defer_ttl(s->cfg);
	}
	if (pq_backend_submit(s->backend, j) < 0) {
		free(j);
		return -1;
	}
	c->stage = stage;
	c->deadline_ms = mg_now_ms() + s->cfg->lookup_timeout_ms;
	c->wprev = s->wtail;
	c->wnext = NULL;
	if (s->wtail) s->wtail->wnext = c; else s->whead = c;
	s->wtail = c;
	return 0;
}

/* judge - phase 1 with a known quota state; a full mailbox's message
 * from an authenticated sender may go to Postfix's queue (DUNNO, logged,
 * no deferral recorded, no notice: Postfix's delay notice tells the
 * sender) */
static void
judge(struct pq_server *s, struct conn *c)
{
	struct pq_limits lim;
	enum pq_fullness f;

	pq_answer_limits(s->cfg, &lim);
	f = pq_quota_check(&c->quota, c->req.size, &lim, time(NULL));
	if (f != PQ_FULL) {
		dunno(s, c, pq_fullness_name(f));
		return;
	}
	if (pq_full_route(c->req.sasl_username,
			  (enum pq_auth_action)s->cfg->authenticated_full_action) ==
	    PQ_ROUTE_QUEUE) {
		s->stats[ST_QUEUED]++;
		mg_metric_inc(s->pm.requests, "queue", "mailbox_full");
		log_decision(c, "queue", "mailbox_full", 0);
		reply(s, c, "DUNNO");
		return;
	}
	if (submit(s, c, PQ_JOB_DEFER, WAIT_DEFER) < 0)
		error_action(s, c, "queue_full");
}

/* verdict - defer or reject, from the first deferral; maybe a notice */
static void
verdict(struct pq_server *s, struct conn *c, long long first_deferral)
{
	char action[PQ_ACTION_MAX], sender[MG_ADDR_MAX + 1];

	if (pq_answer_full(s->cfg, &c->req, first_deferral, time(NULL), action,
			   sizeof(action)) == PQ_REJECT) {
		s->stats[ST_REJECTED]++;
		mg_metric_inc(s->pm.requests, "reject", "full_for_defer_period");
		log_decision(c, "reject", "full_for_defer_period", first_deferral);
	} else {
		s->stats[ST_DEFERRED]++;
		mg_metric_inc(s->pm.requests, "defer", "mailbox_full");
		log_decision(c, "defer", "mailbox_full", first_deferral);
		if (s->notifier != NULL &&
		    mg_addr_normalize(c->req.sender, strlen(c->req.sender), "",
				      sender, sizeof(sender), NULL) == 0 &&
		    pq_notifier_wanted(s->cfg, sender))
			if (pq_notifier_queue(s->notifier, sender, c->req.recipient,
					      c->mailbox) < 0)
				mg_metric_inc(s->pm.notices, "failed", NULL);
	}
	reply(s, c, action);
}

/* resolve - from the cache if possible; 1 answered/judged, 0 waiting */
static void
resolve(struct pq_server *s, struct conn *c)
{
	long long now = mg_now_ms();
	const struct pq_entry *e = pq_cache_get(s->cache, c->rcpt, now);

	if (e != NULL && !e->tombstone) {
		if (!e->is_alias) {
			s->stats[ST_CACHE_HITS]++;
			mg_metric_inc(s->pm.cache, "hit", NULL);
			snprintf(c->mailbox, sizeof(c->mailbox), "%s", c->rcpt);
			c->quota = e->quota;
			judge(s, c);
			return;
		}
		if (e->ntargets != 1) {        /* a list: LMTP decides per mailbox */
			s->stats[ST_CACHE_HITS]++;
			mg_metric_inc(s->pm.cache, "hit", NULL);
			dunno(s, c, "");
			return;
		}
		snprintf(c->mailbox, sizeof(c->mailbox), "%s", e->target);
		e = pq_cache_get(s->cache, c->mailbox, now);
		if (e != NULL && !e->tombstone && !e->is_alias) {
			s->stats[ST_CACHE_HITS]++;
			mg_metric_inc(s->pm.cache, "hit", NULL);
			c->quota = e->quota;
			judge(s, c);
			return;
		}
	}
	s->stats[ST_CACHE_MISSES]++;
	mg_metric_inc(s->pm.cache, "miss", NULL);
	if (submit(s, c, PQ_JOB_LOOKUP, WAIT_LOOKUP) < 0)
		error_action(s, c, "queue_full");
}

/* handle - one complete request */
static void
handle(struct pq_server *s, struct conn *c)
{
	s->stats[ST_REQUESTS]++;
	c->t0_ns = mg_now_ns();
	c->mailbox[0] = '\0';
	memset(&c->quota, 0, sizeof(c->quota));
	if (strcmp(c->req.protocol_state, "RCPT") != 0 ||
	    pq_answer_mailbox(s->cfg, c->req.recipient, c->rcpt, sizeof(c->rcpt),
			      NULL) < 0) {
		dunno(s, c, "");
		return;
	}
	resolve(s, c);
}

/* process - parse and handle the complete requests in a connection's buffer */
static void
process(struct pq_server *s, struct conn *c)
{
	int fd;

	while (c->stage == WAIT_NONE && c->outlen == 0 && c->inlen > 0) {
		struct mg_error err;
		size_t used = 0;
		int rc = pq_codec_parse(c->in, c->inlen, &c->req, &used, &err);

		if (rc == 0)
			return;
		if (rc < 0) {
			char client[64];
			s->stats[ST_REFUSED]++;
			mg_metric_inc(s->pm.refused, NULL, NULL);
			mg_sanitize(client, sizeof(client), c->req.client_address,
				    strlen(c->req.client_address), 60);
			mg_warnx("closing policy connection (fd %d client=%s): %s", c->fd,
				 client[0] ? client : "unknown", err.msg);
			conn_close(s, c);
			return;
		}
		memmove(c->in, c->in + used, c->inlen - used);
		c->inlen -= used;
		fd = c->fd;
		handle(s, c);
		if (s->conns[fd] != c)        /* closed meanwhile */
			return;
	}
}

/* on_readable - read what Postfix sent, then process it */
static void
on_readable(struct pq_server *s, struct conn *c)
{
	for (;;) {
		ssize_t n;
		if (c->inlen >= PQ_REQUEST_MAX) {
			/* the parser refuses an over-long request */
			process(s, c);
			return;
		}
		n = recv(c->fd, c->in + c->inlen, PQ_REQUEST_MAX - c->inlen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			conn_close(s, c);      /* Postfix closed (idle, max_use) */
			return;
		}
		c->inlen += (size_t)n;
		if (c->stage != WAIT_NONE)
			break;              /* keep it for later */
	}
	process(s, c);
}

/* on_accept - accept every waiting connection, within max_connections */
static void
on_accept(struct pq_server *s, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				mg_warn("accept");
			return;
		}
		if ((size_t)fd >= s->maxfd ||
		    s->nconns >= (size_t)s->cfg->max_connections ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			mg_warnx("too many connections (%zu): refusing one", s->nconns);
			close(fd);
			continue;
		}
		c->fd = fd;
		s->conns[fd] = c;
		s->nconns++;
		ep_set(s, fd, EPOLLIN, 1);
	}
}

/* invalidated - whether addr changed after a lookup that started at seq */
static int
invalidated(struct pq_server *s, const char *addr, unsigned long long seq,
	    long long now)
{
	const struct pq_entry *t = pq_cache_get(s->cache, addr, now);

	return t != NULL && t->tombstone && t->inval_seq > seq;
}

/* cache_result - keep a lookup's answer unless it may be stale: not
 * subscribed, or a flush or an invalidation of its address came after
 * the lookup started */
static void
cache_result(struct pq_server *s, const struct pq_job *j)
{
	struct pq_entry e;
	long long now = mg_now_ms();

	if (!pq_backend_subscribed(s->backend) || s->cfg->cache_ttl_ms == 0 ||
	    j->seq < s->flush_seq || invalidated(s, j->addr, j->seq, now) ||
	    (j->ntargets == 1 && invalidated(s, j->target, j->seq, now)))
		return;
	memset(&e, 0, sizeof(e));
	e.fetched_ms = now;
	snprintf(e.addr, sizeof(e.addr), "%s", j->addr);
	if (j->ntargets > 0) {
		e.is_alias = 1;
		e.ntargets = j->ntargets;
		snprintf(e.target, sizeof(e.target), "%s", j->target);
		pq_cache_put(s->cache, &e);
		if (j->ntargets != 1)
			return;
		memset(&e, 0, sizeof(e));
		e.fetched_ms = now;
		snprintf(e.addr, sizeof(e.addr), "%s", j->target);
	}
	e.quota = j->quota;
	pq_cache_put(s->cache, &e);
}

/* flush_cache - changes may have been missed: forget everything, and
 * every lookup already under way */
static void
flush_cache(struct pq_server *s)
{
	s->flush_seq = ++s->inval_seq;
	pq_cache_clear(s->cache);
}

/* tombstone - addr changed: drop it, and remember when, so a lookup of
 * it under way is not cached */
static void
tombstone(struct pq_server *s, const char *addr)
{
	struct pq_entry t;

	memset(&t, 0, sizeof(t));
	snprintf(t.addr, sizeof(t.addr), "%s", addr);
	t.tombstone = 1;
	t.inval_seq = ++s->inval_seq;
	t.fetched_ms = mg_now_ms();
	pq_cache_put(s->cache, &t);
}

/* looked_up - a waiting request's lookup came back */
static void
looked_up(struct pq_server *s, struct conn *c, const struct pq_job *j)
{
	if (j->ntargets > 1) {
		dunno(s, c, "");
		return;
	}
	snprintf(c->mailbox, sizeof(c->mailbox), "%s",
		 j->ntargets == 1 ? j->target : j->addr);
	c->quota = j->quota;
	judge(s, c);
}

/* on_job - a finished job: feed the cache, answer its request if it
 * still waits (not answered at its deadline, connection not closed) */
static void
on_job(struct pq_server *s, const struct pq_job *j)
{
	int fd = (int)(j->token >> 32);
	struct conn *c = NULL;

	if (j->kind == PQ_JOB_LOOKUP && !j->failed)
		cache_result(s, j);
	if (j->token != 0 && (size_t)fd < s->maxfd)
		c = s->conns[fd];
	if (c == NULL || c->token != j->token || c->stage == WAIT_NONE)
		return;
	wait_unlink(s, c);
	c->token = 0;
	if (j->failed)
		error_action(s, c, mg_err_kind_name(j->err.kind));
	else if (j->kind == PQ_JOB_LOOKUP)
		looked_up(s, c, j);
	else
		verdict(s, c, j->first_deferral);
	if (s->conns[fd] == c)
		process(s, c);
}

/* on_events - what the backend handed back: a flush first, then the
 * invalidations, then the finished jobs */
static void
on_events(struct pq_server *s)
{
	struct pq_events ev;
	const struct pq_invalidation *v;
	const struct pq_job *j;

	pq_backend_take(s->backend, &ev);
	if (ev.flush)
		flush_cache(s);
	for (v = ev.invalidations; v != NULL; v = v->next)
		tombstone(s, v->addr);
	for (j = ev.done; j != NULL; j = j->next)
		on_job(s, j);
	pq_backend_events_free(&ev);
}

/* expire - answer requests whose lookup_timeout passed */
static void
expire(struct pq_server *s)
{
	long long now = mg_now_ms();

	while (s->whead != NULL && s->whead->deadline_ms <= now) {
		struct conn *c = s->whead;
		int fd = c->fd;
		wait_unlink(s, c);
		c->token = 0;
		error_action(s, c, "timeout");
		if (s->conns[fd] == c)
			process(s, c);
	}
}

/* log_stats - the counters as one key=value line */
static void
log_stats(struct pq_server *s)
{
	struct mg_kv kv;
	size_t i;

	mg_kv_init(&kv);
	mg_kv_add(&kv, "action", "stats");
	for (i = 0; i < PQ_STATS_N; i++)
		mg_kv_addf(&kv, pq_stats_names[i], "%lld", s->stats[i]);
	mg_kv_addf(&kv, "connections", "%zu", s->nconns);
	mg_kv_addf(&kv, "cached", "%zu", pq_cache_count(s->cache));
	mg_kv_add(&kv, "subscribed", pq_backend_subscribed(s->backend) ? "yes" : "no");
	mg_log_kv(MG_LOG_INFO, &kv);
}

/* flush_stats - add the counters' deltas to the Redis stats hash */
static void
flush_stats(struct pq_server *s)
{
	struct pq_job *j;
	size_t i;
	int any = 0;

	s->next_stats_ms = mg_now_ms() + s->cfg->stats_interval_ms;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return;
	j->kind = PQ_JOB_STATS;
	snprintf(j->addr, sizeof(j->addr), "%s", s->cfg->stats_host_name);
	for (i = 0; i < PQ_STATS_N; i++) {
		j->stats[i] = s->stats[i] - s->stats_flushed[i];
		any |= j->stats[i] != 0;
	}
	if (!any || pq_backend_submit(s->backend, j) < 0) {
		free(j);
		return;
	}
	memcpy(s->stats_flushed, s->stats, sizeof(s->stats));
}

/* reload - load the config file again; keep the running one if it is bad */
static void
reload(struct pq_server *s)
{
	struct pq_config *n = calloc(1, sizeof(*n));
	struct mg_error err;

	if (n == NULL)
		return;
	if (pq_config_load(n, s->config_path, &err) < 0) {
		mg_warnx("reload failed, keeping the running settings: %s", err.msg);
		free(n);
		return;
	}
	mg_notify("RELOADING=1");
	if (strcmp(n->metrics_listen, s->cfg->metrics_listen) != 0 ||
	    strcmp(n->metrics_textfile, s->cfg->metrics_textfile) != 0)
		mg_warnx("reload: metrics_listen and metrics_textfile changes need a restart");
	/* listeners and Redis connections stay as they are: those need a
	 * restart; the notifier reads the config, so it restarts with it */
	pq_notifier_stop(&s->notifier);
	pq_config_release(s->cfg);
	free(s->cfg);
	s->cfg = n;
	s->notifier = pq_notifier_start(s->cfg, &s->pm, &err);
	pq_cache_clear(s->cache);
	mg_info("configuration reloaded from %s", s->config_path ? s->config_path : "(defaults)");
	mg_notify("READY=1");
}

/* on_signal - HUP reloads, USR1 logs the counters, TERM and INT stop */
static void
on_signal(struct pq_server *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP: reload(s); break;
		case SIGUSR1: log_stats(s); break;
		default: s->stop = 1; break;
		}
	}
}

/* open_loop - epoll and the signals it watches; the signals are blocked
 * before the backend's threads start, so they inherit the mask */
static int
open_loop(struct pq_server *s, struct mg_error *err)
{
	sigset_t set;

	if ((s->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return mg_error_sys(err, "epoll_create1");
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return mg_error_sys(err, "signalfd");
	return 0;
}

/* start_workers - the backend's threads and the notifier */
static int
start_workers(struct pq_server *s, struct mg_error *err)
{
	if ((s->backend = pq_backend_start(&s->cfg->redis, &s->cfg->keys, &s->pm.redis,
					   err)) == NULL)
		return -1;
	mg_error_clear(err);
	s->notifier = pq_notifier_start(s->cfg, &s->pm, err);
	if (s->notifier == NULL && err != NULL && err->kind != MG_ERR_NONE)
		return -1;
	return 0;
}

/* pq_server_new - everything the loop needs, or nothing at all */
struct pq_server *
pq_server_new(struct pq_config *cfg, const int *fds, size_t nfds,
	      const char *config_path, struct mg_error *err)
{
	struct pq_server *s = calloc(1, sizeof(*s));
	struct rlimit rl;
	size_t i;

	if (s == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	s->ep = s->sigfd = -1;
	pthread_sigmask(SIG_SETMASK, NULL, &s->oldmask);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		s->maxfd = (size_t)rl.rlim_cur;
	else
		s->maxfd = 65536;
	s->conns = calloc(s->maxfd, sizeof(*s->conns));
	s->cache = pq_cache_new((size_t)cfg->cache_size, cfg->cache_ttl_ms);
	s->lfds = calloc(nfds > 0 ? nfds : 1, sizeof(int));
	s->config_path = config_path ? strdup(config_path) : NULL;
	if (s->conns == NULL || s->cache == NULL || s->lfds == NULL ||
	    (config_path != NULL && s->config_path == NULL)) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (pq_metrics_init(&s->pm, err) < 0 || open_loop(s, err) < 0 ||
	    start_workers(s, err) < 0)
		goto fail;
	for (i = 0; i < nfds; i++) {
		s->lfds[i] = fds[i];
		ep_set(s, fds[i], EPOLLIN, 1);
	}
	s->nlfds = nfds;
	ep_set(s, s->sigfd, EPOLLIN, 1);
	ep_set(s, pq_backend_fd(s->backend), EPOLLIN, 1);
	s->next_stats_ms = mg_now_ms() + cfg->stats_interval_ms;
	return s;
fail:
	/* nothing was taken: the caller keeps cfg and the descriptors */
	s->cfg = NULL;
	pthread_sigmask(SIG_SETMASK, &s->oldmask, NULL);
	pq_server_free(&s);
	return NULL;
}

/* is_listener - whether fd is one of the listening sockets */
static int
is_listener(const struct pq_server *s, int fd)
{
	size_t i;

	for (i = 0; i < s->nlfds; i++)
		if (s->lfds[i] == fd)
			return 1;
	return 0;
}

/* set_gauges - what the loop holds, for the metrics (a few atomic stores) */
static void
set_gauges(struct pq_server *s)
{
	mg_metric_set(s->pm.connections, NULL, NULL, (long long)s->nconns);
	mg_metric_set(s->pm.cache_entries, NULL, NULL, (long long)pq_cache_count(s->cache));
	mg_metric_set(s->pm.subscribed, NULL, NULL, pq_backend_subscribed(s->backend) ? 1 : 0);
}

/* pq_server_export - serve the metrics on metrics_fd (-1: none; taken
 * over) and/or write cfg->metrics_textfile every stats_interval */
int
pq_server_export(struct pq_server *s, int metrics_fd, struct mg_error *err)
{
	set_gauges(s);
	s->export = mg_metrics_export_start(s->pm.reg, metrics_fd, s->cfg->metrics_textfile,
					    s->cfg->stats_interval_ms, err);
	return s->export == NULL && err->kind != MG_ERR_NONE ? -1 : 0;
}

/* pq_server_run - the epoll loop, until a stop signal */
int
pq_server_run(struct pq_server *s)
{
	struct epoll_event evs[256];

	while (!s->stop) {
		long long now = mg_now_ms(), wait = s->next_stats_ms - now;
		int i, n;

		if (s->whead != NULL && s->whead->deadline_ms - now < wait)
			wait = s->whead->deadline_ms - now;
		if (wait < 0)
			wait = 0;
		n = epoll_wait(s->ep, evs, 256, (int)wait);
		if (n < 0 && errno != EINTR) {
			mg_warn("epoll_wait");
			return -1;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			struct conn *c;

			if (fd == s->sigfd) {
				on_signal(s);
			} else if (fd == pq_backend_fd(s->backend)) {
				on_events(s);
			} else if (is_listener(s, fd)) {
				on_accept(s, fd);
			} else if ((size_t)fd < s->maxfd && (c = s->conns[fd]) != NULL) {
				if (evs[i].events & EPOLLOUT) {
					int rc = flush(s, c);
					if (rc < 0) {
						conn_close(s, c);
						continue;
					}
					if (rc == 0) {
						ep_set(s, fd, EPOLLIN, 0);
						process(s, c);
						if (s->conns[fd] != c)
							continue;
					}
				}
				if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
					on_readable(s, c);
			}
		}
		expire(s);
		if (mg_now_ms() >= s->next_stats_ms)
			flush_stats(s);
		set_gauges(s);
	}
	mg_notify("STOPPING=1");
	log_stats(s);
	return 0;
}

/* pq_server_free - stop the threads, close and free everything */
void
pq_server_free(struct pq_server **sp)
{
	struct pq_server *s = *sp;
	size_t i;

	if (s == NULL)
		return;
	pq_backend_stop(&s->backend);
	pq_notifier_stop(&s->notifier);
	mg_metrics_export_stop(&s->export);     /* the textfile's last write */
	pq_metrics_release(&s->pm);
	for (i = 0; s->conns != NULL && i < s->maxfd; i++)
		if (s->conns[i] != NULL)
			conn_close(s, s->conns[i]);
	for (i = 0; i < s->nlfds; i++)
		close(s->lfds[i]);
	pq_cache_free(&s->cache);
	free(s->conns);
	free(s->lfds);
	if (s->ep >= 0)
		close(s->ep);
	if (s->sigfd >= 0)
		close(s->sigfd);
	if (s->cfg != NULL) {
		pq_config_release(s->cfg);
		free(s->cfg);
	}
	free(s->config_path);
	free(s);
	*sp = NULL;
}
