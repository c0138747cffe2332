/*
 * fuzz_pq_codec.c - libFuzzer target for the policy protocol codec,
 * consuming the input the way the server does (pipelined requests)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pq_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct pq_request req;
	struct mg_error err;
	char out[128];
	size_t off = 0, used;

	while (off < size) {
		used = 0;
		if (pq_codec_parse(buf + off, size - off, &req, &used, &err) != 1)
			break;
		if (used == 0 || used > size - off)
			__builtin_trap();
		/* every field is NUL-terminated inside its buffer */
		if (strlen(req.recipient) >= sizeof(req.recipient) ||
		    strlen(req.sender) >= sizeof(req.sender) || req.size < 0)
			__builtin_trap();
		off += used;
	}
	if (size < 100) {
		char action[100];
		memcpy(action, data, size);
		action[size] = '\0';
		(void)pq_codec_reply(action, out, sizeof(out));
	}
	return 0;
}
