#include "core/ts_err.h"

static const struct {
  const char *code;
  int status;
} err_table[TS_ERR__COUNT] = {
  [TS_OK] = {"ok", 200},
  [TS_ERR_NOMEM] = {"internal", 500},
  [TS_ERR_MALFORMED] = {"malformed", 400},
  [TS_ERR_INVALID] = {"invalid", 422},
  [TS_ERR_UNAUTH] = {"unauthorized", 401},
  [TS_ERR_FORBIDDEN] = {"forbidden", 403},
  [TS_ERR_NOT_FOUND] = {"not_found", 404},
  [TS_ERR_CONFLICT] = {"conflict", 409},
  [TS_ERR_TOO_LARGE] = {"too_large", 413},
  [TS_ERR_RATE] = {"rate_limited", 429},
  [TS_ERR_STORE] = {"internal", 500},
  [TS_ERR_BUSY] = {"unavailable", 503},
};

const char *ts_err_code(int rc) {
  if (rc < 0 || rc >= TS_ERR__COUNT)
    return "internal";
  return err_table[rc].code;
}

int ts_err_http_status(int rc) {
  if (rc < 0 || rc >= TS_ERR__COUNT)
    return 500;
  return err_table[rc].status;
}
