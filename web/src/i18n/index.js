// Languages: Chinese (zh-CN) by default, English switchable; the choice is kept in
// localStorage. Every string of the screens is a key of zh-CN.json and en.json, or of a
// screen's own pair parts/<screen>.zh-CN.json and parts/<screen>.en.json, each holding one
// top-level key of its own (the tests check that the two languages have the same keys, that
// no part redefines another's top-level key, and that every key the code uses exists).
import { createI18n } from 'vue-i18n';
import { computed } from 'vue';
import elZhCn from 'element-plus/es/locale/lang/zh-cn';
import elEn from 'element-plus/es/locale/lang/en';
import zhCN from './zh-CN.json';
import en from './en.json';

const parts = import.meta.glob('./parts/*.json', { eager: true, import: 'default' });

/* The core messages of a language with every part of it merged in (top-level keys). */
function messagesOf(lang, core) {
  const out = { ...core };
  for (const [file, msgs] of Object.entries(parts)) if (file.endsWith(`.${lang}.json`)) Object.assign(out, msgs);
  return out;
}

const LANG_KEY = 'tousu.lang';
export const LOCALES = ['zh-CN', 'en'];

function initialLocale() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (LOCALES.includes(saved)) return saved;
  } catch {
    /* storage may be off: the default */
  }
  return 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': messagesOf('zh-CN', zhCN), en: messagesOf('en', en) },
});

document.documentElement.lang = i18n.global.locale.value;

export function setLocale(locale) {
  if (!LOCALES.includes(locale)) return;
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(LANG_KEY, locale);
  } catch {
    /* kept for this page only */
  }
}

/* Element Plus's own strings (pagination, date pickers, empty tables) follow the language. */
export const elementLocale = computed(() => (i18n.global.locale.value === 'en' ? elEn : elZhCn));
