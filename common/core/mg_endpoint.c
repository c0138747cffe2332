/*
 * mg_endpoint.c - the "host:port" parser (see mg_endpoint.h)
 *
 * unix form -> bracketed host -> plain host (last ':') -> port digits.
 */
#include <ctype.h>
#include <string.h>

#include "mg_endpoint.h"

/* parse_port - 1..65535 in decimal digits only; -1 otherwise */
static int
parse_port(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 65535)
			return -1;
	}
	return v >= 1 ? (int)v : -1;
}

/* parse_unix - "/path" or "unix:/path" */
static int
parse_unix(const char *s, const char *path, struct mg_endpoint *ep,
	   struct mg_error *err)
{
	if (path[0] != '/')
		return mg_error_set(err, MG_ERR_PARSE,
		    "unix socket path must be absolute in \"%.64s\"", s);
	if (strlen(path) >= sizeof(ep->path))
		return mg_error_set(err, MG_ERR_PARSE,
		    "socket path too long in \"%.64s\"", s);
	ep->is_unix = 1;
	strcpy(ep->path, path);
	return 0;
}

/* split_host - the host part of s (brackets removed) and where the port
 * part starts (its ':'), or NULL when s names no port */
static int
split_host(const char *s, const char **host_r, size_t *hlen_r,
	   const char **colon_r, struct mg_error *err)
{
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL)
			return mg_error_set(err, MG_ERR_PARSE,
			    "missing ']' in \"%.64s\"", s);
		if (rb[1] != '\0' && rb[1] != ':')
			return mg_error_set(err, MG_ERR_PARSE,
			    "bad address \"%.64s\" (want [address]:port)", s);
		*host_r = s + 1;
		*hlen_r = (size_t)(rb - s - 1);
		*colon_r = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		*colon_r = strrchr(s, ':');
		*host_r = s;
		*hlen_r = *colon_r ? (size_t)(*colon_r - s) : strlen(s);
	}
	return 0;
}

/* mg_endpoint_parse - unix form, else host and port (see mg_endpoint.h) */
int
mg_endpoint_parse(const char *s, unsigned flags, int default_port,
		  struct mg_endpoint *ep, struct mg_error *err)
{
	const char *host = s, *colon = NULL;
	size_t hlen = 0;

	memset(ep, 0, sizeof(*ep));
	if ((flags & MG_EP_UNIX) && strncmp(s, "unix:", 5) == 0)
		return parse_unix(s, s + 5, ep, err);
	if ((flags & MG_EP_UNIX) && s[0] == '/')
		return parse_unix(s, s, ep, err);
	if (split_host(s, &host, &hlen, &colon, err) < 0)
		return -1;
	if (hlen == 0 || hlen >= sizeof(ep->host))
		return mg_error_set(err, MG_ERR_PARSE, "bad host in \"%.64s\"", s);
	if (colon == NULL && default_port == 0)
		return mg_error_set(err, MG_ERR_PARSE,
		    "missing port in \"%.64s\" (want host:port)", s);
	ep->port = colon != NULL ? parse_port(colon + 1) : default_port;
	if (ep->port < 0)
		return mg_error_set(err, MG_ERR_PARSE, "bad port in \"%.64s\"", s);
	memcpy(ep->host, host, hlen);
	ep->host[hlen] = '\0';
	return 0;
}
