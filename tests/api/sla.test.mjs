// Time limits (DOMAIN §5) and what they cause (DOMAIN §12) over HTTP: the working calendar's
// arithmetic, every default clock started, met, paused, lengthened and breached, warnings at 80 %
// and breaches at 100 % with in-app notifications, e-mails and signed webhooks, the outbox's
// retries, restarts in the middle, letters, the queue, the pending-items ledger and its monthly
// reminders, and bad input that must change nothing.
//
// The server runs with --test-clock: PUT /api/v1/test/clock sets its time and POST
// /api/v1/test/tick runs the scheduler, the reminders and the outbox once, synchronously. Every
// expected instant below is worked out by hand from the default rules (migration 9) and the
// calendar: Mon-Fri 09:00-12:00 and 13:00-18:00 Asia/Shanghai (8 working hours a day), with the
// 2025/2026 holidays and make-up working days (调休).
//
// Servers: one for the calendar, one shared by the lifecycle tests that count nothing delivered,
// and a fresh one for each test that counts notifications or deliveries. Those fresh servers first
// "flush" the demo cases (a tick on 2026-12-01 08:00 breaches every demo clock), so that what
// is delivered afterwards comes from the test's own cases only.
import { test, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Server, prepareDb, tmpDir, unitsByCode, caseBody, assertError, assert422, assertCleanShutdown } from './lib.mjs';
import { startWebhookReceiver, startSmtpSink, verifySignature } from './receivers.mjs';

const TOKEN_TTL = String(90 * 86400); // tokens outlive the months the test clock walks through
const HOOK_SECRET = 'whsec_tousu_sla_2026_0f3a9c';
const FLUSH_AT = '2026-12-01T08:00:00+08:00'; // after every demo clock's due time

// ---- helpers ----------------------------------------------------------------------------------

/* unix seconds <-> "2026-12-02T09:00:00+08:00" (the organisation's zone has no summer time) */
const unix = (iso) => Date.parse(iso) / 1000;
const cst = (secs) => new Date((secs + 8 * 3600) * 1000).toISOString().slice(0, 19) + '+08:00';
const plus = (iso, secs) => cst(unix(iso) + secs);

let serial = 0;
const phoneBase = 13600000000 + Math.floor(Math.random() * 9000) * 1000;

const envs = [];

/* A tousu server with the test clock, an SMTP sink, lazily logged-in users. */
class Env {
  constructor(s, sink) {
    this.s = s;
    this.sink = sink;
    this.tok = {};
    this.closers = [];
  }

  async token(user) {
    if (!this.tok[user]) this.tok[user] = await this.s.login(user);
    return this.tok[user];
  }

  async req(method, path, user, body) {
    return this.s.api(method, path, { token: user ? await this.token(user) : undefined, body });
  }

  async at(iso) {
    const r = await this.s.api('PUT', '/api/v1/test/clock', { body: { now: iso } });
    assert.equal(r.status, 200, `PUT /test/clock ${iso}: ${r.text}`);
    assert.equal(unix(r.json.now), unix(iso), `the server's clock should read ${iso}: ${r.text}`);
    this.now = iso;
  }

  /* Runs the jobs once at iso (or now); returns {clocks, reminders, sent, retried, failed}. */
  async tick(iso) {
    if (iso) await this.at(iso);
    const r = await this.s.api('POST', '/api/v1/test/tick');
    assert.equal(r.status, 200, `tick at ${this.now}: ${r.text}`);
    for (const k of ['clocks', 'reminders', 'sent', 'retried', 'failed'])
      assert.ok(Number.isInteger(r.json.result?.[k]), `tick result has ${k}: ${r.text}`);
    return r.json.result;
  }

  async register(extra = {}, user = 'agent.shpd') {
    serial += 1;
    const { complainant, ...rest } = extra;
    const r = await this.req('POST', '/api/v1/cases', user, caseBody({
      category: 'product_quality',
      description: '新车行驶三千公里后空调出风口持续异响，两次到店检修仍未解决，客户要求彻底维修并赔偿误工费。',
      complainant: { name: `时限测试客户${serial}`, phone: String(phoneBase + serial), ...complainant },
      ...rest,
    }));
    assert.equal(r.status, 201, `register at ${this.now}: ${r.text}`);
    return r.json.case;
  }

  async act(no, action, body, user) {
    const r = await this.req('POST', `/api/v1/cases/${no}/actions/${action}`, user, body);
    assert.equal(r.status, 200, `${action} by ${user} on ${no} at ${this.now}: ${r.text}`);
    return r.json.case;
  }

  async contact(no, body, user = 'handler.aftersales') {
    const r = await this.req('POST', `/api/v1/cases/${no}/contacts`, user, { method: 'phone', direction: 'outbound', ...body });
    assert.equal(r.status, 201, `contact on ${no} at ${this.now}: ${r.text}`);
    return r.json.contact;
  }

  async getCase(no, user = 'gm') {
    const r = await this.req('GET', `/api/v1/cases/${no}`, user);
    assert.equal(r.status, 200, `GET case ${no}: ${r.text}`);
    return r.json.case;
  }

  async history(no) {
    const r = await this.req('GET', `/api/v1/cases/${no}/history`, 'gm');
    assert.equal(r.status, 200, r.text);
    return r.json.items;
  }

  async notifications(user, kind, no) {
    const r = await this.req('GET', '/api/v1/notifications?limit=500', user);
    assert.equal(r.status, 200, `notifications of ${user}: ${r.text}`);
    return r.json.items.filter((n) => (!kind || n.kind === kind) && (!no || n.case_no === no));
  }

  async outbox(status) {
    const r = await this.req('GET', `/api/v1/outbox${status ? `?status=${status}` : ''}`, 'admin');
    assert.equal(r.status, 200, r.text);
    return r.json.items;
  }

  async setEmail(user, email) {
    const r = await this.req('PATCH', `/api/v1/users/${user}`, 'admin', { email });
    assert.equal(r.status, 200, `PATCH user ${user} email: ${r.text}`);
  }

  async webhook(url, events = '*') {
    const r = await this.req('POST', '/api/v1/webhooks', 'admin', { url, secret: HOOK_SECRET, events });
    assert.equal(r.status, 201, `POST /webhooks: ${r.text}`);
    return r.json.webhook.id;
  }

  async hook(opts) {
    const h = await startWebhookReceiver(opts);
    this.closers.push(() => h.close());
    h.id = await this.webhook(h.url);
    return h;
  }

  async units() {
    this.u ??= await unitsByCode(this.s, await this.token('admin'));
    return this.u;
  }

  mails(no) {
    return this.sink.messages.filter((m) => m.subject.includes(no));
  }
}

async function makeEnv({ start, flush }) {
  const sink = await startSmtpSink();
  const dir = tmpDir();
  const db = prepareDb(dir);
  const s = new Server(db, dir, ['--test-clock', '--smtp-url', sink.url, '--smtp-from', 'tousu@example.com', '--token-ttl', TOKEN_TTL]);
  await s.start();
  const e = new Env(s, sink);
  envs.push(e);
  await e.at(start);
  if (flush) {
    await e.tick();
    const open = s.sql('SELECT count(*) AS n FROM case_clocks WHERE next_at IS NOT NULL')[0].n;
    assert.equal(open, 0, `after the flush at ${start} no demo clock should still be waiting for the scheduler`);
    // what the flush delivered (the demo's queued letters) is not the tests'
    sink.messages.length = 0;
    sink.attempts.length = 0;
  }
  return e;
}

/* Servers shared by a few tests, started on first use. */
let calEnv, lifeEnv;
const cal = async () => (calEnv ??= await makeEnv({ start: '2026-03-02T09:00:00+08:00', flush: false }));
const life = async () => (lifeEnv ??= await makeEnv({ start: '2026-09-22T08:00:00+08:00', flush: false }));
const fresh = (start = FLUSH_AT) => makeEnv({ start, flush: true });

beforeEach(async () => {
  for (const e of envs) await e.s.ensureUp();
});

/* The latest run of the clock `name` on case c. */
function clockOf(c, name) {
  const runs = c.clocks.filter((k) => k.name === name).sort((a, b) => a.seq - b.seq);
  assert.ok(runs.length, `case ${c.case_no} should have a ${name} clock; it has ${JSON.stringify(c.clocks.map((k) => k.name))}`);
  return runs.at(-1);
}

function assertClock(c, name, want) {
  const k = clockOf(c, name);
  for (const [key, v] of Object.entries(want)) {
    const got = k[key];
    const same = typeof v === 'string' && typeof got === 'string' && /T\d\d:/.test(v) ? unix(got) === unix(v) : got === v;
    assert.ok(same, `case ${c.case_no}, clock ${name}: ${key} should be ${JSON.stringify(v)}, is ${JSON.stringify(got)}\n${JSON.stringify(k)}`);
  }
  return k;
}

const SMALL = [{ type: 'repair', amount_cents: 10000, description: '更换空调鼓风机并清洗风道' }];

/* register -> accept -> assign to handler.aftersales, all at the current test time */
async function assigned(e, extra) {
  const c = await e.register(extra);
  await e.act(c.case_no, 'accept', { note: '已电话告知客户受理' }, 'agent.shpd');
  const u = await e.units();
  await e.act(c.case_no, 'assign', { dept: u.AFTERSALES.id, handler: 'handler.aftersales' }, 'sup.east');
  return c.case_no;
}

/* A 422 naming field; `what` says which request it was, for the message. */
function refused422(r, field, what) {
  assert.equal(r.status, 422, `${what} should be refused with 422 naming ${field}; got ${r.status}: ${r.text}`);
  return assert422(r, field);
}

async function due(e, start, amount, unit) {
  const q = new URLSearchParams({ start, amount: String(amount), unit });
  const r = await e.req('GET', `/api/v1/calendar/due?${q}`, 'agent.shpd');
  assert.equal(r.status, 200, `GET /calendar/due ${q}: ${r.text}`);
  return r.json;
}

async function calendar(e, year) {
  const r = await e.req('GET', `/api/v1/calendar${year ? `?year=${year}` : ''}`, 'agent.shpd');
  assert.equal(r.status, 200, r.text);
  return r.json.calendar;
}

// ---- 1. the calendar ------------------------------------------------------------------------

test('calendar arithmetic: working days across the Spring Festival, make-up Saturdays, National Day and the year end', async () => {
  const e = await cal();
  // [start, amount, unit, expected due, why]
  const CASES = [
    ['2026-02-13T10:00:00+08:00', 2, 'wd', '2026-02-24T10:00:00+08:00',
      'Fri 13th 10:00-18:00 is 7 h, Sat 14th is a make-up working day (8 h, 15 h in all), 15th-23rd are the Spring Festival, Tue 24th gives the last hour'],
    ['2026-02-13T16:00:00+08:00', 1, 'wd', '2026-02-14T16:00:00+08:00', 'Fri 2 h, then 6 h of the make-up Saturday 14th'],
    ['2026-02-18T10:00:00+08:00', 1, 'wd', '2026-02-24T18:00:00+08:00',
      'a start inside the holiday counts from the next working morning (Tue 24th) and ends at 18:00, not the next morning'],
    ['2026-02-27T17:00:00+08:00', 1, 'wd', '2026-02-28T17:00:00+08:00', 'Fri 1 h, then 7 h of the make-up Saturday 28th'],
    ['2026-02-13T17:30:00+08:00', 2, 'wh', '2026-02-14T10:30:00+08:00', 'half an hour on Friday, an hour and a half on the make-up Saturday'],
    ['2026-03-02T11:00:00+08:00', 2, 'wh', '2026-03-02T14:00:00+08:00', 'the lunch break 12:00-13:00 does not count'],
    ['2026-03-02T07:00:00+08:00', 1, 'wd', '2026-03-02T18:00:00+08:00', 'a start before office hours counts from 09:00'],
    ['2026-03-06T19:30:00+08:00', 1, 'wh', '2026-03-09T10:00:00+08:00', 'Friday evening: the weekend does not count'],
    ['2025-12-31T16:00:00+08:00', 1, 'wd', '2026-01-04T16:00:00+08:00',
      'year end: Wed 31st 2 h, 1-3 Jan are New Year holidays, Sun 4 Jan is a make-up working day'],
    ['2026-09-30T17:00:00+08:00', 1, 'wd', '2026-10-08T17:00:00+08:00', 'Wed 1 h, National Day 1-7 Oct, Thu 8 Oct 7 h'],
    ['2026-09-22T10:00:00+08:00', 10, 'wd', '2026-10-13T10:00:00+08:00',
      'the 12315 ODR limit: over the Mid-Autumn Festival (25th), National Day and the make-up Saturday 10 Oct'],
    ['2026-02-13T02:00:00Z', 2, 'wd', '2026-02-24T10:00:00+08:00', 'the same instant written in UTC'],
    ['2026-02-13T10:00:00+08:00', 24, 'h', '2026-02-14T10:00:00+08:00', 'hours are calendar time'],
    ['2026-02-13T10:00:00+08:00', 30, 'd', '2026-03-15T10:00:00+08:00', 'days are calendar time (the MIIT answer)'],
    ['2026-02-13T10:00:00+08:00', 0, 'wd', '2026-02-13T10:00:00+08:00', 'nothing to count: the start itself'],
  ];
  for (const [start, amount, unit, want, why] of CASES) {
    const d = await due(e, start, amount, unit);
    assert.equal(unix(d.due_at), unix(want), `${start} + ${amount} ${unit} should be due ${want} (${why}); the server says ${d.due_at}`);
    assert.match(d.due_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/, `due_at is given in the organisation's zone: ${d.due_at}`);
    const working = unit === 'wd' || unit === 'wh';
    assert.equal(d.working, working, `${unit} is ${working ? '' : 'not '}working time`);
    const per = { wd: 8 * 3600, wh: 3600, h: 3600, d: 86400 }[unit];
    assert.equal(d.seconds, amount * per, `${amount} ${unit} is ${amount * per} seconds`);
  }

  // refused: each names the bad parameter
  const q = (o) => `/api/v1/calendar/due?${new URLSearchParams(o)}`;
  for (const [params, field] of [
    [{ start: 'yesterday', amount: '1', unit: 'wd' }, 'start'],
    [{ amount: '1', unit: 'wd' }, 'start'],
    [{ start: '2026-02-13T10:00:00+08:00', amount: '-1', unit: 'wd' }, 'amount'],
    [{ start: '2026-02-13T10:00:00+08:00', amount: '1.5', unit: 'wd' }, 'amount'],
    [{ start: '2026-02-13T10:00:00+08:00', amount: '1', unit: 'weeks' }, 'unit'],
  ]) {
    const r = await e.req('GET', q(params), 'agent.shpd');
    assert422(r, field);
  }
});

test('calendar import: all or nothing, errors name the line, and what is imported moves due times', async () => {
  const e = await cal();
  assert.deepEqual((await calendar(e, 2027)).days, [], 'the seeds hold no 2027 exceptions');
  // without 2027 data New Year's Day 2027 (a Friday) is an ordinary working day
  let d = await due(e, '2026-12-31T17:00:00+08:00', 1, 'wd');
  assert.equal(unix(d.due_at), unix('2027-01-01T17:00:00+08:00'), `before the import: Thu 1 h + Fri 1 Jan 7 h; got ${d.due_at}`);

  const bad = [
    ['2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n2027-02-30,holiday,春节\n2027-02-11,holiday,春节', 'line 3'],
    ['2027-01-01,vacation,元旦', 'line 1'],
    ['# 2027年节假日\n2027-01-01,holiday,元旦\n2027/02/10,holiday,春节', 'line 3'],
    ['2027-01-01', 'line 1'],
  ];
  for (const [text, line] of bad) {
    const before = await calendar(e);
    const r = await e.req('POST', '/api/v1/calendar/import', 'admin', { text });
    const err = refused422(r, line, `an import whose ${line} is wrong (${JSON.stringify(text)})`);
    for (const other of ['line 1', 'line 2', 'line 3', 'line 4'].filter((l) => l !== line))
      assert.ok(!(other in err.details), `only ${line} is wrong, ${other} is fine: ${r.text}`);
    assert.deepEqual(await calendar(e), before, `a refused import (${line}) must store none of its lines`);
  }
  for (const text of ['', '# 只有注释\n\n']) {
    const r = await e.req('POST', '/api/v1/calendar/import', 'admin', { text });
    assertError(r, 422);
  }
  const r403 = await e.req('POST', '/api/v1/calendar/import', 'agent.shpd', { text: '2027-01-01,holiday,元旦' });
  assertError(r403, 403);

  // a spreadsheet export: comment, CRLF, a blank line, the Chinese marks 休/班
  const text = '# 2027年节假日安排\r\n2027-01-01,holiday,元旦\r\n2027-02-06,班,春节调休\r\n\r\n2027-02-10,休,春节\r\n2027-02-11,holiday,春节\r\n';
  const ok = await e.req('POST', '/api/v1/calendar/import', 'admin', { text });
  assert.equal(ok.status, 200, `a valid import: ${ok.text}`);
  assert.equal(ok.json.imported, 4, `four calendar lines were imported: ${ok.text}`);
  assert.deepEqual((await calendar(e, 2027)).days, [
    { date: '2027-01-01', kind: 'holiday', name: '元旦' },
    { date: '2027-02-06', kind: 'workday', name: '春节调休' },
    { date: '2027-02-10', kind: 'holiday', name: '春节' },
    { date: '2027-02-11', kind: 'holiday', name: '春节' },
  ], 'GET /calendar?year=2027 lists exactly the imported days');
  d = await due(e, '2026-12-31T17:00:00+08:00', 1, 'wd');
  assert.equal(unix(d.due_at), unix('2027-01-04T17:00:00+08:00'), `after the import: Thu 1 h, 1 Jan off, weekend, Mon 4 Jan 7 h; got ${d.due_at}`);
  d = await due(e, '2027-02-05T17:00:00+08:00', 1, 'wd');
  assert.equal(unix(d.due_at), unix('2027-02-06T17:00:00+08:00'), `Sat 6 Feb 2027 is now a make-up working day; got ${d.due_at}`);
});

test('calendar days: PUT and DELETE one exception, reflected in GET /calendar and in due times', async () => {
  const e = await cal();
  const put = await e.req('PUT', '/api/v1/calendar/days/2026-12-24', 'admin', { kind: 'holiday', name: '公司年会' });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.json.day, { date: '2026-12-24', kind: 'holiday', name: '公司年会' });
  let days = (await calendar(e, 2026)).days;
  assert.deepEqual(days.find((x) => x.date === '2026-12-24'), { date: '2026-12-24', kind: 'holiday', name: '公司年会' }, 'GET shows the new holiday');
  assert.ok(days.some((x) => x.date === '2026-02-14' && x.kind === 'workday'), 'the seeded make-up day 2026-02-14 is still listed');
  let d = await due(e, '2026-12-23T17:00:00+08:00', 1, 'wd');
  assert.equal(unix(d.due_at), unix('2026-12-25T17:00:00+08:00'), `Wed 1 h, Thu 24th off, Fri 25th 7 h; got ${d.due_at}`);

  const sat = await e.req('PUT', '/api/v1/calendar/days/2026-12-26', 'admin', { kind: 'workday', name: '年会调休' });
  assert.equal(sat.status, 200, sat.text);
  d = await due(e, '2026-12-25T17:00:00+08:00', 1, 'wd');
  assert.equal(unix(d.due_at), unix('2026-12-26T17:00:00+08:00'), `Sat 26th is now worked; got ${d.due_at}`);

  // an upsert changes the kind
  const again = await e.req('PUT', '/api/v1/calendar/days/2026-12-24', 'admin', { kind: 'workday', name: '年会取消' });
  assert.equal(again.status, 200, again.text);
  days = (await calendar(e, 2026)).days;
  assert.deepEqual(days.filter((x) => x.date === '2026-12-24'), [{ date: '2026-12-24', kind: 'workday', name: '年会取消' }], 'one row per date');

  const del = await e.req('DELETE', '/api/v1/calendar/days/2026-12-24', 'admin');
  assert.equal(del.status, 200, del.text);
  assert.ok(!(await calendar(e, 2026)).days.some((x) => x.date === '2026-12-24'), 'the deleted day is no longer listed');
  assertError(await e.req('DELETE', '/api/v1/calendar/days/2026-12-24', 'admin'), 404);
  const del2 = await e.req('DELETE', '/api/v1/calendar/days/2026-12-26', 'admin');
  assert.equal(del2.status, 200, del2.text);

  // refused, nothing changed
  const before = await calendar(e);
  assert422(await e.req('PUT', '/api/v1/calendar/days/2026-02-30', 'admin', { kind: 'holiday', name: '不存在的日子' }), 'date');
  assert422(await e.req('PUT', '/api/v1/calendar/days/2026-12-24', 'admin', { kind: 'vacation' }), 'kind');
  assert422(await e.req('PUT', '/api/v1/calendar/days/2026-12-24', 'admin', { name: '没有类型' }), 'kind');
  assert422(await e.req('PUT', '/api/v1/calendar/days/2026-12-24', 'admin', { kind: 'holiday', colour: 'red' }), 'colour');
  assert422(await e.req('DELETE', '/api/v1/calendar/days/24.12.2026', 'admin'), 'date');
  assertError(await e.req('PUT', '/api/v1/calendar/days/2026-12-24', 'agent.shpd', { kind: 'holiday' }), 403);
  assertError(await e.req('DELETE', '/api/v1/calendar/days/2026-02-14', 'sup.east'), 403);
  assert.deepEqual(await calendar(e), before, 'refused day changes leave the calendar as it was');
});

test('calendar working week and hours: bad ones are 422 and change nothing, a valid PUT applies', async () => {
  const e = await cal();
  const c0 = await calendar(e);
  assert.deepEqual(c0.weekdays, [1, 2, 3, 4, 5], 'the seeded working week is Monday to Friday');
  assert.equal(c0.hours, '09:00-12:00,13:00-18:00');
  assert.equal(c0.zone, 'Asia/Shanghai');
  const d0 = await due(e, '2026-03-06T17:00:00+08:00', 1, 'wd');
  assert.equal(unix(d0.due_at), unix('2026-03-09T17:00:00+08:00'), `Fri 17:00-18:00, Mon 09:00-12:00 and 13:00-17:00: ${d0.due_at}`);

  const bad = [
    [{ weekdays: [1, 2, 3, 4, 5], hours: '18:00-09:00' }, 'hours'],
    [{ weekdays: [1, 2, 3, 4, 5], hours: '09:00-12:00,11:00-14:00' }, 'hours'],
    [{ weekdays: [1, 2, 3, 4, 5], hours: '25:00-26:00' }, 'hours'],
    [{ weekdays: [1, 2, 3, 4, 5], hours: '朝九晚五' }, 'hours'],
    [{ weekdays: [1, 2, 3, 4, 5] }, 'hours'],
    [{ weekdays: [0, 1, 2], hours: '09:00-18:00' }, 'weekdays'],
    [{ weekdays: [1, 8], hours: '09:00-18:00' }, 'weekdays'],
    [{ weekdays: ['Mon'], hours: '09:00-18:00' }, 'weekdays'],
    [{ weekdays: '1-5', hours: '09:00-18:00' }, 'weekdays'],
    [{ weekdays: [], hours: '09:00-18:00' }, 'weekdays'], // no working day at all: no working-time limit could ever fall due
  ];
  for (const [body, field] of bad) {
    refused422(await e.req('PUT', '/api/v1/calendar', 'admin', body), field, `PUT /calendar ${JSON.stringify(body)}`);
    assert.deepEqual(await calendar(e), c0, `a refused PUT ${JSON.stringify(body)} must leave the calendar unchanged`);
    const again = await due(e, '2026-03-06T17:00:00+08:00', 1, 'wd');
    assert.equal(again.due_at, d0.due_at, `after the refused PUT ${JSON.stringify(body)} the arithmetic is unchanged`);
  }
  assertError(await e.req('PUT', '/api/v1/calendar', 'gm', { weekdays: [1, 2, 3, 4, 5], hours: '09:00-18:00' }), 403);

  const put = await e.req('PUT', '/api/v1/calendar', 'admin', { weekdays: [1, 2, 3, 4, 5, 6], hours: '08:30-12:00,13:30-17:30' });
  assert.equal(put.status, 200, put.text);
  const c1 = await calendar(e);
  assert.deepEqual([c1.weekdays, c1.hours], [[1, 2, 3, 4, 5, 6], '08:30-12:00,13:30-17:30'], 'GET shows the new week');
  const d = await due(e, '2026-03-06T17:00:00+08:00', 1, 'wd');
  assert.equal(d.seconds, 7.5 * 3600, 'a working day is now 7.5 h');
  assert.equal(unix(d.due_at), unix('2026-03-07T17:00:00+08:00'), `Fri 0.5 h, then Saturday 08:30-12:00 and 13:30-17:00; got ${d.due_at}`);
  // back to the seeded week
  const back = await e.req('PUT', '/api/v1/calendar', 'admin', { weekdays: [1, 2, 3, 4, 5], hours: '09:00-12:00,13:00-18:00' });
  assert.equal(back.status, 200, back.text);
  assert.equal((await due(e, '2026-03-06T17:00:00+08:00', 1, 'wd')).due_at, d0.due_at, 'the seeded week again');
  assert.deepEqual(put.json.calendar, { weekdays: [1, 2, 3, 4, 5, 6], hours: '08:30-12:00,13:30-17:30' }, `the reply to the PUT shows what was stored: ${put.text}`);
});

// ---- 2. every clock through the lifecycle -------------------------------------------------------

test('clocks through the lifecycle: each started and met on time, then the follow-up breached and escalated', async () => {
  const e = await life();
  const u = await e.units();
  // Tue 22 Sep 2026, 10:00: the complaint is heard and registered at once (received_at = now)
  await e.at('2026-09-22T10:00:00+08:00');
  const c0 = await e.register();
  const no = c0.case_no;
  assert.equal(c0.grade, 'g1', `a plain product complaint is g1: ${c0.grade}`);
  assert.equal(unix(c0.received_at), unix('2026-09-22T10:00:00+08:00'));
  assert.deepEqual(c0.clocks.map((k) => k.name), ['register', 'acknowledge', 'resolve'], 'registration starts these three clocks');
  assertClock(c0, 'register', { state: 'met', seq: 1, started_at: '2026-09-22T10:00:00+08:00', stopped_at: '2026-09-22T10:00:00+08:00',
    due_at: '2026-09-22T11:00:00+08:00', duration_seconds: 3600, working: false, breached_at: null });
  assertClock(c0, 'acknowledge', { state: 'running', due_at: '2026-09-23T10:00:00+08:00', warn_at: '2026-09-23T05:12:00+08:00',
    duration_seconds: 86400, working: false, stopped_at: null });
  // 5 working days = 40 h: Tue 7, Wed 8, Thu 8, (Fri 25th Mid-Autumn Festival, weekend), Mon 8, Tue 8, Wed 30th 1 h
  assertClock(c0, 'resolve', { state: 'running', due_at: '2026-09-30T10:00:00+08:00', warn_at: '2026-09-29T10:00:00+08:00',
    duration_seconds: 5 * 8 * 3600, working: true, stopped_at: null });
  assert.equal(c0.overdue, false);

  await e.at('2026-09-22T10:30:00+08:00');
  let c = await e.act(no, 'accept', { note: '已向客户说明受理' }, 'agent.shpd');
  assertClock(c, 'acknowledge', { state: 'met', stopped_at: '2026-09-22T10:30:00+08:00' });

  await e.at('2026-09-22T11:00:00+08:00');
  c = await e.act(no, 'assign', { dept: u.AFTERSALES.id, handler: 'handler.aftersales' }, 'sup.east');
  assertClock(c, 'first_contact', { state: 'running', started_at: '2026-09-22T11:00:00+08:00', due_at: '2026-09-23T11:00:00+08:00',
    duration_seconds: 86400, working: false });
  assertClock(c, 'solution', { state: 'running', started_at: '2026-09-22T11:00:00+08:00', due_at: '2026-09-23T11:00:00+08:00' });

  // a site visit becomes needed: 2 working days = 16 h: Tue 11:30-18:00 5.5 h, Wed 8 h, Thu 09:00-11:30
  await e.at('2026-09-22T11:30:00+08:00');
  let p = await e.req('PATCH', `/api/v1/cases/${no}`, 'handler.aftersales', { site_visit_needed: true });
  assert.equal(p.status, 200, p.text);
  assertClock(p.json.case, 'site_visit', { state: 'running', started_at: '2026-09-22T11:30:00+08:00', due_at: '2026-09-24T11:30:00+08:00',
    duration_seconds: 2 * 28800, working: true });
  await e.at('2026-09-22T11:45:00+08:00');
  p = await e.req('PATCH', `/api/v1/cases/${no}`, 'handler.aftersales', { site_visit_needed: true, description: '空调出风口异响，需上门检测鼓风机。' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.case.clocks.filter((k) => k.name === 'site_visit').length, 1, 'still needed: no second site-visit clock');

  await e.at('2026-09-22T14:00:00+08:00');
  await e.contact(no, { summary: '已致电客户王先生，约定明日上门检测空调', reached: true });
  c = await e.getCase(no);
  assertClock(c, 'first_contact', { state: 'met', stopped_at: '2026-09-22T14:00:00+08:00' });
  assertClock(c, 'solution', { state: 'running' });
  assertClock(c, 'site_visit', { state: 'running' }); // a phone call is no visit

  await e.at('2026-09-23T09:00:00+08:00');
  await e.contact(no, { method: 'visit', summary: '上门检测：鼓风机轴承磨损，需更换', reached: true });
  assertClock(await e.getCase(no), 'site_visit', { state: 'met', stopped_at: '2026-09-23T09:00:00+08:00' });

  await e.at('2026-09-23T10:00:00+08:00');
  c = await e.act(no, 'propose', { solutions: SMALL }, 'handler.aftersales');
  assertClock(c, 'solution', { state: 'met', stopped_at: '2026-09-23T10:00:00+08:00' });
  assertClock(c, 'approval', { state: 'running', seq: 1, started_at: '2026-09-23T10:00:00+08:00', due_at: '2026-09-23T14:00:00+08:00', duration_seconds: 4 * 3600 });

  // sent back: the approval decision is made (met); the new proposal starts a second run
  await e.at('2026-09-23T10:30:00+08:00');
  c = await e.act(no, 'send_back', { reason: '方案未写明配件费用由谁承担' }, 'sup.east');
  assertClock(c, 'approval', { state: 'met', seq: 1, stopped_at: '2026-09-23T10:30:00+08:00' });
  await e.at('2026-09-23T10:45:00+08:00');
  c = await e.act(no, 'propose', { solutions: [{ ...SMALL[0], description: '免费更换空调鼓风机（配件由厂家承担）' }] }, 'handler.aftersales');
  assertClock(c, 'approval', { state: 'running', seq: 2, started_at: '2026-09-23T10:45:00+08:00', due_at: '2026-09-23T14:45:00+08:00' });
  assert.equal(c.clocks.filter((k) => k.name === 'solution').length, 1, 'the solution clock is not started again by a second proposal');

  await e.at('2026-09-23T11:00:00+08:00');
  c = await e.act(no, 'approve', {}, 'handler.aftersales');
  assertClock(c, 'approval', { state: 'met', seq: 2, stopped_at: '2026-09-23T11:00:00+08:00' });

  await e.at('2026-09-23T15:00:00+08:00');
  c = await e.act(no, 'resolve', { customer_consent: true }, 'agent.shpd');
  assertClock(c, 'resolve', { state: 'met', stopped_at: '2026-09-23T15:00:00+08:00' });
  assertClock(c, 'follow_up', { state: 'running', started_at: '2026-09-23T15:00:00+08:00', due_at: '2026-09-24T15:00:00+08:00' });
  for (const k of c.clocks.filter((x) => x.name !== 'follow_up'))
    assert.equal(k.state, 'met', `every clock but the follow-up was met in time: ${JSON.stringify(k)}`);
  assert.equal(c.overdue, false, 'nothing overdue yet');

  // the follow-up visit is not made: Thu 24 Sep 16:00, an hour past due
  const r = await e.tick('2026-09-24T16:00:00+08:00');
  assert.ok(r.clocks >= 1, `the scheduler moved at least this case: ${JSON.stringify(r)}`);
  c = await e.getCase(no);
  assertClock(c, 'follow_up', { state: 'breached', breached_at: '2026-09-24T15:00:00+08:00', stopped_at: null });
  assert.equal(c.overdue, true, 'a breached clock marks the case overdue');
  assert.equal(c.sla_level, 1, 'escalated one level');
  assert.equal(c.escalated_to, u.HQ.id, `one tier up from the department AFTERSALES is the company (HQ ${u.HQ.id}): ${c.escalated_to}`);
  const overdue = (await e.history(no)).filter((h) => h.action === 'overdue');
  assert.equal(overdue.length, 1, `one overdue entry in the history: ${JSON.stringify(overdue)}`);
  assert.equal(overdue[0].actor, 'system');
  assert.equal(unix(overdue[0].at), unix('2026-09-24T16:00:00+08:00'), 'recorded when the scheduler saw it');
  assert.deepEqual(overdue[0].changes.overdue, [false, true], JSON.stringify(overdue[0].changes));
  assert.equal(overdue[0].changes.clock?.[1], 'follow_up', JSON.stringify(overdue[0].changes));
  const delays = (await e.req('GET', '/api/v1/delays', 'admin')).json.items.filter((x) => x.case_no === no);
  assert.equal(delays.length, 1, `one delay recorded: ${JSON.stringify(delays)}`);
  assert.equal(delays[0].clock, 'follow_up');
  assert.equal(delays[0].holder, 'agent.shpd', 'the follow-up is the owner\'s: the delay is recorded against them');
  assert.equal(unix(delays[0].due_at), unix('2026-09-24T15:00:00+08:00'));
  const own = await e.notifications('agent.shpd', 'sla_breach', no);
  assert.equal(own.length, 1, `the owner is told once: ${JSON.stringify(own)}`);
  assert.ok(own[0].title.includes(no) && own[0].title.includes('处理后回访'), `the title names the case and the clock: ${own[0].title}`);
  assert.equal((await e.notifications('gm', 'sla_breach', no)).length, 1, 'the general manager (the HQ tier) is told once');

  // the late follow-up stops the clock; it stays breached and nothing is recorded twice
  await e.at('2026-09-24T17:00:00+08:00');
  c = await e.act(no, 'follow_up', { satisfaction: 5, method: 'phone', comment: '空调已修好，客户满意' }, 'agent.shpd');
  assertClock(c, 'follow_up', { state: 'breached', stopped_at: '2026-09-24T17:00:00+08:00', breached_at: '2026-09-24T15:00:00+08:00' });
  await e.tick('2026-09-24T18:00:00+08:00');
  assert.equal((await e.history(no)).filter((h) => h.action === 'overdue').length, 1, 'still one overdue entry');
  assert.equal((await e.req('GET', '/api/v1/delays', 'admin')).json.items.filter((x) => x.case_no === no).length, 1, 'still one delay');
  // who sees the delay: the people of the case, not another region
  assert.equal((await e.req('GET', '/api/v1/delays', 'agent.shpd')).json.items.filter((x) => x.case_no === no).length, 1, 'the owner sees it');
  assert.equal((await e.req('GET', '/api/v1/delays', 'agent.bj4s')).json.items.filter((x) => x.case_no === no).length, 0, 'a Beijing agent does not');

  // reopened on Mon 28 Sep 10:00: complained again after handling makes it g2, and the resolution
  // clock runs again, 10 wd from the reopening: Mon 7 h, Tue 8, Wed 8, (National Day), Thu 8 Oct 8,
  // Fri 8, the make-up Sat 10 Oct 8, Mon-Thu 12-15 Oct 32, Fri 16 Oct 1 h
  await e.at('2026-09-28T10:00:00+08:00');
  c = await e.act(no, 'reopen', { reason: '客户来电反映空调再次异响' }, 'agent.shpd');
  assert.equal(c.grade, 'g2', `reopened after handling: g2 (${JSON.stringify(c.grade_reasons)})`);
  assertClock(c, 'resolve', { state: 'running', seq: 2, started_at: '2026-09-28T10:00:00+08:00', due_at: '2026-10-16T10:00:00+08:00',
    duration_seconds: 10 * 28800 });
  assert.equal(c.clocks.find((k) => k.name === 'resolve' && k.seq === 1).state, 'met', 'the first run stays met');
  await e.at('2026-09-28T10:30:00+08:00');
  c = await e.act(no, 'withdraw', { reason: '客户表示不再追究' }, 'agent.shpd');
  for (const k of c.clocks) assert.ok(k.stopped_at !== null, `withdraw stops every clock: ${JSON.stringify(k)}`);
  assertClock(c, 'resolve', { state: 'met', seq: 2, stopped_at: '2026-09-28T10:30:00+08:00' });
});

test('channel deadlines run beside the internal clocks: 12315 ODR 10 working days, MIIT 30 days', async () => {
  const e = await life();
  await e.at('2026-09-22T10:00:00+08:00');
  const odr = await e.register({ channel: 'regulator_12315', description: '12315平台转来：新车空调异响，4S店多次维修未果，要求退车。' });
  assert.equal(odr.grade, 'g3', `an external channel makes the case g3: ${JSON.stringify(odr.grade_reasons)}`);
  assert.deepEqual(odr.clocks.map((k) => k.name).sort(), ['acknowledge', 'odr_12315', 'register', 'resolve']);
  // 80 working hours: Tue 7, Wed 8, Thu 8, (Mid-Autumn), Mon 8, Tue 8, Wed 8, (National Day), Thu 8, Fri 8, Sat 10 Oct 8, Mon 8, Tue 13 Oct 1
  assertClock(odr, 'odr_12315', { state: 'running', due_at: '2026-10-13T10:00:00+08:00', working: true, duration_seconds: 10 * 28800 });
  assertClock(odr, 'resolve', { due_at: '2026-10-20T10:00:00+08:00', duration_seconds: 15 * 28800 }); // g3: 15 wd
  assertClock(odr, 'acknowledge', { due_at: '2026-09-22T14:00:00+08:00', duration_seconds: 4 * 3600 }); // g3: 4 h

  const miit = await e.register({ channel: 'miit', category: 'unauthorised_activation', description: '工信部申诉转来：未经同意开通彩铃并扣费。' });
  assert.deepEqual(miit.clocks.map((k) => k.name).sort(), ['acknowledge', 'miit_answer', 'register', 'resolve']);
  assertClock(miit, 'miit_answer', { state: 'running', due_at: '2026-10-22T10:00:00+08:00', working: false, duration_seconds: 30 * 86400 });

  // resolving the case meets the platform's deadline too
  const u = await e.units();
  const no = odr.case_no;
  await e.at('2026-09-22T11:00:00+08:00');
  await e.act(no, 'accept', {}, 'agent.shpd');
  await e.act(no, 'assign', { dept: u.AFTERSALES.id, handler: 'handler.aftersales' }, 'sup.east');
  await e.act(no, 'propose', { solutions: SMALL }, 'handler.aftersales');
  await e.act(no, 'approve', {}, 'gm');
  await e.at('2026-09-23T16:00:00+08:00');
  const c = await e.act(no, 'resolve', { customer_consent: true }, 'agent.shpd');
  assertClock(c, 'odr_12315', { state: 'met', stopped_at: '2026-09-23T16:00:00+08:00' });
  assertClock(c, 'resolve', { state: 'met', stopped_at: '2026-09-23T16:00:00+08:00' });
  await e.act(miit.case_no, 'withdraw', { reason: '测试结束' }, 'agent.shpd');
  await e.act(no, 'withdraw', { reason: '测试结束' }, 'agent.shpd');
});

test('letters: the acknowledgement (受理函) in Chinese and English, sent at registration, templates guarded', async () => {
  const e = await life();
  // Mon 28 Sep 2026, 09:30; 5 working days end on the make-up Saturday 10 Oct, 09:30
  await e.at('2026-09-28T09:30:00+08:00');
  const c0 = await e.register({ complainant: { name: '张伟', email: 'zhang.wei@example.com' } });
  const no = c0.case_no;
  assertClock(c0, 'resolve', { due_at: '2026-10-10T09:30:00+08:00' });
  assertClock(c0, 'acknowledge', { state: 'met', stopped_at: '2026-09-28T09:30:00+08:00' });
  const letterEntry = (await e.history(no)).find((h) => h.action === 'letter');
  assert.ok(letterEntry, 'the automatic acknowledgement is in the history');
  assert.equal(letterEntry.actor, 'system');

  const zh = await e.req('GET', `/api/v1/cases/${no}/letters/acknowledgement?lang=zh`, 'agent.shpd');
  assert.equal(zh.status, 200, zh.text);
  assert.equal(zh.json.letter.subject, `投诉受理函（${no}）`);
  for (const part of ['尊敬的张伟', no, '2026-10-10 09:30', '2026-09-28 09:30'])
    assert.ok(zh.json.letter.text.includes(part), `the Chinese letter should contain ${part}:\n${zh.json.letter.text}`);
  assert.ok(zh.json.letter.html.includes(no), 'the HTML version names the case');
  assert.ok(!zh.json.letter.text.includes('{{'), 'no placeholder is left');
  const en = await e.req('GET', `/api/v1/cases/${no}/letters/acknowledgement?lang=en`, 'agent.shpd');
  assert.equal(en.status, 200, en.text);
  assert.equal(en.json.letter.subject, `Your complaint ${no} has been received`);
  assert.ok(en.json.letter.text.includes('We will answer you by 2026-10-10 09:30'), `the English letter gives the answer date:\n${en.json.letter.text}`);
  assert422(await e.req('GET', `/api/v1/cases/${no}/letters/acknowledgement?lang=fr`, 'agent.shpd'), 'lang');
  assertError(await e.req('GET', `/api/v1/cases/${no}/letters/no_such_letter`, 'agent.shpd'), 404);
  assertError(await e.req('GET', `/api/v1/cases/${no}/letters/acknowledgement`, 'agent.bj4s'), 404); // a Beijing agent does not see it

  // the queued acknowledgement goes out at the next tick
  const queued = (await e.outbox('pending')).filter((o) => o.case_no === no);
  assert.equal(queued.length, 1, `one mail queued at registration: ${JSON.stringify(queued)}`);
  assert.deepEqual([queued[0].kind, queued[0].target], ['email', 'zhang.wei@example.com']);
  await e.tick('2026-09-28T09:31:00+08:00');
  const mails = e.sink.messages.filter((m) => m.to.includes('zhang.wei@example.com'));
  assert.equal(mails.length, 1, `one acknowledgement e-mail: ${JSON.stringify(mails.map((m) => m.subject))}`);
  assert.equal(mails[0].subject, `投诉受理函（${no}）`, 'the Chinese subject survives the encoding');
  assert.equal(mails[0].from, 'tousu@example.com');
  assert.ok(mails[0].text.includes('2026-10-10 09:30') && mails[0].text.includes('尊敬的张伟'), mails[0].text);
  assert.ok(mails[0].html && mails[0].html.includes(no), 'the letter also goes as HTML');

  // templates: only admins, only known variables
  const list0 = (await e.req('GET', '/api/v1/letter-templates', 'agent.shpd')).json.items;
  assert.ok(list0.some((t) => t.code === 'acknowledgement' && t.lang === 'zh'), 'the seeded templates are listed');
  const good = { subject: '处理结果通知（{{case_no}}）', body: '尊敬的{{customer_name}}：\n\n您的投诉{{case_no}}已处理完毕：{{reply}}\n\n{{org_name}}' };
  assertError(await e.req('PUT', '/api/v1/letter-templates/result/zh', 'sup.east', good), 403);
  assert422(await e.req('PUT', '/api/v1/letter-templates/result/zh', 'admin', { ...good, body: '尊敬的{{customer_name}}，您的电话{{customer_phone}}' }), 'body');
  assert422(await e.req('PUT', '/api/v1/letter-templates/result/zh', 'admin', { ...good, subject: '{{case_number}}' }), 'subject');
  assert422(await e.req('PUT', '/api/v1/letter-templates/result/xx', 'admin', good), 'lang');
  assert.deepEqual((await e.req('GET', '/api/v1/letter-templates', 'agent.shpd')).json.items, list0, 'refused template changes change nothing');
  const orig = list0.find((t) => t.code === 'result' && t.lang === 'zh');
  const put = await e.req('PUT', '/api/v1/letter-templates/result/zh', 'admin', good);
  assert.equal(put.status, 200, put.text);
  const res = await e.req('GET', `/api/v1/cases/${no}/letters/result`, 'agent.shpd');
  assert.equal(res.json.letter.subject, `处理结果通知（${no}）`, 'the new template is used');
  const restore = await e.req('PUT', '/api/v1/letter-templates/result/zh', 'admin', { subject: orig.subject, body: orig.body });
  assert.equal(restore.status, 200, restore.text);

  // a letter on request, in English, to another address
  const sent = await e.req('POST', `/api/v1/cases/${no}/letters/apology`, 'agent.shpd', { lang: 'en', to: 'zhang.wei.office@example.com' });
  assert.equal(sent.status, 202, sent.text);
  assert.equal(sent.json.letter.lang, 'en', `the reply says English: ${sent.text}`);
  await e.tick('2026-09-28T09:40:00+08:00');
  const apology = e.sink.messages.filter((m) => m.to.includes('zhang.wei.office@example.com'));
  assert.equal(apology.length, 1, 'the requested letter is delivered once');
  assert.equal(apology[0].subject, `Our apology (${no})`, `the letter was asked for in English: ${apology[0].subject}`);
  const bad = await e.req('POST', `/api/v1/cases/${no}/letters/apology`, 'agent.shpd', { lang: 'en', to: '张伟的邮箱' });
  refused422(bad, 'to', 'a letter to "张伟的邮箱" (not an e-mail address)');
});

test('letters in English carry no Chinese filler text', async () => {
  const e = await life();
  await e.at('2026-09-28T11:00:00+08:00');
  const c = await e.register({ complainant: { name: 'Li Lei' } }); // no title given
  const en = await e.req('GET', `/api/v1/cases/${c.case_no}/letters/acknowledgement?lang=en`, 'agent.shpd');
  assert.equal(en.status, 200, en.text);
  assert.ok(!en.json.letter.text.includes('您反映的问题'),
    `a case without a title must not put the Chinese default "您反映的问题" into an English letter:\n${en.json.letter.text}`);
  await e.act(c.case_no, 'withdraw', { reason: '测试结束' }, 'agent.shpd');
});

test('letters of a suspended case still give the customer an answer date', async () => {
  const e = await life();
  await e.at('2026-10-12T10:00:00+08:00');
  const no = (await e.register({ complainant: { name: '陈静' } })).case_no;
  await e.act(no, 'accept', {}, 'agent.shpd');
  await e.at('2026-10-13T15:00:00+08:00');
  await e.act(no, 'suspend', { reason: '等待厂家出具检测报告', remind_on: '2026-10-20' }, 'agent.shpd');
  for (const lang of ['zh', 'en']) {
    const r = await e.req('GET', `/api/v1/cases/${no}/letters/acknowledgement?lang=${lang}`, 'agent.shpd');
    assert.equal(r.status, 200, r.text);
    assert.ok(!/answer you by \.|将在之前/.test(r.json.letter.text),
      `the ${lang} acknowledgement of a suspended case promises an answer by an empty date (the paused clock has no due time):\n${r.json.letter.text}`);
  }
  await e.act(no, 'withdraw', { reason: '测试结束' }, 'agent.shpd');
});

test('pause and resume: a suspended case\'s resolution clock stops and moves later by exactly the paused working time', async () => {
  const e = await life();
  // Mon 12 Oct 2026, 10:00 (after National Day): 5 wd end Mon 19 Oct 10:00
  await e.at('2026-10-12T10:00:00+08:00');
  const no = (await e.register()).case_no;
  await e.act(no, 'accept', {}, 'agent.shpd');
  let c = await e.getCase(no);
  assertClock(c, 'resolve', { state: 'running', due_at: '2026-10-19T10:00:00+08:00' });

  // Tue 13 Oct 15:00: waiting for the maker's test report. Used: Mon 7 h + Tue 5 h = 12 h; 28 h left
  await e.at('2026-10-13T15:00:00+08:00');
  c = await e.act(no, 'suspend', { reason: '等待厂家出具检测报告', remind_on: '2026-10-20' }, 'agent.shpd');
  assert.equal(c.status, 'pending');
  const paused = assertClock(c, 'resolve', { state: 'paused', due_at: null, warn_at: null, remaining_seconds: 28 * 3600 });
  assert.equal(paused.stopped_at, null, 'a paused clock is not stopped');

  // the old due time passes while paused: no breach
  await e.tick('2026-10-19T12:00:00+08:00');
  c = await e.getCase(no);
  assertClock(c, 'resolve', { state: 'paused', remaining_seconds: 28 * 3600 });
  assert.equal(c.overdue, false, 'a paused clock cannot make the case overdue');
  assert.equal((await e.history(no)).filter((h) => h.action === 'overdue').length, 0);

  // Mon 19 Oct 14:00: resumed. 28 h from there: Mon 4, Tue 8, Wed 8, Thu 8 -> Thu 22 Oct 18:00
  await e.at('2026-10-19T14:00:00+08:00');
  c = await e.act(no, 'resume', {}, 'agent.shpd');
  const k = assertClock(c, 'resolve', { state: 'running', due_at: '2026-10-22T18:00:00+08:00', seq: 1 });
  assert.ok(!('remaining_seconds' in k), 'remaining_seconds is only shown while paused');
  // the same thing said the other way: the old due time + the paused working time (Tue 3, Wed-Fri 24, Mon 4 = 31 h)
  const d = await due(e, '2026-10-19T10:00:00+08:00', 31, 'wh');
  assert.equal(unix(k.due_at), unix(d.due_at), `due moves by exactly the paused working time: ${k.due_at} vs ${d.due_at}`);

  // a second pause counts on from what was used: Wed 21 Oct 10:00 has used 12 + 13 = 25 h, 15 h left;
  // resumed Thu 22 Oct 09:00: Thu 8 h + Fri 7 h -> Fri 23 Oct 17:00
  await e.at('2026-10-21T10:00:00+08:00');
  c = await e.act(no, 'suspend', { reason: '客户出差，暂无法到店', remind_on: '2026-10-22' }, 'agent.shpd');
  assertClock(c, 'resolve', { state: 'paused', remaining_seconds: 15 * 3600 });
  await e.at('2026-10-22T09:00:00+08:00');
  c = await e.act(no, 'resume', {}, 'agent.shpd');
  assertClock(c, 'resolve', { state: 'running', due_at: '2026-10-23T17:00:00+08:00' });
  // withdrawn: every clock stops
  await e.at('2026-10-22T10:00:00+08:00');
  c = await e.act(no, 'withdraw', { reason: '客户撤回投诉' }, 'agent.shpd');
  for (const x of c.clocks) assert.ok(x.stopped_at !== null && x.state !== 'running', `withdraw stops every clock: ${JSON.stringify(x)}`);
});

test('regrade recomputes the open clocks: an injury makes a g1 case g4 (30 working days, 2 h acknowledgement, 1 h first contact)', async () => {
  const e = await life();
  await e.at('2026-10-12T10:00:00+08:00');
  const no = (await e.register()).case_no;
  let c = await e.getCase(no);
  assert.equal(c.grade, 'g1');
  assertClock(c, 'acknowledge', { due_at: '2026-10-13T10:00:00+08:00', duration_seconds: 86400 });
  assertClock(c, 'resolve', { due_at: '2026-10-19T10:00:00+08:00', duration_seconds: 5 * 28800 });

  await e.at('2026-10-12T10:30:00+08:00');
  const p = await e.req('PATCH', `/api/v1/cases/${no}`, 'agent.shpd', { flags: { injury: true }, description: '空调鼓风机起火冒烟，客户手部烫伤，已就医。' });
  assert.equal(p.status, 200, p.text);
  c = await e.getCase(no);
  assert.equal(c.grade, 'g4', `a personal injury makes the case g4: ${JSON.stringify(c.grade_reasons)}`);
  // still counted from received_at (10:00): 2 h -> 12:00; 30 wd -> 240 working hours -> Mon 23 Nov 10:00
  assertClock(c, 'acknowledge', { state: 'running', due_at: '2026-10-12T12:00:00+08:00', duration_seconds: 7200, started_at: '2026-10-12T10:00:00+08:00' });
  assertClock(c, 'resolve', { state: 'running', due_at: '2026-11-23T10:00:00+08:00', duration_seconds: 30 * 28800 });
  assertClock(c, 'register', { state: 'met' });

  // clocks started after the regrade use the g4 limits: first contact 1 h, solution 24 h
  await e.at('2026-10-12T11:00:00+08:00');
  await e.act(no, 'accept', {}, 'agent.shpd');
  const u = await e.units();
  c = await e.act(no, 'assign', { dept: u.AFTERSALES.id, handler: 'handler.aftersales' }, 'sup.east');
  assertClock(c, 'first_contact', { due_at: '2026-10-12T12:00:00+08:00', duration_seconds: 3600 });
  assertClock(c, 'solution', { due_at: '2026-10-13T11:00:00+08:00', duration_seconds: 86400 });
  assertClock(c, 'acknowledge', { state: 'met', stopped_at: '2026-10-12T11:00:00+08:00' });
  await e.act(no, 'withdraw', { reason: '测试结束' }, 'agent.shpd');
});

test('a regrade while paused changes what remains: g1 -> g2 gives 80 working hours less the 12 used', async () => {
  const e = await life();
  await e.at('2026-10-12T10:00:00+08:00');
  const no = (await e.register()).case_no;
  await e.act(no, 'accept', {}, 'agent.shpd');
  await e.at('2026-10-13T15:00:00+08:00');
  let c = await e.act(no, 'suspend', { reason: '等待第三方检测机构出具报告', remind_on: '2026-10-20' }, 'agent.shpd');
  assertClock(c, 'resolve', { state: 'paused', remaining_seconds: 28 * 3600 });
  await e.at('2026-10-14T10:00:00+08:00');
  c = await e.act(no, 'regrade', { grade: 'g2', reason: '同一客户近期多次反映同类问题' }, 'sup.east');
  assert.equal(c.grade, 'g2');
  assertClock(c, 'resolve', { state: 'paused', due_at: null, duration_seconds: 10 * 28800, remaining_seconds: 68 * 3600 });
  // resumed Thu 15 Oct 09:00 + 68 h: Thu, Fri, Mon-Fri (48 h more), Mon 26, Tue 27 09:00-12:00 + 13:00-14:00
  await e.at('2026-10-15T09:00:00+08:00');
  c = await e.act(no, 'resume', {}, 'agent.shpd');
  assertClock(c, 'resolve', { state: 'running', due_at: '2026-10-27T14:00:00+08:00' });
  await e.act(no, 'withdraw', { reason: '测试结束' }, 'agent.shpd');
});

test('a complaint registered more than an hour after it was heard breaches the register clock at once', async () => {
  const e = await life();
  const u = await e.units();
  await e.at('2026-11-02T11:00:00+08:00');
  // heard at the counter at 09:00, typed in at 11:00
  const c = await e.register({ received_at: '2026-11-02T09:00:00+08:00' });
  assertClock(c, 'register', { state: 'breached', started_at: '2026-11-02T09:00:00+08:00', due_at: '2026-11-02T10:00:00+08:00',
    breached_at: '2026-11-02T10:00:00+08:00', stopped_at: '2026-11-02T11:00:00+08:00' });
  assertClock(c, 'acknowledge', { state: 'running', due_at: '2026-11-03T09:00:00+08:00' }); // from when it was heard
  assertClock(c, 'resolve', { due_at: '2026-11-06T18:00:00+08:00' }); // Mon 09:00 + 40 working hours: five full days, Fri 18:00
  assert.equal(c.overdue, true, 'late registration makes the case overdue at once');
  assert.equal(c.dept, u.QA.id, 'product complaints are routed to the quality department (QA) at registration');
  assert.equal(c.escalated_to, u.HQ.id, `one tier up from the case's department QA is the company HQ (${u.HQ.id}): ${c.escalated_to}`);
  assert.equal(c.sla_level, 1);
  const h = await e.history(c.case_no);
  assert.deepEqual(h.map((x) => x.action), ['register', 'overdue'], JSON.stringify(h.map((x) => [x.action, x.actor])));
  const delays = (await e.req('GET', '/api/v1/delays?holder=agent.shpd', 'admin')).json.items.filter((x) => x.case_no === c.case_no);
  assert.deepEqual(delays.map((x) => [x.clock, x.holder, x.unit]), [['register', 'agent.shpd', '上海浦东华信大众4S店']]);
  assert.equal((await e.notifications('agent.shpd', 'sla_breach', c.case_no)).length, 1, 'the owner, who held the clock, is told');
  assert.equal((await e.notifications('gm', 'sla_breach', c.case_no)).length, 1, 'the tier above (HQ) is told');
  // a time in the future is refused
  const r = await e.req('POST', '/api/v1/cases', 'agent.shpd', caseBody({ received_at: '2026-11-02T12:00:00+08:00', complainant: { name: '未来客户', phone: '13700001111' } }));
  assert422(r, 'received_at');
  await e.act(c.case_no, 'withdraw', { reason: '测试结束' }, 'agent.shpd');
});

test('unreachable customer: a g1 first contact gets 48 h from assignment instead of 24 h', async () => {
  const e = await life();
  await e.at('2026-11-04T09:00:00+08:00');
  const c0 = await e.register();
  const no = c0.case_no;
  await e.act(no, 'accept', {}, 'agent.shpd');
  await e.at('2026-11-04T10:00:00+08:00');
  const u = await e.units();
  let c = await e.act(no, 'assign', { dept: u.AFTERSALES.id, handler: 'handler.aftersales' }, 'sup.east');
  assertClock(c, 'first_contact', { due_at: '2026-11-05T10:00:00+08:00', duration_seconds: 86400 });

  await e.at('2026-11-04T15:00:00+08:00');
  const ct = await e.contact(no, { summary: '拨打客户电话三次均无人接听', reached: false });
  assert.equal(ct.reached, false, `the contact is stored as not reached: ${JSON.stringify(ct)}`);
  c = await e.getCase(no);
  assertClock(c, 'first_contact', { state: 'running', due_at: '2026-11-06T10:00:00+08:00', duration_seconds: 172800, unreachable: true,
    started_at: '2026-11-04T10:00:00+08:00' });
  assertClock(c, 'solution', { state: 'running', due_at: '2026-11-06T10:00:00+08:00', unreachable: true });

  // a second failed call does not lengthen it again
  await e.at('2026-11-04T17:00:00+08:00');
  await e.contact(no, { summary: '再次致电仍无人接听，已发短信', reached: false });
  assertClock(await e.getCase(no), 'first_contact', { due_at: '2026-11-06T10:00:00+08:00' });

  // past the 24 h limit, within the 48 h one: not overdue
  await e.tick('2026-11-05T11:00:00+08:00');
  c = await e.getCase(no);
  assertClock(c, 'first_contact', { state: 'running' });
  assert.equal(c.overdue, false, 'the longer limit applies: not overdue after 25 h');
  await e.at('2026-11-05T16:00:00+08:00');
  await e.contact(no, { summary: '客户回电后接通，约定周六到店', reached: true });
  c = await e.getCase(no);
  assertClock(c, 'first_contact', { state: 'met', stopped_at: '2026-11-05T16:00:00+08:00' });
  assert.equal(c.overdue, false);
  await e.act(no, 'withdraw', { reason: '测试结束' }, 'agent.shpd');
});

// ---- 3. warnings and breaches, delivered ----------------------------------------------------------

test('80 % warns the handler and their manager (in-app, e-mail, signed webhook) once; 100 % breaches, escalates and tells the tier once', async () => {
  const e = await fresh();
  const u = await e.units();
  for (const who of ['handler.aftersales', 'mgr.aftersales', 'gm']) await e.setEmail(who, `${who}@example.com`);
  const hook = await e.hook();
  const breachOnly = await startWebhookReceiver();
  e.closers.push(() => breachOnly.close());
  await e.webhook(breachOnly.url, 'sla_breach');
  const listed = (await e.req('GET', '/api/v1/webhooks', 'admin')).json.items;
  assert.deepEqual(listed.map((w) => [w.url, w.events, w.active]), [[hook.url, '*', true], [breachOnly.url, 'sla_breach', true]]);
  assert.ok(!JSON.stringify(listed).includes(HOOK_SECRET), 'the secret is never shown again');

  // Tue 1 Dec 2026, 09:00: registered, accepted, assigned. First contact and solution: 24 h each
  await e.at('2026-12-01T09:00:00+08:00');
  const no = await assigned(e);
  let c = await e.getCase(no);
  const fc = assertClock(c, 'first_contact', { due_at: '2026-12-02T09:00:00+08:00', warn_at: '2026-12-02T04:12:00+08:00' });
  assertClock(c, 'solution', { due_at: '2026-12-02T09:00:00+08:00', warn_at: '2026-12-02T04:12:00+08:00' });

  let r = await e.tick('2026-12-02T04:11:59+08:00');
  assert.deepEqual(r, { clocks: 0, reminders: 0, reports: 0, sent: 0, retried: 0, failed: 0 }, 'a second before 80 % nothing happens');
  assert.equal(hook.attempts.length, 0);

  // 80 % of 24 h = 19 h 12 min; three ticks at once (two schedulers racing) do it once
  await e.at('2026-12-02T04:12:00+08:00');
  const par = await Promise.all([1, 2, 3].map(async () => {
    const t = await e.s.api('POST', '/api/v1/test/tick');
    assert.equal(t.status, 200, t.text);
    return t.json.result;
  }));
  r = par.reduce((a, x) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] + x[k]])));
  assert.ok(r.clocks >= 1, `the case was looked at: ${JSON.stringify(par)}`);
  // two warnings (first contact, solution) x (handler.aftersales, mgr.aftersales) e-mails + 2 webhooks
  assert.deepEqual([r.sent, r.retried, r.failed], [6, 0, 0], `4 e-mails and 2 webhooks sent, once: ${JSON.stringify(par)}`);
  for (const who of ['handler.aftersales', 'mgr.aftersales']) {
    const ws = await e.notifications(who, 'sla_warning', no);
    assert.equal(ws.length, 2, `${who} is warned about both clocks: ${JSON.stringify(ws)}`);
    assert.ok(ws.some((n) => n.title.includes('处理人首次联系客户')), `one warning names the first contact: ${ws.map((n) => n.title)}`);
    for (const n of ws) assert.ok(n.title.includes(no) && n.title.includes('2026-12-02 09:00'), `title: ${n.title}`);
    assert.equal(ws[0].read_at, null);
  }
  assert.equal((await e.notifications('gm', 'sla_warning', no)).length, 0, 'the general manager is not bothered with warnings');
  const warnMails = e.mails(no);
  assert.equal(warnMails.length, 4, `four warning e-mails: ${warnMails.map((m) => `${m.to} ${m.subject}`)}`);
  assert.deepEqual(warnMails.map((m) => m.to[0]).sort(), ['handler.aftersales@example.com', 'handler.aftersales@example.com', 'mgr.aftersales@example.com', 'mgr.aftersales@example.com']);
  for (const m of warnMails) assert.ok(m.subject.startsWith(`【时限预警】${no}`), `decoded Chinese subject: ${m.subject}`);
  assert.ok(warnMails.some((m) => m.subject === `【时限预警】${no} 处理人首次联系客户将于2026-12-02 09:00到期`),
    `the whole long Chinese subject survives the encoding: ${warnMails.map((m) => m.subject).join(' | ')}`);
  assert.ok(warnMails.every((m) => m.from === 'tousu@example.com' && m.text.includes(no)), 'sent from --smtp-from, the body names the case');
  assert.equal(hook.deliveries.length, 2, 'one webhook per warning');
  for (const d of hook.deliveries) {
    assert.ok(verifySignature(HOOK_SECRET, d.headers, d.body), `signature of ${d.body}`);
    assert.equal(d.headers['x-tousu-event'], 'sla_warning');
    assert.equal(Number(d.headers['x-tousu-timestamp']), unix('2026-12-02T04:12:00+08:00'), 'stamped with the server time of the send');
    assert.equal(d.json.kind, 'sla_warning');
    assert.equal(d.json.case_no, no);
    assert.equal(unix(d.json.due_at), unix(fc.due_at));
  }
  assert.deepEqual(hook.deliveries.map((d) => d.json.clock).sort(), ['first_contact', 'solution']);
  assert.equal(new Set(hook.deliveries.map((d) => d.headers['x-tousu-delivery'])).size, 2, 'each delivery has its own id');

  // idempotent: the same tick again, and a later one before the due time, add nothing
  for (const at of ['2026-12-02T04:12:00+08:00', '2026-12-02T08:59:59+08:00']) {
    r = await e.tick(at);
    assert.deepEqual(r, { clocks: 0, reminders: 0, reports: 0, sent: 0, retried: 0, failed: 0 }, `nothing new at ${at}`);
  }
  assert.equal((await e.notifications('handler.aftersales', 'sla_warning', no)).length, 2, 'no second warning');
  assert.equal(e.mails(no).length, 4, 'no second e-mail');
  assert.equal(hook.attempts.length, 2, 'no second webhook');
  assert.equal(breachOnly.attempts.length, 0, 'a subscription to sla_breach gets no warnings');
  c = await e.getCase(no);
  assert.equal(c.overdue, false, 'a warning does not make the case overdue');

  // 100 %: exactly at the due time
  r = await e.tick('2026-12-02T09:00:00+08:00');
  assert.equal(r.clocks, 1, JSON.stringify(r));
  // two breaches x (handler.aftersales, gm) e-mails + 2 webhooks to each subscription
  assert.deepEqual([r.sent, r.retried, r.failed], [8, 0, 0], `4 e-mails and 2 + 2 webhooks: ${JSON.stringify(r)}`);
  c = await e.getCase(no);
  for (const name of ['first_contact', 'solution'])
    assertClock(c, name, { state: 'breached', breached_at: '2026-12-02T09:00:00+08:00' });
  assert.equal(c.overdue, true);
  assert.ok(c.sla_level >= 1, `escalated: sla_level ${c.sla_level}`);
  assert.equal(c.escalated_to, u.HQ.id, `escalated from AFTERSALES to the company HQ: ${c.escalated_to}`);
  const hist = (await e.history(no)).filter((h) => h.action === 'overdue');
  assert.deepEqual(hist.map((h) => h.changes.clock?.[1]).sort(), ['first_contact', 'solution'], `one overdue entry per clock: ${JSON.stringify(hist)}`);
  assert.ok(hist.every((h) => h.actor === 'system'));
  const delays = (await e.req('GET', '/api/v1/delays?holder=handler.aftersales', 'admin')).json.items.filter((x) => x.case_no === no);
  assert.deepEqual(delays.map((x) => x.clock).sort(), ['first_contact', 'solution'], `the delays are recorded against the handler: ${JSON.stringify(delays)}`);
  for (const who of ['handler.aftersales', 'gm']) {
    const bs = await e.notifications(who, 'sla_breach', no);
    assert.equal(bs.length, 2, `${who} is told of both breaches once each: ${JSON.stringify(bs)}`);
    assert.ok(bs.every((n) => n.title.startsWith('【超时升级】')), bs.map((n) => n.title).join(' | '));
    assert.ok(bs.every((n) => n.body.includes('升级至华信综合服务集团有限公司') && n.body.includes('handler.aftersales')),
      `the breach says where it went and whose delay it is: ${bs.map((n) => n.body).join(' | ')}`);
  }
  const breachMails = e.mails(no).filter((m) => m.subject.startsWith('【超时升级】'));
  assert.deepEqual(breachMails.map((m) => m.to[0]).sort(), ['gm@example.com', 'gm@example.com', 'handler.aftersales@example.com', 'handler.aftersales@example.com']);

  // once more and later: nothing new; every event delivered exactly once
  for (const at of ['2026-12-02T09:00:00+08:00', '2026-12-02T12:00:00+08:00']) {
    r = await e.tick(at);
    assert.equal(r.sent + r.retried + r.failed, 0, `nothing more to deliver at ${at}: ${JSON.stringify(r)}`);
  }
  assert.equal(hook.attempts.length, 4, 'four webhook POSTs in all (2 warnings, 2 breaches)');
  assert.equal(hook.deliveries.length, 4);
  assert.equal(new Set(hook.deliveries.map((d) => d.headers['x-tousu-delivery'])).size, 4, 'four distinct delivery ids');
  const perEvent = {};
  for (const d of hook.deliveries) perEvent[d.json.event] = (perEvent[d.json.event] ?? 0) + 1;
  assert.deepEqual(Object.values(perEvent), [1, 1, 1, 1], `each event once: ${JSON.stringify(perEvent)}`);
  assert.ok(hook.deliveries.every((d) => verifySignature(HOOK_SECRET, d.headers, d.body)));
  assert.equal(e.mails(no).length, 8, 'eight e-mails in all');
  assert.deepEqual(breachOnly.deliveries.map((d) => d.json.kind), ['sla_breach', 'sla_breach'], 'the sla_breach subscription gets the two breaches');
  assert.ok(breachOnly.deliveries.every((d) => verifySignature(HOOK_SECRET, d.headers, d.body)));
  const sent = (await e.outbox('sent')).filter((o) => o.case_no === no);
  assert.equal(sent.length, 14, `the outbox shows the fourteen deliveries (8 e-mails, 4 + 2 webhooks) as sent: ${sent.length}`);
  assert.ok(sent.every((o) => o.attempts === 1 && o.last_error === null), 'each in one attempt');

  // the late first contact stops the clock; no second breach
  await e.at('2026-12-02T10:00:00+08:00');
  await e.contact(no, { summary: '终于联系上客户，致歉并约定上门', reached: true });
  c = await e.getCase(no);
  assertClock(c, 'first_contact', { state: 'breached', stopped_at: '2026-12-02T10:00:00+08:00' });
  assert.equal((await e.history(no)).filter((h) => h.action === 'overdue').length, 2, 'still two overdue entries');
});

test('notifications API: unread count, read one, read all; nobody reads another user\'s', async () => {
  const e = await fresh();
  await e.at('2026-12-01T09:00:00+08:00');
  const no = await assigned(e);
  const base = (await e.req('GET', '/api/v1/notifications', 'handler.aftersales')).json.unread;
  await e.tick('2026-12-02T04:30:00+08:00'); // both 24 h clocks warn

  let r = await e.req('GET', '/api/v1/notifications', 'handler.aftersales');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.unread, base + 2, `two new unread warnings: ${r.text}`);
  const mine = r.json.items.filter((n) => n.case_no === no && n.kind === 'sla_warning');
  assert.equal(mine.length, 2);
  for (const n of mine) {
    assert.equal(typeof n.id, 'number');
    assert.equal(unix(n.created_at), unix('2026-12-02T04:30:00+08:00'));
    assert.ok(n.body.includes(no), n.body);
  }
  assert.ok(r.json.items.every((n, i, a) => i === 0 || a[i - 1].id > n.id), 'newest first');

  // another user cannot read it, and it stays unread
  assertError(await e.req('POST', `/api/v1/notifications/${mine[0].id}/read`, 'mgr.aftersales'), 404);
  assertError(await e.req('POST', `/api/v1/notifications/${mine[0].id}/read`, 'agent.hotline'), 404);
  const others = (await e.req('GET', '/api/v1/notifications?limit=500', 'agent.hotline')).json.items;
  assert.ok(!others.some((n) => mine.some((m) => m.id === n.id)), 'nobody else lists them');
  assert.equal((await e.req('GET', '/api/v1/notifications', 'handler.aftersales')).json.unread, base + 2);

  r = await e.req('POST', `/api/v1/notifications/${mine[0].id}/read`, 'handler.aftersales');
  assert.equal(r.status, 200, r.text);
  r = await e.req('GET', '/api/v1/notifications', 'handler.aftersales');
  assert.equal(r.json.unread, base + 1, 'one fewer unread');
  const read = r.json.items.find((n) => n.id === mine[0].id);
  assert.equal(unix(read.read_at), unix('2026-12-02T04:30:00+08:00'), 'read_at is the time it was read');
  const unread = (await e.req('GET', '/api/v1/notifications?unread=true', 'handler.aftersales')).json.items;
  assert.ok(!unread.some((n) => n.id === mine[0].id) && unread.some((n) => n.id === mine[1].id), '?unread=true leaves out the read one');
  // reading it again later keeps the first read time
  await e.at('2026-12-02T05:00:00+08:00');
  assert.equal((await e.req('POST', `/api/v1/notifications/${mine[0].id}/read`, 'handler.aftersales')).status, 200);
  const again = (await e.req('GET', '/api/v1/notifications', 'handler.aftersales')).json.items.find((n) => n.id === mine[0].id);
  assert.equal(unix(again.read_at), unix('2026-12-02T04:30:00+08:00'), 'read_at does not move');

  const one = await e.req('GET', '/api/v1/notifications?limit=1', 'handler.aftersales');
  assert.equal(one.json.items.length, 1, '?limit=1 gives one');
  r = await e.req('POST', '/api/v1/notifications/read-all', 'handler.aftersales');
  assert.equal(r.status, 200, r.text);
  r = await e.req('GET', '/api/v1/notifications?limit=500', 'handler.aftersales');
  assert.equal(r.json.unread, 0, 'read-all leaves nothing unread');
  assert.ok(r.json.items.every((n) => n.read_at !== null), 'every item has read_at');
  assert.equal((await e.req('GET', '/api/v1/notifications?unread=true', 'handler.aftersales')).json.items.length, 0);
  assert.equal((await e.req('GET', '/api/v1/notifications', 'mgr.aftersales')).json.items.filter((n) => n.case_no === no && !n.read_at).length, 2,
    'the manager\'s own copies are still unread');

  assertError(await e.req('POST', '/api/v1/notifications/99999999/read', 'handler.aftersales'), 404);
  assertError(await e.req('POST', '/api/v1/notifications/abc/read', 'handler.aftersales'), 404);
  assertError(await e.req('GET', '/api/v1/notifications?unread=maybe', 'handler.aftersales'), 422);
  assertError(await e.req('GET', '/api/v1/notifications?limit=0', 'handler.aftersales'), 422);
  assertError(await e.s.api('GET', '/api/v1/notifications'), 401);
});

test('clocks nobody stops breach at their due time: resolution, site visit, 12315 ODR, MIIT, each with its delay', async () => {
  const e = await fresh();
  await e.at('2026-12-01T09:00:00+08:00');
  const phone = await assigned(e);
  await e.contact(phone, { summary: '已联系客户', reached: true });
  await e.act(phone, 'propose', { solutions: SMALL }, 'handler.aftersales'); // solution met; approval running
  await e.act(phone, 'approve', {}, 'handler.aftersales');
  await e.at('2026-12-01T09:30:00+08:00');
  const p = await e.req('PATCH', `/api/v1/cases/${phone}`, 'handler.aftersales', { site_visit_needed: true });
  assert.equal(p.status, 200, p.text);
  await e.at('2026-12-01T09:00:00+08:00');
  const odr = (await e.register({ channel: 'regulator_12315', description: '12315平台转来：购车后发现车辆有维修记录，要求退一赔三。' })).case_no;
  const miit = (await e.register({ channel: 'miit', category: 'unauthorised_activation', description: '工信部申诉：手机号被擅自开通增值业务，多次投诉未果。' })).case_no;
  for (const no of [odr, miit]) await e.act(no, 'accept', {}, 'agent.shpd');

  const r = await e.tick('2027-01-15T09:00:00+08:00');
  assert.ok(r.clocks >= 3, JSON.stringify(r));
  const want = [
    // case, clock, due (= breached_at), why
    [phone, 'site_visit', '2026-12-03T09:30:00+08:00', '2 wd from Tue 09:30'],
    [phone, 'resolve', '2026-12-07T18:00:00+08:00', '5 wd from Tue 09:00: Tue-Fri, Mon'],
    [odr, 'odr_12315', '2026-12-14T18:00:00+08:00', '10 wd from Tue 1 Dec 09:00'],
    [odr, 'resolve', '2026-12-21T18:00:00+08:00', 'g3: 15 wd'],
    [miit, 'miit_answer', '2026-12-31T09:00:00+08:00', '30 calendar days'],
  ];
  const delays = (await e.req('GET', '/api/v1/delays', 'admin')).json.items;
  for (const [no, name, at, why] of want) {
    const c = await e.getCase(no);
    assertClock(c, name, { state: 'breached', due_at: at, breached_at: at, stopped_at: null });
    assert.equal(c.overdue, true, `${no} is overdue`);
    const d = delays.filter((x) => x.case_no === no && x.clock === name);
    assert.equal(d.length, 1, `one delay for ${no} ${name} (${why}): ${JSON.stringify(d)}`);
    assert.equal(unix(d[0].breached_at), unix(at), `the delay is dated when the clock ran out (${why})`);
  }
  assertClock(await e.getCase(phone), 'solution', { state: 'met' });
  assertClock(await e.getCase(phone), 'approval', { state: 'met' });
  assert.equal((await e.history(odr)).filter((h) => h.action === 'overdue').length, 2, 'one overdue entry per breached clock');
  assert.deepEqual(await e.tick('2027-01-15T10:00:00+08:00'), { clocks: 0, reminders: 0, reports: 0, sent: 0, retried: 0, failed: 0 }, 'a breached clock is not looked at again');
});

// ---- 4. the outbox: retries, back-off, giving up, retry by hand ------------------------------------

test('a receiver that fails, then recovers: retried with back-off and delivered exactly once; given up after max attempts, retried by hand', async () => {
  const e = await fresh();
  await e.setEmail('agent.shpd', 'agent.shpd@example.com');
  const hook = await e.hook({ failFirst: 2, status: 503 });
  e.sink.setFailing(2);

  // registered, not acknowledged: only the 24 h acknowledgement clock warns at 19 h 12 min; the
  // owner agent.shpd (e-mail) and sup.east (no e-mail) are told
  await e.at('2026-12-01T09:00:00+08:00');
  const no = (await e.register()).case_no;
  const T1 = '2026-12-02T04:12:00+08:00';
  let r = await e.tick(T1);
  assert.deepEqual([r.sent, r.retried, r.failed], [0, 2, 0], `the e-mail and the webhook both failed and wait for a retry: ${JSON.stringify(r)}`);
  for (const who of ['agent.shpd', 'sup.east'])
    assert.equal((await e.notifications(who, 'sla_warning', no)).length, 1, `${who} is warned in the app whatever the mail does`);
  let rows = (await e.outbox('pending')).filter((o) => o.case_no === no);
  assert.equal(rows.length, 2, JSON.stringify(rows));
  for (const o of rows) {
    assert.equal(o.attempts, 1, `one attempt so far: ${JSON.stringify(o)}`);
    assert.ok(typeof o.last_error === 'string' && o.last_error.length > 0, `the error is kept: ${JSON.stringify(o)}`);
    assert.equal(unix(o.next_at), unix(T1) + 60, `first back-off 60 s: ${JSON.stringify(o)}`);
  }
  assert.ok(rows.find((o) => o.kind === 'webhook').last_error.includes('503'), 'the webhook error names the status');
  assert.deepEqual([hook.attempts.length, hook.deliveries.length, e.sink.attempts.length, e.sink.messages.length], [1, 0, 1, 0]);

  r = await e.tick(plus(T1, 59));
  assert.deepEqual([r.sent, r.retried, r.failed], [0, 0, 0], 'nothing is due before the back-off has passed');
  r = await e.tick(plus(T1, 60));
  assert.deepEqual([r.sent, r.retried, r.failed], [0, 2, 0], `second attempts fail too: ${JSON.stringify(r)}`);
  rows = (await e.outbox('pending')).filter((o) => o.case_no === no);
  for (const o of rows) {
    assert.equal(o.attempts, 2);
    assert.equal(unix(o.next_at), unix(T1) + 60 + 120, `the back-off doubles to 120 s: ${JSON.stringify(o)}`);
  }
  r = await e.tick(plus(T1, 179));
  assert.deepEqual([r.sent, r.retried], [0, 0], 'still waiting');
  r = await e.tick(plus(T1, 180));
  assert.deepEqual([r.sent, r.retried, r.failed], [2, 0, 0], `third attempts go through: ${JSON.stringify(r)}`);
  for (const at of [plus(T1, 600), plus(T1, 3600)]) {
    r = await e.tick(at);
    assert.equal(r.sent + r.retried + r.failed, 0, `nothing left at ${at}`);
  }
  assert.equal(hook.attempts.length, 3, 'three POSTs');
  assert.equal(hook.deliveries.length, 1, 'delivered exactly once');
  assert.equal(new Set(hook.attempts.map((a) => a.headers['x-tousu-delivery'])).size, 1, 'the same X-Tousu-Delivery on every retry');
  assert.ok(hook.attempts.every((a) => verifySignature(HOOK_SECRET, a.headers, a.body)), 'every attempt is signed');
  assert.ok(hook.attempts.every((a) => a.body === hook.attempts[0].body), 'the same payload on every retry');
  assert.equal(hook.deliveries[0].json.case_no, no);
  assert.equal(e.sink.attempts.length, 3);
  const mail = e.sink.messages.filter((m) => m.to.includes('agent.shpd@example.com'));
  assert.equal(mail.length, 1, 'the e-mail is delivered exactly once');
  assert.ok(mail[0].subject.includes(no) && mail[0].subject.includes('受理'), mail[0].subject);
  const sentRows = (await e.outbox('sent')).filter((o) => o.case_no === no);
  assert.equal(sentRows.length, 2);
  assert.ok(sentRows.every((o) => o.attempts === 3 && o.sent_at !== null), JSON.stringify(sentRows));
  assert.equal(hook.deliveries[0].headers['x-tousu-delivery'], `outbox-${sentRows.find((o) => o.kind === 'webhook').id}`);

  // given up: at most 2 attempts, a receiver that keeps failing
  const set = await e.req('PUT', '/api/v1/config/settings/outbox_max_attempts', 'admin', { value: 2 });
  assert.equal(set.status, 200, set.text);
  assert.equal((await e.req('DELETE', `/api/v1/webhooks/${hook.id}`, 'admin')).status, 200);
  const down = await e.hook({ failFirst: 1000, status: 500 });
  r = await e.tick('2026-12-02T09:00:00+08:00'); // the acknowledgement clock breaches
  assert.deepEqual([r.retried, r.failed], [1, 0], `the breach webhook fails once and waits: ${JSON.stringify(r)}`);
  r = await e.tick('2026-12-02T09:01:00+08:00');
  assert.deepEqual([r.retried, r.failed], [0, 1], `the second failure is the last: ${JSON.stringify(r)}`);
  const failed = (await e.outbox('failed')).filter((o) => o.case_no === no);
  assert.equal(failed.length, 1, `GET /outbox?status=failed shows it: ${JSON.stringify(failed)}`);
  const f = failed[0];
  assert.deepEqual([f.kind, f.target, f.attempts, f.status], ['webhook', `webhook:${down.id}`, 2, 'failed']);
  assert.ok(f.event.endsWith(':breach') && f.last_error.includes('500'), JSON.stringify(f));
  r = await e.tick('2026-12-02T12:00:00+08:00');
  assert.equal(down.attempts.length, 2, 'a failed delivery is not tried again by itself');
  assert.equal(r.retried + r.failed, 0);

  down.setFailing(0);
  const again = await e.req('POST', `/api/v1/outbox/${f.id}/retry`, 'admin');
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.json, { id: f.id, status: 'pending' });
  assert.ok((await e.outbox('pending')).some((o) => o.id === f.id), 'pending again');
  r = await e.tick('2026-12-02T12:00:01+08:00');
  assert.equal(r.sent, 1, `delivered after the manual retry: ${JSON.stringify(r)}`);
  assert.equal(down.deliveries.length, 1);
  assert.equal(new Set(down.attempts.map((a) => a.headers['x-tousu-delivery'])).size, 1, 'same delivery id as the failed attempts');
  assert.equal(down.deliveries[0].headers['x-tousu-delivery'], `outbox-${f.id}`);
  assert.equal(down.deliveries[0].json.kind, 'sla_breach');
  assertError(await e.req('POST', `/api/v1/outbox/${f.id}/retry`, 'admin'), 404); // sent: nothing to retry
  assertError(await e.req('POST', '/api/v1/outbox/abc/retry', 'admin'), 404);
  assertError(await e.req('GET', '/api/v1/outbox', 'sup.east'), 403);
  assertError(await e.req('POST', `/api/v1/outbox/${f.id}/retry`, 'gm'), 403);
  assert422(await e.req('GET', '/api/v1/outbox?status=lost', 'admin'), 'status');
});

// ---- 5. restarts ---------------------------------------------------------------------------------

/* An HTTP receiver on a given port (to bring a webhook endpoint back where it was). */
function receiverOn(port) {
  const deliveries = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json = null;
      try {
        json = JSON.parse(body);
      } catch {}
      deliveries.push({ headers: { ...req.headers }, body, json });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({ deliveries, close: () => (server.closeAllConnections(), new Promise((r) => server.close(r))) }));
  });
}

test('restart in the middle of a breach: nothing lost, nothing doubled', async () => {
  const e = await fresh();
  const hook = await e.hook();
  await e.at('2026-12-01T09:00:00+08:00');
  const a = (await e.register()).case_no; // acknowledgement due Wed 2 Dec 09:00

  // killed before the scheduler saw the breach; the test clock is memory, so it is set again
  await e.s.kill9();
  await e.s.start();
  await e.at('2026-12-02T09:30:00+08:00');
  let c = await e.getCase(a);
  assertClock(c, 'acknowledge', { state: 'breached', due_at: '2026-12-02T09:00:00+08:00' }); // reads breached before the tick
  let r = await e.tick();
  assert.equal(r.clocks, 1, `the clock survived the restart and is moved: ${JSON.stringify(r)}`);
  c = await e.getCase(a);
  assert.equal(c.overdue, true);
  assertClock(c, 'acknowledge', { state: 'breached', breached_at: '2026-12-02T09:00:00+08:00' });
  const breachesA = () => hook.deliveries.filter((d) => d.json.case_no === a && d.json.kind === 'sla_breach');
  assert.equal(breachesA().length, 1, 'one breach webhook');

  // killed right after that tick: a restart does not do it again
  await e.s.kill9();
  await e.s.start();
  r = await e.tick('2026-12-02T09:45:00+08:00');
  assert.deepEqual(r, { clocks: 0, reminders: 0, reports: 0, sent: 0, retried: 0, failed: 0 }, 'nothing left to do after the restart');
  assert.equal((await e.history(a)).filter((h) => h.action === 'overdue').length, 1, 'one overdue entry');
  assert.equal(breachesA().length, 1, 'still one breach webhook');
  assert.equal(hook.attempts.length, hook.deliveries.length, 'no failed attempts');

  // the receiver goes down; a breach is queued and its first delivery fails; killed; restarted
  const port = hook.port;
  await hook.close();
  await e.at('2026-12-02T10:00:00+08:00');
  const b = (await e.register()).case_no; // acknowledgement due Thu 3 Dec 10:00
  const T = '2026-12-03T10:00:00+08:00';
  r = await e.tick(T);
  assert.ok(r.retried >= 1 && r.sent === 0, `the delivery to the dead receiver waits for a retry: ${JSON.stringify(r)}`);
  const queued = (await e.outbox('pending')).filter((o) => o.case_no === b && o.kind === 'webhook');
  assert.equal(queued.length, 1, JSON.stringify(queued));
  assert.equal(queued[0].attempts, 1);
  await e.s.kill9();
  await e.s.start();
  const back = await receiverOn(port);
  e.closers.push(back.close);
  r = await e.tick(plus(T, 59));
  assert.equal(back.deliveries.length, 0, 'the back-off survives the restart');
  r = await e.tick(plus(T, 60));
  assert.equal(r.sent, 1, `delivered after the restart: ${JSON.stringify(r)}`);
  for (const at of [plus(T, 600), plus(T, 7200)]) await e.tick(at);
  const bDeliveries = back.deliveries.filter((d) => d.json?.case_no === b);
  assert.equal(bDeliveries.length, 1, `the queued breach is delivered once: ${back.deliveries.map((d) => d.body)}`);
  assert.equal(bDeliveries[0].headers['x-tousu-delivery'], `outbox-${queued[0].id}`, 'under the id it was queued with');
  assert.ok(verifySignature(HOOK_SECRET, bDeliveries[0].headers, bDeliveries[0].body));
  assert.equal(back.deliveries.filter((d) => d.json?.case_no === a).length, 0, 'case A\'s breach is not sent again');

  // in the store: one of everything per event
  const ids = `(SELECT id FROM cases WHERE case_no IN ('${a}', '${b}'))`;
  const dupN = e.s.sql(`SELECT event, username, count(*) AS n FROM notifications WHERE case_id IN ${ids} GROUP BY event, username HAVING n > 1`);
  assert.deepEqual(dupN, [], 'no notification twice');
  const dupO = e.s.sql(`SELECT event, kind, target, count(*) AS n FROM outbox WHERE case_id IN ${ids} GROUP BY event, kind, target HAVING n > 1`);
  assert.deepEqual(dupO, [], 'no delivery queued twice');
  const perCase = e.s.sql(`SELECT c.case_no, (SELECT count(*) FROM case_history h WHERE h.case_id = c.id AND h.action = 'overdue') AS overdue,
      (SELECT count(*) FROM case_delays d WHERE d.case_id = c.id) AS delays FROM cases c WHERE c.id IN ${ids} ORDER BY c.case_no`);
  assert.deepEqual(perCase, [{ case_no: a, overdue: 1, delays: 1 }, { case_no: b, overdue: 1, delays: 1 }].sort((x, y) => x.case_no.localeCompare(y.case_no)),
    'one overdue entry and one delay per breached clock');
  const breachNotes = e.s.sql(`SELECT count(*) AS n FROM notifications WHERE case_id IN ${ids} AND kind = 'sla_breach' AND username = 'agent.shpd'`)[0].n;
  assert.equal(breachNotes, 2, 'the owner is told once per case');

  // killed in the middle of a delivery (the receiver has the request, the server never hears back):
  // the delivery is leased for 5 minutes, then sent again under the same id
  await back.close();
  const held = [];
  const late = [];
  const slow = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (ch) => chunks.push(ch));
    req.on('end', () => {
      const rec = { headers: { ...req.headers }, body: Buffer.concat(chunks).toString('utf8') };
      if (!held.length) held.push({ rec, res }); // never answered
      else {
        late.push(rec);
        res.writeHead(200).end('ok');
      }
    });
  });
  await new Promise((res) => slow.listen(port, '127.0.0.1', res));
  e.closers.push(() => (slow.closeAllConnections(), new Promise((res) => slow.close(res))));
  await e.at('2026-12-04T09:00:00+08:00');
  for (const no of [a, b]) await e.act(no, 'withdraw', { reason: '测试结束' }, 'agent.shpd'); // their clocks stop: only the new case speaks
  const cc = (await e.register()).case_no; // acknowledgement due Sat 5 Dec 09:00
  const T3 = '2026-12-05T09:00:00+08:00';
  await e.at(T3);
  const hung = e.s.api('POST', '/api/v1/test/tick').then((x) => x, (err) => err);
  const t0 = Date.now();
  while (!held.length && Date.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 20));
  assert.equal(held.length, 1, 'the receiver got the breach and holds it');
  await e.s.kill9();
  await hung;
  await e.s.start();
  assert.equal((await e.getCase(cc)).overdue, true, 'the breach itself was committed before the delivery began');
  r = await e.tick(plus(T3, 299));
  assert.equal(late.length, 0, `nothing is sent again while the lease of the dead sender runs: ${JSON.stringify(r)}`);
  r = await e.tick(plus(T3, 300));
  assert.equal(r.sent, 1, `the leased delivery is sent again: ${JSON.stringify(r)}`);
  assert.equal(late.length, 1);
  assert.equal(late[0].headers['x-tousu-delivery'], held[0].rec.headers['x-tousu-delivery'], 'the same delivery id, so the receiver can drop the duplicate');
  assert.equal(late[0].body, held[0].rec.body, 'the same payload');
  assert.equal((await e.history(cc)).filter((x) => x.action === 'overdue').length, 1, 'the breach is not recorded twice');
  held[0].res.destroy();
});

// ---- 6. the queue, the ledger, monthly reminders -------------------------------------------------------

test('queue nearest due first; pending-items ledger; monthly reminder on the 4th, once a month', async () => {
  const e = await fresh();
  const u = await e.units();
  await e.at('2026-12-01T08:30:00+08:00');
  const a = (await e.register()).case_no; // acknowledgement due Wed 2 Dec 08:30
  await e.at('2026-12-01T09:00:00+08:00');
  const b = (await e.register()).case_no; // acknowledgement due 09:00
  await e.at('2026-12-01T09:30:00+08:00');
  const cNo = (await e.register()).case_no;
  await e.act(cNo, 'accept', {}, 'agent.shpd'); // only resolve open: due Tue 8 Dec 09:30
  assertClock(await e.getCase(cNo), 'resolve', { due_at: '2026-12-08T09:30:00+08:00' });
  await e.at('2026-12-01T09:45:00+08:00');
  const d = (await e.register({ complainant: { name: '李娜', email: 'li.na@example.com' } })).case_no;
  await e.act(d, 'accept', {}, 'agent.shpd');
  await e.act(d, 'assign', { dept: u.AFTERSALES.id, handler: 'handler.aftersales' }, 'sup.east'); // first contact due 2 Dec 09:45
  await e.at('2026-12-01T10:00:00+08:00');
  const pend = await e.act(d, 'suspend', { reason: '等待厂家出具检测报告', remind_on: '2026-12-15' }, 'handler.aftersales');
  assert.equal(pend.status, 'pending');

  // the queue: every case at its nearest open clock, nearest first
  const q = await e.req('GET', '/api/v1/queue?per_page=500', 'gm');
  assert.equal(q.status, 200, q.text);
  const nearest = (c) => Math.min(...c.clocks.filter((k) => k.stopped_at === null && k.state !== 'paused' && k.state !== 'met').map((k) => unix(k.due_at)));
  const dues = q.json.items.map(nearest);
  assert.ok(dues.every((t, i) => i === 0 || dues[i - 1] <= t), `the queue is ordered by the nearest due time: ${q.json.items.map((c) => `${c.case_no}@${cst(nearest(c))}`)}`);
  assert.equal(q.json.total, q.json.items.length);
  const order = q.json.items.map((c) => c.case_no).filter((no) => [a, b, cNo, d].includes(no));
  assert.deepEqual(order, [a, b, d, cNo], 'A 08:30, B 09:00, D 09:45 (first contact) on Wed 2 Dec, then C on Tue 8 Dec');
  const mine = (await e.req('GET', '/api/v1/queue?mine=true', 'handler.aftersales')).json.items.map((c) => c.case_no);
  assert.ok(mine.includes(d) && !mine.includes(a), `?mine=true: only the handler's cases: ${mine}`);
  // the list's sort=due is the queue's order, under the list's filters
  const sorted = await e.req('GET', '/api/v1/cases?sort=due&per_page=500', 'gm');
  assert.equal(sorted.status, 200, sorted.text);
  assert.deepEqual(sorted.json.items.map((c) => c.case_no), q.json.items.map((c) => c.case_no), 'sort=due lists the queue');
  assert.equal(sorted.json.total, q.json.total);
  const east = await e.req('GET', `/api/v1/cases?sort=due&dept=${u.AFTERSALES.id}&per_page=500`, 'gm');
  assert.deepEqual(east.json.items.map((c) => c.case_no), q.json.items.filter((c) => c.dept === u.AFTERSALES.id).map((c) => c.case_no), 'a department\'s queue');
  assert.ok(east.json.items.some((c) => c.case_no === d), 'D waits on its first contact (its resolve clock is paused)');
  const g1 = await e.req('GET', '/api/v1/cases?sort=due&grade=g1&status=received&per_page=500', 'gm');
  assert.deepEqual(g1.json.items.map((c) => c.case_no).filter((no) => [a, b, cNo, d].includes(no)), [a, b], 'filters apply, order kept');
  const newest = await e.req('GET', '/api/v1/cases?sort=newest&per_page=2', 'gm');
  assert.equal(newest.status, 200);
  assert.equal(newest.json.items[0].case_no, d, 'sort=newest is the default order');
  const bad = await e.req('GET', '/api/v1/cases?sort=oldest', 'gm');
  assert.equal(bad.status, 422);
  assert.deepEqual(Object.keys(bad.json.error.details), ['sort']);
  const forAgent = (await e.req('GET', '/api/v1/queue?per_page=500', 'agent.bj4s')).json.items.map((c) => c.case_no);
  assert.ok(![a, b, cNo, d].some((no) => forAgent.includes(no)), 'a Beijing agent does not see Shanghai cases in the queue');

  // the ledger
  const led = await e.req('GET', '/api/v1/pending-items', 'sup.east');
  assert.equal(led.status, 200, led.text);
  assert.deepEqual(led.json.items.map((c) => c.case_no), [d], 'only the suspended case is a pending item');
  assert.ok(led.json.items.every((c) => c.status === 'pending'));
  assertClock(led.json.items[0], 'resolve', { state: 'paused' });

  // monthly reminders: not before the 4th
  let r = await e.tick('2026-12-03T09:00:00+08:00');
  assert.equal(r.reminders, 0, 'the 3rd: no reminder yet');
  const remind = async (who) => (await e.notifications(who, 'pending_items', d));
  assert.equal((await remind('handler.aftersales')).length, 0);
  r = await e.tick('2026-12-04T09:00:00+08:00');
  assert.equal(r.reminders, 1, `the 4th: the one pending case is reminded: ${JSON.stringify(r)}`);
  for (const who of ['handler.aftersales', 'agent.shpd']) {
    const n = await remind(who);
    assert.equal(n.length, 1, `${who} (handler / owner) gets one pending-items reminder: ${JSON.stringify(n)}`);
    assert.ok(n[0].title.includes('2026-12') && n[0].title.includes(d), n[0].title);
    assert.ok(n[0].body.includes('等待厂家出具检测报告'), n[0].body);
  }
  const custMail = () => e.sink.messages.filter((m) => m.to.includes('li.na@example.com') && m.subject.startsWith('未了事宜'));
  assert.equal(custMail().length, 1, 'the customer gets the pending-items letter');
  assert.equal(custMail()[0].subject, `未了事宜进展告知（${d}）`);
  assert.ok(custMail()[0].text.includes('等待厂家出具检测报告'), custMail()[0].text);
  for (const at of ['2026-12-04T10:00:00+08:00', '2026-12-20T09:00:00+08:00']) {
    r = await e.tick(at);
    assert.equal(r.reminders, 0, `${at}: once a month only`);
  }
  assert.equal((await remind('handler.aftersales')).length, 1, 'still one reminder in December');
  assert.equal(custMail().length, 1, 'still one letter in December');

  // next month, again once
  r = await e.tick('2027-01-04T09:00:00+08:00');
  assert.equal(r.reminders, 1, 'January 4th: reminded again');
  r = await e.tick('2027-01-05T09:00:00+08:00');
  assert.equal(r.reminders, 0);
  assert.equal((await remind('handler.aftersales')).length, 2, 'one reminder per month');
  assert.ok((await remind('agent.shpd')).some((n) => n.title.includes('2027-01')));
  assert.equal(custMail().length, 2);

  // the day is configurable
  const set = await e.req('PUT', '/api/v1/config/settings/pending_reminder_day', 'admin', { value: 10 });
  assert.equal(set.status, 200, set.text);
  r = await e.tick('2027-02-04T09:00:00+08:00');
  assert.equal(r.reminders, 0, 'with the day set to the 10th, nothing on the 4th');
  r = await e.tick('2027-02-10T09:00:00+08:00');
  assert.equal(r.reminders, 1, 'the 10th');
  // resumed: no longer a pending item, no more reminders
  await e.act(d, 'resume', {}, 'handler.aftersales');
  assert.deepEqual((await e.req('GET', '/api/v1/pending-items', 'sup.east')).json.items, []);
  r = await e.tick('2027-03-10T09:00:00+08:00');
  assert.equal(r.reminders, 0, 'no pending case, no reminder');
});

// ---- 7. bad input changes nothing; clock rules ------------------------------------------------------

let badEnv;
test('bad input changes nothing: clock rules, settings, webhooks, test clock', async () => {
  const e = (badEnv = await fresh());
  const get = async () => {
    const r = await e.req('GET', '/api/v1/config/clocks', 'admin');
    assert.equal(r.status, 200, r.text);
    return r.json.items;
  };
  const clocks0 = await get();
  const fc = clocks0.find((k) => k.name === 'first_contact');
  assert.deepEqual(fc.limits.g1, { amount: 24, unit: 'h', unreachable_amount: 48 }, 'the seeded g1 first contact: 24 h, 48 h if unreachable');
  assert.deepEqual([fc.start_on, fc.stop_on, fc.holder], ['assign', 'contact,resolve', 'handler']);
  const base = { start_on: fc.start_on, stop_on: fc.stop_on, holder: fc.holder, text_zh: fc.text_zh, text_en: fc.text_en };
  const BAD = [
    [{ ...base, limits: { g1: { amount: 0, unit: 'h' } } }, 'limits.g1'],
    [{ ...base, limits: { g1: { amount: 24, unit: 'weeks' } } }, 'limits.g1'],
    [{ ...base, limits: { g1: { amount: '24', unit: 'h' } } }, 'limits.g1'],
    [{ ...base, limits: { g1: { amount: 24, unit: 'h', unreachable_amount: 12 } } }, 'limits.g1'],
    // a misspelt unreachable_amount must not be dropped silently
    [{ ...base, limits: { g1: { amount: 24, unit: 'h', unreachable: 48 } } }, 'limits.g1'],
    [{ ...base, limits: { g5: { amount: 24, unit: 'h' } } }, 'limits.g5'],
    [{ ...base, limits: { g1: { amount: 100001, unit: 'min' } } }, 'limits.g1'],
    [{ ...base, limits: {} }, 'limits'],
    [{ ...base }, 'limits'],
    [{ ...base, limits: { g1: { amount: 24, unit: 'h' } }, sort: -1 }, 'sort'],
    [{ ...base, limits: { g1: { amount: 24, unit: 'h' } }, active: 'yes' }, 'active'],
    [{ ...base, limits: { g1: { amount: 24, unit: 'h' } }, colour: 'red' }, 'colour'],
  ];
  for (const [body, field] of BAD) {
    refused422(await e.req('PUT', '/api/v1/config/clocks/first_contact', 'admin', body), field, `PUT /config/clocks/first_contact ${JSON.stringify(body)}`);
    assert.deepEqual(await get(), clocks0, `a refused PUT (${field}) must leave the clock rules unchanged`);
  }
  assert422(await e.req('PUT', '/api/v1/config/clocks/First-Contact', 'admin', { ...base, limits: { g1: { amount: 24, unit: 'h' } } }), 'name');
  assertError(await e.req('PUT', '/api/v1/config/clocks/first_contact', 'gm', { ...base, limits: { g1: { amount: 48, unit: 'h' } } }), 403);
  assert.deepEqual(await get(), clocks0, 'the clock rules are unchanged');

  // settings
  const settings = async () => (await e.req('GET', '/api/v1/config/settings', 'admin')).json;
  const s0 = await settings();
  for (const [key, value] of [['outbox_max_attempts', 0], ['sla_warn_pct', 100], ['pending_reminder_day', 31], ['outbox_backoff_seconds', '60'], ['no_such_setting', 1]]) {
    const r = await e.req('PUT', `/api/v1/config/settings/${key}`, 'admin', { value });
    assertError(r, 422);
  }
  assert.deepEqual(await settings(), s0, 'refused settings change nothing');

  // webhooks
  for (const [body, field] of [
    [{ url: 'http://127.0.0.1:9/hook', secret: 'short' }, 'secret'],
    [{ url: 'ftp://127.0.0.1/hook', secret: HOOK_SECRET }, 'url'],
    [{ url: 'http://127.0.0.1:9/hook', secret: HOOK_SECRET, events: 'SLA breach!' }, 'events'],
    [{ secret: HOOK_SECRET }, 'url'],
  ])
    assert422(await e.req('POST', '/api/v1/webhooks', 'admin', body), field);
  assertError(await e.req('POST', '/api/v1/webhooks', 'sup.east', { url: 'http://127.0.0.1:9/hook', secret: HOOK_SECRET }), 403);
  assert.deepEqual((await e.req('GET', '/api/v1/webhooks', 'admin')).json.items, [], 'no webhook was created');

  // the test clock
  for (const body of [{ now: '明天上午' }, { now: '2026-12-02' }, { now: '2026-12-02T09:00:00+08:00', extra: 1 }, {}]) {
    const r = await e.s.api('PUT', '/api/v1/test/clock', { body });
    assert422(r, 'now');
  }
  const tick = await e.tick(); // the clock did not move: nothing to do
  assert.deepEqual(tick, { clocks: 0, reminders: 0, reports: 0, sent: 0, retried: 0, failed: 0 });
});

test('clock rules: a valid change applies to new cases, and a bad holder, event list or channel is refused', async () => {
  const e = badEnv ?? (await fresh());
  const get = async () => (await e.req('GET', '/api/v1/config/clocks', 'admin')).json.items;
  const fu0 = (await get()).find((k) => k.name === 'follow_up');
  const body = {
    start_on: 'resolve', stop_on: 'follow_up', holder: 'owner', text_zh: '处理后回访', text_en: 'Follow-up visit after resolution', sort: 7,
    limits: { g1: { amount: 48, unit: 'h' }, g2: { amount: 24, unit: 'h' }, g3: { amount: 24, unit: 'h' }, g4: { amount: 1, unit: 'wd' } },
  };
  for (const [bad, field] of [[{ holder: 'nobody' }, 'holder'], [{ start_on: 'Resolve!' }, 'start_on'], [{ stop_on: 'follow up' }, 'stop_on'],
    [{ channel: 'pigeon_post' }, 'channel'], [{ text_zh: '' }, 'text_zh']]) {
    refused422(await e.req('PUT', '/api/v1/config/clocks/follow_up', 'admin', { ...body, ...bad }), field, `PUT /config/clocks/follow_up with ${JSON.stringify(bad)}`);
    assert.deepEqual((await get()).find((k) => k.name === 'follow_up'), fu0, `a refused PUT (${field}) leaves the follow-up rule as it was`);
  }
  const r = await e.req('PUT', '/api/v1/config/clocks/follow_up', 'admin', body);
  assert.equal(r.status, 200, r.text);
  const fu = (await get()).find((k) => k.name === 'follow_up');
  assert.deepEqual(
    { start_on: fu.start_on, stop_on: fu.stop_on, holder: fu.holder, text_zh: fu.text_zh, text_en: fu.text_en, sort: fu.sort, active: fu.active },
    { start_on: 'resolve', stop_on: 'follow_up', holder: 'owner', text_zh: '处理后回访', text_en: 'Follow-up visit after resolution', sort: 7, active: true },
    `GET /config/clocks shows the rule as PUT: ${JSON.stringify(fu)}`);
  assert.deepEqual(fu.limits.g1, { amount: 48, unit: 'h', unreachable_amount: null });
  assert.deepEqual(fu.limits.g4, { amount: 1, unit: 'wd', unreachable_amount: null });

  // a new case resolved now gets a 48 h follow-up
  await e.at('2026-12-07T10:00:00+08:00');
  const no = await assigned(e);
  await e.act(no, 'propose', { solutions: SMALL }, 'handler.aftersales');
  await e.act(no, 'approve', {}, 'handler.aftersales');
  const c = await e.act(no, 'resolve', { customer_consent: true }, 'agent.shpd');
  assertClock(c, 'follow_up', { state: 'running', due_at: '2026-12-09T10:00:00+08:00', duration_seconds: 48 * 3600 });
});

test('settings: the warning point and the automatic acknowledgement apply to new cases', async () => {
  const e = badEnv ?? (await fresh());
  await e.at('2026-12-08T09:00:00+08:00');
  let set = await e.req('PUT', '/api/v1/config/settings/sla_warn_pct', 'admin', { value: 50 });
  assert.equal(set.status, 200, set.text);
  set = await e.req('PUT', '/api/v1/config/settings/auto_acknowledge', 'admin', { value: 0 });
  assert.equal(set.status, 200, set.text);
  const c = await e.register({ complainant: { name: '赵敏', email: 'zhao.min@example.com' } });
  assertClock(c, 'acknowledge', { state: 'running', due_at: '2026-12-09T09:00:00+08:00', warn_at: '2026-12-08T21:00:00+08:00' });
  // 50 % of 5 working days = 20 working hours from Tue 09:00: Tue 8, Wed 8, Thu 09:00-12:00 + 13:00-14:00
  assertClock(c, 'resolve', { warn_at: '2026-12-10T14:00:00+08:00', due_at: '2026-12-14T18:00:00+08:00' });
  assert.equal((await e.history(c.case_no)).filter((h) => h.action === 'letter').length, 0, 'no automatic letter');
  assert.equal((await e.outbox()).filter((o) => o.case_no === c.case_no).length, 0, 'nothing queued for the customer');
  await e.req('PUT', '/api/v1/config/settings/sla_warn_pct', 'admin', { value: 80 });
  await e.req('PUT', '/api/v1/config/settings/auto_acknowledge', 'admin', { value: 1 });
});

test('clock rules: what GET /config/clocks returns can be PUT back unchanged', async () => {
  const e = badEnv ?? (await fresh());
  const get = async () => (await e.req('GET', '/api/v1/config/clocks', 'admin')).json.items;
  const before = await get();
  for (const name of ['resolve', 'odr_12315']) {
    const { name: _n, ...rule } = before.find((k) => k.name === name);
    const r = await e.req('PUT', `/api/v1/config/clocks/${name}`, 'admin', rule);
    assert.equal(r.status, 200, `PUT back the ${name} rule exactly as GET gave it (${JSON.stringify(rule)}): ${r.text}`);
  }
  assert.deepEqual(await get(), before, 'putting the rules back changes nothing');
});

test('deactivating a clock rule does not orphan running clocks: a follow-up made in time is not a breach', async () => {
  const e = await fresh();
  await e.at('2026-12-01T09:00:00+08:00');
  const no = await assigned(e);
  await e.act(no, 'propose', { solutions: SMALL }, 'handler.aftersales');
  await e.act(no, 'approve', {}, 'handler.aftersales');
  let c = await e.act(no, 'resolve', { customer_consent: true }, 'agent.shpd');
  assertClock(c, 'follow_up', { state: 'running', due_at: '2026-12-02T09:00:00+08:00' });
  const fu = (await (await e.req('GET', '/api/v1/config/clocks', 'admin')).json.items).find((k) => k.name === 'follow_up');
  const off = await e.req('PUT', '/api/v1/config/clocks/follow_up', 'admin', {
    start_on: fu.start_on, stop_on: fu.stop_on, holder: fu.holder, text_zh: fu.text_zh, text_en: fu.text_en, sort: fu.sort, limits: fu.limits, active: false,
  });
  assert.equal(off.status, 200, off.text);
  assert.equal((await (await e.req('GET', '/api/v1/config/clocks', 'admin')).json.items).find((k) => k.name === 'follow_up').active, false);
  // the visit is made an hour after resolution, well in time
  await e.at('2026-12-01T10:00:00+08:00');
  c = await e.act(no, 'follow_up', { satisfaction: 4, method: 'phone', comment: '客户对处理结果满意' }, 'agent.shpd');
  const k = clockOf(c, 'follow_up');
  assert.notEqual(k.state, 'running', `the follow-up clock must not keep running after the follow-up was made: ${JSON.stringify(k)}`);
  await e.tick('2026-12-03T10:00:00+08:00');
  c = await e.getCase(no);
  assert.notEqual(clockOf(c, 'follow_up').state, 'breached', `a follow-up made in time is not a breach: ${JSON.stringify(clockOf(c, 'follow_up'))}`);
  assert.equal((await e.req('GET', '/api/v1/delays', 'admin')).json.items.filter((x) => x.case_no === no && x.clock === 'follow_up').length, 0,
    'no delay is recorded against the owner');
  assert.equal(c.overdue, false, 'the case is not overdue');
  // new cases get no follow-up clock
  await e.at('2026-12-01T11:00:00+08:00');
  const no2 = await assigned(e);
  await e.act(no2, 'propose', { solutions: SMALL }, 'handler.aftersales');
  await e.act(no2, 'approve', {}, 'handler.aftersales');
  c = await e.act(no2, 'resolve', { customer_consent: true }, 'agent.shpd');
  assert.ok(!c.clocks.some((x) => x.name === 'follow_up'), 'an inactive rule starts no clock');
});

test('a department\'s clock (approval): its manager is warned at 80 % and told of the breach; the delay is the department\'s', async () => {
  const e = await fresh();
  const u = await e.units();
  await e.at('2026-12-01T09:00:00+08:00');
  const no = await assigned(e);
  await e.at('2026-12-01T10:00:00+08:00');
  await e.contact(no, { summary: '已联系客户说明处理方案', reached: true });
  const c0 = await e.act(no, 'propose', { solutions: SMALL }, 'handler.aftersales');
  assertClock(c0, 'approval', { due_at: '2026-12-01T14:00:00+08:00', warn_at: '2026-12-01T13:12:00+08:00' });
  await e.tick('2026-12-01T13:12:00+08:00');
  assert.equal((await e.notifications('mgr.aftersales', 'sla_warning', no)).length, 1, 'the department\'s manager is warned');
  await e.tick('2026-12-01T14:00:00+08:00');
  const c = await e.getCase(no);
  assertClock(c, 'approval', { state: 'breached' });
  assert.equal(c.escalated_to, u.HQ.id);
  const delays = (await e.req('GET', '/api/v1/delays', 'admin')).json.items.filter((x) => x.case_no === no);
  assert.deepEqual(delays.map((x) => [x.clock, x.holder, x.unit]), [['approval', '', '汽车售后服务部(售后技术支持科)']],
    'the delay is recorded against the department');
  assert.equal((await e.notifications('gm', 'sla_breach', no)).length, 1, 'the tier above (HQ) is told');
  assert.equal((await e.notifications('mgr.aftersales', 'sla_breach', no)).length, 1,
    'the department held the clock: its manager, warned at 80 %, is told of the breach too');
});

async function closeEnv(e) {
  if (e.closed) return;
  e.closed = true;
  for (const close of e.closers) await close();
  await e.sink.close();
}

test('servers shut down cleanly', async () => {
  for (const e of envs) {
    await assertCleanShutdown(e.s);
    await closeEnv(e);
  }
});

// when the last test did not run (a filtered run), still let the process end
after(async () => {
  for (const e of envs) {
    if (e.closed) continue;
    if (!e.s.exit) await e.s.stop().catch(() => {});
    await closeEnv(e);
  }
});
