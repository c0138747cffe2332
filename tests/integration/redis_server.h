/*
 * redis_server.h - start and stop a real redis-server for C integration
 * tests: loopback, a free port, a temp directory, stopped by pid.
 */
#ifndef MG_TEST_REDIS_SERVER_H
#define MG_TEST_REDIS_SERVER_H

#include <sys/types.h>

struct test_redis {
	pid_t pid;
	int port;
	char dir[64];          /* mkdtemp directory */
	char sock[128];        /* unix socket in dir */
	const char *const *extra;  /* extra redis-server arguments */
};

/* test_redis_pick_port - a currently free TCP port on 127.0.0.1 */
int test_redis_pick_port(void);
/* test_redis_start - start (port 0: pick one), wait until it answers PING
 * (over the unix socket, so requirepass does not matter); 0 or -1 */
int test_redis_start(struct test_redis *r);
/* test_sentinel_start - the same for a Redis Sentinel monitoring the
 * master "mailguard" at 127.0.0.1:master_port (quorum 1, down after 1 s) */
int test_sentinel_start(struct test_redis *r, int master_port);
/* test_redis_stop - SIGTERM by pid and wait; keeps dir for a restart */
void test_redis_stop(struct test_redis *r);
/* test_redis_cleanup - stop if running and remove the temp directory */
void test_redis_cleanup(struct test_redis *r);

#endif
