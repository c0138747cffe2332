/*
 * lister.h - what the archive listers share (zip_names.h, arc_names.h,
 * tnef_names.h): the callback that receives member names, and the
 * anomalies their finish functions return
 *
 * A lister is sans-IO: _new(), then _feed() with the archive's bytes in
 * any chunking, then _finish() (the anomaly bits, 0 when none), then
 * _free().  Names are reported through the callback as they are seen.
 */
#ifndef SCAN_LISTER_H
#define SCAN_LISTER_H

/* a member's name (NUL-terminated, decoded to UTF-8 where the format
 * says how), its uncompressed size (0 when unknown), whether it is
 * encrypted, and the depth of the archive that holds it */
typedef void scan_member_fn(void *ctx, const char *name,
			    unsigned long long size, int encrypted,
			    unsigned depth);

/* bit flags returned by scan_*_lister_finish() */
enum scan_lister_anomaly {
	SCAN_LISTER_BROKEN = 1 << 0,   /* not the format, truncated, or cut
					* inside a member or an entry */
	SCAN_LISTER_TOO_DEEP = 1 << 1, /* an archive inside nested deeper than
					* the depth limit, or a bomb */
	SCAN_LISTER_TOO_MANY = 1 << 2, /* more members than max_entries (the
					* rest not listed) */
	SCAN_LISTER_NEEDS_INSPECT = 1 << 3, /* a member is a container this
					* lister does not open (by its first
					* bytes: a carrier.h carrier, a gzip,
					* tar, cabinet or TNEF; or a zip member
					* compressed with bzip2, LZMA, zstd,
					* xz or PPMd): not an anomaly, the walker hands
					* the archive to the inspector */
};

#endif
