/* Configuration of the tousu binary: defaults, then a config file (key = value lines),
 * then TOUSU_* environment variables, then command-line flags — later wins. */
#ifndef TS_CONFIG_H
#define TS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  char address[64];
  int port;
  char db[512];
  int threads;
  int readers;
  char case_prefix[16];
  char timezone[64];
  size_t max_body;
  size_t max_upload;
  char evidence_dir[512]; /* "" = next to the database: <dir of db>/evidence */
  char web_dir[512];      /* the built web application (web/dist); "" = not served */
  int64_t token_ttl;
  int test_clock;
  int production;
  int log_level;
  int cheap_hash; /* pwhash = min: argon2id at minimum cost (tests, benchmarks) */
  unsigned connection_limit;
  unsigned timeout_s;
  int jobs_interval;       /* seconds between background-job runs in serve (0: none) */
  char smtp_url[256];      /* outbound mail: "smtp://host:port" ("" = none) */
  char smtp_from[256];
  char smtp_user[128];
  char smtp_password[256]; /* never logged */
} ts_config;

void ts_config_defaults(ts_config *c);
/* Applies one "key", "value" setting; TS_ERR_INVALID with a message in err if bad. */
int ts_config_set(ts_config *c, const char *key, const char *value, char *err, size_t errsz);
/* Reads a config file of key = value lines ('#' starts a comment). */
int ts_config_file(ts_config *c, const char *path, char *err, size_t errsz);
/* Applies TOUSU_<KEY> environment variables. */
int ts_config_env(ts_config *c, char *err, size_t errsz);
/* Checks the combination (e.g. no test clock in production). */
int ts_config_check(const ts_config *c, char *err, size_t errsz);
/* The keys, for --help. */
extern const char *const ts_config_help;

#endif
