/* The analysis report (report.h): periods, and the figures accumulated from the rows the
 * store streams (ts_store_report_scan). The definitions are docs/reports.md's. */
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/labels.h"
#include "core/mask.h"
#include "core/perm.h"
#include "core/ts_err.h"
#include "util/tstime.h"

#define DAY 86400LL

/* ---- periods --------------------------------------------------------------------------------- */

static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468; /* H. Hinnant's algorithm: days since 1970-01-01 to a Gregorian date */
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void date_of_days(int64_t days, char out[11]) {
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

/* The first instant of a local day (zones with summer time: the offset at that instant). */
static int64_t local_midnight(int64_t days) {
  int64_t t = days * DAY;
  int64_t guess = t - ts_time_offset(t);
  return t - ts_time_offset(guess);
}

static int parse_date(const char *s, int64_t *days) {
  int y, m, d;
  if (!s || !ts_date_ok(s) || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return TS_ERR_INVALID;
  *days = ts_days_from_civil(y, m, d);
  return TS_OK;
}

/* Fills the dates and instants of [first, last] (days since the epoch, inclusive). */
static void period_days(ts_period *p, int64_t first, int64_t last) {
  date_of_days(first, p->from_date);
  date_of_days(last, p->to_date);
  p->from = local_midnight(first);
  p->to = local_midnight(last + 1);
}

/* Years 1970..9998: a period's end (the next day's midnight) must still be a date. */
static int month_days(int y, int m, int64_t *first, int64_t *last) {
  if (y < 1970 || y > 9998 || m < 1 || m > 12)
    return TS_ERR_INVALID;
  *first = ts_days_from_civil(y, m, 1);
  *last = (m == 12 ? ts_days_from_civil(y + 1, 1, 1) : ts_days_from_civil(y, m + 1, 1)) - 1;
  return TS_OK;
}

/* Strict "YYYY" and "YYYY-..." prefixes: digits only where digits belong. */
static int digits(const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

int ts_period_month(const char *ym, ts_period *out) {
  int64_t a, b;
  if (!ym || strlen(ym) != 7 || !digits(ym, 4) || ym[4] != '-' || !digits(ym + 5, 2) ||
      month_days(atoi(ym), atoi(ym + 5), &a, &b))
    return TS_ERR_INVALID;
  memset(out, 0, sizeof *out);
  out->kind = TS_PERIOD_MONTH;
  snprintf(out->label, sizeof out->label, "%.7s", ym);
  period_days(out, a, b);
  return TS_OK;
}

int ts_period_quarter(const char *yq, ts_period *out) {
  int64_t a, b, c, d;
  if (!yq || strlen(yq) != 7 || !digits(yq, 4) || yq[4] != '-' || yq[5] != 'Q' || yq[6] < '1' ||
      yq[6] > '4')
    return TS_ERR_INVALID;
  int y = atoi(yq), q = yq[6] - '0';
  if (month_days(y, 3 * q - 2, &a, &b) || month_days(y, 3 * q, &c, &d))
    return TS_ERR_INVALID;
  memset(out, 0, sizeof *out);
  out->kind = TS_PERIOD_QUARTER;
  snprintf(out->label, sizeof out->label, "%.7s", yq);
  period_days(out, a, d);
  return TS_OK;
}

int ts_period_year(const char *ys, ts_period *out) {
  int64_t a, b, c, d;
  if (!ys || strlen(ys) != 4 || !digits(ys, 4) || month_days(atoi(ys), 1, &a, &b) ||
      month_days(atoi(ys), 12, &c, &d))
    return TS_ERR_INVALID;
  memset(out, 0, sizeof *out);
  out->kind = TS_PERIOD_YEAR;
  snprintf(out->label, sizeof out->label, "%.4s", ys);
  period_days(out, a, d);
  return TS_OK;
}

int ts_period_range(const char *from_date, const char *to_date, ts_period *out) {
  int64_t a, b;
  if (parse_date(from_date, &a) || parse_date(to_date, &b) || b < a || b - a >= 366 ||
      a < ts_days_from_civil(1970, 1, 2) || b >= ts_days_from_civil(9999, 1, 1))
    return TS_ERR_INVALID;
  memset(out, 0, sizeof *out);
  out->kind = TS_PERIOD_RANGE;
  period_days(out, a, b);
  snprintf(out->label, sizeof out->label, "%s~%s", out->from_date, out->to_date);
  return TS_OK;
}

int ts_period_previous_month(int64_t t, ts_period *out) {
  int y, m;
  char ym[8];
  if (ts_time_year_month(t, &y, &m))
    return TS_ERR_INVALID;
  if (--m == 0) {
    m = 12;
    y--;
  }
  snprintf(ym, sizeof ym, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
  return ts_period_month(ym, out);
}

/* ---- counting by key -------------------------------------------------------------------------- */

#define IDS_KEPT 5 /* case numbers kept per customer or subject */

/* Strings kept for the report's life, in chunks that never move (a month of ten million
 * cases has some 450,000 customers: one allocation each would cost more than the counting). */
#define ARENA_CHUNK (1u << 20)
typedef struct arena_chunk {
  struct arena_chunk *next;
  size_t used;
  char data[ARENA_CHUNK];
} arena_chunk;
typedef struct {
  arena_chunk *head;
} arena;

static const char *arena_dup(arena *a, const char *s) {
  size_t n = strlen(s) + 1;
  if (n > ARENA_CHUNK)
    return NULL;
  if (!a->head || a->head->used + n > ARENA_CHUNK) {
    arena_chunk *c = malloc(sizeof *c);
    if (!c)
      return NULL;
    c->next = a->head;
    c->used = 0;
    a->head = c;
  }
  char *d = a->head->data + a->head->used;
  memcpy(d, s, n);
  a->head->used += n;
  return d;
}

static void arena_free(arena *a) {
  while (a->head) {
    arena_chunk *n = a->head->next;
    free(a->head);
    a->head = n;
  }
}

typedef struct {
  uint64_t hash;
  const char *key; /* in the arena */
  int64_t count;   /* cases */
  int64_t cents;   /* losses */
  int32_t n2;      /* a mark (listed) */
  int32_t grade[4];
  const char *nos[IDS_KEPT]; /* the first case numbers, in the arena */
} entry;

/* Counts by key: entries in a dense array, found through an open-addressing index of
 * entry numbers + 1 (0: empty), kept at most half full. */
typedef struct {
  entry *e;
  size_t used, ecap;
  uint32_t *slot;
  size_t cap; /* a power of two */
  int keep_nos;
  arena *strings;
} tally;

static uint64_t fnv(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static void tally_free(tally *t) {
  free(t->e);
  free(t->slot);
  arena *keep = t->strings;
  memset(t, 0, sizeof *t);
  t->strings = keep;
}

static int tally_grow(tally *t) {
  size_t cap = t->cap ? t->cap * 2 : 64;
  uint32_t *slot = calloc(cap, sizeof *slot);
  if (!slot || cap > UINT32_MAX) {
    free(slot);
    return TS_ERR_NOMEM;
  }
  for (size_t i = 0; i < t->used; i++) {
    size_t j = t->e[i].hash & (cap - 1);
    while (slot[j])
      j = (j + 1) & (cap - 1);
    slot[j] = (uint32_t)(i + 1);
  }
  free(t->slot);
  t->slot = slot;
  t->cap = cap;
  return TS_OK;
}

/* The slot where key is, or the empty one where it would go. */
static size_t tally_probe(const tally *t, const char *key, uint64_t h) {
  size_t j = h & (t->cap - 1);
  while (t->slot[j]) {
    const entry *e = &t->e[t->slot[j] - 1];
    if (e->hash == h && !strcmp(e->key, key))
      break;
    j = (j + 1) & (t->cap - 1);
  }
  return j;
}

/* The entry of key (created with count 0), or NULL when out of memory. */
static entry *tally_get(tally *t, const char *key) {
  if ((t->used + 1) * 2 > t->cap && tally_grow(t))
    return NULL;
  uint64_t h = fnv(key);
  size_t j = tally_probe(t, key, h);
  if (t->slot[j])
    return &t->e[t->slot[j] - 1];
  if (t->used == t->ecap) {
    size_t ecap = t->ecap ? t->ecap * 2 : 32;
    entry *e = realloc(t->e, ecap * sizeof *e);
    if (!e)
      return NULL;
    t->e = e;
    t->ecap = ecap;
  }
  entry *e = &t->e[t->used];
  memset(e, 0, sizeof *e);
  e->hash = h;
  if (!(e->key = arena_dup(t->strings, key)))
    return NULL;
  t->slot[j] = (uint32_t)++t->used;
  return e;
}

static int tally_add(tally *t, const char *key, const char *case_no, int grade) {
  entry *e = tally_get(t, key && *key ? key : "none");
  if (!e)
    return TS_ERR_NOMEM;
  if (t->keep_nos && case_no && e->count < IDS_KEPT &&
      !(e->nos[e->count] = arena_dup(t->strings, case_no)))
    return TS_ERR_NOMEM;
  e->count++;
  if (grade >= 1 && grade <= 4)
    e->grade[grade - 1]++;
  return TS_OK;
}

/* The entry of key, or NULL when there is none (nothing is added). */
static entry *tally_find(const tally *t, const char *key) {
  if (!t->cap)
    return NULL;
  size_t j = tally_probe(t, key, fnv(key));
  return t->slot[j] ? &t->e[t->slot[j] - 1] : NULL;
}

/* Entries by count (then cents), largest first, then by key: an array of pointers. */
static int by_count(const void *a, const void *b) {
  const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  if (x->cents != y->cents)
    return x->cents > y->cents ? -1 : 1;
  return strcmp(x->key, y->key);
}

static int by_cents(const void *a, const void *b) {
  const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
  if (x->cents != y->cents)
    return x->cents > y->cents ? -1 : 1;
  return strcmp(x->key, y->key);
}

/* The entries counted at least min times, sorted by cmp: an array of pointers. */
static entry **tally_sorted_min(const tally *t, int (*cmp)(const void *, const void *),
                                int64_t min, size_t *n) {
  entry **v = malloc((t->used ? t->used : 1) * sizeof *v);
  *n = 0;
  for (size_t i = 0; v && i < t->used; i++)
    if (t->e[i].count >= min)
      v[(*n)++] = &t->e[i];
  if (v)
    qsort(v, *n, sizeof *v, cmp);
  return v;
}

static entry **tally_sorted(const tally *t, int (*cmp)(const void *, const void *), size_t *n) {
  entry **v = malloc((t->used ? t->used : 1) * sizeof *v);
  *n = 0;
  for (size_t i = 0; v && i < t->used; i++)
    v[(*n)++] = &t->e[i];
  if (v)
    qsort(v, *n, sizeof *v, cmp);
  return v;
}

/* ---- the accumulator --------------------------------------------------------------------------- */

enum { B_CATEGORY, B_CHANNEL, B_GRADE, B_STATUS, B_OUTLET, B_DEPT, B_ROOT_CAUSE, B_STAGE,
       B_RESPONSIBILITY, B_VALIDITY, B_NATURE, B__COUNT };
static const char *const by_names[B__COUNT] = {
  "category", "channel", "grade", "status", "outlet", "dept", "root_cause", "service_stage",
  "responsibility", "validity", "nature"};

#define NBUCKETS 7
static const struct {
  const char *code, *zh, *en;
  int min, max; /* days; max -1: no upper bound */
} buckets[NBUCKETS] = {
  {"d0_1", "1天内", "Up to 1 day", 0, 1},      {"d2_3", "2–3天", "2–3 days", 2, 3},
  {"d4_7", "4–7天", "4–7 days", 4, 7},         {"d8_15", "8–15天", "8–15 days", 8, 15},
  {"d16_30", "16–30天", "16–30 days", 16, 30}, {"d31_60", "31–60天", "31–60 days", 31, 60},
  {"d61_", "60天以上", "Over 60 days", 61, -1}};

#define TREND_MONTHS 12

typedef struct {
  const ts_period *p;
  int64_t now, open_at;
  /* the slice: units under it (indexed by id), or all */
  int all;
  unsigned char *in;
  int64_t nin;
  /* received */
  int64_t received, external, finished_by_end, judged, valid, partly, invalid;
  arena strings; /* every tally's keys and case numbers */
  tally by[B__COUNT], clock_sets, clocks, customers, subjects;
  /* finished */
  int64_t finished, closed, rejected, withdrawn;
  int64_t *durations;
  size_t ndur, capdur;
  int64_t dur_sum, ft_closed, ft_first, sat[5];
  int64_t loss[TS_LOSS__COUNT], loss_cases;
  tally loss_party, loss_category;
  /* open at the end */
  int64_t open_total, bucket[NBUCKETS][5]; /* [0]: all, [1..4]: g1..g4 */
  tally open_status;
  /* pending */
  int64_t pending_total;
  json_t *pending;
  /* days */
  char trend_month[TREND_MONTHS][8];
  int64_t trend_received[TREND_MONTHS], trend_finished[TREND_MONTHS];
  char prev_from[11], prev_to[11], ly_from[11], ly_to[11];
  int64_t received_prev, received_last_year;
  /* penalties */
  int64_t pen_in_period, pen[4], fines_proposed, fines_executed, not_executed_total;
  json_t *not_executed;
  /* names */
  ts_unit *units;
  size_t nunits;
  int rc;
} acc;

static int in_slice(const acc *a, int64_t outlet, int64_t dept) {
  return a->all || (outlet > 0 && outlet < a->nin && a->in[outlet]) ||
         (dept > 0 && dept < a->nin && a->in[dept]);
}

static const ts_unit *unit_of(const acc *a, int64_t id) {
  for (size_t i = 0; id > 0 && i < a->nunits; i++)
    if (a->units[i].id == id)
      return &a->units[i];
  return NULL;
}

/* A unit id as the text of a breakdown's code ("none" for 0), without printf (once per case
 * and unit). */
static void id_text(int64_t id, char out[24]) {
  char tmp[24];
  int n = 0;
  if (id <= 0) {
    memcpy(out, "none", 5);
    return;
  }
  for (; id && n < 23; id /= 10)
    tmp[n++] = (char)('0' + id % 10);
  for (int i = 0; i < n; i++)
    out[i] = tmp[n - 1 - i];
  out[n] = '\0';
}

/* The customer: by phone, else customer id, else name (as the grading's rules count), as
 * "p:<phone>", "i:<id>" or "n:<name>", cut to outsz. */
static void customer_key(const ts_rep_case *c, char *out, size_t outsz) {
  const char *v = c->phone && *c->phone ? c->phone
                  : c->customer_id && *c->customer_id ? c->customer_id
                  : c->name ? c->name : "";
  out[0] = c->phone && *c->phone ? 'p' : c->customer_id && *c->customer_id ? 'i' : 'n';
  out[1] = ':';
  size_t n = strnlen(v, outsz - 3);
  memcpy(out + 2, v, n);
  out[2 + n] = '\0';
}

/* One clock outcome per case and clock name: breached if any of its runs was, else
 * running, else paused, else met. */
static int add_clocks(acc *a, const char *s, int64_t times) {
  char names[16][64], states[16];
  int n = 0;
  while (s && *s) {
    while (*s == ' ')
      s++;
    const char *colon = strchr(s, ':');
    if (!colon || !colon[1])
      break;
    size_t len = (size_t)(colon - s);
    char st = colon[1];
    int k = 0;
    while (k < n && (strlen(names[k]) != len || strncmp(names[k], s, len)))
      k++;
    if (k == n && n < 16 && len < sizeof names[0]) {
      memcpy(names[n], s, len);
      names[n][len] = '\0';
      states[n++] = st;
    } else if (k < n) {
      static const char rank[] = "mprb"; /* worse to the right */
      const char *x = strchr(rank, st), *y = strchr(rank, states[k]);
      if (x && (!y || x > y))
        states[k] = st;
    }
    s = colon + 2;
  }
  for (int k = 0; k < n; k++) {
    entry *e = tally_get(&a->clocks, names[k]);
    if (!e)
      return TS_ERR_NOMEM;
    e->count += times; /* started */
    int slot = states[k] == 'm' ? 0 : states[k] == 'b' ? 1 : states[k] == 'r' ? 2 : 3;
    e->grade[slot] += (int32_t)times; /* met, breached, running, paused */
  }
  return TS_OK;
}

static int grade_no(const char *g) {
  return g && g[0] == 'g' && g[1] >= '1' && g[1] <= '4' && !g[2] ? g[1] - '0' : 0;
}

static int on_received(acc *a, const ts_rep_case *c) {
  char key[160];
  int rc = TS_OK;
  a->received++;
  a->external += c->external != 0;
  if (c->closed_at && c->closed_at < a->p->to && c->closed_at <= a->now)
    a->finished_by_end++;
  if (c->validity) {
    a->judged++;
    a->valid += !strcmp(c->validity, "valid");
    a->partly += !strcmp(c->validity, "partly_valid");
    a->invalid += !strcmp(c->validity, "invalid");
  }
  char outlet[24], dept[24];
  id_text(c->outlet_id, outlet);
  id_text(c->dept_id, dept);
  const char *vals[B__COUNT] = {c->category,      c->channel,        c->grade,       c->status,
                                outlet,           dept,              c->root_cause,  c->service_stage,
                                c->responsibility, c->validity,      c->nature};
  for (int b = 0; !rc && b < B__COUNT; b++)
    rc = tally_add(&a->by[b], vals[b], NULL, 0);
  /* the same outcomes repeat from case to case: counted as texts, read once each at the end */
  if (!rc && c->sla_clocks && *c->sla_clocks)
    rc = tally_add(&a->clock_sets, c->sla_clocks, NULL, 0);
  if (!rc) {
    customer_key(c, key, sizeof key);
    rc = tally_add(&a->customers, key, c->case_no, 0);
  }
  if (!rc && c->subject_key && *c->subject_key)
    rc = tally_add(&a->subjects, c->subject_key, c->case_no, 0);
  return rc;
}

static int on_finished(acc *a, const ts_rep_case *c) {
  a->finished++;
  int closed = c->status && !strcmp(c->status, "closed");
  int rejected = c->status && !strcmp(c->status, "rejected");
  a->closed += closed;
  a->rejected += rejected;
  a->withdrawn += c->status && !strcmp(c->status, "withdrawn");
  if (closed || rejected) { /* handled to an answer: the handling time */
    if (a->ndur == a->capdur) {
      size_t cap = a->capdur ? a->capdur * 2 : 1024;
      int64_t *d = realloc(a->durations, cap * sizeof *d);
      if (!d)
        return TS_ERR_NOMEM;
      a->durations = d;
      a->capdur = cap;
    }
    int64_t d = c->closed_at - c->received_at;
    a->durations[a->ndur++] = d > 0 ? d : 0;
    a->dur_sum += d > 0 ? d : 0;
  }
  if (closed) {
    a->ft_closed++;
    a->ft_first += c->reopen_count == 0 && c->proposal_no <= 1;
    if (c->satisfaction >= 1 && c->satisfaction <= 5)
      a->sat[c->satisfaction - 1]++;
  }
  int64_t total = 0;
  for (int i = 0; i < TS_LOSS__COUNT; i++) {
    a->loss[i] += c->loss[i];
    total += c->loss[i];
  }
  if (total) {
    a->loss_cases++;
    const char *party = c->attributed_to ? c->attributed_to : c->responsibility;
    entry *e = tally_get(&a->loss_party, party ? party : "none");
    entry *f = e ? tally_get(&a->loss_category, c->category ? c->category : "none") : NULL;
    if (!f)
      return TS_ERR_NOMEM;
    e->count++, e->cents += total;
    f->count++, f->cents += total;
  }
  return TS_OK;
}

static int on_open(acc *a, const ts_rep_case *c) {
  int64_t age = (a->open_at - c->received_at) / DAY;
  int b = 0, g = grade_no(c->grade);
  while (b < NBUCKETS - 1 && age > buckets[b].max)
    b++;
  a->open_total++;
  a->bucket[b][0]++;
  if (g)
    a->bucket[b][g]++;
  int done = c->status && (!strcmp(c->status, "closed") || !strcmp(c->status, "rejected") ||
                           !strcmp(c->status, "withdrawn"));
  return tally_add(&a->open_status, done ? "finished_since" : c->status, NULL, 0);
}

static json_t *time_json(int64_t t) {
  char buf[TS_TIME_MAX];
  return t && ts_time_format(t, buf, sizeof buf) == TS_OK ? json_string(buf) : json_null();
}

static json_t *str_or_null(const char *s) {
  return s ? json_string(s) : json_null();
}

static int on_pending(acc *a, const ts_rep_case *c) {
  a->pending_total++;
  if (json_array_size(a->pending) >= TS_REPORT_LIST_MAX)
    return TS_OK;
  const ts_unit *o = unit_of(a, c->outlet_id), *d = unit_of(a, c->dept_id);
  json_t *it = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "case_no",
                         str_or_null(c->case_no), "grade", str_or_null(c->grade), "received_at",
                         time_json(c->received_at), "reason", str_or_null(c->pending_reason),
                         "remind_on", str_or_null(c->pending_remind_on), "from",
                         str_or_null(c->pending_from), "outlet", str_or_null(o ? o->name : NULL),
                         "dept", str_or_null(d ? d->name : NULL), "handler",
                         str_or_null(c->handler));
  return it && !json_array_append_new(a->pending, it) ? TS_OK : TS_ERR_NOMEM;
}

static int on_case(void *arg, int set, const ts_rep_case *c) {
  acc *a = arg;
  if (!in_slice(a, c->outlet_id, c->dept_id))
    return TS_OK;
  switch (set) {
  case TS_REP_RECEIVED:
    return on_received(a, c);
  case TS_REP_FINISHED:
    return on_finished(a, c);
  case TS_REP_OPEN:
    return on_open(a, c);
  default:
    return on_pending(a, c);
  }
}

static int on_day(void *arg, const ts_rep_day *d) {
  acc *a = arg;
  if (!d->day || !in_slice(a, d->outlet_id, d->dept_id))
    return TS_OK;
  for (int i = 0; i < TREND_MONTHS; i++)
    if (!strncmp(d->day, a->trend_month[i], 7)) {
      a->trend_received[i] += d->received;
      a->trend_finished[i] += d->finished;
    }
  if (strcmp(d->day, a->prev_from) >= 0 && strcmp(d->day, a->prev_to) <= 0)
    a->received_prev += d->received;
  if (strcmp(d->day, a->ly_from) >= 0 && strcmp(d->day, a->ly_to) <= 0)
    a->received_last_year += d->received;
  return TS_OK;
}

static int on_penalty(void *arg, const ts_rep_penalty *p) {
  acc *a = arg;
  if (!in_slice(a, p->outlet_id, p->dept_id) || !p->status)
    return TS_OK;
  static const char *const st[4] = {"proposed", "approved", "executed", "cancelled"};
  int fine = p->kind && !strcmp(p->kind, "fine") && p->amount_cents > 0;
  if (p->proposed_at >= a->p->from && p->proposed_at < a->p->to) {
    a->pen_in_period++;
    for (int i = 0; i < 4; i++)
      a->pen[i] += !strcmp(p->status, st[i]);
    if (fine && strcmp(p->status, "cancelled"))
      a->fines_proposed += p->amount_cents;
    if (fine && !strcmp(p->status, "executed"))
      a->fines_executed += p->amount_cents;
  }
  if (strcmp(p->status, "proposed") && strcmp(p->status, "approved"))
    return TS_OK;
  a->not_executed_total++;
  if (json_array_size(a->not_executed) >= TS_REPORT_LIST_MAX)
    return TS_OK;
  json_t *it = json_pack(
    "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "case_no", str_or_null(p->case_no), "person",
    str_or_null(p->person), "kind", str_or_null(p->kind), "kind_zh",
    str_or_null(ts_label(TS_LBL_PENALTY, p->kind, 0)), "kind_en",
    str_or_null(ts_label(TS_LBL_PENALTY, p->kind, 1)), "amount_cents",
    p->amount_cents >= 0 ? json_integer(p->amount_cents) : json_null(), "share_pct",
    p->share_pct >= 0 ? json_integer(p->share_pct) : json_null(), "status", json_string(p->status),
    "proposed_at", time_json(p->proposed_at), "days_open",
    (json_int_t)((a->now - p->proposed_at) / DAY));
  return it && !json_array_append_new(a->not_executed, it) ? TS_OK : TS_ERR_NOMEM;
}

/* ---- the document --------------------------------------------------------------------------- */

/* num / den as a percentage rounded half up to one decimal; null when den is 0. */
static json_t *pct(int64_t num, int64_t den) {
  if (den <= 0)
    return json_null();
  int64_t tenths = (num * 2000 + den) / (2 * den);
  if (num < 0)
    tenths = -((-num * 2000 + den) / (2 * den));
  return json_real((double)tenths / 10.0);
}

/* x rounded half up to two decimals (averages, hours). */
static json_t *hundredths(int64_t num, int64_t den) {
  if (den <= 0)
    return json_null();
  return json_real((double)((num * 200 + den) / (2 * den)) / 100.0);
}

/* The names of a configured list ([{"code","name_zh","name_en"}]) or the fixed labels. */
typedef struct {
  json_t *list;
  int lbl; /* -1: the list */
} names;

static void name_of(const acc *a, int b, const names *nm, const char *code, const char **zh,
                    const char **en) {
  static const char *const none_zh[B__COUNT] = {"（未分类）", "（无）", "（无）", "（无）",
                                                "（无网点）", "（未分派部门）", "（未判定）",
                                                "（未判定）", "（未判定）", "（未判定）", "（未判定）"};
  static const char *const none_en[B__COUNT] = {
    "(none)", "(none)", "(none)", "(none)", "(no outlet)", "(no department)",
    "(not determined)", "(not determined)", "(not determined)", "(not judged)", "(not judged)"};
  *zh = *en = code;
  if (!strcmp(code, "none")) {
    *zh = none_zh[b];
    *en = none_en[b];
    return;
  }
  if (b == B_OUTLET || b == B_DEPT) {
    const ts_unit *u = unit_of(a, atoll(code));
    if (u)
      *zh = *en = u->name;
    return;
  }
  if (nm->lbl >= 0) {
    const char *z = ts_label((ts_label_kind)nm->lbl, code, 0);
    if (z) {
      *zh = z;
      *en = ts_label((ts_label_kind)nm->lbl, code, 1);
    }
    return;
  }
  size_t i;
  json_t *o;
  json_array_foreach(nm->list, i, o) {
    const char *c = json_string_value(json_object_get(o, "code"));
    if (c && !strcmp(code, c)) {
      const char *z = json_string_value(json_object_get(o, "name_zh"));
      const char *e = json_string_value(json_object_get(o, "name_en"));
      if (z)
        *zh = z;
      if (e)
        *en = e;
      return;
    }
  }
}

static json_t *breakdown(const acc *a, int b, const names *nm, int64_t total, int pareto) {
  size_t n;
  entry **v = tally_sorted(&a->by[b], by_count, &n);
  json_t *arr = json_array();
  int64_t cum = 0;
  for (size_t i = 0; v && arr && i < n; i++) {
    const char *zh, *en;
    name_of(a, b, nm, v[i]->key, &zh, &en);
    json_t *it = json_pack("{s:s,s:s,s:s,s:I,s:o}", "code", v[i]->key, "name_zh", zh, "name_en",
                           en, "count", (json_int_t)v[i]->count, "pct", pct(v[i]->count, total));
    if (it && pareto) {
      json_object_set_new(it, "vital", json_boolean(cum * 100 < 80 * total));
      cum += v[i]->count;
      json_object_set_new(it, "cum_pct", pct(cum, total));
    }
    if (!it || json_array_append_new(arr, it)) {
      json_decref(arr);
      arr = NULL;
    }
  }
  free(v);
  return arr;
}

static json_t *case_nos(const entry *e) {
  json_t *arr = json_array();
  for (int k = 0; arr && k < IDS_KEPT && e->nos[k]; k++)
    json_array_append_new(arr, json_string(e->nos[k]));
  return arr;
}

static json_t *repeat_json(const acc *a) {
  size_t n, m;
  entry **c = tally_sorted_min(&a->customers, by_count, 2, &n);
  entry **s = tally_sorted_min(&a->subjects, by_count, 2, &m);
  json_t *tc = json_array(), *ts = json_array();
  int64_t complainants = 0, ccases = 0, subjects = 0, scases = 0, cum = 0;
  for (size_t i = 0; c && tc && i < n && c[i]->count >= 2; i++) {
    complainants++;
    ccases += c[i]->count;
    if (i >= 10)
      continue;
    char masked[TS_MASK_MAX];
    const char *k = c[i]->key;
    if (k[0] == 'p')
      ts_mask_phone(k + 2, masked, sizeof masked);
    else if (k[0] == 'i')
      ts_mask_id(k + 2, masked, sizeof masked);
    else
      ts_mask_name(k + 2, masked, sizeof masked);
    json_array_append_new(tc, json_pack("{s:s,s:I,s:o}", "customer", masked, "cases",
                                        (json_int_t)c[i]->count, "case_nos", case_nos(c[i])));
  }
  for (size_t i = 0; s && ts && i < m && s[i]->count >= 2; i++) {
    subjects++;
    scases += s[i]->count;
    if (i >= 20)
      continue;
    cum += s[i]->count;
    json_array_append_new(ts, json_pack("{s:s,s:I,s:o,s:o,s:o}", "subject", s[i]->key, "cases",
                                        (json_int_t)s[i]->count, "pct",
                                        pct(s[i]->count, a->received), "cum_pct",
                                        pct(cum, a->received), "case_nos", case_nos(s[i])));
  }
  free(c);
  free(s);
  return json_pack("{s:I,s:I,s:o,s:I,s:I,s:o}", "complainants", (json_int_t)complainants,
                   "complainant_cases", (json_int_t)ccases, "top_complainants", tc, "subjects",
                   (json_int_t)subjects, "subject_cases", (json_int_t)scases, "top_subjects", ts);
}

static json_t *clock_json(const entry *e, const char *zh, const char *en) {
  return json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:o}", "clock", e->key, "name_zh", zh,
                   "name_en", en, "started", (json_int_t)e->count, "met", (json_int_t)e->grade[0],
                   "breached", (json_int_t)e->grade[1], "running", (json_int_t)e->grade[2],
                   "paused", (json_int_t)e->grade[3], "compliance_pct",
                   pct(e->grade[0], e->grade[0] + e->grade[1]));
}

/* The clocks in the order of their definitions, then any clock whose definition is gone
 * (by name). */
static json_t *sla_json(acc *a, json_t *defs) {
  json_t *arr = json_array();
  size_t i, n;
  json_t *d;
  for (i = 0; i < a->clock_sets.used; i++)
    if (add_clocks(a, a->clock_sets.e[i].key, a->clock_sets.e[i].count)) {
      json_decref(arr);
      return NULL;
    }
  json_array_foreach(defs, i, d) {
    const char *name = json_string_value(json_object_get(d, "name"));
    const char *zh = json_string_value(json_object_get(d, "text_zh"));
    const char *en = json_string_value(json_object_get(d, "text_en"));
    entry *e = name ? tally_find(&a->clocks, name) : NULL;
    if (!e || !e->count || e->n2)
      continue;
    e->n2 = 1; /* listed */
    json_array_append_new(arr, clock_json(e, zh ? zh : name, en ? en : name));
  }
  entry **v = tally_sorted(&a->clocks, by_count, &n);
  for (i = 0; v && i < n; i++)
    if (!v[i]->n2)
      json_array_append_new(arr, clock_json(v[i], v[i]->key, v[i]->key));
  free(v);
  return arr;
}

/* The k-th smallest of v[0..n) (k from 0), moving v's values about: Hoare's selection, in
 * linear time on average (the p90 of 450,000 handling times without sorting them). */
static int64_t select_kth(int64_t *v, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    int64_t pivot = v[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot)
        i++;
      while (v[j] > pivot)
        j--;
      if (i <= j) {
        int64_t t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        if (j == 0)
          break;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return v[k];
  }
  return v[k];
}

static json_t *summary_json(acc *a) {
  int64_t p90 = 0, avg = 0;
  if (a->ndur) {
    size_t rank = (a->ndur * 9 + 9) / 10; /* nearest rank: ceil(0.9 n) */
    p90 = select_kth(a->durations, a->ndur, rank - 1);
    avg = a->dur_sum / (int64_t)a->ndur;
  }
  int64_t answered = 0, sum = 0, total = 0;
  for (int i = 0; i < 5; i++) {
    answered += a->sat[i];
    sum += a->sat[i] * (i + 1);
  }
  for (int i = 0; i < TS_LOSS__COUNT; i++)
    total += a->loss[i];
  json_t *handling = json_pack("{s:I,s:I,s:I,s:o,s:o}", "count", (json_int_t)a->ndur,
                               "avg_seconds", (json_int_t)avg, "p90_seconds", (json_int_t)p90,
                               "avg_hours", hundredths(a->ndur ? a->dur_sum : 0, a->ndur ? (int64_t)a->ndur * 3600 : 0),
                               "p90_hours", hundredths(p90, a->ndur ? 3600 : 0));
  json_t *sat = json_pack("{s:I,s:[IIIII],s:I,s:o,s:o}", "answered", (json_int_t)answered,
                          "counts", (json_int_t)a->sat[0], (json_int_t)a->sat[1],
                          (json_int_t)a->sat[2], (json_int_t)a->sat[3], (json_int_t)a->sat[4],
                          "satisfied", (json_int_t)(a->sat[3] + a->sat[4]), "rate_pct",
                          pct(a->sat[3] + a->sat[4], answered), "average",
                          hundredths(sum, answered));
  json_t *s = json_pack(
    "{s:I,s:I,s:I,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:o,s:I,s:I,s:I,s:I,s:I,s:o}", "received",
    (json_int_t)a->received, "received_prev", (json_int_t)a->received_prev, "received_last_year",
    (json_int_t)a->received_last_year, "mom_pct", pct(a->received - a->received_prev, a->received_prev),
    "yoy_pct", pct(a->received - a->received_last_year, a->received_last_year), "finished",
    (json_int_t)a->finished, "closed", (json_int_t)a->closed, "rejected", (json_int_t)a->rejected,
    "withdrawn", (json_int_t)a->withdrawn, "finished_by_end", (json_int_t)a->finished_by_end,
    "closed_share_pct", pct(a->finished_by_end, a->received), "external", (json_int_t)a->external,
    "validity_judged", (json_int_t)a->judged, "valid", (json_int_t)a->valid, "partly_valid",
    (json_int_t)a->partly, "invalid", (json_int_t)a->invalid, "validity_rate_pct",
    pct(a->valid + a->partly, a->judged));
  if (!s || !handling || !sat) {
    json_decref(s);
    json_decref(handling);
    json_decref(sat);
    return NULL;
  }
  json_object_set_new(s, "handling", handling);
  json_object_set_new(s, "first_time",
                      json_pack("{s:I,s:I,s:o}", "closed", (json_int_t)a->ft_closed, "first_time",
                                (json_int_t)a->ft_first, "pct", pct(a->ft_first, a->ft_closed)));
  json_object_set_new(s, "satisfaction", sat);
  json_object_set_new(s, "loss_total_cents", json_integer(total));
  json_object_set_new(s, "open_at_end", json_integer(a->open_total));
  json_object_set_new(s, "pending", json_integer(a->pending_total));
  return s;
}

static json_t *losses_json(const acc *a, const names *cats) {
  static const char *const comp[TS_LOSS__COUNT] = {"compensation_cents", "refund_cents",
                                                   "discount_cents",     "repair_cents",
                                                   "goods_cents",        "freight_cents",
                                                   "gift_cents",         "other_cents"};
  json_t *c = json_object(), *party = json_array(), *cat = json_array();
  int64_t total = 0;
  for (int i = 0; c && i < TS_LOSS__COUNT; i++) {
    json_object_set_new(c, comp[i], json_integer(a->loss[i]));
    total += a->loss[i];
  }
  json_object_set_new(c, "total_cents", json_integer(total));
  size_t n;
  entry **v = tally_sorted(&a->loss_party, by_cents, &n);
  for (size_t i = 0; v && party && i < n; i++) {
    const char *zh = ts_label(TS_LBL_RESPONSIBILITY, v[i]->key, 0);
    const char *en = ts_label(TS_LBL_RESPONSIBILITY, v[i]->key, 1);
    json_array_append_new(party, json_pack("{s:s,s:s,s:s,s:I,s:I}", "code", v[i]->key, "name_zh",
                                           zh ? zh : "（未判定）", "name_en",
                                           en ? en : "(not determined)", "cases",
                                           (json_int_t)v[i]->count, "total_cents",
                                           (json_int_t)v[i]->cents));
  }
  free(v);
  v = tally_sorted(&a->loss_category, by_cents, &n);
  for (size_t i = 0; v && cat && i < n; i++) {
    const char *zh, *en;
    name_of(a, B_CATEGORY, cats, v[i]->key, &zh, &en);
    json_array_append_new(cat, json_pack("{s:s,s:s,s:s,s:I,s:I}", "code", v[i]->key, "name_zh",
                                         zh, "name_en", en, "cases", (json_int_t)v[i]->count,
                                         "total_cents", (json_int_t)v[i]->cents));
  }
  free(v);
  return json_pack("{s:I,s:o,s:o,s:o}", "cases", (json_int_t)a->loss_cases, "components", c,
                   "by_party", party, "by_category", cat);
}

static json_t *backlog_json(const acc *a) {
  json_t *arr = json_array();
  for (int b = 0; arr && b < NBUCKETS; b++)
    json_array_append_new(
      arr, json_pack("{s:s,s:s,s:s,s:i,s:o,s:I,s:I,s:I,s:I,s:I}", "code", buckets[b].code,
                     "name_zh", buckets[b].zh, "name_en", buckets[b].en, "min_days",
                     buckets[b].min, "max_days",
                     buckets[b].max < 0 ? json_null() : json_integer(buckets[b].max), "count",
                     (json_int_t)a->bucket[b][0], "g1", (json_int_t)a->bucket[b][1], "g2",
                     (json_int_t)a->bucket[b][2], "g3", (json_int_t)a->bucket[b][3], "g4",
                     (json_int_t)a->bucket[b][4]));
  size_t n;
  entry **v = tally_sorted(&a->open_status, by_count, &n);
  json_t *st = json_array();
  for (size_t i = 0; v && st && i < n; i++) {
    const char *zh = ts_label(TS_LBL_STATUS, v[i]->key, 0), *en = ts_label(TS_LBL_STATUS, v[i]->key, 1);
    if (!strcmp(v[i]->key, "finished_since")) {
      zh = "期末后已办结";
      en = "Finished since";
    }
    json_array_append_new(st, json_pack("{s:s,s:s,s:s,s:I,s:o}", "code", v[i]->key, "name_zh",
                                        zh ? zh : v[i]->key, "name_en", en ? en : v[i]->key,
                                        "count", (json_int_t)v[i]->count, "pct",
                                        pct(v[i]->count, a->open_total)));
  }
  free(v);
  return json_pack("{s:o,s:I,s:o,s:o}", "at", time_json(a->open_at), "total",
                   (json_int_t)a->open_total, "buckets", arr, "by_status", st);
}

/* Days since the epoch of a period's first and last local dates. */
static void period_span(const ts_period *p, int64_t *first, int64_t *last) {
  *first = *last = 0;
  parse_date(p->from_date, first);
  parse_date(p->to_date, last);
}

/* The same dates one year earlier (29 February: the 28th). */
static void year_before(const char *date, char out[11]) {
  int y = atoi(date), m = atoi(date + 5), d = atoi(date + 8);
  if (m == 2 && d == 29)
    d = 28;
  snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(y - 1) % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

/* The comparison periods and the trend's months. */
static void plan_days(acc *a, char day_from[11]) {
  const ts_period *p = a->p;
  int64_t first, last;
  period_span(p, &first, &last);
  int y = atoi(p->to_date), m = atoi(p->to_date + 5);
  for (int i = TREND_MONTHS - 1; i >= 0; i--) {
    snprintf(a->trend_month[i], sizeof a->trend_month[i], "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
    if (--m == 0) {
      m = 12;
      y--;
    }
  }
  /* previous period: the one before of the same kind; a range: as many days before */
  if (p->kind == TS_PERIOD_RANGE) {
    date_of_days(first - (last - first + 1), a->prev_from);
    date_of_days(first - 1, a->prev_to);
  } else {
    int months = p->kind == TS_PERIOD_MONTH ? 1 : p->kind == TS_PERIOD_QUARTER ? 3 : 12;
    int py = atoi(p->from_date), pm = atoi(p->from_date + 5) - months;
    while (pm < 1) {
      pm += 12;
      py--;
    }
    int64_t pf = ts_days_from_civil(py, pm, 1);
    date_of_days(pf, a->prev_from);
    date_of_days(first - 1, a->prev_to);
  }
  year_before(p->from_date, a->ly_from);
  year_before(p->to_date, a->ly_to);
  if (p->kind != TS_PERIOD_RANGE) { /* a whole month's end a year before (February) */
    int64_t lf, ll;
    if (!month_days(atoi(a->ly_to), atoi(a->ly_to + 5), &lf, &ll))
      date_of_days(ll, a->ly_to);
  }
  snprintf(day_from, 11, "%s", a->trend_month[0]);
  memcpy(day_from + 7, "-01", 4);
  if (strcmp(a->prev_from, day_from) < 0)
    memcpy(day_from, a->prev_from, 11);
  if (strcmp(a->ly_from, day_from) < 0)
    memcpy(day_from, a->ly_from, 11);
}

static int slice_of(acc *a, int64_t unit_id, json_t **unit) {
  int64_t max = 0;
  const ts_unit *u = NULL;
  for (size_t i = 0; i < a->nunits; i++) {
    if (a->units[i].id > max)
      max = a->units[i].id;
    if (a->units[i].id == unit_id || (!unit_id && !a->units[i].parent_id && !u))
      u = &a->units[i];
  }
  if (unit_id && !u)
    return TS_ERR_NOT_FOUND;
  a->all = !unit_id || (u && !u->parent_id);
  if (!a->all) {
    a->nin = max + 1;
    if (!(a->in = calloc((size_t)a->nin, 1)))
      return TS_ERR_NOMEM;
    for (size_t i = 0; i < a->nunits; i++)
      a->in[a->units[i].id] = ts_path_under(a->units[i].path, u->path) ? 1 : 0;
  }
  *unit = u ? json_pack("{s:I,s:s,s:s}", "id", (json_int_t)u->id, "name", u->name, "path", u->path)
            : json_pack("{s:i,s:s,s:s}", "id", 0, "name", "", "path", "/");
  return *unit ? TS_OK : TS_ERR_NOMEM;
}

static void acc_free(acc *a) {
  for (int b = 0; b < B__COUNT; b++)
    tally_free(&a->by[b]);
  tally_free(&a->clocks);
  tally_free(&a->clock_sets);
  tally_free(&a->customers);
  tally_free(&a->subjects);
  tally_free(&a->loss_party);
  tally_free(&a->loss_category);
  tally_free(&a->open_status);
  arena_free(&a->strings);
  free(a->durations);
  free(a->in);
  free(a->units);
  json_decref(a->pending);
  json_decref(a->not_executed);
}

int ts_report_build(ts_store *s, const ts_period *p, int64_t unit_id, int64_t now,
                    json_t **out) {
  acc a = {0};
  json_t *unit = NULL, *cats = NULL, *chans = NULL, *stages = NULL, *clocks = NULL, *doc = NULL;
  char day_from[11];
  int rc;
  *out = NULL;
  a.p = p;
  a.now = now;
  a.open_at = p->to < now ? p->to : now;
  tally *all[] = {&a.by[0],     &a.by[1],       &a.by[2],         &a.by[3],      &a.by[4],
                  &a.by[5],     &a.by[6],       &a.by[7],         &a.by[8],      &a.by[9],
                  &a.by[10],    &a.clocks,      &a.customers,     &a.subjects,   &a.loss_party,
                  &a.loss_category, &a.open_status, &a.clock_sets};
  _Static_assert(B__COUNT == 11, "every breakdown's tally is listed here");
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    all[i]->strings = &a.strings;
  a.customers.keep_nos = a.subjects.keep_nos = 1;
  a.pending = json_array();
  a.not_executed = json_array();
  if (!a.pending || !a.not_executed) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  if ((rc = ts_store_unit_list(s, &a.units, &a.nunits)) || (rc = slice_of(&a, unit_id, &unit)) ||
      (rc = ts_store_category_list(s, &cats)) || (rc = ts_store_channel_list(s, &chans)) ||
      (rc = ts_store_stage_list(s, &stages)) || (rc = ts_store_clock_def_list(s, &clocks)))
    goto out;
  plan_days(&a, day_from);
  ts_rep_scan q = {p->from, p->to, a.open_at, day_from, p->to_date, &a, on_case, on_day, on_penalty};
  if ((rc = ts_store_report_scan(s, &q)))
    goto out;
  const names nm[B__COUNT] = {{cats, -1},
                              {chans, -1},
                              {NULL, TS_LBL_GRADE},
                              {NULL, TS_LBL_STATUS},
                              {NULL, -1},
                              {NULL, -1},
                              {NULL, TS_LBL_ROOT_CAUSE},
                              {stages, -1},
                              {NULL, TS_LBL_RESPONSIBILITY},
                              {NULL, TS_LBL_VALIDITY},
                              {NULL, TS_LBL_NATURE}};
  json_t *by = json_object(), *trend = json_array();
  for (int b = 0; by && b < B__COUNT; b++)
    json_object_set_new(by, by_names[b], breakdown(&a, b, &nm[b], a.received, 0));
  for (int i = 0; trend && i < TREND_MONTHS; i++)
    json_array_append_new(trend, json_pack("{s:s,s:I,s:I}", "month", a.trend_month[i], "received",
                                           (json_int_t)a.trend_received[i], "finished",
                                           (json_int_t)a.trend_finished[i]));
  json_t *period = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:I,s:b}", "kind",
                             p->kind == TS_PERIOD_MONTH     ? "month"
                             : p->kind == TS_PERIOD_QUARTER ? "quarter"
                             : p->kind == TS_PERIOD_YEAR    ? "year"
                                                            : "range",
                             "label", p->label, "from_date", p->from_date, "to_date", p->to_date,
                             "from", time_json(p->from), "to", time_json(p->to), "days",
                             (json_int_t)((p->to - p->from + DAY / 2) / DAY), "ended", p->to <= now);
  doc = json_pack("{s:s,s:i,s:o,s:o,s:O,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "report",
                  "complaints", "version", 1, "generated_at", time_json(now), "period", period,
                  "unit", unit, "summary", summary_json(&a), "trend", trend, "by", by, "pareto",
                  breakdown(&a, B_CATEGORY, &nm[B_CATEGORY], a.received, 1), "sla",
                  sla_json(&a, clocks), "repeat", repeat_json(&a), "losses",
                  losses_json(&a, &nm[B_CATEGORY]), "backlog", backlog_json(&a), "pending",
                  json_pack("{s:I,s:O}", "total", (json_int_t)a.pending_total, "items", a.pending));
  if (!doc) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  json_object_set_new(doc, "penalties",
                      json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:O}", "in_period",
                                (json_int_t)a.pen_in_period, "proposed",
                                (json_int_t)a.pen[0], "approved", (json_int_t)a.pen[1], "executed",
                                (json_int_t)a.pen[2], "cancelled", (json_int_t)a.pen[3],
                                "fines_proposed_cents", (json_int_t)a.fines_proposed,
                                "fines_executed_cents", (json_int_t)a.fines_executed,
                                "not_executed_total", (json_int_t)a.not_executed_total,
                                "not_executed", a.not_executed));
  *out = doc;
  doc = NULL;
out:
  json_decref(unit);
  json_decref(cats);
  json_decref(chans);
  json_decref(stages);
  json_decref(clocks);
  json_decref(doc);
  acc_free(&a);
  return rc;
}
