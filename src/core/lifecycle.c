#include "core/lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/ts_err.h"
#include "util/tstime.h"

#define S(x) (1u << TS_ST_##x)
#define OPEN (S(RECEIVED) | S(ACCEPTED) | S(INVESTIGATING) | S(PROPOSED) | S(APPROVED) | S(RESOLVED) | S(PENDING))

#define AG TS_ROLE_AGENT
#define HA TS_ROLE_HANDLER
#define SU TS_ROLE_SUPERVISOR
#define DM TS_ROLE_DEPT_MANAGER
#define GM TS_ROLE_GENERAL_MANAGER
#define AD TS_ROLE_ADMIN
#define FRONT (AG | SU | DM | GM | AD)      /* intake and routing: customer service */
#define HANDLE (HA | SU | DM | GM | AD)     /* investigation and solutions */
#define WORK (AG | HA | SU | DM | GM | AD)  /* everyone who works cases */
#define MANAGE (SU | DM | GM | AD)          /* supervisors and above */

static const char *const st_names[TS_ST__COUNT] = {
  "received", "accepted", "investigating", "proposed", "approved",
  "resolved", "closed",   "rejected",      "pending",  "withdrawn"};

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

/* The whole lifecycle. Every member list also allows "note" (kept in the history). */
const ts_transition ts_transitions[TS_ACT__COUNT] = {
  {TS_ACT_ACCEPT, "accept", S(RECEIVED), TS_ST_ACCEPTED, FRONT, NONE, KEYS("note")},
  {TS_ACT_ASSIGN, "assign", S(ACCEPTED) | S(INVESTIGATING), TS_ST_INVESTIGATING, FRONT,
   NONE, KEYS("dept", "handler", "note")}, /* no dept: the routing rules give it */
  {TS_ACT_PROPOSE, "propose", S(INVESTIGATING), TS_ST_PROPOSED, HANDLE, KEYS("solutions"),
   KEYS("solutions", "note")},
  {TS_ACT_APPROVE, "approve", S(PROPOSED), TS_ST_APPROVED, HANDLE, NONE, KEYS("note")},
  {TS_ACT_SEND_BACK, "send_back", S(PROPOSED), TS_ST_INVESTIGATING, HANDLE, KEYS("reason"),
   KEYS("reason", "note")},
  {TS_ACT_RESOLVE, "resolve", S(APPROVED), TS_ST_RESOLVED, WORK, KEYS("customer_consent"),
   KEYS("customer_consent", "option", "note")},
  {TS_ACT_FOLLOW_UP, "follow_up", S(RESOLVED), TS_TO_SAME, WORK, KEYS("satisfaction", "method"),
   KEYS("satisfaction", "method", "comment", "note")},
  {TS_ACT_CLOSE, "close", S(RESOLVED), TS_ST_CLOSED, WORK, KEYS("summary"),
   KEYS("summary", "lessons", "follow_up_waived_reason", "note")},
  {TS_ACT_REJECT, "reject", S(RECEIVED) | S(ACCEPTED) | S(INVESTIGATING), TS_ST_REJECTED, WORK,
   KEYS("reason", "answer"), KEYS("reason", "answer", "nature", "note")},
  {TS_ACT_SUSPEND, "suspend", S(ACCEPTED) | S(INVESTIGATING) | S(PROPOSED) | S(APPROVED) | S(RESOLVED),
   TS_ST_PENDING, WORK, KEYS("reason", "remind_on"), KEYS("reason", "remind_on", "note")},
  {TS_ACT_RESUME, "resume", S(PENDING), TS_TO_PENDING_FROM, WORK, NONE, KEYS("note")},
  {TS_ACT_REOPEN, "reopen", S(RESOLVED) | S(CLOSED) | S(REJECTED), TS_ST_INVESTIGATING, FRONT,
   KEYS("reason"), KEYS("reason", "note")},
  {TS_ACT_WITHDRAW, "withdraw", OPEN, TS_ST_WITHDRAWN, WORK, NONE, KEYS("reason", "note")},
  {TS_ACT_REGRADE, "regrade", OPEN | S(CLOSED) | S(REJECTED), TS_TO_SAME, MANAGE,
   KEYS("grade", "reason"), KEYS("grade", "reason", "note")},
};

const char *ts_state_name(int state) {
  return state >= 0 && state < TS_ST__COUNT ? st_names[state] : NULL;
}

int ts_state_parse(const char *name) {
  for (int i = 0; name && i < TS_ST__COUNT; i++)
    if (strcmp(name, st_names[i]) == 0)
      return i;
  return -1;
}

int ts_action_parse(const char *name) {
  for (int i = 0; name && i < TS_ACT__COUNT; i++)
    if (strcmp(name, ts_transitions[i].name) == 0)
      return i;
  return -1;
}

json_t *ts_lifecycle_allowed(int state, unsigned roles) {
  json_t *a = json_array();
  for (int i = 0; a && state >= 0 && i < TS_ACT__COUNT; i++)
    if ((ts_transitions[i].from & (1u << state)) && (ts_transitions[i].roles & roles))
      json_array_append_new(a, json_string(ts_transitions[i].name));
  return a;
}

int ts_grade_level(const char *grade) {
  if (!grade || grade[0] != 'g' || grade[1] < '1' || grade[1] > '4' || grade[2])
    return 0;
  return grade[1] - '0';
}

/* ---- solutions and approval ----------------------------------------------------------- */

static const char *const solution_types[] = {"return", "exchange", "repair", "discount",
                                             "refund", "compensation", "reship", "gift",
                                             "free_service", "apology", "explanation", NULL};

int64_t ts_solutions_cost(const ts_solution *items, int n) {
  int64_t common = 0, worst = 0;
  for (int i = 0; i < n; i++) {
    if (!items[i].option[0]) {
      common += items[i].amount_cents;
      continue;
    }
    int64_t sum = 0;
    for (int k = 0; k < n; k++)
      if (strcmp(items[k].option, items[i].option) == 0)
        sum += items[k].amount_cents;
    if (sum > worst)
      worst = sum;
  }
  return common + worst;
}

static int limit_allows(const ts_approval_limit *l, int64_t cost, int grade) {
  return (l->max_cents < 0 || cost <= l->max_cents) && grade <= l->max_grade;
}

unsigned ts_approval_needed(const ts_approval_limit *lim, int nlim, int64_t cost, int grade) {
  for (int i = 0; i < nlim; i++)
    if (limit_allows(&lim[i], cost, grade))
      return lim[i].role;
  return 0;
}

int ts_approval_allows(const ts_approval_limit *lim, int nlim, unsigned roles, int64_t cost,
                       int grade) {
  if (roles & TS_ROLE_ADMIN)
    return 0; /* administrators run the system; they do not approve money */
  for (int i = 0; i < nlim; i++)
    if ((roles & lim[i].role) && limit_allows(&lim[i], cost, grade))
      return 1;
  return 0;
}

static void err_at(json_t *errors, const char *key, const char *msg) {
  if (!json_object_get(errors, key))
    json_object_set_new(errors, key, json_string(msg));
}

int ts_solutions_parse(json_t *arr, ts_solution *out, int max, json_t *errors) {
  size_t i;
  json_t *it;
  int bad = 0;
  char key[64];
  if (!json_is_array(arr) || json_array_size(arr) == 0 || (int)json_array_size(arr) > max) {
    err_at(errors, "solutions", "must be a list of 1 to 20 items");
    return -1;
  }
  json_array_foreach(arr, i, it) {
    ts_solution *s = &out[i];
    const char *k;
    json_t *v;
    memset(s, 0, sizeof *s);
    if (!json_is_object(it)) {
      snprintf(key, sizeof key, "solutions[%zu]", i);
      err_at(errors, key, "must be an object");
      bad = 1;
      continue;
    }
    json_object_foreach(it, k, v) {
      if (strcmp(k, "type") && strcmp(k, "amount_cents") && strcmp(k, "description") &&
          strcmp(k, "option")) {
        snprintf(key, sizeof key, "solutions[%zu].%.24s", i, k);
        err_at(errors, key, "unknown field");
        bad = 1;
      }
    }
    const char *type = json_string_value(json_object_get(it, "type"));
    snprintf(key, sizeof key, "solutions[%zu].type", i);
    if (!type || !ts_enum_has(solution_types, type)) {
      err_at(errors, key, "is not one of the solution types");
      bad = 1;
    } else {
      snprintf(s->type, sizeof s->type, "%s", type);
    }
    json_t *amt = json_object_get(it, "amount_cents");
    snprintf(key, sizeof key, "solutions[%zu].amount_cents", i);
    if (amt && !json_is_null(amt) &&
        (!json_is_integer(amt) || json_integer_value(amt) < 0 ||
         json_integer_value(amt) > TS_CENTS_MAX)) {
      err_at(errors, key, "must be a whole number of cents, 0 or more");
      bad = 1;
    } else if (amt) {
      s->amount_cents = json_integer_value(amt);
    }
    json_t *desc = json_object_get(it, "description");
    snprintf(key, sizeof key, "solutions[%zu].description", i);
    if (desc && !json_is_null(desc)) {
      const char *d = json_string_value(desc);
      if (!d || !ts_text_clean(d, 1) || ts_utf8_len(d) > 300 || strlen(d) >= sizeof s->description) {
        err_at(errors, key, "must be text of at most 300 characters");
        bad = 1;
      } else {
        snprintf(s->description, sizeof s->description, "%s", d);
      }
    }
    json_t *opt = json_object_get(it, "option");
    snprintf(key, sizeof key, "solutions[%zu].option", i);
    if (opt && !json_is_null(opt)) {
      const char *o = json_string_value(opt);
      if (!o || !*o || strlen(o) > 8 || !ts_text_clean(o, 0)) {
        err_at(errors, key, "must be a short label such as A or B");
        bad = 1;
      } else {
        snprintf(s->option, sizeof s->option, "%s", o);
      }
    }
  }
  return bad ? -1 : (int)json_array_size(arr);
}

void ts_solutions_book(ts_case *c, const ts_solution *items, int n, const char *option) {
  static const struct {
    const char *type;
    int field;
  } map[] = {{"refund", TS_CF_L_REFUND},       {"compensation", TS_CF_L_COMPENSATION},
             {"discount", TS_CF_L_DISCOUNT},   {"repair", TS_CF_L_REPAIR},
             {"return", TS_CF_L_GOODS},        {"exchange", TS_CF_L_GOODS},
             {"reship", TS_CF_L_GOODS},        {"gift", TS_CF_L_GIFT},
             {"free_service", TS_CF_L_GIFT}};
  for (int i = 0; i < n; i++) {
    if (items[i].option[0] && (!option || strcmp(items[i].option, option) != 0))
      continue; /* an alternative the customer did not choose */
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
      if (!strcmp(items[i].type, map[k].type) && items[i].amount_cents > 0)
        ts_case_set_int(c, map[k].field, ts_case_int(c, map[k].field) + items[i].amount_cents);
  }
}

/* ---- applying an action ------------------------------------------------------------------ */

static int check_body(const ts_transition *t, json_t *body, json_t *errors) {
  const char *k;
  json_t *v;
  int bad = 0;
  json_object_foreach(body, k, v) {
    if (!ts_enum_has(t->allowed, k)) {
      err_at(errors, strlen(k) <= 64 ? k : "(long key)", "unknown field");
      bad = 1;
    }
  }
  for (const char *const *r = t->required; *r; r++) {
    json_t *v2 = json_object_get(body, *r);
    if (!v2 || json_is_null(v2)) {
      err_at(errors, *r, "is required");
      bad = 1;
    }
  }
  json_t *note = json_object_get(body, "note");
  if (note && !json_is_null(note)) {
    const char *n = json_string_value(note);
    if (!n || !ts_text_clean(n, 1) || ts_utf8_len(n) > 2000) {
      err_at(errors, "note", "must be text of at most 2000 characters");
      bad = 1;
    }
  }
  return bad;
}

/* A text member of at most max characters (1 if present and valid, 0 if absent). */
static int text_member(json_t *body, const char *key, size_t max, json_t *errors,
                       const char **out) {
  json_t *v = json_object_get(body, key);
  *out = NULL;
  if (!v || json_is_null(v))
    return 0;
  const char *s = json_string_value(v);
  if (!s || !*s || !ts_text_clean(s, 1) || ts_utf8_len(s) > max) {
    err_at(errors, key, "must be non-empty text within the allowed length");
    return -1;
  }
  *out = s;
  return 1;
}

/* Raises the grade one step (at most g4) and says why in grade_reasons. */
static int raise_grade(ts_case *c, const char *rule, const char *text) {
  int level = ts_grade_level(ts_case_text(c, TS_CF_GRADE));
  char g[3] = {'g', (char)('0' + (level < 1 ? 2 : level < 4 ? level + 1 : 4)), '\0'};
  json_t *reasons = ts_case_field_json(c, TS_CF_GRADE_REASONS);
  if (!json_is_array(reasons)) {
    json_decref(reasons);
    reasons = json_array();
  }
  json_array_append_new(reasons, json_pack("{s:s,s:s,s:s}", "rule", rule, "grade", g, "text", text));
  char *dump = json_dumps(reasons, JSON_COMPACT);
  json_decref(reasons);
  if (!dump)
    return TS_ERR_NOMEM;
  int rc = ts_case_set_text(c, TS_CF_GRADE_REASONS, dump);
  free(dump);
  return rc ? rc : ts_case_set_text(c, TS_CF_GRADE, g);
}

static int set_status(ts_case *c, int state) { return ts_case_set_text(c, TS_CF_STATUS, st_names[state]); }

/* The changes of one action, on a copy of the case (so a refusal leaves c alone). */
static int apply_on(ts_case *c, const ts_transition *t, json_t *body, const ts_action_ctx *ctx,
                    ts_action_result *res, json_t *errors) {
  int64_t now = ctx->now;
  const char *s1 = NULL, *s2 = NULL;
  int rc = TS_OK;
  int to = t->to == TS_TO_SAME ? res->from : t->to;

  switch (t->action) {
  case TS_ACT_ACCEPT:
    ts_case_set_int(c, TS_CF_ACCEPTED_AT, now);
    break;
  case TS_ACT_ASSIGN: /* dept and handler are checked against the store by the caller */
    ts_case_set_int(c, TS_CF_ASSIGNED_AT, now);
    break;
  case TS_ACT_PROPOSE:
    if ((res->nitems = ts_solutions_parse(json_object_get(body, "solutions"), res->items,
                                          TS_SOLUTIONS_MAX, errors)) < 0)
      return TS_ERR_INVALID;
    ts_case_set_int(c, TS_CF_PROPOSAL_NO, ts_case_int(c, TS_CF_PROPOSAL_NO) + 1);
    ts_case_clear(c, TS_CF_CONSENT);
    ts_case_clear(c, TS_CF_CHOSEN_OPTION);
    break;
  case TS_ACT_APPROVE: {
    int grade = ts_grade_level(ts_case_text(c, TS_CF_GRADE));
    if (!ts_approval_allows(ctx->limits, ctx->nlimits, ctx->who->roles, ctx->cost, grade)) {
      /* an administrator is refused for being one, not for a limit: no role to name */
      res->needed_role = (ctx->who->roles & TS_ROLE_ADMIN)
                           ? 0 : ts_approval_needed(ctx->limits, ctx->nlimits, ctx->cost, grade);
      return TS_ERR_FORBIDDEN;
    }
    break;
  }
  case TS_ACT_SEND_BACK:
    if (text_member(body, "reason", 500, errors, &s1) < 0)
      return TS_ERR_INVALID;
    break;
  case TS_ACT_RESOLVE: {
    json_t *consent = json_object_get(body, "customer_consent");
    if (!json_is_boolean(consent)) {
      err_at(errors, "customer_consent", "must be true or false");
      return TS_ERR_INVALID;
    }
    json_t *opt = json_object_get(body, "option");
    const char *o = json_string_value(opt);
    if (opt && !json_is_null(opt) && (!o || !ctx->options || !ts_enum_has(ctx->options, o))) {
      err_at(errors, "option", "is not an option of the proposal");
      return TS_ERR_INVALID;
    }
    if (json_is_true(consent) && ctx->options && ctx->options[0] && !o) {
      err_at(errors, "option", "the proposal has alternatives: say which one the customer chose");
      return TS_ERR_INVALID;
    }
    ts_case_set_int(c, TS_CF_CONSENT, json_is_true(consent));
    if (o && json_is_true(consent) && (rc = ts_case_set_text(c, TS_CF_CHOSEN_OPTION, o)))
      return rc; /* a refused proposal has no chosen option */
    if (json_is_true(consent)) {
      ts_case_set_int(c, TS_CF_RESOLVED_AT, now);
      ts_case_set_int(c, TS_CF_FU_DUE_AT, now + (int64_t)ctx->follow_up_hours * 3600);
    } else {
      to = TS_ST_INVESTIGATING; /* the customer refused: investigate again */
    }
    break;
  }
  case TS_ACT_FOLLOW_UP: {
    json_t *sat = json_object_get(body, "satisfaction");
    const char *method = json_string_value(json_object_get(body, "method"));
    int bad = 0;
    if (!json_is_integer(sat) || json_integer_value(sat) < 1 || json_integer_value(sat) > 5) {
      err_at(errors, "satisfaction", "must be 1 (very dissatisfied) to 5 (very satisfied)");
      bad = 1;
    }
    if (!method || !ts_enum_has(ts_enum_contact_method, method)) {
      err_at(errors, "method", "is not one of the contact methods");
      bad = 1;
    }
    if (text_member(body, "comment", 2000, errors, &s1) < 0 || bad)
      return TS_ERR_INVALID;
    int64_t score = json_integer_value(sat);
    ts_case_set_int(c, TS_CF_SATISFACTION, score);
    ts_case_set_int(c, TS_CF_FU_AT, now);
    if ((rc = ts_case_set_text(c, TS_CF_FU_BY, ctx->who->username)) ||
        (rc = ts_case_set_text(c, TS_CF_FU_METHOD, method)) ||
        (rc = ts_case_set_text(c, TS_CF_FU_COMMENT, s1)))
      return rc;
    if (score <= 2) { /* dissatisfied: the case opens again (DOMAIN §7) */
      to = TS_ST_INVESTIGATING;
      res->reopened = 1;
    }
    break;
  }
  case TS_ACT_CLOSE: {
    int grade = ts_grade_level(ts_case_text(c, TS_CF_GRADE));
    const char *waived = NULL;
    if (text_member(body, "summary", 5000, errors, &s1) < 0 ||
        text_member(body, "lessons", 5000, errors, &s2) < 0 ||
        text_member(body, "follow_up_waived_reason", 500, errors, &waived) < 0)
      return TS_ERR_INVALID;
    if (!ts_case_has(c, TS_CF_FU_AT) && !waived) {
      err_at(errors, "follow_up_waived_reason",
             "the follow-up visit is not done: do it first, or give the reason to close without it");
      return TS_ERR_INVALID;
    }
    if (grade >= 2 && !s2)
      err_at(errors, "lessons", "a case of grade g2 or above closes with its lessons learned");
    if (grade >= 2 && ctx->improvements < 1)
      err_at(errors, "improvements",
             "a case of grade g2 or above closes with at least one improvement action");
    if (grade >= 2 && (!s2 || ctx->improvements < 1))
      return TS_ERR_INVALID;
    if ((rc = ts_case_set_text(c, TS_CF_SUMMARY, s1)) || (s2 && (rc = ts_case_set_text(c, TS_CF_LESSONS, s2))) ||
        (waived && (rc = ts_case_set_text(c, TS_CF_FU_WAIVED, waived))))
      return rc;
    ts_case_set_int(c, TS_CF_CLOSED_AT, now);
    break;
  }
  case TS_ACT_REJECT: {
    const char *reason = json_string_value(json_object_get(body, "reason"));
    const char *nature = json_string_value(json_object_get(body, "nature"));
    int bad = 0;
    if (!reason || !ts_enum_has(ts_enum_invalid_reason, reason)) {
      err_at(errors, "reason", "is not one of the reasons a complaint is not valid");
      bad = 1;
    }
    if (json_object_get(body, "nature") && (!nature || !ts_enum_has(ts_enum_nature, nature))) {
      err_at(errors, "nature", "is not one of the natures");
      bad = 1;
    }
    if (text_member(body, "answer", 5000, errors, &s1) < 0 || bad)
      return TS_ERR_INVALID;
    if ((rc = ts_case_set_text(c, TS_CF_VALIDITY, "invalid")) ||
        (rc = ts_case_set_text(c, TS_CF_INVALID_REASON, reason)) ||
        (rc = ts_case_set_text(c, TS_CF_REPLY, s1)) ||
        (nature && (rc = ts_case_set_text(c, TS_CF_NATURE, nature))))
      return rc;
    ts_case_set_int(c, TS_CF_CLOSED_AT, now);
    break;
  }
  case TS_ACT_SUSPEND: {
    const char *remind = json_string_value(json_object_get(body, "remind_on"));
    if (text_member(body, "reason", 500, errors, &s1) < 0)
      return TS_ERR_INVALID;
    if (!remind || !ts_date_ok(remind)) {
      err_at(errors, "remind_on", "must be a date YYYY-MM-DD");
      return TS_ERR_INVALID;
    }
    char today[TS_TIME_MAX];
    if (ts_time_format(now, today, sizeof today) == TS_OK && strncmp(remind, today, 10) < 0) {
      err_at(errors, "remind_on", "must not be in the past");
      return TS_ERR_INVALID;
    }
    if ((rc = ts_case_set_text(c, TS_CF_PENDING_FROM, st_names[res->from])) ||
        (rc = ts_case_set_text(c, TS_CF_PENDING_REASON, s1)) ||
        (rc = ts_case_set_text(c, TS_CF_PENDING_REMIND_ON, remind)))
      return rc;
    break;
  }
  case TS_ACT_RESUME: {
    int back = ts_state_parse(ts_case_text(c, TS_CF_PENDING_FROM));
    to = back >= 0 ? back : TS_ST_INVESTIGATING;
    ts_case_clear(c, TS_CF_PENDING_FROM);
    ts_case_clear(c, TS_CF_PENDING_REASON);
    ts_case_clear(c, TS_CF_PENDING_REMIND_ON);
    break;
  }
  case TS_ACT_REOPEN:
    if (text_member(body, "reason", 500, errors, &s1) < 0)
      return TS_ERR_INVALID;
    res->reopened = 1;
    if (res->from == TS_ST_REJECTED) {
      /* the rejection is reconsidered: validity is judged again (the answer sent stays
       * in the history) */
      ts_case_clear(c, TS_CF_VALIDITY);
      ts_case_clear(c, TS_CF_INVALID_REASON);
    }
    break;
  case TS_ACT_WITHDRAW:
    if (text_member(body, "reason", 500, errors, &s1) < 0)
      return TS_ERR_INVALID;
    if (s1 && (rc = ts_case_set_text(c, TS_CF_WITHDRAW_REASON, s1)))
      return rc;
    ts_case_set_int(c, TS_CF_CLOSED_AT, now);
    ts_case_clear(c, TS_CF_PENDING_FROM); /* no longer waiting for anything */
    ts_case_clear(c, TS_CF_PENDING_REASON);
    ts_case_clear(c, TS_CF_PENDING_REMIND_ON);
    break;
  case TS_ACT_REGRADE: {
    const char *g = json_string_value(json_object_get(body, "grade"));
    if (!ts_grade_level(g)) {
      err_at(errors, "grade", "must be g1, g2, g3 or g4");
      return TS_ERR_INVALID;
    }
    if (text_member(body, "reason", 500, errors, &s1) < 0)
      return TS_ERR_INVALID;
    json_t *reasons = ts_case_field_json(c, TS_CF_GRADE_REASONS);
    if (!json_is_array(reasons)) {
      json_decref(reasons);
      reasons = json_array();
    }
    json_array_append_new(reasons, json_pack("{s:s,s:s,s:s,s:s}", "rule", "regrade", "grade", g,
                                             "text", s1, "by", ctx->who->username));
    char *dump = json_dumps(reasons, JSON_COMPACT);
    json_decref(reasons);
    if (!dump)
      return TS_ERR_NOMEM;
    rc = ts_case_set_text(c, TS_CF_GRADE_REASONS, dump);
    free(dump);
    if (rc || (rc = ts_case_set_text(c, TS_CF_GRADE, g)))
      return rc;
    break;
  }
  }
  if (res->reopened) {
    ts_case_set_int(c, TS_CF_REOPEN_COUNT, ts_case_int(c, TS_CF_REOPEN_COUNT) + 1);
    ts_case_clear(c, TS_CF_CLOSED_AT);
    ts_case_clear(c, TS_CF_RESOLVED_AT);
    /* the next resolution needs its own follow-up (the earlier one stays in the history) */
    static const int followup[] = {TS_CF_FU_DUE_AT, TS_CF_FU_AT, TS_CF_FU_BY, TS_CF_FU_METHOD,
                                   TS_CF_FU_COMMENT, TS_CF_FU_WAIVED};
    for (size_t k = 0; k < sizeof followup / sizeof followup[0]; k++)
      ts_case_clear(c, followup[k]);
    to = TS_ST_INVESTIGATING;
    if ((rc = raise_grade(c, "reopened", "重新打开的投诉至少上调一级 (reopened: at least one grade up)")))
      return rc;
  }
  res->to = to;
  return set_status(c, to);
}

int ts_lifecycle_apply(ts_case *c, int action, json_t *body, const ts_action_ctx *ctx,
                       ts_action_result *res, json_t *errors) {
  memset(res, 0, sizeof *res);
  if (action < 0 || action >= TS_ACT__COUNT)
    return TS_ERR_NOT_FOUND;
  const ts_transition *t = &ts_transitions[action];
  int state = ts_state_parse(ts_case_text(c, TS_CF_STATUS));
  res->from = state;
  if (state < 0 || !(t->from & (1u << state))) {
    res->allowed = ts_lifecycle_allowed(state, ctx->who->roles);
    return TS_ERR_CONFLICT;
  }
  if (!(t->roles & ctx->who->roles))
    return TS_ERR_FORBIDDEN;
  if (check_body(t, body, errors))
    return TS_ERR_INVALID;
  ts_case *work = ts_case_dup(c);
  if (!work)
    return TS_ERR_NOMEM;
  int rc = apply_on(work, t, body, ctx, res, errors);
  if (rc == TS_OK && (rc = ts_case_merge(c, work)) == TS_OK) {
    /* merge copies set fields; cleared ones must be cleared too */
    for (int f = 0; f < TS_CF__COUNT; f++)
      if (!ts_case_has(work, f) && ts_case_has(c, f))
        ts_case_clear(c, f);
  }
  ts_case_free(work);
  return rc;
}
