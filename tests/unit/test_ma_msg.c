/*
 * test_ma_msg.c - one message through ma_msg with the real scanner
 *
 * RFC 1870 byte counting as libmilter hands the message over (headers
 * with or without the leading space, folded values with bare LF, body
 * chunks), SIZE= parsing, the verdicts for a banned attachment and the
 * size limit around its boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ma_msg.h"

static struct ma_config *
cfg_with(const char *text)
{
	struct ma_config *cfg = NULL;
	struct mg_error err;

	if (ma_config_parse_text(text, &cfg, &err) < 0)
		fail_msg("%s", err.msg);
	return cfg;
}

static void
test_size_param(void **state)
{
	static const struct { const char *args[3]; int rc; unsigned long long v; } rows[] = {
		{ { "SIZE=20000000", NULL }, 1, 20000000ULL },
		{ { "BODY=8BITMIME", "size=10485761", NULL }, 1, 10485761ULL },
		{ { "SIZE=0", NULL }, 1, 0 },
		{ { "SIZE=18446744073709551615", NULL }, 1, 18446744073709551615ULL },
		{ { "SIZE=18446744073709551616", NULL }, -1, 0 },
		{ { "SIZE=", NULL }, -1, 0 },
		{ { "SIZE=12a", NULL }, -1, 0 },
		{ { "SIZE=-1", NULL }, -1, 0 },
		{ { "BODY=8BITMIME", NULL }, 0, 0 },
		{ { NULL }, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned long long v = 0;
		int rc = ma_msg_size_param((char *const *)rows[i].args, &v);
		if (rc != rows[i].rc || (rc == 1 && v != rows[i].v))
			fail_msg("row %zu: rc %d v %llu", i, rc, v);
	}
}

/* run - headers (leadspc or not) + body; returns the verdict */
static enum ma_action
run(struct ma_config *cfg, int leadspc, const char *body, size_t body_len,
    struct ma_verdict *v)
{
	struct ma_msg *m = ma_msg_new();
	struct mg_error err;
	enum ma_action a;

	assert_non_null(m);
	assert_int_equal(ma_msg_begin(m, ma_config_ref(cfg), ma_banset_new(),
				      "<s@example.org>", 1800000000LL, &err), 0);
	assert_int_equal(ma_msg_rcpt(m, "<r@mailguard.test>", &err), 0);
	/* "Subject: hi\r\n" = 13 bytes; the folded header counts its CRLF */
	ma_msg_header(m, "Subject", leadspc ? " hi" : "hi", leadspc);
	ma_msg_header(m, "Content-Type", leadspc
		      ? " multipart/mixed;\n\tboundary=\"b\""
		      : "multipart/mixed;\n\tboundary=\"b\"", leadspc);
	ma_msg_eoh(m);
	ma_msg_body(m, (const unsigned char *)body, body_len);
	ma_msg_end(m, v);
	a = v->action;
	ma_msg_free(&m);
	return a;
}

#define EXE_BODY "--b\r\nContent-Type: application/octet-stream; name=\"clam.exe\"\r\n" \
	"Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n"
#define PDF_BODY "--b\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\n\r\n" \
	"%PDF-1.4\r\n--b--\r\n"

/* test_issue11_verdicts - the milter's verdicts for names as clients
 * save them and for references: a zero-width space after ".exe" is
 * refused under the saved name, an external-body named setup.exe and
 * harmless look-alikes are accepted, message/partial is refused as
 * structure */
static void
test_issue11_verdicts(void **state)
{
	static const struct { const char *name, *body; enum ma_action a; const char *text; } rows[] = {
		{ "zero-width space after .exe",
		  "--b\r\nContent-Disposition: attachment; filename*=utf-8''x.exe%E2%80%8B\r\n\r\nMZ\r\n--b--\r\n",
		  MA_ACT_REJECT, "x.exe" },
		{ "NTFS stream suffix",
		  "--b\r\nContent-Type: application/x; name=\"y.scr::$DATA\"\r\n\r\nMZ\r\n--b--\r\n",
		  MA_ACT_REJECT, "y.scr" },
		{ "BinHex exe in a text part",
		  "--b\r\nContent-Type: text/plain\r\n\r\n(This file must be converted with BinHex 4.0)\r\n"
		  ":#fPZGQpTBf8ZCAKP!&4&@&4dG(Kd!*!&-3#3\"1Gq69U3!!!$!*!$\"!#3!rrr!!\"\r\n"
		  "\"N\"53!*!!N!#3!*!!23d+!#\"PEQ6'R`!!:\r\n--b--\r\n", MA_ACT_REJECT, "invoice.exe" },
		{ "external-body reference named setup.exe",
		  "--b\r\nContent-Type: message/external-body; access-type=URL; URL=\"https://x/setup.exe\";"
		  " name=setup.exe\r\n\r\nContent-Type: application/octet-stream\r\n\r\n--b--\r\n",
		  MA_ACT_ACCEPT, NULL },
		{ "look-alikes",
		  "--b\r\nContent-Type: application/pdf; name=\"setup.exe.pdf\"\r\n\r\nx\r\n"
		  "--b\r\nContent-Type: application/x; name=\"x.executive\"\r\n\r\nx\r\n--b--\r\n",
		  MA_ACT_ACCEPT, NULL },
		{ "message/partial",
		  "--b\r\nContent-Type: message/partial; id=\"a@b\"; number=1; total=2\r\n\r\nx\r\n--b--\r\n",
		  MA_ACT_REJECT, "message_partial" },
	};
	struct ma_config *cfg = cfg_with("");
	struct ma_verdict v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum ma_action a = run(cfg, 1, rows[i].body, strlen(rows[i].body), &v);
		if (a != rows[i].a || (rows[i].text && strstr(v.text, rows[i].text) == NULL))
			fail_msg("%s: action %d reply '%s'", rows[i].name, a, v.text);
	}
	ma_config_unref(&cfg);
}

static void
test_counts_and_verdicts(void **state)
{
	/* headers: "Subject: hi\r\n" 13 + "Content-Type: multipart/mixed;\r\n
	 * \tboundary=\"b\"\r\n" 47 + "\r\n" 2 = 62 bytes, whether libmilter
	 * keeps the space after the colon (leadspc) or not */
	const size_t head = 13 + 47 + 2;
	struct ma_config *cfg;
	struct ma_verdict v;
	char big[2048];
	int leadspc;

	(void)state;
	memset(big, 'a', sizeof(big));
	for (leadspc = 0; leadspc <= 1; leadspc++) {
		cfg = cfg_with("");
		assert_int_equal(run(cfg, leadspc, EXE_BODY, sizeof(EXE_BODY) - 1, &v),
				 MA_ACT_REJECT);
		assert_int_equal(v.reason, MA_R_EXT);
		assert_string_equal(v.code, "550");
		assert_string_equal(v.xcode, "5.7.1");
		assert_non_null(strstr(v.text, "clam.exe"));
		assert_int_equal(run(cfg, leadspc, PDF_BODY, sizeof(PDF_BODY) - 1, &v),
				 MA_ACT_ACCEPT);
		ma_config_unref(&cfg);

		/* limit 1024: limit - 1, limit, limit + 1, far over */
		cfg = cfg_with("size_limit = 1K\n");
		assert_int_equal(run(cfg, leadspc, big, 1024 - head - 1, &v), MA_ACT_ACCEPT);
		assert_int_equal(run(cfg, leadspc, big, 1024 - head, &v), MA_ACT_ACCEPT);
		assert_int_equal(run(cfg, leadspc, big, 1024 - head + 1, &v), MA_ACT_REJECT);
		assert_int_equal(v.reason, MA_R_SIZE);
		assert_string_equal(v.code, "552");
		assert_string_equal(v.xcode, "5.3.4");
		assert_int_equal(run(cfg, leadspc, big, sizeof(big), &v), MA_ACT_REJECT);
		ma_config_unref(&cfg);
	}
}

static void
test_long_folded_header(void **state)
{
	static char value[20001];
	struct ma_config *cfg = cfg_with("size_limit = 1K\n");
	struct ma_msg *m;
	struct ma_verdict v;
	struct mg_error err;
	size_t i, lfs = 0, len;

	(void)state;
	/* LFs at every offset around the 4096-byte feeding chunk, and a value
	 * ending with a bare LF (the CR it gains plus the final CR LF must fit) */
	for (i = 0; i < sizeof(value) - 1; i++) {
		value[i] = (i % 7 == 3) ? '\n' : (i % 7 == 4) ? '\t' : 'x';
		lfs += value[i] == '\n';
	}
	for (len = 3400; len < 4700; len++) {
		char saved[2] = { value[len - 1], value[len] };
		value[len - 1] = '\n';
		value[len] = '\0';
		m = ma_msg_new();
		assert_int_equal(ma_msg_begin(m, ma_config_ref(cfg), NULL, "<a@b>", 0, &err), 0);
		ma_msg_header(m, "X-Long", value, 1);
		ma_msg_eoh(m);
		ma_msg_end(m, &v);
		assert_int_equal(v.reason, MA_R_SIZE);   /* over 1K, counted */
		ma_msg_free(&m);
		value[len - 1] = saved[0];
		value[len] = saved[1];
	}
	(void)lfs;
	ma_config_unref(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_param),
		cmocka_unit_test(test_issue11_verdicts),
		cmocka_unit_test(test_counts_and_verdicts),
		cmocka_unit_test(test_long_folded_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
