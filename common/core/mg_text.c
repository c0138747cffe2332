/*
 * mg_text.c - %{name} templates and SMTP reply code checks (see mg_text.h)
 */
#include <ctype.h>
#include <string.h>

#include "mg_text.h"

const struct mg_cfg_enum mg_lang_enums[] = {
	{ "fr", MG_LANG_FR },
	{ "en", MG_LANG_EN },
	{ NULL, 0 },
};

#define VAR_NAME_MAX 64

/* next_var - at tmpl[i] == '%': parse "%%" or "%{name}".  Returns the
 * length consumed, 0 for a literal '%' (name_r empty), -1 on bad syntax. */
static int
next_var(const char *t, char *name_r)
{
	size_t n;

	name_r[0] = '\0';
	if (t[1] == '%')
		return 2;
	if (t[1] != '{')
		return -1;
	for (n = 0; t[2 + n] != '}'; n++) {
		char c = t[2 + n];
		if (n >= VAR_NAME_MAX - 1 ||
		    !(isalnum((unsigned char)c) || c == '_'))
			return -1;
		name_r[n] = c;
	}
	if (n == 0)
		return -1;
	name_r[n] = '\0';
	return (int)n + 3;
}

int
mg_template_expand(const char *tmpl, const struct mg_tvar *vars, size_t nvars,
		   char *out, size_t outsz, struct mg_error *err)
{
	char name[VAR_NAME_MAX];
	size_t o = 0, i;
	int overflow = 0;

	if (outsz == 0)
		return mg_error_set(err, MG_ERR_LIMIT, "no room for text");
	while (*tmpl != '\0') {
		const char *val;
		size_t vlen;
		int used;

		if (*tmpl != '%') {
			val = tmpl;
			vlen = strcspn(tmpl, "%");
			tmpl += vlen;
		} else {
			if ((used = next_var(tmpl, name)) < 0) {
				out[o] = '\0';
				return mg_error_set(err, MG_ERR_PARSE,
				    "bad '%%' in template (use %%%% or %%{name})");
			}
			tmpl += used;
			if (name[0] == '\0') {
				val = "%";
			} else {
				for (i = 0; i < nvars; i++)
					if (strcmp(vars[i].name, name) == 0)
						break;
				if (i == nvars) {
					out[o] = '\0';
					return mg_error_set(err, MG_ERR_PARSE,
					    "unknown template variable %%{%s}", name);
				}
				val = vars[i].value ? vars[i].value : "";
			}
			vlen = strlen(val);
		}
		if (vlen >= outsz - o) {
			vlen = outsz - o - 1;
			overflow = 1;
		}
		memcpy(out + o, val, vlen);
		o += vlen;
		if (overflow)
			break;
	}
	out[o] = '\0';
	if (overflow)
		return mg_error_set(err, MG_ERR_LIMIT, "expanded text too long");
	return (int)o;
}

int
mg_template_check(const char *tmpl, const char *const *allowed,
		  struct mg_error *err)
{
	char name[VAR_NAME_MAX];
	size_t i;
	int used;

	for (; *tmpl != '\0'; tmpl++) {
		if (*tmpl != '%')
			continue;
		if ((used = next_var(tmpl, name)) < 0)
			return mg_error_set(err, MG_ERR_CONFIG,
			    "bad '%%' in template (use %%%% or %%{name})");
		if (name[0] != '\0') {
			for (i = 0; allowed[i] != NULL; i++)
				if (strcmp(allowed[i], name) == 0)
					break;
			if (allowed[i] == NULL)
				return mg_error_set(err, MG_ERR_CONFIG,
				    "unknown template variable %%{%s}", name);
		}
		tmpl += used - 1;
	}
	return 0;
}

/* number_0_999 - digits "0".."999" without leading zeros; advances *p */
static int
number_0_999(const char **p)
{
	const char *s = *p;
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	*p = s + n;
	return 0;
}

int
mg_smtp_code_check(const char *code, const char *xcode, struct mg_error *err)
{
	const char *p = xcode;

	if (strlen(code) != 3 || (code[0] != '4' && code[0] != '5') ||
	    !isdigit((unsigned char)code[1]) || !isdigit((unsigned char)code[2]))
		return mg_error_set(err, MG_ERR_CONFIG,
		    "SMTP reply code \"%.8s\" is not 4NN or 5NN", code);
	if (p[0] != code[0] || p[1] != '.')
		return mg_error_set(err, MG_ERR_CONFIG,
		    "enhanced status code \"%.16s\" does not match class %c",
		    xcode, code[0]);
	p += 2;
	if (number_0_999(&p) < 0 || *p++ != '.' || number_0_999(&p) < 0 ||
	    *p != '\0')
		return mg_error_set(err, MG_ERR_CONFIG,
		    "bad enhanced status code \"%.16s\" (RFC 3463: class.subject.detail)",
		    xcode);
	return 0;
}
