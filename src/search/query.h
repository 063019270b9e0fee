/* What a person types into a search box, as an SQLite FTS5 query (issue 7). Pure: no I/O.
 *
 * The syntax (docs/search.md):
 *   空调 异响          words; every one must match (AND). A word is matched as the phrase of
 *                      its tokens (tokenize.h), so 异响 finds 异|响 and nothing else.
 *   "空调 不制冷"       a quoted phrase (also “…” and 「…」): its tokens in this order.
 *   -退款              excludes cases that match it (needs at least one positive term).
 *   phone:138…         a field: phone 电话 手机, order 订单, product 产品 型号, plate 车牌,
 *                      name 姓名 客户, outlet 网点 门店 (also with a full-width colon ：).
 *                      phone: keeps only the digits of the term.
 *   X20*               a prefix (at the end of a word).
 * Anything else is text: a colon after an unknown word is just a character, as are FTS5's
 * own operators (AND, OR, NEAR, parentheses, ^): nothing a user types can make an invalid
 * FTS5 query or reach another column than those above. */
#ifndef TS_QUERY_H
#define TS_QUERY_H

#include <stddef.h>

#include "search/tokenize.h"

#define TS_SQUERY_MAX_BYTES 256 /* longest q accepted */
#define TS_SQUERY_MAX_TERMS 16  /* most terms (words, phrases, exclusions) */
#define TS_SQUERY_OUT 4096      /* room enough for the expression of any accepted q */

/* The columns of the index of cases (migration 10), in this order; scope is never a field
 * of the syntax (store_search.c writes it). */
#define TS_FTS_CASE_COLUMNS \
  "case_no, title, body, name, phone, product, order_no, plate, outlet, notes, scope"
/* The columns of the index of library write-ups, in this order. */
#define TS_FTS_LIBRARY_COLUMNS "title, scenario, analysis, correct_practice, solution"

typedef enum {
  TS_SQUERY_CASES,   /* field prefixes select columns of the case index */
  TS_SQUERY_LIBRARY, /* the library has no such columns: prefixed terms search every column */
} ts_squery_target;

/* Parses q and writes the FTS5 expression (NUL-terminated) into out[outsz], outsz at least
 * TS_SQUERY_OUT. Terms with no word at all (only punctuation) are dropped. TS_OK, or
 * TS_ERR_INVALID with a static English reason in *why: q empty or without any word,
 * longer than TS_SQUERY_MAX_BYTES, more than TS_SQUERY_MAX_TERMS terms, an unclosed
 * quote, only exclusions. TS_ERR_NOMEM when the tokenizer fails. */
int ts_squery_build(const char *q, ts_squery_target target, ts_tok *tok, char *out, size_t outsz,
                    const char **why);

/* A query that finds texts like `text` (a complaint being typed, or a case's own words):
 * its distinctive terms joined with OR, at most max_terms of them, in the order they first
 * appear. Distinctive: words of two or more characters, runs of single Chinese characters
 * taken as two-character phrases (异|响 → "异 响"), numbers and Latin words of two or more
 * characters; never a common function word (的, 我们, 因为 … a fixed list). *nterms gets
 * the count; with 0 terms out is "" (nothing to look for). TS_OK or TS_ERR_NOMEM. */
int ts_squery_similar(const char *text, ts_tok *tok, int max_terms, char *out, size_t outsz,
                      int *nterms);

#endif
