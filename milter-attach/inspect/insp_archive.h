/*
 * insp_archive.h - the inspector's libarchive adapter: the members of
 * what libarchive 3.6 reads (7z, RAR 4/5, ISO 9660, tar in any filter,
 * zip, cab, lha, xar, cpio, ar, single compressed files), read from a
 * source through read, seek and skip callbacks
 *
 * An ISO 9660 image is listed once per name tree (plain, Joliet, Rock
 * Ridge), each distinct name reported once with "iso9660", "joliet" or
 * "rockridge".  A single compressed file is one member named by
 * insp_rawname.h.  Member names that cannot be read (7z -mhe, RAR -hp)
 * are SCAN_ANOM_NAMES_ENCRYPTED; an archive cut short
 * SCAN_ANOM_ZIP_BROKEN, every name seen before reported.  A member whose
 * first bytes are a container is extracted into a memory file (within
 * max_bytes for the whole walk) and walked at depth + 1.
 */
#ifndef INSP_ARCHIVE_H
#define INSP_ARCHIVE_H

#include "insp_walk.h"

/* insp_archive_list - list src (members at depth) when libarchive reads
 * it; name is the container's own name (for a single compressed file),
 * seen the names reported already (NULL: none kept).  1 when libarchive
 * recognised the format (listed, maybe not to its end), 0 when not */
int insp_archive_list(struct insp_walk *w, const struct insp_src *src,
		      const char *name, unsigned depth,
		      struct insp_names *seen);

#endif
