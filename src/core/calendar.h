/* The working calendar (DOMAIN §5): which days are worked, the working hours of a day,
 * and the exceptions of each year — public holidays (放假) and the make-up working days
 * (调休上班) that move weekends. Working-time arithmetic on it: "start + 2 working days",
 * "working seconds between t1 and t2", exact across weekends, holidays, make-up days,
 * nights and year ends, in the organisation's zone.
 *
 * Pure: no I/O, no clock, no globals. The zone is asked through the utc_offset callback
 * (seconds east of UTC at an instant), so Asia/Shanghai and zones with summer time both
 * work. Times are UTC seconds; days are counted from 1970-01-01 in the local calendar. */
#ifndef TS_CALENDAR_H
#define TS_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define TS_CAL_SPANS_MAX 4

/* A working period of a day, in minutes from local midnight: [start, end), start < end,
 * 0 <= start, end <= 1440. Spans of a calendar are sorted and do not overlap. */
typedef struct {
  int start, end;
} ts_work_span;

/* An exception: day (days from 1970-01-01, local) is a holiday (working = 0) or a make-up
 * working day (working = 1) whatever its weekday says. */
typedef struct {
  int32_t day;
  int working;
} ts_cal_day;

typedef struct {
  unsigned weekdays; /* bit 0 = Monday ... bit 6 = Sunday: the usual working days */
  ts_work_span spans[TS_CAL_SPANS_MAX];
  int nspans;
  const ts_cal_day *days; /* sorted by day, no duplicates; borrowed */
  size_t ndays;
  /* seconds east of UTC at the instant utc (NULL: UTC) */
  int32_t (*utc_offset)(void *ctx, int64_t utc);
  void *ctx;
} ts_calendar;

/* Days from 1970-01-01 of a proleptic Gregorian date and back. */
int32_t ts_cal_day_of(int y, int m, int d);
void ts_cal_civil(int32_t day, int *y, int *m, int *d);
/* 0 = Monday ... 6 = Sunday. */
int ts_cal_weekday(int32_t day);

/* 1 if the local day is a working day (exceptions first, then weekdays). */
int ts_cal_is_working_day(const ts_calendar *c, int32_t day);
/* Working seconds in one working day (the sum of the spans). */
int64_t ts_cal_day_seconds(const ts_calendar *c);

/* The instant when `seconds` of working time have passed since start: time outside the
 * spans of working days does not count. A start outside working time counts from the
 * next working moment; the result is the earliest instant at which the amount is reached
 * (so a span's end, not the next morning). seconds = 0 gives start.
 * TS_ERR_INVALID if the calendar has no working time within ten years of start. */
int ts_cal_add(const ts_calendar *c, int64_t start, int64_t seconds, int64_t *out);
/* Working seconds in [t1, t2) (0 when t2 <= t1). */
int64_t ts_cal_between(const ts_calendar *c, int64_t t1, int64_t t2);

/* Parses working hours "09:00-12:00,13:00-18:00" into c->spans (sorted, not overlapping,
 * at most TS_CAL_SPANS_MAX, "24:00" allowed as an end). TS_ERR_INVALID otherwise. */
int ts_cal_parse_spans(const char *s, ts_calendar *c);
/* Writes the spans back in that form. */
int ts_cal_format_spans(const ts_calendar *c, char *out, size_t outsz);

/* One line of a year's list: "2026-02-14,workday,春节调休" or "2026-02-15,holiday,春节"
 * (also "休"/"班" for the kind; separators ',' or tab; the name is optional and may be up
 * to 100 characters; blank lines and lines starting with '#' give TS_ERR_NOT_FOUND).
 * Fills date ("YYYY-MM-DD"), *working and name. TS_ERR_INVALID with a message in why. */
int ts_cal_parse_line(const char *line, char date[11], int *working, char *name,
                      size_t namesz, const char **why);

#endif
