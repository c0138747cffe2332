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
 */
#ifndef SCAN_MIME_HDR_H
#define SCAN_MIME_HDR_H

#include <stddef.h>

#define SCAN_MIME_NAMES_MAX 4
#define SCAN_MIME_NAME_MAX 1024

struct scan_mime_hdr {
	char token[128];            /* "text/plain" or "attachment", lowercase */
	char boundary[256];
	int boundary_conflict;      /* two different boundary parameters */
	unsigned n_names;
	char names[SCAN_MIME_NAMES_MAX][SCAN_MIME_NAME_MAX];
};

/* scan_mime_hdr_parse - name_param is "name" (Content-Type) or "filename"
 * (Content-Disposition) */
void scan_mime_hdr_parse(const char *value, size_t len,
			 const char *name_param, struct scan_mime_hdr *h);

#endif
