/*
 * ma_banset.c - ban snapshots: build, match, share (see ma_banset.h)
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ma_banset.h"

/* ma_banset_new - an empty snapshot */
struct ma_banset *
ma_banset_new(void)
{
	struct ma_banset *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->refs = 1;
	return s;
}

/* ma_banset_add - append one ban, lowercased */
int
ma_banset_add(struct ma_banset *s, enum mg_ban_kind kind, const char *value,
	      long long expiry, struct mg_error *err)
{
	struct ma_ban *nv;
	char *v, *p;

	if ((unsigned)kind >= MG_BAN_KINDS)
		return mg_error_set(err, MG_ERR_INTERNAL, "bad ban kind");
	nv = realloc(s->v[kind], (s->n[kind] + 1) * sizeof(*nv));
	if (nv == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	s->v[kind] = nv;
	if ((v = strdup(value)) == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	for (p = v; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	nv[s->n[kind]].value = v;
	nv[s->n[kind]].expiry = expiry;
	s->n[kind]++;
	return 0;
}

/* ma_banset_match - a valid ban on value, or NULL */
const struct ma_ban *
ma_banset_match(const struct ma_banset *s, enum mg_ban_kind kind,
		const char *value, long long now)
{
	size_t i;

	if (s == NULL || value == NULL || value[0] == '\0' ||
	    (unsigned)kind >= MG_BAN_KINDS)
		return NULL;
	for (i = 0; i < s->n[kind]; i++)
		if (s->v[kind][i].expiry > now &&
		    strcasecmp(s->v[kind][i].value, value) == 0)
			return &s->v[kind][i];
	return NULL;
}

/* ma_banset_earliest - the next expiry, to know when to re-read */
long long
ma_banset_earliest(const struct ma_banset *s)
{
	long long e = 0;
	size_t i;
	int k;

	for (k = 0; k < MG_BAN_KINDS; k++)
		for (i = 0; i < s->n[k]; i++)
			if (e == 0 || s->v[k][i].expiry < e)
				e = s->v[k][i].expiry;
	return e;
}

/* ma_banset_ref - one more reader */
struct ma_banset *
ma_banset_ref(struct ma_banset *s)
{
	if (s != NULL)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

/* ma_banset_unref - drop a reader; the last frees */
void
ma_banset_unref(struct ma_banset **sp)
{
	struct ma_banset *s = *sp;
	size_t i;
	int k;

	*sp = NULL;
	if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (k = 0; k < MG_BAN_KINDS; k++) {
		for (i = 0; i < s->n[k]; i++)
			free(s->v[k][i].value);
		free(s->v[k]);
	}
	free(s);
}

