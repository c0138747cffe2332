/*
 * mg_metrics_http.h - how a daemon's metrics registry is read from outside
 *
 * Two ways, each off unless configured (both daemons' settings):
 *   metrics_listen = host:port   an HTTP listener (libmicrohttpd, its own
 *                                thread): GET /metrics answers the
 *                                registry as text/plain; version=0.0.4,
 *                                any other path 404, another method 405;
 *                                at most MG_METRICS_HTTP_CONNS connections,
 *                                MG_METRICS_HTTP_TIMEOUT_S seconds idle each
 *   metrics_textfile = PATH      the same text written every interval, as
 *                                PATH.tmp (mode 0644) then rename(2)
 *                                (mg_file.h: node_exporter's textfile
 *                                collector never reads half a file), and
 *                                once more at stop
 * The listening socket is opened by mg_metrics_listen_open() as root,
 * before the privilege drop, like the daemons' other listeners (so any
 * port works, and a port taken is a start-up error, not a later one).
 * TCP only: the endpoint syntax of mg_endpoint.h with a port required.
 */
#ifndef MG_METRICS_HTTP_H
#define MG_METRICS_HTTP_H

#include "mg_endpoint.h"
#include "mg_error.h"
#include "mg_metrics.h"

#define MG_METRICS_HTTP_CONNS     8
#define MG_METRICS_HTTP_TIMEOUT_S 5

struct mg_metrics_export;

/* mg_metrics_listen_check - "" (off) or host:port; MG_ERR_CONFIG
 * "metrics_listen: <reason>" otherwise */
int mg_metrics_listen_check(const char *spec, struct mg_error *err);
/* mg_metrics_listen_open - the listening socket of spec, or -1 with err;
 * spec must not be empty */
int mg_metrics_listen_open(const char *spec, struct mg_error *err);

/* mg_metrics_export_start - serve m on listen_fd (-1: no listener; the
 * export owns it from now on, even on failure) and/or write it to
 * textfile (NULL or "": none) every interval_ms.  Start it after the
 * daemon blocked its signals: the threads inherit the mask.  NULL with
 * err on failure; NULL without an error (kind MG_ERR_NONE) when both
 * are off. */
struct mg_metrics_export *mg_metrics_export_start(struct mg_metrics *m, int listen_fd,
						  const char *textfile,
						  long long interval_ms,
						  struct mg_error *err);
/* mg_metrics_export_stop - stop the listener and the writer (which
 * writes the file once more); *x becomes NULL */
void mg_metrics_export_stop(struct mg_metrics_export **x);

/* mg_metrics_write_textfile - render m into path atomically (path.tmp,
 * then rename) */
int mg_metrics_write_textfile(struct mg_metrics *m, const char *path,
			      struct mg_error *err);

#endif
