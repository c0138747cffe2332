/*
 * ctl_main.c - mailguard-ctl: the admin's view of the shared Redis state
 *
 * mailguard-ctl [-c FILE] defer list [MAILBOX] [--json]
 * mailguard-ctl [-c FILE] defer lift MAILBOX ID|--all
 * mailguard-ctl [-c FILE] quota show MAILBOX [--json]
 * mailguard-ctl [-c FILE] warn rearm MAILBOX THRESHOLD|--all
 * mailguard-ctl [-c FILE] ban add|del|list|purge ... [--by NAME] [--json]
 * mailguard-ctl [-c FILE] stats [--json|--prometheus] [--output FILE]
 * mailguard-ctl [-c FILE] -t        the settings read, then exit
 *
 * Called as milter-attach-ctl (a link installed beside it), it is the
 * 0.4 tool: ban add/del/list and stats, the same output, its config
 * (milter-attach.conf) and its exit codes (1 for any failure).
 * Exit codes: 0 done, 1 not found, 2 usage or configuration (or the
 * --output file cannot be written), 3 Redis.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_cmd.h"
#include "ctl_config.h"
#include "ctl_run.h"
#include "mg_file.h"
#include "mg_version.h"

static void
usage(FILE *fp, const char *prog, int legacy)
{
	if (legacy) {
		fprintf(fp,
		    "usage: %s [-c CONF] ban add ext|mime|sha256 VALUE DURATION [reason...]\n"
		    "       %s [-c CONF] ban del ext|mime|sha256 VALUE\n"
		    "       %s [-c CONF] ban list\n"
		    "       %s [-c CONF] stats\n"
		    "       %s -V   (the version)\n"
		    "DURATION: 30m, 48h, 2d, 7d ... (at most 366d)\n",
		    prog, prog, prog, prog, prog);
		return;
	}
	fprintf(fp,
	    "usage: %s [-c CONF] defer list [MAILBOX] [--json]\n"
	    "       %s [-c CONF] defer lift MAILBOX ID|--all [--json]\n"
	    "       %s [-c CONF] quota show MAILBOX [--json]\n"
	    "       %s [-c CONF] warn rearm MAILBOX THRESHOLD|--all [--json]\n"
	    "       %s [-c CONF] ban add ext|mime|sha256 VALUE DURATION [reason...] [--by NAME]\n"
	    "       %s [-c CONF] ban del ext|mime|sha256 VALUE\n"
	    "       %s [-c CONF] ban list|purge [--json]\n"
	    "       %s [-c CONF] stats [--json|--prometheus] [--output FILE]\n"
	    "       %s [-c CONF] -t   (the settings read)     %s -V   (the version)\n"
	    "CONF: default /etc/mailguard/policyd-quota.conf, else milter-attach.conf\n",
	    prog, prog, prog, prog, prog, prog, prog, prog, prog, prog);
}

/* login_user - who runs the command: the login name, the sudo caller,
 * the account of the uid */
static void
login_user(char *out, size_t outsz)
{
	const char *names[2] = { getlogin(), getenv("SUDO_USER") };
	struct passwd *pw;
	size_t i;

	for (i = 0; i < 2; i++)
		if (names[i] != NULL && ctl_by_check(names[i], NULL) == 0) {
			snprintf(out, outsz, "%s", names[i]);
			return;
		}
	if ((pw = getpwuid(getuid())) != NULL && ctl_by_check(pw->pw_name, NULL) == 0)
		snprintf(out, outsz, "%s", pw->pw_name);
	else
		snprintf(out, outsz, "uid%u", (unsigned)getuid());
}

/* legacy_exit - milter-attach-ctl 0.4: 1 for every failure, 2 usage */
static int
legacy_exit(int rc)
{
	return rc == CTL_EXIT_USAGE ? 2 : rc == CTL_EXIT_OK ? 0 : 1;
}

/* run_to - the command, its output on stdout or, with --output, into
 * that file replaced whole (mode 0644, for node_exporter): opened before
 * Redis is asked, so a missing directory is said first; on any failure
 * the previous file stays */
static int
run_to(struct ctl_ctx *cx, const struct ctl_cmd *cmd)
{
	struct mg_file_out f;
	int rc;

	if (cmd->output[0] == '\0')
		return ctl_run(cx, cmd);
	if (mg_file_out_open(&f, "--output", cmd->output, 0644, &cx->err) < 0)
		return CTL_EXIT_USAGE;
	cx->out = f.fp;
	rc = ctl_run(cx, cmd);
	cx->out = stdout;
	if (rc != CTL_EXIT_OK) {
		mg_file_out_abort(&f);
		return rc;
	}
	return mg_file_out_commit(&f, &cx->err) < 0 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
}

int
main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int legacy = strcmp(prog, "milter-attach-ctl") == 0;
	const char *conf = NULL;
	char pathbuf[256], mb[MG_ADDR_MAX + 1];
	struct ctl_config cfg;
	struct ctl_cmd cmd;
	struct ctl_ctx cx;
	int c, rc, check = 0;

	if (!legacy)
		prog = "mailguard-ctl";
	while ((c = getopt(argc, argv, legacy ? "+c:hV" : "+c:htV")) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case 't': check = 1; break;
		case 'h': usage(stdout, prog, legacy); return CTL_EXIT_OK;
		case 'V': mg_version_print(stdout, prog); return CTL_EXIT_OK;
		default: usage(stderr, prog, legacy); return CTL_EXIT_USAGE;
		}
	}
	memset(&cx, 0, sizeof(cx));
	if (!check && ctl_parse(argc - optind, argv + optind, legacy, &cmd,
				&cx.err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, cx.err.msg);
		usage(stderr, prog, legacy);
		return CTL_EXIT_USAGE;
	}
	if (check && optind < argc) {
		usage(stderr, prog, legacy);
		return CTL_EXIT_USAGE;
	}
	if (conf == NULL)
		conf = ctl_config_default_path(CTL_CONF_DIR, legacy, pathbuf,
					       sizeof(pathbuf));
	if (ctl_config_load(&cfg, conf, &cx.err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, cx.err.msg);
		return CTL_EXIT_USAGE;
	}
	if (check) {
		ctl_config_dump(&cfg, stdout);
		ctl_config_release(&cfg);
		return CTL_EXIT_OK;
	}
	if (cmd.mailbox[0] != '\0') {
		if (ctl_config_mailbox(&cfg, cmd.mailbox, mb, sizeof(mb), &cx.err) < 0) {
			fprintf(stderr, "%s: %s\n", prog, cx.err.msg);
			ctl_config_release(&cfg);
			return CTL_EXIT_USAGE;
		}
		snprintf(cmd.mailbox, sizeof(cmd.mailbox), "%s", mb);
	}
	if (cmd.op == CTL_BAN_ADD && cmd.by[0] == '\0')
		login_user(cmd.by, sizeof(cmd.by));
	cx.cfg = &cfg;
	cx.now = (long long)time(NULL);
	cx.out = stdout;
	if ((cx.redis = mg_redis_new(&cfg.redis)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		ctl_config_release(&cfg);
		return CTL_EXIT_REDIS;
	}
	mg_redis_set_quiet(cx.redis, true);       /* the error is printed below */
	rc = run_to(&cx, &cmd);
	if (rc != CTL_EXIT_OK)
		fprintf(stderr, "%s: %s\n", prog, cx.err.msg);
	if (fflush(stdout) != 0 && rc == CTL_EXIT_OK) {
		fprintf(stderr, "%s: cannot write the output\n", prog);
		rc = CTL_EXIT_USAGE;
	}
	mg_redis_free(&cx.redis);
	ctl_config_release(&cfg);
	return legacy ? legacy_exit(rc) : rc;
}
