/*
 * insp_walk.h - the inspector's walk, shared by its modules (private to
 * inspect/): one call of insp_list(), its limits and counters, and the
 * steps every lister's results go through
 *
 * insp_list.c owns the walk (probe order, nesting, limits);
 * insp_archive.c lists what libarchive reads; insp_names.c remembers the
 * names already reported for one container.
 */
#ifndef INSP_WALK_H
#define INSP_WALK_H

#include <stddef.h>

#include "insp_list.h"
#include "insp_lister.h"

struct insp_names;

/* the state of one insp_list() call */
struct insp_walk {
	struct insp_limits lim;
	insp_member_fn *cb;
	void *ctx;
	unsigned entries;              /* members reported */
	unsigned long long bytes;      /* bytes extracted for nested containers */
	unsigned long long declared;   /* member sizes the formats declare */
	unsigned anomalies;            /* SCAN_ANOM_* bits */
	int stop;                      /* past max_entries: report no more */
};

/* a bomb: members declaring more than this many times max_bytes in all
 * (skipping them would inflate them) */
#define INSP_BOMB_FACTOR 10

/* the bytes read from a member to tell whether it is a container */
#define INSP_PROBE_BYTES (40 * 1024)

/* insp_walk_member - report one member (unless seen holds its name
 * already, or the walk stopped); 1 reported, 0 not */
int insp_walk_member(struct insp_walk *w, struct insp_names *seen,
		     const char *name, const char *format,
		     unsigned long long size, int encrypted, unsigned depth);

/* insp_is_container - 1 when the first n bytes of a file are a container
 * the inspector opens (scan_carrier_detect(), zip, tar (ustar or V7),
 * gzip, cab, TNEF) */
int insp_is_container(const unsigned char *d, size_t n);

/* insp_walk_nested - the member name at depth whose first n bytes are d
 * and whose content is src: when a container, list it at depth + 1 (or
 * note zip_depth past max_depth) */
void insp_walk_nested(struct insp_walk *w, const struct insp_src *src,
		      const char *name, const unsigned char *d, size_t n,
		      unsigned depth);

/* insp_walk_src - list the container src, whose members are at depth;
 * name is its name ("" when none), for single compressed files */
void insp_walk_src(struct insp_walk *w, const struct insp_src *src,
		   const char *name, unsigned depth);

#endif
