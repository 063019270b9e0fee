// What the case page's parts share: who may write what (the x-roles of docs/openapi.yaml),
// a clock that ticks once a second, times in the organisation's zone, money typed in yuan,
// and the API's errors in the language shown.
import { onBeforeUnmount, reactive, ref } from 'vue';

const WRITERS = ['agent', 'handler', 'supervisor', 'dept_manager', 'general_manager', 'admin'];

/* The roles each write of the page needs, as the API's routes declare them. */
export const ROLES = {
  note: [...WRITERS, 'reviewer'], // POST/DELETE /cases/{no}/notes
  evidence: [...WRITERS, 'reviewer'], // POST /cases/{no}/evidence
  contact: WRITERS, // POST /cases/{no}/contacts
  promise: WRITERS, // POST/PATCH /cases/{no}/promises
  improvement: WRITERS, // POST/PATCH /cases/{no}/improvements
  penaltyPropose: WRITERS, // POST /cases/{no}/penalties
  penaltyDecide: ['supervisor', 'dept_manager', 'general_manager'], // …/approve|execute|cancel
};

/* Whether the user's roles allow the write. */
export function may(user, what) {
  const roles = user?.roles ?? [];
  return roles.some((r) => ROLES[what].includes(r));
}

/* The current time (ms), one shared timer ticking every second while some part uses it. */
const now = ref(Date.now());
let users = 0;
let timer = null;
export function useNow() {
  users++;
  if (!timer) timer = setInterval(() => (now.value = Date.now()), 1000);
  onBeforeUnmount(() => {
    users--;
    if (users === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  });
  return now;
}

/* "+08:00" of an API time (the organisation's zone), "+08:00" when it has none. */
export function offsetOf(s) {
  const m = /([+-]\d{2}:\d{2}|Z)$/.exec(s ?? '');
  if (!m) return '+08:00';
  return m[1] === 'Z' ? '+00:00' : m[1];
}

function offsetMinutes(offset) {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/* The wall-clock time "YYYY-MM-DDTHH:mm:ss" at the instant ms in the zone of offset. */
export function wallTime(ms, offset) {
  const d = new Date(ms + offsetMinutes(offset) * 60000);
  return d.toISOString().slice(0, 19);
}

/* The instant (ms) of a wall-clock time "YYYY-MM-DDTHH:mm:ss" in the zone of offset. */
export function instantOf(wall, offset) {
  return Date.parse(`${wall}${offset}`);
}

/* Yuan as typed ("1234.5", "1,234.50", "¥80") → integer cents, exactly (no float
 * arithmetic); null when it is not an amount with at most two decimals. */
export function parseYuan(text) {
  const s = String(text ?? '')
    .trim()
    .replace(/^[¥￥]/, '')
    .replace(/,/g, '');
  const m = /^(\d{1,11})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/* A length of time in seconds as "2天 03:04:05" / "2d 03:04:05". */
export function span(seconds, t) {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return d ? t('casePage.clocks.days', { d, hms }) : hms;
}

/* A file size in B, KB, MB. */
export function bytes(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const FIELD_MESSAGES = {
  'is required': 'casePage.err.required',
  'must not be empty': 'casePage.err.required',
  'too long': 'casePage.err.tooLong',
  'must not contain control characters': 'casePage.err.control',
  'is not an active user': 'casePage.err.notActiveUser',
  'this type of file is not accepted': 'casePage.evidence.badType',
};

/* A 422 detail in the language shown: the known messages translated, others quoted. */
export function fieldMessage(message, t) {
  const key = FIELD_MESSAGES[String(message)];
  return key ? t(key) : t('casePage.err.invalid', { message: String(message) });
}

const CONFLICTS = {
  'a penalty is approved by someone other than who proposed it': 'casePage.err.penaltyOwn',
  'the penalty cannot take that step from its present status': 'casePage.err.penaltyStep',
  'the improvement action already has that status': 'casePage.err.sameStatus',
  'the promise is already settled': 'casePage.err.promiseSettled',
  'only its author or an administrator may delete a note': 'casePage.err.noteOwner',
};

/* An ApiError as one sentence for the form or list it happened in (403, 404, 409, 413 …). */
export function errorText(e, t) {
  const known = CONFLICTS[e?.message];
  if (known) return t(known);
  switch (e?.status) {
    case 0:
      return t('error.network');
    case 403:
      return t('casePage.err.forbidden');
    case 404:
      return t('casePage.err.notFound');
    case 409:
      return t('casePage.err.conflict');
    case 413:
      return t('casePage.err.tooLarge');
    case 422:
      return t('casePage.err.fix');
    default:
      return t('error.server', { status: e?.status ?? '?' });
  }
}

/* The 422 details of e for the fields a form shows ({field: message}); details for fields it
 * does not show are folded into the general message. Returns {fields, general}. */
export function serverErrors(e, t, shown) {
  const fields = {};
  const other = [];
  if (e?.status === 422) {
    for (const [k, v] of Object.entries(e.details ?? {})) {
      if (shown.includes(k)) fields[k] = fieldMessage(v, t);
      else other.push(`${k}: ${fieldMessage(v, t)}`);
    }
  }
  let general = '';
  if (e?.status !== 422 || other.length || !Object.keys(fields).length) general = errorText(e, t);
  if (other.length) general = `${general} ${other.join(t('common.clauseSep'))}`;
  return { fields, general };
}

/* A form of the page (in a dialog or inline): errs per field, the general error, saving, open.
 * start() opens it clean; ok() says whether the page's checks left no error; send(call) runs
 * call with saving shown, then closes the dialog and emits changed; a refusal goes onto the
 * fields it names (serverErrors), the rest into general. */
export function useItemForm(t, emit, fields) {
  const open = ref(false);
  const saving = ref(false);
  const general = ref('');
  const errs = reactive(Object.fromEntries(fields.map((k) => [k, ''])));

  function clear() {
    for (const k of fields) errs[k] = '';
    general.value = '';
  }
  function start() {
    clear();
    open.value = true;
  }
  const ok = () => fields.every((k) => !errs[k]);

  async function send(call) {
    saving.value = true;
    try {
      await call();
      open.value = false;
      emit('changed');
    } catch (e) {
      const r = serverErrors(e, t, fields);
      Object.assign(errs, r.fields);
      general.value = r.general;
    } finally {
      saving.value = false;
    }
  }

  return { open, saving, general, errs, clear, start, ok, send };
}

/* A step taken on one item of a list (settle, delete, move on): busy holds its key while it
 * runs; a refusal is failed {id, text}; emits changed after. */
export function useRowAction(t, emit) {
  const busy = ref('');
  const failed = reactive({ id: 0, text: '' });
  async function run(id, key, call) {
    failed.id = 0;
    failed.text = '';
    busy.value = key;
    try {
      await call();
      emit('changed');
    } catch (e) {
      failed.id = id;
      failed.text = errorText(e, t);
    } finally {
      busy.value = '';
    }
  }
  return { busy, failed, run };
}

/* Names of this page's own codes (contact methods, solution types, penalty kinds …): the key
 * casePage.<kind>.<code>, or the code itself when this build does not know it. */
export function useCaseLabel(t, te) {
  return (kind, code) => {
    if (code === null || code === undefined || code === '') return '—';
    const key = `casePage.${kind}.${code}`;
    return te(key) ? t(key) : String(code);
  };
}
