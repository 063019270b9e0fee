#include "cli/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/caseno.h"
#include "core/ts_err.h"
#include "util/log.h"

const char *const ts_config_help =
  "  --address ADDR        listen address (default 127.0.0.1)\n"
  "  --port N              listen port (default 8080; 0 = any free port)\n"
  "  --db PATH             SQLite database file (default var/tousu.db)\n"
  "  --threads N           HTTP thread-pool size (default 4)\n"
  "  --readers N           store read connections (default 8)\n"
  "  --case-prefix P       case-number prefix, 1-8 of A-Z (default TS)\n"
  "  --timezone ZONE       the organisation's time zone (default Asia/Shanghai)\n"
  "  --max-body BYTES      largest accepted request body (default 1048576)\n"
  "  --max-upload BYTES    largest evidence upload (default 33554432)\n"
  "  --evidence-dir DIR    where evidence files are kept (default: evidence/ beside the db)\n"
  "  --web-dir DIR         the built web application served at / (default web/dist;\n"
  "                        \"\" or a missing directory: not served)\n"
  "  --token-ttl SECONDS   session lifetime (default 43200)\n"
  "  --connection-limit N  most open connections (default 1024)\n"
  "  --timeout SECONDS     idle connection timeout (default 30)\n"
  "  --log-level LEVEL     debug, info, warn or error (default info)\n"
  "  --pwhash COST         interactive (default) or min (tests/benchmarks only)\n"
  "  --production BOOL     refuse test-only features (default false)\n"
  "  --jobs-interval SEC   background jobs (clocks, reminders, outbox) every SEC seconds\n"
  "                        (default 15; 0 = none: run `tousu tick` from cron instead;\n"
  "                        with --test-clock only POST /api/v1/test/tick runs them)\n"
  "  --smtp-url URL        outbound mail server, smtp://host:port or smtps://... (default none)\n"
  "  --smtp-from ADDR      sender address (default tousu@localhost)\n"
  "  --smtp-user USER      SMTP login (optional)\n"
  "  --smtp-password PW    SMTP password (optional; prefer TOUSU_SMTP_PASSWORD)\n"
  "  --config FILE         read settings from FILE (key = value, same names)\n"
  "Each setting can also come from the environment as TOUSU_<NAME> (TOUSU_DB, TOUSU_PORT...).\n";

void ts_config_defaults(ts_config *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->address, sizeof c->address, "127.0.0.1");
  c->port = 8080;
  snprintf(c->db, sizeof c->db, "var/tousu.db");
  c->threads = 4;
  c->readers = 8;
  snprintf(c->case_prefix, sizeof c->case_prefix, "TS");
  snprintf(c->web_dir, sizeof c->web_dir, "web/dist");
  snprintf(c->timezone, sizeof c->timezone, "Asia/Shanghai");
  c->max_body = 1048576;
  c->max_upload = 32u << 20;
  c->token_ttl = 43200;
  c->log_level = TS_LOG_INFO;
  c->connection_limit = 1024;
  c->timeout_s = 30;
  c->jobs_interval = 15;
  snprintf(c->smtp_from, sizeof c->smtp_from, "tousu@localhost");
}

/* A text setting into a fixed buffer. */
static int set_text(char *dst, size_t dstsz, const char *v) {
  return strlen(v) < dstsz && snprintf(dst, dstsz, "%s", v) >= 0;
}

static int parse_ll(const char *v, long long lo, long long hi, long long *out) {
  char *end;
  if (!v || !*v)
    return 0;
  long long n = strtoll(v, &end, 10);
  if (*end || n < lo || n > hi)
    return 0;
  *out = n;
  return 1;
}

static int parse_bool(const char *v, int *out) {
  if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
    *out = 1;
  else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
    *out = 0;
  else
    return 0;
  return 1;
}

int ts_config_set(ts_config *c, const char *key, const char *v, char *err, size_t errsz) {
  long long n;
  int ok = 1;
  if (!strcmp(key, "address"))
    ok = strlen(v) < sizeof c->address && snprintf(c->address, sizeof c->address, "%s", v) > 0;
  else if (!strcmp(key, "port"))
    ok = parse_ll(v, 0, 65535, &n) && ((c->port = (int)n), 1);
  else if (!strcmp(key, "db"))
    ok = *v && strlen(v) < sizeof c->db && snprintf(c->db, sizeof c->db, "%s", v) > 0;
  else if (!strcmp(key, "threads"))
    ok = parse_ll(v, 1, 256, &n) && ((c->threads = (int)n), 1);
  else if (!strcmp(key, "readers"))
    ok = parse_ll(v, 1, 256, &n) && ((c->readers = (int)n), 1);
  else if (!strcmp(key, "case_prefix") || !strcmp(key, "case-prefix"))
    ok = ts_caseno_prefix_ok(v) && snprintf(c->case_prefix, sizeof c->case_prefix, "%s", v) > 0;
  else if (!strcmp(key, "timezone"))
    ok = *v && strlen(v) < sizeof c->timezone &&
         snprintf(c->timezone, sizeof c->timezone, "%s", v) > 0;
  else if (!strcmp(key, "max_body") || !strcmp(key, "max-body"))
    ok = parse_ll(v, 1024, 1LL << 30, &n) && ((c->max_body = (size_t)n), 1);
  else if (!strcmp(key, "max_upload") || !strcmp(key, "max-upload"))
    ok = parse_ll(v, 1024, 1LL << 31, &n) && ((c->max_upload = (size_t)n), 1);
  else if (!strcmp(key, "evidence_dir") || !strcmp(key, "evidence-dir"))
    ok = *v && strlen(v) < sizeof c->evidence_dir &&
         snprintf(c->evidence_dir, sizeof c->evidence_dir, "%s", v) > 0;
  else if (!strcmp(key, "web_dir") || !strcmp(key, "web-dir"))
    ok = set_text(c->web_dir, sizeof c->web_dir, v); /* "" turns it off */
  else if (!strcmp(key, "token_ttl") || !strcmp(key, "token-ttl"))
    ok = parse_ll(v, 60, 90LL * 86400, &n) && ((c->token_ttl = n), 1);
  else if (!strcmp(key, "connection_limit") || !strcmp(key, "connection-limit"))
    ok = parse_ll(v, 1, 100000, &n) && ((c->connection_limit = (unsigned)n), 1);
  else if (!strcmp(key, "timeout"))
    ok = parse_ll(v, 1, 3600, &n) && ((c->timeout_s = (unsigned)n), 1);
  else if (!strcmp(key, "jobs_interval") || !strcmp(key, "jobs-interval"))
    ok = parse_ll(v, 0, 86400, &n) && ((c->jobs_interval = (int)n), 1);
  else if (!strcmp(key, "smtp_url") || !strcmp(key, "smtp-url"))
    ok = (!*v || !strncmp(v, "smtp://", 7) || !strncmp(v, "smtps://", 8)) &&
         set_text(c->smtp_url, sizeof c->smtp_url, v);
  else if (!strcmp(key, "smtp_from") || !strcmp(key, "smtp-from"))
    ok = strchr(v, '@') && !strpbrk(v, "\r\n<> ") && set_text(c->smtp_from, sizeof c->smtp_from, v);
  else if (!strcmp(key, "smtp_user") || !strcmp(key, "smtp-user"))
    ok = set_text(c->smtp_user, sizeof c->smtp_user, v);
  else if (!strcmp(key, "smtp_password") || !strcmp(key, "smtp-password"))
    ok = set_text(c->smtp_password, sizeof c->smtp_password, v);
  else if (!strcmp(key, "production"))
    ok = parse_bool(v, &c->production);
  else if (!strcmp(key, "test_clock") || !strcmp(key, "test-clock"))
    ok = parse_bool(v, &c->test_clock);
  else if (!strcmp(key, "pwhash")) {
    ok = !strcmp(v, "min") || !strcmp(v, "interactive");
    c->cheap_hash = !strcmp(v, "min");
  } else if (!strcmp(key, "log_level") || !strcmp(key, "log-level")) {
    static const char *const lv[] = {"debug", "info", "warn", "error"};
    ok = 0;
    for (int i = 0; i < 4; i++)
      if (!strcmp(v, lv[i])) {
        c->log_level = i;
        ok = 1;
      }
  } else {
    snprintf(err, errsz, "unknown setting '%s'", key);
    return TS_ERR_INVALID;
  }
  if (!ok) {
    snprintf(err, errsz, "bad value for '%s'", key);
    return TS_ERR_INVALID;
  }
  return TS_OK;
}

static char *trim(char *s) {
  while (isspace((unsigned char)*s))
    s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1]))
    s[--n] = '\0';
  return s;
}

int ts_config_file(ts_config *c, const char *path, char *err, size_t errsz) {
  FILE *f = fopen(path, "r");
  char line[1024];
  int lineno = 0, rc = TS_OK;
  if (!f) {
    snprintf(err, errsz, "cannot read config file %s", path);
    return TS_ERR_INVALID;
  }
  while (!rc && fgets(line, sizeof line, f)) {
    lineno++;
    char *hash = strchr(line, '#');
    if (hash)
      *hash = '\0';
    char *s = trim(line);
    if (!*s)
      continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      snprintf(err, errsz, "%s:%d: expected key = value", path, lineno);
      rc = TS_ERR_INVALID;
      break;
    }
    *eq = '\0';
    char sub[256];
    rc = ts_config_set(c, trim(s), trim(eq + 1), sub, sizeof sub);
    if (rc)
      snprintf(err, errsz, "%s:%d: %s", path, lineno, sub);
  }
  fclose(f);
  return rc;
}

int ts_config_env(ts_config *c, char *err, size_t errsz) {
  static const char *const keys[] = {"address", "port", "db", "threads", "readers",
                                     "case_prefix", "timezone", "max_body", "max_upload",
                                     "evidence_dir", "web_dir", "token_ttl",
                                     "connection_limit", "timeout", "production", "pwhash",
                                     "log_level", "jobs_interval", "smtp_url", "smtp_from",
                                     "smtp_user", "smtp_password", NULL};
  for (const char *const *k = keys; *k; k++) {
    char name[64];
    size_t i = 0;
    i += (size_t)snprintf(name, sizeof name, "TOUSU_");
    for (const char *p = *k; *p && i + 1 < sizeof name; p++)
      name[i++] = (char)toupper((unsigned char)*p);
    name[i] = '\0';
    const char *v = getenv(name);
    if (v && ts_config_set(c, *k, v, err, errsz))
      return TS_ERR_INVALID;
  }
  return TS_OK;
}

int ts_config_check(const ts_config *c, char *err, size_t errsz) {
  if (c->production && (c->test_clock || c->cheap_hash)) {
    snprintf(err, errsz, "the test clock and pwhash=min are refused in production");
    return TS_ERR_INVALID;
  }
  return TS_OK;
}
