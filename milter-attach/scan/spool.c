/*
 * spool.c - an unlinked temporary file for one attachment (see spool.h)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"

#define SPOOL_BUF (64 * 1024)

void
scan_spool_init(struct scan_spool *sp)
{
	sp->fd = -1;
	sp->failed = 0;
	sp->size = 0;
	sp->max_bytes = 0;
	sp->buf = NULL;
	sp->blen = 0;
}

/* open_unlinked - O_TMPFILE, else a mkstemp name removed at once */
static int
open_unlinked(const char *dir)
{
	char path[4096];
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	if (snprintf(path, sizeof(path), "%s/mailguard-spool.XXXXXX", dir) >=
	    (int)sizeof(path))
		return -1;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

int
scan_spool_open(struct scan_spool *sp, const char *dir,
		unsigned long long max_bytes)
{
	scan_spool_init(sp);
	sp->buf = malloc(SPOOL_BUF);
	if (sp->buf == NULL)
		return -1;
	sp->fd = open_unlinked(dir);
	if (sp->fd < 0) {
		free(sp->buf);
		sp->buf = NULL;
		return -1;
	}
	sp->max_bytes = max_bytes;
	return 0;
}

/* write_all - n bytes to fd; 0 or -1 */
static int
write_all(int fd, const unsigned char *d, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, d, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		d += w;
		n -= (size_t)w;
	}
	return 0;
}

int
scan_spool_flush(struct scan_spool *sp)
{
	if (sp->fd < 0 || sp->failed)
		return -1;
	if (sp->blen > 0 && write_all(sp->fd, sp->buf, sp->blen) != 0)
		sp->failed = 1;
	sp->blen = 0;
	return sp->failed ? -1 : 0;
}

void
scan_spool_write(struct scan_spool *sp, const void *data, size_t n)
{
	const unsigned char *d = data;

	if (sp->fd < 0 || sp->failed)
		return;
	if (n > sp->max_bytes - sp->size) {
		sp->failed = 1;
		return;
	}
	sp->size += n;
	if (sp->blen + n > SPOOL_BUF && scan_spool_flush(sp) != 0)
		return;
	if (n >= SPOOL_BUF) {
		if (write_all(sp->fd, d, n) != 0)
			sp->failed = 1;
		return;
	}
	memcpy(sp->buf + sp->blen, d, n);
	sp->blen += n;
}

void
scan_spool_close(struct scan_spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	free(sp->buf);
	scan_spool_init(sp);
}
