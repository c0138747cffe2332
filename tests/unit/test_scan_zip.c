/*
 * test_scan_zip.c - the streaming zip lister (zip_names.h): STORED and
 * DEFLATED members, zips inside zips, data descriptors, the central
 * directory, bombs, caps, broken and hostile archives, in any chunking;
 * zips made by the real tools (data/zip/make.sh): zip64, the Unicode
 * Path field, zips behind other bytes, zip + zip, a zip in the comment,
 * containers inside that need the inspector
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scan_support.h"
#include "zip_names.h"

/* make_deflated_zip - one DEFLATED member named name whose content is
 * data; with a data descriptor (sizes 0 in the local header, then PK\7\8
 * + crc + sizes), followed by a STORED member "after.txt" and the
 * central directory */
static size_t
make_deflated_zip(unsigned char *out, size_t outcap, const char *name,
		  const unsigned char *data, size_t len, int descriptor)
{
	size_t nl = strlen(name), o = 0, c;
	unsigned char h[30] = { 'P', 'K', 3, 4, 20, 0 };

	h[6] = descriptor ? 8 : 0;
	h[8] = 8;                                     /* method: deflate */
	h[26] = (unsigned char)nl;
	o = 30 + nl;
	c = deflate_raw(data, len, out + o, outcap - o - 100);
	if (!descriptor) {
		h[18] = (unsigned char)c; h[19] = (unsigned char)(c >> 8);
		h[20] = (unsigned char)(c >> 16); h[21] = (unsigned char)(c >> 24);
		h[22] = (unsigned char)len; h[23] = (unsigned char)(len >> 8);
		h[24] = (unsigned char)(len >> 16); h[25] = (unsigned char)(len >> 24);
	}
	memcpy(out, h, 30);
	memcpy(out + 30, name, nl);
	o += c;
	if (descriptor) {
		memcpy(out + o, "PK\7\10\0\0\0\0\0\0\0\0\0\0\0\0", 16);
		o += 16;
	}
	{
		const char *an[] = { "after.txt" };
		const unsigned char *ad[] = { (const unsigned char *)"x" };
		size_t al[] = { 1 };
		o += make_zip(out + o, an, ad, al, 1, 0);
	}
	return o;
}

/* list_zip_in - the names (into z) and the anomaly bits of a zip fed in
 * chunks of chunk bytes, with the given limits */
static unsigned
list_zip_in(const unsigned char *d, size_t n, size_t chunk, unsigned max_depth,
	    unsigned max_entries, struct zseen *z)
{
	struct scan_zip_lister *zl;
	unsigned a;

	memset(z, 0, sizeof(*z));
	zl = scan_zip_lister_new(1, max_depth, max_entries, zrecord, z);
	assert_non_null(zl);
	FEED_CHUNKS(scan_zip_lister_feed, zl, d, n, chunk);
	a = scan_zip_lister_finish(zl);
	scan_zip_lister_free(&zl);
	return a;
}

/* list_zip - the names (into z) and the anomaly bits of a whole zip */
static unsigned
list_zip(const unsigned char *d, size_t n, struct zseen *z)
{
	return list_zip_in(d, n, n > 0 ? n : 1, 3, 100, z);
}

/* test_zip_deflated - zips inside zips, DEFLATED: with sizes in the
 * header or only in a data descriptor, fed whole and byte by byte; a
 * bomb; garbage */
static void
test_zip_deflated(void **state)
{
	static unsigned char inner[1024], outer[4096];
	const char *in_names[] = { "readme.txt", "payload.exe" };
	const unsigned char *in_data[] = { (const unsigned char *)"hello", (const unsigned char *)"MZ" };
	size_t in_lens[] = { 5, 2 }, ilen, olen;
	int descriptor, bytewise;
	struct zseen z;

	(void)state;
	ilen = make_zip(inner, in_names, in_data, in_lens, 2, 0);
	for (descriptor = 0; descriptor <= 1; descriptor++)
		for (bytewise = 0; bytewise <= 1; bytewise++) {
			olen = make_deflated_zip(outer, sizeof(outer), "Inner.ZIP", inner, ilen,
						 descriptor);
			assert_int_equal(list_zip_in(outer, olen, bytewise ? 1 : olen, 3, 100,
						     &z), 0);
			if (strcmp(z.all, "Inner.ZIP|readme.txt|payload.exe|after.txt|") != 0)
				fail_msg("descriptor=%d bytewise=%d: %s", descriptor, bytewise, z.all);
			assert_int_equal(z.maxdepth, 2);
		}
	/* deflated data that is not a zip: listed as a member, nothing inside */
	olen = make_deflated_zip(outer, sizeof(outer), "fake.zip",
				 (const unsigned char *)"just text, not a zip", 20, 0);
	assert_int_equal(list_zip(outer, olen, &z) & SCAN_LISTER_TOO_DEEP, 0);
	assert_string_equal(z.all, "fake.zip|after.txt|");
	/* broken deflate data with its size known: flagged, the rest listed */
	olen = make_deflated_zip(outer, sizeof(outer), "bad.zip", inner, ilen, 0);
	memset(outer + 30 + 7, 0xff, 8);                   /* BTYPE 11: invalid */
	assert_int_equal(list_zip(outer, olen, &z), SCAN_LISTER_BROKEN);
	assert_string_equal(z.all, "bad.zip|after.txt|");
}

/* test_zip_bomb - a nested zip whose one member claims 65 MiB of zeros:
 * inflating it is stopped at 64 MiB and flagged like a depth overflow */
static void
test_zip_bomb(void **state)
{
	size_t big = 65u << 20, ilen, olen;
	unsigned char *inner = calloc(1, big + 64), *outer = malloc(1u << 20);
	unsigned char h[30] = { 'P', 'K', 3, 4, 20, 0 };
	struct zseen z;

	(void)state;
	assert_non_null(inner);
	assert_non_null(outer);
	h[18] = h[22] = 0; h[19] = h[23] = 0;
	h[20] = h[24] = 0x10; h[21] = h[25] = 0x04;        /* 0x04100000 = 65 MiB */
	h[26] = 7;
	memcpy(inner, h, 30);
	memcpy(inner + 30, "big.bin", 7);
	ilen = 37 + big;
	olen = make_deflated_zip(outer, 1u << 20, "bomb.zip", inner, ilen, 0);
	assert_int_equal(list_zip(outer, olen, &z) & SCAN_LISTER_TOO_DEEP,
			 SCAN_LISTER_TOO_DEEP);
	assert_string_equal(z.all, "bomb.zip|big.bin|after.txt|");
	free(inner);
	free(outer);
}

/* test_zip - STORED zips: nested, capped, encrypted, cut, what the
 * central directory alone says, long names */
static void
test_zip(void **state)
{
	unsigned char inner[512], outer[1024], deep[2048];
	const char *in_names[] = { "readme.txt", "payload.exe" };
	const unsigned char *in_data[] = { (const unsigned char *)"hello", (const unsigned char *)"MZ" };
	size_t in_lens[] = { 5, 2 }, ilen, olen, dlen, k;
	const char *out_names[] = { "inner.zip" };
	const unsigned char *out_data[1];
	size_t out_lens[1];
	struct zseen z;

	(void)state;
	ilen = make_zip(inner, in_names, in_data, in_lens, 2, 0);
	out_data[0] = inner; out_lens[0] = ilen;
	olen = make_zip(outer, out_names, out_data, out_lens, 1, 0);
	/* byte by byte, as a stream */
	assert_int_equal(list_zip_in(outer, olen, 1, 3, 100, &z), 0);
	assert_string_equal(z.all, "inner.zip|readme.txt|payload.exe|");
	assert_int_equal(z.maxdepth, 2);
	/* the same with a depth limit of 1: the inner zip is not listed, flagged */
	assert_int_equal(list_zip_in(outer, olen, olen, 1, 100, &z), SCAN_LISTER_TOO_DEEP);
	assert_string_equal(z.all, "inner.zip|");
	/* encrypted members: names visible, flag set */
	dlen = make_zip(deep, in_names, in_data, in_lens, 2, 1);
	assert_int_equal(list_zip(deep, dlen, &z), 0);
	assert_string_equal(z.all, "readme.txt|payload.exe|");
	assert_int_equal(z.enc, 1);
	/* truncated inside a member: broken */
	assert_int_equal(list_zip(deep, 40, &z), SCAN_LISTER_BROKEN);
	/* entry cap */
	assert_int_equal(list_zip_in(deep, dlen, dlen, 3, 1, &z), SCAN_LISTER_TOO_MANY);
	assert_string_equal(z.all, "readme.txt|");
	/* what extractors that read the central directory still see: */
	{
		static unsigned char buf[4096];
		static const char *const one[] = { "invoice.pdf" }, *const cen[] = { "invoice.exe" };
		static const char *const late[] = { "late.exe" };
		static const unsigned char *const od[] = { (const unsigned char *)"%PDF" };
		static const size_t ol[] = { 4 };
		size_t o;

		/* a central name that no local header gave (local "invoice.pdf",
		 * central "invoice.exe"): reported too, once */
		o = make_zip(buf, one, od, ol, 1, 0);
		o -= 46 + strlen(one[0]) + 22;                    /* its central directory */
		o += central_dir(buf + o, cen, ol, 1, 0);
		assert_int_equal(list_zip(buf, o, &z), 0);
		assert_string_equal(z.all, "invoice.pdf|invoice.exe|");
		/* bytes that belong to no record between two members: the
		 * second is found */
		o = make_zip(buf, one, od, ol, 1, 0) - 46 - strlen(one[0]) - 22;
		memcpy(buf + o, "junk junk", 9);
		o += 9;
		o += make_zip(buf + o, late, od, ol, 1, 0);
		assert_int_equal(list_zip(buf, o, &z), 0);
		assert_string_equal(z.all, "invoice.pdf|late.exe|");
		/* a data descriptor after a member whose sizes are in its
		 * header too (bit 3 set): the next member is found */
		o = make_zip(buf, one, od, ol, 1, 0) - 46 - strlen(one[0]) - 22;
		buf[6] |= 8;
		memcpy(buf + o, "PK\7\10\0\0\0\0\4\0\0\0\4\0\0\0", 16);
		o += 16;
		o += make_zip(buf + o, late, od, ol, 1, 0);
		assert_int_equal(list_zip(buf, o, &z), 0);
		assert_string_equal(z.all, "invoice.pdf|late.exe|");
		/* the central directory cut inside an entry: broken */
		o = make_zip(buf, one, od, ol, 1, 0);
		assert_int_equal(list_zip(buf, o - 22 - 5, &z), SCAN_LISTER_BROKEN);
		/* a central directory alone (no local header): its names, broken */
		o = central_dir(buf, cen, ol, 1, 0);
		assert_int_equal(list_zip(buf, o, &z), SCAN_LISTER_BROKEN);
		assert_string_equal(z.all, "invoice.exe|");
	}
	/* a name of 3000 bytes: its last 1024 are kept, the extension too */
	{
		static char longname[3010];
		static unsigned char big[8192];
		const char *ln[] = { longname };
		memset(longname, 'n', 3000);
		strcpy(longname + 3000, ".exe");
		dlen = make_zip(big, ln, in_data, in_lens, 1, 0);
		for (k = 1; k <= 4096; k *= 8) {
			assert_int_equal(list_zip_in(big, dlen, k, 3, 100, &z), 0);
			assert_int_equal(strlen(z.last), 1024);
			assert_string_equal(z.last + 1020, ".exe");
		}
	}
}

/* the zips made by data/zip/make.sh with the real tools, and what the
 * lister reports; what 7-Zip 16.02, bsdtar 3.6.2 and unzip 6.0 list is
 * in the comment (all three alike unless said) */
static const struct zip_row {
	const char *name, *file;
	int finder;               /* scan_zip_lister_find_anywhere() */
	const char *want;
	unsigned anomalies;
} zip_rows[] = {
	{ "zip 3.0", "plain.zip", 0, "readme.txt|evil.exe|", 0 },
	{ "7z a -tzip", "sevenz.zip", 0, "evil.exe|readme.txt|", 0 },
	{ "zip -fz: zip64 extra fields, sizes 0xFFFFFFFF", "zip64.zip", 0,
	  "readme.txt|evil.exe|", 0 },
	{ "python force_zip64, DEFLATED, data descriptors", "pyzip64.zip", 0,
	  "big.txt|payload.scr|", 0 },
	/* all three show the Unicode Path name */
	{ "Unicode Path 0x7075, CRC of the header name", "unicode.zip", 0,
	  "invoice.pdf|facture\xc3\xa9.exe|", 0 },
	/* all three show invoice.pdf: reported anyway */
	{ "Unicode Path with a wrong CRC", "unicode_badcrc.zip", 0,
	  "invoice.pdf|facture\xc3\xa9.exe|", 0 },
	/* 7-Zip shows notes.txt, bsdtar and unzip the zip in the comment */
	{ "a zip in the end record's comment", "comment.zip", 0,
	  "notes.txt|readme.txt|evil.exe|", 0 },
	/* 7-Zip shows the first zip, bsdtar and unzip the second */
	{ "zip + zip", "concat.zip", 0,
	  "readme.txt|big.txt|payload.scr|", 0 },
	/* unzip lists nothing, 7-Zip and bsdtar both names */
	{ "cut inside the central directory", "trunc.zip", 0,
	  "readme.txt|evil.exe|", SCAN_LISTER_BROKEN },
	{ "JPEG + zip", "jpg_zip.jpg", 1, "readme.txt|evil.exe|", 0 },
	{ "JPEG + zip, offsets fixed (zip -A)", "jpg_zip_fixed.jpg", 1,
	  "readme.txt|evil.exe|", 0 },
	{ "PDF + zip", "pdf_zip.pdf", 1, "readme.txt|evil.exe|", 0 },
	{ "MZ stub + zip", "sfx.exe", 1, "evil.exe|readme.txt|", 0 },
	{ "MZ stub + zip, offsets fixed (zip -A)", "sfx_fixed.exe", 1,
	  "evil.exe|readme.txt|", 0 },
	{ "a zip at byte 0, with the finder", "plain.zip", 1,
	  "readme.txt|evil.exe|", 0 },
	{ "no zip in it, with the finder", "make.sh", 1, "", 0 },
	/* containers inside, by their first bytes */
	{ "an ISO in a zip", "iso_in.zip", 0, "img.iso|", SCAN_LISTER_NEEDS_INSPECT },
	{ "a 7z in a zip", "7z_in.zip", 0, "inner.7z|", SCAN_LISTER_NEEDS_INSPECT },
	{ "an xz in a zip", "xz_in.zip", 0, "evil.exe.xz|", SCAN_LISTER_NEEDS_INSPECT },
	{ "a .tgz in a zip", "tgz_in.zip", 0, "inner.tgz|", SCAN_LISTER_NEEDS_INSPECT },
	{ "a bzip2 member (7z -mm=BZip2)", "bzip2m.zip", 0, "numbers.txt|",
	  SCAN_LISTER_NEEDS_INSPECT },
	{ "JPEG + a zip holding an ISO", "jpg_iso_zip.jpg", 1, "img.iso|",
	  SCAN_LISTER_NEEDS_INSPECT },
	{ "zip + a zip holding a 7z", "concat_7z.zip", 0, "readme.txt|inner.7z|",
	  SCAN_LISTER_NEEDS_INSPECT },
	{ "a PPMd member (7z -mm=PPMd)", "ppmd.zip", 0, "numbers.txt|",
	  SCAN_LISTER_NEEDS_INSPECT },
	{ "a zip named .dat in a zip", "zip_as_dat.zip", 0,
	  "inner.dat|readme.txt|evil.exe|", 0 },
};

/* test_zip_material - every row at chunk sizes 1, 7, 4096 and whole */
static void
test_zip_material(void **state)
{
	static const size_t chunks[] = { 1, 7, 4096, 0 };
	size_t r, c, len;
	char path[512], *buf;

	(void)state;
	for (r = 0; r < sizeof(zip_rows) / sizeof(zip_rows[0]); r++) {
		const struct zip_row *w = &zip_rows[r];

		snprintf(path, sizeof(path), "%s/%s", ZIP_DATA, w->file);
		if (read_file(path, &buf, &len) < 0)
			fail_msg("%s: cannot read %s", w->name, path);
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			size_t chunk = chunks[c] ? chunks[c] : len;
			struct scan_zip_lister *zl;
			struct zseen z;
			unsigned a;

			memset(&z, 0, sizeof(z));
			zl = scan_zip_lister_new(1, 3, 100, zrecord, &z);
			assert_non_null(zl);
			if (w->finder)
				scan_zip_lister_find_anywhere(zl);
			FEED_CHUNKS(scan_zip_lister_feed, zl, (unsigned char *)buf, len, chunk);
			a = scan_zip_lister_finish(zl);
			scan_zip_lister_free(&zl);
			if (strcmp(z.all, w->want) != 0 || a != w->anomalies)
				fail_msg("%s (chunk %zu): '%s' anomalies %#x", w->name,
					 chunk, z.all, a);
		}
		free(buf);
	}
}

/* finder_list - what the finder reports in d[0..n) at chunk size chunk */
static unsigned
finder_list(const unsigned char *d, size_t n, size_t chunk, struct zseen *z)
{
	struct scan_zip_lister *zl;
	unsigned a;

	memset(z, 0, sizeof(*z));
	zl = scan_zip_lister_new(1, 3, 100, zrecord, z);
	assert_non_null(zl);
	scan_zip_lister_find_anywhere(zl);
	FEED_CHUNKS(scan_zip_lister_feed, zl, d, n, chunk);
	a = scan_zip_lister_finish(zl);
	scan_zip_lister_free(&zl);
	return a;
}

/* test_zip_finder - hostile bytes before a zip: a fake local header
 * whose name and extra field would swallow the real one, signatures
 * cut by chunk edges, a header that is not plausible */
static void
test_zip_finder(void **state)
{
	static unsigned char buf[8192];
	static const char *const nm[] = { "run.exe" };
	static const unsigned char *const dt[] = { (const unsigned char *)"MZ" };
	static const size_t ln[] = { 2 };
	static const size_t chunks[] = { 1, 2, 3, 5, 7, 4096 };
	unsigned char fake[30] = { 'P', 'K', 3, 4, 20, 0 };
	size_t o, c;
	struct zseen z;

	(void)state;
	fake[26] = 0x00; fake[27] = 0x04;         /* a name of 1024 bytes */
	fake[28] = 0xff; fake[29] = 0xff;         /* an extra field of 65535 */
	memcpy(buf, "GIF89a", 6);
	memcpy(buf + 6, fake, 30);
	o = 36 + 10;                              /* 10 bytes of its name */
	o += make_zip(buf + o, nm, dt, ln, 1, 0);
	memset(buf + o, 'x', 2000);               /* the rest of its "name" */
	o += 2000;
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		assert_int_equal(finder_list(buf, o, chunks[c], &z), 0);
		if (strcmp(z.all, "run.exe|") != 0)
			fail_msg("chunk %zu: '%s'", chunks[c], z.all);
	}
	/* an unknown method (300), a name of 0 bytes, a reserved flag bit,
	 * version 6.4 (as in code that compares with PK\3\4): no header */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 100, fake, 30);
	buf[108] = 0x2c; buf[109] = 0x01;
	memcpy(buf + 300, fake, 30);
	buf[326] = buf[327] = 0;
	memcpy(buf + 500, fake, 30);
	buf[507] = 0x02;                          /* flag bit 9 */
	memcpy(buf + 700, fake, 30);
	buf[704] = 64;
	assert_int_equal(finder_list(buf, 1000, 7, &z), 0);
	assert_string_equal(z.all, "");
	/* the header at 700 with version 6.3, a name of 1 byte and no extra
	 * field: a member */
	buf[704] = 63;
	buf[726] = 1; buf[727] = 0;
	buf[728] = buf[729] = 0;
	buf[730] = 'x';
	assert_int_equal(finder_list(buf, 1000, 7, &z), 0);
	assert_string_equal(z.all, "x|");
}

/* test_zip_probe_budget - 450 DEFLATED members of 40 KiB of zeros (18
 * MiB to inflate for their first bytes): past 16 MiB the members are
 * left to the inspector */
static void
test_zip_probe_budget(void **state)
{
	static unsigned char zeros[40960], comp[4096], *zip;
	size_t c, o = 0, i, n = 450;
	struct zseen z;

	(void)state;
	c = deflate_raw(zeros, sizeof(zeros), comp, sizeof(comp));
	zip = malloc(n * (30 + 12 + c));
	assert_non_null(zip);
	for (i = 0; i < n; i++) {
		unsigned char h[30] = { 'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0 };

		h[18] = (unsigned char)c; h[19] = (unsigned char)(c >> 8);
		h[23] = 0xa0;                              /* 40960 */
		h[26] = 12;
		memcpy(zip + o, h, 30);
		snprintf((char *)zip + o + 30, 13, "f%07zu.bin", i);
		memcpy(zip + o + 42, comp, c);
		o += 42 + c;
	}
	assert_int_equal(list_zip_in(zip, o, 4096, 3, 1000, &z), SCAN_LISTER_NEEDS_INSPECT);
	/* 400 of them: under the budget, nothing to inspect */
	assert_int_equal(list_zip_in(zip, 400 * (42 + c), 4096, 3, 1000, &z), 0);
	free(zip);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zip),
		cmocka_unit_test(test_zip_deflated),
		cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_zip_material),
		cmocka_unit_test(test_zip_finder),
		cmocka_unit_test(test_zip_probe_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
