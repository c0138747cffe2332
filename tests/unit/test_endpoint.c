/*
 * test_endpoint.c - the one "host:port" syntax (mg_endpoint_parse), as a
 * table of valid and invalid rows with the boundaries: port 1 and 65535,
 * a 255-byte host, a 107-byte socket path
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mg_endpoint.h"

#define U MG_EP_UNIX

struct row {
	const char *name;
	const char *in;
	unsigned flags;
	int default_port;      /* 0: a port is required */
	int ok;
	const char *host;      /* inet rows */
	int port;
	const char *path;      /* unix rows */
	const char *why;       /* invalid rows: part of the message */
};

static const struct row rows[] = {
	{ "ipv4", "127.0.0.1:6379", 0, 0, 1, "127.0.0.1", 6379, NULL, NULL },
	{ "name", "localhost:25", 0, 0, 1, "localhost", 25, NULL, NULL },
	{ "port 1", "h:1", 0, 0, 1, "h", 1, NULL, NULL },
	{ "port 65535", "h:65535", 0, 0, 1, "h", 65535, NULL, NULL },
	{ "bracketed v6", "[::1]:10031", 0, 0, 1, "::1", 10031, NULL, NULL },
	{ "bracketed name", "[redis.example]:6380", 0, 0, 1, "redis.example", 6380, NULL, NULL },
	{ "bare v6, last colon", "::1:25", 0, 0, 1, "::1", 25, NULL, NULL },
	{ "default port", "localhost", 0, 6379, 1, "localhost", 6379, NULL, NULL },
	{ "v6 default port", "[::1]", 0, 6379, 1, "::1", 6379, NULL, NULL },
	{ "explicit beats default", "h:6380", 0, 6379, 1, "h", 6380, NULL, NULL },
	{ "unix bare", "/run/redis.sock", U, 6379, 1, NULL, 0, "/run/redis.sock", NULL },
	{ "unix prefix", "unix:/run/redis.sock", U, 0, 1, NULL, 0, "/run/redis.sock", NULL },
	{ "port 0", "h:0", 0, 0, 0, NULL, 0, NULL, "bad port" },
	{ "port 65536", "h:65536", 0, 0, 0, NULL, 0, NULL, "bad port" },
	{ "port huge", "h:99999999999999999999", 0, 0, 0, NULL, 0, NULL, "bad port" },
	{ "port empty", "host:", 0, 6379, 0, NULL, 0, NULL, "bad port" },
	{ "port junk", "h:25x", 0, 0, 0, NULL, 0, NULL, "bad port" },
	{ "port sign", "h:+25", 0, 0, 0, NULL, 0, NULL, "bad port" },
	{ "port blank", "h: 25", 0, 0, 0, NULL, 0, NULL, "bad port" },
	{ "port name", "h:smtp", 0, 0, 0, NULL, 0, NULL, "bad port" },
	{ "port required", "localhost", 0, 0, 0, NULL, 0, NULL, "host:port" },
	{ "v6 port required", "[::1]", 0, 0, 0, NULL, 0, NULL, "host:port" },
	{ "no host", ":6379", 0, 0, 0, NULL, 0, NULL, "bad host" },
	{ "empty", "", 0, 6379, 0, NULL, 0, NULL, "bad host" },
	{ "empty brackets", "[]:25", 0, 0, 0, NULL, 0, NULL, "bad host" },
	{ "unclosed bracket", "[::1", 0, 6379, 0, NULL, 0, NULL, "missing ']'" },
	{ "junk after bracket", "[::1]25", 0, 0, 0, NULL, 0, NULL, "bad address" },
	{ "junk after bracket 2", "[::1]x", 0, 6379, 0, NULL, 0, NULL, "bad address" },
	{ "path not allowed", "/run/x.sock", 0, 0, 0, NULL, 0, NULL, "host:port" },
	{ "relative unix", "unix:relative.sock", U, 0, 0, NULL, 0, NULL, "absolute" },
};

static void
test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct mg_endpoint ep;
		struct mg_error err = { 0 };
		int rc = mg_endpoint_parse(r->in, r->flags, r->default_port, &ep, &err);

		if ((rc == 0) != r->ok)
			fail_msg("%s \"%s\": rc %d (%s)", r->name, r->in, rc, err.msg);
		if (rc < 0) {
			assert_int_equal(err.kind, MG_ERR_PARSE);
			if (strstr(err.msg, r->why) == NULL)
				fail_msg("%s: \"%s\" does not say \"%s\"", r->name, err.msg, r->why);
			continue;
		}
		assert_int_equal(ep.is_unix, r->path != NULL);
		if (r->path != NULL) {
			assert_string_equal(ep.path, r->path);
			continue;
		}
		if (strcmp(ep.host, r->host) != 0 || ep.port != r->port)
			fail_msg("%s: got %s port %d", r->name, ep.host, ep.port);
	}
}

/* test_lengths - the host and path buffers, at and past their size */
static void
test_lengths(void **state)
{
	char host[MG_EP_HOST_MAX + 8], in[MG_EP_HOST_MAX + 16];
	char path[MG_EP_PATH_MAX + 8];
	struct mg_endpoint ep;
	struct mg_error err;

	(void)state;
	memset(host, 'a', MG_EP_HOST_MAX - 1);
	host[MG_EP_HOST_MAX - 1] = '\0';                 /* 255 bytes: fits */
	snprintf(in, sizeof(in), "%s:25", host);
	assert_int_equal(mg_endpoint_parse(in, 0, 0, &ep, &err), 0);
	assert_int_equal(strlen(ep.host), MG_EP_HOST_MAX - 1);
	snprintf(in, sizeof(in), "[%s]:25", host);
	assert_int_equal(mg_endpoint_parse(in, 0, 0, &ep, &err), 0);
	snprintf(in, sizeof(in), "a%s:25", host);       /* 256 bytes */
	assert_int_equal(mg_endpoint_parse(in, 0, 0, &ep, &err), -1);
	assert_non_null(strstr(err.msg, "bad host"));

	path[0] = '/';
	memset(path + 1, 'p', MG_EP_PATH_MAX - 2);
	path[MG_EP_PATH_MAX - 1] = '\0';                 /* 107 bytes: fits */
	assert_int_equal(mg_endpoint_parse(path, MG_EP_UNIX, 0, &ep, &err), 0);
	assert_string_equal(ep.path, path);
	path[MG_EP_PATH_MAX - 1] = 'p';
	path[MG_EP_PATH_MAX] = '\0';                     /* 108 bytes */
	assert_int_equal(mg_endpoint_parse(path, MG_EP_UNIX, 0, &ep, &err), -1);
	assert_non_null(strstr(err.msg, "too long"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
