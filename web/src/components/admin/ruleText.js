// A grading rule's condition as a sentence in the language shown (the kinds of
// GradingRuleKind in docs/openapi.yaml).
import { yuan } from '../../format.js';

export const RULE_KINDS = ['flag', 'external', 'vvip', 'loss_above', 'unusable_days_over', 'reopened', 'open_days_over', 'same_subject_customers', 'similar_cases', 'repeat_complainant', 'raised_times', 'depts_involved'];

/* the parameters each kind takes */
export const KIND_PARAMS = {
  flag: ['flag'],
  external: [],
  vvip: [],
  loss_above: ['cents'],
  unusable_days_over: ['days'],
  reopened: ['count'],
  open_days_over: ['days'],
  same_subject_customers: ['count', 'days'],
  similar_cases: ['count', 'days'],
  repeat_complainant: ['count', 'days'],
  raised_times: ['count'],
  depts_involved: ['count'],
};

export function conditionText(t, locale, kind, params = {}) {
  const p = params ?? {};
  const v = (x) => (x === undefined || x === null || x === '' ? '?' : x);
  switch (kind) {
    case 'flag':
      return t('admin.grading.cond.flag', { flag: p.flag ? t(`field.flags_${p.flag}`) : '?' });
    case 'loss_above':
      return t('admin.grading.cond.loss_above', { amount: p.cents === undefined || p.cents === null ? '?' : yuan(p.cents, locale) });
    case undefined:
    case null:
    case '':
      return '—';
    default:
      return t(`admin.grading.cond.${kind}`, { days: v(p.days), count: v(p.count) });
  }
}
