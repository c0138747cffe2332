/*
 * spool.h - a private, unlinked temporary file holding one decoded
 * attachment for the inspector (scan.h's scan_walker_set_inspector)
 *
 * Opened with O_TMPFILE in a directory (or mkstemp then unlink when the
 * file system lacks it), mode 0600, close-on-exec: no name ever appears,
 * and closing the descriptor frees the space.  Writes are batched in a
 * 64 KiB buffer (decoded base64 arrives 57 bytes a line) and stop at
 * max_bytes: the spool is then marked failed and keeps no more.
 */
#ifndef SCAN_SPOOL_H
#define SCAN_SPOOL_H

#include <stddef.h>

struct scan_spool {
	int fd;                        /* -1: closed */
	int failed;                    /* past max_bytes or a write failed */
	unsigned long long size;       /* bytes taken (written or buffered) */
	unsigned long long max_bytes;
	unsigned char *buf;
	size_t blen;
};

/* scan_spool_init - a closed spool (fd -1) */
void scan_spool_init(struct scan_spool *sp);
/* scan_spool_open - an unlinked file in dir; 0, or -1 (sp stays closed) */
int scan_spool_open(struct scan_spool *sp, const char *dir,
		    unsigned long long max_bytes);
/* scan_spool_write - n more bytes; past max_bytes or on a write error,
 * sp->failed is set and nothing more is kept */
void scan_spool_write(struct scan_spool *sp, const void *d, size_t n);
/* scan_spool_flush - write what is buffered; 0, or -1 when failed */
int scan_spool_flush(struct scan_spool *sp);
/* scan_spool_close - close the file and free the buffer (no-op when
 * closed) */
void scan_spool_close(struct scan_spool *sp);

#endif
