/*
 * fuzz_zip.c - libFuzzer target for the streaming zip lister: input
 * that does not start with 'P' goes to the zip finder (zips anywhere);
 * the first byte also picks the size of the chunks
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zip_names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
member(void *ctx, const char *name, unsigned long long size, int enc, unsigned depth)
{
	(void)ctx; (void)size; (void)enc;
	if (strlen(name) > 1024 || depth > 4)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_zip_lister *z = scan_zip_lister_new(1, 3, 1000, member, NULL);
	size_t off = 0, chunk = size ? (size_t)data[0] % 31 + 1 : 1;

	if (size > 0 && data[0] != 'P')
		scan_zip_lister_find_anywhere(z);

	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		scan_zip_lister_feed(z, data + off, n);
		off += n;
	}
	(void)scan_zip_lister_finish(z);
	scan_zip_lister_free(&z);
	return 0;
}
