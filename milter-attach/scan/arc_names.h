/*
 * arc_names.h - names of the members of tar, gzip and cabinet archives,
 * while they stream
 *
 * tar (POSIX ustar, GNU, and old V7 tars without the ustar marker): each
 * member's name from its header (prefix and name, a GNU long name, or a
 * pax "path" record), member data skipped by its size; a block whose
 * checksum is wrong is skipped and the next blocks are searched for a
 * header, as GNU tar does.  gzip: the file name its header declares
 * (FNAME), and the name gunzip and 7-Zip extract to when it declares none
 * or another (the attachment's name minus .gz, scan_arc_lister_set_name);
 * when what it compresses is a tar (.tar.gz, .tgz), the tar's members;
 * concatenated gzip members are one stream, as for gzip(1); inflated as
 * it streams (zlib), a stream that inflates past 100 times its compressed
 * size plus 64 MiB is a bomb.  Cabinet (.cab, MSCF): the CFFILE names.
 * A tar member whose first bytes are a zip is listed too (zip_names.h);
 * a tar member, or a gzip's content, that is another container
 * (member_probe.h: an ISO, 7z, RAR, xz, a zip in a gzip...) sets
 * SCAN_LISTER_NEEDS_INSPECT.  Bounded memory.
 */
#ifndef SCAN_ARC_NAMES_H
#define SCAN_ARC_NAMES_H

#include <stddef.h>

#include "lister.h"

enum scan_arc_format { SCAN_ARC_NONE, SCAN_ARC_TAR, SCAN_ARC_GZIP, SCAN_ARC_CAB };

/* the bytes scan_arc_detect() needs to recognise a tar (its magic is at
 * offset 257) */
#define SCAN_ARC_DETECT_BYTES 512

/* scan_arc_detect - the format of a file from its first bytes (n of
 * them: a gzip or cabinet is recognised from 3 or 4, a tar from
 * SCAN_ARC_DETECT_BYTES) */
enum scan_arc_format scan_arc_detect(const unsigned char *d, size_t n);

struct scan_arc_lister;

/* names are reported through cb with the member's size (0 when
 * unknown), encrypted 0 and the given depth; members of a zip inside a
 * tar at depth + 1 (up to max_zip_depth); NULL for SCAN_ARC_NONE or out
 * of memory */
struct scan_arc_lister *scan_arc_lister_new(enum scan_arc_format f,
					    unsigned depth,
					    unsigned max_zip_depth,
					    unsigned max_entries,
					    scan_member_fn *cb, void *ctx);
/* scan_arc_lister_set_name - before any bytes: a name of the archive
 * (the attachment's; up to 3 names are kept); a gzip's content is also
 * reported under it minus .gz, -gz, _gz, .z, -z or _z (.tgz and .taz:
 * .tar), unless that is the name the header stores or the content is a
 * tar */
void scan_arc_lister_set_name(struct scan_arc_lister *a, const char *name);
void scan_arc_lister_feed(struct scan_arc_lister *a, const unsigned char *data,
			  size_t len);
/* scan_arc_lister_finish - 0, or enum scan_lister_anomaly bits: BROKEN
 * (truncated, not the format), TOO_DEEP (a bomb, or a zip inside nested
 * too deep), TOO_MANY (more than max_entries members), NEEDS_INSPECT */
unsigned scan_arc_lister_finish(struct scan_arc_lister *a);
void scan_arc_lister_free(struct scan_arc_lister **a);

#endif
