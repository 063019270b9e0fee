#include "core/anonymise.h"

#include <stdlib.h>
#include <string.h>

#include "core/ts_err.h"
#include "util/buf.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_alnum_up(char c) { return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z'); }

/* Length of a UTF-8 sequence starting with c. */
static size_t u8len(unsigned char c) {
  return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* The provinces' one-character abbreviations that start a Chinese plate. */
static const char *const provinces[] = {
  "京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖", "鲁", "新", "苏", "浙", "赣",
  "鄂", "桂", "甘", "晋", "蒙", "陕", "吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼", NULL};

/* If s starts with a plate (province + letter + optional separator + 5–6 letters/digits),
 * its length; else 0. */
static size_t plate_at(const char *s) {
  for (const char *const *p = provinces; *p; p++) {
    size_t n = strlen(*p);
    if (strncmp(s, *p, n) != 0)
      continue;
    const char *q = s + n;
    if (!is_upper(*q))
      return 0;
    q++;
    if (*q == ' ' || *q == '-')
      q++;
    else if (!strncmp(q, "·", strlen("·")))
      q += strlen("·");
    size_t k = 0;
    while (is_alnum_up(q[k]) && k < 7)
      k++;
    if (k >= 5 && k <= 6)
      return (size_t)(q - s) + k;
    /* a coach, police, Hong Kong/Macau or trailer plate ends in a character: 豫A·2387学 */
    static const char *const tails[] = {"学", "警", "港", "澳", "挂", "领", NULL};
    for (const char *const *t = tails; k == 4 && *t; t++)
      if (!strncmp(q + k, *t, strlen(*t)))
        return (size_t)(q - s) + k + strlen(*t);
    return 0;
  }
  return 0;
}

/* Honorifics that, after a one-character surname, make a name: 王先生, 李女士. */
static const char *const honorifics[] = {"先生", "女士", "小姐", "太太", "师傅", "经理", "阿姨",
                                         "老师", NULL};

/* The common surnames (百家姓, the most frequent): only these before an honorific make a
 * name, so 一位小姐 stays as it is. */
static const char surnames[] =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
  "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
  "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚"
  "符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
  "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋"
  "商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

static int is_surname(const char *s) {
  char ch[4] = {s[0], s[1], s[2], '\0'};
  return strstr(surnames, ch) != NULL && ((strstr(surnames, ch) - surnames) % 3) == 0;
}

char *ts_anonymise(const char *text, const ts_case *c) {
  ts_buf b = {0};
  const char *names[3] = {NULL, NULL, NULL};
  if (c) {
    names[0] = ts_case_text(c, TS_CF_C_NAME);
    names[1] = ts_case_text(c, TS_CF_S_EMPLOYEE);
  }
  ts_buf_add(&b, "", 0);
  for (const char *s = text; *s;) {
    size_t n;
    /* names the case knows */
    int hit = 0;
    for (int i = 0; i < 2 && !hit; i++) {
      if (names[i] && (n = strlen(names[i])) >= 2 && strncmp(s, names[i], n) == 0) {
        ts_buf_add(&b, i == 0 ? "客户" : "员工", strlen(i == 0 ? "客户" : "员工"));
        s += n;
        hit = 1;
      }
    }
    if (hit)
      continue;
    /* a surname (one CJK character) + honorific: keep the honorific */
    if ((unsigned char)*s >= 0xE4 && u8len((unsigned char)*s) == 3 && s[1] && s[2] &&
        is_surname(s)) {
      for (const char *const *h = honorifics; *h && !hit; h++) {
        size_t hl = strlen(*h);
        if (strncmp(s + 3, *h, hl) == 0) {
          ts_buf_add(&b, "某", strlen("某"));
          ts_buf_add(&b, *h, hl);
          s += 3 + hl;
          hit = 1;
        }
      }
      if (hit)
        continue;
    }
    if ((n = plate_at(s))) {
      ts_buf_add(&b, "[车牌]", strlen("[车牌]"));
      s += n;
      continue;
    }
    /* runs of letters and digits: phones, ID numbers, VINs, e-mail addresses */
    if (is_alnum_up(*s) || *s == '+') {
      const char *e = s;
      size_t digits = 0;
      int at = 0, letters = 0;
      for (;;) {
        if (is_alnum_up(*e) || *e == '+' || *e == '-' || *e == '@' || *e == '.' || *e == '_') {
          digits += is_digit(*e);
          letters += is_upper(*e) || (*e >= 'a' && *e <= 'z');
          at |= *e == '@';
          e++;
        } else if (*e == ' ' && e > s && is_digit(e[-1]) && is_digit(e[1]) && letters == 0) {
          e++; /* 138 0013 8013: a phone written in groups */
        } else {
          break;
        }
      }
      while (e > s && (e[-1] == '.' || e[-1] == '-'))
        e--; /* a sentence's full stop is not part of the token */
      size_t len = (size_t)(e - s);
      const char *word = NULL;
      if (at)
        word = "[邮箱]";
      else if (len == 17 && digits >= 5 && letters >= 3)
        word = "[VIN]";
      else if ((len == 18 || len == 15) && digits >= 14)
        word = "[证件号]";
      else if (digits >= 7 && letters == 0 &&
               !(len == 10 && s[4] == '-' && s[7] == '-')) /* a date is no phone */
        word = "[电话]";
      if (word)
        ts_buf_add(&b, word, strlen(word));
      else
        ts_buf_add(&b, s, len);
      s = e; /* e > s: the first character always belongs to the run */
      continue;
    }
    n = u8len((unsigned char)*s);
    for (size_t k = 1; k < n; k++)
      if (!s[k]) {
        n = k;
        break;
      }
    ts_buf_add(&b, s, n);
    s += n;
  }
  char *out = NULL;
  return ts_buf_finish(&b, &out) == TS_OK ? out : NULL;
}
