/*
 * pq_config.c - policyd-quota's settings table and cross-checks
 */
#include <stddef.h>
#include <string.h>

#include "mg_addr.h"
#include "mg_daemon.h"
#include "mg_metrics_http.h"
#include "pq_config.h"
#include "pq_decide.h"

static const struct mg_cfg_enum error_actions[] = {
	{ "dunno", PQ_ON_ERROR_DUNNO },
	{ "defer_if_permit", PQ_ON_ERROR_DEFER_IF_PERMIT },
	{ NULL, 0 },
};

static const struct mg_cfg_enum auth_actions[] = {
	{ "queue", PQ_AUTH_QUEUE },
	{ "defer", PQ_AUTH_DEFER },
	{ NULL, 0 },
};

#define ROW(key, type, def, field, min, max, enums, help) \
	{ key, type, def, offsetof(struct pq_config, field), min, max, enums, help }

static const struct mg_cfg_spec pq_spec[] = {
	ROW("listen", MG_CFG_LIST, "inet:127.0.0.1:10031", listen, 0, 0, NULL,
	    "where Postfix connects: inet:HOST:PORT and/or unix:/path (ignored under socket activation)"),
	ROW("user", MG_CFG_STRING, "mailguard", user, 0, 0, NULL,
	    "drop to this user when started as root (empty: stay)"),
	ROW("language", MG_CFG_ENUM, "fr", language, 0, 0, mg_lang_enums,
	    "language of the reply texts: fr or en"),
	ROW("recipient_delimiter", MG_CFG_STRING, "+", recipient_delimiter, 0, 0, NULL,
	    "address extension delimiters, as Postfix's recipient_delimiter"),
	ROW("default_domain", MG_CFG_STRING, "", default_domain, 0, 0, NULL,
	    "domain given to a recipient without one, as the plugin's quota_warn_default_domain (empty: none)"),
	ROW("defer_period", MG_CFG_DURATION, "5d", defer_period_ms, 1000, 366LL * 86400000, NULL,
	    "how long mail for a full mailbox is deferred before it is refused"),
	ROW("authenticated_full_action", MG_CFG_ENUM, "queue", authenticated_full_action, 0, 0,
	    auth_actions,
	    "what a full mailbox means for an authenticated sender (submission): queue (DUNNO, Postfix keeps the message) or defer (as from outside)"),
	ROW("quota_grace_percent", MG_CFG_INT, "0", grace_percent, 0, 100, NULL,
	    "a mailbox is full at limit * (100 + grace) / 100"),
	ROW("state_max_age", MG_CFG_DURATION, "1d", state_max_age_ms, 1000, 366LL * 86400000, NULL,
	    "quota state older than this is not trusted (DUNNO)"),
	ROW("lookup_timeout", MG_CFG_DURATION, "100ms", lookup_timeout_ms, 1, 60000, NULL,
	    "answer within this time even when Redis is slow or down"),
	ROW("redis_error_action", MG_CFG_ENUM, "dunno", redis_error_action, 0, 0, error_actions,
	    "answer when Redis cannot be asked in time: dunno or defer_if_permit"),
	ROW("cache_ttl", MG_CFG_DURATION, "30s", cache_ttl_ms, 0, 3600000, NULL,
	    "longest time a cached quota state is used (changes invalidate at once)"),
	ROW("cache_size", MG_CFG_INT, "20000", cache_size, 16, 10000000, NULL,
	    "most addresses kept in the cache"),
	ROW("max_connections", MG_CFG_INT, "4096", max_connections, 1, 1000000, NULL,
	    "most simultaneous Postfix connections"),
	ROW("stats_interval", MG_CFG_DURATION, "10s", stats_interval_ms, 1000, 3600000, NULL,
	    "how often counters are added to the Redis stats hash and the metrics textfile is written"),
	ROW("stats_host", MG_CFG_STRING, "", stats_host, 0, 0, NULL,
	    "<host> of the stats hash stats:policyd-quota:<host> (empty: the host name)"),
	ROW("metrics_listen", MG_CFG_STRING, "", metrics_listen, 0, 0, NULL,
	    "host:port of the Prometheus metrics listener, GET /metrics (empty: none)"),
	ROW("metrics_textfile", MG_CFG_STRING, "", metrics_textfile, 0, 0, NULL,
	    "file the metrics are written to every stats_interval, for node_exporter (empty: none)"),
	ROW("defer_text", MG_CFG_STRING, "", defer_text, 0, 0, NULL,
	    "text after DEFER_IF_PERMIT 4.2.2 (empty: the language's default); %{rcpt} %{days}"),
	ROW("reject_text", MG_CFG_STRING, "", reject_text, 0, 0, NULL,
	    "text after 550 5.2.2 (empty: the language's default); %{rcpt} %{days}"),
	ROW("error_text", MG_CFG_STRING, PQ_ERROR_TEXT_DEFAULT, error_text, 0, 0, NULL,
	    "text after DEFER_IF_PERMIT 4.3.0 when redis_error_action = defer_if_permit; %{rcpt} %{days}"),
	ROW("redis_prefix", MG_CFG_STRING, MG_KEYS_PREFIX_DEFAULT, redis_prefix, 0, 0, NULL,
	    "prefix of every Redis key (shared by all mailguard components)"),
	ROW("local_domains", MG_CFG_LIST, "", local_domains, 0, 0, NULL,
	    "senders in these domains are told when their message waits (empty: nobody)"),
	ROW("notice_smtp", MG_CFG_STRING, "", notice_smtp, 0, 0, NULL,
	    "host:port of the MTA that sends notices to local senders (empty: no notices)"),
	ROW("notice_from", MG_CFG_STRING, "", notice_from, 0, 0, NULL,
	    "From of the notices (empty: postmaster@ the sender's domain)"),
	ROW("notice_timeout", MG_CFG_DURATION, "10s", notice_timeout_ms, 100, 300000, NULL,
	    "longest time to hand one notice to the MTA"),
	MG_REDIS_CFG_ROWS(struct pq_config, redis),
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL },
};

const char *const pq_text_vars[] = { "rcpt", "days", NULL };

static const char *const defer_texts[] = {
	[MG_LANG_FR] = "La boite aux lettres de %{rcpt} est pleine. Votre message "
		"est conserve et sera retente pendant %{days} jours au plus.",
	[MG_LANG_EN] = "The mailbox of %{rcpt} is full. Your message is kept and "
		"will be retried for up to %{days} days.",
};

static const char *const reject_texts[] = {
	[MG_LANG_FR] = "La boite aux lettres de %{rcpt} est pleine depuis plus de "
		"%{days} jours : message refuse definitivement.",
	[MG_LANG_EN] = "The mailbox of %{rcpt} has been full for more than %{days} "
		"days: message refused.",
};

/* pq_config_defer_text - defer_text, or the language's default */
const char *
pq_config_defer_text(const struct pq_config *cfg)
{
	return cfg->defer_text[0] ? cfg->defer_text : defer_texts[cfg->language];
}

/* pq_config_reject_text - reject_text, or the language's default */
const char *
pq_config_reject_text(const struct pq_config *cfg)
{
	return cfg->reject_text[0] ? cfg->reject_text : reject_texts[cfg->language];
}

/* pq_config_error_text - error_text, or the built-in default */
const char *
pq_config_error_text(const struct pq_config *cfg)
{
	return cfg->error_text[0] ? cfg->error_text : PQ_ERROR_TEXT_DEFAULT;
}

/* check_text - SMTP replies are printable ASCII (no SMTPUTF8 here) */
static int
check_text(const char *key, const char *t, struct mg_error *err)
{

	for (; *t; t++)
		if ((unsigned char)*t < 0x20 || (unsigned char)*t > 0x7e)
			return mg_error_set(err, MG_ERR_CONFIG,
			    "%s: SMTP reply texts must be printable ASCII", key);
	return 0;
}

/* pq_config_load - the table, then the cross-checks, file named in errors */
int
pq_config_load(struct pq_config *cfg, const char *path, struct mg_error *err)
{
	struct mg_endpoint l;
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	if (mg_config_load(pq_spec, cfg, path, err) < 0)
		return -1;
	if (mg_keys_init(&cfg->keys, cfg->redis_prefix, err) < 0 ||
	    mg_redis_settings_check(&cfg->redis, err) < 0 ||
	    mg_addr_domain_check(cfg->default_domain, err) < 0 ||
	    mg_keys_stats_host(cfg->stats_host, "stats_host", cfg->stats_host_name,
			       sizeof(cfg->stats_host_name), err) < 0 ||
	    mg_metrics_listen_check(cfg->metrics_listen, err) < 0)
		goto fail;
	if (cfg->metrics_textfile[0] != '\0' && cfg->metrics_textfile[0] != '/') {
		mg_error_set(err, MG_ERR_CONFIG, "metrics_textfile: an absolute path is needed");
		goto fail;
	}
	for (i = 0; i < cfg->listen.n; i++)
		if (mg_listen_parse(cfg->listen.v[i], &l, err) < 0)
			goto fail;
	if (mg_template_check(pq_config_defer_text(cfg), pq_text_vars, err) < 0 ||
	    check_text("defer_text", pq_config_defer_text(cfg), err) < 0 ||
	    mg_template_check(pq_config_reject_text(cfg), pq_text_vars, err) < 0 ||
	    check_text("reject_text", pq_config_reject_text(cfg), err) < 0 ||
	    mg_template_check(pq_config_error_text(cfg), pq_text_vars, err) < 0 ||
	    check_text("error_text", pq_config_error_text(cfg), err) < 0)
		goto fail;
	return 0;
fail:
	if (path != NULL && err != NULL && err->kind == MG_ERR_CONFIG &&
	    strncmp(err->msg, path, strlen(path)) != 0) {
		char msg[MG_ERROR_MSG_MAX];
		memcpy(msg, err->msg, sizeof(msg));
		mg_error_set(err, MG_ERR_CONFIG, "%s: %s", path, msg);
	}
	mg_config_release(pq_spec, cfg);
	return -1;
}

/* pq_config_dump - every effective setting, for -t */
void
pq_config_dump(const struct pq_config *cfg, FILE *fp)
{
	mg_config_dump(pq_spec, cfg, fp);
}

/* pq_config_release - free the strings and lists */
void
pq_config_release(struct pq_config *cfg)
{
	mg_config_release(pq_spec, cfg);
}
