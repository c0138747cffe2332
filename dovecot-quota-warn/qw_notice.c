/*
 * qw_notice.c - put a notice into the user's INBOX, quota or not
 *
 * The charter wants the "mailbox full" notice to reach a full mailbox:
 * it cannot go through Postfix and LMTP (the quota refuses it there), so
 * the plugin saves it itself, inside the user's session, with the quota
 * roots' enforcement switched off for that one save (usage still counts
 * it).  No fork, no script, no mail loop.
 */
#include "lib.h"
#include "array.h"
#include "istream.h"
#include "mail-user.h"
#include "mail-namespace.h"
#include "mail-storage.h"
#include "quota-private.h"
#include "quota-plugin.h"

#include "qw_notice.h"

/* set_enforcing - switch enforcement of every quota root; returns the
 * roots that were enforcing (bit i) so they can be restored */
static unsigned long long
set_enforcing(struct mail_user *user, bool on, unsigned long long mask)
{
	struct quota_user *quser = QUOTA_USER_CONTEXT(user);
	struct quota_root *const *roots;
	unsigned int i, count;
	unsigned long long was = 0;

	if (quser == NULL || quser->quota == NULL)
		return 0;
	roots = array_get(&quser->quota->roots, &count);
	for (i = 0; i < count && i < 64; i++) {
		if (!on) {
			if (!roots[i]->no_enforcing)
				was |= 1ULL << i;
			roots[i]->no_enforcing = TRUE;
		} else if (mask & (1ULL << i)) {
			roots[i]->no_enforcing = FALSE;
		}
	}
	return was;
}

int
qw_notice_save(struct mail_user *user, const char *msg, size_t len,
	       const char **error_r)
{
	struct mail_namespace *ns = mail_namespace_find_inbox(user->namespaces);
	struct mailbox_transaction_context *t;
	struct mail_save_context *save;
	struct istream *input;
	struct mailbox *box;
	unsigned long long was;
	enum mail_error error;
	int ret = 0;

	if (ns == NULL) {
		*error_r = "no INBOX namespace";
		return -1;
	}
	box = mailbox_alloc(ns->list, "INBOX", MAILBOX_FLAG_SAVEONLY);
	if (mailbox_open(box) < 0) {
		*error_r = t_strdup(mailbox_get_last_error(box, &error));
		mailbox_free(&box);
		return -1;
	}
	was = set_enforcing(user, FALSE, 0);
	t = mailbox_transaction_begin(box, MAILBOX_TRANSACTION_FLAG_EXTERNAL,
				      "quota_warn notice");
	save = mailbox_save_alloc(t);
	input = i_stream_create_from_data(msg, len);
	if (mailbox_save_begin(&save, input) < 0) {
		ret = -1;
	} else {
		do {
			if (mailbox_save_continue(save) < 0) {
				ret = -1;
				break;
			}
		} while (i_stream_read(input) > 0);
		if (ret == 0 && mailbox_save_finish(&save) < 0)
			ret = -1;
		else if (save != NULL)
			mailbox_save_cancel(&save);
	}
	if (ret == 0 && mailbox_transaction_commit(&t) < 0)
		ret = -1;
	else if (t != NULL)
		mailbox_transaction_rollback(&t);
	if (ret < 0)
		*error_r = t_strdup(mailbox_get_last_error(box, &error));
	set_enforcing(user, TRUE, was);
	i_stream_unref(&input);
	mailbox_free(&box);
	return ret;
}
