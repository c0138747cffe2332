/*
 * mg_text.h - reply and notice texts: languages, templates, SMTP replies
 *
 * Texts are templates with %{name} placeholders; "%%" is a literal '%'.
 * Each component keeps its own default texts (French and English) and
 * lets the admin override every one in its config; it checks overrides
 * at load time with mg_template_check() so a typo is a config error, not
 * a broken reply at run time.
 *
 * SMTP replies carry an RFC 3463 enhanced status code whose class must
 * match the reply code (4xx <-> 4.x.x, 5xx <-> 5.x.x).
 */
#ifndef MG_TEXT_H
#define MG_TEXT_H

#include <stddef.h>

#include "mg_config.h"
#include "mg_error.h"

enum mg_lang {
	MG_LANG_FR,
	MG_LANG_EN,
};

/* Rows for MG_CFG_ENUM settings that choose a language */
extern const struct mg_cfg_enum mg_lang_enums[];

struct mg_tvar {
	const char *name;
	const char *value;   /* NULL expands to "" */
};

/* mg_template_expand - expand tmpl into out (NUL-terminated).  Returns the
 * length, or -1 for an unknown variable (MG_ERR_PARSE) or a result that
 * does not fit (MG_ERR_LIMIT; out then holds the truncated text). */
int mg_template_expand(const char *tmpl, const struct mg_tvar *vars,
		       size_t nvars, char *out, size_t outsz,
		       struct mg_error *err);

/* mg_template_check - verify that tmpl only uses names from allowed
 * (a NULL-terminated list) and has no stray '%' */
int mg_template_check(const char *tmpl, const char *const *allowed,
		      struct mg_error *err);

/* mg_smtp_code_check - code is "4NN"/"5NN", xcode is "C.S.D" with the
 * same class (RFC 3463: subject 0-999, detail 0-999) */
int mg_smtp_code_check(const char *code, const char *xcode,
		       struct mg_error *err);

#endif
