/*
 * zip_names.h - names of the members of a ZIP archive, while it streams
 *
 * Reads local file headers (PK\3\4) as the bytes go by, skips member
 * data by its size, and when a member's size is unknown (data descriptor,
 * bit 3), or bytes follow a member that start no record, searches for the
 * next header.  Then reads the central directory (PK\1\2), where
 * extractors take the names from: a name there that no local header
 * carried is reported too.  Names are reported as they are seen, with
 * the member's uncompressed size and encryption bit (names of encrypted
 * members are visible; a name over 1024 bytes keeps its end).  Members
 * that are zips, STORED or DEFLATED (inflated as they stream, zlib), are
 * listed too, recursively, up to a depth; a nested zip that inflates past
 * 64 MiB is a bomb (SCAN_LISTER_TOO_DEEP).  A DEFLATED nested zip whose
 * size is only in its data descriptor ends where its deflate stream
 * ends.  Bounded memory.
 */
#ifndef SCAN_ZIP_NAMES_H
#define SCAN_ZIP_NAMES_H

#include <stddef.h>

#include "lister.h"

struct scan_zip_lister;

/* depth is this archive's depth (1 = a zip attached to the mail);
 * members are reported at depth, a nested zip's at depth + 1 */
struct scan_zip_lister *scan_zip_lister_new(unsigned depth, unsigned max_depth,
					    unsigned max_entries,
					    scan_member_fn *cb, void *ctx);
void scan_zip_lister_feed(struct scan_zip_lister *z, const unsigned char *data,
			  size_t len);
/* scan_zip_lister_finish - 0, or enum scan_lister_anomaly bits: BROKEN
 * (not a zip, truncated), TOO_DEEP (nested deeper than max_depth, or a
 * nested zip bomb), TOO_MANY (more than max_entries members) */
unsigned scan_zip_lister_finish(struct scan_zip_lister *z);
void scan_zip_lister_free(struct scan_zip_lister **z);

#endif
