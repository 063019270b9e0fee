/* Words of complaint text for the full-text index and its queries (issue 7).
 *
 * Chinese has no spaces between words, so words are found with ICU's word break iterator
 * (UBRK_WORD, its CJK dictionary), mixed with Latin letters and digits: "王經理說X200空调异响"
 * gives 王 | 经理 | 说 | x200 | 空调 | 异 | 响. Words the dictionary does not know fall apart
 * into single characters (异响 → 异|响); a query therefore matches a phrase of the same
 * tokens, which finds them exactly as written.
 *
 * Before breaking, every character is folded, so that what a person types finds what
 * another wrote: full-width and half-width letters and digits are one (ＡＢＣ１２３ = abc123,
 * NFKC), case is folded (X200 = x200), and traditional characters become simplified
 * (經理 = 经理, ICU's "Traditional-Simplified" applied character by character). Folding one
 * character never changes another, so every token keeps the byte range of the original
 * text it came from (for highlighted snippets of the text as written).
 *
 * Pure: no I/O. A ts_tok is used by one thread at a time; make one per connection. */
#ifndef TS_TOKENIZE_H
#define TS_TOKENIZE_H

#include <stddef.h>

#define TS_TOK_MAX_CHARS 64 /* longer words are cut to their first 64 UTF-16 units */

typedef enum {
  TS_TOK_NUMBER = 1,  /* digits, with letters mixed in: 2026, x200, 3.5 */
  TS_TOK_LETTER = 2,  /* a Latin (or other alphabetic) word */
  TS_TOK_IDEO = 3,    /* Chinese characters (also kana) */
} ts_tok_kind;

typedef struct {
  const char *text; /* the folded token, UTF-8, NUL-terminated */
  int len;          /* its bytes */
  int chars;        /* its characters */
  int start, end;   /* the byte range [start, end) of the original text */
  ts_tok_kind kind;
} ts_token;

/* Called for each word in order; a nonzero result stops the run and is returned by it. */
typedef int (*ts_tok_emit)(void *ctx, const ts_token *t);

typedef struct ts_tok ts_tok;

/* TS_OK, or TS_ERR_NOMEM / TS_ERR_STORE when ICU cannot open its word breaker or its
 * transliterator (missing ICU data; logged). The folding table is built once per process. */
int ts_tok_new(ts_tok **out);
void ts_tok_free(ts_tok *t);

/* This thread's tokenizer, made on first use and freed when the thread ends; NULL when
 * ICU is unavailable or memory is short. For callers with no connection of their own (the
 * HTTP handlers). */
ts_tok *ts_tok_thread(void);

/* Splits text[0..n) (UTF-8; n < 0: up to the NUL; invalid bytes break words) into words.
 * TS_OK, emit's nonzero result, or TS_ERR_NOMEM. */
int ts_tok_run(ts_tok *t, const char *text, int n, ts_tok_emit emit, void *ctx);

/* Who splits the words: this module's version, ICU's and its data's ("1/icu-72.1/72.1");
 * an index made by another must be rebuilt. */
const char *ts_tok_version(void);

/* The folded form of one character (for callers comparing single characters). */
unsigned ts_tok_fold_char(unsigned cp);

#endif
