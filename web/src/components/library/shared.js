// What the library screens share: who may do what (the API's x-roles), the service stages'
// names (read once), and the search snippet's HTML turned into plain pieces.
import { api } from '../../api.js';

/* May write up a case, edit a write-up and publish it. */
export const WRITE_ROLES = ['supervisor', 'dept_manager', 'general_manager', 'reviewer'];
/* Sees drafts as well as published write-ups. */
export const DRAFT_ROLES = ['reviewer', 'supervisor', 'dept_manager', 'general_manager', 'admin', 'auditor'];

export const hasRole = (user, list) => (user?.roles ?? []).some((r) => list.includes(r));

export const SECTIONS = ['scenario', 'analysis', 'correct_practice', 'solution'];

let stagesP = null;
export function serviceStages() {
  if (!stagesP) {
    stagesP = api.get('/config/service-stages', { per_page: 500 }).then(
      (r) => r.items,
      (e) => {
        stagesP = null;
        throw e;
      },
    );
  }
  return stagesP;
}

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&apos;': "'" };
const unescape = (s) => s.replace(/&(amp|lt|gt|quot|apos|#39|#x27);/g, (m) => ENTITIES[m] ?? m);

/* The API's snippet (escaped text, matches in <mark>…</mark>) as [{text, mark}], so the page
 * shows it without ever parsing HTML from the server. */
export function snippetParts(html) {
  const out = [];
  const re = /<mark>([\s\S]*?)<\/mark>/g;
  let last = 0;
  for (const m of html.matchAll(re)) {
    if (m.index > last) out.push({ text: unescape(html.slice(last, m.index).replace(/<[^>]*>/g, '')), mark: false });
    out.push({ text: unescape(m[1].replace(/<[^>]*>/g, '')), mark: true });
    last = m.index + m[0].length;
  }
  if (last < html.length) out.push({ text: unescape(html.slice(last).replace(/<[^>]*>/g, '')), mark: false });
  return out.filter((p) => p.text);
}

/* The first characters of a text, on one line. */
export function excerpt(text, n = 110) {
  const s = (text ?? '').replace(/\s+/g, ' ').trim();
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
