/*
 * test_insp_list.c - the inspector (insp_list.h) on carriers made at test
 * time by the real tools (tests/material/insp_list.sh): ISO 9660 with
 * plain, Joliet and Rock Ridge names, a UDF bridge, a FAT image, 7z (plain, encrypted data,
 * encrypted names), RAR heads with encrypted names, tar in every filter
 * and V7, single compressed files, cab, containers inside containers,
 * and the limits (depth, bytes, entries) and truncation; then the pure
 * parts: single-file names (insp_rawname.h) and sources (insp_lister.h)
 */
#include <fcntl.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "anomaly.h"
#include "insp_list.h"
#include "insp_lister.h"
#include "insp_rawname.h"

#define MAX_SEEN 64

/* the members reported, as "depth format name" (+ " enc") */
struct seen {
	char m[MAX_SEEN][160];
	unsigned n;
};

static char material[64];

static void record(void *ctx, const struct insp_member *m)
{
	struct seen *s = ctx;

	assert_non_null(m->name);
	assert_non_null(m->format);
	if (s->n < MAX_SEEN)
		snprintf(s->m[s->n], sizeof(s->m[0]), "%u %s %s%s", m->depth,
			 m->format, m->name, m->encrypted ? " enc" : "");
	s->n++;
}

static int has(const struct seen *s, const char *want)
{
	for (unsigned i = 0; i < s->n && i < MAX_SEEN; i++)
		if (strcmp(s->m[i], want) == 0)
			return 1;
	return 0;
}

/* has_name - any member whose line ends with " name" */
static int has_name(const struct seen *s, const char *name)
{
	size_t n = strlen(name);

	for (unsigned i = 0; i < s->n && i < MAX_SEEN; i++) {
		size_t k = strlen(s->m[i]);

		if (k > n && s->m[i][k - n - 1] == ' ' &&
		    strcmp(s->m[i] + k - n, name) == 0)
			return 1;
	}
	return 0;
}

#define LONG70 "0000000000000000000000000000000000000000000000000000000000000000000000"

struct row {
	const char *name;
	const char *file;              /* in the material directory */
	const char *carrier;           /* the attachment's name */
	unsigned max_depth, max_entries;       /* 0: default */
	unsigned long long max_bytes;          /* 0: default */
	const char *want[8];           /* members reported */
	const char *absent[4];         /* names never reported */
	int count;                     /* members in all; -1: not checked */
	unsigned anomalies;            /* exactly */
};

static const struct row rows[] = {
	{ "iso_joliet_rockridge", "jr.iso", "x.iso", 0, 0, 0,
	  { "1 iso9660 FACTURE_.EXE", "1 joliet Facture_longname.exe",
	    "1 joliet readme.txt", "1 joliet sub/Ünïcode.scr" },
	  { NULL }, 6, 0 },
	{ "iso_joliet_only", "j.iso", "x.iso", 0, 0, 0,
	  { "1 iso9660 FACTURE_.EXE", "1 joliet Facture_longname.exe" },
	  { NULL }, 6, 0 },
	{ "iso_plain_names", "plain.iso", "x.iso", 0, 0, 0,
	  { "1 iso9660 FACTURE_.EXE", "1 iso9660 README.TXT" },
	  { "Facture_longname.exe" }, 3, 0 },
	{ "iso_name_only_in_rockridge", "rr.iso", "x.iso", 0, 0, 0,
	  { "1 rockridge " LONG70 "_invoice.exe" }, { NULL }, 3, 0 },
	{ "udf_bridge_each_name_once", "udf.iso", "x.iso", 0, 0, 0,
	  { "1 udf Facture_longname.exe", "1 udf sub/Ünïcode.scr",
	    "1 iso9660 FACTURE_.EXE" }, { NULL }, 6, 0 },
	{ "fat_members_listed_in_place", "fat.img", "disk.img", 0, 0, 0,
	  { "1 fat Facture.exe.xz", "2 xz Facture.exe", "1 fat plain.7z",
	    "2 7z readme.txt" }, { NULL }, 6, 0 },
	{ "7z_plain", "plain.7z", "a.7z", 0, 0, 0,
	  { "1 7z Facture_longname.exe", "1 7z sub/Ünïcode.scr" },
	  { "sub" }, 3, 0 },
	{ "7z_encrypted_data", "encdata.7z", "a.7z", 0, 0, 0,
	  { "1 7z Facture_longname.exe enc", "1 7z readme.txt enc" },
	  { NULL }, 3, 0 },
	{ "7z_encrypted_names", "hidden.7z", "a.7z", 0, 0, 0, { NULL },
	  { NULL }, 0, SCAN_ANOM_NAMES_ENCRYPTED },
	{ "rar4_encrypted_names", "hp4.rar", "a.rar", 0, 0, 0, { NULL },
	  { NULL }, 0, SCAN_ANOM_NAMES_ENCRYPTED },
	{ "rar5_encrypted_names", "hp5.rar", "a.rar", 0, 0, 0, { NULL },
	  { NULL }, 0, SCAN_ANOM_NAMES_ENCRYPTED },
	{ "tar_xz", "t.tar.xz", "t.tar.xz", 0, 0, 0,
	  { "1 tar Facture_longname.exe", "1 tar readme.txt" }, { NULL }, 2, 0 },
	{ "tar_bzip2", "t.tar.bz2", "", 0, 0, 0,
	  { "1 tar Facture_longname.exe" }, { NULL }, 2, 0 },
	{ "tar_zstd", "t.tar.zst", "", 0, 0, 0,
	  { "1 tar Facture_longname.exe" }, { NULL }, 2, 0 },
	{ "tar_lzip", "t.tar.lz", "", 0, 0, 0,
	  { "1 tar Facture_longname.exe" }, { NULL }, 2, 0 },
	{ "tar_v7", "v7.tar", "", 0, 0, 0,
	  { "1 tar Facture_longname.exe", "1 tar readme.txt" }, { NULL }, 2, 0 },
	{ "xz_single", "Facture.exe.xz", "Facture.exe.xz", 0, 0, 0,
	  { "1 xz Facture.exe" }, { NULL }, 1, 0 },
	{ "xz_single_harmless", "notes.exe.txt.xz", "notes.exe.txt.xz", 0, 0, 0,
	  { "1 xz notes.exe.txt" }, { NULL }, 1, 0 },
	{ "xz_single_no_name", "Facture.exe.xz", "", 0, 0, 0,
	  { "1 xz " INSP_RAWNAME_NEUTRAL }, { NULL }, 1, 0 },
	{ "xz_single_other_suffix", "Facture.exe.xz", "report.pdf", 0, 0, 0,
	  { "1 xz " INSP_RAWNAME_NEUTRAL }, { NULL }, 1, 0 },
	{ "bzip2_single", "Facture.exe.bz2", "Facture.exe.bz2", 0, 0, 0,
	  { "1 bzip2 Facture.exe" }, { NULL }, 1, 0 },
	{ "zstd_single", "Facture.exe.zst", "Facture.exe.ZST", 0, 0, 0,
	  { "1 zstd Facture.exe" }, { NULL }, 1, 0 },
	{ "lzip_single", "Facture.exe.lz", "Facture.exe.lz", 0, 0, 0,
	  { "1 lzip Facture.exe" }, { NULL }, 1, 0 },
	{ "gzip_stored_name", "invoice.pdf.gz", "invoice.pdf.gz", 0, 0, 0,
	  { "1 gzip Facture.exe" }, { "invoice.pdf" }, 1, 0 },
	{ "gzip_no_stored_name", "notes.exe.txt.gz", "notes.exe.txt.gz", 0, 0, 0,
	  { "1 gzip notes.exe.txt" }, { NULL }, 1, 0 },
	{ "uu_named_by_begin_line", "exe.uue", "document.uue", 0, 0, 0,
	  { "1 uu Facture.exe" }, { NULL }, 1, 0 },
	{ "uu_of_xz", "xz.uue", "document.uue", 0, 0, 0,
	  { "1 xz Facture.exe" }, { NULL }, 1, 0 },
	{ "cab", "x.cab", "x.cab", 0, 0, 0,
	  { "1 cab Facture.exe" }, { NULL }, 1, 0 },
	{ "iso_in_zip", "isozip.zip", "a.zip", 0, 0, 0,
	  { "1 zip jr.iso", "2 joliet Facture_longname.exe",
	    "2 iso9660 FACTURE_.EXE" }, { NULL }, 7, 0 },
	{ "cab_in_zip", "cabzip.zip", "a.zip", 0, 0, 0,
	  { "1 zip x.cab", "2 cab Facture.exe" }, { NULL }, 2, 0 },
	{ "tar_xz_in_7z", "tarxz.7z", "a.7z", 0, 0, 0,
	  { "1 7z t.tar.xz", "2 tar Facture_longname.exe" }, { NULL }, 3, 0 },
	{ "xz_in_zip_named_by_member", "xzzip.zip", "a.zip", 0, 0, 0,
	  { "1 zip notes.exe.txt.xz", "2 xz notes.exe.txt" }, { NULL }, 2, 0 },
	{ "depth_3_of_3", "z3.zip", "a.zip", 3, 0, 0,
	  { "1 zip isozip.zip", "2 zip jr.iso",
	    "3 joliet Facture_longname.exe" }, { NULL }, 8, 0 },
	{ "depth_past_2", "z3.zip", "a.zip", 2, 0, 0,
	  { "1 zip isozip.zip", "2 zip jr.iso" },
	  { "Facture_longname.exe", "FACTURE_.EXE" }, 2, SCAN_ANOM_ZIP_DEPTH },
	{ "depth_past_1", "z3.zip", "a.zip", 1, 0, 0, { "1 zip isozip.zip" },
	  { "jr.iso" }, 1, SCAN_ANOM_ZIP_DEPTH },
	{ "max_bytes_below_the_iso", "isozip.zip", "a.zip", 0, 0, 100000,
	  { "1 zip jr.iso" }, { "Facture_longname.exe" }, 1,
	  SCAN_ANOM_ZIP_DEPTH },
	{ "max_bytes_above_the_iso", "isozip.zip", "a.zip", 0, 0, 400000,
	  { "2 joliet Facture_longname.exe" }, { NULL }, 7, 0 },
	{ "max_entries", "jr.iso", "x.iso", 0, 2, 0, { NULL }, { NULL }, 2,
	  SCAN_ANOM_ZIP_ENTRIES },
	{ "max_entries_across_nesting", "z3.zip", "a.zip", 0, 4, 0,
	  { "1 zip isozip.zip", "2 zip jr.iso" }, { NULL }, 4,
	  SCAN_ANOM_ZIP_ENTRIES },
	{ "bomb_by_declared_sizes", "zeros.tar.xz", "a.tar.xz", 0, 0, 50000,
	  { "1 tar zeros.bin" }, { "readme.txt" }, 1, SCAN_ANOM_ZIP_DEPTH },
	{ "no_bomb_below_the_factor", "zeros.tar.xz", "a.tar.xz", 0, 0, 200000,
	  { "1 tar zeros.bin", "1 tar readme.txt" }, { NULL }, 2, 0 },
	{ "tar_cut_keeps_names", "cut.tar", "a.tar", 0, 0, 0,
	  { "1 tar readme.txt", "1 tar big.bin" }, { NULL }, 2,
	  SCAN_ANOM_ZIP_BROKEN },
	{ "cab_bad_data", "baddata.cab", "a.cab", 0, 0, 0,
	  { "1 cab Facture.exe" }, { NULL }, 1, SCAN_ANOM_ZIP_BROKEN },
	{ "7z_cut", "cut.7z", "a.7z", 0, 0, 0, { NULL }, { NULL }, 0,
	  SCAN_ANOM_ZIP_BROKEN },
	{ "not_a_container", "readme.txt", "a.iso", 0, 0, 0, { NULL },
	  { NULL }, 0, SCAN_ANOM_ZIP_BROKEN },
};

static unsigned list_file(const struct row *r, struct seen *s)
{
	struct insp_limits lim;
	struct stat st;
	char path[160];
	unsigned an;
	int fd;

	insp_limits_default(&lim);
	if (r->max_depth)
		lim.max_depth = r->max_depth;
	if (r->max_entries)
		lim.max_entries = r->max_entries;
	if (r->max_bytes)
		lim.max_bytes = r->max_bytes;
	snprintf(path, sizeof(path), "%s/%s", material, r->file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("%s: no material %s", r->name, path);
	assert_int_equal(fstat(fd, &st), 0);
	memset(s, 0, sizeof(*s));
	an = insp_list(fd, (unsigned long long)st.st_size, r->carrier, &lim,
		       record, s);
	close(fd);
	return an;
}

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct seen s;
		unsigned an = list_file(r, &s);

		for (size_t k = 0; k < 8 && r->want[k] != NULL; k++)
			if (!has(&s, r->want[k]))
				fail_msg("%s: no \"%s\" (first: \"%s\")", r->name,
					 r->want[k], s.n ? s.m[0] : "");
		for (size_t k = 0; k < 4 && r->absent[k] != NULL; k++)
			if (has_name(&s, r->absent[k]))
				fail_msg("%s: \"%s\" reported", r->name,
					 r->absent[k]);
		if (r->count >= 0 && s.n != (unsigned)r->count)
			fail_msg("%s: %u members, want %d", r->name, s.n,
				 r->count);
		if (an != r->anomalies)
			fail_msg("%s: anomalies %#x, want %#x", r->name, an,
				 r->anomalies);
	}
}

/* test_rows_utf8_locale - the same in a process whose locale is UTF-8
 * already (the worker's: insp_list() then loads none) */
static void test_rows_utf8_locale(void **state)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		skip();
	test_rows(state);
	setlocale(LC_CTYPE, "C");
}

/* test_raw_names - the one member of a single compressed file */
static void test_raw_names(void **state)
{
	static const struct {
		const char *name, *stored, *carrier;
		unsigned layers;
		const char *want;
	} t[] = {
		{ "suffix_stripped", "data", "Facture.exe.xz", 1, "Facture.exe" },
		{ "harmless_inner", NULL, "notes.exe.txt.xz", 1, "notes.exe.txt" },
		{ "suffix_any_case", NULL, "A.EXE.BZ2", 1, "A.EXE" },
		{ "each_suffix_lz", NULL, "a.exe.lz", 1, "a.exe" },
		{ "each_suffix_lzma", NULL, "a.exe.lzma", 1, "a.exe" },
		{ "each_suffix_Z", NULL, "a.exe.Z", 1, "a.exe" },
		{ "each_suffix_zst", NULL, "a.exe.zst", 1, "a.exe" },
		{ "two_layers", NULL, "a.exe.gz.xz", 2, "a.exe" },
		{ "one_layer_of_two", NULL, "a.exe.gz.xz", 1, "a.exe.gz" },
		{ "stored_name_wins", "Facture.exe", "invoice.pdf.gz", 1,
		  "Facture.exe" },
		{ "no_suffix_neutral", NULL, "Facture.exe", 1,
		  INSP_RAWNAME_NEUTRAL },
		{ "suffix_only_neutral", NULL, ".xz", 1, INSP_RAWNAME_NEUTRAL },
		{ "no_carrier_name", NULL, NULL, 1, INSP_RAWNAME_NEUTRAL },
		{ "empty_carrier_name", "", "", 1, INSP_RAWNAME_NEUTRAL },
		{ "no_layers", NULL, "a.exe.xz", 0, INSP_RAWNAME_NEUTRAL },
	};
	char out[64], tiny[4];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(insp_raw_name(t[i].stored, t[i].carrier, t[i].layers,
					 out, sizeof(out)), t[i].want) != 0)
			fail_msg("%s: \"%s\", want \"%s\"", t[i].name, out,
				 t[i].want);
	assert_string_equal(insp_raw_name(NULL, "abcdef.xz", 1, tiny,
					  sizeof(tiny)), "abc");
}

/* test_uu_names - the name on a uuencoded file's "begin" line */
static void test_uu_names(void **state)
{
	static const struct {
		const char *name, *text, *want;
	} t[] = {
		{ "first_line", "begin 644 Facture.exe\nM...\n", "Facture.exe" },
		{ "after_text", "hello\r\nbegin 0755 a b.exe\r\n", "a b.exe" },
		{ "base64", "begin-base64 644 x.scr\n", "x.scr" },
		{ "last_line_no_newline", "x\nbegin 600 y.vbs", "y.vbs" },
		{ "mode_not_octal", "begin 9x9 a.exe\n", NULL },
		{ "mode_too_short", "begin 64 a.exe\n", NULL },
		{ "no_name", "begin 644 \n", NULL },
		{ "not_at_line_start", " begin 644 a.exe\n", NULL },
		{ "none", "", NULL },
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = insp_uu_name((const unsigned char *)t[i].text,
				     strlen(t[i].text), out, sizeof(out));

		if (r != (t[i].want != NULL) ||
		    (r && strcmp(out, t[i].want) != 0))
			fail_msg("%s: %d \"%s\"", t[i].name, r, r ? out : "");
	}
}

/* test_sources - reads through fd and window sources stay in bounds */
static void test_sources(void **state)
{
	static const struct {
		const char *name;
		unsigned long long win_off, win_len, off;
		size_t len;
		int ok;
		const char *want;
	} t[] = {
		{ "inside", 2, 5, 1, 3, 0, "def" },
		{ "to_the_end", 2, 5, 2, 3, 0, "efg" },
		{ "past_the_end", 2, 5, 3, 3, -1, NULL },
		{ "offset_past", 2, 5, 6, 0, -1, NULL },
		{ "empty_at_end", 2, 5, 5, 0, 0, "" },
		{ "window_clamped", 8, 100, 0, 2, 0, "ij" },
		{ "window_past_parent", 100, 5, 0, 1, -1, NULL },
		{ "huge_offset", 0, 10, ~0ULL - 1, 4, -1, NULL },
	};
	struct insp_src fd_src, win;
	char buf[16];
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	assert_true(fputs("abcdefghij", f) >= 0);
	fflush(f);
	insp_src_fd(&fd_src, fileno(f), 0, 10);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r;

		insp_src_window(&win, &fd_src, t[i].win_off, t[i].win_len);
		memset(buf, 0, sizeof(buf));
		r = insp_src_read(&win, t[i].off, buf, t[i].len);
		if (r != t[i].ok)
			fail_msg("%s: %d, want %d", t[i].name, r, t[i].ok);
		if (t[i].want != NULL && strcmp(buf, t[i].want) != 0)
			fail_msg("%s: \"%s\"", t[i].name, buf);
	}
	/* a source claiming more than the file holds fails, no crash */
	insp_src_fd(&fd_src, fileno(f), 4, 100);
	assert_int_equal(insp_src_read(&fd_src, 0, buf, 6), 0);
	assert_int_equal(insp_src_read(&fd_src, 0, buf, 7), -1);
	fclose(f);
}

static int make_material(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(material, sizeof(material), "/tmp/test_insp_list.XXXXXX");
	if (mkdtemp(material) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh '%s' '%s' >'%s/log' 2>&1",
		 INSP_MATERIAL_SCRIPT, material, material);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s failed: see %s/log\n", INSP_MATERIAL_SCRIPT,
			material);
		return -1;
	}
	return 0;
}

static int drop_material(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", material);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_rows_utf8_locale),
		cmocka_unit_test(test_raw_names),
		cmocka_unit_test(test_uu_names),
		cmocka_unit_test(test_sources),
	};

	return cmocka_run_group_tests(tests, make_material, drop_material);
}
