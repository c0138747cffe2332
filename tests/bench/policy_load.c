/*
 * policy_load.c - a load generator speaking the Postfix policy protocol
 * the way Postfix does: N persistent connections, one request at a time
 * on each, RCPT-state requests for a rotating set of recipients.
 *
 *   policy_load HOST:PORT CONNECTIONS SECONDS RCPT...
 *
 * Prints one line: requests/s and latency percentiles (microseconds).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES (8 * 1024 * 1024)

struct lconn {
	int fd;
	long long sent_ns;
	char buf[4096];
	size_t len;
	unsigned next_rcpt;
};

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void
send_request(struct lconn *c, char **rcpts, int nrcpts)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
		"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
		"client_address=192.0.2.1\nclient_name=client.example\nhelo_name=client.example\n"
		"sender=sender@example.com\nrecipient=%s\nrecipient_count=0\nqueue_id=\n"
		"instance=1.2.3\nsize=4096\nsasl_method=\nsasl_username=\nstress=\n\n",
		rcpts[c->next_rcpt++ % (unsigned)nrcpts]);
	c->sent_ns = now_ns();
	if (write(c->fd, req, (size_t)n) != n) {
		perror("write");
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct lconn *conns;
	struct epoll_event ev, evs[256];
	long long *samples, nsamples = 0, t_end, t0;
	int nconn, secs, ep, i, one = 1;
	char host[64], *colon;

	if (argc < 5) {
		fprintf(stderr, "usage: policy_load HOST:PORT CONNECTIONS SECONDS RCPT...\n");
		return 2;
	}
	snprintf(host, sizeof(host), "%s", argv[1]);
	if ((colon = strrchr(host, ':')) == NULL)
		return 2;
	*colon = '\0';
	nconn = atoi(argv[2]);
	secs = atoi(argv[3]);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(colon + 1));
	inet_pton(AF_INET, host, &sin.sin_addr);
	samples = malloc(MAX_SAMPLES * sizeof(*samples));
	conns = calloc((size_t)nconn, sizeof(*conns));
	ep = epoll_create1(0);
	if (samples == NULL || conns == NULL || ep < 0)
		return 1;
	for (i = 0; i < nconn; i++) {
		conns[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(conns[i].fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			perror("connect");
			return 1;
		}
		setsockopt(conns[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		conns[i].next_rcpt = (unsigned)i;
		ev.events = EPOLLIN;
		ev.data.ptr = &conns[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
	}
	t0 = now_ns();
	t_end = t0 + (long long)secs * 1000000000LL;
	for (i = 0; i < nconn; i++)
		send_request(&conns[i], argv + 4, argc - 4);
	while (now_ns() < t_end) {
		int n = epoll_wait(ep, evs, 256, 1000), k;
		for (k = 0; k < n; k++) {
			struct lconn *c = evs[k].data.ptr;
			ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len - 1);
			if (r <= 0) {
				fprintf(stderr, "server closed a connection\n");
				return 1;
			}
			c->len += (size_t)r;
			c->buf[c->len] = '\0';
			if (c->len >= 2 && memcmp(c->buf + c->len - 2, "\n\n", 2) == 0) {
				if (nsamples < MAX_SAMPLES)
					samples[nsamples++] = now_ns() - c->sent_ns;
				if (strncmp(c->buf, "action=", 7) != 0) {
					fprintf(stderr, "bad reply: %s\n", c->buf);
					return 1;
				}
				c->len = 0;
				send_request(c, argv + 4, argc - 4);
			}
		}
	}
	{
		double elapsed = (double)(now_ns() - t0) / 1e9;
		qsort(samples, (size_t)nsamples, sizeof(*samples), cmp_ll);
		printf("conns=%d requests=%lld rps=%.0f p50_us=%.0f p99_us=%.0f p999_us=%.0f\n",
		       nconn, nsamples, (double)nsamples / elapsed,
		       nsamples ? samples[nsamples / 2] / 1e3 : 0.0,
		       nsamples ? samples[nsamples * 99 / 100] / 1e3 : 0.0,
		       nsamples ? samples[nsamples * 999 / 1000] / 1e3 : 0.0);
	}
	return 0;
}
