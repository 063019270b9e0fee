// Case numbers under concurrency: distinct, consecutive, gap-free, continuing the month's
// series (DOMAIN §2).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, unitsByCode, shanghaiYearMonth, caseBody, DEMO_CASES, assertCleanShutdown } from './lib.mjs';

let s, admin, units;
before(async () => {
  s = await startServer({ args: ['--test-clock'] }); // the clock moves only in the last tests
  admin = await s.login('admin');
  units = await unitsByCode(s, admin);
});
beforeEach(async () => {
  await s?.ensureUp();
});
after(async () => {
  await s?.stop();
});

const serialOf = (no) => Number(no.slice(2 + 6));

/* The current month's case numbers in the store, in serial order. */
function storedSerials(ym) {
  return s.sql(`SELECT case_no FROM cases WHERE case_no LIKE 'TS${ym}%' ORDER BY case_no`).map((r) => serialOf(r.case_no));
}

test('the demo cases hold serials 1..16 of the current month', () => {
  const ym = shanghaiYearMonth();
  const serials = storedSerials(ym);
  assert.deepEqual(serials, Array.from({ length: DEMO_CASES }, (_, i) => i + 1));
});

test('100 concurrent registrations → 100 distinct, consecutive serials continuing the demo series', async () => {
  const ym = shanghaiYearMonth();
  const outlet = units['SH-4S-PD'].id;
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      s.api('POST', '/api/v1/cases', { token: admin, body: caseBody({ outlet, complainant: { name: `并发客户-${i}` } }) })),
  );
  const statuses = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  assert.deepEqual(statuses, { 201: 100 }, 'every registration answered 201');
  const nos = results.map((r) => r.json.case.case_no);
  for (const no of nos) assert.match(no, new RegExp(`^TS${ym}\\d{5,}$`));
  assert.equal(new Set(nos).size, 100, 'distinct');
  const serials = nos.map(serialOf).sort((a, b) => a - b);
  assert.deepEqual(serials, Array.from({ length: 100 }, (_, i) => DEMO_CASES + 1 + i), 'consecutive, after the demo cases');
  // each answer names the case that holds that request's data
  const rows = s.sql(`SELECT case_no, c_name FROM cases WHERE c_name LIKE '并发客户-%'`);
  const byNo = Object.fromEntries(rows.map((r) => [r.case_no, r.c_name]));
  results.forEach((r, i) => assert.equal(byNo[r.json.case.case_no], `并发客户-${i}`));
  // the store's series has no gap and the history has one "register" per case
  assert.deepEqual(storedSerials(ym), Array.from({ length: DEMO_CASES + 100 }, (_, i) => i + 1));
  const h = s.sql(`SELECT count(*) AS n FROM case_history h JOIN cases c ON c.id = h.case_id WHERE c.c_name LIKE '并发客户-%' AND h.action = 'register'`);
  assert.equal(h[0].n, 100);
});

test('refused registrations mixed into a concurrent burst take no number (no gaps)', async () => {
  const ym = shanghaiYearMonth();
  const start = storedSerials(ym).at(-1);
  const agents = ['agent.shpd', 'agent.bj4s', 'agent.gztel'];
  const tokens = await Promise.all(agents.map((a) => s.login(a)));
  const reqs = [];
  for (let i = 0; i < 60; i++) {
    const token = tokens[i % tokens.length];
    if (i % 3 === 0) {
      // invalid: 422 before any write
      reqs.push(s.api('POST', '/api/v1/cases', { token, body: caseBody({ channel: 'nope', complainant: { name: `坏-${i}` } }) }));
    } else if (i % 3 === 1) {
      // another outlet: 403
      reqs.push(s.api('POST', '/api/v1/cases', { token, body: caseBody({ outlet: units['KF-BANK-01'].id, complainant: { name: `禁-${i}` } }) }));
    } else {
      reqs.push(s.api('POST', '/api/v1/cases', { token, body: caseBody({ complainant: { name: `好-${i}` } }) }));
    }
  }
  const results = await Promise.all(reqs);
  const ok = results.filter((r) => r.status === 201);
  assert.equal(ok.length, 20);
  assert.equal(results.filter((r) => r.status === 422).length, 20);
  assert.equal(results.filter((r) => r.status === 403).length, 20);
  const serials = ok.map((r) => serialOf(r.json.case.case_no)).sort((a, b) => a - b);
  assert.deepEqual(serials, Array.from({ length: 20 }, (_, i) => start + 1 + i));
  assert.deepEqual(storedSerials(ym), Array.from({ length: start + 20 }, (_, i) => i + 1));
  const counter = s.sql(`SELECT last FROM case_counters WHERE period = 'TS${ym}'`);
  assert.equal(counter[0].last, start + 20);
});

test('the month is the Asia/Shanghai month of registration, and the serial restarts each month', async () => {
  const setClock = async (now) => {
    const r = await s.api('PUT', '/api/v1/test/clock', { body: { now } });
    assert.equal(r.status, 200, r.text);
    token = await s.login('admin'); // a token from another time may have expired
  };
  let token;
  const reg = async () => {
    const r = await s.api('POST', '/api/v1/cases', { token, body: caseBody({ outlet: units['SH-4S-PD'].id }) });
    assert.equal(r.status, 201, r.text);
    return r.json.case.case_no;
  };
  // 2027-02-28T16:30Z is already 1 March 00:30 in Shanghai: a new month, a new series
  await setClock('2027-02-28T16:30:00Z');
  assert.equal(await reg(), 'TS20270300001');
  assert.equal(await reg(), 'TS20270300002');
  // 2027-02-28T15:30Z is still 28 February 23:30 in Shanghai
  await setClock('2027-02-28T15:30:00Z');
  assert.equal(await reg(), 'TS20270200001');
  await setClock('2027-03-31T15:59:59Z'); // 23:59:59 on 31 March in Shanghai
  assert.equal(await reg(), 'TS20270300003');
  await setClock('2027-03-31T16:00:00Z'); // midnight: April
  assert.equal(await reg(), 'TS20270400001');
  const c = (await s.api('GET', '/api/v1/cases/TS20270400001', { token })).json.case;
  assert.equal(c.registered_at, '2027-04-01T00:00:00+08:00');
});

test('SIGTERM after all of the above: exit code 0, no sanitizer report (leaks, memory errors)', async () => {
  await assertCleanShutdown(s);
});
