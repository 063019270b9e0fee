#include "core/case.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/ts_err.h"
#include "util/tstime.h"

const char *const ts_enum_status[] = {"received", "accepted", "investigating", "proposed",
                                      "approved", "resolved",  "closed",        "rejected",
                                      "pending",  "withdrawn", NULL};
const char *const ts_enum_grade[] = {"g1", "g2", "g3", "g4", NULL};
const char *const ts_enum_validity[] = {"valid", "partly_valid", "invalid", NULL};
const char *const ts_enum_nature[] = {"complaint", "request", "abnormal", NULL};
const char *const ts_enum_contact_pref[] = {"phone", "sms", "email", "wechat", "letter", "any",
                                            NULL};
const char *const ts_enum_demand[] = {"refund",     "return",      "exchange",
                                      "repair",     "discount",    "compensation",
                                      "apology",    "explanation", "other",
                                      NULL};
const char *const ts_enum_responsibility[] = {"ours", "supplier", "logistics",
                                              "customer_ours", "customer", "third_party",
                                              NULL};
const char *const ts_enum_kind_outlet[] = {"outlet", NULL};
const char *const ts_enum_kind_department[] = {"department", NULL};
const char *const ts_enum_unit_kind[] = {"company", "region", "outlet", "department", NULL};
/* Why a complaint is judged not valid (DOMAIN §3; seeds 000, 002). */
const char *const ts_enum_invalid_reason[] = {"customer_use",          /* 顾客自身保管或使用不当 */
                                              "allergy_constitution",  /* 过敏/个人体质 */
                                              "normal_characteristic", /* 产品正常特性 */
                                              "packaging_redesign",    /* 包装改版 */
                                              "misunderstanding",      /* 误解 */
                                              "beyond_reasonable",     /* 要求超出法律、合同或惯例 */
                                              "other",
                                              NULL};
/* 人机料法环 and the causes outside: people (attitude, standards, skill), machine,
 * material, method, environment; supplier, logistics, customer (DOMAIN §4). */
const char *const ts_enum_root_cause[] = {
  "people_attitude", "people_standards", "people_skill", "machine", "material", "method",
  "environment", "supplier", "logistics", "customer", NULL};
/* 投诉心理 (DOMAIN §8; seeds 002, 004). */
const char *const ts_enum_psychology[] = {"respect", "vent", "compensation", "balance",
                                          "recognition", "expertise", "revenge", NULL};
const char *const ts_enum_contact_method[] = {"phone", "sms",    "email", "wechat",
                                              "visit", "letter", "portal", NULL};

#define TS_X_ROW(id, json, col, type, max, flags, vals) {json, col, type, max, flags, vals},
const ts_field ts_case_fields[TS_CF__COUNT] = {TS_CASE_FIELDS(TS_X_ROW)};
#undef TS_X_ROW

static const int loss_fields[] = {TS_CF_L_COMPENSATION, TS_CF_L_REFUND, TS_CF_L_DISCOUNT,
                                  TS_CF_L_REPAIR,       TS_CF_L_GOODS,  TS_CF_L_FREIGHT,
                                  TS_CF_L_GIFT,         TS_CF_L_OTHER};

int ts_enum_has(const char *const *vals, const char *v) {
  for (; vals && *vals; vals++)
    if (strcmp(*vals, v) == 0)
      return 1;
  return 0;
}

static int is_text_type(ts_ftype t) {
  switch (t) {
  case TS_FT_TEXT: case TS_FT_MTEXT: case TS_FT_DATE: case TS_FT_ENUM: case TS_FT_LIST:
  case TS_FT_CHANNEL: case TS_FT_CATEGORY: case TS_FT_USER: case TS_FT_PHONE:
  case TS_FT_EMAIL: case TS_FT_JSON: case TS_FT_STAGE:
    return 1;
  default:
    return 0;
  }
}

ts_case *ts_case_new(void) { return calloc(1, sizeof(ts_case)); }

void ts_case_free(ts_case *c) {
  if (!c)
    return;
  for (int f = 0; f < TS_CF__COUNT; f++)
    free(c->v[f].s);
  free(c->outlet_path);
  free(c->dept_path);
  free(c);
}

static char *dup_or_null(const char *s, int *failed) {
  if (!s)
    return NULL;
  char *d = strdup(s);
  if (!d)
    *failed = 1;
  return d;
}

ts_case *ts_case_dup(const ts_case *c) {
  ts_case *d = ts_case_new();
  int failed = 0;
  if (!d)
    return NULL;
  d->id = c->id;
  for (int f = 0; f < TS_CF__COUNT; f++) {
    d->v[f] = c->v[f];
    d->v[f].s = dup_or_null(c->v[f].s, &failed);
  }
  d->outlet_path = dup_or_null(c->outlet_path, &failed);
  d->dept_path = dup_or_null(c->dept_path, &failed);
  if (failed) {
    ts_case_free(d);
    return NULL;
  }
  return d;
}

int ts_case_set_text(ts_case *c, int f, const char *s) {
  char *d = NULL;
  if (s && !(d = strdup(s)))
    return TS_ERR_NOMEM;
  free(c->v[f].s);
  c->v[f].s = d;
  c->v[f].i = 0;
  c->v[f].set = d ? 1 : 2;
  return TS_OK;
}

void ts_case_set_int(ts_case *c, int f, int64_t i) {
  free(c->v[f].s);
  c->v[f].s = NULL;
  c->v[f].i = i;
  c->v[f].set = 1;
}

void ts_case_clear(ts_case *c, int f) {
  free(c->v[f].s);
  c->v[f].s = NULL;
  c->v[f].i = 0;
  c->v[f].set = 0;
}

const char *ts_case_text(const ts_case *c, int f) { return c->v[f].set == 1 ? c->v[f].s : NULL; }
int64_t ts_case_int(const ts_case *c, int f) { return c->v[f].set == 1 ? c->v[f].i : 0; }
int ts_case_has(const ts_case *c, int f) { return c->v[f].set == 1; }

int ts_case_field_find(const char *json_path) {
  for (int f = 0; f < TS_CF__COUNT; f++)
    if (strcmp(ts_case_fields[f].json, json_path) == 0)
      return f;
  return -1;
}

static void add_error(json_t *errors, const char *path, const char *msg) {
  if (errors && !json_object_get(errors, path))
    json_object_set_new(errors, path, json_string(msg));
}

static int check_text(const char *s, long long max, int multiline, const char **why) {
  if (!*s) {
    *why = "must not be empty";
    return 0;
  }
  if (!ts_text_clean(s, multiline)) {
    *why = "must not contain control characters";
    return 0;
  }
  if ((long long)ts_utf8_len(s) > max) {
    *why = "too long";
    return 0;
  }
  return 1;
}

/* Parses one value into c->v[f]; on a problem, records it and returns TS_ERR_INVALID. */
static int parse_value(ts_case *c, int f, json_t *val, const ts_case_lookup *lk,
                       json_t *errors) {
  const ts_field *fd = &ts_case_fields[f];
  const char *why = NULL;
  const char *s = json_is_string(val) ? json_string_value(val) : NULL;
  int64_t i = 0;
  char kind[32];
  int rc = TS_OK;

  switch (fd->type) {
  case TS_FT_TEXT: case TS_FT_MTEXT:
    if (!s)
      why = "must be a string";
    else
      check_text(s, fd->max, fd->type == TS_FT_MTEXT, &why);
    break;
  case TS_FT_PHONE:
    if (!s || !ts_phone_ok(s))
      why = "must be a phone number";
    break;
  case TS_FT_EMAIL:
    if (!s || !ts_email_ok(s))
      why = "must be an e-mail address";
    break;
  case TS_FT_DATE:
    if (!s || !ts_date_ok(s))
      why = "must be a date YYYY-MM-DD";
    break;
  case TS_FT_ENUM:
    if (!s || !ts_enum_has(fd->vals, s))
      why = "is not one of the allowed values";
    break;
  case TS_FT_CHANNEL: {
    int external = 0;
    if (!s || strlen(s) > 64 || !lk || lk->channel(lk->ctx, s, &external) != TS_OK)
      why = "is not a known channel";
    else
      ts_case_set_int(c, TS_CF_EXTERNAL, external);
    break;
  }
  case TS_FT_CATEGORY:
    if (!s || strlen(s) > 64 || !lk || lk->category(lk->ctx, s) != TS_OK)
      why = "is not a known category";
    break;
  case TS_FT_STAGE:
    if (!s || strlen(s) > 64 || !lk || !lk->stage || lk->stage(lk->ctx, s) != TS_OK)
      why = "is not a known service stage";
    break;
  case TS_FT_USER:
    if (!s || !ts_ident_ok(s, 64) || !lk || lk->user(lk->ctx, s) != TS_OK)
      why = "is not an active user";
    break;
  case TS_FT_INT: case TS_FT_CENTS: {
    long long max = fd->type == TS_FT_CENTS ? TS_CENTS_MAX : fd->max;
    if (!json_is_integer(val))
      why = "must be an integer";
    else if ((i = json_integer_value(val)) < 0 || i > max)
      why = "is out of range";
    break;
  }
  case TS_FT_BOOL: case TS_FT_OPTBOOL:
    if (!json_is_boolean(val))
      why = "must be true or false";
    i = json_is_true(val);
    break;
  case TS_FT_TIME:
    if (!s || ts_time_parse(s, &i) != TS_OK)
      why = "must be an RFC 3339 time with offset";
    break;
  case TS_FT_UNIT:
    if (!json_is_integer(val) || (i = json_integer_value(val)) <= 0)
      why = "must be a unit id";
    else if (!lk || lk->unit_kind(lk->ctx, i, kind, sizeof kind) != TS_OK)
      why = "is not a known unit";
    else if (!ts_enum_has(fd->vals, kind))
      why = "is not a unit of the right kind";
    break;
  case TS_FT_LIST: {
    size_t idx;
    json_t *item;
    if (!json_is_array(val) || (long long)json_array_size(val) > fd->max) {
      why = "must be a list of allowed values";
      break;
    }
    json_array_foreach(val, idx, item) {
      const char *v = json_string_value(item);
      if (!v || !ts_enum_has(fd->vals, v)) {
        why = "has a value that is not allowed";
        break;
      }
      for (size_t k = 0; k < idx; k++)
        if (strcmp(v, json_string_value(json_array_get(val, k))) == 0)
          why = "has a value twice";
    }
    if (!why) {
      char *dump = json_dumps(val, JSON_COMPACT);
      if (!dump)
        return TS_ERR_NOMEM;
      rc = ts_case_set_text(c, f, dump);
      free(dump);
      return rc;
    }
    break;
  }
  case TS_FT_JSON:
    why = "is read-only";
    break;
  }
  if (why) {
    add_error(errors, fd->json, why);
    return TS_ERR_INVALID;
  }
  if (is_text_type(fd->type))
    return ts_case_set_text(c, f, s);
  ts_case_set_int(c, f, i);
  return TS_OK;
}

static int apply_key(ts_case *c, const char *path, json_t *val, unsigned allow,
                     const ts_case_lookup *lk, json_t *errors) {
  int f = ts_case_field_find(path);
  if (f < 0) {
    add_error(errors, path, "unknown field");
    return TS_ERR_INVALID;
  }
  if (!(ts_case_fields[f].flags & allow)) {
    add_error(errors, path, "cannot be set here");
    return TS_ERR_INVALID;
  }
  if (json_is_null(val)) {
    if (allow != TS_FF_PATCH) {
      ts_case_clear(c, f);
      return TS_OK;
    }
    if (ts_case_fields[f].flags & (TS_FF_REQ | TS_FF_KEEP)) {
      add_error(errors, path, "cannot be cleared");
      return TS_ERR_INVALID;
    }
    ts_case_clear(c, f);
    c->v[f].set = 2;
    return TS_OK;
  }
  return parse_value(c, f, val, lk, errors);
}

int ts_case_apply_json(ts_case *c, json_t *in, unsigned allow, const ts_case_lookup *lk,
                       json_t *errors) {
  const char *key;
  json_t *val;
  int bad = 0;
  if (!json_is_object(in)) {
    add_error(errors, "", "must be a JSON object");
    return TS_ERR_INVALID;
  }
  json_object_foreach(in, key, val) {
    char path[96];
    int rc;
    if (strlen(key) > 48) {
      add_error(errors, "", "unknown field");
      bad = 1;
      continue;
    }
    /* Nested groups: complainant.*, subject.*, flags.*, loss.* */
    if (strcmp(key, "complainant") == 0 || strcmp(key, "subject") == 0 ||
        strcmp(key, "flags") == 0 || strcmp(key, "loss") == 0) {
      const char *sub;
      json_t *sv;
      if (!json_is_object(val)) {
        add_error(errors, key, "must be an object");
        bad = 1;
        continue;
      }
      json_object_foreach(val, sub, sv) {
        if (strlen(sub) > 40) {
          add_error(errors, key, "unknown field");
          bad = 1;
          continue;
        }
        snprintf(path, sizeof path, "%s.%s", key, sub);
        if (strcmp(path, "loss.total_cents") == 0) {
          add_error(errors, path, "is derived: the sum of the components");
          bad = 1;
          continue;
        }
        rc = apply_key(c, path, sv, allow, lk, errors);
        if (rc == TS_ERR_NOMEM)
          return rc;
        bad |= rc != TS_OK;
      }
      continue;
    }
    rc = apply_key(c, key, val, allow, lk, errors);
    if (rc == TS_ERR_NOMEM)
      return rc;
    bad |= rc != TS_OK;
  }
  return bad ? TS_ERR_INVALID : TS_OK;
}

int ts_case_check_required(const ts_case *c, json_t *errors) {
  int bad = 0;
  for (int f = 0; f < TS_CF__COUNT; f++) {
    if ((ts_case_fields[f].flags & TS_FF_REQ) && !ts_case_has(c, f)) {
      add_error(errors, ts_case_fields[f].json, "is required");
      bad = 1;
    }
  }
  return bad ? TS_ERR_INVALID : TS_OK;
}

int ts_case_merge(ts_case *c, const ts_case *patch) {
  for (int f = 0; f < TS_CF__COUNT; f++) {
    const ts_val *p = &patch->v[f];
    if (p->set == 0)
      continue;
    if (p->set == 2) {
      ts_case_clear(c, f);
    } else if (is_text_type(ts_case_fields[f].type)) {
      if (ts_case_set_text(c, f, p->s) != TS_OK)
        return TS_ERR_NOMEM;
    } else {
      ts_case_set_int(c, f, p->i);
    }
  }
  return TS_OK;
}

json_t *ts_case_field_json(const ts_case *c, int f) {
  const ts_field *fd = &ts_case_fields[f];
  const ts_val *v = &c->v[f];
  char buf[TS_TIME_MAX];
  if (fd->type == TS_FT_BOOL)
    return json_boolean(v->set == 1 && v->i);
  if (v->set != 1) {
    if (fd->type == TS_FT_LIST)
      return json_array();
    /* An absent loss component is no loss: 0, so the parts always add up to the total. */
    if (fd->type == TS_FT_CENTS && strncmp(fd->json, "loss.", 5) == 0)
      return json_integer(0);
    return json_null();
  }
  switch (fd->type) {
  case TS_FT_INT: case TS_FT_CENTS: case TS_FT_UNIT:
    return json_integer(v->i);
  case TS_FT_OPTBOOL:
    return json_boolean(v->i);
  case TS_FT_TIME:
    if (ts_time_format(v->i, buf, sizeof buf) != TS_OK)
      return json_null();
    return json_string(buf);
  case TS_FT_LIST: case TS_FT_JSON: {
    json_t *j = json_loads(v->s, 0, NULL);
    return j ? j : json_null();
  }
  default:
    return json_string(v->s);
  }
}

/* Equal values (absent and explicit null are the same; booleans absent read false). */
static int same_value(const ts_case *a, const ts_case *b, int f) {
  const ts_val *x = &a->v[f], *y = &b->v[f];
  int xs = x->set == 1, ys = y->set == 1;
  if (ts_case_fields[f].type == TS_FT_BOOL)
    return (xs && x->i) == (ys && y->i);
  if (xs != ys)
    return 0;
  if (!xs)
    return 1;
  if (is_text_type(ts_case_fields[f].type))
    return strcmp(x->s, y->s) == 0;
  return x->i == y->i;
}

json_t *ts_case_diff(const ts_case *old, const ts_case *c) {
  json_t *d = json_object();
  if (!d)
    return NULL;
  for (int f = 0; f < TS_CF__COUNT; f++) {
    if (f == TS_CF_UPDATED_AT || (ts_case_fields[f].flags & TS_FF_HIDDEN))
      continue; /* the history entry's own time says it; hidden fields are derived */
    int changed = old ? !same_value(old, c, f)
                      : (c->v[f].set == 1 &&
                         !(ts_case_fields[f].type == TS_FT_BOOL && c->v[f].i == 0));
    if (!changed)
      continue;
    json_t *pair = json_pack("[oo]", old ? ts_case_field_json(old, f) : json_null(),
                             ts_case_field_json(c, f));
    if (!pair || json_object_set_new(d, ts_case_fields[f].json, pair) != 0) {
      json_decref(d);
      return NULL;
    }
  }
  return d;
}

int64_t ts_case_loss_total(const ts_case *c) {
  int64_t t = 0;
  for (size_t k = 0; k < sizeof loss_fields / sizeof loss_fields[0]; k++)
    t += ts_case_int(c, loss_fields[k]);
  return t;
}

/* The object to put a dotted path's last segment in, creating groups as needed. */
static json_t *group_for(json_t *root, const char *path, const char **leaf) {
  const char *dot = strchr(path, '.');
  if (!dot) {
    *leaf = path;
    return root;
  }
  char g[32];
  size_t n = (size_t)(dot - path);
  if (n >= sizeof g)
    n = sizeof g - 1;
  memcpy(g, path, n);
  g[n] = '\0';
  json_t *o = json_object_get(root, g);
  if (!o) {
    o = json_object();
    json_object_set_new(root, g, o);
  }
  *leaf = dot + 1;
  return o;
}

json_t *ts_case_to_json(const ts_case *c) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  for (int f = 0; f < TS_CF__COUNT; f++) {
    const char *leaf;
    if (ts_case_fields[f].flags & TS_FF_HIDDEN)
      continue;
    json_t *g = group_for(o, ts_case_fields[f].json, &leaf);
    if (!g || json_object_set_new(g, leaf, ts_case_field_json(c, f)) != 0) {
      json_decref(o);
      return NULL;
    }
  }
  if (!ts_case_has(c, TS_CF_GRADE_REASONS))
    json_object_set_new(o, "grade_reasons", json_array());
  json_object_set_new(json_object_get(o, "loss"), "total_cents",
                      json_integer(ts_case_loss_total(c)));
  /* Filled by the lifecycle and SLA parts of the store; empty lists until they exist. */
  if (!json_object_get(o, "clocks"))
    json_object_set_new(o, "clocks", json_array());
  if (!json_object_get(o, "solutions"))
    json_object_set_new(o, "solutions", json_array());
  return o;
}
