#include "core/perm.h"

#include <string.h>

static const char *const role_names[TS_ROLE__COUNT] = {
  "agent", "handler", "supervisor", "dept_manager", "general_manager",
  "reviewer", "auditor", "admin",
};

const char *ts_role_name(unsigned role) {
  for (int i = 0; i < TS_ROLE__COUNT; i++)
    if (role == (1u << i))
      return role_names[i];
  return NULL;
}

unsigned ts_role_parse(const char *name) {
  for (int i = 0; name && i < TS_ROLE__COUNT; i++)
    if (strcmp(name, role_names[i]) == 0)
      return 1u << i;
  return 0;
}

void ts_scope_for(const ts_principal *p, ts_scope *out) {
  memset(out, 0, sizeof *out);
  out->all = (p->roles & TS_ROLES_SEE_ALL) != 0;
  /* Front-line roles see what their outlet (or the region above it) received;
   * department roles see what was routed to their department. */
  out->by_outlet = (p->roles & (TS_ROLE_AGENT | TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER)) != 0;
  out->by_dept = (p->roles & (TS_ROLE_HANDLER | TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER)) != 0;
  out->unit_path = p->unit_path ? p->unit_path : "";
  out->username = p->username;
}

int ts_path_under(const char *path, const char *ancestor) {
  if (!path || !ancestor || !*ancestor)
    return 0;
  return strncmp(path, ancestor, strlen(ancestor)) == 0;
}

int ts_scope_allows(const ts_scope *s, const char *outlet_path, const char *dept_path,
                    const char *owner, const char *handler) {
  if (s->all)
    return 1;
  if (s->username && ((owner && strcmp(owner, s->username) == 0) ||
                      (handler && strcmp(handler, s->username) == 0)))
    return 1;
  if (s->by_outlet && ts_path_under(outlet_path, s->unit_path))
    return 1;
  if (s->by_dept && ts_path_under(dept_path, s->unit_path))
    return 1;
  return 0;
}
