/* Case numbers: <prefix><YYYYMM><serial>, e.g. TS20261100042 (DOMAIN §2).
 *
 * The serial restarts every month and has at least TS_CASENO_MIN_DIGITS digits. Allocation
 * (gap-free, in the store's transaction) is the store's job; this module only formats,
 * parses and checks, with no I/O. */
#ifndef TS_CASENO_H
#define TS_CASENO_H

#include <stddef.h>
#include <stdint.h>

#define TS_CASENO_MIN_DIGITS 5
#define TS_CASENO_PREFIX_MAX 8
#define TS_CASENO_MAX 32 /* buffer size that holds any case number and its NUL */

/* 1 if prefix is 1..TS_CASENO_PREFIX_MAX upper-case ASCII letters, else 0. */
int ts_caseno_prefix_ok(const char *prefix);

/* The period key "<prefix><YYYYMM>" that numbers a month's series. */
int ts_caseno_period(const char *prefix, int year, int month, char *out, size_t outsz);

/* Writes "<prefix><YYYYMM><serial>" to out. TS_ERR_INVALID on a bad prefix, date or serial. */
int ts_caseno_format(const char *prefix, int year, int month, int64_t serial, char *out,
                     size_t outsz);

/* Splits a case number; TS_ERR_INVALID when s is not one. Any out pointer may be NULL. */
int ts_caseno_parse(const char *s, char *prefix, size_t prefixsz, int *year, int *month,
                    int64_t *serial);

#endif
