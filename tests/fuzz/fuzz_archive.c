/*
 * fuzz_archive.c - libFuzzer target for the streaming tar, gzip and
 * cabinet name lister: the first byte picks the format, the second the
 * size of the chunks the rest is fed in
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arc_names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
member(void *ctx, const char *name, unsigned long long size, int enc, unsigned depth)
{
	(void)ctx; (void)size;
	/* names are bounded; only a zip inside a tar nests (up to 3) */
	(void)enc;
	if (strlen(name) > 1024 || depth < 1 || depth > 3)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum scan_arc_format formats[] = { SCAN_ARC_TAR, SCAN_ARC_GZIP,
							SCAN_ARC_CAB };
	struct scan_arc_lister *a;
	size_t off = 2, chunk;

	if (size < 2)
		return 0;
	a = scan_arc_lister_new(formats[data[0] % 3], 1, 3, 1000, member, NULL);
	scan_arc_lister_set_name(a, "fuzz.exe.gz");
	scan_arc_lister_set_name(a, "fuzz.TGZ");
	chunk = (size_t)data[1] % 61 + 1;
	if (data[1] & 0x80)
		chunk *= 512;
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		scan_arc_lister_feed(a, data + off, n);
		off += n;
	}
	(void)scan_arc_lister_finish(a);
	scan_arc_lister_free(&a);
	return 0;
}
