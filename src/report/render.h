/* Exports: the report document (report/report.h) and the case list as files people open —
 * PDF (cairo + pango, Noto CJK), XLSX (libxlsxwriter) and CSV (UTF-8 with a BOM so that
 * Excel reads Chinese). No store access: everything comes from the JSON given.
 *
 * Tables are the common shape: the report is turned into tables once (ts_report_tables),
 * and CSV writes them one after the other under their titles, XLSX one sheet each, the
 * PDF draws them beside its charts. Headings and names are in lang ("zh" or "en"). */
#ifndef TS_RENDER_H
#define TS_RENDER_H

#include <jansson.h>

#include "util/buf.h"

typedef enum {
  TS_COL_TEXT,  /* a string (anything else is written as its JSON text) */
  TS_COL_INT,   /* an integer, written as a number */
  TS_COL_CENTS, /* integer cents, written as yuan: 12345 -> 123.45 (a number in XLSX, with
                 * the format "¥#,##0.00"; "123.45" in CSV) */
  TS_COL_PCT,   /* a percentage number (12.5 means 12.5 %), null as empty */
  TS_COL_TIME   /* an RFC 3339 string, written as it is */
} ts_col_type;

typedef struct {
  const char *key;                /* member of each row object */
  const char *title_zh, *title_en;
  ts_col_type type;
} ts_col;

typedef struct {
  char name[32];                  /* sheet name (ASCII, <= 31 characters, unique) */
  const char *title_zh, *title_en;
  const ts_col *cols;             /* static */
  int ncols;
  json_t *rows;                   /* array of objects; owned by the table */
} ts_table;

/* The report as tables, in the order of docs/reports.md: summary (one row per figure:
 * name, value), trend, every breakdown, pareto, SLA, repeat complainants and subjects,
 * losses by component / party / category, penalties not executed, backlog, pending
 * ledger. *out is malloc'd; free with ts_tables_free. */
int ts_report_tables(const json_t *report, ts_table **out, int *n);
void ts_tables_free(ts_table *t, int n);

/* CSV: every table, each preceded by a line with its title and followed by an empty line;
 * the file starts with the UTF-8 BOM. Fields are quoted per RFC 4180 when needed. */
int ts_tables_csv(const ts_table *t, int n, const char *lang, ts_buf *out);
/* XLSX: one sheet per table, a bold header row, numbers as numbers, money as yuan. */
int ts_tables_xlsx(const ts_table *t, int n, const char *lang, ts_buf *out);

/* The report as a PDF: a cover (title, period, unit, generated at), the summary, then one
 * section per figure group with its charts and tables; A4, page numbers "第 n 页 / 共 m 页"
 * ("Page n of m"). */
int ts_report_pdf(const json_t *report, const char *lang, ts_buf *out);

/* The report document in format (json, pdf, xlsx or csv; TS_ERR_INVALID otherwise) with its
 * content type. */
int ts_report_render(const json_t *doc, const char *format, const char *lang, ts_buf *out,
                     const char **content_type);

/* Drops what the PDF renderer's libraries keep for the process (fontconfig's configuration
 * and caches, cairo's static data), so that leak checkers see a clean exit. Call once, at
 * exit, when no rendering runs any more. */
void ts_render_shutdown(void);

/* The case-list export: rows are the API's case objects (api_cases.c, already masked for
 * the caller); the columns are fixed (docs/reports.md "Case list export"). */
int ts_cases_table(const json_t *cases, ts_table *out);

#endif
