// Health, Prometheus metrics, request ids and the access log.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, PW, assertCleanShutdown } from './lib.mjs';

let s;
before(async () => {
  s = await startServer();
});
beforeEach(async () => {
  await s?.ensureUp();
});
after(async () => {
  await s?.stop();
});

/* Parses Prometheus text: [{name, labels, value}]. */
function parseProm(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      let lm;
      while ((lm = re.exec(m[3]))) labels[lm[1]] = lm[2];
    }
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

async function metrics() {
  const r = await s.api('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  return { text: r.text, samples: parseProm(r.text) };
}

function sample(samples, name, labels = {}) {
  return samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
}

test('GET /healthz answers 200 {"status":"ok"} without a token', async () => {
  const r = await s.api('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok' });
  assert.match(r.headers.get('content-type'), /^application\/json/);
});

test('every response carries a distinct X-Request-Id', async () => {
  const ids = new Set();
  for (const p of ['/healthz', '/healthz', '/api/v1/cases', '/no/such/path']) {
    const r = await s.api('GET', p);
    const id = r.headers.get('x-request-id');
    assert.ok(id && /^[0-9A-Za-z._-]{8,}$/.test(id), `X-Request-Id on ${p}: ${id}`);
    ids.add(id);
  }
  assert.equal(ids.size, 4);
});

test('unknown path → 404 with the error shape; known path, wrong method → 405', async () => {
  let r = await s.api('GET', '/api/v1/nothing-here');
  assert.equal(r.status, 404);
  assert.equal(typeof r.json.error.code, 'string');
  r = await s.api('DELETE', '/healthz');
  assert.equal(r.status, 405);
  assert.equal(typeof r.json.error.code, 'string');
  assert.match(r.headers.get('allow') ?? '', /\bGET\b/);
});

test('without --test-clock the test routes do not exist (404, not 405)', async () => {
  for (const [m, p] of [['PUT', '/api/v1/test/clock'], ['POST', '/api/v1/test/tick'], ['GET', '/api/v1/test/clock'], ['DELETE', '/api/v1/test/tick']]) {
    const r = await s.api(m, p, { body: m === 'PUT' ? { now: '2030-01-01T00:00:00Z' } : undefined });
    assert.equal(r.status, 404, `${m} ${p}`);
  }
  // and the clock did not move
  const token = await s.login('admin');
  const me = await s.api('GET', '/api/v1/auth/me', { token });
  assert.equal(me.status, 200);
});

test('/metrics counts requests by route and status', async () => {
  const before = await metrics();
  const hz = (m) => sample(m.samples, 'tousu_http_requests_total', { route: 'GET /healthz', status: '200' })?.value ?? 0;
  const n0 = hz(before);
  for (let i = 0; i < 3; i++) assert.equal((await s.api('GET', '/healthz')).status, 200);
  // a 401 on another route is counted with its own labels
  const unauth0 = sample(before.samples, 'tousu_http_requests_total', { route: 'GET /api/v1/cases', status: '401' })?.value ?? 0;
  assert.equal((await s.api('GET', '/api/v1/cases')).status, 401);
  await new Promise((r) => setTimeout(r, 50)); // counted when the response completes
  const m = await metrics();
  assert.match(m.text, /^# TYPE tousu_http_requests_total counter$/m);
  assert.equal(hz(m), n0 + 3);
  assert.equal(sample(m.samples, 'tousu_http_requests_total', { route: 'GET /api/v1/cases', status: '401' })?.value, unauth0 + 1);
  for (const x of m.samples.filter((x) => x.name === 'tousu_http_requests_total')) {
    assert.ok('route' in x.labels && 'status' in x.labels, JSON.stringify(x));
    assert.ok(Number.isInteger(x.value) && x.value > 0);
  }
});

test('/metrics has a latency histogram per route (cumulative buckets, +Inf = count, sum)', async () => {
  for (let i = 0; i < 2; i++) await s.api('GET', '/healthz');
  await new Promise((r) => setTimeout(r, 50));
  const m = await metrics();
  assert.match(m.text, /^# TYPE tousu_http_request_duration_seconds histogram$/m);
  const route = 'GET /healthz';
  const buckets = m.samples.filter((x) => x.name === 'tousu_http_request_duration_seconds_bucket' && x.labels.route === route);
  assert.ok(buckets.length >= 3, 'several buckets');
  const inf = buckets.find((b) => b.labels.le === '+Inf');
  assert.ok(inf, '+Inf bucket');
  let prev = 0;
  let prevLe = -Infinity;
  for (const b of buckets) {
    const le = b.labels.le === '+Inf' ? Infinity : Number(b.labels.le);
    assert.ok(le > prevLe, 'bucket bounds increase');
    assert.ok(b.value >= prev, 'buckets are cumulative');
    prev = b.value;
    prevLe = le;
  }
  const count = sample(m.samples, 'tousu_http_request_duration_seconds_count', { route });
  const sum = sample(m.samples, 'tousu_http_request_duration_seconds_sum', { route });
  assert.ok(count && sum);
  assert.equal(inf.value, count.value);
  const reqs = m.samples
    .filter((x) => x.name === 'tousu_http_requests_total' && x.labels.route === route)
    .reduce((a, x) => a + x.value, 0);
  assert.equal(count.value, reqs, 'histogram count = requests of the route');
  assert.ok(sum.value > 0 && sum.value < count.value * 5);
});

test('/metrics has store counters that move with reads and writes', async () => {
  const m0 = await metrics();
  for (const n of ['tousu_store_reads_total', 'tousu_store_commits_total', 'tousu_store_writes_total']) {
    assert.ok(sample(m0.samples, n), `${n} present`);
    assert.match(m0.text, new RegExp(`^# TYPE ${n} counter$`, 'm'));
  }
  const token = await s.login('admin'); // a write: the session
  const r = await s.api('GET', '/api/v1/cases?per_page=1', { token }); // reads
  assert.equal(r.status, 200);
  const m1 = await metrics();
  const v = (m, n) => sample(m.samples, n).value;
  assert.ok(v(m1, 'tousu_store_writes_total') >= v(m0, 'tousu_store_writes_total') + 1);
  assert.ok(v(m1, 'tousu_store_commits_total') >= v(m0, 'tousu_store_commits_total') + 1);
  assert.ok(v(m1, 'tousu_store_reads_total') > v(m0, 'tousu_store_reads_total'));
});

test('one access-log line per request, with the request id, and no password or token in the log', async () => {
  const wrongPw = 'Wr0ng-Secret-Pw-4711';
  const bad = await s.api('POST', '/api/v1/auth/login', { body: { username: 'agent.shpd', password: wrongPw } });
  assert.equal(bad.status, 401);
  const token = await s.login('admin');
  const me = await s.api('GET', '/api/v1/auth/me', { token });
  assert.equal(me.status, 200);
  const fakeToken = 'ZZfaketoken0123456789abcdefXYZ';
  assert.equal((await s.api('GET', '/api/v1/auth/me', { token: fakeToken })).status, 401);
  // a token put in a query string must not reach the log either
  await s.api('GET', `/healthz?access_token=${token}`);
  const rid = me.headers.get('x-request-id');
  const line = await s.waitLog((l) => l.msg === 'request' && l.request_id === rid);
  assert.ok(line, `access log line for ${rid}`);
  assert.equal(line.method, 'GET');
  assert.equal(line.path, '/api/v1/auth/me');
  assert.equal(line.status, 200);
  assert.equal(line.user, 'admin');
  assert.equal(typeof line.duration_ms, 'number');
  // exactly one line per request id
  const hz = await s.api('GET', '/healthz');
  const hid = hz.headers.get('x-request-id');
  await s.waitLog((l) => l.request_id === hid);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(s.logLines().filter((l) => l.request_id === hid).length, 1);
  assert.equal(s.logLines().filter((l) => l.request_id === rid).length, 1);
  await s.waitLog((l) => l.msg === 'request' && l.path === '/healthz' && l.request_id !== hid);
  for (const secret of [wrongPw, PW.admin, token, fakeToken]) {
    assert.ok(!s.stderr.includes(secret), `the log must not contain ${secret.slice(0, 6)}…`);
  }
});

test('SIGTERM after all of the above: exit code 0, no sanitizer report (leaks, memory errors)', async () => {
  await assertCleanShutdown(s);
});
