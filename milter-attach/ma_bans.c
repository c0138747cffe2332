/*
 * ma_bans.c - the thread that refreshes ban snapshots from Redis
 *
 * See ma_bans.h.  The refresher owns its own struct mg_redis (contexts are
 * not shared between threads); the snapshot pointer is swapped under a
 * mutex and readers hold a reference, so a snapshot is never freed while
 * a decision uses it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ma_bans.h"
#include "mg_log.h"

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

/* ma_bans_read_once - one synchronous read (start-up, -T, --probe) */
int
ma_bans_read_once(const struct mg_redis_settings *set, const char *prefix,
		  long long now, struct ma_banset **set_r, struct mg_error *err)
{
	struct mg_redis *r = mg_redis_new(set);
	struct mg_error e;
	struct mg_keys k;
	int rc = -1;

	*set_r = NULL;
	if (r == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	mg_redis_set_quiet(r, true);    /* one attempt: the caller says it */
	if (mg_keys_init(&k, prefix, err) == 0) {
		rc = ma_bans_read(r, &k, now, set_r, &e);
		if (rc < 0 && strstr(e.msg, mg_redis_describe(r)) != NULL)
			*err = e;           /* the client named the server */
		else if (rc < 0)
			mg_error_set(err, e.kind, "Redis at %s: %s",
				     mg_redis_describe(r), e.msg);
	}
	mg_redis_free(&r);
	return rc;
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

/* refresh_once - re-read when the serial moved or an expiry passed;
 * 0, or -1 with err (the snapshot in use stays) */
static int
refresh_once(struct ma_bans *b, char *last_serial, size_t serialsz,
	     int *have, struct mg_error *err)
{
	char key[MG_KEY_MAX], serial[64] = "";
	struct ma_banset *fresh = NULL, *old;
	redisReply *rep;
	long long now = (long long)time(NULL), earliest = 0;

	if (mg_key_ban_serial(&b->keys, key, sizeof(key), err) < 0 ||
	    mg_redis_command(b->redis, &rep, err, "GET %s", key) < 0)
		return -1;
	if (rep->type == REDIS_REPLY_STRING)
		snprintf(serial, sizeof(serial), "%s", rep->str);
	freeReplyObject(rep);
	pthread_mutex_lock(&b->lock);
	if (b->current != NULL)
		earliest = ma_banset_earliest(b->current);
	pthread_mutex_unlock(&b->lock);
	if (*have && strcmp(serial, last_serial) == 0 &&
	    (earliest == 0 || earliest > now))
		return 0;
	if (ma_bans_read(b->redis, &b->keys, now, &fresh, err) < 0)
		return -1;
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
	return 0;
}

/* complain - a failed refresh that is not an outage (the Redis client
 * reports those): an error reply (a key of the wrong type, an ACL
 * refusal) or no memory; said again only when the reason changes */
static void
complain(const struct mg_error *err, char *last, size_t lastsz)
{
	if (mg_error_is_redis(err) && err->kind != MG_ERR_REDIS_REPLY)
		return;
	if (strcmp(err->msg, last) != 0)
		mg_warnx("bans: cannot read from Redis (%s): %s; keeping the "
			 "last known list", mg_err_kind_name(err->kind), err->msg);
	snprintf(last, lastsz, "%s", err->msg);
}

/* wait_refresh - sleep ban_refresh or until stopped (lock held) */
static void
wait_refresh(struct ma_bans *b)
{
	struct timespec ts;

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

/* loaded - a good refresh: the counts and the time, for the metrics */
static void
loaded(struct ma_bans *b)
{
	size_t n[MG_BAN_KINDS] = { 0 };

	if (b->stats == NULL || b->stats->metrics == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	if (b->current != NULL)
		memcpy(n, b->current->n, sizeof(n));
	pthread_mutex_unlock(&b->lock);
	ma_metrics_bans_loaded(b->stats->metrics, n);
}

/* bans_main - the refresher loop */
static void *
bans_main(void *arg)
{
	struct ma_bans *b = arg;
	char serial[64] = "", last[MG_ERROR_MSG_MAX] = "";
	struct mg_error err;
	int have = 0;

	pthread_mutex_lock(&b->lock);
	while (!b->stop) {
		pthread_mutex_unlock(&b->lock);
		if (refresh_once(b, serial, sizeof(serial), &have, &err) < 0) {
			complain(&err, last, sizeof(last));
		} else {
			last[0] = '\0';
			loaded(b);
			(void)ma_stats_flush(b->stats, b->redis, &b->keys, NULL);
		}
		pthread_mutex_lock(&b->lock);
		if (!b->stop)
			wait_refresh(b);
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
	mg_redis_set_outage_text(b->redis, "keeping the last known list of bans");
	if (stats != NULL && stats->metrics != NULL)
		mg_redis_set_metrics(b->redis, &stats->metrics->redis, "bans");
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
