/*
 * inflater.h - a deflate stream (raw, as zip members store it, or gzip)
 * inflated as its compressed bytes arrive, the output handed to a
 * callback 16 KiB at a time: the one place zlib is driven (zip_names,
 * arc_names).  What to do with the output, and when it is too much (a
 * bomb), is the caller's.
 */
#ifndef SCAN_INFLATER_H
#define SCAN_INFLATER_H

#include <stddef.h>

enum scan_inflater_kind { SCAN_INFLATER_RAW, SCAN_INFLATER_GZIP };

enum scan_inflater_status {
	SCAN_INFLATER_MORE,      /* all input used, the stream goes on */
	SCAN_INFLATER_END,       /* the stream ended (*used says where) */
	SCAN_INFLATER_STOPPED,   /* the callback said stop */
	SCAN_INFLATER_BROKEN,    /* not deflate (or gzip) data */
};

/* inflated bytes; 0 to go on, -1 to stop */
typedef int scan_inflater_out_fn(void *ctx, const unsigned char *d, size_t n);

struct scan_inflater;

/* gz_name: for SCAN_INFLATER_GZIP, where the header's file name goes (cut
 * to cap - 1 bytes, NUL-terminated); NULL when not wanted */
struct scan_inflater *scan_inflater_new(enum scan_inflater_kind kind,
					char *gz_name, size_t cap);
/* scan_inflater_feed - *used is n, or at SCAN_INFLATER_END the bytes the
 * stream took (what follows is not part of it) */
enum scan_inflater_status scan_inflater_feed(struct scan_inflater *f,
					     const unsigned char *d, size_t n,
					     size_t *used,
					     scan_inflater_out_fn *out,
					     void *ctx);
/* scan_inflater_header_done - gzip: the header (and its name) has been
 * read */
int scan_inflater_header_done(const struct scan_inflater *f);
/* scan_inflater_at_member_end - gzip: the last member has ended (so far,
 * the stream is complete); concatenated members are read as one stream,
 * as gzip(1) does, and SCAN_INFLATER_END only comes with trailing
 * garbage */
int scan_inflater_at_member_end(const struct scan_inflater *f);
void scan_inflater_free(struct scan_inflater **f);

#endif
