// The intake form's rules, kept apart from the screen so that the tests can run them in node:
// the case fields of POST /api/v1/cases (CaseInput), the server's own format checks
// (src/core/text.c: ts_phone_ok, ts_email_ok), yuan typed by a person → exact integer cents,
// and the request bodies of POST /api/v1/cases and POST /api/v1/intake/related.

/* The flags of a case (API.md, CaseInput.flags), in the groups the form shows. */
export const FLAG_GROUPS = [
  ['injury', 'fire', 'accident', 'property_damage', 'safety_related'],
  ['media_exposure', 'media_threat', 'regulator_threat', 'lawsuit_threat', 'lawsuit_filed', 'regulator_investigation'],
  ['unauthorised_promise', 'rework', 'frequent_failure'],
];
export const FLAGS = FLAG_GROUPS.flat();

export const DEMANDS = ['refund', 'return', 'exchange', 'repair', 'discount', 'compensation', 'apology', 'explanation', 'other'];
export const CONTACT_PREFS = ['phone', 'sms', 'email', 'wechat', 'letter', 'any'];

/* The text fields of the form, with the server's length limits (characters). */
export const COMPLAINANT_TEXT = { phone: 32, name: 100, customer_id: 64, email: 254, address: 300 };
export const SUBJECT_TEXT = { product: 200, batch: 64, order_no: 64, plate: 32, vin: 32, outlet: 200, employee: 100 };

/* Roles that may see (and register at) every outlet (the register description in openapi). */
export const SEE_ALL_ROLES = ['admin', 'auditor', 'reviewer', 'general_manager'];
/* Roles that may register at all (x-roles of POST /api/v1/cases). */
export const REGISTER_ROLES = ['agent', 'handler', 'supervisor', 'dept_manager', 'general_manager', 'reviewer', 'admin'];

/* The server allows received_at up to 5 minutes ahead (clock skew). */
export const FUTURE_SLACK_MS = 5 * 60 * 1000;

export const MAX_CENTS = 10_000_000_000_000;

/* Types POST /cases/{no}/evidence accepts (its declared Content-Type). */
export const EVIDENCE_TYPES = [
  'image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic',
  'audio/mpeg', 'audio/wav', 'audio/x-wav', 'audio/amr', 'audio/mp4', 'audio/aac', 'audio/ogg',
  'video/mp4', 'application/pdf', 'text/plain', 'application/msword', 'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'message/rfc822',
];
/* The server's default max_upload (the whole multipart body). */
export const MAX_UPLOAD = 32 * 1024 * 1024;
/* By extension, for files the browser gives no type or another name of an accepted one. */
const BY_EXTENSION = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp',
  heic: 'image/heic', mp3: 'audio/mpeg', wav: 'audio/wav', amr: 'audio/amr', m4a: 'audio/mp4',
  aac: 'audio/aac', ogg: 'audio/ogg', oga: 'audio/ogg', mp4: 'video/mp4', pdf: 'application/pdf',
  txt: 'text/plain', doc: 'application/msword', xls: 'application/vnd.ms-excel',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', eml: 'message/rfc822',
};
export const EVIDENCE_ACCEPT = [...Object.keys(BY_EXTENSION).map((e) => `.${e}`), ...EVIDENCE_TYPES].join(',');

/* The type to declare for a file, or null when the server would refuse it. */
export function evidenceType(name, type) {
  const t = (type || '').toLowerCase().split(';')[0].trim();
  if (EVIDENCE_TYPES.includes(t)) return t;
  const ext = /\.([A-Za-z0-9]+)$/.exec(name || '')?.[1]?.toLowerCase();
  return (ext && BY_EXTENSION[ext]) || null;
}

/* The server's phone check: 3–32 bytes of digits, spaces, + - ( ), at least 3 digits. */
export function phoneOk(s) {
  if (typeof s !== 'string' || s.length < 3 || s.length > 32) return false;
  if (!/^[0-9 +()-]+$/.test(s)) return false;
  return (s.match(/[0-9]/g) ?? []).length >= 3;
}

/* The server's e-mail check (ts_email_ok). */
export function emailOk(s) {
  if (typeof s !== 'string') return false;
  const n = new TextEncoder().encode(s).length;
  const at = s.indexOf('@');
  if (n < 5 || n > 254 || at <= 0 || s.indexOf('@', at + 1) !== -1) return false;
  const dot = s.lastIndexOf('.');
  if (dot < at + 2 || dot === s.length - 1) return false;
  return !/[\u0000-\u0020\u007f]/.test(s);
}

/* Single-line text the server accepts: no control characters (tabs and new lines too). */
export function cleanLine(s) {
  return !/[\u0000-\u001f\u007f]/.test(s);
}

/* Half-width digits and punctuation for what a Chinese input method may type full-width. */
function halfWidth(s) {
  return s.replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\uff0e|\u3002/g, '.');
}

/* Yuan as typed ("1234.56", "1,234.5", "¥ 80", full-width digits) → integer cents, exactly
 * (the digits are read as a decimal string, never multiplied as a float).
 * {cents: null} when empty, {cents: n} when valid, {error: 'format' | 'range'} otherwise. */
export function yuanToCents(input) {
  const s = halfWidth(String(input ?? ''))
    .replace(/[\s,\uff0c]/g, '')
    .replace(/^[\u00a5\uffe5]/, '');
  if (s === '') return { cents: null };
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return { error: 'format' };
  const whole = m[1].replace(/^0+(?=\d)/, '');
  if (whole.length > 12) return { error: 'range' };
  const cents = Number(whole) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (cents > MAX_CENTS) return { error: 'range' };
  return { cents };
}

const pad = (n) => String(n).padStart(2, '0');

/* A Date as RFC 3339 in the browser's own offset (2026-11-22T09:30:00+08:00). */
export function rfc3339(d) {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/* The empty form; channel and outlet are what the next complaint keeps. */
export function blankForm({ channel = 'phone', outlet = null } = {}) {
  return {
    complainant: { phone: '', name: '', customer_id: '', email: '', vip: false, vvip: false, address: '', contact_pref: null },
    subject: Object.fromEntries(Object.keys(SUBJECT_TEXT).map((k) => [k, ''])),
    channel,
    category: null,
    title: '',
    description: '',
    demands: [],
    demand_detail: '',
    claimed: '',
    received_at: null, // a Date, or null: the time of saving
    outlet,
    flags: Object.fromEntries(FLAGS.map((f) => [f, false])),
  };
}

const trim = (s) => (typeof s === 'string' ? s.trim() : '');

/* The body of POST /api/v1/cases: empty texts left out (the server refuses ""), every flag
 * sent, amounts in cents. Call after check(): claimed must parse. */
export function caseBody(form) {
  const b = { channel: form.channel };
  const complainant = { name: trim(form.complainant.name) };
  for (const k of ['phone', 'email', 'customer_id', 'address']) if (trim(form.complainant[k])) complainant[k] = trim(form.complainant[k]);
  complainant.vip = !!form.complainant.vip;
  complainant.vvip = !!form.complainant.vvip;
  if (form.complainant.contact_pref) complainant.contact_pref = form.complainant.contact_pref;
  b.complainant = complainant;
  const subject = {};
  for (const k of Object.keys(SUBJECT_TEXT)) if (trim(form.subject[k])) subject[k] = trim(form.subject[k]);
  if (Object.keys(subject).length) b.subject = subject;
  if (form.category) b.category = form.category;
  if (trim(form.title)) b.title = trim(form.title);
  b.description = trim(form.description);
  if (form.demands.length) b.demands = [...form.demands];
  if (trim(form.demand_detail)) b.demand_detail = trim(form.demand_detail);
  const claimed = yuanToCents(form.claimed);
  if (claimed.cents !== null && claimed.cents !== undefined) b.claimed_cents = claimed.cents;
  b.flags = Object.fromEntries(FLAGS.map((f) => [f, !!form.flags[f]]));
  if (form.outlet) b.outlet = form.outlet;
  if (form.received_at instanceof Date) b.received_at = rfc3339(form.received_at);
  return b;
}

/* What the page checks before sending (the server's required fields, the amount it cannot
 * read otherwise, a time ahead of the clock); formats (phone, e-mail …) the server checks
 * and its answer is shown at the field. → {path: code}. */
export function check(form, { outletRequired = false, now = Date.now() } = {}) {
  const e = {};
  if (!trim(form.complainant.name)) e['complainant.name'] = 'required';
  if (!form.channel) e.channel = 'required';
  if (!trim(form.description)) e.description = 'required';
  if (outletRequired && !form.outlet) e.outlet = 'outletRequired';
  const claimed = yuanToCents(form.claimed);
  if (claimed.error) e.claimed_cents = claimed.error === 'range' ? 'amountRange' : 'amountFormat';
  if (form.received_at instanceof Date && form.received_at.getTime() > now + FUTURE_SLACK_MS) e.received_at = 'future';
  return e;
}

/* The draft POST /api/v1/intake/related is sent: only values the server would accept (it
 * answers 422 to a half-typed phone), so a lookup never fails while the agent types.
 * null when there is nothing to look up by. */
export function relatedDraft(form) {
  const d = {};
  const c = {};
  const phone = trim(form.complainant.phone);
  if (phone && phoneOk(phone)) c.phone = phone;
  const id = trim(form.complainant.customer_id);
  if (id && id.length <= 64 && cleanLine(id)) c.customer_id = id;
  const name = trim(form.complainant.name);
  if (name && name.length <= 100 && cleanLine(name)) c.name = name;
  if (Object.keys(c).length) d.complainant = c;
  const s = {};
  for (const [k, max] of Object.entries(SUBJECT_TEXT)) {
    const v = trim(form.subject[k]);
    if (v && v.length <= max && cleanLine(v)) s[k] = v;
  }
  if (Object.keys(s).length) d.subject = s;
  const title = trim(form.title);
  if (title && title.length <= 200 && cleanLine(title)) d.title = title;
  const desc = trim(form.description);
  if (desc && desc.length <= 20000) d.description = desc;
  if (form.demands.length) d.demands = [...form.demands];
  // what the lookups need besides: nothing to look by → no call
  const lookable = d.complainant?.phone || d.complainant?.customer_id || d.subject || d.title || d.description || (d.complainant?.name && form.outlet);
  if (!lookable) return null;
  if (form.outlet) d.outlet = form.outlet;
  if (form.channel) d.channel = form.channel;
  if (form.category) d.category = form.category;
  return d;
}

/* The categories in tree order (parents before children), each with its depth and the
 * names of its path, for a flat picker that searches the whole tree. */
export function categoryTree(items) {
  const byParent = new Map();
  const codes = new Set(items.map((c) => c.code));
  for (const c of items) {
    const p = c.parent && codes.has(c.parent) ? c.parent : null;
    if (!byParent.has(p)) byParent.set(p, []);
    byParent.get(p).push(c);
  }
  const out = [];
  const seen = new Set();
  const walk = (parent, depth, path) => {
    for (const c of byParent.get(parent) ?? []) {
      if (seen.has(c.code)) continue;
      seen.add(c.code);
      const p = [...path, c];
      out.push({ ...c, depth, path: p });
      walk(c.code, depth + 1, p);
    }
  };
  walk(null, 0, []);
  return out;
}

/* The outlets a user may register at: every outlet for the roles that see everything, else
 * those at or under the user's own unit. */
export function allowedOutlets(units, user) {
  const outlets = units.filter((u) => u.kind === 'outlet');
  if (!user) return [];
  if ((user.roles ?? []).some((r) => SEE_ALL_ROLES.includes(r))) return outlets;
  const mine = units.find((u) => u.id === user.unit);
  if (!mine) return [];
  return outlets.filter((u) => u.path.startsWith(mine.path));
}
