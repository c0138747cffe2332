/*
 * zip_names.c - streaming ZIP member lister (see zip_names.h)
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "bytes_private.h"
#include "inflater.h"
#include "member_probe.h"
#include "zip_names.h"

#define ZIP_NAME_MAX 1024
/* a zip found behind other bytes: a header with a longer name is not
 * taken for one */
#define FOUND_NAME_MAX 4096
/* a nested zip is compressed data already: it inflates to about its own
 * size.  Past this, it is a bomb: stop and say so (the depth anomaly) */
#define INFLATE_MAX  (64ULL << 20)
#define SIZE_ZIP64   0xFFFFFFFFULL
/* the members' first bytes probed per zip, at most: past it (thousands of
 * members that inflate to 40 KiB each) the members are left to the
 * inspector */
#define PROBE_BUDGET (16ULL << 20)

enum zstate { Z_SIG, Z_HEADER, Z_NAME, Z_EXTRA, Z_DATA, Z_SEARCH,
	      Z_CENTRAL, Z_CNAME, Z_CEXTRA, Z_CSKIP, Z_FIND, Z_DONE };

#define SIG_LOCAL   0x04034b50UL     /* PK\3\4 */
#define SIG_CENTRAL 0x02014b50UL     /* PK\1\2 */

#define EXTRA_ZIP64   0x0001
#define EXTRA_UNICODE 0x7075          /* Info-ZIP Unicode Path */

struct scan_zip_lister {
	enum zstate st;
	unsigned depth, max_depth, max_entries, entries;
	scan_member_fn *cb;
	void *ctx;
	unsigned char hdr[46];       /* a local (30) or central (46) header */
	size_t have;                 /* bytes of hdr/name collected */
	unsigned flags, method, nlen, xlen;
	unsigned long long csize, usize, left;
	char name[ZIP_NAME_MAX + 1];
	size_t nkept;                /* of it: a longer name keeps its end */
	unsigned long ncrc;          /* CRC-32 of the whole name */
	/* the extra field, read field by field */
	unsigned long long xleft;    /* of the extra field */
	unsigned char xh[4];         /* a field's id and size */
	size_t xhave, xfield, xgot;  /* header bytes; the field's size, seen */
	unsigned xid;
	unsigned char x64[28];       /* zip64 sizes */
	unsigned char uhdr[5];       /* Unicode Path: version, CRC-32 */
	char uname[ZIP_NAME_MAX + 1];
	size_t ukept;
	int unicode;                 /* a version 1 Unicode Path was read */
	unsigned sig;                /* last 4 bytes seen while searching */
	unsigned anomalies;
	int saw_header;
	int finder;                  /* zips anywhere in the bytes */
	int found;                   /* searching for zips anywhere: past
				      * the first zip, or a finder */
	/* the local names' hashes, sorted at the central directory: a
	 * central name that no local header gave is reported too (unzip and
	 * Explorer extract under the central directory's names) */
	unsigned long long *local;
	size_t n_local, cap_local;
	int sorted, in_central;
	struct scan_probe probe;          /* the member's first bytes */
	struct scan_zip_lister *child;    /* a member that is a zip */
	struct scan_inflater *inf;        /* the member is DEFLATED */
	unsigned long long inflated;
	unsigned long long probed;        /* bytes wanted by the probes so far */
	unsigned long long fleft;         /* of a member found behind other
					   * bytes: data still to probe */
};

/* scan_zip_lister_new - a lister for one zip at depth */
struct scan_zip_lister *
scan_zip_lister_new(unsigned depth, unsigned max_depth, unsigned max_entries,
		    scan_member_fn *cb, void *ctx)
{
	struct scan_zip_lister *z = calloc(1, sizeof(*z));

	if (z == NULL)
		return NULL;
	z->depth = depth;
	z->max_depth = max_depth;
	z->max_entries = max_entries;
	z->cb = cb;
	z->ctx = ctx;
	z->st = Z_SIG;
	return z;
}

/* scan_zip_lister_find_anywhere - the bytes are any file: zips are
 * searched for in all of them */
void
scan_zip_lister_find_anywhere(struct scan_zip_lister *z)
{
	z->finder = 1;
	z->found = 1;
	z->st = Z_FIND;
	z->sig = 0;
}

/* end_child - the member's data has ended: the nested zip's anomalies
 * count, the inflater goes */
static void
end_child(struct scan_zip_lister *z)
{
	scan_inflater_free(&z->inf);
	if (z->child != NULL) {
		z->anomalies |= scan_zip_lister_finish(z->child);
		scan_zip_lister_free(&z->child);
	}
}

/* probe_decided - the member's first bytes are in: a zip is listed
 * (from these bytes on; behind other bytes, left to the inspector),
 * another container needs the inspector */
static void
probe_decided(struct scan_zip_lister *z)
{
	z->anomalies |= scan_probe_act(&z->probe, z->depth, z->max_depth,
				       z->max_entries, z->cb, z->ctx,
				       z->found ? NULL : &z->child);
}

/* member_out - the member's bytes (inflated when DEFLATED): probed, then
 * fed to the zip it is; 0 while they are still wanted, -1 when not
 * (without a size, the end of the deflate stream is what tells where
 * the member ends: inflated to its end while a nested zip reads) */
static int
member_out(struct scan_zip_lister *z, const unsigned char *d, size_t n)
{
	if (z->probe.active) {
		size_t before = z->probe.len;

		if (!scan_probe_add(&z->probe, d, n))
			return 0;
		d += z->probe.len - before;
		n -= z->probe.len - before;
		probe_decided(z);
	}
	if (z->child != NULL && n > 0)
		scan_zip_lister_feed(z->child, d, n);
	if (z->child == NULL)
		return -1;
	return z->child->st == Z_DONE && z->left != ~0ULL ? -1 : 0;
}

/* inflated - a DEFLATED member's bytes: past INFLATE_MAX it is a bomb */
static int
inflated(void *ctx, const unsigned char *d, size_t n)
{
	struct scan_zip_lister *z = ctx;

	z->inflated += n;
	if (z->inflated > INFLATE_MAX) {
		z->anomalies |= SCAN_LISTER_TOO_DEEP;
		return -1;
	}
	return member_out(z, d, n);
}

/* feed_inflate - inflate member data; returns how many input bytes
 * belong to the member (fewer than n once the deflate stream has ended,
 * which is how a member with a data descriptor ends) and sets *ended
 * then.  Broken data, a bomb, or nothing more wanted ends the child. */
static size_t
feed_inflate(struct scan_zip_lister *z, const unsigned char *d, size_t n, int *ended)
{
	size_t used;

	*ended = 0;
	switch (scan_inflater_feed(z->inf, d, n, &used, inflated, z)) {
	case SCAN_INFLATER_MORE:
		return n;
	case SCAN_INFLATER_END:
		*ended = 1;
		return used;
	case SCAN_INFLATER_BROKEN:
		if (!z->found)      /* behind other bytes: maybe no zip at all */
			z->anomalies |= SCAN_LISTER_BROKEN; /* not deflate data */
		break;
	case SCAN_INFLATER_STOPPED:
		break;
	}
	z->probe.active = 0;
	end_child(z);
	return n;
}

/* member_end - the member's data has ended: what its first bytes are,
 * if not yet known; its nested zip finishes */
static void
member_end(struct scan_zip_lister *z)
{
	if (z->probe.active)
		probe_decided(z);
	end_child(z);
}

/* name_hash - FNV-1a, 64 bits */
static unsigned long long
name_hash(const char *s, size_t n)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* remember_local - a local name's hash, for the central directory */
static void
remember_local(struct scan_zip_lister *z, const char *name)
{
	unsigned long long h;

	if (z->n_local == z->cap_local) {
		size_t cap = z->cap_local ? 2 * z->cap_local : 64;
		unsigned long long *p = realloc(z->local, cap * sizeof(*p));

		if (p == NULL)
			return;            /* the central name is reported again */
		z->local = p;
		z->cap_local = cap;
	}
	h = name_hash(name, strlen(name));
	if (z->sorted) {
		/* past a central directory (concatenated zips): kept sorted */
		size_t lo = 0, hi = z->n_local;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (z->local[mid] < h)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(z->local + lo + 1, z->local + lo,
			(z->n_local - lo) * sizeof(*z->local));
		z->local[lo] = h;
	} else {
		z->local[z->n_local] = h;
	}
	z->n_local++;
}

/* cmp_hash - qsort/bsearch order of name hashes */
static int
cmp_hash(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* seen_locally - a local header gave this name */
static int
seen_locally(struct scan_zip_lister *z, const char *name)
{
	unsigned long long h = name_hash(name, strlen(name));

	if (!z->sorted) {
		if (z->n_local > 1)
			qsort(z->local, z->n_local, sizeof(*z->local), cmp_hash);
		z->sorted = 1;
	}
	return z->n_local > 0 &&
	       bsearch(&h, z->local, z->n_local, sizeof(h), cmp_hash) != NULL;
}

/* report_name - a name, counted against max_entries when it is a new
 * member (past it the listing stops); 0 or -1 */
static int
report_name(struct scan_zip_lister *z, const char *name, int counted)
{
	if (counted && ++z->entries > z->max_entries) {
		z->anomalies |= SCAN_LISTER_TOO_MANY;
		z->st = Z_DONE;
		return -1;
	}
	z->cb(z->ctx, name, z->usize, (int)(z->flags & 1), z->depth);
	return 0;
}

/* unicode_name - the Unicode Path name when there is one that differs
 * from the header's name; else NULL */
static const char *
unicode_name(struct scan_zip_lister *z)
{
	if (!z->unicode)
		return NULL;
	z->uname[z->ukept] = '\0';
	return strcmp(z->uname, z->name) != 0 ? z->uname : NULL;
}

/* local_names - a local header's names: the header's, and the Unicode
 * Path's (7-Zip, unzip and bsdtar extract under it); 0 or -1 */
static int
local_names(struct scan_zip_lister *z)
{
	const char *u = unicode_name(z);

	if (report_name(z, z->name, 1) < 0)
		return -1;
	remember_local(z, z->name);
	if (u != NULL) {
		(void)report_name(z, u, 0);
		remember_local(z, u);
	}
	return 0;
}

/* central_names - a central directory entry's names, those no local
 * header gave */
static void
central_names(struct scan_zip_lister *z)
{
	const char *u = unicode_name(z);
	int counted = 1;

	if (!seen_locally(z, z->name)) {
		if (report_name(z, z->name, 1) < 0)
			return;
		counted = 0;
	}
	if (u != NULL && !seen_locally(z, u))
		(void)report_name(z, u, counted);
}

/* found_sig - a signature seen while searching: its record's header */
static void
found_sig(struct scan_zip_lister *z)
{
	int local = z->sig == SIG_LOCAL;

	memcpy(z->hdr, local ? "PK\3\4" : "PK\1\2", 4);
	z->have = 4;
	z->st = local ? Z_HEADER : Z_CENTRAL;
	z->in_central |= !local;
}

/* is_sig - a local or central header's signature */
static int
is_sig(unsigned sig)
{
	return sig == SIG_LOCAL || sig == SIG_CENTRAL;
}

/* 16 bytes compared at once (GCC and clang vector extensions: SSE2 on
 * amd64, NEON on arm64, plain code elsewhere) */
typedef unsigned char bytes16 __attribute__((vector_size(16)));

/* find_pk - the first "PK" starting in [p, end - 1), or NULL: "PK" is
 * rare in text and in binary data alike, a single byte is not */
static const unsigned char *
find_pk(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *last;
	bytes16 a, b, m;
	unsigned long long w[2];
	size_t k;

	if (end - p < 17) {
		for (; end - p >= 2; p++)
			if (p[0] == 'P' && p[1] == 'K')
				return p;
		return NULL;
	}
	last = end - 17;
	for (;;) {
		if (p > last)
			p = last;          /* the last block overlaps the one before */
		memcpy(&a, p, 16);
		memcpy(&b, p + 1, 16);
		m = (bytes16)((a == 'P') & (b == 'K'));
		memcpy(w, &m, 16);
		if ((w[0] | w[1]) != 0)
			for (k = 0; k < 16; k++)
				if (p[k] == 'P' && p[k + 1] == 'K')
					return p + k;
		if (p == last)
			return NULL;
		p += 16;
	}
}

/* sig_started - the last bytes seen may begin a signature */
static int
sig_started(unsigned sig)
{
	return sig >> 24 == 'P' || sig >> 16 == 0x4b50 ||
	       sig >> 8 == 0x034b50 || sig >> 8 == 0x014b50;
}

/* search_bytes - look for the next local or central header signature
 * in d[*i..len): one that began in the last chunk byte by byte (z->sig
 * holds its last 4 bytes), find_pk() for those inside this one */
static void
search_bytes(struct scan_zip_lister *z, const unsigned char *d, size_t len,
	     size_t *i)
{
	const unsigned char *p;
	size_t start = *i, k;

	for (k = start; k < start + 3 && k < len; k++) {
		if (len - start >= 4 && !sig_started(z->sig))
			break;          /* z->sig is set from this chunk's end */
		z->sig = (z->sig >> 8) | (unsigned)d[k] << 24;
		if (is_sig(z->sig)) {
			*i = k + 1;
			found_sig(z);
			return;
		}
	}
	while (*i + 4 <= len && (p = find_pk(d + *i, d + len - 2)) != NULL) {
		*i = (size_t)(p - d) + 1;
		if (is_sig((unsigned)scan_le32(p))) {
			z->sig = (unsigned)scan_le32(p);
			*i += 3;
			found_sig(z);
			return;
		}
	}
	if (len - start >= 4)
		z->sig = (unsigned)scan_le32(d + len - 4);
	*i = len;
}

/* zip_ended - past a zip's central directory: what follows (the end
 * record, its comment, another zip) is searched for zips anywhere */
static void
zip_ended(struct scan_zip_lister *z)
{
	z->found = 1;
	z->st = Z_FIND;
	z->sig = 0;
}

/* at_signature - the 4 bytes in hdr start a record: which */
static void
at_signature(struct scan_zip_lister *z)
{
	unsigned long sig = scan_le32(z->hdr);

	if (sig == SIG_LOCAL) {
		z->st = Z_HEADER;
	} else if (sig == SIG_CENTRAL) {
		z->st = Z_CENTRAL;
		z->in_central = 1;
	} else if (z->in_central) {
		zip_ended(z);              /* the end record: all listed */
	} else if (z->saw_header) {
		/* a data descriptor, the end record, or bytes that do not
		 * belong: look for the next header, as extractors that read
		 * the central directory would still find it */
		z->st = Z_SEARCH;
		z->sig = (unsigned)sig;
	} else {
		z->anomalies |= SCAN_LISTER_BROKEN; /* not a zip */
		z->st = Z_DONE;
	}
}

/* name_bytes - a local or central name's bytes from d[*i..len); 1 once
 * all nlen are in */
static int
name_bytes(struct scan_zip_lister *z, const unsigned char *d, size_t len, size_t *i)
{
	size_t want = z->nlen - z->have, n = len - *i < want ? len - *i : want;

	scan_keep_tail(z->name, &z->nkept, ZIP_NAME_MAX, d + *i, n);
	z->ncrc = crc32(z->ncrc, d + *i, (uInt)n);
	z->have += n;
	*i += n;
	if (z->have < z->nlen)
		return 0;
	z->name[z->nkept] = '\0';
	return 1;
}

/* extra_start - a name is in: its extra field next */
static void
extra_start(struct scan_zip_lister *z, enum zstate st)
{
	z->st = st;
	z->xleft = z->xlen;
	z->xhave = 0;
	z->xfield = z->xgot = 0;
	z->unicode = 0;
	z->ukept = 0;
}

/* field_bytes - bytes of an extra field: zip64 sizes and the Unicode
 * Path are kept, others passed */
static void
field_bytes(struct scan_zip_lister *z, const unsigned char *d, size_t n)
{
	size_t k;

	if (z->xid == EXTRA_ZIP64) {
		for (k = 0; k < n && z->xgot + k < sizeof(z->x64); k++)
			z->x64[z->xgot + k] = d[k];
	} else if (z->xid == EXTRA_UNICODE) {
		for (k = 0; k < n && z->xgot + k < sizeof(z->uhdr); k++)
			z->uhdr[z->xgot + k] = d[k];
		if (k < n)
			scan_keep_tail(z->uname, &z->ukept, ZIP_NAME_MAX, d + k, n - k);
	}
	z->xgot += n;
}

/* field_done - an extra field has been read.  zip64: the sizes that
 * are 0xFFFFFFFF in the header, in order.  Unicode Path version 1: its
 * name, whether or not its CRC-32 matches the header's name (7-Zip and
 * unzip take it only when it does, libarchive 3.6 always) */
static void
field_done(struct scan_zip_lister *z)
{
	size_t off = 0;

	if (z->xid == EXTRA_ZIP64) {
		if (z->usize == SIZE_ZIP64 && z->xgot >= off + 8) {
			z->usize = scan_le64(z->x64 + off);
			off += 8;
		}
		if (z->csize == SIZE_ZIP64 && z->xgot >= off + 8)
			z->csize = scan_le64(z->x64 + off);
	} else if (z->xid == EXTRA_UNICODE && z->xgot > sizeof(z->uhdr) &&
		   z->uhdr[0] == 1) {
		z->unicode = 1;
		z->uname[z->ukept] = '\0';
	}
}

/* extra_bytes - the extra field from d[*i..len), field by field; 1 once
 * all of it is in */
static int
extra_bytes(struct scan_zip_lister *z, const unsigned char *d, size_t len, size_t *i)
{
	while (*i < len && z->xleft > 0) {
		size_t n = len - *i;

		if (z->xhave < 4) {                    /* a field's id and size */
			if (n > 4 - z->xhave)
				n = 4 - z->xhave;
			if (n > z->xleft)
				n = (size_t)z->xleft;
			memcpy(z->xh + z->xhave, d + *i, n);
			z->xhave += n;
			if (z->xhave == 4) {
				z->xid = scan_le16(z->xh);
				z->xfield = scan_le16(z->xh + 2);
				z->xgot = 0;
			}
		} else {
			if (n > z->xfield - z->xgot)
				n = z->xfield - z->xgot;
			if (n > z->xleft)
				n = (size_t)z->xleft;
			field_bytes(z, d + *i, n);
		}
		*i += n;
		z->xleft -= n;
		if (z->xhave == 4 && (z->xgot == z->xfield || z->xleft == 0)) {
			field_done(z);
			z->xhave = 0;
		}
	}
	return z->xleft == 0;
}

/* known_method - stored, deflated, or a method some extractor knows */
static int
known_method(unsigned m)
{
	return m <= 9 || m == 12 || m == 14 || m == 18 || m == 19 ||
	       (m >= 93 && m <= 99);
}

/* plausible - a header found behind other bytes looks like one: a known
 * method, a version an extractor could need (APPNOTE 6.3 at most), no
 * flag bit the format reserves (7-10, 12, 14, 15), a name */
static int
plausible(const struct scan_zip_lister *z, unsigned version)
{
	return known_method(z->method) && (version & 0xff) <= 63 &&
	       (z->flags & 0xD780) == 0 && z->nlen > 0 &&
	       z->nlen <= FOUND_NAME_MAX;
}

/* inspected_method - bzip2, LZMA, zstd, xz, PPMd: the member's bytes
 * are not read here, the inspector (libarchive 3.6 reads them) does;
 * not Deflate64 (9), which libarchive does not read */
static int
inspected_method(unsigned m)
{
	return m == 12 || m == 14 || m == 93 || m == 95 || m == 98;
}

/* member_start - a local header's names are reported: how its data is
 * read (first bytes probed, inflated when DEFLATED) and passed */
static void
member_start(struct scan_zip_lister *z)
{
	int probe = !(z->flags & 1) && (z->method == 0 || z->method == 8);

	if (!(z->flags & 1) && inspected_method(z->method))
		z->anomalies |= SCAN_LISTER_NEEDS_INSPECT;
	if (probe && z->probed > PROBE_BUDGET) {
		z->anomalies |= SCAN_LISTER_NEEDS_INSPECT;
		probe = 0;
	}
	if (probe && scan_probe_start(&z->probe, z->usize) < 0)
		probe = 0;                 /* out of memory: not probed */
	if (probe)
		z->probed += z->probe.want;
	if (probe && z->method == 8) {
		z->inflated = 0;
		z->inf = scan_inflater_new(SCAN_INFLATER_RAW, NULL, 0);
		if (z->inf == NULL)
			z->probe.active = 0;
	}
	z->have = 0;
	if ((z->flags & 8) && z->csize == 0 && z->inf != NULL) {
		/* size only in the descriptor: the end of the deflate
		 * stream says where */
		z->st = Z_DATA;
		z->left = ~0ULL;
	} else if ((z->flags & 8) && z->csize == 0) {
		member_end(z);          /* cannot follow it blind */
		z->st = Z_SEARCH;       /* size only in the descriptor */
		z->sig = 0;
	} else if (z->csize == 0) {
		member_end(z);
		z->st = Z_SIG;
	} else {
		z->st = Z_DATA;
		z->left = z->csize;
	}
}

/* found_member_start - a member of a zip found behind other bytes:
 * its data is searched for more headers (not skipped by its size, which
 * may lie), and its first bytes probed on the way */
static void
found_member_start(struct scan_zip_lister *z)
{
	int known = z->csize > 0 || ((z->flags & 8) && z->method == 8);

	z->st = Z_FIND;
	z->fleft = 0;
	if ((z->flags & 1) || (z->method != 0 && z->method != 8) || !known)
		return;
	if (z->probed > PROBE_BUDGET) {
		z->anomalies |= SCAN_LISTER_NEEDS_INSPECT;
		return;
	}
	if (scan_probe_start(&z->probe, z->usize) < 0)
		return;
	if (z->method == 8) {
		z->inflated = 0;
		if ((z->inf = scan_inflater_new(SCAN_INFLATER_RAW, NULL, 0)) == NULL) {
			z->probe.active = 0;
			return;
		}
	}
	z->probed += z->probe.want;
	z->fleft = z->csize > 0 ? z->csize : ~0ULL;
}

/* found_member_bytes - bytes the search passed over: the found member's
 * data, to its probe */
static void
found_member_bytes(struct scan_zip_lister *z, const unsigned char *d, size_t n)
{
	int ended = 0;

	if (n > z->fleft)
		n = (size_t)z->fleft;
	if (z->fleft != ~0ULL)
		z->fleft -= n;
	if (z->inf != NULL)
		(void)feed_inflate(z, d, n, &ended);
	else
		(void)member_out(z, d, n);
	if (ended || z->fleft == 0 || !z->probe.active) {
		z->fleft = 0;
		member_end(z);
	}
}

/* local_done - a local header, its name and extra field are in */
static void
local_done(struct scan_zip_lister *z)
{
	if (z->found)
		member_end(z);  /* the member found before ends here */
	else
		end_child(z);   /* a previous member's data ended early */
	if (local_names(z) < 0)
		return;
	if (z->found)
		found_member_start(z);
	else
		member_start(z);
}

/* local_header - the 30 bytes of a local header are in */
static void
local_header(struct scan_zip_lister *z)
{
	z->flags = scan_le16(z->hdr + 6);
	z->method = scan_le16(z->hdr + 8);
	z->csize = scan_le32(z->hdr + 18);
	z->usize = scan_le32(z->hdr + 22);
	z->nlen = scan_le16(z->hdr + 26);
	z->xlen = scan_le16(z->hdr + 28);
	if (z->found && !plausible(z, scan_le16(z->hdr + 4))) {
		z->st = Z_FIND;
		return;
	}
	z->saw_header = 1;
	z->have = 0;
	z->nkept = 0;
	z->ncrc = crc32(0L, Z_NULL, 0);
	z->st = Z_NAME;
}

/* central_header - the 46 bytes of a central directory header are in */
static void
central_header(struct scan_zip_lister *z)
{
	z->flags = scan_le16(z->hdr + 8);
	z->method = scan_le16(z->hdr + 10);
	z->csize = scan_le32(z->hdr + 20);
	z->usize = scan_le32(z->hdr + 24);
	z->nlen = scan_le16(z->hdr + 28);
	z->xlen = scan_le16(z->hdr + 30);
	z->left = (unsigned long long)scan_le16(z->hdr + 32);   /* the comment */
	if (z->found && !plausible(z, scan_le16(z->hdr + 6))) {
		z->st = Z_FIND;
		return;
	}
	z->have = 0;
	z->nkept = 0;
	z->ncrc = crc32(0L, Z_NULL, 0);
	z->st = Z_CNAME;
}

/* central_done - a central entry's name and extra field are in */
static void
central_done(struct scan_zip_lister *z)
{
	central_names(z);
	if (z->st != Z_DONE)
		z->st = Z_CSKIP;
}

/* data_bytes - member data from d[*i..len): probed, skipped, or fed to
 * the zip it is (inflated when DEFLATED) */
static void
data_bytes(struct scan_zip_lister *z, const unsigned char *d, size_t len,
	   size_t *i)
{
	size_t n = len - *i < z->left ? len - *i : (size_t)z->left;
	int ended = 0, unknown = z->left == ~0ULL;

	if (z->inf != NULL)
		n = feed_inflate(z, d + *i, n, &ended);
	else if (z->probe.active || z->child != NULL)
		(void)member_out(z, d + *i, n);
	*i += n;
	if (unknown) {
		if (ended || z->inf == NULL) {
			/* past the stream: the descriptor, then the next
			 * header */
			member_end(z);
			z->st = Z_SEARCH;
			z->sig = 0;
		}
		return;
	}
	z->left -= n;
	if (ended)
		member_end(z);         /* the member has had all its data */
	if (z->left == 0) {
		member_end(z);
		z->st = Z_SIG;
		z->have = 0;
	}
}

/* names_in - a name is in: its extra field next, then the record is
 * done */
static void
names_in(struct scan_zip_lister *z, int central)
{
	extra_start(z, central ? Z_CEXTRA : Z_EXTRA);
	if (z->xleft > 0)
		return;
	if (central)
		central_done(z);
	else
		local_done(z);
}

/* step - bytes from d[*i..len) through the current state */
static void
step(struct scan_zip_lister *z, const unsigned char *d, size_t len, size_t *i)
{
	size_t start;

	switch (z->st) {
	case Z_SIG:
		if (scan_fill(z->hdr, &z->have, 4, d, len, i))
			at_signature(z);
		break;
	case Z_HEADER:
		if (scan_fill(z->hdr, &z->have, 30, d, len, i))
			local_header(z);
		break;
	case Z_NAME:
	case Z_CNAME:
		if (name_bytes(z, d, len, i))
			names_in(z, z->st == Z_CNAME);
		break;
	case Z_EXTRA:
		if (extra_bytes(z, d, len, i))
			local_done(z);
		break;
	case Z_CEXTRA:
		if (extra_bytes(z, d, len, i))
			central_done(z);
		break;
	case Z_DATA:
		data_bytes(z, d, len, i);
		break;
	case Z_SEARCH:
		search_bytes(z, d, len, i);
		break;
	case Z_FIND:
		start = *i;
		search_bytes(z, d, len, i);
		if (z->fleft > 0)
			found_member_bytes(z, d + start, *i - start);
		break;
	case Z_CENTRAL:
		if (scan_fill(z->hdr, &z->have, 46, d, len, i))
			central_header(z);
		break;
	case Z_CSKIP:
		if (scan_skip(&z->left, len, i)) {
			z->have = 0;
			if (z->found)
				z->st = Z_FIND;
			else
				z->st = Z_SIG;   /* the next entry, or the end record */
		}
		break;
	case Z_DONE:
		*i = len;
		break;
	}
}

/* found_byte - a byte of a record found behind other bytes: a header
 * that was not one (its name or extra field would hide what follows)
 * gives way to a signature met inside it */
static void
found_byte(struct scan_zip_lister *z, const unsigned char *d, size_t *i)
{
	z->sig = (z->sig >> 8) | (unsigned)d[*i] << 24;
	if (is_sig(z->sig)) {
		(*i)++;
		found_sig(z);
		return;
	}
	step(z, d, *i + 1, i);
}

/* scan_zip_lister_feed - zip bytes through the record states */
void
scan_zip_lister_feed(struct scan_zip_lister *z, const unsigned char *d,
		     size_t len)
{
	size_t i = 0;

	while (i < len && z->st != Z_DONE) {
		if (z->found && z->st != Z_FIND)
			found_byte(z, d, &i);
		else
			step(z, d, len, &i);
	}
}

/* scan_zip_lister_finish - the anomalies, once the zip has ended */
unsigned
scan_zip_lister_finish(struct scan_zip_lister *z)
{
	if (z->st == Z_DATA || z->found)
		member_end(z);
	end_child(z);
	if (!z->found && z->st != Z_DONE && !(z->st == Z_SIG && z->have == 0) &&
	    !(z->st == Z_SIG && z->in_central))
		/* ended inside a member or an entry */
		z->anomalies |= SCAN_LISTER_BROKEN;
	if (!z->finder && !z->saw_header)
		z->anomalies |= SCAN_LISTER_BROKEN;
	return z->anomalies;
}

/* scan_zip_lister_free - the lister, its nested ones, and NULL */
void
scan_zip_lister_free(struct scan_zip_lister **zp)
{
	if (*zp == NULL)
		return;
	scan_inflater_free(&(*zp)->inf);
	scan_zip_lister_free(&(*zp)->child);
	scan_probe_free(&(*zp)->probe);
	free((*zp)->local);
	free(*zp);
	*zp = NULL;
}
