/*
 * qw_message.c - compose the quota warning mail (see qw_message.h)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

const char *
qw_default_subject(enum mg_lang lang, unsigned threshold)
{
	return subjects[lang == MG_LANG_EN][threshold >= 100];
}

const char *
qw_default_body(enum mg_lang lang, unsigned threshold)
{
	return bodies[lang == MG_LANG_EN][threshold >= 100];
}

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

struct buf {
	char *p;
	size_t len, size;
	int overflow;
};

static void __attribute__((format(printf, 2, 3)))
put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->len) {
		b->overflow = 1;
		return;
	}
	b->len += (size_t)n;
}

/* put_subject - RFC 2047 "B" encoded words of at most 45 input bytes each,
 * never splitting a UTF-8 sequence, folded onto continuation lines */
static void
put_subject(struct buf *b, const char *s)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(s), pos = 0, i;
	int ascii = 1;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80 || s[i] == '=' || s[i] == '?')
			ascii = 0;
	if (ascii && len < 900) {
		put(b, "Subject: %s\r\n", s);
		return;
	}
	put(b, "Subject:");
	while (pos < len) {
		size_t n = len - pos > 45 ? 45 : len - pos;
		/* back off to a character boundary */
		while (n > 1 && pos + n < len &&
		       ((unsigned char)s[pos + n] & 0xc0) == 0x80)
			n--;
		put(b, "%s=?UTF-8?B?", pos == 0 ? " " : "\r\n ");
		for (i = 0; i < n; i += 3) {
			unsigned v = (unsigned char)s[pos + i] << 16;
			if (i + 1 < n) v |= (unsigned char)s[pos + i + 1] << 8;
			if (i + 2 < n) v |= (unsigned char)s[pos + i + 2];
			put(b, "%c%c%c%c", b64[(v >> 18) & 63], b64[(v >> 12) & 63],
			    i + 1 < n ? b64[(v >> 6) & 63] : '=',
			    i + 2 < n ? b64[v & 63] : '=');
		}
		put(b, "?=");
		pos += n;
	}
	put(b, "\r\n");
}

int
qw_message_build(const struct qw_message_in *in, char *out, size_t outsz,
		 struct mg_error *err)
{
	char percent[16], threshold[16], used[32], limit[32], ub[24], lb[24];
	char subject[512], body[8192], date[64];
	struct mg_tvar vars[7];
	struct buf b = { out, 0, outsz, 0 };
	struct tm tm;
	const char *p;

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
			       vars, 7, subject, sizeof(subject), err) < 0 ||
	    mg_template_expand(in->body_tmpl ? in->body_tmpl :
			       qw_default_body(in->lang, in->threshold),
			       vars, 7, body, sizeof(body), err) < 0)
		return -1;
	/* a subject is one line */
	for (p = subject; *p; p++)
		if (*p == '\r' || *p == '\n')
			subject[p - subject] = ' ';
	gmtime_r(&in->now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	put(&b, "From: %s\r\n", in->from);
	put(&b, "To: %s\r\n", in->to);
	put_subject(&b, subject);
	put(&b, "Date: %s\r\n", date);
	put(&b, "Message-ID: <quota-warn.%ld.%lu.%u@%s>\r\n", (long)in->now,
	    in->unique, in->threshold, in->msgid_domain);
	put(&b, "Auto-Submitted: auto-generated\r\n");
	put(&b, "Precedence: bulk\r\n");
	put(&b, "X-Quota-Warning: %u\r\n", in->threshold);
	put(&b, "MIME-Version: 1.0\r\n");
	put(&b, "Content-Type: text/plain; charset=utf-8\r\n");
	put(&b, "Content-Transfer-Encoding: 8bit\r\n\r\n");
	/* body with CRLF line ends */
	for (p = body; *p; p++) {
		if (*p == '\n')
			put(&b, "\r\n");
		else if (*p != '\r')
			put(&b, "%c", *p);
	}
	if (b.overflow)
		return mg_error_set(err, MG_ERR_LIMIT, "warning mail too large");
	return (int)b.len;
}
