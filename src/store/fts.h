/* The SQLite side of full-text search that every connection to a tousu database needs
 * before it touches the index (migration 10): the FTS5 tokenizer "tousu" (ICU words with
 * folding, search/tokenize.h) and the SQL function tousu_digits(text) (the digits of a
 * phone number, NULL when there are none), and tousu_day(t) (t's local date, the report's
 * daily totals, migration 11). The store registers them on each connection it
 * opens; a program that opens the database itself (bench/gen.c) must call this too. */
#ifndef TS_STORE_FTS_H
#define TS_STORE_FTS_H

#include <sqlite3.h>

/* TS_OK, or TS_ERR_STORE (logged) when FTS5 or ICU is not available. */
int ts_fts_register(sqlite3 *db);

#endif
