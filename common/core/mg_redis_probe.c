/*
 * mg_redis_probe.c - -t --probe's look at Redis (see mg_redis_probe.h)
 */
#include <stdio.h>
#include <string.h>

#include "mg_clock.h"
#include "mg_redis_probe.h"

/* mg_redis_info_field - "name:value\r\n" lines */
int
mg_redis_info_field(const char *info, const char *name, char *out, size_t outsz)
{
	size_t nlen = strlen(name), vlen;
	const char *p = info;

	out[0] = '\0';
	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
			p += nlen + 1;
			vlen = strcspn(p, "\r\n");
			snprintf(out, outsz, "%.*s", (int)vlen, p);
			return 1;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return 0;
}

/* mg_redis_probe - ROLE first (it connects: sentinels, AUTH, SELECT),
 * then a timed PING, then INFO server */
int
mg_redis_probe(struct mg_redis *r, const struct mg_redis_settings *set,
	       struct mg_redis_probe *p, struct mg_error *err)
{
	redisReply *rep;
	long long t0;

	memset(p, 0, sizeof(*p));
	if (mg_redis_command(r, &rep, err, "ROLE") < 0)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements > 0 &&
	    rep->element[0]->type == REDIS_REPLY_STRING)
		snprintf(p->role, sizeof(p->role), "%s", rep->element[0]->str);
	freeReplyObject(rep);
	snprintf(p->server, sizeof(p->server), "%s", mg_redis_describe(r));
	mg_redis_sentinel(r, p->sentinel, sizeof(p->sentinel));
	p->auth = set->password != NULL && set->password[0] != '\0';
	p->db = set->db;
	t0 = mg_now_ns();
	if (mg_redis_command(r, &rep, err, "PING") < 0)
		return -1;
	p->ping_us = (mg_now_ns() - t0) / 1000;
	freeReplyObject(rep);
	/* INFO may be refused by an ACL: the version is then unknown */
	if (mg_redis_command(r, &rep, NULL, "INFO server") == 0) {
		if (rep->type == REDIS_REPLY_STRING)
			mg_redis_info_field(rep->str, "redis_version", p->version,
					    sizeof(p->version));
		freeReplyObject(rep);
	}
	return 0;
}

/* mg_redis_probe_print - for an admin */
void
mg_redis_probe_print(FILE *fp, const struct mg_redis_probe *p)
{
	if (p->sentinel[0])
		fprintf(fp, "# redis: sentinel %s named the master %s\n",
			p->sentinel, p->server);
	else
		fprintf(fp, "# redis: connected to %s\n", p->server);
	fprintf(fp, "# redis: role %s, version %s, PING %.3f ms, AUTH %s, "
		"SELECT %s\n", p->role[0] ? p->role : "?",
		p->version[0] ? p->version : "unknown (INFO refused)",
		(double)p->ping_us / 1000.0, p->auth ? "ok" : "not used",
		p->db != 0 ? "ok" : "not used (db 0)");
	if (strcmp(p->role, "master") != 0)
		fprintf(fp, "# redis: not a master: the daemons' writes would be "
			"refused (READONLY)\n");
}

/* mg_redis_probe_start - client, keys, probe, print */
struct mg_redis *
mg_redis_probe_start(const char *prog, const struct mg_redis_settings *set,
		     const char *prefix, struct mg_keys *k, FILE *fp)
{
	struct mg_redis *r = mg_redis_new(set);
	struct mg_redis_probe p;
	struct mg_error err;

	if (r == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	mg_redis_set_quiet(r, true);      /* the reason is said below */
	if (mg_keys_init(k, prefix, &err) < 0 ||
	    mg_redis_probe(r, set, &p, &err) < 0) {
		fprintf(stderr, "%s: Redis is not usable: %s\n", prog, err.msg);
		mg_redis_free(&r);
		return NULL;
	}
	if (fp != NULL)
		mg_redis_probe_print(fp, &p);
	return r;
}
