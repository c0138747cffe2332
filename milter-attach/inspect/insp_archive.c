/*
 * insp_archive.c - the libarchive adapter (see insp_archive.h)
 *
 * libarchive reads the source through callbacks (read in 64 KiB blocks,
 * seek for 7z and zip's central directory, skip over member data).
 * Formats are the archives and images mail carries (not mtree or warc,
 * text formats that would take any text for an archive); filters are
 * the in-process ones only (lrzip, lzop and grzip would run an external
 * program).
 */
#define _GNU_SOURCE
#include "insp_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "anomaly.h"
#include "insp_names.h"
#include "insp_rawname.h"

#define ARC_BLOCK 65536
#define ARC_NAME_MAX 4096

struct arc_reader {
	const struct insp_src *src;
	unsigned long long pos;
	unsigned char buf[ARC_BLOCK];
};

/* one listing: where members go, the buffers it reuses */
struct arc_job {
	struct insp_walk *w;
	const struct insp_src *src;
	const char *name;              /* the container's own name */
	unsigned depth;                /* of its members */
	struct insp_names *seen;
	int dead;                      /* a data read failed: libarchive 3.6
					* may crash if asked for another header
					* (seen with cab), so the pass ends */
	struct arc_reader rd;
	unsigned char probe[INSP_PROBE_BYTES];
	char rawname[ARC_NAME_MAX];
};

static la_ssize_t arc_read(struct archive *a, void *data, const void **buf)
{
	struct arc_reader *rd = data;
	unsigned long long left = rd->src->size - rd->pos;
	size_t n = left < ARC_BLOCK ? (size_t)left : ARC_BLOCK;

	*buf = rd->buf;
	if (n == 0)
		return 0;
	if (insp_src_read(rd->src, rd->pos, rd->buf, n) < 0) {
		archive_set_error(a, EIO, "read error at %llu", rd->pos);
		return ARCHIVE_FATAL;
	}
	rd->pos += n;
	return (la_ssize_t)n;
}

static la_int64_t arc_seek(struct archive *a, void *data, la_int64_t off,
			   int whence)
{
	struct arc_reader *rd = data;
	unsigned long long base, size = rd->src->size;

	if (whence == SEEK_SET)
		base = 0;
	else if (whence == SEEK_CUR)
		base = rd->pos;
	else if (whence == SEEK_END)
		base = size;
	else
		return ARCHIVE_FATAL;
	if (off < 0 && (unsigned long long)-(off + 1) + 1 > base) {
		archive_set_error(a, EINVAL, "seek before the start");
		return ARCHIVE_FATAL;
	}
	if (off < 0)
		rd->pos = base - ((unsigned long long)-(off + 1) + 1);
	else if ((unsigned long long)off > size - base)
		rd->pos = size;
	else
		rd->pos = base + (unsigned long long)off;
	return (la_int64_t)rd->pos;
}

static la_int64_t arc_skip(struct archive *a, void *data, la_int64_t req)
{
	struct arc_reader *rd = data;
	unsigned long long left = rd->src->size - rd->pos;
	unsigned long long n;

	if (req <= 0)
		return 0;
	n = (unsigned long long)req < left ? (unsigned long long)req : left;
	rd->pos += n;
	return (la_int64_t)n;
}

/* arc_open - libarchive reading j's source with options opts (NULL:
 * none); NULL when no format recognises it */
static struct archive *arc_open(struct arc_job *j, const char *opts)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		return NULL;
	archive_read_support_format_7zip(a);
	archive_read_support_format_ar(a);
	archive_read_support_format_cab(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_iso9660(a);
	archive_read_support_format_lha(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_xar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_raw(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_lzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_filter_compress(a);
	archive_read_support_filter_uu(a);
	archive_read_support_filter_rpm(a);
	j->rd.src = j->src;
	j->rd.pos = 0;
	if ((opts != NULL && archive_read_set_options(a, opts) != ARCHIVE_OK) ||
	    archive_read_set_read_callback(a, arc_read) != ARCHIVE_OK ||
	    archive_read_set_seek_callback(a, arc_seek) != ARCHIVE_OK ||
	    archive_read_set_skip_callback(a, arc_skip) != ARCHIVE_OK ||
	    archive_read_set_callback_data(a, &j->rd) != ARCHIVE_OK ||
	    archive_read_open1(a) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* format_word - the word for the container libarchive is reading */
static const char *format_word(struct archive *a)
{
	static const struct { int code; const char *word; } fmt[] = {
		{ ARCHIVE_FORMAT_7ZIP, "7z" }, { ARCHIVE_FORMAT_RAR, "rar" },
		{ ARCHIVE_FORMAT_RAR_V5, "rar" }, { ARCHIVE_FORMAT_ZIP, "zip" },
		{ ARCHIVE_FORMAT_TAR, "tar" }, { ARCHIVE_FORMAT_CAB, "cab" },
		{ ARCHIVE_FORMAT_ISO9660, "iso9660" },
		{ ARCHIVE_FORMAT_CPIO, "cpio" }, { ARCHIVE_FORMAT_AR, "ar" },
		{ ARCHIVE_FORMAT_LHA, "lha" }, { ARCHIVE_FORMAT_XAR, "xar" },
	};
	static const struct { int code; const char *word; } filt[] = {
		{ ARCHIVE_FILTER_GZIP, "gzip" }, { ARCHIVE_FILTER_BZIP2, "bzip2" },
		{ ARCHIVE_FILTER_XZ, "xz" }, { ARCHIVE_FILTER_LZMA, "lzma" },
		{ ARCHIVE_FILTER_LZIP, "lzip" }, { ARCHIVE_FILTER_ZSTD, "zstd" },
		{ ARCHIVE_FILTER_LZ4, "lz4" }, { ARCHIVE_FILTER_COMPRESS, "compress" },
		{ ARCHIVE_FILTER_UU, "uu" }, { ARCHIVE_FILTER_RPM, "rpm" },
	};
	int f = archive_format(a);

	if ((f & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAW) {
		int c = archive_filter_code(a, 0);

		for (size_t i = 0; i < sizeof(filt) / sizeof(filt[0]); i++)
			if (filt[i].code == c)
				return filt[i].word;
		return "raw";
	}
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++)
		if (fmt[i].code == f || fmt[i].code == (f & ARCHIVE_FORMAT_BASE_MASK))
			return fmt[i].word;
	return "archive";
}

/* read_full - up to len bytes of the current member's data; -1 when
 * libarchive cannot decode it */
static la_ssize_t read_full(struct archive *a, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		la_ssize_t n = archive_read_data(a, buf + got, len - got);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (la_ssize_t)got;
}

/* spool - the current member, whose first n bytes are in j->probe, into
 * a memory file within the walk's max_bytes; the descriptor, or -1 (the
 * anomaly noted) */
static int spool(struct arc_job *j, struct archive *a, size_t n,
		 unsigned long long *size_r)
{
	struct insp_walk *w = j->w;
	unsigned long long total = 0;
	int fd = memfd_create("insp-member", MFD_CLOEXEC);
	size_t len = n;

	if (fd < 0) {
		w->anomalies |= SCAN_ANOM_ZIP_BROKEN;
		return -1;
	}
	while (len > 0) {
		if (len > w->lim.max_bytes - w->bytes) {
			w->bytes = w->lim.max_bytes;
			w->anomalies |= SCAN_ANOM_ZIP_DEPTH;
			close(fd);
			return -1;
		}
		if (write(fd, j->probe, len) != (ssize_t)len) {
			w->anomalies |= SCAN_ANOM_ZIP_BROKEN;
			close(fd);
			return -1;
		}
		w->bytes += len;
		total += len;
		la_ssize_t r = read_full(a, j->probe, sizeof(j->probe));
		if (r < 0) {
			w->anomalies |= SCAN_ANOM_ZIP_BROKEN;
			j->dead = 1;
			break;
		}
		len = (size_t)r;
	}
	*size_r = total;
	return fd;
}

/* member_content - look at the first bytes of the member name being
 * read; a container is spooled and walked at depth + 1 */
static void member_content(struct arc_job *j, struct archive *a,
			   const char *name)
{
	struct insp_walk *w = j->w;
	struct insp_src sub;
	unsigned long long size;
	la_ssize_t n = read_full(a, j->probe, sizeof(j->probe));
	int fd;

	if (n < 0) {
		w->anomalies |= SCAN_ANOM_ZIP_BROKEN;
		j->dead = 1;
		return;
	}
	if (!insp_is_container(j->probe, (size_t)n))
		return;
	if (j->depth >= w->lim.max_depth || w->bytes >= w->lim.max_bytes) {
		w->anomalies |= SCAN_ANOM_ZIP_DEPTH;
		return;
	}
	fd = spool(j, a, (size_t)n, &size);
	if (fd < 0)
		return;
	insp_src_fd(&sub, fd, 0, size);
	insp_walk_src(w, &sub, name, j->depth + 1);
	close(fd);
}

/* raw_name - the name of a single compressed (or uuencoded) file's
 * member; stored is what libarchive says (gzip's FNAME or "data") */
static const char *raw_name(struct arc_job *j, struct archive *a,
			    const char *stored)
{
	unsigned layers = (unsigned)archive_filter_count(a) - 1;
	char uu[ARC_NAME_MAX];
	size_t n = j->src->size < sizeof(j->probe) ?
		   (size_t)j->src->size : sizeof(j->probe);

	/* the filter reading the source itself is uudecode: the name is on
	 * its "begin" line, then the other filters' suffixes come off */
	if (layers > 0 && archive_filter_code(a, (int)layers - 1) ==
	    ARCHIVE_FILTER_UU && insp_src_read(j->src, 0, j->probe, n) == 0 &&
	    insp_uu_name(j->probe, n, uu, sizeof(uu))) {
		if (layers == 1)
			return insp_raw_name(uu, NULL, 0, j->rawname,
					     sizeof(j->rawname));
		return insp_raw_name(NULL, uu, layers - 1, j->rawname,
				     sizeof(j->rawname));
	}
	return insp_raw_name(stored, j->name, layers, j->rawname,
			     sizeof(j->rawname));
}

/* entry - one header: report the member, look inside it */
static void entry(struct arc_job *j, struct archive *a,
		  struct archive_entry *e, const char *format)
{
	const char *name = archive_entry_pathname_utf8(e);
	unsigned long long size = 0;
	int enc = archive_entry_is_data_encrypted(e) > 0;

	if (archive_entry_filetype(e) == AE_IFDIR)
		return;
	if (name == NULL)
		name = archive_entry_pathname(e);
	if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) ==
	    ARCHIVE_FORMAT_RAW)
		name = raw_name(j, a, name);
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
		size = (unsigned long long)archive_entry_size(e);
	if (!insp_walk_member(j->w, j->seen, name, format, size, enc,
			      j->depth))
		return;
	j->w->declared += size;
	if (j->w->declared / INSP_BOMB_FACTOR > j->w->lim.max_bytes) {
		j->w->anomalies |= SCAN_ANOM_ZIP_DEPTH;
		j->w->stop = 1;
		return;
	}
	if (!enc)
		member_content(j, a, name);
}

/* rar_headers_encrypted - a RAR 4 main header with MHD_PASSWORD, or a
 * RAR 5 archive encryption header first: names cannot be read */
static int rar_headers_encrypted(const struct insp_src *src)
{
	unsigned char h[16];

	if (insp_src_read(src, 0, h, sizeof(h)) < 0)
		return 0;
	if (memcmp(h, "Rar!\x1a\x07\x00", 7) == 0)
		return h[9] == 0x73 && (h[10] & 0x80) != 0;
	if (memcmp(h, "Rar!\x1a\x07\x01\x00", 8) == 0) {
		/* CRC32, then the header size and type as vints */
		size_t i = 12;

		while (i < sizeof(h) && (h[i] & 0x80) != 0)
			i++;
		return i + 1 < sizeof(h) && h[i + 1] == 4;
	}
	return 0;
}

/* names_encrypted - the first header failed: because names are
 * encrypted? */
static int names_encrypted(struct arc_job *j, struct archive *a)
{
	const char *err = archive_error_string(a);

	return archive_read_has_encrypted_entries(a) > 0 ||
	       (err != NULL && strcasestr(err, "encrypt") != NULL) ||
	       rar_headers_encrypted(j->src);
}

/* pass - list j's source once with options opts (NULL: none), members
 * labelled format (NULL: the format's own word); -1 when libarchive does
 * not read it (or reads it only as raw bytes without a filter), else the
 * archive_format() seen (0 when no member) */
static int pass(struct arc_job *j, const char *opts, const char *format)
{
	struct archive *a = arc_open(j, opts);
	struct archive_entry *e;
	int r, seen = 0, fmt = 0;

	if (a == NULL)
		return -1;
	j->dead = 0;
	while (!j->w->stop) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			if (!seen && names_encrypted(j, a))
				j->w->anomalies |= SCAN_ANOM_NAMES_ENCRYPTED;
			else if (seen || archive_format(a) != 0)
				j->w->anomalies |= SCAN_ANOM_ZIP_BROKEN;
			else
				fmt = -1;
			break;
		}
		fmt = archive_format(a);
		if (!seen && (fmt & ARCHIVE_FORMAT_BASE_MASK) ==
		    ARCHIVE_FORMAT_RAW && archive_filter_count(a) < 2) {
			fmt = -1;
			break;
		}
		if (!seen && (fmt & ARCHIVE_FORMAT_BASE_MASK) ==
		    ARCHIVE_FORMAT_ISO9660 && format == NULL)
			break;          /* insp_archive_list lists each tree */
		seen = 1;
		entry(j, a, e, format != NULL ? format : format_word(a));
		if ((fmt & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAW ||
		    j->dead)
			break;  /* raw: one member, skipping it would inflate
				 * it all */
	}
	archive_read_free(a);
	return fmt;
}

/* the name trees of an ISO 9660 image, each listed in turn */
static const struct {
	const char *opts;
	const char *format;
} iso_trees[] = {
	{ "iso9660:!joliet,!rockridge", "iso9660" },
	{ "iso9660:!rockridge", "joliet" },
	{ "iso9660:!joliet", "rockridge" },
};

int insp_archive_list(struct insp_walk *w, const struct insp_src *src,
		      const char *name, unsigned depth,
		      struct insp_names *seen)
{
	struct arc_job *j = malloc(sizeof(*j));
	struct insp_names *own = NULL;
	int fmt;

	if (j == NULL) {
		w->anomalies |= SCAN_ANOM_ZIP_BROKEN;
		return 1;
	}
	j->w = w;
	j->src = src;
	j->name = name;
	j->depth = depth;
	j->seen = seen;
	fmt = pass(j, NULL, NULL);
	if (fmt > 0 && (fmt & ARCHIVE_FORMAT_BASE_MASK) ==
	    ARCHIVE_FORMAT_ISO9660) {
		if (seen == NULL)
			j->seen = own = insp_names_new();
		for (size_t i = 0; i < sizeof(iso_trees) / sizeof(iso_trees[0]);
		     i++)
			pass(j, iso_trees[i].opts, iso_trees[i].format);
	}
	insp_names_free(&own);
	free(j);
	return fmt >= 0;
}
