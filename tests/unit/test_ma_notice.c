/*
 * test_ma_notice.c - the recipient notice of milter-attach: its headers,
 * and its texts read back through the test decoder (mail_check.h)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ma_config.h"
#include "ma_notice.h"
#include "mail_check.h"

static char out[32768], text[32768];

static const char *const rcpts[] = { "alice@mailguard.test" };

/* request - a refused message as the milter hands it over */
static struct ma_notice_req
request(void)
{
	return (struct ma_notice_req){ "QID1", "eve@evil.example", rcpts, 1,
				       "Facture \xc3\xa0 payer", "<m1@x>", "clam.exe",
				       "extension interdite", 1800000000LL };
}

/* build - load config text, build the notice for rcpts[0]; its length */
static int
build(const char *conf, const struct ma_notice_req *req, size_t outsz,
      struct mg_error *err)
{
	struct ma_config *cfg = NULL;
	int n;

	if (ma_config_parse_text(conf, &cfg, err) < 0)
		fail_msg("%s", err->msg);
	n = ma_notice_build(cfg, req, rcpts[0], 1800000000LL,
			    "<1800000000.77.1.abc@mailguard.test>", out, outsz, err);
	ma_config_unref(&cfg);
	return n;
}

static void
test_french_default(void **state)
{
	struct ma_notice_req req = request();
	struct mg_error err;
	const char *bad;
	int n;

	(void)state;
	n = build("local_domains = mailguard.test\n", &req, sizeof(out), &err);
	assert_true(n > 0);
	assert_int_equal(strlen(out), (size_t)n);
	if ((bad = mc_format_error(out)) != NULL)
		fail_msg("%s", bad);
	assert_non_null(strstr(out, "From: postmaster@mailguard.test\r\n"));
	assert_non_null(strstr(out, "To: alice@mailguard.test\r\n"));
	assert_non_null(strstr(out, "Subject: =?UTF-8?B?"));
	assert_non_null(strstr(out, "Auto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(out, "X-Mailguard-Notice: QID1\r\n"));
	assert_non_null(strstr(out, "Message-ID: <1800000000.77.1.abc@mailguard.test>\r\n"));
	assert_non_null(strstr(out, "Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"));
	assert_non_null(strstr(out, "Content-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(out, "Content-Transfer-Encoding: quoted-printable\r\n"));
	assert_int_equal(mc_subject(out, text, sizeof(text)), 1);
	assert_string_equal(text, "Message non distribu\xc3\xa9 : pi\xc3\xa8" "ce jointe "
			    "interdite (clam.exe)");
	assert_int_equal(mc_body(out, text, sizeof(text)), 1);
	assert_non_null(strstr(text, "Exp\xc3\xa9" "diteur : eve@evil.example\n"));
	assert_non_null(strstr(text, "Objet      : Facture \xc3\xa0 payer\n"));
	assert_non_null(strstr(text, "Fichier    : clam.exe\n"));
	assert_non_null(strstr(text, "Motif      : extension interdite\n"));
	assert_non_null(strstr(text, "merci de ne pas y r\xc3\xa9pondre.\n"));
	/* too small a buffer is an error, not a truncated mail */
	assert_int_equal(build("local_domains = mailguard.test\n", &req, 100, &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
}

static void
test_english_and_overrides(void **state)
{
	struct ma_notice_req req = request();
	struct mg_error err;

	(void)state;
	assert_true(build("language = en\nnotice_from = Mail <noreply@ac-demo.fr>\n",
			  &req, sizeof(out), &err) > 0);
	assert_non_null(strstr(out, "From: Mail <noreply@ac-demo.fr>\r\n"));
	assert_non_null(strstr(out, "Subject: Undelivered message: forbidden attachment "
				    "(clam.exe)\r\n"));
	assert_int_equal(mc_body(out, text, sizeof(text)), 1);
	assert_non_null(strstr(text, "  From    : eve@evil.example\n"));
	/* an admin's templates; the refused message's subject cannot inject
	 * a header (control characters are replaced before the template) */
	req.subject = "x\r\nBcc: evil@example.com";
	req.queue_id = "";
	req.sender = "";
	assert_true(build("notice_subject = Refus\xc3\xa9 : %{subject}\n"
			  "notice_body = %{sender} -> %{rcpt}: %{file}\n",
			  &req, sizeof(out), &err) > 0);
	assert_null(mc_format_error(out));
	assert_non_null(strstr(out, "X-Mailguard-Notice: -\r\n"));
	assert_null(strstr(out, "\r\nBcc:"));
	assert_int_equal(mc_subject(out, text, sizeof(text)), 1);
	assert_null(strchr(text, '\r'));
	assert_null(strchr(text, '\n'));
	assert_non_null(strstr(text, "Bcc: evil@example.com"));
	assert_int_equal(mc_body(out, text, sizeof(text)), 1);
	assert_string_equal(text, "<> -> alice@mailguard.test: clam.exe\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_french_default),
		cmocka_unit_test(test_english_and_overrides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
