/* Time limits in the writes: every change of a case tells its clocks what happened
 * (ts_svc_sla_case), and the scheduler moves them as time passes (ts_svc_sla_due). A clock
 * that warns or breaches does what DOMAIN §5 says in the same transaction: warnings to
 * the holder and their supervisors; at breach the case is marked overdue, escalated one
 * tier up the organisation, the tier's people are told and the delay is recorded against
 * the holder. Notifications go through the outbox (ts_tx_notify), keyed by clock and
 * event, so a tick that runs twice, or again after a crash, writes nothing twice. */
#ifndef TS_SVC_SLA_H
#define TS_SVC_SLA_H

#include <stdint.h>

#include "core/case.h"
#include "store/store.h"

#define TS_SLA_CLOCKS_MAX 64 /* clocks kept per case */

/* Inside a write, after c was written: applies events[0..n) (see core/sla.h; "received"
 * counts from c's received_at) and, when before (may be NULL) had another grade, the
 * regrade. Writes the clocks, carries out their warnings and breaches, and writes c again
 * if a breach changed it. */
int ts_svc_sla_case(ts_tx *tx, const ts_case *before, ts_case *c, const char *const *events,
                    int n, int64_t now);

/* Inside a write: the passing of time for one case (the scheduler's unit of work). */
int ts_svc_sla_case_due(ts_tx *tx, const char *case_no, int64_t now);

/* Inside a write: tells the people an escalation to grade g<level> reached (in-app, e-mail,
 * webhook "escalation"), once per case and grade. */
int ts_svc_escalation_notify(ts_tx *tx, const ts_case *c, int level, const ts_people *people,
                             int64_t now);

/* Renders letter template code/lang for c with extra variables (may be NULL) into a
 * subject and a text (both malloc'd), reading the template through the transaction. */
int ts_svc_letter_render(ts_tx *tx, const ts_case *c, const char *code, const char *lang,
                         json_t *extra, int64_t now, char **subject, char **text);
/* Inside a write: renders letter code/lang for c and queues it to the address `to`
 * (outbox), records it in the case's history by actor, and tells the clocks
 * ("letter:<code>"). key tells sends apart (NULL: one per case and template). */
int ts_svc_letter_send(ts_tx *tx, ts_case *c, const char *code, const char *lang, const char *to,
                       const char *actor, int64_t now, const char *key);

/* The variables letters and notices of c may use. */
json_t *ts_svc_letter_vars(ts_tx *tx, const ts_case *c, int64_t now);

#endif
