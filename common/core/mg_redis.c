/*
 * mg_redis.c - synchronous Redis client with timeouts and backoff
 *
 * connect:  resolve the endpoint -> connect with the connect timeout ->
 *           set the command timeout -> AUTH -> SELECT
 * command:  connect if needed -> run -> on an I/O error throw the context
 *           away (never redisReconnect: it drops the timeout, and a late
 *           reply would be read as the next answer) and back off.
 * A command that fails because the server closed an idle connection
 * (EOF, reset) is retried once on a new connection; a timed-out command
 * is never retried (it may have run).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mg_clock.h"
#include "mg_endpoint.h"
#include "mg_log.h"
#include "mg_redis.h"

struct mg_redis {
	struct mg_redis_settings set;
	struct mg_endpoint sentinel[MG_SENTINELS_MAX];   /* parsed once */
	int n_sentinels;
	int sentinel_first;            /* the sentinel that answered last */
	redisContext *ctx;
	long long backoff_ms;          /* current backoff, 0 = none */
	long long next_try_ms;         /* monotonic time of the next attempt */
	char desc[300];
	/* outage reporting (see mg_redis_set_outage_text) */
	int quiet;
	char doing[128];               /* "" = no consequence named */
	int down;                      /* an outage was reported */
	long long down_since_ms;
	/* metrics (see mg_redis_set_metrics); rm NULL: off */
	const struct mg_redis_metrics *rm;
	char client[32];
};

/* ms_to_tv - milliseconds as a struct timeval */
static struct timeval
ms_to_tv(long long ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	return tv;
}

/* ask_sentinel - one sentinel's answer: the master's endpoint; 0 or -1
 * (the reason in err) */
static int
ask_sentinel(const struct mg_redis *r, const struct mg_endpoint *sep,
	     struct mg_endpoint *ep, struct mg_error *err)
{
	struct timeval tv = ms_to_tv(r->set.connect_timeout_ms);
	redisContext *c = sep->is_unix ? redisConnectUnixWithTimeout(sep->path, tv)
				       : redisConnectWithTimeout(sep->host, sep->port, tv);
	const char *name = sep->is_unix ? sep->path : sep->host;
	redisReply *rep = NULL;
	int rc = -1;

	if (c == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "redis: out of memory");
	if (c->err) {
		mg_error_set(err, MG_ERR_REDIS_DOWN, "sentinel %s:%d: %s", name, sep->port, c->errstr);
		goto out;
	}
	(void)redisSetTimeout(c, ms_to_tv(r->set.command_timeout_ms));
	if (r->set.sentinel_password[0] != '\0') {
		rep = redisCommand(c, "AUTH %s", r->set.sentinel_password);
		if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
			mg_error_set(err, MG_ERR_REDIS_AUTH, "sentinel %s:%d: AUTH refused",
				     name, sep->port);
			goto out;
		}
		freeReplyObject(rep);
	}
	rep = redisCommand(c, "SENTINEL get-master-addr-by-name %s", r->set.sentinel_master);
	if (rep == NULL) {
		mg_error_set(err, MG_ERR_REDIS_DOWN, "sentinel %s:%d: %s", name, sep->port,
			     c->errstr);
	} else if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
		   rep->element[0]->type != REDIS_REPLY_STRING ||
		   rep->element[1]->type != REDIS_REPLY_STRING) {
		mg_error_set(err, MG_ERR_REDIS_DOWN, "sentinel %s:%d: no master named \"%s\"%s%.100s",
			     name, sep->port, r->set.sentinel_master,
			     rep->type == REDIS_REPLY_ERROR ? ": " : "",
			     rep->type == REDIS_REPLY_ERROR ? rep->str : "");
	} else {
		char addr[300];

		snprintf(addr, sizeof(addr), "[%s]:%s", rep->element[0]->str,
			 rep->element[1]->str);
		rc = mg_redis_parse_server("sentinel answer", addr, ep, err);
	}
out:
	if (rep != NULL)
		freeReplyObject(rep);
	redisFree(c);
	return rc;
}

/* mg_redis_resolve - where to connect now: the static setting, or the
 * master the sentinels name (each asked in turn, the last one that
 * answered first) */
static int
mg_redis_resolve(struct mg_redis *r, struct mg_endpoint *ep, struct mg_error *err)
{
	int k;

	if (!mg_redis_uses_sentinels(&r->set))
		return mg_redis_parse_server("redis_server", r->set.server, ep, err);
	if (r->n_sentinels == 0)
		return mg_error_set(err, MG_ERR_CONFIG,
		    "redis_sentinels: no usable address in \"%.64s\"", r->set.sentinels);
	for (k = 0; k < r->n_sentinels; k++) {
		int i = (r->sentinel_first + k) % r->n_sentinels;

		if (ask_sentinel(r, &r->sentinel[i], ep, err) == 0) {
			r->sentinel_first = i;
			return 0;
		}
	}
	return -1;                      /* err: the last sentinel's reason */
}

/* dup_or_empty - a copy of s, "" for NULL */
static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* mg_redis_new - copy the settings, parse the sentinels once; no connection yet */
struct mg_redis *
mg_redis_new(const struct mg_redis_settings *set)
{
	struct mg_redis *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->set = *set;
	r->set.server = dup_or_empty(set->server);
	r->set.user = dup_or_empty(set->user);
	r->set.password = dup_or_empty(set->password);
	r->set.sentinels = dup_or_empty(set->sentinels);
	r->set.sentinel_master = dup_or_empty(set->sentinel_master);
	r->set.sentinel_password = dup_or_empty(set->sentinel_password);
	if (r->set.server == NULL || r->set.user == NULL ||
	    r->set.password == NULL || r->set.sentinels == NULL ||
	    r->set.sentinel_master == NULL || r->set.sentinel_password == NULL) {
		mg_redis_free(&r);
		return NULL;
	}
	if (mg_redis_uses_sentinels(&r->set)) {
		struct mg_error ignored;

		/* callers check the settings first (mg_redis_settings_check);
		 * an entry that does not parse is skipped here */
		(void)mg_redis_parse_sentinels(r->set.sentinels, r->sentinel, &r->n_sentinels,
				      &ignored);
		snprintf(r->desc, sizeof(r->desc), "master \"%s\"", r->set.sentinel_master);
	}
	else
		snprintf(r->desc, sizeof(r->desc), "%s", r->set.server);
	return r;
}

/* mg_redis_free - drop the connection, wipe the passwords, free */
void
mg_redis_free(struct mg_redis **rp)
{
	struct mg_redis *r = *rp;

	if (r == NULL)
		return;
	mg_redis_disconnect(r);
	free(r->set.server);
	free(r->set.user);
	if (r->set.password != NULL)
		explicit_bzero(r->set.password, strlen(r->set.password));
	free(r->set.password);
	free(r->set.sentinels);
	free(r->set.sentinel_master);
	if (r->set.sentinel_password != NULL)
		explicit_bzero(r->set.sentinel_password, strlen(r->set.sentinel_password));
	free(r->set.sentinel_password);
	free(r);
	*rp = NULL;
}

/* mg_redis_disconnect - throw the context away (never reused) */
void
mg_redis_disconnect(struct mg_redis *r)
{
	if (r->ctx != NULL) {
		redisFree(r->ctx);
		r->ctx = NULL;
	}
}

/* mg_redis_reset_backoff - the next command may connect at once */
void
mg_redis_reset_backoff(struct mg_redis *r)
{
	r->backoff_ms = 0;
	r->next_try_ms = 0;
}

/* mg_redis_is_connected - whether a context is held */
bool
mg_redis_is_connected(const struct mg_redis *r)
{
	return r->ctx != NULL;
}

/* mg_redis_describe - where the client connects, for log lines */
const char *
mg_redis_describe(const struct mg_redis *r)
{
	return r->desc;
}

/* mg_redis_sentinel - the sentinel that named the current master */
int
mg_redis_sentinel(const struct mg_redis *r, char *out, size_t outsz)
{
	const struct mg_endpoint *ep;

	out[0] = '\0';
	if (r->ctx == NULL || !mg_redis_uses_sentinels(&r->set) ||
	    r->n_sentinels == 0)
		return 0;
	ep = &r->sentinel[r->sentinel_first];
	if (ep->is_unix)
		snprintf(out, outsz, "%s", ep->path);
	else
		snprintf(out, outsz, strchr(ep->host, ':') ? "[%s]:%d" : "%s:%d",
			 ep->host, ep->port);
	return 1;
}

/* mg_redis_set_outage_text - what the caller does while the server is down */
void
mg_redis_set_outage_text(struct mg_redis *r, const char *doing)
{
	snprintf(r->doing, sizeof(r->doing), "%s", doing != NULL ? doing : "");
}

/* mg_redis_set_quiet - leave this client's outages to the caller */
void
mg_redis_set_quiet(struct mg_redis *r, bool quiet)
{
	r->quiet = quiet;
}

/* mg_redis_metrics_declare - the client families in a registry */
int
mg_redis_metrics_declare(struct mg_metrics *m, struct mg_redis_metrics *rm,
			 struct mg_error *err)
{
	memset(rm, 0, sizeof(*rm));
	rm->roundtrips = mg_metrics_counter(m, "mailguard_redis_roundtrips_total",
		"Redis round trips attempted (a pipeline is one)", "client", NULL, err);
	rm->errors = rm->roundtrips == NULL ? NULL :
		mg_metrics_counter(m, "mailguard_redis_errors_total",
		"Redis failures by kind: redis_down, redis_timeout, redis_auth, redis_reply",
		"client", "kind", err);
	rm->rtt = rm->errors == NULL ? NULL :
		mg_metrics_histogram(m, "mailguard_redis_roundtrip_seconds",
		"time of Redis round trips, connection set-up included", "client", NULL,
		MG_METRICS_SECONDS, MG_METRICS_SECONDS_N, err);
	rm->outages = rm->rtt == NULL ? NULL :
		mg_metrics_counter(m, "mailguard_redis_outages_total",
		"Redis outages begun (each logged once as \"redis unavailable\")",
		"client", NULL, err);
	rm->up = rm->outages == NULL ? NULL :
		mg_metrics_gauge(m, "mailguard_redis_up",
		"1 when the last Redis round trip was answered, 0 during an outage",
		"client", NULL, err);
	return rm->up == NULL ? -1 : 0;
}

/* mg_redis_set_metrics - where this client counts */
void
mg_redis_set_metrics(struct mg_redis *r, const struct mg_redis_metrics *rm,
		     const char *client)
{
	r->rm = rm;
	snprintf(r->client, sizeof(r->client), "%s", client != NULL ? client : "");
}

/* measure - one round trip's count, time and failure kind */
static void
measure(struct mg_redis *r, int rc, const struct mg_error *err, long long t0_ns)
{
	if (r->rm == NULL)
		return;
	mg_metric_inc(r->rm->roundtrips, r->client, NULL);
	if (rc >= 0 || err->kind == MG_ERR_REDIS_REPLY)   /* answered: a real round trip */
		mg_metric_observe(r->rm->rtt, r->client, NULL,
				  (double)(mg_now_ns() - t0_ns) / 1e9);
	if (rc < 0)
		mg_metric_inc(r->rm->errors, r->client,
			      mg_error_is_redis(err) ? mg_err_kind_name(err->kind)
						     : "redis_down");
}

/* is_outage - an error that means the server cannot be used right now
 * (an error reply is an answer, a formatting error a bug) */
static int
is_outage(const struct mg_error *err)
{
	switch (err->kind) {
	case MG_ERR_REDIS_DOWN:
	case MG_ERR_REDIS_TIMEOUT:
	case MG_ERR_REDIS_AUTH:
	case MG_ERR_CONFIG:             /* no sentinel names a usable master */
		return 1;
	default:
		return 0;
	}
}

/* track - report the transitions of this client's outages, once each:
 * down at the first failure, back at the first answer after it */
static int
track(struct mg_redis *r, int rc, const struct mg_error *err)
{
	if (rc >= 0 || err->kind == MG_ERR_REDIS_REPLY) {
		if (r->down && !r->quiet)
			mg_info("redis available again at %s after %lld s", r->desc,
				(mg_now_ms() - r->down_since_ms) / 1000);
		r->down = 0;
		if (r->rm != NULL)
			mg_metric_set(r->rm->up, r->client, NULL, 1);
	} else if (is_outage(err) && !r->down) {
		r->down = 1;
		r->down_since_ms = mg_now_ms();
		if (r->rm != NULL) {
			mg_metric_set(r->rm->up, r->client, NULL, 0);
			mg_metric_inc(r->rm->outages, r->client, NULL);
		}
		if (r->quiet)
			return rc;
		if (r->doing[0] != '\0')
			mg_warnx("redis unavailable, %s until it is back: %s",
				 r->doing, err->msg);
		else
			mg_warnx("redis unavailable: %s", err->msg);
	}
	return rc;
}

/* back_off - drop the context; no attempt before the (doubled) backoff */
static void
back_off(struct mg_redis *r)
{
	mg_redis_disconnect(r);
	r->backoff_ms = r->backoff_ms == 0 ? r->set.backoff_min_ms
					   : r->backoff_ms * 2;
	if (r->backoff_ms > r->set.backoff_max_ms)
		r->backoff_ms = r->set.backoff_max_ms;
	r->next_try_ms = mg_now_ms() + r->backoff_ms;
}

/* io_error - classify the failed context's error, drop it, back off */
static int
io_error(struct mg_redis *r, const char *what, struct mg_error *err)
{
	enum mg_err_kind kind = MG_ERR_REDIS_DOWN;
	int saved = r->ctx ? r->ctx->err : REDIS_ERR_OTHER;
	char estr[128];

	snprintf(estr, sizeof(estr), "%s", r->ctx ? r->ctx->errstr : "no context");
	if (saved == REDIS_ERR_IO &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == ETIMEDOUT ||
	     errno == EINPROGRESS))
		kind = MG_ERR_REDIS_TIMEOUT;
	if (r->ctx != NULL && strstr(estr, "timed out") != NULL)
		kind = MG_ERR_REDIS_TIMEOUT;
	back_off(r);
	return mg_error_set(err, kind, "redis %s: %s: %s", r->desc, what,
			    kind == MG_ERR_REDIS_TIMEOUT ? "timed out" : estr);
}

/* setup_command - one command during connection set-up (AUTH, SELECT) */
static int
setup_command(struct mg_redis *r, enum mg_err_kind kind, const char *what,
	      int argc, const char **argv, struct mg_error *err)
{
	redisReply *reply = redisCommandArgv(r->ctx, argc, argv, NULL);
	int rc = 0;

	if (reply == NULL)
		return io_error(r, what, err);
	if (reply->type == REDIS_REPLY_ERROR) {
		rc = mg_error_set(err, kind, "redis %s: %s refused: %.100s",
				  r->desc, what, reply->str);
		mg_redis_disconnect(r);
		r->backoff_ms = r->set.backoff_max_ms;
		r->next_try_ms = mg_now_ms() + r->backoff_ms;
	}
	freeReplyObject(reply);
	return rc;
}

/* check_master - what a sentinel named must still be a master (during a
 * failover, the old one may answer for a moment) */
static int
check_master(struct mg_redis *r, struct mg_error *err)
{
	redisReply *reply = redisCommand(r->ctx, "ROLE");
	int master;

	if (reply == NULL)
		return io_error(r, "ROLE", err);
	master = reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 &&
		 reply->element[0]->type == REDIS_REPLY_STRING &&
		 strcmp(reply->element[0]->str, "master") == 0;
	freeReplyObject(reply);
	if (master)
		return 0;
	back_off(r);
	return mg_error_set(err, MG_ERR_REDIS_DOWN,
			    "redis %s: not a master (a failover is under way)", r->desc);
}

/* demoted - a READONLY error: the master became a replica under us;
 * drop the connection so the next command asks the sentinels again */
static void
demoted(struct mg_redis *r, const redisReply *reply)
{
	if (reply != NULL && reply->type == REDIS_REPLY_ERROR &&
	    strncmp(reply->str, "READONLY", 8) == 0)
		mg_redis_disconnect(r);
}

/* ensure_connected - connect, AUTH, SELECT and check the role, unless in backoff */
static int
ensure_connected(struct mg_redis *r, struct mg_error *err)
{
	struct mg_endpoint ep;
	struct timeval tv;
	long long now;

	if (r->ctx != NULL)
		return 0;
	now = mg_now_ms();
	if (now < r->next_try_ms)
		return mg_error_set(err, MG_ERR_REDIS_DOWN,
		    "redis %s: unavailable, next attempt in %lld ms", r->desc,
		    r->next_try_ms - now);
	if (mg_redis_resolve(r, &ep, err) < 0) {
		if (mg_redis_uses_sentinels(&r->set))
			back_off(r);            /* do not ask the sentinels at every command */
		return -1;
	}
	tv = ms_to_tv(r->set.connect_timeout_ms);
	if (ep.is_unix) {
		r->ctx = redisConnectUnixWithTimeout(ep.path, tv);
		snprintf(r->desc, sizeof(r->desc), "%s", ep.path);
	} else {
		r->ctx = redisConnectWithTimeout(ep.host, ep.port, tv);
		snprintf(r->desc, sizeof(r->desc), "%s:%d", ep.host, ep.port);
	}
	if (r->ctx == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "redis: out of memory");
	if (r->ctx->err)
		return io_error(r, "connect", err);
	if (redisSetTimeout(r->ctx, ms_to_tv(r->set.command_timeout_ms)) != REDIS_OK)
		return io_error(r, "set timeout", err);
	if (!ep.is_unix)
		(void)redisEnableKeepAlive(r->ctx);
	if (r->set.password[0] != '\0') {
		const char *argv[3] = { "AUTH", r->set.user, r->set.password };
		int argc = 3;
		if (r->set.user[0] == '\0') {
			argv[1] = r->set.password;
			argc = 2;
		}
		if (setup_command(r, MG_ERR_REDIS_AUTH, "AUTH", argc, argv,
				  err) < 0)
			return -1;
	}
	if (r->set.db != 0) {
		char db[24];
		const char *argv[2] = { "SELECT", db };
		snprintf(db, sizeof(db), "%lld", r->set.db);
		if (setup_command(r, MG_ERR_REDIS_AUTH, "SELECT", 2, argv,
				  err) < 0)
			return -1;
	}
	if (mg_redis_uses_sentinels(&r->set) && check_master(r, err) < 0)
		return -1;
	r->backoff_ms = 0;
	r->next_try_ms = 0;
	return 0;
}

/* finish_reply - turn a reply into the 0/-1 convention */
static int
finish_reply(struct mg_redis *r, redisReply *reply, redisReply **reply_r,
	     struct mg_error *err)
{
	if (reply->type == REDIS_REPLY_ERROR) {
		mg_error_set(err, MG_ERR_REDIS_REPLY, "redis %s: %.200s",
			     r->desc, reply->str);
		demoted(r, reply);
		freeReplyObject(reply);
		return -1;
	}
	if (reply_r != NULL)
		*reply_r = reply;
	else
		freeReplyObject(reply);
	return 0;
}

/* retryable - the server closed the connection (idle timeout, restart):
 * the command was most likely never run */
static int
retryable(const redisContext *ctx)
{
	return ctx->err == REDIS_ERR_EOF ||
	       (ctx->err == REDIS_ERR_IO &&
		(errno == ECONNRESET || errno == EPIPE));
}

/* run_formatted - send one formatted command and read its reply; a
 * command that found its connection closed by the server is sent once
 * more on a new one */
static int
run_formatted(struct mg_redis *r, const char *cmd, size_t len,
	      redisReply **reply_r, struct mg_error *err)
{
	int attempt;

	if (reply_r != NULL)
		*reply_r = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		int was_connected = r->ctx != NULL;
		void *reply = NULL;

		if (ensure_connected(r, err) < 0)
			return -1;
		if (redisAppendFormattedCommand(r->ctx, cmd, len) == REDIS_OK &&
		    redisGetReply(r->ctx, &reply) == REDIS_OK && reply != NULL)
			return finish_reply(r, reply, reply_r, err);
		if (!(was_connected && retryable(r->ctx)))
			break;
		mg_redis_disconnect(r);       /* stale connection: once more */
	}
	return io_error(r, "command", err);
}

/* mg_redis_commandargv - one binary-safe command, outages tracked */
int
mg_redis_commandargv(struct mg_redis *r, redisReply **reply_r,
		     struct mg_error *err, int argc, const char **argv,
		     const size_t *argvlen)
{
	struct mg_error local;
	char *cmd = NULL;
	int len = redisFormatCommandArgv(&cmd, argc, argv, argvlen), rc;

	long long t0 = mg_now_ns();

	if (len < 0)
		return mg_error_set(err, MG_ERR_NOMEM, "redis: cannot format command");
	if (err == NULL)
		err = &local;
	rc = run_formatted(r, cmd, (size_t)len, reply_r, err);
	measure(r, rc, err, t0);
	rc = track(r, rc, err);
	redisFreeCommand(cmd);
	return rc;
}

/* mg_redis_command - one printf-style command, outages tracked */
int
mg_redis_command(struct mg_redis *r, redisReply **reply_r,
		 struct mg_error *err, const char *fmt, ...)
{
	struct mg_error local;
	char *cmd = NULL;
	va_list ap;
	int len, rc;
	long long t0 = mg_now_ns();

	va_start(ap, fmt);
	len = redisvFormatCommand(&cmd, fmt, ap);
	va_end(ap);
	if (len < 0)
		return mg_error_set(err, MG_ERR_PARSE, "redis: bad command format");
	if (err == NULL)
		err = &local;
	rc = run_formatted(r, cmd, (size_t)len, reply_r, err);
	measure(r, rc, err, t0);
	rc = track(r, rc, err);
	redisFreeCommand(cmd);
	return rc;
}

/* run_pipeline - mg_redis_pipeline without the outage tracking */
static int
run_pipeline(struct mg_redis *r, size_t n, const int *argcs,
	     const char *const *const *argvs, const size_t *const *argvlens,
	     redisReply **replies_r, struct mg_error *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		replies_r[i] = NULL;
	if (ensure_connected(r, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (redisAppendCommandArgv(r->ctx, argcs[i],
					   (const char **)argvs[i],
					   argvlens ? argvlens[i] : NULL) != REDIS_OK)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		void *reply = NULL;
		if (redisGetReply(r->ctx, &reply) != REDIS_OK || reply == NULL)
			goto fail;
		replies_r[i] = reply;
	}
	for (i = 0; i < n && r->ctx != NULL; i++)
		demoted(r, replies_r[i]);
	return 0;
fail:
	for (i = 0; i < n; i++) {
		if (replies_r[i] != NULL)
			freeReplyObject(replies_r[i]);
		replies_r[i] = NULL;
	}
	return io_error(r, "pipeline", err);
}

/* mg_redis_pipeline - n commands in one round trip, outages tracked */
int
mg_redis_pipeline(struct mg_redis *r, size_t n, const int *argcs,
		  const char *const *const *argvs,
		  const size_t *const *argvlens, redisReply **replies_r,
		  struct mg_error *err)
{
	struct mg_error local;
	long long t0 = mg_now_ns();
	int rc;

	if (err == NULL)
		err = &local;
	rc = run_pipeline(r, n, argcs, argvs, argvlens, replies_r, err);
	measure(r, rc, err, t0);
	return track(r, rc, err);
}

/* mg_redis_subscribe - SUBSCRIBE, then wait for messages without a timeout */
int
mg_redis_subscribe(struct mg_redis *r, const char *channel,
		   struct mg_error *err)
{
	const char *argv[2] = { "SUBSCRIBE", channel };
	redisReply *reply;
	struct timeval none = { 0, 0 };
	struct mg_error local;

	if (err == NULL)
		err = &local;
	if (mg_redis_commandargv(r, &reply, err, 2, argv, NULL) < 0)
		return -1;
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) {
		freeReplyObject(reply);
		mg_redis_disconnect(r);
		return mg_error_set(err, MG_ERR_REDIS_REPLY,
				    "redis %s: bad SUBSCRIBE reply", r->desc);
	}
	freeReplyObject(reply);
	/* wait for messages as long as it takes */
	if (redisSetTimeout(r->ctx, none) != REDIS_OK)
		return track(r, io_error(r, "set timeout", err), err);
	return 0;
}

/* next_reply - the next reply on a subscribed connection: from what was
 * read already, else from the socket once it (or stop_fd: 0) is
 * readable.  1 with *reply_r, 0 stop, -1 error. */
static int
next_reply(struct mg_redis *r, int stop_fd, redisReply **reply_r,
	   struct mg_error *err)
{
	void *v = NULL;

	for (;;) {
		struct pollfd p[2] = { { r->ctx->fd, POLLIN, 0 }, { stop_fd, POLLIN, 0 } };

		if (redisGetReplyFromReader(r->ctx, &v) != REDIS_OK)
			return io_error(r, "subscription", err);
		if (v != NULL) {
			*reply_r = v;
			return 1;
		}
		if (poll(p, stop_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return io_error(r, "subscription", err);
		}
		if (stop_fd >= 0 && (p[1].revents & POLLIN))
			return 0;
		if (redisBufferRead(r->ctx) != REDIS_OK)
			return io_error(r, "subscription", err);
	}
}

/* mg_redis_read_message - the next message's payload, or stop_fd, or failure */
int
mg_redis_read_message(struct mg_redis *r, char *payload, size_t size,
		      int stop_fd, struct mg_error *err)
{
	struct mg_error local;
	redisReply *reply = NULL;
	int rc;

	if (err == NULL)
		err = &local;
	if (r->ctx == NULL)
		return mg_error_set(err, MG_ERR_REDIS_DOWN,
				    "redis %s: not subscribed", r->desc);
	while ((rc = next_reply(r, stop_fd, &reply, err)) == 1) {
		if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
		    reply->element[0]->type == REDIS_REPLY_STRING &&
		    strcmp(reply->element[0]->str, "message") == 0 &&
		    reply->element[2]->type == REDIS_REPLY_STRING) {
			snprintf(payload, size, "%s", reply->element[2]->str);
			freeReplyObject(reply);
			return track(r, 1, err);
		}
		freeReplyObject(reply);     /* (un)subscribe confirmations */
	}
	return rc < 0 ? track(r, rc, err) : 0;
}
