/*
 * insp_list.c - the inspector's walk: probe order, nesting, limits
 *
 * A container is offered to the own image listers first (insp_lister.h:
 * VHDX, VHD, GPT, MBR, UDF, FAT), then to libarchive (insp_archive.h),
 * then, for a TNEF stream, to the scanner's TNEF lister; an ISO 9660 /
 * UDF bridge goes through both the UDF lister and libarchive, each
 * distinct name reported once.  A member whose first bytes are a
 * container is listed in turn at depth + 1: in place when its lister
 * gives random access to its content, else extracted into a memory file
 * (insp_archive.c) within max_bytes.  Volumes (partitions, the disk of a
 * VHD) are listed at their image's depth, nested at most
 * INSP_MAX_VOLUMES deep.
 */
#define _GNU_SOURCE
#include "insp_list.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "arc_names.h"
#include "carrier.h"
#include "insp_archive.h"
#include "insp_names.h"
#include "insp_walk.h"
#include "tnef_names.h"

/* volumes inside volumes (a VHD holding a GPT disk holding a partition) */
#define INSP_MAX_VOLUMES 4

void insp_limits_default(struct insp_limits *lim)
{
	lim->max_depth = 3;
	lim->max_entries = 10000;
	lim->max_bytes = 100ULL * 1024 * 1024;
}

int insp_walk_member(struct insp_walk *w, struct insp_names *seen,
		     const char *name, const char *format,
		     unsigned long long size, int encrypted, unsigned depth)
{
	struct insp_member m;

	if (w->stop)
		return 0;
	if (name == NULL || name[0] == '\0')
		name = "?";
	if (insp_names_add(seen, name) == 0)
		return 0;
	if (w->entries >= w->lim.max_entries) {
		w->anomalies |= SCAN_ANOM_ZIP_ENTRIES;
		w->stop = 1;
		return 0;
	}
	w->entries++;
	m.name = name;
	m.format = format;
	m.size = size;
	m.encrypted = encrypted != 0;
	m.depth = depth;
	w->cb(w->ctx, &m);
	return 1;
}

int insp_is_container(const unsigned char *d, size_t n)
{
	static const char *const magic[] = {
		"PK\x03\x04", "PK\x05\x06", "PK\x07\x08", SCAN_TNEF_SIGNATURE,
	};

	/* gzip, cabinet and tar (ustar or V7) as the in-process listers
	 * recognise them (arc_names.h) */
	if (scan_carrier_detect(d, n) != SCAN_CARRIER_NONE ||
	    scan_arc_detect(d, n) != SCAN_ARC_NONE)
		return 1;
	for (size_t i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if (n >= 4 && memcmp(d, magic[i], 4) == 0)
			return 1;
	return 0;
}

void insp_walk_nested(struct insp_walk *w, const struct insp_src *src,
		      const char *name, const unsigned char *d, size_t n,
		      unsigned depth)
{
	if (w->stop || !insp_is_container(d, n))
		return;
	if (depth >= w->lim.max_depth) {
		w->anomalies |= SCAN_ANOM_ZIP_DEPTH;
		return;
	}
	insp_walk_src(w, src, name, depth + 1);
}

struct found_ctx {
	struct insp_walk *w;
	struct insp_names *seen;
	const char *format;
	unsigned depth;
	unsigned volumes;              /* volumes this source is nested in */
};

static void list_own(struct insp_walk *w, const struct insp_src *src,
		     struct insp_names *seen, unsigned depth,
		     unsigned volumes, int *listed);

/* on_found - one file or volume from an own lister */
static void on_found(void *ctx, const struct insp_found *f)
{
	struct found_ctx *fc = ctx;
	unsigned char *buf;
	size_t n;

	if (f->kind == INSP_FOUND_VOLUME) {
		int listed = 0;

		if (f->content == NULL || fc->w->stop)
			return;
		if (fc->volumes + 1 >= INSP_MAX_VOLUMES) {
			fc->w->anomalies |= SCAN_ANOM_ZIP_DEPTH;
			return;
		}
		list_own(fc->w, f->content, NULL, fc->depth,
			 fc->volumes + 1, &listed);
		if (!listed)
			insp_archive_list(fc->w, f->content, "", fc->depth,
					  NULL);
		return;
	}
	if (!insp_walk_member(fc->w, fc->seen, f->name, fc->format, f->size,
			      0, fc->depth) || f->content == NULL)
		return;
	n = f->content->size < INSP_PROBE_BYTES ?
	    (size_t)f->content->size : INSP_PROBE_BYTES;
	buf = malloc(n > 0 ? n : 1);
	if (buf != NULL && insp_src_read(f->content, 0, buf, n) == 0)
		insp_walk_nested(fc->w, f->content, f->name, buf, n,
				 fc->depth);
	free(buf);
}

/* list_own - the first own lister that recognises src lists it */
static void list_own(struct insp_walk *w, const struct insp_src *src,
		     struct insp_names *seen, unsigned depth,
		     unsigned volumes, int *listed)
{
	for (size_t i = 0; insp_listers[i] != NULL; i++) {
		const struct insp_lister *l = insp_listers[i];
		struct found_ctx fc = { w, seen, l->format, depth, volumes };
		unsigned r;

		if (!l->probe(src))
			continue;
		r = l->list(src, w->lim.max_entries, on_found, &fc);
		if (r & INSP_LISTER_BROKEN)
			w->anomalies |= SCAN_ANOM_ZIP_BROKEN;
		if (r & INSP_LISTER_TOO_MANY)
			w->anomalies |= SCAN_ANOM_ZIP_ENTRIES;
		*listed = 1;
		return;
	}
}

struct tnef_ctx {
	struct insp_walk *w;
	struct insp_names *seen;
};

static void on_tnef(void *ctx, const char *name, unsigned long long size,
		    int encrypted, unsigned depth)
{
	struct tnef_ctx *tc = ctx;

	insp_walk_member(tc->w, tc->seen, name, "tnef", size, encrypted,
			 depth);
}

/* list_tnef - a TNEF stream (winmail.dat inside a container), through
 * the scanner's streaming lister */
static void list_tnef(struct insp_walk *w, const struct insp_src *src,
		      struct insp_names *seen, unsigned depth)
{
	struct tnef_ctx tc = { w, seen };
	struct scan_tnef_lister *t;
	unsigned char buf[16384];
	unsigned long long off = 0;
	unsigned r;

	t = scan_tnef_lister_new(depth, w->lim.max_depth,
				 w->lim.max_entries, on_tnef, &tc);
	if (t == NULL) {
		w->anomalies |= SCAN_ANOM_ZIP_BROKEN;
		return;
	}
	while (off < src->size && !w->stop) {
		size_t n = src->size - off < sizeof(buf) ?
			   (size_t)(src->size - off) : sizeof(buf);

		if (insp_src_read(src, off, buf, n) < 0)
			break;
		scan_tnef_lister_feed(t, buf, n);
		off += n;
	}
	r = scan_tnef_lister_finish(t);
	scan_tnef_lister_free(&t);
	if (r & SCAN_LISTER_BROKEN)
		w->anomalies |= SCAN_ANOM_ZIP_BROKEN;
	if (r & SCAN_LISTER_TOO_DEEP)
		w->anomalies |= SCAN_ANOM_ZIP_DEPTH;
	if (r & SCAN_LISTER_TOO_MANY)
		w->anomalies |= SCAN_ANOM_ZIP_ENTRIES;
}

static int is_tnef(const struct insp_src *src)
{
	unsigned char sig[4];

	return insp_src_read(src, 0, sig, 4) == 0 &&
	       memcmp(sig, SCAN_TNEF_SIGNATURE, 4) == 0;
}

void insp_walk_src(struct insp_walk *w, const struct insp_src *src,
		   const char *name, unsigned depth)
{
	struct insp_names *seen;
	int listed = 0;

	if (w->stop)
		return;
	if (is_tnef(src)) {
		list_tnef(w, src, NULL, depth);
		return;
	}
	seen = insp_names_new();
	list_own(w, src, seen, depth, 0, &listed);
	if (!insp_archive_list(w, src, name, depth, seen) && !listed)
		w->anomalies |= SCAN_ANOM_ZIP_BROKEN;
	insp_names_free(&seen);
}

unsigned insp_list(int fd, unsigned long long size, const char *carrier_name,
		   const struct insp_limits *lim, insp_member_fn *cb, void *ctx)
{
	struct insp_walk w;
	struct insp_src src;
	locale_t utf8, old = (locale_t)0;

	memset(&w, 0, sizeof(w));
	if (lim != NULL)
		w.lim = *lim;
	else
		insp_limits_default(&w.lim);
	w.cb = cb;
	w.ctx = ctx;
	/* libarchive converts names to the locale's charset: UTF-8, for this
	 * thread only, unless it is UTF-8 already (the worker sets it before
	 * its seccomp filter: loading a locale opens files) */
	utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? (locale_t)0 :
	       newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8 != (locale_t)0)
		old = uselocale(utf8);
	insp_src_fd(&src, fd, 0, size);
	insp_walk_src(&w, &src, carrier_name != NULL ? carrier_name : "", 1);
	if (utf8 != (locale_t)0) {
		uselocale(old);
		freelocale(utf8);
	}
	return w.anomalies;
}
