/* RFC 3339 parsing and formatting in the organisation's zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ts_err.h"
#include "util/tstime.h"

static int setup(void **state) {
  (void)state;
  return ts_time_set_zone("Asia/Shanghai");
}

static void test_parse(void **state) {
  int64_t t;
  (void)state;
  assert_int_equal(ts_time_parse("2026-11-22T09:30:00+08:00", &t), TS_OK);
  assert_int_equal(t, 1795311000);
  assert_int_equal(ts_time_parse("2026-11-22T01:30:00Z", &t), TS_OK);
  assert_int_equal(t, 1795311000);
  assert_int_equal(ts_time_parse("2026-11-22T01:30:00.123456Z", &t), TS_OK);
  assert_int_equal(t, 1795311000);
  assert_int_equal(ts_time_parse("2024-02-29T00:00:00-05:00", &t), TS_OK);
}

static void test_parse_refuses(void **state) {
  int64_t t;
  static const char *const bad[] = {"2026-11-22", "2026-11-22T09:30:00", "2026-02-30T00:00:00Z",
                                    "2025-02-29T00:00:00Z", "2026-11-22T24:00:00Z",
                                    "2026-11-22T09:30:00+8:00", "2026-11-22T09:30:00Zjunk",
                                    "' OR 1=1 --", "", NULL};
  (void)state;
  for (int i = 0; bad[i]; i++)
    assert_int_equal(ts_time_parse(bad[i], &t), TS_ERR_INVALID);
}

static void test_format_zone(void **state) {
  char buf[TS_TIME_MAX];
  int y, m;
  (void)state;
  assert_int_equal(ts_time_format(1795311000, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "2026-11-22T09:30:00+08:00");
  /* 2026-11-30T17:00Z is already December in Shanghai: the month of a case number */
  int64_t t;
  assert_int_equal(ts_time_parse("2026-11-30T17:00:00Z", &t), TS_OK);
  assert_int_equal(ts_time_year_month(t, &y, &m), TS_OK);
  assert_int_equal(y, 2026);
  assert_int_equal(m, 12);
}

static void test_dates(void **state) {
  (void)state;
  assert_true(ts_date_ok("2026-02-28"));
  assert_false(ts_date_ok("2026-02-29"));
  assert_true(ts_date_ok("2028-02-29"));
  assert_false(ts_date_ok("2026-1-01"));
  assert_int_equal(ts_days_from_civil(1970, 1, 1), 0);
  assert_int_equal(ts_days_from_civil(2000, 3, 1), 11017);
}

/* The cached offset never gives a wrong local time: compare with localtime_r over many
 * times, across DST changes, in zones with odd offsets. */
static void test_format_matches_libc(void **state) {
  static const char *const zones[] = {"Asia/Shanghai", "America/New_York", "Australia/Lord_Howe",
                                      "Asia/Kathmandu", "Europe/London", NULL};
  (void)state;
  for (int z = 0; zones[z]; z++) {
    assert_int_equal(ts_time_set_zone(zones[z]), TS_OK);
    /* every 7 minutes 13 seconds through 2026, then around the New York switch exactly */
    for (int64_t t = 1767225600; t < 1798761600; t += 433) {
      char ours[TS_TIME_MAX], libc[96];
      time_t tt = (time_t)t;
      struct tm tm;
      localtime_r(&tt, &tm);
      long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
      snprintf(libc, sizeof libc, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
               tm.tm_gmtoff < 0 ? '-' : '+', off / 3600, off % 3600 / 60);
      assert_int_equal(ts_time_format(t, ours, sizeof ours), TS_OK);
      if (strcmp(ours, libc) != 0)
        fail_msg("%s at %lld: %s != %s", zones[z], (long long)t, ours, libc);
    }
  }
  char buf[TS_TIME_MAX];
  assert_int_equal(ts_time_set_zone("America/New_York"), TS_OK);
  assert_int_equal(ts_time_format(1772953199, buf, sizeof buf), TS_OK); /* 2026-03-08 06:59:59Z */
  assert_string_equal(buf, "2026-03-08T01:59:59-05:00");
  assert_int_equal(ts_time_format(1772953200, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "2026-03-08T03:00:00-04:00");
  assert_int_equal(ts_time_set_zone("Asia/Shanghai"), TS_OK);
}

static void test_unknown_zone(void **state) {
  (void)state;
  assert_int_equal(ts_time_set_zone("Mars/Olympus"), TS_ERR_INVALID);
  assert_int_equal(ts_time_set_zone("../../etc/passwd"), TS_ERR_INVALID);
  assert_int_equal(ts_time_set_zone("Asia/Shanghai"), TS_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse), cmocka_unit_test(test_parse_refuses),
    cmocka_unit_test(test_format_zone), cmocka_unit_test(test_dates),
    cmocka_unit_test(test_format_matches_libc), cmocka_unit_test(test_unknown_zone),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
