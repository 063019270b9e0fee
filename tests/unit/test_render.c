/* Exports (report/render.h): the report as tables, the CSV read back by a strict RFC 4180
 * parser and compared with the JSON, the XLSX opened as the zip it is (python3's zipfile,
 * or unzip), the case list, and the edges: an empty document, odd members, money beyond
 * a double's precision, quoting, formula injection and the buffer's ceiling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/ts_err.h"
#include "report/render.h"
#include "util/buf.h"

#define N_TABLES 25

/* ---- files ---------------------------------------------------------------------------- */

/* data/<name> next to this source file. */
static void data_path(const char *name, char *buf, size_t n) {
  const char *slash = strrchr(__FILE__, '/');
  int dirlen = slash ? (int)(slash - __FILE__) : 1;
  snprintf(buf, n, "%.*s/data/%s", dirlen, slash ? __FILE__ : ".", name);
}

static json_t *load(const char *name) {
  char path[1024];
  json_error_t err;
  data_path(name, path, sizeof path);
  json_t *j = json_load_file(path, 0, &err);
  if (!j)
    fail_msg("%s: %s (line %d)", path, err.text, err.line);
  return j;
}

/* ---- a strict RFC 4180 reader ---------------------------------------------------------- */

typedef struct {
  char *p;
  size_t len, cap;
} chars;

static void chars_push(chars *c, char ch) {
  if (c->len + 1 >= c->cap) {
    c->cap = c->cap ? c->cap * 2 : 64;
    c->p = realloc(c->p, c->cap);
    assert_non_null(c->p);
  }
  c->p[c->len++] = ch;
}

/* Records (arrays of strings) of CSV text in which every record ends with CRLF, a field
 * with a comma, quote, CR or LF is quoted and a quote inside is doubled; NULL for text
 * that breaks those rules (a bare LF, a stray quote, an unterminated field). */
static json_t *csv_parse(const char *s, size_t n) {
  json_t *records = json_array(), *rec = json_array();
  chars f = {0};
  size_t i = 0;
  while (i < n) {
    f.len = 0;
    if (s[i] == '"') {
      i++;
      for (;;) {
        if (i >= n)
          goto bad;
        if (s[i] == '"') {
          if (i + 1 < n && s[i + 1] == '"') {
            chars_push(&f, '"');
            i += 2;
            continue;
          }
          i++;
          break;
        }
        chars_push(&f, s[i++]);
      }
    } else {
      while (i < n && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
        if (s[i] == '"')
          goto bad;
        chars_push(&f, s[i++]);
      }
    }
    json_array_append_new(rec, json_stringn(f.len ? f.p : "", f.len));
    if (i < n && s[i] == ',') {
      i++;
      if (i == n)
        goto bad;
      continue;
    }
    if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n') {
      i += 2;
      json_array_append_new(records, rec);
      rec = json_array();
      continue;
    }
    goto bad;
  }
  json_decref(rec);
  free(f.p);
  return records;
bad:
  json_decref(rec);
  json_decref(records);
  free(f.p);
  return NULL;
}

/* The tables of a CSV export: {title: {"header": [...], "rows": [[...], ...]}, "order":
 * [titles]}; each table is a title line, a header, rows and an empty line. */
static json_t *csv_tables(const char *csv, size_t n) {
  assert_true(n >= 3);
  assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
  json_t *records = csv_parse(csv + 3, n - 3);
  assert_non_null(records);
  json_t *out = json_object(), *order = json_array();
  size_t i = 0, nrec = json_array_size(records);
  while (i < nrec) {
    json_t *title = json_array_get(records, i);
    assert_int_equal(json_array_size(title), 1);
    assert_true(i + 1 < nrec);
    json_t *t = json_pack("{s:O,s:[]}", "header", json_array_get(records, i + 1), "rows");
    i += 2;
    for (;;) {
      assert_true(i < nrec); /* every table ends with an empty line */
      json_t *rec = json_array_get(records, i++);
      if (json_array_size(rec) == 1 && !strcmp(json_string_value(json_array_get(rec, 0)), ""))
        break;
      assert_int_equal(json_array_size(rec), json_array_size(json_object_get(t, "header")));
      json_array_append(json_object_get(t, "rows"), rec);
    }
    const char *name = json_string_value(json_array_get(title, 0));
    assert_null(json_object_get(out, name));
    json_object_set_new(out, name, t);
    json_array_append_new(order, json_string(name));
  }
  json_object_set_new(out, "order", order);
  json_decref(records);
  return out;
}

static const char *csv_cell(const json_t *tables, const char *title, size_t row, size_t col) {
  const json_t *t = json_object_get(tables, title);
  if (!t)
    fail_msg("no table \"%s\" in the CSV", title);
  const json_t *r = json_array_get(json_object_get(t, "rows"), row);
  assert_non_null(r);
  const char *s = json_string_value(json_array_get(r, col));
  assert_non_null(s);
  return s;
}

static size_t csv_rows(const json_t *tables, const char *title) {
  const json_t *t = json_object_get(tables, title);
  if (!t)
    fail_msg("no table \"%s\" in the CSV", title);
  return json_array_size(json_object_get(t, "rows"));
}

/* The row whose first cell is first. */
static size_t csv_find(const json_t *tables, const char *title, const char *first) {
  size_t n = csv_rows(tables, title);
  for (size_t r = 0; r < n; r++)
    if (!strcmp(csv_cell(tables, title, r, 0), first))
      return r;
  fail_msg("no row \"%s\" in \"%s\"", first, title);
  return 0;
}

/* ---- expectations, computed apart from the code under test ---------------------------- */

static void expect_yuan(const char *got, long long cents) {
  char want[40];
  long long a = cents < 0 ? -cents : cents;
  snprintf(want, sizeof want, "%s%lld.%lld%lld", cents < 0 ? "-" : "", a / 100, a / 10 % 10,
           a % 10);
  assert_string_equal(got, want);
}

static void expect_int(const char *got, const json_t *v) {
  char want[32];
  assert_true(json_is_integer(v));
  snprintf(want, sizeof want, "%lld", (long long)json_integer_value(v));
  assert_string_equal(got, want);
}

static void expect_number(const char *got, const json_t *v) {
  char *end;
  assert_true(json_is_number(v));
  assert_true(*got);
  double d = strtod(got, &end);
  assert_true(*end == '\0');
  assert_true(d == json_number_value(v));
}

/* ---- helpers around the code under test ----------------------------------------------- */

static int find_table(const ts_table *t, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (!strcmp(t[i].name, name))
      return i;
  fail_msg("no table %s", name);
  return -1;
}

static json_t *export_csv(const ts_table *t, int n, const char *lang) {
  ts_buf b = {.max = 16 * 1024 * 1024};
  assert_int_equal(ts_tables_csv(t, n, lang, &b), TS_OK);
  json_t *tables = csv_tables(b.p, b.len);
  free(b.p);
  return tables;
}

/* ---- the report as tables ------------------------------------------------------------- */

static const struct {
  const char *name, *path; /* the sheet, and the list of the sample its rows come from */
  int rows;                /* or, without a list, how many rows */
} expected_tables[N_TABLES] = {
    {"Summary", NULL, 46},
    {"Trend", "trend", 12},
    {"By category", "by.category", 0},
    {"By channel", "by.channel", 0},
    {"By grade", "by.grade", 0},
    {"By status", "by.status", 0},
    {"By outlet", "by.outlet", 0},
    {"By department", "by.dept", 0},
    {"By root cause", "by.root_cause", 0},
    {"By service stage", "by.service_stage", 0},
    {"By responsibility", "by.responsibility", 0},
    {"By validity", "by.validity", 0},
    {"By nature", "by.nature", 0},
    {"Pareto", "pareto", 0},
    {"SLA", "sla", 0},
    {"Repeat complainants", "repeat.top_complainants", 0},
    {"Repeat subjects", "repeat.top_subjects", 0},
    {"Loss components", NULL, 9},
    {"Loss by party", "losses.by_party", 0},
    {"Loss by category", "losses.by_category", 0},
    {"Penalties", NULL, 6},
    {"Not executed", "penalties.not_executed", 0},
    {"Backlog", "backlog.buckets", 0},
    {"Backlog by status", "backlog.by_status", 0},
    {"Pending ledger", "pending.items", 0},
};

static const json_t *sample_list(const json_t *report, const char *path) {
  char a[32], b[32];
  const char *dot = strchr(path, '.');
  if (!dot)
    return json_object_get(report, path);
  snprintf(a, sizeof a, "%.*s", (int)(dot - path), path);
  snprintf(b, sizeof b, "%s", dot + 1);
  return json_object_get(json_object_get(report, a), b);
}

static void test_tables_shape(void **state) {
  (void)state;
  json_t *r = load("sample_report.json");
  ts_table *t = NULL;
  int n = 0;
  assert_int_equal(ts_report_tables(r, &t, &n), TS_OK);
  assert_int_equal(n, N_TABLES);
  for (int i = 0; i < n; i++) {
    assert_string_equal(t[i].name, expected_tables[i].name); /* in the document's order */
    assert_true(strlen(t[i].name) <= 31);
    for (const char *p = t[i].name; *p; p++)
      assert_true(*p >= 0x20 && *p < 0x7F && !strchr("[]:*?/\\", *p));
    for (int j = 0; j < i; j++)
      assert_true(strcasecmp(t[i].name, t[j].name) != 0);
    assert_non_null(t[i].title_zh);
    assert_non_null(t[i].title_en);
    assert_non_null(t[i].cols);
    assert_true(t[i].ncols > 0);
    size_t want = (size_t)expected_tables[i].rows;
    if (expected_tables[i].path) {
      const json_t *list = sample_list(r, expected_tables[i].path);
      assert_true(json_is_array(list));
      want = json_array_size(list);
    }
    assert_int_equal(json_array_size(t[i].rows), want);
    for (size_t k = 0; k < json_array_size(t[i].rows); k++)
      assert_true(json_is_object(json_array_get(t[i].rows, k)));
  }
  /* values keep their types: counts, cents and rates as the document has them */
  int sum = find_table(t, n, "Summary");
  int found = 0;
  for (size_t k = 0; k < json_array_size(t[sum].rows); k++) {
    json_t *row = json_array_get(t[sum].rows, k);
    if (!strcmp(json_string_value(json_object_get(row, "name_en")), "Total losses")) {
      assert_int_equal(json_integer_value(json_object_get(row, "cents")), 123456789);
      found++;
    }
  }
  assert_int_equal(found, 1);
  /* codes keep their code and get names beside it */
  json_t *pend = json_array_get(t[find_table(t, n, "Pending ledger")].rows, 0);
  assert_string_equal(json_string_value(json_object_get(pend, "grade")), "g2");
  assert_string_equal(json_string_value(json_object_get(pend, "grade_zh")), "较重（橙）");
  assert_string_equal(json_string_value(json_object_get(pend, "from_en")), "Approved");
  ts_tables_free(t, n);
  json_decref(r);
}

/* ---- CSV ------------------------------------------------------------------------------ */

static void test_csv_sample(void **state) {
  (void)state;
  json_t *r = load("sample_report.json");
  ts_table *t = NULL;
  int n = 0;
  ts_buf b = {.max = 16 * 1024 * 1024};
  assert_int_equal(ts_report_tables(r, &t, &n), TS_OK);
  assert_int_equal(ts_tables_csv(t, n, "zh", &b), TS_OK);
  assert_memory_equal(b.p, "\xEF\xBB\xBF", 3);
  assert_non_null(strstr(b.p, ",1234567.89,")); /* 123456789 cents */
  json_t *csv = csv_tables(b.p, b.len);
  free(b.p);

  /* the titles, in order, in Chinese */
  json_t *order = json_object_get(csv, "order");
  assert_int_equal(json_array_size(order), N_TABLES);
  assert_string_equal(json_string_value(json_array_get(order, 0)), "汇总");
  assert_string_equal(json_string_value(json_array_get(order, 1)), "近12个月趋势");

  /* summary: one row per figure, each value in the column of its kind */
  size_t row = csv_find(csv, "汇总", "损失合计");
  assert_string_equal(csv_cell(csv, "汇总", row, 1), "");
  assert_string_equal(csv_cell(csv, "汇总", row, 2), "1234567.89");
  row = csv_find(csv, "汇总", "受理量");
  assert_string_equal(csv_cell(csv, "汇总", row, 1), "412");
  row = csv_find(csv, "汇总", "同比变化");
  assert_string_equal(csv_cell(csv, "汇总", row, 3), "-8.4"); /* a number, not guarded */
  row = csv_find(csv, "汇总", "平均满意度（分）");
  assert_string_equal(csv_cell(csv, "汇总", row, 1), "4.24");
  row = csv_find(csv, "汇总", "满意度 5 分（非常满意）");
  assert_string_equal(csv_cell(csv, "汇总", row, 1), "120");
  row = csv_find(csv, "汇总", "报告期间");
  assert_string_equal(csv_cell(csv, "汇总", row, 1), "2026-10");
  row = csv_find(csv, "汇总", "期间已结束");
  assert_string_equal(csv_cell(csv, "汇总", row, 1), "是");
  row = csv_find(csv, "汇总", "统计范围");
  assert_string_equal(csv_cell(csv, "汇总", row, 1), "星河汽车销售服务有限公司");

  /* trend: 12 months, the counts as in the JSON */
  const json_t *trend = json_object_get(r, "trend");
  assert_int_equal(csv_rows(csv, "近12个月趋势"), 12);
  const json_t *hdr = json_object_get(json_object_get(csv, "近12个月趋势"), "header");
  assert_string_equal(json_string_value(json_array_get(hdr, 0)), "月份");
  for (size_t k = 0; k < 12; k++) {
    const json_t *m = json_array_get(trend, k);
    assert_string_equal(csv_cell(csv, "近12个月趋势", k, 0),
                        json_string_value(json_object_get(m, "month")));
    expect_int(csv_cell(csv, "近12个月趋势", k, 1), json_object_get(m, "received"));
    expect_int(csv_cell(csv, "近12个月趋势", k, 2), json_object_get(m, "finished"));
  }

  /* a breakdown: names in Chinese, counts and shares as in the JSON */
  const json_t *cat = json_object_get(json_object_get(r, "by"), "category");
  assert_int_equal(csv_rows(csv, "按投诉类别"), json_array_size(cat));
  for (size_t k = 0; k < json_array_size(cat); k++) {
    const json_t *c = json_array_get(cat, k);
    assert_string_equal(csv_cell(csv, "按投诉类别", k, 0),
                        json_string_value(json_object_get(c, "name_zh")));
    expect_int(csv_cell(csv, "按投诉类别", k, 1), json_object_get(c, "count"));
    expect_number(csv_cell(csv, "按投诉类别", k, 2), json_object_get(c, "pct"));
    assert_string_equal(csv_cell(csv, "按投诉类别", k, 3),
                        json_string_value(json_object_get(c, "code")));
  }
  hdr = json_object_get(json_object_get(csv, "按投诉类别"), "header");
  assert_string_equal(json_string_value(json_array_get(hdr, 2)), "占比（%）");

  /* money: yuan = cents / 100, exactly */
  const json_t *comp = json_object_get(json_object_get(r, "losses"), "components");
  static const char *const keys[] = {"compensation_cents", "refund_cents", "discount_cents",
                                     "repair_cents",       "goods_cents",  "freight_cents",
                                     "gift_cents",         "other_cents",  "total_cents"};
  assert_int_equal(csv_rows(csv, "损失构成"), 9);
  for (size_t k = 0; k < 9; k++)
    expect_yuan(csv_cell(csv, "损失构成", k, 1),
                (long long)json_integer_value(json_object_get(comp, keys[k])));
  assert_string_equal(csv_cell(csv, "损失构成", 5, 1), "34567.89");
  assert_string_equal(csv_cell(csv, "损失构成", 8, 0), "合计");
  const json_t *party = json_object_get(json_object_get(r, "losses"), "by_party");
  for (size_t k = 0; k < json_array_size(party); k++) {
    const json_t *p = json_array_get(party, k);
    expect_yuan(csv_cell(csv, "损失按责任方", k, 2),
                (long long)json_integer_value(json_object_get(p, "total_cents")));
  }

  /* penalties: a null amount is an empty cell; kinds and statuses by name */
  assert_string_equal(csv_cell(csv, "未执行的处罚", 0, 2), "罚款");
  assert_string_equal(csv_cell(csv, "未执行的处罚", 0, 3), "2000.00");
  assert_string_equal(csv_cell(csv, "未执行的处罚", 0, 4), "");
  assert_string_equal(csv_cell(csv, "未执行的处罚", 0, 5), "已批准");
  assert_string_equal(csv_cell(csv, "未执行的处罚", 1, 3), "");
  assert_string_equal(csv_cell(csv, "未执行的处罚", 1, 4), "10");
  row = csv_find(csv, "问责处罚", "其中：已执行");
  assert_string_equal(csv_cell(csv, "问责处罚", row, 1), "7");
  assert_string_equal(csv_cell(csv, "问责处罚", row, 2), "7000.00");

  /* lists joined, booleans and codes named, nulls empty */
  assert_string_equal(csv_cell(csv, "重复投诉客户", 0, 2),
                      "TS20261000012, TS20261000088, TS20261000190, TS20261000301");
  assert_string_equal(csv_cell(csv, "投诉类别帕累托分析", 0, 4), "是");
  assert_string_equal(csv_cell(csv, "投诉类别帕累托分析", 7, 4), "否");
  assert_string_equal(csv_cell(csv, "未了事宜台账", 0, 1), "较重（橙）");
  assert_string_equal(csv_cell(csv, "未了事宜台账", 1, 5), "调查处理中");
  assert_string_equal(csv_cell(csv, "未了事宜台账", 1, 7), "");
  assert_string_equal(csv_cell(csv, "未了事宜台账", 0, 2), "2026-09-03T10:12:00+08:00");
  json_decref(csv);

  /* English: headings and names */
  csv = export_csv(t, n, "en");
  assert_string_equal(json_string_value(json_array_get(json_object_get(csv, "order"), 1)),
                      "Trend over 12 months");
  hdr = json_object_get(json_object_get(csv, "Trend over 12 months"), "header");
  assert_string_equal(json_string_value(json_array_get(hdr, 0)), "Month");
  assert_string_equal(csv_cell(csv, "By category", 0, 0), "Product quality");
  assert_string_equal(csv_cell(csv, "Penalties not executed", 0, 5), "Approved");
  assert_string_equal(csv_cell(csv, "Penalties not executed", 1, 2), "Performance pay deduction");
  row = csv_find(csv, "Summary", "Total losses");
  assert_string_equal(csv_cell(csv, "Summary", row, 2), "1234567.89");
  json_decref(csv);

  ts_tables_free(t, n);
  json_decref(r);
}

/* Money from the integer: signs, single cents, and more than a double holds exactly. */
static void test_csv_money(void **state) {
  (void)state;
  json_t *r = json_loads("{\"losses\": {\"components\": {\"compensation_cents\": -5,"
                         " \"refund_cents\": 5, \"discount_cents\": 100, \"repair_cents\": 0,"
                         " \"goods_cents\": 9007199254740993, \"freight_cents\": null,"
                         " \"gift_cents\": 12345, \"other_cents\": -123456789}}}",
                         0, NULL);
  assert_non_null(r);
  ts_table *t = NULL;
  int n = 0;
  assert_int_equal(ts_report_tables(r, &t, &n), TS_OK);
  json_t *csv = export_csv(t, n, "zh");
  assert_string_equal(csv_cell(csv, "损失构成", 0, 1), "-0.05");
  assert_string_equal(csv_cell(csv, "损失构成", 1, 1), "0.05");
  assert_string_equal(csv_cell(csv, "损失构成", 2, 1), "1.00");
  assert_string_equal(csv_cell(csv, "损失构成", 3, 1), "0.00");
  assert_string_equal(csv_cell(csv, "损失构成", 4, 1), "90071992547409.93");
  assert_string_equal(csv_cell(csv, "损失构成", 5, 1), ""); /* null */
  assert_string_equal(csv_cell(csv, "损失构成", 6, 1), "123.45");
  assert_string_equal(csv_cell(csv, "损失构成", 7, 1), "-1234567.89");
  assert_string_equal(csv_cell(csv, "损失构成", 8, 1), ""); /* missing */
  json_decref(csv);
  ts_tables_free(t, n);
  json_decref(r);
}

/* ---- the case list, quoting and formula injection --------------------------------------- */

static void test_cases_table(void **state) {
  (void)state;
  json_t *cases = load("render_cases.json");
  ts_table t;
  assert_int_equal(ts_cases_table(cases, &t), TS_OK);
  assert_string_equal(t.name, "Cases");
  assert_int_equal(json_array_size(t.rows), 2);
  json_t *a = json_array_get(t.rows, 0), *b = json_array_get(t.rows, 1);
  /* flattened: nested members become columns of the row */
  assert_string_equal(json_string_value(json_object_get(a, "case_no")), "TS20261000042");
  assert_string_equal(json_string_value(json_object_get(a, "customer")),
                      "=HYPERLINK(\"http://evil.example\",\"点我\")");
  assert_string_equal(json_string_value(json_object_get(a, "phone")), "+86 138****8000");
  assert_string_equal(json_string_value(json_object_get(a, "product")), "@SUM(A1:A9)");
  assert_string_equal(json_string_value(json_object_get(a, "order_no")), "-1+2");
  assert_int_equal(json_integer_value(json_object_get(a, "outlet")), 25); /* no name given */
  assert_int_equal(json_integer_value(json_object_get(a, "dept")), 12);
  assert_int_equal(json_integer_value(json_object_get(a, "claimed_cents")), 5);
  assert_int_equal(json_integer_value(json_object_get(a, "loss_total_cents")), 0);
  assert_null(json_object_get(a, "satisfaction")); /* null: an empty cell */
  assert_null(json_object_get(a, "closed_at"));
  assert_string_equal(json_string_value(json_object_get(a, "status")), "investigating");
  assert_string_equal(json_string_value(json_object_get(a, "status_zh")), "调查处理中");
  assert_string_equal(json_string_value(json_object_get(a, "overdue_zh")), "否");
  assert_string_equal(json_string_value(json_object_get(b, "outlet")), "北京第四4S店");
  assert_string_equal(json_string_value(json_object_get(b, "channel")), "12315/市场监管");
  assert_string_equal(json_string_value(json_object_get(b, "plate")), "LSV*********1234");
  assert_int_equal(json_integer_value(json_object_get(b, "loss_total_cents")), 102300);
  assert_int_equal(json_integer_value(json_object_get(b, "satisfaction")), 4);
  assert_null(json_object_get(b, "product"));
  assert_null(json_object_get(b, "dept"));
  /* no title: the description's first 100 characters */
  const char *title = json_string_value(json_object_get(b, "title"));
  assert_non_null(title);
  assert_int_equal(strncmp(title, "货物送达时外箱破损", strlen("货物送达时外箱破损")), 0);
  size_t nchars = 0;
  for (const char *p = title; *p; p++)
    nchars += ((unsigned char)*p & 0xC0) != 0x80;
  assert_int_equal(nchars, 101);
  assert_non_null(strstr(title, "…"));

  /* CSV: quoting and the formula guard */
  ts_buf buf = {.max = 1024 * 1024};
  assert_int_equal(ts_tables_csv(&t, 1, "zh", &buf), TS_OK);
  assert_non_null(strstr(buf.p, "\"他说：\"\"退款, 马上\"\"\n第二行\""));
  json_t *csv = csv_tables(buf.p, buf.len);
  free(buf.p);
  const json_t *hdr = json_object_get(json_object_get(csv, "投诉案件清单"), "header");
  assert_string_equal(json_string_value(json_array_get(hdr, 0)), "编号");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 0, 20), "他说：\"退款, 马上\"\n第二行");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 0, 6),
                      "'=HYPERLINK(\"http://evil.example\",\"点我\")");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 0, 7), "'+86 138****8000");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 0, 8), "'@SUM(A1:A9)");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 0, 9), "'-1+2");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 0, 10), "'\t沪A12345");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 0, 11), "25");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 0, 15), "0.05");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 0, 2), "调查处理中");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 0, 3), "较重（橙）");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 1, 2), "已结案");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 1, 3), "严重（红）");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 1, 9), "0012345");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 1, 15), "1234567.89");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 1, 16), "1023.00");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 1, 17), "4");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 1, 18), "是");
  assert_string_equal(csv_cell(csv, "投诉案件清单", 1, 19), "2026-10-20T17:05:00+08:00");
  json_decref(csv);

  csv = export_csv(&t, 1, "en");
  assert_string_equal(csv_cell(csv, "Complaint cases", 0, 2), "Investigating");
  assert_string_equal(csv_cell(csv, "Complaint cases", 1, 18), "Yes");
  json_decref(csv);
  json_decref(t.rows);

  /* a page of GET /cases works too; anything else is refused and out is left alone */
  json_t *page = json_pack("{s:O,s:i}", "items", cases, "total", 2);
  assert_int_equal(ts_cases_table(page, &t), TS_OK);
  assert_int_equal(json_array_size(t.rows), 2);
  json_decref(t.rows);
  json_t *bad = json_string("cases");
  memset(&t, 0x5A, sizeof t);
  assert_int_equal(ts_cases_table(bad, &t), TS_ERR_INVALID);
  assert_int_equal(t.ncols, 0x5A5A5A5A);
  assert_int_equal(ts_cases_table(NULL, &t), TS_ERR_INVALID);
  json_decref(bad);
  json_decref(page);
  json_decref(cases);
}

/* ---- XLSX ----------------------------------------------------------------------------- */

static int have(const char *tool) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
  return system(cmd) == 0;
}

/* Writes the XLSX to a file in dir and returns its path in buf. */
static void save(const char *dir, const char *name, const ts_buf *b, char *buf, size_t n) {
  snprintf(buf, n, "%s/%s", dir, name);
  FILE *f = fopen(buf, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(b->p, 1, b->len, f), b->len);
  assert_int_equal(fclose(f), 0);
}

static const char xlsx_dump_py[] =
    "import sys, zipfile, json\n"
    "import xml.etree.ElementTree as ET\n"
    "M = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'\n"
    "R = '{http://schemas.openxmlformats.org/officeDocument/2006/relationships}'\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "assert z.testzip() is None\n"
    "wb = ET.fromstring(z.read('xl/workbook.xml'))\n"
    "rels = ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))\n"
    "target = {r.get('Id'): r.get('Target') for r in rels}\n"
    "sst = []\n"
    "if 'xl/sharedStrings.xml' in z.namelist():\n"
    "    for si in ET.fromstring(z.read('xl/sharedStrings.xml')).iter(M + 'si'):\n"
    "        sst.append(''.join(t.text or '' for t in si.iter(M + 't')))\n"
    "styles = ET.fromstring(z.read('xl/styles.xml'))\n"
    "fmts = {n.get('numFmtId'): n.get('formatCode') for n in styles.iter(M + 'numFmt')}\n"
    "xfs = [x.get('numFmtId') for x in styles.find(M + 'cellXfs').iter(M + 'xf')]\n"
    "out = {'sheets': [], 'cells': {}, 'frozen': {}}\n"
    "for s in wb.find(M + 'sheets'):\n"
    "    name = s.get('name')\n"
    "    out['sheets'].append(name)\n"
    "    t = target[s.get(R + 'id')]\n"
    "    xml = z.read(t[1:] if t.startswith('/') else 'xl/' + t)\n"
    "    root = ET.fromstring(xml)\n"
    "    out['frozen'][name] = any(p.get('state') == 'frozen' for p in root.iter(M + 'pane'))\n"
    "    cells = {}\n"
    "    for c in root.iter(M + 'c'):\n"
    "        v = c.find(M + 'v')\n"
    "        typ = c.get('t', 'n')\n"
    "        if typ == 's':\n"
    "            val = sst[int(v.text)]\n"
    "        elif typ == 'inlineStr':\n"
    "            val = ''.join(x.text or '' for x in c.iter(M + 't'))\n"
    "        else:\n"
    "            val = v.text if v is not None else None\n"
    "        fid = xfs[int(c.get('s', '0'))]\n"
    "        cells[c.get('r')] = {'t': typ, 'v': val, 'fmt': fmts.get(fid, fid)}\n"
    "    out['cells'][name] = cells\n"
    "json.dump(out, sys.stdout, ensure_ascii=False)\n";

/* The workbook at path as {"sheets": [names], "cells": {sheet: {ref: {t, v, fmt}}},
 * "frozen": {sheet: bool}}, read by python3's zipfile. */
static json_t *xlsx_dump(const char *dir, const char *path) {
  char script[512], cmd[1400];
  json_error_t err;
  snprintf(script, sizeof script, "%s/dump.py", dir);
  FILE *f = fopen(script, "w");
  assert_non_null(f);
  assert_int_equal(fputs(xlsx_dump_py, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
  snprintf(cmd, sizeof cmd, "python3 '%s' '%s'", script, path);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  json_t *j = json_loadf(p, 0, &err);
  assert_int_equal(pclose(p), 0);
  if (!j)
    fail_msg("reading the dump: %s", err.text);
  return j;
}

static const json_t *xcell(const json_t *dump, const char *sheet, const char *ref) {
  const json_t *c = json_object_get(json_object_get(json_object_get(dump, "cells"), sheet), ref);
  if (!c)
    fail_msg("no cell %s!%s", sheet, ref);
  return c;
}

static const char *xval(const json_t *dump, const char *sheet, const char *ref) {
  const char *v = json_string_value(json_object_get(xcell(dump, sheet, ref), "v"));
  assert_non_null(v);
  return v;
}

static void expect_xnum(const json_t *dump, const char *sheet, const char *ref, const char *v) {
  assert_string_equal(json_string_value(json_object_get(xcell(dump, sheet, ref), "t")), "n");
  assert_string_equal(xval(dump, sheet, ref), v);
}

/* unzip -p path member: its text (malloc'd). */
static char *unzip_member(const char *path, const char *member) {
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s'", path, member);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t len = 0, cap = 1 << 16;
  char *s = malloc(cap);
  assert_non_null(s);
  for (;;) {
    if (cap - len < 4096) {
      cap *= 2;
      s = realloc(s, cap);
      assert_non_null(s);
    }
    size_t k = fread(s + len, 1, cap - len - 1, p);
    if (k == 0)
      break;
    len += k;
  }
  s[len] = '\0';
  assert_int_equal(pclose(p), 0);
  return s;
}

typedef struct {
  char dir[64];
} xfix;

static int xsetup(void **state) {
  xfix *x = calloc(1, sizeof *x);
  snprintf(x->dir, sizeof x->dir, "/tmp/tousu-render-XXXXXX");
  if (!mkdtemp(x->dir))
    return -1;
  /* the writer's temporary files go here too, so the test can see none is left */
  if (setenv("TMPDIR", x->dir, 1) != 0)
    return -1;
  *state = x;
  return 0;
}

static int xteardown(void **state) {
  xfix *x = *state;
  char cmd[160];
  unsetenv("TMPDIR");
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
  if (system(cmd) != 0)
    return -1;
  free(x);
  return 0;
}

/* Files in dir whose names start with prefix. */
static int count_files(const char *dir, const char *prefix) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int k = 0;
  assert_non_null(d);
  while ((e = readdir(d)) != NULL)
    k += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
  closedir(d);
  return k;
}

static void test_xlsx_sample(void **state) {
  xfix *x = *state;
  json_t *r = load("sample_report.json");
  ts_table *t = NULL;
  int n = 0;
  ts_buf b = {.max = 16 * 1024 * 1024};
  char path[512];
  assert_int_equal(ts_report_tables(r, &t, &n), TS_OK);
  assert_int_equal(ts_tables_xlsx(t, n, "zh", &b), TS_OK);
  assert_true(b.len > 4);
  assert_memory_equal(b.p, "PK\x03\x04", 4);
  assert_int_equal(count_files(x->dir, "tousu-xlsx-"), 0); /* the temporary file is gone */
  save(x->dir, "report.xlsx", &b, path, sizeof path);
  free(b.p);

  int py = have("python3"), uz = have("unzip");
  if (!py && !uz) {
    print_message("neither python3 nor unzip: the XLSX's content is not checked\n");
    ts_tables_free(t, n);
    json_decref(r);
    skip();
  }
  if (uz) {
    char *wbx = unzip_member(path, "xl/workbook.xml");
    assert_non_null(strstr(wbx, "name=\"Summary\""));
    assert_non_null(strstr(wbx, "name=\"Trend\""));
    assert_non_null(strstr(wbx, "name=\"Loss components\""));
    assert_non_null(strstr(wbx, "name=\"Pending ledger\""));
    free(wbx);
    char *trend = unzip_member(path, "xl/worksheets/sheet2.xml"); /* Trend, the 2nd sheet */
    assert_non_null(strstr(trend, "<c r=\"B2\"><v>450</v></c>"));
    assert_non_null(strstr(trend, "state=\"frozen\""));
    free(trend);
    char *loss = unzip_member(path, "xl/worksheets/sheet18.xml"); /* Loss components */
    assert_non_null(strstr(loss, "<v>1234567.89</v>"));
    free(loss);
  }
  if (py) {
    json_t *d = xlsx_dump(x->dir, path);
    const json_t *sheets = json_object_get(d, "sheets");
    assert_int_equal(json_array_size(sheets), N_TABLES);
    for (int i = 0; i < n; i++) {
      assert_string_equal(json_string_value(json_array_get(sheets, (size_t)i)), t[i].name);
      assert_true(json_is_true(json_object_get(json_object_get(d, "frozen"), t[i].name)));
    }
    /* the trend: a header, then the counts as numbers */
    const json_t *trend = json_object_get(r, "trend");
    assert_string_equal(xval(d, "Trend", "A1"), "月份");
    for (size_t k = 0; k < 12; k++) {
      const json_t *m = json_array_get(trend, k);
      char ref[16], want[32];
      snprintf(ref, sizeof ref, "A%zu", k + 2);
      assert_string_equal(xval(d, "Trend", ref), json_string_value(json_object_get(m, "month")));
      snprintf(ref, sizeof ref, "B%zu", k + 2);
      snprintf(want, sizeof want, "%lld",
               (long long)json_integer_value(json_object_get(m, "received")));
      expect_xnum(d, "Trend", ref, want);
      snprintf(ref, sizeof ref, "C%zu", k + 2);
      snprintf(want, sizeof want, "%lld",
               (long long)json_integer_value(json_object_get(m, "finished")));
      expect_xnum(d, "Trend", ref, want);
    }
    /* money: yuan as numbers with the yuan format */
    assert_string_equal(xval(d, "Loss components", "A10"), "合计");
    expect_xnum(d, "Loss components", "B10", "1234567.89");
    expect_xnum(d, "Loss components", "B7", "34567.89");
    expect_xnum(d, "Loss components", "B2", "500000");
    const json_t *total = xcell(d, "Loss components", "B10");
    assert_string_equal(json_string_value(json_object_get(total, "fmt")), "¥#,##0.00");
    expect_xnum(d, "Loss by party", "C2", "900000");
    /* rates: numbers with one decimal, the header says % */
    expect_xnum(d, "By category", "C2", "29.1");
    const json_t *share = xcell(d, "By category", "C2");
    assert_string_equal(json_string_value(json_object_get(share, "fmt")), "0.0");
    assert_string_equal(xval(d, "By category", "C1"), "占比（%）");
    expect_xnum(d, "By category", "B2", "120");
    assert_string_equal(xval(d, "By category", "A2"), "产品质量");
    /* text stays text: a time, a masked customer */
    assert_string_equal(xval(d, "Not executed", "G2"), "2026-08-20T10:00:00+08:00");
    assert_string_equal(xval(d, "Repeat complainants", "A3"), "张**");
    json_decref(d);
  }
  ts_tables_free(t, n);
  json_decref(r);
}

/* In a workbook a formula-like text is a string cell: no apostrophe, nothing runs. */
static void test_xlsx_cases(void **state) {
  xfix *x = *state;
  json_t *cases = load("render_cases.json");
  ts_table t;
  ts_buf b = {.max = 4 * 1024 * 1024};
  char path[512];
  assert_int_equal(ts_cases_table(cases, &t), TS_OK);
  assert_int_equal(ts_tables_xlsx(&t, 1, "en", &b), TS_OK);
  assert_memory_equal(b.p, "PK\x03\x04", 4);
  save(x->dir, "cases.xlsx", &b, path, sizeof path);
  free(b.p);
  if (!have("python3")) {
    print_message("no python3: the case list's XLSX is not checked\n");
  } else {
    json_t *d = xlsx_dump(x->dir, path);
    assert_string_equal(xval(d, "Cases", "A1"), "Case number");
    assert_string_equal(json_string_value(json_object_get(xcell(d, "Cases", "G2"), "t")), "s");
    assert_string_equal(xval(d, "Cases", "G2"), "=HYPERLINK(\"http://evil.example\",\"点我\")");
    assert_string_equal(xval(d, "Cases", "U2"), "他说：\"退款, 马上\"\n第二行");
    assert_string_equal(xval(d, "Cases", "C2"), "Investigating");
    expect_xnum(d, "Cases", "P3", "1234567.89");
    expect_xnum(d, "Cases", "Q3", "1023");
    expect_xnum(d, "Cases", "L2", "25");
    json_decref(d);
  }
  json_decref(t.rows);
  json_decref(cases);
}

/* ---- edges ---------------------------------------------------------------------------- */

static void check_exports(const json_t *doc) {
  ts_table *t = NULL;
  int n = 0;
  assert_int_equal(ts_report_tables(doc, &t, &n), TS_OK);
  assert_int_equal(n, N_TABLES);
  json_t *csv = export_csv(t, n, "zh");
  assert_int_equal(json_array_size(json_object_get(csv, "order")), N_TABLES);
  json_decref(csv);
  ts_buf b = {.max = 16 * 1024 * 1024};
  assert_int_equal(ts_tables_xlsx(t, n, "en", &b), TS_OK);
  assert_memory_equal(b.p, "PK\x03\x04", 4);
  free(b.p);
  ts_tables_free(t, n);
}

static void test_empty_and_odd(void **state) {
  (void)state;
  json_t *empty = json_object();
  ts_table *t = NULL;
  int n = 0;
  assert_int_equal(ts_report_tables(empty, &t, &n), TS_OK);
  for (int i = 0; i < n; i++) {
    if (!strcmp(t[i].name, "Summary") || !strcmp(t[i].name, "Loss components") ||
        !strcmp(t[i].name, "Penalties"))
      assert_true(json_array_size(t[i].rows) > 0); /* the names, with empty values */
    else
      assert_int_equal(json_array_size(t[i].rows), 0);
  }
  json_t *csv = export_csv(t, n, "zh");
  size_t row = csv_find(csv, "汇总", "损失合计");
  assert_string_equal(csv_cell(csv, "汇总", row, 2), "");
  json_decref(csv);
  ts_tables_free(t, n);
  check_exports(empty);
  json_decref(empty);

  /* members of the wrong type: empty cells or JSON text, never a crash */
  json_t *odd = json_loads(
      "{\"trend\": \"none\", \"summary\": {\"received\": true, \"satisfaction\": {\"counts\": 3}},"
      " \"by\": {\"category\": [1, null, {\"name_zh\": 5, \"count\": \"many\", \"pct\": null,"
      " \"code\": [\"a\", 2]}], \"grade\": {}}, \"pareto\": [{\"vital\": \"maybe\"}],"
      " \"repeat\": {\"top_subjects\": [{\"case_nos\": []}]},"
      " \"losses\": {\"components\": [], \"by_party\": [{\"total_cents\": 12.5}]},"
      " \"pending\": {\"items\": [{\"grade\": 4, \"from\": null}]}}",
      0, NULL);
  assert_non_null(odd);
  check_exports(odd);
  assert_int_equal(ts_report_tables(odd, &t, &n), TS_OK);
  csv = export_csv(t, n, "zh");
  assert_int_equal(csv_rows(csv, "按投诉类别"), 3);
  assert_string_equal(csv_cell(csv, "按投诉类别", 0, 0), "");
  assert_string_equal(csv_cell(csv, "按投诉类别", 2, 0), "5");
  assert_string_equal(csv_cell(csv, "按投诉类别", 2, 1), "many");
  assert_string_equal(csv_cell(csv, "按投诉类别", 2, 3), "a, 2");
  assert_string_equal(csv_cell(csv, "损失按责任方", 0, 2), "0.13"); /* 12.5 cents, rounded */
  assert_int_equal(csv_rows(csv, "近12个月趋势"), 0);
  json_decref(csv);
  ts_tables_free(t, n);
  json_decref(odd);

  /* a JSON array as the document is empty too; NULL is refused */
  json_t *arr = json_array();
  check_exports(arr);
  json_decref(arr);
  assert_int_equal(ts_report_tables(NULL, &t, &n), TS_ERR_INVALID);
  /* no tables at all: a BOM, and a workbook with its default sheet */
  ts_buf b = {.max = 1024 * 1024};
  assert_int_equal(ts_tables_csv(NULL, 0, "zh", &b), TS_OK);
  assert_int_equal(b.len, 3);
  free(b.p);
  memset(&b, 0, sizeof b);
  assert_int_equal(ts_tables_xlsx(NULL, 0, "zh", &b), TS_OK);
  assert_memory_equal(b.p, "PK\x03\x04", 4);
  free(b.p);
}

/* Over the buffer's ceiling: the error, out back to what it held, no temporary file. */
static void test_ceiling(void **state) {
  xfix *x = *state;
  json_t *r = load("sample_report.json");
  ts_table *t = NULL;
  int n = 0;
  assert_int_equal(ts_report_tables(r, &t, &n), TS_OK);

  ts_buf b = {.max = 2000};
  ts_buf_str(&b, "kept");
  assert_int_equal(ts_tables_csv(t, n, "zh", &b), TS_ERR_TOO_LARGE);
  assert_int_equal(b.rc, TS_ERR_TOO_LARGE);
  assert_int_equal(b.len, 4);
  assert_string_equal(b.p, "kept");
  /* a failed buffer stays failed */
  assert_int_equal(ts_tables_xlsx(t, n, "zh", &b), TS_ERR_TOO_LARGE);
  free(b.p);

  memset(&b, 0, sizeof b);
  b.max = 3000;
  assert_int_equal(ts_tables_xlsx(t, n, "zh", &b), TS_ERR_TOO_LARGE);
  assert_int_equal(b.len, 0);
  assert_int_equal(count_files(x->dir, "tousu-xlsx-"), 0);
  free(b.p);

  /* two sheets of one name: refused, and still no file left behind */
  memset(&b, 0, sizeof b);
  ts_table twice[2] = {t[1], t[1]};
  assert_int_equal(ts_tables_xlsx(twice, 2, "zh", &b), TS_ERR_INVALID);
  assert_int_equal(count_files(x->dir, "tousu-xlsx-"), 0);
  free(b.p);

  ts_tables_free(t, n);
  json_decref(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tables_shape),
      cmocka_unit_test(test_csv_sample),
      cmocka_unit_test(test_csv_money),
      cmocka_unit_test(test_cases_table),
      cmocka_unit_test_setup_teardown(test_xlsx_sample, xsetup, xteardown),
      cmocka_unit_test_setup_teardown(test_xlsx_cases, xsetup, xteardown),
      cmocka_unit_test_setup_teardown(test_empty_and_odd, xsetup, xteardown),
      cmocka_unit_test_setup_teardown(test_ceiling, xsetup, xteardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
