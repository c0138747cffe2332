/*
 * arc_names.c - streaming tar, gzip and cabinet member lister (see
 * arc_names.h)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc_names.h"
#include "bytes_private.h"
#include "inflater.h"
#include "member_probe.h"
#include "zip_names.h"

/* longer names keep their end (what the extension rules judge) */
#define NAME_MAX_LEN 1024
#define META_MAX     8192          /* pax header bytes kept; a GNU long name keeps its end */
/* a gzip stream that inflates past this is a bomb (ratio 100:1 on top of
 * 64 MiB: text compresses 5-10 times, a bomb a thousand times) */
#define BOMB(in)     (100ULL * (in) + (64ULL << 20))
#define ARC_NAMES    3             /* names of the attachment kept */

enum tstate { T_HEADER, T_DATA, T_META, T_DONE };
enum cstate { C_HDR, C_SKIP, C_FIX, C_NAME, C_DONE };

struct scan_arc_lister {
	enum scan_arc_format f;
	unsigned depth, max_zip_depth, max_entries, entries, anomalies;
	scan_member_fn *cb;
	void *ctx;
	/* tar */
	enum tstate tst;
	unsigned char blk[512];
	size_t have;
	unsigned long long left;       /* data (padded to 512) still to skip */
	unsigned long long meta_size;  /* the GNU long name or pax data's size */
	unsigned long long meta_seen;  /* of it, read so far */
	char meta_type;
	char meta[META_MAX + 1];
	size_t meta_len;
	char pending[NAME_MAX_LEN + 1];  /* the next member's long name */
	int saw_header;
	struct scan_probe probe;       /* a member's first bytes */
	struct scan_zip_lister *zip;   /* a member that is a zip */
	unsigned long long mleft;      /* of the member's data (no padding) */
	/* gzip */
	struct scan_inflater *inf;
	char fname[NAME_MAX_LEN + 1];
	/* the attachment's names minus .gz */
	char arcname[ARC_NAMES][NAME_MAX_LEN + 1];
	size_t n_arcnames;
	int fname_done, arcname_done, gz_ended, gz_stopped;
	int tar_in_gz;                   /* -1 undecided */
	struct scan_probe gzprobe;       /* the first bytes inflated */
	unsigned long long in_total, out_total;
	/* cab */
	enum cstate cst;
	unsigned long long off;
	unsigned char chdr[36];
	unsigned long coff;
	unsigned nfiles, files;
	char cname[257];
};

static int tar_block(const unsigned char *b);
static void set_tail(char *dst, size_t cap, const char *s, size_t n);
static void end_zip(struct scan_arc_lister *a);
static int tar_number(const unsigned char *p, size_t n, unsigned long long *v);

/* v7_tar - a tar header without the ustar marker (Unix V7, old GNU and
 * BSD tars): a name, octal mode and size, a V7 type, and its checksum
 * holds */
static int
v7_tar(const unsigned char *d)
{
	unsigned long long v;

	return d[0] != '\0' && (d[156] == '\0' || (d[156] >= '0' && d[156] <= '7')) &&
	       tar_number(d + 100, 8, &v) == 0 && tar_number(d + 124, 12, &v) == 0 &&
	       tar_block(d) == 1;
}

/* scan_arc_detect - gzip, cabinet or tar from the first bytes */
enum scan_arc_format
scan_arc_detect(const unsigned char *d, size_t n)
{
	if (n >= 3 && d[0] == 0x1f && d[1] == 0x8b && d[2] == 8)
		return SCAN_ARC_GZIP;
	if (n >= 4 && memcmp(d, "MSCF", 4) == 0 &&
	    (n < 8 || memcmp(d + 4, "\0\0\0\0", 4) == 0))
		return SCAN_ARC_CAB;
	if (n >= SCAN_ARC_DETECT_BYTES &&
	    (memcmp(d + 257, "ustar", 5) == 0 || v7_tar(d)))
		return SCAN_ARC_TAR;
	return SCAN_ARC_NONE;
}

/* scan_arc_lister_new - a lister for one archive of a known format */
struct scan_arc_lister *
scan_arc_lister_new(enum scan_arc_format f, unsigned depth,
		    unsigned max_zip_depth, unsigned max_entries,
		    scan_member_fn *cb, void *ctx)
{
	struct scan_arc_lister *a;

	if (f == SCAN_ARC_NONE || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->f = f;
	a->depth = depth;
	a->max_zip_depth = max_zip_depth;
	a->max_entries = max_entries;
	a->cb = cb;
	a->ctx = ctx;
	a->tar_in_gz = -1;
	if (f == SCAN_ARC_GZIP &&
	    ((a->inf = scan_inflater_new(SCAN_INFLATER_GZIP, a->fname,
					 sizeof(a->fname))) == NULL ||
	     scan_probe_start(&a->gzprobe, 0) < 0)) {
		scan_inflater_free(&a->inf);
		free(a);
		return NULL;
	}
	return a;
}

/* gz_suffix - the length of name's gzip suffix (.tgz, .taz: 4, and
 * *tar set), 0 for none */
static size_t
gz_suffix(const char *name, size_t n, int *tar)
{
	static const char *const sfx[] = { ".gz", "-gz", "_gz", ".z", "-z", "_z" };
	size_t i, k;

	*tar = 0;
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		k = strlen(sfx[i]);
		if (n > k && strcasecmp(name + n - k, sfx[i]) == 0)
			return k;
	}
	*tar = n > 4 && (strcasecmp(name + n - 4, ".tgz") == 0 ||
			 strcasecmp(name + n - 4, ".taz") == 0);
	return *tar ? 4 : 0;
}

/* scan_arc_lister_set_name - a name of the archive (the attachment's):
 * a gzip's content is named after it minus its suffix */
void
scan_arc_lister_set_name(struct scan_arc_lister *a, const char *name)
{
	size_t n, k;
	int tar;
	char *dst;

	if (a == NULL || name == NULL || a->n_arcnames == ARC_NAMES)
		return;
	n = strlen(name);
	if ((k = gz_suffix(name, n, &tar)) == 0)
		return;
	dst = a->arcname[a->n_arcnames++];
	set_tail(dst, NAME_MAX_LEN + 1 - (tar ? 4 : 0), name, n - k);
	if (tar)
		strcat(dst, ".tar");
}

/* report - one member name; past max_entries the listing stops */
static int
report(struct scan_arc_lister *a, const char *name, unsigned long long size)
{
	if (++a->entries > a->max_entries) {
		a->anomalies |= SCAN_LISTER_TOO_MANY;
		return -1;
	}
	a->cb(a->ctx, name, size, 0, a->depth);
	return 0;
}

/* ---- tar ----------------------------------------------------------------- */

/* tar_number - a tar number field (octal, or base-256 when the high bit of
 * the first byte is set); -1 when it is not a number */
static int
tar_number(const unsigned char *p, size_t n, unsigned long long *v)
{
	size_t i = 0;

	*v = 0;
	if (p[0] & 0x80) {             /* GNU base-256 */
		*v = p[0] & 0x3f;
		for (i = 1; i < n; i++) {
			if (*v >> 55)
				return -1;
			*v = *v << 8 | p[i];
		}
		return (p[0] & 0x40) ? -1 : 0;   /* negative */
	}
	while (i < n && p[i] == ' ')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (*v >> 60)
			return -1;
		*v = *v * 8 + (unsigned)(p[i] - '0');
	}
	return i == n || p[i] == '\0' || p[i] == ' ' ? 0 : -1;
}

/* tar_block - 0 for an all-zero block (the end of the archive), 1 for
 * a header whose checksum holds (the unsigned sum, or the signed sum
 * some old tars wrote), -1 for anything else; one pass over the block */
static int
tar_block(const unsigned char *b)
{
	unsigned long long want;
	long us = 0, ss = 0;
	unsigned raw = 0;
	size_t i;

	for (i = 0; i < 512; i++) {
		raw |= b[i];
		us += b[i];
		ss += (signed char)b[i];
	}
	for (i = 148; i < 156; i++) {      /* the checksum field counts as spaces */
		us += ' ' - b[i];
		ss += ' ' - (signed char)b[i];
	}
	if (raw == 0)
		return 0;
	if (tar_number(b + 148, 8, &want) < 0)
		return -1;
	return (long long)want == us || (long long)want == ss ? 1 : -1;
}

/* set_tail - dst = the last cap - 1 bytes of s[0..n) */
static void
set_tail(char *dst, size_t cap, const char *s, size_t n)
{
	if (n > cap - 1) {
		s += n - (cap - 1);
		n = cap - 1;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* meta_add - GNU long name or pax bytes: a long name keeps its last
 * META_MAX bytes, a pax header its first */
static void
meta_add(struct scan_arc_lister *a, const unsigned char *d, size_t n)
{
	if (a->meta_type == 'L') {
		scan_keep_tail(a->meta, &a->meta_len, META_MAX, d, n);
		return;
	}
	if (n > META_MAX - a->meta_len)
		n = META_MAX - a->meta_len;
	memcpy(a->meta + a->meta_len, d, n);
	a->meta_len += n;
}

/* tar_meta_done - a GNU long name or a pax header has been read */
static void
tar_meta_done(struct scan_arc_lister *a)
{
	size_t n = a->meta_len;

	a->meta[n] = '\0';
	if (a->meta_type == 'L') {
		set_tail(a->pending, sizeof(a->pending), a->meta, strlen(a->meta));
		return;
	}
	/* pax records: "<len> <key>=<value>\n" */
	for (size_t i = 0; i < n;) {
		char *sp = memchr(a->meta + i, ' ', n - i), *end;
		unsigned long len = strtoul(a->meta + i, &end, 10);

		if (sp == NULL || end != sp || len == 0 || len > n - i)
			break;
		if (strncmp(sp + 1, "path=", 5) == 0 && sp + 6 <= a->meta + i + len - 1)
			set_tail(a->pending, sizeof(a->pending), sp + 6,
				 (size_t)(a->meta + i + len - 1 - (sp + 6)));
		i += len;
	}
}

/* tar_header - a whole 512-byte header block */
static void
tar_header(struct scan_arc_lister *a)
{
	const unsigned char *b = a->blk;
	unsigned long long size;
	char name[NAME_MAX_LEN + 1];
	unsigned char type = b[156];
	int kind = tar_block(b);

	end_zip(a);
	a->mleft = 0;
	a->have = 0;
	if (kind == 0) {
		a->tst = T_DONE;               /* the end-of-archive blocks */
		if (!a->saw_header)
			a->anomalies |= SCAN_LISTER_BROKEN;
		return;
	}
	if (kind < 0 || tar_number(b + 124, 12, &size) < 0) {
		/* as GNU tar does ("skipping to next header"): look at the
		 * next blocks for a valid header */
		a->anomalies |= SCAN_LISTER_BROKEN;
		a->pending[0] = '\0';
		return;
	}
	a->saw_header = 1;
	a->left = (size + 511) / 512 * 512;
	a->tst = T_DATA;
	if (type == 'L' || type == 'x') {
		a->meta_type = (char)type;
		a->meta_size = size;
		a->meta_seen = 0;
		a->meta_len = 0;
		a->tst = T_META;
		return;
	}
	if (type == '5' || type == 'g' || type == 'K' || type == 'V')
		return;                        /* directory, global pax, link name, label */
	if (a->pending[0] != '\0') {
		snprintf(name, sizeof(name), "%s", a->pending);
		a->pending[0] = '\0';
	} else if (memcmp(b + 257, "ustar\0", 6) == 0 && b[345] != '\0') {
		snprintf(name, sizeof(name), "%.*s/%.*s", (int)strnlen((const char *)b + 345, 155),
			 (const char *)b + 345, (int)strnlen((const char *)b, 100), (const char *)b);
	} else {
		snprintf(name, sizeof(name), "%.*s", (int)strnlen((const char *)b, 100),
			 (const char *)b);
	}
	if (type == '1' || type == '2')
		size = 0;                      /* links carry no data */
	if (report(a, name, size) < 0) {
		a->tst = T_DONE;
		return;
	}
	a->mleft = size;
	if (size > 0 && scan_probe_start(&a->probe, size) < 0)
		a->probe.active = 0;       /* out of memory: not probed */
}

/* probe_decided - a member's first bytes are in: a zip is listed (from
 * these bytes on; in a gzip, left to the inspector), another container
 * needs the inspector */
static void
probe_decided(struct scan_arc_lister *a, struct scan_probe *p)
{
	a->anomalies |= scan_probe_act(p, a->depth, a->max_zip_depth,
				       a->max_entries, a->cb, a->ctx,
				       p == &a->probe ? &a->zip : NULL);
}

/* end_zip - a member's data has ended (or the tar has): what it is, if
 * not yet known; the zip it is finishes */
static void
end_zip(struct scan_arc_lister *a)
{
	if (a->probe.active)
		probe_decided(a, &a->probe);
	if (a->zip != NULL) {
		a->anomalies |= scan_zip_lister_finish(a->zip);
		scan_zip_lister_free(&a->zip);
	}
}

/* member_bytes - a member's data (not its padding): probed, then fed to
 * the zip it is */
static void
member_bytes(struct scan_arc_lister *a, const unsigned char *d, size_t n)
{
	if (n > a->mleft)
		n = (size_t)a->mleft;
	a->mleft -= n;
	if (a->probe.active) {
		size_t before = a->probe.len;

		if (scan_probe_add(&a->probe, d, n)) {
			d += a->probe.len - before;
			n -= a->probe.len - before;
			probe_decided(a, &a->probe);
		} else {
			n = 0;
		}
	}
	if (a->zip != NULL && n > 0)
		scan_zip_lister_feed(a->zip, d, n);
	if (a->mleft == 0)
		end_zip(a);
}

/* tar_feed - tar bytes: headers, long names and pax data read, member
 * data skipped (or fed to the zip it is) */
static void
tar_feed(struct scan_arc_lister *a, const unsigned char *d, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		switch (a->tst) {
		case T_HEADER:
			if (scan_fill(a->blk, &a->have, 512, d, len, &i))
				tar_header(a);
			break;
		case T_META:
			n = len - i < a->left ? len - i : (size_t)a->left;
			if (a->meta_size > a->meta_seen) {
				/* the data, not the padding to 512 */
				size_t k = n;
				if (k > a->meta_size - a->meta_seen)
					k = (size_t)(a->meta_size - a->meta_seen);
				meta_add(a, d + i, k);
				a->meta_seen += k;
			}
			i += n;
			a->left -= n;
			if (a->left == 0) {
				tar_meta_done(a);
				a->tst = T_HEADER;
			}
			break;
		case T_DATA:
			n = len - i < a->left ? len - i : (size_t)a->left;
			if (a->mleft > 0)
				member_bytes(a, d + i, n);
			i += n;
			a->left -= n;
			if (a->left == 0)
				a->tst = T_HEADER;
			break;
		case T_DONE:
			return;
		}
	}
	if (a->tst == T_DATA && a->left == 0)
		a->tst = T_HEADER;
}

/* tar_finish - the tar has ended: broken when inside a member */
static unsigned
tar_finish(struct scan_arc_lister *a)
{
	end_zip(a);
	if (a->tst == T_META && a->left == 0)
		a->tst = T_HEADER;
	if (!a->saw_header || a->tst == T_META ||
	    (a->tst == T_DATA && a->left > 0) || (a->tst == T_HEADER && a->have > 0))
		a->anomalies |= SCAN_LISTER_BROKEN; /* ended inside a member */
	return a->anomalies;
}

/* ---- gzip ---------------------------------------------------------------- */

/* gz_name - the name in the gzip header, once (before the inflater goes) */
static void
gz_name(struct scan_arc_lister *a)
{
	if (a->fname_done || !scan_inflater_header_done(a->inf))
		return;
	a->fname_done = 1;
	if (a->fname[0] != '\0')
		(void)report(a, a->fname, 0);
}

/* gz_end - the gzip stream has ended or is not needed any more */
static void
gz_end(struct scan_arc_lister *a)
{
	gz_name(a);
	scan_inflater_free(&a->inf);
}

/* gz_arcname - the content's name as gunzip and 7-Zip give it when the
 * header stores none (or another one): the attachment's name minus .gz;
 * not for a tar, whose members are listed */
static void
gz_arcname(struct scan_arc_lister *a)
{
	size_t i, j;

	if (a->arcname_done || a->tar_in_gz > 0)
		return;
	a->arcname_done = 1;
	for (i = 0; i < a->n_arcnames; i++) {
		for (j = 0; j < i && strcmp(a->arcname[j], a->arcname[i]) != 0; j++)
			;
		if (j == i && strcmp(a->arcname[i], a->fname) != 0)
			(void)report(a, a->arcname[i], 0);
	}
}

/* gz_decide - the first bytes inflated (512, or fewer when the content
 * is shorter): a tar is listed from them */
static void
gz_decide(struct scan_arc_lister *a)
{
	struct scan_probe *p = &a->gzprobe;

	a->tar_in_gz = scan_arc_detect(p->buf, p->len) == SCAN_ARC_TAR;
	if (a->tar_in_gz) {
		p->active = 0;
		tar_feed(a, p->buf, p->len);
	} else {
		gz_arcname(a);
	}
}

/* gz_data - inflated bytes: a tar's (from its first 512), or one file
 * whose first bytes are probed; 0 to go on, -1 when nothing more is
 * needed */
static int
gz_data(struct scan_arc_lister *a, const unsigned char *d, size_t n)
{
	struct scan_probe *p = &a->gzprobe;

	if (a->tar_in_gz <= 0) {
		size_t before = p->len;
		int full;

		if (!p->active)
			return -1;
		full = scan_probe_add(p, d, n);
		d += p->len - before;
		n -= p->len - before;
		if (a->tar_in_gz < 0 && (p->len >= SCAN_ARC_DETECT_BYTES || full))
			gz_decide(a);
		if (!a->tar_in_gz && full) {
			probe_decided(a, p);
			return -1;             /* one compressed file: its names are all */
		}
	}
	if (a->tar_in_gz > 0 && n > 0)
		tar_feed(a, d, n);
	return a->tst == T_DONE ? -1 : 0;
}

/* gz_out - inflated bytes: past 100 times the compressed bytes so far
 * (plus 64 MiB) it is a bomb */
static int
gz_out(void *ctx, const unsigned char *d, size_t n)
{
	struct scan_arc_lister *a = ctx;

	gz_name(a);
	a->out_total += n;
	if (a->out_total > BOMB(a->in_total)) {
		a->anomalies |= SCAN_LISTER_TOO_DEEP;
		return -1;
	}
	if (gz_data(a, d, n) < 0) {
		a->gz_stopped = 1;                 /* listed: the rest is not needed */
		return -1;
	}
	return 0;
}

/* gz_feed - compressed bytes to the inflater */
static void
gz_feed(struct scan_arc_lister *a, const unsigned char *d, size_t len)
{
	size_t used;

	if (a->inf == NULL)
		return;
	a->in_total += len;
	switch (scan_inflater_feed(a->inf, d, len, &used, gz_out, a)) {
	case SCAN_INFLATER_MORE:
		return;
	case SCAN_INFLATER_END:
		a->gz_ended = 1;
		break;
	case SCAN_INFLATER_BROKEN:
		a->anomalies |= SCAN_LISTER_BROKEN; /* not gzip data */
		break;
	case SCAN_INFLATER_STOPPED:
		break;
	}
	gz_end(a);
}

/* gz_finish - the gzip has ended: broken when truncated, and the tar
 * inside finished */
static unsigned
gz_finish(struct scan_arc_lister *a)
{
	gz_name(a);
	if (a->tar_in_gz < 0 && a->gzprobe.active && a->gzprobe.len > 0)
		gz_decide(a);          /* shorter than a tar header */
	if (a->tar_in_gz <= 0 && a->gzprobe.active)
		probe_decided(a, &a->gzprobe);
	gz_arcname(a);
	if (scan_inflater_at_member_end(a->inf))
		a->gz_ended = 1;
	if (!a->gz_ended && !a->gz_stopped && a->anomalies == 0)
		a->anomalies |= SCAN_LISTER_BROKEN; /* truncated */
	if (a->tar_in_gz > 0)
		return tar_finish(a);
	return a->anomalies;
}

/* ---- cabinet ------------------------------------------------------------- */

/* cab_feed - cabinet bytes: the header, then the CFFILE records and
 * their names (the folders and data are skipped) */
static void
cab_feed(struct scan_arc_lister *a, const unsigned char *d, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		switch (a->cst) {
		case C_HDR:
			if (!scan_fill(a->chdr, &a->have, 36, d, len, &i))
				break;
			a->coff = scan_le32(a->chdr + 16);
			a->nfiles = scan_le16(a->chdr + 28);
			a->have = 0;
			if (memcmp(a->chdr, "MSCF", 4) != 0 || a->coff < 36) {
				a->anomalies |= SCAN_LISTER_BROKEN;
				a->cst = C_DONE;
			} else {
				a->cst = a->nfiles ? C_SKIP : C_DONE;
			}
			break;
		case C_SKIP:
			n = len - i < a->coff - a->off - i ? len - i : (size_t)(a->coff - a->off - i);
			i += n;
			if (a->off + i == a->coff)
				a->cst = C_FIX;
			break;
		case C_FIX:
			if (scan_fill(a->blk, &a->have, 16, d, len, &i)) {
				a->have = 0;
				a->cst = C_NAME;
			}
			break;
		case C_NAME:
			for (; i < len && a->cst == C_NAME; i++) {
				if (d[i] != '\0') {
					if (a->have == sizeof(a->cname) - 1) {
						/* over 256 bytes */
						a->anomalies |= SCAN_LISTER_BROKEN;
						a->cst = C_DONE;
						break;
					}
					a->cname[a->have++] = (char)d[i];
					continue;
				}
				a->cname[a->have] = '\0';
				a->have = 0;
				if (report(a, a->cname, scan_le32(a->blk)) < 0 || ++a->files == a->nfiles)
					a->cst = C_DONE;
				else
					a->cst = C_FIX;
			}
			break;
		case C_DONE:
			a->off += len;
			return;
		}
	}
	a->off += len;
}

/* ---- the lister ---------------------------------------------------------- */

/* scan_arc_lister_feed - archive bytes to the format's reader */
void
scan_arc_lister_feed(struct scan_arc_lister *a, const unsigned char *d, size_t len)
{
	if (a == NULL || len == 0)
		return;
	switch (a->f) {
	case SCAN_ARC_TAR:  tar_feed(a, d, len); break;
	case SCAN_ARC_GZIP: gz_feed(a, d, len); break;
	case SCAN_ARC_CAB:  cab_feed(a, d, len); break;
	case SCAN_ARC_NONE: break;
	}
}

/* scan_arc_lister_finish - the anomalies, once the archive has ended */
unsigned
scan_arc_lister_finish(struct scan_arc_lister *a)
{
	if (a == NULL)
		return SCAN_LISTER_BROKEN;
	switch (a->f) {
	case SCAN_ARC_TAR:  return tar_finish(a);
	case SCAN_ARC_GZIP: return gz_finish(a);
	case SCAN_ARC_CAB:
		if (a->cst != C_DONE)
			a->anomalies |= SCAN_LISTER_BROKEN;
		return a->anomalies;
	case SCAN_ARC_NONE: break;
	}
	return SCAN_LISTER_BROKEN;
}

/* scan_arc_lister_free - everything, and NULL */
void
scan_arc_lister_free(struct scan_arc_lister **ap)
{
	if (*ap == NULL)
		return;
	scan_inflater_free(&(*ap)->inf);             /* no report from here */
	scan_zip_lister_free(&(*ap)->zip);
	scan_probe_free(&(*ap)->probe);
	scan_probe_free(&(*ap)->gzprobe);
	free(*ap);
	*ap = NULL;
}
