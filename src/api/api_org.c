/* The organisation tree (admin writes, everyone reads). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "svc/svc.h"
#include "util/clock.h"

void ts_api_units_list(ts_req *r) {
  ts_unit *units;
  size_t n;
  if (ts_store_unit_list(r->app->store, &units, &n)) {
    ts_reply_error(r, TS_ERR_STORE, "cannot list units", NULL);
    return;
  }
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++)
    json_array_append_new(arr, ts_api_unit_json(&units[i]));
  free(units);
  ts_api_reply_list(r, arr);
}

static int unit_id_param(ts_req *r, int64_t *id) {
  return ts_api_parse_int(ts_req_param(r, 0), 1, INT64_MAX / 2, id);
}

void ts_api_units_get(ts_req *r) {
  ts_unit u;
  int64_t id;
  if (!unit_id_param(r, &id) || ts_store_unit_get(r->app->store, id, &u))
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such unit", NULL);
  else
    ts_reply_json(r, 200, json_pack("{s:o}", "unit", ts_api_unit_json(&u)));
}

/* GET /api/v1/org/units/{id}/assignees: who may be named handler of a case in that
 * department (the rule of `assign`), without the directory's e-mail addresses, so that
 * agents, who may not read the directory, can pick one. */
void ts_api_units_assignees(ts_req *r) {
  ts_unit u;
  ts_user *users = NULL;
  size_t n = 0;
  int64_t id;
  if (!unit_id_param(r, &id) || ts_store_unit_get(r->app->store, id, &u)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such unit", NULL);
    return;
  }
  if (strcmp(u.kind, "department")) {
    ts_reply_error(r, TS_ERR_INVALID, "only a department has assignees",
                   json_pack("{s:s}", "id", "must be the id of a department"));
    return;
  }
  if (ts_store_user_list(r->app->store, &users, &n)) {
    ts_reply_error(r, TS_ERR_STORE, "cannot list users", NULL);
    return;
  }
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++) {
    if (!ts_api_works_in(&users[i], &u))
      continue;
    json_t *j = ts_api_user_json(&users[i]);
    if (j)
      json_object_del(j, "email");
    json_array_append_new(arr, j);
  }
  free(users);
  ts_api_reply_list(r, arr);
}

typedef struct {
  ts_unit u;
} unit_write;

static int apply_create(ts_tx *tx, void *arg) {
  unit_write *w = arg;
  w->u.created_at = ts_now();
  return ts_tx_unit_insert(tx, &w->u);
}

static int apply_update(ts_tx *tx, void *arg) { return ts_tx_unit_update(tx, &((unit_write *)arg)->u); }

static void finish_unit(ts_req *r, int rc) {
  unit_write *w = r->wctx;
  ts_unit u;
  if (rc == TS_ERR_CONFLICT)
    ts_reply_error(r, rc, "a unit with that code exists, or a second company", NULL);
  else if (rc)
    ts_reply_error(r, rc, "the unit could not be saved", NULL);
  else if (ts_store_unit_get(r->app->store, w->u.id, &u))
    ts_reply_error(r, TS_ERR_STORE, "saved, but cannot be read back", NULL);
  else
    ts_reply_json(r, strcmp(r->method, "POST") == 0 ? 201 : 200,
                  json_pack("{s:o}", "unit", ts_api_unit_json(&u)));
}

void ts_api_units_create(ts_req *r) {
  json_t *body = NULL, *errors = json_object();
  unit_write *w = calloc(1, sizeof *w);
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_body(r, &body))
    goto out;
  if (ts_svc_unit_prepare(r->app->store, body, &w->u, errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  ts_req_defer(r, apply_create, w, free, finish_unit);
  w = NULL;
out:
  free(w);
  json_decref(body);
  json_decref(errors);
}

void ts_api_units_patch(ts_req *r) {
  static const char *const keys[] = {"name", "code", NULL};
  json_t *body = NULL, *errors = json_object();
  unit_write *w = calloc(1, sizeof *w);
  int64_t id;
  const char *name, *code;
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (!unit_id_param(r, &id) || ts_store_unit_get(r->app->store, id, &w->u)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such unit", NULL);
    goto out;
  }
  if (ts_api_body(r, &body))
    goto out;
  ts_api_check_keys(body, keys, errors);
  ts_api_get_text(body, "name", 0, 100, 0, errors, &name);
  ts_api_get_text(body, "code", 0, 32, 0, errors, &code);
  if (code && !ts_code_ok(code, 32, 0))
    json_object_set_new(errors, "code", json_string("must be 1-32 of A-Z 0-9 _ -"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  if (name)
    snprintf(w->u.name, sizeof w->u.name, "%s", name);
  if (code)
    snprintf(w->u.code, sizeof w->u.code, "%s", code);
  ts_req_defer(r, apply_update, w, free, finish_unit);
  w = NULL;
out:
  free(w);
  json_decref(body);
  json_decref(errors);
}
