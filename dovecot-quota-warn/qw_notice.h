/*
 * qw_notice.h - save a notice into the user's INBOX, quota enforcement off
 */
#ifndef QW_NOTICE_H
#define QW_NOTICE_H

struct mail_user;

int qw_notice_save(struct mail_user *user, const char *msg, size_t len,
		   const char **error_r);

#endif
