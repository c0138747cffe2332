/*
 * anomaly.h - the scanner's structural anomalies: bits and their names
 *
 * Each anomaly is one bit of struct scan_summary.anomalies and has one
 * word ("zip_depth"), the same in configuration (structure_anomalies),
 * in SMTP replies (%{anomaly}) and in log lines (anomalies=): this is
 * the one table that maps them.  Iterate with
 * scan_anomaly_name(1u << i) for i below SCAN_ANOM_COUNT.
 */
#ifndef SCAN_ANOMALY_H
#define SCAN_ANOMALY_H

#include <stddef.h>

enum scan_anomaly {              /* bit flags in struct scan_summary.anomalies */
	SCAN_ANOM_DEPTH = 1 << 0,      /* "depth": nesting deeper than max_depth:
					* rest not walked */
	SCAN_ANOM_PARTS = 1 << 1,      /* "parts": more than max_parts parts: rest
					* not walked */
	SCAN_ANOM_ZIP_DEPTH = 1 << 2,  /* "zip_depth": nested archives deeper
					* than max_zip_depth, or a bomb */
	SCAN_ANOM_MALFORMED = 1 << 3,  /* "malformed": structure repaired the
					* way clients do */
	SCAN_ANOM_AMBIGUOUS = 1 << 4,  /* "ambiguous": conflicting structure
					* (duplicate boundary params...) */
	SCAN_ANOM_ZIP_BROKEN = 1 << 5, /* "zip_broken": an archive that could
					* not be listed completely */
	SCAN_ANOM_HEADER_LONG = 1 << 6,/* "header_long": a header longer than
					* the cap was truncated */
	SCAN_ANOM_ZIP_ENTRIES = 1 << 7,/* "zip_entries": an archive with more
					* than max_zip_entries members */
	SCAN_ANOM_MESSAGE_PARTIAL = 1 << 8, /* "message_partial": a
					* message/partial fragment (nothing can
					* reassemble it safely at SMTP time) */
	SCAN_ANOM_NAME_SECTIONS = 1 << 9, /* "name_sections": an RFC 2231
					* name in more sections than the cap */
	SCAN_ANOM_NAMES_ENCRYPTED = 1 << 10, /* "names_encrypted": an archive
					* whose member names are encrypted (7z
					* -mhe, RAR -hp) */
	SCAN_ANOM_INSPECT_FAILED = 1 << 11, /* "inspect_failed": a container
					* inspector crashed, timed out or hit a
					* limit */
};

/* the number of anomalies: bits 0 .. SCAN_ANOM_COUNT - 1 */
#define SCAN_ANOM_COUNT 12

/* scan_anomaly_name - the word for one anomaly bit; NULL when bit is
 * not exactly one of them */
const char *scan_anomaly_name(unsigned bit);
/* scan_anomaly_parse - the bit named by a word; 0, or -1 for a word that
 * names no anomaly */
int scan_anomaly_parse(const char *name, unsigned *bit_r);
/* scan_anomaly_list - the words of the bits set, in bit order, joined
 * by commas ("depth,parts"; "" for none), into out (cut to outsz - 1
 * bytes); returns out */
const char *scan_anomaly_list(unsigned bits, char *out, size_t outsz);

#endif
