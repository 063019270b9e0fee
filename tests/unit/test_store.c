/* The store: migrations, gap-free numbering under many threads, a failed write giving
 * its number back, append-only history, and the field table matching the schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/caseno.h"
#include "core/ts_err.h"
#include "store/store.h"
#include "svc/svc.h"
#include "util/clock.h"
#include "util/tstime.h"

typedef struct {
  char dir[64];
  char path[128];
  ts_store *s;
  int64_t outlet;
} fixture;

typedef struct {
  ts_unit company, outlet;
  ts_user agent;
} org_write;

static int apply_org(ts_tx *tx, void *arg) {
  org_write *w = arg;
  int rc = ts_tx_unit_insert(tx, &w->company);
  if (rc)
    return rc;
  w->outlet.parent_id = w->company.id;
  if ((rc = ts_tx_unit_insert(tx, &w->outlet)))
    return rc;
  w->agent.unit_id = w->outlet.id;
  return ts_tx_user_insert(tx, &w->agent, "$argon2id$not-a-real-hash");
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/tousu-unit-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
  ts_store_opts o = {f->path, 4, 64, 0};
  if (ts_store_open(&o, &f->s))
    return -1;
  org_write w;
  memset(&w, 0, sizeof w);
  snprintf(w.company.name, sizeof w.company.name, "集团");
  snprintf(w.company.kind, sizeof w.company.kind, "company");
  snprintf(w.outlet.name, sizeof w.outlet.name, "门店");
  snprintf(w.outlet.kind, sizeof w.outlet.kind, "outlet");
  snprintf(w.outlet.code, sizeof w.outlet.code, "OUT-1");
  snprintf(w.agent.username, sizeof w.agent.username, "agent");
  snprintf(w.agent.display_name, sizeof w.agent.display_name, "坐席");
  w.agent.roles = TS_ROLE_AGENT;
  if (ts_store_run(f->s, apply_org, &w))
    return -1;
  f->outlet = w.outlet.id;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char cmd[160];
  ts_store_close(f->s);
  snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
  if (system(cmd) != 0)
    return -1;
  free(f);
  return 0;
}

static ts_case *new_case(fixture *f, const char *name) {
  ts_user who;
  ts_case *c = NULL;
  assert_int_equal(ts_store_user_get(f->s, "agent", &who, NULL, 0), TS_OK);
  json_t *body = json_pack("{s:s,s:{s:s},s:s}", "channel", "phone", "complainant", "name", name,
                           "description", "描述");
  json_t *errors = json_object();
  assert_int_equal(ts_svc_case_prepare(f->s, &who, body, ts_now(), &c, errors), TS_OK);
  json_decref(body);
  json_decref(errors);
  return c;
}

typedef struct {
  ts_case *c;
  int fail_after_insert;
} reg_write;

static int apply_register(ts_tx *tx, void *arg) {
  reg_write *w = arg;
  int rc = ts_svc_case_insert(tx, w->c, "TS", "agent", ts_now(), NULL);
  return rc ? rc : w->fail_after_insert ? TS_ERR_INVALID : TS_OK;
}

typedef struct {
  fixture *f;
  int n;
  int64_t serials[64];
  int failures, unexpected;
} worker;

static void *register_many(void *arg) {
  worker *wk = arg;
  for (int i = 0; i < wk->n; i++) {
    /* every seventh write fails after taking its number: its group runs again */
    reg_write w = {new_case(wk->f, "并发"), i % 7 == 3};
    int rc = ts_store_run(wk->f->s, apply_register, &w);
    if (rc != TS_OK) {
      wk->failures++;
      wk->serials[i] = 0;
      if (rc != TS_ERR_INVALID || !w.fail_after_insert)
        wk->unexpected++;
    } else {
      int64_t serial = 0;
      ts_caseno_parse(ts_case_text(w.c, TS_CF_CASE_NO), NULL, 0, NULL, NULL, &serial);
      wk->serials[i] = serial;
    }
    ts_case_free(w.c);
  }
  return NULL;
}

static int cmp64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* 16 threads x 40 registrations, one in seven failing inside the write: the others get
 * distinct serials 1..N with no gap. */
static void test_numbering_concurrent(void **state) {
  fixture *f = *state;
  enum { THREADS = 16, EACH = 40 };
  pthread_t th[THREADS];
  worker *wk = calloc(THREADS, sizeof *wk);
  for (int i = 0; i < THREADS; i++) {
    wk[i].f = f;
    wk[i].n = EACH;
    assert_int_equal(pthread_create(&th[i], NULL, register_many, &wk[i]), 0);
  }
  int64_t all[THREADS * EACH];
  int n = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(wk[i].unexpected, 0);
    assert_int_equal(wk[i].failures, (EACH + 3) / 7);
    for (int k = 0; k < EACH; k++)
      if (wk[i].serials[k])
        all[n++] = wk[i].serials[k];
  }
  assert_int_equal(n, THREADS * (EACH - (EACH + 3) / 7));
  qsort(all, (size_t)n, sizeof all[0], cmp64);
  for (int i = 0; i < n; i++)
    assert_int_equal(all[i], i + 1);
  /* and writes were really grouped: fewer commits than writes */
  ts_store_stats st;
  ts_store_get_stats(f->s, &st);
  assert_true(st.commits < st.writes);
  free(wk);
}

/* A write that fails after taking a number gives it back: the next case gets it. */
static void test_failed_write_keeps_series_gap_free(void **state) {
  fixture *f = *state;
  reg_write ok1 = {new_case(f, "一"), 0}, bad = {new_case(f, "二"), 1}, ok2 = {new_case(f, "三"), 0};
  int64_t s1, s2;
  assert_int_equal(ts_store_run(f->s, apply_register, &ok1), TS_OK);
  assert_int_equal(ts_store_run(f->s, apply_register, &bad), TS_ERR_INVALID);
  assert_int_equal(ts_store_run(f->s, apply_register, &ok2), TS_OK);
  ts_caseno_parse(ts_case_text(ok1.c, TS_CF_CASE_NO), NULL, 0, NULL, NULL, &s1);
  ts_caseno_parse(ts_case_text(ok2.c, TS_CF_CASE_NO), NULL, 0, NULL, NULL, &s2);
  assert_int_equal(s2, s1 + 1);
  /* the failed case is nowhere */
  ts_case *got = NULL;
  assert_int_equal(ts_store_case_get(f->s, ts_case_text(bad.c, TS_CF_CASE_NO), &got), TS_OK);
  assert_string_equal(ts_case_text(got, TS_CF_C_NAME), "三");
  ts_case_free(got);
  /* its history: exactly one "register" entry with the fields */
  json_t *h = NULL;
  assert_int_equal(ts_store_case_get(f->s, ts_case_text(ok2.c, TS_CF_CASE_NO), &got), TS_OK);
  assert_int_equal(ts_store_history_list(f->s, got->id, &h), TS_OK);
  assert_int_equal(json_array_size(h), 1);
  json_t *e = json_array_get(h, 0);
  assert_string_equal(json_string_value(json_object_get(e, "action")), "register");
  assert_string_equal(json_string_value(json_object_get(e, "actor")), "agent");
  json_t *name = json_object_get(json_object_get(e, "changes"), "complainant.name");
  assert_true(json_is_null(json_array_get(name, 0)));
  assert_string_equal(json_string_value(json_array_get(name, 1)), "三");
  json_decref(h);
  ts_case_free(got);
  ts_case_free(ok1.c);
  ts_case_free(bad.c);
  ts_case_free(ok2.c);
}

static int exec_fails(const char *path, const char *sql) {
  sqlite3 *db;
  char *err = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
  sqlite3_free(err);
  sqlite3_close(db);
  return rc != SQLITE_OK;
}

/* Nothing edits or deletes history, nor deletes or renumbers a case. */
static void test_history_append_only(void **state) {
  fixture *f = *state;
  reg_write w = {new_case(f, "历史"), 0};
  assert_int_equal(ts_store_run(f->s, apply_register, &w), TS_OK);
  assert_true(exec_fails(f->path, "UPDATE case_history SET actor = 'x'"));
  assert_true(exec_fails(f->path, "DELETE FROM case_history"));
  assert_true(exec_fails(f->path, "DELETE FROM cases"));
  assert_true(exec_fails(f->path, "UPDATE cases SET case_no = 'TS20990100001'"));
  ts_case_free(w.c);
}

typedef struct {
  const char *case_no;
  ts_case *after;
} upd_write;

static int apply_update(ts_tx *tx, void *arg) {
  upd_write *w = arg;
  ts_case *c = NULL;
  ts_case_free(w->after);
  w->after = NULL;
  int rc = ts_tx_case_get(tx, w->case_no, &c);
  if (rc)
    return rc;
  ts_case_set_int(c, TS_CF_L_REFUND, 12345);
  rc = ts_case_set_text(c, TS_CF_C_PHONE, "021-5555 1234");
  if (!rc)
    rc = ts_tx_case_update(tx, c);
  w->after = c;
  return rc;
}

/* An update writes the fields and keeps the number. */
static void test_update_keeps_number(void **state) {
  fixture *f = *state;
  reg_write w = {new_case(f, "更新"), 0};
  assert_int_equal(ts_store_run(f->s, apply_register, &w), TS_OK);
  upd_write u = {ts_case_text(w.c, TS_CF_CASE_NO), NULL};
  assert_int_equal(ts_store_run(f->s, apply_update, &u), TS_OK);
  ts_case *got = NULL;
  assert_int_equal(ts_store_case_get(f->s, u.case_no, &got), TS_OK);
  assert_string_equal(ts_case_text(got, TS_CF_CASE_NO), u.case_no);
  assert_string_equal(ts_case_text(got, TS_CF_C_PHONE), "021-5555 1234");
  assert_int_equal(ts_case_loss_total(got), 12345);
  ts_case_free(got);
  ts_case_free(u.after);
  ts_case_free(w.c);
}

/* Every field of the table has its column in the schema. */
static void test_fields_match_schema(void **state) {
  fixture *f = *state;
  sqlite3 *db;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  for (int i = 0; i < TS_CF__COUNT; i++) {
    char sql[160];
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT %s FROM cases LIMIT 0", ts_case_fields[i].column);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
      fail_msg("no column %s", ts_case_fields[i].column);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
}

/* Re-opening runs no migration twice and keeps the data. */
static void test_reopen(void **state) {
  fixture *f = *state;
  int cur = 0, latest = 0;
  ts_store_close(f->s);
  ts_store_opts o = {f->path, 2, 64, 0};
  assert_int_equal(ts_store_open(&o, &f->s), TS_OK);
  assert_int_equal(ts_store_schema_version(f->s, &cur, &latest), TS_OK);
  assert_int_equal(cur, latest);
  ts_user u;
  assert_int_equal(ts_store_user_get(f->s, "agent", &u, NULL, 0), TS_OK);
}

int main(void) {
  ts_time_set_zone("Asia/Shanghai");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_numbering_concurrent, setup, teardown),
    cmocka_unit_test_setup_teardown(test_failed_write_keeps_series_gap_free, setup, teardown),
    cmocka_unit_test_setup_teardown(test_history_append_only, setup, teardown),
    cmocka_unit_test_setup_teardown(test_fields_match_schema, setup, teardown),
    cmocka_unit_test_setup_teardown(test_update_keeps_number, setup, teardown),
    cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
