/* Checks on text that comes from outside: UTF-8, control characters, identifiers,
 * phone numbers, e-mail addresses. Pure functions, no allocation. */
#ifndef TS_TEXT_H
#define TS_TEXT_H

#include <stddef.h>

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int ts_utf8_valid(const char *s, size_t n);

/* Number of code points in a valid UTF-8 string. */
size_t ts_utf8_len(const char *s);

/* 1 if s has no control characters; multiline allows \n, \r and \t. */
int ts_text_clean(const char *s, int multiline);

/* 1 if s is 1..max characters of [a-z0-9._-], starting with a letter or digit. */
int ts_ident_ok(const char *s, size_t max);

/* 1 if s is 1..max characters of [A-Z0-9_-] (unit codes); lower case letters allowed if
 * lower is set (category and channel codes, which are snake_case). */
int ts_code_ok(const char *s, size_t max, int lower);

/* 1 if s looks like a phone number: 3..32 of digits, spaces, '+', '-', '(', ')'. */
int ts_phone_ok(const char *s);

/* 1 if s looks like an e-mail address: local@domain.tld, <= 254 bytes, no spaces. */
int ts_email_ok(const char *s);

#endif
