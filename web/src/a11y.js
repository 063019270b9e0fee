// Element Plus leaves a few of its own parts without an accessible name: its icons
// (decorative SVGs, which screen readers would announce as unnamed images) and the
// page-size select of a pagination. This fills them in as they appear, once per frame.
import { watch } from 'vue';
import { i18n } from './i18n/index.js';

function fix() {
  for (const svg of document.querySelectorAll('.el-icon > svg:not([aria-hidden]), .el-empty__image svg:not([aria-hidden])')) svg.setAttribute('aria-hidden', 'true');
  const label = i18n.global.t('a11y.pageSize');
  for (const el of document.querySelectorAll('.el-pagination__sizes [role=combobox]'))
    if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
}

export function installA11yFixes() {
  let queued = false;
  const later = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fix();
    });
  };
  new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
  watch(i18n.global.locale, later);
  later();
}
