/*
 * ma_notice.c - the recipient notice's texts, composed by mg_mail
 *
 * See ma_notice.h.  Untrusted text from the refused message (sender,
 * subject, file name) is sanitised and bounded before it enters the
 * templates; mg_mail then encodes whatever remains.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ma_notice.h"
#include "ma_texts.h"
#include "mg_log.h"
#include "mg_mail.h"
#include "mg_text.h"

/* clean_text - untrusted header text for a notice: UTF-8 kept, controls
 * replaced, bounded */
static void
clean_text(char *out, size_t outsz, const char *in, size_t max)
{
	mg_sanitize(out, outsz, in ? in : "", in ? strlen(in) : 0, max);
}

/* expand - the subject and body templates with the request's variables */
static int
expand(const struct ma_config *cfg, const struct ma_notice_req *req,
       const char *rcpt, char *subj, size_t subjsz, char *body,
       size_t bodysz, struct mg_error *err)
{
	char sender[400], subject[400], file[300], date[64];
	time_t t = (time_t)req->when;
	struct mg_tvar vars[6];
	struct tm tm;

	clean_text(sender, sizeof(sender), req->sender[0] ? req->sender : "<>", 300);
	clean_text(subject, sizeof(subject), req->subject, 200);
	clean_text(file, sizeof(file), req->file, 200);
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%d/%m/%Y %H:%M:%S", &tm);
	vars[0] = (struct mg_tvar){ "sender", sender };
	vars[1] = (struct mg_tvar){ "date", date };
	vars[2] = (struct mg_tvar){ "subject", subject };
	vars[3] = (struct mg_tvar){ "file", file };
	vars[4] = (struct mg_tvar){ "reason", req->reason };
	vars[5] = (struct mg_tvar){ "rcpt", rcpt };
	if (mg_template_expand(cfg->notice_subject[0] ? cfg->notice_subject :
			       ma_text_default(MA_T_NOTICE_SUBJECT, cfg->language),
			       vars, 6, subj, subjsz, err) < 0 ||
	    mg_template_expand(cfg->notice_body[0] ? cfg->notice_body :
			       ma_text_default(MA_T_NOTICE_BODY, cfg->language),
			       vars, 6, body, bodysz, err) < 0)
		return -1;
	return 0;
}

/* ma_notice_build - texts, then mg_mail */
int
ma_notice_build(const struct ma_config *cfg, const struct ma_notice_req *req,
		const char *rcpt, long long now, const char *message_id,
		char *out, size_t outsz, struct mg_error *err)
{
	char from[400], subject[1024], body[8192];
	const char *dom = strrchr(rcpt, '@');
	struct mg_mail_hdr extra[1] = {
		{ "X-Mailguard-Notice", req->queue_id[0] ? req->queue_id : "-" },
	};
	struct mg_mail m = {
		.from = from, .to = rcpt, .subject = subject, .body = body,
		.date = now, .message_id = message_id,
		.auto_submitted = MG_MAIL_AUTO_GENERATED,
		.extra = extra, .n_extra = 1,
	};

	if (expand(cfg, req, rcpt, subject, sizeof(subject), body, sizeof(body),
		   err) < 0)
		return -1;
	if (strchr(cfg->notice_from, '@') != NULL || dom == NULL)
		snprintf(from, sizeof(from), "%s", cfg->notice_from);
	else
		snprintf(from, sizeof(from), "%s%s", cfg->notice_from, dom);
	return mg_mail_compose(&m, out, outsz, err);
}
