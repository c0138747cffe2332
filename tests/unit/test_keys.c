/*
 * test_keys.c - golden strings of the Redis key schema (the contract)
 *
 * Changing any expected string here breaks every deployed component that
 * shares a Redis with an older version: bump MG_KEYS_VERSION instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mg_keys.h"

static void
test_golden(void **state)
{
	struct mg_keys k;
	struct mg_error err;
	char key[MG_KEY_MAX];
	const char *mb = "alice@example.org";

	(void)state;
	assert_int_equal(mg_keys_init(&k, MG_KEYS_PREFIX_DEFAULT, &err), 0);
#define GOLD(call, want) do { \
		assert_int_equal(call, (int)strlen(want)); \
		assert_string_equal(key, want); \
	} while (0)
	GOLD(mg_key_quota(&k, mb, key, sizeof(key), &err), "mg:v1:quota:{alice@example.org}");
	GOLD(mg_key_quota_channel(&k, key, sizeof(key), &err), "mg:v1:quota-changed");
	GOLD(mg_key_warn(&k, mb, key, sizeof(key), &err), "mg:v1:warn:{alice@example.org}");
	GOLD(mg_key_defer(&k, mb, "0123456789abcdef0123456789abcdef", key, sizeof(key), &err),
	     "mg:v1:defer:{alice@example.org}:0123456789abcdef0123456789abcdef");
	GOLD(mg_key_deferinfo(&k, mb, "0123456789abcdef0123456789abcdef", key, sizeof(key), &err),
	     "mg:v1:deferinfo:{alice@example.org}:0123456789abcdef0123456789abcdef");
	GOLD(mg_key_alias(&k, "list@example.org", key, sizeof(key), &err), "mg:v1:alias:{list@example.org}");
	GOLD(mg_key_fullnotice(&k, "bob@example.org", "ab", key, sizeof(key), &err),
	     "mg:v1:fullnotice:{bob@example.org}:ab");
	GOLD(mg_key_ban(&k, MG_BAN_EXT, key, sizeof(key), &err), "mg:v1:{ban}:ext");
	GOLD(mg_key_ban(&k, MG_BAN_MIME, key, sizeof(key), &err), "mg:v1:{ban}:mime");
	GOLD(mg_key_ban(&k, MG_BAN_SHA256, key, sizeof(key), &err), "mg:v1:{ban}:sha256");
	GOLD(mg_key_ban_meta(&k, key, sizeof(key), &err), "mg:v1:{ban}:meta");
	GOLD(mg_key_ban_serial(&k, key, sizeof(key), &err), "mg:v1:{ban}:serial");
	GOLD(mg_key_notice(&k, mb, "cd", key, sizeof(key), &err), "mg:v1:notice:{alice@example.org}:cd");
	GOLD(mg_key_noticerate(&k, mb, key, sizeof(key), &err), "mg:v1:noticerate:{alice@example.org}");
	GOLD(mg_key_stats(&k, "policyd-quota", key, sizeof(key), &err), "mg:v1:stats:policyd-quota");
	GOLD(mg_key_stats_host(&k, "policyd-quota", "mx1", key, sizeof(key), &err), "mg:v1:stats:policyd-quota:mx1");

	assert_int_equal(mg_keys_init(&k, "acbesancon:mail:", &err), 0);
	GOLD(mg_key_quota(&k, mb, key, sizeof(key), &err), "acbesancon:mail:v1:quota:{alice@example.org}");
#undef GOLD
}

static void
test_id(void **state)
{
	char id[MG_KEYS_ID_LEN + 1];

	(void)state;
	/* SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a3... */
	mg_keys_id("abc", 3, id);
	assert_string_equal(id, "ba7816bf8f01cfea414140de5dae2223");
	mg_keys_id("bob@example.org\n5016", 20, id);
	assert_int_equal(strlen(id), MG_KEYS_ID_LEN);
}

static void
test_bad_prefix_and_overflow(void **state)
{
	struct mg_keys k;
	struct mg_error err;
	char key[MG_KEY_MAX], small[16];
	char longp[MG_KEYS_PREFIX_MAX + 2];

	(void)state;
	assert_int_equal(mg_keys_init(&k, "", &err), -1);
	assert_int_equal(mg_keys_init(&k, "a b", &err), -1);
	assert_int_equal(mg_keys_init(&k, "a{b}", &err), -1);
	assert_int_equal(err.kind, MG_ERR_CONFIG);
	memset(longp, 'p', sizeof(longp));
	longp[MG_KEYS_PREFIX_MAX] = '\0';
	assert_int_equal(mg_keys_init(&k, longp, &err), 0);   /* max length */
	longp[MG_KEYS_PREFIX_MAX] = 'p';
	longp[MG_KEYS_PREFIX_MAX + 1] = '\0';
	assert_int_equal(mg_keys_init(&k, longp, &err), -1);  /* one more */

	assert_int_equal(mg_keys_init(&k, "mg:", &err), 0);
	assert_int_equal(mg_key_quota(&k, "alice@example.org", small, sizeof(small), &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
	/* "mg:v1:quota:{" + "}" = 14 chars; a 15-char buffer fits an empty mailbox */
	assert_int_equal(mg_key_quota(&k, "", small, 15, &err), 14);
	assert_int_equal(mg_key_quota(&k, "a", small, 15, &err), -1);
	/* the longest normalised address always fits MG_KEY_MAX */
	{
		char mb[321];
		memset(mb, 'a', 320);
		mb[320] = '\0';
		assert_true(mg_key_defer(&k, mb, "0123456789abcdef0123456789abcdef",
					 key, sizeof(key), &err) > 0);
		assert_true(mg_key_deferinfo(&k, mb, "0123456789abcdef0123456789abcdef",
					     key, sizeof(key), &err) > 0);
	}
}

static void
test_ban_kinds(void **state)
{
	enum mg_ban_kind kind;

	(void)state;
	assert_int_equal(mg_ban_kind_parse("ext", &kind), 0);
	assert_int_equal(kind, MG_BAN_EXT);
	assert_int_equal(mg_ban_kind_parse("mime", &kind), 0);
	assert_int_equal(kind, MG_BAN_MIME);
	assert_int_equal(mg_ban_kind_parse("sha256", &kind), 0);
	assert_int_equal(kind, MG_BAN_SHA256);
	assert_int_equal(mg_ban_kind_parse("SHA256", &kind), -1);
	assert_int_equal(mg_ban_kind_parse("", &kind), -1);
	assert_string_equal(mg_ban_kind_name(MG_BAN_MIME), "mime");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_bad_prefix_and_overflow),
		cmocka_unit_test(test_ban_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
