/* ICU word tokens with folding; see tokenize.h. */
#include "search/tokenize.h"

#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/udata.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>

#include "core/ts_err.h"
#include "util/log.h"

/* One folded BMP unit for every BMP unit; built once. Characters outside the BMP are not
 * folded (rare in complaints; they still break into words as they are). */
static uint16_t fold_table[0x10000];
static int fold_ok;
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

/* The single unit `in` becomes after NFKC + case folding, or `in` when the result is not a
 * single BMP unit (ligatures, characters that vanish). */
static UChar fold_nfkc(const UNormalizer2 *nfkc, UChar in) {
  UChar out[8];
  UErrorCode e = U_ZERO_ERROR;
  int32_t n = unorm2_normalize(nfkc, &in, 1, out, 8, &e);
  return U_SUCCESS(e) && n == 1 && !U16_IS_SURROGATE(out[0]) ? out[0] : in;
}

static void fold_build(void) {
  UErrorCode e = U_ZERO_ERROR;
  const UNormalizer2 *nfkc = unorm2_getNFKCCasefoldInstance(&e);
  UChar id[] = u"Traditional-Simplified";
  UTransliterator *t2s = U_SUCCESS(e) ? utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e)
                                      : NULL;
  if (U_FAILURE(e) || !t2s) {
    ts_log(TS_LOG_ERROR, "ICU folding unavailable", json_pack("{s:s}", "detail", u_errorName(e)));
    return;
  }
  for (uint32_t c = 0; c < 0x10000; c++)
    fold_table[c] = U16_IS_SURROGATE(c) ? (uint16_t)c : fold_nfkc(nfkc, (UChar)c);
  /* Traditional to simplified over the CJK blocks (after NFKC, which maps compatibility
   * ideographs to unified ones). */
  for (uint32_t c = 0x3400; c < 0xA000; c++) {
    UChar x[8] = {fold_table[c]};
    int32_t len = 1, limit = 1;
    e = U_ZERO_ERROR;
    utrans_transUChars(t2s, x, &len, 8, 0, &limit, &e);
    if (U_SUCCESS(e) && len == 1 && !U16_IS_SURROGATE(x[0]))
      fold_table[c] = x[0];
  }
  /* Separators that ICU would keep inside a word: '@' (so example.com finds an address)
   * and the middle dots of plates and transliterated names (京B·CD888, 阿卜杜拉·买买提). */
  static const uint16_t seps[] = {'@', 0x00B7, 0x2027, 0x30FB, 0xFF20, 0xFF65};
  for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++)
    fold_table[seps[i]] = ' ';
  for (uint32_t c = 0xF900; c < 0xFB00; c++) /* compatibility ideographs, folded by NFKC */
    if (fold_table[c] >= 0x3400 && fold_table[c] < 0xA000)
      fold_table[c] = fold_table[fold_table[c]];
  utrans_close(t2s);
  fold_ok = 1;
}

unsigned ts_tok_fold_char(unsigned cp) {
  pthread_once(&fold_once, fold_build);
  return cp < 0x10000 && fold_ok ? fold_table[cp] : cp;
}

/* Raise when a change here, or in the index's tokenizer (store_search.c), splits or folds
 * any text differently: every index made before is then rebuilt at start-up. */
#define TOKENIZER_VERSION "3" /* 2: bigrams of long Chinese words; 3: rank tousu_bm25 */

static char version[64];
static pthread_once_t version_once = PTHREAD_ONCE_INIT;

static void version_make(void) {
  UVersionInfo v, d;
  char vs[U_MAX_VERSION_STRING_LENGTH], ds[U_MAX_VERSION_STRING_LENGTH];
  UErrorCode e = U_ZERO_ERROR;
  u_getVersion(v);
  u_versionToString(v, vs);
  u_getDataVersion(d, &e);
  if (U_FAILURE(e))
    memset(d, 0, sizeof d);
  u_versionToString(d, ds);
  snprintf(version, sizeof version, TOKENIZER_VERSION "/icu-%s/%s", vs, ds);
}

const char *ts_tok_version(void) {
  pthread_once(&version_once, version_make);
  return version;
}

struct ts_tok {
  UBreakIterator *brk;
  UChar *u;     /* the folded text */
  int32_t *off; /* off[i]: byte offset in the original of unit i; off[len] = n */
  int32_t cap;
};

int ts_tok_new(ts_tok **out) {
  pthread_once(&fold_once, fold_build);
  if (!fold_ok)
    return TS_ERR_STORE;
  ts_tok *t = calloc(1, sizeof *t);
  if (!t)
    return TS_ERR_NOMEM;
  UErrorCode e = U_ZERO_ERROR;
  t->brk = ubrk_open(UBRK_WORD, "zh_CN", NULL, 0, &e);
  if (U_FAILURE(e) || !t->brk) {
    ts_log(TS_LOG_ERROR, "ICU word breaker unavailable",
           json_pack("{s:s}", "detail", u_errorName(e)));
    ts_tok_free(t);
    return TS_ERR_STORE;
  }
  *out = t;
  return TS_OK;
}

void ts_tok_free(ts_tok *t) {
  if (!t)
    return;
  if (t->brk)
    ubrk_close(t->brk);
  free(t->u);
  free(t->off);
  free(t);
}

static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void thread_key_make(void) {
  pthread_key_create(&thread_key, (void (*)(void *))ts_tok_free);
}

ts_tok *ts_tok_thread(void) {
  pthread_once(&thread_once, thread_key_make);
  ts_tok *t = pthread_getspecific(thread_key);
  if (!t && ts_tok_new(&t) == TS_OK && pthread_setspecific(thread_key, t) != 0) {
    ts_tok_free(t);
    t = NULL;
  }
  return t;
}

/* Room for n + 1 units (a UTF-8 text of n bytes never needs more UTF-16 units). */
static int reserve(ts_tok *t, int32_t n) {
  if (n + 1 <= t->cap)
    return TS_OK;
  int32_t cap = n + 1 < 256 ? 256 : n + 1;
  UChar *u = realloc(t->u, (size_t)cap * sizeof *u);
  if (u)
    t->u = u;
  int32_t *off = realloc(t->off, (size_t)(cap + 1) * sizeof *off);
  if (off)
    t->off = off;
  if (!u || !off)
    return TS_ERR_NOMEM;
  t->cap = cap;
  return TS_OK;
}

static ts_tok_kind kind_of(int32_t status) {
  if (status >= UBRK_WORD_NUMBER && status < UBRK_WORD_NUMBER_LIMIT)
    return TS_TOK_NUMBER;
  if (status >= UBRK_WORD_LETTER && status < UBRK_WORD_LETTER_LIMIT)
    return TS_TOK_LETTER;
  return TS_TOK_IDEO; /* kana and ideographs */
}

int ts_tok_run(ts_tok *t, const char *text, int n, ts_tok_emit emit, void *ctx) {
  if (n < 0)
    n = (int)strlen(text);
  if (reserve(t, n))
    return TS_ERR_NOMEM;
  /* Decode and fold, remembering where each unit came from. */
  int32_t len = 0, i = 0;
  while (i < n) {
    int32_t at = i;
    UChar32 c;
    U8_NEXT(text, i, n, c);
    if (c < 0)
      c = ' '; /* an invalid byte separates words */
    if (c < 0x10000) {
      t->off[len] = at;
      t->u[len++] = fold_table[c];
    } else {
      t->off[len] = at;
      t->u[len++] = U16_LEAD(c);
      t->off[len] = at;
      t->u[len++] = U16_TRAIL(c);
    }
  }
  t->off[len] = n;
  UErrorCode e = U_ZERO_ERROR;
  ubrk_setText(t->brk, t->u, len, &e);
  if (U_FAILURE(e))
    return TS_ERR_STORE;
  char word[TS_TOK_MAX_CHARS * 3 + 1];
  int32_t p = ubrk_first(t->brk), q;
  for (; (q = ubrk_next(t->brk)) != UBRK_DONE; p = q) {
    int32_t status = ubrk_getRuleStatus(t->brk);
    if (status < UBRK_WORD_NONE_LIMIT)
      continue; /* spaces, punctuation, symbols */
    int32_t units = q - p > TS_TOK_MAX_CHARS ? TS_TOK_MAX_CHARS : q - p;
    if (units < q - p && U16_IS_LEAD(t->u[p + units - 1]))
      units--; /* never cut a surrogate pair */
    int32_t wlen = 0;
    e = U_ZERO_ERROR;
    u_strToUTF8(word, (int32_t)sizeof word - 1, &wlen, t->u + p, units, &e);
    if (U_FAILURE(e) || wlen <= 0)
      continue;
    word[wlen] = '\0';
    ts_token tok = {word, wlen, u_countChar32(t->u + p, units), t->off[p], t->off[q],
                    kind_of(status)};
    int rc = emit(ctx, &tok);
    if (rc)
      return rc;
  }
  return TS_OK;
}
