/*
 * img_ntfs.c - the NTFS lister: the boot sector, the MFT (through its
 * own $DATA runs), each in-use base record's $FILE_NAME (the Win32 or
 * POSIX name rather than the DOS 8.3 one) and parent, paths built from
 * the parents up to the root (record 5); each file's unnamed $DATA as
 * its content (resident, or through its run list; sparse runs read as
 * zeros)
 *
 * Windows formats the disk inside a VHD/VHDX as NTFS by default.  Not
 * listed: system files (records below 24 and what lies under them, such
 * as $Extend), alternate data streams, a $DATA in an extension record
 * (a file fragmented enough to need an attribute list: listed by name,
 * from its base or extension records, without content), compressed or
 * encrypted data (listed by name, content not readable).  Hostile input: update sequence
 * fixups checked, every attribute and run bounded by its record, at most
 * NTFS_MAX_RECORDS records and NTFS_MAX_RUNS runs, paths at most
 * IMG_MAX_DEPTH deep (a parent cycle makes the listing BROKEN).
 */
#include <stdlib.h>
#include <string.h>

#include "img_priv.h"

#define NTFS_MAX_RECORDS (1u << 18)
#define NTFS_MAX_RUNS 4096
#define NTFS_FIRST_USER 24             /* records below: system files */
#define NTFS_ROOT 5

struct ntfs_run {
	unsigned long long vcn, len;   /* clusters */
	long long lcn;                 /* -1: sparse */
};

struct ntfs_runs {
	struct ntfs_run v[NTFS_MAX_RUNS];
	size_t n;
};

struct ntfs_rec {
	unsigned long long parent;
	char *name;
	unsigned char ns;              /* the name's namespace: 2 = DOS */
	unsigned char in_use, dir;
};

struct ntfs {
	const struct insp_src *src;
	unsigned long long clus, rec;  /* bytes */
	struct ntfs_runs mft;
	unsigned long long mft_size;
	struct ntfs_rec *r;
	size_t n;
	unsigned char *buf;            /* one record */
	unsigned max_entries, count, res;
	insp_found_fn *cb;
	void *ctx;
};

/* runs_read - len bytes at byte offset off of a run-mapped stream of
 * cluster size clus */
static int
runs_read(const struct insp_src *img, const struct ntfs_runs *rl,
	  unsigned long long clus, unsigned long long off, void *buf,
	  size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		unsigned long long vcn = off / clus, in, take, end;
		size_t i;

		for (i = 0; i < rl->n && (vcn < rl->v[i].vcn ||
					  vcn - rl->v[i].vcn >= rl->v[i].len); i++)
			;
		if (i == rl->n)
			return -1;
		end = (rl->v[i].vcn + rl->v[i].len) * clus;
		take = end - off < len ? end - off : len;
		in = off - rl->v[i].vcn * clus;
		if (rl->v[i].lcn < 0)
			memset(p, 0, (size_t)take);
		else if (insp_src_read(img, (unsigned long long)rl->v[i].lcn *
				       clus + in, p, (size_t)take) < 0)
			return -1;
		p += take;
		off += take;
		len -= (size_t)take;
	}
	return 0;
}

/* runs_decode - the run list at p[0..n) (a non-resident attribute's) */
static int
runs_decode(const unsigned char *p, size_t n, struct ntfs_runs *rl)
{
	unsigned long long vcn = 0;
	long long lcn = 0;
	size_t off = 0;

	rl->n = 0;
	while (off < n && p[off] != 0) {
		unsigned ls = p[off] & 0x0F, os = p[off] >> 4, k;
		unsigned long long len = 0, d = 0;

		if (ls == 0 || ls > 8 || os > 8 || off + 1 + ls + os > n ||
		    rl->n == NTFS_MAX_RUNS)
			return -1;
		for (k = 0; k < ls; k++)
			len |= (unsigned long long)p[off + 1 + k] << (8 * k);
		for (k = 0; k < os; k++)
			d |= (unsigned long long)p[off + 1 + ls + k] << (8 * k);
		if (os > 0 && os < 8 && (d >> (8 * os - 1)) & 1)
			d |= ~0ULL << (8 * os);      /* negative */
		if (os > 0)
			lcn += (long long)d;
		if (len == 0 || (os > 0 && lcn < 0) || vcn + len < vcn)
			return -1;
		rl->v[rl->n++] = (struct ntfs_run){ vcn, len, os ? lcn : -1 };
		vcn += len;
		off += 1 + ls + os;
	}
	return 0;
}

/* ntfs_record - record i of the MFT into n->buf, its fixups applied;
 * 1 when in use, 0 when not (or never used), -1 when damaged, -2 when
 * past the image */
static int
ntfs_record(struct ntfs *n, unsigned long long i)
{
	unsigned char *b = n->buf;
	unsigned usa, cnt, k;

	if (runs_read(n->src, &n->mft, n->clus, i * n->rec, b, n->rec) < 0)
		return -2;
	if (memcmp(b, "FILE", 4) != 0)
		return 0;
	usa = img_le16(b + 4);
	cnt = img_le16(b + 6);
	if (cnt == 0 || usa + 2ULL * cnt > n->rec || (cnt - 1) * 512ULL > n->rec)
		return -1;
	for (k = 1; k < cnt; k++) {
		unsigned char *end = b + k * 512 - 2;

		if (memcmp(end, b + usa, 2) != 0)
			return -1;
		memcpy(end, b + usa + 2 * k, 2);
	}
	return (img_le16(b + 22) & 1) != 0;
}

/* attr_next - the next attribute at *off of the record in n->buf: its
 * start, or NULL at the end (or on a bad length) */
static const unsigned char *
attr_next(const struct ntfs *n, size_t *off)
{
	const unsigned char *a = n->buf + *off;
	uint32_t len;

	if (*off + 16 > n->rec || img_le32(a) == 0xFFFFFFFFu)
		return NULL;
	len = img_le32(a + 4);
	if (len < 16 || len > n->rec - *off || (len & 7))
		return NULL;
	*off += len;
	return a;
}

/* attr_value - a resident attribute's value (*len bytes), or NULL */
static const unsigned char *
attr_value(const unsigned char *a, size_t *len)
{
	uint32_t alen = img_le32(a + 4), vlen = img_le32(a + 16);
	unsigned voff = img_le16(a + 20);

	if (a[8] != 0 || alen < 24 || voff > alen || vlen > alen - voff)
		return NULL;
	*len = vlen;
	return a + voff;
}

/* rec_name - take the record's $FILE_NAME (a Win32 or POSIX name over a
 * DOS one) */
static void
rec_name(struct ntfs *n, struct ntfs_rec *r)
{
	size_t off = img_le16(n->buf + 20), vlen, k;
	const unsigned char *a, *v;
	uint16_t u[255];
	char name[IMG_PATH_MAX];

	while ((a = attr_next(n, &off)) != NULL) {
		if (img_le32(a) != 0x30 || (v = attr_value(a, &vlen)) == NULL ||
		    vlen < 66 || 66 + 2 * (size_t)v[64] > vlen)
			continue;
		if (r->name != NULL && !(r->ns == 2 && v[65] != 2))
			continue;
		for (k = 0; k < v[64]; k++)
			u[k] = (uint16_t)img_le16(v + 66 + 2 * k);
		for (k = 0; k < v[64]; k++)
			if (u[k] == 0)
				u[k] = 0xFFFD;
		if (img_utf16_to_utf8(u, v[64], name, sizeof(name)) < 0 ||
		    name[0] == '\0')
			continue;
		free(r->name);
		r->name = strdup(name);
		r->ns = v[65];
		r->parent = img_le64(v) & 0xFFFFFFFFFFFFULL;
	}
}

/* ntfs_collect - pass 1: every base record's name (or its extension
 * records'), parent and kind */
static int
ntfs_collect(struct ntfs *n)
{
	unsigned long long i, base;

	n->n = (size_t)(n->mft_size / n->rec);
	if (n->n > NTFS_MAX_RECORDS) {
		n->n = NTFS_MAX_RECORDS;
		n->res |= INSP_LISTER_BROKEN;
	}
	if ((n->r = calloc(n->n ? n->n : 1, sizeof(*n->r))) == NULL)
		return -1;
	for (i = 0; i < n->n; i++) {
		int rc = ntfs_record(n, i);

		if (rc == -2) {
			n->res |= INSP_LISTER_BROKEN;
			break;
		}
		if (rc != 1)
			continue;              /* free */
		base = img_le64(n->buf + 32) & 0xFFFFFFFFFFFFULL;
		if (base != 0) {               /* an extension record */
			if (base < n->n)
				rec_name(n, &n->r[base]);
			continue;
		}
		n->r[i].in_use = 1;
		n->r[i].dir = (img_le16(n->buf + 22) & 2) != 0;
		rec_name(n, &n->r[i]);
	}
	return 0;
}

/* ntfs_path - record i's path from the root: 1, 0 for a system file,
 * -1 when its parents do not lead to the root */
static int
ntfs_path(const struct ntfs *n, size_t i, char *out, size_t cap)
{
	size_t chain[IMG_MAX_DEPTH], depth = 0, k, len = 0;
	unsigned long long j = i;

	while (j != NTFS_ROOT) {
		if (j < NTFS_FIRST_USER)
			return 0;
		if (depth == IMG_MAX_DEPTH || j >= n->n || !n->r[j].in_use ||
		    n->r[j].name == NULL || (depth > 0 && !n->r[j].dir))
			return -1;
		chain[depth++] = (size_t)j;
		j = n->r[j].parent;
	}
	out[0] = '\0';
	for (k = depth; k-- > 0;) {
		const char *c = n->r[chain[k]].name;
		size_t cl = strlen(c);

		if (len + cl + 2 > cap)
			return -1;
		if (len)
			out[len++] = '/';
		memcpy(out + len, c, cl + 1);
		len += cl;
	}
	return depth > 0;
}

/* a file's content: resident bytes, or runs */
struct ntfs_file {
	const struct ntfs *n;
	unsigned char *bytes;
	struct ntfs_runs *runs;
};

static int
file_read(const struct insp_src *s, unsigned long long off, void *buf,
	  size_t len)
{
	const struct ntfs_file *f = s->h;

	if (f->bytes != NULL) {
		memcpy(buf, f->bytes + off, len);
		return 0;
	}
	return runs_read(f->n->src, f->runs, f->n->clus, off, buf, len);
}

/* file_data - the unnamed $DATA of the record in n->buf as a source;
 * 0 when there is none or it cannot be read (compressed, encrypted) */
static int
file_data(struct ntfs *n, struct ntfs_file *f, struct insp_src *s)
{
	size_t off = img_le16(n->buf + 20), vlen;
	const unsigned char *a, *v;

	while ((a = attr_next(n, &off)) != NULL) {
		uint32_t alen = img_le32(a + 4);
		unsigned roff;

		if (img_le32(a) != 0x80 || a[9] != 0)
			continue;
		*s = (struct insp_src){ file_read, 0, f, 0, -1 };
		if ((v = attr_value(a, &vlen)) != NULL) {
			if ((f->bytes = malloc(vlen ? vlen : 1)) == NULL)
				return 0;
			memcpy(f->bytes, v, vlen);
			s->size = vlen;
			return 1;
		}
		roff = img_le16(a + 32);
		if (a[8] != 1 || alen < 64 || roff > alen ||
		    (img_le16(a + 12) & 0x40FF) != 0 ||
		    (f->runs = malloc(sizeof(*f->runs))) == NULL ||
		    runs_decode(a + roff, alen - roff, f->runs) < 0)
			return 0;
		s->size = img_le64(a + 48);
		return 1;
	}
	return 0;
}

/* ntfs_report - pass 2: each file with its path and content; -1 to stop */
static int
ntfs_report(struct ntfs *n, size_t i)
{
	char path[IMG_PATH_MAX];
	struct ntfs_file f = { n, NULL, NULL };
	struct insp_src s;
	struct insp_found found = { INSP_FOUND_FILE, path, 0, NULL };
	int rc = ntfs_path(n, i, path, sizeof(path));

	if (rc < 0)
		n->res |= INSP_LISTER_BROKEN;
	if (rc <= 0)
		return 0;
	if (++n->count > n->max_entries) {
		n->res |= INSP_LISTER_TOO_MANY;
		return -1;
	}
	if (ntfs_record(n, i) == 1 && file_data(n, &f, &s)) {
		found.size = s.size;
		found.content = &s;
	}
	n->cb(n->ctx, &found);
	free(f.bytes);
	free(f.runs);
	return 0;
}

/* ntfs_mount - the boot sector's geometry, then the MFT's own runs */
static int
ntfs_mount(struct ntfs *n)
{
	unsigned char b[512];
	unsigned bps, spc;
	signed char cpr;
	size_t off, vlen;
	const unsigned char *a;

	if (insp_src_read(n->src, 0, b, sizeof(b)) < 0)
		return -1;
	bps = img_le16(b + 11);
	spc = b[13];
	cpr = (signed char)b[64];
	if (bps < 256 || bps > 4096 || (bps & (bps - 1)) || spc == 0)
		return -1;
	n->clus = spc <= 0x80 ? (unsigned long long)bps * spc :
		  (spc >= 0xE0 ? 1ULL << (256 - spc) : 0);
	n->rec = cpr > 0 ? n->clus * (unsigned)cpr :
		 (cpr < 0 && cpr >= -16 ? 1ULL << -cpr : 0);
	if (n->clus == 0 || n->clus > (1u << 21) || n->rec < 512 ||
	    n->rec > 65536 || (n->rec & (n->rec - 1)) ||
	    img_le64(b + 48) > n->src->size / n->clus ||
	    (n->buf = malloc(n->rec)) == NULL)
		return -1;
	n->mft.v[0] = (struct ntfs_run){ 0, (n->rec + n->clus - 1) / n->clus,
					 (long long)img_le64(b + 48) };
	n->mft.n = 1;
	if (ntfs_record(n, 0) != 1)
		return -1;
	off = img_le16(n->buf + 20);
	while ((a = attr_next(n, &off)) != NULL) {
		uint32_t alen = img_le32(a + 4);
		unsigned roff = img_le16(a + 32);

		if (img_le32(a) != 0x80 || a[9] != 0 ||
		    attr_value(a, &vlen) != NULL)
			continue;
		if (a[8] != 1 || alen < 64 || roff > alen)
			return -1;
		n->mft_size = img_le64(a + 48);
		return runs_decode(a + roff, alen - roff, &n->mft);
	}
	return -1;
}

static int
ntfs_probe(const struct insp_src *src)
{
	unsigned char b[512];

	return insp_src_read(src, 0, b, sizeof(b)) == 0 &&
	       memcmp(b + 3, "NTFS    ", 8) == 0 && b[510] == 0x55 &&
	       b[511] == 0xAA;
}

static unsigned
ntfs_list(const struct insp_src *src, unsigned max_entries, insp_found_fn *cb,
	  void *ctx)
{
	struct ntfs *n = calloc(1, sizeof(*n));
	unsigned res;
	size_t i;

	if (n == NULL)
		return INSP_LISTER_BROKEN;
	*n = (struct ntfs){ .src = src, .max_entries = max_entries, .cb = cb,
			    .ctx = ctx };
	if (ntfs_mount(n) < 0 || ntfs_collect(n) < 0)
		n->res |= INSP_LISTER_BROKEN;
	for (i = NTFS_FIRST_USER; i < n->n; i++)
		if (n->r[i].in_use && !n->r[i].dir && ntfs_report(n, i) < 0)
			break;
	for (i = 0; i < n->n; i++)
		free(n->r[i].name);
	free(n->r);
	free(n->buf);
	res = n->res;
	free(n);
	return res;
}

const struct insp_lister img_lister_ntfs = { "ntfs", ntfs_probe, ntfs_list };
