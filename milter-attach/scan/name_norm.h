/*
 * name_norm.h - a declared file name as mail clients save it (sans I/O)
 *
 * What the charter judges is the name of the file that lands on the
 * user's disk, so a declared name is normalised the way the clients and
 * Windows turn it into one (the union of them, so that no reading that a
 * client may choose escapes):
 *   - controls (C0, DEL, C1) and the line/paragraph separators U+2028,
 *     U+2029 are deleted wherever they are (Gecko's SanitizeFileName,
 *     used by Thunderbird and Firefox, drops the Cc/Zl/Zp categories);
 *   - an NTFS alternate data stream suffix is cut ("x.exe::$DATA",
 *     "x.exe:Zone.Identifier", "x.exe:s:$DATA" -> "x.exe"; a drive
 *     "C:" at the start is not a stream);
 *   - leading and trailing white space (Unicode Zs, TAB, U+FEFF) and
 *     format characters (Unicode Cf: U+200B-U+200F, U+2060-U+2064, the
 *     bidi controls, soft hyphen...) and trailing dots are trimmed
 *     (Windows drops trailing dots and spaces; Gecko trims spaces, dots
 *     and U+180E);
 *   - white space inside the extension (after the last dot) is deleted:
 *     Gecko strips it ("x. exe" is saved as "x.exe").
 * Interior white space and format characters outside the extension are
 * kept: they do not change what a file is.  Bytes that are not UTF-8 are
 * kept as they are.
 */
#ifndef SCAN_NAME_NORM_H
#define SCAN_NAME_NORM_H

#include <stddef.h>

/* scan_name_normalise - name (len bytes, may hold NULs) normalised into
 * out (NUL terminated, cut to outsz - 1 bytes); returns the output
 * length.  An empty result (the name was only white space) yields the
 * name unchanged. */
size_t scan_name_normalise(const char *name, size_t len, char *out,
			   size_t outsz);

/* scan_name_escape - name made visible for a log line, into out (NUL
 * terminated, cut at a whole escape): controls, space separators other
 * than U+0020, format characters and bytes that are not UTF-8 as \uXXXX
 * (\xNN for bytes), "\" as "\\"; the rest kept.  Returns the length. */
size_t scan_name_escape(const char *name, char *out, size_t outsz);

#endif
