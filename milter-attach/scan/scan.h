/*
 * scan.h - the attachment scanner: one streaming pass over a message
 *
 * Feed the raw message (headers, empty line, body; CRLF or LF; any
 * chunking).  The walker follows multipart at any depth, message/rfc822
 * and multipart/digest parts (also base64/QP-encoded inner messages),
 * decodes every leaf part (base64, quoted-printable, uuencode, 7bit,
 * 8bit, binary), and reports every file as soon as it is complete:
 * leaf parts that declare a name or are not text, zip members (zips
 * inside STORED zips too, up to max_zip_depth), and uuencoded files
 * (inline "begin 644 name" blocks and x-uuencode parts).  For each part
 * it reports every name declared (Content-Disposition filename and
 * Content-Type name, RFC 2231 and RFC 2047 decoded to UTF-8), the
 * SHA-256 of the decoded content and its libmagic type.
 *
 * Hostile input is never an error: it yields anomaly flags.  Memory per
 * scanner is bounded (about 130 KiB plus one child scanner per level of
 * encoded inner message); nothing is buffered per message.
 */
#ifndef SCAN_H
#define SCAN_H

#include <stddef.h>

#include "anomaly.h"
#include "mg_error.h"

enum scan_origin { SCAN_ORIGIN_PART, SCAN_ORIGIN_ZIP_MEMBER, SCAN_ORIGIN_UUENCODE,
		  SCAN_ORIGIN_TNEF_MEMBER, SCAN_ORIGIN_ARCHIVE_MEMBER /* tar, gzip, cab */ };

struct scan_file {
	enum scan_origin origin;
	unsigned depth;              /* MIME nesting depth of the part (0 = top-level body) */
	const char *const *names;    /* decoded file names declared for it */
	size_t n_names;              /* may be 0 (a part with no name) */
	const char *container;       /* zip members: the zip's name; else NULL */
	const char *mime_type;       /* libmagic type of the first decoded bytes, "" if none/off */
	const char *sha256_hex;      /* 64 lowercase hex; "" for zip members */
	unsigned long long size;     /* decoded bytes (zip members: uncompressed size) */
	int encrypted;               /* zip member with the encryption bit */
};

struct scan_limits {
	unsigned max_depth;        /* default 20 */
	unsigned max_parts;        /* default 500 */
	unsigned max_zip_depth;    /* default 3 */
	unsigned max_zip_entries;  /* default 10000 */
	int magic;                 /* 1: identify types with libmagic */
};

struct scan_summary {
	unsigned parts;
	unsigned files;
	unsigned anomalies;          /* enum scan_anomaly bits (anomaly.h) */
	unsigned max_depth_seen;
};

typedef void scan_file_fn(void *ctx, const struct scan_file *file);

struct scan_walker;

struct scan_walker *scan_walker_new(const struct scan_limits *lim,
				    scan_file_fn *cb, void *ctx,
				    struct mg_error *err);
void scan_walker_reset(struct scan_walker *s);
void scan_walker_feed(struct scan_walker *s, const char *data, size_t len);
void scan_walker_finish(struct scan_walker *s, struct scan_summary *sum);
void scan_walker_free(struct scan_walker **s);
void scan_limits_default(struct scan_limits *lim);

#endif
