/* Background jobs (ARCHITECTURE: jobs/): the SLA scheduler, the monthly pending-items
 * reminders, the monthly analysis report (made on the 1st for the month before, stored and
 * announced) and the outbox sender. ts_jobs_run_once runs each once at a given time (for
 * `tousu tick`, POST /api/v1/test/tick and the background worker alike); ts_jobs_start
 * runs them every interval on a thread of their own inside `tousu serve`.
 *
 * Every step is idempotent: clocks are visited through their next_at index and moved in
 * the same transaction as what they cause; notifications are keyed by event; a delivery is
 * leased before it is sent and recorded after, so it is sent once, or again only when the
 * sender died between sending and recording (receivers dedupe by X-Tousu-Delivery). */
#ifndef TS_JOBS_H
#define TS_JOBS_H

#include <jansson.h>
#include <stdint.h>

#include "notify/send.h"
#include "store/store.h"

typedef struct {
  int clocks;    /* cases whose clocks were moved */
  int reminders; /* pending cases reminded */
  int reports;   /* monthly reports made (report/report.h) */
  int sent;      /* deliveries made */
  int retried;   /* deliveries that failed and will be tried again */
  int failed;    /* deliveries given up */
} ts_jobs_result;

/* Runs the scheduler, the reminders, the monthly report and the outbox once at now. */
int ts_jobs_run_once(ts_store *s, const ts_smtp_conf *smtp, int64_t now, ts_jobs_result *out);
/* The result as JSON. */
json_t *ts_jobs_result_json(const ts_jobs_result *r);

typedef struct ts_jobs ts_jobs;
/* Starts the worker: every interval_s seconds it runs the jobs at ts_now(). smtp is
 * borrowed until ts_jobs_stop. */
int ts_jobs_start(ts_store *s, const ts_smtp_conf *smtp, int interval_s, ts_jobs **out);
/* Stops the worker (waits for a run in progress). NULL is fine. */
void ts_jobs_stop(ts_jobs *j);

#endif
