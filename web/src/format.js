// Display of times, money and numbers. Times come from the API in the organisation's zone
// (e.g. 2026-11-22T09:30:00+08:00) and are shown as that wall-clock time, whatever the
// browser's zone.

export function dateTime(s) {
  if (!s) return '—';
  return s.slice(0, 16).replace('T', ' ');
}

export function yuan(cents, locale) {
  if (cents === null || cents === undefined) return '—';
  return new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'zh-CN', {
    style: 'currency',
    currency: 'CNY',
    currencyDisplay: 'narrowSymbol', // ¥, not CN¥
  }).format(cents / 100);
}

export function number(n, locale, digits = 0) {
  if (n === null || n === undefined) return '—';
  return new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'zh-CN', {
    maximumFractionDigits: digits,
  }).format(n);
}

export function pct(n, locale) {
  if (n === null || n === undefined) return '—';
  return `${number(n, locale, 1)}%`;
}

/* "YYYY-MM" of the month before the current one (the browser's calendar). */
export function lastMonth(now = new Date()) {
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}
