/*
 * test_mail.c - the notice composer (mg_mail): exact headers, subjects
 * read back through an independent RFC 2047 decoder, bodies through a
 * quoted-printable decoder, CRLF and line lengths everywhere, Message-ID
 * uniqueness across calls and threads
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mail_check.h"
#include "mg_mail.h"

#define E "\xc3\xa9"                      /* é */
#define MSG_MAX 65536

static char out[MSG_MAX], dec[MSG_MAX];

/* mail - a composable notice with every field set */
static struct mg_mail
mail(const char *subject, const char *body)
{
	return (struct mg_mail){
		.from = "postmaster@ac-demo.fr", .to = "prof@ac-demo.fr",
		.subject = subject, .body = body, .date = 1795344000,
		.message_id = "<1795344000.42.7.abc@ac-demo.fr>",
	};
}

static void
test_exact_message(void **state)
{
	static const struct mg_mail_hdr extra[] = {
		{ "Precedence", "bulk" }, { "X-Quota-Warning", "90" },
	};
	struct mg_mail m = mail("Hello", "Line one\nd" E "j\xc3\xa0 vu\n");
	struct mg_error err;
	const char *want =
	    "From: postmaster@ac-demo.fr\r\n"
	    "To: prof@ac-demo.fr\r\n"
	    "Subject: Hello\r\n"
	    "Date: Sun, 22 Nov 2026 10:40:00 +0000\r\n"
	    "Message-ID: <1795344000.42.7.abc@ac-demo.fr>\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "Precedence: bulk\r\n"
	    "X-Quota-Warning: 90\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "Line one\r\n"
	    "d=C3=A9j=C3=A0 vu\r\n";
	int n;

	(void)state;
	m.extra = extra;
	m.n_extra = 2;
	n = mg_mail_compose(&m, out, sizeof(out), &err);
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(out, want);
	m.auto_submitted = MG_MAIL_AUTO_REPLIED;
	m.n_extra = 0;
	assert_true(mg_mail_compose(&m, out, sizeof(out), &err) > 0);
	assert_non_null(strstr(out, "\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"));
}

struct subject_row {
	const char *name;
	const char *in;
	const char *decoded;     /* NULL: same as in */
	int plain;               /* written as it is (no encoded-word) */
	const char *golden;      /* NULL: not pinned; else the whole field */
};

#define E10 E E E E E E E E E E
#define A40 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define EMOJI "\xf0\x9f\x93\x8e"             /* 4 bytes */

static const struct subject_row subject_rows[] = {
	{ "ascii", "Your mailbox is full", NULL, 1,
	  "Subject: Your mailbox is full\r\n" },
	{ "empty", "", NULL, 1, "Subject: \r\n" },
	{ "french", "Votre bo\xc3\xaete aux lettres est remplie \xc3\xa0 91 %", NULL, 0,
	  "Subject: =?UTF-8?B?Vm90cmUgYm/DrnRlIGF1eCBsZXR0cmVzIGVzdCByZW1wbGllIMOg?=\r\n"
	  " =?UTF-8?B?IDkxICU=?=\r\n" },
	{ "looks_encoded", "price =?x?= 10", NULL, 0, NULL },
	{ "crlf_injection", "Quota\r\nBcc: evil@x", "Quota  Bcc: evil@x", 1,
	  "Subject: Quota  Bcc: evil@x\r\n" },
	{ "tab_and_del", "a\tb\x7f" "c", "a b c", 1, NULL },
	{ "accents_crlf", E "\r\nBcc: x", E "  Bcc: x", 0, NULL },
	{ "long_ascii_folds",
	  "one two three four five six seven eight nine ten eleven twelve "
	  "thirteen fourteen fifteen sixteen", NULL, 1,
	  "Subject: one two three four five six seven eight nine ten eleven twelve\r\n"
	  " thirteen fourteen fifteen sixteen\r\n" },
	{ "long_word", A40 A40 " b", NULL, 1, NULL },
	{ "huge_word_encoded",
	  A40 A40 A40 A40 A40 A40 A40 A40 A40 A40 A40 A40 A40 A40 A40 A40
	  A40 A40 A40 A40 A40 A40 A40 A40 A40 A40, NULL, 0, NULL },
	{ "trailing_spaces", "end   ", NULL, 1, "Subject: end   \r\n" },
	{ "many_e", E10 E10 E10 E10 E10 "x", NULL, 0, NULL },
	{ "emoji_run", EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI
	  EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI EMOJI,
	  NULL, 0, NULL },
	{ "odd_offsets", "ab" E10 E10 E10 "c" EMOJI EMOJI EMOJI E10, NULL, 0, NULL },
};

/* check_words - every encoded-word holds whole UTF-8 characters */
static void
check_words(const char *name, const char *msg)
{
	const char *p = msg;
	char one[512];
	size_t n;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		const char *e = strstr(p, "?=");
		n = (size_t)(e + 2 - p);
		assert_true(n < 200);
		snprintf(one, sizeof(one), "Subject: %.*s\r\n\r\n", (int)n, p);
		if (mc_subject(one, dec, sizeof(dec)) != 1 ||
		    !mc_utf8_valid(dec, strlen(dec)))
			fail_msg("%s: word %.*s is not whole UTF-8", name, (int)n, p);
		p = e + 2;
	}
}

static void
test_subjects(void **state)
{
	struct mg_error err;
	char field[8192];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(subject_rows) / sizeof(subject_rows[0]); i++) {
		const struct subject_row *r = &subject_rows[i];
		struct mg_mail m = mail(r->in, "x\n");
		const char *want = r->decoded ? r->decoded : r->in, *bad, *s, *e;

		if (mg_mail_compose(&m, out, sizeof(out), &err) < 0)
			fail_msg("%s: %s", r->name, err.msg);
		if ((bad = mc_format_error(out)) != NULL)
			fail_msg("%s: %s", r->name, bad);
		if (mc_subject(out, dec, sizeof(dec)) != 1 || strcmp(dec, want) != 0)
			fail_msg("%s: decodes to \"%s\"", r->name, dec);
		if ((strstr(out, "=?UTF-8?B?") == NULL) != r->plain)
			fail_msg("%s: plain %d expected", r->name, r->plain);
		check_words(r->name, out);
		s = strstr(out, "\r\nSubject:") + 2;
		e = strstr(s, "\r\nDate: ");
		snprintf(field, sizeof(field), "%.*s\r\n", (int)(e - s), s);
		if (r->golden != NULL && strcmp(field, r->golden) != 0)
			fail_msg("%s: field\n%s", r->name, field);
		/* folded plain lines stay at 78 unless one word is longer */
		if (r->plain && strcmp(r->name, "long_word") != 0)
			for (; (e = strstr(s, "\r\n")) != NULL && e < strstr(out, "\r\nDate:") + 2;
			     s = e + 2)
				if (e - s > 78)
					fail_msg("%s: line of %d", r->name, (int)(e - s));
	}
}

struct body_row {
	const char *name;
	const char *in;
	const char *decoded;     /* NULL: same as in */
	const char *golden;      /* NULL: not pinned; else the whole body */
};

#define L75 "012345678901234567890123456789012345678901234567890123456789012345678901234"

static const struct body_row body_rows[] = {
	{ "ascii", "Hello,\n\nbye\n", NULL, "Hello,\r\n\r\nbye\r\n" },
	{ "crlf_input", "a\r\nb\r\n", "a\nb\n", "a\r\nb\r\n" },
	{ "no_final_newline", "abc", "abc\n", "abc\r\n" },
	{ "empty", "", NULL, "" },
	{ "equals", "a=b\n", NULL, "a=3Db\r\n" },
	{ "trailing_space", "end \nend\t\n", NULL, "end=20\r\nend=09\r\n" },
	{ "inner_tab", "a\tb\n", NULL, "a\tb\r\n" },
	{ "from_line", "From here\nnot From here\n", NULL,
	  "=46rom here\r\nnot From here\r\n" },
	{ "lone_cr", "a\rb\n", NULL, "a=0Db\r\n" },
	{ "french", "Vous n'avez rien \xc3\xa0 faire.\n", NULL,
	  "Vous n'avez rien =C3=A0 faire.\r\n" },
	{ "exactly_76", L75 "6\n", NULL, L75 "6\r\n" },
	{ "77_breaks", L75 "67\n", NULL, L75 "=\r\n67\r\n" },
	{ "encoded_at_edge", "012345678901234567890123456789012345678901234567890123456789012345678901234=\n",
	  NULL, "012345678901234567890123456789012345678901234567890123456789012345678901234=\r\n=3D\r\n" },
	{ "long_accents", E10 E10 E10 E10 "\n", NULL, NULL },
	{ "long_mixed", "x" E10 "y" EMOJI EMOJI E10 E10 "  z" E10 E10 E10 "\n", NULL, NULL },
	{ "long_line", L75 L75 L75 " " L75 "\n", NULL, NULL },
	{ "space_at_break", "01234567890123456789012345678901234567890123456789012345678901234567890123 x\n",
	  NULL, NULL },
	{ "from_after_break", L75 "From x\n", NULL, NULL },
};

/* check_soft_breaks - no soft break splits a UTF-8 sequence, and no
 * soft-broken line starts with "From " */
static void
check_soft_breaks(const char *name, const char *body)
{
	const char *p = body;

	while ((p = strstr(p, "=\r\n")) != NULL) {
		p += 3;
		if (p[0] == '=' && (p[1] == '8' || p[1] == '9' || p[1] == 'A' ||
				    p[1] == 'B'))
			fail_msg("%s: soft break inside a UTF-8 sequence", name);
		if (strncmp(p, "From ", 5) == 0)
			fail_msg("%s: \"From \" after a soft break", name);
	}
}

static void
test_bodies(void **state)
{
	struct mg_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(body_rows) / sizeof(body_rows[0]); i++) {
		const struct body_row *r = &body_rows[i];
		struct mg_mail m = mail("s", r->in);
		const char *bad, *body;

		if (mg_mail_compose(&m, out, sizeof(out), &err) < 0)
			fail_msg("%s: %s", r->name, err.msg);
		if ((bad = mc_format_error(out)) != NULL)
			fail_msg("%s: %s\n%s", r->name, bad, out);
		body = strstr(out, "\r\n\r\n") + 4;
		if (r->golden != NULL && strcmp(body, r->golden) != 0)
			fail_msg("%s: body\n%s", r->name, body);
		if (mc_body(out, dec, sizeof(dec)) != 1 ||
		    strcmp(dec, r->decoded ? r->decoded : r->in) != 0)
			fail_msg("%s: decodes to \"%s\"", r->name, dec);
		check_soft_breaks(r->name, body);
	}
}

static void
test_dates(void **state)
{
	static const struct { long long t; const char *want; } rows[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 +0000" },
		{ 1795344000, "Sun, 22 Nov 2026 10:40:00 +0000" },
		{ 1798761599, "Thu, 31 Dec 2026 23:59:59 +0000" },
	};
	struct mg_error err;
	char d[40];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(mg_mail_date(rows[i].t, d, sizeof(d), &err), 0);
		if (strcmp(d, rows[i].want) != 0)
			fail_msg("row %zu: %s", i, d);
	}
	assert_int_equal(mg_mail_date(0, d, 10, &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
}

static void
test_errors(void **state)
{
	static const struct mg_mail_hdr bad_name[] = { { "X Bad", "v" } };
	static const struct mg_mail_hdr bad_value[] = { { "X-Ok", "a\r\nBcc: x" } };
	static const struct { const char *name; const char *from, *to, *id;
			      const struct mg_mail_hdr *extra; } rows[] = {
		{ "from_crlf", "a@b\r\nBcc: evil@x", "c@d", NULL, NULL },
		{ "to_8bit", "a@b", "\xc3\xa9@d", NULL, NULL },
		{ "to_null", "a@b", NULL, NULL, NULL },
		{ "id_no_brackets", "a@b", "c@d", "x@y", NULL },
		{ "id_no_at", "a@b", "c@d", "<xy>", NULL },
		{ "id_space", "a@b", "c@d", "<x y@z>", NULL },
		{ "extra_name", "a@b", "c@d", NULL, bad_name },
		{ "extra_value", "a@b", "c@d", NULL, bad_value },
	};
	struct mg_error err;
	struct mg_mail m;
	size_t full, sz;
	int n;

	(void)state;
	for (sz = 0; sz < sizeof(rows) / sizeof(rows[0]); sz++) {
		m = mail("s", "b\n");
		m.from = rows[sz].from;
		m.to = rows[sz].to;
		if (rows[sz].id)
			m.message_id = rows[sz].id;
		m.extra = rows[sz].extra;
		m.n_extra = rows[sz].extra ? 1 : 0;
		if (mg_mail_compose(&m, out, sizeof(out), &err) != -1 ||
		    err.kind != MG_ERR_PARSE)
			fail_msg("%s: accepted", rows[sz].name);
	}
	/* every buffer shorter than the message: -1 LIMIT, never truncated */
	m = mail("Votre bo\xc3\xaete est pleine", "Bonjour " E "\n" L75 L75 "\n");
	full = (size_t)mg_mail_compose(&m, out, sizeof(out), &err);
	for (sz = 0; sz <= full; sz++) {
		char *small = malloc(sz ? sz : 1);
		n = mg_mail_compose(&m, small, sz, &err);
		if (n != -1 || err.kind != MG_ERR_LIMIT)
			fail_msg("size %zu: %d", sz, n);
		free(small);
	}
	assert_int_equal(mg_mail_compose(&m, out, full + 1, &err), (int)full);
}

static void
test_msgid_format(void **state)
{
	struct mg_error err;
	char id[MG_MAIL_MSGID_MAX];

	(void)state;
	assert_int_equal(mg_msgid_format(1795344000, 1234, 42, "qw90", "ac-demo.fr",
					 id, sizeof(id), &err), 0);
	assert_string_equal(id, "<1795344000.1234.42.qw90@ac-demo.fr>");
	assert_int_equal(mg_msgid_format(1, 2, 3, "t", "bad domain>", id, sizeof(id),
					 &err), 0);
	assert_string_equal(id, "<1.2.3.t@localhost>");
	assert_int_equal(mg_msgid_format(1, 2, 3, "t", NULL, id, sizeof(id), &err), 0);
	assert_string_equal(id, "<1.2.3.t@localhost>");
	assert_int_equal(mg_msgid_format(1, 2, 3, "a.b", "x", id, sizeof(id), &err), -1);
	assert_int_equal(mg_msgid_format(1, 2, 3, "t", "x", id, 10, &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
}

#define THREADS 4
#define PER_THREAD 2000

struct ids {
	struct mg_msgid *g;
	char (*out)[64];
};

/* make_ids - PER_THREAD ids from the shared context, same second */
static void *
make_ids(void *arg)
{
	struct ids *t = arg;
	struct mg_error err;
	int i;

	for (i = 0; i < PER_THREAD; i++)
		if (mg_msgid_next(t->g, 1795344000, "ac-demo.fr", t->out[i], 64, &err) < 0)
			return NULL;
	return t;
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_msgid_unique(void **state)
{
	static char all[THREADS * PER_THREAD][64];
	struct mg_msgid g, g2;
	struct ids t[THREADS];
	pthread_t th[THREADS];
	char id1[64], id2[64];
	struct mg_error err;
	struct mg_mail m;
	size_t i;

	(void)state;
	mg_msgid_init(&g);
	mg_msgid_init(&g2);
	for (i = 0; i < THREADS; i++) {
		t[i] = (struct ids){ &g, all + i * PER_THREAD };
		assert_int_equal(pthread_create(&th[i], NULL, make_ids, &t[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		void *rv;
		pthread_join(th[i], &rv);
		assert_non_null(rv);
	}
	qsort(all, THREADS * PER_THREAD, sizeof(all[0]), cmp_id);
	for (i = 1; i < THREADS * PER_THREAD; i++)
		if (strcmp(all[i - 1], all[i]) == 0)
			fail_msg("duplicate %s", all[i]);
	assert_int_equal(g.counter, THREADS * PER_THREAD);
	/* two contexts of one process, same second and counter: differ */
	assert_int_equal(mg_msgid_next(&g2, 5, "x.fr", id1, sizeof(id1), &err), 0);
	g.counter = 0;
	assert_int_equal(mg_msgid_next(&g, 5, "x.fr", id2, sizeof(id2), &err), 0);
	assert_string_not_equal(id1, id2);
	/* every id is one a composed mail accepts */
	m = mail("s", "b\n");
	m.message_id = id1;
	assert_true(mg_mail_compose(&m, out, sizeof(out), &err) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_message),
		cmocka_unit_test(test_subjects),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_msgid_format),
		cmocka_unit_test(test_msgid_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
