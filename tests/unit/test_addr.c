/*
 * test_addr.c - the address normalisation rule, as a table
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mg_addr.h"

struct row {
	const char *in;
	const char *delims;    /* NULL = default "+" */
	int rc;
	const char *out;
};

static const struct row rows[] = {
	{ "alice@example.org", NULL, 0, "alice@example.org" },
	{ "<Alice@Example.ORG>", NULL, 0, "alice@example.org" },
	{ "  <bob@x.fr>  ", NULL, 0, "bob@x.fr" },
	{ "Prenom.Nom+Newsletter@AC-Besancon.fr", NULL, 0, "prenom.nom@ac-besancon.fr" },
	{ "a+b+c@x", NULL, 0, "a@x" },
	{ "+tag@x", NULL, 0, "+tag@x" },             /* delimiter first: kept */
	{ "a+@x", NULL, 0, "a@x" },
	{ "a-b@x", "-+", 0, "a@x" },
	{ "a+b@x", "-+", 0, "a@x" },
	{ "a+b@x", "", 0, "a+b@x" },                 /* stripping disabled */
	{ "a+b@x+y", NULL, 0, "a@x+y" },              /* domain untouched */
	{ "\"Odd+Local\"@X", NULL, 0, "\"odd+local\"@x" }, /* quoted: no stripping */
	{ "postmaster", NULL, 0, "postmaster" },
	{ "Local+ext", NULL, 0, "local" },
	{ "<>", NULL, 0, "" },
	{ "", NULL, 0, "" },
	{ "\t\t\t", NULL, 0, "" },                  /* fuzz: only blanks */
	{ "\xc3\x89lise@x.fr", NULL, 0, "\xc3\x89lise@x.fr" },  /* UTF-8 kept */
	{ "a b@x", NULL, -1, NULL },
	{ "a\r\n@x", NULL, -1, NULL },
	{ "<a@x", NULL, -1, NULL },
	{ "a@x>", NULL, -1, NULL },
	{ "\"a b\"@x", NULL, 0, "\"a b\"@x" },
};

static void
test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[MG_ADDR_MAX + 1];
		struct mg_error err;
		int rc = mg_addr_normalize(rows[i].in, strlen(rows[i].in),
					   rows[i].delims, out, sizeof(out), &err);
		if (rc != rows[i].rc)
			fail_msg("row %zu '%s': rc %d", i, rows[i].in, rc);
		if (rc == 0 && strcmp(out, rows[i].out) != 0)
			fail_msg("row %zu '%s': got '%s' want '%s'", i,
				 rows[i].in, out, rows[i].out);
	}
}

static void
test_limits(void **state)
{
	char in[MG_ADDR_MAX + 2], out[MG_ADDR_MAX + 1];
	struct mg_error err;

	(void)state;
	memset(in, 'a', sizeof(in));
	/* exactly MG_ADDR_MAX bytes is accepted */
	assert_int_equal(mg_addr_normalize(in, MG_ADDR_MAX, NULL, out,
					   sizeof(out), &err), 0);
	assert_int_equal(strlen(out), MG_ADDR_MAX);
	/* one more is refused */
	assert_int_equal(mg_addr_normalize(in, MG_ADDR_MAX + 1, NULL, out,
					   sizeof(out), &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
	/* output buffer too small */
	assert_int_equal(mg_addr_normalize("abc@d", 5, NULL, out, 5, &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
	assert_int_equal(mg_addr_normalize("abc@d", 5, NULL, out, 6, &err), 0);
	/* embedded NUL */
	assert_int_equal(mg_addr_normalize("a\0b@x", 5, NULL, out, sizeof(out),
					   &err), -1);
	assert_int_equal(err.kind, MG_ERR_PARSE);
}

static void
test_domain(void **state)
{
	(void)state;
	assert_string_equal(mg_addr_domain("a@b@c.fr"), "c.fr");
	assert_null(mg_addr_domain("postmaster"));
	assert_string_equal(mg_addr_domain("a@"), "");
}

static void
test_in_domains(void **state)
{
	static char d0[] = "ac-besancon.fr", d1[] = "mailguard.test";
	static char *dv[] = { d0, d1 };
	const struct mg_strlist domains = { 2, dv }, none = { 0, NULL };
	static const struct { const char *addr; int local; } in_rows[] = {
		{ "alice@ac-besancon.fr", 1 },
		{ "<Bob@AC-Besancon.FR>", 1 },          /* brackets, case */
		{ "  eve+tag@mailguard.test ", 1 },
		{ "x@other.fr", 0 },
		{ "x@sub.ac-besancon.fr", 0 },          /* a subdomain is not the domain */
		{ "x@evil-ac-besancon.fr", 0 },
		{ "x@ac-besancon.fr.evil", 0 },
		{ "ac-besancon.fr", 0 },                /* no '@': no domain */
		{ "nodomain", 0 },
		{ "", 0 },                              /* null sender */
		{ "<>", 0 },
		{ "a b@ac-besancon.fr", 0 },            /* not an address */
		{ "x@", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in_rows) / sizeof(in_rows[0]); i++)
		if (mg_addr_in_domains(in_rows[i].addr, &domains) != in_rows[i].local)
			fail_msg("row %zu \"%s\": want %d", i, in_rows[i].addr,
				 in_rows[i].local);
	assert_int_equal(mg_addr_in_domains("alice@ac-besancon.fr", &none), 0);
	assert_int_equal(mg_addr_in_domains(NULL, &domains), 0);
}

/* mg_addr_mailbox: the plugin's user and policyd's recipient meet */
static void
test_mailbox(void **state)
{
	static const struct {
		const char *name, *in, *dflt;
		int rc;
		const char *out;
	} mrows[] = {
		{ "bare local part joins the domain", "alice", "example.org", 0, "alice@example.org" },
		{ "both sides the same key", "Alice+news", "Example.ORG", 0, "alice@example.org" },
		{ "a full address is kept", "alice@other.fr", "example.org", 0, "alice@other.fr" },
		{ "full address, case folded", "<Bob@X.FR>", "example.org", 0, "bob@x.fr" },
		{ "no default domain: as normalise", "alice", "", 0, "alice" },
		{ "NULL default domain: as normalise", "alice", NULL, 0, "alice" },
		{ "the null sender stays empty", "<>", "example.org", 0, "" },
		{ "empty stays empty", "", "example.org", 0, "" },
		{ "quoted local part with @ is an address", "\"a@b\"@c", "d", 0, "\"a@b\"@c" },
		{ "a bad address is still refused", "a b", "example.org", -1, NULL },
		{ "trailing @: a domain, empty", "alice@", "example.org", 0, "alice@" },
	};
	char out[MG_ADDR_MAX + 1], in[MG_ADDR_MAX + 1];
	struct mg_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mrows) / sizeof(mrows[0]); i++) {
		int rc = mg_addr_mailbox(mrows[i].in, strlen(mrows[i].in), NULL,
					 mrows[i].dflt, out, sizeof(out), &err);
		if (rc != mrows[i].rc)
			fail_msg("%s: rc %d", mrows[i].name, rc);
		if (rc == 0 && strcmp(out, mrows[i].out) != 0)
			fail_msg("%s: got '%s' want '%s'", mrows[i].name, out,
				 mrows[i].out);
	}
	/* boundary: local part + "@" + domain of exactly MG_ADDR_MAX bytes */
	memset(in, 'a', sizeof(in));
	assert_int_equal(mg_addr_mailbox(in, MG_ADDR_MAX - 4, NULL, "x.f", out,
					 sizeof(out), &err), 0);
	assert_int_equal(strlen(out), MG_ADDR_MAX);
	assert_int_equal(mg_addr_mailbox(in, MG_ADDR_MAX - 3, NULL, "x.f", out,
					 sizeof(out), &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
	/* a small output buffer is refused, never overrun */
	assert_int_equal(mg_addr_mailbox("ab", 2, NULL, "c.d", out, 6, &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
	assert_int_equal(mg_addr_mailbox("ab", 2, NULL, "c.d", out, 7, &err), 0);
	assert_string_equal(out, "ab@c.d");
}

/* mg_addr_domain_check: what the default domain settings accept */
static void
test_domain_check(void **state)
{
	static const struct { const char *name, *dom; int rc; } drows[] = {
		{ "empty: no default domain", "", 0 },
		{ "a domain", "example.org", 0 },
		{ "upper case is fine (lowercased when used)", "AC-Besancon.FR", 0 },
		{ "an address is not a domain", "alice@example.org", -1 },
		{ "a leading @", "@example.org", -1 },
		{ "a blank", "example .org", -1 },
		{ "a tab", "example.org\t", -1 },
		{ "angle brackets", "<example.org>", -1 },
		{ "a control byte", "ex\x01ample.org", -1 },
	};
	char big[300];
	struct mg_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(drows) / sizeof(drows[0]); i++) {
		int rc = mg_addr_domain_check(drows[i].dom, &err);
		if (rc != drows[i].rc)
			fail_msg("%s: rc %d", drows[i].name, rc);
		if (rc < 0)
			assert_int_equal(err.kind, MG_ERR_CONFIG);
	}
	memset(big, 'a', sizeof(big));
	big[255] = '\0';
	assert_int_equal(mg_addr_domain_check(big, &err), 0);
	big[255] = 'a';
	big[256] = '\0';
	assert_int_equal(mg_addr_domain_check(big, &err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_in_domains),
		cmocka_unit_test(test_mailbox),
		cmocka_unit_test(test_domain_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
