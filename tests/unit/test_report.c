/* The report's periods (local days in the organisation's zone), the fixed labels and the
 * masking of personal data. The figures themselves are tested end to end over HTTP
 * (tests/api/reports.test.mjs) on hand-made cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/labels.h"
#include "core/mask.h"
#include "core/ts_err.h"
#include "report/report.h"
#include "util/tstime.h"

static int setup(void **state) {
  (void)state;
  return ts_time_set_zone("Asia/Shanghai");
}

static int64_t at(const char *rfc3339) {
  int64_t t = 0;
  assert_int_equal(ts_time_parse(rfc3339, &t), TS_OK);
  return t;
}

static void test_month(void **state) {
  ts_period p;
  (void)state;
  assert_int_equal(ts_period_month("2026-10", &p), TS_OK);
  assert_int_equal(p.kind, TS_PERIOD_MONTH);
  assert_string_equal(p.label, "2026-10");
  assert_string_equal(p.from_date, "2026-10-01");
  assert_string_equal(p.to_date, "2026-10-31");
  assert_int_equal(p.from, at("2026-10-01T00:00:00+08:00"));
  assert_int_equal(p.to, at("2026-11-01T00:00:00+08:00"));
  assert_int_equal(ts_period_month("2024-02", &p), TS_OK); /* a leap year's February */
  assert_string_equal(p.to_date, "2024-02-29");
  assert_int_equal(ts_period_month("2026-12", &p), TS_OK);
  assert_int_equal(p.to, at("2027-01-01T00:00:00+08:00"));
}

static void test_quarter_year_range(void **state) {
  ts_period p;
  (void)state;
  assert_int_equal(ts_period_quarter("2026-Q4", &p), TS_OK);
  assert_string_equal(p.from_date, "2026-10-01");
  assert_string_equal(p.to_date, "2026-12-31");
  assert_int_equal(ts_period_quarter("2026-Q1", &p), TS_OK);
  assert_string_equal(p.to_date, "2026-03-31");
  assert_int_equal(ts_period_year("2025", &p), TS_OK);
  assert_int_equal(p.from, at("2025-01-01T00:00:00+08:00"));
  assert_int_equal(p.to, at("2026-01-01T00:00:00+08:00"));
  assert_int_equal(ts_period_range("2026-10-05", "2026-11-04", &p), TS_OK);
  assert_string_equal(p.label, "2026-10-05~2026-11-04");
  assert_int_equal(p.to - p.from, 31 * 86400);
  assert_int_equal(ts_period_range("2026-11-22", "2026-11-22", &p), TS_OK); /* one day */
  assert_int_equal(p.to - p.from, 86400);
  assert_int_equal(ts_period_range("2024-01-01", "2024-12-31", &p), TS_OK); /* 366 days */
}

static void test_refuses(void **state) {
  ts_period p;
  static const char *const months[] = {"2026-13", "2026-00", "2026-1", "26-10", "2026/10",
                                       "2026-10-01", "", "abcd-ef", "1969-12", "2026-1x", NULL};
  static const char *const quarters[] = {"2026-Q0", "2026-Q5", "2026-q1", "2026Q1", "", NULL};
  static const char *const years[] = {"26", "20266", "abcd", "1969", "", NULL};
  (void)state;
  for (int i = 0; months[i]; i++)
    assert_int_equal(ts_period_month(months[i], &p), TS_ERR_INVALID);
  assert_int_equal(ts_period_month(NULL, &p), TS_ERR_INVALID);
  for (int i = 0; quarters[i]; i++)
    assert_int_equal(ts_period_quarter(quarters[i], &p), TS_ERR_INVALID);
  for (int i = 0; years[i]; i++)
    assert_int_equal(ts_period_year(years[i], &p), TS_ERR_INVALID);
  assert_int_equal(ts_period_range("2026-11-05", "2026-11-04", &p), TS_ERR_INVALID);
  assert_int_equal(ts_period_range("2025-01-01", "2026-01-02", &p), TS_ERR_INVALID); /* 367 days */
  assert_int_equal(ts_period_range("2026-02-30", "2026-03-01", &p), TS_ERR_INVALID);
  assert_int_equal(ts_period_range(NULL, "2026-03-01", &p), TS_ERR_INVALID);
}

static void test_previous_month(void **state) {
  ts_period p;
  (void)state;
  assert_int_equal(ts_period_previous_month(at("2026-11-01T00:30:00+08:00"), &p), TS_OK);
  assert_string_equal(p.label, "2026-10");
  /* 2026-10-31T17:00Z is already 1 November in Shanghai */
  assert_int_equal(ts_period_previous_month(at("2026-10-31T17:00:00Z"), &p), TS_OK);
  assert_string_equal(p.label, "2026-10");
  assert_int_equal(ts_period_previous_month(at("2027-01-15T12:00:00+08:00"), &p), TS_OK);
  assert_string_equal(p.label, "2026-12");
}

static void test_labels(void **state) {
  (void)state;
  assert_string_equal(ts_label(TS_LBL_STATUS, "pending", 0), "未了事宜");
  assert_string_equal(ts_label(TS_LBL_STATUS, "pending", 1), "Pending");
  assert_string_equal(ts_label(TS_LBL_RESPONSIBILITY, "customer_ours", 0), "客户（我方承担损失）");
  assert_string_equal(ts_label(TS_LBL_PENALTY, "hr_review", 0), "人事评议");
  assert_null(ts_label(TS_LBL_GRADE, "g5", 0));
  assert_null(ts_label(TS_LBL_GRADE, NULL, 0));
  assert_null(ts_label(TS_LBL__COUNT, "g1", 0));
}

static void test_mask(void **state) {
  char out[TS_MASK_MAX];
  (void)state;
  ts_mask_phone("13800138000", out, sizeof out);
  assert_string_equal(out, "138****8000");
  ts_mask_phone("138 0013 8000", out, sizeof out); /* the digits, as written or spaced */
  assert_string_equal(out, "138****8000");
  ts_mask_phone("95588", out, sizeof out);
  assert_string_equal(out, "***88");
  ts_mask_phone("", out, sizeof out);
  assert_string_equal(out, "");
  ts_mask_name("张伟", out, sizeof out);
  assert_string_equal(out, "张*");
  ts_mask_name("欧阳娜娜", out, sizeof out);
  assert_string_equal(out, "欧***");
  ts_mask_name("王", out, sizeof out);
  assert_string_equal(out, "王*");
  ts_mask_name("Li Lei", out, sizeof out);
  assert_string_equal(out, "L***");
  ts_mask_name("\xe5\xbc", out, sizeof out); /* a cut character: nothing, never past the end */
  assert_string_equal(out, "");
  ts_mask_email("zhang.wei@example.com", out, sizeof out);
  assert_string_equal(out, "z***@example.com");
  ts_mask_email("nobody", out, sizeof out);
  assert_string_equal(out, "***");
  ts_mask_id("VIP20261122", out, sizeof out);
  assert_string_equal(out, "VI****22");
  ts_mask_id("A12", out, sizeof out);
  assert_string_equal(out, "***");
  char tiny[4];
  ts_mask_phone("13800138000", tiny, sizeof tiny); /* bounded: what fits, terminated */
  assert_true(strlen(tiny) < sizeof tiny);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_month),         cmocka_unit_test(test_quarter_year_range),
    cmocka_unit_test(test_refuses),       cmocka_unit_test(test_previous_month),
    cmocka_unit_test(test_labels),        cmocka_unit_test(test_mask),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
