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

/* mg_now_us - CLOCK_MONOTONIC in microseconds */
long long
mg_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
