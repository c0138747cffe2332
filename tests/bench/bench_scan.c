/*
 * bench_scan.c - the scanner on files: list what it finds (-v), or
 * measure its throughput in MB/s (hashing and libmagic included).
 *
 *   bench_scan -v FILE...           print every reported file and anomalies
 *   bench_scan [-n ROUNDS] [-m] [-i HELPER] FILE...  scan each file ROUNDS
 *                                   times, print MB/s (-m: without libmagic;
 *                                   -i: with milter-attach's inspector pool,
 *                                   one HELPER process, or "-" in-process)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ma_config.h"
#include "ma_inspect.h"
#include "scan.h"

static int verbose;

static void
on_file(void *ctx, const struct scan_file *f)
{
	size_t i;

	(void)ctx;
	if (!verbose)
		return;
	printf("  file origin=%d depth=%u size=%llu enc=%d mime=%s sha256=%.16s container=%s names=",
	       f->origin, f->depth, f->size, f->encrypted, f->mime_type,
	       f->sha256_hex, f->container ? f->container : "-");
	for (i = 0; i < f->n_names; i++)
		printf("%s[%s]", i ? "," : "", f->names[i]);
	printf("\n");
}

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }
/* this process's CPU (an inspector helper's own CPU is not counted) */
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

/* inspector - milter-attach's pool for helper ("-": in-process), or NULL */
static struct ma_inspect *
inspector(const char *helper, struct ma_config **cfg)
{
	char text[1024];
	struct mg_error err;
	struct ma_inspect *p = NULL;
	int inproc = strcmp(helper, "-") == 0;

	snprintf(text, sizeof(text), "inspect_workers = %d\ninspect_spool_dir = /var/tmp\n"
		 "%s%s\n", inproc ? 0 : 1, inproc ? "" : "inspect_helper = ",
		 inproc ? "" : helper);
	if (ma_config_parse_text(text, cfg, &err) != 0 ||
	    (p = ma_inspect_start(*cfg, &err)) == NULL)
		fprintf(stderr, "bench_scan: %s\n", err.msg);
	return p;
}

int
main(int argc, char **argv)
{
	struct scan_limits lim;
	struct scan_walker *s;
	struct mg_error err;
	int ch, rounds = 20, i, nomagic = 0;
	const char *helper = NULL;
	struct ma_config *cfg = NULL;
	struct ma_inspect *pool = NULL;

	while ((ch = getopt(argc, argv, "vmn:i:")) != -1) {
		if (ch == 'v') verbose = 1;
		else if (ch == 'm') nomagic = 1;
		else if (ch == 'n') rounds = atoi(optarg);
		else if (ch == 'i') helper = optarg;
		else return 2;
	}
	scan_limits_default(&lim);
	lim.magic = !nomagic;
	if ((s = scan_walker_new(&lim, on_file, NULL, &err)) == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (helper != NULL) {
		if ((pool = inspector(helper, &cfg)) == NULL)
			return 1;
		scan_walker_set_inspector(s, ma_inspect_list, pool, "/var/tmp", 100ull << 20);
	}
	for (i = optind; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		char *buf;
		long len;
		int r, n = verbose ? 1 : rounds;
		double t0, dt, c0, dc;
		struct scan_summary sum;

		if (fp == NULL) { perror(argv[i]); return 1; }
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		rewind(fp);
		buf = malloc((size_t)len + 1);
		if (fread(buf, 1, (size_t)len, fp) != (size_t)len) return 1;
		fclose(fp);
		t0 = now();
		c0 = cpu();
		for (r = 0; r < n; r++) {
			size_t off;
			scan_walker_reset(s);
			/* Postfix hands milters body chunks of up to 64 KiB */
			for (off = 0; off < (size_t)len; off += 65536)
				scan_walker_feed(s, buf + off, (size_t)len - off < 65536 ?
						 (size_t)len - off : 65536);
			scan_walker_finish(s, &sum);
		}
		dt = now() - t0;
		dc = cpu() - c0;
		if (verbose)
			printf("%s: parts=%u files=%u anomalies=0x%x depth=%u\n", argv[i],
			       sum.parts, sum.files, sum.anomalies, sum.max_depth_seen);
		else
			printf("%-40s %9ld bytes  %8.1f MB/s  %8.1f MB/s CPU\n", argv[i],
			       len, (double)len * n / dt / 1e6, (double)len * n / dc / 1e6);
		free(buf);
	}
	scan_walker_free(&s);
	ma_inspect_stop(&pool);
	ma_config_unref(&cfg);
	return 0;
}
