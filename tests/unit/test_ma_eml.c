/*
 * test_ma_eml.c - a message file cut as libmilter hands it over: a table
 * of files and the calls they make, each file fed whole, byte by byte and
 * in pieces of 7 (the cuts must not matter)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ma_eml.h"

/* the calls as text: [name|value] per header, "/" at the end of
 * headers, then the body bytes */
struct transcript {
	char s[MA_EML_HEADER_MAX + 256];
	size_t len;
	size_t stop_after;           /* body() returns 1 past this many bytes */
	size_t body_bytes;
};

static void
add(struct transcript *t, const char *p, size_t n)
{
	if (n > sizeof(t->s) - 1 - t->len)
		n = sizeof(t->s) - 1 - t->len;
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void
on_header(void *ctx, const char *name, const char *value)
{
	add(ctx, "[", 1);
	add(ctx, name, strlen(name));
	add(ctx, "|", 1);
	add(ctx, value, strlen(value));
	add(ctx, "]", 1);
}

static void
on_eoh(void *ctx)
{
	add(ctx, "/", 1);
}

static int
on_body(void *ctx, const char *data, size_t len)
{
	struct transcript *t = ctx;

	add(t, data, len);
	t->body_bytes += len;
	return t->stop_after > 0 && t->body_bytes > t->stop_after;
}

static const struct ma_eml_ops ops = { on_header, on_eoh, on_body };

struct row {
	const char *name;
	const char *in;
	const char *want;
	size_t stop_after;
};

static void
test_cut(void **state)
{
	static const struct row rows[] = {
		{ "LF lines", "Subject: hi\nTo: a@b\n\nbody\nmore\n",
		  "[Subject| hi][To| a@b]/body\r\nmore\r\n", 0 },
		{ "CRLF lines", "Subject: hi\r\n\r\nbody\r\n", "[Subject| hi]/body\r\n", 0 },
		{ "folded header: LF kept", "Content-Type: multipart/mixed;\n\tboundary=x\n\n",
		  "[Content-Type| multipart/mixed;\n\tboundary=x]/", 0 },
		{ "no space after the colon", "X-A:b\n\n", "[X-A|b]/", 0 },
		{ "mbox From line skipped", "From a@b Wed Dec  2 16:00:00 2026\nSubject: s\n\nx\n",
		  "[Subject| s]/x\r\n", 0 },
		{ "From: is a header", "From: a@b\n\n", "[From| a@b]/", 0 },
		{ "a line that is no header starts the body", "Subject: s\nhello world\nbye\n",
		  "[Subject| s]/hello world\r\nbye\r\n", 0 },
		{ "headers only, no blank line", "Subject: s\n", "[Subject| s]/", 0 },
		{ "headers only, no final LF", "Subject: s", "[Subject| s]/", 0 },
		{ "last body line without LF", "S: s\n\nend", "[S| s]/end\r\n", 0 },
		{ "last body line ends with CR", "S: s\n\nend\r", "[S| s]/end\r\n", 0 },
		{ "a lone CR is data", "S: s\n\na\rb\n", "[S| s]/a\rb\r\n", 0 },
		{ "empty body lines", "S: s\n\n\n\nx\n", "[S| s]/\r\n\r\nx\r\n", 0 },
		{ "empty file", "", "/", 0 },
		{ "body only", "\nx\n", "/x\r\n", 0 },
		{ "a continuation first is no header", " x\n", "/ x\r\n", 0 },
		/* where it stops depends on the cuts: nothing after it is seen */
		{ "stop: nothing after", "S: s\n\n0123456789\nabcdef\n", "[S| s]/0123456789\r\n", 5 },
	};
	static const size_t pieces[] = { 0, 1, 7 };     /* 0: whole */
	size_t i, k, off;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
			static struct transcript t;
			struct ma_eml *e;
			size_t len = strlen(rows[i].in), step = pieces[k] ? pieces[k] : len;

			memset(&t, 0, sizeof(t));
			t.stop_after = rows[i].stop_after;
			e = ma_eml_new(&ops, &t);
			assert_non_null(e);
			for (off = 0; off < len; off += step)
				if (ma_eml_feed(e, rows[i].in + off,
						len - off < step ? len - off : step))
					break;
			ma_eml_finish(e);
			ma_eml_free(&e);
			if (rows[i].stop_after > 0) {
				/* a prefix of the whole, past the stop, then nothing */
				if (off >= len || t.body_bytes <= rows[i].stop_after ||
				    strncmp(t.s, rows[i].want, t.len) != 0)
					fail_msg("%s (pieces of %zu): got \"%s\"",
						 rows[i].name, pieces[k], t.s);
				continue;
			}
			if (strcmp(t.s, rows[i].want) != 0)
				fail_msg("%s (pieces of %zu): got \"%s\"", rows[i].name,
					 pieces[k], t.s);
		}
	}
}

/* a header over the cap is cut there, and what follows still works */
static void
test_long_header(void **state)
{
	static char in[MA_EML_HEADER_MAX + 100];
	static struct transcript t;
	struct ma_eml *e = ma_eml_new(&ops, &t);
	size_t n;

	(void)state;
	memcpy(in, "X-Long: ", 8);
	memset(in + 8, 'a', sizeof(in) - 8);
	n = sizeof(in) - 20;
	memcpy(in + n, "\nS: s\n\nbody\n", 12);
	assert_int_equal(ma_eml_feed(e, in, n + 12), 0);
	ma_eml_finish(e);
	ma_eml_free(&e);
	/* "[X-Long|" + the value cut so the header is MA_EML_HEADER_MAX bytes */
	assert_int_equal(strncmp(t.s, "[X-Long| aaa", 12), 0);
	assert_non_null(strstr(t.s, "][S| s]/body\r\n"));
	/* [ + name + | + value + ] : the value holds the cap less "X-Long:" */
	assert_int_equal(strstr(t.s, "][S|") - t.s, 1 + 6 + 1 + (MA_EML_HEADER_MAX - 7));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_long_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
