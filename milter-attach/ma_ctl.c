/*
 * ma_ctl.c - milter-attach-ctl: manage the security-alert bans
 *
 * milter-attach-ctl [-c CONF] ban add ext|mime|sha256 VALUE DURATION [reason]
 * milter-attach-ctl [-c CONF] ban del ext|mime|sha256 VALUE
 * milter-attach-ctl [-c CONF] ban list | stats
 * milter-attach-ctl -V
 *
 * Reads the Redis settings and redis_prefix from the milter's config
 * (default /etc/mailguard/milter-attach.conf when it exists).  Exit 0 on
 * success, 1 when the operation failed, 2 on a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ma_config.h"
#include "ma_ctlcmd.h"
#include "mg_version.h"

#define DEFAULT_CONF "/etc/mailguard/milter-attach.conf"

/* usage - print the synopsis */
static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: milter-attach-ctl [-c CONF] ban add ext|mime|sha256 VALUE "
	    "DURATION [reason...]\n"
	    "       milter-attach-ctl [-c CONF] ban del ext|mime|sha256 VALUE\n"
	    "       milter-attach-ctl [-c CONF] ban list\n"
	    "       milter-attach-ctl [-c CONF] stats\n"
	    "       milter-attach-ctl -V   (the version)\n"
	    "DURATION: 30m, 48h, 2d, 7d ... (at most 366d)\n");
}

int
main(int argc, char **argv)
{
	const char *conf = NULL;
	struct ma_config *cfg = NULL;
	struct ma_ctl_cmd cmd;
	struct mg_error err;
	struct mg_redis *r;
	struct mg_keys k;
	int c, rc;

	while ((c = getopt(argc, argv, "+c:hV")) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case 'h': usage(stdout); return MA_CTL_EXIT_OK;
		case 'V':
			mg_version_print(stdout, "milter-attach-ctl");
			return MA_CTL_EXIT_OK;
		default: usage(stderr); return MA_CTL_EXIT_USAGE;
		}
	}
	if (ma_ctl_parse(argc - optind, argv + optind, &cmd, &err) < 0) {
		fprintf(stderr, "milter-attach-ctl: %s\n", err.msg);
		usage(stderr);
		return MA_CTL_EXIT_USAGE;
	}
	if (conf == NULL && access(DEFAULT_CONF, R_OK) == 0)
		conf = DEFAULT_CONF;
	if (ma_config_load(conf, &cfg, &err) < 0) {
		fprintf(stderr, "milter-attach-ctl: %s\n", err.msg);
		return MA_CTL_EXIT_USAGE;
	}
	if (mg_keys_init(&k, cfg->redis_prefix, &err) < 0 ||
	    (r = mg_redis_new(&cfg->redis)) == NULL) {
		fprintf(stderr, "milter-attach-ctl: %s\n", err.msg);
		ma_config_unref(&cfg);
		return MA_CTL_EXIT_FAIL;
	}
	mg_redis_set_quiet(r, true);            /* the error is printed below */
	snprintf(cmd.host, sizeof(cmd.host), "%s", cfg->stats_host_name);
	rc = ma_ctl_run(r, &k, &cmd, (long long)time(NULL), stdout, &err);
	if (rc != MA_CTL_EXIT_OK)
		fprintf(stderr, "milter-attach-ctl: %s\n", err.msg);
	mg_redis_free(&r);
	ma_config_unref(&cfg);
	return rc;
}
