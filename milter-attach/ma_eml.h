/*
 * ma_eml.h - a message file cut the way libmilter hands it over, sans IO
 *
 * milter-attach -T reads a message from a file (.eml, LF or CRLF line
 * ends, maybe an mbox "From " line first); the milter gets it from
 * Postfix as headers one by one, the end of headers, then body chunks
 * with CRLF line ends.  ma_eml turns the first into the second: feed it
 * bytes as they come, it calls
 *   header(name, value)  value: everything after the colon (the leading
 *                        space kept, as with SMFIP_HDR_LEADSPC), folded
 *                        lines joined by "\n" as libmilter gives them
 *   eoh()                at the empty line (or at the first line that is
 *                        not a header, which starts the body, as Postfix
 *                        decides; or at the end of a message without body)
 *   body(data, len)      body bytes, every line ended by CRLF (a last line
 *                        without one gets it, as DATA ends it); a non-zero
 *                        return stops everything (the milter stopped)
 * Caps: one header is kept up to MA_EML_HEADER_MAX bytes (Postfix's
 * default header_size_limit), the rest of it is dropped; nothing else is
 * buffered.  NUL bytes in a header end its value there.
 */
#ifndef MA_EML_H
#define MA_EML_H

#include <stddef.h>

#define MA_EML_HEADER_MAX 102400

struct ma_eml_ops {
	void (*header)(void *ctx, const char *name, const char *value);
	void (*eoh)(void *ctx);
	int (*body)(void *ctx, const char *data, size_t len);
};

struct ma_eml;

/* ma_eml_new - NULL when out of memory */
struct ma_eml *ma_eml_new(const struct ma_eml_ops *ops, void *ctx);
/* ma_eml_feed - the next bytes of the file; 1 once body() asked to stop
 * (further input is ignored), else 0 */
int ma_eml_feed(struct ma_eml *e, const char *data, size_t len);
/* ma_eml_finish - the end of the file */
void ma_eml_finish(struct ma_eml *e);
void ma_eml_free(struct ma_eml **e);

#endif
