// Who sees and changes which case (DOMAIN §11, decisions.md "People and places"):
// agents by outlet, handlers by department, supervisors by region, the auditor reads all and
// writes nothing. A case outside one's place answers 404, exactly like a missing one.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, unitsByCode, listAll, caseBody, shanghaiYearMonth, assertCleanShutdown } from './lib.mjs';

let s, admin, units, unitById, all;
const tok = {};
const fx = {};

before(async () => {
  s = await startServer();
  admin = await s.login('admin');
  units = await unitsByCode(s, admin);
  unitById = Object.fromEntries(Object.values(units).map((u) => [u.id, u]));
  for (const u of ['agent.shpd', 'agent.bj4s', 'agent.hotline', 'auditor', 'handler.aftersales', 'handler.retail',
    'sup.east', 'sup.north', 'mgr.aftersales', 'gm', 'reviewer']) {
    tok[u] = await s.login(u);
  }
  const reg = async (token, body) => {
    const r = await s.api('POST', '/api/v1/cases', { token, body });
    assert.equal(r.status, 201, r.text);
    return r.json.case;
  };
  // outlet A = SH-4S-PD (EAST), outlet B = BJ-4S-01 (NORTH)
  fx.A = await reg(tok['agent.shpd'], caseBody({ dept: units.AFTERSALES.id, complainant: { name: '浦东客户' } }));
  fx.B = await reg(tok['agent.bj4s'], caseBody({ dept: units.RETAIL.id, complainant: { name: '朝阳客户' } }));
  // received in the north but routed to after-sales
  fx.B2 = await reg(admin, caseBody({ outlet: units['BJ-4S-01'].id, dept: units.AFTERSALES.id, complainant: { name: '朝阳售后' } }));
  // in the south, no department yet
  fx.S = await reg(admin, caseBody({ outlet: units['GZ-DS-01'].id, complainant: { name: '天河客户' } }));
  all = (await listAll(s, admin)).items;
});
beforeEach(async () => {
  await s?.ensureUp();
});
after(async () => {
  await s?.stop();
});

const under = (unitId, ancestorCode) => {
  const u = unitById[unitId];
  return !!u && u.path.startsWith(units[ancestorCode].path);
};
const nos = (items) => items.map((c) => c.case_no).sort();

/* The token's list must be exactly the admin's list filtered by pred. */
async function assertSees(user, pred) {
  const got = await listAll(s, tok[user]);
  const expected = nos(all.filter(pred));
  assert.ok(expected.length > 0, `${user} should see something`);
  assert.equal(got.total, expected.length, `${user}: total`);
  assert.deepEqual(nos(got.items), expected, `${user}: the visible cases`);
  return expected;
}

async function assertHidden(user, no) {
  const t = tok[user];
  const missing = `TS${shanghaiYearMonth()}99999`;
  const ref = await s.api('GET', `/api/v1/cases/${missing}`, { token: t });
  assertError(ref, 404);
  for (const p of ['', '/history', '/notes', '/contacts', '/promises']) {
    const r = await s.api('GET', `/api/v1/cases/${no}${p}`, { token: t });
    assertError(r, 404);
    if (p === '') assert.deepEqual(r.json, ref.json, 'a hidden case answers exactly like a missing one');
  }
}

test('an agent sees the cases of its own outlet (and those it owns), nothing else', async () => {
  const seen = await assertSees('agent.shpd', (c) => under(c.outlet, 'SH-4S-PD') || c.owner === 'agent.shpd' || c.handler === 'agent.shpd');
  assert.ok(seen.includes(fx.A.case_no));
  assert.ok(!seen.includes(fx.B.case_no));
  const r = await s.api('GET', `/api/v1/cases/${fx.A.case_no}`, { token: tok['agent.shpd'] });
  assert.equal(r.status, 200);
});

test('an agent of outlet A cannot read, list, patch or annotate a case of outlet B (404)', async () => {
  const t = tok['agent.shpd'];
  await assertHidden('agent.shpd', fx.B.case_no);
  const before = s.snapshot();
  assertError(await s.api('PATCH', `/api/v1/cases/${fx.B.case_no}`, { token: t, body: { title: 'hijack' } }), 404);
  assertError(await s.api('POST', `/api/v1/cases/${fx.B.case_no}/notes`, { token: t, body: { text: 'peek' } }), 404);
  assertError(await s.api('POST', `/api/v1/cases/${fx.B.case_no}/contacts`, { token: t, body: { method: 'phone', summary: 'x' } }), 404);
  assertError(await s.api('POST', `/api/v1/cases/${fx.B.case_no}/promises`, { token: t, body: { promise: 'x', due_at: '2026-12-01T10:00:00+08:00' } }), 404);
  assertError(await s.api('PATCH', `/api/v1/cases/${fx.B.case_no}/promises/1`, { token: t, body: { kept: true } }), 404);
  assert.deepEqual(s.snapshot(), before);
  // filters do not open a way around the scope
  for (const q of [`outlet=${units['BJ-4S-01'].id}`, `q=${fx.B.case_no}`, 'q=13900000000&owner=agent.bj4s', `dept=${units.RETAIL.id}`, 'owner=agent.bj4s']) {
    const r = await s.api('GET', `/api/v1/cases?${q}`, { token: t });
    assert.equal(r.status, 200);
    assert.ok(!r.json.items.some((c) => c.case_no === fx.B.case_no), `absent with ${q}`);
    assert.ok(r.json.items.every((c) => under(c.outlet, 'SH-4S-PD') || c.owner === 'agent.shpd'), `only own outlet with ${q}`);
  }
  // the other way round too
  await assertHidden('agent.bj4s', fx.A.case_no);
});

test('an agent may not register for another outlet (403), may for its own', async () => {
  const t = tok['agent.shpd'];
  const before = s.snapshot();
  const r = await s.api('POST', '/api/v1/cases', { token: t, body: caseBody({ outlet: units['BJ-4S-01'].id }) });
  assertError(r, 403);
  // not even a sibling outlet in the same region
  assertError(await s.api('POST', '/api/v1/cases', { token: t, body: caseBody({ outlet: units['SH-4S-MH'].id }) }), 403);
  assert.deepEqual(s.snapshot(), before);
  const ok = await s.api('POST', '/api/v1/cases', { token: t, body: caseBody({ outlet: units['SH-4S-PD'].id }) });
  assert.equal(ok.status, 201);
  assert.equal(ok.json.case.owner, 'agent.shpd');
  all = (await listAll(s, admin)).items;
});

test('an agent works on its own outlet\'s case: PATCH and notes', async () => {
  const t = tok['agent.shpd'];
  const r = await s.api('POST', `/api/v1/cases/${fx.A.case_no}/notes`, { token: t, body: { text: '客户来电补充' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.note.author, 'agent.shpd');
  const p = await s.api('PATCH', `/api/v1/cases/${fx.A.case_no}`, { token: t, body: { title: '补充标题' } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.case.title, '补充标题');
});

test('the auditor reads everything and every write is 403', async () => {
  const t = tok.auditor;
  const got = await listAll(s, t);
  assert.deepEqual(nos(got.items), nos(all));
  for (const c of [fx.A, fx.B, fx.S]) {
    for (const p of ['', '/history', '/notes', '/contacts', '/promises']) {
      assert.equal((await s.api('GET', `/api/v1/cases/${c.case_no}${p}`, { token: t })).status, 200);
    }
  }
  assert.equal((await s.api('GET', '/api/v1/users', { token: t })).status, 200);
  assert.equal((await s.api('GET', '/api/v1/org/units', { token: t })).status, 200);
  const before = s.snapshot();
  const no = fx.A.case_no;
  const writes = [
    ['POST', '/api/v1/cases', caseBody({ outlet: units['SH-4S-PD'].id })],
    ['PATCH', `/api/v1/cases/${no}`, { title: 'x' }],
    ['POST', `/api/v1/cases/${no}/notes`, { text: 'x' }],
    ['POST', `/api/v1/cases/${no}/contacts`, { method: 'phone', summary: 'x' }],
    ['POST', `/api/v1/cases/${no}/promises`, { promise: 'x', due_at: '2026-12-01T10:00:00+08:00' }],
    ['PATCH', `/api/v1/cases/${no}/promises/1`, { kept: true }],
    ['POST', '/api/v1/users', { username: 'x.y', password: 'password-1', display_name: 'x', roles: ['auditor'], unit: 1 }],
    ['PATCH', '/api/v1/users/auditor', { roles: ['admin'] }],
    ['POST', '/api/v1/users/admin/password', { password: 'password-1' }],
    ['POST', '/api/v1/org/units', { name: 'x', kind: 'region', parent: 1 }],
    ['PATCH', `/api/v1/org/units/${units.EAST.id}`, { name: 'x' }],
  ];
  for (const [m, p, body] of writes) {
    const r = await s.api(m, p, { token: t, body });
    assertError(r, 403);
  }
  // the invalid body does not change the answer: the role is refused first
  assertError(await s.api('POST', '/api/v1/cases', { token: t, body: {} }), 403);
  assert.deepEqual(s.snapshot(), before);
});

test('a handler sees the cases routed to its department (and those it handles), not others', async () => {
  const seen = await assertSees('handler.aftersales', (c) => under(c.dept, 'AFTERSALES') || c.handler === 'handler.aftersales' || c.owner === 'handler.aftersales');
  assert.ok(seen.includes(fx.A.case_no) && seen.includes(fx.B2.case_no), 'both after-sales cases, whatever the outlet');
  assert.ok(!seen.includes(fx.B.case_no) && !seen.includes(fx.S.case_no));
  assert.equal((await s.api('GET', `/api/v1/cases/${fx.B2.case_no}`, { token: tok['handler.aftersales'] })).status, 200);
  await assertHidden('handler.aftersales', fx.B.case_no);
  await assertHidden('handler.aftersales', fx.S.case_no);
  await assertSees('handler.retail', (c) => under(c.dept, 'RETAIL') || c.handler === 'handler.retail' || c.owner === 'handler.retail');
  await assertHidden('handler.retail', fx.A.case_no);
  // a handler may not register cases for an outlet (they sit in a department)
  assertError(await s.api('POST', '/api/v1/cases', { token: tok['handler.retail'], body: caseBody({ outlet: units['GZ-DS-01'].id }) }), 403);
});

test('a handler named on a case sees it even outside its department', async () => {
  const r = await s.api('POST', '/api/v1/cases', { token: admin, body: caseBody({ outlet: units['GZ-DS-01'].id, dept: units.QA.id, handler: 'handler.retail' }) });
  assert.equal(r.status, 201);
  const no = r.json.case.case_no;
  assert.equal((await s.api('GET', `/api/v1/cases/${no}`, { token: tok['handler.retail'] })).status, 200);
  all = (await listAll(s, admin)).items;
  const seen = nos((await listAll(s, tok['handler.retail'])).items);
  assert.ok(seen.includes(no));
});

test('a supervisor of a region sees the cases of that region\'s outlets', async () => {
  const seen = await assertSees('sup.east', (c) => under(c.outlet, 'EAST') || under(c.dept, 'EAST') || c.owner === 'sup.east' || c.handler === 'sup.east');
  assert.ok(seen.includes(fx.A.case_no));
  assert.ok(!seen.includes(fx.B.case_no) && !seen.includes(fx.B2.case_no) && !seen.includes(fx.S.case_no));
  await assertHidden('sup.east', fx.B.case_no);
  const north = await assertSees('sup.north', (c) => under(c.outlet, 'NORTH') || c.owner === 'sup.north' || c.handler === 'sup.north');
  assert.ok(north.includes(fx.B.case_no) && north.includes(fx.B2.case_no) && !north.includes(fx.A.case_no));
  await assertHidden('sup.north', fx.A.case_no);
  // a supervisor registers for any outlet of the region, not outside it
  let r = await s.api('POST', '/api/v1/cases', { token: tok['sup.east'], body: caseBody({ outlet: units['SUZ-4S-01'].id }) });
  assert.equal(r.status, 201);
  r = await s.api('POST', '/api/v1/cases', { token: tok['sup.east'], body: caseBody({ outlet: units['BJ-4S-01'].id }) });
  assertError(r, 403);
  all = (await listAll(s, admin)).items;
});

test('a department manager sees the department\'s cases; gm and reviewer see all', async () => {
  await assertSees('mgr.aftersales', (c) => under(c.dept, 'AFTERSALES') || under(c.outlet, 'AFTERSALES') || c.owner === 'mgr.aftersales' || c.handler === 'mgr.aftersales');
  for (const u of ['gm', 'reviewer', 'agent.hotline']) {
    // agent.hotline sits at HQ: every outlet lies below it
    assert.deepEqual(nos((await listAll(s, tok[u])).items), nos(all), `${u} sees all`);
  }
  // the reviewer may not change case fields
  assertError(await s.api('PATCH', `/api/v1/cases/${fx.A.case_no}`, { token: tok.reviewer, body: { title: 'x' } }), 403);
});

test('SIGTERM after all of the above: exit code 0, no sanitizer report (leaks, memory errors)', async () => {
  await assertCleanShutdown(s);
});
