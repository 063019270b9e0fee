/* The search box's syntax as FTS5 queries (search/query.h): the exact expressions, the
 * errors, that nothing typed reaches FTS5 as an operator, and — against a real FTS5 table
 * with the tokenizer "tousu" — that the expressions find the right rows. */
#include <setjmp.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "core/ts_err.h"
#include "search/query.h"
#include "store/fts.h"

typedef struct {
  ts_tok *tok;
  sqlite3 *db;
} fixture;

/* Cases of the index, columns as TS_FTS_CASE_COLUMNS (phone holds tousu_digits()). */
static const char *const docs[][10] = {
    /* 1 */ {"TS-2026-0001", "空调异响", "王經理說X200空调异响，要求退款", "王芳", "13800138000",
             "X200", "", "", "", ""},
    /* 2 */ {"TS-2026-0002", "取消彩铃业务", "客户要求取消彩铃业务，不再扣费", "李雷",
             "13912345678", "", "", "", "", ""},
    /* 3 */ {"TS-2026-0003", "空调不制冷", "空调不制冷，已上门维修", "张伟", "", "KFR-35GW", "",
             "", "", "与 X200 同批次"},
    /* 4 */ {"TS-2026-0004", "冰箱噪音", "冰箱噪音很大，退款处理中", "赵敏", "", "BCD-256",
             "JD2026-0001", "沪A12345", "浦东门店", ""},
};
#define NDOCS 4

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f || ts_tok_new(&f->tok) != TS_OK)
    return -1;
  if (sqlite3_open(":memory:", &f->db) != SQLITE_OK || ts_fts_register(f->db) != TS_OK)
    return -1;
  if (sqlite3_exec(f->db,
                   "CREATE VIRTUAL TABLE t USING fts5(" TS_FTS_CASE_COLUMNS ", tokenize='tousu');"
                   "CREATE VIRTUAL TABLE w USING fts5(" TS_FTS_LIBRARY_COLUMNS
                   ", tokenize='tousu');"
                   "INSERT INTO w(rowid, title, scenario, analysis, correct_practice, solution)"
                   " VALUES (1, '来电号码 138-0013-8000', '客户反复来电', '', '', ''),"
                   " (2, 'X200 异响', '', '', '', '更换 X200 压缩机');",
                   NULL, NULL, NULL) != SQLITE_OK)
    return -1;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(f->db, "INSERT INTO t(rowid, " TS_FTS_CASE_COLUMNS ") VALUES "
                                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')", -1, &st, NULL) != SQLITE_OK)
    return -1;
  for (int i = 0; i < NDOCS; i++) {
    sqlite3_bind_int(st, 1, i + 1);
    for (int c = 0; c < 10; c++)
      sqlite3_bind_text(st, c + 2, docs[i][c], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
      return -1;
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sqlite3_close(f->db);
  ts_tok_free(f->tok);
  free(f);
  return 0;
}

/* ---- the expressions ----------------------------------------------------------------- */

static void expect_target(ts_tok *tok, ts_squery_target target, const char *q, const char *want) {
  char out[TS_SQUERY_OUT];
  const char *why = "untouched";
  int rc = ts_squery_build(q, target, tok, out, sizeof out, &why);
  if (rc != TS_OK)
    fail_msg("q=<%s>: rc %d, %s", q, rc, why);
  assert_string_equal(why, "untouched"); /* set only on an error */
  assert_string_equal(out, want);
}

static void expect(ts_tok *tok, const char *q, const char *want) {
  expect_target(tok, TS_SQUERY_CASES, q, want);
}

static void expect_error(ts_tok *tok, const char *q, const char *reason) {
  char out[TS_SQUERY_OUT] = "untouched";
  const char *why = NULL;
  assert_int_equal(ts_squery_build(q, TS_SQUERY_CASES, tok, out, sizeof out, &why),
                   TS_ERR_INVALID);
  assert_non_null(why);
  assert_string_equal(why, reason);
  assert_string_equal(out, "untouched"); /* output only on success */
}

static void test_words(void **state) {
  ts_tok *tok = ((fixture *)*state)->tok;
  expect(tok, "空调", "\"空调\"");
  expect(tok, "空调 异响", "\"空调\" AND \"异响\"");
  expect(tok, "  空调\t异响\n退款\r\n", "\"空调\" AND \"异响\" AND \"退款\"");
  expect(tok, "空调\xE3\x80\x80异响", "\"空调\" AND \"异响\""); /* ideographic space */
  expect(tok, "王經理說X200", "\"王經理說X200\""); /* as typed: FTS5 folds it */
  expect(tok, "JD2026-0001", "\"JD2026-0001\"");
  /* terms with no word are dropped */
  expect(tok, "空调 ，。 !! ... \"\"", "\"空调\"");
  expect(tok, "空调，", "\"空调，\"");
}

static void test_phrases(void **state) {
  ts_tok *tok = ((fixture *)*state)->tok;
  expect(tok, "\"空调 不制冷\"", "\"空调 不制冷\"");
  expect(tok, "\xE2\x80\x9C空调 不制冷\xE2\x80\x9D", "\"空调 不制冷\"");     /* “…” */
  expect(tok, "\xE3\x80\x8C空调 不制冷\xE3\x80\x8D", "\"空调 不制冷\"");     /* 「…」 */
  expect(tok, "\"空调 不制冷\" 维修", "\"空调 不制冷\" AND \"维修\"");
  expect(tok, "\"a\"\"b\"", "\"a\" AND \"b\""); /* two phrases side by side */
  expect(tok, "\"空调\"维修", "\"空调\" AND \"维修\"");
  /* a quote inside a word is a character, doubled for FTS5 */
  expect(tok, "a\"b", "\"a\"\"b\"");
  expect(tok, "x\"", "\"x\"\"\"");
  /* the other kind of quote inside a phrase is text */
  expect(tok, "\xE3\x80\x8C" "a \"b\" c" "\xE3\x80\x8D", "\"a \"\"b\"\" c\"");
  expect(tok, "\"\xE2\x80\x9C" "a" "\xE2\x80\x9D\"", "\"\xE2\x80\x9C" "a" "\xE2\x80\x9D\"");
}

static void test_exclusions(void **state) {
  ts_tok *tok = ((fixture *)*state)->tok;
  expect(tok, "空调 -退款", "\"空调\" NOT \"退款\"");
  expect(tok, "-退款 空调", "\"空调\" NOT \"退款\"");
  expect(tok, "空调 异响 -退款 \xEF\xBC\x8D赔偿", /* full-width － */
         "(\"空调\" AND \"异响\") NOT \"退款\" NOT \"赔偿\"");
  expect(tok, "空调 -\"上门 维修\"", "\"空调\" NOT \"上门 维修\"");
  expect(tok, "空调 - 异响 -", "\"空调\" AND \"异响\""); /* a lone '-' is nothing */
  expect(tok, "空调 \xEF\xBC\x8D", "\"空调\"");
  expect(tok, "空调 --退款", "\"空调\" NOT \"-退款\"");
  expect(tok, "空调 -，", "\"空调\""); /* excludes no word: dropped */
  expect(tok, "JD2026-0001 -x", "\"JD2026-0001\" NOT \"x\""); /* '-' inside a word is text */
}

static void test_fields(void **state) {
  ts_tok *tok = ((fixture *)*state)->tok;
  expect(tok, "phone:138-0013-8000", "phone : \"13800138000\"");
  expect(tok, "电话：138 0013", "phone : \"138\" AND \"0013\"");
  expect(tok, "手机:\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x98", "phone : \"138\""); /* １３８ */
  expect(tok, "phone:\"138 0013 8000\"", "phone : \"13800138000\"");
  expect(tok, "phone:abc 空调", "\"空调\""); /* no digits: dropped */
  expect(tok, "PHONE:138 電話:139", "phone : \"138\" AND phone : \"139\""); /* folded names */
  expect(tok, "order:JD2026-0001 订单：JD2026",
         "order_no : \"JD2026-0001\" AND order_no : \"JD2026\"");
  expect(tok, "product:X200 产品:X200 型号：X200",
         "product : \"X200\" AND product : \"X200\" AND product : \"X200\"");
  expect(tok, "plate:沪A12345 车牌:沪A12345", "plate : \"沪A12345\" AND plate : \"沪A12345\"");
  expect(tok, "name:王 姓名:王 客户:王", "name : \"王\" AND name : \"王\" AND name : \"王\"");
  expect(tok, "outlet:浦东 网点:浦东 门店：浦东",
         "outlet : \"浦东\" AND outlet : \"浦东\" AND outlet : \"浦东\"");
  expect(tok, "product:\"空调 X200\"", "product : \"空调 X200\"");
  expect(tok, "product:a\"b", "product : \"a\"\"b\"");
  expect(tok, "空调 -phone:138", "\"空调\" NOT phone : \"138\"");
  expect(tok, "空调 异响 -name:王", "(\"空调\" AND \"异响\") NOT name : \"王\"");
  /* unknown names, nothing after the colon, no name: all plain text */
  expect(tok, "foo:bar", "\"foo:bar\"");
  expect(tok, "phone:", "\"phone:\"");
  expect(tok, "电话：", "\"电话：\"");
  expect(tok, ":138", "\":138\"");
  expect(tok, "phone :138", "\"phone\" AND \":138\"");
  expect(tok, "phone:phone:1x3", "phone : \"13\""); /* the first colon decides */
  expect(tok, "product:phone:x", "product : \"phone:x\"");
}

static void test_prefix(void **state) {
  ts_tok *tok = ((fixture *)*state)->tok;
  expect(tok, "X20*", "\"X20\" *");
  expect(tok, "X20**", "\"X20\" *");
  expect(tok, "\"空调 不\"*", "\"空调 不\" *");
  expect(tok, "product:X20*", "product : \"X20\" *");
  expect(tok, "phone:1380013*", "phone : \"1380013\" *");
  expect(tok, "空调 -X20*", "\"空调\" NOT \"X20\" *");
  expect(tok, "X*20", "\"X*20\""); /* a star inside a word is text */
  expect(tok, "空调 * **", "\"空调\"");
}

static void test_library(void **state) {
  ts_tok *tok = ((fixture *)*state)->tok;
  expect_target(tok, TS_SQUERY_LIBRARY, "phone:138-0013-8000 空调",
                "\"138-0013-8000\" AND \"空调\"");
  expect_target(tok, TS_SQUERY_LIBRARY, "product:X20* -订单：JD2026", "\"X20\" * NOT \"JD2026\"");
  expect_target(tok, TS_SQUERY_LIBRARY, "foo:bar", "\"foo:bar\"");
}

static void test_injection(void **state) {
  ts_tok *tok = ((fixture *)*state)->tok;
  expect(tok, "a OR b", "\"a\" AND \"OR\" AND \"b\"");
  expect(tok, "x AND NOT y", "\"x\" AND \"AND\" AND \"NOT\" AND \"y\"");
  expect(tok, "NEAR(a b)", "\"NEAR(a\" AND \"b)\"");
  expect(tok, "NEAR(a b, 2)", "\"NEAR(a\" AND \"b,\" AND \"2)\"");
  expect(tok, "col:x", "\"col:x\"");
  expect(tok, "title:x", "\"title:x\"");       /* a real column, but no field of the syntax */
  expect(tok, "case_no:x", "\"case_no:x\"");
  expect(tok, "{title body}:x", "\"{title\" AND \"body}:x\"");
  expect(tok, "-{phone}:x 空调", "\"空调\" NOT \"{phone}:x\"");
  expect(tok, "^x", "\"^x\"");
  expect(tok, "a+b", "\"a+b\"");
  expect(tok, "(空调)", "\"(空调)\"");
  expect(tok, "\"a\" OR \"b\"", "\"a\" AND \"OR\" AND \"b\"");
  expect(tok, "x\"\" OR \"\"y", "\"x\"\"\"\"\" AND \"OR\" AND \"y\"");
  expect(tok, "' OR 1=1 --", "\"OR\" AND \"1=1\""); /* ' and -- have no word */
  expect_error(tok, "*", "q has no words to search for");
  expect_error(tok, "\"", "unclosed quote");
}

static void test_errors(void **state) {
  ts_tok *tok = ((fixture *)*state)->tok;
  expect_error(tok, "", "q has no words to search for");
  expect_error(tok, " \t\n\xE3\x80\x80", "q has no words to search for");
  expect_error(tok, "！？ ... -，", "q has no words to search for");
  expect_error(tok, "phone:abc", "q has no words to search for");
  expect_error(tok, "-退款", "a search needs at least one word to find, not only -exclusions");
  expect_error(tok, "-退款 \xEF\xBC\x8D赔偿 ，",
               "a search needs at least one word to find, not only -exclusions");
  expect_error(tok, "\"空调", "unclosed quote");
  expect_error(tok, "空调 \"", "unclosed quote");
  expect_error(tok, "\xE2\x80\x9C空调\"", "unclosed quote");        /* “ is closed by ” */
  expect_error(tok, "\xE2\x80\x9C空调\xE2\x80\x9C", "unclosed quote");
  expect_error(tok, "\xE3\x80\x8C空调", "unclosed quote");
  expect_error(tok, "phone:\"138", "unclosed quote");
  expect_error(tok, "-\"退款", "unclosed quote");

  /* NULL q is an empty one; NULL why is allowed */
  char out[TS_SQUERY_OUT];
  const char *why = NULL;
  assert_int_equal(ts_squery_build(NULL, TS_SQUERY_CASES, tok, out, sizeof out, &why),
                   TS_ERR_INVALID);
  assert_string_equal(why, "q has no words to search for");
  assert_int_equal(ts_squery_build("", TS_SQUERY_CASES, tok, out, sizeof out, NULL),
                   TS_ERR_INVALID);
}

static void test_limits(void **state) {
  ts_tok *tok = ((fixture *)*state)->tok;
  char q[TS_SQUERY_MAX_BYTES + 2];
  char out[TS_SQUERY_OUT];
  const char *why = NULL;
  /* 256 bytes: accepted; 257: not */
  memset(q, 'a', TS_SQUERY_MAX_BYTES);
  q[TS_SQUERY_MAX_BYTES] = '\0';
  assert_int_equal(ts_squery_build(q, TS_SQUERY_CASES, tok, out, sizeof out, &why), TS_OK);
  q[TS_SQUERY_MAX_BYTES] = 'a';
  q[TS_SQUERY_MAX_BYTES + 1] = '\0';
  expect_error(tok, q, "q is longer than 256 bytes");
  /* 16 terms, exclusions count: accepted; 17: not; dropped terms do not count */
  char many[TS_SQUERY_MAX_BYTES + 1] = "";
  for (int i = 0; i < 16; i++)
    snprintf(many + strlen(many), sizeof many - strlen(many), "%st%d ", i % 4 ? "" : "-", i);
  strcat(many, ", ，");
  assert_int_equal(ts_squery_build(many, TS_SQUERY_CASES, tok, out, sizeof out, &why), TS_OK);
  assert_string_equal(out, "(\"t1\" AND \"t2\" AND \"t3\" AND \"t5\" AND \"t6\" AND \"t7\" AND "
                           "\"t9\" AND \"t10\" AND \"t11\" AND \"t13\" AND \"t14\" AND \"t15\") "
                           "NOT \"t0\" NOT \"t4\" NOT \"t8\" NOT \"t12\"");
  strcat(many, " t16");
  expect_error(tok, many, "q has more than 16 terms");
  /* the longest expression there is still fits: 16 field terms full of quotes, prefixes */
  char worst[TS_SQUERY_MAX_BYTES + 1] = "";
  for (int i = 0; i < TS_SQUERY_MAX_TERMS; i++) /* 16 × 15 bytes */
    strcat(worst, i ? " -门店:x\"\"\"\"\"*" : "门店:x\"\"\"\"\"\"\"*");
  assert_int_equal(ts_squery_build(worst, TS_SQUERY_CASES, tok, out, sizeof out, &why), TS_OK);
  assert_true(strlen(worst) > 230);
  assert_true(strlen(out) < TS_SQUERY_OUT / 2);
  /* an out too small for the expression: an error, never an overflow */
  char small[8];
  why = NULL;
  assert_int_equal(ts_squery_build("空调 异响", TS_SQUERY_CASES, tok, small, sizeof small, &why),
                   TS_ERR_INVALID);
  assert_string_equal(why, "q is too long");
  char exact[sizeof "\"ab\""];
  assert_int_equal(ts_squery_build("ab", TS_SQUERY_CASES, tok, exact, sizeof exact, &why), TS_OK);
  assert_string_equal(exact, "\"ab\"");
  assert_int_equal(ts_squery_build("abc", TS_SQUERY_CASES, tok, exact, sizeof exact, &why),
                   TS_ERR_INVALID);
}

/* ---- against FTS5 ---------------------------------------------------------------------- */

/* The rowids table `tbl` finds for q built for target, "1,3" ("" for none). Fails the test
 * when the build or SQLite fails. */
static void matches(fixture *f, const char *tbl, ts_squery_target target, const char *q,
                    const char *want) {
  char expr[TS_SQUERY_OUT], sql[64], got[64] = "";
  const char *why = NULL;
  if (ts_squery_build(q, target, f->tok, expr, sizeof expr, &why) != TS_OK)
    fail_msg("q=<%s>: %s", q, why);
  snprintf(sql, sizeof sql, "SELECT rowid FROM %s WHERE %s MATCH ? ORDER BY rowid", tbl, tbl);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s%d", got[0] ? "," : "",
             sqlite3_column_int(st, 0));
  if (rc != SQLITE_DONE)
    fail_msg("q=<%s> expr=<%s>: %s", q, expr, sqlite3_errmsg(f->db));
  sqlite3_finalize(st);
  if (strcmp(got, want) != 0)
    fail_msg("q=<%s> expr=<%s>: rows <%s>, want <%s>", q, expr, got, want);
}

static void find(fixture *f, const char *q, const char *want) {
  matches(f, "t", TS_SQUERY_CASES, q, want);
}

static void test_fts_words(void **state) {
  fixture *f = *state;
  find(f, "空调", "1,3");
  find(f, "异响", "1");
  find(f, "異響", "1");          /* traditional finds simplified */
  find(f, "经理", "1");          /* simplified finds the traditional 經理 as written */
  find(f, "經理", "1");
  find(f, "Ｘ２００", "1,3");    /* full-width finds X200 */
  find(f, "x200", "1,3");
  find(f, "彩铃", "2");          /* in 取消彩铃业务 */
  find(f, "空调 不制冷", "3");
  find(f, "\"空调 不制冷\"", "3");
  find(f, "\"不制冷 空调\"", ""); /* a phrase keeps its order */
  find(f, "空调 冰箱", "");
  find(f, "TS-2026-0003", "3");
  find(f, "X20*", "1,3");
  find(f, "空调 异响 退款", "1");
}

/* A Chinese word of three or more characters in a document also gives its bigrams at the
 * same position (store_search.c): a two-character word inside a longer dictionary word is
 * found; a query is split without them, so the long word finds only itself. */
static void test_fts_bigrams(void **state) {
  fixture *f = *state;
  assert_int_equal(sqlite3_exec(f->db, "CREATE VIRTUAL TABLE b USING fts5(x, tokenize='tousu');"
                                       "INSERT INTO b(rowid, x) VALUES (1, '总经理从来没有回电'),"
                                       " (2, '经理回电了'), (3, '没有人接');",
                                       NULL, NULL, NULL),
                   SQLITE_OK);
  matches(f, "b", TS_SQUERY_CASES, "经理", "1,2");
  matches(f, "b", TS_SQUERY_CASES, "没有", "1,3");
  matches(f, "b", TS_SQUERY_CASES, "总经理", "1");
  matches(f, "b", TS_SQUERY_CASES, "从来没有", "1");
  matches(f, "b", TS_SQUERY_CASES, "\"经理 回电\"", "2"); /* a pair is not a word of its own */
  assert_int_equal(sqlite3_exec(f->db, "DROP TABLE b", NULL, NULL, NULL), SQLITE_OK);
}

/* tousu_bm25: bm25 with the column weights given; a word in the heavier column ranks first,
 * a rarer word counts for more, and the scores agree with FTS5's own bm25() in order. */
static void test_fts_rank(void **state) {
  fixture *f = *state;
  assert_int_equal(sqlite3_exec(f->db, "CREATE VIRTUAL TABLE r USING fts5(title, body, tokenize='tousu');"
                                       "INSERT INTO r(rowid, title, body) VALUES (1, '投诉', '空调异响'),"
                                       " (2, '空调', '投诉'), (3, '冰箱', '投诉 冰箱'), (4, '洗衣机', '投诉');",
                                       NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_stmt *st = NULL;
  char got[64] = "";
  assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT rowid, tousu_bm25(r, 5.0, 1.0), bm25(r, 5.0, 1.0)"
                                             " FROM r WHERE r MATCH ? ORDER BY 2, rowid",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, "\"空调\" OR \"投诉\"", -1, SQLITE_STATIC);
  double prev_ours = -1e9, prev_theirs = -1e9;
  while (sqlite3_step(st) == SQLITE_ROW) {
    double ours = sqlite3_column_double(st, 1), theirs = sqlite3_column_double(st, 2);
    assert_true(ours <= 0 && ours >= prev_ours);
    assert_true(theirs >= prev_theirs - 1e-9); /* the same order as FTS5's bm25 */
    assert_true(fabs(ours - theirs) < 1e-6);  /* below the sample size the IDF is exact */
    prev_ours = ours;
    prev_theirs = theirs;
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s%d", got[0] ? "," : "",
             sqlite3_column_int(st, 0));
  }
  sqlite3_finalize(st);
  /* 空调 in the title (weight 5) first, then 空调 in the body, then 投诉 alone */
  assert_string_equal(got, "2,1,3,4");
  assert_int_equal(sqlite3_exec(f->db, "DROP TABLE r", NULL, NULL, NULL), SQLITE_OK);
}

static void test_fts_exclusions(void **state) {
  fixture *f = *state;
  find(f, "空调 -退款", "3");
  find(f, "退款 -空调", "4");
  find(f, "空调 -异响 -维修", "");
  find(f, "空调 -\"不制冷\"", "1");
  find(f, "空调 -X2*", "");
}

static void test_fts_fields(void **state) {
  fixture *f = *state;
  find(f, "phone:138-0013-8000", "1");
  find(f, "电话：138 0013 8000", ""); /* three terms, the last two anywhere: none */
  find(f, "手机:\"139 1234 5678\"", "2");
  find(f, "phone:1380013*", "1");
  find(f, "phone:138", ""); /* a phone is one number: a part needs the prefix */
  find(f, "13800138000", "1");
  find(f, "product:X200", "1");
  find(f, "X200", "1,3");
  find(f, "型号:KFR-35GW", "3");
  find(f, "order:JD2026-0001", "4");
  find(f, "订单：JD2026*", "4");
  find(f, "plate:沪A12345", "4");
  find(f, "车牌:A12345", "4");
  find(f, "name:王芳", "1");
  find(f, "客户:李雷", "2");
  find(f, "客户", "2"); /* without a colon, the word */
  find(f, "outlet:浦东", "4");
  find(f, "门店：浦东门店", "4");
  find(f, "name:空调", "");
  find(f, "空调 -product:X200", "3");
  /* the library has no such columns: the term is searched everywhere */
  matches(f, "w", TS_SQUERY_LIBRARY, "phone:138-0013-8000", "1");
  matches(f, "w", TS_SQUERY_LIBRARY, "product:X200 压缩机", "2");
  matches(f, "w", TS_SQUERY_LIBRARY, "异响 -product:压缩机", "");
}

/* The output has FTS5 strings and nothing outside them but the syntax this module writes. */
static void expect_only_quoted(const char *expr) {
  static const char *const allowed[] = {"AND", "NOT", "phone", "order_no", "product",
                                        "plate", "name", "outlet"};
  const char *p = expr;
  while (*p) {
    if (*p == ' ' || *p == '(' || *p == ')' || *p == '*' || *p == ':') {
      p++;
    } else if (*p == '"') {
      for (p++; *p && !(p[0] == '"' && p[1] != '"'); p += p[0] == '"' ? 2 : 1)
        ;
      if (*p != '"')
        fail_msg("unterminated string in <%s>", expr);
      p++;
    } else {
      size_t n = strcspn(p, " ()*:\"");
      int ok = 0;
      for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        ok |= strlen(allowed[i]) == n && strncmp(p, allowed[i], n) == 0;
      if (!ok)
        fail_msg("bareword <%.*s> in <%s>", (int)n, p, expr);
      p += n;
    }
  }
}

/* Builds q; when accepted, the expression holds only quoted text and runs in SQLite without
 * an error. Returns the build's result. */
static int try_query(fixture *f, const char *q) {
  char expr[TS_SQUERY_OUT];
  const char *why = NULL;
  int rc = ts_squery_build(q, TS_SQUERY_CASES, f->tok, expr, sizeof expr, &why);
  if (rc != TS_OK) {
    assert_int_equal(rc, TS_ERR_INVALID);
    assert_non_null(why);
    return rc;
  }
  expect_only_quoted(expr);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &st,
                                      NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_ROW)
    fail_msg("q=<%s> expr=<%s>: %s", q, expr, sqlite3_errmsg(f->db));
  sqlite3_finalize(st);
  return rc;
}

static void test_fts_nasty(void **state) {
  fixture *f = *state;
  static const char *const nasty[] = {
      "\"", "\"\"", "\"\"\"", "\"\"\"\"", "a\"b\"c", "*", "**", "-", "--", "-*", "^", "^x",
      "NEAR(a b, 2)", "NEAR", "a OR b", "a AND", "AND", "OR", "NOT", "NOT x", "x NOT",
      "(", ")", "()", "(a", "a)", "{", "}", "{title}: x", "{title}:x", "title:x", "-title:x y",
      "case_no:x", "rank:x", ":", "\xEF\xBC\x9A", "phone:", "phone:-", "phone:\"", "phone:\"\"",
      "phone:\"1\"\"2\"", "x:y:z", "+x", "a+b", "'", "\\", "\\\"", "%", "_", ";DROP TABLE t;--",
      "' OR 1=1 --", "x*y", "*x", "\"x\"*", "\"x\" *", "\xE2\x80\x9C", "\xE2\x80\x9D",
      "\xE2\x80\x9Cx\xE2\x80\x9D", "\xE2\x80\x9Dx\xE2\x80\x9C", "\xE3\x80\x8C",
      "\xE3\x80\x8Dx\xE3\x80\x8C", "\xEF\xBC\x8D", "\xEF\xBC\x8Dx y", "\xEF\xBC\x8A",
      "\xE3\x80\x80", "\xFF", "a\377b", "\xE7\xA9", "\x01\x02\x03", "x\x7F", "😀", "😀*",
      "@", "@*", "a@b.com", "-@ x", "b·c", "\"a\" \"\" \"b\"", "phone:1*2*", "x -x", "x -\"x\"",
      "\"x\" -\"x\" *", "NEAR(\"a\" \"b\")", "a : b", "- -x y", "-phone:-1 x",
  };
  for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++)
    try_query(f, nasty[i]);
  /* every printable ASCII character alone, before, between and after words */
  for (int c = 0x21; c < 0x7F; c++) {
    char q[16];
    snprintf(q, sizeof q, "%c", c);
    try_query(f, q);
    snprintf(q, sizeof q, "%ca", c);
    try_query(f, q);
    snprintf(q, sizeof q, "a%cb", c);
    try_query(f, q);
    snprintf(q, sizeof q, "a%c", c);
    try_query(f, q);
    snprintf(q, sizeof q, "x %c y %c", c, c);
    try_query(f, q);
  }
  /* random strings of the syntax's pieces (a fixed seed, so a failure repeats) */
  static const char *const pieces[] = {
      " ", "\"", "-", "*", ":", "(", ")", "^", "a", "OR", "NEAR", "phone", "product", "title",
      "空调", "异", "1", "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE3\x80\x8C", "\xE3\x80\x8D",
      "\xEF\xBC\x9A", "\xEF\xBC\x8D", "\xE3\x80\x80", "\xFF", "，", "{", "}", "+", "@",
  };
  const size_t npieces = sizeof pieces / sizeof pieces[0];
  uint32_t seed = 12345;
  int accepted = 0;
  for (int round = 0; round < 3000; round++) {
    char q[TS_SQUERY_MAX_BYTES + 16] = "";
    seed = seed * 1103515245u + 12345u;
    int n = 1 + (int)((seed >> 16) % 24);
    for (int k = 0; k < n; k++) {
      seed = seed * 1103515245u + 12345u;
      const char *piece = pieces[(seed >> 16) % npieces];
      if (strlen(q) + strlen(piece) < sizeof q)
        strcat(q, piece);
    }
    accepted += try_query(f, q) == TS_OK;
  }
  assert_true(accepted > 1000); /* most of them are searches, not errors */
}

/* ---- texts like this one --------------------------------------------------------------- */

static void expect_similar(ts_tok *tok, const char *text, int max, const char *want,
                           int want_n) {
  char out[TS_SQUERY_OUT];
  int n = -1;
  assert_int_equal(ts_squery_similar(text, tok, max, out, sizeof out, &n), TS_OK);
  assert_string_equal(out, want);
  assert_int_equal(n, want_n);
}

static void test_similar(void **state) {
  ts_tok *tok = ((fixture *)*state)->tok;
  expect_similar(tok, "王經理說X200空调异响", 10,
                 "\"经理\" OR \"x200\" OR \"空调\" OR \"异 响\"", 4);
  /* function words, generic complaint words, 了 spoiling 坏了 */
  expect_similar(tok, "我的空调已经坏了，客户投诉说异响很大", 10,
                 "\"空调\" OR \"异 响\" OR \"很大\"", 3);
  expect_similar(tok, "客户要求取消彩铃业务", 10, "\"取消\" OR \"彩 铃\" OR \"业务\"", 3);
  expect_similar(tok, "the noise is loud and X200 was broken", 10,
                 "\"noise\" OR \"loud\" OR \"x200\" OR \"broken\"", 4);
  /* duplicates, also folded ones, count once; runs of singles give overlapping pairs */
  expect_similar(tok, "空调 空調 空调异响", 10, "\"空调\" OR \"异 响\"", 2);
  expect_similar(tok, "异响异响", 10, "\"异 响\" OR \"响 异\"", 2);
  expect_similar(tok, "北京市朝阳区望京网点", 10,
                 "\"北京市\" OR \"朝阳\" OR \"区 望\" OR \"望 京\" OR \"网点\"", 5);
  /* a run is broken by anything between its characters, and one character is no term */
  expect_similar(tok, "异，响 坏", 10, "", 0);
  expect_similar(tok, "a 1 b2 ＡＢ", 10, "\"b2\" OR \"ab\"", 2);
  /* at most max, in the order they first appear */
  expect_similar(tok, "冰箱噪音很大 退款处理", 2, "\"冰箱\" OR \"噪音\"", 2);
  expect_similar(tok, "冰箱噪音很大 退款处理", 0, "", 0);
  expect_similar(tok, "", 10, "", 0);
  expect_similar(tok, "。，！？ 的了是", 10, "", 0);
  expect_similar(tok, "因为所以但是已经没有", 10, "", 0);
  /* a small out keeps the terms that fit */
  char out[20];
  int n = -1;
  assert_int_equal(ts_squery_similar("冰箱噪音很大 退款处理", tok, 10, out, sizeof out, &n),
                   TS_OK);
  assert_string_equal(out, "\"冰箱\"");
  assert_int_equal(n, 1);
  assert_int_equal(ts_squery_similar("冰箱", tok, 10, out, 1, &n), TS_OK);
  assert_string_equal(out, "");
  assert_int_equal(n, 0);
}

static void test_similar_fts(void **state) {
  fixture *f = *state;
  /* every document's own words find it, and the expression is valid FTS5 */
  for (int i = 0; i < NDOCS; i++) {
    char text[512], expr[TS_SQUERY_OUT], sql[] = "SELECT rowid FROM t WHERE t MATCH ?";
    snprintf(text, sizeof text, "%s %s", docs[i][1], docs[i][2]);
    int n = 0, found = 0;
    assert_int_equal(ts_squery_similar(text, f->tok, 8, expr, sizeof expr, &n), TS_OK);
    assert_true(n > 0 && n <= 8);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
      found |= sqlite3_column_int(st, 0) == i + 1;
    if (rc != SQLITE_DONE)
      fail_msg("expr=<%s>: %s", expr, sqlite3_errmsg(f->db));
    sqlite3_finalize(st);
    assert_true(found);
  }
  /* a new complaint like case 1 finds it and not the refrigerator */
  char expr[TS_SQUERY_OUT];
  int n = 0;
  assert_int_equal(ts_squery_similar("我家的X200空调有异响", f->tok, 8, expr, sizeof expr, &n),
                   TS_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(f->db,
                                      "SELECT group_concat(rowid) FROM (SELECT rowid FROM t "
                                      "WHERE t MATCH ? ORDER BY rank)",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "1,3");
  sqlite3_finalize(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_words),
      cmocka_unit_test(test_phrases),
      cmocka_unit_test(test_exclusions),
      cmocka_unit_test(test_fields),
      cmocka_unit_test(test_prefix),
      cmocka_unit_test(test_library),
      cmocka_unit_test(test_injection),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_fts_words),
      cmocka_unit_test(test_fts_bigrams),
      cmocka_unit_test(test_fts_rank),
      cmocka_unit_test(test_fts_exclusions),
      cmocka_unit_test(test_fts_fields),
      cmocka_unit_test(test_fts_nasty),
      cmocka_unit_test(test_similar),
      cmocka_unit_test(test_similar_fts),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
