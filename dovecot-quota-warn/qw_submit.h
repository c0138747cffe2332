/*
 * qw_submit.h - send a notice through an SMTP server with Dovecot's own
 * smtp-submit client (no fork, no sendmail)
 */
#ifndef QW_SUBMIT_H
#define QW_SUBMIT_H

#include <stddef.h>

struct mail_user;

/* qw_submit_send - msg (CRLF text) to rcpt (the user's address: the
 * user name, with "@" quota_warn_default_domain when it has no domain)
 * through host[:port], with the null envelope sender (<>: an automatic
 * notice never bounces back) and a timeout in seconds; 0, or -1 with
 * error_r (the server refused the message, or could not be reached in
 * time) */
int qw_submit_send(struct mail_user *user, const char *rcpt,
		   const char *host, unsigned int timeout_secs,
		   const char *msg, size_t len, const char **error_r);

#endif
