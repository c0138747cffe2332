/*
 * fuzz_inspect.c - libFuzzer target for the inspector (insp_list.h): the
 * input is the carrier, in a memory file, listed with small limits
 * (depth 3, 200 entries, 4 MiB extracted) under the name "seed.xz"
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "insp_list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void member(void *ctx, const struct insp_member *m)
{
	unsigned *n = ctx;

	/* every member has a name and a format, within the limits */
	if (m->name == NULL || m->format == NULL || m->name[0] == '\0' ||
	    m->depth < 1 || m->depth > 3 || ++*n > 200)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct insp_limits lim = { 3, 200, 4u << 20 };
	unsigned n = 0;
	int fd = memfd_create("fuzz_inspect", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size)
		(void)insp_list(fd, size, "seed.xz", &lim, member, &n);
	close(fd);
	return 0;
}
