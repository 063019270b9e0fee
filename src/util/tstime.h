/* Time as the API speaks it: RFC 3339 with offset, shown in the organisation's zone.
 * The store keeps UTC seconds. The zone is the process's TZ, set once at start-up
 * (ts_time_set_zone), so conversions are thread-safe localtime_r calls. */
#ifndef TS_TSTIME_H
#define TS_TSTIME_H

#include <stddef.h>
#include <stdint.h>

#define TS_TIME_MAX 32 /* buffer for "2026-11-22T09:30:00+08:00" and its NUL */

/* Sets the organisation's zone (an IANA name like "Asia/Shanghai"). TS_ERR_INVALID if the
 * zone is not known to the system. Call before any thread starts. */
int ts_time_set_zone(const char *zone);
const char *ts_time_zone(void);

/* Parses RFC 3339 ("2026-11-22T09:30:00+08:00", "...Z", optional fraction, which is
 * dropped). TS_ERR_INVALID when s is not one or the date does not exist. */
int ts_time_parse(const char *s, int64_t *out);

/* Parses "YYYY-MM-DD" strictly; out = days are checked to exist. */
int ts_date_ok(const char *s);

/* Formats t in the organisation's zone with its offset. */
int ts_time_format(int64_t t, char *out, size_t outsz);

/* Year and month of t in the organisation's zone. */
int ts_time_year_month(int64_t t, int *year, int *month);

/* The zone's offset from UTC at t, in seconds east. */
int32_t ts_time_offset(int64_t t);
/* The local date of t ("YYYY-MM-DD") in the organisation's zone. */
int ts_time_local_date(int64_t t, char out[11]);

/* Days from 1970-01-01 for a proleptic Gregorian date (no I/O, no zone). */
int64_t ts_days_from_civil(int y, int m, int d);

#endif
