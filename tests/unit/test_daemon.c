/*
 * test_daemon.c - listen specifications: parse table, real sockets; the
 * daemons' command line
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "mg_daemon.h"
#include "mg_version.h"

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

/* parse_quiet - mg_daemon_args_parse on the words (a NULL ends them
 * before max), the usage it prints on errors thrown away */
static int
parse_quiet(const char *const *words, int max, struct mg_daemon_args *a)
{
	char *argv[10];
	int argc, ret, saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);

	for (argc = 0; argc < max && argc < 9 && words[argc] != NULL; argc++)
		argv[argc] = (char *)words[argc];   /* getopt may permute them */
	argv[argc] = NULL;
	optind = 0;                 /* glibc: start a new scan */
	dup2(devnull, STDERR_FILENO);
	ret = mg_daemon_args_parse(argc, argv, "d",
				   "/nonexistent/mailguard-test.conf", a);
	dup2(saved, STDERR_FILENO);
	close(devnull);
	close(saved);
	return ret;
}

/* the daemons' command line: one row per argument vector */
struct args_row {
	const char *name;
	const char *argv[6];
	int ret;                    /* mg_daemon_args_parse's result */
	const char *config;         /* expected -c (NULL: none) */
	bool check, log_stderr, debug;
	bool quiet;
};

static void
test_args(void **state)
{
	static const struct args_row rows[] = {
		{ "nothing: defaults (no such default file)", { "d" }, 0, NULL, 0, 0, 0, 0 },
		{ "every flag", { "d", "-c", "/x.conf", "-t", "-f", "-d" }, 0, "/x.conf", 1, 1, 1, 0 },
		{ "flags grouped", { "d", "-tfd" }, 0, NULL, 1, 1, 1, 0 },
		{ "-c glued", { "d", "-c/y.conf" }, 0, "/y.conf", 0, 0, 0, 0 },
		{ "-h: the usage, exit 0", { "d", "-h" }, 1, NULL, 0, 0, 0, 0 },
		{ "unknown option", { "d", "-x" }, -1, NULL, 0, 0, 0, 0 },
		{ "-c without its file", { "d", "-c" }, -1, NULL, 0, 0, 0, 0 },
		{ "a stray argument", { "d", "-t", "extra" }, -1, NULL, 0, 0, 0, 0 },
		{ "the old MA_DEBUG style has no word form", { "d", "--debug" }, -1, NULL, 0, 0, 0, 0 },
		{ "-t -q: a quiet check", { "d", "-t", "-q" }, 0, NULL, 1, 0, 0, 1 },
		{ "-q alone means nothing", { "d", "-q" }, -1, NULL, 0, 0, 0, 0 },
		{ "-V: the version, exit 0", { "d", "-V" }, 1, NULL, 0, 0, 0, 0 },
		{ "-V wins over the flags before it", { "d", "-t", "-V" }, 1, NULL, 0, 0, 0, 0 },
		{ "-c FILE -V: the version, no file read", { "d", "-c", "/nonexistent.conf", "-V" }, 1, NULL, 0, 0, 0, 0 },
	};
	struct mg_daemon_args a;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct args_row *r = &rows[i];

		ret = parse_quiet(r->argv, 6, &a);
		if (ret != r->ret)
			fail_msg("%s: returned %d, want %d", r->name, ret, r->ret);
		if (ret != 0)
			continue;
		if ((r->config == NULL) != (a.config == NULL) ||
		    (r->config != NULL && strcmp(r->config, a.config) != 0))
			fail_msg("%s: config %s", r->name, a.config ? a.config : "(null)");
		if (a.check != r->check || a.log_stderr != r->log_stderr ||
		    a.debug != r->debug || a.quiet != r->quiet)
			fail_msg("%s: flags t=%d f=%d d=%d", r->name, a.check,
				 a.log_stderr, a.debug);
	}
}

/* the offline test (-T) and the probe (-t --probe): one row per vector */
struct test_args_row {
	const char *name;
	const char *argv[9];
	int ret;
	const char *test;           /* expected -T (NULL: none) */
	int n_words;
	const char *last_word;      /* the last of them, when any */
	bool json, probe;
};

static void
test_args_offline(void **state)
{
	static const struct test_args_row rows[] = {
		{ "-T FILE", { "d", "-T", "m.eml" }, 0, "m.eml", 0, NULL, 0, 0 },
		{ "-T - (stdin)", { "d", "-T", "-" }, 0, "-", 0, NULL, 0, 0 },
		{ "-T with --json and -c", { "d", "-c", "x.conf", "-T", "m.eml", "--json" },
		  0, "m.eml", 0, NULL, 1, 0 },
		{ "-T RCPT SENDER SIZE NAME=VALUE", { "d", "-T", "a@b", "s@c", "100",
		  "sasl_username=alice" }, 0, "a@b", 3, "sasl_username=alice", 0, 0 },
		{ "words before the options", { "d", "-T", "a@b", "s@c", "-c", "x.conf" },
		  0, "a@b", 1, "s@c", 0, 0 },
		{ "-T without its argument", { "d", "-T" }, -1, NULL, 0, NULL, 0, 0 },
		{ "-T and -t together", { "d", "-t", "-T", "m.eml" }, -1, NULL, 0, NULL, 0, 0 },
		{ "--json without -T", { "d", "--json" }, -1, NULL, 0, NULL, 0, 0 },
		{ "-t --probe", { "d", "-t", "--probe" }, 0, NULL, 0, NULL, 0, 1 },
		{ "--probe without -t", { "d", "--probe" }, -1, NULL, 0, NULL, 0, 0 },
		{ "--prob: an unambiguous prefix", { "d", "-t", "--prob" }, 0, NULL, 0, NULL, 0, 1 },
		{ "an unknown long option", { "d", "-t", "--probes" }, -1, NULL, 0, NULL, 0, 0 },
	};
	struct mg_daemon_args a;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct test_args_row *r = &rows[i];

		ret = parse_quiet(r->argv, 9, &a);
		if (ret != r->ret)
			fail_msg("%s: returned %d, want %d", r->name, ret, r->ret);
		if (ret != 0)
			continue;
		if ((r->test == NULL) != (a.test == NULL) ||
		    (r->test != NULL && strcmp(r->test, a.test) != 0))
			fail_msg("%s: test %s", r->name, a.test ? a.test : "(null)");
		if (a.n_words != r->n_words || a.json != r->json || a.probe != r->probe)
			fail_msg("%s: words=%d json=%d probe=%d", r->name, a.n_words,
				 a.json, a.probe);
		if (r->last_word != NULL &&
		    strcmp(a.words[a.n_words - 1], r->last_word) != 0)
			fail_msg("%s: last word %s", r->name, a.words[a.n_words - 1]);
	}
}

/* the default file is taken when it exists and -c is not given */
static void
test_args_default_file(void **state)
{
	char path[] = "/tmp/mg-test-daemon-XXXXXX";
	char *argv[] = { (char *)"d", NULL };
	struct mg_daemon_args a;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	optind = 0;
	assert_int_equal(mg_daemon_args_parse(1, argv, "d", path, &a), 0);
	assert_non_null(a.config);
	assert_string_equal(a.config, path);
	unlink(path);
}

/* parse_stdout - run the parser on argv with stdout captured in out */
static int
parse_stdout(char **argv, int argc, char *out, size_t outsz)
{
	char path[] = "/tmp/mg-test-daemon-out-XXXXXX";
	struct mg_daemon_args a;
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO), ret;
	ssize_t n;

	assert_true(fd >= 0);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	optind = 0;
	ret = mg_daemon_args_parse(argc, argv, "policyd-quota",
				   "/nonexistent/mailguard-test.conf", &a);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = pread(fd, out, outsz - 1, 0);
	out[n < 0 ? 0 : n] = '\0';
	close(fd);
	unlink(path);
	return ret;
}

/* -V prints "NAME (mailguard) VERSION" on stdout; -h names -V */
static void
test_args_version(void **state)
{
	char *v[] = { (char *)"policyd-quota", (char *)"-V", NULL };
	char *h[] = { (char *)"policyd-quota", (char *)"-h", NULL };
	char out[1024], want[128];

	(void)state;
	assert_int_equal(parse_stdout(v, 2, out, sizeof(out)), 1);
	snprintf(want, sizeof(want), "policyd-quota (mailguard) %s\n", MG_VERSION);
	assert_string_equal(out, want);
	/* the version is digits and dots, from CMake's project() */
	assert_true(strlen(MG_VERSION) >= 5);
	assert_int_equal(strspn(MG_VERSION, "0123456789."), strlen(MG_VERSION));
	assert_int_equal(parse_stdout(h, 2, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "[-V]"));
	assert_non_null(strstr(out, MG_VERSION));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_open_unix),
		cmocka_unit_test(test_open_inet),
		cmocka_unit_test(test_drop_noop),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_args_offline),
		cmocka_unit_test(test_args_default_file),
		cmocka_unit_test(test_args_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
