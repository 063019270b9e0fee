/* The analysis report's reads (store.h ts_store_report_scan) and the stored reports, over
 * migration 11: each set of cases is one range of a covering index, so a month of a store
 * of millions reads only that month's index entries, never the cases' rows. */
#include <stdlib.h>
#include <string.h>

#include "core/ts_err.h"
#include "store/sqlite_int.h"
#include "util/log.h"

enum {
  R_RECEIVED = TS_SQ_SLOTS_REPORT,
  R_FINISHED,
  R_OPEN_NOW,
  R_OPEN_LATER,
  R_PENDING,
  R_DAYS,
  R_PENALTIES,
  R_PUT,
  R_GET,
  R_EXISTS,
  R_LIST
};

/* The covering indexes are named, so that a plan never falls back to reading the rows. */
#define RECEIVED_SQL                                                                         \
  "SELECT id, received_at, closed_at, outlet_id, dept_id, case_no, status, grade, category," \
  " channel, root_cause, service_stage, responsibility, validity, nature, external, c_phone,"  \
  " c_customer_id, c_name, subject_key, sla_clocks FROM cases INDEXED BY cases_report_received" \
  " WHERE received_at >= ?1 AND received_at < ?2"
#define FINISHED_SQL                                                                         \
  "SELECT id, received_at, closed_at, outlet_id, dept_id, status, category, reopen_count,"    \
  " proposal_no, satisfaction, responsibility, l_attributed_to, l_compensation_cents,"        \
  " l_refund_cents, l_discount_cents, l_repair_cents, l_goods_cents, l_freight_cents,"        \
  " l_gift_cents, l_other_cents FROM cases INDEXED BY cases_report_finished"                  \
  " WHERE closed_at >= ?1 AND closed_at < ?2"
/* Open at ?1: not finished now, or finished at or after ?1 (received before it). */
#define OPEN_NOW_SQL                                                                         \
  "SELECT id, received_at, 0, outlet_id, dept_id, status, grade FROM cases"                  \
  " INDEXED BY cases_report_open WHERE closed_at IS NULL AND received_at < ?1"
#define OPEN_LATER_SQL                                                                       \
  "SELECT id, received_at, closed_at, outlet_id, dept_id, status, grade FROM cases"          \
  " INDEXED BY cases_report_finished WHERE closed_at >= ?1 AND received_at < ?1"
#define PENDING_SQL                                                                          \
  "SELECT id, received_at, 0, outlet_id, dept_id, case_no, grade, pending_reason,"           \
  " pending_remind_on, pending_from, handler FROM cases WHERE status = 'pending'"            \
  " AND received_at < ?1 ORDER BY received_at, id"
#define DAYS_SQL                                                                             \
  "SELECT day, outlet_id, dept_id, received, finished FROM report_days"                      \
  " WHERE day >= ?1 AND day <= ?2"
#define PENALTIES_SQL                                                                        \
  "SELECT p.id, p.case_id, coalesce(c.outlet_id, 0), coalesce(c.dept_id, 0), p.proposed_at," \
  " coalesce(p.amount_cents, -1), coalesce(p.share_pct, -1), c.case_no, p.person, p.kind,"    \
  " p.status FROM case_penalties p JOIN cases c ON c.id = p.case_id WHERE p.id IN"            \
  " (SELECT id FROM case_penalties WHERE proposed_at >= ?1 AND proposed_at < ?2 UNION"        \
  " SELECT id FROM case_penalties WHERE status IN ('proposed','approved') AND proposed_at < ?2)" \
  " ORDER BY p.proposed_at, p.id"

static const char *text_or_null(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i); /* NULL for NULL */
}

/* Steps a prepared statement to its end, handing each row to `row`; resets it. */
static int each_row(conn *c, sqlite3_stmt *st, int (*row)(sqlite3_stmt *, const ts_rep_scan *),
                    const ts_rep_scan *q) {
  int r, rc = TS_OK;
  while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW)
    rc = row(st, q);
  if (!rc && r != SQLITE_DONE) {
    ts_log(TS_LOG_ERROR, "report read failed",
           json_pack("{s:s}", "detail", sqlite3_errmsg(ts_sq_db(c))));
    rc = ts_sq_map(r);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

/* Every set's first five columns: id, received_at, closed_at (0 when none or not read),
 * outlet_id, dept_id. */
static ts_rep_case row_head(sqlite3_stmt *st) {
  ts_rep_case k = {0};
  k.id = sqlite3_column_int64(st, 0);
  k.received_at = sqlite3_column_int64(st, 1);
  k.closed_at = sqlite3_column_int64(st, 2);
  k.outlet_id = sqlite3_column_int64(st, 3);
  k.dept_id = sqlite3_column_int64(st, 4);
  return k;
}

static int row_received(sqlite3_stmt *st, const ts_rep_scan *q) {
  ts_rep_case k = row_head(st);
  k.case_no = text_or_null(st, 5);
  k.status = text_or_null(st, 6);
  k.grade = text_or_null(st, 7);
  k.category = text_or_null(st, 8);
  k.channel = text_or_null(st, 9);
  k.root_cause = text_or_null(st, 10);
  k.service_stage = text_or_null(st, 11);
  k.responsibility = text_or_null(st, 12);
  k.validity = text_or_null(st, 13);
  k.nature = text_or_null(st, 14);
  k.external = sqlite3_column_int(st, 15);
  k.phone = text_or_null(st, 16);
  k.customer_id = text_or_null(st, 17);
  k.name = text_or_null(st, 18);
  k.subject_key = text_or_null(st, 19);
  k.sla_clocks = text_or_null(st, 20);
  return q->on_case(q->arg, TS_REP_RECEIVED, &k);
}

static int row_finished(sqlite3_stmt *st, const ts_rep_scan *q) {
  ts_rep_case k = row_head(st);
  k.status = text_or_null(st, 5);
  k.category = text_or_null(st, 6);
  k.reopen_count = sqlite3_column_int(st, 7);
  k.proposal_no = sqlite3_column_int(st, 8);
  k.satisfaction = sqlite3_column_int(st, 9);
  k.responsibility = text_or_null(st, 10);
  k.attributed_to = text_or_null(st, 11);
  for (int i = 0; i < TS_LOSS__COUNT; i++)
    k.loss[i] = sqlite3_column_int64(st, 12 + i);
  return q->on_case(q->arg, TS_REP_FINISHED, &k);
}

/* Open at the backlog's instant: not finished now, or finished since (its status is now a
 * final one; the report counts it under the status it had, which it does not know, as
 * "finished since"). */
static int row_open_now(sqlite3_stmt *st, const ts_rep_scan *q) {
  ts_rep_case k = row_head(st);
  k.status = text_or_null(st, 5);
  k.grade = text_or_null(st, 6);
  return q->on_case(q->arg, TS_REP_OPEN, &k);
}

static int row_pending(sqlite3_stmt *st, const ts_rep_scan *q) {
  ts_rep_case k = row_head(st);
  k.case_no = text_or_null(st, 5);
  k.grade = text_or_null(st, 6);
  k.status = "pending";
  k.pending_reason = text_or_null(st, 7);
  k.pending_remind_on = text_or_null(st, 8);
  k.pending_from = text_or_null(st, 9);
  k.handler = text_or_null(st, 10);
  return q->on_case(q->arg, TS_REP_PENDING, &k);
}

static int row_day(sqlite3_stmt *st, const ts_rep_scan *q) {
  ts_rep_day d = {text_or_null(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                  sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4)};
  return q->on_day(q->arg, &d);
}

static int row_penalty(sqlite3_stmt *st, const ts_rep_scan *q) {
  ts_rep_penalty p = {0};
  p.id = sqlite3_column_int64(st, 0);
  p.case_id = sqlite3_column_int64(st, 1);
  p.outlet_id = sqlite3_column_int64(st, 2);
  p.dept_id = sqlite3_column_int64(st, 3);
  p.proposed_at = sqlite3_column_int64(st, 4);
  p.amount_cents = sqlite3_column_int64(st, 5);
  p.share_pct = sqlite3_column_int(st, 6);
  p.case_no = text_or_null(st, 7);
  p.person = text_or_null(st, 8);
  p.kind = text_or_null(st, 9);
  p.status = text_or_null(st, 10);
  return q->on_penalty(q->arg, &p);
}

int ts_store_report_scan(ts_store *s, const ts_rep_scan *q) {
  static const struct {
    int slot;
    const char *sql;
    int (*row)(sqlite3_stmt *, const ts_rep_scan *);
    int bind; /* 0: from, to; 1: open_at; 2: to; 3: the days */
  } steps[] = {
    {R_RECEIVED, RECEIVED_SQL, row_received, 0}, {R_FINISHED, FINISHED_SQL, row_finished, 0},
    {R_OPEN_NOW, OPEN_NOW_SQL, row_open_now, 1}, {R_OPEN_LATER, OPEN_LATER_SQL, row_open_now, 1},
    {R_PENDING, PENDING_SQL, row_pending, 2},    {R_DAYS, DAYS_SQL, row_day, 3},
    {R_PENALTIES, PENALTIES_SQL, row_penalty, 0}};
  conn *c = NULL;
  int64_t t0;
  int rc = ts_sq_read_begin(s, &c, &t0);
  for (size_t i = 0; !rc && i < sizeof steps / sizeof steps[0]; i++) {
    if ((steps[i].row == row_day && !q->on_day) || (steps[i].row == row_penalty && !q->on_penalty) ||
        (steps[i].row != row_day && steps[i].row != row_penalty && !q->on_case))
      continue;
    sqlite3_stmt *st = ts_sq_stmt(s, c, steps[i].slot, steps[i].sql);
    if (!st) {
      rc = TS_ERR_STORE;
      break;
    }
    switch (steps[i].bind) {
    case 0:
      sqlite3_bind_int64(st, 1, q->from);
      sqlite3_bind_int64(st, 2, q->to);
      break;
    case 1:
      sqlite3_bind_int64(st, 1, q->open_at);
      break;
    case 2:
      sqlite3_bind_int64(st, 1, q->to);
      break;
    default:
      sqlite3_bind_text(st, 1, q->day_from ? q->day_from : "", -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, q->day_to ? q->day_to : "", -1, SQLITE_STATIC);
    }
    rc = each_row(c, st, steps[i].row, q);
  }
  ts_sq_read_end(s, c, t0);
  return rc;
}

/* ---- stored reports ------------------------------------------------------------------------ */

int ts_tx_report_put(ts_tx *tx, const char *kind, const char *label, int64_t unit_id,
                     int64_t at, const char *by, const char *doc) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st = ts_sq_stmt(s, c, R_PUT,
                                "INSERT INTO reports(kind, label, unit_id, generated_at, "
                                "generated_by, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                                "ON CONFLICT(kind, label, unit_id) DO UPDATE SET "
                                "generated_at = excluded.generated_at, generated_by = "
                                "excluded.generated_by, doc = excluded.doc");
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, unit_id);
  sqlite3_bind_int64(st, 4, at);
  sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, doc, -1, SQLITE_STATIC);
  return ts_sq_step_done(c, st, "report put");
}

int ts_tx_report_exists(ts_tx *tx, const char *kind, const char *label, int64_t unit_id,
                        int *exists) {
  ts_store *s = ts_sq_tx_store(tx);
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st = ts_sq_stmt(s, c, R_EXISTS,
                                "SELECT 1 FROM reports WHERE kind = ?1 AND label = ?2 AND unit_id = ?3");
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, unit_id);
  int r = sqlite3_step(st);
  *exists = r == SQLITE_ROW;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return r == SQLITE_ROW || r == SQLITE_DONE ? TS_OK : ts_sq_map(r);
}

int ts_store_report_by_id(ts_store *s, int64_t id, int64_t *unit_id, char **doc) {
  int64_t t0;
  conn *c = ts_sq_reader_get(s, &t0);
  int rc = TS_ERR_STORE;
  *doc = NULL;
  sqlite3_stmt *st = ts_sq_stmt(s, c, R_GET, "SELECT doc, unit_id FROM reports WHERE id = ?1");
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
      *doc = strdup(ts_sq_text(st, 0));
      *unit_id = sqlite3_column_int64(st, 1);
      rc = *doc ? TS_OK : TS_ERR_NOMEM;
    } else {
      rc = r == SQLITE_DONE ? TS_ERR_NOT_FOUND : ts_sq_map(r);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  ts_sq_reader_put(s, c, t0);
  return rc;
}

int ts_store_report_list(ts_store *s, json_t **out) {
  static const char *const names[] = {"id", "kind", "label", "unit_id", "generated_at_unix",
                                      "generated_by"};
  json_t *rows = NULL;
  int rc = ts_sq_rows(s, R_LIST,
                      "SELECT id, kind, label, unit_id, generated_at, generated_by FROM reports "
                      "ORDER BY generated_at DESC, id DESC LIMIT 500",
                      NULL, NULL, names, 6, &rows);
  if (rc)
    return rc;
  size_t i;
  json_t *o;
  json_array_foreach(rows, i, o) {
    json_object_set_new(o, "generated_at",
                        ts_sq_time_json(json_integer_value(json_object_get(o, "generated_at_unix"))));
    json_object_del(o, "generated_at_unix");
  }
  *out = rows;
  return TS_OK;
}
