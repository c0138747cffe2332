/*
 * milter-attach-inspect.c - main() of the inspector process (see
 * milter-attach-inspect.8): started by milter-attach with its socket on
 * standard input; confines itself, then answers requests until the
 * milter closes the socket
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insp_worker.h"

static void
usage(void)
{
	fprintf(stderr, "usage: milter-attach-inspect [-m memory_bytes] "
		"[-f file_bytes] [-S]\n");
	exit(2);
}

/* number - a decimal byte count */
static unsigned long long
number(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || s[0] == '-')
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	struct insp_sandbox sb;
	struct mg_error err;
	int c;

	insp_sandbox_default(&sb);
	while ((c = getopt(argc, argv, "m:f:S")) != -1) {
		switch (c) {
		case 'm': sb.memory = number(optarg); break;
		case 'f': sb.file_bytes = number(optarg); break;
		case 'S': sb.seccomp = 0; break;      /* to trace it: strace -f */
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (insp_worker_sandbox(&sb, &err) != 0) {
		fprintf(stderr, "milter-attach-inspect: %s\n", err.msg);
		return 1;
	}
	return insp_worker_serve(STDIN_FILENO) == 0 ? 0 : 1;
}
