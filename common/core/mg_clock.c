/*
 * mg_clock.c - the monotonic clock (see mg_clock.h)
 */
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
