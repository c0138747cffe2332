/*
 * mime_hdr.c - MIME header parameters with RFC 2231 and RFC 2047 (see mime_hdr.h)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "mime_decode.h"
#include "mime_hdr.h"

#define VALUE_MAX SCAN_MIME_SECTIONS_BYTES   /* one parameter value */

struct section {
	int index;
	int encoded;
	size_t off, len;            /* in the pool */
};

struct ext_param {                  /* the RFC 2231 sections of a name */
	unsigned n;
	int over;                   /* some did not fit: an anomaly */
	struct section s[SCAN_MIME_SECTIONS_MAX];
	char pool[SCAN_MIME_SECTIONS_BYTES];
	size_t used;
};

/* skip_ws_comments - past whitespace and (nested) comments at v[*i] */
static void
skip_ws_comments(const char *v, size_t len, size_t *i)
{
	while (*i < len) {
		if (isspace((unsigned char)v[*i])) {
			(*i)++;
		} else if (v[*i] == '(') {
			int depth = 0;
			for (; *i < len; (*i)++) {
				if (v[*i] == '\\' && *i + 1 < len) {
					(*i)++;
					continue;
				}
				if (v[*i] == '(')
					depth++;
				else if (v[*i] == ')' && --depth == 0) {
					(*i)++;
					break;
				}
			}
		} else {
			break;
		}
	}
}

/* add_one - one more declared name, unless known or no room; a name
 * too long keeps its start and its tail (the extension) */
static void
add_one(struct scan_mime_hdr *h, const char *name, size_t len)
{
	char buf[SCAN_MIME_NAME_MAX];
	unsigned i;

	if (len == 0 || h->n_names == SCAN_MIME_NAMES_MAX)
		return;
	if (len >= SCAN_MIME_NAME_MAX) {
		size_t head = SCAN_MIME_NAME_MAX - 1 - SCAN_MIME_NAME_TAIL;
		memcpy(buf, name, head);
		memcpy(buf + head, name + len - SCAN_MIME_NAME_TAIL, SCAN_MIME_NAME_TAIL);
		name = buf;
		len = SCAN_MIME_NAME_MAX - 1;
	}
	for (i = 0; i < h->n_names; i++)
		if (strlen(h->names[i]) == len && memcmp(h->names[i], name, len) == 0)
			return;
	memcpy(h->names[h->n_names], name, len);
	h->names[h->n_names][len] = '\0';
	h->n_names++;
}

/* add_name - a declared name (len bytes); one holding NULs is read both
 * ways: cut at the first NUL, and with the NULs dropped */
static void
add_name(struct scan_mime_hdr *h, const char *name, size_t len)
{
	static __thread char joined[SCAN_MIME_SECTIONS_BYTES];
	size_t i, o = 0;
	const char *nul = memchr(name, '\0', len);

	if (nul == NULL) {
		add_one(h, name, len);
		return;
	}
	add_one(h, name, (size_t)(nul - name));
	for (i = 0; i < len && o < sizeof(joined); i++)
		if (name[i] != '\0')
			joined[o++] = name[i];
	add_one(h, joined, o);
}

/* struct outbuf - a bounded value that, once full, keeps its start and
 * its last SCAN_MIME_NAME_TAIL bytes (where a name's extension is) */
struct outbuf { char *p; size_t n, sz, over; };

/* out_put - one more byte */
static void
out_put(struct outbuf *o, char c)
{
	size_t head = o->sz - 1 - SCAN_MIME_NAME_TAIL;

	if (o->n + 1 < o->sz) {
		o->p[o->n++] = c;
		return;
	}
	o->p[head + (o->over++ % SCAN_MIME_NAME_TAIL)] = c;   /* a ring */
}

/* out_end - put the ring in order, NUL-terminate; the length */
static size_t
out_end(struct outbuf *o)
{
	char tmp[SCAN_MIME_NAME_TAIL];
	size_t head = o->sz - 1 - SCAN_MIME_NAME_TAIL, k;

	if (o->over > 0) {
		k = o->over % SCAN_MIME_NAME_TAIL;
		memcpy(tmp, o->p + head + k, SCAN_MIME_NAME_TAIL - k);
		memcpy(tmp + SCAN_MIME_NAME_TAIL - k, o->p + head, k);
		memcpy(o->p + head, tmp, SCAN_MIME_NAME_TAIL);
	}
	o->p[o->n] = '\0';
	return o->n;
}

/* read_value - quoted string (quoted-pairs resolved; a missing closing
 * quote ends at the end of the header) or a token up to ';' */
static size_t
read_value(const char *v, size_t len, size_t *i, char *out, size_t outsz)
{
	struct outbuf o = { out, 0, outsz, 0 };

	if (*i < len && v[*i] == '"') {
		(*i)++;
		while (*i < len && v[*i] != '"') {
			if (v[*i] == '\\' && *i + 1 < len)
				(*i)++;
			out_put(&o, v[*i]);
			(*i)++;
		}
		if (*i < len)
			(*i)++;
		/* junk after the closing quote, up to ';' */
		while (*i < len && v[*i] != ';')
			(*i)++;
	} else {
		size_t start = *i, end;
		while (*i < len && v[*i] != ';')
			(*i)++;
		end = *i;
		while (end > start && isspace((unsigned char)v[end - 1]))
			end--;
		for (; start < end; start++)
			out_put(&o, v[start]);
	}
	return out_end(&o);
}

/* cmp_section - qsort order of RFC 2231 sections: by index */
static int
cmp_section(const void *a, const void *b)
{
	return ((const struct section *)a)->index - ((const struct section *)b)->index;
}

/* join_extended - RFC 2231: sort the sections, percent-decode the
 * encoded ones, convert from the first section's charset */
static void
join_extended(struct ext_param *p, struct scan_mime_hdr *h)
{
	static __thread char raw[SCAN_MIME_SECTIONS_BYTES],
		utf8[SCAN_MIME_SECTIONS_BYTES * 2];
	char charset[64] = "";
	size_t n = 0, i, k;

	if (p->over)
		h->anomalies |= SCAN_ANOM_NAME_SECTIONS;
	if (p->n == 0)
		return;
	qsort(p->s, p->n, sizeof(p->s[0]), cmp_section);
	for (i = 0; i < p->n; i++) {
		const char *v = p->pool + p->s[i].off;
		size_t len = p->s[i].len;
		if (i == 0 && p->s[i].encoded) {
			/* charset'language'text */
			const char *q1 = memchr(v, '\'', len), *q2;
			if (q1 != NULL && (q2 = memchr(q1 + 1, '\'', len - (size_t)(q1 + 1 - v))) != NULL) {
				size_t cl = (size_t)(q1 - v) < sizeof(charset) - 1 ?
					    (size_t)(q1 - v) : sizeof(charset) - 1;
				memcpy(charset, v, cl);
				charset[cl] = '\0';
				len -= (size_t)(q2 + 1 - v);
				v = q2 + 1;
			}
		}
		for (k = 0; k < len && n + 1 < sizeof(raw); k++) {
			int hi, lo;
			if (p->s[i].encoded && v[k] == '%' && k + 2 < len + 0 &&
			    (hi = scan_hex_value((unsigned char)v[k + 1])) >= 0 &&
			    (lo = scan_hex_value((unsigned char)v[k + 2])) >= 0) {
				raw[n++] = (char)(hi << 4 | lo);
				k += 2;
			} else {
				raw[n++] = v[k];
			}
		}
	}
	n = scan_charset_to_utf8(charset, raw, n, utf8, sizeof(utf8));
	add_name(h, utf8, n);
}

/* plain_2231 - an RFC 2231 value (charset'language'%XX) decoded in
 * place, its charset ignored (a boundary is ASCII); the new length */
static size_t
plain_2231(char *v, size_t len)
{
	const char *q1 = memchr(v, '\'', len), *q2;
	size_t i = 0, o = 0;
	int hi, lo;

	if (q1 != NULL && (q2 = memchr(q1 + 1, '\'', len - (size_t)(q1 + 1 - v))) != NULL)
		i = (size_t)(q2 + 1 - v);
	for (; i < len; i++) {
		if (v[i] == '%' && i + 2 < len &&
		    (hi = scan_hex_value((unsigned char)v[i + 1])) >= 0 &&
		    (lo = scan_hex_value((unsigned char)v[i + 2])) >= 0) {
			v[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			v[o++] = v[i];
		}
	}
	v[o] = '\0';
	return o;
}

/* set_boundary - a boundary parameter: the first one counts, a different
 * second one is a conflict */
static void
set_boundary(struct scan_mime_hdr *h, const char *val, size_t vlen, int seen)
{
	size_t bl;

	if (seen) {
		if (strcmp(h->boundary, val) != 0)
			h->boundary_conflict = 1;
		return;
	}
	if (vlen > sizeof(h->boundary) - 1)
		h->anomalies |= SCAN_ANOM_HEADER_LONG;  /* no line can match it */
	bl = vlen < sizeof(h->boundary) - 1 ? vlen : sizeof(h->boundary) - 1;
	memcpy(h->boundary, val, bl);
	h->boundary[bl] = '\0';
}

/* add_section - an RFC 2231 name parameter; suffix is what follows
 * "name*": "" (name*=), "N" or "N*" (a section); anything else is
 * ignored; sections past the caps are counted as "over" */
static void
add_section(struct ext_param *ext, const char *suffix, const char *val,
	    size_t vlen)
{
	struct section *s;
	char *end;
	long idx;

	s = &ext->s[ext->n < SCAN_MIME_SECTIONS_MAX ? ext->n : 0];
	if (*suffix == '\0') {                 /* name*= */
		s->index = 0;
		s->encoded = 1;
	} else {                               /* name*N or name*N* */
		idx = strtol(suffix, &end, 10);
		if (end == suffix || idx < 0 || idx > 999 ||
		    !(*end == '\0' || (end[0] == '*' && end[1] == '\0')))
			return;
		s->index = (int)idx;
		s->encoded = *end == '*';
	}
	if (ext->n == SCAN_MIME_SECTIONS_MAX ||
	    vlen > sizeof(ext->pool) - ext->used) {
		ext->over = 1;          /* past the cap: kept as far as it went */
		return;
	}
	memcpy(ext->pool + ext->used, val, vlen);
	s->off = ext->used;
	s->len = vlen;
	ext->used += vlen;
	ext->n++;
}

/* scan_mime_hdr_parse - the token, boundary and names of a value */
void
scan_mime_hdr_parse(const char *v, size_t len, const char *name_param,
		    struct scan_mime_hdr *h)
{
	static __thread struct ext_param ext;   /* large: not on the stack */
	static __thread char val[VALUE_MAX], dec[VALUE_MAX];
	size_t i = 0, o = 0, plen = strlen(name_param);
	int have_boundary = 0;

	h->token[0] = h->boundary[0] = '\0';
	h->boundary_conflict = 0;
	h->anomalies = 0;
	h->n_names = 0;
	ext.n = 0;
	ext.over = 0;
	ext.used = 0;
	skip_ws_comments(v, len, &i);
	while (i < len && v[i] != ';' && !isspace((unsigned char)v[i]) && v[i] != '(') {
		if (o + 1 < sizeof(h->token))
			h->token[o++] = (char)tolower((unsigned char)v[i]);
		i++;
	}
	h->token[o] = '\0';
	while (i < len) {
		char attr[80];
		size_t a = 0, vlen;
		char *star;

		while (i < len && v[i] != ';')
			i++;
		if (i >= len)
			break;
		i++;
		skip_ws_comments(v, len, &i);
		while (i < len && v[i] != '=' && v[i] != ';') {
			if (!isspace((unsigned char)v[i]) && a + 1 < sizeof(attr))
				attr[a++] = (char)tolower((unsigned char)v[i]);
			i++;
		}
		attr[a] = '\0';
		if (i >= len || v[i] != '=')
			continue;
		i++;
		skip_ws_comments(v, len, &i);
		vlen = read_value(v, len, &i, val, sizeof(val));
		if (strcmp(attr, "boundary*") == 0)    /* RFC 2231, as Thunderbird */
			vlen = plain_2231(val, vlen);
		if (strcmp(attr, "boundary") == 0 || strcmp(attr, "boundary*") == 0) {
			set_boundary(h, val, vlen, have_boundary);
			have_boundary = 1;
			continue;
		}
		if (strncmp(attr, name_param, plen) != 0)
			continue;
		star = attr + plen;
		if (*star == '\0') {
			/* plain: may hold RFC 2047 words, as many clients send */
			size_t dl = scan_rfc2047_decode(val, vlen, dec, sizeof(dec));
			add_name(h, dec, dl);
		} else if (*star == '*') {
			add_section(&ext, star + 1, val, vlen);
		}
	}
	join_extended(&ext, h);
}
