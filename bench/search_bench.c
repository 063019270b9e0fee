/* tousu-search-bench: the full-text search over a filled database (bench/gen.c), timed
 * through the store's own search (the code behind GET /api/v1/search), and its recall
 * checked against a substring scan. See bench/README.md, run I.
 *
 *   tousu-search-bench --db FILE [--queries 2000] [--recall 30] [--seed 1]
 *
 * Queries are 1 to 3 words drawn from the indexed text itself: the words of the
 * descriptions of random cases, as the tokenizer splits them (words of two or more
 * characters, numbers and model codes), so common words come up as often as they occur.
 * Each query is run as an administrator (every case visible) and as an outlet's agent
 * (only that outlet's cases), for the first page of 20, best first, with the total count.
 *
 * Recall: for single words, every case whose description contains the word (a Chinese word
 * as a substring; a word of Latin letters or digits as a whole word, so "25" is not sought
 * inside "2025") must be among the matches; misses are printed with the text around them
 * (they are the words ICU splits differently in another context). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ts_err.h"
#include "search/query.h"
#include "search/tokenize.h"
#include "store/fts.h"
#include "store/store.h"
#include "util/log.h"
#include "util/tstime.h"

#define MAX_WORDS 200000

typedef struct {
  char **w;
  int n, cap;
} words;

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int keep_word(void *arg, const ts_token *t) {
  words *ws = arg;
  if (t->chars < 2 || ws->n >= MAX_WORDS)
    return 0;
  if (ws->n == ws->cap) {
    int cap = ws->cap ? ws->cap * 2 : 1024;
    char **g = realloc(ws->w, (size_t)cap * sizeof *g);
    if (!g)
      return 1;
    ws->w = g;
    ws->cap = cap;
  }
  if (!(ws->w[ws->n] = strdup(t->text)))
    return 1;
  ws->n++;
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p) {
  int i = (int)ceil(p / 100.0 * n) - 1;
  return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* Times nq queries with scope sc; prints p50/p90/p99/max and the mean total. */
static int run_queries(ts_store *s, ts_tok *tok, const words *ws, int nq, const ts_scope *sc,
                       const char *label) {
  double *lat = calloc((size_t)nq, sizeof *lat);
  double totals = 0, worst = 0;
  char worst_q[256] = "";
  int done = 0;
  if (!lat)
    return 1;
  for (int i = 0; i < nq; i++) {
    char q[256] = "", match[TS_SQUERY_OUT];
    int k = 1 + (int)(next() % 3);
    for (int j = 0; j < k; j++) {
      size_t n = strlen(q);
      snprintf(q + n, sizeof q - n, "%s%.60s", j ? " " : "", ws->w[next() % (uint64_t)ws->n]);
    }
    const char *why = NULL;
    if (ts_squery_build(q, TS_SQUERY_CASES, tok, match, sizeof match, &why))
      continue;
    ts_case_filter f = {.q = q, .match = match, .overdue = -1, .per_page = 20, .scope = *sc};
    json_t *items = NULL;
    int64_t total = 0;
    double t0 = now_ms();
    int rc = ts_store_case_search(s, &f, 10001, &items, &total); /* as GET /search */
    lat[done] = now_ms() - t0;
    if (lat[done] > worst) {
      worst = lat[done];
      snprintf(worst_q, sizeof worst_q, "%.200s (%lld matches)", q, (long long)total);
    }
    done++;
    json_decref(items);
    if (rc) {
      fprintf(stderr, "query '%s' failed: %s\n", q, ts_err_code(rc));
      free(lat);
      return 1;
    }
    totals += (double)total;
  }
  qsort(lat, (size_t)done, sizeof *lat, cmp_double);
  printf("%-28s %5d queries  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %8.2f ms  mean matches (counted to 10,001) %.0f\n",
         label, done, pct(lat, done, 50), pct(lat, done, 90), pct(lat, done, 99),
         done ? lat[done - 1] : 0.0, done ? totals / done : 0.0);
  printf("%-28s slowest: %s\n", "", worst_q);
  free(lat);
  return 0;
}

static int is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1 if w occurs in d as a whole word: for a word of Latin letters and digits, not inside a
 * longer run of them ("25" is not a word of "2025"); a Chinese word anywhere. */
static int occurs(const char *d, const char *w) {
  size_t n = strlen(w);
  if (!is_alnum(w[0]))
    return strstr(d, w) != NULL;
  for (const char *p = strstr(d, w); p; p = strstr(p + 1, w))
    if ((p == d || !is_alnum(p[-1])) && !is_alnum(p[n]))
      return 1;
  return 0;
}

/* Recall of single words against instr() over the descriptions. */
static int recall(sqlite3 *db, ts_tok *tok, const words *ws, int nw) {
  sqlite3_stmt *scan = NULL, *fts = NULL;
  long long like_total = 0, missed = 0;
  int rc = 1;
  if (sqlite3_prepare_v2(db, "SELECT id, description FROM cases WHERE instr(description, ?1) > 0",
                         -1, &scan, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT 1 FROM case_fts WHERE case_fts MATCH ?1 AND rowid = ?2", -1,
                         &fts, NULL) != SQLITE_OK)
    goto out;
  for (int i = 0; i < nw; i++) {
    const char *w = ws->w[next() % (uint64_t)ws->n];
    char match[TS_SQUERY_OUT];
    const char *why;
    double t0 = now_ms();
    long long n = 0, miss = 0;
    if (ts_squery_build(w, TS_SQUERY_CASES, tok, match, sizeof match, &why))
      continue;
    sqlite3_bind_text(scan, 1, w, -1, SQLITE_STATIC);
    while (sqlite3_step(scan) == SQLITE_ROW) {
      if (!occurs((const char *)sqlite3_column_text(scan, 1), w))
        continue;
      n++;
      sqlite3_bind_text(fts, 1, match, -1, SQLITE_STATIC);
      sqlite3_bind_int64(fts, 2, sqlite3_column_int64(scan, 0));
      if (sqlite3_step(fts) != SQLITE_ROW) {
        if (miss++ < 2) { /* show where: the text around the substring */
          const char *d = (const char *)sqlite3_column_text(scan, 1), *at = strstr(d, w);
          const char *from = at - d > 12 ? at - 12 : d;
          while (from > d && (*from & 0xC0) == 0x80)
            from--;
          printf("    miss: %s in \"%.40s\"\n", w, from);
        }
      }
      sqlite3_reset(fts);
    }
    sqlite3_reset(scan);
    like_total += n;
    missed += miss;
    printf("  %-16s substring in %6lld descriptions, index misses %lld (scan %.0f ms)\n", w, n, miss,
           now_ms() - t0);
  }
  printf("recall over %d words: %lld of %lld substring matches found (%.2f %%)\n", nw,
         like_total - missed, like_total,
         like_total ? 100.0 * (double)(like_total - missed) / (double)like_total : 100.0);
  rc = 0;
out:
  if (rc)
    fprintf(stderr, "recall: %s\n", sqlite3_errmsg(db));
  sqlite3_finalize(scan);
  sqlite3_finalize(fts);
  return rc;
}

int main(int argc, char **argv) {
  const char *path = NULL;
  int nq = 2000, nrecall = 30, rc = 1;
  ts_store *s = NULL;
  sqlite3 *db = NULL;
  ts_tok *tok = NULL;
  words ws = {0};
  for (int i = 1; i < argc - 1; i += 2) {
    if (!strcmp(argv[i], "--db"))
      path = argv[i + 1];
    else if (!strcmp(argv[i], "--queries"))
      nq = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--recall"))
      nrecall = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--seed"))
      rng ^= (uint64_t)strtoull(argv[i + 1], NULL, 10) * 0x9E3779B97F4A7C15ULL;
  }
  if (!path || nq < 1) {
    fprintf(stderr, "usage: tousu-search-bench --db FILE [--queries N] [--recall N] [--seed S]\n");
    return 2;
  }
  ts_log_set_level(TS_LOG_WARN);
  ts_time_set_zone("Asia/Shanghai");
  ts_store_opts o = {.path = path, .readers = 2, .readonly = 1};
  if (ts_store_open(&o, &s) || ts_tok_new(&tok) ||
      sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK || ts_fts_register(db)) {
    fprintf(stderr, "cannot open %s\n", path);
    goto out;
  }
  /* the vocabulary: words of the descriptions of 2,000 random cases */
  sqlite3_stmt *st = NULL;
  int64_t maxid = 0, outlet = 0;
  char outlet_path[256] = "";
  if (sqlite3_prepare_v2(db, "SELECT max(id) FROM cases", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    maxid = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (maxid < 1 ||
      sqlite3_prepare_v2(db, "SELECT description FROM cases WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
    goto out;
  for (int i = 0; i < 2000; i++) {
    sqlite3_bind_int64(st, 1, 1 + (int64_t)(next() % (uint64_t)maxid));
    if (sqlite3_step(st) == SQLITE_ROW)
      ts_tok_run(tok, (const char *)sqlite3_column_text(st, 0), -1, keep_word, &ws);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  /* the busiest outlet, for the agent's view */
  if (sqlite3_prepare_v2(db, "SELECT u.id, u.path FROM org_units u WHERE u.kind = 'outlet' "
                             "ORDER BY (SELECT count(*) FROM cases WHERE outlet_id = u.id) DESC LIMIT 1",
                         -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    outlet = sqlite3_column_int64(st, 0);
    snprintf(outlet_path, sizeof outlet_path, "%.255s", (const char *)sqlite3_column_text(st, 1));
  }
  sqlite3_finalize(st);
  printf("%lld cases; %d words sampled from 2000 descriptions; agent's outlet %lld\n",
         (long long)maxid, ws.n, (long long)outlet);
  if (ws.n == 0)
    goto out;
  ts_scope all = {.all = 1};
  ts_scope agent = {.by_outlet = 1, .unit_path = outlet_path, .username = "bench.agent"};
  run_queries(s, tok, &ws, 50, &all, "(warm-up)");
  if (run_queries(s, tok, &ws, nq, &all, "1-3 words, administrator") ||
      run_queries(s, tok, &ws, nq, &agent, "1-3 words, outlet agent"))
    goto out;
  if (nrecall > 0 && recall(db, tok, &ws, nrecall))
    goto out;
  rc = 0;
out:
  for (int i = 0; i < ws.n; i++)
    free(ws.w[i]);
  free(ws.w);
  ts_tok_free(tok);
  sqlite3_close(db);
  ts_store_close(s);
  return rc;
}
