/*
 * pq_answer.c - policyd-quota's answers (see pq_answer.h)
 */
#include <stdio.h>
#include <string.h>

#include "mg_addr.h"
#include "mg_log.h"
#include "mg_text.h"
#include "pq_answer.h"

/* pq_answer_mailbox - mg_addr_mailbox with the settings */
int
pq_answer_mailbox(const struct pq_config *cfg, const char *recipient,
		  char *out, size_t outsz, struct mg_error *err)
{
	if (mg_addr_mailbox(recipient, strlen(recipient), cfg->recipient_delimiter,
			    cfg->default_domain, out, outsz, err) < 0)
		return -1;
	if (out[0] == '\0')
		return mg_error_set(err, MG_ERR_PARSE, "empty recipient");
	return 0;
}

/* pq_answer_defer_id - hash of the normalised sender and the size */
void
pq_answer_defer_id(const struct pq_config *cfg, const char *sender,
		   long long size, char id[MG_KEYS_ID_LEN + 1])
{
	char idsrc[2 * MG_ADDR_MAX + 32], norm[MG_ADDR_MAX + 1];
	int n;

	if (mg_addr_normalize(sender, strlen(sender), cfg->recipient_delimiter,
			      norm, sizeof(norm), NULL) < 0)
		snprintf(norm, sizeof(norm), "%s", sender);
	n = snprintf(idsrc, sizeof(idsrc), "%s\n%lld", norm, size);
	mg_keys_id(idsrc, (size_t)n, id);
}

/* pq_answer_defer_ttl - the defer period and a day */
long long
pq_answer_defer_ttl(const struct pq_config *cfg)
{
	return cfg->defer_period_ms / 1000 + 86400;
}

/* pq_answer_limits - milliseconds to the decision's seconds */
void
pq_answer_limits(const struct pq_config *cfg, struct pq_limits *lim)
{
	lim->grace_percent = cfg->grace_percent;
	lim->stale_after = cfg->state_max_age_ms / 1000;
	lim->defer_period = cfg->defer_period_ms / 1000;
}

/* expand - fill a reply template with the recipient and the period
 * (fallback when nothing could be expanded) */
static void
expand(const struct pq_config *cfg, const struct pq_request *req,
       const char *tmpl, const char *fallback, char *out, size_t outsz)
{
	char days[32], rcpt[MG_ADDR_MAX + 1];
	struct mg_tvar vars[2];

	mg_sanitize(rcpt, sizeof(rcpt), req->recipient, strlen(req->recipient),
		    MG_ADDR_MAX);
	snprintf(days, sizeof(days), "%lld", cfg->defer_period_ms / 86400000);
	vars[0].name = "rcpt"; vars[0].value = rcpt;
	vars[1].name = "days"; vars[1].value = days;
	if (mg_template_expand(tmpl, vars, 2, out, outsz, NULL) < 0 && out[0] == '\0')
		snprintf(out, outsz, "%s", fallback);
}

/* pq_answer_full - defer or reject, from the first deferral */
enum pq_verdict
pq_answer_full(const struct pq_config *cfg, const struct pq_request *req,
	       long long first_deferral, long long now, char *action,
	       size_t actionsz)
{
	struct pq_limits lim;
	char text[900];

	pq_answer_limits(cfg, &lim);
	if (pq_decide_full(first_deferral, now, &lim) == PQ_REJECT) {
		expand(cfg, req, pq_config_reject_text(cfg), "Mailbox full", text,
		       sizeof(text));
		snprintf(action, actionsz, "550 5.2.2 %s", text);
		return PQ_REJECT;
	}
	expand(cfg, req, pq_config_defer_text(cfg), "Mailbox full", text,
	       sizeof(text));
	snprintf(action, actionsz, "DEFER_IF_PERMIT 4.2.2 %s", text);
	return PQ_DEFER;
}

/* pq_answer_error - the admin's choice for a Redis failure */
int
pq_answer_error(const struct pq_config *cfg, const struct pq_request *req,
		char *action, size_t actionsz)
{
	char text[900];

	if (cfg->redis_error_action != PQ_ON_ERROR_DEFER_IF_PERMIT) {
		snprintf(action, actionsz, "DUNNO");
		return 0;
	}
	expand(cfg, req, pq_config_error_text(cfg), "Temporary failure", text,
	       sizeof(text));
	snprintf(action, actionsz, "DEFER_IF_PERMIT 4.3.0 %s", text);
	return 1;
}
