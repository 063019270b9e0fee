/* Grading rules: every kind, cross-case counts through the lookup, and the rule that a
 * grade is never lowered automatically (nor a person's regrade undone). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/grading.h"
#include "core/ts_err.h"
#include "util/tstime.h"

#define NOW 1795311000 /* 2026-11-22T09:30:00+08:00 */
#define DAY 86400

static ts_rule rule(const char *id, const char *grade, const char *kind, const char *params) {
  ts_rule r;
  json_t *p = json_loads(params, 0, NULL);
  json_t *errors = json_object();
  assert_int_equal(ts_rule_make(id, grade, kind, p, "中文", "English", &r, errors), TS_OK);
  json_decref(p);
  json_decref(errors);
  return r;
}

static ts_case *fresh(void) {
  ts_case *c = ts_case_new();
  ts_case_set_text(c, TS_CF_STATUS, "investigating");
  ts_case_set_text(c, TS_CF_GRADE, "g1");
  ts_case_set_int(c, TS_CF_RECEIVED_AT, NOW - DAY);
  return c;
}

static const char *grade_of(ts_case *c) { return ts_case_text(c, TS_CF_GRADE); }

static int has_reason(ts_case *c, const char *id) {
  const char *r = ts_case_text(c, TS_CF_GRADE_REASONS);
  char needle[64];
  snprintf(needle, sizeof needle, "\"rule\":\"%s\"", id);
  return r && strstr(r, needle) != NULL;
}

/* One rule alone on a case: fires or not. */
static void expect(ts_case *c, ts_rule r, int fires) {
  assert_int_equal(ts_grade_evaluate(c, &r, 1, NULL, NOW), TS_OK);
  if (fires != has_reason(c, r.id))
    fail_msg("rule %s: expected %s", r.id, fires ? "to fire" : "not to fire");
}

static void test_field_rules(void **state) {
  (void)state;
  ts_case *c = fresh();
  expect(c, rule("injury", "g4", "flag", "{\"flag\":\"injury\"}"), 0);
  ts_case_set_int(c, TS_CF_F_INJURY, 1);
  expect(c, rule("injury", "g4", "flag", "{\"flag\":\"injury\"}"), 1);
  assert_string_equal(grade_of(c), "g4");
  ts_case_free(c);

  c = fresh();
  expect(c, rule("ext", "g3", "external", "{}"), 0);
  ts_case_set_int(c, TS_CF_EXTERNAL, 1);
  expect(c, rule("ext", "g3", "external", "{}"), 1);
  assert_string_equal(grade_of(c), "g3");
  ts_case_free(c);

  c = fresh();
  ts_case_set_int(c, TS_CF_C_VIP, 1);
  expect(c, rule("vvip", "g3", "vvip", "{}"), 0);
  ts_case_set_int(c, TS_CF_C_VVIP, 1);
  expect(c, rule("vvip", "g3", "vvip", "{}"), 1);
  ts_case_free(c);

  /* above the ¥50,000 threshold: claimed, or the loss total */
  c = fresh();
  ts_case_set_int(c, TS_CF_CLAIMED, 5000000);
  ts_case_set_int(c, TS_CF_L_REFUND, 3000000);
  ts_case_set_int(c, TS_CF_L_FREIGHT, 2000000);
  expect(c, rule("loss", "g3", "loss_above", "{\"cents\":5000000}"), 0);
  ts_case_set_int(c, TS_CF_L_FREIGHT, 2000001);
  expect(c, rule("loss", "g3", "loss_above", "{\"cents\":5000000}"), 1);
  ts_case_free(c);

  c = fresh();
  ts_case_set_int(c, TS_CF_UNUSABLE_DAYS, 7);
  expect(c, rule("unusable", "g2", "unusable_days_over", "{\"days\":7}"), 0);
  ts_case_set_int(c, TS_CF_UNUSABLE_DAYS, 8);
  expect(c, rule("unusable", "g2", "unusable_days_over", "{\"days\":7}"), 1);
  assert_string_equal(grade_of(c), "g2");
  ts_case_free(c);

  c = fresh();
  expect(c, rule("again", "g2", "reopened", "{\"count\":1}"), 0);
  ts_case_set_int(c, TS_CF_REOPEN_COUNT, 1);
  expect(c, rule("again", "g2", "reopened", "{\"count\":1}"), 1);
  ts_case_free(c);

  /* open more than 30 days, counted from receipt; a closed case is not open */
  c = fresh();
  ts_case_set_int(c, TS_CF_RECEIVED_AT, NOW - 30 * DAY);
  expect(c, rule("old", "g3", "open_days_over", "{\"days\":30}"), 0);
  ts_case_set_int(c, TS_CF_RECEIVED_AT, NOW - 30 * DAY - 1);
  ts_case_set_text(c, TS_CF_STATUS, "closed");
  expect(c, rule("old", "g3", "open_days_over", "{\"days\":30}"), 0);
  ts_case_set_text(c, TS_CF_STATUS, "pending");
  expect(c, rule("old", "g3", "open_days_over", "{\"days\":30}"), 1);
  ts_case_free(c);
}

/* Cross-case counts come from the lookup: it is asked with the rule's window. */
typedef struct {
  int64_t n;
  int64_t since;
  ts_rule_kind kind;
} fake_counts;

static int fake_count(void *ctx, ts_rule_kind kind, const ts_case *c, int64_t since, int64_t cap,
                      int64_t *n) {
  fake_counts *f = ctx;
  (void)c;
  assert_int_equal(cap, 3); /* the rule's threshold: the store may stop there */
  f->kind = kind;
  f->since = since;
  *n = f->n;
  return TS_OK;
}

static void test_cross_case_rules(void **state) {
  (void)state;
  static const struct {
    const char *kind;
    ts_rule_kind k;
  } kinds[] = {{"same_subject_customers", TS_RULE_SAME_SUBJECT_CUSTOMERS},
               {"similar_cases", TS_RULE_SIMILAR_CASES},
               {"repeat_complainant", TS_RULE_REPEAT_COMPLAINANT}};
  for (size_t i = 0; i < 3; i++) {
    fake_counts f = {2, 0, 0};
    ts_grade_lookup lk = {&f, fake_count};
    ts_rule r = rule("x", "g3", kinds[i].kind, "{\"count\":3,\"days\":30}");
    ts_case *c = fresh();
    assert_int_equal(ts_grade_evaluate(c, &r, 1, &lk, NOW), TS_OK);
    assert_false(has_reason(c, "x"));
    assert_int_equal(f.kind, kinds[i].k);
    assert_int_equal(f.since, NOW - 30 * DAY);
    f.n = 3;
    assert_int_equal(ts_grade_evaluate(c, &r, 1, &lk, NOW), TS_OK);
    assert_true(has_reason(c, "x"));
    assert_string_equal(grade_of(c), "g3");
    ts_case_free(c);
  }
}

static void test_highest_wins_never_lowered(void **state) {
  (void)state;
  ts_rule rules[] = {rule("a", "g2", "flag", "{\"flag\":\"safety_related\"}"),
                     rule("b", "g3", "flag", "{\"flag\":\"media_threat\"}")};
  ts_case *c = fresh();
  ts_case_set_int(c, TS_CF_F_SAFETY_RELATED, 1);
  ts_case_set_int(c, TS_CF_F_MEDIA_THREAT, 1);
  assert_int_equal(ts_grade_evaluate(c, rules, 2, NULL, NOW), TS_OK);
  assert_string_equal(grade_of(c), "g3");
  assert_true(has_reason(c, "a") && has_reason(c, "b"));
  /* the flags go away: the grade stays (only a person lowers it) */
  ts_case_set_int(c, TS_CF_F_MEDIA_THREAT, 0);
  assert_int_equal(ts_grade_evaluate(c, rules, 2, NULL, NOW), TS_OK);
  assert_string_equal(grade_of(c), "g3");
  /* a person lowers it; the same rules firing again do not undo that */
  ts_case_set_text(c, TS_CF_GRADE, "g1");
  ts_case_set_int(c, TS_CF_F_MEDIA_THREAT, 1);
  assert_int_equal(ts_grade_evaluate(c, rules, 2, NULL, NOW), TS_OK);
  assert_string_equal(grade_of(c), "g1");
  /* a rule that fires for the first time still raises it */
  ts_rule more = rule("c", "g4", "flag", "{\"flag\":\"fire\"}");
  ts_case_set_int(c, TS_CF_F_FIRE, 1);
  assert_int_equal(ts_grade_evaluate(c, &more, 1, NULL, NOW), TS_OK);
  assert_string_equal(grade_of(c), "g4");
  ts_case_free(c);
}

static void test_rule_make_refuses(void **state) {
  (void)state;
  static const char *const bad[][4] = {
    {"x", "g5", "flag", "{\"flag\":\"injury\"}"},      {"x", "g2", "magic", "{}"},
    {"x", "g2", "flag", "{\"flag\":\"aliens\"}"},      {"X Y", "g2", "vvip", "{}"},
    {"x", "g2", "similar_cases", "{\"count\":3}"},     {"x", "g2", "loss_above", "{\"cents\":-1}"},
    {"x", "g2", "unusable_days_over", "{\"days\":\"7\"}"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ts_rule r;
    json_t *p = json_loads(bad[i][3], 0, NULL), *errors = json_object();
    assert_int_equal(ts_rule_make(bad[i][0], bad[i][1], bad[i][2], p, "中", "en", &r, errors),
                     TS_ERR_INVALID);
    assert_true(json_object_size(errors) > 0);
    json_decref(p);
    json_decref(errors);
  }
}

static void test_subject_key(void **state) {
  (void)state;
  char buf[300];
  ts_case *c = fresh();
  assert_null(ts_subject_key(c, buf, sizeof buf));
  ts_case_set_text(c, TS_CF_S_PLATE, "沪A12345");
  assert_string_equal(ts_subject_key(c, buf, sizeof buf), "plate:沪A12345");
  ts_case_set_text(c, TS_CF_S_PRODUCT, "X200");
  assert_string_equal(ts_subject_key(c, buf, sizeof buf), "product:X200");
  ts_case_set_text(c, TS_CF_S_BATCH, "B7");
  assert_string_equal(ts_subject_key(c, buf, sizeof buf), "batch:B7");
  ts_case_free(c);
}

int main(void) {
  ts_time_set_zone("Asia/Shanghai");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_field_rules),       cmocka_unit_test(test_cross_case_rules),
    cmocka_unit_test(test_highest_wins_never_lowered), cmocka_unit_test(test_rule_make_refuses),
    cmocka_unit_test(test_subject_key),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
