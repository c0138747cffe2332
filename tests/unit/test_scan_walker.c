/*
 * test_scan_walker.c - the MIME walker (scan.h): a table of messages
 * (structure, names, encodings, caps, repairs) fed in any chunking, the
 * archives it opens whatever the attachment's name, and real material
 * from Debian packages (clamav-testfiles, Python's email corpus)
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

#include <openssl/evp.h>

#include "scan.h"
#include "scan_support.h"

struct seen {
	char all[4096];          /* "origin:name|..." */
	unsigned n;
};

/* record - a scan_file_fn appending "origin:name|" to the struct seen */
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

/* scan_text - a message through a walker (no libmagic) fed in chunks;
 * its anomalies */
static unsigned
scan_text(const char *msg, size_t len, struct seen *seen, size_t chunk,
	  unsigned max_depth, unsigned max_parts)
{
	unsigned files, a;

	memset(seen, 0, sizeof(*seen));
	a = walk_message(msg, len, chunk, max_depth, max_parts, record, seen, &files);
	/* the summary counts every file reported */
	assert_int_equal(files, seen->n);
	return a;
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
	{ "multipart without boundary, a \"--\" line, then headers without a name: malformed only",
	  "Content-Type: multipart/report; report-type=delivery-status;\n\tbo\n\nThis is MIME\n\n--JAB/z\n"
	  "Content-Type: message/delivery-status\n\nReporting-MTA: dns; z\n--JAB/z--\n", "",
	  SCAN_ANOM_MALFORMED, 0, 0 },
	{ "RFC 2231 boundary (boundary*=)",
	  "Content-Type: multipart/signed; boundary*=\"ansi-x3.4-1968''Ee%51\"\n\n--EeQ\n"
	  "Content-Type: application/x; name=s.exe\n\nMZ\n--EeQ--\n", "0:s.exe|", 0, 0, 0 },
	{ "multipart without boundary, a \"--\" line then a named part a client could guess: ambiguous",
	  "Content-Type: multipart/mixed\n\n--x\nContent-Type: application/x; name=hidden.exe\n\n", "",
	  SCAN_ANOM_MALFORMED | SCAN_ANOM_AMBIGUOUS, 0, 0 },
	{ "multipart without boundary and no \"--\" line: one text part",
	  "Content-Type: multipart/mixed\n\nhello\n- -\n", "", SCAN_ANOM_MALFORMED, 0, 0 },
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

/* test_walker - every row, in chunks of 1, 3, 7 and 65536 bytes */
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

/* test_clamav_files - clam.exe in Debian's clamav-testfiles mails */
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

/* test_archives_in_mail - the walker opens tar and .tar.gz
 * attachments, whatever their name */
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

/* banned - the name ends in an extension the charter bans */
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

/* test_python_corpus_no_false_positive - no banned name in the
 * Python email test corpus, whose messages carry no such files, and no
 * anomaly refused by default (msg_25: a multipart whose boundary= is cut;
 * msg_33: an RFC 2231 boundary*=) */
static void
test_python_corpus_no_false_positive(void **state)
{
	const char *dir = "/usr/lib/python3.11/test/test_email/data";
	struct dirent *de;
	DIR *d = opendir(dir);
	unsigned files = 0, a;
	const unsigned refused = SCAN_ANOM_DEPTH | SCAN_ANOM_PARTS | SCAN_ANOM_ZIP_DEPTH |
		SCAN_ANOM_ZIP_ENTRIES | SCAN_ANOM_AMBIGUOUS | SCAN_ANOM_HEADER_LONG |
		SCAN_ANOM_MESSAGE_PARTIAL | SCAN_ANOM_NAME_SECTIONS;

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
		a = scan_text(buf, len, &seen, 1000, 0, 0);
		free(buf);
		if (a & refused)
			fail_msg("%s: anomalies 0x%x", de->d_name, a);
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
		cmocka_unit_test(test_walker),
		cmocka_unit_test(test_archives_in_mail),
		cmocka_unit_test(test_clamav_files),
		cmocka_unit_test(test_python_corpus_no_false_positive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
