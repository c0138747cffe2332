/*
 * ma_probe.c - milter-attach -t --probe (see ma_probe.h)
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ma_bans.h"
#include "ma_probe.h"
#include "mg_clock.h"
#include "mg_redis_probe.h"

#define BANS_LISTED 50           /* per kind */

/* expired_count - stored bans of kind whose expiry has passed */
static long long
expired_count(struct mg_redis *r, const struct mg_keys *k, int kind,
	      long long now)
{
	char key[MG_KEY_MAX];
	redisReply *rep;
	long long n = -1;

	if (mg_key_ban(k, kind, key, sizeof(key), NULL) < 0 ||
	    mg_redis_command(r, &rep, NULL, "ZCOUNT %s -inf %lld", key, now) < 0)
		return -1;
	if (rep->type == REDIS_REPLY_INTEGER)
		n = rep->integer;
	freeReplyObject(rep);
	return n;
}

/* serial - the ban serial ("none" when never set) */
static void
serial(struct mg_redis *r, const struct mg_keys *k, char *out, size_t outsz)
{
	char key[MG_KEY_MAX];
	redisReply *rep;

	snprintf(out, outsz, "none");
	if (mg_key_ban_serial(k, key, sizeof(key), NULL) < 0 ||
	    mg_redis_command(r, &rep, NULL, "GET %s", key) < 0)
		return;
	if (rep->type == REDIS_REPLY_STRING)
		snprintf(out, outsz, "%.40s", rep->str);
	freeReplyObject(rep);
}

/* list_bans - each kind: live bans with expiry, the expired count */
static void
list_bans(FILE *fp, struct mg_redis *r, const struct mg_keys *k,
	  const struct ma_banset *s, long long now)
{
	char when[64], ser[48];
	int kind;
	size_t i;

	serial(r, k, ser, sizeof(ser));
	fprintf(fp, "# bans: serial %s\n", ser);
	for (kind = 0; kind < MG_BAN_KINDS; kind++) {
		fprintf(fp, "# bans %s: %zu live, %lld expired still stored\n",
			mg_ban_kind_name(kind), s->n[kind],
			expired_count(r, k, kind, now));
		for (i = 0; i < s->n[kind] && i < BANS_LISTED; i++) {
			if (mg_time_local(s->v[kind][i].expiry, "%Y-%m-%d %H:%M:%S %z",
					  when, sizeof(when)) < 0)
				snprintf(when, sizeof(when), "%lld", s->v[kind][i].expiry);
			fprintf(fp, "#   %s %s until %s\n", mg_ban_kind_name(kind),
				s->v[kind][i].value, when);
		}
		if (s->n[kind] > BANS_LISTED)
			fprintf(fp, "#   ... and %zu more\n", s->n[kind] - BANS_LISTED);
	}
}

/* ma_probe_run - see ma_probe.h */
int
ma_probe_run(const struct ma_config *cfg, FILE *fp)
{
	struct ma_banset *s = NULL;
	struct mg_error err;
	struct mg_keys k;
	struct mg_redis *r;
	long long now = (long long)time(NULL);
	int rc = -1;

	r = mg_redis_probe_start("milter-attach", &cfg->redis, cfg->redis_prefix,
				 &k, fp);
	if (r == NULL)
		return -1;
	if (ma_bans_read(r, &k, now, &s, &err) < 0) {
		fprintf(stderr, "milter-attach: the bans cannot be read: %s\n", err.msg);
		goto out;
	}
	if (fp != NULL)
		list_bans(fp, r, &k, s, now);
	rc = 0;
out:
	ma_banset_unref(&s);
	mg_redis_free(&r);
	return rc;
}
