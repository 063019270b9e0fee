// Durability at the edges: SIGTERM while registrations are in flight (graceful: every 201
// is stored, exit 0) and SIGKILL after 201s (every acknowledged case survives a restart).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, tmpDir, prepareDb, caseBody, sql, shanghaiYearMonth, DEMO_CASES, sleep } from './lib.mjs';

const servers = [];
after(async () => {
  for (const s of servers) if (s.proc && !s.exit) await s.kill9();
});

async function boot(db, dir) {
  const s = new Server(db, dir);
  servers.push(s);
  await s.start();
  return s;
}

/* Fires n registrations at once; returns promises of {status, case_no, name} (status 0 =
 * no HTTP answer, e.g. the connection was refused or cut during shutdown). */
function burst(s, token, n, tag) {
  return Array.from({ length: n }, (_, i) => {
    const name = `${tag}-${i}`;
    return s
      .api('POST', '/api/v1/cases', { token, body: caseBody({ outlet: 20, complainant: { name } }) })
      .then((r) => ({ status: r.status, case_no: r.json?.case?.case_no, name, text: r.text }))
      .catch((e) => ({ status: 0, name, error: String(e.message).split('\n')[0] }));
  });
}

test('SIGTERM while 50 registrations are in flight: every 201 is stored, exit code 0', async (t) => {
  const dir = tmpDir();
  const db = prepareDb(dir);
  const s = await boot(db, dir);
  const token = await s.login('admin');
  const ps = burst(s, token, 50, '停机');
  // signal as soon as the first registration is acknowledged: the rest are in flight
  await Promise.race(ps.map((p) => p.then((r) => (r.status === 201 ? r : new Promise(() => {})))));
  s.proc.kill('SIGTERM');
  const results = await Promise.all(ps);
  const ex = await s.exited;
  assert.equal(ex.signal, null, `died by a signal\n${s.crashReport()}`);
  assert.equal(ex.code, 0, `exit code\n${s.crashReport()}`);
  assert.ok(!/ERROR: \w+Sanitizer/.test(s.runStderr), s.crashReport());
  assert.ok(s.logLines().some((l) => l.msg === 'stopped'), 'logged its stop');

  const ok = results.filter((r) => r.status === 201);
  const counts = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const lines = s.logLines();
  const sigAt = lines.findIndex((l) => /^signal \d+/.test(l.msg ?? ''));
  const after = lines.slice(sigAt + 1).filter((l) => l.msg === 'request').length;
  t.diagnostic(`answers during shutdown: ${JSON.stringify(counts)}; requests completed after the signal: ${after}`);
  assert.ok(ok.length >= 1);
  // a request is either done (201), refused while stopping (503), or never answered
  for (const r of results) assert.ok([0, 201, 503].includes(r.status), `unexpected answer during shutdown: ${r.status} ${r.text ?? r.error}`);
  const rows = sql(db, "SELECT case_no, c_name FROM cases WHERE c_name LIKE '停机-%'");
  const stored = Object.fromEntries(rows.map((r) => [r.case_no, r.c_name]));
  for (const r of ok) assert.equal(stored[r.case_no], r.name, `acknowledged ${r.case_no} is stored with its data`);
  // the month's series stays gap-free, and history matches cases
  const ym = shanghaiYearMonth();
  const serials = sql(db, `SELECT case_no FROM cases WHERE case_no LIKE 'TS${ym}%' ORDER BY case_no`).map((r) => Number(r.case_no.slice(8)));
  assert.deepEqual(serials, Array.from({ length: serials.length }, (_, i) => i + 1));
  assert.ok(serials.length >= DEMO_CASES + ok.length);
  const orphans = sql(db, "SELECT count(*) AS n FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id AND h.action = 'register')");
  assert.equal(orphans[0].n, 0, 'every stored case has its register entry');
  const integrity = sql(db, 'PRAGMA integrity_check');
  assert.deepEqual(integrity, [{ integrity_check: 'ok' }]);
});

test('SIGTERM with no traffic: exit 0 promptly; SIGINT too', async () => {
  const dir = tmpDir();
  const db = prepareDb(dir);
  let s = await boot(db, dir);
  const t0 = Date.now();
  await s.stop();
  assert.ok(Date.now() - t0 < 5000, 'stops within 5 s');
  s = await boot(db, dir);
  s.proc.kill('SIGINT');
  const ex = await s.exited;
  assert.deepEqual(ex, { code: 0, signal: null });
});

test('SIGKILL after 201s: restarted on the same database, every acknowledged case is there', async () => {
  const dir = tmpDir();
  const db = prepareDb(dir);
  let s = await boot(db, dir);
  const token = await s.login('admin');
  const results = await Promise.all(burst(s, token, 40, '断电'));
  // and a few more one by one, the last acknowledged just before the kill
  for (let i = 0; i < 5; i++) {
    const r = await s.api('POST', '/api/v1/cases', { token, body: caseBody({ outlet: 20, complainant: { name: `断电-seq-${i}` } }) });
    results.push({ status: r.status, case_no: r.json?.case?.case_no, name: `断电-seq-${i}` });
  }
  const note = await s.api('POST', `/api/v1/cases/${results.at(-1).case_no}/notes`, { token, body: { text: '最后的备注' } });
  s.proc.kill('SIGKILL');
  const ex = await s.exited;
  assert.equal(ex.signal, 'SIGKILL');
  const ok = results.filter((r) => r.status === 201);
  assert.equal(ok.length, 45, `all registrations acknowledged: ${JSON.stringify(results.filter((r) => r.status !== 201).slice(0, 3))}`);

  s = await boot(db, dir);
  // the old session is still valid after the restart (sessions are in the store)
  const me = await s.api('GET', '/api/v1/auth/me', { token });
  assert.equal(me.status, 200);
  for (const r of ok) {
    const g = await s.api('GET', `/api/v1/cases/${r.case_no}`, { token });
    assert.equal(g.status, 200, `${r.case_no} survived`);
    assert.equal(g.json.case.complainant.name, r.name);
  }
  if (note.status === 201) {
    const n = await s.api('GET', `/api/v1/cases/${results.at(-1).case_no}/notes`, { token });
    assert.ok(n.json.items.some((x) => x.text === '最后的备注'), 'the acknowledged note survived');
  }
  // numbering continues after the highest acknowledged serial: no number is reused
  const maxSerial = Math.max(...ok.map((r) => Number(r.case_no.slice(8))));
  const next = await s.api('POST', '/api/v1/cases', { token, body: caseBody({ outlet: 20, complainant: { name: '重启后' } }) });
  assert.equal(next.status, 201);
  assert.equal(Number(next.json.case.case_no.slice(8)), maxSerial + 1);
  assert.equal(maxSerial, DEMO_CASES + 45);
  await s.stop();
  assert.deepEqual(sql(db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
});
