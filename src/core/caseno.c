#include "core/caseno.h"

#include <stdio.h>
#include <string.h>

#include "core/ts_err.h"

int ts_caseno_prefix_ok(const char *prefix) {
  size_t n = prefix ? strlen(prefix) : 0;
  if (n == 0 || n > TS_CASENO_PREFIX_MAX)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (prefix[i] < 'A' || prefix[i] > 'Z')
      return 0;
  return 1;
}

int ts_caseno_period(const char *prefix, int year, int month, char *out, size_t outsz) {
  if (!ts_caseno_prefix_ok(prefix) || year < 2000 || year > 9999 || month < 1 || month > 12)
    return TS_ERR_INVALID;
  int n = snprintf(out, outsz, "%s%04d%02d", prefix, year, month);
  return (n < 0 || (size_t)n >= outsz) ? TS_ERR_INVALID : TS_OK;
}

int ts_caseno_format(const char *prefix, int year, int month, int64_t serial, char *out,
                     size_t outsz) {
  if (serial < 1 || serial > 999999999)
    return TS_ERR_INVALID;
  char period[TS_CASENO_MAX];
  int rc = ts_caseno_period(prefix, year, month, period, sizeof period);
  if (rc)
    return rc;
  int n = snprintf(out, outsz, "%s%0*lld", period, TS_CASENO_MIN_DIGITS, (long long)serial);
  return (n < 0 || (size_t)n >= outsz) ? TS_ERR_INVALID : TS_OK;
}

int ts_caseno_parse(const char *s, char *prefix, size_t prefixsz, int *year, int *month,
                    int64_t *serial) {
  size_t n = s ? strlen(s) : 0, p = 0;
  if (n >= TS_CASENO_MAX)
    return TS_ERR_INVALID;
  while (p < n && s[p] >= 'A' && s[p] <= 'Z')
    p++;
  if (p == 0 || p > TS_CASENO_PREFIX_MAX || n - p < 6 + TS_CASENO_MIN_DIGITS || n - p > 6 + 9)
    return TS_ERR_INVALID;
  for (size_t i = p; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return TS_ERR_INVALID;
  int y = (s[p] - '0') * 1000 + (s[p + 1] - '0') * 100 + (s[p + 2] - '0') * 10 + (s[p + 3] - '0');
  int m = (s[p + 4] - '0') * 10 + (s[p + 5] - '0');
  int64_t serial_v = 0;
  for (size_t i = p + 6; i < n; i++)
    serial_v = serial_v * 10 + (s[i] - '0');
  if (y < 2000 || m < 1 || m > 12 || serial_v < 1)
    return TS_ERR_INVALID;
  if (prefix) {
    if (prefixsz <= p)
      return TS_ERR_INVALID;
    memcpy(prefix, s, p);
    prefix[p] = '\0';
  }
  if (year)
    *year = y;
  if (month)
    *month = m;
  if (serial)
    *serial = serial_v;
  return TS_OK;
}
