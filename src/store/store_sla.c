/* The SQLite backend of store.h, part two: the working calendar, clock rules and each
 * case's clocks, delays, notifications, the outbox, webhooks and letter templates. Same
 * rules as store_sqlite.c: prepared statements, one per slot and connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/caseno.h"
#include "core/ts_err.h"
#include "store/sqlite_int.h"
#include "util/tstime.h"

enum {
  S_CAL = TS_SQ_SLOTS_SLA,
  S_CAL_DAYS,
  S_DEFS,
  S_LIMITS,
  S_CLOCKS_GET,
  S_CLOCK_INSERT,
  S_CLOCK_UPDATE,
  S_CLOCK_LIST,
  S_CLOCKS_DUE,
  S_DELAY_ADD,
  S_UNIT_UP,
  S_UNIT_PEOPLE,
  S_USER_EMAIL,
  S_NOTIF_ADD,
  S_OUTBOX_ADD,
  S_WEBHOOKS_ACTIVE,
  S_NOTIF_LIST,
  S_NOTIF_UNREAD,
  S_NOTIF_READ,
  S_NOTIF_READ_ALL,
  S_OUTBOX_DUE,
  S_OUTBOX_RESULT,
  S_OUTBOX_RETRY,
  S_LETTER_GET,
  S_PENDING_CASES,
  S_CAL_JSON,
  S_DEF_LIST,
  S_DELAY_LIST,
  S_DELAY_LIST_HOLDER,
  S_OUTBOX_LIST,
  S_OUTBOX_LIST_STATUS,
  S_WEBHOOK_LIST,
  S_LETTER_LIST,
  S_OUTBOX_CLAIM,
  S_SLA_CLOCKS,
  S__COUNT
};
_Static_assert(S__COUNT <= TS_SQ_SLOTS_SQLITE, "store_sla.c has more statements than slots");

/* ---- the writer's cache of the rules --------------------------------------------------- */

struct ts_sla_cache {
  ts_sla_rules r;
};

void ts_sla_rules_free(ts_sla_rules *r) {
  if (!r)
    return;
  free(r->days);
  free(r->defs);
  memset(r, 0, sizeof *r);
}

void ts_sq_sla_free(struct ts_sla_cache *c) {
  if (!c)
    return;
  ts_sla_rules_free(&c->r);
  free(c);
}

static int32_t zone_offset(void *ctx, int64_t utc) {
  (void)ctx;
  return ts_time_offset(utc);
}

static int load_rules(ts_store *s, conn *c, ts_sla_rules *r) {
  sqlite3_stmt *st;
  int rc = TS_OK;
  size_t cap = 0;
  memset(r, 0, sizeof *r);
  r->cal.utc_offset = zone_offset;
  r->warn_pct = 80;
  if (!(st = ts_sq_stmt(s, c, S_CAL, "SELECT weekdays, hours, (SELECT CAST(value AS INTEGER) "
                        "FROM settings WHERE key = 'sla_warn_pct'), (SELECT CAST(value AS INTEGER) "
                        "FROM settings WHERE key = 'auto_acknowledge') FROM calendar WHERE id = 1")))
    return TS_ERR_STORE;
  if (sqlite3_step(st) == SQLITE_ROW) {
    r->cal.weekdays = (unsigned)sqlite3_column_int(st, 0);
    if (ts_cal_parse_spans(ts_sq_text(st, 1), &r->cal))
      rc = TS_ERR_STORE;
    if (sqlite3_column_type(st, 2) != SQLITE_NULL)
      r->warn_pct = sqlite3_column_int(st, 2);
    r->auto_ack = sqlite3_column_type(st, 3) == SQLITE_NULL || sqlite3_column_int(st, 3) != 0;
  } else {
    rc = TS_ERR_STORE;
  }
  sqlite3_reset(st);
  if (!rc && !(st = ts_sq_stmt(s, c, S_CAL_DAYS, "SELECT day, working FROM calendar_days ORDER BY day")))
    rc = TS_ERR_STORE;
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    int y, m, d;
    if (sscanf(ts_sq_text(st, 0), "%4d-%2d-%2d", &y, &m, &d) != 3)
      continue;
    if (r->cal.ndays == cap) {
      size_t ncap = cap ? cap * 2 : 64;
      ts_cal_day *g = realloc(r->days, ncap * sizeof *g);
      if (!g) {
        rc = TS_ERR_NOMEM;
        break;
      }
      r->days = g;
      cap = ncap;
    }
    r->days[r->cal.ndays].day = ts_cal_day_of(y, m, d);
    r->days[r->cal.ndays].working = sqlite3_column_int(st, 1);
    r->cal.ndays++;
  }
  if (st)
    sqlite3_reset(st);
  r->cal.days = r->days;
  if (!rc && !(st = ts_sq_stmt(s, c, S_DEFS, "SELECT name, channel, start_on, stop_on, pause_on, "
                               "resume_on, holder, text_zh, text_en FROM clock_defs WHERE active = 1 "
                               "ORDER BY sort, name")))
    rc = TS_ERR_STORE;
  int dcap = 0;
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    if (r->ndefs == dcap) {
      int ncap = dcap ? dcap * 2 : 16;
      ts_clock_def *g = realloc(r->defs, (size_t)ncap * sizeof *g);
      if (!g) {
        rc = TS_ERR_NOMEM;
        break;
      }
      r->defs = g;
      dcap = ncap;
    }
    ts_clock_def *d = &r->defs[r->ndefs++];
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", ts_sq_text(st, 0));
    snprintf(d->channel, sizeof d->channel, "%s", ts_sq_text(st, 1));
    snprintf(d->start_on, sizeof d->start_on, "%s", ts_sq_text(st, 2));
    snprintf(d->stop_on, sizeof d->stop_on, "%s", ts_sq_text(st, 3));
    snprintf(d->pause_on, sizeof d->pause_on, "%s", ts_sq_text(st, 4));
    snprintf(d->resume_on, sizeof d->resume_on, "%s", ts_sq_text(st, 5));
    snprintf(d->holder, sizeof d->holder, "%s", ts_sq_text(st, 6));
    snprintf(d->text_zh, sizeof d->text_zh, "%s", ts_sq_text(st, 7));
    snprintf(d->text_en, sizeof d->text_en, "%s", ts_sq_text(st, 8));
  }
  if (st)
    sqlite3_reset(st);
  if (!rc && !(st = ts_sq_stmt(s, c, S_LIMITS, "SELECT name, grade, amount, unit, "
                               "coalesce(unreachable_amount, 0) FROM clock_limits")))
    rc = TS_ERR_STORE;
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    const char *grade = ts_sq_text(st, 1);
    int g = grade[0] == 'g' && grade[1] >= '1' && grade[1] <= '4' && !grade[2] ? grade[1] - '1' : -1;
    for (int i = 0; g >= 0 && i < r->ndefs; i++)
      if (!strcmp(r->defs[i].name, ts_sq_text(st, 0))) {
        r->defs[i].amount[g] = sqlite3_column_int64(st, 2);
        snprintf(r->defs[i].unit[g], sizeof r->defs[i].unit[g], "%s", ts_sq_text(st, 3));
        r->defs[i].unreachable[g] = sqlite3_column_int64(st, 4);
      }
  }
  if (st)
    sqlite3_reset(st);
  if (rc)
    ts_sla_rules_free(r);
  return rc;
}

int ts_tx_sla_rules(ts_tx *tx, const ts_sla_rules **out) {
  ts_store *s = ts_sq_tx_store(tx);
  struct ts_sla_cache **slot = ts_sq_sla_slot(s);
  if (!*slot) {
    struct ts_sla_cache *c = calloc(1, sizeof *c);
    int rc;
    if (!c)
      return TS_ERR_NOMEM;
    if ((rc = load_rules(s, ts_sq_tx_conn(tx), &c->r))) {
      free(c);
      return rc;
    }
    *slot = c;
  }
  *out = &(*slot)->r;
  return TS_OK;
}

int ts_store_sla_rules(ts_store *s, ts_sla_rules *out) {
  int64_t t0;
  conn *c = ts_sq_reader_get(s, &t0);
  int rc = load_rules(s, c, out);
  ts_sq_reader_put(s, c, t0);
  return rc;
}

static void invalidate(ts_tx *tx) {
  struct ts_sla_cache **slot = ts_sq_sla_slot(ts_sq_tx_store(tx));
  ts_sq_sla_free(*slot);
  *slot = NULL;
}

/* One administrative statement on the writer (not a hot path: prepared each time). */
static int admin_exec(ts_tx *tx, const char *sql, const char *t1, const char *t2, const char *t3,
                      int64_t i4, int64_t i5) {
  sqlite3 *db = ts_sq_db(ts_sq_tx_conn(tx));
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return TS_ERR_STORE;
  int np = sqlite3_bind_parameter_count(st);
  if (np >= 1)
    sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
  if (np >= 2)
    sqlite3_bind_text(st, 2, t2, -1, SQLITE_STATIC);
  if (np >= 3)
    sqlite3_bind_text(st, 3, t3, -1, SQLITE_STATIC);
  if (np >= 4)
    sqlite3_bind_int64(st, 4, i4);
  if (np >= 5)
    sqlite3_bind_int64(st, 5, i5);
  int r = sqlite3_step(st);
  int changes = sqlite3_changes(db);
  sqlite3_finalize(st);
  if (r != SQLITE_DONE)
    return ts_sq_map(r);
  return changes ? TS_OK : TS_ERR_NOT_FOUND;
}

/* Binds a NULL-terminated array of texts as ?1, ?2, ... */
static void bind_texts(sqlite3_stmt *st, const void *arg) {
  const char *const *t = arg;
  for (int i = 0; t[i]; i++)
    sqlite3_bind_text(st, i + 1, t[i], -1, SQLITE_STATIC);
}

/* ---- calendar ------------------------------------------------------------------------- */

int ts_store_calendar_json(ts_store *s, int year, json_t **out) {
  static const char *const names[] = {"date", "kind", "name"};
  ts_sla_rules r;
  json_t *days = NULL, *wd = json_array();
  char hours[128], lo[24], hi[24];
  int rc;
  if (!wd)
    return TS_ERR_NOMEM;
  if ((rc = ts_store_sla_rules(s, &r))) {
    json_decref(wd);
    return rc;
  }
  for (int i = 0; i < 7; i++)
    if (r.cal.weekdays & (1u << i))
      json_array_append_new(wd, json_integer(i + 1));
  ts_cal_format_spans(&r.cal, hours, sizeof hours);
  ts_sla_rules_free(&r);
  snprintf(lo, sizeof lo, "%04d-01-01", year > 0 ? year : 0);
  snprintf(hi, sizeof hi, "%04d-12-31", year > 0 ? year : 9999);
  const char *bounds[3] = {lo, hi, NULL};
  rc = ts_sq_rows(s, S_CAL_JSON, "SELECT day, CASE working WHEN 1 THEN 'workday' ELSE 'holiday' END, "
                  "name FROM calendar_days WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
                  bind_texts, bounds, names, 3, &days);
  if (rc) {
    json_decref(wd);
    return rc;
  }
  *out = json_pack("{s:o,s:s,s:s,s:o}", "weekdays", wd, "hours", hours, "zone", ts_time_zone(),
                   "days", days);
  return *out ? TS_OK : TS_ERR_NOMEM;
}

int ts_tx_calendar_set(ts_tx *tx, unsigned weekdays, const char *hours, int64_t now) {
  invalidate(tx);
  return admin_exec(tx, "UPDATE calendar SET hours = ?1, weekdays = ?4, updated_at = ?5 "
                    "WHERE id = 1 AND ?2 IS NULL AND ?3 IS NULL", hours, NULL, NULL,
                    (int64_t)weekdays, now);
}

int ts_tx_calendar_day_put(ts_tx *tx, const char *date, int working, const char *name) {
  invalidate(tx);
  return admin_exec(tx, "INSERT INTO calendar_days(day, working, name) VALUES (?1, ?4, ?2) "
                    "ON CONFLICT(day) DO UPDATE SET working = ?4, name = ?2 "
                    "/* ?3 ?5 */", date, name ? name : "", NULL, working ? 1 : 0, 0);
}

int ts_tx_calendar_day_delete(ts_tx *tx, const char *date) {
  invalidate(tx);
  return admin_exec(tx, "DELETE FROM calendar_days WHERE day = ?1", date, NULL, NULL, 0, 0);
}

/* ---- clock definitions ------------------------------------------------------------------ */

int ts_store_clock_def_list(ts_store *s, json_t **out) {
  ts_sla_rules r;
  json_t *arr = json_array();
  int rc = arr ? ts_store_sla_rules(s, &r) : TS_ERR_NOMEM;
  json_t *all = NULL;
  static const char *const names[] = {"name", "active", "sort"};
  if (!rc)
    rc = ts_sq_rows(s, S_DEF_LIST, "SELECT name, active, sort FROM clock_defs ORDER BY sort, name",
                    NULL, NULL, names, 3, &all);
  if (rc) {
    json_decref(arr);
    if (!rc)
      ts_sla_rules_free(&r);
    return rc;
  }
  /* active definitions come from the rules the domain reads; inactive ones by name only */
  size_t i;
  json_t *row;
  json_array_foreach(all, i, row) {
    const char *name = json_string_value(json_object_get(row, "name"));
    const ts_clock_def *d = NULL;
    for (int k = 0; k < r.ndefs; k++)
      if (!strcmp(r.defs[k].name, name))
        d = &r.defs[k];
    json_t *o = json_pack("{s:s,s:b,s:O}", "name", name, "active", d != NULL, "sort",
                          json_object_get(row, "sort"));
    if (d && o) {
      json_t *limits = json_object();
      for (int g = 0; g < 4 && limits; g++) {
        char gk[3] = {'g', (char)('1' + g), 0};
        if (d->amount[g] > 0)
          json_object_set_new(limits, gk, json_pack("{s:I,s:s,s:o}", "amount", (json_int_t)d->amount[g],
                                                    "unit", d->unit[g], "unreachable_amount",
                                                    d->unreachable[g] > 0 ? json_integer(d->unreachable[g]) : json_null()));
      }
      json_object_update_new(o, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o*}", "channel", d->channel,
                                           "start_on", d->start_on, "stop_on", d->stop_on, "pause_on",
                                           d->pause_on, "resume_on", d->resume_on, "holder", d->holder,
                                           "text_zh", d->text_zh, "text_en", d->text_en, "limits", limits));
    }
    if (!o || json_array_append_new(arr, o)) {
      rc = TS_ERR_NOMEM;
      break;
    }
  }
  json_decref(all);
  ts_sla_rules_free(&r);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

int ts_tx_clock_def_put(ts_tx *tx, const ts_clock_def *d, int active, int sort) {
  sqlite3 *db = ts_sq_db(ts_sq_tx_conn(tx));
  sqlite3_stmt *st = NULL;
  int rc = TS_OK;
  invalidate(tx);
  if (sqlite3_prepare_v2(db, "INSERT INTO clock_defs(name, channel, start_on, stop_on, pause_on, "
                         "resume_on, holder, text_zh, text_en, sort, active) VALUES "
                         "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) ON CONFLICT(name) DO UPDATE SET "
                         "channel=?2, start_on=?3, stop_on=?4, pause_on=?5, resume_on=?6, holder=?7, "
                         "text_zh=?8, text_en=?9, sort=?10, active=?11", -1, &st, NULL) != SQLITE_OK)
    return TS_ERR_STORE;
  const char *texts[] = {d->name, d->channel, d->start_on, d->stop_on, d->pause_on,
                         d->resume_on, d->holder, d->text_zh, d->text_en};
  for (int i = 0; i < 9; i++)
    sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 10, sort);
  sqlite3_bind_int(st, 11, active ? 1 : 0);
  int r = sqlite3_step(st);
  sqlite3_finalize(st);
  if (r != SQLITE_DONE)
    return ts_sq_map(r);
  if ((rc = admin_exec(tx, "DELETE FROM clock_limits WHERE name = ?1", d->name, NULL, NULL, 0, 0)) &&
      rc != TS_ERR_NOT_FOUND)
    return rc;
  rc = TS_OK;
  for (int g = 0; g < 4 && !rc; g++) {
    char gk[3] = {'g', (char)('1' + g), 0};
    if (d->amount[g] <= 0)
      continue;
    rc = admin_exec(tx, d->unreachable[g] > 0
                          ? "INSERT INTO clock_limits(name, grade, unit, amount, unreachable_amount) "
                            "VALUES (?1, ?2, ?3, ?4, ?5)"
                          : "INSERT INTO clock_limits(name, grade, unit, amount, unreachable_amount) "
                            "VALUES (?1, ?2, ?3, ?4, nullif(?5, 0))",
                    d->name, gk, d->unit[g], d->amount[g], d->unreachable[g]);
  }
  return rc;
}

/* ---- each case's clocks ------------------------------------------------------------------ */

static const char *const clock_states[] = {"running", "paused", "met", "breached"};

static int state_parse(const char *s) {
  for (int i = 0; i < 4; i++)
    if (!strcmp(clock_states[i], s))
      return i;
  return TS_CLK_MET;
}

#define CLOCK_COLS                                                                          \
  "id, name, seq, state, working, unreachable, warned, duration, used, started_at, seg_start, " \
  "coalesce(warn_at,0), coalesce(due_at,0), coalesce(stopped_at,0), coalesce(breached_at,0)"

static void row_clock(sqlite3_stmt *st, ts_clock *k) {
  memset(k, 0, sizeof *k);
  k->id = sqlite3_column_int64(st, 0);
  snprintf(k->name, sizeof k->name, "%s", ts_sq_text(st, 1));
  k->seq = sqlite3_column_int(st, 2);
  k->state = state_parse(ts_sq_text(st, 3));
  k->working = sqlite3_column_int(st, 4);
  k->unreachable = sqlite3_column_int(st, 5);
  k->warned = sqlite3_column_int(st, 6);
  k->duration = sqlite3_column_int64(st, 7);
  k->used = sqlite3_column_int64(st, 8);
  k->started_at = sqlite3_column_int64(st, 9);
  k->seg_start = sqlite3_column_int64(st, 10);
  k->warn_at = sqlite3_column_int64(st, 11);
  k->due_at = sqlite3_column_int64(st, 12);
  k->stopped_at = sqlite3_column_int64(st, 13);
  k->breached_at = sqlite3_column_int64(st, 14);
}

static int clocks_on(ts_store *s, conn *c, int64_t case_id, ts_clock *out, int max, int *n) {
  sqlite3_stmt *st = ts_sq_stmt(s, c, S_CLOCKS_GET, "SELECT " CLOCK_COLS " FROM case_clocks "
                                "WHERE case_id = ? ORDER BY id");
  int k = 0;
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  while (k < max && sqlite3_step(st) == SQLITE_ROW)
    row_clock(st, &out[k++]);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  *n = k;
  return TS_OK;
}

int ts_tx_clocks_get(ts_tx *tx, int64_t case_id, ts_clock *out, int max, int *n) {
  return clocks_on(ts_sq_tx_store(tx), ts_sq_tx_conn(tx), case_id, out, max, n);
}

static void bind_opt(sqlite3_stmt *st, int i, int64_t v) {
  if (v)
    sqlite3_bind_int64(st, i, v);
  else
    sqlite3_bind_null(st, i);
}

/* The outcome of each of the case's clocks as the report reads it (migration 11's column,
 * written here once per transaction since migration 13): unchanged text is not written. */
#define SLA_CLOCKS_TEXT                                                                        \
  "(SELECT group_concat(name || ':' || substr(state, 1, 1), ' ') FROM (SELECT name, state"    \
  " FROM case_clocks WHERE case_id = ?1 ORDER BY id))"
int ts_tx_case_sla_clocks(ts_tx *tx, int64_t case_id) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st = ts_sq_stmt(s, c, S_SLA_CLOCKS,
                                "UPDATE cases SET sla_clocks = " SLA_CLOCKS_TEXT " WHERE id = ?1"
                                " AND sla_clocks IS NOT " SLA_CLOCKS_TEXT);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  return ts_sq_step_done(c, st, "case sla_clocks");
}

int ts_tx_clock_put(ts_tx *tx, int64_t case_id, ts_clock *k) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st =
    k->id ? ts_sq_stmt(s, c, S_CLOCK_UPDATE,
                       "UPDATE case_clocks SET state=?3, working=?4, unreachable=?5, warned=?6, "
                       "duration=?7, used=?8, started_at=?9, seg_start=?10, warn_at=?11, due_at=?12, "
                       "next_at=?13, stopped_at=?14, breached_at=?15 WHERE id = ?1 AND ?2 IS NOT NULL")
          : ts_sq_stmt(s, c, S_CLOCK_INSERT,
                       "INSERT INTO case_clocks(case_id, name, state, working, unreachable, warned, "
                       "duration, used, started_at, seg_start, warn_at, due_at, next_at, stopped_at, "
                       "breached_at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                       "?13, ?14, ?15, ?16)");
  if (!st)
    return TS_ERR_STORE;
  if (k->id)
    sqlite3_bind_int64(st, 1, k->id);
  else
    sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_text(st, 2, k->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, clock_states[k->state & 3], -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, k->working);
  sqlite3_bind_int(st, 5, k->unreachable);
  sqlite3_bind_int(st, 6, k->warned);
  sqlite3_bind_int64(st, 7, k->duration);
  sqlite3_bind_int64(st, 8, k->used);
  sqlite3_bind_int64(st, 9, k->started_at);
  sqlite3_bind_int64(st, 10, k->seg_start);
  bind_opt(st, 11, k->warn_at);
  bind_opt(st, 12, k->due_at);
  bind_opt(st, 13, ts_sla_next_at(k));
  bind_opt(st, 14, k->stopped_at);
  bind_opt(st, 15, k->breached_at);
  if (!k->id)
    sqlite3_bind_int(st, 16, k->seq);
  int rc = ts_sq_step_done(c, st, "clock put");
  if (!rc && !k->id)
    k->id = sqlite3_last_insert_rowid(ts_sq_db(c));
  k->changed = 0;
  return rc;
}

int ts_store_clock_list(ts_store *s, int64_t case_id, int64_t now, json_t **out) {
  ts_clock ks[64];
  int n = 0;
  int64_t t0;
  conn *c = ts_sq_reader_get(s, &t0);
  int rc = clocks_on(s, c, case_id, ks, 64, &n);
  ts_sq_reader_put(s, c, t0);
  json_t *arr = rc ? NULL : json_array();
  if (!rc && !arr)
    rc = TS_ERR_NOMEM;
  for (int i = 0; !rc && i < n; i++) {
    ts_clock *k = &ks[i];
    json_t *o = json_pack("{s:s,s:i,s:s,s:o,s:o,s:o,s:o,s:o,s:b,s:I}", "name", k->name, "seq", k->seq,
                          "state", ts_sla_state_name(k, now), "due_at", ts_sq_time_json(k->due_at),
                          "warn_at", ts_sq_time_json(k->warn_at), "started_at",
                          ts_sq_time_json(k->started_at), "stopped_at", ts_sq_time_json(k->stopped_at),
                          "breached_at", ts_sq_time_json(k->breached_at ? k->breached_at
                                                         : k->state == TS_CLK_RUNNING && now >= k->due_at ? k->due_at : 0),
                          "working", k->working, "duration_seconds", (json_int_t)k->duration);
    if (o && k->state == TS_CLK_PAUSED)
      json_object_set_new(o, "remaining_seconds", json_integer(k->duration - k->used));
    if (o && k->unreachable)
      json_object_set_new(o, "unreachable", json_true());
    if (!o || json_array_append_new(arr, o))
      rc = TS_ERR_NOMEM;
  }
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

/* Up to max case numbers from a query whose ?1 is bound by bind and whose ?2 is max. */
static int case_nos(ts_store *s, int slot, const char *sql, void (*bind)(sqlite3_stmt *, const void *),
                    const void *arg, int max, char (*out)[33], int *n) {
  int64_t t0;
  conn *c = ts_sq_reader_get(s, &t0);
  sqlite3_stmt *st = ts_sq_stmt(s, c, slot, sql);
  int k = 0, rc = st ? TS_OK : TS_ERR_STORE;
  if (st) {
    bind(st, arg);
    sqlite3_bind_int(st, 2, max);
    while (k < max && sqlite3_step(st) == SQLITE_ROW)
      snprintf(out[k++], 33, "%s", ts_sq_text(st, 0));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  ts_sq_reader_put(s, c, t0);
  *n = k;
  return rc;
}

static void bind_time(sqlite3_stmt *st, const void *arg) {
  sqlite3_bind_int64(st, 1, *(const int64_t *)arg);
}

int ts_store_clocks_due(ts_store *s, int64_t now, int max, char (*case_nos_out)[33], int *n) {
  return case_nos(s, S_CLOCKS_DUE,
                  "SELECT DISTINCT c.case_no FROM (SELECT case_id FROM case_clocks "
                  "WHERE next_at IS NOT NULL AND next_at <= ?1 ORDER BY next_at LIMIT ?2) k "
                  "JOIN cases c ON c.id = k.case_id",
                  bind_time, &now, max, case_nos_out, n);
}

/* ---- delays and the people to tell --------------------------------------------------------- */

int ts_tx_delay_add(ts_tx *tx, int64_t case_id, const ts_clock *k, const char *holder,
                    int64_t unit_id, int64_t now) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st = ts_sq_stmt(s, c, S_DELAY_ADD,
                                "INSERT INTO case_delays(case_id, clock_id, clock, holder, unit_id, "
                                "due_at, breached_at, recorded_at) VALUES (?, ?, ?, ?, nullif(?, 0), ?, ?, ?) "
                                "ON CONFLICT(clock_id) DO NOTHING");
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, k->id);
  sqlite3_bind_text(st, 3, k->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, holder ? holder : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, unit_id);
  sqlite3_bind_int64(st, 6, k->due_at);
  sqlite3_bind_int64(st, 7, k->breached_at ? k->breached_at : k->due_at);
  sqlite3_bind_int64(st, 8, now);
  return ts_sq_step_done(c, st, "delay add");
}

static void bind_delay_filter(sqlite3_stmt *st, const void *arg) {
  const char *const *t = arg; /* holder, unit path or NULL, username */
  sqlite3_bind_text(st, 1, t[0], -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, t[1], -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, t[2], -1, SQLITE_STATIC);
}

int ts_store_delay_list(ts_store *s, const ts_scope *scope, const char *holder, json_t **out) {
  static const char *const names[] = {"case_no", "clock", "holder", "unit", "due_at_unix",
                                      "breached_at_unix"};
  const char *args[3] = {holder, scope->all ? NULL : scope->unit_path,
                         scope->username ? scope->username : ""};
  json_t *rows = NULL;
  /* ?2 NULL: every case; else cases at or below the caller's unit, or their own */
  int rc = ts_sq_rows(s, holder ? S_DELAY_LIST_HOLDER : S_DELAY_LIST,
                      "SELECT c.case_no, d.clock, d.holder, u.name, d.due_at, d.breached_at "
                      "FROM case_delays d JOIN cases c ON c.id = d.case_id "
                      "LEFT JOIN org_units u ON u.id = d.unit_id "
                      "WHERE (?1 IS NULL OR d.holder = ?1) AND (?2 IS NULL OR c.owner = ?3 OR "
                      "c.handler = ?3 OR (?2 != '' AND (c.outlet_id IN (SELECT id FROM org_units "
                      "WHERE path LIKE ?2 || '%') OR c.dept_id IN (SELECT id FROM org_units "
                      "WHERE path LIKE ?2 || '%')))) ORDER BY d.id DESC LIMIT 500",
                      bind_delay_filter, args, names, 6, &rows);
  if (rc)
    return rc;
  size_t i;
  json_t *o;
  json_array_foreach(rows, i, o) {
    json_object_set_new(o, "due_at", ts_sq_time_json(json_integer_value(json_object_get(o, "due_at_unix"))));
    json_object_set_new(o, "breached_at",
                        ts_sq_time_json(json_integer_value(json_object_get(o, "breached_at_unix"))));
    json_object_del(o, "due_at_unix");
    json_object_del(o, "breached_at_unix");
  }
  *out = rows;
  return TS_OK;
}

int ts_tx_unit_up(ts_tx *tx, int64_t unit_id, int levels, ts_unit *out) {
  int rc = ts_tx_unit_get(tx, unit_id, out);
  for (int i = 0; !rc && i < levels && out->parent_id; i++)
    rc = ts_tx_unit_get(tx, out->parent_id, out);
  return rc;
}

int ts_tx_unit_people(ts_tx *tx, int64_t unit_id, unsigned roles, char (*out)[65], int max,
                      int *n, int64_t *at) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  ts_unit u;
  int rc = TS_OK;
  *n = 0;
  *at = 0;
  for (int64_t id = unit_id; id && !*n && !rc; id = u.parent_id) {
    sqlite3_stmt *st = ts_sq_stmt(s, c, S_UNIT_PEOPLE,
                                  "SELECT username FROM users WHERE unit_id = ? AND disabled = 0 "
                                  "AND (roles & ?) != 0 ORDER BY username");
    if (!st || (rc = ts_tx_unit_get(tx, id, &u)))
      return st ? rc : TS_ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, roles);
    while (*n < max && sqlite3_step(st) == SQLITE_ROW)
      snprintf(out[(*n)++], 65, "%s", ts_sq_text(st, 0));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (*n)
      *at = id;
  }
  return rc;
}

/* ---- notifications and the outbox ------------------------------------------------------------ */

static int outbox_add(ts_tx *tx, const ts_notice *n, const char *kind, const char *target,
                      const char *subject, const char *body, const char *html, int *written) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st = ts_sq_stmt(s, c, S_OUTBOX_ADD,
                                "INSERT INTO outbox(event, kind, target, case_id, subject, body, html, "
                                "created_at, next_at) VALUES (?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?) "
                                "ON CONFLICT(event, kind, target) DO NOTHING");
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, n->event, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, target, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, n->case_id);
  sqlite3_bind_text(st, 5, subject ? subject : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, body ? body : "", -1, SQLITE_STATIC);
  if (html)
    sqlite3_bind_text(st, 7, html, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 7);
  sqlite3_bind_int64(st, 8, n->at);
  sqlite3_bind_int64(st, 9, n->at);
  int rc = ts_sq_step_done(c, st, "outbox add");
  if (!rc && written)
    *written += sqlite3_changes(ts_sq_db(c));
  return rc;
}

int ts_tx_notify(ts_tx *tx, const ts_notice *n, int *written) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  int rc = TS_OK, dummy = 0;
  if (!written)
    written = &dummy;
  *written = 0;
  for (int i = 0; i < n->nusers && !rc; i++) {
    sqlite3_stmt *st = ts_sq_stmt(s, c, S_NOTIF_ADD,
                                  "INSERT INTO notifications(username, case_id, event, kind, title, body, "
                                  "created_at) VALUES (?, nullif(?, 0), ?, ?, ?, ?, ?) "
                                  "ON CONFLICT(event, username) DO NOTHING");
    if (!st)
      return TS_ERR_STORE;
    sqlite3_bind_text(st, 1, n->users[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, n->case_id);
    sqlite3_bind_text(st, 3, n->event, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, n->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, n->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, n->body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, n->at);
    if ((rc = ts_sq_step_done(c, st, "notification add")) || !sqlite3_changes(ts_sq_db(c)))
      continue; /* told before: its e-mail was queued then */
    (*written)++;
    char email[256] = "";
    if (!(st = ts_sq_stmt(s, c, S_USER_EMAIL, "SELECT coalesce(email, '') FROM users WHERE username = ?")))
      return TS_ERR_STORE;
    sqlite3_bind_text(st, 1, n->users[i], -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
      snprintf(email, sizeof email, "%s", ts_sq_text(st, 0));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (email[0])
      rc = outbox_add(tx, n, "email", email, n->title, n->body, n->html, written);
  }
  if (!rc && n->email_to && n->email_to[0])
    rc = outbox_add(tx, n, "email", n->email_to, n->title, n->body, n->html, written);
  if (!rc && n->payload) {
    char *body = json_dumps(n->payload, JSON_COMPACT | JSON_REAL_PRECISION(15));
    sqlite3_stmt *st = ts_sq_stmt(s, c, S_WEBHOOKS_ACTIVE,
                                  "SELECT id, events FROM webhooks WHERE active = 1 ORDER BY id");
    int64_t ids[64];
    int nids = 0;
    if (!body || !st) {
      free(body);
      return body ? TS_ERR_STORE : TS_ERR_NOMEM;
    }
    while (nids < 64 && sqlite3_step(st) == SQLITE_ROW) {
      const char *ev = ts_sq_text(st, 1);
      if (!strcmp(ev, "*") || ts_sla_list_has(ev, n->kind))
        ids[nids++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    for (int i = 0; i < nids && !rc; i++) {
      char target[32];
      snprintf(target, sizeof target, "webhook:%lld", (long long)ids[i]);
      rc = outbox_add(tx, n, "webhook", target, n->kind, body, NULL, written);
    }
    free(body);
  }
  return rc;
}

int ts_store_notification_list(ts_store *s, const char *username, int unread_only, int limit,
                               json_t **out, int64_t *unread) {
  int64_t t0;
  conn *c = ts_sq_reader_get(s, &t0);
  sqlite3_stmt *st = ts_sq_stmt(s, c, S_NOTIF_LIST,
                                "SELECT n.id, n.kind, c.case_no, n.title, n.body, n.created_at, "
                                "coalesce(n.read_at, 0) FROM notifications n LEFT JOIN cases c ON c.id = n.case_id "
                                "WHERE n.username = ?1 AND (?2 = 0 OR n.read_at IS NULL) "
                                "ORDER BY n.id DESC LIMIT ?3");
  sqlite3_stmt *cnt = ts_sq_stmt(s, c, S_NOTIF_UNREAD,
                                 "SELECT count(*) FROM notifications WHERE username = ? AND read_at IS NULL");
  json_t *arr = json_array();
  int rc = st && cnt && arr ? TS_OK : TS_ERR_STORE;
  if (!rc) {
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, unread_only);
    sqlite3_bind_int(st, 3, limit);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
      json_t *o = json_pack("{s:I,s:s,s:s?,s:s,s:s,s:o,s:o}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                            "kind", ts_sq_text(st, 1), "case_no",
                            sqlite3_column_text(st, 2) ? ts_sq_text(st, 2) : NULL, "title",
                            ts_sq_text(st, 3), "body", ts_sq_text(st, 4), "created_at",
                            ts_sq_time_json(sqlite3_column_int64(st, 5)), "read_at",
                            ts_sq_time_json(sqlite3_column_int64(st, 6)));
      if (!o || json_array_append_new(arr, o))
        rc = TS_ERR_NOMEM;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(cnt, 1, username, -1, SQLITE_STATIC);
    if (sqlite3_step(cnt) == SQLITE_ROW)
      *unread = sqlite3_column_int64(cnt, 0);
    sqlite3_reset(cnt);
    sqlite3_clear_bindings(cnt);
  }
  ts_sq_reader_put(s, c, t0);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

int ts_tx_notification_read(ts_tx *tx, const char *username, int64_t id, int64_t at) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st =
    id ? ts_sq_stmt(s, c, S_NOTIF_READ, "UPDATE notifications SET read_at = coalesce(read_at, ?3) "
                    "WHERE username = ?1 AND id = ?2")
       : ts_sq_stmt(s, c, S_NOTIF_READ_ALL, "UPDATE notifications SET read_at = ?3 "
                    "WHERE username = ?1 AND read_at IS NULL AND ?2 = 0");
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, id);
  sqlite3_bind_int64(st, 3, at);
  int rc = ts_sq_step_done(c, st, "notification read");
  if (!rc && id && !sqlite3_changes(ts_sq_db(c)))
    rc = TS_ERR_NOT_FOUND;
  return rc;
}

static char *dup_col(sqlite3_stmt *st, int i) {
  if (sqlite3_column_type(st, i) == SQLITE_NULL)
    return NULL;
  const char *v = ts_sq_text(st, i);
  size_t n = strlen(v) + 1;
  char *d = malloc(n);
  if (d)
    memcpy(d, v, n);
  return d;
}

void ts_outbox_free(ts_outbox_msg *m, int n) {
  for (int i = 0; m && i < n; i++) {
    free(m[i].subject);
    free(m[i].body);
    free(m[i].html);
  }
  free(m);
}

int ts_store_outbox_due(ts_store *s, int64_t now, int max, ts_outbox_msg **out, int *n) {
  int64_t t0;
  ts_outbox_msg *arr = calloc((size_t)(max > 0 ? max : 1), sizeof *arr);
  int k = 0, rc = arr ? TS_OK : TS_ERR_NOMEM;
  conn *c = ts_sq_reader_get(s, &t0);
  sqlite3_stmt *st = ts_sq_stmt(s, c, S_OUTBOX_DUE,
                                "SELECT id, coalesce(case_id, 0), created_at, attempts, kind, target, event, "
                                "subject, body, html FROM outbox WHERE status = 'pending' AND next_at <= ? "
                                "ORDER BY next_at, id LIMIT ?");
  if (!rc && !st)
    rc = TS_ERR_STORE;
  if (!rc) {
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, max);
    while (!rc && k < max && sqlite3_step(st) == SQLITE_ROW) {
      ts_outbox_msg *m = &arr[k++];
      m->id = sqlite3_column_int64(st, 0);
      m->case_id = sqlite3_column_int64(st, 1);
      m->created_at = sqlite3_column_int64(st, 2);
      m->attempts = sqlite3_column_int(st, 3);
      snprintf(m->kind, sizeof m->kind, "%s", ts_sq_text(st, 4));
      snprintf(m->target, sizeof m->target, "%s", ts_sq_text(st, 5));
      snprintf(m->event, sizeof m->event, "%s", ts_sq_text(st, 6));
      m->subject = dup_col(st, 7);
      m->body = dup_col(st, 8);
      m->html = dup_col(st, 9);
      if (!m->subject || !m->body)
        rc = TS_ERR_NOMEM;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  ts_sq_reader_put(s, c, t0);
  if (rc) {
    ts_outbox_free(arr, k);
    return rc;
  }
  *out = arr;
  *n = k;
  return TS_OK;
}

int ts_tx_outbox_result(ts_tx *tx, int64_t id, int sent, const char *error, int64_t now,
                        int64_t next_at) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st = ts_sq_stmt(s, c, S_OUTBOX_RESULT,
                                "UPDATE outbox SET attempts = attempts + 1, "
                                "status = CASE WHEN ?2 THEN 'sent' WHEN ?5 = 0 THEN 'failed' ELSE 'pending' END, "
                                "sent_at = CASE WHEN ?2 THEN ?4 END, last_error = ?3, "
                                "next_at = CASE WHEN ?2 OR ?5 = 0 THEN next_at ELSE ?5 END "
                                "WHERE id = ?1 AND status = 'pending'");
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int(st, 2, sent ? 1 : 0);
  if (error && !sent)
    sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 3);
  sqlite3_bind_int64(st, 4, now);
  sqlite3_bind_int64(st, 5, next_at);
  return ts_sq_step_done(c, st, "outbox result");
}

static void bind_outbox_filter(sqlite3_stmt *st, const void *arg) {
  const char *const *t = arg;
  sqlite3_bind_text(st, 1, t[0], -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, atoi(t[1]));
}

int ts_store_outbox_list(ts_store *s, const char *status, int limit, json_t **out) {
  static const char *const names[] = {"id", "event", "kind", "target", "case_no", "subject",
                                      "status", "attempts", "created_at", "next_at", "sent_at",
                                      "last_error"};
  char lim[16];
  snprintf(lim, sizeof lim, "%d", limit > 0 ? limit : 100);
  const char *args[2] = {status, lim};
  json_t *rows;
  int rc = ts_sq_rows(s, status ? S_OUTBOX_LIST_STATUS : S_OUTBOX_LIST,
                      "SELECT o.id, o.event, o.kind, o.target, c.case_no, o.subject, o.status, o.attempts, "
                      "o.created_at, o.next_at, o.sent_at, o.last_error FROM outbox o "
                      "LEFT JOIN cases c ON c.id = o.case_id WHERE (?1 IS NULL OR o.status = ?1) "
                      "ORDER BY o.id DESC LIMIT ?2", bind_outbox_filter, args, names, 12, &rows);
  if (rc)
    return rc;
  size_t i;
  json_t *o;
  static const char *const times[] = {"created_at", "next_at", "sent_at"};
  json_array_foreach(rows, i, o) {
    for (int k = 0; k < 3; k++)
      json_object_set_new(o, times[k], ts_sq_time_json(json_integer_value(json_object_get(o, times[k]))));
  }
  *out = rows;
  return TS_OK;
}

int ts_tx_outbox_retry(ts_tx *tx, int64_t id, int64_t now) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st = ts_sq_stmt(s, c, S_OUTBOX_RETRY,
                                "UPDATE outbox SET status = 'pending', next_at = ?2 "
                                "WHERE id = ?1 AND status = 'failed'");
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, now);
  int rc = ts_sq_step_done(c, st, "outbox retry");
  if (!rc && !sqlite3_changes(ts_sq_db(c)))
    rc = TS_ERR_NOT_FOUND;
  return rc;
}

/* ---- webhooks ---------------------------------------------------------------------------------- */

int ts_tx_webhook_add(ts_tx *tx, const char *url, const char *secret, const char *events,
                      int64_t now, int64_t *id) {
  int rc = admin_exec(tx, "INSERT INTO webhooks(url, secret, events, created_at) VALUES (?1, ?2, ?3, ?4) "
                      "/* ?5 */", url, secret, events, now, 0);
  if (!rc && id)
    *id = sqlite3_last_insert_rowid(ts_sq_db(ts_sq_tx_conn(tx)));
  return rc;
}

int ts_tx_webhook_delete(ts_tx *tx, int64_t id) {
  return admin_exec(tx, "UPDATE webhooks SET active = 0 WHERE id = ?4 AND active = 1 "
                    "AND ?1 IS NULL AND ?2 IS NULL AND ?3 IS NULL /* ?5 */", NULL, NULL, NULL, id, 0);
}

int ts_store_webhook_list(ts_store *s, json_t **out) {
  static const char *const names[] = {"id", "url", "events", "active", "created_at"};
  json_t *rows;
  int rc = ts_sq_rows(s, S_WEBHOOK_LIST, "SELECT id, url, events, active, created_at FROM webhooks "
                      "WHERE active = 1 ORDER BY id", NULL, NULL, names, 5, &rows);
  if (rc)
    return rc;
  size_t i;
  json_t *o;
  json_array_foreach(rows, i, o) {
    json_object_set_new(o, "active", json_boolean(json_integer_value(json_object_get(o, "active"))));
    json_object_set_new(o, "created_at", ts_sq_time_json(json_integer_value(json_object_get(o, "created_at"))));
  }
  *out = rows;
  return TS_OK;
}

int ts_store_webhook_get(ts_store *s, int64_t id, char *url, size_t urlsz, char *secret,
                         size_t secretsz) {
  int64_t t0;
  conn *c = ts_sq_reader_get(s, &t0);
  sqlite3_stmt *st = NULL;
  int rc = TS_ERR_STORE;
  if (sqlite3_prepare_v2(ts_sq_db(c), "SELECT url, secret FROM webhooks WHERE id = ? AND active = 1",
                         -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : ts_sq_map(r);
    if (!rc) {
      snprintf(url, urlsz, "%s", ts_sq_text(st, 0));
      snprintf(secret, secretsz, "%s", ts_sq_text(st, 1));
    }
  }
  sqlite3_finalize(st);
  ts_sq_reader_put(s, c, t0);
  return rc;
}

/* ---- letter templates ------------------------------------------------------------------------ */

static int letter_on(ts_store *s, conn *c, const char *code, const char *lang, char **subject,
                     char **body) {
  sqlite3_stmt *st = ts_sq_stmt(s, c, S_LETTER_GET,
                                "SELECT subject, body FROM letter_templates WHERE code = ? AND lang = ?");
  int rc;
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
  int r = sqlite3_step(st);
  rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : ts_sq_map(r);
  if (!rc) {
    *subject = dup_col(st, 0);
    *body = dup_col(st, 1);
    if (!*subject || !*body) {
      free(*subject);
      free(*body);
      rc = TS_ERR_NOMEM;
    }
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

int ts_store_letter_get(ts_store *s, const char *code, const char *lang, char **subject,
                        char **body) {
  int64_t t0;
  conn *c = ts_sq_reader_get(s, &t0);
  int rc = letter_on(s, c, code, lang, subject, body);
  ts_sq_reader_put(s, c, t0);
  return rc;
}

int ts_tx_letter_get(ts_tx *tx, const char *code, const char *lang, char **subject,
                     char **body) {
  return letter_on(ts_sq_tx_store(tx), ts_sq_tx_conn(tx), code, lang, subject, body);
}

int ts_store_letter_list(ts_store *s, json_t **out) {
  static const char *const names[] = {"code", "lang", "subject", "body", "updated_at", "updated_by"};
  json_t *rows;
  int rc = ts_sq_rows(s, S_LETTER_LIST, "SELECT code, lang, subject, body, updated_at, updated_by "
                      "FROM letter_templates ORDER BY code, lang", NULL, NULL, names, 6, &rows);
  if (rc)
    return rc;
  size_t i;
  json_t *o;
  json_array_foreach(rows, i, o) {
    json_object_set_new(o, "updated_at", ts_sq_time_json(json_integer_value(json_object_get(o, "updated_at"))));
  }
  *out = rows;
  return TS_OK;
}

int ts_tx_letter_put(ts_tx *tx, const char *code, const char *lang, const char *subject,
                     const char *body, const char *by, int64_t now) {
  sqlite3 *db = ts_sq_db(ts_sq_tx_conn(tx));
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "INSERT INTO letter_templates(code, lang, subject, body, updated_at, updated_by) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(code, lang) DO UPDATE SET "
                         "subject = ?3, body = ?4, updated_at = ?5, updated_by = ?6", -1, &st, NULL) != SQLITE_OK)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, subject, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, body, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, now);
  sqlite3_bind_text(st, 6, by, -1, SQLITE_STATIC);
  int r = sqlite3_step(st);
  sqlite3_finalize(st);
  return r == SQLITE_DONE ? TS_OK : ts_sq_map(r);
}

/* ---- pending items --------------------------------------------------------------------------- */

static void bind_after(sqlite3_stmt *st, const void *arg) {
  sqlite3_bind_text(st, 1, arg ? arg : "", -1, SQLITE_STATIC);
}

int ts_store_pending_cases(ts_store *s, const char *after_no, int max, char (*out)[33], int *n) {
  return case_nos(s, S_PENDING_CASES,
                  "SELECT case_no FROM cases WHERE status = 'pending' AND case_no > ?1 "
                  "ORDER BY case_no LIMIT ?2", bind_after, after_no, max, out, n);
}

int ts_tx_outbox_claim(ts_tx *tx, int64_t id, int64_t now, int64_t until, int *claimed) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st = ts_sq_stmt(s, c, S_OUTBOX_CLAIM,
                                "UPDATE outbox SET next_at = ?3 WHERE id = ?1 AND status = 'pending' "
                                "AND next_at <= ?2");
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, now);
  sqlite3_bind_int64(st, 3, until);
  int rc = ts_sq_step_done(c, st, "outbox claim");
  *claimed = !rc && sqlite3_changes(ts_sq_db(c)) == 1;
  return rc;
}
