/*
 * pq_server.h - the event loop: Postfix connections, the backend's
 * results, signals and timers, all in one epoll thread
 */
#ifndef PQ_SERVER_H
#define PQ_SERVER_H

#include "mg_error.h"
#include "pq_config.h"

struct pq_server;

/* pq_server_new - take the listening descriptors (already bound) and the
 * config, start the backend; the server owns them from then on
 * (pq_server_free closes and frees them).  On failure (NULL, err set)
 * nothing is taken and nothing is left behind: the caller still owns cfg
 * and the descriptors, and the signal mask is as it was. */
struct pq_server *pq_server_new(struct pq_config *cfg, const int *fds,
				size_t nfds, const char *config_path,
				struct mg_error *err);
/* pq_server_export - serve the metrics on metrics_fd (-1: no listener;
 * the descriptor is taken over) and/or write the metrics_textfile every
 * stats_interval; call it after pq_server_new (signals blocked) */
int pq_server_export(struct pq_server *s, int metrics_fd, struct mg_error *err);

/* pq_server_run - until SIGTERM/SIGINT; SIGHUP reloads the config file,
 * SIGUSR1 logs the counters.  Returns 0 on a clean stop. */
int pq_server_run(struct pq_server *s);
/* pq_server_free - stop the backend's and the notifier's threads, close
 * every connection and descriptor, free the config; *s becomes NULL */
void pq_server_free(struct pq_server **s);

#endif
