/* tousu: one binary, several subcommands (serve, init, user, demo, migrate, version). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/config.h"
#include "cli/demo.h"
#include "search/query.h"
#include "core/calendar.h"
#include "core/perm.h"
#include "core/ts_err.h"
#include "http/server.h"
#include "http/static.h"
#include "jobs/jobs.h"
#include "store/store.h"
#include "svc/svc.h"
#include "report/render.h"
#include "report/report.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/password.h"
#include "util/tstime.h"

static const char usage[] =
  "usage: tousu <command> [options]\n"
  "\n"
  "commands:\n"
  "  serve [--test-clock]        run the HTTP server\n"
  "  init --admin USER --password PW [--company NAME]\n"
  "                              create the database and the first administrator\n"
  "  user add --username U --password PW --name NAME --roles r1,r2 --unit ID|CODE\n"
  "  user list | user disable U | user enable U | user reset-password U --password PW\n"
  "  config list channels|categories|service-stages|grading-rules|routes|approval-limits|settings|escalation\n"
  "  config put approval-limits ROLE --json '{\"max_cents\":500000,\"max_grade\":\"g2\"}'\n"
  "  config put settings hr_review_threshold_cents --json '{\"value\":50000000}'\n"
  "  config put escalation g2 --json '{\"targets\":[\"region\",\"unit:QA\"]}'\n"
  "  config put channels|categories|service-stages CODE --json '{\"name_zh\":..,\"name_en\":..}'\n"
  "  config put grading-rules ID --json '{\"grade\":\"g3\",\"kind\":..,\"params\":{..},...}'\n"
  "                              read or change the configured lists and rules\n"
  "  tick                        run the background jobs once (SLA clocks, monthly reminders,\n"
  "                              the monthly report, the outbox): for cron, with\n"
  "                              serve --jobs-interval 0\n"
  "  calendar show [YEAR]        the working calendar (weekdays, hours, holidays, make-up days)\n"
  "  calendar import FILE        add a year's holidays and make-up days (date,holiday|workday,name)\n"
  "  calendar hours 09:00-12:00,13:00-18:00 [--weekdays 1,2,3,4,5]\n"
  "  search rebuild              empty and refill the full-text index from the cases and library\n"
  "  search check                check the index against the cases (exit 1 when they differ)\n"
  "  search find WORDS           the 20 best matching cases (all of them, as an administrator)\n"
  "  report --month YYYY-MM [--unit ID] [--format json|pdf|xlsx|csv] [--lang zh|en] -o FILE\n"
  "                              the month's analysis (or --quarter YYYY-Qn, --year YYYY,\n"
  "                              --from DATE --to DATE) as a file\n"
  "  demo                        load the demo organisation, users and cases\n"
  "  migrate                     apply pending schema migrations and print the version\n"
  "  version                     print the version\n"
  "\n"
  "options (every command):\n";

/* Parsed command line: settings applied to cfg, the rest kept as named options. */
typedef struct {
  const char *cmd, *sub, *arg, *arg2;
  const char *opt_admin, *opt_password, *opt_company, *opt_username, *opt_name, *opt_roles,
    *opt_unit, *opt_json, *opt_weekdays, *opt_month, *opt_quarter, *opt_year, *opt_from, *opt_to,
    *opt_format, *opt_lang, *opt_out;
} cli;

static int parse_args(int argc, char **argv, ts_config *cfg, cli *c) {
  char err[256];
  const char *config_file = getenv("TOUSU_CONFIG");
  memset(c, 0, sizeof *c);
  /* the config file first, so flags win over it */
  for (int i = 1; i < argc - 1; i++)
    if (!strcmp(argv[i], "--config"))
      config_file = argv[i + 1];
  if (config_file && ts_config_file(cfg, config_file, err, sizeof err)) {
    fprintf(stderr, "tousu: %s\n", err);
    return 2;
  }
  if (ts_config_env(cfg, err, sizeof err)) {
    fprintf(stderr, "tousu: %s\n", err);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(usage, stdout);
      fputs(ts_config_help, stdout);
      exit(0);
    }
    if (!strcmp(a, "--test-clock")) {
      cfg->test_clock = 1;
      continue;
    }
    if (!strcmp(a, "-o")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "tousu: -o needs a file\n");
        return 2;
      }
      c->opt_out = argv[++i];
      continue;
    }
    if (strncmp(a, "--", 2) == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "tousu: %s needs a value\n", a);
        return 2;
      }
      const char *v = argv[++i];
      const char *name = a + 2;
      const char **slot = !strcmp(name, "admin")      ? &c->opt_admin
                          : !strcmp(name, "password") ? &c->opt_password
                          : !strcmp(name, "company")  ? &c->opt_company
                          : !strcmp(name, "username") ? &c->opt_username
                          : !strcmp(name, "name")     ? &c->opt_name
                          : !strcmp(name, "roles")    ? &c->opt_roles
                          : !strcmp(name, "unit")     ? &c->opt_unit
                          : !strcmp(name, "json")     ? &c->opt_json
                          : !strcmp(name, "weekdays") ? &c->opt_weekdays
                          : !strcmp(name, "month")    ? &c->opt_month
                          : !strcmp(name, "quarter")  ? &c->opt_quarter
                          : !strcmp(name, "year")     ? &c->opt_year
                          : !strcmp(name, "from")     ? &c->opt_from
                          : !strcmp(name, "to")       ? &c->opt_to
                          : !strcmp(name, "format")   ? &c->opt_format
                          : !strcmp(name, "lang")     ? &c->opt_lang
                          : !strcmp(name, "output")   ? &c->opt_out
                                                      : NULL;
      if (slot) {
        *slot = v;
        continue;
      }
      if (!strcmp(name, "config"))
        continue;
      if (ts_config_set(cfg, name, v, err, sizeof err)) {
        fprintf(stderr, "tousu: %s (see tousu --help)\n", err);
        return 2;
      }
      continue;
    }
    if (!c->cmd)
      c->cmd = a;
    else if (!c->sub)
      c->sub = a;
    else if (!c->arg)
      c->arg = a;
    else if (!c->arg2)
      c->arg2 = a;
    else {
      fprintf(stderr, "tousu: unexpected argument '%s'\n", a);
      return 2;
    }
  }
  if (ts_config_check(cfg, err, sizeof err)) {
    fprintf(stderr, "tousu: %s\n", err);
    return 2;
  }
  return 0;
}

/* Creates the database's folder if needed and opens the store. */
static int open_store(const ts_config *cfg, ts_store **out) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s", cfg->db);
  char *slash = strrchr(dir, '/');
  if (slash && slash != dir) {
    *slash = '\0';
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
      fprintf(stderr, "tousu: cannot create %s: %s\n", dir, strerror(errno));
      return TS_ERR_STORE;
    }
  }
  ts_store_opts o = {cfg->db, cfg->readers, 256, 0};
  int rc = ts_store_open(&o, out);
  if (rc)
    fprintf(stderr, "tousu: cannot open the database %s\n", cfg->db);
  return rc;
}

static ts_smtp_conf smtp_conf(const ts_config *cfg) {
  ts_smtp_conf c = {cfg->smtp_url[0] ? cfg->smtp_url : NULL, cfg->smtp_from, "tousu",
                    cfg->smtp_user[0] ? cfg->smtp_user : NULL,
                    cfg->smtp_password[0] ? cfg->smtp_password : NULL, 10000};
  return c;
}

static int cmd_serve(const ts_config *cfg) {
  ts_store *store = NULL;
  ts_server *srv = NULL;
  sigset_t set;
  int sig = 0;
  /* Signals go to this thread only: block them before any thread starts. */
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (open_store(cfg, &store))
    return 1;
  ts_smtp_conf smtp = smtp_conf(cfg);
  if (ts_send_init()) {
    ts_store_close(store);
    return 1;
  }
  ts_clock_set_test_mode(cfg->test_clock);
  char evidence_dir[600];
  if (cfg->evidence_dir[0]) {
    snprintf(evidence_dir, sizeof evidence_dir, "%s", cfg->evidence_dir);
  } else {
    const char *slash = strrchr(cfg->db, '/');
    if (slash)
      snprintf(evidence_dir, sizeof evidence_dir, "%.*s/evidence", (int)(slash - cfg->db), cfg->db);
    else
      snprintf(evidence_dir, sizeof evidence_dir, "evidence");
  }
  ts_static *web = NULL;
  if (ts_static_open(cfg->web_dir, &web)) {
    ts_store_close(store);
    return 1;
  }
  ts_app app = {.store = store,
                .case_prefix = cfg->case_prefix,
                .max_body = cfg->max_body,
                .max_upload = cfg->max_upload,
                .evidence_dir = evidence_dir,
                .token_ttl = cfg->token_ttl,
                .test_clock = cfg->test_clock,
                .smtp = &smtp,
                .web = web};
  ts_jobs *jobs = NULL;
  ts_server_opts so = {cfg->address, cfg->port, cfg->threads, cfg->connection_limit,
                       cfg->timeout_s, 32768};
  if (ts_server_start(&app, &so, &srv)) {
    ts_logf(TS_LOG_ERROR, "cannot listen on %s:%d", cfg->address, cfg->port);
    ts_static_free(web);
    ts_store_close(store);
    return 1;
  }
  /* the background jobs; under the test clock only POST /api/v1/test/tick runs them */
  if (!cfg->test_clock && cfg->jobs_interval > 0 &&
      ts_jobs_start(store, &smtp, cfg->jobs_interval, &jobs))
    ts_log(TS_LOG_ERROR, "cannot start the background jobs", NULL);
  ts_log(TS_LOG_INFO, "listening",
         json_pack("{s:s,s:i,s:s,s:b,s:i,s:b}", "address", cfg->address, "port", ts_server_port(srv),
                   "db", cfg->db, "test_clock", cfg->test_clock, "jobs_interval",
                   jobs ? cfg->jobs_interval : 0, "smtp", smtp.url != NULL));
  sigwait(&set, &sig);
  ts_logf(TS_LOG_INFO, "signal %d: finishing requests in flight", sig);
  ts_jobs_stop(jobs);
  ts_server_quiesce(srv, 10000);
  ts_server_stop(srv);
  ts_static_free(web);
  ts_store_close(store);
  ts_send_cleanup();
  ts_render_shutdown();
  ts_log(TS_LOG_INFO, "stopped", NULL);
  return 0;
}

typedef struct {
  ts_unit company;
  ts_user admin;
  char hash[TS_PWHASH_MAX];
  int64_t existing;
} init_write;

static int apply_init(ts_tx *tx, void *arg) {
  init_write *w = arg;
  int rc = ts_tx_admin_count(tx, &w->existing);
  if (rc || w->existing)
    return rc ? rc : TS_ERR_CONFLICT;
  if (w->company.name[0]) {
    if ((rc = ts_tx_unit_insert(tx, &w->company)))
      return rc;
    w->admin.unit_id = w->company.id;
  }
  return ts_tx_user_insert(tx, &w->admin, w->hash);
}

static int cmd_init(ts_store *s, const cli *c) {
  init_write w;
  memset(&w, 0, sizeof w);
  const char *pw = c->opt_password ? c->opt_password : getenv("TOUSU_ADMIN_PASSWORD");
  if (!c->opt_admin || !pw) {
    fprintf(stderr, "tousu init: --admin USER and --password PW (or TOUSU_ADMIN_PASSWORD) are required\n");
    return 2;
  }
  json_t *body = json_pack("{s:s,s:s,s:s,s:[s]}", "username", c->opt_admin, "password", pw,
                           "display_name", c->opt_admin, "roles", "admin");
  json_t *errors = json_object();
  /* unit is optional at init: validate the rest the same way as POST /users */
  json_object_set_new(body, "unit", json_integer(1));
  int rc = ts_svc_user_prepare(s, body, 1, &w.admin, w.hash, errors);
  json_object_del(errors, "unit");
  if (rc && json_object_size(errors)) {
    char *e = json_dumps(errors, JSON_COMPACT);
    fprintf(stderr, "tousu init: %s\n", e ? e : "invalid");
    free(e);
    json_decref(body);
    json_decref(errors);
    return 2;
  }
  json_decref(body);
  json_decref(errors);
  if (rc == TS_ERR_INVALID)
    rc = ts_password_hash(pw, w.hash);
  w.admin.unit_id = 0;
  w.admin.roles = TS_ROLE_ADMIN;
  w.admin.created_at = w.company.created_at = ts_now();
  if (c->opt_company) {
    snprintf(w.company.name, sizeof w.company.name, "%s", c->opt_company);
    snprintf(w.company.kind, sizeof w.company.kind, "company");
  }
  rc = rc ? rc : ts_store_run(s, apply_init, &w);
  if (rc == TS_ERR_CONFLICT && w.existing) {
    fprintf(stderr, "tousu init: the database already has an administrator; nothing changed\n");
    return 1;
  }
  if (rc) {
    fprintf(stderr, "tousu init: failed (%s)\n", ts_err_code(rc));
    return 1;
  }
  printf("initialised: administrator '%s'%s%s\n", w.admin.username,
         c->opt_company ? ", company " : "", c->opt_company ? c->opt_company : "");
  return 0;
}

typedef struct {
  ts_user u;
  char hash[TS_PWHASH_MAX];
  int what; /* 0 insert, 1 update, 2 password */
  int64_t admins;
} user_op;

static int apply_user(ts_tx *tx, void *arg) {
  user_op *op = arg;
  int rc;
  if (op->what == 0)
    return ts_tx_user_insert(tx, &op->u, op->hash);
  if (op->what == 2) {
    rc = ts_tx_user_set_password(tx, op->u.username, op->hash);
    return rc ? rc : ts_tx_sessions_delete_user(tx, op->u.id);
  }
  if ((rc = ts_tx_user_update(tx, &op->u)) || (rc = ts_tx_admin_count(tx, &op->admins)))
    return rc;
  if (op->admins == 0)
    return TS_ERR_CONFLICT;
  return op->u.disabled ? ts_tx_sessions_delete_user(tx, op->u.id) : TS_OK;
}

static int resolve_unit(ts_store *s, const char *v, int64_t *id) {
  ts_unit u;
  char *end;
  long long n = strtoll(v, &end, 10);
  if (!*end && n > 0 && ts_store_unit_get(s, n, &u) == TS_OK) {
    *id = u.id;
    return TS_OK;
  }
  if (ts_store_unit_by_code(s, v, &u) == TS_OK) {
    *id = u.id;
    return TS_OK;
  }
  return TS_ERR_NOT_FOUND;
}

static int cmd_user(ts_store *s, const cli *c) {
  user_op op;
  memset(&op, 0, sizeof op);
  if (!c->sub) {
    fputs(usage, stderr);
    return 2;
  }
  if (!strcmp(c->sub, "list")) {
    ts_user *users;
    size_t n;
    if (ts_store_user_list(s, &users, &n))
      return 1;
    printf("%-24s %-24s %-8s %-6s %s\n", "USERNAME", "NAME", "UNIT", "STATE", "ROLES");
    for (size_t i = 0; i < n; i++) {
      printf("%-24s %-24s %-8lld %-6s", users[i].username, users[i].display_name,
             (long long)users[i].unit_id, users[i].disabled ? "off" : "on");
      for (int b = 0; b < TS_ROLE__COUNT; b++)
        if (users[i].roles & (1u << b))
          printf(" %s", ts_role_name(1u << b));
      printf("\n");
    }
    free(users);
    return 0;
  }
  if (!strcmp(c->sub, "add")) {
    int64_t unit = 0;
    if (!c->opt_unit || resolve_unit(s, c->opt_unit, &unit)) {
      fprintf(stderr, "tousu user add: --unit must name an existing unit (id or code)\n");
      return 2;
    }
    json_t *roles = json_array();
    char buf[256];
    snprintf(buf, sizeof buf, "%s", c->opt_roles ? c->opt_roles : "");
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
      json_array_append_new(roles, json_string(t));
    json_t *body = json_pack("{s:s?,s:s?,s:s?,s:o,s:I}", "username", c->opt_username, "password",
                             c->opt_password, "display_name",
                             c->opt_name ? c->opt_name : c->opt_username, "roles", roles, "unit",
                             (json_int_t)unit);
    json_t *errors = json_object();
    int rc = ts_svc_user_prepare(s, body, 1, &op.u, op.hash, errors);
    if (rc == TS_ERR_INVALID) {
      char *e = json_dumps(errors, JSON_COMPACT);
      fprintf(stderr, "tousu user add: %s\n", e ? e : "invalid");
      free(e);
    }
    json_decref(body);
    json_decref(errors);
    if (rc)
      return 2;
    op.u.created_at = ts_now();
    rc = ts_store_run(s, apply_user, &op);
    if (rc == TS_ERR_CONFLICT)
      fprintf(stderr, "tousu user add: '%s' exists\n", op.u.username);
    else if (!rc)
      printf("added %s\n", op.u.username);
    return rc ? 1 : 0;
  }
  if (!c->arg || ts_store_user_get(s, c->arg, &op.u, NULL, 0)) {
    fprintf(stderr, "tousu user %s: name an existing user\n", c->sub);
    return 2;
  }
  if (!strcmp(c->sub, "disable") || !strcmp(c->sub, "enable")) {
    op.what = 1;
    op.u.disabled = !strcmp(c->sub, "disable");
  } else if (!strcmp(c->sub, "reset-password")) {
    op.what = 2;
    if (!c->opt_password || !ts_password_ok(c->opt_password)) {
      fprintf(stderr, "tousu user reset-password: --password of 8 to 256 characters\n");
      return 2;
    }
    if (ts_password_hash(c->opt_password, op.hash))
      return 1;
  } else {
    fputs(usage, stderr);
    return 2;
  }
  int rc = ts_store_run(s, apply_user, &op);
  if (rc == TS_ERR_CONFLICT)
    fprintf(stderr, "tousu user: the last administrator cannot be disabled\n");
  else if (!rc)
    printf("%s: %s\n", op.u.username, c->sub);
  return rc ? 1 : 0;
}

typedef struct {
  ts_list_item item;
  ts_rule rule;
  int kind; /* 0 list entry, 1 rule, 2 approval limit, 3 setting, 4 escalation tier */
  int active;
  const char *name, *grade;
  int64_t value;
  const char *targets[16];
  int ntargets;
} config_op;

static int apply_config(ts_tx *tx, void *arg) {
  config_op *op = arg;
  switch (op->kind) {
  case 1:
    return ts_tx_grading_rule_put(tx, &op->rule, op->active);
  case 2:
    return ts_tx_approval_limit_put(tx, op->name, op->value, op->grade);
  case 3:
    return ts_tx_setting_put(tx, op->name, op->value);
  case 4:
    return ts_tx_escalation_set(tx, op->name, op->targets, op->ntargets);
  default:
    return ts_tx_list_put(tx, &op->item);
  }
}

/* tousu config list|put: the same validation as the API's PUT /api/v1/config/... */
static int cmd_config(ts_store *s, const cli *c) {
  json_t *items = NULL;
  int rc = 0;
  if (!c->sub || !c->arg) {
    fputs(usage, stderr);
    return 2;
  }
  int list = ts_svc_list_parse(c->arg);
  int rules = !strcmp(c->arg, "grading-rules");
  int limits = !strcmp(c->arg, "approval-limits"), settings = !strcmp(c->arg, "settings");
  int tiers = !strcmp(c->arg, "escalation");
  if (!strcmp(c->sub, "list")) {
    if (list == TS_LIST_CHANNELS)
      rc = ts_store_channel_list(s, &items);
    else if (list == TS_LIST_CATEGORIES)
      rc = ts_store_category_list(s, &items);
    else if (list == TS_LIST_STAGES)
      rc = ts_store_stage_list(s, &items);
    else if (rules)
      rc = ts_store_grading_rule_list(s, &items);
    else if (!strcmp(c->arg, "routes"))
      rc = ts_store_route_list(s, &items);
    else if (!strcmp(c->arg, "approval-limits"))
      rc = ts_store_approval_limit_list(s, &items);
    else if (!strcmp(c->arg, "settings"))
      rc = ts_store_setting_list(s, &items);
    else if (!strcmp(c->arg, "escalation"))
      rc = ts_store_escalation_list(s, &items);
    else {
      fprintf(stderr, "tousu config list: unknown list '%s'\n", c->arg);
      return 2;
    }
    if (rc)
      return 1;
    char *out = json_dumps(items, JSON_INDENT(2));
    json_decref(items);
    if (!out)
      return 1;
    printf("%s\n", out);
    free(out);
    return 0;
  }
  if (strcmp(c->sub, "put") || !c->arg2 || !c->opt_json || (list < 0 && !rules && !limits && !settings && !tiers)) {
    fputs(usage, stderr);
    return 2;
  }
  json_error_t jerr;
  json_t *body = json_loads(c->opt_json, JSON_REJECT_DUPLICATES, &jerr);
  json_t *errors = json_object();
  config_op op;
  memset(&op, 0, sizeof op);
  if (!json_is_object(body)) {
    fprintf(stderr, "tousu config put: --json must be a JSON object (%s)\n", body ? "not an object" : jerr.text);
    rc = 2;
  } else if (limits) {
    op.kind = 2;
    op.name = c->arg2;
    if (ts_svc_approval_limit_prepare(c->arg2, body, &op.value, &op.grade, errors))
      rc = 2;
  } else if (tiers) {
    op.kind = 4;
    op.name = c->arg2;
    if (ts_svc_escalation_prepare(c->arg2, body, op.targets, &op.ntargets, errors))
      rc = 2;
  } else if (settings) {
    op.kind = 3;
    op.name = c->arg2;
    if (ts_svc_setting_prepare(c->arg2, body, &op.value, errors))
      rc = 2;
  } else if (rules) {
    json_t *active = json_object_get(body, "active");
    op.kind = 1;
    op.active = !active || json_is_true(active);
    if (ts_rule_make(c->arg2, json_string_value(json_object_get(body, "grade")),
                     json_string_value(json_object_get(body, "kind")), json_object_get(body, "params"),
                     json_string_value(json_object_get(body, "text_zh")),
                     json_string_value(json_object_get(body, "text_en")), &op.rule, errors))
      rc = 2;
  } else if (ts_svc_list_prepare(s, list, c->arg2, body, &op.item, errors)) {
    rc = 2;
  }
  if (rc == 2 && json_object_size(errors)) {
    char *e = json_dumps(errors, JSON_COMPACT);
    fprintf(stderr, "tousu config put: %s\n", e ? e : "invalid");
    free(e);
  }
  if (!rc && (rc = ts_store_run(s, apply_config, &op)) != 0) {
    fprintf(stderr, "tousu config put: %s\n",
            rc == TS_ERR_INVALID ? "the parent is not a category, or would make a cycle" : ts_err_code(rc));
    rc = rc == TS_ERR_INVALID ? 2 : 1;
  } else if (!rc) {
    printf("saved %s %s\n", c->arg, c->arg2);
  }
  json_decref(body);
  json_decref(errors);
  return rc;
}

/* tousu search rebuild | find WORDS */
static int cmd_search(ts_store *s, const cli *c) {
  if (c->sub && !strcmp(c->sub, "rebuild") && !c->arg) {
    int64_t cases = 0, writeups = 0, t0 = ts_mono_ns();
    int rc = ts_store_search_rebuild(s, &cases, &writeups);
    if (rc) {
      fprintf(stderr, "tousu search rebuild: failed (%s)\n", ts_err_code(rc));
      return 1;
    }
    printf("indexed %lld cases and %lld library write-ups in %.1f s\n", (long long)cases,
           (long long)writeups, (double)(ts_mono_ns() - t0) / 1e9);
    return 0;
  }
  if (c->sub && !strcmp(c->sub, "check") && !c->arg) {
    int64_t n[4];
    int ok = 0, rc = ts_store_search_check(s, n, &ok);
    if (rc) {
      fprintf(stderr, "tousu search check: failed (%s)\n", ts_err_code(rc));
      return 1;
    }
    printf("%s: %lld cases, %lld indexed; %lld write-ups, %lld indexed\n", ok ? "ok" : "MISMATCH",
           (long long)n[0], (long long)n[1], (long long)n[2], (long long)n[3]);
    return ok ? 0 : 1;
  }
  if (!c->sub || strcmp(c->sub, "find") || !c->arg) {
    fprintf(stderr, "usage: tousu search rebuild | check | find WORDS\n");
    return 2;
  }
  char match[TS_SQUERY_OUT];
  const char *why = "cannot search";
  ts_tok *tok = ts_tok_thread();
  if (!tok || ts_squery_build(c->arg, TS_SQUERY_CASES, tok, match, sizeof match, &why)) {
    fprintf(stderr, "tousu search: %s\n", why);
    return 2;
  }
  ts_case_filter f = {.q = c->arg, .match = match, .overdue = -1, .per_page = 20,
                      .scope = {.all = 1}};
  json_t *items = NULL;
  int64_t total = 0;
  int rc = ts_store_case_search(s, &f, 0, &items, &total);
  if (rc) {
    fprintf(stderr, "tousu search: failed (%s)\n", ts_err_code(rc));
    return 1;
  }
  size_t i;
  json_t *o;
  printf("%lld cases match\n", (long long)total);
  json_array_foreach(items, i, o) {
    char sn[600];
    size_t n = 0;
    /* the snippet's matches in [brackets] */
    for (const char *p = json_string_value(json_object_get(o, "snippet")); p && *p && n + 4 < sizeof sn; p++) {
      if (!strncmp(p, TS_SNIPPET_OPEN, 3) || !strncmp(p, TS_SNIPPET_CLOSE, 3)) {
        sn[n++] = !strncmp(p, TS_SNIPPET_OPEN, 3) ? '[' : ']';
        p += 2;
      } else {
        sn[n++] = *p == '\n' ? ' ' : *p;
      }
    }
    sn[n] = '\0';
    printf("%s  %-9s %s  %s\n", json_string_value(json_object_get(o, "case_no")),
           json_string_value(json_object_get(o, "status")),
           json_string_value(json_object_get(o, "grade")), sn);
  }
  json_decref(items);
  return 0;
}

/* tousu report: one period's analysis as a file (report/report.h, render.h). */
static int cmd_report(ts_store *s, const cli *c) {
  ts_period p;
  int64_t unit = 0;
  int given = !!c->opt_month + !!c->opt_quarter + !!c->opt_year + (c->opt_from || c->opt_to);
  const char *format = c->opt_format ? c->opt_format : "json", *lang = c->opt_lang ? c->opt_lang : "zh";
  if (c->sub || given != 1 || !c->opt_out) {
    fprintf(stderr, "usage: tousu report --month YYYY-MM | --quarter YYYY-Qn | --year YYYY |\n"
                    "       --from YYYY-MM-DD --to YYYY-MM-DD [--unit ID] [--format json|pdf|xlsx|csv]\n"
                    "       [--lang zh|en] -o FILE (- for standard output)\n");
    return 2;
  }
  if ((c->opt_month && ts_period_month(c->opt_month, &p)) ||
      (c->opt_quarter && ts_period_quarter(c->opt_quarter, &p)) ||
      (c->opt_year && ts_period_year(c->opt_year, &p)) ||
      ((c->opt_from || c->opt_to) && ts_period_range(c->opt_from, c->opt_to, &p))) {
    fprintf(stderr, "tousu report: the period is not valid (a range: two dates, at most 366 days)\n");
    return 2;
  }
  if (c->opt_unit) {
    ts_unit u;
    char *end;
    long long id = strtoll(c->opt_unit, &end, 10);
    if (*end || id <= 0 || ts_store_unit_get(s, id, &u)) {
      fprintf(stderr, "tousu report: no unit %s\n", c->opt_unit);
      return 2;
    }
    unit = id;
  }
  if (strcmp(lang, "zh") && strcmp(lang, "en")) {
    fprintf(stderr, "tousu report: --lang must be zh or en\n");
    return 2;
  }
  json_t *doc = NULL;
  ts_buf b = {0};
  const char *type;
  int64_t t0 = ts_mono_ns();
  int rc = ts_report_build(s, &p, unit, ts_now(), &doc);
  int64_t t1 = ts_mono_ns();
  if (!rc)
    rc = ts_report_render(doc, format, lang, &b, &type);
  json_decref(doc);
  if (rc == TS_ERR_INVALID) {
    fprintf(stderr, "tousu report: --format must be json, pdf, xlsx or csv\n");
    free(b.p);
    return 2;
  }
  FILE *f = rc ? NULL : !strcmp(c->opt_out, "-") ? stdout : fopen(c->opt_out, "wb");
  if (!rc && (!f || fwrite(b.p, 1, b.len, f) != b.len || (f != stdout && fclose(f)))) {
    fprintf(stderr, "tousu report: cannot write %s\n", c->opt_out);
    free(b.p);
    return 1;
  }
  free(b.p);
  if (rc) {
    fprintf(stderr, "tousu report: failed (%s)\n", ts_err_code(rc));
    return 1;
  }
  fprintf(stderr, "report %s: computed in %.0f ms, written in %.0f ms\n", p.label,
          (double)(t1 - t0) / 1e6, (double)(ts_mono_ns() - t1) / 1e6);
  return 0;
}

/* tousu tick: the background jobs once, at the real time. */
static int cmd_tick(ts_store *s, const ts_config *cfg) {
  ts_smtp_conf smtp = smtp_conf(cfg);
  ts_jobs_result res;
  if (ts_send_init())
    return 1;
  int rc = ts_jobs_run_once(s, &smtp, ts_now(), &res);
  ts_send_cleanup();
  if (rc) {
    fprintf(stderr, "tousu tick: failed (%s)\n", ts_err_code(rc));
    return 1;
  }
  printf("clocks moved on %d cases, %d pending cases reminded, %d monthly reports made, %d delivered, "
         "%d to retry, %d given up\n",
         res.clocks, res.reminders, res.reports, res.sent, res.retried, res.failed);
  return 0;
}

typedef struct {
  ts_cal_entry *days;
  int n;
  unsigned weekdays;
  const char *hours;
} cal_op;

static int apply_cal_days(ts_tx *tx, void *arg) {
  cal_op *o = arg;
  return ts_svc_calendar_store(tx, o->days, o->n);
}

static int apply_cal_hours(ts_tx *tx, void *arg) {
  cal_op *o = arg;
  return ts_tx_calendar_set(tx, o->weekdays, o->hours, ts_now());
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t n = 0;
  if (!f)
    return NULL;
  if (!(buf = malloc(1 << 20)) || (n = fread(buf, 1, (1 << 20) - 1, f)) == 0 || !feof(f)) {
    free(buf);
    buf = NULL;
  } else {
    buf[n] = '\0';
  }
  fclose(f);
  return buf;
}

static int cmd_calendar(ts_store *s, const cli *c) {
  int rc = 0;
  if (c->sub && !strcmp(c->sub, "show")) {
    json_t *cal = NULL;
    int64_t year = 0;
    char *end = NULL;
    if (c->arg && ((year = strtoll(c->arg, &end, 10)) < 1970 || year > 9999 || *end)) {
      fprintf(stderr, "tousu calendar show: YEAR must be a year\n");
      return 2;
    }
    if ((rc = ts_store_calendar_json(s, (int)year, &cal)))
      return 1;
    char *text = json_dumps(cal, JSON_INDENT(2));
    printf("%s\n", text ? text : "");
    free(text);
    json_decref(cal);
    return 0;
  }
  if (c->sub && !strcmp(c->sub, "import") && c->arg) {
    char *text = read_file(c->arg);
    json_t *errors = json_object();
    cal_op op = {NULL, 0, 0, NULL};
    if (!text) {
      fprintf(stderr, "tousu calendar import: cannot read %s (or it is empty, or over 1 MiB)\n", c->arg);
      json_decref(errors);
      return 1;
    }
    rc = errors ? ts_svc_calendar_parse(text, &op.days, &op.n, errors) : TS_ERR_NOMEM;
    if (rc == TS_ERR_INVALID) {
      const char *k;
      json_t *v;
      json_object_foreach(errors, k, v) fprintf(stderr, "tousu calendar import: %s: %s\n", k, json_string_value(v));
      rc = 2;
    } else if (!rc && (rc = ts_store_run(s, apply_cal_days, &op))) {
      fprintf(stderr, "tousu calendar import: not saved (%s)\n", ts_err_code(rc));
      rc = 1;
    } else if (!rc) {
      printf("imported %d days\n", op.n);
    }
    free(op.days);
    free(text);
    json_decref(errors);
    return rc;
  }
  if (c->sub && !strcmp(c->sub, "hours") && c->arg) {
    ts_calendar cal;
    cal_op op = {NULL, 0, 0, c->arg};
    memset(&cal, 0, sizeof cal);
    if (ts_cal_parse_spans(c->arg, &cal)) {
      fprintf(stderr, "tousu calendar hours: give spans like 09:00-12:00,13:00-18:00\n");
      return 2;
    }
    const char *wd = c->opt_weekdays ? c->opt_weekdays : "1,2,3,4,5";
    for (const char *p = wd; *p; p++) {
      if (*p >= '1' && *p <= '7')
        op.weekdays |= 1u << (*p - '1');
      else if (*p != ',') {
        fprintf(stderr, "tousu calendar hours: --weekdays is a list of 1 (Monday) to 7\n");
        return 2;
      }
    }
    if ((rc = ts_store_run(s, apply_cal_hours, &op))) {
      fprintf(stderr, "tousu calendar hours: not saved (%s)\n", ts_err_code(rc));
      return 1;
    }
    printf("working hours %s on weekdays %s\n", c->arg, wd);
    return 0;
  }
  fprintf(stderr, "usage: tousu calendar show [YEAR] | import FILE | hours SPANS [--weekdays 1,..]\n");
  return 2;
}

int main(int argc, char **argv) {
  ts_config cfg;
  cli c;
  ts_store *s = NULL;
  int rc;
  ts_config_defaults(&cfg);
  if ((rc = parse_args(argc, argv, &cfg, &c)))
    return rc;
  if (!c.cmd) {
    fputs(usage, stderr);
    fputs(ts_config_help, stderr);
    return 2;
  }
  ts_log_set_level(cfg.log_level);
  if (!strcmp(c.cmd, "version")) {
    printf("tousu %s\n", TS_VERSION);
    return 0;
  }
  if (ts_time_set_zone(cfg.timezone)) {
    fprintf(stderr, "tousu: unknown time zone '%s'\n", cfg.timezone);
    return 2;
  }
  if (ts_password_init(cfg.cheap_hash)) {
    fprintf(stderr, "tousu: libsodium failed to start\n");
    return 1;
  }
  if (!strcmp(c.cmd, "serve"))
    return cmd_serve(&cfg);
  if (strcmp(c.cmd, "init") && strcmp(c.cmd, "user") && strcmp(c.cmd, "demo") &&
      strcmp(c.cmd, "migrate") && strcmp(c.cmd, "config") && strcmp(c.cmd, "tick") &&
      strcmp(c.cmd, "calendar") && strcmp(c.cmd, "search") && strcmp(c.cmd, "report")) {
    fprintf(stderr, "tousu: unknown command '%s'\n", c.cmd);
    fputs(usage, stderr);
    return 2;
  }
  if (open_store(&cfg, &s))
    return 1;
  if (!strcmp(c.cmd, "init")) {
    rc = cmd_init(s, &c);
  } else if (!strcmp(c.cmd, "user")) {
    rc = cmd_user(s, &c);
  } else if (!strcmp(c.cmd, "config")) {
    rc = cmd_config(s, &c);
  } else if (!strcmp(c.cmd, "tick")) {
    rc = cmd_tick(s, &cfg);
  } else if (!strcmp(c.cmd, "calendar")) {
    rc = cmd_calendar(s, &c);
  } else if (!strcmp(c.cmd, "search")) {
    rc = cmd_search(s, &c);
  } else if (!strcmp(c.cmd, "report")) {
    rc = cmd_report(s, &c);
    ts_render_shutdown();
  } else if (!strcmp(c.cmd, "demo")) {
    rc = ts_demo_load(s, cfg.case_prefix, stdout);
    if (rc == TS_ERR_CONFLICT)
      printf("demo data is already loaded in %s\n", cfg.db);
    else if (rc)
      fprintf(stderr, "tousu demo: failed (%s)\n", ts_err_code(rc));
    rc = rc == TS_ERR_CONFLICT ? 0 : rc ? 1 : 0;
  } else {
    int cur = 0, latest = 0;
    rc = ts_store_schema_version(s, &cur, &latest) ? 1 : 0;
    if (!rc)
      printf("schema version %d (this build knows %d)\n", cur, latest);
  }
  ts_store_close(s);
  return rc;
}
