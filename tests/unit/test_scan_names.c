/*
 * test_scan_names.c - names as clients save them and the structure
 * evasions (issue 11 items 7 and 8): scan_name_normalise() rows, then
 * messages through the walker in chunks of 1, 3, 7 and 65536 bytes:
 * Unicode space and format characters, NTFS streams, NUL, RFC 2231
 * sections in any order and past the cap, Thunderbird's fallback name
 * headers, long parameters and boundaries, duplicated headers
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "name_norm.h"
#include "scan.h"
#include "scan_support.h"

/* ---- scan_name_normalise ----------------------------------------------- */

struct nrow { const char *name, *in; size_t len; const char *want; };

#define ROW(n, in, want) { n, in, sizeof(in) - 1, want }
static const struct nrow nrows[] = {
	ROW("plain name unchanged", "report.pdf", "report.pdf"),
	ROW("trailing zero-width space", "x.exe\xe2\x80\x8b", "x.exe"),
	ROW("trailing ZWNJ, ZWJ, word joiner, BOM",
	    "x.exe\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0\xef\xbb\xbf", "x.exe"),
	ROW("trailing NBSP and ideographic space", "x.exe\xc2\xa0\xe3\x80\x80", "x.exe"),
	ROW("trailing TAB (a control: dropped)", "x.exe\t", "x.exe"),
	ROW("trailing dots and spaces (Windows)", "x.exe. . ", "x.exe"),
	ROW("trailing soft hyphen and RLM", "x.exe\xc2\xad\xe2\x80\x8f", "x.exe"),
	ROW("trailing Mongolian vowel separator", "x.exe\xe1\xa0\x8e", "x.exe"),
	ROW("mixed trailing run", "x.exe\xe2\x80\x8b.\xc2\xa0\xe2\x80\x8b", "x.exe"),
	ROW("leading spaces and BOM", "\xef\xbb\xbf  x.exe", "x.exe"),
	ROW("control inside: dropped (Gecko)", "x.e\x01xe", "x.exe"),
	ROW("C1 control inside: dropped", "x.e\xc2\x85xe", "x.exe"),
	ROW("line separator inside: dropped", "x.e\xe2\x80\xa8xe", "x.exe"),
	ROW("NUL inside: dropped", "x.txt\0.exe", "x.txt.exe"),
	ROW("space inside the extension: dropped (Gecko)", "x. e x e", "x.exe"),
	ROW("NBSP inside the extension: dropped", "x.e\xc2\xa0xe", "x.exe"),
	ROW("space before the extension stays", "my file.exe", "my file.exe"),
	ROW("zero-width inside the extension stays", "x.e\xe2\x80\x8bxe", "x.e\xe2\x80\x8bxe"),
	ROW("NTFS ::$DATA", "x.exe::$DATA", "x.exe"),
	ROW("NTFS Zone.Identifier stream", "x.exe:Zone.Identifier", "x.exe"),
	ROW("NTFS named stream with type", "x.exe:stream:$DATA", "x.exe"),
	ROW("drive letter is no stream", "C:x.exe", "C:x.exe"),
	ROW("stream after a path", "dir\\x.exe:s", "dir\\x.exe"),
	ROW("colon first: kept", ":x.exe", ":x.exe"),
	ROW("only white space: kept as declared", " ", " "),
	ROW("bidi override inside stays (extension is what it is)",
	    "inv\xe2\x80\xae" "fdp.exe", "inv\xe2\x80\xae" "fdp.exe"),
	ROW("invalid UTF-8 kept", "x\xff.exe\xe2\x80", "x\xff.exe\xe2\x80"),
	ROW("harmless look-alike stays harmless", "setup.exe.pdf\xe2\x80\x8b", "setup.exe.pdf"),
	ROW("x.executive", "x.executive", "x.executive"),
};

/* test_normalise - every row */
static void
test_normalise(void **state)
{
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nrows) / sizeof(nrows[0]); i++) {
		size_t n = scan_name_normalise(nrows[i].in, nrows[i].len, out, sizeof(out));
		if (strcmp(out, nrows[i].want) != 0 || n != strlen(out))
			fail_msg("%s: got '%s'", nrows[i].name, out);
	}
	/* a small output buffer: cut, terminated */
	scan_name_normalise("abcdef.exe", 10, out, 4);
	assert_string_equal(out, "abc");
}

struct erow { const char *name, *in, *want; };

static const struct erow erows[] = {
	{ "plain", "x.exe", "x.exe" },
	{ "zero-width space", "x.exe\xe2\x80\x8b", "x.exe\\u200B" },
	{ "NBSP, BOM, TAB", "a\xc2\xa0" "b\xef\xbb\xbf\t", "a\\u00A0b\\uFEFF\\u0009" },
	{ "visible UTF-8 kept", "\xc3\xa9t\xc3\xa9.exe", "\xc3\xa9t\xc3\xa9.exe" },
	{ "bad byte, backslash", "a\xff\\b", "a\\xFF\\\\b" },
};

/* test_escape - scan_name_escape rows, and a cut at a whole escape */
static void
test_escape(void **state)
{
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(erows) / sizeof(erows[0]); i++) {
		scan_name_escape(erows[i].in, out, sizeof(out));
		if (strcmp(out, erows[i].want) != 0)
			fail_msg("%s: got '%s'", erows[i].name, out);
	}
	scan_name_escape("ab\xe2\x80\x8b", out, 6);
	assert_string_equal(out, "ab");
}

/* ---- through the walker ------------------------------------------------ */

struct nseen { char all[4096]; unsigned n; };

/* nrecord - "origin:name(raw)|" when the raw name differs, else
 * "origin:name|"; "origin:-|" for a file without a name */
static void
nrecord(void *ctx, const struct scan_file *f)
{
	struct nseen *s = ctx;
	size_t i, l;

	s->n++;
	if (f->n_names == 0) {
		l = strlen(s->all);
		snprintf(s->all + l, sizeof(s->all) - l, "%d:-|", f->origin);
	}
	for (i = 0; i < f->n_names; i++) {
		l = strlen(s->all);
		if (strcmp(f->names[i], f->raw_names[i]) != 0)
			snprintf(s->all + l, sizeof(s->all) - l, "%d:%s(%s)|", f->origin,
				 f->names[i], f->raw_names[i]);
		else
			snprintf(s->all + l, sizeof(s->all) - l, "%d:%s|", f->origin,
				 f->names[i]);
	}
}

/* walk - a message in chunks; the names seen, the anomalies */
static unsigned
walk(const char *msg, size_t len, size_t chunk, struct nseen *seen)
{
	unsigned files, a;

	memset(seen, 0, sizeof(*seen));
	a = walk_message(msg, len, chunk, 0, 0, nrecord, seen, &files);
	assert_int_equal(files, seen->n);
	return a;
}

#define MP "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
#define PART(hdrs) MP "--b1\n" hdrs "\nMZ\n--b1--\n"

struct wrow { const char *name, *msg; const char *want; unsigned anomalies; };

static const struct wrow wrows[] = {
	{ "zero-width space after the name",
	  PART("Content-Disposition: attachment; filename=\"x.exe\xe2\x80\x8b\"\n"),
	  "0:x.exe(x.exe\xe2\x80\x8b)|", 0 },
	{ "zero-width space in RFC 2231",
	  PART("Content-Disposition: attachment; filename*=utf-8''x.exe%E2%80%8B\n"),
	  "0:x.exe(x.exe\xe2\x80\x8b)|", 0 },
	{ "NTFS stream name",
	  PART("Content-Type: application/octet-stream; name=\"x.exe::$DATA\"\n"),
	  "0:x.exe(x.exe::$DATA)|", 0 },
	{ "Zone.Identifier stream name",
	  PART("Content-Disposition: attachment; filename=\"x.exe:Zone.Identifier\"\n"),
	  "0:x.exe(x.exe:Zone.Identifier)|", 0 },
	{ "NUL in RFC 2231: both readings",
	  PART("Content-Disposition: attachment; filename*=utf-8''x.txt%00.exe\n"),
	  "0:x.txt|0:x.txt.exe|", 0 },
	{ "NUL in RFC 2047: both readings",
	  PART("Content-Disposition: attachment; filename=\"=?utf-8?Q?x.exe=00.txt?=\"\n"),
	  "0:x.exe|0:x.exe.txt|", 0 },
	{ "RFC 2231 sections out of order, encoded and not",
	  PART("Content-Disposition: attachment; filename*2=\"e\"; filename*0*=utf-8''in%76;"
	       " filename*3*=%78e; filename*1=\"oice.\"\n"),
	  "0:invoice.exe|", 0 },
	{ "Content-Name header (Thunderbird's fallback)",
	  PART("Content-Type: application/octet-stream\nContent-Name: cn.exe\n"),
	  "0:cn.exe|", 0 },
	{ "X-Sun-Data-Name header, RFC 2047",
	  PART("X-Sun-Data-Type: default\nX-Sun-Data-Name: =?utf-8?Q?sun.scr?=\n"),
	  "0:sun.scr|", 0 },
	{ "X-Sun-Data-Name in a text part makes it a file",
	  MP "--b1\nContent-Type: text/plain\nX-Sun-Data-Name: t.vbs\n\nmsgbox 1\n--b1--\n",
	  "0:t.vbs|", 0 },
	{ "Sun Mailtool part: X-Sun-Encoding-Info uuencode (rightmost element)",
	  "Content-Type: multipart/x-sun-attachment; boundary=--------\n\n----------\n"
	  "X-Sun-Data-Type: default\nX-Sun-Data-Name: a.dat\nX-Sun-Encoding-Info: adpcm-compress, uuencode\n\n"
	  "begin 644 inner.exe\n#0V%T\n`\nend\n------------\n",
	  "2:a.dat|2:inner.exe|", 0 },
	{ "Sun part: X-Sun-Data-Type other than text makes an unnamed part a file",
	  "Content-Type: multipart/x-sun-attachment; boundary=--------\n\n----------\n"
	  "X-Sun-Data-Type: default\n\nMZ\n----------\nX-Sun-Data-Type: text\n\nhello\n------------\n",
	  "0:-|", 0 },
	{ "Content-Transfer-Encoding wins over X-Sun-Encoding-Info",
	  PART("Content-Type: application/octet-stream; name=f.bin\nContent-Transfer-Encoding: 7bit\n"
	       "X-Sun-Encoding-Info: uuencode\n"),
	  "0:f.bin|", 0 },
	{ "two Content-Type headers of one type: both names count",
	  PART("Content-Type: application/octet-stream; name=a.pdf\n"
	       "Content-Type: application/octet-stream; name=b.exe\n"),
	  "0:b.exe|0:a.pdf|", 0 },
	{ "two different Content-Types: ambiguous",
	  PART("Content-Type: text/plain\nContent-Type: application/x-msdownload; name=c.exe\n"),
	  "0:c.exe|", SCAN_ANOM_AMBIGUOUS },
	{ "two different Content-Transfer-Encodings: ambiguous",
	  PART("Content-Type: application/octet-stream; name=d.bin\n"
	       "Content-Transfer-Encoding: base64\nContent-Transfer-Encoding: 7bit\n"),
	  "0:d.bin|", SCAN_ANOM_AMBIGUOUS },
	{ "the same Content-Transfer-Encoding twice: fine",
	  PART("Content-Type: application/octet-stream; name=e.bin\n"
	       "Content-Transfer-Encoding: base64\nContent-Transfer-Encoding: BASE64\n"),
	  "0:e.bin|", 0 },
	{ "harmless look-alikes pass unchanged",
	  MP "--b1\nContent-Type: application/pdf; name=\"setup.exe.pdf\"\n\nx\n"
	  "--b1\nContent-Type: text/plain; name=\"x.exe.txt\"\n\nx\n"
	  "--b1\nContent-Type: application/octet-stream; name=\"exe\"\n\nx\n"
	  "--b1\nContent-Type: application/octet-stream; name=\"x.executive\"\n\nx\n--b1--\n",
	  "0:setup.exe.pdf|0:x.exe.txt|0:exe|0:x.executive|", 0 },
};

/* test_walker_names - every row, every chunking */
static void
test_walker_names(void **state)
{
	static const size_t chunks[] = { 1, 3, 7, 65536 };
	size_t i, c;

	(void)state;
	for (i = 0; i < sizeof(wrows) / sizeof(wrows[0]); i++)
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct nseen seen;
			unsigned a = walk(wrows[i].msg, strlen(wrows[i].msg), chunks[c], &seen);
			if (strcmp(seen.all, wrows[i].want) != 0 || a != wrows[i].anomalies)
				fail_msg("%s (chunk %zu): got '%s' anomalies 0x%x", wrows[i].name,
					 chunks[c], seen.all, a);
		}
}

/* build - printf into a malloc'ed message */
static char *
build(size_t cap, const char *fmt, ...)
{
	char *m = malloc(cap);
	va_list ap;

	assert_non_null(m);
	va_start(ap, fmt);
	assert_true((size_t)vsnprintf(m, cap, fmt, ap) < cap);
	va_end(ap);
	return m;
}

/* filler - n bytes of "; p=vvvv" parameters, in a malloc'ed string */
static char *
filler(size_t n, int fold)
{
	char *f = malloc(n + 32);
	size_t o = 0;

	assert_non_null(f);
	while (o < n)
		o += (size_t)snprintf(f + o, n + 32 - o, fold && o % 1000 < 12 ? ";\n p%zu=vvvv" :
				      "; p%zu=vvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", o);
	f[o] = '\0';
	return f;
}

struct big { const char *name; char *msg; const char *want; unsigned anomalies; };

/* test_long_structure - 9 KB of parameters before the name (one line and
 * folded), a 5000-byte boundary, a boundary past the cap, 200 RFC 2231
 * sections (the cap) and 201, a name longer than the name buffer */
static void
test_long_structure(void **state)
{
	static const size_t chunks[] = { 1, 7, 4096, 65536 };
	char *f1 = filler(9000, 0), *f2 = filler(9000, 1), *f3 = filler(70000, 0);
	char *b5k = malloc(5001), *b9k = malloc(9001), *sec200 = malloc(200 * 40),
	     *sec201 = malloc(201 * 40), *longname = malloc(3001), *sp9k = malloc(9001);
	struct big rows[10];
	size_t i, c, o;

	(void)state;
	assert_true(b5k && b9k && sec200 && sec201 && longname && sp9k);
	memset(b5k, 'b', 5000); b5k[5000] = '\0';
	memset(b9k, 'c', 9000); b9k[9000] = '\0';
	memset(sp9k, ' ', 9000); sp9k[9000] = '\0';
	for (i = 0, o = 0; i < 200; i++)    /* sections in reverse order */
		o += (size_t)sprintf(sec200 + o, ";\n filename*%zu=\"%s\"", 199 - i,
				     199 - i == 199 ? ".exe" : "a");
	for (i = 0, o = 0; i < 201; i++)
		o += (size_t)sprintf(sec201 + o, ";\n filename*%zu=\"%s\"", i,
				     i == 200 ? ".exe" : "a");
	memset(longname, 'n', 3000); memcpy(longname + 2996, ".exe", 5);
	rows[0] = (struct big){ "9 KB of parameters on one line, then the filename",
		build(20000, MP "--b1\nContent-Disposition: attachment%s; filename=\"late.exe\"\n\nMZ\n--b1--\n",
		      f1), "0:late.exe|", 0 };
	rows[1] = (struct big){ "9 KB of folded parameters, then the filename",
		build(20000, MP "--b1\nContent-Disposition: attachment%s; filename=\"late.exe\"\n\nMZ\n--b1--\n",
		      f2), "0:late.exe|", 0 };
	rows[2] = (struct big){ "70 KB of parameters: past the header cap, an anomaly",
		build(80000, MP "--b1\nContent-Disposition: attachment%s; filename=\"late.exe\"\n\nMZ\n--b1--\n",
		      f3), "", SCAN_ANOM_HEADER_LONG };
	rows[3] = (struct big){ "a 5000-byte boundary",
		build(20000, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\n"
		      "Content-Type: application/x; name=b.exe\n\nMZ\n--%s--\n", b5k, b5k, b5k),
		"0:b.exe|", 0 };
	rows[4] = (struct big){ "a 9000-byte boundary: no line can match it, an anomaly",
		build(30000, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\n"
		      "Content-Type: application/x; name=b.exe\n\nMZ\n--%s--\n", b9k, b9k, b9k),
		"", SCAN_ANOM_HEADER_LONG | SCAN_ANOM_MALFORMED };
	rows[5] = (struct big){ "200 RFC 2231 sections in reverse order: the whole name",
		build(20000, PART("Content-Disposition: attachment%s\n"), sec200),
		NULL, 0 };
	rows[6] = (struct big){ "201 sections: past the cap, an anomaly",
		build(20000, PART("Content-Disposition: attachment%s\n"), sec201),
		NULL, SCAN_ANOM_NAME_SECTIONS };
	rows[8] = (struct big){ "the tail of a long body line is no boundary",
		build(20000, MP "--b1\nContent-Type: application/x; name=in.exe\n\n%.8192s--b1\nMZ\n--b1--\n",
		      b9k), "0:in.exe|", 0 };
	rows[9] = (struct big){ "a boundary followed by 9000 spaces is still a boundary",
		build(40000, MP "--b1\nContent-Type: text/plain\n\nhi\n--b1%s\n"
		      "Content-Type: application/x; name=ws.exe\n\nMZ\n--b1--%s\n", sp9k, sp9k),
		"0:ws.exe|", SCAN_ANOM_MALFORMED };
	rows[7] = (struct big){ "a 3000-byte name keeps its extension",
		build(20000, PART("Content-Disposition: attachment; filename=\"%s\"\n"), longname),
		NULL, 0 };
	for (i = 0; i < 10; i++)
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct nseen seen;
			unsigned a = walk(rows[i].msg, strlen(rows[i].msg), chunks[c], &seen);
			size_t l = strlen(seen.all);
			int ok = rows[i].want ? strcmp(seen.all, rows[i].want) == 0 :
				 i == 6 ? strncmp(seen.all, "0:aaaa", 6) == 0 :
				 l > 6 && strcmp(seen.all + l - 5, ".exe|") == 0;
			if (!ok || a != rows[i].anomalies)
				fail_msg("%s (chunk %zu): got '%.60s...' anomalies 0x%x",
					 rows[i].name, chunks[c], seen.all, a);
		}
	for (i = 0; i < 10; i++)
		free(rows[i].msg);
	free(f1); free(f2); free(f3); free(b5k); free(b9k); free(sec200); free(sec201);
	free(longname);
	free(sp9k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_walker_names),
		cmocka_unit_test(test_long_structure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
