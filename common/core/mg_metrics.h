/*
 * mg_metrics.h - counters, gauges and histograms in Prometheus text format
 *
 * A registry (struct mg_metrics) is owned by a daemon's context: no
 * globals.  Families are declared at start-up, before threads use them:
 *
 *   struct mg_metric *f = mg_metrics_counter(m, "mailguard_policy_requests_total",
 *       "policy requests answered, by action", "action", NULL, &err);
 *   mg_metric_inc(f, "dunno", NULL);
 *
 * A family has 0, 1 or 2 label names; a series is one tuple of label
 * values, taken from small fixed sets of words (actions, reasons, error
 * kinds).  A series appears at its first update (its creation takes the
 * registry's mutex, once); every update afterwards is lock-free (__atomic),
 * so milter-attach's threads and policyd-quota's loop and Redis threads
 * update the same registry.  A family holds at most MG_METRICS_SERIES_MAX
 * series: updates of further tuples are counted in
 * mailguard_metrics_dropped_total instead of being lost silently.
 *
 * Histograms have fixed upper bounds in seconds (MG_METRICS_SECONDS:
 * 0.0005 .. 10, then +Inf); an observation adds to one bucket, the sum
 * (kept in nanoseconds) and the count.
 *
 * mg_metrics_render() writes the text exposition format 0.0.4 (# HELP,
 * # TYPE, name{labels} value; histograms as _bucket{le=...} cumulative,
 * _sum, _count; label values escaped \\ \" \n) into a growing buffer with
 * a cap.  A collect callback, called first, lets the owner set gauges
 * that are read rather than counted (connections, cache entries, ages).
 * Pure: no I/O.
 */
#ifndef MG_METRICS_H
#define MG_METRICS_H

#include <stddef.h>

#include "mg_error.h"

#define MG_METRICS_FAMILIES_MAX 64
#define MG_METRICS_SERIES_MAX   64
#define MG_METRICS_BUCKETS_MAX  16
#define MG_METRICS_NAME_MAX     96
#define MG_METRICS_HELP_MAX     200
#define MG_METRICS_VALUE_MAX    48      /* one label value, truncated beyond */
#define MG_METRICS_TEXT_MAX     (1024 * 1024)

enum mg_metric_type { MG_METRIC_COUNTER, MG_METRIC_GAUGE, MG_METRIC_HISTOGRAM };

struct mg_metrics;
struct mg_metric;

/* the latency buckets of every mailguard histogram, in seconds */
extern const double MG_METRICS_SECONDS[];
extern const size_t MG_METRICS_SECONDS_N;

/* mg_metrics_new - an empty registry; NULL on ENOMEM */
struct mg_metrics *mg_metrics_new(void);
void mg_metrics_free(struct mg_metrics **m);

/* mg_metrics_counter, _gauge, _histogram - declare a family (before
 * threads update it).  name: [a-zA-Z_:][a-zA-Z0-9_:]*; label1, label2:
 * label names or NULL.  NULL with err on a bad name, a duplicate, too
 * many families or ENOMEM. */
struct mg_metric *mg_metrics_counter(struct mg_metrics *m, const char *name,
				     const char *help, const char *label1,
				     const char *label2, struct mg_error *err);
struct mg_metric *mg_metrics_gauge(struct mg_metrics *m, const char *name,
				   const char *help, const char *label1,
				   const char *label2, struct mg_error *err);
struct mg_metric *mg_metrics_histogram(struct mg_metrics *m, const char *name,
				       const char *help, const char *label1,
				       const char *label2, const double *bounds,
				       size_t nbounds, struct mg_error *err);

/* mg_metrics_set_collect - fn(arg) runs at the start of every render
 * (from the rendering thread: it must be thread-safe itself) */
void mg_metrics_set_collect(struct mg_metrics *m, void (*fn)(void *arg), void *arg);

/* Updates: v1, v2 are the label values (NULL for a family without that
 * label).  f may be NULL (metrics off): nothing happens. */
void mg_metric_add(struct mg_metric *f, const char *v1, const char *v2,
		   unsigned long long n);
void mg_metric_inc(struct mg_metric *f, const char *v1, const char *v2);
/* gauges */
void mg_metric_set(struct mg_metric *f, const char *v1, const char *v2, long long v);
/* histograms: seconds; a negative or NaN value counts as 0 */
void mg_metric_observe(struct mg_metric *f, const char *v1, const char *v2,
		       double seconds);
/* mg_metric_observe_ms - a duration between two mg_now_ms() readings */
void mg_metric_observe_ms(struct mg_metric *f, const char *v1, const char *v2,
			  long long ms);

/* mg_metric_value - a counter's or gauge's current value (0 if the series
 * does not exist yet); for histograms, the count */
long long mg_metric_value(const struct mg_metric *f, const char *v1, const char *v2);

/* mg_metrics_render - the whole registry as exposition text in *buf_r
 * (malloc'ed, NUL-terminated, *len_r bytes; the caller frees it); fails
 * with MG_ERR_LIMIT beyond max bytes (0: MG_METRICS_TEXT_MAX) */
int mg_metrics_render(struct mg_metrics *m, size_t max, char **buf_r,
		      size_t *len_r, struct mg_error *err);

#endif
