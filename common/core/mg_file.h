/*
 * mg_file.h - a file replaced whole, never seen half written
 *
 * The text goes to PATH.tmp (created with an exact mode, the umask
 * ignored), and only a complete, flushed file is renamed over PATH: a
 * reader such as node_exporter's textfile collector sees the old file or
 * the new one.  A failure removes PATH.tmp and leaves PATH as it was.
 * Messages start with the caller's word for the file ("metrics_textfile",
 * "--output") and say what failed; a missing directory is named as such.
 *
 *   struct mg_file_out f;
 *   if (mg_file_out_open(&f, "--output", path, 0644, &err) < 0) ...
 *   fprintf(f.fp, ...);
 *   if (mg_file_out_commit(&f, &err) < 0) ...    (or mg_file_out_abort)
 */
#ifndef MG_FILE_H
#define MG_FILE_H

#include <stdio.h>

#include "mg_error.h"

#define MG_FILE_PATH_MAX 1024

struct mg_file_out {
	FILE *fp;                              /* NULL once committed/aborted */
	char what[32];
	char path[MG_FILE_PATH_MAX];
	char tmp[MG_FILE_PATH_MAX + 4];
};

/* mg_file_out_open - PATH.tmp opened for writing (truncated) with mode;
 * MG_ERR_LIMIT for a path too long, MG_ERR_SYS otherwise */
int mg_file_out_open(struct mg_file_out *f, const char *what, const char *path,
		     unsigned mode, struct mg_error *err);

/* mg_file_out_commit - flush and close PATH.tmp, rename it over PATH;
 * on failure PATH.tmp is removed */
int mg_file_out_commit(struct mg_file_out *f, struct mg_error *err);

/* mg_file_out_abort - close and remove PATH.tmp (PATH untouched); safe
 * after a commit or a failed open */
void mg_file_out_abort(struct mg_file_out *f);

#endif
