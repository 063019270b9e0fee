// The public customer portal (DOMAIN §7, §12; docs/portal.md): submit a complaint without a
// token and get its number and an access code; follow it in plain words; add evidence;
// answer the follow-up survey; rate limits per client address and per case; and nothing
// internal in what the customer sees.
//
// The limits count per client address. Every test speaks from its own loopback address
// (127.0.0.x, all of 127/8 is the loopback on Linux) so the tests do not share buckets.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import crypto from 'node:crypto';
import {
  startServer, assertError, assert422, unitsByCode, shanghaiYearMonth, assertCleanShutdown, listAll,
} from './lib.mjs';

let s, units, allUnits;
const tok = {};
const STAFF = ['admin', 'gm', 'agent.shpd', 'mgr.qa', 'handler.qa', 'sup.east'];
const CODE = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$/; // no 0/O, no 1/I

let lastIp = 10;
const nextIp = () => `127.0.0.${++lastIp}`;

/* HTTP from a chosen local address: {status, json, text, headers}. body is JSON-encoded,
 * rawBody sent as is, form (FormData) as multipart/form-data. */
async function papi(method, path, { body, rawBody, form, ip = '127.0.0.2', headers = {} } = {}) {
  const h = { ...headers };
  let payload;
  if (form !== undefined) {
    const res = new Response(form);
    payload = Buffer.from(await res.arrayBuffer());
    h['content-type'] = res.headers.get('content-type');
  } else if (rawBody !== undefined) {
    payload = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody);
    h['content-type'] ??= 'application/json';
  } else if (body !== undefined) {
    payload = Buffer.from(JSON.stringify(body));
    h['content-type'] = 'application/json';
  }
  if (payload) h['content-length'] = payload.length;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: s.port, path, method, headers: h, localAddress: ip, agent: false }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {}
        resolve({ status: res.statusCode, json, text, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

let phoneSeq = 0;
const phoneBase = 13600000000 + Math.floor(Math.random() * 9000) * 1000;
/* A valid submission; each its own phone, so the repeat-customer rules leave grades alone. */
function complaint(extra = {}) {
  phoneSeq += 1;
  return {
    name: `门户客户${phoneSeq}`,
    phone: String(phoneBase + phoneSeq),
    description: '买的电视机用了三天就黑屏了，希望尽快处理。',
    category: 'product_quality',
    outlet: units['SH-4S-PD'].id,
    consent: true,
    ...extra,
  };
}

async function submit(extra = {}, ip = nextIp()) {
  const r = await papi('POST', '/api/v1/portal/complaints', { body: complaint(extra), ip });
  assert.equal(r.status, 201, `submit: ${r.text}`);
  assert.match(r.json.access_code, CODE);
  return r.json;
}

async function progress(sub, ip = nextIp(), code = sub.access_code) {
  return papi('GET', `/api/v1/portal/complaints/${sub.case_no}?code=${encodeURIComponent(code)}`, { ip });
}

async function view(sub) {
  const r = await progress(sub);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

function staff(method, path, user, body) {
  return s.api(method, path, { token: tok[user], body });
}

async function staffCase(no) {
  const r = await staff('GET', `/api/v1/cases/${no}`, 'gm');
  assert.equal(r.status, 200, r.text);
  return r.json.case;
}

async function act(no, action, body, user) {
  const r = await staff('POST', `/api/v1/cases/${no}/actions/${action}`, user, body);
  assert.equal(r.status, 200, `${action} by ${user}: ${r.text}`);
  return r.json.case;
}

const SECRET_NOTE = '内部备注-勿外传-QX7781';
const REPAIR_CENTS = 987654;
const SOLUTIONS = [
  { type: 'repair', amount_cents: REPAIR_CENTS, description: '免费更换主板' },
  { type: 'compensation', amount_cents: 20000, description: '补偿误工费' },
];

/* Staff take a portal case from received to resolved (customer consent), with a note. */
async function drive(no, onStep = async () => {}) {
  await act(no, 'accept', { note: SECRET_NOTE }, 'agent.shpd');
  await onStep('accepted');
  await act(no, 'assign', { dept: units.QA.id, handler: 'handler.qa' }, 'agent.shpd');
  const n = await staff('POST', `/api/v1/cases/${no}/notes`, 'handler.qa', { text: SECRET_NOTE });
  assert.equal(n.status, 201, n.text);
  await onStep('investigating');
  await act(no, 'propose', { solutions: SOLUTIONS }, 'handler.qa');
  await onStep('proposed');
  await act(no, 'approve', {}, 'mgr.qa');
  await onStep('approved');
  await act(no, 'resolve', { customer_consent: true }, 'agent.shpd');
  await onStep('resolved');
}

/* Asserts that the customer's JSON holds nothing internal. */
function assertNothingInternal(v) {
  const text = JSON.stringify(v);
  const keys = new Set();
  (function walk(o) {
    if (o && typeof o === 'object') for (const [k, x] of Object.entries(o)) {
      keys.add(k);
      walk(x);
    }
  })(v);
  for (const k of ['grade', 'grade_reasons', 'owner', 'handler', 'dept', 'loss', 'notes', 'contacts', 'penalties',
    'improvements', 'by', 'actor', 'complainant', 'clocks', 'overdue', 'history', 'sha256', 'allowed_actions',
    'reopen_count', 'outlet', 'root_cause', 'responsibility', 'psychology'])
    assert.ok(!keys.has(k), `the customer's view has no "${k}": ${text}`);
  for (const u of [...STAFF, 'portal', 'handler.aftersales', 'agent.hotline'])
    assert.ok(!text.includes(u), `no staff username (${u}) in: ${text}`);
  for (const u of allUnits.filter((x) => x.kind !== 'outlet'))
    assert.ok(!text.includes(u.name), `no unit name (${u.name}) in: ${text}`);
  assert.ok(!/\bg[1-4]\b/.test(text), `no grade in: ${text}`);
  assert.ok(!text.includes(SECRET_NOTE), `no note text in: ${text}`);
  assert.ok(!text.includes(String(REPAIR_CENTS)) && !text.includes(String(REPAIR_CENTS + 20000)),
    `no company cost or loss in: ${text}`);
}

before(async () => {
  s = await startServer();
  for (const u of STAFF) tok[u] = await s.login(u);
  units = await unitsByCode(s, tok.admin);
  const r = await s.api('GET', '/api/v1/org/units?per_page=500', { token: tok.admin });
  allUnits = r.json.items;
});
beforeEach(async () => {
  await s?.ensureUp();
});
after(async () => {
  await s?.stop();
});

const counter = (ym) => s.sql(`SELECT coalesce(max(last), 0) AS n FROM case_counters WHERE period = 'TS${ym}'`)[0].n;

// ---- outlets ----------------------------------------------------------------------------------

test('outlets: public (no token), every outlet by id and name, nothing else of the organisation', async () => {
  const r = await papi('GET', '/api/v1/portal/outlets?per_page=500', { ip: nextIp() });
  assert.equal(r.status, 200, r.text);
  const outlets = allUnits.filter((u) => u.kind === 'outlet');
  assert.equal(r.json.total, outlets.length);
  assert.deepEqual(r.json.items.map((o) => o.id).sort(), outlets.map((o) => o.id).sort());
  for (const o of r.json.items) {
    assert.deepEqual(Object.keys(o).sort(), ['id', 'name']);
    assert.equal(o.name, outlets.find((u) => u.id === o.id).name);
  }
  for (const u of allUnits.filter((x) => x.kind !== 'outlet')) assert.ok(!r.text.includes(u.name), `no ${u.kind} ${u.name}`);
  assertError(await papi('GET', '/api/v1/portal/outlets?kind=department', { ip: nextIp() }), 400, 'unknown_parameter');
});

// ---- submitting ---------------------------------------------------------------------------------

test('submit → 201 with the month\'s next case number and an 8-character code; staff see channel web, owner portal', async () => {
  const ym = shanghaiYearMonth();
  const before = counter(ym);
  const sub = await submit({ email: 'kehu@example.com', subject: { product: '55寸电视', order_no: 'ORD-P-1' }, demands: ['repair'], claimed_cents: 150000 });
  assert.deepEqual(Object.keys(sub).sort(), ['access_code', 'case_no']);
  assert.equal(sub.case_no, `TS${ym}${String(before + 1).padStart(5, '0')}`);
  const c = await staffCase(sub.case_no);
  assert.equal(c.channel, 'web');
  assert.equal(c.external, false);
  assert.equal(c.owner, 'portal');
  assert.equal(c.status, 'received');
  assert.equal(c.outlet, units['SH-4S-PD'].id);
  assert.equal(c.category, 'product_quality');
  assert.equal(c.dept, units.QA.id, 'routed as POST /cases would (demo rule product_quality → QA)');
  assert.equal(c.complainant.email, 'kehu@example.com');
  assert.equal(c.subject.product, '55寸电视');
  assert.deepEqual(c.demands, ['repair']);
  assert.equal(c.claimed_cents, 150000);
  assert.ok(c.clocks.some((k) => k.name === 'resolve' && k.state === 'running'), 'the clocks started');
  const h = await staff('GET', `/api/v1/cases/${sub.case_no}/history`, 'gm');
  assert.equal(h.json.items[0].action, 'register');
  assert.equal(h.json.items[0].actor, 'portal');
  // the agents of the outlet find it in the list, filtered by channel
  const list = await listAll(s, tok['agent.shpd'], 'channel=web');
  assert.ok(list.items.some((x) => x.case_no === sub.case_no && x.owner === 'portal'));
});

test('the access code is kept only as a keyed hash: its text is nowhere in the database files or the log', async () => {
  const sub = await submit();
  const rows = s.sql(`SELECT length(code_hash) AS h, length(salt) AS n, tries FROM portal_access
    WHERE case_id = (SELECT id FROM cases WHERE case_no = '${sub.case_no}')`);
  assert.deepEqual(rows, [{ h: 32, n: 16, tries: 0 }]);
  for (const suffix of ['', '-wal', '-shm']) {
    const f = s.db + suffix;
    if (!fs.existsSync(f)) continue;
    const bytes = fs.readFileSync(f);
    assert.equal(bytes.indexOf(sub.access_code), -1, `the code is not in ${f}`);
    assert.equal(bytes.indexOf(sub.access_code.toLowerCase()), -1, `nor in lower case in ${f}`);
  }
  assert.ok(s.stderr.length > 0);
  assert.ok(!s.stderr.includes(sub.access_code), 'nor in the log');
  // two submissions never share a salt or a hash
  const sub2 = await submit();
  const pair = s.sql(`SELECT count(DISTINCT salt) AS salts, count(DISTINCT code_hash) AS hashes FROM portal_access
    WHERE case_id IN (SELECT id FROM cases WHERE case_no IN ('${sub.case_no}', '${sub2.case_no}'))`);
  assert.deepEqual(pair, [{ salts: 2, hashes: 2 }]);
});

test('progress with the right code: the status in plain words (code typed in lower case, with a dash, works too)', async () => {
  const sub = await submit();
  const v = await view(sub);
  assert.deepEqual(Object.keys(v).sort(), ['case_no', 'evidence', 'expected_answer_by', 'follow_up_awaited', 'received_at',
    'reply', 'solutions', 'status', 'status_text', 'timeline'].sort());
  assert.equal(v.case_no, sub.case_no);
  assert.equal(v.status, 'received');
  assert.match(v.status_text.zh, /我们已收到您的投诉/);
  assert.match(v.status_text.en, /received your complaint/);
  assert.deepEqual(v.timeline.map((t) => t.step), ['received']);
  assert.equal(v.timeline[0].at, v.received_at);
  assert.equal(v.follow_up_awaited, false);
  assert.deepEqual(v.solutions, []);
  assert.equal(v.reply, null);
  const typed = `${sub.access_code.slice(0, 4).toLowerCase()}-${sub.access_code.slice(4)}`;
  assert.equal((await progress(sub, nextIp(), typed)).status, 200);
  assertNothingInternal(v);
});

test('a wrong code, an unknown number, a malformed number, no code and a staff case all answer the same 404', async () => {
  const sub = await submit();
  const ip = nextIp();
  const wrong = sub.access_code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA';
  const staffNo = s.sql(`SELECT case_no FROM cases WHERE channel <> 'web' LIMIT 1`)[0].case_no;
  const answers = [
    await papi('GET', `/api/v1/portal/complaints/${sub.case_no}?code=${wrong}`, { ip }),
    await papi('GET', `/api/v1/portal/complaints/${sub.case_no.replace(/\d{5}$/, '99999')}?code=${sub.access_code}`, { ip }),
    await papi('GET', `/api/v1/portal/complaints/not-a-number?code=${sub.access_code}`, { ip }),
    await papi('GET', `/api/v1/portal/complaints/${sub.case_no}`, { ip }),
    await papi('GET', `/api/v1/portal/complaints/${staffNo}?code=${sub.access_code}`, { ip }),
    await papi('GET', `/api/v1/portal/complaints/${sub.case_no}?code=${sub.access_code}x`, { ip }),
  ];
  for (const r of answers) {
    assertError(r, 404, 'not_found');
    assert.equal(r.text, answers[0].text, 'byte for byte the same body');
    assert.equal(r.headers['content-type'], answers[0].headers['content-type']);
  }
  // and the same for the writes
  for (const p of [`/api/v1/portal/complaints/${sub.case_no}/follow-up?code=${wrong}`,
    `/api/v1/portal/complaints/${staffNo}/follow-up?code=${wrong}`]) {
    const r = await papi('POST', p, { body: { satisfaction: 5 }, ip });
    assert.equal(r.status, 404);
    assert.equal(r.text, answers[0].text);
  }
  assertError(await papi('GET', `/api/v1/portal/complaints/${sub.case_no}?code=${sub.access_code}&x=1`, { ip }), 400,
    'unknown_parameter');
});

test('ten wrong codes within the hour lock the case: the 11th try → 429, even with the right code, also after a restart', async () => {
  const sub = await submit();
  const other = await submit();
  const wrong = sub.access_code === '22222222' ? '33333333' : '22222222';
  const ip = nextIp();
  for (let i = 1; i <= 10; i++) {
    const r = await papi('GET', `/api/v1/portal/complaints/${sub.case_no}?code=${wrong}`, { ip });
    assert.equal(r.status, 404, `wrong code ${i}: ${r.text}`);
  }
  const locked = await papi('GET', `/api/v1/portal/complaints/${sub.case_no}?code=${wrong}`, { ip });
  assertError(locked, 429, 'rate_limited');
  const wait = Number(locked.headers['retry-after']);
  assert.ok(wait > 3500 && wait <= 3600, `Retry-After about an hour: ${wait}`);
  assert.equal(locked.json.error.details.retry_after_s, wait);
  assertError(await progress(sub, nextIp()), 429, 'rate_limited'); // the right code, from elsewhere
  assertError(await papi('POST', `/api/v1/portal/complaints/${sub.case_no}/follow-up?code=${sub.access_code}`,
    { body: { satisfaction: 5 }, ip: nextIp() }), 429);
  assert.equal((await progress(other, ip)).status, 200, 'another case is not locked');
  const row = s.sql(`SELECT tries, locked_until > strftime('%s','now') AS locked FROM portal_access
    WHERE case_id = (SELECT id FROM cases WHERE case_no = '${sub.case_no}')`);
  assert.deepEqual(row, [{ tries: 10, locked: 1 }]);
  await s.stop();
  await s.start();
  assertError(await progress(sub, nextIp()), 429, 'rate_limited');
  assert.equal((await progress(other, nextIp())).status, 200);
});

// ---- the staff's work, as the customer sees it -------------------------------------------------

const fx = {};

test('a full drive by staff shows each step in the customer\'s timeline, and nothing internal', async () => {
  const sub = await submit();
  fx.driven = sub;
  const seen = {};
  await drive(sub.case_no, async (step) => {
    const v = await view(sub);
    seen[step] = v;
    assert.equal(v.status, step);
    assertNothingInternal(v);
  });
  assert.deepEqual(seen.accepted.timeline.map((t) => t.step), ['received', 'accepted']);
  assert.match(seen.accepted.status_text.zh, /已受理/);
  assert.match(seen.accepted.expected_answer_by, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/, 'the resolve clock gives the expected answer');
  const c = await staffCase(sub.case_no);
  assert.equal(seen.accepted.expected_answer_by, c.clocks.find((k) => k.name === 'resolve').due_at);
  assert.ok(seen.accepted.status_text.zh.includes(seen.accepted.expected_answer_by.slice(0, 10)));
  assert.deepEqual(seen.investigating.timeline.map((t) => t.step), ['received', 'accepted', 'investigating']);
  assert.match(seen.investigating.status_text.zh, /正在调查处理/);
  assert.deepEqual(seen.investigating.solutions, [], 'no solution before it is approved');
  assert.match(seen.proposed.status_text.zh, /审批/);
  assert.deepEqual(seen.proposed.solutions, []);
  assert.match(seen.approved.status_text.zh, /已确定/);
  // the approved solution: types and descriptions; an amount only for the customer's money
  assert.deepEqual(seen.approved.solutions.map((x) => [x.type, x.description, x.amount_cents]),
    [['repair', '免费更换主板', undefined], ['compensation', '补偿误工费', 20000]]);
  assert.equal(seen.approved.solutions[0].text.zh, '维修');
  const v = seen.resolved;
  assert.deepEqual(v.timeline.map((t) => t.step), ['received', 'accepted', 'investigating', 'resolved']);
  assert.match(v.status_text.zh, /等待您的回访评价/);
  assert.equal(v.follow_up_awaited, true);
  assert.equal(v.expected_answer_by, null);
  for (const t of v.timeline) assert.deepEqual(Object.keys(t).sort(), ['at', 'step', 'text']);
  // the staff's side had all of it
  assert.equal(c.loss.repair_cents, REPAIR_CENTS);
  assert.ok((await staff('GET', `/api/v1/cases/${sub.case_no}/notes`, 'gm')).text.includes(SECRET_NOTE));
});

test('follow-up 5 by the customer closes the loop: the answer is recorded, asked once, and staff can close', async () => {
  const sub = fx.driven;
  assert.ok(sub, 'the drive test ran');
  const r = await papi('POST', `/api/v1/portal/complaints/${sub.case_no}/follow-up?code=${sub.access_code}`,
    { body: { satisfaction: 5, comment: '处理及时，很满意' }, ip: nextIp() });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'resolved');
  assert.equal(r.json.follow_up_awaited, false);
  assert.match(r.json.status_text.zh, /感谢您的评价/);
  assertNothingInternal(r.json);
  const c = await staffCase(sub.case_no);
  assert.equal(c.satisfaction, 5);
  assert.equal(c.follow_up.method, 'portal');
  assert.equal(c.follow_up.by, 'portal');
  assert.equal(c.follow_up.comment, '处理及时，很满意');
  assert.equal(c.reopen_count, 0);
  // answered once: again → 409
  assertError(await papi('POST', `/api/v1/portal/complaints/${sub.case_no}/follow-up?code=${sub.access_code}`,
    { body: { satisfaction: 4 }, ip: nextIp() }), 409, 'conflict');
  await act(sub.case_no, 'close', { summary: '客户满意，结案' }, 'agent.shpd');
  const v = await view(sub);
  assert.equal(v.status, 'closed');
  assert.match(v.status_text.zh, /已办结/);
  assert.deepEqual(v.timeline.map((t) => t.step), ['received', 'accepted', 'investigating', 'resolved', 'closed']);
  assert.equal(v.solutions.length, 2);
  assertNothingInternal(v);
  assertError(await papi('POST', `/api/v1/portal/complaints/${sub.case_no}/follow-up?code=${sub.access_code}`,
    { body: { satisfaction: 5 }, ip: nextIp() }), 409);
});

test('follow-up 1 reopens the case as the staff\'s follow-up does: investigating, reopen_count 1, grade one up', async () => {
  const sub = await submit();
  await drive(sub.case_no);
  const before = await staffCase(sub.case_no);
  const r = await papi('POST', `/api/v1/portal/complaints/${sub.case_no}/follow-up?code=${sub.access_code}`,
    { body: { satisfaction: 1, comment: '问题根本没解决' }, ip: nextIp() });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'investigating');
  assert.equal(r.json.follow_up_awaited, false);
  assert.ok(!r.json.timeline.some((t) => t.step === 'resolved'), 'the resolution is undone');
  assertNothingInternal(r.json);
  const c = await staffCase(sub.case_no);
  assert.equal(c.status, 'investigating');
  assert.equal(c.reopen_count, 1);
  assert.equal(c.satisfaction, 1);
  assert.equal(Number(c.grade.slice(1)), Math.min(4, Number(before.grade.slice(1)) + 1), `grade ${before.grade} → ${c.grade}`);
  assert.ok(c.grade_reasons.some((g) => g.rule === 'reopened'));
  const h = (await staff('GET', `/api/v1/cases/${sub.case_no}/history`, 'gm')).json.items;
  const last2 = h.slice(-2).map((e) => [e.action, e.actor]);
  assert.deepEqual(last2, [['follow_up', 'portal'], ['reopen', 'portal']]);
  assert.equal(h.at(-2).changes.follow_up[1].satisfaction, 1);
  assert.equal(h.at(-2).changes.follow_up[1].method, 'portal');
  // not awaited now: 409
  assertError(await papi('POST', `/api/v1/portal/complaints/${sub.case_no}/follow-up?code=${sub.access_code}`,
    { body: { satisfaction: 5 }, ip: nextIp() }), 409);
});

test('follow-up: bad answers → 422 and change nothing; not awaited → 409', async () => {
  const sub = await submit();
  const path = `/api/v1/portal/complaints/${sub.case_no}/follow-up?code=${sub.access_code}`;
  const ip = nextIp();
  const rowsBefore = s.sql(`SELECT * FROM cases WHERE case_no = '${sub.case_no}'`);
  for (const [body, field] of [[{ satisfaction: 0 }, 'satisfaction'], [{ satisfaction: 6 }, 'satisfaction'],
    [{ satisfaction: '5' }, 'satisfaction'], [{}, 'satisfaction'], [{ satisfaction: 5, method: 'phone' }, 'method'],
    [{ satisfaction: 5, comment: 'x'.repeat(2001) }, 'comment'], [{ satisfaction: 5, comment: 'a\u0001b' }, 'comment']]) {
    assert422(await papi('POST', path, { body, ip }), field);
  }
  assertError(await papi('POST', path, { rawBody: '{"satisfaction":', ip }), 400);
  assertError(await papi('POST', path, { body: { satisfaction: 5 }, ip }), 409, 'conflict'); // received: nothing to answer
  assert.deepEqual(s.sql(`SELECT * FROM cases WHERE case_no = '${sub.case_no}'`), rowsBefore);
});

// ---- evidence ------------------------------------------------------------------------------------

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), crypto.randomBytes(64)]);
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), crypto.randomBytes(64)]);

function fileForm(bytes, name, type = 'application/octet-stream') {
  const f = new FormData();
  f.append('file', new Blob([bytes], { type }), name);
  return f;
}

test('evidence: the type is told by the bytes (a PNG sent as octet-stream is a PNG; an .exe named .png is refused)', async () => {
  const sub = await submit();
  const path = `/api/v1/portal/complaints/${sub.case_no}/evidence?code=${sub.access_code}`;
  const r = await papi('POST', path, { form: fileForm(PNG, '发票照片.png'), ip: nextIp() });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.content_type, 'image/png');
  assert.equal(r.json.filename, '发票照片.png');
  assert.equal(r.json.size, PNG.length);
  assert.equal(r.json.sha256, crypto.createHash('sha256').update(PNG).digest('hex'));
  const bad = await papi('POST', path, { form: fileForm(EXE, 'photo.png', 'image/png'), ip: nextIp() });
  assert422(bad, 'file');
  for (const [bytes, type] of [[Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(20)]), 'application/pdf'],
    [Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), crypto.randomBytes(20)]), 'image/jpeg'],
    [Buffer.concat([Buffer.from('ID3\x04\x00', 'latin1'), crypto.randomBytes(20)]), 'audio/mpeg'],
    [Buffer.concat([Buffer.from('00000020667479704d344120', 'hex'), crypto.randomBytes(20)]), 'audio/mp4']]) {
    const x = await papi('POST', path, { form: fileForm(bytes, 'x.bin'), ip: nextIp() });
    assert.equal(x.status, 201, `${type}: ${x.text}`);
    assert.equal(x.json.content_type, type);
  }
  for (const bytes of [Buffer.from('<html><script>alert(1)</script>'), Buffer.from('GIF89a......'), Buffer.from('PK\x03\x04zip')])
    assert422(await papi('POST', path, { form: fileForm(bytes, 'a.jpg', 'image/jpeg'), ip: nextIp() }), 'file');
  // the staff see it among the case's evidence, by "portal"; the customer sees name and size
  const ev = (await staff('GET', `/api/v1/cases/${sub.case_no}/evidence`, 'gm')).json.items;
  assert.equal(ev.length, 5);
  assert.ok(ev.every((e) => e.by === 'portal'));
  const h = (await staff('GET', `/api/v1/cases/${sub.case_no}/history`, 'gm')).json.items;
  assert.equal(h.filter((e) => e.action === 'evidence' && e.actor === 'portal').length, 5);
  const v = await view(sub);
  assert.deepEqual(v.evidence[0], { filename: '发票照片.png', size: PNG.length, content_type: 'image/png', uploaded_at: v.evidence[0].uploaded_at });
  assert.equal(v.evidence.length, 5);
  // a staff upload (a call recording) is not shown to the customer
  const sf = fileForm(Buffer.from('internal recording'), '内部录音.txt', 'text/plain');
  const up = await s.api('POST', `/api/v1/cases/${sub.case_no}/evidence`, { token: tok['agent.shpd'], form: sf });
  assert.equal(up.status, 201, up.text);
  const v2 = await view(sub);
  assert.equal(v2.evidence.length, 5);
  assert.ok(!v2.evidence.some((e) => e.filename === '内部录音.txt'));
  // wrong code → the portal's 404; no file, empty file, another field → 422; not multipart → 400
  assert.equal((await papi('POST', path.replace(/code=.*/, 'code=ZZZZZZZZ'), { form: fileForm(PNG, 'a.png'), ip: nextIp() })).status, 404);
  const empty = new FormData();
  empty.append('note', 'x');
  assert422(await papi('POST', path, { form: empty, ip: nextIp() }), 'file');
  assert422(await papi('POST', path, { form: fileForm(Buffer.alloc(0), 'a.png'), ip: nextIp() }), 'file');
  assertError(await papi('POST', path, { body: { file: 'x' }, ip: nextIp() }), 400);
});

test('evidence: at most 10 files per case (11th → 409) and 10 MB each (→ 413); nothing once the case is finished', async () => {
  const sub = await submit();
  const path = `/api/v1/portal/complaints/${sub.case_no}/evidence?code=${sub.access_code}`;
  for (let i = 0; i < 10; i++) {
    const png = Buffer.concat([PNG, Buffer.from(String(i))]);
    const r = await papi('POST', path, { form: fileForm(png, `p${i}.png`), ip: nextIp() });
    assert.equal(r.status, 201, `file ${i + 1}: ${r.text}`);
  }
  assertError(await papi('POST', path, { form: fileForm(PNG, 'p10.png'), ip: nextIp() }), 409, 'conflict');
  const sub2 = await submit();
  const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
  const r = await papi('POST', `/api/v1/portal/complaints/${sub2.case_no}/evidence?code=${sub2.access_code}`,
    { form: fileForm(big, 'big.png'), ip: nextIp() });
  assertError(r, 413);
  assert.equal(r.json.error.details.max_bytes, 10 * 1024 * 1024);
  await act(sub2.case_no, 'withdraw', { reason: '客户撤诉' }, 'agent.shpd');
  assertError(await papi('POST', `/api/v1/portal/complaints/${sub2.case_no}/evidence?code=${sub2.access_code}`,
    { form: fileForm(PNG, 'late.png'), ip: nextIp() }), 409);
  const v = await view(sub2);
  assert.equal(v.status, 'withdrawn');
  assert.deepEqual(v.timeline.map((t) => t.step), ['received', 'withdrawn']);
});

// ---- rejected ----------------------------------------------------------------------------------

test('rejected: the customer reads the reply written for them, and not the reason code', async () => {
  const sub = await submit();
  await act(sub.case_no, 'accept', {}, 'agent.shpd');
  await act(sub.case_no, 'reject', { reason: 'misunderstanding', answer: '经检测，电视工作正常，黑屏为节能模式所致。', note: SECRET_NOTE }, 'agent.shpd');
  const v = await view(sub);
  assert.equal(v.status, 'rejected');
  assert.match(v.status_text.zh, /未能成立/);
  assert.equal(v.reply, '经检测，电视工作正常，黑屏为节能模式所致。');
  assert.deepEqual(v.timeline.map((t) => t.step), ['received', 'accepted', 'rejected']);
  assert.ok(!JSON.stringify(v).includes('misunderstanding'));
  assertNothingInternal(v);
});

// ---- limits and bad input ----------------------------------------------------------------------

test('submissions are limited per client address: a burst of 3, then 429 with Retry-After; other addresses go on', async () => {
  const ip = nextIp();
  // refused submissions spend nothing
  for (let i = 0; i < 5; i++) assert422(await papi('POST', '/api/v1/portal/complaints', { body: complaint({ consent: false }), ip }), 'consent');
  for (let i = 0; i < 3; i++) await submit({}, ip);
  const r = await papi('POST', '/api/v1/portal/complaints', { body: complaint(), ip });
  assertError(r, 429, 'rate_limited');
  const wait = Number(r.headers['retry-after']);
  assert.ok(Number.isInteger(wait) && wait > 0 && wait <= 360, `Retry-After ${r.headers['retry-after']}`);
  assert.equal(r.json.error.details.retry_after_s, wait);
  await submit({}, nextIp());
  // X-Forwarded-For is not believed
  assertError(await papi('POST', '/api/v1/portal/complaints', { body: complaint(), ip, headers: { 'X-Forwarded-For': '203.0.113.9' } }), 429);
});

test('33 bad submissions → 400/422 naming the field; nothing registered, no number taken', async () => {
  const ym = shanghaiYearMonth();
  const ip = nextIp();
  const snap = s.snapshot();
  const total = (await s.api('GET', '/api/v1/cases?per_page=1', { token: tok.admin })).json.total;
  const next = counter(ym) + 1;
  const c = complaint();
  const without = (k) => Object.fromEntries(Object.entries(c).filter(([x]) => x !== k));
  const sub = s.sql(`SELECT code FROM categories WHERE parent_code IS NOT NULL LIMIT 1`)[0]?.code ?? 'no_such_category';
  const cases422 = [
    [without('consent'), 'consent'],
    [{ ...c, consent: false }, 'consent'],
    [{ ...c, consent: 'true' }, 'consent'],
    [without('name'), 'name'],
    [{ ...c, name: '' }, 'name'],
    [{ ...c, name: 'x'.repeat(101) }, 'name'],
    [{ ...c, name: '张\u0007三' }, 'name'],
    [without('phone'), 'phone'],
    [{ ...c, phone: 'call me' }, 'phone'],
    [{ ...c, email: 'not-an-address' }, 'email'],
    [without('description'), 'description'],
    [{ ...c, description: '长'.repeat(5001) }, 'description'],
    [{ ...c, channel: 'phone' }, 'channel'],
    [{ ...c, category: sub }, 'category'],
    [{ ...c, category: 'nonsense' }, 'category'],
    [without('outlet'), 'outlet'],
    [{ ...c, outlet: units.QA.id }, 'outlet'],
    [{ ...c, outlet: String(units['SH-4S-PD'].id) }, 'outlet'],
    [{ ...c, outlet: 999999 }, 'outlet'],
    [{ ...c, subject: { vin: 'LSVAA4182E2000001' } }, 'subject.vin'],
    [{ ...c, subject: 'tv' }, 'subject'],
    [{ ...c, subject: { product: 'p'.repeat(201) } }, 'subject.product'],
    [{ ...c, demands: ['money'] }, 'demands'],
    [{ ...c, claimed_cents: -5 }, 'claimed_cents'],
    [{ ...c, claimed_cents: 1.5 }, 'claimed_cents'],
    [{ ...c, flags: { injury: true } }, 'flags'],
    [{ ...c, owner: 'admin' }, 'owner'],
    [{ ...c, received_at: '2020-01-01T00:00:00+08:00' }, 'received_at'],
  ];
  for (const [body, field] of cases422) assert422(await papi('POST', '/api/v1/portal/complaints', { body, ip }), field);
  for (const raw of ['{"name":', '[]', '', '"x"', Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])])
    assertError(await papi('POST', '/api/v1/portal/complaints', { rawBody: raw, ip }), 400);
  assert.deepEqual(s.snapshot(), snap, 'the store is unchanged');
  assert.equal((await s.api('GET', '/api/v1/cases?per_page=1', { token: tok.admin })).json.total, total);
  const ok = await submit({}, ip);
  assert.equal(ok.case_no, `TS${ym}${String(next).padStart(5, '0')}`, 'the next number follows without a gap');
});

// ---- the system user -------------------------------------------------------------------------------

test('the system user "portal" cannot log in; enabled by mistake, the portal refuses to register (503)', async () => {
  for (const password of ['!locked', '', 'portal', 'portal-password-1']) {
    const r = await s.api('POST', '/api/v1/auth/login', { body: { username: 'portal', password } });
    assert.ok([401, 422].includes(r.status), `login as portal with "${password}": ${r.status}`);
  }
  const u = await staff('GET', '/api/v1/users/portal', 'admin');
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.user.disabled, true);
  assert.deepEqual(u.json.user.roles, ['agent']);
  const sub = await submit();
  const en = await staff('PATCH', '/api/v1/users/portal', 'admin', { disabled: false });
  assert.equal(en.status, 200, en.text);
  const snap = s.snapshot();
  assertError(await papi('POST', '/api/v1/portal/complaints', { body: complaint(), ip: nextIp() }), 503);
  assertError(await papi('POST', `/api/v1/portal/complaints/${sub.case_no}/evidence?code=${sub.access_code}`,
    { form: fileForm(PNG, 'a.png'), ip: nextIp() }), 503);
  assert.deepEqual(s.snapshot(), snap);
  assert.equal((await staff('PATCH', '/api/v1/users/portal', 'admin', { disabled: true })).status, 200);
  await submit();
});

test('without an outlet, a complaint is received at the portal user\'s own unit when that is an outlet', async () => {
  const body = complaint();
  delete body.outlet;
  assert422(await papi('POST', '/api/v1/portal/complaints', { body, ip: nextIp() }), 'outlet');
  const online = units['SH-OFFICE-01'].id; // the e-commerce shop receives web complaints
  assert.equal((await staff('PATCH', '/api/v1/users/portal', 'admin', { unit: online })).status, 200);
  const r = await papi('POST', '/api/v1/portal/complaints', { body, ip: nextIp() });
  assert.equal(r.status, 201, r.text);
  assert.equal((await staffCase(r.json.case_no)).outlet, online);
  const chosen = await submit(); // a chosen outlet still wins
  assert.equal((await staffCase(chosen.case_no)).outlet, units['SH-4S-PD'].id);
});

test('SIGTERM after all of the above: exit code 0, no sanitizer report', async () => {
  await assertCleanShutdown(s);
});
