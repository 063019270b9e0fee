// A file's size as people read it: bytes, KB, MB (1024-based, one decimal).
export function fileSize(n, locale) {
  const fmt = (v, d) => new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'zh-CN', { maximumFractionDigits: d }).format(v);
  if (n < 1024) return `${fmt(n, 0)} B`;
  if (n < 1024 * 1024) return `${fmt(n / 1024, 1)} KB`;
  return `${fmt(n / (1024 * 1024), 1)} MB`;
}
