/* The case lifecycle (DOMAIN §3) as one transition table: for each action, the states it
 * may start from, the state it leads to, the roles that may take it, and the members its
 * body requires and allows. ts_lifecycle_apply is the only place a case changes state.
 * Pure: no I/O; "now" and the approval limits are parameters. */
#ifndef TS_LIFECYCLE_H
#define TS_LIFECYCLE_H

#include <jansson.h>
#include <stdint.h>

#include "core/case.h"
#include "core/perm.h"

enum {
  TS_ST_RECEIVED,
  TS_ST_ACCEPTED,
  TS_ST_INVESTIGATING,
  TS_ST_PROPOSED,
  TS_ST_APPROVED,
  TS_ST_RESOLVED,
  TS_ST_CLOSED,
  TS_ST_REJECTED,
  TS_ST_PENDING,
  TS_ST_WITHDRAWN,
  TS_ST__COUNT
};

enum {
  TS_ACT_ACCEPT,
  TS_ACT_ASSIGN,
  TS_ACT_PROPOSE,
  TS_ACT_APPROVE,
  TS_ACT_SEND_BACK,
  TS_ACT_RESOLVE,
  TS_ACT_FOLLOW_UP,
  TS_ACT_CLOSE,
  TS_ACT_REJECT,
  TS_ACT_SUSPEND,
  TS_ACT_RESUME,
  TS_ACT_REOPEN,
  TS_ACT_WITHDRAW,
  TS_ACT_REGRADE,
  TS_ACT__COUNT
};

#define TS_TO_SAME -1         /* the action does not move the case */
#define TS_TO_PENDING_FROM -2 /* back to where the case was before pending */

typedef struct {
  int action;
  const char *name;                 /* the API's action name */
  unsigned from;                    /* bit set of states (1u << TS_ST_*) */
  int to;                           /* TS_ST_*, TS_TO_SAME or TS_TO_PENDING_FROM */
  unsigned roles;                   /* TS_ROLE_* bits that may take it */
  const char *const *required;      /* body members that must be there */
  const char *const *allowed;       /* every member the body may have */
} ts_transition;

extern const ts_transition ts_transitions[TS_ACT__COUNT];

const char *ts_state_name(int state);
int ts_state_parse(const char *name);   /* -1 if unknown */
int ts_action_parse(const char *name);  /* -1 if unknown */

/* The actions the roles may take on a case in this state, as a JSON array of names. */
json_t *ts_lifecycle_allowed(int state, unsigned roles);

/* One solution item of a proposal. */
typedef struct {
  char type[16];
  char option[9];         /* "" or a label of an alternative ("A", "B") */
  int64_t amount_cents;
  char description[1204]; /* 300 characters of UTF-8 */
} ts_solution;

#define TS_SOLUTIONS_MAX 20

/* Approval authority (核决权限): per role, the largest total it may approve (-1 = no
 * limit) and the highest grade it may approve for. */
typedef struct {
  unsigned role;
  int64_t max_cents;
  int max_grade; /* 1..4 */
} ts_approval_limit;

/* The cost an approver must cover: the items common to every option plus the most
 * expensive option. */
int64_t ts_solutions_cost(const ts_solution *items, int n);

/* The lowest role (in the order of the limits) that may approve this cost at this grade,
 * or 0 if none may. */
unsigned ts_approval_needed(const ts_approval_limit *lim, int nlim, int64_t cost, int grade);
/* 1 if one of the roles may approve. */
int ts_approval_allows(const ts_approval_limit *lim, int nlim, unsigned roles, int64_t cost,
                       int grade);

/* Parses {"solutions":[{type, amount_cents, description, option}...]} items; problems go to
 * errors as "solutions[i].field". Returns the number of items, or -1 on errors. */
int ts_solutions_parse(json_t *arr, ts_solution *out, int max, json_t *errors);

/* What an action needs from outside the case. */
typedef struct {
  const ts_principal *who;
  int64_t now;
  const ts_approval_limit *limits; /* approve */
  int nlimits;
  int64_t cost;                     /* approve: the current proposal's cost */
  const char *const *options;       /* resolve: the option labels of the proposal */
  int follow_up_hours;              /* resolve: when the follow-up falls due */
  int improvements;                 /* close: improvement actions (CAPA) on the case */
} ts_action_ctx;

typedef struct {
  int from, to;             /* states before and after */
  unsigned needed_role;     /* approve refused (403): the role that would be needed */
  json_t *allowed;          /* 409: the actions allowed now (owned by the caller) */
  ts_solution items[TS_SOLUTIONS_MAX]; /* propose: the parsed items */
  int nitems;
  int reopened;             /* the action (or a low satisfaction) reopened the case */
} ts_action_result;

/* Takes `action` with `body` on case c: checks the state (TS_ERR_CONFLICT, res->allowed
 * set), the role (TS_ERR_FORBIDDEN), the body (TS_ERR_INVALID, errors filled) and the
 * approval authority (TS_ERR_FORBIDDEN, res->needed_role set), then changes c. On any
 * error c is unchanged. */
int ts_lifecycle_apply(ts_case *c, int action, json_t *body, const ts_action_ctx *ctx,
                       ts_action_result *res, json_t *errors);

/* Books the solution the customer accepted into the case's losses (DOMAIN §6): each item
 * of the chosen option (and every item common to all options) adds its amount to the loss
 * component of its type — refund, compensation, discount, repair; goods for return,
 * exchange and re-shipment; gifts for gift and free service. So no approved cost can be
 * left out of the losses. */
void ts_solutions_book(ts_case *c, const ts_solution *items, int n, const char *option);

/* Grade as a number 1..4 ("g3" → 3), 0 if not one. */
int ts_grade_level(const char *grade);

#endif
