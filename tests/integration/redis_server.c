/*
 * redis_server.c - real redis-server processes for C integration tests
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "redis_server.h"

int
test_redis_pick_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* ping_unix - send an inline PING over the unix socket, expect +PONG */
static int
ping_unix(const char *path)
{
	struct sockaddr_un sun;
	char buf[64];
	ssize_t n;
	int fd, ok = 0;

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		close(fd);
		return 0;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	    write(fd, "PING\r\n", 6) == 6 &&
	    (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		/* +PONG, or -NOAUTH when a password is required: alive */
		ok = strncmp(buf, "+PONG", 5) == 0 || strncmp(buf, "-NOAUTH", 7) == 0;
	}
	close(fd);
	return ok;
}

/* start - redis-server, or a sentinel monitoring sentinel_master_port */
static int
start(struct test_redis *r, int sentinel_master_port)
{
	char port[16], log[160], conf[160];
	const char *argv[64];
	int argc = 0, i;

	if (r->dir[0] == '\0') {
		snprintf(r->dir, sizeof(r->dir), "/tmp/mg-redis-XXXXXX");
		if (mkdtemp(r->dir) == NULL)
			return -1;
	}
	if (r->port == 0 && (r->port = test_redis_pick_port()) < 0)
		return -1;
	snprintf(r->sock, sizeof(r->sock), "%s/redis.sock", r->dir);
	snprintf(port, sizeof(port), "%d", r->port);
	snprintf(log, sizeof(log), "%s/redis.log", r->dir);
	argv[argc++] = "redis-server";
	if (sentinel_master_port > 0) {
		/* a sentinel rewrites its configuration file: one of its own */
		FILE *f;

		snprintf(conf, sizeof(conf), "%s/sentinel.conf", r->dir);
		if ((f = fopen(conf, "w")) == NULL)
			return -1;
		fprintf(f, "sentinel monitor mailguard 127.0.0.1 %d 1\n"
			"sentinel down-after-milliseconds mailguard 1000\n"
			"sentinel failover-timeout mailguard 5000\n",
			sentinel_master_port);
		fclose(f);
		argv[argc++] = conf;
		argv[argc++] = "--sentinel";
	}
	argv[argc++] = "--port"; argv[argc++] = port;
	argv[argc++] = "--bind"; argv[argc++] = "127.0.0.1";
	if (sentinel_master_port <= 0) {
		argv[argc++] = "--save"; argv[argc++] = "";
		argv[argc++] = "--appendonly"; argv[argc++] = "no";
	}
	argv[argc++] = "--dir"; argv[argc++] = r->dir;
	argv[argc++] = "--unixsocket"; argv[argc++] = r->sock;
	argv[argc++] = "--unixsocketperm"; argv[argc++] = "700";
	argv[argc++] = "--logfile"; argv[argc++] = log;
	argv[argc++] = "--daemonize"; argv[argc++] = "no";
	for (i = 0; r->extra != NULL && r->extra[i] != NULL && argc < 63; i++)
		argv[argc++] = r->extra[i];
	argv[argc] = NULL;
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		execvp("redis-server", (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {          /* up to 10 s */
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		int status;
		if (ping_unix(r->sock))
			return 0;
		if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
			fprintf(stderr, "redis-server exited; see %s\n", log);
			r->pid = 0;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "redis-server did not answer; see %s\n", log);
	return -1;
}

int
test_redis_start(struct test_redis *r)
{
	return start(r, 0);
}

int
test_sentinel_start(struct test_redis *r, int master_port)
{
	return start(r, master_port);
}

void
test_redis_stop(struct test_redis *r)
{
	int status;

	if (r->pid <= 0)
		return;
	kill(r->pid, SIGTERM);
	while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
		;
	r->pid = 0;
}

void
test_redis_cleanup(struct test_redis *r)
{
	char cmd[128];
	int rc;

	test_redis_stop(r);
	if (r->dir[0] != '\0' && strncmp(r->dir, "/tmp/mg-redis-", 14) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
		rc = system(cmd);
		(void)rc;
	}
}
