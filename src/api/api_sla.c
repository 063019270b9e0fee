/* Time limits and what they cause (DOMAIN §5, §12): the working calendar, the clock rules,
 * the queue by nearest due time, the pending-items ledger, delays, in-app notifications,
 * the outbox and webhooks for admins, and letters. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/letter.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "jobs/jobs.h"
#include "svc/sla.h"
#include "svc/svc.h"
#include "util/clock.h"
#include "util/tstime.h"

/* One small write (ts_api_op) with what these handlers need. */
typedef struct {
  ts_api_op base;
  char date[16];     /* a calendar day's path parameter */
  unsigned weekdays;
  const char *text;  /* borrowed from the body */
  ts_calendar cal;   /* the working hours parsed */
  ts_cal_entry *days; /* calendar days parsed (owned) */
  int ndays;
  ts_clock_def def;
  int active, sort;
} op;

static void op_clear(void *self) { free(((op *)self)->days); }

/* ---- the calendar ----------------------------------------------------------------------- */

void ts_api_calendar_get(ts_req *r) {
  static const char *const keys[] = {"year", NULL};
  const char *y = NULL;
  int64_t year = 0;
  json_t *cal;
  if (ts_api_query_keys(r, keys) || ts_api_query(r, "year", 8, &y))
    return;
  if (y && !ts_api_parse_int(y, 1970, 9999, &year)) {
    ts_api_invalid(r, json_pack("{s:s}", "year", "must be a year"));
    return;
  }
  int rc = ts_store_calendar_json(r->app->store, (int)year, &cal);
  if (rc)
    ts_reply_error(r, rc, "cannot read the calendar", NULL);
  else
    ts_reply_json(r, 200, json_pack("{s:o}", "calendar", cal));
}

static int apply_calendar_set(ts_tx *tx, void *arg) {
  op *o = arg;
  return ts_tx_calendar_set(tx, o->weekdays, o->text, o->base.now);
}

/* PUT /api/v1/calendar {"weekdays":[1..7], "hours":"09:00-12:00,13:00-18:00"} */
void ts_api_calendar_put(ts_req *r) {
  static const char *const keys[] = {"weekdays", "hours", NULL};
  json_t *errors = json_object();
  op *o = ts_api_op_new(r, sizeof(op), op_clear);
  if (!o || !errors || ts_api_body(r, &o->base.body))
    goto out;
  ts_api_check_keys(o->base.body, keys, errors);
  json_t *wd = json_object_get(o->base.body, "weekdays"), *v;
  size_t i;
  if (!json_is_array(wd) || json_array_size(wd) > 7)
    json_object_set_new(errors, "weekdays", json_string("must be a list of weekdays 1 (Monday) to 7"));
  if (json_is_array(wd) && !json_array_size(wd))
    json_object_set_new(errors, "weekdays", json_string("must name at least one working weekday"));
  json_array_foreach(wd, i, v) {
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 7)
      json_object_set_new(errors, "weekdays", json_string("must be a list of weekdays 1 (Monday) to 7"));
    else
      o->weekdays |= 1u << (json_integer_value(v) - 1);
  }
  if (!ts_api_get_text(o->base.body, "hours", 1, 100, 0, errors, &o->text) && o->text &&
      ts_cal_parse_spans(o->text, &o->cal))
    json_object_set_new(errors, "hours", json_string("must be spans like 09:00-12:00,13:00-18:00"));
  if (!json_object_size(errors)) {
    char hours[128];
    ts_cal_format_spans(&o->cal, hours, sizeof hours);
    o->base.reply = json_pack("{s:{s:O,s:s}}", "calendar", "weekdays", wd, "hours", hours);
  }
  if (ts_api_submit(r, &errors, apply_calendar_set, o, ts_api_op_free, ts_api_op_finish))
    o = NULL;
out:
  json_decref(errors);
  ts_api_op_free(o);
}

static int apply_day_put(ts_tx *tx, void *arg) {
  op *o = arg;
  return ts_svc_calendar_store(tx, o->days, o->ndays);
}

/* PUT /api/v1/calendar/days/{date} {"kind":"holiday"|"workday","name":"春节"} */
void ts_api_calendar_day_put(ts_req *r) {
  static const char *const keys[] = {"kind", "name", NULL};
  json_t *errors = json_object();
  const char *kind = NULL, *name = NULL;
  op *o = ts_api_op_new(r, sizeof(op), op_clear);
  if (!o || !errors || ts_api_body(r, &o->base.body))
    goto out;
  ts_api_check_keys(o->base.body, keys, errors);
  ts_api_get_text(o->base.body, "kind", 1, 16, 0, errors, &kind);
  ts_api_get_text(o->base.body, "name", 0, 100, 0, errors, &name);
  if (kind && !strcmp(kind, "holiday") == !strcmp(kind, "workday"))
    json_object_set_new(errors, "kind", json_string("must be holiday or workday"));
  if (!json_object_size(errors)) {
    char line[600];
    json_t *lerr = json_object();
    snprintf(line, sizeof line, "%s,%s,%s", ts_req_param(r, 0), kind, name ? name : "");
    if (!lerr || ts_svc_calendar_parse(line, &o->days, &o->ndays, lerr) == TS_ERR_NOMEM) {
      json_decref(lerr);
      goto out;
    }
    if (json_object_size(lerr) || !o->ndays)
      json_object_set_new(errors, "date", json_string("must be a date YYYY-MM-DD (and a valid name)"));
    json_decref(lerr);
  }
  if (!json_object_size(errors))
    o->base.reply = json_pack("{s:{s:s,s:s,s:s}}", "day", "date", o->days[0].date, "kind",
                         o->days[0].working ? "workday" : "holiday", "name", o->days[0].name);
  if (ts_api_submit(r, &errors, apply_day_put, o, ts_api_op_free, ts_api_op_finish))
    o = NULL;
out:
  json_decref(errors);
  ts_api_op_free(o);
}

static int apply_day_delete(ts_tx *tx, void *arg) {
  op *o = arg;
  int rc = ts_tx_calendar_day_delete(tx, o->date);
  if (rc == TS_ERR_NOT_FOUND)
    o->base.why = "the day is no exception in the calendar";
  return rc;
}

void ts_api_calendar_day_delete(ts_req *r) {
  op *o = ts_api_op_new(r, sizeof(op), op_clear);
  if (!o)
    return;
  const char *date = ts_req_param(r, 0);
  if (!ts_date_ok(date)) {
    ts_api_invalid(r, json_pack("{s:s}", "date", "must be a date YYYY-MM-DD"));
    ts_api_op_free(o);
    return;
  }
  snprintf(o->date, sizeof o->date, "%s", date);
  o->base.reply = json_pack("{s:s}", "deleted", date);
  ts_req_defer(r, apply_day_delete, o, ts_api_op_free, ts_api_op_finish);
}

/* POST /api/v1/calendar/import {"text": "<lines: date,kind,name>"}: a year's list, all or
 * nothing; errors name the lines ("line 3"). */
void ts_api_calendar_import(ts_req *r) {
  static const char *const keys[] = {"text", NULL};
  json_t *errors = json_object();
  const char *text = NULL;
  op *o = ts_api_op_new(r, sizeof(op), op_clear);
  if (!o || !errors || ts_api_body(r, &o->base.body))
    goto out;
  ts_api_check_keys(o->base.body, keys, errors);
  if (!ts_api_get_text(o->base.body, "text", 1, 200000, 1, errors, &text) && text &&
      ts_svc_calendar_parse(text, &o->days, &o->ndays, errors) == TS_ERR_NOMEM)
    goto out;
  o->base.reply = json_pack("{s:i}", "imported", o->ndays);
  if (ts_api_submit(r, &errors, apply_day_put, o, ts_api_op_free, ts_api_op_finish))
    o = NULL;
out:
  json_decref(errors);
  ts_api_op_free(o);
}

/* GET /api/v1/calendar/due?start=<RFC 3339>&amount=2&unit=wd: the arithmetic itself. */
void ts_api_calendar_due(ts_req *r) {
  static const char *const keys[] = {"start", "amount", "unit", NULL};
  const char *start = NULL, *amount = NULL, *unit = NULL;
  int64_t t = 0, n = 0, secs = 0, due = 0;
  int working = 0;
  ts_sla_rules rules;
  json_t *errors;
  if (ts_api_query_keys(r, keys) || ts_api_query(r, "start", 40, &start) ||
      ts_api_query(r, "amount", 12, &amount) || ts_api_query(r, "unit", 8, &unit))
    return;
  if (!(errors = json_object()))
    return;
  if (!start || ts_time_parse(start, &t))
    json_object_set_new(errors, "start", json_string("must be an RFC 3339 time"));
  if (!amount || !ts_api_parse_int(amount, 0, 100000, &n))
    json_object_set_new(errors, "amount", json_string("must be a whole number 0..100000"));
  if (!unit)
    unit = "wd";
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    return;
  }
  json_decref(errors);
  int rc = ts_store_sla_rules(r->app->store, &rules);
  if (rc) {
    ts_reply_error(r, rc, "cannot read the calendar", NULL);
    return;
  }
  if (ts_sla_length(unit, n, &rules.cal, &secs, &working)) {
    ts_api_invalid(r, json_pack("{s:s}", "unit", "must be min, h, d, wh or wd"));
  } else if (working ? ts_cal_add(&rules.cal, t, secs, &due) : (due = t + secs, TS_OK)) {
    ts_api_invalid(r, json_pack("{s:s}", "start", "the calendar has no working time from there"));
  } else {
    ts_reply_json(r, 200, json_pack("{s:o,s:o,s:I,s:b}", "start", ts_api_time_json(t), "due_at",
                                    ts_api_time_json(due), "seconds", (json_int_t)secs, "working",
                                    working));
  }
  ts_sla_rules_free(&rules);
}

/* ---- clock rules -------------------------------------------------------------------------- */

void ts_api_clocks_list(ts_req *r) {
  json_t *items;
  int rc = ts_store_clock_def_list(r->app->store, &items);
  if (rc)
    ts_reply_error(r, rc, "cannot read the clocks", NULL);
  else
    ts_api_reply_list(r, items);
}

static int apply_clock_put(ts_tx *tx, void *arg) {
  op *o = arg;
  return ts_tx_clock_def_put(tx, &o->def, o->active, o->sort);
}

/* A comma list of event names into dst (validated: lower-case words, ':' allowed). */
static void events_into(json_t *body, const char *key, int required, char *dst, size_t dstsz,
                        json_t *errors) {
  const char *v = NULL;
  const char *given = json_string_value(json_object_get(body, key));
  if (!required && given && !*given)
    return; /* "" = none, as GET shows it */
  if (ts_api_get_text(body, key, required, dstsz - 1, 0, errors, &v) || !v)
    return;
  for (const char *p = v; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || *p == '_' || *p == ',' || *p == ':')) {
      json_object_set_new(errors, key, json_string("must be event names separated by commas"));
      return;
    }
  snprintf(dst, dstsz, "%s", v);
}

/* PUT /api/v1/config/clocks/{name}: a clock's rule and its limits per grade. */
void ts_api_clocks_put(ts_req *r) {
  static const char *const keys[] = {"channel", "start_on", "stop_on", "pause_on", "resume_on",
                                     "holder", "text_zh", "text_en", "active", "sort", "limits",
                                     NULL};
  static const char *const holders[] = {"owner", "handler", "dept", NULL};
  static const char *const units[] = {"min", "h", "d", "wh", "wd", NULL};
  json_t *errors = json_object();
  const char *v = NULL;
  op *o = ts_api_op_new(r, sizeof(op), op_clear);
  if (!o || !errors || ts_api_body(r, &o->base.body))
    goto out;
  ts_clock_def *d = &o->def;
  const char *name = ts_req_param(r, 0);
  if (!ts_ident_ok(name, 32))
    json_object_set_new(errors, "name", json_string("must be a code of lower-case letters, digits and _"));
  else
    snprintf(d->name, sizeof d->name, "%s", name);
  ts_api_check_keys(o->base.body, keys, errors);
  const char *chan = json_string_value(json_object_get(o->base.body, "channel"));
  if (chan && !*chan) {
    /* "" = every channel, as GET shows it */
  } else if (!ts_api_get_text(o->base.body, "channel", 0, 64, 0, errors, &v) && v) {
    int ext;
    if (*v && ts_store_channel_get(r->app->store, v, &ext))
      json_object_set_new(errors, "channel", json_string("is not a configured channel"));
    snprintf(d->channel, sizeof d->channel, "%s", v);
  }
  events_into(o->base.body, "start_on", 1, d->start_on, sizeof d->start_on, errors);
  events_into(o->base.body, "stop_on", 1, d->stop_on, sizeof d->stop_on, errors);
  events_into(o->base.body, "pause_on", 0, d->pause_on, sizeof d->pause_on, errors);
  events_into(o->base.body, "resume_on", 0, d->resume_on, sizeof d->resume_on, errors);
  if (!ts_api_get_text(o->base.body, "holder", 1, 15, 0, errors, &v) && v) {
    if (!ts_enum_has(holders, v))
      json_object_set_new(errors, "holder", json_string("must be owner, handler or dept"));
    snprintf(d->holder, sizeof d->holder, "%s", v);
  }
  if (!ts_api_get_text(o->base.body, "text_zh", 1, 40, 0, errors, &v) && v)
    snprintf(d->text_zh, sizeof d->text_zh, "%s", v);
  if (!ts_api_get_text(o->base.body, "text_en", 1, 100, 0, errors, &v) && v)
    snprintf(d->text_en, sizeof d->text_en, "%s", v);
  json_t *act = json_object_get(o->base.body, "active"), *sort = json_object_get(o->base.body, "sort");
  if (act && !json_is_boolean(act))
    json_object_set_new(errors, "active", json_string("must be true or false"));
  o->active = !json_is_false(act);
  if (sort && (!json_is_integer(sort) || json_integer_value(sort) < 0 || json_integer_value(sort) > 1000))
    json_object_set_new(errors, "sort", json_string("must be a whole number 0..1000"));
  o->sort = (int)json_integer_value(sort);
  json_t *limits = json_object_get(o->base.body, "limits");
  if (!json_is_object(limits) || !json_object_size(limits)) {
    json_object_set_new(errors, "limits", json_string("must give the limit of at least one grade"));
  } else {
    const char *g;
    json_t *lim;
    json_object_foreach(limits, g, lim) {
      char where[64];
      int gi = g[0] == 'g' && g[1] >= '1' && g[1] <= '4' && !g[2] ? g[1] - '1' : -1;
      snprintf(where, sizeof where, "limits.%.8s", g);
      json_t *amount = json_object_get(lim, "amount"), *unit = json_object_get(lim, "unit"),
             *ur = json_object_get(lim, "unreachable_amount");
      if (gi < 0 || !json_is_object(lim) || !json_is_integer(amount) ||
          json_integer_value(amount) < 1 || json_integer_value(amount) > 100000 ||
          !ts_enum_has(units, json_string_value(unit)) ||
          (ur && !json_is_null(ur) && (!json_is_integer(ur) || json_integer_value(ur) < json_integer_value(amount))) ||
          json_object_size(lim) != 2u + (ur != NULL)) { /* no other member, misspelt or not */
        json_object_set_new(errors, where, json_string("must be {amount 1..100000, unit min|h|d|wh|wd, "
                                                       "unreachable_amount ≥ amount or null} for g1..g4"));
        continue;
      }
      d->amount[gi] = json_integer_value(amount);
      snprintf(d->unit[gi], sizeof d->unit[gi], "%s", json_string_value(unit));
      d->unreachable[gi] = json_integer_value(ur);
    }
  }
  o->base.reply = json_pack("{s:{s:s}}", "clock", "name", d->name);
  if (ts_api_submit(r, &errors, apply_clock_put, o, ts_api_op_free, ts_api_op_finish))
    o = NULL;
out:
  json_decref(errors);
  ts_api_op_free(o);
}

/* ---- the queue, the ledger, delays -------------------------------------------------------- */

static void case_page(ts_req *r, ts_case_filter *f) {
  ts_case **items = NULL;
  size_t count = 0;
  int64_t total = 0;
  int rc = ts_store_case_list(r->app->store, f, &items, &count, &total);
  if (rc) {
    ts_reply_error(r, rc, "cannot list cases", NULL);
    return;
  }
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < count; i++)
    json_array_append_new(arr, ts_api_case_json(r, items[i], 0));
  ts_case_list_free(items, count);
  ts_reply_json(r, 200, json_pack("{s:o,s:I,s:i,s:i}", "items", arr, "total", (json_int_t)total,
                                  "page", f->page, "per_page", f->per_page));
}

static int page_filter(ts_req *r, const char *const *keys, ts_case_filter *f) {
  json_t *errors = json_object();
  const char *mine = NULL;
  memset(f, 0, sizeof *f);
  f->overdue = -1;
  ts_scope_for(&r->who, &f->scope);
  if (!errors || ts_api_query_keys(r, keys) || ts_api_page_params(r, &f->page, &f->per_page, errors) ||
      ts_api_query(r, "mine", 8, &mine)) {
    json_decref(errors);
    return 1;
  }
  if (mine && strcmp(mine, "true") && strcmp(mine, "false"))
    json_object_set_new(errors, "mine", json_string("must be true or false"));
  if (mine && !strcmp(mine, "true"))
    f->handler = r->user.username;
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    return 1;
  }
  json_decref(errors);
  return 0;
}

/* GET /api/v1/queue: the cases with a running clock, the nearest due first. */
void ts_api_queue(ts_req *r) {
  static const char *const keys[] = {"page", "per_page", "mine", NULL};
  ts_case_filter f;
  if (page_filter(r, keys, &f))
    return;
  f.by_due = 1;
  case_page(r, &f);
}

/* GET /api/v1/pending-items: the ledger (台帐) of cases waiting on something outside. */
void ts_api_pending_items(ts_req *r) {
  static const char *const keys[] = {"page", "per_page", "mine", NULL};
  ts_case_filter f;
  if (page_filter(r, keys, &f))
    return;
  f.status = "pending";
  case_page(r, &f);
}

/* GET /api/v1/delays?holder=: breaches recorded against the people who held the cases. */
void ts_api_delays(ts_req *r) {
  static const char *const keys[] = {"holder", NULL};
  const char *holder = NULL;
  ts_scope sc;
  json_t *items;
  if (ts_api_query_keys(r, keys) || ts_api_query(r, "holder", 64, &holder))
    return;
  ts_scope_for(&r->who, &sc);
  int rc = ts_store_delay_list(r->app->store, &sc, holder, &items);
  if (rc)
    ts_reply_error(r, rc, "cannot read the delays", NULL);
  else
    ts_reply_json(r, 200, json_pack("{s:o}", "items", items));
}
