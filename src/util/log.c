#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/tstime.h"

static int min_level = TS_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void ts_log_set_level(int level) { min_level = level; }

void ts_log_line(json_t *obj) {
  char *s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
  if (!s)
    return;
  size_t n = strlen(s);
  s[n] = '\n'; /* json_dumps leaves room for the NUL we replace */
  ssize_t w = write(STDERR_FILENO, s, n + 1);
  (void)w;
  free(s);
}

void ts_log(int level, const char *msg, json_t *fields) {
  if (level < min_level) {
    json_decref(fields);
    return;
  }
  char at[TS_TIME_MAX] = "";
  ts_time_format(ts_now(), at, sizeof at);
  json_t *o = fields && json_is_object(fields) ? fields : json_object();
  if (fields && !json_is_object(fields))
    json_decref(fields);
  json_object_set_new(o, "time", json_string(at));
  json_object_set_new(o, "level", json_string(level_names[level]));
  json_object_set_new(o, "msg", json_string(msg));
  ts_log_line(o);
  json_decref(o);
}

void ts_logf(int level, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  ts_log(level, buf, NULL);
}
