/*
 * test_daemon.c - listen specifications: parse table, real sockets
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "mg_daemon.h"

struct row { const char *spec; int ok; int is_unix; const char *host; int port; const char *milter; };

static void
test_parse(void **state)
{
	static const struct row rows[] = {
		{ "inet:127.0.0.1:10031", 1, 0, "127.0.0.1", 10031, "inet:10031@127.0.0.1" },
		{ "inet:localhost:1", 1, 0, "localhost", 1, "inet:1@localhost" },
		{ "inet:[::1]:65535", 1, 0, "::1", 65535, "inet6:65535@::1" },
		{ "inet:::1:10031", 1, 0, "::1", 10031, "inet6:10031@::1" },
		{ "unix:/run/mailguard/milter.sock", 1, 1, NULL, 0, "unix:/run/mailguard/milter.sock" },
		{ "inet:[::1]", 0, 0, NULL, 0, NULL },
		{ "inet:/run/x.sock", 0, 0, NULL, 0, NULL },
		{ "unix:", 0, 0, NULL, 0, NULL },
		{ "inet:127.0.0.1:0", 0, 0, NULL, 0, NULL },
		{ "inet:127.0.0.1:65536", 0, 0, NULL, 0, NULL },
		{ "inet:127.0.0.1", 0, 0, NULL, 0, NULL },
		{ "inet::25", 0, 0, NULL, 0, NULL },
		{ "inet:[::1]25", 0, 0, NULL, 0, NULL },
		{ "inet:h:25x", 0, 0, NULL, 0, NULL },
		{ "unix:relative.sock", 0, 0, NULL, 0, NULL },
		{ "127.0.0.1:25", 0, 0, NULL, 0, NULL },
		{ "", 0, 0, NULL, 0, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct mg_endpoint l;
		struct mg_error err;
		char m[200];
		int rc = mg_listen_parse(rows[i].spec, &l, &err);
		if ((rc == 0) != rows[i].ok)
			fail_msg("row %zu '%s': rc %d", i, rows[i].spec, rc);
		if (rc < 0) {
			assert_int_equal(err.kind, MG_ERR_CONFIG);
			continue;
		}
		assert_int_equal(l.is_unix, rows[i].is_unix);
		if (!l.is_unix) {
			assert_string_equal(l.host, rows[i].host);
			assert_int_equal(l.port, rows[i].port);
		}
		assert_int_equal(mg_listen_milter_spec(&l, m, sizeof(m), &err), 0);
		assert_string_equal(m, rows[i].milter);
	}
}

static void
test_open_unix(void **state)
{
	char dir[] = "/tmp/mg-test-daemon-XXXXXX", spec[160], path[100];
	struct mg_endpoint l;
	struct mg_error err;
	struct stat st;
	int fd, fd2;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	snprintf(spec, sizeof(spec), "unix:%s", path);
	assert_int_equal(mg_listen_parse(spec, &l, &err), 0);
	fd = mg_listen_open(&l, 16, 0660, &err);
	assert_true(fd >= 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	close(fd);
	/* a stale socket left behind is replaced */
	fd2 = mg_listen_open(&l, 16, 0600, &err);
	assert_true(fd2 >= 0);
	close(fd2);
	unlink(path);
	/* a regular file is never removed */
	fclose(fopen(path, "w"));
	assert_int_equal(mg_listen_open(&l, 16, 0600, &err), -1);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(path);
	rmdir(dir);
}

static void
test_open_inet(void **state)
{
	struct mg_endpoint l;
	struct mg_error err;
	int fd, fd2;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	(void)state;
	/* port 1 is privileged: unusable unless root; use parse then port 0 */
	assert_int_equal(mg_listen_parse("inet:127.0.0.1:1", &l, &err), 0);
	l.port = 0;      /* any free port */
	fd = mg_listen_open(&l, 16, 0, &err);
	assert_true(fd >= 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	/* the same port twice: a clear error, not a crash */
	l.port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	fd2 = mg_listen_open(&l, 16, 0, &err);
	assert_int_equal(fd2, -1);
	assert_int_equal(err.kind, MG_ERR_SYS);
	assert_non_null(strstr(err.msg, "Address already in use"));
	close(fd);
}

static void
test_drop_noop(void **state)
{
	struct mg_error err;

	(void)state;
	assert_int_equal(mg_drop_privileges("", &err), 0);
	assert_int_equal(mg_drop_privileges(NULL, &err), 0);
	assert_int_equal(mg_drop_privileges("no-such-user-mailguard-test", &err), -1);
	assert_int_equal(err.kind, MG_ERR_CONFIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_open_unix),
		cmocka_unit_test(test_open_inet),
		cmocka_unit_test(test_drop_noop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
