/*
 * bytes_private.h - byte helpers of the archive listers (zip, TNEF, tar,
 * gzip, cabinet): little-endian integers, collecting a fixed-size header
 * from a stream, skipping counted bytes, and a bounded buffer that keeps
 * the end of what is appended (a long name keeps its extension)
 *
 * Internal to mgscan: included by the listers' .c files only, never by
 * a public header.
 */
#ifndef SCAN_BYTES_PRIVATE_H
#define SCAN_BYTES_PRIVATE_H

#include <stddef.h>
#include <string.h>

/* scan_le16 - a little-endian 16-bit integer */
static inline unsigned
scan_le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* scan_le32 - a little-endian 32-bit integer */
static inline unsigned long
scan_le32(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 |
	       (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24;
}

/* scan_le64 - a little-endian 64-bit integer */
static inline unsigned long long
scan_le64(const unsigned char *p)
{
	return (unsigned long long)scan_le32(p) |
	       (unsigned long long)scan_le32(p + 4) << 32;
}

/* scan_fill - bytes from d[*i..len) into buf, which holds *have of the want
 * it needs; 1 once it is full */
static inline int
scan_fill(unsigned char *buf, size_t *have, size_t want,
	  const unsigned char *d, size_t len, size_t *i)
{
	size_t n = len - *i < want - *have ? len - *i : want - *have;

	memcpy(buf + *have, d + *i, n);
	*have += n;
	*i += n;
	return *have == want;
}

/* scan_skip - pass over up to *left bytes of d[*i..len); 1 once none
 * is left */
static inline int
scan_skip(unsigned long long *left, size_t len, size_t *i)
{
	size_t n = len - *i < *left ? len - *i : (size_t)*left;

	*i += n;
	*left -= n;
	return *left == 0;
}

/* scan_keep_tail - append d[0..n) to buf (holding *len of at most max
 * bytes), dropping its oldest bytes when full */
static inline void
scan_keep_tail(char *buf, size_t *len, size_t max, const unsigned char *d,
	       size_t n)
{
	if (n >= max) {
		memcpy(buf, d + n - max, max);
		*len = max;
		return;
	}
	if (*len + n > max) {
		size_t drop = *len + n - max;

		memmove(buf, buf + drop, *len - drop);
		*len -= drop;
	}
	memcpy(buf + *len, d, n);
	*len += n;
}

#endif
