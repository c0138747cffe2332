/*
 * mg_metrics_http.c - the metrics listener (libmicrohttpd) and textfile
 * writer (see mg_metrics_http.h)
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "mg_daemon.h"
#include "mg_file.h"
#include "mg_log.h"
#include "mg_metrics_http.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct mg_metrics_export {
	struct mg_metrics *m;
	struct MHD_Daemon *httpd;
	char *textfile;
	long long interval_ms;
	pthread_t writer;
	int writer_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
};

/* mg_metrics_listen_check - off, or a TCP endpoint with a port */
int
mg_metrics_listen_check(const char *spec, struct mg_error *err)
{
	struct mg_endpoint ep;
	struct mg_error e;

	if (spec == NULL || spec[0] == '\0')
		return 0;
	if (mg_endpoint_parse(spec, 0, 0, &ep, &e) < 0)
		return mg_error_set(err, MG_ERR_CONFIG, "metrics_listen: %s", e.msg);
	return 0;
}

/* mg_metrics_listen_open - bind the metrics address */
int
mg_metrics_listen_open(const char *spec, struct mg_error *err)
{
	struct mg_endpoint ep;
	struct mg_error e;
	int fd;

	if (mg_endpoint_parse(spec, 0, 0, &ep, &e) < 0)
		return mg_error_set(err, MG_ERR_CONFIG, "metrics_listen: %s", e.msg);
	if ((fd = mg_listen_open(&ep, 16, 0, &e)) < 0)
		return mg_error_set(err, e.kind, "metrics_listen: %s", e.msg);
	return fd;
}

/* answer - a fixed or rendered body with a status */
static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, void *body, size_t len,
       enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result rc;

	if (resp == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				      status == MHD_HTTP_OK ? CONTENT_TYPE
							    : "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* on_request - GET /metrics; 404 elsewhere, 405 for other methods */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
	   const char *method, const char *version, const char *upload_data,
	   size_t *upload_size, void **req_cls)
{
	struct mg_metrics_export *x = cls;
	static const char nf[] = "not found: the metrics are at /metrics\n";
	static const char na[] = "method not allowed\n";
	static const char ie[] = "cannot render the metrics\n";
	struct mg_error err;
	char *text;
	size_t len;

	(void)version;
	(void)upload_data;
	if (*req_cls == NULL) {             /* headers only so far: wait for the end */
		*req_cls = x;
		return MHD_YES;
	}
	if (*upload_size != 0) {            /* a body is ignored */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, (void *)na, sizeof(na) - 1,
			      MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics") != 0)
		return answer(conn, MHD_HTTP_NOT_FOUND, (void *)nf, sizeof(nf) - 1,
			      MHD_RESPMEM_PERSISTENT);
	if (mg_metrics_render(x->m, 0, &text, &len, &err) < 0) {
		mg_warnx("metrics: %s", err.msg);
		return answer(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, (void *)ie, sizeof(ie) - 1,
			      MHD_RESPMEM_PERSISTENT);
	}
	return answer(conn, MHD_HTTP_OK, text, len, MHD_RESPMEM_MUST_FREE);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* mhd_log - libmicrohttpd's own messages, through our log */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	mg_warnx("metrics listener: %s", msg);
}

/* mg_metrics_write_textfile - render, write PATH.tmp (0644: node_exporter
 * reads it as another user), rename over PATH */
int
mg_metrics_write_textfile(struct mg_metrics *m, const char *path, struct mg_error *err)
{
	struct mg_file_out f;
	char *text;
	size_t len;

	if (mg_metrics_render(m, 0, &text, &len, err) < 0)
		return -1;
	if (mg_file_out_open(&f, "metrics_textfile", path, 0644, err) < 0) {
		free(text);
		return -1;
	}
	if (fwrite(text, 1, len, f.fp) != len) {
		free(text);
		mg_error_sys(err, "metrics_textfile: write %.300s", f.tmp);
		mg_file_out_abort(&f);
		return -1;
	}
	free(text);
	return mg_file_out_commit(&f, err);
}

/* write_once - one textfile write; a failure is logged at its first
 * occurrence after a success (a full disk must not flood the log) */
static void
write_once(struct mg_metrics_export *x, int *failing)
{
	struct mg_error err;

	if (mg_metrics_write_textfile(x->m, x->textfile, &err) == 0) {
		if (*failing)
			mg_info("metrics textfile %s written again", x->textfile);
		*failing = 0;
	} else if (!*failing) {
		mg_warnx("%s", err.msg);
		*failing = 1;
	}
}

/* writer - the textfile, every interval, until stopped */
static void *
writer(void *arg)
{
	struct mg_metrics_export *x = arg;
	int failing = 0;

	pthread_mutex_lock(&x->lock);
	while (!x->stop) {
		struct timespec ts;

		pthread_mutex_unlock(&x->lock);
		write_once(x, &failing);
		pthread_mutex_lock(&x->lock);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(x->interval_ms / 1000);
		ts.tv_nsec += (long)(x->interval_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!x->stop && pthread_cond_timedwait(&x->cond, &x->lock, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&x->lock);
	write_once(x, &failing);           /* the final counters */
	return NULL;
}

/* start_writer - the textfile thread on a monotonic condition variable */
static int
start_writer(struct mg_metrics_export *x, const char *textfile, long long interval_ms,
	     struct mg_error *err)
{
	pthread_condattr_t ca;

	if ((x->textfile = strdup(textfile)) == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "metrics: out of memory");
	x->interval_ms = interval_ms > 0 ? interval_ms : 10000;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&x->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&x->writer, NULL, writer, x) != 0)
		return mg_error_set(err, MG_ERR_SYS, "metrics: cannot start the textfile writer");
	x->writer_started = 1;
	return 0;
}

/* mg_metrics_export_start - the listener and/or the writer */
struct mg_metrics_export *
mg_metrics_export_start(struct mg_metrics *m, int listen_fd, const char *textfile,
			long long interval_ms, struct mg_error *err)
{
	struct mg_metrics_export *x;

	mg_error_clear(err);
	if (listen_fd < 0 && (textfile == NULL || textfile[0] == '\0'))
		return NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		if (listen_fd >= 0)
			close(listen_fd);
		mg_error_set(err, MG_ERR_NOMEM, "metrics: out of memory");
		return NULL;
	}
	x->m = m;
	pthread_mutex_init(&x->lock, NULL);
	if (listen_fd >= 0) {
		x->httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
					    MHD_USE_ERROR_LOG,
			0, NULL, NULL, on_request, x,
			MHD_OPTION_LISTEN_SOCKET, (MHD_socket)listen_fd,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)MG_METRICS_HTTP_CONNS,
			MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)MG_METRICS_HTTP_CONNS,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)MG_METRICS_HTTP_TIMEOUT_S,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			MHD_OPTION_END);
		if (x->httpd == NULL) {
			close(listen_fd);
			mg_error_set(err, MG_ERR_SYS, "metrics: cannot start the HTTP listener");
			mg_metrics_export_stop(&x);
			return NULL;
		}
	}
	if (textfile != NULL && textfile[0] != '\0' &&
	    start_writer(x, textfile, interval_ms, err) < 0) {
		mg_metrics_export_stop(&x);
		return NULL;
	}
	return x;
}

/* mg_metrics_export_stop - join both, write the file a last time */
void
mg_metrics_export_stop(struct mg_metrics_export **xp)
{
	struct mg_metrics_export *x = *xp;

	if (x == NULL)
		return;
	if (x->httpd != NULL)
		MHD_stop_daemon(x->httpd);     /* closes the listening socket */
	if (x->writer_started) {
		pthread_mutex_lock(&x->lock);
		x->stop = 1;
		pthread_cond_signal(&x->cond);
		pthread_mutex_unlock(&x->lock);
		pthread_join(x->writer, NULL);
	}
	if (x->textfile != NULL)
		pthread_cond_destroy(&x->cond);
	pthread_mutex_destroy(&x->lock);
	free(x->textfile);
	free(x);
	*xp = NULL;
}
