/* Grading (DOMAIN §4): rules as data. Each rule gives a grade when its condition holds;
 * a case's grade is the highest any rule gives, never lowered automatically (only a
 * person lowers it, by regrade), and grade_reasons lists every rule that ever fired,
 * with its text, so a grade is always explainable.
 *
 * Conditions are on the case's own fields and flags, or on counts over other cases
 * (same subject by different customers, similar cases, the same complainant), which the
 * caller answers through ts_grade_lookup from indexed queries. Pure: no I/O. */
#ifndef TS_GRADING_H
#define TS_GRADING_H

#include <jansson.h>
#include <stdint.h>

#include "core/case.h"

typedef enum {
  TS_RULE_FLAG,                   /* {"flag": "injury"}: the flag is set */
  TS_RULE_EXTERNAL,               /* the channel is external (12315, 消协, MIIT, media...) */
  TS_RULE_VVIP,                   /* the complainant is a VVIP */
  TS_RULE_CLAIMED_AT_LEAST,       /* "loss_above" {"cents": n}: claimed or lost more than n */
  TS_RULE_UNUSABLE_DAYS_OVER,     /* {"days": n}: product unusable more than n days */
  TS_RULE_REOPENED,               /* {"count": n}: reopened at least n times */
  TS_RULE_OPEN_DAYS_OVER,         /* {"days": n}: still open more than n days after receipt */
  TS_RULE_SAME_SUBJECT_CUSTOMERS, /* {"days","count"}: ≥ count customers on this subject */
  TS_RULE_SIMILAR_CASES,          /* {"days","count"}: ≥ count cases, same subject+category */
  TS_RULE_REPEAT_COMPLAINANT,     /* {"days","count"}: ≥ count cases by this complainant */
  TS_RULE_RAISED_TIMES,           /* {"count": n}: raised n times (the complaint and each
                                     inbound contact of the customer) without a result */
  TS_RULE_DEPTS_INVOLVED,         /* {"count": n}: n departments have held the case */
  TS_RULE__COUNT
} ts_rule_kind;

typedef struct {
  char id[48];
  int grade; /* 1..4 */
  ts_rule_kind kind;
  char flag[40];   /* TS_RULE_FLAG: the flag's name ("injury") */
  int field;       /* TS_RULE_FLAG: the flag's index in the case field table */
  int64_t amount;  /* cents, days or count, by kind */
  int64_t days;    /* the window of the counting kinds */
  char text_zh[256];
  char text_en[256];
} ts_rule;

/* The API name of a kind, and the kind of a name (-1 if unknown). */
const char *ts_rule_kind_name(int kind);
int ts_rule_kind_parse(const char *name);

/* Builds a rule from its stored parts; TS_ERR_INVALID (with errors) when they do not make
 * one (unknown kind or flag, missing or negative parameters, grade not g1..g4). */
int ts_rule_make(const char *id, const char *grade, const char *kind, json_t *params,
                 const char *text_zh, const char *text_en, ts_rule *out, json_t *errors);

/* The rule's parameters as JSON ({"flag":..} / {"days":..,"count":..} ...). */
json_t *ts_rule_params(const ts_rule *r);

/* Counts over other cases, answered by the store. The case itself is included. A rule
 * only needs to know whether the count reaches its threshold, so the answer may stop at
 * `cap` (the store reads at most that many index entries, however many cases match). */
typedef struct {
  void *ctx;
  int (*count)(void *ctx, ts_rule_kind kind, const ts_case *c, int64_t since, int64_t cap,
               int64_t *n);
} ts_grade_lookup;

/* The key that says two cases are about the same subject: the batch if known, else the
 * product, else the order number, else the plate; NULL if the case names none. Written
 * into out (at least 256 bytes). */
const char *ts_subject_key(const ts_case *c, char *out, size_t outsz);

/* Evaluates every rule on c at `now`. Each rule that fires for the first time is added
 * to grade_reasons and raises the grade to its own if that is higher. A rule already in
 * grade_reasons raised the grade when it first fired; if a person lowered the grade since
 * (regrade), that stands: nothing ever lowers a grade automatically, nor undoes a
 * person's decision. */
int ts_grade_evaluate(ts_case *c, const ts_rule *rules, int n, const ts_grade_lookup *lk,
                      int64_t now);

#endif
