/*
 * pq_codec.h - the Postfix policy delegation protocol, sans I/O
 *
 * A request is "name=value\n" lines ended by an empty line (Postfix 3.7).
 * pq_codec_parse() looks at the bytes received so far on a connection
 * and either finds one complete request (returning how many bytes it
 * used), asks for more, or refuses the input: a line longer than
 * PQ_LINE_MAX, more than PQ_ATTR_MAX attributes, a request larger than
 * PQ_REQUEST_MAX, NUL bytes, a line without '=', or a request without
 * request=smtpd_access_policy.  Unknown attributes are ignored; the ones
 * we use are copied into struct pq_request, and a value too long for its
 * field is refused too.  The caller closes a connection on refusal.
 */
#ifndef PQ_CODEC_H
#define PQ_CODEC_H

#include <stddef.h>

#include "mg_addr.h"
#include "mg_error.h"

#define PQ_LINE_MAX    2048
#define PQ_ATTR_MAX    128
#define PQ_REQUEST_MAX 8192
#define PQ_VALUE_MAX   256       /* fields other than addresses */

struct pq_request {
	char protocol_state[32];
	char protocol_name[16];
	char sender[MG_ADDR_MAX + 3];      /* may carry <> */
	char recipient[MG_ADDR_MAX + 3];
	char queue_id[64];
	char instance[PQ_VALUE_MAX];
	char client_address[64];
	char sasl_username[PQ_VALUE_MAX];  /* "" = not authenticated */
	long long size;                    /* 0 when absent or empty */
	unsigned nattrs;
};

/* pq_codec_parse - 1: a request is in *req and *used bytes belong to it;
 * 0: incomplete (need more bytes); -1: refused (err says why). */
int pq_codec_parse(const char *buf, size_t len, struct pq_request *req,
		   size_t *used, struct mg_error *err);

/* pq_codec_reply - format "action=<action>\n\n" into out; the action text
 * is cleaned of CR/LF.  Returns the length, or -1 if it does not fit. */
int pq_codec_reply(const char *action, char *out, size_t outsz);

#endif
