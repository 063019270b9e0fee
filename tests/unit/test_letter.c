/* Letter templates: syntax check, rendering (text and HTML), plain text as HTML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/letter.h"
#include "core/ts_err.h"

static const char *const known[] = {"customer.name", "case_no", "due_days", "amount", "note", NULL};

/* Renders tpl with the JSON text vars and compares with want. */
static void expect_render(const char *tpl, const char *vars, int html, const char *want) {
  json_error_t jerr;
  json_t *v = vars ? json_loads(vars, 0, &jerr) : NULL;
  char *out = NULL;
  if (vars)
    assert_non_null(v);
  assert_int_equal(ts_letter_render(tpl, v, html, &out), TS_OK);
  assert_string_equal(out, want);
  free(out);
  json_decref(v);
}

static void test_check_ok(void **state) {
  (void)state;
  char why[160] = "";
  const char *ok[] = {"",
                      "尊敬的{{customer.name}}：您的投诉（编号 {{case_no}}）已受理。",
                      "{{due_days}} 个工作日内答复",
                      "模板语法：{{{{case_no}} 显示为变量名", /* literal {{ then plain text */
                      "单个括号 { 和 } 以及 }} 照原样",
                      "<p style=\"color: red\">{{note}}</p>",
                      NULL};
  for (int i = 0; ok[i]; i++)
    assert_int_equal(ts_letter_check(ok[i], known, why, sizeof why), TS_OK);
  /* known == NULL: syntax only */
  assert_int_equal(ts_letter_check("{{anything.at_all}}", NULL, why, sizeof why), TS_OK);
}

static void test_check_unknown(void **state) {
  (void)state;
  char why[160] = "";
  assert_int_equal(ts_letter_check("您好，{{custmer.name}}！", known, why, sizeof why),
                   TS_ERR_INVALID);
  assert_non_null(strstr(why, "{{custmer.name}}"));
  assert_non_null(strstr(why, "character 4")); /* counted in characters, not bytes */
  /* a prefix of a known name is not that name */
  assert_int_equal(ts_letter_check("{{case}}", known, why, sizeof why), TS_ERR_INVALID);
  /* a literal {{ hides what follows: no variable, nothing unknown */
  assert_int_equal(ts_letter_check("{{{{custmer}}", known, why, sizeof why), TS_OK);
  /* no buffer for the reason is fine */
  assert_int_equal(ts_letter_check("{{nope}}", known, NULL, 0), TS_ERR_INVALID);
}

static void test_check_unbalanced(void **state) {
  (void)state;
  char why[160];
  const char *bad[] = {"{{case_no",         /* never closed */
                       "{{case_no}",        /* half closed */
                       "{{ case_no }}",     /* spaces are not part of the syntax */
                       "{{Case_No}}",       /* upper case */
                       "{{}}",              /* empty name */
                       "{{客户}}",          /* name is ASCII */
                       "{{{case_no}}}",     /* triple braces are no syntax here */
                       "ok {{case_no}} {{", /* trailing open */
                       NULL};
  for (int i = 0; bad[i]; i++) {
    why[0] = '\0';
    assert_int_equal(ts_letter_check(bad[i], known, why, sizeof why), TS_ERR_INVALID);
    assert_non_null(strstr(why, "starts no variable"));
  }
  char tpl[80];
  memcpy(tpl, "{{", 2);
  memset(tpl + 2, 'a', 65);
  memcpy(tpl + 67, "}}", 3);
  assert_int_equal(ts_letter_check(tpl, NULL, why, sizeof why), TS_ERR_INVALID); /* 65 long */
  memcpy(tpl + 66, "}}", 3);
  assert_int_equal(ts_letter_check(tpl, NULL, why, sizeof why), TS_OK); /* 64 long */
  assert_int_equal(ts_letter_check(NULL, known, why, sizeof why), TS_ERR_INVALID);
  /* a tiny reason buffer is truncated, never overrun */
  char tiny[8];
  assert_int_equal(ts_letter_check("{{x", known, tiny, sizeof tiny), TS_ERR_INVALID);
  assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

static void test_render_vars(void **state) {
  (void)state;
  expect_render("尊敬的{{customer.name}}：编号 {{case_no}}。",
                "{\"customer.name\":\"王先生\",\"case_no\":\"TS-2026-000042\"}", 0,
                "尊敬的王先生：编号 TS-2026-000042。");
  /* dotted names also walk nested objects */
  expect_render("{{customer.name}}", "{\"customer\":{\"name\":\"李女士\"}}", 0, "李女士");
  /* a variable twice, adjacent variables */
  expect_render("{{a}}{{b}}{{a}}", "{\"a\":\"甲\",\"b\":\"乙\"}", 0, "甲乙甲");
  /* unknown and missing render as "", no vars at all too */
  expect_render("[{{missing}}]", "{}", 0, "[]");
  expect_render("[{{missing}}]", NULL, 0, "[]");
  expect_render("", "{}", 0, "");
}

static void test_render_numbers_null(void **state) {
  (void)state;
  expect_render("{{due_days}} 天，{{amount}} 元，[{{note}}]",
                "{\"due_days\":3,\"amount\":1250.5,\"note\":null}", 0, "3 天，1250.5 元，[]");
  expect_render("{{n}}", "{\"n\":-9007199254740993}", 0, "-9007199254740993");
  expect_render("[{{t}}{{o}}{{a}}]", "{\"t\":true,\"o\":{},\"a\":[1]}", 0, "[]");
}

static void test_render_literal_and_bad(void **state) {
  (void)state;
  expect_render("写 {{{{case_no}} 可插入编号", "{\"case_no\":\"X\"}", 0,
                "写 {{case_no}} 可插入编号");
  expect_render("{{{{{{{{", "{}", 0, "{{{{");
  /* malformed syntax that slipped past the check is copied, not dropped */
  expect_render("{{ case_no }} {{x", "{\"case_no\":\"X\"}", 0, "{{ case_no }} {{x");
  expect_render("a } b }} c {", "{}", 0, "a } b }} c {");
}

static void test_render_html_escape(void **state) {
  (void)state;
  const char *vars = "{\"customer.name\":\"<script>alert('x')</script>&\\\"王\\\"\"}";
  /* HTML: the template is HTML, the value is escaped */
  expect_render("<p>尊敬的 <b>{{customer.name}}</b></p>", vars, 1,
                "<p>尊敬的 <b>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;王&quot;"
                "</b></p>");
  /* text: the value as it is */
  expect_render("{{customer.name}}", vars, 0, "<script>alert('x')</script>&\"王\"");
  /* numbers need no escaping but go through the same path */
  expect_render("<i>{{n}}</i>", "{\"n\":7}", 1, "<i>7</i>");
}

static void test_render_large(void **state) {
  (void)state;
  /* the buffer grows across many small appends */
  static const char piece[] = "投诉{{v}}!"; /* renders as "投诉!", 7 bytes */
  size_t reps = 5000, plen = sizeof piece - 1;
  char *tpl = malloc(reps * plen + 1);
  assert_non_null(tpl);
  for (size_t i = 0; i < reps; i++)
    memcpy(tpl + i * plen, piece, plen);
  tpl[reps * plen] = '\0';
  json_t *v = json_pack("{s:s}", "v", "");
  char *out = NULL;
  assert_int_equal(ts_letter_render(tpl, v, 0, &out), TS_OK);
  assert_int_equal(strlen(out), reps * 7);
  free(out);
  /* a value that makes the letter absurdly large is refused */
  char *big = malloc((size_t)1 << 20);
  assert_non_null(big);
  memset(big, 'x', ((size_t)1 << 20) - 1);
  big[((size_t)1 << 20) - 1] = '\0';
  json_object_set_new(v, "v", json_string(big));
  out = NULL;
  assert_int_equal(ts_letter_render("{{v}}{{v}}{{v}}{{v}}{{v}}", v, 0, &out), TS_ERR_TOO_LARGE);
  assert_null(out);
  free(big);
  free(tpl);
  json_decref(v);
}

static void test_text_to_html(void **state) {
  (void)state;
  char *out = NULL;
  assert_int_equal(ts_letter_text_to_html("受理函 <1>",
                                          "尊敬的王先生：\n\n您的投诉已受理。\r\n"
                                          "编号 A&B。\n\n\n  \n此致\n敬礼\n",
                                          &out),
                   TS_OK);
  assert_string_equal(out, "<!DOCTYPE html>\n"
                           "<html><head><meta charset=\"utf-8\"><title>受理函 &lt;1&gt;</title>"
                           "</head>\n<body>\n"
                           "<p>尊敬的王先生：</p>\n"
                           "<p>您的投诉已受理。<br>\n编号 A&amp;B。</p>\n"
                           "<p>此致<br>\n敬礼</p>\n"
                           "</body></html>\n");
  free(out);
  out = NULL;
  assert_int_equal(ts_letter_text_to_html(NULL, "", &out), TS_OK);
  assert_string_equal(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title></title>"
                           "</head>\n<body>\n</body></html>\n");
  free(out);
  out = NULL;
  assert_int_equal(ts_letter_text_to_html("t", "\n\n一行", &out), TS_OK);
  assert_non_null(strstr(out, "<body>\n<p>一行</p>\n</body>"));
  free(out);
  out = NULL;
  assert_int_equal(ts_letter_text_to_html("t", NULL, &out), TS_ERR_INVALID);
  assert_null(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_check_ok),
      cmocka_unit_test(test_check_unknown),
      cmocka_unit_test(test_check_unbalanced),
      cmocka_unit_test(test_render_vars),
      cmocka_unit_test(test_render_numbers_null),
      cmocka_unit_test(test_render_literal_and_bad),
      cmocka_unit_test(test_render_html_escape),
      cmocka_unit_test(test_render_large),
      cmocka_unit_test(test_text_to_html),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
