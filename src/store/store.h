/* The store: every durable thing tousu knows, behind one interface.
 *
 * Shape. Reads may be called from any thread and use a pool of read connections
 * (WAL readers never block the writer). Writes run on one writer thread: a caller hands
 * it an apply function, the writer runs many callers' functions inside one transaction
 * (each in its own savepoint, so one failing write does not undo another), commits once
 * with a full fsync and only then reports each result — group commit. Inside an apply
 * function the ts_tx_* calls see the transaction's own writes. No SQL crosses this
 * header, so a PostgreSQL backend can implement the same functions.
 *
 * Ownership. Functions named *_list or *_get that return pointers give the caller
 * ownership (free with the named free function or json_decref). Structs passed in are
 * borrowed for the duration of the call. */
#ifndef TS_STORE_H
#define TS_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/case.h"
#include "core/perm.h"

typedef struct ts_store ts_store;
typedef struct ts_tx ts_tx;

typedef struct {
  const char *path; /* database file; created if missing */
  int readers;      /* read connections in the pool (default 8) */
  int max_batch;    /* most writes grouped into one commit (default 256) */
  int readonly;     /* open for reading only: no writer, no migrations */
} ts_store_opts;

/* Opens (creating if needed), runs pending migrations and starts the writer. */
int ts_store_open(const ts_store_opts *o, ts_store **out);
/* Finishes every queued write, stops the writer and closes all connections. */
void ts_store_close(ts_store *s);
/* Stops accepting new writes (they answer TS_ERR_BUSY); queued ones still finish. */
void ts_store_quiesce(ts_store *s);

/* TS_OK when the store answers a trivial query. */
int ts_store_ping(ts_store *s);
/* The schema version (number of applied migrations) and the newest this build knows. */
int ts_store_schema_version(ts_store *s, int *current, int *latest);

typedef struct {
  uint64_t reads, read_ns;     /* read calls and their time */
  uint64_t commits, commit_ns; /* group commits and their time (incl. fsync) */
  uint64_t writes;             /* apply functions run */
} ts_store_stats;
void ts_store_get_stats(ts_store *s, ts_store_stats *out);

/* ---- writes ---------------------------------------------------------------------- */

/* Runs inside the writer's transaction. Return TS_OK to keep the changes, anything else
 * to undo this function's changes (only), which becomes the write's result.
 * An apply function may run more than once for one write (when another write of its
 * group fails, the group is rolled back and run again), so it must leave its argument
 * as a single run would: free what an earlier run allocated, and count nothing twice. */
typedef int (*ts_apply_fn)(ts_tx *tx, void *arg);
/* Called on the writer thread after the commit (or the undo) with the final result. */
typedef void (*ts_done_fn)(void *arg, int rc);

/* Queues a write. TS_OK: done will be called exactly once. Any other result: done will
 * never be called (TS_ERR_BUSY after ts_store_quiesce). */
int ts_store_submit(ts_store *s, ts_apply_fn apply, ts_done_fn done, void *arg);
/* Queues a write and waits for its commit; returns its result. */
int ts_store_run(ts_store *s, ts_apply_fn apply, void *arg);

/* ---- organisation --------------------------------------------------------------- */

typedef struct {
  int64_t id;
  char code[33];   /* optional short code ("SH-4S-01"), "" if none */
  char name[404];  /* up to 100 characters of UTF-8 */
  char kind[16];   /* company, region, outlet, department */
  int64_t parent_id; /* 0 for the root */
  char path[256];  /* "/1/4/9/": ids from the root, ending with this unit's */
  int64_t created_at;
} ts_unit;

int ts_store_unit_get(ts_store *s, int64_t id, ts_unit *out);
int ts_store_unit_by_code(ts_store *s, const char *code, ts_unit *out);
/* All units, ordered by path. *out is malloc'd; free() it. */
int ts_store_unit_list(ts_store *s, ts_unit **out, size_t *n);
/* Inserts u (id and path are filled in). TS_ERR_CONFLICT on a duplicate code or a second
 * company, TS_ERR_INVALID on a missing parent. */
int ts_tx_unit_insert(ts_tx *tx, ts_unit *u);
int ts_tx_unit_get(ts_tx *tx, int64_t id, ts_unit *out);
/* Renames a unit (name and code only; moving in the tree is not supported). */
int ts_tx_unit_update(ts_tx *tx, const ts_unit *u);

/* ---- users and sessions ----------------------------------------------------------- */

typedef struct {
  int64_t id;
  char username[65];
  char display_name[404]; /* up to 100 characters of UTF-8 */
  char email[256];
  unsigned roles;
  int64_t unit_id; /* 0: none */
  char unit_path[256];
  int disabled;
  int64_t created_at;
} ts_user;

/* A user by name; hash (may be NULL) receives the argon2id password hash. */
int ts_store_user_get(ts_store *s, const char *username, ts_user *out, char *hash,
                      size_t hashsz);
int ts_store_user_list(ts_store *s, ts_user **out, size_t *n);
/* TS_ERR_CONFLICT if the username exists. Fills u->id. */
int ts_tx_user_insert(ts_tx *tx, ts_user *u, const char *pwhash);
int ts_tx_user_get(ts_tx *tx, const char *username, ts_user *out);
/* Writes display_name, email, roles, unit_id and disabled of u (by username). */
int ts_tx_user_update(ts_tx *tx, const ts_user *u);
int ts_tx_user_set_password(ts_tx *tx, const char *username, const char *pwhash);
/* Number of users that are enabled admins (to refuse removing the last one). */
int ts_tx_admin_count(ts_tx *tx, int64_t *n);

/* A session is kept only as the SHA-256 of its token. */
int ts_tx_session_insert(ts_tx *tx, const unsigned char hash[32], int64_t user_id,
                         int64_t created, int64_t expires);
int ts_tx_session_delete(ts_tx *tx, const unsigned char hash[32]);
int ts_tx_sessions_delete_user(ts_tx *tx, int64_t user_id);
/* The enabled user of an unexpired session; TS_ERR_UNAUTH otherwise. */
int ts_store_session_user(ts_store *s, const unsigned char hash[32], int64_t now,
                          ts_user *out);

/* ---- configured lists ------------------------------------------------------------- */

int ts_store_channel_get(ts_store *s, const char *code, int *external);
int ts_store_stage_get(ts_store *s, const char *code);
/* [{"code","name_zh","name_en"}...] */
int ts_store_stage_list(ts_store *s, json_t **out);
/* A numeric setting (settings table), or def when it is not set. */
int64_t ts_store_setting_int(ts_store *s, const char *key, int64_t def);
int ts_store_category_get(ts_store *s, const char *code);
/* [{"code","name_zh","name_en","external"}...] / [{"code","parent","name_zh","name_en"}] */
int ts_store_channel_list(ts_store *s, json_t **out);
int ts_store_category_list(ts_store *s, json_t **out);

/* ---- cases ------------------------------------------------------------------------ */

/* Allocates the next number of the month of `now` in the organisation's zone (gap-free:
 * the counter moves in this transaction), then inserts c with case_no, registered_at,
 * updated_at set. Fills c->id. */
int ts_tx_case_insert(ts_tx *tx, ts_case *c, const char *prefix, int64_t now);
int ts_tx_case_get(ts_tx *tx, const char *case_no, ts_case **out);
/* Writes every field of c (by c->id). */
int ts_tx_case_update(ts_tx *tx, const ts_case *c);

int ts_store_case_get(ts_store *s, const char *case_no, ts_case **out);

#define TS_FILTER_LIST_MAX 16
typedef struct {
  const char *status, *grade, *category, *channel; /* comma-separated value lists */
  const char *owner, *handler;                       /* usernames */
  int64_t outlet, dept; /* a unit id: cases at it or anywhere below it; 0 = any */
  int overdue;          /* -1 any, 0 not overdue, 1 overdue */
  int64_t from, to;     /* received_at in [from, to); 0 = open */
  const char *q;        /* the search as typed: a case number equal to it matches */
  const char *match;    /* the full-text expression of q (search/query.h); NULL: no search */
  int page, per_page;
  int by_due;     /* the queue: only cases with a running clock, the nearest due first */
  ts_scope scope; /* what the caller may see */
} ts_case_filter;

/* One page of cases, newest first. items[] and each case are owned by the caller: free
 * with ts_case_list_free. */
int ts_store_case_list(ts_store *s, const ts_case_filter *f, ts_case ***items, size_t *n,
                       int64_t *total);
void ts_case_list_free(ts_case **items, size_t n);

/* ---- history, notes, contacts, promises ----------------------------------------- */

/* Appends to the case's history; `changes` is borrowed ({"field":[before,after]}). */
int ts_tx_history_add(ts_tx *tx, int64_t case_id, int64_t at, const char *actor,
                      const char *action, json_t *changes);
/* The same with changes already as JSON text (an object). */
int ts_tx_history_add_text(ts_tx *tx, int64_t case_id, int64_t at, const char *actor,
                           const char *action, const char *changes);
/* [{"id","at","actor","action","changes"}...], oldest first. */
int ts_store_history_list(ts_store *s, int64_t case_id, json_t **out);

int ts_tx_note_add(ts_tx *tx, int64_t case_id, int64_t at, const char *author,
                   const char *text, int64_t *id);
/* Deletes note_id of case_id (its text leaves the search index in the same transaction);
 * author and at get who wrote it when. TS_ERR_NOT_FOUND if the case has no such note. */
int ts_tx_note_delete(ts_tx *tx, int64_t case_id, int64_t note_id, char author[65], int64_t *at);
int ts_store_note_list(ts_store *s, int64_t case_id, json_t **out);

typedef struct {
  int64_t at;
  const char *by, *method, *direction, *summary;
  int unreached; /* an outbound attempt that did not reach the customer */
} ts_contact;
int ts_tx_contact_add(ts_tx *tx, int64_t case_id, const ts_contact *c, int64_t *id);
int ts_store_contact_list(ts_store *s, int64_t case_id, json_t **out);

typedef struct {
  int64_t id, case_id, created_at, due_at, settled_at;
  int kept; /* -1 open, 0 broken, 1 kept */
  char by[65];
  char promise[2048];
} ts_promise;
int ts_tx_promise_add(ts_tx *tx, ts_promise *p);
int ts_tx_promise_get(ts_tx *tx, int64_t case_id, int64_t id, ts_promise *out);
int ts_tx_promise_settle(ts_tx *tx, int64_t id, int kept, int64_t at);
int ts_store_promise_list(ts_store *s, int64_t case_id, json_t **out);

/* ---- evidence ------------------------------------------------------------------------ */

typedef struct {
  int64_t id, case_id, at, size;
  char by[65];
  char filename[256];
  char content_type[128];
  char sha256[65];
} ts_evidence;
/* Records an uploaded file (already stored by its hash). Fills e->id. */
int ts_tx_evidence_add(ts_tx *tx, ts_evidence *e);
int ts_store_evidence_get(ts_store *s, int64_t case_id, int64_t id, ts_evidence *out);
/* [{"id","at","by","filename","content_type","size","sha256"}...] */
int ts_store_evidence_list(ts_store *s, int64_t case_id, json_t **out);

/* ---- lifecycle: solutions and approval authority -------------------------------------- */

#include "core/lifecycle.h"

/* The approval limits, cheapest role first (no limit last). */
int ts_store_approval_limits(ts_store *s, ts_approval_limit *out, int max, int *n);
/* [{"role","max_cents" (null: no limit),"max_grade"}...] */
int ts_store_approval_limit_list(ts_store *s, json_t **out);
/* Creates or replaces a role's limit (max_cents < 0: no limit). */
int ts_tx_approval_limit_put(ts_tx *tx, const char *role, int64_t max_cents, const char *max_grade);
/* [{"grade","target"}...] and replacing one grade's targets (escalation tiers). */
int ts_store_escalation_list(ts_store *s, json_t **out);
int ts_tx_escalation_set(ts_tx *tx, const char *grade, const char *const *targets, int n);
/* [{"key","value"}...] and one numeric setting. */
int ts_store_setting_list(ts_store *s, json_t **out);
int ts_tx_setting_put(ts_tx *tx, const char *key, int64_t value);

/* Records the items of proposal `proposal_no` of a case. */
int ts_tx_solutions_add(ts_tx *tx, int64_t case_id, int64_t proposal_no,
                        const ts_solution *items, int n, const char *by, int64_t at);
/* The items of one proposal (n = 0 if none). */
int ts_tx_solutions_get(ts_tx *tx, int64_t case_id, int64_t proposal_no, ts_solution *out,
                        int max, int *n);
/* [{"type","amount_cents","description","option"}...] of one proposal. */
int ts_store_solutions_list(ts_store *s, int64_t case_id, int64_t proposal_no, json_t **out);

/* ---- accountability: improvement actions and penalties ---------------------------------- */

typedef struct {
  int64_t id, case_id, created_at, done_at;
  char kind[16];          /* training, process, rule, other */
  char description[8004]; /* 2000 characters of UTF-8 */
  char owner[65];
  char due_on[11];        /* YYYY-MM-DD */
  char status[12];        /* open, done, cancelled */
  char created_by[65];
} ts_improvement;

int ts_tx_improvement_add(ts_tx *tx, ts_improvement *im);
int ts_tx_improvement_get(ts_tx *tx, int64_t case_id, int64_t id, ts_improvement *out);
int ts_tx_improvement_set_status(ts_tx *tx, int64_t id, const char *status, int64_t at);
/* Improvement actions of a case that are not cancelled. */
int ts_tx_improvement_count(ts_tx *tx, int64_t case_id, int64_t *n);
int ts_store_improvement_list(ts_store *s, int64_t case_id, json_t **out);

typedef struct {
  int64_t id, case_id;
  char person[404];       /* the responsible person (a username or a name), 100 characters */
  char kind[20];          /* notice, fine, performance_pay, hr_review */
  int64_t amount_cents;   /* fine: the amount; -1 if none */
  int share_pct;          /* performance_pay: the share withheld; -1 if none */
  char reason[8004];      /* 2000 characters */
  char status[12];        /* proposed, approved, executed, cancelled */
  char proposed_by[65], approved_by[65], executed_by[65];
  int64_t proposed_at, approved_at, executed_at;
} ts_penalty;

int ts_tx_penalty_add(ts_tx *tx, ts_penalty *p);
int ts_tx_penalty_get(ts_tx *tx, int64_t case_id, int64_t id, ts_penalty *out);
/* Moves a penalty to status (approved / executed / cancelled), recording who and when. */
int ts_tx_penalty_set_status(ts_tx *tx, int64_t id, const char *status, const char *by,
                             int64_t at);
int ts_store_penalty_list(ts_store *s, int64_t case_id, json_t **out);
/* The losses of every case with this root cause, in cents. */
int ts_tx_root_cause_loss(ts_tx *tx, const char *root_cause, int64_t *cents);
/* 1 in *n if the case has a penalty of this kind that is not cancelled. */
int ts_tx_penalty_exists(ts_tx *tx, int64_t case_id, const char *kind, int *n);
/* [{"root_cause","cases","loss_cents"}...], the largest loss first. */
int ts_store_root_cause_losses(ts_store *s, json_t **out);

/* Penalties proposed or approved but never executed, across the cases in scope, oldest
 * first: each with its case_no. */
int ts_store_penalties_pending(ts_store *s, const ts_scope *scope, json_t **out);

/* ---- routing and escalation ---------------------------------------------------------------- */

/* The department the routing rules give a case of this category received at this outlet:
 * the most specific rule wins (category and unit, then category, then unit, then
 * neither; ties by priority). TS_ERR_NOT_FOUND if none. */
int ts_store_route(ts_store *s, const char *category, int64_t outlet, int64_t *dept);
/* [{"id","category","unit","dept","priority"}...] */
int ts_store_route_list(ts_store *s, json_t **out);
int ts_tx_route_add(ts_tx *tx, const char *category, int64_t unit, int64_t dept, int priority,
                    int64_t at, int64_t *id);
int ts_tx_route_delete(ts_tx *tx, int64_t id);

/* Usernames to tell, without repeats. */
#define TS_PEOPLE_MAX 32
typedef struct {
  char names[TS_PEOPLE_MAX][65];
  int n;
} ts_people;
void ts_people_add(ts_people *p, const char *username);

/* Records, for every tier from `from_grade` (exclusive) up to `to_grade`, who must be
 * told about case c (the escalation targets resolved in the organisation) as notices.
 * Fills *n with the number of notices written and, if people is not NULL, adds the users
 * they reach (a unit's supervisors and managers, a role's holders). */
int ts_tx_escalate(ts_tx *tx, const ts_case *c, int from_grade, int to_grade, int64_t at,
                   int *n, ts_people *people);
/* [{"id","grade","target","recipient","reason","created_at","delivered_at"}...] */
int ts_store_notice_list(ts_store *s, int64_t case_id, json_t **out);

/* ---- the case library ----------------------------------------------------------------------- */

typedef struct {
  int64_t id, case_id, created_at, updated_at, published_at;
  char case_no[33];
  char *title, *scenario, *analysis, *correct_practice, *solution; /* owned */
  char category[65], service_stage[65], grade[4];
  char status[12]; /* draft, published */
  char created_by[65];
} ts_writeup;

void ts_writeup_clear(ts_writeup *w); /* frees the texts */
/* TS_ERR_CONFLICT if the case has one already. Fills w->id. */
int ts_tx_writeup_insert(ts_tx *tx, ts_writeup *w);
int ts_tx_writeup_get(ts_tx *tx, int64_t id, ts_writeup *out);
/* Writes the texts, status and times of w (by id). */
int ts_tx_writeup_update(ts_tx *tx, const ts_writeup *w);
int ts_store_writeup_get(ts_store *s, int64_t id, ts_writeup *out);
/* The write-ups, newest first: only published ones unless drafts. With match (a full-text
 * expression, search/query.h) only those matching, best first, each with "snippet" and
 * "score". [{id, case_no, title, category, service_stage, grade, status, ...}] */
int ts_store_writeup_list(ts_store *s, int drafts, const char *match, json_t **out);

/* ---- full-text search, repeat and group complaints (issue 7) ----------------------------- */

/* Snippets mark each matched word between these two private-use characters (U+E000 and
 * U+E001, never in stored text: the API turns them into <mark>). */
#define TS_SNIPPET_OPEN "\xee\x80\x80"
#define TS_SNIPPET_CLOSE "\xee\x80\x81"

/* One page of the cases matching f->match (required) and every other filter of f, best
 * first (bm25, column weights in migration 10; then newest; chosen among the newest 2,000
 * matches). *items gets [{case_no, title, status, grade, category, channel, received_at,
 * outlet, dept, complainant, overdue, score, snippet}], *total the count of all matches,
 * or count_max when there are more (count_max 0: no limit). */
int ts_store_case_search(ts_store *s, const ts_case_filter *f, int64_t count_max, json_t **items,
                         int64_t *total);

/* What an intake screen or a case page compares a case with. Every text may be NULL. */
typedef struct {
  const char *phone, *customer_id, *name; /* the complainant */
  int64_t outlet;                         /* with name: the same person at the same outlet */
  const char *subject_key;                /* grading.h ts_subject_key */
  const char *order_no, *plate;           /* further subject fields */
  const char *similar;                    /* ts_squery_similar of the text, or NULL */
  int64_t exclude_id;                     /* the case itself (0 at intake) */
  int64_t since;                          /* subject and text: received at or after */
  int limit;                              /* most items per list (default 10) */
  ts_scope scope;                         /* what the caller may see */
} ts_related_query;

/* {"customer": [...], "subject": [...], "similar": [...], "hidden": n}: the same customer's
 * cases (any time, newest first; "why": ["phone","customer_id","name_outlet"]), open cases on
 * the same subject since q->since ("why": ["subject","order_no_or_plate"]), open cases with
 * similar text since q->since (best first, with "score"); each a case summary as in
 * ts_store_case_search plus "open". "hidden" counts the matching cases the caller may not
 * see (they are not listed). Each case appears once, in the first list it belongs to. */
int ts_store_case_related(ts_store *s, const ts_related_query *q, json_t **out);

/* The published library write-ups most like `similar` (ts_squery_similar), best first, the
 * same category first: [{id, case_no, title, category, service_stage, grade, score, snippet}]. */
int ts_store_library_similar(ts_store *s, const char *similar, const char *category, int limit,
                             json_t **out);

/* Group complaints (群诉): subjects with at least min_cases open cases received since
 * `since` that the caller may see, most cases first: [{subject_key, kind, value, cases,
 * customers, first_at, last_at, categories: [..], trend: [{date, cases}] (per day in the
 * organisation's zone), case_nos: [up to 20, newest first]}]. */
int ts_store_groups(ts_store *s, const ts_scope *scope, int64_t since, int min_cases, int limit,
                    json_t **out);

/* Empties and refills the full-text indexes from the tables (on the writer). */
int ts_store_search_rebuild(ts_store *s, int64_t *cases, int64_t *writeups);
/* Checks the indexes: FTS5's integrity check, and one document per case (with its number)
 * and per write-up. counts: cases, case documents, write-ups, write-up documents; *ok 1
 * when everything agrees. */
int ts_store_search_check(ts_store *s, int64_t counts[4], int *ok);

/* ---- configured lists (channels, categories, service stages) ------------------------------ */

enum { TS_LIST_CHANNELS, TS_LIST_CATEGORIES, TS_LIST_STAGES, TS_LIST__COUNT };

typedef struct {
  int list;           /* TS_LIST_* */
  char code[65];
  char name_zh[256];
  char name_en[256];
  char parent[65];    /* categories: the parent's code, "" for a top-level one */
  int external;       /* channels */
  int sort;
  int active;
} ts_list_item;

/* Creates or replaces an entry (entries are deactivated, never deleted: cases name them).
 * TS_ERR_INVALID if a category's parent does not exist or would make a cycle. */
int ts_tx_list_put(ts_tx *tx, const ts_list_item *it);

/* ---- grading rules ----------------------------------------------------------------------- */

#include "core/grading.h"

/* The active grading rules, for the writer: cached, reloaded after any change. The array
 * stays valid until the apply function returns. */
int ts_tx_grading_rules(ts_tx *tx, const ts_rule **rules, int *n);
/* Counts over other cases for the cross-case rules (the case itself is counted once). */
int ts_tx_grade_count(ts_tx *tx, ts_rule_kind kind, const ts_case *c, int64_t since,
                      int64_t cap, int64_t *n);
/* Every rule, active or not: [{"id","grade","kind","params","text_zh","text_en","active"}]. */
int ts_store_grading_rule_list(ts_store *s, json_t **out);
/* Creates or replaces a rule. */
int ts_tx_grading_rule_put(ts_tx *tx, const ts_rule *r, int active);

/* ---- time limits (DOMAIN §5): calendar, clock rules, each case's clocks ------------------- */

#include "core/sla.h"

/* The working calendar and clock definitions as the domain reads them. */
typedef struct {
  ts_calendar cal;    /* cal.days points into days */
  ts_cal_day *days;
  ts_clock_def *defs;
  int ndefs;
  int warn_pct;
  int auto_ack; /* send the acknowledgement at registration to a customer's address */
} ts_sla_rules;

/* For the writer: cached, reloaded after any change; valid until the apply function
 * returns. */
int ts_tx_sla_rules(ts_tx *tx, const ts_sla_rules **out);
/* For anyone: an owned copy (ts_sla_rules_free). */
int ts_store_sla_rules(ts_store *s, ts_sla_rules *out);
void ts_sla_rules_free(ts_sla_rules *r);

/* {"weekdays":[1..7], "hours":"09:00-12:00,...", "days":[{"date","kind","name"}]} with the
 * days of one year (0: every year). */
int ts_store_calendar_json(ts_store *s, int year, json_t **out);
int ts_tx_calendar_set(ts_tx *tx, unsigned weekdays, const char *hours, int64_t now);
/* Creates or replaces an exception day ("YYYY-MM-DD"); working 1 = make-up working day. */
int ts_tx_calendar_day_put(ts_tx *tx, const char *date, int working, const char *name);
/* TS_ERR_NOT_FOUND if the day is no exception. */
int ts_tx_calendar_day_delete(ts_tx *tx, const char *date);

/* [{"name","channel","start_on","stop_on","pause_on","resume_on","holder","text_zh",
 *   "text_en","active","limits":{"g1":{"amount","unit","unreachable_amount"},...}}] */
int ts_store_clock_def_list(ts_store *s, json_t **out);
/* Creates or replaces a definition and its limits (amount 0 at a grade: none there). */
int ts_tx_clock_def_put(ts_tx *tx, const ts_clock_def *d, int active, int sort);

/* The clocks of a case, oldest first (at most max). */
int ts_tx_clocks_get(ts_tx *tx, int64_t case_id, ts_clock *out, int max, int *n);
/* Writes k (inserts it when k->id is 0, filling k->id), with its next_at. */
int ts_tx_clock_put(ts_tx *tx, int64_t case_id, ts_clock *k);
/* Writes the case's clock outcomes for the report (cases.sla_clocks) from its clocks as they
 * now are: once, after the clocks of a change are written. */
int ts_tx_case_sla_clocks(ts_tx *tx, int64_t case_id);
/* [{"name","seq","state","due_at","warn_at","started_at","stopped_at","breached_at",
 *   "working","duration_seconds","remaining_seconds"(paused)}...] as seen at now. */
int ts_store_clock_list(ts_store *s, int64_t case_id, int64_t now, json_t **out);
/* Up to max clocks the scheduler must look at (next_at <= now), the earliest first: their
 * case numbers (TS_CASENO_MAX each). Read through the next_at index. */
int ts_store_clocks_due(ts_store *s, int64_t now, int max, char (*case_nos)[33], int *n);

/* Records a breach of clock k against holder (a username or "") at unit. Once per clock. */
int ts_tx_delay_add(ts_tx *tx, int64_t case_id, const ts_clock *k, const char *holder,
                    int64_t unit_id, int64_t now);
/* [{"case_no","clock","holder","unit","due_at","breached_at"}...], newest first, in scope;
 * holder filters when not NULL. */
int ts_store_delay_list(ts_store *s, const ts_scope *scope, const char *holder, json_t **out);

/* The unit `levels` above unit_id (the root when the tree is not so deep). */
int ts_tx_unit_up(ts_tx *tx, int64_t unit_id, int levels, ts_unit *out);
/* Enabled users holding any of roles at unit_id, or if none there, at the nearest unit
 * above that has some (usernames in out, *at = that unit, 0 if none anywhere). */
int ts_tx_unit_people(ts_tx *tx, int64_t unit_id, unsigned roles, char (*out)[65], int max,
                      int *n, int64_t *at);

/* ---- notifications: in-app, and the outbox of e-mails and webhooks ---------------------- */

typedef struct {
  const char *event;    /* what happened, unique ("clock:12:warn"): written once */
  const char *kind;     /* sla_warning, sla_breach, escalation, pending_items, letter, ... */
  int64_t case_id;      /* 0 if none */
  const char *title;    /* in-app and e-mail subject */
  const char *body;     /* in-app and e-mail text */
  const char *html;     /* e-mail HTML alternative, may be NULL */
  const char *const *users; /* staff to tell (in-app, and e-mail when they have an address) */
  int nusers;
  const char *email_to; /* another address (a customer's letter), may be NULL */
  json_t *payload;      /* webhook body (borrowed); NULL: no webhook */
  int64_t at;
} ts_notice;

/* Writes what one event must deliver, in the caller's transaction: an in-app row per user,
 * an e-mail per address, a webhook delivery per active subscription to kind. What was
 * written for this event before is not written again. *written (may be NULL) counts rows. */
int ts_tx_notify(ts_tx *tx, const ts_notice *n, int *written);

/* The user's notifications, newest first: [{"id","kind","case_no","title","body",
 * "created_at","read_at"}], and the number unread. */
int ts_store_notification_list(ts_store *s, const char *username, int unread_only, int limit,
                               json_t **out, int64_t *unread);
/* Marks one (id) or all (id 0) of the user's notifications read; TS_ERR_NOT_FOUND for an
 * id that is not theirs. */
int ts_tx_notification_read(ts_tx *tx, const char *username, int64_t id, int64_t at);

typedef struct {
  int64_t id, case_id, created_at;
  int attempts;
  char kind[16];     /* email, webhook */
  char target[300];  /* address or "webhook:<id>" */
  char event[160];
  char *subject, *body, *html; /* owned */
} ts_outbox_msg;

/* Deliveries due (pending, next_at <= now), the earliest first, at most max. */
int ts_store_outbox_due(ts_store *s, int64_t now, int max, ts_outbox_msg **out, int *n);
void ts_outbox_free(ts_outbox_msg *m, int n);
/* Takes a due delivery for one sender: its next_at moves to until (a lease: if the sender
 * dies, the delivery is due again then). *claimed 0 if another sender took it first. */
int ts_tx_outbox_claim(ts_tx *tx, int64_t id, int64_t now, int64_t until, int *claimed);
/* Records an attempt: sent, or failed with error and tried again at next_at (0: give up,
 * status failed). Only a pending row changes (a second sender's result is ignored). */
int ts_tx_outbox_result(ts_tx *tx, int64_t id, int sent, const char *error, int64_t now,
                        int64_t next_at);
/* [{"id","event","kind","target","case_no","subject","status","attempts","created_at",
 *   "next_at","sent_at","last_error"}...], newest first; status filters when not NULL. */
int ts_store_outbox_list(ts_store *s, const char *status, int limit, json_t **out);
/* A failed delivery goes back to pending, due now. */
int ts_tx_outbox_retry(ts_tx *tx, int64_t id, int64_t now);

/* Webhook subscriptions: events is "*" or a comma list of kinds. */
int ts_tx_webhook_add(ts_tx *tx, const char *url, const char *secret, const char *events,
                      int64_t now, int64_t *id);
int ts_tx_webhook_delete(ts_tx *tx, int64_t id);
/* [{"id","url","events","active","created_at"}] (never the secret). */
int ts_store_webhook_list(ts_store *s, json_t **out);
int ts_store_webhook_get(ts_store *s, int64_t id, char *url, size_t urlsz, char *secret,
                         size_t secretsz);

/* Letter templates. *subject and *body are malloc'd. */
int ts_store_letter_get(ts_store *s, const char *code, const char *lang, char **subject,
                        char **body);
int ts_tx_letter_get(ts_tx *tx, const char *code, const char *lang, char **subject,
                     char **body);
/* [{"code","lang","subject","body","updated_at","updated_by"}...] */
int ts_store_letter_list(ts_store *s, json_t **out);
int ts_tx_letter_put(ts_tx *tx, const char *code, const char *lang, const char *subject,
                     const char *body, const char *by, int64_t now);

/* Pending cases (status pending), for the ledger and the monthly reminders: their case
 * numbers after after_no in number order, at most max. */
int ts_store_pending_cases(ts_store *s, const char *after_no, int max, char (*case_nos)[33],
                           int *n);

/* ---- the analysis report (report/report.h) ----------------------------------------------- */
/* One case as the report reads it (migration 11's covering indexes): texts are NULL when
 * not set, times and unit ids 0. Which members are filled depends on the set it is read in
 * (TS_REP_*); the pointers are valid only during the callback. */
enum {
  TS_REP_RECEIVED, /* received in [from, to): classification, places, keys, clocks */
  TS_REP_FINISHED, /* closed_at in [from, to): times, outcome, satisfaction, losses */
  TS_REP_OPEN,     /* received before open_at and not finished then: places, status, grade */
  TS_REP_PENDING   /* status pending now, received before to: the ledger's members */
};
enum { TS_LOSS_COMPENSATION, TS_LOSS_REFUND, TS_LOSS_DISCOUNT, TS_LOSS_REPAIR, TS_LOSS_GOODS,
       TS_LOSS_FREIGHT, TS_LOSS_GIFT, TS_LOSS_OTHER, TS_LOSS__COUNT };
typedef struct {
  int64_t id, received_at, closed_at, outlet_id, dept_id;
  const char *case_no, *status, *grade, *category, *channel, *root_cause, *service_stage,
      *responsibility, *validity, *nature;
  int external;
  const char *phone, *customer_id, *name, *subject_key, *sla_clocks;
  int reopen_count, proposal_no, satisfaction; /* satisfaction 0: none */
  const char *attributed_to;
  int64_t loss[TS_LOSS__COUNT];                /* cents; 0 when not set */
  const char *pending_reason, *pending_remind_on, *pending_from, *handler;
} ts_rep_case;
typedef struct {
  const char *day; /* local date */
  int64_t outlet_id, dept_id, received, finished;
} ts_rep_day;
typedef struct {
  int64_t id, case_id, outlet_id, dept_id, proposed_at, amount_cents; /* amount -1: none */
  int share_pct;                                                      /* -1: none */
  const char *case_no, *person, *kind, *status;
} ts_rep_penalty;
typedef struct {
  int64_t from, to;              /* the period */
  int64_t open_at;               /* the instant of the backlog */
  const char *day_from, *day_to; /* the daily totals wanted: local dates, inclusive */
  void *arg;                     /* for the callbacks; a non-zero return stops the scan */
  int (*on_case)(void *arg, int set, const ts_rep_case *c);
  int (*on_day)(void *arg, const ts_rep_day *d);
  /* penalties proposed in the period, and those proposed before its end that are not
   * executed or cancelled now */
  int (*on_penalty)(void *arg, const ts_rep_penalty *p);
} ts_rep_scan;
/* Streams everything the report reads, in one read transaction (one state of the store). */
int ts_store_report_scan(ts_store *s, const ts_rep_scan *q);
/* Stores a report document (replacing one of the same kind, label and unit). */
int ts_tx_report_put(ts_tx *tx, const char *kind, const char *label, int64_t unit_id,
                     int64_t at, const char *by, const char *doc);
/* A stored report by id: its unit and document (*doc malloc'd). TS_ERR_NOT_FOUND if none. */
int ts_store_report_by_id(ts_store *s, int64_t id, int64_t *unit_id, char **doc);
int ts_tx_report_exists(ts_tx *tx, const char *kind, const char *label, int64_t unit_id,
                        int *exists);
/* [{"id","kind","label","unit_id","generated_at","generated_by"}...], newest first. */
int ts_store_report_list(ts_store *s, json_t **out);

/* ---- the customer portal (docs/portal.md) ---------------------------------------------- */

#define TS_PORTAL_HASH_BYTES 32 /* the access code's keyed BLAKE2b-256 */
#define TS_PORTAL_SALT_BYTES 16

/* A portal case's access code as kept (never the code itself) and its wrong tries. */
typedef struct {
  int64_t case_id, created_at;
  unsigned char code_hash[TS_PORTAL_HASH_BYTES];
  unsigned char salt[TS_PORTAL_SALT_BYTES];
  int tries;            /* wrong codes since tries_since */
  int64_t tries_since;
  int64_t locked_until; /* no access at all before this time (0: none) */
} ts_portal_access;

/* Records the access code of a case just registered through the portal (a->case_id). */
int ts_tx_portal_access_add(ts_tx *tx, const ts_portal_access *a);
/* The access record of a case; TS_ERR_NOT_FOUND when the case has none (not a portal
 * case). */
int ts_store_portal_access_get(ts_store *s, int64_t case_id, ts_portal_access *out);
int ts_tx_portal_access_get(ts_tx *tx, int64_t case_id, ts_portal_access *out);
/* Writes the wrong-try counters of a->case_id (tries, tries_since, locked_until). */
int ts_tx_portal_tries_put(ts_tx *tx, const ts_portal_access *a);
/* The number of evidence files of a case uploaded by `by`. */
int ts_tx_evidence_count_by(ts_tx *tx, int64_t case_id, const char *by, int64_t *n);

#endif
