/*
 * ctl_ban.c - ban add / del / list / purge (see ctl_run.h), moved from
 * milter-attach-ctl (whose commands and output the alias keeps)
 *
 * A change is one MULTI/EXEC: the zset member, its fields in K {ban}:meta
 * and INCR of K {ban}:serial, so the milters see it at their next
 * refresh.  K {ban}:meta keeps the 0.4 note "<kind>:<value>" =
 * "reason (added WHEN)" and, since 0.5, "<kind>:<value>:by", ":at" (unix
 * seconds of the last ban add) and ":reason" (mg_keys.h).  An add without
 * a reason keeps the reason already there.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_fmt.h"
#include "ctl_run.h"

#define FIELD_MAX (MG_BAN_VALUE_MAX + 24)
#define NOTE_ADDED " (added "
#define PURGE_TRIES 5

/* fmt_utc - "2026-11-22 12:00:00 UTC" (the 0.4 note and output) */
static void
fmt_utc(long long t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, outsz, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* field - "<kind>:<value><suffix>" */
static void
field(char *out, size_t outsz, enum mg_ban_kind kind, const char *value,
      const char *suffix)
{
	snprintf(out, outsz, "%s:%s%s", mg_ban_kind_name(kind), value, suffix);
}

/* note_reason - the reason part of a 0.4 note, "-" dropped */
static void
note_reason(const char *note, char *out, size_t outsz)
{
	const char *p = strstr(note, NOTE_ADDED);
	size_t n = p ? (size_t)(p - note) : strlen(note);

	if (n == 1 && note[0] == '-')
		n = 0;
	snprintf(out, outsz, "%.*s", (int)n, note);
}

/* old_reason - the reason of an existing ban (":reason", or the note) */
static int
old_reason(struct ctl_ctx *cx, const char *mkey, const struct ctl_cmd *cmd,
	   char *out, size_t outsz)
{
	char f1[FIELD_MAX], f2[FIELD_MAX];
	redisReply *rep;

	out[0] = '\0';
	field(f1, sizeof(f1), cmd->kind, cmd->value, MG_BM_REASON);
	field(f2, sizeof(f2), cmd->kind, cmd->value, "");
	if (mg_redis_command(cx->redis, &rep, &cx->err, "HMGET %s %s %s", mkey,
			     f1, f2) < 0)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2) {
		if (rep->element[0]->type == REDIS_REPLY_STRING)
			snprintf(out, outsz, "%s", rep->element[0]->str);
		else if (rep->element[1]->type == REDIS_REPLY_STRING)
			note_reason(rep->element[1]->str, out, outsz);
	}
	freeReplyObject(rep);
	return 0;
}

/* queue - one command inside MULTI (the reply is "QUEUED") */
static int
queue(struct ctl_ctx *cx, int argc, const char **argv)
{
	redisReply *rep;

	if (mg_redis_commandargv(cx->redis, &rep, &cx->err, argc, argv, NULL) < 0)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* discard - leave a transaction after a failure */
static void
discard(struct ctl_ctx *cx)
{
	redisReply *rep;

	if (mg_redis_command(cx->redis, &rep, NULL, "DISCARD") == 0)
		freeReplyObject(rep);
}

/* exec_change - MULTI; zset; meta; INCR serial; EXEC.  *zres: ZADD's or
 * ZREM's count */
static int
exec_change(struct ctl_ctx *cx, const struct ctl_cmd *cmd, const char *reason,
	    long long *zres)
{
	const struct mg_keys *k = &cx->cfg->keys;
	char zkey[MG_KEY_MAX], mkey[MG_KEY_MAX], skey[MG_KEY_MAX];
	char fnote[FIELD_MAX], fby[FIELD_MAX], fat[FIELD_MAX], freason[FIELD_MAX];
	char note[CTL_REASON_MAX + 64], score[32], at[32], when[40];
	redisReply *rep;
	int rc = -1;

	if (mg_key_ban(k, cmd->kind, zkey, sizeof(zkey), &cx->err) < 0 ||
	    mg_key_ban_meta(k, mkey, sizeof(mkey), &cx->err) < 0 ||
	    mg_key_ban_serial(k, skey, sizeof(skey), &cx->err) < 0)
		return -1;
	field(fnote, sizeof(fnote), cmd->kind, cmd->value, "");
	field(fby, sizeof(fby), cmd->kind, cmd->value, MG_BM_BY);
	field(fat, sizeof(fat), cmd->kind, cmd->value, MG_BM_AT);
	field(freason, sizeof(freason), cmd->kind, cmd->value, MG_BM_REASON);
	fmt_utc(cx->now, when, sizeof(when));
	snprintf(note, sizeof(note), "%s%s%s)", reason[0] ? reason : "-",
		 NOTE_ADDED, when);
	snprintf(score, sizeof(score), "%lld", cx->now + cmd->ttl_s);
	snprintf(at, sizeof(at), "%lld", cx->now);
	if (mg_redis_command(cx->redis, &rep, &cx->err, "MULTI") < 0)
		return -1;
	freeReplyObject(rep);
	if (cmd->op == CTL_BAN_ADD) {
		const char *zadd[] = { "ZADD", zkey, score, cmd->value };
		const char *hset[] = { "HSET", mkey, fnote, note, fby, cmd->by,
				       fat, at, freason, reason };
		if (queue(cx, 4, zadd) < 0 || queue(cx, 10, hset) < 0)
			goto fail;
	} else {
		const char *zrem[] = { "ZREM", zkey, cmd->value };
		const char *hdel[] = { "HDEL", mkey, fnote, fby, fat, freason };
		if (queue(cx, 3, zrem) < 0 || queue(cx, 6, hdel) < 0)
			goto fail;
	}
	if (mg_redis_command(cx->redis, &rep, &cx->err, "INCR %s", skey) < 0)
		goto fail;
	freeReplyObject(rep);
	if (mg_redis_command(cx->redis, &rep, &cx->err, "EXEC") < 0)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
	    rep->element[0]->type != REDIS_REPLY_INTEGER) {
		mg_error_set(&cx->err, MG_ERR_REDIS_REPLY, "EXEC: transaction failed");
	} else {
		*zres = rep->element[0]->integer;
		rc = 0;
	}
	freeReplyObject(rep);
	return rc;
fail:
	discard(cx);
	return -1;
}

int
ctl_ban_change(struct ctl_ctx *cx, const struct ctl_cmd *cmd)
{
	char mkey[MG_KEY_MAX], reason[CTL_REASON_MAX], when[40];
	const char *kind = mg_ban_kind_name(cmd->kind);
	long long z = 0;

	snprintf(reason, sizeof(reason), "%s", cmd->reason);
	if (cmd->op == CTL_BAN_ADD && reason[0] == '\0' &&
	    (mg_key_ban_meta(&cx->cfg->keys, mkey, sizeof(mkey), &cx->err) < 0 ||
	     old_reason(cx, mkey, cmd, reason, sizeof(reason)) < 0))
		return ctl_redis_fail(cx);
	if (exec_change(cx, cmd, reason, &z) < 0)
		return ctl_redis_fail(cx);
	if (cmd->op == CTL_BAN_DEL && z == 0) {
		mg_error_set(&cx->err, MG_ERR_NONE, "no %s ban on %s", kind, cmd->value);
		return CTL_EXIT_NOTFOUND;
	}
	if (cmd->format == CTL_JSON) {
		fprintf(cx->out, "{\"action\": \"%s\", \"kind\": \"%s\", \"value\": ",
			cmd->op == CTL_BAN_DEL ? "removed" : z ? "added" : "updated",
			kind);
		ctl_json_str(cx->out, cmd->value);
		if (cmd->op == CTL_BAN_ADD) {
			fprintf(cx->out, ", \"expires\": %lld, \"by\": ",
				cx->now + cmd->ttl_s);
			ctl_json_str(cx->out, cmd->by);
			fputs(", \"reason\": ", cx->out);
			ctl_json_str(cx->out, reason);
		}
		fputs("}\n", cx->out);
	} else if (cmd->op == CTL_BAN_ADD) {
		fmt_utc(cx->now + cmd->ttl_s, when, sizeof(when));
		fprintf(cx->out, "%s %s %s: banned until %s\n", z ? "added" : "updated",
			kind, cmd->value, when);
	} else {
		fprintf(cx->out, "removed %s %s\n", kind, cmd->value);
	}
	return CTL_EXIT_OK;
}

/* One ban as listed */
struct ban {
	const char *value;
	long long expires, at;               /* at: 0 = not recorded */
	const char *note, *by, *reason;      /* NULL = none */
};

/* read_meta - the four fields of a ban (replies owned by *rep_r) */
static int
read_meta(struct ctl_ctx *cx, const char *mkey, enum mg_ban_kind kind,
	  struct ban *b, redisReply **rep_r)
{
	char f[4][FIELD_MAX];
	const char *argv[6] = { "HMGET", mkey, f[0], f[1], f[2], f[3] };
	const redisReply *e;

	field(f[0], sizeof(f[0]), kind, b->value, "");
	field(f[1], sizeof(f[1]), kind, b->value, MG_BM_BY);
	field(f[2], sizeof(f[2]), kind, b->value, MG_BM_AT);
	field(f[3], sizeof(f[3]), kind, b->value, MG_BM_REASON);
	if (mg_redis_commandargv(cx->redis, rep_r, &cx->err, 6, argv, NULL) < 0)
		return -1;
	if ((*rep_r)->type != REDIS_REPLY_ARRAY || (*rep_r)->elements != 4)
		return 0;
	e = (*rep_r)->element[0];
	b->note = e->type == REDIS_REPLY_STRING ? e->str : NULL;
	e = (*rep_r)->element[1];
	b->by = e->type == REDIS_REPLY_STRING ? e->str : NULL;
	e = (*rep_r)->element[2];
	b->at = e->type == REDIS_REPLY_STRING ? strtoll(e->str, NULL, 10) : 0;
	e = (*rep_r)->element[3];
	b->reason = e->type == REDIS_REPLY_STRING ? e->str : NULL;
	return 0;
}

/* print_ban - one ban in the chosen format; *n counts them */
static int
print_ban(struct ctl_ctx *cx, const struct ctl_cmd *cmd, enum mg_ban_kind kind,
	  const struct ban *b, struct ctl_table *t, size_t n)
{
	char when[CTL_TIME_MAX], left[CTL_SPAN_MAX], reason[CTL_REASON_MAX];
	const char *kname = mg_ban_kind_name(kind);

	if (cmd->legacy) {                   /* milter-attach-ctl 0.4, exactly */
		fmt_utc(b->expires, when, sizeof(when));
		fprintf(cx->out, "%-6s %-40s until %s%s  %s\n", kname, b->value,
			when, b->expires <= cx->now ? " (expired)" : "",
			b->note ? b->note : "");
		return 0;
	}
	if (b->reason != NULL)
		snprintf(reason, sizeof(reason), "%s", b->reason);
	else if (b->note != NULL)
		note_reason(b->note, reason, sizeof(reason));
	else
		reason[0] = '\0';
	ctl_fmt_local(b->expires, when, sizeof(when));
	if (cmd->format == CTL_JSON) {
		fprintf(cx->out, "%s\n  {\"kind\": \"%s\", \"value\": ", n ? "," : "",
			kname);
		ctl_json_str(cx->out, b->value);
		fprintf(cx->out, ", \"expires\": %lld, \"expires_local\": ", b->expires);
		ctl_json_str(cx->out, when);
		fprintf(cx->out, ", \"expired\": %s, \"by\": ",
			b->expires <= cx->now ? "true" : "false");
		ctl_json_str(cx->out, b->by);
		fputs(", \"added\": ", cx->out);
		if (b->at > 0)
			fprintf(cx->out, "%lld", b->at);
		else
			fputs("null", cx->out);
		fputs(", \"reason\": ", cx->out);
		ctl_json_str(cx->out, reason);
		fputs(", \"note\": ", cx->out);
		ctl_json_str(cx->out, b->note);
		fputc('}', cx->out);
		return 0;
	} else {
		char added[CTL_TIME_MAX];
		const char *cells[7] = { kname, b->value, when, left,
					 b->by ? b->by : "-", added,
					 reason[0] ? reason : "-" };
		if (b->expires <= cx->now)
			snprintf(left, sizeof(left), "expired");
		else
			ctl_fmt_span(b->expires - cx->now, left, sizeof(left));
		if (b->at > 0)
			ctl_fmt_local(b->at, added, sizeof(added));
		else
			snprintf(added, sizeof(added), "-");
		if (ctl_table_add(t, cells) < 0)
			return mg_error_set(&cx->err, MG_ERR_NOMEM, "out of memory");
	}
	return 0;
}

int
ctl_ban_list(struct ctl_ctx *cx, const struct ctl_cmd *cmd)
{
	static const char *const heads[] = { "KIND", "VALUE", "EXPIRES", "LEFT",
		"BY", "ADDED", "REASON" };
	char zkey[MG_KEY_MAX], mkey[MG_KEY_MAX];
	struct ctl_table *t = NULL;
	redisReply *rep, *meta;
	size_t i, total = 0;
	int kind, rc = CTL_EXIT_OK;

	if (mg_key_ban_meta(&cx->cfg->keys, mkey, sizeof(mkey), &cx->err) < 0)
		return ctl_redis_fail(cx);
	if (!cmd->legacy && cmd->format == CTL_HUMAN &&
	    (t = ctl_table_new(7, heads)) == NULL) {
		mg_error_set(&cx->err, MG_ERR_NOMEM, "out of memory");
		return ctl_redis_fail(cx);
	}
	if (cmd->format == CTL_JSON)
		fprintf(cx->out, "{\"now\": %lld, \"bans\": [", cx->now);
	for (kind = 0; kind < MG_BAN_KINDS && rc == CTL_EXIT_OK; kind++) {
		if (mg_key_ban(&cx->cfg->keys, kind, zkey, sizeof(zkey), &cx->err) < 0 ||
		    mg_redis_command(cx->redis, &rep, &cx->err,
				     "ZRANGE %s 0 -1 WITHSCORES", zkey) < 0) {
			rc = ctl_redis_fail(cx);
			break;
		}
		for (i = 0; rep->type == REDIS_REPLY_ARRAY && i + 1 < rep->elements;
		     i += 2) {
			struct ban b;
			memset(&b, 0, sizeof(b));
			b.value = rep->element[i]->str;
			b.expires = strtoll(rep->element[i + 1]->str, NULL, 10);
			meta = NULL;
			if (read_meta(cx, mkey, kind, &b, &meta) < 0 ||
			    print_ban(cx, cmd, kind, &b, t, total) < 0) {
				rc = ctl_redis_fail(cx);
				if (meta)
					freeReplyObject(meta);
				break;
			}
			freeReplyObject(meta);
			total++;
		}
		freeReplyObject(rep);
	}
	if (rc == CTL_EXIT_OK) {
		if (cmd->format == CTL_JSON)
			fputs(total ? "\n]}\n" : "]}\n", cx->out);
		else if (t != NULL && total > 0)
			ctl_table_print(t, 0, cx->out);
		if (cmd->format != CTL_JSON)
			fprintf(cx->out, "%zu ban%s\n", total, total == 1 ? "" : "s");
	}
	ctl_table_free(&t);
	return rc;
}

/* purge_once - WATCH the sets, read their expired members, then in one
 * MULTI/EXEC remove them, their meta fields, and INCR the serial.  0 done
 * (*n_r purged), 1 a set changed meanwhile (try again), -1 error. */
static int
purge_once(struct ctl_ctx *cx, long long *n_r)
{
	const struct mg_keys *k = &cx->cfg->keys;
	char zkey[MG_BAN_KINDS][MG_KEY_MAX], mkey[MG_KEY_MAX], skey[MG_KEY_MAX];
	char f[4][FIELD_MAX], now[32];
	redisReply *rep, *expired[MG_BAN_KINDS] = { NULL };
	int kind, rc = -1;
	size_t i, j;

	*n_r = 0;
	snprintf(now, sizeof(now), "%lld", cx->now);
	if (mg_key_ban_meta(k, mkey, sizeof(mkey), &cx->err) < 0 ||
	    mg_key_ban_serial(k, skey, sizeof(skey), &cx->err) < 0)
		return -1;
	for (kind = 0; kind < MG_BAN_KINDS; kind++)
		if (mg_key_ban(k, kind, zkey[kind], sizeof(zkey[kind]), &cx->err) < 0)
			return -1;
	if (mg_redis_command(cx->redis, &rep, &cx->err, "WATCH %s %s %s", zkey[0],
			     zkey[1], zkey[2]) < 0)
		return -1;
	freeReplyObject(rep);
	for (kind = 0; kind < MG_BAN_KINDS; kind++) {
		if (mg_redis_command(cx->redis, &expired[kind], &cx->err,
				     "ZRANGEBYSCORE %s -inf %s", zkey[kind], now) < 0)
			goto out;
		if (expired[kind]->type == REDIS_REPLY_ARRAY)
			*n_r += (long long)expired[kind]->elements;
	}
	if (*n_r == 0) {
		if (mg_redis_command(cx->redis, &rep, &cx->err, "UNWATCH") == 0)
			freeReplyObject(rep);
		rc = 0;
		goto out;
	}
	if (mg_redis_command(cx->redis, &rep, &cx->err, "MULTI") < 0)
		goto out;
	freeReplyObject(rep);
	for (kind = 0; kind < MG_BAN_KINDS; kind++) {
		const char *zr[] = { "ZREMRANGEBYSCORE", zkey[kind], "-inf", now };
		if (queue(cx, 4, zr) < 0) {
			discard(cx);
			goto out;
		}
		for (i = 0; expired[kind]->type == REDIS_REPLY_ARRAY &&
			    i < expired[kind]->elements; i++) {
			const char *v = expired[kind]->element[i]->str;
			const char *hdel[] = { "HDEL", mkey, f[0], f[1], f[2], f[3] };
			static const char *const sfx[4] = { "", MG_BM_BY, MG_BM_AT,
							     MG_BM_REASON };
			for (j = 0; j < 4; j++)
				field(f[j], sizeof(f[j]), kind, v, sfx[j]);
			if (queue(cx, 6, hdel) < 0) {
				discard(cx);
				goto out;
			}
		}
	}
	{
		const char *incr[] = { "INCR", skey };
		if (queue(cx, 2, incr) < 0) {
			discard(cx);
			goto out;
		}
	}
	if (mg_redis_command(cx->redis, &rep, &cx->err, "EXEC") < 0)
		goto out;
	rc = rep->type == REDIS_REPLY_NIL ? 1 : 0;   /* nil: a WATCHed set moved */
	freeReplyObject(rep);
out:
	for (kind = 0; kind < MG_BAN_KINDS; kind++)
		if (expired[kind] != NULL)
			freeReplyObject(expired[kind]);
	return rc;
}

int
ctl_ban_purge(struct ctl_ctx *cx, const struct ctl_cmd *cmd)
{
	long long n = 0;
	int tries, rc = 1;

	for (tries = 0; tries < PURGE_TRIES && rc == 1; tries++)
		rc = purge_once(cx, &n);
	if (rc < 0)
		return ctl_redis_fail(cx);
	if (rc == 1) {
		mg_error_set(&cx->err, MG_ERR_REDIS_REPLY,
		    "the bans kept changing during %d attempts: try again",
		    PURGE_TRIES);
		return CTL_EXIT_REDIS;
	}
	if (cmd->format == CTL_JSON)
		fprintf(cx->out, "{\"purged\": %lld}\n", n);
	else
		fprintf(cx->out, "purged %lld expired ban%s\n", n, n == 1 ? "" : "s");
	return CTL_EXIT_OK;
}
