/*
 * test_scan_mime_decode.c - the body decoders (base64, quoted-printable,
 * uuencode), RFC 2047 words and the charset conversion (mime_decode.h),
 * as tables of valid, hostile and boundary inputs
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mime_decode.h"

/* what a decoder wrote */
struct acc { char buf[4096]; size_t len; };

/* acc_sink - a scan_sink_fn appending to the struct acc in ctx */
static void
acc_sink(void *ctx, const unsigned char *d, size_t n)
{
	struct acc *a = ctx;

	memcpy(a->buf + a->len, d, n);
	a->len += n;
	a->buf[a->len] = '\0';
}

/* test_base64 - lines of base64, tolerant of junk and splits */
static void
test_base64(void **state)
{
	static const struct {
		const char *name;
		const char *lines[3];
		const char *out;
	} rows[] = {
		{ "padded", { "aGVsbG8=", NULL }, "hello" },
		{ "no padding", { "aGVsbG8", NULL }, "hello" },
		{ "split", { "aGVs", "bG8=", NULL }, "hello" },
		{ "split mid-quantum", { "aG", "VsbG8=", NULL }, "hello" },
		{ "junk ignored", { "aG Vs\tbG8*!=", NULL }, "hello" },
		{ "empty line", { "", NULL }, "" },
		{ "padding only", { "====", NULL }, "" },
		{ "concatenated", { "YQ==YQ==", NULL }, "aa" },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct scan_b64_state st;
		struct acc a = { "", 0 };
		scan_b64_init(&st);
		for (k = 0; rows[i].lines[k]; k++)
			scan_b64_line(&st, rows[i].lines[k], strlen(rows[i].lines[k]),
				      acc_sink, &a);
		if (strcmp(a.buf, rows[i].out) != 0)
			fail_msg("b64 %s: '%s'", rows[i].name, a.buf);
	}
}

/* test_base64_long - long lines cross the decoder's 1024-byte output
 * buffer, and junk at every offset forces the quantum fast path in and
 * out */
static void
test_base64_long(void **state)
{
	static char in[8192], want[4096];
	size_t step, i, n, w;

	(void)state;
	for (step = 1; step <= 9; step++) {
		struct scan_b64_state st;
		struct acc a = { "", 0 };

		for (i = n = w = 0; i < 1200; i++) {
			memcpy(in + n, "QUJD", 4);             /* "ABC" */
			n += 4;
			if (i % step == 0)
				in[n++] = i % 2 ? ' ' : '\n';
			memcpy(want + w, "ABC", 3);
			w += 3;
		}
		want[w] = '\0';
		scan_b64_init(&st);
		scan_b64_line(&st, in, n, acc_sink, &a);
		assert_int_equal(a.len, w);
		assert_string_equal(a.buf, want);
	}
}

/* test_qp - quoted-printable lines, soft breaks, bad escapes */
static void
test_qp(void **state)
{
	static const struct {
		const char *name;
		const char *in;
		int soft;
		const char *out;
	} rows[] = {
		{ "UTF-8 escapes", "caf=C3=A9", 0, "caf\xc3\xa9\r\n" },
		{ "soft break", "soft=", 1, "soft" },
		{ "trailing whitespace dropped", "trailing   ", 0, "trailing\r\n" },
		{ "bad escape kept", "bad=ZZ", 0, "bad=ZZ\r\n" },
		{ "short escape kept", "end=4", 0, "end=4\r\n" },
		{ "escaped dot", "=2Eexe", 0, ".exe\r\n" },
		{ "empty line", "", 0, "\r\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct acc a = { "", 0 };
		int soft = scan_qp_line(rows[i].in, strlen(rows[i].in), acc_sink, &a);
		if (soft != rows[i].soft || strcmp(a.buf, rows[i].out) != 0)
			fail_msg("qp %s: soft %d '%s'", rows[i].name, soft, a.buf);
	}
}

/* test_uuencode - "begin" lines, and data lines */
static void
test_uuencode(void **state)
{
	static const struct {
		const char *name;
		const char *in;
		int ok;
		const char *file;
	} begins[] = {
		{ "mode 644", "begin 644 evil.exe", 1, "evil.exe" },
		{ "mode 0755, spaces in and after the name", "begin 0755 my file.scr  ", 1,
		  "my file.scr" },
		{ "mode of 2 digits", "begin 64 x", 0, NULL },
		{ "mode of 4 digits, not octal", "begin 6448 x", 0, NULL },
		{ "no name", "begin 644", 0, NULL },
		{ "empty name", "begin 644 ", 0, NULL },
		{ "mode not octal", "begin 899 x", 0, NULL },
		{ "capital B", "Begin 644 x", 0, NULL },
	};
	struct acc a = { "", 0 };
	char name[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(begins) / sizeof(begins[0]); i++) {
		int ok = scan_uu_begin(begins[i].in, strlen(begins[i].in), name, sizeof(name));
		if (ok != begins[i].ok || (ok && strcmp(name, begins[i].file) != 0))
			fail_msg("uu_begin %s: %d '%s'", begins[i].name, ok, ok ? name : "");
	}
	/* "#0V%T" is "Cat" uuencoded */
	assert_int_equal(scan_uu_line("#0V%T", 5, acc_sink, &a), 0);
	assert_string_equal(a.buf, "Cat");
	assert_int_equal(scan_uu_line("`", 1, acc_sink, &a), 0);   /* zero-length line */
	assert_string_equal(a.buf, "Cat");
	assert_int_equal(scan_uu_line("", 0, acc_sink, &a), -1);
}

/* test_rfc2047 - encoded words in names, joined, folded, unknown */
static void
test_rfc2047(void **state)
{
	static const struct {
		const char *name;
		const char *in;
		const char *out;
	} rows[] = {
		{ "plain text", "plain.txt", "plain.txt" },
		{ "B word", "=?utf-8?B?ZXZpbC5leGU=?=", "evil.exe" },
		{ "Q word, charset in capitals", "=?UTF-8?Q?x=2Eexe?=", "x.exe" },
		{ "Q underscore is a space", "=?utf-8?Q?a_b?=", "a b" },
		{ "adjacent words joined", "=?utf-8?B?ZXZp?= =?utf-8?B?bC5leGU=?=", "evil.exe" },
		{ "folded words joined", "=?utf-8?Q?ev?=\r\n\t=?utf-8?Q?il.scr?=", "evil.scr" },
		{ "latin-1", "=?iso-8859-1?Q?=E9t=E9.pif?=", "\xc3\xa9t\xc3\xa9.pif" },
		{ "windows-1252", "=?windows-1252?B?6XTpLnZicw==?=", "\xc3\xa9t\xc3\xa9.vbs" },
		{ "text around a word keeps its spaces", "a =?utf-8?Q?b?= c", "a b c" },
		{ "RFC 2231 language suffix", "=?utf-8*fr?Q?x.com?=", "x.com" },
		{ "unknown charset: bytes kept", "=?x-unknown?Q?raw.reg?=", "raw.reg" },
		{ "unknown encoding: not a word", "=?utf-8?X?bad?=", "=?utf-8?X?bad?=" },
		{ "unterminated: not a word", "=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[256];
		scan_rfc2047_decode(rows[i].in, strlen(rows[i].in), out, sizeof(out));
		if (strcmp(out, rows[i].out) != 0)
			fail_msg("2047 %s: '%s'", rows[i].name, out);
	}
	{
		char small[5];
		assert_int_equal(scan_rfc2047_decode("abcdefgh", 8, small, sizeof(small)), 4);
		assert_string_equal(small, "abcd");
	}
}

/* test_hex_value - hex digits of either case, and what is not one */
static void
test_hex_value(void **state)
{
	static const struct {
		const char *name;
		int c;
		int value;
	} rows[] = {
		{ "0", '0', 0 }, { "9", '9', 9 },
		{ "a", 'a', 10 }, { "f", 'f', 15 },
		{ "A", 'A', 10 }, { "F", 'F', 15 },
		{ "g", 'g', -1 }, { "G", 'G', -1 },
		{ "space", ' ', -1 }, { "slash (below 0)", '/', -1 },
		{ "colon (past 9)", ':', -1 }, { "at (below A)", '@', -1 },
		{ "8-bit", 0xe9, -1 }, { "NUL", 0, -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (scan_hex_value(rows[i].c) != rows[i].value)
			fail_msg("hex %s: %d", rows[i].name, scan_hex_value(rows[i].c));
}

/* test_charset_to_utf8 - converted, copied, cut */
static void
test_charset_to_utf8(void **state)
{
	static const struct {
		const char *name;
		const char *charset;
		const char *in;
		size_t outsz;
		const char *out;
	} rows[] = {
		{ "no charset: copied", NULL, "caf\xe9", 64, "caf\xe9" },
		{ "empty charset: copied", "", "caf\xe9", 64, "caf\xe9" },
		{ "utf-8: copied as it is", "UTF-8", "caf\xe9", 64, "caf\xe9" },
		{ "us-ascii: copied", "us-ascii", "plain", 64, "plain" },
		{ "latin-1 converted", "iso-8859-1", "caf\xe9", 64, "caf\xc3\xa9" },
		{ "unknown charset: copied", "x-nonesuch", "caf\xe9", 64, "caf\xe9" },
		{ "invalid input: copied", "shift_jis", "\x81", 64, "\x81" },
		{ "copy cut to the buffer", NULL, "abcdef", 4, "abc" },
		{ "conversion cut to the buffer", "iso-8859-1", "\xe9\xe9\xe9", 5,
		  "\xc3\xa9\xc3\xa9" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[64];
		size_t n = scan_charset_to_utf8(rows[i].charset, rows[i].in,
						strlen(rows[i].in), out, rows[i].outsz);
		if (n != strlen(rows[i].out) || strcmp(out, rows[i].out) != 0)
			fail_msg("charset %s: %zu '%s'", rows[i].name, n, out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64_long),
		cmocka_unit_test(test_qp),
		cmocka_unit_test(test_uuencode),
		cmocka_unit_test(test_rfc2047),
		cmocka_unit_test(test_hex_value),
		cmocka_unit_test(test_charset_to_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
