/*
 * test_pq_config.c - policyd-quota's settings: default_domain rows (valid,
 * invalid, boundary) and its effect on the mailbox a recipient names
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

#include "mg_addr.h"
#include "pq_config.h"
#include "pq_decide.h"

/* load_text - pq_config_load on a file holding text */
static int
load_text(struct pq_config *cfg, const char *text, struct mg_error *err)
{
	char path[] = "/tmp/mg-test-pqcfg-XXXXXX";
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = pq_config_load(cfg, path, err);
	unlink(path);
	return rc;
}

static void
test_default_domain(void **state)
{
	static const struct {
		const char *name, *text;
		int rc;
		const char *domain;     /* the setting once loaded */
		const char *rcpt, *mailbox;  /* what a recipient becomes */
	} rows[] = {
		{ "unset: a bare recipient stays bare", "", 0, "", "alice", "alice" },
		{ "set: a bare recipient joins it", "default_domain = example.org\n", 0,
		  "example.org", "Alice+tag", "alice@example.org" },
		{ "set: a full address is kept", "default_domain = example.org\n", 0,
		  "example.org", "alice@other.fr", "alice@other.fr" },
		{ "set in capitals: lowercased in the key", "default_domain = EXAMPLE.org\n",
		  0, "EXAMPLE.org", "bob", "bob@example.org" },
		{ "empty value: none", "default_domain =\n", 0, "", "bob", "bob" },
		{ "an address is refused", "default_domain = a@example.org\n", -1, NULL, NULL, NULL },
		{ "a leading @ is refused", "default_domain = @example.org\n", -1, NULL, NULL, NULL },
		{ "two words are refused", "default_domain = example.org other.org\n", -1,
		  NULL, NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pq_config cfg;
		struct mg_error err;
		char mb[MG_ADDR_MAX + 1];
		int rc = load_text(&cfg, rows[i].text, &err);

		if (rc != rows[i].rc)
			fail_msg("%s: rc %d (%s)", rows[i].name, rc, rc ? err.msg : "");
		if (rc < 0) {
			assert_int_equal(err.kind, MG_ERR_CONFIG);
			assert_non_null(strstr(err.msg, "domain"));
			continue;
		}
		assert_string_equal(cfg.default_domain, rows[i].domain);
		assert_int_equal(mg_addr_mailbox(rows[i].rcpt, strlen(rows[i].rcpt),
						 cfg.recipient_delimiter,
						 cfg.default_domain, mb, sizeof(mb),
						 &err), 0);
		if (strcmp(mb, rows[i].mailbox) != 0)
			fail_msg("%s: mailbox %s, want %s", rows[i].name, mb,
				 rows[i].mailbox);
		pq_config_release(&cfg);
	}
}

/* -t shows the key with its default */
static void
test_dump_shows_default_domain(void **state)
{
	struct pq_config cfg;
	struct mg_error err;
	char buf[16384];
	size_t n;
	FILE *fp = tmpfile();

	(void)state;
	assert_non_null(fp);
	assert_int_equal(pq_config_load(&cfg, NULL, &err), 0);
	pq_config_dump(&cfg, fp);
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	assert_non_null(strstr(buf, "\ndefault_domain ="));
	assert_non_null(strstr(buf, "\nauthenticated_full_action = queue"));
	pq_config_release(&cfg);
}

/* authenticated_full_action: queue by default, defer on demand, nothing else */
static void
test_authenticated_full_action(void **state)
{
	static const struct {
		const char *name, *text;
		int rc, want;
	} rows[] = {
		{ "default: queue", "", 0, PQ_AUTH_QUEUE },
		{ "queue", "authenticated_full_action = queue\n", 0, PQ_AUTH_QUEUE },
		{ "defer", "authenticated_full_action = defer\n", 0, PQ_AUTH_DEFER },
		{ "unknown word", "authenticated_full_action = dunno\n", -1, 0 },
		{ "empty", "authenticated_full_action =\n", -1, 0 },
		{ "capitals, as every enum", "authenticated_full_action = Defer\n", 0, PQ_AUTH_DEFER },
		{ "two words", "authenticated_full_action = queue defer\n", -1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pq_config cfg;
		struct mg_error err;
		int rc = load_text(&cfg, rows[i].text, &err);

		if (rc != rows[i].rc)
			fail_msg("%s: rc %d (%s)", rows[i].name, rc, rc ? err.msg : "");
		if (rc < 0) {
			assert_int_equal(err.kind, MG_ERR_CONFIG);
			assert_non_null(strstr(err.msg, "authenticated_full_action"));
			assert_non_null(strstr(err.msg, ":1:"));
			continue;
		}
		assert_int_equal(cfg.authenticated_full_action, rows[i].want);
		pq_config_release(&cfg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_domain),
		cmocka_unit_test(test_dump_shows_default_domain),
		cmocka_unit_test(test_authenticated_full_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
