/*
 * tnef_names.h - names of the files inside a TNEF stream (winmail.dat),
 * while it streams
 *
 * Outlook wraps attachments into application/ms-tnef ("winmail.dat").
 * The lister reads the TNEF attributes as the bytes go by and reports,
 * for each attachment, the names it declares: attAttachTitle (an 8-bit
 * string, often the 8.3 name) and, from the attachment's MAPI properties
 * (attAttachment, first 64 KiB), PR_ATTACH_LONG_FILENAME and
 * PR_ATTACH_FILENAME (8-bit or UTF-16, converted to UTF-8).  The same
 * name may be reported more than once.  The files' contents
 * (attAttachData) are skipped by length, except a zip, whose member names
 * are listed too (zip_names.h); an attachment whose first bytes are
 * another container (member_probe.h) sets SCAN_LISTER_NEEDS_INSPECT.
 * Bounded memory.
 */
#ifndef SCAN_TNEF_NAMES_H
#define SCAN_TNEF_NAMES_H

#include <stddef.h>

#include "lister.h"

struct scan_tnef_lister;

/* the first four bytes of every TNEF stream (0x223E9F78, little-endian) */
#define SCAN_TNEF_SIGNATURE "\x78\x9f\x3e\x22"

/* names are reported through cb with size 0 (unknown), encrypted 0 and
 * the given depth; zip members inside at depth + 1 */
struct scan_tnef_lister *scan_tnef_lister_new(unsigned depth,
					      unsigned max_zip_depth,
					      unsigned max_entries,
					      scan_member_fn *cb, void *ctx);
void scan_tnef_lister_feed(struct scan_tnef_lister *t,
			   const unsigned char *data, size_t len);
/* scan_tnef_lister_finish - 0, or enum scan_lister_anomaly bits: BROKEN
 * (not TNEF, truncated), TOO_DEEP (a zip inside nested too deep),
 * TOO_MANY (more than max_entries names) */
unsigned scan_tnef_lister_finish(struct scan_tnef_lister *t);
void scan_tnef_lister_free(struct scan_tnef_lister **t);

#endif
