/*
 * mime_decode.c - base64, quoted-printable, uuencode, RFC 2047 (see mime_decode.h)
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "mime_decode.h"

/* 0..63 for base64 characters, 64 for '=', 255 for anything else */
static const unsigned char b64tab[256] = {
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,  62, 255, 255, 255,  63,
	 52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 255, 255, 255,  64, 255, 255,
	255,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
	 15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 255, 255, 255, 255, 255,
	255,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
	 41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

/* scan_b64_init - no bits pending */
void
scan_b64_init(struct scan_b64_state *st)
{
	st->bits = st->nbits = 0;
	st->done = 0;
}

/* scan_b64_line - one line of base64, decoded to the sink */
void
scan_b64_line(struct scan_b64_state *st, const char *line, size_t len,
	      scan_sink_fn *sink, void *ctx)
{
	unsigned char out[1024];
	size_t i, o = 0;
	unsigned bits = st->bits, nbits = st->nbits;

	for (i = 0; i < len; i++) {
		unsigned char v;

		/* fast path: a whole quantum of four valid characters */
		while (nbits == 0 && len - i >= 4 && o + 3 <= sizeof(out)) {
			const unsigned char *q = (const unsigned char *)line + i;
			unsigned a = b64tab[q[0]], b = b64tab[q[1]],
				 c = b64tab[q[2]], d = b64tab[q[3]];

			if ((a | b | c | d) & 0xc0)   /* 64 (pad) or 255 */
				break;
			out[o++] = (unsigned char)(a << 2 | b >> 4);
			out[o++] = (unsigned char)(b << 4 | c >> 2);
			out[o++] = (unsigned char)(c << 6 | d);
			i += 4;
		}
		if (o == sizeof(out)) {   /* the fast path may fill it up */
			sink(ctx, out, o);
			o = 0;
		}
		if (i >= len)
			break;
		v = b64tab[(unsigned char)line[i]];
		if (v == 255)
			continue;
		if (v == 64) {            /* padding: the quantum is over */
			bits = nbits = 0;
			continue;
		}
		bits = (bits << 6) | v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			out[o++] = (unsigned char)(bits >> nbits);
			bits &= (1u << nbits) - 1;
			if (o == sizeof(out)) {
				sink(ctx, out, o);
				o = 0;
			}
		}
	}
	if (o > 0)
		sink(ctx, out, o);
	st->bits = bits;
	st->nbits = nbits;
}

/* scan_hex_value - the value of a hex digit (either case), -1 if not one */
int
scan_hex_value(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	return -1;
}

/* scan_qp_line - one line of quoted-printable, decoded to the sink */
int
scan_qp_line(const char *line, size_t len, scan_sink_fn *sink, void *ctx)
{
	unsigned char out[1024];
	size_t i, o = 0;
	int soft = 0;

	/* trailing whitespace is not part of the data (RFC 2045 6.7) */
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	for (i = 0; i < len; i++) {
		if (o + 2 >= sizeof(out)) {
			sink(ctx, out, o);
			o = 0;
		}
		if (line[i] == '=') {
			int h, l;
			if (i + 1 == len) {
				soft = 1;
				break;
			}
			if (i + 2 < len &&
			    (h = scan_hex_value((unsigned char)line[i + 1])) >= 0 &&
			    (l = scan_hex_value((unsigned char)line[i + 2])) >= 0) {
				out[o++] = (unsigned char)(h << 4 | l);
				i += 2;
				continue;
			}
		}
		out[o++] = (unsigned char)line[i];
	}
	if (!soft) {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	if (o > 0)
		sink(ctx, out, o);
	return soft;
}

/* scan_uu_line - one uuencoded line, decoded to the sink */
int
scan_uu_line(const char *line, size_t len, scan_sink_fn *sink, void *ctx)
{
	unsigned char out[64];
	size_t n, i, o = 0;

	if (len == 0)
		return -1;
	n = (size_t)((line[0] - ' ') & 63);
	if (n == 0)
		return 0;                 /* the "`" or " " line before "end" */
	for (i = 1; i < len && o < n; i += 4) {
		unsigned c[4], k;
		for (k = 0; k < 4; k++)
			c[k] = i + k < len ? (unsigned)((line[i + k] - ' ') & 63) : 0;
		out[o++] = (unsigned char)(c[0] << 2 | c[1] >> 4);
		if (o < n) out[o++] = (unsigned char)(c[1] << 4 | c[2] >> 2);
		if (o < n) out[o++] = (unsigned char)(c[2] << 6 | c[3]);
	}
	sink(ctx, out, o);
	return 0;
}

/* scan_uu_begin - a "begin <mode> <name>" line */
int
scan_uu_begin(const char *line, size_t len, char *name, size_t namesz)
{
	size_t i = 6, start;

	if (len < 8 || memcmp(line, "begin ", 6) != 0)
		return 0;
	start = i;
	while (i < len && line[i] >= '0' && line[i] <= '7')
		i++;
	if (i - start < 3 || i - start > 4 || i >= len || line[i] != ' ')
		return 0;
	while (i < len && line[i] == ' ')
		i++;
	while (len > i && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (i >= len)
		return 0;
	if (len - i >= namesz)
		len = i + namesz - 1;
	memcpy(name, line + i, len - i);
	name[len - i] = '\0';
	return 1;
}

/* scan_charset_to_utf8 - in (of charset) to UTF-8 in out */
size_t
scan_charset_to_utf8(const char *charset, const char *in, size_t len,
		     char *out, size_t outsz)
{
	iconv_t cd;
	char *ip = (char *)in, *op = out;
	size_t il = len, ol = outsz - 1;

	if (outsz == 0)
		return 0;
	if (charset == NULL || *charset == '\0' || strcasecmp(charset, "utf-8") == 0 ||
	    strcasecmp(charset, "us-ascii") == 0 ||
	    (cd = iconv_open("UTF-8", charset)) == (iconv_t)-1) {
		if (len > outsz - 1)
			len = outsz - 1;
		memcpy(out, in, len);
		out[len] = '\0';
		return len;
	}
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 && errno != E2BIG) {
		/* invalid input: keep the raw bytes, a name is still a name */
		iconv_close(cd);
		if (len > outsz - 1)
			len = outsz - 1;
		memcpy(out, in, len);
		out[len] = '\0';
		return len;
	}
	iconv_close(cd);
	*op = '\0';
	return (size_t)(op - out);
}

/* encoded_word - one encoded word at s (=?charset?E?text?=) decoded to
 * UTF-8 in out; returns its length in s, or 0 when it is not one */
static size_t
encoded_word(const char *s, size_t len, char *out, size_t outsz, size_t *outlen)
{
	char charset[64], raw[512];
	const char *q1, *q2, *end;
	size_t i, n = 0;
	char enc;

	if (len < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	q1 = memchr(s + 2, '?', len - 2);
	if (q1 == NULL || q1 + 3 >= s + len || q1[2] != '?')
		return 0;
	enc = (char)toupper((unsigned char)q1[1]);
	if (enc != 'B' && enc != 'Q')
		return 0;
	q2 = q1 + 3;
	end = NULL;
	for (i = (size_t)(q2 - s); i + 1 < len; i++)
		if (s[i] == '?' && s[i + 1] == '=') {
			end = s + i;
			break;
		}
	if (end == NULL || (size_t)(q1 - s - 2) >= sizeof(charset))
		return 0;
	memcpy(charset, s + 2, (size_t)(q1 - s - 2));
	charset[q1 - s - 2] = '\0';
	/* RFC 2231 language suffix: charset*lang */
	if (strchr(charset, '*') != NULL)
		*strchr(charset, '*') = '\0';
	if (enc == 'B') {
		struct { char *p; size_t n, cap; } acc = { raw, 0, sizeof(raw) };
		{
			/* inline sink collecting into raw */
			const char *p = q2;
			unsigned bits = 0, nbits = 0;
			for (; p < end && acc.n < acc.cap; p++) {
				unsigned char v = b64tab[(unsigned char)*p];
				if (v >= 64)
					continue;
				bits = (bits << 6) | v;
				nbits += 6;
				if (nbits >= 8) {
					nbits -= 8;
					acc.p[acc.n++] = (char)(bits >> nbits);
					bits &= (1u << nbits) - 1;
				}
			}
		}
		n = acc.n;
	} else {
		const char *p;
		for (p = q2; p < end && n < sizeof(raw); p++) {
			int h, l;
			if (*p == '_')
				raw[n++] = ' ';
			else if (*p == '=' && p + 2 < end + 1 &&
				 (h = scan_hex_value((unsigned char)p[1])) >= 0 &&
				 (l = scan_hex_value((unsigned char)p[2])) >= 0) {
				raw[n++] = (char)(h << 4 | l);
				p += 2;
			} else
				raw[n++] = *p;
		}
	}
	*outlen = scan_charset_to_utf8(charset, raw, n, out, outsz);
	return (size_t)(end + 2 - s);
}

/* scan_rfc2047_decode - text with encoded words to UTF-8 */
size_t
scan_rfc2047_decode(const char *text, size_t len, char *out, size_t outsz)
{
	char word[1024];
	size_t i = 0, o = 0, ws_start = 0, ws_len = 0;
	int last_was_word = 0;

	if (outsz == 0)
		return 0;
#define PUT(p, n) do { size_t k_ = (n) < outsz - 1 - o ? (n) : outsz - 1 - o; \
		memcpy(out + o, (p), k_); o += k_; } while (0)
	while (i < len && o + 1 < outsz) {
		size_t wl, dl = 0;
		if (text[i] == '=' &&
		    (wl = encoded_word(text + i, len - i, word, sizeof(word), &dl)) > 0) {
			/* whitespace between two encoded words disappears */
			if (!last_was_word)
				PUT(text + ws_start, ws_len);
			PUT(word, dl);
			i += wl;
			ws_len = 0;
			last_was_word = 1;
			continue;
		}
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
			if (ws_len == 0)
				ws_start = i;
			ws_len++;
			i++;
			continue;
		}
		PUT(text + ws_start, ws_len);
		ws_len = 0;
		last_was_word = 0;
		if (o + 1 >= outsz)
			break;
		out[o++] = text[i++];
	}
	if (!last_was_word)
		PUT(text + ws_start, ws_len);
#undef PUT
	out[o] = '\0';
	return o;
}
