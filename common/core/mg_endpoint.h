/*
 * mg_endpoint.h - where a server is: the one "host:port" syntax
 *
 * Every address in a mailguard setting is written the same way and read
 * by mg_endpoint_parse() (the listen sockets, redis_server and
 * redis_sentinels, notice_smtp):
 *
 *   host:port          127.0.0.1:6379, localhost:25, redis.example:6380
 *   [address]:port     [::1]:10031 (the brackets may hold any host)
 *   host, [address]    only when the caller has a default port (Redis)
 *   /path, unix:/path  a unix socket, only with MG_EP_UNIX
 *
 * The last ':' outside brackets separates the port, so an unbracketed
 * IPv6 address needs its port ("::1:25").  A port is 1 to 65535 in
 * decimal digits.  The parser does no I/O and no name resolution.
 */
#ifndef MG_ENDPOINT_H
#define MG_ENDPOINT_H

#include "mg_error.h"

#define MG_EP_HOST_MAX 256        /* host buffer, NUL included */
#define MG_EP_PATH_MAX 108        /* sizeof(sun_path), NUL included */

/* flags of mg_endpoint_parse */
#define MG_EP_UNIX 0x1            /* accept "/path" and "unix:/path" */

struct mg_endpoint {
	int is_unix;
	char host[MG_EP_HOST_MAX];    /* inet: as written, without brackets */
	int port;
	char path[MG_EP_PATH_MAX];    /* unix: the socket path */
};

/* mg_endpoint_parse - s into *ep; default_port is used when s names no
 * port (0: a port is required).  0, or -1 with MG_ERR_PARSE and a
 * message quoting s ("bad port in \"h:0\""): callers prefix the name of
 * their setting. */
int mg_endpoint_parse(const char *s, unsigned flags, int default_port,
		      struct mg_endpoint *ep, struct mg_error *err);

#endif
