/*
 * test_pq_offline.c - policyd-quota -T's arguments: the request written
 * from RCPT [SENDER [SIZE]] [NAME=VALUE...] and read back by the daemon's
 * parser, as a table of valid and invalid rows
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pq_codec.h"
#include "pq_offline.h"

struct row {
	const char *name;
	const char *words[5];
	int rc;
	const char *sender;          /* as parsed back (rc 0) */
	long long size;
	unsigned nattrs;
	const char *in_text;         /* a line the request holds, or the error */
};

static void
test_request(void **state)
{
	static const struct row rows[] = {
		{ "recipient only", { NULL }, 0, "", 0, 6, "recipient=a@example.org\n" },
		{ "sender", { "s@example.com" }, 0, "s@example.com", 0, 6, "sender=s@example.com\n" },
		{ "null sender", { "<>" }, 0, "", 0, 6, "sender=\n" },
		{ "sender and size", { "s@example.com", "10485760" }, 0, "s@example.com",
		  10485760, 6, "size=10485760\n" },
		{ "an attribute after", { "s@example.com", "5", "sasl_username=alice" }, 0,
		  "s@example.com", 5, 7, "sasl_username=alice\n" },
		{ "attributes without sender", { "sasl_username=alice", "client_address=192.0.2.1" },
		  0, "", 0, 8, "client_address=192.0.2.1\n" },
		{ "an SRS sender is no attribute", { "SRS0=ab=cd=example.com=x@fw.example" }, 0,
		  "SRS0=ab=cd=example.com=x@fw.example", 0, 6, "sender=SRS0" },
		{ "size zero", { "s@example.com", "0" }, 0, "s@example.com", 0, 6, "size=0\n" },
		{ "size not digits", { "s@example.com", "12x" }, -1, NULL, 0, 0, "bad SIZE" },
		{ "negative size", { "s@example.com", "-1" }, -1, NULL, 0, 0, "bad SIZE" },
		{ "size too long", { "s@example.com", "1234567890123456" }, -1, NULL, 0, 0, "bad SIZE" },
		{ "a stray word", { "s@example.com", "5", "junk" }, -1, NULL, 0, 0, "NAME=VALUE" },
		{ "a line break in a value", { "s@example.com", "5", "helo_name=a\nb" }, -1, NULL,
		  0, 0, "line break" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char out[PQ_REQUEST_MAX];
		struct pq_request req;
		struct mg_error err;
		size_t used;
		int n, rc;

		for (n = 0; n < 5 && r->words[n] != NULL; n++)
			;
		rc = pq_offline_request("a@example.org", (char *const *)r->words, n,
					out, sizeof(out), &err);
		if (rc != r->rc)
			fail_msg("%s: returned %d", r->name, rc);
		if (rc < 0) {
			if (strstr(err.msg, r->in_text) == NULL)
				fail_msg("%s: error \"%s\"", r->name, err.msg);
			continue;
		}
		if (strstr(out, r->in_text) == NULL)
			fail_msg("%s: request lacks %s", r->name, r->in_text);
		if (pq_codec_parse(out, strlen(out), &req, &used, &err) != 1)
			fail_msg("%s: the daemon's parser refuses it: %s", r->name, err.msg);
		if (used != strlen(out) || strcmp(req.recipient, "a@example.org") != 0 ||
		    strcmp(req.protocol_state, "RCPT") != 0 ||
		    strcmp(req.sender, r->sender) != 0 || req.size != r->size ||
		    req.nattrs != r->nattrs)
			fail_msg("%s: parsed sender=%s size=%lld nattrs=%u", r->name,
				 req.sender, req.size, req.nattrs);
	}
}

/* a request that does not fit is refused, not cut */
static void
test_request_too_long(void **state)
{
	static char big[PQ_LINE_MAX];
	char *words[1] = { big };
	char out[PQ_REQUEST_MAX];
	struct mg_error err;

	(void)state;
	memcpy(big, "helo_name=", 10);
	memset(big + 10, 'x', sizeof(big) - 11);
	assert_int_equal(pq_offline_request("a@example.org", words, 1, out, 512, &err), -1);
	assert_non_null(strstr(err.msg, "too long"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_request_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
