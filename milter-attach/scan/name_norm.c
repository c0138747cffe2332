/*
 * name_norm.c - file names as clients save them (see name_norm.h)
 *
 * Works on UTF-8 in place in the output buffer: delete controls, cut
 * the stream suffix, trim, strip white space in the extension.
 */
#include <stdio.h>
#include <string.h>

#include "name_norm.h"

/* utf8_at - the code point at p[0..n) and its length in *l; -1 (length
 * 1) for a byte that does not start valid UTF-8 */
static long
utf8_at(const unsigned char *p, size_t n, size_t *l)
{
	long cp;
	size_t need, i;

	*l = 1;
	if (p[0] < 0x80)
		return p[0];
	if ((p[0] & 0xe0) == 0xc0) { need = 1; cp = p[0] & 0x1f; }
	else if ((p[0] & 0xf0) == 0xe0) { need = 2; cp = p[0] & 0x0f; }
	else if ((p[0] & 0xf8) == 0xf0) { need = 3; cp = p[0] & 0x07; }
	else return -1;
	if (need >= n)
		return -1;
	for (i = 1; i <= need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	*l = need + 1;
	return cp;
}

/* is_control - Unicode Cc, Zl, Zp */
static int
is_control(long c)
{
	return (c >= 0 && c < 0x20) || (c >= 0x7f && c <= 0x9f) ||
	       c == 0x2028 || c == 0x2029;
}

/* is_space - Unicode Zs, and U+FEFF which Gecko treats as a space */
static int
is_space(long c)
{
	return c == 0x20 || c == 0xa0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200a) || c == 0x202f || c == 0x205f ||
	       c == 0x3000 || c == 0xfeff;
}

/* is_format - Unicode Cf (Unicode 15), and U+180E (Cf until 6.3) */
static int
is_format(long c)
{
	static const long ranges[][2] = {
		{ 0xad, 0xad }, { 0x600, 0x605 }, { 0x61c, 0x61c },
		{ 0x6dd, 0x6dd }, { 0x70f, 0x70f }, { 0x890, 0x891 },
		{ 0x8e2, 0x8e2 }, { 0x180e, 0x180e }, { 0x200b, 0x200f },
		{ 0x202a, 0x202e }, { 0x2060, 0x2064 }, { 0x2066, 0x206f },
		{ 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0x110bd, 0x110bd },
		{ 0x110cd, 0x110cd }, { 0x13430, 0x1343f },
		{ 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a }, { 0xe0001, 0xe0001 },
		{ 0xe0020, 0xe007f },
	};
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return 1;
	return 0;
}

/* last_cp - the start of the last code point of s[0..n) */
static size_t
last_cp(const unsigned char *s, size_t n)
{
	size_t k = n - 1, l;

	while (k > 0 && n - k < 4 && (s[k] & 0xc0) == 0x80)
		k--;
	if (utf8_at(s + k, n - k, &l) < 0 || k + l != n)
		return n - 1;
	return k;
}

/* drop_controls - copy name to out without controls; returns the length */
static size_t
drop_controls(const unsigned char *in, size_t len, unsigned char *out,
	      size_t outsz)
{
	size_t i = 0, o = 0, l;

	while (i < len) {
		long c = utf8_at(in + i, len - i, &l);
		if (!is_control(c) && o + l < outsz) {
			memcpy(out + o, in + i, l);
			o += l;
		}
		i += l;
	}
	return o;
}

/* cut_stream - "x.exe:Zone.Identifier" -> "x.exe" (after the last path
 * separator; a drive letter "C:" is not a stream) */
static size_t
cut_stream(const unsigned char *s, size_t n)
{
	size_t base = 0, i;

	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == '\\')
			base = i + 1;
	i = base;
	if (base == 0 && n >= 2 && s[1] == ':' &&
	    ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		i = 2;
	for (; i < n; i++)
		if (s[i] == ':')
			return i > base ? i : n;
	return n;
}

/* trim - leading space/format characters, trailing ones and dots */
static size_t
trim(unsigned char *s, size_t n)
{
	size_t start = 0, l;

	while (start < n) {
		long c = utf8_at(s + start, n - start, &l);
		if (!is_space(c) && !is_format(c))
			break;
		start += l;
	}
	memmove(s, s + start, n - start);
	n -= start;
	while (n > 0) {
		size_t k = last_cp(s, n);
		long c = utf8_at(s + k, n - k, &l);
		if (!is_space(c) && !is_format(c) && c != '.')
			break;
		n = k;
	}
	return n;
}

/* squeeze_ext - delete white space after the last dot */
static size_t
squeeze_ext(unsigned char *s, size_t n)
{
	size_t dot = n, i, o, l;

	for (i = 0; i < n; i++)
		if (s[i] == '.')
			dot = i;
	if (dot == n)
		return n;
	for (i = o = dot + 1; i < n; i += l) {
		long c = utf8_at(s + i, n - i, &l);
		if (is_space(c))
			continue;
		memmove(s + o, s + i, l);
		o += l;
	}
	return o;
}

/* scan_name_escape - see name_norm.h */
size_t
scan_name_escape(const char *name, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), i = 0, o = 0, l;
	char esc[16];

	if (outsz == 0)
		return 0;
	while (i < n) {
		long c = utf8_at(s + i, n - i, &l);
		const char *put = name + i;
		size_t plen = l;

		if (c < 0)
			plen = (size_t)snprintf(esc, sizeof(esc), "\\x%02X", s[i]);
		else if (c == '\\')
			plen = (size_t)snprintf(esc, sizeof(esc), "\\\\");
		else if (is_control(c) || is_format(c) || (is_space(c) && c != ' '))
			plen = (size_t)snprintf(esc, sizeof(esc), "\\u%04lX", c);
		if (c < 0 || c == '\\' || is_control(c) || is_format(c) ||
		    (is_space(c) && c != ' '))
			put = esc;
		if (o + plen >= outsz)
			break;
		memcpy(out + o, put, plen);
		o += plen;
		i += l;
	}
	out[o] = '\0';
	return o;
}

/* scan_name_normalise - see name_norm.h */
size_t
scan_name_normalise(const char *name, size_t len, char *out, size_t outsz)
{
	unsigned char *o = (unsigned char *)out;
	size_t n;

	if (outsz == 0)
		return 0;
	n = drop_controls((const unsigned char *)name, len, o, outsz);
	n = cut_stream(o, n);
	n = trim(o, n);
	n = squeeze_ext(o, n);
	if (n == 0) {
		n = len < outsz - 1 ? len : outsz - 1;
		memcpy(out, name, n);
		out[n] = '\0';
		return strlen(out);
	}
	out[n] = '\0';
	return n;
}
