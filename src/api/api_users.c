/* Users (admin): list, create, read, change. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/ts_err.h"
#include "svc/svc.h"
#include "util/clock.h"

typedef struct {
  ts_user u;
  char pwhash[TS_PWHASH_MAX];
  json_t *body; /* PATCH: the members to change */
  ts_store *store;
  const char *why;
} user_write;

static void uw_free(void *p) {
  user_write *w = p;
  if (!w)
    return;
  json_decref(w->body);
  free(w);
}

void ts_api_users_list(ts_req *r) {
  ts_user *users;
  size_t n;
  if (ts_store_user_list(r->app->store, &users, &n)) {
    ts_reply_error(r, TS_ERR_STORE, "cannot list users", NULL);
    return;
  }
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++)
    json_array_append_new(arr, ts_api_user_json(&users[i]));
  free(users);
  ts_api_reply_list(r, arr);
}

void ts_api_users_get(ts_req *r) {
  ts_user u;
  if (ts_store_user_get(r->app->store, ts_req_param(r, 0), &u, NULL, 0))
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such user", NULL);
  else
    ts_reply_json(r, 200, json_pack("{s:o}", "user", ts_api_user_json(&u)));
}

static int apply_create(ts_tx *tx, void *arg) {
  user_write *w = arg;
  w->u.created_at = ts_now();
  return ts_tx_user_insert(tx, &w->u, w->pwhash);
}

static void finish_user(ts_req *r, int rc) {
  user_write *w = r->wctx;
  ts_user u;
  if (rc == TS_ERR_CONFLICT)
    ts_reply_error(r, rc, w->why ? w->why : "that username is taken", NULL);
  else if (rc)
    ts_reply_error(r, rc, rc == TS_ERR_NOT_FOUND ? "no such user" : "the user could not be saved",
                   NULL);
  else if (ts_store_user_get(r->app->store, w->u.username, &u, NULL, 0))
    ts_reply_error(r, TS_ERR_STORE, "saved, but cannot be read back", NULL);
  else
    ts_reply_json(r, r->method[0] == 'P' && r->method[1] == 'O' ? 201 : 200,
                  json_pack("{s:o}", "user", ts_api_user_json(&u)));
}

void ts_api_users_create(ts_req *r) {
  json_t *body = NULL, *errors = json_object();
  user_write *w = calloc(1, sizeof *w);
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_body(r, &body))
    goto out;
  int rc = ts_svc_user_prepare(r->app->store, body, 1, &w->u, w->pwhash, errors);
  if (rc == TS_ERR_INVALID) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  if (rc) {
    ts_reply_error(r, rc, "the user could not be created", NULL);
    goto out;
  }
  ts_req_defer(r, apply_create, w, uw_free, finish_user);
  w = NULL;
out:
  uw_free(w);
  json_decref(body);
  json_decref(errors);
}

static int apply_patch(ts_tx *tx, void *arg) {
  user_write *w = arg;
  ts_user cur;
  int64_t admins = 0;
  char unused[TS_PWHASH_MAX];
  json_t *errors = json_object();
  int rc = ts_tx_user_get(tx, w->u.username, &cur);
  if (rc)
    goto out;
  /* Re-read inside the write, so two concurrent PATCHes cannot lose each other's change. */
  if ((rc = ts_svc_user_prepare(w->store, w->body, 0, &cur, unused, errors)))
    goto out;
  if ((rc = ts_tx_user_update(tx, &cur)) || (rc = ts_tx_admin_count(tx, &admins)))
    goto out;
  if (admins == 0) {
    w->why = "the last administrator cannot be disabled or lose the admin role";
    rc = TS_ERR_CONFLICT;
    goto out;
  }
  if (cur.disabled)
    rc = ts_tx_sessions_delete_user(tx, cur.id);
out:
  json_decref(errors);
  return rc;
}

void ts_api_users_patch(ts_req *r) {
  json_t *body = NULL, *errors = json_object();
  char unused[TS_PWHASH_MAX];
  user_write *w = calloc(1, sizeof *w);
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_store_user_get(r->app->store, ts_req_param(r, 0), &w->u, NULL, 0)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such user", NULL);
    goto out;
  }
  if (ts_api_body(r, &body))
    goto out;
  ts_user probe = w->u;
  if (ts_svc_user_prepare(r->app->store, body, 0, &probe, unused, errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  w->body = json_incref(body);
  w->store = r->app->store;
  ts_req_defer(r, apply_patch, w, uw_free, finish_user);
  w = NULL;
out:
  uw_free(w);
  json_decref(body);
  json_decref(errors);
}
