#include "http/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/server.h"

static const int statuses[] = {200, 201, 204, 400, 401, 403, 404, 405, 409,
                               413, 422, 429, 431, 500, 503};
#define N_STATUS ((int)(sizeof statuses / sizeof statuses[0]) + 1) /* + "other" */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
#define N_BUCKET ((int)(sizeof buckets / sizeof buckets[0]))
#define SLOT(route) ((route) < 0 || (route) >= TS_METRICS_MAX_ROUTES - 1 ? TS_METRICS_MAX_ROUTES - 1 : (route))

static atomic_uint_fast64_t by_status[TS_METRICS_MAX_ROUTES][N_STATUS];
static atomic_uint_fast64_t hist[TS_METRICS_MAX_ROUTES][N_BUCKET + 1];
static atomic_uint_fast64_t sum_ns[TS_METRICS_MAX_ROUTES];

void ts_metrics_observe(int route, int status, int64_t duration_ns) {
  int slot = SLOT(route), si = N_STATUS - 1, b = N_BUCKET;
  for (int i = 0; i < N_STATUS - 1; i++)
    if (statuses[i] == status)
      si = i;
  double secs = (double)duration_ns / 1e9;
  for (int i = 0; i < N_BUCKET; i++)
    if (secs <= buckets[i]) {
      b = i;
      break;
    }
  atomic_fetch_add(&by_status[slot][si], 1);
  atomic_fetch_add(&hist[slot][b], 1);
  atomic_fetch_add(&sum_ns[slot], (uint64_t)(duration_ns > 0 ? duration_ns : 0));
}

typedef struct {
  char *buf;
  size_t len, cap;
  int failed;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    if (b->failed)
      return;
    va_start(ap, fmt);
    int n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = 1;
      return;
    }
    if ((size_t)n < b->cap - b->len) {
      b->len += (size_t)n;
      return;
    }
    size_t ncap = b->cap * 2 + (size_t)n;
    char *g = realloc(b->buf, ncap);
    if (!g) {
      b->failed = 1;
      return;
    }
    b->buf = g;
    b->cap = ncap;
  }
}

static void route_label(int slot, char *out, size_t outsz) {
  if (slot == TS_METRICS_MAX_ROUTES - 1 || slot >= ts_routes_count)
    snprintf(out, outsz, "unmatched");
  else
    snprintf(out, outsz, "%s %s", ts_routes[slot].method, ts_routes[slot].pattern);
}

char *ts_metrics_render(ts_app *app) {
  sbuf b = {malloc(16384), 0, 16384, 0};
  char label[160];
  if (!b.buf)
    return NULL;
  sb_printf(&b, "# HELP tousu_http_requests_total HTTP requests by route and status.\n"
                "# TYPE tousu_http_requests_total counter\n");
  for (int r = 0; r < TS_METRICS_MAX_ROUTES; r++)
    for (int s = 0; s < N_STATUS; s++) {
      uint64_t v = atomic_load(&by_status[r][s]);
      if (!v)
        continue;
      route_label(r, label, sizeof label);
      if (s < N_STATUS - 1)
        sb_printf(&b, "tousu_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", label,
                  statuses[s], (unsigned long long)v);
      else
        sb_printf(&b, "tousu_http_requests_total{route=\"%s\",status=\"other\"} %llu\n", label,
                  (unsigned long long)v);
    }
  sb_printf(&b, "# HELP tousu_http_request_duration_seconds Time from arrival to response.\n"
                "# TYPE tousu_http_request_duration_seconds histogram\n");
  for (int r = 0; r < TS_METRICS_MAX_ROUTES; r++) {
    uint64_t total = 0, cum = 0;
    for (int i = 0; i <= N_BUCKET; i++)
      total += atomic_load(&hist[r][i]);
    if (!total)
      continue;
    route_label(r, label, sizeof label);
    for (int i = 0; i < N_BUCKET; i++) {
      cum += atomic_load(&hist[r][i]);
      sb_printf(&b, "tousu_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                label, buckets[i], (unsigned long long)cum);
    }
    sb_printf(&b,
              "tousu_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
              "tousu_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
              "tousu_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
              label, (unsigned long long)total, label,
              (double)atomic_load(&sum_ns[r]) / 1e9, label, (unsigned long long)total);
  }
  ts_store_stats st;
  ts_store_get_stats(app->store, &st);
  sb_printf(&b,
            "# HELP tousu_store_reads_total Store read calls.\n"
            "# TYPE tousu_store_reads_total counter\n"
            "tousu_store_reads_total %llu\n"
            "# HELP tousu_store_read_seconds_total Time spent in store reads.\n"
            "# TYPE tousu_store_read_seconds_total counter\n"
            "tousu_store_read_seconds_total %.6f\n"
            "# HELP tousu_store_commits_total Group commits by the writer.\n"
            "# TYPE tousu_store_commits_total counter\n"
            "tousu_store_commits_total %llu\n"
            "# HELP tousu_store_commit_seconds_total Time spent in group commits, fsync included.\n"
            "# TYPE tousu_store_commit_seconds_total counter\n"
            "tousu_store_commit_seconds_total %.6f\n"
            "# HELP tousu_store_writes_total Writes applied (several per commit).\n"
            "# TYPE tousu_store_writes_total counter\n"
            "tousu_store_writes_total %llu\n",
            (unsigned long long)st.reads, (double)st.read_ns / 1e9,
            (unsigned long long)st.commits, (double)st.commit_ns / 1e9,
            (unsigned long long)st.writes);
  if (b.failed) {
    free(b.buf);
    return NULL;
  }
  return b.buf;
}
