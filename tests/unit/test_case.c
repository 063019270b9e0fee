/* The case field table: parsing, validation, PATCH semantics, diffs and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/case.h"
#include "core/ts_err.h"
#include "util/tstime.h"

/* Configured data for the tests: two channels, one category, units 3 (outlet) and 5
 * (department), one user. */
static int lk_channel(void *ctx, const char *code, int *external) {
  (void)ctx;
  if (!strcmp(code, "phone")) {
    *external = 0;
    return TS_OK;
  }
  if (!strcmp(code, "regulator_12315")) {
    *external = 1;
    return TS_OK;
  }
  return TS_ERR_NOT_FOUND;
}
static int lk_category(void *ctx, const char *code) {
  (void)ctx;
  return !strcmp(code, "delivery") ? TS_OK : TS_ERR_NOT_FOUND;
}
static int lk_unit(void *ctx, int64_t id, char *kind, size_t kindsz) {
  (void)ctx;
  if (id == 3 || id == 5) {
    snprintf(kind, kindsz, "%s", id == 3 ? "outlet" : "department");
    return TS_OK;
  }
  return TS_ERR_NOT_FOUND;
}
static int lk_user(void *ctx, const char *u) {
  (void)ctx;
  return !strcmp(u, "handler.qa") ? TS_OK : TS_ERR_NOT_FOUND;
}
static int lk_stage(void *ctx, const char *code) {
  (void)ctx;
  return !strcmp(code, "repair") ? TS_OK : TS_ERR_NOT_FOUND;
}
static const ts_case_lookup lk = {NULL, lk_channel, lk_category, lk_unit, lk_user, lk_stage};

static json_t *load(const char *s) {
  json_error_t e;
  json_t *j = json_loads(s, 0, &e);
  assert_non_null(j);
  return j;
}

static const char good[] =
  "{\"channel\":\"regulator_12315\",\"category\":\"delivery\",\"outlet\":3,"
  "\"complainant\":{\"name\":\"王先生\",\"phone\":\"13800138000\",\"vip\":true},"
  "\"subject\":{\"product\":\"空调\",\"order_no\":\"YD-1\",\"amount_paid_cents\":299900},"
  "\"description\":\"货物破损\\n第二行\",\"demands\":[\"refund\",\"apology\"],"
  "\"claimed_cents\":9000000,\"flags\":{\"injury\":true},"
  "\"received_at\":\"2026-11-02T10:00:00+08:00\"}";

static void test_register_parses(void **state) {
  (void)state;
  ts_case *c = ts_case_new();
  json_t *in = load(good), *errors = json_object();
  assert_int_equal(ts_case_apply_json(c, in, TS_FF_IN, &lk, errors), TS_OK);
  assert_int_equal(json_object_size(errors), 0);
  assert_int_equal(ts_case_check_required(c, errors), TS_OK);
  assert_string_equal(ts_case_text(c, TS_CF_C_NAME), "王先生");
  assert_int_equal(ts_case_int(c, TS_CF_S_AMOUNT_PAID), 299900);
  assert_int_equal(ts_case_int(c, TS_CF_CLAIMED), 9000000);
  assert_int_equal(ts_case_int(c, TS_CF_EXTERNAL), 1); /* from the channel's flag */
  assert_int_equal(ts_case_int(c, TS_CF_F_INJURY), 1);
  assert_int_equal(ts_case_int(c, TS_CF_OUTLET), 3);
  assert_string_equal(ts_case_text(c, TS_CF_DEMANDS), "[\"refund\",\"apology\"]");
  assert_int_equal(ts_case_int(c, TS_CF_RECEIVED_AT), 1793584800);
  json_decref(in);
  json_decref(errors);
  ts_case_free(c);
}

/* Each bad body must name its field in errors. */
static void test_register_refuses(void **state) {
  static const struct {
    const char *body, *field;
  } cases[] = {
    {"{\"channel\":\"fax\"}", "channel"},
    {"{\"channel\":1}", "channel"},
    {"{\"category\":\"nope\"}", "category"},
    {"{\"complainant\":{\"name\":\"\"}}", "complainant.name"},
    {"{\"complainant\":{\"name\":\"a\\u0001b\"}}", "complainant.name"},
    {"{\"complainant\":{\"phone\":\"call me\"}}", "complainant.phone"},
    {"{\"complainant\":{\"email\":\"x\"}}", "complainant.email"},
    {"{\"complainant\":{\"vip\":\"yes\"}}", "complainant.vip"},
    {"{\"complainant\":{\"shoe_size\":42}}", "complainant.shoe_size"},
    {"{\"complainant\":\"王\"}", "complainant"},
    {"{\"claimed_cents\":12.5}", "claimed_cents"},
    {"{\"claimed_cents\":-1}", "claimed_cents"},
    {"{\"claimed_cents\":\"100\"}", "claimed_cents"},
    {"{\"claimed_cents\":10000000000001}", "claimed_cents"},
    {"{\"demands\":[\"refund\",\"refund\"]}", "demands"},
    {"{\"demands\":[\"a pony\"]}", "demands"},
    {"{\"demands\":\"refund\"}", "demands"},
    {"{\"received_at\":\"yesterday\"}", "received_at"},
    {"{\"subject\":{\"delivery_date\":\"2026-02-30\"}}", "subject.delivery_date"},
    {"{\"outlet\":5}", "outlet"}, /* a department is not an outlet */
    {"{\"outlet\":99}", "outlet"},
    {"{\"dept\":3}", "dept"},
    {"{\"handler\":\"nobody\"}", "handler"},
    {"{\"status\":\"closed\"}", "status"}, /* system field */
    {"{\"case_no\":\"TS20261100001\"}", "case_no"},
    {"{\"owner\":\"handler.qa\"}", "owner"},
    {"{\"loss\":{\"refund_cents\":100}}", "loss.refund_cents"}, /* not at registration */
    {"{\"wat\":1}", "wat"},
    {"{\"flags\":{\"aliens\":true}}", "flags.aliens"},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ts_case *c = ts_case_new();
    json_t *in = load(cases[i].body), *errors = json_object();
    assert_int_equal(ts_case_apply_json(c, in, TS_FF_IN, &lk, errors), TS_ERR_INVALID);
    if (!json_object_get(errors, cases[i].field))
      fail_msg("%s: no error for %s", cases[i].body, cases[i].field);
    json_decref(in);
    json_decref(errors);
    ts_case_free(c);
  }
}

static void test_required(void **state) {
  (void)state;
  ts_case *c = ts_case_new();
  json_t *errors = json_object();
  assert_int_equal(ts_case_check_required(c, errors), TS_ERR_INVALID);
  assert_non_null(json_object_get(errors, "channel"));
  assert_non_null(json_object_get(errors, "complainant.name"));
  assert_non_null(json_object_get(errors, "description"));
  json_decref(errors);
  ts_case_free(c);
}

static void test_patch_merge_diff(void **state) {
  (void)state;
  ts_case *c = ts_case_new(), *patch = ts_case_new();
  json_t *in = load(good), *errors = json_object();
  assert_int_equal(ts_case_apply_json(c, in, TS_FF_IN, &lk, errors), TS_OK);
  json_t *p = load("{\"category\":null,\"complainant\":{\"phone\":\"021-12345678\"},"
                   "\"loss\":{\"refund_cents\":29990,\"freight_cents\":1500},\"dept\":5,"
                   "\"handler\":\"handler.qa\"}");
  assert_int_equal(ts_case_apply_json(patch, p, TS_FF_PATCH, &lk, errors), TS_OK);
  ts_case *before = ts_case_dup(c);
  assert_int_equal(ts_case_merge(c, patch), TS_OK);
  assert_null(ts_case_text(c, TS_CF_CATEGORY));
  assert_int_equal(ts_case_loss_total(c), 31490);
  json_t *d = ts_case_diff(before, c);
  assert_int_equal(json_object_size(d), 6);
  json_t *ph = json_object_get(d, "complainant.phone");
  assert_string_equal(json_string_value(json_array_get(ph, 0)), "13800138000");
  assert_string_equal(json_string_value(json_array_get(ph, 1)), "021-12345678");
  assert_true(json_is_null(json_array_get(json_object_get(d, "category"), 1)));
  /* the required name cannot be cleared, and outlet cannot be moved by PATCH */
  json_t *bad = load("{\"complainant\":{\"name\":null},\"outlet\":3}");
  json_t *e2 = json_object();
  ts_case *p2 = ts_case_new();
  assert_int_equal(ts_case_apply_json(p2, bad, TS_FF_PATCH, &lk, e2), TS_ERR_INVALID);
  assert_non_null(json_object_get(e2, "complainant.name"));
  assert_non_null(json_object_get(e2, "outlet"));
  /* a diff with itself is empty */
  json_t *same = ts_case_diff(c, c);
  assert_int_equal(json_object_size(same), 0);
  json_decref(same);
  json_decref(bad);
  json_decref(e2);
  ts_case_free(p2);
  json_decref(d);
  json_decref(p);
  json_decref(in);
  json_decref(errors);
  ts_case_free(before);
  ts_case_free(patch);
  ts_case_free(c);
}

static void test_json_shape(void **state) {
  (void)state;
  ts_case *c = ts_case_new();
  json_t *in = load(good), *errors = json_object();
  assert_int_equal(ts_case_apply_json(c, in, TS_FF_IN, &lk, errors), TS_OK);
  json_t *j = ts_case_to_json(c);
  assert_string_equal(json_string_value(json_object_get(json_object_get(j, "complainant"), "name")),
                      "王先生");
  assert_true(json_is_true(json_object_get(json_object_get(j, "flags"), "injury")));
  assert_true(json_is_false(json_object_get(json_object_get(j, "flags"), "fire")));
  assert_true(json_is_true(json_object_get(j, "external")));
  json_t *loss = json_object_get(j, "loss");
  assert_int_equal(json_integer_value(json_object_get(loss, "total_cents")), 0);
  assert_int_equal(json_integer_value(json_object_get(loss, "refund_cents")), 0);
  assert_true(json_is_array(json_object_get(j, "clocks")));
  assert_true(json_is_array(json_object_get(j, "solutions")));
  assert_true(json_is_array(json_object_get(j, "grade_reasons")));
  assert_string_equal(json_string_value(json_object_get(j, "received_at")),
                      "2026-11-02T10:00:00+08:00");
  /* the API's required names exist */
  static const char *const must[] = {"case_no", "status", "grade", "channel", "category",
                                     "validity", "nature", "subject", "description", "demands",
                                     "claimed_cents", "owner", "dept", "handler", "outlet",
                                     "registered_at", "overdue", "reopen_count",
                                     "satisfaction", NULL};
  for (int i = 0; must[i]; i++)
    if (!json_object_get(j, must[i]))
      fail_msg("missing %s", must[i]);
  json_decref(j);
  json_decref(in);
  json_decref(errors);
  ts_case_free(c);
}

int main(void) {
  ts_time_set_zone("Asia/Shanghai");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_register_parses), cmocka_unit_test(test_register_refuses),
    cmocka_unit_test(test_required),        cmocka_unit_test(test_patch_merge_diff),
    cmocka_unit_test(test_json_shape),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
