/*
 * test_pq_server.c - policyd-quota's event loop and Redis threads are
 * started and stopped without leaving anything behind (run it under ASan:
 * LeakSanitizer checks the memory, the tests count the descriptors):
 *   - a full run with Redis unreachable: a Postfix request is answered
 *     with the redis_error_action and the error_text template, then
 *     SIGTERM stops the loop and pq_server_free joins every thread;
 *   - pq_server_new failing at each step (descriptor budget raised one
 *     at a time) takes nothing and leaves nothing.
 * No Redis is needed: the configured one listens nowhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "mg_log.h"
#include "pq_config.h"
#include "pq_server.h"

/* open_fds - descriptors open right now (and the highest one) */
static int
open_fds(int *highest)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0, fd, self = dirfd(d);

	*highest = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || (fd = atoi(e->d_name)) == self)
			continue;
		n++;
		if (fd > *highest)
			*highest = fd;
	}
	closedir(d);
	return n;
}

/* dead_port - a loopback port nobody listens on */
static int
dead_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* listener - a bound loopback listening socket and its port */
static int
listener(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* new_config - a loaded config whose Redis listens nowhere */
static struct pq_config *
new_config(const char *extra)
{
	char path[] = "/tmp/mg-test-pq-server-XXXXXX", text[512];
	struct pq_config *cfg = calloc(1, sizeof(*cfg));
	struct mg_error err;
	int fd = mkstemp(path), n;

	assert_non_null(cfg);
	n = snprintf(text, sizeof(text), "user =\nredis_server = 127.0.0.1:%d\n"
		     "lookup_timeout = 300ms\n%s", dead_port(), extra);
	assert_int_equal(write(fd, text, (size_t)n), n);
	close(fd);
	if (pq_config_load(cfg, path, &err) < 0)
		fail_msg("%s", err.msg);
	unlink(path);
	return cfg;
}

struct client {
	int port;
	char answer[512];
};

/* ask - one policy request as Postfix sends it, then SIGTERM */
static void *
ask(void *arg)
{
	struct client *cl = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const char *req = "request=smtpd_access_policy\nprotocol_state=RCPT\n"
			  "sender=a@example.org\nrecipient=Bob+x@Example.ORG\n"
			  "client_address=192.0.2.1\nsize=1000\n\n";
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t got = 0;
	ssize_t n;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)cl->port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
		while (got + 1 < sizeof(cl->answer) &&
		       strstr(cl->answer, "\n\n") == NULL &&
		       (n = read(fd, cl->answer + got, sizeof(cl->answer) - 1 - got)) > 0) {
			got += (size_t)n;
			cl->answer[got] = '\0';
		}
	}
	close(fd);
	kill(getpid(), SIGTERM);
	return NULL;
}

static void
test_run_and_stop(void **state)
{
	struct pq_config *cfg = new_config("redis_error_action = defer_if_permit\n"
					   "error_text = Retry later for %{rcpt}\n");
	struct client cl = { .port = 0 };
	struct pq_server *s;
	struct mg_error err;
	pthread_t t;
	int highest, before = open_fds(&highest), lfd = listener(&cl.port);

	(void)state;
	s = pq_server_new(cfg, &lfd, 1, NULL, &err);
	if (s == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(pthread_create(&t, NULL, ask, &cl), 0);
	assert_int_equal(pq_server_run(s), 0);
	pthread_join(t, NULL);
	assert_string_equal(cl.answer, "action=DEFER_IF_PERMIT 4.3.0 "
			    "Retry later for Bob+x@Example.ORG\n\n");
	pq_server_free(&s);                 /* closes lfd, frees cfg */
	assert_null(s);
	assert_int_equal(open_fds(&highest), before);
}

/* fill_gaps - occupy every free descriptor number below the highest
 * open one, so that a budget of N means N new descriptors; how many */
static int
fill_gaps(int **fillers_r)
{
	int n = 0, fd, highest, *fillers;

	open_fds(&highest);
	fillers = calloc((size_t)highest + 1, sizeof(int));
	assert_non_null(fillers);
	*fillers_r = fillers;
	while (n <= highest && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		if (fd > highest) {
			close(fd);
			break;
		}
		fillers[n++] = fd;
	}
	return n;
}

static void
test_new_fails_cleanly(void **state)
{
	struct rlimit saved, rl;
	sigset_t none, mask;
	int highest, before, lfd, port, budget, failures = 0, *fillers, nfill, i;
	struct pq_server *s = NULL;

	(void)state;
	sigemptyset(&none);
	lfd = listener(&port);
	nfill = fill_gaps(&fillers);
	before = open_fds(&highest);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	for (budget = 0; budget < 16 && s == NULL; budget++) {
		struct pq_config *cfg = new_config("");
		struct mg_error err = { 0 };

		pthread_sigmask(SIG_SETMASK, &none, NULL);
		rl = saved;
		rl.rlim_cur = (rlim_t)(highest + 1 + budget);
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
		s = pq_server_new(cfg, &lfd, 1, NULL, &err);
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
		if (s != NULL)
			break;
		failures++;
		assert_int_not_equal(err.kind, MG_ERR_NONE);
		/* nothing taken, nothing left: same descriptors, same mask */
		assert_int_equal(open_fds(&highest), before);
		pthread_sigmask(SIG_SETMASK, NULL, &mask);
		assert_false(sigismember(&mask, SIGTERM));
		pq_config_release(cfg);
		free(cfg);
	}
	assert_non_null(s);
	/* epoll, signalfd, the backend's two eventfds: each one short */
	assert_int_equal(failures, 4);
	pq_server_free(&s);
	assert_int_equal(open_fds(&highest), before - 1);   /* lfd closed */
	for (i = 0; i < nfill; i++)
		close(fillers[i]);
	free(fillers);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_and_stop),
		cmocka_unit_test(test_new_fails_cleanly),
	};

	mg_log_init("test_pq_server", MG_LOG_TO_STDERR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
