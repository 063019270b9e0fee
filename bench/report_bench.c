/* tousu-report-bench: the monthly analysis report (issue 6) over a filled database
 * (bench/gen.c), timed through ts_report_build, the code behind GET /api/v1/reports/... and
 * `tousu report`. See bench/README.md, "The monthly report over millions of cases".
 *
 *   tousu-report-bench --db FILE [--month YYYY-MM] [--unit ID] [--runs N] [--cold]
 *
 * For the month (default 2026-10, tousu-gen's --end) the report is built N times (default
 * 5; warm runs after one uncounted call) for each of three slices: the whole organisation, the
 * region with the most cases and the outlet with the most cases (counted from report_days, else
 * from the cases), or, with
 * --unit, the whole organisation and that unit. Each call's time is printed, then min /
 * median / max per slice, with the report's summary.received and summary.loss_total_cents
 * so that runs over the same file can be compared.
 *
 * --cold: before each call, `sync` and `echo 3 > /proc/sys/vm/drop_caches` (the kernel's
 * page cache; says whether it worked: in a container it usually may not) and the store is
 * closed and opened again (SQLite's own cache). Opening is not timed.
 *
 * Exit status: 0, 1 when a report cannot be built (the error is printed), 2 for usage. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/ts_err.h"
#include "report/report.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/tstime.h"

#define MAX_RUNS 1000
#define MAX_SLICES 3

typedef struct {
  int64_t id; /* 0: the whole organisation */
  char label[160];
} slice;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int parse_int(const char *s, long lo, long hi, long *out) {
  char *end = NULL;
  long v = strtol(s, &end, 10);
  if (!end || *end || end == s || v < lo || v > hi)
    return TS_ERR_INVALID;
  *out = v;
  return TS_OK;
}

/* The kernel's page cache emptied: 1 if it worked. */
static int drop_caches(void) {
  sync();
  FILE *f = fopen("/proc/sys/vm/drop_caches", "w");
  if (!f)
    return 0;
  int ok = fputs("3\n", f) >= 0;
  ok = fclose(f) == 0 && ok;
  return ok;
}

static int store_open(const char *path, ts_store **s) {
  ts_store_opts o = {.path = path, .readers = 1, .readonly = 1};
  int rc = ts_store_open(&o, s);
  if (rc)
    fprintf(stderr, "tousu-report-bench: cannot open %s (%s)\n", path, ts_err_code(rc));
  return rc;
}

/* Cases per outlet, from report_days (a few thousand rows) or else from the cases. *out
 * [i] is the count of units[i] (outlets only); the ancestors' counts are summed later. */
static int outlet_counts(const char *path, const ts_unit *units, size_t n, int64_t *out,
                         int64_t *total) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int rc = TS_ERR_STORE;
  *total = 0;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    goto out;
  if (sqlite3_prepare_v2(db, "SELECT outlet_id, sum(received) FROM report_days GROUP BY 1", -1, &st,
                         NULL) != SQLITE_OK &&
      sqlite3_prepare_v2(db, "SELECT outlet_id, count(*) FROM cases GROUP BY 1", -1, &st, NULL) !=
          SQLITE_OK)
    goto out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(st, 0), k = sqlite3_column_int64(st, 1);
    *total += k;
    for (size_t i = 0; i < n; i++)
      if (units[i].id == id)
        out[i] += k;
  }
  rc = TS_OK;
out:
  if (rc)
    fprintf(stderr, "tousu-report-bench: counting cases: %s\n",
            db ? sqlite3_errmsg(db) : "no memory");
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

/* The busiest region and outlet: their counts are their outlets' counts (a region's
 * outlets are those whose path holds the region's id). */
static int pick_slices(ts_store *s, const char *path, slice *sl, int *nsl) {
  ts_unit *u = NULL;
  size_t n = 0;
  int64_t *count = NULL, total = 0;
  int rc = ts_store_unit_list(s, &u, &n);
  if (rc) {
    fprintf(stderr, "tousu-report-bench: units: %s\n", ts_err_code(rc));
    return rc;
  }
  if (!(count = calloc(n ? n : 1, sizeof *count))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  if ((rc = outlet_counts(path, u, n, count, &total)))
    goto out;
  int best_outlet = -1, best_region = -1;
  int64_t best_region_n = -1;
  for (size_t i = 0; i < n; i++) {
    if (!strcmp(u[i].kind, "outlet") && (best_outlet < 0 || count[i] > count[best_outlet]))
      best_outlet = (int)i;
    if (strcmp(u[i].kind, "region"))
      continue;
    char key[32];
    int64_t k = 0;
    snprintf(key, sizeof key, "/%lld/", (long long)u[i].id);
    for (size_t j = 0; j < n; j++)
      if (!strcmp(u[j].kind, "outlet") && strstr(u[j].path, key))
        k += count[j];
    if (k > best_region_n)
      best_region = (int)i, best_region_n = k;
  }
  printf("cases by outlet: %lld in all\n", (long long)total);
  if (best_region >= 0) {
    sl[*nsl].id = u[best_region].id;
    snprintf(sl[*nsl].label, sizeof sl[*nsl].label, "region %lld %.100s (%lld cases)",
             (long long)u[best_region].id, u[best_region].name, (long long)best_region_n);
    (*nsl)++;
  }
  if (best_outlet >= 0) {
    sl[*nsl].id = u[best_outlet].id;
    snprintf(sl[*nsl].label, sizeof sl[*nsl].label, "outlet %lld %.100s (%lld cases)",
             (long long)u[best_outlet].id, u[best_outlet].name, (long long)count[best_outlet]);
    (*nsl)++;
  }
out:
  free(count);
  free(u);
  return rc;
}

static int64_t summary_int(json_t *report, const char *key) {
  json_t *v = json_object_get(json_object_get(report, "summary"), key);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Builds the report runs times for one slice; prints each time and the summary. */
static int run_slice(ts_store **s, const char *path, const ts_period *p, const slice *sl, int runs,
                     int cold) {
  double t[MAX_RUNS];
  int64_t received = -1, loss = -1;
  size_t bytes = 0;
  printf("%s:\n", sl->label);
  if (!cold) { /* warm: one call first, not counted, so every counted call finds the cache */
    json_t *report = NULL;
    double t0 = now_ms();
    int rc = ts_report_build(*s, p, sl->id, ts_now(), &report);
    json_decref(report);
    if (rc) {
      fprintf(stderr,
              "tousu-report-bench: ts_report_build(%s, unit %lld) failed after %.1f ms: %s\n",
              p->label, (long long)sl->id, now_ms() - t0, ts_err_code(rc));
      return rc;
    }
    printf("  warm-up: %.1f ms\n", now_ms() - t0);
  }
  for (int i = 0; i < runs; i++) {
    json_t *report = NULL;
    if (cold) {
      int dropped = drop_caches();
      ts_store_close(*s);
      *s = NULL;
      if (store_open(path, s))
        return TS_ERR_STORE;
      printf("  cold: page cache %s, store reopened\n",
             dropped ? "dropped" : "NOT dropped (no permission: SQLite's cache only)");
    }
    double t0 = now_ms();
    int rc = ts_report_build(*s, p, sl->id, ts_now(), &report);
    t[i] = now_ms() - t0;
    if (rc) {
      fprintf(stderr,
              "tousu-report-bench: ts_report_build(%s, unit %lld) failed after %.1f ms: %s\n",
              p->label, (long long)sl->id, t[i], ts_err_code(rc));
      return rc;
    }
    int64_t r = summary_int(report, "received"), l = summary_int(report, "loss_total_cents");
    char *text = json_dumps(report, JSON_COMPACT);
    bytes = text ? strlen(text) : 0;
    free(text);
    json_decref(report);
    if (i > 0 && (r != received || l != loss))
      printf("  run %d gave another summary: received %lld, loss_total_cents %lld\n", i + 1,
             (long long)r, (long long)l);
    received = r, loss = l;
    printf("  run %d: %8.1f ms\n", i + 1, t[i]);
  }
  qsort(t, (size_t)runs, sizeof t[0], cmp_double);
  printf("  %s, %d runs: min %.1f ms, median %.1f ms, max %.1f ms; summary.received %lld, "
         "summary.loss_total_cents %lld; the document %zu bytes\n",
         cold ? "cold" : "warm", runs, t[0],
         runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2, t[runs - 1],
         (long long)received, (long long)loss, bytes);
  return TS_OK;
}

static const char usage[] =
    "usage: tousu-report-bench --db FILE [--month YYYY-MM (2026-10)] [--unit ID] [--runs N (5)]\n"
    "                          [--cold]\n";

int main(int argc, char **argv) {
  const char *path = NULL, *month = "2026-10";
  long runs = 5, unit = -1;
  int cold = 0, rc = 1, nsl = 0;
  ts_store *s = NULL;
  ts_period p;
  slice sl[MAX_SLICES];
  struct stat sb;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--cold")) {
      cold = 1;
      continue;
    }
    if (!v)
      goto bad;
    i++;
    if (!strcmp(a, "--db"))
      path = v;
    else if (!strcmp(a, "--month"))
      month = v;
    else if (!strcmp(a, "--runs")) {
      if (parse_int(v, 1, MAX_RUNS, &runs))
        goto bad;
    } else if (!strcmp(a, "--unit")) {
      if (parse_int(v, 1, 1L << 30, &unit))
        goto bad;
    } else {
      goto bad;
    }
  }
  if (!path)
    goto bad;
  ts_log_set_level(TS_LOG_WARN);
  if (ts_time_set_zone("Asia/Shanghai")) {
    fprintf(stderr, "tousu-report-bench: no time zone Asia/Shanghai\n");
    return 1;
  }
  if (ts_period_month(month, &p)) {
    fprintf(stderr, "tousu-report-bench: --month %s is not YYYY-MM\n", month);
    return 2;
  }
  if (stat(path, &sb)) {
    fprintf(stderr, "tousu-report-bench: no file %s\n", path);
    return 1;
  }
  if (store_open(path, &s))
    return 1;
  printf("%s: %.1f MiB; month %s (%s to %s)%s\n", path, (double)sb.st_size / 1048576.0, p.label,
         p.from_date, p.to_date, cold ? ", cold runs" : ", warm runs");
  sl[nsl].id = 0;
  snprintf(sl[nsl].label, sizeof sl[nsl].label, "whole organisation");
  nsl++;
  if (unit > 0) {
    ts_unit u;
    if (ts_store_unit_get(s, unit, &u)) {
      fprintf(stderr, "tousu-report-bench: no unit %ld\n", unit);
      goto out;
    }
    sl[nsl].id = unit;
    snprintf(sl[nsl].label, sizeof sl[nsl].label, "%.15s %ld %.100s", u.kind, unit, u.name);
    nsl++;
  } else if (pick_slices(s, path, sl, &nsl)) {
    goto out;
  }
  for (int i = 0; i < nsl; i++)
    if (run_slice(&s, path, &p, &sl[i], (int)runs, cold))
      goto out;
  rc = 0;
out:
  ts_store_close(s);
  return rc;
bad:
  fputs(usage, stderr);
  return 2;
}
