/* Case numbers: format, parse, period keys, and refusal of bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/caseno.h"
#include "core/ts_err.h"

static void test_format(void **state) {
  char buf[TS_CASENO_MAX];
  (void)state;
  assert_int_equal(ts_caseno_format("TS", 2026, 11, 42, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "TS20261100042");
  assert_int_equal(ts_caseno_format("TS", 2026, 1, 1, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "TS20260100001");
  /* more than five digits grows, never wraps */
  assert_int_equal(ts_caseno_format("ABC", 2027, 12, 123456, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "ABC202712123456");
}

static void test_format_refuses(void **state) {
  char buf[TS_CASENO_MAX], small[8];
  (void)state;
  assert_int_equal(ts_caseno_format("ts", 2026, 11, 1, buf, sizeof buf), TS_ERR_INVALID);
  assert_int_equal(ts_caseno_format("", 2026, 11, 1, buf, sizeof buf), TS_ERR_INVALID);
  assert_int_equal(ts_caseno_format("TOOLONGPX", 2026, 11, 1, buf, sizeof buf), TS_ERR_INVALID);
  assert_int_equal(ts_caseno_format("TS", 2026, 13, 1, buf, sizeof buf), TS_ERR_INVALID);
  assert_int_equal(ts_caseno_format("TS", 2026, 0, 1, buf, sizeof buf), TS_ERR_INVALID);
  assert_int_equal(ts_caseno_format("TS", 2026, 11, 0, buf, sizeof buf), TS_ERR_INVALID);
  assert_int_equal(ts_caseno_format("TS", 2026, 11, -5, buf, sizeof buf), TS_ERR_INVALID);
  assert_int_equal(ts_caseno_format("TS", 2026, 11, 1, small, sizeof small), TS_ERR_INVALID);
}

static void test_parse_roundtrip(void **state) {
  char prefix[16];
  int y, m;
  int64_t serial;
  (void)state;
  assert_int_equal(ts_caseno_parse("TS20261100042", prefix, sizeof prefix, &y, &m, &serial),
                   TS_OK);
  assert_string_equal(prefix, "TS");
  assert_int_equal(y, 2026);
  assert_int_equal(m, 11);
  assert_int_equal(serial, 42);
  assert_int_equal(ts_caseno_parse("ABC202712123456", NULL, 0, &y, &m, &serial), TS_OK);
  assert_int_equal(serial, 123456);
}

static void test_parse_refuses(void **state) {
  static const char *const bad[] = {
    "", "TS", "TS2026110004", /* four-digit serial */
    "TS20261300001", "TS20260000001", "ts20261100001", "TS2026110000A",
    "20261100001", "TS20261100000", "TS' OR 1=1 --", "TS20261100001 ", NULL};
  (void)state;
  for (int i = 0; bad[i]; i++)
    assert_int_equal(ts_caseno_parse(bad[i], NULL, 0, NULL, NULL, NULL), TS_ERR_INVALID);
  assert_int_equal(ts_caseno_parse(NULL, NULL, 0, NULL, NULL, NULL), TS_ERR_INVALID);
}

static void test_period(void **state) {
  char buf[TS_CASENO_MAX];
  (void)state;
  assert_int_equal(ts_caseno_period("TS", 2026, 2, buf, sizeof buf), TS_OK);
  assert_string_equal(buf, "TS202602");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_format),         cmocka_unit_test(test_format_refuses),
    cmocka_unit_test(test_parse_roundtrip), cmocka_unit_test(test_parse_refuses),
    cmocka_unit_test(test_period),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
