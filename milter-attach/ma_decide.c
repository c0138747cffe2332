/*
 * ma_decide.c - milter-attach decisions (see ma_decide.h)
 *
 * Everything here is a pure function of its arguments: no I/O, no clock,
 * no globals, so the tables in tests/unit/test_ma_decide.c pin it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "anomaly.h"
#include "ma_decide.h"
#include "ma_texts.h"
#include "mg_text.h"

/* copy_bounded - strlcpy-like, never fails */
static void
copy_bounded(char *out, size_t outsz, const char *in)
{
	snprintf(out, outsz, "%s", in ? in : "");
}

/* ma_last_ext - ".exe" of "a.b.EXE. . " */
const char *
ma_last_ext(const char *name, char *out, size_t outsz)
{
	size_t len = strlen(name), i, dot;

	out[0] = '\0';
	while (len > 0 && (name[len - 1] == '.' || name[len - 1] == ' '))
		len--;
	for (dot = len; dot > 0; dot--)
		if (name[dot - 1] == '.' || name[dot - 1] == '/' ||
		    name[dot - 1] == '\\')
			break;
	if (dot == 0 || name[dot - 1] != '.' || dot == len)
		return out;
	dot--;
	if (len - dot >= outsz)
		return out;     /* longer than any extension we compare */
	for (i = 0; dot + i < len; i++)
		out[i] = (char)tolower((unsigned char)name[dot + i]);
	out[i] = '\0';
	return out;
}

/* ma_decide_size - over the limit? */
int
ma_decide_size(unsigned long long size, unsigned long long limit)
{
	return size > limit;
}

/* in_list - case-insensitive membership */
static int
in_list(const struct mg_strlist *l, const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* set_hit - record what to name */
static enum ma_reason
set_hit(struct ma_hit *hit, enum ma_reason r, const struct ma_file *f,
	const char *name, const char *ext)
{
	hit->reason = r;
	copy_bounded(hit->name, sizeof(hit->name),
		     name ? name : (f->n_names > 0 ? f->names[0] :
				    f->container ? f->container : ""));
	copy_bounded(hit->ext, sizeof(hit->ext), ext ? ext : "");
	return r;
}

/* ma_decide_file - judge one file against the rules */
enum ma_reason
ma_decide_file(const struct ma_rules *rules, const struct ma_file *f,
	       struct ma_hit *hit)
{
	const struct ma_config *cfg = rules->cfg;
	char ext[MA_EXT_MAX];
	size_t i;

	memset(hit, 0, sizeof(*hit));
	copy_bounded(hit->mime, sizeof(hit->mime), f->mime_type);
	copy_bounded(hit->sha256, sizeof(hit->sha256), f->sha256_hex);
	for (i = 0; i < f->n_names; i++) {
		ma_last_ext(f->names[i], ext, sizeof(ext));
		if (in_list(&cfg->banned_extensions, ext))
			return set_hit(hit, MA_R_EXT, f, f->names[i], ext);
	}
	for (i = 0; i < f->n_names; i++) {
		ma_last_ext(f->names[i], ext, sizeof(ext));
		if (ma_banset_match(rules->bans, MG_BAN_EXT, ext, rules->now))
			return set_hit(hit, MA_R_BAN_EXT, f, f->names[i], ext);
	}
	ext[0] = '\0';
	if (f->n_names > 0)
		ma_last_ext(f->names[0], ext, sizeof(ext));
	if (ma_banset_match(rules->bans, MG_BAN_SHA256, f->sha256_hex, rules->now))
		return set_hit(hit, MA_R_BAN_SHA256, f, NULL, ext);
	if (ma_banset_match(rules->bans, MG_BAN_MIME, f->mime_type, rules->now))
		return set_hit(hit, MA_R_BAN_MIME, f, NULL, ext);
	if (cfg->magic_action != MA_MAGIC_OFF &&
	    in_list(&cfg->magic_types, f->mime_type)) {
		hit->exec_content = 1;
		if (cfg->magic_action == MA_MAGIC_REJECT)
			return set_hit(hit, MA_R_MAGIC, f, NULL, ext);
		set_hit(hit, MA_R_NONE, f, NULL, ext);
	}
	return MA_R_NONE;
}

/* ma_reason_name - log word */
const char *
ma_reason_name(enum ma_reason r)
{
	switch (r) {
	case MA_R_NONE: return "none";
	case MA_R_SIZE: return "size";
	case MA_R_EXT: return "banned_ext";
	case MA_R_BAN_EXT: return "alert_ext";
	case MA_R_BAN_MIME: return "alert_mime";
	case MA_R_BAN_SHA256: return "alert_sha256";
	case MA_R_MAGIC: return "exec_content";
	case MA_R_STRUCTURE: return "structure";
	case MA_R_ERROR: return "error";
	}
	return "unknown";
}

/* ma_reply_escape - printable ASCII only, '%' doubled */
size_t
ma_reply_escape(char *out, size_t outsz, const char *in, size_t maxin)
{
	size_t o = 0, i;

	for (i = 0; in[i] != '\0' && i < maxin; i++) {
		unsigned char c = (unsigned char)in[i];
		size_t need = c == '%' ? 2 : 1;
		if (o + need >= outsz)
			break;
		if (c == '%') {
			out[o++] = '%';
			out[o++] = '%';
		} else {
			out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		}
	}
	out[o] = '\0';
	return o;
}

/* format_limit - "10 Mo" / "10 MB" / "1500 octets" */
static void
format_limit(unsigned long long v, int lang, char *out, size_t outsz)
{
	int fr = lang != MG_LANG_EN;

	if (v >= 1048576 && v % 1048576 == 0)
		snprintf(out, outsz, "%llu %s", v / 1048576, fr ? "Mo" : "MB");
	else if (v >= 1024 && v % 1024 == 0)
		snprintf(out, outsz, "%llu %s", v / 1024, fr ? "Ko" : "KB");
	else
		snprintf(out, outsz, "%llu %s", v, fr ? "octets" : "bytes");
}

/* set_reply - expand the template (override or built-in) into v->text */
static void
set_reply(struct ma_verdict *v, const char *code, const char *xcode,
	  const char *override, enum ma_text_id id, int lang,
	  const struct mg_tvar *vars, size_t nvars)
{
	char buf[2048];
	const char *tmpl = override && override[0] ? override
						   : ma_text_default(id, lang);

	copy_bounded(v->code, sizeof(v->code), code);
	copy_bounded(v->xcode, sizeof(v->xcode), xcode);
	if (mg_template_expand(tmpl, vars, nvars, buf, sizeof(buf), NULL) < 0 &&
	    buf[0] == '\0')
		copy_bounded(buf, sizeof(buf), ma_text_default(id, lang));
	ma_reply_escape(v->text, sizeof(v->text), buf, sizeof(buf));
}

/* ascii_name - a file name for a reply: printable ASCII, at most max bytes */
static void
ascii_name(char *out, size_t outsz, const char *in, size_t max)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i < max && i + 1 < outsz; i++) {
		unsigned char c = (unsigned char)in[i];
		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[i] = '\0';
	if (in[i] != '\0' && i >= 3 && i + 1 <= outsz)
		memcpy(out + i - 3, "...", 3);
}

/* reject_for_hit - the 550 reply naming the offending file */
static void
reject_for_hit(const struct ma_config *cfg, const struct ma_hit *h,
	       struct ma_verdict *v)
{
	char name[128], rule[512];
	struct mg_tvar vars[3];

	ascii_name(name, sizeof(name), h->name, 100);
	v->action = MA_ACT_REJECT;
	v->reason = h->reason;
	if (h->reason == MA_R_MAGIC) {
		vars[0] = (struct mg_tvar){ "file", name };
		vars[1] = (struct mg_tvar){ "mime", h->mime };
		set_reply(v, "550", "5.7.1", cfg->reply_magic, MA_T_MAGIC,
			  cfg->language, vars, 2);
		return;
	}
	copy_bounded(rule, sizeof(rule), ma_text_default(
	    h->reason == MA_R_EXT ? MA_T_RULE_EXT : MA_T_RULE_BAN, cfg->language));
	vars[0] = (struct mg_tvar){ "file", name };
	vars[1] = (struct mg_tvar){ "ext", h->ext[0] ? h->ext : "-" };
	vars[2] = (struct mg_tvar){ "rule", rule };
	set_reply(v, "550", "5.7.1", cfg->reply_banned, MA_T_BANNED,
		  cfg->language, vars, 3);
}

/* error_verdict - error_action: tempfail (451 4.3.0) or accept */
static void
error_verdict(const struct ma_config *cfg, int tempfail, struct ma_verdict *v)
{
	v->reason = MA_R_ERROR;
	if (!tempfail) {
		v->action = MA_ACT_ACCEPT;
		return;
	}
	v->action = MA_ACT_TEMPFAIL;
	set_reply(v, "451", "4.3.0", NULL, MA_T_TEMPFAIL, cfg->language, NULL, 0);
}

/* ma_decide_message - size, then files, then errors, then structure */
void
ma_decide_message(const struct ma_config *cfg, const struct ma_facts *f,
		  struct ma_verdict *v)
{
	char limit[64], anomaly[128];
	struct mg_tvar vars[3];
	unsigned bad;

	memset(v, 0, sizeof(*v));
	v->action = MA_ACT_ACCEPT;
	v->reason = MA_R_NONE;
	if (ma_decide_size(f->size, cfg->size_limit)) {
		format_limit(cfg->size_limit, cfg->language, limit, sizeof(limit));
		vars[0] = (struct mg_tvar){ "limit", limit };
		vars[1] = (struct mg_tvar){ "service", cfg->largefile_service };
		vars[2] = (struct mg_tvar){ "url", cfg->largefile_url };
		v->action = MA_ACT_REJECT;
		v->reason = MA_R_SIZE;
		set_reply(v, "552", "5.3.4", cfg->reply_size, MA_T_SIZE,
			  cfg->language, vars, 3);
		return;
	}
	if (f->hit != NULL && f->hit->reason != MA_R_NONE) {
		reject_for_hit(cfg, f->hit, v);
		return;
	}
	if (f->scan_error) {
		error_verdict(cfg, cfg->error_action == MA_ERRACT_TEMPFAIL, v);
		return;
	}
	bad = f->anomalies & cfg->structure_mask;
	if (bad != 0 && cfg->structure_action != MA_STRUCT_ACCEPT) {
		v->reason = MA_R_STRUCTURE;
		if (cfg->structure_action == MA_STRUCT_TEMPFAIL) {
			v->action = MA_ACT_TEMPFAIL;
			set_reply(v, "451", "4.3.0", NULL, MA_T_TEMPFAIL,
				  cfg->language, NULL, 0);
			return;
		}
		v->action = MA_ACT_REJECT;
		if (bad & SCAN_ANOM_NAMES_ENCRYPTED) {  /* the sender can fix it */
			vars[0] = (struct mg_tvar){ "service", cfg->largefile_service };
			vars[1] = (struct mg_tvar){ "url", cfg->largefile_url };
			set_reply(v, "550", "5.7.1", cfg->reply_names_encrypted,
				  MA_T_NAMES_ENCRYPTED, cfg->language, vars, 2);
			return;
		}
		scan_anomaly_list(bad, anomaly, sizeof(anomaly));
		vars[0] = (struct mg_tvar){ "anomaly", anomaly };
		set_reply(v, "550", "5.7.1", cfg->reply_structure,
			  MA_T_STRUCTURE, cfg->language, vars, 1);
		return;
	}
	if (!f->bans_known)
		error_verdict(cfg, cfg->error_action == MA_ERRACT_TEMPFAIL, v);
}
