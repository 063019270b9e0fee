/* The one source of "now" for the server. Domain code never calls this: it takes now as
 * a parameter. A test clock (serve --test-clock) can pin the time; it is off unless
 * ts_clock_set_test_mode(1) was called. */
#ifndef TS_CLOCK_H
#define TS_CLOCK_H

#include <stdint.h>

/* Seconds since the epoch, UTC. */
int64_t ts_now(void);
/* Monotonic nanoseconds, for durations. */
int64_t ts_mono_ns(void);

void ts_clock_set_test_mode(int on);
int ts_clock_test_mode(void);
/* Pins now to t (test mode only; returns TS_ERR_FORBIDDEN otherwise). */
int ts_clock_set(int64_t t);

#endif
