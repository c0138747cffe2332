/*
 * fuzz_scan.c - libFuzzer target for the MIME walker and everything under
 * it (decoders, header parameters, name normalisation, BinHex, yEnc, the
 * archive listers), fed in uneven chunks
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_file(void *ctx, const struct scan_file *f)
{
	size_t i, *count = ctx;

	(*count)++;
	for (i = 0; i < f->n_names; i++)
		if (strlen(f->names[i]) > 4096 ||
		    (f->raw_names != NULL && strlen(f->raw_names[i]) > 4096))
			__builtin_trap();
	if (strlen(f->sha256_hex) != 0 && strlen(f->sha256_hex) != 64)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_walker *s;
	struct scan_limits lim;
	struct scan_summary sum;
	struct mg_error err;
	static size_t count;
	size_t off = 0, chunk = size ? (size_t)data[0] % 97 + 1 : 1;

	if (s == NULL) {
		scan_limits_default(&lim);
		lim.magic = 0;           /* libmagic is not ours to fuzz */
		lim.max_depth = 8;
		lim.max_parts = 64;
		s = scan_walker_new(&lim, on_file, &count, &err);
	}
	scan_walker_reset(s);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		scan_walker_feed(s, (const char *)data + off, n);
		off += n;
	}
	scan_walker_finish(s, &sum);
	if (sum.files != 0 && count == 0)
		__builtin_trap();
	count = 0;
	return 0;
}
