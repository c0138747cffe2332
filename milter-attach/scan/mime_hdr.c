/*
 * mime_hdr.c - MIME header parameters with RFC 2231 and RFC 2047 (see mime_hdr.h)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime_decode.h"
#include "mime_hdr.h"

#define SECTIONS_MAX 64

struct section {
	int index;
	int encoded;
	char value[SCAN_MIME_NAME_MAX];
	size_t len;
};

struct ext_param {
	unsigned n;
	struct section s[SECTIONS_MAX];
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

/* add_name - one more declared name, unless known or no room */
static void
add_name(struct scan_mime_hdr *h, const char *name, size_t len)
{
	unsigned i;

	if (len == 0 || h->n_names == SCAN_MIME_NAMES_MAX)
		return;
	if (len >= SCAN_MIME_NAME_MAX)
		len = SCAN_MIME_NAME_MAX - 1;
	for (i = 0; i < h->n_names; i++)
		if (strlen(h->names[i]) == len && memcmp(h->names[i], name, len) == 0)
			return;
	memcpy(h->names[h->n_names], name, len);
	h->names[h->n_names][len] = '\0';
	h->n_names++;
}

/* read_value - quoted string (quoted-pairs resolved; a missing closing
 * quote ends at the end of the header) or a token up to ';' */
static size_t
read_value(const char *v, size_t len, size_t *i, char *out, size_t outsz)
{
	size_t o = 0;

	if (*i < len && v[*i] == '"') {
		(*i)++;
		while (*i < len && v[*i] != '"') {
			if (v[*i] == '\\' && *i + 1 < len)
				(*i)++;
			if (o + 1 < outsz)
				out[o++] = v[*i];
			(*i)++;
		}
		if (*i < len)
			(*i)++;
		/* junk after the closing quote, up to ';' */
		while (*i < len && v[*i] != ';')
			(*i)++;
	} else {
		while (*i < len && v[*i] != ';') {
			if (o + 1 < outsz)
				out[o++] = v[*i];
			(*i)++;
		}
		while (o > 0 && isspace((unsigned char)out[o - 1]))
			o--;
	}
	out[o] = '\0';
	return o;
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
	char raw[SCAN_MIME_NAME_MAX], charset[64] = "", utf8[SCAN_MIME_NAME_MAX];
	size_t n = 0, i, k;

	if (p->n == 0)
		return;
	qsort(p->s, p->n, sizeof(p->s[0]), cmp_section);
	for (i = 0; i < p->n; i++) {
		const char *v = p->s[i].value;
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
	bl = vlen < sizeof(h->boundary) - 1 ? vlen : sizeof(h->boundary) - 1;
	memcpy(h->boundary, val, bl);
	h->boundary[bl] = '\0';
}

/* add_section - an RFC 2231 name parameter; suffix is what follows
 * "name*": "" (name*=), "N" or "N*" (a section); anything else and
 * sections past SECTIONS_MAX are ignored */
static void
add_section(struct ext_param *ext, const char *suffix, const char *val,
	    size_t vlen)
{
	struct section *s;
	char *end;
	long idx;

	if (ext->n >= SECTIONS_MAX)
		return;
	s = &ext->s[ext->n];
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
	memcpy(s->value, val, vlen + 1);
	s->len = vlen;
	ext->n++;
}

/* scan_mime_hdr_parse - the token, boundary and names of a value */
void
scan_mime_hdr_parse(const char *v, size_t len, const char *name_param,
		    struct scan_mime_hdr *h)
{
	static __thread struct ext_param ext;   /* large: not on the stack */
	size_t i = 0, o = 0, plen = strlen(name_param);
	char val[SCAN_MIME_NAME_MAX], dec[SCAN_MIME_NAME_MAX];
	int have_boundary = 0;

	memset(h, 0, sizeof(*h));
	ext.n = 0;
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
		if (strcmp(attr, "boundary") == 0) {
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
