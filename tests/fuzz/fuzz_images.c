/*
 * fuzz_images.c - libFuzzer target for the inspector's image listers
 * (insp_lister.h): the input is an image in memory; every lister probes
 * it and lists it, each file's content is read, each volume (partition,
 * virtual disk) is listed in turn, two levels deep
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "insp_lister.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
mem_read(const struct insp_src *s, unsigned long long off, void *buf, size_t len)
{
	memcpy(buf, (const uint8_t *)s->h + off, len);
	return 0;
}

static void list_all(const struct insp_src *src, unsigned depth);

/* found - read the content (its start and its end); list a volume */
static void
found(void *ctx, const struct insp_found *f)
{
	unsigned depth = *(const unsigned *)ctx;
	unsigned char buf[4096];
	unsigned long long n;

	if (f->name == NULL || strlen(f->name) >= 4096)
		__builtin_trap();
	if (f->content == NULL)
		return;
	n = f->content->size < sizeof(buf) ? f->content->size : sizeof(buf);
	insp_src_read(f->content, 0, buf, (size_t)n);
	insp_src_read(f->content, f->content->size - n, buf, (size_t)n);
	if (f->kind == INSP_FOUND_VOLUME && depth < 2)
		list_all(f->content, depth + 1);
}

static void
list_all(const struct insp_src *src, unsigned depth)
{
	const struct insp_lister *const *l;

	for (l = insp_listers; *l != NULL; l++)
		if ((*l)->probe(src))
			(*l)->list(src, 200, found, &depth);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct insp_src src = { mem_read, size, (void *)data, 0, -1 };

	list_all(&src, 0);
	return 0;
}
