#include "core/mask.h"

#include <stdio.h>
#include <string.h>

/* Bytes of the UTF-8 character that starts with byte c (1 for anything invalid). */
static size_t u8len(unsigned char c) {
  return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

static void put(char *out, size_t outsz, size_t *n, const char *s, size_t len) {
  if (*n + len < outsz) {
    memcpy(out + *n, s, len);
    *n += len;
  }
  out[*n] = '\0';
}

void ts_mask_phone(const char *phone, char *out, size_t outsz) {
  char d[TS_MASK_MAX];
  size_t nd = 0, n = 0;
  if (!outsz)
    return;
  out[0] = '\0';
  for (const char *p = phone ? phone : ""; *p && nd < sizeof d - 1; p++)
    if (*p >= '0' && *p <= '9')
      d[nd++] = *p;
  size_t head = nd >= 7 ? 3 : 0, tail = nd >= 7 ? 4 : nd > 2 ? 2 : 0;
  put(out, outsz, &n, d, head);
  for (size_t i = head; i + tail < nd; i++)
    put(out, outsz, &n, "*", 1);
  put(out, outsz, &n, d + nd - tail, tail);
}

void ts_mask_name(const char *name, char *out, size_t outsz) {
  size_t n = 0, chars = 0;
  if (!outsz)
    return;
  out[0] = '\0';
  if (!name || !*name)
    return;
  size_t first = u8len((unsigned char)name[0]);
  if (strnlen(name, first) < first)
    return;
  put(out, outsz, &n, name, first);
  for (const char *p = name + first; *p && chars < 3; p += u8len((unsigned char)*p), chars++) {
    if (strnlen(p, u8len((unsigned char)*p)) < u8len((unsigned char)*p))
      break;
    put(out, outsz, &n, "*", 1);
  }
  if (!chars)
    put(out, outsz, &n, "*", 1);
}

void ts_mask_email(const char *email, char *out, size_t outsz) {
  size_t n = 0;
  if (!outsz)
    return;
  out[0] = '\0';
  const char *at = email ? strchr(email, '@') : NULL;
  if (!at || at == email) {
    put(out, outsz, &n, "***", 3);
    return;
  }
  put(out, outsz, &n, email, 1);
  put(out, outsz, &n, "***", 3);
  put(out, outsz, &n, at, strnlen(at, outsz));
}

void ts_mask_id(const char *id, char *out, size_t outsz) {
  size_t n = 0, len = id ? strlen(id) : 0;
  if (!outsz)
    return;
  out[0] = '\0';
  if (len <= 4) {
    put(out, outsz, &n, "****", len ? len : 0);
    return;
  }
  put(out, outsz, &n, id, 2);
  put(out, outsz, &n, "****", 4);
  put(out, outsz, &n, id + len - 2, 2);
}
