#include "core/grading.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lifecycle.h"
#include "core/text.h"
#include "core/ts_err.h"

static const char *const kind_names[TS_RULE__COUNT] = {
  "flag", "external", "vvip", "loss_above", "unusable_days_over", "reopened",
  "open_days_over", "same_subject_customers", "similar_cases", "repeat_complainant",
  "raised_times", "depts_involved"};

const char *ts_rule_kind_name(int kind) {
  return kind >= 0 && kind < TS_RULE__COUNT ? kind_names[kind] : NULL;
}

int ts_rule_kind_parse(const char *name) {
  for (int i = 0; name && i < TS_RULE__COUNT; i++)
    if (strcmp(name, kind_names[i]) == 0)
      return i;
  return -1;
}

static void err(json_t *errors, const char *k, const char *m) {
  if (errors && !json_object_get(errors, k))
    json_object_set_new(errors, k, json_string(m));
}

/* A non-negative integer parameter. */
static int param(json_t *params, const char *key, int64_t *out, json_t *errors) {
  json_t *v = json_object_get(params, key);
  if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > TS_CENTS_MAX) {
    char k[64];
    snprintf(k, sizeof k, "params.%s", key);
    err(errors, k, "is required: a whole number, 0 or more");
    return 0;
  }
  *out = json_integer_value(v);
  return 1;
}

int ts_rule_make(const char *id, const char *grade, const char *kind, json_t *params,
                 const char *text_zh, const char *text_en, ts_rule *out, json_t *errors) {
  ts_rule r;
  int ok = 1;
  memset(&r, 0, sizeof r);
  if (!id || !ts_code_ok(id, sizeof r.id - 1, 1)) {
    err(errors, "id", "must be 1-47 of a-z 0-9 _ -");
    ok = 0;
  } else {
    snprintf(r.id, sizeof r.id, "%s", id);
  }
  if (!(r.grade = ts_grade_level(grade))) {
    err(errors, "grade", "must be g1, g2, g3 or g4");
    ok = 0;
  }
  int k = ts_rule_kind_parse(kind);
  if (k < 0) {
    err(errors, "kind", "is not a rule kind");
    ok = 0;
  }
  r.kind = (ts_rule_kind)k;
  if (params && !json_is_object(params)) {
    err(errors, "params", "must be an object");
    ok = 0;
    params = NULL;
  }
  switch (k) {
  case TS_RULE_FLAG: {
    const char *flag = json_string_value(json_object_get(params, "flag"));
    char path[64];
    snprintf(path, sizeof path, "flags.%s", flag ? flag : "");
    int f = flag && strlen(flag) < sizeof r.flag ? ts_case_field_find(path) : -1;
    if (f < 0) {
      err(errors, "params.flag", "is not one of the case's flags");
      ok = 0;
    } else {
      snprintf(r.flag, sizeof r.flag, "%s", flag);
      r.field = f;
    }
    break;
  }
  case TS_RULE_CLAIMED_AT_LEAST:
    ok &= param(params, "cents", &r.amount, errors);
    break;
  case TS_RULE_UNUSABLE_DAYS_OVER: case TS_RULE_OPEN_DAYS_OVER:
    ok &= param(params, "days", &r.amount, errors);
    break;
  case TS_RULE_REOPENED: case TS_RULE_RAISED_TIMES: case TS_RULE_DEPTS_INVOLVED:
    ok &= param(params, "count", &r.amount, errors);
    break;
  case TS_RULE_SAME_SUBJECT_CUSTOMERS: case TS_RULE_SIMILAR_CASES: case TS_RULE_REPEAT_COMPLAINANT:
    ok &= param(params, "count", &r.amount, errors);
    ok &= param(params, "days", &r.days, errors);
    break;
  default:
    break;
  }
  if (!text_zh || !*text_zh || !ts_text_clean(text_zh, 0) || strlen(text_zh) >= sizeof r.text_zh) {
    err(errors, "text_zh", "is required: one line of at most 80 characters");
    ok = 0;
  } else {
    snprintf(r.text_zh, sizeof r.text_zh, "%s", text_zh);
  }
  if (!text_en || !*text_en || !ts_text_clean(text_en, 0) || strlen(text_en) >= sizeof r.text_en) {
    err(errors, "text_en", "is required: one line of at most 250 characters");
    ok = 0;
  } else {
    snprintf(r.text_en, sizeof r.text_en, "%s", text_en);
  }
  if (!ok)
    return TS_ERR_INVALID;
  *out = r;
  return TS_OK;
}

json_t *ts_rule_params(const ts_rule *r) {
  switch (r->kind) {
  case TS_RULE_FLAG:
    return json_pack("{s:s}", "flag", r->flag);
  case TS_RULE_CLAIMED_AT_LEAST:
    return json_pack("{s:I}", "cents", (json_int_t)r->amount);
  case TS_RULE_UNUSABLE_DAYS_OVER: case TS_RULE_OPEN_DAYS_OVER:
    return json_pack("{s:I}", "days", (json_int_t)r->amount);
  case TS_RULE_REOPENED: case TS_RULE_RAISED_TIMES: case TS_RULE_DEPTS_INVOLVED:
    return json_pack("{s:I}", "count", (json_int_t)r->amount);
  case TS_RULE_SAME_SUBJECT_CUSTOMERS: case TS_RULE_SIMILAR_CASES: case TS_RULE_REPEAT_COMPLAINANT:
    return json_pack("{s:I,s:I}", "count", (json_int_t)r->amount, "days", (json_int_t)r->days);
  default:
    return json_object();
  }
}

const char *ts_subject_key(const ts_case *c, char *out, size_t outsz) {
  static const int order[] = {TS_CF_S_BATCH, TS_CF_S_PRODUCT, TS_CF_S_ORDER_NO, TS_CF_S_PLATE};
  static const char *const tag[] = {"batch", "product", "order", "plate"};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    const char *v = ts_case_text(c, order[i]);
    if (v && *v) {
      int n = snprintf(out, outsz, "%s:%s", tag[i], v);
      return n > 0 && (size_t)n < outsz ? out : NULL;
    }
  }
  return NULL;
}

static int is_open(const ts_case *c) {
  int st = ts_state_parse(ts_case_text(c, TS_CF_STATUS));
  return st != TS_ST_CLOSED && st != TS_ST_REJECTED && st != TS_ST_WITHDRAWN;
}

/* 1 if the rule's condition holds for c. */
static int fires(const ts_rule *r, const ts_case *c, const ts_grade_lookup *lk, int64_t now) {
  int64_t n = 0;
  switch (r->kind) {
  case TS_RULE_FLAG:
    return ts_case_int(c, r->field) != 0;
  case TS_RULE_EXTERNAL:
    return ts_case_int(c, TS_CF_EXTERNAL) != 0;
  case TS_RULE_VVIP:
    return ts_case_int(c, TS_CF_C_VVIP) != 0;
  case TS_RULE_CLAIMED_AT_LEAST: /* DOMAIN §4: "above the major-loss threshold" */
    return (ts_case_has(c, TS_CF_CLAIMED) && ts_case_int(c, TS_CF_CLAIMED) > r->amount) ||
           ts_case_loss_total(c) > r->amount;
  case TS_RULE_UNUSABLE_DAYS_OVER:
    return ts_case_int(c, TS_CF_UNUSABLE_DAYS) > r->amount;
  case TS_RULE_REOPENED:
    return r->amount > 0 && ts_case_int(c, TS_CF_REOPEN_COUNT) >= r->amount;
  case TS_RULE_OPEN_DAYS_OVER:
    return is_open(c) && ts_case_has(c, TS_CF_RECEIVED_AT) &&
           now - ts_case_int(c, TS_CF_RECEIVED_AT) > r->amount * 86400;
  case TS_RULE_DEPTS_INVOLVED: /* the departments the case has been with, the present one too */
    if (!lk || !lk->count || lk->count(lk->ctx, r->kind, c, 0, r->amount, &n) != TS_OK)
      return 0;
    return r->amount > 0 && n >= r->amount;
  case TS_RULE_RAISED_TIMES: /* the complaint itself and each time the customer came back */
    if (!is_open(c) || !lk || !lk->count || !c->id ||
        lk->count(lk->ctx, r->kind, c, 0, r->amount, &n) != TS_OK)
      return 0;
    return r->amount > 0 && 1 + n >= r->amount;
  case TS_RULE_SAME_SUBJECT_CUSTOMERS: case TS_RULE_SIMILAR_CASES: case TS_RULE_REPEAT_COMPLAINANT:
    if (!lk || !lk->count ||
        lk->count(lk->ctx, r->kind, c, now - r->days * 86400, r->amount, &n) != TS_OK)
      return 0;
    return r->amount > 0 && n >= r->amount;
  default:
    return 0;
  }
}

int ts_grade_evaluate(ts_case *c, const ts_rule *rules, int n, const ts_grade_lookup *lk,
                      int64_t now) {
  int level = ts_grade_level(ts_case_text(c, TS_CF_GRADE));
  int best = level ? level : 1;
  json_t *reasons = ts_case_field_json(c, TS_CF_GRADE_REASONS);
  int added = 0, rc = TS_OK;
  if (!json_is_array(reasons)) {
    json_decref(reasons);
    reasons = json_array();
  }
  if (!reasons)
    return TS_ERR_NOMEM;
  for (int i = 0; i < n; i++) {
    if (!fires(&rules[i], c, lk, now))
      continue;
    int known = 0;
    size_t k;
    json_t *it;
    json_array_foreach(reasons, k, it) {
      const char *rule = json_string_value(json_object_get(it, "rule"));
      known |= rule && strcmp(rule, rules[i].id) == 0;
    }
    /* A rule already recorded raised the grade when it first fired; a person may have
     * lowered it since (regrade), and that stands. Only a newly firing rule raises. */
    if (known)
      continue;
    if (rules[i].grade > best)
      best = rules[i].grade;
    char g[3] = {'g', (char)('0' + rules[i].grade), '\0'};
    json_array_append_new(reasons, json_pack("{s:s,s:s,s:s,s:s}", "rule", rules[i].id, "grade", g,
                                             "text", rules[i].text_zh, "text_en", rules[i].text_en));
    added = 1;
  }
  if (added) {
    char *dump = json_dumps(reasons, JSON_COMPACT);
    rc = dump ? ts_case_set_text(c, TS_CF_GRADE_REASONS, dump) : TS_ERR_NOMEM;
    free(dump);
  }
  json_decref(reasons);
  if (!rc && best > level) {
    char g[3] = {'g', (char)('0' + best), '\0'};
    rc = ts_case_set_text(c, TS_CF_GRADE, g);
  }
  return rc;
}
