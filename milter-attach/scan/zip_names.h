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
 * members are visible; a name over 1024 bytes keeps its end).
 *
 * Extra fields: zip64 sizes (0x0001, when the header's are 0xFFFFFFFF),
 * and the Info-ZIP Unicode Path (0x7075, version 1): its name is
 * reported too when it differs from the header's, whether or not its
 * CRC-32 of the header's name matches (7-Zip and unzip show it only when
 * it does, libarchive whatever it is).
 *
 * Past the end of the zip (its central directory), the rest (the end
 * record, its comment, a concatenated zip) is searched for more zips; a
 * finder (scan_zip_lister_find_anywhere) searches all the bytes of any
 * file (a self-extractor, an image with a zip appended).  In those, every
 * plausible local and central header found is reported, the members'
 * data searched too (a header's sizes may lie), their first bytes probed
 * (a zip or another container inside sets NEEDS_INSPECT: the inspector
 * opens them), no anomaly for what is not a zip.
 *
 * Each member's first bytes (up to 40 KiB; STORED, or DEFLATED and
 * inflated as they stream, zlib) tell what it is: a zip is listed,
 * recursively, up to a depth (a nested zip that inflates past 64 MiB is
 * a bomb, SCAN_LISTER_TOO_DEEP; a DEFLATED nested zip whose size is only
 * in its data descriptor ends where its deflate stream ends); another
 * container (member_probe.h), or a member compressed with bzip2, LZMA,
 * zstd, xz or PPMd, sets SCAN_LISTER_NEEDS_INSPECT.  Bounded memory.
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
/* scan_zip_lister_find_anywhere - before any bytes: the file is not
 * a zip from its first byte, zips are searched for anywhere in it */
void scan_zip_lister_find_anywhere(struct scan_zip_lister *z);
void scan_zip_lister_feed(struct scan_zip_lister *z, const unsigned char *data,
			  size_t len);
/* scan_zip_lister_finish - 0, or enum scan_lister_anomaly bits: BROKEN
 * (not a zip, truncated; never for a zip found behind other bytes),
 * TOO_DEEP (nested deeper than max_depth, or a nested zip bomb),
 * TOO_MANY (more than max_entries members), NEEDS_INSPECT */
unsigned scan_zip_lister_finish(struct scan_zip_lister *z);
void scan_zip_lister_free(struct scan_zip_lister **z);

#endif
