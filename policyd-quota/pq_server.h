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
 * config (the server owns it from now on), start the backend */
struct pq_server *pq_server_new(struct pq_config *cfg, const int *fds,
				size_t nfds, const char *config_path,
				struct mg_error *err);
/* pq_server_run - until SIGTERM/SIGINT; SIGHUP reloads the config file,
 * SIGUSR1 logs the counters.  Returns 0 on a clean stop. */
int pq_server_run(struct pq_server *s);
void pq_server_free(struct pq_server **s);

#endif
