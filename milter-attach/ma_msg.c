/*
 * ma_msg.c - one message through milter-attach (see ma_msg.h)
 *
 * Memory per connection is bounded: the scanner's own bound, the
 * recipient list (bounded by the MTA's recipient limit), and fixed-size
 * buffers for the log line material.  The body is never buffered.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ma_msg.h"
#include "ma_texts.h"
#include "mg_addr.h"
#include "mg_log.h"
#include "name_norm.h"
#include "scan.h"

#define HDR_KEEP_MAX 998     /* Subject / Message-ID kept for notices */
#define NAMES_MAX 600        /* names=... in the decision line */
#define FEED_CHUNK 4096
#define FILES_LOGGED 32      /* files listed one per line after the decision */

/* what is logged of each file (action=file lines) */
struct file_rec {
	char name[128];
	char raw[160];       /* the name as declared, when it differs,
			      * invisible characters escaped */
	char container[64];
	char sha256[65];
	char mime[64];
	unsigned long long size;
	int origin;
	int encrypted;
};

struct ma_msg {
	struct ma_config *cfg;           /* this message's snapshot */
	struct ma_banset *bans;
	struct scan_walker *scanner;
	struct ma_config *scanner_cfg;   /* config the scanner was built for */
	int scanner_magic;
	scan_inspect_fn *inspect;        /* NULL: carriers not inspected */
	void *inspect_ctx;
	ma_msg_file_fn *observer;        /* NULL: none (the milter) */
	void *observer_ctx;
	int always_magic;
	long long now;
	unsigned long long size;
	int oversize, scan_error, in_body;
	char from[MG_ADDR_MAX + 3];
	char **rcpts;
	size_t n_rcpts, cap_rcpts;
	char subject[HDR_KEEP_MAX + 1], message_id[HDR_KEEP_MAX + 1];
	int auto_submitted;
	struct ma_hit hit;               /* first refused file */
	int have_hit;
	struct ma_hit exec;              /* first executable content */
	int have_exec;
	char names[NAMES_MAX];
	size_t names_len;
	char first_sha[65];
	unsigned files;
	struct file_rec rec[FILES_LOGGED];
	struct scan_summary sum;
	char header_text[400];
};

/* ma_msg_new - an empty message holder */
struct ma_msg *
ma_msg_new(void)
{
	return calloc(1, sizeof(struct ma_msg));
}

/* ma_msg_clear - forget the message, keep the scanner */
void
ma_msg_clear(struct ma_msg *m)
{
	size_t i;

	for (i = 0; i < m->n_rcpts; i++)
		free(m->rcpts[i]);
	m->n_rcpts = 0;
	ma_config_unref(&m->cfg);
	ma_banset_unref(&m->bans);
	m->size = 0;
	m->oversize = m->scan_error = m->in_body = 0;
	m->from[0] = m->subject[0] = m->message_id[0] = '\0';
	m->auto_submitted = 0;
	m->have_hit = m->have_exec = 0;
	m->names[0] = '\0';
	m->names_len = 0;
	m->first_sha[0] = '\0';
	m->files = 0;
	memset(&m->sum, 0, sizeof(m->sum));
	m->header_text[0] = '\0';
}

/* ma_msg_free - everything */
void
ma_msg_free(struct ma_msg **mp)
{
	struct ma_msg *m = *mp;

	if (m == NULL)
		return;
	*mp = NULL;
	ma_msg_clear(m);
	free(m->rcpts);
	scan_walker_free(&m->scanner);
	ma_config_unref(&m->scanner_cfg);
	free(m);
}

/* ma_msg_size_param - SIZE= in ESMTP MAIL parameters */
int
ma_msg_size_param(char *const *args, unsigned long long *size_r)
{
	unsigned long long v = 0;
	const char *p;
	size_t i;

	for (i = 0; args != NULL && args[i] != NULL; i++) {
		if (strncasecmp(args[i], "SIZE=", 5) != 0)
			continue;
		p = args[i] + 5;
		if (*p == '\0')
			return -1;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p) ||
			    v > (~0ULL - (unsigned)(*p - '0')) / 10)
				return -1;
			v = v * 10 + (unsigned)(*p - '0');
		}
		*size_r = v;
		return 1;
	}
	return 0;
}

/* add_name - append to the bounded names list for the log line */
static void
add_name(struct ma_msg *m, const char *name)
{
	size_t room = sizeof(m->names) - m->names_len;
	int n;

	if (room < 8 || name == NULL || name[0] == '\0')
		return;
	n = snprintf(m->names + m->names_len, room, "%s%s",
		     m->names_len ? "," : "", name);
	if (n < 0 || (size_t)n >= room) {
		m->names_len = sizeof(m->names) - 1;
		memcpy(m->names + sizeof(m->names) - 4, "...", 4);
		return;
	}
	m->names_len += (size_t)n;
}

/* on_file - the scanner reports a file: judge it now */
static void
on_file(void *ctx, const struct scan_file *sf)
{
	struct ma_msg *m = ctx;
	struct ma_rules rules = { m->cfg, m->bans, m->now };
	struct ma_file f = { sf->names, sf->n_names, sf->container,
			     sf->mime_type ? sf->mime_type : "",
			     sf->sha256_hex ? sf->sha256_hex : "" };
	struct ma_hit hit;
	enum ma_reason judged;
	size_t i;

	if (m->files < FILES_LOGGED) {
		struct file_rec *r = &m->rec[m->files];
		snprintf(r->name, sizeof(r->name), "%s",
			 sf->n_names > 0 ? sf->names[0] : "");
		r->raw[0] = '\0';
		if (sf->n_names > 0 && sf->raw_names != NULL &&
		    strcmp(sf->raw_names[0], sf->names[0]) != 0)
			scan_name_escape(sf->raw_names[0], r->raw, sizeof(r->raw));
		snprintf(r->container, sizeof(r->container), "%s",
			 sf->container ? sf->container : "");
		snprintf(r->sha256, sizeof(r->sha256), "%s", f.sha256_hex);
		snprintf(r->mime, sizeof(r->mime), "%s", f.mime_type);
		r->size = sf->size;
		r->origin = (int)sf->origin;
		r->encrypted = sf->encrypted;
	}
	m->files++;
	if (sf->origin == SCAN_ORIGIN_EXTERNAL_BODY) {
		/* a reference: logged, no file to judge */
		if (m->observer != NULL) {
			memset(&hit, 0, sizeof(hit));
			m->observer(m->observer_ctx, sf, MA_R_NONE, &hit);
		}
		return;
	}
	for (i = 0; i < sf->n_names; i++)
		add_name(m, sf->names[i]);
	if (m->first_sha[0] == '\0' && f.sha256_hex[0] != '\0')
		snprintf(m->first_sha, sizeof(m->first_sha), "%s", f.sha256_hex);
	if ((judged = ma_decide_file(&rules, &f, &hit)) != MA_R_NONE) {
		if (!m->have_hit) {
			m->hit = hit;
			m->have_hit = 1;
		}
	} else if (hit.exec_content && !m->have_exec) {
		m->exec = hit;
		m->have_exec = 1;
	}
	if (m->observer != NULL)
		m->observer(m->observer_ctx, sf, judged, &hit);
}

/* ma_msg_set_observer - see ma_msg.h; the next scanner built uses it */
void
ma_msg_set_observer(struct ma_msg *m, ma_msg_file_fn *fn, void *ctx,
		    int always_magic)
{
	m->observer = fn;
	m->observer_ctx = ctx;
	m->always_magic = always_magic;
	scan_walker_free(&m->scanner);
	ma_config_unref(&m->scanner_cfg);
}

/* ma_msg_size - bytes counted */
unsigned long long
ma_msg_size(const struct ma_msg *m)
{
	return m->size;
}

/* ma_msg_anomalies - the scanner's summary bits */
unsigned
ma_msg_anomalies(const struct ma_msg *m)
{
	return m->sum.anomalies;
}

/* ma_msg_set_inspector - see ma_msg.h; the next scanner built uses it */
void
ma_msg_set_inspector(struct ma_msg *m, scan_inspect_fn *fn, void *ctx)
{
	m->inspect = fn;
	m->inspect_ctx = ctx;
	scan_walker_free(&m->scanner);
	ma_config_unref(&m->scanner_cfg);
}

/* want_magic - libmagic is needed for magic_action or MIME bans */
static int
want_magic(const struct ma_config *cfg, const struct ma_banset *bans)
{
	return cfg->magic_action != MA_MAGIC_OFF ||
	       (bans != NULL && bans->n[MG_BAN_MIME] > 0);
}

/* ma_msg_begin - new message; (re)build the scanner when needed */
int
ma_msg_begin(struct ma_msg *m, struct ma_config *cfg, struct ma_banset *bans,
	     const char *from, long long now, struct mg_error *err)
{
	struct scan_limits lim;
	int magic;

	ma_msg_clear(m);
	m->cfg = cfg;
	m->bans = bans;
	m->now = now;
	snprintf(m->from, sizeof(m->from), "%s", from ? from : "");
	magic = m->always_magic || want_magic(cfg, bans);
	if (m->scanner == NULL || m->scanner_cfg != cfg || m->scanner_magic != magic) {
		scan_walker_free(&m->scanner);
		ma_config_unref(&m->scanner_cfg);
		scan_limits_default(&lim);
		lim.max_depth = (unsigned)cfg->max_depth;
		lim.max_parts = (unsigned)cfg->max_parts;
		lim.max_zip_depth = (unsigned)cfg->max_zip_depth;
		lim.max_zip_entries = (unsigned)cfg->max_zip_entries;
		lim.magic = magic;
		if ((m->scanner = scan_walker_new(&lim, on_file, m, err)) == NULL) {
			m->scan_error = 1;
			return -1;
		}
		if (m->inspect != NULL)
			scan_walker_set_inspector(m->scanner, m->inspect,
						  m->inspect_ctx,
						  cfg->inspect_spool_dir,
						  cfg->inspect_max_bytes);
		m->scanner_cfg = ma_config_ref(cfg);
		m->scanner_magic = magic;
	} else {
		scan_walker_reset(m->scanner);
	}
	return 0;
}

/* ma_msg_rcpt - remember an envelope recipient */
int
ma_msg_rcpt(struct ma_msg *m, const char *rcpt, struct mg_error *err)
{
	char **nv;

	if (m->n_rcpts == m->cap_rcpts) {
		size_t cap = m->cap_rcpts ? m->cap_rcpts * 2 : 8;
		if ((nv = realloc(m->rcpts, cap * sizeof(*nv))) == NULL)
			return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		m->rcpts = nv;
		m->cap_rcpts = cap;
	}
	if ((m->rcpts[m->n_rcpts] = strdup(rcpt)) == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	m->n_rcpts++;
	return 0;
}

/* feed - count and scan bytes of the message as sent */
static void
feed(struct ma_msg *m, const char *data, size_t len)
{
	m->size += len;
	if (m->cfg != NULL && ma_decide_size(m->size, m->cfg->size_limit))
		m->oversize = 1;
	if (m->oversize || m->scan_error || m->scanner == NULL)
		return;
	scan_walker_feed(m->scanner, data, len);
}

/* keep_header - the few headers notices and loop prevention need */
static void
keep_header(struct ma_msg *m, const char *name, const char *value)
{
	while (*value == ' ' || *value == '\t')
		value++;
	if (strcasecmp(name, "Subject") == 0 && m->subject[0] == '\0')
		snprintf(m->subject, sizeof(m->subject), "%s", value);
	else if (strcasecmp(name, "Message-ID") == 0 && m->message_id[0] == '\0')
		snprintf(m->message_id, sizeof(m->message_id), "%s", value);
	else if (strcasecmp(name, "Auto-Submitted") == 0 &&
		 strncasecmp(value, "no", 2) != 0)
		m->auto_submitted = 1;
}

/* ma_msg_header - "Name:" + value with LF turned into CRLF + CRLF */
void
ma_msg_header(struct ma_msg *m, const char *name, const char *value,
	      int leadspc)
{
	char buf[FEED_CHUNK + 4];     /* a CR LF pair, then the final CR LF */
	size_t o = 0;
	const char *p;

	keep_header(m, name, value);
	feed(m, name, strlen(name));
	feed(m, leadspc ? ":" : ": ", leadspc ? 1 : 2);
	for (p = value; *p; p++) {
		if (o >= FEED_CHUNK) {
			feed(m, buf, o);
			o = 0;
		}
		if (*p == '\n' && (p == value || p[-1] != '\r'))
			buf[o++] = '\r';
		buf[o++] = *p;
	}
	buf[o++] = '\r';
	buf[o++] = '\n';
	feed(m, buf, o);
}

/* ma_msg_eoh - the empty line between headers and body */
void
ma_msg_eoh(struct ma_msg *m)
{
	feed(m, "\r\n", 2);
	m->in_body = 1;
}

/* ma_msg_body - a body chunk (CRLF line ends from Postfix) */
int
ma_msg_body(struct ma_msg *m, const unsigned char *data, size_t len)
{
	feed(m, (const char *)data, len);
	return m->oversize;
}

/* ma_msg_set_error - remember an internal error */
void
ma_msg_set_error(struct ma_msg *m)
{
	m->scan_error = 1;
}

/* ma_msg_end - finish the scan, decide */
void
ma_msg_end(struct ma_msg *m, struct ma_verdict *v)
{
	struct ma_facts f;

	if (!m->oversize && !m->scan_error && m->scanner != NULL)
		scan_walker_finish(m->scanner, &m->sum);
	f.size = m->size;
	f.hit = m->have_hit ? &m->hit : NULL;
	f.anomalies = m->sum.anomalies;
	f.scan_error = m->scan_error || m->scanner == NULL;
	f.bans_known = m->bans != NULL;
	ma_decide_message(m->cfg, &f, v);
	if (v->action == MA_ACT_ACCEPT && m->have_exec &&
	    m->cfg->magic_action == MA_MAGIC_HEADER)
		snprintf(m->header_text, sizeof(m->header_text),
			 "executable content (%.80s) in \"%.200s\"",
			 m->exec.mime, m->exec.name);
}

/* ma_msg_decide_size - verdict from SIZE= */
void
ma_msg_decide_size(struct ma_msg *m, unsigned long long size,
		   struct ma_verdict *v)
{
	struct ma_facts f = { size, NULL, 0, 0, 1 };

	m->size = size;      /* logged: the size the client declared */
	ma_decide_message(m->cfg, &f, v);
}

/* action_name - accept/reject/tempfail */
static const char *
action_name(enum ma_action a)
{
	return a == MA_ACT_REJECT ? "reject" : a == MA_ACT_TEMPFAIL ? "tempfail"
								   : "accept";
}

/* ma_msg_origin_name - the log word of a scan_origin */
const char *
ma_msg_origin_name(int origin)
{
	static const char *const origins[] = { "part", "zip_member", "uuencode",
						"tnef_member", "archive_member",
						"carrier_member", "binhex", "yenc",
						"external_body" };

	return origin >= 0 && (size_t)origin < sizeof(origins) / sizeof(origins[0])
	       ? origins[origin] : "?";
}

/* log_files - one action=file line per scanned file (name, hash, type) */
static void
log_files(const struct ma_msg *m, const char *queue_id)
{
	struct mg_kv kv;
	unsigned i;

	for (i = 0; i < m->files && i < FILES_LOGGED; i++) {
		const struct file_rec *r = &m->rec[i];
		mg_kv_init(&kv);
		mg_kv_add(&kv, "action", "file");
		mg_kv_add(&kv, "queue_id", queue_id && queue_id[0] ? queue_id : "-");
		mg_kv_add(&kv, "origin", ma_msg_origin_name(r->origin));
		mg_kv_add(&kv, "name", r->name);
		if (r->raw[0])
			mg_kv_add(&kv, "raw", r->raw);
		if (r->container[0])
			mg_kv_add(&kv, "container", r->container);
		mg_kv_addf(&kv, "size", "%llu", r->size);
		if (r->sha256[0])
			mg_kv_add(&kv, "sha256", r->sha256);
		if (r->mime[0])
			mg_kv_add(&kv, "mime", r->mime);
		if (r->encrypted)
			mg_kv_add(&kv, "encrypted", "yes");
		mg_log_kv(MG_LOG_INFO, &kv);
	}
	if (m->files > FILES_LOGGED)
		mg_info("queue_id=%s action=file more=%u", queue_id && queue_id[0]
			? queue_id : "-", m->files - FILES_LOGGED);
}

/* ma_msg_log - one decision line (then the files it saw) */
void
ma_msg_log(struct ma_msg *m, const char *queue_id, const char *stage,
	   const struct ma_verdict *v)
{
	char rcpts[1024], anom[128];
	size_t i, len = 0;
	struct mg_kv kv;
	const struct ma_hit *h = m->have_hit ? &m->hit : m->have_exec ? &m->exec : NULL;

	rcpts[0] = '\0';
	for (i = 0; i < m->n_rcpts && len + 2 < sizeof(rcpts); i++) {
		int n = snprintf(rcpts + len, sizeof(rcpts) - len, "%s%s",
				 i ? "," : "", m->rcpts[i]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	mg_kv_init(&kv);
	mg_kv_add(&kv, "queue_id", queue_id && queue_id[0] ? queue_id : "-");
	mg_kv_add(&kv, "from", m->from);
	mg_kv_add(&kv, "to", rcpts);
	mg_kv_addf(&kv, "size", "%llu", m->size);
	mg_kv_add(&kv, "stage", stage);
	mg_kv_add(&kv, "action", action_name(v->action));
	mg_kv_add(&kv, "reason", ma_reason_name(v->reason));
	if (v->action != MA_ACT_ACCEPT)
		mg_kv_addf(&kv, "reply", "%s %s", v->code, v->xcode);
	mg_kv_addf(&kv, "files", "%u", m->files);
	if (m->names_len)
		mg_kv_add(&kv, "names", m->names);
	if (h != NULL) {
		mg_kv_add(&kv, "name", h->name);
		mg_kv_add(&kv, "ext", h->ext);
		if (h->sha256[0])
			mg_kv_add(&kv, "sha256", h->sha256);
		if (h->mime[0])
			mg_kv_add(&kv, "mime", h->mime);
		if (h == &m->exec)
			mg_kv_add(&kv, "exec_content", "yes");
	} else if (m->first_sha[0]) {
		mg_kv_add(&kv, "sha256", m->first_sha);
	}
	if (v->reason == MA_R_ERROR && m->bans == NULL)
		mg_kv_add(&kv, "bans", "unknown");
	if (m->sum.anomalies)
		mg_kv_add(&kv, "anomalies",
			  scan_anomaly_list(m->sum.anomalies, anom, sizeof(anom)));
	mg_log_kv(MG_LOG_INFO, &kv);
	log_files(m, queue_id);
}

/* notice_due - refused for a file, from a real sender, not automatic */
static int
notice_due(const struct ma_msg *m, const struct ma_verdict *v)
{
	if (v->action != MA_ACT_REJECT)
		return 0;
	switch (v->reason) {
	case MA_R_EXT: case MA_R_BAN_EXT: case MA_R_BAN_MIME:
	case MA_R_BAN_SHA256: case MA_R_MAGIC:
		break;
	default:
		return 0;
	}
	/* no notice about bounces or automatic mail: no loops */
	return strcmp(m->from, "<>") != 0 && m->from[0] != '\0' &&
	       !m->auto_submitted;
}

/* strip_brackets - "<a@b>" -> "a@b" into out */
static void
strip_brackets(const char *in, char *out, size_t outsz)
{
	size_t len = strlen(in);

	if (len >= 2 && in[0] == '<' && in[len - 1] == '>')
		snprintf(out, outsz, "%.*s", (int)(len - 2), in + 1);
	else
		snprintf(out, outsz, "%s", in);
}

/* ma_msg_notify - queue notices to the local recipients */
void
ma_msg_notify(struct ma_msg *m, struct ma_notifier *n, const char *queue_id,
	      const struct ma_verdict *v)
{
	char from[MG_ADDR_MAX + 3];
	char **rc;
	struct ma_notice_req req;
	struct mg_error err;
	size_t i;
	int rcode;

	if (n == NULL || !notice_due(m, v))
		return;
	if ((rc = calloc(m->n_rcpts + 1, sizeof(*rc))) == NULL)
		return;
	for (i = 0; i < m->n_rcpts; i++) {
		size_t len = strlen(m->rcpts[i]);
		if ((rc[i] = malloc(len + 1)) == NULL)
			goto out;
		strip_brackets(m->rcpts[i], rc[i], len + 1);
	}
	strip_brackets(m->from, from, sizeof(from));
	req = (struct ma_notice_req){
		.queue_id = queue_id ? queue_id : "", .sender = from,
		.rcpts = (const char *const *)rc, .n_rcpts = m->n_rcpts,
		.subject = m->subject, .message_id = m->message_id,
		.file = m->hit.name,
		.reason = ma_text_default(m->hit.reason == MA_R_EXT ? MA_T_NOTICE_RULE_EXT :
					  m->hit.reason == MA_R_MAGIC ? MA_T_NOTICE_RULE_MAGIC
								     : MA_T_NOTICE_RULE_BAN,
					  m->cfg->language),
		.when = m->now,
	};
	rcode = ma_notifier_submit(n, m->cfg, &req, &err);
	if (rcode < 0)
		mg_warnx("notice for queue_id=%s not queued: %s",
			 queue_id ? queue_id : "-", err.msg);
out:
	for (i = 0; i < m->n_rcpts; i++)
		free(rc[i]);
	free(rc);
}

/* ma_msg_header_to_add - for magic_action = header */
const char *
ma_msg_header_to_add(struct ma_msg *m)
{
	return m->header_text[0] ? m->header_text : NULL;
}

/* ma_msg_config - the message's config snapshot */
const struct ma_config *
ma_msg_config(const struct ma_msg *m)
{
	return m->cfg;
}
