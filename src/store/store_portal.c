/* The customer portal's rows (store.h, "the customer portal"; migration 12): the access
 * code of each portal case, kept as a keyed hash, with the wrong tries against it.
 *
 * The portal is a trickle beside the staff's traffic (a submission, a look at progress), so
 * its few statements are prepared at each call instead of holding slots of ts_sq_stmt's
 * table, whose ranges belong to the other files (sqlite_int.h). */
#include <string.h>

#include "core/ts_err.h"
#include "store/sqlite_int.h"
#include "util/log.h"

#define ACCESS_COLS "case_id, code_hash, salt, created_at, tries, tries_since, locked_until"

/* Prepares sql on c; NULL (logged) if it does not prepare. The caller finalizes. */
static sqlite3_stmt *prepare(conn *c, const char *sql) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(ts_sq_db(c), sql, -1, &st, NULL);
  if (rc != SQLITE_OK) {
    ts_log(TS_LOG_ERROR, "portal statement does not prepare",
           json_pack("{s:s}", "detail", sqlite3_errmsg(ts_sq_db(c))));
    sqlite3_finalize(st);
    return NULL;
  }
  return st;
}

/* Copies a blob column of exactly n bytes; 0 if it is not one. */
static int copy_blob(sqlite3_stmt *st, int col, unsigned char *dst, int n) {
  const void *b = sqlite3_column_blob(st, col);
  if (!b || sqlite3_column_bytes(st, col) != n)
    return 0;
  memcpy(dst, b, (size_t)n);
  return 1;
}

/* One access row of case_id on connection c into *out. */
static int access_get(conn *c, int64_t case_id, ts_portal_access *out) {
  sqlite3_stmt *st = prepare(c, "SELECT " ACCESS_COLS " FROM portal_access WHERE case_id = ?1");
  ts_portal_access a;
  int r, rc;
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  r = sqlite3_step(st);
  if (r == SQLITE_ROW) {
    memset(&a, 0, sizeof a);
    a.case_id = sqlite3_column_int64(st, 0);
    a.created_at = sqlite3_column_int64(st, 3);
    a.tries = sqlite3_column_int(st, 4);
    a.tries_since = sqlite3_column_int64(st, 5);
    a.locked_until = sqlite3_column_int64(st, 6);
    rc = copy_blob(st, 1, a.code_hash, TS_PORTAL_HASH_BYTES) &&
                 copy_blob(st, 2, a.salt, TS_PORTAL_SALT_BYTES)
             ? TS_OK
             : TS_ERR_STORE; /* a row this code did not write */
  } else {
    rc = r == SQLITE_DONE ? TS_ERR_NOT_FOUND : ts_sq_map(r);
  }
  sqlite3_finalize(st);
  if (!rc)
    *out = a;
  return rc;
}

int ts_store_portal_access_get(ts_store *s, int64_t case_id, ts_portal_access *out) {
  int64_t t0;
  conn *c = ts_sq_reader_get(s, &t0);
  int rc = access_get(c, case_id, out);
  ts_sq_reader_put(s, c, t0);
  return rc;
}

int ts_tx_portal_access_get(ts_tx *tx, int64_t case_id, ts_portal_access *out) {
  return access_get(ts_sq_tx_conn(tx), case_id, out);
}

int ts_tx_portal_access_add(ts_tx *tx, const ts_portal_access *a) {
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st =
      prepare(c, "INSERT INTO portal_access(" ACCESS_COLS ") VALUES (?1, ?2, ?3, ?4, 0, 0, 0)");
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, a->case_id);
  sqlite3_bind_blob(st, 2, a->code_hash, TS_PORTAL_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_blob(st, 3, a->salt, TS_PORTAL_SALT_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, a->created_at);
  int rc = ts_sq_step_done(c, st, "portal access add");
  sqlite3_finalize(st);
  return rc;
}

int ts_tx_portal_tries_put(ts_tx *tx, const ts_portal_access *a) {
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st = prepare(c, "UPDATE portal_access SET tries = ?2, tries_since = ?3,"
                                " locked_until = ?4 WHERE case_id = ?1");
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, a->case_id);
  sqlite3_bind_int(st, 2, a->tries);
  sqlite3_bind_int64(st, 3, a->tries_since);
  sqlite3_bind_int64(st, 4, a->locked_until);
  int rc = ts_sq_step_done(c, st, "portal tries");
  if (!rc && sqlite3_changes(ts_sq_db(c)) == 0)
    rc = TS_ERR_NOT_FOUND;
  sqlite3_finalize(st);
  return rc;
}

int ts_tx_evidence_count_by(ts_tx *tx, int64_t case_id, const char *by, int64_t *n) {
  conn *c = ts_sq_tx_conn(tx);
  sqlite3_stmt *st = prepare(c, "SELECT count(*) FROM case_evidence WHERE case_id = ?1"
                                " AND by_user = ?2");
  int r, rc = TS_OK;
  if (!st)
    return TS_ERR_STORE;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
  if ((r = sqlite3_step(st)) == SQLITE_ROW)
    *n = sqlite3_column_int64(st, 0);
  else
    rc = ts_sq_map(r);
  sqlite3_finalize(st);
  return rc;
}
