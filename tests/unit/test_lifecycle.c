/* The transition table and approval authority, without the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/lifecycle.h"
#include "core/ts_err.h"
#include "util/tstime.h"

#define NOW 1795311000

static const ts_approval_limit limits[] = {
  {TS_ROLE_HANDLER, 50000, 2},
  {TS_ROLE_SUPERVISOR, 500000, 2},
  {TS_ROLE_DEPT_MANAGER, 5000000, 4},
  {TS_ROLE_GENERAL_MANAGER, -1, 4},
};

/* DOMAIN §3, written out independently of the table: which actions each state allows. */
static const char *const expected[TS_ST__COUNT] = {
  [TS_ST_RECEIVED] = "accept reject withdraw regrade",
  [TS_ST_ACCEPTED] = "assign reject suspend withdraw regrade",
  [TS_ST_INVESTIGATING] = "assign propose reject suspend withdraw regrade",
  [TS_ST_PROPOSED] = "approve send_back suspend withdraw regrade",
  [TS_ST_APPROVED] = "resolve suspend withdraw regrade",
  [TS_ST_RESOLVED] = "follow_up close suspend reopen withdraw regrade",
  [TS_ST_CLOSED] = "reopen regrade",
  [TS_ST_REJECTED] = "reopen regrade",
  [TS_ST_PENDING] = "resume withdraw regrade",
  [TS_ST_WITHDRAWN] = "",
};

static void test_every_state_every_action(void **state) {
  (void)state;
  unsigned everyone = TS_ROLES_ANY;
  for (int st = 0; st < TS_ST__COUNT; st++) {
    json_t *a = ts_lifecycle_allowed(st, everyone);
    char got[256] = "";
    size_t i;
    json_t *it;
    json_array_foreach(a, i, it) {
      if (got[0])
        strcat(got, " ");
      strcat(got, json_string_value(it));
    }
    json_decref(a);
    /* compare as sets of words */
    for (int act = 0; act < TS_ACT__COUNT; act++) {
      const char *name = ts_transitions[act].name;
      char padded_exp[300], padded_got[300], word[40];
      snprintf(padded_exp, sizeof padded_exp, " %s ", expected[st]);
      snprintf(padded_got, sizeof padded_got, " %s ", got);
      snprintf(word, sizeof word, " %s ", name);
      int want = strstr(padded_exp, word) != NULL, have = strstr(padded_got, word) != NULL;
      if (want != have)
        fail_msg("state %s, action %s: expected %s", ts_state_name(st), name,
                 want ? "allowed" : "409");
    }
  }
}

static ts_case *in_state(const char *status, const char *grade) {
  ts_case *c = ts_case_new();
  ts_case_set_text(c, TS_CF_STATUS, status);
  ts_case_set_text(c, TS_CF_GRADE, grade);
  return c;
}

static int act(ts_case *c, int action, const char *body, unsigned roles, int64_t cost,
               ts_action_result *res) {
  ts_principal who = {1, "tester", roles, "/1/"};
  ts_action_ctx ctx = {&who, NOW, limits, 4, cost, NULL, 24, 0};
  json_t *b = json_loads(body, 0, NULL), *errors = json_object();
  int rc = ts_lifecycle_apply(c, action, b, &ctx, res, errors);
  json_decref(b);
  json_decref(errors);
  json_decref(res->allowed);
  res->allowed = NULL;
  return rc;
}

static void test_illegal_changes_nothing(void **state) {
  (void)state;
  ts_action_result res;
  ts_case *c = in_state("received", "g1");
  assert_int_equal(act(c, TS_ACT_APPROVE, "{}", TS_ROLES_ANY, 0, &res), TS_ERR_CONFLICT);
  assert_string_equal(ts_case_text(c, TS_CF_STATUS), "received");
  /* refused for the body: nothing changes either */
  assert_int_equal(act(c, TS_ACT_REJECT, "{\"reason\":\"bogus\",\"answer\":\"x\"}", TS_ROLES_ANY, 0,
                       &res),
                   TS_ERR_INVALID);
  assert_string_equal(ts_case_text(c, TS_CF_STATUS), "received");
  assert_null(ts_case_text(c, TS_CF_VALIDITY));
  ts_case_free(c);
}

static void test_approval_authority(void **state) {
  (void)state;
  static const struct {
    int64_t cost;
    const char *grade;
    unsigned roles;
    int ok;
    unsigned needed;
  } cases[] = {
    {50000, "g1", TS_ROLE_HANDLER, 1, TS_ROLE_HANDLER},
    {50001, "g1", TS_ROLE_HANDLER, 0, TS_ROLE_SUPERVISOR},
    {500000, "g2", TS_ROLE_SUPERVISOR, 1, TS_ROLE_HANDLER * 0 + TS_ROLE_SUPERVISOR},
    {500001, "g1", TS_ROLE_SUPERVISOR, 0, TS_ROLE_DEPT_MANAGER},
    {5000001, "g1", TS_ROLE_DEPT_MANAGER, 0, TS_ROLE_GENERAL_MANAGER},
    {999999999, "g4", TS_ROLE_GENERAL_MANAGER, 1, TS_ROLE_GENERAL_MANAGER},
    {100, "g3", TS_ROLE_SUPERVISOR, 0, TS_ROLE_DEPT_MANAGER}, /* g3/g4: a department manager */
    {100, "g4", TS_ROLE_DEPT_MANAGER, 1, TS_ROLE_DEPT_MANAGER},
    {100, "g1", TS_ROLE_ADMIN, 0, 0}, /* administrators never approve, whatever the cost */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ts_action_result res;
    ts_case *c = in_state("proposed", cases[i].grade);
    int rc = act(c, TS_ACT_APPROVE, "{}", cases[i].roles, cases[i].cost, &res);
    if (cases[i].ok) {
      assert_int_equal(rc, TS_OK);
      assert_string_equal(ts_case_text(c, TS_CF_STATUS), "approved");
    } else {
      assert_int_equal(rc, TS_ERR_FORBIDDEN);
      assert_int_equal(res.needed_role, cases[i].needed);
      assert_string_equal(ts_case_text(c, TS_CF_STATUS), "proposed");
    }
    ts_case_free(c);
  }
}

static void test_cost_of_alternatives(void **state) {
  (void)state;
  ts_solution items[4];
  memset(items, 0, sizeof items);
  items[0].amount_cents = 20000;                  /* common: repair */
  items[1].amount_cents = 300000;                 /* option A */
  strcpy(items[1].option, "A");
  items[2].amount_cents = 50000;                  /* option B, two items */
  strcpy(items[2].option, "B");
  items[3].amount_cents = 280000;
  strcpy(items[3].option, "B");
  assert_int_equal(ts_solutions_cost(items, 4), 20000 + 330000);
  assert_int_equal(ts_solutions_cost(items, 1), 20000);
}

static void test_reopen_counts_and_raises(void **state) {
  (void)state;
  ts_action_result res;
  ts_case *c = in_state("closed", "g4");
  assert_int_equal(act(c, TS_ACT_REOPEN, "{\"reason\":\"客户不满\"}", TS_ROLE_SUPERVISOR, 0, &res),
                   TS_OK);
  assert_string_equal(ts_case_text(c, TS_CF_STATUS), "investigating");
  assert_string_equal(ts_case_text(c, TS_CF_GRADE), "g4"); /* g4 stays g4 */
  assert_int_equal(ts_case_int(c, TS_CF_REOPEN_COUNT), 1);
  ts_case_free(c);
  c = in_state("resolved", "g1");
  assert_int_equal(act(c, TS_ACT_FOLLOW_UP, "{\"satisfaction\":2,\"method\":\"phone\"}",
                       TS_ROLE_AGENT, 0, &res),
                   TS_OK);
  assert_string_equal(ts_case_text(c, TS_CF_STATUS), "investigating");
  assert_string_equal(ts_case_text(c, TS_CF_GRADE), "g2");
  assert_int_equal(ts_case_int(c, TS_CF_SATISFACTION), 2);
  ts_case_free(c);
}

static void test_pending_returns_where_it_was(void **state) {
  (void)state;
  static const char *const from[] = {"accepted", "investigating", "proposed", "approved", "resolved"};
  for (size_t i = 0; i < 5; i++) {
    ts_action_result res;
    ts_case *c = in_state(from[i], "g1");
    assert_int_equal(act(c, TS_ACT_SUSPEND, "{\"reason\":\"等配件\",\"remind_on\":\"2030-01-04\"}",
                         TS_ROLE_HANDLER, 0, &res),
                     TS_OK);
    assert_string_equal(ts_case_text(c, TS_CF_STATUS), "pending");
    assert_int_equal(act(c, TS_ACT_RESUME, "{}", TS_ROLE_HANDLER, 0, &res), TS_OK);
    assert_string_equal(ts_case_text(c, TS_CF_STATUS), from[i]);
    assert_null(ts_case_text(c, TS_CF_PENDING_FROM));
    ts_case_free(c);
  }
}

static void test_roles(void **state) {
  (void)state;
  ts_action_result res;
  ts_case *c = in_state("received", "g1");
  assert_int_equal(act(c, TS_ACT_ACCEPT, "{}", TS_ROLE_AUDITOR, 0, &res), TS_ERR_FORBIDDEN);
  assert_int_equal(act(c, TS_ACT_ACCEPT, "{}", TS_ROLE_REVIEWER, 0, &res), TS_ERR_FORBIDDEN);
  assert_int_equal(act(c, TS_ACT_REGRADE, "{\"grade\":\"g3\",\"reason\":\"x\"}", TS_ROLE_AGENT, 0,
                       &res),
                   TS_ERR_FORBIDDEN);
  assert_int_equal(act(c, TS_ACT_REGRADE, "{\"grade\":\"g3\",\"reason\":\"媒体关注\"}",
                       TS_ROLE_SUPERVISOR, 0, &res),
                   TS_OK);
  assert_string_equal(ts_case_text(c, TS_CF_GRADE), "g3");
  ts_case_free(c);
}

int main(void) {
  ts_time_set_zone("Asia/Shanghai");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_state_every_action), cmocka_unit_test(test_illegal_changes_nothing),
    cmocka_unit_test(test_approval_authority),       cmocka_unit_test(test_cost_of_alternatives),
    cmocka_unit_test(test_reopen_counts_and_raises), cmocka_unit_test(test_pending_returns_where_it_was),
    cmocka_unit_test(test_roles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
