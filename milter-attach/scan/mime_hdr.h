/*
 * mime_hdr.h - Content-Type / Content-Disposition values, sans I/O
 *
 * Parses "type/subtype; param=value; ..." the way mail clients do:
 * parameters in any order, quoted strings with quoted-pairs, comments,
 * unquoted values with spaces, RFC 2231 (charset'language'%XX, sections
 * *0 *1 ... in any order, mixed encoded and plain sections), RFC 2047
 * encoded words inside (quoted) values.  Every declared file name
 * (plain and RFC 2231 forms, which may disagree) is returned decoded to
 * UTF-8.
 *
 * Caps, each an anomaly rather than a silent loss: RFC 2231 sections up
 * to SCAN_MIME_SECTIONS_MAX and SCAN_MIME_SECTIONS_BYTES of joined name
 * (past them: SCAN_ANOM_NAME_SECTIONS, the name is kept as far as it
 * went); a boundary up to SCAN_MIME_BOUNDARY_MAX - 1 bytes (longer:
 * SCAN_ANOM_HEADER_LONG, no line could be matched against it).  A name
 * longer than SCAN_MIME_NAME_MAX - 1 keeps its start and its last
 * SCAN_MIME_NAME_TAIL bytes (where the extension is).  A name holding a
 * NUL (%00 in RFC 2231, =00 in RFC 2047) gives two readings: cut at the
 * NUL (C string clients, Windows) and without it (Gecko drops controls).
 */
#ifndef SCAN_MIME_HDR_H
#define SCAN_MIME_HDR_H

#include <stddef.h>

#define SCAN_MIME_NAMES_MAX 4
#define SCAN_MIME_NAME_MAX 1024
#define SCAN_MIME_NAME_TAIL 256
#define SCAN_MIME_SECTIONS_MAX 200
#define SCAN_MIME_SECTIONS_BYTES 8192
#define SCAN_MIME_BOUNDARY_MAX 8000

struct scan_mime_hdr {
	char token[128];            /* "text/plain" or "attachment", lowercase */
	char boundary[SCAN_MIME_BOUNDARY_MAX];
	int boundary_conflict;      /* two different boundary parameters */
	unsigned anomalies;         /* SCAN_ANOM_NAME_SECTIONS, _HEADER_LONG */
	unsigned n_names;
	char names[SCAN_MIME_NAMES_MAX][SCAN_MIME_NAME_MAX];
};

/* scan_mime_hdr_parse - name_param is "name" (Content-Type) or "filename"
 * (Content-Disposition) */
void scan_mime_hdr_parse(const char *value, size_t len,
			 const char *name_param, struct scan_mime_hdr *h);

#endif
