/*
 * scan.h - the attachment scanner: one streaming pass over a message
 *
 * Feed the raw message (headers, empty line, body; CRLF or LF; any
 * chunking).  The walker follows multipart at any depth, message/rfc822,
 * message/global and multipart/digest parts (also base64/QP-encoded
 * inner messages), decodes every leaf part (base64, quoted-printable,
 * uuencode, 7bit, 8bit, binary), and reports every file as soon as it is
 * complete:
 *   - leaf parts that declare a name or are not text, with every name
 *     declared (Content-Disposition filename and Content-Type name,
 *     RFC 2231 and RFC 2047 decoded to UTF-8, Content-Name and
 *     X-Sun-Data-Name), normalised as clients save them (name_norm.h),
 *     the SHA-256 of the decoded
 *     content and its libmagic type;
 *   - uuencoded files (inline "begin 644 name" blocks, x-uuencode parts),
 *     BinHex 4.0 data forks (binhex.h) and yEnc files (yenc.h), in text
 *     parts and in parts whose decoded content starts with one, the same
 *     way;
 *   - message/external-body references (logged, no file travels);
 *   - the members of archives, recognised by their first bytes whatever
 *     the part's name: zip (STORED or DEFLATED members, zips inside zips
 *     up to max_zip_depth; zip_names.h), TNEF winmail.dat (tnef_names.h),
 *     tar, gzip and cabinet (arc_names.h); by name and size only.
 *
 * Hostile input is never an error: it yields anomaly bits (anomaly.h).
 * Nothing is buffered per message; memory per walker is bounded: about
 * 225 KiB (the first 40 KiB of each file for libmagic, a 64 KiB header
 * buffer, declared and normalised names, a decoded-line buffer), plus the lister of an archive while one is open (up to about
 * 70 KiB per nesting level, zlib's window included) and one child walker
 * per level of encoded inner message.
 */
#ifndef SCAN_H
#define SCAN_H

#include <stddef.h>

#include "anomaly.h"
#include "mg_error.h"

enum scan_origin {
	SCAN_ORIGIN_PART,            /* a MIME leaf part */
	SCAN_ORIGIN_ZIP_MEMBER,      /* a member of a zip (or a zip inside) */
	SCAN_ORIGIN_UUENCODE,        /* a uuencoded file */
	SCAN_ORIGIN_TNEF_MEMBER,     /* a file inside winmail.dat */
	SCAN_ORIGIN_ARCHIVE_MEMBER,  /* a member of a tar, gzip or cab */
	SCAN_ORIGIN_CARRIER_MEMBER,  /* a member found by the inspector in a
				      * carrier (carrier.h): disk image, 7z,
				      * RAR, xz..., or in what it holds */
	SCAN_ORIGIN_BINHEX,          /* the data fork of a BinHex 4.0 file */
	SCAN_ORIGIN_YENC,            /* a yEnc-encoded file */
	SCAN_ORIGIN_EXTERNAL_BODY,   /* a message/external-body reference:
				      * no file travels, the name is where
				      * the client would fetch it from */
};

/* one file found; valid during the callback only */
struct scan_file {
	enum scan_origin origin;
	unsigned depth;              /* MIME nesting depth of the part (0 =
				      * top-level body); archive members:
				      * the depth of the part holding them */
	const char *const *names;    /* decoded file names declared for it,
				      * as clients save them (name_norm.h) */
	const char *const *raw_names;/* the same names as declared (equal
				      * strings when normalising changed
				      * nothing); n_names of them; NULL
				      * means "as in names" */
	size_t n_names;              /* may be 0 (a part with no name) */
	const char *container;       /* archive members: the first name of the
				      * part holding the archive ("" when it
				      * has none); else NULL */
	const char *mime_type;       /* libmagic type of the first decoded
				      * bytes; "" if none, off, or a member */
	const char *sha256_hex;      /* 64 lowercase hex; "" for archive
				      * members */
	unsigned long long size;     /* decoded bytes; archive members: the
				      * size the archive declares, 0 unknown */
	int encrypted;               /* zip member with the encryption bit */
	const char *format;          /* carrier members: the format of the
				      * container holding it ("iso9660",
				      * "7z"...); else "" */
};

struct scan_limits {
	unsigned max_depth;        /* MIME nesting; default 20 */
	unsigned max_parts;        /* MIME parts; default 500 */
	unsigned max_zip_depth;    /* archive nesting (1 = an attached
				    * archive); default 3 */
	unsigned max_zip_entries;  /* members per archive; default 10000 */
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

/* scan_walker_new - a walker reporting files through cb; NULL and err
 * when out of memory or libmagic cannot load its database */
struct scan_walker *scan_walker_new(const struct scan_limits *lim,
				    scan_file_fn *cb, void *ctx,
				    struct mg_error *err);
/* scan_walker_reset - ready for the next message (libmagic kept) */
void scan_walker_reset(struct scan_walker *s);
/* scan_walker_feed - the message's next bytes; never fails */
void scan_walker_feed(struct scan_walker *s, const char *data, size_t len);
/* scan_walker_finish - the message has ended: report what is pending,
 * and the summary */
void scan_walker_finish(struct scan_walker *s, struct scan_summary *sum);
void scan_walker_free(struct scan_walker **s);
/* one member found by an inspector; valid during the callback only */
struct scan_member {
	const char *name;
	const char *format;          /* of the container holding it */
	unsigned long long size;     /* 0 when unknown */
	int encrypted;
	unsigned depth;              /* 1: a member of the carrier itself */
};

typedef void scan_inspect_member_fn(void *ctx, const struct scan_member *m);

/* an inspector: list the carrier in fd (size bytes, read by offset;
 * the walker closes fd after the call), named carrier_name ("" when
 * none), up to max_depth containers deep and max_entries members;
 * report members through cb; return SCAN_ANOM_* bits (zip_broken,
 * zip_depth, zip_entries, names_encrypted, inspect_failed) */
typedef unsigned scan_inspect_fn(void *ctx, int fd, unsigned long long size,
				 const char *carrier_name, unsigned max_depth,
				 unsigned max_entries,
				 scan_inspect_member_fn *cb, void *cbctx);

/* scan_walker_set_inspector - from now on, a file that is a carrier
 * (carrier.h), or an archive whose in-process lister found a carrier
 * inside, is spooled to an unlinked file in spool_dir (at most max_bytes:
 * past that, or when the spool cannot be written, SCAN_ANOM_INSPECT_FAILED)
 * and its members reported as SCAN_ORIGIN_CARRIER_MEMBER files.  Without
 * an inspector (the default) carriers are reported as plain files. */
void scan_walker_set_inspector(struct scan_walker *s, scan_inspect_fn *fn,
			       void *ctx, const char *spool_dir,
			       unsigned long long max_bytes);
/* scan_limits_default - the defaults named in struct scan_limits */
void scan_limits_default(struct scan_limits *lim);

#endif
