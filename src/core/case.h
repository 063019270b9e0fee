/* The case (投诉案件) as data: one table of fields drives parsing, validation, the JSON
 * shape, history diffs and the store's columns, so adding a field is one line here.
 *
 * A case holds one value per field. Values come in through ts_case_apply_json (register
 * and PATCH share it), are checked against the table, and go out through
 * ts_case_to_json. No I/O: lookups of configured data (channels, categories, units,
 * users) are asked of the caller through ts_case_lookup. */
#ifndef TS_CASE_H
#define TS_CASE_H

#include <jansson.h>
#include <stdint.h>

typedef enum {
  TS_FT_TEXT,     /* one line of text, at most max characters */
  TS_FT_MTEXT,    /* multi-line text, at most max characters */
  TS_FT_INT,      /* integer 0..max */
  TS_FT_CENTS,    /* money in integer cents (分), 0..TS_CENTS_MAX */
  TS_FT_BOOL,     /* true/false; absent reads as false */
  TS_FT_TIME,     /* RFC 3339 in the API, UTC seconds in the store */
  TS_FT_DATE,     /* "YYYY-MM-DD" */
  TS_FT_ENUM,     /* one of vals */
  TS_FT_LIST,     /* list of distinct vals, at most max items; JSON text in the store */
  TS_FT_CHANNEL,  /* a configured channel code */
  TS_FT_CATEGORY, /* a configured category code */
  TS_FT_UNIT,     /* an organisation unit id whose kind is one of vals */
  TS_FT_USER,     /* an active user's username */
  TS_FT_PHONE,    /* phone number */
  TS_FT_EMAIL,    /* e-mail address */
  TS_FT_JSON,     /* system-managed JSON text */
  TS_FT_OPTBOOL,  /* true/false, or null while not known */
  TS_FT_STAGE     /* a configured service stage code */
} ts_ftype;

enum {
  TS_FF_IN = 1u << 0,    /* may be given at registration */
  TS_FF_PATCH = 1u << 1, /* may be changed by PATCH */
  TS_FF_REQ = 1u << 2,   /* required at registration (and never cleared) */
  TS_FF_KEEP = 1u << 3,  /* may change but never be cleared (defaulted when absent) */
  TS_FF_HIDDEN = 1u << 4, /* kept for the store's queries, not shown nor diffed */
  TS_FF_SYS = 0          /* set by the system only */
};

#define TS_CENTS_MAX 10000000000000LL /* ¥100 billion: beyond any real claim */
#define TS_IO (TS_FF_IN | TS_FF_PATCH)

/* X(ID, json path, column, type, max, flags, vals) */
#define TS_CASE_FIELDS(X)                                                                 \
  X(CASE_NO, "case_no", "case_no", TS_FT_TEXT, 32, TS_FF_SYS, NULL)                       \
  X(STATUS, "status", "status", TS_FT_ENUM, 0, TS_FF_SYS, ts_enum_status)                \
  X(GRADE, "grade", "grade", TS_FT_ENUM, 0, TS_FF_SYS, ts_enum_grade)                    \
  X(GRADE_REASONS, "grade_reasons", "grade_reasons", TS_FT_JSON, 0, TS_FF_SYS, NULL)      \
  X(CHANNEL, "channel", "channel", TS_FT_CHANNEL, 0, TS_IO | TS_FF_REQ, NULL)            \
  X(EXTERNAL, "external", "external", TS_FT_BOOL, 0, TS_FF_SYS, NULL)                     \
  X(CATEGORY, "category", "category", TS_FT_CATEGORY, 0, TS_IO, NULL)                     \
  X(VALIDITY, "validity", "validity", TS_FT_ENUM, 0, TS_IO, ts_enum_validity)            \
  X(NATURE, "nature", "nature", TS_FT_ENUM, 0, TS_IO, ts_enum_nature)                    \
  X(TITLE, "title", "title", TS_FT_TEXT, 200, TS_IO, NULL)                                \
  X(C_NAME, "complainant.name", "c_name", TS_FT_TEXT, 100, TS_IO | TS_FF_REQ, NULL)      \
  X(C_PHONE, "complainant.phone", "c_phone", TS_FT_PHONE, 32, TS_IO, NULL)               \
  X(C_EMAIL, "complainant.email", "c_email", TS_FT_EMAIL, 254, TS_IO, NULL)              \
  X(C_CUSTOMER_ID, "complainant.customer_id", "c_customer_id", TS_FT_TEXT, 64, TS_IO, NULL) \
  X(C_VIP, "complainant.vip", "c_vip", TS_FT_BOOL, 0, TS_IO, NULL)                        \
  X(C_VVIP, "complainant.vvip", "c_vvip", TS_FT_BOOL, 0, TS_IO, NULL)                     \
  X(C_ADDRESS, "complainant.address", "c_address", TS_FT_TEXT, 300, TS_IO, NULL)         \
  X(C_CONTACT_PREF, "complainant.contact_pref", "c_contact_pref", TS_FT_ENUM, 0, TS_IO,  \
    ts_enum_contact_pref)                                                                 \
  X(S_PRODUCT, "subject.product", "s_product", TS_FT_TEXT, 200, TS_IO, NULL)             \
  X(S_SKU, "subject.sku", "s_sku", TS_FT_TEXT, 64, TS_IO, NULL)                           \
  X(S_BATCH, "subject.batch", "s_batch", TS_FT_TEXT, 64, TS_IO, NULL)                     \
  X(S_ORDER_NO, "subject.order_no", "s_order_no", TS_FT_TEXT, 64, TS_IO, NULL)           \
  X(S_PLATE, "subject.plate", "s_plate", TS_FT_TEXT, 32, TS_IO, NULL)                     \
  X(S_VIN, "subject.vin", "s_vin", TS_FT_TEXT, 32, TS_IO, NULL)                           \
  X(S_OUTLET, "subject.outlet", "s_outlet", TS_FT_TEXT, 200, TS_IO, NULL)                 \
  X(S_EMPLOYEE, "subject.employee", "s_employee", TS_FT_TEXT, 100, TS_IO, NULL)           \
  X(S_DELIVERY_DATE, "subject.delivery_date", "s_delivery_date", TS_FT_DATE, 0, TS_IO, NULL) \
  X(S_QUANTITY, "subject.quantity", "s_quantity", TS_FT_INT, 1000000000, TS_IO, NULL)    \
  X(S_AMOUNT_PAID, "subject.amount_paid_cents", "s_amount_paid_cents", TS_FT_CENTS, 0,   \
    TS_IO, NULL)                                                                          \
  X(DESCRIPTION, "description", "description", TS_FT_MTEXT, 20000, TS_IO | TS_FF_REQ, NULL) \
  X(DEMANDS, "demands", "demands", TS_FT_LIST, 9, TS_IO, ts_enum_demand)                  \
  X(DEMAND_DETAIL, "demand_detail", "demand_detail", TS_FT_MTEXT, 2000, TS_IO, NULL)     \
  X(CLAIMED, "claimed_cents", "claimed_cents", TS_FT_CENTS, 0, TS_IO, NULL)              \
  X(UNUSABLE_DAYS, "unusable_days", "unusable_days", TS_FT_INT, 36500, TS_IO, NULL)      \
  X(F_INJURY, "flags.injury", "f_injury", TS_FT_BOOL, 0, TS_IO, NULL)                     \
  X(F_FIRE, "flags.fire", "f_fire", TS_FT_BOOL, 0, TS_IO, NULL)                           \
  X(F_ACCIDENT, "flags.accident", "f_accident", TS_FT_BOOL, 0, TS_IO, NULL)               \
  X(F_PROPERTY_DAMAGE, "flags.property_damage", "f_property_damage", TS_FT_BOOL, 0, TS_IO, \
    NULL)                                                                                 \
  X(F_SAFETY_RELATED, "flags.safety_related", "f_safety_related", TS_FT_BOOL, 0, TS_IO,  \
    NULL)                                                                                 \
  X(F_MEDIA_EXPOSURE, "flags.media_exposure", "f_media_exposure", TS_FT_BOOL, 0, TS_IO,  \
    NULL)                                                                                 \
  X(F_MEDIA_THREAT, "flags.media_threat", "f_media_threat", TS_FT_BOOL, 0, TS_IO, NULL)  \
  X(F_REGULATOR_THREAT, "flags.regulator_threat", "f_regulator_threat", TS_FT_BOOL, 0,   \
    TS_IO, NULL)                                                                          \
  X(F_LAWSUIT_THREAT, "flags.lawsuit_threat", "f_lawsuit_threat", TS_FT_BOOL, 0, TS_IO,  \
    NULL)                                                                                 \
  X(F_LAWSUIT_FILED, "flags.lawsuit_filed", "f_lawsuit_filed", TS_FT_BOOL, 0, TS_IO, NULL) \
  X(F_REGULATOR_INVESTIGATION, "flags.regulator_investigation", "f_regulator_investigation", \
    TS_FT_BOOL, 0, TS_IO, NULL)                                                           \
  X(F_UNAUTHORISED_PROMISE, "flags.unauthorised_promise", "f_unauthorised_promise",       \
    TS_FT_BOOL, 0, TS_IO, NULL)                                                           \
  X(F_REWORK, "flags.rework", "f_rework", TS_FT_BOOL, 0, TS_IO, NULL)                      \
  X(F_FREQUENT_FAILURE, "flags.frequent_failure", "f_frequent_failure", TS_FT_BOOL, 0, TS_IO, \
    NULL)                                                                                 \
  X(OWNER, "owner", "owner", TS_FT_USER, 0, TS_FF_SYS, NULL)                              \
  X(OUTLET, "outlet", "outlet_id", TS_FT_UNIT, 0, TS_FF_IN, ts_enum_kind_outlet)          \
  X(DEPT, "dept", "dept_id", TS_FT_UNIT, 0, TS_IO, ts_enum_kind_department)              \
  X(HANDLER, "handler", "handler", TS_FT_USER, 0, TS_IO, NULL)                            \
  X(RECEIVED_AT, "received_at", "received_at", TS_FT_TIME, 0, TS_IO | TS_FF_KEEP, NULL)               \
  X(REGISTERED_AT, "registered_at", "registered_at", TS_FT_TIME, 0, TS_FF_SYS, NULL)     \
  X(UPDATED_AT, "updated_at", "updated_at", TS_FT_TIME, 0, TS_FF_SYS, NULL)              \
  X(OVERDUE, "overdue", "overdue", TS_FT_BOOL, 0, TS_FF_SYS, NULL)                        \
  X(REOPEN_COUNT, "reopen_count", "reopen_count", TS_FT_INT, 0, TS_FF_SYS, NULL)         \
  X(SATISFACTION, "satisfaction", "satisfaction", TS_FT_INT, 5, TS_FF_SYS, NULL)         \
  X(INVALID_REASON, "invalid_reason", "invalid_reason", TS_FT_ENUM, 0, TS_FF_PATCH,        \
    ts_enum_invalid_reason)                                                               \
  X(REPLY, "reply_to_customer", "reply_to_customer", TS_FT_MTEXT, 5000, TS_FF_SYS, NULL) \
  X(PENDING_FROM, "pending.from", "pending_from", TS_FT_ENUM, 0, TS_FF_SYS, ts_enum_status) \
  X(PENDING_REASON, "pending.reason", "pending_reason", TS_FT_MTEXT, 500, TS_FF_SYS, NULL) \
  X(PENDING_REMIND_ON, "pending.remind_on", "pending_remind_on", TS_FT_DATE, 0, TS_FF_SYS,  \
    NULL)                                                                                 \
  X(WITHDRAW_REASON, "withdraw_reason", "withdraw_reason", TS_FT_MTEXT, 500, TS_FF_SYS, NULL) \
  X(PROPOSAL_NO, "proposal_no", "proposal_no", TS_FT_INT, 0, TS_FF_SYS, NULL)             \
  X(CONSENT, "customer_consent", "customer_consent", TS_FT_OPTBOOL, 0, TS_FF_SYS, NULL)   \
  X(CHOSEN_OPTION, "chosen_option", "chosen_option", TS_FT_TEXT, 8, TS_FF_SYS, NULL)      \
  X(SUMMARY, "summary", "summary", TS_FT_MTEXT, 5000, TS_FF_SYS, NULL)                     \
  X(LESSONS, "lessons", "lessons", TS_FT_MTEXT, 5000, TS_FF_SYS, NULL)                     \
  X(ACCEPTED_AT, "accepted_at", "accepted_at", TS_FT_TIME, 0, TS_FF_SYS, NULL)             \
  X(ASSIGNED_AT, "assigned_at", "assigned_at", TS_FT_TIME, 0, TS_FF_SYS, NULL)             \
  X(RESOLVED_AT, "resolved_at", "resolved_at", TS_FT_TIME, 0, TS_FF_SYS, NULL)             \
  X(CLOSED_AT, "closed_at", "closed_at", TS_FT_TIME, 0, TS_FF_SYS, NULL)                   \
  X(FU_DUE_AT, "follow_up.due_at", "fu_due_at", TS_FT_TIME, 0, TS_FF_SYS, NULL)            \
  X(FU_AT, "follow_up.at", "fu_at", TS_FT_TIME, 0, TS_FF_SYS, NULL)                        \
  X(FU_BY, "follow_up.by", "fu_by", TS_FT_USER, 0, TS_FF_SYS, NULL)                        \
  X(FU_METHOD, "follow_up.method", "fu_method", TS_FT_ENUM, 0, TS_FF_SYS, ts_enum_contact_method) \
  X(FU_COMMENT, "follow_up.comment", "fu_comment", TS_FT_MTEXT, 2000, TS_FF_SYS, NULL)     \
  X(FU_WAIVED, "follow_up.waived_reason", "fu_waived_reason", TS_FT_MTEXT, 500, TS_FF_SYS, \
    NULL)                                                                                 \
  X(ESCALATION_TIER, "escalation_tier", "escalation_tier", TS_FT_INT, 4, TS_FF_SYS, NULL)   \
  X(SLA_LEVEL, "sla_level", "sla_level", TS_FT_INT, 100, TS_FF_SYS, NULL)                   \
  X(ESCALATED_TO, "escalated_to", "escalated_to", TS_FT_INT, 0, TS_FF_SYS, NULL)            \
  X(SITE_VISIT, "site_visit_needed", "site_visit_needed", TS_FT_BOOL, 0, TS_IO, NULL)       \
  X(SUBJECT_KEY, "subject_key", "subject_key", TS_FT_TEXT, 300, TS_FF_HIDDEN, NULL)      \
  X(ROOT_CAUSE, "root_cause", "root_cause", TS_FT_ENUM, 0, TS_FF_PATCH, ts_enum_root_cause) \
  X(SERVICE_STAGE, "service_stage", "service_stage", TS_FT_STAGE, 0, TS_FF_PATCH, NULL)   \
  X(RESPONSIBILITY, "responsibility", "responsibility", TS_FT_ENUM, 0, TS_FF_PATCH,        \
    ts_enum_responsibility)                                                               \
  X(PSYCHOLOGY, "psychology", "psychology", TS_FT_LIST, 7, TS_IO, ts_enum_psychology)      \
  X(L_COMPENSATION, "loss.compensation_cents", "l_compensation_cents", TS_FT_CENTS, 0,   \
    TS_FF_PATCH, NULL)                                                                    \
  X(L_REFUND, "loss.refund_cents", "l_refund_cents", TS_FT_CENTS, 0, TS_FF_PATCH, NULL)  \
  X(L_DISCOUNT, "loss.discount_cents", "l_discount_cents", TS_FT_CENTS, 0, TS_FF_PATCH,  \
    NULL)                                                                                 \
  X(L_REPAIR, "loss.repair_cents", "l_repair_cents", TS_FT_CENTS, 0, TS_FF_PATCH, NULL)  \
  X(L_GOODS, "loss.goods_cents", "l_goods_cents", TS_FT_CENTS, 0, TS_FF_PATCH, NULL)     \
  X(L_FREIGHT, "loss.freight_cents", "l_freight_cents", TS_FT_CENTS, 0, TS_FF_PATCH, NULL) \
  X(L_GIFT, "loss.gift_cents", "l_gift_cents", TS_FT_CENTS, 0, TS_FF_PATCH, NULL)        \
  X(L_OTHER, "loss.other_cents", "l_other_cents", TS_FT_CENTS, 0, TS_FF_PATCH, NULL)     \
  X(L_ATTRIBUTED_TO, "loss.attributed_to", "l_attributed_to", TS_FT_ENUM, 0, TS_FF_PATCH, \
    ts_enum_responsibility)

#define TS_X_ENUM(id, json, col, type, max, flags, vals) TS_CF_##id,
enum { TS_CASE_FIELDS(TS_X_ENUM) TS_CF__COUNT };
#undef TS_X_ENUM

/* Fixed value lists (NULL-terminated). Configurable lists (channels, categories) live in
 * the store instead. */
extern const char *const ts_enum_status[];
extern const char *const ts_enum_grade[];
extern const char *const ts_enum_validity[];
extern const char *const ts_enum_nature[];
extern const char *const ts_enum_contact_pref[];
extern const char *const ts_enum_demand[];
extern const char *const ts_enum_responsibility[];
extern const char *const ts_enum_kind_outlet[];
extern const char *const ts_enum_kind_department[];
extern const char *const ts_enum_unit_kind[];
extern const char *const ts_enum_invalid_reason[];
extern const char *const ts_enum_contact_method[];
extern const char *const ts_enum_root_cause[];
extern const char *const ts_enum_psychology[];

/* 1 if v is in the NULL-terminated list vals. */
int ts_enum_has(const char *const *vals, const char *v);

typedef struct {
  const char *json;   /* dotted path in the API's case object */
  const char *column; /* column in the store's cases table */
  ts_ftype type;
  long long max; /* characters for text, items for lists, upper bound for integers */
  unsigned flags;
  const char *const *vals;
} ts_field;

extern const ts_field ts_case_fields[TS_CF__COUNT];

/* A field's value: set = 0 absent, 1 a value, 2 explicitly null (a PATCH clearing it).
 * Text-like types use s (owned), numbers, booleans, times and units use i. */
typedef struct {
  int set;
  int64_t i;
  char *s;
} ts_val;

typedef struct {
  int64_t id; /* store row id, 0 before insert */
  ts_val v[TS_CF__COUNT];
  char *outlet_path; /* materialised unit paths, filled by the store for permission checks */
  char *dept_path;
} ts_case;

ts_case *ts_case_new(void);
void ts_case_free(ts_case *c);
/* A deep copy, or NULL when out of memory. */
ts_case *ts_case_dup(const ts_case *c);

int ts_case_set_text(ts_case *c, int f, const char *s); /* s copied; NULL clears */
void ts_case_set_int(ts_case *c, int f, int64_t i);
void ts_case_clear(ts_case *c, int f);
/* Text value or NULL. */
const char *ts_case_text(const ts_case *c, int f);
/* Integer value or 0. */
int64_t ts_case_int(const ts_case *c, int f);
int ts_case_has(const ts_case *c, int f);

/* Index of the field with this JSON path, or -1. */
int ts_case_field_find(const char *json_path);

/* Answers about configured data, asked while validating. Each returns TS_OK when the
 * thing exists (and fills the out values), TS_ERR_NOT_FOUND when it does not. */
typedef struct {
  void *ctx;
  int (*channel)(void *ctx, const char *code, int *external);
  int (*category)(void *ctx, const char *code);
  int (*unit_kind)(void *ctx, int64_t id, char *kind, size_t kindsz);
  int (*user)(void *ctx, const char *username);
  int (*stage)(void *ctx, const char *code);
} ts_case_lookup;

/* Reads the JSON object `in` into c: every key must be a field (nested objects
 * complainant/subject/flags/loss), allowed by `allow` (TS_FF_IN or TS_FF_PATCH), and of
 * the right type and range. Problems are added to `errors` as {"path": "message"};
 * returns TS_ERR_INVALID if there were any (c may then be partly written), else TS_OK.
 * In PATCH mode (allow == TS_FF_PATCH) a null value clears the field. */
int ts_case_apply_json(ts_case *c, json_t *in, unsigned allow, const ts_case_lookup *lk,
                       json_t *errors);

/* Adds an error for every required field that is missing. TS_ERR_INVALID if any. */
int ts_case_check_required(const ts_case *c, json_t *errors);

/* Copies every field that is set in patch into c (set = 2 clears it). */
int ts_case_merge(ts_case *c, const ts_case *patch);

/* One field's value as JSON (null when absent). */
json_t *ts_case_field_json(const ts_case *c, int f);

/* {"path": [before, after], ...} for every field that differs; an empty object if none.
 * old may be NULL (a new case: every set field appears with before = null). */
json_t *ts_case_diff(const ts_case *old, const ts_case *c);

/* The API's case object (nested), with derived fields (loss.total_cents). */
json_t *ts_case_to_json(const ts_case *c);

/* The sum of the loss components, exact in integer cents. */
int64_t ts_case_loss_total(const ts_case *c);

#endif
