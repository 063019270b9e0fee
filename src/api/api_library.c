/* The case library (案例汇编, DOMAIN §10): a closed case of grade g2 or above is written
 * up, anonymised, in the seeds' four sections — 情景回放 (scenario), 案例分析 (analysis),
 * 正确做法 (correct practice), 解决方案和建议 (solution) — edited, then published for new
 * handlers to learn from. Every text is anonymised when it is written, whoever wrote it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "search/query.h"
#include "core/anonymise.h"
#include "core/labels.h"
#include "core/caseno.h"
#include "core/lifecycle.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "util/clock.h"

#define SECTION_MAX 10000 /* characters per section */

static const char *const sections[] = {"title", "scenario", "analysis", "correct_practice",
                                       "solution", NULL};

typedef struct {
  int create;
  char case_no[TS_CASENO_MAX];
  ts_api_caller me; /* initialised in place: never copy the struct */
  int64_t now;
  int publish;
  json_t *body; /* the sections given */
  ts_writeup w; /* the result */
  const char *why;
} lib_write;

static void lw_free(void *p) {
  lib_write *lw = p;
  if (!lw)
    return;
  json_decref(lw->body);
  ts_writeup_clear(&lw->w);
  free(lw);
}

static json_t *writeup_json(const ts_writeup *w) {
  return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id",
                   (json_int_t)w->id, "case_no", w->case_no, "title", w->title, "scenario",
                   w->scenario, "analysis", w->analysis, "correct_practice", w->correct_practice,
                   "solution", w->solution, "category", w->category, "service_stage",
                   w->service_stage, "grade", w->grade, "status", w->status, "created_by",
                   w->created_by, "created_at", ts_api_time_json(w->created_at), "updated_at",
                   ts_api_time_json(w->updated_at), "published_at",
                   ts_api_time_json(w->published_at));
}

/* The Chinese words for the codes a draft quotes (root causes, responsibility, stages). */
static const char *label(const char *code) {
  static const char *const stages[][2] = {
    {"booking", "预约"},      {"preparation", "准备"}, {"reception", "接车/制单"},
    {"repair", "维修"},       {"quality_check", "质检"}, {"delivery", "交车/结帐"},
    {"follow_up", "跟踪"},    {"sales", "销售"},       {"after_sales", "售后服务"},
    {"other", "其他"}};
  const char *w = ts_label(TS_LBL_ROOT_CAUSE, code, 0);
  if (!w)
    w = ts_label(TS_LBL_RESPONSIBILITY, code, 0);
  for (size_t i = 0; !w && code && i < sizeof stages / sizeof stages[0]; i++)
    if (!strcmp(code, stages[i][0]))
      w = stages[i][1];
  return w ? w : code;
}

/* Appends "label：text" (if text) on its own line to a growing string. */
static void add_line(char **acc, const char *label, const char *text) {
  if (!text || !*text)
    return;
  size_t n = (*acc ? strlen(*acc) : 0) + strlen(label) + strlen(text) + 8;
  char *g = realloc(*acc, n);
  if (!g)
    return;
  if (!*acc)
    g[0] = '\0';
  else
    strcat(g, "\n");
  strcat(g, label);
  strcat(g, text);
  *acc = g;
}

/* A section: the given text, else the draft built from the case; anonymised. */
static char *section(json_t *body, const char *key, const char *draft, const ts_case *c) {
  const char *given = json_string_value(json_object_get(body, key));
  return ts_anonymise(given ? given : draft ? draft : "", c);
}

static int apply_library(ts_tx *tx, void *arg) {
  lib_write *lw = arg;
  ts_case *c = NULL;
  int rc;
  lw->why = NULL;
  ts_writeup_clear(&lw->w);
  if (lw->create) {
    if ((rc = ts_api_tx_case(tx, lw->case_no, &lw->me.p, &c)))
      return rc;
    int st = ts_state_parse(ts_case_text(c, TS_CF_STATUS));
    if ((st != TS_ST_CLOSED && st != TS_ST_REJECTED) ||
        ts_grade_level(ts_case_text(c, TS_CF_GRADE)) < 2) {
      /* a rejected complaint teaches too (seed 000's torn suit) */
      lw->why = "only a closed or rejected case of grade g2 or above is written up";
      ts_case_free(c);
      return TS_ERR_CONFLICT;
    }
    /* The draft: what the case already says. */
    char *analysis = NULL, *solution = NULL;
    add_line(&analysis, "原因：", label(ts_case_text(c, TS_CF_ROOT_CAUSE)));
    add_line(&analysis, "环节：", label(ts_case_text(c, TS_CF_SERVICE_STAGE)));
    add_line(&analysis, "责任：", label(ts_case_text(c, TS_CF_RESPONSIBILITY)));
    add_line(&solution, "处理结果：", ts_case_text(c, TS_CF_SUMMARY));
    const char *title = ts_case_text(c, TS_CF_TITLE);
    memset(&lw->w, 0, sizeof lw->w);
    lw->w.case_id = c->id;
    lw->w.title = section(lw->body, "title", title ? title : "投诉案例", c);
    lw->w.scenario = section(lw->body, "scenario", ts_case_text(c, TS_CF_DESCRIPTION), c);
    lw->w.analysis = section(lw->body, "analysis", analysis, c);
    lw->w.correct_practice = section(lw->body, "correct_practice", ts_case_text(c, TS_CF_LESSONS), c);
    lw->w.solution = section(lw->body, "solution", solution, c);
    free(analysis);
    free(solution);
    snprintf(lw->w.category, sizeof lw->w.category, "%s",
             ts_case_text(c, TS_CF_CATEGORY) ? ts_case_text(c, TS_CF_CATEGORY) : "");
    snprintf(lw->w.service_stage, sizeof lw->w.service_stage, "%s",
             ts_case_text(c, TS_CF_SERVICE_STAGE) ? ts_case_text(c, TS_CF_SERVICE_STAGE) : "");
    snprintf(lw->w.grade, sizeof lw->w.grade, "%s", ts_case_text(c, TS_CF_GRADE));
    snprintf(lw->w.case_no, sizeof lw->w.case_no, "%s", lw->case_no);
    snprintf(lw->w.created_by, sizeof lw->w.created_by, "%s", lw->me.username);
    snprintf(lw->w.status, sizeof lw->w.status, "draft");
    lw->w.created_at = lw->w.updated_at = lw->now;
    if (!lw->w.title || !lw->w.scenario || !lw->w.analysis || !lw->w.correct_practice ||
        !lw->w.solution)
      rc = TS_ERR_NOMEM;
    else if ((rc = ts_tx_writeup_insert(tx, &lw->w)) == TS_ERR_CONFLICT)
      lw->why = "the case is written up already";
    if (!rc) {
      json_t *ch = json_pack("{s:[n,I]}", "writeup", (json_int_t)lw->w.id);
      rc = ch ? ts_tx_history_add(tx, c->id, lw->now, lw->me.username, "writeup", ch) : TS_ERR_NOMEM;
      json_decref(ch);
    }
    ts_case_free(c);
    return rc;
  }
  return TS_ERR_STORE; /* edits run apply_edit */
}

/* The edit path needs the id before apply runs: kept apart for clarity. */
typedef struct {
  lib_write base;
  int64_t id;
} lib_edit;

static int apply_edit(ts_tx *tx, void *arg) {
  lib_edit *le = arg;
  lib_write *lw = &le->base;
  ts_case *c = NULL;
  int rc;
  ts_writeup_clear(&lw->w);
  if ((rc = ts_tx_writeup_get(tx, le->id, &lw->w)))
    return rc;
  /* anonymise against the case's own names too */
  if ((rc = ts_tx_case_get(tx, lw->w.case_no, &c)))
    return rc;
  char **fields[] = {&lw->w.title, &lw->w.scenario, &lw->w.analysis, &lw->w.correct_practice,
                     &lw->w.solution};
  for (int i = 0; sections[i] && !rc; i++) {
    const char *given = json_string_value(json_object_get(lw->body, sections[i]));
    if (!given)
      continue;
    char *clean = ts_anonymise(given, c);
    if (!clean) {
      rc = TS_ERR_NOMEM;
      break;
    }
    free(*fields[i]);
    *fields[i] = clean;
  }
  if (!rc && lw->publish) {
    if (!strcmp(lw->w.status, "published")) {
      lw->why = "the write-up is published already";
      rc = TS_ERR_CONFLICT;
    } else {
      snprintf(lw->w.status, sizeof lw->w.status, "published");
      lw->w.published_at = lw->now;
    }
  }
  lw->w.updated_at = lw->now;
  if (!rc)
    rc = ts_tx_writeup_update(tx, &lw->w);
  if (!rc) {
    json_t *ch = json_pack("{s:[n,I]}", lw->publish ? "writeup_published" : "writeup_edited",
                           (json_int_t)lw->w.id);
    rc = ch ? ts_tx_history_add(tx, c->id, lw->now, lw->me.username,
                                lw->publish ? "writeup_published" : "writeup_edited", ch)
            : TS_ERR_NOMEM;
    json_decref(ch);
  }
  ts_case_free(c);
  return rc;
}

static void finish_library(ts_req *r, int rc) {
  lib_write *lw = r->wctx;
  if (rc == TS_ERR_CONFLICT && lw->why)
    ts_reply_error(r, rc, lw->why, NULL);
  else if (rc)
    ts_reply_error(r, rc, rc == TS_ERR_NOT_FOUND ? "not found" : "could not be saved", NULL);
  else
    ts_reply_json(r, lw->create ? 201 : 200, json_pack("{s:o}", "writeup", writeup_json(&lw->w)));
}

/* Checks the body's sections: known keys, text within bounds. */
static int check_sections(ts_req *r, json_t *body) {
  json_t *errors = json_object();
  const char *s;
  ts_api_check_keys(body, sections, errors);
  for (int i = 0; sections[i]; i++)
    ts_api_get_text(body, sections[i], 0, i == 0 ? 200 : SECTION_MAX, i != 0, errors, &s);
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    return 1;
  }
  json_decref(errors);
  return 0;
}

static void fill_who(lib_write *lw, ts_req *r) {
  ts_api_caller_init(&lw->me, r);
  lw->now = ts_now();
}

void ts_api_writeup_create(ts_req *r) {
  ts_case *c = NULL;
  lib_write *lw = calloc(1, sizeof *lw);
  if (!lw) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    return;
  }
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c))
    goto out;
  if (r->body_len == 0)
    lw->body = json_object();
  else if (ts_api_body(r, &lw->body) || check_sections(r, lw->body))
    goto out;
  lw->create = 1;
  fill_who(lw, r);
  snprintf(lw->case_no, sizeof lw->case_no, "%s", ts_case_text(c, TS_CF_CASE_NO));
  ts_req_defer(r, apply_library, lw, lw_free, finish_library);
  lw = NULL;
out:
  ts_case_free(c);
  lw_free(lw);
}

static void edit(ts_req *r, int publish) {
  lib_edit *le = calloc(1, sizeof *le);
  if (!le) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    return;
  }
  if (!ts_api_parse_int(ts_req_param(r, 0), 1, INT64_MAX / 2, &le->id)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such write-up", NULL);
    goto fail;
  }
  if (publish || r->body_len == 0)
    le->base.body = json_object();
  else if (ts_api_body(r, &le->base.body) || check_sections(r, le->base.body))
    goto fail;
  le->base.publish = publish;
  fill_who(&le->base, r);
  ts_req_defer(r, apply_edit, le, lw_free, finish_library);
  return;
fail:
  lw_free(le);
}

void ts_api_writeup_patch(ts_req *r) { edit(r, 0); }
void ts_api_writeup_publish(ts_req *r) { edit(r, 1); }

void ts_api_library_list(ts_req *r) {
  static const char *const keys[] = {"q", "page", "per_page", NULL};
  const char *q, *why = NULL;
  char match[TS_SQUERY_OUT];
  json_t *items;
  if (ts_api_query_keys(r, keys) || ts_api_query(r, "q", 1024, &q))
    return;
  if (q && ts_api_search_match(q, TS_SQUERY_LIBRARY, match, sizeof match, &why)) {
    ts_api_invalid(r, json_pack("{s:s}", "q", why ? why : "cannot be searched now"));
    return;
  }
  if (ts_store_writeup_list(r->app->store, (r->user.roles & TS_API_LIBRARY_EDIT) != 0, q ? match : NULL,
                            &items))
    ts_reply_error(r, TS_ERR_STORE, "cannot read the library", NULL);
  else {
    ts_api_snippets_html(items);
    ts_api_reply_page(r, items);
  }
}

void ts_api_library_get(ts_req *r) {
  ts_writeup w;
  int64_t id;
  memset(&w, 0, sizeof w);
  if (!ts_api_parse_int(ts_req_param(r, 0), 1, INT64_MAX / 2, &id) ||
      ts_store_writeup_get(r->app->store, id, &w) ||
      (strcmp(w.status, "published") != 0 && !(r->user.roles & TS_API_LIBRARY_EDIT))) {
    ts_writeup_clear(&w);
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such write-up", NULL);
    return;
  }
  /* whether the caller may open the source case (the library is for everyone; cases
   * follow the place rule) */
  ts_case *c = NULL;
  json_t *j = writeup_json(&w);
  if (j)
    json_object_set_new(j, "case_visible", json_boolean(ts_api_case_check(r, w.case_no, &c) == TS_OK));
  ts_case_free(c);
  ts_reply_json(r, 200, json_pack("{s:o}", "writeup", j));
  ts_writeup_clear(&w);
}
