/*
 * test_pq_backend_jobs.c - what each backend job asks Redis and how it
 * reads the answers: the commands built per kind and round (as text),
 * and replies written by hand run through the parsers
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pq_backend_jobs.h"

static struct mg_keys keys;

/* joined - the commands as "ARG ARG|ARG ARG" */
static const char *
joined(const struct pq_cmd *cmds, size_t n)
{
	static char out[2048];
	size_t i, o = 0;
	int a;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		for (a = 0; a < cmds[i].argc; a++)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s",
					      a == 0 ? (i ? "|" : "") : " ",
					      cmds[i].argv[a]);
	return out;
}

static void
test_build(void **state)
{
	static const struct {
		const char *name;
		enum pq_job_kind kind;
		int round;
		unsigned ntargets;
		const char *want;
	} rows[] = {
		{ "lookup, round 1", PQ_JOB_LOOKUP, 0, 0,
		  "SMEMBERS mg:v1:alias:{bob@example.org}|HGETALL mg:v1:quota:{bob@example.org}" },
		{ "lookup, round 2, one target", PQ_JOB_LOOKUP, 1, 1,
		  "HGETALL mg:v1:quota:{box@example.org}" },
		{ "lookup, round 2, a list", PQ_JOB_LOOKUP, 1, 3, "" },
		{ "lookup, round 2, no alias", PQ_JOB_LOOKUP, 1, 0, "" },
		{ "defer", PQ_JOB_DEFER, 0, 0,
		  "SET mg:v1:defer:{bob@example.org}:0123456789abcdef0123456789abcdef 1700000000 NX EX 518400"
		  "|GET mg:v1:defer:{bob@example.org}:0123456789abcdef0123456789abcdef"
		  "|HSET mg:v1:deferinfo:{bob@example.org}:0123456789abcdef0123456789abcdef"
		  " sender <Al@Example.com> size 4096 rcpt Bob+x@Example.org"
		  "|EXPIRE mg:v1:deferinfo:{bob@example.org}:0123456789abcdef0123456789abcdef"
		  " 518400 NX" },
		{ "defer, round 2", PQ_JOB_DEFER, 1, 0, "" },
		{ "stats: moved counters only", PQ_JOB_STATS, 0, 0,
		  "HINCRBY mg:v1:stats:policyd-quota:mx1 requests 5"
		  "|HINCRBY mg:v1:stats:policyd-quota:mx1 refused_input 1" },
		{ "stats, round 2", PQ_JOB_STATS, 1, 0, "" },
		{ "defer peek (-T): a GET, no SET", PQ_JOB_DEFER_PEEK, 0, 0,
		  "GET mg:v1:defer:{bob@example.org}:0123456789abcdef0123456789abcdef" },
		{ "defer peek, round 2", PQ_JOB_DEFER_PEEK, 1, 0, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pq_cmd cmds[PQ_STATS_N];
		struct pq_job j;
		size_t n;

		memset(&j, 0, sizeof(j));
		j.kind = rows[i].kind;
		/* STATS: addr is the host of the per-host hash */
		snprintf(j.addr, sizeof(j.addr), "%s",
			 j.kind == PQ_JOB_STATS ? "mx1" : "bob@example.org");
		snprintf(j.target, sizeof(j.target), "box@example.org");
		snprintf(j.id, sizeof(j.id), "0123456789abcdef0123456789abcdef");
		j.ntargets = rows[i].ntargets;
		j.now = 1700000000;
		j.ttl = 518400;
		snprintf(j.sender, sizeof(j.sender), "<Al@Example.com>");
		snprintf(j.rcpt, sizeof(j.rcpt), "Bob+x@Example.org");
		j.size = 4096;
		j.stats[0] = 5;
		j.stats[PQ_STATS_N - 1] = 1;
		n = pq_job_build(&keys, &j, rows[i].round, cmds);
		assert_true(n <= pq_job_max_cmds(j.kind));
		if (strcmp(joined(cmds, n), rows[i].want) != 0)
			fail_msg("%s: got \"%s\"", rows[i].name, joined(cmds, n));
	}
}

/* mk - a reply written by hand (from a pool: valid for one test) */
static redisReply *
mk(int type, const char *str, redisReply **elements, size_t n)
{
	static redisReply pool[32];
	static int k;
	redisReply *p = &pool[k++ % 32];

	memset(p, 0, sizeof(*p));
	p->type = type;
	p->str = (char *)str;
	p->len = str != NULL ? strlen(str) : 0;
	p->element = elements;
	p->elements = n;
	return p;
}

#define str(s) mk(REDIS_REPLY_STRING, (s), NULL, 0)
#define array(e, n) mk(REDIS_REPLY_ARRAY, NULL, (e), (n))
#define of_type(t, s) mk((t), (s), NULL, 0)

static void
test_parse_lookup(void **state)
{
	redisReply *one[] = { str("box@example.org") };
	redisReply *two[] = { str("a@example.org"), str("b@example.org") };
	redisReply *hash[] = { str("bytes"), str("900"), str("bytes_limit"), str("1000"),
			       str("msgs"), str("3"), str("updated"), str("1700000000") };
	redisReply *none = array(NULL, 0), *quota = array(hash, 8);
	redisReply *wrong = of_type(REDIS_REPLY_ERROR, "WRONGTYPE Operation against a key");
	const struct {
		const char *name;
		redisReply *alias, *quota, *target_quota;  /* round 2 when set */
		int failed;
		unsigned ntargets;
		const char *target;
		int found;
		long long bytes;
	} rows[] = {
		{ "not an alias: its own quota", none, quota, NULL, 0, 0, "", 1, 900 },
		{ "no state", none, none, NULL, 0, 0, "", 0, 0 },
		{ "one target: round 2 reads its quota", array(one, 1), none, quota,
		  0, 1, "box@example.org", 1, 900 },
		{ "a list of targets: counted, no target (the server answers DUNNO)",
		  array(two, 2), quota, NULL, 0, 2, "", 1, 900 },
		{ "an error reply fails the job", wrong, quota, NULL, 1, 0, "", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		redisReply *r[2] = { rows[i].alias, rows[i].quota };
		struct pq_job j;

		memset(&j, 0, sizeof(j));
		pq_job_parse(&j, 0, r);
		if (rows[i].target_quota != NULL) {
			r[0] = rows[i].target_quota;
			pq_job_parse(&j, 1, r);
		}
		if (j.failed != rows[i].failed || j.ntargets != rows[i].ntargets ||
		    strcmp(j.target, rows[i].target) != 0 ||
		    j.quota.found != rows[i].found || j.quota.bytes != rows[i].bytes)
			fail_msg("%s: failed %d ntargets %u target %s found %d bytes %lld",
				 rows[i].name, j.failed, j.ntargets, j.target,
				 j.quota.found, j.quota.bytes);
		if (j.failed)
			assert_non_null(strstr(j.err.msg, "WRONGTYPE"));
	}
	/* every field of the hash */
	{
		redisReply *r[2] = { none, quota };
		struct pq_job j;

		memset(&j, 0, sizeof(j));
		pq_job_parse(&j, 0, r);
		assert_int_equal(j.quota.bytes_limit, 1000);
		assert_int_equal(j.quota.msgs, 3);
		assert_int_equal(j.quota.msgs_limit, 0);
		assert_int_equal(j.quota.updated, 1700000000);
	}
}

static void
test_parse_defer(void **state)
{
	/* DEFER answers SET then GET; DEFER_PEEK (-T, read-only) only GET */
	static const struct {
		const char *name;
		enum pq_job_kind kind;
		int type;
		const char *get;
		int failed;
		long long first;
	} rows[] = {
		{ "recorded", PQ_JOB_DEFER, REDIS_REPLY_STRING, "1699990000", 0, 1699990000 },
		{ "edited to garbage", PQ_JOB_DEFER, REDIS_REPLY_STRING, "soon", 0, 1700000000 },
		{ "edited to zero", PQ_JOB_DEFER, REDIS_REPLY_STRING, "0", 0, 1700000000 },
		{ "gone", PQ_JOB_DEFER, REDIS_REPLY_NIL, NULL, 1, 0 },
		{ "peek: recorded", PQ_JOB_DEFER_PEEK, REDIS_REPLY_STRING, "1699990000", 0, 1699990000 },
		{ "peek: none yet is no error", PQ_JOB_DEFER_PEEK, REDIS_REPLY_NIL, NULL, 0, 0 },
		{ "peek: garbage", PQ_JOB_DEFER_PEEK, REDIS_REPLY_STRING, "soon", 0, 1700000000 },
		{ "peek: a wrong type", PQ_JOB_DEFER_PEEK, REDIS_REPLY_ERROR, "WRONGTYPE", 1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* DEFER: SET, GET, then the info's HSET and EXPIRE NX, whose
		 * replies never matter (an error from a Redis older than 7.0
		 * leaves the deferral working) */
		redisReply *get = of_type(rows[i].type, rows[i].get);
		redisReply *r[4] = { of_type(REDIS_REPLY_STATUS, "OK"), get,
				     of_type(REDIS_REPLY_INTEGER, NULL),
				     of_type(REDIS_REPLY_ERROR, "ERR wrong number of arguments") };
		struct pq_job j;

		memset(&j, 0, sizeof(j));
		j.kind = rows[i].kind;
		j.now = 1700000000;
		pq_job_parse(&j, 0, rows[i].kind == PQ_JOB_DEFER ? r : &get);
		if (j.failed != rows[i].failed || j.first_deferral != rows[i].first)
			fail_msg("%s: failed %d first %lld", rows[i].name, j.failed,
				 j.first_deferral);
	}
}

static int
setup(void **state)
{
	(void)state;
	return mg_keys_init(&keys, "mg:", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_parse_lookup),
		cmocka_unit_test(test_parse_defer),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
