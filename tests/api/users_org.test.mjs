// The organisation tree and the users: admin writes, everyone else 403, validation.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assert422, unitsByCode, caseBody, PW, assertCleanShutdown } from './lib.mjs';

let s, admin, units;
before(async () => {
  s = await startServer();
  admin = await s.login('admin');
  units = await unitsByCode(s, admin);
});
beforeEach(async () => {
  await s?.ensureUp();
});
after(async () => {
  await s?.stop();
});

const post = (p, body, token = admin) => s.api('POST', p, { token, body });

/* Runs f (which must make only refused requests) and checks the store did not change. */
async function unchanged(f) {
  const before = s.snapshot();
  await f();
  assert.deepEqual(s.snapshot(), before, 'a refused request changed the store');
}

test('admin creates a region, an outlet under it and a department under the outlet', async () => {
  const hq = units.HQ;
  let r = await post('/api/v1/org/units', { name: '西南区', kind: 'region', parent: hq.id, code: 'SW' });
  assert.equal(r.status, 201, r.text);
  const region = r.json.unit;
  assert.ok(Number.isInteger(region.id) && region.id > 0);
  assert.equal(region.name, '西南区');
  assert.equal(region.kind, 'region');
  assert.equal(region.parent, hq.id);
  assert.equal(region.code, 'SW');
  r = await post('/api/v1/org/units', { name: '成都华信百货', kind: 'outlet', parent: region.id });
  assert.equal(r.status, 201, r.text);
  const outlet = r.json.unit;
  assert.equal(outlet.parent, region.id);
  r = await post('/api/v1/org/units', { name: '成都店售后组', kind: 'department', parent: outlet.id });
  assert.equal(r.status, 201, r.text);
  const dept = r.json.unit;
  // read back one and in the list
  r = await s.api('GET', `/api/v1/org/units/${outlet.id}`, { token: admin });
  assert.equal(r.status, 200);
  assert.equal(r.json.unit.name, '成都华信百货');
  assert.equal(r.json.unit.kind, 'outlet');
  const agent = await s.login('agent.shpd');
  r = await s.api('GET', '/api/v1/org/units', { token: agent });
  assert.equal(r.status, 200, 'everyone may read the tree');
  const ids = r.json.items.map((u) => u.id);
  for (const u of [region, outlet, dept]) assert.ok(ids.includes(u.id));
  assert.equal(r.json.items.length, Object.keys(units).length + 3);
  // the new outlet can receive cases: a new agent there registers one
  r = await post('/api/v1/users', { username: 'agent.cd', password: 'agent-cd-pw-1', display_name: '成都客服', roles: ['agent'], unit: outlet.id });
  assert.equal(r.status, 201, r.text);
  const t = await s.login('agent.cd', 'agent-cd-pw-1');
  r = await post('/api/v1/cases', { channel: 'walk_in', complainant: { name: '客户' }, description: '说明' }, t);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.case.outlet, outlet.id);
});

test('unit validation: 422 naming the field, and nothing is written', async () => {
  const hq = units.HQ.id;
  await unchanged(async () => {
    assert422(await post('/api/v1/org/units', { name: 'x', kind: 'shop', parent: hq }), 'kind');
    assert422(await post('/api/v1/org/units', { kind: 'region', parent: hq }), 'name');
    assert422(await post('/api/v1/org/units', { name: '', kind: 'region', parent: hq }), 'name');
    assert422(await post('/api/v1/org/units', { name: 7, kind: 'region', parent: hq }), 'name');
    assert422(await post('/api/v1/org/units', { name: 'x'.repeat(101), kind: 'region', parent: hq }), 'name');
    assert422(await post('/api/v1/org/units', { name: 'x', kind: 'outlet' }), 'parent');
    assert422(await post('/api/v1/org/units', { name: 'x', kind: 'outlet', parent: 999999 }), 'parent');
    assert422(await post('/api/v1/org/units', { name: 'x', kind: 'outlet', parent: 'HQ' }), 'parent');
    assert422(await post('/api/v1/org/units', { name: 'x', kind: 'outlet', parent: -1 }), 'parent');
    // the shape of the tree: an outlet lies under a company or region, not a department/outlet
    assert422(await post('/api/v1/org/units', { name: 'x', kind: 'outlet', parent: units.QA.id }), 'parent');
    assert422(await post('/api/v1/org/units', { name: 'x', kind: 'region', parent: units['SH-4S-PD'].id }), 'parent');
    assert422(await post('/api/v1/org/units', { name: 'x', kind: 'company', parent: hq }), 'parent');
    assert422(await post('/api/v1/org/units', { name: 'x', kind: 'region', parent: hq, code: 'bad code!' }), 'code');
    assert422(await post('/api/v1/org/units', { name: 'x', kind: 'region', parent: hq, colour: 'red' }), 'colour');
  });
});

test('unit conflicts: a second company or a taken code → 409', async () => {
  await unchanged(async () => {
    assertError(await post('/api/v1/org/units', { name: 'Other Co', kind: 'company', parent: null }), 409);
    assertError(await post('/api/v1/org/units', { name: 'dup', kind: 'region', parent: units.HQ.id, code: 'EAST' }), 409);
  });
});

test('non-admins may not write units or users (403), and nothing is written', async () => {
  const who = ['agent.shpd', 'sup.east', 'mgr.qa', 'handler.qa', 'gm', 'reviewer', 'auditor'];
  const tokens = {};
  for (const u of who) tokens[u] = await s.login(u);
  await unchanged(async () => {
    for (const u of who) {
      const t = tokens[u];
      assertError(await post('/api/v1/org/units', { name: 'x', kind: 'region', parent: units.HQ.id }, t), 403);
      assertError(await post('/api/v1/users', { username: `x.${u}`, password: 'password-123', display_name: 'x', roles: ['admin'], unit: units.HQ.id }, t), 403);
      assertError(await s.api('PATCH', '/api/v1/users/agent.shpd', { token: t, body: { roles: ['admin'] } }), 403);
      assertError(await s.api('PATCH', `/api/v1/org/units/${units.EAST.id}`, { token: t, body: { name: 'hijacked' } }), 403);
      assertError(await s.api('POST', '/api/v1/users/admin/password', { token: t, body: { password: 'hijacked-pw' } }), 403);
    }
  });
  // the admin password still works
  assert.equal((await s.api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: PW.admin } })).status, 200);
});

test('admin creates a user (201); the user can log in with the given roles and unit', async () => {
  const r = await post('/api/v1/users', {
    username: 'handler.new',
    password: 'handler-new-pw',
    display_name: '新经办人',
    email: 'new@example.com',
    roles: ['handler', 'supervisor'],
    unit: units.QA.id,
  });
  assert.equal(r.status, 201, r.text);
  const u = r.json.user;
  assert.equal(u.username, 'handler.new');
  assert.equal(u.display_name, '新经办人');
  assert.deepEqual([...u.roles].sort(), ['handler', 'supervisor']);
  assert.equal(u.unit, units.QA.id);
  assert.equal(u.disabled, false);
  assert.ok(!('password' in u) && !('password_hash' in u));
  assert.ok(!r.text.includes('handler-new-pw'));
  const t = await s.login('handler.new', 'handler-new-pw');
  const me = await s.api('GET', '/api/v1/auth/me', { token: t });
  assert.equal(me.json.user.username, 'handler.new');
  // listed, readable
  const list = await s.api('GET', '/api/v1/users', { token: admin });
  assert.equal(list.status, 200);
  assert.ok(list.json.items.some((x) => x.username === 'handler.new'));
  assert.ok(list.json.items.every((x) => !('password_hash' in x)));
  const one = await s.api('GET', '/api/v1/users/handler.new', { token: admin });
  assert.equal(one.status, 200);
  assert.equal(one.json.user.unit, units.QA.id);
  assertError(await s.api('GET', '/api/v1/users/nobody.here', { token: admin }), 404);
});

test('a refused write answers its own error every time (409 x 200, never a 500)', async () => {
  // The writer may finish before the request handler returns; the reply must still be the
  // write's result, not a 500 "no reply".
  const statuses = {};
  await unchanged(async () => {
    for (let i = 0; i < 100; i++) {
      const a = await post('/api/v1/org/units', { name: 'Other Co', kind: 'company' });
      const b = await post('/api/v1/users', { username: 'agent.shpd', password: 'another-pw-1', display_name: 'dup', roles: ['agent'], unit: units.HQ.id });
      for (const r of [a, b]) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }
  });
  assert.deepEqual(statuses, { 409: 200 });
});

test('the user directory is for admins, auditors, reviewers and managers, not agents or handlers; it pages', async () => {
  for (const u of ['agent.shpd', 'handler.qa']) {
    const t = await s.login(u);
    assertError(await s.api('GET', '/api/v1/users', { token: t }), 403);
    assertError(await s.api('GET', '/api/v1/users/admin', { token: t }), 403);
    // the caller's own record stays reachable through /auth/me
    assert.equal((await s.api('GET', '/api/v1/auth/me', { token: t })).status, 200);
  }
  for (const u of ['auditor', 'reviewer', 'sup.east', 'mgr.qa', 'gm']) {
    const t = await s.login(u);
    assert.equal((await s.api('GET', '/api/v1/users', { token: t })).status, 200, u);
  }
  const all = await s.api('GET', '/api/v1/users?per_page=500', { token: admin });
  assert.equal(all.status, 200);
  assert.equal(all.json.total, s.sql('SELECT count(*) AS n FROM users')[0].n);
  const seen = [];
  for (let page = 1; page < 100; page++) {
    const r = await s.api('GET', `/api/v1/users?per_page=7&page=${page}`, { token: admin });
    assert.equal(r.status, 200);
    assert.equal(r.json.per_page, 7);
    assert.equal(r.json.total, all.json.total);
    if (!r.json.items.length) break;
    seen.push(...r.json.items.map((u) => u.username));
  }
  assert.deepEqual(seen, all.json.items.map((u) => u.username));
  assert422(await s.api('GET', '/api/v1/users?per_page=501', { token: admin }), 'per_page');
  assertError(await s.api('GET', '/api/v1/users?role=admin', { token: admin }), 400);
  const units = await s.api('GET', '/api/v1/org/units?per_page=5&page=2', { token: admin });
  assert.equal(units.status, 200);
  assert.equal(units.json.items.length, 5);
  assert.equal(units.json.page, 2);
});

test('a department\'s assignees: whom `assign` accepts there, for any staff role, without e-mail', async () => {
  const agent = await s.login('agent.shpd');
  const r = await s.api('GET', `/api/v1/org/units/${units.AFTERSALES.id}/assignees`, { token: agent });
  assert.equal(r.status, 200, r.text);
  const names = r.json.items.map((u) => u.username);
  assert.deepEqual(names, ['handler.aftersales', 'handler.aftersales2', 'mgr.aftersales'], 'handlers and the manager of the department, by username');
  assert.equal(r.json.total, 3);
  for (const u of r.json.items) {
    assert.equal(u.email, undefined, 'no e-mail address');
    assert.equal(u.unit, units.AFTERSALES.id);
    assert.ok(u.display_name && Array.isArray(u.roles));
  }
  // each one is accepted by assign; a user outside the list is refused there
  assertError(await s.api('GET', `/api/v1/org/units/${units.EAST.id}/assignees`, { token: agent }), 422, 'invalid');
  assertError(await s.api('GET', '/api/v1/org/units/999999/assignees', { token: agent }), 404, 'not_found');
  assertError(await s.api('GET', '/api/v1/org/units/x/assignees', { token: agent }), 404, 'not_found');
  assertError(await s.api('GET', `/api/v1/org/units/${units.AFTERSALES.id}/assignees`), 401, 'unauthorized');
  const c = await s.api('POST', '/api/v1/cases', { token: agent, body: caseBody({ category: 'repair_quality' }) });
  assert.equal(c.status, 201, c.text);
  const no = c.json.case.case_no;
  assert.equal((await s.api('POST', `/api/v1/cases/${no}/actions/accept`, { token: agent, body: {} })).status, 200);
  const bad = await s.api('POST', `/api/v1/cases/${no}/actions/assign`, { token: agent, body: { dept: units.AFTERSALES.id, handler: 'handler.qa' } });
  assert422(bad, 'handler');
  const ok = await s.api('POST', `/api/v1/cases/${no}/actions/assign`, { token: agent, body: { dept: units.AFTERSALES.id, handler: names[1] } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.case.handler, names[1]);
});

test('duplicate username → 409, and the first user is untouched', async () => {
  await unchanged(async () => {
    const r = await post('/api/v1/users', { username: 'agent.shpd', password: 'another-pw-1', display_name: 'dup', roles: ['admin'], unit: units.HQ.id });
    assertError(r, 409);
  });
  const u = await s.api('GET', '/api/v1/users/agent.shpd', { token: admin });
  assert.deepEqual(u.json.user.roles, ['agent']);
  assert.equal((await s.api('POST', '/api/v1/auth/login', { body: { username: 'agent.shpd', password: PW.agent } })).status, 200);
});

test('user validation: 422 naming each bad field; unknown fields 422; nothing written', async () => {
  const ok = { username: 'valid.user', password: 'valid-password', display_name: 'Valid', roles: ['agent'], unit: units['SH-4S-PD'].id };
  const cases = [
    [{ ...ok, username: 'Bad User' }, 'username'],
    [{ ...ok, username: '' }, 'username'],
    [{ ...ok, username: 'x'.repeat(65) }, 'username'],
    [{ ...ok, username: 12 }, 'username'],
    [{ ...ok, password: 'short' }, 'password'],
    [{ ...ok, password: 12345678 }, 'password'],
    [{ ...ok, display_name: '' }, 'display_name'],
    [{ ...ok, display_name: 'a\u0001b' }, 'display_name'],
    [{ ...ok, roles: [] }, 'roles'],
    [{ ...ok, roles: 'agent' }, 'roles'],
    [{ ...ok, roles: ['agent', 'superuser'] }, 'roles'],
    [{ ...ok, unit: 999999 }, 'unit'],
    [{ ...ok, unit: 'SH-4S-PD' }, 'unit'],
    [{ ...ok, email: 'not-an-email' }, 'email'],
    [{ ...ok, disabled: 'no' }, 'disabled'],
    [{ ...ok, is_root: true }, 'is_root'],
  ];
  await unchanged(async () => {
    for (const [body, field] of cases) assert422(await post('/api/v1/users', body), field);
    // several problems at once are all named
    assert422(await post('/api/v1/users', { username: 'Bad', password: 'x', roles: [] }), 'username', 'password', 'roles', 'display_name', 'unit');
  });
  const missing = { ...ok };
  delete missing.unit;
  await unchanged(async () => assert422(await post('/api/v1/users', missing), 'unit'));
});

test('user PATCH: changes roles and unit, refuses username/password and unknown fields', async () => {
  let r = await s.api('PATCH', '/api/v1/users/handler.qa', { token: admin, body: { display_name: '方琳(高级质量工程师)', roles: ['handler', 'dept_manager'] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.display_name, '方琳(高级质量工程师)');
  assert.deepEqual([...r.json.user.roles].sort(), ['dept_manager', 'handler']);
  await unchanged(async () => {
    assert422(await s.api('PATCH', '/api/v1/users/handler.qa', { token: admin, body: { password: 'new-password-1' } }), 'password');
    assert422(await s.api('PATCH', '/api/v1/users/handler.qa', { token: admin, body: { username: 'renamed' } }), 'username');
    assert422(await s.api('PATCH', '/api/v1/users/handler.qa', { token: admin, body: { roles: ['wizard'] } }), 'roles');
    assert422(await s.api('PATCH', '/api/v1/users/handler.qa', { token: admin, body: { shoe_size: 42 } }), 'shoe_size');
    assertError(await s.api('PATCH', '/api/v1/users/nobody.here', { token: admin, body: { display_name: 'x' } }), 404);
  });
});

test('the last active administrator cannot be disabled or lose the admin role (409)', async () => {
  await unchanged(async () => {
    assertError(await s.api('PATCH', '/api/v1/users/admin', { token: admin, body: { disabled: true } }), 409);
    assertError(await s.api('PATCH', '/api/v1/users/admin', { token: admin, body: { roles: ['agent'] } }), 409);
  });
  assert.equal((await s.api('GET', '/api/v1/auth/me', { token: admin })).status, 200, 'admin still in');
  // with a second admin, the first may be demoted; then the second is the last one
  let r = await post('/api/v1/users', { username: 'admin2', password: 'admin2-password', display_name: 'Admin 2', roles: ['admin'], unit: units.HQ.id });
  assert.equal(r.status, 201, r.text);
  const t2 = await s.login('admin2', 'admin2-password');
  r = await s.api('PATCH', '/api/v1/users/admin', { token: t2, body: { roles: ['admin', 'auditor'] } });
  assert.equal(r.status, 200);
  r = await s.api('PATCH', '/api/v1/users/admin2', { token: admin, body: { disabled: true } });
  assert.equal(r.status, 200, 'admin2 may be disabled while admin is active');
  await unchanged(async () => {
    assertError(await s.api('PATCH', '/api/v1/users/admin', { token: admin, body: { disabled: true } }), 409);
  });
  r = await s.api('PATCH', '/api/v1/users/admin2', { token: admin, body: { disabled: false } });
  assert.equal(r.status, 200);
});

test('admin resets a user password: the old one and the user\'s sessions end', async () => {
  const t = await s.login('agent.shmh');
  let r = await s.api('POST', '/api/v1/users/agent.shmh/password', { token: admin, body: { password: 'reset-pw-2026' } });
  assert.ok(r.status === 200 || r.status === 204, r.text);
  assertError(await s.api('GET', '/api/v1/auth/me', { token: t }), 401);
  assertError(await s.api('POST', '/api/v1/auth/login', { body: { username: 'agent.shmh', password: PW.agent } }), 401);
  assert.equal((await s.api('POST', '/api/v1/auth/login', { body: { username: 'agent.shmh', password: 'reset-pw-2026' } })).status, 200);
  await unchanged(async () => {
    assert422(await s.api('POST', '/api/v1/users/agent.shmh/password', { token: admin, body: { password: 'short' } }), 'password');
    assertError(await s.api('POST', '/api/v1/users/nobody.here/password', { token: admin, body: { password: 'long-enough-1' } }), 404);
  });
});

test('a fresh `tousu init` database: the first admin logs in and builds the tree from nothing', async () => {
  const fresh = await startServer({ demo: false, init: { admin: 'root', password: 'root-password-1' } });
  try {
    const t = await fresh.login('root', 'root-password-1');
    const me = await fresh.api('GET', '/api/v1/auth/me', { token: t });
    assert.deepEqual(me.json.user.roles, ['admin']);
    let r = await fresh.api('GET', '/api/v1/cases', { token: t });
    assert.equal(r.json.total, 0);
    r = await fresh.api('GET', '/api/v1/org/units', { token: t });
    assert.equal(r.json.total, 1, 'the company given to init');
    const company = r.json.items[0];
    assert.equal(company.kind, 'company');
    r = await fresh.api('POST', '/api/v1/org/units', { token: t, body: { name: 'North', kind: 'region', parent: company.id } });
    assert.equal(r.status, 201);
    r = await fresh.api('POST', '/api/v1/org/units', { token: t, body: { name: 'Shop 1', kind: 'outlet', parent: r.json.unit.id } });
    assert.equal(r.status, 201);
    const shop = r.json.unit.id;
    r = await fresh.api('POST', '/api/v1/cases', { token: t, body: caseBody({ outlet: shop }) });
    assert.equal(r.status, 201);
    assert.match(r.json.case.case_no, /^TS\d{6}00001$/, 'the first case of a new database is serial 1');
  } finally {
    await assertCleanShutdown(fresh);
  }
});

test('SIGTERM after all of the above: exit code 0, no sanitizer report (leaks, memory errors)', async () => {
  await assertCleanShutdown(s);
});
