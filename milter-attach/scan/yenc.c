/*
 * yenc.c - yEnc decoding (see yenc.h)
 */
#include <string.h>

#include "yenc.h"

/* scan_yenc_begin - see yenc.h */
int
scan_yenc_begin(const char *line, size_t len, char *name, size_t namesz)
{
	size_t i, o = 0;

	if (len < 8 || memcmp(line, "=ybegin ", 8) != 0 || namesz == 0)
		return 0;
	name[0] = '\0';
	for (i = 7; i + 6 <= len; i++)
		if (line[i] == ' ' && memcmp(line + i + 1, "name=", 5) == 0)
			break;
	if (i + 6 > len)
		return 1;
	for (i += 6; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	while (len > i && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	for (; i < len && o + 1 < namesz; i++)
		name[o++] = line[i];
	name[o] = '\0';
	return 1;
}

/* scan_yenc_line - see yenc.h */
int
scan_yenc_line(const char *line, size_t len, scan_sink_fn *sink, void *ctx)
{
	unsigned char out[512];
	size_t i, o = 0;

	if (len >= 5 && memcmp(line, "=yend", 5) == 0 &&
	    (len == 5 || line[5] == ' '))
		return 1;
	if (len >= 6 && memcmp(line, "=ypart", 6) == 0 &&
	    (len == 6 || line[6] == ' '))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == '=') {
			if (++i == len)
				break;
			c = (unsigned char)((unsigned char)line[i] - 64);
		}
		out[o++] = (unsigned char)(c - 42);
		if (o == sizeof(out)) {
			sink(ctx, out, o);
			o = 0;
		}
	}
	if (o > 0)
		sink(ctx, out, o);
	return 0;
}
