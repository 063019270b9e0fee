/* The Chinese and English names of the codes the domain fixes (DOMAIN §3, §4, §6): states,
 * grades, validity, nature, root causes, responsibility, penalties, loss components. The
 * configurable lists (channels, categories, service stages) carry their names in the
 * store. Pure. */
#ifndef TS_LABELS_H
#define TS_LABELS_H

typedef enum {
  TS_LBL_STATUS,
  TS_LBL_GRADE,
  TS_LBL_VALIDITY,
  TS_LBL_NATURE,
  TS_LBL_ROOT_CAUSE,
  TS_LBL_RESPONSIBILITY, /* also who a loss is attributed to */
  TS_LBL_PENALTY,        /* a penalty's kind */
  TS_LBL_PENALTY_STATUS, /* proposed, approved, executed, cancelled */
  TS_LBL_LOSS,           /* compensation, refund, ... (without _cents) */
  TS_LBL__COUNT
} ts_label_kind;

/* The name of code in kind: zh unless en. NULL when the code is not one of kind's. */
const char *ts_label(ts_label_kind kind, const char *code, int en);

#endif
