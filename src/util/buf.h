/* A growing text buffer with a ceiling and a sticky error: after the first failure every
 * append is a no-op, so a builder checks once at the end. No I/O. */
#ifndef TS_BUF_H
#define TS_BUF_H

#include <stddef.h>

typedef struct {
  char *p;      /* NUL-terminated once anything was added */
  size_t len, cap;
  size_t max;   /* most bytes it may hold (0: no ceiling) */
  int rc;       /* TS_OK, TS_ERR_NOMEM or TS_ERR_TOO_LARGE (or a builder's own) */
} ts_buf;

void ts_buf_add(ts_buf *b, const char *s, size_t n);
void ts_buf_str(ts_buf *b, const char *s);
/* Hands the text to *out (the caller frees it; "" if nothing was added) or frees it;
 * returns the buffer's result. */
int ts_buf_finish(ts_buf *b, char **out);

#endif
