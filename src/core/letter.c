/* Letter templates: one tokenizer (next_token) defines the syntax, and check, render and
 * the plain-text-to-HTML conversion are written on top of it, so the validator and the
 * renderer cannot disagree about what a template means.
 *
 * Grammar, byte by byte (UTF-8 passes through untouched, the syntax is all ASCII):
 *   "{{{{"               a literal "{{"
 *   "{{" name "}}"       a variable; name is 1-64 of [a-z0-9_.]
 *   "{{" anything else   malformed: an error for ts_letter_check, copied as it is by render
 *   everything else      text, copied as it is ("}}" alone too, so "{{{{x}}" shows "{{x}}")
 *
 * Output goes into a growing buffer with a ceiling (LETTER_MAX): a letter is a few pages,
 * anything larger comes from a runaway template or value and is refused. */
#include "core/letter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ts_err.h"
#include "util/buf.h"

#define LETTER_NAME_MAX 64
#define LETTER_MAX ((size_t)4 << 20)

static void buf_escaped(ts_buf *b, const char *s, size_t n) {
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    const char *ent;
    switch (s[i]) {
    case '&':
      ent = "&amp;";
      break;
    case '<':
      ent = "&lt;";
      break;
    case '>':
      ent = "&gt;";
      break;
    case '"':
      ent = "&quot;";
      break;
    case '\'':
      ent = "&#39;";
      break;
    default:
      continue;
    }
    ts_buf_add(b, s + run, i - run);
    ts_buf_str(b, ent);
    run = i + 1;
  }
  ts_buf_add(b, s + run, n - run);
}

/* ---- the tokenizer */

typedef enum {
  TOK_END,     /* end of the template */
  TOK_TEXT,    /* s[0..n) is text to copy */
  TOK_LITERAL, /* "{{{{": the text "{{" */
  TOK_VAR,     /* s[0..n) is a variable name */
  TOK_BAD      /* s points at a "{{" that starts no variable; n = 2 */
} tok_kind;

typedef struct {
  tok_kind kind;
  const char *s;
  size_t n;
} tok;

static int name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/* Reads the token at p into t; returns where the next token starts. */
static const char *next_token(const char *p, tok *t) {
  t->s = p;
  t->n = 0;
  if (!*p) {
    t->kind = TOK_END;
    return p;
  }
  if (p[0] != '{' || p[1] != '{') {
    const char *open = strstr(p, "{{");
    t->kind = TOK_TEXT;
    t->n = open ? (size_t)(open - p) : strlen(p);
    return p + t->n;
  }
  if (p[2] == '{' && p[3] == '{') {
    t->kind = TOK_LITERAL;
    return p + 4;
  }
  size_t n = 0;
  while (n <= LETTER_NAME_MAX && name_char(p[2 + n]))
    n++;
  if (n == 0 || n > LETTER_NAME_MAX || p[2 + n] != '}' || p[3 + n] != '}') {
    t->kind = TOK_BAD;
    t->n = 2;
    return p + 2;
  }
  t->kind = TOK_VAR;
  t->s = p + 2;
  t->n = n;
  return p + 4 + n;
}

/* 1-based character (code point) position of p in tpl, for messages an admin can follow
 * in a Chinese template. */
static size_t char_pos(const char *tpl, const char *p) {
  size_t n = 1;
  for (; tpl < p; tpl++)
    if (((unsigned char)*tpl & 0xC0) != 0x80)
      n++;
  return n;
}

/* known == NULL checks the syntax only. */
int ts_letter_check(const char *tpl, const char *const *known, char *whybuf, size_t whysz) {
  tok t;
  if (!tpl) {
    if (whybuf && whysz)
      snprintf(whybuf, whysz, "%s", "the template is missing");
    return TS_ERR_INVALID;
  }
  for (const char *p = next_token(tpl, &t); t.kind != TOK_END; p = next_token(p, &t)) {
    if (t.kind == TOK_BAD) {
      if (whybuf && whysz)
        snprintf(whybuf, whysz,
                 "\"{{\" at character %zu starts no variable: write {{name}} with a name of "
                 "1-64 of a-z 0-9 _ . , or {{{{ for a literal {{",
                 char_pos(tpl, t.s));
      return TS_ERR_INVALID;
    }
    if (t.kind != TOK_VAR || !known)
      continue;
    int found = 0;
    for (size_t i = 0; known[i] && !found; i++)
      found = strlen(known[i]) == t.n && memcmp(known[i], t.s, t.n) == 0;
    if (!found) {
      if (whybuf && whysz)
        snprintf(whybuf, whysz, "unknown variable {{%.*s}} at character %zu", (int)t.n, t.s,
                 char_pos(tpl, t.s - 2));
      return TS_ERR_INVALID;
    }
  }
  return TS_OK;
}

/* The value of name in vars: the key itself ("case.no"), else a path through nested
 * objects ({"case": {"no": ...}}). NULL when there is none. */
static json_t *lookup(json_t *vars, const char *name, size_t n) {
  char key[LETTER_NAME_MAX + 1];
  memcpy(key, name, n);
  key[n] = '\0';
  json_t *v = json_object_get(vars, key);
  if (v || !memchr(key, '.', n))
    return v;
  v = vars;
  for (char *seg = key; v && seg;) {
    char *dot = strchr(seg, '.');
    if (dot)
      *dot = '\0';
    v = json_object_get(v, seg);
    seg = dot ? dot + 1 : NULL;
  }
  return v;
}

/* Strings as they are, numbers printed, anything else (null, booleans, objects) "". */
static void put_value(ts_buf *b, json_t *v, int html) {
  char num[64];
  const char *s = NULL;
  size_t n = 0;
  if (json_is_string(v)) {
    s = json_string_value(v);
    n = strlen(s);
  } else if (json_is_integer(v) || json_is_real(v)) {
    int k = json_is_integer(v)
                ? snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v))
                : snprintf(num, sizeof num, "%.15g", json_real_value(v));
    if (k > 0 && (size_t)k < sizeof num) {
      s = num;
      n = (size_t)k;
    }
  }
  if (!s)
    return;
  if (html)
    buf_escaped(b, s, n);
  else
    ts_buf_add(b, s, n);
}

int ts_letter_render(const char *tpl, json_t *vars, int html, char **out) {
  ts_buf b = {.max = LETTER_MAX};
  tok t;
  if (!tpl)
    return TS_ERR_INVALID;
  for (const char *p = next_token(tpl, &t); t.kind != TOK_END; p = next_token(p, &t)) {
    switch (t.kind) {
    case TOK_TEXT:
      ts_buf_add(&b, t.s, t.n);
      break;
    case TOK_LITERAL:
      ts_buf_str(&b, "{{");
      break;
    case TOK_BAD:
      ts_buf_add(&b, t.s, t.n);
      break;
    case TOK_VAR:
      put_value(&b, json_is_object(vars) ? lookup(vars, t.s, t.n) : NULL, html);
      break;
    case TOK_END:
      break;
    }
  }
  return ts_buf_finish(&b, out);
}

/* 1 if s[0..n) is only spaces and tabs. */
static int blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t')
      return 0;
  return 1;
}

int ts_letter_text_to_html(const char *title, const char *text, char **out) {
  ts_buf b = {.max = LETTER_MAX};
  int in_par = 0;
  if (!text)
    return TS_ERR_INVALID;
  ts_buf_str(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
  buf_escaped(&b, title ? title : "", title ? strlen(title) : 0);
  ts_buf_str(&b, "</title></head>\n<body>\n");
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    size_t m = n && p[n - 1] == '\r' ? n - 1 : n; /* CRLF text too */
    if (blank(p, m)) {
      if (in_par)
        ts_buf_str(&b, "</p>\n");
      in_par = 0;
    } else {
      ts_buf_str(&b, in_par ? "<br>\n" : "<p>");
      buf_escaped(&b, p, m);
      in_par = 1;
    }
    p = nl ? nl + 1 : p + n;
  }
  if (in_par)
    ts_buf_str(&b, "</p>\n");
  ts_buf_str(&b, "</body></html>\n");
  return ts_buf_finish(&b, out);
}
