/* One entry for every format of the report document (render.h). */
#include <stdlib.h>
#include <string.h>

#include "core/ts_err.h"
#include "report/render.h"
#include "util/buf.h"

int ts_report_render(const json_t *doc, const char *format, const char *lang, ts_buf *out,
                     const char **content_type) {
  ts_table *t = NULL;
  int n = 0, rc;
  if (!strcmp(format, "json")) {
    char *s = json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(15));
    if (!s)
      return TS_ERR_NOMEM;
    ts_buf_str(out, s);
    ts_buf_add(out, "\n", 1);
    free(s);
    *content_type = "application/json";
    return out->rc;
  }
  if (!strcmp(format, "pdf")) {
    *content_type = "application/pdf";
    rc = ts_report_pdf(doc, lang, out);
    return rc ? rc : out->rc;
  }
  if (strcmp(format, "xlsx") && strcmp(format, "csv"))
    return TS_ERR_INVALID;
  if ((rc = ts_report_tables(doc, &t, &n)))
    return rc;
  if (!strcmp(format, "xlsx")) {
    *content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    rc = ts_tables_xlsx(t, n, lang, out);
  } else {
    *content_type = "text/csv; charset=utf-8";
    rc = ts_tables_csv(t, n, lang, out);
  }
  ts_tables_free(t, n);
  return rc ? rc : out->rc;
}
