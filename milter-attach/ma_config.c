/*
 * ma_config.c - milter-attach settings table, loading and validation
 *
 * Every key is one row of ma_config_spec; ma_config_validate() then
 * checks what the generic loader cannot: the listen syntax, extension
 * syntax, anomaly names, template variables, the notice transport.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "ma_config.h"
#include "ma_texts.h"
#include "mg_daemon.h"
#include "mg_keys.h"
#include "mg_metrics_http.h"
#include "mg_text.h"

#ifndef MA_INSPECT_HELPER
#define MA_INSPECT_HELPER "/usr/libexec/mailguard/milter-attach-inspect"
#endif

static const struct mg_cfg_enum magic_enums[] = {
	{ "off", MA_MAGIC_OFF }, { "log", MA_MAGIC_LOG },
	{ "header", MA_MAGIC_HEADER }, { "reject", MA_MAGIC_REJECT },
	{ NULL, 0 },
};
static const struct mg_cfg_enum struct_enums[] = {
	{ "reject", MA_STRUCT_REJECT }, { "tempfail", MA_STRUCT_TEMPFAIL },
	{ "accept", MA_STRUCT_ACCEPT }, { NULL, 0 },
};
static const struct mg_cfg_enum error_enums[] = {
	{ "tempfail", MA_ERRACT_TEMPFAIL }, { "accept", MA_ERRACT_ACCEPT },
	{ NULL, 0 },
};

#define O(f) offsetof(struct ma_config, f)
const struct mg_cfg_spec ma_config_spec[] = {
	{ "listen", MG_CFG_STRING, "unix:/var/spool/postfix/mailguard/milter-attach.sock",
	  O(listen), 0, 0, NULL, "milter socket: inet:HOST:PORT or unix:/path" },
	{ "user", MG_CFG_STRING, "mailguard", O(user), 0, 0, NULL,
	  "drop privileges to this user when started as root (empty: stay)" },
	{ "size_limit", MG_CFG_SIZE, "10M", O(size_limit), 1024,
	  (long long)1 << 40, NULL,
	  "largest accepted message in bytes (RFC 1870 count)" },
	{ "banned_extensions", MG_CFG_LIST, ".exe .com .pif .reg .scr .vbs",
	  O(banned_extensions), 0, 0, NULL,
	  "file name extensions refused anywhere in a message" },
	{ "max_depth", MG_CFG_INT, "20", O(max_depth), 1, 1000, NULL,
	  "deepest MIME nesting walked" },
	{ "max_parts", MG_CFG_INT, "500", O(max_parts), 1, 100000, NULL,
	  "most MIME parts walked" },
	{ "max_zip_depth", MG_CFG_INT, "3", O(max_zip_depth), 0, 100, NULL,
	  "deepest archive nesting listed (zip in zip, tar, TNEF)" },
	{ "max_zip_entries", MG_CFG_INT, "10000", O(max_zip_entries), 1,
	  1000000, NULL, "most members listed per archive (zip, TNEF, tar, gzip, cab)" },
	{ "magic_action", MG_CFG_ENUM, "log", O(magic_action), 0, 0,
	  magic_enums, "executable content under another name: off|log|header|reject" },
	{ "magic_types", MG_CFG_LIST,
	  "application/vnd.microsoft.portable-executable application/x-dosexec "
	  "application/x-msdownload application/x-ms-ne-executable "
	  "application/x-executable application/x-sharedlib",
	  O(magic_types), 0, 0, NULL, "MIME types (libmagic) that are executables" },
	{ "structure_action", MG_CFG_ENUM, "reject", O(structure_action), 0, 0,
	  struct_enums, "message over a cap or not parsable: reject|tempfail|accept" },
	{ "structure_anomalies", MG_CFG_LIST, "depth parts zip_depth zip_entries ambiguous "
	  "header_long message_partial name_sections names_encrypted inspect_failed",
	  O(structure_anomalies), 0, 0, NULL,
	  "anomalies that trigger structure_action (depth parts zip_depth "
	  "zip_entries malformed ambiguous zip_broken header_long message_partial "
	  "name_sections names_encrypted inspect_failed)" },
	{ "error_action", MG_CFG_ENUM, "tempfail", O(error_action), 0, 0,
	  error_enums, "Redis or internal error: tempfail|accept" },
	{ "largefile_service", MG_CFG_STRING, "Efivol", O(largefile_service),
	  0, 0, NULL, "name of the large-file transfer service" },
	{ "largefile_url", MG_CFG_STRING, "https://efivol.ac-besancon.fr/",
	  O(largefile_url), 0, 0, NULL, "URL of the large-file transfer service" },
	{ "language", MG_CFG_ENUM, "fr", O(language), 0, 0, mg_lang_enums,
	  "language of replies and notices: fr|en" },
	{ "reply_size", MG_CFG_STRING, "", O(reply_size), 0, 0, NULL,
	  "552 text; vars limit service url (empty: built-in)" },
	{ "reply_banned", MG_CFG_STRING, "", O(reply_banned), 0, 0, NULL,
	  "550 text; vars file ext rule (empty: built-in)" },
	{ "reply_magic", MG_CFG_STRING, "", O(reply_magic), 0, 0, NULL,
	  "550 text for executable content; vars file mime (empty: built-in)" },
	{ "reply_structure", MG_CFG_STRING, "", O(reply_structure), 0, 0, NULL,
	  "550 text for unparsable messages; vars anomaly (empty: built-in)" },
	{ "reply_names_encrypted", MG_CFG_STRING, "", O(reply_names_encrypted),
	  0, 0, NULL, "550 text for archives whose member names are encrypted; "
	  "vars service url (empty: built-in)" },
	{ "header_name", MG_CFG_STRING, "X-Mailguard-Attachment",
	  O(header_name), 0, 0, NULL, "header added when magic_action = header" },
	{ "local_domains", MG_CFG_LIST, "", O(local_domains), 0, 0, NULL,
	  "domains whose recipients get a notice (others never do)" },
	{ "notice_enable", MG_CFG_BOOL, "yes", O(notice_enable), 0, 0, NULL,
	  "tell local recipients about refused messages" },
	{ "notice_smtp", MG_CFG_STRING, "", O(notice_smtp), 0, 0, NULL,
	  "send notices by SMTP to host:port (empty: no notices)" },
	{ "notice_sendmail", MG_CFG_REMOVED, NULL, 0, 0, 0, NULL,
	  "use notice_smtp = host:port (a sendmail forked inside the "
	  "threaded daemon)" },
	{ "notice_from", MG_CFG_STRING, "postmaster", O(notice_from), 0, 0,
	  NULL, "From: of notices (a bare name gets the recipient's domain)" },
	{ "notice_subject", MG_CFG_STRING, "", O(notice_subject), 0, 0, NULL,
	  "notice subject template (empty: built-in)" },
	{ "notice_body", MG_CFG_STRING, "", O(notice_body), 0, 0, NULL,
	  "notice body template (empty: built-in)" },
	{ "notice_rate", MG_CFG_INT, "20", O(notice_rate), 1, 100000, NULL,
	  "notices per recipient per hour" },
	{ "notice_timeout", MG_CFG_DURATION, "10s", O(notice_timeout_ms), 100,
	  600000, NULL, "SMTP timeout for one notice" },
	{ "notice_queue", MG_CFG_INT, "1000", O(notice_queue), 1, 1000000,
	  NULL, "notices waiting to be sent (more are dropped and logged)" },
	{ "ban_refresh", MG_CFG_DURATION, "2s", O(ban_refresh_ms), 100,
	  3600000, NULL, "how often the security-alert bans are re-read" },
	{ "stats_interval", MG_CFG_DURATION, "10s", O(stats_interval_ms), 1000,
	  3600000, NULL, "how often counters are added to the Redis stats hash "
	  "(at a ban refresh) and the metrics textfile is written" },
	{ "stats_host", MG_CFG_STRING, "", O(stats_host), 0, 0, NULL,
	  "<host> of the stats hash stats:milter-attach:<host> (empty: the host "
	  "name); a change needs a restart" },
	{ "metrics_listen", MG_CFG_STRING, "", O(metrics_listen), 0, 0, NULL,
	  "host:port of the Prometheus metrics listener, GET /metrics (empty: "
	  "none); a change needs a restart" },
	{ "metrics_textfile", MG_CFG_STRING, "", O(metrics_textfile), 0, 0, NULL,
	  "file the metrics are written to every stats_interval, for "
	  "node_exporter (empty: none); a change needs a restart" },
	{ "redis_prefix", MG_CFG_STRING, MG_KEYS_PREFIX_DEFAULT,
	  O(redis_prefix), 0, 0, NULL, "prefix of every Redis key" },
	MG_REDIS_CFG_ROWS(struct ma_config, redis),
	{ "inspect_workers", MG_CFG_INT, "4", O(inspect_workers), 0, 64, NULL,
	  "inspector processes for disk images, 7z, RAR... (0: inspect inside "
	  "the milter, for debugging only); a change needs a restart" },
	{ "inspect_helper", MG_CFG_STRING, MA_INSPECT_HELPER, O(inspect_helper),
	  0, 0, NULL, "path of milter-attach-inspect; a change needs a restart" },
	{ "inspect_timeout", MG_CFG_DURATION, "20s", O(inspect_timeout_ms), 100,
	  3600000, NULL, "longest inspection of one carrier (then inspect_failed); "
	  "a change needs a restart" },
	{ "inspect_memory", MG_CFG_SIZE, "256M", O(inspect_memory),
	  (long long)32 << 20, (long long)1 << 40, NULL,
	  "address space of an inspector process; a change needs a restart" },
	{ "inspect_max_bytes", MG_CFG_SIZE, "100M", O(inspect_max_bytes), 1024,
	  (long long)1 << 40, NULL, "largest carrier spooled, and most bytes "
	  "extracted from it for nested containers (past it: inspect_failed)" },
	{ "inspect_spool_dir", MG_CFG_STRING, "/var/tmp", O(inspect_spool_dir), 0,
	  0, NULL, "directory of the unlinked spool files of carriers" },
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL },
};
#undef O

/* ma_anomaly_mask - names to bits (the scanner's table, anomaly.h); -1
 * and *bad_r on an unknown name */
int
ma_anomaly_mask(const struct mg_strlist *names, unsigned *mask_r,
		const char **bad_r)
{
	size_t i;
	unsigned mask = 0, bit;

	for (i = 0; i < names->n; i++) {
		if (scan_anomaly_parse(names->v[i], &bit) < 0) {
			*bad_r = names->v[i];
			return -1;
		}
		mask |= bit;
	}
	*mask_r = mask;
	return 0;
}

/* check_template - an override must only use the variables allowed */
static int
check_template(const char *key, const char *tmpl, const char *const *allowed,
	       struct mg_error *err)
{
	struct mg_error e;

	if (tmpl[0] == '\0')
		return 0;
	if (mg_template_check(tmpl, allowed, &e) < 0)
		return mg_error_set(err, MG_ERR_CONFIG, "%s: %s", key, e.msg);
	return 0;
}

/* ma_config_validate - checks beyond the table; lowercases lists */
static int
ma_config_validate(struct ma_config *c, const char *name, struct mg_error *err)
{
	struct mg_endpoint l, smtp;
	struct mg_keys k;
	struct mg_error e;
	const char *bad;
	size_t i;
	char *p;

	if (mg_listen_parse(c->listen, &l, &e) < 0)
		return mg_error_set(err, MG_ERR_CONFIG, "%s: %s", name, e.msg);
	for (i = 0; i < c->banned_extensions.n; i++) {
		for (p = c->banned_extensions.v[i]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!mg_ban_ext_valid(c->banned_extensions.v[i]))
			return mg_error_set(err, MG_ERR_CONFIG,
			    "%s: banned_extensions: bad extension \"%.40s\" "
			    "(want e.g. .exe)", name, c->banned_extensions.v[i]);
	}
	for (i = 0; i < c->magic_types.n; i++)
		for (p = c->magic_types.v[i]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	for (i = 0; i < c->local_domains.n; i++)
		for (p = c->local_domains.v[i]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	if (ma_anomaly_mask(&c->structure_anomalies, &c->structure_mask, &bad) < 0)
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: structure_anomalies: unknown anomaly \"%.40s\"", name, bad);
	if (c->notice_smtp[0] != '\0' &&
	    mg_endpoint_parse(c->notice_smtp, 0, 0, &smtp, &e) < 0)
		return mg_error_set(err, MG_ERR_CONFIG, "%s: notice_smtp: %s",
				    name, e.msg);
	if (mg_keys_init(&k, c->redis_prefix, &e) < 0)
		return mg_error_set(err, MG_ERR_CONFIG, "%s: redis_prefix: %s",
				    name, e.msg);
	if (mg_redis_settings_check(&c->redis, &e) < 0 ||
	    mg_keys_stats_host(c->stats_host, "stats_host", c->stats_host_name,
			       sizeof(c->stats_host_name), &e) < 0 ||
	    mg_metrics_listen_check(c->metrics_listen, &e) < 0)
		return mg_error_set(err, MG_ERR_CONFIG, "%s: %s", name, e.msg);
	if (c->metrics_textfile[0] != '\0' && c->metrics_textfile[0] != '/')
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: metrics_textfile: an absolute path is needed", name);
	if (check_template("reply_size", c->reply_size, ma_vars_size, err) < 0 ||
	    check_template("reply_banned", c->reply_banned, ma_vars_banned, err) < 0 ||
	    check_template("reply_magic", c->reply_magic, ma_vars_magic, err) < 0 ||
	    check_template("reply_structure", c->reply_structure,
			   ma_vars_structure, err) < 0 ||
	    check_template("reply_names_encrypted", c->reply_names_encrypted,
			   ma_vars_names_encrypted, err) < 0 ||
	    check_template("notice_subject", c->notice_subject, ma_vars_notice,
			   err) < 0 ||
	    check_template("notice_body", c->notice_body, ma_vars_notice, err) < 0)
		return -1;
	for (p = c->header_name; *p; p++)
		if (*p <= ' ' || *p == ':' || *p > '~')
			return mg_error_set(err, MG_ERR_CONFIG,
			    "%s: header_name: not a header field name", name);
	if (c->header_name[0] == '\0')
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: header_name: empty", name);
	return 0;
}

/* finish - validate a loaded config and hand it out with one reference */
static int
finish(struct ma_config *c, const char *name, struct ma_config **cfg_r,
       struct mg_error *err)
{
	if (ma_config_validate(c, name, err) < 0) {
		mg_config_release(ma_config_spec, c);
		free(c);
		return -1;
	}
	c->refs = 1;
	*cfg_r = c;
	return 0;
}

/* ma_config_load - defaults, then the file */
int
ma_config_load(const char *path, struct ma_config **cfg_r, struct mg_error *err)
{
	struct ma_config *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	if (mg_config_load(ma_config_spec, c, path, err) < 0) {
		free(c);
		return -1;
	}
	return finish(c, path ? path : "defaults", cfg_r, err);
}

/* ma_config_parse_text - defaults, then text */
int
ma_config_parse_text(const char *text, struct ma_config **cfg_r,
		     struct mg_error *err)
{
	struct ma_config *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	if (mg_config_defaults(ma_config_spec, c, err) < 0) {
		free(c);
		return -1;
	}
	if (mg_config_parse_buffer(ma_config_spec, c, "text", text,
				   strlen(text), err) < 0) {
		free(c);
		return -1;
	}
	return finish(c, "text", cfg_r, err);
}

/* ma_config_ref - one more holder */
struct ma_config *
ma_config_ref(struct ma_config *cfg)
{
	__atomic_add_fetch(&cfg->refs, 1, __ATOMIC_RELAXED);
	return cfg;
}

/* ma_config_unref - drop a holder; the last one frees */
void
ma_config_unref(struct ma_config **cfg)
{
	struct ma_config *c = *cfg;

	if (c == NULL)
		return;
	*cfg = NULL;
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		mg_config_release(ma_config_spec, c);
		free(c);
	}
}

/* ma_config_dump - the effective settings, for -t */
void
ma_config_dump(const struct ma_config *cfg, FILE *fp)
{
	mg_config_dump(ma_config_spec, cfg, fp);
}
