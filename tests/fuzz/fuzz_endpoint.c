/*
 * fuzz_endpoint.c - libFuzzer target for the one "host:port" syntax
 * (mg_endpoint_parse) and the redis_sentinels list built on it
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mg_endpoint.h"
#include "mg_redis_settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - what a successful parse promises */
static void
check(const struct mg_endpoint *ep)
{
	if (ep->is_unix) {
		if (ep->path[0] != '/' || memchr(ep->path, '\0', sizeof(ep->path)) == NULL)
			__builtin_trap();
		return;
	}
	if (ep->host[0] == '\0' || memchr(ep->host, '\0', sizeof(ep->host)) == NULL ||
	    ep->port < 1 || ep->port > 65535)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[1024];
	struct mg_endpoint ep, eps[MG_SENTINELS_MAX];
	struct mg_error err;
	int n;

	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	if (mg_endpoint_parse(s, 0, 0, &ep, &err) == 0)
		check(&ep);
	if (mg_endpoint_parse(s, MG_EP_UNIX, 6379, &ep, &err) == 0)
		check(&ep);
	if (mg_redis_parse_sentinels(s, eps, &n, &err) == 0 && n > MG_SENTINELS_MAX)
		__builtin_trap();
	return 0;
}
