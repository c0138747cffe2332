/*
 * pq_main.c - policyd-quota: the full-mailbox Postfix policy daemon
 *
 * policyd-quota [-c FILE] [-t] [-f] [-d] [-h]   as every mailguard daemon
 * (mg_daemon.h): run in the foreground (systemd Type=notify), or -t: check
 * the config, print it, exit 0/1, or -T RCPT [SENDER [SIZE]] [NAME=VALUE...]:
 * the answer to one request, offline (pq_offline.h)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "mg_daemon.h"
#include "mg_log.h"
#include "mg_metrics_http.h"
#include "mg_version.h"
#include "pq_config.h"
#include "pq_offline.h"
#include "pq_probe.h"
#include "pq_server.h"

#define PQ_DEFAULT_CONFIG "/etc/mailguard/policyd-quota.conf"

/* open_listeners - systemd's sockets if any, else the configured ones */
static int *
open_listeners(const struct pq_config *cfg, size_t *n_r)
{
	struct mg_error err;
	int n = sd_listen_fds(1), *fds;
	size_t i;

	if (n > 0) {
		if ((fds = calloc((size_t)n, sizeof(int))) == NULL)
			mg_fatalx("out of memory");
		for (i = 0; i < (size_t)n; i++) {
			fds[i] = SD_LISTEN_FDS_START + (int)i;
			/* the event loop accepts until EAGAIN: a blocking
			 * socket from systemd would hang it in accept4() */
			if (mg_set_nonblock(fds[i], &err) < 0)
				mg_fatalx("%s", err.msg);
		}
		*n_r = (size_t)n;
		mg_info("using %d socket(s) from systemd", n);
		return fds;
	}
	if (cfg->listen.n == 0)
		mg_fatalx("no listen address configured");
	if ((fds = calloc(cfg->listen.n, sizeof(int))) == NULL)
		mg_fatalx("out of memory");
	for (i = 0; i < cfg->listen.n; i++) {
		struct mg_endpoint l;
		mg_listen_parse(cfg->listen.v[i], &l, &err);
		if ((fds[i] = mg_listen_open(&l, 1024, 0666, &err)) < 0)
			mg_fatalx("%s", err.msg);
	}
	*n_r = cfg->listen.n;
	return fds;
}

/* main - options, config, sockets, privileges, then the loop */
int
main(int argc, char **argv)
{
	struct mg_daemon_args args;
	const char *path;
	struct pq_config *cfg;
	struct pq_server *srv;
	struct mg_error err;
	size_t nfds;
	int *fds, rc, mfd = -1;

	switch (mg_daemon_args_parse(argc, argv, "policyd-quota", PQ_DEFAULT_CONFIG,
				     &args)) {
	case 1: return 0;
	case -1: return 2;
	}
	path = args.config;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return 1;
	if (pq_config_load(cfg, path, &err) < 0) {
		fprintf(stderr, "policyd-quota: %s\n", err.msg);
		free(cfg);
		return args.test != NULL ? PQ_EXIT_ERROR : 1;
	}
	if (args.test != NULL) {
		mg_log_init("policyd-quota", MG_LOG_TO_STDERR, args.debug);
		rc = pq_offline_run(cfg, args.test, args.words, args.n_words,
				    args.json);
		pq_config_release(cfg);
		free(cfg);
		return rc;
	}
	if (args.check) {
		if (!args.quiet) {
			printf("# policyd-quota: configuration %s is valid\n",
			       path ? path : "(built-in defaults)");
			pq_config_dump(cfg, stdout);
		}
		rc = args.probe && pq_probe_run(cfg, args.quiet ? NULL : stdout) < 0 ? 3 : 0;
		pq_config_release(cfg);
		free(cfg);
		return rc;
	}
	mg_log_init("policyd-quota", MG_LOG_TO_SYSLOG |
		    (args.log_stderr ? MG_LOG_TO_STDERR : 0), args.debug);
	fds = open_listeners(cfg, &nfds);
	/* the metrics listener too is opened as root (any port) */
	if (cfg->metrics_listen[0] != '\0' &&
	    (mfd = mg_metrics_listen_open(cfg->metrics_listen, &err)) < 0)
		mg_fatalx("%s", err.msg);
	if (mg_drop_privileges(cfg->user, &err) < 0)
		mg_fatalx("%s", err.msg);
	if ((srv = pq_server_new(cfg, fds, nfds, path, &err)) == NULL)
		mg_fatalx("%s", err.msg);
	free(fds);
	if (pq_server_export(srv, mfd, &err) < 0)
		mg_fatalx("%s", err.msg);
	mg_info("started: version=%s config=%s redis=%s", MG_VERSION,
		path ? path : "(defaults)",
		cfg->redis.server);
	mg_notify("READY=1");
	rc = pq_server_run(srv);
	pq_server_free(&srv);
	mg_info("stopped");
	return rc == 0 ? 0 : 1;
}
