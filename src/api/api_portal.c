/* The public customer portal (DOMAIN §7, §12; docs/portal.md): a customer submits a
 * complaint and gets its number and an access code, follows its progress in plain words,
 * adds evidence and answers the follow-up survey. No token: the access code is the
 * customer's key to one case.
 *
 * What it shares with the staff's API, and what it does not.
 * - A submission is registered exactly as POST /api/v1/cases registers one: the same
 *   validation, grading, routing, clocks, numbering and history (svc.h's
 *   ts_svc_case_prepare and ts_svc_case_insert), by the system user "portal" (migration 12),
 *   at the outlet the customer chose. The code's hash is written in the same transaction,
 *   so a refused submission takes no number and leaves no row.
 * - A follow-up answer is the lifecycle's follow_up action (core/lifecycle.c) by "portal"
 *   with method "portal"; a dissatisfied answer reopens the case as the staff's does.
 * - What the customer sees is built here, field by field, from a list of what may be
 *   shown (portal_view): never the case object, so a field added to cases later stays
 *   internal until someone decides to show it.
 *
 * Abuse. Each client address has token buckets (limit_rules): accepted submissions, the
 * other writes, wrong numbers or codes. Each case counts wrong codes in the store
 * (portal_access): ten within an hour lock it for an hour, across restarts. An unknown
 * number, a case without a code and a wrong code answer the same 404. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "core/caseno.h"
#include "core/lifecycle.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "svc/sla.h"
#include "svc/svc.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/tstime.h"

#define PORTAL_USER "portal"       /* the system user of migration 12 */
#define PORTAL_ROLES TS_ROLE_AGENT /* it acts as the front desk: registers, follows up */

#define CODE_LEN 8
#define TRIES_MAX 10      /* wrong codes for one case ... */
#define TRIES_WINDOW 3600 /* ... within this many seconds ... */
#define LOCK_SECONDS 3600 /* ... lock it for this long */

#define DESCRIPTION_MAX 5000   /* characters */
#define UPLOAD_MAX (10u << 20) /* bytes of one file from a customer */
#define UPLOAD_FILES_MAX 10    /* files a customer may add to one case */

/* ---- rate limits: token buckets per client address --------------------------------------- */

/* The address is the socket's peer. X-Forwarded-For is not trusted: behind a reverse proxy
 * every customer shares the proxy's buckets (docs/portal.md). */

enum { LIMIT_SUBMIT, LIMIT_WRITE, LIMIT_GUESS, LIMIT__COUNT };

static const struct {
  const char *what;
  double per_hour; /* tokens added per hour */
  double burst;    /* most tokens held */
} limit_rules[LIMIT__COUNT] = {
    [LIMIT_SUBMIT] = {"complaints submitted", 10, 3},
    [LIMIT_WRITE] = {"files or follow-up answers sent", 30, 10},
    [LIMIT_GUESS] = {"wrong case numbers or access codes", 20, 20},
};

#define BUCKET_SLOTS 4096 /* per rule */
#define BUCKET_PROBE 8    /* slots an address may use, from its hash on */

typedef struct {
  unsigned char who[16];
  int used;
  double tokens;
  int64_t at;
} bucket;

static bucket buckets[LIMIT__COUNT][BUCKET_SLOTS];
static pthread_mutex_t bucket_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char bucket_key[crypto_shorthash_KEYBYTES];
static pthread_once_t bucket_once = PTHREAD_ONCE_INIT;

/* A random key for the slot hash, so nobody can pick addresses that share slots. */
static void bucket_init(void) {
  randombytes_buf(bucket_key, sizeof bucket_key);
}

static double refilled(int rule, const bucket *b, int64_t now) {
  double t =
      b->tokens + (double)(now > b->at ? now - b->at : 0) * limit_rules[rule].per_hour / 3600;
  return t > limit_rules[rule].burst ? limit_rules[rule].burst : t;
}

/* The bucket of `who` under rule, with bucket_mu held. An address not seen lately takes an
 * empty slot among its BUCKET_PROBE, or else the one with the most tokens: a full bucket is
 * forgotten at no cost, and a table filled by an attacker's many addresses only ever forgets
 * in the clients' favour. */
static bucket *bucket_of(int rule, const unsigned char who[16], int64_t now) {
  unsigned char h[crypto_shorthash_BYTES];
  uint64_t x;
  bucket *pick = NULL;
  double best = -1;
  crypto_shorthash(h, who, 16, bucket_key);
  memcpy(&x, h, sizeof x);
  for (int i = 0; i < BUCKET_PROBE; i++) {
    bucket *b = &buckets[rule][(x + (uint64_t)i) % BUCKET_SLOTS];
    if (b->used && memcmp(b->who, who, 16) == 0)
      return b;
    double score = b->used ? refilled(rule, b, now) : limit_rules[rule].burst + 1;
    if (score > best) {
      best = score;
      pick = b;
    }
  }
  memcpy(pick->who, who, 16);
  pick->used = 1;
  pick->tokens = limit_rules[rule].burst;
  pick->at = now;
  return pick;
}

/* 0 when `who` may act under rule now (and with take, a token is spent); otherwise the
 * seconds until it may. */
static int64_t limit_check(int rule, const unsigned char who[16], int take) {
  int64_t now = ts_now(), wait = 0;
  pthread_once(&bucket_once, bucket_init);
  pthread_mutex_lock(&bucket_mu);
  bucket *b = bucket_of(rule, who, now);
  double t = refilled(rule, b, now);
  if (t < 1) {
    double secs = (1 - t) * 3600 / limit_rules[rule].per_hour;
    wait = (int64_t)secs;
    wait += wait < secs || wait < 1; /* rounded up, at least a second */
  } else if (take)
    t -= 1;
  b->tokens = t;
  b->at = now;
  pthread_mutex_unlock(&bucket_mu);
  return wait;
}

/* 429 with Retry-After. */
static void reply_rate(ts_req *r, int64_t wait, const char *message) {
  char v[24];
  snprintf(v, sizeof v, "%lld", (long long)wait);
  ts_req_add_header(r, "Retry-After", v);
  ts_reply_error(r, TS_ERR_RATE, message, json_pack("{s:I}", "retry_after_s", (json_int_t)wait));
}

/* 429 when `who` has no token left under rule; with take, a token is spent otherwise.
 * Returns non-zero when it replied. */
static int limit_or_reply(ts_req *r, int rule, const unsigned char who[16], int take) {
  int64_t wait = limit_check(rule, who, take);
  char msg[160];
  if (!wait)
    return 0;
  snprintf(msg, sizeof msg, "too many %s from your address: try again later",
           limit_rules[rule].what);
  reply_rate(r, wait, msg);
  return 1;
}

/* The check before the work, and the spending once the work is accepted. */
static int limited(ts_req *r, int rule, const unsigned char who[16]) {
  return limit_or_reply(r, rule, who, 0);
}
static int spend(ts_req *r, int rule, const unsigned char who[16]) {
  return limit_or_reply(r, rule, who, 1);
}

/* The client's address as 16 bytes: IPv4 as an IPv4-mapped IPv6 address; IPv6 cut to its
 * /64, the network one subscriber gets. */
static void client_key(const ts_req *r, unsigned char out[16]) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  const struct sockaddr *sa = ci ? ci->client_addr : NULL;
  memset(out, 0, 16);
  if (sa && sa->sa_family == AF_INET) {
    struct sockaddr_in in;
    memcpy(&in, sa, sizeof in);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, &in.sin_addr, 4);
  } else if (sa && sa->sa_family == AF_INET6) {
    struct sockaddr_in6 in6;
    memcpy(&in6, sa, sizeof in6);
    memcpy(out, &in6.sin6_addr, IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr) ? 16 : 8);
  }
}

/* ---- access codes ------------------------------------------------------------------------ */

/* 32 letters and digits without 0/O and 1/I: 8 of them are 40 random bits. */
static const char code_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/* The code is random, so a fast keyed hash is enough: it keeps the code out of the
 * database, and guessing it back from a stolen row costs 2^39 hashes on average. */
static void code_hash(const char code[CODE_LEN], const unsigned char salt[TS_PORTAL_SALT_BYTES],
                      unsigned char out[TS_PORTAL_HASH_BYTES]) {
  crypto_generichash(out, TS_PORTAL_HASH_BYTES, (const unsigned char *)code, CODE_LEN, salt,
                     TS_PORTAL_SALT_BYTES);
}

/* A new code in code[] and its salt and hash in a. */
static void code_new(char code[CODE_LEN + 1], ts_portal_access *a) {
  for (int i = 0; i < CODE_LEN; i++)
    code[i] = code_alphabet[randombytes_uniform(sizeof code_alphabet - 1)];
  code[CODE_LEN] = '\0';
  randombytes_buf(a->salt, sizeof a->salt);
  code_hash(code, a->salt, a->code_hash);
}

/* 1 if typed is a's code. As customers type it: any case, spaces and dashes ignored. The
 * hashes are compared in constant time. */
static int code_matches(const char *typed, const ts_portal_access *a) {
  char norm[CODE_LEN];
  unsigned char h[TS_PORTAL_HASH_BYTES];
  size_t n = 0;
  for (const char *p = typed; *p; p++) {
    if (*p == ' ' || *p == '-')
      continue;
    if (n == CODE_LEN)
      return 0;
    norm[n++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
  }
  if (n != CODE_LEN)
    return 0;
  code_hash(norm, a->salt, h);
  return sodium_memcmp(h, a->code_hash, sizeof h) == 0;
}

/* A wrong code counts against the case: TRIES_MAX within TRIES_WINDOW lock it. */
static void note_wrong(ts_portal_access *a, int64_t now) {
  if (now < a->tries_since || now - a->tries_since >= TRIES_WINDOW) {
    a->tries = 0;
    a->tries_since = now;
  }
  if (++a->tries >= TRIES_MAX)
    a->locked_until = now + LOCK_SECONDS;
}

/* ---- the portal's principal -------------------------------------------------------------- */

/* Who the portal acts as in writes (the principal points into the struct: never copy it). */
typedef struct {
  char username[65];
  ts_principal p;
} portal_caller;

static void caller_init(portal_caller *me, int64_t user_id) {
  snprintf(me->username, sizeof me->username, "%s", PORTAL_USER);
  me->p.user_id = user_id;
  me->p.username = me->username;
  me->p.roles = PORTAL_ROLES;
  me->p.unit_path = "";
}

/* The system user "portal". It must stay disabled: enabled, it could log in and see every
 * portal case it owns, so the portal refuses to work (503) until it is disabled again.
 * Replies and returns non-zero when it is not usable. */
static int portal_user(ts_req *r, ts_user *out) {
  int rc = ts_store_user_get(r->app->store, PORTAL_USER, out, NULL, 0);
  if (rc == TS_OK && out->disabled)
    return 0;
  if (rc == TS_OK || rc == TS_ERR_NOT_FOUND) {
    ts_log(TS_LOG_ERROR, "portal refused: its system user is missing or enabled",
           json_pack("{s:s}", "user", PORTAL_USER));
    rc = TS_ERR_BUSY;
  }
  ts_reply_error(r, rc, "the portal is not available now", NULL);
  return 1;
}

static int is_finished(const ts_case *c) {
  const char *st = ts_case_text(c, TS_CF_STATUS);
  return st && (!strcmp(st, "closed") || !strcmp(st, "rejected") || !strcmp(st, "withdrawn"));
}

/* Resolved, and nobody has recorded a follow-up since. */
static int follow_up_awaited(const ts_case *c) {
  const char *st = ts_case_text(c, TS_CF_STATUS);
  return st && !strcmp(st, "resolved") && !ts_case_has(c, TS_CF_FU_AT);
}

/* ---- opening a case with its code -------------------------------------------------------- */

static void reply_not_found(ts_req *r) {
  ts_reply_error(r, TS_ERR_NOT_FOUND, "no complaint with this number and access code", NULL);
}

typedef struct {
  int64_t case_id, now;
} wrong_write;

static int apply_wrong(ts_tx *tx, void *arg) {
  wrong_write *w = arg;
  ts_portal_access a;
  int rc = ts_tx_portal_access_get(tx, w->case_id, &a);
  if (rc)
    return rc;
  note_wrong(&a, w->now);
  return ts_tx_portal_tries_put(tx, &a);
}

static void finish_wrong(ts_req *r, int rc) {
  if (rc)
    ts_log(TS_LOG_ERROR, "cannot record a wrong access code", json_pack("{s:i}", "rc", rc));
  reply_not_found(r); /* the same answer, whatever became of the count */
}

/* Opens the case of the path's number for a customer who holds its code (?code=). 0 and
 * *out (the caller's) when the code is right. Otherwise it has answered and returns
 * non-zero: 404 alike for an unknown number, a case without a code and a wrong code (a
 * wrong code is first counted against the case, in a deferred write); 429 while the case
 * or the client's address is locked out. */
static int portal_open(ts_req *r, const unsigned char who[16], ts_case **out) {
  static const char *const keys[] = {"code", NULL};
  const char *case_no = ts_req_param(r, 0), *code;
  ts_case *c = NULL;
  ts_portal_access a;
  if (ts_api_query_keys(r, keys) || ts_api_query(r, "code", 64, &code) ||
      limited(r, LIMIT_GUESS, who))
    return 1;
  int rc = ts_caseno_parse(case_no, NULL, 0, NULL, NULL, NULL)
               ? TS_ERR_NOT_FOUND
               : ts_store_case_get(r->app->store, case_no, &c);
  if (!rc)
    rc = ts_store_portal_access_get(r->app->store, c->id, &a);
  if (!rc && !code)
    rc = TS_ERR_NOT_FOUND; /* no guess made: nothing to count against the case */
  if (rc) {
    if (rc == TS_ERR_NOT_FOUND) {
      limit_check(LIMIT_GUESS, who, 1);
      reply_not_found(r);
    } else {
      ts_reply_error(r, rc, "cannot read the complaint", NULL);
    }
    goto fail;
  }
  int64_t now = ts_now();
  if (a.locked_until > now) {
    reply_rate(r, a.locked_until - now,
               "too many wrong access codes for this complaint: try again later");
    goto fail;
  }
  if (!code_matches(code, &a)) {
    limit_check(LIMIT_GUESS, who, 1);
    wrong_write *w = calloc(1, sizeof *w);
    if (!w) {
      reply_not_found(r);
      goto fail;
    }
    w->case_id = c->id;
    w->now = now;
    ts_req_defer(r, apply_wrong, w, free, finish_wrong);
    goto fail;
  }
  *out = c;
  return 0;
fail:
  ts_case_free(c);
  return 1;
}

/* ---- the customer's view of a case ------------------------------------------------------- */

/* The status in plain words. `due` adds when the answer is expected (the resolve clock). */
static const struct {
  const char *status, *zh, *en;
  int due;
} status_words[] = {
    {"received", "我们已收到您的投诉，将尽快受理。",
     "We have received your complaint and will take it up shortly.", 0},
    {"accepted", "您的投诉已受理。", "Your complaint has been accepted.", 1},
    {"investigating", "您的投诉正在调查处理中。", "We are looking into your complaint.", 1},
    {"proposed", "处理方案正在审批。", "A solution has been proposed and is being approved.", 1},
    {"approved", "处理方案已确定，我们将与您联系落实。",
     "The solution has been decided; we will contact you to carry it out.", 1},
    {"resolved", "已处理完毕，等待您的回访评价。",
     "Your complaint has been resolved. Please tell us how satisfied you are.", 0},
    {"closed", "您的投诉已办结，感谢您的反馈。",
     "Your complaint is closed. Thank you for telling us.", 0},
    {"rejected", "经核实，您的投诉未能成立，答复如下。",
     "After checking, we could not uphold your complaint. Our reply is below.", 0},
    {"pending", "您的投诉仍在处理中，部分事项需要时间，我们会及时与您联系。",
     "Your complaint is still being handled; some things take time. We will keep in touch.", 0},
    {"withdrawn", "您已撤回投诉。", "The complaint was withdrawn.", 0},
};

/* After the customer answered the follow-up survey. */
static const char resolved_answered_zh[] = "已处理完毕，感谢您的评价。";
static const char resolved_answered_en[] =
    "Your complaint has been resolved. Thank you for your answer.";

/* The steps of the timeline and the case time of each; a closing step only in its status. */
static const struct {
  const char *step;
  int field;
  const char *only_status; /* NULL: any */
  const char *zh, *en;
} timeline_steps[] = {
    {"received", TS_CF_RECEIVED_AT, NULL, "已收到", "Received"},
    {"accepted", TS_CF_ACCEPTED_AT, NULL, "已受理", "Accepted"},
    {"investigating", TS_CF_ASSIGNED_AT, NULL, "调查处理", "Being looked into"},
    {"resolved", TS_CF_RESOLVED_AT, NULL, "处理完毕", "Resolved"},
    {"closed", TS_CF_CLOSED_AT, "closed", "已办结", "Closed"},
    {"rejected", TS_CF_CLOSED_AT, "rejected", "未能成立", "Not upheld"},
    {"withdrawn", TS_CF_CLOSED_AT, "withdrawn", "已撤回", "Withdrawn"},
};

/* The solution types in words; `amount` when its amount is money the customer receives
 * (the others' amounts are the company's costs, not the customer's business). */
static const struct {
  const char *type, *zh, *en;
  int amount;
} solution_words[] = {
    {"return", "退货", "Return", 0},
    {"exchange", "换货", "Exchange", 0},
    {"repair", "维修", "Repair", 0},
    {"discount", "折扣", "Discount", 1},
    {"refund", "退款", "Refund", 1},
    {"compensation", "赔偿", "Compensation", 1},
    {"reship", "补发", "Re-shipment", 0},
    {"gift", "赠品", "Gift", 0},
    {"free_service", "免费服务", "Free service", 0},
    {"apology", "道歉", "Apology", 0},
    {"explanation", "解释说明", "Explanation", 0},
};

/* The string member key of o, or "" when it is none. */
static const char *str_of(json_t *o, const char *key) {
  const char *v = json_string_value(json_object_get(o, key));
  return v ? v : "";
}

static json_t *words(const char *zh, const char *en) {
  return json_pack("{s:s,s:s}", "zh", zh, "en", en);
}

/* When the resolve clock says the answer is due, if it is running: RFC 3339 in *due_json
 * (new reference) and the local date in date[11]; json null and "" otherwise. */
static int answer_due(ts_store *s, const ts_case *c, int64_t now, json_t **due_json,
                      char date[11]) {
  json_t *clocks = NULL, *k;
  size_t i;
  int64_t t;
  *due_json = NULL;
  date[0] = '\0';
  if (ts_store_clock_list(s, c->id, now, &clocks))
    return TS_ERR_STORE;
  json_array_foreach(clocks, i, k) {
    const char *at = json_string_value(json_object_get(k, "due_at"));
    if (!strcmp(str_of(k, "name"), "resolve") && !strcmp(str_of(k, "state"), "running") && at &&
        ts_time_parse(at, &t) == TS_OK && ts_time_local_date(t, date) == TS_OK) {
      json_decref(*due_json);
      *due_json = json_string(at);
    }
  }
  json_decref(clocks);
  if (!*due_json) {
    date[0] = '\0';
    *due_json = json_null();
  }
  return TS_OK;
}

/* The approved solution as the customer may see it: the chosen option's items and those
 * common to all options (every option until one is chosen), each type in words. */
static json_t *solutions_view(ts_store *s, const ts_case *c) {
  json_t *items = NULL, *out = json_array(), *it;
  size_t i;
  const char *chosen = ts_case_text(c, TS_CF_CHOSEN_OPTION);
  if (!out || ts_store_solutions_list(s, c->id, ts_case_int(c, TS_CF_PROPOSAL_NO), &items)) {
    json_decref(out);
    return NULL;
  }
  json_array_foreach(items, i, it) {
    const char *type = json_string_value(json_object_get(it, "type"));
    const char *option = json_string_value(json_object_get(it, "option"));
    json_t *desc = json_object_get(it, "description");
    if (!type || (chosen && option && *option && strcmp(option, chosen)))
      continue;
    for (size_t k = 0; k < sizeof solution_words / sizeof solution_words[0]; k++) {
      if (strcmp(type, solution_words[k].type))
        continue;
      json_t *o = json_pack("{s:s,s:o,s:O?}", "type", type, "text",
                            words(solution_words[k].zh, solution_words[k].en), "description",
                            json_is_string(desc) ? desc : NULL);
      if (o && solution_words[k].amount)
        json_object_set(o, "amount_cents", json_object_get(it, "amount_cents"));
      if (o && !chosen && option && *option)
        json_object_set_new(o, "option", json_string(option));
      json_array_append_new(out, o);
    }
  }
  json_decref(items);
  return out;
}

/* The files the customer added (never the staff's: call recordings, internal reports). */
static json_t *evidence_view(ts_store *s, const ts_case *c) {
  json_t *items = NULL, *out = json_array(), *it;
  size_t i;
  if (!out || ts_store_evidence_list(s, c->id, &items)) {
    json_decref(out);
    return NULL;
  }
  json_array_foreach(items, i, it) {
    if (strcmp(str_of(it, "by"), PORTAL_USER))
      continue;
    json_array_append_new(out, json_pack("{s:O,s:O,s:O,s:O}", "filename",
                                         json_object_get(it, "filename"), "size",
                                         json_object_get(it, "size"), "content_type",
                                         json_object_get(it, "content_type"), "uploaded_at",
                                         json_object_get(it, "at")));
  }
  json_decref(items);
  return out;
}

/* What the customer may see of c, and nothing else: no staff, departments, grade, notes,
 * losses or penalties. NULL when the store cannot be read. */
static json_t *portal_view(ts_store *s, const ts_case *c) {
  const char *status = ts_case_text(c, TS_CF_STATUS);
  const char *zh = "", *en = "";
  char date[11], tzh[512], ten[512];
  json_t *due = NULL, *timeline = json_array(), *sol = NULL, *ev = NULL, *reply;
  int64_t now = ts_now();
  int show_due = 0;
  if (!status || !timeline || answer_due(s, c, now, &due, date))
    goto fail;
  for (size_t i = 0; i < sizeof status_words / sizeof status_words[0]; i++) {
    if (strcmp(status, status_words[i].status))
      continue;
    zh = status_words[i].zh;
    en = status_words[i].en;
    show_due = status_words[i].due && date[0];
  }
  if (!strcmp(status, "resolved") && !follow_up_awaited(c)) {
    zh = resolved_answered_zh;
    en = resolved_answered_en;
  }
  snprintf(tzh, sizeof tzh, "%s%s%s%s", zh, show_due ? "我们预计于 " : "", show_due ? date : "",
           show_due ? " 前给您答复。" : "");
  snprintf(ten, sizeof ten, "%s%s%s%s", en, show_due ? " We expect to answer you by " : "",
           show_due ? date : "", show_due ? "." : "");
  for (size_t i = 0; i < sizeof timeline_steps / sizeof timeline_steps[0]; i++) {
    int64_t at = ts_case_int(c, timeline_steps[i].field);
    if (!ts_case_has(c, timeline_steps[i].field) || !at ||
        (timeline_steps[i].only_status && strcmp(status, timeline_steps[i].only_status)))
      continue;
    json_array_append_new(timeline, json_pack("{s:s,s:o,s:o}", "step", timeline_steps[i].step, "at",
                                              ts_api_time_json(at), "text",
                                              words(timeline_steps[i].zh, timeline_steps[i].en)));
  }
  int decided =
      !strcmp(status, "approved") || !strcmp(status, "resolved") || !strcmp(status, "closed");
  sol = decided ? solutions_view(s, c) : json_array();
  ev = evidence_view(s, c);
  if (!sol || !ev)
    goto fail;
  if (!show_due) {
    json_decref(due);
    due = json_null();
  }
  reply = ts_case_text(c, TS_CF_REPLY) ? json_string(ts_case_text(c, TS_CF_REPLY)) : json_null();
  return json_pack("{s:s,s:o,s:s,s:{s:s,s:s},s:o,s:o,s:o,s:o,s:b,s:o}", "case_no",
                   ts_case_text(c, TS_CF_CASE_NO), "received_at",
                   ts_api_time_json(ts_case_int(c, TS_CF_RECEIVED_AT)), "status", status,
                   "status_text", "zh", tzh, "en", ten, "expected_answer_by", due, "timeline",
                   timeline, "reply", reply, "solutions", sol, "follow_up_awaited",
                   follow_up_awaited(c), "evidence", ev);
fail:
  json_decref(due);
  json_decref(timeline);
  json_decref(sol);
  json_decref(ev);
  return NULL;
}

static void reply_view(ts_req *r, int status, const ts_case *c) {
  json_t *v = portal_view(r->app->store, c);
  if (!v)
    ts_reply_error(r, TS_ERR_STORE, "cannot read the complaint", NULL);
  else
    ts_reply_json(r, status, v);
}

void ts_api_portal_progress(ts_req *r) {
  unsigned char who[16];
  ts_case *c;
  client_key(r, who);
  if (portal_open(r, who, &c))
    return;
  reply_view(r, 200, c);
  ts_case_free(c);
}

/* ---- outlets ----------------------------------------------------------------------------- */

/* Where a customer may say the complaint is about: the outlets' ids and names, nothing of
 * the regions, departments and company above them. */
void ts_api_portal_outlets(ts_req *r) {
  ts_unit *units = NULL;
  size_t n = 0;
  json_t *items;
  if (ts_store_unit_list(r->app->store, &units, &n)) {
    ts_reply_error(r, TS_ERR_STORE, "cannot list the outlets", NULL);
    return;
  }
  items = json_array();
  for (size_t i = 0; items && i < n; i++)
    if (!strcmp(units[i].kind, "outlet"))
      json_array_append_new(
          items, json_pack("{s:I,s:s}", "id", (json_int_t)units[i].id, "name", units[i].name));
  free(units);
  if (!items)
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
  else
    ts_api_reply_list(r, items);
}

/* ---- submitting a complaint -------------------------------------------------------------- */

typedef struct {
  ts_case *c;
  char *changes; /* the register history entry, built on the HTTP thread */
  const char *prefix;
  int64_t now;
  ts_portal_access a;
  char code[CODE_LEN + 1];
} submit_write;

static void submit_free(void *p) {
  submit_write *w = p;
  if (!w)
    return;
  ts_case_free(w->c);
  free(w->changes);
  sodium_memzero(w->code, sizeof w->code);
  free(w);
}

static int apply_submit(ts_tx *tx, void *arg) {
  submit_write *w = arg;
  int rc = ts_svc_case_insert(tx, w->c, w->prefix, PORTAL_USER, w->now, w->changes);
  if (rc)
    return rc;
  w->a.case_id = w->c->id;
  w->a.created_at = w->now;
  return ts_tx_portal_access_add(tx, &w->a);
}

static void finish_submit(ts_req *r, int rc) {
  submit_write *w = r->wctx;
  if (rc)
    ts_reply_error(r, rc, "the complaint could not be registered", NULL);
  else
    ts_reply_json(r, 201,
                  json_pack("{s:s,s:s}", "case_no", ts_case_text(w->c, TS_CF_CASE_NO),
                            "access_code", w->code));
}

static const char *const submit_keys[] = {"name",     "phone",         "email",   "channel",
                                          "category", "outlet",        "subject", "description",
                                          "demands",  "claimed_cents", "consent", NULL};
static const char *const subject_keys[] = {"product", "order_no", "plate", NULL};

/* 1 if code is an active top-level category. */
static int top_category(ts_store *s, const char *code) {
  json_t *list = NULL, *it;
  size_t i;
  int found = 0;
  if (ts_store_category_list(s, &list))
    return 0;
  json_array_foreach(list, i, it) {
    const char *parent = json_string_value(json_object_get(it, "parent"));
    found |= !strcmp(str_of(it, "code"), code) && (!parent || !*parent);
  }
  json_decref(list);
  return found;
}

/* Copies member key of from into to (as key `as`), if present. */
static void copy_member(json_t *to, const char *as, json_t *from, const char *key) {
  json_t *v = json_object_get(from, key);
  if (v)
    json_object_set(to, as, v);
}

/* The registration's complaints about the case body, in the portal's names. */
static void merge_errors(json_t *errors, json_t *case_errors) {
  const char *key;
  json_t *v;
  json_object_foreach(case_errors, key, v) {
    const char *as = !strncmp(key, "complainant.", 12) ? key + 12 : key;
    if (!json_object_get(errors, as))
      json_object_set(errors, as, v);
  }
}

/* Reads the submission into the case body that POST /api/v1/cases would take (cbody), with
 * the portal's own rules in errors; *outlet is the unit the case is received at (0 if
 * none could be). */
static void submit_read(ts_req *r, json_t *body, const ts_user *portal, json_t *cbody,
                        json_t *errors, ts_unit *outlet) {
  const char *s, *category;
  json_t *v;
  memset(outlet, 0, sizeof *outlet);
  ts_api_check_keys(body, submit_keys, errors);
  if (!json_is_true(json_object_get(body, "consent")))
    json_object_set_new(errors, "consent",
                        json_string("must be true: you agree that we process your personal "
                                    "data to handle the complaint"));
  v = json_object_get(body, "channel");
  if (v && (!json_is_string(v) || strcmp(json_string_value(v), "web")))
    json_object_set_new(errors, "channel", json_string("must be web, or left out"));
  ts_api_get_text(body, "name", 1, 100, 0, errors, &s);
  ts_api_get_text(body, "phone", 1, 32, 0, errors, &s);
  ts_api_get_text(body, "email", 0, 254, 0, errors, &s);
  ts_api_get_text(body, "description", 1, DESCRIPTION_MAX, 1, errors, &s);
  if (!ts_api_get_text(body, "category", 0, 64, 0, errors, &category) && category &&
      !top_category(r->app->store, category))
    json_object_set_new(errors, "category", json_string("must be one of the top-level categories"));
  v = json_object_get(body, "subject");
  if (v && !json_is_object(v) && !json_is_null(v)) {
    json_object_set_new(errors, "subject", json_string("must be an object"));
  } else if (v) {
    const char *k;
    json_t *sv;
    char path[80];
    json_object_foreach(v, k, sv) {
      if (ts_enum_has(subject_keys, k))
        continue;
      snprintf(path, sizeof path, "subject.%.64s", k);
      json_object_set_new(errors, path, json_string("unknown field"));
    }
  }
  /* the outlet: the customer's choice, else the portal user's own unit when an outlet */
  v = json_object_get(body, "outlet");
  int64_t id = 0;
  if (v && !json_is_null(v))
    id = json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : -1;
  else if (portal->unit_id && ts_store_unit_get(r->app->store, portal->unit_id, outlet) == TS_OK &&
           !strcmp(outlet->kind, "outlet"))
    id = portal->unit_id;
  if (id > 0 && ts_store_unit_get(r->app->store, id, outlet) == TS_OK &&
      !strcmp(outlet->kind, "outlet")) {
    json_object_set_new(cbody, "outlet", json_integer(id));
  } else {
    memset(outlet, 0, sizeof *outlet);
    json_object_set_new(errors, "outlet",
                        json_string(id ? "must be the id of an outlet (GET /api/v1/portal/outlets)"
                                       : "is required: choose the shop or outlet"));
  }
  /* the case body: as POST /api/v1/cases takes it */
  json_t *who = json_object();
  json_object_set_new(cbody, "channel", json_string("web"));
  copy_member(who, "name", body, "name");
  copy_member(who, "phone", body, "phone");
  copy_member(who, "email", body, "email");
  json_object_set_new(cbody, "complainant", who);
  static const char *const same[] = {"category", "subject", "description", "demands",
                                     "claimed_cents"};
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
    copy_member(cbody, same[i], body, same[i]);
  if (json_object_get(errors, "subject"))
    json_object_del(cbody, "subject");
}

void ts_api_portal_submit(ts_req *r) {
  unsigned char who[16];
  json_t *body = NULL, *errors = json_object(), *cbody = json_object(),
         *case_errors = json_object();
  submit_write *w = NULL;
  ts_user portal, agent;
  ts_unit outlet;
  client_key(r, who);
  if (!errors || !cbody || !case_errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (limited(r, LIMIT_SUBMIT, who) || portal_user(r, &portal) || ts_api_body(r, &body))
    goto out;
  if (!(w = calloc(1, sizeof *w))) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  w->now = ts_now();
  w->prefix = r->app->case_prefix;
  submit_read(r, body, &portal, cbody, errors, &outlet);
  /* Registered as the front desk of the chosen outlet would register it. */
  memset(&agent, 0, sizeof agent);
  agent.id = portal.id;
  snprintf(agent.username, sizeof agent.username, "%s", PORTAL_USER);
  agent.roles = PORTAL_ROLES;
  agent.unit_id = outlet.id;
  snprintf(agent.unit_path, sizeof agent.unit_path, "%s", outlet.path);
  int rc = ts_svc_case_prepare(r->app->store, &agent, cbody, w->now, &w->c, case_errors);
  merge_errors(errors, case_errors);
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  if (rc) {
    ts_reply_error(r, rc, "the complaint could not be registered", NULL);
    goto out;
  }
  if (!(w->changes = ts_svc_case_register_changes(w->c))) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (spend(r, LIMIT_SUBMIT, who)) /* another request may have spent the last token */
    goto out;
  code_new(w->code, &w->a);
  ts_req_defer(r, apply_submit, w, submit_free, finish_submit);
  w = NULL;
out:
  json_decref(body);
  json_decref(errors);
  json_decref(cbody);
  json_decref(case_errors);
  submit_free(w);
}

/* ---- the follow-up survey ---------------------------------------------------------------- */

typedef struct {
  char case_no[TS_CASENO_MAX];
  portal_caller me; /* initialised in place: never copy the struct */
  json_t *body;     /* the follow_up action's body */
  int64_t now;
  json_t *errors;
  ts_action_result res;
  ts_case *after;
} follow_up_write;

static void fw_free(void *p) {
  follow_up_write *w = p;
  if (!w)
    return;
  json_decref(w->body);
  json_decref(w->errors);
  json_decref(w->res.allowed);
  ts_case_free(w->after);
  free(w);
}

/* The follow_up action as api_actions.c takes it, by the portal: the lifecycle's rules, the
 * grade, the clocks, and the history (a low score that reopens the case in two entries). */
static int apply_follow_up(ts_tx *tx, void *arg) {
  follow_up_write *w = arg;
  ts_case *cur = NULL;
  json_t *changes = NULL;
  ts_case_free(w->after); /* an earlier run of this write may have left results */
  w->after = NULL;
  json_decref(w->res.allowed);
  memset(&w->res, 0, sizeof w->res);
  json_object_clear(w->errors);
  int rc = ts_tx_case_get(tx, w->case_no, &cur);
  if (rc)
    return rc;
  if (!follow_up_awaited(cur)) {
    rc = TS_ERR_CONFLICT;
    goto out;
  }
  ts_action_ctx ctx = {.who = &w->me.p, .now = w->now};
  if (!(w->after = ts_case_dup(cur))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  if ((rc = ts_lifecycle_apply(w->after, TS_ACT_FOLLOW_UP, w->body, &ctx, &w->res, w->errors)) ||
      (rc = ts_svc_case_grade(tx, w->after, w->now)))
    goto out;
  ts_case_set_int(w->after, TS_CF_UPDATED_AT, w->now);
  if ((rc = ts_tx_case_update(tx, w->after)))
    goto out;
  static const char *const events[] = {"follow_up", "reopen"};
  if ((rc = ts_svc_sla_case(tx, cur, w->after, events, w->res.reopened ? 2 : 1, w->now)))
    goto out;
  if (!(changes = ts_case_diff(cur, w->after))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  rc = ts_api_history_follow_up(tx, cur->id, w->now, w->me.username, changes, w->body,
                                w->res.reopened);
out:
  json_decref(changes);
  ts_case_free(cur);
  return rc;
}

static void finish_follow_up(ts_req *r, int rc) {
  follow_up_write *w = r->wctx;
  if (rc == TS_ERR_CONFLICT)
    ts_reply_error(r, rc, "no follow-up answer is awaited for this complaint", NULL);
  else if (rc == TS_ERR_INVALID)
    ts_api_invalid(r, json_incref(w->errors));
  else if (rc)
    ts_reply_error(r, rc, "the answer could not be saved", NULL);
  else
    reply_view(r, 200, w->after);
}

void ts_api_portal_follow_up(ts_req *r) {
  static const char *const keys[] = {"satisfaction", "comment", NULL};
  unsigned char who[16];
  ts_case *c = NULL;
  ts_user portal;
  json_t *body = NULL, *errors = json_object();
  follow_up_write *w = NULL;
  const char *comment;
  client_key(r, who);
  if (!errors) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (limited(r, LIMIT_WRITE, who) || portal_open(r, who, &c) || portal_user(r, &portal) ||
      ts_api_body(r, &body))
    goto out;
  ts_api_check_keys(body, keys, errors);
  json_t *sat = json_object_get(body, "satisfaction");
  if (!json_is_integer(sat) || json_integer_value(sat) < 1 || json_integer_value(sat) > 5)
    json_object_set_new(errors, "satisfaction",
                        json_string("must be 1 (very dissatisfied) to 5 (very satisfied)"));
  ts_api_get_text(body, "comment", 0, 2000, 1, errors, &comment);
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  if (!follow_up_awaited(c)) {
    ts_reply_error(r, TS_ERR_CONFLICT, "no follow-up answer is awaited for this complaint", NULL);
    goto out;
  }
  if (!(w = calloc(1, sizeof *w)) || !(w->errors = json_object()) ||
      !(w->body = json_pack("{s:O,s:s}", "satisfaction", sat, "method", "portal")) ||
      (comment && json_object_set(w->body, "comment", json_object_get(body, "comment")))) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  snprintf(w->case_no, sizeof w->case_no, "%s", ts_case_text(c, TS_CF_CASE_NO));
  caller_init(&w->me, portal.id);
  w->now = ts_now();
  if (spend(r, LIMIT_WRITE, who))
    goto out;
  ts_req_defer(r, apply_follow_up, w, fw_free, finish_follow_up);
  w = NULL;
out:
  ts_case_free(c);
  json_decref(body);
  json_decref(errors);
  fw_free(w);
}

/* ---- evidence from the customer ---------------------------------------------------------- */

/* What a customer may upload, told by the file's first bytes (the client's content type is
 * not believed): photos, PDFs, voice recordings. */
static const struct {
  const char *type;
  size_t off;
  const char *magic;
  size_t len;
} magics[] = {
    {"image/jpeg", 0, "\xff\xd8\xff", 3},
    {"image/png", 0, "\x89PNG\r\n\x1a\n", 8},
    {"application/pdf", 0, "%PDF-", 5},
    {"audio/mpeg", 0, "ID3", 3},     /* an MP3 with an ID3v2 tag */
    {"audio/mp4", 4, "ftypM4A ", 8}, /* an ISO media file of these brands (M4A voice memos) */
    {"audio/mp4", 4, "ftypM4B ", 8},
    {"audio/mp4", 4, "ftypmp41", 8},
    {"audio/mp4", 4, "ftypmp42", 8},
    {"audio/mp4", 4, "ftypisom", 8},
    {"audio/mp4", 4, "ftypiso2", 8},
};

/* The content type of data by its magic bytes, or NULL if it is none the portal takes. */
static const char *sniff_type(const unsigned char *d, size_t n) {
  for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
    if (n >= magics[i].off + magics[i].len &&
        !memcmp(d + magics[i].off, magics[i].magic, magics[i].len))
      return magics[i].type;
  /* an MP3 without a tag starts with an MPEG audio frame: 11 sync bits, a layer */
  if (n >= 4 && d[0] == 0xff && (d[1] & 0xe0) == 0xe0 && (d[1] & 0x06) != 0 &&
      (d[1] & 0x18) != 0x08 && (d[2] & 0xf0) != 0xf0)
    return "audio/mpeg";
  return NULL;
}

typedef struct {
  char case_no[TS_CASENO_MAX];
  ts_evidence e;
  const char *why; /* for a 409 */
} evidence_write;

static int apply_evidence(ts_tx *tx, void *arg) {
  evidence_write *w = arg;
  ts_case *c = NULL;
  int64_t n = 0;
  w->why = NULL;
  int rc = ts_tx_case_get(tx, w->case_no, &c);
  if (rc)
    return rc;
  w->e.case_id = c->id;
  if (is_finished(c)) {
    w->why = "the complaint is finished: files can no longer be added";
    rc = TS_ERR_CONFLICT;
  }
  ts_case_free(c);
  if (rc || (rc = ts_tx_evidence_count_by(tx, w->e.case_id, PORTAL_USER, &n)))
    return rc;
  if (n >= UPLOAD_FILES_MAX) {
    w->why = "this complaint has all the files it may have from you";
    return TS_ERR_CONFLICT;
  }
  if ((rc = ts_tx_evidence_add(tx, &w->e)))
    return rc;
  json_t *changes =
      json_pack("{s:[n,{s:s,s:s,s:I,s:s}]}", "evidence", "filename", w->e.filename, "content_type",
                w->e.content_type, "size", (json_int_t)w->e.size, "sha256", w->e.sha256);
  if (!changes)
    return TS_ERR_NOMEM;
  rc = ts_tx_history_add(tx, w->e.case_id, w->e.at, PORTAL_USER, "evidence", changes);
  json_decref(changes);
  return rc;
}

static void finish_evidence(ts_req *r, int rc) {
  evidence_write *w = r->wctx;
  if (rc == TS_ERR_CONFLICT && w->why)
    ts_reply_error(r, rc, w->why, NULL);
  else if (rc)
    ts_reply_error(r, rc, "the file could not be recorded", NULL);
  else
    ts_reply_json(r, 201,
                  json_pack("{s:s,s:I,s:s,s:s,s:o}", "filename", w->e.filename, "size",
                            (json_int_t)w->e.size, "content_type", w->e.content_type, "sha256",
                            w->e.sha256, "uploaded_at", ts_api_time_json(w->e.at)));
}

void ts_api_portal_evidence(ts_req *r) {
  unsigned char who[16];
  ts_case *c = NULL;
  ts_api_upload u;
  evidence_write *w = NULL;
  json_t *errors = NULL;
  const char *type = NULL;
  ts_user portal;
  memset(&u, 0, sizeof u);
  u.max = r->app->max_upload < UPLOAD_MAX ? r->app->max_upload : UPLOAD_MAX;
  client_key(r, who);
  if (limited(r, LIMIT_WRITE, who) || portal_open(r, who, &c) || portal_user(r, &portal))
    goto out;
  if (is_finished(c)) {
    ts_reply_error(r, TS_ERR_CONFLICT, "the complaint is finished: files can no longer be added",
                   NULL);
    goto out;
  }
  if (ts_api_upload_read(r, &u))
    goto out;
  if (!(errors = json_object())) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (u.unknown[0])
    json_object_set_new(errors, u.unknown, json_string("unknown field"));
  if (u.files == 0 || u.len == 0)
    json_object_set_new(errors, "file", json_string("is required and must not be empty"));
  else if (u.files > 1)
    json_object_set_new(errors, "file", json_string("one file per upload"));
  else if (!(type = sniff_type((const unsigned char *)u.data, u.len)))
    json_object_set_new(errors, "file",
                        json_string("only photos (JPEG, PNG), PDF and recordings (MP3, M4A) "
                                    "are accepted"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  if (spend(r, LIMIT_WRITE, who)) /* before the file is stored */
    goto out;
  if (!(w = calloc(1, sizeof *w))) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  if (ts_api_evidence_file(r->app->evidence_dir, u.data, u.len, w->e.sha256)) {
    ts_reply_error(r, TS_ERR_STORE, "the file could not be stored", NULL);
    goto out;
  }
  snprintf(w->case_no, sizeof w->case_no, "%s", ts_case_text(c, TS_CF_CASE_NO));
  snprintf(w->e.by, sizeof w->e.by, "%s", PORTAL_USER);
  snprintf(w->e.content_type, sizeof w->e.content_type, "%s", type);
  ts_api_clean_filename(u.filename, w->e.filename, sizeof w->e.filename);
  w->e.size = (int64_t)u.len;
  w->e.at = ts_now();
  ts_req_defer(r, apply_evidence, w, free, finish_evidence);
  w = NULL;
out:
  json_decref(errors);
  free(u.data);
  free(w);
  ts_case_free(c);
}
