/* Login, logout, who am I, change my password. Failed logins are counted per username
 * and answered 429 past a limit, so a password cannot be guessed at speed. */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/text.h"
#include "core/ts_err.h"
#include "util/clock.h"
#include "util/password.h"

#define LOGIN_SLOTS 1024
#define LOGIN_MAX_FAILS 10
#define LOGIN_WINDOW 900 /* seconds */

static struct {
  char username[65];
  int fails;
  int64_t since;
} fail_slots[LOGIN_SLOTS];
static pthread_mutex_t fail_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned slot_of(const char *username) {
  unsigned h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)username; *p; p++)
    h = (h ^ *p) * 16777619u;
  return h % LOGIN_SLOTS;
}

/* 1 if this username is locked out now. */
static int throttled(const char *username, int64_t now) {
  unsigned i = slot_of(username);
  pthread_mutex_lock(&fail_mu);
  int locked = strcmp(fail_slots[i].username, username) == 0 &&
               now - fail_slots[i].since < LOGIN_WINDOW && fail_slots[i].fails >= LOGIN_MAX_FAILS;
  pthread_mutex_unlock(&fail_mu);
  return locked;
}

static void note_result(const char *username, int ok, int64_t now) {
  unsigned i = slot_of(username);
  pthread_mutex_lock(&fail_mu);
  if (strcmp(fail_slots[i].username, username) != 0 || now - fail_slots[i].since >= LOGIN_WINDOW) {
    snprintf(fail_slots[i].username, sizeof fail_slots[i].username, "%s", username);
    fail_slots[i].fails = 0;
    fail_slots[i].since = now;
  }
  if (ok)
    fail_slots[i].fails = 0;
  else
    fail_slots[i].fails++;
  pthread_mutex_unlock(&fail_mu);
}

typedef struct {
  ts_user user;
  unsigned char hash[32];
  char token[TS_TOKEN_MAX];
  int64_t now, expires;
} login_write;

static void login_free(void *p) {
  if (p)
    sodium_memzero(p, sizeof(login_write));
  free(p);
}

static int apply_login(ts_tx *tx, void *arg) {
  login_write *w = arg;
  return ts_tx_session_insert(tx, w->hash, w->user.id, w->now, w->expires);
}

static void finish_login(ts_req *r, int rc) {
  login_write *w = r->wctx;
  if (rc) {
    ts_reply_error(r, rc, "cannot start a session", NULL);
    return;
  }
  ts_reply_json(r, 200, json_pack("{s:s,s:o,s:o}", "token", w->token, "expires_at",
                                  ts_api_time_json(w->expires), "user",
                                  ts_api_user_json(&w->user)));
}

void ts_api_login(ts_req *r) {
  static const char *const keys[] = {"username", "password", NULL};
  json_t *body = NULL, *errors = json_object();
  char hash[TS_PWHASH_MAX] = "";
  login_write *w = NULL;
  if (!errors || ts_api_body(r, &body))
    goto out;
  ts_api_check_keys(body, keys, errors);
  const char *username = json_string_value(json_object_get(body, "username"));
  const char *password = json_string_value(json_object_get(body, "password"));
  if (!username)
    json_object_set_new(errors, "username", json_string("is required"));
  if (!password)
    json_object_set_new(errors, "password", json_string("is required"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  int64_t now = ts_now();
  int valid_name = ts_ident_ok(username, 64);
  if (valid_name && throttled(username, now)) {
    ts_reply_error(r, TS_ERR_RATE, "too many failed logins: try again later",
                   json_pack("{s:i}", "retry_after_s", LOGIN_WINDOW));
    goto out;
  }
  if (!(w = calloc(1, sizeof *w))) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  int found = valid_name && strlen(password) <= TS_PASSWORD_MAX * 4 &&
              ts_store_user_get(r->app->store, username, &w->user, hash, sizeof hash) == TS_OK;
  int ok = ts_password_verify(found ? hash : NULL,
                              strlen(password) <= TS_PASSWORD_MAX * 4 ? password : "") == TS_OK &&
           found && !w->user.disabled;
  sodium_memzero(hash, sizeof hash);
  if (valid_name)
    note_result(username, ok, now);
  if (!ok) {
    ts_reply_error(r, TS_ERR_UNAUTH, "wrong username or password", NULL);
    goto out;
  }
  ts_token_new(w->token, w->hash);
  w->now = now;
  w->expires = now + r->app->token_ttl;
  ts_req_defer(r, apply_login, w, login_free, finish_login);
  w = NULL;
out:
  login_free(w);
  json_decref(body);
  json_decref(errors);
}

typedef struct {
  unsigned char hash[32];
  char username[65];
  char pwhash[TS_PWHASH_MAX];
  int64_t user_id;
} token_write;

static int apply_logout(ts_tx *tx, void *arg) {
  return ts_tx_session_delete(tx, ((token_write *)arg)->hash);
}

static void finish_empty(ts_req *r, int rc) {
  if (rc)
    ts_reply_error(r, rc, "could not be saved", NULL);
  else
    ts_reply_raw(r, 204, "application/json", "", 0);
}

void ts_api_logout(ts_req *r) {
  const char *h = ts_req_header(r, "Authorization");
  token_write *w = calloc(1, sizeof *w);
  if (!w || !h) {
    free(w);
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    return;
  }
  crypto_hash_sha256(w->hash, (const unsigned char *)h + 7, strlen(h + 7));
  ts_req_defer(r, apply_logout, w, free, finish_empty);
}

void ts_api_me(ts_req *r) {
  ts_reply_json(r, 200, json_pack("{s:o}", "user", ts_api_user_json(&r->user)));
}

static int apply_password(ts_tx *tx, void *arg) {
  token_write *w = arg;
  int rc = ts_tx_user_set_password(tx, w->username, w->pwhash);
  /* Every session of the user ends: a changed password locks out a stolen token. */
  return rc ? rc : ts_tx_sessions_delete_user(tx, w->user_id);
}

static void pw_free(void *p) {
  if (p)
    sodium_memzero(p, sizeof(token_write));
  free(p);
}

void ts_api_change_password(ts_req *r) {
  static const char *const keys[] = {"old_password", "new_password", NULL};
  json_t *body = NULL, *errors = json_object();
  char hash[TS_PWHASH_MAX] = "";
  ts_user u;
  token_write *w = NULL;
  if (!errors || ts_api_body(r, &body))
    goto out;
  ts_api_check_keys(body, keys, errors);
  const char *old_pw = json_string_value(json_object_get(body, "old_password"));
  const char *new_pw = json_string_value(json_object_get(body, "new_password"));
  if (!old_pw)
    json_object_set_new(errors, "old_password", json_string("is required"));
  if (!new_pw || !ts_password_ok(new_pw))
    json_object_set_new(errors, "new_password", json_string("must be 8 to 256 characters"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  if (ts_store_user_get(r->app->store, r->user.username, &u, hash, sizeof hash) ||
      strlen(old_pw) > TS_PASSWORD_MAX * 4 || ts_password_verify(hash, old_pw) != TS_OK) {
    ts_reply_error(r, TS_ERR_FORBIDDEN, "the old password is wrong", NULL);
    goto out;
  }
  if (!(w = calloc(1, sizeof *w)) || ts_password_hash(new_pw, w->pwhash)) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  snprintf(w->username, sizeof w->username, "%s", r->user.username);
  w->user_id = r->user.id;
  ts_req_defer(r, apply_password, w, pw_free, finish_empty);
  w = NULL;
out:
  sodium_memzero(hash, sizeof hash);
  pw_free(w);
  json_decref(body);
  json_decref(errors);
}

void ts_api_users_reset_password(ts_req *r) {
  static const char *const keys[] = {"password", NULL};
  json_t *body = NULL, *errors = json_object();
  ts_user u;
  token_write *w = NULL;
  if (!errors || ts_api_body(r, &body))
    goto out;
  if (ts_store_user_get(r->app->store, ts_req_param(r, 0), &u, NULL, 0)) {
    ts_reply_error(r, TS_ERR_NOT_FOUND, "no such user", NULL);
    goto out;
  }
  ts_api_check_keys(body, keys, errors);
  const char *pw = json_string_value(json_object_get(body, "password"));
  if (!pw || !ts_password_ok(pw))
    json_object_set_new(errors, "password", json_string("must be 8 to 256 characters"));
  if (json_object_size(errors)) {
    ts_api_invalid(r, errors);
    errors = NULL;
    goto out;
  }
  if (!(w = calloc(1, sizeof *w)) || ts_password_hash(pw, w->pwhash)) {
    ts_reply_error(r, TS_ERR_NOMEM, "out of memory", NULL);
    goto out;
  }
  snprintf(w->username, sizeof w->username, "%s", u.username);
  w->user_id = u.id;
  ts_req_defer(r, apply_password, w, pw_free, finish_empty);
  w = NULL;
out:
  pw_free(w);
  json_decref(body);
  json_decref(errors);
}
