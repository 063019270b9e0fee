#include "cli/demo.h"

#include <stdlib.h>
#include <string.h>

#include "core/ts_err.h"
#include "svc/svc.h"
#include "util/clock.h"
#include "util/tstime.h"

extern const unsigned char ts_demo_json[];
extern const size_t ts_demo_json_len;

typedef struct {
  json_t *root;
  json_t *units;   /* code -> id (integer), filled as units are inserted */
  ts_store *store;
  const char *prefix;
  /* cases ready to insert, with their extras */
  ts_case **cases;
  json_t **extras; /* {"registered_by","notes","contacts","promises"} per case */
  size_t n_cases;
  char (*hashes)[TS_PWHASH_MAX];
  json_t *errors;
} demo;

static int apply_org(ts_tx *tx, void *arg) {
  demo *d = arg;
  size_t i;
  json_t *it;
  int rc = TS_OK;
  int64_t now = ts_now();
  json_array_foreach(json_object_get(d->root, "units"), i, it) {
    ts_unit u;
    memset(&u, 0, sizeof u);
    const char *parent = json_string_value(json_object_get(it, "parent"));
    snprintf(u.code, sizeof u.code, "%s", json_string_value(json_object_get(it, "code")));
    snprintf(u.name, sizeof u.name, "%s", json_string_value(json_object_get(it, "name")));
    snprintf(u.kind, sizeof u.kind, "%s", json_string_value(json_object_get(it, "kind")));
    u.parent_id = parent ? json_integer_value(json_object_get(d->units, parent)) : 0;
    u.created_at = now;
    if (parent && !u.parent_id)
      return TS_ERR_INVALID;
    if ((rc = ts_tx_unit_insert(tx, &u)))
      return rc;
    json_object_set_new(d->units, u.code, json_integer(u.id));
  }
  json_array_foreach(json_object_get(d->root, "users"), i, it) {
    ts_user u;
    memset(&u, 0, sizeof u);
    snprintf(u.username, sizeof u.username, "%s", json_string_value(json_object_get(it, "username")));
    snprintf(u.display_name, sizeof u.display_name, "%s",
             json_string_value(json_object_get(it, "display_name")));
    size_t k;
    json_t *role;
    json_array_foreach(json_object_get(it, "roles"), k, role) {
      u.roles |= ts_role_parse(json_string_value(role));
    }
    u.unit_id = json_integer_value(
      json_object_get(d->units, json_string_value(json_object_get(it, "unit"))));
    u.created_at = now;
    if (!u.roles || !u.unit_id)
      return TS_ERR_INVALID;
    if ((rc = ts_tx_user_insert(tx, &u, d->hashes[i])))
      return rc;
  }
  json_array_foreach(json_object_get(d->root, "routes"), i, it) {
    const char *unit = json_string_value(json_object_get(it, "unit"));
    int64_t dept = json_integer_value(
      json_object_get(d->units, json_string_value(json_object_get(it, "dept"))));
    int64_t unit_id = unit ? json_integer_value(json_object_get(d->units, unit)) : 0;
    if (!dept || (unit && !unit_id))
      return TS_ERR_INVALID;
    if ((rc = ts_tx_route_add(tx, json_string_value(json_object_get(it, "category")), unit_id,
                              dept, 100, now, NULL)))
      return rc;
  }
  return rc;
}

/* One history entry (changes stolen), as the API would have written it. */
static int demo_history(ts_tx *tx, int64_t case_id, int64_t at, const char *actor,
                        const char *action, json_t *changes) {
  int rc = changes ? ts_tx_history_add(tx, case_id, at, actor, action, changes) : TS_ERR_NOMEM;
  json_decref(changes);
  return rc;
}

static int apply_cases(ts_tx *tx, void *arg) {
  demo *d = arg;
  int64_t now = ts_now();
  int rc = TS_OK;
  for (size_t i = 0; i < d->n_cases && !rc; i++) {
    ts_case *c = d->cases[i];
    json_t *x = d->extras[i];
    const char *by = json_string_value(json_object_get(x, "registered_by"));
    size_t k;
    json_t *it;
    if ((rc = ts_svc_case_insert(tx, c, d->prefix, by, now, NULL)))
      break;
    json_array_foreach(json_object_get(x, "notes"), k, it) {
      const char *nb = json_string_value(json_object_get(it, "by"));
      const char *text = json_string_value(json_object_get(it, "text"));
      if (!text || (rc = ts_tx_note_add(tx, c->id, now, nb ? nb : by, text, NULL)) ||
          (rc = demo_history(tx, c->id, now, nb ? nb : by, "note",
                             json_pack("{s:[n,s]}", "notes", text))))
        break;
    }
    json_array_foreach(json_object_get(x, "contacts"), k, it) {
      ts_contact ct;
      const char *cb = json_string_value(json_object_get(it, "by"));
      memset(&ct, 0, sizeof ct);
      if (ts_time_parse(json_string_value(json_object_get(it, "at")), &ct.at))
        ct.at = now;
      ct.by = cb ? cb : by;
      ct.method = json_string_value(json_object_get(it, "method"));
      ct.direction = json_string_value(json_object_get(it, "direction"));
      ct.summary = json_string_value(json_object_get(it, "summary"));
      if (!ct.method || !ct.direction || !ct.summary ||
          (rc = ts_tx_contact_add(tx, c->id, &ct, NULL)) ||
          (rc = demo_history(tx, c->id, now, ct.by, "contact",
                             json_pack("{s:[n,{s:s,s:s,s:s}]}", "contacts", "method", ct.method,
                                       "direction", ct.direction, "summary", ct.summary))))
        break;
    }
    json_array_foreach(json_object_get(x, "promises"), k, it) {
      ts_promise p;
      const char *pb = json_string_value(json_object_get(it, "by"));
      json_t *kept = json_object_get(it, "kept");
      memset(&p, 0, sizeof p);
      p.case_id = c->id;
      p.created_at = now;
      snprintf(p.by, sizeof p.by, "%s", pb ? pb : by);
      snprintf(p.promise, sizeof p.promise, "%s",
               json_string_value(json_object_get(it, "promise")));
      if (ts_time_parse(json_string_value(json_object_get(it, "due_at")), &p.due_at))
        p.due_at = now;
      if ((rc = ts_tx_promise_add(tx, &p)) ||
          (rc = demo_history(tx, c->id, now, p.by, "promise",
                             json_pack("{s:[n,{s:s}]}", "promises", "promise", p.promise))))
        break;
      if (json_is_boolean(kept) && (rc = ts_tx_promise_settle(tx, p.id, json_is_true(kept), now)))
        break;
    }
  }
  return rc;
}

/* Turns a demo case into an API registration body (codes -> ids) plus its extras. */
static int prepare_case(demo *d, json_t *in, size_t idx) {
  json_t *body = json_deep_copy(in), *extras = json_object();
  ts_user who;
  int rc = TS_ERR_NOMEM;
  if (!body || !extras)
    goto out;
  static const char *const moved[] = {"registered_by", "notes", "contacts", "promises"};
  for (size_t i = 0; i < 4; i++) {
    json_t *v = json_object_get(body, moved[i]);
    if (v)
      json_object_set(extras, moved[i], v);
    json_object_del(body, moved[i]);
  }
  json_object_del(body, "seed");
  static const char *const unit_keys[] = {"outlet", "dept"};
  for (size_t i = 0; i < 2; i++) {
    const char *code = json_string_value(json_object_get(body, unit_keys[i]));
    if (code)
      json_object_set(body, unit_keys[i], json_object_get(d->units, code));
  }
  const char *by = json_string_value(json_object_get(extras, "registered_by"));
  if (!by || (rc = ts_store_user_get(d->store, by, &who, NULL, 0))) {
    rc = TS_ERR_INVALID;
    goto out;
  }
  json_t *errors = json_object();
  rc = ts_svc_case_prepare(d->store, &who, body, ts_now(), &d->cases[idx], errors);
  if (rc) {
    char *e = json_dumps(errors, JSON_COMPACT);
    fprintf(stderr, "demo case %zu: %s\n", idx + 1, e ? e : "?");
    free(e);
  }
  json_decref(errors);
  if (!rc) {
    d->extras[idx] = extras;
    extras = NULL;
  }
out:
  json_decref(body);
  json_decref(extras);
  return rc;
}

int ts_demo_load(ts_store *s, const char *case_prefix, FILE *out) {
  demo d;
  json_error_t jerr;
  ts_unit probe;
  int rc;
  size_t i;
  json_t *it;
  memset(&d, 0, sizeof d);
  d.store = s;
  d.prefix = case_prefix;
  d.root = json_loadb((const char *)ts_demo_json, ts_demo_json_len, 0, &jerr);
  d.units = json_object();
  if (!d.root || !d.units) {
    fprintf(stderr, "demo data is not valid JSON: %s\n", jerr.text);
    rc = TS_ERR_STORE;
    goto out;
  }
  json_t *first = json_array_get(json_object_get(d.root, "units"), 0);
  if (ts_store_unit_by_code(s, json_string_value(json_object_get(first, "code")), &probe) == TS_OK) {
    rc = TS_ERR_CONFLICT;
    goto out;
  }
  json_t *users = json_object_get(d.root, "users");
  d.hashes = calloc(json_array_size(users) + 1, sizeof *d.hashes);
  rc = TS_ERR_NOMEM;
  if (!d.hashes)
    goto out;
  json_array_foreach(users, i, it) {
    const char *pw = json_string_value(json_object_get(it, "password"));
    if (!pw || (rc = ts_password_hash(pw, d.hashes[i])))
      goto out;
  }
  if ((rc = ts_store_run(s, apply_org, &d))) {
    fprintf(stderr, "demo organisation could not be loaded (%d)\n", rc);
    goto out;
  }
  json_t *cases = json_object_get(d.root, "cases");
  d.n_cases = json_array_size(cases);
  d.cases = calloc(d.n_cases + 1, sizeof *d.cases);
  d.extras = calloc(d.n_cases + 1, sizeof *d.extras);
  rc = TS_ERR_NOMEM;
  if (!d.cases || !d.extras)
    goto out;
  json_array_foreach(cases, i, it) {
    if ((rc = prepare_case(&d, it, i)))
      goto out;
  }
  if ((rc = ts_store_run(s, apply_cases, &d)))
    goto out;
  fprintf(out, "Loaded %zu units, %zu users and %zu cases.\n\nDemo users (username / password / roles):\n",
          json_array_size(json_object_get(d.root, "units")), json_array_size(users), d.n_cases);
  json_array_foreach(users, i, it) {
    char *roles = json_dumps(json_object_get(it, "roles"), JSON_COMPACT);
    fprintf(out, "  %-22s %-20s %s\n", json_string_value(json_object_get(it, "username")),
            json_string_value(json_object_get(it, "password")), roles ? roles : "");
    free(roles);
  }
out:
  for (i = 0; d.cases && i < d.n_cases; i++) {
    ts_case_free(d.cases[i]);
    json_decref(d.extras[i]);
  }
  free(d.cases);
  free(d.extras);
  free(d.hashes);
  json_decref(d.units);
  json_decref(d.root);
  return rc;
}
