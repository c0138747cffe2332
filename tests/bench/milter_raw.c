/*
 * milter_raw.c - a do-nothing milter without libmilter, for
 * bench_milter_stack.py: one thread, one poll() loop, the milter protocol
 * read straight off the socket.  It negotiates what milter-attach
 * negotiates and accepts every message, so the gap between it and no
 * milter at all is what Postfix itself spends on any milter (macros,
 * header and body packets, handing the connection to cleanup), and the
 * gap between it and milter_null is what libmilter's thread pool adds.
 *
 * Usage: milter_raw unix:/path/to/socket
 */
#include <errno.h>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CONN 512
#define MAX_PKT (1024 * 1024 + 5)

#define NOREPLY (SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

struct conn {
	int fd;
	size_t len;              /* bytes held in buf */
	unsigned char *buf;
	uint32_t flags;          /* negotiated SMFIP_* */
};

/* put32 - big-endian */
static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* reply - one packet; 0 or -1 */
static int
reply(int fd, char cmd, const unsigned char *data, uint32_t n)
{
	unsigned char b[5 + 12];
	size_t len = 5 + n, off = 0;
	ssize_t w;

	put32(b, n + 1);
	b[4] = (unsigned char)cmd;
	if (n)
		memcpy(b + 5, data, n);
	while (off < len) {
		w = write(fd, b + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* packet - act on one command; -1 closes the connection */
static int
packet(struct conn *c, char cmd, const unsigned char *d, uint32_t n)
{
	unsigned char o[12];
	uint32_t prot;

	switch (cmd) {
	case SMFIC_OPTNEG:
		if (n < 12)
			return -1;
		prot = get32(d + 8);
		c->flags = prot & (SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA |
				   SMFIP_NOCONNECT | SMFIP_HDR_LEADSPC | NOREPLY);
		put32(o, 6);
		put32(o + 4, get32(d + 4) & SMFIF_ADDHDRS);
		put32(o + 8, c->flags);
		return reply(c->fd, SMFIC_OPTNEG, o, 12);
	case SMFIC_MACRO:
	case SMFIC_ABORT:
		return 0;
	case SMFIC_QUIT:
		return -1;
	case SMFIC_QUIT_NC:
		return 0;
	case SMFIC_RCPT:
		return (c->flags & SMFIP_NR_RCPT) ? 0 : reply(c->fd, SMFIR_CONTINUE, NULL, 0);
	case SMFIC_HEADER:
		return (c->flags & SMFIP_NR_HDR) ? 0 : reply(c->fd, SMFIR_CONTINUE, NULL, 0);
	case SMFIC_EOH:
		return (c->flags & SMFIP_NR_EOH) ? 0 : reply(c->fd, SMFIR_CONTINUE, NULL, 0);
	case SMFIC_BODY:
		return (c->flags & SMFIP_NR_BODY) ? 0 : reply(c->fd, SMFIR_CONTINUE, NULL, 0);
	case SMFIC_BODYEOB:
		return reply(c->fd, SMFIR_ACCEPT, NULL, 0);
	default:                 /* connect, helo, mail, data, unknown */
		return reply(c->fd, SMFIR_CONTINUE, NULL, 0);
	}
}

/* drain - read what is there and act on every whole packet */
static int
drain(struct conn *c)
{
	ssize_t r;
	size_t off = 0;
	uint32_t n;

	r = read(c->fd, c->buf + c->len, MAX_PKT - c->len);
	if (r <= 0)
		return r < 0 && errno == EINTR ? 0 : -1;
	c->len += (size_t)r;
	while (c->len - off >= 5) {
		n = get32(c->buf + off);
		if (n == 0 || n > MAX_PKT - 4)
			return -1;
		if (c->len - off < 4 + (size_t)n)
			break;
		if (packet(c, (char)c->buf[off + 4], c->buf + off + 5, n - 1) < 0)
			return -1;
		off += 4 + (size_t)n;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct pollfd pfd[MAX_CONN + 1];
	static struct conn conn[MAX_CONN + 1];
	struct sockaddr_un sun;
	const char *path;
	int lfd, i, n = 1;

	if (argc != 2 || strncmp(argv[1], "unix:", 5) != 0 ||
	    strlen(path = argv[1] + 5) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: milter_raw unix:/path/to/socket\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	unlink(path);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 128) < 0) {
		perror("milter_raw");
		return 1;
	}
	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (i = n - 1; i >= 1; i--) {
			if (!pfd[i].revents)
				continue;
			if (drain(&conn[i]) < 0) {
				close(conn[i].fd);
				free(conn[i].buf);
				conn[i] = conn[n - 1];
				pfd[i] = pfd[n - 1];
				n--;
			}
		}
		if (pfd[0].revents & POLLIN) {
			int fd = accept(lfd, NULL, NULL);

			if (fd < 0)
				continue;
			if (n > MAX_CONN || (conn[n].buf = malloc(MAX_PKT)) == NULL) {
				close(fd);
				continue;
			}
			conn[n].fd = fd;
			conn[n].len = 0;
			conn[n].flags = 0;
			pfd[n].fd = fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
	}
}
