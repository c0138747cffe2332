/*
 * test_smtpc.c - mg_smtpc_send against a scripted SMTP server thread
 *
 * The server listens on 127.0.0.1:0 (a free port), answers per scenario,
 * and records what the client sent so the test can check CRLF conversion
 * and dot-stuffing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mg_smtpc.h"

enum scenario { OK, RCPT_REFUSED, SILENT, DATA_REFUSED, ONE_OF_TWO };

struct server {
	int lfd, port;
	enum scenario sc;
	char got[8192];
	size_t len;
};

static int
readline(int fd, char *buf, size_t sz, struct server *s)
{
	size_t n = 0;
	char c;

	while (n + 1 < sz && read(fd, &c, 1) == 1) {
		buf[n++] = c;
		if (s->len + 1 < sizeof(s->got))
			s->got[s->len++] = c;
		if (c == '\n')
			break;
	}
	buf[n] = '\0';
	return (int)n;
}

static void
say(int fd, const char *s)
{
	(void)!write(fd, s, strlen(s));
}

static void *
serve(void *arg)
{
	struct server *s = arg;
	char line[1024];
	int fd = accept(s->lfd, NULL, NULL), rcpts = 0;

	if (fd < 0)
		return NULL;
	if (s->sc == SILENT) {
		sleep(2);
		close(fd);
		return NULL;
	}
	say(fd, "220-test\r\n220 test ESMTP\r\n");
	while (readline(fd, line, sizeof(line), s) > 0) {
		if (strncmp(line, "EHLO", 4) == 0)
			say(fd, "250-test\r\n250 8BITMIME\r\n");
		else if (strncmp(line, "MAIL", 4) == 0)
			say(fd, "250 ok\r\n");
		else if (strncmp(line, "RCPT", 4) == 0) {
			rcpts++;
			say(fd, s->sc == RCPT_REFUSED || (s->sc == ONE_OF_TWO && rcpts == 1)
				? "550 5.1.1 no such user\r\n" : "250 ok\r\n");
		} else if (strncmp(line, "DATA", 4) == 0) {
			say(fd, "354 go\r\n");
			while (readline(fd, line, sizeof(line), s) > 0 &&
			       strcmp(line, ".\r\n") != 0)
				;
			say(fd, s->sc == DATA_REFUSED ? "554 5.7.1 no\r\n" : "250 queued\r\n");
		} else if (strncmp(line, "QUIT", 4) == 0) {
			say(fd, "221 bye\r\n");
			break;
		} else
			say(fd, "500 what\r\n");
	}
	close(fd);
	return NULL;
}

static void
start(struct server *s, enum scenario sc, pthread_t *t)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->sc = sc;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 1), 0);
	getsockname(s->lfd, (struct sockaddr *)&a, &al);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(t, NULL, serve, s), 0);
}

static void
test_scenarios(void **state)
{
	static const struct {
		enum scenario sc;
		size_t nrcpt;
		long long timeout;
		int rc;
		enum mg_err_kind kind;
		size_t accepted;
	} rows[] = {
		{ OK, 1, 5000, 0, MG_ERR_NONE, 1 },
		{ ONE_OF_TWO, 2, 5000, 0, MG_ERR_NONE, 1 },
		{ RCPT_REFUSED, 1, 5000, -1, MG_ERR_PARSE, 0 },
		{ DATA_REFUSED, 1, 5000, -1, MG_ERR_PARSE, 0 },
		{ SILENT, 1, 300, -1, MG_ERR_LIMIT, 0 },
	};
	const char *rcpts[] = { "a@x.test", "b@x.test" };
	const char *msg = "Subject: t\n\n.leading dot\nline\r\n..two\nlast";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct server s;
		struct mg_error err = { 0 };
		char hp[64];
		size_t acc = 99;
		pthread_t t;
		int rc;

		start(&s, rows[i].sc, &t);
		snprintf(hp, sizeof(hp), "127.0.0.1:%d", s.port);
		rc = mg_smtpc_send(hp, "", rcpts, rows[i].nrcpt, msg, strlen(msg),
				   rows[i].timeout, &acc, &err);
		if (rc != rows[i].rc)
			fail_msg("row %zu: rc %d (%s)", i, rc, err.msg);
		if (rc < 0)
			assert_int_equal(err.kind, rows[i].kind);
		assert_int_equal(acc, rows[i].accepted);
		pthread_join(t, NULL);
		close(s.lfd);
		if (rows[i].sc == OK) {
			s.got[s.len] = '\0';
			assert_non_null(strstr(s.got, "MAIL FROM:<>\r\n"));
			assert_non_null(strstr(s.got,
			    "Subject: t\r\n\r\n..leading dot\r\nline\r\n...two\r\nlast\r\n.\r\n"));
		}
	}
}

static void
test_bad_targets(void **state)
{
	struct mg_error err;
	const char *r[] = { "a@x" };
	struct server s;
	pthread_t t;
	char hp[64];
	int port;

	(void)state;
	assert_int_equal(mg_smtpc_send("nocolon", "", r, 1, "x", 1, 1000, NULL, &err), -1);
	assert_int_equal(err.kind, MG_ERR_PARSE);
	/* a port nobody listens on: take a free one and close it */
	start(&s, OK, &t);
	port = s.port;
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", port);
	/* serve the thread once so it exits, then the port is closed */
	assert_int_equal(mg_smtpc_send(hp, "", r, 1, "x", 1, 2000, NULL, &err), 0);
	pthread_join(t, NULL);
	close(s.lfd);
	assert_int_equal(mg_smtpc_send(hp, "", r, 1, "x", 1, 1000, NULL, &err), -1);
	assert_int_equal(err.kind, MG_ERR_SYS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_bad_targets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
