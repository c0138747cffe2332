/*
 * mg_json.h - JSON strings for the --json output of the admin commands
 *
 * Only what a writer needs: a string quoted and escaped (RFC 8259).  Text
 * from mail (file names, replies) may hold any byte: valid UTF-8 is kept,
 * control characters become \uXXXX and each byte of an invalid sequence
 * becomes U+FFFD, so the output is always valid JSON.
 */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <stdio.h>

/* mg_json_str - s (NULL: "") as a quoted JSON string on fp */
void mg_json_str(FILE *fp, const char *s);

#endif
