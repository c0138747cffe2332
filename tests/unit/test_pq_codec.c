/*
 * test_pq_codec.c - the policy protocol codec: valid, hostile, split and
 * pipelined input, as tables
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pq_codec.h"

#define POSTFIX_RCPT \
	"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n" \
	"helo_name=client.example\nqueue_id=\nsender=bob@example.org\n" \
	"recipient=Small+news@Mailguard.test\nrecipient_count=0\n" \
	"client_address=192.0.2.1\nclient_name=client.example\n" \
	"reverse_client_name=client.example\ninstance=85c91.6740a.0\n" \
	"sasl_method=\nsasl_username=\nsasl_sender=\nsize=5016\nccert_subject=\n" \
	"ccert_issuer=\nccert_fingerprint=\nencryption_protocol=\nencryption_cipher=\n" \
	"encryption_keysize=0\netrn_domain=\nstress=\nccert_pubkey_fingerprint=\n" \
	"client_port=41234\npolicy_context=\nserver_address=127.0.0.1\nserver_port=25\n\n"

static void
test_postfix_request(void **state)
{
	struct pq_request req;
	struct mg_error err;
	size_t used = 0;

	(void)state;
	assert_int_equal(pq_codec_parse(POSTFIX_RCPT, strlen(POSTFIX_RCPT), &req, &used, &err), 1);
	assert_int_equal(used, strlen(POSTFIX_RCPT));
	assert_string_equal(req.protocol_state, "RCPT");
	assert_string_equal(req.sender, "bob@example.org");
	assert_string_equal(req.recipient, "Small+news@Mailguard.test");
	assert_string_equal(req.instance, "85c91.6740a.0");
	assert_string_equal(req.client_address, "192.0.2.1");
	assert_string_equal(req.queue_id, "");
	assert_string_equal(req.sasl_username, "");   /* from outside: empty */
	assert_int_equal(req.size, 5016);
	assert_int_equal(req.nattrs, 29);
}

/* a request from the submission port: Postfix sends the SASL login */
static void
test_submission_request(void **state)
{
	const char *in = "request=smtpd_access_policy\nprotocol_state=RCPT\n"
		"sasl_method=PLAIN\nsasl_username=Alice@mailguard.test\n"
		"sasl_sender=\nsender=alice@mailguard.test\n"
		"recipient=small@mailguard.test\nsize=42\n\n";
	struct pq_request req;
	struct mg_error err;
	size_t used = 0;

	(void)state;
	assert_int_equal(pq_codec_parse(in, strlen(in), &req, &used, &err), 1);
	assert_string_equal(req.sasl_username, "Alice@mailguard.test");
	assert_string_equal(req.sender, "alice@mailguard.test");
	assert_int_equal(req.size, 42);
}

static void
test_split_at_every_byte(void **state)
{
	size_t len = strlen(POSTFIX_RCPT), cut;

	(void)state;
	/* every prefix is incomplete, never an error */
	for (cut = 0; cut < len; cut++) {
		struct pq_request req;
		struct mg_error err;
		size_t used = 0;
		int rc = pq_codec_parse(POSTFIX_RCPT, cut, &req, &used, &err);
		if (rc != 0)
			fail_msg("prefix of %zu bytes: rc %d (%s)", cut, rc, err.msg);
	}
}

static void
test_pipelined(void **state)
{
	const char *two = "request=smtpd_access_policy\nrecipient=a@x\n\n"
			  "request=smtpd_access_policy\nrecipient=b@x\nsize=\n\n"
			  "request=smtpd_acc";
	struct pq_request req;
	struct mg_error err;
	size_t used, off = 0, len = strlen(two);

	(void)state;
	assert_int_equal(pq_codec_parse(two, len, &req, &used, &err), 1);
	assert_string_equal(req.recipient, "a@x");
	off += used;
	assert_int_equal(pq_codec_parse(two + off, len - off, &req, &used, &err), 1);
	assert_string_equal(req.recipient, "b@x");
	assert_int_equal(req.size, 0);            /* empty size = 0 */
	off += used;
	assert_int_equal(pq_codec_parse(two + off, len - off, &req, &used, &err), 0);
}

struct bad { const char *name; const char *in; size_t len; enum mg_err_kind kind; };

static void
test_hostile(void **state)
{
	static char longline[PQ_LINE_MAX + 10], longval[600], manyattrs[PQ_ATTR_MAX * 8 + 64];
	static char bigreq[PQ_REQUEST_MAX + 64], longsasl[PQ_VALUE_MAX + 64];
	size_t i, o;
	const struct bad rows[] = {
		{ "empty request", "\n", 1, MG_ERR_PARSE },
		{ "no request=", "recipient=a@x\n\n", 15, MG_ERR_PARSE },
		{ "other request", "request=junk\nrecipient=a@x\n\n", 28, MG_ERR_PARSE },
		{ "no equals", "request=smtpd_access_policy\ngarbage\n\n", 37, MG_ERR_PARSE },
		{ "empty name", "request=smtpd_access_policy\n=x\n\n", 32, MG_ERR_PARSE },
		{ "NUL in line", "request=smtpd_access_policy\nrecip\0ent=a\n\n", 41, MG_ERR_PARSE },
		{ "NUL unterminated", "request=smtpd\0", 14, MG_ERR_PARSE },
		{ "bad size", "request=smtpd_access_policy\nsize=12k\n\n", 38, MG_ERR_PARSE },
		{ "huge size", "request=smtpd_access_policy\nsize=99999999999999999999\n\n", 55, MG_ERR_PARSE },
		{ "long line", longline, 0, MG_ERR_LIMIT },
		{ "long recipient", longval, 0, MG_ERR_LIMIT },
		{ "too many attrs", manyattrs, 0, MG_ERR_LIMIT },
		{ "big request", bigreq, 0, MG_ERR_LIMIT },
		{ "long sasl_username", longsasl, 0, MG_ERR_LIMIT },
	};

	(void)state;
	memset(longline, 'a', PQ_LINE_MAX + 1);          /* no newline yet */
	snprintf(longval, sizeof(longval), "request=smtpd_access_policy\nrecipient=");
	o = strlen(longval);
	memset(longval + o, 'r', 400);
	strcpy(longval + o + 400, "@x\n\n");
	o = 0;
	for (i = 0; i <= PQ_ATTR_MAX; i++)
		o += (size_t)sprintf(manyattrs + o, "a%zu=1\n", i);
	o = (size_t)sprintf(longsasl, "request=smtpd_access_policy\nsasl_username=");
	memset(longsasl + o, 'u', PQ_VALUE_MAX);        /* one byte too many */
	strcpy(longsasl + o + PQ_VALUE_MAX, "\n\n");
	for (o = 0; o + 40 < PQ_REQUEST_MAX + 40;)
		o += (size_t)sprintf(bigreq + o, "x=%030d\n", 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pq_request req;
		struct mg_error err;
		size_t used, len = rows[i].len ? rows[i].len : strlen(rows[i].in);
		mg_error_clear(&err);
		if (pq_codec_parse(rows[i].in, len, &req, &used, &err) != -1)
			fail_msg("%s: not refused", rows[i].name);
		if (err.kind != rows[i].kind)
			fail_msg("%s: kind %d (%s)", rows[i].name, err.kind, err.msg);
	}
}

static void
test_boundaries(void **state)
{
	char buf[PQ_LINE_MAX + 64];
	struct pq_request req;
	struct mg_error err;
	size_t used, o;

	(void)state;
	/* a line of exactly PQ_LINE_MAX bytes is accepted */
	o = (size_t)sprintf(buf, "request=smtpd_access_policy\n");
	memcpy(buf + o, "x=", 2);
	memset(buf + o + 2, 'v', PQ_LINE_MAX - 2);
	o += PQ_LINE_MAX;
	strcpy(buf + o, "\n\n");
	assert_int_equal(pq_codec_parse(buf, o + 2, &req, &used, &err), 1);
	/* one more byte is refused */
	o = (size_t)sprintf(buf, "request=smtpd_access_policy\n");
	memcpy(buf + o, "x=", 2);
	memset(buf + o + 2, 'v', PQ_LINE_MAX - 1);
	o += PQ_LINE_MAX + 1;
	strcpy(buf + o, "\n\n");
	assert_int_equal(pq_codec_parse(buf, o + 2, &req, &used, &err), -1);
	/* CRLF line ends are tolerated; unknown attributes ignored */
	assert_int_equal(pq_codec_parse("request=smtpd_access_policy\r\nfuture_attr=1\r\n"
		"recipient=a@x\r\n\r\n", 63, &req, &used, &err), 1);
	assert_string_equal(req.recipient, "a@x");
}

static void
test_reply(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(pq_codec_reply("DUNNO", out, sizeof(out)), 14);
	assert_string_equal(out, "action=DUNNO\n\n");
	assert_int_equal(pq_codec_reply("550 5.2.2 a\r\nb", out, sizeof(out)), 23);
	assert_string_equal(out, "action=550 5.2.2 a  b\n\n");
	assert_int_equal(pq_codec_reply("DUNNO", out, 14), -1);
	assert_int_equal(pq_codec_reply("DUNNO", out, 15), 14);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postfix_request),
		cmocka_unit_test(test_submission_request),
		cmocka_unit_test(test_split_at_every_byte),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
