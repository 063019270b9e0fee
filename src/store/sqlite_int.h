/* Private to the SQLite backend: what its files share. Not part of store.h. */
#ifndef TS_SQLITE_INT_H
#define TS_SQLITE_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

#define TS_SQ_EXT_MAX 144 /* statement slots for ts_sq_stmt and ts_sq_rows: */
#define TS_SQ_SLOTS_SLA 0       /* 0..79 store_sla.c */
#define TS_SQ_SLOTS_SQLITE 80    /* 80..95 store_sqlite.c (beyond its Q_* statements) */
#define TS_SQ_SLOTS_SEARCH 96    /* 96..127 store_search.c */
#define TS_SQ_SLOTS_REPORT 128   /* 128..143 store_report.c */

typedef struct conn conn;
struct ts_sla_cache;

/* A statement of slot `slot` (each file owns a range of slots, see store_sla.c) prepared
 * once per connection. NULL (logged) if it does not prepare. */
sqlite3_stmt *ts_sq_stmt(ts_store *s, conn *c, int slot, const char *sql);
conn *ts_sq_tx_conn(ts_tx *tx);
ts_store *ts_sq_tx_store(ts_tx *tx);
sqlite3 *ts_sq_db(conn *c);
/* A read connection from the pool, and its return (with the read's time). */
conn *ts_sq_reader_get(ts_store *s, int64_t *t0);
void ts_sq_reader_put(ts_store *s, conn *c, int64_t t0);
/* A read transaction on a pooled connection, so that several statements see one state of
 * the store, and its end. ts_sq_read_begin sets *c even when it fails, for ts_sq_read_end. */
int ts_sq_read_begin(ts_store *s, conn **c, int64_t *t0);
void ts_sq_read_end(ts_store *s, conn *c, int64_t t0);
/* SQLite result code to TS_*. */
int ts_sq_map(int rc);
/* Steps a statement that changes rows; maps and logs failures; resets and clears. */
int ts_sq_step_done(conn *c, sqlite3_stmt *st, const char *what);
/* A column's text, "" for NULL. */
const char *ts_sq_text(sqlite3_stmt *st, int i);
/* An RFC 3339 time, or null for 0. */
json_t *ts_sq_time_json(int64_t t);
/* Rows of a SELECT with its parameters bound by `bind` (may be NULL) as objects named
 * by names (integers as numbers, NULL as null, text as strings). */
int ts_sq_rows(ts_store *s, int slot, const char *sql, void (*bind)(sqlite3_stmt *, const void *),
               const void *arg, const char *const *names, int n, json_t **out);

/* The conditions of a case filter (store.h ts_case_filter: the caller's scope and every
 * list filter) over the table cases aliased c, as " AND ..." fragments whose parameters are
 * numbered ?first, ?first+1, ...; NULL when out of memory or too many values. */
typedef struct ts_sq_where ts_sq_where;
ts_sq_where *ts_sq_where_new(const ts_case_filter *f, int first);
const char *ts_sq_where_sql(const ts_sq_where *w);
void ts_sq_where_bind(const ts_sq_where *w, sqlite3_stmt *st);
void ts_sq_where_free(ts_sq_where *w);

/* match (a full-text expression) limited to the cases sc lets its holder see, through the
 * index's scope column (migration 10); the same rule as ts_scope_allows. TS_ERR_INVALID
 * when it does not fit in outsz (TS_SCOPED_MATCH_MAX is always enough for a built query). */
#define TS_SCOPED_MATCH_MAX 4608
int ts_sq_scope_match(const ts_scope *sc, const char *match, char *out, size_t outsz);

/* At open, on the writer before it starts (store_search.c): when the index was built by
 * another tokenizer (ts_tok_version: ours, ICU's, its data's) it is made anew, because
 * another tokenizer's documents could not be deleted from it. */
int ts_sq_search_open(sqlite3 *db);

/* The writer's cache of the calendar and clock definitions (store_sla.c). */
struct ts_sla_cache **ts_sq_sla_slot(ts_store *s);
void ts_sq_sla_free(struct ts_sla_cache *c);

#endif
