/*
 * ctl_defer.c - defer list / defer lift (see ctl_run.h)
 *
 * K defer:{MB}:<id> holds the first deferral (unix seconds); beside it
 * K deferinfo:{MB}:<id> (policyd-quota 0.5 and later) the sender, the
 * declared size and the recipient as given.  The 550 comes once
 * defer_period has passed since the first deferral (pq_decide_full).
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_fmt.h"
#include "ctl_run.h"
#include "pq_decide.h"

#define DEFER_ROWS_MAX 100000

struct deferral {
	char mailbox[MG_ADDR_MAX + 1];
	char id[MG_KEYS_ID_LEN + 1];
	long long first;                 /* unix seconds */
	int has_info;
	char sender[MG_ADDR_MAX + 3];
	char rcpt[MG_ADDR_MAX + 3];
	long long size;
};

struct dlist {
	struct deferral *v;
	size_t n, cap;
};

/* split_key - "<base>defer:{MB}:<id>" into mailbox and id; -1 if not */
static int
split_key(const struct ctl_config *cfg, const char *key, struct deferral *d)
{
	const char *p, *end;
	size_t bl = cfg->keys.base_len;

	if (strncmp(key, cfg->keys.base, bl) != 0 ||
	    strncmp(key + bl, "defer:{", 7) != 0)
		return -1;
	p = key + bl + 7;
	end = strrchr(p, '}');
	if (end == NULL || end[1] != ':' || strlen(end + 2) != MG_KEYS_ID_LEN ||
	    (size_t)(end - p) > MG_ADDR_MAX)
		return -1;
	memcpy(d->mailbox, p, (size_t)(end - p));
	d->mailbox[end - p] = '\0';
	memcpy(d->id, end + 2, MG_KEYS_ID_LEN + 1);
	return 0;
}

/* read_info - HGETALL K deferinfo:{MB}:<id> into d */
static int
read_info(struct ctl_ctx *cx, struct deferral *d)
{
	char key[MG_KEY_MAX];
	redisReply *rep;
	size_t i;

	if (mg_key_deferinfo(&cx->cfg->keys, d->mailbox, d->id, key, sizeof(key),
			     &cx->err) < 0 ||
	    mg_redis_command(cx->redis, &rep, &cx->err, "HGETALL %s", key) < 0)
		return -1;
	for (i = 0; rep->type == REDIS_REPLY_ARRAY && i + 1 < rep->elements; i += 2) {
		const char *f = rep->element[i]->str, *v = rep->element[i + 1]->str;
		if (f == NULL || v == NULL)
			continue;
		d->has_info = 1;
		if (strcmp(f, MG_DF_SENDER) == 0)
			snprintf(d->sender, sizeof(d->sender), "%s", v);
		else if (strcmp(f, MG_DF_RCPT) == 0)
			snprintf(d->rcpt, sizeof(d->rcpt), "%s", v);
		else if (strcmp(f, MG_DF_SIZE) == 0)
			d->size = strtoll(v, NULL, 10);
	}
	freeReplyObject(rep);
	return 0;
}

/* collect - one deferral key: its first deferral and its info */
static int
collect(struct ctl_ctx *cx, const char *key, void *arg)
{
	struct dlist *l = arg;
	struct deferral d;
	redisReply *rep;

	memset(&d, 0, sizeof(d));
	if (split_key(cx->cfg, key, &d) < 0)
		return 0;                    /* not ours (a mailbox with "}:") */
	if (mg_redis_command(cx->redis, &rep, &cx->err, "GET %s", key) < 0)
		return -1;
	if (rep->type != REDIS_REPLY_STRING) {   /* expired meanwhile */
		freeReplyObject(rep);
		return 0;
	}
	d.first = strtoll(rep->str, NULL, 10);
	freeReplyObject(rep);
	if (read_info(cx, &d) < 0)
		return -1;
	if (l->n == DEFER_ROWS_MAX)
		return mg_error_set(&cx->err, MG_ERR_LIMIT,
		    "more than %d deferrals: list one mailbox at a time",
		    DEFER_ROWS_MAX);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct deferral *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return mg_error_set(&cx->err, MG_ERR_NOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = d;
	return 0;
}

static int
by_mailbox_time(const void *a, const void *b)
{
	const struct deferral *x = a, *y = b;
	int c = strcmp(x->mailbox, y->mailbox);

	if (c != 0)
		return c;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* dedup - SCAN may return a key more than once: drop the repeats (the
 * list is sorted, so they are neighbours) */
static void
dedup(struct dlist *l)
{
	size_t i, o = 0;

	for (i = 0; i < l->n; i++)
		if (o == 0 || by_mailbox_time(&l->v[o - 1], &l->v[i]) != 0)
			l->v[o++] = l->v[i];
	l->n = o;
}

/* gather - the deferrals of mailbox ("" = every mailbox), sorted */
static int
gather(struct ctl_ctx *cx, const char *mailbox, struct dlist *l)
{
	char pattern[MG_KEY_MAX * 2], esc[MG_KEY_MAX * 2];
	int n;

	if (ctl_glob_escape(cx->cfg->keys.base, esc, sizeof(esc)) < 0)
		return mg_error_set(&cx->err, MG_ERR_LIMIT, "key too long");
	n = snprintf(pattern, sizeof(pattern), "%sdefer:{", esc);
	if (mailbox[0] == '\0')
		snprintf(pattern + n, sizeof(pattern) - (size_t)n, "*}:*");
	else if (ctl_glob_escape(mailbox, esc, sizeof(esc)) < 0 ||
		 snprintf(pattern + n, sizeof(pattern) - (size_t)n, "%s}:*", esc) < 0)
		return mg_error_set(&cx->err, MG_ERR_LIMIT, "mailbox too long");
	if (ctl_scan(cx, pattern, collect, l) < 0)
		return -1;
	if (l->n > 0) {
		qsort(l->v, l->n, sizeof(*l->v), by_mailbox_time);
		dedup(l);
	}
	return 0;
}

/* reject_at - when the 550 comes: the first time pq_decide_full says so */
static long long
reject_at(const struct ctl_ctx *cx, const struct deferral *d)
{
	struct pq_limits lim = { 0, 0, cx->cfg->defer_period_ms / 1000 };

	if (pq_decide_full(d->first, cx->now, &lim) == PQ_REJECT)
		return cx->now;
	return d->first + lim.defer_period;
}

static void
print_json(struct ctl_ctx *cx, const struct dlist *l)
{
	size_t i;
	char when[CTL_TIME_MAX];

	fprintf(cx->out, "{\"now\": %lld, \"defer_period\": %lld, \"deferrals\": [",
		cx->now, cx->cfg->defer_period_ms / 1000);
	for (i = 0; i < l->n; i++) {
		const struct deferral *d = &l->v[i];
		long long at = reject_at(cx, d);
		fprintf(cx->out, "%s\n  {\"mailbox\": ", i ? "," : "");
		ctl_json_str(cx->out, d->mailbox);
		fprintf(cx->out, ", \"id\": \"%s\", \"sender\": ", d->id);
		ctl_json_str(cx->out, d->has_info ? d->sender : NULL);
		fputs(", \"size\": ", cx->out);
		if (d->has_info)
			fprintf(cx->out, "%lld", d->size);
		else
			fputs("null", cx->out);
		fputs(", \"rcpt\": ", cx->out);
		ctl_json_str(cx->out, d->has_info ? d->rcpt : NULL);
		ctl_fmt_local(d->first, when, sizeof(when));
		fprintf(cx->out, ", \"first_deferral\": %lld, \"first_deferral_local\": ",
			d->first);
		ctl_json_str(cx->out, when);
		fprintf(cx->out, ", \"reject_at\": %lld, \"seconds_left\": %lld}",
			at, at - cx->now);
	}
	fputs(l->n ? "\n]}\n" : "]}\n", cx->out);
}

static int
print_human(struct ctl_ctx *cx, const struct dlist *l)
{
	static const char *const heads[] = { "MAILBOX", "SENDER", "SIZE",
		"FIRST DEFERRAL", "550 IN", "ID" };
	struct ctl_table *t = ctl_table_new(6, heads);
	size_t i, boxes = 0;

	if (t == NULL)
		return mg_error_set(&cx->err, MG_ERR_NOMEM, "out of memory");
	for (i = 0; i < l->n; i++) {
		const struct deferral *d = &l->v[i];
		char size[32], when[CTL_TIME_MAX], left[CTL_SPAN_MAX];
		long long at = reject_at(cx, d);
		const char *cells[6] = { d->mailbox, d->has_info ? d->sender : "-",
					 size, when, left, d->id };
		if (i == 0 || strcmp(d->mailbox, l->v[i - 1].mailbox) != 0)
			boxes++;
		if (d->has_info)
			snprintf(size, sizeof(size), "%lld", d->size);
		else
			snprintf(size, sizeof(size), "-");
		if (d->has_info && d->sender[0] == '\0')
			cells[1] = "<>";
		ctl_fmt_local(d->first, when, sizeof(when));
		if (at <= cx->now)
			snprintf(left, sizeof(left), "now");
		else
			ctl_fmt_span(at - cx->now, left, sizeof(left));
		if (ctl_table_add(t, cells) < 0) {
			ctl_table_free(&t);
			return mg_error_set(&cx->err, MG_ERR_NOMEM, "out of memory");
		}
	}
	if (l->n > 0)
		ctl_table_print(t, 1u << 2, cx->out);
	fprintf(cx->out, "%zu deferred message%s, %zu mailbox%s\n", l->n,
		l->n == 1 ? "" : "s", boxes, boxes == 1 ? "" : "es");
	ctl_table_free(&t);
	return 0;
}

int
ctl_defer_list(struct ctl_ctx *cx, const struct ctl_cmd *cmd)
{
	struct dlist l = { NULL, 0, 0 };
	int rc = CTL_EXIT_OK;

	if (gather(cx, cmd->mailbox, &l) < 0) {
		free(l.v);
		return ctl_redis_fail(cx);
	}
	if (cmd->format == CTL_JSON)
		print_json(cx, &l);
	else if ((l.n > 0 || cmd->mailbox[0] == '\0') && print_human(cx, &l) < 0)
		rc = ctl_redis_fail(cx);
	if (rc == CTL_EXIT_OK && l.n == 0 && cmd->mailbox[0] != '\0') {
		mg_error_set(&cx->err, MG_ERR_NONE, "no mail deferred for %s",
			     cmd->mailbox);
		rc = CTL_EXIT_NOTFOUND;
	}
	free(l.v);
	return rc;
}

/* lift_one - DEL the deferral and its info; *n_r += 1 if it existed */
static int
lift_one(struct ctl_ctx *cx, const char *mailbox, const char *id, int *n_r)
{
	char key[MG_KEY_MAX], info[MG_KEY_MAX];
	redisReply *rep;

	if (mg_key_defer(&cx->cfg->keys, mailbox, id, key, sizeof(key), &cx->err) < 0 ||
	    mg_key_deferinfo(&cx->cfg->keys, mailbox, id, info, sizeof(info),
			     &cx->err) < 0 ||
	    mg_redis_command(cx->redis, &rep, &cx->err, "DEL %s", key) < 0)
		return -1;
	if (rep->type == REDIS_REPLY_INTEGER)
		*n_r += (int)rep->integer;
	freeReplyObject(rep);
	if (mg_redis_command(cx->redis, &rep, &cx->err, "DEL %s", info) < 0)
		return -1;
	freeReplyObject(rep);
	return 0;
}

int
ctl_defer_lift(struct ctl_ctx *cx, const struct ctl_cmd *cmd)
{
	struct dlist l = { NULL, 0, 0 };
	int n = 0;
	size_t i;

	if (!cmd->all) {
		if (lift_one(cx, cmd->mailbox, cmd->id, &n) < 0)
			return ctl_redis_fail(cx);
	} else {
		if (gather(cx, cmd->mailbox, &l) < 0) {
			free(l.v);
			return ctl_redis_fail(cx);
		}
		for (i = 0; i < l.n; i++)
			if (lift_one(cx, l.v[i].mailbox, l.v[i].id, &n) < 0) {
				free(l.v);
				return ctl_redis_fail(cx);
			}
		free(l.v);
	}
	if (cmd->format == CTL_JSON) {
		fputs("{\"mailbox\": ", cx->out);
		ctl_json_str(cx->out, cmd->mailbox);
		fprintf(cx->out, ", \"lifted\": %d}\n", n);
	} else if (n > 0)
		fprintf(cx->out, "lifted %d deferral%s for %s: the next attempt is "
			"judged afresh\n", n, n == 1 ? "" : "s", cmd->mailbox);
	if (n == 0) {
		if (cmd->all)
			mg_error_set(&cx->err, MG_ERR_NONE, "no mail deferred for %s",
				     cmd->mailbox);
		else
			mg_error_set(&cx->err, MG_ERR_NONE,
			    "no deferral %s for %s (see defer list)", cmd->id,
			    cmd->mailbox);
		return CTL_EXIT_NOTFOUND;
	}
	return CTL_EXIT_OK;
}
