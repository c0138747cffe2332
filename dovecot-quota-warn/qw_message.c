/*
 * qw_message.c - the quota warning's texts, composed by mg_mail
 *
 * See qw_message.h.  The texts and the human sizes are the plugin's;
 * headers and encodings are common/'s mg_mail, shared with the daemons.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mg_mail.h"
#include "qw_message.h"

const char *const qw_template_vars[] = {
	"user", "percent", "threshold", "used", "limit", "used_bytes",
	"limit_bytes", NULL,
};

static const char *const subjects[2][2] = {
	[MG_LANG_FR] = {
		"Votre boîte aux lettres est remplie à %{percent} %%",
		"Votre boîte aux lettres est pleine",
	},
	[MG_LANG_EN] = {
		"Your mailbox is %{percent}%% full",
		"Your mailbox is full",
	},
};

static const char *const bodies[2][2] = {
	[MG_LANG_FR] = {
		"Bonjour,\n\n"
		"Votre boîte aux lettres %{user} utilise %{used} sur les %{limit} "
		"autorisés (%{percent} %%).\n\n"
		"Quand elle sera pleine, les messages qui vous sont adressés ne vous "
		"seront plus remis : ils attendront cinq jours, puis seront renvoyés "
		"à leurs expéditeurs.\n\n"
		"Pour libérer de la place : supprimez les messages volumineux et les "
		"pièces jointes inutiles, videz la corbeille et les éléments envoyés, "
		"ou archivez vos anciens messages sur votre poste.\n"
		"Si vous avez besoin d'un espace plus grand, adressez votre demande "
		"à l'assistance informatique de votre établissement.\n\n"
		"Ce message est envoyé automatiquement : merci de ne pas y répondre.\n",
		"Bonjour,\n\n"
		"Votre boîte aux lettres %{user} est pleine : %{used} utilisés sur "
		"les %{limit} autorisés (%{percent} %%).\n\n"
		"Les messages qui vous sont adressés ne vous sont plus remis. Ils "
		"restent en attente cinq jours, puis sont renvoyés à leurs expéditeurs "
		"si la place n'a pas été libérée.\n\n"
		"Pour libérer de la place dès maintenant : supprimez les messages "
		"volumineux, videz la corbeille et les éléments envoyés, ou archivez "
		"vos anciens messages sur votre poste.\n"
		"Si vous avez besoin d'un espace plus grand, adressez votre demande "
		"à l'assistance informatique de votre établissement.\n\n"
		"Ce message est envoyé automatiquement : merci de ne pas y répondre.\n",
	},
	[MG_LANG_EN] = {
		"Hello,\n\n"
		"Your mailbox %{user} uses %{used} of the %{limit} allowed "
		"(%{percent}%%).\n\n"
		"Once it is full, mail sent to you will not be delivered: it will "
		"wait for five days, then go back to its senders.\n\n"
		"To free space: delete large messages and attachments you no longer "
		"need, empty the trash and sent items, or archive old messages on your "
		"computer.\n"
		"If you need more space, ask your institution's IT support.\n\n"
		"This message was sent automatically: please do not reply.\n",
		"Hello,\n\n"
		"Your mailbox %{user} is full: %{used} used of the %{limit} allowed "
		"(%{percent}%%).\n\n"
		"Mail sent to you is no longer delivered. It waits for five days, "
		"then goes back to its senders unless space has been freed.\n\n"
		"To free space now: delete large messages, empty the trash and sent "
		"items, or archive old messages on your computer.\n"
		"If you need more space, ask your institution's IT support.\n\n"
		"This message was sent automatically: please do not reply.\n",
	},
};

/* qw_default_subject - the built-in subject (100: "mailbox full") */
const char *
qw_default_subject(enum mg_lang lang, unsigned threshold)
{
	return subjects[lang == MG_LANG_EN][threshold >= 100];
}

/* qw_default_body - the built-in body (100: "mailbox full") */
const char *
qw_default_body(enum mg_lang lang, unsigned threshold)
{
	return bodies[lang == MG_LANG_EN][threshold >= 100];
}

/* qw_human_size - binary units, French decimal comma */
void
qw_human_size(uint64_t bytes, enum mg_lang lang, char *out, size_t outsz)
{
	static const char *const fr[] = { "octets", "Ko", "Mo", "Go", "To" };
	static const char *const en[] = { "bytes", "KB", "MB", "GB", "TB" };
	const char *const *u = lang == MG_LANG_EN ? en : fr;
	double v = (double)bytes;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0 || v >= 10 || v == (double)(uint64_t)v)
		snprintf(out, outsz, "%.0f %s", v, u[i]);
	else if (lang == MG_LANG_EN)
		snprintf(out, outsz, "%.1f %s", v, u[i]);
	else {
		/* French decimal comma */
		snprintf(out, outsz, "%.1f %s", v, u[i]);
		char *dot = strchr(out, '.');
		if (dot != NULL)
			*dot = ',';
	}
}

/* expand - the subject and body templates with the reading's variables */
static int
expand(const struct qw_message_in *in, char *subject, size_t subjsz,
       char *body, size_t bodysz, struct mg_error *err)
{
	char percent[16], threshold[16], used[32], limit[32], ub[24], lb[24];
	struct mg_tvar vars[7];

	snprintf(percent, sizeof(percent), "%u", in->percent);
	snprintf(threshold, sizeof(threshold), "%u", in->threshold);
	qw_human_size(in->used_bytes, in->lang, used, sizeof(used));
	qw_human_size(in->limit_bytes, in->lang, limit, sizeof(limit));
	snprintf(ub, sizeof(ub), "%llu", (unsigned long long)in->used_bytes);
	snprintf(lb, sizeof(lb), "%llu", (unsigned long long)in->limit_bytes);
	vars[0] = (struct mg_tvar){ "user", in->to };
	vars[1] = (struct mg_tvar){ "percent", percent };
	vars[2] = (struct mg_tvar){ "threshold", threshold };
	vars[3] = (struct mg_tvar){ "used", used };
	vars[4] = (struct mg_tvar){ "limit", limit };
	vars[5] = (struct mg_tvar){ "used_bytes", ub };
	vars[6] = (struct mg_tvar){ "limit_bytes", lb };
	if (mg_template_expand(in->subject_tmpl ? in->subject_tmpl :
			       qw_default_subject(in->lang, in->threshold),
			       vars, 7, subject, subjsz, err) < 0 ||
	    mg_template_expand(in->body_tmpl ? in->body_tmpl :
			       qw_default_body(in->lang, in->threshold),
			       vars, 7, body, bodysz, err) < 0)
		return -1;
	return 0;
}

/* qw_message_build - the texts, composed by mg_mail; the Message-ID is
 * <now.pid.unique.qwTHRESHOLD@domain> (unique: the caller's counter) */
int
qw_message_build(const struct qw_message_in *in, char *out, size_t outsz,
		 struct mg_error *err)
{
	char subject[512], body[8192], level[16], tag[16];
	char msgid[MG_MAIL_MSGID_MAX];
	struct mg_mail_hdr extra[2] = {
		{ "Precedence", "bulk" }, { "X-Quota-Warning", level },
	};
	struct mg_mail m = {
		.from = in->from, .to = in->to, .subject = subject, .body = body,
		.date = (long long)in->now, .message_id = msgid,
		.auto_submitted = MG_MAIL_AUTO_GENERATED, .extra = extra,
		.n_extra = 2,
	};

	if (expand(in, subject, sizeof(subject), body, sizeof(body), err) < 0)
		return -1;
	snprintf(level, sizeof(level), "%u", in->threshold);
	snprintf(tag, sizeof(tag), "qw%u", in->threshold);
	if (mg_msgid_format((long long)in->now, (long)getpid(), in->unique, tag,
			    in->msgid_domain, msgid, sizeof(msgid), err) < 0)
		return -1;
	return mg_mail_compose(&m, out, outsz, err);
}
