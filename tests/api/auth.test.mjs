// Login, logout, /auth/me, password change, login throttling, disabled users, expiry.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assert422, PW, assertCleanShutdown } from './lib.mjs';

let s, admin;
before(async () => {
  // --test-clock only for the expiry test at the end (moves the server's time forward)
  s = await startServer({ args: ['--test-clock'] });
  admin = await s.login('admin');
});
beforeEach(async () => {
  await s?.ensureUp();
});
after(async () => {
  await s?.stop();
});

const login = (username, password) => s.api('POST', '/api/v1/auth/login', { body: { username, password } });

test('login: 200 with token, expiry and the user with roles', async () => {
  const r = await login('agent.shpd', PW.agent);
  assert.equal(r.status, 200);
  assert.equal(typeof r.json.token, 'string');
  assert.ok(r.json.token.length >= 16);
  assert.equal(r.json.user.username, 'agent.shpd');
  assert.deepEqual(r.json.user.roles, ['agent']);
  assert.equal(r.json.user.disabled, false);
  assert.ok(!('password' in r.json.user) && !('password_hash' in r.json.user));
  assert.match(r.json.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  assert.ok(Date.parse(r.json.expires_at) > Date.now());
  // two logins give two different tokens
  const r2 = await login('agent.shpd', PW.agent);
  assert.notEqual(r2.json.token, r.json.token);
});

test('login: wrong password and unknown user are both 401, indistinguishable', async () => {
  const a = await login('agent.shmh', 'not-the-password');
  const b = await login('no.such.user', 'not-the-password');
  assertError(a, 401);
  assertError(b, 401);
  assert.equal(a.json.error.code, b.json.error.code);
  assert.equal(a.json.error.message, b.json.error.message);
  assert.ok(!('token' in a.json) && !('token' in b.json));
  // the username is case-sensitive data, not a pattern
  assertError(await login('ADMIN', PW.admin), 401);
  assertError(await login('admin', PW.admin.toUpperCase()), 401);
});

test('missing, malformed or unknown token → 401', async () => {
  assertError(await s.api('GET', '/api/v1/auth/me'), 401);
  assertError(await s.api('GET', '/api/v1/cases'), 401);
  assertError(await s.api('GET', '/api/v1/auth/me', { headers: { authorization: admin } }), 401); // no "Bearer"
  assertError(await s.api('GET', '/api/v1/auth/me', { headers: { authorization: `Basic ${admin}` } }), 401);
  assertError(await s.api('GET', '/api/v1/auth/me', { token: 'x' }), 401);
  assertError(await s.api('GET', '/api/v1/auth/me', { token: 'A'.repeat(43) }), 401);
  assertError(await s.api('GET', '/api/v1/auth/me', { token: admin.slice(0, -1) + (admin.endsWith('A') ? 'B' : 'A') }), 401);
  assertError(await s.api('GET', '/api/v1/auth/me', { token: admin + 'x' }), 401);
  assertError(await s.api('POST', '/api/v1/cases', { token: 'A'.repeat(43), body: {} }), 401);
  // the real token still works
  assert.equal((await s.api('GET', '/api/v1/auth/me', { token: admin })).status, 200);
});

test('/auth/me returns the caller', async () => {
  const t = await s.login('sup.east');
  const r = await s.api('GET', '/api/v1/auth/me', { token: t });
  assert.equal(r.status, 200);
  assert.equal(r.json.user.username, 'sup.east');
  assert.deepEqual(r.json.user.roles, ['supervisor']);
  assert.equal(typeof r.json.user.unit, 'number');
});

test('logout ends that session only; the token is then 401', async () => {
  const t1 = await s.login('agent.suz');
  const t2 = await s.login('agent.suz');
  const out = await s.api('POST', '/api/v1/auth/logout', { token: t1 });
  assert.ok(out.status === 200 || out.status === 204, `logout: ${out.status} ${out.text}`);
  assertError(await s.api('GET', '/api/v1/auth/me', { token: t1 }), 401);
  assertError(await s.api('POST', '/api/v1/auth/logout', { token: t1 }), 401);
  assert.equal((await s.api('GET', '/api/v1/auth/me', { token: t2 })).status, 200);
  const rows = s.sql("SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'agent.suz'");
  assert.equal(rows[0].n, 1);
});

test('change password: wrong old password refused, weak new one 422, then old password and old sessions die', async () => {
  const user = 'agent.tc';
  const t1 = await s.login(user);
  const t2 = await s.login(user);
  let r = await s.api('POST', '/api/v1/auth/password', { token: t1, body: { old_password: 'wrong-old-pw', new_password: 'n3w-Passw0rd!' } });
  assert.ok(r.status === 403 || r.status === 401, `wrong old password: ${r.status}`);
  assert.equal((await login(user, 'n3w-Passw0rd!')).status, 401);
  r = await s.api('POST', '/api/v1/auth/password', { token: t1, body: { old_password: PW.agent, new_password: 'short' } });
  assert422(r, 'new_password');
  r = await s.api('POST', '/api/v1/auth/password', { token: t1, body: { old_password: PW.agent } });
  assert422(r, 'new_password');
  r = await s.api('POST', '/api/v1/auth/password', { token: t1, body: { old_password: PW.agent, new_password: 'n3w-Passw0rd!', extra: 1 } });
  assert422(r, 'extra');
  assert.equal((await s.api('GET', '/api/v1/auth/me', { token: t1 })).status, 200, 'failed attempts changed nothing');
  r = await s.api('POST', '/api/v1/auth/password', { token: t1, body: { old_password: PW.agent, new_password: 'n3w-Passw0rd!' } });
  assert.ok(r.status === 200 || r.status === 204, `change: ${r.status} ${r.text}`);
  assertError(await login(user, PW.agent), 401);
  assert.equal((await login(user, 'n3w-Passw0rd!')).status, 200);
  // every session that existed before the change has ended
  assertError(await s.api('GET', '/api/v1/auth/me', { token: t1 }), 401);
  assertError(await s.api('GET', '/api/v1/auth/me', { token: t2 }), 401);
  const hash = s.sql(`SELECT password_hash FROM users WHERE username = '${user}'`)[0].password_hash;
  assert.match(hash, /^\$argon2id\$/);
  assert.ok(!hash.includes('n3w-Passw0rd!'));
});

test('429 after 10 failed logins for one username; other users unaffected', async () => {
  const user = 'agent.kfbank';
  for (let i = 0; i < 10; i++) {
    const r = await login(user, `wrong-${i}-password`);
    assert.equal(r.status, 401, `attempt ${i + 1}`);
  }
  const r11 = await login(user, 'wrong-11-password');
  assertError(r11, 429);
  // locked out even with the right password
  assertError(await login(user, PW.agent), 429);
  // another username still logs in
  assert.equal((await login('agent.gztel', PW.agent)).status, 200);
  // and failures of others did not count for them
  for (let i = 0; i < 5; i++) assert.equal((await login('agent.gzds', 'nope-nope-nope')).status, 401);
  assert.equal((await login('agent.gzds', PW.agent)).status, 200);
  // the lock lasts the 15-minute window, then the right password works again
  const later = new Date(Date.now() + 16 * 60_000).toISOString();
  assert.equal((await s.api('PUT', '/api/v1/test/clock', { body: { now: later } })).status, 200);
  assert.equal((await login(user, PW.agent)).status, 200);
});

test('a disabled user cannot log in and its sessions end; enabled again it can', async () => {
  const user = 'agent.bjds';
  const t = await s.login(user);
  assert.equal((await s.api('GET', '/api/v1/cases', { token: t })).status, 200);
  let r = await s.api('PATCH', `/api/v1/users/${user}`, { token: admin, body: { disabled: true } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.disabled, true);
  assertError(await s.api('GET', '/api/v1/cases', { token: t }), 401);
  assertError(await s.api('GET', '/api/v1/auth/me', { token: t }), 401);
  const l = await login(user, PW.agent);
  assertError(l, 401);
  const rows = s.sql(`SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = '${user}'`);
  assert.equal(rows[0].n, 0);
  r = await s.api('PATCH', `/api/v1/users/${user}`, { token: admin, body: { disabled: false } });
  assert.equal(r.status, 200);
  assert.equal((await login(user, PW.agent)).status, 200);
});

test('login body validation: 422 naming the field, 400 for a non-JSON body', async () => {
  assert422(await s.api('POST', '/api/v1/auth/login', { body: { username: 'admin' } }), 'password');
  assert422(await s.api('POST', '/api/v1/auth/login', { body: { password: 'x' } }), 'username');
  assert422(await s.api('POST', '/api/v1/auth/login', { body: { username: 5, password: PW.admin } }), 'username');
  assert422(await s.api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: PW.admin, remember: true } }), 'remember');
  assertError(await s.api('POST', '/api/v1/auth/login', { rawBody: 'username=admin' }), 400);
});

test('an expired token → 401 (server clock moved past the token lifetime)', async () => {
  const t = await s.login('agent.zz4s');
  const me = await s.api('GET', '/api/v1/auth/me', { token: t });
  assert.equal(me.status, 200);
  const lt = await login('agent.zz4s', PW.agent);
  const expires = Date.parse(lt.json.expires_at);
  const later = new Date(expires + 60_000).toISOString();
  const c = await s.api('PUT', '/api/v1/test/clock', { body: { now: later } });
  assert.equal(c.status, 200, c.text);
  assertError(await s.api('GET', '/api/v1/auth/me', { token: t }), 401);
  assertError(await s.api('GET', '/api/v1/auth/me', { token: lt.json.token }), 401);
  // a new login at the new time works
  const t2 = await s.login('agent.zz4s');
  assert.equal((await s.api('GET', '/api/v1/auth/me', { token: t2 })).status, 200);
});

test('SIGTERM after all of the above: exit code 0, no sanitizer report (leaks, memory errors)', async () => {
  await assertCleanShutdown(s);
});
