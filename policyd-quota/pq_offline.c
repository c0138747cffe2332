/*
 * pq_offline.c - policyd-quota -T (see pq_offline.h)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mg_addr.h"
#include "mg_clock.h"
#include "mg_json.h"
#include "mg_redis.h"
#include "pq_answer.h"
#include "pq_backend_jobs.h"
#include "pq_codec.h"
#include "pq_decide.h"
#include "pq_offline.h"

/* what was read, for the report */
struct state {
	const struct pq_config *cfg;
	struct pq_request req;
	char rcpt[MG_ADDR_MAX + 1];
	char mailbox[MG_ADDR_MAX + 1];
	struct pq_job lookup, peek;
	int looked_up, peeked;
	enum pq_fullness fullness;
	int fullness_known;
	int queued;                 /* authenticated sender: Postfix's queue */
	char redis_error[320];
	char action[PQ_ACTION_MAX];
	long long now;
};

/* is_attr - "name=" with a lowercase attribute name */
static int
is_attr(const char *w)
{
	const char *eq = strchr(w, '=');
	const char *p;

	if (eq == NULL || eq == w)
		return 0;
	for (p = w; p < eq; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '_')
			return 0;
	return 1;
}

/* append - add "name=value\n" to out, bounded */
static int
append(char *out, size_t outsz, size_t *len, const char *name,
       const char *value, struct mg_error *err)
{
	int n;

	if (strpbrk(value, "\r\n") != NULL)
		return mg_error_set(err, MG_ERR_PARSE, "%s: a value holds a line "
				    "break", name);
	n = snprintf(out + *len, outsz - *len, "%s%s%s\n", name, name[0] ? "=" : "",
		     value);
	if (n < 0 || (size_t)n >= outsz - *len)
		return mg_error_set(err, MG_ERR_LIMIT, "request too long");
	*len += (size_t)n;
	return 0;
}

/* pq_offline_request - see pq_offline.h */
int
pq_offline_request(const char *rcpt, char *const *words, int n_words,
		   char *out, size_t outsz, struct mg_error *err)
{
	const char *sender = "", *size = "";
	size_t len = 0;
	int i = 0;

	if (i < n_words && !is_attr(words[i]))
		sender = words[i++];
	if (i < n_words && !is_attr(words[i])) {
		size = words[i++];
		if (size[0] == '\0' || strspn(size, "0123456789") != strlen(size) ||
		    strlen(size) > 15)
			return mg_error_set(err, MG_ERR_PARSE, "bad SIZE \"%.40s\": "
					    "bytes as digits", size);
	}
	if (strcmp(sender, "<>") == 0)
		sender = "";
	if (append(out, outsz, &len, "request", "smtpd_access_policy", err) < 0 ||
	    append(out, outsz, &len, "protocol_state", "RCPT", err) < 0 ||
	    append(out, outsz, &len, "protocol_name", "ESMTP", err) < 0 ||
	    append(out, outsz, &len, "recipient", rcpt, err) < 0 ||
	    append(out, outsz, &len, "sender", sender, err) < 0 ||
	    append(out, outsz, &len, "size", size, err) < 0)
		return -1;
	for (; i < n_words; i++) {
		char name[64];
		const char *eq = strchr(words[i], '=');
		if (!is_attr(words[i]))
			return mg_error_set(err, MG_ERR_PARSE, "\"%.60s\": expected "
					    "NAME=VALUE after RCPT SENDER SIZE",
					    words[i]);
		if ((size_t)(eq - words[i]) >= sizeof(name))
			return mg_error_set(err, MG_ERR_LIMIT, "attribute name too long");
		snprintf(name, sizeof(name), "%.*s", (int)(eq - words[i]), words[i]);
		if (append(out, outsz, &len, name, eq + 1, err) < 0)
			return -1;
	}
	return append(out, outsz, &len, "", "", err);
}

/* check_address - an address policyd-quota can look up: "local@domain"
 * once normalised (a bare local part gets default_domain) */
static int
check_address(const struct pq_config *cfg, const char *what, const char *in,
	      char *out, size_t outsz, struct mg_error *err)
{
	struct mg_error why;
	const char *at;

	if (pq_answer_mailbox(cfg, in, out, outsz, &why) < 0)
		return mg_error_set(err, MG_ERR_PARSE, "malformed %s \"%.80s\": %s",
				    what, in, why.msg);
	at = strrchr(out, '@');
	if (at == NULL || at == out || at[1] == '\0' ||
	    mg_addr_domain_check(at + 1, NULL) < 0 || strchr(out, '@') != at)
		return mg_error_set(err, MG_ERR_PARSE, "malformed %s \"%.80s\": "
				    "expected local@domain%s", what, in,
				    cfg->default_domain[0] ? "" :
				    " (no default_domain is set)");
	return 0;
}

/* run_job - one job through the daemon's table, round by round */
static int
run_job(struct mg_redis *r, const struct mg_keys *k, struct pq_job *j,
	struct mg_error *err)
{
	struct pq_cmd cmds[PQ_STATS_N];
	const char *const *argvs[PQ_STATS_N];
	redisReply *replies[PQ_STATS_N];
	int argcs[PQ_STATS_N], round;
	size_t n, i;

	for (round = 0; round < PQ_ROUNDS && !j->failed; round++) {
		if ((n = pq_job_build(k, j, round, cmds)) == 0)
			continue;
		for (i = 0; i < n; i++) {
			argvs[i] = cmds[i].argv;
			argcs[i] = cmds[i].argc;
		}
		if (mg_redis_pipeline(r, n, argcs, argvs, NULL, replies, err) < 0)
			return -1;
		pq_job_parse(j, round, replies);
		for (i = 0; i < n; i++)
			freeReplyObject(replies[i]);
	}
	if (j->failed) {
		*err = j->err;
		return -1;
	}
	return 0;
}

/* ask_redis - the lookup and, for a full mailbox, the first deferral;
 * the action line into st->action */
static void
ask_redis(struct state *st, struct mg_redis *r, const struct mg_keys *k)
{
	struct pq_limits lim;
	struct mg_error err;
	long long first;

	st->lookup.kind = PQ_JOB_LOOKUP;
	snprintf(st->lookup.addr, sizeof(st->lookup.addr), "%s", st->rcpt);
	if (run_job(r, k, &st->lookup, &err) < 0)
		goto redis_error;
	st->looked_up = 1;
	if (st->lookup.ntargets > 1) {  /* a list: LMTP decides per mailbox */
		snprintf(st->action, sizeof(st->action), "DUNNO");
		return;
	}
	snprintf(st->mailbox, sizeof(st->mailbox), "%s", st->lookup.ntargets == 1
		 ? st->lookup.target : st->rcpt);
	pq_answer_limits(st->cfg, &lim);
	st->fullness = pq_quota_check(&st->lookup.quota, st->req.size, &lim, st->now);
	st->fullness_known = 1;
	if (st->fullness != PQ_FULL) {
		snprintf(st->action, sizeof(st->action), "DUNNO");
		return;
	}
	if (pq_full_route(st->req.sasl_username,
			  (enum pq_auth_action)st->cfg->authenticated_full_action) ==
	    PQ_ROUTE_QUEUE) {
		st->queued = 1;
		snprintf(st->action, sizeof(st->action), "DUNNO");
		return;
	}
	st->peek.kind = PQ_JOB_DEFER_PEEK;
	st->peek.now = st->now;
	snprintf(st->peek.addr, sizeof(st->peek.addr), "%s", st->mailbox);
	pq_answer_defer_id(st->cfg, st->req.sender, st->req.size, st->peek.id);
	if (run_job(r, k, &st->peek, &err) < 0)
		goto redis_error;
	st->peeked = 1;
	first = st->peek.first_deferral > 0 ? st->peek.first_deferral : st->now;
	pq_answer_full(st->cfg, &st->req, first, st->now, st->action,
		       sizeof(st->action));
	return;
redis_error:
	snprintf(st->redis_error, sizeof(st->redis_error), "%.250s (%s)", err.msg,
		 mg_err_kind_name(err.kind));
	pq_answer_error(st->cfg, &st->req, st->action, sizeof(st->action));
}

/* when - unix time as local time */
static const char *
when(long long t, char *buf, size_t sz)
{
	if (mg_time_local(t, "%Y-%m-%d %H:%M:%S %z", buf, sz) < 0)
		snprintf(buf, sz, "%lld", t);
	return buf;
}

/* days_left - before the 550, from the first deferral (may be now) */
static double
days_left(const struct state *st)
{
	long long first = st->peek.first_deferral > 0 ? st->peek.first_deferral
						      : st->now;
	double left = (double)(st->cfg->defer_period_ms / 1000 - (st->now - first));

	return left > 0 ? left / 86400.0 : 0.0;
}

/* print_text - the state for a human, the action line last */
static void
print_text(const struct state *st)
{
	const struct pq_quota *q = &st->lookup.quota;
	char t[64];

	printf("recipient      %s\n", st->rcpt);
	if (strcmp(st->req.protocol_state, "RCPT") != 0)
		printf("state          %s: only RCPT requests are judged\n",
		       st->req.protocol_state);
	if (st->redis_error[0])
		printf("redis          unusable: %s; redis_error_action = %s\n",
		       st->redis_error, st->cfg->redis_error_action ==
		       PQ_ON_ERROR_DEFER_IF_PERMIT ? "defer_if_permit" : "dunno");
	if (st->looked_up) {
		if (st->lookup.ntargets > 1)
			printf("alias          to %u mailboxes: each is judged at "
			       "delivery (LMTP)\n", st->lookup.ntargets);
		else if (st->lookup.ntargets == 1)
			printf("alias          -> %s\n", st->lookup.target);
		else
			printf("alias          none\n");
	}
	if (st->mailbox[0])
		printf("mailbox        %s\n", st->mailbox);
	if (st->fullness_known && !q->found)
		printf("quota          none published\n");
	else if (st->fullness_known) {
		printf("quota          bytes %lld/%lld msgs %lld/%lld (limit 0: none)\n",
		       q->bytes, q->bytes_limit, q->msgs, q->msgs_limit);
		printf("updated        %s (age %lld s, %s; stale after %lld s)\n",
		       when(q->updated, t, sizeof(t)), st->now - q->updated,
		       st->fullness == PQ_STALE ? "stale" : "fresh",
		       st->cfg->state_max_age_ms / 1000);
	}
	if (st->fullness_known)
		printf("fullness       %s\n", pq_fullness_name(st->fullness));
	if (st->queued)
		printf("route          queue: authenticated sender %s, left to "
		       "Postfix's queue (authenticated_full_action = queue); no "
		       "deferral recorded\n", st->req.sasl_username);
	if (st->peeked) {
		if (st->peek.first_deferral > 0)
			printf("first deferral %s (%lld s ago)\n",
			       when(st->peek.first_deferral, t, sizeof(t)),
			       st->now - st->peek.first_deferral);
		else
			printf("first deferral none: would record first deferral now\n");
		printf("days left      %.1f before 550\n", days_left(st));
	}
	printf("action=%s\n", st->action);
}

/* print_json - the same as one object */
static void
print_json(const struct state *st)
{
	const struct pq_quota *q = &st->lookup.quota;

	fputs("{\"recipient\":", stdout);
	mg_json_str(stdout, st->rcpt);
	if (st->redis_error[0]) {
		fputs(",\"redis_error\":", stdout);
		mg_json_str(stdout, st->redis_error);
	}
	if (st->looked_up) {
		printf(",\"alias_targets\":%u", st->lookup.ntargets);
		if (st->lookup.ntargets == 1) {
			fputs(",\"alias_target\":", stdout);
			mg_json_str(stdout, st->lookup.target);
		}
	}
	if (st->mailbox[0]) {
		fputs(",\"mailbox\":", stdout);
		mg_json_str(stdout, st->mailbox);
	}
	if (st->fullness_known) {
		printf(",\"quota\":{\"found\":%s", q->found ? "true" : "false");
		if (q->found)
			printf(",\"bytes\":%lld,\"bytes_limit\":%lld,\"msgs\":%lld,"
			       "\"msgs_limit\":%lld,\"updated\":%lld,\"age\":%lld",
			       q->bytes, q->bytes_limit, q->msgs, q->msgs_limit,
			       q->updated, st->now - q->updated);
		printf("},\"fullness\":\"%s\"", pq_fullness_name(st->fullness));
	}
	if (st->queued)
		fputs(",\"route\":\"queue\"", stdout);
	if (st->peeked) {
		if (st->peek.first_deferral > 0)
			printf(",\"first_deferral\":%lld", st->peek.first_deferral);
		else
			fputs(",\"first_deferral\":null,\"would_record_deferral\":true",
			      stdout);
		printf(",\"days_left\":%.1f", days_left(st));
	}
	fputs(",\"action\":", stdout);
	mg_json_str(stdout, st->action);
	fputs("}\n", stdout);
}

/* exit_code - the action as an exit status */
static int
exit_code(const char *action)
{
	if (strncmp(action, "DEFER", 5) == 0)
		return PQ_EXIT_DEFER;
	if (action[0] == '5' || strncmp(action, "REJECT", 6) == 0)
		return PQ_EXIT_REJECT;
	return PQ_EXIT_DUNNO;
}

/* pq_offline_run - see pq_offline.h */
int
pq_offline_run(const struct pq_config *cfg, const char *rcpt,
	       char *const *words, int n_words, int json)
{
	struct state st;
	char text[PQ_REQUEST_MAX], sender[MG_ADDR_MAX + 1];
	struct mg_redis *r = NULL;
	struct mg_error err;
	struct mg_keys k;
	size_t used;

	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.now = (long long)time(NULL);
	mg_error_set(&err, MG_ERR_PARSE, "incomplete request");
	if (pq_offline_request(rcpt, words, n_words, text, sizeof(text), &err) < 0 ||
	    pq_codec_parse(text, strlen(text), &st.req, &used, &err) != 1 ||
	    check_address(cfg, "recipient", st.req.recipient, st.rcpt,
			  sizeof(st.rcpt), &err) < 0 ||
	    (st.req.sender[0] != '\0' &&
	     check_address(cfg, "sender", st.req.sender, sender, sizeof(sender),
			   &err) < 0)) {
		fprintf(stderr, "policyd-quota: %s\n", err.msg);
		return PQ_EXIT_ERROR;
	}
	if (mg_keys_init(&k, cfg->redis_prefix, &err) < 0 ||
	    (r = mg_redis_new(&cfg->redis)) == NULL) {
		fprintf(stderr, "policyd-quota: %s\n", r == NULL ? "out of memory"
								 : err.msg);
		return PQ_EXIT_ERROR;
	}
	mg_redis_set_quiet(r, true);        /* said below, with the action */
	if (strcmp(st.req.protocol_state, "RCPT") == 0)
		ask_redis(&st, r, &k);
	else                                /* as the daemon: only RCPT is judged */
		snprintf(st.action, sizeof(st.action), "DUNNO");
	mg_redis_free(&r);
	if (st.redis_error[0])
		fprintf(stderr, "policyd-quota: Redis unusable: %s; answering with "
			"redis_error_action\n", st.redis_error);
	if (json)
		print_json(&st);
	else
		print_text(&st);
	return exit_code(st.action);
}
