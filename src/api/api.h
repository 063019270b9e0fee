/* Shared pieces of the API handlers: reading JSON bodies, checking keys, query values,
 * loading a case the caller may see, and the JSON shapes of users and units. Each
 * function that can fail replies itself and returns non-zero, so a handler reads as
 * "if (step) return;". */
#ifndef TS_API_H
#define TS_API_H

#include <jansson.h>
#include <stdint.h>

#include "core/case.h"
#include "core/perm.h"
#include "http/server.h"
#include "store/store.h"

/* Handlers, one file per resource (api_*.c). */
void ts_api_healthz(ts_req *r);
void ts_api_metrics(ts_req *r);
void ts_api_version(ts_req *r);
void ts_api_test_clock(ts_req *r);
void ts_api_test_tick(ts_req *r);

void ts_api_login(ts_req *r);
void ts_api_logout(ts_req *r);
void ts_api_me(ts_req *r);
void ts_api_change_password(ts_req *r);

void ts_api_users_list(ts_req *r);
void ts_api_users_create(ts_req *r);
void ts_api_users_get(ts_req *r);
void ts_api_users_patch(ts_req *r);
void ts_api_users_reset_password(ts_req *r);

void ts_api_units_list(ts_req *r);
void ts_api_units_create(ts_req *r);
void ts_api_units_get(ts_req *r);
void ts_api_units_patch(ts_req *r);
void ts_api_units_assignees(ts_req *r);

void ts_api_channels_list(ts_req *r);
void ts_api_categories_list(ts_req *r);
void ts_api_grading_rules_list(ts_req *r);
void ts_api_grading_rules_put(ts_req *r);

void ts_api_cases_list(ts_req *r);
void ts_api_cases_create(ts_req *r);
void ts_api_cases_get(ts_req *r);
void ts_api_cases_patch(ts_req *r);
void ts_api_search(ts_req *r);
void ts_api_intake_related(ts_req *r);
void ts_api_case_related(ts_req *r);
void ts_api_groups(ts_req *r);
void ts_api_cases_history(ts_req *r);
void ts_api_notes_list(ts_req *r);
void ts_api_notes_create(ts_req *r);
void ts_api_notes_delete(ts_req *r);
void ts_api_contacts_list(ts_req *r);
void ts_api_contacts_create(ts_req *r);
void ts_api_promises_list(ts_req *r);
void ts_api_promises_create(ts_req *r);
void ts_api_promises_patch(ts_req *r);
void ts_api_case_action(ts_req *r);
void ts_api_improvements_list(ts_req *r);
void ts_api_improvements_create(ts_req *r);
void ts_api_improvements_patch(ts_req *r);
void ts_api_penalties_list(ts_req *r);
void ts_api_penalties_create(ts_req *r);
void ts_api_penalty_approve(ts_req *r);
void ts_api_penalty_execute(ts_req *r);
void ts_api_penalty_cancel(ts_req *r);
void ts_api_penalties_pending(ts_req *r);
void ts_api_root_causes(ts_req *r);
void ts_api_stages_list(ts_req *r);
void ts_api_psychology_list(ts_req *r);
void ts_api_list_put(ts_req *r);
void ts_api_approval_limits_list(ts_req *r);
void ts_api_approval_limits_put(ts_req *r);
void ts_api_settings_list(ts_req *r);
void ts_api_settings_put(ts_req *r);
void ts_api_escalation_list(ts_req *r);
void ts_api_escalation_put(ts_req *r);
void ts_api_writeup_create(ts_req *r);
void ts_api_writeup_patch(ts_req *r);
void ts_api_writeup_publish(ts_req *r);
void ts_api_library_list(ts_req *r);
void ts_api_library_get(ts_req *r);
void ts_api_routes_list(ts_req *r);
void ts_api_routes_create(ts_req *r);
void ts_api_routes_delete(ts_req *r);
void ts_api_notices_list(ts_req *r);
void ts_api_evidence_upload(ts_req *r);
void ts_api_evidence_list(ts_req *r);
void ts_api_evidence_get(ts_req *r);
void ts_api_calendar_get(ts_req *r);
void ts_api_calendar_put(ts_req *r);
void ts_api_calendar_day_put(ts_req *r);
void ts_api_calendar_day_delete(ts_req *r);
void ts_api_calendar_import(ts_req *r);
void ts_api_calendar_due(ts_req *r);
void ts_api_clocks_list(ts_req *r);
void ts_api_clocks_put(ts_req *r);
void ts_api_queue(ts_req *r);
void ts_api_pending_items(ts_req *r);
void ts_api_delays(ts_req *r);
void ts_api_notifications_list(ts_req *r);
void ts_api_notification_read(ts_req *r);
void ts_api_notifications_read_all(ts_req *r);
void ts_api_outbox_list(ts_req *r);
void ts_api_outbox_retry(ts_req *r);
void ts_api_webhooks_list(ts_req *r);
void ts_api_webhooks_create(ts_req *r);
void ts_api_webhooks_delete(ts_req *r);
void ts_api_letter_templates_list(ts_req *r);
void ts_api_letter_template_put(ts_req *r);
void ts_api_letter_render(ts_req *r);
void ts_api_letter_send(ts_req *r);
void ts_api_report_monthly(ts_req *r);
void ts_api_report_range(ts_req *r);
void ts_api_reports_list(ts_req *r);
void ts_api_reports_get(ts_req *r);
void ts_api_cases_export(ts_req *r);

/* The public customer portal (api_portal.c). */
void ts_api_portal_outlets(ts_req *r);
void ts_api_portal_submit(ts_req *r);
void ts_api_portal_progress(ts_req *r);
void ts_api_portal_follow_up(ts_req *r);
void ts_api_portal_evidence(ts_req *r);

/* The history of a follow-up (inside its write): one entry, or, when the low score reopened
 * the case, two — the follow-up (with its record, which the reopening clears on the case)
 * and the reopening. changes is the case's diff; body the action's. */
int ts_api_history_follow_up(ts_tx *tx, int64_t case_id, int64_t now, const char *who,
                             json_t *changes, json_t *body, int reopened);

/* One uploaded file (multipart/form-data, field "file"), read whole into memory. */
typedef struct {
  size_t max;       /* set by the caller: the most bytes accepted */
  char *data;       /* malloc'd: the caller frees it */
  size_t len, cap;
  int files;        /* parts named "file" */
  int too_big;
  char unknown[64]; /* the first other field's name */
  char filename[256];
  char content_type[128]; /* as the client said: to be checked, never believed blindly */
} ts_api_upload;
/* Reads the request's multipart body into u. Replies 400 (not multipart, unreadable) or 413
 * (over u->max) and returns non-zero on failure. */
int ts_api_upload_read(ts_req *r, ts_api_upload *u);
/* Stores an uploaded file under dir by its SHA-256 (written to sha256 in hex), written and
 * fsync'd before it returns; the same bytes are stored once. */
int ts_api_evidence_file(const char *dir, const char *data, size_t len, char sha256[65]);
/* The base name of a client's file name, cleaned; "upload" if nothing usable is left. */
void ts_api_clean_filename(const char *in, char *out, size_t outsz);

/* Roles that work with customers and so see their contact details in lists and exports;
 * for everyone else they are masked (DOMAIN §12, PIPL: phones and ids in lists, names too in
 * exports). One case opened by number is shown whole to whoever may see it. */
#define TS_API_SEES_PERSONAL (TS_ROLE_AGENT | TS_ROLE_HANDLER | TS_ROLE_SUPERVISOR)
#define TS_API_MASKED(r) (!((r)->who.roles & TS_API_SEES_PERSONAL))

/* Masks a case object's contact data (complainant phone, e-mail, customer id; the address
 * dropped; the VIN) for a reader whose role does not work with customers; with names also
 * the complainant's name (exports: files leave the system). */
void ts_api_mask_case(json_t *c, int names);

/* The case object for the caller: the fields, allowed_actions (for the caller's roles),
 * and with full also its notes, contacts, promises, evidence and the current proposal's
 * solutions. NULL if the store cannot be read. */
json_t *ts_api_case_json(ts_req *r, const ts_case *c, int full);
/* Replies {"case": ...} (full unless status is 201). */
void ts_api_reply_case(ts_req *r, int status, const ts_case *c);

/* Parses the body as a JSON object. Replies 400 (empty, malformed, invalid UTF-8, not
 * an object) and returns non-zero on failure; *out is the caller's on success. */
int ts_api_body(ts_req *r, json_t **out);

/* The end of a validated write: 422 with *errors if it has any (taking them: *errors is
 * NULL afterwards), else the write w is deferred. Returns 1 when it took w. */
int ts_api_submit(ts_req *r, json_t **errors, ts_apply_fn apply, void *w, void (*wfree)(void *),
                  void (*finish)(ts_req *r, int rc));

/* Replies 422 with `errors` as details (stolen) and the given message. */
void ts_api_invalid(ts_req *r, json_t *errors);

/* Adds {"key": "unknown field"} to errors for each key of obj not in allowed (NULL-
 * terminated). Returns the number of unknown keys. */
int ts_api_check_keys(json_t *obj, const char *const *allowed, json_t *errors);

/* A string member: required or optional, 1..max characters, clean (multiline allows
 * newlines). Adds to errors on a problem. *out is NULL when absent and optional. */
int ts_api_get_text(json_t *obj, const char *key, int required, size_t max, int multiline,
                    json_t *errors, const char **out);

/* A query value that must be valid UTF-8 and at most max bytes; NULL if absent. Replies
 * 400 and returns non-zero if bad. */
int ts_api_query(ts_req *r, const char *key, size_t max, const char **out);

/* Reads page (from 1) and per_page (1..500, default 50) into the out values; adds to
 * errors when they are bad. Replies 400 itself and returns non-zero on bad UTF-8. */
int ts_api_page_params(ts_req *r, int *page, int *per_page, json_t *errors);

/* Replies one page of a whole list: {"items","total","page","per_page"} (API.md's list
 * shape), refusing query parameters other than page and per_page. Takes items. */
void ts_api_reply_list(ts_req *r, json_t *items);
/* The same without checking the query's keys (the caller has, allowing its own). */
void ts_api_reply_page(ts_req *r, json_t *items);

/* One page of a case's items (notes, contacts, ...) read by fn, if the case is visible. */
void ts_api_case_items(ts_req *r, int (*fn)(ts_store *, int64_t, json_t **));

/* 1 and *out if s is a decimal integer in [lo, hi] (no sign, at most 18 digits). */
int ts_api_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* Replies 400 when the query string has a key not in allowed. */
int ts_api_query_keys(ts_req *r, const char *const *allowed);

/* The case list's filters from the query string (api_cases.c): problems into errors;
 * q's full-text expression written into match[matchsz] (TS_SQUERY_OUT). Non-zero when it
 * has replied itself (400). */
int ts_api_case_filter(ts_req *r, ts_case_filter *f, json_t *errors, char *match, size_t matchsz);

/* q (as typed in a search box) as a full-text expression (search/query.h) for target
 * (a ts_squery_target). TS_OK; TS_ERR_INVALID with the reason for the user in *why. */
int ts_api_search_match(const char *q, int target, char *out, size_t outsz, const char **why);

/* Rewrites the "snippet" member of each object of items (and of items[i][key] lists) from
 * the store's markers to HTML: the text escaped, each match in <mark>...</mark>. */
void ts_api_snippets_html(json_t *items);

/* The roles that write and edit the case library, and so also see its drafts. */
#define TS_API_LIBRARY_EDIT (TS_ROLE_REVIEWER | TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER | \
                             TS_ROLE_GENERAL_MANAGER | TS_ROLE_ADMIN | TS_ROLE_AUDITOR)

/* Loads case_no if the caller may see it; replies 404 (also for cases outside the
 * caller's scope) and returns non-zero otherwise. */
int ts_api_case_visible(ts_req *r, const char *case_no, ts_case **out);
/* The same without a reply: TS_OK with *out, TS_ERR_NOT_FOUND (none, or not the caller's),
 * or another error. */
int ts_api_case_check(ts_req *r, const char *case_no, ts_case **out);

/* The caller, copied for a write that outlives the request: the principal `p` points into
 * the buffers, so initialise it in place and never copy the struct. */
typedef struct {
  char username[65];
  char unit_path[256];
  ts_principal p;
} ts_api_caller;
void ts_api_caller_init(ts_api_caller *me, const ts_req *r);

/* Inside a write: loads case_no if `who` may still see it (TS_ERR_NOT_FOUND otherwise),
 * so a write never acts on a case that left the caller's place meanwhile. */
int ts_api_tx_case(ts_tx *tx, const char *case_no, const ts_principal *who, ts_case **out);

/* One small write of a handler: the body it parsed, what it answers on success (status,
 * reply), the reason it gives a refusal (why), the caller and the time. A handler's own
 * write struct starts with it and adds its fields; `clear` frees those (may be NULL). */
typedef struct {
  json_t *body, *reply;
  int status; /* 200 unless the handler says otherwise */
  const char *why;
  ts_api_caller me;
  int64_t now;
  void (*clear)(void *self);
} ts_api_op;
/* A zeroed struct of size bytes that starts with a ts_api_op, initialised for r; replies
 * 500 and returns NULL when out of memory. */
void *ts_api_op_new(ts_req *r, size_t size, void (*clear)(void *self));
/* Frees it (NULL is fine): the body, the reply, the handler's own fields. */
void ts_api_op_free(void *self);
/* The finish of ts_req_defer for such writes: reply (or the error with why) as set. */
void ts_api_op_finish(ts_req *r, int rc);

json_t *ts_api_user_json(const ts_user *u);
/* Whether u may be a case's handler in the department dept (the rule of `assign`): active,
 * placed at or under it, holding handler, supervisor or dept_manager. */
int ts_api_works_in(const ts_user *u, const ts_unit *dept);
json_t *ts_api_unit_json(const ts_unit *u);
/* RFC 3339 string for t in the organisation's zone, or null for 0. */
json_t *ts_api_time_json(int64_t t);

#endif
