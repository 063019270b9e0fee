/* Configured lists and rules: channels and categories (read), grading rules (read, and
 * written by administrators). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/grading.h"
#include "core/psychology.h"
#include "svc/svc.h"
#include "util/clock.h"
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
  if (ts_api_submit(r, &errors, apply_rule, w, free, finish_rule))
    w = NULL;
out:
  free(w);
  json_decref(body);
  json_decref(errors);
}

void ts_api_routes_list(ts_req *r) { reply_list(r, ts_store_route_list); }

typedef struct {
  char category[65];
  int64_t unit, dept, id;
  int priority;
} route_write;

static int apply_route_add(ts_tx *tx, void *arg) {
  route_write *w = arg;
  return ts_tx_route_add(tx, w->category[0] ? w->category : NULL, w->unit, w->dept, w->priority,
                         ts_now(), &w->id);
}

static void finish_route(ts_req *r, int rc) {
  route_write *w = r->wctx;
  if (rc)
    ts_reply_error(r, rc, "the route could not be saved", NULL);
  else
    ts_reply_json(r, 201, json_pack("{s:{s:I,s:o,s:o,s:I,s:i}}", "route", "id", (json_int_t)w->id,
                                    "category", w->category[0] ? json_string(w->category) : json_null(),
                                    "unit", w->unit ? json_integer(w->unit) : json_null(), "dept",
                                    (json_int_t)w->dept, "priority", w->priority));
}

/* POST /api/v1/config/routes {"category", "unit", "dept", "priority"} (admin). */
void ts_api_routes_create(ts_req *r) {
  static const char *const keys[] = {"category", "unit", "dept", "priority", NULL};
  json_t *body = NULL, *errors = json_object();
  route_write *w = calloc(1, sizeof *w);
  ts_unit u;
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_body(r, &body))
    goto out;
  ts_api_check_keys(body, keys, errors);
  json_t *cat = json_object_get(body, "category"), *unit = json_object_get(body, "unit"),
         *dept = json_object_get(body, "dept"), *prio = json_object_get(body, "priority");
  if (cat && !json_is_null(cat)) {
    const char *c = json_string_value(cat);
    if (!c || strlen(c) >= sizeof w->category || ts_store_category_get(r->app->store, c) != TS_OK)
      json_object_set_new(errors, "category", json_string("is not a known category"));
    else
      snprintf(w->category, sizeof w->category, "%s", c);
  }
  if (unit && !json_is_null(unit)) {
    if (!json_is_integer(unit) || json_integer_value(unit) <= 0 ||
        ts_store_unit_get(r->app->store, json_integer_value(unit), &u))
      json_object_set_new(errors, "unit", json_string("must be the id of a unit"));
    else
      w->unit = u.id;
  }
  if (!json_is_integer(dept) || json_integer_value(dept) <= 0 ||
      ts_store_unit_get(r->app->store, json_integer_value(dept), &u) ||
      strcmp(u.kind, "department") != 0)
    json_object_set_new(errors, "dept", json_string("is required: the id of a department"));
  else
    w->dept = u.id;
  w->priority = 100;
  if (prio && (!json_is_integer(prio) || json_integer_value(prio) < 0 || json_integer_value(prio) > 10000))
    json_object_set_new(errors, "priority", json_string("must be 0 to 10000 (lower wins)"));
  else if (prio)
    w->priority = (int)json_integer_value(prio);
  if (ts_api_submit(r, &errors, apply_route_add, w, free, finish_route))
    w = NULL;
out:
  free(w);
  json_decref(body);
  json_decref(errors);
}

static int apply_route_delete(ts_tx *tx, void *arg) {
  return ts_tx_route_delete(tx, ((route_write *)arg)->id);
}

static void finish_route_delete(ts_req *r, int rc) {
  if (rc)
    ts_reply_error(r, rc, rc == TS_ERR_NOT_FOUND ? "no such route" : "could not be deleted", NULL);
  else
    ts_reply_raw(r, 204, "application/json", "", 0);
}

void ts_api_routes_delete(ts_req *r) {
  route_write *w = calloc(1, sizeof *w);
  if (!w || !ts_api_parse_int(ts_req_param(r, 0), 1, INT64_MAX / 2, &w->id)) {
    free(w);
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such route", NULL);
    return;
  }
  ts_req_defer(r, apply_route_delete, w, free, finish_route_delete);
}

typedef struct {
  ts_list_item item;
} list_write;

static int apply_list(ts_tx *tx, void *arg) { return ts_tx_list_put(tx, &((list_write *)arg)->item); }

static void finish_list(ts_req *r, int rc) {
  list_write *w = r->wctx;
  if (rc == TS_ERR_INVALID)
    ts_api_invalid(r, json_pack("{s:s}", "parent", "is not a category, or would make a cycle"));
  else if (rc)
    ts_reply_error(r, rc, "the entry could not be saved", NULL);
  else
    ts_reply_json(r, 200, json_pack("{s:{s:s,s:s,s:s,s:i,s:b}}", "entry", "code", w->item.code,
                                    "name_zh", w->item.name_zh, "name_en", w->item.name_en, "sort",
                                    w->item.sort, "active", w->item.active));
}

/* PUT /api/v1/config/{channels|categories|service-stages}/{code} (admin): creates or
 * replaces an entry; "active": false retires it (cases keep naming it). */
void ts_api_list_put(ts_req *r) {
  json_t *body = NULL, *errors = json_object();
  list_write *w = calloc(1, sizeof *w);
  int list = ts_svc_list_parse(ts_req_param(r, 0));
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (list < 0) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such list", NULL);
    goto out;
  }
  if (ts_api_body(r, &body))
    goto out;
  if (ts_svc_list_prepare(r->app->store, list, ts_req_param(r, 1), body, &w->item, errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  ts_req_defer(r, apply_list, w, free, finish_list);
  w = NULL;
out:
  free(w);
  json_decref(body);
  json_decref(errors);
}

static json_t *psychology_json(const ts_psychology *p) {
  return json_pack("{s:s,s:s,s:s,s:s,s:s}", "tag", p->tag, "name_zh", p->name_zh, "name_en",
                   p->name_en, "advice_zh", p->advice_zh, "advice_en", p->advice_en);
}

/* GET /api/v1/config/psychology: the tags and the handling advice for each (DOMAIN §8). */
void ts_api_psychology_list(ts_req *r) {
  json_t *items = json_array();
  for (int i = 0; items && i < ts_psychologies_count; i++)
    json_array_append_new(items, psychology_json(&ts_psychologies[i]));
  ts_api_reply_list(r, items);
}

void ts_api_approval_limits_list(ts_req *r) { reply_list(r, ts_store_approval_limit_list); }
void ts_api_settings_list(ts_req *r) { reply_list(r, ts_store_setting_list); }

typedef struct {
  char name[65];
  int64_t value;
  char grade[4];
  int is_setting;
} admin_write;

static int apply_admin(ts_tx *tx, void *arg) {
  admin_write *w = arg;
  return w->is_setting ? ts_tx_setting_put(tx, w->name, w->value)
                       : ts_tx_approval_limit_put(tx, w->name, w->value, w->grade);
}

static void finish_admin(ts_req *r, int rc) {
  admin_write *w = r->wctx;
  if (rc)
    ts_reply_error(r, rc, "could not be saved", NULL);
  else if (w->is_setting)
    ts_reply_json(r, 200, json_pack("{s:{s:s,s:I}}", "setting", "key", w->name, "value",
                                    (json_int_t)w->value));
  else
    ts_reply_json(r, 200, json_pack("{s:{s:s,s:o,s:s}}", "limit", "role", w->name, "max_cents",
                                    w->value < 0 ? json_null() : json_integer(w->value),
                                    "max_grade", w->grade));
}

/* PUT /config/approval-limits/{role} and PUT /config/settings/{key} (admin). */
static void admin_put(ts_req *r, int is_setting) {
  json_t *body = NULL, *errors = json_object();
  admin_write *w = calloc(1, sizeof *w);
  const char *grade = NULL;
  const char *name = ts_req_param(r, 0);
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_body(r, &body))
    goto out;
  int rc = is_setting ? ts_svc_setting_prepare(name, body, &w->value, errors)
                      : ts_svc_approval_limit_prepare(name, body, &w->value, &grade, errors);
  if (rc) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  snprintf(w->name, sizeof w->name, "%s", name);
  if (grade)
    snprintf(w->grade, sizeof w->grade, "%s", grade);
  w->is_setting = is_setting;
  ts_req_defer(r, apply_admin, w, free, finish_admin);
  w = NULL;
out:
  free(w);
  json_decref(body);
  json_decref(errors);
}

void ts_api_approval_limits_put(ts_req *r) { admin_put(r, 0); }
void ts_api_settings_put(ts_req *r) { admin_put(r, 1); }

void ts_api_escalation_list(ts_req *r) { reply_list(r, ts_store_escalation_list); }

typedef struct {
  char grade[4];
  const char *targets[16];
  int n;
  json_t *body; /* owns the target strings */
} tier_write;

static void tier_free(void *p) {
  tier_write *w = p;
  if (w)
    json_decref(w->body);
  free(w);
}

static int apply_tier(ts_tx *tx, void *arg) {
  tier_write *w = arg;
  return ts_tx_escalation_set(tx, w->grade, w->targets, w->n);
}

static void finish_tier(ts_req *r, int rc) {
  tier_write *w = r->wctx;
  if (rc)
    ts_reply_error(r, rc, "could not be saved", NULL);
  else
    ts_reply_json(r, 200, json_pack("{s:{s:s,s:O}}", "tier", "grade", w->grade, "targets",
                                    json_object_get(w->body, "targets")));
}

/* PUT /api/v1/config/escalation/{grade} {"targets": [...]} (admin): who must be involved. */
void ts_api_escalation_put(ts_req *r) {
  json_t *errors = json_object();
  tier_write *w = calloc(1, sizeof *w);
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_body(r, &w->body))
    goto out;
  if (ts_svc_escalation_prepare(ts_req_param(r, 0), w->body, w->targets, &w->n, errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  snprintf(w->grade, sizeof w->grade, "%s", ts_req_param(r, 0));
  ts_req_defer(r, apply_tier, w, tier_free, finish_tier);
  w = NULL;
out:
  tier_free(w);
  json_decref(errors);
}
