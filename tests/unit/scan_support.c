/*
 * scan_support.c - archives built in memory and other helpers of the
 * scanner's unit tests (see scan_support.h)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <dirent.h>
#include <zlib.h>

#include "scan.h"
#include "scan_support.h"

/* zrecord - one reported member name */
void
zrecord(void *ctx, const char *name, unsigned long long size, int enc,
	unsigned depth)
{
	struct zseen *z = ctx;
	size_t l = strlen(z->all);

	(void)size;
	snprintf(z->all + l, sizeof(z->all) - l, "%s|", name);
	snprintf(z->last, sizeof(z->last), "%s", name);
	z->enc |= enc;
	if (depth > z->maxdepth)
		z->maxdepth = depth;
}

/* aput - append bytes */
void
aput(struct abuf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->d));
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

/* aput32 - append a little-endian 32-bit integer */
void
aput32(struct abuf *b, unsigned long v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	aput(b, x, 4);
}

/* central_dir - the central directory of stored entries, and the end
 * record */
size_t
central_dir(unsigned char *out, const char *const *names, const size_t *lens,
	    size_t n, int encrypted)
{
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);
		unsigned char c[46] = { 'P', 'K', 1, 2, 20, 0, 20, 0 };
		c[8] = encrypted ? 1 : 0;
		c[20] = (unsigned char)lens[i]; c[21] = (unsigned char)(lens[i] >> 8);
		c[24] = (unsigned char)lens[i]; c[25] = (unsigned char)(lens[i] >> 8);
		c[28] = (unsigned char)nl; c[29] = (unsigned char)(nl >> 8);
		memcpy(out + o, c, 46); o += 46;
		memcpy(out + o, names[i], nl); o += nl;
	}
	memcpy(out + o, "PK\5\6\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22);
	return o + 22;
}

/* make_zip - a STORED zip with the given members, built in memory */
size_t
make_zip(unsigned char *out, const char *const *names,
	 const unsigned char *const *datas, const size_t *lens, size_t n,
	 int encrypted)
{
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);
		unsigned char h[30] = { 'P', 'K', 3, 4, 20, 0 };
		h[6] = encrypted ? 1 : 0;
		h[18] = (unsigned char)lens[i]; h[19] = (unsigned char)(lens[i] >> 8);
		h[22] = (unsigned char)lens[i]; h[23] = (unsigned char)(lens[i] >> 8);
		h[26] = (unsigned char)nl; h[27] = (unsigned char)(nl >> 8);
		memcpy(out + o, h, 30); o += 30;
		memcpy(out + o, names[i], nl); o += nl;
		memcpy(out + o, datas[i], lens[i]); o += lens[i];
	}
	return o + central_dir(out + o, names, lens, n, encrypted);
}

/* deflate_raw - raw deflate of in (as zip's method 8 stores it) */
size_t
deflate_raw(const unsigned char *in, size_t inlen, unsigned char *out,
	    size_t outcap)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)inlen;
	zs.next_out = out;
	zs.avail_out = (uInt)outcap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return outcap - zs.avail_out;
}

/* tar_header - a 512-byte header (POSIX ustar, or GNU) */
void
tar_header(unsigned char *h, const char *name, char type, const char *prefix,
	   size_t n, int gnu)
{
	unsigned sum = 0;
	size_t i;

	memset(h, 0, 512);
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	{
		char num[32];
		snprintf(num, sizeof(num), "%011lo", (unsigned long)n & 077777777777UL);
		memcpy(h + 124, num, 12);
	}
	memcpy(h + 136, "14712345670", 12);
	h[156] = (unsigned char)type;
	if (gnu)
		memcpy(h + 257, "ustar  ", 8);
	else
		memcpy(h + 257, "ustar\0" "00", 8);
	if (prefix != NULL)
		memcpy(h + 345, prefix, strlen(prefix));
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	{
		char num[32];
		snprintf(num, sizeof(num), "%06o", sum & 0777777u);
		memcpy(h + 148, num, 7);
	}
}

/* tar_entry - a header, its data, the padding */
void
tar_entry(struct abuf *b, const char *name, char type, const char *prefix,
	  const char *data, size_t n, int gnu)
{
	unsigned char h[512];
	static const unsigned char zero[512];

	tar_header(h, name, type, prefix, n, gnu);
	aput(b, h, 512);
	aput(b, data, n);
	aput(b, zero, (512 - n % 512) % 512);
}

/* make_tar - the tar whose names are TAR_WANT */
void
make_tar(struct abuf *b)
{
	char longname[200], pax[64];
	static const unsigned char zero[1024];

	b->n = 0;
	tar_entry(b, "docs/readme.txt", '0', NULL, "hello", 5, 0);
	memset(longname, 'd', 152);
	strcpy(longname + 152, "/invoice.pdf.exe");
	tar_entry(b, "././@LongLink", 'L', NULL, longname, strlen(longname) + 1, 1);
	tar_entry(b, "dddddddd/invoice.pdf", '0', NULL, "%PDF", 4, 1);
	snprintf(pax, sizeof(pax), "%d path=photos/\xc3\xa9t\xc3\xa9.scr\n", 25);
	assert_int_equal(strlen(pax), 25);
	tar_entry(b, "PaxHeaders/x", 'x', NULL, pax, strlen(pax), 0);
	tar_entry(b, "photos/ete.txt", '0', NULL, "x", 1, 0);
	tar_entry(b, "run.vbs", '0', "very/long/dir", "y", 1, 0);
	tar_entry(b, "dir/", '5', NULL, "", 0, 0);
	tar_entry(b, "link.com", '2', NULL, "", 0, 0);
	aput(b, zero, sizeof(zero));
}

/* gzip - d compressed with a gzip header naming it fname (or none) */
size_t
gzip(const unsigned char *d, size_t n, const char *fname, unsigned char *out,
     size_t cap)
{
	z_stream zs;
	gz_header h;

	memset(&zs, 0, sizeof(zs));
	memset(&h, 0, sizeof(h));
	assert_int_equal(deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	h.name = (unsigned char *)fname;
	assert_int_equal(deflateSetHeader(&zs, &h), Z_OK);
	zs.next_in = (unsigned char *)d;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	n = zs.total_out;
	deflateEnd(&zs);
	return n;
}

/* read_file - a whole file into a malloc'ed buffer */
int
read_file(const char *path, char **buf, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (fp == NULL)
		return -1;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	*buf = malloc((size_t)n + 1);
	*len = fread(*buf, 1, (size_t)n, fp);
	fclose(fp);
	return 0;
}

/* base64_lines - base64 in lines of 76, each ended by eol */
size_t
base64_lines(const unsigned char *d, size_t n, const char *eol, char *out)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0, col = 0, el = strlen(eol);

	for (i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)d[i] << 16 |
				  (i + 1 < n ? (unsigned long)d[i + 1] << 8 : 0) |
				  (i + 2 < n ? d[i + 2] : 0);
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? a[v & 63] : '=';
		if ((col += 4) == 76 || i + 3 >= n) {
			memcpy(out + o, eol, el);
			o += el;
			col = 0;
		}
	}
	out[o] = '\0';
	return o;
}

/* open_fds - the entries of /proc/self/fd (with "." and "..") */
unsigned
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* work_dir_make - a new directory, material made in it by cmd */
int
work_dir_make(char *tmpl, const char *cmd)
{
	char line[8192];

	if (mkdtemp(tmpl) == NULL)
		return -1;
	if (cmd == NULL)
		return 0;
	if (snprintf(line, sizeof(line), "cd %s && %s", tmpl, cmd) >= (int)sizeof(line))
		return -1;
	return system(line) == 0 ? 0 : -1;
}

/* work_dir_remove - the directory and what is in it */
int
work_dir_remove(const char *dir)
{
	char line[1024];

	snprintf(line, sizeof(line), "rm -rf %s", dir);
	return system(line) == 0 ? 0 : -1;
}

/* walk_message - a message through a walker, in chunks */
unsigned
walk_message(const char *msg, size_t len, size_t chunk, unsigned max_depth,
	     unsigned max_parts, void (*cb)(void *, const struct scan_file *),
	     void *ctx, unsigned *files)
{
	struct scan_limits lim;
	struct scan_summary sum;
	struct mg_error err;
	struct scan_walker *s;

	scan_limits_default(&lim);
	lim.magic = 0;
	if (max_depth) lim.max_depth = max_depth;
	if (max_parts) lim.max_parts = max_parts;
	s = scan_walker_new(&lim, cb, ctx, &err);
	assert_non_null(s);
	FEED_CHUNKS(scan_walker_feed, s, msg, len, chunk);
	scan_walker_finish(s, &sum);
	*files = sum.files;
	assert_true(sum.parts >= 1);
	scan_walker_free(&s);
	return sum.anomalies;
}
