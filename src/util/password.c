#include "util/password.h"

#include <sodium.h>
#include <string.h>

#include "core/text.h"
#include "core/ts_err.h"

static unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
static char dummy_hash[crypto_pwhash_STRBYTES];

int ts_password_init(int cheap) {
  if (sodium_init() < 0)
    return TS_ERR_STORE;
  if (cheap) {
    ops = crypto_pwhash_OPSLIMIT_MIN;
    mem = crypto_pwhash_MEMLIMIT_MIN;
  }
  return ts_password_hash("not a password: equalises timing", dummy_hash);
}

int ts_password_hash(const char *password, char out[TS_PWHASH_MAX]) {
  if (crypto_pwhash_str_alg(out, password, strlen(password), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return TS_ERR_NOMEM;
  return TS_OK;
}

int ts_password_verify(const char *hash, const char *password) {
  const char *h = hash && *hash ? hash : dummy_hash;
  int ok = crypto_pwhash_str_verify(h, password, strlen(password)) == 0;
  return ok && hash && *hash ? TS_OK : TS_ERR_UNAUTH;
}

int ts_token_new(char token[TS_TOKEN_MAX], unsigned char hash[32]) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(token, TS_TOKEN_MAX, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
  sodium_memzero(raw, sizeof raw);
  return TS_OK;
}

int ts_password_ok(const char *password) {
  size_t n = strlen(password);
  size_t chars = ts_utf8_len(password);
  return n <= TS_PASSWORD_MAX * 4 && chars >= TS_PASSWORD_MIN && chars <= TS_PASSWORD_MAX &&
         ts_text_clean(password, 0);
}
