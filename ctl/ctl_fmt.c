/*
 * ctl_fmt.c - spans, times, tables, JSON and Prometheus text (see ctl_fmt.h)
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_fmt.h"
#include "mg_clock.h"
#include "mg_config.h"

void
ctl_fmt_span(long long secs, char *out, size_t outsz)
{
	static const struct { long long s; const char *name; } u[] = {
		{ 86400, "d" }, { 3600, "h" }, { 60, "min" }, { 1, "s" },
	};
	size_t i;

	if (secs < 0)
		secs = 0;
	for (i = 0; i + 1 < sizeof(u) / sizeof(u[0]) && secs < u[i].s; i++)
		;
	if (i + 1 < sizeof(u) / sizeof(u[0]) && secs % u[i].s >= u[i + 1].s)
		snprintf(out, outsz, "%lld %s %lld %s", secs / u[i].s, u[i].name,
			 secs % u[i].s / u[i + 1].s, u[i + 1].name);
	else
		snprintf(out, outsz, "%lld %s", secs / u[i].s, u[i].name);
}

void
ctl_fmt_local(long long t, char *out, size_t outsz)
{
	if (mg_time_local(t, "%Y-%m-%d %H:%M:%S %Z", out, outsz) < 0)
		snprintf(out, outsz, "@%lld", t);
}

void
ctl_fmt_bytes(long long n, char *out, size_t outsz)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int i = -1;

	if (n < 1024) {
		snprintf(out, outsz, "%lld B", n);
		return;
	}
	while (v >= 1024 && i < 3) {
		v /= 1024;
		i++;
	}
	snprintf(out, outsz, "%.1f %s", v, unit[i]);
}

/* utf8_len - length of a valid UTF-8 sequence at s, 0 if invalid */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void
ctl_json_str(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	while (*p != '\0') {
		size_t n = utf8_len(p);
		if (*p == '"' || *p == '\\') {
			fputc('\\', fp);
			fputc(*p, fp);
		} else if (*p == '\n') {
			fputs("\\n", fp);
		} else if (*p < 0x20 || *p == 0x7f || n == 0) {
			fprintf(fp, "\\u%04x", *p);   /* a stray byte as a code point */
			n = 1;
		} else {
			fwrite(p, 1, n, fp);
			p += n;
			continue;
		}
		p++;
	}
	fputc('"', fp);
}

int
ctl_prom_name(const char *component, const char *counter, char *out,
	      size_t outsz)
{
	int n = snprintf(out, outsz, "mailguard_%s_%s_total", component, counter);
	size_t i;

	if (n < 0 || (size_t)n >= outsz)
		return -1;
	for (i = 0; out[i] != '\0'; i++)
		if (!isalnum((unsigned char)out[i]) || (unsigned char)out[i] >= 0x80)
			out[i] = '_';
	return 0;
}

void
ctl_prom_label(FILE *fp, const char *s)
{
	mg_config_put_quoted(fp, s);     /* the same three escapes */
}

struct ctl_table {
	size_t ncols, nrows, cap;
	char **heads;        /* ncols, or NULL */
	char **cells;        /* nrows * ncols */
};

/* cell_dup - a copy of s ("-" for NULL) with control bytes as '?': the
 * text comes from Redis and goes to a terminal */
static char *
cell_dup(const char *s)
{
	char *d = strdup(s ? s : "-"), *c;

	for (c = d; c != NULL && *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return d;
}

struct ctl_table *
ctl_table_new(size_t ncols, const char *const *headings)
{
	struct ctl_table *t = calloc(1, sizeof(*t));
	size_t i;

	if (t == NULL)
		return NULL;
	t->ncols = ncols;
	if (headings != NULL) {
		if ((t->heads = calloc(ncols, sizeof(char *))) == NULL) {
			free(t);
			return NULL;
		}
		for (i = 0; i < ncols; i++)
			if ((t->heads[i] = cell_dup(headings[i])) == NULL) {
				ctl_table_free(&t);
				return NULL;
			}
	}
	return t;
}

int
ctl_table_add(struct ctl_table *t, const char *const *cells)
{
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(char *));
		if (c == NULL)
			return -1;
		t->cells = c;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++) {
		char **slot = &t->cells[t->nrows * t->ncols + i];
		if ((*slot = cell_dup(cells[i])) == NULL) {
			while (i-- > 0)
				free(t->cells[t->nrows * t->ncols + i]);
			return -1;
		}
	}
	t->nrows++;
	return 0;
}

size_t
ctl_table_rows(const struct ctl_table *t)
{
	return t->nrows;
}

/* print_row - one row padded to widths */
static void
print_row(const struct ctl_table *t, char *const *row, const size_t *width,
	  unsigned right, FILE *fp)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		int w = (int)width[i];
		const char *sep = i + 1 < t->ncols ? "  " : "\n";
		if (right & (1u << i))
			fprintf(fp, "%*s%s", w, row[i], sep);
		else if (i + 1 < t->ncols)
			fprintf(fp, "%-*s%s", w, row[i], sep);
		else
			fprintf(fp, "%s%s", row[i], sep);
	}
}

void
ctl_table_print(const struct ctl_table *t, unsigned right, FILE *fp)
{
	size_t *width = calloc(t->ncols, sizeof(size_t)), i, r;

	if (width == NULL)
		return;
	for (i = 0; i < t->ncols; i++) {
		if (t->heads != NULL)
			width[i] = strlen(t->heads[i]);
		for (r = 0; r < t->nrows; r++) {
			size_t l = strlen(t->cells[r * t->ncols + i]);
			if (l > width[i])
				width[i] = l;
		}
	}
	if (t->heads != NULL)
		print_row(t, t->heads, width, right, fp);
	for (r = 0; r < t->nrows; r++)
		print_row(t, &t->cells[r * t->ncols], width, right, fp);
	free(width);
}

void
ctl_table_free(struct ctl_table **tp)
{
	struct ctl_table *t = *tp;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; t->heads != NULL && i < t->ncols; i++)
		free(t->heads[i]);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->heads);
	free(t->cells);
	free(t);
	*tp = NULL;
}
