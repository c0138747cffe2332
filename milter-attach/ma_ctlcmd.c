/*
 * ma_ctlcmd.c - milter-attach-ctl commands (see ma_ctlcmd.h)
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ma_config.h"
#include "ma_ctlcmd.h"

/* mime_token_char - RFC 2045 token characters we accept in a type */
static int
mime_token_char(int c)
{
	return isalnum(c) || strchr("!#$&^_.+-", c) != NULL;
}

/* ma_ctl_value_check - ext: ".iso" (or "iso"); mime: type/subtype;
 * sha256: 64 hex digits.  Lowercased into out. */
int
ma_ctl_value_check(enum mg_ban_kind kind, const char *in, char *out,
		   size_t outsz, struct mg_error *err)
{
	size_t i, len = strlen(in), o = 0, slash = 0;

	if (len == 0 || len + 2 > outsz || len >= MA_CTL_VALUE_MAX - 1)
		return mg_error_set(err, MG_ERR_PARSE, "empty or too long value");
	if (kind == MG_BAN_EXT && in[0] != '.')
		out[o++] = '.';
	for (i = 0; i < len; i++)
		out[o++] = (char)tolower((unsigned char)in[i]);
	out[o] = '\0';
	switch (kind) {
	case MG_BAN_EXT:
		if (!ma_ext_valid(out))
			return mg_error_set(err, MG_ERR_PARSE,
			    "bad extension \"%.40s\": want a dot and 1-16 letters, "
			    "digits, '_' or '-' (e.g. .iso)", in);
		return 0;
	case MG_BAN_MIME:
		for (i = 0; i < o; i++) {
			if (out[i] == '/' && slash == 0 && i > 0)
				slash = i;
			else if (!mime_token_char((unsigned char)out[i]))
				break;
		}
		if (i != o || slash == 0 || slash + 1 == o)
			return mg_error_set(err, MG_ERR_PARSE,
			    "bad MIME type \"%.60s\": want type/subtype "
			    "(e.g. application/x-iso9660-image)", in);
		return 0;
	case MG_BAN_SHA256:
		if (o != 64)
			return mg_error_set(err, MG_ERR_PARSE,
			    "bad sha256: %zu characters, want 64 hex digits", o);
		for (i = 0; i < o; i++)
			if (!isxdigit((unsigned char)out[i]))
				return mg_error_set(err, MG_ERR_PARSE,
				    "bad sha256: '%c' is not a hex digit", out[i]);
		return 0;
	}
	return mg_error_set(err, MG_ERR_INTERNAL, "bad kind");
}

/* ma_ctl_parse - check the command words */
int
ma_ctl_parse(int argc, char *const *argv, struct ma_ctl_cmd *cmd,
	     struct mg_error *err)
{
	long long ms;
	size_t len = 0;
	int i;

	memset(cmd, 0, sizeof(*cmd));
	if (argc == 1 && strcmp(argv[0], "stats") == 0) {
		cmd->op = MA_CTL_STATS;
		return 0;
	}
	if (argc < 2 || strcmp(argv[0], "ban") != 0)
		return mg_error_set(err, MG_ERR_PARSE, "unknown command");
	if (strcmp(argv[1], "list") == 0) {
		if (argc != 2)
			return mg_error_set(err, MG_ERR_PARSE,
					    "ban list takes no argument");
		cmd->op = MA_CTL_BAN_LIST;
		return 0;
	}
	if (strcmp(argv[1], "add") == 0)
		cmd->op = MA_CTL_BAN_ADD;
	else if (strcmp(argv[1], "del") == 0)
		cmd->op = MA_CTL_BAN_DEL;
	else
		return mg_error_set(err, MG_ERR_PARSE,
				    "unknown ban command \"%.20s\"", argv[1]);
	if (cmd->op == MA_CTL_BAN_ADD ? argc < 5 : argc != 4)
		return mg_error_set(err, MG_ERR_PARSE, cmd->op == MA_CTL_BAN_ADD
		    ? "usage: ban add ext|mime|sha256 VALUE DURATION [reason]"
		    : "usage: ban del ext|mime|sha256 VALUE");
	if (mg_ban_kind_parse(argv[2], &cmd->kind) < 0)
		return mg_error_set(err, MG_ERR_PARSE,
		    "unknown kind \"%.20s\": want ext, mime or sha256", argv[2]);
	if (ma_ctl_value_check(cmd->kind, argv[3], cmd->value,
			       sizeof(cmd->value), err) < 0)
		return -1;
	if (cmd->op == MA_CTL_BAN_DEL)
		return 0;
	if (mg_config_parse_duration(argv[4], &ms) < 0 || ms < 1000 ||
	    ms / 1000 > MA_CTL_TTL_MAX)
		return mg_error_set(err, MG_ERR_PARSE,
		    "bad duration \"%.20s\": want e.g. 30m, 48h, 7d (1s .. 366d)",
		    argv[4]);
	cmd->ttl_s = ms / 1000;
	for (i = 5; i < argc; i++) {
		int n = snprintf(cmd->reason + len, sizeof(cmd->reason) - len,
				 "%s%s", i > 5 ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= sizeof(cmd->reason) - len)
			return mg_error_set(err, MG_ERR_PARSE, "reason too long "
			    "(max %d bytes)", MA_CTL_REASON_MAX - 1);
		len += (size_t)n;
	}
	return 0;
}

/* fmt_time - "2026-11-22 12:00:00 UTC" */
static void
fmt_time(long long t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, outsz, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* exec_change - MULTI; zset change; meta change; INCR serial; EXEC */
static int
exec_change(struct mg_redis *r, const struct mg_keys *k,
	    const struct ma_ctl_cmd *cmd, long long now, long long *zres,
	    struct mg_error *err)
{
	char zkey[MG_KEY_MAX], mkey[MG_KEY_MAX], skey[MG_KEY_MAX];
	char field[MA_CTL_VALUE_MAX + 16], note[MA_CTL_REASON_MAX + 64];
	char score[32], when[40];
	redisReply *rep = NULL;
	int rc = -1;

	if (mg_key_ban(k, cmd->kind, zkey, sizeof(zkey), err) < 0 ||
	    mg_key_ban_meta(k, mkey, sizeof(mkey), err) < 0 ||
	    mg_key_ban_serial(k, skey, sizeof(skey), err) < 0)
		return -1;
	snprintf(field, sizeof(field), "%s:%s", mg_ban_kind_name(cmd->kind),
		 cmd->value);
	fmt_time(now, when, sizeof(when));
	snprintf(note, sizeof(note), "%s (added %s)",
		 cmd->reason[0] ? cmd->reason : "-", when);
	snprintf(score, sizeof(score), "%lld", now + cmd->ttl_s);
	if (mg_redis_command(r, &rep, err, "MULTI") < 0)
		return -1;
	freeReplyObject(rep);
	if (cmd->op == MA_CTL_BAN_ADD) {
		if (mg_redis_command(r, &rep, err, "ZADD %s %s %s", zkey, score,
				     cmd->value) < 0)
			goto discard;
		freeReplyObject(rep);
		if (mg_redis_command(r, &rep, err, "HSET %s %s %s", mkey, field,
				     note) < 0)
			goto discard;
	} else {
		if (mg_redis_command(r, &rep, err, "ZREM %s %s", zkey,
				     cmd->value) < 0)
			goto discard;
		freeReplyObject(rep);
		if (mg_redis_command(r, &rep, err, "HDEL %s %s", mkey, field) < 0)
			goto discard;
	}
	freeReplyObject(rep);
	if (mg_redis_command(r, &rep, err, "INCR %s", skey) < 0)
		goto discard;
	freeReplyObject(rep);
	if (mg_redis_command(r, &rep, err, "EXEC") < 0)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
	    rep->element[0]->type != REDIS_REPLY_INTEGER) {
		mg_error_set(err, MG_ERR_REDIS_REPLY, "EXEC: transaction failed");
	} else {
		*zres = rep->element[0]->integer;
		rc = 0;
	}
	freeReplyObject(rep);
	return rc;
discard:
	if (mg_redis_command(r, &rep, NULL, "DISCARD") == 0)
		freeReplyObject(rep);
	return -1;
}

/* list_bans - every kind, every member, with expiry and note */
static int
list_bans(struct mg_redis *r, const struct mg_keys *k, long long now,
	  FILE *out, struct mg_error *err)
{
	char zkey[MG_KEY_MAX], mkey[MG_KEY_MAX], field[MA_CTL_VALUE_MAX + 16];
	char when[40];
	redisReply *rep, *note;
	size_t i, total = 0;
	int kind;

	if (mg_key_ban_meta(k, mkey, sizeof(mkey), err) < 0)
		return -1;
	for (kind = 0; kind < MG_BAN_KINDS; kind++) {
		if (mg_key_ban(k, kind, zkey, sizeof(zkey), err) < 0 ||
		    mg_redis_command(r, &rep, err, "ZRANGE %s 0 -1 WITHSCORES",
				     zkey) < 0)
			return -1;
		for (i = 0; rep->type == REDIS_REPLY_ARRAY &&
			    i + 1 < rep->elements; i += 2) {
			const char *v = rep->element[i]->str;
			long long exp = strtoll(rep->element[i + 1]->str, NULL, 10);
			snprintf(field, sizeof(field), "%s:%s",
				 mg_ban_kind_name(kind), v);
			fmt_time(exp, when, sizeof(when));
			note = NULL;
			if (mg_redis_command(r, &note, NULL, "HGET %s %s", mkey,
					     field) < 0)
				note = NULL;
			fprintf(out, "%-6s %-40s until %s%s  %s\n",
				mg_ban_kind_name(kind), v, when,
				exp <= now ? " (expired)" : "",
				note && note->type == REDIS_REPLY_STRING
					? note->str : "");
			if (note)
				freeReplyObject(note);
			total++;
		}
		freeReplyObject(rep);
	}
	fprintf(out, "%zu ban%s\n", total, total == 1 ? "" : "s");
	return 0;
}

/* show_stats - K stats:milter-attach:<host>, this host's counters (the
 * cluster-wide view is mailguard-ctl's) */
static int
show_stats(struct mg_redis *r, const struct mg_keys *k, const char *host, FILE *out,
	   struct mg_error *err)
{
	char key[MG_KEY_MAX];
	redisReply *rep;
	size_t i;

	if (mg_key_stats_host(k, "milter-attach", host, key, sizeof(key), err) < 0 ||
	    mg_redis_command(r, &rep, err, "HGETALL %s", key) < 0)
		return -1;
	for (i = 0; rep->type == REDIS_REPLY_ARRAY && i + 1 < rep->elements;
	     i += 2)
		fprintf(out, "%s %s\n", rep->element[i]->str,
			rep->element[i + 1]->str);
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 0)
		fprintf(out, "no statistics yet\n");
	freeReplyObject(rep);
	return 0;
}

/* ma_ctl_run - execute one command */
int
ma_ctl_run(struct mg_redis *r, const struct mg_keys *k,
	   const struct ma_ctl_cmd *cmd, long long now, FILE *out,
	   struct mg_error *err)
{
	char when[40];
	long long z = 0;

	switch (cmd->op) {
	case MA_CTL_BAN_ADD:
		if (exec_change(r, k, cmd, now, &z, err) < 0)
			return MA_CTL_EXIT_FAIL;
		fmt_time(now + cmd->ttl_s, when, sizeof(when));
		fprintf(out, "%s %s %s: banned until %s\n",
			z ? "added" : "updated", mg_ban_kind_name(cmd->kind),
			cmd->value, when);
		return MA_CTL_EXIT_OK;
	case MA_CTL_BAN_DEL:
		if (exec_change(r, k, cmd, now, &z, err) < 0)
			return MA_CTL_EXIT_FAIL;
		if (z == 0) {
			mg_error_set(err, MG_ERR_PARSE, "no %s ban on %s",
				     mg_ban_kind_name(cmd->kind), cmd->value);
			return MA_CTL_EXIT_FAIL;
		}
		fprintf(out, "removed %s %s\n", mg_ban_kind_name(cmd->kind),
			cmd->value);
		return MA_CTL_EXIT_OK;
	case MA_CTL_BAN_LIST:
		return list_bans(r, k, now, out, err) < 0 ? MA_CTL_EXIT_FAIL
							  : MA_CTL_EXIT_OK;
	case MA_CTL_STATS:
		return show_stats(r, k, cmd->host[0] ? cmd->host : "unknown", out, err) < 0 ? MA_CTL_EXIT_FAIL
						      : MA_CTL_EXIT_OK;
	}
	return MA_CTL_EXIT_USAGE;
}
