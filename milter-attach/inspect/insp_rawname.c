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
