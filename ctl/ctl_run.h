/*
 * ctl_run.h - mailguard-ctl's Redis work, one file per family of
 * commands; each returns a CTL_EXIT_* code and, on failure, a message
 * in cx->err (printed by main on stderr)
 *
 *   ctl_defer.c   defer list / lift   K defer:{MB}:<id>, K deferinfo:{MB}:<id>
 *   ctl_quota.c   quota show, warn rearm   K quota:{MB}, K warn:{MB}
 *   ctl_ban.c     ban add/del/list/purge   K {ban}:*
 *   ctl_stats.c   stats                    K stats:<component>[:<host>]
 *
 * Listing across mailboxes is SCAN MATCH ... COUNT in a bounded loop
 * (never KEYS).
 */
#ifndef CTL_RUN_H
#define CTL_RUN_H

#include <stdio.h>

#include "ctl_cmd.h"
#include "ctl_config.h"
#include "mg_error.h"
#include "mg_redis.h"

#define CTL_SCAN_COUNT 1000
#define CTL_SCAN_ROUNDS 100000      /* at most this many SCAN calls */

struct ctl_ctx {
	struct mg_redis *redis;
	const struct ctl_config *cfg;
	long long now;                  /* unix seconds */
	FILE *out;
	struct mg_error err;
};

/* ctl_run - one command (mailbox arguments already normalised in cmd) */
int ctl_run(struct ctl_ctx *cx, const struct ctl_cmd *cmd);

int ctl_defer_list(struct ctl_ctx *cx, const struct ctl_cmd *cmd);
int ctl_defer_lift(struct ctl_ctx *cx, const struct ctl_cmd *cmd);
int ctl_quota_show(struct ctl_ctx *cx, const struct ctl_cmd *cmd);
int ctl_warn_rearm(struct ctl_ctx *cx, const struct ctl_cmd *cmd);
int ctl_ban_change(struct ctl_ctx *cx, const struct ctl_cmd *cmd);
int ctl_ban_list(struct ctl_ctx *cx, const struct ctl_cmd *cmd);
int ctl_ban_purge(struct ctl_ctx *cx, const struct ctl_cmd *cmd);
int ctl_stats(struct ctl_ctx *cx, const struct ctl_cmd *cmd);

/* ctl_scan - every key matching pattern, handed to fn (which returns 0,
 * or -1 to stop with cx->err set); -1 on a Redis error or when the
 * bound on rounds is reached */
int ctl_scan(struct ctl_ctx *cx, const char *pattern,
	     int (*fn)(struct ctl_ctx *cx, const char *key, void *arg),
	     void *arg);
/* ctl_glob_escape - s with the glob characters * ? [ ] \ escaped; -1
 * when it does not fit */
int ctl_glob_escape(const char *s, char *out, size_t outsz);

/* ctl_redis_fail - the exit code for the error in cx->err */
int ctl_redis_fail(struct ctl_ctx *cx);

#endif
