/*
 * zip_names.c - streaming ZIP member lister (see zip_names.h)
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bytes_private.h"
#include "inflater.h"
#include "zip_names.h"

#define ZIP_NAME_MAX 1024
/* a nested zip is compressed data already: it inflates to about its own
 * size.  Past this, it is a bomb: stop and say so (the depth anomaly) */
#define INFLATE_MAX  (64ULL << 20)

enum zstate { Z_SIG, Z_HEADER, Z_NAME, Z_EXTRA, Z_DATA, Z_SEARCH,
	      Z_CENTRAL, Z_CNAME, Z_CSKIP, Z_DONE };

#define SIG_LOCAL   0x04034b50UL     /* PK\3\4 */
#define SIG_CENTRAL 0x02014b50UL     /* PK\1\2 */

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
	unsigned sig;                /* last 4 bytes seen while searching */
	unsigned anomalies;
	int saw_header;
	/* the local names' hashes, sorted at the central directory: a
	 * central name that no local header gave is reported too (unzip and
	 * Explorer extract under the central directory's names) */
	unsigned long long *local;
	size_t n_local, cap_local;
	int sorted, in_central;
	struct scan_zip_lister *child;    /* a member that is a zip */
	struct scan_inflater *inf;        /* the child's member is DEFLATED */
	unsigned long long inflated;
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

/* end_inflate - the DEFLATED member's inflater goes */
static void
end_inflate(struct scan_zip_lister *z)
{
	scan_inflater_free(&z->inf);
}

/* end_child - the nested zip has ended: its anomalies count */
static void
end_child(struct scan_zip_lister *z)
{
	end_inflate(z);
	if (z->child != NULL) {
		z->anomalies |= scan_zip_lister_finish(z->child);
		scan_zip_lister_free(&z->child);
	}
}

/* start_inflate - a DEFLATED member (raw deflate); 0 or -1 */
static int
start_inflate(struct scan_zip_lister *z)
{
	z->inflated = 0;
	z->inf = scan_inflater_new(SCAN_INFLATER_RAW, NULL, 0);
	return z->inf != NULL ? 0 : -1;
}

/* inflated - a DEFLATED member's bytes for the child: past INFLATE_MAX
 * it is a bomb; once the child has listed its members and the member's
 * size is known, no need to inflate further (without a size, the end of
 * the stream is what tells where the member ends) */
static int
inflated(void *ctx, const unsigned char *d, size_t n)
{
	struct scan_zip_lister *z = ctx;

	z->inflated += n;
	if (z->inflated > INFLATE_MAX) {
		z->anomalies |= SCAN_LISTER_TOO_DEEP;
		return -1;
	}
	scan_zip_lister_feed(z->child, d, n);
	return z->child->st == Z_DONE && z->left != ~0ULL ? -1 : 0;
}

/* feed_inflate - inflate member data into the child; returns how many
 * input bytes belong to the member (fewer than n once the deflate stream
 * has ended, which is how a member with a data descriptor ends) and sets
 * *ended then.  Broken data, a bomb or a child done ends the child. */
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
		z->anomalies |= SCAN_LISTER_BROKEN; /* not deflate data */
		break;
	case SCAN_INFLATER_STOPPED:
		break;
	}
	end_child(z);
	return n;
}

/* is_zip_name - the name ends in .zip (any case) */
static int
is_zip_name(const char *name, size_t n)
{
	return n >= 4 && strcasecmp(name + n - 4, ".zip") == 0;
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
remember_local(struct scan_zip_lister *z, const char *name, size_t n)
{
	if (z->n_local == z->cap_local) {
		size_t cap = z->cap_local ? 2 * z->cap_local : 64;
		unsigned long long *p = realloc(z->local, cap * sizeof(*p));

		if (p == NULL)
			return;            /* the central name is reported again */
		z->local = p;
		z->cap_local = cap;
	}
	z->local[z->n_local++] = name_hash(name, n);
}

/* cmp_hash - qsort/bsearch order of name hashes */
static int
cmp_hash(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* report_name - z->name, counted against max_entries (past it the
 * listing stops); 0 or -1 */
static int
report_name(struct scan_zip_lister *z, unsigned long long size, int encrypted)
{
	if (++z->entries > z->max_entries) {
		z->anomalies |= SCAN_LISTER_TOO_MANY;
		z->st = Z_DONE;
		return -1;
	}
	z->cb(z->ctx, z->name, size, encrypted, z->depth);
	return 0;
}

/* central_entry - a central directory name: reported when no local
 * header carried it */
static void
central_entry(struct scan_zip_lister *z)
{
	unsigned long long h;
	size_t n = z->nkept;

	z->name[n] = '\0';
	if (!z->sorted) {
		if (z->n_local > 1)
			qsort(z->local, z->n_local, sizeof(*z->local), cmp_hash);
		z->sorted = 1;
	}
	h = name_hash(z->name, n);
	if (z->n_local > 0 && bsearch(&h, z->local, z->n_local, sizeof(h), cmp_hash) != NULL)
		return;
	(void)report_name(z, scan_le32(z->hdr + 24), (int)(scan_le16(z->hdr + 8) & 1));
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
		z->st = Z_DONE;            /* the end record: all listed */
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
	z->have += n;
	*i += n;
	return z->have == z->nlen;
}

/* member - a complete local header: report it, decide how to skip */
static void
member(struct scan_zip_lister *z)
{
	size_t n = z->nkept;

	z->name[n] = '\0';
	if (report_name(z, z->usize, (int)(z->flags & 1)) < 0)
		return;
	remember_local(z, z->name, n);
	end_child(z);          /* a previous member's data ended early */
	if ((z->method == 0 || z->method == 8) && !(z->flags & 1) &&
	    is_zip_name(z->name, n)) {
		if (z->depth + 1 > z->max_depth) {
			z->anomalies |= SCAN_LISTER_TOO_DEEP;
			return;
		}
		z->child = scan_zip_lister_new(z->depth + 1, z->max_depth,
					       z->max_entries, z->cb, z->ctx);
		if (z->child != NULL && z->method == 8 && start_inflate(z) < 0) {
			scan_zip_lister_free(&z->child);
			/* out of memory: not listed */
			z->anomalies |= SCAN_LISTER_BROKEN;
		}
	}
}

/* local_name_done - a local header and its name are in: report the
 * member, then its extra field */
static void
local_name_done(struct scan_zip_lister *z)
{
	member(z);
	if (z->st != Z_DONE) {
		z->st = Z_EXTRA;
		z->left = z->xlen;
	}
}

/* local_header - the 30 bytes of a local header are in */
static void
local_header(struct scan_zip_lister *z)
{
	z->saw_header = 1;
	z->flags = scan_le16(z->hdr + 6);
	z->method = scan_le16(z->hdr + 8);
	z->csize = scan_le32(z->hdr + 18);
	z->usize = scan_le32(z->hdr + 22);
	z->nlen = scan_le16(z->hdr + 26);
	z->xlen = scan_le16(z->hdr + 28);
	z->have = 0;
	z->nkept = 0;
	z->st = Z_NAME;
	if (z->nlen == 0)
		local_name_done(z);
}

/* extra_done - past a local header's extra field: how the member's data
 * is passed */
static void
extra_done(struct scan_zip_lister *z)
{
	z->have = 0;
	if ((z->flags & 8) && z->csize == 0 && z->inf != NULL) {
		/* size only in the descriptor: the end of the deflate
		 * stream says where */
		z->st = Z_DATA;
		z->left = ~0ULL;
	} else if ((z->flags & 8) && z->csize == 0) {
		end_child(z);           /* cannot follow it blind */
		z->st = Z_SEARCH;       /* size only in the descriptor */
		z->sig = 0;
	} else {
		z->st = Z_DATA;
		z->left = z->csize;
	}
}

/* data_bytes - member data from d[*i..len): skipped, or fed to the zip
 * it is (inflated when DEFLATED) */
static void
data_bytes(struct scan_zip_lister *z, const unsigned char *d, size_t len,
	   size_t *i)
{
	size_t n = len - *i < z->left ? len - *i : (size_t)z->left;
	int ended = 0, unknown = z->left == ~0ULL;

	if (z->inf != NULL)
		n = feed_inflate(z, d + *i, n, &ended);
	else if (z->child != NULL)
		scan_zip_lister_feed(z->child, d + *i, n);
	*i += n;
	if (unknown) {
		if (ended || z->child == NULL) {
			/* past the stream: the descriptor, then the next
			 * header */
			end_child(z);
			z->st = Z_SEARCH;
			z->sig = 0;
		}
		return;
	}
	z->left -= n;
	if (ended)
		end_child(z);          /* the child has had all its data */
	if (z->left == 0) {
		end_child(z);
		z->st = Z_SIG;
		z->have = 0;
	}
}

/* search_bytes - look for the next local or central header signature
 * in d[*i..len) */
static void
search_bytes(struct scan_zip_lister *z, const unsigned char *d, size_t len,
	     size_t *i)
{
	for (; *i < len; (*i)++) {
		z->sig = (z->sig >> 8) | (unsigned)d[*i] << 24;
		if (z->sig == SIG_LOCAL || z->sig == SIG_CENTRAL) {
			memcpy(z->hdr, z->sig == SIG_LOCAL ? "PK\3\4" : "PK\1\2", 4);
			z->have = 4;
			z->st = z->sig == SIG_LOCAL ? Z_HEADER : Z_CENTRAL;
			z->in_central |= z->sig == SIG_CENTRAL;
			(*i)++;
			return;
		}
	}
}

/* central_header - the 46 bytes of a central directory header are in */
static void
central_header(struct scan_zip_lister *z)
{
	z->nlen = scan_le16(z->hdr + 28);
	z->left = (unsigned long long)scan_le16(z->hdr + 30) +
		  scan_le16(z->hdr + 32);
	z->have = 0;
	z->nkept = 0;
	z->st = Z_CNAME;
}

/* scan_zip_lister_feed - zip bytes through the record states */
void
scan_zip_lister_feed(struct scan_zip_lister *z, const unsigned char *d,
		     size_t len)
{
	size_t i = 0;

	while (i < len) {
		switch (z->st) {
		case Z_SIG:
			if (scan_fill(z->hdr, &z->have, 4, d, len, &i))
				at_signature(z);
			break;
		case Z_HEADER:
			if (scan_fill(z->hdr, &z->have, 30, d, len, &i))
				local_header(z);
			break;
		case Z_NAME:
			if (name_bytes(z, d, len, &i))
				local_name_done(z);
			break;
		case Z_EXTRA:
			if (scan_skip(&z->left, len, &i))
				extra_done(z);
			break;
		case Z_DATA:
			data_bytes(z, d, len, &i);
			break;
		case Z_SEARCH:
			search_bytes(z, d, len, &i);
			break;
		case Z_CENTRAL:
			if (scan_fill(z->hdr, &z->have, 46, d, len, &i))
				central_header(z);
			break;
		case Z_CNAME:
			if (name_bytes(z, d, len, &i)) {
				central_entry(z);
				if (z->st != Z_DONE)
					z->st = Z_CSKIP;
			}
			break;
		case Z_CSKIP:
			if (scan_skip(&z->left, len, &i)) {
				z->have = 0;
				z->st = Z_SIG;   /* the next entry, or the end record */
			}
			break;
		case Z_DONE:
			return;
		}
	}
}

/* scan_zip_lister_finish - the anomalies, once the zip has ended */
unsigned
scan_zip_lister_finish(struct scan_zip_lister *z)
{
	end_child(z);
	if (z->st != Z_DONE && !(z->st == Z_SIG && z->have == 0) &&
	    !(z->st == Z_SIG && z->in_central))
		/* ended inside a member or an entry */
		z->anomalies |= SCAN_LISTER_BROKEN;
	if (!z->saw_header)
		z->anomalies |= SCAN_LISTER_BROKEN;
	return z->anomalies;
}

/* scan_zip_lister_free - the lister, its nested ones, and NULL */
void
scan_zip_lister_free(struct scan_zip_lister **zp)
{
	if (*zp == NULL)
		return;
	end_inflate(*zp);
	scan_zip_lister_free(&(*zp)->child);
	free((*zp)->local);
	free(*zp);
	*zp = NULL;
}
