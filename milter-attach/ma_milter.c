/*
 * ma_milter.c - libmilter callbacks of milter-attach (thin: see ma_msg.c)
 *
 * Negotiation keeps the callbacks we need (MAIL for SIZE=, RCPT, headers,
 * end of headers, body, end of message) and asks Postfix for the space
 * after each header colon (SMFIP_HDR_LEADSPC) so byte counts are exact.
 * Debian's libmilter runs the callbacks of one connection on any worker
 * thread, one at a time: all state is behind smfi_setpriv().
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ma_milter.h"
#include "ma_msg.h"
#include "mg_clock.h"
#include "mg_log.h"

static struct ma_ctx *ctx_g;   /* the one context, set before smfi_main */

struct conn {
	struct ma_msg *msg;
	int leadspc;
	int in_msg;
	unsigned long noreply;   /* SMFIP_NR_* the MTA agreed to */
	long long scan_ns;       /* this message's time in the scanner */
};

/* no_reply - SMFIS_NOREPLY for a step negotiated without reply */
static sfsistat
no_reply(const struct conn *c, unsigned long flag)
{
	return (c != NULL && (c->noreply & flag)) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* ma_ctx_config - current config, referenced */
struct ma_config *
ma_ctx_config(struct ma_ctx *c)
{
	struct ma_config *cfg;

	pthread_mutex_lock(&c->lock);
	cfg = ma_config_ref(c->cfg);
	pthread_mutex_unlock(&c->lock);
	return cfg;
}

/* ma_ctx_bans - current ban snapshot, referenced */
struct ma_banset *
ma_ctx_bans(struct ma_ctx *c)
{
	struct ma_banset *b;

	pthread_mutex_lock(&c->lock);
	b = ma_bans_get(c->bans);
	pthread_mutex_unlock(&c->lock);
	return b;
}

/* get_conn - the connection state (created on first use) */
static struct conn *
get_conn(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return NULL;
		if ((c->msg = ma_msg_new()) != NULL && ctx_g->inspect != NULL)
			ma_msg_set_inspector(c->msg, ma_inspect_list, ctx_g->inspect);
		if (c->msg == NULL) {
			free(c);
			return NULL;
		}
		smfi_setpriv(ctx, c);
	}
	return c;
}

/* queue_id - Postfix's {i} macro */
static const char *
queue_id(SMFICTX *ctx)
{
	const char *q = smfi_getsymval(ctx, "i");

	return q ? q : "";
}

/* count - the statistics and metrics of one decision */
static void
count(struct conn *c, const struct ma_verdict *v)
{
	static const char *const actions[] = {
		[MA_ACT_ACCEPT] = "accept", [MA_ACT_REJECT] = "reject",
		[MA_ACT_TEMPFAIL] = "tempfail",
	};
	struct ma_metrics *mm = ctx_g->stats.metrics;
	enum ma_stat s = MA_ST_ACCEPTED;

	if (mm != NULL) {
		mg_metric_inc(mm->messages, NULL, NULL);
		mg_metric_inc(mm->verdicts, actions[v->action], ma_reason_name(v->reason));
		mg_metric_observe(mm->scan, NULL, NULL, (double)c->scan_ns / 1e9);
	}
	c->scan_ns = 0;

	ma_stats_inc(&ctx_g->stats, MA_ST_MESSAGES);
	if (v->action == MA_ACT_TEMPFAIL)
		s = MA_ST_TEMPFAILED;
	else if (v->action == MA_ACT_REJECT)
		s = v->reason == MA_R_SIZE ? MA_ST_REJECTED_SIZE :
		    v->reason == MA_R_STRUCTURE ? MA_ST_REJECTED_STRUCTURE :
		    v->reason == MA_R_EXT || v->reason == MA_R_MAGIC
			? MA_ST_REJECTED_ATTACHMENT : MA_ST_REJECTED_ALERT;
	ma_stats_inc(&ctx_g->stats, s);
}

/* reply - apply a verdict: count, setreply and the libmilter status */
static sfsistat
reply(SMFICTX *ctx, struct conn *c, const struct ma_verdict *v)
{
	count(c, v);
	if (v->action == MA_ACT_ACCEPT)
		return SMFIS_CONTINUE;
	if (smfi_setreply(ctx, (char *)v->code, (char *)v->xcode,
			  (char *)v->text) != MI_SUCCESS)
		mg_warnx("smfi_setreply %s %s failed", v->code, v->xcode);
	return v->action == MA_ACT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* internal_error - error_action when we cannot even hold state */
static sfsistat
internal_error(const char *what)
{
	struct ma_config *cfg = ma_ctx_config(ctx_g);
	int accept = cfg->error_action == MA_ERRACT_ACCEPT;

	ma_config_unref(&cfg);
	mg_warnx("internal error: %s; action=%s", what, accept ? "accept" : "tempfail");
	return accept ? SMFIS_ACCEPT : SMFIS_TEMPFAIL;
}

/* end_msg - finish a message's state after its verdict */
static void
end_msg(struct conn *c)
{
	ma_msg_clear(c->msg);
	c->in_msg = 0;
}

/* xxfi_negotiate - keep what we need, ask for the header leading space;
 * no replies to RCPT, headers, end of headers and body chunks when the
 * MTA allows it (fewer round trips: only MAIL and end of message answer,
 * and every decision is taken there) */
static sfsistat
ma_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
	     unsigned long f2, unsigned long f3, unsigned long *pf0,
	     unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct conn *c = get_conn(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	*pf0 = f0 & SMFIF_ADDHDRS;
	c->noreply = f1 & (SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH |
			   SMFIP_NR_BODY);
	*pf1 = (f1 & (SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA |
		      SMFIP_NOCONNECT | SMFIP_HDR_LEADSPC)) | c->noreply;
	*pf2 = *pf3 = 0;
	c->leadspc = (f1 & SMFIP_HDR_LEADSPC) != 0;
	return SMFIS_CONTINUE;
}

/* xxfi_envfrom - new message; SIZE= over the limit is refused here */
static sfsistat
ma_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = get_conn(ctx);
	unsigned long long declared;
	struct ma_verdict v;
	struct mg_error err;

	if (c == NULL)
		return internal_error("out of memory");
	if (ma_msg_begin(c->msg, ma_ctx_config(ctx_g), ma_ctx_bans(ctx_g),
			 argv[0], (long long)time(NULL), &err) < 0)
		mg_warnx("scanner: %s", err.msg);   /* decided at eom */
	c->in_msg = 1;
	c->scan_ns = 0;
	if (ma_msg_size_param(argv + 1, &declared) == 1 &&
	    ma_decide_size(declared, ma_msg_config(c->msg)->size_limit)) {
		ma_msg_decide_size(c->msg, declared, &v);
		ma_msg_log(c->msg, queue_id(ctx), "mail", &v);
		end_msg(c);
		return reply(ctx, c, &v);
	}
	return SMFIS_CONTINUE;
}

/* xxfi_envrcpt - remember the recipient (for the log and notices) */
static sfsistat
ma_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);
	struct mg_error err;

	if (c == NULL || !c->in_msg)
		return no_reply(c, SMFIP_NR_RCPT);
	if (ma_msg_rcpt(c->msg, argv[0], &err) < 0) {
		if (!(c->noreply & SMFIP_NR_RCPT))
			return internal_error(err.msg);
		mg_warnx("%s", err.msg);
		ma_msg_set_error(c->msg);      /* error_action at the end */
	}
	return no_reply(c, SMFIP_NR_RCPT);
}

/* xxfi_header - feed "Name: value" */
static sfsistat
ma_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->in_msg)
		ma_msg_header(c->msg, name, value, c->leadspc);
	return no_reply(c, SMFIP_NR_HDR);
}

/* xxfi_eoh - feed the empty line */
static sfsistat
ma_eoh(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->in_msg)
		ma_msg_eoh(c->msg);
	return no_reply(c, SMFIP_NR_EOH);
}

/* xxfi_body - count and scan a chunk; over the limit: refuse at once
 * unless the chunk takes no reply (then at the end of the message; the
 * scanner stops at the limit either way) */
static sfsistat
ma_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct conn *c = smfi_getpriv(ctx);
	struct ma_verdict v;
	long long t0;
	int over;

	if (c == NULL || !c->in_msg)
		return no_reply(c, SMFIP_NR_BODY);
	t0 = mg_now_ns();
	over = ma_msg_body(c->msg, data, len);
	c->scan_ns += mg_now_ns() - t0;
	if (over && !(c->noreply & SMFIP_NR_BODY)) {
		ma_msg_end(c->msg, &v);
		ma_msg_log(c->msg, queue_id(ctx), "body", &v);
		end_msg(c);
		return reply(ctx, c, &v);
	}
	return no_reply(c, SMFIP_NR_BODY);
}

/* xxfi_eom - decide, reply, log, notify */
static sfsistat
ma_eom(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	struct ma_verdict v;
	const char *hdr;
	sfsistat st;
	long long t0 = mg_now_ns();

	if (c == NULL || !c->in_msg)
		return internal_error("end of message without a message");
	ma_msg_end(c->msg, &v);
	c->scan_ns += mg_now_ns() - t0;
	st = reply(ctx, c, &v);
	if (st == SMFIS_CONTINUE && (hdr = ma_msg_header_to_add(c->msg)) != NULL &&
	    smfi_addheader(ctx, (char *)ma_msg_config(c->msg)->header_name,
			   (char *)hdr) != MI_SUCCESS)
		mg_warnx("smfi_addheader failed");
	ma_msg_log(c->msg, queue_id(ctx), "eom", &v);
	ma_msg_notify(c->msg, ctx_g->notifier, queue_id(ctx), &v);
	end_msg(c);
	return st == SMFIS_CONTINUE ? SMFIS_ACCEPT : st;
}

/* xxfi_abort - the transaction ended without a message */
static sfsistat
ma_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		end_msg(c);
	return SMFIS_CONTINUE;
}

/* xxfi_close - free the connection state */
static sfsistat
ma_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		ma_msg_free(&c->msg);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

/* ma_milter_init - the registration description */
void
ma_milter_init(struct ma_ctx *c, struct smfiDesc *d)
{
	ctx_g = c;
	memset(d, 0, sizeof(*d));
	d->xxfi_name = "milter-attach";
	d->xxfi_version = SMFI_VERSION;
	d->xxfi_flags = SMFIF_ADDHDRS;
	d->xxfi_envfrom = ma_envfrom;
	d->xxfi_envrcpt = ma_envrcpt;
	d->xxfi_header = ma_header;
	d->xxfi_eoh = ma_eoh;
	d->xxfi_body = ma_body;
	d->xxfi_eom = ma_eom;
	d->xxfi_abort = ma_abort;
	d->xxfi_close = ma_close;
	d->xxfi_negotiate = ma_negotiate;
}
