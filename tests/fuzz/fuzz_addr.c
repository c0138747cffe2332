/*
 * fuzz_addr.c - libFuzzer target for the address rule and key builders
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mg_addr.h"
#include "mg_keys.h"
#include "mg_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[MG_ADDR_MAX + 1], key[MG_KEY_MAX], clean[128];
	struct mg_error err;
	struct mg_keys k;
	struct mg_kv kv;

	if (mg_addr_normalize((const char *)data, size, "+-", out, sizeof(out),
			      &err) == 0) {
		mg_keys_init(&k, "mg:", &err);
		if (mg_key_defer(&k, out, "0123456789abcdef0123456789abcdef",
				 key, sizeof(key), &err) < 0)
			__builtin_trap();   /* every normalised address fits */
		(void)mg_addr_domain(out);
	}
	/* the mailbox rule: a bare local part joins the default domain; the
	 * result always fits the key builders, or it is refused */
	if (mg_addr_mailbox((const char *)data, size, "+", "Example.ORG", out,
			    sizeof(out), &err) == 0) {
		if (strlen(out) > MG_ADDR_MAX ||
		    (out[0] != '\0' && strchr(out, '@') == NULL))
			__builtin_trap();
		mg_keys_init(&k, "mg:", &err);
		if (mg_key_quota(&k, out, key, sizeof(key), &err) < 0)
			__builtin_trap();
	}
	mg_sanitize(clean, sizeof(clean), (const char *)data, size, 100);
	mg_kv_init(&kv);
	mg_kv_addn(&kv, "v", (const char *)data, size);
	return 0;
}
