/* The SQLite backend of store.h, part three: full-text search over cases and the case
 * library, related and repeat cases, group complaints (issue 7). The index itself is kept
 * in step by the triggers of migration 10, inside every writing transaction. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ts_err.h"
#include "search/tokenize.h"
#include "store/fts.h"
#include "store/migrations.h"
#include "store/sqlite_int.h"
#include "util/log.h"
#include "util/tstime.h"

/* ---- the tokenizer "tousu" ------------------------------------------------------------ */

typedef struct {
  void *ctx;
  int (*token)(void *, int, const char *, int, int, int);
  int bigrams; /* a document (not a query): long Chinese words also give their bigrams */
  int rc;      /* the first non-OK answer of token() */
} fts_emit_ctx;

/* The UTF-8 length of the character at p. */
static int u8_len(const char *p) {
  unsigned char c = (unsigned char)*p;
  return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* A word, and for a Chinese word of three or more characters in a document, each pair of
 * neighbouring characters at the same position (FTS5 colocated tokens): ICU keeps 总经理,
 * 从来没有 or 冷藏室 whole, and a search for 经理, 没有 or 冷藏 (one token, or a phrase of
 * single characters) must still find them. Queries are split without the pairs, so 总经理
 * finds only 总经理. */
static int fts_emit(void *arg, const ts_token *t) {
  fts_emit_ctx *e = arg;
  int rc = e->token(e->ctx, 0, t->text, t->len, t->start, t->end);
  if (rc == SQLITE_OK && e->bigrams && t->kind == TS_TOK_IDEO && t->chars >= 3) {
    for (const char *p = t->text; rc == SQLITE_OK && *p;) {
      int a = u8_len(p);
      if (!p[a])
        break;
      int b = u8_len(p + a);
      rc = e->token(e->ctx, FTS5_TOKEN_COLOCATED, p, a + b, t->start, t->end);
      p += a;
    }
  }
  if (rc != SQLITE_OK) {
    e->rc = rc;
    return 1;
  }
  return 0;
}

static int fts_create(void *unused, const char **args, int nargs, Fts5Tokenizer **out) {
  (void)unused;
  (void)args;
  (void)nargs;
  ts_tok *t = NULL;
  int rc = ts_tok_new(&t);
  if (rc)
    return rc == TS_ERR_NOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
  *out = (Fts5Tokenizer *)t;
  return SQLITE_OK;
}

static void fts_delete(Fts5Tokenizer *t) { ts_tok_free((ts_tok *)t); }

static int fts_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
                        int (*token)(void *, int, const char *, int, int, int)) {
  fts_emit_ctx e = {ctx, token, (flags & (FTS5_TOKENIZE_DOCUMENT | FTS5_TOKENIZE_AUX)) != 0,
                    SQLITE_OK};
  int rc = ts_tok_run((ts_tok *)t, text ? text : "", text ? n : 0, fts_emit, &e);
  if (e.rc != SQLITE_OK)
    return e.rc;
  return rc == TS_OK ? SQLITE_OK : rc == TS_ERR_NOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

static void fn_digits(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  const unsigned char *s = sqlite3_value_text(argv[0]);
  char out[64];
  size_t n = 0;
  for (; s && *s && n < sizeof out - 1; s++)
    if (*s >= '0' && *s <= '9')
      out[n++] = (char)*s;
  if (n)
    sqlite3_result_text(cx, out, (int)n, SQLITE_TRANSIENT);
  else
    sqlite3_result_null(cx);
}

/* tousu_day(t): the local date of instant t in the organisation's zone (the report's daily
 * totals, migration 11), NULL for NULL. */
static void fn_day(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  char day[11];
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
      ts_time_local_date(sqlite3_value_int64(argv[0]), day) != TS_OK)
    sqlite3_result_null(cx);
  else
    sqlite3_result_text(cx, day, 10, SQLITE_TRANSIENT);
}

/* ---- ranking: bm25 with an estimated IDF ----------------------------------------------------
 *
 * FTS5's bm25() learns, once per query, in how many documents each phrase occurs (its IDF)
 * by reading the phrase's whole list of documents: 30 ms for a word in nine of ten of a
 * million complaints, paid again by every search that contains it. tousu_bm25() is the same
 * formula (k1 = 1.2, b = 0.75, the column weights as arguments) with that count read up to
 * IDF_SAMPLE documents: when the word occurs more often, the count is estimated from how far
 * into the (dense, ascending) rowids the sample reached. The IDF is a logarithm, so an
 * estimate off by a tenth moves a score by a few hundredths. */
#define IDF_SAMPLE 4096
#define BM25_K1 1.2
#define BM25_B 0.75

typedef struct {
  int64_t hits, last; /* documents seen, rowid of the last one */
} idf_count;

static int idf_step(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg) {
  idf_count *n = arg;
  n->last = api->xRowid(fts);
  return ++n->hits >= IDF_SAMPLE ? SQLITE_DONE : SQLITE_OK;
}

typedef struct {
  int nphrase;
  double avgdl;
  double idf[]; /* per phrase; < 0: not yet computed */
} bm25_query;

static double phrase_idf(const Fts5ExtensionApi *api, Fts5Context *fts, bm25_query *q, int i,
                         int64_t rows, int *rc) {
  if (q->idf[i] >= 0)
    return q->idf[i];
  idf_count n = {0, 0};
  *rc = api->xQueryPhrase(fts, i, &n, idf_step);
  double hits = (double)n.hits;
  if (n.hits >= IDF_SAMPLE && n.last > 0) {
    hits = (double)n.hits * (double)rows / (double)n.last;
    if (hits > (double)rows)
      hits = (double)rows;
  }
  double idf = log(((double)rows - hits + 0.5) / (hits + 0.5));
  q->idf[i] = idf > 1e-6 ? idf : 1e-6;
  return q->idf[i];
}

static void fn_bm25(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *cx, int nargs,
                    sqlite3_value **args) {
  int rc = SQLITE_OK, ncol = api->xColumnCount(fts), ninst = 0;
  bm25_query *q = api->xGetAuxdata(fts, 0);
  sqlite3_int64 rows = 0;
  if (api->xRowCount(fts, &rows) != SQLITE_OK || rows < 1)
    rows = 1;
  if (!q) {
    int np = api->xPhraseCount(fts);
    sqlite3_int64 total = 0;
    q = sqlite3_malloc64(sizeof *q + (size_t)np * sizeof(double));
    if (!q) {
      sqlite3_result_error_nomem(cx);
      return;
    }
    q->nphrase = np;
    for (int i = 0; i < np; i++)
      q->idf[i] = -1;
    api->xColumnTotalSize(fts, -1, &total);
    q->avgdl = (double)total / (double)rows;
    if ((rc = api->xSetAuxdata(fts, q, sqlite3_free)) != SQLITE_OK) {
      sqlite3_result_error_code(cx, rc);
      return;
    }
  }
  double freq[64] = {0};
  int np = q->nphrase < 64 ? q->nphrase : 64;
  rc = api->xInstCount(fts, &ninst);
  for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
    int ph, col, off;
    if ((rc = api->xInst(fts, i, &ph, &col, &off)) == SQLITE_OK && ph < np) {
      double w = col < nargs ? sqlite3_value_double(args[col]) : 1.0;
      freq[ph] += col < ncol ? w : 0;
    }
  }
  int dl = 0;
  if (rc == SQLITE_OK)
    rc = api->xColumnSize(fts, -1, &dl);
  double score = 0;
  for (int i = 0; rc == SQLITE_OK && i < np; i++) {
    if (freq[i] <= 0)
      continue; /* only phrases this document scores on (never the scope words) */
    double idf = phrase_idf(api, fts, q, i, rows, &rc);
    score += idf * freq[i] * (BM25_K1 + 1.0) /
             (freq[i] + BM25_K1 * (1.0 - BM25_B + BM25_B * (double)dl / (q->avgdl > 0 ? q->avgdl : 1)));
  }
  if (rc != SQLITE_OK)
    sqlite3_result_error_code(cx, rc);
  else
    sqlite3_result_double(cx, -score); /* like bm25(): lower is better */
}

static fts5_api *fts5_api_of(sqlite3 *db) {
  fts5_api *api = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  return api;
}

int ts_fts_register(sqlite3 *db) {
  static fts5_tokenizer tok = {fts_create, fts_delete, fts_tokenize};
  fts5_api *api = fts5_api_of(db);
  int rc = api ? api->xCreateTokenizer(api, "tousu", NULL, &tok, NULL) : SQLITE_ERROR;
  if (rc == SQLITE_OK)
    rc = api->xCreateFunction(api, "tousu_bm25", NULL, fn_bm25, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function(db, "tousu_digits", 1,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                 fn_digits, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function(db, "tousu_day", 1,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                 fn_day, NULL, NULL);
  if (rc != SQLITE_OK) {
    ts_log(TS_LOG_ERROR, "full-text search unavailable (FTS5)",
           json_pack("{s:s}", "detail", api ? sqlite3_errmsg(db) : "no fts5"));
    return TS_ERR_STORE;
  }
  return TS_OK;
}

int ts_sq_search_open(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  const char *want = ts_tok_version();
  int same = 0, rc = TS_OK;
  if (sqlite3_prepare_v2(db, "SELECT value = ?1 FROM settings WHERE key = 'search_tokenizer'", -1,
                         &st, NULL) != SQLITE_OK)
    return TS_ERR_STORE;
  sqlite3_bind_text(st, 1, want, -1, SQLITE_STATIC);
  int r = sqlite3_step(st);
  int known = r == SQLITE_ROW;
  same = known && sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (same)
    return TS_OK;
  /* A database from before this was recorded was indexed by this same tokenizer (the
   * migration just ran, or ran under this version); otherwise rebuild. */
  char *sql = sqlite3_mprintf("BEGIN; %s INSERT INTO settings(key, value) VALUES "
                              "('search_tokenizer', %Q) ON CONFLICT(key) DO UPDATE SET "
                              "value = excluded.value; COMMIT;",
                              known ? ts_fts_rebuild_sql : "", want);
  if (!sql)
    return TS_ERR_NOMEM;
  if (known)
    ts_log(TS_LOG_INFO, "rebuilding the search index for another tokenizer",
           json_pack("{s:s}", "tokenizer", want));
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
    ts_log(TS_LOG_ERROR, "cannot record the search tokenizer",
           json_pack("{s:s}", "detail", sqlite3_errmsg(db)));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    rc = TS_ERR_STORE;
  }
  sqlite3_free(sql);
  return rc;
}

/* ---- reading ------------------------------------------------------------------------------- */

enum {
  X_MIN_ID = TS_SQ_SLOTS_SEARCH,
  X_MAX_ID,
  X_SEARCH_CASE,
  X_SEARCH_SNIPPET,
};

/* A case as search results and related lists show it: columns 0..10 of SUMMARY_COLS. */
#define SUMMARY_COLS                                                                            \
  "c.case_no, coalesce(c.title,''), c.status, c.grade, coalesce(c.category,''), c.channel,"     \
  " c.received_at, coalesce(o.name,''), coalesce(d.name,''), c.c_name, c.overdue"
#define SUMMARY_JOINS                                                                           \
  " LEFT JOIN org_units o ON o.id = c.outlet_id LEFT JOIN org_units d ON d.id = c.dept_id"
#define SUMMARY_NCOLS 11
#define OPEN_SQL "c.status NOT IN ('closed','rejected','withdrawn')"
/* The matched words of a snippet between U+E000 and U+E001 (store.h TS_SNIPPET_*). */
#define SNIPPET(table, tokens) "snippet(" table ", -1, char(57344), char(57345), '…', " tokens ")"

static json_t *summary_json(sqlite3_stmt *st) {
  return json_pack("{s:s,s:s,s:s,s:s,s:s*,s:s,s:o,s:s*,s:s*,s:s,s:b}", "case_no",
                   ts_sq_text(st, 0), "title", ts_sq_text(st, 1), "status", ts_sq_text(st, 2),
                   "grade", ts_sq_text(st, 3), "category",
                   *ts_sq_text(st, 4) ? ts_sq_text(st, 4) : NULL, "channel", ts_sq_text(st, 5),
                   "received_at", ts_sq_time_json(sqlite3_column_int64(st, 6)), "outlet",
                   *ts_sq_text(st, 7) ? ts_sq_text(st, 7) : NULL, "dept",
                   *ts_sq_text(st, 8) ? ts_sq_text(st, 8) : NULL, "complainant",
                   ts_sq_text(st, 9), "overdue", sqlite3_column_int(st, 10));
}

/* Appends o to arr (taking it); TS_ERR_NOMEM when either fails. */
static int append(json_t *arr, json_t *o) {
  return o && json_array_append_new(arr, o) == 0 ? TS_OK : TS_ERR_NOMEM;
}

/* A prepared statement (not cached: its text depends on the filter) on c. */
static int prepare(conn *c, const char *sql, sqlite3_stmt **st) {
  if (sqlite3_prepare_v2(ts_sq_db(c), sql, -1, st, NULL) == SQLITE_OK)
    return TS_OK;
  ts_log(TS_LOG_ERROR, "search statement failed",
         json_pack("{s:s}", "detail", sqlite3_errmsg(ts_sq_db(c))));
  return TS_ERR_STORE;
}

/* A MATCH that FTS5 refuses (it should not: search/query.h quotes every term) is bad input,
 * not a failure of the store. */
static int step_rc(conn *c, int r) {
  if (r == SQLITE_ROW || r == SQLITE_DONE)
    return TS_OK;
  const char *m = sqlite3_errmsg(ts_sq_db(c));
  if (strstr(m, "fts5") || strstr(m, "syntax error"))
    return TS_ERR_INVALID;
  ts_log(TS_LOG_ERROR, "search failed", json_pack("{s:s}", "detail", m));
  return ts_sq_map(r);
}

/* Ranking reads every match's column sizes, so a word in a fifth of a million complaints
 * would cost a quarter of a second to rank in full. The best matches are therefore taken
 * from the newest RANK_WINDOW matches (those the caller may see, with every filter),
 * ranked by bm25; the total still counts them all. A page beyond the window widens it. */
#define RANK_WINDOW 2000

/* The summary of case id, and the snippet of its best-matching text for match. */
static int search_item(ts_store *s, conn *c, const char *match, int64_t id, double rank,
                       json_t *arr) {
  sqlite3_stmt *one = ts_sq_stmt(s, c, X_SEARCH_CASE,
                                 "SELECT " SUMMARY_COLS " FROM cases c" SUMMARY_JOINS " WHERE c.id = ?1");
  sqlite3_stmt *sn = ts_sq_stmt(s, c, X_SEARCH_SNIPPET,
                                "SELECT " SNIPPET("case_fts", "16")
                                " FROM case_fts WHERE case_fts MATCH ?1 AND rowid = ?2");
  json_t *o = NULL;
  int rc = one && sn ? TS_OK : TS_ERR_STORE;
  if (!rc) {
    sqlite3_bind_int64(one, 1, id);
    sqlite3_bind_text(sn, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(sn, 2, id);
    if (sqlite3_step(one) == SQLITE_ROW && (o = summary_json(one)) &&
        (json_object_set_new(o, "score", json_real(-rank)) ||
         json_object_set_new(o, "snippet", json_string(sqlite3_step(sn) == SQLITE_ROW
                                                         ? ts_sq_text(sn, 0) : ""))))
      rc = TS_ERR_NOMEM;
    if (!rc && o)
      rc = append(arr, o);
    else
      json_decref(o);
  }
  if (one)
    sqlite3_reset(one);
  if (sn)
    sqlite3_reset(sn);
  return rc;
}

int ts_sq_scope_match(const ts_scope *sc, const char *match, char *out, size_t outsz) {
  size_t n;
  /* The words never match the scope column (a model "D7" is not department 7). */
  if (sc->all) {
    n = (size_t)snprintf(out, outsz, "-{scope} : (%s)", match);
    return n < outsz ? TS_OK : TS_ERR_INVALID;
  }
  n = (size_t)snprintf(out, outsz, "(-{scope} : (%s)) AND scope : (", match);
  const char *last = NULL; /* the caller's own unit: the last id of "/1/4/" */
  if (sc->unit_path && *sc->unit_path) {
    size_t len = strlen(sc->unit_path);
    for (last = sc->unit_path + len - 1; last > sc->unit_path && last[-1] != '/'; last--)
      ;
  }
  int terms = 0;
  if (last && sc->by_outlet && n < outsz)
    n += (size_t)snprintf(out + n, outsz - n, "%s\"o%.*s\"", terms++ ? " OR " : "",
                          (int)strcspn(last, "/"), last);
  if (last && sc->by_dept && n < outsz)
    n += (size_t)snprintf(out + n, outsz - n, "%s\"d%.*s\"", terms++ ? " OR " : "",
                          (int)strcspn(last, "/"), last);
  if (n < outsz)
    n += (size_t)snprintf(out + n, outsz - n, "%s\"u", terms++ ? " OR " : "");
  for (const unsigned char *u = (const unsigned char *)(sc->username ? sc->username : "");
       *u && n < outsz; u++)
    n += (size_t)snprintf(out + n, outsz - n, "%02X", *u);
  if (n < outsz)
    n += (size_t)snprintf(out + n, outsz - n, "\")");
  return n < outsz ? TS_OK : TS_ERR_INVALID;
}

int ts_store_case_search(ts_store *s, const ts_case_filter *f, int64_t count_max, json_t **items,
                         int64_t *total) {
  ts_case_filter g = *f;
  char scoped[TS_SCOPED_MATCH_MAX];
  g.match = NULL; /* the MATCH is the query's own, below, with the caller's scope in it */
  g.by_due = 0;
  g.scope.all = 1;
  if (!f->match || ts_sq_scope_match(&f->scope, f->match, scoped, sizeof scoped))
    return TS_ERR_INVALID;
  const char *words = f->match; /* the snippets mark the words, never the scope */
  f = &(ts_case_filter){.match = scoped, .page = f->page, .per_page = f->per_page};
  ts_sq_where *w = ts_sq_where_new(&g, 2);
  int per_page = f->per_page > 0 ? f->per_page : 20, page = f->page > 0 ? f->page : 1;
  char *sql = NULL;
  sqlite3_stmt *st = NULL;
  json_t *arr = json_array();
  int64_t t0, count = 0, window = (int64_t)page * per_page;
  conn *c = NULL;
  int rc = TS_ERR_NOMEM;
  if (!w || !arr || !f->match)
    goto out;
  if (window < RANK_WINDOW)
    window = RANK_WINDOW;
  /* Without conditions (an administrator's plain search) both read the index alone. */
  const char *from = *ts_sq_where_sql(w) ? "case_fts JOIN cases c ON c.id = case_fts.rowid"
                                         : "case_fts";
  size_t cap = strlen(ts_sq_where_sql(w)) + 1024;
  if (!(sql = malloc(cap)))
    goto out;
  if ((rc = ts_sq_read_begin(s, &c, &t0)))
    goto out;
  /* Counting reads every match; past count_max the count stops (a word in a quarter of all
   * complaints is "more than 10,000" to a person searching). */
  if (count_max > 0)
    snprintf(sql, cap, "SELECT count(*) FROM (SELECT 1 FROM %s WHERE case_fts MATCH ?1%s LIMIT %lld)",
             from, ts_sq_where_sql(w), (long long)count_max);
  else
    snprintf(sql, cap, "SELECT count(*) FROM %s WHERE case_fts MATCH ?1%s", from, ts_sq_where_sql(w));
  if ((rc = prepare(c, sql, &st)))
    goto out;
  sqlite3_bind_text(st, 1, f->match, -1, SQLITE_STATIC);
  ts_sq_where_bind(w, st);
  int r = sqlite3_step(st);
  if ((rc = step_rc(c, r)))
    goto out;
  count = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  st = NULL;
  snprintf(sql, cap,
           "SELECT id, rank FROM (SELECT case_fts.rowid id, case_fts.rank rank FROM %s"
           " WHERE case_fts MATCH ?1%s ORDER BY case_fts.rowid DESC LIMIT %lld)"
           " ORDER BY rank, id DESC LIMIT %d OFFSET %lld",
           from, ts_sq_where_sql(w), (long long)window, per_page,
           (long long)(page - 1) * per_page);
  if ((rc = prepare(c, sql, &st)))
    goto out;
  sqlite3_bind_text(st, 1, f->match, -1, SQLITE_STATIC);
  ts_sq_where_bind(w, st);
  while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW)
    rc = search_item(s, c, words, sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1), arr);
  if (!rc)
    rc = step_rc(c, r);
out:
  sqlite3_finalize(st);
  ts_sq_read_end(s, c, t0);
  free(sql);
  ts_sq_where_free(w);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *items = arr;
  *total = count;
  return TS_OK;
}

/* The lowest case id registered at or after `since`: ids grow with registration, so a binary
 * search over the primary key (about 20 lookups) bounds a search to a recent window through
 * FTS5's rowid range, instead of scanning every older match. */
static int64_t min_id_since(ts_store *s, conn *c, int64_t since) {
  sqlite3_stmt *mx = ts_sq_stmt(s, c, X_MAX_ID, "SELECT coalesce(max(id), 0) FROM cases");
  sqlite3_stmt *at = ts_sq_stmt(s, c, X_MIN_ID,
                                "SELECT id, registered_at FROM cases WHERE id >= ? ORDER BY id LIMIT 1");
  int64_t lo = 1, hi = 0;
  if (!mx || !at)
    return 1;
  if (sqlite3_step(mx) == SQLITE_ROW)
    hi = sqlite3_column_int64(mx, 0);
  sqlite3_reset(mx);
  while (lo < hi) { /* the first id whose registration is at or after since lies in [lo, hi] */
    int64_t mid = lo + (hi - lo) / 2, id = hi, t = since;
    sqlite3_bind_int64(at, 1, mid);
    if (sqlite3_step(at) == SQLITE_ROW) {
      id = sqlite3_column_int64(at, 0);
      t = sqlite3_column_int64(at, 1);
    }
    sqlite3_reset(at);
    if (t >= since)
      hi = mid;
    else
      lo = id + 1 > mid + 1 ? id + 1 : mid + 1;
  }
  return lo;
}

/* Appends an FTS5 column filter `{col} : "v"` (v's quotes doubled) to buf, joined by OR. */
static void fts_or_column(char *buf, size_t cap, const char *col, const char *v) {
  size_t n = strlen(buf);
  if (!v || !*v || n + strlen(col) + 2 * strlen(v) + 16 >= cap)
    return;
  n += (size_t)snprintf(buf + n, cap - n, "%s{%s} : \"", n ? " OR " : "", col);
  for (; *v && n + 4 < cap; v++) {
    buf[n++] = *v;
    if (*v == '"')
      buf[n++] = '"';
  }
  snprintf(buf + n, cap - n, "\"");
}

/* Runs one related-cases statement and files its rows: visible ones not yet seen go to arr
 * (up to limit) with "why" from the flag columns, the others add to *hidden. Column layout:
 * the summary, then c.id, visible, open, then nflags why-columns named by why[], then an
 * optional score (has_score). */
typedef struct {
  json_t *seen; /* case_no → true */
  int64_t hidden;
} related_ctx;

static int related_rows(conn *c, sqlite3_stmt *st, related_ctx *x, json_t *arr, int limit,
                        const char *const *why, int nflags, int has_score) {
  int r, rc = TS_OK;
  while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
    const char *no = ts_sq_text(st, 0);
    if (json_object_get(x->seen, no))
      continue;
    if (!sqlite3_column_int(st, SUMMARY_NCOLS + 1)) {
      x->hidden++;
      if (json_object_set_new(x->seen, no, json_true()))
        rc = TS_ERR_NOMEM;
      continue;
    }
    if ((int)json_array_size(arr) >= limit)
      continue;
    json_t *o = summary_json(st), *reasons = json_array();
    int col = SUMMARY_NCOLS + 3;
    for (int i = 0; i < nflags && reasons; i++, col++)
      if (sqlite3_column_int(st, col) && json_array_append_new(reasons, json_string(why[i])))
        rc = TS_ERR_NOMEM;
    if (!o || !reasons ||
        json_object_set_new(o, "open", json_boolean(sqlite3_column_int(st, SUMMARY_NCOLS + 2))) ||
        json_object_set_new(o, "why", reasons) ||
        (has_score && json_object_set_new(o, "score", json_real(-sqlite3_column_double(st, col)))) ||
        json_object_set_new(x->seen, no, json_true()))
      rc = TS_ERR_NOMEM;
    if (!rc)
      rc = append(arr, o);
    else
      json_decref(o);
  }
  if (!rc)
    rc = step_rc(c, r);
  return rc;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v) {
  if (v && *v)
    sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, i);
}

int ts_store_case_related(ts_store *s, const ts_related_query *q, json_t **out) {
  static const char *const why_customer[] = {"phone", "customer_id", "name_outlet"};
  static const char *const why_subject[] = {"subject", "order_no_or_plate"};
  ts_case_filter scope_only = {.overdue = -1, .scope = q->scope};
  ts_sq_where *w = ts_sq_where_new(&scope_only, 10);
  related_ctx x = {json_object(), 0};
  json_t *cust = json_array(), *subj = json_array(), *sim = json_array(), *res = NULL;
  char *sql = NULL, subject_match[1024] = "";
  sqlite3_stmt *st = NULL;
  int64_t t0;
  conn *c = NULL;
  int limit = q->limit > 0 ? q->limit : 10, rc = TS_ERR_NOMEM;
  size_t cap;
  if (!w || !x.seen || !cust || !subj || !sim)
    goto out;
  cap = strlen(ts_sq_where_sql(w)) + 2048;
  if (!(sql = malloc(cap)))
    goto out;
  if ((rc = ts_sq_read_begin(s, &c, &t0)))
    goto out;
  rc = TS_OK;
  /* 1. the same customer: by phone, customer id, or name at the same outlet (each indexed) */
  if (q->phone || q->customer_id || (q->name && q->outlet)) {
    snprintf(sql, cap,
             "SELECT " SUMMARY_COLS ", c.id, (1=1%s), " OPEN_SQL ", coalesce(c.c_phone = ?1, 0),"
             " coalesce(c.c_customer_id = ?2, 0), coalesce(c.c_name = ?3 AND c.outlet_id = ?4, 0)"
             " FROM cases c" SUMMARY_JOINS
             " WHERE (c.c_phone = ?1 OR c.c_customer_id = ?2 OR (c.c_name = ?3 AND c.outlet_id = ?4))"
             " AND c.id != ?5 ORDER BY c.id DESC LIMIT 500",
             ts_sq_where_sql(w));
    if (!(rc = prepare(c, sql, &st))) {
      bind_opt(st, 1, q->phone);
      bind_opt(st, 2, q->customer_id);
      bind_opt(st, 3, q->outlet ? q->name : NULL);
      if (q->outlet)
        sqlite3_bind_int64(st, 4, q->outlet);
      sqlite3_bind_int64(st, 5, q->exclude_id);
      ts_sq_where_bind(w, st);
      rc = related_rows(c, st, &x, cust, limit, why_customer, 3, 0);
    }
    sqlite3_finalize(st);
    st = NULL;
  }
  /* 2. open cases on the same subject since q->since: the grading's subject key (indexed on
   * open cases), or the same order number or plate (their index columns) */
  fts_or_column(subject_match, sizeof subject_match, "order_no", q->order_no);
  fts_or_column(subject_match, sizeof subject_match, "plate", q->plate);
  if (!rc && (q->subject_key || subject_match[0])) {
    /* (the index is asked only when there is an order number or plate to look for) */
    const char *by_fts = subject_match[0] ? "c.id IN (SELECT rowid FROM case_fts WHERE case_fts MATCH ?2)"
                                          : "0";
    snprintf(sql, cap,
             "SELECT " SUMMARY_COLS ", c.id, (1=1%s), 1, coalesce(c.subject_key = ?1, 0), %s"
             " FROM cases c" SUMMARY_JOINS
             " WHERE " OPEN_SQL " AND c.received_at >= ?3 AND c.id != ?4 AND (c.subject_key = ?1"
             " OR %s) ORDER BY c.received_at DESC LIMIT 500",
             ts_sq_where_sql(w), by_fts, by_fts);
    if (!(rc = prepare(c, sql, &st))) {
      bind_opt(st, 1, q->subject_key);
      bind_opt(st, 2, subject_match);
      sqlite3_bind_int64(st, 3, q->since);
      sqlite3_bind_int64(st, 4, q->exclude_id);
      ts_sq_where_bind(w, st);
      rc = related_rows(c, st, &x, subj, limit, why_subject, 2, 0);
    }
    sqlite3_finalize(st);
    st = NULL;
  }
  /* 3. open cases with similar words since q->since, best first: the best 200 matches in
   * the window (a rowid range of the index), then the caller's filters */
  char *similar = q->similar && *q->similar ? malloc(TS_SCOPED_MATCH_MAX) : NULL;
  ts_scope all = {.all = 1};
  if (!rc && similar && ts_sq_scope_match(&all, q->similar, similar, TS_SCOPED_MATCH_MAX))
    rc = TS_ERR_INVALID;
  if (!rc && similar) {
    int64_t from_id = min_id_since(s, c, q->since);
    snprintf(sql, cap,
             "SELECT " SUMMARY_COLS ", c.id, (1=1%s), 1, f.rank FROM (SELECT rowid, rank FROM"
             " case_fts WHERE case_fts MATCH ?1 AND rowid >= ?2 ORDER BY rank LIMIT 200) f"
             " JOIN cases c ON c.id = f.rowid" SUMMARY_JOINS
             " WHERE " OPEN_SQL " AND c.received_at >= ?3 AND c.id != ?4 ORDER BY f.rank",
             ts_sq_where_sql(w));
    if (!(rc = prepare(c, sql, &st))) {
      sqlite3_bind_text(st, 1, similar, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, from_id);
      sqlite3_bind_int64(st, 3, q->since);
      sqlite3_bind_int64(st, 4, q->exclude_id);
      ts_sq_where_bind(w, st);
      rc = related_rows(c, st, &x, sim, limit, NULL, 0, 1);
    }
    sqlite3_finalize(st);
    st = NULL;
  }
  if (!rc && !(res = json_pack("{s:O,s:O,s:O,s:I}", "customer", cust, "subject", subj, "similar",
                               sim, "hidden", (json_int_t)x.hidden)))
    rc = TS_ERR_NOMEM;
  free(similar);
out:
  ts_sq_read_end(s, c, t0);
  free(sql);
  ts_sq_where_free(w);
  json_decref(x.seen);
  json_decref(cust);
  json_decref(subj);
  json_decref(sim);
  if (rc)
    return rc;
  *out = res;
  return TS_OK;
}

int ts_store_library_similar(ts_store *s, const char *similar, const char *category, int limit,
                             json_t **out) {
  static const char sql[] =
    "SELECT w.id, c.case_no, w.title, coalesce(w.category,''), coalesce(w.service_stage,''),"
    " coalesce(w.grade,''), writeup_fts.rank * (CASE WHEN w.category = ?2 THEN 1.5 ELSE 1 END) AS score, "
    SNIPPET("writeup_fts", "24") " FROM writeup_fts JOIN case_writeups w ON w.id = writeup_fts.rowid"
    " JOIN cases c ON c.id = w.case_id WHERE writeup_fts MATCH ?1 AND w.status = 'published'"
    " ORDER BY score, w.id DESC LIMIT ?3";
  json_t *arr = json_array();
  int64_t t0;
  conn *c = ts_sq_reader_get(s, &t0);
  sqlite3_stmt *st = NULL;
  int r = SQLITE_DONE, rc = arr ? prepare(c, sql, &st) : TS_ERR_NOMEM;
  if (!rc && similar && *similar) {
    sqlite3_bind_text(st, 1, similar, -1, SQLITE_STATIC);
    bind_opt(st, 2, category);
    sqlite3_bind_int(st, 3, limit > 0 ? limit : 5);
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW)
      rc = append(arr, json_pack("{s:I,s:s,s:s,s:s*,s:s*,s:s*,s:f,s:s}", "id",
                                 (json_int_t)sqlite3_column_int64(st, 0), "case_no",
                                 ts_sq_text(st, 1), "title", ts_sq_text(st, 2), "category",
                                 *ts_sq_text(st, 3) ? ts_sq_text(st, 3) : NULL, "service_stage",
                                 *ts_sq_text(st, 4) ? ts_sq_text(st, 4) : NULL, "grade",
                                 *ts_sq_text(st, 5) ? ts_sq_text(st, 5) : NULL, "score",
                                 -sqlite3_column_double(st, 6), "snippet", ts_sq_text(st, 7)));
    if (!rc)
      rc = step_rc(c, r);
  }
  sqlite3_finalize(st);
  ts_sq_reader_put(s, c, t0);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

/* "batch:B2026-01" → kind "batch", value "B2026-01" (grading.h ts_subject_key). */
static json_t *group_json(sqlite3_stmt *st) {
  const char *key = ts_sq_text(st, 0), *colon = strchr(key, ':');
  json_t *cats = json_array();
  const char *p = ts_sq_text(st, 5);
  while (cats && *p) { /* group_concat(DISTINCT category): "a,b", "" for no category */
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n)
      json_array_append_new(cats, json_stringn(p, n));
    p += n + (e ? 1 : 0);
  }
  return json_pack("{s:s,s:s%,s:s,s:I,s:I,s:o,s:o,s:o*}", "subject_key", key, "kind", key,
                   colon ? (size_t)(colon - key) : strlen(key), "value", colon ? colon + 1 : "",
                   "cases", (json_int_t)sqlite3_column_int64(st, 1), "customers",
                   (json_int_t)sqlite3_column_int64(st, 2), "first_at",
                   ts_sq_time_json(sqlite3_column_int64(st, 3)), "last_at",
                   ts_sq_time_json(sqlite3_column_int64(st, 4)), "categories", cats);
}

/* Fills g's "trend" (cases per local day, oldest first) and "case_nos" (newest first). */
static int group_detail(conn *c, const char *sql, const ts_sq_where *w, int64_t since, json_t *g) {
  sqlite3_stmt *st = NULL;
  json_t *trend = json_array(), *nos = json_array();
  char day[11], last[11] = "";
  json_int_t n = 0;
  int r = SQLITE_DONE, rc = trend && nos ? prepare(c, sql, &st) : TS_ERR_NOMEM;
  if (!rc) {
    sqlite3_bind_text(st, 1, json_string_value(json_object_get(g, "subject_key")), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since);
    ts_sq_where_bind(w, st);
  }
  while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) { /* oldest first */
    if (ts_time_local_date(sqlite3_column_int64(st, 1), day))
      continue;
    if (last[0] && strcmp(day, last)) {
      rc = append(trend, json_pack("{s:s,s:I}", "date", last, "cases", n));
      n = 0;
    }
    memcpy(last, day, sizeof last);
    n++;
    if (!rc)
      rc = json_array_insert_new(nos, 0, json_string(ts_sq_text(st, 0))) ? TS_ERR_NOMEM : TS_OK;
  }
  if (!rc && last[0])
    rc = append(trend, json_pack("{s:s,s:I}", "date", last, "cases", n));
  if (!rc)
    rc = step_rc(c, r);
  while (!rc && json_array_size(nos) > 20)
    json_array_remove(nos, json_array_size(nos) - 1);
  if (!rc && (json_object_set(g, "trend", trend) || json_object_set(g, "case_nos", nos)))
    rc = TS_ERR_NOMEM;
  sqlite3_finalize(st);
  json_decref(trend);
  json_decref(nos);
  return rc;
}

int ts_store_groups(ts_store *s, const ts_scope *scope, int64_t since, int min_cases, int limit,
                    json_t **out) {
  ts_case_filter scope_only = {.overdue = -1, .scope = *scope};
  ts_sq_where *w = ts_sq_where_new(&scope_only, 4);
  json_t *arr = json_array();
  char *sql = NULL, *detail = NULL;
  sqlite3_stmt *st = NULL;
  int64_t t0;
  conn *c = NULL;
  int r = SQLITE_DONE, rc = TS_ERR_NOMEM;
  if (!w || !arr)
    goto out;
  size_t cap = strlen(ts_sq_where_sql(w)) + 1024;
  if (!(sql = malloc(cap)) || !(detail = malloc(cap)))
    goto out;
  /* Both read the partial index of open cases by subject (migration 10). */
  snprintf(sql, cap,
           "SELECT c.subject_key, count(*), count(DISTINCT coalesce(c.c_phone, c.c_customer_id,"
           " c.c_name)), min(c.received_at), max(c.received_at), group_concat(DISTINCT"
           " coalesce(c.category,'')) FROM cases c WHERE c.subject_key IS NOT NULL AND " OPEN_SQL
           " AND c.received_at >= ?1%s GROUP BY c.subject_key HAVING count(*) >= ?2"
           " ORDER BY 2 DESC, 5 DESC LIMIT ?3",
           ts_sq_where_sql(w));
  snprintf(detail, cap,
           "SELECT c.case_no, c.received_at FROM cases c WHERE c.subject_key = ?1 AND " OPEN_SQL
           " AND c.received_at >= ?2%s ORDER BY c.received_at, c.id",
           ts_sq_where_sql(w));
  if ((rc = ts_sq_read_begin(s, &c, &t0)))
    goto out;
  if ((rc = prepare(c, sql, &st)))
    goto out;
  sqlite3_bind_int64(st, 1, since);
  sqlite3_bind_int(st, 2, min_cases > 1 ? min_cases : 2);
  sqlite3_bind_int(st, 3, limit > 0 ? limit : 50);
  ts_sq_where_bind(w, st);
  while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW)
    rc = append(arr, group_json(st));
  if (!rc)
    rc = step_rc(c, r);
  for (size_t i = 0; !rc && i < json_array_size(arr); i++)
    rc = group_detail(c, detail, w, since, json_array_get(arr, i));
out:
  sqlite3_finalize(st);
  ts_sq_read_end(s, c, t0);
  free(sql);
  free(detail);
  ts_sq_where_free(w);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return TS_OK;
}

/* ---- rebuilding -------------------------------------------------------------------------- */

typedef struct {
  int64_t cases, writeups;
} rebuild_arg;

static int rebuild_apply(ts_tx *tx, void *arg) {
  rebuild_arg *a = arg;
  sqlite3 *db = ts_sq_db(ts_sq_tx_conn(tx));
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_exec(db, ts_fts_rebuild_sql, NULL, NULL, NULL) == SQLITE_OK ? TS_OK : TS_ERR_STORE;
  if (!rc && sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM cases),"
                                    " (SELECT count(*) FROM case_writeups)", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    a->cases = sqlite3_column_int64(st, 0);
    a->writeups = sqlite3_column_int64(st, 1);
  } else if (!rc) {
    rc = TS_ERR_STORE;
  }
  if (rc)
    ts_log(TS_LOG_ERROR, "search index rebuild failed", json_pack("{s:s}", "detail", sqlite3_errmsg(db)));
  sqlite3_finalize(st);
  return rc;
}

int ts_store_search_rebuild(ts_store *s, int64_t *cases, int64_t *writeups) {
  rebuild_arg a = {0, 0};
  int rc = ts_store_run(s, rebuild_apply, &a);
  if (!rc) {
    *cases = a.cases;
    *writeups = a.writeups;
  }
  return rc;
}

typedef struct {
  int64_t cases, docs, writeups, wdocs;
  int ok;
} check_arg;

/* FTS5's own integrity check (the index agrees with its stored documents), then the
 * counts: one document per case and per write-up. */
static int check_apply(ts_tx *tx, void *arg) {
  check_arg *a = arg;
  sqlite3 *db = ts_sq_db(ts_sq_tx_conn(tx));
  sqlite3_stmt *st = NULL;
  a->ok = sqlite3_exec(db, "INSERT INTO case_fts(case_fts) VALUES ('integrity-check');"
                           "INSERT INTO writeup_fts(writeup_fts) VALUES ('integrity-check');",
                       NULL, NULL, NULL) == SQLITE_OK;
  if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_fts),"
                             " (SELECT count(*) FROM case_writeups), (SELECT count(*) FROM writeup_fts),"
                             " (SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_fts"
                             " f WHERE f.rowid = c.id AND f.case_no = c.case_no))",
                         -1, &st, NULL) != SQLITE_OK ||
      sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return TS_ERR_STORE;
  }
  a->cases = sqlite3_column_int64(st, 0);
  a->docs = sqlite3_column_int64(st, 1);
  a->writeups = sqlite3_column_int64(st, 2);
  a->wdocs = sqlite3_column_int64(st, 3);
  a->ok = a->ok && a->cases == a->docs && a->writeups == a->wdocs && !sqlite3_column_int64(st, 4);
  sqlite3_finalize(st);
  return TS_ERR_CONFLICT; /* nothing to keep: the check writes nothing, roll its savepoint back */
}

int ts_store_search_check(ts_store *s, int64_t counts[4], int *ok) {
  check_arg a = {0, 0, 0, 0, 0};
  int rc = ts_store_run(s, check_apply, &a);
  if (rc != TS_ERR_CONFLICT)
    return rc ? rc : TS_ERR_STORE;
  counts[0] = a.cases;
  counts[1] = a.docs;
  counts[2] = a.writeups;
  counts[3] = a.wdocs;
  *ok = a.ok;
  return TS_OK;
}
