#include "svc/sla.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/letter.h"
#include "core/lifecycle.h"
#include "core/perm.h"
#include "core/ts_err.h"
#include "util/tstime.h"

#define SUPERVISORS (TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER)
#define TIER_PEOPLE (TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER | TS_ROLE_GENERAL_MANAGER)
#define PEOPLE_MAX 16

/* "2026-11-22 09:30" in the organisation's zone, or "" for 0. */
static void friendly_time(int64_t t, char out[TS_TIME_MAX]) {
  out[0] = '\0';
  if (t && ts_time_format(t, out, TS_TIME_MAX) == TS_OK) {
    out[10] = ' ';
    out[16] = '\0';
  }
}

static json_t *rfc3339(int64_t t) {
  char buf[TS_TIME_MAX];
  return t && ts_time_format(t, buf, sizeof buf) == TS_OK ? json_string(buf) : json_null();
}

static void set_time(json_t *o, const char *key, int64_t t) {
  char buf[TS_TIME_MAX];
  friendly_time(t, buf);
  json_object_set_new(o, key, json_string(buf));
}

json_t *ts_svc_letter_vars(ts_tx *tx, const ts_case *c, int64_t now) {
  ts_clock ks[TS_SLA_CLOCKS_MAX];
  int n = 0;
  int64_t answer_due = 0;
  ts_unit root;
  char today[11] = "";
  json_t *v = json_object();
  if (!v)
    return NULL;
  const ts_sla_rules *r = NULL;
  if (c->id && ts_tx_clocks_get(tx, c->id, ks, TS_SLA_CLOCKS_MAX, &n) == TS_OK)
    for (int i = 0; i < n; i++) {
      if (strcmp(ks[i].name, "resolve"))
        continue;
      answer_due = ks[i].due_at; /* the latest run of the resolution clock */
      if (ks[i].state == TS_CLK_PAUSED && ts_tx_sla_rules(tx, &r) == TS_OK) {
        /* on hold: the answer is due as if it went on now */
        int64_t left = ks[i].duration - ks[i].used;
        if (!ks[i].working)
          answer_due = now + left;
        else if (ts_cal_add(&r->cal, now, left, &answer_due))
          answer_due = 0;
      }
    }
  const char *title = ts_case_text(c, TS_CF_TITLE);
  static const struct {
    const char *var;
    int field;
  } texts[] = {{"case_no", TS_CF_CASE_NO},      {"customer_name", TS_CF_C_NAME},
               {"grade", TS_CF_GRADE},          {"status", TS_CF_STATUS},
               {"reply", TS_CF_REPLY},          {"summary", TS_CF_SUMMARY},
               {"pending_reason", TS_CF_PENDING_REASON}, {"handler", TS_CF_HANDLER},
               {"owner", TS_CF_OWNER}};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    const char *t = ts_case_text(c, texts[i].field);
    json_object_set_new(v, texts[i].var, json_string(t ? t : ""));
  }
  json_object_set_new(v, "title", json_string(title ? title : ""));
  set_time(v, "received_at", ts_case_int(c, TS_CF_RECEIVED_AT));
  set_time(v, "registered_at", ts_case_int(c, TS_CF_REGISTERED_AT));
  set_time(v, "accepted_at", ts_case_has(c, TS_CF_ACCEPTED_AT) ? ts_case_int(c, TS_CF_ACCEPTED_AT)
                                                               : ts_case_int(c, TS_CF_REGISTERED_AT));
  set_time(v, "answer_due", answer_due);
  ts_time_local_date(now, today);
  json_object_set_new(v, "today", json_string(today));
  if (ts_case_int(c, TS_CF_OUTLET) &&
      ts_tx_unit_up(tx, ts_case_int(c, TS_CF_OUTLET), 64, &root) == TS_OK)
    json_object_set_new(v, "org_name", json_string(root.name));
  else
    json_object_set_new(v, "org_name", json_string(""));
  return v;
}

int ts_svc_letter_render(ts_tx *tx, const ts_case *c, const char *code, const char *lang,
                         json_t *extra, int64_t now, char **subject, char **text) {
  char *tsub = NULL, *tbody = NULL;
  json_t *vars = NULL;
  int rc = ts_tx_letter_get(tx, code, lang, &tsub, &tbody);
  *subject = *text = NULL;
  if (rc)
    goto out;
  if (!(vars = ts_svc_letter_vars(tx, c, now))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  if (!ts_case_text(c, TS_CF_TITLE)) /* no title: the letter still reads */
    json_object_set_new(vars, "title", json_string(strcmp(lang, "en") ? "您反映的问题" : "your complaint"));
  if (extra)
    json_object_update(vars, extra);
  if ((rc = ts_letter_render(tsub, vars, 0, subject)) || (rc = ts_letter_render(tbody, vars, 0, text))) {
    free(*subject);
    *subject = NULL;
  }
out:
  free(tsub);
  free(tbody);
  json_decref(vars);
  return rc;
}

/* ---- warnings and breaches --------------------------------------------------------------- */

typedef struct {
  char user[65];   /* "" when the clock is a department's */
  int64_t unit;    /* where the holder works (the case's department for "dept") */
} holder;

static void find_holder(ts_tx *tx, const ts_clock_def *d, const ts_case *c, holder *h) {
  const char *who = NULL;
  ts_user u;
  memset(h, 0, sizeof *h);
  if (d && !strcmp(d->holder, "handler"))
    who = ts_case_text(c, TS_CF_HANDLER);
  if (!who && (!d || strcmp(d->holder, "dept")))
    who = ts_case_text(c, TS_CF_OWNER);
  if (who) {
    snprintf(h->user, sizeof h->user, "%s", who);
    if (ts_tx_user_get(tx, who, &u) == TS_OK)
      h->unit = u.unit_id;
  }
  if (!h->unit)
    h->unit = ts_case_int(c, TS_CF_DEPT) ? ts_case_int(c, TS_CF_DEPT) : ts_case_int(c, TS_CF_OUTLET);
}

/* Adds name to the recipients unless it is there. */
static void add_person(char (*people)[65], int *n, const char *name) {
  for (int i = 0; i < *n; i++)
    if (!strcmp(people[i], name))
      return;
  if (*n < PEOPLE_MAX && name[0])
    snprintf(people[(*n)++], 65, "%.64s", name);
}

static int notify_clock(ts_tx *tx, const ts_case *c, const ts_clock *k, const ts_clock_def *d,
                        const char *what, char (*people)[65], int npeople, json_t *extra,
                        int64_t now) {
  char event[96], *subject = NULL, *text = NULL;
  const char *list[PEOPLE_MAX];
  char due[TS_TIME_MAX];
  int rc;
  snprintf(event, sizeof event, "clock:%lld:%s", (long long)k->id, what);
  friendly_time(k->due_at, due);
  json_object_set_new(extra, "clock_name", json_string(d ? d->text_zh : k->name));
  json_object_set_new(extra, "due_at", json_string(due));
  if ((rc = ts_svc_letter_render(tx, c, !strcmp(what, "warn") ? "sla_warning" : "sla_breach", "zh",
                                 extra, now, &subject, &text)))
    return rc;
  for (int i = 0; i < npeople; i++)
    list[i] = people[i];
  json_t *payload = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:O}", "event", event, "kind",
                              !strcmp(what, "warn") ? "sla_warning" : "sla_breach", "case_no",
                              ts_case_text(c, TS_CF_CASE_NO), "clock", k->name, "due_at",
                              rfc3339(k->due_at), "at", rfc3339(now),
                              "details", extra);
  ts_notice nt = {event, !strcmp(what, "warn") ? "sla_warning" : "sla_breach", c->id, subject, text,
                  NULL, list, npeople, NULL, payload, now};
  rc = payload ? ts_tx_notify(tx, &nt, NULL) : TS_ERR_NOMEM;
  json_decref(payload);
  free(subject);
  free(text);
  return rc;
}

/* 80 %: the holder and their supervisors are warned. */
static int on_warn(ts_tx *tx, const ts_case *c, const ts_clock *k, const ts_clock_def *d,
                   int64_t now) {
  char people[PEOPLE_MAX][65], sup[PEOPLE_MAX][65];
  int n = 0, ns = 0, rc;
  int64_t at;
  holder h;
  find_holder(tx, d, c, &h);
  add_person(people, &n, h.user);
  if (h.unit && (rc = ts_tx_unit_people(tx, h.unit, SUPERVISORS, sup, PEOPLE_MAX, &ns, &at)))
    return rc;
  for (int i = 0; i < ns; i++)
    add_person(people, &n, sup[i]);
  json_t *extra = json_pack("{s:s}", "holder", h.user[0] ? h.user : "部门");
  rc = extra ? notify_clock(tx, c, k, d, "warn", people, n, extra, now) : TS_ERR_NOMEM;
  json_decref(extra);
  return rc;
}

/* 100 %: overdue, one tier up the organisation, the tier told, the delay recorded. */
static int on_breach(ts_tx *tx, ts_case *c, const ts_clock *k, const ts_clock_def *d,
                     int64_t now) {
  char people[PEOPLE_MAX][65], tier[PEOPLE_MAX][65];
  int n = 0, nt = 0, rc;
  int64_t at = 0;
  holder h;
  ts_unit up;
  json_t *changes = NULL, *extra = NULL;
  find_holder(tx, d, c, &h);
  if ((rc = ts_tx_delay_add(tx, c->id, k, h.user, h.unit, now)))
    return rc;
  int64_t base = ts_case_int(c, TS_CF_DEPT) ? ts_case_int(c, TS_CF_DEPT) : ts_case_int(c, TS_CF_OUTLET);
  int level = (int)ts_case_int(c, TS_CF_SLA_LEVEL) + 1;
  const char *tier_name = "";
  if (base && ts_tx_unit_up(tx, base, level, &up) == TS_OK) {
    if ((rc = ts_tx_unit_people(tx, up.id, TIER_PEOPLE, tier, PEOPLE_MAX, &nt, &at)))
      return rc;
    tier_name = up.name;
  }
  int was_overdue = (int)ts_case_int(c, TS_CF_OVERDUE);
  int64_t was_to = ts_case_int(c, TS_CF_ESCALATED_TO);
  ts_case_set_int(c, TS_CF_OVERDUE, 1);
  ts_case_set_int(c, TS_CF_SLA_LEVEL, level);
  if (at || (base && up.id))
    ts_case_set_int(c, TS_CF_ESCALATED_TO, at ? at : up.id);
  ts_case_set_int(c, TS_CF_UPDATED_AT, now);
  if ((rc = ts_tx_case_update(tx, c)))
    return rc;
  char due[TS_TIME_MAX];
  friendly_time(k->due_at, due);
  changes = json_pack("{s:[n,s],s:[n,s],s:[b,b],s:[i,i],s:[o,o]}", "clock", k->name, "due_at", due,
                      "overdue", was_overdue, 1, "sla_level", level - 1, level, "escalated_to",
                      was_to ? json_integer(was_to) : json_null(),
                      ts_case_has(c, TS_CF_ESCALATED_TO) ? json_integer(ts_case_int(c, TS_CF_ESCALATED_TO)) : json_null());
  if (!changes)
    return TS_ERR_NOMEM;
  rc = ts_tx_history_add(tx, c->id, now, "system", "overdue", changes);
  json_decref(changes);
  if (rc)
    return rc;
  add_person(people, &n, h.user);
  if (!h.user[0] && h.unit) {
    /* a department's clock: its supervisors and managers hold it */
    char held[PEOPLE_MAX][65];
    int nh = 0;
    int64_t where;
    if ((rc = ts_tx_unit_people(tx, h.unit, SUPERVISORS, held, PEOPLE_MAX, &nh, &where)))
      return rc;
    for (int i = 0; i < nh; i++)
      add_person(people, &n, held[i]);
  }
  for (int i = 0; i < nt; i++)
    add_person(people, &n, tier[i]);
  extra = json_pack("{s:s,s:s}", "holder", h.user[0] ? h.user : "部门", "escalated_to", tier_name);
  rc = extra ? notify_clock(tx, c, k, d, "breach", people, n, extra, now) : TS_ERR_NOMEM;
  json_decref(extra);
  return rc;
}

/* The clocks' states as read, to tell afterwards whether an outcome changed. */
typedef struct {
  int state[TS_SLA_CLOCKS_MAX];
  int n;
} clock_states;

static void states_of(const ts_clock *ks, int n, clock_states *out) {
  out->n = n;
  for (int i = 0; i < n && i < TS_SLA_CLOCKS_MAX; i++)
    out->state[i] = ks[i].state;
}

/* Writes the changed clocks and carries out what they fired; was: their states as read. */
static int settle(ts_tx *tx, ts_case *c, const ts_sla_rules *r, ts_clock *ks, int n,
                  const clock_states *was, int64_t now) {
  int rc = TS_OK, outcomes = n != was->n;
  for (int i = 0; i < n && i < was->n && !outcomes; i++)
    outcomes = ks[i].state != was->state[i];
  for (int i = 0; i < n && !rc; i++) {
    ts_clock *k = &ks[i];
    unsigned fire = k->fire;
    if (!k->changed)
      continue;
    k->fire = 0;
    if ((rc = ts_tx_clock_put(tx, c->id, k)))
      break;
    ts_sla_ctx x = {r->defs, r->ndefs, &r->cal, r->warn_pct, NULL, 1};
    const ts_clock_def *d = ts_sla_def(&x, k->name);
    if (fire & TS_FIRE_BREACH)
      rc = on_breach(tx, c, k, d, now);
    else if (fire & TS_FIRE_WARN)
      rc = on_warn(tx, c, k, d, now);
  }
  /* the report's copy of the outcomes: once for all the clocks written above, and only when
   * a clock started or an outcome changed (not for a warning) */
  if (!rc && outcomes)
    rc = ts_tx_case_sla_clocks(tx, c->id);
  return rc;
}

static ts_sla_ctx ctx_for(const ts_sla_rules *r, const ts_case *c) {
  ts_sla_ctx x = {r->defs, r->ndefs, &r->cal, r->warn_pct, ts_case_text(c, TS_CF_CHANNEL),
                  ts_grade_level(ts_case_text(c, TS_CF_GRADE))};
  return x;
}

int ts_svc_sla_case(ts_tx *tx, const ts_case *before, ts_case *c, const char *const *events,
                    int n, int64_t now) {
  const ts_sla_rules *r;
  ts_clock ks[TS_SLA_CLOCKS_MAX];
  int nk = 0, rc;
  clock_states was;
  if ((rc = ts_tx_sla_rules(tx, &r)) || (rc = ts_tx_clocks_get(tx, c->id, ks, TS_SLA_CLOCKS_MAX, &nk)))
    return rc;
  states_of(ks, nk, &was);
  ts_sla_ctx x = ctx_for(r, c);
  const char *g0 = before ? ts_case_text(before, TS_CF_GRADE) : NULL;
  const char *g1 = ts_case_text(c, TS_CF_GRADE);
  if (g0 && g1 && strcmp(g0, g1) && (rc = ts_sla_regrade(&x, ks, nk, now)))
    return rc;
  for (int i = 0; i < n && !rc; i++) {
    int64_t at = !strcmp(events[i], "received") ? ts_case_int(c, TS_CF_RECEIVED_AT) : now;
    rc = ts_sla_event(&x, events[i], at, now, ks, &nk, TS_SLA_CLOCKS_MAX);
  }
  return rc ? rc : settle(tx, c, r, ks, nk, &was, now);
}

int ts_svc_sla_case_due(ts_tx *tx, const char *case_no, int64_t now) {
  const ts_sla_rules *r;
  ts_clock ks[TS_SLA_CLOCKS_MAX];
  ts_case *c = NULL;
  int nk = 0;
  int rc = ts_tx_case_get(tx, case_no, &c);
  if (!rc && !(rc = ts_tx_sla_rules(tx, &r)) &&
      !(rc = ts_tx_clocks_get(tx, c->id, ks, TS_SLA_CLOCKS_MAX, &nk))) {
    clock_states was;
    states_of(ks, nk, &was);
    ts_sla_ctx x = ctx_for(r, c);
    for (int i = 0; i < nk; i++) {
      if (ts_sla_def(&x, ks[i].name))
        ts_sla_advance(&ks[i], now);
      else
        ts_sla_retire(&ks[i], now); /* its rule was deactivated: it no longer counts */
    }
    rc = settle(tx, c, r, ks, nk, &was, now);
  }
  ts_case_free(c);
  return rc;
}

int ts_svc_letter_send(ts_tx *tx, ts_case *c, const char *code, const char *lang, const char *to,
                       const char *actor, int64_t now, const char *key) {
  char *subject = NULL, *text = NULL, *html = NULL, event[160], ev[80];
  json_t *changes = NULL;
  int rc = ts_svc_letter_render(tx, c, code, lang, NULL, now, &subject, &text);
  if (rc)
    return rc;
  if ((rc = ts_letter_text_to_html(subject, text, &html)))
    goto out;
  snprintf(event, sizeof event, "letter:%s:%s:%s", ts_case_text(c, TS_CF_CASE_NO), code,
           key ? key : "once");
  ts_notice nt = {event, "letter", c->id, subject, text, html, NULL, 0, to, NULL, now};
  if ((rc = ts_tx_notify(tx, &nt, NULL)))
    goto out;
  if (!(changes = json_pack("{s:[n,{s:s,s:s,s:s,s:s}]}", "letters", "template", code, "lang", lang,
                            "to", to, "subject", subject))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  if ((rc = ts_tx_history_add(tx, c->id, now, actor, "letter", changes)))
    goto out;
  snprintf(ev, sizeof ev, "letter:%s", code);
  const char *events[] = {ev};
  rc = ts_svc_sla_case(tx, NULL, c, events, 1, now);
out:
  json_decref(changes);
  free(subject);
  free(text);
  free(html);
  return rc;
}

int ts_svc_escalation_notify(ts_tx *tx, const ts_case *c, int level, const ts_people *people,
                             int64_t now) {
  char event[96], *subject = NULL, *text = NULL;
  const char *list[TS_PEOPLE_MAX];
  json_t *reasons = ts_case_field_json(c, TS_CF_GRADE_REASONS), *extra = NULL, *payload = NULL;
  const char *reason = "";
  int rc;
  if (!people || people->n == 0) {
    json_decref(reasons);
    return TS_OK;
  }
  /* the last reason is the one that raised the grade */
  if (json_is_array(reasons) && json_array_size(reasons))
    reason = json_string_value(json_object_get(json_array_get(reasons, json_array_size(reasons) - 1), "text"));
  snprintf(event, sizeof event, "tier:%s:g%d", ts_case_text(c, TS_CF_CASE_NO), level);
  extra = json_pack("{s:s}", "reason", reason ? reason : "");
  rc = extra ? ts_svc_letter_render(tx, c, "escalation", "zh", extra, now, &subject, &text) : TS_ERR_NOMEM;
  if (!rc) {
    for (int i = 0; i < people->n; i++)
      list[i] = people->names[i];
    payload = json_pack("{s:s,s:s,s:s,s:s,s:o}", "event", event, "kind", "escalation", "case_no",
                        ts_case_text(c, TS_CF_CASE_NO), "grade", ts_case_text(c, TS_CF_GRADE), "at",
                        rfc3339(now));
    ts_notice nt = {event, "escalation", c->id, subject, text, NULL, list, people->n, NULL, payload, now};
    rc = payload ? ts_tx_notify(tx, &nt, NULL) : TS_ERR_NOMEM;
  }
  json_decref(reasons);
  json_decref(extra);
  json_decref(payload);
  free(subject);
  free(text);
  return rc;
}
