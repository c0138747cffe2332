/*
 * insp_no_listers.c - an empty image lister table (insp_lister.h) for the
 * inspector's tests while the image listers (img_*.c) are not part of
 * mginspect; tests/unit/CMakeLists.txt links it only then
 */
#include <stddef.h>

#include "insp_lister.h"

const struct insp_lister *const insp_listers[] = { NULL };
