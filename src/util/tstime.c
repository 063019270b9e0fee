#include "util/tstime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ts_err.h"

static char zone_name[64] = "UTC";

int ts_time_set_zone(const char *zone) {
  char path[160];
  if (!zone || !*zone || strlen(zone) >= sizeof zone_name || strstr(zone, ".."))
    return TS_ERR_INVALID;
  if (strcmp(zone, "UTC") != 0) {
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
    FILE *f = fopen(path, "rb");
    if (!f)
      return TS_ERR_INVALID;
    fclose(f);
  }
  if (setenv("TZ", zone, 1) != 0)
    return TS_ERR_NOMEM;
  tzset();
  snprintf(zone_name, sizeof zone_name, "%s", zone);
  return TS_OK;
}

const char *ts_time_zone(void) { return zone_name; }

int64_t ts_days_from_civil(int y, int m, int d) {
  /* Howard Hinnant's days_from_civil. */
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m) {
  static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 ? 28 + leap : dm[m - 1];
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

static int parse_date(const char *s, int *y, int *m, int *d) {
  if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) || s[7] != '-' ||
      !digits(s + 8, 2, d))
    return 0;
  return *y >= 1970 && *y <= 9999 && *m >= 1 && *m <= 12 && *d >= 1 &&
         *d <= days_in_month(*y, *m);
}

int ts_date_ok(const char *s) {
  int y, m, d;
  return s && strlen(s) == 10 && parse_date(s, &y, &m, &d);
}

int ts_time_parse(const char *s, int64_t *out) {
  int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 1;
  size_t n = s ? strlen(s) : 0;
  if (n < 20 || n > 40 || !parse_date(s, &y, &mo, &d))
    return TS_ERR_INVALID;
  if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &h) || s[13] != ':' ||
      !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
    return TS_ERR_INVALID;
  if (h > 23 || mi > 59 || se > 59)
    return TS_ERR_INVALID;
  const char *p = s + 19;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9')
      return TS_ERR_INVALID;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    sign = *p == '-' ? -1 : 1;
    if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
      return TS_ERR_INVALID;
    p += 6;
  } else {
    return TS_ERR_INVALID;
  }
  if (*p)
    return TS_ERR_INVALID;
  int64_t t = ts_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  *out = t - sign * (oh * 3600 + om * 60);
  return TS_OK;
}

/* The zone's UTC offset at t. localtime_r takes glibc's global time-zone lock, so the
 * answer is cached per thread for the hour around t (zones change offset on the hour or
 * half hour at most once in a while; the cache is keyed by the quarter hour to be exact
 * for every zone in the database). */
static int zone_offset(int64_t t, long *off) {
  static __thread int64_t cached_slot = INT64_MIN;
  static __thread long cached_off;
  int64_t slot = t >= 0 ? t / 900 : (t - 899) / 900;
  if (slot != cached_slot) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
      return TS_ERR_INVALID;
    /* the offset of the slot's start and end must agree, or do not cache */
    time_t t2 = (time_t)(slot * 900 + 899);
    struct tm tm2;
    if (!localtime_r(&t2, &tm2))
      return TS_ERR_INVALID;
    if (tm.tm_gmtoff != tm2.tm_gmtoff) {
      *off = tm.tm_gmtoff;
      return TS_OK;
    }
    cached_slot = slot;
    cached_off = tm.tm_gmtoff;
  }
  *off = cached_off;
  return TS_OK;
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Local civil time of t in the organisation's zone. */
static int local_parts(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s, long *off) {
  if (zone_offset(t, off) != TS_OK)
    return TS_ERR_INVALID;
  int64_t lt = t + *off;
  int64_t days = lt >= 0 ? lt / 86400 : (lt - 86399) / 86400;
  int64_t secs = lt - days * 86400;
  civil_from_days(days, y, mo, d);
  *h = (int)(secs / 3600);
  *mi = (int)(secs % 3600 / 60);
  *s = (int)(secs % 60);
  return TS_OK;
}

int ts_time_format(int64_t t, char *out, size_t outsz) {
  int y, mo, d, h, mi, se;
  long off;
  if (local_parts(t, &y, &mo, &d, &h, &mi, &se, &off) != TS_OK || y < 0 || y > 9999)
    return TS_ERR_INVALID;
  char sign = off < 0 ? '-' : '+';
  if (off < 0)
    off = -off;
  int n = snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", y, mo, d, h, mi, se,
                   sign, off / 3600, (off % 3600) / 60);
  return (n < 0 || (size_t)n >= outsz) ? TS_ERR_INVALID : TS_OK;
}

int ts_time_year_month(int64_t t, int *year, int *month) {
  int d, h, mi, se;
  long off;
  return local_parts(t, year, month, &d, &h, &mi, &se, &off);
}

int32_t ts_time_offset(int64_t t) {
  long off = 0;
  return zone_offset(t, &off) == TS_OK ? (int32_t)off : 0;
}

int ts_time_local_date(int64_t t, char out[11]) {
  int y, mo, d, h, mi, se;
  long off;
  if (local_parts(t, &y, &mo, &d, &h, &mi, &se, &off) != TS_OK || y < 0 || y > 9999)
    return TS_ERR_INVALID;
  out[0] = (char)('0' + y / 1000), out[1] = (char)('0' + y / 100 % 10);
  out[2] = (char)('0' + y / 10 % 10), out[3] = (char)('0' + y % 10), out[4] = '-';
  out[5] = (char)('0' + mo / 10), out[6] = (char)('0' + mo % 10), out[7] = '-';
  out[8] = (char)('0' + d / 10), out[9] = (char)('0' + d % 10), out[10] = '\0';
  return TS_OK;
}
