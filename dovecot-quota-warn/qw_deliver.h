/*
 * qw_deliver.h - deliver a notice: through the submission host, or into
 * the user's INBOX
 */
#ifndef QW_DELIVER_H
#define QW_DELIVER_H

#include <stddef.h>

#include "qw_settings.h"

struct mail_user;

enum qw_deliver_via { QW_VIA_INBOX, QW_VIA_SUBMISSION };

/* qw_deliver - the notice of threshold (CRLF text) to the user; 0 with
 * *via_r, or -1 with error_r (not even saved into the INBOX) */
int qw_deliver(struct mail_user *user, const struct qw_settings *set,
	       unsigned threshold, const char *msg, size_t len,
	       enum qw_deliver_via *via_r, const char **error_r);
/* qw_deliver_via_name - "inbox", "submission" (the log's via=) */
const char *qw_deliver_via_name(enum qw_deliver_via via);

#endif
