/*
 * test_scan_inflater.c - the streaming inflater (inflater.h): raw and
 * gzip streams in any chunking, where a stream ends and what follows it,
 * concatenated gzip members, the gzip file name, broken data and a
 * callback that stops, as a table
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "inflater.h"
#include "scan_support.h"

#define BIG 200000

/* what the inflater handed over */
struct out {
	unsigned char *d;            /* BIG bytes */
	size_t n;
	size_t calls;
	size_t stop;                 /* say stop at this call (0: never) */
};

/* collect - a scan_inflater_out_fn appending to the struct out in ctx */
static int
collect(void *ctx, const unsigned char *d, size_t n)
{
	struct out *o = ctx;

	assert_true(n <= 16384);
	assert_true(o->n + n <= BIG);
	memcpy(o->d + o->n, d, n);
	o->n += n;
	return ++o->calls == o->stop ? -1 : 0;
}

struct row {
	const char *name;
	enum scan_inflater_kind kind;
	const char *first;           /* the first stream's (or member's) data */
	size_t repeat;               /* ... this many times (0: once) */
	const char *fname;           /* gzip: the name in its header */
	const char *second;          /* gzip: a second member's data */
	const char *trailer;         /* bytes after the stream */
	int corrupt;                 /* the first deflate block made invalid */
	size_t cut;                  /* bytes cut from the end */
	size_t chunk;                /* fed in pieces of this size (0: whole) */
	size_t stop;                 /* the callback stops at this call */
	enum scan_inflater_status want;
	int check_out;               /* the output is the data, whole */
	const char *want_name;       /* gzip: the name read, or "" */
	int want_member_end;         /* gzip: scan_inflater_at_member_end() */
};

static const struct row rows[] = {
	{ .name = "raw, whole", .kind = SCAN_INFLATER_RAW, .first = "hello, hello, hello",
	  .want = SCAN_INFLATER_END, .check_out = 1 },
	{ .name = "raw, byte by byte", .kind = SCAN_INFLATER_RAW, .first = "hello, hello",
	  .chunk = 1, .want = SCAN_INFLATER_END, .check_out = 1 },
	{ .name = "raw, then bytes that are not the stream's", .kind = SCAN_INFLATER_RAW,
	  .first = "member data", .trailer = "PK\3\4next", .want = SCAN_INFLATER_END,
	  .check_out = 1 },
	{ .name = "raw, then other bytes, in pieces of 3", .kind = SCAN_INFLATER_RAW,
	  .first = "member data", .trailer = "PK\7\10descriptor", .chunk = 3,
	  .want = SCAN_INFLATER_END, .check_out = 1 },
	{ .name = "raw, many output blocks", .kind = SCAN_INFLATER_RAW,
	  .first = "0123456789abcdef", .repeat = 10000, .chunk = 4096,
	  .want = SCAN_INFLATER_END, .check_out = 1 },
	{ .name = "raw, cut: more wanted", .kind = SCAN_INFLATER_RAW,
	  .first = "0123456789abcdef", .repeat = 100, .cut = 2, .want = SCAN_INFLATER_MORE },
	{ .name = "raw, not deflate data", .kind = SCAN_INFLATER_RAW, .first = "data",
	  .corrupt = 1, .want = SCAN_INFLATER_BROKEN },
	{ .name = "raw, the callback stops", .kind = SCAN_INFLATER_RAW,
	  .first = "0123456789abcdef", .repeat = 10000, .stop = 1,
	  .want = SCAN_INFLATER_STOPPED },
	{ .name = "gzip with a name", .kind = SCAN_INFLATER_GZIP, .first = "notes",
	  .fname = "notes.txt", .want = SCAN_INFLATER_MORE, .check_out = 1,
	  .want_name = "notes.txt", .want_member_end = 1 },
	{ .name = "gzip with a name, byte by byte", .kind = SCAN_INFLATER_GZIP,
	  .first = "notes", .fname = "notes.txt", .chunk = 1, .want = SCAN_INFLATER_MORE,
	  .check_out = 1, .want_name = "notes.txt", .want_member_end = 1 },
	{ .name = "gzip without a name", .kind = SCAN_INFLATER_GZIP, .first = "notes",
	  .want = SCAN_INFLATER_MORE, .check_out = 1, .want_name = "",
	  .want_member_end = 1 },
	{ .name = "gzip, two members: one stream", .kind = SCAN_INFLATER_GZIP,
	  .first = "first half, ", .fname = "a.tar", .second = "second half",
	  .want = SCAN_INFLATER_MORE, .check_out = 1, .want_name = "a.tar",
	  .want_member_end = 1 },
	{ .name = "gzip, two members, byte by byte", .kind = SCAN_INFLATER_GZIP,
	  .first = "first half, ", .second = "second half", .chunk = 1,
	  .want = SCAN_INFLATER_MORE, .check_out = 1, .want_name = "",
	  .want_member_end = 1 },
	{ .name = "gzip, then trailing garbage: the end", .kind = SCAN_INFLATER_GZIP,
	  .first = "notes", .trailer = "garbage", .want = SCAN_INFLATER_END,
	  .check_out = 1, .want_name = "", .want_member_end = 1 },
	{ .name = "gzip, two members then garbage, in pieces of 5",
	  .kind = SCAN_INFLATER_GZIP, .first = "first, ", .second = "second",
	  .trailer = "garbage", .chunk = 5, .want = SCAN_INFLATER_END, .check_out = 1,
	  .want_name = "", .want_member_end = 1 },
	{ .name = "gzip, cut inside its trailer", .kind = SCAN_INFLATER_GZIP,
	  .first = "notes", .cut = 3, .want = SCAN_INFLATER_MORE, .check_out = 1,
	  .want_name = "", .want_member_end = 0 },
	{ .name = "gzip, not deflate data after the header", .kind = SCAN_INFLATER_GZIP,
	  .first = "notes", .corrupt = 1, .want = SCAN_INFLATER_BROKEN },
	{ .name = "not gzip at all", .kind = SCAN_INFLATER_GZIP, .trailer = "garbage!",
	  .want = SCAN_INFLATER_BROKEN, .want_member_end = 0 },
};

/* build - the row's input into in; *stream_len is where its stream ends,
 * plain the data it holds; returns the input's length */
static size_t
build(const struct row *r, unsigned char *in, size_t cap, unsigned char *plain,
      size_t *plain_len, size_t *stream_len)
{
	size_t n = 0, p1 = 0, k, rep = r->repeat ? r->repeat : 1;

	for (k = 0; r->first != NULL && k < rep; k++) {
		memcpy(plain + p1, r->first, strlen(r->first));
		p1 += strlen(r->first);
	}
	if (r->first != NULL && r->kind == SCAN_INFLATER_RAW)
		n = deflate_raw(plain, p1, in, cap);
	else if (r->first != NULL)
		n = gzip(plain, p1, r->fname, in, cap);
	if (r->corrupt)
		in[r->kind == SCAN_INFLATER_RAW ? 0 : 10] = 0xff;
	*plain_len = p1;
	if (r->second != NULL) {
		memcpy(plain + p1, r->second, strlen(r->second));
		*plain_len += strlen(r->second);
		n += gzip(plain + p1, strlen(r->second), NULL, in + n, cap - n);
	}
	*stream_len = n;
	if (r->trailer != NULL) {
		memcpy(in + n, r->trailer, strlen(r->trailer));
		n += strlen(r->trailer);
	}
	assert_true(r->cut < n);
	return n - r->cut;
}

/* run - feed the row's input: the last status, and where it ended */
static enum scan_inflater_status
run(const struct row *r, struct scan_inflater *f, const unsigned char *in,
    size_t n, struct out *o, size_t *consumed)
{
	size_t chunk = r->chunk ? r->chunk : n, off, used;
	enum scan_inflater_status st = SCAN_INFLATER_MORE;

	*consumed = n;
	for (off = 0; off < n; off += chunk) {
		size_t k = n - off < chunk ? n - off : chunk;

		st = scan_inflater_feed(f, in + off, k, &used, collect, o);
		if (st != SCAN_INFLATER_MORE) {
			*consumed = off + used;
			break;
		}
		assert_int_equal(used, k);
	}
	return st;
}

/* test_inflater - every row, its status, where it ended, its output */
static void
test_inflater(void **state)
{
	static unsigned char in[BIG], plain[BIG], outbuf[BIG];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct out o = { outbuf, 0, 0, r->stop };
		char name[64];
		struct scan_inflater *f;
		size_t n, plain_len, stream_len, consumed;
		enum scan_inflater_status st;

		n = build(r, in, sizeof(in), plain, &plain_len, &stream_len);
		f = scan_inflater_new(r->kind, name, sizeof(name));
		assert_non_null(f);
		st = run(r, f, in, n, &o, &consumed);
		if (st != r->want)
			fail_msg("%s: status %d, want %d", r->name, st, r->want);
		if (st == SCAN_INFLATER_END && consumed != stream_len)
			fail_msg("%s: ended after %zu bytes, want %zu", r->name, consumed,
				 stream_len);
		if (r->check_out && (o.n != plain_len || memcmp(o.d, plain, o.n) != 0))
			fail_msg("%s: %zu bytes out, want %zu", r->name, o.n, plain_len);
		if (r->stop && o.calls != r->stop)
			fail_msg("%s: %zu calls after the stop", r->name, o.calls);
		if (r->want_name != NULL &&
		    (!scan_inflater_header_done(f) || strcmp(name, r->want_name) != 0))
			fail_msg("%s: name \"%s\" (header done %d)", r->name, name,
				 scan_inflater_header_done(f));
		if (r->kind == SCAN_INFLATER_GZIP &&
		    scan_inflater_at_member_end(f) != r->want_member_end)
			fail_msg("%s: member end %d", r->name, scan_inflater_at_member_end(f));
		scan_inflater_free(&f);
		assert_null(f);
	}
}

/* test_inflater_states - raw streams have no header, and nothing is read
 * before any input */
static void
test_inflater_states(void **state)
{
	char name[8] = "x";
	struct scan_inflater *f = scan_inflater_new(SCAN_INFLATER_RAW, name, sizeof(name));

	(void)state;
	assert_non_null(f);
	assert_int_equal(scan_inflater_header_done(f), 0);
	assert_int_equal(scan_inflater_at_member_end(f), 0);
	assert_string_equal(name, "x");              /* raw: the name is not touched */
	scan_inflater_free(&f);
	f = scan_inflater_new(SCAN_INFLATER_GZIP, NULL, 0);
	assert_non_null(f);
	assert_int_equal(scan_inflater_header_done(f), 0);
	scan_inflater_free(&f);
	scan_inflater_free(&f);                       /* NULL: nothing */
	assert_int_equal(scan_inflater_header_done(NULL), 0);
	assert_int_equal(scan_inflater_at_member_end(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inflater),
		cmocka_unit_test(test_inflater_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
