/*
 * insp_worker.h - the inspector process (milter-attach-inspect(8)):
 * its sandbox and its request loop
 *
 * The milter starts it with one end of a SOCK_SEQPACKET socketpair; the
 * worker confines itself (insp_worker_sandbox) before reading any
 * request, then serves requests one at a time (insp_worker_serve):
 * a request (insp_proto.h) with the spooled carrier's descriptor, the
 * members through MEMBER replies, then END with the anomaly bits.
 */
#ifndef INSP_WORKER_H
#define INSP_WORKER_H

#include "mg_error.h"

struct insp_sandbox {
	unsigned long long memory;     /* RLIMIT_AS, bytes */
	unsigned long long file_bytes; /* RLIMIT_FSIZE: what memfds of nested
					* containers may hold */
	unsigned max_files;            /* RLIMIT_NOFILE */
	int seccomp;                   /* 1: the system call allow-list */
};

void insp_sandbox_default(struct insp_sandbox *sb);

/* insp_worker_sandbox - no new privileges, rlimits (and no core), then
 * the seccomp allow-list (anything else kills the process); 0, or -1
 * and err */
int insp_worker_sandbox(const struct insp_sandbox *sb, struct mg_error *err);

/* insp_worker_serve - answer requests on sock until the milter closes
 * it (0) or sends what is not a request (-1) */
int insp_worker_serve(int sock);

#endif
