/* The working calendar: working-time arithmetic in the organisation's zone.
 *
 * Wall-clock time. Spans ("09:00-18:00") and exceptions ("2026-02-14 is worked") are local,
 * so all arithmetic is done in local wall-clock seconds, a day at a time:
 *
 *   local = utc + off(utc)
 *   utc   = local - off(local - off(local))
 *
 * Going back, "local read as UTC" is a first guess whose offset corrects it once. That is exact
 * in fixed-offset zones (Asia/Shanghai) and, in zones with summer time, everywhere except in
 * the hour a change skips or repeats, which no office's working hours contain. Working time is
 * wall-clock time: a 09:00-18:00 day counts nine hours even on the day the clocks change, and
 * ts_cal_add and ts_cal_between agree with each other because both count the same way.
 *
 * Range. Days are those of years 1..9999 (the dates a calendar line can name); instants and
 * results outside them are refused by ts_cal_add and do not count in ts_cal_between, so no
 * arithmetic can overflow whatever the caller passes.
 *
 * Cost. ts_cal_add walks day by day from the start: per day O(nspans), the exceptions read
 * through one moving index (one binary search at the start) - a 30-working-day clock is about
 * forty iterations. ts_cal_between counts whole days in between arithmetically (whole weeks, then
 * the exceptions inside the range found by binary search), so it costs O(log ndays) plus the
 * exceptions in the range, whatever the distance. */
#include "core/calendar.h"

#include <string.h>

#include "core/ts_err.h"

#define DAY_SECS 86400
#define MIN_DAY (-719162)            /* 0001-01-01 */
#define MAX_DAY 2932896              /* 9999-12-31 */
#define IDLE_DAYS_MAX (10 * 365 + 3) /* ten years without a working day: give up */
#define NAME_CHARS_MAX 100           /* characters in a calendar line's name */
#define UTC_MIN ((int64_t)MIN_DAY * DAY_SECS)
#define UTC_MAX (((int64_t)MAX_DAY + 1) * DAY_SECS)

/* ---- civil dates ---------------------------------------------------------------------- */

/* Howard Hinnant's days_from_civil / civil_from_days, in 64 bits so that no int argument can
 * overflow (a meaningless date gives a meaningless day, never undefined behaviour). */
int32_t ts_cal_day_of(int y, int m, int d) {
  int64_t yy = (int64_t)y - (m <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;                         /* [0, 399] */
  int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9; /* March = 0 */
  int64_t doy = (153 * mp + 2) / 5 + d - 1;             /* [0, 365] */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + doe - 719468);
}

void ts_cal_civil(int32_t day, int *y, int *m, int *d) {
  int64_t z = (int64_t)day + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t mm = mp < 10 ? mp + 3 : mp - 9;
  if (y)
    *y = (int)(yoe + era * 400 + (mm <= 2));
  if (m)
    *m = (int)mm;
  if (d)
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

int ts_cal_weekday(int32_t day) {
  return (int)(((int64_t)day % 7 + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
}

static int days_in_month(int y, int m) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 ? 28 + leap : mdays[m - 1];
}

/* ---- the calendar --------------------------------------------------------------------- */

static int spans_ok(const ts_work_span *s, int n) {
  if (n < 0 || n > TS_CAL_SPANS_MAX)
    return 0;
  for (int i = 0; i < n; i++) {
    if (s[i].start < 0 || s[i].end > 1440 || s[i].start >= s[i].end)
      return 0;
    if (i > 0 && s[i].start < s[i - 1].end)
      return 0;
  }
  return 1;
}

static int calendar_ok(const ts_calendar *c) {
  return c && spans_ok(c->spans, c->nspans) && (c->days || c->ndays == 0);
}

/* The index of the first exception on or after day. */
static size_t first_exception(const ts_calendar *c, int64_t day) {
  size_t lo = 0, hi = c->ndays;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->days[mid].day < day)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static int usual_working(const ts_calendar *c, int64_t day) {
  return (int)((c->weekdays >> ts_cal_weekday((int32_t)day)) & 1u);
}

int ts_cal_is_working_day(const ts_calendar *c, int32_t day) {
  if (!c || (!c->days && c->ndays))
    return 0;
  size_t i = first_exception(c, day);
  if (i < c->ndays && c->days[i].day == day)
    return c->days[i].working != 0;
  return usual_working(c, day);
}

/* ts_cal_is_working_day for days visited in increasing order: *next is the first exception
 * not before the previous day asked, so each exception is passed once. */
static int working_in_walk(const ts_calendar *c, int64_t day, size_t *next) {
  while (*next < c->ndays && c->days[*next].day < day)
    (*next)++;
  if (*next < c->ndays && c->days[*next].day == day)
    return c->days[*next].working != 0;
  return usual_working(c, day);
}

int64_t ts_cal_day_seconds(const ts_calendar *c) {
  int64_t n = 0;
  if (!c || !spans_ok(c->spans, c->nspans))
    return 0;
  for (int i = 0; i < c->nspans; i++)
    n += (int64_t)(c->spans[i].end - c->spans[i].start) * 60;
  return n;
}

/* Working seconds of a working day within [from, to), seconds from local midnight. */
static int64_t day_overlap(const ts_calendar *c, int64_t from, int64_t to) {
  int64_t n = 0;
  for (int i = 0; i < c->nspans; i++) {
    int64_t a = (int64_t)c->spans[i].start * 60, b = (int64_t)c->spans[i].end * 60;
    if (a < from)
      a = from;
    if (b > to)
      b = to;
    if (a < b)
      n += b - a;
  }
  return n;
}

/* Working days in [a, b): whole weeks by count, the rest one by one, then each exception in
 * the range corrects its weekday's usual answer. */
static int64_t working_days(const ts_calendar *c, int64_t a, int64_t b) {
  if (b <= a)
    return 0;
  int per_week = 0;
  for (int w = 0; w < 7; w++)
    per_week += (int)((c->weekdays >> w) & 1u);
  int64_t weeks = (b - a) / 7, n = weeks * per_week;
  for (int64_t d = a + weeks * 7; d < b; d++)
    n += usual_working(c, d);
  for (size_t i = first_exception(c, a); i < c->ndays && c->days[i].day < b; i++)
    n += (c->days[i].working != 0) - usual_working(c, c->days[i].day);
  return n;
}

/* ---- local time ----------------------------------------------------------------------- */

static int64_t offset_at(const ts_calendar *c, int64_t utc) {
  return c->utc_offset ? c->utc_offset(c->ctx, utc) : 0;
}

static int64_t to_local(const ts_calendar *c, int64_t utc) {
  return utc + offset_at(c, utc);
}

static int64_t to_utc(const ts_calendar *c, int64_t local) {
  return local - offset_at(c, local - offset_at(c, local));
}

static int64_t floor_day(int64_t local) {
  int64_t q = local / DAY_SECS;
  return local % DAY_SECS < 0 ? q - 1 : q;
}

/* ---- arithmetic ----------------------------------------------------------------------- */

int ts_cal_add(const ts_calendar *c, int64_t start, int64_t seconds, int64_t *out) {
  if (!calendar_ok(c) || !out || seconds < 0 || start < UTC_MIN || start >= UTC_MAX)
    return TS_ERR_INVALID;
  if (seconds == 0) {
    *out = start;
    return TS_OK;
  }
  int64_t per_day = ts_cal_day_seconds(c);
  int64_t local = to_local(c, start);
  int64_t day = floor_day(local);
  int64_t cursor = local - day * DAY_SECS; /* where counting starts in the day */
  if (per_day == 0 || day < MIN_DAY || day > MAX_DAY || seconds / per_day > MAX_DAY - day)
    return TS_ERR_INVALID; /* no working time, or not reachable before the year 10000 */
  size_t next = first_exception(c, day);
  int64_t left = seconds;
  int idle = 0;
  for (; day <= MAX_DAY; day++, cursor = 0) {
    if (!working_in_walk(c, day, &next)) {
      if (++idle > IDLE_DAYS_MAX)
        return TS_ERR_INVALID;
      continue;
    }
    idle = 0;
    for (int i = 0; i < c->nspans; i++) {
      int64_t from = (int64_t)c->spans[i].start * 60, to = (int64_t)c->spans[i].end * 60;
      if (from < cursor)
        from = cursor;
      if (from >= to)
        continue;
      if (left <= to - from) { /* reached in this span: at its end at the latest */
        *out = to_utc(c, day * DAY_SECS + from + left);
        return TS_OK;
      }
      left -= to - from;
    }
  }
  return TS_ERR_INVALID;
}

int64_t ts_cal_between(const ts_calendar *c, int64_t t1, int64_t t2) {
  if (!calendar_ok(c))
    return 0;
  t1 = t1 < UTC_MIN ? UTC_MIN : t1;
  t2 = t2 > UTC_MAX ? UTC_MAX : t2;
  if (t2 <= t1)
    return 0;
  int64_t l1 = to_local(c, t1), l2 = to_local(c, t2);
  if (l1 < UTC_MIN)
    l1 = UTC_MIN;
  if (l2 > UTC_MAX)
    l2 = UTC_MAX;
  if (l2 <= l1)
    return 0;
  int64_t d1 = floor_day(l1), d2 = floor_day(l2);
  int64_t s1 = l1 - d1 * DAY_SECS, s2 = l2 - d2 * DAY_SECS;
  if (d1 == d2)
    return ts_cal_is_working_day(c, (int32_t)d1) ? day_overlap(c, s1, s2) : 0;
  int64_t n = ts_cal_is_working_day(c, (int32_t)d1) ? day_overlap(c, s1, DAY_SECS) : 0;
  n += working_days(c, d1 + 1, d2) * ts_cal_day_seconds(c);
  if (s2 > 0 && ts_cal_is_working_day(c, (int32_t)d2))
    n += day_overlap(c, 0, s2);
  return n;
}

/* ---- working hours as text ------------------------------------------------------------ */

static int is_digit(char ch) {
  return ch >= '0' && ch <= '9';
}

static const char *skip_blanks(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* "HH:MM" at p, 00:00..24:00, into minutes from midnight; *end after it. */
static int parse_hhmm(const char *p, int *minutes, const char **end) {
  if (!is_digit(p[0]) || !is_digit(p[1]) || p[2] != ':' || !is_digit(p[3]) || !is_digit(p[4]))
    return 0;
  int h = (p[0] - '0') * 10 + (p[1] - '0'), m = (p[3] - '0') * 10 + (p[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0))
    return 0;
  *minutes = h * 60 + m;
  *end = p + 5;
  return 1;
}

/* Blanks are allowed around the times, commas and dashes; spans may touch but not overlap. */
int ts_cal_parse_spans(const char *s, ts_calendar *c) {
  ts_work_span v[TS_CAL_SPANS_MAX];
  int n = 0;
  if (!s || !c)
    return TS_ERR_INVALID;
  const char *p = s;
  for (;;) {
    int a, b;
    if (!parse_hhmm(skip_blanks(p), &a, &p))
      return TS_ERR_INVALID;
    p = skip_blanks(p);
    if (*p != '-')
      return TS_ERR_INVALID;
    if (!parse_hhmm(skip_blanks(p + 1), &b, &p))
      return TS_ERR_INVALID;
    if (a >= b || n == TS_CAL_SPANS_MAX || (n > 0 && a < v[n - 1].end))
      return TS_ERR_INVALID; /* empty, backwards, too many, unsorted or overlapping */
    v[n].start = a;
    v[n].end = b;
    n++;
    p = skip_blanks(p);
    if (*p == '\0')
      break;
    if (*p != ',')
      return TS_ERR_INVALID;
    p++;
  }
  memset(c->spans, 0, sizeof c->spans);
  memcpy(c->spans, v, (size_t)n * sizeof v[0]);
  c->nspans = n;
  return TS_OK;
}

static size_t put_hhmm(char *buf, size_t n, int minutes) {
  int h = minutes / 60, m = minutes % 60;
  buf[n++] = (char)('0' + h / 10);
  buf[n++] = (char)('0' + h % 10);
  buf[n++] = ':';
  buf[n++] = (char)('0' + m / 10);
  buf[n++] = (char)('0' + m % 10);
  return n;
}

/* A calendar without spans writes "" (which ts_cal_parse_spans refuses: a calendar needs
 * working hours). TS_ERR_INVALID for invalid spans or when out is too small. */
int ts_cal_format_spans(const ts_calendar *c, char *out, size_t outsz) {
  char buf[TS_CAL_SPANS_MAX * 12]; /* "HH:MM-HH:MM," per span; the last comma is the NUL */
  size_t n = 0;
  if (!c || !out || !spans_ok(c->spans, c->nspans))
    return TS_ERR_INVALID;
  for (int i = 0; i < c->nspans; i++) {
    if (i > 0)
      buf[n++] = ',';
    n = put_hhmm(buf, n, c->spans[i].start);
    buf[n++] = '-';
    n = put_hhmm(buf, n, c->spans[i].end);
  }
  buf[n] = '\0';
  if (n >= outsz)
    return TS_ERR_INVALID;
  memcpy(out, buf, n + 1);
  return TS_OK;
}

/* ---- a line of a year's list ---------------------------------------------------------- */

/* The kinds of a line, English and the Chinese calendar's own marks. */
static const struct {
  const char *word;
  int working;
} line_kinds[] = {
    {"holiday", 0}, {"off", 0}, {"休", 0}, {"workday", 1}, {"work", 1}, {"班", 1},
};

/* Case-insensitive (ASCII) equality of [p, p + n) and word. */
static int word_is(const char *p, size_t n, const char *word) {
  if (strlen(word) != n)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char a = p[i], b = word[i];
    a = (char)(a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a);
    if (a != b)
      return 0;
  }
  return 1;
}

/* The length of the UTF-8 character at p (before end) and its code point, or 0 when the bytes
 * are not UTF-8 (truncated, overlong, surrogate, beyond U+10FFFF). */
static size_t utf8_char(const unsigned char *p, const unsigned char *end, uint32_t *cp) {
  size_t len;
  uint32_t v, min;
  if (p[0] < 0x80) {
    *cp = p[0];
    return 1;
  } else if ((p[0] & 0xE0) == 0xC0) {
    len = 2, v = p[0] & 0x1Fu, min = 0x80;
  } else if ((p[0] & 0xF0) == 0xE0) {
    len = 3, v = p[0] & 0x0Fu, min = 0x800;
  } else if ((p[0] & 0xF8) == 0xF0) {
    len = 4, v = p[0] & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if ((size_t)(end - p) < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    v = v << 6 | (p[i] & 0x3Fu);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return len;
}

/* NULL if [p, end) is a valid name, else why not. */
static const char *name_problem(const char *p, const char *end) {
  const unsigned char *u = (const unsigned char *)p, *e = (const unsigned char *)end;
  size_t chars = 0;
  while (u < e) {
    uint32_t cp;
    size_t len = utf8_char(u, e, &cp);
    if (len == 0)
      return "name is not valid UTF-8";
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
      return "name has control characters";
    if (++chars > NAME_CHARS_MAX)
      return "name is longer than 100 characters";
    u += len;
  }
  return NULL;
}

/* 1 if [p, p + n) is a real date "YYYY-MM-DD" of years 0001..9999. */
static int date_ok(const char *p, size_t n) {
  if (n != 10 || p[4] != '-' || p[7] != '-')
    return 0;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !is_digit(p[i]))
      return 0;
  int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  int m = (p[5] - '0') * 10 + (p[6] - '0'), d = (p[8] - '0') * 10 + (p[9] - '0');
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

static int is_sep(char ch) {
  return ch == ',' || ch == '\t';
}

/* [*p, *end) without the spaces around it. */
static void trim(const char **p, const char **end) {
  while (*p < *end && **p == ' ')
    (*p)++;
  while (*end > *p && (*end)[-1] == ' ')
    (*end)--;
}

static int line_error(const char **why, const char *reason) {
  if (why)
    *why = reason;
  return TS_ERR_INVALID;
}

/* The line may end in "\n" or "\r\n". The name is the rest of the line after the second
 * separator, so it may hold commas; a tab in it is a control character. name needs room for
 * 100 characters of up to four bytes (401 bytes) for every valid line to fit. Any output may
 * be NULL; outputs and *why are written only on success and on TS_ERR_INVALID respectively. */
int ts_cal_parse_line(const char *line, char date[11], int *working, char *name, size_t namesz,
                      const char **why) {
  if (!line)
    return line_error(why, "no line");
  const char *p = line, *end;
  if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
    p += 3; /* a byte order mark, as spreadsheets write at the start of a file */
  end = p + strlen(p);
  while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
    end--;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if (p == end || *p == '#')
    return TS_ERR_NOT_FOUND;

  const char *date_p = p, *date_end = p;
  while (date_end < end && !is_sep(*date_end))
    date_end++;
  if (date_end == end)
    return line_error(why, "expected date,kind,name");
  const char *kind_p = date_end + 1, *kind_end = kind_p;
  while (kind_end < end && !is_sep(*kind_end))
    kind_end++;
  const char *name_p = kind_end < end ? kind_end + 1 : end, *name_end = end;
  trim(&date_p, &date_end);
  trim(&kind_p, &kind_end);
  trim(&name_p, &name_end);

  if (!date_ok(date_p, (size_t)(date_end - date_p)))
    return line_error(why, "date must be a real YYYY-MM-DD");
  int w = -1;
  for (size_t i = 0; i < sizeof line_kinds / sizeof line_kinds[0]; i++)
    if (word_is(kind_p, (size_t)(kind_end - kind_p), line_kinds[i].word))
      w = line_kinds[i].working;
  if (w < 0)
    return line_error(why, "kind must be holiday or workday");
  const char *problem = name_problem(name_p, name_end);
  if (problem)
    return line_error(why, problem);
  size_t namelen = (size_t)(name_end - name_p);
  if (name && namelen >= namesz)
    return line_error(why, "name does not fit");

  if (date) {
    memcpy(date, date_p, 10);
    date[10] = '\0';
  }
  if (working)
    *working = w;
  if (name) {
    memcpy(name, name_p, namelen);
    name[namelen] = '\0';
  }
  return TS_OK;
}
