/*
 * quota-warn-plugin.c - Dovecot glue of the quota_warn plugin
 *
 * Hooks (modelled on Dovecot's quota_clone): the user's settings are
 * read once when the user is created (qw_settings); every committed
 * mailbox transaction, every expunge, every login (namespaces created)
 * marks the user's quota as changed; a short timer (quota_warn_flush_delay)
 * or the end of the session (deinit_pre, while quota still exists)
 * flushes: read the first quota root -> publish to Redis (qw_publish) ->
 * decide (qw_logic, pure) -> claim the threshold in Redis, compose the
 * notice (qw_warn) -> deliver it through the submission host or into the
 * user's INBOX with quota enforcement off (qw_deliver).  Redis trouble
 * never fails a delivery: it is logged once per outage.
 */
#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "mail-user.h"
#include "mail-namespace.h"
#include "mail-storage-private.h"
#include "mailbox-list-private.h"
#include "mail-storage-hooks.h"
#include "master-service.h"
#include "quota.h"
#include "quota-private.h"
#include "quota-plugin.h"
#include "quota-warn-plugin.h"

#include "mg_clock.h"
#include "mg_log.h"
#include "mg_version.h"
#include "qw_publish.h"
#include "qw_deliver.h"
#include "qw_known.h"
#include "qw_settings.h"

/* a reading of the quota backend older than this is not reused */
#define QW_KNOWN_MAX_AGE_MS 2000

#define QUOTA_WARN_USER_CONTEXT(obj) \
	MODULE_CONTEXT(obj, quota_warn_user_module)
#define QUOTA_WARN_BOX_CONTEXT(obj) \
	MODULE_CONTEXT_REQUIRE(obj, quota_warn_storage_module)

struct quota_warn_user {
	union mail_user_module_context module_ctx;
	struct qw_settings set;   /* read once, at mail_user_created */
	struct timeout *to_flush;
	bool changed;
	bool in_notice;
	bool notice_saved;
	bool deinitializing;      /* no timer may outlive the user */
	bool probe;               /* LMTP's RCPT quota check, not a delivery */
	bool probe_refused;       /* ... which found the mailbox over quota */
	/* the quota plugin's test before a save, wrapped in probes */
	enum quota_alloc_result (*test_alloc_super)(
		struct quota_transaction_context *ctx, uoff_t size,
		const char **error_r);

	/* the first quota root, whose backend vfuncs are wrapped so that
	 * its readings and committed deltas are known (qw_known.h) */
	struct quota_root *root;
	struct quota_backend_vfuncs root_super;
	struct qw_known known;
	bool serve_known;         /* answer get_resource from known */
};

const char *quota_warn_plugin_dependencies[] = { "quota", NULL };
const char *quota_warn_plugin_version = DOVECOT_ABI_VERSION;

static MODULE_CONTEXT_DEFINE_INIT(quota_warn_user_module,
				  &mail_user_module_register);
static MODULE_CONTEXT_DEFINE_INIT(quota_warn_storage_module,
				  &mail_storage_module_register);

static struct mail_user *
box_owner(struct mailbox *box)
{
	struct mail_namespace *ns = box->list->ns;

	return ns->owner != NULL ? ns->owner : ns->user;
}

/* quota_warn_setting - qw_setting_fn over the user's plugin {} settings
 * and userdb fields */
static const char *
quota_warn_setting(void *ctx, const char *name)
{
	return mail_user_plugin_getenv(ctx, name);
}

/* quota_warn_deliver - qw_deliver() for qw_publish; a notice saved into
 * the INBOX changed the usage, which is then published once more */
static int
quota_warn_deliver(void *ctx, unsigned threshold, const char *msg, size_t len,
		   const char **via_r, const char **error_r)
{
	struct mail_user *user = ctx;
	struct quota_warn_user *qwu = QUOTA_WARN_USER_CONTEXT(user);
	enum qw_deliver_via via;

	if (qw_deliver(user, &qwu->set, threshold, msg, len, &via, error_r) < 0)
		return -1;
	if (via == QW_VIA_INBOX)
		qwu->notice_saved = TRUE;
	*via_r = qw_deliver_via_name(via);
	return 0;
}

static enum qw_known_res
known_res(const char *name, bool *ok_r)
{
	*ok_r = TRUE;
	if (strcmp(name, QUOTA_NAME_STORAGE_BYTES) == 0)
		return QW_KNOWN_BYTES;
	*ok_r = strcmp(name, QUOTA_NAME_MESSAGES) == 0;
	return QW_KNOWN_MSGS;
}

/* quota_warn_get_resource - the backend's reading, remembered; during a
 * flush that may reuse it, the remembered value */
static enum quota_get_result
quota_warn_get_resource(struct quota_root *root, const char *name,
			uint64_t *value_r, const char **error_r)
{
	struct quota_warn_user *qwu = QUOTA_WARN_USER_CONTEXT(root->quota->user);
	enum quota_get_result ret;
	enum qw_known_res r;
	bool ok;

	r = known_res(name, &ok);
	if (ok && qwu->serve_known && qwu->known.have[r]) {
		*value_r = qwu->known.value[r];
		return QUOTA_GET_RESULT_LIMITED;
	}
	ret = qwu->root_super.get_resource(root, name, value_r, error_r);
	if (ok && ret == QUOTA_GET_RESULT_LIMITED) {
		enum qw_known_res other = r == QW_KNOWN_BYTES ? QW_KNOWN_MSGS : QW_KNOWN_BYTES;
		uint64_t value;
		const char *error;

		qw_known_read(&qwu->known, r, *value_r, mg_now_ms());
		/* the quota plugin reads only the resources that have a
		 * limit; read the other one now (the count backend counts
		 * both at once and answers this one from its cache) */
		if (!qw_known_fresh(&qwu->known, mg_now_ms(), QW_KNOWN_MAX_AGE_MS) &&
		    qwu->root_super.get_resource(root, other == QW_KNOWN_BYTES ?
						 QUOTA_NAME_STORAGE_BYTES : QUOTA_NAME_MESSAGES,
						 &value, &error) == QUOTA_GET_RESULT_LIMITED)
			qw_known_read(&qwu->known, other, value, mg_now_ms());
	}
	return ret;
}

/* quota_warn_quota_update - the transaction's deltas, remembered */
static int
quota_warn_quota_update(struct quota_root *root,
			struct quota_transaction_context *ctx,
			const char **error_r)
{
	struct quota_warn_user *qwu = QUOTA_WARN_USER_CONTEXT(root->quota->user);
	int ret = qwu->root_super.update(root, ctx, error_r);

	if (ret < 0 || ctx->recalculate != QUOTA_RECALCULATE_DONT)
		qw_known_forget(&qwu->known);
	else
		qw_known_apply(&qwu->known, ctx->bytes_used, ctx->count_used);
	return ret;
}

/* quota_warn_test_alloc - LMTP's RCPT quota check (a probe) asks whether
 * one more byte fits: when it does not, that RCPT is refused (452 with
 * quota_full_tempfail, 552 without), no delivery follows and this look is
 * the only one that publishes.  Wrapped here, not at the mailbox's
 * get_status: the quota plugin answers that one above this plugin. */
static enum quota_alloc_result
quota_warn_test_alloc(struct quota_transaction_context *ctx, uoff_t size,
		      const char **error_r)
{
	struct quota_warn_user *qwu = QUOTA_WARN_USER_CONTEXT(ctx->quota->user);
	enum quota_alloc_result ret = qwu->test_alloc_super(ctx, size, error_r);

	if (ret == QUOTA_ALLOC_RESULT_OVER_QUOTA ||
	    ret == QUOTA_ALLOC_RESULT_OVER_QUOTA_LIMIT)
		qwu->probe_refused = TRUE;
	return ret;
}

/* wrap_root - remember what the quota plugin reads and commits */
static void
wrap_root(struct quota_warn_user *qwu, struct quota_root *root)
{
	qwu->root = root;
	qwu->root_super = root->backend.v;
	root->backend.v.get_resource = quota_warn_get_resource;
	root->backend.v.update = quota_warn_quota_update;
}

/* read_usage - the first root's usage and limits; 1 ok, 0 try again at
 * the next change (background calculation), -1 error */
static int
read_usage(struct mail_user *user, struct quota_root *root, struct qw_usage *u)
{
	enum quota_get_result r1, r2;
	const char *error;
	uint64_t limit;

	memset(u, 0, sizeof(*u));
	r1 = quota_get_resource(root, "", QUOTA_NAME_STORAGE_BYTES,
				&u->bytes, &limit, &error);
	u->bytes_limit = r1 == QUOTA_GET_RESULT_LIMITED ? limit : 0;
	if (r1 == QUOTA_GET_RESULT_BACKGROUND_CALC)
		return 0;
	if (r1 <= QUOTA_GET_RESULT_INTERNAL_ERROR) {
		i_error("quota_warn: cannot read quota of %s: %s",
			user->username, error);
		return -1;
	}
	r2 = quota_get_resource(root, "", QUOTA_NAME_MESSAGES,
				&u->msgs, &limit, &error);
	if (r2 == QUOTA_GET_RESULT_BACKGROUND_CALC)
		return 0;
	if (r2 <= QUOTA_GET_RESULT_INTERNAL_ERROR)
		u->msgs = 0, limit = 0;
	u->msgs_limit = r2 == QUOTA_GET_RESULT_LIMITED ? limit : 0;
	return 1;
}

/* quota_warn_flush_once - read the quota and publish it (qw_publish); far
 * from the limit, the usage the quota plugin itself just read plus the
 * deltas it committed is enough (no second count) */
static void
quota_warn_flush_once(struct mail_user *user)
{
	struct quota_warn_user *qwu = QUOTA_WARN_USER_CONTEXT(user);
	struct quota_user *quser = QUOTA_USER_CONTEXT(user);
	struct quota_root *root;
	struct qw_reading rd;
	int ret = -1;

	timeout_remove(&qwu->to_flush);
	if (qwu->probe && !qwu->probe_refused) {
		/* the RCPT is accepted: the delivery's own session publishes
		 * the state once the message is saved (it did twice per
		 * delivery near the limit) */
		qwu->changed = FALSE;
		return;
	}
	if (quser == NULL || quser->quota == NULL ||
	    array_count(&quser->quota->roots) == 0)
		return;
	root = *array_front(&quser->quota->roots);
	memset(&rd, 0, sizeof(rd));
	rd.username = user->username;
	rd.set = &qwu->set;
	if (root == qwu->root &&
	    qw_known_fresh(&qwu->known, mg_now_ms(), QW_KNOWN_MAX_AGE_MS)) {
		qwu->serve_known = TRUE;
		ret = read_usage(user, root, &rd.usage);
		qwu->serve_known = FALSE;
		if (ret > 0 && qw_near_limit(&qwu->set.thresholds, qwu->set.rearm_pct,
					     &rd.usage))
			ret = -1;               /* near the limit: count */
	}
	if (ret <= 0 && (ret = read_usage(user, root, &rd.usage)) == 0)
		return;                 /* try again at the next change */
	qwu->changed = FALSE;
	if (ret < 0)
		return;
	qwu->in_notice = TRUE;
	qw_publish_flush(&rd, quota_warn_deliver, user);
	qwu->in_notice = FALSE;
}

/* quota_warn_flush - publish; a notice saved meanwhile changed the usage,
 * so publish once more (its threshold is claimed: no second notice) */
static void
quota_warn_flush(struct mail_user *user)
{
	struct quota_warn_user *qwu = QUOTA_WARN_USER_CONTEXT(user);

	qwu->notice_saved = FALSE;
	quota_warn_flush_once(user);
	if (qwu->notice_saved) {
		qwu->notice_saved = FALSE;
		quota_warn_flush_once(user);
	}
}

static void
quota_warn_flush_timeout(struct mail_user *user)
{
	T_BEGIN {
		quota_warn_flush(user);
	} T_END;
}

static void
quota_warn_mark_changed(struct mail_user *user)
{
	struct quota_warn_user *qwu = QUOTA_WARN_USER_CONTEXT(user);

	if (qwu == NULL || qwu->in_notice)
		return;
	qwu->changed = TRUE;
	if (qwu->to_flush != NULL || current_ioloop == NULL || qwu->deinitializing)
		return;
	qwu->to_flush = timeout_add_short((unsigned int)qwu->set.flush_delay_ms,
					  quota_warn_flush_timeout, user);
}

static int
quota_warn_transaction_commit(struct mailbox_transaction_context *t,
			      struct mail_transaction_commit_changes *changes_r)
{
	struct mailbox *box = t->box;
	union mailbox_module_context *qbox = QUOTA_WARN_BOX_CONTEXT(box);

	if (qbox->super.transaction_commit(t, changes_r) < 0)
		return -1;
	quota_warn_mark_changed(box_owner(box));
	return 0;
}

static void
quota_warn_sync_notify(struct mailbox *box, uint32_t uid,
		       enum mailbox_sync_type sync_type)
{
	union mailbox_module_context *qbox = QUOTA_WARN_BOX_CONTEXT(box);

	if (qbox->super.sync_notify != NULL)
		qbox->super.sync_notify(box, uid, sync_type);
	if (sync_type == MAILBOX_SYNC_TYPE_EXPUNGE)
		quota_warn_mark_changed(box_owner(box));
}

static void
quota_warn_mailbox_allocated(struct mailbox *box)
{
	struct mailbox_vfuncs *v = box->vlast;
	union mailbox_module_context *qbox;

	if (QUOTA_WARN_USER_CONTEXT(box_owner(box)) == NULL)
		return;
	qbox = p_new(box->pool, union mailbox_module_context, 1);
	qbox->super = *v;
	box->vlast = &qbox->super;
	v->transaction_commit = quota_warn_transaction_commit;
	v->sync_notify = quota_warn_sync_notify;
	MODULE_CONTEXT_SET_SELF(box, quota_warn_storage_module, qbox);
}

static void
quota_warn_mail_user_deinit_pre(struct mail_user *user)
{
	struct quota_warn_user *qwu = QUOTA_WARN_USER_CONTEXT(user);

	/* later deinit_pre handlers may still commit or expunge: those
	 * changes must not arm a timer that would fire after the user is gone */
	qwu->deinitializing = TRUE;
	timeout_remove(&qwu->to_flush);
	if (qwu->changed) {
		T_BEGIN {
			quota_warn_flush(user);
		} T_END;
	}
	qwu->module_ctx.super.deinit_pre(user);
}

static void
quota_warn_mail_user_created(struct mail_user *user)
{
	struct mail_user_vfuncs *v = user->vlast;
	struct quota_warn_user *qwu;

	if (QUOTA_USER_CONTEXT(user) == NULL)
		return;                 /* quota is not enabled for this user */
	if (strchr(user->username, '@') == NULL && strchr(user->username, ' ') != NULL)
		return;                 /* LMTP's internal "raw mail user" */
	qwu = p_new(user->pool, struct quota_warn_user, 1);
	/* plugin {} and the userdb's fields: a bad value is logged here */
	(void)qw_settings_read(&qwu->set, quota_warn_setting, user);
	/* lmtp_rcpt_check_quota opens the user once at RCPT (session id
	 * "<id>:quota") and again for the delivery, which publishes: the
	 * first look publishes only when it refuses the RCPT
	 * (quota_warn_test_alloc) */
	qwu->probe = strcmp(user->service, "lmtp") == 0 && user->session_id != NULL &&
		strlen(user->session_id) > 6 &&
		strcmp(user->session_id + strlen(user->session_id) - 6, ":quota") == 0;
	qwu->module_ctx.super = *v;
	user->vlast = &qwu->module_ctx.super;
	v->deinit_pre = quota_warn_mail_user_deinit_pre;
	MODULE_CONTEXT_SET(user, quota_warn_user_module, qwu);
	{
		struct quota_user *quser = QUOTA_USER_CONTEXT(user);

		if (quser->quota != NULL && array_count(&quser->quota->roots) > 0 &&
		    (*array_front(&quser->quota->roots))->quota->user == user)
			wrap_root(qwu, *array_front(&quser->quota->roots));
		/* the settings are this user's own (quota_user_read_settings) */
		if (qwu->probe && quser->quota != NULL && quser->quota->user == user) {
			qwu->test_alloc_super = quser->quota->set->test_alloc;
			quser->quota->set->test_alloc = quota_warn_test_alloc;
		}
	}
}

static void
quota_warn_mail_namespaces_created(struct mail_namespace *namespaces)
{
	/* a login, a delivery, a doveadm command (recalc...): publish */
	quota_warn_mark_changed(namespaces->user);
}

static struct mail_storage_hooks quota_warn_mail_storage_hooks = {
	.mail_user_created = quota_warn_mail_user_created,
	.mail_namespaces_created = quota_warn_mail_namespaces_created,
	.mailbox_allocated = quota_warn_mailbox_allocated,
};

/* quota_warn_log - common/'s log lines go to Dovecot's log */
static void
quota_warn_log(void *ctx ATTR_UNUSED, enum mg_log_level level, const char *line)
{
	switch (level) {
	case MG_LOG_DEBUG: i_debug("quota_warn: %s", line); break;
	case MG_LOG_INFO: i_info("quota_warn: %s", line); break;
	case MG_LOG_WARNING: i_warning("quota_warn: %s", line); break;
	case MG_LOG_ERROR: i_error("quota_warn: %s", line); break;
	}
}

/* log_version - mailguard's version (quota_warn_plugin_version is
 * Dovecot's ABI, a different thing) when LMTP loads the plugin: its
 * processes live long and every delivery goes through them.  imap and
 * pop3 (a process per login), dovecot-lda (one per delivery) and doveadm
 * (its log is the admin's terminal) stay quiet. */
static void
log_version(void)
{
	if (master_service != NULL &&
	    strcmp(master_service_get_name(master_service), "lmtp") == 0)
		i_info("quota_warn: mailguard %s loaded", MG_VERSION);
}

void
quota_warn_plugin_init(struct module *module)
{
	mg_log_set_backend(quota_warn_log, NULL);
	log_version();
	mail_storage_hooks_add(module, &quota_warn_mail_storage_hooks);
}

void
quota_warn_plugin_deinit(void)
{
	mail_storage_hooks_remove(&quota_warn_mail_storage_hooks);
	qw_publish_deinit();
}
