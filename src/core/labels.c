#include "core/labels.h"

#include <string.h>

typedef struct {
  const char *code, *zh, *en;
} label;

static const label status[] = {
  {"received", "已登记", "Received"},        {"accepted", "已受理", "Accepted"},
  {"investigating", "调查处理中", "Investigating"}, {"proposed", "方案待审批", "Proposed"},
  {"approved", "方案已批准", "Approved"},    {"resolved", "已解决待回访", "Resolved"},
  {"closed", "已结案", "Closed"},            {"rejected", "不成立", "Rejected"},
  {"pending", "未了事宜", "Pending"},        {"withdrawn", "已撤诉", "Withdrawn"},
  {NULL, NULL, NULL}};
static const label grade[] = {{"g1", "一般（黄）", "G1 minor (yellow)"},
                              {"g2", "较重（橙）", "G2 serious (orange)"},
                              {"g3", "严重（红）", "G3 severe (red)"},
                              {"g4", "重大", "G4 critical"},
                              {NULL, NULL, NULL}};
static const label validity[] = {{"valid", "成立", "Valid"},
                                 {"partly_valid", "部分成立", "Partly valid"},
                                 {"invalid", "不成立", "Invalid"},
                                 {NULL, NULL, NULL}};
static const label nature[] = {{"complaint", "有效投诉", "Complaint"},
                               {"request", "需求（咨询、求助、发泄）", "Request"},
                               {"abnormal", "非正常投诉", "Abnormal complaint"},
                               {NULL, NULL, NULL}};
static const label root_cause[] = {
  {"people_attitude", "人员（服务态度）", "People: attitude"},
  {"people_standards", "人员（服务规范）", "People: standards"},
  {"people_skill", "人员（业务技能）", "People: skill"},
  {"machine", "设备/产品（机）", "Machine / product"},
  {"material", "物料（料）", "Material"},
  {"method", "流程与制度（法）", "Method / process"},
  {"environment", "环境（环）", "Environment"},
  {"supplier", "供应商", "Supplier"},
  {"logistics", "物流", "Logistics"},
  {"customer", "客户自身", "Customer"},
  {NULL, NULL, NULL}};
static const label responsibility[] = {
  {"ours", "我方", "Ours"},
  {"supplier", "供应商", "Supplier"},
  {"logistics", "物流合作方", "Logistics partner"},
  {"customer_ours", "客户（我方承担损失）", "Customer (we bear the loss)"},
  {"customer", "客户（客户自担）", "Customer (customer bears it)"},
  {"third_party", "第三方", "Third party"},
  {NULL, NULL, NULL}};
static const label penalty[] = {{"notice", "通报", "Notice"},
                                {"fine", "罚款", "Fine"},
                                {"performance_pay", "扣减绩效", "Performance pay deduction"},
                                {"hr_review", "人事评议", "HR review"},
                                {NULL, NULL, NULL}};
static const label penalty_status[] = {{"proposed", "待批准", "Awaiting approval"},
                                       {"approved", "已批准", "Approved"},
                                       {"executed", "已执行", "Executed"},
                                       {"cancelled", "已撤销", "Cancelled"},
                                       {NULL, NULL, NULL}};
static const label loss[] = {
  {"compensation", "赔偿", "Compensation"}, {"refund", "退款", "Refunds"},
  {"discount", "折价", "Discounts"},        {"repair", "维修费用", "Repair cost"},
  {"goods", "退换/补发货值", "Goods replaced or re-shipped"},
  {"freight", "来回运费", "Freight both ways"},
  {"gift", "赠品与免费服务", "Gifts and free services"},
  {"other", "其他", "Other"},
  {NULL, NULL, NULL}};

static const label *const tables[TS_LBL__COUNT] = {status,  grade,          validity,
                                                   nature,  root_cause,     responsibility,
                                                   penalty, penalty_status, loss};

const char *ts_label(ts_label_kind kind, const char *code, int en) {
  if ((int)kind < 0 || kind >= TS_LBL__COUNT || !code)
    return NULL;
  for (const label *l = tables[kind]; l->code; l++)
    if (!strcmp(l->code, code))
      return en ? l->en : l->zh;
  return NULL;
}
