/*
 * mg_clock.c - the monotonic clock (see mg_clock.h)
 */
#include <string.h>
#include <time.h>

#include "mg_clock.h"

/* mg_now_ms - CLOCK_MONOTONIC in milliseconds */
long long
mg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* mg_now_ns - CLOCK_MONOTONIC in nanoseconds */
long long
mg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* mg_time_local - see mg_clock.h */
int
mg_time_local(long long t, const char *fmt, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[128];
	size_t n;

	if (localtime_r(&tt, &tm) == NULL)
		return -1;
	/* fmt is checked at each call (the format attribute in mg_clock.h) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(buf, sizeof(buf), fmt, &tm);
#pragma GCC diagnostic pop
	if (n == 0 || n >= outsz)
		return -1;
	memcpy(out, buf, n + 1);
	return 0;
}
