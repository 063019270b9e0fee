#include "core/text.h"

#include <string.h>

int ts_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t len;
    unsigned cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (n - i < len)
      return 0;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += len;
  }
  return 1;
}

size_t ts_utf8_len(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80)
      n++;
  return n;
}

int ts_text_clean(const char *s, int multiline) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == 0x7F)
      return 0;
    if (*p < 0x20) {
      if (!multiline || (*p != '\n' && *p != '\r' && *p != '\t'))
        return 0;
    }
  }
  return 1;
}

int ts_ident_ok(const char *s, size_t max) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > max)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
      return 0;
  }
  return 1;
}

int ts_code_ok(const char *s, size_t max, int lower) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > max)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int ok = (c >= '0' && c <= '9') || c == '_' || c == '-' ||
             (lower ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z'));
    if (!ok)
      return 0;
  }
  return 1;
}

int ts_phone_ok(const char *s) {
  size_t n = strlen(s), digits = 0;
  if (n < 3 || n > 32)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= '0' && c <= '9')
      digits++;
    else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')')
      return 0;
  }
  return digits >= 3;
}

int ts_email_ok(const char *s) {
  size_t n = strlen(s);
  const char *at = strchr(s, '@');
  if (n < 5 || n > 254 || !at || at == s || strchr(at + 1, '@'))
    return 0;
  const char *dot = strrchr(at, '.');
  if (!dot || dot == at + 1 || dot[1] == '\0')
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= ' ' || s[i] == 0x7F)
      return 0;
  return 1;
}
