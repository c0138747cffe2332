/*
 * mail_check.h - read back a notice composed by mg_mail (unit tests only)
 *
 * An independent decoder, written for the tests: header lookup with
 * unfolding, RFC 2047 subject decoding ("B" and "Q" words, white space
 * between adjacent words dropped), quoted-printable body decoding, and a
 * format check (CRLF everywhere, 7-bit, line lengths).  The component
 * tests assert on the decoded texts, so they hold whatever the encoder's
 * choices (where it folds, where it breaks a line).
 */
#ifndef MAIL_CHECK_H
#define MAIL_CHECK_H

#include <stddef.h>

/* mc_header - the unfolded value of the first field called name (case-
 * insensitive) into out; 1 found, 0 absent or too long */
int mc_header(const char *msg, const char *name, char *out, size_t outsz);

/* mc_subject - the Subject decoded to UTF-8; 1, 0 (absent), -1 (an
 * encoded-word that does not decode) */
int mc_subject(const char *msg, char *out, size_t outsz);

/* mc_body - the body after the blank line, quoted-printable decoded, hard
 * line ends as LF; 1, or -1 (a bad escape or no body) */
int mc_body(const char *msg, char *out, size_t outsz);

/* mc_format_error - NULL for a well-formed message, else what is wrong:
 * a CR or LF not in CRLF, an 8-bit or NUL byte, a header line over 998
 * columns, a line with an encoded-word over 76, a body line over 76, no
 * blank line, no final CRLF */
const char *mc_format_error(const char *msg);

/* mc_utf8_valid - 1 when s[0..n) is whole, valid UTF-8 */
int mc_utf8_valid(const char *s, size_t n);

#endif
