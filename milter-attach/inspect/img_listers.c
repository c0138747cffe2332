/*
 * img_listers.c - the table of the inspector's own image listers
 * (insp_lister.h), in probe order, and the helpers they share
 * (img_priv.h): UTF-16 to UTF-8, path joining, visited-offset sets
 *
 * Probe order: the wrappers first (VHDX, VHD: a fixed VHD is a raw disk
 * followed by a footer), then partition tables (GPT before MBR: a GPT
 * disk carries a protective MBR), then file systems (UDF, FAT, NTFS).
 */
#include <stdlib.h>
#include <string.h>

#include "img_priv.h"

const struct insp_lister *const insp_listers[] = {
	&img_lister_vhdx,
	&img_lister_vhd,
	&img_lister_gpt,
	&img_lister_mbr,
	&img_lister_udf,
	&img_lister_fat,
	&img_lister_ntfs,
	NULL,
};

int
img_utf8_put(char *out, size_t cap, size_t *n, uint32_t cp)
{
	unsigned char b[4];
	size_t k;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp; k = 1;
	} else if (cp < 0x800) {
		b[0] = 0xC0 | cp >> 6; b[1] = 0x80 | (cp & 0x3F); k = 2;
	} else if (cp < 0x10000) {
		b[0] = 0xE0 | cp >> 12; b[1] = 0x80 | (cp >> 6 & 0x3F);
		b[2] = 0x80 | (cp & 0x3F); k = 3;
	} else {
		b[0] = 0xF0 | cp >> 18; b[1] = 0x80 | (cp >> 12 & 0x3F);
		b[2] = 0x80 | (cp >> 6 & 0x3F); b[3] = 0x80 | (cp & 0x3F);
		k = 4;
	}
	if (*n + k >= cap)
		return -1;
	memcpy(out + *n, b, k);
	*n += k;
	out[*n] = '\0';
	return 0;
}

int
img_utf16_to_utf8(const uint16_t *u, size_t n, char *out, size_t cap)
{
	size_t i, len = 0;

	if (cap == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < n && u[i] != 0; i++) {
		uint32_t cp = u[i];

		if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n &&
		    u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (u[i + 1] - 0xDC00);
			i++;
		}
		if (img_utf8_put(out, cap, &len, cp) < 0)
			return -1;
	}
	return 0;
}

int
img_path_join(char *out, size_t cap, const char *dir, const char *name)
{
	size_t d = strlen(dir), k = strlen(name);

	if (d + 1 + k + 1 > cap)
		return -1;
	memcpy(out, dir, d);
	if (d)
		out[d++] = '/';
	memcpy(out + d, name, k + 1);
	return 0;
}

void
img_seen_init(struct img_seen *s, size_t max)
{
	s->v = NULL;
	s->n = s->cap = 0;
	s->max = max;
}

/* slot - the slot of key (or the empty one where it goes); key+1 is
 * stored so that 0 marks an empty slot */
static size_t
slot(const struct img_seen *s, unsigned long long key)
{
	size_t i = (size_t)((key + 1) * 0x9E3779B97F4A7C15ULL >> 7) & (s->cap - 1);

	while (s->v[i] != 0 && s->v[i] != key + 1)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int
grow(struct img_seen *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64, i;
	struct img_seen t = { calloc(cap, sizeof(*t.v)), 0, cap, s->max };

	if (t.v == NULL)
		return -1;
	for (i = 0; i < s->cap; i++)
		if (s->v[i] != 0)
			t.v[slot(&t, s->v[i] - 1)] = s->v[i];
	free(s->v);
	s->v = t.v;
	s->cap = cap;
	return 0;
}

int
img_seen_add(struct img_seen *s, unsigned long long key)
{
	size_t i;

	if (s->n >= s->max)
		return -1;
	if ((s->n + 1) * 2 > s->cap && grow(s) < 0)
		return -1;
	i = slot(s, key);
	if (s->v[i] != 0)
		return 0;
	s->v[i] = key + 1;
	s->n++;
	return 1;
}

void
img_seen_free(struct img_seen *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
