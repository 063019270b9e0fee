/* Words of complaint text: ICU segmentation with folding (search/tokenize.h). The expected
 * splits were checked by hand against ICU 72's dictionary; a newer ICU may split a word
 * the dictionary learned differently, which is a change to look at, not to paper over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/ts_err.h"
#include "search/tokenize.h"

#define MAX_SEEN 32

/* What a run emitted. */
typedef struct {
  int n;
  char text[MAX_SEEN][TS_TOK_MAX_CHARS * 4 + 1];
  int len[MAX_SEEN], chars[MAX_SEEN], start[MAX_SEEN], end[MAX_SEEN];
  ts_tok_kind kind[MAX_SEEN];
  int stop_at; /* return 42 from this token on (1-based); 0: never */
} seen;

static int collect(void *ctx, const ts_token *t) {
  seen *s = ctx;
  assert_true(s->n < MAX_SEEN);
  assert_int_equal((int)strlen(t->text), t->len);
  assert_true(t->start >= 0 && t->start < t->end);
  memcpy(s->text[s->n], t->text, (size_t)t->len + 1);
  s->len[s->n] = t->len;
  s->chars[s->n] = t->chars;
  s->start[s->n] = t->start;
  s->end[s->n] = t->end;
  s->kind[s->n] = t->kind;
  s->n++;
  return s->stop_at && s->n >= s->stop_at ? 42 : 0;
}

static int setup(void **state) {
  ts_tok *t = NULL;
  if (ts_tok_new(&t) != TS_OK)
    return -1;
  *state = t;
  return 0;
}

static int teardown(void **state) {
  ts_tok_free(*state);
  return 0;
}

/* Runs text and compares the tokens with want, "a|b|c" ("" for none). */
static void expect_tokens(ts_tok *t, const char *text, const char *want) {
  seen s = {0};
  assert_int_equal(ts_tok_run(t, text, -1, collect, &s), TS_OK);
  char got[1024] = "";
  size_t n = 0;
  for (int i = 0; i < s.n; i++)
    n += (size_t)snprintf(got + n, sizeof got - n, "%s%s", i ? "|" : "", s.text[i]);
  assert_string_equal(got, want);
}

/* The original bytes of token i. */
static void expect_range(const char *text, const seen *s, int i, const char *orig) {
  assert_int_equal(s->end[i] - s->start[i], (int)strlen(orig));
  assert_memory_equal(text + s->start[i], orig, strlen(orig));
}

static void test_hand_checked(void **state) {
  ts_tok *t = *state;
  const char *text = "王經理說X200空调异响";
  seen s = {0};
  assert_int_equal(ts_tok_run(t, text, -1, collect, &s), TS_OK);
  assert_int_equal(s.n, 7);
  const char *want[] = {"王", "经理", "说", "x200", "空调", "异", "响"};
  const char *orig[] = {"王", "經理", "說", "X200", "空调", "异", "响"};
  const ts_tok_kind kinds[] = {TS_TOK_IDEO, TS_TOK_IDEO, TS_TOK_IDEO,
                               TS_TOK_NUMBER, TS_TOK_IDEO, TS_TOK_IDEO, TS_TOK_IDEO};
  const int chars[] = {1, 2, 1, 4, 2, 1, 1};
  for (int i = 0; i < 7; i++) {
    assert_string_equal(s.text[i], want[i]);
    expect_range(text, &s, i, orig[i]); /* the traditional 經理 as written */
    assert_int_equal(s.kind[i], kinds[i]);
    assert_int_equal(s.chars[i], chars[i]);
  }
  /* the ranges tile the text: nothing between these words */
  for (int i = 1; i < 7; i++)
    assert_int_equal(s.start[i], s.end[i - 1]);
  assert_int_equal(s.end[6], (int)strlen(text));
}

static void test_more_hand_checked(void **state) {
  ts_tok *t = *state;
  expect_tokens(t, "王经理说", "王|经理|说"); /* simplified gives the same */
  expect_tokens(t, "空调 不制冷", "空调|不|制冷");
  expect_tokens(t, "取消彩铃业务", "取消|彩|铃|业务");
  expect_tokens(t, "不能退款 没有退款", "不能|退款|没有|退款");
  expect_tokens(t, "異響", "异|响"); /* folded before breaking: same split as 异响 */
  expect_tokens(t, "iPhone15Pro", "iphone15pro");
  expect_tokens(t, "3.5 3,000 ￥199.00 12:30", "3.5|3,000|199.00|12|30");
  expect_tokens(t, "こんにちは カタカナ", "こんにちは|カタカナ");
  expect_tokens(t, "A\xE3\x80\x80" "B", "a|b"); /* ideographic space */
  expect_tokens(t, "", "");
}

static void test_full_width(void **state) {
  ts_tok *t = *state;
  const char *text = "ＡＢＣ１２３";
  seen s = {0};
  assert_int_equal(ts_tok_run(t, text, -1, collect, &s), TS_OK);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.text[0], "abc123");
  assert_int_equal(s.chars[0], 6);
  assert_int_equal(s.kind[0], TS_TOK_NUMBER);
  expect_range(text, &s, 0, text); /* 18 bytes of the original for 6 of the token */
  expect_tokens(t, "ｘ２００ X200 x200", "x200|x200|x200");
}

static void test_order_numbers_and_plates(void **state) {
  ts_tok *t = *state;
  const char *text = "订单JD2026-0001已取消";
  seen s = {0};
  assert_int_equal(ts_tok_run(t, "JD2026-0001", -1, collect, &s), TS_OK);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.text[0], "jd2026");
  assert_string_equal(s.text[1], "0001");
  expect_range("JD2026-0001", &s, 0, "JD2026");
  expect_range("JD2026-0001", &s, 1, "0001");
  expect_tokens(t, text, "订单|jd2026|0001|已|取消");
  /* a plate: its province character is a word of its own */
  memset(&s, 0, sizeof s);
  assert_int_equal(ts_tok_run(t, "沪A12345", -1, collect, &s), TS_OK);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.text[0], "沪");
  assert_string_equal(s.text[1], "a12345");
  expect_range("沪A12345", &s, 1, "A12345");
  /* ICU would take the middle dot of a plate for a MidLetter (as in Catalan l·l) and keep
   * 京B·CD888 one word; tokenize.c folds it to a space, so CD888 finds the plate */
  expect_tokens(t, "京A·12345", "京|a|12345");
  expect_tokens(t, "京Ｂ·ＣＤ８８８", "京|b|cd888");
  expect_tokens(t, "阿卜杜拉·买买提", "阿|卜|杜|拉|买买|提");
}

static void test_punctuation_only(void **state) {
  ts_tok *t = *state;
  expect_tokens(t, "。，！？、…—（）【】《》", "");
  expect_tokens(t, "!#$%^&*()_+-=[]{};':\",./<>?`~|\\", "");
  /* ICU 72 counts '@' as a letter; tokenize.c folds it to a space, so an address is its
   * parts and example.com finds it */
  expect_tokens(t, "@", "");
  expect_tokens(t, "邮箱 Wang@Example.com", "邮箱|wang|example.com");
  expect_tokens(t, "😀👍 \t\n", "");
  expect_tokens(t, "\"\"", "");
}

static void test_invalid_utf8(void **state) {
  ts_tok *t = *state;
  /* an invalid byte is a separator: it breaks the word it stands in */
  const char *text = "abc\xFF" "def";
  seen s = {0};
  assert_int_equal(ts_tok_run(t, text, -1, collect, &s), TS_OK);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.text[0], "abc");
  assert_string_equal(s.text[1], "def");
  assert_int_equal(s.start[1], 4);
  expect_tokens(t, "空\xE7调", "空|调");       /* a truncated sequence */
  expect_tokens(t, "\xC0\x80x", "x");          /* an overlong NUL */
  expect_tokens(t, "\xED\xA0\x80y", "y");      /* an encoded surrogate */
  expect_tokens(t, "\xE7\xA9", "");            /* cut at the end */
  expect_tokens(t, "\xF4\x90\x80\x80z", "z"); /* beyond U+10FFFF */
  const char junk[] = {(char)0x80, (char)0xBF, 'q', (char)0xFE, (char)0xE4, (char)0xB8};
  memset(&s, 0, sizeof s);
  assert_int_equal(ts_tok_run(t, junk, (int)sizeof junk, collect, &s), TS_OK);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.text[0], "q");
}

static void test_long_word(void **state) {
  ts_tok *t = *state;
  char text[301];
  memset(text, 'a', 300);
  text[300] = '\0';
  seen s = {0};
  assert_int_equal(ts_tok_run(t, text, -1, collect, &s), TS_OK);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.len[0], TS_TOK_MAX_CHARS);
  assert_int_equal(s.chars[0], TS_TOK_MAX_CHARS);
  assert_int_equal(s.start[0], 0);
  assert_int_equal(s.end[0], 300); /* the range is the whole word as written */
  /* 100 Chinese digits of a number are one word too, cut to 64 characters (3 bytes each) */
  char zh[100 * 3 + 1] = "";
  for (int i = 0; i < 100; i++)
    memcpy(zh + 3 * i, "\xEF\xBC\x91", 4); /* full-width 1 */
  memset(&s, 0, sizeof s);
  assert_int_equal(ts_tok_run(t, zh, -1, collect, &s), TS_OK);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.chars[0], TS_TOK_MAX_CHARS);
  assert_int_equal(s.len[0], TS_TOK_MAX_CHARS); /* folded to ASCII 1 */
  /* the cut never halves a surrogate pair: 63 units, then 𝐀 (two units) */
  char sp[63 + 8 + 1];
  memset(sp, 'a', 63);
  memcpy(sp + 63, "\xF0\x9D\x90\x80\xF0\x9D\x90\x80", 9); /* 𝐀𝐀 */
  memset(&s, 0, sizeof s);
  assert_int_equal(ts_tok_run(t, sp, -1, collect, &s), TS_OK);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.chars[0], 63);
  assert_int_equal(s.len[0], 63);
  assert_int_equal(s.end[0], 71);
}

static void test_emit_stops(void **state) {
  ts_tok *t = *state;
  seen s = {.stop_at = 2};
  assert_int_equal(ts_tok_run(t, "空调 异响 退款 投诉", -1, collect, &s), 42);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.text[1], "异");
}

static void test_explicit_length(void **state) {
  ts_tok *t = *state;
  seen s = {0};
  assert_int_equal(ts_tok_run(t, "空调异响", 6, collect, &s), TS_OK); /* only 空调 */
  assert_int_equal(s.n, 1);
  assert_string_equal(s.text[0], "空调");
  memset(&s, 0, sizeof s);
  assert_int_equal(ts_tok_run(t, "空调", 0, collect, &s), TS_OK);
  assert_int_equal(s.n, 0);
  /* a buffer that grows: a long text after short ones */
  char big[8192];
  for (size_t i = 0; i + 7 < sizeof big; i += 7)
    memcpy(big + i, "空调 ", 7);
  big[(sizeof big - 1) / 7 * 7] = '\0';
  memset(&s, 0, sizeof s);
  s.stop_at = MAX_SEEN;
  assert_int_equal(ts_tok_run(t, big, -1, collect, &s), 42);
  assert_int_equal(s.n, MAX_SEEN);
}

static void test_fold_char(void **state) {
  (void)state;
  assert_int_equal(ts_tok_fold_char(0x7D93), 0x7ECF); /* 經 → 经 */
  assert_int_equal(ts_tok_fold_char(0x8AAA), 0x8BF4); /* 說 → 说 */
  assert_int_equal(ts_tok_fold_char(0xFF21), 'a');    /* Ａ */
  assert_int_equal(ts_tok_fold_char(0xFF11), '1');    /* １ */
  assert_int_equal(ts_tok_fold_char('X'), 'x');
  assert_int_equal(ts_tok_fold_char(0x7A7A), 0x7A7A); /* 空 stays */
  assert_int_equal(ts_tok_fold_char(0x1D400), 0x1D400); /* outside the BMP: as it is */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_checked),
      cmocka_unit_test(test_more_hand_checked),
      cmocka_unit_test(test_full_width),
      cmocka_unit_test(test_order_numbers_and_plates),
      cmocka_unit_test(test_punctuation_only),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_long_word),
      cmocka_unit_test(test_emit_stops),
      cmocka_unit_test(test_explicit_length),
      cmocka_unit_test(test_fold_char),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
