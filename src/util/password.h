/* Passwords and tokens (libsodium). Passwords are kept only as argon2id hashes; tokens
 * are 32 random bytes, handed out once in base64url and kept only as their SHA-256. */
#ifndef TS_PASSWORD_H
#define TS_PASSWORD_H

#include <stddef.h>

#define TS_PWHASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define TS_TOKEN_MAX 64   /* base64url of 32 bytes and its NUL */
#define TS_PASSWORD_MIN 8
#define TS_PASSWORD_MAX 256

/* Initialises libsodium; call once before threads start. cheap != 0 selects argon2id's
 * minimum cost (tests and benchmarks only; still argon2id). */
int ts_password_init(int cheap);

int ts_password_hash(const char *password, char out[TS_PWHASH_MAX]);
/* TS_OK when password matches hash. With hash NULL, spends the same time and fails
 * (so an unknown user cannot be told from a wrong password by timing). */
int ts_password_verify(const char *hash, const char *password);

/* A new token and its SHA-256. */
int ts_token_new(char token[TS_TOKEN_MAX], unsigned char hash[32]);

/* 1 if the password is acceptable: TS_PASSWORD_MIN..MAX characters, valid text. */
int ts_password_ok(const char *password);

#endif
