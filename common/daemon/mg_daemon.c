/*
 * mg_daemon.c - listen sockets, privilege drop, systemd notification
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "mg_daemon.h"
#include "mg_version.h"

/* mg_listen_parse - "inet:" or "unix:", then mg_endpoint_parse */
int
mg_listen_parse(const char *spec, struct mg_endpoint *l, struct mg_error *err)
{
	struct mg_error e;
	int rc;

	if (strncmp(spec, "unix:", 5) == 0)
		rc = mg_endpoint_parse(spec, MG_EP_UNIX, 0, l, &e);
	else if (strncmp(spec, "inet:", 5) == 0)
		rc = mg_endpoint_parse(spec + 5, 0, 0, l, &e);
	else
		return mg_error_set(err, MG_ERR_CONFIG,
		    "listen: expected inet:HOST:PORT or unix:/path, got \"%.64s\"",
		    spec);
	if (rc < 0)
		return mg_error_set(err, MG_ERR_CONFIG, "listen: %s", e.msg);
	return 0;
}

/* open_unix - bind a unix socket, replacing a stale one, with mode */
static int
open_unix(const struct mg_endpoint *l, int backlog, unsigned mode,
	  struct mg_error *err)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, l->path, strlen(l->path) + 1);
	if (lstat(l->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return mg_error_set(err, MG_ERR_SYS,
			    "%s exists and is not a socket", l->path);
		(void)unlink(l->path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return mg_error_sys(err, "socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(l->path, mode) < 0 || listen(fd, backlog) < 0) {
		mg_error_sys(err, "listen on %s", l->path);
		close(fd);
		return -1;
	}
	return fd;
}

/* open_inet - bind the first address the host resolves to */
static int
open_inet(const struct mg_endpoint *l, int backlog, struct mg_error *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	int fd = -1, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%d", l->port);
	if ((rc = getaddrinfo(l->host, port, &hints, &res)) != 0)
		return mg_error_set(err, MG_ERR_CONFIG, "listen %s:%d: %s",
				    l->host, l->port, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
			    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, backlog) == 0)
			break;
		mg_error_sys(err, "listen on %s:%d", l->host, l->port);
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0 && err != NULL && err->kind == MG_ERR_NONE)
		mg_error_set(err, MG_ERR_SYS, "listen on %s:%d: no address",
			     l->host, l->port);
	return fd;
}

/* mg_listen_open - bind and listen (see mg_daemon.h) */
int
mg_listen_open(const struct mg_endpoint *l, int backlog, unsigned mode,
	       struct mg_error *err)
{
	mg_error_clear(err);
	return l->is_unix ? open_unix(l, backlog, mode, err)
			  : open_inet(l, backlog, err);
}

/* mg_listen_milter_spec - the address in libmilter's syntax */
int
mg_listen_milter_spec(const struct mg_endpoint *l, char *out, size_t outsz,
		      struct mg_error *err)
{
	int n;

	if (l->is_unix)
		n = snprintf(out, outsz, "unix:%s", l->path);
	else
		n = snprintf(out, outsz, "%s:%d@%s",
			     strchr(l->host, ':') ? "inet6" : "inet", l->port,
			     l->host);
	if (n < 0 || (size_t)n >= outsz)
		return mg_error_set(err, MG_ERR_LIMIT, "listen spec too long");
	return 0;
}

/* mg_drop_privileges - become user, for good */
int
mg_drop_privileges(const char *user, struct mg_error *err)
{
	struct passwd *pw;

	if (user == NULL || user[0] == '\0')
		return 0;
	errno = 0;
	if ((pw = getpwnam(user)) == NULL)
		return mg_error_set(err, MG_ERR_CONFIG, "user \"%.64s\": %s",
				    user, errno ? strerror(errno) : "no such user");
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid)
			return 0;
		return mg_error_set(err, MG_ERR_SYS,
		    "cannot switch to user %s: not started as root", user);
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return mg_error_sys(err, "cannot switch to user %s", user);
	if (pw->pw_uid != 0 && setuid(0) == 0)
		return mg_error_set(err, MG_ERR_INTERNAL,
		    "privileges could be regained after dropping to %s", user);
	return 0;
}

/* mg_notify - tell systemd, when it started us */
int
mg_set_nonblock(int fd, struct mg_error *err)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return mg_error_sys(err, "socket %d from systemd: fcntl", fd);
	return 0;
}

/* daemon_usage - the synopsis of every daemon */
static void
daemon_usage(FILE *fp, const char *prog, const char *default_config)
{
	fprintf(fp,
		"usage: %s [-c FILE] [-t [-q] [--probe]] [-T ARG... [--json]] [-f] [-d] [-h] [-V]\n"
		"  -c FILE  configuration file (default %s)\n"
		"  -t       check the configuration, print the effective settings,\n"
		"           exit 0 (valid) or 1\n"
		"  -q       with -t: print nothing but errors\n"
		"  --probe  with -t: also connect to Redis and say what is there\n"
		"  -T ARG   offline test: what the daemon would answer (see its man page)\n"
		"  --json   with -T: the result as one JSON object\n"
		"  -f       also log to stderr (the daemon always stays in the foreground)\n"
		"  -d       debug logging\n"
		"  -h       this help\n"
		"  -V       the version (mailguard %s)\n", prog, default_config,
		MG_VERSION);
}

int
mg_daemon_args_parse(int argc, char *const *argv, const char *prog,
		     const char *default_config, struct mg_daemon_args *a)
{
	static const struct option longopts[] = {
		{ "probe", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, "c:tqfdhVT:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': a->config = optarg; break;
		case 't': a->check = true; break;
		case 'T': a->test = optarg; break;
		case 'P': a->probe = true; break;
		case 'J': a->json = true; break;
		case 'q': a->quiet = true; break;
		case 'f': a->log_stderr = true; break;
		case 'd': a->debug = true; break;
		case 'h':
			daemon_usage(stdout, prog, default_config);
			return 1;
		case 'V':
			mg_version_print(stdout, prog);
			return 1;
		default:
			daemon_usage(stderr, prog, default_config);
			return -1;
		}
	}
	if (a->test != NULL) {
		a->words = argv + optind;
		a->n_words = argc - optind;
	}
	if ((optind != argc && a->test == NULL) || (a->quiet && !a->check) ||
	    (a->probe && !a->check) || (a->json && a->test == NULL) ||
	    (a->check && a->test != NULL)) {
		daemon_usage(stderr, prog, default_config);
		return -1;
	}
	if (a->config == NULL && access(default_config, F_OK) == 0)
		a->config = default_config;
	return 0;
}

void
mg_notify(const char *state)
{
	if (getenv("NOTIFY_SOCKET") != NULL)
		(void)sd_notify(0, state);
}
