/* The complaint analysis (DOMAIN §9): one period's figures for one part of the
 * organisation, as a JSON document that the API serves, the exporters render (PDF, XLSX,
 * CSV: report/render.h) and the scheduler stores. Every figure is defined in
 * docs/reports.md so that an auditor can recompute it from the cases.
 *
 * How it is computed. ts_report_build reads, in one read transaction of the store
 * (ts_store_report_scan), only what the figures need: the cases received in the period
 * and those finished in it through two covering indexes, the cases open at the end of
 * the period, daily totals kept by triggers (the trend), the penalties and the pending
 * ledger. Rows stream through an accumulator here; nothing holds all cases in memory
 * (the finished cases' handling times, 8 bytes each, are kept for the exact p90).
 *
 * The document (version 1). Times are RFC 3339 in the organisation's zone, money in
 * integer cents (fields ending _cents), percentages are numbers rounded half up to one
 * decimal (null when the denominator is 0). Lists of {code, name_zh, name_en, count, pct}
 * are sorted by count, then code. Top level:
 *   report: "complaints", version: 1, generated_at, lang-independent (names in both)
 *   period: {kind: month|quarter|year|range, label, from_date, to_date (inclusive local
 *            dates), from, to (instants, [from, to)), days, ended (bool: to <= now)}
 *   unit: {id, name, path} — the slice: cases whose outlet or department lies under it
 *   summary: {received, received_prev, received_last_year, mom_pct, yoy_pct,
 *             finished, closed, rejected, withdrawn, finished_by_end, closed_share_pct,
 *             external, validity_judged, valid, partly_valid, invalid, validity_rate_pct,
 *             handling: {count, avg_seconds, p90_seconds, avg_hours, p90_hours},
 *             first_time: {closed, first_time, pct},
 *             satisfaction: {answered, counts: [n1..n5], satisfied, rate_pct, average},
 *             loss_total_cents, open_at_end, pending}
 *   trend: [{month: "YYYY-MM", received, finished}] — the 12 months ending with the
 *          period's last month
 *   by: {category, channel, grade, status, outlet, dept, root_cause, service_stage,
 *        responsibility, validity, nature}: lists as above (outlet and dept: code is the
 *        unit id as a string; cases without one count under code "none")
 *   pareto: [{code, name_zh, name_en, count, pct, cum_pct, vital}] categories, largest first;
 *           vital while the cumulative share before it is < 80 %
 *   sla: [{clock, name_zh, name_en, started, met, breached, running, paused,
 *          compliance_pct}] for the clocks of the cases received in the period
 *   repeat: {complainants, complainant_cases, top_complainants: [{customer (masked), cases,
 *            case_nos}], subjects, subject_cases, top_subjects: [{subject, cases, pct,
 *            cum_pct, case_nos}]}
 *   losses: {cases, components: {compensation_cents, refund_cents, discount_cents,
 *            repair_cents, goods_cents, freight_cents, gift_cents, other_cents, total_cents},
 *            by_party: [{code, name_zh, name_en, cases, total_cents}],
 *            by_category: [{code, name_zh, name_en, cases, total_cents}]}
 *   penalties: {in_period (proposed in the period), and of those by status now: proposed,
 *               approved, executed, cancelled; fines_proposed_cents,
 *               fines_executed_cents; not_executed_total and not_executed (every penalty
 *               proposed before the period's end and still proposed or approved now): [{case_no, person, kind, kind_zh, kind_en, amount_cents,
 *                               share_pct, status, proposed_at, days_open}]}
 *   backlog: {at, total, buckets: [{code, name_zh, name_en, min_days, max_days, count,
 *             g1, g2, g3, g4}], by_status: [list]}
 *   pending: {total, items: [{case_no, grade, received_at, reason, remind_on, from,
 *             outlet, dept, handler}]}
 */
#ifndef TS_REPORT_H
#define TS_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

enum { TS_PERIOD_MONTH, TS_PERIOD_QUARTER, TS_PERIOD_YEAR, TS_PERIOD_RANGE };

/* A period of whole local days in the organisation's zone: [from, to). */
typedef struct {
  int kind;                        /* TS_PERIOD_* */
  char label[32];                  /* "2026-10", "2026-Q4", "2026", "2026-10-05~2026-11-04" */
  char from_date[11], to_date[11]; /* first and last local date, inclusive */
  int64_t from, to;                /* instants (UTC seconds) */
} ts_period;

/* "YYYY-MM", "YYYY-Qn", "YYYY", or a range of two dates "YYYY-MM-DD" (to inclusive, at
 * most 366 days). TS_ERR_INVALID for anything else. The zone is the process's
 * (util/tstime.h). */
int ts_period_month(const char *ym, ts_period *out);
int ts_period_quarter(const char *yq, ts_period *out);
int ts_period_year(const char *y, ts_period *out);
int ts_period_range(const char *from_date, const char *to_date, ts_period *out);
/* The month before the one t falls in (the scheduled report's period). */
int ts_period_previous_month(int64_t t, ts_period *out);

#define TS_REPORT_LIST_MAX 500 /* items in the not-executed and pending lists */

/* Builds the report of period p for the cases under unit_id (0: the whole organisation)
 * as seen at now. *out is owned by the caller. */
int ts_report_build(ts_store *s, const ts_period *p, int64_t unit_id, int64_t now,
                    json_t **out);

#endif
