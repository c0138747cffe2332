/*
 * mg_version.c - the version line every binary prints with -V
 */
#include "mg_version.h"

/* mg_version_print - one line, the program's name first */
void
mg_version_print(FILE *fp, const char *prog)
{
	fprintf(fp, "%s (mailguard) %s\n", prog, MG_VERSION);
}
