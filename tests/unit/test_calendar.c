/* The working calendar: civil dates, working-time arithmetic on China's 2026 official schedule
 * (State Council notice: holidays and make-up working days), and its text formats.
 *
 * Every expected instant below is worked out by hand in the comment beside it; the loops at the
 * end then check the arithmetic against a minute-by-minute walk and against itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h> /* after the headers it needs */

#include "core/calendar.h"
#include "core/ts_err.h"

#define H 3600
#define WD 8 /* hours in a working day of the split calendar */

/* China's 2026 schedule, as an administrator would paste it. Jan 3, Feb 15, Feb 21-22 ... are
 * weekends anyway; the notice lists them as part of the holiday, and so do we. */
static const char *const cn2026[] = {"\xEF\xBB\xBF# 国务院办公厅关于2026年部分节假日安排的通知",
                                     "2026-01-01,holiday,元旦",
                                     "2026-01-02,holiday,元旦",
                                     "2026-01-03,holiday,元旦",
                                     "2026-01-04,workday,元旦调休（周日上班）",
                                     "2026-02-14,workday,春节调休（周六上班）",
                                     "2026-02-15,holiday,春节",
                                     "2026-02-16,holiday,春节",
                                     "2026-02-17,holiday,春节",
                                     "2026-02-18,holiday,春节",
                                     "2026-02-19,holiday,春节",
                                     "2026-02-20,holiday,春节",
                                     "2026-02-21,holiday,春节",
                                     "2026-02-22,holiday,春节",
                                     "2026-02-23,holiday,春节",
                                     "2026-02-28,workday,春节调休（周六上班）",
                                     "",
                                     "2026-04-04\t休\t清明节",
                                     "2026-04-05\t休\t清明节",
                                     "2026-04-06\t休\t清明节",
                                     "2026-05-01,holiday,劳动节",
                                     "2026-05-02,holiday,劳动节",
                                     "2026-05-03,holiday,劳动节",
                                     "2026-05-04,holiday,劳动节",
                                     "2026-05-05,holiday,劳动节",
                                     "2026-05-09,班,劳动节调休",
                                     "2026-06-19,off,Dragon Boat Festival",
                                     "2026-06-20,off,Dragon Boat Festival",
                                     "2026-06-21,off,Dragon Boat Festival",
                                     "2026-09-20,work,国庆节调休（周日上班）",
                                     "2026-09-25,holiday,中秋节",
                                     "2026-09-26,holiday,中秋节",
                                     "2026-09-27,holiday,中秋节",
                                     "2026-10-01,holiday,国庆节",
                                     "2026-10-02,holiday,国庆节",
                                     "2026-10-03,holiday,国庆节",
                                     "2026-10-04,holiday,国庆节",
                                     "2026-10-05,holiday,国庆节",
                                     "2026-10-06,holiday,国庆节",
                                     "2026-10-07,holiday,国庆节",
                                     "2026-10-10,workday,国庆节调休（周六上班）",
                                     NULL};

typedef struct {
  ts_cal_day days[64];
  ts_calendar split;  /* Mon-Fri 09:00-12:00,13:00-18:00 (8 h) + the 2026 schedule */
  ts_calendar single; /* Mon-Fri 09:00-18:00 (9 h) + the 2026 schedule */
} fixture;

static int32_t shanghai(void *ctx, int64_t utc) {
  (void)ctx;
  (void)utc;
  return 8 * H;
}

/* The instant of a wall-clock time in Shanghai. */
static int64_t at(int y, int mo, int d, int h, int mi) {
  return (int64_t)ts_cal_day_of(y, mo, d) * 86400 + h * H + mi * 60 - 8 * H;
}

/* "2026-02-24 10:00:00" in Shanghai, for failure messages. */
static const char *show(int64_t t, char *buf, size_t n) {
  int64_t local = t + 8 * H, day = local / 86400 - (local % 86400 < 0);
  int64_t s = local - day * 86400;
  int y, m, d;
  ts_cal_civil((int32_t)day, &y, &m, &d);
  snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(s / H), (int)(s % H / 60),
           (int)(s % 60));
  return buf;
}

static int setup(void **state) {
  static fixture f;
  size_t n = 0;
  memset(&f, 0, sizeof f);
  for (int i = 0; cn2026[i]; i++) {
    char date[11], name[401];
    int working, y, m, d, rc;
    const char *why = NULL;
    rc = ts_cal_parse_line(cn2026[i], date, &working, name, sizeof name, &why);
    if (rc == TS_ERR_NOT_FOUND)
      continue;
    if (rc != TS_OK || sscanf(date, "%d-%d-%d", &y, &m, &d) != 3 || n == 64)
      return -1;
    f.days[n].day = ts_cal_day_of(y, m, d);
    f.days[n].working = working;
    if (n > 0 && f.days[n].day <= f.days[n - 1].day)
      return -1; /* the list must be sorted */
    n++;
  }
  if (n != 39)
    return -1;
  f.split.weekdays = 0x1f; /* Monday to Friday */
  f.split.days = f.days;
  f.split.ndays = n;
  f.split.utc_offset = shanghai;
  f.single = f.split;
  if (ts_cal_parse_spans("09:00-12:00,13:00-18:00", &f.split) ||
      ts_cal_parse_spans("09:00-18:00", &f.single))
    return -1;
  *state = &f;
  return 0;
}

/* start + secs must be want, and between() must give secs back. */
static void expect_add(const ts_calendar *c, int64_t start, int64_t secs, int64_t want) {
  int64_t got = 0;
  assert_int_equal(ts_cal_add(c, start, secs, &got), TS_OK);
  if (got != want) {
    char a[32], b[32], s[32];
    fail_msg("%s + %llds: got %s, want %s", show(start, s, sizeof s), (long long)secs,
             show(got, a, sizeof a), show(want, b, sizeof b));
  }
  assert_int_equal(ts_cal_between(c, start, got), secs);
}

static void test_civil(void **state) {
  (void)state;
  assert_int_equal(ts_cal_day_of(1970, 1, 1), 0);
  assert_int_equal(ts_cal_day_of(2000, 3, 1), 11017);
  assert_int_equal(ts_cal_day_of(2026, 1, 1), 20454); /* 1767225600 / 86400 */
  assert_int_equal(ts_cal_day_of(1969, 12, 31), -1);
  assert_int_equal(ts_cal_day_of(1, 1, 1), -719162);
  assert_int_equal(ts_cal_day_of(9999, 12, 31), 2932896);
  assert_int_equal(ts_cal_weekday(0), 3); /* 1970-01-01: Thursday */
  assert_int_equal(ts_cal_weekday(-1), 2);
  assert_int_equal(ts_cal_weekday(ts_cal_day_of(2026, 1, 1)), 3);   /* Thursday */
  assert_int_equal(ts_cal_weekday(ts_cal_day_of(2026, 1, 4)), 6);   /* Sunday */
  assert_int_equal(ts_cal_weekday(ts_cal_day_of(2026, 2, 14)), 5);  /* Saturday */
  assert_int_equal(ts_cal_weekday(ts_cal_day_of(2026, 2, 24)), 1);  /* Tuesday */
  assert_int_equal(ts_cal_weekday(ts_cal_day_of(2026, 9, 20)), 6);  /* Sunday */
  assert_int_equal(ts_cal_weekday(ts_cal_day_of(2026, 10, 10)), 5); /* Saturday */
  assert_int_equal(ts_cal_weekday(ts_cal_day_of(2025, 10, 27)), 0); /* Monday */
  /* every day of years 1..9999 round-trips, and the weekday advances by one each day */
  for (int32_t day = -719162; day <= 2932896; day++) {
    int y, m, d;
    ts_cal_civil(day, &y, &m, &d);
    if (ts_cal_day_of(y, m, d) != day || m < 1 || m > 12 || d < 1 || d > 31)
      fail_msg("day %d -> %d-%d-%d", (int)day, y, m, d);
    if (ts_cal_weekday(day) != (ts_cal_weekday(day - 1) + 1) % 7)
      fail_msg("weekday of %d", (int)day);
  }
  /* and agrees with the C library around the epoch */
  for (int32_t day = -100000; day <= 100000; day += 7) {
    time_t t = (time_t)day * 86400;
    struct tm tm;
    int y, m, d;
    gmtime_r(&t, &tm);
    ts_cal_civil(day, &y, &m, &d);
    assert_int_equal(y, tm.tm_year + 1900);
    assert_int_equal(m, tm.tm_mon + 1);
    assert_int_equal(d, tm.tm_mday);
    assert_int_equal(ts_cal_weekday(day), (tm.tm_wday + 6) % 7);
  }
}

static void test_working_days(void **state) {
  const fixture *f = *state;
  const ts_calendar *c = &f->split;
  assert_int_equal(ts_cal_day_seconds(&f->split), 8 * H);
  assert_int_equal(ts_cal_day_seconds(&f->single), 9 * H);
  assert_false(ts_cal_is_working_day(c, ts_cal_day_of(2026, 1, 1)));  /* Thursday, holiday */
  assert_false(ts_cal_is_working_day(c, ts_cal_day_of(2026, 1, 3)));  /* Saturday, holiday */
  assert_true(ts_cal_is_working_day(c, ts_cal_day_of(2026, 1, 4)));   /* Sunday, make-up */
  assert_true(ts_cal_is_working_day(c, ts_cal_day_of(2026, 1, 5)));   /* Monday */
  assert_true(ts_cal_is_working_day(c, ts_cal_day_of(2026, 2, 13)));  /* Friday */
  assert_true(ts_cal_is_working_day(c, ts_cal_day_of(2026, 2, 14)));  /* Saturday, make-up */
  assert_false(ts_cal_is_working_day(c, ts_cal_day_of(2026, 2, 16))); /* Monday, holiday */
  assert_false(ts_cal_is_working_day(c, ts_cal_day_of(2026, 2, 23))); /* Monday, holiday */
  assert_true(ts_cal_is_working_day(c, ts_cal_day_of(2026, 2, 24)));  /* Tuesday */
  assert_false(ts_cal_is_working_day(c, ts_cal_day_of(2026, 3, 7)));  /* plain Saturday */
  assert_false(ts_cal_is_working_day(c, ts_cal_day_of(2026, 3, 8)));  /* plain Sunday */
  assert_true(ts_cal_is_working_day(c, ts_cal_day_of(2026, 10, 10))); /* Saturday, make-up */
  assert_false(ts_cal_is_working_day(c, ts_cal_day_of(2026, 10, 7))); /* Wednesday, holiday */
  assert_false(ts_cal_is_working_day(NULL, 0));
}

/* An ordinary week (March 2026 has no exceptions). */
static void test_add_plain_week(void **state) {
  const fixture *f = *state;
  /* 9 h days: Mon 03-02 15:00 + 2 working days (18 h) = Mon 15-18 (3 h) + Tue (9 h, 12 h) +
   * Wed 09-15 (6 h, 18 h) -> Wed 15:00 */
  expect_add(&f->single, at(2026, 3, 2, 15, 0), 2 * 9 * H, at(2026, 3, 4, 15, 0));
  /* Fri 03-06 17:00 + 2 h = Fri 17-18 (1 h), the weekend, Mon 09-10 -> Mon 03-09 10:00 */
  expect_add(&f->single, at(2026, 3, 6, 17, 0), 2 * H, at(2026, 3, 9, 10, 0));
  expect_add(&f->split, at(2026, 3, 6, 17, 0), 2 * H, at(2026, 3, 9, 10, 0));
  /* 8 h days: Mon 03-02 15:00 + 2 wd (16 h) = Mon 15-18 (3 h) + Tue (8 h, 11 h) + Wed 09-12
   * (3 h, 14 h) + 13-15 (2 h, 16 h) -> Wed 15:00 */
  expect_add(&f->split, at(2026, 3, 2, 15, 0), 2 * WD * H, at(2026, 3, 4, 15, 0));
}

static void test_add_spring_festival(void **state) {
  const fixture *f = *state;
  const ts_calendar *c = &f->split;
  /* Fri 02-13 10:00 + 2 wd (16 h): Fri 10-12 + 13-18 = 7 h; Sat 02-14 is worked: 8 h, 15 h;
   * Sun 02-15 .. Mon 02-23 are the holiday; Tue 02-24 09-10: 16 h -> Tue 02-24 10:00 */
  expect_add(c, at(2026, 2, 13, 10, 0), 2 * WD * H, at(2026, 2, 24, 10, 0));
  /* 9 h days, 18 h: Fri 10-18 = 8 h, Sat 9 h (17 h), Tue 09-10 -> Tue 02-24 10:00 too */
  expect_add(&f->single, at(2026, 2, 13, 10, 0), 2 * 9 * H, at(2026, 2, 24, 10, 0));
  /* Sat 02-14 17:00 + 1 h: the make-up Saturday is worked, 17-18 -> Sat 18:00, its span's
   * end (not the next working morning, Tue 02-24 09:00) */
  expect_add(c, at(2026, 2, 14, 17, 0), 1 * H, at(2026, 2, 14, 18, 0));
  /* + 2 h: Sat 17-18, then nine days off, Tue 09-10 -> Tue 02-24 10:00 */
  expect_add(c, at(2026, 2, 14, 17, 0), 2 * H, at(2026, 2, 24, 10, 0));
  /* + 1 h + 1 s -> Tue 02-24 09:00:01 */
  expect_add(c, at(2026, 2, 14, 17, 0), 1 * H + 1, at(2026, 2, 24, 9, 0) + 1);
  /* 5 wd (40 h) from Wed 02-11 14:00: Wed 14-18 = 4 h; Thu 12, Fri 13, Sat 14 = 24 h (28 h);
   * Tue 24 = 8 h (36 h); Wed 25 09-12 (39 h) 13-14 (40 h) -> Wed 02-25 14:00 */
  expect_add(c, at(2026, 2, 11, 14, 0), 5 * WD * H, at(2026, 2, 25, 14, 0));
  /* 5 wd from Thu 02-12 09:00: Thu, Fri, Sat 14, Tue 24, Wed 25 -> Wed 02-25 18:00 */
  expect_add(c, at(2026, 2, 12, 9, 0), 5 * WD * H, at(2026, 2, 25, 18, 0));
  /* starting inside the holiday (Wed 02-18 10:00) counts from Tue 02-24 09:00 */
  expect_add(c, at(2026, 2, 18, 10, 0), 1 * H, at(2026, 2, 24, 10, 0));
  /* the second make-up Saturday: Fri 02-27 17:00 + 2 h -> Sat 02-28 10:00 */
  expect_add(c, at(2026, 2, 27, 17, 0), 2 * H, at(2026, 2, 28, 10, 0));
  /* a night start the day before the make-up Saturday: Fri 02-13 23:00 + 1 h -> Sat 10:00 */
  expect_add(c, at(2026, 2, 13, 23, 0), 1 * H, at(2026, 2, 14, 10, 0));
}

static void test_add_year_end(void **state) {
  const fixture *f = *state;
  const ts_calendar *c = &f->split;
  /* Wed 2025-12-31 15:00 + 1 wd (8 h): Wed 15-18 = 3 h; Jan 1-3 (Thu-Sat) off; Sun Jan 4 is a
   * make-up working day: 09-12 (6 h), 13-15 (8 h) -> Sun 2026-01-04 15:00 */
  expect_add(c, at(2025, 12, 31, 15, 0), 1 * WD * H, at(2026, 1, 4, 15, 0));
  /* + 2 wd (16 h): 3 h + Sun Jan 4 (8 h, 11 h) + Mon Jan 5 09-12 (14 h), 13-15 -> Jan 5 15:00 */
  expect_add(c, at(2025, 12, 31, 15, 0), 2 * WD * H, at(2026, 1, 5, 15, 0));
  /* 9 h days: Wed 15-18 = 3 h, Sun Jan 4 09-15 = 6 h -> Sun 2026-01-04 15:00 */
  expect_add(&f->single, at(2025, 12, 31, 15, 0), 9 * H, at(2026, 1, 4, 15, 0));
  /* the Saturday before is a holiday anyway: Fri 2026-01-02 (holiday) 10:00 + 1 h -> Sun Jan 4
   * 10:00 */
  expect_add(c, at(2026, 1, 2, 10, 0), 1 * H, at(2026, 1, 4, 10, 0));
}

static void test_add_national_day(void **state) {
  const fixture *f = *state;
  const ts_calendar *c = &f->split;
  /* Fri 09-18 17:00 + 2 h: Fri 17-18; Sat 19 off; Sun 09-20 is worked -> Sun 09-20 10:00 */
  expect_add(c, at(2026, 9, 18, 17, 0), 2 * H, at(2026, 9, 20, 10, 0));
  /* Mon 09-21 09:00 + 10 wd: Mon 21 .. Thu 24 (4); Fri 25 - Sun 27 Mid-Autumn; Mon 28 .. Wed 30
   * (7); Oct 1-7 National Day; Thu Oct 8, Fri 9 (9); Sat Oct 10 worked (10) -> Sat 10-10 18:00 */
  expect_add(c, at(2026, 9, 21, 9, 0), 10 * WD * H, at(2026, 10, 10, 18, 0));
  /* Thu 09-24 17:00 + 2 h: Thu 17-18; Fri-Sun Mid-Autumn; Mon 09-28 09-10 -> 10:00 */
  expect_add(c, at(2026, 9, 24, 17, 0), 2 * H, at(2026, 9, 28, 10, 0));
  /* Wed 09-30 12:00 + 1 wd: Wed 13-18 = 5 h; Oct 1-7 off; Thu Oct 8 09-12 = 3 h, reached at
   * the end of the morning span -> Thu 10-08 12:00, not 13:00 */
  expect_add(c, at(2026, 9, 30, 12, 0), 1 * WD * H, at(2026, 10, 8, 12, 0));
}

static void test_add_15_days(void **state) {
  const fixture *f = *state;
  const ts_calendar *c = &f->split;
  /* Mon 2025-10-27 09:00 + 15 wd: three plain Mon-Fri weeks (Oct 27-31, Nov 3-7, Nov 10-14)
   * -> Fri 2025-11-14 18:00 */
  expect_add(c, at(2025, 10, 27, 9, 0), 15 * WD * H, at(2025, 11, 14, 18, 0));
  /* from 10:00: Mon 10-12 + 13-18 = 7 h, 14 whole days (112 h, 119 h) to Fri 11-14, then
   * Mon 11-17 09-10 -> Mon 2025-11-17 10:00 */
  expect_add(c, at(2025, 10, 27, 10, 0), 15 * WD * H, at(2025, 11, 17, 10, 0));
}

static void test_add_edges(void **state) {
  const fixture *f = *state;
  const ts_calendar *c = &f->split;
  /* night: Thu 03-05 23:00 + 1 h -> Fri 03-06 10:00; before dawn: Mon 03-02 03:00 -> 10:00 */
  expect_add(c, at(2026, 3, 5, 23, 0), 1 * H, at(2026, 3, 6, 10, 0));
  expect_add(c, at(2026, 3, 2, 3, 0), 1 * H, at(2026, 3, 2, 10, 0));
  /* lunch: Mon 03-02 12:30 + 1 h -> 14:00; + 5 h -> 18:00; + 5 h 1 s -> Tue 09:00:01 */
  expect_add(c, at(2026, 3, 2, 12, 30), 1 * H, at(2026, 3, 2, 14, 0));
  expect_add(c, at(2026, 3, 2, 12, 30), 5 * H, at(2026, 3, 2, 18, 0));
  expect_add(c, at(2026, 3, 2, 12, 30), 5 * H + 1, at(2026, 3, 3, 9, 0) + 1);
  /* zero gives the start itself, even outside working time */
  expect_add(c, at(2026, 3, 7, 23, 0), 0, at(2026, 3, 7, 23, 0));
  expect_add(c, at(2026, 3, 2, 10, 0) + 17, 0, at(2026, 3, 2, 10, 0) + 17);
  /* ends exactly at a span's end: Mon 09:00 + 3 h -> 12:00 (not 13:00); + 8 h -> 18:00 */
  expect_add(c, at(2026, 3, 2, 9, 0), 3 * H, at(2026, 3, 2, 12, 0));
  expect_add(c, at(2026, 3, 2, 9, 0), 8 * H, at(2026, 3, 2, 18, 0));
  /* starting at a span's end: 12:00 + 1 s -> 13:00:01; Fri 18:00 + 1 s -> Mon 09:00:01 */
  expect_add(c, at(2026, 3, 2, 12, 0), 1, at(2026, 3, 2, 13, 0) + 1);
  expect_add(c, at(2026, 3, 6, 18, 0), 1, at(2026, 3, 9, 9, 0) + 1);
  /* Fri 18:00 + 1 wd -> Mon 03-09 18:00 */
  expect_add(c, at(2026, 3, 6, 18, 0), WD * H, at(2026, 3, 9, 18, 0));
  /* seconds inside a span count: Mon 09:59:59 + 1 s -> 10:00:00 */
  expect_add(c, at(2026, 3, 2, 10, 0) - 1, 1, at(2026, 3, 2, 10, 0));
  /* a span to midnight: a result at 24:00 is the next day's 00:00 */
  ts_calendar late = *c;
  assert_int_equal(ts_cal_parse_spans("20:00-24:00", &late), TS_OK);
  expect_add(&late, at(2026, 3, 2, 21, 0), 3 * H, at(2026, 3, 3, 0, 0));
  expect_add(&late, at(2026, 3, 2, 21, 0), 3 * H + 1, at(2026, 3, 3, 20, 0) + 1);
}

static void test_add_refuses(void **state) {
  const fixture *f = *state;
  ts_calendar c = f->split;
  int64_t out = 42;
  int64_t t = at(2026, 3, 2, 9, 0);
  assert_int_equal(ts_cal_add(&c, t, -1, &out), TS_ERR_INVALID);
  assert_int_equal(ts_cal_add(NULL, t, 1, &out), TS_ERR_INVALID);
  assert_int_equal(ts_cal_add(&c, t, 1, NULL), TS_ERR_INVALID);
  assert_int_equal(ts_cal_add(&c, t, INT64_MAX, &out), TS_ERR_INVALID);
  assert_int_equal(ts_cal_add(&c, INT64_MAX, 1, &out), TS_ERR_INVALID);
  assert_int_equal(ts_cal_add(&c, INT64_MIN, 1, &out), TS_ERR_INVALID);
  assert_int_equal(out, 42); /* untouched on error */
  /* no working time at all */
  ts_calendar none = {0};
  assert_int_equal(ts_cal_parse_spans("09:00-18:00", &none), TS_OK);
  assert_int_equal(ts_cal_add(&none, t, 1, &out), TS_ERR_INVALID);
  assert_int_equal(ts_cal_add(&none, t, 0, &out), TS_OK); /* zero needs no working time */
  assert_int_equal(out, t);
  none.weekdays = 0x1f;
  none.nspans = 0;
  assert_int_equal(ts_cal_add(&none, t, 1, &out), TS_ERR_INVALID);
  /* spans the header forbids (overlapping) */
  none.nspans = 2;
  none.spans[0] = (ts_work_span){540, 720};
  none.spans[1] = (ts_work_span){700, 1080};
  assert_int_equal(ts_cal_add(&none, t, 1, &out), TS_ERR_INVALID);
  /* a calendar whose only working day is a make-up day: five years away is found, eleven
   * years away is beyond the ten-year search */
  ts_cal_day one = {ts_cal_day_of(2031, 3, 3), 1};
  ts_calendar rare = {0};
  rare.days = &one;
  rare.ndays = 1;
  assert_int_equal(ts_cal_parse_spans("09:00-18:00", &rare), TS_OK);
  assert_int_equal(ts_cal_add(&rare, (int64_t)ts_cal_day_of(2026, 3, 3) * 86400, H, &out), TS_OK);
  assert_int_equal(out, (int64_t)one.day * 86400 + 10 * H); /* no utc_offset: UTC */
  out = 42;
  assert_int_equal(ts_cal_add(&rare, (int64_t)ts_cal_day_of(2020, 3, 3) * 86400, H, &out),
                   TS_ERR_INVALID);
  assert_int_equal(out, 42);
}

/* A zone with summer time: standard offset, summer offset from utc spring to utc autumn. */
typedef struct {
  int32_t standard, summer;
  int64_t spring, autumn;
} zone;

static int32_t summer_time(void *ctx, int64_t utc) {
  const zone *z = ctx;
  return utc >= z->spring && utc < z->autumn ? z->summer : z->standard;
}

static void test_add_summer_time(void **state) {
  (void)state;
  /* Europe/Berlin in 2026: +01:00, +02:00 from 03-29 01:00Z, +01:00 from 10-25 01:00Z */
  zone berlin = {H, 2 * H, (int64_t)ts_cal_day_of(2026, 3, 29) * 86400 + H,
                 (int64_t)ts_cal_day_of(2026, 10, 25) * 86400 + H};
  /* America/New_York: -05:00, -04:00 from 03-08 07:00Z, -05:00 from 11-01 06:00Z */
  zone new_york = {-5 * H, -4 * H, (int64_t)ts_cal_day_of(2026, 3, 8) * 86400 + 7 * H,
                   (int64_t)ts_cal_day_of(2026, 11, 1) * 86400 + 6 * H};
  ts_calendar c = {0};
  int64_t out;
  c.weekdays = 0x1f;
  c.utc_offset = summer_time;
  c.ctx = &berlin;
  assert_int_equal(ts_cal_parse_spans("09:00-18:00", &c), TS_OK);
  /* Working time is wall-clock time on both sides of a change.
   * Fri 03-27 17:00+01:00 (16:00Z) + 2 h -> Mon 03-30 10:00+02:00 (08:00Z) */
  int64_t fri = (int64_t)ts_cal_day_of(2026, 3, 27) * 86400 + 16 * H;
  int64_t mon = (int64_t)ts_cal_day_of(2026, 3, 30) * 86400 + 8 * H;
  assert_int_equal(ts_cal_add(&c, fri, 2 * H, &out), TS_OK);
  assert_int_equal(out, mon);
  assert_int_equal(ts_cal_between(&c, fri, out), 2 * H);
  /* Fri 10-23 17:00+02:00 (15:00Z) + 2 h -> Mon 10-26 10:00+01:00 (09:00Z) */
  fri = (int64_t)ts_cal_day_of(2026, 10, 23) * 86400 + 15 * H;
  mon = (int64_t)ts_cal_day_of(2026, 10, 26) * 86400 + 9 * H;
  assert_int_equal(ts_cal_add(&c, fri, 2 * H, &out), TS_OK);
  assert_int_equal(out, mon);
  assert_int_equal(ts_cal_between(&c, fri, out), 2 * H);

  /* Local times near a change need the corrected offset: a round-the-clock calendar. Berlin,
   * Sun 03-29 00:00+01:00 (03-28 23:00Z) + 1 h 30 -> 01:30+01:00 = 00:30Z. (Read as UTC,
   * 01:30 is already summer time: one uncorrected lookup would give 23:30Z.) */
  c.weekdays = 0x7f;
  assert_int_equal(ts_cal_parse_spans("00:00-24:00", &c), TS_OK);
  int64_t sun = (int64_t)ts_cal_day_of(2026, 3, 28) * 86400 + 23 * H;
  assert_int_equal(ts_cal_add(&c, sun, H + H / 2, &out), TS_OK);
  assert_int_equal(out, sun + H + H / 2);
  /* New York, Sun 03-08 06:00-04:00 (10:00Z) + 30 min -> 06:30-04:00 = 10:30Z. (Read as UTC,
   * 06:30 is still winter time: one uncorrected lookup would give 11:30Z.) */
  c.ctx = &new_york;
  sun = (int64_t)ts_cal_day_of(2026, 3, 8) * 86400 + 10 * H;
  assert_int_equal(ts_cal_add(&c, sun, H / 2, &out), TS_OK);
  assert_int_equal(out, sun + H / 2);
}

static void test_between(void **state) {
  const fixture *f = *state;
  const ts_calendar *c = &f->split;
  assert_int_equal(ts_cal_between(c, at(2026, 2, 13, 10, 0), at(2026, 2, 24, 10, 0)), 16 * H);
  assert_int_equal(ts_cal_between(c, at(2026, 2, 24, 10, 0), at(2026, 2, 13, 10, 0)), 0);
  assert_int_equal(ts_cal_between(c, at(2026, 2, 24, 10, 0), at(2026, 2, 24, 10, 0)), 0);
  assert_int_equal(ts_cal_between(c, at(2026, 2, 16, 0, 0), at(2026, 2, 17, 0, 0)), 0);
  assert_int_equal(ts_cal_between(c, at(2026, 2, 14, 0, 0), at(2026, 2, 15, 0, 0)), 8 * H);
  assert_int_equal(ts_cal_between(c, at(2026, 2, 15, 0, 0), at(2026, 2, 24, 0, 0)), 0);
  assert_int_equal(ts_cal_between(c, at(2026, 3, 7, 0, 0), at(2026, 3, 9, 0, 0)), 0);
  assert_int_equal(ts_cal_between(c, at(2026, 3, 2, 12, 0), at(2026, 3, 2, 13, 0)), 0);
  assert_int_equal(ts_cal_between(c, at(2026, 3, 2, 11, 30), at(2026, 3, 2, 13, 30)), 1 * H);
  assert_int_equal(ts_cal_between(c, at(2025, 12, 31, 15, 0), at(2026, 1, 5, 15, 0)), 16 * H);
  /* The whole of 2026. It starts on a Thursday and has 365 = 52 * 7 + 1 days: 52 * 5 + 1 =
   * 261 weekdays. Holidays on weekdays: Jan 1-2 (2), Feb 16-20 and 23 (6), Apr 6 (1), May 1,
   * 4, 5 (3), Jun 19 (1), Sep 25 (1), Oct 1, 2, 5, 6, 7 (5): 19. Make-up days: Jan 4, Feb 14,
   * Feb 28, May 9, Sep 20, Oct 10: 6. 261 - 19 + 6 = 248 working days. */
  assert_int_equal(ts_cal_between(c, at(2026, 1, 1, 0, 0), at(2027, 1, 1, 0, 0)), 248 * 8 * H);
  assert_int_equal(ts_cal_between(&f->single, at(2026, 1, 1, 0, 0), at(2027, 1, 1, 0, 0)),
                   248 * 9 * H);
  /* 2027 has no exceptions in the list: it starts on a Friday, 52 * 5 + 1 = 261 */
  assert_int_equal(ts_cal_between(c, at(2027, 1, 1, 0, 0), at(2028, 1, 1, 0, 0)), 261 * 8 * H);
  /* any range, however wide, is counted without overflow */
  assert_true(ts_cal_between(c, INT64_MIN, INT64_MAX) > 0);
  assert_int_equal(ts_cal_between(c, INT64_MAX - 5, INT64_MAX), 0);
  assert_int_equal(ts_cal_between(NULL, 0, 86400), 0);
}

/* Working seconds by walking minute by minute: the reference between() must agree with. */
static int64_t walk_between(const ts_calendar *c, int64_t t1, int64_t t2) {
  int64_t n = 0;
  for (int64_t t = t1; t < t2; t += 60) {
    int64_t local = t + 8 * H, day = local / 86400, minute = local % 86400 / 60;
    if (!ts_cal_is_working_day(c, (int32_t)day))
      continue;
    for (int i = 0; i < c->nspans; i++)
      if (minute >= c->spans[i].start && minute < c->spans[i].end)
        n += 60;
  }
  return n;
}

static uint32_t next_random(uint32_t *seed) {
  *seed = *seed * 1103515245u + 12345u;
  return *seed >> 8;
}

static void test_between_matches_walk(void **state) {
  const fixture *f = *state;
  uint32_t seed = 2026;
  int64_t from = at(2025, 12, 25, 0, 0), span = (int64_t)75 * 86400;
  for (int i = 0; i < 300; i++) {
    const ts_calendar *c = i % 2 ? &f->split : &f->single;
    int64_t t1 = from + (int64_t)(next_random(&seed) % (uint32_t)(span / 60)) * 60;
    int64_t t2 = t1 + (int64_t)(next_random(&seed) % (12 * 1440)) * 60;
    int64_t want = walk_between(c, t1, t2), got = ts_cal_between(c, t1, t2);
    if (got != want) {
      char a[32], b[32];
      fail_msg("between(%s, %s) = %lld, walk %lld", show(t1, a, sizeof a), show(t2, b, sizeof b),
               (long long)got, (long long)want);
    }
  }
}

/* between(t, add(t, s)) == s, the result is the earliest such instant, and results grow with
 * the amount: for starts all through the winter holidays, seconds not on minute boundaries. */
static void test_add_between_property(void **state) {
  const fixture *f = *state;
  static const int64_t amounts[] = {0,      1,          59,      H,         3 * H,      3 * H + 1,
                                    5 * H,  8 * H - 1,  8 * H,   8 * H + 1, 9 * H,      16 * H,
                                    40 * H, 41 * H + 7, 120 * H, 240 * H,   270 * H + 1};
  for (int k = 0; k < 2; k++) {
    const ts_calendar *c = k ? &f->single : &f->split;
    for (int64_t t = at(2025, 12, 20, 0, 0); t < at(2026, 3, 10, 0, 0); t += 37 * 60 + 13) {
      int64_t prev = t;
      for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
        int64_t s = amounts[i], r;
        assert_int_equal(ts_cal_add(c, t, s, &r), TS_OK);
        assert_true(r >= prev);
        prev = r;
        if (ts_cal_between(c, t, r) != s || (s > 0 && ts_cal_between(c, t, r - 1) != s - 1)) {
          char a[32], b[32];
          fail_msg("%s + %lld -> %s", show(t, a, sizeof a), (long long)s, show(r, b, sizeof b));
        }
      }
    }
  }
}

/* add() against a minute-by-minute walk, for minute-aligned starts and amounts. */
static void test_add_matches_walk(void **state) {
  const fixture *f = *state;
  const ts_calendar *c = &f->split;
  uint32_t seed = 7;
  for (int i = 0; i < 200; i++) {
    int64_t t = at(2026, 1, 28, 0, 0) + (int64_t)(next_random(&seed) % (40 * 1440)) * 60;
    int64_t s = (int64_t)(next_random(&seed) % (4 * 8 * 60)) * 60, r, w = t, n = 0;
    while (n < s) { /* the minute [w, w + 60) counts if it is working */
      n += walk_between(c, w, w + 60);
      w += 60;
    }
    assert_int_equal(ts_cal_add(c, t, s, &r), TS_OK);
    if (r != w) {
      char a[32], b[32], d[32];
      fail_msg("%s + %lld min: %s, walk %s", show(t, a, sizeof a), (long long)(s / 60),
               show(r, b, sizeof b), show(w, d, sizeof d));
    }
  }
}

static void test_spans(void **state) {
  (void)state;
  ts_calendar c = {0};
  char buf[64];
  assert_int_equal(ts_cal_parse_spans("09:00-12:00,13:00-18:00", &c), TS_OK);
  assert_int_equal(c.nspans, 2);
  assert_int_equal(c.spans[0].start, 540);
  assert_int_equal(c.spans[0].end, 720);
  assert_int_equal(c.spans[1].start, 780);
  assert_int_equal(c.spans[1].end, 1080);
  assert_int_equal(ts_cal_format_spans(&c, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "09:00-12:00,13:00-18:00");
  /* exactly enough room, and one byte short */
  assert_int_equal(ts_cal_format_spans(&c, buf, 24), TS_OK);
  assert_int_equal(ts_cal_format_spans(&c, buf, 23), TS_ERR_INVALID);
  assert_int_equal(ts_cal_parse_spans(" 08:30 - 12:00 , 12:00-17:30\t", &c), TS_OK);
  assert_int_equal(ts_cal_format_spans(&c, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "08:30-12:00,12:00-17:30"); /* touching is not overlapping */
  assert_int_equal(ts_cal_parse_spans("00:00-24:00", &c), TS_OK);
  assert_int_equal(c.nspans, 1);
  assert_int_equal(c.spans[0].end, 1440);
  assert_int_equal(ts_cal_format_spans(&c, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "00:00-24:00");
  assert_int_equal(ts_cal_parse_spans("00:00-06:00,08:00-12:00,13:00-17:00,19:00-24:00", &c),
                   TS_OK);
  assert_int_equal(c.nspans, TS_CAL_SPANS_MAX);
  assert_int_equal(ts_cal_format_spans(&c, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "00:00-06:00,08:00-12:00,13:00-17:00,19:00-24:00");

  static const char *const bad[] = {"",
                                    " ",
                                    "09:00",
                                    "09:00-",
                                    "9:00-12:00",
                                    "09:0-12:00",
                                    "09:00-12:00,",
                                    ",09:00-12:00",
                                    "09:00-12:00,,13:00-18:00",
                                    "12:00-09:00",
                                    "09:00-09:00",
                                    "13:00-18:00,09:00-12:00",
                                    "09:00-13:00,12:00-18:00",
                                    "09:60-10:00",
                                    "25:00-26:00",
                                    "24:00-24:00",
                                    "23:00-24:30",
                                    "09:00-12:00;13:00-18:00",
                                    "09:00-12:00x",
                                    "09:00 12:00",
                                    "09:00--12:00",
                                    "-09:00-12:00",
                                    "01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,09:00-10:00",
                                    "０９:00-12:00",
                                    "09:00-12:00\n13:00-18:00",
                                    NULL};
  ts_calendar before = c;
  for (int i = 0; bad[i]; i++) {
    if (ts_cal_parse_spans(bad[i], &c) != TS_ERR_INVALID)
      fail_msg("accepted \"%s\"", bad[i]);
    assert_memory_equal(&c, &before, sizeof c); /* unchanged on error */
  }
  assert_int_equal(ts_cal_parse_spans(NULL, &c), TS_ERR_INVALID);
  assert_int_equal(ts_cal_parse_spans("09:00-18:00", NULL), TS_ERR_INVALID);
  /* format refuses what parse would: invalid spans; no spans write "" */
  c.nspans = 2;
  c.spans[0] = (ts_work_span){600, 500};
  assert_int_equal(ts_cal_format_spans(&c, buf, sizeof buf), TS_ERR_INVALID);
  c.nspans = 5;
  assert_int_equal(ts_cal_format_spans(&c, buf, sizeof buf), TS_ERR_INVALID);
  c.nspans = 0;
  assert_int_equal(ts_cal_format_spans(&c, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "");
  assert_int_equal(ts_cal_format_spans(&c, buf, 0), TS_ERR_INVALID);
}

static void test_parse_line(void **state) {
  char date[11], name[401];
  int working = -1;
  const char *why = NULL;
  (void)state;
  assert_int_equal(
      ts_cal_parse_line("2026-02-14,workday,春节调休", date, &working, name, sizeof name, &why),
      TS_OK);
  assert_string_equal(date, "2026-02-14");
  assert_int_equal(working, 1);
  assert_string_equal(name, "春节调休");
  assert_null(why);
  assert_int_equal(
      ts_cal_parse_line("2026-02-15,holiday,春节\r\n", date, &working, name, sizeof name, &why),
      TS_OK);
  assert_string_equal(date, "2026-02-15");
  assert_int_equal(working, 0);
  assert_string_equal(name, "春节");
  assert_int_equal(
      ts_cal_parse_line("2026-02-16\t休\t春节\n", date, &working, name, sizeof name, &why), TS_OK);
  assert_int_equal(working, 0);
  assert_string_equal(name, "春节");
  assert_int_equal(ts_cal_parse_line("2026-01-04\t班", date, &working, name, sizeof name, &why),
                   TS_OK);
  assert_int_equal(working, 1);
  assert_string_equal(name, "");
  assert_int_equal(ts_cal_parse_line("  2026-10-01 , Holiday ,  National Day, Golden Week  ", date,
                                     &working, name, sizeof name, &why),
                   TS_OK);
  assert_string_equal(date, "2026-10-01");
  assert_int_equal(working, 0);
  assert_string_equal(name, "National Day, Golden Week"); /* the rest of the line */
  assert_int_equal(ts_cal_parse_line("\xEF\xBB\xBF"
                                     "2026-01-01,off,元旦",
                                     date, &working, name, sizeof name, &why),
                   TS_OK);
  assert_string_equal(date, "2026-01-01");
  assert_int_equal(working, 0);
  assert_int_equal(ts_cal_parse_line("2026-09-20,WORK,", date, &working, name, sizeof name, &why),
                   TS_OK);
  assert_int_equal(working, 1);
  assert_string_equal(name, "");
  assert_int_equal(ts_cal_parse_line("2028-02-29,holiday", date, &working, name, sizeof name, &why),
                   TS_OK);
  assert_int_equal(ts_cal_parse_line("2000-02-29,holiday", date, &working, NULL, 0, &why), TS_OK);
  /* a name of exactly 100 characters (300 bytes) fits; 101 does not */
  char line[600] = "2026-02-17,holiday,";
  for (int i = 0; i < 100; i++)
    strcat(line, "春");
  assert_int_equal(ts_cal_parse_line(line, date, &working, name, sizeof name, &why), TS_OK);
  assert_int_equal(strlen(name), 300);
  assert_int_equal(ts_cal_parse_line(line, date, &working, name, 300, &why), TS_ERR_INVALID);
  assert_string_equal(why, "name does not fit");
  strcat(line, "节");
  assert_int_equal(ts_cal_parse_line(line, date, &working, name, sizeof name, &why),
                   TS_ERR_INVALID);
  assert_string_equal(why, "name is longer than 100 characters");

  /* blank lines and comments are skipped, not errors */
  static const char *const skip[] = {"",
                                     "   ",
                                     "\t\r\n",
                                     "\n",
                                     "# 2026",
                                     "  # note, with, commas",
                                     "\xEF\xBB\xBF# date,kind,name",
                                     "\xEF\xBB\xBF",
                                     NULL};
  for (int i = 0; skip[i]; i++)
    if (ts_cal_parse_line(skip[i], date, &working, name, sizeof name, &why) != TS_ERR_NOT_FOUND)
      fail_msg("did not skip \"%s\"", skip[i]);

  static const struct {
    const char *line, *why;
  } bad[] = {{"2026-02-14", "expected date,kind,name"},
             {"2026-02-14 workday", "expected date,kind,name"},
             {"2026-02-14,", "kind must be holiday or workday"},
             {"2026-02-14,,name", "kind must be holiday or workday"},
             {"2026-02-14,vacation", "kind must be holiday or workday"},
             {"2026-02-14,workdays", "kind must be holiday or workday"},
             {"2026-02-14,休息", "kind must be holiday or workday"},
             {"2026-02-29,holiday", "date must be a real YYYY-MM-DD"},
             {"1900-02-29,holiday", "date must be a real YYYY-MM-DD"},
             {"2026-04-31,holiday", "date must be a real YYYY-MM-DD"},
             {"2026-13-01,holiday", "date must be a real YYYY-MM-DD"},
             {"2026-00-10,holiday", "date must be a real YYYY-MM-DD"},
             {"2026-01-00,holiday", "date must be a real YYYY-MM-DD"},
             {"0000-01-01,holiday", "date must be a real YYYY-MM-DD"},
             {"2026-1-1,holiday", "date must be a real YYYY-MM-DD"},
             {"2026/01/01,holiday", "date must be a real YYYY-MM-DD"},
             {"2026-01-01x,holiday", "date must be a real YYYY-MM-DD"},
             {"26-01-01,holiday", "date must be a real YYYY-MM-DD"},
             {",holiday,元旦", "date must be a real YYYY-MM-DD"},
             {"2026-01-01,holiday,bad\x01name", "name has control characters"},
             {"2026-01-01\tholiday\tname\textra", "name has control characters"},
             {"2026-01-01,holiday,line\nbreak", "name has control characters"},
             {"2026-01-01,holiday,\xC2\x85", "name has control characters"},
             {"2026-01-01,holiday,\xFF", "name is not valid UTF-8"},
             {"2026-01-01,holiday,\xE6\x98", "name is not valid UTF-8"},
             {"2026-01-01,holiday,\xC0\xAF", "name is not valid UTF-8"},
             {"2026-01-01,holiday,\xED\xA0\x80", "name is not valid UTF-8"},
             {NULL, NULL}};
  for (int i = 0; bad[i].line; i++) {
    char d2[11] = "unchanged", n2[401] = "unchanged";
    int w2 = 7;
    why = NULL;
    if (ts_cal_parse_line(bad[i].line, d2, &w2, n2, sizeof n2, &why) != TS_ERR_INVALID)
      fail_msg("accepted \"%s\"", bad[i].line);
    if (!why || strcmp(why, bad[i].why) != 0)
      fail_msg("\"%s\": why \"%s\", want \"%s\"", bad[i].line, why ? why : "(null)", bad[i].why);
    assert_string_equal(d2, "unchanged");
    assert_string_equal(n2, "unchanged");
    assert_int_equal(w2, 7);
  }
  assert_int_equal(ts_cal_parse_line(NULL, date, &working, name, sizeof name, &why),
                   TS_ERR_INVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_civil),
      cmocka_unit_test(test_working_days),
      cmocka_unit_test(test_add_plain_week),
      cmocka_unit_test(test_add_spring_festival),
      cmocka_unit_test(test_add_year_end),
      cmocka_unit_test(test_add_national_day),
      cmocka_unit_test(test_add_15_days),
      cmocka_unit_test(test_add_edges),
      cmocka_unit_test(test_add_refuses),
      cmocka_unit_test(test_add_summer_time),
      cmocka_unit_test(test_between),
      cmocka_unit_test(test_between_matches_walk),
      cmocka_unit_test(test_add_between_property),
      cmocka_unit_test(test_add_matches_walk),
      cmocka_unit_test(test_spans),
      cmocka_unit_test(test_parse_line),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
