/* Anonymisation for the case library (DOMAIN §10, PIPL): removes what identifies a
 * person from a text — the names the case knows (complainant, employee), phone numbers,
 * vehicle plates and VINs, identity-card numbers, e-mail addresses — replacing each with
 * a neutral word. Pure; UTF-8 in, UTF-8 out. */
#ifndef TS_ANONYMISE_H
#define TS_ANONYMISE_H

#include "core/case.h"

/* A malloc'd anonymised copy of text, or NULL when out of memory. The names of c (if
 * given) are replaced wherever they appear, and so is a surname followed by 先生, 女士,
 * 小姐 or 师傅. */
char *ts_anonymise(const char *text, const ts_case *c);

#endif
