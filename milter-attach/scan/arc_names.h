/*
 * arc_names.h - names of the members of tar, gzip and cabinet archives,
 * while they stream
 *
 * tar (POSIX ustar and GNU): each member's name from its header (prefix
 * and name, a GNU long name, or a pax "path" record), member data skipped
 * by its size; a block whose checksum is wrong is skipped and the next
 * blocks are searched for a header, as GNU tar does.  gzip: the file
 * name its header declares (FNAME), and when what it compresses is a tar
 * (.tar.gz, .tgz), the tar's members; concatenated gzip members are one
 * stream, as for gzip(1); inflated as it streams (zlib), a stream that
 * inflates past 100 times its compressed size plus 64 MiB is a bomb.
 * Cabinet (.cab, MSCF): the CFFILE names.  A tar member named *.zip is
 * listed too (zip_names.h); other archives inside are not opened.
 * Bounded memory.
 */
#ifndef ARC_NAMES_H
#define ARC_NAMES_H

#include <stddef.h>

#include "zip_names.h"

enum arc_format { ARC_NONE, ARC_TAR, ARC_GZIP, ARC_CAB };

/* the bytes arc_detect() needs to recognise a tar (its magic is at 257) */
#define ARC_DETECT_BYTES 512

/* arc_detect - the format of a file from its first bytes (n of them: a
 * gzip or cabinet is recognised from 3 or 4, a tar from ARC_DETECT_BYTES) */
enum arc_format arc_detect(const unsigned char *d, size_t n);

struct arc_lister;

/* names are reported through cb with the member's size (0 when
 * unknown), encrypted 0 and the given depth; members of a zip inside a
 * tar at depth + 1 (up to max_zip_depth) */
struct arc_lister *arc_lister_new(enum arc_format f, unsigned depth,
				  unsigned max_zip_depth, unsigned max_entries,
				  zip_member_fn *cb, void *ctx);
void arc_lister_feed(struct arc_lister *a, const unsigned char *data, size_t len);
/* arc_lister_finish - 0 ok, or anomaly bits as zip_lister_finish():
 * 1 = broken/truncated, 2 = a bomb, or a zip inside nested too deep,
 * 4 = more than max_entries members */
unsigned arc_lister_finish(struct arc_lister *a);
void arc_lister_free(struct arc_lister **a);

#endif
