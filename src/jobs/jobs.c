#include "jobs/jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "core/letter.h"
#include "core/ts_err.h"
#include "report/report.h"
#include "svc/sla.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/tstime.h"

#define BATCH 64
#define LEASE_SECONDS 300   /* a claimed delivery is due again if its sender died */
#define BACKOFF_MAX 21600   /* at most six hours between tries */

/* ---- the SLA scheduler ------------------------------------------------------------------- */

typedef struct {
  char (*case_nos)[33];
  int n;
  int64_t now;
} due_arg;

/* A batch of cases in one transaction (one fsync for all of them). */
static int apply_due(ts_tx *tx, void *arg) {
  due_arg *a = arg;
  int rc = TS_OK;
  for (int i = 0; i < a->n && !rc; i++)
    rc = ts_svc_sla_case_due(tx, a->case_nos[i], a->now);
  return rc;
}

static int run_clocks(ts_store *s, int64_t now, int *moved) {
  char nos[BATCH][33];
  int n = 0, rc = TS_OK;
  /* each pass moves what it read past next_at; a bounded number of passes ends even if
   * a case cannot be moved (its error is logged and it is tried again next tick) */
  for (int pass = 0; pass < 10000 && !rc; pass++) {
    int progressed = 0;
    if ((rc = ts_store_clocks_due(s, now, BATCH, nos, &n)) || n == 0)
      break;
    due_arg all = {nos, n, now};
    if (ts_store_run(s, apply_due, &all) == TS_OK) {
      progressed = n;
      *moved += n;
    } else {
      /* one case fails: the others still move, one by one */
      for (int i = 0; i < n; i++) {
        due_arg one = {&nos[i], 1, now};
        int r = ts_store_run(s, apply_due, &one);
        if (r == TS_OK) {
          progressed++;
          (*moved)++;
        } else {
          ts_log(TS_LOG_ERROR, "sla scheduler: case not moved",
                 json_pack("{s:s,s:i}", "case_no", nos[i], "rc", r));
        }
      }
    }
    if (!progressed)
      break;
  }
  return rc;
}

/* ---- monthly pending-items reminders (未了事宜, DOMAIN §5) --------------------------------------- */

typedef struct {
  const char *case_no;
  int month; /* YYYYMM */
  int64_t now;
  int done;
} remind_arg;

static int apply_remind(ts_tx *tx, void *arg) {
  remind_arg *a = arg;
  ts_case *c = NULL;
  char event[96], month[16], *subject = NULL, *text = NULL;
  const char *people[2];
  int np = 0, rc = ts_tx_case_get(tx, a->case_no, &c);
  json_t *extra = NULL, *payload = NULL;
  a->done = 0;
  if (rc)
    return rc;
  if (strcmp(ts_case_text(c, TS_CF_STATUS), "pending"))
    goto out; /* it moved on since it was listed */
  snprintf(month, sizeof month, "%04d-%02d", a->month / 100 % 10000, a->month % 100);
  if (!(extra = json_pack("{s:s}", "month", month))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  const char *handler = ts_case_text(c, TS_CF_HANDLER), *owner = ts_case_text(c, TS_CF_OWNER);
  if (handler)
    people[np++] = handler;
  if (owner && (!handler || strcmp(owner, handler)))
    people[np++] = owner;
  /* the staff: call the customer and say how it stands */
  snprintf(event, sizeof event, "pending:%s:%s", a->case_no, month);
  if ((rc = ts_svc_letter_render(tx, c, "pending_items", "zh", extra, a->now, &subject, &text)))
    goto out;
  payload = json_pack("{s:s,s:s,s:s,s:s}", "event", event, "kind", "pending_items", "case_no",
                      a->case_no, "month", month);
  ts_notice staff = {event, "pending_items", c->id, subject, text, NULL, people, np, NULL, payload, a->now};
  if ((rc = ts_tx_notify(tx, &staff, NULL)))
    goto out;
  /* the customer, where they gave an address */
  const char *email = ts_case_text(c, TS_CF_C_EMAIL);
  if (email) {
    free(subject);
    free(text);
    subject = text = NULL;
    snprintf(event, sizeof event, "pending-letter:%s:%s", a->case_no, month);
    if ((rc = ts_svc_letter_render(tx, c, "pending_reminder", "zh", extra, a->now, &subject, &text)))
      goto out;
    ts_notice cust = {event, "letter", c->id, subject, text, NULL, NULL, 0, email, NULL, a->now};
    rc = ts_tx_notify(tx, &cust, NULL);
  }
  a->done = !rc;
out:
  free(subject);
  free(text);
  json_decref(extra);
  json_decref(payload);
  ts_case_free(c);
  return rc;
}

typedef struct {
  int month;
} month_arg;

static int apply_month_done(ts_tx *tx, void *arg) {
  return ts_tx_setting_put(tx, "pending_reminded_month", ((month_arg *)arg)->month);
}

static int run_reminders(ts_store *s, int64_t now, int *reminded) {
  char today[11], nos[BATCH][33], after[33] = "";
  int y, m, d, n, rc = TS_OK;
  if (ts_time_local_date(now, today) || sscanf(today, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return TS_ERR_INVALID;
  int day = (int)ts_store_setting_int(s, "pending_reminder_day", 4);
  int month = y * 100 + m;
  /* on the day, or the first tick after it when the server was down that day */
  if (d < day || ts_store_setting_int(s, "pending_reminded_month", 0) >= month)
    return TS_OK;
  do {
    if ((rc = ts_store_pending_cases(s, after, BATCH, nos, &n)))
      break;
    for (int i = 0; i < n && !rc; i++) {
      remind_arg a = {nos[i], month, now, 0};
      rc = ts_store_run(s, apply_remind, &a);
      *reminded += a.done;
    }
    if (n)
      snprintf(after, sizeof after, "%s", nos[n - 1]);
  } while (!rc && n == BATCH);
  if (!rc) {
    month_arg ma = {month};
    rc = ts_store_run(s, apply_month_done, &ma);
  }
  return rc;
}

/* ---- the monthly report --------------------------------------------------------------------
 * On the 1st (or the first tick after it), the month before is computed for the whole
 * organisation, stored, and announced to the holders of report_recipient_roles (in-app, by
 * e-mail, and to webhooks subscribed to monthly_report). */

typedef struct {
  const ts_period *p;
  const char *doc;
  const json_t *summary;
  int64_t now;
  int month;
  const char *const *users;
  int nusers;
  int made;
} report_arg;

static int apply_report(ts_tx *tx, void *arg) {
  report_arg *a = arg;
  char event[64], title[160], body[1024];
  int exists = 0, rc;
  a->made = 0;
  if ((rc = ts_tx_report_exists(tx, "month", a->p->label, 0, &exists)) || exists)
    return rc ? rc : ts_tx_setting_put(tx, "report_made_month", a->month);
  const json_t *sm = a->summary;
  int64_t loss = json_integer_value(json_object_get(sm, "loss_total_cents"));
  snprintf(event, sizeof event, "report:month:%s", a->p->label);
  snprintf(title, sizeof title, "%.4s年%.2s月客户投诉分析报告", a->p->label, a->p->label + 5);
  snprintf(body, sizeof body,
           "%s已生成。\n受理投诉 %lld 起（上月 %lld 起），办结 %lld 起，期末未结 %lld 起，"
           "损失合计 ¥%lld.%02lld。\n查看：/api/v1/reports/monthly?month=%s （PDF：&format=pdf）\n",
           title, (long long)json_integer_value(json_object_get(sm, "received")),
           (long long)json_integer_value(json_object_get(sm, "received_prev")),
           (long long)json_integer_value(json_object_get(sm, "finished")),
           (long long)json_integer_value(json_object_get(sm, "open_at_end")),
           (long long)(loss / 100), (long long)(loss % 100 < 0 ? -(loss % 100) : loss % 100),
           a->p->label);
  json_t *payload = json_pack("{s:s,s:s,s:s,s:O}", "event", event, "kind", "monthly_report",
                              "month", a->p->label, "summary", a->summary);
  if (!payload)
    return TS_ERR_NOMEM;
  ts_notice n = {event, "monthly_report", 0, title, body, NULL, a->users, a->nusers, NULL, payload, a->now};
  if (!(rc = ts_tx_report_put(tx, "month", a->p->label, 0, a->now, "scheduler", a->doc)) &&
      !(rc = ts_tx_notify(tx, &n, NULL)))
    rc = ts_tx_setting_put(tx, "report_made_month", a->month);
  json_decref(payload);
  a->made = !rc;
  return rc;
}

static int run_report(ts_store *s, int64_t now, int *made) {
  char *doc = NULL;
  int rc;
  ts_period p;
  json_t *rep = NULL;
  ts_user *users = NULL;
  size_t nusers = 0;
  const char **names = NULL;
  if ((rc = ts_period_previous_month(now, &p)))
    return rc;
  int month = atoi(p.label) * 100 + atoi(p.label + 5);
  if (ts_store_setting_int(s, "report_made_month", 0) >= month)
    return TS_OK;
  unsigned roles = (unsigned)ts_store_setting_int(s, "report_recipient_roles", 0);
  if ((rc = ts_report_build(s, &p, 0, now, &rep)) || (rc = ts_store_user_list(s, &users, &nusers)))
    goto out;
  if (!(doc = json_dumps(rep, JSON_COMPACT | JSON_REAL_PRECISION(15))) ||
      !(names = calloc(nusers ? nusers : 1, sizeof *names))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  int n = 0;
  for (size_t i = 0; i < nusers && n < TS_PEOPLE_MAX; i++)
    if (!users[i].disabled && (users[i].roles & roles))
      names[n++] = users[i].username;
  report_arg a = {&p, doc, json_object_get(rep, "summary"), now, month, names, n, 0};
  rc = ts_store_run(s, apply_report, &a);
  *made += a.made;
out:
  free(names);
  free(users);
  free(doc);
  json_decref(rep);
  return rc;
}

/* ---- the outbox sender ------------------------------------------------------------------- */

typedef struct {
  int64_t id, now, until;
  int claimed;
} claim_arg;

static int apply_claim(ts_tx *tx, void *arg) {
  claim_arg *a = arg;
  return ts_tx_outbox_claim(tx, a->id, a->now, a->until, &a->claimed);
}

typedef struct {
  int64_t id, now, next_at;
  int sent;
  const char *error;
} result_arg;

static int apply_result(ts_tx *tx, void *arg) {
  result_arg *a = arg;
  return ts_tx_outbox_result(tx, a->id, a->sent, a->error, a->now, a->next_at);
}

static int deliver(ts_store *s, const ts_smtp_conf *smtp, const ts_outbox_msg *m, int64_t now,
                   char *err, size_t errsz) {
  char delivery[48];
  snprintf(delivery, sizeof delivery, "outbox-%lld", (long long)m->id);
  if (!strcmp(m->kind, "email")) {
    char msgid[96];
    snprintf(msgid, sizeof msgid, "%s@tousu", delivery);
    ts_mail mail = {m->target, m->subject, m->body, m->html, msgid, now};
    return ts_send_mail(smtp, &mail, err, errsz);
  }
  if (!strcmp(m->kind, "webhook")) {
    char url[2048], secret[256];
    int64_t hook = strtoll(m->target + (strncmp(m->target, "webhook:", 8) ? 0 : 8), NULL, 10);
    int rc = ts_store_webhook_get(s, hook, url, sizeof url, secret, sizeof secret);
    if (rc) {
      snprintf(err, errsz, "the webhook subscription is gone");
      return TS_ERR_INVALID;
    }
    rc = ts_send_webhook(url, secret, m->subject, delivery, now, m->body, 0, err, errsz);
    sodium_memzero(secret, sizeof secret);
    return rc;
  }
  snprintf(err, errsz, "unknown delivery kind");
  return TS_ERR_INVALID;
}

static int run_outbox(ts_store *s, const ts_smtp_conf *smtp, int64_t now, ts_jobs_result *out) {
  int64_t base = ts_store_setting_int(s, "outbox_backoff_seconds", 60);
  int max_attempts = (int)ts_store_setting_int(s, "outbox_max_attempts", 8);
  int rc = TS_OK;
  for (int pass = 0; pass < 1000 && !rc; pass++) {
    ts_outbox_msg *msgs = NULL;
    int n = 0;
    if ((rc = ts_store_outbox_due(s, now, BATCH, &msgs, &n)) || n == 0) {
      ts_outbox_free(msgs, n);
      break;
    }
    for (int i = 0; i < n && !rc; i++) {
      ts_outbox_msg *m = &msgs[i];
      claim_arg ca = {m->id, now, now + LEASE_SECONDS, 0};
      char err[256] = "";
      if (!strcmp(m->kind, "email") && (!smtp || !smtp->url || !smtp->url[0]))
        ca.until = now + 3600; /* no mail server yet: kept, looked at again in an hour */
      if ((rc = ts_store_run(s, apply_claim, &ca)) || !ca.claimed || ca.until != now + LEASE_SECONDS)
        continue;
      int sr = deliver(s, smtp, m, now, err, sizeof err);
      result_arg ra = {m->id, now, 0, sr == TS_OK, err};
      if (sr != TS_OK && sr == TS_ERR_BUSY && m->attempts + 1 < max_attempts) {
        int64_t wait = base;
        for (int k = 0; k < m->attempts && wait < BACKOFF_MAX; k++)
          wait *= 2;
        ra.next_at = now + (wait < BACKOFF_MAX ? wait : BACKOFF_MAX);
        out->retried++;
      } else if (sr != TS_OK) {
        out->failed++; /* given up: shown to admins in GET /api/v1/outbox?status=failed */
      } else {
        out->sent++;
      }
      if (sr != TS_OK)
        ts_log(TS_LOG_WARN, "delivery failed",
               json_pack("{s:I,s:s,s:s,s:i}", "outbox", (json_int_t)m->id, "kind", m->kind,
                         "error", err, "attempt", m->attempts + 1));
      rc = ts_store_run(s, apply_result, &ra);
    }
    ts_outbox_free(msgs, n);
  }
  return rc;
}

int ts_jobs_run_once(ts_store *s, const ts_smtp_conf *smtp, int64_t now, ts_jobs_result *out) {
  int rc;
  memset(out, 0, sizeof *out);
  if ((rc = run_clocks(s, now, &out->clocks)))
    return rc;
  if ((rc = run_reminders(s, now, &out->reminders)))
    return rc;
  if ((rc = run_report(s, now, &out->reports)))
    return rc;
  return run_outbox(s, smtp, now, out);
}

json_t *ts_jobs_result_json(const ts_jobs_result *r) {
  return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "clocks", r->clocks, "reminders", r->reminders,
                   "reports", r->reports, "sent", r->sent, "retried", r->retried, "failed",
                   r->failed);
}

/* ---- the worker thread --------------------------------------------------------------------- */

struct ts_jobs {
  ts_store *store;
  const ts_smtp_conf *smtp;
  int interval_s;
  int stopping;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
};

static void *jobs_main(void *arg) {
  ts_jobs *j = arg;
  pthread_mutex_lock(&j->mu);
  while (!j->stopping) {
    pthread_mutex_unlock(&j->mu);
    ts_jobs_result r;
    int rc = ts_jobs_run_once(j->store, j->smtp, ts_now(), &r);
    if (rc)
      ts_log(TS_LOG_ERROR, "background jobs failed", json_pack("{s:i}", "rc", rc));
    else if (r.clocks || r.reminders || r.reports || r.sent || r.retried || r.failed)
      ts_log(TS_LOG_INFO, "background jobs", ts_jobs_result_json(&r));
    pthread_mutex_lock(&j->mu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += j->interval_s;
    while (!j->stopping && pthread_cond_timedwait(&j->cv, &j->mu, &until) == 0) {
    }
  }
  pthread_mutex_unlock(&j->mu);
  return NULL;
}

int ts_jobs_start(ts_store *s, const ts_smtp_conf *smtp, int interval_s, ts_jobs **out) {
  ts_jobs *j = calloc(1, sizeof *j);
  if (!j)
    return TS_ERR_NOMEM;
  j->store = s;
  j->smtp = smtp;
  j->interval_s = interval_s > 0 ? interval_s : 15;
  pthread_mutex_init(&j->mu, NULL);
  pthread_cond_init(&j->cv, NULL);
  if (pthread_create(&j->thread, NULL, jobs_main, j) != 0) {
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
    return TS_ERR_NOMEM;
  }
  *out = j;
  return TS_OK;
}

void ts_jobs_stop(ts_jobs *j) {
  if (!j)
    return;
  pthread_mutex_lock(&j->mu);
  j->stopping = 1;
  pthread_cond_signal(&j->cv);
  pthread_mutex_unlock(&j->mu);
  pthread_join(j->thread, NULL);
  pthread_mutex_destroy(&j->mu);
  pthread_cond_destroy(&j->cv);
  free(j);
}
