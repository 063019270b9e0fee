/* A search box's text as an SQLite FTS5 query; see query.h.
 *
 * Safety rests on one rule: everything the user typed reaches FTS5 inside a double-quoted
 * string (with '"' doubled), where FTS5 interprets nothing and only hands the text to the
 * tokenizer "tousu". The only barewords in the output are the ones written here: AND, NOT,
 * OR, parentheses, '*' and column names from the table below. A term is first checked
 * with the same tokenizer, so a quoted string that would give FTS5 no token (an error or
 * a match of nothing) is never written. */
#include "search/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/utf8.h>

#include "core/ts_err.h"

/* ---- writing into a fixed buffer ------------------------------------------------------- */

typedef struct {
  char *p;
  size_t len, cap; /* cap counts the NUL */
  int full;        /* sticky: something did not fit */
} qbuf;

static void qb_add(qbuf *b, const char *s, size_t n) {
  if (b->full || b->len + n + 1 > b->cap) {
    b->full = 1;
    return;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void qb_str(qbuf *b, const char *s) { qb_add(b, s, strlen(s)); }

/* s[0..n) as an FTS5 string: in double quotes, a '"' written twice. */
static void qb_quoted(qbuf *b, const char *s, size_t n) {
  qb_add(b, "\"", 1);
  for (size_t i = 0, from = 0; i <= n; i++)
    if (i == n || s[i] == '"') {
      qb_add(b, s + from, i - from + (i < n)); /* the quote itself, then again below */
      from = i;
    }
  qb_add(b, "\"", 1);
}

/* ---- the lexical pieces of the syntax -------------------------------------------------- */

static int starts(const char *p, const char *with) { return strncmp(p, with, strlen(with)) == 0; }

/* The length of the separator at p (ASCII white space, U+3000 ideographic space), or 0. */
static int space_len(const char *p) {
  if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
    return 1;
  return starts(p, "\xE3\x80\x80") ? 3 : 0;
}

static const char *word_end(const char *p) {
  while (*p && !space_len(p))
    p++;
  return p;
}

/* The quote pairs that delimit a phrase. */
static const struct {
  const char *open, *close;
} quotes[] = {
    {"\"", "\""},
    {"\xE2\x80\x9C", "\xE2\x80\x9D"}, /* “ ” */
    {"\xE3\x80\x8C", "\xE3\x80\x8D"}, /* 「 」 */
};

/* The length of the colon at p (':' or full-width '：'), or 0. */
static int colon_len(const char *p) {
  return *p == ':' ? 1 : starts(p, "\xEF\xBC\x9A") ? 3 : 0;
}

/* Field names (compared after folding, so 電話 and ＰＨＯＮＥ are names too) and the
 * column of the case index each selects. */
static const struct {
  const char *name, *column;
} fields[] = {
    {"phone", "phone"},   {"电话", "phone"},     {"手机", "phone"},    {"order", "order_no"},
    {"订单", "order_no"}, {"product", "product"}, {"产品", "product"}, {"型号", "product"},
    {"plate", "plate"},   {"车牌", "plate"},     {"name", "name"},     {"姓名", "name"},
    {"客户", "name"},     {"outlet", "outlet"},   {"网点", "outlet"},  {"门店", "outlet"},
};

/* The column named by s[0..n), or NULL when it names no field. */
static const char *field_column(const char *s, int n) {
  char folded[64];
  int32_t i = 0, len = 0;
  while (i < n) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0 || len + 4 >= (int32_t)sizeof folded)
      return NULL;
    UBool bad = 0;
    U8_APPEND((uint8_t *)folded, len, (int32_t)sizeof folded, (UChar32)ts_tok_fold_char((unsigned)c),
              bad);
    if (bad)
      return NULL;
  }
  folded[len] = '\0';
  for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
    if (strcmp(folded, fields[k].name) == 0)
      return fields[k].column;
  return NULL;
}

/* ---- terms ----------------------------------------------------------------------------- */

typedef struct {
  char text[TS_SQUERY_MAX_BYTES + 1]; /* as typed (phone: its digits) */
  int len;
  const char *column; /* NULL: every column */
  int exclude, prefix;
} term;

static int count_token(void *ctx, const ts_token *t) {
  (void)t;
  ++*(int *)ctx;
  return -1; /* one is enough */
}

/* 1 when text has a word, 0 when not, -1 when the tokenizer failed. */
static int has_word(ts_tok *tok, const char *text, int len) {
  int n = 0;
  int rc = ts_tok_run(tok, text, len, count_token, &n);
  return n ? 1 : rc == TS_OK ? 0 : -1;
}

/* The digits of s[0..n) (full-width ones folded) into out, which has room for n + 1. */
static int digits_of(const char *s, int n, char *out) {
  int32_t i = 0;
  int len = 0;
  while (i < n) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c >= 0)
      c = (UChar32)ts_tok_fold_char((unsigned)c);
    if (c >= '0' && c <= '9')
      out[len++] = (char)c;
  }
  out[len] = '\0';
  return len;
}

static void put_term(qbuf *b, const term *t) {
  if (t->column) {
    qb_str(b, t->column);
    qb_str(b, " : ");
  }
  qb_quoted(b, t->text, (size_t)t->len);
  if (t->prefix)
    qb_str(b, " *");
}

int ts_squery_build(const char *q, ts_squery_target target, ts_tok *tok, char *out, size_t outsz,
                    const char **why) {
  const char *reason = NULL;
  int rc = TS_ERR_INVALID;
  term *terms = NULL;
  int nterms = 0, npos = 0;
  if (!q)
    q = "";
  if (strlen(q) > TS_SQUERY_MAX_BYTES) {
    reason = "q is longer than 256 bytes";
    goto out;
  }
  terms = malloc(TS_SQUERY_MAX_TERMS * sizeof *terms);
  if (!terms) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  const char *p = q;
  while (*p) {
    int w = space_len(p);
    if (w) {
      p += w;
      continue;
    }
    term t = {.exclude = 0};
    if (*p == '-' || starts(p, "\xEF\xBC\x8D")) { /* - or full-width － */
      t.exclude = 1;
      p += *p == '-' ? 1 : 3;
      if (!*p || space_len(p))
        continue; /* a lone '-' */
    }
    /* field:term, when the word before the first colon names a field and something follows */
    const char *end = word_end(p), *c = p;
    while (c < end && !colon_len(c))
      c++;
    if (c < end && c + colon_len(c) < end) {
      const char *column = field_column(p, (int)(c - p));
      if (column) {
        t.column = column;
        p = c + colon_len(c);
      }
    }
    const char *from = NULL;
    int n = 0;
    for (size_t k = 0; k < sizeof quotes / sizeof quotes[0] && !from; k++)
      if (starts(p, quotes[k].open)) {
        from = p + strlen(quotes[k].open);
        const char *close = strstr(from, quotes[k].close);
        if (!close) {
          reason = "unclosed quote";
          goto out;
        }
        n = (int)(close - from);
        p = close + strlen(quotes[k].close);
        for (; *p == '*'; p++)
          t.prefix = 1;
      }
    if (!from) { /* a word, up to the next separator; quotes inside it are characters */
      from = p;
      end = word_end(p);
      p = end;
      for (; end > from && end[-1] == '*'; end--)
        t.prefix = 1;
      n = (int)(end - from);
    }
    if (t.column && strcmp(t.column, "phone") == 0 && target == TS_SQUERY_CASES) {
      t.len = digits_of(from, n, t.text);
    } else {
      memcpy(t.text, from, (size_t)n);
      t.text[n] = '\0';
      t.len = n;
    }
    if (target == TS_SQUERY_LIBRARY)
      t.column = NULL;
    int word = has_word(tok, t.text, t.len);
    if (word < 0) {
      rc = TS_ERR_NOMEM;
      goto out;
    }
    if (!word)
      continue; /* punctuation only: nothing to find */
    if (nterms == TS_SQUERY_MAX_TERMS) {
      reason = "q has more than 16 terms";
      goto out;
    }
    terms[nterms++] = t;
    npos += !t.exclude;
  }
  if (!nterms) {
    reason = "q has no words to search for";
    goto out;
  }
  if (!npos) {
    reason = "a search needs at least one word to find, not only -exclusions";
    goto out;
  }
  /* (a AND b) NOT c NOT d: FTS5's NOT is binary and binds tighter than AND */
  char expr[TS_SQUERY_OUT];
  qbuf b = {expr, 0, sizeof expr, 0};
  expr[0] = '\0';
  int wrap = npos > 1 && npos < nterms;
  if (wrap)
    qb_str(&b, "(");
  for (int i = 0, k = 0; i < nterms; i++)
    if (!terms[i].exclude) {
      if (k++)
        qb_str(&b, " AND ");
      put_term(&b, &terms[i]);
    }
  if (wrap)
    qb_str(&b, ")");
  for (int i = 0; i < nterms; i++)
    if (terms[i].exclude) {
      qb_str(&b, " NOT ");
      put_term(&b, &terms[i]);
    }
  if (b.full || b.len + 1 > outsz) {
    reason = "q is too long";
    goto out;
  }
  memcpy(out, expr, b.len + 1);
  rc = TS_OK;
out:
  free(terms);
  if (rc == TS_ERR_INVALID && why)
    *why = reason;
  return rc;
}

/* ---- texts like this one ----------------------------------------------------------------- */

/* Words that say nothing about what a complaint is about. Tokens are folded (simplified,
 * lower case), so one spelling each. The one-character entries also spoil a two-character
 * phrase made of single characters (我说 is no term). */
static const char *const stopwords[] = {
    "的", "了", "是", "我", "你", "他", "她", "它", "们", "在", "有", "和", "就",
    "不", "都", "也", "很", "要", "会", "说", "对", "到", "这", "那", "个", "一",
    "上", "下", "给", "让", "被", "把", "还", "又", "与", "及", "等", "吗", "呢",
    "吧", "啊",
    "我们", "你们", "他们", "因为", "所以", "但是", "已经", "没有", "什么", "这个",
    "那个", "一个", "可以", "现在", "时候", "自己", "如果", "然后", "而且", "还是",
    "就是", "我的", "你的", "他的", "她的", "它的", /* ICU keeps these as words */
    "the", "and", "for", "with", "was", "is", "are",
    "客户", "投诉", "问题", "情况", "要求", /* in every complaint */
};

static int is_stop(const char *s) {
  for (size_t i = 0; i < sizeof stopwords / sizeof stopwords[0]; i++)
    if (strcmp(s, stopwords[i]) == 0)
      return 1;
  return 0;
}

typedef struct {
  qbuf b;
  int max, n;
  int (*seen)[2]; /* offset and length in b of each term's text, for duplicates */
  char prev[8];   /* the single character just before, when the run of them goes on */
  int prev_end;   /* where it ended in the original text; -1: no run */
} similar;

enum { SIMILAR_ENOUGH = -1 }; /* a run's stop that is no error (errors are positive) */

/* Adds s[0..n) as a term unless it is there already. SIMILAR_ENOUGH stops the run: max
 * reached, or the buffer is full (the terms that fitted are kept). */
static int similar_add(similar *sm, const char *s, int n) {
  for (int i = 0; i < sm->n; i++)
    if (sm->seen[i][1] == n && memcmp(sm->b.p + sm->seen[i][0], s, (size_t)n) == 0)
      return 0;
  size_t before = sm->b.len;
  if (sm->n)
    qb_str(&sm->b, " OR ");
  qb_quoted(&sm->b, s, (size_t)n);
  if (sm->b.full) { /* no room: end with the terms that fitted */
    sm->b.len = before;
    sm->b.p[before] = '\0';
    return SIMILAR_ENOUGH;
  }
  sm->seen[sm->n][0] = (int)(sm->b.len - (size_t)n - 1);
  sm->seen[sm->n][1] = n;
  return ++sm->n >= sm->max ? SIMILAR_ENOUGH : 0;
}

static int similar_token(void *ctx, const ts_token *t) {
  similar *sm = ctx;
  if (t->kind == TS_TOK_IDEO && t->chars == 1 && t->len < (int)sizeof sm->prev) {
    int run = sm->prev_end == t->start;
    char bigram[2 * sizeof sm->prev + 1];
    int n = 0;
    if (run && !is_stop(sm->prev) && !is_stop(t->text))
      n = snprintf(bigram, sizeof bigram, "%s %s", sm->prev, t->text);
    memcpy(sm->prev, t->text, (size_t)t->len + 1);
    sm->prev_end = t->end;
    return n > 0 ? similar_add(sm, bigram, n) : 0;
  }
  sm->prev_end = -1;
  if (t->chars < 2 || is_stop(t->text))
    return 0;
  return similar_add(sm, t->text, t->len);
}

int ts_squery_similar(const char *text, ts_tok *tok, int max_terms, char *out, size_t outsz,
                      int *nterms) {
  if (max_terms <= 0 || !text || outsz == 0) {
    if (outsz)
      out[0] = '\0';
    *nterms = 0;
    return TS_OK;
  }
  if ((size_t)max_terms > outsz / 4) /* every term takes at least `"x"` and a separator */
    max_terms = (int)(outsz / 4) + 1;
  similar sm = {{out, 0, outsz, 0}, max_terms, 0, NULL, "", -1};
  sm.seen = malloc((size_t)max_terms * sizeof *sm.seen);
  if (!sm.seen)
    return TS_ERR_NOMEM;
  out[0] = '\0';
  int rc = ts_tok_run(tok, text, -1, similar_token, &sm);
  free(sm.seen);
  if (rc == SIMILAR_ENOUGH)
    rc = TS_OK;
  if (rc) {
    out[0] = '\0';
    return TS_ERR_NOMEM;
  }
  *nterms = sm.n;
  return TS_OK;
}
