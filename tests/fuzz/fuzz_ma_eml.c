/*
 * fuzz_ma_eml.c - libFuzzer target for ma_eml (milter-attach -T's cut of
 * a message file into headers and body): the input is fed in two pieces
 * split at its first byte's value, and the calls are checked: a header
 * name without ':' or line ends, eoh once before any body, a body whose
 * every LF follows a CR (the pair may straddle two calls)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ma_eml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	int eoh;
	int last_cr;                 /* the last body byte was a CR */
};

static void
on_header(void *ctx, const char *name, const char *value)
{
	struct seen *s = ctx;

	(void)value;
	if (s->eoh || name[0] == '\0' || strpbrk(name, ":\r\n \t") != NULL)
		__builtin_trap();
}

static void
on_eoh(void *ctx)
{
	struct seen *s = ctx;

	if (s->eoh++)
		__builtin_trap();
}

static int
on_body(void *ctx, const char *data, size_t len)
{
	struct seen *s = ctx;
	size_t i;

	if (!s->eoh || len == 0)
		__builtin_trap();
	for (i = 0; i < len; i++) {
		if (data[i] == '\n' && !(i > 0 ? data[i - 1] == '\r' : s->last_cr))
			__builtin_trap();
	}
	s->last_cr = data[len - 1] == '\r';
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ma_eml_ops ops = { on_header, on_eoh, on_body };
	struct seen s = { 0, 0 };
	struct ma_eml *e = ma_eml_new(&ops, &s);
	size_t cut = size > 0 ? data[0] % (size + 1) : 0;

	if (e == NULL)
		return 0;
	ma_eml_feed(e, (const char *)data, cut);
	ma_eml_feed(e, (const char *)data + cut, size - cut);
	ma_eml_finish(e);
	ma_eml_free(&e);
	if (s.eoh != 1)
		__builtin_trap();
	return 0;
}
