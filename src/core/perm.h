/* Roles and places: who may do what, and which cases they may see (DOMAIN §11).
 *
 * Roles are a bit set. Places are units of the organisation tree, each with a
 * materialised path "/1/4/9/" (ids from the root), so "unit B lies under unit A" is a
 * prefix test that the store can also run as an indexed query. Pure functions. */
#ifndef TS_PERM_H
#define TS_PERM_H

#include <stddef.h>

enum {
  TS_ROLE_AGENT = 1u << 0,           /* 客服专员: intake */
  TS_ROLE_HANDLER = 1u << 1,         /* 经办人 in a responsible department */
  TS_ROLE_SUPERVISOR = 1u << 2,      /* 主管 */
  TS_ROLE_DEPT_MANAGER = 1u << 3,    /* 部门经理 */
  TS_ROLE_GENERAL_MANAGER = 1u << 4, /* 总经理 */
  TS_ROLE_REVIEWER = 1u << 5,        /* 管理部 quality / management reviewer */
  TS_ROLE_AUDITOR = 1u << 6,         /* read-only, everything */
  TS_ROLE_ADMIN = 1u << 7,           /* administrator */
  TS_ROLE__COUNT = 8
};

#define TS_ROLES_ANY 0xFFu
/* Everyone who may change things: all but the auditor. */
#define TS_ROLES_WRITE (TS_ROLES_ANY & ~(unsigned)TS_ROLE_AUDITOR)
/* Roles that see every case regardless of place. */
#define TS_ROLES_SEE_ALL                                                                     \
  (TS_ROLE_ADMIN | TS_ROLE_AUDITOR | TS_ROLE_REVIEWER | TS_ROLE_GENERAL_MANAGER)

/* The API name of one role bit ("agent"), or NULL. */
const char *ts_role_name(unsigned role);
/* The role bit for a name, or 0. */
unsigned ts_role_parse(const char *name);

/* Who is asking: filled from the session by the HTTP layer. */
typedef struct {
  long long user_id;
  const char *username;
  unsigned roles;
  const char *unit_path; /* "/1/4/" of the user's unit; never NULL ("" if none) */
} ts_principal;

/* What part of the case store a principal may see. The store turns it into SQL; the
 * same rule is applied to one case by ts_scope_allows. */
typedef struct {
  int all;               /* sees every case */
  int by_outlet;         /* cases whose outlet lies under unit_path */
  int by_dept;           /* cases whose department lies under unit_path */
  const char *unit_path; /* borrowed from the principal */
  const char *username;  /* owner or handler of the case sees it too */
} ts_scope;

void ts_scope_for(const ts_principal *p, ts_scope *out);

/* 1 if unit path `path` lies at or under `ancestor` (both "/1/4/" form). */
int ts_path_under(const char *path, const char *ancestor);

/* 1 if a case with these places and people is visible in scope. Paths may be NULL. */
int ts_scope_allows(const ts_scope *s, const char *outlet_path, const char *dept_path,
                    const char *owner, const char *handler);

#endif
