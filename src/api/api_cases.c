/* Cases: register, read, list, change fields, history, notes, contacts, promises. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "search/query.h"
#include "core/caseno.h"
#include "core/lifecycle.h"
#include "core/psychology.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "svc/sla.h"
#include "svc/svc.h"
#include "util/clock.h"
#include "util/tstime.h"

#define FUTURE_SLACK 300 /* seconds a client clock may run ahead */

/* A write on one case: the handler fills what it parsed; apply fills the result. */
typedef struct {
  ts_app *app;
  ts_api_caller me; /* initialised in place: never copy the struct */
  char case_no[TS_CASENO_MAX];
  int64_t now;
  ts_case *c;     /* register: the new case; patch: the changes */
  ts_case *after; /* the case after the write */
  json_t *item;   /* notes/contacts/promises: the body, then the created item */
  char *changes;  /* register: the history entry, prepared on the HTTP thread */
  int64_t hr_threshold; /* patch: the HR-review threshold in cents */
  int64_t item_id;
  const char *why; /* for a 409 */
} case_write;

/* Fills w in place (its principal points into w itself, so w must not be copied). */
static void cw_init(case_write *w, ts_req *r) {
  w->app = r->app;
  ts_api_caller_init(&w->me, r);
  w->now = ts_now();
}

static case_write *cw_new(ts_req *r) {
  case_write *w = calloc(1, sizeof *w);
  if (w)
    cw_init(w, r);
  return w;
}

static void cw_free(void *p) {
  case_write *w = p;
  if (!w)
    return;
  ts_case_free(w->c);
  ts_case_free(w->after);
  json_decref(w->item);
  free(w->changes);
  free(w);
}

static int is_closed(const ts_case *c) {
  const char *st = ts_case_text(c, TS_CF_STATUS);
  return st && (!strcmp(st, "closed") || !strcmp(st, "rejected") || !strcmp(st, "withdrawn"));
}

json_t *ts_api_case_json(ts_req *r, const ts_case *c, int full) {
  ts_store *s = r->app->store;
  json_t *j = ts_case_to_json(c);
  enum { N = 7 };
  json_t *lists[N] = {NULL};
  static const char *const names[N] = {"notes", "contacts", "promises", "evidence",
                                       "solutions", "improvements", "penalties"};
  if (!j)
    return NULL;
  json_object_set_new(j, "allowed_actions",
                      ts_lifecycle_allowed(ts_state_parse(ts_case_text(c, TS_CF_STATUS)),
                                           r->user.roles));
  json_t *clocks = NULL;
  if (ts_store_clock_list(s, c->id, ts_now(), &clocks)) {
    json_decref(j);
    return NULL;
  }
  json_object_set_new(j, "clocks", clocks);
  if (!full)
    return j;
  if (ts_store_note_list(s, c->id, &lists[0]) || ts_store_contact_list(s, c->id, &lists[1]) ||
      ts_store_promise_list(s, c->id, &lists[2]) || ts_store_evidence_list(s, c->id, &lists[3]) ||
      ts_store_solutions_list(s, c->id, ts_case_int(c, TS_CF_PROPOSAL_NO), &lists[4]) ||
      ts_store_improvement_list(s, c->id, &lists[5]) || ts_store_penalty_list(s, c->id, &lists[6])) {
    for (int i = 0; i < N; i++)
      json_decref(lists[i]);
    json_decref(j);
    return NULL;
  }
  for (int i = 0; i < N; i++)
    json_object_set_new(j, names[i], lists[i]);
  /* the handling advice for each psychology tag on the case (DOMAIN §8) */
  json_t *advice = json_array(), *tags = json_object_get(j, "psychology");
  size_t k;
  json_t *tag;
  json_array_foreach(tags, k, tag) {
    const ts_psychology *p = ts_psychology_find(json_string_value(tag));
    if (p)
      json_array_append_new(advice, json_pack("{s:s,s:s,s:s,s:s,s:s}", "tag", p->tag, "name_zh",
                                              p->name_zh, "name_en", p->name_en, "advice_zh",
                                              p->advice_zh, "advice_en", p->advice_en));
  }
  json_object_set_new(j, "psychology_advice", advice);
  return j;
}

void ts_api_reply_case(ts_req *r, int status, const ts_case *c) {
  json_t *j = ts_api_case_json(r, c, status != 201);
  if (!j)
    ts_reply_error(r, TS_ERR_STORE, "cannot read the case", NULL);
  else
    ts_reply_json(r, status, json_pack("{s:o}", "case", j));
}

/* ---- register ------------------------------------------------------------------------- */

static int apply_register(ts_tx *tx, void *arg) {
  case_write *w = arg;
  return ts_svc_case_insert(tx, w->c, w->app->case_prefix, w->me.username, w->now, w->changes);
}

static void finish_register(ts_req *r, int rc) {
  case_write *w = r->wctx;
  if (rc) {
    ts_reply_error(r, rc, "the case could not be registered", NULL);
    return;
  }
  ts_api_reply_case(r, 201, w->c);
}

void ts_api_cases_create(ts_req *r) {
  json_t *body = NULL, *errors = json_object();
  case_write *w = cw_new(r);
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_body(r, &body))
    goto out;
  int rc = ts_svc_case_prepare(r->app->store, &r->user, body, w->now, &w->c, errors);
  if (rc == TS_ERR_INVALID) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  if (rc) {
    ts_reply_error(r, rc, rc == TS_ERR_FORBIDDEN ? "you may not register cases for that outlet"
                                                 : "the case could not be registered", NULL);
    goto out;
  }
  if (!(w->changes = ts_svc_case_register_changes(w->c))) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  ts_req_defer(r, apply_register, w, cw_free, finish_register);
  w = NULL;
out:
  json_decref(body);
  json_decref(errors);
  cw_free(w);
}

/* ---- read ---------------------------------------------------------------------------- */

void ts_api_cases_get(ts_req *r) {
  ts_case *c;
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c))
    return;
  ts_api_reply_case(r, 200, c);
  ts_case_free(c);
}

void ts_api_cases_history(ts_req *r) {
  ts_case *c;
  json_t *items;
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c))
    return;
  if (ts_store_history_list(r->app->store, c->id, &items))
    ts_reply_error(r, TS_ERR_STORE, "cannot read the history", NULL);
  else
    ts_reply_json(r, 200, json_pack("{s:s,s:o,s:I}", "case_no", ts_case_text(c, TS_CF_CASE_NO),
                                    "items", items, "total", (json_int_t)json_array_size(items)));
  ts_case_free(c);
}

/* ---- list ---------------------------------------------------------------------------- */

/* Checks a comma list: each item in vals (if given) or a lower-case code. */
static int check_list(const char *v, const char *const *vals) {
  char item[65];
  int count = 0;
  const char *p = v;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (n == 0 || n >= sizeof item || ++count > TS_FILTER_LIST_MAX)
      return 0;
    memcpy(item, p, n);
    item[n] = '\0';
    if (vals ? !ts_enum_has(vals, item) : !ts_code_ok(item, 64, 1))
      return 0;
    if (!comma)
      return 1;
    p = comma + 1;
  }
}


/* A time bound: RFC 3339, or a date (its midnight in the organisation's zone; for an
 * upper bound the next midnight, so `to=2026-11-30` includes that day). */
static int parse_bound(const char *s, int upper, int64_t *out) {
  if (ts_time_parse(s, out) == TS_OK)
    return 1;
  if (!ts_date_ok(s))
    return 0;
  char buf[40];
  int64_t t;
  snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
  if (ts_time_parse(buf, &t) != TS_OK)
    return 0;
  /* shift from UTC midnight to the zone's midnight */
  char fmt[TS_TIME_MAX];
  if (ts_time_format(t, fmt, sizeof fmt) != TS_OK)
    return 0;
  int sign = fmt[19] == '-' ? -1 : 1;
  int64_t off = sign * (((fmt[20] - '0') * 10 + (fmt[21] - '0')) * 3600 +
                        ((fmt[23] - '0') * 10 + (fmt[24] - '0')) * 60);
  *out = t - off + (upper ? 86400 : 0);
  return 1;
}

static const char *const list_keys[] = {"page", "per_page", "status", "grade", "category",
                                        "channel", "outlet", "dept", "owner", "handler",
                                        "overdue", "from", "to", "q", "sort", NULL};

/* The list's filters (API.md) from the query string into f; problems go into errors.
 * q becomes f->match through the full-text query syntax (search/query.h), written into
 * match[matchsz]. Returns non-zero when it replied (400) itself. */
int ts_api_case_filter(ts_req *r, ts_case_filter *f, json_t *errors, char *match, size_t matchsz) {
  const char *v;
  static const struct {
    const char *key;
    const char *const *vals;
    size_t off;
  } lists[] = {
    {"status", ts_enum_status, offsetof(ts_case_filter, status)},
    {"grade", ts_enum_grade, offsetof(ts_case_filter, grade)},
    {"category", NULL, offsetof(ts_case_filter, category)},
    {"channel", NULL, offsetof(ts_case_filter, channel)},
  };
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
    if (ts_api_query(r, lists[i].key, 1100, &v))
      return 1;
    if (v && !check_list(v, lists[i].vals))
      json_object_set_new(errors, lists[i].key, json_string("has a value that is not allowed"));
    else
      *(const char **)((char *)f + lists[i].off) = v;
  }
  if (ts_api_query(r, "outlet", 20, &v))
    return 1;
  if (v && !ts_api_parse_int(v, 1, INT64_MAX / 2, &f->outlet))
    json_object_set_new(errors, "outlet", json_string("must be a unit id"));
  if (ts_api_query(r, "dept", 20, &v))
    return 1;
  if (v && !ts_api_parse_int(v, 1, INT64_MAX / 2, &f->dept))
    json_object_set_new(errors, "dept", json_string("must be a unit id"));
  if (ts_api_query(r, "owner", 64, &f->owner) || ts_api_query(r, "handler", 64, &f->handler))
    return 1;
  if (f->owner && !ts_ident_ok(f->owner, 64))
    json_object_set_new(errors, "owner", json_string("must be a username"));
  if (f->handler && !ts_ident_ok(f->handler, 64))
    json_object_set_new(errors, "handler", json_string("must be a username"));
  if (ts_api_query(r, "overdue", 8, &v))
    return 1;
  if (v && strcmp(v, "true") && strcmp(v, "false"))
    json_object_set_new(errors, "overdue", json_string("must be true or false"));
  else if (v)
    f->overdue = strcmp(v, "true") == 0;
  if (ts_api_query(r, "from", 40, &v))
    return 1;
  if (v && !parse_bound(v, 0, &f->from))
    json_object_set_new(errors, "from", json_string("must be an RFC 3339 time or a date"));
  if (ts_api_query(r, "to", 40, &v))
    return 1;
  if (v && !parse_bound(v, 1, &f->to))
    json_object_set_new(errors, "to", json_string("must be an RFC 3339 time or a date"));
  if (ts_api_query(r, "q", 1024, &f->q))
    return 1;
  if (f->q) {
    const char *why = NULL;
    int rc = ts_api_search_match(f->q, TS_SQUERY_CASES, match, matchsz, &why);
    if (rc == TS_ERR_INVALID)
      json_object_set_new(errors, "q", json_string(why));
    else if (rc)
      json_object_set_new(errors, "q", json_string("cannot be searched now"));
    else
      f->match = match;
  }
  ts_scope_for(&r->who, &f->scope);
  return 0;
}

void ts_api_cases_list(ts_req *r) {
  ts_case_filter f;
  json_t *errors = json_object();
  char match[TS_SQUERY_OUT];
  memset(&f, 0, sizeof f);
  f.overdue = -1;
  if (!errors || ts_api_query_keys(r, list_keys))
    goto out;
  if (ts_api_page_params(r, &f.page, &f.per_page, errors))
    goto out;
  if (ts_api_case_filter(r, &f, errors, match, sizeof match))
    goto out;
  /* sort=due: the work queue's order (GET /queue) under every filter of the list */
  const char *sort = NULL;
  if (ts_api_query(r, "sort", 8, &sort))
    goto out;
  if (sort && !strcmp(sort, "due"))
    f.by_due = 1;
  else if (sort && strcmp(sort, "newest"))
    json_object_set_new(errors, "sort", json_string("must be newest or due"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  ts_case **items = NULL;
  size_t count = 0;
  int64_t total = 0;
  int rc = ts_store_case_list(r->app->store, &f, &items, &count, &total);
  if (rc) {
    ts_reply_error(r, rc, "cannot list cases", NULL);
    goto out;
  }
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < count; i++) {
    json_t *c = ts_api_case_json(r, items[i], 0);
    if (c && TS_API_MASKED(r))
      ts_api_mask_case(c, 0);
    json_array_append_new(arr, c);
  }
  ts_case_list_free(items, count);
  ts_reply_json(r, 200, json_pack("{s:o,s:I,s:i,s:i}", "items", arr, "total", (json_int_t)total,
                                  "page", f.page, "per_page", f.per_page));
out:
  json_decref(errors);
}

/* ---- change fields ------------------------------------------------------------------- */

static int apply_patch(ts_tx *tx, void *arg) {
  case_write *w = arg;
  ts_case *cur = NULL;
  json_t *changes = NULL;
  ts_case_free(w->after); /* from an earlier run of this write (see ts_apply_fn) */
  w->after = NULL;
  w->why = NULL;
  int rc = ts_api_tx_case(tx, w->case_no, &w->me.p, &cur);
  if (rc)
    return rc;
  if (is_closed(cur)) {
    w->why = "the case is closed: its fields no longer change";
    rc = TS_ERR_CONFLICT;
    goto out;
  }
  if (!(w->after = ts_case_dup(cur)) || ts_case_merge(w->after, w->c)) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  if ((rc = ts_svc_case_grade(tx, w->after, w->now)))
    goto out;
  if (!(changes = ts_case_diff(cur, w->after))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  if (json_object_size(changes) == 0)
    goto out; /* nothing changed: nothing written */
  ts_case_set_int(w->after, TS_CF_UPDATED_AT, w->now);
  if ((rc = ts_tx_case_update(tx, w->after)))
    goto out;
  if ((rc = ts_tx_history_add(tx, cur->id, w->now, w->me.username, "update", changes)))
    goto out;
  /* the clocks: a regrade recomputes them; a site visit that became needed starts one */
  static const char *const visit[] = {"site_visit"};
  int needs_visit = ts_case_int(w->after, TS_CF_SITE_VISIT) && !ts_case_int(cur, TS_CF_SITE_VISIT);
  if ((rc = ts_svc_sla_case(tx, cur, w->after, visit, needs_visit, w->now)))
    goto out;
  /* losses or cause changed: the HR-review threshold may now be passed (DOMAIN §6) */
  int added;
  if (ts_case_loss_total(w->after) != ts_case_loss_total(cur) ||
      json_object_get(changes, "root_cause"))
    rc = ts_svc_hr_review(tx, w->after, w->hr_threshold, w->me.username, w->now, &added);
out:
  json_decref(changes);
  ts_case_free(cur);
  return rc;
}

static void finish_patch(ts_req *r, int rc) {
  case_write *w = r->wctx;
  if (rc == TS_ERR_CONFLICT && w->why)
    ts_reply_error(r, rc, w->why, NULL);
  else if (rc)
    ts_reply_error(r, rc, rc == TS_ERR_NOT_FOUND ? "no such case" : "the case could not be changed",
                   NULL);
  else
    ts_api_reply_case(r, 200, w->after);
}

void ts_api_cases_patch(ts_req *r) {
  json_t *body = NULL, *errors = json_object();
  case_write *w = cw_new(r);
  ts_case *c = NULL;
  ts_case_lookup lk = ts_svc_case_lookup(r->app->store);
  if (!w || !errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c) || ts_api_body(r, &body))
    goto out;
  snprintf(w->case_no, sizeof w->case_no, "%s", ts_case_text(c, TS_CF_CASE_NO));
  if (!(w->c = ts_case_new())) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (json_object_get(body, "status")) {
    json_object_del(body, "status");
    json_object_set_new(errors, "status",
                        json_string("changes only through /actions/{action}"));
  }
  if (ts_case_apply_json(w->c, body, TS_FF_PATCH, &lk, errors) == TS_ERR_NOMEM) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_case_has(w->c, TS_CF_RECEIVED_AT) &&
      ts_case_int(w->c, TS_CF_RECEIVED_AT) > w->now + FUTURE_SLACK)
    json_object_set_new(errors, "received_at", json_string("is in the future"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  w->hr_threshold = ts_store_setting_int(r->app->store, "hr_review_threshold_cents", 50000000);
  ts_req_defer(r, apply_patch, w, cw_free, finish_patch);
  w = NULL;
out:
  ts_case_free(c);
  json_decref(body);
  json_decref(errors);
  cw_free(w);
}

/* ---- notes, contacts, promises ------------------------------------------------------- */

typedef enum { ITEM_NOTE, ITEM_CONTACT, ITEM_PROMISE, ITEM_PROMISE_SETTLE, ITEM_NOTE_DELETE } item_kind;

typedef struct {
  case_write w;
  item_kind kind;
  const char *text, *method, *direction; /* borrowed from w.item */
  int64_t at, due_at;
  int kept;
  int unreached; /* contacts: an outbound attempt that did not reach the customer */
} item_write;

static void iw_free(void *p) { cw_free(p); }

/* An outbound contact tells the clocks: the customer was reached (first contact), could
 * not be reached (the longer limits apply), or was visited on site. */
static int contact_clocks(ts_tx *tx, const ts_case *cur, const item_write *iw) {
  ts_case *c = NULL;
  const char *events[2];
  int n = 0, rc = TS_OK;
  events[n++] = iw->unreached ? "unreachable" : "contact";
  if (!iw->unreached && !strcmp(iw->method, "visit"))
    events[n++] = "visit";
  /* the case as written now (an inbound contact may have regraded it; not here) */
  if ((rc = ts_tx_case_get(tx, ts_case_text(cur, TS_CF_CASE_NO), &c)))
    return rc;
  rc = ts_svc_sla_case(tx, NULL, c, events, n, iw->w.now);
  ts_case_free(c);
  return rc;
}

static int apply_item(ts_tx *tx, void *arg) {
  item_write *iw = arg;
  case_write *w = &iw->w;
  ts_case *cur = NULL;
  json_t *changes = NULL;
  const char *action = NULL;
  w->why = NULL;
  int rc = ts_api_tx_case(tx, w->case_no, &w->me.p, &cur);
  if (rc)
    return rc;
  switch (iw->kind) {
  case ITEM_NOTE:
    rc = ts_tx_note_add(tx, cur->id, w->now, w->me.username, iw->text, &w->item_id);
    action = "note";
    changes = json_pack("{s:[n,s]}", "notes", iw->text);
    break;
  case ITEM_CONTACT: {
    ts_contact ct = {iw->at, w->me.username, iw->method, iw->direction, iw->text, iw->unreached};
    rc = ts_tx_contact_add(tx, cur->id, &ct, &w->item_id);
    action = "contact";
    changes = json_pack("{s:[n,{s:s,s:s,s:s,s:b}]}", "contacts", "method", iw->method, "direction",
                        iw->direction, "summary", iw->text, "reached", !iw->unreached);
    break;
  }
  case ITEM_PROMISE: {
    ts_promise p;
    memset(&p, 0, sizeof p);
    p.case_id = cur->id;
    p.created_at = w->now;
    p.due_at = iw->due_at;
    snprintf(p.by, sizeof p.by, "%s", w->me.username);
    snprintf(p.promise, sizeof p.promise, "%s", iw->text);
    rc = ts_tx_promise_add(tx, &p);
    w->item_id = p.id;
    action = "promise";
    changes = json_pack("{s:[n,{s:s,s:o}]}", "promises", "promise", iw->text, "due_at",
                        ts_api_time_json(iw->due_at));
    break;
  }
  case ITEM_NOTE_DELETE: {
    /* Its author may take a note back (a wrong case, personal data written by mistake), as
     * may an administrator. The history keeps who wrote it when, never its text. */
    char author[65] = "", key[64];
    int64_t at = 0;
    if ((rc = ts_tx_note_delete(tx, cur->id, w->item_id, author, &at)))
      break;
    if (strcmp(author, w->me.username) && !(w->me.p.roles & TS_ROLE_ADMIN)) {
      w->why = "only its author or an administrator may delete a note";
      rc = TS_ERR_FORBIDDEN;
      break;
    }
    action = "note_deleted";
    snprintf(key, sizeof key, "notes.%lld", (long long)w->item_id);
    changes = json_pack("{s:[{s:s,s:o},n]}", key, "author", author, "at", ts_api_time_json(at));
    break;
  }
  case ITEM_PROMISE_SETTLE: {
    ts_promise p;
    char key[64];
    if ((rc = ts_tx_promise_get(tx, cur->id, w->item_id, &p)))
      break;
    if (p.kept >= 0) {
      w->why = "the promise is already settled";
      rc = TS_ERR_CONFLICT;
      break;
    }
    rc = ts_tx_promise_settle(tx, p.id, iw->kept, w->now);
    action = iw->kept ? "promise_kept" : "promise_broken";
    snprintf(key, sizeof key, "promises.%lld.kept", (long long)p.id);
    changes = json_pack("{s:[n,b]}", key, iw->kept);
    break;
  }
  }
  if (!rc && !changes)
    rc = TS_ERR_NOMEM;
  if (!rc && iw->kind == ITEM_CONTACT && !strcmp(iw->direction, "inbound")) {
    /* the customer came back: the grade may rise (raised twice without a result) */
    ts_case *after = ts_case_dup(cur);
    json_t *d = NULL;
    if (!after)
      rc = TS_ERR_NOMEM;
    if (!rc)
      rc = ts_svc_case_grade(tx, after, w->now);
    if (!rc && !(d = ts_case_diff(cur, after)))
      rc = TS_ERR_NOMEM;
    if (!rc && json_object_size(d)) {
      ts_case_set_int(after, TS_CF_UPDATED_AT, w->now);
      rc = ts_tx_case_update(tx, after);
      json_object_update(changes, d);
      if (!rc) /* a new grade: the open clocks follow it */
        rc = ts_svc_sla_case(tx, cur, after, NULL, 0, w->now);
    }
    json_decref(d);
    ts_case_free(after);
  }
  if (!rc)
    rc = ts_tx_history_add(tx, cur->id, w->now, w->me.username, action, changes);
  if (!rc && iw->kind == ITEM_CONTACT && !strcmp(iw->direction, "outbound"))
    rc = contact_clocks(tx, cur, iw);
  json_decref(changes);
  ts_case_free(cur);
  return rc;
}

static void finish_item(ts_req *r, int rc) {
  item_write *iw = r->wctx;
  json_t *list = NULL, *found = NULL, *it;
  size_t i;
  if (!rc && iw->kind == ITEM_NOTE_DELETE) {
    ts_reply_json(r, 200, json_pack("{s:{s:I,s:b}}", "note", "id", (json_int_t)iw->w.item_id,
                                    "deleted", 1));
    return;
  }
  if (rc) {
    if ((rc == TS_ERR_CONFLICT || rc == TS_ERR_FORBIDDEN) && iw->w.why)
      ts_reply_error(r, rc, iw->w.why, NULL);
    else
      ts_reply_error(r, rc, rc == TS_ERR_NOT_FOUND ? "not found" : "could not be saved", NULL);
    return;
  }
  /* Read the item back as it was stored. */
  ts_case *c = NULL;
  ts_store *s = r->app->store;
  if (ts_store_case_get(s, iw->w.case_no, &c) == TS_OK) {
    int64_t id = c->id;
    if (iw->kind == ITEM_NOTE)
      ts_store_note_list(s, id, &list);
    else if (iw->kind == ITEM_CONTACT)
      ts_store_contact_list(s, id, &list);
    else
      ts_store_promise_list(s, id, &list);
    ts_case_free(c);
  }
  json_array_foreach(list, i, it) {
    if (json_integer_value(json_object_get(it, "id")) == iw->w.item_id)
      found = it;
  }
  static const char *const names[] = {"note", "contact", "promise", "promise"};
  if (found)
    ts_reply_json(r, iw->kind == ITEM_PROMISE_SETTLE ? 200 : 201,
                  json_pack("{s:O}", names[iw->kind], found));
  else
    ts_reply_error(r, TS_ERR_STORE, "saved, but cannot be read back", NULL);
  json_decref(list);
}

/* Common start of an item write: the case must be visible and the body an object with
 * only `keys`. On failure it has replied and returns NULL; otherwise *body and *errors
 * (empty) are the caller's to hand to item_submit. */
static item_write *item_begin(ts_req *r, item_kind kind, const char *const *keys, json_t **body,
                              json_t **errors) {
  ts_case *c = NULL;
  item_write *iw = calloc(1, sizeof *iw);
  *body = NULL;
  *errors = json_object();
  if (!iw || !*errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto fail;
  }
  cw_init(&iw->w, r);
  iw->kind = kind;
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c) || ts_api_body(r, body))
    goto fail;
  snprintf(iw->w.case_no, sizeof iw->w.case_no, "%s", ts_case_text(c, TS_CF_CASE_NO));
  ts_case_free(c);
  iw->w.item = json_incref(*body);
  ts_api_check_keys(*body, keys, *errors);
  return iw;
fail:
  ts_case_free(c);
  free(iw);
  json_decref(*body);
  json_decref(*errors);
  return NULL;
}

/* Replies 422 if errors has anything, else queues the write. Takes body and errors. */
static void item_submit(ts_req *r, item_write *iw, json_t *body, json_t *errors) {
  json_decref(body); /* iw->w.item keeps it alive for the borrowed strings */
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    iw_free(iw);
    return;
  }
  json_decref(errors);
  ts_req_defer(r, apply_item, iw, iw_free, finish_item);
}

void ts_api_notes_create(ts_req *r) {
  static const char *const keys[] = {"text", NULL};
  json_t *body, *errors;
  item_write *iw = item_begin(r, ITEM_NOTE, keys, &body, &errors);
  if (!iw)
    return;
  ts_api_get_text(body, "text", 1, 5000, 1, errors, &iw->text);
  item_submit(r, iw, body, errors);
}

void ts_api_notes_delete(ts_req *r) {
  json_t *body = NULL, *errors = NULL;
  int64_t id;
  if (!ts_api_parse_int(ts_req_param(r, 1), 1, INT64_MAX / 2, &id)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such note", NULL);
    return;
  }
  item_write *iw = calloc(1, sizeof *iw);
  ts_case *c = NULL;
  if (!iw) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    return;
  }
  cw_init(&iw->w, r);
  iw->kind = ITEM_NOTE_DELETE;
  iw->w.item_id = id;
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c)) {
    iw_free(iw);
    return;
  }
  snprintf(iw->w.case_no, sizeof iw->w.case_no, "%s", ts_case_text(c, TS_CF_CASE_NO));
  ts_case_free(c);
  if (!(errors = json_object())) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    iw_free(iw);
    return;
  }
  item_submit(r, iw, body, errors);
}

static const char *const contact_methods[] = {"phone", "sms", "email", "wechat", "visit",
                                              "letter", "portal", NULL};
static const char *const contact_directions[] = {"inbound", "outbound", NULL};

void ts_api_contacts_create(ts_req *r) {
  static const char *const keys[] = {"at", "method", "direction", "summary", "reached", NULL};
  json_t *body, *errors;
  const char *at = NULL;
  item_write *iw = item_begin(r, ITEM_CONTACT, keys, &body, &errors);
  if (!iw)
    return;
  json_t *reached = json_object_get(body, "reached");
  if (reached && !json_is_boolean(reached))
    json_object_set_new(errors, "reached", json_string("must be true or false"));
  iw->unreached = json_is_false(reached);
  ts_api_get_text(body, "summary", 1, 5000, 1, errors, &iw->text);
  ts_api_get_text(body, "method", 1, 16, 0, errors, &iw->method);
  ts_api_get_text(body, "direction", 0, 16, 0, errors, &iw->direction);
  ts_api_get_text(body, "at", 0, 40, 0, errors, &at);
  if (iw->method && !ts_enum_has(contact_methods, iw->method))
    json_object_set_new(errors, "method", json_string("is not one of the allowed values"));
  if (!iw->direction)
    iw->direction = "outbound";
  else if (!ts_enum_has(contact_directions, iw->direction))
    json_object_set_new(errors, "direction", json_string("must be inbound or outbound"));
  iw->at = iw->w.now;
  if (at && (ts_time_parse(at, &iw->at) || iw->at > iw->w.now + FUTURE_SLACK))
    json_object_set_new(errors, "at", json_string("must be an RFC 3339 time, not in the future"));
  item_submit(r, iw, body, errors);
}

void ts_api_promises_create(ts_req *r) {
  static const char *const keys[] = {"promise", "due_at", NULL};
  json_t *body, *errors;
  const char *due = NULL;
  item_write *iw = item_begin(r, ITEM_PROMISE, keys, &body, &errors);
  if (!iw)
    return;
  ts_api_get_text(body, "promise", 1, 500, 1, errors, &iw->text);
  ts_api_get_text(body, "due_at", 1, 40, 0, errors, &due);
  if (due && ts_time_parse(due, &iw->due_at))
    json_object_set_new(errors, "due_at", json_string("must be an RFC 3339 time with offset"));
  item_submit(r, iw, body, errors);
}

void ts_api_promises_patch(ts_req *r) {
  static const char *const keys[] = {"kept", NULL};
  json_t *body, *errors;
  int64_t id;
  if (!ts_api_parse_int(ts_req_param(r, 1), 1, INT64_MAX / 2, &id)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such promise", NULL);
    return;
  }
  item_write *iw = item_begin(r, ITEM_PROMISE_SETTLE, keys, &body, &errors);
  if (!iw)
    return;
  iw->w.item_id = id;
  json_t *kept = json_object_get(body, "kept");
  if (!json_is_boolean(kept))
    json_object_set_new(errors, "kept", json_string("must be true or false"));
  iw->kept = json_is_true(kept);
  item_submit(r, iw, body, errors);
}


void ts_api_notes_list(ts_req *r) { ts_api_case_items(r, ts_store_note_list); }
void ts_api_contacts_list(ts_req *r) { ts_api_case_items(r, ts_store_contact_list); }
void ts_api_promises_list(ts_req *r) { ts_api_case_items(r, ts_store_promise_list); }
