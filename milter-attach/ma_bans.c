/*
 * ma_bans.c - ban snapshots and the thread that refreshes them from Redis
 *
 * See ma_bans.h.  The refresher owns its own struct mg_redis (contexts are
 * not shared between threads); the snapshot pointer is swapped under a
 * mutex and readers hold a reference, so a snapshot is never freed while
 * a decision uses it.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ma_bans.h"
#include "mg_log.h"

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

/* ma_bans_read - ZRANGEBYSCORE key (now +inf WITHSCORES for each kind */
int
ma_bans_read(struct mg_redis *r, const struct mg_keys *k, long long now,
	     struct ma_banset **set_r, struct mg_error *err)
{
	char key[MG_KEY_MAX], min[32];
	struct ma_banset *s;
	redisReply *rep;
	size_t i;
	int kind;

	if ((s = ma_banset_new()) == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	s->loaded_at = now;
	snprintf(min, sizeof(min), "(%lld", now);
	for (kind = 0; kind < MG_BAN_KINDS; kind++) {
		if (mg_key_ban(k, kind, key, sizeof(key), err) < 0)
			goto fail;
		if (mg_redis_command(r, &rep, err, "ZRANGEBYSCORE %s %s +inf WITHSCORES",
				     key, min) < 0)
			goto fail;
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements % 2 != 0) {
			freeReplyObject(rep);
			mg_error_set(err, MG_ERR_REDIS_REPLY,
				     "ZRANGEBYSCORE %s: unexpected reply", key);
			goto fail;
		}
		for (i = 0; i + 1 < rep->elements; i += 2) {
			const redisReply *m = rep->element[i], *sc = rep->element[i + 1];
			if (m->type != REDIS_REPLY_STRING || sc->type != REDIS_REPLY_STRING)
				continue;
			if (ma_banset_add(s, kind, m->str, strtoll(sc->str, NULL, 10),
					  err) < 0) {
				freeReplyObject(rep);
				goto fail;
			}
		}
		freeReplyObject(rep);
	}
	*set_r = s;
	return 0;
fail:
	ma_banset_unref(&s);
	return -1;
}

struct ma_bans {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	struct ma_banset *current;   /* under lock */
	struct mg_redis *redis;
	struct mg_keys keys;
	long long refresh_ms;
	struct ma_stats *stats;
};

/* refresh_once - re-read when the serial moved or an expiry passed */
static void
refresh_once(struct ma_bans *b, char *last_serial, size_t serialsz,
	     int *down, int *have)
{
	char key[MG_KEY_MAX], serial[64] = "";
	struct ma_banset *fresh = NULL, *old;
	struct mg_error err;
	redisReply *rep;
	long long now = (long long)time(NULL), earliest = 0;

	if (mg_key_ban_serial(&b->keys, key, sizeof(key), &err) < 0)
		goto failed;
	if (mg_redis_command(b->redis, &rep, &err, "GET %s", key) < 0)
		goto failed;
	if (rep->type == REDIS_REPLY_STRING)
		snprintf(serial, sizeof(serial), "%s", rep->str);
	freeReplyObject(rep);
	pthread_mutex_lock(&b->lock);
	if (b->current != NULL)
		earliest = ma_banset_earliest(b->current);
	pthread_mutex_unlock(&b->lock);
	if (*down) {
		mg_info("bans: Redis %s reachable again", mg_redis_describe(b->redis));
		*down = 0;
	}
	if (*have && strcmp(serial, last_serial) == 0 &&
	    (earliest == 0 || earliest > now))
		return;
	if (ma_bans_read(b->redis, &b->keys, now, &fresh, &err) < 0)
		goto failed;
	mg_info("bans: loaded serial=%s ext=%zu mime=%zu sha256=%zu",
		serial[0] ? serial : "0", fresh->n[MG_BAN_EXT],
		fresh->n[MG_BAN_MIME], fresh->n[MG_BAN_SHA256]);
	pthread_mutex_lock(&b->lock);
	old = b->current;
	b->current = fresh;
	pthread_mutex_unlock(&b->lock);
	ma_banset_unref(&old);
	snprintf(last_serial, serialsz, "%s", serial);
	*have = 1;
	return;
failed:
	if (!*down)
		mg_warnx("bans: cannot read from Redis (%s): %s; keeping the "
			 "last known list", mg_err_kind_name(err.kind), err.msg);
	*down = 1;
}

/* bans_main - the refresher loop */
static void *
bans_main(void *arg)
{
	struct ma_bans *b = arg;
	char serial[64] = "";
	int down = 0, have = 0;
	struct timespec ts;

	pthread_mutex_lock(&b->lock);
	while (!b->stop) {
		pthread_mutex_unlock(&b->lock);
		refresh_once(b, serial, sizeof(serial), &down, &have);
		if (!down)
			(void)ma_stats_flush(b->stats, b->redis, &b->keys, NULL);
		pthread_mutex_lock(&b->lock);
		if (b->stop)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += b->refresh_ms / 1000;
		ts.tv_nsec += (b->refresh_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!b->stop &&
		       pthread_cond_timedwait(&b->cond, &b->lock, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* ma_bans_start - create the refresher */
struct ma_bans *
ma_bans_start(const struct mg_redis_settings *set, const char *prefix,
	      long long refresh_ms, struct ma_banset *initial,
	      struct ma_stats *stats, struct mg_error *err)
{
	struct ma_bans *b = calloc(1, sizeof(*b));
	int rc;

	if (b == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (mg_keys_init(&b->keys, prefix, err) < 0) {
		free(b);
		return NULL;
	}
	if ((b->redis = mg_redis_new(set)) == NULL) {
		free(b);
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	b->refresh_ms = refresh_ms;
	b->stats = stats;
	b->current = ma_banset_ref(initial);
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	if ((rc = pthread_create(&b->thread, NULL, bans_main, b)) != 0) {
		errno = rc;
		mg_error_sys(err, "pthread_create");
		ma_banset_unref(&b->current);
		mg_redis_free(&b->redis);
		free(b);
		return NULL;
	}
	return b;
}

/* ma_bans_get - current snapshot, referenced */
struct ma_banset *
ma_bans_get(struct ma_bans *b)
{
	struct ma_banset *s;

	if (b == NULL)
		return NULL;
	pthread_mutex_lock(&b->lock);
	s = ma_banset_ref(b->current);
	pthread_mutex_unlock(&b->lock);
	return s;
}

/* ma_bans_stop - stop the refresher */
void
ma_bans_stop(struct ma_bans **bp)
{
	struct ma_bans *b = *bp;

	if (b == NULL)
		return;
	*bp = NULL;
	pthread_mutex_lock(&b->lock);
	b->stop = 1;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	ma_banset_unref(&b->current);
	mg_redis_free(&b->redis);
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->cond);
	free(b);
}
