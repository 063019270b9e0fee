/* The report as a PDF (report/render.h): cairo draws, pango lays out the text in Noto CJK,
 * and nothing here reads the store. Every figure comes from the report document
 * (report/report.h) as it is, so the PDF and the JSON cannot disagree.
 *
 * How a document is made. One set of functions draws everything top to bottom, keeping a
 * cursor (pdf_doc.y) and breaking pages themselves; a block that does not fit on what is
 * left of a page (a chart, a card grid, a table's header with its first rows) moves to the
 * next one, and a table that flows on repeats its header row. The whole document is drawn
 * twice: first into a cairo recording surface, which tells how many pages there are and
 * where each section starts, then into the PDF with "第 n 页 / 共 m 页" in the footers
 * and the contents, with page numbers, on the cover. Both passes lay out alike because
 * the text metrics do not depend on the target: the pango context has fixed font options
 * (no hinting, unrounded glyph positions) and font sizes are absolute, in points.
 *
 * Robustness. The document comes from ts_report_build, but this file assumes nothing of
 * it: a member that is missing, null or of another type shows as "—" (0 in a chart, "无数
 * 据" for a list); strings go through bounded buffers, with control characters blanked
 * and cut at the last whole UTF-8 character; lists are cut at PDF_ROWS_MAX rows. Money is
 * written from the integer cents and percentages from tenths, never through "%f".
 *
 * Glyphs. Pango shapes and lays out all text, but the glyphs reach the PDF as outlines in
 * Type 3 fonts, not as the CFF fonts cairo would embed. Cairo's CFF subsetter (1.16, and
 * the same code since) misreads a charstring whose first hintmask comes after drawing
 * operators: it takes the curves' operands for stem hints, skips too many mask bytes,
 * misses the subroutine call behind them and blanks that subroutine, so the glyph prints
 * empty. Noto CJK has such glyphs; "如" of "如下" came out blank. Every font face pango
 * picks is therefore wrapped in a cairo user font that fills the glyph's outline as
 * FreeType reads it, and runs are shown with their text and clusters, so the PDF keeps
 * its ToUnicode maps for search and copy. The first pass measures only and draws no text.
 *
 * Errors. Pango cannot fail (GLib aborts when memory runs out). Cairo keeps its first
 * error in the context and the surface; both are checked at the end of each pass. The
 * bytes go to the caller's ts_buf through the stream callback, which stops cairo at the
 * buffer's first error (its ceiling). */
#include "core/labels.h"
#include "report/render.h"

#include <fontconfig/fontconfig.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <inttypes.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/ts_err.h"

/* ---- geometry (points, A4 portrait) and limits */

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 48.0
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define BODY_TOP 66.0               /* the first block of a page below the header */
#define BODY_BOTTOM (PAGE_H - 56.0) /* blocks end above the footer */

#define PDF_ROWS_MAX 600 /* rows drawn of one list (the report holds at most 500) */
#define PDF_CELL_MAX 768 /* bytes of one table cell's text */
#define PDF_COLS_MAX 12  /* columns of one table */
#define PDF_BARS_MAX 24  /* bars of one chart */
#define PDF_SECTIONS 10  /* sections after the cover (the sections table) */
#define PDF_FACES_MAX 16 /* font faces drawn through proxies (three, and fallbacks) */

#define CELL_PAD_X 4.0
#define CELL_PAD_Y 3.5
#define ROW_MIN_H 16.0

/* The palette: greys for text and rules, one navy for the figures, the grade colours. */
enum {
  C_WHITE = 0xFFFFFF,
  C_INK = 0x2B2F36,
  C_MUTED = 0x6B7280,
  C_RULE = 0xCDD3DB,
  C_GRID = 0xE6E9EE,
  C_STRIPE = 0xF6F7F9,
  C_HEAD_BG = 0xE6ECF3,
  C_CARD_BG = 0xF3F6FA,
  C_NAVY = 0x1F4E79,
  C_BLUE = 0x5B8DBE,
  C_TEAL = 0x4FA39A,
  C_GREY_BAR = 0xB3C0CE,
  C_ORANGE = 0xD9822B,
  C_ALERT = 0xB42318,
  C_G1 = 0xE6A23C,
  C_G2 = 0xE5702A,
  C_G3 = 0xD03B2F,
  C_G4 = 0x8E1B1B
};

enum { FACE_SANS, FACE_BOLD, FACE_SERIF, FACE__COUNT };

typedef struct {
  int face;       /* FACE_* */
  double size;    /* points */
  uint32_t color; /* 0xRRGGBB */
} text_style;

static const text_style ST_BODY = {FACE_SANS, 9.0, C_INK};
static const text_style ST_NOTE = {FACE_SANS, 8.0, C_MUTED};
static const text_style ST_WARN = {FACE_BOLD, 8.5, C_ALERT};
static const text_style ST_CELL = {FACE_SANS, 7.5, C_INK};
static const text_style ST_CELL_BOLD = {FACE_BOLD, 7.5, C_INK};
static const text_style ST_CELL_ALERT = {FACE_BOLD, 7.5, C_ALERT};
static const text_style ST_CELL_VITAL = {FACE_BOLD, 7.5, C_NAVY};
static const text_style ST_HEAD = {FACE_BOLD, 7.5, C_INK};
static const text_style ST_AXIS = {FACE_SANS, 6.5, C_MUTED};
static const text_style ST_VALUE = {FACE_SANS, 6.0, C_INK};
static const text_style ST_LEGEND = {FACE_SANS, 7.0, C_INK};
static const text_style ST_SECTION = {FACE_BOLD, 14.0, C_NAVY};
static const text_style ST_SUBSECTION = {FACE_BOLD, 10.0, C_INK};
static const text_style ST_PAGE = {FACE_SANS, 7.5, C_MUTED};
static const text_style ST_CARD_LABEL = {FACE_SANS, 8.0, C_MUTED};
static const text_style ST_CARD_VALUE = {FACE_BOLD, 16.0, C_INK};
static const text_style ST_CARD_SUB = {FACE_SANS, 7.0, C_MUTED};

/* One rendering: the document, the language, pango's context, and the cursor of the pass
 * being drawn. */
typedef struct {
  const json_t *doc; /* the report */
  int zh;            /* 1: Chinese, 0: English */
  PangoContext *pc;  /* of our own font map */
  PangoFontDescription *face[FACE__COUNT];
  cairo_t *cr;                    /* this pass's context */
  cairo_surface_t *pdf;           /* the PDF (second pass): outline; NULL first */
  int page;                       /* the page being drawn, from 1 */
  int pages;                      /* pages of the document; 0 while counting */
  double y;                       /* the top of the next block on this page */
  int outline;                    /* outline item of the current section */
  int section_page[PDF_SECTIONS]; /* where each section starts (first pass) */
  double section_y[PDF_SECTIONS];
  cairo_font_options_t *fo; /* no hinting: the same metrics in both passes */
  struct {
    cairo_font_face_t *real;  /* a face pango chose (held by the proxy) */
    cairo_font_face_t *proxy; /* the user font drawing its outlines */
  } faces[PDF_FACES_MAX];
  int nfaces;
  int rc;          /* TS_OK or the first failure of a builder here */
  char title[160]; /* the report's title and period (headers) */
  char period[96]; /* the period in words */
  char unit[200];  /* the unit's name */
} pdf_doc;

static const char *tr(const pdf_doc *d, const char *zh, const char *en) {
  return d->zh ? zh : en;
}

/* ---- reading the document: missing, null or mistyped members read as absent */

static const json_t *jget(const json_t *o, const char *k) {
  return json_is_object(o) ? json_object_get(o, k) : NULL;
}

/* 1 and *v when member k is an integer. */
static int jint(const json_t *o, const char *k, int64_t *v) {
  const json_t *x = jget(o, k);
  if (!json_is_integer(x))
    return 0;
  *v = (int64_t)json_integer_value(x);
  return 1;
}

static int64_t jint0(const json_t *o, const char *k) {
  int64_t v = 0;
  jint(o, k, &v);
  return v;
}

/* 1 and *v when member k is a finite number (integer or real). */
static int jnum(const json_t *o, const char *k, double *v) {
  const json_t *x = jget(o, k);
  if (!json_is_number(x) || !isfinite(json_number_value(x)))
    return 0;
  *v = json_number_value(x);
  return 1;
}

/* A count or amount for a chart: absent and negative read as 0, and nothing beyond 1e15,
 * so that sums stay finite (cairo takes no NaN). */
static double jnum0(const json_t *o, const char *k) {
  double v = 0;
  if (!jnum(o, k, &v) || v < 0)
    return 0;
  return v < 1e15 ? v : 1e15;
}

static const char *jstr(const json_t *o, const char *k) {
  const json_t *x = jget(o, k);
  return json_is_string(x) ? json_string_value(x) : NULL;
}

static const json_t *jlist(const json_t *o, const char *k) {
  const json_t *x = jget(o, k);
  return json_is_array(x) ? x : NULL;
}

static size_t jlen(const json_t *list) {
  return json_is_array(list) ? json_array_size(list) : 0;
}

/* The name of row in d's language: base_zh or base_en, then the other language, then the
 * code; NULL when there is none. */
static const char *row_name(const pdf_doc *d, const json_t *row, const char *base) {
  char key[48];
  const char *s;
  snprintf(key, sizeof key, "%.40s_%s", base, d->zh ? "zh" : "en");
  s = jstr(row, key);
  if (s && *s)
    return s;
  snprintf(key, sizeof key, "%.40s_%s", base, d->zh ? "en" : "zh");
  s = jstr(row, key);
  if (s && *s)
    return s;
  s = jstr(row, "code");
  return s && *s ? s : NULL;
}

/* A code's name from the domain's labels (core/labels.h), in the document's language. */
static const char *table_name(const pdf_doc *d, ts_label_kind kind, const char *code) {
  const char *zh = ts_label(kind, code, 0);
  return zh ? tr(d, zh, ts_label(kind, code, 1)) : NULL;
}

/* The name of code in a list of {code, name_zh, name_en} of the document. */
static const char *list_name(const pdf_doc *d, const json_t *list, const char *code) {
  size_t n = jlen(list);
  for (size_t i = 0; code && i < n; i++) {
    const json_t *row = json_array_get(list, i);
    const char *c = jstr(row, "code");
    if (c && strcmp(c, code) == 0)
      return row_name(d, row, "name");
  }
  return NULL;
}

static const char *grade_name(const pdf_doc *d, const char *code) {
  const char *s = list_name(d, jlist(jget(d->doc, "by"), "grade"), code);
  if (!s)
    s = table_name(d, TS_LBL_GRADE, code);
  return s ? s : code;
}

static const char *status_name(const pdf_doc *d, const char *code) {
  const char *s = list_name(d, jlist(jget(d->doc, "by"), "status"), code);
  if (!s)
    s = list_name(d, jlist(jget(d->doc, "backlog"), "by_status"), code);
  if (!s)
    s = table_name(d, TS_LBL_STATUS, code);
  return s ? s : code;
}

static uint32_t grade_color(const char *code) {
  static const struct {
    const char *code;
    uint32_t color;
  } g[] = {{"g1", C_G1}, {"g2", C_G2}, {"g3", C_G3}, {"g4", C_G4}};
  for (size_t i = 0; code && i < sizeof g / sizeof g[0]; i++)
    if (strcmp(g[i].code, code) == 0)
      return g[i].color;
  return 0;
}

/* ---- text: bounded copies and numbers written from integers */

/* Appends printf-style text to the string in dst (size n > 0), cutting what does not fit;
 * a character cut in two is dropped when the text is laid out (layout_new). */
static void catf(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void catf(char *dst, size_t n, const char *fmt, ...) {
  size_t len = strnlen(dst, n);
  va_list ap;
  if (len + 1 >= n)
    return;
  va_start(ap, fmt);
  vsnprintf(dst + len, n - len, fmt, ap);
  va_end(ap);
}

/* Copies s (NULL: "—") into out (size n > 0), control characters as spaces. */
static void copy_text(char *out, size_t n, const char *s) {
  size_t i = 0;
  if (!s)
    s = "—";
  for (; s[i] && i + 1 < n; i++) {
    unsigned char c = (unsigned char)s[i];
    out[i] = (c < 0x20 || c == 0x7F) ? ' ' : (char)c;
  }
  out[i] = '\0';
}

/* The magnitude m with thousands separators into out (at least 32 bytes). */
static void fmt_group(char *out, uint64_t m) {
  char digits[24];
  int k = 0;
  size_t j = 0;
  do {
    digits[k++] = (char)('0' + m % 10);
    m /= 10;
  } while (m);
  for (int i = k - 1; i >= 0; i--) {
    out[j++] = digits[i];
    if (i > 0 && i % 3 == 0)
      out[j++] = ',';
  }
  out[j] = '\0';
}

static uint64_t magnitude(int64_t v) {
  return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* 1234567 -> "1,234,567". */
static void fmt_int(char *out, size_t n, int64_t v) {
  char g[32];
  fmt_group(g, magnitude(v));
  snprintf(out, n, "%s%.27s", v < 0 ? "-" : "", g);
}

/* Cents as yuan: 123456789 -> "¥1,234,567.89", -5 -> "-¥0.05". */
static void fmt_cents(char *out, size_t n, int64_t cents) {
  uint64_t m = magnitude(cents);
  char g[32];
  fmt_group(g, m / 100);
  snprintf(out, n, "%s¥%.27s.%02u", cents < 0 ? "-" : "", g, (unsigned)(m % 100) % 100u);
}

/* Tenths as a decimal with one digit: 84 -> "8.4", -84 -> "-8.4"; sign adds "+" to
 * positive values. */
static void fmt_tenths(char *out, size_t n, int64_t tenths, int sign, const char *suffix) {
  uint64_t m = magnitude(tenths);
  char g[32];
  fmt_group(g, m / 10);
  snprintf(out, n, "%s%.27s.%u%.16s", tenths < 0 ? "-" : (sign && tenths > 0 ? "+" : ""), g,
           (unsigned)(m % 10) % 10u, suffix);
}

/* A number rounded half away from zero to 1/scale, within what int64 holds. */
static int64_t scaled(double v, double scale) {
  double x = v * scale;
  if (x > 9e18)
    return INT64_MAX;
  if (x < -9e18)
    return -INT64_MAX;
  return (int64_t)llround(x);
}

/* part / whole as tenths of a percent, rounded half up; whole > 0. */
static int64_t share_tenths(int64_t part, int64_t whole) {
  if (part >= 0 && part <= INT64_MAX / 1000 - whole)
    return (part * 1000 + whole / 2) / whole;
  return scaled((double)part / (double)whole, 1000);
}

/* Member k of o written for the reader; "—" when absent. */
static void put_int(char *out, size_t n, const json_t *o, const char *k) {
  int64_t v;
  double x;
  if (jint(o, k, &v))
    fmt_int(out, n, v);
  else if (jnum(o, k, &x))
    fmt_int(out, n, scaled(x, 1));
  else
    snprintf(out, n, "—");
}

static void put_cents(char *out, size_t n, const json_t *o, const char *k) {
  int64_t v;
  if (jint(o, k, &v))
    fmt_cents(out, n, v);
  else
    snprintf(out, n, "—"); /* reals are no money */
}

static void put_pct(char *out, size_t n, const json_t *o, const char *k, int sign) {
  double v;
  if (jnum(o, k, &v))
    fmt_tenths(out, n, scaled(v, 10), sign, "%");
  else
    snprintf(out, n, "—");
}

static int is_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

/* "2026-08-20T10:00:00+08:00" -> "2026-08-20 10:00" (with_time) or "2026-08-20"; a date
 * stays as it is, anything else is copied. */
static void fmt_time(char *out, size_t n, const char *s, int with_time) {
  size_t len = s ? strlen(s) : 0;
  int date = len >= 10 && is_digits(s, 4) && s[4] == '-' && is_digits(s + 5, 2) && s[7] == '-' &&
             is_digits(s + 8, 2);
  int timed = date && len >= 16 && (s[10] == 'T' || s[10] == ' ') && is_digits(s + 11, 2) &&
              s[13] == ':' && is_digits(s + 14, 2);
  if (timed && with_time)
    snprintf(out, n, "%.10s %.5s", s, s + 11);
  else if (date)
    snprintf(out, n, "%.10s", s);
  else
    copy_text(out, n, s);
}

/* The period in words: "2026年10月" / "October 2026", "2026年第4季度" / "Q4 2026", ... */
static void fmt_period(const pdf_doc *d, char *out, size_t n) {
  static const char *const months[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
  const json_t *p = jget(d->doc, "period");
  const char *kind = jstr(p, "kind"), *label = jstr(p, "label");
  const char *from = jstr(p, "from_date"), *to = jstr(p, "to_date");
  size_t len = label ? strlen(label) : 0;
  if (!kind)
    kind = "";
  if (strcmp(kind, "month") == 0 && len == 7 && is_digits(label, 4) && label[4] == '-' &&
      is_digits(label + 5, 2)) {
    int m = (label[5] - '0') * 10 + (label[6] - '0');
    if (m >= 1 && m <= 12) {
      if (d->zh)
        snprintf(out, n, "%.4s年%d月", label, m);
      else
        snprintf(out, n, "%s %.4s", months[m - 1], label);
      return;
    }
  }
  if (strcmp(kind, "quarter") == 0 && len == 7 && is_digits(label, 4) && label[5] == 'Q' &&
      label[6] >= '1' && label[6] <= '4') {
    if (d->zh)
      snprintf(out, n, "%.4s年第%c季度", label, label[6]);
    else
      snprintf(out, n, "Q%c %.4s", label[6], label);
    return;
  }
  if (strcmp(kind, "year") == 0 && len == 4 && is_digits(label, 4)) {
    snprintf(out, n, d->zh ? "%.4s年" : "%.4s", label);
    return;
  }
  if (from && to && strlen(from) == 10 && strlen(to) == 10) {
    snprintf(out, n, d->zh ? "%.10s 至 %.10s" : "%.10s to %.10s", from, to);
    return;
  }
  copy_text(out, n, label);
}

/* ---- drawing primitives */

static void set_color(cairo_t *cr, uint32_t c) {
  cairo_set_source_rgb(cr, ((c >> 16) & 0xFF) / 255.0, ((c >> 8) & 0xFF) / 255.0,
                       (c & 0xFF) / 255.0);
}

static void fill_rect(pdf_doc *d, double x, double y, double w, double h, uint32_t c) {
  if (w <= 0 || h <= 0)
    return;
  cairo_rectangle(d->cr, x, y, w, h);
  set_color(d->cr, c);
  cairo_fill(d->cr);
}

static void line(pdf_doc *d, double xa, double ya, double xb, double yb, double width, uint32_t c) {
  cairo_move_to(d->cr, xa, ya);
  cairo_line_to(d->cr, xb, yb);
  cairo_set_line_width(d->cr, width);
  set_color(d->cr, c);
  cairo_stroke(d->cr);
}

/* A layout of s in style st. w > 0 wraps at that width, and lines > 0 keeps at most that
 * many lines, ending the last in "…"; w <= 0 is one line as long as the text. Invalid
 * UTF-8 (a character cut by a bounded copy) ends the text. The caller unrefs it. */
static PangoLayout *layout_new(pdf_doc *d, const char *s, const text_style *st, double w, int lines,
                               PangoAlignment align) {
  PangoLayout *l = pango_layout_new(d->pc);
  const gchar *end = NULL;
  if (!s)
    s = "";
  g_utf8_validate(s, -1, &end);
  pango_font_description_set_absolute_size(d->face[st->face], st->size * PANGO_SCALE);
  pango_layout_set_font_description(l, d->face[st->face]);
  if (w > 0) {
    pango_layout_set_width(l, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align);
    if (lines > 0) {
      pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
      pango_layout_set_height(l, -lines);
    }
  }
  pango_layout_set_text(l, s, (int)(end - s));
  return l;
}

static double layout_w(PangoLayout *l) {
  int w, h;
  pango_layout_get_size(l, &w, &h);
  return (double)w / PANGO_SCALE;
}

static double layout_h(PangoLayout *l) {
  int w, h;
  pango_layout_get_size(l, &w, &h);
  return (double)h / PANGO_SCALE;
}

/* ---- glyphs through user fonts (see the essay at the top) */

static const cairo_user_data_key_t real_face_key;

static void face_release(void *face) {
  cairo_font_face_destroy(face);
}

/* The user font's callbacks: cr's user space is the font's em square, at font size 1,
 * with the scaled font's options (no hinting), so the real face yields its exact outline
 * and advance. */
static cairo_status_t proxy_init(cairo_scaled_font_t *sf, cairo_t *cr,
                                 cairo_font_extents_t *extents) {
  cairo_font_face_t *real =
      cairo_font_face_get_user_data(cairo_scaled_font_get_font_face(sf), &real_face_key);
  if (!real)
    return CAIRO_STATUS_USER_FONT_ERROR;
  cairo_set_font_face(cr, real);
  cairo_font_extents(cr, extents);
  return cairo_status(cr);
}

static cairo_status_t proxy_render(cairo_scaled_font_t *sf, unsigned long glyph, cairo_t *cr,
                                   cairo_text_extents_t *extents) {
  cairo_font_face_t *real =
      cairo_font_face_get_user_data(cairo_scaled_font_get_font_face(sf), &real_face_key);
  cairo_glyph_t g = {glyph, 0, 0};
  if (!real)
    return CAIRO_STATUS_USER_FONT_ERROR;
  cairo_set_font_face(cr, real);
  cairo_glyph_extents(cr, &g, 1, extents);
  cairo_glyph_path(cr, &g, 1);
  cairo_fill(cr);
  return cairo_status(cr);
}

/* The proxy of real, made on first use; NULL when there is none to be had (the run is
 * then drawn by pango as it is). */
static cairo_font_face_t *proxy_face(pdf_doc *d, cairo_font_face_t *real) {
  cairo_font_face_t *p;
  for (int i = 0; i < d->nfaces; i++)
    if (d->faces[i].real == real)
      return d->faces[i].proxy;
  if (d->nfaces == PDF_FACES_MAX || cairo_font_face_get_type(real) != CAIRO_FONT_TYPE_FT)
    return NULL;
  p = cairo_user_font_face_create();
  cairo_user_font_face_set_init_func(p, proxy_init);
  cairo_user_font_face_set_render_glyph_func(p, proxy_render);
  if (cairo_font_face_set_user_data(p, &real_face_key, cairo_font_face_reference(real),
                                    face_release) != CAIRO_STATUS_SUCCESS) {
    cairo_font_face_destroy(real);
    cairo_font_face_destroy(p);
    return NULL;
  }
  d->faces[d->nfaces].real = real;
  d->faces[d->nfaces].proxy = p;
  d->nfaces++;
  return p;
}

/* Clusters of run in text order (cairo's terms) from pango's log_clusters, counting only
 * the glyphs that are drawn (not PANGO_GLYPH_EMPTY); 0 when they do not add up to the
 * run's text exactly (the run then goes without its text). */
static int run_clusters(const PangoGlyphItem *run, int rtl, cairo_text_cluster_t *cl) {
  const PangoGlyphString *gs = run->glyphs;
  int n = gs->num_glyphs, ncl = 0, k = 0;
#define LOGICAL(k) (rtl ? n - 1 - (k) : (k))
  if (n <= 0 || gs->log_clusters[LOGICAL(0)] != 0)
    return 0;
  while (k < n) {
    int start = gs->log_clusters[LOGICAL(k)], m = 0, drawn = 0, end;
    while (k + m < n && gs->log_clusters[LOGICAL(k + m)] == start) {
      drawn += gs->glyphs[LOGICAL(k + m)].glyph != PANGO_GLYPH_EMPTY;
      m++;
    }
    end = k + m < n ? gs->log_clusters[LOGICAL(k + m)] : run->item->length;
    if (end <= start)
      return 0;
    cl[ncl].num_bytes = end - start;
    cl[ncl].num_glyphs = drawn;
    ncl++;
    k += m;
  }
#undef LOGICAL
  return ncl;
}

/* Draws one run with its baseline starting at (x, y). */
static void show_run(pdf_doc *d, PangoGlyphItem *run, const char *text, size_t text_len, double x,
                     double y) {
  const PangoGlyphString *gs = run->glyphs;
  PangoFont *font = run->item->analysis.font;
  cairo_scaled_font_t *sf =
      PANGO_IS_CAIRO_FONT(font) ? pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(font)) : NULL;
  cairo_font_face_t *proxy = sf ? proxy_face(d, cairo_scaled_font_get_font_face(sf)) : NULL;
  cairo_glyph_t *glyphs = NULL;
  cairo_text_cluster_t *clusters = NULL;
  cairo_matrix_t fm;
  int rtl = run->item->analysis.level & 1, n = gs->num_glyphs, ng = 0, ncl;
  double gx = x;
  if (n <= 0)
    return;
  if (!proxy || run->item->offset < 0 || run->item->length < 0 ||
      (size_t)run->item->offset + (size_t)run->item->length > text_len) {
    /* not a FreeType face (or too many faces): pango draws it as it is */
    cairo_move_to(d->cr, x, y);
    pango_cairo_show_glyph_item(d->cr, text, run);
    return;
  }
  glyphs = g_new(cairo_glyph_t, n);
  clusters = g_new(cairo_text_cluster_t, n);
  for (int i = 0; i < n; i++) {
    const PangoGlyphInfo *g = &gs->glyphs[i];
    if (g->glyph != PANGO_GLYPH_EMPTY) {
      glyphs[ng].index = g->glyph & PANGO_GLYPH_UNKNOWN_FLAG ? 0 : g->glyph; /* .notdef */
      glyphs[ng].x = gx + (double)g->geometry.x_offset / PANGO_SCALE;
      glyphs[ng].y = y + (double)g->geometry.y_offset / PANGO_SCALE;
      ng++;
    }
    gx += (double)g->geometry.width / PANGO_SCALE;
  }
  cairo_scaled_font_get_font_matrix(sf, &fm);
  cairo_set_font_face(d->cr, proxy);
  cairo_set_font_matrix(d->cr, &fm);
  cairo_set_font_options(d->cr, d->fo);
  ncl = run_clusters(run, rtl, clusters);
  if (ncl > 0)
    cairo_show_text_glyphs(d->cr, text + run->item->offset, run->item->length, glyphs, ng, clusters,
                           ncl, rtl ? CAIRO_TEXT_CLUSTER_FLAG_BACKWARD : 0);
  else if (ng > 0)
    cairo_show_glyphs(d->cr, glyphs, ng);
  g_free(clusters);
  g_free(glyphs);
}

/* Draws layout l with its top left at (x, y) in color; nothing in the first pass, which
 * only measures. */
static void layout_draw(pdf_doc *d, PangoLayout *l, uint32_t color, double x, double y) {
  PangoLayoutIter *it;
  const char *text = pango_layout_get_text(l);
  size_t text_len = strlen(text);
  if (!d->pdf)
    return;
  set_color(d->cr, color);
  it = pango_layout_get_iter(l);
  do {
    PangoLayoutRun *run = pango_layout_iter_get_run(it);
    PangoRectangle r;
    if (!run)
      continue;
    pango_layout_iter_get_run_extents(it, NULL, &r);
    show_run(d, run, text, text_len, x + (double)r.x / PANGO_SCALE,
             y + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE);
  } while (pango_layout_iter_next_run(it));
  pango_layout_iter_free(it);
}

/* Draws s with its top left at (x, y) as layout_new lays it out; returns its height. */
static double text(pdf_doc *d, const char *s, const text_style *st, double x, double y, double w,
                   int lines, PangoAlignment align) {
  PangoLayout *l = layout_new(d, s, st, w, lines, align);
  double h = layout_h(l);
  layout_draw(d, l, st->color, x, y);
  g_object_unref(l);
  return h;
}

/* The width of s on one line in style st. */
static double text_width(pdf_doc *d, const char *s, const text_style *st) {
  PangoLayout *l = layout_new(d, s, st, 0, 0, PANGO_ALIGN_LEFT);
  double w = layout_w(l);
  g_object_unref(l);
  return w;
}

/* Draws s on one line in the box [x, x + w) at y, in st's size or smaller so that all of
 * it fits: figures are never cut. align: LEFT, CENTER or RIGHT in the box. */
static void text_fit(pdf_doc *d, const char *s, const text_style *st, double x, double y, double w,
                     PangoAlignment align) {
  text_style fit = *st;
  PangoLayout *l = layout_new(d, s, &fit, 0, 0, PANGO_ALIGN_LEFT);
  double tw = layout_w(l);
  if (tw > w && w > 0) {
    fit.size = st->size * w / tw;
    if (fit.size < 4.0)
      fit.size = 4.0;
    g_object_unref(l);
    l = layout_new(d, s, &fit, 0, 0, PANGO_ALIGN_LEFT);
    tw = layout_w(l);
    if (tw > w) { /* not a figure: nonsense from a broken document */
      g_object_unref(l);
      l = layout_new(d, s, &fit, w, 1, PANGO_ALIGN_LEFT);
      tw = layout_w(l);
    }
  }
  if (align == PANGO_ALIGN_RIGHT)
    x += w - tw;
  else if (align == PANGO_ALIGN_CENTER)
    x += (w - tw) / 2;
  /* a smaller size sits on the same baseline as the full one would */
  layout_draw(d, l, st->color, x, y + (st->size - fit.size) * 0.9);
  g_object_unref(l);
}

/* ---- pages */

/* The header (title and period, the unit) from the second page on, and the footer with
 * the page number on every page. */
static void page_furniture(pdf_doc *d) {
  char foot[96];
  if (d->page > 1) {
    text(d, d->title, &ST_PAGE, MARGIN, 30, CONTENT_W * 0.6, 1, PANGO_ALIGN_LEFT);
    text(d, d->unit, &ST_PAGE, MARGIN + CONTENT_W * 0.6, 30, CONTENT_W * 0.4, 1, PANGO_ALIGN_RIGHT);
    line(d, MARGIN, 45, MARGIN + CONTENT_W, 45, 0.6, C_RULE);
  }
  if (d->pages > 0)
    snprintf(foot, sizeof foot, d->zh ? "第 %d 页 / 共 %d 页" : "Page %d of %d", d->page, d->pages);
  else
    snprintf(foot, sizeof foot, d->zh ? "第 %d 页" : "Page %d", d->page);
  line(d, MARGIN, PAGE_H - 44, MARGIN + CONTENT_W, PAGE_H - 44, 0.6, C_RULE);
  text(d, foot, &ST_PAGE, MARGIN, PAGE_H - 38, CONTENT_W, 1, PANGO_ALIGN_CENTER);
}

static void new_page(pdf_doc *d) {
  cairo_show_page(d->cr);
  d->page++;
  d->y = BODY_TOP;
  page_furniture(d);
}

/* Makes room for a block of height h: the next page unless it fits on this one (or this
 * one is still empty: a block taller than a page is drawn anyway, and cut). */
static void need(pdf_doc *d, double h) {
  if (d->y + h > BODY_BOTTOM && d->y > BODY_TOP + 1)
    new_page(d);
}

static void no_data(pdf_doc *d) {
  need(d, 18);
  text(d, tr(d, "无数据", "No data"), &ST_NOTE, MARGIN, d->y + 2, CONTENT_W, 1, PANGO_ALIGN_LEFT);
  d->y += 20;
}

/* A paragraph over the full width. */
static void para(pdf_doc *d, const char *s, const text_style *st) {
  PangoLayout *l = layout_new(d, s, st, CONTENT_W, 0, PANGO_ALIGN_LEFT);
  double h = layout_h(l);
  need(d, h);
  layout_draw(d, l, st->color, MARGIN, d->y);
  d->y += h + 6;
  g_object_unref(l);
}

/* Section i's heading ("3 分类统计"), kept with keep points of what follows; an outline
 * item in the PDF. */
static void section_heading(pdf_doc *d, int i, const char *name, double keep) {
  char head[96], attrs[64];
  if (d->y > BODY_TOP + 1)
    d->y += 16;
  need(d, 34 + keep);
  snprintf(head, sizeof head, "%d  %s", i + 1, name);
  d->section_page[i] = d->page;
  d->section_y[i] = d->y;
  if (d->pdf) {
    snprintf(attrs, sizeof attrs, "page=%d pos=[%d %d]", d->page, (int)MARGIN, (int)d->y);
    d->outline = cairo_pdf_surface_add_outline(d->pdf, CAIRO_PDF_OUTLINE_ROOT, head, attrs, 0);
  }
  text(d, head, &ST_SECTION, MARGIN, d->y, CONTENT_W, 1, PANGO_ALIGN_LEFT);
  line(d, MARGIN, d->y + 24, MARGIN + CONTENT_W, d->y + 24, 1.2, C_NAVY);
  d->y += 34;
}

static void subsection(pdf_doc *d, const char *name, double keep) {
  char attrs[64];
  if (d->y > BODY_TOP + 1)
    d->y += 8;
  need(d, 22 + keep);
  if (d->pdf) {
    snprintf(attrs, sizeof attrs, "page=%d pos=[%d %d]", d->page, (int)MARGIN, (int)d->y);
    cairo_pdf_surface_add_outline(d->pdf, d->outline, name, attrs, 0);
  }
  fill_rect(d, MARGIN, d->y + 2, 3, 12, C_NAVY);
  text(d, name, &ST_SUBSECTION, MARGIN + 8, d->y, CONTENT_W - 8, 1, PANGO_ALIGN_LEFT);
  d->y += 22;
}

/* ---- figure cards: a label, a figure, a line or two below */

typedef struct {
  const char *label;
  char value[64];
  char sub[256];
  uint32_t accent;
} figure;

static void cards(pdf_doc *d, const figure *f, int n, int cols, double h) {
  const double gap = 8;
  double w = (CONTENT_W - gap * (cols - 1)) / cols;
  int rows = (n + cols - 1) / cols, sub_lines = h >= 65 ? 2 : 1;
  need(d, rows * h + (rows - 1) * gap);
  for (int i = 0; i < n; i++) {
    double x = MARGIN + (i % cols) * (w + gap);
    double y = d->y + (i / cols) * (h + gap);
    fill_rect(d, x, y, w, h, C_CARD_BG);
    fill_rect(d, x, y, 3, h, f[i].accent ? f[i].accent : C_NAVY);
    text(d, f[i].label, &ST_CARD_LABEL, x + 10, y + 7, w - 16, 1, PANGO_ALIGN_LEFT);
    text_fit(d, f[i].value, &ST_CARD_VALUE, x + 10, y + 20, w - 16, PANGO_ALIGN_LEFT);
    text(d, f[i].sub, &ST_CARD_SUB, x + 10, y + 43, w - 16, sub_lines, PANGO_ALIGN_LEFT);
  }
  d->y += rows * h + (rows - 1) * gap + 10;
}

/* ---- tables */

typedef enum {
  COL_TEXT,    /* the member as it is: strings, integers; absent "—" */
  COL_NAME,    /* key_zh or key_en by the language (row_name) */
  COL_INT,     /* an integer, grouped by thousands */
  COL_CENTS,   /* integer cents as ¥ */
  COL_PCT,     /* a percentage; null "—" */
  COL_DATE,    /* an RFC 3339 time or a date, as the date */
  COL_TIME,    /* an RFC 3339 time as "YYYY-MM-DD hh:mm" */
  COL_LIST,    /* an array of strings, joined by ", " */
  COL_GRADE,   /* a grade code: a chip of its colour and its name */
  COL_STATUS,  /* a case status code, by name */
  COL_PSTATUS, /* a penalty status code, by name */
  COL_PENALTY, /* a penalty's amount_cents, or its share_pct of the performance pay */
  COL_DAYS,    /* days open, in red from 30 */
  COL_VITAL,   /* a Pareto row's "vital" flag */
  COL_GCOUNT,  /* a count of grade `key` ("g1"...), headed by the grade's name */
  COL_BAR      /* the number `key` as a bar, scaled to the column's largest */
} col_kind;

typedef struct {
  const char *key;     /* member of each row */
  const char *zh, *en; /* heading */
  col_kind kind;
  double width; /* share of the width, relative to the other columns */
  int lines;    /* most lines of text (1: one line ending in "…") */
} pdf_col;

typedef struct {
  char text[PDF_CELL_MAX];
  const text_style *st;
  PangoAlignment align;
  uint32_t chip; /* colour of a square before the text; 0: none */
  double bar;    /* COL_BAR: 0..1 of the column's width; < 0: no bar */
  uint32_t bar_color;
} cell;

static int col_numeric(col_kind k) {
  return k == COL_INT || k == COL_CENTS || k == COL_PCT || k == COL_PENALTY || k == COL_DAYS ||
         k == COL_GCOUNT;
}

static void join_list(char *out, size_t n, const json_t *list) {
  size_t len = jlen(list);
  out[0] = '\0';
  for (size_t i = 0; i < len; i++) {
    const char *s = json_string_value(json_array_get(list, i));
    if (s)
      catf(out, n, "%s%s", out[0] ? ", " : "", s);
  }
  if (!out[0])
    snprintf(out, n, "—");
}

/* The cell of column c in row; bar_max is the column's largest value (COL_BAR). */
static void cell_of(const pdf_doc *d, const pdf_col *c, const json_t *row, double bar_max,
                    cell *out) {
  const json_t *v = jget(row, c->key);
  const char *s = json_string_value(v);
  int64_t i;
  double x;
  out->st = json_is_true(jget(row, "_total")) ? &ST_CELL_BOLD : &ST_CELL;
  out->align = col_numeric(c->kind) ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
  out->chip = 0;
  out->bar = -1;
  out->text[0] = '\0';
  switch (c->kind) {
  case COL_TEXT:
    if (json_is_integer(v))
      fmt_int(out->text, sizeof out->text, (int64_t)json_integer_value(v));
    else
      copy_text(out->text, sizeof out->text, s);
    break;
  case COL_NAME:
    copy_text(out->text, sizeof out->text, row_name(d, row, c->key));
    break;
  case COL_INT:
  case COL_GCOUNT:
    put_int(out->text, sizeof out->text, row, c->key);
    break;
  case COL_CENTS:
    put_cents(out->text, sizeof out->text, row, c->key);
    break;
  case COL_PCT:
    put_pct(out->text, sizeof out->text, row, c->key, 0);
    break;
  case COL_DATE:
  case COL_TIME:
    fmt_time(out->text, sizeof out->text, s, c->kind == COL_TIME);
    break;
  case COL_LIST:
    join_list(out->text, sizeof out->text, v);
    break;
  case COL_GRADE:
    out->chip = grade_color(s);
    copy_text(out->text, sizeof out->text, s ? grade_name(d, s) : NULL);
    break;
  case COL_STATUS:
    copy_text(out->text, sizeof out->text, s ? status_name(d, s) : NULL);
    break;
  case COL_PSTATUS: {
    const char *name = table_name(d, TS_LBL_PENALTY_STATUS, s);
    copy_text(out->text, sizeof out->text, name ? name : s);
    break;
  }
  case COL_PENALTY:
    if (jint(row, "amount_cents", &i))
      fmt_cents(out->text, sizeof out->text, i);
    else if (jnum(row, "share_pct", &x))
      fmt_tenths(out->text, sizeof out->text, scaled(x, 10), 0, d->zh ? "% 绩效" : "% of pay");
    else
      snprintf(out->text, sizeof out->text, "—");
    break;
  case COL_DAYS:
    put_int(out->text, sizeof out->text, row, c->key);
    if (jint(row, c->key, &i) && i >= 30)
      out->st = &ST_CELL_ALERT;
    break;
  case COL_VITAL:
    if (json_is_true(v)) {
      snprintf(out->text, sizeof out->text, "%s", tr(d, "关键少数", "Vital few"));
      out->st = &ST_CELL_VITAL;
    }
    break;
  case COL_BAR:
    x = jnum0(row, c->key);
    out->bar = bar_max > 0 ? x / bar_max : 0;
    out->bar_color = grade_color(jstr(row, "code"));
    if (!out->bar_color)
      out->bar_color = C_BLUE;
    break;
  }
}

typedef struct {
  double x[PDF_COLS_MAX + 1]; /* left edges, and the right edge of the last */
  double bar_max[PDF_COLS_MAX];
} table_geom;

static void table_head(pdf_doc *d, const pdf_col *cols, int ncols, const table_geom *g) {
  PangoLayout *l[PDF_COLS_MAX] = {NULL};
  double h = ROW_MIN_H;
  for (int c = 0; c < ncols; c++) {
    const char *title =
        cols[c].kind == COL_GCOUNT ? grade_name(d, cols[c].key) : tr(d, cols[c].zh, cols[c].en);
    double w = g->x[c + 1] - g->x[c] - 2 * CELL_PAD_X;
    l[c] = layout_new(d, title, &ST_HEAD, w, 2,
                      col_numeric(cols[c].kind) ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    if (layout_h(l[c]) + 2 * CELL_PAD_Y > h)
      h = layout_h(l[c]) + 2 * CELL_PAD_Y;
  }
  fill_rect(d, g->x[0], d->y, g->x[ncols] - g->x[0], h, C_HEAD_BG);
  for (int c = 0; c < ncols; c++) {
    double lh = layout_h(l[c]);
    if (cols[c].kind == COL_GCOUNT)
      fill_rect(d, g->x[c] + CELL_PAD_X, d->y + (h - 6) / 2, 6, 6, grade_color(cols[c].key));
    layout_draw(d, l[c], ST_HEAD.color, g->x[c] + CELL_PAD_X, d->y + (h - lh) / 2);
    g_object_unref(l[c]);
  }
  line(d, g->x[0], d->y + h, g->x[ncols], d->y + h, 0.8, C_NAVY);
  d->y += h;
}

/* Rows (an array of objects) as a table of the columns cols, flowing over pages with the
 * header repeated; title heads the continuation (NULL: none). "No data" without rows. */
static void table(pdf_doc *d, const pdf_col *cols, int ncols, const json_t *rows,
                  const char *title) {
  size_t n = jlen(rows), shown = n < PDF_ROWS_MAX ? n : PDF_ROWS_MAX;
  table_geom g;
  cell *cells = NULL;
  double total = 0, acc = 0;
  char note[160];
  if (n == 0) {
    no_data(d);
    return;
  }
  cells = g_new(cell, PDF_COLS_MAX);
  if (ncols > PDF_COLS_MAX)
    ncols = PDF_COLS_MAX;
  for (int c = 0; c < ncols; c++)
    total += cols[c].width;
  for (int c = 0; c <= ncols; c++) {
    g.x[c] = MARGIN + CONTENT_W * acc / total;
    if (c < ncols)
      acc += cols[c].width;
  }
  for (int c = 0; c < ncols; c++) {
    g.bar_max[c] = 0;
    for (size_t r = 0; cols[c].kind == COL_BAR && r < shown; r++) {
      double v = jnum0(json_array_get(rows, r), cols[c].key);
      if (v > g.bar_max[c])
        g.bar_max[c] = v;
    }
  }
  /* the header with the first rows (all of a short table) */
  need(d, 24 + ROW_MIN_H * (double)(shown <= 8 ? shown : 3));
  table_head(d, cols, ncols, &g);
  for (size_t r = 0; r < shown; r++) {
    const json_t *row = json_array_get(rows, r);
    PangoLayout *l[PDF_COLS_MAX] = {NULL};
    double h = ROW_MIN_H;
    int emph = json_is_true(jget(row, "_total"));
    for (int c = 0; c < ncols; c++) {
      double w = g.x[c + 1] - g.x[c] - 2 * CELL_PAD_X;
      cell_of(d, &cols[c], row, g.bar_max[c], &cells[c]);
      if (cells[c].bar >= 0)
        continue;
      if (cells[c].chip)
        w -= 9;
      l[c] = layout_new(d, cells[c].text, cells[c].st, w, cols[c].lines > 0 ? cols[c].lines : 1,
                        cells[c].align);
      if (layout_h(l[c]) + 2 * CELL_PAD_Y > h)
        h = layout_h(l[c]) + 2 * CELL_PAD_Y;
    }
    if (d->y + h > BODY_BOTTOM) {
      new_page(d);
      if (title) {
        snprintf(note, sizeof note, d->zh ? "%.120s（续）" : "%.120s (continued)", title);
        text(d, note, &ST_NOTE, MARGIN, d->y, CONTENT_W, 1, PANGO_ALIGN_LEFT);
        d->y += 16;
      }
      table_head(d, cols, ncols, &g);
    }
    if (r % 2 == 1)
      fill_rect(d, g.x[0], d->y, g.x[ncols] - g.x[0], h, C_STRIPE);
    if (emph)
      line(d, g.x[0], d->y, g.x[ncols], d->y, 0.8, C_INK);
    for (int c = 0; c < ncols; c++) {
      double x = g.x[c] + CELL_PAD_X, w = g.x[c + 1] - g.x[c] - 2 * CELL_PAD_X;
      if (cells[c].bar >= 0) {
        fill_rect(d, x, d->y + (h - 7) / 2, w * cells[c].bar, 7, cells[c].bar_color);
        continue;
      }
      if (cells[c].chip) {
        fill_rect(d, x, d->y + (h - 6) / 2, 6, 6, cells[c].chip);
        x += 9;
      }
      layout_draw(d, l[c], cells[c].st->color, x, d->y + (h - layout_h(l[c])) / 2);
      g_object_unref(l[c]);
    }
    line(d, g.x[0], d->y + h, g.x[ncols], d->y + h, 0.4, C_GRID);
    d->y += h;
  }
  d->y += 8;
  if (shown < n) {
    snprintf(note, sizeof note,
             d->zh ? "仅列出前 %zu 行（共 %zu 行）。" : "The first %zu of %zu rows.", shown, n);
    para(d, note, &ST_NOTE);
  }
  g_free(cells);
}

/* ---- charts */

/* The step of an axis from 0 with about ticks ticks over max: 1, 2 or 5 × 10^k, at least
 * 1 (counts are whole). */
static double nice_step(double max, int ticks) {
  double raw, mag, f;
  if (!(max > 0) || !isfinite(max))
    return 1;
  raw = max / ticks;
  mag = pow(10, floor(log10(raw)));
  f = raw / mag;
  f = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return f * mag < 1 ? 1 : f * mag;
}

/* The top of an axis for values up to max in steps of step. */
static double axis_top(double max, double step) {
  double top = step * ceil(max / step);
  return top < step ? step : top;
}

/* Grid lines and their labels left of px0 for 0, step, ... top; the plot spans py0 (top)
 * to py1 (value 0). */
static void y_axis(pdf_doc *d, double px0, double px1, double py0, double py1, double top,
                   double step) {
  char label[48];
  for (int k = 0; k <= 40; k++) {
    double v = k * step, y = py1 - v / top * (py1 - py0);
    if (v > top * 1.0001)
      break;
    if (k > 0)
      line(d, px0, y, px1, y, 0.4, C_GRID);
    fmt_int(label, sizeof label, scaled(v, 1));
    text(d, label, &ST_AXIS, px0 - 34, y - 4.5, 30, 1, PANGO_ALIGN_RIGHT);
  }
  line(d, px0, py1, px1, py1, 0.8, C_MUTED);
}

typedef struct {
  const char *name;
  uint32_t color;
  int is_line; /* a line with a dot, not a square */
} legend_item;

/* The legend on one line ending at x_right, its top at y. */
static void legend(pdf_doc *d, const legend_item *it, int n, double x_right, double y) {
  double w[8], total = 0, x;
  if (n > 8)
    n = 8;
  for (int i = 0; i < n; i++) {
    w[i] = text_width(d, it[i].name, &ST_LEGEND);
    total += 14 + w[i] + (i + 1 < n ? 12 : 0);
  }
  x = x_right - total;
  for (int i = 0; i < n; i++) {
    if (it[i].is_line) {
      line(d, x, y + 5, x + 10, y + 5, 1.5, it[i].color);
      cairo_arc(d->cr, x + 5, y + 5, 2, 0, 2 * M_PI);
      cairo_fill(d->cr);
    } else {
      fill_rect(d, x + 1, y + 1, 8, 8, it[i].color);
    }
    text(d, it[i].name, &ST_LEGEND, x + 14, y, 0, 0, PANGO_ALIGN_LEFT);
    x += 14 + w[i] + 12;
  }
}

/* A label centred under a slot of width w, at most two lines. */
static void x_label(pdf_doc *d, const char *s, double cx, double w, double y) {
  char buf[160];
  copy_text(buf, sizeof buf, s);
  text(d, buf, &ST_AXIS, cx - w / 2, y, w, 2, PANGO_ALIGN_CENTER);
}

/* Value labels are written over bars only when the slot is wide enough for them. */
static void value_label(pdf_doc *d, double v, double cx, double w, double y_top) {
  char label[48];
  fmt_int(label, sizeof label, scaled(v, 1));
  text(d, label, &ST_VALUE, cx - w / 2, y_top - 9, w, 1, PANGO_ALIGN_CENTER);
}

/* The trend: received and finished per month as paired bars. */
static void chart_trend(pdf_doc *d, const json_t *trend) {
  const double H = 215;
  size_t n = jlen(trend);
  double max = 0, px0, px1, py0, py1, top, step, slot, bw;
  if (n == 0) {
    no_data(d);
    return;
  }
  if (n > 36)
    n = 36;
  for (size_t i = 0; i < n; i++) {
    const json_t *m = json_array_get(trend, i);
    max = fmax(max, fmax(jnum0(m, "received"), jnum0(m, "finished")));
  }
  need(d, H);
  px0 = MARGIN + 36;
  px1 = MARGIN + CONTENT_W;
  py0 = d->y + 26;
  py1 = d->y + H - 30;
  step = nice_step(max, 5);
  top = axis_top(max, step);
  text(d, tr(d, "件", "cases"), &ST_AXIS, MARGIN, d->y + 10, 30, 1, PANGO_ALIGN_LEFT);
  legend(d,
         (const legend_item[]){{tr(d, "受理", "Received"), C_NAVY, 0},
                               {tr(d, "办结", "Finished"), C_TEAL, 0}},
         2, px1, d->y + 2);
  y_axis(d, px0, px1, py0, py1, top, step);
  slot = (px1 - px0) / (double)n;
  bw = fmin(slot * 0.36, 16);
  for (size_t i = 0; i < n; i++) {
    const json_t *m = json_array_get(trend, i);
    double cx = px0 + slot * ((double)i + 0.5);
    double r = jnum0(m, "received"), f = jnum0(m, "finished");
    double hr = r / top * (py1 - py0), hf = f / top * (py1 - py0);
    const char *month = jstr(m, "month");
    fill_rect(d, cx - bw - 0.5, py1 - hr, bw, hr, C_NAVY);
    fill_rect(d, cx + 0.5, py1 - hf, bw, hf, C_TEAL);
    if (slot >= 30) {
      value_label(d, r, cx - bw / 2 - 0.5, slot / 2, py1 - hr);
      value_label(d, f, cx + bw / 2 + 0.5, slot / 2, py1 - hf);
    }
    /* "2026-10" fits a month's slot; narrower slots show the month alone */
    if (month && slot < 30 && strlen(month) == 7)
      month += 5;
    x_label(d, month, cx, slot, py1 + 4);
  }
  d->y += H + 4;
}

/* The Pareto chart: bars of each category's count on an axis whose top is the total (so
 * that a bar's height is its share), the cumulative share as a line, the 80 % line; the
 * vital few in navy. */
static void chart_pareto(pdf_doc *d, const json_t *items) {
  const double H = 245;
  size_t n = jlen(items), shown = n < 15 ? n : 15;
  double total = 0, px0, px1, py0, py1, slot, bw, prev_x = 0, prev_y = 0;
  char label[48];
  for (size_t i = 0; i < n; i++)
    total += jnum0(json_array_get(items, i), "count");
  if (shown == 0 || !(total > 0)) {
    no_data(d);
    return;
  }
  need(d, H);
  px0 = MARGIN + 36;
  px1 = MARGIN + CONTENT_W - 30;
  py0 = d->y + 26;
  py1 = d->y + H - 40;
  text(d, tr(d, "件", "cases"), &ST_AXIS, MARGIN, d->y + 10, 30, 1, PANGO_ALIGN_LEFT);
  text(d, tr(d, "累计 %", "cum. %"), &ST_AXIS, px1 + 2, d->y + 10, 30, 1, PANGO_ALIGN_LEFT);
  legend(d,
         (const legend_item[]){{tr(d, "关键少数", "Vital few"), C_NAVY, 0},
                               {tr(d, "其余", "Others"), C_GREY_BAR, 0},
                               {tr(d, "累计占比", "Cumulative share"), C_ORANGE, 1}},
         3, px1, d->y + 2);
  for (int k = 0; k <= 5; k++) {
    double y = py1 - k / 5.0 * (py1 - py0);
    if (k > 0)
      line(d, px0, y, px1, y, 0.4, C_GRID);
    fmt_int(label, sizeof label, scaled(total * k / 5.0, 1));
    text(d, label, &ST_AXIS, px0 - 34, y - 4.5, 30, 1, PANGO_ALIGN_RIGHT);
    snprintf(label, sizeof label, "%d%%", k * 20);
    text(d, label, &ST_AXIS, px1 + 4, y - 4.5, 30, 1, PANGO_ALIGN_LEFT);
  }
  line(d, px0, py1, px1, py1, 0.8, C_MUTED);
  slot = (px1 - px0) / (double)shown;
  bw = fmin(slot * 0.62, 40);
  for (size_t i = 0; i < shown; i++) {
    const json_t *it = json_array_get(items, i);
    double cx = px0 + slot * ((double)i + 0.5), c = jnum0(it, "count");
    double h = c / total * (py1 - py0);
    fill_rect(d, cx - bw / 2, py1 - h, bw, h,
              json_is_true(jget(it, "vital")) ? C_NAVY : C_GREY_BAR);
    fmt_int(label, sizeof label, scaled(c, 1));
    if (h >= 12)
      text(d, label, &(text_style){FACE_SANS, 6.0, C_WHITE}, cx - slot / 2, py1 - h + 2, slot, 1,
           PANGO_ALIGN_CENTER);
    else
      value_label(d, c, cx, slot, py1 - h);
    x_label(d, row_name(d, it, "name"), cx, slot - 2, py1 + 4);
  }
  /* the 80 % line, then the cumulative line over the bars */
  {
    double y80 = py1 - 0.8 * (py1 - py0);
    const double dash[] = {3, 2};
    cairo_set_dash(d->cr, dash, 2, 0);
    line(d, px0, y80, px1, y80, 0.8, C_ALERT);
    cairo_set_dash(d->cr, NULL, 0, 0);
    text(d, "80%", &(text_style){FACE_BOLD, 6.5, C_ALERT}, px0 + 2, y80 - 10, 30, 1,
         PANGO_ALIGN_LEFT);
  }
  for (size_t i = 0; i < shown; i++) {
    const json_t *it = json_array_get(items, i);
    double cum = 0, cx = px0 + slot * ((double)i + 0.5), y;
    if (!jnum(it, "cum_pct", &cum))
      continue;
    cum = fmin(fmax(cum, 0), 100);
    y = py1 - cum / 100 * (py1 - py0);
    if (i > 0 && prev_x > 0)
      line(d, prev_x, prev_y, cx, y, 1.4, C_ORANGE);
    cairo_arc(d->cr, cx, y, 2.2, 0, 2 * M_PI);
    set_color(d->cr, C_ORANGE);
    cairo_fill(d->cr);
    fmt_tenths(label, sizeof label, scaled(cum, 10), 0, "%");
    text(d, label, &(text_style){FACE_SANS, 6.0, C_ORANGE}, cx - slot / 2, y - 11, slot, 1,
         PANGO_ALIGN_CENTER);
    prev_x = cx;
    prev_y = y;
  }
  d->y += H + 4;
  if (shown < n) {
    para(d,
         tr(d, "图中为前 15 类，其余见下表。",
            "The chart shows the first 15 categories; the table lists all."),
         &ST_NOTE);
  }
}

/* A horizontal bar chart. */
typedef struct {
  char label[160];
  double value;  /* in units of the chart's max */
  char text[64]; /* the figure after the bar */
  uint32_t color;
} hbar;

/* max <= 0: the largest value is the full width. Labels take up to two lines. */
static void chart_hbars(pdf_doc *d, const hbar *b, int n, double max) {
  const double label_w = CONTENT_W * 0.30, text_w = 96;
  double bx = MARGIN + label_w, bw_max = CONTENT_W - label_w - text_w, row_h[PDF_BARS_MAX];
  double total = 0, y;
  PangoLayout *l[PDF_BARS_MAX] = {NULL};
  if (n <= 0) {
    no_data(d);
    return;
  }
  if (n > PDF_BARS_MAX)
    n = PDF_BARS_MAX;
  if (max <= 0)
    for (int i = 0; i < n; i++)
      max = fmax(max, b[i].value);
  if (max <= 0)
    max = 1;
  for (int i = 0; i < n; i++) {
    l[i] = layout_new(d, b[i].label, &ST_CELL, label_w - 8, 2, PANGO_ALIGN_RIGHT);
    row_h[i] = fmax(17, layout_h(l[i]) + 5);
    total += row_h[i];
  }
  need(d, total + 8);
  y = d->y;
  for (int i = 0; i < n; i++) {
    double w = fmin(fmax(b[i].value, 0) / max, 1) * bw_max, mid = y + row_h[i] / 2;
    layout_draw(d, l[i], ST_CELL.color, MARGIN, mid - layout_h(l[i]) / 2);
    fill_rect(d, bx, mid - 4.5, w, 9, b[i].color ? b[i].color : C_BLUE);
    text(d, b[i].text, &ST_CELL, bx + w + 4, mid - 5.5, text_w - 4, 1, PANGO_ALIGN_LEFT);
    y += row_h[i];
    g_object_unref(l[i]);
  }
  line(d, bx, d->y, bx, y, 0.8, C_MUTED);
  d->y = y + 10;
}

/* The backlog: open cases per age bucket, stacked by grade. */
static void chart_backlog(pdf_doc *d, const json_t *buckets) {
  static const char *const grades[] = {"g1", "g2", "g3", "g4"};
  const double H = 215;
  size_t n = jlen(buckets);
  double max = 0, px0, px1, py0, py1, top, step, slot, bw;
  legend_item leg[4];
  if (n == 0) {
    no_data(d);
    return;
  }
  if (n > PDF_BARS_MAX)
    n = PDF_BARS_MAX;
  for (size_t i = 0; i < n; i++) {
    const json_t *b = json_array_get(buckets, i);
    double sum = 0;
    for (int g = 0; g < 4; g++)
      sum += jnum0(b, grades[g]);
    max = fmax(max, fmax(sum, jnum0(b, "count")));
  }
  need(d, H);
  px0 = MARGIN + 36;
  px1 = MARGIN + CONTENT_W;
  py0 = d->y + 26;
  py1 = d->y + H - 32;
  step = nice_step(max, 5);
  top = axis_top(max, step);
  text(d, tr(d, "件", "cases"), &ST_AXIS, MARGIN, d->y + 10, 30, 1, PANGO_ALIGN_LEFT);
  for (int g = 0; g < 4; g++) {
    leg[g].name = grade_name(d, grades[g]);
    leg[g].color = grade_color(grades[g]);
    leg[g].is_line = 0;
  }
  legend(d, leg, 4, px1, d->y + 2);
  y_axis(d, px0, px1, py0, py1, top, step);
  slot = (px1 - px0) / (double)n;
  bw = fmin(slot * 0.55, 44);
  for (size_t i = 0; i < n; i++) {
    const json_t *b = json_array_get(buckets, i);
    double cx = px0 + slot * ((double)i + 0.5), y = py1, count;
    for (int g = 0; g < 4; g++) {
      double h = jnum0(b, grades[g]) / top * (py1 - py0);
      fill_rect(d, cx - bw / 2, y - h, bw, h, grade_color(grades[g]));
      y -= h;
    }
    count = json_is_number(jget(b, "count")) ? jnum0(b, "count") : (py1 - y) / (py1 - py0) * top;
    value_label(d, count, cx, slot, fmin(y, py1 - count / top * (py1 - py0)));
    x_label(d, row_name(d, b, "name"), cx, slot - 2, py1 + 4);
  }
  d->y += H + 4;
}

/* ---- the sections */

static const pdf_col breakdown_cols[] = {
    {"name", "项目", "Item", COL_NAME, 3.4, 2},
    {"count", "件数", "Cases", COL_INT, 1.0, 1},
    {"pct", "占比", "Share", COL_PCT, 1.0, 1},
    {"count", "", "", COL_BAR, 3.6, 1},
};

static void draw_summary(pdf_doc *d) {
  const json_t *s = jget(d->doc, "summary");
  const json_t *h = jget(s, "handling"), *ft = jget(s, "first_time");
  const json_t *sat = jget(s, "satisfaction"), *counts = jlist(sat, "counts");
  figure f[12];
  hbar bars[5];
  char a[48], b[48], c[48], e[48];
  int64_t v, received, answered = 0;
  double x;
  memset(f, 0, sizeof f);
  memset(bars, 0, sizeof bars);

  f[0].label = tr(d, "受理投诉（件）", "Received");
  put_int(f[0].value, sizeof f[0].value, s, "received");
  put_pct(a, sizeof a, s, "mom_pct", 1);
  put_int(b, sizeof b, s, "received_prev");
  put_pct(c, sizeof c, s, "yoy_pct", 1);
  put_int(e, sizeof e, s, "received_last_year");
  catf(f[0].sub, sizeof f[0].sub,
       d->zh ? "环比 %s（上期 %s）\n同比 %s（去年同期 %s）"
             : "MoM %s (previous %s)\nYoY %s (a year ago %s)",
       a, b, c, e);

  f[1].label = tr(d, "办结（件）", "Finished");
  put_int(f[1].value, sizeof f[1].value, s, "finished");
  put_int(a, sizeof a, s, "closed");
  put_int(b, sizeof b, s, "rejected");
  put_int(c, sizeof c, s, "withdrawn");
  catf(f[1].sub, sizeof f[1].sub,
       d->zh ? "结案 %s · 不成立 %s · 撤诉 %s" : "closed %s · rejected %s · withdrawn %s", a, b, c);

  f[2].label = tr(d, "结案占比", "Closed share");
  put_pct(f[2].value, sizeof f[2].value, s, "closed_share_pct", 0);
  put_int(a, sizeof a, s, "finished_by_end");
  catf(f[2].sub, sizeof f[2].sub, d->zh ? "期末前办结 %s 件" : "%s finished by the period's end",
       a);

  f[3].label = tr(d, "投诉成立率", "Validity rate");
  put_pct(f[3].value, sizeof f[3].value, s, "validity_rate_pct", 0);
  put_int(a, sizeof a, s, "valid");
  put_int(b, sizeof b, s, "partly_valid");
  put_int(c, sizeof c, s, "invalid");
  put_int(e, sizeof e, s, "validity_judged");
  catf(f[3].sub, sizeof f[3].sub,
       d->zh ? "成立 %s · 部分成立 %s · 不成立 %s\n已判定 %s 件"
             : "valid %s · partly %s · invalid %s\n%s judged",
       a, b, c, e);

  f[4].label = tr(d, "平均处理时长", "Average handling time");
  f[5].label = tr(d, "处理时长 P90", "Handling time, P90");
  if (jnum(h, "avg_hours", &x))
    fmt_tenths(f[4].value, sizeof f[4].value, scaled(x, 10), 0, tr(d, " 小时", " h"));
  else
    snprintf(f[4].value, sizeof f[4].value, "—");
  if (jnum(h, "p90_hours", &x))
    fmt_tenths(f[5].value, sizeof f[5].value, scaled(x, 10), 0, tr(d, " 小时", " h"));
  else
    snprintf(f[5].value, sizeof f[5].value, "—");
  put_int(a, sizeof a, h, "count");
  catf(f[4].sub, sizeof f[4].sub, d->zh ? "按 %s 件办结案件计" : "over %s finished cases", a);
  catf(f[5].sub, sizeof f[5].sub, "%s",
       tr(d, "90% 的案件在此时长内办结", "90 % of the cases finished within it"));

  f[6].label = tr(d, "一次解决率", "First-time resolution");
  put_pct(f[6].value, sizeof f[6].value, ft, "pct", 0);
  put_int(a, sizeof a, ft, "first_time");
  put_int(b, sizeof b, ft, "closed");
  if (d->zh)
    catf(f[6].sub, sizeof f[6].sub, "结案 %s 件中一次解决 %s 件", b, a);
  else
    catf(f[6].sub, sizeof f[6].sub, "%s of %s closed cases", a, b);

  f[7].label = tr(d, "满意率", "Satisfaction rate");
  put_pct(f[7].value, sizeof f[7].value, sat, "rate_pct", 0);
  put_int(a, sizeof a, sat, "answered");
  put_int(b, sizeof b, sat, "satisfied");
  if (jnum(sat, "average", &x)) {
    v = scaled(x, 100);
    snprintf(c, sizeof c, "%s%" PRId64 ".%02u", v < 0 ? "-" : "", (int64_t)(magnitude(v) / 100),
             (unsigned)(magnitude(v) % 100));
  } else {
    snprintf(c, sizeof c, "—");
  }
  catf(f[7].sub, sizeof f[7].sub,
       d->zh ? "回访 %s · 满意 %s\n平均 %s 分（满分 5 分）"
             : "answered %s · satisfied %s\naverage %s of 5",
       a, b, c);

  f[8].label = tr(d, "损失合计", "Total loss");
  put_cents(f[8].value, sizeof f[8].value, s, "loss_total_cents");
  put_int(a, sizeof a, jget(d->doc, "losses"), "cases");
  catf(f[8].sub, sizeof f[8].sub, d->zh ? "涉及 %s 件" : "in %s cases", a);

  f[9].label = tr(d, "期末未结（件）", "Open at the end");
  put_int(f[9].value, sizeof f[9].value, s, "open_at_end");
  catf(f[9].sub, sizeof f[9].sub, "%s",
       tr(d, "统计期末仍在处理，见第 9 节", "still open when the period ended; see section 9"));

  f[10].label = tr(d, "未了事宜（件）", "Pending");
  put_int(f[10].value, sizeof f[10].value, s, "pending");
  catf(f[10].sub, sizeof f[10].sub, "%s",
       tr(d, "暂缓处理，待约定日期跟进；台账见第 10 节",
          "suspended until an agreed date; see the ledger, section 10"));

  f[11].label = tr(d, "外部投诉（件）", "External complaints");
  put_int(f[11].value, sizeof f[11].value, s, "external");
  received = jint0(s, "received");
  if (jint(s, "external", &v) && received > 0) {
    fmt_tenths(a, sizeof a, share_tenths(v, received), 0, "%");
    catf(f[11].sub, sizeof f[11].sub, d->zh ? "占受理的 %s" : "%s of those received", a);
  }
  f[8].accent = C_ALERT;
  cards(d, f, 12, 3, 72);

  /* the satisfaction answers, 5 (best) first */
  subsection(d, tr(d, "满意度分布", "Satisfaction answers"), 5 * 17 + 10);
  for (size_t i = 0; i < 5; i++)
    answered += json_is_integer(json_array_get(counts, i))
                    ? (int64_t)json_integer_value(json_array_get(counts, i))
                    : 0;
  for (int i = 0; i < 5; i++) {
    const json_t *k = json_array_get(counts, (size_t)(4 - i));
    int64_t cnt = json_is_integer(k) ? (int64_t)json_integer_value(k) : 0;
    snprintf(bars[i].label, sizeof bars[i].label, d->zh ? "%d 分" : "score %d", 5 - i);
    bars[i].value = (double)cnt;
    fmt_int(a, sizeof a, cnt);
    if (answered > 0) {
      fmt_tenths(b, sizeof b, share_tenths(cnt, answered), 0, "%");
      snprintf(bars[i].text, sizeof bars[i].text, d->zh ? "%s（%s）" : "%s (%s)", a, b);
    } else {
      snprintf(bars[i].text, sizeof bars[i].text, "%s", a);
    }
    bars[i].color = i < 2 ? C_NAVY : i == 2 ? C_GREY_BAR : C_ORANGE;
  }
  if (answered > 0)
    chart_hbars(d, bars, 5, 0);
  else
    no_data(d);
}

static void draw_trend(pdf_doc *d) {
  chart_trend(d, jlist(d->doc, "trend"));
}

static const struct {
  const char *key, *zh, *en;
} breakdowns[] = {
    {"category", "按投诉类别", "By category"},
    {"channel", "按受理渠道", "By channel"},
    {"grade", "按投诉等级", "By grade"},
    {"status", "按当前状态", "By current status"},
    {"outlet", "按门店", "By outlet"},
    {"dept", "按责任部门", "By department"},
    {"root_cause", "按根本原因", "By root cause"},
    {"service_stage", "按服务环节", "By service stage"},
    {"responsibility", "按责任方", "By responsibility"},
    {"validity", "按成立情况", "By validity"},
    {"nature", "按投诉性质", "By nature"},
};

static void draw_breakdowns(pdf_doc *d) {
  const json_t *by = jget(d->doc, "by");
  char name[96];
  for (size_t i = 0; i < sizeof breakdowns / sizeof breakdowns[0]; i++) {
    const json_t *list = jlist(by, breakdowns[i].key);
    size_t n = jlen(list);
    snprintf(name, sizeof name, "3.%zu  %s", i + 1, tr(d, breakdowns[i].zh, breakdowns[i].en));
    subsection(d, name, 24 + ROW_MIN_H * (double)(n == 0 ? 1 : n <= 8 ? n : 3));
    table(d, breakdown_cols, 4, list, name);
  }
}

static const pdf_col pareto_cols[] = {
    {"name", "投诉类别", "Category", COL_NAME, 3.4, 2},
    {"count", "件数", "Cases", COL_INT, 1.0, 1},
    {"pct", "占比", "Share", COL_PCT, 1.0, 1},
    {"cum_pct", "累计占比", "Cumulative", COL_PCT, 1.2, 1},
    {"vital", "", "", COL_VITAL, 1.4, 1},
};

static void draw_pareto(pdf_doc *d) {
  const json_t *items = jlist(d->doc, "pareto");
  size_t n = jlen(items), vital = 0;
  char names[512] = "", cum[48] = "—", lead[768];
  chart_pareto(d, items);
  for (size_t i = 0; i < n; i++) {
    const json_t *it = json_array_get(items, i);
    if (!json_is_true(jget(it, "vital")))
      continue;
    vital++;
    catf(names, sizeof names, "%s%s", vital > 1 ? tr(d, "、", ", ") : "",
         row_name(d, it, "name") ? row_name(d, it, "name") : "—");
    put_pct(cum, sizeof cum, it, "cum_pct", 0);
  }
  if (vital > 0) {
    snprintf(lead, sizeof lead,
             d->zh ? "关键少数 %zu 类（%.500s）合计占投诉的 %s：累计占比达到 80%% 之前的类别。"
                   : "The vital few, %zu categories (%.500s), make %s of the complaints: the "
                     "categories before the cumulative share reaches 80 %%.",
             vital, names, cum);
    para(d, lead, &ST_BODY);
  }
  subsection(d, tr(d, "各类别件数与累计占比", "Categories and cumulative shares"),
             24 + ROW_MIN_H * (double)(n == 0   ? 1
                                       : n <= 8 ? n
                                                : 3));
  table(d, pareto_cols, 5, items, tr(d, "帕累托分析", "Pareto analysis"));
}

static const pdf_col sla_cols[] = {
    {"name", "时限", "Clock", COL_NAME, 3.4, 2},
    {"started", "计时", "Started", COL_INT, 0.9, 1},
    {"met", "达成", "Met", COL_INT, 0.9, 1},
    {"breached", "超时", "Breached", COL_INT, 0.9, 1},
    {"running", "计时中", "Running", COL_INT, 0.9, 1},
    {"paused", "暂停", "Paused", COL_INT, 0.9, 1},
    {"compliance_pct", "达成率", "Compliance", COL_PCT, 1.1, 1},
};

static void draw_sla(pdf_doc *d) {
  const json_t *sla = jlist(d->doc, "sla");
  size_t n = jlen(sla);
  hbar bars[PDF_BARS_MAX];
  int nb = 0;
  table(d, sla_cols, 7, sla, tr(d, "时限达成", "SLA compliance"));
  if (n == 0)
    return;
  memset(bars, 0, sizeof bars);
  for (size_t i = 0; i < n && nb < PDF_BARS_MAX; i++) {
    const json_t *row = json_array_get(sla, i);
    double pct = 0;
    copy_text(bars[nb].label, sizeof bars[nb].label, row_name(d, row, "name"));
    if (jnum(row, "compliance_pct", &pct))
      bars[nb].value = pct;
    put_pct(bars[nb].text, sizeof bars[nb].text, row, "compliance_pct", 0);
    bars[nb].color = C_NAVY;
    nb++;
  }
  subsection(d, tr(d, "达成率", "Compliance"), nb * 17.0 + 10);
  chart_hbars(d, bars, nb, 100);
}

static const pdf_col complainant_cols[] = {
    {"customer", "投诉人（已脱敏）", "Complainant (masked)", COL_TEXT, 1.6, 1},
    {"cases", "件数", "Cases", COL_INT, 0.8, 1},
    {"case_nos", "案件编号", "Case numbers", COL_LIST, 5.6, 3},
};

static const pdf_col subject_cols[] = {
    {"subject", "投诉对象", "Subject", COL_TEXT, 2.0, 2},
    {"cases", "件数", "Cases", COL_INT, 0.8, 1},
    {"pct", "占比", "Share", COL_PCT, 0.8, 1},
    {"cum_pct", "累计占比", "Cumulative", COL_PCT, 0.9, 1},
    {"case_nos", "案件编号", "Case numbers", COL_LIST, 3.5, 3},
};

static void draw_repeat(pdf_doc *d) {
  const json_t *r = jget(d->doc, "repeat");
  char a[48], b[48], c[48], e[48], lead[256];
  put_int(a, sizeof a, r, "complainants");
  put_int(b, sizeof b, r, "complainant_cases");
  put_int(c, sizeof c, r, "subjects");
  put_int(e, sizeof e, r, "subject_cases");
  snprintf(lead, sizeof lead,
           d->zh ? "重复投诉人 %s 位，涉及 %s 件；重复投诉对象 %s 个，涉及 %s 件。"
                 : "%s complainants complained more than once, in %s cases; %s subjects were "
                   "complained about more than once, in %s cases.",
           a, b, c, e);
  para(d, lead, &ST_BODY);
  subsection(d, tr(d, "重复投诉人", "Repeat complainants"), 60);
  table(d, complainant_cols, 3, jlist(r, "top_complainants"),
        tr(d, "重复投诉人", "Repeat complainants"));
  subsection(d, tr(d, "重复投诉对象", "Repeat subjects"), 60);
  table(d, subject_cols, 5, jlist(r, "top_subjects"), tr(d, "重复投诉对象", "Repeat subjects"));
}

static const struct {
  const char *key, *zh, *en;
} loss_components[] = {
    {"compensation_cents", "赔偿", "Compensation"},
    {"refund_cents", "退款", "Refunds"},
    {"discount_cents", "折让", "Discounts"},
    {"repair_cents", "维修", "Repairs"},
    {"goods_cents", "货品", "Goods"},
    {"freight_cents", "运费", "Freight"},
    {"gift_cents", "礼品", "Gifts"},
    {"other_cents", "其他", "Other"},
};
#define LOSS_COMPONENTS (sizeof loss_components / sizeof loss_components[0])

static const pdf_col component_cols[] = {
    {"name", "构成", "Component", COL_NAME, 2.4, 1},
    {"cents", "金额", "Amount", COL_CENTS, 2.0, 1},
    {"share", "占比", "Share", COL_PCT, 1.2, 1},
    {"cents", "", "", COL_BAR, 3.4, 1},
};

static const pdf_col loss_cols[] = {
    {"name", "项目", "Item", COL_NAME, 2.8, 2},
    {"cases", "件数", "Cases", COL_INT, 0.9, 1},
    {"total_cents", "金额", "Amount", COL_CENTS, 1.9, 1},
    {"total_cents", "", "", COL_BAR, 3.2, 1},
};

/* The components with their shares, and their total as the exact sum of the integers. */
static void loss_components_table(pdf_doc *d, const json_t *comp) {
  json_t *rows = json_array();
  int64_t sum = 0, v = 0, stated;
  int any = 0;
  char a[48], b[48], warn[256];
  for (size_t i = 0; i < LOSS_COMPONENTS; i++)
    if (jint(comp, loss_components[i].key, &v)) {
      sum += v;
      any = 1;
    }
  if (!rows) {
    d->rc = TS_ERR_NOMEM;
    goto out;
  }
  if (!any) {
    no_data(d);
    goto out;
  }
  for (size_t i = 0; i <= LOSS_COMPONENTS; i++) {
    int total = i == LOSS_COMPONENTS;
    int has = total ? 1 : jint(comp, loss_components[i].key, &v);
    json_t *row;
    if (total)
      v = sum;
    /* the share in tenths as a number that COL_PCT writes back exactly */
    row = json_pack("{s:s, s:s, s:o, s:o, s:b}", "name_zh", total ? "合计" : loss_components[i].zh,
                    "name_en", total ? "Total" : loss_components[i].en, "cents",
                    has ? json_integer(v) : json_null(), "share",
                    has && sum > 0 ? json_real((double)share_tenths(v, sum) / 10) : json_null(),
                    "_total", total);
    if (!row || json_array_append_new(rows, row)) {
      d->rc = TS_ERR_NOMEM;
      goto out;
    }
  }
  table(d, component_cols, 4, rows, tr(d, "损失构成", "Loss components"));
  if (jint(comp, "total_cents", &stated) && stated != sum) {
    fmt_cents(a, sizeof a, sum);
    fmt_cents(b, sizeof b, stated);
    snprintf(warn, sizeof warn,
             d->zh ? "注意：各项之和 %s 与报告所载合计 %s 不一致。"
                   : "Note: the components add up to %s, the report states %s.",
             a, b);
    para(d, warn, &ST_WARN);
  }
out:
  json_decref(rows);
}

static void draw_losses(pdf_doc *d) {
  const json_t *l = jget(d->doc, "losses");
  char a[48], lead[160];
  put_int(a, sizeof a, l, "cases");
  snprintf(lead, sizeof lead, d->zh ? "发生损失的案件 %s 件。" : "%s cases with a loss.", a);
  para(d, lead, &ST_BODY);
  subsection(d, tr(d, "损失构成", "Components"), 24 + 9 * ROW_MIN_H);
  loss_components_table(d, jget(l, "components"));
  subsection(d, tr(d, "按责任方", "By responsible party"), 60);
  table(d, loss_cols, 4, jlist(l, "by_party"), tr(d, "损失：按责任方", "Losses by party"));
  subsection(d, tr(d, "按投诉类别", "By category"), 60);
  table(d, loss_cols, 4, jlist(l, "by_category"), tr(d, "损失：按投诉类别", "Losses by category"));
}

static const pdf_col penalty_cols[] = {
    {"case_no", "案件编号", "Case", COL_TEXT, 1.45, 1},
    {"person", "责任人", "Person", COL_TEXT, 1.1, 2},
    {"kind", "处罚方式", "Kind", COL_NAME, 1.4, 2},
    {"amount_cents", "金额/比例", "Amount", COL_PENALTY, 1.3, 1},
    {"status", "状态", "Status", COL_PSTATUS, 0.85, 1},
    {"proposed_at", "提出日期", "Proposed", COL_DATE, 1.05, 1},
    {"days_open", "已过天数", "Days open", COL_DAYS, 0.9, 1},
};

static void draw_penalties(pdf_doc *d) {
  const json_t *p = jget(d->doc, "penalties");
  const json_t *list = jlist(p, "not_executed");
  static const struct {
    const char *key, *zh, *en;
    int cents;
  } figs[] = {
      {"proposed", "提出（项）", "Proposed", 0},
      {"approved", "已批准待执行（项）", "Approved", 0},
      {"executed", "已执行（项）", "Executed", 0},
      {"cancelled", "已撤销（项）", "Cancelled", 0},
      {"fines_proposed_cents", "罚款：提出", "Fines proposed", 1},
      {"fines_executed_cents", "罚款：已执行", "Fines executed", 1},
      {"not_executed_total", "未执行（项）", "Not executed", 0},
  };
  figure f[7];
  int64_t total;
  char note[192];
  memset(f, 0, sizeof f);
  for (int i = 0; i < 7; i++) {
    f[i].label = tr(d, figs[i].zh, figs[i].en);
    if (figs[i].cents)
      put_cents(f[i].value, sizeof f[i].value, p, figs[i].key);
    else
      put_int(f[i].value, sizeof f[i].value, p, figs[i].key);
  }
  f[6].accent = C_ALERT;
  catf(f[6].sub, sizeof f[6].sub, "%s",
       tr(d, "已提出或批准、尚未执行", "proposed or approved, not carried out"));
  cards(d, f, 7, 4, 66);
  subsection(d, tr(d, "未执行的处罚", "Penalties not executed"), 24 + 3 * ROW_MIN_H);
  if (jint(p, "not_executed_total", &total) && total > (int64_t)jlen(list)) {
    snprintf(note, sizeof note,
             d->zh ? "下表列出 %zu 项，共 %" PRId64 " 项未执行。"
                   : "The table lists %zu of the %" PRId64 " penalties not executed.",
             jlen(list), total);
    para(d, note, &ST_NOTE);
  }
  table(d, penalty_cols, 7, list, tr(d, "未执行的处罚", "Penalties not executed"));
}

static const pdf_col bucket_cols[] = {
    {"name", "账龄", "Age", COL_NAME, 2.2, 1}, {"count", "件数", "Cases", COL_INT, 1.0, 1},
    {"g1", NULL, NULL, COL_GCOUNT, 1.0, 1},    {"g2", NULL, NULL, COL_GCOUNT, 1.0, 1},
    {"g3", NULL, NULL, COL_GCOUNT, 1.0, 1},    {"g4", NULL, NULL, COL_GCOUNT, 1.0, 1},
};

static void draw_backlog(pdf_doc *d) {
  const json_t *b = jget(d->doc, "backlog");
  char at[48], total[48], lead[200];
  fmt_time(at, sizeof at, jstr(b, "at"), 1);
  put_int(total, sizeof total, b, "total");
  snprintf(lead, sizeof lead,
           d->zh ? "截至 %s，未结案件 %s 件，按账龄与等级分布如下。"
                 : "Open cases at %s: %s, by age and grade.",
           at, total);
  para(d, lead, &ST_BODY);
  chart_backlog(d, jlist(b, "buckets"));
  table(d, bucket_cols, 6, jlist(b, "buckets"), tr(d, "积压", "Backlog"));
  subsection(d, tr(d, "按状态", "By status"), 60);
  table(d, breakdown_cols, 4, jlist(b, "by_status"), tr(d, "积压：按状态", "Backlog by status"));
}

static const pdf_col pending_cols[] = {
    {"case_no", "案件编号", "Case", COL_TEXT, 1.45, 1},
    {"grade", "等级", "Grade", COL_GRADE, 1.05, 1},
    {"received_at", "受理日期", "Received", COL_DATE, 1.05, 1},
    {"reason", "暂缓原因", "Reason", COL_TEXT, 1.8, 3},
    {"remind_on", "提醒日期", "Remind on", COL_DATE, 1.05, 1},
    {"from", "暂缓前状态", "Status before", COL_STATUS, 1.25, 2},
    {"outlet", "门店", "Outlet", COL_TEXT, 1.15, 2},
    {"dept", "部门", "Dept.", COL_TEXT, 1.0, 2},
    {"handler", "处理人", "Handler", COL_TEXT, 1.15, 2},
};

static void draw_pending(pdf_doc *d) {
  const json_t *p = jget(d->doc, "pending");
  const json_t *items = jlist(p, "items");
  char total[48], lead[200];
  int64_t t;
  put_int(total, sizeof total, p, "total");
  if (jint(p, "total", &t) && t > (int64_t)jlen(items))
    snprintf(lead, sizeof lead,
             d->zh ? "未了事宜共 %s 项，下表列出前 %zu 项。"
                   : "%s pending cases; the table lists the first %zu.",
             total, jlen(items));
  else
    snprintf(lead, sizeof lead, d->zh ? "未了事宜共 %s 项。" : "%s pending cases.", total);
  para(d, lead, &ST_BODY);
  table(d, pending_cols, 9, items, tr(d, "未了事宜台账", "Pending ledger"));
}

typedef void (*section_fn)(pdf_doc *d);

/* The sections after the cover, in their order; keep is the height of the first block,
 * which goes on the page of the heading. */
static const struct {
  const char *zh, *en;
  double keep;
  section_fn draw;
} sections[PDF_SECTIONS] = {
    {"概要", "Summary", 320, draw_summary},
    {"月度趋势", "Monthly trend", 215, draw_trend},
    {"分类统计", "Breakdowns", 90, draw_breakdowns},
    {"帕累托分析（投诉类别）", "Pareto analysis of categories", 245, draw_pareto},
    {"时限达成", "SLA compliance", 90, draw_sla},
    {"重复投诉", "Repeat complaints", 90, draw_repeat},
    {"损失", "Losses", 200, draw_losses},
    {"处罚", "Penalties", 130, draw_penalties},
    {"积压", "Backlog", 240, draw_backlog},
    {"未了事宜台账", "Pending ledger", 80, draw_pending},
};

/* ---- the cover */

static void draw_cover(pdf_doc *d) {
  const json_t *p = jget(d->doc, "period"), *s = jget(d->doc, "summary");
  const text_style title = {FACE_SERIF, 30.0, C_NAVY};
  const text_style period = {FACE_SANS, 18.0, C_INK};
  const text_style label = {FACE_SANS, 9.5, C_MUTED};
  const text_style value = {FACE_SANS, 9.5, C_INK};
  const text_style toc = {FACE_SANS, 9.5, C_INK};
  char buf[256], a[48], b[48];
  figure f[4];
  int64_t days;
  double y;
  struct {
    const char *label;
    char value[256];
  } info[3];

  page_furniture(d);
  fill_rect(d, 0, 0, PAGE_W, 12, C_NAVY);
  fill_rect(d, 0, 12, PAGE_W, 3, C_G1);
  y = 150;
  y += text(d, tr(d, "客户投诉分析报告", "Complaint analysis report"), &title, MARGIN, y, CONTENT_W,
            2, PANGO_ALIGN_LEFT);
  y += 8;
  y += text(d, d->period, &period, MARGIN, y, CONTENT_W, 1, PANGO_ALIGN_LEFT);
  y += 14;
  fill_rect(d, MARGIN, y, 64, 2.5, C_NAVY);
  y += 18;

  info[0].label = tr(d, "统计期间", "Period");
  fmt_time(a, sizeof a, jstr(p, "from_date"), 0);
  fmt_time(b, sizeof b, jstr(p, "to_date"), 0);
  snprintf(info[0].value, sizeof info[0].value, d->zh ? "%s 至 %s" : "%s to %s", a, b);
  if (jint(p, "days", &days))
    catf(info[0].value, sizeof info[0].value,
         d->zh ? "（共 %" PRId64 " 天）" : " (%" PRId64 " days)", days);
  info[1].label = tr(d, "统计范围", "Unit");
  snprintf(info[1].value, sizeof info[1].value, "%s", d->unit);
  info[2].label = tr(d, "生成时间", "Generated at");
  fmt_time(info[2].value, sizeof info[2].value, jstr(d->doc, "generated_at"), 1);
  for (int i = 0; i < 3; i++) {
    text(d, info[i].label, &label, MARGIN, y, 80, 1, PANGO_ALIGN_LEFT);
    y += fmax(text(d, info[i].value, &value, MARGIN + 84, y, CONTENT_W - 84, 2, PANGO_ALIGN_LEFT),
              14) +
         6;
  }
  if (json_is_false(jget(p, "ended"))) {
    text(d,
         tr(d, "统计期尚未结束，数据截至生成时间。",
            "The period has not ended: the figures are those at the time of generation."),
         &(text_style){FACE_BOLD, 9.0, C_ORANGE}, MARGIN, y, CONTENT_W, 2, PANGO_ALIGN_LEFT);
  }

  /* the headline figures */
  memset(f, 0, sizeof f);
  f[0].label = tr(d, "受理投诉（件）", "Received");
  put_int(f[0].value, sizeof f[0].value, s, "received");
  put_pct(a, sizeof a, s, "mom_pct", 1);
  put_pct(b, sizeof b, s, "yoy_pct", 1);
  catf(f[0].sub, sizeof f[0].sub, d->zh ? "环比 %s · 同比 %s" : "MoM %s · YoY %s", a, b);
  f[1].label = tr(d, "结案占比", "Closed share");
  put_pct(f[1].value, sizeof f[1].value, s, "closed_share_pct", 0);
  put_int(a, sizeof a, s, "open_at_end");
  catf(f[1].sub, sizeof f[1].sub, d->zh ? "期末未结 %s 件" : "%s open at the end", a);
  f[2].label = tr(d, "满意率", "Satisfaction rate");
  put_pct(f[2].value, sizeof f[2].value, jget(s, "satisfaction"), "rate_pct", 0);
  put_int(a, sizeof a, jget(s, "satisfaction"), "answered");
  catf(f[2].sub, sizeof f[2].sub, d->zh ? "回访 %s 件" : "%s answers", a);
  f[3].label = tr(d, "损失合计", "Total loss");
  put_cents(f[3].value, sizeof f[3].value, s, "loss_total_cents");
  put_int(a, sizeof a, jget(d->doc, "penalties"), "not_executed_total");
  catf(f[3].sub, sizeof f[3].sub, d->zh ? "未执行处罚 %s 项" : "%s penalties not executed", a);
  f[3].accent = C_ALERT;
  d->y = 390;
  cards(d, f, 4, 4, 64);

  /* the contents, with the pages the first pass found */
  y = 500;
  text(d, tr(d, "目录", "Contents"), &(text_style){FACE_BOLD, 11.0, C_NAVY}, MARGIN, y, CONTENT_W,
       1, PANGO_ALIGN_LEFT);
  y += 22;
  for (int i = 0; i < PDF_SECTIONS; i++) {
    char attrs[64];
    if (d->pdf && d->section_page[i] > 0) {
      snprintf(attrs, sizeof attrs, "page=%d pos=[%d %d]", d->section_page[i], (int)MARGIN,
               (int)d->section_y[i]);
      cairo_tag_begin(d->cr, CAIRO_TAG_LINK, attrs);
    }
    snprintf(buf, sizeof buf, "%d  %s", i + 1, tr(d, sections[i].zh, sections[i].en));
    text(d, buf, &toc, MARGIN, y, CONTENT_W - 40, 1, PANGO_ALIGN_LEFT);
    if (d->section_page[i] > 0) {
      snprintf(buf, sizeof buf, "%d", d->section_page[i]);
      text(d, buf, &toc, MARGIN + CONTENT_W - 40, y, 40, 1, PANGO_ALIGN_RIGHT);
    }
    if (d->pdf && d->section_page[i] > 0)
      cairo_tag_end(d->cr, CAIRO_TAG_LINK);
    line(d, MARGIN, y + 17, MARGIN + CONTENT_W, y + 17, 0.4, C_GRID);
    y += 21;
  }
}

/* ---- the passes */

static int cairo_rc(cairo_status_t st) {
  return st == CAIRO_STATUS_SUCCESS     ? TS_OK
         : st == CAIRO_STATUS_NO_MEMORY ? TS_ERR_NOMEM
                                        : TS_ERR_STORE; /* an I/O failure of ours: 500 */
}

/* Draws the whole document onto target; d->page is the number of pages after it. */
static int render_pass(pdf_doc *d, cairo_surface_t *target) {
  int rc;
  d->cr = cairo_create(target);
  rc = cairo_rc(cairo_status(d->cr));
  if (rc)
    goto out;
  pango_cairo_update_context(d->cr, d->pc);
  d->page = 1;
  d->y = BODY_TOP;
  draw_cover(d);
  new_page(d);
  for (int i = 0; i < PDF_SECTIONS && !d->rc; i++) {
    section_heading(d, i, tr(d, sections[i].zh, sections[i].en), sections[i].keep);
    sections[i].draw(d);
  }
  cairo_show_page(d->cr);
  rc = d->rc ? d->rc : cairo_rc(cairo_status(d->cr));
out:
  cairo_destroy(d->cr);
  d->cr = NULL;
  return rc;
}

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length) {
  ts_buf *out = closure;
  ts_buf_add(out, (const char *)data, length);
  return out->rc ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* The PDF's creation date from generated_at when it has the form cairo takes. */
static void set_metadata(pdf_doc *d) {
  const char *at = jstr(d->doc, "generated_at");
  cairo_pdf_surface_set_metadata(d->pdf, CAIRO_PDF_METADATA_TITLE, d->title);
  cairo_pdf_surface_set_metadata(d->pdf, CAIRO_PDF_METADATA_SUBJECT, d->unit);
  cairo_pdf_surface_set_metadata(d->pdf, CAIRO_PDF_METADATA_CREATOR, "tousu");
  if (at && strlen(at) == 25 && is_digits(at, 4) && at[10] == 'T' && is_digits(at + 11, 2) &&
      (at[19] == '+' || at[19] == '-'))
    cairo_pdf_surface_set_metadata(d->pdf, CAIRO_PDF_METADATA_CREATE_DATE, at);
}

int ts_report_pdf(const json_t *report, const char *lang, ts_buf *out) {
  static const char *const families[FACE__COUNT] = {
      "Noto Sans CJK SC, Source Han Sans SC, Noto Sans SC, sans-serif",
      "Noto Sans CJK SC, Source Han Sans SC, Noto Sans SC, sans-serif",
      "Noto Serif CJK SC, Source Han Serif SC, Noto Serif SC, serif"};
  pdf_doc d;
  PangoFontMap *fm = NULL;
  cairo_surface_t *rec = NULL, *pdf = NULL;
  cairo_rectangle_t a4 = {0, 0, PAGE_W, PAGE_H};
  const char *unit;
  int rc;

  if (!json_is_object(report) || !out)
    return TS_ERR_INVALID;
  memset(&d, 0, sizeof d);
  d.doc = report;
  d.zh = !(lang && strcmp(lang, "en") == 0);
  fmt_period(&d, d.period, sizeof d.period);
  snprintf(d.title, sizeof d.title, "%s%s%.96s",
           tr(&d, "客户投诉分析报告", "Complaint analysis report"),
           strcmp(d.period, "—") ? " · " : "", strcmp(d.period, "—") ? d.period : "");
  unit = jstr(jget(report, "unit"), "name");
  copy_text(d.unit, sizeof d.unit, unit && *unit ? unit : tr(&d, "全部组织", "Whole organisation"));

  /* our own font map, so that nothing outlives the call; metrics without hinting, the
   * same on the recording surface and in the PDF */
  fm = pango_cairo_font_map_new();
  d.pc = pango_font_map_create_context(fm);
  d.fo = cairo_font_options_create();
  rc = cairo_rc(cairo_font_options_status(d.fo));
  if (rc)
    goto out;
  cairo_font_options_set_hint_style(d.fo, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(d.fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias(d.fo, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options(d.pc, d.fo);
  pango_context_set_round_glyph_positions(d.pc, FALSE);
  /* names in Chinese appear in both languages: Han characters in their simplified forms */
  pango_context_set_language(d.pc, pango_language_from_string("zh-cn"));
  for (int i = 0; i < FACE__COUNT; i++) {
    d.face[i] = pango_font_description_new();
    pango_font_description_set_family(d.face[i], families[i]);
    pango_font_description_set_weight(d.face[i],
                                      i == FACE_SANS ? PANGO_WEIGHT_NORMAL : PANGO_WEIGHT_BOLD);
  }

  /* first pass: count the pages, find the sections */
  rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &a4);
  rc = cairo_rc(cairo_surface_status(rec));
  if (rc)
    goto out;
  rc = render_pass(&d, rec);
  if (rc)
    goto out;
  cairo_surface_destroy(rec);
  rec = NULL;

  /* second pass: the PDF */
  d.pages = d.page;
  pdf = cairo_pdf_surface_create_for_stream(write_out, out, PAGE_W, PAGE_H);
  rc = cairo_rc(cairo_surface_status(pdf));
  if (rc)
    goto out;
  d.pdf = pdf;
  set_metadata(&d);
  rc = render_pass(&d, pdf);
  cairo_surface_finish(pdf);
  if (!rc)
    rc = cairo_rc(cairo_surface_status(pdf));
  if (out->rc)
    rc = out->rc;

out:
  if (pdf)
    cairo_surface_destroy(pdf);
  if (rec)
    cairo_surface_destroy(rec);
  for (int i = 0; i < FACE__COUNT; i++)
    if (d.face[i])
      pango_font_description_free(d.face[i]);
  for (int i = 0; i < d.nfaces; i++)
    cairo_font_face_destroy(d.faces[i].proxy);
  if (d.fo)
    cairo_font_options_destroy(d.fo);
  if (d.pc)
    g_object_unref(d.pc);
  if (fm)
    g_object_unref(fm);
  return rc;
}

void ts_render_shutdown(void) {
  cairo_debug_reset_static_data();
  FcFini();
}
