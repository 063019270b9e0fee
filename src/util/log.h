/* Logging: one JSON object per line on stderr. Callers pass only what is safe to log:
 * this module never sees a password or a token. */
#ifndef TS_LOG_H
#define TS_LOG_H

#include <jansson.h>

enum { TS_LOG_DEBUG, TS_LOG_INFO, TS_LOG_WARN, TS_LOG_ERROR };

void ts_log_set_level(int level);
/* Logs msg with optional fields (stolen reference; may be NULL). */
void ts_log(int level, const char *msg, json_t *fields);
/* printf-style convenience without fields. */
void ts_logf(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a ready JSON line (the access log) as one write. */
void ts_log_line(json_t *obj);

#endif
