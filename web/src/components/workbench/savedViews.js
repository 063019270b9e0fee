// Saved views of the workbench (my views): a name and the workbench's query (queue,
// filters, sort, page size), kept in this browser's localStorage under
// "tousu.views.<username>" — the API has no place for them.

export const VIEW_KEYS = ['queue', 'sort', 'q', 'status', 'grade', 'category', 'channel', 'outlet', 'dept', 'owner', 'handler', 'overdue', 'from', 'to', 'per_page'];
export const MAX_VIEWS = 30;

const storageKey = (username) => `tousu.views.${username}`;

/* The part of a route query a view keeps (strings only, no page), in a fixed key order. */
export function viewQuery(query) {
  const out = {};
  for (const k of VIEW_KEYS) if (typeof query[k] === 'string' && query[k] !== '') out[k] = query[k];
  return out;
}

export function sameQuery(a, b) {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export function loadViews(username) {
  if (!username) return [];
  try {
    const list = JSON.parse(localStorage.getItem(storageKey(username)) ?? '[]');
    if (!Array.isArray(list)) return [];
    return list
      .filter((v) => v && typeof v.id === 'string' && typeof v.name === 'string' && v.query && typeof v.query === 'object')
      .map((v) => ({ id: v.id, name: v.name, query: viewQuery(v.query) }));
  } catch {
    return [];
  }
}

/* Writes the list; false when the browser refused (storage full or off). */
export function storeViews(username, list) {
  try {
    localStorage.setItem(storageKey(username), JSON.stringify(list));
    return true;
  } catch {
    return false;
  }
}

export function newViewId() {
  return `v${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}
