/*
 * ctl_stats.c - stats: each component's counters per host and summed
 *
 * K stats:<component>:<host> is one host's hash (0.5); K stats:<component>
 * the hash every host added into before, shown as host "(legacy)".  Found
 * with SCAN MATCH K stats:*; a component name is [a-z0-9-].
 *
 *   human        a table per component: a row per counter, a column per
 *                host, then the total
 *   --json       {"components": {"<c>": {"hosts": {"<h>": {"<counter>": n}},
 *                                        "total": {"<counter>": n}}}}
 *   --prometheus mailguard_<c>_<counter>_total{host="<h>"} n, '-' as '_'
 *   legacy       milter-attach-ctl's "counter value" lines: milter-attach's
 *                counters summed over every host
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_fmt.h"
#include "ctl_run.h"

#define COMPONENTS_MAX 8
#define HOSTS_MAX 128
#define COUNTERS_MAX 48
#define NAME_MAX_ 64
#define LEGACY_HOST "(legacy)"

struct component {
	char name[NAME_MAX_];
	size_t nhosts, ncounters;
	char hosts[HOSTS_MAX][NAME_MAX_];
	char counters[COUNTERS_MAX][NAME_MAX_];
	long long v[HOSTS_MAX][COUNTERS_MAX];
};

struct stats {
	struct component c[COMPONENTS_MAX];
	size_t n;
	size_t skipped;                      /* over a cap: said on stderr */
};

/* find - index of name in a table of n names, adding it (-1: full) */
static int
find(char (*names)[NAME_MAX_], size_t *n, size_t max, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	if (*n == max || strlen(name) >= NAME_MAX_)
		return -1;
	snprintf(names[*n], NAME_MAX_, "%s", name);
	return (int)(*n)++;
}

/* name_ok - a component ([a-z0-9-]) or counter ([A-Za-z0-9_.-]) name:
 * what else a hash holds is left out (it could not be a metric name) */
static int
name_ok(const char *s, size_t n, int counter)
{
	size_t i;

	if (n == 0 || n >= NAME_MAX_)
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
		      s[i] == '-' || (counter && (isupper((unsigned char)s[i]) ||
						  s[i] == '_' || s[i] == '.'))))
			return 0;
	return 1;
}

/* collect - one stats hash into the table */
static int
collect(struct ctl_ctx *cx, const char *key, void *arg)
{
	struct stats *st = arg;
	const char *p, *colon;
	char comp[NAME_MAX_];
	struct component *c = NULL;
	redisReply *rep;
	size_t i, n, before;
	int h;

	if (strncmp(key, cx->cfg->keys.base, cx->cfg->keys.base_len) != 0 ||
	    strncmp(key + cx->cfg->keys.base_len, "stats:", 6) != 0)
		return 0;
	p = key + cx->cfg->keys.base_len + 6;
	colon = strchr(p, ':');
	n = colon ? (size_t)(colon - p) : strlen(p);
	if (!name_ok(p, n, 0))
		return 0;
	memcpy(comp, p, n);
	comp[n] = '\0';
	for (i = 0; i < st->n; i++)
		if (strcmp(st->c[i].name, comp) == 0)
			c = &st->c[i];
	if (c == NULL) {
		if (st->n == COMPONENTS_MAX) {
			st->skipped++;
			return 0;
		}
		c = &st->c[st->n++];
		snprintf(c->name, sizeof(c->name), "%s", comp);
	}
	before = c->nhosts;
	if ((h = find(c->hosts, &c->nhosts, HOSTS_MAX,
		      colon ? colon + 1 : LEGACY_HOST)) < 0) {
		st->skipped++;
		return 0;
	}
	if ((size_t)h < before)
		return 0;          /* SCAN may return a key twice: count it once */
	if (mg_redis_command(cx->redis, &rep, &cx->err, "HGETALL %s", key) < 0)
		return -1;
	for (i = 0; rep->type == REDIS_REPLY_ARRAY && i + 1 < rep->elements; i += 2) {
		int k;
		if (rep->element[i]->type != REDIS_REPLY_STRING ||
		    rep->element[i + 1]->type != REDIS_REPLY_STRING)
			continue;
		if (!name_ok(rep->element[i]->str, rep->element[i]->len, 1)) {
			st->skipped++;
			continue;
		}
		if ((k = find(c->counters, &c->ncounters, COUNTERS_MAX,
			      rep->element[i]->str)) < 0) {
			st->skipped++;
			continue;
		}
		c->v[h][k] += strtoll(rep->element[i + 1]->str, NULL, 10);
	}
	freeReplyObject(rep);
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct component *)a)->name,
		      ((const struct component *)b)->name);
}

/* host_before - hosts by name, "(legacy)" last */
static int
host_before(const char *a, const char *b)
{
	int la = strcmp(a, LEGACY_HOST) == 0, lb = strcmp(b, LEGACY_HOST) == 0;

	if (la != lb)
		return lb;
	return strcmp(a, b) < 0;
}

/* sort_hosts - insertion sort of the host columns (names and values) */
static void
sort_hosts(struct component *c)
{
	char name[NAME_MAX_];
	long long v[COUNTERS_MAX];
	size_t i, j;

	for (i = 1; i < c->nhosts; i++) {
		memcpy(name, c->hosts[i], sizeof(name));
		memcpy(v, c->v[i], sizeof(v));
		for (j = i; j > 0 && host_before(name, c->hosts[j - 1]); j--) {
			memcpy(c->hosts[j], c->hosts[j - 1], sizeof(name));
			memcpy(c->v[j], c->v[j - 1], sizeof(v));
		}
		memcpy(c->hosts[j], name, sizeof(name));
		memcpy(c->v[j], v, sizeof(v));
	}
}

static long long
total(const struct component *c, size_t k)
{
	long long t = 0;
	size_t h;

	for (h = 0; h < c->nhosts; h++)
		t += c->v[h][k];
	return t;
}

static void
print_legacy(struct ctl_ctx *cx, const struct stats *st)
{
	size_t i, k;

	for (i = 0; i < st->n; i++) {
		if (strcmp(st->c[i].name, "milter-attach") != 0)
			continue;
		for (k = 0; k < st->c[i].ncounters; k++)
			fprintf(cx->out, "%s %lld\n", st->c[i].counters[k],
				total(&st->c[i], k));
		if (st->c[i].ncounters > 0)
			return;
	}
	fprintf(cx->out, "no statistics yet\n");
}

static void
print_prometheus(struct ctl_ctx *cx, const struct stats *st)
{
	char name[3 * NAME_MAX_];
	size_t i, k, h;

	for (i = 0; i < st->n; i++) {
		const struct component *c = &st->c[i];
		for (k = 0; k < c->ncounters; k++) {
			if (ctl_prom_name(c->name, c->counters[k], name, sizeof(name)) < 0)
				continue;
			fprintf(cx->out, "# HELP %s %s counter %s, per host\n", name,
				c->name, c->counters[k]);
			fprintf(cx->out, "# TYPE %s counter\n", name);
			for (h = 0; h < c->nhosts; h++) {
				fprintf(cx->out, "%s{host=", name);
				ctl_prom_label(cx->out, c->hosts[h]);
				fprintf(cx->out, "} %lld\n", c->v[h][k]);
			}
		}
	}
}

/* json_counters - {"name": n, ...} of one host (h) or the total (h < 0) */
static void
json_counters(FILE *fp, const struct component *c, int h)
{
	size_t k;

	fputc('{', fp);
	for (k = 0; k < c->ncounters; k++) {
		fputs(k ? ", " : "", fp);
		ctl_json_str(fp, c->counters[k]);
		fprintf(fp, ": %lld", h < 0 ? total(c, k) : c->v[h][k]);
	}
	fputc('}', fp);
}

static void
print_json(struct ctl_ctx *cx, const struct stats *st)
{
	size_t i, h;

	fputs("{\"components\": {", cx->out);
	for (i = 0; i < st->n; i++) {
		const struct component *c = &st->c[i];
		fprintf(cx->out, "%s\n  \"%s\": {\"hosts\": {", i ? "," : "", c->name);
		for (h = 0; h < c->nhosts; h++) {
			fputs(h ? ", " : "", cx->out);
			ctl_json_str(cx->out, c->hosts[h]);
			fputs(": ", cx->out);
			json_counters(cx->out, c, (int)h);
		}
		fputs("}, \"total\": ", cx->out);
		json_counters(cx->out, c, -1);
		fputc('}', cx->out);
	}
	fputs(st->n ? "\n}}\n" : "}}\n", cx->out);
}

static int
print_human(struct ctl_ctx *cx, const struct stats *st)
{
	const char *cells[HOSTS_MAX + 2];
	char num[HOSTS_MAX + 1][24];
	size_t i, h, k;

	for (i = 0; i < st->n; i++) {
		const struct component *c = &st->c[i];
		struct ctl_table *t;
		cells[0] = "counter";
		for (h = 0; h < c->nhosts; h++)
			cells[h + 1] = c->hosts[h];
		cells[c->nhosts + 1] = "total";
		if ((t = ctl_table_new(c->nhosts + 2, cells)) == NULL)
			return mg_error_set(&cx->err, MG_ERR_NOMEM, "out of memory");
		for (k = 0; k < c->ncounters; k++) {
			cells[0] = c->counters[k];
			for (h = 0; h < c->nhosts; h++) {
				snprintf(num[h], sizeof(num[h]), "%lld", c->v[h][k]);
				cells[h + 1] = num[h];
			}
			snprintf(num[c->nhosts], sizeof(num[0]), "%lld", total(c, k));
			cells[c->nhosts + 1] = num[c->nhosts];
			if (ctl_table_add(t, cells) < 0) {
				ctl_table_free(&t);
				return mg_error_set(&cx->err, MG_ERR_NOMEM,
						    "out of memory");
			}
		}
		fprintf(cx->out, "%s%s (%zu host%s)\n", i ? "\n" : "", c->name,
			c->nhosts, c->nhosts == 1 ? "" : "s");
		ctl_table_print(t, ~1u, cx->out);
		ctl_table_free(&t);
	}
	if (st->n == 0)
		fprintf(cx->out, "no statistics yet\n");
	return 0;
}

int
ctl_stats(struct ctl_ctx *cx, const struct ctl_cmd *cmd)
{
	char pattern[MG_KEY_MAX * 2];
	struct stats *st = calloc(1, sizeof(*st));
	int rc = CTL_EXIT_OK;

	if (st == NULL) {
		mg_error_set(&cx->err, MG_ERR_NOMEM, "out of memory");
		return ctl_redis_fail(cx);
	}
	if (ctl_glob_escape(cx->cfg->keys.base, pattern, sizeof(pattern) - 8) < 0) {
		free(st);
		mg_error_set(&cx->err, MG_ERR_LIMIT, "redis_prefix too long");
		return ctl_redis_fail(cx);
	}
	strcat(pattern, "stats:*");
	if (ctl_scan(cx, pattern, collect, st) < 0) {
		free(st);
		return ctl_redis_fail(cx);
	}
	qsort(st->c, st->n, sizeof(st->c[0]), by_name);
	for (size_t i = 0; i < st->n; i++)
		sort_hosts(&st->c[i]);
	if (cmd->legacy)
		print_legacy(cx, st);
	else if (cmd->format == CTL_PROMETHEUS)
		print_prometheus(cx, st);
	else if (cmd->format == CTL_JSON)
		print_json(cx, st);
	else if (print_human(cx, st) < 0)
		rc = ctl_redis_fail(cx);
	if (st->skipped > 0)
		fprintf(stderr, "mailguard-ctl: %zu hash%s or counter%s over the "
			"limits (%d components, %d hosts, %d counters) left out\n",
			st->skipped, st->skipped == 1 ? "" : "es",
			st->skipped == 1 ? "" : "s", COMPONENTS_MAX, HOSTS_MAX,
			COUNTERS_MAX);
	free(st);
	return rc;
}
