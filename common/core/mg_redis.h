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
 */
#ifndef MG_REDIS_H
#define MG_REDIS_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis.h>

#include "mg_config.h"
#include "mg_error.h"

struct mg_redis_settings {
	char *server;        /* "host:port", "host" (6379), "/path" or "unix:/path" */
	char *user;          /* ACL user ("" = none) */
	char *password;      /* "" = no AUTH */
	long long db;
	long long connect_timeout_ms;
	long long command_timeout_ms;
	long long backoff_min_ms;
	long long backoff_max_ms;
	char *sentinels;     /* "host:port host:port..." ("" or NULL = use server) */
	char *sentinel_master;   /* the name the sentinels monitor */
	char *sentinel_password; /* AUTH to the sentinels ("" = none) */
};

/* Config rows for a struct mg_redis_settings embedded as field `member`
 * of the daemon's config type `type`: keys redis_server, redis_user,
 * redis_password, redis_db, redis_connect_timeout, redis_timeout,
 * redis_backoff_min, redis_backoff_max, redis_sentinels,
 * redis_sentinel_master, redis_sentinel_password. */
#define MG_REDIS_CFG_ROWS(type, member)                                      \
	{ "redis_server", MG_CFG_STRING, "127.0.0.1:6379",                   \
	  offsetof(type, member.server), 0, 0, NULL,                         \
	  "Redis server: host:port or unix socket path" },                  \
	{ "redis_user", MG_CFG_STRING, "",                                   \
	  offsetof(type, member.user), 0, 0, NULL,                           \
	  "Redis ACL user name (empty: default user)" },                    \
	{ "redis_password", MG_CFG_STRING, "",                               \
	  offsetof(type, member.password), 0, 0, NULL,                       \
	  "Redis password (empty: no AUTH)" },                              \
	{ "redis_db", MG_CFG_INT, "0", offsetof(type, member.db), 0, 65535,  \
	  NULL, "Redis database number" },                                  \
	{ "redis_connect_timeout", MG_CFG_DURATION, "200ms",                 \
	  offsetof(type, member.connect_timeout_ms), 1, 60000, NULL,         \
	  "Redis connect timeout" },                                        \
	{ "redis_timeout", MG_CFG_DURATION, "100ms",                         \
	  offsetof(type, member.command_timeout_ms), 1, 60000, NULL,         \
	  "Redis command timeout" },                                        \
	{ "redis_backoff_min", MG_CFG_DURATION, "100ms",                     \
	  offsetof(type, member.backoff_min_ms), 0, 3600000, NULL,           \
	  "first wait before reconnecting after a failure" },               \
	{ "redis_backoff_max", MG_CFG_DURATION, "5s",                        \
	  offsetof(type, member.backoff_max_ms), 0, 3600000, NULL,           \
	  "longest wait between reconnection attempts" },                   \
	{ "redis_sentinels", MG_CFG_STRING, "",                              \
	  offsetof(type, member.sentinels), 0, 0, NULL,                      \
	  "Redis Sentinel addresses, host:port separated by spaces "        \
	  "(empty: redis_server is the server)" },                          \
	{ "redis_sentinel_master", MG_CFG_STRING, "mailguard",               \
	  offsetof(type, member.sentinel_master), 0, 0, NULL,                \
	  "name of the master the sentinels monitor" },                     \
	{ "redis_sentinel_password", MG_CFG_STRING, "",                      \
	  offsetof(type, member.sentinel_password), 0, 0, NULL,              \
	  "password of the sentinels (empty: no AUTH)" }

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
 * mg_redis_read_message() returns one payload (1), or fails (-1, the
 * connection is dropped: subscribe again). */
int mg_redis_subscribe(struct mg_redis *r, const char *channel,
		       struct mg_error *err);
int mg_redis_read_message(struct mg_redis *r, char *payload, size_t size,
			  struct mg_error *err);

/* mg_redis_is_connected - whether a live context exists right now */
bool mg_redis_is_connected(const struct mg_redis *r);
/* mg_redis_disconnect - drop the context (e.g. after fork) */
void mg_redis_disconnect(struct mg_redis *r);
/* mg_redis_reset_backoff - allow an immediate reconnection attempt */
void mg_redis_reset_backoff(struct mg_redis *r);
/* mg_redis_describe - "host:port" or the socket path, for log lines */
const char *mg_redis_describe(const struct mg_redis *r);

/* mg_redis_settings_check - validate the server syntax etc. (for -t) */
int mg_redis_settings_check(const struct mg_redis_settings *set,
			    struct mg_error *err);

#endif
