/*
 * pq_config.h - policyd-quota's settings (one immutable struct per load)
 */
#ifndef PQ_CONFIG_H
#define PQ_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "mg_config.h"
#include "mg_keys.h"
#include "mg_redis_settings.h"
#include "mg_text.h"

enum pq_error_action {
	PQ_ON_ERROR_DUNNO,
	PQ_ON_ERROR_DEFER_IF_PERMIT,
};

struct pq_config {
	struct mg_strlist listen;
	char *user;
	int language;                       /* enum mg_lang */
	char *recipient_delimiter;
	char *default_domain;               /* "" = a bare local part stays */
	long long defer_period_ms;
	long long grace_percent;
	long long state_max_age_ms;
	long long lookup_timeout_ms;
	int redis_error_action;             /* enum pq_error_action */
	int authenticated_full_action;      /* enum pq_auth_action */
	long long cache_ttl_ms;
	long long cache_size;
	long long max_connections;
	long long stats_interval_ms;
	char *stats_host;                   /* "" = gethostname() */
	char *metrics_listen;               /* host:port; "" = no listener */
	char *metrics_textfile;             /* path; "" = none */
	char *defer_text;                   /* "" = language default */
	char *reject_text;
	char *error_text;                   /* after DEFER_IF_PERMIT 4.3.0 */
	char *redis_prefix;
	struct mg_strlist local_domains;    /* senders there get notices */
	char *notice_smtp;                  /* host:port; "" = no notices */
	char *notice_from;
	long long notice_timeout_ms;
	struct mg_redis_settings redis;
	/* derived at load time */
	struct mg_keys keys;
	char stats_host_name[MG_KEYS_HOST_MAX];   /* stats_host or the host name */
};

/* pq_config_load - defaults, the file (NULL: none), then cross-checks
 * (templates, listen syntax, Redis settings). */
int pq_config_load(struct pq_config *cfg, const char *path,
		   struct mg_error *err);
void pq_config_dump(const struct pq_config *cfg, FILE *fp);
void pq_config_release(struct pq_config *cfg);

/* The Redis-error reply text of every language unless error_text says
 * otherwise */
#define PQ_ERROR_TEXT_DEFAULT "Temporary quota lookup failure, try again later"

/* The reply texts in force: the override, or the language's default. */
const char *pq_config_defer_text(const struct pq_config *cfg);
const char *pq_config_reject_text(const struct pq_config *cfg);
const char *pq_config_error_text(const struct pq_config *cfg);

/* Variables the reply templates may use */
extern const char *const pq_text_vars[];

#endif
