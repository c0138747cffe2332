/*
 * inflater.h - a deflate stream (raw, as zip members store it, or gzip)
 * inflated as its compressed bytes arrive, the output handed to a
 * callback 16 KiB at a time: the one place zlib is driven (zip_names,
 * arc_names).  What to do with the output, and when it is too much (a
 * bomb), is the caller's.
 */
#ifndef INFLATER_H
#define INFLATER_H

#include <stddef.h>

enum inflater_kind { INFLATER_RAW, INFLATER_GZIP };

enum inflater_status {
	INFLATER_MORE,      /* all input used, the stream goes on */
	INFLATER_END,       /* the stream ended (*used says where) */
	INFLATER_STOPPED,   /* the callback said stop */
	INFLATER_BROKEN,    /* not deflate (or gzip) data */
};

/* inflated bytes; 0 to go on, -1 to stop */
typedef int inflater_out_fn(void *ctx, const unsigned char *d, size_t n);

struct inflater;

/* gz_name: for INFLATER_GZIP, where the header's file name goes (cut to
 * cap - 1 bytes, NUL-terminated); NULL when not wanted */
struct inflater *inflater_new(enum inflater_kind kind, char *gz_name, size_t cap);
/* inflater_feed - *used is n, or at INFLATER_END the bytes the stream
 * took (what follows is not part of it) */
enum inflater_status inflater_feed(struct inflater *f, const unsigned char *d, size_t n,
				   size_t *used, inflater_out_fn *out, void *ctx);
/* inflater_header_done - gzip: the header (and its name) has been read */
int inflater_header_done(const struct inflater *f);
/* inflater_at_member_end - gzip: the last member has ended (so far, the
 * stream is complete); concatenated members are read as one stream, as
 * gzip(1) does, and INFLATER_END only comes with trailing garbage */
int inflater_at_member_end(const struct inflater *f);
void inflater_free(struct inflater **f);

#endif
