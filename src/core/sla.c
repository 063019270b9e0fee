#include "core/sla.h"

#include <stdio.h>
#include <string.h>

#include "core/ts_err.h"

int ts_sla_list_has(const char *list, const char *event) {
  size_t n = strlen(event);
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && !memcmp(p, event, n))
      return 1;
    p = end ? end + 1 : NULL;
  }
  return 0;
}

int ts_sla_length(const char *unit, int64_t amount, const ts_calendar *cal, int64_t *secs,
                  int *working) {
  if (amount < 0 || amount > 100000)
    return TS_ERR_INVALID;
  if (!strcmp(unit, "min")) {
    *secs = amount * 60, *working = 0;
  } else if (!strcmp(unit, "h")) {
    *secs = amount * 3600, *working = 0;
  } else if (!strcmp(unit, "d")) {
    *secs = amount * 86400, *working = 0;
  } else if (!strcmp(unit, "wh")) {
    *secs = amount * 3600, *working = 1;
  } else if (!strcmp(unit, "wd")) {
    *secs = amount * ts_cal_day_seconds(cal), *working = 1;
  } else {
    return TS_ERR_INVALID;
  }
  return TS_OK;
}

const ts_clock_def *ts_sla_def(const ts_sla_ctx *x, const char *name) {
  for (int i = 0; i < x->ndefs; i++)
    if (!strcmp(x->defs[i].name, name))
      return &x->defs[i];
  return NULL;
}

static int64_t elapsed(const ts_sla_ctx *x, const ts_clock *k, int64_t t1, int64_t t2) {
  if (t2 <= t1)
    return 0;
  return k->working ? ts_cal_between(x->cal, t1, t2) : t2 - t1;
}

static int later(const ts_sla_ctx *x, const ts_clock *k, int64_t from, int64_t secs,
                 int64_t *out) {
  if (secs < 0)
    secs = 0;
  if (!k->working) {
    *out = from + secs;
    return TS_OK;
  }
  return ts_cal_add(x->cal, from, secs, out);
}

/* Due and warning instants of a running clock from its length and what it has used. */
static int recompute(const ts_sla_ctx *x, ts_clock *k) {
  int rc;
  if (k->state == TS_CLK_PAUSED) {
    k->warn_at = k->due_at = 0;
    return TS_OK;
  }
  if (k->state != TS_CLK_RUNNING)
    return TS_OK;
  int pct = x->warn_pct > 0 && x->warn_pct < 100 ? x->warn_pct : 80;
  int64_t warn_point = k->duration * pct / 100;
  if ((rc = later(x, k, k->seg_start, k->duration - k->used, &k->due_at)))
    return rc;
  return later(x, k, k->seg_start, warn_point - k->used, &k->warn_at);
}

/* The length of def's clock at the context's grade: 0 in *secs when it has none. */
static int def_length(const ts_sla_ctx *x, const ts_clock_def *d, int unreachable,
                      int64_t *secs, int *working) {
  int g = x->grade >= 1 && x->grade <= 4 ? x->grade - 1 : 0;
  int64_t amount = unreachable && d->unreachable[g] > 0 ? d->unreachable[g] : d->amount[g];
  *secs = 0;
  *working = 0;
  return amount > 0 ? ts_sla_length(d->unit[g], amount, x->cal, secs, working) : TS_OK;
}

static int is_open(const ts_clock *k) { return k->stopped_at == 0 && k->state != TS_CLK_MET; }

static void breach(ts_clock *k) {
  k->state = TS_CLK_BREACHED;
  k->breached_at = k->due_at;
  k->warned = 1;
  k->fire |= TS_FIRE_BREACH;
  k->changed = 1;
}

static int terminal(const char *event) {
  return !strcmp(event, "close") || !strcmp(event, "reject") || !strcmp(event, "withdraw");
}

int ts_sla_event(const ts_sla_ctx *x, const char *event, int64_t at, int64_t now,
                 ts_clock *clocks, int *n, int max) {
  int rc = TS_OK;
  for (int i = 0; i < *n && !rc; i++) {
    ts_clock *k = &clocks[i];
    const ts_clock_def *d = ts_sla_def(x, k->name);
    if (!is_open(k))
      continue;
    if (!d && !terminal(event)) {
      ts_sla_retire(k, now);
      continue;
    }
    if (terminal(event) || ts_sla_list_has(d->stop_on, event)) {
      if (k->state == TS_CLK_RUNNING && now >= k->due_at)
        breach(k);
      else if (k->state != TS_CLK_BREACHED)
        k->state = TS_CLK_MET;
      k->stopped_at = now;
      k->changed = 1;
    } else if (k->state == TS_CLK_RUNNING && ts_sla_list_has(d->pause_on, event)) {
      if (now >= k->due_at) {
        breach(k); /* too late to pause: it ran out first */
      } else {
        k->used += elapsed(x, k, k->seg_start, now);
        k->seg_start = now;
        k->state = TS_CLK_PAUSED;
        k->changed = 1;
        rc = recompute(x, k);
      }
    } else if (k->state == TS_CLK_PAUSED && ts_sla_list_has(d->resume_on, event)) {
      k->seg_start = now;
      k->state = TS_CLK_RUNNING;
      k->changed = 1;
      rc = recompute(x, k);
    } else if (!strcmp(event, "unreachable") && !k->unreachable && k->state != TS_CLK_BREACHED) {
      int g = x->grade >= 1 && x->grade <= 4 ? x->grade - 1 : 0;
      if (k->state == TS_CLK_RUNNING && now >= k->due_at) {
        breach(k); /* it ran out before the customer was found unreachable */
      } else if (d->unreachable[g] > 0) {
        k->unreachable = 1;
        k->changed = 1;
        if (!(rc = def_length(x, d, 1, &k->duration, &k->working)))
          rc = recompute(x, k);
      }
    }
  }
  for (int i = 0; i < x->ndefs && !rc; i++) {
    const ts_clock_def *d = &x->defs[i];
    int64_t secs;
    int working, seq = 0, running = 0;
    if (!ts_sla_list_has(d->start_on, event) || (d->channel[0] && strcmp(d->channel, x->channel ? x->channel : "")))
      continue;
    for (int j = 0; j < *n; j++)
      if (!strcmp(clocks[j].name, d->name)) {
        running |= is_open(&clocks[j]);
        seq = clocks[j].seq > seq ? clocks[j].seq : seq;
      }
    if (running || (rc = def_length(x, d, 0, &secs, &working)) || secs == 0)
      continue;
    if (*n >= max)
      return TS_ERR_INVALID;
    ts_clock *k = &clocks[(*n)++];
    memset(k, 0, sizeof *k);
    snprintf(k->name, sizeof k->name, "%s", d->name);
    k->seq = seq + 1;
    k->state = TS_CLK_RUNNING;
    k->working = working;
    k->duration = secs;
    k->started_at = k->seg_start = at;
    k->changed = 1;
    rc = recompute(x, k);
  }
  return rc;
}

int ts_sla_regrade(const ts_sla_ctx *x, ts_clock *clocks, int n, int64_t now) {
  int rc = TS_OK;
  for (int i = 0; i < n && !rc; i++) {
    ts_clock *k = &clocks[i];
    const ts_clock_def *d = ts_sla_def(x, k->name);
    int64_t secs;
    int working;
    if (!d || !is_open(k) || k->state == TS_CLK_BREACHED)
      continue;
    if (k->state == TS_CLK_RUNNING && now >= k->due_at) {
      breach(k); /* already out of time: a new grade does not give it back */
      continue;
    }
    if ((rc = def_length(x, d, k->unreachable, &secs, &working)) || secs == 0 ||
        (secs == k->duration && working == k->working))
      continue;
    /* (a limit that changes between calendar and working time keeps what was used as
     * it was counted: only pauses carry "used", and they are rare) */
    k->duration = secs;
    k->working = working;
    k->changed = 1;
    rc = recompute(x, k);
  }
  return rc;
}

void ts_sla_retire(ts_clock *k, int64_t now) {
  if (!is_open(k))
    return;
  if (k->state != TS_CLK_BREACHED)
    k->state = TS_CLK_MET;
  k->stopped_at = now;
  k->changed = 1;
}

void ts_sla_advance(ts_clock *k, int64_t now) {
  if (k->state != TS_CLK_RUNNING || k->stopped_at)
    return;
  if (now >= k->due_at) {
    breach(k);
  } else if (!k->warned && now >= k->warn_at) {
    k->warned = 1;
    k->fire |= TS_FIRE_WARN;
    k->changed = 1;
  }
}

int64_t ts_sla_next_at(const ts_clock *k) {
  if (k->state != TS_CLK_RUNNING || k->stopped_at)
    return 0;
  return k->warned ? k->due_at : k->warn_at;
}

const char *ts_sla_state_name(const ts_clock *k, int64_t now) {
  switch (k->state) {
  case TS_CLK_RUNNING:
    return now >= k->due_at ? "breached" : "running";
  case TS_CLK_PAUSED:
    return "paused";
  case TS_CLK_MET:
    return "met";
  default:
    return "breached";
  }
}
