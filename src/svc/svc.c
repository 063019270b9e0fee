#include "svc/svc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/grading.h"
#include "core/lifecycle.h"
#include "core/perm.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "svc/sla.h"

#define FUTURE_SLACK 300 /* seconds a client clock may run ahead */

static int lk_channel(void *ctx, const char *code, int *external) {
  return ts_store_channel_get(ctx, code, external);
}
static int lk_category(void *ctx, const char *code) { return ts_store_category_get(ctx, code); }
static int lk_unit_kind(void *ctx, int64_t id, char *kind, size_t kindsz) {
  ts_unit u;
  int rc = ts_store_unit_get(ctx, id, &u);
  if (!rc)
    snprintf(kind, kindsz, "%s", u.kind);
  return rc;
}
static int lk_user(void *ctx, const char *username) {
  ts_user u;
  int rc = ts_store_user_get(ctx, username, &u, NULL, 0);
  return rc ? rc : u.disabled ? TS_ERR_NOT_FOUND : TS_OK;
}

static int lk_stage(void *ctx, const char *code) { return ts_store_stage_get(ctx, code); }

ts_case_lookup ts_svc_case_lookup(ts_store *s) {
  ts_case_lookup lk = {s, lk_channel, lk_category, lk_unit_kind, lk_user, lk_stage};
  return lk;
}

static void err(json_t *errors, const char *key, const char *msg) {
  if (!json_object_get(errors, key))
    json_object_set_new(errors, key, json_string(msg));
}

int ts_svc_case_prepare(ts_store *s, const ts_user *who, json_t *body, int64_t now,
                        ts_case **out, json_t *errors) {
  ts_case_lookup lk = ts_svc_case_lookup(s);
  ts_case *c = ts_case_new();
  ts_unit outlet;
  int rc;
  if (!c)
    return TS_ERR_NOMEM;
  if ((rc = ts_case_apply_json(c, body, TS_FF_IN, &lk, errors)) == TS_ERR_NOMEM)
    goto out;
  ts_case_check_required(c, errors);
  /* The receiving outlet: the caller's own when they sit at one. */
  if (!ts_case_has(c, TS_CF_OUTLET) && !json_object_get(errors, "outlet")) {
    ts_unit mine;
    if (who->unit_id && ts_store_unit_get(s, who->unit_id, &mine) == TS_OK &&
        strcmp(mine.kind, "outlet") == 0)
      ts_case_set_int(c, TS_CF_OUTLET, mine.id);
    else
      err(errors, "outlet", "is required: your own unit is not an outlet");
  }
  if (ts_case_has(c, TS_CF_RECEIVED_AT) && ts_case_int(c, TS_CF_RECEIVED_AT) > now + FUTURE_SLACK)
    err(errors, "received_at", "is in the future");
  if (json_object_size(errors)) {
    rc = TS_ERR_INVALID;
    goto out;
  }
  /* A caller registers for outlets within their place (first receiver = owner). */
  if ((rc = ts_store_unit_get(s, ts_case_int(c, TS_CF_OUTLET), &outlet)))
    goto out;
  if (!(who->roles & TS_ROLES_SEE_ALL) && !ts_path_under(outlet.path, who->unit_path)) {
    rc = TS_ERR_FORBIDDEN;
    goto out;
  }
  if (!ts_case_has(c, TS_CF_RECEIVED_AT))
    ts_case_set_int(c, TS_CF_RECEIVED_AT, now);
  ts_case_set_int(c, TS_CF_REOPEN_COUNT, 0);
  /* Routing (DOMAIN §4): the responsible department, unless the caller named one. */
  int64_t dept;
  if (!ts_case_has(c, TS_CF_DEPT) &&
      ts_store_route(s, ts_case_text(c, TS_CF_CATEGORY), outlet.id, &dept) == TS_OK)
    ts_case_set_int(c, TS_CF_DEPT, dept);
  if ((rc = ts_case_set_text(c, TS_CF_STATUS, "received")) ||
      (rc = ts_case_set_text(c, TS_CF_GRADE, "g1")) ||
      (rc = ts_case_set_text(c, TS_CF_OWNER, who->username)))
    goto out;
out:
  if (rc) {
    ts_case_free(c);
    return rc;
  }
  *out = c;
  return TS_OK;
}

static int count_through_tx(void *ctx, ts_rule_kind kind, const ts_case *c, int64_t since,
                            int64_t cap, int64_t *n) {
  return ts_tx_grade_count(ctx, kind, c, since, cap, n);
}

int ts_svc_case_grade(ts_tx *tx, ts_case *c, int64_t now) {
  char key[300];
  const ts_rule *rules;
  int n, rc;
  const char *k = ts_subject_key(c, key, sizeof key);
  if ((rc = ts_case_set_text(c, TS_CF_SUBJECT_KEY, k)))
    return rc;
  if (!k)
    ts_case_clear(c, TS_CF_SUBJECT_KEY);
  if ((rc = ts_tx_grading_rules(tx, &rules, &n)))
    return rc;
  ts_grade_lookup lk = {tx, count_through_tx};
  if ((rc = ts_grade_evaluate(c, rules, n, &lk, now)))
    return rc;
  /* Escalation (DOMAIN §4): each tier the grade reaches is told once. A case not yet in
   * the store is escalated by ts_svc_case_insert once it has its id. */
  int level = ts_grade_level(ts_case_text(c, TS_CF_GRADE));
  int tier = ts_case_has(c, TS_CF_ESCALATION_TIER) ? (int)ts_case_int(c, TS_CF_ESCALATION_TIER) : 1;
  if (level > tier && c->id) {
    int notices;
    ts_people people = {.n = 0};
    if ((rc = ts_tx_escalate(tx, c, tier, level, now, &notices, &people)) ||
        (rc = ts_svc_escalation_notify(tx, c, level, &people, now)))
      return rc;
  }
  if (c->id || !ts_case_has(c, TS_CF_ESCALATION_TIER))
    ts_case_set_int(c, TS_CF_ESCALATION_TIER, level > tier ? level : tier);
  return TS_OK;
}

/* Fields the write itself decides (number, time, grade): spliced into the register
 * entry there; everything else is diffed before the write. */
static const int writer_fields[] = {TS_CF_CASE_NO, TS_CF_REGISTERED_AT, TS_CF_GRADE,
                                    TS_CF_GRADE_REASONS, TS_CF_ESCALATION_TIER};
#define N_WRITER_FIELDS (sizeof writer_fields / sizeof writer_fields[0])

char *ts_svc_case_register_changes(const ts_case *c) {
  json_t *d = ts_case_diff(NULL, c);
  for (size_t i = 0; d && i < N_WRITER_FIELDS; i++)
    json_object_del(d, ts_case_fields[writer_fields[i]].json);
  char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
  json_decref(d);
  return text;
}

int ts_svc_case_insert(ts_tx *tx, ts_case *c, const char *prefix, const char *actor,
                       int64_t now, const char *changes) {
  char *own = NULL, *head = NULL, *full = NULL;
  int rc;
  int notices;
  if ((rc = ts_svc_case_grade(tx, c, now)) || (rc = ts_tx_case_insert(tx, c, prefix, now)))
    return rc;
  ts_people people = {.n = 0};
  int tier = (int)ts_case_int(c, TS_CF_ESCALATION_TIER);
  if (tier > 1 && ((rc = ts_tx_escalate(tx, c, 1, tier, now, &notices, &people)) ||
                   (rc = ts_svc_escalation_notify(tx, c, tier, &people, now))))
    return rc;
  if (!changes && !(changes = own = ts_svc_case_register_changes(c)))
    return TS_ERR_NOMEM;
  /* Splice in what the write decided: the number, the registration time, the grade. */
  json_t *first = json_object();
  for (size_t i = 0; first && i < N_WRITER_FIELDS; i++)
    if (ts_case_has(c, writer_fields[i])) /* nothing to record for what stayed empty */
      json_object_set_new(first, ts_case_fields[writer_fields[i]].json,
                          json_pack("[no]", ts_case_field_json(c, writer_fields[i])));
  head = first ? json_dumps(first, JSON_COMPACT) : NULL;
  json_decref(first);
  size_t n = (head ? strlen(head) : 0) + strlen(changes) + 2;
  if (head && (full = malloc(n))) {
    int more = strcmp(changes, "{}") != 0;
    size_t hl = strlen(head) - 1; /* without its closing brace */
    memcpy(full, head, hl);
    snprintf(full + hl, n - hl, "%s%s", more ? "," : "}", more ? changes + 1 : "");
    rc = ts_tx_history_add_text(tx, c->id, now, actor, "register", full);
  } else {
    rc = TS_ERR_NOMEM;
  }
  free(head);
  free(full);
  free(own);
  /* the clocks start (DOMAIN §5), and the customer who gave an address gets the
   * acknowledgement (受理函) at once, which meets the acknowledgement clock */
  static const char *const events[] = {"received", "register", "site_visit"};
  const ts_sla_rules *r;
  if (!rc) /* a site visit needed from the start starts its clock too */
    rc = ts_svc_sla_case(tx, NULL, c, events, ts_case_int(c, TS_CF_SITE_VISIT) ? 3 : 2, now);
  if (!rc && ts_case_text(c, TS_CF_C_EMAIL) && !(rc = ts_tx_sla_rules(tx, &r)) && r->auto_ack)
    rc = ts_svc_letter_send(tx, c, "acknowledgement", "zh", ts_case_text(c, TS_CF_C_EMAIL), "system",
                            now, NULL);
  return rc;
}

/* A text member into a fixed buffer; adds an error if invalid. 1 if present and valid. */
static int text_into(json_t *body, const char *key, size_t maxchars, char *dst, size_t dstsz,
                     int required, json_t *errors) {
  json_t *v = json_object_get(body, key);
  const char *s = json_string_value(v);
  if (!v || json_is_null(v)) {
    if (required)
      err(errors, key, "is required");
    return 0;
  }
  if (!s || !*s || !ts_text_clean(s, 0) || ts_utf8_len(s) > maxchars || strlen(s) >= dstsz) {
    err(errors, key, !s ? "must be a string" : "must be 1 to the allowed number of characters");
    return 0;
  }
  snprintf(dst, dstsz, "%s", s);
  return 1;
}

static const char *const user_create_keys[] = {"username", "password", "display_name", "roles",
                                               "unit", "email", "disabled", NULL};

int ts_svc_user_prepare(ts_store *s, json_t *body, int create, ts_user *u,
                        char pwhash[TS_PWHASH_MAX], json_t *errors) {
  const char *key;
  json_t *v;
  json_object_foreach(body, key, v) {
    int known = 0;
    for (const char *const *k = user_create_keys; *k; k++)
      known |= strcmp(*k, key) == 0;
    if (!known)
      err(errors, strlen(key) <= 64 ? key : "(long key)", "unknown field");
    else if (!create && (!strcmp(key, "username") || !strcmp(key, "password")))
      err(errors, key, "cannot be changed here");
  }
  if (create) {
    memset(u, 0, sizeof *u);
    const char *name = json_string_value(json_object_get(body, "username"));
    if (!name || !ts_ident_ok(name, 64))
      err(errors, "username", "must be 1-64 of a-z 0-9 . _ - starting with a letter or digit");
    else
      snprintf(u->username, sizeof u->username, "%s", name);
    const char *pw = json_string_value(json_object_get(body, "password"));
    if (!pw || !ts_password_ok(pw))
      err(errors, "password", "must be 8 to 256 characters");
  }
  text_into(body, "display_name", 100, u->display_name, sizeof u->display_name, create, errors);
  if (json_object_get(body, "email")) {
    const char *e = json_string_value(json_object_get(body, "email"));
    if (json_is_null(json_object_get(body, "email")) || (e && !*e))
      u->email[0] = '\0';
    else if (!e || !ts_email_ok(e))
      err(errors, "email", "must be an e-mail address");
    else
      snprintf(u->email, sizeof u->email, "%s", e);
  }
  json_t *roles = json_object_get(body, "roles");
  if (roles || create) {
    size_t i;
    json_t *it;
    unsigned mask = 0;
    if (!json_is_array(roles) || json_array_size(roles) == 0)
      err(errors, "roles", "must be a non-empty list of roles");
    json_array_foreach(roles, i, it) {
      unsigned bit = ts_role_parse(json_string_value(it));
      if (!bit)
        err(errors, "roles", "has an unknown role");
      mask |= bit;
    }
    u->roles = mask;
  }
  json_t *unit = json_object_get(body, "unit");
  if (unit || create) {
    ts_unit un;
    if (!json_is_integer(unit) || json_integer_value(unit) <= 0 ||
        ts_store_unit_get(s, json_integer_value(unit), &un) != TS_OK)
      err(errors, "unit", "must be the id of an existing unit");
    else {
      u->unit_id = un.id;
      snprintf(u->unit_path, sizeof u->unit_path, "%s", un.path);
    }
  }
  json_t *dis = json_object_get(body, "disabled");
  if (dis) {
    if (!json_is_boolean(dis))
      err(errors, "disabled", "must be true or false");
    u->disabled = json_is_true(dis);
  }
  if (json_object_size(errors))
    return TS_ERR_INVALID;
  if (create) {
    const char *pw = json_string_value(json_object_get(body, "password"));
    return ts_password_hash(pw, pwhash);
  }
  return TS_OK;
}

static const char *const unit_keys[] = {"name", "kind", "parent", "code", NULL};

int ts_svc_unit_prepare(ts_store *s, json_t *body, ts_unit *u, json_t *errors) {
  const char *key;
  json_t *v;
  ts_unit parent;
  memset(u, 0, sizeof *u);
  json_object_foreach(body, key, v) {
    int known = 0;
    for (const char *const *k = unit_keys; *k; k++)
      known |= strcmp(*k, key) == 0;
    if (!known)
      err(errors, strlen(key) <= 64 ? key : "(long key)", "unknown field");
  }
  text_into(body, "name", 100, u->name, sizeof u->name, 1, errors);
  const char *kind = json_string_value(json_object_get(body, "kind"));
  if (!kind || !ts_enum_has(ts_enum_unit_kind, kind))
    err(errors, "kind", "must be company, region, outlet or department");
  else
    snprintf(u->kind, sizeof u->kind, "%s", kind);
  json_t *code = json_object_get(body, "code");
  if (code && !json_is_null(code)) {
    const char *cs = json_string_value(code);
    if (!cs || !ts_code_ok(cs, 32, 0))
      err(errors, "code", "must be 1-32 of A-Z 0-9 _ -");
    else
      snprintf(u->code, sizeof u->code, "%s", cs);
  }
  json_t *p = json_object_get(body, "parent");
  if (p && !json_is_null(p)) {
    if (!json_is_integer(p) || json_integer_value(p) <= 0 ||
        ts_store_unit_get(s, json_integer_value(p), &parent) != TS_OK)
      err(errors, "parent", "must be the id of an existing unit");
    else
      u->parent_id = parent.id;
  }
  if (kind && !json_object_get(errors, "kind") && !json_object_get(errors, "parent")) {
    /* The tree's shape: company → region → outlet; departments anywhere. */
    int is_company = strcmp(kind, "company") == 0;
    if (is_company && u->parent_id)
      err(errors, "parent", "a company has no parent");
    else if (!is_company && !u->parent_id)
      err(errors, "parent", "is required");
    else if (u->parent_id) {
      int ok = !strcmp(kind, "department")
                 ? 1
                 : !strcmp(kind, "region")
                     ? !strcmp(parent.kind, "company") || !strcmp(parent.kind, "region")
                     : !strcmp(parent.kind, "company") || !strcmp(parent.kind, "region");
      if (!strcmp(kind, "department") && !strcmp(parent.kind, "outlet"))
        ok = 1;
      if (!ok)
        err(errors, "parent", "a region or outlet belongs under a company or region");
    }
  }
  return json_object_size(errors) ? TS_ERR_INVALID : TS_OK;
}

int ts_svc_list_parse(const char *name) {
  static const char *const names[TS_LIST__COUNT] = {"channels", "categories", "service-stages"};
  for (int i = 0; name && i < TS_LIST__COUNT; i++)
    if (!strcmp(name, names[i]))
      return i;
  return -1;
}

int ts_svc_list_prepare(ts_store *s, int list, const char *code, json_t *body,
                        ts_list_item *out, json_t *errors) {
  const char *key;
  json_t *v;
  (void)s;
  memset(out, 0, sizeof *out);
  out->list = list;
  out->active = 1;
  json_object_foreach(body, key, v) {
    int known = !strcmp(key, "name_zh") || !strcmp(key, "name_en") || !strcmp(key, "sort") ||
                !strcmp(key, "active") || (list == TS_LIST_CHANNELS && !strcmp(key, "external")) ||
                (list == TS_LIST_CATEGORIES && !strcmp(key, "parent"));
    if (!known)
      err(errors, strlen(key) <= 64 ? key : "(long key)", "unknown field");
  }
  if (!code || !ts_code_ok(code, 64, 1))
    err(errors, "code", "must be 1-64 of a-z 0-9 _ -");
  else
    snprintf(out->code, sizeof out->code, "%s", code);
  text_into(body, "name_zh", 80, out->name_zh, sizeof out->name_zh, 1, errors);
  text_into(body, "name_en", 120, out->name_en, sizeof out->name_en, 1, errors);
  json_t *sort = json_object_get(body, "sort"), *active = json_object_get(body, "active"),
         *ext = json_object_get(body, "external"), *parent = json_object_get(body, "parent");
  if (sort && (!json_is_integer(sort) || json_integer_value(sort) < 0 || json_integer_value(sort) > 100000))
    err(errors, "sort", "must be a whole number 0 to 100000");
  else if (sort)
    out->sort = (int)json_integer_value(sort);
  if (active && !json_is_boolean(active))
    err(errors, "active", "must be true or false");
  else if (active)
    out->active = json_is_true(active);
  if (ext && !json_is_boolean(ext))
    err(errors, "external", "must be true or false");
  else if (ext)
    out->external = json_is_true(ext);
  if (parent && !json_is_null(parent)) {
    const char *p = json_string_value(parent);
    if (!p || !ts_code_ok(p, 64, 1))
      err(errors, "parent", "must be the code of a category");
    else
      snprintf(out->parent, sizeof out->parent, "%s", p);
  }
  return json_object_size(errors) ? TS_ERR_INVALID : TS_OK;
}

int ts_svc_hr_review(ts_tx *tx, const ts_case *c, int64_t threshold, const char *actor,
                     int64_t now, int *added) {
  const char *cause = ts_case_text(c, TS_CF_ROOT_CAUSE);
  int64_t loss = 0;
  int have = 0, rc;
  *added = 0;
  if (!cause || threshold <= 0 || ts_case_loss_total(c) <= 0)
    return TS_OK;
  if ((rc = ts_tx_root_cause_loss(tx, cause, &loss)) || loss < threshold)
    return rc;
  if ((rc = ts_tx_penalty_exists(tx, c->id, "hr_review", &have)) || have)
    return rc;
  ts_penalty p;
  memset(&p, 0, sizeof p);
  p.case_id = c->id;
  p.amount_cents = -1;
  p.share_pct = -1;
  snprintf(p.person, sizeof p.person, "责任人待定 (to be named)");
  snprintf(p.kind, sizeof p.kind, "hr_review");
  snprintf(p.reason, sizeof p.reason,
           "同一原因（%s）累计损失 %lld.%02lld 元，达到人事评议门槛 %lld.%02lld 元 "
           "(losses of this root cause reached the HR-review threshold)",
           cause, (long long)(loss / 100), (long long)(loss % 100), (long long)(threshold / 100),
           (long long)(threshold % 100));
  snprintf(p.proposed_by, sizeof p.proposed_by, "%s", actor);
  p.proposed_at = now;
  if ((rc = ts_tx_penalty_add(tx, &p)))
    return rc;
  json_t *changes = json_pack("{s:[n,{s:s,s:s}]}", "penalties", "kind", "hr_review", "reason", p.reason);
  rc = changes ? ts_tx_history_add(tx, c->id, now, actor, "penalty_proposed", changes) : TS_ERR_NOMEM;
  json_decref(changes);
  if (!rc)
    *added = 1;
  return rc;
}

int ts_svc_approval_limit_prepare(const char *role, json_t *body, int64_t *max_cents,
                                  const char **max_grade, json_t *errors) {
  unsigned bit = ts_role_parse(role);
  const char *key;
  json_t *v;
  json_object_foreach(body, key, v) {
    if (strcmp(key, "max_cents") && strcmp(key, "max_grade"))
      err(errors, strlen(key) <= 64 ? key : "(long key)", "unknown field");
  }
  if (!bit || bit == TS_ROLE_ADMIN || bit == TS_ROLE_AUDITOR || bit == TS_ROLE_AGENT ||
      bit == TS_ROLE_REVIEWER)
    err(errors, "role", "must be handler, supervisor, dept_manager or general_manager");
  json_t *m = json_object_get(body, "max_cents");
  if (!m)
    err(errors, "max_cents", "is required: cents, or null for no limit");
  else if (json_is_null(m))
    *max_cents = -1;
  else if (!json_is_integer(m) || json_integer_value(m) < 0 || json_integer_value(m) > TS_CENTS_MAX)
    err(errors, "max_cents", "must be a whole number of cents, or null for no limit");
  else
    *max_cents = json_integer_value(m);
  *max_grade = json_string_value(json_object_get(body, "max_grade"));
  if (!ts_grade_level(*max_grade))
    err(errors, "max_grade", "must be g1, g2, g3 or g4");
  return json_object_size(errors) ? TS_ERR_INVALID : TS_OK;
}

int ts_svc_setting_prepare(const char *key, json_t *body, int64_t *value, json_t *errors) {
  static const struct {
    const char *key;
    int64_t lo, hi;
  } known[] = {{"hr_review_threshold_cents", 0, TS_CENTS_MAX},
               {"sla_warn_pct", 1, 99},              /* the warning point of every clock */
               {"pending_reminder_day", 1, 28},      /* the monthly pending-items reminder */
               {"outbox_max_attempts", 1, 100},      /* deliveries given up after this many */
               {"outbox_backoff_seconds", 1, 86400}, /* the first wait; doubles per try */
               {"auto_acknowledge", 0, 1},           /* 受理函 at registration by e-mail */
               {"report_recipient_roles", 0, 255}};  /* who gets the monthly report (perm.h) */
  int k = -1;
  for (size_t i = 0; key && i < sizeof known / sizeof known[0]; i++)
    if (!strcmp(key, known[i].key))
      k = (int)i;
  const char *bk;
  json_t *v;
  json_object_foreach(body, bk, v) {
    if (strcmp(bk, "value"))
      err(errors, strlen(bk) <= 64 ? bk : "(long key)", "unknown field");
  }
  if (k < 0) {
    err(errors, "key", "is not a setting");
    return TS_ERR_INVALID;
  }
  json_t *val = json_object_get(body, "value");
  if (!json_is_integer(val) || json_integer_value(val) < known[k].lo ||
      json_integer_value(val) > known[k].hi)
    err(errors, "value", "must be a whole number in the setting's range");
  else
    *value = json_integer_value(val);
  return json_object_size(errors) ? TS_ERR_INVALID : TS_OK;
}

int ts_svc_escalation_prepare(const char *grade, json_t *body, const char **targets, int *n,
                              json_t *errors) {
  const char *key;
  json_t *v, *arr = json_object_get(body, "targets");
  size_t i;
  *n = 0;
  json_object_foreach(body, key, v) {
    if (strcmp(key, "targets"))
      err(errors, strlen(key) <= 64 ? key : "(long key)", "unknown field");
  }
  if (!ts_grade_level(grade))
    err(errors, "grade", "must be g1, g2, g3 or g4");
  if (!json_is_array(arr) || json_array_size(arr) > 16) {
    err(errors, "targets", "must be a list of at most 16 targets");
    return TS_ERR_INVALID;
  }
  json_array_foreach(arr, i, v) {
    const char *t = json_string_value(v);
    int ok = t && (!strcmp(t, "outlet") || !strcmp(t, "region") ||
                   (!strncmp(t, "unit:", 5) && ts_code_ok(t + 5, 32, 0)) ||
                   (!strncmp(t, "role:", 5) && ts_role_parse(t + 5)));
    if (!ok) {
      err(errors, "targets", "each is outlet, region, unit:<CODE> or role:<role>");
      break;
    }
    targets[(*n)++] = t;
  }
  return json_object_size(errors) ? TS_ERR_INVALID : TS_OK;
}

int ts_svc_calendar_parse(const char *text, ts_cal_entry **out, int *n, json_t *errors) {
  ts_cal_entry *days = NULL;
  int count = 0, cap = 0, lineno = 0;
  *out = NULL;
  *n = 0;
  for (const char *p = text; *p && json_object_size(errors) < 20;) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char line[600], where[32];
    const char *why = NULL;
    snprintf(where, sizeof where, "line %d", ++lineno);
    p = end ? end + 1 : p + len;
    if (len >= sizeof line) {
      err(errors, where, "is too long");
      continue;
    }
    memcpy(line, p - len - (end ? 1 : 0), len);
    line[len] = '\0';
    if (len && line[len - 1] == '\r')
      line[len - 1] = '\0';
    if (count == cap) {
      int ncap = cap ? cap * 2 : 64;
      ts_cal_entry *g = realloc(days, (size_t)ncap * sizeof *g);
      if (!g) {
        free(days);
        return TS_ERR_NOMEM;
      }
      days = g;
      cap = ncap;
    }
    ts_cal_entry *e = &days[count];
    int rc = ts_cal_parse_line(line, e->date, &e->working, e->name, sizeof e->name, &why);
    if (rc == TS_OK)
      count++;
    else if (rc != TS_ERR_NOT_FOUND)
      err(errors, where, why ? why : "is not a calendar line");
  }
  if (!count && !json_object_size(errors))
    err(errors, "text", "has no calendar lines");
  if (json_object_size(errors)) {
    free(days);
    return TS_ERR_INVALID;
  }
  *out = days;
  *n = count;
  return TS_OK;
}

int ts_svc_calendar_store(ts_tx *tx, const ts_cal_entry *days, int n) {
  int rc = TS_OK;
  for (int i = 0; i < n && !rc; i++)
    rc = ts_tx_calendar_day_put(tx, days[i].date, days[i].working, days[i].name);
  return rc;
}
