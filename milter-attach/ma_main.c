/*
 * ma_main.c - milter-attach: start-up, signals, reload, shutdown
 *
 * milter-attach [-c FILE] [-t] [-f] [-d] [-h]
 *   -c FILE  configuration (default /etc/mailguard/milter-attach.conf)
 *   -t       check the configuration, print the effective settings, exit
 *   -q       with -t: print nothing but errors
 *   -f       also log to stderr (the daemon always stays in the foreground)
 *   -d       debug logging (as policyd-quota -d)
 *
 * Signals: libmilter's own signal thread treats SIGHUP and SIGTERM as
 * "stop".  We block HUP, TERM, INT, USR1 and USR2 before any thread
 * exists, run smfi_main() in a second thread, and sigwait() in the main
 * thread: Linux delivers a process signal to the main thread first when
 * it waits for it, so SIGHUP reloads the config (new connections and
 * messages use the new snapshot; messages in flight keep theirs),
 * SIGUSR1 logs the counters (one action=stats line, as policyd-quota)
 * and SIGTERM/SIGINT stop gracefully.  systemd is told READY=1,
 * RELOADING=1 and STOPPING=1.  The metrics listener (metrics_listen) is
 * opened with the milter socket, before the privilege drop.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ma_milter.h"
#include "ma_offline.h"
#include "ma_probe.h"
#include "mg_daemon.h"
#include "mg_keys.h"
#include "mg_log.h"
#include "mg_metrics_http.h"
#include "mg_version.h"

#define DEFAULT_CONF "/etc/mailguard/milter-attach.conf"

static pthread_t main_thread;

/* milter_thread - run libmilter; wake the main thread when it ends */
static void *
milter_thread(void *arg)
{
	int *rc = arg;

	*rc = smfi_main();
	pthread_kill(main_thread, SIGUSR2);
	return NULL;
}

/* initial_bans - one synchronous read so the first messages have a list */
static struct ma_banset *
initial_bans(const struct ma_config *cfg)
{
	struct ma_banset *s = NULL;
	struct mg_error err;

	if (ma_bans_read_once(&cfg->redis, cfg->redis_prefix, (long long)time(NULL),
			      &s, &err) < 0)
		mg_warnx("bans: cannot read at start: %s", err.msg);
	return s;
}

/* same_redis - whether a reload may keep the ban refresher */
static int
same_redis(const struct ma_config *a, const struct ma_config *b)
{
	return strcmp(a->redis.server, b->redis.server) == 0 &&
	       strcmp(a->redis.user, b->redis.user) == 0 &&
	       strcmp(a->redis.password, b->redis.password) == 0 &&
	       a->redis.db == b->redis.db &&
	       a->redis.connect_timeout_ms == b->redis.connect_timeout_ms &&
	       a->redis.command_timeout_ms == b->redis.command_timeout_ms &&
	       strcmp(a->redis_prefix, b->redis_prefix) == 0 &&
	       a->ban_refresh_ms == b->ban_refresh_ms;
}

/* reload - load the file again and swap the snapshot */
static void
reload(struct ma_ctx *ctx, const char *path)
{
	struct ma_config *fresh = NULL, *old;
	struct ma_bans *nb = NULL, *ob = NULL;
	struct ma_banset *cur;
	struct mg_error err;

	mg_notify("RELOADING=1");
	if (ma_config_load(path, &fresh, &err) < 0) {
		mg_warnx("reload: %s; keeping the running configuration", err.msg);
		mg_notify("READY=1");
		return;
	}
	if (strcmp(fresh->listen, ctx->cfg->listen) != 0 ||
	    strcmp(fresh->user, ctx->cfg->user) != 0)
		mg_warnx("reload: listen and user changes need a restart");
	if (strcmp(fresh->metrics_listen, ctx->cfg->metrics_listen) != 0 ||
	    strcmp(fresh->metrics_textfile, ctx->cfg->metrics_textfile) != 0 ||
	    strcmp(fresh->stats_host_name, ctx->cfg->stats_host_name) != 0 ||
	    fresh->stats_interval_ms != ctx->cfg->stats_interval_ms)
		mg_warnx("reload: metrics_listen, metrics_textfile, stats_host and "
			 "stats_interval changes need a restart");
	if (fresh->inspect_workers != ctx->cfg->inspect_workers ||
	    strcmp(fresh->inspect_helper, ctx->cfg->inspect_helper) != 0 ||
	    fresh->inspect_timeout_ms != ctx->cfg->inspect_timeout_ms ||
	    fresh->inspect_memory != ctx->cfg->inspect_memory)
		mg_warnx("reload: inspect_workers, inspect_helper, inspect_timeout "
			 "and inspect_memory changes need a restart");
	if (!same_redis(fresh, ctx->cfg)) {
		cur = ma_ctx_bans(ctx);
		nb = ma_bans_start(&fresh->redis, fresh->redis_prefix,
				   fresh->ban_refresh_ms, cur, &ctx->stats, &err);
		ma_banset_unref(&cur);
		if (nb == NULL) {
			mg_warnx("reload: %s; keeping the running configuration",
				 err.msg);
			ma_config_unref(&fresh);
			mg_notify("READY=1");
			return;
		}
	}
	pthread_mutex_lock(&ctx->lock);
	old = ctx->cfg;
	ctx->cfg = fresh;
	if (nb != NULL) {
		ob = ctx->bans;
		ctx->bans = nb;
	}
	pthread_mutex_unlock(&ctx->lock);
	ma_config_unref(&old);
	ma_bans_stop(&ob);
	mg_info("configuration reloaded from %s", path ? path : "defaults");
	mg_notify("READY=1");
}

/* open_socket - libmilter socket, opened before dropping privileges */
static int
open_socket(const struct ma_config *cfg, struct mg_error *err)
{
	struct mg_endpoint l;
	struct passwd *pw;
	char spec[512];

	if (mg_listen_parse(cfg->listen, &l, err) < 0 ||
	    mg_listen_milter_spec(&l, spec, sizeof(spec), err) < 0)
		return -1;
	if (smfi_setconn(spec) != MI_SUCCESS)
		return mg_error_set(err, MG_ERR_CONFIG, "smfi_setconn %s failed", spec);
	if (smfi_opensocket(1) != MI_SUCCESS)
		return mg_error_set(err, MG_ERR_SYS, "cannot open milter socket %s",
				    spec);
	if (l.is_unix) {
		/* the MTA must be able to connect: group of the user, 0660 */
		if (cfg->user[0] != '\0' && geteuid() == 0 &&
		    (pw = getpwnam(cfg->user)) != NULL &&
		    chown(l.path, pw->pw_uid, pw->pw_gid) < 0)
			return mg_error_sys(err, "chown %s", l.path);
		if (chmod(l.path, 0660) < 0)
			return mg_error_sys(err, "chmod %s", l.path);
	}
	return 0;
}

/* block_signals - before any thread exists, so every thread inherits
 * the mask and the main thread takes them with sigwait(); set gets the
 * ones waited for */
static void
block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	sigdelset(set, SIGPIPE);
	main_thread = pthread_self();
}

/* start - the milter socket, the privilege drop, the ban refresher, the
 * notifier and libmilter's thread; exits on failure */
static void
start(struct ma_ctx *ctx, pthread_t *mt, int *mrc)
{
	struct smfiDesc desc;
	struct ma_banset *first;
	struct mg_error err;
	int mfd = -1;

	ma_milter_init(ctx, &desc);
	if (smfi_register(desc) != MI_SUCCESS)
		mg_fatalx("smfi_register failed");
	if (open_socket(ctx->cfg, &err) < 0)
		mg_fatalx("%s", err.msg);
	if (ctx->cfg->metrics_listen[0] != '\0' &&
	    (mfd = mg_metrics_listen_open(ctx->cfg->metrics_listen, &err)) < 0)
		mg_fatalx("%s", err.msg);
	if (mg_drop_privileges(ctx->cfg->user, &err) < 0)
		mg_fatalx("%s", err.msg);
	first = initial_bans(ctx->cfg);
	ctx->bans = ma_bans_start(&ctx->cfg->redis, ctx->cfg->redis_prefix,
				  ctx->cfg->ban_refresh_ms, first, &ctx->stats, &err);
	ma_banset_unref(&first);
	if (ctx->bans == NULL)
		mg_fatalx("%s", err.msg);
	if ((ctx->notifier = ma_notifier_start(&ctx->stats, &err)) == NULL)
		mg_fatalx("%s", err.msg);
	/* the inspectors, spawned before libmilter's threads exist */
	if (ma_inspect_check(ctx->cfg, &err) < 0 ||
	    (ctx->inspect = ma_inspect_start(ctx->cfg, &err)) == NULL)
		mg_fatalx("%s", err.msg);
	ma_inspect_set_metrics(ctx->inspect, ctx->metrics.inspect_failed);
	ctx->export = mg_metrics_export_start(ctx->metrics.reg, mfd, ctx->cfg->metrics_textfile,
					      ctx->cfg->stats_interval_ms, &err);
	if (ctx->export == NULL && err.kind != MG_ERR_NONE)
		mg_fatalx("%s", err.msg);
	if (pthread_create(mt, NULL, milter_thread, mrc) != 0)
		mg_fatal("pthread_create");
	mg_info("started: version=%s listen=%s size_limit=%llu "
		"banned_extensions=%zu magic_action=%s", MG_VERSION, ctx->cfg->listen, ctx->cfg->size_limit,
		ctx->cfg->banned_extensions.n,
		ctx->cfg->magic_action == MA_MAGIC_OFF ? "off" :
		ctx->cfg->magic_action == MA_MAGIC_LOG ? "log" :
		ctx->cfg->magic_action == MA_MAGIC_HEADER ? "header" : "reject");
}

/* serve - wait for signals: reload on HUP, log the counters on USR1,
 * return on TERM/INT or when libmilter stopped (USR2 from its thread) */
static void
serve(struct ma_ctx *ctx, const char *path, const sigset_t *set)
{
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload(ctx, path);
			continue;
		}
		if (sig == SIGUSR1) {
			ma_stats_log(&ctx->stats);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT)
			mg_info("signal %d: stopping", sig);
		else
			mg_info("libmilter stopped");
		return;
	}
}

/* main - options, config, then start, serve signals, stop */
int
main(int argc, char **argv)
{
	struct ma_ctx ctx = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct mg_daemon_args args;
	struct mg_error err;
	const char *path;
	pthread_t mt;
	sigset_t set;
	int mrc = 0;

	switch (mg_daemon_args_parse(argc, argv, "milter-attach", DEFAULT_CONF, &args)) {
	case 1: return 0;
	case -1: return 2;
	}
	path = args.config;
	if (args.test != NULL && args.n_words > 0) {
		fprintf(stderr, "milter-attach: -T takes one message file (or -)\n");
		return 2;
	}
	/* a check (-t) or a test (-T) only prints: to stderr, not syslog */
	mg_log_init("milter-attach", args.check || args.test ? MG_LOG_TO_STDERR :
		    MG_LOG_TO_SYSLOG | (args.log_stderr ? MG_LOG_TO_STDERR : 0),
		    args.debug);
	if (ma_config_load(path, &ctx.cfg, &err) < 0) {
		fprintf(stderr, "milter-attach: %s\n", err.msg);
		return args.test != NULL ? MA_EXIT_ERROR : 1;
	}
	if (args.test != NULL) {
		mrc = ma_offline_run(ctx.cfg, args.test, args.json);
		ma_config_unref(&ctx.cfg);
		return mrc;
	}
	if (args.check) {
		if (ma_inspect_check(ctx.cfg, &err) < 0) {
			fprintf(stderr, "milter-attach: %s\n", err.msg);
			ma_config_unref(&ctx.cfg);
			return 1;
		}
		if (!args.quiet)
			ma_config_dump(ctx.cfg, stdout);
		mrc = args.probe && ma_probe_run(ctx.cfg, args.quiet ? NULL : stdout) < 0
		      ? 3 : 0;
		ma_config_unref(&ctx.cfg);
		return mrc;
	}
	if (ma_metrics_init(&ctx.metrics, &err) < 0) {
		fprintf(stderr, "milter-attach: %s\n", err.msg);
		return 1;
	}
	ctx.stats.metrics = &ctx.metrics;
	snprintf(ctx.stats.host, sizeof(ctx.stats.host), "%s", ctx.cfg->stats_host_name);
	ctx.stats.interval_ms = ctx.cfg->stats_interval_ms;
	block_signals(&set);
	start(&ctx, &mt, &mrc);
	mg_notify("READY=1");
	serve(&ctx, path, &set);
	mg_notify("STOPPING=1");
	smfi_stop();
	pthread_join(mt, NULL);
	ma_notifier_stop(&ctx.notifier);
	ma_inspect_stop(&ctx.inspect);
	ma_bans_stop(&ctx.bans);
	ma_stats_log(&ctx.stats);
	mg_metrics_export_stop(&ctx.export);    /* the textfile's last write */
	ma_metrics_release(&ctx.metrics);
	ma_config_unref(&ctx.cfg);
	return mrc == MI_SUCCESS ? 0 : 1;
}
