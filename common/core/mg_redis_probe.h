/*
 * mg_redis_probe.h - what -t --probe says about Redis
 *
 * The daemons' configuration check can also connect as the daemon would:
 * the static redis_server or the master Redis Sentinel names (and which
 * sentinel answered), AUTH and SELECT, then ROLE, the server's version
 * (INFO server) and the round trip of one PING.  Each component then adds
 * what it finds there (milter-attach: the bans; policyd-quota: the
 * quota-changed channel).  Above the client: it uses mg_redis.h only.
 */
#ifndef MG_REDIS_PROBE_H
#define MG_REDIS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mg_error.h"
#include "mg_keys.h"
#include "mg_redis.h"

struct mg_redis_probe {
	char server[300];       /* where the client connected */
	char sentinel[300];     /* the sentinel that named it ("" : static) */
	char role[16];          /* ROLE's first word: master, slave, ... */
	char version[32];       /* redis_version, "" when INFO hides it */
	long long ping_us;      /* one PING's round trip */
	bool auth;              /* AUTH was sent (and accepted) */
	long long db;           /* SELECTed database (0: none sent) */
};

/* mg_redis_probe - connect r (settings set) and ask; 0, or -1 with err
 * saying why Redis is not usable */
int mg_redis_probe(struct mg_redis *r, const struct mg_redis_settings *set,
		   struct mg_redis_probe *p, struct mg_error *err);

/* mg_redis_info_field - the value of "name:value" in an INFO reply into
 * out; 1 found, 0 not (out "") */
int mg_redis_info_field(const char *info, const char *name, char *out,
			size_t outsz);

/* mg_redis_probe_print - "redis ..." lines for -t --probe */
void mg_redis_probe_print(FILE *fp, const struct mg_redis_probe *p);

/* mg_redis_probe_start - what both daemons' probes begin with: a quiet
 * client for set, the keys of prefix into k, the probe printed on fp;
 * NULL after saying why Redis is not usable on stderr ("prog: ...");
 * fp NULL: print nothing but that (-q) */
struct mg_redis *mg_redis_probe_start(const char *prog,
				      const struct mg_redis_settings *set,
				      const char *prefix, struct mg_keys *k,
				      FILE *fp);

#endif
