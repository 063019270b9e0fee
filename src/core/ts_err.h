/* tousu result codes: one convention for the whole code base.
 *
 * Every function that can fail returns an int that is TS_OK (0) on success and one of
 * the codes below otherwise. Output parameters are written only on success. The HTTP
 * layer maps each code to one status (ts_err_http_status), so a module never needs to
 * know about HTTP to report the right error. */
#ifndef TS_ERR_H
#define TS_ERR_H

enum {
  TS_OK = 0,
  TS_ERR_NOMEM,     /* allocation failed */
  TS_ERR_MALFORMED, /* input cannot be parsed (bad JSON, bad UTF-8): 400 */
  TS_ERR_INVALID,   /* well-formed but invalid values: 422 */
  TS_ERR_UNAUTH,    /* no or expired credentials: 401 */
  TS_ERR_FORBIDDEN, /* authenticated, but role or place may not: 403 */
  TS_ERR_NOT_FOUND, /* no such thing, or the caller may not know it exists: 404 */
  TS_ERR_CONFLICT,  /* uniqueness or state conflict: 409 */
  TS_ERR_TOO_LARGE, /* body or field over its limit: 413 */
  TS_ERR_RATE,      /* too many requests: 429 */
  TS_ERR_STORE,     /* the store failed (I/O, corruption, constraint we did not expect): 500 */
  TS_ERR_BUSY,      /* shutting down or overloaded: 503 */
  TS_ERR__COUNT
};

/* The snake_case error code of API.md for rc ("invalid", "not_found", ...). */
const char *ts_err_code(int rc);
/* The HTTP status for rc. */
int ts_err_http_status(int rc);

#endif
