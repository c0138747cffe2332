/*
 * test_scan_tnef.c - the streaming TNEF (winmail.dat) name lister
 * (tnef_names.h): titles, MAPI long names in UTF-16, a zip inside, depth,
 * truncation and hostile streams, in any chunking; clam.exe from
 * Debian's clamav-testfiles
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
#include "tnef_names.h"

/* attribute - level, id, length, data, checksum (not checked: zeros) */
static void
attribute(struct abuf *b, unsigned level, unsigned long id, const void *data,
	  size_t n)
{
	unsigned char lv = (unsigned char)level;

	aput(b, &lv, 1);
	aput32(b, id);
	aput32(b, n);
	aput(b, data, n);
	aput(b, "\0\0", 2);
}

/* make_tnef - a TNEF stream: a message attribute, then one attachment
 * with an 8.3 title, MAPI properties (a PT_LONG, a named property, the
 * UTF-16 long file name) and data that is a STORED zip holding inner.vbs */
static size_t
make_tnef(struct abuf *b)
{
	static struct abuf props, zip;
	static const unsigned char guid[16] = { 1, 2, 3 };
	static const char *const zn[] = { "inner.vbs" };
	static const unsigned char *const zd[] = { (const unsigned char *)"x" };
	static const size_t zl[] = { 1 };
	/* "Rapport été.pdf.scr" in UTF-16LE, NUL-terminated */
	static const char *ascii_a = "Rapport ", *ascii_b = ".pdf.scr";
	unsigned char u16[64];
	size_t u = 0, i;

	for (i = 0; ascii_a[i]; i++) { u16[u++] = (unsigned char)ascii_a[i]; u16[u++] = 0; }
	u16[u++] = 0xe9; u16[u++] = 0; u16[u++] = 't'; u16[u++] = 0;
	u16[u++] = 0xe9; u16[u++] = 0;
	for (i = 0; ascii_b[i]; i++) { u16[u++] = (unsigned char)ascii_b[i]; u16[u++] = 0; }
	u16[u++] = 0; u16[u++] = 0;

	b->n = props.n = zip.n = 0;
	aput(b, SCAN_TNEF_SIGNATURE "\x01\x00", 6);
	attribute(b, 1, 0x00089006UL, "\0\0\1\0", 4);   /* attTnefVersion */
	attribute(b, 2, 0x00069002UL, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 14);
	attribute(b, 2, 0x00018010UL, "SHORT~1.EXE", 12); /* attAttachTitle */
	aput32(&props, 3);                              /* 3 properties */
	aput32(&props, 0x0E200003UL);                   /* PT_LONG size */
	aput32(&props, 1234);
	aput32(&props, 0x8001001FUL);                   /* named, by id */
	aput(&props, guid, 16);
	aput32(&props, 0);
	aput32(&props, 0x8501);
	aput32(&props, 1);
	aput32(&props, 2);
	aput(&props, "a\0\0\0", 4);                     /* padded to 4 */
	aput32(&props, 0x3707001FUL);                   /* PR_ATTACH_LONG_FILENAME */
	aput32(&props, 1);
	aput32(&props, u);
	aput(&props, u16, u);
	while (props.n % 4)
		aput(&props, "", 1);
	attribute(b, 2, 0x00069005UL, props.d, props.n); /* attAttachment */
	zip.n = make_zip(zip.d, zn, zd, zl, 1, 0);
	attribute(b, 2, 0x0006800FUL, zip.d, zip.n);    /* attAttachData */
	return b->n;
}

/* list_tnef_in - the names (into z) and the anomaly bits of a TNEF stream
 * fed in chunks of chunk bytes, with the given zip depth */
static unsigned
list_tnef_in(const unsigned char *d, size_t n, size_t chunk,
	     unsigned max_zip_depth, struct zseen *z)
{
	struct scan_tnef_lister *t;
	unsigned a;

	memset(z, 0, sizeof(*z));
	t = scan_tnef_lister_new(1, max_zip_depth, 100, zrecord, z);
	assert_non_null(t);
	FEED_CHUNKS(scan_tnef_lister_feed, t, d, n, chunk);
	a = scan_tnef_lister_finish(t);
	scan_tnef_lister_free(&t);
	return a;
}

/* list_tnef - the same with zips listed 3 deep */
static unsigned
list_tnef(const unsigned char *d, size_t n, size_t chunk, struct zseen *z)
{
	return list_tnef_in(d, n, chunk, 3, z);
}

/* test_tnef - a built stream in chunks of 1 to 4096 bytes, then damaged;
 * Debian's winmail.dat */
static void
test_tnef(void **state)
{
	static struct abuf b;
	size_t n = make_tnef(&b), chunk;
	struct zseen z;
	char *buf;
	size_t len;

	(void)state;
	for (chunk = 1; chunk <= 4096; chunk *= 8) {
		assert_int_equal(list_tnef(b.d, n, chunk, &z), 0);
		assert_string_equal(z.all, "SHORT~1.EXE|Rapport \xc3\xa9t\xc3\xa9.pdf.scr|inner.vbs|");
		assert_int_equal(z.maxdepth, 2);
	}
	/* a zip inside is one level deeper: with max_zip_depth 1, flagged */
	assert_int_equal(list_tnef_in(b.d, n, n, 1, &z), SCAN_LISTER_TOO_DEEP);
	/* truncated inside an attribute: broken, names so far kept */
	assert_int_equal(list_tnef(b.d, n - 20, 4096, &z), SCAN_LISTER_BROKEN);
	assert_non_null(strstr(z.all, "SHORT~1.EXE|"));
	/* not TNEF: broken, nothing listed */
	assert_int_equal(list_tnef((const unsigned char *)"PK\3\4 not tnef", 14, 4096, &z),
			 SCAN_LISTER_BROKEN);
	assert_string_equal(z.all, "");
	/* an attribute level that is not 1 or 2: stop there */
	b.d[6] = 7;
	assert_int_equal(list_tnef(b.d, n, 4096, &z), SCAN_LISTER_BROKEN);
	assert_string_equal(z.all, "");
	/* an attachment whose data is a 7z: its name, and NEEDS_INSPECT */
	{
		static struct abuf c;

		c.n = 0;
		aput(&c, "\x78\x9f\x3e\x22\0\0", 6);
		attribute(&c, 2, 0x00018010UL, "evil.7z", 8);      /* attAttachTitle */
		attribute(&c, 2, 0x0006800FUL, "7z\xbc\xaf\x27\x1c\0\4rest", 12);
		for (chunk = 1; chunk <= 4096; chunk *= 8) {
			assert_int_equal(list_tnef(c.d, c.n, chunk, &z),
					 SCAN_LISTER_NEEDS_INSPECT);
			assert_string_equal(z.all, "evil.7z|");
		}
	}
	/* Debian's clamav-testfiles: clam.exe inside winmail.dat */
	if (read_file("/usr/share/clamav-testfiles/clam.tnef", &buf, &len) < 0)
		skip();          /* package clamav-testfiles (tests/run installs it) */
	assert_int_equal(list_tnef((unsigned char *)buf, len, 7, &z), 0);
	free(buf);
	assert_string_equal(z.all, "clam.exe|clam.exe|");
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tnef),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
