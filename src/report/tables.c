/* The report document and the case list as tables (report/render.h): the one shape every
 * exporter writes, so the CSV, the XLSX and the PDF show the same figures under the same
 * headings.
 *
 * Each table is a row of `report_tables` below: its sheet name, titles, static columns and
 * where its rows come from. Rows are JSON objects owned by the table; the cells keep the
 * document's types (counts as integers, money as integer cents, rates as percentage
 * numbers), and the writers apply the language. What a writer must know about a row, the
 * contract between this file and export.c / pdf.c:
 *
 *   - A cell is the row's member named by the column's key. When the row also has
 *     "<key>_zh" / "<key>_en", the writer shows that one in its language instead: the
 *     report's names (name_zh/name_en, kind_zh/kind_en) and the codes translated here
 *     (status, grade, pending "from", booleans) keep their code under "<key>" and get
 *     their names beside it.
 *   - A missing member or null is an empty cell.
 *   - A string in a numeric column is written as text (the summary's period lines).
 *   - Lists of case numbers are joined here (", "), so a text cell is never an array.
 *
 * Nothing here fails on a document of the wrong shape: a missing or mistyped part gives
 * empty cells or a table without rows, so `{}` still exports. */
#include "core/labels.h"
#include "report/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ts_err.h"

#define JOINED_MAX (1024 * 1024) /* bytes of one joined list of case numbers */
#define CASE_TITLE_MAX 100       /* characters of the description shown for an untitled case */

/* ---- codes and their names ------------------------------------------------------------ */

typedef struct {
  const char *code, *zh, *en;
} code_name;

/* Booleans are looked up as "true" / "false". */
static const code_name yes_no[] = {
    {"true", "是", "Yes"}, {"false", "否", "No"}, {NULL, NULL, NULL}};

/* A member holding a code, and where its names come from: a table here (yes_no), else the
 * domain's labels (core/labels.h). */
typedef struct {
  const char *key;
  const code_name *names;
  ts_label_kind kind;
} coded_member;

/* ---- the columns ---------------------------------------------------------------------- */

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A breakdown list {code, name_zh, name_en, count, pct}; what heads the name column varies. */
#define LIST_COLS(var, zh, en)                                                                     \
  static const ts_col var[] = {{"name", zh, en, TS_COL_TEXT},                                      \
                               {"count", "件数", "Cases", TS_COL_INT},                             \
                               {"pct", "占比（%）", "Share (%)", TS_COL_PCT},                      \
                               {"code", "代码", "Code", TS_COL_TEXT}}

LIST_COLS(cols_category, "投诉类别", "Category");
LIST_COLS(cols_channel, "投诉渠道", "Channel");
LIST_COLS(cols_grade, "等级", "Grade");
LIST_COLS(cols_status, "状态", "Status");
LIST_COLS(cols_outlet, "网点", "Outlet");
LIST_COLS(cols_dept, "部门", "Department");
LIST_COLS(cols_root_cause, "根本原因", "Root cause");
LIST_COLS(cols_stage, "服务环节", "Service stage");
LIST_COLS(cols_responsibility, "责任归属", "Responsibility");
LIST_COLS(cols_validity, "成立与否", "Validity");
LIST_COLS(cols_nature, "投诉性质", "Nature");

/* One row per figure; a figure's value sits in the column of its kind, so that every
 * column keeps one type (a count, an amount, a rate). */
static const ts_col cols_summary[] = {{"name", "指标", "Figure", TS_COL_TEXT},
                                      {"value", "数值", "Value", TS_COL_INT},
                                      {"cents", "金额（元）", "Amount (CNY)", TS_COL_CENTS},
                                      {"pct", "比率（%）", "Rate (%)", TS_COL_PCT}};

static const ts_col cols_trend[] = {{"month", "月份", "Month", TS_COL_TEXT},
                                    {"received", "受理", "Received", TS_COL_INT},
                                    {"finished", "办结", "Finished", TS_COL_INT}};

static const ts_col cols_pareto[] = {
    {"name", "投诉类别", "Category", TS_COL_TEXT},
    {"count", "件数", "Cases", TS_COL_INT},
    {"pct", "占比（%）", "Share (%)", TS_COL_PCT},
    {"cum_pct", "累计占比（%）", "Cumulative share (%)", TS_COL_PCT},
    {"vital", "关键少数", "Vital few", TS_COL_TEXT},
    {"code", "代码", "Code", TS_COL_TEXT}};

static const ts_col cols_sla[] = {{"name", "时限", "Clock", TS_COL_TEXT},
                                  {"started", "启动", "Started", TS_COL_INT},
                                  {"met", "达标", "Met", TS_COL_INT},
                                  {"breached", "超时", "Breached", TS_COL_INT},
                                  {"running", "进行中", "Running", TS_COL_INT},
                                  {"paused", "暂停", "Paused", TS_COL_INT},
                                  {"compliance_pct", "达标率（%）", "Compliance (%)", TS_COL_PCT},
                                  {"clock", "代码", "Code", TS_COL_TEXT}};

static const ts_col cols_repeat_customers[] = {
    {"customer", "客户（已脱敏）", "Customer (masked)", TS_COL_TEXT},
    {"cases", "件数", "Cases", TS_COL_INT},
    {"case_nos", "案件编号", "Case numbers", TS_COL_TEXT}};

static const ts_col cols_repeat_subjects[] = {
    {"subject", "投诉标的", "Subject", TS_COL_TEXT},
    {"cases", "件数", "Cases", TS_COL_INT},
    {"pct", "占比（%）", "Share (%)", TS_COL_PCT},
    {"cum_pct", "累计占比（%）", "Cumulative share (%)", TS_COL_PCT},
    {"case_nos", "案件编号", "Case numbers", TS_COL_TEXT}};

static const ts_col cols_loss_components[] = {
    {"name", "损失项目", "Component", TS_COL_TEXT},
    {"cents", "金额（元）", "Amount (CNY)", TS_COL_CENTS}};

static const ts_col cols_loss_party[] = {
    {"name", "责任方", "Party", TS_COL_TEXT},
    {"cases", "件数", "Cases", TS_COL_INT},
    {"total_cents", "损失合计（元）", "Total loss (CNY)", TS_COL_CENTS},
    {"code", "代码", "Code", TS_COL_TEXT}};

static const ts_col cols_loss_category[] = {
    {"name", "投诉类别", "Category", TS_COL_TEXT},
    {"cases", "件数", "Cases", TS_COL_INT},
    {"total_cents", "损失合计（元）", "Total loss (CNY)", TS_COL_CENTS},
    {"code", "代码", "Code", TS_COL_TEXT}};

static const ts_col cols_penalties[] = {{"name", "环节", "Stage", TS_COL_TEXT},
                                        {"count", "件数", "Penalties", TS_COL_INT},
                                        {"cents", "罚款金额（元）", "Fines (CNY)", TS_COL_CENTS}};

static const ts_col cols_not_executed[] = {
    {"case_no", "案件编号", "Case number", TS_COL_TEXT},
    {"person", "责任人", "Person", TS_COL_TEXT},
    {"kind", "处罚方式", "Kind", TS_COL_TEXT},
    {"amount_cents", "罚款金额（元）", "Fine (CNY)", TS_COL_CENTS},
    {"share_pct", "绩效扣减比例（%）", "Performance pay share (%)", TS_COL_PCT},
    {"status", "状态", "Status", TS_COL_TEXT},
    {"proposed_at", "提出时间", "Proposed at", TS_COL_TIME},
    {"days_open", "未执行天数", "Days open", TS_COL_INT}};

static const ts_col cols_backlog[] = {
    {"name", "账龄", "Age", TS_COL_TEXT},      {"count", "件数", "Cases", TS_COL_INT},
    {"g1", "一般", "Minor (g1)", TS_COL_INT},  {"g2", "较重", "Serious (g2)", TS_COL_INT},
    {"g3", "严重", "Severe (g3)", TS_COL_INT}, {"g4", "重大", "Critical (g4)", TS_COL_INT}};

static const ts_col cols_pending[] = {{"case_no", "案件编号", "Case number", TS_COL_TEXT},
                                      {"grade", "等级", "Grade", TS_COL_TEXT},
                                      {"received_at", "受理时间", "Received at", TS_COL_TIME},
                                      {"reason", "未了原因", "Reason", TS_COL_TEXT},
                                      {"remind_on", "提醒日期", "Remind on", TS_COL_TEXT},
                                      {"from", "挂起前状态", "Status before", TS_COL_TEXT},
                                      {"outlet", "网点", "Outlet", TS_COL_TEXT},
                                      {"dept", "部门", "Department", TS_COL_TEXT},
                                      {"handler", "处理人", "Handler", TS_COL_TEXT}};

/* ---- reading the document ------------------------------------------------------------- */

/* The value at a dotted path ("summary.handling.avg_hours"; a number indexes an array:
 * "summary.satisfaction.counts.0"), or NULL. */
static const json_t *at_path(const json_t *root, const char *path) {
  const json_t *v = root;
  const char *p = path;
  while (v && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    char seg[64];
    if (n == 0 || n >= sizeof seg)
      return NULL;
    memcpy(seg, p, n);
    seg[n] = '\0';
    if (json_is_array(v)) {
      size_t i = 0;
      for (size_t k = 0; k < n; k++) {
        if (seg[k] < '0' || seg[k] > '9' || i > 100000)
          return NULL;
        i = i * 10 + (size_t)(seg[k] - '0');
      }
      v = json_array_get(v, i);
    } else {
      v = json_object_get(v, seg);
    }
    p = dot ? dot + 1 : p + n;
  }
  return v;
}

/* Sets row[key] to a copy of v unless v is missing or null (an empty cell). */
static int put_copy(json_t *row, const char *key, const json_t *v) {
  if (!v || json_is_null(v))
    return TS_OK;
  json_t *c = json_deep_copy(v);
  if (!c || json_object_set_new(row, key, c) != 0)
    return TS_ERR_NOMEM;
  return TS_OK;
}

static int put_str(json_t *row, const char *key, const char *s) {
  return json_object_set_new(row, key, json_string(s)) == 0 ? TS_OK : TS_ERR_NOMEM;
}

/* Adds key_zh / key_en beside a coded member whose code is in names (booleans as
 * "true"/"false"); members the row already names are left alone. */
static int add_names(json_t *row, const coded_member *m) {
  const json_t *v = json_object_get(row, m->key);
  const char *code = json_is_string(v)    ? json_string_value(v)
                     : json_is_boolean(v) ? (json_is_true(v) ? "true" : "false")
                                          : NULL;
  char kzh[64], ken[64];
  if (!code)
    return TS_OK;
  snprintf(kzh, sizeof kzh, "%.*s_zh", (int)sizeof kzh - 4, m->key);
  snprintf(ken, sizeof ken, "%.*s_en", (int)sizeof ken - 4, m->key);
  if (json_object_get(row, kzh) || json_object_get(row, ken))
    return TS_OK;
  for (const code_name *c = m->names; c && c->code; c++) {
    if (strcmp(c->code, code) == 0) {
      if (put_str(row, kzh, c->zh) || put_str(row, ken, c->en))
        return TS_ERR_NOMEM;
      return TS_OK;
    }
  }
  const char *zh = m->names ? NULL : ts_label(m->kind, code, 0);
  if (zh && (put_str(row, kzh, zh) || put_str(row, ken, ts_label(m->kind, code, 1))))
    return TS_ERR_NOMEM;
  return TS_OK;
}

/* Replaces an array in row[key] by its items joined with ", " (strings as they are,
 * anything else as its JSON text). */
static int join_list(json_t *row, const char *key) {
  const json_t *arr = json_object_get(row, key);
  ts_buf b = {.max = JOINED_MAX};
  char *s = NULL;
  size_t i;
  const json_t *item;
  int rc;
  if (!json_is_array(arr))
    return TS_OK;
  json_array_foreach(arr, i, item) {
    if (i)
      ts_buf_str(&b, ", ");
    if (json_is_string(item)) {
      ts_buf_add(&b, json_string_value(item), json_string_length(item));
    } else {
      char *t = json_dumps(item, JSON_ENCODE_ANY | JSON_COMPACT);
      if (!t) {
        b.rc = b.rc ? b.rc : TS_ERR_NOMEM;
        break;
      }
      ts_buf_str(&b, t);
      free(t);
    }
  }
  rc = ts_buf_finish(&b, &s);
  if (rc)
    return rc;
  rc = json_object_set_new(row, key, json_string(s)) == 0 ? TS_OK : TS_ERR_NOMEM;
  free(s);
  return rc;
}

/* Makes every item of rows an object (a stray value becomes an empty row), names its
 * coded members and joins the lists its text columns hold. */
static int finish_rows(json_t *rows, const ts_col *cols, int ncols, const coded_member *coded) {
  for (size_t i = 0; i < json_array_size(rows); i++) {
    json_t *row = json_array_get(rows, i);
    if (!json_is_object(row)) {
      if (json_array_set_new(rows, i, json_object()) != 0)
        return TS_ERR_NOMEM;
      row = json_array_get(rows, i);
      if (!json_is_object(row))
        return TS_ERR_NOMEM;
    }
    for (const coded_member *m = coded; m && m->key; m++) {
      int rc = add_names(row, m);
      if (rc)
        return rc;
    }
    for (int c = 0; c < ncols; c++) {
      if (cols[c].type == TS_COL_TEXT) {
        int rc = join_list(row, cols[c].key);
        if (rc)
          return rc;
      }
    }
  }
  return TS_OK;
}

/* ---- tables built from parts of the document ------------------------------------------ */

/* A row per figure: where it is, its name, and the column it goes in ("value" for counts,
 * hours and text, "cents" for money, "pct" for rates). */
typedef struct {
  const char *path, *zh, *en, *col;
} figure;

static const figure summary_figures[] = {
    {"period.label", "报告期间", "Period", "value"},
    {"period.from_date", "起始日期", "First day", "value"},
    {"period.to_date", "截止日期", "Last day", "value"},
    {"period.ended", "期间已结束", "Period ended", "value"},
    {"unit.name", "统计范围", "Scope", "value"},
    {"generated_at", "生成时间", "Generated at", "value"},
    {"summary.received", "受理量", "Received", "value"},
    {"summary.received_prev", "上期受理量", "Received in the previous period", "value"},
    {"summary.received_last_year", "去年同期受理量", "Received in the same period last year",
     "value"},
    {"summary.mom_pct", "环比变化", "Change on the previous period", "pct"},
    {"summary.yoy_pct", "同比变化", "Change on the same period last year", "pct"},
    {"summary.finished", "办结量", "Finished", "value"},
    {"summary.closed", "其中：结案", "of which closed", "value"},
    {"summary.rejected", "其中：不成立", "of which rejected", "value"},
    {"summary.withdrawn", "其中：撤诉", "of which withdrawn", "value"},
    {"summary.finished_by_end", "本期受理且期末前办结", "Received and finished by the period's end",
     "value"},
    {"summary.closed_share_pct", "办结率", "Share finished", "pct"},
    {"summary.external", "升级投诉（外部渠道）", "Escalated (external channels)", "value"},
    {"summary.validity_judged", "已判定成立与否", "Validity judged", "value"},
    {"summary.valid", "成立", "Valid", "value"},
    {"summary.partly_valid", "部分成立", "Partly valid", "value"},
    {"summary.invalid", "不成立", "Invalid", "value"},
    {"summary.validity_rate_pct", "投诉成立率", "Validity rate", "pct"},
    {"summary.handling.count", "计入处理时长的案件", "Cases timed", "value"},
    {"summary.handling.avg_hours", "平均处理时长（小时）", "Average handling time (hours)",
     "value"},
    {"summary.handling.p90_hours", "90%分位处理时长（小时）",
     "90th percentile handling time (hours)", "value"},
    {"summary.first_time.closed", "结案件数", "Cases closed", "value"},
    {"summary.first_time.first_time", "一次解决", "Resolved the first time", "value"},
    {"summary.first_time.pct", "一次解决率", "First-time resolution rate", "pct"},
    {"summary.satisfaction.answered", "回访有效答复", "Follow-ups answered", "value"},
    {"summary.satisfaction.counts.0", "满意度 1 分（非常不满意）",
     "Satisfaction 1 (very dissatisfied)", "value"},
    {"summary.satisfaction.counts.1", "满意度 2 分（不满意）", "Satisfaction 2 (dissatisfied)",
     "value"},
    {"summary.satisfaction.counts.2", "满意度 3 分（一般）", "Satisfaction 3 (neutral)", "value"},
    {"summary.satisfaction.counts.3", "满意度 4 分（满意）", "Satisfaction 4 (satisfied)", "value"},
    {"summary.satisfaction.counts.4", "满意度 5 分（非常满意）", "Satisfaction 5 (very satisfied)",
     "value"},
    {"summary.satisfaction.satisfied", "满意（4–5 分）", "Satisfied (4–5)", "value"},
    {"summary.satisfaction.rate_pct", "满意率", "Satisfaction rate", "pct"},
    {"summary.satisfaction.average", "平均满意度（分）", "Average satisfaction (points)", "value"},
    {"summary.loss_total_cents", "损失合计", "Total losses", "cents"},
    {"losses.cases", "有损失的案件", "Cases with losses", "value"},
    {"summary.open_at_end", "期末未结", "Open at the end", "value"},
    {"summary.pending", "未了事宜", "Pending items", "value"},
    {"repeat.complainants", "重复投诉客户", "Repeat complainants", "value"},
    {"repeat.complainant_cases", "重复投诉客户的案件", "Cases of repeat complainants", "value"},
    {"repeat.subjects", "重复投诉标的", "Repeat subjects", "value"},
    {"repeat.subject_cases", "重复投诉标的的案件", "Cases about repeat subjects", "value"},
};

static const figure loss_components[] = {
    {"losses.components.compensation_cents", "赔偿", "Compensation", "cents"},
    {"losses.components.refund_cents", "退款", "Refunds", "cents"},
    {"losses.components.discount_cents", "折价", "Discounts", "cents"},
    {"losses.components.repair_cents", "维修费用", "Repairs", "cents"},
    {"losses.components.goods_cents", "换货/补发货值", "Goods replaced or re-shipped", "cents"},
    {"losses.components.freight_cents", "运费", "Freight", "cents"},
    {"losses.components.gift_cents", "赠品/免费服务", "Gifts and free services", "cents"},
    {"losses.components.other_cents", "其他", "Other", "cents"},
    {"losses.components.total_cents", "合计", "Total", "cents"},
};

/* Rows of figures; a figure missing from the document keeps its name and an empty cell. */
static int figure_rows(const json_t *report, const figure *f, size_t nf, json_t *rows) {
  for (size_t i = 0; i < nf; i++) {
    json_t *row = json_object();
    if (!row || json_array_append_new(rows, row) != 0)
      return TS_ERR_NOMEM;
    if (put_str(row, "name_zh", f[i].zh) || put_str(row, "name_en", f[i].en) ||
        put_copy(row, f[i].col, at_path(report, f[i].path)))
      return TS_ERR_NOMEM;
  }
  return TS_OK;
}

static int build_summary(const json_t *report, json_t *rows) {
  return figure_rows(report, summary_figures, sizeof summary_figures / sizeof summary_figures[0],
                     rows);
}

static int build_loss_components(const json_t *report, json_t *rows) {
  return figure_rows(report, loss_components, sizeof loss_components / sizeof loss_components[0],
                     rows);
}

/* Penalties: those proposed in the period by their status now, and every one proposed
 * before the period's end that is not executed; with the fines' totals. */
static int build_penalties(const json_t *report, json_t *rows) {
  static const struct {
    const char *count, *cents, *zh, *en;
  } stages[] = {
      {"penalties.in_period", "penalties.fines_proposed_cents", "本期提出",
       "Proposed in the period"},
      {"penalties.proposed", NULL, "其中：待批准", "of which: awaiting approval"},
      {"penalties.approved", NULL, "其中：已批准未执行", "of which: approved, not executed"},
      {"penalties.executed", "penalties.fines_executed_cents", "其中：已执行",
       "of which: executed"},
      {"penalties.cancelled", NULL, "其中：已撤销", "of which: cancelled"},
      {"penalties.not_executed_total", NULL, "累计未执行（截至期末提出）",
       "Not executed (all proposed by the period's end)"},
  };
  for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
    json_t *row = json_object();
    if (!row || json_array_append_new(rows, row) != 0)
      return TS_ERR_NOMEM;
    if (put_str(row, "name_zh", stages[i].zh) || put_str(row, "name_en", stages[i].en) ||
        put_copy(row, "count", at_path(report, stages[i].count)) ||
        (stages[i].cents && put_copy(row, "cents", at_path(report, stages[i].cents))))
      return TS_ERR_NOMEM;
  }
  return TS_OK;
}

/* ---- the tables of the report --------------------------------------------------------- */

static const coded_member coded_summary[] = {{"value", yes_no, 0}, {NULL, NULL, 0}};
static const coded_member coded_pareto[] = {{"vital", yes_no, 0}, {NULL, NULL, 0}};
static const coded_member coded_not_executed[] = {{"status", NULL, TS_LBL_PENALTY_STATUS},
                                                   {NULL, NULL, 0}};
static const coded_member coded_pending[] = {
    {"grade", NULL, TS_LBL_GRADE}, {"from", NULL, TS_LBL_STATUS}, {NULL, NULL, 0}};

typedef struct {
  const char *name; /* the sheet's name: ASCII, <= 31 characters, unique */
  const char *title_zh, *title_en;
  const ts_col *cols;
  int ncols;
  const char *list;                                 /* rows: a copy of this array, or */
  int (*build)(const json_t *report, json_t *rows); /* rows built from parts */
  const coded_member *coded;                        /* codes to name in each row */
} table_def;

#define COLS(a) a, NCOLS(a)

/* The report's tables, in the order of the document (report/report.h). */
static const table_def report_tables[] = {
    {"Summary", "汇总", "Summary", COLS(cols_summary), NULL, build_summary, coded_summary},
    {"Trend", "近12个月趋势", "Trend over 12 months", COLS(cols_trend), "trend", NULL, NULL},
    {"By category", "按投诉类别", "By category", COLS(cols_category), "by.category", NULL, NULL},
    {"By channel", "按投诉渠道", "By channel", COLS(cols_channel), "by.channel", NULL, NULL},
    {"By grade", "按等级", "By grade", COLS(cols_grade), "by.grade", NULL, NULL},
    {"By status", "按状态", "By status", COLS(cols_status), "by.status", NULL, NULL},
    {"By outlet", "按网点", "By outlet", COLS(cols_outlet), "by.outlet", NULL, NULL},
    {"By department", "按部门", "By department", COLS(cols_dept), "by.dept", NULL, NULL},
    {"By root cause", "按根本原因", "By root cause", COLS(cols_root_cause), "by.root_cause", NULL,
     NULL},
    {"By service stage", "按服务环节", "By service stage", COLS(cols_stage), "by.service_stage",
     NULL, NULL},
    {"By responsibility", "按责任归属", "By responsibility", COLS(cols_responsibility),
     "by.responsibility", NULL, NULL},
    {"By validity", "按成立与否", "By validity", COLS(cols_validity), "by.validity", NULL, NULL},
    {"By nature", "按投诉性质", "By nature", COLS(cols_nature), "by.nature", NULL, NULL},
    {"Pareto", "投诉类别帕累托分析", "Pareto of categories", COLS(cols_pareto), "pareto", NULL,
     coded_pareto},
    {"SLA", "时限达成（按时钟）", "Time limits met (by clock)", COLS(cols_sla), "sla", NULL, NULL},
    {"Repeat complainants", "重复投诉客户", "Repeat complainants", COLS(cols_repeat_customers),
     "repeat.top_complainants", NULL, NULL},
    {"Repeat subjects", "重复投诉标的", "Repeat subjects", COLS(cols_repeat_subjects),
     "repeat.top_subjects", NULL, NULL},
    {"Loss components", "损失构成", "Losses by component", COLS(cols_loss_components), NULL,
     build_loss_components, NULL},
    {"Loss by party", "损失按责任方", "Losses by responsible party", COLS(cols_loss_party),
     "losses.by_party", NULL, NULL},
    {"Loss by category", "损失按投诉类别", "Losses by category", COLS(cols_loss_category),
     "losses.by_category", NULL, NULL},
    {"Penalties", "问责处罚", "Penalties", COLS(cols_penalties), NULL, build_penalties, NULL},
    {"Not executed", "未执行的处罚", "Penalties not executed", COLS(cols_not_executed),
     "penalties.not_executed", NULL, coded_not_executed},
    {"Backlog", "未结案件账龄", "Open cases by age", COLS(cols_backlog), "backlog.buckets", NULL,
     NULL},
    {"Backlog by status", "未结案件按状态", "Open cases by status", COLS(cols_status),
     "backlog.by_status", NULL, NULL},
    {"Pending ledger", "未了事宜台账", "Pending-items ledger", COLS(cols_pending), "pending.items",
     NULL, coded_pending},
};

#define N_REPORT_TABLES ((int)(sizeof report_tables / sizeof report_tables[0]))

/* Fills t from its definition; t->rows is set (and owned by t) only on success. */
static int table_fill(const table_def *d, const json_t *report, ts_table *t) {
  json_t *rows = NULL;
  int rc;
  if (d->list) {
    const json_t *src = at_path(report, d->list);
    rows = json_is_array(src) ? json_deep_copy(src) : json_array();
  } else {
    rows = json_array();
  }
  if (!rows) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  if (d->build) {
    rc = d->build(report, rows);
    if (rc)
      goto out;
  }
  rc = finish_rows(rows, d->cols, d->ncols, d->coded);
  if (rc)
    goto out;
  snprintf(t->name, sizeof t->name, "%.*s", (int)sizeof t->name - 1, d->name);
  t->title_zh = d->title_zh;
  t->title_en = d->title_en;
  t->cols = d->cols;
  t->ncols = d->ncols;
  t->rows = rows;
  rows = NULL;
out:
  json_decref(rows);
  return rc;
}

int ts_report_tables(const json_t *report, ts_table **out, int *n) {
  ts_table *t = NULL;
  int filled = 0, rc = TS_OK;
  if (!report || !out || !n)
    return TS_ERR_INVALID;
  t = calloc((size_t)N_REPORT_TABLES, sizeof *t);
  if (!t) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  for (; filled < N_REPORT_TABLES; filled++) {
    rc = table_fill(&report_tables[filled], report, &t[filled]);
    if (rc)
      goto out;
  }
  *out = t;
  *n = filled;
  t = NULL;
out:
  ts_tables_free(t, filled);
  return rc;
}

void ts_tables_free(ts_table *t, int n) {
  if (!t)
    return;
  for (int i = 0; i < n; i++)
    json_decref(t[i].rows);
  free(t);
}

/* ---- the case list -------------------------------------------------------------------- */

static const ts_col cols_cases[] = {
    {"case_no", "编号", "Case number", TS_COL_TEXT},
    {"received_at", "受理时间", "Received at", TS_COL_TIME},
    {"status", "状态", "Status", TS_COL_TEXT},
    {"grade", "等级", "Grade", TS_COL_TEXT},
    {"channel", "渠道", "Channel", TS_COL_TEXT},
    {"category", "类别", "Category", TS_COL_TEXT},
    {"customer", "客户", "Customer", TS_COL_TEXT},
    {"phone", "电话", "Phone", TS_COL_TEXT},
    {"product", "产品/标的", "Product / subject", TS_COL_TEXT},
    {"order_no", "订单号", "Order number", TS_COL_TEXT},
    {"plate", "车牌", "Plate", TS_COL_TEXT},
    {"outlet", "网点", "Outlet", TS_COL_TEXT},
    {"dept", "责任部门", "Department", TS_COL_TEXT},
    {"owner", "首问负责人", "Owner", TS_COL_TEXT},
    {"handler", "处理人", "Handler", TS_COL_TEXT},
    {"claimed_cents", "诉求金额（元）", "Claimed (CNY)", TS_COL_CENTS},
    {"loss_total_cents", "损失合计（元）", "Total loss (CNY)", TS_COL_CENTS},
    {"satisfaction", "满意度", "Satisfaction", TS_COL_INT},
    {"overdue", "是否超时", "Overdue", TS_COL_TEXT},
    {"closed_at", "结案时间", "Closed at", TS_COL_TIME},
    {"title", "标题/摘要", "Title / summary", TS_COL_TEXT}};

/* Where each column of the case list comes from in the API's case object: the first of
 * two paths that holds a value; max_chars > 0 shortens a text taken from the second. The
 * names (outlet_name, channel_name, ...) are used when the caller added them: the case
 * object itself has only unit ids and configured codes. */
static const struct {
  const char *key, *path, *fallback;
  int max_chars;
} case_members[] = {
    {"case_no", "case_no", NULL, 0},
    {"received_at", "received_at", NULL, 0},
    {"status", "status", NULL, 0},
    {"grade", "grade", NULL, 0},
    {"channel", "channel_name", "channel", 0},
    {"category", "category_name", "category", 0},
    {"customer", "complainant.name", NULL, 0},
    {"phone", "complainant.phone", NULL, 0},
    {"product", "subject.product", "subject.sku", 0},
    {"order_no", "subject.order_no", NULL, 0},
    {"plate", "subject.plate", "subject.vin", 0},
    {"outlet", "outlet_name", "outlet", 0},
    {"dept", "dept_name", "dept", 0},
    {"owner", "owner", NULL, 0},
    {"handler", "handler", NULL, 0},
    {"claimed_cents", "claimed_cents", NULL, 0},
    {"loss_total_cents", "loss.total_cents", NULL, 0},
    {"satisfaction", "satisfaction", NULL, 0},
    {"overdue", "overdue", NULL, 0},
    {"closed_at", "closed_at", NULL, 0},
    {"title", "title", "description", CASE_TITLE_MAX},
};

static const coded_member coded_cases[] = {
    {"status", NULL, TS_LBL_STATUS}, {"grade", NULL, TS_LBL_GRADE}, {"overdue", yes_no, 0},
    {NULL, NULL, 0}};

/* Present: neither missing, null nor an empty string. */
static int has_value(const json_t *v) {
  return v && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0);
}

/* row[key] = the first max_chars characters of the string s (with "…" when cut). */
static int put_prefix(json_t *row, const char *key, const char *s, size_t len, int max_chars) {
  size_t i = 0;
  int chars = 0;
  while (i < len && chars < max_chars) {
    unsigned char c = (unsigned char)s[i];
    size_t w = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (w > len - i)
      break;
    i += w;
    chars++;
  }
  if (i == len)
    return json_object_set_new(row, key, json_stringn(s, len)) == 0 ? TS_OK : TS_ERR_NOMEM;
  char *cut = malloc(i + sizeof "…");
  if (!cut)
    return TS_ERR_NOMEM;
  memcpy(cut, s, i);
  memcpy(cut + i, "…", sizeof "…");
  int rc = json_object_set_new(row, key, json_string(cut)) == 0 ? TS_OK : TS_ERR_NOMEM;
  free(cut);
  return rc;
}

/* The flat row of one case object. */
static int case_row(const json_t *c, json_t *row) {
  for (size_t i = 0; i < sizeof case_members / sizeof case_members[0]; i++) {
    const json_t *v = at_path(c, case_members[i].path);
    int rc;
    if (!has_value(v) && case_members[i].fallback) {
      v = at_path(c, case_members[i].fallback);
      if (case_members[i].max_chars > 0 && json_is_string(v)) {
        rc = put_prefix(row, case_members[i].key, json_string_value(v), json_string_length(v),
                        case_members[i].max_chars);
        if (rc)
          return rc;
        continue;
      }
    }
    rc = put_copy(row, case_members[i].key, v);
    if (rc)
      return rc;
  }
  return TS_OK;
}

int ts_cases_table(const json_t *cases, ts_table *out) {
  const json_t *list = cases;
  json_t *rows = NULL;
  size_t i;
  const json_t *c;
  int rc = TS_OK;
  if (json_is_object(cases)) /* a page of GET /cases: {items, total, ...} */
    list = json_object_get(cases, "items");
  if (!json_is_array(list) || !out)
    return TS_ERR_INVALID;
  rows = json_array();
  if (!rows) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  json_array_foreach(list, i, c) {
    json_t *row = json_object();
    if (!row || json_array_append_new(rows, row) != 0) {
      rc = TS_ERR_NOMEM;
      goto out;
    }
    rc = case_row(c, row);
    if (rc)
      goto out;
  }
  rc = finish_rows(rows, cols_cases, NCOLS(cols_cases), coded_cases);
  if (rc)
    goto out;
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "%s", "Cases");
  out->title_zh = "投诉案件清单";
  out->title_en = "Complaint cases";
  out->cols = cols_cases;
  out->ncols = NCOLS(cols_cases);
  out->rows = rows;
  rows = NULL;
out:
  json_decref(rows);
  return rc;
}
