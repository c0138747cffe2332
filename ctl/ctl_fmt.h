/*
 * ctl_fmt.h - how mailguard-ctl writes things: spans ("3 d 4 h"), local
 * times, aligned tables for people, JSON strings and Prometheus names for
 * programs.  Pure (no Redis), unit-tested in test_ctl_fmt.c.
 */
#ifndef CTL_FMT_H
#define CTL_FMT_H

#include <stddef.h>
#include <stdio.h>

#define CTL_SPAN_MAX 32
#define CTL_TIME_MAX 48

/* ctl_fmt_span - a duration in seconds as its two largest units:
 * "3 d 4 h", "4 h 12 min", "12 min", "45 s" (negative: as 0 s) */
void ctl_fmt_span(long long secs, char *out, size_t outsz);

/* ctl_fmt_local - unix seconds as "2026-12-02 17:03:04 CET" (the local
 * time zone, TZ) */
void ctl_fmt_local(long long t, char *out, size_t outsz);

/* ctl_fmt_bytes - "1.5 MiB", "512 B" */
void ctl_fmt_bytes(long long n, char *out, size_t outsz);

/* ctl_json_str - s as a JSON string (escaped; invalid UTF-8 bytes and
 * controls as \u00XX); NULL as null */
void ctl_json_str(FILE *fp, const char *s);

/* ctl_prom_name - "mailguard_<component>_<counter>_total", every byte
 * other than [a-zA-Z0-9_] as '_'; -1 when it does not fit */
int ctl_prom_name(const char *component, const char *counter, char *out,
		  size_t outsz);

/* ctl_prom_label - a label value, quoted, with \\ \" \n escaped */
void ctl_prom_label(FILE *fp, const char *s);

/* A table printed with aligned columns (the last one not padded) */
struct ctl_table;

/* ctl_table_new - ncols columns, their headings (NULL: no heading line);
 * NULL on ENOMEM */
struct ctl_table *ctl_table_new(size_t ncols, const char *const *headings);
/* ctl_table_add - one row of ncols cells (copied, control bytes as '?',
 * NULL as "-"); -1 on ENOMEM */
int ctl_table_add(struct ctl_table *t, const char *const *cells);
size_t ctl_table_rows(const struct ctl_table *t);
/* ctl_table_print - headings then rows; right: bit i set = column i is
 * right-aligned (numbers) */
void ctl_table_print(const struct ctl_table *t, unsigned right, FILE *fp);
void ctl_table_free(struct ctl_table **t);

#endif
