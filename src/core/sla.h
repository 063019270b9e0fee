/* Time limits (DOMAIN §5) as data: clock definitions say which events start, stop, pause
 * and resume a clock and who holds it; limits say how long it runs at each grade, in
 * calendar or working time, with a longer amount when the customer cannot be reached.
 * This module moves a case's clocks on events and on the passing of time. Pure: the
 * calendar, the rules and "now" are parameters; the caller stores the clocks it is given
 * back (those with changed set) and carries out what they fire (warn, breach).
 *
 * Events are the lifecycle's action names (accept, assign, propose, approve, send_back,
 * resolve, follow_up, close, reject, suspend, resume, reopen, withdraw, regrade) and
 * "received" (at the case's received_at), "register", "contact" (an outbound contact that
 * reached the customer), "unreachable" (one that did not), "visit" (a site visit made),
 * "site_visit" (one became needed), "letter:<template>" (a letter sent). close, reject and
 * withdraw stop every clock of the case. */
#ifndef TS_SLA_H
#define TS_SLA_H

#include <stdint.h>

#include "core/calendar.h"

#define TS_SLA_NAME_MAX 33
#define TS_SLA_EVENTS_MAX 160

enum { TS_CLK_RUNNING, TS_CLK_PAUSED, TS_CLK_MET, TS_CLK_BREACHED };
enum { TS_FIRE_WARN = 1, TS_FIRE_BREACH = 2 };

typedef struct {
  char name[TS_SLA_NAME_MAX];
  char channel[65];                 /* "" every case, else only cases of this channel */
  char start_on[TS_SLA_EVENTS_MAX]; /* comma-separated events */
  char stop_on[TS_SLA_EVENTS_MAX];
  char pause_on[TS_SLA_EVENTS_MAX];
  char resume_on[TS_SLA_EVENTS_MAX];
  char holder[16];                  /* owner, handler, dept */
  char text_zh[128], text_en[128];
  /* per grade g1..g4: amount 0 = no such clock at that grade */
  int64_t amount[4];
  char unit[4][4];                  /* min, h, d, wh, wd */
  int64_t unreachable[4];           /* 0 = no variant */
} ts_clock_def;

typedef struct {
  int64_t id;                  /* store row, 0 while new */
  char name[TS_SLA_NAME_MAX];
  int seq;                     /* 1, 2, ... for a clock that ran again */
  int state;                   /* TS_CLK_* */
  int working;                 /* counted in working time */
  int unreachable;             /* the "cannot be reached" amount applies */
  int warned;
  int64_t duration;            /* seconds of (working or calendar) time */
  int64_t used;                /* time counted before seg_start (before a pause) */
  int64_t started_at, seg_start;
  int64_t warn_at, due_at;     /* 0 while paused */
  int64_t stopped_at, breached_at;
  int changed;                 /* the row must be written */
  unsigned fire;               /* TS_FIRE_* to carry out */
} ts_clock;

/* 1 if the comma-separated list has the event. */
int ts_sla_list_has(const char *list, const char *event);
/* A limit's length in seconds and whether it is working time ("wd" uses the calendar's
 * day length). TS_ERR_INVALID for an unknown unit or a negative amount. */
int ts_sla_length(const char *unit, int64_t amount, const ts_calendar *cal, int64_t *secs,
                  int *working);

typedef struct {
  const ts_clock_def *defs;
  int ndefs;
  const ts_calendar *cal;
  int warn_pct;                /* 1..99, the warning point (80) */
  const char *channel;         /* the case's channel */
  int grade;                   /* the case's grade, 1..4 */
} ts_sla_ctx;

/* Applies one event at `at` (the time it happened; the start of clocks it starts) seen at
 * `now` to the case's clocks[0..*n): stops, pauses, resumes, lengthens, and appends the
 * clocks it starts (at most max in all). A clock stopped after its due time is breached
 * (fire BREACH) if it was not already. TS_ERR_INVALID if a limit cannot be computed. */
int ts_sla_event(const ts_sla_ctx *x, const char *event, int64_t at, int64_t now,
                 ts_clock *clocks, int *n, int max);
/* After a change of grade at now: recomputes the length and due time of every open clock
 * (one already past its due time is breached instead: a new grade does not give time back). */
int ts_sla_regrade(const ts_sla_ctx *x, ts_clock *clocks, int n, int64_t now);
/* The passing of time: a running clock past its warning point fires WARN (once), one past
 * its due time becomes breached and fires BREACH. */
void ts_sla_advance(ts_clock *k, int64_t now);
/* Ends an open clock whose rule was deactivated: it stops without a breach (one already
 * breached stays so). ts_sla_event does this on any event. */
void ts_sla_retire(ts_clock *k, int64_t now);
/* When the scheduler must look at k again, or 0 if never. */
int64_t ts_sla_next_at(const ts_clock *k);
/* "running", "paused", "met", "breached" as seen at now (a running clock past its due
 * time reads as breached even before the scheduler marks it). */
const char *ts_sla_state_name(const ts_clock *k, int64_t now);
/* The definition of a clock by name, or NULL. */
const ts_clock_def *ts_sla_def(const ts_sla_ctx *x, const char *name);

#endif
