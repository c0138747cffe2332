/*
 * ma_offline.c - milter-attach -T (see ma_offline.h)
 *
 * The file is read in CHUNK pieces and cut by ma_eml.c (at most one
 * header kept in memory) into what libmilter would hand over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ma_bans.h"
#include "ma_eml.h"
#include "ma_inspect.h"
#include "ma_msg.h"
#include "ma_offline.h"
#include "mg_json.h"
#include "name_norm.h"
#include "scan.h"

#define CHUNK 65536

struct out {
	FILE *fp;
	int json;
	unsigned files;
};

/* reader state: the file, cut by ma_eml, into the message */
struct reader {
	FILE *in;
	struct ma_msg *m;
	const struct ma_config *cfg;
	int stopped, io_error;
};

/* over - whether the milter would stop reading here */
static int
over(const struct reader *r)
{
	return ma_decide_size(ma_msg_size(r->m), r->cfg->size_limit);
}

/* on_header, on_eoh, on_body - ma_eml's calls, as ma_milter.c makes them */
static void
on_header(void *ctx, const char *name, const char *value)
{
	struct reader *r = ctx;

	ma_msg_header(r->m, name, value, 1);
}

static void
on_eoh(void *ctx)
{
	struct reader *r = ctx;

	ma_msg_eoh(r->m);
}

static int
on_body(void *ctx, const char *data, size_t len)
{
	struct reader *r = ctx;

	return ma_msg_body(r->m, (const unsigned char *)data, len);
}

/* read_message - feed the message; stops where the milter stops (past
 * size_limit: at most one chunk more is read) */
static int
read_message(struct reader *r, struct mg_error *err)
{
	static const struct ma_eml_ops ops = { on_header, on_eoh, on_body };
	struct ma_eml *e = ma_eml_new(&ops, r);
	char *buf = malloc(CHUNK);
	size_t n;

	if (e == NULL || buf == NULL) {
		ma_eml_free(&e);
		free(buf);
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	}
	while (!r->stopped && !over(r) && (n = fread(buf, 1, CHUNK, r->in)) > 0)
		r->stopped = ma_eml_feed(e, buf, n);
	r->io_error = ferror(r->in);
	if (!r->stopped && !over(r) && !r->io_error)
		ma_eml_finish(e);
	ma_eml_free(&e);
	free(buf);
	return 0;
}

/* put_kv - "  key: value" (text) or ,"key":"value" (JSON) */
static void
put_kv(struct out *o, const char *key, const char *value)
{
	if (o->json) {
		fputc(',', o->fp);
		mg_json_str(o->fp, key);
		fputc(':', o->fp);
		mg_json_str(o->fp, value);
	} else {
		fprintf(o->fp, "  %-12s %s\n", key, value);
	}
}

/* put_num - "  key: n" (text) or ,"key":n (JSON) */
static void
put_num(struct out *o, const char *key, unsigned long long n)
{
	if (o->json) {
		fputc(',', o->fp);
		mg_json_str(o->fp, key);
		fprintf(o->fp, ":%llu", n);
	} else {
		fprintf(o->fp, "  %-12s %llu\n", key, n);
	}
}

/* put_name - a name from mail: escaped for a terminal, raw in JSON */
static void
put_name(struct out *o, const char *key, const char *name)
{
	char esc[1024];

	if (o->json) {
		put_kv(o, key, name);
		return;
	}
	scan_name_escape(name, esc, sizeof(esc));
	fprintf(o->fp, "  %-12s \"%s\"\n", key, esc);
}

/* on_file - one scanned file and its judgement */
static void
on_file(void *ctx, const struct scan_file *sf, enum ma_reason r,
	const struct ma_hit *hit)
{
	struct out *o = ctx;
	char buf[128];
	size_t i;

	o->files++;
	if (o->json)
		fprintf(o->fp, "%s{\"n\":%u", o->files > 1 ? "," : "", o->files);
	else
		fprintf(o->fp, "file %u\n", o->files);
	put_kv(o, "origin", ma_msg_origin_name((int)sf->origin));
	put_num(o, "depth", sf->depth);
	if (sf->container != NULL)
		put_name(o, "archive", sf->container);
	if (sf->format != NULL && sf->format[0])
		put_kv(o, "format", sf->format);
	if (o->json)
		fputs(",\"names\":[", o->fp);
	for (i = 0; i < sf->n_names; i++) {
		if (o->json) {
			fprintf(o->fp, "%s{\"name\":", i ? "," : "");
			mg_json_str(o->fp, sf->names[i]);
			if (sf->raw_names != NULL &&
			    strcmp(sf->raw_names[i], sf->names[i]) != 0)
				put_kv(o, "declared", sf->raw_names[i]);
			fputc('}', o->fp);
			continue;
		}
		put_name(o, "name", sf->names[i]);
		if (sf->raw_names != NULL && strcmp(sf->raw_names[i], sf->names[i]) != 0)
			put_name(o, "declared", sf->raw_names[i]);
	}
	if (o->json)
		fputc(']', o->fp);
	else if (sf->n_names == 0)
		fprintf(o->fp, "  %-12s (none)\n", "name");
	put_num(o, "size", sf->size);
	if (sf->encrypted)
		put_kv(o, "encrypted", "yes");
	put_kv(o, "type", sf->mime_type && sf->mime_type[0] ? sf->mime_type :
	       o->json ? "" : "- (not extracted)");
	put_kv(o, "sha256", sf->sha256_hex && sf->sha256_hex[0] ? sf->sha256_hex :
	       o->json ? "" : "- (not extracted)");
	if (r != MA_R_NONE) {
		snprintf(buf, sizeof(buf), "refused: %s%s%s", ma_reason_name(r),
			 hit->ext[0] ? " " : "", hit->ext);
		put_kv(o, "judged", o->json ? ma_reason_name(r) : buf);
	} else {
		put_kv(o, "judged", sf->origin == SCAN_ORIGIN_EXTERNAL_BODY ?
		       "reference" : hit->exec_content ? "allowed_exec_content"
						    : "allowed");
	}
	if (o->json)
		fputc('}', o->fp);
}

/* unescape_pct - the reply as the client reads it ("%%" is libmilter's) */
static void
unescape_pct(const char *in, char *out, size_t outsz)
{
	size_t o = 0;

	for (; *in && o + 1 < outsz; in++) {
		out[o++] = *in;
		if (in[0] == '%' && in[1] == '%')
			in++;
	}
	out[o] = '\0';
}

/* action_word - accept/reject/tempfail */
static const char *
action_word(enum ma_action a)
{
	return a == MA_ACT_REJECT ? "reject" : a == MA_ACT_TEMPFAIL ? "tempfail"
								   : "accept";
}

/* put_verdict - the end: anomalies, size, verdict */
static void
put_verdict(struct out *o, const struct reader *r, const struct ma_verdict *v,
	    const char *header)
{
	char anom[256], text[sizeof(v->text)], buf[128];
	unsigned bits = ma_msg_anomalies(r->m);
	int complete = !r->stopped && !over(r);

	scan_anomaly_list(bits, anom, sizeof(anom));
	unescape_pct(v->text, text, sizeof(text));
	if (o->json) {
		fputs("],\"anomalies\":", o->fp);
		mg_json_str(o->fp, bits ? anom : "");
		fprintf(o->fp, ",\"size\":%llu,\"size_limit\":%llu,\"read_whole\":%s",
			ma_msg_size(r->m), r->cfg->size_limit,
			complete ? "true" : "false");
		fputs(",\"verdict\":{\"action\":", o->fp);
		mg_json_str(o->fp, action_word(v->action));
		put_kv(o, "reason", ma_reason_name(v->reason));
		if (v->action != MA_ACT_ACCEPT) {
			put_kv(o, "code", v->code);
			put_kv(o, "xcode", v->xcode);
			put_kv(o, "text", text);
		}
		if (header != NULL) {
			put_kv(o, "header_name", r->cfg->header_name);
			put_kv(o, "header", header);
		}
		fputs("}}\n", o->fp);
		return;
	}
	fprintf(o->fp, "files        %u\n", o->files);
	fprintf(o->fp, "anomalies    %s\n", bits ? anom : "none");
	if (complete)
		snprintf(buf, sizeof(buf), "%llu bytes (limit %llu)",
			 ma_msg_size(r->m), r->cfg->size_limit);
	else
		snprintf(buf, sizeof(buf), "over the limit of %llu bytes "
			 "(reading stopped at %llu)", r->cfg->size_limit,
			 ma_msg_size(r->m));
	fprintf(o->fp, "size         %s\n", buf);
	fprintf(o->fp, "verdict      %s\n", action_word(v->action));
	fprintf(o->fp, "reason       %s\n", ma_reason_name(v->reason));
	if (v->action != MA_ACT_ACCEPT)
		fprintf(o->fp, "reply        %s %s %s\n", v->code, v->xcode, text);
	if (header != NULL)
		fprintf(o->fp, "header       %s: %s\n", r->cfg->header_name, header);
}

/* put_bans - what was read from Redis, or why not */
static void
put_bans(struct out *o, const struct ma_config *cfg, const struct ma_banset *b,
	 const struct mg_error *err)
{
	const char *doing = cfg->error_action == MA_ERRACT_TEMPFAIL
			    ? "tempfail" : "accept";

	if (b == NULL)
		fprintf(stderr, "milter-attach: bans: %s; judging as the milter "
			"does without a ban list: error_action = %s, unless the "
			"message is refused for another reason\n", err->msg, doing);
	if (o->json) {
		fprintf(o->fp, "{\"bans\":{\"read\":%s", b ? "true" : "false");
		if (b != NULL)
			fprintf(o->fp, ",\"ext\":%zu,\"mime\":%zu,\"sha256\":%zu}",
				b->n[MG_BAN_EXT], b->n[MG_BAN_MIME], b->n[MG_BAN_SHA256]);
		else {
			put_kv(o, "error", err->msg);
			put_kv(o, "error_action", doing);
			fputc('}', o->fp);
		}
		fputs(",\"files\":[", o->fp);
		return;
	}
	if (b != NULL)
		fprintf(o->fp, "bans         ext=%zu mime=%zu sha256=%zu (read from "
			"Redis now)\n", b->n[MG_BAN_EXT], b->n[MG_BAN_MIME],
			b->n[MG_BAN_SHA256]);
	else
		fprintf(o->fp, "bans         unknown (Redis: %s); error_action = %s\n",
			err->msg, doing);
}

/* exit_code - the verdict as an exit status */
static int
exit_code(const struct ma_verdict *v)
{
	return v->action == MA_ACT_REJECT ? MA_EXIT_REJECT :
	       v->action == MA_ACT_TEMPFAIL ? MA_EXIT_TEMPFAIL : MA_EXIT_ACCEPT;
}

/* ma_offline_run - see ma_offline.h */
int
ma_offline_run(struct ma_config *cfg, const char *input, int json)
{
	struct out o = { stdout, json, 0 };
	struct reader r = { .cfg = cfg };
	struct ma_inspect *pool = NULL;
	struct ma_banset *bans = NULL;
	struct ma_verdict v;
	struct mg_error err, berr;
	long long now = (long long)time(NULL);
	int rc = MA_EXIT_ERROR;

	r.in = strcmp(input, "-") == 0 ? stdin : fopen(input, "rb");
	if (r.in == NULL) {
		fprintf(stderr, "milter-attach: cannot open %s: %s\n", input,
			strerror(errno));
		return MA_EXIT_ERROR;
	}
	if ((r.m = ma_msg_new()) == NULL) {
		fprintf(stderr, "milter-attach: out of memory\n");
		goto out;
	}
	if (ma_inspect_check(cfg, &err) < 0 ||
	    (pool = ma_inspect_start(cfg, &err)) == NULL) {
		fprintf(stderr, "milter-attach: %s\n", err.msg);
		goto out;
	}
	ma_msg_set_inspector(r.m, ma_inspect_list, pool);
	ma_msg_set_observer(r.m, on_file, &o, 1);
	if (ma_bans_read_once(&cfg->redis, cfg->redis_prefix, now, &bans, &berr) < 0)
		bans = NULL;
	put_bans(&o, cfg, bans, &berr);
	if (ma_msg_begin(r.m, ma_config_ref(cfg), bans, "<>", now, &err) < 0) {
		/* as the milter: decided at the end with error_action */
		fprintf(stderr, "milter-attach: scanner: %s\n", err.msg);
	}
	bans = NULL;                     /* the message holds it now */
	if (read_message(&r, &err) < 0) {
		fprintf(stderr, "milter-attach: %s\n", err.msg);
		goto out;
	}
	if (r.io_error) {
		fprintf(stderr, "milter-attach: reading %s: %s\n", input,
			strerror(errno));
		if (json)
			fputs("]}\n", stdout);
		goto out;
	}
	ma_msg_end(r.m, &v);
	put_verdict(&o, &r, &v, ma_msg_header_to_add(r.m));
	rc = exit_code(&v);
out:
	if (fflush(stdout) != 0 && rc != MA_EXIT_ERROR) {
		fprintf(stderr, "milter-attach: writing the result: %s\n",
			strerror(errno));
		rc = MA_EXIT_ERROR;
	}
	ma_msg_free(&r.m);
	ma_inspect_stop(&pool);
	if (r.in != NULL && r.in != stdin)
		fclose(r.in);
	return rc;
}
