#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/text.h"
#include "core/ts_err.h"
#include "http/metrics.h"
#include "http/static.h"
#include "util/clock.h"
#include "util/log.h"

#define DRAIN_MAX (64ULL << 20) /* most bytes read and dropped to deliver a 413 cleanly */

enum {
  PH_NEW,       /* allocated, waiting for the body */
  PH_BODY_DONE, /* body complete, dispatched, replied or deferred */
  PH_DEFERRED,  /* suspended, waiting for the writer */
  PH_RESUMED,   /* writer finished; finish() replies */
  PH_REPLIED
};

struct ts_server {
  struct MHD_Daemon *d;
  ts_app *app;
  atomic_int in_flight; /* requests between their first callback and completion */
  atomic_int active;    /* requests dispatched and not yet replied (deferred included) */
  atomic_int draining;  /* shutting down: new requests get 503 */
};

/* ---- replies ------------------------------------------------------------------------------ */

static void set_reply(ts_req *r, int status, const char *ctype, char *body, size_t len) {
  free(r->resp);
  r->status = status;
  r->content_type = ctype;
  r->resp = body;
  r->resp_len = len;
}

void ts_reply_json(ts_req *r, int status, json_t *body) {
  char *s = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
  json_decref(body);
  if (!s) {
    static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
    s = strdup(oom);
    status = 500;
  }
  set_reply(r, status, "application/json; charset=utf-8", s, s ? strlen(s) : 0);
}

void ts_reply_error_status(ts_req *r, int status, const char *code, const char *message,
                           json_t *details) {
  json_t *e = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", code, "message", message,
                        "details", details ? details : json_object());
  ts_reply_json(r, status, e);
}

void ts_reply_error(ts_req *r, int rc, const char *message, json_t *details) {
  ts_reply_error_status(r, ts_err_http_status(rc), ts_err_code(rc), message, details);
}

void ts_reply_raw(ts_req *r, int status, const char *content_type, const char *body,
                  size_t len) {
  char *copy = malloc(len + 1);
  if (!copy) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    return;
  }
  memcpy(copy, body, len);
  copy[len] = '\0';
  set_reply(r, status, content_type, copy, len);
}

void ts_reply_take(ts_req *r, int status, const char *content_type, char *body, size_t len) {
  snprintf(r->ctype_buf, sizeof r->ctype_buf, "%s", content_type);
  set_reply(r, status, r->ctype_buf, body, len);
}

int ts_req_add_header(ts_req *r, const char *name, const char *value) {
  if (r->nhdr >= TS_REPLY_HEADERS_MAX || strlen(name) >= sizeof r->hdr_name[0] ||
      strlen(value) >= sizeof r->hdr_value[0])
    return TS_ERR_INVALID;
  snprintf(r->hdr_name[r->nhdr], sizeof r->hdr_name[0], "%s", name);
  snprintf(r->hdr_value[r->nhdr], sizeof r->hdr_value[0], "%s", value);
  r->nhdr++;
  return TS_OK;
}

static enum MHD_Result send_reply(ts_req *r) {
  if (!r->resp)
    ts_reply_error(r, TS_ERR_STORE, "no reply", NULL);
  struct MHD_Response *resp =
    MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
  if (!resp)
    return MHD_NO;
  r->resp = NULL; /* now libmicrohttpd's */
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(resp, "X-Request-Id", r->request_id);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  if (r->close)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
  for (int i = 0; i < r->nhdr; i++)
    MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
  enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  r->phase = PH_REPLIED;
  return ok;
}

/* ---- request accessors ----------------------------------------------------------------------- */

const char *ts_req_param(const ts_req *r, int n) {
  return n >= 0 && n < r->nparams ? r->params[n] : NULL;
}

const char *ts_req_query(const ts_req *r, const char *key) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *ts_req_header(const ts_req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* ---- routing ----------------------------------------------------------------------------------- */

/* Matches url against pattern; on success fills r->params. */
static int match_route(const char *pattern, const char *url, ts_req *r) {
  const char *p = pattern, *u = url;
  int np = 0;
  char *caps[TS_MAX_PARAMS] = {0};
  while (*p && *u) {
    if (*p != '/' || *u != '/')
      goto no;
    p++;
    u++;
    const char *pe = strchr(p, '/'), *ue = strchr(u, '/');
    size_t pl = pe ? (size_t)(pe - p) : strlen(p), ul = ue ? (size_t)(ue - u) : strlen(u);
    if (pl == 2 && p[0] == '{' && p[1] == '}') {
      if (ul == 0 || ul > 128 || np == TS_MAX_PARAMS)
        goto no;
      if (!(caps[np] = strndup(u, ul)))
        goto no;
      np++;
    } else if (pl != ul || memcmp(p, u, pl) != 0) {
      goto no;
    }
    p += pl;
    u += ul;
  }
  if (*p || *u)
    goto no;
  for (int i = 0; i < np; i++)
    r->params[i] = caps[i];
  r->nparams = np;
  return 1;
no:
  for (int i = 0; i < np; i++)
    free(caps[i]);
  return 0;
}

/* Finds the route for the request. Returns 1 and sets r->route; 0 with *path_known set
 * when the path exists for another method (405). */
static int find_route(ts_req *r, int *path_known) {
  size_t n = 0;
  *path_known = 0;
  r->allow[0] = '\0';
  for (int i = 0; i < ts_routes_count; i++) {
    if ((ts_routes[i].flags & TS_ROUTE_TEST_ONLY) && !r->app->test_clock)
      continue;
    if (!match_route(ts_routes[i].pattern, r->url, r))
      continue;
    if (strcmp(ts_routes[i].method, r->method) == 0) {
      r->route = i;
      return 1;
    }
    *path_known = 1;
    n += (size_t)snprintf(r->allow + n, n < sizeof r->allow ? sizeof r->allow - n : 0, "%s%s",
                          n ? ", " : "", ts_routes[i].method);
    for (int k = 0; k < r->nparams; k++) {
      free(r->params[k]);
      r->params[k] = NULL;
    }
    r->nparams = 0;
  }
  return 0;
}

/* ---- authentication ---------------------------------------------------------------------- */

/* The caller of a bearer token, or TS_ERR_UNAUTH. The token itself is never logged. */
static int authenticate(ts_req *r) {
  const char *h = ts_req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
  unsigned char hash[crypto_hash_sha256_BYTES];
  if (!h || strncasecmp(h, "Bearer ", 7) != 0)
    return TS_ERR_UNAUTH;
  const char *tok = h + 7;
  size_t n = strlen(tok);
  if (n < 16 || n > 128)
    return TS_ERR_UNAUTH;
  crypto_hash_sha256(hash, (const unsigned char *)tok, n);
  int rc = ts_store_session_user(r->app->store, hash, ts_now(), &r->user);
  if (rc)
    return rc == TS_ERR_UNAUTH ? rc : rc;
  r->who.user_id = r->user.id;
  r->who.username = r->user.username;
  r->who.roles = r->user.roles;
  r->who.unit_path = r->user.unit_path;
  return TS_OK;
}

/* The body limit of the request's route (uploads may be larger than JSON). */
static size_t body_limit(const ts_req *r) {
  if (r->route >= 0 && (ts_routes[r->route].flags & TS_ROUTE_UPLOAD))
    return r->app->max_upload;
  return r->app->max_body;
}

static void dispatch(ts_req *r) {
  if (!ts_utf8_valid(r->url, strlen(r->url))) {
    ts_reply_error(r, TS_ERR_MALFORMED, "the path is not valid UTF-8", NULL);
    return;
  }
  if (r->route < 0) {
    if (r->path_known) {
      ts_req_add_header(r, "Allow", r->allow);
      ts_reply_error_status(r, 405, "method_not_allowed", "method not allowed on this path",
                            json_pack("{s:s}", "allow", r->allow));
    }
    else
      ts_reply_error(r, TS_ERR_NOT_FOUND, "no such resource", NULL);
    return;
  }
  const ts_route *rt = &ts_routes[r->route];
  if (rt->roles) {
    int rc = authenticate(r);
    if (rc) {
      if (rc == TS_ERR_UNAUTH)
        ts_reply_error(r, rc, "missing, invalid or expired token", NULL);
      else
        ts_reply_error(r, rc, "cannot check the token", NULL);
      return;
    }
    if (!(r->user.roles & rt->roles)) {
      ts_reply_error(r, TS_ERR_FORBIDDEN, "your role may not do this", NULL);
      return;
    }
  }
  rt->fn(r);
}

/* ---- the web application's files ------------------------------------------------------------ */

/* A request no route has, outside the API, when the web application is served: its files
 * answer it (http/static.h). Everything else keeps the API's 404 and 405. */
static int wants_static(const ts_req *r) {
  return r->route < 0 && !r->path_known && r->app->web && ts_utf8_valid(r->url, strlen(r->url)) &&
         ts_static_claims(r->url);
}

static enum MHD_Result send_static(ts_req *r) {
  struct MHD_Response *resp = NULL;
  unsigned status = 0;
  if (ts_static_respond(r->app->web, r->conn, r->method, r->url, &status, &resp)) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    return send_reply(r);
  }
  MHD_add_response_header(resp, "X-Request-Id", r->request_id);
  enum MHD_Result ok = MHD_queue_response(r->conn, status, resp);
  MHD_destroy_response(resp);
  r->status = (int)status;
  r->phase = PH_REPLIED;
  return ok;
}

/* ---- deferred writes ---------------------------------------------------------------------- */

static int defer_apply(ts_tx *tx, void *arg) {
  ts_req *r = arg;
  return r->apply(tx, r->wctx);
}

static void defer_done(void *arg, int rc) {
  ts_req *r = arg;
  r->wrc = rc;
  r->phase = PH_RESUMED;
  MHD_resume_connection(r->conn);
}

void ts_req_defer(ts_req *r, ts_apply_fn apply, void *wctx, void (*wfree)(void *),
                  void (*finish)(ts_req *r, int rc)) {
  r->wctx = wctx;
  r->wfree = wfree;
  r->finish = finish;
  r->apply = apply;
  r->phase = PH_DEFERRED;
  MHD_suspend_connection(r->conn);
  int rc = ts_store_submit(r->app->store, defer_apply, defer_done, r);
  if (rc)
    defer_done(r, rc); /* never queued: finish(r, rc) answers with the error */
}

static void reply_too_big(ts_req *r) {
  ts_reply_error(r, TS_ERR_TOO_LARGE, "request body too large",
                 json_pack("{s:I}", "max_bytes", (json_int_t)body_limit(r)));
}

/* ---- libmicrohttpd callbacks ------------------------------------------------------------ */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  ts_server *srv = cls;
  ts_req *r = *con_cls;
  (void)version;
  if (!r) {
    unsigned char rnd[8];
    if (!(r = calloc(1, sizeof *r)))
      return MHD_NO;
    r->app = srv->app;
    r->conn = conn;
    r->url = url;
    r->method = method;
    r->route = -1;
    r->t0 = ts_mono_ns();
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(r->request_id, sizeof r->request_id, rnd, sizeof rnd);
    atomic_fetch_add(&srv->in_flight, 1);
    *con_cls = r;
    if (ts_utf8_valid(url, strlen(url)))
      find_route(r, &r->path_known);
    /* A declared body over the limit: a client that asked "Expect: 100-continue" is
     * refused before it sends anything. Others send at once; closing on them mid-send
     * resets the connection before they read the 413, so a body up to DRAIN_MAX past
     * the limit is read and dropped, and answered at its end. Only an absurd one is cut
     * off at once. */
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
      unsigned long long declared = strlen(cl) > 15 ? ~0ULL : strtoull(cl, NULL, 10);
      const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                       MHD_HTTP_HEADER_EXPECT);
      if (declared > body_limit(r)) {
        if (expect || declared > body_limit(r) + DRAIN_MAX) {
          reply_too_big(r);
          return send_reply(r);
        }
        r->too_big = 1;
      }
    }
    return MHD_YES; /* reply only once the body is in: keeps keep-alive working */
  }
  if (r->phase == PH_NEW && *upload_data_size) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    if (r->too_big || r->body_len + n > body_limit(r)) {
      r->too_big = 1; /* keep reading, drop the bytes, answer 413 at the end */
      return MHD_YES;
    }
    if (r->body_len + n + 1 > r->body_cap) {
      size_t cap = r->body_cap ? r->body_cap : 1024;
      while (cap < r->body_len + n + 1)
        cap *= 2;
      char *g = realloc(r->body, cap);
      if (!g)
        return MHD_NO;
      r->body = g;
      r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, upload_data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return MHD_YES;
  }
  if (r->phase == PH_REPLIED) {
    *upload_data_size = 0; /* discard the rest of a body we refused */
    return MHD_YES;
  }
  if (r->phase == PH_RESUMED) {
    r->finish(r, r->wrc);
    enum MHD_Result ok = send_reply(r);
    atomic_fetch_sub(&srv->active, 1);
    return ok;
  }
  if (r->phase == PH_DEFERRED)
    return MHD_YES;
  r->phase = PH_BODY_DONE;
  if (r->too_big) {
    reply_too_big(r);
    return send_reply(r);
  }
  /* Counted before the draining check: once shutdown has seen active == 0, every later
   * request sees draining and never reaches the store. */
  atomic_fetch_add(&srv->active, 1);
  if (atomic_load(&srv->draining)) {
    r->close = 1;
    ts_reply_error(r, TS_ERR_BUSY, "shutting down", NULL);
  } else if (wants_static(r)) {
    atomic_fetch_sub(&srv->active, 1);
    return send_static(r);
  } else {
    dispatch(r);
  }
  /* A deferred write may already have finished on the writer thread (RESUMED): either
   * way the next callback, after the resume, replies. */
  int ph = atomic_load(&r->phase);
  if (ph == PH_DEFERRED || ph == PH_RESUMED)
    return MHD_YES;
  atomic_fetch_sub(&srv->active, 1);
  return send_reply(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  ts_server *srv = cls;
  ts_req *r = *con_cls;
  (void)conn;
  if (!r)
    return;
  int64_t dur = ts_mono_ns() - r->t0;
  int status = r->phase == PH_REPLIED ? r->status : 0;
  ts_metrics_observe(r->route, status, dur);
  json_t *line = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:f}", "msg", "request", "request_id",
                           r->request_id, "method", r->method, "path", r->url, "user",
                           r->user.id ? r->user.username : "-", "status", status,
                           "duration_ms", (double)dur / 1e6);
  if (line) {
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
      json_object_set_new(line, "terminated", json_integer(toe));
    ts_log(TS_LOG_INFO, "request", line);
  }
  for (int i = 0; i < r->nparams; i++)
    free(r->params[i]);
  if (r->wfree)
    r->wfree(r->wctx);
  free(r->body);
  free(r->resp);
  free(r);
  *con_cls = NULL;
  atomic_fetch_sub(&srv->in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
  char buf[512];
  (void)cls;
  vsnprintf(buf, sizeof buf, fmt, ap);
  size_t n = strlen(buf);
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
    buf[--n] = '\0';
  ts_log(TS_LOG_WARN, "libmicrohttpd", json_pack("{s:s}", "detail", buf));
}

int ts_server_start(ts_app *app, const ts_server_opts *o, ts_server **out) {
  ts_server *srv = calloc(1, sizeof *srv);
  struct sockaddr_in sa;
  if (!srv)
    return TS_ERR_NOMEM;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)o->port);
  if (inet_pton(AF_INET, o->address, &sa.sin_addr) != 1) {
    free(srv);
    return TS_ERR_INVALID;
  }
  srv->app = app;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                   MHD_USE_ERROR_LOG;
  srv->d = MHD_start_daemon(
    flags, (uint16_t)o->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
    NULL, MHD_OPTION_SOCK_ADDR,
    (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads > 0 ? o->threads : 4),
    MHD_OPTION_CONNECTION_LIMIT, o->connection_limit ? o->connection_limit : 1024u,
    MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s ? o->timeout_s : 30u,
    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(o->header_limit ? o->header_limit : 32768),
    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
    MHD_OPTION_END);
  if (!srv->d) {
    free(srv);
    return TS_ERR_STORE;
  }
  *out = srv;
  return TS_OK;
}

int ts_server_port(ts_server *srv) {
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
  return info ? info->port : 0;
}

void ts_server_quiesce(ts_server *srv, int wait_ms) {
  atomic_store(&srv->draining, 1);
  MHD_socket fd = MHD_quiesce_daemon(srv->d);
  if (fd != MHD_INVALID_SOCKET)
    close(fd);
  /* Requests already dispatched finish: deferred writes are committed and answered.
   * (libmicrohttpd must not be stopped with a connection still suspended.) */
  int waited = 0;
  for (; waited < wait_ms && atomic_load(&srv->active) > 0; waited += 5)
    usleep(5000);
  /* Give their replies a moment to leave. */
  for (int extra = 0; extra < 1000 && atomic_load(&srv->in_flight) > 0; extra += 5)
    usleep(5000);
}

void ts_server_stop(ts_server *srv) {
  if (!srv)
    return;
  MHD_stop_daemon(srv->d);
  free(srv);
}
