/*
 * member_probe.h - what an archive member is, from its first bytes, for
 * the in-process listers (zip_names, arc_names)
 *
 * A member's first bytes (up to SCAN_CARRIER_PROBE_BYTES, fewer when the
 * member is smaller) are collected as its data goes by; then the member
 * is a zip (the lister opens it), a container the lister does not open
 * (a carrier.h carrier, or a gzip, cabinet, tar or TNEF: the walker hands
 * the archive to the inspector, SCAN_LISTER_NEEDS_INSPECT), or neither.
 * Internal to mgscan.
 */
#ifndef SCAN_MEMBER_PROBE_H
#define SCAN_MEMBER_PROBE_H

#include <stddef.h>

#include "lister.h"

struct scan_zip_lister;

enum scan_probe_kind {
	SCAN_PROBE_NONE,       /* not a container */
	SCAN_PROBE_ZIP,        /* starts with PK\3\4 */
	SCAN_PROBE_INSPECT,    /* a container the in-process listers skip */
};

struct scan_probe {
	unsigned char *buf;    /* SCAN_CARRIER_PROBE_BYTES, allocated once */
	size_t len, want;      /* collected, and wanted before deciding */
	int active;
};

/* scan_probe_start - a member of size bytes (0: unknown) starts: want
 * its first min(size, SCAN_CARRIER_PROBE_BYTES); -1 out of memory */
int scan_probe_start(struct scan_probe *p, unsigned long long size);
/* scan_probe_add - the member's next bytes; 1 once enough are in to
 * decide (scan_probe_kind), 0 while more are wanted */
int scan_probe_add(struct scan_probe *p, const unsigned char *d, size_t n);
/* scan_probe_kind - what the collected bytes are (the member may have
 * ended before the wanted bytes); the probe stops (active 0) */
enum scan_probe_kind scan_probe_kind(struct scan_probe *p);
/* scan_probe_act - what a lister does once the first bytes are in (or
 * the member ended before): a zip becomes *child, a zip lister at depth
 * + 1 fed these bytes (SCAN_LISTER_TOO_DEEP past max_depth, BROKEN when
 * out of memory); with child NULL, or another container, the bytes
 * returned say SCAN_LISTER_NEEDS_INSPECT; 0 for neither */
unsigned scan_probe_act(struct scan_probe *p, unsigned depth,
			unsigned max_depth, unsigned max_entries,
			scan_member_fn *cb, void *ctx,
			struct scan_zip_lister **child);
void scan_probe_free(struct scan_probe *p);

#endif
