/*
 * ctl_config.h - the few settings mailguard-ctl reads from a component's
 * configuration file (mg_config_load_subset: the other rows are skipped)
 *
 *   redis_* (MG_REDIS_CFG_ROWS), redis_prefix      where the state is
 *   recipient_delimiter, default_domain            how a MAILBOX argument
 *                                                  becomes a key (as policyd-quota)
 *   defer_period, state_max_age                    policyd-quota's limits
 *
 * Defaults are policyd-quota's (test_ctl_cmd checks they agree).  The
 * file: -c FILE, else /etc/mailguard/policyd-quota.conf, else
 * milter-attach.conf (the alias milter-attach-ctl: milter-attach.conf
 * only, as before), else the defaults.
 */
#ifndef CTL_CONFIG_H
#define CTL_CONFIG_H

#include <stdio.h>

#include "mg_error.h"
#include "mg_keys.h"
#include "mg_redis_settings.h"

#define CTL_CONF_DIR "/etc/mailguard"

struct ctl_config {
	struct mg_redis_settings redis;
	char *redis_prefix;
	char *recipient_delimiter;
	char *default_domain;
	long long defer_period_ms;
	long long state_max_age_ms;
	/* derived */
	struct mg_keys keys;
	const char *path;             /* the file read, NULL: defaults only */
};

/* ctl_config_default_path - the first readable default file (legacy:
 * milter-attach.conf only) under dir, or NULL */
const char *ctl_config_default_path(const char *dir, int legacy, char *buf,
				    size_t bufsz);
/* ctl_config_load - defaults, then path's rows (NULL: none); checks the
 * Redis settings, the prefix and default_domain (MG_ERR_CONFIG) */
int ctl_config_load(struct ctl_config *cfg, const char *path,
		    struct mg_error *err);
void ctl_config_dump(const struct ctl_config *cfg, FILE *fp);
void ctl_config_release(struct ctl_config *cfg);

/* ctl_config_mailbox - a MAILBOX argument as its key form (mg_addr_mailbox
 * with the settings); "" and a bare local part without default_domain
 * are refused: MG_ERR_PARSE "bad mailbox ..." */
int ctl_config_mailbox(const struct ctl_config *cfg, const char *in,
		       char *out, size_t outsz, struct mg_error *err);

#endif
