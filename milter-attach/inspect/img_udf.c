/*
 * img_udf.c - the UDF lister (ECMA-167 / OSTA UDF 1.02 to 2.60, as
 * mkudffs and genisoimage write them)
 *
 * The anchor (AVDP) at sector 256 (block sizes 512 to 4096 tried), the
 * main volume descriptor sequence (partition descriptors, the logical
 * volume descriptor and its partition maps: type 1, sparable (read as
 * type 1: its spared packets are not followed), and UDF 2.50's metadata
 * partition through its metadata file, or its mirror), the file set
 * descriptor, the root directory's ICB, then every directory's File
 * Identifier Descriptors, each child's File Entry or Extended File
 * Entry and its allocation descriptors (short, long, extended, in-ICB
 * data, continued through Allocation Extent Descriptors).  Names are
 * OSTA compressed Unicode (8 or 16 bit) turned into UTF-8.  A file's
 * content is a source over its extents (unrecorded ones read as zeros).
 * The reserve VDS is read when the main one has no logical volume; the
 * anchor at the last sector (or 256 before it) when sector 256 has none.
 * Not handled: the virtual partition (VAT) of write-once media, named
 * streams, extended attributes.  Hostile input: tags' checksums checked, every address
 * checked against its partition and the image, each directory entered
 * once (a cycle makes the listing BROKEN), IMG_MAX_DEPTH levels,
 * UDF_MAX_EXT extents per file, UDF_DIR_MAX bytes per directory.
 */
#include <stdlib.h>
#include <string.h>

#include "img_priv.h"

#define UDF_MAX_MAPS 4
#define UDF_MAX_PDS 8
#define UDF_MAX_EXT 16384
#define UDF_MAX_AED 64                 /* allocation extent descriptors */
#define UDF_DIR_MAX (16u << 20)
#define UDF_ZERO (~0ULL)               /* an extent that reads as zeros */

enum { TAG_AVDP = 2, TAG_VDP = 3, TAG_PD = 5, TAG_LVD = 6, TAG_TD = 8,
       TAG_FSD = 256, TAG_FID = 257, TAG_AED = 258, TAG_FE = 261,
       TAG_EFE = 266 };

struct udf_ext {
	unsigned long long at;         /* offset in the file */
	unsigned long long pos;        /* offset in the image, or UDF_ZERO */
	unsigned long long len;
};

struct udf_exts {
	struct udf_ext *v;
	size_t n, cap;
	unsigned long long total;
};

struct udf_map {
	int usable;
	unsigned number;               /* the partition number */
	unsigned long long start, len; /* bytes in the image */
	int meta;                      /* a metadata partition: through ext */
	uint32_t meta_loc[2];          /* metadata file and its mirror */
	struct udf_exts ext;
};

struct udf_pd {
	unsigned number;
	unsigned long long start, len;
};

struct udf {
	const struct insp_src *src;
	unsigned bs;
	struct udf_map map[UDF_MAX_MAPS];
	unsigned nmaps;
	struct udf_pd pd[UDF_MAX_PDS];
	unsigned npd;
	struct img_seen seen;
	unsigned max_entries, count, res;
	insp_found_fn *cb;
	void *ctx;
};

/* an ICB read: its kind, size, and the extents of its content */
struct udf_icb {
	unsigned type;                 /* 4 directory, 5 file ... */
	unsigned long long size;
	struct udf_exts ext;
};

/* tag_ok - a descriptor tag with identifier id and a good checksum */
static int
tag_ok(const unsigned char *t, unsigned id)
{
	unsigned sum = 0, i;

	for (i = 0; i < 16; i++)
		if (i != 4)
			sum += t[i];
	return (sum & 0xFF) == t[4] && img_le16(t) == id;
}

/* udf_block - block bs-sized lbn of the image into buf */
static int
udf_block(const struct udf *u, unsigned long long lbn, unsigned char *buf)
{
	if (lbn > u->src->size / u->bs)
		return -1;
	return insp_src_read(u->src, lbn * u->bs, buf, u->bs);
}

static int
exts_add(struct udf_exts *e, unsigned long long pos, unsigned long long len)
{
	if (len == 0)
		return 0;
	if (e->n && e->v[e->n - 1].pos != UDF_ZERO && pos != UDF_ZERO &&
	    e->v[e->n - 1].pos + e->v[e->n - 1].len == pos) {
		e->v[e->n - 1].len += len;
		e->total += len;
		return 0;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 8;
		struct udf_ext *v;

		if (cap > UDF_MAX_EXT)
			return -1;
		if ((v = realloc(e->v, cap * sizeof(*v))) == NULL)
			return -1;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = (struct udf_ext){ e->total, pos, len };
	e->total += len;
	return 0;
}

/* exts_find - the extent holding file offset off (e->n when none) */
static size_t
exts_find(const struct udf_exts *e, unsigned long long off)
{
	size_t lo = 0, hi = e->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->v[mid].at + e->v[mid].len <= off)
			lo = mid + 1;
		else if (e->v[mid].at > off)
			hi = mid;
		else
			return mid;
	}
	return e->n;
}

/* exts_read - len bytes at off of the content the extents describe */
static int
exts_read(const struct insp_src *img, const struct udf_exts *e,
	  unsigned long long off, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		size_t i = exts_find(e, off), take;
		unsigned long long in;

		if (i == e->n)
			return -1;
		in = off - e->v[i].at;
		take = e->v[i].len - in < len ? (size_t)(e->v[i].len - in) : len;
		if (e->v[i].pos == UDF_ZERO)
			memset(p, 0, take);
		else if (insp_src_read(img, e->v[i].pos + in, p, take) < 0)
			return -1;
		p += take;
		off += take;
		len -= take;
	}
	return 0;
}

/* udf_map_add - append the image ranges of len bytes from block lbn of
 * partition ref (a metadata partition maps through its file) */
static int
udf_map_add(const struct udf *u, unsigned ref, unsigned long long lbn,
	    unsigned long long len, struct udf_exts *out)
{
	const struct udf_map *m;
	unsigned long long off;

	if (ref >= u->nmaps || !u->map[ref].usable)
		return -1;
	m = &u->map[ref];
	if (lbn > (~0ULL >> 1) / u->bs)
		return -1;
	off = lbn * u->bs;
	if (!m->meta)
		return off > m->len || len > m->len - off ? -1 :
		       exts_add(out, m->start + off, len);
	while (len > 0) {
		size_t i = exts_find(&m->ext, off);
		unsigned long long in, take;

		if (i == m->ext.n || m->ext.v[i].pos == UDF_ZERO)
			return -1;
		in = off - m->ext.v[i].at;
		take = m->ext.v[i].len - in < len ? m->ext.v[i].len - in : len;
		if (exts_add(out, m->ext.v[i].pos + in, take) < 0)
			return -1;
		off += take;
		len -= take;
	}
	return 0;
}

/* udf_lblock - one logical block (ref, lbn) into buf (u->bs bytes);
 * *abs its place in the image */
static int
udf_lblock(const struct udf *u, unsigned ref, unsigned long long lbn,
	   unsigned char *buf, unsigned long long *abs)
{
	struct udf_exts e = { NULL, 0, 0, 0 };
	int rc = -1;

	if (udf_map_add(u, ref, lbn, u->bs, &e) == 0 && e.n == 1) {
		*abs = e.v[0].pos;
		rc = insp_src_read(u->src, e.v[0].pos, buf, u->bs);
	}
	free(e.v);
	return rc;
}

/* udf_ad - one allocation descriptor of kind adtype (0 short, 1 long,
 * 2 extended): its length, extent type, block and partition */
static size_t
udf_ad(unsigned adtype, const unsigned char *ad, unsigned ref, uint32_t *len,
       unsigned *etype, uint32_t *lbn, unsigned *eref)
{
	uint32_t l = img_le32(ad);

	*len = l & 0x3FFFFFFF;
	*etype = l >> 30;
	if (adtype == 0) {
		*lbn = img_le32(ad + 4);
		*eref = ref;
		return 8;
	}
	if (adtype == 1) {
		*lbn = img_le32(ad + 4);
		*eref = img_le16(ad + 8);
		return 16;
	}
	*lbn = img_le32(ad + 12);
	*eref = img_le16(ad + 16);
	return 20;
}

/* udf_ads - the extents that the descriptors ad[0..len) describe,
 * following allocation extent descriptors (blk: a block buffer) */
static int
udf_ads(const struct udf *u, unsigned ref, unsigned adtype,
	const unsigned char *ad, size_t len, struct udf_exts *out,
	unsigned char *blk)
{
	unsigned aeds = 0, etype, eref;
	size_t off = 0, sz = adtype == 0 ? 8 : adtype == 1 ? 16 : 20;
	uint32_t elen, lbn;
	unsigned long long abs;

	if (adtype > 2)
		return -1;
	while (off + sz <= len) {
		udf_ad(adtype, ad + off, ref, &elen, &etype, &lbn, &eref);
		off += sz;
		if (elen == 0 && etype == 0)
			return 0;
		if (etype == 3) {
			if (++aeds > UDF_MAX_AED ||
			    udf_lblock(u, eref, lbn, blk, &abs) < 0 ||
			    !tag_ok(blk, TAG_AED) ||
			    img_le32(blk + 20) > u->bs - 24)
				return -1;
			ad = blk + 24;
			len = img_le32(blk + 20);
			off = 0;
			continue;
		}
		if (etype == 0 ? udf_map_add(u, eref, lbn, elen, out) < 0 :
		    exts_add(out, UDF_ZERO, elen) < 0)
			return -1;
	}
	return 0;
}

/* udf_icb_read - the File Entry (or Extended File Entry) at (ref, lbn):
 * its type, size and content extents; *abs its place in the image */
static int
udf_icb_read(const struct udf *u, unsigned ref, unsigned long long lbn,
	     struct udf_icb *icb, unsigned long long *abs)
{
	unsigned char *b = malloc(u->bs), *aed = malloc(u->bs);
	unsigned hdr, adtype;
	unsigned long long lea, lad;
	int rc = -1;

	memset(icb, 0, sizeof(*icb));
	if (b == NULL || aed == NULL || udf_lblock(u, ref, lbn, b, abs) < 0)
		goto out;
	if (tag_ok(b, TAG_FE))
		hdr = 176;
	else if (tag_ok(b, TAG_EFE))
		hdr = 216;
	else
		goto out;
	icb->type = b[16 + 11];
	adtype = img_le16(b + 16 + 18) & 7;
	icb->size = img_le64(b + 56);
	lea = img_le32(b + hdr - 8);
	lad = img_le32(b + hdr - 4);
	if (lea > u->bs - hdr || lad > u->bs - hdr - lea)
		goto out;
	if (adtype == 3)
		rc = exts_add(&icb->ext, *abs + hdr + lea,
			      lad < icb->size ? lad : icb->size);
	else
		rc = udf_ads(u, ref, adtype, b + hdr + lea, (size_t)lad,
			     &icb->ext, aed);
out:
	free(b);
	free(aed);
	return rc;
}

/* udf_name - a File Identifier (compression id 8 or 16, then Latin-1
 * bytes or big-endian UTF-16) in UTF-8 */
static int
udf_name(const unsigned char *d, size_t n, char *out, size_t cap)
{
	uint16_t u[256];
	size_t i, k = 0;

	if (n == 0)
		return -1;
	if (d[0] == 8 || d[0] == 254) {
		for (i = 1; i < n; i++)
			u[k++] = d[i];
	} else if (d[0] == 16 || d[0] == 255) {
		for (i = 1; i + 1 < n; i += 2)
			u[k++] = (uint16_t)(d[i] << 8 | d[i + 1]);
	} else {
		return -1;
	}
	for (i = 0; i < k; i++)
		if (u[i] == 0)
			u[i] = 0xFFFD;     /* a NUL must not cut the name */
	return img_utf16_to_utf8(u, k, out, cap);
}

static int udf_dir(struct udf *u, const struct udf_icb *dir, const char *path,
		   unsigned depth);

/* a file's content: the image and the file's extents */
struct udf_file {
	const struct insp_src *img;
	const struct udf_exts *ext;
};

/* udf_src_read - insp_read_fn over a file's extents */
static int
udf_src_read(const struct insp_src *s, unsigned long long off, void *buf,
	     size_t len)
{
	const struct udf_file *file = s->h;

	return exts_read(file->img, file->ext, off, buf, len);
}

/* udf_child - one File Identifier's file (reported) or directory
 * (entered once); -1 to stop the listing */
static int
udf_child(struct udf *u, const unsigned char *fid, const char *name,
	  const char *dir, unsigned depth)
{
	char path[IMG_PATH_MAX];
	struct udf_icb icb;
	unsigned long long abs;
	struct udf_file file = { u->src, &icb.ext };
	struct insp_src content = { udf_src_read, 0, &file, 0, -1 };
	struct insp_found f = { INSP_FOUND_FILE, path, 0, NULL };
	int rc = 0;

	if (img_path_join(path, sizeof(path), dir, name) < 0 ||
	    udf_icb_read(u, img_le16(fid + 28), img_le32(fid + 24), &icb,
			 &abs) < 0) {
		u->res |= INSP_LISTER_BROKEN;
		free(icb.ext.v);
		return 0;
	}
	if (++u->count > u->max_entries) {
		u->res |= INSP_LISTER_TOO_MANY;
		rc = -1;
	} else if (icb.type == 4) {
		int seen = img_seen_add(&u->seen, abs);

		if (seen <= 0)
			u->res |= INSP_LISTER_BROKEN;
		else
			rc = udf_dir(u, &icb, path, depth + 1);
	} else {
		f.size = icb.size;
		if (icb.ext.total >= icb.size) {
			content.size = icb.size;
			f.content = &content;
		} else {
			u->res |= INSP_LISTER_BROKEN;
		}
		u->cb(u->ctx, &f);
	}
	free(icb.ext.v);
	return rc;
}

/* udf_dir - the File Identifier Descriptors of a directory */
static int
udf_dir(struct udf *u, const struct udf_icb *dir, const char *path,
	unsigned depth)
{
	unsigned long long len = dir->size;
	size_t off = 0;
	unsigned char *buf;
	char name[IMG_PATH_MAX];
	int rc = 0;

	if (depth > IMG_MAX_DEPTH || len > UDF_DIR_MAX || len > dir->ext.total) {
		u->res |= INSP_LISTER_BROKEN;
		if (depth > IMG_MAX_DEPTH)
			return 0;
		len = len > UDF_DIR_MAX ? UDF_DIR_MAX : len;
		len = len > dir->ext.total ? dir->ext.total : len;
	}
	if ((buf = malloc(len ? (size_t)len : 1)) == NULL)
		return -1;
	if (exts_read(u->src, &dir->ext, 0, buf, (size_t)len) < 0)
		len = 0, u->res |= INSP_LISTER_BROKEN;
	while (off + 38 <= len) {
		const unsigned char *f = buf + off;
		size_t lfi = f[19], liu = img_le16(f + 36);

		if (!tag_ok(f, TAG_FID) || 38 + liu + lfi > len - off) {
			u->res |= INSP_LISTER_BROKEN;
			break;
		}
		off += (38 + liu + lfi + 3) & ~(size_t)3;
		if (f[18] & 0x0C)          /* deleted, or the parent */
			continue;
		if (udf_name(f + 38 + liu, lfi, name, sizeof(name)) < 0 ||
		    name[0] == '\0') {
			u->res |= INSP_LISTER_BROKEN;
			continue;
		}
		if ((rc = udf_child(u, f, name, path, depth)) < 0)
			break;
	}
	free(buf);
	return rc;
}

/* anchor_at - the anchor (AVDP) recorded at sector sec of bs bytes */
static int
anchor_at(const struct insp_src *src, unsigned bs, unsigned long long sec,
	  unsigned char *avdp)
{
	return sec <= 0xFFFFFFFFu && insp_src_read(src, sec * bs, avdp, 32) == 0 &&
	       tag_ok(avdp, TAG_AVDP) && img_le32(avdp + 12) == sec;
}

/* udf_anchor - the block size whose sector 256 (or, that one damaged,
 * the last sector, or the one 256 before it) holds the anchor (read
 * into avdp); 0 when none */
static unsigned
udf_anchor(const struct insp_src *src, unsigned char *avdp)
{
	unsigned bs;

	for (bs = 512; bs <= 4096; bs *= 2)
		if (anchor_at(src, bs, 256, avdp))
			return bs;
	for (bs = 512; bs <= 4096; bs *= 2) {
		unsigned long long n = src->size / bs;

		if ((n > 257 && anchor_at(src, bs, n - 1, avdp)) ||
		    (n > 513 && anchor_at(src, bs, n - 257, avdp)))
			return bs;
	}
	return 0;
}

/* udf_vds - the partition descriptors and the logical volume descriptor
 * (into lvd) of the volume descriptor sequence whose extent is at offset
 * ext of the anchor (16: the main one, 24: the reserve) */
static int
udf_vds(struct udf *u, const unsigned char *avdp, unsigned ext,
	unsigned char *lvd)
{
	unsigned long long loc = img_le32(avdp + ext + 4);
	unsigned n = img_le32(avdp + ext) / u->bs, i;
	unsigned char *b = malloc(u->bs);
	int have = 0;

	u->npd = 0;
	for (i = 0; b != NULL && i < n && i < 64; i++) {
		if (udf_block(u, loc + i, b) < 0 || tag_ok(b, TAG_TD))
			break;
		if (tag_ok(b, TAG_PD) && u->npd < UDF_MAX_PDS) {
			u->pd[u->npd++] = (struct udf_pd){ img_le16(b + 22),
				(unsigned long long)img_le32(b + 188) * u->bs,
				(unsigned long long)img_le32(b + 192) * u->bs };
		} else if (tag_ok(b, TAG_LVD)) {
			memcpy(lvd, b, u->bs);
			have = 1;
		}
	}
	free(b);
	return have ? 0 : -1;
}

/* udf_phys - map m onto the partition descriptor numbered number */
static void
udf_phys(struct udf *u, struct udf_map *m, unsigned number)
{
	unsigned i;

	m->number = number;
	for (i = 0; i < u->npd; i++) {
		if (u->pd[i].number != number || u->pd[i].start > u->src->size)
			continue;
		m->start = u->pd[i].start;
		m->len = u->pd[i].len;
		if (m->len > u->src->size - m->start) {
			m->len = u->src->size - m->start;
			u->res |= INSP_LISTER_BROKEN;
		}
		m->usable = 1;
		return;
	}
}

/* udf_maps - the logical volume's partition maps */
static int
udf_maps(struct udf *u, const unsigned char *lvd)
{
	unsigned n = img_le32(lvd + 268), off = 440, i;

	if (img_le32(lvd + 212) != u->bs)
		return -1;
	for (i = 0; i < n && i < UDF_MAX_MAPS; i++) {
		const unsigned char *p = lvd + off;
		struct udf_map *m = &u->map[u->nmaps++];

		if (off + 6 > u->bs || p[1] < 6 || off + p[1] > u->bs)
			return -1;
		off += p[1];
		if (p[0] == 1) {
			udf_phys(u, m, img_le16(p + 4));
		} else if (p[0] == 2 && p[1] >= 64 &&
			   memcmp(p + 5, "*UDF Metadata Partition", 23) == 0) {
			m->meta = 1;
			m->number = img_le16(p + 38);
			m->meta_loc[0] = img_le32(p + 40);
			m->meta_loc[1] = img_le32(p + 44);
		} else if (p[0] == 2 && p[1] >= 64 &&
			   memcmp(p + 5, "*UDF Sparable Partition", 23) == 0) {
			udf_phys(u, m, img_le16(p + 38));
		}                          /* else (virtual): unusable */
	}
	return 0;
}

/* udf_meta - the extents of each metadata partition's file (or of its
 * mirror), read from the physical partition of the same number */
static void
udf_meta(struct udf *u)
{
	unsigned i, j, k;
	struct udf_icb icb;
	unsigned long long abs;

	for (i = 0; i < u->nmaps; i++) {
		if (!u->map[i].meta)
			continue;
		for (j = 0; j < u->nmaps; j++)
			if (!u->map[j].meta && u->map[j].usable &&
			    u->map[j].number == u->map[i].number)
				break;
		for (k = 0; j < u->nmaps && k < 2 && !u->map[i].usable; k++) {
			if (udf_icb_read(u, j, u->map[i].meta_loc[k], &icb,
					 &abs) == 0) {
				u->map[i].ext = icb.ext;
				u->map[i].usable = 1;
			} else {
				free(icb.ext.v);
			}
		}
		if (!u->map[i].usable)
			u->res |= INSP_LISTER_BROKEN;
	}
}

/* udf_root - the file set descriptor, then the root directory */
static void
udf_root(struct udf *u, const unsigned char *lvd)
{
	unsigned char *b = malloc(u->bs);
	struct udf_icb root = { 0 };
	unsigned long long abs;

	if (b == NULL || udf_lblock(u, img_le16(lvd + 256), img_le32(lvd + 252),
				    b, &abs) < 0 || !tag_ok(b, TAG_FSD) ||
	    udf_icb_read(u, img_le16(b + 408), img_le32(b + 404), &root,
			 &abs) < 0 || root.type != 4 ||
	    img_seen_add(&u->seen, abs) <= 0)
		u->res |= INSP_LISTER_BROKEN;
	else
		udf_dir(u, &root, "", 0);
	free(root.ext.v);
	free(b);
}

static int
udf_probe(const struct insp_src *src)
{
	unsigned char avdp[32];

	return udf_anchor(src, avdp) != 0;
}

static unsigned
udf_list(const struct insp_src *src, unsigned max_entries, insp_found_fn *cb,
	 void *ctx)
{
	struct udf u = { .src = src, .max_entries = max_entries, .cb = cb,
			 .ctx = ctx };
	unsigned char avdp[32], *lvd = NULL;
	unsigned i;

	img_seen_init(&u.seen, max_entries + 1);
	if ((u.bs = udf_anchor(src, avdp)) == 0 ||
	    (lvd = calloc(1, u.bs)) == NULL ||
	    (udf_vds(&u, avdp, 16, lvd) < 0 && udf_vds(&u, avdp, 24, lvd) < 0) ||
	    udf_maps(&u, lvd) < 0) {
		u.res |= INSP_LISTER_BROKEN;
	} else {
		udf_meta(&u);
		udf_root(&u, lvd);
	}
	for (i = 0; i < u.nmaps; i++)
		free(u.map[i].ext.v);
	free(lvd);
	img_seen_free(&u.seen);
	return u.res;
}

const struct insp_lister img_lister_udf = { "udf", udf_probe, udf_list };
