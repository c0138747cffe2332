/*
 * mg_addr.h - the one address normalisation rule of mailguard
 *
 * Every component turns an address into a mailbox key the same way:
 *   1. surrounding whitespace and one pair of <> are removed;
 *   2. the whole address is lowercased (ASCII letters only; UTF-8 bytes
 *      are kept as they are);
 *   3. in the local part, everything from the first character that is one
 *      of the configured delimiters (default "+") up to the last '@' is
 *      removed ("alice+news@x" -> "alice@x"), unless the delimiter is the
 *      first character of the local part or the local part is quoted;
 *   4. an address without '@' is a bare local part and is kept as is
 *      (after steps 1-3 applied to the whole string).
 * The empty address (null sender "<>") normalises to "".
 *
 * mg_addr_mailbox() is the rule for mailbox keys: the same, and a bare
 * local part gets "@" and the configured default domain (the plugin's
 * quota_warn_default_domain, policyd-quota's default_domain), so that a
 * Dovecot user "alice" and a recipient "alice@example.org" name one
 * mailbox.
 *
 * mg_addr_in_domains() is the one "is this address local?" test: the
 * domain of the normalised address equals one of a list (case-
 * insensitive, exact: a subdomain is not the domain).
 */
#ifndef MG_ADDR_H
#define MG_ADDR_H

#include <stddef.h>

#include "mg_config.h"
#include "mg_error.h"

#define MG_ADDR_MAX 320  /* RFC 5321: 64 + 1 + 255 */

/* mg_addr_normalize - write the normalised address into out (outsz bytes,
 * at least MG_ADDR_MAX + 1 recommended).  delims NULL means "+", ""
 * disables detail stripping.  -1 (MG_ERR_PARSE/MG_ERR_LIMIT) for an
 * address that is too long or contains NUL, CR, LF or spaces outside
 * quotes. */
int mg_addr_normalize(const char *in, size_t inlen, const char *delims,
		      char *out, size_t outsz, struct mg_error *err);

/* mg_addr_mailbox - mg_addr_normalize, then, when the result is a bare
 * local part (not empty, no '@') and default_domain is neither NULL nor
 * empty: "@" and default_domain lowercased appended.  -1 as
 * mg_addr_normalize, or MG_ERR_LIMIT when the result would be longer than
 * MG_ADDR_MAX or outsz. */
int mg_addr_mailbox(const char *in, size_t inlen, const char *delims,
		    const char *default_domain, char *out, size_t outsz,
		    struct mg_error *err);

/* mg_addr_domain_check - a default domain setting: empty (none), or at
 * most 255 bytes without '@', blanks, control characters, '<' or '>'.
 * -1 (MG_ERR_CONFIG, "bad domain ...") otherwise. */
int mg_addr_domain_check(const char *domain, struct mg_error *err);

/* mg_addr_domain - pointer to the domain part of a normalised address
 * (after the last '@'), or NULL when there is none */
const char *mg_addr_domain(const char *addr);

/* mg_addr_in_domains - 1 when addr (any form mg_addr_normalize takes)
 * has its domain in domains, 0 otherwise (no domain, or a bad address) */
int mg_addr_in_domains(const char *addr, const struct mg_strlist *domains);

#endif
