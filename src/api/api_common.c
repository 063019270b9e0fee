#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "util/clock.h"
#include "core/caseno.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "util/tstime.h"

int ts_api_body(ts_req *r, json_t **out) {
  json_error_t err;
  if (!r->body || r->body_len == 0) {
    ts_reply_error_status(r, 400, "malformed_json", "a JSON body is required", NULL);
    return 1;
  }
  if (!ts_utf8_valid(r->body, r->body_len)) {
    ts_reply_error_status(r, 400, "invalid_utf8", "the body is not valid UTF-8", NULL);
    return 1;
  }
  json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
  if (!j) {
    ts_reply_error_status(r, 400, "malformed_json", "the body is not valid JSON",
                          json_pack("{s:s,s:i,s:i}", "reason", err.text, "line", err.line,
                                    "column", err.column));
    return 1;
  }
  if (!json_is_object(j)) {
    json_decref(j);
    ts_reply_error_status(r, 400, "malformed_json", "the body must be a JSON object", NULL);
    return 1;
  }
  *out = j;
  return 0;
}

void ts_api_invalid(ts_req *r, json_t *errors) {
  ts_reply_error(r, TS_ERR_INVALID, "some fields are invalid", errors);
}

int ts_api_check_keys(json_t *obj, const char *const *allowed, json_t *errors) {
  const char *key;
  json_t *v;
  int n = 0;
  json_object_foreach(obj, key, v) {
    int ok = 0;
    for (const char *const *a = allowed; *a; a++)
      if (strcmp(*a, key) == 0)
        ok = 1;
    if (!ok) {
      json_object_set_new(errors, strlen(key) <= 64 ? key : "(long key)",
                          json_string("unknown field"));
      n++;
    }
  }
  return n;
}

int ts_api_get_text(json_t *obj, const char *key, int required, size_t max, int multiline,
                    json_t *errors, const char **out) {
  json_t *v = json_object_get(obj, key);
  *out = NULL;
  if (!v || json_is_null(v)) {
    if (required) {
      json_object_set_new(errors, key, json_string("is required"));
      return 1;
    }
    return 0;
  }
  const char *s = json_string_value(v);
  const char *why = NULL;
  if (!s)
    why = "must be a string";
  else if (!*s)
    why = "must not be empty";
  else if (!ts_text_clean(s, multiline))
    why = "must not contain control characters";
  else if (ts_utf8_len(s) > max)
    why = "too long";
  if (why) {
    json_object_set_new(errors, key, json_string(why));
    return 1;
  }
  *out = s;
  return 0;
}

int ts_api_query(ts_req *r, const char *key, size_t max, const char **out) {
  const char *v = ts_req_query(r, key);
  *out = NULL;
  if (!v)
    return 0;
  if (!ts_utf8_valid(v, strlen(v))) {
    ts_reply_error_status(r, 400, "invalid_utf8", "a query value is not valid UTF-8",
                          json_pack("{s:s}", "parameter", key));
    return 1;
  }
  if (strlen(v) > max) {
    ts_reply_error(r, TS_ERR_INVALID, "some fields are invalid",
                   json_pack("{s:s}", key, "is too long"));
    return 1;
  }
  *out = v;
  return 0;
}

typedef struct {
  const char *const *allowed;
  const char *bad;
} qk_ctx;

static enum MHD_Result qk_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value) {
  qk_ctx *c = cls;
  (void)kind;
  (void)value;
  for (const char *const *a = c->allowed; *a; a++)
    if (strcmp(*a, key) == 0)
      return MHD_YES;
  c->bad = key;
  return MHD_NO;
}

int ts_api_query_keys(ts_req *r, const char *const *allowed) {
  qk_ctx c = {allowed, NULL};
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, qk_iter, &c);
  if (c.bad) {
    json_t *d = json_object();
    if (ts_utf8_valid(c.bad, strlen(c.bad)) && strlen(c.bad) <= 64)
      json_object_set_new(d, "parameter", json_string(c.bad));
    ts_reply_error_status(r, 400, "unknown_parameter", "unknown query parameter", d);
    return 1;
  }
  return 0;
}

int ts_api_case_check(ts_req *r, const char *case_no, ts_case **out) {
  ts_case *c = NULL;
  ts_scope scope;
  int rc = ts_caseno_parse(case_no, NULL, 0, NULL, NULL, NULL) ? TS_ERR_NOT_FOUND
                                                                : ts_store_case_get(r->app->store, case_no, &c);
  if (!rc) {
    ts_scope_for(&r->who, &scope);
    if (!ts_scope_allows(&scope, c->outlet_path, c->dept_path, ts_case_text(c, TS_CF_OWNER),
                         ts_case_text(c, TS_CF_HANDLER))) {
      ts_case_free(c);
      rc = TS_ERR_NOT_FOUND;
    }
  }
  if (!rc)
    *out = c;
  return rc;
}

int ts_api_case_visible(ts_req *r, const char *case_no, ts_case **out) {
  int rc = ts_api_case_check(r, case_no, out);
  if (rc) {
    ts_reply_error(r, rc, rc == TS_ERR_NOT_FOUND ? "no such case" : "cannot read the case",
                   NULL);
    return 1;
  }
  return 0;
}

json_t *ts_api_time_json(int64_t t) {
  char buf[TS_TIME_MAX];
  if (!t || ts_time_format(t, buf, sizeof buf) != TS_OK)
    return json_null();
  return json_string(buf);
}

json_t *ts_api_user_json(const ts_user *u) {
  json_t *roles = json_array();
  for (int i = 0; i < TS_ROLE__COUNT; i++)
    if (u->roles & (1u << i))
      json_array_append_new(roles, json_string(ts_role_name(1u << i)));
  return json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:b,s:o}", "id", (json_int_t)u->id, "username",
                   u->username, "display_name", u->display_name, "email", u->email, "roles",
                   roles, "unit", u->unit_id ? json_integer(u->unit_id) : json_null(),
                   "disabled", u->disabled, "created_at", ts_api_time_json(u->created_at));
}

int ts_api_works_in(const ts_user *u, const ts_unit *dept) {
  return !u->disabled && ts_path_under(u->unit_path, dept->path) &&
         (u->roles & (TS_ROLE_HANDLER | TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER));
}

json_t *ts_api_unit_json(const ts_unit *u) {
  return json_pack("{s:I,s:o,s:s,s:s,s:o,s:s,s:o}", "id", (json_int_t)u->id, "code",
                   u->code[0] ? json_string(u->code) : json_null(), "name", u->name, "kind",
                   u->kind, "parent", u->parent_id ? json_integer(u->parent_id) : json_null(),
                   "path", u->path, "created_at", ts_api_time_json(u->created_at));
}

int ts_api_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out) {
  int64_t v = 0;
  if (!s || !*s || strlen(s) > 18)
    return 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9')
      return 0;
    v = v * 10 + (*p - '0');
  }
  if (v < lo || v > hi)
    return 0;
  *out = v;
  return 1;
}

int ts_api_page_params(ts_req *r, int *page, int *per_page, json_t *errors) {
  const char *v;
  int64_t n;
  *page = 1;
  *per_page = 50;
  if (ts_api_query(r, "page", 12, &v))
    return 1;
  if (v && !ts_api_parse_int(v, 1, 1000000, &n))
    json_object_set_new(errors, "page", json_string("must be a whole number from 1"));
  else if (v)
    *page = (int)n;
  if (ts_api_query(r, "per_page", 12, &v))
    return 1;
  if (v && !ts_api_parse_int(v, 1, 500, &n))
    json_object_set_new(errors, "per_page", json_string("must be a whole number from 1 to 500"));
  else if (v)
    *per_page = (int)n;
  return 0;
}

void ts_api_reply_page(ts_req *r, json_t *items) {
  json_t *errors = json_object(), *slice = json_array();
  int page, per_page;
  if (!errors || !slice) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_page_params(r, &page, &per_page, errors))
    goto out;
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  size_t total = json_array_size(items);
  size_t from = (size_t)(page - 1) * (size_t)per_page;
  for (size_t i = from; i < total && i < from + (size_t)per_page; i++)
    json_array_append(slice, json_array_get(items, i));
  ts_reply_json(r, 200, json_pack("{s:o,s:I,s:i,s:i}", "items", slice, "total",
                                  (json_int_t)total, "page", page, "per_page", per_page));
  slice = NULL;
out:
  json_decref(slice);
  json_decref(errors);
  json_decref(items);
}

void ts_api_reply_list(ts_req *r, json_t *items) {
  static const char *const keys[] = {"page", "per_page", NULL};
  if (ts_api_query_keys(r, keys)) {
    json_decref(items);
    return;
  }
  ts_api_reply_page(r, items);
}

void ts_api_case_items(ts_req *r, int (*fn)(ts_store *, int64_t, json_t **)) {
  ts_case *c;
  json_t *items;
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c))
    return;
  if (fn(r->app->store, c->id, &items))
    ts_reply_error(r, TS_ERR_STORE, "cannot read", NULL);
  else
    ts_api_reply_list(r, items);
  ts_case_free(c);
}

int ts_api_tx_case(ts_tx *tx, const char *case_no, const ts_principal *who, ts_case **out) {
  ts_case *c;
  ts_scope scope;
  int rc = ts_tx_case_get(tx, case_no, &c);
  if (rc)
    return rc;
  ts_scope_for(who, &scope);
  if (!ts_scope_allows(&scope, c->outlet_path, c->dept_path, ts_case_text(c, TS_CF_OWNER),
                       ts_case_text(c, TS_CF_HANDLER))) {
    ts_case_free(c);
    return TS_ERR_NOT_FOUND;
  }
  *out = c;
  return TS_OK;
}

void ts_api_caller_init(ts_api_caller *me, const ts_req *r) {
  snprintf(me->username, sizeof me->username, "%s", r->user.username);
  snprintf(me->unit_path, sizeof me->unit_path, "%s", r->user.unit_path);
  me->p = r->who;
  me->p.username = me->username;
  me->p.unit_path = me->unit_path;
}

int ts_api_submit(ts_req *r, json_t **errors, ts_apply_fn apply, void *w, void (*wfree)(void *),
                  void (*finish)(ts_req *r, int rc)) {
  if (*errors && json_object_size(*errors)) {
    ts_api_invalid(r, *errors);
    *errors = NULL;
    return 0;
  }
  ts_req_defer(r, apply, w, wfree, finish);
  return 1;
}

void *ts_api_op_new(ts_req *r, size_t size, void (*clear)(void *self)) {
  ts_api_op *o = size >= sizeof *o ? calloc(1, size) : NULL;
  if (!o) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    return NULL;
  }
  ts_api_caller_init(&o->me, r);
  o->now = ts_now();
  o->status = 200;
  o->clear = clear;
  return o;
}

void ts_api_op_free(void *self) {
  ts_api_op *o = self;
  if (!o)
    return;
  if (o->clear)
    o->clear(o);
  json_decref(o->body);
  json_decref(o->reply);
  free(o);
}

void ts_api_op_finish(ts_req *r, int rc) {
  ts_api_op *o = r->wctx;
  if (rc)
    ts_reply_error(r, rc, o->why ? o->why : rc == TS_ERR_NOT_FOUND ? "no such thing" : "could not be saved",
                   NULL);
  else
    ts_reply_json(r, o->status, json_incref(o->reply ? o->reply : json_object()));
}
