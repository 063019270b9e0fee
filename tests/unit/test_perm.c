/* Roles and places: who sees which case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/perm.h"

/* Tree: 1 company / 2 region east / 3 outlet A, 4 outlet B (east) / 5 dept QA (under 1). */
#define P_OUTLET_A "/1/2/3/"
#define P_OUTLET_B "/1/2/4/"
#define P_REGION "/1/2/"
#define P_QA "/1/5/"

static ts_scope scope_of(unsigned roles, const char *path, const char *user) {
  ts_principal p = {1, user, roles, path};
  ts_scope s;
  ts_scope_for(&p, &s);
  return s;
}

static void test_role_names(void **state) {
  (void)state;
  for (int i = 0; i < TS_ROLE__COUNT; i++)
    assert_int_equal(ts_role_parse(ts_role_name(1u << i)), 1u << i);
  assert_int_equal(ts_role_parse("root"), 0);
  assert_int_equal(ts_role_parse(NULL), 0);
  assert_null(ts_role_name(3));
}

static void test_agent_sees_own_outlet_only(void **state) {
  (void)state;
  ts_scope s = scope_of(TS_ROLE_AGENT, P_OUTLET_A, "a1");
  assert_true(ts_scope_allows(&s, P_OUTLET_A, NULL, "someone", NULL));
  assert_false(ts_scope_allows(&s, P_OUTLET_B, NULL, "someone", NULL));
  /* a department's case is not the agent's */
  assert_false(ts_scope_allows(&s, P_OUTLET_B, P_OUTLET_A, "someone", NULL));
  /* but what they registered (owner) stays theirs (首问负责制) */
  assert_true(ts_scope_allows(&s, P_OUTLET_B, NULL, "a1", NULL));
}

static void test_handler_sees_department(void **state) {
  (void)state;
  ts_scope s = scope_of(TS_ROLE_HANDLER, P_QA, "h1");
  assert_true(ts_scope_allows(&s, P_OUTLET_A, P_QA, "x", NULL));
  assert_false(ts_scope_allows(&s, P_OUTLET_A, NULL, "x", NULL));
  assert_false(ts_scope_allows(&s, P_OUTLET_A, "/1/6/", "x", NULL));
  assert_true(ts_scope_allows(&s, P_OUTLET_A, "/1/6/", "x", "h1"));
  /* a handler does not see the outlet's cases just by sitting there */
  ts_scope t = scope_of(TS_ROLE_HANDLER, P_OUTLET_A, "h2");
  assert_false(ts_scope_allows(&t, P_OUTLET_A, NULL, "x", NULL));
}

static void test_supervisor_region(void **state) {
  (void)state;
  ts_scope s = scope_of(TS_ROLE_SUPERVISOR, P_REGION, "s1");
  assert_true(ts_scope_allows(&s, P_OUTLET_A, NULL, "x", NULL));
  assert_true(ts_scope_allows(&s, P_OUTLET_B, NULL, "x", NULL));
  assert_false(ts_scope_allows(&s, "/1/7/8/", NULL, "x", NULL));
}

static void test_see_all_roles(void **state) {
  (void)state;
  const unsigned all[] = {TS_ROLE_ADMIN, TS_ROLE_AUDITOR, TS_ROLE_REVIEWER,
                          TS_ROLE_GENERAL_MANAGER};
  for (size_t i = 0; i < 4; i++) {
    ts_scope s = scope_of(all[i], "", "z");
    assert_true(s.all);
    assert_true(ts_scope_allows(&s, "/9/9/", NULL, "x", NULL));
  }
  /* the auditor sees all but may not write */
  assert_false(TS_ROLES_WRITE & TS_ROLE_AUDITOR);
}

static void test_no_unit_sees_only_own(void **state) {
  (void)state;
  ts_scope s = scope_of(TS_ROLE_AGENT, "", "a9");
  assert_false(ts_scope_allows(&s, P_OUTLET_A, NULL, "x", NULL));
  assert_true(ts_scope_allows(&s, P_OUTLET_A, NULL, "a9", NULL));
}

static void test_path_prefix_is_by_segment(void **state) {
  (void)state;
  /* "/1/2/" must not be taken for an ancestor of "/1/23/" */
  assert_true(ts_path_under("/1/2/3/", "/1/2/"));
  assert_false(ts_path_under("/1/23/", "/1/2/"));
  assert_false(ts_path_under(NULL, "/1/"));
  assert_false(ts_path_under("/1/", ""));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_role_names),
    cmocka_unit_test(test_agent_sees_own_outlet_only),
    cmocka_unit_test(test_handler_sees_department),
    cmocka_unit_test(test_supervisor_region),
    cmocka_unit_test(test_see_all_roles),
    cmocka_unit_test(test_no_unit_sees_only_own),
    cmocka_unit_test(test_path_prefix_is_by_segment),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
