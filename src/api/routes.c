/* Every endpoint of the API, in one table: method, path, handler, roles allowed.
 * roles 0 = public. A case the caller may not see is answered 404 by the handler
 * (place is checked per case; role here). */
#include "api/api.h"
#include "core/perm.h"

#define ANY TS_ROLES_ANY
#define WRITE TS_ROLES_WRITE
#define ADMIN TS_ROLE_ADMIN
/* Who decides on penalties: supervisors and above. */
#define MANAGE                                                                            \
  (TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER | TS_ROLE_GENERAL_MANAGER)
/* Who writes up cases for the library: the management reviewers and managers. */
#define LIBRARY_WRITE                                                                     \
  (TS_ROLE_REVIEWER | TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER | TS_ROLE_GENERAL_MANAGER)
/* Who reads the analysis report: supervisors and above, reviewers, auditors, admins. */
#define REPORTS                                                                           \
  (TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER | TS_ROLE_GENERAL_MANAGER | TS_ROLE_REVIEWER | \
   TS_ROLE_AUDITOR | TS_ROLE_ADMIN)
#define BODY_JSON 0                     /* body up to --max-body */
#define BODY_UPLOAD TS_ROUTE_UPLOAD     /* body up to --max-upload */
#define TEST_ONLY TS_ROUTE_TEST_ONLY     /* only with --test-clock */
/* Who may read the user directory (with e-mail addresses): not agents and handlers. */
#define USERS_READ                                                                        \
  (TS_ROLE_ADMIN | TS_ROLE_AUDITOR | TS_ROLE_REVIEWER | TS_ROLE_SUPERVISOR |              \
   TS_ROLE_DEPT_MANAGER | TS_ROLE_GENERAL_MANAGER)
/* Who may change a case's fields: not the read-only auditor, not the reviewer. */
#define CASE_EDIT                                                                         \
  (TS_ROLE_AGENT | TS_ROLE_HANDLER | TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER |           \
   TS_ROLE_GENERAL_MANAGER | TS_ROLE_ADMIN)

const ts_route ts_routes[] = {
  {"GET", "/healthz", ts_api_healthz, 0, BODY_JSON},
  {"GET", "/metrics", ts_api_metrics, 0, BODY_JSON},
  {"GET", "/api/v1/version", ts_api_version, 0, BODY_JSON},

  {"POST", "/api/v1/auth/login", ts_api_login, 0, BODY_JSON},
  {"POST", "/api/v1/auth/logout", ts_api_logout, ANY, BODY_JSON},
  {"GET", "/api/v1/auth/me", ts_api_me, ANY, BODY_JSON},
  {"POST", "/api/v1/auth/password", ts_api_change_password, ANY, BODY_JSON},

  {"GET", "/api/v1/users", ts_api_users_list, USERS_READ, BODY_JSON},
  {"POST", "/api/v1/users", ts_api_users_create, ADMIN, BODY_JSON},
  {"GET", "/api/v1/users/{}", ts_api_users_get, USERS_READ, BODY_JSON},
  {"PATCH", "/api/v1/users/{}", ts_api_users_patch, ADMIN, BODY_JSON},
  {"POST", "/api/v1/users/{}/password", ts_api_users_reset_password, ADMIN, BODY_JSON},

  {"GET", "/api/v1/org/units", ts_api_units_list, ANY, BODY_JSON},
  {"POST", "/api/v1/org/units", ts_api_units_create, ADMIN, BODY_JSON},
  {"GET", "/api/v1/org/units/{}", ts_api_units_get, ANY, BODY_JSON},
  {"PATCH", "/api/v1/org/units/{}", ts_api_units_patch, ADMIN, BODY_JSON},
  {"GET", "/api/v1/org/units/{}/assignees", ts_api_units_assignees, ANY, BODY_JSON},

  {"GET", "/api/v1/config/channels", ts_api_channels_list, ANY, BODY_JSON},
  {"GET", "/api/v1/config/categories", ts_api_categories_list, ANY, BODY_JSON},
  {"GET", "/api/v1/config/service-stages", ts_api_stages_list, ANY, BODY_JSON},
  {"GET", "/api/v1/config/psychology", ts_api_psychology_list, ANY, BODY_JSON},
  {"GET", "/api/v1/config/routes", ts_api_routes_list, ANY, BODY_JSON},
  {"POST", "/api/v1/config/routes", ts_api_routes_create, ADMIN, BODY_JSON},
  {"DELETE", "/api/v1/config/routes/{}", ts_api_routes_delete, ADMIN, BODY_JSON},
  {"GET", "/api/v1/config/grading-rules", ts_api_grading_rules_list, ANY, BODY_JSON},
  {"PUT", "/api/v1/config/grading-rules/{}", ts_api_grading_rules_put, ADMIN, BODY_JSON},
  {"GET", "/api/v1/config/approval-limits", ts_api_approval_limits_list, ANY, BODY_JSON},
  {"PUT", "/api/v1/config/approval-limits/{}", ts_api_approval_limits_put, ADMIN, BODY_JSON},
  {"GET", "/api/v1/config/settings", ts_api_settings_list, ADMIN | TS_ROLES_SEE_ALL, BODY_JSON},
  {"PUT", "/api/v1/config/settings/{}", ts_api_settings_put, ADMIN, BODY_JSON},
  {"GET", "/api/v1/config/escalation", ts_api_escalation_list, ANY, BODY_JSON},
  {"GET", "/api/v1/config/clocks", ts_api_clocks_list, ANY, BODY_JSON},
  {"PUT", "/api/v1/config/clocks/{}", ts_api_clocks_put, ADMIN, BODY_JSON},
  {"PUT", "/api/v1/config/escalation/{}", ts_api_escalation_put, ADMIN, BODY_JSON},
  /* after the specific config routes: the first matching row wins */
  {"PUT", "/api/v1/config/{}/{}", ts_api_list_put, ADMIN, BODY_JSON},

  {"GET", "/api/v1/cases", ts_api_cases_list, ANY, BODY_JSON},
  {"GET", "/api/v1/cases/export", ts_api_cases_export, ANY, BODY_JSON},
  {"POST", "/api/v1/cases", ts_api_cases_create, WRITE, BODY_JSON},
  {"GET", "/api/v1/cases/{}", ts_api_cases_get, ANY, BODY_JSON},
  {"GET", "/api/v1/cases/{}/related", ts_api_case_related, ANY, BODY_JSON},
  {"GET", "/api/v1/search", ts_api_search, ANY, BODY_JSON},
  {"GET", "/api/v1/reports", ts_api_reports_list, REPORTS, BODY_JSON},
  {"GET", "/api/v1/reports/monthly", ts_api_report_monthly, REPORTS, BODY_JSON},
  {"GET", "/api/v1/reports/range", ts_api_report_range, REPORTS, BODY_JSON},
  {"GET", "/api/v1/reports/{}", ts_api_reports_get, REPORTS, BODY_JSON},
  {"POST", "/api/v1/intake/related", ts_api_intake_related, WRITE, BODY_JSON},
  {"GET", "/api/v1/groups", ts_api_groups, ANY, BODY_JSON},
  {"PATCH", "/api/v1/cases/{}", ts_api_cases_patch, CASE_EDIT, BODY_JSON},
  {"GET", "/api/v1/cases/{}/history", ts_api_cases_history, ANY, BODY_JSON},
  {"GET", "/api/v1/cases/{}/notes", ts_api_notes_list, ANY, BODY_JSON},
  {"POST", "/api/v1/cases/{}/notes", ts_api_notes_create, WRITE, BODY_JSON},
  {"DELETE", "/api/v1/cases/{}/notes/{}", ts_api_notes_delete, WRITE, BODY_JSON},
  {"GET", "/api/v1/cases/{}/contacts", ts_api_contacts_list, ANY, BODY_JSON},
  {"POST", "/api/v1/cases/{}/contacts", ts_api_contacts_create, CASE_EDIT, BODY_JSON},
  {"GET", "/api/v1/cases/{}/promises", ts_api_promises_list, ANY, BODY_JSON},
  {"POST", "/api/v1/cases/{}/promises", ts_api_promises_create, CASE_EDIT, BODY_JSON},
  {"PATCH", "/api/v1/cases/{}/promises/{}", ts_api_promises_patch, CASE_EDIT, BODY_JSON},
  {"POST", "/api/v1/cases/{}/actions/{}", ts_api_case_action, CASE_EDIT, BODY_JSON},
  {"GET", "/api/v1/cases/{}/notices", ts_api_notices_list, ANY, BODY_JSON},
  {"GET", "/api/v1/cases/{}/improvements", ts_api_improvements_list, ANY, BODY_JSON},
  {"POST", "/api/v1/cases/{}/improvements", ts_api_improvements_create, CASE_EDIT, BODY_JSON},
  {"PATCH", "/api/v1/cases/{}/improvements/{}", ts_api_improvements_patch, CASE_EDIT, BODY_JSON},
  {"GET", "/api/v1/cases/{}/penalties", ts_api_penalties_list, ANY, BODY_JSON},
  {"POST", "/api/v1/cases/{}/penalties", ts_api_penalties_create, CASE_EDIT, BODY_JSON},
  {"POST", "/api/v1/cases/{}/penalties/{}/approve", ts_api_penalty_approve, MANAGE, BODY_JSON},
  {"POST", "/api/v1/cases/{}/penalties/{}/execute", ts_api_penalty_execute, MANAGE, BODY_JSON},
  {"POST", "/api/v1/cases/{}/penalties/{}/cancel", ts_api_penalty_cancel, MANAGE, BODY_JSON},
  {"GET", "/api/v1/penalties/pending", ts_api_penalties_pending, ANY, BODY_JSON},
  {"GET", "/api/v1/accountability/root-causes", ts_api_root_causes, TS_ROLES_SEE_ALL | MANAGE,
   BODY_JSON},
  {"POST", "/api/v1/cases/{}/writeup", ts_api_writeup_create, LIBRARY_WRITE, BODY_JSON},
  {"GET", "/api/v1/library", ts_api_library_list, ANY, BODY_JSON},
  {"GET", "/api/v1/library/{}", ts_api_library_get, ANY, BODY_JSON},
  {"PATCH", "/api/v1/library/{}", ts_api_writeup_patch, LIBRARY_WRITE, BODY_JSON},
  {"POST", "/api/v1/library/{}/publish", ts_api_writeup_publish, LIBRARY_WRITE, BODY_JSON},
  {"POST", "/api/v1/cases/{}/evidence", ts_api_evidence_upload, WRITE, BODY_UPLOAD},
  {"GET", "/api/v1/cases/{}/evidence", ts_api_evidence_list, ANY, BODY_JSON},
  {"GET", "/api/v1/cases/{}/evidence/{}", ts_api_evidence_get, ANY, BODY_JSON},

  {"GET", "/api/v1/calendar", ts_api_calendar_get, ANY, BODY_JSON},
  {"PUT", "/api/v1/calendar", ts_api_calendar_put, ADMIN, BODY_JSON},
  {"GET", "/api/v1/calendar/due", ts_api_calendar_due, ANY, BODY_JSON},
  {"POST", "/api/v1/calendar/import", ts_api_calendar_import, ADMIN, BODY_JSON},
  {"PUT", "/api/v1/calendar/days/{}", ts_api_calendar_day_put, ADMIN, BODY_JSON},
  {"DELETE", "/api/v1/calendar/days/{}", ts_api_calendar_day_delete, ADMIN, BODY_JSON},
  {"GET", "/api/v1/queue", ts_api_queue, ANY, BODY_JSON},
  {"GET", "/api/v1/pending-items", ts_api_pending_items, ANY, BODY_JSON},
  {"GET", "/api/v1/delays", ts_api_delays, ANY, BODY_JSON},
  {"GET", "/api/v1/notifications", ts_api_notifications_list, ANY, BODY_JSON},
  {"POST", "/api/v1/notifications/read-all", ts_api_notifications_read_all, ANY, BODY_JSON},
  {"POST", "/api/v1/notifications/{}/read", ts_api_notification_read, ANY, BODY_JSON},
  {"GET", "/api/v1/outbox", ts_api_outbox_list, ADMIN, BODY_JSON},
  {"POST", "/api/v1/outbox/{}/retry", ts_api_outbox_retry, ADMIN, BODY_JSON},
  {"GET", "/api/v1/webhooks", ts_api_webhooks_list, ADMIN, BODY_JSON},
  {"POST", "/api/v1/webhooks", ts_api_webhooks_create, ADMIN, BODY_JSON},
  {"DELETE", "/api/v1/webhooks/{}", ts_api_webhooks_delete, ADMIN, BODY_JSON},
  {"GET", "/api/v1/letter-templates", ts_api_letter_templates_list, ANY, BODY_JSON},
  {"PUT", "/api/v1/letter-templates/{}/{}", ts_api_letter_template_put, ADMIN, BODY_JSON},
  {"GET", "/api/v1/cases/{}/letters/{}", ts_api_letter_render, ANY, BODY_JSON},
  {"POST", "/api/v1/cases/{}/letters/{}", ts_api_letter_send, CASE_EDIT, BODY_JSON},

  /* the public customer portal (docs/portal.md): no token; the access code opens one case */
  {"GET", "/api/v1/portal/outlets", ts_api_portal_outlets, 0, BODY_JSON},
  {"POST", "/api/v1/portal/complaints", ts_api_portal_submit, 0, BODY_JSON},
  {"GET", "/api/v1/portal/complaints/{}", ts_api_portal_progress, 0, BODY_JSON},
  {"POST", "/api/v1/portal/complaints/{}/follow-up", ts_api_portal_follow_up, 0, BODY_JSON},
  {"POST", "/api/v1/portal/complaints/{}/evidence", ts_api_portal_evidence, 0, BODY_UPLOAD},

  {"PUT", "/api/v1/test/clock", ts_api_test_clock, 0, TEST_ONLY},
  {"POST", "/api/v1/test/tick", ts_api_test_tick, 0, TEST_ONLY},
};

const int ts_routes_count = (int)(sizeof ts_routes / sizeof ts_routes[0]);
