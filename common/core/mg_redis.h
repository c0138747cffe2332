/*
 * mg_redis.h - a synchronous Redis client over hiredis 0.14
 *
 * One struct mg_redis is one logical connection (not thread-safe: use one
 * per thread).  It connects lazily, applies AUTH (password, or ACL user +
 * password), SELECT and the command timeout after every (re)connect
 * (hiredis drops the command timeout on redisReconnect, so we never call
 * it: a failed hiredis context is thrown away, never reused, because a
 * late reply would otherwise be read as the answer to the next command).
 *
 * After a failure the client backs off (doubling from backoff_min to
 * backoff_max): commands issued during the backoff fail at once with
 * MG_ERR_REDIS_DOWN, so a dead Redis costs callers nothing.
 *
 * Where the server is comes from an endpoint resolver: the static
 * "server" setting, or, when "sentinels" is set, Redis Sentinel: at every
 * (re)connection the sentinels are asked in turn (the last one that
 * answered first) for the master's address (SENTINEL
 * get-master-addr-by-name), and the server found must say it is a master
 * (ROLE) before it is used.  A READONLY error reply (a master demoted
 * under us) drops the connection, so the next command finds the new
 * master.  Callers see no difference.
 *
 * Each client reports its own outages, once each, so callers do not keep
 * "logged already" flags: at the first failure that makes the server
 * unusable (connect, I/O, timeout, AUTH or SELECT refused, no master
 * found) it logs the warning
 *   redis unavailable, <doing> until it is back: <reason>
 * (<doing> from mg_redis_set_outage_text, e.g. "answering with
 * redis_error_action"; without one: "redis unavailable: <reason>"), and
 * at the first answer afterwards (an error reply counts: the server
 * answered)
 *   redis available again at <server> after <N> s
 * Commands failing meanwhile (backoff) log nothing.
 */
#ifndef MG_REDIS_H
#define MG_REDIS_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis.h>

#include "mg_error.h"
#include "mg_metrics.h"
#include "mg_redis_settings.h"

struct mg_redis;

/* mg_redis_new - copy the settings; does not connect.  NULL on ENOMEM. */
struct mg_redis *mg_redis_new(const struct mg_redis_settings *set);
void mg_redis_free(struct mg_redis **r);

/* mg_redis_command - run one command (printf-style as redisCommand; use
 * %b or mg_redis_commandargv for binary-safe arguments).  On success
 * returns 0 and stores the reply in *reply_r (the caller frees it with
 * freeReplyObject); a Redis error reply is returned as -1 with kind
 * MG_ERR_REDIS_REPLY and the connection is kept. */
int mg_redis_command(struct mg_redis *r, redisReply **reply_r,
		     struct mg_error *err, const char *fmt, ...);
int mg_redis_commandargv(struct mg_redis *r, redisReply **reply_r,
			 struct mg_error *err, int argc, const char **argv,
			 const size_t *argvlen);

/* mg_redis_pipeline - send n commands (argv form) in one round trip and
 * collect n replies into replies_r[0..n-1] (error replies are returned
 * as replies, not as failure; the caller frees each).  -1 on I/O error,
 * with every slot NULL. */
int mg_redis_pipeline(struct mg_redis *r, size_t n, const int *argcs,
		      const char *const *const *argvs, const size_t *const *argvlens,
		      redisReply **replies_r, struct mg_error *err);

/* mg_redis_subscribe - connect if needed and SUBSCRIBE to channel; the
 * connection then only carries messages: it waits without a command
 * timeout (TCP keepalive detects a dead peer) until
 * mg_redis_read_message() returns one payload (1), or stop_fd (-1: none)
 * becomes readable (0: the caller is stopping; still subscribed), or it
 * fails (-1, the connection is dropped: subscribe again). */
int mg_redis_subscribe(struct mg_redis *r, const char *channel,
		       struct mg_error *err);
int mg_redis_read_message(struct mg_redis *r, char *payload, size_t size,
			  int stop_fd, struct mg_error *err);

/* mg_redis_is_connected - whether a live context exists right now */
bool mg_redis_is_connected(const struct mg_redis *r);
/* mg_redis_disconnect - drop the context (e.g. after fork) */
void mg_redis_disconnect(struct mg_redis *r);
/* mg_redis_reset_backoff - allow an immediate reconnection attempt */
void mg_redis_reset_backoff(struct mg_redis *r);
/* mg_redis_describe - "host:port" or the socket path, for log lines */
const char *mg_redis_describe(const struct mg_redis *r);
/* mg_redis_sentinel - while connected through Redis Sentinel: the
 * sentinel that named the master ("host:port", "[v6]:port" or the socket
 * path) into out, and 1; 0 with out "" when not connected or when the
 * server is the static redis_server (mg_redis_describe then names the
 * server itself, as it names the master once connected) */
int mg_redis_sentinel(const struct mg_redis *r, char *out, size_t outsz);
/* mg_redis_set_outage_text - what the caller does while this client's
 * server is down, named in the outage warning (copied; NULL or "": none) */
void mg_redis_set_outage_text(struct mg_redis *r, const char *doing);
/* The client's metrics, one family each, labelled by client (the role the
 * owner names: "bans", "notices", "lookups", "subscription"):
 *   mailguard_redis_roundtrips_total{client}   commands and pipelines sent
 *   mailguard_redis_errors_total{client,kind}  failures by kind: redis_down
 *                                              (also while backing off),
 *                                              redis_timeout, redis_auth,
 *                                              redis_reply
 *   mailguard_redis_roundtrip_seconds{client}  histogram of answered round trips
 *   mailguard_redis_outages_total{client}      outages begun (as logged)
 *   mailguard_redis_up{client}                 1 after an answer, 0 in an outage
 * mg_redis_metrics_declare declares them in a daemon's registry (once). */
struct mg_redis_metrics {
	struct mg_metric *roundtrips, *errors, *rtt, *outages, *up;
};
int mg_redis_metrics_declare(struct mg_metrics *m, struct mg_redis_metrics *rm,
			     struct mg_error *err);
/* mg_redis_set_metrics - count this client's work in rm (NULL: off)
 * under the label client (copied) */
void mg_redis_set_metrics(struct mg_redis *r, const struct mg_redis_metrics *rm,
			  const char *client);

/* mg_redis_set_quiet - do not log this client's outages (a client whose
 * caller reports something more precise, or a one-shot command) */
void mg_redis_set_quiet(struct mg_redis *r, bool quiet);

#endif
