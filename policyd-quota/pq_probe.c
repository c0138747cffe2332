/*
 * pq_probe.c - policyd-quota -t --probe (see pq_probe.h)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_redis_probe.h"
#include "pq_probe.h"

/* count_quota - quota:{*} keys, SCAN round by round; -1 on error; *more
 * when the rounds ran out before the cursor came back to 0 */
static long long
count_quota(struct mg_redis *r, const struct mg_keys *k, int *more)
{
	char pattern[MG_KEY_MAX], cursor[32] = "0";
	long long n = 0;
	redisReply *rep;
	int round;

	*more = 0;
	if (mg_key_quota(k, "*", pattern, sizeof(pattern), NULL) < 0)
		return -1;
	for (round = 0; round < PQ_PROBE_SCAN_ROUNDS; round++) {
		if (mg_redis_command(r, &rep, NULL, "SCAN %s MATCH %s COUNT %d",
				     cursor, pattern, PQ_PROBE_SCAN_COUNT) < 0)
			return -1;
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
		    rep->element[0]->type != REDIS_REPLY_STRING ||
		    rep->element[1]->type != REDIS_REPLY_ARRAY) {
			freeReplyObject(rep);
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%.30s", rep->element[0]->str);
		n += (long long)rep->element[1]->elements;
		freeReplyObject(rep);
		if (strcmp(cursor, "0") == 0)
			return n;
	}
	*more = 1;
	return n;
}

/* subscribe - as the subscriber thread: its own connection */
static int
subscribe(const struct pq_config *cfg, const struct mg_keys *k, char *channel,
	  size_t chsz, struct mg_error *err)
{
	struct mg_redis *sub = mg_redis_new(&cfg->redis);
	int rc;

	if (sub == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	mg_redis_set_quiet(sub, true);
	rc = mg_key_quota_channel(k, channel, chsz, err) < 0 ? -1 :
	     mg_redis_subscribe(sub, channel, err);
	mg_redis_free(&sub);
	return rc;
}

/* pq_probe_run - see pq_probe.h */
int
pq_probe_run(const struct pq_config *cfg, FILE *fp)
{
	struct mg_error err;
	struct mg_keys k;
	struct mg_redis *r;
	char channel[MG_KEY_MAX];
	long long n;
	int more, rc = -1;

	r = mg_redis_probe_start("policyd-quota", &cfg->redis, cfg->redis_prefix,
				 &k, fp);
	if (r == NULL)
		return -1;
	if (subscribe(cfg, &k, channel, sizeof(channel), &err) < 0) {
		fprintf(stderr, "policyd-quota: cannot SUBSCRIBE to the quota-changed "
			"channel (cached states would never be invalidated): %s\n",
			err.msg);
		goto out;
	}
	rc = 0;
	if (fp == NULL)
		goto out;
	fprintf(fp, "# redis: SUBSCRIBE %s ok\n", channel);
	n = count_quota(r, &k, &more);
	if (n < 0)
		fprintf(fp, "# quota states: not counted (SCAN refused)\n");
	else
		fprintf(fp, "# quota states: %s%lld published\n", more ? "at least " : "",
			n);
out:
	mg_redis_free(&r);
	return rc;
}
