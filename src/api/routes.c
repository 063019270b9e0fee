/* Every endpoint of the API, in one table: method, path, handler, roles allowed.
 * roles 0 = public. A case the caller may not see is answered 404 by the handler
 * (place is checked per case; role here). */
#include "api/api.h"
#include "core/perm.h"

#define ANY TS_ROLES_ANY
#define WRITE TS_ROLES_WRITE
#define ADMIN TS_ROLE_ADMIN
/* Who may change a case's fields: not the read-only auditor, not the reviewer. */
#define CASE_EDIT                                                                         \
  (TS_ROLE_AGENT | TS_ROLE_HANDLER | TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER |           \
   TS_ROLE_GENERAL_MANAGER | TS_ROLE_ADMIN)

const ts_route ts_routes[] = {
  {"GET", "/healthz", ts_api_healthz, 0},
  {"GET", "/metrics", ts_api_metrics, 0},
  {"GET", "/api/v1/version", ts_api_version, 0},

  {"POST", "/api/v1/auth/login", ts_api_login, 0},
  {"POST", "/api/v1/auth/logout", ts_api_logout, ANY},
  {"GET", "/api/v1/auth/me", ts_api_me, ANY},
  {"POST", "/api/v1/auth/password", ts_api_change_password, ANY},

  {"GET", "/api/v1/users", ts_api_users_list, ANY},
  {"POST", "/api/v1/users", ts_api_users_create, ADMIN},
  {"GET", "/api/v1/users/{}", ts_api_users_get, ANY},
  {"PATCH", "/api/v1/users/{}", ts_api_users_patch, ADMIN},
  {"POST", "/api/v1/users/{}/password", ts_api_users_reset_password, ADMIN},

  {"GET", "/api/v1/org/units", ts_api_units_list, ANY},
  {"POST", "/api/v1/org/units", ts_api_units_create, ADMIN},
  {"GET", "/api/v1/org/units/{}", ts_api_units_get, ANY},
  {"PATCH", "/api/v1/org/units/{}", ts_api_units_patch, ADMIN},

  {"GET", "/api/v1/config/channels", ts_api_channels_list, ANY},
  {"GET", "/api/v1/config/categories", ts_api_categories_list, ANY},

  {"GET", "/api/v1/cases", ts_api_cases_list, ANY},
  {"POST", "/api/v1/cases", ts_api_cases_create, WRITE},
  {"GET", "/api/v1/cases/{}", ts_api_cases_get, ANY},
  {"PATCH", "/api/v1/cases/{}", ts_api_cases_patch, CASE_EDIT},
  {"GET", "/api/v1/cases/{}/history", ts_api_cases_history, ANY},
  {"GET", "/api/v1/cases/{}/notes", ts_api_notes_list, ANY},
  {"POST", "/api/v1/cases/{}/notes", ts_api_notes_create, WRITE},
  {"GET", "/api/v1/cases/{}/contacts", ts_api_contacts_list, ANY},
  {"POST", "/api/v1/cases/{}/contacts", ts_api_contacts_create, CASE_EDIT},
  {"GET", "/api/v1/cases/{}/promises", ts_api_promises_list, ANY},
  {"POST", "/api/v1/cases/{}/promises", ts_api_promises_create, CASE_EDIT},
  {"PATCH", "/api/v1/cases/{}/promises/{}", ts_api_promises_patch, CASE_EDIT},

  {"PUT", "/api/v1/test/clock", ts_api_test_clock, 0},
  {"POST", "/api/v1/test/tick", ts_api_test_tick, 0},
};

const int ts_routes_count = (int)(sizeof ts_routes / sizeof ts_routes[0]);
