/*
 * insp_rawname.c - names for single compressed files
 */
#include "insp_rawname.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* the suffixes compressors add (compared without case) */
static const char *const suffixes[] = {
	".xz", ".bz2", ".zst", ".lz", ".gz", ".lzma", ".z", ".lz4", ".bz",
};

/* strip_suffix - the length of name[0..len) without one compressor
 * suffix, or len when it has none */
static size_t strip_suffix(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t n = strlen(suffixes[i]);

		if (len > n && strncasecmp(name + len - n, suffixes[i], n) == 0)
			return len - n;
	}
	return len;
}

const char *insp_raw_name(const char *stored, const char *carrier_name,
			  unsigned layers, char *out, size_t outsz)
{
	size_t len, cut;

	if (stored != NULL && stored[0] != '\0' &&
	    strcmp(stored, INSP_RAWNAME_NEUTRAL) != 0) {
		snprintf(out, outsz, "%s", stored);
		return out;
	}
	len = carrier_name != NULL ? strlen(carrier_name) : 0;
	cut = len;
	for (unsigned i = 0; i < layers; i++) {
		size_t k = strip_suffix(carrier_name, cut);

		if (k == cut)
			break;
		cut = k;
	}
	if (cut == len || cut == 0) {
		snprintf(out, outsz, "%s", INSP_RAWNAME_NEUTRAL);
		return out;
	}
	snprintf(out, outsz, "%.*s", (int)cut, carrier_name);
	return out;
}

/* uu_line - the name on one "begin" line (line[0..len)), or 0 */
static int uu_line(const unsigned char *line, size_t len, char *out,
		   size_t outsz)
{
	size_t i, k = 0;

	if (len > 6 && memcmp(line, "begin ", 6) == 0)
		i = 6;
	else if (len > 13 && memcmp(line, "begin-base64 ", 13) == 0)
		i = 13;
	else
		return 0;
	while (i < len && line[i] >= '0' && line[i] <= '7') {
		i++;
		k++;
	}
	if (k < 3 || k > 4 || i >= len || line[i] != ' ')
		return 0;
	i++;
	while (len > i && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len == i)
		return 0;
	snprintf(out, outsz, "%.*s", (int)(len - i), (const char *)line + i);
	return 1;
}

int insp_uu_name(const unsigned char *d, size_t n, char *out, size_t outsz)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && d[i] != '\n')
			continue;
		if (uu_line(d + start, i - start, out, outsz))
			return 1;
		start = i + 1;
	}
	return 0;
}
