/*
 * anomaly.c - the names of the scanner's anomaly bits (see anomaly.h)
 */
#include <stdio.h>
#include <string.h>

#include "anomaly.h"

/* the words, in bit order (index i is bit 1 << i) */
static const char *const anomaly_words[SCAN_ANOM_COUNT] = {
	"depth", "parts", "zip_depth", "malformed", "ambiguous",
	"zip_broken", "header_long", "zip_entries", "message_partial",
	"name_sections", "names_encrypted", "inspect_failed",
};

_Static_assert(SCAN_ANOM_INSPECT_FAILED == 1 << (SCAN_ANOM_COUNT - 1),
	       "SCAN_ANOM_COUNT counts every anomaly bit");

/* scan_anomaly_name - the word of one bit */
const char *
scan_anomaly_name(unsigned bit)
{
	unsigned i;

	for (i = 0; i < SCAN_ANOM_COUNT; i++)
		if (bit == 1u << i)
			return anomaly_words[i];
	return NULL;
}

/* scan_anomaly_parse - the bit of a word */
int
scan_anomaly_parse(const char *name, unsigned *bit_r)
{
	unsigned i;

	for (i = 0; i < SCAN_ANOM_COUNT; i++) {
		if (strcmp(name, anomaly_words[i]) == 0) {
			*bit_r = 1u << i;
			return 0;
		}
	}
	return -1;
}

/* scan_anomaly_list - "depth,parts" for the bits set */
const char *
scan_anomaly_list(unsigned bits, char *out, size_t outsz)
{
	size_t i, len = 0;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	for (i = 0; i < SCAN_ANOM_COUNT; i++) {
		if (!(bits & (1u << i)))
			continue;
		len += (size_t)snprintf(out + len, len < outsz ? outsz - len : 0,
					"%s%s", len ? "," : "", anomaly_words[i]);
		if (len >= outsz)
			break;
	}
	return out;
}
