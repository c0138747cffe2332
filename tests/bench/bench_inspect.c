/*
 * bench_inspect.c - time to list one carrier through the inspector pool
 * (one helper process: request, descriptor, answer) and in-process
 * (inspect_workers = 0), and the scanner's MB/s over the same file
 *
 *   bench_inspect HELPER FILE [ROUNDS]
 * Figures, not assertions.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ma_config.h"
#include "ma_inspect.h"

static void
count(void *ctx, const struct scan_member *m)
{
	(void)m;
	(*(unsigned *)ctx)++;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* run - rounds listings through a pool of workers; ms per listing */
static double
run(const char *helper, unsigned workers, int fd, unsigned long long size,
    unsigned rounds, unsigned *members, unsigned *anomalies)
{
	char text[1024];
	struct ma_config *cfg;
	struct mg_error err;
	struct ma_inspect *p;
	double t0, t;
	unsigned i;

	snprintf(text, sizeof(text), "inspect_workers = %u\ninspect_helper = %s\n",
		 workers, helper);
	if (ma_config_parse_text(text, &cfg, &err) < 0 ||
	    (p = ma_inspect_start(cfg, &err)) == NULL) {
		fprintf(stderr, "bench_inspect: %s\n", err.msg);
		exit(1);
	}
	t0 = now();
	for (i = 0; i < rounds; i++) {
		*members = 0;
		*anomalies = ma_inspect_list(p, fd, size, "bench.iso", 3, 10000,
					     count, members);
	}
	t = (now() - t0) * 1000 / rounds;
	ma_inspect_stop(&p);
	ma_config_unref(&cfg);
	return t;
}

int
main(int argc, char **argv)
{
	unsigned rounds = argc > 3 ? (unsigned)atoi(argv[3]) : 20, members, anom;
	struct stat st;
	double pool, inproc;
	int fd;

	if (argc < 3 || (fd = open(argv[2], O_RDONLY)) < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "usage: bench_inspect HELPER FILE [ROUNDS]\n");
		return 2;
	}
	pool = run(argv[1], 1, fd, (unsigned long long)st.st_size, rounds, &members, &anom);
	printf("pool (1 helper)   %.2f ms per listing, %u members, anomalies %#x\n",
	       pool, members, anom);
	inproc = run(argv[1], 0, fd, (unsigned long long)st.st_size, rounds, &members, &anom);
	printf("in-process        %.2f ms per listing, %u members, anomalies %#x\n",
	       inproc, members, anom);
	printf("file              %lld bytes; %.0f MB/s through the pool\n",
	       (long long)st.st_size, (double)st.st_size / 1e6 / (pool / 1000));
	close(fd);
	return 0;
}
