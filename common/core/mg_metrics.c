/*
 * mg_metrics.c - the metrics registry and its text rendering (see mg_metrics.h)
 *
 * Series are appended to a family's fixed array: the writer fills the
 * slot under the registry mutex, then publishes it by storing the new
 * count with release order; readers load the count with acquire order
 * and only look at slots below it, so lookups and updates take no lock.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_metrics.h"

const double MG_METRICS_SECONDS[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
const size_t MG_METRICS_SECONDS_N = sizeof(MG_METRICS_SECONDS) / sizeof(MG_METRICS_SECONDS[0]);

struct series {
	char v[2][MG_METRICS_VALUE_MAX];
	long long value;                          /* counter, gauge */
	unsigned long long bucket[MG_METRICS_BUCKETS_MAX + 1];  /* histogram; last: +Inf */
	unsigned long long sum_ns, count;
};

struct mg_metric {
	struct mg_metrics *reg;
	enum mg_metric_type type;
	char name[MG_METRICS_NAME_MAX];
	char help[MG_METRICS_HELP_MAX];
	char label[2][MG_METRICS_NAME_MAX];       /* "" = no such label */
	double bound[MG_METRICS_BUCKETS_MAX];
	size_t nbounds;
	size_t nseries;                           /* published with release */
	struct series series[MG_METRICS_SERIES_MAX];
};

struct mg_metrics {
	pthread_mutex_t lock;                     /* family and series creation */
	struct mg_metric *fam[MG_METRICS_FAMILIES_MAX];
	size_t nfam;
	unsigned long long dropped;               /* updates of a full family */
	void (*collect)(void *);
	void *collect_arg;
};

/* mg_metrics_new - an empty registry */
struct mg_metrics *
mg_metrics_new(void)
{
	struct mg_metrics *m = calloc(1, sizeof(*m));

	if (m != NULL && pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

/* mg_metrics_free - free the registry and its families */
void
mg_metrics_free(struct mg_metrics **mp)
{
	struct mg_metrics *m = *mp;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nfam; i++)
		free(m->fam[i]);
	pthread_mutex_destroy(&m->lock);
	free(m);
	*mp = NULL;
}

/* valid_name - Prometheus metric and label names */
static int
valid_name(const char *s, int colon)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strlen(s) >= MG_METRICS_NAME_MAX ||
	    (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || (colon && c == ':')))
			return 0;
	}
	return 1;
}

/* declare - a new family, checked */
static struct mg_metric *
declare(struct mg_metrics *m, enum mg_metric_type type, const char *name,
	const char *help, const char *l1, const char *l2, const double *bounds,
	size_t nbounds, struct mg_error *err)
{
	struct mg_metric *f;
	size_t i;

	if (!valid_name(name, 1) || (l1 != NULL && !valid_name(l1, 0)) ||
	    (l2 != NULL && (l1 == NULL || !valid_name(l2, 0))) ||
	    (l1 != NULL && strcmp(l1, "le") == 0) || (l2 != NULL && strcmp(l2, "le") == 0)) {
		mg_error_set(err, MG_ERR_INTERNAL, "metrics: bad name in %.100s",
			     name ? name : "(null)");
		return NULL;
	}
	if (nbounds > MG_METRICS_BUCKETS_MAX) {
		mg_error_set(err, MG_ERR_INTERNAL, "metrics: %s: too many buckets", name);
		return NULL;
	}
	for (i = 1; i < nbounds; i++)
		if (!(bounds[i] > bounds[i - 1])) {
			mg_error_set(err, MG_ERR_INTERNAL, "metrics: %s: buckets not increasing",
				     name);
			return NULL;
		}
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nfam; i++)
		if (strcmp(m->fam[i]->name, name) == 0)
			break;
	if (i < m->nfam || m->nfam == MG_METRICS_FAMILIES_MAX) {
		pthread_mutex_unlock(&m->lock);
		mg_error_set(err, MG_ERR_INTERNAL, "metrics: %s: %s", name,
			     i < m->nfam ? "declared twice" : "too many families");
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		pthread_mutex_unlock(&m->lock);
		mg_error_set(err, MG_ERR_NOMEM, "metrics: out of memory");
		return NULL;
	}
	f->reg = m;
	f->type = type;
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->help, sizeof(f->help), "%s", help ? help : "");
	snprintf(f->label[0], sizeof(f->label[0]), "%s", l1 ? l1 : "");
	snprintf(f->label[1], sizeof(f->label[1]), "%s", l2 ? l2 : "");
	if (nbounds > 0)
		memcpy(f->bound, bounds, nbounds * sizeof(*bounds));
	f->nbounds = nbounds;
	m->fam[m->nfam++] = f;
	pthread_mutex_unlock(&m->lock);
	return f;
}

struct mg_metric *
mg_metrics_counter(struct mg_metrics *m, const char *name, const char *help,
		   const char *label1, const char *label2, struct mg_error *err)
{
	return declare(m, MG_METRIC_COUNTER, name, help, label1, label2, NULL, 0, err);
}

struct mg_metric *
mg_metrics_gauge(struct mg_metrics *m, const char *name, const char *help,
		 const char *label1, const char *label2, struct mg_error *err)
{
	return declare(m, MG_METRIC_GAUGE, name, help, label1, label2, NULL, 0, err);
}

struct mg_metric *
mg_metrics_histogram(struct mg_metrics *m, const char *name, const char *help,
		     const char *label1, const char *label2, const double *bounds,
		     size_t nbounds, struct mg_error *err)
{
	return declare(m, MG_METRIC_HISTOGRAM, name, help, label1, label2, bounds,
		       nbounds, err);
}

/* mg_metrics_set_collect - the owner's gauge refresher */
void
mg_metrics_set_collect(struct mg_metrics *m, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&m->lock);
	m->collect = fn;
	m->collect_arg = arg;
	pthread_mutex_unlock(&m->lock);
}

/* same - whether a slot holds the (truncated) value v */
static int
same(const char *slot, const char *v)
{
	return strncmp(slot, v ? v : "", MG_METRICS_VALUE_MAX - 1) == 0 &&
	       strlen(slot) == strnlen(v ? v : "", MG_METRICS_VALUE_MAX - 1);
}

/* find - the series of (v1, v2) among the published ones, or NULL */
static struct series *
find(const struct mg_metric *f, const char *v1, const char *v2)
{
	size_t i, n = __atomic_load_n(&f->nseries, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++) {
		const struct series *s = &f->series[i];
		if (same(s->v[0], f->label[0][0] ? v1 : NULL) &&
		    same(s->v[1], f->label[1][0] ? v2 : NULL))
			return (struct series *)s;
	}
	return NULL;
}

/* series_of - find, or create under the mutex; NULL when the family is full */
static struct series *
series_of(struct mg_metric *f, const char *v1, const char *v2)
{
	struct series *s = find(f, v1, v2);

	if (s != NULL)
		return s;
	pthread_mutex_lock(&f->reg->lock);
	if ((s = find(f, v1, v2)) == NULL && f->nseries < MG_METRICS_SERIES_MAX) {
		s = &f->series[f->nseries];
		snprintf(s->v[0], sizeof(s->v[0]), "%s", f->label[0][0] && v1 ? v1 : "");
		snprintf(s->v[1], sizeof(s->v[1]), "%s", f->label[1][0] && v2 ? v2 : "");
		__atomic_store_n(&f->nseries, f->nseries + 1, __ATOMIC_RELEASE);
	}
	if (s == NULL)
		__atomic_add_fetch(&f->reg->dropped, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&f->reg->lock);
	return s;
}

/* mg_metric_add - a counter goes up by n */
void
mg_metric_add(struct mg_metric *f, const char *v1, const char *v2, unsigned long long n)
{
	struct series *s;

	if (f != NULL && (s = series_of(f, v1, v2)) != NULL)
		__atomic_add_fetch(&s->value, (long long)n, __ATOMIC_RELAXED);
}

/* mg_metric_inc - a counter goes up by one */
void
mg_metric_inc(struct mg_metric *f, const char *v1, const char *v2)
{
	mg_metric_add(f, v1, v2, 1);
}

/* mg_metric_set - a gauge takes a value */
void
mg_metric_set(struct mg_metric *f, const char *v1, const char *v2, long long v)
{
	struct series *s;

	if (f != NULL && (s = series_of(f, v1, v2)) != NULL)
		__atomic_store_n(&s->value, v, __ATOMIC_RELAXED);
}

/* mg_metric_observe - one duration into its bucket, the sum and the count */
void
mg_metric_observe(struct mg_metric *f, const char *v1, const char *v2, double seconds)
{
	struct series *s;
	size_t b;

	if (f == NULL || (s = series_of(f, v1, v2)) == NULL)
		return;
	if (!(seconds > 0))                       /* negative, NaN */
		seconds = 0;
	if (seconds > 1e9)
		seconds = 1e9;
	for (b = 0; b < f->nbounds && seconds > f->bound[b]; b++)
		;
	__atomic_add_fetch(&s->bucket[b], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->sum_ns, (unsigned long long)(seconds * 1e9 + 0.5),
			   __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->count, 1, __ATOMIC_RELAXED);
}

/* mg_metric_observe_ms - a duration in milliseconds */
void
mg_metric_observe_ms(struct mg_metric *f, const char *v1, const char *v2, long long ms)
{
	mg_metric_observe(f, v1, v2, (double)ms / 1000.0);
}

/* mg_metric_value - what a series holds now */
long long
mg_metric_value(const struct mg_metric *f, const char *v1, const char *v2)
{
	const struct series *s = f != NULL ? find(f, v1, v2) : NULL;

	if (s == NULL)
		return 0;
	if (f->type == MG_METRIC_HISTOGRAM)
		return (long long)__atomic_load_n(&s->count, __ATOMIC_RELAXED);
	return __atomic_load_n(&s->value, __ATOMIC_RELAXED);
}

/* --- rendering ---------------------------------------------------------- */

struct out {
	char *buf;
	size_t len, cap, max;
	int failed;                               /* 1 limit, 2 ENOMEM */
};

/* put - append bytes, growing up to max */
static void
put(struct out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > o->max) {
		o->failed = 1;
		return;
	}
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *nb;
		while (cap < o->len + n + 1)
			cap *= 2;
		if (cap > o->max)
			cap = o->max;
		if ((nb = realloc(o->buf, cap)) == NULL) {
			o->failed = 2;
			return;
		}
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* putf - append formatted text (short pieces: numbers, names) */
static void
putf(struct out *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* put_escaped - a label value (\\ \" \n) or HELP text (\\ \n) */
static void
put_escaped(struct out *o, const char *s, int quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			puts_(o, "\\\\");
		else if (*s == '\n')
			puts_(o, "\\n");
		else if (quote && *s == '"')
			puts_(o, "\\\"");
		else
			put(o, s, 1);
	}
}

/* put_labels - {a="x",b="y"} plus an optional le, or nothing */
static void
put_labels(struct out *o, const struct mg_metric *f, const struct series *s,
	   const char *le)
{
	int i, first = 1;

	if (f->label[0][0] == '\0' && le == NULL)
		return;
	puts_(o, "{");
	for (i = 0; i < 2; i++) {
		if (f->label[i][0] == '\0')
			continue;
		putf(o, "%s%s=\"", first ? "" : ",", f->label[i]);
		put_escaped(o, s->v[i], 1);
		puts_(o, "\"");
		first = 0;
	}
	if (le != NULL)
		putf(o, "%sle=\"%s\"", first ? "" : ",", le);
	puts_(o, "}");
}

/* put_series - one series' sample lines */
static void
put_series(struct out *o, const struct mg_metric *f, const struct series *s)
{
	unsigned long long cum = 0, sum;
	char le[32];
	size_t b;

	if (f->type != MG_METRIC_HISTOGRAM) {
		puts_(o, f->name);
		put_labels(o, f, s, NULL);
		putf(o, " %lld\n", __atomic_load_n(&s->value, __ATOMIC_RELAXED));
		return;
	}
	for (b = 0; b <= f->nbounds; b++) {
		cum += __atomic_load_n(&s->bucket[b], __ATOMIC_RELAXED);
		if (b < f->nbounds)
			snprintf(le, sizeof(le), "%g", f->bound[b]);
		else
			snprintf(le, sizeof(le), "+Inf");
		putf(o, "%s_bucket", f->name);
		put_labels(o, f, s, le);
		putf(o, " %llu\n", cum);
	}
	/* the count is the +Inf bucket, so the two always agree */
	sum = __atomic_load_n(&s->sum_ns, __ATOMIC_RELAXED);
	putf(o, "%s_sum", f->name);
	put_labels(o, f, s, NULL);
	putf(o, " %llu.%09llu\n", sum / 1000000000ULL, sum % 1000000000ULL);
	putf(o, "%s_count", f->name);
	put_labels(o, f, s, NULL);
	putf(o, " %llu\n", cum);
}

static const char *const type_names[] = { "counter", "gauge", "histogram" };

/* mg_metrics_render - every family, in declaration order */
int
mg_metrics_render(struct mg_metrics *m, size_t max, char **buf_r, size_t *len_r,
		  struct mg_error *err)
{
	struct out o = { NULL, 0, 0, max ? max : MG_METRICS_TEXT_MAX, 0 };
	void (*collect)(void *);
	void *arg;
	size_t i, j, nfam, n;

	*buf_r = NULL;
	*len_r = 0;
	pthread_mutex_lock(&m->lock);
	collect = m->collect;
	arg = m->collect_arg;
	nfam = m->nfam;
	pthread_mutex_unlock(&m->lock);
	if (collect != NULL)
		collect(arg);
	put(&o, "", 0);
	for (i = 0; i < nfam; i++) {
		const struct mg_metric *f = m->fam[i];

		putf(&o, "# HELP %s ", f->name);
		put_escaped(&o, f->help, 0);
		putf(&o, "\n# TYPE %s %s\n", f->name, type_names[f->type]);
		n = __atomic_load_n(&f->nseries, __ATOMIC_ACQUIRE);
		for (j = 0; j < n; j++)
			put_series(&o, f, &f->series[j]);
	}
	puts_(&o, "# HELP mailguard_metrics_dropped_total updates lost: a family had no room for a new series\n"
		  "# TYPE mailguard_metrics_dropped_total counter\n");
	putf(&o, "mailguard_metrics_dropped_total %llu\n",
	     __atomic_load_n(&m->dropped, __ATOMIC_RELAXED));
	if (o.failed) {
		free(o.buf);
		return mg_error_set(err, o.failed == 1 ? MG_ERR_LIMIT : MG_ERR_NOMEM,
				    o.failed == 1 ? "metrics: text over %zu bytes"
						  : "metrics: out of memory (%zu)", o.max);
	}
	*buf_r = o.buf;
	*len_r = o.len;
	return 0;
}
