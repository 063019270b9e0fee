/* Anonymisation of case-library text: names, phones, plates, IDs, VINs, e-mail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/anonymise.h"

static void check(const char *in, const ts_case *c, const char *want) {
  char *got = ts_anonymise(in, c);
  assert_non_null(got);
  if (strcmp(got, want) != 0)
    fail_msg("\n in:   %s\n got:  %s\n want: %s", in, got, want);
  free(got);
}

static void test_patterns(void **state) {
  (void)state;
  check("请拨打13800138000或021-62345678联系", NULL, "请拨打[电话]或[电话]联系");
  check("车牌沪A·K3M27在店", NULL, "车牌[车牌]在店");
  check("粤B12345和京AD12345", NULL, "[车牌]和[车牌]");
  check("身份证110101199003077777号", NULL, "身份证[证件号]号");
  check("VIN LSVAB4182E2123456.", NULL, "VIN [VIN].");
  check("邮件 wang.li@example.cn。", NULL, "邮件 [邮箱]。");
  check("王先生和李女士来店", NULL, "某先生和某女士来店");
  check("向刘太太解释，又是一位小姐接的电话", NULL, "向某太太解释，又是一位小姐接的电话");
  check("教练车豫A·2387学在店", NULL, "教练车[车牌]在店");
  check("手机 138 0013 8013 找我", NULL, "手机 [电话] 找我");
  check("共 2 次，赔 500 元", NULL, "共 2 次，赔 500 元");
  /* what is not personal stays: models, amounts, dates, order lines */
  check("X200空调 异响, 赔偿500元, 2026-11-02", NULL, "X200空调 异响, 赔偿500元, 2026-11-02");
}

static void test_case_names(void **state) {
  (void)state;
  ts_case *c = ts_case_new();
  ts_case_set_text(c, TS_CF_C_NAME, "张伟");
  ts_case_set_text(c, TS_CF_S_EMPLOYEE, "刘洋");
  check("张伟投诉刘洋态度差，张伟要求道歉", c, "客户投诉员工态度差，客户要求道歉");
  ts_case_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_patterns),
                                     cmocka_unit_test(test_case_names)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
