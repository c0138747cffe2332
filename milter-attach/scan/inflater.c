/*
 * inflater.c - streaming inflate into a callback (see inflater.h)
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "inflater.h"

#define OUT_BYTES 16384

struct scan_inflater {
	z_stream zs;
	gz_header gzh;
	int gzip;
	int between;                 /* gzip: a member has ended, another may follow */
	unsigned char out[OUT_BYTES];
};

/* scan_inflater_new - a raw or gzip inflater; NULL when out of memory */
struct scan_inflater *
scan_inflater_new(enum scan_inflater_kind kind, char *gz_name, size_t cap)
{
	struct scan_inflater *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->gzip = kind == SCAN_INFLATER_GZIP;
	if (inflateInit2(&f->zs, f->gzip ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK) {
		free(f);
		return NULL;
	}
	if (f->gzip && gz_name != NULL && cap > 1) {
		memset(gz_name, 0, cap);
		f->gzh.name = (unsigned char *)gz_name;
		f->gzh.name_max = (uInt)(cap - 1);
		if (inflateGetHeader(&f->zs, &f->gzh) != Z_OK)
			f->gzh.name = NULL;
	}
	return f;
}

/* scan_inflater_feed - inflate n bytes, the output to out */
enum scan_inflater_status
scan_inflater_feed(struct scan_inflater *f, const unsigned char *d, size_t n,
		   size_t *used, scan_inflater_out_fn *out, void *ctx)
{
	z_stream *zs = &f->zs;
	int ret;

	*used = n;
	zs->next_in = (unsigned char *)d;
	zs->avail_in = (uInt)n;
	if (f->between && n > 0) {
		/* gzip(1) reads concatenated members as one stream; other
		 * bytes after a member are trailing garbage: the end */
		if (d[0] != 0x1f) {
			*used = 0;
			return SCAN_INFLATER_END;
		}
		f->between = 0;
		if (inflateReset(zs) != Z_OK)
			return SCAN_INFLATER_BROKEN;
	}
	do {
		size_t got;

		zs->next_out = f->out;
		zs->avail_out = OUT_BYTES;
		ret = inflate(zs, Z_NO_FLUSH);
		if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
			return SCAN_INFLATER_BROKEN;
		got = OUT_BYTES - zs->avail_out;
		if (got > 0 && out(ctx, f->out, got) < 0)
			return SCAN_INFLATER_STOPPED;
		if (ret == Z_STREAM_END && f->gzip) {
			/* the next member, if any, in this input or the next */
			f->between = 1;
			if (zs->avail_in == 0)
				return SCAN_INFLATER_MORE;
			if (*zs->next_in != 0x1f) {
				*used = n - zs->avail_in;
				return SCAN_INFLATER_END;
			}
			f->between = 0;
			if (inflateReset(zs) != Z_OK)
				return SCAN_INFLATER_BROKEN;
			continue;
		}
		if (ret == Z_STREAM_END) {
			*used = n - zs->avail_in;
			return SCAN_INFLATER_END;
		}
		if (ret == Z_BUF_ERROR)
			break;                     /* no progress: needs more input */
	} while (zs->avail_in > 0 || zs->avail_out == 0);
	return SCAN_INFLATER_MORE;
}

/* scan_inflater_header_done - gzip: the header is read */
int
scan_inflater_header_done(const struct scan_inflater *f)
{
	return f != NULL && f->gzip && (f->gzh.done == 1 || f->between);
}

/* scan_inflater_at_member_end - gzip: between members */
int
scan_inflater_at_member_end(const struct scan_inflater *f)
{
	return f != NULL && f->between;
}

/* scan_inflater_free - zlib's state and the inflater, and NULL */
void
scan_inflater_free(struct scan_inflater **fp)
{
	if (*fp == NULL)
		return;
	inflateEnd(&(*fp)->zs);
	free(*fp);
	*fp = NULL;
}
