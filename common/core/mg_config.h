/*
 * mg_config.h - the table-driven configuration loader shared by the daemons
 *
 * A daemon describes its settings as a table of struct mg_cfg_spec rows
 * (key, type, default, offset of the field in the daemon's own config
 * struct, bounds) and loads a file of "key = value" lines into a freshly
 * allocated struct.  The loaded struct is never modified afterwards: a
 * reload loads a new one and swaps it (see mg_config_load()).
 *
 * File syntax (like Postfix main.cf):
 *   # comment                    (only at the start of a line)
 *   key = value                  (whitespace around '=' and at both ends
 *                                 of the value is ignored)
 *     continued text             (a line starting with whitespace continues
 *                                 the previous value, joined with one space)
 *   key = "  quoted value  "     (double quotes keep spaces; \" \\ \n \t)
 * Unknown keys, duplicate keys, bad values and out-of-range values are
 * errors reported as "file:line: message".
 *
 * Value types:
 *   MG_CFG_STRING    char *             any text (may be empty)
 *   MG_CFG_BOOL      bool               yes/no, true/false, on/off, 1/0
 *   MG_CFG_INT       long long          decimal, within [min, max]
 *   MG_CFG_SIZE      unsigned long long bytes: "1048576", "512K", "10M",
 *                                       "1G", "2T" (binary multiples; an
 *                                       optional "B" or "iB" may follow)
 *   MG_CFG_DURATION  long long          milliseconds: "250ms", "30s", "5m",
 *                                       "2h", "5d", "1w"; a bare number is
 *                                       seconds
 *   MG_CFG_ENUM      int                one of the names in spec->enums
 *   MG_CFG_LIST      struct mg_strlist  words separated by commas and/or
 *                                       whitespace
 *   MG_CFG_REMOVED   (no field)         a key that no longer exists: a file
 *                                       that sets it fails with
 *                                       "file:line: key was removed: help"
 */
#ifndef MG_CONFIG_H
#define MG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mg_error.h"

enum mg_cfg_type {
	MG_CFG_STRING,
	MG_CFG_BOOL,
	MG_CFG_INT,
	MG_CFG_SIZE,
	MG_CFG_DURATION,
	MG_CFG_ENUM,
	MG_CFG_LIST,
	MG_CFG_REMOVED,
};

struct mg_cfg_enum {
	const char *name;
	int value;
};

struct mg_strlist {
	size_t n;
	char **v;
};

struct mg_cfg_spec {
	const char *key;
	enum mg_cfg_type type;
	const char *defval;       /* parsed like a file value; NULL = "" */
	size_t offset;            /* offsetof(daemon_config, field) */
	long long min, max;       /* INT/SIZE/DURATION bounds; both 0 = none */
	const struct mg_cfg_enum *enums; /* MG_CFG_ENUM: {NULL,0}-terminated */
	const char *help;         /* one line, printed by -t */
};
/* A spec table ends with a row whose key is NULL. */

/* Size limits of the loader itself. */
#define MG_CFG_LINE_MAX  8192   /* one logical line, continuations included */
#define MG_CFG_FILE_MAX  (1024 * 1024)

/* mg_config_parse_size - strict size parser; 0 ok, -1 bad syntax/overflow */
int mg_config_parse_size(const char *s, unsigned long long *out);
/* mg_config_parse_duration - strict duration parser, result in ms */
int mg_config_parse_duration(const char *s, long long *out_ms);
/* mg_config_parse_bool - 0 ok, -1 not a boolean word */
int mg_config_parse_bool(const char *s, bool *out);

/* mg_config_defaults - fill cfg from the spec defaults (cfg zeroed first).
 * An invalid default is a bug and is reported as MG_ERR_INTERNAL. */
int mg_config_defaults(const struct mg_cfg_spec *spec, void *cfg,
		       struct mg_error *err);

/* mg_config_parse_buffer - apply "key = value" text over the defaults.
 * name is used in "name:line:" messages.  On failure cfg is released. */
int mg_config_parse_buffer(const struct mg_cfg_spec *spec, void *cfg,
			   const char *name, const char *buf, size_t len,
			   struct mg_error *err);

/* mg_config_load - defaults + the file at path (NULL: defaults only) */
int mg_config_load(const struct mg_cfg_spec *spec, void *cfg,
		   const char *path, struct mg_error *err);

/* mg_config_parse_subset / mg_config_load_subset - the same for a program
 * that reads a few rows of another program's file (mailguard-ctl reads
 * the Redis settings of policyd-quota.conf): keys not in spec are
 * skipped without checking their values; the rows in spec are checked as
 * strictly as by the owner (syntax, duplicates, values) */
int mg_config_parse_subset(const struct mg_cfg_spec *spec, void *cfg,
			   const char *name, const char *buf, size_t len,
			   struct mg_error *err);
int mg_config_load_subset(const struct mg_cfg_spec *spec, void *cfg,
			  const char *path, struct mg_error *err);

/* mg_config_dump - print every effective setting as "key = value" */
void mg_config_dump(const struct mg_cfg_spec *spec, const void *cfg,
		    FILE *fp);

/* mg_config_put_quoted - s in double quotes, '"' and '\\' escaped with
 * a backslash, newline as \n: a quoted value as this loader reads it
 * (also the label-value syntax of Prometheus' text format) */
void mg_config_put_quoted(FILE *fp, const char *s);

/* mg_config_release - free the strings and lists held by cfg */
void mg_config_release(const struct mg_cfg_spec *spec, void *cfg);

/* mg_config_enum_name - name of an enum value in a spec row, or "?" */
const char *mg_config_enum_name(const struct mg_cfg_enum *enums, int value);

#endif
