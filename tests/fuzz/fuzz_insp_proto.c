/*
 * fuzz_insp_proto.c - libFuzzer target for the inspector messages
 * (insp_proto.h): any bytes decode as a request or a reply or are
 * refused; what decodes encodes again to the same bytes
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "insp_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char again[INSP_MSG_MAX];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct insp_request q;
	struct insp_reply r;
	size_t n;

	if (insp_request_decode(data, size, &q) == 0) {
		if (strlen(q.name) >= INSP_NAME_MAX)
			__builtin_trap();
		n = insp_request_encode(&q, again, sizeof(again));
		if (n != size || memcmp(again, data, n) != 0)
			__builtin_trap();
	}
	if (insp_reply_decode(data, size, &r) == 0) {
		if (strlen(r.name) >= INSP_NAME_MAX || strlen(r.format) >= INSP_FORMAT_MAX)
			__builtin_trap();
		n = insp_reply_encode(&r, again, sizeof(again));
		if (n != size || memcmp(again, data, n) != 0)
			__builtin_trap();
	}
	return 0;
}
