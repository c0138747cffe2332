/*
 * policy_null.c - the trivial no-backend policy server of the benchmark:
 * answers DUNNO to every request, one epoll thread, no lookups.  It is
 * the ceiling a policy daemon on this machine can approach.
 *
 *   policy_null PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct epoll_event ev, evs[256];
	static char bufs[65536][512];
	static size_t lens[65536];
	int lfd, ep, one = 1;

	if (argc != 2)
		return 2;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 1024) < 0) {
		perror("listen");
		return 1;
	}
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1), k;
		for (k = 0; k < n; k++) {
			int fd = evs[k].data.fd;
			if (fd == lfd) {
				int c = accept(lfd, NULL, NULL);
				if (c < 0 || c >= 65536) {
					if (c >= 0)
						close(c);
					continue;
				}
				lens[c] = 0;
				ev.events = EPOLLIN;
				ev.data.fd = c;
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				continue;
			}
			ssize_t r = read(fd, bufs[fd] + lens[fd], sizeof(bufs[fd]) - lens[fd]);
			if (r <= 0) {
				close(fd);
				continue;
			}
			lens[fd] += (size_t)r;
			/* answer each complete request (ends with an empty line) */
			for (;;) {
				char *end = memmem(bufs[fd], lens[fd], "\n\n", 2);
				size_t used;
				if (end == NULL) {
					if (lens[fd] == sizeof(bufs[fd]))
						lens[fd] = 0;
					break;
				}
				used = (size_t)(end - bufs[fd]) + 2;
				if (write(fd, "action=DUNNO\n\n", 14) != 14)
					break;
				memmove(bufs[fd], bufs[fd] + used, lens[fd] - used);
				lens[fd] -= used;
			}
		}
	}
}
