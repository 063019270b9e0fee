/* Customer psychology: the seven tags, in order, with names and advice in both languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/case.h"
#include "core/psychology.h"

static const char *const expected_tags[] = {"respect",     "vent",      "compensation", "balance",
                                            "recognition", "expertise", "revenge",      NULL};

/* 1 if s holds a byte >= 0xE4 (the lead byte of a CJK character in UTF-8). */
static int has_cjk(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p >= 0xE4)
      return 1;
  return 0;
}

/* 1 if s is plain ASCII. */
static int is_ascii(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p >= 0x80)
      return 0;
  return 1;
}

/* 1 if s has a control character. */
static int has_control(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7F)
      return 1;
  return 0;
}

static void check_text(const char *s) {
  assert_non_null(s);
  assert_true(strlen(s) > 0);
  assert_true(strlen(s) < 500);
  assert_false(has_control(s));
}

static void test_all_found_in_order(void **state) {
  int n = 0;
  (void)state;
  for (int i = 0; expected_tags[i]; i++, n++) {
    const ts_psychology *p = ts_psychology_find(expected_tags[i]);
    assert_non_null(p);
    assert_ptr_equal(p, &ts_psychologies[i]);
    assert_string_equal(p->tag, expected_tags[i]);
    check_text(p->name_zh);
    check_text(p->name_en);
    check_text(p->advice_zh);
    check_text(p->advice_en);
    assert_true(has_cjk(p->name_zh));
    assert_true(has_cjk(p->advice_zh));
    assert_true(is_ascii(p->name_en));
    assert_true(is_ascii(p->advice_en));
    assert_false(has_cjk(p->advice_en));
    /* advice is a few sentences, not a label */
    assert_true(strlen(p->advice_zh) > 60);
    assert_true(strlen(p->advice_en) > 60);
  }
  assert_int_equal(ts_psychologies_count, n);
}

static void test_names(void **state) {
  (void)state;
  assert_string_equal(ts_psychology_find("respect")->name_zh, "求尊重");
  assert_string_equal(ts_psychology_find("vent")->name_zh, "求发泄");
  assert_string_equal(ts_psychology_find("compensation")->name_zh, "求补偿");
  assert_string_equal(ts_psychology_find("balance")->name_zh, "求平衡");
  assert_string_equal(ts_psychology_find("recognition")->name_zh, "求认同");
  assert_string_equal(ts_psychology_find("expertise")->name_zh, "表现");
  assert_string_equal(ts_psychology_find("revenge")->name_zh, "报复");
}

static void test_unknown(void **state) {
  (void)state;
  assert_null(ts_psychology_find("nope"));
  assert_null(ts_psychology_find(NULL));
  assert_null(ts_psychology_find(""));
  assert_null(ts_psychology_find("Respect"));
  assert_null(ts_psychology_find("respect "));
}

static void test_matches_case_enum(void **state) {
  int i = 0;
  (void)state;
  for (; ts_enum_psychology[i]; i++) {
    assert_true(i < ts_psychologies_count);
    assert_string_equal(ts_psychologies[i].tag, ts_enum_psychology[i]);
    assert_true(ts_enum_has(ts_enum_psychology, ts_psychologies[i].tag));
  }
  assert_int_equal(i, ts_psychologies_count);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_all_found_in_order),
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_unknown),
    cmocka_unit_test(test_matches_case_enum),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
