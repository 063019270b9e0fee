/* The analysis report (report/report.h) over HTTP: a month, or any period, for a part of
 * the organisation the caller may see, as JSON or as a PDF, XLSX or CSV file; the reports
 * the scheduler stored; and the case list as a spreadsheet, personal data masked for the
 * roles that do not work with customers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/mask.h"
#include "core/perm.h"
#include "core/ts_err.h"
#include "report/render.h"
#include "report/report.h"
#include "search/query.h"
#include "util/clock.h"

#define EXPORT_MAX_CASES 100000 /* rows of one case-list export */

/* The part of the organisation a report covers: ?unit= (default: the whole organisation
 * for those who see every case, else the caller's own unit), which must lie at or under
 * the caller's unit unless they see everything. Replies itself on failure. */
static int report_unit(ts_req *r, int64_t *unit) {
  const char *v;
  ts_scope sc;
  ts_scope_for(&r->who, &sc);
  if (ts_api_query(r, "unit", 20, &v))
    return 1;
  if (!v) {
    if (!sc.all && !r->user.unit_id) {
      ts_reply_error(r, TS_ERR_FORBIDDEN, "you belong to no unit: no report covers your place", NULL);
      return 1;
    }
    *unit = sc.all ? 0 : r->user.unit_id;
    return 0;
  }
  ts_unit u;
  if (!ts_api_parse_int(v, 1, INT64_MAX / 2, unit)) {
    ts_api_invalid(r, json_pack("{s:s}", "unit", "must be a unit id"));
    return 1;
  }
  if (ts_store_unit_get(r->app->store, *unit, &u)) {
    ts_api_invalid(r, json_pack("{s:s}", "unit", "no such unit"));
    return 1;
  }
  if (!sc.all && !ts_path_under(u.path, r->who.unit_path)) {
    ts_reply_error(r, TS_ERR_FORBIDDEN, "that unit lies outside your place in the organisation", NULL);
    return 1;
  }
  return 0;
}

/* ?format= (json, pdf, xlsx, csv) and ?lang= (zh, en). Replies itself on failure. */
static int output_params(ts_req *r, const char **format, const char **lang) {
  if (ts_api_query(r, "format", 8, format) || ts_api_query(r, "lang", 8, lang))
    return 1;
  json_t *errors = json_object();
  if (!*format)
    *format = "json";
  if (!*lang)
    *lang = "zh";
  if (strcmp(*format, "json") && strcmp(*format, "pdf") && strcmp(*format, "xlsx") &&
      strcmp(*format, "csv"))
    json_object_set_new(errors, "format", json_string("must be json, pdf, xlsx or csv"));
  if (strcmp(*lang, "zh") && strcmp(*lang, "en"))
    json_object_set_new(errors, "lang", json_string("must be zh or en"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    return 1;
  }
  json_decref(errors);
  return 0;
}

/* Replies the bytes of a file named base.format. */
static void reply_bytes(ts_req *r, ts_buf *b, const char *type, const char *base,
                        const char *format) {
  char disp[160];
  snprintf(disp, sizeof disp, "attachment; filename=\"%.80s.%s\"", base, format);
  ts_req_add_header(r, "Content-Disposition", disp);
  ts_reply_take(r, 200, type, b->p, b->len);
}

/* Replies the report document in the format asked. Takes doc. */
static void reply_report(ts_req *r, json_t *doc, const char *format, const char *lang) {
  ts_buf b = {0};
  const char *type = NULL;
  if (!strcmp(format, "json")) {
    ts_reply_json(r, 200, doc);
    return;
  }
  char base[96];
  const char *label = json_string_value(json_object_get(json_object_get(doc, "period"), "label"));
  snprintf(base, sizeof base, "tousu-report-%.40s-%lld", label ? label : "",
           (long long)json_integer_value(json_object_get(json_object_get(doc, "unit"), "id")));
  for (char *p = base; *p; p++)
    if (*p == '~')
      *p = '_';
  int rc = ts_report_render(doc, format, lang, &b, &type);
  json_decref(doc);
  if (rc) {
    free(b.p);
    ts_reply_error(r, rc, "the file cannot be made", NULL);
    return;
  }
  reply_bytes(r, &b, type, base, format);
}

static void build_and_reply(ts_req *r, const ts_period *p) {
  int64_t unit;
  const char *format, *lang;
  json_t *doc = NULL;
  if (report_unit(r, &unit) || output_params(r, &format, &lang))
    return;
  int rc = ts_report_build(r->app->store, p, unit, ts_now(), &doc);
  if (rc) {
    ts_reply_error(r, rc, "the report cannot be made", NULL);
    return;
  }
  reply_report(r, doc, format, lang);
}

void ts_api_report_monthly(ts_req *r) {
  static const char *const keys[] = {"month", "unit", "format", "lang", NULL};
  const char *month;
  ts_period p;
  if (ts_api_query_keys(r, keys) || ts_api_query(r, "month", 16, &month))
    return;
  if (!month || ts_period_month(month, &p)) {
    ts_api_invalid(r, json_pack("{s:s}", "month", "must be a month YYYY-MM"));
    return;
  }
  build_and_reply(r, &p);
}

void ts_api_report_range(ts_req *r) {
  static const char *const keys[] = {"from", "to", "quarter", "year", "unit", "format", "lang", NULL};
  const char *from, *to, *quarter, *year;
  ts_period p;
  if (ts_api_query_keys(r, keys) || ts_api_query(r, "from", 16, &from) ||
      ts_api_query(r, "to", 16, &to) || ts_api_query(r, "quarter", 16, &quarter) ||
      ts_api_query(r, "year", 16, &year))
    return;
  int given = (from || to) + !!quarter + !!year;
  if (given != 1) {
    ts_api_invalid(r, json_pack("{s:s}", "from", "give from and to (dates), or quarter, or year"));
    return;
  }
  if (quarter && ts_period_quarter(quarter, &p)) {
    ts_api_invalid(r, json_pack("{s:s}", "quarter", "must be a quarter YYYY-Qn"));
    return;
  }
  if (year && ts_period_year(year, &p)) {
    ts_api_invalid(r, json_pack("{s:s}", "year", "must be a year YYYY"));
    return;
  }
  if ((from || to) && ts_period_range(from, to, &p)) {
    ts_api_invalid(r, json_pack("{s:s,s:s}", "from", "from and to must be dates YYYY-MM-DD",
                                "to", "on or after from, at most 366 days"));
    return;
  }
  build_and_reply(r, &p);
}

/* A stored report is listed to those who see its unit (unit 0: those who see everything). */
static int stored_visible(ts_req *r, int64_t unit_id) {
  ts_scope sc;
  ts_unit u;
  ts_scope_for(&r->who, &sc);
  if (sc.all)
    return 1;
  return unit_id && !ts_store_unit_get(r->app->store, unit_id, &u) &&
         ts_path_under(u.path, r->who.unit_path);
}

void ts_api_reports_list(ts_req *r) {
  json_t *rows = NULL;
  int rc = ts_store_report_list(r->app->store, &rows);
  if (rc) {
    ts_reply_error(r, rc, "cannot list reports", NULL);
    return;
  }
  json_t *items = json_array();
  size_t i;
  json_t *o;
  json_array_foreach(rows, i, o) {
    if (stored_visible(r, json_integer_value(json_object_get(o, "unit_id"))))
      json_array_append(items, o);
  }
  json_decref(rows);
  ts_api_reply_list(r, items);
}

void ts_api_reports_get(ts_req *r) {
  static const char *const keys[] = {"format", "lang", NULL};
  int64_t id, unit_id = 0;
  const char *format, *lang;
  char *text = NULL;
  if (ts_api_query_keys(r, keys) || output_params(r, &format, &lang))
    return;
  if (!ts_api_parse_int(ts_req_param(r, 0), 1, INT64_MAX / 2, &id)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such report", NULL);
    return;
  }
  int rc = ts_store_report_by_id(r->app->store, id, &unit_id, &text);
  if (rc || !stored_visible(r, unit_id)) {
    free(text);
    ts_reply_error(r, rc && rc != TS_ERR_NOT_FOUND ? rc : TS_ERR_NOT_FOUND, "no such report", NULL);
    return;
  }
  json_t *doc = json_loads(text, 0, NULL);
  free(text);
  if (!doc) {
    ts_reply_error(r, TS_ERR_STORE, "the stored report cannot be read", NULL);
    return;
  }
  reply_report(r, doc, format, lang);
}

/* ---- the case list as a file ------------------------------------------------------------------ */

static void mask_member(json_t *o, const char *key, void (*mask)(const char *, char *, size_t)) {
  const char *v = json_string_value(json_object_get(o, key));
  if (!v)
    return;
  char out[TS_MASK_MAX];
  mask(v, out, sizeof out);
  json_object_set_new(o, key, json_string(out));
}

void ts_api_mask_case(json_t *c, int names) {
  json_t *who = json_object_get(c, "complainant");
  if (names)
    mask_member(who, "name", ts_mask_name);
  mask_member(who, "phone", ts_mask_phone);
  mask_member(who, "email", ts_mask_email);
  mask_member(who, "customer_id", ts_mask_id);
  json_object_del(who, "address");
  mask_member(json_object_get(c, "subject"), "vin", ts_mask_id);
}

/* Adds the names people read beside the codes and ids of an exported case: outlet_name,
 * dept_name (units), channel_name and category_name (in lang). */
static void add_names(json_t *c, const ts_unit *units, size_t nunits, json_t *chans, json_t *cats,
                      const char *lang) {
  static const char *const unit_keys[2][2] = {{"outlet", "outlet_name"}, {"dept", "dept_name"}};
  for (int k = 0; k < 2; k++) {
    json_int_t id = json_integer_value(json_object_get(c, unit_keys[k][0]));
    for (size_t i = 0; id && i < nunits; i++)
      if (units[i].id == id)
        json_object_set_new(c, unit_keys[k][1], json_string(units[i].name));
  }
  const char *name_key = strcmp(lang, "en") ? "name_zh" : "name_en";
  json_t *lists[2] = {chans, cats};
  static const char *const keys[2][2] = {{"channel", "channel_name"}, {"category", "category_name"}};
  for (int k = 0; k < 2; k++) {
    const char *code = json_string_value(json_object_get(c, keys[k][0]));
    size_t i;
    json_t *o;
    json_array_foreach(lists[k], i, o) {
      const char *oc = json_string_value(json_object_get(o, "code"));
      if (code && oc && !strcmp(code, oc)) {
        json_object_set(c, keys[k][1], json_object_get(o, name_key));
        break;
      }
    }
  }
}

void ts_api_cases_export(ts_req *r) {
  static const char *const keys[] = {"format", "lang", "status", "grade", "category", "channel",
                                     "outlet", "dept", "owner", "handler", "overdue", "from",
                                     "to", "q", NULL};
  ts_case_filter f;
  json_t *errors = json_object(), *rows = json_array();
  char match[TS_SQUERY_OUT];
  const char *format, *lang;
  ts_table t = {0};
  int have_table = 0;
  ts_unit *units = NULL;
  size_t nunits = 0;
  json_t *chans = NULL, *cats = NULL;
  memset(&f, 0, sizeof f);
  f.overdue = -1;
  if (!errors || !rows || ts_api_query_keys(r, keys) || output_params(r, &format, &lang) ||
      ts_api_case_filter(r, &f, errors, match, sizeof match))
    goto out;
  if (!strcmp(format, "json") || !strcmp(format, "pdf"))
    json_object_set_new(errors, "format", json_string("must be csv or xlsx"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  int masked = TS_API_MASKED(r);
  if (ts_store_unit_list(r->app->store, &units, &nunits) ||
      ts_store_channel_list(r->app->store, &chans) || ts_store_category_list(r->app->store, &cats)) {
    ts_reply_error(r, TS_ERR_STORE, "cannot read the organisation", NULL);
    goto out;
  }
  f.per_page = 500;
  /* one more than the most, to know whether more matched */
  for (f.page = 1; json_array_size(rows) <= EXPORT_MAX_CASES; f.page++) {
    ts_case **items = NULL;
    size_t count = 0;
    int64_t total = 0;
    int rc = ts_store_case_list(r->app->store, &f, &items, &count, &total);
    if (rc) {
      ts_reply_error(r, rc, "cannot list cases", NULL);
      goto out;
    }
    for (size_t i = 0; i < count; i++) {
      json_t *c = ts_api_case_json(r, items[i], 0);
      if (c && masked)
        ts_api_mask_case(c, 1);
      if (c)
        add_names(c, units, nunits, chans, cats, lang);
      if (c)
        json_array_append_new(rows, c);
    }
    ts_case_list_free(items, count);
    if (count < (size_t)f.per_page)
      break;
  }
  int truncated = json_array_size(rows) > EXPORT_MAX_CASES;
  while (json_array_size(rows) > EXPORT_MAX_CASES)
    json_array_remove(rows, json_array_size(rows) - 1);
  if (ts_cases_table(rows, &t)) {
    ts_reply_error(r, TS_ERR_NOMEM, "the table cannot be made", NULL);
    goto out;
  }
  have_table = 1;
  ts_buf b = {0};
  int rc = !strcmp(format, "xlsx") ? ts_tables_xlsx(&t, 1, lang, &b) : ts_tables_csv(&t, 1, lang, &b);
  if (rc || (rc = b.rc)) {
    free(b.p);
    ts_reply_error(r, rc, "the file cannot be made", NULL);
    goto out;
  }
  ts_req_add_header(r, "X-Tousu-Masked", masked ? "true" : "false");
  ts_req_add_header(r, "X-Tousu-Truncated", truncated ? "true" : "false");
  reply_bytes(r, &b,
              !strcmp(format, "xlsx")
                ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                : "text/csv; charset=utf-8",
              "tousu-cases", format);
out:
  if (have_table)
    json_decref(t.rows);
  free(units);
  json_decref(chans);
  json_decref(cats);
  json_decref(rows);
  json_decref(errors);
}
