/* Services: the operations that the HTTP API, the CLI and the demo loader share —
 * validating input against the domain rules and the configured data, then writing it
 * through the store. One implementation each, so `tousu user add` and POST /users (or
 * `tousu demo` and POST /cases) cannot drift apart. */
#ifndef TS_SVC_H
#define TS_SVC_H

#include <jansson.h>
#include <stdint.h>

#include "core/case.h"
#include "store/store.h"
#include "util/password.h"

/* Lookups of configured data from the store, for ts_case_apply_json. */
ts_case_lookup ts_svc_case_lookup(ts_store *s);

/* Validates a registration body for `who` into a new case with its defaults (status
 * received, grade g1, owner who, outlet who's own when not given, received_at now).
 * TS_ERR_INVALID with errors filled; TS_ERR_FORBIDDEN when the outlet lies outside
 * who's place. */
int ts_svc_case_prepare(ts_store *s, const ts_user *who, json_t *body, int64_t now,
                        ts_case **out, json_t *errors);
/* Inside a write: derives the case's subject key and runs the grading rules on it (the
 * cross-case rules count through the transaction, so concurrent registrations see each
 * other). Call after every change, before the case is written. */
int ts_svc_case_grade(ts_tx *tx, ts_case *c, int64_t now);

/* Inside a write that changed a case's losses or root cause: when the losses of all cases
 * with its root cause reach `threshold` cents, the case gets an HR review (人事评议) penalty
 * proposal unless it has one. *added is 1 if one was proposed. */
int ts_svc_hr_review(ts_tx *tx, const ts_case *c, int64_t threshold, const char *actor,
                     int64_t now, int *added);

/* The "register" history entry of a prepared case as JSON text (malloc'd), without the
 * number and time that the write assigns. Built before the write, so the writer thread
 * does not spend its time on JSON. */
char *ts_svc_case_register_changes(const ts_case *c);
/* Inside a write: numbers and inserts c and records "register" in its history; changes is
 * ts_svc_case_register_changes(c) (or NULL to compute it here). */
int ts_svc_case_insert(ts_tx *tx, ts_case *c, const char *prefix, const char *actor,
                       int64_t now, const char *changes);

/* Validates a user body. create: username, password, display_name, roles and unit are
 * required and pwhash receives the password's hash; otherwise (a PATCH) only the given
 * members change u, and username/password are refused. */
int ts_svc_user_prepare(ts_store *s, json_t *body, int create, ts_user *u,
                        char pwhash[TS_PWHASH_MAX], json_t *errors);
/* The list named by a path word ("channels", "categories", "service-stages"), or -1. */
int ts_svc_list_parse(const char *name);
/* Validates an entry of a configured list: {"name_zh","name_en","sort","active"} plus
 * "external" for channels and "parent" for categories. */
int ts_svc_list_prepare(ts_store *s, int list, const char *code, json_t *body,
                        ts_list_item *out, json_t *errors);

/* Validates an approval limit {"max_cents": n or null, "max_grade": "g1".."g4"} for a role. */
int ts_svc_approval_limit_prepare(const char *role, json_t *body, int64_t *max_cents,
                                  const char **max_grade, json_t *errors);
/* Validates {"targets": ["outlet"|"region"|"unit:CODE"|"role:ROLE", ...]} for a grade's
 * escalation tier (at most 16). */
int ts_svc_escalation_prepare(const char *grade, json_t *body, const char **targets, int *n,
                              json_t *errors);
/* Validates a setting: a known key and {"value": n} within its range. */
int ts_svc_setting_prepare(const char *key, json_t *body, int64_t *value, json_t *errors);

/* One exception day of the working calendar, parsed. */
typedef struct {
  char date[11];
  int working;
  char name[404];
} ts_cal_entry;
/* Parses a year's list ("date,kind,name" lines; blank and '#' lines skipped) into *out
 * (malloc'd). Problems go to errors as {"line N": reason} (at most 20); TS_ERR_INVALID if
 * any, or if there is no line at all. */
int ts_svc_calendar_parse(const char *text, ts_cal_entry **out, int *n, json_t *errors);
/* Inside a write: stores the parsed days (all of them, or none when one fails). */
int ts_svc_calendar_store(ts_tx *tx, const ts_cal_entry *days, int n);

/* Validates a unit body {"name","kind","parent","code"} for creation. */
int ts_svc_unit_prepare(ts_store *s, json_t *body, ts_unit *u, json_t *errors);

#endif
