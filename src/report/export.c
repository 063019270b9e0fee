/* Tables (report/render.h) as the files people open: CSV and XLSX.
 *
 * Both writers read a table the way report/tables.c documents it: a cell is the row's
 * member named by the column key, or "<key>_zh" / "<key>_en" in the language when the
 * row has it; missing and null are empty cells; a string is text in any column.
 *
 * Both append to out and honour its ceiling. On failure they return the error, put out
 * back to the length it had and leave the error in out->rc (the buffer's sticky error), so
 * a builder that checks the buffer once at the end never sends half a file.
 *
 * Money: a CENTS cell is integer cents. The CSV writes it as yuan from the integer
 * (12345 -> "123.45", -5 -> "-0.05"), never through a double, so the file adds up to the
 * cent. The XLSX stores cents / 100.0 as a number with a "¥#,##0.00" format: that is for
 * display and sums in Excel; the exact cents stay in the CSV and the JSON. */
#include "report/render.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/ts_err.h"

#define XLSX_CELL_CHARS 32767 /* Excel's most characters in a cell */
#define XLSX_WIDTH_MIN 6.0    /* column widths, in Excel's character units */
#define XLSX_WIDTH_MAX 60.0
#define XLSX_WIDTH_ROWS 2000 /* rows looked at to size a column */

/* ---- cells ---------------------------------------------------------------------------- */

static int lang_is_en(const char *lang) {
  return lang && strncmp(lang, "en", 2) == 0;
}

/* The value of column c in row, in the language; NULL for an empty cell. */
static const json_t *cell_value(const json_t *row, const ts_col *c, int en) {
  char key[96];
  const json_t *v;
  snprintf(key, sizeof key, "%.*s_%s", (int)sizeof key - 4, c->key, en ? "en" : "zh");
  v = json_object_get(row, key);
  if (!v || json_is_null(v))
    v = json_object_get(row, c->key);
  return v && !json_is_null(v) ? v : NULL;
}

/* The column's heading; a percentage column says so even if its title forgot. */
static void col_title(const ts_col *c, int en, char *buf, size_t n) {
  const char *t = en ? c->title_en : c->title_zh;
  if (!t)
    t = c->key;
  if (c->type == TS_COL_PCT && !strchr(t, '%'))
    snprintf(buf, n, "%.*s%s", (int)n - 8, t, en ? " (%)" : "（%）");
  else
    snprintf(buf, n, "%.*s", (int)n - 1, t);
}

static const char *table_title(const ts_table *t, int en) {
  const char *s = en ? t->title_en : t->title_zh;
  return s ? s : t->name;
}

/* Integer cents from a JSON number (a real is rounded to the cent); 0 if it is none. */
static int cents_of(const json_t *v, int64_t *cents) {
  if (json_is_integer(v)) {
    *cents = (int64_t)json_integer_value(v);
    return 1;
  }
  if (json_is_real(v)) {
    double d = json_real_value(v);
    if (!isfinite(d) || fabs(d) >= 9.2e18)
      return 0;
    *cents = (int64_t)llround(d);
    return 1;
  }
  return 0;
}

/* Cents as yuan with exactly two decimals, in integers: 12345 -> "123.45". */
static void yuan_text(int64_t cents, char *buf, size_t n) {
  uint64_t u = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
  snprintf(buf, n, "%s%llu.%02llu", cents < 0 ? "-" : "", (unsigned long long)(u / 100),
           (unsigned long long)(u % 100));
}

/* A number as text: integers exactly, reals with 15 significant digits (12.5, 4.24). */
static void number_text(const json_t *v, char *buf, size_t n) {
  if (json_is_integer(v))
    snprintf(buf, n, "%lld", (long long)json_integer_value(v));
  else
    snprintf(buf, n, "%.15g", json_number_value(v));
}

/* Restores out after a failure and records the error in it (see the top). */
static void buf_fail(ts_buf *out, size_t len, int rc) {
  out->len = len;
  if (out->p)
    out->p[len] = '\0';
  if (!out->rc)
    out->rc = rc;
}

/* ---- CSV ------------------------------------------------------------------------------ */

/* One field, quoted per RFC 4180 when it holds a comma, a quote, CR or LF.
 *
 * Formula injection: Excel and LibreOffice run a field that starts with = + - or @ as a
 * formula (and a leading tab or CR can hide such a start), so a complainant could plant
 * "=HYPERLINK(...)" in a supervisor's spreadsheet. Text cells (guard = 1) that start with
 * one of those get a leading apostrophe, which spreadsheets show as plain text. Numbers
 * we write ourselves (-0.05) are not text and are left alone; so are our own headings. */
static void csv_field(ts_buf *b, const char *s, size_t n, int guard) {
  int quote = memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\r', n) || memchr(s, '\n', n);
  if (quote)
    ts_buf_add(b, "\"", 1);
  if (guard && n > 0 && memchr("=+-@\t\r", s[0], 6))
    ts_buf_add(b, "'", 1);
  if (!quote) {
    ts_buf_add(b, s, n);
    return;
  }
  for (;;) {
    const char *q = memchr(s, '"', n);
    if (!q) {
      ts_buf_add(b, s, n);
      break;
    }
    ts_buf_add(b, s, (size_t)(q - s) + 1);
    ts_buf_add(b, "\"", 1); /* a quote is written twice */
    n -= (size_t)(q - s) + 1;
    s = q + 1;
  }
  ts_buf_add(b, "\"", 1);
}

static int csv_cell(ts_buf *b, const json_t *v, const ts_col *c) {
  char num[32];
  int64_t cents;
  if (!v)
    return TS_OK;
  switch (json_typeof(v)) {
  case JSON_STRING:
    csv_field(b, json_string_value(v), json_string_length(v), 1);
    return TS_OK;
  case JSON_INTEGER:
  case JSON_REAL:
    if (c->type == TS_COL_CENTS && cents_of(v, &cents))
      yuan_text(cents, num, sizeof num);
    else
      number_text(v, num, sizeof num);
    ts_buf_str(b, num);
    return TS_OK;
  default: { /* true, false, an object or an array: its JSON text */
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!s)
      return TS_ERR_NOMEM;
    csv_field(b, s, strlen(s), 1);
    free(s);
    return TS_OK;
  }
  }
}

/* The title line, the header, the rows and an empty line. */
static int csv_table(ts_buf *b, const ts_table *t, int en) {
  char title[256];
  const char *tt = table_title(t, en);
  csv_field(b, tt, strlen(tt), 0);
  ts_buf_add(b, "\r\n", 2);
  for (int c = 0; c < t->ncols; c++) {
    if (c)
      ts_buf_add(b, ",", 1);
    col_title(&t->cols[c], en, title, sizeof title);
    csv_field(b, title, strlen(title), 0);
  }
  ts_buf_add(b, "\r\n", 2);
  for (size_t r = 0; r < json_array_size(t->rows) && !b->rc; r++) {
    const json_t *row = json_array_get(t->rows, r);
    for (int c = 0; c < t->ncols; c++) {
      if (c)
        ts_buf_add(b, ",", 1);
      int rc = csv_cell(b, cell_value(row, &t->cols[c], en), &t->cols[c]);
      if (rc)
        return rc;
    }
    ts_buf_add(b, "\r\n", 2);
  }
  ts_buf_add(b, "\r\n", 2);
  return b->rc;
}

int ts_tables_csv(const ts_table *t, int n, const char *lang, ts_buf *out) {
  int en = lang_is_en(lang), rc = TS_OK;
  size_t start;
  if (!out || n < 0 || (n > 0 && !t))
    return TS_ERR_INVALID;
  if (out->rc)
    return out->rc;
  start = out->len;
  for (int i = 0; i < n; i++) {
    if (t[i].ncols < 0 || (t[i].ncols > 0 && !t[i].cols)) {
      rc = TS_ERR_INVALID;
      goto out;
    }
  }
  ts_buf_add(out, "\xEF\xBB\xBF", 3); /* the BOM: Excel reads the file as UTF-8 */
  for (int i = 0; i < n && !rc; i++)
    rc = csv_table(out, &t[i], en);
  if (!rc)
    rc = out->rc;
out:
  if (rc)
    buf_fail(out, start, rc);
  return rc;
}

/* ---- XLSX ----------------------------------------------------------------------------- */

typedef struct {
  lxw_format *head;  /* the header row: bold on a light fill */
  lxw_format *cents; /* yuan */
  lxw_format *pct;   /* one decimal */
} xlsx_formats;

static int from_lxw(lxw_error e) {
  switch (e) {
  case LXW_NO_ERROR:
    return TS_OK;
  case LXW_ERROR_MEMORY_MALLOC_FAILED:
    return TS_ERR_NOMEM;
  case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
  case LXW_ERROR_255_STRING_LENGTH_EXCEEDED:
  case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
    return TS_ERR_TOO_LARGE;
  case LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED:
  case LXW_ERROR_INVALID_SHEETNAME_CHARACTER:
  case LXW_ERROR_SHEETNAME_START_END_APOSTROPHE:
  case LXW_ERROR_SHEETNAME_ALREADY_USED:
    return TS_ERR_INVALID;
  default: /* the temporary file or the zip: I/O */
    return TS_ERR_STORE;
  }
}

/* Full-width characters (CJK, kana, hangul, full-width forms) take two columns. */
static int is_wide(uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* The width of UTF-8 text in Excel's character units, roughly; *cut is set to the bytes
 * of the first XLSX_CELL_CHARS characters. */
static double text_width(const char *s, size_t n, size_t *cut) {
  double w = 0;
  size_t i = 0, chars = 0;
  *cut = n;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    uint32_t cp = k == 1 ? c : k == 2 ? (c & 0x1Fu) : k == 3 ? (c & 0x0Fu) : (c & 0x07u);
    if (k > n - i)
      k = n - i;
    for (size_t j = 1; j < k; j++)
      cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3Fu);
    if (chars == XLSX_CELL_CHARS) {
      *cut = i;
      break;
    }
    w += is_wide(cp) ? 2 : 1;
    i += k;
    chars++;
  }
  return w;
}

static void widen(double *width, double w) {
  if (width && w > *width)
    *width = w;
}

/* A text cell; text beyond Excel's limit is cut (the CSV keeps it whole). */
static int xlsx_text(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s, size_t n,
                     lxw_format *f, double *width) {
  size_t cut;
  char *copy = NULL;
  lxw_error e;
  widen(width, text_width(s, n, &cut));
  if (cut < n || strlen(s) != n) {
    copy = malloc(cut + 1);
    if (!copy)
      return TS_ERR_NOMEM;
    memcpy(copy, s, cut);
    copy[cut] = '\0';
    s = copy;
  }
  e = worksheet_write_string(ws, r, c, s, f);
  free(copy);
  return from_lxw(e);
}

static int xlsx_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, const json_t *v,
                     const ts_col *c, const xlsx_formats *f, double *width) {
  char num[32];
  int64_t cents;
  lxw_error e;
  if (!v)
    return TS_OK;
  switch (json_typeof(v)) {
  case JSON_STRING:
    return xlsx_text(ws, r, col, json_string_value(v), json_string_length(v), NULL, width);
  case JSON_INTEGER:
  case JSON_REAL:
    if (c->type == TS_COL_CENTS && cents_of(v, &cents)) {
      size_t len;
      yuan_text(cents, num, sizeof num);
      len = strlen(num);
      widen(width, (double)(len + 1 + (len > 6 ? (len - 4) / 3 : 0))); /* ¥ and commas */
      e = worksheet_write_number(ws, r, col, (double)cents / 100.0, f->cents);
    } else {
      number_text(v, num, sizeof num);
      widen(width, (double)strlen(num));
      e = worksheet_write_number(ws, r, col, json_number_value(v),
                                 c->type == TS_COL_PCT ? f->pct : NULL);
    }
    return from_lxw(e);
  default: { /* true, false, an object or an array: its JSON text */
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    int rc;
    if (!s)
      return TS_ERR_NOMEM;
    rc = xlsx_text(ws, r, col, s, strlen(s), NULL, width);
    free(s);
    return rc;
  }
  }
}

/* One sheet: the header row (frozen, with a filter), the rows, columns sized to fit and
 * the table's title as the printed page's header. */
static int xlsx_sheet(lxw_workbook *wb, const ts_table *t, int en, const xlsx_formats *f) {
  size_t nrows = json_array_size(t->rows);
  int ncols = t->ncols;
  double *width = NULL;
  char name[32], buf[256];
  const char *title = table_title(t, en);
  lxw_worksheet *ws;
  int rc = TS_OK;
  if (ncols < 0 || (ncols > 0 && !t->cols))
    return TS_ERR_INVALID;
  if (ncols > LXW_COL_MAX || nrows >= LXW_ROW_MAX)
    return TS_ERR_TOO_LARGE;
  snprintf(name, sizeof name, "%.*s", (int)sizeof name - 1, t->name);
  ws = workbook_add_worksheet(wb, name[0] ? name : NULL);
  if (!ws)
    return TS_ERR_INVALID; /* a bad or repeated sheet name */
  width = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof *width);
  if (!width) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  for (int c = 0; c < ncols; c++) {
    col_title(&t->cols[c], en, buf, sizeof buf);
    rc = xlsx_text(ws, 0, (lxw_col_t)c, buf, strlen(buf), f->head, &width[c]);
    if (rc)
      goto out;
  }
  for (size_t r = 0; r < nrows; r++) {
    const json_t *row = json_array_get(t->rows, r);
    for (int c = 0; c < ncols; c++) {
      rc = xlsx_cell(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, cell_value(row, &t->cols[c], en),
                     &t->cols[c], f, r < XLSX_WIDTH_ROWS ? &width[c] : NULL);
      if (rc)
        goto out;
    }
  }
  for (int c = 0; c < ncols; c++) {
    double w = width[c] + 2;
    w = w < XLSX_WIDTH_MIN ? XLSX_WIDTH_MIN : w > XLSX_WIDTH_MAX ? XLSX_WIDTH_MAX : w;
    rc = from_lxw(worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL));
    if (rc)
      goto out;
  }
  worksheet_freeze_panes(ws, 1, 0);
  if (ncols > 0) {
    rc = from_lxw(worksheet_autofilter(ws, 0, 0, (lxw_row_t)nrows, (lxw_col_t)(ncols - 1)));
    if (rc)
      goto out;
  }
  /* "&" starts a code in a page header; a title with one is simply not printed there. */
  if (!strchr(title, '&') && strlen(title) < 200) {
    snprintf(buf, sizeof buf, "&C%.*s", (int)sizeof buf - 3, title);
    rc = from_lxw(worksheet_set_header(ws, buf));
  }
out:
  free(width);
  return rc;
}

/* Appends the whole of the file open at fd to out. */
static int read_back(int fd, ts_buf *out) {
  char chunk[16384];
  if (lseek(fd, 0, SEEK_SET) != 0)
    return TS_ERR_STORE;
  for (;;) {
    ssize_t k = read(fd, chunk, sizeof chunk);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0)
      return TS_ERR_STORE;
    if (k == 0)
      return out->rc;
    ts_buf_add(out, chunk, (size_t)k);
    if (out->rc)
      return out->rc;
  }
}

/* libxlsxwriter 1.1.4 writes only to a named file: the workbook goes to a private
 * temporary file (mkstemp, mode 0600, in $TMPDIR or /tmp), is read back through the
 * descriptor mkstemp gave and the file is removed on every path. I/O failures of the
 * temporary file or the zip are TS_ERR_STORE (500), like the store's. */
int ts_tables_xlsx(const ts_table *t, int n, const char *lang, ts_buf *out) {
  int en = lang_is_en(lang), rc = TS_OK, fd = -1;
  char dir[1024], path[1100];
  const char *env = getenv("TMPDIR");
  lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = dir, .use_zip64 = LXW_FALSE};
  lxw_workbook *wb = NULL;
  xlsx_formats f;
  size_t start;
  if (!out || n < 0 || (n > 0 && !t))
    return TS_ERR_INVALID;
  if (out->rc)
    return out->rc;
  start = out->len;
  if (!env || !*env || strlen(env) >= sizeof dir)
    env = "/tmp";
  snprintf(dir, sizeof dir, "%.*s", (int)sizeof dir - 1, env);
  snprintf(path, sizeof path, "%.*s/tousu-xlsx-XXXXXX", (int)sizeof dir - 1, dir);
  fd = mkstemp(path);
  if (fd < 0) {
    rc = TS_ERR_STORE;
    goto out;
  }
  wb = workbook_new_opt(path, &opt);
  f.head = wb ? workbook_add_format(wb) : NULL;
  f.cents = wb ? workbook_add_format(wb) : NULL;
  f.pct = wb ? workbook_add_format(wb) : NULL;
  if (!wb || !f.head || !f.cents || !f.pct) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  format_set_bold(f.head);
  format_set_pattern(f.head, LXW_PATTERN_SOLID);
  format_set_bg_color(f.head, 0xDDEBF7);
  format_set_bottom(f.head, LXW_BORDER_THIN);
  format_set_num_format(f.cents, "¥#,##0.00");
  format_set_num_format(f.pct, "0.0");
  for (int i = 0; i < n; i++) {
    rc = xlsx_sheet(wb, &t[i], en, &f);
    if (rc)
      goto out;
  }
  rc = from_lxw(workbook_close(wb)); /* writes the file and frees the workbook */
  wb = NULL;
  if (rc)
    goto out;
  rc = read_back(fd, out);
out:
  if (wb)
    lxw_workbook_free(wb); /* a failed build: nothing to write */
  if (fd >= 0) {
    close(fd);
    unlink(path);
  }
  if (rc)
    buf_fail(out, start, rc);
  return rc;
}
