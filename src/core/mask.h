/* Masking of personal data (DOMAIN §12, PIPL) for lists, exports and reports read by roles
 * that do not need it: enough is left for a person to recognise a customer they already
 * know, not to contact one. Pure; UTF-8 in and out; out always NUL-terminated. */
#ifndef TS_MASK_H
#define TS_MASK_H

#include <stddef.h>

#define TS_MASK_MAX 64

/* "13800138000" -> "138****8000"; fewer than 7 digits: all but the last 2 masked. */
void ts_mask_phone(const char *phone, char *out, size_t outsz);
/* The first character, then one '*' per further character (at most 3): 张伟 -> 张*. */
void ts_mask_name(const char *name, char *out, size_t outsz);
/* "zhang.wei@example.com" -> "z***@example.com". */
void ts_mask_email(const char *email, char *out, size_t outsz);
/* Identity or customer numbers: the first 2 and last 2 characters kept. */
void ts_mask_id(const char *id, char *out, size_t outsz);

#endif
