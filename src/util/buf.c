#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

#include "core/ts_err.h"

void ts_buf_add(ts_buf *b, const char *s, size_t n) {
  if (b->rc)
    return;
  if (b->max && n > b->max - b->len) {
    b->rc = TS_ERR_TOO_LARGE;
    return;
  }
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->rc = TS_ERR_NOMEM;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  if (n)
    memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void ts_buf_str(ts_buf *b, const char *s) { ts_buf_add(b, s, strlen(s)); }

int ts_buf_finish(ts_buf *b, char **out) {
  if (!b->rc && !b->p)
    ts_buf_add(b, "", 0);
  if (b->rc) {
    free(b->p);
    b->p = NULL;
    return b->rc;
  }
  *out = b->p;
  return TS_OK;
}
