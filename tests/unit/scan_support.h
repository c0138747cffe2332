/*
 * scan_support.h - what the scanner's unit tests (test_scan_*.c) share
 *
 * Archives built in memory (zip, tar, gzip), a byte buffer to build
 * them in, the recorder of the names a lister reports, and reading a
 * file of test material.  Helpers fail the running test (cmocka) when
 * what they build does not fit.
 */
#ifndef SCAN_SUPPORT_H
#define SCAN_SUPPORT_H

#include <stddef.h>

/* FEED_CHUNKS - feed(obj, d + o, k) over d[0..n) in pieces of chunk bytes
 * (the last one shorter): the listers and the walker in any chunking */
#define FEED_CHUNKS(feed, obj, d, n, chunk) do {				\
		size_t o_;							\
		for (o_ = 0; o_ < (n); o_ += (chunk))				\
			feed((obj), (d) + o_,					\
			     (n) - o_ < (chunk) ? (n) - o_ : (chunk));		\
	} while (0)

/* ---- what a lister reported ------------------------------------------- */

struct zseen {
	char all[1024];          /* "name|name|..." */
	int enc;                 /* some member was encrypted */
	unsigned maxdepth;       /* the deepest member */
	char last[1100];         /* the last name, whole */
};

/* zrecord - a scan_member_fn appending to the struct zseen in ctx */
void zrecord(void *ctx, const char *name, unsigned long long size, int enc,
	     unsigned depth);

/* ---- a buffer to build in --------------------------------------------- */

struct abuf { unsigned char d[65536]; size_t n; };

/* aput - append n bytes; aput32 - a little-endian 32-bit integer */
void aput(struct abuf *b, const void *p, size_t n);
void aput32(struct abuf *b, unsigned long v);

/* ---- zip --------------------------------------------------------------- */

/* central_dir - the central directory of STORED entries (sizes lens) and
 * the end record, into out; returns its length */
size_t central_dir(unsigned char *out, const char *const *names,
		   const size_t *lens, size_t n, int encrypted);
/* make_zip - a STORED zip of n members (names, datas, lens) with its
 * central directory, into out; returns its length */
size_t make_zip(unsigned char *out, const char *const *names,
		const unsigned char *const *datas, const size_t *lens, size_t n,
		int encrypted);

/* deflate_raw - in deflated without header (zip's method 8), into out;
 * returns the compressed length */
size_t deflate_raw(const unsigned char *in, size_t inlen, unsigned char *out,
		   size_t outcap);

/* ---- tar and gzip ------------------------------------------------------ */

/* tar_header - a 512-byte header (POSIX ustar, or GNU) for n bytes */
void tar_header(unsigned char *h, const char *name, char type,
		const char *prefix, size_t n, int gnu);
/* tar_entry - a header, its data, the padding */
void tar_entry(struct abuf *b, const char *name, char type, const char *prefix,
	       const char *data, size_t n, int gnu);
/* make_tar - a regular file, a GNU long name, a pax path, a POSIX
 * prefix, a directory (not a file), a symlink, the end blocks: the
 * names listed are TAR_WANT */
void make_tar(struct abuf *b);

/* the second name of make_tar()'s tar, and all of them */
#define TAR_WANT_2 \
	"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd" \
	"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd" \
	"/invoice.pdf.exe"
#define TAR_WANT \
	"docs/readme.txt|" TAR_WANT_2 "|photos/\xc3\xa9t\xc3\xa9.scr|" \
	"very/long/dir/run.vbs|link.com|"

/* gzip - d compressed with a gzip header naming it fname (or none), into
 * out; returns the compressed length */
size_t gzip(const unsigned char *d, size_t n, const char *fname,
	    unsigned char *out, size_t cap);

/* ---- files ------------------------------------------------------------- */

/* read_file - a whole file into *buf (malloc'ed, free it); -1 when it
 * cannot be opened */
int read_file(const char *path, char **buf, size_t *len);

/* open_fds - how many descriptors this process has open (leak checks) */
unsigned open_fds(void);

/* base64_lines - d[0..n) in base64 lines of 76 characters, each (the
 * last too) ended by eol ("\r\n" or "\n"), at out (room for
 * n * 4 / 3 + n / 19 * strlen(eol) + 8 bytes), NUL-terminated; returns
 * the length */
size_t base64_lines(const unsigned char *d, size_t n, const char *eol, char *out);

/* ---- a scratch directory where the real tools make material ----------- */

/* work_dir_make - mkdtemp(tmpl) ("/tmp/name.XXXXXX"), then cmd run by
 * the shell inside it (NULL: none); 0 or -1 (a cmocka group setup) */
int work_dir_make(char *tmpl, const char *cmd);
/* work_dir_remove - rm -rf dir; 0 or -1 */
int work_dir_remove(const char *dir);
/* ---- the walker -------------------------------------------------------- */

struct scan_file;
/* walk_message - msg through a walker without libmagic (default limits,
 * or max_depth/max_parts when not 0) fed in pieces of chunk bytes,
 * files to cb(ctx, file); returns the anomalies, the number of files
 * reported in *files */
unsigned walk_message(const char *msg, size_t len, size_t chunk,
		      unsigned max_depth, unsigned max_parts,
		      void (*cb)(void *, const struct scan_file *), void *ctx,
		      unsigned *files);

#endif
