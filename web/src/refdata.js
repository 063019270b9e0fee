// Configured lists the screens name things with (channels, categories, units, clocks), read
// once per session from the API. Each item has name_zh/name_en (units have one name).
import { api } from './api.js';

const cache = new Map();

function once(key, load) {
  if (!cache.has(key)) {
    const p = load().catch((e) => {
      cache.delete(key); // try again next time
      throw e;
    });
    cache.set(key, p);
  }
  return cache.get(key);
}

async function all(path) {
  const items = [];
  for (let page = 1; page <= 20; page++) {
    const r = await api.get(path, { page, per_page: 500 });
    items.push(...r.items);
    if (items.length >= r.total || r.items.length === 0) break;
  }
  return items;
}

export const channels = () => once('channels', () => all('/config/channels'));
export const categories = () => once('categories', () => all('/config/categories'));
export const units = () => once('units', () => all('/org/units'));
export const clocks = () => once('clocks', () => all('/config/clocks'));

export function clearRefdata() {
  cache.clear();
}

/* The name of a configured item in the language shown (zh-CN or en). */
export function nameOf(item, locale) {
  if (!item) return '';
  if (item.name) return item.name;
  return (locale === 'en' ? item.name_en : item.name_zh) ?? item.code ?? '';
}
