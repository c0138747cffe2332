/*
 * member_probe.c - a member's first bytes judged (see member_probe.h)
 */
#include <stdlib.h>
#include <string.h>

#include "arc_names.h"
#include "carrier.h"
#include "member_probe.h"
#include "tnef_names.h"
#include "zip_names.h"

/* scan_probe_start - collect the first bytes of a member of size bytes */
int
scan_probe_start(struct scan_probe *p, unsigned long long size)
{
	if (p->buf == NULL && (p->buf = malloc(SCAN_CARRIER_PROBE_BYTES)) == NULL)
		return -1;
	p->len = 0;
	p->want = size > 0 && size < SCAN_CARRIER_PROBE_BYTES ? (size_t)size
							       : SCAN_CARRIER_PROBE_BYTES;
	p->active = 1;
	return 0;
}

/* scan_probe_add - more first bytes; a zip is known from 4 */
int
scan_probe_add(struct scan_probe *p, const unsigned char *d, size_t n)
{
	size_t k = p->want - p->len;

	if (!p->active)
		return 1;
	if (n < k)
		k = n;
	memcpy(p->buf + p->len, d, k);
	p->len += k;
	return p->len == p->want || (p->len >= 4 && memcmp(p->buf, "PK\3\4", 4) == 0);
}

/* scan_probe_kind - zip, a container to inspect, or nothing */
enum scan_probe_kind
scan_probe_kind(struct scan_probe *p)
{
	const unsigned char *b = p->buf;
	size_t n = p->len;

	p->active = 0;
	if (b == NULL || n == 0)
		return SCAN_PROBE_NONE;
	if (n >= 4 && memcmp(b, "PK\3\4", 4) == 0)
		return SCAN_PROBE_ZIP;
	if (scan_carrier_detect(b, n) != SCAN_CARRIER_NONE ||
	    scan_arc_detect(b, n) != SCAN_ARC_NONE ||
	    (n >= 4 && memcmp(b, SCAN_TNEF_SIGNATURE, 4) == 0))
		return SCAN_PROBE_INSPECT;
	return SCAN_PROBE_NONE;
}

/* scan_probe_act - a zip opened as a child, other containers flagged */
unsigned
scan_probe_act(struct scan_probe *p, unsigned depth, unsigned max_depth,
	       unsigned max_entries, scan_member_fn *cb, void *ctx,
	       struct scan_zip_lister **child)
{
	switch (scan_probe_kind(p)) {
	case SCAN_PROBE_ZIP:
		if (child == NULL)
			return SCAN_LISTER_NEEDS_INSPECT;
		if (depth + 1 > max_depth)
			return SCAN_LISTER_TOO_DEEP;
		*child = scan_zip_lister_new(depth + 1, max_depth, max_entries, cb, ctx);
		if (*child == NULL)
			return SCAN_LISTER_BROKEN;      /* out of memory */
		scan_zip_lister_feed(*child, p->buf, p->len);
		return 0;
	case SCAN_PROBE_INSPECT:
		return SCAN_LISTER_NEEDS_INSPECT;
	case SCAN_PROBE_NONE:
		break;
	}
	return 0;
}

/* scan_probe_free - the buffer */
void
scan_probe_free(struct scan_probe *p)
{
	free(p->buf);
	p->buf = NULL;
	p->active = 0;
}
