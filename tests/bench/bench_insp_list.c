/*
 * bench_insp_list.c - the inspector (insp_list.h) on carrier files: list
 * what it finds (-v), or measure it: CPU seconds per listing, MB/s of
 * the carrier, members, anomalies, and the peak RSS of the process
 *
 *   bench_insp_list -v FILE...          print every member and anomalies
 *   bench_insp_list [-n ROUNDS] FILE... list each file ROUNDS times
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "anomaly.h"
#include "insp_list.h"

static int verbose;

static void on_member(void *ctx, const struct insp_member *m)
{
	unsigned *n = ctx;

	(*n)++;
	if (verbose)
		printf("  %u %-9s %s%s (%llu)\n", m->depth, m->format, m->name,
		       m->encrypted ? " [encrypted]" : "", m->size);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_file(const char *path, int rounds)
{
	struct insp_limits lim;
	struct stat st;
	unsigned an = 0, n = 0;
	char words[256];
	const char *base = strrchr(path, '/');
	double t0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		return -1;
	}
	insp_limits_default(&lim);
	t0 = cpu_now();
	for (int r = 0; r < rounds; r++) {
		n = 0;
		an = insp_list(fd, (unsigned long long)st.st_size,
			       base != NULL ? base + 1 : path, &lim,
			       on_member, &n);
	}
	t0 = (cpu_now() - t0) / rounds;
	close(fd);
	printf("%s: %.1f MB, %u members, anomalies=%s, %.4f s CPU, %.1f MB/s\n",
	       path, (double)st.st_size / 1e6, n,
	       scan_anomaly_list(an, words, sizeof(words)), t0,
	       t0 > 0 ? (double)st.st_size / 1e6 / t0 : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	int rounds = 3, c, rc = 0;

	while ((c = getopt(argc, argv, "vn:")) != -1) {
		if (c == 'v')
			verbose = 1;
		else if (c == 'n')
			rounds = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else
			return 2;
	}
	if (verbose)
		rounds = 1;
	for (int i = optind; i < argc; i++)
		if (bench_file(argv[i], rounds) < 0)
			rc = 1;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %ld KB\n", ru.ru_maxrss);
	return rc;
}
