/*
 * tnef_names.c - streaming TNEF (winmail.dat) name lister (see tnef_names.h)
 *
 * A TNEF stream ([MS-OXTNEF]) is a signature, a 2-byte key, then
 * attributes: level (1 byte), id (4, LE), length (4, LE), data, checksum
 * (2).  attAttachRenddata starts each attachment.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes_private.h"
#include "tnef_names.h"
#include "member_probe.h"
#include "zip_names.h"

#define ATT_ATTACH_RENDDATA 0x00069002UL
#define ATT_ATTACH_TITLE    0x00018010UL
#define ATT_ATTACHMENT      0x00069005UL
#define ATT_ATTACH_DATA     0x0006800FUL

#define PR_ATTACH_FILENAME      0x3704
#define PR_ATTACH_LONG_FILENAME 0x3707
#define PT_STRING8  0x001E
#define PT_UNICODE  0x001F
#define MV_FLAG     0x1000

#define NAME_MAX_LEN 1024
#define PROPS_MAX    65536

enum tstate { T_SIG, T_HDR, T_DATA, T_CKSUM, T_DONE };
enum tkind { K_SKIP, K_TITLE, K_PROPS, K_DATA };

struct scan_tnef_lister {
	enum tstate st;
	enum tkind kind;
	unsigned depth, max_zip_depth, max_entries, entries;
	scan_member_fn *cb;
	void *ctx;
	unsigned char hdr[9];
	size_t have;
	unsigned long long left;
	unsigned char *buf;          /* title or MAPI properties */
	size_t buf_len, buf_cap;
	struct scan_probe probe;     /* attAttachData's first bytes */
	struct scan_zip_lister *zip;
	unsigned anomalies;
};

/* scan_tnef_lister_new - a lister for one TNEF stream */
struct scan_tnef_lister *
scan_tnef_lister_new(unsigned depth, unsigned max_zip_depth,
		     unsigned max_entries, scan_member_fn *cb, void *ctx)
{
	struct scan_tnef_lister *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->depth = depth;
	t->max_zip_depth = max_zip_depth;
	t->max_entries = max_entries;
	t->cb = cb;
	t->ctx = ctx;
	t->st = T_SIG;
	return t;
}

/* report - one name; past max_entries the listing stops */
static void
report(struct scan_tnef_lister *t, const char *name)
{
	if (name[0] == '\0' || t->st == T_DONE)
		return;
	if (++t->entries > t->max_entries) {
		t->anomalies |= SCAN_LISTER_TOO_MANY;
		t->st = T_DONE;
		return;
	}
	t->cb(t->ctx, name, 0, 0, t->depth);
}

/* probe_decided - the attachment's first bytes are in: a zip is listed
 * (from these bytes on), another container needs the inspector */
static void
probe_decided(struct scan_tnef_lister *t)
{
	t->anomalies |= scan_probe_act(&t->probe, t->depth, t->max_zip_depth,
				       t->max_entries, t->cb, t->ctx, &t->zip);
}

/* end_zip - the attachment's data has ended: what it is, if not yet
 * known; the zip inside finishes, its anomalies count */
static void
end_zip(struct scan_tnef_lister *t)
{
	if (t->probe.active)
		probe_decided(t);
	if (t->zip != NULL) {
		t->anomalies |= scan_zip_lister_finish(t->zip);
		scan_zip_lister_free(&t->zip);
	}
}

/* utf16_name - UTF-16LE (n bytes) to UTF-8, up to the first NUL */
static void
utf16_name(const unsigned char *p, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;

	for (i = 0; i + 1 < n; i += 2) {
		unsigned long c = (unsigned long)p[i] | (unsigned long)p[i + 1] << 8;

		if (c == 0)
			break;
		if (c >= 0xD800 && c < 0xDC00 && i + 3 < n) {
			unsigned long lo = (unsigned long)p[i + 2] | (unsigned long)p[i + 3] << 8;
			if (lo >= 0xDC00 && lo < 0xE000) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			}
		}
		if (c >= 0xD800 && c < 0xE000)
			c = 0xFFFD;                  /* lone surrogate */
		if (o + 5 > outsz)
			break;
		if (c < 0x80) {
			out[o++] = (char)c;
		} else if (c < 0x800) {
			out[o++] = (char)(0xC0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xE0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			out[o++] = (char)(0xF0 | c >> 18);
			out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[o] = '\0';
}

/* fixed_size - bytes of one value of a fixed-size property type, 0 if the
 * type is variable-length, -1 if unknown */
static int
fixed_size(unsigned type)
{
	switch (type) {
	case 0x0002: case 0x0003: case 0x0004: case 0x000A: case 0x000B:
		return 4;                    /* short and boolean padded to 4 */
	case 0x0005: case 0x0006: case 0x0007: case 0x0014: case 0x0040:
		return 8;
	case 0x0048:
		return 16;
	case 0x000D: case PT_STRING8: case PT_UNICODE: case 0x0102:
		return 0;
	default:
		return -1;
	}
}

/* skip_prop_name - a named property's name (GUID, kind, then an id or
 * a counted string) at p[*o..n); -1 when it runs past the end */
static int
skip_prop_name(const unsigned char *p, size_t n, size_t *o)
{
	unsigned long len;

	if (*o + 20 > n)
		return -1;
	if (scan_le32(p + *o + 16) != 1) {
		*o += 24;
		return 0;
	}
	if (*o + 24 > n)
		return -1;
	len = scan_le32(p + *o + 20);
	if (len > n || *o + 24 + ((len + 3) & ~3UL) > n)
		return -1;
	*o += 24 + ((len + 3) & ~3UL);
	return 0;
}

/* name_value - a file name property's value (8-bit or UTF-16): report it */
static void
name_value(struct scan_tnef_lister *t, unsigned type, const unsigned char *v,
	   size_t len)
{
	char name[NAME_MAX_LEN * 2 + 1];

	if (type == PT_UNICODE) {
		utf16_name(v, len, name, sizeof(name));
	} else if (type == PT_STRING8) {
		size_t l = strnlen((const char *)v, len);
		if (l > NAME_MAX_LEN)
			l = NAME_MAX_LEN;
		memcpy(name, v, l);
		name[l] = '\0';
	} else {
		name[0] = '\0';
	}
	report(t, name);
}

/* prop_values - nvals values of a property (type, id) at p[*o..n): file
 * names reported, the rest skipped; -1 when they run past the end */
static int
prop_values(struct scan_tnef_lister *t, unsigned type, unsigned id,
	    unsigned long nvals, const unsigned char *p, size_t n, size_t *o)
{
	int fsize = fixed_size(type & ~MV_FLAG);
	unsigned long v, len;

	for (v = 0; v < nvals; v++) {
		if (fsize > 0) {
			if (*o + (size_t)fsize > n)
				return -1;
			*o += (size_t)fsize;
			continue;
		}
		if (*o + 4 > n)
			return -1;
		len = scan_le32(p + *o);
		*o += 4;
		if (len > n - *o)
			return -1;
		if (!(type & MV_FLAG) && v == 0 &&
		    (id == PR_ATTACH_LONG_FILENAME || id == PR_ATTACH_FILENAME))
			name_value(t, type, p + *o, len);
		*o += (len + 3) & ~3UL;
		if (*o > n)
			return -1;
	}
	return 0;
}

/* parse_props - the attachment's MAPI properties: report its file names;
 * stops quietly where the (possibly truncated) buffer ends */
static void
parse_props(struct scan_tnef_lister *t, const unsigned char *p, size_t n)
{
	size_t o = 4;
	unsigned long count, k;

	if (n < 4)
		return;
	count = scan_le32(p);
	for (k = 0; k < count && o + 4 <= n && t->st != T_DONE; k++) {
		unsigned type = (unsigned)p[o] | (unsigned)p[o + 1] << 8;
		unsigned id = (unsigned)p[o + 2] | (unsigned)p[o + 3] << 8;
		unsigned long nvals = 1;
		int fsize = fixed_size(type & ~MV_FLAG);

		o += 4;
		/* named: GUID, kind, id or name */
		if (id >= 0x8000 && skip_prop_name(p, n, &o) < 0)
			return;
		if (fsize < 0)
			return;                      /* unknown type: cannot go on */
		if ((type & MV_FLAG) || fsize == 0) {
			if (o + 4 > n)
				return;
			nvals = scan_le32(p + o);
			o += 4;
		}
		if (prop_values(t, type, id, nvals, p, n, &o) < 0)
			return;
	}
}

/* attribute_start - a complete attribute header: how to read its data */
static void
attribute_start(struct scan_tnef_lister *t)
{
	unsigned level = t->hdr[0];
	unsigned long id = scan_le32(t->hdr + 1);

	if (level != 1 && level != 2) {
		t->anomalies |= SCAN_LISTER_BROKEN; /* not TNEF (any more) */
		t->st = T_DONE;
		return;
	}
	t->left = scan_le32(t->hdr + 5);
	t->kind = K_SKIP;
	t->buf_len = 0;
	if (id == ATT_ATTACH_RENDDATA)
		end_zip(t);                  /* a new attachment */
	else if (id == ATT_ATTACH_TITLE)
		t->kind = K_TITLE;
	else if (id == ATT_ATTACHMENT)
		t->kind = K_PROPS;
	else if (id == ATT_ATTACH_DATA)
		t->kind = K_DATA;
	if (t->kind == K_DATA && t->left > 0 &&
	    scan_probe_start(&t->probe, t->left) < 0)
		t->kind = K_SKIP;            /* out of memory: not probed */
	if (t->kind == K_TITLE || t->kind == K_PROPS) {
		size_t cap = t->kind == K_TITLE ? NAME_MAX_LEN : PROPS_MAX;
		if (t->buf_cap < cap) {
			unsigned char *nb = realloc(t->buf, cap);
			if (nb == NULL) {
				t->kind = K_SKIP;
				t->anomalies |= SCAN_LISTER_BROKEN;
			} else {
				t->buf = nb;
				t->buf_cap = cap;
			}
		}
	}
	t->st = T_DATA;
}

/* attribute_end - the data is complete */
static void
attribute_end(struct scan_tnef_lister *t)
{
	if (t->kind == K_TITLE) {
		char name[NAME_MAX_LEN + 1];
		size_t l = strnlen((const char *)t->buf, t->buf_len);

		if (l > NAME_MAX_LEN)
			l = NAME_MAX_LEN;
		memcpy(name, t->buf, l);
		name[l] = '\0';
		report(t, name);
	} else if (t->kind == K_PROPS) {
		parse_props(t, t->buf, t->buf_len);
	} else if (t->kind == K_DATA) {
		end_zip(t);
	}
	if (t->st != T_DONE) {
		t->st = T_CKSUM;
		t->have = 0;
	}
}

/* data - part of an attribute's data */
static void
data(struct scan_tnef_lister *t, const unsigned char *d, size_t n)
{
	size_t m;

	switch (t->kind) {
	case K_TITLE:
	case K_PROPS:
		m = t->buf_cap - t->buf_len < n ? t->buf_cap - t->buf_len : n;
		memcpy(t->buf + t->buf_len, d, m);
		t->buf_len += m;
		break;
	case K_DATA:
		if (t->probe.active) {
			size_t before = t->probe.len;

			if (!scan_probe_add(&t->probe, d, n))
				break;
			d += t->probe.len - before;
			n -= t->probe.len - before;
			probe_decided(t);
		}
		if (t->zip != NULL && n > 0)
			scan_zip_lister_feed(t->zip, d, n);
		break;
	case K_SKIP:
		break;
	}
}

/* scan_tnef_lister_feed - TNEF bytes: signature, then attributes */
void
scan_tnef_lister_feed(struct scan_tnef_lister *t, const unsigned char *d, size_t len)
{
	size_t i = 0, n;

	while (i < len && t->st != T_DONE) {
		switch (t->st) {
		case T_SIG:
			if (scan_fill(t->hdr, &t->have, 6, d, len, &i)) {
				if (memcmp(t->hdr, SCAN_TNEF_SIGNATURE, 4) != 0) {
					t->anomalies |= SCAN_LISTER_BROKEN;
					t->st = T_DONE;
					break;
				}
				t->st = T_HDR;
				t->have = 0;
			}
			break;
		case T_HDR:
			if (scan_fill(t->hdr, &t->have, 9, d, len, &i)) {
				attribute_start(t);
				if (t->st == T_DATA && t->left == 0)
					attribute_end(t);
			}
			break;
		case T_DATA:
			n = len - i < t->left ? len - i : (size_t)t->left;
			data(t, d + i, n);
			i += n;
			t->left -= n;
			if (t->left == 0)
				attribute_end(t);
			break;
		case T_CKSUM:
			n = 2 - t->have < len - i ? 2 - t->have : len - i;
			t->have += n;
			i += n;
			if (t->have == 2) {
				t->st = T_HDR;
				t->have = 0;
			}
			break;
		case T_DONE:
			break;
		}
	}
}

/* scan_tnef_lister_finish - the anomalies, once the stream has ended */
unsigned
scan_tnef_lister_finish(struct scan_tnef_lister *t)
{
	end_zip(t);
	/* (a few bytes after the last attribute are common: not an error) */
	if (t->st == T_SIG || t->st == T_DATA || t->st == T_CKSUM)
		t->anomalies |= SCAN_LISTER_BROKEN; /* ended inside an attribute */
	return t->anomalies;
}

/* scan_tnef_lister_free - everything, and NULL */
void
scan_tnef_lister_free(struct scan_tnef_lister **tp)
{
	if (*tp == NULL)
		return;
	scan_zip_lister_free(&(*tp)->zip);
	scan_probe_free(&(*tp)->probe);
	free((*tp)->buf);
	free(*tp);
	*tp = NULL;
}
