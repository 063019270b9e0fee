/* Text checks: UTF-8 validity, control characters, identifiers, phones, e-mail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/text.h"

static void test_utf8(void **state) {
  (void)state;
  const char *ok[] = {"", "abc", "投诉", "経理 經理", "\xF0\x9F\x98\x80", NULL};
  for (int i = 0; ok[i]; i++)
    assert_true(ts_utf8_valid(ok[i], strlen(ok[i])));
  const char *bad[] = {"\xFF", "\xC0\xAF" /* overlong '/' */, "\xE0\x80\xAF",
                       "\xED\xA0\x80" /* surrogate */, "\xF4\x90\x80\x80" /* > U+10FFFF */,
                       "\xE6\x8A" /* truncated */, "a\x80", NULL};
  for (int i = 0; bad[i]; i++)
    assert_false(ts_utf8_valid(bad[i], strlen(bad[i])));
  assert_int_equal(ts_utf8_len("投诉ab"), 4);
}

static void test_clean(void **state) {
  (void)state;
  assert_true(ts_text_clean("一行", 0));
  assert_false(ts_text_clean("a\nb", 0));
  assert_true(ts_text_clean("a\nb\tc", 1));
  assert_false(ts_text_clean("a\x01", 1));
  assert_false(ts_text_clean("a\x7f", 1));
}

static void test_ident(void **state) {
  (void)state;
  assert_true(ts_ident_ok("agent.shpd", 64));
  assert_true(ts_ident_ok("a1_b-c", 64));
  assert_false(ts_ident_ok("", 64));
  assert_false(ts_ident_ok(".x", 64));
  assert_false(ts_ident_ok("Admin", 64));
  assert_false(ts_ident_ok("a b", 64));
  assert_false(ts_ident_ok("x' OR 1=1", 64));
  assert_false(ts_ident_ok("abcdef", 5));
  assert_true(ts_code_ok("SH-4S-01", 32, 0));
  assert_false(ts_code_ok("sh", 32, 0));
  assert_true(ts_code_ok("product_quality", 64, 1));
  assert_false(ts_code_ok("a,b", 64, 1));
}

static void test_phone_email(void **state) {
  (void)state;
  assert_true(ts_phone_ok("13800138000"));
  assert_true(ts_phone_ok("+86 21-6888 8888"));
  assert_false(ts_phone_ok("12"));
  assert_false(ts_phone_ok("abc123456"));
  assert_false(ts_phone_ok("123456789012345678901234567890123"));
  assert_true(ts_email_ok("wang@example.cn"));
  assert_false(ts_email_ok("wang@"));
  assert_false(ts_email_ok("@example.cn"));
  assert_false(ts_email_ok("wa ng@example.cn"));
  assert_false(ts_email_ok("a@b@c.cn"));
  assert_false(ts_email_ok("a@example"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_utf8), cmocka_unit_test(test_clean), cmocka_unit_test(test_ident),
    cmocka_unit_test(test_phone_email),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
