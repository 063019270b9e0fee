/* The SQLite backend of store.h.
 *
 * Design. One file, WAL journal, foreign keys on, synchronous=FULL. One writer thread
 * owns the only read-write connection and runs queued apply functions in group
 * commits (see store.h). Readers borrow a connection from a pool; each connection keeps
 * its prepared statements (SQLITE_PREPARE_PERSISTENT), so a hot read is bind, step,
 * reset. All SQL lives in this file. */
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/caseno.h"
#include "core/ts_err.h"
#include "store/migrations.h"
#include "store/fts.h"
#include "store/sqlite_int.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/tstime.h"

/* statement slots of ts_sq_stmt beyond the Q_* table (sqlite_int.h) */
enum { X_APPROVAL_LIST = TS_SQ_SLOTS_SQLITE, X_SETTING_LIST, X_ESCALATION_LIST, X_NOTE_DELETE };

/* ---- statements ------------------------------------------------------------------- */

enum {
  Q_PING,
  Q_UNIT_GET,
  Q_UNIT_BY_CODE,
  Q_UNIT_LIST,
  Q_UNIT_INSERT,
  Q_UNIT_SET_PATH,
  Q_UNIT_UPDATE,
  Q_USER_GET,
  Q_USER_LIST,
  Q_USER_INSERT,
  Q_USER_UPDATE,
  Q_USER_SET_PW,
  Q_ADMIN_COUNT,
  Q_SESSION_INSERT,
  Q_SESSION_DELETE,
  Q_SESSIONS_DELETE_USER,
  Q_SESSION_USER,
  Q_CHANNEL_GET,
  Q_CATEGORY_GET,
  Q_CHANNEL_LIST,
  Q_CATEGORY_LIST,
  Q_COUNTER_NEXT,
  Q_CASE_INSERT,
  Q_CASE_GET,
  Q_CASE_UPDATE,
  Q_HISTORY_ADD,
  Q_HISTORY_LIST,
  Q_NOTE_ADD,
  Q_NOTE_LIST,
  Q_CONTACT_ADD,
  Q_CONTACT_LIST,
  Q_PROMISE_ADD,
  Q_PROMISE_GET,
  Q_PROMISE_SETTLE,
  Q_PROMISE_LIST,
  Q_WRITEUP_INSERT,
  Q_WRITEUP_GET,
  Q_WRITEUP_UPDATE,
  Q_ROUTE,
  Q_ROUTE_LIST,
  Q_ROUTE_ADD,
  Q_ROUTE_DELETE,
  Q_TIERS,
  Q_REGION_OF,
  Q_USERS_WITH_ROLE,
  Q_NOTICE_ADD,
  Q_NOTICE_LIST,
  Q_STAGE_GET,
  Q_STAGE_LIST,
  Q_SETTING,
  Q_IMPROVEMENT_ADD,
  Q_IMPROVEMENT_GET,
  Q_IMPROVEMENT_STATUS,
  Q_IMPROVEMENT_COUNT,
  Q_IMPROVEMENT_LIST,
  Q_PENALTY_ADD,
  Q_PENALTY_GET,
  Q_PENALTY_LIST,
  Q_RULES_ACTIVE,
  Q_RULES_ALL,
  Q_RULE_PUT,
  Q_COUNT_SUBJECT_CUSTOMERS,
  Q_COUNT_SIMILAR,
  Q_COUNT_COMPLAINANT,
  Q_COUNT_INBOUND,
  Q_COUNT_DEPTS,
  Q_APPROVAL_LIMITS,
  Q_SOLUTION_ADD,
  Q_SOLUTION_GET,
  Q_BEGIN_IMMEDIATE,
  Q_SAVEPOINT,
  Q_ROLLBACK_TO,
  Q_RELEASE,
  Q_COMMIT,
  Q_EVIDENCE_ADD,
  Q_EVIDENCE_GET,
  Q_EVIDENCE_LIST,
  Q__COUNT
};

#define USER_COLS                                                                        \
  "u.id, u.username, u.display_name, u.email, u.roles, coalesce(u.unit_id,0), "          \
  "coalesce(o.path,''), u.disabled, u.created_at"

static const char *const static_sql[Q__COUNT] = {
  [Q_PING] = "SELECT 1",
  [Q_UNIT_GET] = "SELECT id, coalesce(code,''), name, kind, coalesce(parent_id,0), path, "
                 "created_at FROM org_units WHERE id = ?",
  [Q_UNIT_BY_CODE] = "SELECT id, coalesce(code,''), name, kind, coalesce(parent_id,0), path, "
                     "created_at FROM org_units WHERE code = ?",
  [Q_UNIT_LIST] = "SELECT id, coalesce(code,''), name, kind, coalesce(parent_id,0), path, "
                  "created_at FROM org_units ORDER BY path",
  [Q_UNIT_INSERT] = "INSERT INTO org_units(code, name, kind, parent_id, path, created_at) "
                    "VALUES (nullif(?,''), ?, ?, nullif(?,0), 'new:' || hex(randomblob(8)), ?)",
  [Q_UNIT_SET_PATH] = "UPDATE org_units SET path = ? WHERE id = ?",
  [Q_UNIT_UPDATE] = "UPDATE org_units SET code = nullif(?,''), name = ? WHERE id = ?",
  [Q_USER_GET] = "SELECT " USER_COLS ", u.password_hash FROM users u "
                 "LEFT JOIN org_units o ON o.id = u.unit_id WHERE u.username = ?",
  [Q_USER_LIST] = "SELECT " USER_COLS " FROM users u LEFT JOIN org_units o ON o.id = u.unit_id "
                  "ORDER BY u.username",
  [Q_USER_INSERT] = "INSERT INTO users(username, display_name, email, password_hash, roles, "
                    "unit_id, disabled, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, nullif(?,0), ?, ?, ?)",
  [Q_USER_UPDATE] = "UPDATE users SET display_name = ?, email = ?, roles = ?, "
                    "unit_id = nullif(?,0), disabled = ?, updated_at = ? WHERE username = ?",
  [Q_USER_SET_PW] = "UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?",
  [Q_ADMIN_COUNT] = "SELECT count(*) FROM users WHERE disabled = 0 AND (roles & 128) != 0",
  [Q_SESSION_INSERT] = "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) "
                       "VALUES (?, ?, ?, ?)",
  [Q_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?",
  [Q_SESSIONS_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?",
  [Q_SESSION_USER] = "SELECT " USER_COLS " FROM sessions s JOIN users u ON u.id = s.user_id "
                     "LEFT JOIN org_units o ON o.id = u.unit_id "
                     "WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0",
  [Q_CHANNEL_GET] = "SELECT external FROM channels WHERE code = ? AND active = 1",
  [Q_CATEGORY_GET] = "SELECT 1 FROM categories WHERE code = ? AND active = 1",
  [Q_CHANNEL_LIST] = "SELECT code, name_zh, name_en, external FROM channels WHERE active = 1 "
                     "ORDER BY sort, code",
  [Q_CATEGORY_LIST] = "SELECT code, parent_code, name_zh, name_en FROM categories "
                      "WHERE active = 1 ORDER BY sort, code",
  [Q_COUNTER_NEXT] = "INSERT INTO case_counters(period, last) VALUES (?, 1) "
                     "ON CONFLICT(period) DO UPDATE SET last = last + 1 RETURNING last",
  /* Q_CASE_INSERT, Q_CASE_GET, Q_CASE_UPDATE are built from the field table at open. */
  [Q_HISTORY_ADD] = "INSERT INTO case_history(case_id, at, actor, action, changes) "
                    "VALUES (?, ?, ?, ?, ?)",
  [Q_HISTORY_LIST] = "SELECT id, at, actor, action, changes FROM case_history "
                     "WHERE case_id = ? ORDER BY id",
  [Q_NOTE_ADD] = "INSERT INTO case_notes(case_id, at, author, text) VALUES (?, ?, ?, ?)",
  [Q_NOTE_LIST] = "SELECT id, at, author, text FROM case_notes WHERE case_id = ? ORDER BY id",
  [Q_CONTACT_ADD] = "INSERT INTO case_contacts(case_id, at, by_user, method, direction, "
                    "summary, reached) VALUES (?, ?, ?, ?, ?, ?, ?)",
  [Q_CONTACT_LIST] = "SELECT id, at, by_user, method, direction, summary, reached FROM case_contacts "
                     "WHERE case_id = ? ORDER BY at, id",
  [Q_PROMISE_ADD] = "INSERT INTO case_promises(case_id, created_at, by_user, promise, due_at) "
                    "VALUES (?, ?, ?, ?, ?)",
  [Q_PROMISE_GET] = "SELECT id, case_id, created_at, by_user, promise, due_at, "
                    "coalesce(kept,-1), coalesce(settled_at,0) FROM case_promises "
                    "WHERE case_id = ? AND id = ?",
  [Q_PROMISE_SETTLE] = "UPDATE case_promises SET kept = ?, settled_at = ? WHERE id = ?",
  [Q_PROMISE_LIST] = "SELECT id, case_id, created_at, by_user, promise, due_at, "
                     "coalesce(kept,-1), coalesce(settled_at,0) FROM case_promises "
                     "WHERE case_id = ? ORDER BY id",
  [Q_WRITEUP_INSERT] = "INSERT INTO case_writeups(case_id, title, scenario, analysis, "
                      "correct_practice, solution, category, service_stage, grade, status, "
                      "created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,'draft',?,?,?)",
  [Q_WRITEUP_GET] = "SELECT w.id, w.case_id, c.case_no, w.title, w.scenario, w.analysis, "
                    "w.correct_practice, w.solution, coalesce(w.category,''), "
                    "coalesce(w.service_stage,''), coalesce(w.grade,''), w.status, w.created_by, "
                    "w.created_at, w.updated_at, coalesce(w.published_at,0) FROM case_writeups w "
                    "JOIN cases c ON c.id = w.case_id WHERE w.id = ?",
  [Q_WRITEUP_UPDATE] = "UPDATE case_writeups SET title = ?, scenario = ?, analysis = ?, "
                       "correct_practice = ?, solution = ?, status = ?, updated_at = ?, "
                       "published_at = nullif(?,0) WHERE id = ?",
  [Q_ROUTE] = "SELECT r.dept_id FROM routes r LEFT JOIN org_units u ON u.id = r.unit_id "
              "WHERE (r.category IS NULL OR r.category = ?1) AND (r.unit_id IS NULL OR "
              "(SELECT path FROM org_units WHERE id = ?2) LIKE u.path || '%') "
              "ORDER BY (r.category IS NOT NULL) DESC, (r.unit_id IS NOT NULL) DESC, "
              "r.priority, r.id LIMIT 1",
  [Q_ROUTE_LIST] = "SELECT id, category, unit_id, dept_id, priority FROM routes "
                   "ORDER BY category IS NULL, category, unit_id IS NULL, priority, id",
  [Q_ROUTE_ADD] = "INSERT INTO routes(category, unit_id, dept_id, priority, created_at) "
                  "VALUES (?, nullif(?,0), ?, ?, ?)",
  [Q_ROUTE_DELETE] = "DELETE FROM routes WHERE id = ?",
  [Q_TIERS] = "SELECT target FROM escalation_tiers WHERE grade = ? ORDER BY target",
  [Q_REGION_OF] = "SELECT a.id, a.name FROM org_units o JOIN org_units a "
                  "ON o.path LIKE a.path || '%' WHERE o.id = ? AND a.kind = 'region' "
                  "ORDER BY length(a.path) DESC LIMIT 1",
  [Q_USERS_WITH_ROLE] = "SELECT username FROM users WHERE disabled = 0 AND (roles & ?) != 0 "
                        "ORDER BY username",
  [Q_NOTICE_ADD] = "INSERT INTO case_notices(case_id, grade, target, recipient, reason, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
  [Q_NOTICE_LIST] = "SELECT id, grade, target, recipient, reason, created_at, "
                    "coalesce(delivered_at,0) FROM case_notices WHERE case_id = ? ORDER BY id",
  [Q_STAGE_GET] = "SELECT 1 FROM service_stages WHERE code = ? AND active = 1",
  [Q_STAGE_LIST] = "SELECT code, name_zh, name_en FROM service_stages WHERE active = 1 "
                   "ORDER BY sort, code",
  [Q_SETTING] = "SELECT value FROM settings WHERE key = ?",
  [Q_IMPROVEMENT_ADD] = "INSERT INTO case_improvements(case_id, kind, description, owner, due_on, "
                        "status, created_by, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
  [Q_IMPROVEMENT_GET] = "SELECT id, case_id, kind, description, owner, due_on, status, created_by, "
                        "created_at, coalesce(done_at,0) FROM case_improvements "
                        "WHERE case_id = ? AND id = ?",
  [Q_IMPROVEMENT_STATUS] = "UPDATE case_improvements SET status = ?, done_at = ? WHERE id = ?",
  [Q_IMPROVEMENT_COUNT] = "SELECT count(*) FROM case_improvements WHERE case_id = ? "
                          "AND status != 'cancelled'",
  [Q_IMPROVEMENT_LIST] = "SELECT id, case_id, kind, description, owner, due_on, status, created_by, "
                         "created_at, coalesce(done_at,0) FROM case_improvements "
                         "WHERE case_id = ? ORDER BY id",
  [Q_PENALTY_ADD] = "INSERT INTO case_penalties(case_id, person, kind, amount_cents, share_pct, "
                    "reason, status, proposed_by, proposed_at) "
                    "VALUES (?, ?, ?, nullif(?,-1), nullif(?,-1), ?, 'proposed', ?, ?)",
  [Q_PENALTY_GET] = "SELECT p.id, p.case_id, person, kind, coalesce(amount_cents,-1), "
                    "coalesce(share_pct,-1), reason, p.status, proposed_by, proposed_at, "
                    "coalesce(approved_by,''), coalesce(approved_at,0), coalesce(executed_by,''), "
                    "coalesce(executed_at,0), c.case_no FROM case_penalties p "
                    "JOIN cases c ON c.id = p.case_id WHERE p.case_id = ? AND p.id = ?",
  [Q_PENALTY_LIST] = "SELECT p.id, p.case_id, person, kind, coalesce(amount_cents,-1), "
                     "coalesce(share_pct,-1), reason, p.status, proposed_by, proposed_at, "
                     "coalesce(approved_by,''), coalesce(approved_at,0), coalesce(executed_by,''), "
                     "coalesce(executed_at,0), c.case_no FROM case_penalties p "
                     "JOIN cases c ON c.id = p.case_id WHERE p.case_id = ? ORDER BY p.id",
  [Q_RULES_ACTIVE] = "SELECT id, grade, kind, params, text_zh, text_en FROM grading_rules "
                     "WHERE active = 1 ORDER BY sort, id",
  [Q_RULES_ALL] = "SELECT id, grade, kind, params, text_zh, text_en, active FROM grading_rules "
                  "ORDER BY sort, id",
  [Q_RULE_PUT] = "INSERT INTO grading_rules(id, grade, kind, params, text_zh, text_en, active, sort) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(sort),0)+1 FROM grading_rules)) "
                 "ON CONFLICT(id) DO UPDATE SET grade = excluded.grade, kind = excluded.kind, "
                 "params = excluded.params, text_zh = excluded.text_zh, "
                 "text_en = excluded.text_en, active = excluded.active",
  /* distinct customers (by phone, else customer id, else name) on the subject, others + self */
  /* Each count stops at ?5 (the rule's threshold): an index range, never all matches. */
  [Q_COUNT_SUBJECT_CUSTOMERS] =
    "SELECT count(*) FROM (SELECT DISTINCT k FROM (SELECT ?4 k UNION ALL "
    "SELECT coalesce(c_phone, c_customer_id, c_name) FROM cases "
    "WHERE subject_key = ?1 AND received_at >= ?2 AND id != ?3) LIMIT ?5)",
  [Q_COUNT_SIMILAR] = "SELECT count(*) + 1 FROM (SELECT 1 FROM cases WHERE subject_key = ?1 "
                      "AND received_at >= ?2 AND id != ?3 AND category IS ?4 LIMIT ?5)",
  [Q_COUNT_COMPLAINANT] = "SELECT count(*) + 1 FROM (SELECT 1 FROM cases WHERE c_phone = ?1 "
                          "AND received_at >= ?2 AND id != ?3 LIMIT ?5)",
  [Q_COUNT_INBOUND] = "SELECT count(*) FROM (SELECT 1 FROM case_contacts WHERE case_id = ?3 "
                      "AND direction = 'inbound' AND ?1 IS NULL AND ?2 IS NOT NULL LIMIT ?5)",
  /* distinct departments in the case's history (every assign or PATCH of dept) and now */
  [Q_COUNT_DEPTS] = "SELECT count(*) FROM (SELECT DISTINCT d FROM (SELECT ?1 d WHERE ?1 IS NOT NULL "
                    "UNION ALL SELECT json_extract(changes, '$.dept[1]') FROM case_history "
                    "WHERE case_id = ?3 AND ?2 IS NOT NULL AND json_extract(changes, '$.dept[1]') "
                    "IS NOT NULL) LIMIT ?5)",
  [Q_APPROVAL_LIMITS] = "SELECT role, coalesce(max_cents, -1), max_grade FROM approval_limits "
                        "ORDER BY max_cents IS NULL, max_cents",
  [Q_SOLUTION_ADD] = "INSERT INTO case_solutions(case_id, proposal_no, option, type, "
                     "amount_cents, description, proposed_by, proposed_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  [Q_SOLUTION_GET] = "SELECT type, option, amount_cents, description FROM case_solutions "
                     "WHERE case_id = ? AND proposal_no = ? ORDER BY id",
  [Q_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
  [Q_SAVEPOINT] = "SAVEPOINT w",
  [Q_ROLLBACK_TO] = "ROLLBACK TO w",
  [Q_RELEASE] = "RELEASE w",
  [Q_COMMIT] = "COMMIT",
  [Q_EVIDENCE_ADD] = "INSERT INTO case_evidence(case_id, at, by_user, filename, content_type, "
                     "size, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
  [Q_EVIDENCE_GET] = "SELECT id, case_id, at, by_user, filename, content_type, size, sha256 "
                     "FROM case_evidence WHERE case_id = ? AND id = ?",
  [Q_EVIDENCE_LIST] = "SELECT id, case_id, at, by_user, filename, content_type, size, sha256 "
                      "FROM case_evidence WHERE case_id = ? ORDER BY id",
};

/* ---- connections -------------------------------------------------------------------- */

struct conn {
  sqlite3 *db;
  sqlite3_stmt *stmt[Q__COUNT];
  sqlite3_stmt *ext[TS_SQ_EXT_MAX];
};

typedef struct wop {
  ts_apply_fn apply;
  ts_done_fn done;
  void *arg;
  int rc;
  struct wop *next;
} wop;

struct ts_store {
  char *sql[Q__COUNT]; /* static_sql or generated; generated ones are owned */
  char *case_cols;     /* "c.id, c.case_no, ..." for list queries */
  conn writer;
  conn *readers;
  int n_readers;
  int *free_readers; /* stack of indexes */
  int n_free;
  pthread_mutex_t pool_mu;
  pthread_cond_t pool_cv;

  pthread_t writer_thread;
  int writer_started;
  pthread_mutex_t q_mu;
  pthread_cond_t q_cv;
  wop *q_head, *q_tail;
  int stopping;  /* writer should exit once the queue is empty */
  int quiesced;  /* new writes refused */
  int max_batch;

  pthread_mutex_t stats_mu;
  ts_store_stats stats;

  /* grading rules, used and reloaded by the writer thread only */
  ts_rule *rules;
  int nrules;
  int rules_loaded;
  struct ts_sla_cache *sla; /* store_sla.c: calendar and clock definitions */
};

struct ts_tx {
  ts_store *s;
  conn *c;
};

static int map_sqlite(int rc) {
  switch (rc & 0xFF) {
  case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW:
    return TS_OK;
  case SQLITE_CONSTRAINT:
    return TS_ERR_CONFLICT;
  case SQLITE_NOMEM:
    return TS_ERR_NOMEM;
  case SQLITE_BUSY: case SQLITE_LOCKED:
    return TS_ERR_BUSY;
  default:
    return TS_ERR_STORE;
  }
}

static void log_sqlite(sqlite3 *db, const char *what, int rc) {
  ts_log(TS_LOG_ERROR, "store error",
         json_pack("{s:s,s:i,s:s}", "op", what, "rc", rc, "detail", sqlite3_errmsg(db)));
}

static sqlite3_stmt *stmt(ts_store *s, conn *c, int q) {
  if (!c->stmt[q]) {
    int rc = sqlite3_prepare_v3(c->db, s->sql[q], -1, SQLITE_PREPARE_PERSISTENT, &c->stmt[q],
                                NULL);
    if (rc != SQLITE_OK) {
      log_sqlite(c->db, "prepare", rc);
      return NULL;
    }
  }
  return c->stmt[q];
}

static void conn_close(conn *c) {
  for (int q = 0; q < Q__COUNT; q++)
    sqlite3_finalize(c->stmt[q]);
  for (int q = 0; q < TS_SQ_EXT_MAX; q++)
    sqlite3_finalize(c->ext[q]);
  if (c->db)
    sqlite3_close(c->db);
  memset(c, 0, sizeof *c);
}

static int exec(sqlite3 *db, const char *sql) {
  char *err = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK) {
    ts_log(TS_LOG_ERROR, "store exec failed",
           json_pack("{s:s,s:s}", "sql", sql, "detail", err ? err : "?"));
    sqlite3_free(err);
  }
  return map_sqlite(rc);
}

static int conn_open(const char *path, int readonly, conn *c) {
  int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  memset(c, 0, sizeof *c);
  int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
  if (rc != SQLITE_OK) {
    ts_log(TS_LOG_ERROR, "cannot open database",
           json_pack("{s:s,s:s}", "path", path, "detail",
                     c->db ? sqlite3_errmsg(c->db) : "out of memory"));
    conn_close(c);
    return TS_ERR_STORE;
  }
  sqlite3_busy_timeout(c->db, 5000);
  sqlite3_extended_result_codes(c->db, 1);
  if ((rc = ts_fts_register(c->db))) {
    conn_close(c);
    return rc;
  }
  /* A page cache large enough for the hot parts of the indexes of a few million cases
   * (the default 2 MB makes every insert read pages back through the OS), and reads
   * through a memory map rather than read() calls. */
  rc = exec(c->db, readonly ? "PRAGMA foreign_keys = ON; PRAGMA cache_size = -262144;"
                            : "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"
                              " PRAGMA cache_size = -65536;");
  /* Savepoint journals (one per write in a group) in memory, not a temporary file. */
  if (!rc && !readonly)
    rc = exec(c->db, "PRAGMA journal_mode = WAL; PRAGMA temp_store = MEMORY;");
  if (rc)
    conn_close(c);
  return rc;
}

/* ---- generated SQL for the case table ----------------------------------------------- */

static int build_case_sql(ts_store *s) {
  size_t cap = 8192;
  char *ins = malloc(cap), *upd = malloc(cap), *sel = malloc(cap), *cols = malloc(cap);
  size_t ni = 0, nu = 0, nc = 0;
  int rc = TS_ERR_NOMEM;
  if (!ins || !upd || !sel || !cols)
    goto out;
  ni = (size_t)snprintf(ins, cap, "INSERT INTO cases(");
  nu = (size_t)snprintf(upd, cap, "UPDATE cases SET ");
  nc = (size_t)snprintf(cols, cap, "c.id");
  for (int f = 0; f < TS_CF__COUNT; f++) {
    const char *col = ts_case_fields[f].column;
    ni += (size_t)snprintf(ins + ni, cap - ni, "%s%s", f ? "," : "", col);
    /* the number is bound but never written again (case_no is NOT NULL) */
    if (f == TS_CF_CASE_NO)
      nu += (size_t)snprintf(upd + nu, cap - nu, "%s%s=coalesce(%s,?)", f ? "," : "", col, col);
    else
      nu += (size_t)snprintf(upd + nu, cap - nu, "%s%s=?", f ? "," : "", col);
    nc += (size_t)snprintf(cols + nc, cap - nc, ", c.%s", col);
  }
  ni += (size_t)snprintf(ins + ni, cap - ni, ") VALUES (");
  for (int f = 0; f < TS_CF__COUNT; f++)
    ni += (size_t)snprintf(ins + ni, cap - ni, "%s?", f ? "," : "");
  ni += (size_t)snprintf(ins + ni, cap - ni, ")");
  nu += (size_t)snprintf(upd + nu, cap - nu, " WHERE id=?");
  nc += (size_t)snprintf(cols + nc, cap - nc, ", o.path, d.path");
  if (ni >= cap || nu >= cap || nc >= cap) {
    rc = TS_ERR_STORE;
    goto out;
  }
  int n = snprintf(sel, cap,
                   "SELECT %s FROM cases c LEFT JOIN org_units o ON o.id = c.outlet_id "
                   "LEFT JOIN org_units d ON d.id = c.dept_id WHERE c.case_no = ?",
                   cols);
  if (n < 0 || (size_t)n >= cap) {
    rc = TS_ERR_STORE;
    goto out;
  }
  s->sql[Q_CASE_INSERT] = ins;
  s->sql[Q_CASE_UPDATE] = upd;
  s->sql[Q_CASE_GET] = sel;
  s->case_cols = cols;
  ins = upd = sel = cols = NULL;
  rc = TS_OK;
out:
  free(ins);
  free(upd);
  free(sel);
  free(cols);
  return rc;
}

/* Binds every field of c to st starting at parameter 1; returns the next index. */
static int bind_case(sqlite3_stmt *st, const ts_case *c) {
  int i = 1;
  for (int f = 0; f < TS_CF__COUNT; f++, i++) {
    const ts_val *v = &c->v[f];
    ts_ftype t = ts_case_fields[f].type;
    if (t == TS_FT_BOOL)
      sqlite3_bind_int64(st, i, v->set == 1 && v->i);
    else if (v->set != 1)
      sqlite3_bind_null(st, i);
    else if (v->s)
      sqlite3_bind_text(st, i, v->s, -1, SQLITE_STATIC);
    else
      sqlite3_bind_int64(st, i, v->i);
  }
  return i;
}

/* Reads a case from the row of a case select (id, fields..., outlet path, dept path). */
static int row_case(sqlite3_stmt *st, ts_case **out) {
  ts_case *c = ts_case_new();
  int rc = TS_OK;
  if (!c)
    return TS_ERR_NOMEM;
  c->id = sqlite3_column_int64(st, 0);
  for (int f = 0; f < TS_CF__COUNT && !rc; f++) {
    int col = f + 1;
    int type = sqlite3_column_type(st, col);
    if (type == SQLITE_NULL)
      continue;
    if (type == SQLITE_INTEGER)
      ts_case_set_int(c, f, sqlite3_column_int64(st, col));
    else
      rc = ts_case_set_text(c, f, (const char *)sqlite3_column_text(st, col));
  }
  const char *op = (const char *)sqlite3_column_text(st, TS_CF__COUNT + 1);
  const char *dp = (const char *)sqlite3_column_text(st, TS_CF__COUNT + 2);
  if (!rc && op && !(c->outlet_path = strdup(op)))
    rc = TS_ERR_NOMEM;
  if (!rc && dp && !(c->dept_path = strdup(dp)))
    rc = TS_ERR_NOMEM;
  if (rc) {
    ts_case_free(c);
    return rc;
  }
  *out = c;
  return TS_OK;
}

/* ---- reader pool -------------------------------------------------------------------- */

static conn *reader_get(ts_store *s, int64_t *t0) {
  pthread_mutex_lock(&s->pool_mu);
  while (s->n_free == 0)
    pthread_cond_wait(&s->pool_cv, &s->pool_mu);
  conn *c = &s->readers[s->free_readers[--s->n_free]];
  pthread_mutex_unlock(&s->pool_mu);
  *t0 = ts_mono_ns();
  return c;
}

static void reader_put(ts_store *s, conn *c, int64_t t0) {
  int64_t dt = ts_mono_ns() - t0;
  pthread_mutex_lock(&s->pool_mu);
  s->free_readers[s->n_free++] = (int)(c - s->readers);
  s->stats.reads++;
  s->stats.read_ns += (uint64_t)dt;
  pthread_cond_signal(&s->pool_cv);
  pthread_mutex_unlock(&s->pool_mu);
}

/* ---- writer ---------------------------------------------------------------------------- */

/* Runs one prepared transaction-control statement on the writer (no re-parsing per write). */
static int control(ts_store *s, int q) {
  sqlite3_stmt *st = stmt(s, &s->writer, q);
  if (!st)
    return TS_ERR_STORE;
  int r = sqlite3_step(st);
  sqlite3_reset(st);
  if (r != SQLITE_DONE) {
    log_sqlite(s->writer.db, static_sql[q], r);
    return map_sqlite(r);
  }
  return TS_OK;
}

/* Runs every write of the batch in one transaction. Optimistic first: no savepoints
 * (each costs a copy of every page the write touches). If any write fails, the whole
 * transaction is rolled back and the batch runs again with a savepoint around each
 * write, so only the failing ones are undone. Returns the transaction's result; each
 * write's own result is in w->rc. */
static int run_writes(ts_store *s, wop *batch, int careful, int *n) {
  ts_tx tx = {s, &s->writer};
  int rc = control(s, Q_BEGIN_IMMEDIATE);
  *n = 0;
  for (wop *w = batch; w; w = w->next, (*n)++) {
    if (rc) {
      w->rc = rc;
      continue;
    }
    if (careful && control(s, Q_SAVEPOINT) != TS_OK) {
      w->rc = TS_ERR_STORE;
      continue;
    }
    w->rc = w->apply(&tx, w->arg);
    if (!careful) {
      if (w->rc != TS_OK)
        return -1; /* start again, carefully */
      continue;
    }
    if (w->rc != TS_OK && control(s, Q_ROLLBACK_TO) != TS_OK) {
      rc = TS_ERR_STORE; /* cannot undo one write: give up the whole group */
      continue;
    }
    if (control(s, Q_RELEASE) != TS_OK)
      rc = TS_ERR_STORE;
  }
  return rc ? rc : control(s, Q_COMMIT);
}

/* Caches filled inside a transaction that was undone may hold what never was. */
static void invalidate_caches(ts_store *s) {
  s->rules_loaded = 0;
  ts_sq_sla_free(s->sla);
  s->sla = NULL;
}

static void run_batch(ts_store *s, wop *batch) {
  conn *c = &s->writer;
  int64_t t0 = ts_mono_ns();
  int n = 0;
  int rc = run_writes(s, batch, 0, &n);
  if (rc == -1) {
    exec(c->db, "ROLLBACK");
    invalidate_caches(s);
    /* alone, the failed write is simply undone; with others, they run again */
    rc = batch->next ? run_writes(s, batch, 1, &n) : TS_OK;
  }
  if (rc) {
    if (!sqlite3_get_autocommit(c->db))
      exec(c->db, "ROLLBACK");
    invalidate_caches(s);
    for (wop *w = batch; w; w = w->next)
      w->rc = rc == TS_OK ? TS_ERR_STORE : rc;
  }
  int64_t dt = ts_mono_ns() - t0;
  pthread_mutex_lock(&s->stats_mu);
  s->stats.commits++;
  s->stats.commit_ns += (uint64_t)dt;
  s->stats.writes += (uint64_t)n;
  pthread_mutex_unlock(&s->stats_mu);
  while (batch) {
    wop *next = batch->next;
    batch->done(batch->arg, batch->rc);
    free(batch);
    batch = next;
  }
}

static void *writer_main(void *arg) {
  ts_store *s = arg;
  for (;;) {
    pthread_mutex_lock(&s->q_mu);
    while (!s->q_head && !s->stopping)
      pthread_cond_wait(&s->q_cv, &s->q_mu);
    if (!s->q_head && s->stopping) {
      pthread_mutex_unlock(&s->q_mu);
      break;
    }
    wop *batch = s->q_head, *last = batch;
    for (int n = 1; n < s->max_batch && last->next; n++)
      last = last->next;
    s->q_head = last->next;
    if (!s->q_head)
      s->q_tail = NULL;
    last->next = NULL;
    pthread_mutex_unlock(&s->q_mu);
    run_batch(s, batch);
  }
  return NULL;
}

int ts_store_submit(ts_store *s, ts_apply_fn apply, ts_done_fn done, void *arg) {
  wop *w = calloc(1, sizeof *w);
  if (!w)
    return TS_ERR_NOMEM;
  w->apply = apply;
  w->done = done;
  w->arg = arg;
  pthread_mutex_lock(&s->q_mu);
  if (s->quiesced || s->stopping || !s->writer_started) {
    pthread_mutex_unlock(&s->q_mu);
    free(w);
    return TS_ERR_BUSY;
  }
  if (s->q_tail)
    s->q_tail->next = w;
  else
    s->q_head = w;
  s->q_tail = w;
  pthread_cond_signal(&s->q_cv);
  pthread_mutex_unlock(&s->q_mu);
  return TS_OK;
}

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int finished, rc;
} sync_wait;

static void sync_done(void *arg, int rc) {
  sync_wait *w = arg;
  pthread_mutex_lock(&w->mu);
  w->rc = rc;
  w->finished = 1;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

typedef struct {
  ts_apply_fn apply;
  void *arg;
  sync_wait wait;
} sync_op;

static int sync_apply(ts_tx *tx, void *arg) {
  sync_op *op = arg;
  return op->apply(tx, op->arg);
}

static void sync_op_done(void *arg, int rc) { sync_done(&((sync_op *)arg)->wait, rc); }

int ts_store_run(ts_store *s, ts_apply_fn apply, void *arg) {
  sync_op op = {apply, arg, {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0}};
  int rc = ts_store_submit(s, sync_apply, sync_op_done, &op);
  if (rc)
    return rc;
  pthread_mutex_lock(&op.wait.mu);
  while (!op.wait.finished)
    pthread_cond_wait(&op.wait.cv, &op.wait.mu);
  pthread_mutex_unlock(&op.wait.mu);
  return op.wait.rc;
}

void ts_store_quiesce(ts_store *s) {
  pthread_mutex_lock(&s->q_mu);
  s->quiesced = 1;
  pthread_mutex_unlock(&s->q_mu);
}

/* ---- open / close / migrate ------------------------------------------------------------ */

static int migrate(conn *c, int *applied) {
  int rc = exec(c->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  sqlite3_stmt *st = NULL;
  int current = 0;
  *applied = 0;
  if (rc)
    return rc;
  if (sqlite3_prepare_v2(c->db, "SELECT coalesce(max(version),0) FROM schema_migrations", -1,
                         &st, NULL) != SQLITE_OK)
    return TS_ERR_STORE;
  if (sqlite3_step(st) == SQLITE_ROW)
    current = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (current > ts_migrations_count) {
    ts_logf(TS_LOG_ERROR, "database schema %d is newer than this build (%d)", current,
            ts_migrations_count);
    return TS_ERR_STORE;
  }
  for (int v = current + 1; v <= ts_migrations_count; v++) {
    char mark[128];
    snprintf(mark, sizeof mark, "INSERT INTO schema_migrations(version, applied_at) "
             "VALUES (%d, %lld)", v, (long long)ts_now());
    rc = exec(c->db, "BEGIN IMMEDIATE");
    if (!rc)
      rc = exec(c->db, ts_migrations[v - 1]);
    if (!rc)
      rc = exec(c->db, mark);
    if (!rc)
      rc = exec(c->db, "COMMIT");
    if (rc) {
      exec(c->db, "ROLLBACK");
      ts_logf(TS_LOG_ERROR, "migration %d failed", v);
      return rc;
    }
    (*applied)++;
    ts_logf(TS_LOG_INFO, "applied migration %d", v);
  }
  return TS_OK;
}

int ts_store_open(const ts_store_opts *o, ts_store **out) {
  ts_store *s = calloc(1, sizeof *s);
  int rc = TS_ERR_NOMEM, applied = 0;
  if (!s)
    return rc;
  pthread_mutex_init(&s->pool_mu, NULL);
  pthread_cond_init(&s->pool_cv, NULL);
  pthread_mutex_init(&s->q_mu, NULL);
  pthread_cond_init(&s->q_cv, NULL);
  pthread_mutex_init(&s->stats_mu, NULL);
  for (int q = 0; q < Q__COUNT; q++)
    s->sql[q] = (char *)static_sql[q];
  if ((rc = build_case_sql(s)))
    goto fail;
  s->max_batch = o->max_batch > 0 ? o->max_batch : 256;
  s->n_readers = o->readers > 0 ? o->readers : 8;
  if (!o->readonly) {
    if ((rc = conn_open(o->path, 0, &s->writer)))
      goto fail;
    if ((rc = migrate(&s->writer, &applied)))
      goto fail;
    if ((rc = ts_sq_search_open(ts_sq_db(&s->writer))))
      goto fail;
  }
  s->readers = calloc((size_t)s->n_readers, sizeof(conn));
  s->free_readers = calloc((size_t)s->n_readers, sizeof(int));
  rc = TS_ERR_NOMEM;
  if (!s->readers || !s->free_readers)
    goto fail;
  for (int i = 0; i < s->n_readers; i++) {
    if ((rc = conn_open(o->path, 1, &s->readers[i])))
      goto fail;
    s->free_readers[s->n_free++] = i;
  }
  if (!o->readonly) {
    if (pthread_create(&s->writer_thread, NULL, writer_main, s) != 0) {
      rc = TS_ERR_STORE;
      goto fail;
    }
    s->writer_started = 1;
  }
  *out = s;
  return TS_OK;
fail:
  ts_store_close(s);
  return rc;
}

void ts_store_close(ts_store *s) {
  if (!s)
    return;
  if (s->writer_started) {
    pthread_mutex_lock(&s->q_mu);
    s->stopping = 1;
    pthread_cond_signal(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
    pthread_join(s->writer_thread, NULL);
  }
  for (int i = 0; s->readers && i < s->n_readers; i++)
    conn_close(&s->readers[i]);
  if (s->writer.db) {
    sqlite3_wal_checkpoint_v2(s->writer.db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    conn_close(&s->writer);
  }
  free(s->readers);
  free(s->free_readers);
  for (int q = 0; q < Q__COUNT; q++)
    if (s->sql[q] != static_sql[q])
      free(s->sql[q]);
  free(s->case_cols);
  free(s->rules);
  ts_sq_sla_free(s->sla);
  pthread_mutex_destroy(&s->pool_mu);
  pthread_cond_destroy(&s->pool_cv);
  pthread_mutex_destroy(&s->q_mu);
  pthread_cond_destroy(&s->q_cv);
  pthread_mutex_destroy(&s->stats_mu);
  free(s);
}

void ts_store_get_stats(ts_store *s, ts_store_stats *out) {
  pthread_mutex_lock(&s->pool_mu);
  out->reads = s->stats.reads;
  out->read_ns = s->stats.read_ns;
  pthread_mutex_unlock(&s->pool_mu);
  pthread_mutex_lock(&s->stats_mu);
  out->commits = s->stats.commits;
  out->commit_ns = s->stats.commit_ns;
  out->writes = s->stats.writes;
  pthread_mutex_unlock(&s->stats_mu);
}

int ts_store_ping(ts_store *s) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, Q_PING);
  int rc = st && sqlite3_step(st) == SQLITE_ROW ? TS_OK : TS_ERR_STORE;
  if (st)
    sqlite3_reset(st);
  reader_put(s, c, t0);
  return rc;
}

int ts_store_schema_version(ts_store *s, int *current, int *latest) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = NULL;
  int rc = TS_ERR_STORE;
  if (sqlite3_prepare_v2(c->db, "SELECT coalesce(max(version),0) FROM schema_migrations", -1,
                         &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    *current = sqlite3_column_int(st, 0);
    *latest = ts_migrations_count;
    rc = TS_OK;
  }
  sqlite3_finalize(st);
  reader_put(s, c, t0);
  return rc;
}

/* ---- small helpers for one-statement operations ------------------------------------------ */

/* Steps a statement that changes rows; maps the result; always resets. */
static int step_done(conn *c, sqlite3_stmt *st, const char *what) {
  int rc = sqlite3_step(st);
  int mapped = rc == SQLITE_DONE || rc == SQLITE_ROW ? TS_OK : map_sqlite(rc);
  /* a duplicate is an answer (409), not a fault; any other failure is logged */
  if (mapped && rc != SQLITE_CONSTRAINT_UNIQUE && rc != SQLITE_CONSTRAINT_PRIMARYKEY)
    log_sqlite(c->db, what, rc);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return mapped;
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t dstsz) {
  const char *v = (const char *)sqlite3_column_text(st, col);
  snprintf(dst, dstsz, "%s", v ? v : "");
}

static json_t *time_json(int64_t t) {
  char buf[TS_TIME_MAX];
  if (!t || ts_time_format(t, buf, sizeof buf) != TS_OK)
    return json_null();
  return json_string(buf);
}

/* ---- units ---------------------------------------------------------------------------- */

static void row_unit(sqlite3_stmt *st, ts_unit *u) {
  memset(u, 0, sizeof *u);
  u->id = sqlite3_column_int64(st, 0);
  copy_col(st, 1, u->code, sizeof u->code);
  copy_col(st, 2, u->name, sizeof u->name);
  copy_col(st, 3, u->kind, sizeof u->kind);
  u->parent_id = sqlite3_column_int64(st, 4);
  copy_col(st, 5, u->path, sizeof u->path);
  u->created_at = sqlite3_column_int64(st, 6);
}

static int unit_get_on(ts_store *s, conn *c, int q, int64_t id, const char *code,
                       ts_unit *out) {
  sqlite3_stmt *st = stmt(s, c, q);
  if (!st)
    return TS_ERR_STORE;
  if (code)
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64(st, 1, id);
  int r = sqlite3_step(st);
  int rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : map_sqlite(r);
  if (r == SQLITE_ROW)
    row_unit(st, out);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

int ts_store_unit_get(ts_store *s, int64_t id, ts_unit *out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  int rc = unit_get_on(s, c, Q_UNIT_GET, id, NULL, out);
  reader_put(s, c, t0);
  return rc;
}

int ts_store_unit_by_code(ts_store *s, const char *code, ts_unit *out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  int rc = unit_get_on(s, c, Q_UNIT_BY_CODE, 0, code, out);
  reader_put(s, c, t0);
  return rc;
}

int ts_tx_unit_get(ts_tx *tx, int64_t id, ts_unit *out) {
  return unit_get_on(tx->s, tx->c, Q_UNIT_GET, id, NULL, out);
}

/* Runs a parameterless list statement and turns each row into a struct of elemsz bytes
 * with `row`. *out is malloc'd (NULL when empty). */
static int list_structs(ts_store *s, int q, size_t elemsz, void (*row)(sqlite3_stmt *, void *),
                        void **out, size_t *n) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, q);
  char *items = NULL;
  size_t len = 0, cap = 0;
  int rc = st ? TS_OK : TS_ERR_STORE;
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    if (len == cap) {
      size_t ncap = cap ? cap * 2 : 32;
      char *grown = realloc(items, ncap * elemsz);
      if (!grown) {
        rc = TS_ERR_NOMEM;
        break;
      }
      items = grown;
      cap = ncap;
    }
    row(st, items + elemsz * len++);
  }
  if (st)
    sqlite3_reset(st);
  reader_put(s, c, t0);
  if (rc) {
    free(items);
    return rc;
  }
  *out = items;
  *n = len;
  return TS_OK;
}

static void row_unit_v(sqlite3_stmt *st, void *u) { row_unit(st, u); }

int ts_store_unit_list(ts_store *s, ts_unit **out, size_t *n) {
  return list_structs(s, Q_UNIT_LIST, sizeof(ts_unit), row_unit_v, (void **)out, n);
}

int ts_tx_unit_insert(ts_tx *tx, ts_unit *u) {
  ts_unit parent;
  char path[256];
  int rc;
  if (u->parent_id) {
    if ((rc = ts_tx_unit_get(tx, u->parent_id, &parent)))
      return rc == TS_ERR_NOT_FOUND ? TS_ERR_INVALID : rc;
  }
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_UNIT_INSERT);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, u->code, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, u->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, u->kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, u->parent_id);
  sqlite3_bind_int64(st, 5, u->created_at);
  if ((rc = step_done(tx->c, st, "unit insert")))
    return rc;
  u->id = sqlite3_last_insert_rowid(tx->c->db);
  int n = snprintf(path, sizeof path, "%s%lld/", u->parent_id ? parent.path : "/",
                   (long long)u->id);
  if (n < 0 || (size_t)n >= sizeof path)
    return TS_ERR_INVALID; /* tree too deep */
  st = stmt(tx->s, tx->c, Q_UNIT_SET_PATH);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, u->id);
  if ((rc = step_done(tx->c, st, "unit path")))
    return rc;
  snprintf(u->path, sizeof u->path, "%s", path);
  return TS_OK;
}

int ts_tx_unit_update(ts_tx *tx, const ts_unit *u) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_UNIT_UPDATE);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, u->code, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, u->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, u->id);
  int rc = step_done(tx->c, st, "unit update");
  if (!rc && sqlite3_changes(tx->c->db) == 0)
    rc = TS_ERR_NOT_FOUND;
  return rc;
}

/* ---- users and sessions --------------------------------------------------------------- */

static void row_user(sqlite3_stmt *st, ts_user *u) {
  memset(u, 0, sizeof *u);
  u->id = sqlite3_column_int64(st, 0);
  copy_col(st, 1, u->username, sizeof u->username);
  copy_col(st, 2, u->display_name, sizeof u->display_name);
  copy_col(st, 3, u->email, sizeof u->email);
  u->roles = (unsigned)sqlite3_column_int(st, 4);
  u->unit_id = sqlite3_column_int64(st, 5);
  copy_col(st, 6, u->unit_path, sizeof u->unit_path);
  u->disabled = sqlite3_column_int(st, 7);
  u->created_at = sqlite3_column_int64(st, 8);
}

static int user_get_on(ts_store *s, conn *c, const char *username, ts_user *out, char *hash,
                       size_t hashsz) {
  sqlite3_stmt *st = stmt(s, c, Q_USER_GET);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
  int r = sqlite3_step(st);
  int rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : map_sqlite(r);
  if (r == SQLITE_ROW) {
    row_user(st, out);
    if (hash)
      copy_col(st, 9, hash, hashsz);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

int ts_store_user_get(ts_store *s, const char *username, ts_user *out, char *hash,
                      size_t hashsz) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  int rc = user_get_on(s, c, username, out, hash, hashsz);
  reader_put(s, c, t0);
  return rc;
}

int ts_tx_user_get(ts_tx *tx, const char *username, ts_user *out) {
  return user_get_on(tx->s, tx->c, username, out, NULL, 0);
}

static void row_user_v(sqlite3_stmt *st, void *u) { row_user(st, u); }

int ts_store_user_list(ts_store *s, ts_user **out, size_t *n) {
  return list_structs(s, Q_USER_LIST, sizeof(ts_user), row_user_v, (void **)out, n);
}

int ts_tx_user_insert(ts_tx *tx, ts_user *u, const char *pwhash) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_USER_INSERT);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, u->username, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, u->display_name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, u->email, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, pwhash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, u->roles);
  sqlite3_bind_int64(st, 6, u->unit_id);
  sqlite3_bind_int(st, 7, u->disabled);
  sqlite3_bind_int64(st, 8, u->created_at);
  sqlite3_bind_int64(st, 9, u->created_at);
  int rc = step_done(tx->c, st, "user insert");
  if (!rc)
    u->id = sqlite3_last_insert_rowid(tx->c->db);
  return rc;
}

int ts_tx_user_update(ts_tx *tx, const ts_user *u) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_USER_UPDATE);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, u->display_name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, u->email, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, u->roles);
  sqlite3_bind_int64(st, 4, u->unit_id);
  sqlite3_bind_int(st, 5, u->disabled);
  sqlite3_bind_int64(st, 6, ts_now());
  sqlite3_bind_text(st, 7, u->username, -1, SQLITE_STATIC);
  int rc = step_done(tx->c, st, "user update");
  if (!rc && sqlite3_changes(tx->c->db) == 0)
    rc = TS_ERR_NOT_FOUND;
  return rc;
}

int ts_tx_user_set_password(ts_tx *tx, const char *username, const char *pwhash) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_USER_SET_PW);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, pwhash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, ts_now());
  sqlite3_bind_text(st, 3, username, -1, SQLITE_STATIC);
  int rc = step_done(tx->c, st, "user password");
  if (!rc && sqlite3_changes(tx->c->db) == 0)
    rc = TS_ERR_NOT_FOUND;
  return rc;
}

int ts_tx_admin_count(ts_tx *tx, int64_t *n) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_ADMIN_COUNT);
  if (!st)
    return TS_ERR_STORE;
  int r = sqlite3_step(st);
  if (r == SQLITE_ROW)
    *n = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return r == SQLITE_ROW ? TS_OK : map_sqlite(r);
}

int ts_tx_session_insert(ts_tx *tx, const unsigned char hash[32], int64_t user_id,
                         int64_t created, int64_t expires) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_SESSION_INSERT);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, user_id);
  sqlite3_bind_int64(st, 3, created);
  sqlite3_bind_int64(st, 4, expires);
  return step_done(tx->c, st, "session insert");
}

int ts_tx_session_delete(ts_tx *tx, const unsigned char hash[32]) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_SESSION_DELETE);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
  return step_done(tx->c, st, "session delete");
}

int ts_tx_sessions_delete_user(ts_tx *tx, int64_t user_id) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_SESSIONS_DELETE_USER);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, user_id);
  return step_done(tx->c, st, "sessions delete");
}

int ts_store_session_user(ts_store *s, const unsigned char hash[32], int64_t now,
                          ts_user *out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, Q_SESSION_USER);
  int rc = TS_ERR_STORE;
  if (st) {
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    int r = sqlite3_step(st);
    rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_UNAUTH : map_sqlite(r);
    if (r == SQLITE_ROW)
      row_user(st, out);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  reader_put(s, c, t0);
  return rc;
}

/* ---- configured lists ----------------------------------------------------------------- */

int ts_store_channel_get(ts_store *s, const char *code, int *external) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, Q_CHANNEL_GET);
  int rc = TS_ERR_STORE;
  if (st) {
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : map_sqlite(r);
    if (r == SQLITE_ROW && external)
      *external = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  reader_put(s, c, t0);
  return rc;
}

/* TS_OK if the code-keyed statement q finds a row (channels, categories, stages). */
static int code_exists(ts_store *s, int q, const char *code) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, q);
  int rc = TS_ERR_STORE;
  if (st) {
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : map_sqlite(r);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  reader_put(s, c, t0);
  return rc;
}

int ts_store_category_get(ts_store *s, const char *code) {
  return code_exists(s, Q_CATEGORY_GET, code);
}

/* Runs a list statement with no parameters and makes each row an object with `names`
 * (a column whose name starts with '?' is a boolean). */
static int list_rows(ts_store *s, int q, const char *const *names, int ncols, json_t **out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, q);
  json_t *arr = json_array();
  int rc = st && arr ? TS_OK : TS_ERR_STORE;
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    json_t *o = json_object();
    for (int i = 0; o && i < ncols; i++) {
      const char *name = names[i];
      json_t *v;
      if (name[0] == '?') {
        name++;
        v = json_boolean(sqlite3_column_int(st, i));
      } else if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        v = json_null();
      } else {
        v = json_string((const char *)sqlite3_column_text(st, i));
      }
      json_object_set_new(o, name, v);
    }
    if (!o || json_array_append_new(arr, o) != 0)
      rc = TS_ERR_NOMEM;
  }
  if (st)
    sqlite3_reset(st);
  reader_put(s, c, t0);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

int ts_store_channel_list(ts_store *s, json_t **out) {
  static const char *const names[] = {"code", "name_zh", "name_en", "?external"};
  return list_rows(s, Q_CHANNEL_LIST, names, 4, out);
}

int ts_store_category_list(ts_store *s, json_t **out) {
  static const char *const names[] = {"code", "parent", "name_zh", "name_en"};
  return list_rows(s, Q_CATEGORY_LIST, names, 4, out);
}

/* ---- cases ------------------------------------------------------------------------------ */

int ts_tx_case_insert(ts_tx *tx, ts_case *c, const char *prefix, int64_t now) {
  char period[TS_CASENO_MAX], case_no[TS_CASENO_MAX];
  int year, month, rc;
  int64_t serial = 0;
  if ((rc = ts_time_year_month(now, &year, &month)) ||
      (rc = ts_caseno_period(prefix, year, month, period, sizeof period)))
    return rc;
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_COUNTER_NEXT);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
  int r = sqlite3_step(st);
  if (r == SQLITE_ROW)
    serial = sqlite3_column_int64(st, 0);
  else
    log_sqlite(tx->c->db, "counter", r);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (r != SQLITE_ROW)
    return map_sqlite(r);
  if ((rc = ts_caseno_format(prefix, year, month, serial, case_no, sizeof case_no)) ||
      (rc = ts_case_set_text(c, TS_CF_CASE_NO, case_no)))
    return rc;
  ts_case_set_int(c, TS_CF_REGISTERED_AT, now);
  ts_case_set_int(c, TS_CF_UPDATED_AT, now);
  if (!(st = stmt(tx->s, tx->c, Q_CASE_INSERT)))
    return TS_ERR_STORE;
  bind_case(st, c);
  if ((rc = step_done(tx->c, st, "case insert")))
    return rc;
  c->id = sqlite3_last_insert_rowid(tx->c->db);
  return TS_OK;
}

static int case_get_on(ts_store *s, conn *c, const char *case_no, ts_case **out) {
  sqlite3_stmt *st = stmt(s, c, Q_CASE_GET);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, case_no, -1, SQLITE_STATIC);
  int r = sqlite3_step(st);
  int rc = r == SQLITE_ROW ? row_case(st, out) : r == SQLITE_DONE ? TS_ERR_NOT_FOUND
                                                                   : map_sqlite(r);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

int ts_tx_case_get(ts_tx *tx, const char *case_no, ts_case **out) {
  return case_get_on(tx->s, tx->c, case_no, out);
}

int ts_store_case_get(ts_store *s, const char *case_no, ts_case **out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  int rc = case_get_on(s, c, case_no, out);
  reader_put(s, c, t0);
  return rc;
}

int ts_tx_case_update(ts_tx *tx, const ts_case *c) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_CASE_UPDATE);
  if (!st)
    return TS_ERR_STORE;
  int i = bind_case(st, c);
  sqlite3_bind_int64(st, i, c->id);
  int rc = step_done(tx->c, st, "case update");
  if (!rc && sqlite3_changes(tx->c->db) == 0)
    rc = TS_ERR_NOT_FOUND;
  return rc;
}

void ts_case_list_free(ts_case **items, size_t n) {
  for (size_t i = 0; items && i < n; i++)
    ts_case_free(items[i]);
  free(items);
}

/* A WHERE clause under construction, with its parameters bound in order later. */
typedef struct {
  char sql[4096];
  size_t len;
  int overflow;
  struct {
    int is_int;
    int64_t i;
    const char *s;
    size_t n; /* text length, -1 style: 0 means strlen */
  } p[96];
  int np;
  char lists[4][TS_FILTER_LIST_MAX * 65]; /* split copies of comma lists */
} where_b;

static void wb_sql(where_b *w, const char *frag) {
  size_t n = strlen(frag);
  if (w->len + n + 1 >= sizeof w->sql) {
    w->overflow = 1;
    return;
  }
  memcpy(w->sql + w->len, frag, n + 1);
  w->len += n;
}

static void wb_text(where_b *w, const char *s, size_t n) {
  if (w->np >= (int)(sizeof w->p / sizeof w->p[0])) {
    w->overflow = 1;
    return;
  }
  w->p[w->np].is_int = 0;
  w->p[w->np].s = s;
  w->p[w->np].n = n;
  w->np++;
}

static void wb_int(where_b *w, int64_t i) {
  if (w->np >= (int)(sizeof w->p / sizeof w->p[0])) {
    w->overflow = 1;
    return;
  }
  w->p[w->np].is_int = 1;
  w->p[w->np].i = i;
  w->np++;
}

/* " AND col IN (?,?,...)" for a comma-separated list (validated by the caller). */
static void wb_in(where_b *w, const char *col, const char *list) {
  int count = 0;
  const char *p = list;
  wb_sql(w, " AND ");
  wb_sql(w, col);
  wb_sql(w, " IN (");
  while (*p && count < TS_FILTER_LIST_MAX) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    wb_sql(w, count ? ",?" : "?");
    wb_text(w, p, n);
    count++;
    if (!comma)
      break;
    p = comma + 1;
  }
  wb_sql(w, ")");
}

static void wb_build(where_b *w, const ts_case_filter *f) {
  const ts_scope *sc = &f->scope;
  wb_sql(w, " WHERE 1=1");
  if (f->by_due)
    wb_sql(w, " AND k.stopped_at IS NULL AND k.state != 'paused'"
              " AND k.id = (SELECT k3.id FROM case_clocks k3 WHERE k3.case_id = k.case_id"
              " AND k3.stopped_at IS NULL AND k3.state != 'paused' ORDER BY k3.due_at, k3.id LIMIT 1)");
  if (!sc->all) {
    /* What the caller may see (same rule as ts_scope_allows). */
    wb_sql(w, " AND (c.owner = ? OR c.handler = ?");
    wb_text(w, sc->username ? sc->username : "", 0);
    wb_text(w, sc->username ? sc->username : "", 0);
    if (sc->by_outlet && sc->unit_path[0]) {
      wb_sql(w, " OR c.outlet_id IN (SELECT id FROM org_units WHERE path LIKE ? || '%')");
      wb_text(w, sc->unit_path, 0);
    }
    if (sc->by_dept && sc->unit_path[0]) {
      wb_sql(w, " OR c.dept_id IN (SELECT id FROM org_units WHERE path LIKE ? || '%')");
      wb_text(w, sc->unit_path, 0);
    }
    wb_sql(w, ")");
  }
  if (f->status)
    wb_in(w, "c.status", f->status);
  if (f->grade)
    wb_in(w, "c.grade", f->grade);
  if (f->category)
    wb_in(w, "c.category", f->category);
  if (f->channel)
    wb_in(w, "c.channel", f->channel);
  if (f->owner) {
    wb_sql(w, " AND c.owner = ?");
    wb_text(w, f->owner, 0);
  }
  if (f->handler) {
    wb_sql(w, " AND c.handler = ?");
    wb_text(w, f->handler, 0);
  }
  if (f->outlet) {
    wb_sql(w, " AND c.outlet_id IN (SELECT u.id FROM org_units u, org_units a "
              "WHERE a.id = ? AND u.path LIKE a.path || '%')");
    wb_int(w, f->outlet);
  }
  if (f->dept) {
    wb_sql(w, " AND c.dept_id IN (SELECT u.id FROM org_units u, org_units a "
              "WHERE a.id = ? AND u.path LIKE a.path || '%')");
    wb_int(w, f->dept);
  }
  if (f->overdue >= 0) {
    wb_sql(w, " AND c.overdue = ?");
    wb_int(w, f->overdue);
  }
  if (f->from) {
    wb_sql(w, " AND c.received_at >= ?");
    wb_int(w, f->from);
  }
  if (f->to) {
    wb_sql(w, " AND c.received_at < ?");
    wb_int(w, f->to);
  }
  if (f->match && *f->match) {
    /* The full-text index (migration 10), joined in as case_fts by the list; its case_no
     * column finds a case number. */
    wb_sql(w, " AND case_fts MATCH ?");
    wb_text(w, f->match, 0);
  }
}

struct ts_sq_where {
  where_b w;
  int first;
  char sql[sizeof ((where_b *)0)->sql + 8 * 96]; /* w.sql with each ? numbered */
};

ts_sq_where *ts_sq_where_new(const ts_case_filter *f, int first) {
  ts_sq_where *x = calloc(1, sizeof *x);
  if (!x)
    return NULL;
  wb_build(&x->w, f);
  /* Number the parameters from first on, so the caller's own may come before or after
   * them anywhere in its statement (no '?' occurs in the fragments but as a parameter). */
  const char *p = x->w.sql + strlen(" WHERE 1=1");
  size_t n = 0;
  int k = first;
  for (; *p && n + 8 < sizeof x->sql; p++) {
    if (*p == '?')
      n += (size_t)snprintf(x->sql + n, sizeof x->sql - n, "?%d", k++);
    else
      x->sql[n++] = *p;
  }
  x->sql[n] = '\0';
  if (x->w.overflow || *p) {
    free(x);
    return NULL;
  }
  x->first = first;
  return x;
}

const char *ts_sq_where_sql(const ts_sq_where *x) { return x->sql; }

void ts_sq_where_bind(const ts_sq_where *x, sqlite3_stmt *st) {
  for (int i = 0; i < x->w.np; i++) {
    if (x->w.p[i].is_int)
      sqlite3_bind_int64(st, x->first + i, x->w.p[i].i);
    else
      sqlite3_bind_text(st, x->first + i, x->w.p[i].s, x->w.p[i].n ? (int)x->w.p[i].n : -1,
                        SQLITE_STATIC);
  }
}

void ts_sq_where_free(ts_sq_where *x) { free(x); }

static void wb_bind(const where_b *w, sqlite3_stmt *st) {
  for (int i = 0; i < w->np; i++) {
    if (w->p[i].is_int)
      sqlite3_bind_int64(st, i + 1, w->p[i].i);
    else
      sqlite3_bind_text(st, i + 1, w->p[i].s, w->p[i].n ? (int)w->p[i].n : -1, SQLITE_STATIC);
  }
}

int ts_store_case_list(ts_store *s, const ts_case_filter *f, ts_case ***items, size_t *n,
                       int64_t *total) {
  where_b *w = calloc(1, sizeof *w);
  char *sql = NULL, scoped[TS_SCOPED_MATCH_MAX];
  sqlite3_stmt *st = NULL;
  ts_case **arr = NULL;
  size_t len = 0;
  int64_t t0, count = 0;
  int rc = TS_ERR_NOMEM;
  conn *c = NULL;
  int per_page = f->per_page > 0 ? f->per_page : 50, page = f->page > 0 ? f->page : 1;
  ts_case_filter g;
  if (!w)
    return rc;
  if (f->match && *f->match && !f->by_due) {
    /* A search: the caller's scope goes into the MATCH (the index's scope column), the
     * index is read newest first, which is the list's order. */
    g = *f;
    g.scope.all = 1;
    g.match = scoped;
    if (ts_sq_scope_match(&f->scope, f->match, scoped, sizeof scoped)) {
      free(w);
      return TS_ERR_INVALID;
    }
    f = &g;
  }
  wb_build(w, f);
  if (w->overflow) {
    free(w);
    return TS_ERR_INVALID;
  }
  size_t cap = strlen(s->case_cols) + w->len + 512;
  if (!(sql = malloc(cap)) || !(arr = calloc((size_t)per_page, sizeof *arr)))
    goto out;
  c = reader_get(s, &t0);
  /* The count and the page are read in one read transaction: they agree. */
  if ((rc = exec(c->db, "BEGIN")))
    goto out;
  /* The queue (by_due): driven by the open clocks' due index, nearest first; each case
   * once, at its nearest clock. CROSS JOIN keeps the open clocks (a few per open case) the
   * outer loop whatever the filters: driven by a department's or outlet's cases instead,
   * SQLite would visit every case it ever had (5 s at 1,000,000 cases, 0.3 s this way). */
  const char *from = f->by_due ? "case_clocks k CROSS JOIN cases c ON c.id = k.case_id"
                     : f->match && *f->match ? "case_fts JOIN cases c ON c.id = case_fts.rowid"
                                             : "cases c";
  snprintf(sql, cap, "SELECT count(*) FROM %s%s", from, w->sql);
  rc = TS_ERR_STORE;
  if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
    goto out;
  wb_bind(w, st);
  if (sqlite3_step(st) != SQLITE_ROW)
    goto out;
  count = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  st = NULL;
  snprintf(sql, cap,
           "SELECT %s FROM %s LEFT JOIN org_units o ON o.id = c.outlet_id "
           "LEFT JOIN org_units d ON d.id = c.dept_id%s ORDER BY %s LIMIT %d OFFSET %lld",
           s->case_cols, from, w->sql,
           f->by_due ? "k.due_at, k.id" : f->match && *f->match ? "case_fts.rowid DESC" : "c.id DESC",
           per_page,
           (long long)(page - 1) * per_page);
  if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
    log_sqlite(c->db, "case list", 0);
    goto out;
  }
  wb_bind(w, st);
  int r;
  rc = TS_OK;
  while (!rc && len < (size_t)per_page && (r = sqlite3_step(st)) == SQLITE_ROW)
    if (!(rc = row_case(st, &arr[len])))
      len++;
out:
  sqlite3_finalize(st);
  if (c) {
    exec(c->db, "COMMIT");
    reader_put(s, c, t0);
  }
  free(sql);
  free(w);
  if (rc) {
    ts_case_list_free(arr, len);
    return rc;
  }
  *items = arr;
  *n = len;
  *total = count;
  return TS_OK;
}

/* ---- history, notes, contacts, promises ---------------------------------------------- */

int ts_tx_history_add_text(ts_tx *tx, int64_t case_id, int64_t at, const char *actor,
                           const char *action, const char *changes) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_HISTORY_ADD);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, at);
  sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, changes, -1, SQLITE_STATIC);
  return step_done(tx->c, st, "history add");
}

int ts_tx_history_add(ts_tx *tx, int64_t case_id, int64_t at, const char *actor,
                      const char *action, json_t *changes) {
  char *text = json_dumps(changes, JSON_COMPACT);
  if (!text)
    return TS_ERR_NOMEM;
  int rc = ts_tx_history_add_text(tx, case_id, at, actor, action, text);
  free(text);
  return rc;
}

/* Runs a per-case list statement; `shape` turns a row into an object. */
static int case_rows(ts_store *s, int q, int64_t case_id, json_t *(*shape)(sqlite3_stmt *),
                     json_t **out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, q);
  json_t *arr = json_array();
  int rc = st && arr ? TS_OK : TS_ERR_STORE;
  if (!rc) {
    sqlite3_bind_int64(st, 1, case_id);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
      json_t *o = shape(st);
      if (!o || json_array_append_new(arr, o) != 0)
        rc = TS_ERR_NOMEM;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  reader_put(s, c, t0);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

static const char *col_text(sqlite3_stmt *st, int i) {
  const char *v = (const char *)sqlite3_column_text(st, i);
  return v ? v : "";
}

static json_t *shape_history(sqlite3_stmt *st) {
  json_t *changes = json_loads(col_text(st, 4), 0, NULL);
  return json_pack("{s:I,s:o,s:s,s:s,s:o}", "id", (json_int_t)sqlite3_column_int64(st, 0), "at",
                   time_json(sqlite3_column_int64(st, 1)), "actor", col_text(st, 2), "action",
                   col_text(st, 3), "changes", changes ? changes : json_object());
}

int ts_store_history_list(ts_store *s, int64_t case_id, json_t **out) {
  return case_rows(s, Q_HISTORY_LIST, case_id, shape_history, out);
}

int ts_tx_note_add(ts_tx *tx, int64_t case_id, int64_t at, const char *author,
                   const char *text, int64_t *id) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_NOTE_ADD);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, at);
  sqlite3_bind_text(st, 3, author, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
  int rc = step_done(tx->c, st, "note add");
  if (!rc && id)
    *id = sqlite3_last_insert_rowid(tx->c->db);
  return rc;
}

int ts_tx_note_delete(ts_tx *tx, int64_t case_id, int64_t note_id, char author[65], int64_t *at) {
  sqlite3_stmt *st = ts_sq_stmt(tx->s, tx->c, X_NOTE_DELETE,
                                "DELETE FROM case_notes WHERE id = ?1 AND case_id = ?2"
                                " RETURNING author, at");
  int r, rc = TS_ERR_NOT_FOUND;
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, note_id);
  sqlite3_bind_int64(st, 2, case_id);
  if ((r = sqlite3_step(st)) == SQLITE_ROW) {
    snprintf(author, 65, "%s", col_text(st, 0));
    *at = sqlite3_column_int64(st, 1);
    rc = TS_OK;
    r = sqlite3_step(st);
  }
  if (r != SQLITE_DONE && r != SQLITE_ROW)
    rc = map_sqlite(r);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

static json_t *shape_note(sqlite3_stmt *st) {
  return json_pack("{s:I,s:o,s:s,s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0), "at",
                   time_json(sqlite3_column_int64(st, 1)), "author", col_text(st, 2), "text",
                   col_text(st, 3));
}

int ts_store_note_list(ts_store *s, int64_t case_id, json_t **out) {
  return case_rows(s, Q_NOTE_LIST, case_id, shape_note, out);
}

int ts_tx_contact_add(ts_tx *tx, int64_t case_id, const ts_contact *ct, int64_t *id) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_CONTACT_ADD);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, ct->at);
  sqlite3_bind_text(st, 3, ct->by, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, ct->method, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, ct->direction, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, ct->summary, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 7, !ct->unreached);
  int rc = step_done(tx->c, st, "contact add");
  if (!rc && id)
    *id = sqlite3_last_insert_rowid(tx->c->db);
  return rc;
}

static json_t *shape_contact(sqlite3_stmt *st) {
  return json_pack("{s:I,s:o,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                   "at", time_json(sqlite3_column_int64(st, 1)), "by", col_text(st, 2),
                   "method", col_text(st, 3), "direction", col_text(st, 4), "summary",
                   col_text(st, 5), "reached", sqlite3_column_int(st, 6));
}

int ts_store_contact_list(ts_store *s, int64_t case_id, json_t **out) {
  return case_rows(s, Q_CONTACT_LIST, case_id, shape_contact, out);
}

int ts_tx_promise_add(ts_tx *tx, ts_promise *p) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_PROMISE_ADD);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, p->case_id);
  sqlite3_bind_int64(st, 2, p->created_at);
  sqlite3_bind_text(st, 3, p->by, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, p->promise, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, p->due_at);
  int rc = step_done(tx->c, st, "promise add");
  if (!rc)
    p->id = sqlite3_last_insert_rowid(tx->c->db);
  return rc;
}

static void row_promise(sqlite3_stmt *st, ts_promise *p) {
  memset(p, 0, sizeof *p);
  p->id = sqlite3_column_int64(st, 0);
  p->case_id = sqlite3_column_int64(st, 1);
  p->created_at = sqlite3_column_int64(st, 2);
  copy_col(st, 3, p->by, sizeof p->by);
  copy_col(st, 4, p->promise, sizeof p->promise);
  p->due_at = sqlite3_column_int64(st, 5);
  p->kept = sqlite3_column_int(st, 6);
  p->settled_at = sqlite3_column_int64(st, 7);
}

int ts_tx_promise_get(ts_tx *tx, int64_t case_id, int64_t id, ts_promise *out) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_PROMISE_GET);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, id);
  int r = sqlite3_step(st);
  int rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : map_sqlite(r);
  if (r == SQLITE_ROW)
    row_promise(st, out);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

int ts_tx_promise_settle(ts_tx *tx, int64_t id, int kept, int64_t at) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_PROMISE_SETTLE);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int(st, 1, kept);
  sqlite3_bind_int64(st, 2, at);
  sqlite3_bind_int64(st, 3, id);
  return step_done(tx->c, st, "promise settle");
}

static json_t *shape_promise(sqlite3_stmt *st) {
  ts_promise p;
  row_promise(st, &p);
  return json_pack("{s:I,s:o,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)p.id, "created_at",
                   time_json(p.created_at), "by", p.by, "promise", p.promise, "due_at",
                   time_json(p.due_at), "kept", p.kept < 0 ? json_null() : json_boolean(p.kept),
                   "settled_at", time_json(p.settled_at));
}

int ts_store_promise_list(ts_store *s, int64_t case_id, json_t **out) {
  return case_rows(s, Q_PROMISE_LIST, case_id, shape_promise, out);
}

/* ---- evidence ---------------------------------------------------------------------------- */

int ts_tx_evidence_add(ts_tx *tx, ts_evidence *e) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_EVIDENCE_ADD);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, e->case_id);
  sqlite3_bind_int64(st, 2, e->at);
  sqlite3_bind_text(st, 3, e->by, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, e->filename, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, e->content_type, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, e->size);
  sqlite3_bind_text(st, 7, e->sha256, -1, SQLITE_STATIC);
  int rc = step_done(tx->c, st, "evidence add");
  if (!rc)
    e->id = sqlite3_last_insert_rowid(tx->c->db);
  return rc;
}

static void row_evidence(sqlite3_stmt *st, ts_evidence *e) {
  memset(e, 0, sizeof *e);
  e->id = sqlite3_column_int64(st, 0);
  e->case_id = sqlite3_column_int64(st, 1);
  e->at = sqlite3_column_int64(st, 2);
  copy_col(st, 3, e->by, sizeof e->by);
  copy_col(st, 4, e->filename, sizeof e->filename);
  copy_col(st, 5, e->content_type, sizeof e->content_type);
  e->size = sqlite3_column_int64(st, 6);
  copy_col(st, 7, e->sha256, sizeof e->sha256);
}

int ts_store_evidence_get(ts_store *s, int64_t case_id, int64_t id, ts_evidence *out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, Q_EVIDENCE_GET);
  int rc = TS_ERR_STORE;
  if (st) {
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, id);
    int r = sqlite3_step(st);
    rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : map_sqlite(r);
    if (r == SQLITE_ROW)
      row_evidence(st, out);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  reader_put(s, c, t0);
  return rc;
}

static json_t *shape_evidence(sqlite3_stmt *st) {
  ts_evidence e;
  row_evidence(st, &e);
  return json_pack("{s:I,s:o,s:s,s:s,s:s,s:I,s:s}", "id", (json_int_t)e.id, "at",
                   time_json(e.at), "by", e.by, "filename", e.filename, "content_type",
                   e.content_type, "size", (json_int_t)e.size, "sha256", e.sha256);
}

int ts_store_evidence_list(ts_store *s, int64_t case_id, json_t **out) {
  return case_rows(s, Q_EVIDENCE_LIST, case_id, shape_evidence, out);
}

/* ---- solutions and approval limits -------------------------------------------------------- */

int ts_store_approval_limits(ts_store *s, ts_approval_limit *out, int max, int *n) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, Q_APPROVAL_LIMITS);
  int rc = st ? TS_OK : TS_ERR_STORE, k = 0;
  while (!rc && k < max && sqlite3_step(st) == SQLITE_ROW) {
    unsigned role = ts_role_parse((const char *)sqlite3_column_text(st, 0));
    int grade = ts_grade_level((const char *)sqlite3_column_text(st, 2));
    if (!role || !grade)
      continue; /* a row naming no role we know approves nothing */
    out[k].role = role;
    out[k].max_cents = sqlite3_column_int64(st, 1);
    out[k].max_grade = grade;
    k++;
  }
  if (st)
    sqlite3_reset(st);
  reader_put(s, c, t0);
  if (!rc)
    *n = k;
  return rc;
}

int ts_tx_solutions_add(ts_tx *tx, int64_t case_id, int64_t proposal_no,
                        const ts_solution *items, int n, const char *by, int64_t at) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_SOLUTION_ADD);
  int rc = st ? TS_OK : TS_ERR_STORE;
  for (int i = 0; !rc && i < n; i++) {
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, proposal_no);
    sqlite3_bind_text(st, 3, items[i].option, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, items[i].type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, items[i].amount_cents);
    sqlite3_bind_text(st, 6, items[i].description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, at);
    rc = step_done(tx->c, st, "solution add");
  }
  return rc;
}

static void row_solution(sqlite3_stmt *st, ts_solution *o) {
  memset(o, 0, sizeof *o);
  copy_col(st, 0, o->type, sizeof o->type);
  copy_col(st, 1, o->option, sizeof o->option);
  o->amount_cents = sqlite3_column_int64(st, 2);
  copy_col(st, 3, o->description, sizeof o->description);
}

static int solutions_on(ts_store *s, conn *c, int64_t case_id, int64_t proposal_no,
                        ts_solution *out, int max, int *n) {
  sqlite3_stmt *st = stmt(s, c, Q_SOLUTION_GET);
  int k = 0;
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, proposal_no);
  while (k < max && sqlite3_step(st) == SQLITE_ROW)
    row_solution(st, &out[k++]);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  *n = k;
  return TS_OK;
}

int ts_tx_solutions_get(ts_tx *tx, int64_t case_id, int64_t proposal_no, ts_solution *out,
                        int max, int *n) {
  return solutions_on(tx->s, tx->c, case_id, proposal_no, out, max, n);
}

int ts_store_solutions_list(ts_store *s, int64_t case_id, int64_t proposal_no, json_t **out) {
  ts_solution items[TS_SOLUTIONS_MAX];
  int n = 0;
  int64_t t0;
  conn *c = reader_get(s, &t0);
  int rc = solutions_on(s, c, case_id, proposal_no, items, TS_SOLUTIONS_MAX, &n);
  reader_put(s, c, t0);
  if (rc)
    return rc;
  json_t *arr = json_array();
  for (int i = 0; arr && i < n; i++)
    json_array_append_new(arr, json_pack("{s:s,s:I,s:s,s:o}", "type", items[i].type,
                                         "amount_cents", (json_int_t)items[i].amount_cents,
                                         "description", items[i].description, "option",
                                         items[i].option[0] ? json_string(items[i].option)
                                                            : json_null()));
  if (!arr)
    return TS_ERR_NOMEM;
  *out = arr;
  return TS_OK;
}

/* ---- grading rules --------------------------------------------------------------------- */

/* Makes a rule from a row (id, grade, kind, params, text_zh, text_en); 0 if it does not
 * make one (a rule edited into nonsense outside the API is skipped, not fatal). */
static int row_rule(sqlite3_stmt *st, ts_rule *r) {
  json_t *params = json_loads(col_text(st, 3), 0, NULL);
  int rc = ts_rule_make(col_text(st, 0), col_text(st, 1), col_text(st, 2), params,
                        col_text(st, 4), col_text(st, 5), r, NULL);
  json_decref(params);
  return rc == TS_OK;
}

int ts_tx_grading_rules(ts_tx *tx, const ts_rule **rules, int *n) {
  ts_store *s = tx->s;
  if (!s->rules_loaded) {
    sqlite3_stmt *st = stmt(s, tx->c, Q_RULES_ACTIVE);
    ts_rule *arr = NULL;
    int len = 0, cap = 0;
    if (!st)
      return TS_ERR_STORE;
    while (sqlite3_step(st) == SQLITE_ROW) {
      if (len == cap) {
        int ncap = cap ? cap * 2 : 32;
        ts_rule *g = realloc(arr, (size_t)ncap * sizeof *arr);
        if (!g) {
          free(arr);
          sqlite3_reset(st);
          return TS_ERR_NOMEM;
        }
        arr = g;
        cap = ncap;
      }
      if (row_rule(st, &arr[len]))
        len++;
    }
    sqlite3_reset(st);
    free(s->rules);
    s->rules = arr;
    s->nrules = len;
    s->rules_loaded = 1;
  }
  *rules = s->rules;
  *n = s->nrules;
  return TS_OK;
}

int ts_tx_grade_count(ts_tx *tx, ts_rule_kind kind, const ts_case *c, int64_t since,
                      int64_t cap, int64_t *n) {
  const char *key = ts_case_text(c, TS_CF_SUBJECT_KEY);
  const char *phone = ts_case_text(c, TS_CF_C_PHONE);
  int q;
  switch (kind) {
  case TS_RULE_SAME_SUBJECT_CUSTOMERS:
    q = Q_COUNT_SUBJECT_CUSTOMERS;
    break;
  case TS_RULE_SIMILAR_CASES:
    q = Q_COUNT_SIMILAR;
    break;
  case TS_RULE_REPEAT_COMPLAINANT:
    q = Q_COUNT_COMPLAINANT;
    break;
  case TS_RULE_RAISED_TIMES:
    q = Q_COUNT_INBOUND;
    break;
  case TS_RULE_DEPTS_INVOLVED:
    q = Q_COUNT_DEPTS;
    break;
  default:
    return TS_ERR_INVALID;
  }
  if ((q == Q_COUNT_INBOUND || q == Q_COUNT_DEPTS) && c->id == 0) {
    /* a case not yet written has no history nor contacts: only its own department */
    *n = q == Q_COUNT_DEPTS && ts_case_has(c, TS_CF_DEPT);
    return TS_OK;
  }
  if (q == Q_COUNT_INBOUND || q == Q_COUNT_DEPTS) {
    sqlite3_stmt *st = stmt(tx->s, tx->c, q);
    if (!st)
      return TS_ERR_STORE;
    if (q == Q_COUNT_DEPTS && ts_case_has(c, TS_CF_DEPT))
      sqlite3_bind_int64(st, 1, ts_case_int(c, TS_CF_DEPT));
    else
      sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int64(st, 3, c->id);
    sqlite3_bind_int64(st, 5, cap > 0 ? cap : 1);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
      *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return r == SQLITE_ROW ? TS_OK : map_sqlite(r);
  }
  if ((q == Q_COUNT_COMPLAINANT && !phone) || (q != Q_COUNT_COMPLAINANT && !key)) {
    *n = 1; /* nothing to compare by: only the case itself */
    return TS_OK;
  }
  sqlite3_stmt *st = stmt(tx->s, tx->c, q);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, q == Q_COUNT_COMPLAINANT ? phone : key, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, since);
  sqlite3_bind_int64(st, 3, c->id);
  sqlite3_bind_int64(st, 5, cap > 0 ? cap : 1);
  if (q == Q_COUNT_SUBJECT_CUSTOMERS) {
    const char *who = phone ? phone : ts_case_text(c, TS_CF_C_CUSTOMER_ID);
    sqlite3_bind_text(st, 4, who ? who : ts_case_text(c, TS_CF_C_NAME), -1, SQLITE_STATIC);
  } else if (q == Q_COUNT_SIMILAR) {
    const char *cat = ts_case_text(c, TS_CF_CATEGORY);
    if (cat)
      sqlite3_bind_text(st, 4, cat, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null(st, 4);
  }
  int r = sqlite3_step(st);
  if (r == SQLITE_ROW)
    *n = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return r == SQLITE_ROW ? TS_OK : map_sqlite(r);
}

static json_t *shape_rule(sqlite3_stmt *st) {
  json_t *params = json_loads(col_text(st, 3), 0, NULL);
  return json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:b}", "id", col_text(st, 0), "grade",
                   col_text(st, 1), "kind", col_text(st, 2), "params",
                   params ? params : json_object(), "text_zh", col_text(st, 4), "text_en",
                   col_text(st, 5), "active", sqlite3_column_int(st, 6));
}

int ts_store_grading_rule_list(ts_store *s, json_t **out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, Q_RULES_ALL);
  json_t *arr = json_array();
  int rc = st && arr ? TS_OK : TS_ERR_STORE;
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    json_t *o = shape_rule(st);
    if (!o || json_array_append_new(arr, o))
      rc = TS_ERR_NOMEM;
  }
  if (st)
    sqlite3_reset(st);
  reader_put(s, c, t0);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

int ts_tx_grading_rule_put(ts_tx *tx, const ts_rule *r, int active) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_RULE_PUT);
  char grade[3] = {'g', (char)('0' + r->grade), '\0'};
  json_t *params = ts_rule_params(r);
  char *ptext = params ? json_dumps(params, JSON_COMPACT) : NULL;
  json_decref(params);
  int rc = TS_ERR_NOMEM;
  if (st && ptext) {
    sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, grade, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ts_rule_kind_name(r->kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ptext, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->text_zh, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->text_en, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, active);
    rc = step_done(tx->c, st, "rule put");
  } else if (!st) {
    rc = TS_ERR_STORE;
  }
  free(ptext);
  tx->s->rules_loaded = 0; /* reload on next use, whatever became of this write */
  return rc;
}

/* ---- service stages, settings ------------------------------------------------------------- */

int ts_store_stage_get(ts_store *s, const char *code) { return code_exists(s, Q_STAGE_GET, code); }

int ts_store_stage_list(ts_store *s, json_t **out) {
  static const char *const names[] = {"code", "name_zh", "name_en"};
  return list_rows(s, Q_STAGE_LIST, names, 3, out);
}

int64_t ts_store_setting_int(ts_store *s, const char *key, int64_t def) {
  int64_t t0, v = def;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, Q_SETTING);
  if (st) {
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
      char *end;
      const char *txt = col_text(st, 0);
      long long n = strtoll(txt, &end, 10);
      if (*txt && !*end)
        v = n;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  reader_put(s, c, t0);
  return v;
}

/* ---- improvement actions -------------------------------------------------------------------- */

int ts_tx_improvement_add(ts_tx *tx, ts_improvement *im) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_IMPROVEMENT_ADD);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, im->case_id);
  sqlite3_bind_text(st, 2, im->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, im->description, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, im->owner, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, im->due_on, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, im->created_by, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, im->created_at);
  int rc = step_done(tx->c, st, "improvement add");
  if (!rc)
    im->id = sqlite3_last_insert_rowid(tx->c->db);
  return rc;
}

static void row_improvement(sqlite3_stmt *st, ts_improvement *im) {
  memset(im, 0, sizeof *im);
  im->id = sqlite3_column_int64(st, 0);
  im->case_id = sqlite3_column_int64(st, 1);
  copy_col(st, 2, im->kind, sizeof im->kind);
  copy_col(st, 3, im->description, sizeof im->description);
  copy_col(st, 4, im->owner, sizeof im->owner);
  copy_col(st, 5, im->due_on, sizeof im->due_on);
  copy_col(st, 6, im->status, sizeof im->status);
  copy_col(st, 7, im->created_by, sizeof im->created_by);
  im->created_at = sqlite3_column_int64(st, 8);
  im->done_at = sqlite3_column_int64(st, 9);
}

int ts_tx_improvement_get(ts_tx *tx, int64_t case_id, int64_t id, ts_improvement *out) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_IMPROVEMENT_GET);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, id);
  int r = sqlite3_step(st);
  int rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : map_sqlite(r);
  if (r == SQLITE_ROW)
    row_improvement(st, out);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

int ts_tx_improvement_set_status(ts_tx *tx, int64_t id, const char *status, int64_t at) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_IMPROVEMENT_STATUS);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
  if (strcmp(status, "done") == 0)
    sqlite3_bind_int64(st, 2, at);
  else
    sqlite3_bind_null(st, 2);
  sqlite3_bind_int64(st, 3, id);
  return step_done(tx->c, st, "improvement status");
}

int ts_tx_improvement_count(ts_tx *tx, int64_t case_id, int64_t *n) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_IMPROVEMENT_COUNT);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  int r = sqlite3_step(st);
  if (r == SQLITE_ROW)
    *n = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return r == SQLITE_ROW ? TS_OK : map_sqlite(r);
}

static json_t *shape_improvement(sqlite3_stmt *st) {
  ts_improvement im;
  row_improvement(st, &im);
  return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)im.id, "kind",
                   im.kind, "description", im.description, "owner", im.owner, "due_on",
                   im.due_on, "status", im.status, "created_by", im.created_by, "created_at",
                   time_json(im.created_at), "done_at", time_json(im.done_at));
}

int ts_store_improvement_list(ts_store *s, int64_t case_id, json_t **out) {
  return case_rows(s, Q_IMPROVEMENT_LIST, case_id, shape_improvement, out);
}

/* ---- penalties ------------------------------------------------------------------------------- */

int ts_tx_penalty_add(ts_tx *tx, ts_penalty *p) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_PENALTY_ADD);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, p->case_id);
  sqlite3_bind_text(st, 2, p->person, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, p->kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, p->amount_cents);
  sqlite3_bind_int64(st, 5, p->share_pct);
  sqlite3_bind_text(st, 6, p->reason, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, p->proposed_by, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 8, p->proposed_at);
  int rc = step_done(tx->c, st, "penalty add");
  if (!rc)
    p->id = sqlite3_last_insert_rowid(tx->c->db);
  return rc;
}

static void row_penalty(sqlite3_stmt *st, ts_penalty *p) {
  memset(p, 0, sizeof *p);
  p->id = sqlite3_column_int64(st, 0);
  p->case_id = sqlite3_column_int64(st, 1);
  copy_col(st, 2, p->person, sizeof p->person);
  copy_col(st, 3, p->kind, sizeof p->kind);
  p->amount_cents = sqlite3_column_int64(st, 4);
  p->share_pct = sqlite3_column_int(st, 5);
  copy_col(st, 6, p->reason, sizeof p->reason);
  copy_col(st, 7, p->status, sizeof p->status);
  copy_col(st, 8, p->proposed_by, sizeof p->proposed_by);
  p->proposed_at = sqlite3_column_int64(st, 9);
  copy_col(st, 10, p->approved_by, sizeof p->approved_by);
  p->approved_at = sqlite3_column_int64(st, 11);
  copy_col(st, 12, p->executed_by, sizeof p->executed_by);
  p->executed_at = sqlite3_column_int64(st, 13);
}

int ts_tx_penalty_get(ts_tx *tx, int64_t case_id, int64_t id, ts_penalty *out) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_PENALTY_GET);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, id);
  int r = sqlite3_step(st);
  int rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : map_sqlite(r);
  if (r == SQLITE_ROW)
    row_penalty(st, out);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

int ts_tx_penalty_set_status(ts_tx *tx, int64_t id, const char *status, const char *by,
                             int64_t at) {
  const char *sql = strcmp(status, "approved") == 0
                      ? "UPDATE case_penalties SET status = ?1, approved_by = ?2, approved_at = ?3 WHERE id = ?4"
                    : strcmp(status, "executed") == 0
                      ? "UPDATE case_penalties SET status = ?1, executed_by = ?2, executed_at = ?3 WHERE id = ?4"
                      : "UPDATE case_penalties SET status = ?1 WHERE id = ?4"; /* cancelled: ?2, ?3 unused */
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(tx->c->db, sql, -1, &st, NULL) != SQLITE_OK)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, at);
  sqlite3_bind_int64(st, 4, id);
  int r = sqlite3_step(st);
  sqlite3_finalize(st);
  return r == SQLITE_DONE ? TS_OK : map_sqlite(r);
}

static json_t *penalty_json(const ts_penalty *p, const char *case_no) {
  return json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "id",
                   (json_int_t)p->id, "case_no", case_no, "person", p->person, "kind", p->kind,
                   "amount_cents", p->amount_cents >= 0 ? json_integer(p->amount_cents) : json_null(),
                   "share_pct", p->share_pct >= 0 ? json_integer(p->share_pct) : json_null(),
                   "reason", p->reason, "status", p->status, "proposed_by", p->proposed_by,
                   "proposed_at", time_json(p->proposed_at), "approved_by",
                   p->approved_by[0] ? json_string(p->approved_by) : json_null(), "approved_at",
                   time_json(p->approved_at), "executed_by",
                   p->executed_by[0] ? json_string(p->executed_by) : json_null(), "executed_at",
                   time_json(p->executed_at));
}

static json_t *shape_penalty(sqlite3_stmt *st) {
  ts_penalty p;
  row_penalty(st, &p);
  return penalty_json(&p, col_text(st, 14));
}

int ts_store_penalty_list(ts_store *s, int64_t case_id, json_t **out) {
  return case_rows(s, Q_PENALTY_LIST, case_id, shape_penalty, out);
}

int ts_store_penalties_pending(ts_store *s, const ts_scope *scope, json_t **out) {
  char sql[1400];
  int64_t t0;
  snprintf(sql, sizeof sql,
           "SELECT p.id, p.case_id, person, kind, coalesce(amount_cents,-1), coalesce(share_pct,-1), "
           "reason, p.status, proposed_by, proposed_at, coalesce(approved_by,''), "
           "coalesce(approved_at,0), coalesce(executed_by,''), coalesce(executed_at,0), c.case_no "
           "FROM case_penalties p JOIN cases c ON c.id = p.case_id "
           "WHERE p.status IN ('proposed','approved') %s ORDER BY p.proposed_at, p.id",
           scope->all ? "" :
           "AND (c.owner = ?1 OR c.handler = ?1"
           " OR (?3 AND c.outlet_id IN (SELECT id FROM org_units WHERE path LIKE ?2 || '%'))"
           " OR (?4 AND c.dept_id IN (SELECT id FROM org_units WHERE path LIKE ?2 || '%')))");
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int rc = arr && sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) == SQLITE_OK ? TS_OK : TS_ERR_STORE;
  if (!rc && !scope->all) {
    sqlite3_bind_text(st, 1, scope->username ? scope->username : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, scope->unit_path[0] ? scope->unit_path : "/nowhere/", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, scope->by_outlet && scope->unit_path[0]);
    sqlite3_bind_int(st, 4, scope->by_dept && scope->unit_path[0]);
  }
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    json_t *o = shape_penalty(st);
    if (!o || json_array_append_new(arr, o))
      rc = TS_ERR_NOMEM;
  }
  sqlite3_finalize(st);
  reader_put(s, c, t0);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

/* ---- routing and escalation ---------------------------------------------------------------- */

int ts_store_route(ts_store *s, const char *category, int64_t outlet, int64_t *dept) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, Q_ROUTE);
  int rc = TS_ERR_STORE;
  if (st) {
    if (category)
      sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, outlet);
    int r = sqlite3_step(st);
    rc = r == SQLITE_ROW ? TS_OK : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : map_sqlite(r);
    if (r == SQLITE_ROW)
      *dept = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  reader_put(s, c, t0);
  return rc;
}

int ts_store_route_list(ts_store *s, json_t **out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = stmt(s, c, Q_ROUTE_LIST);
  json_t *arr = json_array();
  int rc = st && arr ? TS_OK : TS_ERR_STORE;
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    json_t *o = json_pack("{s:I,s:o,s:o,s:I,s:i}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                          "category", sqlite3_column_type(st, 1) == SQLITE_NULL ? json_null()
                                                                                : json_string(col_text(st, 1)),
                          "unit", sqlite3_column_type(st, 2) == SQLITE_NULL
                                    ? json_null() : json_integer(sqlite3_column_int64(st, 2)),
                          "dept", (json_int_t)sqlite3_column_int64(st, 3), "priority",
                          sqlite3_column_int(st, 4));
    if (!o || json_array_append_new(arr, o))
      rc = TS_ERR_NOMEM;
  }
  if (st)
    sqlite3_reset(st);
  reader_put(s, c, t0);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

int ts_tx_route_add(ts_tx *tx, const char *category, int64_t unit, int64_t dept, int priority,
                    int64_t at, int64_t *id) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_ROUTE_ADD);
  if (!st)
    return TS_ERR_STORE;
  if (category)
    sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 1);
  sqlite3_bind_int64(st, 2, unit);
  sqlite3_bind_int64(st, 3, dept);
  sqlite3_bind_int(st, 4, priority);
  sqlite3_bind_int64(st, 5, at);
  int rc = step_done(tx->c, st, "route add");
  if (!rc && id)
    *id = sqlite3_last_insert_rowid(tx->c->db);
  return rc;
}

int ts_tx_route_delete(ts_tx *tx, int64_t id) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_ROUTE_DELETE);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, id);
  int rc = step_done(tx->c, st, "route delete");
  if (!rc && sqlite3_changes(tx->c->db) == 0)
    rc = TS_ERR_NOT_FOUND;
  return rc;
}

static int notice_add(ts_tx *tx, int64_t case_id, const char *grade, const char *target,
                      const char *recipient, const char *reason, int64_t at) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_NOTICE_ADD);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_text(st, 2, grade, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, target, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, recipient, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, at);
  return step_done(tx->c, st, "notice add");
}

/* The targets of one grade's tier, copied out (the statement is reused below). */
static int tier_targets(ts_tx *tx, const char *grade, char (*out)[80], int max, int *n) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_TIERS);
  int k = 0;
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, grade, -1, SQLITE_STATIC);
  while (k < max && sqlite3_step(st) == SQLITE_ROW)
    copy_col(st, 0, out[k++], 80);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  *n = k;
  return TS_OK;
}

/* The people of a unit a notice names: its supervisors and managers (or the nearest unit
 * above that has some), added to people[] without repeats. */
static int notice_people(ts_tx *tx, int64_t unit, ts_people *people) {
  char found[16][65];
  int n = 0;
  int64_t at;
  int rc = ts_tx_unit_people(tx, unit, TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER |
                                          TS_ROLE_GENERAL_MANAGER, found, 16, &n, &at);
  for (int i = 0; !rc && people && i < n; i++)
    ts_people_add(people, found[i]);
  return rc;
}

void ts_people_add(ts_people *p, const char *username) {
  for (int i = 0; i < p->n; i++)
    if (!strcmp(p->names[i], username))
      return;
  if (p->n < TS_PEOPLE_MAX && username[0])
    snprintf(p->names[p->n++], sizeof p->names[0], "%.64s", username);
}

int ts_tx_escalate(ts_tx *tx, const ts_case *c, int from_grade, int to_grade, int64_t at,
                   int *n, ts_people *people) {
  char targets[16][80], recipient[480], reason[96];
  int64_t outlet = ts_case_int(c, TS_CF_OUTLET);
  int rc = TS_OK;
  *n = 0;
  for (int g = from_grade + 1; g <= to_grade && !rc; g++) {
    char grade[3] = {'g', (char)('0' + g), '\0'};
    int nt = 0;
    if ((rc = tier_targets(tx, grade, targets, 16, &nt)))
      break;
    snprintf(reason, sizeof reason, "grade %s: must be involved", grade);
    for (int i = 0; i < nt && !rc; i++) {
      const char *t = targets[i];
      ts_unit u;
      recipient[0] = '\0';
      if (!strcmp(t, "outlet") && outlet && unit_get_on(tx->s, tx->c, Q_UNIT_GET, outlet, NULL, &u) == TS_OK) {
        snprintf(recipient, sizeof recipient, "unit:%lld %s", (long long)u.id, u.name);
        rc = notice_people(tx, u.id, people);
      } else if (!strcmp(t, "region") && outlet) {
        sqlite3_stmt *st = stmt(tx->s, tx->c, Q_REGION_OF);
        if (!st)
          return TS_ERR_STORE;
        sqlite3_bind_int64(st, 1, outlet);
        int64_t region = 0;
        if (sqlite3_step(st) == SQLITE_ROW) {
          region = sqlite3_column_int64(st, 0);
          snprintf(recipient, sizeof recipient, "unit:%lld %s", (long long)region, col_text(st, 1));
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (region)
          rc = notice_people(tx, region, people);
      } else if (!strncmp(t, "unit:", 5) &&
                 unit_get_on(tx->s, tx->c, Q_UNIT_BY_CODE, 0, t + 5, &u) == TS_OK) {
        snprintf(recipient, sizeof recipient, "unit:%lld %s", (long long)u.id, u.name);
        rc = notice_people(tx, u.id, people);
      } else if (!strncmp(t, "role:", 5) && ts_role_parse(t + 5)) {
        /* every enabled user who holds the role */
        sqlite3_stmt *st = stmt(tx->s, tx->c, Q_USERS_WITH_ROLE);
        char users[32][65];
        int nu = 0;
        if (!st)
          return TS_ERR_STORE;
        sqlite3_bind_int64(st, 1, ts_role_parse(t + 5));
        while (nu < 32 && sqlite3_step(st) == SQLITE_ROW)
          copy_col(st, 0, users[nu++], 65);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        for (int k = 0; k < nu && !rc; k++) {
          snprintf(recipient, sizeof recipient, "user:%.64s", users[k]);
          if (people)
            ts_people_add(people, users[k]);
          if (!(rc = notice_add(tx, c->id, grade, t, recipient, reason, at)))
            (*n)++;
        }
        continue;
      }
      if (rc || !recipient[0])
        continue; /* names nothing in this organisation */
      if (!(rc = notice_add(tx, c->id, grade, t, recipient, reason, at)))
        (*n)++;
    }
  }
  return rc;
}

static json_t *shape_notice(sqlite3_stmt *st) {
  return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                   "grade", col_text(st, 1), "target", col_text(st, 2), "recipient",
                   col_text(st, 3), "reason", col_text(st, 4), "created_at",
                   time_json(sqlite3_column_int64(st, 5)), "delivered_at",
                   time_json(sqlite3_column_int64(st, 6)));
}

int ts_store_notice_list(ts_store *s, int64_t case_id, json_t **out) {
  return case_rows(s, Q_NOTICE_LIST, case_id, shape_notice, out);
}

/* ---- the case library ------------------------------------------------------------------------ */

void ts_writeup_clear(ts_writeup *w) {
  free(w->title);
  free(w->scenario);
  free(w->analysis);
  free(w->correct_practice);
  free(w->solution);
  w->title = w->scenario = w->analysis = w->correct_practice = w->solution = NULL;
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v) {
  if (v && *v)
    sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, i);
}

int ts_tx_writeup_insert(ts_tx *tx, ts_writeup *w) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_WRITEUP_INSERT);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, w->case_id);
  sqlite3_bind_text(st, 2, w->title, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, w->scenario, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, w->analysis, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, w->correct_practice, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, w->solution, -1, SQLITE_STATIC);
  bind_opt_text(st, 7, w->category);
  bind_opt_text(st, 8, w->service_stage);
  bind_opt_text(st, 9, w->grade);
  sqlite3_bind_text(st, 10, w->created_by, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 11, w->created_at);
  sqlite3_bind_int64(st, 12, w->created_at);
  int rc = step_done(tx->c, st, "writeup insert");
  if (!rc)
    w->id = sqlite3_last_insert_rowid(tx->c->db);
  return rc;
}

static int row_writeup(sqlite3_stmt *st, ts_writeup *w) {
  memset(w, 0, sizeof *w);
  w->id = sqlite3_column_int64(st, 0);
  w->case_id = sqlite3_column_int64(st, 1);
  copy_col(st, 2, w->case_no, sizeof w->case_no);
  w->title = strdup(col_text(st, 3));
  w->scenario = strdup(col_text(st, 4));
  w->analysis = strdup(col_text(st, 5));
  w->correct_practice = strdup(col_text(st, 6));
  w->solution = strdup(col_text(st, 7));
  copy_col(st, 8, w->category, sizeof w->category);
  copy_col(st, 9, w->service_stage, sizeof w->service_stage);
  copy_col(st, 10, w->grade, sizeof w->grade);
  copy_col(st, 11, w->status, sizeof w->status);
  copy_col(st, 12, w->created_by, sizeof w->created_by);
  w->created_at = sqlite3_column_int64(st, 13);
  w->updated_at = sqlite3_column_int64(st, 14);
  w->published_at = sqlite3_column_int64(st, 15);
  if (!w->title || !w->scenario || !w->analysis || !w->correct_practice || !w->solution) {
    ts_writeup_clear(w);
    return TS_ERR_NOMEM;
  }
  return TS_OK;
}

static int writeup_get_on(ts_store *s, conn *c, int64_t id, ts_writeup *out) {
  sqlite3_stmt *st = stmt(s, c, Q_WRITEUP_GET);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, id);
  int r = sqlite3_step(st);
  int rc = r == SQLITE_ROW ? row_writeup(st, out) : r == SQLITE_DONE ? TS_ERR_NOT_FOUND : map_sqlite(r);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

int ts_tx_writeup_get(ts_tx *tx, int64_t id, ts_writeup *out) {
  return writeup_get_on(tx->s, tx->c, id, out);
}

int ts_store_writeup_get(ts_store *s, int64_t id, ts_writeup *out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  int rc = writeup_get_on(s, c, id, out);
  reader_put(s, c, t0);
  return rc;
}

int ts_tx_writeup_update(ts_tx *tx, const ts_writeup *w) {
  sqlite3_stmt *st = stmt(tx->s, tx->c, Q_WRITEUP_UPDATE);
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, w->title, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, w->scenario, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, w->analysis, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, w->correct_practice, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, w->solution, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, w->status, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, w->updated_at);
  sqlite3_bind_int64(st, 8, w->published_at);
  sqlite3_bind_int64(st, 9, w->id);
  int rc = step_done(tx->c, st, "writeup update");
  if (!rc && sqlite3_changes(tx->c->db) == 0)
    rc = TS_ERR_NOT_FOUND;
  return rc;
}

int ts_store_writeup_list(ts_store *s, int drafts, const char *match, json_t **out) {
  static const char all[] =
    "SELECT w.id, c.case_no, w.title, coalesce(w.category,''), coalesce(w.service_stage,''), "
    "coalesce(w.grade,''), w.status, w.updated_at, coalesce(w.published_at,0), 0, NULL, "
    "CASE WHEN w.correct_practice <> '' THEN 'correct_practice' WHEN w.solution <> '' THEN 'solution' "
    "WHEN w.analysis <> '' THEN 'analysis' ELSE 'scenario' END, "
    "substr(coalesce(nullif(w.correct_practice,''), nullif(w.solution,''), nullif(w.analysis,''), "
    "w.scenario), 1, 120) "
    "FROM case_writeups w JOIN cases c ON c.id = w.case_id "
    "WHERE (?1 OR w.status = 'published') AND ?2 IS NULL ORDER BY w.id DESC";
  /* The library index (migration 10), best first; matches marked as in ts_store_case_search. */
  static const char found[] =
    "SELECT w.id, c.case_no, w.title, coalesce(w.category,''), coalesce(w.service_stage,''), "
    "coalesce(w.grade,''), w.status, w.updated_at, coalesce(w.published_at,0), writeup_fts.rank, "
    "snippet(writeup_fts, -1, char(57344), char(57345), '…', 24), "
    "CASE WHEN w.correct_practice <> '' THEN 'correct_practice' WHEN w.solution <> '' THEN 'solution' "
    "WHEN w.analysis <> '' THEN 'analysis' ELSE 'scenario' END, "
    "substr(coalesce(nullif(w.correct_practice,''), nullif(w.solution,''), nullif(w.analysis,''), "
    "w.scenario), 1, 120) "
    "FROM writeup_fts JOIN case_writeups w ON w.id = writeup_fts.rowid "
    "JOIN cases c ON c.id = w.case_id "
    "WHERE (?1 OR w.status = 'published') AND writeup_fts MATCH ?2 "
    "ORDER BY writeup_fts.rank, w.id DESC";
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int r = SQLITE_DONE;
  int rc = arr && sqlite3_prepare_v2(c->db, match ? found : all, -1, &st, NULL) == SQLITE_OK
             ? TS_OK : TS_ERR_STORE;
  if (!rc) {
    sqlite3_bind_int(st, 1, drafts);
    bind_opt_text(st, 2, match);
  }
  while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id",
                          (json_int_t)sqlite3_column_int64(st, 0), "case_no", col_text(st, 1),
                          "title", col_text(st, 2), "category", col_text(st, 3), "service_stage",
                          col_text(st, 4), "grade", col_text(st, 5), "status", col_text(st, 6),
                          "updated_at", time_json(sqlite3_column_int64(st, 7)), "published_at",
                          time_json(sqlite3_column_int64(st, 8)));
    /* the first 120 characters of the first section written, the lesson first */
    if (o && (json_object_set_new(o, "excerpt_section", json_string(col_text(st, 11))) ||
              json_object_set_new(o, "excerpt", json_string(col_text(st, 12)))))
      rc = TS_ERR_NOMEM;
    if (o && match &&
        (json_object_set_new(o, "score", json_real(-sqlite3_column_double(st, 9))) ||
         json_object_set_new(o, "snippet", json_string(col_text(st, 10)))))
      rc = TS_ERR_NOMEM;
    if (!o || json_array_append_new(arr, o))
      rc = TS_ERR_NOMEM;
  }
  if (!rc && r != SQLITE_DONE)
    rc = map_sqlite(r);
  sqlite3_finalize(st);
  reader_put(s, c, t0);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

/* ---- configured lists ---------------------------------------------------------------------- */

int ts_tx_list_put(ts_tx *tx, const ts_list_item *it) {
  static const char *const sql[TS_LIST__COUNT] = {
    "INSERT INTO channels(code, name_zh, name_en, external, sort, active) VALUES (?1,?2,?3,?4,?5,?6) "
    "ON CONFLICT(code) DO UPDATE SET name_zh=?2, name_en=?3, external=?4, sort=?5, active=?6",
    "INSERT INTO categories(code, name_zh, name_en, parent_code, sort, active) "
    "VALUES (?1,?2,?3,nullif(?7,''),?5,?6) ON CONFLICT(code) DO UPDATE SET name_zh=?2, "
    "name_en=?3, parent_code=nullif(?7,''), sort=?5, active=?6",
    "INSERT INTO service_stages(code, name_zh, name_en, sort, active) VALUES (?1,?2,?3,?5,?6) "
    "ON CONFLICT(code) DO UPDATE SET name_zh=?2, name_en=?3, sort=?5, active=?6",
  };
  sqlite3_stmt *st = NULL;
  int rc;
  if (it->list < 0 || it->list >= TS_LIST__COUNT)
    return TS_ERR_INVALID;
  if (it->list == TS_LIST_CATEGORIES && it->parent[0]) {
    /* the parent must exist, and the tree must stay a tree */
    static const char cyc[] =
      "WITH RECURSIVE up(code, parent_code) AS (SELECT code, parent_code FROM categories WHERE code = ?1 "
      "UNION ALL SELECT c.code, c.parent_code FROM categories c JOIN up ON c.code = up.parent_code) "
      "SELECT (SELECT count(*) FROM categories WHERE code = ?1), (SELECT count(*) FROM up WHERE code = ?2)";
    if (sqlite3_prepare_v2(tx->c->db, cyc, -1, &st, NULL) != SQLITE_OK)
      return TS_ERR_STORE;
    sqlite3_bind_text(st, 1, it->parent, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, it->code, -1, SQLITE_STATIC);
    int ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1 &&
             sqlite3_column_int(st, 1) == 0;
    sqlite3_finalize(st);
    st = NULL;
    if (!ok)
      return TS_ERR_INVALID;
  }
  if (sqlite3_prepare_v2(tx->c->db, sql[it->list], -1, &st, NULL) != SQLITE_OK)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, it->code, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, it->name_zh, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, it->name_en, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, it->external);
  sqlite3_bind_int(st, 5, it->sort);
  sqlite3_bind_int(st, 6, it->active);
  if (it->list == TS_LIST_CATEGORIES)
    sqlite3_bind_text(st, 7, it->parent, -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE ? TS_OK : TS_ERR_STORE;
  sqlite3_finalize(st);
  return rc;
}

/* ---- losses by root cause (HR review) ----------------------------------------------------- */

#define LOSS_SUM                                                                                 \
  "coalesce(l_compensation_cents,0) + coalesce(l_refund_cents,0) + coalesce(l_discount_cents,0) " \
  "+ coalesce(l_repair_cents,0) + coalesce(l_goods_cents,0) + coalesce(l_freight_cents,0) "       \
  "+ coalesce(l_gift_cents,0) + coalesce(l_other_cents,0)"

int ts_tx_root_cause_loss(ts_tx *tx, const char *root_cause, int64_t *cents) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(tx->c->db, "SELECT coalesce(sum(" LOSS_SUM "),0) FROM cases WHERE root_cause = ?",
                         -1, &st, NULL) != SQLITE_OK)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, root_cause, -1, SQLITE_STATIC);
  int r = sqlite3_step(st);
  if (r == SQLITE_ROW)
    *cents = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return r == SQLITE_ROW ? TS_OK : map_sqlite(r);
}

int ts_tx_penalty_exists(ts_tx *tx, int64_t case_id, const char *kind, int *n) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(tx->c->db, "SELECT count(*) FROM case_penalties WHERE case_id = ? AND kind = ? "
                         "AND status != 'cancelled'", -1, &st, NULL) != SQLITE_OK)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
  int r = sqlite3_step(st);
  if (r == SQLITE_ROW)
    *n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return r == SQLITE_ROW ? TS_OK : map_sqlite(r);
}

int ts_store_root_cause_losses(ts_store *s, json_t **out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int rc = arr && sqlite3_prepare_v2(c->db, "SELECT root_cause, count(*), sum(" LOSS_SUM ") AS loss "
                                     "FROM cases WHERE root_cause IS NOT NULL GROUP BY root_cause "
                                     "ORDER BY loss DESC, root_cause", -1, &st, NULL) == SQLITE_OK
             ? TS_OK : TS_ERR_STORE;
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    json_t *o = json_pack("{s:s,s:I,s:I}", "root_cause", col_text(st, 0), "cases",
                          (json_int_t)sqlite3_column_int64(st, 1), "loss_cents",
                          (json_int_t)sqlite3_column_int64(st, 2));
    if (!o || json_array_append_new(arr, o))
      rc = TS_ERR_NOMEM;
  }
  sqlite3_finalize(st);
  reader_put(s, c, t0);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

/* ---- approval limits and settings (administration) -------------------------------------- */

/* Runs one parameterised statement on the writer (administration: not a hot path). */
static int tx_exec_bound(ts_tx *tx, const char *sql, const char *t1, int64_t i2, int null2,
                         const char *t3) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(tx->c->db, sql, -1, &st, NULL) != SQLITE_OK)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
  if (null2)
    sqlite3_bind_null(st, 2);
  else
    sqlite3_bind_int64(st, 2, i2);
  if (t3)
    sqlite3_bind_text(st, 3, t3, -1, SQLITE_STATIC);
  int r = sqlite3_step(st);
  sqlite3_finalize(st);
  return r == SQLITE_DONE ? TS_OK : map_sqlite(r);
}

int ts_tx_approval_limit_put(ts_tx *tx, const char *role, int64_t max_cents, const char *max_grade) {
  return tx_exec_bound(tx, "INSERT INTO approval_limits(role, max_cents, max_grade) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT(role) DO UPDATE SET max_cents = ?2, max_grade = ?3",
                       role, max_cents, max_cents < 0, max_grade);
}

int ts_tx_setting_put(ts_tx *tx, const char *key, int64_t value) {
  char v[24];
  ts_sq_sla_free(tx->s->sla); /* it caches the SLA settings */
  tx->s->sla = NULL;
  snprintf(v, sizeof v, "%lld", (long long)value);
  return tx_exec_bound(tx, "INSERT INTO settings(key, value) VALUES (?1, ?3) "
                       "ON CONFLICT(key) DO UPDATE SET value = ?3", /* ?2 unused */
                       key, 0, 1, v);
}

/* Statement slots of this file in the shared range (sqlite_int.h). */


int ts_store_approval_limit_list(ts_store *s, json_t **out) {
  static const char *const names[] = {"role", "max_cents", "max_grade"};
  return ts_sq_rows(s, X_APPROVAL_LIST, "SELECT role, max_cents, max_grade FROM approval_limits "
                    "ORDER BY max_cents IS NULL, max_cents", NULL, NULL, names, 3, out);
}

int ts_store_setting_list(ts_store *s, json_t **out) {
  static const char *const names[] = {"key", "value"};
  return ts_sq_rows(s, X_SETTING_LIST, "SELECT key, CAST(value AS INTEGER) FROM settings ORDER BY key",
                    NULL, NULL, names, 2, out);
}

int ts_store_escalation_list(ts_store *s, json_t **out) {
  static const char *const names[] = {"grade", "target"};
  return ts_sq_rows(s, X_ESCALATION_LIST, "SELECT grade, target FROM escalation_tiers ORDER BY grade, target",
                    NULL, NULL, names, 2, out);
}

int ts_tx_escalation_set(ts_tx *tx, const char *grade, const char *const *targets, int n) {
  int rc = tx_exec_bound(tx, "DELETE FROM escalation_tiers WHERE grade = ?1 AND ?2 IS NULL", grade, 0, 1, NULL);
  for (int i = 0; !rc && i < n; i++)
    rc = tx_exec_bound(tx, "INSERT INTO escalation_tiers(grade, target) VALUES (?1, ?3) /* ?2 */",
                       grade, 0, 1, targets[i]);
  return rc;
}

/* ---- what the backend's other files share (sqlite_int.h) ----------------------------- */

int ts_sq_read_begin(ts_store *s, conn **c, int64_t *t0) {
  *c = ts_sq_reader_get(s, t0);
  return sqlite3_exec(ts_sq_db(*c), "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? TS_OK : TS_ERR_STORE;
}

void ts_sq_read_end(ts_store *s, conn *c, int64_t t0) {
  if (c) {
    sqlite3_exec(ts_sq_db(c), "COMMIT", NULL, NULL, NULL);
    ts_sq_reader_put(s, c, t0);
  }
}

sqlite3_stmt *ts_sq_stmt(ts_store *s, conn *c, int slot, const char *sql) {
  (void)s;
  if (slot < 0 || slot >= TS_SQ_EXT_MAX)
    return NULL;
  if (!c->ext[slot]) {
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->ext[slot], NULL);
    if (rc != SQLITE_OK) {
      log_sqlite(c->db, "prepare", rc);
      return NULL;
    }
  }
  return c->ext[slot];
}

conn *ts_sq_tx_conn(ts_tx *tx) { return tx->c; }
ts_store *ts_sq_tx_store(ts_tx *tx) { return tx->s; }
sqlite3 *ts_sq_db(conn *c) { return c->db; }
conn *ts_sq_reader_get(ts_store *s, int64_t *t0) { return reader_get(s, t0); }
void ts_sq_reader_put(ts_store *s, conn *c, int64_t t0) { reader_put(s, c, t0); }
int ts_sq_map(int rc) { return map_sqlite(rc); }
int ts_sq_step_done(conn *c, sqlite3_stmt *st, const char *what) { return step_done(c, st, what); }
const char *ts_sq_text(sqlite3_stmt *st, int i) { return col_text(st, i); }
json_t *ts_sq_time_json(int64_t t) { return time_json(t); }
struct ts_sla_cache **ts_sq_sla_slot(ts_store *s) { return &s->sla; }

int ts_sq_rows(ts_store *s, int slot, const char *sql, void (*bind)(sqlite3_stmt *, const void *),
               const void *arg, const char *const *names, int n, json_t **out) {
  int64_t t0;
  conn *c = reader_get(s, &t0);
  sqlite3_stmt *st = ts_sq_stmt(s, c, slot, sql);
  json_t *arr = json_array();
  int rc = st && arr ? TS_OK : TS_ERR_STORE;
  if (!rc && bind)
    bind(st, arg);
  while (!rc && sqlite3_step(st) == SQLITE_ROW) {
    json_t *o = json_object();
    for (int i = 0; o && i < n; i++) {
      int type = sqlite3_column_type(st, i);
      json_object_set_new(o, names[i], type == SQLITE_NULL ? json_null()
                                       : type == SQLITE_INTEGER ? json_integer(sqlite3_column_int64(st, i))
                                                                : json_string(col_text(st, i)));
    }
    if (!o || json_array_append_new(arr, o))
      rc = TS_ERR_NOMEM;
  }
  if (st) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  reader_put(s, c, t0);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}
