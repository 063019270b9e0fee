/* Full-text search, repeat and group complaints, similar library cases (issue 7):
 *   GET  /api/v1/search            cases and library write-ups matching q, best first
 *   POST /api/v1/intake/related    for a complaint being registered: the customer's cases,
 *                                  open cases on its subject or with similar words, and
 *                                  library write-ups like it
 *   GET  /api/v1/cases/{no}/related  the same for a case that exists
 *   GET  /api/v1/groups            group complaints (群诉): subjects with many open cases
 * Everything a caller gets is limited to what their role and place may see, as the list. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/grading.h"
#include "core/ts_err.h"
#include "core/text.h"
#include "search/query.h"
#include "svc/svc.h"
#include "util/buf.h"
#include "util/clock.h"

#define RELATED_DAYS 30    /* subject and similar text: cases received in the last 30 days */
#define RELATED_LIMIT 10   /* items per related list */
#define LIBRARY_SIMILAR 5  /* similar write-ups shown */
#define SIMILAR_TERMS 24   /* distinctive words a similarity query is made of */
/* /search counts matches up to this many; beyond, "total" is this and "total_exact" false
 * (GET /cases?q= counts them all). */
#define SEARCH_COUNT_MAX 10000

int ts_api_search_match(const char *q, int target, char *out, size_t outsz, const char **why) {
  ts_tok *tok = ts_tok_thread();
  if (!tok)
    return TS_ERR_NOMEM;
  return ts_squery_build(q, (ts_squery_target)target, tok, out, outsz, why);
}

/* The store's snippet (matches between U+E000 and U+E001) as HTML. */
static json_t *snippet_html(const char *raw) {
  ts_buf b = {.max = 64 * 1024};
  json_t *out = NULL;
  char *text = NULL;
  while (*raw == '\n')
    raw++;
  for (const char *p = raw; *p; p++) {
    if (*p == '\n') { /* the index joins a case's texts with newlines: one is enough */
      size_t n = strspn(p, "\n");
      if (p[n])
        ts_buf_str(&b, "\n");
      p += n - 1;
    } else if (!strncmp(p, TS_SNIPPET_OPEN, 3)) {
      ts_buf_str(&b, "<mark>");
      p += 2;
    } else if (!strncmp(p, TS_SNIPPET_CLOSE, 3)) {
      ts_buf_str(&b, "</mark>");
      p += 2;
    } else if (*p == '&') {
      ts_buf_str(&b, "&amp;");
    } else if (*p == '<') {
      ts_buf_str(&b, "&lt;");
    } else if (*p == '>') {
      ts_buf_str(&b, "&gt;");
    } else if (*p == '"') {
      ts_buf_str(&b, "&quot;");
    } else if (*p == '\'') {
      ts_buf_str(&b, "&#39;");
    } else {
      ts_buf_add(&b, p, 1);
    }
  }
  if (ts_buf_finish(&b, &text) == TS_OK)
    out = json_string(text);
  free(text);
  return out;
}

void ts_api_snippets_html(json_t *items) {
  size_t i;
  json_t *o;
  json_array_foreach(items, i, o) {
    json_t *sn = json_object_get(o, "snippet");
    if (json_is_string(sn))
      json_object_set_new(o, "snippet", snippet_html(json_string_value(sn)));
  }
}

static const char *const search_keys[] = {"page", "per_page", "status", "grade", "category",
                                          "channel", "outlet", "dept", "owner", "handler",
                                          "overdue", "from", "to", "q", "in", NULL};

void ts_api_search(ts_req *r) {
  ts_case_filter f;
  json_t *errors = json_object(), *res = NULL, *items = NULL, *lib = NULL;
  char match[TS_SQUERY_OUT], lmatch[TS_SQUERY_OUT];
  const char *in = NULL, *why = NULL;
  int want_cases = 1, want_lib = 1;
  int64_t total = 0;
  memset(&f, 0, sizeof f);
  f.overdue = -1;
  if (!errors || ts_api_query_keys(r, search_keys) || ts_api_query(r, "in", 40, &in))
    goto out;
  if (in) {
    want_cases = !strcmp(in, "cases") || !strcmp(in, "cases,library") || !strcmp(in, "library,cases");
    want_lib = !strcmp(in, "library") || !strcmp(in, "cases,library") || !strcmp(in, "library,cases");
    if (!want_cases && !want_lib)
      json_object_set_new(errors, "in", json_string("must be cases, library or cases,library"));
  }
  const char *pp = NULL;
  if (ts_api_query(r, "per_page", 40, &pp) || ts_api_page_params(r, &f.page, &f.per_page, errors))
    goto out;
  if (!pp)
    f.per_page = 20; /* a page of results, unless asked otherwise */
  if (ts_api_case_filter(r, &f, errors, match, sizeof match))
    goto out;
  if (!want_cases)
    json_object_del(errors, "q"); /* only the library's syntax matters (below) */
  if (!f.q && !json_object_get(errors, "q"))
    json_object_set_new(errors, "q", json_string("is required: the words to search for"));
  if (f.q && !json_object_get(errors, "q") &&
      ts_api_search_match(f.q, TS_SQUERY_LIBRARY, lmatch, sizeof lmatch, &why))
    json_object_set_new(errors, "q", json_string(why ? why : "cannot be searched now"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  if (!(res = json_pack("{s:s}", "q", f.q)))
    goto fail;
  if (want_cases) {
    if (ts_store_case_search(r->app->store, &f, SEARCH_COUNT_MAX + 1, &items, &total))
      goto fail;
    ts_api_snippets_html(items);
    int exact = total <= SEARCH_COUNT_MAX;
    if (json_object_set_new(res, "cases", json_pack("{s:o,s:I,s:b,s:i,s:i}", "items", items, "total",
                                                    (json_int_t)(exact ? total : SEARCH_COUNT_MAX),
                                                    "total_exact", exact, "page", f.page,
                                                    "per_page", f.per_page)))
      goto fail;
  }
  if (want_lib) {
    if (ts_store_writeup_list(r->app->store, (r->user.roles & TS_API_LIBRARY_EDIT) != 0, lmatch, &lib))
      goto fail;
    ts_api_snippets_html(lib);
    size_t n = json_array_size(lib);
    while (json_array_size(lib) > 10)
      json_array_remove(lib, json_array_size(lib) - 1);
    if (json_object_set_new(res, "library", json_pack("{s:o,s:I}", "items", lib, "total",
                                                      (json_int_t)n)))
      goto fail;
  }
  ts_reply_json(r, 200, res);
  res = NULL;
  goto out;
fail:
  ts_reply_error(r, TS_ERR_STORE, "cannot search now", NULL);
out:
  json_decref(res);
  json_decref(errors);
}

/* The words a similarity query is made of: the title, the subject's product, the
 * description and the demand's detail (in that order, so the first words count first). */
static int similar_of(const ts_case *c, char *out, size_t outsz) {
  ts_buf b = {.max = 64 * 1024};
  char *text = NULL;
  int n = 0, rc;
  static const int fields[] = {TS_CF_TITLE, TS_CF_S_PRODUCT, TS_CF_DESCRIPTION, TS_CF_DEMAND_DETAIL};
  ts_tok *tok = ts_tok_thread();
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    const char *v = ts_case_text(c, fields[i]);
    if (v) {
      ts_buf_str(&b, v);
      ts_buf_str(&b, "\n");
    }
  }
  ts_buf_str(&b, ""); /* an empty case still has a text */
  if ((rc = ts_buf_finish(&b, &text)) == TS_OK)
    rc = tok ? ts_squery_similar(text, tok, SIMILAR_TERMS, out, outsz, &n) : TS_ERR_NOMEM;
  free(text);
  return rc;
}

/* Everything related to c (a draft or a stored case) that the caller may see. */
static void reply_related(ts_req *r, const ts_case *c) {
  char key[512], similar[TS_SQUERY_OUT];
  json_t *res = NULL, *lib = NULL;
  ts_related_query q;
  memset(&q, 0, sizeof q);
  q.phone = ts_case_text(c, TS_CF_C_PHONE);
  q.customer_id = ts_case_text(c, TS_CF_C_CUSTOMER_ID);
  q.name = ts_case_text(c, TS_CF_C_NAME);
  q.outlet = ts_case_int(c, TS_CF_OUTLET);
  q.subject_key = ts_subject_key(c, key, sizeof key);
  q.order_no = ts_case_text(c, TS_CF_S_ORDER_NO);
  q.plate = ts_case_text(c, TS_CF_S_PLATE);
  q.exclude_id = c->id;
  q.since = ts_now() - RELATED_DAYS * 86400;
  q.limit = RELATED_LIMIT;
  ts_scope_for(&r->who, &q.scope);
  if (similar_of(c, similar, sizeof similar))
    goto fail;
  q.similar = similar[0] ? similar : NULL;
  if (ts_store_case_related(r->app->store, &q, &res))
    goto fail;
  if (q.similar && ts_store_library_similar(r->app->store, q.similar,
                                            ts_case_text(c, TS_CF_CATEGORY), LIBRARY_SIMILAR, &lib))
    goto fail;
  if (!lib)
    lib = json_array();
  ts_api_snippets_html(lib);
  if (json_object_set_new(res, "library", lib) ||
      json_object_set_new(res, "days", json_integer(RELATED_DAYS)) ||
      json_object_set_new(res, "subject_key", q.subject_key ? json_string(q.subject_key) : json_null()))
    goto fail;
  ts_reply_json(r, 200, res);
  return;
fail:
  json_decref(res);
  ts_reply_error(r, TS_ERR_STORE, "cannot look up related cases now", NULL);
}

void ts_api_intake_related(ts_req *r) {
  json_t *body = NULL, *errors = json_object();
  ts_case *c = ts_case_new();
  ts_case_lookup lk = ts_svc_case_lookup(r->app->store);
  if (!errors || !c) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_body(r, &body))
    goto out;
  /* The same parsing and validation as registering it (a draft need not be complete). */
  int rc = ts_case_apply_json(c, body, TS_FF_IN, &lk, errors);
  if (rc == TS_ERR_NOMEM) {
    ts_reply_error(r, rc, "out of memory", NULL);
    goto out;
  }
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  reply_related(r, c);
out:
  ts_case_free(c);
  json_decref(body);
  json_decref(errors);
}

void ts_api_case_related(ts_req *r) {
  ts_case *c = NULL;
  if (ts_api_query_keys(r, (const char *const[]){NULL}) ||
      ts_api_case_visible(r, ts_req_param(r, 0), &c))
    return;
  reply_related(r, c);
  ts_case_free(c);
}

void ts_api_groups(ts_req *r) {
  static const char *const keys[] = {"days", "min", "limit", NULL};
  const char *v;
  int64_t days = RELATED_DAYS, min = 3, limit = 50;
  json_t *errors = json_object(), *items = NULL;
  if (!errors || ts_api_query_keys(r, keys))
    goto out;
  if (ts_api_query(r, "days", 8, &v))
    goto out;
  if (v && !ts_api_parse_int(v, 1, 366, &days))
    json_object_set_new(errors, "days", json_string("must be 1 to 366"));
  if (ts_api_query(r, "min", 8, &v))
    goto out;
  if (v && !ts_api_parse_int(v, 2, 1000, &min))
    json_object_set_new(errors, "min", json_string("must be 2 to 1000"));
  if (ts_api_query(r, "limit", 8, &v))
    goto out;
  if (v && !ts_api_parse_int(v, 1, 200, &limit))
    json_object_set_new(errors, "limit", json_string("must be 1 to 200"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  ts_scope scope;
  ts_scope_for(&r->who, &scope);
  if (ts_store_groups(r->app->store, &scope, ts_now() - days * 86400, (int)min, (int)limit,
                      &items)) {
    ts_reply_error(r, TS_ERR_STORE, "cannot read group complaints now", NULL);
    goto out;
  }
  ts_reply_json(r, 200, json_pack("{s:o,s:I,s:I}", "items", items, "days", (json_int_t)days,
                                  "min", (json_int_t)min));
out:
  json_decref(errors);
}
