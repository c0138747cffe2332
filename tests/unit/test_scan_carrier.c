/*
 * test_scan_carrier.c - carriers recognised by their first bytes
 * (carrier.h): one row per carrier made by the real tool at test time
 * (genisoimage, xorriso, mkudffs, mkfs.fat, 7z, xz, bzip2, zstd, lzip),
 * hand-built prefixes where Debian has no writer (RAR, VHD, VHDX, MBR,
 * GPT), and files that must not be taken for one (JPEG, PDF, text, an
 * exe with 55 AA at 510, zip, gzip)
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

#include "carrier.h"
#include "scan_support.h"

static char dir[] = "/tmp/test_scan_carrier.XXXXXX";
static unsigned char probe[SCAN_CARRIER_PROBE_BYTES];

/* read_probe - the first SCAN_CARRIER_PROBE_BYTES of dir/name */
static size_t
read_probe(const char *name)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(probe, 1, sizeof(probe), f);
	fclose(f);
	return n;
}

/* made_by_tools - each tool's output, probed as the walker does */
static void
made_by_tools(void **state)
{
	static const struct {
		const char *row, *cmd, *out;
		enum scan_carrier want;
	} rows[] = {
		{ "genisoimage plain", "genisoimage -quiet -o a.iso in", "a.iso", SCAN_CARRIER_ISO9660 },
		{ "xorriso joliet rock ridge", "xorriso -as mkisofs -quiet -J -R -o b.iso in 2>/dev/null",
		  "b.iso", SCAN_CARRIER_ISO9660 },
		{ "genisoimage udf bridge", "genisoimage -quiet -udf -o c.iso in", "c.iso", SCAN_CARRIER_UDF },
		{ "mkudffs", "truncate -s 2M u.img && mkudffs -b 2048 u.img >/dev/null", "u.img",
		  SCAN_CARRIER_UDF },
		{ "mkfs.fat 12", "mkfs.fat -C f12.img 1440 >/dev/null", "f12.img", SCAN_CARRIER_FAT },
		{ "mkfs.fat 32", "mkfs.fat -F 32 -C f32.img 40000 >/dev/null", "f32.img", SCAN_CARRIER_FAT },
		{ "7z", "7z a -bd a.7z in/x.exe >/dev/null", "a.7z", SCAN_CARRIER_7Z },
		{ "7z encrypted names", "7z a -bd -pX -mhe=on e.7z in/x.exe >/dev/null", "e.7z",
		  SCAN_CARRIER_7Z },
		{ "xz", "xz -c in/x.exe > x.exe.xz", "x.exe.xz", SCAN_CARRIER_XZ },
		{ "bzip2", "bzip2 -c in/x.exe > x.exe.bz2", "x.exe.bz2", SCAN_CARRIER_BZIP2 },
		{ "bzip2 of nothing", "bzip2 -c < /dev/null > empty.bz2", "empty.bz2", SCAN_CARRIER_BZIP2 },
		{ "zstd", "zstd -q -c in/x.exe > x.exe.zst", "x.exe.zst", SCAN_CARRIER_ZSTD },
		{ "lzip", "lzip -c in/x.exe > x.exe.lz", "x.exe.lz", SCAN_CARRIER_LZIP },
		{ "tar.xz", "tar -C in -cJf a.tar.xz x.exe", "a.tar.xz", SCAN_CARRIER_XZ },
		/* in-process formats are not carriers */
		{ "gzip", "gzip -c in/x.exe > x.exe.gz", "x.exe.gz", SCAN_CARRIER_NONE },
		{ "zip", "7z a -bd -tzip a.zip in/x.exe >/dev/null", "a.zip", SCAN_CARRIER_NONE },
		{ "tar", "tar -C in -cf a.tar x.exe", "a.tar", SCAN_CARRIER_NONE },
	};
	char cmd[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t n;

		snprintf(cmd, sizeof(cmd), "cd %s && %s", dir, rows[i].cmd);
		print_message("row %s\n", rows[i].row);
		assert_int_equal(system(cmd), 0);
		n = read_probe(rows[i].out);
		assert_int_equal(scan_carrier_detect(probe, n), rows[i].want);
	}
}

static void
put32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* mbr_sector - 55 AA and one partition of type t starting at 2048 */
static void
mbr_sector(unsigned char *d, unsigned char t)
{
	memset(d, 0, 1024);
	d[446 + 4] = t;
	put32(d + 446 + 8, 2048);
	put32(d + 446 + 12, 4096);
	d[510] = 0x55;
	d[511] = 0xAA;
}

/* S - a string literal and its length (NULs inside counted) */
#define S(lit) lit, sizeof(lit) - 1

/* hand_built - the formats without a writer in Debian, and look-alikes */
static void
hand_built(void **state)
{
	static unsigned char d[2048];
	static const struct { const char *row; const char *sig; size_t len; enum scan_carrier want; } rows[] = {
		{ "rar4", S("Rar!\x1A\x07\x00\xCF\x90\x73"), SCAN_CARRIER_RAR },
		{ "rar5", S("Rar!\x1A\x07\x01\x00\x33\x92"), SCAN_CARRIER_RAR },
		{ "rar too short", S("Rar!\x1A\x07"), SCAN_CARRIER_NONE },
		{ "vhd dynamic", S("conectix\0\0\0\2"), SCAN_CARRIER_VHD },
		{ "vhdx", S("vhdxfile\0\0"), SCAN_CARRIER_VHDX },
		{ "jpeg", S("\xFF\xD8\xFF\xE0\0\x10JFIF\0"), SCAN_CARRIER_NONE },
		{ "pdf", S("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), SCAN_CARRIER_NONE },
		{ "text", S("Hello,\r\nplease find the invoice.\r\n"), SCAN_CARRIER_NONE },
		{ "BZh text", S("BZh9 is not a stream"), SCAN_CARRIER_NONE },
		{ "LZIP version 0", S("LZIP\0\x0c"), SCAN_CARRIER_NONE },
		{ "empty", S(""), SCAN_CARRIER_NONE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memcpy(d, rows[i].sig, rows[i].len);
		print_message("row %s\n", rows[i].row);
		assert_int_equal(scan_carrier_detect(d, rows[i].len), rows[i].want);
	}
	mbr_sector(d, 0x07);
	assert_int_equal(scan_carrier_detect(d, 1024), SCAN_CARRIER_DISK);
	mbr_sector(d, 0xEE);
	memcpy(d + 512, "EFI PART", 8);
	assert_int_equal(scan_carrier_detect(d, 1024), SCAN_CARRIER_DISK);
	assert_int_equal(scan_carrier_detect(d, 511), SCAN_CARRIER_NONE);
}

/* exe_with_55aa - an MZ file with 55 AA at 510 is not a disk: its
 * "partition table" has status bytes other than 00/80, or no entry,
 * or an entry starting at sector 0 */
static void
exe_with_55aa(void **state)
{
	static unsigned char d[4096];
	size_t i;

	(void)state;
	memset(d, 0, sizeof(d));
	d[0] = 'M';
	d[1] = 'Z';
	for (i = 64; i < 510; i++)
		d[i] = (unsigned char)(i * 37 + 11);
	d[510] = 0x55;
	d[511] = 0xAA;
	assert_int_equal(scan_carrier_detect(d, sizeof(d)), SCAN_CARRIER_NONE);
	memset(d + 446, 0, 64);                       /* no entry used */
	assert_int_equal(scan_carrier_detect(d, sizeof(d)), SCAN_CARRIER_NONE);
	d[446 + 4] = 0x07;                            /* used, starts at 0 */
	assert_int_equal(scan_carrier_detect(d, sizeof(d)), SCAN_CARRIER_NONE);
}

/* names - every carrier has its word, NONE and out of range "" */
static void
names(void **state)
{
	(void)state;
	assert_string_equal(scan_carrier_name(SCAN_CARRIER_ISO9660), "iso9660");
	assert_string_equal(scan_carrier_name(SCAN_CARRIER_LZIP), "lzip");
	assert_string_equal(scan_carrier_name(SCAN_CARRIER_RAR), "rar");
	assert_string_equal(scan_carrier_name(SCAN_CARRIER_NONE), "");
	assert_string_equal(scan_carrier_name((enum scan_carrier)99), "");
}

static int
setup(void **state)
{
	(void)state;
	return work_dir_make(dir, "mkdir in && head -c 3000 /dev/urandom > in/x.exe");
}

static int
teardown(void **state)
{
	(void)state;
	return work_dir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(made_by_tools),
		cmocka_unit_test(hand_built),
		cmocka_unit_test(exe_with_55aa),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
