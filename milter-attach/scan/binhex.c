/*
 * binhex.c - BinHex 4.0 decoding, enough for the name and the data fork
 * (see binhex.h)
 */
#include <string.h>

#include "binhex.h"

static const char alphabet[] =
	"!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";

#define HDR_FIXED (1 + 4 + 4 + 2 + 4 + 4 + 2)  /* after the name */

/* scan_binhex_init - nothing seen */
void
scan_binhex_init(struct scan_binhex *b)
{
	memset(b, 0, sizeof(*b));
}

/* be32 - a big-endian 32-bit number */
static unsigned long long
be32(const unsigned char *p)
{
	return (unsigned long long)p[0] << 24 | (unsigned long long)p[1] << 16 |
	       (unsigned long long)p[2] << 8 | p[3];
}

/* header_byte - one byte of the header; at its end, the name and the
 * data fork's length */
static void
header_byte(struct scan_binhex *b, unsigned char c)
{
	b->hdr[b->hlen++] = c;
	if (b->hlen == 1)
		b->hneed = 1 + (size_t)(c & 63) + HDR_FIXED;
	if (b->hlen < b->hneed)
		return;
	memcpy(b->name, b->hdr + 1, b->hdr[0] & 63);
	b->name[b->hdr[0] & 63] = '\0';
	b->data_left = be32(b->hdr + 1 + (b->hdr[0] & 63) + 1 + 4 + 4 + 2);
	if (b->data_left == 0)
		b->done = 1;
}

/* out_byte - one byte after run-length decoding */
static void
out_byte(struct scan_binhex *b, unsigned char c, unsigned char *buf,
	 size_t *n)
{
	if (b->done)
		return;
	if (b->hneed == 0 || b->hlen < b->hneed) {
		header_byte(b, c);
		return;
	}
	buf[(*n)++] = c;
	if (--b->data_left == 0)
		b->done = 1;
}

/* rle_byte - one decoded byte through the run-length decoder */
static void
rle_byte(struct scan_binhex *b, unsigned char c, unsigned char *buf,
	 size_t *n, scan_sink_fn *sink, void *ctx)
{
	if (b->rle_marker) {
		b->rle_marker = 0;
		if (c == 0) {                   /* a literal 0x90 */
			b->prev = 0x90;
			b->have_prev = 1;
			out_byte(b, 0x90, buf, n);
		} else if (b->have_prev) {      /* the previous byte c times */
			unsigned k;
			for (k = 1; k < c && !b->done; k++) {
				out_byte(b, b->prev, buf, n);
				if (*n == 256) {
					sink(ctx, buf, *n);
					*n = 0;
				}
			}
		}
		return;
	}
	if (c == 0x90) {
		b->rle_marker = 1;
		return;
	}
	b->prev = c;
	b->have_prev = 1;
	out_byte(b, c, buf, n);
}

/* scan_binhex_line - see binhex.h */
int
scan_binhex_line(struct scan_binhex *b, const char *line, size_t len,
		 scan_sink_fn *sink, void *ctx)
{
	unsigned char buf[300];
	size_t i = 0, n = 0;

	if (b->done)
		return 1;
	if (!b->started) {
		if (len == 0 || line[0] != ':')
			return 0;
		b->started = 1;
		i = 1;
	}
	for (; i < len && !b->done; i++) {
		const char *p;
		if (line[i] == ':') {
			b->done = 1;
			break;
		}
		if (line[i] == '\0' || (p = strchr(alphabet, line[i])) == NULL)
			continue;
		b->bits = (b->bits << 6) | (unsigned)(p - alphabet);
		b->nbits += 6;
		if (b->nbits >= 8) {
			b->nbits -= 8;
			rle_byte(b, (unsigned char)(b->bits >> b->nbits), buf, &n,
				 sink, ctx);
			b->bits &= (1u << b->nbits) - 1;
		}
		if (n >= 256) {
			sink(ctx, buf, n);
			n = 0;
		}
	}
	if (n > 0)
		sink(ctx, buf, n);
	return b->done;
}
