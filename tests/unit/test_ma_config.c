/*
 * test_ma_config.c - milter-attach config rows: valid, invalid, boundary
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ma_config.h"
#include "mg_addr.h"

static void
test_defaults(void **state)
{
	struct ma_config *cfg = NULL, *other;
	struct mg_error err;

	(void)state;
	assert_int_equal(ma_config_load(NULL, &cfg, &err), 0);
	assert_int_equal(cfg->size_limit, 10485760ULL);
	assert_int_equal(cfg->banned_extensions.n, 6);
	assert_string_equal(cfg->banned_extensions.v[0], ".exe");
	assert_string_equal(cfg->banned_extensions.v[5], ".vbs");
	assert_int_equal(cfg->magic_action, MA_MAGIC_LOG);
	assert_int_equal(cfg->structure_action, MA_STRUCT_REJECT);
	assert_int_equal(cfg->error_action, MA_ERRACT_TEMPFAIL);
	assert_int_equal(cfg->ban_refresh_ms, 2000);
	assert_string_equal(cfg->largefile_service, "Efivol");
	assert_string_equal(cfg->redis_prefix, "mg:");
	assert_int_equal(cfg->structure_mask, (1u << 0) | (1u << 1) | (1u << 2) | (1u << 4) |
			 (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9) | (1u << 10) | (1u << 11));
	assert_int_equal(cfg->refs, 1);
	other = ma_config_ref(cfg);
	assert_ptr_equal(other, cfg);
	ma_config_unref(&cfg);
	assert_null(cfg);
	assert_int_equal(other->refs, 1);   /* still alive for the other holder */
	ma_config_unref(&other);
}

static void
test_rows(void **state)
{
	static const struct { const char *text; int ok; const char *errhas; } rows[] = {
		{ "size_limit = 10M\n", 1, NULL },
		{ "size_limit = 1K\n", 1, NULL },          /* lower bound 1024 */
		{ "size_limit = 1023\n", 0, "size_limit" },
		{ "size_limit = ten\n", 0, "size_limit" },
		{ "listen = inet:127.0.0.1:10030\n", 1, NULL },
		{ "listen = unix:/run/mailguard/m.sock\n", 1, NULL },
		{ "listen = 10030\n", 0, "listen" },
		{ "listen = inet:127.0.0.1\n", 0, "listen" },
		{ "banned_extensions = .EXE, .iso .a_b-c\n", 1, NULL },
		{ "banned_extensions = exe\n", 0, "bad extension" },
		{ "banned_extensions = .e*e\n", 0, "bad extension" },
		{ "banned_extensions = .\n", 0, "bad extension" },
		{ "banned_extensions = .abcdefghijklmnopq\n", 0, "bad extension" },
		{ "banned_extensions = .abcdefghijklmnop\n", 1, NULL },
		{ "banned_extensions =\n", 1, NULL },
		{ "magic_action = reject\n", 1, NULL },
		{ "magic_action = drop\n", 0, "magic_action" },
		{ "structure_action = tempfail\n", 1, NULL },
		{ "structure_action = discard\n", 0, "structure_action" },
		{ "structure_anomalies = depth malformed zip_broken header_long\n", 1, NULL },
		{ "structure_anomalies = zip_entries\n", 1, NULL },
		{ "structure_anomalies = deep\n", 0, "unknown anomaly" },
		{ "error_action = accept\n", 1, NULL },
		{ "error_action = reject\n", 0, "error_action" },
		{ "language = en\n", 1, NULL },
		{ "language = de\n", 0, "language" },
		{ "max_depth = 0\n", 0, "max_depth" },
		{ "max_depth = 1\n", 1, NULL },
		{ "notice_smtp = 127.0.0.1:25\n", 1, NULL },
		{ "notice_smtp = localhost\n", 0, "host:port" },
		{ "notice_sendmail = /usr/sbin/sendmail\n", 0,
		  "text:1: notice_sendmail was removed: use notice_smtp = host:port" },
		{ "notice_smtp = a:1\nnotice_sendmail = /x\n", 0,
		  "text:2: notice_sendmail was removed" },
		{ "reply_size = Trop gros (%{limit}) voir %{service} %{url}\n", 1, NULL },
		{ "reply_size = Trop gros %{file}\n", 0, "reply_size" },
		{ "reply_banned = %{file} %{ext} %{rule}\n", 1, NULL },
		{ "reply_banned = %{limit}\n", 0, "reply_banned" },
		{ "notice_body = %{sender} %{date} %{subject} %{file} %{reason} %{rcpt}\n", 1, NULL },
		{ "notice_subject = %{nope}\n", 0, "notice_subject" },
		{ "reply_names_encrypted = Use %{service} %{url}\n", 1, NULL },
		{ "reply_names_encrypted = %{file}\n", 0, "reply_names_encrypted" },
		{ "inspect_workers = 0\n", 1, NULL },
		{ "inspect_workers = 65\n", 0, "inspect_workers" },
		{ "inspect_workers = -1\n", 0, "inspect_workers" },
		{ "inspect_timeout = 50ms\n", 0, "inspect_timeout" },
		{ "inspect_timeout = 1s\n", 1, NULL },
		{ "inspect_memory = 16M\n", 0, "inspect_memory" },
		{ "inspect_memory = 1G\n", 1, NULL },
		{ "inspect_max_bytes = 100\n", 0, "inspect_max_bytes" },
		{ "inspect_max_bytes = 9M\n", 1, NULL },
		{ "ban_refresh = 50ms\n", 0, "ban_refresh" },
		{ "ban_refresh = 100ms\n", 1, NULL },
		{ "redis_prefix = {bad}\n", 0, "redis_prefix" },
		{ "header_name = X-Bad Name\n", 0, "header_name" },
		{ "unknown_key = 1\n", 0, "unknown_key" },
		{ "size_limit = 1M\nsize_limit = 2M\n", 0, "size_limit" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ma_config *cfg = NULL;
		struct mg_error err = { 0 };
		int rc = ma_config_parse_text(rows[i].text, &cfg, &err);
		if ((rc == 0) != rows[i].ok)
			fail_msg("row %zu \"%s\": rc %d (%s)", i, rows[i].text, rc, err.msg);
		if (!rows[i].ok && strstr(err.msg, rows[i].errhas) == NULL)
			fail_msg("row %zu: error \"%s\" lacks \"%s\"", i, err.msg,
				 rows[i].errhas);
		if (rc == 0)
			ma_config_unref(&cfg);
	}
}

static void
test_lowercase_and_local(void **state)
{
	struct ma_config *cfg = NULL;
	struct mg_error err;
	static const struct { const char *rcpt; int local; } rows[] = {
		{ "alice@ac-besancon.fr", 1 }, { "<Bob@AC-Besancon.FR>", 1 },
		{ "x@other.fr", 0 }, { "x@sub.ac-besancon.fr", 0 }, { "nodomain", 0 },
		{ "", 0 }, { "a@mailguard.test", 1 },
	};
	size_t i;

	(void)state;
	assert_int_equal(ma_config_parse_text(
	    "banned_extensions = .EXE\nlocal_domains = AC-Besancon.fr mailguard.test\n",
	    &cfg, &err), 0);
	assert_string_equal(cfg->banned_extensions.v[0], ".exe");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (mg_addr_in_domains(rows[i].rcpt, &cfg->local_domains) != rows[i].local)
			fail_msg("row %zu %s", i, rows[i].rcpt);
	ma_config_unref(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_lowercase_and_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
