/*
 * test_ma_decide.c - milter-attach decisions: tables of files and messages
 *
 * Fabricated scanner results (struct ma_file) against the default config
 * plus security-alert bans with expiries in the past and the future.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ma_decide.h"

#define NOW 1800000000LL
#define EXE_SHA "71e7b604d18aefd839e51a39c88df8383bb4c071dc31f87f00a2b5df580d4495"

static struct ma_config *
load(const char *text)
{
	struct ma_config *cfg = NULL;
	struct mg_error err;

	if (ma_config_parse_text(text, &cfg, &err) < 0)
		fail_msg("config: %s", err.msg);
	return cfg;
}

static void
test_last_ext(void **state)
{
	static const struct { const char *name, *ext; } rows[] = {
		{ "a.exe", ".exe" }, { "A.EXE", ".exe" }, { "evil.exe.", ".exe" },
		{ "evil.exe  ", ".exe" }, { "evil.exe . .", ".exe" },
		{ "report.pdf.exe", ".exe" }, { "setup.exe.pdf", ".pdf" },
		{ "noext", "" }, { "", "" }, { ".", "" }, { "...", "" },
		{ "dir/x.exe", ".exe" }, { "x.exe/y", "" }, { "c:\\x.Scr", ".scr" },
		{ ".bashrc", ".bashrc" }, { "a.", "" },
		{ "x.averyveryveryverylongextension", "" },
	};
	char out[MA_EXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ma_last_ext(rows[i].name, out, sizeof(out));
		if (strcmp(out, rows[i].ext) != 0)
			fail_msg("row %zu \"%s\": got \"%s\" want \"%s\"", i,
				 rows[i].name, out, rows[i].ext);
	}
}

static void
test_size(void **state)
{
	static const struct { unsigned long long size, limit; int over; } rows[] = {
		{ 10485759, 10485760, 0 }, { 10485760, 10485760, 0 },
		{ 10485761, 10485760, 1 }, { 0, 10485760, 0 },
		{ 18446744073709551615ULL, 10485760, 1 }, { 1025, 1024, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(ma_decide_size(rows[i].size, rows[i].limit),
				 rows[i].over);
}

struct file_row {
	const char *names[3];
	const char *container, *mime, *sha;
	const char *cfgtext;
	enum ma_reason want;
	const char *want_name;
	int exec;
};

static void
run_file_rows(const struct file_row *rows, size_t n, const struct ma_banset *bans)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		struct ma_config *cfg = load(rows[i].cfgtext ? rows[i].cfgtext : "");
		struct ma_rules rules = { cfg, bans, NOW };
		struct ma_file f = { rows[i].names, 0, rows[i].container,
				     rows[i].mime ? rows[i].mime : "",
				     rows[i].sha ? rows[i].sha : "" };
		struct ma_hit hit;
		enum ma_reason r;

		for (k = 0; k < 3 && rows[i].names[k]; k++)
			f.n_names++;
		r = ma_decide_file(&rules, &f, &hit);
		if (r != rows[i].want)
			fail_msg("row %zu: reason %s want %s", i, ma_reason_name(r),
				 ma_reason_name(rows[i].want));
		if (rows[i].want_name && strcmp(hit.name, rows[i].want_name) != 0)
			fail_msg("row %zu: name \"%s\" want \"%s\"", i, hit.name,
				 rows[i].want_name);
		if (hit.exec_content != rows[i].exec)
			fail_msg("row %zu: exec_content %d", i, hit.exec_content);
		ma_config_unref(&cfg);
	}
}

static void
test_static_ext(void **state)
{
	static const struct file_row rows[] = {
		{ { "clam.exe" }, NULL, NULL, NULL, NULL, MA_R_EXT, "clam.exe", 0 },
		{ { "a.com" }, NULL, NULL, NULL, NULL, MA_R_EXT, NULL, 0 },
		{ { "a.pif" }, NULL, NULL, NULL, NULL, MA_R_EXT, NULL, 0 },
		{ { "a.reg" }, NULL, NULL, NULL, NULL, MA_R_EXT, NULL, 0 },
		{ { "a.scr" }, NULL, NULL, NULL, NULL, MA_R_EXT, NULL, 0 },
		{ { "a.vbs" }, NULL, NULL, NULL, NULL, MA_R_EXT, NULL, 0 },
		{ { "A.VbS" }, NULL, NULL, NULL, NULL, MA_R_EXT, NULL, 0 },
		{ { "evil.exe." }, NULL, NULL, NULL, NULL, MA_R_EXT, NULL, 0 },
		{ { "evil.exe  " }, NULL, NULL, NULL, NULL, MA_R_EXT, NULL, 0 },
		/* a part declaring two names: any banned name bans it */
		{ { "invoice.pdf", "invoice.exe" }, NULL, NULL, NULL, NULL, MA_R_EXT,
		  "invoice.exe", 0 },
		/* zip member */
		{ { "CLAM.EXE" }, "clam.zip", NULL, NULL, NULL, MA_R_EXT, "CLAM.EXE", 0 },
		/* harmless */
		{ { "report.pdf" }, NULL, "application/pdf", NULL, NULL, MA_R_NONE, NULL, 0 },
		{ { "exe" }, NULL, NULL, NULL, NULL, MA_R_NONE, NULL, 0 },
		{ { "a.exe.txt" }, NULL, NULL, NULL, NULL, MA_R_NONE, NULL, 0 },
		{ { "dmarc.example.com!x.zip" }, NULL, NULL, NULL, NULL, MA_R_NONE, NULL, 0 },
		{ { "a.comx" }, NULL, NULL, NULL, NULL, MA_R_NONE, NULL, 0 },
		{ { NULL }, NULL, "text/plain", NULL, NULL, MA_R_NONE, NULL, 0 },
		/* configured list */
		{ { "a.exe" }, NULL, NULL, NULL, "banned_extensions = .iso\n",
		  MA_R_NONE, NULL, 0 },
		{ { "a.ISO" }, NULL, NULL, NULL, "banned_extensions = .ISO .img\n",
		  MA_R_EXT, NULL, 0 },
	};

	(void)state;
	run_file_rows(rows, sizeof(rows) / sizeof(rows[0]), NULL);
}

static void
test_alert_bans(void **state)
{
	struct ma_banset *b = ma_banset_new();
	struct mg_error err;
	static const struct file_row rows[] = {
		{ { "disk.iso" }, NULL, NULL, NULL, NULL, MA_R_BAN_EXT, "disk.iso", 0 },
		{ { "DISK.ISO." }, NULL, NULL, NULL, NULL, MA_R_BAN_EXT, NULL, 0 },
		{ { "disk.img" }, NULL, NULL, NULL, NULL, MA_R_NONE, NULL, 0 },   /* expired */
		{ { "disk.vhd" }, NULL, NULL, NULL, NULL, MA_R_NONE, NULL, 0 },   /* expires now */
		{ { "x.dat" }, NULL, "application/x-iso9660-image", NULL, NULL,
		  MA_R_BAN_MIME, "x.dat", 0 },
		{ { "x.dat" }, NULL, "Application/X-ISO9660-Image", NULL, NULL,
		  MA_R_BAN_MIME, NULL, 0 },
		{ { "clam.pdf" }, NULL, NULL, EXE_SHA, NULL, MA_R_BAN_SHA256, "clam.pdf", 0 },
		{ { "clam.pdf" }, NULL, NULL,
		  "0000000000000000000000000000000000000000000000000000000000000000",
		  NULL, MA_R_NONE, NULL, 0 },
		/* a static ban wins over an alert ban */
		{ { "clam.exe" }, NULL, NULL, EXE_SHA, NULL, MA_R_EXT, NULL, 0 },
		/* zip members carry no hash */
		{ { "in.iso" }, "a.zip", NULL, "", NULL, MA_R_BAN_EXT, "in.iso", 0 },
	};

	(void)state;
	assert_int_equal(ma_banset_add(b, MG_BAN_EXT, ".iso", NOW + 3600, &err), 0);
	assert_int_equal(ma_banset_add(b, MG_BAN_EXT, ".img", NOW - 1, &err), 0);
	assert_int_equal(ma_banset_add(b, MG_BAN_EXT, ".vhd", NOW, &err), 0);
	assert_int_equal(ma_banset_add(b, MG_BAN_MIME, "application/x-iso9660-image",
				       NOW + 60, &err), 0);
	assert_int_equal(ma_banset_add(b, MG_BAN_SHA256, EXE_SHA, NOW + 60, &err), 0);
	assert_int_equal(ma_banset_earliest(b), NOW - 1);
	run_file_rows(rows, sizeof(rows) / sizeof(rows[0]), b);
	assert_null(ma_banset_match(NULL, MG_BAN_EXT, ".iso", NOW));
	assert_null(ma_banset_match(b, MG_BAN_EXT, "", NOW));
	assert_non_null(ma_banset_match(b, MG_BAN_EXT, ".iso", NOW + 3599));
	assert_null(ma_banset_match(b, MG_BAN_EXT, ".iso", NOW + 3600));
	ma_banset_unref(&b);
	assert_null(b);
}

static void
test_magic(void **state)
{
	static const struct file_row rows[] = {
		{ { "photo.jpg" }, NULL, "application/vnd.microsoft.portable-executable",
		  NULL, NULL, MA_R_NONE, "photo.jpg", 1 },                      /* log */
		{ { "photo.jpg" }, NULL, "application/x-dosexec", NULL,
		  "magic_action = reject\n", MA_R_MAGIC, "photo.jpg", 1 },
		{ { "photo.jpg" }, NULL, "application/x-dosexec", NULL,
		  "magic_action = header\n", MA_R_NONE, "photo.jpg", 1 },
		{ { "photo.jpg" }, NULL, "application/x-dosexec", NULL,
		  "magic_action = off\n", MA_R_NONE, NULL, 0 },
		{ { "photo.jpg" }, NULL, "image/jpeg", NULL,
		  "magic_action = reject\n", MA_R_NONE, NULL, 0 },
		{ { NULL }, NULL, "application/x-dosexec", NULL,
		  "magic_action = reject\n", MA_R_MAGIC, "", 1 },
		{ { "a.bin" }, NULL, "application/x-foo", NULL,
		  "magic_action = reject\nmagic_types = Application/X-Foo\n",
		  MA_R_MAGIC, NULL, 1 },
	};

	(void)state;
	run_file_rows(rows, sizeof(rows) / sizeof(rows[0]), NULL);
}

struct msg_row {
	const char *cfgtext;
	unsigned long long size;
	enum ma_reason hit_reason;
	const char *hit_name;
	unsigned anomalies;
	int scan_error, bans_known;
	enum ma_action want;
	const char *code, *xcode, *text_has;
};

static void
test_message(void **state)
{
	static const struct msg_row rows[] = {
		{ "", 10485760, MA_R_NONE, NULL, 0, 0, 1, MA_ACT_ACCEPT, "", "", NULL },
		{ "", 10485761, MA_R_NONE, NULL, 0, 0, 1, MA_ACT_REJECT, "552", "5.3.4",
		  "la limite est de 10 Mo" },
		{ "", 10485761, MA_R_NONE, NULL, 0, 0, 1, MA_ACT_REJECT, "552", "5.3.4",
		  "Efivol: https://efivol.ac-besancon.fr/" },
		{ "language = en\nsize_limit = 5M\nlargefile_service = BigFiles\n"
		  "largefile_url = https://x.example/\n", 5242881, MA_R_NONE, NULL, 0, 0,
		  1, MA_ACT_REJECT, "552", "5.3.4",
		  "the limit is 5 MB (mail charter). To send large files, use the "
		  "BigFiles service: https://x.example/" },
		{ "size_limit = 1500\n", 1501, MA_R_NONE, NULL, 0, 0, 1, MA_ACT_REJECT,
		  "552", "5.3.4", "1500 octets" },
		/* size wins over a banned file */
		{ "", 10485761, MA_R_EXT, "a.exe", 0, 0, 1, MA_ACT_REJECT, "552", "5.3.4", NULL },
		{ "", 100, MA_R_EXT, "clam.exe", 0, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "Piece jointe interdite \"clam.exe\" (extension .exe)" },
		{ "", 100, MA_R_EXT, "100%.exe", 0, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "\"100%%.exe\"" },
		{ "", 100, MA_R_EXT, "\xc3\xa9t\xc3\xa9\r\n.exe", 0, 0, 1, MA_ACT_REJECT,
		  "550", "5.7.1", "\"??t????.exe\"" },
		{ "", 100, MA_R_BAN_EXT, "d.iso", 0, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "alerte de securite" },
		{ "language = en\n", 100, MA_R_MAGIC, "a.jpg", 0, 0, 1, MA_ACT_REJECT,
		  "550", "5.7.1", "executable content" },
		{ "reply_banned = No %{file} here (%{ext}) 50%%\n", 100, MA_R_EXT,
		  "x.scr", 0, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "No x.scr here (.scr) 50%%" },
		/* structure */
		{ "", 100, MA_R_NONE, NULL, 1u << 0, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "(depth)" },
		{ "", 100, MA_R_NONE, NULL, 1u << 3, 0, 1, MA_ACT_ACCEPT, "", "", NULL },
		/* an archive over max_zip_entries: refused by default */
		{ "", 100, MA_R_NONE, NULL, 1u << 7, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "(zip_entries)" },
		{ "structure_action = tempfail\n", 100, MA_R_NONE, NULL, 1u << 1, 0, 1,
		  MA_ACT_TEMPFAIL, "451", "4.3.0", NULL },
		{ "structure_action = accept\n", 100, MA_R_NONE, NULL, 1u << 1, 0, 1,
		  MA_ACT_ACCEPT, "", "", NULL },
		{ "structure_anomalies = malformed\n", 100, MA_R_NONE, NULL, 1u << 3, 0,
		  1, MA_ACT_REJECT, "550", "5.7.1", "(malformed)" },
		/* names that cannot be read: the reply says why and what to do */
		{ "", 100, MA_R_NONE, NULL, 1u << 10, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "archive zip dont les noms de fichiers sont visibles" },
		{ "", 100, MA_R_NONE, NULL, 1u << 10 | 1u << 1, 0, 1, MA_ACT_REJECT, "550",
		  "5.7.1", "Efivol: https://efivol.ac-besancon.fr/" },
		{ "language = en\nlargefile_service = Big\nlargefile_url = https://b/\n",
		  100, MA_R_NONE, NULL, 1u << 10, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "Send a zip archive whose file names are visible, or use the Big "
		  "service: https://b/" },
		{ "reply_names_encrypted = Names hidden; see %{url}\n", 100, MA_R_NONE,
		  NULL, 1u << 10, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "Names hidden; see https://efivol" },
		{ "structure_action = tempfail\n", 100, MA_R_NONE, NULL, 1u << 10, 0, 1,
		  MA_ACT_TEMPFAIL, "451", "4.3.0", NULL },
		/* a failed inspection: the structure reply */
		{ "", 100, MA_R_NONE, NULL, 1u << 11, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "(inspect_failed)" },
		/* banned file wins over structure */
		{ "", 100, MA_R_EXT, "a.exe", 1u << 1, 0, 1, MA_ACT_REJECT, "550", "5.7.1",
		  "a.exe" },
		/* errors */
		{ "", 100, MA_R_NONE, NULL, 0, 1, 1, MA_ACT_TEMPFAIL, "451", "4.3.0", NULL },
		{ "error_action = accept\n", 100, MA_R_NONE, NULL, 0, 1, 1, MA_ACT_ACCEPT,
		  "", "", NULL },
		{ "", 100, MA_R_NONE, NULL, 0, 0, 0, MA_ACT_TEMPFAIL, "451", "4.3.0", NULL },
		{ "error_action = accept\n", 100, MA_R_NONE, NULL, 0, 0, 0, MA_ACT_ACCEPT,
		  "", "", NULL },
		/* static rules still apply without a ban list */
		{ "", 100, MA_R_EXT, "a.exe", 0, 0, 0, MA_ACT_REJECT, "550", "5.7.1", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ma_config *cfg = load(rows[i].cfgtext);
		struct ma_hit hit = { .reason = rows[i].hit_reason };
		struct ma_facts f = { rows[i].size, &hit, rows[i].anomalies,
				      rows[i].scan_error, rows[i].bans_known };
		struct ma_verdict v;
		size_t k;

		snprintf(hit.name, sizeof(hit.name), "%s",
			 rows[i].hit_name ? rows[i].hit_name : "");
		ma_last_ext(hit.name, hit.ext, sizeof(hit.ext));
		snprintf(hit.mime, sizeof(hit.mime), "application/x-dosexec");
		ma_decide_message(cfg, &f, &v);
		if (v.action != rows[i].want)
			fail_msg("row %zu: action %d want %d", i, v.action, rows[i].want);
		assert_string_equal(v.code, rows[i].code);
		assert_string_equal(v.xcode, rows[i].xcode);
		if (rows[i].text_has && strstr(v.text, rows[i].text_has) == NULL)
			fail_msg("row %zu: text \"%s\" lacks \"%s\"", i, v.text,
				 rows[i].text_has);
		for (k = 0; v.text[k]; k++) {
			unsigned char c = (unsigned char)v.text[k];
			if (c < 0x20 || c > 0x7e)
				fail_msg("row %zu: non-ASCII reply byte %02x", i, c);
			if (c == '%' && v.text[k + 1] != '%')
				fail_msg("row %zu: single %% in \"%s\"", i, v.text);
			if (c == '%')
				k++;
		}
		assert_true(strlen(v.text) <= 980);
		ma_config_unref(&cfg);
	}
}

static void
test_long_override(void **state)
{
	char text[4096];
	struct ma_config *cfg;
	struct ma_hit hit = { .reason = MA_R_EXT, .name = "a.exe", .ext = ".exe" };
	struct ma_facts f = { 10, &hit, 0, 0, 1 };
	struct ma_verdict v;

	(void)state;
	/* an admin text of 2000 characters full of %% still gives a reply
	 * of at most 980 characters with no single % */
	snprintf(text, sizeof(text), "reply_banned = \"");
	for (size_t i = strlen(text); i < 2000; i += 3)
		memcpy(text + i, "x%%", 4);
	strcat(text, "\"\n");
	cfg = load(text);
	ma_decide_message(cfg, &f, &v);
	assert_int_equal(v.action, MA_ACT_REJECT);
	assert_true(strlen(v.text) <= 980);
	for (size_t k = 0; v.text[k]; k++) {
		if (v.text[k] == '%') {
			assert_int_equal(v.text[k + 1], '%');
			k++;
		}
	}
	ma_config_unref(&cfg);
}

static void
test_reply_escape(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(ma_reply_escape(out, sizeof(out), "a%b", 100), 4);
	assert_string_equal(out, "a%%b");
	/* never splits a doubled % at the end of the buffer */
	assert_int_equal(ma_reply_escape(out, 5, "abc%d", 100), 3);
	assert_string_equal(out, "abc");
	ma_reply_escape(out, sizeof(out), "\x01\xff" "x", 100);
	assert_string_equal(out, "??x");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_ext),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_static_ext),
		cmocka_unit_test(test_alert_bans),
		cmocka_unit_test(test_magic),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_long_override),
		cmocka_unit_test(test_reply_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
