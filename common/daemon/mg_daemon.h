/*
 * mg_daemon.h - what both daemons need from their environment
 *
 * Listen specifications are written the same way in every mailguard
 * config file:  inet:HOST:PORT  ([v6]:PORT for IPv6)  or  unix:/path.
 * Daemons run in the foreground only (systemd Type=notify); they open
 * their sockets as root, then drop to the configured user.
 */
#ifndef MG_DAEMON_H
#define MG_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include "mg_endpoint.h"
#include "mg_error.h"

/* The command line every mailguard daemon takes:
 *   NAME [-c FILE] [-t [-q] [--probe]] [-T ARG [WORD...] [--json]] [-f] [-d] [-h] [-V]
 *   -c FILE  configuration file (default: default_config when it exists,
 *            else the built-in defaults)
 *   -t       check the configuration, print the effective settings, exit
 *   -q       with -t: print nothing but errors (systemd's ExecStartPre and
 *            ExecReload checks)
 *   -f       also log to stderr (the daemon always stays in the foreground)
 *   -d       debug logging
 *   --probe  with -t: also connect to Redis as the daemon would, say what
 *            it finds there (non-zero exit when Redis is not usable)
 *   -T ARG   an offline test: what the daemon would answer for ARG (and the
 *            WORDs after the options), printed for a human; the daemon
 *            says what ARG is (milter-attach: a message file or "-")
 *   --json   with -T: one JSON object instead of the text
 *   -h       the usage, on stdout
 *   -V       "NAME (mailguard) VERSION" on stdout (mg_version_print) */
struct mg_daemon_args {
	const char *config;         /* NULL: the built-in defaults */
	bool check, quiet, log_stderr, debug;
	bool probe;                 /* -t --probe */
	const char *test;           /* -T ARG (NULL: not a test) */
	bool json;                  /* -T --json */
	char *const *words;         /* -T: the arguments after the options */
	int n_words;
};

/* mg_daemon_args_parse - 0 to go on; 1 when -h printed the usage or -V
 * the version (exit 0); -1 after printing the usage to stderr (exit 2) */
int mg_daemon_args_parse(int argc, char *const *argv, const char *prog,
			 const char *default_config, struct mg_daemon_args *a);

/* mg_listen_parse - "inet:127.0.0.1:10031", "inet:[::1]:10031",
 * "unix:/run/mailguard/policy.sock": "inet:" or "unix:" then the common
 * endpoint syntax (mg_endpoint.h), a port required.  Errors are
 * MG_ERR_CONFIG, "listen: <reason>". */
int mg_listen_parse(const char *spec, struct mg_endpoint *l,
		    struct mg_error *err);

/* mg_listen_open - bind + listen, non-blocking and close-on-exec; a stale
 * unix socket file is replaced and given mode `mode` (e.g. 0660).
 * Returns the descriptor or -1. */
int mg_listen_open(const struct mg_endpoint *l, int backlog, unsigned mode,
		   struct mg_error *err);

/* mg_listen_milter_spec - the same address in libmilter's syntax:
 * "inet:PORT@HOST", "inet6:PORT@HOST" or "unix:/path" */
int mg_listen_milter_spec(const struct mg_endpoint *l, char *out, size_t outsz,
			  struct mg_error *err);

/* mg_set_nonblock - O_NONBLOCK and FD_CLOEXEC on a descriptor handed over
 * by systemd (socket activation), as mg_listen_open sets them on its own */
int mg_set_nonblock(int fd, struct mg_error *err);

/* mg_drop_privileges - when running as root and user is not empty:
 * initgroups, setgid, setuid to that user, and verify root cannot be
 * regained.  Not root and user empty or equal to the current user: no-op. */
int mg_drop_privileges(const char *user, struct mg_error *err);

/* mg_notify - sd_notify(0, state) when started by systemd (NOTIFY_SOCKET
 * set); a no-op otherwise.  e.g. "READY=1", "RELOADING=1", "STOPPING=1" */
void mg_notify(const char *state);

#endif
