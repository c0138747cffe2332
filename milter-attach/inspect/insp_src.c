/*
 * insp_src.c - random-access sources for the inspector: a file
 * descriptor read by offset (pread), and a window of another source
 * (a partition, a file's extent)
 *
 * Every read is checked against the source's size before the reader
 * runs, so readers only see in-bounds requests.
 */
#include "insp_lister.h"

#include <errno.h>
#include <unistd.h>

/* insp_src_read - the bounds-checked read every lister uses */
int insp_src_read(const struct insp_src *src, unsigned long long off,
		  void *buf, size_t len)
{
	if (src == NULL || src->read == NULL)
		return -1;
	if (off > src->size || len > src->size - off)
		return -1;
	if (len == 0)
		return 0;
	return src->read(src, off, buf, len);
}

/* fd_read - pread until len bytes are in or the file ends */
static int fd_read(const struct insp_src *src, unsigned long long off,
		   void *buf, size_t len)
{
	unsigned char *p = buf;
	unsigned long long pos = src->base + off;

	while (len > 0) {
		ssize_t n = pread(src->fd, p, len, (off_t)pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		pos += (unsigned long long)n;
		len -= (size_t)n;
	}
	return 0;
}

void insp_src_fd(struct insp_src *src, int fd, unsigned long long base,
		 unsigned long long size)
{
	src->read = fd_read;
	src->size = size;
	src->h = NULL;
	src->base = base;
	src->fd = fd;
}

/* window_read - a read in the window is a read in its parent */
static int window_read(const struct insp_src *src, unsigned long long off,
		       void *buf, size_t len)
{
	return insp_src_read(src->h, src->base + off, buf, len);
}

void insp_src_window(struct insp_src *src, const struct insp_src *parent,
		     unsigned long long off, unsigned long long len)
{
	unsigned long long psize = parent != NULL ? parent->size : 0;

	if (off > psize)
		off = psize;
	if (len > psize - off)
		len = psize - off;
	src->read = window_read;
	src->size = len;
	src->h = (void *)parent;
	src->base = off;
	src->fd = -1;
}
