/* Health, metrics, version, and the test clock (only with serve --test-clock). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/ts_err.h"
#include "util/clock.h"
#include "util/tstime.h"

void ts_api_healthz(ts_req *r) {
  if (ts_store_ping(r->app->store) == TS_OK)
    ts_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
  else
    ts_reply_error(r, TS_ERR_BUSY, "the store does not answer", NULL);
}

void ts_api_metrics(ts_req *r) {
  char *text = ts_metrics_render(r->app);
  if (!text) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    return;
  }
  ts_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
  free(text);
}

void ts_api_version(ts_req *r) {
  int cur = 0, latest = 0;
  ts_store_schema_version(r->app->store, &cur, &latest);
  ts_reply_json(r, 200, json_pack("{s:s,s:i,s:s}", "version", TS_VERSION, "schema", cur,
                                  "timezone", ts_time_zone()));
}

void ts_api_test_clock(ts_req *r) {
  json_t *body = NULL;
  int64_t t;
  if (!r->app->test_clock) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such resource", NULL);
    return;
  }
  if (ts_api_body(r, &body))
    return;
  const char *now = json_string_value(json_object_get(body, "now"));
  if (!now || ts_time_parse(now, &t) != TS_OK || json_object_size(body) != 1) {
    ts_api_invalid(r, json_pack("{s:s}", "now", "must be an RFC 3339 time"));
  } else {
    ts_clock_set(t);
    ts_reply_json(r, 200, json_pack("{s:o}", "now", ts_api_time_json(ts_now())));
  }
  json_decref(body);
}
