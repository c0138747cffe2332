/*
 * test_scan_arc.c - the streaming tar, gzip and cabinet lister
 * (arc_names.h): ustar, GNU and pax names, bad checksums, zips inside,
 * .tar.gz and concatenated gzip members, bombs, cabinets, caps and
 * truncation, in any chunking; clam.exe from Debian's clamav-testfiles;
 * material made by the real tools (data/arc/make.sh): V7 tars, gzip
 * without a stored name, containers inside
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arc_names.h"
#include "scan_support.h"

/* list_arc_in - the names (into z) and the anomaly bits of an archive
 * fed in chunks of chunk bytes, with the given limits */
static unsigned
list_arc_in(enum scan_arc_format f, const unsigned char *d, size_t n,
	    size_t chunk, unsigned max_zip_depth, unsigned max_entries,
	    struct zseen *z)
{
	struct scan_arc_lister *a;
	unsigned r;

	memset(z, 0, sizeof(*z));
	a = scan_arc_lister_new(f, 1, max_zip_depth, max_entries, zrecord, z);
	assert_non_null(a);
	FEED_CHUNKS(scan_arc_lister_feed, a, d, n, chunk);
	r = scan_arc_lister_finish(a);
	scan_arc_lister_free(&a);
	return r;
}

/* list_arc - the same with zips inside listed 2 deep */
static unsigned
list_arc(enum scan_arc_format f, const unsigned char *d, size_t n, size_t chunk,
	 unsigned max_entries, struct zseen *z)
{
	return list_arc_in(f, d, n, chunk, 2, max_entries, z);
}


/* test_tar - a built tar (every kind of name) in any chunking, then cut,
 * capped, damaged; a long name; a zip inside */
static void
test_tar(void **state)
{
	static struct abuf b;
	static const size_t chunks[] = { 1, 7, 511, 512, 513, 4096, 65536 };
	struct zseen z;
	size_t i;
	char longname[3100];

	(void)state;
	make_tar(&b);
	assert_int_equal(scan_arc_detect(b.d, SCAN_ARC_DETECT_BYTES), SCAN_ARC_TAR);
	assert_int_equal(scan_arc_detect(b.d, SCAN_ARC_DETECT_BYTES - 1), SCAN_ARC_NONE);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		if (list_arc(SCAN_ARC_TAR, b.d, b.n, chunks[i], 100, &z) != 0 ||
		    strcmp(z.all, TAR_WANT) != 0)
			fail_msg("chunk %zu: '%s'", chunks[i], z.all);
	}
	/* without the end blocks, ending between members: complete */
	assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, b.n - 1024, 4096, 100, &z), 0);
	/* truncated inside a member's data: broken, what came before listed */
	assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, 512 + 3, 4096, 100, &z),
			 SCAN_LISTER_BROKEN);
	assert_string_equal(z.all, "docs/readme.txt|");
	/* entry cap */
	assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, b.n, 4096, 2, &z),
			 SCAN_LISTER_TOO_MANY);
	assert_string_equal(z.all, "docs/readme.txt|" TAR_WANT_2 "|");
	/* a bad checksum (the GNU long name's header): broken, and, as GNU
	 * tar does, the next blocks are searched for a header: the long name
	 * is lost, the members after it are listed */
	b.d[1024 + 148] ^= 1;
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, b.n, chunks[i], 100, &z),
				 SCAN_LISTER_BROKEN);
		assert_string_equal(z.all, "docs/readme.txt|dddddddd/invoice.pdf|"
				    "photos/\xc3\xa9t\xc3\xa9.scr|very/long/dir/run.vbs|link.com|");
	}
	/* a GNU long name longer than the kept 1024 bytes keeps its end */
	b.n = 0;
	memset(longname, 'x', 3000);
	strcpy(longname + 3000, ".exe");
	tar_entry(&b, "././@LongLink", 'L', NULL, longname, 3005, 1);
	tar_entry(&b, "xxx", '0', NULL, "", 0, 1);
	assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, b.n, 100, 100, &z), 0);
	assert_int_equal(strlen(z.last), 1024);
	assert_string_equal(z.last + 1024 - 4, ".exe");
	/* a zip inside (listed at depth 2), then a member after it */
	{
		static const char *const zn[] = { "readme.txt", "payload.exe" };
		static const unsigned char *const zd[] = { (const unsigned char *)"hi",
							   (const unsigned char *)"MZ" };
		static const size_t zl[] = { 2, 2 };
		unsigned char zip[512];
		size_t zlen = make_zip(zip, zn, zd, zl, 2, 0);
		static const unsigned char zero[1024];

		b.n = 0;
		tar_entry(&b, "Docs.ZIP", '0', NULL, (const char *)zip, zlen, 0);
		tar_entry(&b, "after.txt", '0', NULL, "x", 1, 0);
		aput(&b, zero, sizeof(zero));
		for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
			assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, b.n, chunks[i], 100, &z),
					 0);
			assert_string_equal(z.all, "Docs.ZIP|readme.txt|payload.exe|after.txt|");
			assert_int_equal(z.maxdepth, 2);
		}
		/* no deeper than max_zip_depth: not listed, flagged */
		assert_int_equal(list_arc_in(SCAN_ARC_TAR, b.d, b.n, b.n, 1, 100, &z),
				 SCAN_LISTER_TOO_DEEP);
		assert_string_equal(z.all, "Docs.ZIP|after.txt|");
		/* truncated inside the zip: broken */
		assert_int_equal(list_arc(SCAN_ARC_TAR, b.d, 512 + 40, 4096, 100, &z),
				 SCAN_LISTER_BROKEN);
	}
}

/* test_gzip - the tar gzipped, with and without a name, in concatenated
 * members, cut, with trailing garbage; one file; not deflate; a bomb */
static void
test_gzip(void **state)
{
	static struct abuf b;
	static unsigned char gz[70000];
	static const size_t chunks[] = { 1, 13, 4096 };
	unsigned char *zeros;
	struct zseen z;
	size_t n, i;
	char want[1024];

	(void)state;
	make_tar(&b);
	n = gzip(b.d, b.n, "bundle.tar", gz, sizeof(gz));
	assert_int_equal(scan_arc_detect(gz, 3), SCAN_ARC_GZIP);
	snprintf(want, sizeof(want), "bundle.tar|%s", TAR_WANT);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		if (list_arc(SCAN_ARC_GZIP, gz, n, chunks[i], 100, &z) != 0 ||
		    strcmp(z.all, want) != 0)
			fail_msg("chunk %zu: '%s'", chunks[i], z.all);
	}
	/* no name in the header (gzip -n, tar czf): the members only */
	n = gzip(b.d, b.n, NULL, gz, sizeof(gz));
	assert_int_equal(list_arc(SCAN_ARC_GZIP, gz, n, 4096, 100, &z), 0);
	assert_string_equal(z.all, TAR_WANT);
	/* truncated: broken */
	assert_int_equal(list_arc(SCAN_ARC_GZIP, gz, n / 2, 4096, 100, &z),
			 SCAN_LISTER_BROKEN);
	/* the tar split over two concatenated gzip members (gzip(1) reads
	 * them as one stream): all listed; trailing garbage ignored; the
	 * second member truncated: broken */
	{
		static unsigned char two[140000];
		size_t n1 = gzip(b.d, 1536, "bundle.tar", two, sizeof(two));
		size_t n2 = gzip(b.d + 1536, b.n - 1536, NULL, two + n1, sizeof(two) - n1);

		for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
			if (list_arc(SCAN_ARC_GZIP, two, n1 + n2, chunks[i], 100, &z) != 0 ||
			    strcmp(z.all, want) != 0)
				fail_msg("two members, chunk %zu: '%s'", chunks[i], z.all);
		}
		memcpy(two + n1 + n2, "garbage", 7);
		assert_int_equal(list_arc(SCAN_ARC_GZIP, two, n1 + n2 + 7, 4096, 100, &z),
				 0);
		assert_string_equal(z.all, want);
		assert_int_equal(list_arc(SCAN_ARC_GZIP, two, n1 + n2 / 2, 4096, 100, &z),
				 SCAN_LISTER_BROKEN);
		/* cut right after the first member: what came so far is a
		 * whole gzip stream, but the tar inside ends in a member */
		assert_int_equal(list_arc(SCAN_ARC_GZIP, two, n1, 4096, 100, &z),
				 SCAN_LISTER_BROKEN);
	}
	/* one compressed file, not a tar: its name */
	n = gzip((const unsigned char *)"MZ not a tar", 12, "notes.scr", gz, sizeof(gz));
	assert_int_equal(list_arc(SCAN_ARC_GZIP, gz, n, 5, 100, &z), 0);
	assert_string_equal(z.all, "notes.scr|");
	/* not deflate data after a gzip header: broken */
	assert_int_equal(list_arc(SCAN_ARC_GZIP, (const unsigned char *)"\x1f\x8b\x08\0\0\0\0\0\0\3garbage!",
				  18, 4096, 100, &z), SCAN_LISTER_BROKEN);
	/* a bomb: a tar whose first member is 200 MiB of zeros (about 200 KiB
	 * compressed), a second member behind it: stopped, flagged */
	zeros = calloc((200u << 20) + 2048, 1);
	assert_non_null(zeros);
	tar_header(zeros, "zeros.bin", '0', NULL, 200u << 20, 0);
	tar_header(zeros + 512 + (200u << 20), "late.exe", '0', NULL, 0, 0);
	{
		unsigned char *big = malloc(1u << 20);
		assert_non_null(big);
		n = gzip(zeros, (200u << 20) + 2048, NULL, big, 1u << 20);
		assert_int_equal(list_arc(SCAN_ARC_GZIP, big, n, 65536, 100, &z) &
				 SCAN_LISTER_TOO_DEEP, SCAN_LISTER_TOO_DEEP);
		assert_string_equal(z.all, "zeros.bin|");
		/* not a bomb: what it says on a tenth of it (20 MiB in 20 KiB) */
		tar_header(zeros + 512 + (20u << 20), "late.exe", '0', NULL, 0, 0);
		tar_header(zeros, "zeros.bin", '0', NULL, 20u << 20, 0);
		n = gzip(zeros, (20u << 20) + 2048, NULL, big, 1u << 20);
		assert_int_equal(list_arc(SCAN_ARC_GZIP, big, n, 65536, 100, &z), 0);
		assert_string_equal(z.all, "zeros.bin|late.exe|");
		free(big);
	}
	free(zeros);
}

/* test_cab - a built cabinet in any chunking, cut, damaged; Debian's
 * clam.cab and clam.tar.gz */
static void
test_cab(void **state)
{
	static struct abuf b;
	static const size_t chunks[] = { 1, 7, 4096 };
	unsigned char h[36], folder[8];
	struct zseen z;
	size_t i;
	char *buf;
	size_t len;
	static const struct { unsigned long size; const char *name; } files[] = {
		{ 5, "a.txt" }, { 7, "setup\\b.exe" },
	};

	(void)state;
	b.n = 0;
	memset(h, 0, sizeof(h));
	memcpy(h, "MSCF", 4);
	h[16] = 36 + 8;                  /* coffFiles: after one CFFOLDER */
	h[24] = 3; h[25] = 1;
	h[26] = 1;                       /* cFolders */
	h[28] = 2;                       /* cFiles */
	aput(&b, h, sizeof(h));
	memset(folder, 0, sizeof(folder));
	aput(&b, folder, sizeof(folder));
	for (i = 0; i < 2; i++) {
		unsigned char f[16];
		memset(f, 0, sizeof(f));
		f[0] = (unsigned char)files[i].size;
		aput(&b, f, sizeof(f));
		aput(&b, files[i].name, strlen(files[i].name) + 1);
	}
	aput(&b, "data data data", 14);
	assert_int_equal(scan_arc_detect(b.d, 8), SCAN_ARC_CAB);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		if (list_arc(SCAN_ARC_CAB, b.d, b.n, chunks[i], 100, &z) != 0 ||
		    strcmp(z.all, "a.txt|setup\\b.exe|") != 0)
			fail_msg("chunk %zu: '%s'", chunks[i], z.all);
	}
	/* truncated inside the names: broken, the first listed */
	assert_int_equal(list_arc(SCAN_ARC_CAB, b.d, 36 + 8 + 16 + 6 + 16 + 3, 4096, 100, &z),
			 SCAN_LISTER_BROKEN);
	assert_string_equal(z.all, "a.txt|");
	/* coffFiles inside the header: broken */
	b.d[16] = 20;
	assert_int_equal(list_arc(SCAN_ARC_CAB, b.d, b.n, 4096, 100, &z),
			 SCAN_LISTER_BROKEN);
	assert_string_equal(z.all, "");
	/* Debian's clamav-testfiles: clam.exe in a cabinet and a .tar.gz */
	if (read_file("/usr/share/clamav-testfiles/clam.cab", &buf, &len) < 0)
		skip();          /* package clamav-testfiles (tests/run installs it) */
	assert_int_equal(list_arc(SCAN_ARC_CAB, (unsigned char *)buf, len, 3, 100, &z), 0);
	assert_string_equal(z.all, "clam.exe|");
	free(buf);
	if (read_file("/usr/share/clamav-testfiles/clam.tar.gz", &buf, &len) < 0)
		skip();
	assert_int_equal(list_arc(SCAN_ARC_GZIP, (unsigned char *)buf, len, 3, 100, &z), 0);
	assert_string_equal(z.all, "clam.exe|");
	free(buf);
}

/* the walker opens tar, .tar.gz and cab attachments, whatever their name */

/* the tars and gzips made by data/arc/make.sh with the real tools, under
 * the attachment name they arrive with; what 7-Zip 16.02 and gunzip
 * extract is in the comment */
static const struct arc_row {
	const char *name, *file, *attachment, *want;
	unsigned anomalies;
} arc_rows[] = {
	{ "tar --format=v7", "v7.tar", "v7.tar", "readme.txt|Facture.exe|", 0 },
	{ "a V7 tar in gzip -n", "v7.tar.gz", "v7.tar.gz", "readme.txt|Facture.exe|", 0 },
	/* 7-Zip and gunzip: Facture.exe */
	{ "gzip -n: named after the attachment", "Facture.exe.gz", "Facture.exe.gz",
	  "Facture.exe|", 0 },
	{ "gzip -n: upper case suffix", "Facture.exe.gz", "Facture.exe.GZ",
	  "Facture.exe|", 0 },
	{ "gzip -n: no attachment name", "Facture.exe.gz", "", "", 0 },
	{ "gzip -n: no known suffix", "Facture.exe.gz", "Facture.exe.bin", "", 0 },
	/* 7-Zip: Named.pdf; gunzip: Other.txt (gunzip -N: Named.pdf) */
	{ "a stored name and the attachment's", "Other.txt.gz", "Other.txt.gz",
	  "Named.pdf|Other.txt|", 0 },
	{ "the stored name is the attachment's", "Other.txt.gz", "Named.pdf.gz",
	  "Named.pdf|", 0 },
	{ "harmless: notes.exe.txt", "notes.exe.txt.gz", "notes.exe.txt.gz",
	  "notes.exe.txt|", 0 },
	/* containers inside, by their first bytes */
	{ "an ISO in a .tar.gz", "iso.tar.gz", "iso.tar.gz", "img.iso|",
	  SCAN_LISTER_NEEDS_INSPECT },
	{ "an ISO in a gzip", "img.iso.gz", "img.iso.gz", "img.iso|",
	  SCAN_LISTER_NEEDS_INSPECT },
	{ "a zip in a gzip", "inner.zip.gz", "inner.zip.gz", "inner.zip|",
	  SCAN_LISTER_NEEDS_INSPECT },
	{ "a 7z in a tar", "7z.tar", "7z.tar", "inner.7z|", SCAN_LISTER_NEEDS_INSPECT },
	{ "a zip named .bin in a tar", "zipbin.tar", "zipbin.tar",
	  "inner.bin|Facture.exe|", 0 },
};

/* test_arc_material - every row at chunk sizes 1, 7, 4096 and whole */
static void
test_arc_material(void **state)
{
	static const size_t chunks[] = { 1, 7, 4096, 0 };
	size_t r, c, len;
	char path[512], *buf;

	(void)state;
	for (r = 0; r < sizeof(arc_rows) / sizeof(arc_rows[0]); r++) {
		const struct arc_row *w = &arc_rows[r];
		enum scan_arc_format f;

		snprintf(path, sizeof(path), "%s/%s", ARC_DATA, w->file);
		if (read_file(path, &buf, &len) < 0)
			fail_msg("%s: cannot read %s", w->name, path);
		f = scan_arc_detect((unsigned char *)buf, len);
		assert_int_not_equal(f, SCAN_ARC_NONE);
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			size_t chunk = chunks[c] ? chunks[c] : len;
			struct scan_arc_lister *a;
			struct zseen z;
			unsigned an;

			memset(&z, 0, sizeof(z));
			a = scan_arc_lister_new(f, 1, 3, 100, zrecord, &z);
			assert_non_null(a);
			scan_arc_lister_set_name(a, w->attachment);
			FEED_CHUNKS(scan_arc_lister_feed, a, (unsigned char *)buf, len, chunk);
			an = scan_arc_lister_finish(a);
			scan_arc_lister_free(&a);
			if (strcmp(z.all, w->want) != 0 || an != w->anomalies)
				fail_msg("%s (chunk %zu): '%s' anomalies %#x", w->name,
					 chunk, z.all, an);
		}
		free(buf);
	}
}

/* test_v7_detect - a V7 header is a tar only when its checksum holds */
static void
test_v7_detect(void **state)
{
	unsigned char h[512];
	char *buf;
	size_t len;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/v7.tar", ARC_DATA);
	assert_int_equal(read_file(path, &buf, &len), 0);
	memcpy(h, buf, sizeof(h));
	free(buf);
	assert_int_equal(scan_arc_detect(h, sizeof(h)), SCAN_ARC_TAR);
	h[0] ^= 1;                                   /* the checksum fails */
	assert_int_equal(scan_arc_detect(h, sizeof(h)), SCAN_ARC_NONE);
	memset(h, 0, sizeof(h));                     /* zeros: not a tar */
	assert_int_equal(scan_arc_detect(h, sizeof(h)), SCAN_ARC_NONE);
	memset(h, ' ', sizeof(h));                   /* text: not a tar */
	assert_int_equal(scan_arc_detect(h, sizeof(h)), SCAN_ARC_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tar),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_cab),
		cmocka_unit_test(test_arc_material),
		cmocka_unit_test(test_v7_detect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
