/*
 * img_priv.h - what the image listers (img_*.c) share: little- and
 * big-endian field readers, the listers' descriptors, UTF-16 and
 * Latin-1 to UTF-8, path joining, and a small set of visited offsets
 * (loop detection).  Internal to mginspect; the interface is
 * insp_lister.h.
 */
#ifndef IMG_PRIV_H
#define IMG_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "insp_lister.h"

#define IMG_MAX_DEPTH 32        /* directory nesting followed */
#define IMG_PATH_MAX 4096       /* bytes of a reported path */

static inline unsigned
img_le16(const unsigned char *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static inline uint32_t
img_le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t
img_le64(const unsigned char *p)
{
	return img_le32(p) | (uint64_t)img_le32(p + 4) << 32;
}

static inline uint32_t
img_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
img_be64(const unsigned char *p)
{
	return (uint64_t)img_be32(p) << 32 | img_be32(p + 4);
}

extern const struct insp_lister img_lister_vhdx, img_lister_vhd,
	img_lister_gpt, img_lister_mbr, img_lister_udf, img_lister_fat,
	img_lister_ntfs;

/* img_utf8_put - append code point cp to out (cap bytes, *n used, kept
 * NUL-terminated); -1 when it does not fit */
int img_utf8_put(char *out, size_t cap, size_t *n, uint32_t cp);

/* img_utf16_to_utf8 - n UTF-16 units (u[i]), stopping at a NUL unit;
 * unpaired surrogates become U+FFFD; -1 when it does not fit */
int img_utf16_to_utf8(const uint16_t *u, size_t n, char *out, size_t cap);

/* img_path_join - out = dir "/" name (or name alone when dir is
 * empty); -1 when it does not fit */
int img_path_join(char *out, size_t cap, const char *dir, const char *name);

/* visited offsets: each directory (or chain) is entered once */
struct img_seen {
	unsigned long long *v;
	size_t n, cap, max;
};

void img_seen_init(struct img_seen *s, size_t max);
/* img_seen_add - 1 when added, 0 when already there, -1 when full */
int img_seen_add(struct img_seen *s, unsigned long long key);
void img_seen_free(struct img_seen *s);

#endif
