/*
 * mg_config.c - the table-driven "key = value" loader (see mg_config.h)
 *
 * parse (lines -> logical settings) -> convert (typed values through the
 * spec row) -> store (into the daemon's struct at spec->offset).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_config.h"

#define FIELD(cfg, spec, type) ((type *)((char *)(cfg) + (spec)->offset))
#define CFIELD(cfg, spec, type) \
	((const type *)((const char *)(cfg) + (spec)->offset))

static int
str_ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* parse_digits - unsigned decimal prefix of s; *end set after it; -1 on
 * no digits or overflow */
static int
parse_digits(const char *s, const char **end, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*end = p;
	*out = v;
	return 0;
}

int
mg_config_parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v, mul = 1;
	const char *p;

	if (parse_digits(s, &p, &v) < 0)
		return -1;
	switch (*p) {
	case 'k': case 'K': mul = 1ULL << 10; p++; break;
	case 'm': case 'M': mul = 1ULL << 20; p++; break;
	case 'g': case 'G': mul = 1ULL << 30; p++; break;
	case 't': case 'T': mul = 1ULL << 40; p++; break;
	default: break;
	}
	if (mul != 1 && (p[0] == 'i' || p[0] == 'I') && (p[1] == 'b' || p[1] == 'B'))
		p += 2;
	else if (*p == 'b' || *p == 'B')
		p++;
	if (*p != '\0')
		return -1;
	if (v > ULLONG_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

int
mg_config_parse_duration(const char *s, long long *out_ms)
{
	static const struct { const char *unit; long long ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "w", 604800000 }, { "", 1000 },
	};
	unsigned long long v;
	const char *p;
	size_t i;

	if (parse_digits(s, &p, &v) < 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		if (v > (unsigned long long)(LLONG_MAX / units[i].ms))
			return -1;
		*out_ms = (long long)v * units[i].ms;
		return 0;
	}
	return -1;
}

int
mg_config_parse_bool(const char *s, bool *out)
{
	if (str_ieq(s, "yes") || str_ieq(s, "true") || str_ieq(s, "on") ||
	    strcmp(s, "1") == 0) {
		*out = true;
		return 0;
	}
	if (str_ieq(s, "no") || str_ieq(s, "false") || str_ieq(s, "off") ||
	    strcmp(s, "0") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

const char *
mg_config_enum_name(const struct mg_cfg_enum *enums, int value)
{
	for (; enums != NULL && enums->name != NULL; enums++)
		if (enums->value == value)
			return enums->name;
	return "?";
}

static void
strlist_free(struct mg_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* strlist_parse - split on commas and whitespace */
static int
strlist_parse(const char *s, struct mg_strlist *l)
{
	const char *p = s;

	l->n = 0;
	l->v = NULL;
	while (*p != '\0') {
		size_t len;
		char **nv;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t");
		nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
		if (nv == NULL)
			goto fail;
		l->v = nv;
		if ((l->v[l->n] = strndup(p, len)) == NULL)
			goto fail;
		l->n++;
		p += len;
	}
	return 0;
fail:
	strlist_free(l);
	return -1;
}

static int
in_range(const struct mg_cfg_spec *sp, long long v)
{
	if (sp->min == 0 && sp->max == 0)
		return 1;
	return v >= sp->min && v <= sp->max;
}

/* One setter per value type: convert val for row sp and store it into
 * cfg; where is "file:line", the message prefix. */
typedef int setter_fn(const struct mg_cfg_spec *sp, void *cfg, const char *val,
		      const char *where, struct mg_error *err);

/* set_string - any text, copied */
static int
set_string(const struct mg_cfg_spec *sp, void *cfg, const char *val,
	   const char *where, struct mg_error *err)
{
	char *copy = strdup(val), **slot = FIELD(cfg, sp, char *);

	(void)where;
	if (copy == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

/* set_bool - yes/no and friends */
static int
set_bool(const struct mg_cfg_spec *sp, void *cfg, const char *val,
	 const char *where, struct mg_error *err)
{
	if (mg_config_parse_bool(val, FIELD(cfg, sp, bool)) < 0)
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: %s: bad boolean \"%.64s\" (use yes or no)",
		    where, sp->key, val);
	return 0;
}

/* set_int - a decimal number within the row's bounds */
static int
set_int(const struct mg_cfg_spec *sp, void *cfg, const char *val,
	const char *where, struct mg_error *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(val, &end, 10);
	if (*val == '\0' || *end != '\0' || errno != 0 ||
	    isspace((unsigned char)*val))
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: %s: bad number \"%.64s\"", where, sp->key, val);
	if (!in_range(sp, v))
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: %s: %lld is out of range [%lld, %lld]", where,
		    sp->key, v, sp->min, sp->max);
	*FIELD(cfg, sp, long long) = v;
	return 0;
}

/* set_size - bytes with an optional binary multiple */
static int
set_size(const struct mg_cfg_spec *sp, void *cfg, const char *val,
	 const char *where, struct mg_error *err)
{
	unsigned long long v;

	if (mg_config_parse_size(val, &v) < 0)
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: %s: bad size \"%.64s\" (examples: 1048576, 512K, 10M, 1G)",
		    where, sp->key, val);
	if (!(sp->min == 0 && sp->max == 0) &&
	    (v < (unsigned long long)sp->min ||
	     v > (unsigned long long)sp->max))
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: %s: %llu is out of range [%lld, %lld]", where,
		    sp->key, v, sp->min, sp->max);
	*FIELD(cfg, sp, unsigned long long) = v;
	return 0;
}

/* set_duration - milliseconds from a number and a unit */
static int
set_duration(const struct mg_cfg_spec *sp, void *cfg, const char *val,
	     const char *where, struct mg_error *err)
{
	long long v;

	if (mg_config_parse_duration(val, &v) < 0)
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: %s: bad duration \"%.64s\" (examples: 250ms, 30s, 5m, 2h, 5d)",
		    where, sp->key, val);
	if (!in_range(sp, v))
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: %s: %lldms is out of range [%lldms, %lldms]",
		    where, sp->key, v, sp->min, sp->max);
	*FIELD(cfg, sp, long long) = v;
	return 0;
}

/* set_enum - one of the row's names (case-insensitive); the error lists
 * them all */
static int
set_enum(const struct mg_cfg_spec *sp, void *cfg, const char *val,
	 const char *where, struct mg_error *err)
{
	const struct mg_cfg_enum *e;
	char names[256];
	size_t len = 0;

	for (e = sp->enums; e != NULL && e->name != NULL; e++) {
		if (str_ieq(e->name, val)) {
			*FIELD(cfg, sp, int) = e->value;
			return 0;
		}
	}
	names[0] = '\0';
	for (e = sp->enums; e != NULL && e->name != NULL; e++) {
		int n = snprintf(names + len, sizeof(names) - len,
				 "%s%s", len ? ", " : "", e->name);
		if (n < 0 || (size_t)n >= sizeof(names) - len)
			break;
		len += (size_t)n;
	}
	return mg_error_set(err, MG_ERR_CONFIG,
	    "%s: %s: bad value \"%.64s\" (one of: %s)", where, sp->key,
	    val, names);
}

/* set_list - words separated by commas and blanks */
static int
set_list(const struct mg_cfg_spec *sp, void *cfg, const char *val,
	 const char *where, struct mg_error *err)
{
	struct mg_strlist l, *slot = FIELD(cfg, sp, struct mg_strlist);

	(void)where;
	if (strlist_parse(val, &l) < 0)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	strlist_free(slot);
	*slot = l;
	return 0;
}

/* set_removed - a removed key has no field: only its default passes here
 * (a file setting it is refused before) */
static int
set_removed(const struct mg_cfg_spec *sp, void *cfg, const char *val,
	    const char *where, struct mg_error *err)
{
	return 0;
}

static setter_fn *const setters[] = {
	[MG_CFG_STRING] = set_string,
	[MG_CFG_BOOL] = set_bool,
	[MG_CFG_INT] = set_int,
	[MG_CFG_SIZE] = set_size,
	[MG_CFG_DURATION] = set_duration,
	[MG_CFG_ENUM] = set_enum,
	[MG_CFG_LIST] = set_list,
	[MG_CFG_REMOVED] = set_removed,
};

/* set_value - convert text for one spec row through its type's setter */
static int
set_value(const struct mg_cfg_spec *sp, void *cfg, const char *val,
	  const char *where, struct mg_error *err)
{
	if ((size_t)sp->type >= sizeof(setters) / sizeof(setters[0]) ||
	    setters[sp->type] == NULL)
		return mg_error_set(err, MG_ERR_INTERNAL, "%s: %s: unknown type",
				    where, sp->key);
	return setters[sp->type](sp, cfg, val, where, err);
}

void
mg_config_release(const struct mg_cfg_spec *spec, void *cfg)
{
	const struct mg_cfg_spec *sp;

	for (sp = spec; sp->key != NULL; sp++) {
		if (sp->type == MG_CFG_STRING) {
			char **slot = FIELD(cfg, sp, char *);
			free(*slot);
			*slot = NULL;
		} else if (sp->type == MG_CFG_LIST) {
			strlist_free(FIELD(cfg, sp, struct mg_strlist));
		}
	}
}

int
mg_config_defaults(const struct mg_cfg_spec *spec, void *cfg,
		   struct mg_error *err)
{
	const struct mg_cfg_spec *sp;

	for (sp = spec; sp->key != NULL; sp++) {
		if (set_value(sp, cfg, sp->defval ? sp->defval : "",
			      "default", err) < 0) {
			if (err != NULL && err->kind == MG_ERR_CONFIG)
				err->kind = MG_ERR_INTERNAL;
			mg_config_release(spec, cfg);
			return -1;
		}
	}
	return 0;
}

static const struct mg_cfg_spec *
find_spec(const struct mg_cfg_spec *spec, const char *key)
{
	for (; spec->key != NULL; spec++)
		if (strcmp(spec->key, key) == 0)
			return spec;
	return NULL;
}

/* unquote - value in quotes -> its content with escapes resolved */
static int
unquote(char *v, const char *where, struct mg_error *err)
{
	char *r = v + 1, *w = v;

	for (; *r != '\0' && *r != '"'; r++) {
		if (*r == '\\') {
			r++;
			switch (*r) {
			case '"': case '\\': *w++ = *r; break;
			case 'n': *w++ = '\n'; break;
			case 't': *w++ = '\t'; break;
			default:
				return mg_error_set(err, MG_ERR_CONFIG,
				    "%s: bad escape sequence in quoted value", where);
			}
		} else {
			*w++ = *r;
		}
	}
	if (*r != '"')
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: missing closing quote", where);
	if (r[1] != '\0')
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: text after closing quote", where);
	*w = '\0';
	return 0;
}

static void
trim(char **s)
{
	char *p = *s, *e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*e = '\0';
	*s = p;
}

/* apply_setting - one logical "key = value" line */
static int
apply_setting(const struct mg_cfg_spec *spec, void *cfg, unsigned char *seen,
	      char *line, const char *name, unsigned lineno, int subset,
	      struct mg_error *err)
{
	char where[300], *eq, *key, *val;
	const struct mg_cfg_spec *sp;
	size_t i;

	snprintf(where, sizeof(where), "%.256s:%u", name, lineno);
	eq = strchr(line, '=');
	if (eq == NULL)
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: expected \"key = value\"", where);
	*eq = '\0';
	key = line;
	val = eq + 1;
	trim(&key);
	trim(&val);
	if (*key == '\0')
		return mg_error_set(err, MG_ERR_CONFIG, "%s: missing key before '='",
				    where);
	for (i = 0; key[i] != '\0'; i++)
		if (!(islower((unsigned char)key[i]) ||
		      isdigit((unsigned char)key[i]) || key[i] == '_'))
			return mg_error_set(err, MG_ERR_CONFIG,
			    "%s: bad key \"%.64s\"", where, key);
	if ((sp = find_spec(spec, key)) == NULL && subset)
		return 0;               /* another program's setting */
	if (sp == NULL)
		return mg_error_set(err, MG_ERR_CONFIG, "%s: unknown key \"%.64s\"",
				    where, key);
	if (sp->type == MG_CFG_REMOVED)
		return mg_error_set(err, MG_ERR_CONFIG, "%s: %s was removed: %s",
				    where, key, sp->help ? sp->help : "");
	if (seen[sp - spec])
		return mg_error_set(err, MG_ERR_CONFIG,
		    "%s: duplicate key \"%s\"", where, key);
	seen[sp - spec] = 1;
	if (*val == '"' && unquote(val, where, err) < 0)
		return -1;
	return set_value(sp, cfg, val, where, err);
}

/* parse_buffer - mg_config_parse_buffer; subset: keys not in spec are
 * skipped (their values unchecked) instead of refused */
static int
parse_buffer(const struct mg_cfg_spec *spec, void *cfg, const char *name,
	     const char *buf, size_t len, int subset, struct mg_error *err)
{
	const struct mg_cfg_spec *sp;
	unsigned char *seen;
	char *logical;
	size_t nspec = 0, llen = 0, pos = 0;
	unsigned lineno = 0, keyline = 0;
	int have = 0, rc = -1;

	for (sp = spec; sp->key != NULL; sp++)
		nspec++;
	seen = calloc(nspec + 1, 1);
	logical = malloc(MG_CFG_LINE_MAX + 1);
	if (seen == NULL || logical == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		goto out;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		const char *l = buf + pos;
		size_t n = end - pos, i = 0;

		lineno++;
		pos = end + 1;
		if (memchr(l, '\0', n) != NULL) {
			mg_error_set(err, MG_ERR_CONFIG, "%.256s:%u: NUL byte",
				     name, lineno);
			goto out;
		}
		while (i < n && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r'))
			i++;
		if (i == n || l[i] == '#')
			continue;        /* blank or comment line */
		if (i > 0) {             /* continuation */
			if (!have) {
				mg_error_set(err, MG_ERR_CONFIG,
				    "%.256s:%u: continuation line without a setting",
				    name, lineno);
				goto out;
			}
			if (llen + 1 + (n - i) > MG_CFG_LINE_MAX) {
				mg_error_set(err, MG_ERR_CONFIG,
				    "%.256s:%u: line too long", name, keyline);
				goto out;
			}
			logical[llen++] = ' ';
			memcpy(logical + llen, l + i, n - i);
			llen += n - i;
			logical[llen] = '\0';
			continue;
		}
		if (have && apply_setting(spec, cfg, seen, logical, name,
					  keyline, subset, err) < 0)
			goto out;
		if (n > MG_CFG_LINE_MAX) {
			mg_error_set(err, MG_ERR_CONFIG,
			    "%.256s:%u: line too long", name, lineno);
			goto out;
		}
		memcpy(logical, l, n);
		llen = n;
		logical[llen] = '\0';
		keyline = lineno;
		have = 1;
	}
	if (have && apply_setting(spec, cfg, seen, logical, name, keyline,
				  subset, err) < 0)
		goto out;
	rc = 0;
out:
	free(seen);
	free(logical);
	if (rc < 0)
		mg_config_release(spec, cfg);
	return rc;
}

/* read_file - whole file into a malloc'ed buffer, capped at MG_CFG_FILE_MAX */
static char *
read_file(const char *path, size_t *len_r, struct mg_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		mg_error_sys(err, "%s: cannot open", path);
		err->kind = MG_ERR_CONFIG;
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		mg_error_set(err, MG_ERR_CONFIG, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_size > MG_CFG_FILE_MAX) {
		mg_error_set(err, MG_ERR_CONFIG, "%s: file too large", path);
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		goto fail;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mg_error_sys(err, "%s: read", path);
			err->kind = MG_ERR_CONFIG;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*len_r = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

int
mg_config_parse_buffer(const struct mg_cfg_spec *spec, void *cfg,
		       const char *name, const char *buf, size_t len,
		       struct mg_error *err)
{
	return parse_buffer(spec, cfg, name, buf, len, 0, err);
}

int
mg_config_parse_subset(const struct mg_cfg_spec *spec, void *cfg,
		       const char *name, const char *buf, size_t len,
		       struct mg_error *err)
{
	return parse_buffer(spec, cfg, name, buf, len, 1, err);
}

/* load - defaults, then the file's rows (all, or the subset in spec) */
static int
load(const struct mg_cfg_spec *spec, void *cfg, const char *path, int subset,
     struct mg_error *err)
{
	size_t len;
	char *buf;
	int rc;

	if (mg_config_defaults(spec, cfg, err) < 0)
		return -1;
	if (path == NULL)
		return 0;
	if ((buf = read_file(path, &len, err)) == NULL) {
		mg_config_release(spec, cfg);
		return -1;
	}
	rc = parse_buffer(spec, cfg, path, buf, len, subset, err);
	free(buf);
	return rc;
}

int
mg_config_load(const struct mg_cfg_spec *spec, void *cfg, const char *path,
	       struct mg_error *err)
{
	return load(spec, cfg, path, 0, err);
}

int
mg_config_load_subset(const struct mg_cfg_spec *spec, void *cfg,
		      const char *path, struct mg_error *err)
{
	return load(spec, cfg, path, 1, err);
}

void
mg_config_put_quoted(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		if (*s == '\n')
			fputs("\\n", fp);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

/* fmt_scaled - largest unit that divides v exactly */
static void
fmt_scaled(FILE *fp, unsigned long long v, const unsigned long long *mul,
	   const char *const *unit, size_t n)
{
	size_t i;

	for (i = n; i-- > 0;) {
		if (v != 0 && mul[i] != 0 && v % mul[i] == 0) {
			fprintf(fp, "%llu%s", v / mul[i], unit[i]);
			return;
		}
	}
	fprintf(fp, "%llu%s", v, unit[0]);
}

void
mg_config_dump(const struct mg_cfg_spec *spec, const void *cfg, FILE *fp)
{
	static const unsigned long long smul[] = { 1, 1ULL << 10, 1ULL << 20,
		1ULL << 30, 1ULL << 40 };
	static const char *const sunit[] = { "", "K", "M", "G", "T" };
	static const unsigned long long dmul[] = { 1, 1000, 60000, 3600000,
		86400000 };
	static const char *const dunit[] = { "ms", "s", "m", "h", "d" };
	const struct mg_cfg_spec *sp;
	size_t i;

	for (sp = spec; sp->key != NULL; sp++) {
		if (sp->type == MG_CFG_REMOVED)
			continue;
		if (sp->help != NULL)
			fprintf(fp, "# %s\n", sp->help);
		fprintf(fp, "%s =", sp->key);
		switch (sp->type) {
		case MG_CFG_STRING: {
			const char *s = *CFIELD(cfg, sp, char *);
			if (s == NULL || *s == '\0')
				break;
			if (strstr(sp->key, "password") != NULL) {
				fputs(" ********", fp);
				break;
			}
			fputc(' ', fp);
			if (s[0] == ' ' || s[strlen(s) - 1] == ' ' ||
			    strchr(s, '\n') || s[0] == '"') {
				mg_config_put_quoted(fp, s);
			} else {
				fputs(s, fp);
			}
			break;
		}
		case MG_CFG_BOOL:
			fputs(*CFIELD(cfg, sp, bool) ? " yes" : " no", fp);
			break;
		case MG_CFG_INT:
			fprintf(fp, " %lld", *CFIELD(cfg, sp, long long));
			break;
		case MG_CFG_SIZE:
			fputc(' ', fp);
			fmt_scaled(fp, *CFIELD(cfg, sp, unsigned long long),
				   smul, sunit, 5);
			break;
		case MG_CFG_DURATION:
			fputc(' ', fp);
			fmt_scaled(fp, (unsigned long long)*CFIELD(cfg, sp, long long),
				   dmul, dunit, 5);
			break;
		case MG_CFG_ENUM:
			fprintf(fp, " %s", mg_config_enum_name(sp->enums,
				*CFIELD(cfg, sp, int)));
			break;
		case MG_CFG_LIST: {
			const struct mg_strlist *l =
				CFIELD(cfg, sp, struct mg_strlist);
			for (i = 0; i < l->n; i++)
				fprintf(fp, " %s", l->v[i]);
			break;
		}
		case MG_CFG_REMOVED:
			break;
		}
		fputc('\n', fp);
	}
}
