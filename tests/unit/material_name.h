/*
 * material_name.h - how the carrier corpus's manifest (tests/material/
 * manifest.tsv) compares a reported member name with the expected one:
 * basenames, case-insensitive, an ISO 9660 version (";1") ignored.
 * Shared by test_material_check and tests/bench/bench_carriers.
 */
#ifndef MATERIAL_NAME_H
#define MATERIAL_NAME_H

#include <string.h>
#include <strings.h>

/* material_same_name - got (a reported path) names the file want */
static inline int
material_same_name(const char *got, const char *want)
{
	const char *g = strrchr(got, '/') ? strrchr(got, '/') + 1 : got;
	size_t n = strcspn(g, ";");

	return strlen(want) == n && strncasecmp(g, want, n) == 0;
}

#endif
