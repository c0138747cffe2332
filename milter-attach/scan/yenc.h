/*
 * yenc.h - yEnc blocks in text (=ybegin ... =yend), sans I/O
 *
 * "=ybegin [part=N total=M] line=128 size=S name=file name" opens a
 * file (the name is the rest of the line), "=ypart ..." follows in
 * multi-part posts, data lines decode byte - 42 ("=" escapes: byte - 106),
 * "=yend ..." closes it.  Each part of a multi-part file is a file of its
 * own under the same name.
 */
#ifndef SCAN_YENC_H
#define SCAN_YENC_H

#include <stddef.h>

#include "mime_decode.h"

/* scan_yenc_begin - an "=ybegin" line: 1 and the name (trimmed; "" when
 * there is none) in name/namesz, else 0 */
int scan_yenc_begin(const char *line, size_t len, char *name, size_t namesz);
/* scan_yenc_line - one line inside a block: 1 for "=yend" (the file is
 * over), 0 for a data line (decoded to sink) or "=ypart" */
int scan_yenc_line(const char *line, size_t len, scan_sink_fn *sink,
		   void *ctx);

#endif
