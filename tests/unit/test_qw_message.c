/*
 * test_qw_message.c - the warning mail's headers, encodings and texts
 * (the texts read back through the test decoder, mail_check.h)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mail_check.h"
#include "qw_message.h"

static char text[16384];

static struct qw_message_in
base(void)
{
	struct qw_message_in in;

	memset(&in, 0, sizeof(in));
	in.lang = MG_LANG_FR;
	in.from = "postmaster@ac-demo.fr";
	in.to = "prenom.nom@ac-demo.fr";
	in.threshold = 90;
	in.percent = 91;
	in.used_bytes = 977272832ULL;          /* 932 Mo */
	in.limit_bytes = 1073741824ULL;        /* 1 Go */
	in.now = 1795344000;
	in.msgid_domain = "ac-demo.fr";
	in.unique = 42;
	return in;
}

static void
test_french_default(void **state)
{
	struct qw_message_in in = base();
	struct mg_error err;
	char out[16384], msgid[128];
	const char *bad;
	int n;

	(void)state;
	n = qw_message_build(&in, out, sizeof(out), &err);
	assert_true(n > 0);
	assert_int_equal(strlen(out), (size_t)n);
	if ((bad = mc_format_error(out)) != NULL)       /* CRLF everywhere, 7-bit */
		fail_msg("%s", bad);
	assert_non_null(strstr(out, "From: postmaster@ac-demo.fr\r\n"));
	assert_non_null(strstr(out, "To: prenom.nom@ac-demo.fr\r\n"));
	/* "Votre boîte aux lettres est remplie à 91 %" in UTF-8, B-encoded,
	 * each line within 76 columns */
	assert_non_null(strstr(out, "Subject: =?UTF-8?B?Vm90cmUgYm/DrnRlIGF1eCBsZXR0cmVzIGVzdCByZW1wbGllIMOg?=\r\n"
				    " =?UTF-8?B?IDkxICU=?=\r\n"));
	assert_int_equal(mc_subject(out, text, sizeof(text)), 1);
	assert_string_equal(text, "Votre bo\xc3\xaete aux lettres est remplie \xc3\xa0 91 %");
	assert_non_null(strstr(out, "Auto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(out, "Precedence: bulk\r\n"));
	assert_non_null(strstr(out, "X-Quota-Warning: 90\r\n"));
	assert_non_null(strstr(out, "Date: Sun, 22 Nov 2026 10:40:00 +0000\r\n"));
	snprintf(msgid, sizeof(msgid), "Message-ID: <1795344000.%ld.42.qw90@ac-demo.fr>\r\n",
		 (long)getpid());
	assert_non_null(strstr(out, msgid));
	assert_non_null(strstr(out, "Content-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(out, "Content-Transfer-Encoding: quoted-printable\r\n"));
	assert_non_null(strstr(out, "\r\n\r\nBonjour,\r\n"));
	assert_int_equal(mc_body(out, text, sizeof(text)), 1);
	assert_non_null(strstr(text, "utilise 932 Mo sur les 1 Go autoris\xc3\xa9s (91 %)"));
}

static void
test_full_and_english(void **state)
{
	struct qw_message_in in = base();
	struct mg_error err;
	char out[16384];

	(void)state;
	in.threshold = 100;
	in.percent = 103;
	assert_true(qw_message_build(&in, out, sizeof(out), &err) > 0);
	assert_non_null(strstr(out, "X-Quota-Warning: 100\r\n"));
	assert_int_equal(mc_subject(out, text, sizeof(text)), 1);
	assert_string_equal(text, "Votre bo\xc3\xaete aux lettres est pleine");
	assert_int_equal(mc_body(out, text, sizeof(text)), 1);
	assert_non_null(strstr(text, "est pleine : 932 Mo"));
	in.lang = MG_LANG_EN;
	assert_true(qw_message_build(&in, out, sizeof(out), &err) > 0);
	assert_non_null(strstr(out, "Subject: Your mailbox is full\r\n"));
	assert_int_equal(mc_body(out, text, sizeof(text)), 1);
	assert_non_null(strstr(text, "is full: 932 MB used of the 1 GB allowed (103%)"));
}

static void
test_overrides_and_errors(void **state)
{
	struct qw_message_in in = base();
	struct mg_error err;
	char out[16384], small[100];

	(void)state;
	in.subject_tmpl = "Quota %{threshold}%% for %{user}\r\nBcc: evil@x";
	in.body_tmpl = "%{used_bytes}/%{limit_bytes}";
	assert_true(qw_message_build(&in, out, sizeof(out), &err) > 0);
	/* no header injection through a template */
	assert_non_null(strstr(out, "Subject: Quota 90% for prenom.nom@ac-demo.fr  Bcc: evil@x\r\n"));
	assert_non_null(strstr(out, "\r\n\r\n977272832/1073741824"));
	/* a long subject is folded into several encoded words, each a whole
	 * number of UTF-8 characters */
	in.subject_tmpl = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			  "\xc3\xa9\xc3\xa9\xc3\xa9x";
	assert_true(qw_message_build(&in, out, sizeof(out), &err) > 0);
	/* 19 "é" first (38 bytes: 39 would split one), then the other 4 and x */
	assert_non_null(strstr(out, "Subject: =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
				    " =?UTF-8?B?w6nDqcOpw6l4?=\r\n"));
	assert_int_equal(mc_subject(out, text, sizeof(text)), 1);
	assert_string_equal(text, in.subject_tmpl);
	in.subject_tmpl = NULL;
	in.body_tmpl = "%{nosuch}";
	assert_int_equal(qw_message_build(&in, out, sizeof(out), &err), -1);
	in.body_tmpl = NULL;
	assert_int_equal(qw_message_build(&in, small, sizeof(small), &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
}

static void
test_human_size(void **state)
{
	static const struct { uint64_t b; enum mg_lang l; const char *s; } rows[] = {
		{ 0, MG_LANG_FR, "0 octets" }, { 1023, MG_LANG_EN, "1023 bytes" },
		{ 1024, MG_LANG_FR, "1 Ko" }, { 1536, MG_LANG_FR, "1,5 Ko" },
		{ 1536, MG_LANG_EN, "1.5 KB" }, { 1048576, MG_LANG_FR, "1 Mo" },
		{ 1073741824ULL, MG_LANG_EN, "1 GB" }, { 10737418240ULL, MG_LANG_FR, "10 Go" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[32];
		qw_human_size(rows[i].b, rows[i].l, out, sizeof(out));
		if (strcmp(out, rows[i].s) != 0)
			fail_msg("row %zu: '%s'", i, out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_french_default),
		cmocka_unit_test(test_full_and_english),
		cmocka_unit_test(test_overrides_and_errors),
		cmocka_unit_test(test_human_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
