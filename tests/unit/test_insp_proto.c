/*
 * test_insp_proto.c - the messages between milter-attach and its
 * inspectors (insp_proto.h): round trips, long names cut at their start,
 * and every truncated, overlong or malformed message refused
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "insp_proto.h"

static unsigned char buf[INSP_MSG_MAX + 64];

static void
long_name(char *out, size_t n, const char *tail)
{
	size_t t = strlen(tail);

	memset(out, 'a', n - t);
	memcpy(out + n - t, tail, t);
	out[n] = '\0';
}

/* request_round_trip - rows of requests survive encode + decode */
static void
request_round_trip(void **state)
{
	static const struct { const char *row, *name; unsigned long long size; } rows[] = {
		{ "plain", "Facture.iso", 9437184 },
		{ "empty name", "", 0 },
		{ "utf8 name", "r\xc3\xa9sum\xc3\xa9.7z", 1ULL << 40 },
		{ "max size", "x.rar", ~0ULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct insp_request q = { 3, 10000, 100ULL << 20, rows[i].size, "" }, d;
		size_t n;

		snprintf(q.name, sizeof(q.name), "%s", rows[i].name);
		n = insp_request_encode(&q, buf, sizeof(buf));
		print_message("row %s\n", rows[i].row);
		assert_true(n > 0);
		assert_int_equal(insp_request_decode(buf, n, &d), 0);
		assert_int_equal(d.max_depth, 3);
		assert_int_equal(d.max_entries, 10000);
		assert_true(d.max_bytes == 100ULL << 20);
		assert_true(d.size == rows[i].size);
		assert_string_equal(d.name, rows[i].name);
	}
}

/* reply_round_trip - MEMBER and END replies survive encode + decode */
static void
reply_round_trip(void **state)
{
	struct insp_reply m = { INSP_REPLY_MEMBER, "dir/x.exe", "joliet", 123456789012ULL, 1, 2, 0 };
	struct insp_reply e = { INSP_REPLY_END, "", "", 0, 0, 0, 0x12345 };
	struct insp_reply d;
	size_t n;

	(void)state;
	n = insp_reply_encode(&m, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(insp_reply_decode(buf, n, &d), 0);
	assert_int_equal(d.kind, INSP_REPLY_MEMBER);
	assert_string_equal(d.name, "dir/x.exe");
	assert_string_equal(d.format, "joliet");
	assert_true(d.size == 123456789012ULL);
	assert_int_equal(d.encrypted, 1);
	assert_int_equal(d.depth, 2);
	n = insp_reply_encode(&e, buf, sizeof(buf));
	assert_int_equal(n, 5);
	assert_int_equal(insp_reply_decode(buf, n, &d), 0);
	assert_int_equal(d.kind, INSP_REPLY_END);
	assert_int_equal(d.anomalies, 0x12345);
}

/* long_names_keep_their_end - a name without room for its NUL (a full
 * array) keeps its last INSP_NAME_MAX - 1 bytes, cut at a UTF-8 start */
static void
long_names_keep_their_end(void **state)
{
	struct insp_reply m = { INSP_REPLY_MEMBER, "", "7z", 1, 0, 1, 0 }, d;
	size_t n;

	(void)state;
	memset(m.name, 'a', sizeof(m.name));
	memcpy(m.name + sizeof(m.name) - 4, ".exe", 4);    /* no NUL at all */
	n = insp_reply_encode(&m, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(insp_reply_decode(buf, n, &d), 0);
	assert_int_equal(strlen(d.name), INSP_NAME_MAX - 1);
	assert_string_equal(d.name + strlen(d.name) - 4, ".exe");
	/* a two-byte character cut in half is dropped whole */
	memset(m.name, 'a', sizeof(m.name));
	m.name[0] = (char)0xc3;                     /* its half at [1] would lead */
	m.name[1] = (char)0xa9;
	n = insp_reply_encode(&m, buf, sizeof(buf));
	assert_int_equal(insp_reply_decode(buf, n, &d), 0);
	assert_int_equal(strlen(d.name), INSP_NAME_MAX - 2);
	assert_int_equal((unsigned char)d.name[0], 'a');
}

/* small_buffers - an encoder given too little room returns 0 */
static void
small_buffers(void **state)
{
	struct insp_request q = { 1, 1, 1, 1, "x.iso" };
	struct insp_reply m = { INSP_REPLY_MEMBER, "x.exe", "iso9660", 1, 0, 1, 0 };
	struct insp_reply bad = { 0, "", "", 0, 0, 0, 0 };
	size_t need = insp_request_encode(&q, buf, sizeof(buf));

	(void)state;
	assert_int_equal(insp_request_encode(&q, buf, need - 1), 0);
	need = insp_reply_encode(&m, buf, sizeof(buf));
	assert_int_equal(insp_reply_encode(&m, buf, need - 1), 0);
	assert_int_equal(insp_reply_encode(&bad, buf, sizeof(buf)), 0);
	assert_int_equal(insp_reply_encode(&m, buf, 0), 0);
}

/* every_truncation_refused - each prefix of a valid message, and the
 * message with one byte more, is not a message */
static void
every_truncation_refused(void **state)
{
	struct insp_request q = { 3, 10, 20, 30, "Facture.iso" }, dq;
	struct insp_reply m = { INSP_REPLY_MEMBER, "x.exe", "udf", 5, 0, 1, 0 }, dm;
	struct insp_reply e = { INSP_REPLY_END, "", "", 0, 0, 0, 7 };
	size_t n, k;

	(void)state;
	n = insp_request_encode(&q, buf, sizeof(buf));
	for (k = 0; k < n; k++)
		assert_int_equal(insp_request_decode(buf, k, &dq), -1);
	buf[n] = 0;
	assert_int_equal(insp_request_decode(buf, n + 1, &dq), -1);
	n = insp_reply_encode(&m, buf, sizeof(buf));
	for (k = 0; k < n; k++)
		assert_int_equal(insp_reply_decode(buf, k, &dm), -1);
	assert_int_equal(insp_reply_decode(buf, n + 1, &dm), -1);
	n = insp_reply_encode(&e, buf, sizeof(buf));
	for (k = 0; k < n; k++)
		assert_int_equal(insp_reply_decode(buf, k, &dm), -1);
	assert_int_equal(insp_reply_decode(buf, n + 1, &dm), -1);
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

/* bad_messages - hand-made messages a peer could send: wrong tags, a
 * length past the end, an oversized name or format, a NUL in a name, a
 * bad encrypted flag, a message longer than INSP_MSG_MAX */
static void
bad_messages(void **state)
{
	/* a MEMBER: 'M' enc depth(4) size(8) flen format nlen(2) name */
	static const unsigned char good[] = { 'M', 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		2, '7', 'z', 5, 0, 'x', '.', 'e', 'x', 'e' };
	static const struct { const char *row; size_t at; unsigned char val; } rows[] = {
		{ "unknown tag", 0, 'Z' },
		{ "request tag in a reply", 0, 'Q' },
		{ "encrypted flag 2", 1, 2 },
		{ "format length past the end", 14, 200 },
		{ "format length over the cap", 14, INSP_FORMAT_MAX },
		{ "name length past the end", 17, 6 },
		{ "name length short", 17, 4 },
		{ "NUL in the name", 21, 0 },
		{ "NUL in the format", 15, 0 },
	};
	unsigned char m[sizeof(good)];
	struct insp_reply d;
	struct insp_request q;
	size_t i;

	(void)state;
	assert_int_equal(insp_reply_decode(good, sizeof(good), &d), 0);
	assert_string_equal(d.name, "x.exe");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memcpy(m, good, sizeof(m));
		m[rows[i].at] = rows[i].val;
		print_message("row %s\n", rows[i].row);
		assert_int_equal(insp_reply_decode(m, sizeof(m), &d), -1);
	}
	assert_int_equal(insp_reply_decode(good, 0, &d), -1);
	/* a name of INSP_NAME_MAX bytes (one too many) in a request */
	memset(buf, 'a', sizeof(buf));
	buf[0] = 'Q';
	put16(buf + 25, INSP_NAME_MAX);
	assert_int_equal(insp_request_decode(buf, 27 + INSP_NAME_MAX, &q), -1);
	put16(buf + 25, INSP_NAME_MAX - 1);
	assert_int_equal(insp_request_decode(buf, 27 + INSP_NAME_MAX - 1, &q), 0);
	assert_int_equal(insp_request_decode(buf, INSP_MSG_MAX + 1, &q), -1);
	assert_int_equal(insp_reply_decode(buf, INSP_MSG_MAX + 1, &d), -1);
	/* a reply as a request, a request as a reply */
	buf[0] = 'M';
	assert_int_equal(insp_request_decode(buf, 27 + INSP_NAME_MAX - 1, &q), -1);
}

/* long_name_in_request - a full-length request name keeps its end */
static void
long_name_in_request(void **state)
{
	struct insp_request q = { 1, 1, 1, 1, "" }, d;
	size_t n;

	(void)state;
	long_name(q.name, INSP_NAME_MAX - 1, "tail.iso");
	n = insp_request_encode(&q, buf, sizeof(buf));
	assert_true(n > 0 && n <= INSP_MSG_MAX);
	assert_int_equal(insp_request_decode(buf, n, &d), 0);
	assert_string_equal(d.name, q.name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_round_trip),
		cmocka_unit_test(reply_round_trip),
		cmocka_unit_test(long_names_keep_their_end),
		cmocka_unit_test(small_buffers),
		cmocka_unit_test(every_truncation_refused),
		cmocka_unit_test(bad_messages),
		cmocka_unit_test(long_name_in_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
