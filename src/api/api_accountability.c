/* Accountability (问责) and improvement actions (内部改进措施, CAPA) of a case, DOMAIN §6:
 * penalties per responsible person go proposed → approved → executed (or cancelled), and
 * an endpoint lists those never executed; improvement actions have an owner, a due date
 * and a status, and a case of grade g2 or above cannot close without one. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/caseno.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "util/clock.h"
#include "util/tstime.h"

static const char *const improvement_kinds[] = {"training", "process", "rule", "other", NULL};
static const char *const improvement_status[] = {"open", "done", "cancelled", NULL};
static const char *const penalty_kinds[] = {"notice", "fine", "performance_pay", "hr_review", NULL};

typedef enum { W_IMPROVEMENT_ADD, W_IMPROVEMENT_STATUS, W_PENALTY_ADD, W_PENALTY_MOVE } write_kind;

typedef struct {
  write_kind kind;
  char case_no[TS_CASENO_MAX];
  ts_api_caller me; /* initialised in place: never copy the struct */
  int64_t now;
  int64_t id;       /* the item to change */
  char status[12];  /* its new status */
  ts_improvement im;
  ts_penalty pen;
  const char *why;  /* a 409's message */
} acct_write;

static acct_write *aw_new(ts_req *r, write_kind kind) {
  acct_write *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->kind = kind;
  ts_api_caller_init(&w->me, r);
  w->now = ts_now();
  return w;
}

/* The penalty moves that may follow each status. */
static int penalty_move_ok(const char *from, const char *to) {
  if (!strcmp(to, "approved"))
    return !strcmp(from, "proposed");
  if (!strcmp(to, "executed"))
    return !strcmp(from, "approved");
  if (!strcmp(to, "cancelled"))
    return !strcmp(from, "proposed") || !strcmp(from, "approved");
  return 0;
}

static int apply_acct(ts_tx *tx, void *arg) {
  acct_write *w = arg;
  ts_case *c = NULL;
  json_t *changes = NULL;
  const char *action = NULL;
  char key[64];
  w->why = NULL;
  int rc = ts_api_tx_case(tx, w->case_no, &w->me.p, &c);
  if (rc)
    return rc;
  switch (w->kind) {
  case W_IMPROVEMENT_ADD:
    w->im.case_id = c->id;
    w->im.created_at = w->now;
    snprintf(w->im.created_by, sizeof w->im.created_by, "%s", w->me.username);
    rc = ts_tx_improvement_add(tx, &w->im);
    action = "improvement";
    changes = json_pack("{s:[n,{s:s,s:s,s:s,s:s}]}", "improvements", "kind", w->im.kind,
                        "description", w->im.description, "owner", w->im.owner, "due_on",
                        w->im.due_on);
    break;
  case W_IMPROVEMENT_STATUS: {
    ts_improvement cur;
    if ((rc = ts_tx_improvement_get(tx, c->id, w->id, &cur)))
      break;
    if (!strcmp(cur.status, w->status)) {
      w->why = "the improvement action already has that status";
      rc = TS_ERR_CONFLICT;
      break;
    }
    rc = ts_tx_improvement_set_status(tx, cur.id, w->status, w->now);
    action = "improvement_status";
    snprintf(key, sizeof key, "improvements.%lld.status", (long long)cur.id);
    changes = json_pack("{s:[s,s]}", key, cur.status, w->status);
    break;
  }
  case W_PENALTY_ADD:
    w->pen.case_id = c->id;
    w->pen.proposed_at = w->now;
    snprintf(w->pen.proposed_by, sizeof w->pen.proposed_by, "%s", w->me.username);
    rc = ts_tx_penalty_add(tx, &w->pen);
    action = "penalty_proposed";
    changes = json_pack("{s:[n,{s:s,s:s,s:s}]}", "penalties", "person", w->pen.person, "kind",
                        w->pen.kind, "reason", w->pen.reason);
    break;
  case W_PENALTY_MOVE: {
    ts_penalty cur;
    if ((rc = ts_tx_penalty_get(tx, c->id, w->id, &cur)))
      break;
    if (!penalty_move_ok(cur.status, w->status)) {
      w->why = "the penalty cannot take that step from its present status";
      rc = TS_ERR_CONFLICT;
      break;
    }
    if (!strcmp(w->status, "approved") && !strcmp(cur.proposed_by, w->me.username)) {
      w->why = "a penalty is approved by someone other than who proposed it";
      rc = TS_ERR_CONFLICT;
      break;
    }
    rc = ts_tx_penalty_set_status(tx, cur.id, w->status, w->me.username, w->now);
    action = !strcmp(w->status, "approved")   ? "penalty_approved"
             : !strcmp(w->status, "executed") ? "penalty_executed"
                                              : "penalty_cancelled";
    snprintf(key, sizeof key, "penalties.%lld.status", (long long)cur.id);
    changes = json_pack("{s:[s,s]}", key, cur.status, w->status);
    break;
  }
  }
  if (!rc && !changes)
    rc = TS_ERR_NOMEM;
  if (!rc)
    rc = ts_tx_history_add(tx, c->id, w->now, w->me.username, action, changes);
  json_decref(changes);
  ts_case_free(c);
  return rc;
}

/* Replies with the written item read back from its list. */
static void finish_acct(ts_req *r, int rc) {
  acct_write *w = r->wctx;
  if (rc) {
    if (rc == TS_ERR_CONFLICT && w->why)
      ts_reply_error(r, rc, w->why, NULL);
    else
      ts_reply_error(r, rc, rc == TS_ERR_NOT_FOUND ? "not found" : "could not be saved", NULL);
    return;
  }
  int is_improvement = w->kind == W_IMPROVEMENT_ADD || w->kind == W_IMPROVEMENT_STATUS;
  int64_t id = w->kind == W_IMPROVEMENT_ADD ? w->im.id : w->kind == W_PENALTY_ADD ? w->pen.id : w->id;
  ts_case *c = NULL;
  json_t *list = NULL, *found = NULL, *it;
  size_t i;
  if (ts_store_case_get(r->app->store, w->case_no, &c) == TS_OK) {
    if (is_improvement)
      ts_store_improvement_list(r->app->store, c->id, &list);
    else
      ts_store_penalty_list(r->app->store, c->id, &list);
    ts_case_free(c);
  }
  json_array_foreach(list, i, it) {
    if (json_integer_value(json_object_get(it, "id")) == id)
      found = it;
  }
  if (found)
    ts_reply_json(r, w->kind == W_IMPROVEMENT_ADD || w->kind == W_PENALTY_ADD ? 201 : 200,
                  json_pack("{s:O}", is_improvement ? "improvement" : "penalty", found));
  else
    ts_reply_error(r, TS_ERR_STORE, "saved, but cannot be read back", NULL);
  json_decref(list);
}

/* Common start: the case visible, the body an object with only `keys`. */
static acct_write *begin(ts_req *r, write_kind kind, const char *const *keys, json_t **body,
                         json_t **errors) {
  ts_case *c = NULL;
  acct_write *w = aw_new(r, kind);
  *body = NULL;
  *errors = json_object();
  if (!w || !*errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto fail;
  }
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c))
    goto fail;
  snprintf(w->case_no, sizeof w->case_no, "%s", ts_case_text(c, TS_CF_CASE_NO));
  ts_case_free(c);
  if (keys) {
    if (ts_api_body(r, body))
      goto fail;
    ts_api_check_keys(*body, keys, *errors);
  }
  return w;
fail:
  free(w);
  json_decref(*errors);
  *errors = NULL;
  return NULL;
}

static void submit(ts_req *r, acct_write *w, json_t *body, json_t *errors) {
  json_decref(body);
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    free(w);
    return;
  }
  json_decref(errors);
  ts_req_defer(r, apply_acct, w, free, finish_acct);
}

void ts_api_improvements_create(ts_req *r) {
  static const char *const keys[] = {"kind", "description", "owner", "due_on", NULL};
  json_t *body, *errors;
  const char *kind, *desc, *owner, *due;
  acct_write *w = begin(r, W_IMPROVEMENT_ADD, keys, &body, &errors);
  if (!w)
    return;
  ts_api_get_text(body, "kind", 1, 16, 0, errors, &kind);
  ts_api_get_text(body, "description", 1, 2000, 1, errors, &desc);
  ts_api_get_text(body, "owner", 1, 64, 0, errors, &owner);
  ts_api_get_text(body, "due_on", 1, 10, 0, errors, &due);
  ts_user u;
  if (kind && !ts_enum_has(improvement_kinds, kind))
    json_object_set_new(errors, "kind", json_string("must be training, process, rule or other"));
  if (owner && (!ts_ident_ok(owner, 64) ||
                ts_store_user_get(r->app->store, owner, &u, NULL, 0) || u.disabled))
    json_object_set_new(errors, "owner", json_string("is not an active user"));
  if (due && !ts_date_ok(due))
    json_object_set_new(errors, "due_on", json_string("must be a date YYYY-MM-DD"));
  if (!json_object_size(errors)) {
    snprintf(w->im.kind, sizeof w->im.kind, "%s", kind);
    snprintf(w->im.description, sizeof w->im.description, "%s", desc);
    snprintf(w->im.owner, sizeof w->im.owner, "%s", owner);
    snprintf(w->im.due_on, sizeof w->im.due_on, "%s", due);
  }
  submit(r, w, body, errors);
}

void ts_api_improvements_patch(ts_req *r) {
  static const char *const keys[] = {"status", NULL};
  json_t *body, *errors;
  const char *status;
  int64_t id;
  if (!ts_api_parse_int(ts_req_param(r, 1), 1, INT64_MAX / 2, &id)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such improvement action", NULL);
    return;
  }
  acct_write *w = begin(r, W_IMPROVEMENT_STATUS, keys, &body, &errors);
  if (!w)
    return;
  w->id = id;
  ts_api_get_text(body, "status", 1, 12, 0, errors, &status);
  if (status && !ts_enum_has(improvement_status, status))
    json_object_set_new(errors, "status", json_string("must be open, done or cancelled"));
  else if (status)
    snprintf(w->status, sizeof w->status, "%s", status);
  submit(r, w, body, errors);
}

void ts_api_penalties_create(ts_req *r) {
  static const char *const keys[] = {"person", "kind", "amount_cents", "share_pct", "reason", NULL};
  json_t *body, *errors;
  const char *person, *kind, *reason;
  acct_write *w = begin(r, W_PENALTY_ADD, keys, &body, &errors);
  if (!w)
    return;
  ts_api_get_text(body, "person", 1, 100, 0, errors, &person);
  ts_api_get_text(body, "kind", 1, 20, 0, errors, &kind);
  ts_api_get_text(body, "reason", 1, 2000, 1, errors, &reason);
  json_t *amt = json_object_get(body, "amount_cents"), *share = json_object_get(body, "share_pct");
  w->pen.amount_cents = -1;
  w->pen.share_pct = -1;
  if (kind && !ts_enum_has(penalty_kinds, kind))
    json_object_set_new(errors, "kind",
                        json_string("must be notice, fine, performance_pay or hr_review"));
  if (kind && !strcmp(kind, "fine")) {
    if (!json_is_integer(amt) || json_integer_value(amt) <= 0 || json_integer_value(amt) > TS_CENTS_MAX)
      json_object_set_new(errors, "amount_cents", json_string("a fine needs its amount in cents"));
    else
      w->pen.amount_cents = json_integer_value(amt);
  } else if (amt && !json_is_null(amt)) {
    json_object_set_new(errors, "amount_cents", json_string("only a fine has an amount"));
  }
  if (kind && !strcmp(kind, "performance_pay")) {
    if (!json_is_integer(share) || json_integer_value(share) < 1 || json_integer_value(share) > 100)
      json_object_set_new(errors, "share_pct",
                          json_string("the share of performance pay withheld, 1 to 100"));
    else
      w->pen.share_pct = (int)json_integer_value(share);
  } else if (share && !json_is_null(share)) {
    json_object_set_new(errors, "share_pct", json_string("only performance_pay has a share"));
  }
  if (!json_object_size(errors)) {
    snprintf(w->pen.person, sizeof w->pen.person, "%s", person);
    snprintf(w->pen.kind, sizeof w->pen.kind, "%s", kind);
    snprintf(w->pen.reason, sizeof w->pen.reason, "%s", reason);
  }
  submit(r, w, body, errors);
}

/* POST /cases/{}/penalties/{}/{approve|execute|cancel}: the penalty's next step. */
static void penalty_move(ts_req *r, const char *status) {
  json_t *body = NULL, *errors = NULL;
  int64_t id;
  if (!ts_api_parse_int(ts_req_param(r, 1), 1, INT64_MAX / 2, &id)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such penalty", NULL);
    return;
  }
  acct_write *w = begin(r, W_PENALTY_MOVE, NULL, &body, &errors);
  if (!w)
    return;
  w->id = id;
  snprintf(w->status, sizeof w->status, "%s", status);
  submit(r, w, body, errors);
}

void ts_api_penalty_approve(ts_req *r) { penalty_move(r, "approved"); }
void ts_api_penalty_execute(ts_req *r) { penalty_move(r, "executed"); }
void ts_api_penalty_cancel(ts_req *r) { penalty_move(r, "cancelled"); }

void ts_api_notices_list(ts_req *r) { ts_api_case_items(r, ts_store_notice_list); }
void ts_api_improvements_list(ts_req *r) { ts_api_case_items(r, ts_store_improvement_list); }
void ts_api_penalties_list(ts_req *r) { ts_api_case_items(r, ts_store_penalty_list); }

/* GET /api/v1/penalties/pending: proposed or approved, never executed (002's audit found
 * 25 such cases in a year, unnoticed). Only cases in the caller's place. */
void ts_api_penalties_pending(ts_req *r) {
  ts_scope scope;
  json_t *items;
  ts_scope_for(&r->who, &scope);
  if (ts_store_penalties_pending(r->app->store, &scope, &items))
    ts_reply_error(r, TS_ERR_STORE, "cannot read the penalties", NULL);
  else
    ts_api_reply_list(r, items);
}

/* GET /api/v1/accountability/root-causes: losses by root cause against the HR-review
 * threshold (DOMAIN §6: mandatory above it). */
void ts_api_root_causes(ts_req *r) {
  json_t *items;
  size_t i;
  json_t *it;
  int64_t threshold = ts_store_setting_int(r->app->store, "hr_review_threshold_cents", 50000000);
  if (ts_store_root_cause_losses(r->app->store, &items)) {
    ts_reply_error(r, TS_ERR_STORE, "cannot read the losses", NULL);
    return;
  }
  json_array_foreach(items, i, it) {
    json_object_set_new(it, "threshold_cents", json_integer(threshold));
    json_object_set_new(it, "hr_review_required",
                        json_boolean(json_integer_value(json_object_get(it, "loss_cents")) >= threshold));
  }
  ts_api_reply_list(r, items);
}
