/* Time limits: the clocks a case's events start, stop, pause, resume, lengthen and regrade,
 * and what the passing of time fires, on the default clock definitions (m009_sla) and a
 * Shanghai working calendar (Mon-Fri 09:00-12:00,13:00-18:00, 8 h a day) with the 2026
 * Spring Festival: Sat 02-14 worked, 02-15..02-23 off, Sat 02-28 worked.
 *
 * Every expected instant is worked out by hand in the comment beside it, in Shanghai wall-clock
 * time; "Xh" counts working hours reached so far. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h> /* after the headers it needs */

#include "core/calendar.h"
#include "core/sla.h"
#include "core/ts_err.h"

#define MIN 60
#define H 3600
#define DAY 86400
#define WD (8 * H) /* a working day of this calendar */
#define CLOCKS 32

typedef struct {
  ts_cal_day days[11];
  ts_calendar cal;   /* with the Spring Festival */
  ts_calendar plain; /* the same hours, no exceptions */
  ts_clock_def defs[10];
} fixture;

static int32_t shanghai(void *ctx, int64_t utc) {
  (void)ctx;
  (void)utc;
  return 8 * H;
}

/* The instant of a wall-clock time in Shanghai. */
static int64_t sh(int y, int mo, int d, int h, int mi) {
  return (int64_t)ts_cal_day_of(y, mo, d) * DAY + h * H + mi * MIN - 8 * H;
}

/* "2026-02-24 10:00:00" in Shanghai, for failure messages. */
static const char *show(int64_t t, char *buf, size_t n) {
  int64_t local = t + 8 * H, day = local / DAY - (local % DAY < 0);
  int64_t s = local - day * DAY;
  int y, m, d;
  ts_cal_civil((int32_t)day, &y, &m, &d);
  snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(s / H), (int)(s % H / 60),
           (int)(s % 60));
  return buf;
}

#define assert_time(got, want) expect_time_at((got), (want), #got, __FILE__, __LINE__)

static void expect_time_at(int64_t got, int64_t want, const char *what, const char *file,
                           int line) {
  if (got != want) {
    char a[32], b[32];
    fail_msg("%s:%d: %s: got %s (%lld), want %s (%lld)", file, line, what,
             show(got, a, sizeof a), (long long)got, show(want, b, sizeof b), (long long)want);
  }
}

static void put(char *dst, size_t n, const char *src) {
  assert_true(strlen(src) < n);
  memcpy(dst, src, strlen(src) + 1);
}

/* One definition; every grade uses the same unit, as in the defaults; unreachable_g1 is the
 * g1 "cannot be reached" amount (no other grade has one). */
static void def(ts_clock_def *d, const char *name, const char *channel, const char *start_on,
                const char *stop_on, const char *pause_on, const char *resume_on,
                const char *holder, const char *unit, int64_t g1, int64_t g2, int64_t g3,
                int64_t g4, int64_t unreachable_g1) {
  memset(d, 0, sizeof *d);
  put(d->name, sizeof d->name, name);
  put(d->channel, sizeof d->channel, channel);
  put(d->start_on, sizeof d->start_on, start_on);
  put(d->stop_on, sizeof d->stop_on, stop_on);
  put(d->pause_on, sizeof d->pause_on, pause_on);
  put(d->resume_on, sizeof d->resume_on, resume_on);
  put(d->holder, sizeof d->holder, holder);
  put(d->text_zh, sizeof d->text_zh, name);
  put(d->text_en, sizeof d->text_en, name);
  int64_t amounts[4] = {g1, g2, g3, g4};
  for (int g = 0; g < 4; g++) {
    d->amount[g] = amounts[g];
    put(d->unit[g], sizeof d->unit[g], unit);
  }
  d->unreachable[0] = unreachable_g1;
}

static int setup(void **state) {
  static fixture f;
  static const int festival[][3] = {{2026, 2, 14}, {2026, 2, 15}, {2026, 2, 16}, {2026, 2, 17},
                                    {2026, 2, 18}, {2026, 2, 19}, {2026, 2, 20}, {2026, 2, 21},
                                    {2026, 2, 22}, {2026, 2, 23}, {2026, 2, 28}};
  memset(&f, 0, sizeof f);
  for (int i = 0; i < 11; i++) {
    f.days[i].day = ts_cal_day_of(festival[i][0], festival[i][1], festival[i][2]);
    f.days[i].working = festival[i][2] == 14 || festival[i][2] == 28; /* 调休上班 */
  }
  f.cal.weekdays = 0x1f; /* Monday to Friday */
  f.cal.days = f.days;
  f.cal.ndays = 11;
  f.cal.utc_offset = shanghai;
  if (ts_cal_parse_spans("09:00-12:00,13:00-18:00", &f.cal) || ts_cal_day_seconds(&f.cal) != WD)
    return -1;
  f.plain = f.cal;
  f.plain.days = NULL;
  f.plain.ndays = 0;
  ts_clock_def *d = f.defs;
  def(d++, "register", "", "received", "register", "", "", "owner", "h", 1, 1, 1, 1, 0);
  def(d++, "acknowledge", "", "received", "accept,letter:acknowledgement", "", "", "owner", "h",
      24, 24, 4, 2, 0);
  def(d++, "first_contact", "", "assign", "contact", "", "", "handler", "h", 24, 24, 4, 1, 48);
  def(d++, "solution", "", "assign", "propose", "", "", "handler", "h", 24, 24, 24, 24, 48);
  def(d++, "approval", "", "propose", "approve,send_back", "", "", "dept", "h", 4, 4, 4, 2, 0);
  def(d++, "resolve", "", "received,reopen", "resolve", "suspend", "resume", "handler", "wd", 5,
      10, 15, 30, 0);
  def(d++, "follow_up", "", "resolve", "follow_up", "", "", "owner", "h", 24, 24, 24, 24, 0);
  def(d++, "site_visit", "", "site_visit", "visit", "", "", "handler", "wd", 2, 2, 2, 1, 0);
  def(d++, "odr_12315", "regulator_12315", "received", "resolve", "", "", "handler", "wd", 10,
      10, 10, 10, 0);
  def(d++, "miit_answer", "miit", "received", "resolve", "", "", "handler", "d", 30, 30, 30, 30,
      0);
  *state = &f;
  return 0;
}

static ts_sla_ctx ctx(const fixture *f, int grade, const char *channel) {
  ts_sla_ctx x = {f->defs, 10, &f->cal, 80, channel, grade};
  return x;
}

/* An event that must succeed: at and now are the same instant. */
static void event(const ts_sla_ctx *x, const char *ev, int64_t t, ts_clock *ks, int *n) {
  assert_int_equal(ts_sla_event(x, ev, t, t, ks, n, CLOCKS), TS_OK);
}

/* The clock of that name and seq, which must exist. */
static ts_clock *find(ts_clock *ks, int n, const char *name, int seq) {
  for (int i = 0; i < n; i++)
    if (!strcmp(ks[i].name, name) && ks[i].seq == seq)
      return &ks[i];
  fail_msg("no clock %s #%d", name, seq);
  return NULL;
}

static int count(const ts_clock *ks, int n, const char *name) {
  int c = 0;
  for (int i = 0; i < n; i++)
    c += !strcmp(ks[i].name, name);
  return c;
}

/* As the caller does after storing the clocks and carrying out what they fired. */
static void settle(ts_clock *ks, int n) {
  for (int i = 0; i < n; i++)
    ks[i].changed = 0, ks[i].fire = 0;
}

/* The clock's due and warning instants. */
static void expect_due(const ts_clock *k, int64_t warn, int64_t due) {
  assert_time(k->warn_at, warn);
  assert_time(k->due_at, due);
}

/* ---- the pieces ----------------------------------------------------------------------- */

static void test_anchor(void **state) {
  (void)state;
  assert_int_equal(sh(2026, 2, 12, 10, 0), 1770861600); /* Thursday */
  assert_int_equal(sh(2026, 3, 2, 9, 0), 1772413200);   /* Monday */
  assert_int_equal(ts_cal_weekday(ts_cal_day_of(2026, 2, 14)), 5);
  assert_int_equal(ts_cal_weekday(ts_cal_day_of(2026, 2, 28)), 5);
}

static void test_list_has(void **state) {
  (void)state;
  const char *l = "accept,letter:acknowledgement,resolve";
  assert_true(ts_sla_list_has(l, "accept"));                 /* first */
  assert_true(ts_sla_list_has(l, "letter:acknowledgement")); /* middle */
  assert_true(ts_sla_list_has(l, "resolve"));                /* last */
  assert_true(ts_sla_list_has("register", "register"));      /* alone */
  assert_false(ts_sla_list_has(l, "acc"));                   /* a prefix of an item */
  assert_false(ts_sla_list_has(l, "accepted"));              /* longer than an item */
  assert_false(ts_sla_list_has(l, "letter"));                /* a part before ':' */
  assert_false(ts_sla_list_has(l, "acknowledgement"));       /* a part after ':' */
  assert_false(ts_sla_list_has(l, "solve"));                 /* a suffix */
  assert_false(ts_sla_list_has(l, "Accept"));                /* case matters */
  assert_false(ts_sla_list_has(l, "accept,letter"));         /* two items are not one */
  assert_false(ts_sla_list_has("registered", "register"));
  assert_false(ts_sla_list_has("", "register"));
  assert_false(ts_sla_list_has(NULL, "register"));
  assert_false(ts_sla_list_has("", ""));
  assert_false(ts_sla_list_has("a,b", ""));
  assert_true(ts_sla_list_has("a,b,", "b")); /* a trailing comma ends the last item */
}

static void test_length(void **state) {
  const fixture *f = *state;
  int64_t secs = -1;
  int working = -1;
  assert_int_equal(ts_sla_length("min", 30, &f->cal, &secs, &working), TS_OK);
  assert_int_equal(secs, 30 * MIN);
  assert_int_equal(working, 0);
  assert_int_equal(ts_sla_length("h", 24, &f->cal, &secs, &working), TS_OK);
  assert_int_equal(secs, 24 * H);
  assert_int_equal(working, 0);
  assert_int_equal(ts_sla_length("d", 30, &f->cal, &secs, &working), TS_OK);
  assert_int_equal(secs, 30 * DAY);
  assert_int_equal(working, 0);
  assert_int_equal(ts_sla_length("wh", 3, &f->cal, &secs, &working), TS_OK);
  assert_int_equal(secs, 3 * H);
  assert_int_equal(working, 1);
  /* a working day is the calendar's: 3 h + 5 h here, not 24 h nor 9 h */
  assert_int_equal(ts_sla_length("wd", 5, &f->cal, &secs, &working), TS_OK);
  assert_int_equal(secs, 5 * 8 * H);
  assert_int_equal(working, 1);
  assert_int_equal(ts_sla_length("wd", 0, &f->cal, &secs, &working), TS_OK);
  assert_int_equal(secs, 0);
  ts_calendar nine = f->cal;
  assert_int_equal(ts_cal_parse_spans("09:00-18:00", &nine), TS_OK);
  assert_int_equal(ts_sla_length("wd", 2, &nine, &secs, &working), TS_OK);
  assert_int_equal(secs, 18 * H);
  /* refused: units it does not know, and negative amounts */
  static const char *const bad[] = {"", "w", "H", "hour", "hours", "days", "wdd", "m", "s"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (ts_sla_length(bad[i], 1, &f->cal, &secs, &working) != TS_ERR_INVALID)
      fail_msg("unit \"%s\" accepted", bad[i]);
  assert_int_equal(ts_sla_length("h", -1, &f->cal, &secs, &working), TS_ERR_INVALID);
  assert_int_equal(ts_sla_length("wd", -5, &f->cal, &secs, &working), TS_ERR_INVALID);
}

static void test_def_lookup(void **state) {
  const fixture *f = *state;
  ts_sla_ctx x = ctx(f, 1, "");
  assert_ptr_equal(ts_sla_def(&x, "resolve"), &f->defs[5]);
  assert_ptr_equal(ts_sla_def(&x, "register"), &f->defs[0]);
  assert_null(ts_sla_def(&x, "resolv"));
  assert_null(ts_sla_def(&x, ""));
}

/* ---- events --------------------------------------------------------------------------- */

static void test_received_starts(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 2, 12, 10, 0); /* Thursday */
  ts_clock ks[CLOCKS];
  int n = 0;
  ts_sla_ctx x = ctx(f, 1, "phone");
  event(&x, "received", t0, ks, &n);
  assert_int_equal(n, 3); /* in the order of the definitions */
  assert_string_equal(ks[0].name, "register");
  assert_string_equal(ks[1].name, "acknowledge");
  assert_string_equal(ks[2].name, "resolve");
  for (int i = 0; i < n; i++) {
    assert_int_equal(ks[i].id, 0);
    assert_int_equal(ks[i].seq, 1);
    assert_int_equal(ks[i].state, TS_CLK_RUNNING);
    assert_int_equal(ks[i].started_at, t0);
    assert_int_equal(ks[i].seg_start, t0);
    assert_int_equal(ks[i].used, 0);
    assert_int_equal(ks[i].stopped_at, 0);
    assert_int_equal(ks[i].breached_at, 0);
    assert_int_equal(ks[i].warned, 0);
    assert_int_equal(ks[i].unreachable, 0);
    assert_int_equal(ks[i].changed, 1);
    assert_int_equal(ks[i].fire, 0);
  }
  /* register: 1 h of calendar time, warning at 48 min */
  assert_int_equal(ks[0].working, 0);
  assert_int_equal(ks[0].duration, H);
  expect_due(&ks[0], t0 + 48 * MIN, t0 + H);
  /* acknowledge at g1: 24 h, warning at 19.2 h = 19 h 12 min: Fri 02-13 05:12 */
  assert_int_equal(ks[1].working, 0);
  assert_int_equal(ks[1].duration, 24 * H);
  expect_due(&ks[1], sh(2026, 2, 13, 5, 12), sh(2026, 2, 13, 10, 0));
  /* resolve at g1: 5 working days = 40 working hours from Thu 02-12 10:00:
   *   Thu 02-12 10:00-12:00,13:00-18:00  7h
   *   Fri 02-13                         15h
   *   Sat 02-14 (make-up working day)   23h
   *   Sun 02-15 .. Mon 02-23 holiday    --
   *   Tue 02-24                         31h
   *   Wed 02-25 09:00-10:00             32h  -> the warning (80%) at Wed 02-25 10:00
   *   Wed 02-25 the rest of the day     39h
   *   Thu 02-26 09:00-10:00             40h  -> due Thu 02-26 10:00 */
  assert_int_equal(ks[2].working, 1);
  assert_int_equal(ks[2].duration, 5 * WD);
  expect_due(&ks[2], sh(2026, 2, 25, 10, 0), sh(2026, 2, 26, 10, 0));
  assert_int_equal(ts_cal_between(&f->cal, ks[2].started_at, ks[2].due_at), 5 * WD);

  /* the 12315 platform's clock runs only on cases of that channel: 10 wd = 80 h, going on
   * from the 39h at the end of Wed 02-25: Thu 02-26 47h, Fri 02-27 55h, Sat 02-28 (make-up)
   * 63h, Mon 03-02 71h, Tue 03-03 79h, Wed 03-04 09:00-10:00 80h. The warning at 64 h: the
   * 63h of Sat 02-28, then Mon 03-02 09:00-10:00. */
  n = 0;
  x = ctx(f, 1, "regulator_12315");
  event(&x, "received", t0, ks, &n);
  assert_int_equal(n, 4);
  ts_clock *odr = find(ks, n, "odr_12315", 1);
  assert_int_equal(odr->working, 1);
  assert_int_equal(odr->duration, 10 * WD);
  expect_due(odr, sh(2026, 3, 2, 10, 0), sh(2026, 3, 4, 10, 0));
  assert_int_equal(count(ks, n, "miit_answer"), 0);

  /* the MIIT one: 30 calendar days, whatever the holidays */
  n = 0;
  x = ctx(f, 1, "miit");
  event(&x, "received", t0, ks, &n);
  assert_int_equal(n, 4);
  assert_int_equal(count(ks, n, "odr_12315"), 0);
  ts_clock *miit = find(ks, n, "miit_answer", 1);
  assert_int_equal(miit->working, 0);
  expect_due(miit, t0 + 24 * DAY, sh(2026, 3, 14, 10, 0));

  /* no channel: no channel clocks */
  n = 0;
  x = ctx(f, 1, NULL);
  event(&x, "received", t0, ks, &n);
  assert_int_equal(n, 3);

  /* a case received earlier than it is registered: its clocks start when it was received,
   * and one already past its due time reads as breached until the scheduler marks it */
  n = 0;
  x = ctx(f, 1, "phone");
  assert_int_equal(ts_sla_event(&x, "received", t0, t0 + 3 * H, ks, &n, CLOCKS), TS_OK);
  assert_int_equal(n, 3);
  assert_int_equal(ks[0].started_at, t0);
  assert_int_equal(ks[0].due_at, t0 + H);
  assert_int_equal(ks[0].state, TS_CLK_RUNNING);
  assert_int_equal(ks[0].fire, 0);
  assert_string_equal(ts_sla_state_name(&ks[0], t0 + 3 * H), "breached");
  assert_string_equal(ts_sla_state_name(&ks[1], t0 + 3 * H), "running");

  /* events that start nothing */
  settle(ks, n);
  static const char *const idle[] = {"contact", "visit", "letter:closure", "nothing", ""};
  for (size_t i = 0; i < sizeof idle / sizeof idle[0]; i++) {
    event(&x, idle[i], t0 + 10 * MIN, ks, &n);
    assert_int_equal(n, 3);
    for (int j = 0; j < n; j++)
      if (ks[j].changed || ks[j].fire)
        fail_msg("\"%s\" changed %s", idle[i], ks[j].name);
  }
}

/* Spring Festival against the same hours without the year's exceptions. */
static void test_resolve_spring_festival(void **state) {
  const fixture *f = *state;
  ts_clock ks[CLOCKS];
  int n = 0;
  ts_sla_ctx x = ctx(f, 1, "");
  /* without exceptions: Thu 02-12 7h, Fri 15h, Mon 02-16 23h, Tue 31h, Wed 39h, Thu 02-19
   * 09:00-10:00 40h */
  x.cal = &f->plain;
  event(&x, "received", sh(2026, 2, 12, 10, 0), ks, &n);
  assert_time(find(ks, n, "resolve", 1)->due_at, sh(2026, 2, 19, 10, 0));
  /* with them (worked out in test_received_starts): a week later */
  n = 0;
  x.cal = &f->cal;
  event(&x, "received", sh(2026, 2, 12, 10, 0), ks, &n);
  assert_time(find(ks, n, "resolve", 1)->due_at, sh(2026, 2, 26, 10, 0));
  /* received on the evening of the last day worked before the holiday (Sat 02-14 19:00, a
   * make-up day, after hours): counting starts at the next working moment, Tue 02-24 09:00;
   * the five whole days are Tue 02-24, Wed, Thu, Fri and the make-up Sat 02-28, so due at
   * Sat 02-28 18:00 (the end of the span, not Mon 03-02 09:00); the warning at 32 h is the
   * end of the fourth, Fri 02-27 18:00 */
  n = 0;
  event(&x, "received", sh(2026, 2, 14, 19, 0), ks, &n);
  expect_due(find(ks, n, "resolve", 1), sh(2026, 2, 27, 18, 0), sh(2026, 2, 28, 18, 0));
  /* received in the middle of the holiday: the same */
  n = 0;
  event(&x, "received", sh(2026, 2, 18, 11, 0), ks, &n);
  expect_due(find(ks, n, "resolve", 1), sh(2026, 2, 27, 18, 0), sh(2026, 2, 28, 18, 0));
}

static void test_register_met_or_breached(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 2, 12, 10, 0);
  ts_clock ks[CLOCKS];
  int n = 0;
  ts_sla_ctx x = ctx(f, 2, "phone");

  /* registered 30 minutes later: met */
  event(&x, "received", t0, ks, &n);
  settle(ks, n);
  event(&x, "register", t0 + 30 * MIN, ks, &n);
  assert_int_equal(n, 3);
  assert_int_equal(ks[0].state, TS_CLK_MET);
  assert_int_equal(ks[0].stopped_at, t0 + 30 * MIN);
  assert_int_equal(ks[0].breached_at, 0);
  assert_int_equal(ks[0].changed, 1);
  assert_int_equal(ks[0].fire, 0);
  assert_int_equal(ts_sla_next_at(&ks[0]), 0);
  assert_string_equal(ts_sla_state_name(&ks[0], t0 + 30 * DAY), "met");
  for (int i = 1; i < n; i++) { /* the others go on untouched */
    assert_int_equal(ks[i].state, TS_CLK_RUNNING);
    assert_int_equal(ks[i].changed, 0);
    assert_int_equal(ks[i].stopped_at, 0);
  }
  /* again: a stopped clock stays as it was, and "register" starts nothing */
  settle(ks, n);
  event(&x, "register", t0 + 2 * H, ks, &n);
  assert_int_equal(n, 3);
  assert_int_equal(ks[0].state, TS_CLK_MET);
  assert_int_equal(ks[0].stopped_at, t0 + 30 * MIN);
  assert_int_equal(ks[0].changed, 0);

  /* registered 2 hours later: breached when it ran out, an hour after t0 */
  n = 0;
  event(&x, "received", t0, ks, &n);
  settle(ks, n);
  event(&x, "register", t0 + 2 * H, ks, &n);
  assert_int_equal(ks[0].state, TS_CLK_BREACHED);
  assert_int_equal(ks[0].fire, TS_FIRE_BREACH);
  assert_int_equal(ks[0].breached_at, ks[0].due_at);
  assert_int_equal(ks[0].breached_at, t0 + H);
  assert_int_equal(ks[0].stopped_at, t0 + 2 * H);
  assert_int_equal(ks[0].changed, 1);
  assert_int_equal(ts_sla_next_at(&ks[0]), 0);
  assert_string_equal(ts_sla_state_name(&ks[0], t0 + 2 * H), "breached");

  /* the edge: a second before due is in time; at due the clock has run out (as the
   * scheduler, woken at due_at, would mark it) */
  n = 0;
  event(&x, "received", t0, ks, &n);
  event(&x, "register", t0 + H - 1, ks, &n);
  assert_int_equal(ks[0].state, TS_CLK_MET);
  n = 0;
  event(&x, "received", t0, ks, &n);
  settle(ks, n);
  event(&x, "register", t0 + H, ks, &n);
  assert_int_equal(ks[0].state, TS_CLK_BREACHED);
  assert_int_equal(ks[0].fire, TS_FIRE_BREACH);

  /* already marked breached by the scheduler: stopping records the stop, fires nothing */
  n = 0;
  event(&x, "received", t0, ks, &n);
  ts_sla_advance(&ks[0], t0 + 90 * MIN);
  assert_int_equal(ks[0].state, TS_CLK_BREACHED);
  settle(ks, n);
  event(&x, "register", t0 + 2 * H, ks, &n);
  assert_int_equal(ks[0].state, TS_CLK_BREACHED);
  assert_int_equal(ks[0].fire, 0);
  assert_int_equal(ks[0].breached_at, t0 + H);
  assert_int_equal(ks[0].stopped_at, t0 + 2 * H);
  assert_int_equal(ks[0].changed, 1);
}

static void test_acknowledge_by_grade(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 2, 12, 10, 0);
  static const int64_t hours[4] = {24, 24, 4, 2};
  ts_clock ks[CLOCKS];
  for (int g = 1; g <= 4; g++) {
    int n = 0;
    ts_sla_ctx x = ctx(f, g, "phone");
    event(&x, "received", t0, ks, &n);
    ts_clock *k = find(ks, n, "acknowledge", 1);
    assert_int_equal(k->duration, hours[g - 1] * H);
    /* calendar time: the warning 80% of the way, the holidays irrelevant */
    expect_due(k, t0 + hours[g - 1] * H * 8 / 10, t0 + hours[g - 1] * H);
  }
  /* g4: 2 h, due 12:00, warning at 1 h 36 min = 11:36 */
  int n = 0;
  ts_sla_ctx x = ctx(f, 4, "phone");
  event(&x, "received", t0, ks, &n);
  expect_due(&ks[1], sh(2026, 2, 12, 11, 36), sh(2026, 2, 12, 12, 0));
  /* either stop event meets it, another letter does not */
  settle(ks, n);
  event(&x, "letter:closure", t0 + H, ks, &n);
  assert_int_equal(ks[1].state, TS_CLK_RUNNING);
  event(&x, "letter:acknowledgement", t0 + H, ks, &n);
  assert_int_equal(ks[1].state, TS_CLK_MET);
  assert_int_equal(ks[1].stopped_at, t0 + H);
  n = 0;
  event(&x, "received", t0, ks, &n);
  event(&x, "accept", t0 + 3 * H, ks, &n);
  assert_int_equal(ks[1].state, TS_CLK_BREACHED);
  assert_int_equal(ks[1].breached_at, sh(2026, 2, 12, 12, 0));
  assert_int_equal(ks[1].fire, TS_FIRE_BREACH);
}

static void test_site_visit_and_follow_up(void **state) {
  const fixture *f = *state;
  ts_clock ks[CLOCKS];
  int n = 0;
  /* a site visit becomes needed on Fri 02-13 16:00. g1, 2 wd = 16 h: Fri 16:00-18:00 2h,
   * Sat 02-14 (make-up) 10h, Tue 02-24 09:00-12:00 13h, 13:00-16:00 16h. The warning at
   * 12.8 h = 12 h 48 min: 10h, then 2 h 48 min of Tue 02-24 -> 11:48 */
  ts_sla_ctx x = ctx(f, 1, "");
  event(&x, "site_visit", sh(2026, 2, 13, 16, 0), ks, &n);
  assert_int_equal(n, 1);
  assert_int_equal(ks[0].duration, 2 * WD);
  expect_due(&ks[0], sh(2026, 2, 24, 11, 48), sh(2026, 2, 24, 16, 0));
  event(&x, "visit", sh(2026, 2, 24, 15, 0), ks, &n);
  assert_int_equal(ks[0].state, TS_CLK_MET);
  /* g4, 1 wd = 8 h: Fri 2h, Sat 02-14 09:00-12:00 5h, 13:00-16:00 8h; the warning at
   * 6.4 h = 6 h 24 min: 13:00 + 1 h 24 min = 14:24 */
  n = 0;
  x = ctx(f, 4, "");
  event(&x, "site_visit", sh(2026, 2, 13, 16, 0), ks, &n);
  expect_due(&ks[0], sh(2026, 2, 14, 14, 24), sh(2026, 2, 14, 16, 0));

  /* resolving starts the follow-up (24 h), the follow-up stops it */
  n = 0;
  x = ctx(f, 1, "");
  int64_t t0 = sh(2026, 3, 2, 9, 0);
  event(&x, "received", t0, ks, &n);
  event(&x, "resolve", t0 + 2 * H, ks, &n);
  ts_clock *fu = find(ks, n, "follow_up", 1);
  assert_int_equal(fu->started_at, t0 + 2 * H);
  expect_due(fu, t0 + 2 * H + 24 * H * 8 / 10, t0 + 26 * H);
  event(&x, "follow_up", t0 + 20 * H, ks, &n);
  assert_int_equal(fu->state, TS_CLK_MET);
}

/* ---- warnings and the passing of time ------------------------------------------------- */

static void test_warn_point(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 2, 12, 10, 0);
  ts_clock ks[CLOCKS];
  int n = 0;
  ts_sla_ctx x = ctx(f, 1, "");
  event(&x, "received", t0, ks, &n);
  /* 80%: calendar 19 h 12 min; working 32 h (Wed 02-25 10:00, see test_received_starts) */
  assert_time(find(ks, n, "acknowledge", 1)->warn_at, t0 + 19 * H + 12 * MIN);
  assert_time(find(ks, n, "resolve", 1)->warn_at, sh(2026, 2, 25, 10, 0));
  /* 50%: calendar 12 h; working 20 h: Thu 7h, Fri 15h, Sat 02-14 09:00-12:00 18h, 13:00-15:00
   * 20h -> Sat 02-14 15:00 */
  n = 0;
  x.warn_pct = 50;
  event(&x, "received", t0, ks, &n);
  assert_time(find(ks, n, "acknowledge", 1)->warn_at, t0 + 12 * H);
  assert_time(find(ks, n, "resolve", 1)->warn_at, sh(2026, 2, 14, 15, 0));
  assert_time(find(ks, n, "resolve", 1)->due_at, sh(2026, 2, 26, 10, 0));
}

static void test_advance(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 2, 12, 10, 0);
  ts_clock ks[CLOCKS];
  int n = 0;
  ts_sla_ctx x = ctx(f, 1, "");
  event(&x, "received", t0, ks, &n);
  settle(ks, n);
  ts_clock *k = find(ks, n, "acknowledge", 1);
  int64_t warn = t0 + 19 * H + 12 * MIN, due = t0 + 24 * H;
  expect_due(k, warn, due);
  assert_time(ts_sla_next_at(k), warn);

  ts_sla_advance(k, t0 + H);
  ts_sla_advance(k, warn - 1);
  assert_int_equal(k->fire, 0);
  assert_int_equal(k->changed, 0);
  assert_int_equal(k->warned, 0);
  assert_time(ts_sla_next_at(k), warn);

  ts_sla_advance(k, warn); /* the warning, once */
  assert_int_equal(k->fire, TS_FIRE_WARN);
  assert_int_equal(k->warned, 1);
  assert_int_equal(k->changed, 1);
  assert_int_equal(k->state, TS_CLK_RUNNING);
  assert_time(ts_sla_next_at(k), due);
  settle(ks, n);
  ts_sla_advance(k, warn + H);
  ts_sla_advance(k, due - 1);
  assert_int_equal(k->fire, 0);
  assert_int_equal(k->changed, 0);
  assert_string_equal(ts_sla_state_name(k, due - 1), "running");

  ts_sla_advance(k, due); /* the breach, once */
  assert_int_equal(k->fire, TS_FIRE_BREACH);
  assert_int_equal(k->state, TS_CLK_BREACHED);
  assert_int_equal(k->breached_at, due);
  assert_int_equal(k->stopped_at, 0); /* breached but still open until its stop event */
  assert_int_equal(k->changed, 1);
  assert_int_equal(ts_sla_next_at(k), 0);
  settle(ks, n);
  ts_sla_advance(k, due + DAY);
  assert_int_equal(k->fire, 0);
  assert_int_equal(k->changed, 0);
  assert_int_equal(k->breached_at, due);

  /* both points passed unseen: only the breach, dated when the clock ran out */
  k = find(ks, n, "resolve", 1);
  assert_time(ts_sla_next_at(k), sh(2026, 2, 25, 10, 0));
  ts_sla_advance(k, sh(2026, 3, 2, 9, 0));
  assert_int_equal(k->fire, TS_FIRE_BREACH);
  assert_int_equal(k->state, TS_CLK_BREACHED);
  assert_int_equal(k->warned, 1);
  assert_time(k->breached_at, sh(2026, 2, 26, 10, 0));
  assert_int_equal(ts_sla_next_at(k), 0);

  /* a stopped clock: nothing more to do */
  k = find(ks, n, "register", 1);
  settle(ks, n);
  event(&x, "register", t0 + 10 * MIN, ks, &n);
  settle(ks, n);
  ts_sla_advance(k, t0 + DAY);
  assert_int_equal(k->state, TS_CLK_MET);
  assert_int_equal(k->fire, 0);
  assert_int_equal(k->changed, 0);
  assert_int_equal(ts_sla_next_at(k), 0);
}

static void test_state_name(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 3, 2, 9, 0);
  ts_clock ks[CLOCKS];
  int n = 0;
  ts_sla_ctx x = ctx(f, 1, "");
  event(&x, "received", t0, ks, &n);
  ts_clock *k = find(ks, n, "register", 1);
  assert_string_equal(ts_sla_state_name(k, t0), "running");
  assert_string_equal(ts_sla_state_name(k, t0 + H - 1), "running");
  assert_string_equal(ts_sla_state_name(k, t0 + H), "breached");
  assert_string_equal(ts_sla_state_name(k, t0 + DAY), "breached");
  assert_int_equal(k->state, TS_CLK_RUNNING); /* only read so */
  event(&x, "suspend", t0 + H / 2, ks, &n);
  k = find(ks, n, "resolve", 1);
  assert_string_equal(ts_sla_state_name(k, t0 + 300 * DAY), "paused");
  event(&x, "accept", t0 + H / 2, ks, &n);
  assert_string_equal(ts_sla_state_name(find(ks, n, "acknowledge", 1), t0 + 300 * DAY), "met");
  ts_sla_advance(&ks[0], t0 + 2 * H);
  assert_string_equal(ts_sla_state_name(&ks[0], t0 + 2 * H), "breached");
}

/* ---- pause and resume ----------------------------------------------------------------- */

static void test_pause_resume(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 3, 2, 9, 0); /* Monday, no holiday in sight */
  ts_clock ks[CLOCKS];
  int n = 0;
  ts_sla_ctx x = ctx(f, 1, "");
  event(&x, "received", t0, ks, &n);
  ts_clock *k = find(ks, n, "resolve", 1);
  /* 40 h: Mon 8h, Tue 16h, Wed 24h, Thu 32h (the warning, at the end of the day: the earliest
   * instant it is reached), Fri 40h -> Fri 03-06 18:00 */
  expect_due(k, sh(2026, 3, 5, 18, 0), sh(2026, 3, 6, 18, 0));
  settle(ks, n);

  /* suspended Tue 03-03 15:00: Mon 8 h + Tue 09:00-12:00 3 h + 13:00-15:00 2 h = 13 h used */
  int64_t s1 = sh(2026, 3, 3, 15, 0);
  event(&x, "suspend", s1, ks, &n);
  assert_int_equal(k->state, TS_CLK_PAUSED);
  assert_int_equal(k->used, 13 * H);
  assert_int_equal(k->seg_start, s1);
  assert_int_equal(k->started_at, t0);
  assert_int_equal(k->due_at, 0);
  assert_int_equal(k->warn_at, 0);
  assert_int_equal(k->changed, 1);
  assert_int_equal(k->fire, 0);
  assert_int_equal(ts_sla_next_at(k), 0);
  assert_int_equal(find(ks, n, "acknowledge", 1)->changed, 0); /* not paused by suspend */
  assert_int_equal(find(ks, n, "acknowledge", 1)->state, TS_CLK_RUNNING);
  settle(ks, n);
  ts_sla_advance(k, sh(2026, 3, 20, 9, 0)); /* long past the old due time: still paused */
  assert_int_equal(k->state, TS_CLK_PAUSED);
  assert_int_equal(k->fire, 0);
  event(&x, "suspend", sh(2026, 3, 4, 9, 0), ks, &n); /* already paused */
  assert_int_equal(k->changed, 0);
  assert_int_equal(k->used, 13 * H);

  /* resumed Mon 03-09 10:00, days later. 27 h remain: Mon 7h, Tue 15h, Wed 23h, Thu 03-12
   * 09:00-12:00 26h, 13:00-14:00 27h -> due Thu 03-12 14:00. The warning, 32 - 13 = 19 h on:
   * Mon 7h, Tue 15h, Wed 03-11 09:00-12:00 18h, 13:00-14:00 19h -> Wed 03-11 14:00 */
  int64_t r1 = sh(2026, 3, 9, 10, 0);
  int64_t old_due = sh(2026, 3, 6, 18, 0);
  event(&x, "resume", r1, ks, &n);
  assert_int_equal(k->state, TS_CLK_RUNNING);
  assert_int_equal(k->seg_start, r1);
  assert_int_equal(k->used, 13 * H);
  assert_int_equal(k->changed, 1);
  expect_due(k, sh(2026, 3, 11, 14, 0), sh(2026, 3, 12, 14, 0));
  /* remaining = duration - used */
  assert_int_equal(ts_cal_between(&f->cal, k->seg_start, k->due_at), k->duration - k->used);
  /* the due time moved by the working time spent paused: Tue 15:00-18:00 3 h, Wed, Thu, Fri
   * 24 h, Mon 09:00-10:00 1 h = 28 h; Fri 03-06 18:00 + 28 h = Mon 8h, Tue 16h, Wed 24h,
   * Thu 09:00-12:00 27h, 13:00-14:00 28h */
  assert_int_equal(ts_cal_between(&f->cal, s1, r1), 28 * H);
  int64_t moved = 0;
  assert_int_equal(ts_cal_add(&f->cal, old_due, 28 * H, &moved), TS_OK);
  assert_time(k->due_at, moved);
  settle(ks, n);
  event(&x, "resume", r1 + H, ks, &n); /* already running */
  assert_int_equal(k->changed, 0);
  assert_time(k->due_at, sh(2026, 3, 12, 14, 0));

  /* a second pause adds to what was used: Mon 03-09 10:00 to Tue 03-10 10:00 is 8 h, 21 h in
   * all. Resumed Wed 03-11 09:00 with 19 h left: Wed 8h, Thu 16h, Fri 03-13 09:00-12:00 19h ->
   * due Fri 03-13 12:00 (the span's end, not 13:00); the warning 11 h on: Wed 8h, Thu 03-12
   * 09:00-12:00 11h -> Thu 12:00 */
  event(&x, "suspend", sh(2026, 3, 10, 10, 0), ks, &n);
  assert_int_equal(k->used, 21 * H);
  event(&x, "resume", sh(2026, 3, 11, 9, 0), ks, &n);
  expect_due(k, sh(2026, 3, 12, 12, 0), sh(2026, 3, 13, 12, 0));
  settle(ks, n);
  ts_sla_advance(k, sh(2026, 3, 12, 12, 0));
  assert_int_equal(k->fire, TS_FIRE_WARN);

  /* resolved in time */
  event(&x, "resolve", sh(2026, 3, 13, 11, 0), ks, &n);
  assert_int_equal(k->state, TS_CLK_MET);
  assert_int_equal(k->stopped_at, sh(2026, 3, 13, 11, 0));

  /* resolved while paused: met, whatever the old due time */
  n = 0;
  event(&x, "received", t0, ks, &n);
  event(&x, "suspend", s1, ks, &n);
  k = find(ks, n, "resolve", 1);
  settle(ks, n);
  event(&x, "resolve", sh(2026, 4, 30, 9, 0), ks, &n);
  assert_int_equal(k->state, TS_CLK_MET);
  assert_int_equal(k->fire, 0);
  assert_int_equal(k->stopped_at, sh(2026, 4, 30, 9, 0));
}

static void test_pause_after_due(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 3, 2, 9, 0);
  ts_clock ks[CLOCKS];
  int n = 0;
  ts_sla_ctx x = ctx(f, 1, "");
  event(&x, "received", t0, ks, &n);
  ts_clock *k = find(ks, n, "resolve", 1);
  settle(ks, n);
  /* due Fri 03-06 18:00; suspended Sat 03-07 10:00: it ran out first */
  event(&x, "suspend", sh(2026, 3, 7, 10, 0), ks, &n);
  assert_int_equal(k->state, TS_CLK_BREACHED);
  assert_int_equal(k->fire, TS_FIRE_BREACH);
  assert_time(k->breached_at, sh(2026, 3, 6, 18, 0));
  assert_int_equal(k->stopped_at, 0);
  assert_int_equal(k->used, 0);
  settle(ks, n);
  event(&x, "resume", sh(2026, 3, 9, 9, 0), ks, &n); /* nothing to resume */
  assert_int_equal(k->state, TS_CLK_BREACHED);
  assert_int_equal(k->changed, 0);
  event(&x, "resolve", sh(2026, 3, 9, 10, 0), ks, &n); /* stopped, not breached twice */
  assert_int_equal(k->state, TS_CLK_BREACHED);
  assert_int_equal(k->fire, 0);
  assert_int_equal(k->stopped_at, sh(2026, 3, 9, 10, 0));
  assert_time(k->breached_at, sh(2026, 3, 6, 18, 0));
}

/* ---- the customer cannot be reached --------------------------------------------------- */

static void test_unreachable(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 3, 2, 9, 0);
  ts_clock ks[CLOCKS];
  int n = 0;

  /* g1: first contact 24 h, 48 h when the customer cannot be reached */
  ts_sla_ctx x = ctx(f, 1, "");
  event(&x, "assign", t0, ks, &n);
  assert_int_equal(n, 2);
  ts_clock *k = find(ks, n, "first_contact", 1);
  expect_due(k, t0 + 19 * H + 12 * MIN, t0 + 24 * H);
  settle(ks, n);
  event(&x, "unreachable", t0 + 2 * H, ks, &n);
  assert_int_equal(n, 2);
  assert_int_equal(k->unreachable, 1);
  assert_int_equal(k->duration, 48 * H);
  assert_int_equal(k->started_at, t0);
  assert_int_equal(k->state, TS_CLK_RUNNING);
  assert_int_equal(k->changed, 1);
  /* from when it started: due Wed 03-04 09:00, the warning at 38.4 h = 38 h 24 min */
  expect_due(k, t0 + 38 * H + 24 * MIN, sh(2026, 3, 4, 9, 0));
  settle(ks, n);
  event(&x, "unreachable", t0 + 3 * H, ks, &n); /* once */
  assert_int_equal(k->changed, 0);
  assert_int_equal(k->duration, 48 * H);
  event(&x, "contact", t0 + 30 * H, ks, &n); /* in time now */
  assert_int_equal(k->state, TS_CLK_MET);
  assert_int_equal(k->fire, 0);

  /* g2 has no such variant: unchanged, and late at 30 h */
  n = 0;
  x = ctx(f, 2, "");
  event(&x, "assign", t0, ks, &n);
  k = find(ks, n, "first_contact", 1);
  settle(ks, n);
  event(&x, "unreachable", t0 + 2 * H, ks, &n);
  assert_int_equal(k->unreachable, 0);
  assert_int_equal(k->duration, 24 * H);
  assert_int_equal(k->changed, 0);
  expect_due(k, t0 + 19 * H + 12 * MIN, t0 + 24 * H);
  event(&x, "contact", t0 + 30 * H, ks, &n);
  assert_int_equal(k->state, TS_CLK_BREACHED);
  assert_int_equal(k->breached_at, t0 + 24 * H);

  /* already breached: too late to lengthen */
  n = 0;
  x = ctx(f, 1, "");
  event(&x, "assign", t0, ks, &n);
  k = find(ks, n, "first_contact", 1);
  ts_sla_advance(k, t0 + 25 * H);
  settle(ks, n);
  event(&x, "unreachable", t0 + 26 * H, ks, &n);
  assert_int_equal(k->state, TS_CLK_BREACHED);
  assert_int_equal(k->unreachable, 0);
  assert_int_equal(k->duration, 24 * H);
  assert_int_equal(k->breached_at, t0 + 24 * H);
  assert_int_equal(k->changed, 0);

  /* clocks without a variant are not touched: acknowledge, resolve */
  n = 0;
  event(&x, "received", t0, ks, &n);
  settle(ks, n);
  event(&x, "unreachable", t0 + H / 2, ks, &n);
  for (int i = 0; i < n; i++)
    if (ks[i].changed || ks[i].unreachable)
      fail_msg("unreachable changed %s", ks[i].name);
}

/* The attempt that failed came after the clock ran out, before the scheduler marked it: the
 * clock is breached all the same (it reads so, and pausing it then would breach it), so it
 * is too late to lengthen it. Whether the scheduler ran first must not change the outcome. */
static void test_unreachable_after_due(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 3, 2, 9, 0);
  for (int marked = 0; marked <= 1; marked++) {
    ts_clock ks[CLOCKS];
    int n = 0;
    ts_sla_ctx x = ctx(f, 1, "");
    event(&x, "assign", t0, ks, &n);
    ts_clock *k = find(ks, n, "first_contact", 1);
    if (marked)
      ts_sla_advance(k, t0 + 25 * H); /* the scheduler came by at 25 h */
    assert_string_equal(ts_sla_state_name(k, t0 + 30 * H), "breached");
    event(&x, "unreachable", t0 + 30 * H, ks, &n);
    if (k->duration != 24 * H || k->due_at != t0 + 24 * H)
      fail_msg("%s: first_contact lengthened to %llds after it ran out at 24 h",
               marked ? "marked" : "not yet marked", (long long)k->duration);
    assert_string_equal(ts_sla_state_name(k, t0 + 30 * H), "breached");
    ts_sla_advance(k, t0 + 30 * H);
    assert_int_equal(k->state, TS_CLK_BREACHED);
    assert_int_equal(k->breached_at, t0 + 24 * H);
    event(&x, "contact", t0 + 31 * H, ks, &n);
    assert_int_equal(k->state, TS_CLK_BREACHED);
  }
}

/* ---- a change of grade ---------------------------------------------------------------- */

static void test_regrade(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 2, 12, 10, 0);
  ts_clock ks[CLOCKS];
  int n = 0;
  ts_sla_ctx x = ctx(f, 1, "");
  event(&x, "received", t0, ks, &n);
  settle(ks, n);
  x = ctx(f, 4, "");
  assert_int_equal(ts_sla_regrade(&x, ks, n, t0), TS_OK);
  /* acknowledge 24 h -> 2 h, from t0 */
  ts_clock *k = find(ks, n, "acknowledge", 1);
  assert_int_equal(k->duration, 2 * H);
  assert_int_equal(k->changed, 1);
  assert_int_equal(k->started_at, t0);
  assert_int_equal(k->seq, 1);
  expect_due(k, t0 + 96 * MIN, t0 + 2 * H);
  /* resolve 5 wd -> 30 wd = 240 h from Thu 02-12 10:00: 7 h that day leaves 233 h = 29 whole
   * days + 1 h. The whole days: Fri 02-13, Sat 02-14 (make-up), Tue 02-24 .. Fri 02-27,
   * Sat 02-28 (make-up): 7; March 2..6, 9..13, 16..20, 23..27: 27; Mon 03-30, Tue 03-31: 29.
   * Then Wed 04-01 09:00-10:00 -> due Wed 04-01 10:00.
   * The warning at 192 h: 7 h + 23 whole days (184 h, the 23rd is Mon 03-23) = 191 h, then
   * Tue 03-24 09:00-10:00 -> Tue 03-24 10:00 */
  k = find(ks, n, "resolve", 1);
  assert_int_equal(k->duration, 30 * WD);
  assert_int_equal(k->working, 1);
  assert_int_equal(k->changed, 1);
  expect_due(k, sh(2026, 3, 24, 10, 0), sh(2026, 4, 1, 10, 0));
  assert_int_equal(ts_cal_between(&f->cal, t0, k->due_at), 30 * WD);
  /* register is 1 h at every grade: not rewritten */
  k = find(ks, n, "register", 1);
  assert_int_equal(k->changed, 0);
  expect_due(k, t0 + 48 * MIN, t0 + H);

  /* met and breached clocks keep what they were */
  n = 0;
  x = ctx(f, 1, "");
  event(&x, "received", t0, ks, &n);
  event(&x, "assign", t0, ks, &n);
  event(&x, "accept", t0 + H, ks, &n);            /* acknowledge met */
  event(&x, "register", t0 + 2 * H, ks, &n);      /* register breached (stopped) */
  ts_sla_advance(find(ks, n, "first_contact", 1), t0 + 24 * H); /* breached (open) */
  settle(ks, n);
  x = ctx(f, 4, "");
  assert_int_equal(ts_sla_regrade(&x, ks, n, t0 + 3 * H), TS_OK);
  k = find(ks, n, "acknowledge", 1);
  assert_int_equal(k->state, TS_CLK_MET);
  assert_int_equal(k->duration, 24 * H);
  assert_int_equal(k->due_at, t0 + 24 * H);
  assert_int_equal(k->changed, 0);
  k = find(ks, n, "first_contact", 1);
  assert_int_equal(k->state, TS_CLK_BREACHED);
  assert_int_equal(k->duration, 24 * H); /* g4 would be 1 h */
  assert_int_equal(k->due_at, t0 + 24 * H);
  assert_int_equal(k->breached_at, t0 + 24 * H);
  assert_int_equal(k->changed, 0);
  k = find(ks, n, "register", 1);
  assert_int_equal(k->state, TS_CLK_BREACHED);
  assert_int_equal(k->changed, 0);
  k = find(ks, n, "solution", 1); /* 24 h at g1 and g4 */
  assert_int_equal(k->changed, 0);
  assert_int_equal(find(ks, n, "resolve", 1)->duration, 30 * WD);
  assert_int_equal(find(ks, n, "resolve", 1)->changed, 1);

  /* a paused clock takes the new length and keeps what it used */
  n = 0;
  x = ctx(f, 1, "");
  int64_t m0 = sh(2026, 3, 2, 9, 0);
  event(&x, "received", m0, ks, &n);
  event(&x, "suspend", sh(2026, 3, 3, 15, 0), ks, &n); /* 13 h used, as in test_pause_resume */
  x = ctx(f, 4, "");
  assert_int_equal(ts_sla_regrade(&x, ks, n, sh(2026, 3, 3, 16, 0)), TS_OK);
  k = find(ks, n, "resolve", 1);
  assert_int_equal(k->state, TS_CLK_PAUSED);
  assert_int_equal(k->duration, 30 * WD);
  assert_int_equal(k->used, 13 * H);
  assert_int_equal(k->due_at, 0);
  /* resumed Mon 03-09 10:00 with 227 h left: Mon 7 h, then 220 h = 27 whole days + 4 h.
   * Whole days: 03-10..13 (4), 16..20, 23..27 (14), 30, 31 (16), 04-01..03 (19), 04-06..10
   * (24: this fixture has only the Spring Festival, so Qingming's Mon 04-06 is worked),
   * 13..15 (27); then Thu 04-16 09:00-12:00, 13:00-14:00 -> due Thu 04-16 14:00 */
  event(&x, "resume", sh(2026, 3, 9, 10, 0), ks, &n);
  assert_time(k->due_at, sh(2026, 4, 16, 14, 0));
  assert_int_equal(ts_cal_between(&f->cal, k->seg_start, k->due_at), 30 * WD - 13 * H);
}

/* ---- clocks that run again ------------------------------------------------------------ */

static void test_restart(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 3, 2, 9, 0);
  ts_clock ks[CLOCKS];
  int n = 0;
  ts_sla_ctx x = ctx(f, 1, "");
  event(&x, "received", t0, ks, &n);
  event(&x, "resolve", sh(2026, 3, 4, 10, 0), ks, &n);
  assert_int_equal(find(ks, n, "resolve", 1)->state, TS_CLK_MET);
  assert_int_equal(n, 4); /* + follow_up */
  settle(ks, n);
  /* reopened Thu 03-05 10:00: resolve #2 runs 5 wd from then: Thu 7h, Fri 15h, Mon 23h,
   * Tue 31h, Wed 39h, Thu 03-12 09:00-10:00 40h */
  event(&x, "reopen", sh(2026, 3, 5, 10, 0), ks, &n);
  assert_int_equal(n, 5);
  ts_clock *k1 = find(ks, n, "resolve", 1), *k2 = find(ks, n, "resolve", 2);
  assert_int_equal(k1->state, TS_CLK_MET);
  assert_int_equal(k1->changed, 0);
  assert_int_equal(k2->state, TS_CLK_RUNNING);
  assert_int_equal(k2->started_at, sh(2026, 3, 5, 10, 0));
  assert_int_equal(k2->used, 0);
  assert_int_equal(k2->stopped_at, 0);
  assert_int_equal(k2->id, 0);
  assert_int_equal(k2->changed, 1);
  assert_time(k2->due_at, sh(2026, 3, 12, 10, 0));
  /* reopened again while #2 runs: no third */
  event(&x, "reopen", sh(2026, 3, 5, 11, 0), ks, &n);
  assert_int_equal(n, 5);
  assert_int_equal(count(ks, n, "resolve"), 2);
  /* resolved again, reopened again: #3 */
  event(&x, "resolve", sh(2026, 3, 6, 10, 0), ks, &n);
  assert_int_equal(find(ks, n, "resolve", 2)->state, TS_CLK_MET);
  event(&x, "reopen", sh(2026, 3, 9, 9, 0), ks, &n);
  assert_int_equal(find(ks, n, "resolve", 3)->state, TS_CLK_RUNNING);
  assert_int_equal(count(ks, n, "resolve"), 3);

  /* approval: started by propose, stopped by send_back, started again by propose */
  n = 0;
  event(&x, "assign", t0, ks, &n);
  event(&x, "propose", t0 + 3 * H, ks, &n);
  assert_int_equal(find(ks, n, "solution", 1)->state, TS_CLK_MET);
  ts_clock *a1 = find(ks, n, "approval", 1);
  expect_due(a1, t0 + 3 * H + 192 * MIN, t0 + 7 * H);
  event(&x, "send_back", t0 + 4 * H, ks, &n);
  assert_int_equal(a1->state, TS_CLK_MET);
  event(&x, "propose", t0 + 5 * H, ks, &n);
  assert_int_equal(n, 4); /* solution is not started by propose */
  ts_clock *a2 = find(ks, n, "approval", 2);
  assert_int_equal(a2->state, TS_CLK_RUNNING);
  assert_int_equal(a2->started_at, t0 + 5 * H);
  assert_int_equal(a2->due_at, t0 + 9 * H);
  event(&x, "approve", t0 + 6 * H, ks, &n);
  assert_int_equal(a2->state, TS_CLK_MET);
  /* a late send_back breaches #3; the next propose still starts #4 */
  event(&x, "propose", t0 + 7 * H, ks, &n);
  event(&x, "send_back", t0 + 12 * H, ks, &n);
  assert_int_equal(find(ks, n, "approval", 3)->state, TS_CLK_BREACHED);
  event(&x, "propose", t0 + 13 * H, ks, &n);
  assert_int_equal(find(ks, n, "approval", 4)->state, TS_CLK_RUNNING);
  assert_int_equal(count(ks, n, "approval"), 4);
}

/* ---- the end of a case ---------------------------------------------------------------- */

static void test_terminal(void **state) {
  const fixture *f = *state;
  static const char *const ends[] = {"close", "reject", "withdraw"};
  int64_t t0 = sh(2026, 3, 2, 9, 0);
  for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++) {
    ts_clock ks[CLOCKS];
    int n = 0;
    ts_sla_ctx x = ctx(f, 1, "regulator_12315");
    event(&x, "received", t0, ks, &n);
    event(&x, "assign", t0, ks, &n);
    event(&x, "site_visit", t0, ks, &n);
    event(&x, "register", t0 + 30 * MIN, ks, &n); /* met */
    event(&x, "suspend", t0 + H, ks, &n);         /* resolve paused */
    /* a clock whose definition was since removed */
    ts_clock *old = &ks[n++];
    memset(old, 0, sizeof *old);
    snprintf(old->name, sizeof old->name, "%s", "retired");
    old->seq = 1;
    old->state = TS_CLK_RUNNING;
    old->duration = 10 * DAY;
    old->started_at = old->seg_start = t0;
    old->due_at = t0 + 10 * DAY;
    old->warn_at = t0 + 8 * DAY;
    assert_int_equal(n, 8);
    settle(ks, n);
    event(&x, "contact", t0 + 2 * H, ks, &n);
    /* a clock whose rule is gone ends quietly at the case's next event: met, no breach */
    assert_int_equal(old->changed, 1);
    assert_int_equal(old->state, TS_CLK_MET);
    assert_int_equal(old->stopped_at, t0 + 2 * H);
    assert_int_equal(old->fire, 0);
    assert_int_equal(find(ks, n, "first_contact", 1)->state, TS_CLK_MET);
    settle(ks, n);

    /* ended Tue 03-03 11:00, 26 h on */
    int64_t end = t0 + 26 * H;
    event(&x, ends[e], end, ks, &n);
    assert_int_equal(n, 8); /* starts nothing */
    /* stopped earlier: untouched */
    ts_clock *k = find(ks, n, "register", 1);
    assert_int_equal(k->stopped_at, t0 + 30 * MIN);
    assert_int_equal(k->changed, 0);
    k = find(ks, n, "first_contact", 1);
    assert_int_equal(k->stopped_at, t0 + 2 * H);
    assert_int_equal(k->changed, 0);
    /* late: acknowledge and solution (24 h) */
    static const char *const late[] = {"acknowledge", "solution"};
    for (int i = 0; i < 2; i++) {
      k = find(ks, n, late[i], 1);
      assert_int_equal(k->state, TS_CLK_BREACHED);
      assert_int_equal(k->fire, TS_FIRE_BREACH);
      assert_int_equal(k->breached_at, t0 + 24 * H);
      assert_int_equal(k->stopped_at, end);
    }
    /* the retired clock stopped at the contact and stays so */
    k = find(ks, n, "retired", 1);
    assert_int_equal(k->state, TS_CLK_MET);
    assert_int_equal(k->stopped_at, t0 + 2 * H);
    assert_int_equal(k->changed, 0);
    /* in time: site_visit (2 wd, Tue 03-03 18:00), odr_12315 (10 wd), the paused resolve */
    static const char *const in_time[] = {"site_visit", "odr_12315", "resolve"};
    for (int i = 0; i < 3; i++) {
      k = find(ks, n, in_time[i], 1);
      if (k->state != TS_CLK_MET)
        fail_msg("%s: %s left %s", ends[e], in_time[i], ts_sla_state_name(k, end));
      assert_int_equal(k->fire, 0);
      assert_int_equal(k->breached_at, 0);
      assert_int_equal(k->stopped_at, end);
      assert_int_equal(k->changed, 1);
    }
    for (int i = 0; i < n; i++) {
      assert_int_not_equal(ks[i].stopped_at, 0);
      assert_int_equal(ts_sla_next_at(&ks[i]), 0);
    }
    /* nothing moves afterwards */
    settle(ks, n);
    event(&x, "resume", end + H, ks, &n);
    event(&x, "unreachable", end + H, ks, &n);
    x.grade = 4;
    assert_int_equal(ts_sla_regrade(&x, ks, n, end + H), TS_OK);
    for (int i = 0; i < n; i++) {
      ts_sla_advance(&ks[i], end + 100 * DAY);
      if (ks[i].changed || ks[i].fire)
        fail_msg("%s: %s moved after the end", ends[e], ks[i].name);
    }
  }
}

/* ---- capacity ------------------------------------------------------------------------- */

static void test_capacity(void **state) {
  const fixture *f = *state;
  int64_t t0 = sh(2026, 3, 2, 9, 0);
  ts_sla_ctx x = ctx(f, 1, "");
  ts_clock ks[5], guard;
  memset(ks, 0xA5, sizeof ks);
  memset(&guard, 0xA5, sizeof guard);
  int n = 0;
  /* received starts three clocks; room for two */
  assert_int_not_equal(ts_sla_event(&x, "received", t0, t0, ks, &n, 2), TS_OK);
  assert_int_equal(n, 2);
  for (int i = 2; i < 5; i++)
    assert_memory_equal(&ks[i], &guard, sizeof guard);
  /* room for three: fine */
  n = 0;
  assert_int_equal(ts_sla_event(&x, "received", t0, t0, ks, &n, 3), TS_OK);
  assert_int_equal(n, 3);
  assert_memory_equal(&ks[3], &guard, sizeof guard);
  /* full: an event that starts nothing is fine, one that starts something is refused */
  assert_int_equal(ts_sla_event(&x, "register", t0 + MIN, t0 + MIN, ks, &n, 3), TS_OK);
  assert_int_equal(ks[0].state, TS_CLK_MET);
  assert_int_not_equal(ts_sla_event(&x, "assign", t0 + MIN, t0 + MIN, ks, &n, 3), TS_OK);
  assert_int_equal(n, 3);
  assert_memory_equal(&ks[3], &guard, sizeof guard);
  assert_memory_equal(&ks[4], &guard, sizeof guard);
  /* no room at all */
  n = 0;
  assert_int_not_equal(ts_sla_event(&x, "received", t0, t0, ks, &n, 0), TS_OK);
  assert_int_equal(n, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_anchor),
      cmocka_unit_test(test_list_has),
      cmocka_unit_test(test_length),
      cmocka_unit_test(test_def_lookup),
      cmocka_unit_test(test_received_starts),
      cmocka_unit_test(test_resolve_spring_festival),
      cmocka_unit_test(test_register_met_or_breached),
      cmocka_unit_test(test_acknowledge_by_grade),
      cmocka_unit_test(test_site_visit_and_follow_up),
      cmocka_unit_test(test_warn_point),
      cmocka_unit_test(test_advance),
      cmocka_unit_test(test_state_name),
      cmocka_unit_test(test_pause_resume),
      cmocka_unit_test(test_pause_after_due),
      cmocka_unit_test(test_unreachable),
      cmocka_unit_test(test_unreachable_after_due),
      cmocka_unit_test(test_regrade),
      cmocka_unit_test(test_restart),
      cmocka_unit_test(test_terminal),
      cmocka_unit_test(test_capacity),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
