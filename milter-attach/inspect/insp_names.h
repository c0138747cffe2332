/*
 * insp_names.h - the names already reported for one container, so that
 * an ISO 9660 image listed once per name tree (plain, Joliet, Rock
 * Ridge) and by the UDF lister reports each distinct name once
 *
 * A set of strings; grows as names are added (the walk stops at
 * max_entries, which bounds it).
 */
#ifndef INSP_NAMES_H
#define INSP_NAMES_H

struct insp_names;

struct insp_names *insp_names_new(void);
/* insp_names_add - 1 when name was new (and is now in), 0 when it was in
 * already, -1 when out of memory */
int insp_names_add(struct insp_names *s, const char *name);
void insp_names_free(struct insp_names **s);

#endif
