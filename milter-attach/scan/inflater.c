/*
 * inflater.c - streaming inflate into a callback (see inflater.h)
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "inflater.h"

#define OUT_BYTES 16384

struct inflater {
	z_stream zs;
	gz_header gzh;
	int gzip;
	int between;                 /* gzip: a member has ended, another may follow */
	unsigned char out[OUT_BYTES];
};

struct inflater *
inflater_new(enum inflater_kind kind, char *gz_name, size_t cap)
{
	struct inflater *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->gzip = kind == INFLATER_GZIP;
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

enum inflater_status
inflater_feed(struct inflater *f, const unsigned char *d, size_t n, size_t *used,
	      inflater_out_fn *out, void *ctx)
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
			return INFLATER_END;
		}
		f->between = 0;
		if (inflateReset(zs) != Z_OK)
			return INFLATER_BROKEN;
	}
	do {
		size_t got;

		zs->next_out = f->out;
		zs->avail_out = OUT_BYTES;
		ret = inflate(zs, Z_NO_FLUSH);
		if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
			return INFLATER_BROKEN;
		got = OUT_BYTES - zs->avail_out;
		if (got > 0 && out(ctx, f->out, got) < 0)
			return INFLATER_STOPPED;
		if (ret == Z_STREAM_END && f->gzip) {
			/* the next member, if any, in this input or the next */
			f->between = 1;
			if (zs->avail_in == 0)
				return INFLATER_MORE;
			if (*zs->next_in != 0x1f) {
				*used = n - zs->avail_in;
				return INFLATER_END;
			}
			f->between = 0;
			if (inflateReset(zs) != Z_OK)
				return INFLATER_BROKEN;
			continue;
		}
		if (ret == Z_STREAM_END) {
			*used = n - zs->avail_in;
			return INFLATER_END;
		}
		if (ret == Z_BUF_ERROR)
			break;                     /* no progress: needs more input */
	} while (zs->avail_in > 0 || zs->avail_out == 0);
	return INFLATER_MORE;
}

int
inflater_header_done(const struct inflater *f)
{
	return f != NULL && f->gzip && (f->gzh.done == 1 || f->between);
}

int
inflater_at_member_end(const struct inflater *f)
{
	return f != NULL && f->between;
}

void
inflater_free(struct inflater **fp)
{
	if (*fp == NULL)
		return;
	inflateEnd(&(*fp)->zs);
	free(*fp);
	*fp = NULL;
}
