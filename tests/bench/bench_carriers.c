/*
 * bench_carriers.c - libclamav against libarchive on the carrier corpus
 * (issue 11): which member names each one reports, at what cost.
 *
 *   bench_carriers [-n ROUNDS] [-v] MANIFEST DIR
 *
 * MANIFEST is tests/material/manifest.tsv, DIR what tests/material/carriers.sh
 * wrote (with --big for the 9 MB ISO and 7z).  Each lister runs in its own child
 * process so its peak RSS (wait4) is its own:
 *   clamav      libclamav, an engine with no signatures (cl_engine_compile on an
 *               empty engine), names from clcb_meta and clcb_file_inspection,
 *               every CL_SCAN_PARSE_* on, heuristics for encrypted archives
 *   libarchive  archive_read_support_format_all + filter_all, headers only, a
 *               member that is itself an archive listed from memory (depth <= 3),
 *               raw format for single compressed files (name = file minus suffix)
 *   libarchive+ the same plus two more passes over ISO 9660 (!rockridge, then
 *               !joliet,!rockridge) so Joliet-only and plain names count
 * A row counts as found when its expected name (basename, case-insensitive, ISO
 * ";1" ignored) is reported, or for names_encrypted rows when the lister says
 * the archive is encrypted.  Printed: per-row verdicts (-v), names found per
 * format and in total, CPU ms per attachment (mean of ROUNDS runs over the
 * corpus rows below 8 MB), MB/s on bench_iso.iso and bench_7z.7z, peak RSS.
 */
#include <archive.h>
#include <archive_entry.h>
#include <clamav.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../unit/material_name.h"

#define MAX_ROWS 128
#define MAX_NAMES 64
#define NAME_LEN 256
#define INNER_MAX (16u << 20)
#define DEPTH_MAX 3

struct row {
	char file[NAME_LEN], name[NAME_LEN], anomaly[64], format[32];
};

struct seen {			/* what one listing reported */
	char names[MAX_NAMES][NAME_LEN];
	int n, encrypted;
};

enum tool { T_CLAMAV, T_ARCHIVE, T_ARCHIVE_ISO, T_COUNT };
static const char *tool_name[T_COUNT] = { "clamav", "libarchive", "libarchive+iso" };

struct bench {			/* the run's context */
	struct row rows[MAX_ROWS];
	int nrows, rounds, verbose;
	const char *dir;
	struct cl_engine *engine;
};

static void
seen_add(struct seen *s, const char *name)
{
	if (name == NULL || s->n >= MAX_NAMES)
		return;
	snprintf(s->names[s->n++], NAME_LEN, "%s", name);
}

/* ---- libclamav ------------------------------------------------------------ */

static cl_error_t
on_meta(const char *ctype, unsigned long csize, const char *name, unsigned long size,
	int enc, unsigned int pos, void *ctx)
{
	struct seen *s = ctx;

	(void)ctype; (void)csize; (void)size; (void)pos;
	seen_add(s, name);
	if (enc)
		s->encrypted = 1;
	return CL_CLEAN;
}

static cl_error_t
on_inspect(int fd, const char *type, const char **anc, size_t psize, const char *name,
	   size_t size, const char *buf, uint32_t level, uint32_t attrs, void *ctx)
{
	(void)fd; (void)type; (void)anc; (void)psize; (void)size; (void)buf;
	(void)level; (void)attrs;
	seen_add(ctx, name);
	return CL_CLEAN;
}

static int
clam_setup(struct bench *b)
{
	if (cl_init(CL_INIT_DEFAULT) != CL_SUCCESS || (b->engine = cl_engine_new()) == NULL)
		return -1;
	cl_engine_set_num(b->engine, CL_ENGINE_MAX_FILESIZE, 100L << 20);
	cl_engine_set_num(b->engine, CL_ENGINE_MAX_SCANSIZE, 200L << 20);
	cl_engine_set_clcb_meta(b->engine, on_meta);
	cl_engine_set_clcb_file_inspection(b->engine, on_inspect);
	return cl_engine_compile(b->engine) == CL_SUCCESS ? 0 : -1;
}

static void
clam_list(struct bench *b, const char *path, struct seen *s)
{
	struct cl_scan_options o = { 0 };
	const char *virname = NULL;
	unsigned long scanned = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	o.general = CL_SCAN_GENERAL_ALLMATCHES | CL_SCAN_GENERAL_HEURISTICS;
	o.parse = ~0u;
	o.heuristic = CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE;
	o.mail = 0;
	if (cl_scandesc_callback(fd, path, &virname, &scanned, b->engine, &o, s) == CL_VIRUS &&
	    virname != NULL && strstr(virname, "Encrypted") != NULL)
		s->encrypted = 1;
	close(fd);
}

/* ---- libarchive ----------------------------------------------------------- */

static void la_list(const void *buf, size_t len, const char *name, const char *opts,
		    int depth, struct seen *s);

static struct archive *
la_open(const void *buf, size_t len, const char *opts, int raw)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	if (raw)
		archive_read_support_format_raw(a);
	else
		archive_read_support_format_all(a);
	if (opts != NULL)
		archive_read_set_options(a, opts);
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static void
la_note_error(struct archive *a, struct seen *s)
{
	const char *e = archive_error_string(a);

	if (e != NULL && strstr(e, "ncrypt") != NULL)
		s->encrypted = 1;
}

/* la_member - read one member into memory and list it if it is an archive */
static void
la_member(struct archive *a, const char *name, int depth, struct seen *s)
{
	size_t cap = INNER_MAX, got = 0;
	unsigned char *buf;
	ssize_t n;

	if (depth >= DEPTH_MAX || (buf = malloc(cap)) == NULL)
		return;
	while (got < cap && (n = archive_read_data(a, buf + got, cap - got)) > 0)
		got += (size_t)n;
	if (got > 0)
		la_list(buf, got, name, NULL, depth + 1, s);
	free(buf);
}

static void
la_raw_name(const char *outer, char *out, size_t len)
{
	const char *slash = strrchr(outer, '/'), *dot;

	snprintf(out, len, "%s", slash ? slash + 1 : outer);
	if ((dot = strrchr(out, '.')) != NULL && dot != out)
		out[dot - out] = '\0';
}

static void
la_list(const void *buf, size_t len, const char *name, const char *opts, int depth,
	struct seen *s)
{
	struct archive_entry *e;
	struct archive *a;
	int raw = 0, r;
	char inner[NAME_LEN];

	if ((a = la_open(buf, len, opts, 0)) == NULL) {
		/* a single compressed file: raw format, only behind a real filter */
		if ((a = la_open(buf, len, NULL, 1)) == NULL)
			return;
		raw = 1;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (raw && archive_filter_count(a) <= 1)
			break;
		if (raw)
			la_raw_name(name, inner, sizeof inner);
		else
			snprintf(inner, sizeof inner, "%s", archive_entry_pathname_utf8(e) ?
				 archive_entry_pathname_utf8(e) : archive_entry_pathname(e) ?
				 archive_entry_pathname(e) : "");
		seen_add(s, inner);
		if (archive_entry_is_encrypted(e))
			s->encrypted = 1;
		la_member(a, inner, depth, s);
	}
	if (r == ARCHIVE_FATAL)
		la_note_error(a, s);
	archive_read_free(a);
}

static void
la_list_file(const char *path, int iso_passes, struct seen *s)
{
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	la_list(map, (size_t)st.st_size, path, NULL, 0, s);
	if (iso_passes && st.st_size > 0x8006 && memcmp((char *)map + 0x8001, "CD001", 5) == 0) {
		la_list(map, (size_t)st.st_size, path, "iso9660:!rockridge", 0, s);
		la_list(map, (size_t)st.st_size, path, "iso9660:!joliet,!rockridge", 0, s);
	}
	munmap(map, (size_t)st.st_size);
}

/* ---- the corpus ------------------------------------------------------------ */

static int
manifest_read(struct bench *b, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while (b->nrows < MAX_ROWS && fgets(line, sizeof line, f) != NULL) {
		struct row *r = &b->rows[b->nrows];
		char *fld[6] = { 0 }, *save = NULL, *t = line;
		int n = 0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		while (n < 6 && (fld[n] = strtok_r(t, "\t", &save)) != NULL)
			n++, t = NULL;
		if (n < 6)
			continue;
		snprintf(r->file, sizeof r->file, "%s", fld[0]);
		snprintf(r->name, sizeof r->name, "%s", fld[2]);
		snprintf(r->anomaly, sizeof r->anomaly, "%s", fld[3]);
		snprintf(r->format, sizeof r->format, "%s", fld[5]);
		b->nrows++;
	}
	fclose(f);
	return 0;
}

static int
row_found(const struct row *r, const struct seen *s)
{
	int i;

	if (strcmp(r->anomaly, "names_encrypted") == 0)
		return s->encrypted;
	if (strcmp(r->name, "-") == 0)
		return 1;
	for (i = 0; i < s->n; i++)
		if (material_same_name(s->names[i], r->name))
			return 1;
	return 0;
}

static void
list_one(struct bench *b, enum tool t, const char *path, struct seen *s)
{
	memset(s, 0, sizeof *s);
	if (t == T_CLAMAV)
		clam_list(b, path, s);
	else
		la_list_file(path, t == T_ARCHIVE_ISO, s);
}

static double
cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* ---- one lister, in a child ------------------------------------------------- */

static void
report_formats(const struct bench *b, const int *found, const int *present)
{
	const char *done[MAX_ROWS];
	int nd = 0, i, j;

	printf("  per format:");
	for (i = 0; i < b->nrows; i++) {
		int k = 0, m = 0, dup = 0;

		for (j = 0; j < nd; j++)
			dup |= strcmp(done[j], b->rows[i].format) == 0;
		if (dup || !present[i])
			continue;
		done[nd++] = b->rows[i].format;
		for (j = i; j < b->nrows; j++)
			if (present[j] && strcmp(b->rows[j].format, b->rows[i].format) == 0)
				k += found[j], m++;
		printf(" %s %d/%d", b->rows[i].format, k, m);
	}
	printf("\n");
}

static void
coverage(struct bench *b, enum tool t, double *cpu_ms)
{
	int found[MAX_ROWS] = { 0 }, present[MAX_ROWS] = { 0 }, i, k = 0, m = 0, small = 0;
	double c0, total = 0;
	char path[2 * NAME_LEN];
	struct seen s;

	for (i = 0; i < b->nrows; i++) {
		const struct row *r = &b->rows[i];
		off_t size;
		int j;

		snprintf(path, sizeof path, "%s/%s", b->dir, r->file);
		if ((size = file_size(path)) < 0)
			continue;
		present[i] = 1;
		c0 = cpu_now();
		list_one(b, t, path, &s);
		found[i] = row_found(r, &s);
		k += found[i], m++;
		if (size < (8 << 20)) {
			for (j = 1; j < b->rounds; j++)
				list_one(b, t, path, &s);
			total += (cpu_now() - c0) / b->rounds, small++;
		}
		if (b->verbose) {
			printf("  %-3s %-30s", found[i] ? "yes" : "NO", r->file);
			for (j = 0; j < s.n && j < 6; j++)
				printf(" [%s]", s.names[j]);
			printf("%s\n", s.encrypted ? " (encrypted)" : "");
		}
	}
	printf("%s: names found %d of %d rows\n", tool_name[t], k, m);
	report_formats(b, found, present);
	*cpu_ms = small ? total * 1000 / small : 0;
}

static void
throughput(struct bench *b, enum tool t, const char *file)
{
	char path[2 * NAME_LEN];
	off_t size;
	double w0, c0;
	struct seen s;
	int i, n = 3;

	snprintf(path, sizeof path, "%s/%s", b->dir, file);
	if ((size = file_size(path)) <= 0) {
		printf("  %s: absent (carriers.sh --big)\n", file);
		return;
	}
	w0 = wall_now();
	c0 = cpu_now();
	for (i = 0; i < n; i++)
		list_one(b, t, path, &s);
	printf("  %s (%.1f MB): %.1f MB/s wall, %.1f MB/s CPU, %s\n", file, size / 1e6,
	       n * size / 1e6 / (wall_now() - w0), n * size / 1e6 / (cpu_now() - c0),
	       row_found(&(struct row){ .name = "Facture.exe", .anomaly = "-" }, &s) ?
	       "Facture.exe seen" : "Facture.exe NOT seen");
}

static int
run_tool(struct bench *b, enum tool t)
{
	double ms;

	if (t == T_CLAMAV && clam_setup(b) < 0) {
		fprintf(stderr, "bench_carriers: libclamav engine setup failed\n");
		return 1;
	}
	coverage(b, t, &ms);
	printf("  CPU per attachment: %.2f ms (mean over the rows < 8 MB, %d rounds)\n",
	       ms, b->rounds);
	throughput(b, t, "bench_iso.iso");
	throughput(b, t, "bench_7z.7z");
	fflush(stdout);
	if (b->engine != NULL)
		cl_engine_free(b->engine);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct bench b = { .rounds = 10 };
	int ch, t, status;
	struct rusage ru;
	pid_t pid;

	while ((ch = getopt(argc, argv, "n:v")) != -1) {
		if (ch == 'n') b.rounds = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else if (ch == 'v') b.verbose = 1;
		else return 2;
	}
	if (argc - optind != 2 || manifest_read(&b, argv[optind]) < 0) {
		fprintf(stderr, "usage: bench_carriers [-n ROUNDS] [-v] MANIFEST DIR\n");
		return 2;
	}
	b.dir = argv[optind + 1];
	/* in the C locale libarchive returns NULL for a non-ASCII member name */
	setlocale(LC_CTYPE, "C.UTF-8");
	for (t = 0; t < T_COUNT; t++) {
		fflush(stdout);
		if ((pid = fork()) == 0)
			_exit(run_tool(&b, (enum tool)t));
		if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
			return 1;
		printf("  peak RSS: %ld KB\n\n", ru.ru_maxrss);
	}
	return 0;
}
