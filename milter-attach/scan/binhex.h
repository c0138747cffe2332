/*
 * binhex.h - BinHex 4.0 (.hqx, application/mac-binhex40), sans I/O
 *
 * Decodes the text a line at a time: the 6-bit characters between the
 * opening and closing ':', the run-length encoding (0x90), the header
 * (the file's name, type, creator, fork lengths), and passes the data
 * fork's bytes to a sink.  The resource fork is skipped (what a Windows
 * or Linux client saves is the data fork under the header's name).
 * Tolerant like the decoders: junk characters are skipped; the CRCs are
 * not checked.
 */
#ifndef SCAN_BINHEX_H
#define SCAN_BINHEX_H

#include <stddef.h>

#include "mime_decode.h"

#define SCAN_BINHEX_MARKER "(This file must be converted with BinHex"

struct scan_binhex {
	int started;             /* the opening ':' was seen */
	int done;                /* the closing ':' or the data fork's end */
	unsigned bits, nbits;    /* 6-bit to 8-bit */
	int rle_marker;          /* the last byte was 0x90 */
	int have_prev;
	unsigned char prev;      /* the last byte, repeated by runs */
	unsigned char hdr[1 + 63 + 1 + 4 + 4 + 2 + 4 + 4 + 2];
	size_t hlen, hneed;      /* header bytes kept, needed (name length) */
	unsigned long long data_left;
	char name[64];           /* "" until the header is complete */
};

/* scan_binhex_init - a BinHex text starts (before its ':') */
void scan_binhex_init(struct scan_binhex *b);
/* scan_binhex_line - one line of the text: before the opening ':' it is
 * ignored; data fork bytes go to sink.  Returns 1 once the file is over
 * (closing ':' or the whole data fork), else 0. */
int scan_binhex_line(struct scan_binhex *b, const char *line, size_t len,
		     scan_sink_fn *sink, void *ctx);

#endif
