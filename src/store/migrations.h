/* Versioned schema migrations: migration i (1-based) takes the schema from version i-1
 * to i. Applied in order, each in its own transaction, on every start. Never edit a
 * released migration: add a new one. */
#ifndef TS_MIGRATIONS_H
#define TS_MIGRATIONS_H

extern const char *const ts_migrations[];
extern const int ts_migrations_count;
/* SQL that empties and refills the full-text indexes from the tables (migration 10). */
extern const char ts_fts_rebuild_sql[];

#endif
