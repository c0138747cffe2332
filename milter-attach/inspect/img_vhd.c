/*
 * img_vhd.c - virtual disks: VHD (fixed: the raw disk then a 512-byte
 * "conectix" footer; dynamic: a footer copy at 0, a "cxsparse" header,
 * a block allocation table) and VHDX (the "vhdxfile" identifier, the
 * region table at 192 KiB, the metadata region's block size, disk size
 * and logical sector size, the BAT with its sector-bitmap entries)
 *
 * The disk inside is reported as one INSP_FOUND_VOLUME named "disk"
 * whose source maps each block through the BAT; unallocated blocks read
 * as zeros.  Not handled: differencing disks' parents (their absent
 * blocks read as zeros), VHDX log replay (a disk closed cleanly has an
 * empty log).  Hostile input: the BAT is bounded by the image and by
 * VDISK_MAP_MAX blocks, block sizes are powers of two within the
 * formats' ranges, the disk size is capped at VDISK_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "img_priv.h"

#define VDISK_MAX (1ULL << 46)         /* 64 TiB, VHDX's own limit */
#define VHDX_REGIONS 0x30000ULL        /* the region table, 192 KiB in */
#define VHDX_MAX_ITEMS 2047
#define VDISK_MAP_MAX (1u << 20)       /* blocks mapped; past them: zeros */

/* a virtual disk: the file offset of each block's data (0: zeros) */
struct vdisk {
	const struct insp_src *src;
	unsigned long long block;
	unsigned long long *map;
	size_t nmap;
};

/* vdisk_map_new - a map of n blocks, all zeros; past VDISK_MAP_MAX
 * blocks the rest read as zeros and *res gets BROKEN; -1 (and BROKEN)
 * when out of memory */
static int
vdisk_map_new(struct vdisk *d, unsigned long long n, unsigned *res)
{
	if (n > VDISK_MAP_MAX) {
		n = VDISK_MAP_MAX;
		*res |= INSP_LISTER_BROKEN;
	}
	d->nmap = (size_t)n;
	d->map = calloc(d->nmap ? d->nmap : 1, sizeof(*d->map));
	if (d->map == NULL) {
		*res |= INSP_LISTER_BROKEN;
		return -1;
	}
	return 0;
}

static int
vdisk_read(const struct insp_src *s, unsigned long long off, void *buf,
	   size_t len)
{
	const struct vdisk *d = s->h;
	unsigned char *p = buf;

	while (len > 0) {
		unsigned long long b = off / d->block, in = off % d->block;
		size_t take = d->block - in < len ? (size_t)(d->block - in) : len;

		if (b >= d->nmap || d->map[b] == 0)
			memset(p, 0, take);
		else if (insp_src_read(d->src, d->map[b] + in, p, take) < 0)
			return -1;
		p += take;
		off += take;
		len -= take;
	}
	return 0;
}

/* vdisk_fits - block b's data (its part of a disk of size bytes) lies
 * in the image */
static int
vdisk_fits(const struct vdisk *d, size_t b, unsigned long long size)
{
	unsigned long long at = (unsigned long long)b * d->block;
	unsigned long long need = size - at < d->block ? size - at : d->block;

	return at < size && d->map[b] <= d->src->size &&
	       need <= d->src->size - d->map[b];
}

/* vdisk_report - report the disk (size bytes) as the volume "disk" */
static unsigned
vdisk_report(struct vdisk *d, unsigned long long size, insp_found_fn *cb,
	     void *ctx)
{
	struct insp_src s = { vdisk_read, size, d, 0, -1 };
	struct insp_found f = { INSP_FOUND_VOLUME, "disk", size, &s };

	cb(ctx, &f);
	free(d->map);
	return 0;
}

/* a table read through a 4 KiB window (one read per 4 KiB, not per
 * entry) */
struct table_rd {
	const struct insp_src *src;
	unsigned long long at;         /* offset of buf in the image */
	size_t have;
	unsigned char buf[4096];
};

/* table_get - n bytes (n <= 8) at off into out; -1 past the image */
static int
table_get(struct table_rd *t, unsigned long long off, unsigned char *out,
	  size_t n)
{
	if (off < t->at || off - t->at + n > t->have) {
		unsigned long long left;

		if (off > t->src->size || n > t->src->size - off)
			return -1;
		left = t->src->size - off;
		t->have = left < sizeof(t->buf) ? (size_t)left : sizeof(t->buf);
		t->at = off;
		if (insp_src_read(t->src, off, t->buf, t->have) < 0) {
			t->have = 0;
			return -1;
		}
	}
	memcpy(out, t->buf + (off - t->at), n);
	return 0;
}

static int
pow2_in(unsigned long long v, unsigned long long lo, unsigned long long hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

/* --- VHD --- */

static int
vhd_footer(const struct insp_src *src, unsigned long long off,
	   unsigned char *f)
{
	return insp_src_read(src, off, f, 512) == 0 &&
	       memcmp(f, "conectix", 8) == 0;
}

static int
vhd_probe(const struct insp_src *src)
{
	unsigned char f[512];

	return vhd_footer(src, 0, f) ||
	       (src->size >= 512 && vhd_footer(src, src->size - 512, f));
}

/* vhd_dynamic - the BAT of a dynamic (or differencing) VHD */
static unsigned
vhd_dynamic(const struct insp_src *src, const unsigned char *foot,
	    insp_found_fn *cb, void *ctx)
{
	unsigned char h[1024], e[4];
	struct vdisk d = { src, 0, NULL, 0 };
	unsigned long long size = img_be64(foot + 48), table, bitmap;
	unsigned long long need, entries;
	unsigned res = 0;
	struct table_rd t = { .src = src };
	size_t i;

	if (insp_src_read(src, img_be64(foot + 16), h, sizeof(h)) < 0 ||
	    memcmp(h, "cxsparse", 8) != 0)
		return INSP_LISTER_BROKEN;
	table = img_be64(h + 16);
	entries = img_be32(h + 28);
	d.block = img_be32(h + 32);
	if (!pow2_in(d.block, 512, 1ULL << 28) || size > VDISK_MAX)
		return INSP_LISTER_BROKEN;
	bitmap = (d.block / 512 / 8 + 511) / 512 * 512;
	need = (size + d.block - 1) / d.block;
	if (entries > need)
		entries = need;
	if (table > src->size || entries > (src->size - table) / 4 || need > entries)
		res |= INSP_LISTER_BROKEN;
	if (table > src->size || entries > (src->size - table) / 4)
		entries = table > src->size ? 0 : (src->size - table) / 4;
	if (vdisk_map_new(&d, entries, &res) < 0)
		return res;
	for (i = 0; i < d.nmap; i++) {
		uint32_t sec;

		if (table_get(&t, table + i * 4, e, 4) < 0)
			break;
		sec = img_be32(e);
		if (sec == 0xFFFFFFFFu || sec == 0)
			continue;
		d.map[i] = (unsigned long long)sec * 512 + bitmap;
		if (!vdisk_fits(&d, i, size))
			res |= INSP_LISTER_BROKEN;     /* reads there fail */
	}
	return res | vdisk_report(&d, size, cb, ctx);
}

static unsigned
vhd_list(const struct insp_src *src, unsigned max_entries, insp_found_fn *cb,
	 void *ctx)
{
	unsigned char f[512];
	struct insp_src win;
	unsigned long long size;
	struct insp_found found = { INSP_FOUND_VOLUME, "disk", 0, &win };

	if (max_entries == 0)
		return INSP_LISTER_TOO_MANY;
	if (vhd_footer(src, 0, f))
		return vhd_dynamic(src, f, cb, ctx);
	if (src->size < 512 || !vhd_footer(src, src->size - 512, f))
		return INSP_LISTER_BROKEN;
	size = img_be64(f + 48);
	insp_src_window(&win, src, 0, size < src->size - 512 ? size :
			src->size - 512);
	found.size = win.size;
	cb(ctx, &found);
	return size > src->size - 512 ? INSP_LISTER_BROKEN : 0;
}

/* --- VHDX --- */

#define GUID_BAT "\x66\x77\xC2\x2D\x23\xF6\x00\x42\x9D\x64\x11\x5E\x9B\xFD\x4A\x08"
#define GUID_META "\x06\xA2\x7C\x8B\x90\x47\x9A\x4B\xB8\xFE\x57\x5F\x05\x0F\x88\x6E"
#define GUID_PARAMS "\x37\x67\xA1\xCA\x36\xFA\x43\x4D\xB3\xB6\x33\xF0\xAA\x44\xE7\x6B"
#define GUID_VSIZE "\x24\x42\xA5\x2F\x1B\xCD\x76\x48\xB2\x11\x5D\xBE\xD8\x3B\xF4\xB8"
#define GUID_LSS "\x1D\xBF\x41\x81\x6F\xA9\x09\x47\xBA\x47\xF2\x33\xA8\xFA\xAB\x5F"

struct vhdx {
	unsigned long long bat_off, bat_len, meta_off, meta_len;
	unsigned long long block, size, lss;
};

static int
vhdx_probe(const struct insp_src *src)
{
	unsigned char id[8];

	return insp_src_read(src, 0, id, 8) == 0 && memcmp(id, "vhdxfile", 8) == 0;
}

/* vhdx_regions - the BAT and metadata regions from the region table */
static int
vhdx_regions(const struct insp_src *src, struct vhdx *v)
{
	unsigned char h[16], e[32];
	unsigned n, i;

	if (insp_src_read(src, VHDX_REGIONS, h, sizeof(h)) < 0 ||
	    memcmp(h, "regi", 4) != 0)
		return -1;
	n = img_le32(h + 8);
	for (i = 0; i < n && i < VHDX_MAX_ITEMS; i++) {
		if (insp_src_read(src, VHDX_REGIONS + 16 + i * 32, e, 32) < 0)
			return -1;
		if (memcmp(e, GUID_BAT, 16) == 0) {
			v->bat_off = img_le64(e + 16);
			v->bat_len = img_le32(e + 24);
		} else if (memcmp(e, GUID_META, 16) == 0) {
			v->meta_off = img_le64(e + 16);
			v->meta_len = img_le32(e + 24);
		}
	}
	return v->bat_len && v->meta_len ? 0 : -1;
}

/* vhdx_item - read an item of the metadata region into v */
static int
vhdx_item(const struct insp_src *src, struct vhdx *v, const unsigned char *e)
{
	unsigned long long off = img_le32(e + 16), len = img_le32(e + 20);
	unsigned char d[8];

	if (off > v->meta_len || len > v->meta_len - off || len < 4)
		return -1;
	if (insp_src_read(src, v->meta_off + off, d, len < 8 ? 4 : 8) < 0)
		return -1;
	if (memcmp(e, GUID_PARAMS, 16) == 0)
		v->block = img_le32(d);
	else if (memcmp(e, GUID_VSIZE, 16) == 0 && len >= 8)
		v->size = img_le64(d);
	else if (memcmp(e, GUID_LSS, 16) == 0)
		v->lss = img_le32(d);
	return 0;
}

static int
vhdx_metadata(const struct insp_src *src, struct vhdx *v)
{
	unsigned char h[32], e[32];
	unsigned n, i;

	if (insp_src_read(src, v->meta_off, h, sizeof(h)) < 0 ||
	    memcmp(h, "metadata", 8) != 0)
		return -1;
	n = img_le16(h + 10);
	for (i = 0; i < n && i < VHDX_MAX_ITEMS; i++)
		if (insp_src_read(src, v->meta_off + 32 + i * 32, e, 32) < 0 ||
		    vhdx_item(src, v, e) < 0)
			return -1;
	if (!pow2_in(v->block, 1ULL << 20, 1ULL << 28) ||
	    (v->lss != 512 && v->lss != 4096) || v->size > VDISK_MAX)
		return -1;
	return 0;
}

static unsigned
vhdx_list(const struct insp_src *src, unsigned max_entries, insp_found_fn *cb,
	  void *ctx)
{
	struct vhdx v = { 0 };
	struct vdisk d = { src, 0, NULL, 0 };
	unsigned long long ratio, b, idx;
	unsigned char e[8];
	unsigned res = 0;
	struct table_rd t = { .src = src };

	if (max_entries == 0)
		return INSP_LISTER_TOO_MANY;
	if (vhdx_regions(src, &v) < 0 || vhdx_metadata(src, &v) < 0)
		return INSP_LISTER_BROKEN;
	ratio = ((1ULL << 23) * v.lss) / v.block;
	d.block = v.block;
	b = (v.size + v.block - 1) / v.block;
	if (vdisk_map_new(&d, b, &res) < 0)
		return res;
	for (b = 0; b < d.nmap; b++) {
		unsigned long long ent;

		idx = b + b / ratio;
		if (idx >= v.bat_len / 8 ||
		    table_get(&t, v.bat_off + idx * 8, e, 8) < 0) {
			res |= INSP_LISTER_BROKEN;
			break;
		}
		ent = img_le64(e);
		if ((ent & 7) != 6 && (ent & 7) != 7)
			continue;
		d.map[b] = (ent >> 20) << 20;
		if (!vdisk_fits(&d, (size_t)b, v.size))
			res |= INSP_LISTER_BROKEN;     /* reads there fail */
	}
	return res | vdisk_report(&d, v.size, cb, ctx);
}

const struct insp_lister img_lister_vhd = { "vhd", vhd_probe, vhd_list };
const struct insp_lister img_lister_vhdx = { "vhdx", vhdx_probe, vhdx_list };
