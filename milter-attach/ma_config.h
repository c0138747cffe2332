/*
 * ma_config.h - milter-attach settings: the config table and its snapshot
 *
 * The daemon loads a struct ma_config with ma_config_load() (defaults of
 * the table, then the file given with -c), checks everything a typo could
 * break at run time (listen syntax, templates, extension syntax, notice
 * transport), and never modifies it afterwards.  A reload loads a new one
 * and swaps it; messages in flight keep the snapshot they started with
 * (ma_config_ref/ma_config_unref count the holders).
 */
#ifndef MA_CONFIG_H
#define MA_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "mg_config.h"
#include "mg_keys.h"
#include "mg_error.h"
#include "mg_redis_settings.h"

enum ma_magic_action { MA_MAGIC_OFF, MA_MAGIC_LOG, MA_MAGIC_HEADER, MA_MAGIC_REJECT };
enum ma_struct_action { MA_STRUCT_REJECT, MA_STRUCT_TEMPFAIL, MA_STRUCT_ACCEPT };
enum ma_error_action { MA_ERRACT_TEMPFAIL, MA_ERRACT_ACCEPT };

struct ma_config {
	char *listen;                      /* inet:HOST:PORT | unix:/path */
	char *user;
	unsigned long long size_limit;     /* bytes; larger is rejected */
	struct mg_strlist banned_extensions; /* ".exe" ... (lowercased at load) */
	long long max_depth, max_parts, max_zip_depth, max_zip_entries;
	int magic_action;                  /* enum ma_magic_action */
	struct mg_strlist magic_types;     /* executable MIME types */
	int structure_action;              /* enum ma_struct_action */
	struct mg_strlist structure_anomalies; /* anomaly names that trigger it */
	int error_action;                  /* enum ma_error_action */
	char *largefile_service, *largefile_url;
	int language;                      /* enum mg_lang */
	char *reply_size, *reply_banned, *reply_magic, *reply_structure;
	char *reply_names_encrypted;
	char *header_name;                 /* magic_action = header */
	struct mg_strlist local_domains;
	bool notice_enable;
	char *notice_smtp, *notice_from;
	char *notice_subject, *notice_body;
	long long notice_rate;             /* notices per recipient per hour */
	long long notice_timeout_ms;
	long long notice_queue;            /* bounded queue length */
	long long ban_refresh_ms;
	long long stats_interval_ms;       /* stats hash and metrics textfile */
	char *stats_host;                  /* "" = gethostname() */
	char *metrics_listen;              /* host:port; "" = no listener */
	char *metrics_textfile;            /* path; "" = none */
	char *redis_prefix;
	struct mg_redis_settings redis;
	long long inspect_workers;         /* helpers (0: in the milter) */
	char *inspect_helper;              /* milter-attach-inspect's path */
	long long inspect_timeout_ms;      /* one carrier's whole answer */
	unsigned long long inspect_memory; /* a helper's RLIMIT_AS */
	unsigned long long inspect_max_bytes; /* spooled, and extracted */
	char *inspect_spool_dir;
	/* derived at load time, not in the table */
	unsigned structure_mask;           /* SCAN_ANOM_* bits */
	char stats_host_name[MG_KEYS_HOST_MAX]; /* stats_host or the host name */
	int refs;
};

extern const struct mg_cfg_spec ma_config_spec[];

/* ma_config_load - defaults + path (NULL = defaults only), validated.
 * *cfg_r holds one reference. */
int ma_config_load(const char *path, struct ma_config **cfg_r,
		   struct mg_error *err);
/* ma_config_parse_text - same from a buffer (unit tests) */
int ma_config_parse_text(const char *text, struct ma_config **cfg_r,
			 struct mg_error *err);
struct ma_config *ma_config_ref(struct ma_config *cfg);
void ma_config_unref(struct ma_config **cfg);
void ma_config_dump(const struct ma_config *cfg, FILE *fp);

/* ma_anomaly_mask - names ("depth parts ...") to SCAN_ANOM_* bits; -1 bad */
int ma_anomaly_mask(const struct mg_strlist *names, unsigned *mask_r,
		    const char **bad_r);

#endif
