/*
 * ctl_run.c - dispatch and the SCAN loop (see ctl_run.h)
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_run.h"

int
ctl_run(struct ctl_ctx *cx, const struct ctl_cmd *cmd)
{
	switch (cmd->op) {
	case CTL_DEFER_LIST: return ctl_defer_list(cx, cmd);
	case CTL_DEFER_LIFT: return ctl_defer_lift(cx, cmd);
	case CTL_QUOTA_SHOW: return ctl_quota_show(cx, cmd);
	case CTL_WARN_REARM: return ctl_warn_rearm(cx, cmd);
	case CTL_BAN_ADD:
	case CTL_BAN_DEL: return ctl_ban_change(cx, cmd);
	case CTL_BAN_LIST: return ctl_ban_list(cx, cmd);
	case CTL_BAN_PURGE: return ctl_ban_purge(cx, cmd);
	case CTL_STATS: return ctl_stats(cx, cmd);
	}
	mg_error_set(&cx->err, MG_ERR_INTERNAL, "unknown command");
	return CTL_EXIT_USAGE;
}

int
ctl_glob_escape(const char *s, char *out, size_t outsz)
{
	size_t o = 0;

	for (; *s != '\0'; s++) {
		if (o + 3 > outsz)
			return -1;
		if (strchr("*?[]\\", *s) != NULL)
			out[o++] = '\\';
		out[o++] = *s;
	}
	if (o + 1 > outsz)
		return -1;
	out[o] = '\0';
	return 0;
}

int
ctl_scan(struct ctl_ctx *cx, const char *pattern,
	 int (*fn)(struct ctl_ctx *cx, const char *key, void *arg), void *arg)
{
	char cursor[32] = "0", count[16];
	redisReply *rep;
	size_t i;
	long rounds;

	snprintf(count, sizeof(count), "%d", CTL_SCAN_COUNT);
	for (rounds = 0; rounds < CTL_SCAN_ROUNDS; rounds++) {
		const char *argv[] = { "SCAN", cursor, "MATCH", pattern, "COUNT", count };
		const redisReply *keys;
		if (mg_redis_commandargv(cx->redis, &rep, &cx->err, 6, argv, NULL) < 0)
			return -1;
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
		    rep->element[0]->type != REDIS_REPLY_STRING ||
		    rep->element[1]->type != REDIS_REPLY_ARRAY) {
			freeReplyObject(rep);
			return mg_error_set(&cx->err, MG_ERR_REDIS_REPLY,
					    "SCAN: unexpected reply");
		}
		keys = rep->element[1];
		for (i = 0; i < keys->elements; i++) {
			if (keys->element[i]->type != REDIS_REPLY_STRING)
				continue;
			if (fn(cx, keys->element[i]->str, arg) < 0) {
				freeReplyObject(rep);
				return -1;
			}
		}
		snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
		freeReplyObject(rep);
		if (strcmp(cursor, "0") == 0)
			return 0;
	}
	return mg_error_set(&cx->err, MG_ERR_LIMIT,
			    "SCAN did not finish after %d rounds", CTL_SCAN_ROUNDS);
}

int
ctl_redis_fail(struct ctl_ctx *cx)
{
	return ctl_exit_code(&cx->err);
}
