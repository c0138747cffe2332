/*
 * test_scan_mime_hdr.c - Content-Type and Content-Disposition values
 * (mime_hdr.h): tokens, boundaries, and every declared name in its plain,
 * RFC 2231 and RFC 2047 forms, as a table of valid, hostile and boundary
 * values
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mime_hdr.h"

struct hrow {
	const char *name;
	const char *value, *param, *token;
	unsigned n;
	const char *names[3];
	const char *boundary;
	int conflict;
};

static const struct hrow rows[] = {
	{ "quoted filename",
	  "attachment; filename=\"a.exe\"", "filename", "attachment", 1, { "a.exe" }, "", 0 },
	{ "type lowercased, unquoted name",
	  "Application/Octet-Stream; name=clam.exe", "name", "application/octet-stream", 1,
	  { "clam.exe" }, "", 0 },
	{ "quoted-pair, spaces around =, other parameters",
	  "attachment; size=5; filename = \"q\\\"uote.pif\" ; x=1", "filename", "attachment", 1,
	  { "q\"uote.pif" }, "", 0 },
	{ "comment, unquoted value with a space",
	  "attachment (comment); filename=my file.scr", "filename", "attachment", 1,
	  { "my file.scr" }, "", 0 },
	{ "RFC 2231 encoded",
	  "attachment; filename*=utf-8''%C3%A9t%C3%A9.exe", "filename", "attachment", 1,
	  { "\xc3\xa9t\xc3\xa9.exe" }, "", 0 },
	{ "RFC 2231 sections out of order, with a language",
	  "attachment; filename*1*=%2Eexe; filename*0*=iso-8859-1'fr'%E9t%E9", "filename",
	  "attachment", 1, { "\xc3\xa9t\xc3\xa9.exe" }, "", 0 },
	{ "RFC 2231 encoded and plain sections mixed",
	  "attachment; filename*0*=utf-8''ev; filename*1=\"il\"; filename*2*=%2Ecom",
	  "filename", "attachment", 1, { "evil.com" }, "", 0 },
	{ "plain and RFC 2231 names disagree: both",
	  "attachment; filename=\"fine.pdf\"; filename*=utf-8''evil.exe", "filename",
	  "attachment", 2, { "fine.pdf", "evil.exe" }, "", 0 },
	{ "RFC 2047 inside a quoted value",
	  "attachment; filename=\"=?utf-8?Q?x=2Eexe?=\"", "filename", "attachment", 1,
	  { "x.exe" }, "", 0 },
	{ "unterminated quoted value",
	  "attachment; filename=\"unterminated.vbs", "filename", "attachment", 1,
	  { "unterminated.vbs" }, "", 0 },
	{ "a parameter whose name ends like name",
	  "application/pdf; x-apple-part-url=\"5F1@yahoo.com\"; name=\"doc.pdf\"", "name",
	  "application/pdf", 1, { "doc.pdf" }, "", 0 },
	{ "only a parameter whose name ends like name",
	  "application/pdf; x-apple-part-url=\"x.exe@yahoo.com\"", "name", "application/pdf",
	  0, { NULL }, "", 0 },
	{ "filename in Content-Type is not its name",
	  "text/plain; filename=x.exe", "name", "text/plain", 0, { NULL }, "", 0 },
	{ "quoted boundary",
	  "multipart/mixed; boundary=\"==b1\"", "name", "multipart/mixed", 0, { NULL },
	  "==b1", 0 },
	{ "two different boundaries: the first, a conflict",
	  "multipart/mixed; boundary=a; BOUNDARY=b", "name", "multipart/mixed", 0, { NULL },
	  "a", 1 },
	{ "RFC 2231 boundary",
	  "multipart/signed; boundary*=\"us-ascii'en'a%2Fb\"", "name", "multipart/signed", 0,
	  { NULL }, "a/b", 0 },
	{ "the same boundary twice: no conflict",
	  "multipart/mixed; boundary=a; boundary=\"a\"", "name", "multipart/mixed", 0,
	  { NULL }, "a", 0 },
	{ "empty value", "", "name", "", 0, { NULL }, "", 0 },
	{ "separators only", ";;;=;name", "name", "", 0, { NULL }, "", 0 },
	{ "RFC 2231 section that is not a number: ignored",
	  "attachment; filename*x*=utf-8''a.exe", "filename", "attachment", 0, { NULL }, "", 0 },
	{ "RFC 2231 section past 999: ignored",
	  "attachment; filename*1000=a.exe", "filename", "attachment", 0, { NULL }, "", 0 },
	{ "RFC 2231 section with junk after its number: ignored",
	  "attachment; filename*0x=a.exe", "filename", "attachment", 0, { NULL }, "", 0 },
};

/* test_mime_hdr - every row parsed: token, names, boundary, conflict */
static void
test_mime_hdr(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct scan_mime_hdr h;
		scan_mime_hdr_parse(rows[i].value, strlen(rows[i].value), rows[i].param, &h);
		if (strcmp(h.token, rows[i].token) != 0 || h.n_names != rows[i].n ||
		    strcmp(h.boundary, rows[i].boundary) != 0 ||
		    h.boundary_conflict != rows[i].conflict)
			fail_msg("%s: token '%s' n %u boundary '%s' conflict %d",
				 rows[i].name, h.token, h.n_names, h.boundary,
				 h.boundary_conflict);
		for (k = 0; k < rows[i].n; k++)
			if (strcmp(h.names[k], rows[i].names[k]) != 0)
				fail_msg("%s: name %zu: '%s'", rows[i].name, k, h.names[k]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mime_hdr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
