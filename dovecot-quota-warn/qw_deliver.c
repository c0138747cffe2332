/*
 * qw_deliver.c - a notice through the submission host when one is set, so
 * that it goes through the MTA (its logs, filters, archiving), except the
 * 100 % notice, which the quota would refuse there; into the INBOX
 * otherwise, and when the submission fails: a notice is never lost, and
 * never retried in a loop (see qw_deliver.h)
 */
#include "lib.h"
#include "mail-user.h"

#include "qw_deliver.h"
#include "qw_notice.h"
#include "qw_submit.h"

int
qw_deliver(struct mail_user *user, const struct qw_settings *set,
	   unsigned threshold, const char *msg, size_t len,
	   enum qw_deliver_via *via_r, const char **error_r)
{
	/* smtp-submit counts whole seconds; a part of one is one more */
	unsigned int timeout_secs = (unsigned int)((set->submission_timeout_ms + 999) / 1000);
	const char *host = set->submission_host;
	/* a user without domain: the address its mailbox is published as */
	const char *rcpt = strchr(user->username, '@') != NULL ||
		set->default_domain[0] == '\0' ? user->username :
		t_strconcat(user->username, "@", set->default_domain, NULL);

	if (host != NULL && threshold < 100) {
		if (qw_submit_send(user, rcpt, host, timeout_secs, msg, len,
				   error_r) == 0) {
			*via_r = QW_VIA_SUBMISSION;
			return 0;
		}
		i_warning("quota_warn: notice to %s not submitted, saved into the INBOX instead: %s",
			  user->username, *error_r);
	}
	*via_r = QW_VIA_INBOX;
	return qw_notice_save(user, msg, len, error_r);
}

const char *
qw_deliver_via_name(enum qw_deliver_via via)
{
	return via == QW_VIA_SUBMISSION ? "submission" : "inbox";
}
