/*
 * ma_notice.h - the notice to a local recipient of a refused message (pure)
 *
 * The texts are milter-attach's (ma_texts.h: French by default, or the
 * admin's notice_subject / notice_body templates) filled with the refused
 * message's sender, reception date, subject, file and reason; the mail
 * itself is composed by mg_mail (RFC 2047 subject, quoted-printable UTF-8
 * body, CRLF, Auto-Submitted: auto-generated) with
 *   From: notice_from (a bare name gets "@" and the recipient's domain)
 *   To: the recipient
 *   X-Mailguard-Notice: the queue id of the refused message ("-" if none)
 * Sending, deduplication and rate limiting are ma_notifier.h's.
 */
#ifndef MA_NOTICE_H
#define MA_NOTICE_H

#include <stddef.h>

#include "ma_config.h"
#include "mg_error.h"

struct ma_notice_req {
	const char *queue_id;
	const char *sender;          /* envelope sender, without <> */
	const char *const *rcpts;    /* envelope recipients, without <> */
	size_t n_rcpts;
	const char *subject;         /* Subject header as received (may be "") */
	const char *message_id;      /* Message-ID header (may be "") */
	const char *file;            /* offending file name */
	const char *reason;          /* reason phrase for people */
	long long when;              /* unix seconds of reception */
};

/* ma_notice_build - the whole notice for rcpt (CRLF line ends) into out,
 * dated now, with Message-ID message_id ("<...>", see mg_msgid_next).
 * Returns its length or -1 (MG_ERR_LIMIT / MG_ERR_PARSE). */
int ma_notice_build(const struct ma_config *cfg, const struct ma_notice_req *req,
		    const char *rcpt, long long now, const char *message_id,
		    char *out, size_t outsz, struct mg_error *err);

#endif
