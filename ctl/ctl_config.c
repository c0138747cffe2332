/*
 * ctl_config.c - mailguard-ctl's settings (see ctl_config.h)
 */
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "ctl_config.h"
#include "mg_addr.h"

#define ROW(key, type, def, field, min, max, help) \
	{ key, type, def, offsetof(struct ctl_config, field), min, max, NULL, help }

static const struct mg_cfg_spec spec[] = {
	ROW("redis_prefix", MG_CFG_STRING, MG_KEYS_PREFIX_DEFAULT, redis_prefix, 0, 0,
	    "prefix of every Redis key"),
	ROW("recipient_delimiter", MG_CFG_STRING, "+", recipient_delimiter, 0, 0,
	    "address extension delimiters"),
	ROW("default_domain", MG_CFG_STRING, "", default_domain, 0, 0,
	    "domain given to a mailbox without one"),
	ROW("defer_period", MG_CFG_DURATION, "5d", defer_period_ms, 1000,
	    366LL * 86400000, "deferral before the 550"),
	ROW("state_max_age", MG_CFG_DURATION, "1d", state_max_age_ms, 1000,
	    366LL * 86400000, "older quota state is not trusted"),
	MG_REDIS_CFG_ROWS(struct ctl_config, redis),
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL },
};

const char *
ctl_config_default_path(const char *dir, int legacy, char *buf, size_t bufsz)
{
	static const char *const names[] = { "policyd-quota.conf",
					     "milter-attach.conf" };
	size_t i;

	for (i = legacy ? 1 : 0; i < 2; i++) {
		snprintf(buf, bufsz, "%s/%s", dir, names[i]);
		if (access(buf, R_OK) == 0)
			return buf;
	}
	return NULL;
}

int
ctl_config_load(struct ctl_config *cfg, const char *path, struct mg_error *err)
{
	memset(cfg, 0, sizeof(*cfg));
	if (mg_config_load_subset(spec, cfg, path, err) < 0)
		return -1;
	cfg->path = path;
	if (mg_keys_init(&cfg->keys, cfg->redis_prefix, err) < 0 ||
	    mg_addr_domain_check(cfg->default_domain, err) < 0 ||
	    mg_redis_settings_check(&cfg->redis, err) < 0) {
		err->kind = MG_ERR_CONFIG;
		ctl_config_release(cfg);
		return -1;
	}
	return 0;
}

void
ctl_config_dump(const struct ctl_config *cfg, FILE *fp)
{
	fprintf(fp, "# settings read from %s\n",
		cfg->path ? cfg->path : "(no file: defaults)");
	mg_config_dump(spec, cfg, fp);
}

void
ctl_config_release(struct ctl_config *cfg)
{
	mg_config_release(spec, cfg);
}

int
ctl_config_mailbox(const struct ctl_config *cfg, const char *in, char *out,
		   size_t outsz, struct mg_error *err)
{
	struct mg_error e;

	if (mg_addr_mailbox(in, strlen(in), cfg->recipient_delimiter,
			    cfg->default_domain, out, outsz, &e) < 0)
		return mg_error_set(err, MG_ERR_PARSE, "bad mailbox \"%.80s\": %s",
				    in, e.msg);
	if (out[0] == '\0' || strchr(out, '@') == NULL || out[0] == '@' ||
	    out[strlen(out) - 1] == '@')
		return mg_error_set(err, MG_ERR_PARSE,
		    "bad mailbox \"%.80s\": want local@domain%s", in,
		    cfg->default_domain[0] ? "" : " (no default_domain is set)");
	return 0;
}
