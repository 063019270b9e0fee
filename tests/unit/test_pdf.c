/* The report as a PDF (report/pdf.c): the sample document in Chinese and English, an empty
 * one and a broken one render to a well-formed PDF of several pages; when poppler-utils are
 * installed, the text that pdftotext reads back holds the title, names and exact money,
 * and every page that pdftoppm draws has ink in its body. Long lists flow over pages with
 * their header repeated, a full buffer is an error, and a glyph that cairo's own CFF
 * subsetting leaves blank ("如") prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/ts_err.h"
#include "report/render.h"
#include "util/buf.h"

#define PATH_MAX_LEN 512

/* tests/unit/data/<name>, found from this file's path (CMake compiles it by its full path;
 * TS_TEST_DATA overrides). */
static void data_path(const char *name, char *out, size_t n) {
  const char *dir = getenv("TS_TEST_DATA");
  if (dir) {
    snprintf(out, n, "%s/%s", dir, name);
    return;
  }
  const char *file = __FILE__, *slash = strrchr(file, '/');
  int len = slash ? (int)(slash - file) : 1;
  snprintf(out, n, "%.*s/data/%s", len, slash ? file : ".", name);
}

static json_t *load_json(const char *name) {
  char path[PATH_MAX_LEN];
  json_error_t err;
  data_path(name, path, sizeof path);
  json_t *doc = json_load_file(path, 0, &err);
  if (!doc)
    fail_msg("%s: %s (line %d)", path, err.text, err.line);
  return doc;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Renders doc, asserts success; the caller frees out->p. */
static void render(const json_t *doc, const char *lang, ts_buf *out) {
  memset(out, 0, sizeof *out);
  out->max = (size_t)64 << 20;
  assert_int_equal(ts_report_pdf(doc, lang, out), TS_OK);
  assert_int_equal(out->rc, TS_OK);
  assert_non_null(out->p);
}

static size_t count_bytes(const char *p, size_t n, const char *needle, char not_after) {
  size_t k = strlen(needle), hits = 0;
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(p + i, needle, k) == 0 && (i + k == n || p[i + k] != not_after))
      hits++;
  return hits;
}

/* "%PDF-" at the start, "%%EOF" at the end (then at most a line end); the pages: page
 * objects, not the /Pages tree. */
static int assert_pdf(const ts_buf *b) {
  assert_true(b->len > 1000);
  assert_memory_equal(b->p, "%PDF-", 5);
  size_t end = b->len;
  while (end > 0 && (b->p[end - 1] == '\n' || b->p[end - 1] == '\r'))
    end--;
  assert_true(end >= 5 && b->len - end <= 2);
  assert_memory_equal(b->p + end - 5, "%%EOF", 5);
  return (int)count_bytes(b->p, b->len, "/Type /Page", 's');
}

static int have_tool(const char *name) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
  return system(cmd) == 0;
}

static int poppler(void) {
  static int known = -1;
  if (known < 0) {
    known = have_tool("pdftotext") && have_tool("pdftoppm");
    if (!known)
      print_message("poppler-utils (pdftotext, pdftoppm) not installed: "
                    "text and page images not checked\n");
  }
  return known;
}

/* A temporary directory holding the PDF as doc.pdf. */
typedef struct {
  char dir[64];
  char pdf[96];
} scratch;

static void scratch_open(scratch *s, const ts_buf *b) {
  snprintf(s->dir, sizeof s->dir, "/tmp/tousu-pdf-XXXXXX");
  assert_non_null(mkdtemp(s->dir));
  snprintf(s->pdf, sizeof s->pdf, "%s/doc.pdf", s->dir);
  FILE *f = fopen(s->pdf, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(b->p, 1, b->len, f), b->len);
  assert_int_equal(fclose(f), 0);
}

static void scratch_close(scratch *s) {
  DIR *dir = opendir(s->dir);
  struct dirent *e;
  char path[PATH_MAX_LEN];
  assert_non_null(dir);
  while ((e = readdir(dir)))
    if (e->d_name[0] != '.') {
      snprintf(path, sizeof path, "%s/%s", s->dir, e->d_name);
      unlink(path);
    }
  closedir(dir);
  rmdir(s->dir);
}

/* The output of cmd, NUL-terminated (malloc'd). */
static char *run(const char *cmd) {
  FILE *p = popen(cmd, "r");
  size_t len = 0, cap = 1 << 16, got;
  char *out = malloc(cap);
  assert_non_null(p);
  assert_non_null(out);
  while ((got = fread(out + len, 1, cap - len - 1, p)) > 0) {
    len += got;
    if (cap - len - 1 == 0) {
      cap *= 2;
      out = realloc(out, cap);
      assert_non_null(out);
    }
  }
  out[len] = '\0';
  assert_int_equal(pclose(p), 0);
  return out;
}

/* pdftotext -layout of the PDF, with the spaces taken out: pdftotext drops or keeps the
 * spaces next to Chinese characters by its own rules ("第 1 页" reads "第1页"). */
static char *pdf_text(const scratch *s) {
  char cmd[PATH_MAX_LEN];
  snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' -", s->pdf);
  char *text = run(cmd), *w = text;
  for (const char *r = text; *r; r++)
    if (*r != ' ')
      *w++ = *r;
  *w = '\0';
  return text;
}

static void assert_has(const char *text, const char *want) {
  if (!strstr(text, want))
    fail_msg("\"%s\" not in the PDF's text", want);
}

/* Reads a binary PGM (P5, maxval 255) into *w, *h and the returned pixels (malloc'd). */
static unsigned char *read_pgm(const char *path, int *w, int *h) {
  FILE *f = fopen(path, "rb");
  int maxval = 0;
  unsigned char *px;
  assert_non_null(f);
  assert_int_equal(fscanf(f, "P5 %d %d %d", w, h, &maxval), 3);
  assert_int_equal(maxval, 255);
  assert_true(*w > 0 && *h > 0 && *w < 10000 && *h < 10000);
  fgetc(f); /* the one whitespace after maxval */
  px = malloc((size_t)*w * (size_t)*h);
  assert_non_null(px);
  assert_int_equal(fread(px, 1, (size_t)*w * (size_t)*h, f), (size_t)*w * (size_t)*h);
  fclose(f);
  return px;
}

/* Dark pixels between the header and the footer rules (6 % to 94 % of the height). */
static long body_ink(const unsigned char *px, int w, int h) {
  long ink = 0;
  for (int y = h * 6 / 100; y < h * 94 / 100; y++)
    for (int x = 0; x < w; x++)
      ink += px[(size_t)y * (size_t)w + (size_t)x] < 160;
  return ink;
}

/* Draws every page at dpi in grey; asserts there are `pages` of them; returns the ink of
 * the body of the page with the least (and of page 1 in *first). */
static long pages_ink(const scratch *s, int dpi, int pages, long *first) {
  char cmd[PATH_MAX_LEN], path[PATH_MAX_LEN];
  long least = -1;
  int n = 0;
  DIR *dir;
  struct dirent *e;
  snprintf(cmd, sizeof cmd, "pdftoppm -r %d -gray '%s' '%s/p'", dpi, s->pdf, s->dir);
  free(run(cmd));
  dir = opendir(s->dir);
  assert_non_null(dir);
  while ((e = readdir(dir))) {
    size_t len = strlen(e->d_name);
    int w, h;
    if (len < 4 || strcmp(e->d_name + len - 4, ".pgm") != 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", s->dir, e->d_name);
    unsigned char *px = read_pgm(path, &w, &h);
    long ink = body_ink(px, w, h);
    free(px);
    if (least < 0 || ink < least)
      least = ink;
    if (first && atoi(e->d_name + 2) == 1) /* p-1.pgm, p-01.pgm, ... */
      *first = ink;
    n++;
  }
  closedir(dir);
  assert_int_equal(n, pages);
  return least;
}

/* The sample in Chinese: the cover, the figures exact, page numbers, no blank page. */
static void test_sample_zh(void **state) {
  (void)state;
  json_t *doc = load_json("sample_report.json");
  ts_buf b;
  double t0 = now_ms();
  render(doc, "zh", &b);
  print_message("sample (zh): %zu bytes in %.0f ms\n", b.len, now_ms() - t0);
  int pages = assert_pdf(&b);
  assert_true(pages >= 5);
  if (poppler()) {
    scratch s;
    char want[64];
    scratch_open(&s, &b);
    char *text = pdf_text(&s);
    assert_has(text, "客户投诉分析报告");
    assert_has(text, "2026年10月");
    assert_has(text, "星河汽车销售服务有限公司");
    assert_has(text, "产品质量");
    assert_has(text, "¥1,234,567.89"); /* loss_total_cents 123456789, to the cent */
    assert_has(text, "¥34,567.89");    /* freight_cents 3456789 */
    assert_has(text, "TS20260800123"); /* a penalty never executed */
    assert_has(text, "配件订货中");    /* the pending ledger */
    assert_has(text, "关键少数");
    snprintf(want, sizeof want, "第1页/共%d页", pages);
    assert_has(text, want);
    snprintf(want, sizeof want, "第%d页/共%d页", pages, pages);
    assert_has(text, want);
    assert_null(strstr(text, "Complaint analysis report"));
    free(text);
    assert_true(pages_ink(&s, 30, pages, NULL) > 50);
    scratch_close(&s);
  }
  free(b.p);
  json_decref(doc);
}

static void test_sample_en(void **state) {
  (void)state;
  json_t *doc = load_json("sample_report.json");
  ts_buf b;
  double t0 = now_ms();
  render(doc, "en", &b);
  print_message("sample (en): %zu bytes in %.0f ms\n", b.len, now_ms() - t0);
  int pages = assert_pdf(&b);
  assert_true(pages >= 5);
  if (poppler()) {
    scratch s;
    char want[64];
    scratch_open(&s, &b);
    char *text = pdf_text(&s);
    assert_has(text, "Complaintanalysisreport");
    assert_has(text, "October2026");
    assert_has(text, "Productquality");
    assert_has(text, "¥1,234,567.89");
    assert_has(text, "Penaltiesnotexecuted");
    snprintf(want, sizeof want, "Page1of%d", pages);
    assert_has(text, want);
    assert_null(strstr(text, "客户投诉分析报告"));
    free(text);
    assert_true(pages_ink(&s, 30, pages, NULL) > 50);
    scratch_close(&s);
  }
  free(b.p);
  json_decref(doc);
}

/* {}: every section says it has no data; a language other than "en" is Chinese. */
static void test_empty(void **state) {
  (void)state;
  json_t *doc = json_object();
  ts_buf b;
  render(doc, "fr", &b);
  int pages = assert_pdf(&b);
  assert_true(pages >= 2);
  if (poppler()) {
    scratch s;
    scratch_open(&s, &b);
    char *text = pdf_text(&s);
    assert_has(text, "客户投诉分析报告");
    assert_has(text, "无数据");
    assert_has(text, "第1页/共");
    free(text);
    assert_true(pages_ink(&s, 30, pages, NULL) > 50);
    scratch_close(&s);
  }
  free(b.p);
  render(doc, NULL, &b); /* no language: Chinese too */
  assert_pdf(&b);
  free(b.p);
  json_decref(doc);
}

/* Nulls, wrong types, huge and negative numbers, control characters: a PDF all the same,
 * money still from the integers. */
static void test_broken(void **state) {
  (void)state;
  json_t *doc = load_json("pdf_broken.json");
  ts_buf b;
  render(doc, "zh", &b);
  int pages = assert_pdf(&b);
  assert_true(pages >= 2);
  if (poppler()) {
    scratch s;
    scratch_open(&s, &b);
    char *text = pdf_text(&s);
    assert_has(text, "-¥0.05");                     /* loss_total_cents -5 */
    assert_has(text, "¥92,233,720,368,547,758.07"); /* INT64_MAX cents */
    assert_has(text, "只有中文名");                 /* no name_en: the other language */
    assert_has(text, "2026年第4季度");
    assert_has(text, "不一致"); /* components do not add up to the total */
    free(text);
    scratch_close(&s);
  }
  free(b.p);
  render(doc, "en", &b);
  assert_pdf(&b);
  free(b.p);
  json_decref(doc);
}

/* The lists at their longest (500 rows): the ledger flows over pages with its header on
 * each, and the last row is there. */
static void test_long_lists(void **state) {
  (void)state;
  json_t *doc = load_json("sample_report.json");
  json_t *items = json_array(), *pen = json_array();
  char no[32], reason[128];
  ts_buf b;
  for (int i = 1; i <= 500; i++) {
    snprintf(no, sizeof no, "TS2026100%04d", i);
    snprintf(reason, sizeof reason, "第 %d 项：客户出差，暂时联系不上，约定下月再联系并上门检测",
             i);
    assert_int_equal(
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "case_no", no,
                                               "grade", i % 7 ? "g1" : "g3", "received_at",
                                               "2026-10-09T16:40:00+08:00", "reason", reason,
                                               "remind_on", "2026-11-10", "from", "investigating")),
        0);
    assert_int_equal(
        json_array_append_new(pen, json_pack("{s:s, s:s, s:s, s:I, s:s, s:i}", "case_no", no,
                                             "person", "王强", "kind_zh", "罚款", "amount_cents",
                                             (json_int_t)i * 100, "status", "approved", "days_open",
                                             i % 90)),
        0);
  }
  json_object_set_new(json_object_get(doc, "pending"), "items", items);
  json_object_set_new(json_object_get(doc, "pending"), "total", json_integer(500));
  json_object_set_new(json_object_get(doc, "penalties"), "not_executed", pen);
  json_object_set_new(json_object_get(doc, "penalties"), "not_executed_total", json_integer(500));
  double t0 = now_ms();
  render(doc, "zh", &b);
  print_message("500-row lists (zh): %zu bytes in %.0f ms\n", b.len, now_ms() - t0);
  int pages = assert_pdf(&b);
  assert_true(pages >= 20);
  if (poppler()) {
    scratch s;
    scratch_open(&s, &b);
    char *text = pdf_text(&s);
    size_t heads = 0;
    for (const char *p = text; (p = strstr(p, "暂缓原因")); p++)
      heads++;
    assert_true(heads >= 5); /* the ledger's header on each of its pages */
    assert_has(text, "TS20261000500");
    assert_has(text, "¥500.00");
    free(text);
    scratch_close(&s);
  }
  free(b.p);
  json_decref(doc);
}

/* "如" has a hintmask after drawing operators: cairo's CFF subsetter blanks a subroutine
 * it calls. Ten of them as the unit's name must put ink on the cover. */
static void test_glyphs_drawn(void **state) {
  (void)state;
  const char *names[] = {"　", "如如如如如如如如如如"};
  long ink[2] = {0, 0};
  if (!poppler())
    return;
  for (int i = 0; i < 2; i++) {
    json_t *doc = json_pack("{s:{s:s}}", "unit", "name", names[i]);
    ts_buf b;
    scratch s;
    render(doc, "zh", &b);
    scratch_open(&s, &b);
    pages_ink(&s, 72, assert_pdf(&b), &ink[i]);
    scratch_close(&s);
    free(b.p);
    json_decref(doc);
  }
  /* the unit's name appears on the cover once (the header is above the body) */
  assert_true(ink[1] > ink[0] + 100);
}

static void test_errors(void **state) {
  (void)state;
  json_t *list = json_array(), *doc = json_object();
  ts_buf b;
  memset(&b, 0, sizeof b);
  assert_int_equal(ts_report_pdf(NULL, "zh", &b), TS_ERR_INVALID);
  assert_int_equal(ts_report_pdf(list, "zh", &b), TS_ERR_INVALID);
  assert_int_equal(ts_report_pdf(doc, "zh", NULL), TS_ERR_INVALID);
  assert_null(b.p);
  b.max = 4096; /* far less than a PDF */
  assert_int_equal(ts_report_pdf(doc, "zh", &b), TS_ERR_TOO_LARGE);
  free(b.p);
  json_decref(list);
  json_decref(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sample_zh),  cmocka_unit_test(test_sample_en),
      cmocka_unit_test(test_empty),      cmocka_unit_test(test_broken),
      cmocka_unit_test(test_long_lists), cmocka_unit_test(test_glyphs_drawn),
      cmocka_unit_test(test_errors),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  /* fontconfig 2.14 keeps parts of its configuration behind offsets that LeakSanitizer
   * cannot follow; dropping it at exit leaves nothing to report. */
  ts_render_shutdown();
  return failed;
}
