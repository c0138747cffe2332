/*
 * mime_decode.h - streaming body decoders and RFC 2047 words (sans I/O)
 *
 * The body decoders work a line at a time (the line without its end) and
 * append decoded bytes through a sink; they keep what spans lines in a
 * small state.  They are tolerant like mail clients: bad characters are
 * skipped, never an error.
 */
#ifndef SCAN_MIME_DECODE_H
#define SCAN_MIME_DECODE_H

#include <stddef.h>

typedef void scan_sink_fn(void *ctx, const unsigned char *data, size_t len);

struct scan_b64_state { unsigned bits, nbits; int done; };

/* scan_b64_init - a base64 body starts */
void scan_b64_init(struct scan_b64_state *st);
/* scan_b64_line - decode one line's characters (whitespace and junk
 * ignored) */
void scan_b64_line(struct scan_b64_state *st, const char *line, size_t len,
		   scan_sink_fn *sink, void *ctx);

/* scan_qp_line - one quoted-printable line; a soft break ("=" at the end)
 * suppresses the CRLF that otherwise ends the decoded line.  Returns 1
 * when the line ended with a soft break. */
int scan_qp_line(const char *line, size_t len, scan_sink_fn *sink, void *ctx);

/* scan_uu_line - one uuencoded data line (the length character first).
 * Returns 0, or -1 for a line that is not uuencoded data. */
int scan_uu_line(const char *line, size_t len, scan_sink_fn *sink, void *ctx);
/* scan_uu_begin - "begin 644 name": 1 and the name (trimmed) in
 * name/namesz, 0 for any other line */
int scan_uu_begin(const char *line, size_t len, char *name, size_t namesz);

/* scan_rfc2047_decode - decode encoded words in text into UTF-8 (out, NUL
 * terminated); whitespace between adjacent encoded words is dropped;
 * unknown charsets keep their bytes.  Returns the output length. */
size_t scan_rfc2047_decode(const char *text, size_t len, char *out,
			   size_t outsz);

/* scan_hex_value - the value of a hex digit (either case), -1 if not
 * one (quoted-printable, RFC 2047 Q words, RFC 2231 %XX) */
int scan_hex_value(int c);

/* scan_charset_to_utf8 - convert with iconv; unknown charset or invalid
 * input: the bytes are copied.  Returns the output length. */
size_t scan_charset_to_utf8(const char *charset, const char *in, size_t len,
			    char *out, size_t outsz);

#endif
