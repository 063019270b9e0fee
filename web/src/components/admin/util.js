// Helpers shared by the administration screens: whole lists, the API's 422/409 answers at
// their form fields, money typed in yuan, the organisation tree, one-line text checks.
import { nextTick, onMounted, reactive, ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { api } from '../../api.js';

/* Every item of a paged list (per_page 500, at most 20 pages). */
export async function fetchAll(path) {
  const items = [];
  for (let page = 1; page <= 20; page++) {
    const r = await api.get(path, { page, per_page: 500 });
    items.push(...r.items);
    if (items.length >= r.total || r.items.length === 0) break;
  }
  return items;
}

// ---- text as the server checks it ----------------------------------------------------------

// control characters: refused in one-line fields; multi-line fields allow \n \r \t
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_ML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/* Characters (code points), as the server counts lengths. */
export function chars(s) {
  return [...(s ?? '')].length;
}

export function bytes(s) {
  return new TextEncoder().encode(s ?? '').length;
}

export function hasControl(s, multiline = false) {
  return (multiline ? CONTROL_ML : CONTROL).test(s ?? '');
}

/* An el-form rule: required one-line text of at most max characters (or bytes). */
export function textRule(t, { required = true, max, maxBytes, multiline = false } = {}) {
  return {
    required, // the asterisk; the check is the validator's
    trigger: 'blur',
    validator: (_rule, value, cb) => {
      const v = value ?? '';
      if (!v) return required ? cb(new Error(t('admin.v.required'))) : cb();
      if (hasControl(v, multiline)) return cb(new Error(t(multiline ? 'admin.v.control' : 'admin.v.oneLine')));
      if (max && chars(v) > max) return cb(new Error(t('admin.v.maxChars', { n: max })));
      if (maxBytes && bytes(v) > maxBytes) return cb(new Error(t('admin.v.maxBytes', { n: maxBytes })));
      return cb();
    },
  };
}

/* An el-form rule: matches re (when given, or when required). */
export function patternRule(t, re, key, { required = true } = {}) {
  return {
    required,
    trigger: 'blur',
    validator: (_rule, value, cb) => {
      const v = value ?? '';
      if (!v) return required ? cb(new Error(t('admin.v.required'))) : cb();
      return re.test(v) ? cb() : cb(new Error(t(key)));
    },
  };
}

/* An el-form rule: a whole number lo…hi (an empty value only when not required). */
export function intRule(t, lo, hi, { required = true } = {}) {
  return {
    required,
    trigger: 'blur',
    validator: (_rule, value, cb) => {
      if (value === null || value === undefined || value === '') return required ? cb(new Error(t('admin.v.required'))) : cb();
      const n = Number(value);
      if (!Number.isInteger(n) || n < lo || n > hi) return cb(new Error(t('admin.v.intRange', { lo, hi })));
      return cb();
    },
  };
}

// ---- money: yuan typed, integer cents sent -----------------------------------------------

export const CENTS_MAX = 10000000000000; // 10^13, the API's ceiling

/* "1,234.5" → 123450 cents; null when it is not an amount of at most two decimals. Exact:
 * the digits are read as a string, never multiplied as a float. */
export function parseYuan(text) {
  const s = String(text ?? '').trim().replace(/[,，\s]/g, '').replace(/^[¥￥]/, '');
  const m = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return null;
  const cents = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(cents) && cents <= CENTS_MAX ? cents : null;
}

/* 123450 → "1234.50" (for an input field; exact integer arithmetic). */
export function yuanInput(cents) {
  if (cents === null || cents === undefined) return '';
  const c = Math.trunc(cents);
  return `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

export function yuanRule(t, { required = true } = {}) {
  return {
    required,
    trigger: 'blur',
    validator: (_rule, value, cb) => {
      if (value === null || value === undefined || String(value).trim() === '') return required ? cb(new Error(t('admin.v.required'))) : cb();
      return parseYuan(value) === null ? cb(new Error(t('admin.v.yuan'))) : cb();
    },
  };
}

// ---- the organisation tree ----------------------------------------------------------------

/* The units as a tree (children by parent), each node {id, name, code, kind, children}. */
export function unitTree(units) {
  const byId = new Map(units.map((u) => [u.id, { ...u, children: [] }]));
  const roots = [];
  for (const n of byId.values()) {
    const p = n.parent ? byId.get(n.parent) : null;
    if (p) p.children.push(n);
    else roots.push(n);
  }
  const order = { company: 0, region: 1, outlet: 2, department: 3 };
  const sort = (list) => {
    list.sort((a, b) => order[a.kind] - order[b.kind] || (a.code ?? '').localeCompare(b.code ?? '') || a.id - b.id);
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

export function unitLabel(u) {
  if (!u) return '';
  return u.code ? `${u.name} (${u.code})` : u.name;
}

// ---- the API's refusals at their fields ----------------------------------------------------

/* A form's server errors: errs[field] is shown by <el-form-item :error>; general holds what
 * belongs to no shown field (a 409, a 5xx, a detail of another member). */
export function useServerErrors() {
  const { t, te } = useI18n();
  const errs = reactive({});
  const general = ref('');

  function clear() {
    for (const k of Object.keys(errs)) delete errs[k];
    general.value = '';
  }

  /* e: an ApiError; fields: the form's fields — a list (a detail's name is the field) or
   * {detailName: formField}; hints: {formField: i18n key}, the translated rule shown instead
   * of the server's (English) words; conflict: {field, key} for a 409. */
  function apply(e, { fields = [], hints = {}, conflict } = {}) {
    clear();
    const map = Array.isArray(fields) ? Object.fromEntries(fields.map((f) => [f, f])) : fields;
    if (e?.status === 422 && e.details && Object.keys(e.details).length) {
      const other = [];
      for (const [name, message] of Object.entries(e.details)) {
        const field = map[name] ?? null;
        const key = hints[field ?? name];
        // the rule in the language shown; the server's own (English) words only when there is none
        const text = key && te(key) ? t(key) : t('admin.err.server', { message });
        if (field) errs[field] = errs[field] ? `${errs[field]}; ${text}` : text;
        else other.push(`${name}: ${message}`);
      }
      general.value = other.length ? t('admin.err.invalidOther', { list: other.join('; ') }) : t('admin.err.invalid');
      return;
    }
    if (e?.status === 409 && conflict) {
      if (conflict.field) errs[conflict.field] = t(conflict.key);
      general.value = t(conflict.key);
      return;
    }
    general.value = describe(t, e);
  }

  return { errs, general, clear, apply };
}

/* A screen's data: load() runs fetch (which stores what it fetched) with loading shown and a
 * failure in loadError; loaded on mount unless mount is false. latest: only the last of
 * overlapping loads counts (fetch(current) stores nothing once current() is false). */
export function useLoad(fetch, { mount = true, latest = false } = {}) {
  const { t } = useI18n();
  const loading = ref(false);
  const loadError = ref('');
  let seq = 0;
  async function load() {
    const mine = ++seq;
    const current = () => !latest || mine === seq;
    loading.value = true;
    loadError.value = '';
    try {
      await fetch(current);
    } catch (e) {
      if (current()) loadError.value = describe(t, e);
    } finally {
      if (current()) loading.value = false;
    }
  }
  if (mount) onMounted(load);
  return { loading, loadError, load };
}

/* An edit dialog: dialog {open, saving, …state}, its el-form (formRef) and the server's errors.
 * show(state) opens it clean; valid() clears the server's errors and runs the form's rules;
 * send(call, errors) runs call with saving shown and puts a refusal at the fields
 * (server.apply(e, errors), errors an object or a function giving one); save = valid, send. */
export function useEditDialog(state = {}) {
  const dialog = reactive({ open: false, saving: false, ...state });
  const formRef = ref();
  const server = useServerErrors();

  function show(next = {}) {
    Object.assign(dialog, { open: true, ...next });
    server.clear();
    nextTick(() => formRef.value?.clearValidate());
  }

  async function valid() {
    server.clear();
    try {
      await formRef.value.validate();
      return true;
    } catch {
      return false; // the page's own checks are shown at the fields
    }
  }

  async function send(call, errors) {
    dialog.saving = true;
    try {
      await call();
    } catch (e) {
      server.apply(e, typeof errors === 'function' ? errors() : errors);
    } finally {
      dialog.saving = false;
    }
  }

  async function save(call, errors) {
    if (await valid()) await send(call, errors);
  }

  return { dialog, formRef, server, show, valid, send, save };
}

/* One sentence for a failed call. */
export function describe(t, e) {
  if (!e) return '';
  if (e.status === 0) return t('error.network');
  if (e.status === 403) return t('admin.err.forbidden');
  if (e.status === 404) return t('admin.err.notFound');
  if (e.status === 409) return t('admin.err.conflict', { message: e.message });
  if (e.status === 422) return t('admin.err.server', { message: Object.entries(e.details ?? {}).map(([k, v]) => `${k}: ${v}`).join('; ') || e.message });
  return t('error.server', { status: e.status });
}

// ---- time ---------------------------------------------------------------------------------

/* The offset of zone at a local wall time "YYYY-MM-DDTHH:MM" as "+08:00". */
export function zoneOffset(zone, local) {
  try {
    const [d, tm] = local.split('T');
    const [y, mo, da] = d.split('-').map(Number);
    const [h, mi] = (tm ?? '00:00').split(':').map(Number);
    const guess = new Date(Date.UTC(y, mo - 1, da, h, mi));
    const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(guess)
      .find((p) => p.type === 'timeZoneName')?.value;
    const m = /GMT([+-]\d{2}:\d{2})?/.exec(part ?? '');
    return m ? m[1] ?? '+00:00' : '+08:00';
  } catch {
    return '+08:00';
  }
}

export const ROLES = ['agent', 'handler', 'supervisor', 'dept_manager', 'general_manager', 'reviewer', 'auditor', 'admin'];
export const FLAGS = ['injury', 'fire', 'accident', 'property_damage', 'safety_related', 'media_exposure', 'media_threat', 'regulator_threat', 'lawsuit_threat', 'lawsuit_filed', 'regulator_investigation', 'unauthorised_promise', 'rework', 'frequent_failure'];

/* An e-mail address as the server accepts it: 5–254 bytes, one "@" not first, a "." after it
 * (not right after the "@", not last), no space or control character. */
export function emailOk(s) {
  const n = bytes(s);
  const at = s.indexOf('@');
  if (n < 5 || n > 254 || at <= 0 || s.indexOf('@', at + 1) >= 0) return false;
  const dot = s.lastIndexOf('.');
  if (dot <= at + 1 || dot === s.length - 1) return false;
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0020\u007f]/.test(s);
}
