/*
 * test_pq_notice.c - who gets a "your message waits" notice, and what it says
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mail_check.h"
#include "pq_config.h"
#include "pq_notice.h"

static void
load(struct pq_config *cfg, const char *text)
{
	char path[] = "/tmp/mg-test-pq-XXXXXX";
	struct mg_error err;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	if (pq_config_load(cfg, path, &err) < 0)
		fail_msg("%s", err.msg);
	unlink(path);
}

static void
test_wanted(void **state)
{
	struct pq_config cfg;

	(void)state;
	load(&cfg, "local_domains = ac-demo.fr, lycee.ac-demo.fr\nnotice_smtp = 127.0.0.1:25\n");
	assert_true(pq_notifier_wanted(&cfg, "prof@ac-demo.fr"));
	assert_true(pq_notifier_wanted(&cfg, "eleve@LYCEE.ac-demo.fr"));
	assert_false(pq_notifier_wanted(&cfg, "someone@example.com"));   /* external */
	assert_false(pq_notifier_wanted(&cfg, "x@evil-ac-demo.fr"));
	assert_false(pq_notifier_wanted(&cfg, ""));                      /* null sender */
	assert_false(pq_notifier_wanted(&cfg, "postmaster"));
	pq_config_release(&cfg);
	load(&cfg, "local_domains = ac-demo.fr\n");                        /* no MTA: off */
	assert_false(pq_notifier_wanted(&cfg, "prof@ac-demo.fr"));
	pq_config_release(&cfg);
}

static void
test_build(void **state)
{
	struct pq_config cfg;
	struct mg_error err;
	char out[8192], text[8192];
	const char *bad;

	(void)state;
	load(&cfg, "local_domains = ac-demo.fr\nnotice_smtp = 127.0.0.1:25\n");
	assert_true(pq_notice_build(&cfg, "prof@ac-demo.fr", "plein@ac-demo.fr", 1795344000,
				    "<1795344000.9.1.f00d@ac-demo.fr>", out, sizeof(out), &err) > 0);
	if ((bad = mc_format_error(out)) != NULL)
		fail_msg("%s", bad);
	assert_non_null(strstr(out, "From: postmaster@ac-demo.fr\r\nTo: prof@ac-demo.fr\r\n"));
	assert_non_null(strstr(out, "Auto-Submitted: auto-generated\r\nPrecedence: bulk\r\n"));
	assert_non_null(strstr(out, "Date: Sun, 22 Nov 2026 10:40:00 +0000\r\n"));
	assert_non_null(strstr(out, "Message-ID: <1795344000.9.1.f00d@ac-demo.fr>\r\n"));
	assert_non_null(strstr(out, "Content-Transfer-Encoding: quoted-printable\r\n"));
	/* the subject is RFC 2047 encoded UTF-8, the body quoted-printable */
	assert_non_null(strstr(out, "Subject: =?UTF-8?B?"));
	assert_int_equal(mc_subject(out, text, sizeof(text)), 1);
	assert_string_equal(text, "Message en attente : bo\xc3\xaete aux lettres du "
			    "destinataire pleine");
	assert_int_equal(mc_body(out, text, sizeof(text)), 1);
	assert_non_null(strstr(text, "Votre message pour plein@ac-demo.fr"));
	assert_non_null(strstr(text, "pendant 5 jours"));
	assert_non_null(strstr(text, "n'a pas encore pu \xc3\xaatre remis"));
	pq_config_release(&cfg);
	load(&cfg, "language = en\ndefer_period = 3d\nnotice_from = noreply@ac-demo.fr\n");
	assert_true(pq_notice_build(&cfg, "a@b.fr", "c@d.fr", 0, "<0.1.2.x@b.fr>", out,
				    sizeof(out), &err) > 0);
	assert_null(mc_format_error(out));
	assert_non_null(strstr(out, "From: noreply@ac-demo.fr\r\n"));
	assert_non_null(strstr(out, "Subject: Message delayed: the recipient's mailbox is full\r\n"));
	assert_int_equal(mc_body(out, text, sizeof(text)), 1);
	assert_non_null(strstr(text, "retried automatically for 3 days"));
	assert_int_equal(pq_notice_build(&cfg, "a@b.fr", "c@d.fr", 0, "<0.1.2.x@b.fr>", out,
					 100, &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
	pq_config_release(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
