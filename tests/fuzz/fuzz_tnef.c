/*
 * fuzz_tnef.c - libFuzzer target for the streaming TNEF (winmail.dat)
 * name lister, fed in chunks whose size the first byte picks
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tnef_names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
member(void *ctx, const char *name, unsigned long long size, int enc, unsigned depth)
{
	(void)ctx; (void)size; (void)enc;
	/* names are bounded (UTF-16 names grow at most 3/2 in UTF-8) */
	if (strlen(name) > 2048 || depth > 4)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_tnef_lister *t = scan_tnef_lister_new(1, 3, 1000, member, NULL);
	size_t off = 0, chunk = size ? (size_t)data[0] % 61 + 1 : 1;

	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		scan_tnef_lister_feed(t, data + off, n);
		off += n;
	}
	(void)scan_tnef_lister_finish(t);
	scan_tnef_lister_free(&t);
	return 0;
}
