/* The HTTP server: libmicrohttpd with a thread pool on epoll, a route table, bounded
 * request bodies, bearer-token authentication, group-committed writes through
 * suspend/resume, an access-log line and metrics for every request.
 *
 * A request's life: the first callback allocates a ts_req and matches the route; the
 * body arrives in later callbacks (bounded by max_body: 413 past it); when it is complete
 * the server authenticates, checks the route's roles and calls the handler. A handler
 * either replies at once (ts_reply_*) or defers a write (ts_req_defer): the connection is
 * suspended until the store's writer has committed, then resumed, and the handler's
 * finish function replies. */
#ifndef TS_SERVER_H
#define TS_SERVER_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/perm.h"
#include "store/store.h"

typedef struct ts_req ts_req;
typedef struct ts_server ts_server;
typedef struct ts_metrics ts_metrics;

typedef void (*ts_handler_fn)(ts_req *r);

/* One row of the route table. Patterns are literal segments and "{}" for one captured
 * segment. roles == 0: public, no token needed; otherwise the caller must hold one of
 * these roles (else 403). */
typedef struct {
  const char *method;
  const char *pattern;
  ts_handler_fn fn;
  unsigned roles;
  unsigned flags; /* TS_ROUTE_* */
} ts_route;

enum {
  TS_ROUTE_UPLOAD = 1u << 0,    /* the body may be up to max_upload (files), not max_body */
  TS_ROUTE_TEST_ONLY = 1u << 1, /* exists only with serve --test-clock */
};

/* What handlers may use: shared, read-only after start. */
typedef struct {
  ts_store *store;
  const char *case_prefix; /* "TS" */
  size_t max_body;         /* bytes of a JSON body */
  size_t max_upload;       /* bytes of an upload (evidence) */
  const char *evidence_dir; /* where evidence files are kept */
  int64_t token_ttl;       /* seconds */
  int test_clock;          /* the test endpoints exist */
  const struct ts_smtp_conf_s *smtp; /* outbound mail (notify/send.h), for the test tick */
  const struct ts_static *web; /* the web application's files (http/static.h); NULL: none */
} ts_app;

#define TS_MAX_PARAMS 4
#define TS_REPLY_HEADERS_MAX 8 /* extra response headers a handler may add */

struct ts_req {
  ts_app *app;
  struct MHD_Connection *conn;
  const char *method; /* owned by libmicrohttpd for the request's life */
  const char *url;
  int route;          /* index in the route table, -1 if none */
  int path_known;     /* no route, but the path exists for another method (405) */
  char allow[64];     /* the methods that path has, for 405's Allow header */
  char *params[TS_MAX_PARAMS]; /* captured segments, owned */
  int nparams;
  char *body;
  size_t body_len, body_cap;
  int too_big; /* the body passed max_body: its bytes are dropped, 413 follows */
  ts_user user; /* the authenticated caller (user.id == 0: none) */
  ts_principal who;
  char request_id[24];
  int64_t t0; /* monotonic ns at arrival */
  /* the reply */
  int status;
  char *resp; /* owned */
  size_t resp_len;
  const char *content_type;
  int close; /* ask the client to close the connection */
  char ctype_buf[128];
  char hdr_name[TS_REPLY_HEADERS_MAX][32], hdr_value[TS_REPLY_HEADERS_MAX][512]; /* extra headers */
  int nhdr;
  /* deferred writes */
  atomic_int phase; /* written by the writer thread when a deferred write finishes */
  ts_apply_fn apply;
  void (*finish)(ts_req *r, int rc);
  void *wctx;  /* the handler's write context, freed with wfree */
  void (*wfree)(void *wctx);
  int wrc;
};

/* The route table (api/routes.c). */
extern const ts_route ts_routes[];
extern const int ts_routes_count;

typedef struct {
  const char *address; /* "127.0.0.1" */
  int port;            /* 0: any free port (read it back with ts_server_port) */
  int threads;         /* thread-pool size */
  unsigned connection_limit;
  unsigned timeout_s;  /* idle connection timeout */
  size_t header_limit; /* per-connection memory for headers (bytes) */
} ts_server_opts;

int ts_server_start(ts_app *app, const ts_server_opts *o, ts_server **out);
int ts_server_port(ts_server *srv);
/* Stops accepting connections, waits (at most wait_ms) for requests in flight to finish. */
void ts_server_quiesce(ts_server *srv, int wait_ms);
void ts_server_stop(ts_server *srv);

/* The n-th captured path segment. */
const char *ts_req_param(const ts_req *r, int n);
/* A query-string value, or NULL. */
const char *ts_req_query(const ts_req *r, const char *key);
/* A request header, or NULL. */
const char *ts_req_header(const ts_req *r, const char *name);

/* Replies: the body is JSON (stolen reference). */
void ts_reply_json(ts_req *r, int status, json_t *body);
/* {"error":{"code","message","details"}} for rc (status from ts_err_http_status);
 * details stolen, may be NULL. */
void ts_reply_error(ts_req *r, int rc, const char *message, json_t *details);
/* Same with an explicit status and code (405, 431 ...). */
void ts_reply_error_status(ts_req *r, int status, const char *code, const char *message,
                           json_t *details);
/* A raw body (copied). */
void ts_reply_raw(ts_req *r, int status, const char *content_type, const char *body,
                  size_t len);

/* A raw body owned by the caller until now (taken over, freed with free()); the content
 * type is copied. */
void ts_reply_take(ts_req *r, int status, const char *content_type, char *body, size_t len);
/* Adds a response header (at most two; longer values are refused). */
int ts_req_add_header(ts_req *r, const char *name, const char *value);

/* Hands a write to the store's writer and suspends the request. When the write has been
 * committed (or failed), finish(r, rc) runs on an HTTP thread and must reply. wctx is
 * the write's context, freed by wfree when the request ends. If the write cannot be
 * queued, replies with the error itself. */
void ts_req_defer(ts_req *r, ts_apply_fn apply, void *wctx, void (*wfree)(void *),
                  void (*finish)(ts_req *r, int rc));

/* Prometheus text of the server's metrics (malloc'd). */
char *ts_metrics_render(ts_app *app);

#endif
