/*
 * zip_names.h - names of the members of a ZIP archive, while it streams
 *
 * Reads local file headers (PK\3\4) as the bytes go by, skips member
 * data by its size, and when a member's size is unknown (data descriptor,
 * bit 3), or bytes follow a member that start no record, searches for the
 * next header.  Then reads the central directory (PK\1\2), where
 * extractors take the names from: a name there that no local header
 * carried is reported too.  Names are reported as they are
 * seen, with the member's uncompressed size and encryption bit (names of
 * encrypted members are visible; a name over 1024 bytes keeps its end).  Members that are zips, STORED or
 * DEFLATED (inflated as they stream, zlib), are listed too, recursively,
 * up to a depth; a nested zip that inflates past 64 MiB is a bomb (the
 * depth anomaly).  A DEFLATED nested zip whose size is only in its data
 * descriptor ends where its deflate stream ends.  Bounded memory.
 */
#ifndef ZIP_NAMES_H
#define ZIP_NAMES_H

#include <stddef.h>

typedef void zip_member_fn(void *ctx, const char *name, unsigned long long size,
			   int encrypted, unsigned depth);

struct zip_lister;

/* depth is this archive's depth (1 = a zip attached to the mail) */
struct zip_lister *zip_lister_new(unsigned depth, unsigned max_depth,
				  unsigned max_entries, zip_member_fn *cb,
				  void *ctx);
void zip_lister_feed(struct zip_lister *z, const unsigned char *data, size_t len);
/* zip_lister_finish - 0 ok, or anomaly bits: 1 = broken/truncated,
 * 2 = nested deeper than max_depth, or a nested zip bomb, 4 = more than
 * max_entries members (the rest not listed) */
unsigned zip_lister_finish(struct zip_lister *z);
void zip_lister_free(struct zip_lister **z);

#endif
