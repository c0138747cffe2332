/*
 * mg_smtpc.c - blocking SMTP client with a deadline (see mg_smtpc.h)
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mg_clock.h"
#include "mg_endpoint.h"
#include "mg_smtpc.h"

struct smtpc {
	int fd;
	long long deadline;        /* monotonic ms */
	char buf[4096];
	size_t len;                /* bytes in buf */
	char reply[512];           /* last reply, for error messages */
	char obuf[8192];
	size_t olen;
};

/* wait_fd - poll for events until the deadline */
static int
wait_fd(struct smtpc *c, short events, struct mg_error *err)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	long long left;
	int rc;

	for (;;) {
		left = c->deadline - mg_now_ms();
		if (left <= 0)
			return mg_error_set(err, MG_ERR_LIMIT, "SMTP timeout");
		rc = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return mg_error_sys(err, "poll");
	}
}

/* flush_out - write everything buffered */
static int
flush_out(struct smtpc *c, struct mg_error *err)
{
	size_t off = 0;
	ssize_t n;

	while (off < c->olen) {
		if (wait_fd(c, POLLOUT, err) < 0)
			return -1;
		n = send(c->fd, c->obuf + off, c->olen - off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return mg_error_sys(err, "SMTP send");
		}
		off += (size_t)n;
	}
	c->olen = 0;
	return 0;
}

/* put - buffer bytes, flushing when full */
static int
put(struct smtpc *c, const char *s, size_t n, struct mg_error *err)
{
	while (n > 0) {
		size_t k = sizeof(c->obuf) - c->olen;
		if (k == 0) {
			if (flush_out(c, err) < 0)
				return -1;
			continue;
		}
		if (k > n)
			k = n;
		memcpy(c->obuf + c->olen, s, k);
		c->olen += k;
		s += k;
		n -= k;
	}
	return 0;
}

/* read_reply - read a whole (multi-line) reply; returns its code */
static int
read_reply(struct smtpc *c, struct mg_error *err)
{
	char *nl;
	ssize_t n;
	int code;

	for (;;) {
		while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
			size_t ll = (size_t)(nl - c->buf) + 1, cl = ll;
			while (cl > 0 && (c->buf[cl - 1] == '\n' || c->buf[cl - 1] == '\r'))
				cl--;
			snprintf(c->reply, sizeof(c->reply), "%.*s", (int)cl, c->buf);
			memmove(c->buf, c->buf + ll, c->len - ll);
			c->len -= ll;
			if (cl < 3 || c->reply[0] < '2' || c->reply[0] > '5')
				return mg_error_set(err, MG_ERR_PARSE,
				    "bad SMTP reply \"%.100s\"", c->reply);
			if (cl > 3 && c->reply[3] == '-')
				continue;
			code = atoi(c->reply);
			return code;
		}
		if (c->len == sizeof(c->buf))
			return mg_error_set(err, MG_ERR_PARSE, "SMTP reply line too long");
		if (wait_fd(c, POLLIN, err) < 0)
			return -1;
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n == 0)
			return mg_error_set(err, MG_ERR_SYS, "SMTP server closed the connection");
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return mg_error_sys(err, "SMTP recv");
		}
		c->len += (size_t)n;
	}
}

/* command - send a line, read the reply, check its class */
static int
command(struct smtpc *c, int want, struct mg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int
command(struct smtpc *c, int want, struct mg_error *err, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, code;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 3, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 3)
		return mg_error_set(err, MG_ERR_LIMIT, "SMTP command too long");
	memcpy(line + n, "\r\n\0", 3);
	if (put(c, line, (size_t)n + 2, err) < 0 || flush_out(c, err) < 0)
		return -1;
	if ((code = read_reply(c, err)) < 0)
		return -1;
	if (code / 100 != want)
		return mg_error_set(err, MG_ERR_PARSE, "%.*s: \"%.150s\"",
				    n < 30 ? n : 30, line, c->reply);
	return code;
}

/* connect_to - parse host:port, resolve and connect within the deadline */
static int
connect_to(struct smtpc *c, const char *host_port, struct mg_error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	struct mg_endpoint ep;
	char port[8];
	int rc, soerr;
	socklen_t sl = sizeof(soerr);

	if (mg_endpoint_parse(host_port, 0, 0, &ep, err) < 0)
		return -1;
	snprintf(port, sizeof(port), "%d", ep.port);
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(ep.host, port, &hints, &res)) != 0)
		return mg_error_set(err, MG_ERR_SYS, "%s: %s", host_port, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			       ai->ai_protocol);
		if (c->fd < 0)
			continue;
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && wait_fd(c, POLLOUT, err) == 0 &&
		     getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
		     soerr == 0)) {
			freeaddrinfo(res);
			return 0;
		}
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	return mg_error_set(err, MG_ERR_SYS, "cannot connect to %.100s", host_port);
}

/* send_data - CRLF line ends, dot-stuffing, final "." */
static int
send_data(struct smtpc *c, const char *data, size_t len, struct mg_error *err)
{
	size_t i, start = 0;
	int bol = 1;

	for (i = 0; i < len; i++) {
		if (bol && data[i] == '.' && put(c, ".", 1, err) < 0)
			return -1;
		bol = 0;
		if (data[i] == '\n') {
			size_t end = i;
			if (end > start && data[end - 1] == '\r')
				end--;
			if (put(c, data + start, end - start, err) < 0 ||
			    put(c, "\r\n", 2, err) < 0)
				return -1;
			start = i + 1;
			bol = 1;
		}
	}
	if (start < len && (put(c, data + start, len - start, err) < 0 ||
			    put(c, "\r\n", 2, err) < 0))
		return -1;
	return put(c, ".\r\n", 3, err) < 0 ? -1 : flush_out(c, err);
}

/* mg_smtpc_send - one message, one connection */
int
mg_smtpc_send(const char *host_port, const char *mail_from,
	      const char *const *rcpts, size_t n, const char *data,
	      size_t len, long long timeout_ms, size_t *accepted_r,
	      struct mg_error *err)
{
	struct smtpc *c = calloc(1, sizeof(*c));
	char me[256] = "localhost";
	size_t i, ok = 0;
	int rc = -1, code;

	if (accepted_r)
		*accepted_r = 0;
	if (c == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "out of memory");
	c->fd = -1;
	c->deadline = mg_now_ms() + timeout_ms;
	if (gethostname(me, sizeof(me) - 1) < 0 || me[0] == '\0')
		snprintf(me, sizeof(me), "localhost");
	if (connect_to(c, host_port, err) < 0)
		goto out;
	if ((code = read_reply(c, err)) < 0)
		goto out;
	if (code != 220) {
		mg_error_set(err, MG_ERR_PARSE, "greeting \"%.150s\"", c->reply);
		goto out;
	}
	if (command(c, 2, err, "EHLO %s", me) < 0 &&
	    command(c, 2, err, "HELO %s", me) < 0)
		goto out;
	if (command(c, 2, err, "MAIL FROM:<%s>", mail_from) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct mg_error e;
		if (command(c, 2, &e, "RCPT TO:<%s>", rcpts[i]) >= 0)
			ok++;
		else if (e.kind != MG_ERR_PARSE) {
			*err = e;
			goto out;
		} else if (err != NULL)
			*err = e;
	}
	if (ok == 0) {
		if (n == 0)
			mg_error_set(err, MG_ERR_PARSE, "no recipients");
		goto out;
	}
	if (command(c, 3, err, "DATA") < 0 || send_data(c, data, len, err) < 0)
		goto out;
	if ((code = read_reply(c, err)) < 0)
		goto out;
	if (code / 100 != 2) {
		mg_error_set(err, MG_ERR_PARSE, "message refused: \"%.150s\"", c->reply);
		goto out;
	}
	if (accepted_r)
		*accepted_r = ok;
	rc = 0;
	(void)command(c, 2, NULL, "QUIT");
out:
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return rc;
}
