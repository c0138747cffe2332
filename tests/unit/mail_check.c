/*
 * mail_check.c - read back a composed notice (see mail_check.h)
 */
#include <string.h>
#include <strings.h>

#include "mail_check.h"

/* hexval - value of a hex digit, -1 otherwise */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* b64val - value of a base64 digit, -1 otherwise */
static int
b64val(char c)
{
	const char *t =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(t, c) : NULL;

	return p ? (int)(p - t) : -1;
}

/* mc_header - the unfolded value of a header field */
int
mc_header(const char *msg, const char *name, char *out, size_t outsz)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg, *v;
	size_t nlen = strlen(name), o = 0;

	if (end == NULL)
		return 0;
	for (; p < end; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, name, nlen) != 0 || p[nlen] != ':')
			continue;
		v = p + nlen + 1;
		if (*v == ' ')
			v++;              /* the one space after the colon */
		for (; v < end + 2; v++) {
			if (v[0] == '\r' && v[1] == '\n') {
				if (v[2] != ' ' && v[2] != '\t')
					break;
				v++;          /* unfold: drop the CRLF only */
				continue;
			}
			if (o + 1 >= outsz)
				return 0;
			out[o++] = *v;
		}
		out[o] = '\0';
		return 1;
	}
	return 0;
}

/* decode_word - one "=?charset?X?text?=" at s; its length, or 0 */
static size_t
decode_word(const char *s, char *out, size_t outsz, size_t *o)
{
	const char *q1, *q2, *e, *t;
	unsigned acc = 0;
	int bits = 0, v;

	if (strncmp(s, "=?", 2) != 0 || (q1 = strchr(s + 2, '?')) == NULL ||
	    q1[1] == '\0' || q1[2] != '?' || (e = strstr(q1 + 3, "?=")) == NULL)
		return 0;
	q2 = q1 + 2;
	if (strncasecmp(s + 2, "UTF-8", 5) != 0 || q1 != s + 7)
		return 0;
	for (t = q2 + 1; t < e; t++) {
		if (*o + 1 >= outsz)
			return 0;
		if (q1[1] == 'B' || q1[1] == 'b') {
			if (*t == '=')
				break;
			if ((v = b64val(*t)) < 0)
				return 0;
			acc = (acc << 6) | (unsigned)v;
			if ((bits += 6) >= 8) {
				bits -= 8;
				out[(*o)++] = (char)((acc >> bits) & 0xff);
			}
		} else if (*t == '=') {
			if (t + 2 >= e || hexval(t[1]) < 0 || hexval(t[2]) < 0)
				return 0;
			out[(*o)++] = (char)(hexval(t[1]) * 16 + hexval(t[2]));
			t += 2;
		} else {
			out[(*o)++] = *t == '_' ? ' ' : *t;
		}
	}
	return (size_t)(e + 2 - s);
}

/* mc_subject - the Subject, encoded-words decoded */
int
mc_subject(const char *msg, char *out, size_t outsz)
{
	char raw[8192], word[4096];
	size_t i = 0, o = 0, n, ws, wl;
	int last_word = 0;

	if (!mc_header(msg, "Subject", raw, sizeof(raw)))
		return 0;
	while (raw[i] != '\0') {
		for (ws = 0; raw[i + ws] == ' ' || raw[i + ws] == '\t'; ws++)
			;
		wl = 0;
		n = strncmp(raw + i + ws, "=?", 2) == 0 ?
		    decode_word(raw + i + ws, word, sizeof(word), &wl) : 0;
		if (n == 0 && strncmp(raw + i + ws, "=?", 2) == 0 &&
		    strstr(raw + i + ws, "?=") != NULL)
			return -1;           /* looks encoded, does not decode */
		if (n > 0) {
			if (last_word)
				ws = 0;       /* between two words: dropped */
			if (o + ws + wl >= outsz)
				return -1;
			memcpy(out + o, raw + i, ws);
			memcpy(out + o + ws, word, wl);
			o += ws + wl;
			for (; raw[i] == ' ' || raw[i] == '\t'; i++)
				;            /* the white space before the word */
			i += n;
			last_word = 1;
			continue;
		}
		wl = ws + (raw[i + ws] != '\0');
		if (o + wl >= outsz)
			return -1;
		memcpy(out + o, raw + i, wl);
		o += wl;
		i += wl;
		last_word = 0;
	}
	out[o] = '\0';
	return 1;
}

/* mc_body - the quoted-printable body decoded */
int
mc_body(const char *msg, char *out, size_t outsz)
{
	const char *p = strstr(msg, "\r\n\r\n");
	size_t o = 0;

	if (p == NULL)
		return -1;
	for (p += 4; *p != '\0'; p++) {
		if (o + 1 >= outsz)
			return -1;
		if (p[0] == '\r' && p[1] == '\n') {
			out[o++] = '\n';
			p++;
		} else if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2;                       /* soft line break */
		} else if (p[0] == '=') {
			if (hexval(p[1]) < 0 || hexval(p[2]) < 0)
				return -1;
			out[o++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	return 1;
}

/* mc_format_error - what is wrong with the message's format, or NULL */
const char *
mc_format_error(const char *msg)
{
	const char *body = strstr(msg, "\r\n\r\n"), *p = msg, *eol;
	size_t len = strlen(msg), i;

	if (body == NULL)
		return "no blank line after the headers";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)msg[i];
		if (c >= 0x80)
			return "8-bit byte";
		if (c == '\r' && msg[i + 1] != '\n')
			return "CR without LF";
		if (c == '\n' && (i == 0 || msg[i - 1] != '\r'))
			return "LF without CR";
	}
	if (len < 2 || strcmp(msg + len - 2, "\r\n") != 0)
		return "no final CRLF";
	for (; *p != '\0'; p = eol + 2) {
		size_t n;
		eol = strstr(p, "\r\n");
		n = (size_t)(eol - p);
		if (p < body + 2 && n > 998)
			return "header line over 998 columns";
		if (p < body + 2 && n > 76 && strstr(p, "=?") != NULL &&
		    strstr(p, "=?") < eol)
			return "encoded-word line over 76 columns";
		if (p > body + 2 && n > 76)
			return "body line over 76 columns";
	}
	return NULL;
}

/* mc_utf8_valid - whole, valid UTF-8 */
int
mc_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k, want;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			want = 1;
		else if ((c & 0xf0) == 0xe0)
			want = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			want = 3;
		else
			return 0;
		for (k = 1; k <= want; k++)
			if (i + k >= n || ((unsigned char)s[i + k] & 0xc0) != 0x80)
				return 0;
		i += want + 1;
	}
	return 1;
}
