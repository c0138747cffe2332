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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mg_redis.h"

struct mg_endpoint {
	int is_unix;
	char host[256];
	int port;
	char path[108];
};

struct mg_redis {
	struct mg_redis_settings set;
	redisContext *ctx;
	long long backoff_ms;          /* current backoff, 0 = none */
	long long next_try_ms;         /* monotonic time of the next attempt */
	char desc[300];
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval
ms_to_tv(long long ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	return tv;
}

/* parse_server - "host:port", "host", "[v6]:port", "/path", "unix:/path" */
static int
parse_server(const char *s, struct mg_endpoint *ep, struct mg_error *err)
{
	const char *colon;
	char *end;
	long port = 6379;
	size_t hlen;

	memset(ep, 0, sizeof(*ep));
	if (strncmp(s, "unix:", 5) == 0)
		s += 5;
	if (s[0] == '/') {
		if (strlen(s) >= sizeof(ep->path))
			return mg_error_set(err, MG_ERR_CONFIG,
			    "redis_server: socket path too long");
		ep->is_unix = 1;
		strcpy(ep->path, s);
		return 0;
	}
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL)
			return mg_error_set(err, MG_ERR_CONFIG,
			    "redis_server: missing ']' in \"%.64s\"", s);
		hlen = (size_t)(rb - s - 1);
		s++;
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] != '\0' && colon == NULL)
			return mg_error_set(err, MG_ERR_CONFIG,
			    "redis_server: bad address \"%.64s\"", s - 1);
	} else {
		colon = strrchr(s, ':');
		hlen = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (hlen == 0 || hlen >= sizeof(ep->host))
		return mg_error_set(err, MG_ERR_CONFIG,
		    "redis_server: bad host in \"%.64s\"", s);
	memcpy(ep->host, s, hlen);
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || errno != 0 ||
		    port < 1 || port > 65535)
			return mg_error_set(err, MG_ERR_CONFIG,
			    "redis_server: bad port in \"%.64s\"", s);
	}
	ep->port = (int)port;
	return 0;
}

/* mg_redis_resolve - where to connect now.  Static setting today; a
 * Sentinel resolver (SENTINEL get-master-addr-by-name, ROLE check) plugs
 * in here, chosen by the settings, without touching callers. */
static int
mg_redis_resolve(const struct mg_redis *r, struct mg_endpoint *ep,
		 struct mg_error *err)
{
	return parse_server(r->set.server, ep, err);
}

int
mg_redis_settings_check(const struct mg_redis_settings *set,
			struct mg_error *err)
{
	struct mg_endpoint ep;

	if (set->server == NULL || set->server[0] == '\0')
		return mg_error_set(err, MG_ERR_CONFIG, "redis_server is empty");
	if (set->user != NULL && set->user[0] != '\0' &&
	    (set->password == NULL || set->password[0] == '\0'))
		return mg_error_set(err, MG_ERR_CONFIG,
		    "redis_user needs redis_password");
	return parse_server(set->server, &ep, err);
}

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

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
	if (r->set.server == NULL || r->set.user == NULL ||
	    r->set.password == NULL) {
		mg_redis_free(&r);
		return NULL;
	}
	snprintf(r->desc, sizeof(r->desc), "%s", r->set.server);
	return r;
}

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
	free(r);
	*rp = NULL;
}

void
mg_redis_disconnect(struct mg_redis *r)
{
	if (r->ctx != NULL) {
		redisFree(r->ctx);
		r->ctx = NULL;
	}
}

void
mg_redis_reset_backoff(struct mg_redis *r)
{
	r->backoff_ms = 0;
	r->next_try_ms = 0;
}

bool
mg_redis_is_connected(const struct mg_redis *r)
{
	return r->ctx != NULL;
}

const char *
mg_redis_describe(const struct mg_redis *r)
{
	return r->desc;
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
	mg_redis_disconnect(r);
	r->backoff_ms = r->backoff_ms == 0 ? r->set.backoff_min_ms
					   : r->backoff_ms * 2;
	if (r->backoff_ms > r->set.backoff_max_ms)
		r->backoff_ms = r->set.backoff_max_ms;
	r->next_try_ms = now_ms() + r->backoff_ms;
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
		r->next_try_ms = now_ms() + r->backoff_ms;
	}
	freeReplyObject(reply);
	return rc;
}

static int
ensure_connected(struct mg_redis *r, struct mg_error *err)
{
	struct mg_endpoint ep;
	struct timeval tv;
	long long now;

	if (r->ctx != NULL)
		return 0;
	now = now_ms();
	if (now < r->next_try_ms)
		return mg_error_set(err, MG_ERR_REDIS_DOWN,
		    "redis %s: unavailable, next attempt in %lld ms", r->desc,
		    r->next_try_ms - now);
	if (mg_redis_resolve(r, &ep, err) < 0)
		return -1;
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

int
mg_redis_commandargv(struct mg_redis *r, redisReply **reply_r,
		     struct mg_error *err, int argc, const char **argv,
		     const size_t *argvlen)
{
	char *cmd = NULL;
	int len = redisFormatCommandArgv(&cmd, argc, argv, argvlen), rc;

	if (len < 0)
		return mg_error_set(err, MG_ERR_NOMEM, "redis: cannot format command");
	rc = run_formatted(r, cmd, (size_t)len, reply_r, err);
	redisFreeCommand(cmd);
	return rc;
}

int
mg_redis_command(struct mg_redis *r, redisReply **reply_r,
		 struct mg_error *err, const char *fmt, ...)
{
	char *cmd = NULL;
	va_list ap;
	int len, rc;

	va_start(ap, fmt);
	len = redisvFormatCommand(&cmd, fmt, ap);
	va_end(ap);
	if (len < 0)
		return mg_error_set(err, MG_ERR_PARSE, "redis: bad command format");
	rc = run_formatted(r, cmd, (size_t)len, reply_r, err);
	redisFreeCommand(cmd);
	return rc;
}

int
mg_redis_pipeline(struct mg_redis *r, size_t n, const int *argcs,
		  const char *const *const *argvs,
		  const size_t *const *argvlens, redisReply **replies_r,
		  struct mg_error *err)
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
	return 0;
fail:
	for (i = 0; i < n; i++) {
		if (replies_r[i] != NULL)
			freeReplyObject(replies_r[i]);
		replies_r[i] = NULL;
	}
	return io_error(r, "pipeline", err);
}

int
mg_redis_subscribe(struct mg_redis *r, const char *channel,
		   struct mg_error *err)
{
	const char *argv[2] = { "SUBSCRIBE", channel };
	redisReply *reply;
	struct timeval none = { 0, 0 };

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
		return io_error(r, "set timeout", err);
	return 0;
}

int
mg_redis_read_message(struct mg_redis *r, char *payload, size_t size,
		      struct mg_error *err)
{
	void *v = NULL;
	redisReply *reply;

	if (r->ctx == NULL)
		return mg_error_set(err, MG_ERR_REDIS_DOWN,
				    "redis %s: not subscribed", r->desc);
	for (;;) {
		if (redisGetReply(r->ctx, &v) != REDIS_OK || v == NULL)
			return io_error(r, "subscription", err);
		reply = v;
		if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
		    reply->element[0]->type == REDIS_REPLY_STRING &&
		    strcmp(reply->element[0]->str, "message") == 0 &&
		    reply->element[2]->type == REDIS_REPLY_STRING) {
			snprintf(payload, size, "%s", reply->element[2]->str);
			freeReplyObject(reply);
			return 1;
		}
		freeReplyObject(reply);     /* (un)subscribe confirmations */
	}
}

