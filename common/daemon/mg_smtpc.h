/*
 * mg_smtpc.h - a small blocking SMTP client for notices and alerts
 *
 * One call sends one message: connect (host:port or [address]:port, the
 * syntax of mg_endpoint.h), EHLO
 * (HELO if refused), MAIL FROM, RCPT TO each recipient, DATA with the
 * message converted to CRLF line ends and dot-stuffed, QUIT.  No TLS, no
 * AUTH: it talks to a local MTA (e.g. a Postfix smtpd on loopback).  The
 * whole transaction must finish within timeout_ms.  Safe in threads (no
 * shared state).
 */
#ifndef MG_SMTPC_H
#define MG_SMTPC_H

#include <stddef.h>

#include "mg_error.h"

/* mg_smtpc_send - 0 when the server accepted the message for at least one
 * recipient (*accepted_r, may be NULL, gets the count); -1 otherwise:
 * MG_ERR_SYS (connect or I/O), MG_ERR_LIMIT (timeout), MG_ERR_PARSE
 * (host_port is not host:port, or an SMTP refusal with the server's
 * reply in err->msg).  mail_from ""
 * sends MAIL FROM:<>.  data may use LF or CRLF line ends. */
int mg_smtpc_send(const char *host_port, const char *mail_from,
		  const char *const *rcpts, size_t n, const char *data,
		  size_t len, long long timeout_ms, size_t *accepted_r,
		  struct mg_error *err);

#endif
