/*
 * qw_submit.c - a notice through an SMTP server (see qw_submit.h)
 *
 * Dovecot's smtp-submit API, as Dovecot's LDA uses it for rejects and
 * forwards: a synchronous run with its own short ioloop, bounded by the
 * timeout.  Notices are rare (one per crossing), so a delivery waits for
 * one at most once per crossing; on failure the caller saves the notice
 * into the INBOX instead, so it is never lost and never retried in a loop.
 */
#include "lib.h"
#include "ostream.h"
#include "hostpid.h"
#include "mail-user.h"
#include "smtp-address.h"
#include "smtp-submit.h"

#include "qw_submit.h"

int
qw_submit_send(struct mail_user *user, const char *rcpt_addr,
	       const char *host, unsigned int timeout_secs, const char *msg,
	       size_t len, const char **error_r)
{
	struct smtp_submit_settings set;
	struct smtp_submit_input input;
	struct smtp_submit *subm;
	struct smtp_address *rcpt;
	struct ostream *output;
	const char *error;
	int ret;

	if (smtp_address_parse_username(pool_datastack_create(), rcpt_addr,
					&rcpt, &error) < 0) {
		*error_r = t_strdup_printf("recipient <%s>: %s", rcpt_addr, error);
		return -1;
	}
	i_zero(&set);
	set.hostname = my_hostname;
	set.submission_host = host;
	set.submission_timeout = timeout_secs;
	set.submission_ssl = "no";
	i_zero(&input);
	input.event_parent = user->event;
	subm = smtp_submit_init_simple(&input, &set, NULL);   /* MAIL FROM:<> */
	smtp_submit_add_rcpt(subm, rcpt);
	output = smtp_submit_send(subm);
	o_stream_nsend(output, msg, len);
	ret = smtp_submit_run(subm, &error);
	smtp_submit_deinit(&subm);
	if (ret <= 0) {
		*error_r = t_strdup_printf("%s %s: %s", host,
					   ret == 0 ? "refused the notice" : "failed", error);
		return -1;
	}
	return 0;
}
