/* Configured lists and rules: channels and categories (read), grading rules (read, and
 * written by administrators). */
#include <stdlib.h>

#include "api/api.h"
#include "core/grading.h"
#include "core/ts_err.h"

static void reply_list(ts_req *r, int (*fn)(ts_store *, json_t **)) {
  json_t *items;
  if (fn(r->app->store, &items))
    ts_reply_error(r, TS_ERR_STORE, "cannot read the list", NULL);
  else
    ts_api_reply_list(r, items);
}

void ts_api_channels_list(ts_req *r) { reply_list(r, ts_store_channel_list); }
void ts_api_categories_list(ts_req *r) { reply_list(r, ts_store_category_list); }

void ts_api_stages_list(ts_req *r) { reply_list(r, ts_store_stage_list); }
void ts_api_grading_rules_list(ts_req *r) { reply_list(r, ts_store_grading_rule_list); }

typedef struct {
  ts_rule rule;
  int active;
} rule_write;

static int apply_rule(ts_tx *tx, void *arg) {
  rule_write *w = arg;
  return ts_tx_grading_rule_put(tx, &w->rule, w->active);
}

static void finish_rule(ts_req *r, int rc) {
  rule_write *w = r->wctx;
  if (rc) {
    ts_reply_error(r, rc, "the rule could not be saved", NULL);
    return;
  }
  json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:b}", "id", w->rule.id, "grade",
                        (char[3]){'g', (char)('0' + w->rule.grade), '\0'}, "kind",
                        ts_rule_kind_name(w->rule.kind), "params", ts_rule_params(&w->rule),
                        "text_zh", w->rule.text_zh, "text_en", w->rule.text_en, "active",
                        w->active);
  ts_reply_json(r, 200, json_pack("{s:o}", "rule", o));
}

/* PUT /api/v1/config/grading-rules/{id}: creates or replaces a rule (admin). */
void ts_api_grading_rules_put(ts_req *r) {
  static const char *const keys[] = {"grade", "kind", "params", "text_zh", "text_en", "active",
                                     NULL};
  json_t *body = NULL, *errors = json_object();
  rule_write *w = calloc(1, sizeof *w);
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_body(r, &body))
    goto out;
  ts_api_check_keys(body, keys, errors);
  json_t *active = json_object_get(body, "active");
  if (active && !json_is_boolean(active))
    json_object_set_new(errors, "active", json_string("must be true or false"));
  w->active = !active || json_is_true(active);
  ts_rule_make(ts_req_param(r, 0), json_string_value(json_object_get(body, "grade")),
               json_string_value(json_object_get(body, "kind")), json_object_get(body, "params"),
               json_string_value(json_object_get(body, "text_zh")),
               json_string_value(json_object_get(body, "text_en")), &w->rule, errors);
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  ts_req_defer(r, apply_rule, w, free, finish_rule);
  w = NULL;
out:
  free(w);
  json_decref(body);
  json_decref(errors);
}
