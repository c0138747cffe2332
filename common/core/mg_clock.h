/*
 * mg_clock.h - the monotonic clock every timeout and backoff is measured on
 *
 * mg_now_ms() reads CLOCK_MONOTONIC: it never jumps with the wall clock
 * (NTP steps, an admin's date(1)), so deadlines, backoffs, cache ages and
 * outage durations stay right.  Unix seconds (record times written to
 * Redis, ban expiries) use time(2) instead; mg_time_local() shows them.
 */
#ifndef MG_CLOCK_H
#define MG_CLOCK_H

/* mg_now_ms - milliseconds on the monotonic clock (origin unspecified) */
long long mg_now_ms(void);
/* mg_now_ns - nanoseconds on the same clock (latency histograms) */
long long mg_now_ns(void);

#include <stddef.h>

/* mg_time_local - unix seconds t as local time by strftime(fmt) into out;
 * -1 (out untouched) when it cannot be converted or does not fit, so the
 * caller writes its own fallback */
int mg_time_local(long long t, const char *fmt, char *out, size_t outsz)
	__attribute__((format(strftime, 2, 0)));

#endif
