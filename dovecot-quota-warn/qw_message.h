/*
 * qw_message.h - the warning mail, built without Dovecot (pure)
 *
 * French by default, English as an option; subject and body are %{name}
 * templates (common/mg_text.h) the admin may override.  Variables:
 * %{user} %{percent} %{threshold} %{used} %{limit} (human units) and
 * %{used_bytes} %{limit_bytes}.  The mail is composed by common/'s
 * mg_mail (mg_mail.h): an RFC 2047 encoded subject, a quoted-printable
 * UTF-8 body, CRLF, Auto-Submitted: auto-generated, Precedence: bulk and
 * X-Quota-Warning: <threshold>; Message-ID
 * <now.pid.unique.qw<threshold>@msgid_domain>.
 */
#ifndef QW_MESSAGE_H
#define QW_MESSAGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mg_error.h"
#include "mg_text.h"

struct qw_message_in {
	enum mg_lang lang;
	const char *from;            /* address */
	const char *to;              /* the user's address */
	const char *subject_tmpl;    /* NULL: the language's default */
	const char *body_tmpl;
	unsigned threshold, percent;
	uint64_t used_bytes, limit_bytes;
	time_t now;
	const char *msgid_domain;
	unsigned long unique;        /* makes the Message-ID unique */
};

extern const char *const qw_template_vars[];

/* qw_default_subject/body - the built-in text for a language and a
 * threshold (100 gets the "mailbox full" text) */
const char *qw_default_subject(enum mg_lang lang, unsigned threshold);
const char *qw_default_body(enum mg_lang lang, unsigned threshold);

/* qw_human_size - "921 Mo" / "921 MB", "1 Go" / "1 GB" (binary units) */
void qw_human_size(uint64_t bytes, enum mg_lang lang, char *out, size_t outsz);

/* qw_message_build - the whole message (CRLF line ends) into out;
 * returns its length or -1 */
int qw_message_build(const struct qw_message_in *in, char *out, size_t outsz,
		     struct mg_error *err);

#endif
