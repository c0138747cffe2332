/*
 * ctl_quota.c - quota show / warn rearm (see ctl_run.h)
 *
 * K quota:{MB} is what dovecot-quota-warn published; policyd-quota does
 * not trust it once older than state_max_age (pq_quota_check: the same
 * rule here).  K warn:{MB} holds the warnings claimed: threshold percent
 * -> unix seconds sent; deleting a field re-arms that warning.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_fmt.h"
#include "ctl_run.h"
#include "pq_decide.h"

#define WARNS_MAX 32

struct warn {
	long long threshold, sent;
};

struct qstate {
	struct pq_quota q;
	struct warn w[WARNS_MAX];
	size_t nw;
	int stale;
};

/* reply_ll - a numeric string reply (0 otherwise) */
static long long
reply_ll(const redisReply *r)
{
	return r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10) : 0;
}

static int
by_threshold(const void *a, const void *b)
{
	const struct warn *x = a, *y = b;

	return x->threshold < y->threshold ? -1 : x->threshold > y->threshold;
}

/* read_state - both hashes of the mailbox */
static int
read_state(struct ctl_ctx *cx, const char *mb, struct qstate *s)
{
	char qkey[MG_KEY_MAX], wkey[MG_KEY_MAX];
	struct pq_limits lim = { 0, cx->cfg->state_max_age_ms / 1000, 0 };
	redisReply *rep;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (mg_key_quota(&cx->cfg->keys, mb, qkey, sizeof(qkey), &cx->err) < 0 ||
	    mg_key_warn(&cx->cfg->keys, mb, wkey, sizeof(wkey), &cx->err) < 0 ||
	    mg_redis_command(cx->redis, &rep, &cx->err, "HGETALL %s", qkey) < 0)
		return -1;
	for (i = 0; rep->type == REDIS_REPLY_ARRAY && i + 1 < rep->elements; i += 2) {
		const char *f = rep->element[i]->str;
		long long v = reply_ll(rep->element[i + 1]);
		s->q.found = 1;
		if (f == NULL)
			continue;
		if (strcmp(f, MG_QF_BYTES) == 0) s->q.bytes = v;
		else if (strcmp(f, MG_QF_BYTES_LIMIT) == 0) s->q.bytes_limit = v;
		else if (strcmp(f, MG_QF_MSGS) == 0) s->q.msgs = v;
		else if (strcmp(f, MG_QF_MSGS_LIMIT) == 0) s->q.msgs_limit = v;
		else if (strcmp(f, MG_QF_UPDATED) == 0) s->q.updated = v;
	}
	freeReplyObject(rep);
	s->stale = s->q.found &&
		   pq_quota_check(&s->q, 0, &lim, cx->now) == PQ_STALE;
	if (mg_redis_command(cx->redis, &rep, &cx->err, "HGETALL %s", wkey) < 0)
		return -1;
	for (i = 0; rep->type == REDIS_REPLY_ARRAY && i + 1 < rep->elements &&
		    s->nw < WARNS_MAX; i += 2) {
		if (rep->element[i]->type != REDIS_REPLY_STRING)
			continue;
		s->w[s->nw].threshold = strtoll(rep->element[i]->str, NULL, 10);
		s->w[s->nw].sent = reply_ll(rep->element[i + 1]);
		s->nw++;
	}
	freeReplyObject(rep);
	qsort(s->w, s->nw, sizeof(s->w[0]), by_threshold);
	return 0;
}

/* percent - usage of a limit, -1 for unlimited */
static long long
percent(long long used, long long limit)
{
	return limit > 0 ? used * 100 / limit : -1;
}

static void
json_usage(FILE *fp, const char *name, long long used, long long limit)
{
	long long p = percent(used, limit);

	fprintf(fp, ", \"%s\": %lld, \"%s_limit\": %lld, \"%s_percent\": ", name,
		used, name, limit, name);
	if (p < 0)
		fputs("null", fp);
	else
		fprintf(fp, "%lld", p);
}

static void
print_json(struct ctl_ctx *cx, const char *mb, const struct qstate *s)
{
	char when[CTL_TIME_MAX];
	size_t i;

	fputs("{\"mailbox\": ", cx->out);
	ctl_json_str(cx->out, mb);
	fprintf(cx->out, ", \"found\": %s", s->q.found ? "true" : "false");
	if (s->q.found) {
		json_usage(cx->out, "bytes", s->q.bytes, s->q.bytes_limit);
		json_usage(cx->out, "msgs", s->q.msgs, s->q.msgs_limit);
		ctl_fmt_local(s->q.updated, when, sizeof(when));
		fprintf(cx->out, ", \"updated\": %lld, \"updated_local\": ",
			s->q.updated);
		ctl_json_str(cx->out, when);
		fprintf(cx->out, ", \"age_seconds\": %lld, \"stale\": %s",
			cx->now - s->q.updated, s->stale ? "true" : "false");
	}
	fprintf(cx->out, ", \"state_max_age\": %lld, \"warnings\": [",
		cx->cfg->state_max_age_ms / 1000);
	for (i = 0; i < s->nw; i++) {
		ctl_fmt_local(s->w[i].sent, when, sizeof(when));
		fprintf(cx->out, "%s{\"threshold\": %lld, \"sent\": %lld, "
			"\"sent_local\": ", i ? ", " : "", s->w[i].threshold,
			s->w[i].sent);
		ctl_json_str(cx->out, when);
		fputc('}', cx->out);
	}
	fputs("]}\n", cx->out);
}

/* usage_cell - "1.2 MiB of 10.0 MiB (12 %)", "3 of unlimited" */
static void
usage_cell(char *out, size_t outsz, long long used, long long limit, int bytes)
{
	char u[32], l[32];
	long long p = percent(used, limit);

	if (bytes) {
		ctl_fmt_bytes(used, u, sizeof(u));
		ctl_fmt_bytes(limit, l, sizeof(l));
	} else {
		snprintf(u, sizeof(u), "%lld", used);
		snprintf(l, sizeof(l), "%lld", limit);
	}
	if (p < 0)
		snprintf(out, outsz, "%s (no limit)", u);
	else
		snprintf(out, outsz, "%s of %s (%lld %%)", u, l, p);
}

static int
print_human(struct ctl_ctx *cx, const char *mb, const struct qstate *s)
{
	struct ctl_table *t = ctl_table_new(2, NULL);
	char a[160], b[CTL_TIME_MAX], span[CTL_SPAN_MAX], maxage[CTL_SPAN_MAX];
	size_t i;
	const char *row[2] = { "mailbox", mb };

	if (t == NULL)
		return mg_error_set(&cx->err, MG_ERR_NOMEM, "out of memory");
	ctl_table_add(t, row);
	if (s->q.found) {
		usage_cell(a, sizeof(a), s->q.bytes, s->q.bytes_limit, 1);
		row[0] = "storage"; row[1] = a;
		ctl_table_add(t, row);
		usage_cell(a, sizeof(a), s->q.msgs, s->q.msgs_limit, 0);
		row[0] = "messages";
		ctl_table_add(t, row);
		ctl_fmt_local(s->q.updated, b, sizeof(b));
		ctl_fmt_span(cx->now - s->q.updated, span, sizeof(span));
		snprintf(a, sizeof(a), "%s (%s ago)", b, span);
		row[0] = "updated";
		ctl_table_add(t, row);
		ctl_fmt_span(cx->cfg->state_max_age_ms / 1000, maxage, sizeof(maxage));
		snprintf(a, sizeof(a), s->stale
			 ? "STALE: policyd-quota ignores it (state_max_age %s)"
			 : "fresh (state_max_age %s)", maxage);
		row[0] = "state";
		ctl_table_add(t, row);
	} else {
		row[0] = "state"; row[1] = "none published (policyd-quota lets mail through)";
		ctl_table_add(t, row);
	}
	for (i = 0; i < s->nw; i++) {
		ctl_fmt_local(s->w[i].sent, b, sizeof(b));
		snprintf(a, sizeof(a), "%lld %% sent %s", s->w[i].threshold, b);
		row[0] = i == 0 ? "warnings" : "";
		row[1] = a;
		ctl_table_add(t, row);
	}
	if (s->nw == 0) {
		row[0] = "warnings"; row[1] = "none claimed";
		ctl_table_add(t, row);
	}
	ctl_table_print(t, 0, cx->out);
	ctl_table_free(&t);
	return 0;
}

int
ctl_quota_show(struct ctl_ctx *cx, const struct ctl_cmd *cmd)
{
	struct qstate s;

	if (read_state(cx, cmd->mailbox, &s) < 0)
		return ctl_redis_fail(cx);
	if (!s.q.found && s.nw == 0) {
		if (cmd->format == CTL_JSON)
			print_json(cx, cmd->mailbox, &s);
		mg_error_set(&cx->err, MG_ERR_NONE,
		    "no quota state and no warning for %s (unknown mailbox?)",
		    cmd->mailbox);
		return CTL_EXIT_NOTFOUND;
	}
	if (cmd->format == CTL_JSON)
		print_json(cx, cmd->mailbox, &s);
	else if (print_human(cx, cmd->mailbox, &s) < 0)
		return ctl_redis_fail(cx);
	return CTL_EXIT_OK;
}

int
ctl_warn_rearm(struct ctl_ctx *cx, const struct ctl_cmd *cmd)
{
	char key[MG_KEY_MAX], field[24];
	redisReply *rep;
	long long n = 0;

	if (mg_key_warn(&cx->cfg->keys, cmd->mailbox, key, sizeof(key), &cx->err) < 0)
		return ctl_redis_fail(cx);
	if (cmd->all) {
		/* how many, then the whole hash, in one transaction */
		if (mg_redis_command(cx->redis, &rep, &cx->err, "MULTI") < 0)
			return ctl_redis_fail(cx);
		freeReplyObject(rep);
		if (mg_redis_command(cx->redis, &rep, &cx->err, "HLEN %s", key) < 0)
			goto discard;
		freeReplyObject(rep);
		if (mg_redis_command(cx->redis, &rep, &cx->err, "DEL %s", key) < 0)
			goto discard;
		freeReplyObject(rep);
		if (mg_redis_command(cx->redis, &rep, &cx->err, "EXEC") < 0)
			return ctl_redis_fail(cx);
		if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
		    rep->element[0]->type == REDIS_REPLY_INTEGER)
			n = rep->element[0]->integer;
		freeReplyObject(rep);
	} else {
		snprintf(field, sizeof(field), "%lld", cmd->threshold);
		if (mg_redis_command(cx->redis, &rep, &cx->err, "HDEL %s %s", key,
				     field) < 0)
			return ctl_redis_fail(cx);
		n = rep->type == REDIS_REPLY_INTEGER ? rep->integer : 0;
		freeReplyObject(rep);
	}
	if (cmd->format == CTL_JSON) {
		fputs("{\"mailbox\": ", cx->out);
		ctl_json_str(cx->out, cmd->mailbox);
		fprintf(cx->out, ", \"rearmed\": %lld}\n", n);
	} else if (n > 0) {
		fprintf(cx->out, "re-armed %lld warning%s for %s\n", n,
			n == 1 ? "" : "s", cmd->mailbox);
	}
	if (n == 0) {
		if (cmd->all)
			mg_error_set(&cx->err, MG_ERR_NONE,
				     "no warning claimed for %s", cmd->mailbox);
		else
			mg_error_set(&cx->err, MG_ERR_NONE,
			    "no %lld %% warning claimed for %s", cmd->threshold,
			    cmd->mailbox);
		return CTL_EXIT_NOTFOUND;
	}
	return CTL_EXIT_OK;
discard:
	if (mg_redis_command(cx->redis, &rep, NULL, "DISCARD") == 0)
		freeReplyObject(rep);
	return ctl_redis_fail(cx);
}
