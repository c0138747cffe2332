/*
 * mg_mail.h - compose a whole notice mail from a component's texts
 *
 * Every notice mailguard writes (milter-attach's "attachment refused",
 * policyd-quota's "your message waits", the Dovecot plugin's quota
 * warning) is composed here, so they share one correct format:
 *
 *   From: <as given>                       ASCII, no control characters
 *   To: <as given>
 *   Subject: <text>                        plain ASCII folded at spaces, or
 *                                          RFC 2047 "B" encoded-words in
 *                                          UTF-8 when not plain ASCII (or
 *                                          when it holds "=?"); each line at
 *                                          most 76 columns, no word splits a
 *                                          UTF-8 sequence
 *   Date: Sun, 22 Nov 2026 10:40:00 +0000  RFC 5322, UTC, English names
 *   Message-ID: <...>                      from mg_msgid_next()
 *   Auto-Submitted: auto-generated         (or auto-replied)
 *   <extra headers, in order>              e.g. Precedence, X-Quota-Warning
 *   MIME-Version: 1.0
 *   Content-Type: text/plain; charset=utf-8
 *   Content-Transfer-Encoding: quoted-printable
 *
 *   <body>                                 quoted-printable (RFC 2045):
 *                                          lines of at most 76 columns with
 *                                          soft breaks that never split an
 *                                          "=XX" triplet nor a UTF-8 sequence
 *
 * CRLF ends every line, the message ends with CRLF, and it is 7-bit.
 * The subject and body are UTF-8 text with LF (or CRLF) line ends; CR,
 * LF and other control characters in the subject become spaces, so a
 * template cannot inject a header.  Composition is pure: no I/O, no
 * allocation, a caller-owned bounded buffer; errors follow mg_error.h.
 *
 * Message-IDs are "<unixtime.pid.counter.salt@domain>": the counter is
 * per context (struct mg_msgid, incremented atomically so the threads of
 * a daemon may share one), the salt is set once per context from the
 * clock and the context's address, so two processes or hosts that share
 * a pid and a second still differ.  No rand().
 */
#ifndef MG_MAIL_H
#define MG_MAIL_H

#include <stddef.h>

#include "mg_error.h"

#define MG_MAIL_LINE_MAX 76       /* encoded lines (RFC 2045, RFC 2047) */
#define MG_MAIL_MSGID_MAX 256     /* a Message-ID with its <> and NUL */

enum mg_mail_auto {
	MG_MAIL_AUTO_GENERATED,       /* Auto-Submitted: auto-generated */
	MG_MAIL_AUTO_REPLIED,         /* Auto-Submitted: auto-replied */
};

struct mg_mail_hdr {
	const char *name;             /* a field name: printable ASCII, no ':' */
	const char *value;            /* printable ASCII */
};

struct mg_mail {
	const char *from;             /* From: value (address or "Name <a@b>") */
	const char *to;               /* To: value */
	const char *subject;          /* UTF-8, one line */
	const char *body;             /* UTF-8 text, LF or CRLF line ends */
	long long date;               /* unix seconds, written as UTC */
	const char *message_id;       /* "<left@right>" */
	enum mg_mail_auto auto_submitted;
	const struct mg_mail_hdr *extra;  /* after Auto-Submitted, in order */
	size_t n_extra;
};

/* mg_mail_compose - the whole message into out (NUL-terminated).
 * Returns its length, or -1: MG_ERR_PARSE for a header value that is not
 * printable ASCII or a malformed Message-ID, MG_ERR_LIMIT when out is too
 * small (never a truncated message). */
int mg_mail_compose(const struct mg_mail *m, char *out, size_t outsz,
		    struct mg_error *err);

/* mg_mail_date - RFC 5322 date of unix time t in UTC into out (at least
 * 32 bytes): "Sun, 22 Nov 2026 10:40:00 +0000".  0, or -1 (MG_ERR_LIMIT). */
int mg_mail_date(long long t, char *out, size_t outsz, struct mg_error *err);

struct mg_msgid {
	unsigned long long counter;   /* __atomic increments */
	unsigned long long salt;
	long pid;
};

/* mg_msgid_init - a context for this process (reads the pid and clock) */
void mg_msgid_init(struct mg_msgid *g);

/* mg_msgid_next - the next "<now.pid.counter.salt@domain>" into out
 * (MG_MAIL_MSGID_MAX bytes are enough); safe from several threads.  A
 * domain that is not a plain host name is replaced by "localhost". */
int mg_msgid_next(struct mg_msgid *g, long long now, const char *domain,
		  char *out, size_t outsz, struct mg_error *err);

/* mg_msgid_format - the same with every part given (tag instead of the
 * salt), for callers that keep their own counter */
int mg_msgid_format(long long now, long pid, unsigned long long counter,
		    const char *tag, const char *domain, char *out,
		    size_t outsz, struct mg_error *err);

#endif
