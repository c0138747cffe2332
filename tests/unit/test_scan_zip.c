/*
 * test_scan_zip.c - the streaming zip lister (zip_names.h): STORED and
 * DEFLATED members, zips inside zips, data descriptors, the central
 * directory, bombs, caps, broken and hostile archives, in any chunking
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zip),
		cmocka_unit_test(test_zip_deflated),
		cmocka_unit_test(test_zip_bomb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
