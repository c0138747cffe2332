/*
 * zip_names.c - streaming ZIP member lister (see zip_names.h)
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zip_names.h"

#define ZIP_NAME_MAX 1024

enum zstate { Z_SIG, Z_HEADER, Z_NAME, Z_EXTRA, Z_DATA, Z_SEARCH, Z_DONE };

struct zip_lister {
	enum zstate st;
	unsigned depth, max_depth, max_entries, entries;
	zip_member_fn *cb;
	void *ctx;
	unsigned char hdr[30];
	size_t have;                 /* bytes of hdr/name collected */
	unsigned flags, method, nlen, xlen;
	unsigned long long csize, usize, left;
	char name[ZIP_NAME_MAX + 1];
	unsigned sig;                /* last 4 bytes seen while searching */
	unsigned anomalies;
	int saw_header;
	struct zip_lister *child;    /* a STORED member that is a zip */
};

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long
le32(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 |
	       (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24;
}

struct zip_lister *
zip_lister_new(unsigned depth, unsigned max_depth, unsigned max_entries,
	       zip_member_fn *cb, void *ctx)
{
	struct zip_lister *z = calloc(1, sizeof(*z));

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

static void
end_child(struct zip_lister *z)
{
	if (z->child != NULL) {
		z->anomalies |= zip_lister_finish(z->child);
		zip_lister_free(&z->child);
	}
}

static int
is_zip_name(const char *name, size_t n)
{
	return n >= 4 && strcasecmp(name + n - 4, ".zip") == 0;
}

/* member - a complete local header: report it, decide how to skip */
static void
member(struct zip_lister *z)
{
	size_t n = z->nlen < ZIP_NAME_MAX ? z->nlen : ZIP_NAME_MAX;

	z->name[n] = '\0';
	if (++z->entries > z->max_entries) {
		z->anomalies |= 1;
		z->st = Z_DONE;
		return;
	}
	z->cb(z->ctx, z->name, z->usize, (int)(z->flags & 1), z->depth);
	if (z->method == 0 && !(z->flags & 1) && is_zip_name(z->name, n)) {
		if (z->depth + 1 > z->max_depth)
			z->anomalies |= 2;
		else
			z->child = zip_lister_new(z->depth + 1, z->max_depth,
						  z->max_entries, z->cb, z->ctx);
	}
}

void
zip_lister_feed(struct zip_lister *z, const unsigned char *d, size_t len)
{
	size_t i = 0;

	while (i < len) {
		switch (z->st) {
		case Z_SIG:
		case Z_HEADER: {
			size_t want = 30 - z->have, n = len - i < want ? len - i : want;
			memcpy(z->hdr + z->have, d + i, n);
			z->have += n;
			i += n;
			if (z->have >= 4 && z->st == Z_SIG) {
				unsigned long sig = le32(z->hdr);
				if (sig != 0x04034b50UL) {
					/* central directory or anything else: the
					 * members are behind us */
					if (!z->saw_header)
						z->anomalies |= 1;
					z->st = Z_DONE;
					break;
				}
				z->st = Z_HEADER;
			}
			if (z->have < 30)
				break;
			z->saw_header = 1;
			z->flags = le16(z->hdr + 6);
			z->method = le16(z->hdr + 8);
			z->csize = le32(z->hdr + 18);
			z->usize = le32(z->hdr + 22);
			z->nlen = le16(z->hdr + 26);
			z->xlen = le16(z->hdr + 28);
			z->have = 0;
			z->st = Z_NAME;
			if (z->nlen == 0) {
				member(z);
				z->st = z->st == Z_DONE ? Z_DONE : Z_EXTRA;
				z->left = z->xlen;
			}
			break;
		}
		case Z_NAME: {
			size_t want = z->nlen - z->have, n = len - i < want ? len - i : want;
			size_t room = z->have < ZIP_NAME_MAX ? ZIP_NAME_MAX - z->have : 0;
			memcpy(z->name + z->have, d + i, n < room ? n : room);
			z->have += n;
			i += n;
			if (z->have == z->nlen) {
				member(z);
				if (z->st != Z_DONE) {
					z->st = Z_EXTRA;
					z->left = z->xlen;
				}
			}
			break;
		}
		case Z_EXTRA: {
			size_t n = len - i < z->left ? len - i : (size_t)z->left;
			i += n;
			z->left -= n;
			if (z->left == 0) {
				z->have = 0;
				if ((z->flags & 8) && z->csize == 0) {
					z->st = Z_SEARCH;     /* size only in the descriptor */
					z->sig = 0;
				} else {
					z->st = Z_DATA;
					z->left = z->csize;
				}
			}
			break;
		}
		case Z_DATA: {
			size_t n = len - i < z->left ? len - i : (size_t)z->left;
			if (z->child != NULL)
				zip_lister_feed(z->child, d + i, n);
			i += n;
			z->left -= n;
			if (z->left == 0) {
				end_child(z);
				z->st = Z_SIG;
				z->have = 0;
			}
			break;
		}
		case Z_SEARCH:
			/* look for the next local header signature */
			for (; i < len; i++) {
				z->sig = (z->sig >> 8) | (unsigned)d[i] << 24;
				if (z->sig == 0x04034b50U) {
					memcpy(z->hdr, "PK\3\4", 4);
					z->have = 4;
					z->st = Z_HEADER;
					i++;
					break;
				}
				if (z->sig == 0x02014b50U) {       /* central directory */
					z->st = Z_DONE;
					i++;
					break;
				}
			}
			break;
		case Z_DONE:
			return;
		}
	}
}

unsigned
zip_lister_finish(struct zip_lister *z)
{
	end_child(z);
	if (z->st != Z_DONE && !(z->st == Z_SIG && z->have == 0))
		z->anomalies |= 1;        /* ended inside a member */
	if (!z->saw_header)
		z->anomalies |= 1;
	return z->anomalies;
}

void
zip_lister_free(struct zip_lister **zp)
{
	if (*zp == NULL)
		return;
	zip_lister_free(&(*zp)->child);
	free(*zp);
	*zp = NULL;
}
