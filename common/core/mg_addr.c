/*
 * mg_addr.c - the address normalisation rule (see mg_addr.h)
 */
#include <string.h>
#include <strings.h>

#include "mg_addr.h"

int
mg_addr_normalize(const char *in, size_t inlen, const char *delims,
		  char *out, size_t outsz, struct mg_error *err)
{
	size_t b = 0, e = inlen, i, o = 0, at = 0, cut = 0;
	int have_at = 0, in_quotes = 0;

	if (delims == NULL)
		delims = "+";
	while (b < e && (in[b] == ' ' || in[b] == '\t'))
		b++;
	while (e > b && (in[e - 1] == ' ' || in[e - 1] == '\t'))
		e--;
	if (e - b >= 2 && in[b] == '<' && in[e - 1] == '>') {
		b++;
		e--;
	}
	if (e - b > MG_ADDR_MAX)
		return mg_error_set(err, MG_ERR_LIMIT,
				    "address longer than %d bytes", MG_ADDR_MAX);
	if (outsz <= e - b)
		return mg_error_set(err, MG_ERR_LIMIT,
				    "output buffer too small for address");
	for (i = b; i < e; i++) {
		char c = in[i];
		if (c == '\0' || c == '\r' || c == '\n')
			return mg_error_set(err, MG_ERR_PARSE,
					    "control character in address");
		if (c == '"' && (i == b || in[i - 1] != '\\'))
			in_quotes = !in_quotes;
		if ((c == ' ' || c == '\t' || c == '<' || c == '>') && !in_quotes)
			return mg_error_set(err, MG_ERR_PARSE,
					    "bad character in address");
		if (c == '@' && !in_quotes) {
			have_at = 1;
			at = i;
		}
	}
	/* detail: first delimiter of an unquoted local part, not in first position */
	if (*delims != '\0' && b < e && in[b] != '"') {
		size_t lend = have_at ? at : e;
		for (i = b + 1; i < lend; i++) {
			if (strchr(delims, in[i]) != NULL) {
				cut = i;
				break;
			}
		}
	}
	for (i = b; i < e; i++) {
		char c = in[i];
		if (cut != 0 && i >= cut && i < (have_at ? at : e))
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* mg_addr_mailbox - normalise; a bare local part joins the default domain */
int
mg_addr_mailbox(const char *in, size_t inlen, const char *delims,
		const char *default_domain, char *out, size_t outsz,
		struct mg_error *err)
{
	size_t n, dn, i;

	if (mg_addr_normalize(in, inlen, delims, out, outsz, err) < 0)
		return -1;
	n = strlen(out);
	if (n == 0 || strchr(out, '@') != NULL || default_domain == NULL ||
	    default_domain[0] == '\0')
		return 0;
	dn = strlen(default_domain);
	if (n + 1 + dn > MG_ADDR_MAX || n + 1 + dn >= outsz)
		return mg_error_set(err, MG_ERR_LIMIT,
		    "address longer than %d bytes with its default domain",
		    MG_ADDR_MAX);
	out[n++] = '@';
	for (i = 0; i < dn; i++) {
		char c = default_domain[i];
		out[n++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	return 0;
}

/* mg_addr_domain_check - what a default domain may look like */
int
mg_addr_domain_check(const char *domain, struct mg_error *err)
{
	const unsigned char *p;

	if (strlen(domain) > 255)
		return mg_error_set(err, MG_ERR_CONFIG,
				    "bad domain: longer than 255 bytes");
	for (p = (const unsigned char *)domain; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '@' || *p == '<' || *p == '>')
			return mg_error_set(err, MG_ERR_CONFIG,
			    "bad domain \"%.64s\": a domain only, without '@' or blanks",
			    domain);
	return 0;
}

const char *
mg_addr_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at == NULL ? NULL : at + 1;
}

/* mg_addr_in_domains - the local-domain test of every component */
int
mg_addr_in_domains(const char *addr, const struct mg_strlist *domains)
{
	char norm[MG_ADDR_MAX + 1];
	const char *dom;
	size_t i;

	if (addr == NULL ||
	    mg_addr_normalize(addr, strlen(addr), "", norm, sizeof(norm), NULL) < 0 ||
	    (dom = mg_addr_domain(norm)) == NULL)
		return 0;
	for (i = 0; i < domains->n; i++)
		if (strcasecmp(domains->v[i], dom) == 0)
			return 1;
	return 0;
}
