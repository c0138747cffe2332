/*
 * fuzz_config.c - libFuzzer target for the config loader and its value
 * parsers (sizes, durations, quoting, continuations)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mg_config.h"
#include "mg_text.h"

struct fcfg {
	char *s;
	bool b;
	long long i;
	unsigned long long size;
	long long dur;
	int e;
	struct mg_strlist l;
};

static const struct mg_cfg_enum fenums[] = { { "a", 1 }, { "b", 2 }, { NULL, 0 } };

static const struct mg_cfg_spec fspec[] = {
	{ "s", MG_CFG_STRING, "x", offsetof(struct fcfg, s), 0, 0, NULL, NULL },
	{ "b", MG_CFG_BOOL, "no", offsetof(struct fcfg, b), 0, 0, NULL, NULL },
	{ "i", MG_CFG_INT, "1", offsetof(struct fcfg, i), -5, 5, NULL, NULL },
	{ "size", MG_CFG_SIZE, "1M", offsetof(struct fcfg, size), 0, 0, NULL, NULL },
	{ "dur", MG_CFG_DURATION, "1s", offsetof(struct fcfg, dur), 0, 0, NULL, NULL },
	{ "e", MG_CFG_ENUM, "a", offsetof(struct fcfg, e), 0, 0, fenums, NULL },
	{ "l", MG_CFG_LIST, "p q", offsetof(struct fcfg, l), 0, 0, NULL, NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allowed[] = { "a", "bb", NULL };
	struct mg_tvar vars[] = { { "a", "1" }, { "bb", "22" } };
	struct mg_error err;
	struct fcfg c;
	char out[64];

	memset(&c, 0, sizeof(c));
	if (mg_config_defaults(fspec, &c, &err) == 0 &&
	    mg_config_parse_buffer(fspec, &c, "fuzz", (const char *)data, size,
				   &err) == 0)
		mg_config_release(fspec, &c);
	if (size < 256) {
		char s[256];
		unsigned long long v;
		long long ms;
		memcpy(s, data, size);
		s[size] = '\0';
		(void)mg_config_parse_size(s, &v);
		(void)mg_config_parse_duration(s, &ms);
		(void)mg_template_check(s, allowed, &err);
		(void)mg_template_expand(s, vars, 2, out, sizeof(out), &err);
	}
	return 0;
}
