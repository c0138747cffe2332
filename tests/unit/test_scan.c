/*
 * test_scan.c - the MIME scanner: decoders, header parameters and the
 * walker, as tables of valid, hostile and boundary inputs
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "arc_names.h"
#include "mime_decode.h"
#include "mime_hdr.h"
#include "scan.h"
#include "tnef_names.h"
#include "zip_names.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <zlib.h>

/* ---- decoders ---------------------------------------------------------- */

struct acc { char buf[4096]; size_t len; };

static void
acc_sink(void *ctx, const unsigned char *d, size_t n)
{
	struct acc *a = ctx;

	memcpy(a->buf + a->len, d, n);
	a->len += n;
	a->buf[a->len] = '\0';
}

static void
test_base64(void **state)
{
	static const struct { const char *lines[3]; const char *out; } rows[] = {
		{ { "aGVsbG8=", NULL }, "hello" },
		{ { "aGVsbG8", NULL }, "hello" },                 /* no padding */
		{ { "aGVs", "bG8=", NULL }, "hello" },             /* split */
		{ { "aG", "VsbG8=", NULL }, "hello" },             /* split mid-quantum */
		{ { "aG Vs\tbG8*!=", NULL }, "hello" },            /* junk ignored */
		{ { "", NULL }, "" },
		{ { "====", NULL }, "" },
		{ { "YQ==YQ==", NULL }, "aa" },                     /* concatenated */
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct scan_b64_state st;
		struct acc a = { "", 0 };
		scan_b64_init(&st);
		for (k = 0; rows[i].lines[k]; k++)
			scan_b64_line(&st, rows[i].lines[k], strlen(rows[i].lines[k]), acc_sink, &a);
		if (strcmp(a.buf, rows[i].out) != 0)
			fail_msg("b64 row %zu: '%s'", i, a.buf);
	}
}

/* long lines cross the decoder's 1024-byte output buffer, and junk at
 * every offset forces the quantum fast path in and out */
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

static void
test_qp(void **state)
{
	static const struct { const char *in; int soft; const char *out; } rows[] = {
		{ "caf=C3=A9", 0, "caf\xc3\xa9\r\n" },
		{ "soft=", 1, "soft" },
		{ "trailing   ", 0, "trailing\r\n" },
		{ "bad=ZZ", 0, "bad=ZZ\r\n" },
		{ "end=4", 0, "end=4\r\n" },
		{ "=2Eexe", 0, ".exe\r\n" },
		{ "", 0, "\r\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct acc a = { "", 0 };
		int soft = scan_qp_line(rows[i].in, strlen(rows[i].in), acc_sink, &a);
		if (soft != rows[i].soft || strcmp(a.buf, rows[i].out) != 0)
			fail_msg("qp row %zu: soft %d '%s'", i, soft, a.buf);
	}
}

static void
test_uuencode(void **state)
{
	static const struct { const char *in; int ok; const char *name; } begins[] = {
		{ "begin 644 evil.exe", 1, "evil.exe" },
		{ "begin 0755 my file.scr  ", 1, "my file.scr" },
		{ "begin 64 x", 0, NULL }, { "begin 6448 x", 0, NULL },
		{ "begin 644", 0, NULL }, { "begin 644 ", 0, NULL },
		{ "begin 899 x", 0, NULL }, { "Begin 644 x", 0, NULL },
	};
	struct acc a = { "", 0 };
	char name[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(begins) / sizeof(begins[0]); i++) {
		int ok = scan_uu_begin(begins[i].in, strlen(begins[i].in), name, sizeof(name));
		if (ok != begins[i].ok || (ok && strcmp(name, begins[i].name) != 0))
			fail_msg("scan_uu_begin row %zu", i);
	}
	/* "#0V%T" is "Cat" uuencoded */
	assert_int_equal(scan_uu_line("#0V%T", 5, acc_sink, &a), 0);
	assert_string_equal(a.buf, "Cat");
	assert_int_equal(scan_uu_line("`", 1, acc_sink, &a), 0);   /* zero-length line */
	assert_string_equal(a.buf, "Cat");
	assert_int_equal(scan_uu_line("", 0, acc_sink, &a), -1);
}

static void
test_rfc2047(void **state)
{
	static const struct { const char *in; const char *out; } rows[] = {
		{ "plain.txt", "plain.txt" },
		{ "=?utf-8?B?ZXZpbC5leGU=?=", "evil.exe" },
		{ "=?UTF-8?Q?x=2Eexe?=", "x.exe" },
		{ "=?utf-8?Q?a_b?=", "a b" },
		{ "=?utf-8?B?ZXZp?= =?utf-8?B?bC5leGU=?=", "evil.exe" },   /* joined */
		{ "=?utf-8?Q?ev?=\r\n\t=?utf-8?Q?il.scr?=", "evil.scr" },   /* folded */
		{ "=?iso-8859-1?Q?=E9t=E9.pif?=", "\xc3\xa9t\xc3\xa9.pif" },
		{ "=?windows-1252?B?6XTpLnZicw==?=", "\xc3\xa9t\xc3\xa9.vbs" },
		{ "a =?utf-8?Q?b?= c", "a b c" },
		{ "=?utf-8*fr?Q?x.com?=", "x.com" },                          /* RFC 2231 lang */
		{ "=?x-unknown?Q?raw.reg?=", "raw.reg" },                      /* bytes kept */
		{ "=?utf-8?X?bad?=", "=?utf-8?X?bad?=" },                      /* not a word */
		{ "=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[256];
		scan_rfc2047_decode(rows[i].in, strlen(rows[i].in), out, sizeof(out));
		if (strcmp(out, rows[i].out) != 0)
			fail_msg("2047 row %zu: '%s'", i, out);
	}
	{
		char small[5];
		assert_int_equal(scan_rfc2047_decode("abcdefgh", 8, small, sizeof(small)), 4);
		assert_string_equal(small, "abcd");
	}
}

struct hrow {
	const char *value, *param, *token;
	unsigned n;
	const char *names[3];
	const char *boundary;
	int conflict;
};

static void
test_mime_hdr(void **state)
{
	static const struct hrow rows[] = {
		{ "attachment; filename=\"a.exe\"", "filename", "attachment", 1, { "a.exe" }, "", 0 },
		{ "Application/Octet-Stream; name=clam.exe", "name", "application/octet-stream", 1, { "clam.exe" }, "", 0 },
		{ "attachment; size=5; filename = \"q\\\"uote.pif\" ; x=1", "filename", "attachment", 1, { "q\"uote.pif" }, "", 0 },
		{ "attachment (comment); filename=my file.scr", "filename", "attachment", 1, { "my file.scr" }, "", 0 },
		{ "attachment; filename*=utf-8''%C3%A9t%C3%A9.exe", "filename", "attachment", 1, { "\xc3\xa9t\xc3\xa9.exe" }, "", 0 },
		{ "attachment; filename*1*=%2Eexe; filename*0*=iso-8859-1'fr'%E9t%E9", "filename", "attachment", 1, { "\xc3\xa9t\xc3\xa9.exe" }, "", 0 },
		{ "attachment; filename*0*=utf-8''ev; filename*1=\"il\"; filename*2*=%2Ecom", "filename", "attachment", 1, { "evil.com" }, "", 0 },
		{ "attachment; filename=\"fine.pdf\"; filename*=utf-8''evil.exe", "filename", "attachment", 2, { "fine.pdf", "evil.exe" }, "", 0 },
		{ "attachment; filename=\"=?utf-8?Q?x=2Eexe?=\"", "filename", "attachment", 1, { "x.exe" }, "", 0 },
		{ "attachment; filename=\"unterminated.vbs", "filename", "attachment", 1, { "unterminated.vbs" }, "", 0 },
		{ "application/pdf; x-apple-part-url=\"5F1@yahoo.com\"; name=\"doc.pdf\"", "name", "application/pdf", 1, { "doc.pdf" }, "", 0 },
		{ "application/pdf; x-apple-part-url=\"x.exe@yahoo.com\"", "name", "application/pdf", 0, { NULL }, "", 0 },
		{ "text/plain; filename=x.exe", "name", "text/plain", 0, { NULL }, "", 0 },
		{ "multipart/mixed; boundary=\"==b1\"", "name", "multipart/mixed", 0, { NULL }, "==b1", 0 },
		{ "multipart/mixed; boundary=a; BOUNDARY=b", "name", "multipart/mixed", 0, { NULL }, "a", 1 },
		{ "multipart/mixed; boundary=a; boundary=\"a\"", "name", "multipart/mixed", 0, { NULL }, "a", 0 },
		{ "", "name", "", 0, { NULL }, "", 0 },
		{ ";;;=;name", "name", "", 0, { NULL }, "", 0 },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct scan_mime_hdr h;
		scan_mime_hdr_parse(rows[i].value, strlen(rows[i].value), rows[i].param, &h);
		if (strcmp(h.token, rows[i].token) != 0 || h.n_names != rows[i].n ||
		    strcmp(h.boundary, rows[i].boundary) != 0 ||
		    h.boundary_conflict != rows[i].conflict)
			fail_msg("hdr row %zu: token '%s' n %u boundary '%s' conflict %d",
				 i, h.token, h.n_names, h.boundary, h.boundary_conflict);
		for (k = 0; k < rows[i].n; k++)
			if (strcmp(h.names[k], rows[i].names[k]) != 0)
				fail_msg("hdr row %zu name %zu: '%s'", i, k, h.names[k]);
	}
}

/* ---- the walker ------------------------------------------------------- */

struct seen {
	char all[4096];          /* "origin:name|..." */
	unsigned n;
};

static void
record(void *ctx, const struct scan_file *f)
{
	struct seen *s = ctx;
	size_t i;

	s->n++;
	for (i = 0; i < f->n_names; i++) {
		size_t l = strlen(s->all);
		snprintf(s->all + l, sizeof(s->all) - l, "%d:%s|", f->origin, f->names[i]);
	}
	if (f->n_names == 0) {
		size_t l = strlen(s->all);
		snprintf(s->all + l, sizeof(s->all) - l, "%d:-|", f->origin);
	}
}

static unsigned
scan_text(const char *msg, size_t len, struct seen *seen, size_t chunk,
	  unsigned max_depth, unsigned max_parts)
{
	struct scan_limits lim;
	struct scan_summary sum;
	struct mg_error err;
	struct scan_walker *s;
	size_t off;

	scan_limits_default(&lim);
	lim.magic = 0;
	if (max_depth) lim.max_depth = max_depth;
	if (max_parts) lim.max_parts = max_parts;
	memset(seen, 0, sizeof(*seen));
	s = scan_walker_new(&lim, record, seen, &err);
	assert_non_null(s);
	for (off = 0; off < len; off += chunk)
		scan_walker_feed(s, msg + off, len - off < chunk ? len - off : chunk);
	scan_walker_finish(s, &sum);
	/* the summary counts every file reported, and the top entity */
	assert_int_equal(sum.files, seen->n);
	assert_true(sum.parts >= 1);
	scan_walker_free(&s);
	return sum.anomalies;
}

struct wrow {
	const char *name;
	const char *msg;
	const char *want;        /* exact "origin:name|" list */
	unsigned anomalies;
	unsigned max_depth, max_parts;
};

#define MP "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"

static const struct wrow walker_rows[] = {
	{ "name in Content-Disposition",
	  MP "--b1\nContent-Type: text/plain\n\nhi\n--b1\nContent-Disposition: attachment; filename=\"a.exe\"\n"
	  "Content-Transfer-Encoding: base64\n\nTVqQ\n--b1--\n", "0:a.exe|", 0, 0, 0 },
	{ "name only in Content-Type, folded",
	  MP "--b1\nContent-Type: application/octet-stream;\n\tname=\"b.scr\"\n\nxx\n--b1--\n", "0:b.scr|", 0, 0, 0 },
	{ "both names disagreeing",
	  MP "--b1\nContent-Type: application/pdf; name=\"ok.pdf\"\nContent-Disposition: attachment; filename=\"bad.pif\"\n\nx\n--b1--\n",
	  "0:bad.pif|0:ok.pdf|", 0, 0, 0 },
	{ "unnamed binary part still reported",
	  MP "--b1\nContent-Type: application/octet-stream\n\nx\n--b1--\n", "0:-|", 0, 0, 0 },
	{ "plain text parts are not files",
	  MP "--b1\nContent-Type: text/plain\n\nhello.exe is a word\n--b1--\n", "", 0, 0, 0 },
	{ "nested message/rfc822 with an exe",
	  MP "--b1\nContent-Type: message/rfc822\n\nSubject: in\nContent-Type: multipart/mixed; boundary=b2\n\n"
	  "--b2\nContent-Type: application/x-msdownload; name=inner.exe\n\nMZ\n--b2--\n--b1--\n", "0:inner.exe|", 0, 0, 0 },
	{ "base64-encoded message/rfc822 with an exe",
	  /* "Content-Type: application/octet-stream; name=deep.com\n\nMZ\n" */
	  MP "--b1\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
	  "Q29udGVudC1UeXBlOiBhcHBsaWNhdGlvbi9vY3RldC1zdHJlYW07IG5hbWU9ZGVlcC5jb20KCk1aCg==\n--b1--\n",
	  "0:deep.com|", 0, 0, 0 },
	{ "digest parts default to message/rfc822",
	  "Content-Type: multipart/digest; boundary=d\n\n--d\n\nContent-Type: application/zip; name=x.zip\n\nnot a zip\n--d--\n",
	  "0:x.zip|", 0, 0, 0 },
	{ "missing closing boundary: still found, flagged",
	  MP "--b1\nContent-Type: application/octet-stream; name=open.reg\n\ndata\n", "0:open.reg|", SCAN_ANOM_MALFORMED, 0, 0 },
	{ "boundary that is a prefix of the inner one",
	  "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=ab\n\n"
	  "--ab\nContent-Type: application/x; name=one.vbs\n\n1\n--ab--\n--a\nContent-Type: application/x; name=two.doc\n\n2\n--a--\n",
	  "0:one.vbs|0:two.doc|", 0, 0, 0 },
	{ "outer boundary closes an unclosed inner part",
	  "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/mixed; boundary=i\n\n"
	  "--i\nContent-Type: application/x; name=in.exe\n\n1\n--o\nContent-Type: application/x; name=out.doc\n\n2\n--o--\n",
	  "0:in.exe|0:out.doc|", SCAN_ANOM_MALFORMED, 0, 0 },
	{ "multipart without boundary: one part",
	  "Content-Type: multipart/mixed\n\n--x\nContent-Type: application/x; name=hidden.exe\n\n", "", SCAN_ANOM_MALFORMED, 0, 0 },
	{ "duplicate boundary parameters: ambiguous",
	  "Content-Type: multipart/mixed; boundary=a; boundary=b\n\n--a\nContent-Type: application/x; name=p.exe\n\n1\n--a--\n",
	  "0:p.exe|", SCAN_ANOM_AMBIGUOUS, 0, 0 },
	{ "inline uuencode in a text part",
	  "Content-Type: text/plain\n\nsee below\nbegin 644 cat.exe\n#0V%T\n`\nend\nbye\n", "2:cat.exe|", 0, 0, 0 },
	{ "x-uuencode part",
	  MP "--b1\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 uu.scr\n#0V%T\n`\nend\n--b1--\n",
	  "2:uu.scr|", 0, 0, 0 },
	{ "RFC 2231 continuation through the walker",
	  MP "--b1\nContent-Disposition: attachment;\n filename*0*=utf-8''%C3%A9;\n filename*1=\".exe\"\n\nx\n--b1--\n",
	  "0:\xc3\xa9.exe|", 0, 0, 0 },
	{ "depth cap: the part beyond it is not walked",
	  "Content-Type: multipart/mixed; boundary=l1\n\n--l1\nContent-Type: multipart/mixed; boundary=l2\n\n"
	  "--l2\nContent-Type: multipart/mixed; boundary=l3\n\n--l3\nContent-Type: application/x; name=deep.exe\n\n1\n--l3--\n--l2--\n--l1--\n",
	  "", SCAN_ANOM_DEPTH, 2, 0 },
	{ "depth exactly at the cap is walked",
	  "Content-Type: multipart/mixed; boundary=l1\n\n--l1\nContent-Type: multipart/mixed; boundary=l2\n\n"
	  "--l2\nContent-Type: application/x; name=ok.exe\n\n1\n--l2--\n--l1--\n",
	  "0:ok.exe|", 0, 2, 0 },
	{ "part cap",
	  MP "--b1\nContent-Type: application/x; name=1.doc\n\n1\n--b1\nContent-Type: application/x; name=2.doc\n\n2\n"
	  "--b1\nContent-Type: application/x; name=3.exe\n\n3\n--b1--\n", "0:1.doc|0:2.doc|", SCAN_ANOM_PARTS, 0, 3 },
	{ "CRLF line ends",
	  "Content-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Type: application/x; name=\"crlf.pif\"\r\n\r\nx\r\n--c--\r\n",
	  "0:crlf.pif|", 0, 0, 0 },
	{ "top-level attachment without multipart",
	  "Content-Type: Application/Octet-Stream; name=\"top.exe\"\nContent-Transfer-Encoding: base64\n\nTVo=\n", "0:top.exe|", 0, 0, 0 },
	{ "body without headers: repaired, flagged", "just text\n", "", SCAN_ANOM_MALFORMED, 0, 0 },
	{ "empty input", "", "", 0, 0, 0 },
};

static void
test_walker(void **state)
{
	static const size_t chunks[] = { 1, 3, 7, 65536 };
	size_t i, c;

	(void)state;
	for (i = 0; i < sizeof(walker_rows) / sizeof(walker_rows[0]); i++) {
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct seen seen;
			const struct wrow *r = &walker_rows[i];
			unsigned a = scan_text(r->msg, strlen(r->msg), &seen, chunks[c],
					       r->max_depth, r->max_parts);
			if (strcmp(seen.all, r->want) != 0 || a != r->anomalies)
				fail_msg("%s (chunk %zu): got '%s' anomalies 0x%x", r->name,
					 chunks[c], seen.all, a);
		}
	}
}

/* a STORED zip with the given members (data = name), built in memory */
/* central_dir - the central directory of stored entries, and the end
 * record */
static size_t
central_dir(unsigned char *out, const char *const *names, const size_t *lens,
	    size_t n, int encrypted)
{
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);
		unsigned char c[46] = { 'P', 'K', 1, 2, 20, 0, 20, 0 };
		c[8] = encrypted ? 1 : 0;
		c[20] = (unsigned char)lens[i]; c[21] = (unsigned char)(lens[i] >> 8);
		c[24] = (unsigned char)lens[i]; c[25] = (unsigned char)(lens[i] >> 8);
		c[28] = (unsigned char)nl; c[29] = (unsigned char)(nl >> 8);
		memcpy(out + o, c, 46); o += 46;
		memcpy(out + o, names[i], nl); o += nl;
	}
	memcpy(out + o, "PK\5\6\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22);
	return o + 22;
}

static size_t
make_zip(unsigned char *out, const char *const *names, const unsigned char *const *datas,
	 const size_t *lens, size_t n, int encrypted)
{
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);
		unsigned char h[30] = { 'P', 'K', 3, 4, 20, 0 };
		h[6] = encrypted ? 1 : 0;
		h[18] = (unsigned char)lens[i]; h[19] = (unsigned char)(lens[i] >> 8);
		h[22] = (unsigned char)lens[i]; h[23] = (unsigned char)(lens[i] >> 8);
		h[26] = (unsigned char)nl; h[27] = (unsigned char)(nl >> 8);
		memcpy(out + o, h, 30); o += 30;
		memcpy(out + o, names[i], nl); o += nl;
		memcpy(out + o, datas[i], lens[i]); o += lens[i];
	}
	return o + central_dir(out + o, names, lens, n, encrypted);
}

/* raw deflate of in (as zip's method 8 stores it) */
static size_t
deflate_raw(const unsigned char *in, size_t inlen, unsigned char *out, size_t outcap)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)inlen;
	zs.next_out = out;
	zs.avail_out = (uInt)outcap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return outcap - zs.avail_out;
}

/* one DEFLATED member named name whose content is data; with a data
 * descriptor (sizes 0 in the local header, then PK\7\8 + crc + sizes),
 * followed by a STORED member "after.txt" and the central directory */
static size_t
make_deflated_zip(unsigned char *out, size_t outcap, const char *name,
		  const unsigned char *data, size_t len, int descriptor)
{
	size_t nl = strlen(name), o = 0, c;
	unsigned char h[30] = { 'P', 'K', 3, 4, 20, 0 };

	h[6] = descriptor ? 8 : 0;
	h[8] = 8;                                     /* method: deflate */
	h[26] = (unsigned char)nl;
	o = 30 + nl;
	c = deflate_raw(data, len, out + o, outcap - o - 100);
	if (!descriptor) {
		h[18] = (unsigned char)c; h[19] = (unsigned char)(c >> 8);
		h[20] = (unsigned char)(c >> 16); h[21] = (unsigned char)(c >> 24);
		h[22] = (unsigned char)len; h[23] = (unsigned char)(len >> 8);
		h[24] = (unsigned char)(len >> 16); h[25] = (unsigned char)(len >> 24);
	}
	memcpy(out, h, 30);
	memcpy(out + 30, name, nl);
	o += c;
	if (descriptor) {
		memcpy(out + o, "PK\7\10\0\0\0\0\0\0\0\0\0\0\0\0", 16);
		o += 16;
	}
	{
		const char *an[] = { "after.txt" };
		const unsigned char *ad[] = { (const unsigned char *)"x" };
		size_t al[] = { 1 };
		o += make_zip(out + o, an, ad, al, 1, 0);
	}
	return o;
}

struct zseen { char all[1024]; int enc; unsigned maxdepth; char last[1100]; };

static void
zrecord(void *ctx, const char *name, unsigned long long size, int enc, unsigned depth)
{
	struct zseen *z = ctx;
	size_t l = strlen(z->all);

	(void)size;
	snprintf(z->all + l, sizeof(z->all) - l, "%s|", name);
	snprintf(z->last, sizeof(z->last), "%s", name);
	z->enc |= enc;
	if (depth > z->maxdepth)
		z->maxdepth = depth;
}

static void
zrecord(void *ctx, const char *name, unsigned long long size, int enc, unsigned depth);

/* list_zip - the names (into z) and the anomaly bits of a whole zip */
static unsigned
list_zip(const unsigned char *d, size_t n, struct zseen *z)
{
	struct scan_zip_lister *zl;
	unsigned a;

	memset(z, 0, sizeof(*z));
	zl = scan_zip_lister_new(1, 3, 100, zrecord, z);
	scan_zip_lister_feed(zl, d, n);
	a = scan_zip_lister_finish(zl);
	scan_zip_lister_free(&zl);
	return a;
}

/* zips inside zips, DEFLATED: with sizes in the header or only in a data
 * descriptor, fed whole and byte by byte; a bomb; garbage */
static void
test_zip_deflated(void **state)
{
	static unsigned char inner[1024], outer[4096];
	const char *in_names[] = { "readme.txt", "payload.exe" };
	const unsigned char *in_data[] = { (const unsigned char *)"hello", (const unsigned char *)"MZ" };
	size_t in_lens[] = { 5, 2 }, ilen, olen, k;
	int descriptor, bytewise;
	struct zseen z;
	struct scan_zip_lister *zl;

	(void)state;
	ilen = make_zip(inner, in_names, in_data, in_lens, 2, 0);
	for (descriptor = 0; descriptor <= 1; descriptor++)
		for (bytewise = 0; bytewise <= 1; bytewise++) {
			olen = make_deflated_zip(outer, sizeof(outer), "Inner.ZIP", inner, ilen,
						 descriptor);
			memset(&z, 0, sizeof(z));
			zl = scan_zip_lister_new(1, 3, 100, zrecord, &z);
			if (bytewise)
				for (k = 0; k < olen; k++)
					scan_zip_lister_feed(zl, outer + k, 1);
			else
				scan_zip_lister_feed(zl, outer, olen);
			assert_int_equal(scan_zip_lister_finish(zl), 0);
			scan_zip_lister_free(&zl);
			if (strcmp(z.all, "Inner.ZIP|readme.txt|payload.exe|after.txt|") != 0)
				fail_msg("descriptor=%d bytewise=%d: %s", descriptor, bytewise, z.all);
			assert_int_equal(z.maxdepth, 2);
		}
	/* deflated data that is not a zip: listed as a member, nothing inside */
	olen = make_deflated_zip(outer, sizeof(outer), "fake.zip",
				 (const unsigned char *)"just text, not a zip", 20, 0);
	assert_int_equal(list_zip(outer, olen, &z) & 2, 0);
	assert_string_equal(z.all, "fake.zip|after.txt|");
	/* broken deflate data with its size known: flagged, the rest listed */
	olen = make_deflated_zip(outer, sizeof(outer), "bad.zip", inner, ilen, 0);
	memset(outer + 30 + 7, 0xff, 8);                   /* BTYPE 11: invalid */
	assert_int_equal(list_zip(outer, olen, &z), 1);
	assert_string_equal(z.all, "bad.zip|after.txt|");
}

/* a nested zip whose one member claims 65 MiB of zeros: inflating it is
 * stopped at 64 MiB and flagged like a depth overflow */
static void
test_zip_bomb(void **state)
{
	size_t big = 65u << 20, ilen, olen;
	unsigned char *inner = calloc(1, big + 64), *outer = malloc(1u << 20);
	unsigned char h[30] = { 'P', 'K', 3, 4, 20, 0 };
	struct zseen z;

	(void)state;
	assert_non_null(inner);
	assert_non_null(outer);
	h[18] = h[22] = 0; h[19] = h[23] = 0;
	h[20] = h[24] = 0x10; h[21] = h[25] = 0x04;        /* 0x04100000 = 65 MiB */
	h[26] = 7;
	memcpy(inner, h, 30);
	memcpy(inner + 30, "big.bin", 7);
	ilen = 37 + big;
	olen = make_deflated_zip(outer, 1u << 20, "bomb.zip", inner, ilen, 0);
	assert_int_equal(list_zip(outer, olen, &z) & 2, 2);
	assert_string_equal(z.all, "bomb.zip|big.bin|after.txt|");
	free(inner);
	free(outer);
}

static void
test_zip(void **state)
{
	unsigned char inner[512], outer[1024], deep[2048];
	const char *in_names[] = { "readme.txt", "payload.exe" };
	const unsigned char *in_data[] = { (const unsigned char *)"hello", (const unsigned char *)"MZ" };
	size_t in_lens[] = { 5, 2 }, ilen, olen, dlen, k;
	const char *out_names[] = { "inner.zip" };
	const unsigned char *out_data[1];
	size_t out_lens[1];
	struct zseen z;
	struct scan_zip_lister *zl;

	(void)state;
	ilen = make_zip(inner, in_names, in_data, in_lens, 2, 0);
	out_data[0] = inner; out_lens[0] = ilen;
	olen = make_zip(outer, out_names, out_data, out_lens, 1, 0);
	/* byte by byte, as a stream */
	memset(&z, 0, sizeof(z));
	zl = scan_zip_lister_new(1, 3, 100, zrecord, &z);
	for (k = 0; k < olen; k++)
		scan_zip_lister_feed(zl, outer + k, 1);
	assert_int_equal(scan_zip_lister_finish(zl), 0);
	scan_zip_lister_free(&zl);
	assert_string_equal(z.all, "inner.zip|readme.txt|payload.exe|");
	assert_int_equal(z.maxdepth, 2);
	/* the same with a depth limit of 1: the inner zip is not listed, flagged */
	memset(&z, 0, sizeof(z));
	zl = scan_zip_lister_new(1, 1, 100, zrecord, &z);
	scan_zip_lister_feed(zl, outer, olen);
	assert_int_equal(scan_zip_lister_finish(zl), 2);
	scan_zip_lister_free(&zl);
	assert_string_equal(z.all, "inner.zip|");
	/* encrypted members: names visible, flag set */
	dlen = make_zip(deep, in_names, in_data, in_lens, 2, 1);
	memset(&z, 0, sizeof(z));
	zl = scan_zip_lister_new(1, 3, 100, zrecord, &z);
	scan_zip_lister_feed(zl, deep, dlen);
	assert_int_equal(scan_zip_lister_finish(zl), 0);
	scan_zip_lister_free(&zl);
	assert_string_equal(z.all, "readme.txt|payload.exe|");
	assert_int_equal(z.enc, 1);
	/* truncated inside a member: broken */
	memset(&z, 0, sizeof(z));
	zl = scan_zip_lister_new(1, 3, 100, zrecord, &z);
	scan_zip_lister_feed(zl, deep, 40);
	assert_int_equal(scan_zip_lister_finish(zl), 1);
	scan_zip_lister_free(&zl);
	/* entry cap */
	memset(&z, 0, sizeof(z));
	zl = scan_zip_lister_new(1, 3, 1, zrecord, &z);
	scan_zip_lister_feed(zl, deep, dlen);
	assert_int_equal(scan_zip_lister_finish(zl), 4);
	scan_zip_lister_free(&zl);
	assert_string_equal(z.all, "readme.txt|");
	/* what extractors that read the central directory still see: */
	{
		static unsigned char buf[4096];
		static const char *const one[] = { "invoice.pdf" }, *const cen[] = { "invoice.exe" };
		static const char *const late[] = { "late.exe" };
		static const unsigned char *const od[] = { (const unsigned char *)"%PDF" };
		static const size_t ol[] = { 4 };
		size_t o;

		/* a central name that no local header gave (local "invoice.pdf",
		 * central "invoice.exe"): reported too, once */
		o = make_zip(buf, one, od, ol, 1, 0);
		o -= 46 + strlen(one[0]) + 22;                    /* its central directory */
		o += central_dir(buf + o, cen, ol, 1, 0);
		assert_int_equal(list_zip(buf, o, &z), 0);
		assert_string_equal(z.all, "invoice.pdf|invoice.exe|");
		/* bytes that belong to no record between two members: the
		 * second is found */
		o = make_zip(buf, one, od, ol, 1, 0) - 46 - strlen(one[0]) - 22;
		memcpy(buf + o, "junk junk", 9);
		o += 9;
		o += make_zip(buf + o, late, od, ol, 1, 0);
		assert_int_equal(list_zip(buf, o, &z), 0);
		assert_string_equal(z.all, "invoice.pdf|late.exe|");
		/* a data descriptor after a member whose sizes are in its
		 * header too (bit 3 set): the next member is found */
		o = make_zip(buf, one, od, ol, 1, 0) - 46 - strlen(one[0]) - 22;
		buf[6] |= 8;
		memcpy(buf + o, "PK\7\10\0\0\0\0\4\0\0\0\4\0\0\0", 16);
		o += 16;
		o += make_zip(buf + o, late, od, ol, 1, 0);
		assert_int_equal(list_zip(buf, o, &z), 0);
		assert_string_equal(z.all, "invoice.pdf|late.exe|");
		/* the central directory cut inside an entry: broken */
		o = make_zip(buf, one, od, ol, 1, 0);
		assert_int_equal(list_zip(buf, o - 22 - 5, &z), 1);
		/* a central directory alone (no local header): its names, broken */
		o = central_dir(buf, cen, ol, 1, 0);
		assert_int_equal(list_zip(buf, o, &z), 1);
		assert_string_equal(z.all, "invoice.exe|");
	}
	/* a name of 3000 bytes: its last 1024 are kept, the extension too */
	{
		static char longname[3010];
		static unsigned char big[8192];
		const char *ln[] = { longname };
		memset(longname, 'n', 3000);
		strcpy(longname + 3000, ".exe");
		dlen = make_zip(big, ln, in_data, in_lens, 1, 0);
		for (k = 1; k <= 4096; k *= 8) {
			memset(&z, 0, sizeof(z));
			zl = scan_zip_lister_new(1, 3, 100, zrecord, &z);
			for (size_t o = 0; o < dlen; o += k)
				scan_zip_lister_feed(zl, big + o, dlen - o < k ? dlen - o : k);
			assert_int_equal(scan_zip_lister_finish(zl), 0);
			scan_zip_lister_free(&zl);
			assert_int_equal(strlen(z.last), 1024);
			assert_string_equal(z.last + 1020, ".exe");
		}
	}
}

/* ---- real material from Debian packages -------------------------------- */

static int
read_file(const char *path, char **buf, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (fp == NULL)
		return -1;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	*buf = malloc((size_t)n + 1);
	*len = fread(*buf, 1, (size_t)n, fp);
	fclose(fp);
	return 0;
}

static void
test_clamav_files(void **state)
{
	static const struct { const char *file; const char *want; } rows[] = {
		{ "clam.mail", "0:clam.exe|" },
		{ "clam.exe.mbox.base64", "0:clam.exe|" },
		{ "clam.exe.mbox.uu", "2:clam.exe|" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char path[256], *buf;
		size_t len;
		struct seen seen;
		snprintf(path, sizeof(path), "/usr/share/clamav-testfiles/%s", rows[i].file);
		if (read_file(path, &buf, &len) < 0)
			skip();          /* package clamav-testfiles (tests/run installs it) */
		scan_text(buf, len, &seen, 4096, 0, 0);
		free(buf);
		if (strcmp(seen.all, rows[i].want) != 0)
			fail_msg("%s: '%s'", rows[i].file, seen.all);
	}
}

/* ---- tar, gzip, cabinet ------------------------------------------------ */

struct abuf { unsigned char d[65536]; size_t n; };

static void
aput(struct abuf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->d));
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

/* tar_header - a 512-byte header (POSIX ustar, or GNU) */
static void
tar_header(unsigned char *h, const char *name, char type, const char *prefix,
	   size_t n, int gnu)
{
	unsigned sum = 0;
	size_t i;

	memset(h, 0, 512);
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	{
		char num[32];
		snprintf(num, sizeof(num), "%011lo", (unsigned long)n & 077777777777UL);
		memcpy(h + 124, num, 12);
	}
	memcpy(h + 136, "14712345670", 12);
	h[156] = (unsigned char)type;
	if (gnu)
		memcpy(h + 257, "ustar  ", 8);
	else
		memcpy(h + 257, "ustar\0" "00", 8);
	if (prefix != NULL)
		memcpy(h + 345, prefix, strlen(prefix));
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	{
		char num[32];
		snprintf(num, sizeof(num), "%06o", sum & 0777777u);
		memcpy(h + 148, num, 7);
	}
}

/* tar_entry - a header, its data, the padding */
static void
tar_entry(struct abuf *b, const char *name, char type, const char *prefix,
	  const char *data, size_t n, int gnu)
{
	unsigned char h[512];
	static const unsigned char zero[512];

	tar_header(h, name, type, prefix, n, gnu);
	aput(b, h, 512);
	aput(b, data, n);
	aput(b, zero, (512 - n % 512) % 512);
}

#define TAR_WANT_2 \
	"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd" \
	"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd" \
	"/invoice.pdf.exe"
static const char TAR_WANT[] =
	"docs/readme.txt|"
	"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	"/invoice.pdf.exe|photos/\xc3\xa9t\xc3\xa9.scr|very/long/dir/run.vbs|link.com|";

/* make_tar - a regular file, a GNU long name, a pax path, a POSIX
 * prefix, a directory (not a file), a symlink, the end blocks */
static void
make_tar(struct abuf *b)
{
	char longname[200], pax[64];
	static const unsigned char zero[1024];

	b->n = 0;
	tar_entry(b, "docs/readme.txt", '0', NULL, "hello", 5, 0);
	memset(longname, 'd', 152);
	strcpy(longname + 152, "/invoice.pdf.exe");
	tar_entry(b, "././@LongLink", 'L', NULL, longname, strlen(longname) + 1, 1);
	tar_entry(b, "dddddddd/invoice.pdf", '0', NULL, "%PDF", 4, 1);
	snprintf(pax, sizeof(pax), "%d path=photos/\xc3\xa9t\xc3\xa9.scr\n", 25);
	assert_int_equal(strlen(pax), 25);
	tar_entry(b, "PaxHeaders/x", 'x', NULL, pax, strlen(pax), 0);
	tar_entry(b, "photos/ete.txt", '0', NULL, "x", 1, 0);
	tar_entry(b, "run.vbs", '0', "very/long/dir", "y", 1, 0);
	tar_entry(b, "dir/", '5', NULL, "", 0, 0);
	tar_entry(b, "link.com", '2', NULL, "", 0, 0);
	aput(b, zero, sizeof(zero));
}

static unsigned
list_arc(enum scan_arc_format f, const unsigned char *d, size_t n, size_t chunk,
	 unsigned max_entries, struct zseen *z)
{
	struct scan_arc_lister *a;
	unsigned r;
	size_t k;

	memset(z, 0, sizeof(*z));
	a = scan_arc_lister_new(f, 1, 2, max_entries, zrecord, z);
	assert_non_null(a);
	for (k = 0; k < n; k += chunk)
		scan_arc_lister_feed(a, d + k, n - k < chunk ? n - k : chunk);
	r = scan_arc_lister_finish(a);
	scan_arc_lister_free(&a);
	return r;
}

/* gzip - d compressed with a gzip header naming it fname (or none) */
static size_t
gzip(const unsigned char *d, size_t n, const char *fname, unsigned char *out, size_t cap)
{
	z_stream zs;
	gz_header h;

	memset(&zs, 0, sizeof(zs));
	memset(&h, 0, sizeof(h));
	assert_int_equal(deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	h.name = (unsigned char *)fname;
	assert_int_equal(deflateSetHeader(&zs, &h), Z_OK);
	zs.next_in = (unsigned char *)d;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	n = zs.total_out;
	deflateEnd(&zs);
	return n;
}

static void
test_tar(void **state)
{
	static struct abuf b;
	static const size_t chunks[] = { 1, 7, 511, 512, 513, 4096, 65536 };
	struct zseen z;
	size_t i;
	char longname[3100];

	(void)state;
	make_tar(&b);
	assert_int_equal(scan_arc_detect(b.d, SCAN_ARC_DETECT_BYTES), SCAN_ARC_TAR);
	assert_int_equal(scan_arc_detect(b.d, SCAN_ARC_DETECT_BYTES - 1), SCAN_ARC_NONE);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		if (list_arc(SCAN_ARC_TAR, b.d, b.n, chunks[i], 100, &z) != 0 ||
		    strcmp(z.all, TAR_WANT) != 0)
			fail_msg("chunk %zu: '%s'", chunks[i], z.all);
	}
	/* without the end blocks, ending between members: complete */
	assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, b.n - 1024, 4096, 100, &z), 0);
	/* truncated inside a member's data: broken, what came before listed */
	assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, 512 + 3, 4096, 100, &z), 1);
	assert_string_equal(z.all, "docs/readme.txt|");
	/* entry cap */
	assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, b.n, 4096, 2, &z), 4);
	assert_string_equal(z.all, "docs/readme.txt|" TAR_WANT_2 "|");
	/* a bad checksum (the GNU long name's header): broken, and, as GNU
	 * tar does, the next blocks are searched for a header: the long name
	 * is lost, the members after it are listed */
	b.d[1024 + 148] ^= 1;
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, b.n, chunks[i], 100, &z), 1);
		assert_string_equal(z.all, "docs/readme.txt|dddddddd/invoice.pdf|"
				    "photos/\xc3\xa9t\xc3\xa9.scr|very/long/dir/run.vbs|link.com|");
	}
	/* a GNU long name longer than the kept 1024 bytes keeps its end */
	b.n = 0;
	memset(longname, 'x', 3000);
	strcpy(longname + 3000, ".exe");
	tar_entry(&b, "././@LongLink", 'L', NULL, longname, 3005, 1);
	tar_entry(&b, "xxx", '0', NULL, "", 0, 1);
	assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, b.n, 100, 100, &z), 0);
	assert_int_equal(strlen(z.last), 1024);
	assert_string_equal(z.last + 1024 - 4, ".exe");
	/* a zip inside (listed at depth 2), then a member after it */
	{
		static const char *const zn[] = { "readme.txt", "payload.exe" };
		static const unsigned char *const zd[] = { (const unsigned char *)"hi",
							   (const unsigned char *)"MZ" };
		static const size_t zl[] = { 2, 2 };
		unsigned char zip[512];
		size_t zlen = make_zip(zip, zn, zd, zl, 2, 0);
		static const unsigned char zero[1024];

		b.n = 0;
		tar_entry(&b, "Docs.ZIP", '0', NULL, (const char *)zip, zlen, 0);
		tar_entry(&b, "after.txt", '0', NULL, "x", 1, 0);
		aput(&b, zero, sizeof(zero));
		for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
			assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, b.n, chunks[i], 100, &z), 0);
			assert_string_equal(z.all, "Docs.ZIP|readme.txt|payload.exe|after.txt|");
			assert_int_equal(z.maxdepth, 2);
		}
		/* no deeper than max_zip_depth: not listed, flagged */
		{
			struct scan_arc_lister *a;
			memset(&z, 0, sizeof(z));
			a = scan_arc_lister_new(SCAN_ARC_TAR, 1, 1, 100, zrecord, &z);
			scan_arc_lister_feed(a, b.d, b.n);
			assert_int_equal(scan_arc_lister_finish(a), 2);
			scan_arc_lister_free(&a);
			assert_string_equal(z.all, "Docs.ZIP|after.txt|");
		}
		/* truncated inside the zip: broken */
		assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, 512 + 40, 4096, 100, &z), 1);
	}
}

static void
test_gzip(void **state)
{
	static struct abuf b;
	static unsigned char gz[70000];
	static const size_t chunks[] = { 1, 13, 4096 };
	unsigned char *zeros;
	struct zseen z;
	size_t n, i;
	char want[1024];

	(void)state;
	make_tar(&b);
	n = gzip(b.d, b.n, "bundle.tar", gz, sizeof(gz));
	assert_int_equal(scan_arc_detect(gz, 3), SCAN_ARC_GZIP);
	snprintf(want, sizeof(want), "bundle.tar|%s", TAR_WANT);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		if (list_arc(SCAN_ARC_GZIP, gz, n, chunks[i], 100, &z) != 0 ||
		    strcmp(z.all, want) != 0)
			fail_msg("chunk %zu: '%s'", chunks[i], z.all);
	}
	/* no name in the header (gzip -n, tar czf): the members only */
	n = gzip(b.d, b.n, NULL, gz, sizeof(gz));
	assert_int_equal(list_arc(SCAN_ARC_GZIP, gz, n, 4096, 100, &z), 0);
	assert_string_equal(z.all, TAR_WANT);
	/* truncated: broken */
	assert_int_equal(list_arc(SCAN_ARC_GZIP, gz, n / 2, 4096, 100, &z), 1);
	/* the tar split over two concatenated gzip members (gzip(1) reads
	 * them as one stream): all listed; trailing garbage ignored; the
	 * second member truncated: broken */
	{
		static unsigned char two[140000];
		size_t n1 = gzip(b.d, 1536, "bundle.tar", two, sizeof(two));
		size_t n2 = gzip(b.d + 1536, b.n - 1536, NULL, two + n1, sizeof(two) - n1);

		for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
			if (list_arc(SCAN_ARC_GZIP, two, n1 + n2, chunks[i], 100, &z) != 0 ||
			    strcmp(z.all, want) != 0)
				fail_msg("two members, chunk %zu: '%s'", chunks[i], z.all);
		}
		memcpy(two + n1 + n2, "garbage", 7);
		assert_int_equal(list_arc(SCAN_ARC_GZIP, two, n1 + n2 + 7, 4096, 100, &z), 0);
		assert_string_equal(z.all, want);
		assert_int_equal(list_arc(SCAN_ARC_GZIP, two, n1 + n2 / 2, 4096, 100, &z), 1);
		/* cut right after the first member: what came so far is a
		 * whole gzip stream, but the tar inside ends in a member */
		assert_int_equal(list_arc(SCAN_ARC_GZIP, two, n1, 4096, 100, &z), 1);
	}
	/* one compressed file, not a tar: its name */
	n = gzip((const unsigned char *)"MZ not a tar", 12, "notes.scr", gz, sizeof(gz));
	assert_int_equal(list_arc(SCAN_ARC_GZIP, gz, n, 5, 100, &z), 0);
	assert_string_equal(z.all, "notes.scr|");
	/* not deflate data after a gzip header: broken */
	assert_int_equal(list_arc(SCAN_ARC_GZIP, (const unsigned char *)"\x1f\x8b\x08\0\0\0\0\0\0\3garbage!",
				  18, 4096, 100, &z), 1);
	/* a bomb: a tar whose first member is 200 MiB of zeros (about 200 KiB
	 * compressed), a second member behind it: stopped, flagged */
	zeros = calloc((200u << 20) + 2048, 1);
	assert_non_null(zeros);
	tar_header(zeros, "zeros.bin", '0', NULL, 200u << 20, 0);
	tar_header(zeros + 512 + (200u << 20), "late.exe", '0', NULL, 0, 0);
	{
		unsigned char *big = malloc(1u << 20);
		assert_non_null(big);
		n = gzip(zeros, (200u << 20) + 2048, NULL, big, 1u << 20);
		assert_int_equal(list_arc(SCAN_ARC_GZIP, big, n, 65536, 100, &z) & 2, 2);
		assert_string_equal(z.all, "zeros.bin|");
		/* not a bomb: what it says on a tenth of it (20 MiB in 20 KiB) */
		tar_header(zeros + 512 + (20u << 20), "late.exe", '0', NULL, 0, 0);
		tar_header(zeros, "zeros.bin", '0', NULL, 20u << 20, 0);
		n = gzip(zeros, (20u << 20) + 2048, NULL, big, 1u << 20);
		assert_int_equal(list_arc(SCAN_ARC_GZIP, big, n, 65536, 100, &z), 0);
		assert_string_equal(z.all, "zeros.bin|late.exe|");
		free(big);
	}
	free(zeros);
}

static void
test_cab(void **state)
{
	static struct abuf b;
	static const size_t chunks[] = { 1, 7, 4096 };
	unsigned char h[36], folder[8];
	struct zseen z;
	size_t i;
	char *buf;
	size_t len;
	static const struct { unsigned long size; const char *name; } files[] = {
		{ 5, "a.txt" }, { 7, "setup\\b.exe" },
	};

	(void)state;
	b.n = 0;
	memset(h, 0, sizeof(h));
	memcpy(h, "MSCF", 4);
	h[16] = 36 + 8;                  /* coffFiles: after one CFFOLDER */
	h[24] = 3; h[25] = 1;
	h[26] = 1;                       /* cFolders */
	h[28] = 2;                       /* cFiles */
	aput(&b, h, sizeof(h));
	memset(folder, 0, sizeof(folder));
	aput(&b, folder, sizeof(folder));
	for (i = 0; i < 2; i++) {
		unsigned char f[16];
		memset(f, 0, sizeof(f));
		f[0] = (unsigned char)files[i].size;
		aput(&b, f, sizeof(f));
		aput(&b, files[i].name, strlen(files[i].name) + 1);
	}
	aput(&b, "data data data", 14);
	assert_int_equal(scan_arc_detect(b.d, 8), SCAN_ARC_CAB);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		if (list_arc(SCAN_ARC_CAB, b.d, b.n, chunks[i], 100, &z) != 0 ||
		    strcmp(z.all, "a.txt|setup\\b.exe|") != 0)
			fail_msg("chunk %zu: '%s'", chunks[i], z.all);
	}
	/* truncated inside the names: broken, the first listed */
	assert_int_equal(list_arc(SCAN_ARC_CAB, b.d, 36 + 8 + 16 + 6 + 16 + 3, 4096, 100, &z), 1);
	assert_string_equal(z.all, "a.txt|");
	/* coffFiles inside the header: broken */
	b.d[16] = 20;
	assert_int_equal(list_arc(SCAN_ARC_CAB, b.d, b.n, 4096, 100, &z), 1);
	assert_string_equal(z.all, "");
	/* Debian's clamav-testfiles: clam.exe in a cabinet and a .tar.gz */
	if (read_file("/usr/share/clamav-testfiles/clam.cab", &buf, &len) < 0)
		skip();          /* package clamav-testfiles (tests/run installs it) */
	assert_int_equal(list_arc(SCAN_ARC_CAB, (unsigned char *)buf, len, 3, 100, &z), 0);
	assert_string_equal(z.all, "clam.exe|");
	free(buf);
	if (read_file("/usr/share/clamav-testfiles/clam.tar.gz", &buf, &len) < 0)
		skip();
	assert_int_equal(list_arc(SCAN_ARC_GZIP, (unsigned char *)buf, len, 3, 100, &z), 0);
	assert_string_equal(z.all, "clam.exe|");
	free(buf);
}

/* the walker opens tar, .tar.gz and cab attachments, whatever their name */
static void
test_archives_in_mail(void **state)
{
	static struct abuf b;
	static unsigned char gz[70000];
	static char b64[100000], msg[120000];
	static const size_t chunks[] = { 1, 77, 4096, 200000 };
	struct seen seen;
	size_t n, i, k;
	char want[2048], *p;
	const char *what[] = { "tar", "gz" };

	(void)state;
	make_tar(&b);
	for (k = 0; k < 2; k++) {
		const unsigned char *d = b.d;
		n = b.n;
		if (k == 1) {
			n = gzip(b.d, b.n, NULL, gz, sizeof(gz));
			d = gz;
		}
		EVP_EncodeBlock((unsigned char *)b64, d, (int)n);
		/* MIME lines of 76 */
		p = msg + snprintf(msg, sizeof(msg), MP "--b1\nContent-Type: application/octet-stream; name=\"photos.dat\"\n"
				   "Content-Transfer-Encoding: base64\n\n");
		for (i = 0; i < strlen(b64); i += 76)
			p += snprintf(p, 78, "%.76s\n", b64 + i);
		strcpy(p, "--b1--\n");
		/* the members (origin 4), then the part itself (origin 0) */
		want[0] = '\0';
		{
			char names[sizeof(TAR_WANT)], *t;
			memcpy(names, TAR_WANT, sizeof(TAR_WANT));
			for (t = strtok(names, "|"); t != NULL; t = strtok(NULL, "|"))
				snprintf(want + strlen(want), sizeof(want) - strlen(want), "4:%s|", t);
		}
		strcat(want, "0:photos.dat|");
		for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
			if (scan_text(msg, strlen(msg), &seen, chunks[i], 0, 0) != 0 ||
			    strcmp(seen.all, want) != 0)
				fail_msg("%s chunk %zu: '%s'", what[k], chunks[i], seen.all);
		}
	}
}

/* ---- TNEF (winmail.dat) ------------------------------------------------ */

struct tbuf { unsigned char d[4096]; size_t n; };

static void
put(struct tbuf *b, const void *p, size_t n)
{
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void
put32(struct tbuf *b, unsigned long v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	put(b, x, 4);
}

/* attribute - level, id, length, data, checksum (not checked: zeros) */
static void
attribute(struct tbuf *b, unsigned level, unsigned long id, const void *data, size_t n)
{
	unsigned char lv = (unsigned char)level;

	put(b, &lv, 1);
	put32(b, id);
	put32(b, n);
	put(b, data, n);
	put(b, "\0\0", 2);
}

/* a TNEF stream: a message attribute, then one attachment with an 8.3
 * title, MAPI properties (a PT_LONG, a named property, the UTF-16 long
 * file name) and data that is a STORED zip holding inner.vbs */
static size_t
make_tnef(struct tbuf *b)
{
	struct tbuf props = { .n = 0 }, zip = { .n = 0 };
	static const unsigned char guid[16] = { 1, 2, 3 };
	static const char *const zn[] = { "inner.vbs" };
	static const unsigned char *const zd[] = { (const unsigned char *)"x" };
	static const size_t zl[] = { 1 };
	/* "Rapport été.pdf.scr" in UTF-16LE, NUL-terminated */
	static const char *ascii_a = "Rapport ", *ascii_b = ".pdf.scr";
	unsigned char u16[64];
	size_t u = 0, i;

	for (i = 0; ascii_a[i]; i++) { u16[u++] = (unsigned char)ascii_a[i]; u16[u++] = 0; }
	u16[u++] = 0xe9; u16[u++] = 0; u16[u++] = 't'; u16[u++] = 0;
	u16[u++] = 0xe9; u16[u++] = 0;
	for (i = 0; ascii_b[i]; i++) { u16[u++] = (unsigned char)ascii_b[i]; u16[u++] = 0; }
	u16[u++] = 0; u16[u++] = 0;

	b->n = 0;
	put(b, SCAN_TNEF_SIGNATURE "\x01\x00", 6);
	attribute(b, 1, 0x00089006UL, "\0\0\1\0", 4);         /* attTnefVersion */
	attribute(b, 2, 0x00069002UL, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 14);
	attribute(b, 2, 0x00018010UL, "SHORT~1.EXE", 12);    /* attAttachTitle */
	put32(&props, 3);                                     /* 3 properties */
	put32(&props, 0x0E200003UL);                          /* PT_LONG size */
	put32(&props, 1234);
	put32(&props, 0x8001001FUL);                          /* named, by id */
	put(&props, guid, 16);
	put32(&props, 0);
	put32(&props, 0x8501);
	put32(&props, 1);
	put32(&props, 2);
	put(&props, "a\0\0\0", 4);                          /* padded to 4 */
	put32(&props, 0x3707001FUL);                          /* PR_ATTACH_LONG_FILENAME */
	put32(&props, 1);
	put32(&props, u);
	put(&props, u16, u);
	while (props.n % 4)
		put(&props, "", 1);
	attribute(b, 2, 0x00069005UL, props.d, props.n);     /* attAttachment */
	zip.n = make_zip(zip.d, zn, zd, zl, 1, 0);
	attribute(b, 2, 0x0006800FUL, zip.d, zip.n);         /* attAttachData */
	return b->n;
}

static unsigned
list_tnef(const unsigned char *d, size_t n, size_t chunk, struct zseen *z)
{
	struct scan_tnef_lister *t;
	unsigned a;
	size_t k;

	memset(z, 0, sizeof(*z));
	t = scan_tnef_lister_new(1, 3, 100, zrecord, z);
	for (k = 0; k < n; k += chunk)
		scan_tnef_lister_feed(t, d + k, n - k < chunk ? n - k : chunk);
	a = scan_tnef_lister_finish(t);
	scan_tnef_lister_free(&t);
	return a;
}

static void
test_tnef(void **state)
{
	static struct tbuf b;
	size_t n = make_tnef(&b), chunk;
	struct zseen z;
	char *buf;
	size_t len;

	(void)state;
	for (chunk = 1; chunk <= 4096; chunk *= 8) {
		assert_int_equal(list_tnef(b.d, n, chunk, &z), 0);
		assert_string_equal(z.all, "SHORT~1.EXE|Rapport \xc3\xa9t\xc3\xa9.pdf.scr|inner.vbs|");
		assert_int_equal(z.maxdepth, 2);
	}
	/* a zip inside is one level deeper: with max_zip_depth 1, flagged */
	{
		struct scan_tnef_lister *t;

		memset(&z, 0, sizeof(z));
		t = scan_tnef_lister_new(1, 1, 100, zrecord, &z);
		scan_tnef_lister_feed(t, b.d, n);
		assert_int_equal(scan_tnef_lister_finish(t), 2);
		scan_tnef_lister_free(&t);
	}
	/* truncated inside an attribute: broken, names so far kept */
	assert_int_equal(list_tnef(b.d, n - 20, 4096, &z), 1);
	assert_non_null(strstr(z.all, "SHORT~1.EXE|"));
	/* not TNEF: broken, nothing listed */
	assert_int_equal(list_tnef((const unsigned char *)"PK\3\4 not tnef", 14, 4096, &z), 1);
	assert_string_equal(z.all, "");
	/* an attribute level that is not 1 or 2: stop there */
	b.d[6] = 7;
	assert_int_equal(list_tnef(b.d, n, 4096, &z), 1);
	assert_string_equal(z.all, "");
	/* Debian's clamav-testfiles: clam.exe inside winmail.dat */
	if (read_file("/usr/share/clamav-testfiles/clam.tnef", &buf, &len) < 0)
		skip();          /* package clamav-testfiles (tests/run installs it) */
	assert_int_equal(list_tnef((unsigned char *)buf, len, 7, &z), 0);
	free(buf);
	assert_string_equal(z.all, "clam.exe|clam.exe|");
}

static int
banned(const char *name)
{
	static const char *const exts[] = { ".exe", ".com", ".pif", ".reg", ".scr", ".vbs" };
	size_t i, l = strlen(name);

	for (i = 0; i < 6; i++)
		if (l >= 4 && strcasecmp(name + l - 4, exts[i]) == 0)
			return 1;
	return 0;
}

static void
test_python_corpus_no_false_positive(void **state)
{
	const char *dir = "/usr/lib/python3.11/test/test_email/data";
	struct dirent *de;
	DIR *d = opendir(dir);
	unsigned files = 0;

	(void)state;
	if (d == NULL)
		skip();              /* package libpython3.11-testsuite */
	while ((de = readdir(d)) != NULL) {
		char path[512], *buf, *p;
		size_t len;
		struct seen seen;
		if (strncmp(de->d_name, "msg_", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (read_file(path, &buf, &len) < 0)
			continue;
		scan_text(buf, len, &seen, 1000, 0, 0);
		free(buf);
		files++;
		for (p = strtok(seen.all, "|"); p != NULL; p = strtok(NULL, "|"))
			if (banned(p + 2))
				fail_msg("%s: false positive %s", de->d_name, p);
	}
	closedir(d);
	assert_true(files >= 40);
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
		cmocka_unit_test(test_mime_hdr),
		cmocka_unit_test(test_walker),
		cmocka_unit_test(test_zip),
		cmocka_unit_test(test_zip_deflated),
		cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_tnef),
		cmocka_unit_test(test_tar),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_cab),
		cmocka_unit_test(test_archives_in_mail),
		cmocka_unit_test(test_clamav_files),
		cmocka_unit_test(test_python_corpus_no_false_positive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
