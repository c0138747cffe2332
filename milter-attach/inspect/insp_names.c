/*
 * insp_names.c - a set of strings: open addressing, FNV-1a hashes,
 * doubled when half full
 */
#include "insp_names.h"

#include <stdlib.h>
#include <string.h>

struct insp_names {
	char **slot;
	size_t cap;                    /* a power of two */
	size_t used;
};

static size_t name_hash(const char *s)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (size_t)h;
}

struct insp_names *insp_names_new(void)
{
	struct insp_names *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->cap = 64;
	s->slot = calloc(s->cap, sizeof(*s->slot));
	if (s->slot == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

/* find - the slot holding name, or the empty slot where it goes */
static size_t find(char *const *slot, size_t cap, const char *name)
{
	size_t i = name_hash(name) & (cap - 1);

	while (slot[i] != NULL && strcmp(slot[i], name) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static int grow(struct insp_names *s)
{
	size_t cap = s->cap * 2;
	char **slot = calloc(cap, sizeof(*slot));

	if (slot == NULL)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i] != NULL)
			slot[find(slot, cap, s->slot[i])] = s->slot[i];
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
	return 0;
}

int insp_names_add(struct insp_names *s, const char *name)
{
	size_t i;

	if (s == NULL)
		return 1;
	i = find(s->slot, s->cap, name);
	if (s->slot[i] != NULL)
		return 0;
	if ((s->used + 1) * 2 > s->cap) {
		if (grow(s) < 0)
			return -1;
		i = find(s->slot, s->cap, name);
	}
	s->slot[i] = strdup(name);
	if (s->slot[i] == NULL)
		return -1;
	s->used++;
	return 1;
}

void insp_names_free(struct insp_names **sp)
{
	struct insp_names *s = sp != NULL ? *sp : NULL;

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	free(s);
	*sp = NULL;
}
