/*
 * mg_redis_settings.h - where and how to reach Redis: the settings, their
 * config rows and their checks
 *
 * Apart from the client (mg_redis.h) so that a component's config and
 * decision headers describe Redis without pulling in hiredis.  The
 * addresses use the endpoint syntax (mg_endpoint.h) with unix sockets
 * allowed and port 6379 by default.
 */
#ifndef MG_REDIS_SETTINGS_H
#define MG_REDIS_SETTINGS_H

#include <stddef.h>

#include "mg_config.h"
#include "mg_endpoint.h"
#include "mg_error.h"

#define MG_REDIS_DEFAULT_PORT 6379
#define MG_SENTINELS_MAX 16

struct mg_redis_settings {
	char *server;        /* mg_endpoint.h syntax: "host:port", "host"
			      * (6379), "/path" or "unix:/path" */
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

/* mg_redis_settings_check - validate the server syntax etc. (for -t) */
int mg_redis_settings_check(const struct mg_redis_settings *set,
			    struct mg_error *err);

/* mg_redis_uses_sentinels - whether redis_sentinels names any address */
int mg_redis_uses_sentinels(const struct mg_redis_settings *set);

/* mg_redis_parse_server - one Redis address (what names the setting in
 * messages: "redis_server: bad port in ..."); MG_ERR_CONFIG */
int mg_redis_parse_server(const char *what, const char *s,
			  struct mg_endpoint *ep, struct mg_error *err);

/* mg_redis_parse_sentinels - the space- or comma-separated
 * redis_sentinels into eps (at most MG_SENTINELS_MAX); an entry that
 * does not parse is left out and reported: -1 with the first such
 * reason in err, else 0 */
int mg_redis_parse_sentinels(const char *s, struct mg_endpoint *eps,
			     int *n_r, struct mg_error *err);

#endif
