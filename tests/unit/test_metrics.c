/*
 * test_metrics.c - the metrics registry: exact exposition text, label
 * escaping, histogram buckets, bad declarations, the size cap, full
 * families and concurrent updates
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mg_metrics.h"

#define DROPPED "# HELP mailguard_metrics_dropped_total updates lost: a family had no room for a new series\n" \
	"# TYPE mailguard_metrics_dropped_total counter\n"

/* render - the registry's text (the test frees it) */
static char *
render(struct mg_metrics *m)
{
	struct mg_error err;
	char *buf;
	size_t len;

	assert_int_equal(mg_metrics_render(m, 0, &buf, &len, &err), 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static void
test_counter_gauge_exact(void **state)
{
	struct mg_metrics *m = mg_metrics_new();
	struct mg_metric *c, *g, *z;
	struct mg_error err;
	char *t;

	(void)state;
	c = mg_metrics_counter(m, "mg_verdicts_total", "verdicts, by action and reason",
			       "action", "reason", &err);
	g = mg_metrics_gauge(m, "mg_up", "1 when up", NULL, NULL, &err);
	z = mg_metrics_counter(m, "mg_none_total", "never updated", "kind", NULL, &err);
	assert_non_null(c);
	assert_non_null(g);
	assert_non_null(z);
	mg_metric_inc(c, "reject", "banned_ext");
	mg_metric_add(c, "accept", "", 41);
	mg_metric_inc(c, "reject", "banned_ext");
	mg_metric_inc(c, "accept", NULL);       /* NULL and "" are the same value */
	mg_metric_set(g, NULL, NULL, 1);
	mg_metric_set(g, NULL, NULL, -3);
	t = render(m);
	assert_string_equal(t,
		"# HELP mg_verdicts_total verdicts, by action and reason\n"
		"# TYPE mg_verdicts_total counter\n"
		"mg_verdicts_total{action=\"reject\",reason=\"banned_ext\"} 2\n"
		"mg_verdicts_total{action=\"accept\",reason=\"\"} 42\n"
		"# HELP mg_up 1 when up\n"
		"# TYPE mg_up gauge\n"
		"mg_up -3\n"
		"# HELP mg_none_total never updated\n"
		"# TYPE mg_none_total counter\n"
		DROPPED
		"mailguard_metrics_dropped_total 0\n");
	assert_int_equal(mg_metric_value(c, "reject", "banned_ext"), 2);
	assert_int_equal(mg_metric_value(c, "reject", "size"), 0);
	free(t);
	mg_metric_inc(NULL, "x", NULL);         /* metrics off: no-op */
	mg_metrics_free(&m);
	assert_null(m);
}

static void
test_escaping(void **state)
{
	struct mg_metrics *m = mg_metrics_new();
	struct mg_metric *c;
	struct mg_error err;
	char *t;

	(void)state;
	c = mg_metrics_counter(m, "esc_total", "back\\slash\nnew \"quoted\"", "v", NULL, &err);
	mg_metric_inc(c, "a\"b\\c\nd", NULL);
	t = render(m);
	assert_non_null(strstr(t, "# HELP esc_total back\\\\slash\\nnew \"quoted\"\n"));
	assert_non_null(strstr(t, "esc_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"));
	free(t);
	mg_metrics_free(&m);
}

static void
test_histogram_exact(void **state)
{
	static const double b[] = { 0.001, 0.5, 2 };
	struct mg_metrics *m = mg_metrics_new();
	struct mg_metric *h;
	struct mg_error err;
	char *t;

	(void)state;
	h = mg_metrics_histogram(m, "lat_seconds", "latency", "op", NULL, b, 3, &err);
	assert_non_null(h);
	mg_metric_observe(h, "get", NULL, 0.001);     /* on the bound: le="0.001" */
	mg_metric_observe(h, "get", NULL, 0.25);
	mg_metric_observe_ms(h, "get", NULL, 1500);
	mg_metric_observe(h, "get", NULL, 30);        /* +Inf only */
	mg_metric_observe(h, "get", NULL, -1);        /* counts as 0 */
	t = render(m);
	assert_string_equal(t,
		"# HELP lat_seconds latency\n"
		"# TYPE lat_seconds histogram\n"
		"lat_seconds_bucket{op=\"get\",le=\"0.001\"} 2\n"
		"lat_seconds_bucket{op=\"get\",le=\"0.5\"} 3\n"
		"lat_seconds_bucket{op=\"get\",le=\"2\"} 4\n"
		"lat_seconds_bucket{op=\"get\",le=\"+Inf\"} 5\n"
		"lat_seconds_sum{op=\"get\"} 31.751000000\n"
		"lat_seconds_count{op=\"get\"} 5\n"
		DROPPED
		"mailguard_metrics_dropped_total 0\n");
	assert_int_equal(mg_metric_value(h, "get", NULL), 5);
	free(t);
	mg_metrics_free(&m);
}

static void
test_default_buckets(void **state)
{
	struct mg_metrics *m = mg_metrics_new();
	struct mg_metric *h;
	struct mg_error err;
	char *t;

	(void)state;
	h = mg_metrics_histogram(m, "x_seconds", "x", NULL, NULL, MG_METRICS_SECONDS,
				 MG_METRICS_SECONDS_N, &err);
	mg_metric_observe(h, NULL, NULL, 0.0004);
	t = render(m);
	assert_non_null(strstr(t, "x_seconds_bucket{le=\"0.0005\"} 1\n"));
	assert_non_null(strstr(t, "x_seconds_bucket{le=\"0.0025\"} 1\n"));
	assert_non_null(strstr(t, "x_seconds_bucket{le=\"10\"} 1\n"));
	assert_non_null(strstr(t, "x_seconds_sum 0.000400000\n"));
	free(t);
	mg_metrics_free(&m);
}

static void
test_bad_declarations(void **state)
{
	static const double down[] = { 1, 0.5 };
	static const struct { const char *name, *l1, *l2; } rows[] = {
		{ "", NULL, NULL },
		{ "9lives", NULL, NULL },
		{ "has-dash", NULL, NULL },
		{ "ok_total", "bad:label", NULL },
		{ "ok_total", NULL, "second_without_first" },
		{ "ok_total", "le", NULL },
		{ "dup_total", NULL, NULL },
	};
	struct mg_metrics *m = mg_metrics_new();
	struct mg_error err;
	size_t i;

	(void)state;
	assert_non_null(mg_metrics_counter(m, "dup_total", "", NULL, NULL, &err));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		mg_error_clear(&err);
		assert_null(mg_metrics_counter(m, rows[i].name, "", rows[i].l1, rows[i].l2, &err));
		assert_int_equal(err.kind, MG_ERR_INTERNAL);
	}
	assert_null(mg_metrics_histogram(m, "h", "", NULL, NULL, down, 2, &err));
	assert_null(mg_metrics_histogram(m, "h", "", NULL, NULL, MG_METRICS_SECONDS,
					 MG_METRICS_BUCKETS_MAX + 1, &err));
	assert_non_null(mg_metrics_counter(m, "ns:ok_total", "", "a", "b", &err));
	mg_metrics_free(&m);
}

static void
test_cap_and_full_family(void **state)
{
	struct mg_metrics *m = mg_metrics_new();
	struct mg_metric *c;
	struct mg_error err;
	char v[16], *buf = (char *)1;
	size_t len = 1;
	int i;

	(void)state;
	c = mg_metrics_counter(m, "many_total", "", "v", NULL, &err);
	for (i = 0; i < MG_METRICS_SERIES_MAX + 5; i++) {
		snprintf(v, sizeof(v), "v%d", i);
		mg_metric_inc(c, v, NULL);
	}
	assert_int_equal(mg_metric_value(c, "v0", NULL), 1);
	assert_int_equal(mg_metric_value(c, "v64", NULL), 0);
	assert_int_equal(mg_metrics_render(m, 100, &buf, &len, &err), -1);
	assert_int_equal(err.kind, MG_ERR_LIMIT);
	assert_null(buf);
	assert_int_equal(len, 0);
	buf = render(m);
	assert_non_null(strstr(buf, "\nmailguard_metrics_dropped_total 5\n"));
	free(buf);
	mg_metrics_free(&m);
}

struct worker { struct mg_metric *c, *h; };

static void *
hammer(void *arg)
{
	struct worker *w = arg;
	char v[8];
	int i;

	for (i = 0; i < 20000; i++) {
		snprintf(v, sizeof(v), "k%d", i % 7);
		mg_metric_inc(w->c, v, NULL);
		mg_metric_observe(w->h, NULL, NULL, 0.002);
	}
	return NULL;
}

static int n_collect;

static void
collect(void *arg)
{
	(void)arg;
	n_collect++;
}

static void
test_threads_and_collect(void **state)
{
	struct mg_metrics *m = mg_metrics_new();
	struct mg_error err;
	struct worker w;
	pthread_t t[4];
	long long total = 0;
	char v[8], *buf;
	int i;

	(void)state;
	w.c = mg_metrics_counter(m, "t_total", "", "k", NULL, &err);
	w.h = mg_metrics_histogram(m, "t_seconds", "", NULL, NULL, MG_METRICS_SECONDS,
				   MG_METRICS_SECONDS_N, &err);
	mg_metrics_set_collect(m, collect, NULL);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &w), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 7; i++) {
		snprintf(v, sizeof(v), "k%d", i);
		total += mg_metric_value(w.c, v, NULL);
	}
	assert_int_equal(total, 80000);
	assert_int_equal(mg_metric_value(w.h, NULL, NULL), 80000);
	buf = render(m);
	assert_int_equal(n_collect, 1);
	assert_non_null(strstr(buf, "t_seconds_bucket{le=\"0.001\"} 0\n"));
	assert_non_null(strstr(buf, "t_seconds_bucket{le=\"0.0025\"} 80000\n"));
	assert_non_null(strstr(buf, "t_seconds_sum 160.000000000\n"));
	free(buf);
	mg_metrics_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_gauge_exact),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_histogram_exact),
		cmocka_unit_test(test_default_buckets),
		cmocka_unit_test(test_bad_declarations),
		cmocka_unit_test(test_cap_and_full_family),
		cmocka_unit_test(test_threads_and_collect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
