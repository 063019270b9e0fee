/* POST /api/v1/cases/{case_no}/actions/{action}: a lifecycle step. The rules are the
 * transition table of core/lifecycle.c; this file only gathers what they need from the
 * store (approval limits, the current proposal, the department and handler of an
 * assignment) and writes the result with its history in one transaction. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/caseno.h"
#include "core/lifecycle.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "svc/sla.h"
#include "svc/svc.h"
#include "util/clock.h"

#define FOLLOW_UP_HOURS 24 /* DOMAIN §5: the follow-up visit falls due 24 h after resolution */

typedef struct {
  char case_no[TS_CASENO_MAX];
  ts_api_caller me; /* initialised in place: never copy the struct */
  int action;
  json_t *body;
  int64_t now;
  ts_approval_limit limits[TS_ROLE__COUNT];
  int nlimits;
  int64_t dept;        /* assign */
  int64_t hr_threshold; /* resolve: the HR-review threshold (cents) */
  const char *handler; /* assign, borrowed from body */
  /* results */
  ts_action_result res;
  json_t *errors;
  ts_case *after;
} action_write;

static void aw_free(void *p) {
  action_write *w = p;
  if (!w)
    return;
  json_decref(w->body);
  json_decref(w->errors);
  json_decref(w->res.allowed);
  ts_case_free(w->after);
  free(w);
}

int ts_api_history_follow_up(ts_tx *tx, int64_t case_id, int64_t now, const char *who,
                             json_t *changes, json_t *body, int reopened) {
  const char *action = ts_transitions[TS_ACT_FOLLOW_UP].name;
  if (!reopened)
    return ts_tx_history_add(tx, case_id, now, who, action, changes);
  /* the low score itself reopened the case: two entries, so the reopening is seen; the
   * follow-up's own record goes in the first, since the reopening clears it on the case */
  json_t *fu = json_pack("{s:O?,s:O?,s:O?,s:s}", "satisfaction", json_object_get(body, "satisfaction"),
                         "method", json_object_get(body, "method"), "comment",
                         json_object_get(body, "comment"), "by", who);
  if (fu)
    json_object_set_new(changes, "follow_up", json_pack("[n,o]", fu));
  json_t *reopen = json_pack("{s:[n,s]}", "reason", "满意度低，自动重新打开 (dissatisfied at follow-up)");
  int rc = reopen ? ts_tx_history_add(tx, case_id, now, who, action, changes) : TS_ERR_NOMEM;
  if (!rc)
    rc = ts_tx_history_add(tx, case_id, now, who, "reopen", reopen);
  json_decref(reopen);
  return rc;
}

static int apply_action(ts_tx *tx, void *arg) {
  action_write *w = arg;
  ts_case *cur = NULL;
  json_t *changes = NULL;
  ts_solution items[TS_SOLUTIONS_MAX];
  const char *options[TS_SOLUTIONS_MAX + 1];
  int n = 0, nopt = 0;
  /* an earlier run of this write may have left results (see ts_apply_fn) */
  ts_case_free(w->after);
  w->after = NULL;
  json_decref(w->res.allowed);
  memset(&w->res, 0, sizeof w->res);
  json_object_clear(w->errors);

  int rc = ts_api_tx_case(tx, w->case_no, &w->me.p, &cur);
  if (rc)
    return rc;
  /* what the rules need from the current proposal */
  if ((rc = ts_tx_solutions_get(tx, cur->id, ts_case_int(cur, TS_CF_PROPOSAL_NO), items,
                                TS_SOLUTIONS_MAX, &n)))
    goto out;
  for (int i = 0; i < n; i++) {
    int seen = 0;
    for (int k = 0; k < nopt; k++)
      seen |= strcmp(options[k], items[i].option) == 0;
    if (items[i].option[0] && !seen)
      options[nopt++] = items[i].option;
  }
  options[nopt] = NULL;
  int64_t improvements = 0;
  if (w->action == TS_ACT_CLOSE && (rc = ts_tx_improvement_count(tx, cur->id, &improvements)))
    goto out;
  ts_action_ctx ctx = {&w->me.p,     w->now,  w->limits,       w->nlimits, ts_solutions_cost(items, n),
                       options,     FOLLOW_UP_HOURS, (int)improvements};
  if (!(w->after = ts_case_dup(cur))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  if ((rc = ts_lifecycle_apply(w->after, w->action, w->body, &ctx, &w->res, w->errors)))
    goto out;
  if (w->action == TS_ACT_ASSIGN) {
    /* a new department without a named handler: the old department's handler goes */
    if (!w->handler && ts_case_int(cur, TS_CF_DEPT) != w->dept)
      ts_case_clear(w->after, TS_CF_HANDLER);
    ts_case_set_int(w->after, TS_CF_DEPT, w->dept);
    if (w->handler && (rc = ts_case_set_text(w->after, TS_CF_HANDLER, w->handler)))
      goto out;
  }
  int booked = w->action == TS_ACT_RESOLVE && ts_case_int(w->after, TS_CF_CONSENT);
  if (booked)
    ts_solutions_book(w->after, items, n, ts_case_text(w->after, TS_CF_CHOSEN_OPTION));
  if ((rc = ts_svc_case_grade(tx, w->after, w->now)))
    goto out;
  ts_case_set_int(w->after, TS_CF_UPDATED_AT, w->now);
  if ((rc = ts_tx_case_update(tx, w->after)))
    goto out;
  if (w->action == TS_ACT_PROPOSE &&
      (rc = ts_tx_solutions_add(tx, cur->id, ts_case_int(w->after, TS_CF_PROPOSAL_NO),
                                w->res.items, w->res.nitems, w->me.username, w->now)))
    goto out;
  /* the clocks hear of it (DOMAIN §5); a low score that reopened the case says so too */
  {
    /* a resolution the customer refused is no resolution: the clocks hear nothing */
    int refused = w->action == TS_ACT_RESOLVE && w->res.to != TS_ST_RESOLVED;
    const char *events[2] = {refused ? "resolve_refused" : ts_transitions[w->action].name, "reopen"};
    int nev = w->res.reopened && w->action != TS_ACT_REOPEN ? 2 : 1;
    if ((rc = ts_svc_sla_case(tx, cur, w->after, events, nev, w->now)))
      goto out;
  }
  if (!(changes = ts_case_diff(cur, w->after))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  /* what the history should also show: the proposal's items, the note, the reason */
  if (w->action == TS_ACT_PROPOSE)
    json_object_set_new(changes, "solutions",
                        json_pack("[n,O]", json_object_get(w->body, "solutions")));
  static const char *const extra[] = {"note", "reason", NULL};
  for (const char *const *k = extra; *k; k++) {
    json_t *v = json_object_get(w->body, *k);
    if (json_is_string(v) && !json_object_get(changes, *k))
      json_object_set_new(changes, *k, json_pack("[n,O]", v));
  }
  const char *action = ts_transitions[w->action].name;
  if (booked && ts_case_loss_total(w->after) != ts_case_loss_total(cur)) {
    /* the losses grew: the HR-review threshold may be passed (as after a PATCH) */
    int added;
    if ((rc = ts_svc_hr_review(tx, w->after, w->hr_threshold, w->me.username, w->now, &added)))
      goto out;
  }
  if (w->action == TS_ACT_FOLLOW_UP)
    rc = ts_api_history_follow_up(tx, cur->id, w->now, w->me.username, changes, w->body,
                                  w->res.reopened);
  else
    rc = ts_tx_history_add(tx, cur->id, w->now, w->me.username, action, changes);
out:
  json_decref(changes);
  ts_case_free(cur);
  return rc;
}

static void finish_action(ts_req *r, int rc) {
  action_write *w = r->wctx;
  const char *name = ts_transitions[w->action].name;
  switch (rc) {
  case TS_OK:
    ts_api_reply_case(r, 200, w->after);
    return;
  case TS_ERR_CONFLICT:
    ts_reply_error(r, rc, "this action is not allowed in the case's present state",
                   json_pack("{s:s,s:s?,s:O}", "action", name, "status",
                             ts_state_name(w->res.from), "allowed",
                             w->res.allowed ? w->res.allowed : json_array()));
    return;
  case TS_ERR_FORBIDDEN:
    if (w->res.needed_role)
      ts_reply_error(r, rc, "the solution's cost or the case's grade is beyond your approval authority",
                     json_pack("{s:s,s:s}", "action", name, "required_role",
                               ts_role_name(w->res.needed_role)));
    else if (w->action == TS_ACT_APPROVE && w->res.from == TS_ST_PROPOSED &&
             (r->user.roles & TS_ROLE_ADMIN))
      ts_reply_error(r, rc, "administrators do not approve solutions",
                     json_pack("{s:s}", "action", name));
    else
      ts_reply_error(r, rc, "your role may not take this action", json_pack("{s:s}", "action", name));
    return;
  case TS_ERR_INVALID:
    ts_api_invalid(r, json_incref(w->errors));
    return;
  default:
    ts_reply_error(r, rc, rc == TS_ERR_NOT_FOUND ? "no such case" : "the action could not be saved",
                   NULL);
  }
}

void ts_api_case_action(ts_req *r) {
  action_write *w = calloc(1, sizeof *w);
  ts_case *c = NULL;
  json_t *errors = NULL;
  if (!w || !(w->errors = json_object())) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if ((w->action = ts_action_parse(ts_req_param(r, 1))) < 0) {
    json_t *names = json_array();
    for (int i = 0; names && i < TS_ACT__COUNT; i++)
      json_array_append_new(names, json_string(ts_transitions[i].name));
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such action", json_pack("{s:o}", "actions", names));
    goto out;
  }
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c))
    goto out;
  /* A body is optional for actions that need nothing. */
  if (r->body_len == 0) {
    w->body = json_object();
  } else if (ts_api_body(r, &w->body)) {
    goto out;
  }
  snprintf(w->case_no, sizeof w->case_no, "%s", ts_case_text(c, TS_CF_CASE_NO));
  ts_api_caller_init(&w->me, r);
  w->now = ts_now();
  w->hr_threshold = ts_store_setting_int(r->app->store, "hr_review_threshold_cents", 50000000);
  if (w->action == TS_ACT_APPROVE &&
      ts_store_approval_limits(r->app->store, w->limits, TS_ROLE__COUNT, &w->nlimits)) {
    ts_reply_error(r, TS_ERR_STORE, "cannot read the approval limits", NULL);
    goto out;
  }
  int state = ts_state_parse(ts_case_text(c, TS_CF_STATUS));
  const ts_transition *t = &ts_transitions[TS_ACT_ASSIGN];
  if (w->action == TS_ACT_ASSIGN && state >= 0 && (t->from & (1u << state)) &&
      (t->roles & r->user.roles)) {
    /* the department must be one; the handler an active user (checked here, against
     * the store; the transition table checks the rest inside the write, which is also
     * where an assign in the wrong state or by the wrong role is refused first) */
    errors = json_object();
    json_t *dept = json_object_get(w->body, "dept");
    ts_unit u;
    if (dept && (!json_is_integer(dept) || json_integer_value(dept) <= 0 ||
                 ts_store_unit_get(r->app->store, json_integer_value(dept), &u) ||
                 strcmp(u.kind, "department") != 0))
      json_object_set_new(errors, "dept", json_string("must be the id of a department"));
    else if (dept)
      w->dept = json_integer_value(dept);
    if (!dept && ts_case_has(c, TS_CF_DEPT)) {
      w->dept = ts_case_int(c, TS_CF_DEPT); /* a new handler in the same department */
    } else if (!dept && !json_object_get(errors, "dept")) {
      /* no department named nor set: the routing rules decide, as at registration */
      if (ts_store_route(r->app->store, ts_case_text(c, TS_CF_CATEGORY),
                         ts_case_int(c, TS_CF_OUTLET), &w->dept) != TS_OK)
        json_object_set_new(errors, "dept",
                            json_string("no routing rule matches this case: name the department"));
    }
    /* the handler: an active user who works cases in that department */
    json_t *h = json_object_get(w->body, "handler");
    ts_user hu;
    ts_unit du;
    if (h && !json_is_null(h)) {
      if (!json_is_string(h) || !ts_ident_ok(json_string_value(h), 64) ||
          ts_store_user_get(r->app->store, json_string_value(h), &hu, NULL, 0) || hu.disabled)
        json_object_set_new(errors, "handler", json_string("is not an active user"));
      else if (w->dept && (ts_store_unit_get(r->app->store, w->dept, &du) ||
                           !ts_api_works_in(&hu, &du)))
        json_object_set_new(errors, "handler",
                            json_string("does not work cases in that department"));
      else
        w->handler = json_string_value(h);
    }
    if (json_object_size(errors)) {
      ts_api_invalid(r, errors);
      errors = NULL;
      goto out;
    }
  }
  ts_req_defer(r, apply_action, w, aw_free, finish_action);
  w = NULL;
out:
  json_decref(errors);
  ts_case_free(c);
  aw_free(w);
}
