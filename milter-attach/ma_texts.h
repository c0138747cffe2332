/*
 * ma_texts.h - built-in texts of milter-attach, French and English
 *
 * SMTP reply texts are plain ASCII (unaccented French): Postfix does not
 * announce SMTPUTF8 to every client.  Notice texts are UTF-8 with accents,
 * written as UTF-8 in this source (never as \x escapes), reason phrases
 * included (MA_T_NOTICE_RULE_*: the notice's own copies of MA_T_RULE_*).
 * Each text is an mg_text.h template; the variables each may use are
 * listed in the ma_vars_* arrays (used to check admin overrides).
 */
#ifndef MA_TEXTS_H
#define MA_TEXTS_H

enum ma_text_id {
	MA_T_SIZE,        /* 552 5.3.4: limit service url */
	MA_T_BANNED,      /* 550 5.7.1: file ext rule */
	MA_T_MAGIC,       /* 550 5.7.1: file mime */
	MA_T_STRUCTURE,   /* 550 5.7.1: anomaly */
	MA_T_NOTICE_SUBJECT,
	MA_T_NOTICE_BODY, /* sender date subject file reason rcpt */
	MA_T_RULE_EXT,    /* reason phrases, used in replies and notices */
	MA_T_RULE_BAN,
	MA_T_RULE_MAGIC,
	MA_T_RULE_STRUCTURE,
	MA_T_RULE_SIZE,
	MA_T_TEMPFAIL,    /* 451 4.3.0, no variables */
	MA_T_NOTICE_RULE_EXT,   /* reason phrases of notices (UTF-8) */
	MA_T_NOTICE_RULE_BAN,
	MA_T_NOTICE_RULE_MAGIC,
	MA_T_NAMES_ENCRYPTED, /* 550 5.7.1: service url */
	MA_T_COUNT,
};

extern const char *const ma_vars_size[];
extern const char *const ma_vars_banned[];
extern const char *const ma_vars_magic[];
extern const char *const ma_vars_structure[];
extern const char *const ma_vars_notice[];
extern const char *const ma_vars_names_encrypted[];

/* ma_text_default - the built-in text id in language lang (enum mg_lang) */
const char *ma_text_default(enum ma_text_id id, int lang);

#endif
