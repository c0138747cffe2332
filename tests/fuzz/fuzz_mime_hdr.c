/*
 * fuzz_mime_hdr.c - libFuzzer target for header parameters (RFC 2231),
 * RFC 2047 words, and the line decoders
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mime_decode.h"
#include "mime_hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(void *ctx, const unsigned char *d, size_t n)
{
	size_t *total = ctx;

	(void)d;
	*total += n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_mime_hdr h;
	char out[512];
	struct scan_b64_state st;
	size_t total = 0, n;
	unsigned i;

	scan_mime_hdr_parse((const char *)data, size, "filename", &h);
	for (i = 0; i < h.n_names; i++)
		if (strlen(h.names[i]) >= SCAN_MIME_NAME_MAX)
			__builtin_trap();
	scan_mime_hdr_parse((const char *)data, size, "name", &h);
	n = scan_rfc2047_decode((const char *)data, size, out, sizeof(out));
	if (n >= sizeof(out) || out[n] != '\0')
		__builtin_trap();
	scan_b64_init(&st);
	scan_b64_line(&st, (const char *)data, size, sink, &total);
	if (total > size)
		__builtin_trap();
	scan_qp_line((const char *)data, size, sink, &total);
	scan_uu_line((const char *)data, size, sink, &total);
	scan_uu_begin((const char *)data, size, out, sizeof(out));
	return 0;
}
