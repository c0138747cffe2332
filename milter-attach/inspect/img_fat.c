/*
 * img_fat.c - the FAT12/16/32 lister: boot sector (BPB), the root
 * directory (a fixed region, or FAT32's root cluster chain),
 * subdirectories, VFAT long names (checked against the short entry's
 * checksum) or else the 8.3 name (code page 850, the NT lower-case
 * bits), each file's content read by following its cluster chain
 *
 * Hostile input: the FAT is read once into memory (bounded by the image),
 * every cluster number is checked, a cluster met twice (a loop in a
 * chain, a directory cycle, cross-linked files) stops that chain and
 * makes the listing BROKEN, directories are at most 2 MiB (65536
 * entries, the FAT limit) and IMG_MAX_DEPTH deep.
 */
#include <stdlib.h>
#include <string.h>

#include "carrier.h"
#include "img_priv.h"

#define FAT_DIR_MAX (65536u * 32u)     /* bytes of one directory */

struct fat {
	const struct insp_src *src;
	unsigned type;                 /* 12, 16, 32 */
	uint32_t clus_bytes;
	unsigned long long root_off, data_off;
	uint32_t root_bytes;           /* FAT12/16 fixed root */
	uint32_t root_clus;            /* FAT32 */
	uint32_t nclus;                /* clusters 2 .. nclus + 1 */
	unsigned char *fat;
	size_t fat_len;
	unsigned char *used;           /* a bit per cluster */
	unsigned max_entries, count, res;
	insp_found_fn *cb;
	void *ctx;
};

/* a file's content: its clusters in order */
struct fat_chain {
	const struct fat *f;
	uint32_t *clus;
	size_t n;
};

static const uint16_t cp850[128] = {
	0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
	0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
	0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
	0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192,
	0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
	0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0,
	0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510,
	0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3,
	0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4,
	0x00F0, 0x00D0, 0x00CA, 0x00CB, 0x00C8, 0x0131, 0x00CD, 0x00CE,
	0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,
	0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE,
	0x00DE, 0x00DA, 0x00DB, 0x00D9, 0x00FD, 0x00DD, 0x00AF, 0x00B4,
	0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8,
	0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
};

/* fat_geometry - the BPB's fields, checked against the image; -1 when
 * they do not make a FAT */
static int
fat_geometry(struct fat *f, const unsigned char *b)
{
	unsigned bps = img_le16(b + 11), spc = b[13], rsvd = img_le16(b + 14);
	unsigned nfats = b[16], root_ent = img_le16(b + 17);
	unsigned long long tot = img_le16(b + 19), fatsz = img_le16(b + 22);
	unsigned long long root_secs, first_data, fat_bytes;

	if (bps < 512 || bps > 4096 || (bps & (bps - 1)) || spc == 0 ||
	    (spc & (spc - 1)) || rsvd == 0 || nfats == 0)
		return -1;
	if (tot == 0)
		tot = img_le32(b + 32);
	if (fatsz == 0)
		fatsz = img_le32(b + 36);
	root_secs = ((unsigned long long)root_ent * 32 + bps - 1) / bps;
	first_data = rsvd + nfats * fatsz + root_secs;
	if (fatsz == 0 || tot <= first_data)
		return -1;
	f->nclus = (uint32_t)((tot - first_data) / spc);
	f->type = f->nclus < 4085 ? 12 : f->nclus < 65525 ? 16 : 32;
	if ((f->type == 32) != (root_ent == 0))
		return -1;
	f->clus_bytes = bps * spc;
	f->root_off = (unsigned long long)(rsvd + nfats * fatsz) * bps;
	f->root_bytes = root_ent * 32;
	f->data_off = first_data * bps;
	/* the type follows the declared count; the clusters followed are
	 * those the image holds */
	if (f->data_off >= f->src->size)
		f->nclus = 0;
	else if (f->nclus > (f->src->size - f->data_off) / f->clus_bytes)
		f->nclus = (uint32_t)((f->src->size - f->data_off) / f->clus_bytes);
	f->root_clus = img_le32(b + 44);
	fat_bytes = fatsz * bps;
	/* the entries the clusters need, and no more than the image holds */
	if (fat_bytes > (unsigned long long)(f->nclus + 2) * 4)
		fat_bytes = (unsigned long long)(f->nclus + 2) * 4;
	if ((unsigned long long)rsvd * bps + fat_bytes > f->src->size)
		return -1;
	f->fat_len = (size_t)fat_bytes;
	f->fat = malloc(f->fat_len);
	f->used = calloc(f->nclus / 8 + 1, 1);
	if (f->fat == NULL || f->used == NULL)
		return -1;
	return insp_src_read(f->src, (unsigned long long)rsvd * bps, f->fat,
			     f->fat_len);
}

/* fat_next - the entry of cluster c: the next cluster, or 0 when the
 * chain ends (end mark, free, bad, out of range) */
static uint32_t
fat_next(const struct fat *f, uint32_t c)
{
	size_t off;
	uint32_t v, eoc;

	if (f->type == 12) {
		off = c + c / 2;
		if (off + 2 > f->fat_len)
			return 0;
		v = img_le16(f->fat + off);
		v = c & 1 ? v >> 4 : v & 0xFFF;
		eoc = 0xFF7;
	} else if (f->type == 16) {
		off = (size_t)c * 2;
		if (off + 2 > f->fat_len)
			return 0;
		v = img_le16(f->fat + off);
		eoc = 0xFFF7;
	} else {
		off = (size_t)c * 4;
		if (off + 4 > f->fat_len)
			return 0;
		v = img_le32(f->fat + off) & 0x0FFFFFFF;
		eoc = 0x0FFFFFF7;
	}
	if (v >= eoc || v < 2 || v - 2 >= f->nclus)
		return 0;
	return v;
}

/* fat_chain_build - up to max clusters from first; each cluster is
 * claimed once for the whole image (a second claim is a loop or a
 * cross-link: BROKEN, the chain stops there) and must lie in the image */
static int
fat_chain_build(struct fat *f, uint32_t first, size_t max, struct fat_chain *ch)
{
	uint32_t c = first;

	ch->f = f;
	ch->n = 0;
	ch->clus = max ? calloc(max, sizeof(*ch->clus)) : NULL;
	if (max && ch->clus == NULL)
		return -1;
	if (max && (first < 2 || first - 2 >= f->nclus)) {
		f->res |= INSP_LISTER_BROKEN;
		return 0;
	}
	while (c != 0 && ch->n < max) {
		uint32_t i = c - 2;

		if (f->data_off + (unsigned long long)(i + 1) * f->clus_bytes >
		    f->src->size || (f->used[i / 8] & (1u << (i % 8)))) {
			f->res |= INSP_LISTER_BROKEN;
			break;
		}
		f->used[i / 8] |= 1u << (i % 8);
		ch->clus[ch->n++] = c;
		c = fat_next(f, c);
	}
	return 0;
}

/* fat_chain_read - insp_read_fn over a chain */
static int
fat_chain_read(const struct insp_src *s, unsigned long long off, void *buf,
	       size_t len)
{
	const struct fat_chain *ch = s->h;
	const struct fat *f = ch->f;
	unsigned char *p = buf;

	while (len > 0) {
		unsigned long long idx = off / f->clus_bytes;
		size_t in = (size_t)(off % f->clus_bytes);
		size_t take = f->clus_bytes - in;

		if (idx >= ch->n)
			return -1;
		if (take > len)
			take = len;
		if (insp_src_read(f->src, f->data_off +
				  (unsigned long long)(ch->clus[idx] - 2) *
				  f->clus_bytes + in, p, take) < 0)
			return -1;
		p += take;
		off += take;
		len -= take;
	}
	return 0;
}

/* fat_chain_src - a source over the first size bytes of a chain */
static void
fat_chain_src(struct insp_src *s, struct fat_chain *ch, unsigned long long size)
{
	memset(s, 0, sizeof(*s));
	s->read = fat_chain_read;
	s->size = size;
	s->h = ch;
	s->fd = -1;
}

/* a long name being collected from its VFAT entries (last part first) */
struct fat_lfn {
	uint16_t u[20 * 13 + 1];
	unsigned expect;               /* sequence number expected next */
	int active;                    /* entries seen since the first one */
	unsigned char sum;             /* the short name's checksum */
};

/* lfn_entry - take one long-name entry; out-of-order entries drop the
 * name being collected */
static void
lfn_entry(struct fat_lfn *l, const unsigned char *e)
{
	static const unsigned char pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20,
					       22, 24, 28, 30 };
	unsigned seq = e[0] & 0x1F, i;

	if (e[0] & 0x40) {
		memset(l->u, 0, sizeof(l->u));
		l->active = 1;
		l->expect = seq;
		l->sum = e[13];
	}
	if (!l->active || seq == 0 || seq > 20 || seq != l->expect ||
	    e[13] != l->sum) {
		l->active = 0;
		return;
	}
	for (i = 0; i < 13; i++) {
		unsigned v = img_le16(e + pos[i]);

		l->u[(seq - 1) * 13 + i] = v == 0xFFFF ? 0 : (uint16_t)v;
	}
	l->expect = seq - 1;
}

static unsigned char
short_sum(const unsigned char *e)
{
	unsigned char s = 0;
	int i;

	for (i = 0; i < 11; i++)
		s = (unsigned char)(((s & 1) << 7) + (s >> 1) + e[i]);
	return s;
}

/* short_part - n bytes of an 8.3 name part, trailing spaces cut */
static int
short_part(const unsigned char *p, int n, int lower, char *out, size_t cap,
	   size_t *len)
{
	int i;

	while (n > 0 && p[n - 1] == ' ')
		n--;
	for (i = 0; i < n; i++) {
		unsigned c = i == 0 && p[0] == 0x05 ? 0xE5 : p[i];

		if (lower && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (img_utf8_put(out, cap, len, c < 0x80 ? c : cp850[c - 0x80]) < 0)
			return -1;
	}
	return 0;
}

/* entry_name - the long name when its checksum matches, else 8.3 */
static int
entry_name(const struct fat_lfn *l, const unsigned char *e, char *out,
	   size_t cap)
{
	size_t len = 0;

	if (l->active && l->expect == 0 && l->sum == short_sum(e))
		return img_utf16_to_utf8(l->u, 20 * 13, out, cap);
	out[0] = '\0';
	if (short_part(e, 8, e[12] & 0x08, out, cap, &len) < 0)
		return -1;
	if (e[8] != ' ' && (img_utf8_put(out, cap, &len, '.') < 0 ||
			    short_part(e + 8, 3, e[12] & 0x10, out, cap, &len) < 0))
		return -1;
	return 0;
}

static int fat_subdir(struct fat *f, uint32_t clus, const char *path,
		      unsigned depth);

/* fat_file - report one file, its content through its chain */
static void
fat_file(struct fat *f, const char *path, const unsigned char *e)
{
	uint32_t clus = img_le16(e + 26) |
			(f->type == 32 ? (uint32_t)img_le16(e + 20) << 16 : 0);
	unsigned long long size = img_le32(e + 28);
	size_t need = (size_t)((size + f->clus_bytes - 1) / f->clus_bytes);
	struct fat_chain ch;
	struct insp_src content;
	struct insp_found found = { INSP_FOUND_FILE, path, size, NULL };

	if (need > f->nclus) {
		f->res |= INSP_LISTER_BROKEN;
		need = 0;
	}
	if (fat_chain_build(f, clus, need, &ch) == 0 && ch.n == need) {
		fat_chain_src(&content, &ch, size);
		found.content = &content;
	} else {
		f->res |= INSP_LISTER_BROKEN;
	}
	f->cb(f->ctx, &found);
	free(ch.clus);
}

/* fat_entry - one short entry: a file reported, a directory entered;
 * -1 to stop the listing */
static int
fat_entry(struct fat *f, const struct fat_lfn *l, const unsigned char *e,
	  const char *dir, unsigned depth)
{
	char name[IMG_PATH_MAX], path[IMG_PATH_MAX];

	if (e[0] == '.' && (e[1] == ' ' || (e[1] == '.' && e[2] == ' ')))
		return 0;
	if (entry_name(l, e, name, sizeof(name)) < 0 || name[0] == '\0' ||
	    img_path_join(path, sizeof(path), dir, name) < 0) {
		f->res |= INSP_LISTER_BROKEN;
		return 0;
	}
	if (++f->count > f->max_entries) {
		f->res |= INSP_LISTER_TOO_MANY;
		return -1;
	}
	if (e[11] & 0x10)
		return fat_subdir(f, img_le16(e + 26) | (f->type == 32 ?
				  (uint32_t)img_le16(e + 20) << 16 : 0),
				  path, depth + 1);
	fat_file(f, path, e);
	return 0;
}

/* fat_dir - the entries of one directory's bytes */
static int
fat_dir(struct fat *f, const unsigned char *buf, size_t len, const char *dir,
	unsigned depth)
{
	struct fat_lfn l = { .active = 0 };
	size_t off;

	for (off = 0; off + 32 <= len; off += 32) {
		const unsigned char *e = buf + off;

		if (e[0] == 0x00)
			break;
		if (e[0] == 0xE5) {
			l.active = 0;
		} else if ((e[11] & 0x3F) == 0x0F) {
			lfn_entry(&l, e);
		} else if (e[11] & 0x08) {
			l.active = 0;
		} else {
			if (fat_entry(f, &l, e, dir, depth) < 0)
				return -1;
			l.active = 0;
		}
	}
	return 0;
}

/* fat_subdir - read a directory's clusters and list them */
static int
fat_subdir(struct fat *f, uint32_t clus, const char *path, unsigned depth)
{
	struct fat_chain ch;
	unsigned char *buf;
	int rc = 0;

	if (depth > IMG_MAX_DEPTH) {
		f->res |= INSP_LISTER_BROKEN;
		return 0;
	}
	if (fat_chain_build(f, clus, FAT_DIR_MAX / f->clus_bytes, &ch) < 0)
		return -1;
	buf = ch.n ? malloc(ch.n * f->clus_bytes) : NULL;
	if (ch.n && buf == NULL) {
		free(ch.clus);
		return -1;
	}
	if (ch.n && fat_chain_read(&(struct insp_src){ .h = &ch }, 0, buf,
				   ch.n * f->clus_bytes) < 0)
		f->res |= INSP_LISTER_BROKEN;
	else if (ch.n)
		rc = fat_dir(f, buf, ch.n * f->clus_bytes, path, depth);
	free(buf);
	free(ch.clus);
	return rc;
}

static int
fat_probe(const struct insp_src *src)
{
	unsigned char b[512];

	return insp_src_read(src, 0, b, sizeof(b)) == 0 &&
	       scan_carrier_detect(b, sizeof(b)) == SCAN_CARRIER_FAT;
}

static unsigned
fat_list(const struct insp_src *src, unsigned max_entries, insp_found_fn *cb,
	 void *ctx)
{
	struct fat f = { .src = src, .max_entries = max_entries, .cb = cb,
			 .ctx = ctx };
	unsigned char b[512], *root;

	if (insp_src_read(src, 0, b, sizeof(b)) < 0 || fat_geometry(&f, b) < 0) {
		f.res |= INSP_LISTER_BROKEN;
	} else if (f.type == 32) {
		fat_subdir(&f, f.root_clus, "", 0);
	} else if ((root = malloc(f.root_bytes ? f.root_bytes : 1)) == NULL ||
		   insp_src_read(src, f.root_off, root, f.root_bytes) < 0) {
		f.res |= INSP_LISTER_BROKEN;
		free(root);
	} else {
		fat_dir(&f, root, f.root_bytes, "", 0);
		free(root);
	}
	free(f.fat);
	free(f.used);
	return f.res;
}

const struct insp_lister img_lister_fat = { "fat", fat_probe, fat_list };
