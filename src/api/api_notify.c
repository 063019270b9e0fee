/* Notifications (DOMAIN §12): in-app for users, the outbox and webhook subscriptions for
 * admins, letters from templates, and the test tick that runs the background jobs. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/letter.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "jobs/jobs.h"
#include "svc/sla.h"
#include "util/clock.h"

/* One small write (ts_api_op) with what these handlers need. */
typedef struct {
  ts_api_op base;
  int64_t id;
  char case_no[40], code[40], lang[8];
  const char *to, *url, *secret, *events, *subject, *text; /* borrowed from the body */
} nop;

/* ---- in-app notifications --------------------------------------------------------------- */

/* GET /api/v1/notifications?unread=true&limit=50: the caller's own. */
void ts_api_notifications_list(ts_req *r) {
  static const char *const keys[] = {"unread", "limit", NULL};
  const char *unread = NULL, *limit = NULL;
  int64_t lim = 50, count = 0;
  json_t *items;
  if (ts_api_query_keys(r, keys) || ts_api_query(r, "unread", 8, &unread) ||
      ts_api_query(r, "limit", 8, &limit))
    return;
  if ((unread && strcmp(unread, "true") && strcmp(unread, "false")) ||
      (limit && !ts_api_parse_int(limit, 1, 500, &lim))) {
    ts_api_invalid(r, json_pack("{s:s}", unread && strcmp(unread, "true") && strcmp(unread, "false")
                                             ? "unread" : "limit",
                                "is not a valid value"));
    return;
  }
  int rc = ts_store_notification_list(r->app->store, r->user.username, unread && !strcmp(unread, "true"),
                                      (int)lim, &items, &count);
  if (rc)
    ts_reply_error(r, rc, "cannot read notifications", NULL);
  else
    ts_reply_json(r, 200, json_pack("{s:o,s:I}", "items", items, "unread", (json_int_t)count));
}

static int apply_read(ts_tx *tx, void *arg) {
  nop *o = arg;
  int rc = ts_tx_notification_read(tx, o->base.me.username, o->id, o->base.now);
  if (rc == TS_ERR_NOT_FOUND)
    o->base.why = "no such notification";
  return rc;
}

/* POST /api/v1/notifications/{id}/read and /api/v1/notifications/read-all */
void ts_api_notification_read(ts_req *r) {
  nop *o = ts_api_op_new(r, sizeof(nop), NULL);
  if (!o)
    return;
  if (!ts_api_parse_int(ts_req_param(r, 0), 1, INT64_MAX / 2, &o->id)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such notification", NULL);
    ts_api_op_free(o);
    return;
  }
  o->base.reply = json_pack("{s:I}", "read", (json_int_t)o->id);
  ts_req_defer(r, apply_read, o, ts_api_op_free, ts_api_op_finish);
}

void ts_api_notifications_read_all(ts_req *r) {
  nop *o = ts_api_op_new(r, sizeof(nop), NULL);
  if (!o)
    return;
  o->base.reply = json_pack("{s:s}", "read", "all");
  ts_req_defer(r, apply_read, o, ts_api_op_free, ts_api_op_finish);
}

/* ---- the outbox and webhooks (admins) ------------------------------------------------------ */

/* GET /api/v1/outbox?status=failed|pending|sent */
void ts_api_outbox_list(ts_req *r) {
  static const char *const keys[] = {"status", NULL};
  static const char *const statuses[] = {"pending", "sent", "failed", NULL};
  const char *status = NULL;
  json_t *items;
  if (ts_api_query_keys(r, keys) || ts_api_query(r, "status", 16, &status))
    return;
  if (status && !ts_enum_has(statuses, status)) {
    ts_api_invalid(r, json_pack("{s:s}", "status", "must be pending, sent or failed"));
    return;
  }
  int rc = ts_store_outbox_list(r->app->store, status, 200, &items);
  if (rc)
    ts_reply_error(r, rc, "cannot read the outbox", NULL);
  else
    ts_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int apply_retry(ts_tx *tx, void *arg) {
  nop *o = arg;
  int rc = ts_tx_outbox_retry(tx, o->id, o->base.now);
  if (rc == TS_ERR_NOT_FOUND)
    o->base.why = "no failed delivery with this id";
  return rc;
}

void ts_api_outbox_retry(ts_req *r) {
  nop *o = ts_api_op_new(r, sizeof(nop), NULL);
  if (!o)
    return;
  if (!ts_api_parse_int(ts_req_param(r, 0), 1, INT64_MAX / 2, &o->id)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no failed delivery with this id", NULL);
    ts_api_op_free(o);
    return;
  }
  o->base.reply = json_pack("{s:I,s:s}", "id", (json_int_t)o->id, "status", "pending");
  ts_req_defer(r, apply_retry, o, ts_api_op_free, ts_api_op_finish);
}

void ts_api_webhooks_list(ts_req *r) {
  json_t *items;
  int rc = ts_store_webhook_list(r->app->store, &items);
  if (rc)
    ts_reply_error(r, rc, "cannot read the webhooks", NULL);
  else
    ts_api_reply_list(r, items);
}

static int apply_webhook_add(ts_tx *tx, void *arg) {
  nop *o = arg;
  int rc = ts_tx_webhook_add(tx, o->url, o->secret, o->events, o->base.now, &o->id);
  if (!rc) {
    json_decref(o->base.reply);
    o->base.reply = json_pack("{s:{s:I,s:s,s:s,s:b}}", "webhook", "id", (json_int_t)o->id, "url", o->url,
                         "events", o->events, "active", 1);
    rc = o->base.reply ? TS_OK : TS_ERR_NOMEM;
  }
  return rc;
}

/* POST /api/v1/webhooks {"url","secret","events":"*"|"sla_breach,..."}: the secret signs
 * every delivery and is never shown again. */
void ts_api_webhooks_create(ts_req *r) {
  static const char *const keys[] = {"url", "secret", "events", NULL};
  json_t *errors = json_object();
  nop *o = ts_api_op_new(r, sizeof(nop), NULL);
  if (!o || !errors || ts_api_body(r, &o->base.body))
    goto out;
  ts_api_check_keys(o->base.body, keys, errors);
  ts_api_get_text(o->base.body, "url", 1, 2000, 0, errors, &o->url);
  ts_api_get_text(o->base.body, "secret", 1, 200, 0, errors, &o->secret);
  ts_api_get_text(o->base.body, "events", 0, 300, 0, errors, &o->events);
  if (o->url && strncmp(o->url, "https://", 8) && strncmp(o->url, "http://", 7))
    json_object_set_new(errors, "url", json_string("must be an http(s) URL"));
  if (o->secret && strlen(o->secret) < 16)
    json_object_set_new(errors, "secret", json_string("must be at least 16 characters"));
  if (!o->events)
    o->events = "*";
  for (const char *p = o->events; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || *p == '_' || *p == ',' || *p == '*')) {
      json_object_set_new(errors, "events", json_string("must be * or kinds separated by commas"));
      break;
    }
  o->base.status = 201;
  if (ts_api_submit(r, &errors, apply_webhook_add, o, ts_api_op_free, ts_api_op_finish))
    o = NULL;
out:
  json_decref(errors);
  ts_api_op_free(o);
}

static int apply_webhook_delete(ts_tx *tx, void *arg) {
  nop *o = arg;
  int rc = ts_tx_webhook_delete(tx, o->id);
  if (rc == TS_ERR_NOT_FOUND)
    o->base.why = "no such webhook";
  return rc;
}

void ts_api_webhooks_delete(ts_req *r) {
  nop *o = ts_api_op_new(r, sizeof(nop), NULL);
  if (!o)
    return;
  if (!ts_api_parse_int(ts_req_param(r, 0), 1, INT64_MAX / 2, &o->id)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such webhook", NULL);
    ts_api_op_free(o);
    return;
  }
  o->base.reply = json_pack("{s:I}", "deleted", (json_int_t)o->id);
  ts_req_defer(r, apply_webhook_delete, o, ts_api_op_free, ts_api_op_finish);
}

/* ---- letter templates and letters ------------------------------------------------------------ */

static const char *const letter_vars[] = {
  "case_no", "customer_name", "title", "grade", "status", "reply", "summary", "pending_reason",
  "handler", "owner", "received_at", "registered_at", "accepted_at", "answer_due", "today",
  "org_name", "month", "clock_name", "due_at", "holder", "escalated_to", "reason", NULL};
static const char *const langs[] = {"zh", "en", NULL};

void ts_api_letter_templates_list(ts_req *r) {
  json_t *items;
  int rc = ts_store_letter_list(r->app->store, &items);
  if (rc)
    ts_reply_error(r, rc, "cannot read the templates", NULL);
  else
    ts_api_reply_list(r, items);
}

static int apply_template_put(ts_tx *tx, void *arg) {
  nop *o = arg;
  return ts_tx_letter_put(tx, o->code, o->lang, o->subject, o->text, o->base.me.username, o->base.now);
}

/* PUT /api/v1/letter-templates/{code}/{lang} {"subject","body"} with {{variables}}. */
void ts_api_letter_template_put(ts_req *r) {
  static const char *const keys[] = {"subject", "body", NULL};
  json_t *errors = json_object();
  char why[160];
  nop *o = ts_api_op_new(r, sizeof(nop), NULL);
  if (!o || !errors || ts_api_body(r, &o->base.body))
    goto out;
  const char *code = ts_req_param(r, 0), *lang = ts_req_param(r, 1);
  if (!ts_ident_ok(code, 32))
    json_object_set_new(errors, "code", json_string("must be a code of lower-case letters, digits and _"));
  if (!ts_enum_has(langs, lang))
    json_object_set_new(errors, "lang", json_string("must be zh or en"));
  snprintf(o->code, sizeof o->code, "%s", code);
  snprintf(o->lang, sizeof o->lang, "%s", ts_enum_has(langs, lang) ? lang : "");
  ts_api_check_keys(o->base.body, keys, errors);
  ts_api_get_text(o->base.body, "subject", 1, 200, 0, errors, &o->subject);
  ts_api_get_text(o->base.body, "body", 1, 20000, 1, errors, &o->text);
  if (o->subject && ts_letter_check(o->subject, letter_vars, why, sizeof why))
    json_object_set_new(errors, "subject", json_string(why));
  if (o->text && ts_letter_check(o->text, letter_vars, why, sizeof why))
    json_object_set_new(errors, "body", json_string(why));
  if (!json_object_size(errors))
    o->base.reply = json_pack("{s:{s:s,s:s,s:s,s:s}}", "template", "code", o->code, "lang", o->lang,
                         "subject", o->subject, "body", o->text);
  if (ts_api_submit(r, &errors, apply_template_put, o, ts_api_op_free, ts_api_op_finish))
    o = NULL;
out:
  json_decref(errors);
  ts_api_op_free(o);
}

/* Rendering reads through a transaction that writes nothing (the renderer reads the
 * template, the clocks and the organisation the way a send does). */
static int apply_render(ts_tx *tx, void *arg) {
  nop *o = arg;
  ts_case *c = NULL;
  char *subject = NULL, *text = NULL, *html = NULL;
  int rc = ts_api_tx_case(tx, o->case_no, &o->base.me.p, &c);
  if (!rc && !(rc = ts_svc_letter_render(tx, c, o->code, o->lang, NULL, o->base.now, &subject, &text)) &&
      !(rc = ts_letter_text_to_html(subject, text, &html))) {
    json_decref(o->base.reply);
    o->base.reply = json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:s?}}", "letter", "case_no", o->case_no, "template",
                         o->code, "lang", o->lang, "subject", subject, "text", text, "html", html);
    rc = o->base.reply ? TS_OK : TS_ERR_NOMEM;
  }
  if (rc == TS_ERR_NOT_FOUND && c)
    o->base.why = "no such letter template";
  free(subject);
  free(text);
  free(html);
  ts_case_free(c);
  return rc;
}

static int letter_params(ts_req *r, nop *o) {
  ts_case *c = NULL;
  const char *lang = NULL;
  if (ts_api_case_visible(r, ts_req_param(r, 0), &c))
    return 1;
  snprintf(o->case_no, sizeof o->case_no, "%s", ts_case_text(c, TS_CF_CASE_NO));
  ts_case_free(c);
  if (!ts_ident_ok(ts_req_param(r, 1), 32)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such letter template", NULL);
    return 1;
  }
  snprintf(o->code, sizeof o->code, "%s", ts_req_param(r, 1));
  if (ts_api_query(r, "lang", 4, &lang))
    return 1;
  if (lang && !ts_enum_has(langs, lang)) {
    ts_api_invalid(r, json_pack("{s:s}", "lang", "must be zh or en"));
    return 1;
  }
  snprintf(o->lang, sizeof o->lang, "%s", lang ? lang : "zh");
  return 0;
}

/* GET /api/v1/cases/{no}/letters/{template}?lang=zh: the letter to read or print. */
void ts_api_letter_render(ts_req *r) {
  static const char *const keys[] = {"lang", NULL};
  nop *o = ts_api_op_new(r, sizeof(nop), NULL);
  if (!o)
    return;
  if (ts_api_query_keys(r, keys) || letter_params(r, o)) {
    ts_api_op_free(o);
    return;
  }
  ts_req_defer(r, apply_render, o, ts_api_op_free, ts_api_op_finish);
}

static int apply_letter_send(ts_tx *tx, void *arg) {
  nop *o = arg;
  ts_case *c = NULL;
  char key[32];
  int rc = ts_api_tx_case(tx, o->case_no, &o->base.me.p, &c);
  const char *to = o->to ? o->to : c ? ts_case_text(c, TS_CF_C_EMAIL) : NULL;
  if (!rc && !to) {
    o->base.why = "the customer gave no e-mail address: print the letter, or give \"to\"";
    rc = TS_ERR_CONFLICT;
  }
  snprintf(key, sizeof key, "%lld", (long long)o->base.now);
  if (!rc && (rc = ts_svc_letter_send(tx, c, o->code, o->lang, to, o->base.me.username, o->base.now, key)) ==
               TS_ERR_NOT_FOUND)
    o->base.why = "no such letter template";
  if (!rc) {
    json_decref(o->base.reply);
    o->base.reply = json_pack("{s:{s:s,s:s,s:s,s:s}}", "letter", "case_no", o->case_no, "template", o->code,
                         "lang", o->lang, "to", to);
    rc = o->base.reply ? TS_OK : TS_ERR_NOMEM;
  }
  ts_case_free(c);
  return rc;
}

/* POST /api/v1/cases/{no}/letters/{template} {"lang","to"}: rendered and sent through the
 * outbox (to the customer's address unless "to" is given). */
void ts_api_letter_send(ts_req *r) {
  static const char *const keys[] = {"lang", "to", NULL};
  json_t *errors = json_object();
  const char *lang = NULL;
  nop *o = ts_api_op_new(r, sizeof(nop), NULL);
  if (!o || !errors || ts_api_body(r, &o->base.body))
    goto out;
  if (letter_params(r, o))
    goto out;
  ts_api_check_keys(o->base.body, keys, errors);
  if (!ts_api_get_text(o->base.body, "lang", 0, 4, 0, errors, &lang) && lang) {
    if (!ts_enum_has(langs, lang))
      json_object_set_new(errors, "lang", json_string("must be zh or en"));
    snprintf(o->lang, sizeof o->lang, "%s", lang);
  }
  if (!ts_api_get_text(o->base.body, "to", 0, 254, 0, errors, &o->to) && o->to && !ts_email_ok(o->to))
    json_object_set_new(errors, "to", json_string("must be an e-mail address"));
  o->base.status = 202;
  if (ts_api_submit(r, &errors, apply_letter_send, o, ts_api_op_free, ts_api_op_finish))
    o = NULL;
out:
  json_decref(errors);
  ts_api_op_free(o);
}

/* ---- the test tick ---------------------------------------------------------------------------- */

void ts_api_test_tick(ts_req *r) {
  ts_jobs_result res;
  if (!r->app->test_clock) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such resource", NULL);
    return;
  }
  int rc = ts_jobs_run_once(r->app->store, r->app->smtp, ts_now(), &res);
  if (rc)
    ts_reply_error(r, rc, "the background jobs failed", NULL);
  else
    ts_reply_json(r, 200, json_pack("{s:o,s:[ssss],s:o}", "now", ts_api_time_json(ts_now()), "ran",
                                    "sla", "reminders", "reports", "outbox", "result",
                                    ts_jobs_result_json(&res)));
}
