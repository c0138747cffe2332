/*
 * test_redis_client.c - common/mg_redis against a real redis-server:
 * AUTH (password and ACL user), SELECT, unix socket, command timeout,
 * a stuck server, a Redis restart (reconnect with the timeout re-applied),
 * backoff while down, pipelining, outages reported once each, a
 * subscription that can be told to stop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "mg_clock.h"
#include "mg_log.h"
#include "mg_redis.h"
#include "redis_server.h"

static const char *const server_args[] = {
	"--requirepass", "secret",
	"--user", "app", "on", ">apppass", "~mg:*", "&*", "+@all",
	NULL,
};

static struct test_redis srv = { .extra = server_args };

static void
settings(struct mg_redis_settings *s, char *server, size_t sz)
{
	snprintf(server, sz, "127.0.0.1:%d", srv.port);
	memset(s, 0, sizeof(*s));
	s->server = server;
	s->user = "";
	s->password = "secret";
	s->db = 0;
	s->connect_timeout_ms = 200;
	s->command_timeout_ms = 150;
	s->backoff_min_ms = 50;
	s->backoff_max_ms = 400;
}

static int
group_setup(void **state)
{
	(void)state;
	return test_redis_start(&srv);
}

static int
group_teardown(void **state)
{
	(void)state;
	test_redis_cleanup(&srv);
	return 0;
}

/* get_str - GET key, expecting a string reply */
static void
expect_get(struct mg_redis *r, const char *key, const char *want)
{
	struct mg_error err;
	redisReply *reply;

	if (mg_redis_command(r, &reply, &err, "GET %s", key) < 0)
		fail_msg("GET %s: %s", key, err.msg);
	if (want == NULL) {
		assert_int_equal(reply->type, REDIS_REPLY_NIL);
	} else {
		assert_int_equal(reply->type, REDIS_REPLY_STRING);
		assert_string_equal(reply->str, want);
	}
	freeReplyObject(reply);
}

static void
test_auth_and_select(void **state)
{
	struct mg_redis_settings s;
	struct mg_redis *r0, *r3, *bad;
	struct mg_error err;
	char server[64];

	(void)state;
	settings(&s, server, sizeof(server));
	r0 = mg_redis_new(&s);
	s.db = 3;
	r3 = mg_redis_new(&s);
	assert_int_equal(mg_redis_command(r3, NULL, &err, "SET mg:t:db %s", "three"), 0);
	expect_get(r3, "mg:t:db", "three");
	expect_get(r0, "mg:t:db", NULL);          /* another database */
	assert_true(mg_redis_is_connected(r0));

	s.password = "wrong";
	bad = mg_redis_new(&s);
	assert_int_equal(mg_redis_command(bad, NULL, &err, "PING"), -1);
	assert_int_equal(err.kind, MG_ERR_REDIS_AUTH);
	assert_false(mg_redis_is_connected(bad));
	mg_redis_free(&bad);
	assert_null(bad);
	mg_redis_free(&r0);
	mg_redis_free(&r3);
}

static void
test_acl_user(void **state)
{
	struct mg_redis_settings s;
	struct mg_redis *r;
	struct mg_error err;
	char server[64];

	(void)state;
	settings(&s, server, sizeof(server));
	s.user = "app";
	s.password = "apppass";
	r = mg_redis_new(&s);
	assert_int_equal(mg_redis_command(r, NULL, &err, "SET mg:t:acl 1"), 0);
	/* the ACL only allows mg:* keys: a server error reply, connection kept */
	assert_int_equal(mg_redis_command(r, NULL, &err, "SET other 1"), -1);
	assert_int_equal(err.kind, MG_ERR_REDIS_REPLY);
	assert_true(mg_redis_is_connected(r));
	expect_get(r, "mg:t:acl", "1");
	mg_redis_free(&r);
}

static void
test_unix_socket(void **state)
{
	struct mg_redis_settings s;
	struct mg_redis *r;
	struct mg_error err;
	char server[64], path[160];

	(void)state;
	settings(&s, server, sizeof(server));
	snprintf(path, sizeof(path), "unix:%s", srv.sock);
	s.server = path;
	assert_int_equal(mg_redis_settings_check(&s, &err), 0);
	r = mg_redis_new(&s);
	assert_int_equal(mg_redis_command(r, NULL, &err, "SET mg:t:unix %b", "u\0x", (size_t)3), 0);
	{
		const char *argv[] = { "STRLEN", "mg:t:unix" };
		redisReply *reply;
		assert_int_equal(mg_redis_commandargv(r, &reply, &err, 2, argv, NULL), 0);
		assert_int_equal(reply->integer, 3);
		freeReplyObject(reply);
	}
	assert_string_equal(mg_redis_describe(r), srv.sock);
	/* a static server: no sentinel to name */
	assert_int_equal(mg_redis_sentinel(r, path, sizeof(path)), 0);
	assert_string_equal(path, "");
	mg_redis_free(&r);
}

/* pause_server - CLIENT PAUSE from an independent connection */
static void
pause_server(int ms)
{
	struct mg_redis_settings s;
	struct mg_redis *admin;
	struct mg_error err;
	char server[64];

	settings(&s, server, sizeof(server));
	admin = mg_redis_new(&s);
	if (mg_redis_command(admin, NULL, &err, "CLIENT PAUSE %d ALL", ms) < 0)
		fail_msg("CLIENT PAUSE: %s", err.msg);
	mg_redis_free(&admin);
}

/* expect_timeout - a command on r times out promptly instead of hanging
 * for the whole pause, and the next command gets its own answer */
static void
expect_timeout(struct mg_redis *r)
{
	struct mg_error err;
	long long t0;

	pause_server(1500);
	t0 = mg_now_ms();
	assert_int_equal(mg_redis_command(r, NULL, &err, "SET mg:t:late late"), -1);
	assert_int_equal(err.kind, MG_ERR_REDIS_TIMEOUT);
	assert_true(mg_now_ms() - t0 < 1200);         /* not the 1.5 s pause */
	assert_false(mg_redis_is_connected(r));      /* context thrown away */
}

static void
test_timeout_and_recovery(void **state)
{
	struct mg_redis_settings s;
	struct mg_redis *r;
	struct mg_error err;
	char server[64];
	int i, ok = 0;

	(void)state;
	settings(&s, server, sizeof(server));
	r = mg_redis_new(&s);
	assert_int_equal(mg_redis_command(r, NULL, &err, "SET mg:t:v before"), 0);
	expect_timeout(r);
	/* during backoff: fails at once with REDIS_DOWN, no network wait */
	assert_int_equal(mg_redis_command(r, NULL, &err, "PING"), -1);
	assert_int_equal(err.kind, MG_ERR_REDIS_DOWN);
	for (i = 0; i < 100 && !ok; i++) {
		redisReply *reply;
		usleep(50000);
		if (mg_redis_command(r, &reply, &err, "GET mg:t:v") == 0) {
			/* our own answer, never the late "OK" of the SET */
			assert_int_equal(reply->type, REDIS_REPLY_STRING);
			assert_true(strcmp(reply->str, "before") == 0 ||
				    strcmp(reply->str, "late") == 0);
			freeReplyObject(reply);
			ok = 1;
		}
	}
	assert_true(ok);
	mg_redis_free(&r);
}

static void
test_restart(void **state)
{
	struct mg_redis_settings s;
	struct mg_redis *r;
	struct mg_error err;
	char server[64];
	int i, ok = 0;

	(void)state;
	settings(&s, server, sizeof(server));
	r = mg_redis_new(&s);
	assert_int_equal(mg_redis_command(r, NULL, &err, "SET mg:t:r 1"), 0);
	test_redis_stop(&srv);
	assert_int_equal(mg_redis_command(r, NULL, &err, "PING"), -1);
	assert_true(err.kind == MG_ERR_REDIS_DOWN || err.kind == MG_ERR_REDIS_TIMEOUT);
	assert_int_equal(mg_redis_command(r, NULL, &err, "PING"), -1);
	assert_int_equal(err.kind, MG_ERR_REDIS_DOWN);
	assert_int_equal(test_redis_start(&srv), 0);   /* same port */
	for (i = 0; i < 100 && !ok; i++) {
		if (mg_redis_command(r, NULL, &err, "SET mg:t:r 2") == 0)
			ok = 1;
		else
			usleep(50000);
	}
	assert_true(ok);
	expect_get(r, "mg:t:r", "2");
	/* the command timeout is in force on the new connection too */
	expect_timeout(r);
	mg_redis_free(&r);
	/* let the pause end before the next test */
	usleep(1600 * 1000);
}

/* the lines the client logs, captured through the log backend */
struct captured {
	char lines[8][512];
	int n;
};

static void
capture(void *ctx, enum mg_log_level level, const char *line)
{
	struct captured *c = ctx;

	if (c->n < 8)
		snprintf(c->lines[c->n], sizeof(c->lines[0]), "%d %s", (int)level, line);
	c->n++;
}

/* until_up - retry PING until the server answers (about 5 s at most) */
static int
until_up(struct mg_redis *r)
{
	struct mg_error err;
	int i;

	for (i = 0; i < 100; i++) {
		if (mg_redis_command(r, NULL, &err, "PING") == 0)
			return 0;
		usleep(50000);
	}
	return -1;
}

static void
test_outage_reported_once(void **state)
{
	struct mg_redis_settings s;
	struct mg_redis *r, *quiet;
	struct mg_error err;
	struct captured log = { .n = 0 };
	char server[64], back[128];
	int i;

	(void)state;
	settings(&s, server, sizeof(server));
	r = mg_redis_new(&s);
	quiet = mg_redis_new(&s);
	mg_redis_set_outage_text(r, "testing without Redis");
	mg_redis_set_quiet(quiet, true);
	mg_log_set_backend(capture, &log);
	assert_int_equal(mg_redis_command(r, NULL, &err, "SET mg:t:o 1"), 0);
	/* an error reply is an answer, not an outage */
	assert_int_equal(mg_redis_command(r, NULL, &err, "HGET mg:t:o f"), -1);
	assert_int_equal(err.kind, MG_ERR_REDIS_REPLY);
	assert_int_equal(log.n, 0);
	test_redis_stop(&srv);
	for (i = 0; i < 5; i++) {        /* the first fails, the others back off */
		assert_int_equal(mg_redis_command(r, NULL, &err, "PING"), -1);
		assert_int_equal(mg_redis_command(quiet, NULL, &err, "PING"), -1);
	}
	assert_int_equal(log.n, 1);
	assert_non_null(strstr(log.lines[0],
	    "redis unavailable, testing without Redis until it is back: redis 127.0.0.1:"));
	assert_int_equal(log.lines[0][0] - '0', MG_LOG_WARNING);
	assert_int_equal(test_redis_start(&srv), 0);   /* same port */
	assert_int_equal(until_up(r), 0);
	assert_int_equal(until_up(quiet), 0);
	assert_int_equal(mg_redis_command(r, NULL, &err, "PING"), 0);
	mg_log_set_backend(NULL, NULL);
	assert_int_equal(log.n, 2);
	snprintf(back, sizeof(back), "%d redis available again at %s after ",
		 (int)MG_LOG_INFO, server);
	if (strncmp(log.lines[1], back, strlen(back)) != 0 ||
	    strcmp(log.lines[1] + strlen(log.lines[1]) - 2, " s") != 0)
		fail_msg("got \"%s\"", log.lines[1]);
	mg_redis_free(&r);
	mg_redis_free(&quiet);
}

static void
test_subscription_stops(void **state)
{
	struct mg_redis_settings s;
	struct mg_redis *sub, *pub;
	struct mg_error err;
	char server[64], payload[64];
	uint64_t one = 1;
	int efd = eventfd(0, EFD_CLOEXEC);
	long long t0;

	(void)state;
	assert_true(efd >= 0);
	settings(&s, server, sizeof(server));
	sub = mg_redis_new(&s);
	pub = mg_redis_new(&s);
	assert_int_equal(mg_redis_subscribe(sub, "mg:t:chan", &err), 0);
	assert_int_equal(mg_redis_command(pub, NULL, &err, "PUBLISH mg:t:chan a@x"), 0);
	assert_int_equal(mg_redis_command(pub, NULL, &err, "PUBLISH mg:t:chan b@x"), 0);
	/* both messages, the second one possibly read with the first */
	assert_int_equal(mg_redis_read_message(sub, payload, sizeof(payload), efd, &err), 1);
	assert_string_equal(payload, "a@x");
	assert_int_equal(mg_redis_read_message(sub, payload, sizeof(payload), efd, &err), 1);
	assert_string_equal(payload, "b@x");
	/* nothing more published: the stop descriptor ends the wait */
	assert_int_equal(write(efd, &one, sizeof(one)), (ssize_t)sizeof(one));
	t0 = mg_now_ms();
	assert_int_equal(mg_redis_read_message(sub, payload, sizeof(payload), efd, &err), 0);
	assert_true(mg_now_ms() - t0 < 1000);
	assert_true(mg_redis_is_connected(sub));
	close(efd);
	mg_redis_free(&sub);
	mg_redis_free(&pub);
}

static void
test_idle_connection_killed(void **state)
{
	struct mg_redis_settings s;
	struct mg_redis *r, *admin;
	struct mg_error err;
	char server[64];

	(void)state;
	settings(&s, server, sizeof(server));
	r = mg_redis_new(&s);
	admin = mg_redis_new(&s);
	assert_int_equal(mg_redis_command(r, NULL, &err, "CLIENT SETNAME victim"), 0);
	assert_int_equal(mg_redis_command(admin, NULL, &err, "CLIENT KILL SKIPME yes TYPE normal"), 0);
	/* the server closed r's idle connection: retried once, transparently */
	assert_int_equal(mg_redis_command(r, NULL, &err, "SET mg:t:k 1"), 0);
	mg_redis_free(&r);
	mg_redis_free(&admin);
}

static void
test_pipeline(void **state)
{
	struct mg_redis_settings s;
	struct mg_redis *r;
	struct mg_error err;
	char server[64];
	const char *set1[] = { "SET", "mg:t:p1", "a" };
	const char *set2[] = { "INCR", "mg:t:p1" };       /* error reply */
	const char *get1[] = { "GET", "mg:t:p1" };
	const char *const *argvs[] = { set1, set2, get1 };
	int argcs[] = { 3, 2, 2 };
	redisReply *replies[3];

	(void)state;
	settings(&s, server, sizeof(server));
	r = mg_redis_new(&s);
	assert_int_equal(mg_redis_pipeline(r, 3, argcs, argvs, NULL, replies, &err), 0);
	assert_int_equal(replies[0]->type, REDIS_REPLY_STATUS);
	assert_int_equal(replies[1]->type, REDIS_REPLY_ERROR);
	assert_string_equal(replies[2]->str, "a");
	for (int i = 0; i < 3; i++)
		freeReplyObject(replies[i]);
	mg_redis_free(&r);
}

static void
test_settings_check(void **state)
{
	static const struct { const char *server; int ok; } rows[] = {
		{ "127.0.0.1:6379", 1 }, { "localhost", 1 }, { "/run/redis.sock", 1 },
		{ "unix:/run/redis.sock", 1 }, { "[::1]:6380", 1 }, { "[::1]", 1 },
		{ "", 0 }, { "host:", 0 }, { "host:0", 0 }, { "host:65536", 0 },
		{ "host:12x", 0 }, { ":6379", 0 }, { "[::1", 0 }, { "[::1]x", 0 },
	};
	struct mg_redis_settings s;
	struct mg_error err;
	char server[64];
	size_t i;

	(void)state;
	settings(&s, server, sizeof(server));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		s.server = (char *)rows[i].server;
		if ((mg_redis_settings_check(&s, &err) == 0) != rows[i].ok)
			fail_msg("server '%s'", rows[i].server);
	}
	s.server = server;
	s.user = "app";
	s.password = "";
	assert_int_equal(mg_redis_settings_check(&s, &err), -1);
	/* sentinels: each address checked, a master name needed */
	s.user = "";
	s.server = "";
	s.sentinel_master = "mailguard";
	s.sentinels = "127.0.0.1:26379, [::1]:26379 /run/sentinel.sock";
	assert_int_equal(mg_redis_settings_check(&s, &err), 0);
	s.sentinels = "127.0.0.1:26379 host:0";
	assert_int_equal(mg_redis_settings_check(&s, &err), -1);
	assert_non_null(strstr(err.msg, "redis_sentinels: bad port"));
	s.sentinels = "127.0.0.1:26379";
	s.sentinel_master = "";
	assert_int_equal(mg_redis_settings_check(&s, &err), -1);
}

/* raw - a command straight to a server, for set-up and checks */
static redisReply *
raw(int port, const char *fmt, ...)
{
	struct timeval tv = { 2, 0 };
	redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
	redisReply *reply = NULL;
	va_list ap;

	if (c != NULL && !c->err) {
		(void)redisSetTimeout(c, tv);
		va_start(ap, fmt);
		reply = redisvCommand(c, fmt, ap);
		va_end(ap);
	}
	if (c != NULL)
		redisFree(c);
	return reply;
}

static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* sentinel_master_port - the port the sentinel names for "mailguard" */
static int
sentinel_master_port(int sport)
{
	redisReply *x = raw(sport, "SENTINEL get-master-addr-by-name mailguard");
	int port = -1;

	if (x != NULL && x->type == REDIS_REPLY_ARRAY && x->elements == 2)
		port = atoi(x->element[1]->str);
	if (x != NULL)
		freeReplyObject(x);
	return port;
}

/* Redis Sentinel: a master, its replica, one sentinel.  The client finds
 * the master through the sentinels (the first one listed is dead), and
 * after a failover it writes to the new master */
static void
test_sentinel(void **state)
{
	struct test_redis m = { 0 }, rep = { 0 }, sen = { 0 };
	const char *rargs[4] = { "--replicaof", "127.0.0.1", NULL, NULL };
	char mport[16], sentinels[64], want[32], which[64];
	struct mg_redis_settings set;
	struct mg_redis *r;
	struct mg_error err;
	redisReply *x;
	long long deadline;
	int ok;

	(void)state;
	assert_int_equal(test_redis_start(&m), 0);
	snprintf(mport, sizeof(mport), "%d", m.port);
	rargs[2] = mport;
	rep.extra = rargs;
	assert_int_equal(test_redis_start(&rep), 0);
	assert_int_equal(test_sentinel_start(&sen, m.port), 0);
	snprintf(sentinels, sizeof(sentinels), "127.0.0.1:%d, 127.0.0.1:%d",
		 test_redis_pick_port(), sen.port);
	memset(&set, 0, sizeof(set));
	set.server = "";
	set.user = set.password = set.sentinel_password = "";
	set.sentinels = sentinels;
	set.sentinel_master = "mailguard";
	set.connect_timeout_ms = 200;
	set.command_timeout_ms = 300;
	set.backoff_min_ms = 50;
	set.backoff_max_ms = 400;
	assert_int_equal(mg_redis_settings_check(&set, &err), 0);
	r = mg_redis_new(&set);
	assert_non_null(r);
	assert_int_equal(mg_redis_sentinel(r, which, sizeof(which)), 0);
	assert_string_equal(which, "");        /* not connected yet */
	if (mg_redis_command(r, NULL, &err, "SET mg:sentinel one") < 0)
		fail_msg("through the sentinel: %s", err.msg);
	snprintf(want, sizeof(want), "127.0.0.1:%d", m.port);
	assert_string_equal(mg_redis_describe(r), want);
	/* the first sentinel listed is dead: the second one answered */
	assert_int_equal(mg_redis_sentinel(r, which, sizeof(which)), 1);
	snprintf(want, sizeof(want), "127.0.0.1:%d", sen.port);
	assert_string_equal(which, want);

	/* the sentinel learns of the replica from the master (INFO, every
	 * 10 s); a forced failover is refused until then */
	deadline = mg_now_ms() + 40000;
	for (ok = 0; !ok; nap(300)) {
		assert_true(mg_now_ms() < deadline);
		x = raw(sen.port, "SENTINEL FAILOVER mailguard");
		ok = x != NULL && x->type == REDIS_REPLY_STATUS;
		if (x != NULL)
			freeReplyObject(x);
	}
	while (sentinel_master_port(sen.port) != rep.port) {
		assert_true(mg_now_ms() < deadline);
		nap(100);
	}
	/* the old master goes on answering until the sentinel demotes it
	 * (then READONLY drops the connection): writes reach the new one */
	snprintf(want, sizeof(want), "127.0.0.1:%d", rep.port);
	while (mg_redis_command(r, NULL, &err, "SET mg:sentinel two") < 0 ||
	       strcmp(mg_redis_describe(r), want) != 0) {
		assert_true(mg_now_ms() < deadline);
		nap(100);
	}
	x = raw(rep.port, "GET mg:sentinel");
	assert_non_null(x);
	assert_int_equal(x->type, REDIS_REPLY_STRING);
	assert_string_equal(x->str, "two");
	freeReplyObject(x);
	mg_redis_free(&r);

	/* a name the sentinels do not monitor: a clear error */
	set.sentinel_master = "nosuch";
	r = mg_redis_new(&set);
	assert_int_equal(mg_redis_command(r, NULL, &err, "PING"), -1);
	assert_non_null(strstr(err.msg, "no master named \"nosuch\""));
	mg_redis_free(&r);
	/* every sentinel down: down, with backoff */
	test_redis_stop(&sen);
	set.sentinel_master = "mailguard";
	r = mg_redis_new(&set);
	assert_int_equal(mg_redis_command(r, NULL, &err, "PING"), -1);
	assert_int_equal(err.kind, MG_ERR_REDIS_DOWN);
	assert_int_equal(mg_redis_command(r, NULL, &err, "PING"), -1);
	assert_non_null(strstr(err.msg, "next attempt in"));
	mg_redis_free(&r);
	test_redis_cleanup(&sen);
	test_redis_cleanup(&rep);
	test_redis_cleanup(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings_check),
		cmocka_unit_test(test_auth_and_select),
		cmocka_unit_test(test_acl_user),
		cmocka_unit_test(test_unix_socket),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_idle_connection_killed),
		cmocka_unit_test(test_timeout_and_recovery),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_outage_reported_once),
		cmocka_unit_test(test_subscription_stops),
		cmocka_unit_test(test_sentinel),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
