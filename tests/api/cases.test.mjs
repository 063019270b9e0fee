// Cases: register, read, list with filters and pages, PATCH, history, notes, contacts,
// promises, and the append-only history in the store.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, assertError, assert422, unitsByCode, listAll, shanghaiYearMonth, caseBody, sqlWrite, DEMO_CASES, assertCleanShutdown,
} from './lib.mjs';

let s, admin, units, unitById;
const fx = {}; // fixture cases by name

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const FLAGS = ['injury', 'fire', 'accident', 'property_damage', 'safety_related', 'media_exposure', 'media_threat',
  'regulator_threat', 'lawsuit_threat', 'lawsuit_filed', 'regulator_investigation'];
const LOSS = ['compensation_cents', 'refund_cents', 'discount_cents', 'repair_cents', 'goods_cents', 'freight_cents',
  'gift_cents', 'other_cents'];

async function register(body, token = admin) {
  const r = await s.api('POST', '/api/v1/cases', { token, body });
  assert.equal(r.status, 201, `register: ${r.text}`);
  return r.json.case;
}

// The people's entries: the clocks' own ("overdue", by "system") are tested in sla.test.mjs.
async function history(no, token = admin) {
  const r = await s.api('GET', `/api/v1/cases/${no}/history`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((h) => h.actor !== 'system');
}

before(async () => {
  s = await startServer();
  admin = await s.login('admin');
  units = await unitsByCode(s, admin);
  unitById = Object.fromEntries(Object.values(units).map((u) => [u.id, u]));
  fx.A = await register(caseBody({
    channel: 'phone',
    category: 'product_quality',
    outlet: units['SH-4S-PD'].id,
    dept: units.AFTERSALES.id,
    received_at: '2026-03-15T10:00:00+08:00',
    title: '刹车异响',
    complainant: { name: '测试甲', phone: '13911110001', email: 'jia@example.com', customer_id: 'C-001', vip: true },
    subject: { product: '帕萨特', batch: 'B-1', order_no: 'ORD-ZX-0001', plate: '沪A·TEST1', outlet: '浦东店', employee: '张三' },
    description: '刹车有异响 ZEBRA-UNIQUE-7781,要求检修。',
    demands: ['repair', 'apology'],
    claimed_cents: 123456,
    flags: { safety_related: true },
  }));
  fx.B = await register(caseBody({
    channel: 'walk_in',
    category: 'billing',
    outlet: units['BJ-4S-01'].id,
    dept: units.FINANCE.id,
    received_at: '2026-03-31T23:30:00+08:00',
    complainant: { name: '测试乙', phone: '13911110002' },
    description: '账单多收费',
  }));
  fx.C = await register(caseBody({
    channel: 'regulator_12315',
    category: 'delivery',
    outlet: units['GZ-DS-01'].id,
    dept: units.RETAIL.id,
    handler: 'handler.retail',
    received_at: '2026-04-01T00:00:00+08:00',
    complainant: { name: '测试丙', phone: '13911110003' },
    description: '配送延误,已投诉12315',
  }));
  const agent = await s.login('agent.shpd');
  fx.D = await register(caseBody({ channel: 'web', complainant: { name: '测试丁' }, description: '网页投诉' }), agent);
});
beforeEach(async () => {
  await s?.ensureUp();
});
after(async () => {
  await s?.stop();
});

test('register → 201 with the case object of API.md', async () => {
  const c = fx.A;
  for (const k of ['case_no', 'status', 'grade', 'grade_reasons', 'channel', 'external', 'category', 'validity', 'nature',
    'complainant', 'subject', 'description', 'demands', 'claimed_cents', 'flags', 'owner', 'dept', 'handler', 'outlet',
    'received_at', 'registered_at', 'clocks', 'overdue', 'solutions', 'loss', 'reopen_count', 'satisfaction']) {
    assert.ok(k in c, `case has ${k}`);
  }
  for (const k of ['name', 'phone', 'email', 'customer_id', 'vip']) assert.ok(k in c.complainant, `complainant.${k}`);
  for (const k of ['product', 'batch', 'order_no', 'plate', 'outlet', 'employee']) assert.ok(k in c.subject, `subject.${k}`);
  for (const k of FLAGS) assert.equal(typeof c.flags[k], 'boolean', `flags.${k}`);
  for (const k of [...LOSS, 'total_cents']) assert.equal(c.loss[k], 0, `loss.${k}`);
  assert.ok('attributed_to' in c.loss);
  assert.equal(c.status, 'received');
  assert.match(c.grade, /^g[1-4]$/);
  assert.ok(Array.isArray(c.grade_reasons));
  assert.ok(Array.isArray(c.clocks));
  assert.ok(Array.isArray(c.solutions));
  for (const k of c.clocks) assert.ok(['running', 'met', 'breached', 'paused'].includes(k.state));
  assert.equal(c.channel, 'phone');
  assert.equal(c.external, false);
  assert.equal(c.category, 'product_quality');
  assert.equal(c.complainant.name, '测试甲');
  assert.equal(c.complainant.phone, '13911110001');
  assert.equal(c.complainant.email, 'jia@example.com');
  assert.equal(c.complainant.customer_id, 'C-001');
  assert.equal(c.complainant.vip, true);
  assert.equal(c.subject.plate, '沪A·TEST1');
  assert.equal(c.subject.order_no, 'ORD-ZX-0001');
  assert.deepEqual(c.demands, ['repair', 'apology']);
  assert.equal(c.claimed_cents, 123456);
  assert.equal(c.flags.safety_related, true);
  assert.equal(c.flags.injury, false);
  assert.equal(c.owner, 'admin');
  assert.equal(c.outlet, units['SH-4S-PD'].id);
  assert.equal(c.dept, units.AFTERSALES.id);
  assert.equal(c.handler, null);
  // received 2026-03-15 and registered today: far past DOMAIN §5's hour to register
  assert.equal(c.overdue, true);
  assert.equal(c.clocks.find((k) => k.name === 'register')?.state, 'breached', JSON.stringify(c.clocks));
  assert.equal(c.reopen_count, 0);
  assert.equal(c.satisfaction, null);
  assert.match(c.received_at, RFC3339);
  assert.equal(Date.parse(c.received_at), Date.parse('2026-03-15T10:00:00+08:00'));
  assert.match(c.registered_at, RFC3339);
  assert.ok(Math.abs(Date.parse(c.registered_at) - Date.now()) < 60_000, 'registered now');
  // times are shown in the organisation's zone
  assert.match(c.registered_at, /\+08:00$/);
  // an external channel makes the case external
  assert.equal(fx.C.external, true);
  assert.equal(fx.C.handler, 'handler.retail');
  // an agent's case: own outlet by default, owner = the agent, received_at = now
  assert.equal(fx.D.owner, 'agent.shpd');
  assert.equal(fx.D.outlet, units['SH-4S-PD'].id);
  assert.ok(Math.abs(Date.parse(fx.D.received_at) - Date.now()) < 60_000);
});

test('case_no is TS<YYYYMM><5+ digits> of the current month (Asia/Shanghai), consecutive', async () => {
  const ym = shanghaiYearMonth();
  const serials = [];
  for (const c of [fx.A, fx.B, fx.C, fx.D]) {
    const m = /^TS(\d{6})(\d{5,})$/.exec(c.case_no);
    assert.ok(m, `case_no format: ${c.case_no}`);
    // the month of registration, not of receipt (received_at is March)
    assert.equal(m[1], ym);
    serials.push(Number(m[2]));
  }
  assert.deepEqual(serials, [DEMO_CASES + 1, DEMO_CASES + 2, DEMO_CASES + 3, DEMO_CASES + 4]);
  assert.equal(fx.A.case_no, `TS${ym}${String(DEMO_CASES + 1).padStart(5, '0')}`);
});

test('GET /cases/{no} returns the stored case; unknown or malformed numbers → 404', async () => {
  const r = await s.api('GET', `/api/v1/cases/${fx.A.case_no}`, { token: admin });
  assert.equal(r.status, 200);
  const c = r.json.case;
  for (const k of Object.keys(fx.A)) {
    if (k === 'updated_at') continue;
    assert.deepEqual(c[k], fx.A[k], `field ${k} read back`);
  }
  assert.ok(Array.isArray(c.notes) && Array.isArray(c.contacts) && Array.isArray(c.promises));
  const ym = shanghaiYearMonth();
  assertError(await s.api('GET', `/api/v1/cases/TS${ym}99999`, { token: admin }), 404);
  assertError(await s.api('GET', '/api/v1/cases/not-a-case', { token: admin }), 404);
  assertError(await s.api('GET', `/api/v1/cases/${fx.A.case_no.toLowerCase()}`, { token: admin }), 404);
  assertError(await s.api('GET', `/api/v1/cases/${fx.A.case_no}/history`, {}), 401);
});

test('registration validation: 422 naming the fields; nothing written', async () => {
  const before = s.snapshot();
  const bad = [
    [{ complainant: { name: 'x' }, description: 'd' }, ['channel']],
    [{ channel: 'phone', description: 'd' }, ['complainant.name']],
    [{ channel: 'phone', complainant: { name: 'x' } }, ['description']],
    [caseBody({ channel: 'carrier_pigeon' }), ['channel']],
    [caseBody({ category: 'nonsense' }), ['category']],
    [caseBody({ validity: 'maybe' }), ['validity']],
    [caseBody({ nature: 'rant' }), ['nature']],
    [caseBody({ complainant: { name: 'x', phone: 'call me' } }), ['complainant.phone']],
    [caseBody({ complainant: { name: 'x', email: 'nope' } }), ['complainant.email']],
    [caseBody({ complainant: { name: 'x', vip: 'yes' } }), ['complainant.vip']],
    [caseBody({ complainant: { name: 'x', shoe: 1 } }), ['complainant.shoe']],
    [caseBody({ complainant: 'Mr X' }), ['complainant']],
    [caseBody({ demands: ['world_peace'] }), ['demands']],
    [caseBody({ demands: ['refund', 'refund'] }), ['demands']],
    [caseBody({ claimed_cents: -1 }), ['claimed_cents']],
    [caseBody({ claimed_cents: 12.5 }), ['claimed_cents']],
    [caseBody({ claimed_cents: '100' }), ['claimed_cents']],
    [caseBody({ flags: { injury: 1 } }), ['flags.injury']],
    [caseBody({ flags: { meteor: true } }), ['flags.meteor']],
    [caseBody({ received_at: 'yesterday' }), ['received_at']],
    [caseBody({ received_at: '2026-01-01T10:00:00' }), ['received_at']],
    [caseBody({ received_at: new Date(Date.now() + 86400_000).toISOString() }), ['received_at']],
    [caseBody({ outlet: units.AFTERSALES.id }), ['outlet']],
    [caseBody({ outlet: 999999 }), ['outlet']],
    [caseBody({ dept: units['SH-4S-PD'].id }), ['dept']],
    [caseBody({ handler: 'no.such.user' }), ['handler']],
    [caseBody({ description: '' }), ['description']],
    [caseBody({ description: 'x'.repeat(20001) }), ['description']],
    [caseBody({ title: 'a\u0007b' }), ['title']],
    [caseBody({ status: 'closed' }), ['status']],
    [caseBody({ grade: 'g4' }), ['grade']],
    [caseBody({ case_no: 'TS20990100001' }), ['case_no']],
    [caseBody({ owner: 'gm' }), ['owner']],
    [caseBody({ loss: { refund_cents: 5 } }), ['loss.refund_cents']],
    [caseBody({ loss: { total_cents: 5 } }), ['loss.total_cents']],
    [caseBody({ colour: 'red' }), ['colour']],
  ];
  for (const [body, fields] of bad) {
    const r = await s.api('POST', '/api/v1/cases', { token: admin, body });
    assert422(r, ...fields);
  }
  // admin sits at HQ (not an outlet): without an outlet the registration names it
  assert422(await s.api('POST', '/api/v1/cases', { token: admin, body: { channel: 'phone', complainant: { name: 'x' }, description: 'd' } }), 'outlet');
  assert.deepEqual(s.snapshot(), before);
});

/* ---- list -------------------------------------------------------------------------------------------------- */

const under = (unitId, ancestorId) => {
  const u = unitById[unitId];
  const a = unitById[ancestorId];
  return !!u && !!a && u.path.startsWith(a.path);
};
const nos = (items) => items.map((c) => c.case_no).sort();

async function checkFilter(query, pred) {
  const all = (await listAll(s, admin)).items;
  const expected = nos(all.filter(pred));
  const got = await listAll(s, admin, query);
  assert.equal(got.total, expected.length, `total for ${query}`);
  assert.deepEqual(nos(got.items), expected, `items for ${query}`);
  return expected;
}

test('list: envelope, default page, newest first, everything for the admin', async () => {
  const r = await s.api('GET', '/api/v1/cases', { token: admin });
  assert.equal(r.status, 200);
  assert.equal(r.json.page, 1);
  assert.equal(r.json.per_page, 50);
  assert.equal(typeof r.json.total, 'number');
  assert.ok(r.json.total >= DEMO_CASES + 4);
  assert.equal(r.json.total, s.sql('SELECT count(*) AS n FROM cases')[0].n);
  const ids = r.json.items.map((c) => Number(c.case_no.slice(8)));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
  assert.equal(r.json.items[0].case_no, fx.D.case_no);
});

test('list filters: status, grade, category, channel (lists too)', async () => {
  let e = await checkFilter('status=received', (c) => c.status === 'received');
  assert.ok(e.length >= 4);
  e = await checkFilter('status=closed', (c) => c.status === 'closed');
  await checkFilter('status=received,closed', (c) => ['received', 'closed'].includes(c.status));
  await checkFilter('grade=g1', (c) => c.grade === 'g1');
  await checkFilter('grade=g2,g3', (c) => ['g2', 'g3'].includes(c.grade));
  e = await checkFilter('category=billing', (c) => c.category === 'billing');
  assert.ok(e.includes(fx.B.case_no));
  e = await checkFilter('category=billing,delivery', (c) => ['billing', 'delivery'].includes(c.category));
  assert.ok(e.includes(fx.B.case_no) && e.includes(fx.C.case_no) && !e.includes(fx.A.case_no));
  e = await checkFilter('channel=regulator_12315', (c) => c.channel === 'regulator_12315');
  assert.deepEqual(e, [fx.C.case_no]);
  await checkFilter('channel=phone,walk_in', (c) => ['phone', 'walk_in'].includes(c.channel));
});

test('list filters: outlet and dept include the units below; owner; handler; overdue', async () => {
  let e = await checkFilter(`outlet=${units['SH-4S-PD'].id}`, (c) => c.outlet === units['SH-4S-PD'].id);
  assert.ok(e.includes(fx.A.case_no) && e.includes(fx.D.case_no) && !e.includes(fx.B.case_no));
  e = await checkFilter(`outlet=${units.EAST.id}`, (c) => under(c.outlet, units.EAST.id));
  assert.ok(e.includes(fx.A.case_no) && !e.includes(fx.B.case_no) && !e.includes(fx.C.case_no));
  e = await checkFilter(`dept=${units.FINANCE.id}`, (c) => c.dept === units.FINANCE.id);
  assert.ok(e.includes(fx.B.case_no) && !e.includes(fx.A.case_no));
  e = await checkFilter(`outlet=${units.NORTH.id}&dept=${units.FINANCE.id}`, (c) => under(c.outlet, units.NORTH.id) && c.dept === units.FINANCE.id);
  assert.ok(e.includes(fx.B.case_no));
  e = await checkFilter('owner=agent.shpd', (c) => c.owner === 'agent.shpd');
  assert.ok(e.includes(fx.D.case_no) && !e.includes(fx.A.case_no));
  e = await checkFilter('handler=handler.retail', (c) => c.handler === 'handler.retail');
  assert.ok(e.includes(fx.C.case_no));
  await checkFilter('overdue=true', (c) => c.overdue === true);
  await checkFilter('overdue=false', (c) => c.overdue === false);
  // an unknown (but well-formed) unit or user: nothing, not an error
  assert.equal((await s.api('GET', '/api/v1/cases?outlet=999999', { token: admin })).json.total, 0);
  assert.equal((await s.api('GET', '/api/v1/cases?owner=nobody', { token: admin })).json.total, 0);
});

test('list filters: from/to on received_at (RFC 3339 or dates; a date "to" includes its day)', async () => {
  const t = (c) => Date.parse(c.received_at);
  const mar1 = Date.parse('2026-03-01T00:00:00+08:00');
  const apr1 = Date.parse('2026-04-01T00:00:00+08:00');
  let e = await checkFilter('from=2026-03-01&to=2026-03-31', (c) => t(c) >= mar1 && t(c) < apr1);
  assert.ok(e.includes(fx.A.case_no) && e.includes(fx.B.case_no) && !e.includes(fx.C.case_no));
  e = await checkFilter(`from=${encodeURIComponent('2026-03-15T10:00:00+08:00')}&to=${encodeURIComponent('2026-03-31T23:00:00+08:00')}`,
    (c) => t(c) >= Date.parse('2026-03-15T10:00:00+08:00') && t(c) < Date.parse('2026-03-31T23:00:00+08:00'));
  assert.ok(e.includes(fx.A.case_no), 'from is inclusive');
  assert.ok(!e.includes(fx.B.case_no));
  e = await checkFilter('from=2026-04-01', (c) => t(c) >= apr1);
  assert.ok(e.includes(fx.C.case_no) && !e.includes(fx.B.case_no), 'midnight in Shanghai, not UTC');
  e = await checkFilter(`to=${encodeURIComponent('2026-03-16T00:00:00Z')}`, (c) => t(c) < Date.parse('2026-03-16T00:00:00Z'));
  assert.ok(e.includes(fx.A.case_no));
  assert.equal((await s.api('GET', '/api/v1/cases?from=2030-01-01', { token: admin })).json.total, 0);
});

test('list filter q: case number, phone, name, title, description, product, order number, plate', async () => {
  const q = async (v) => (await listAll(s, admin, `q=${encodeURIComponent(v)}`)).items.map((c) => c.case_no);
  assert.deepEqual(await q('ZEBRA-UNIQUE-7781'), [fx.A.case_no]);
  assert.deepEqual(await q(fx.B.case_no), [fx.B.case_no]);
  assert.deepEqual(await q('13911110003'), [fx.C.case_no]);
  assert.deepEqual(await q('测试乙'), [fx.B.case_no]);
  assert.deepEqual(await q('刹车异响'), [fx.A.case_no]);
  assert.deepEqual(await q('ORD-ZX-0001'), [fx.A.case_no]);
  assert.deepEqual(await q('沪A·TEST1'), [fx.A.case_no]);
  assert.ok((await q('测试')).length >= 4);
  assert.deepEqual(await q('no-such-text-anywhere-42'), []);
  // combined with other filters: AND
  assert.deepEqual((await listAll(s, admin, `q=${encodeURIComponent('测试')}&channel=walk_in`)).items.map((c) => c.case_no), [fx.B.case_no]);
});

test('list pagination: pages partition the result; per_page max 500; bad values 422', async () => {
  const all = await listAll(s, admin);
  const seen = [];
  for (let page = 1; ; page++) {
    const r = await s.api('GET', `/api/v1/cases?per_page=3&page=${page}`, { token: admin });
    assert.equal(r.status, 200);
    assert.equal(r.json.page, page);
    assert.equal(r.json.per_page, 3);
    assert.equal(r.json.total, all.total);
    assert.ok(r.json.items.length <= 3);
    if (r.json.items.length === 0) break;
    seen.push(...r.json.items.map((c) => c.case_no));
  }
  assert.deepEqual(seen, all.items.map((c) => c.case_no), 'pages in order, no gap, no duplicate');
  assert.equal(new Set(seen).size, all.total);
  let r = await s.api('GET', '/api/v1/cases?per_page=500', { token: admin });
  assert.equal(r.status, 200);
  assert.equal(r.json.per_page, 500);
  r = await s.api('GET', '/api/v1/cases?page=1000&per_page=10', { token: admin });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items, []);
  assert.equal(r.json.total, all.total);
  assert422(await s.api('GET', '/api/v1/cases?per_page=501', { token: admin }), 'per_page');
  assert422(await s.api('GET', '/api/v1/cases?per_page=0', { token: admin }), 'per_page');
  assert422(await s.api('GET', '/api/v1/cases?per_page=-5', { token: admin }), 'per_page');
  assert422(await s.api('GET', '/api/v1/cases?per_page=ten', { token: admin }), 'per_page');
  assert422(await s.api('GET', '/api/v1/cases?page=0', { token: admin }), 'page');
  assert422(await s.api('GET', '/api/v1/cases?page=1.5', { token: admin }), 'page');
  assert422(await s.api('GET', '/api/v1/cases?status=open', { token: admin }), 'status');
  assert422(await s.api('GET', '/api/v1/cases?grade=g9', { token: admin }), 'grade');
  assert422(await s.api('GET', '/api/v1/cases?overdue=yes', { token: admin }), 'overdue');
  assert422(await s.api('GET', '/api/v1/cases?from=last-week', { token: admin }), 'from');
  assert422(await s.api('GET', '/api/v1/cases?to=2026-13-01', { token: admin }), 'to');
  assert422(await s.api('GET', '/api/v1/cases?outlet=EAST', { token: admin }), 'outlet');
  assertError(await s.api('GET', '/api/v1/cases?order_by=id', { token: admin }), 400);
  assert422(await s.api('GET', '/api/v1/cases?sort=id', { token: admin }), 'sort'); // newest or due
});

/* ---- PATCH and history -------------------------------------------------------------------------------------- */

test('PATCH changes fields; GET shows them; history records each change as before → after', async () => {
  const no = fx.A.case_no;
  const h0 = await history(no);
  assert.equal(h0.length, 1);
  assert.equal(h0[0].action, 'register');
  assert.equal(h0[0].actor, 'admin');
  assert.match(h0[0].at, RFC3339);
  assert.deepEqual(h0[0].changes.description, [null, fx.A.description]);
  assert.deepEqual(h0[0].changes.channel, [null, 'phone']);
  assert.deepEqual(h0[0].changes['complainant.name'], [null, '测试甲']);

  const sup = await s.login('sup.east');
  let r = await s.api('PATCH', `/api/v1/cases/${no}`, {
    token: sup,
    body: {
      category: 'repair_quality',
      title: '刹车异响(复检)',
      complainant: { phone: '13911119999' },
      flags: { injury: true },
      handler: 'handler.aftersales',
      loss: { refund_cents: 1000, repair_cents: 2550, attributed_to: 'ours' },
    },
  });
  assert.equal(r.status, 200, r.text);
  let c = r.json.case;
  assert.equal(c.category, 'repair_quality');
  assert.equal(c.title, '刹车异响(复检)');
  assert.equal(c.complainant.phone, '13911119999');
  assert.equal(c.complainant.name, '测试甲', 'untouched fields stay');
  assert.equal(c.flags.injury, true);
  assert.equal(c.flags.safety_related, true);
  assert.equal(c.handler, 'handler.aftersales');
  assert.equal(c.loss.refund_cents, 1000);
  assert.equal(c.loss.repair_cents, 2550);
  assert.equal(c.loss.total_cents, 3550);
  assert.equal(c.loss.attributed_to, 'ours');
  assert.equal(c.case_no, no);
  r = await s.api('GET', `/api/v1/cases/${no}`, { token: admin });
  assert.equal(r.json.case.category, 'repair_quality');
  assert.equal(r.json.case.loss.total_cents, 3550);

  // a second PATCH, clearing a field with null
  r = await s.api('PATCH', `/api/v1/cases/${no}`, { token: admin, body: { title: null, loss: { refund_cents: 1 } } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.case.title, null);
  assert.equal(r.json.case.loss.total_cents, 2551);

  const h = await history(no);
  assert.equal(h.length, 3);
  assert.deepEqual(h.map((x) => x.action), ['register', 'update', 'update']);
  assert.equal(h[1].actor, 'sup.east');
  assert.equal(h[2].actor, 'admin');
  // the injury flag raised the grade to g4 (DOMAIN §4); the change and its reason are recorded
  const { grade, grade_reasons: reasons, escalation_tier: tier, ...fieldChanges } = h[1].changes;
  assert.equal(tier[1], 4, 'escalated to the g4 tier');
  assert.equal(grade[1], 'g4');
  assert.ok(reasons[1].some((x) => x.rule === 'injury' && x.grade === 'g4'), 'the injury rule is named');
  assert.deepEqual(fieldChanges, {
    category: ['product_quality', 'repair_quality'],
    title: ['刹车异响', '刹车异响(复检)'],
    'complainant.phone': ['13911110001', '13911119999'],
    'flags.injury': [false, true],
    handler: [null, 'handler.aftersales'],
    'loss.refund_cents': [0, 1000],
    'loss.repair_cents': [0, 2550],
    'loss.attributed_to': [null, 'ours'],
  });
  assert.deepEqual(h[2].changes, { title: ['刹车异响(复检)', null], 'loss.refund_cents': [1000, 1] });
  for (let i = 1; i < h.length; i++) assert.ok(Date.parse(h[i].at) >= Date.parse(h[i - 1].at), 'oldest first');
  // the same in the store
  const rows = s.sql(`SELECT action, actor FROM case_history WHERE case_id = (SELECT id FROM cases WHERE case_no = '${no}')  AND actor != 'system' ORDER BY id`);
  assert.deepEqual(rows, [{ action: 'register', actor: 'admin' }, { action: 'update', actor: 'sup.east' }, { action: 'update', actor: 'admin' }]);
});

test('PATCH that changes nothing writes no history', async () => {
  const no = fx.B.case_no;
  const n = (await history(no)).length;
  const r = await s.api('PATCH', `/api/v1/cases/${no}`, { token: admin, body: { category: 'billing' } });
  assert.equal(r.status, 200);
  assert.equal((await history(no)).length, n);
});

test('PATCH: status → 422; invalid values → 422 naming the field; nothing changes', async () => {
  const no = fx.B.case_no;
  const before = s.snapshot();
  const caseBefore = (await s.api('GET', `/api/v1/cases/${no}`, { token: admin })).json.case;
  const bad = [
    [{ status: 'closed' }, 'status'],
    [{ status: 'received' }, 'status'],
    [{ status: 'closed', title: 'x' }, 'status'],
    [{ grade: 'g4' }, 'grade'],
    [{ case_no: 'TS20260100001' }, 'case_no'],
    [{ owner: 'gm' }, 'owner'],
    [{ outlet: units['SH-4S-PD'].id }, 'outlet'],
    [{ external: true }, 'external'],
    [{ overdue: true }, 'overdue'],
    [{ registered_at: '2026-01-01T00:00:00+08:00' }, 'registered_at'],
    [{ reopen_count: 3 }, 'reopen_count'],
    [{ satisfaction: 5 }, 'satisfaction'],
    [{ category: 'nonsense' }, 'category'],
    [{ channel: 'telepathy' }, 'channel'],
    [{ validity: 'sort_of' }, 'validity'],
    [{ complainant: { phone: 'abc' } }, 'complainant.phone'],
    [{ complainant: { name: null } }, 'complainant.name'],
    [{ complainant: { name: '' } }, 'complainant.name'],
    [{ description: null }, 'description'],
    [{ flags: { fire: 'true' } }, 'flags.fire'],
    [{ dept: units['BJ-4S-01'].id }, 'dept'],
    [{ dept: 0 }, 'dept'],
    [{ handler: 'nobody.at.all' }, 'handler'],
    [{ handler: 'Admin' }, 'handler'],
    [{ loss: { refund_cents: -1 } }, 'loss.refund_cents'],
    [{ loss: { refund_cents: 10000000000001 } }, 'loss.refund_cents'],
    [{ loss: { total_cents: 10 } }, 'loss.total_cents'],
    [{ loss: { attributed_to: 'god' } }, 'loss.attributed_to'],
    [{ claimed_cents: 1.5 }, 'claimed_cents'],
    [{ demands: 'refund' }, 'demands'],
    [{ received_at: new Date(Date.now() + 3600_000).toISOString() }, 'received_at'],
    [{ received_at: null }, 'received_at'],
    [{ notes: 'x' }, 'notes'],
    [{ colour: 'red' }, 'colour'],
  ];
  for (const [body, field] of bad) {
    assert422(await s.api('PATCH', `/api/v1/cases/${no}`, { token: admin, body }), field);
  }
  // a mix of valid and invalid members changes nothing at all
  assert422(await s.api('PATCH', `/api/v1/cases/${no}`, { token: admin, body: { title: 'new title', category: 'nonsense' } }), 'category');
  assert.deepEqual(s.snapshot(), before);
  const caseAfter = (await s.api('GET', `/api/v1/cases/${no}`, { token: admin })).json.case;
  assert.deepEqual(caseAfter, caseBefore);
  assertError(await s.api('PATCH', `/api/v1/cases/TS${shanghaiYearMonth()}99999`, { token: admin, body: { title: 'x' } }), 404);
});

/* ---- notes, contacts, promises ------------------------------------------------------------------------------ */

test('notes: create, list, in the case and in the history', async () => {
  const no = fx.C.case_no;
  const h0 = (await history(no)).length;
  const handler = await s.login('handler.retail');
  let r = await s.api('POST', `/api/v1/cases/${no}/notes`, { token: handler, body: { text: '已联系物流\n明天送达' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.note.text, '已联系物流\n明天送达');
  assert.equal(r.json.note.author, 'handler.retail');
  assert.match(r.json.note.at, RFC3339);
  assert.ok(Number.isInteger(r.json.note.id));
  r = await s.api('GET', `/api/v1/cases/${no}/notes`, { token: admin });
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 1);
  assert.equal(r.json.items[0].text, '已联系物流\n明天送达');
  assert.equal((await s.api('GET', `/api/v1/cases/${no}`, { token: admin })).json.case.notes.length, 1);
  const h = await history(no);
  assert.equal(h.length, h0 + 1);
  assert.equal(h.at(-1).action, 'note');
  assert.equal(h.at(-1).actor, 'handler.retail');
  assert.deepEqual(h.at(-1).changes, { notes: [null, '已联系物流\n明天送达'] });
  const before = s.snapshot();
  assert422(await s.api('POST', `/api/v1/cases/${no}/notes`, { token: admin, body: { text: '' } }), 'text');
  assert422(await s.api('POST', `/api/v1/cases/${no}/notes`, { token: admin, body: {} }), 'text');
  assert422(await s.api('POST', `/api/v1/cases/${no}/notes`, { token: admin, body: { text: 5 } }), 'text');
  assert422(await s.api('POST', `/api/v1/cases/${no}/notes`, { token: admin, body: { text: 'x'.repeat(5001) } }), 'text');
  assert422(await s.api('POST', `/api/v1/cases/${no}/notes`, { token: admin, body: { text: 'ok', pinned: true } }), 'pinned');
  assertError(await s.api('POST', `/api/v1/cases/TS${shanghaiYearMonth()}99999/notes`, { token: admin, body: { text: 'x' } }), 404);
  assert.deepEqual(s.snapshot(), before);
});

test('contacts: create, list, validation, history', async () => {
  const no = fx.C.case_no;
  const h0 = (await history(no)).length;
  let r = await s.api('POST', `/api/v1/cases/${no}/contacts`, {
    token: admin,
    body: { method: 'phone', direction: 'outbound', summary: '电话致歉,承诺周五前送达', at: '2026-04-02T09:00:00+08:00' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.contact.method, 'phone');
  assert.equal(r.json.contact.direction, 'outbound');
  assert.equal(r.json.contact.summary, '电话致歉,承诺周五前送达');
  assert.equal(r.json.contact.by, 'admin');
  assert.equal(Date.parse(r.json.contact.at), Date.parse('2026-04-02T09:00:00+08:00'));
  r = await s.api('GET', `/api/v1/cases/${no}/contacts`, { token: admin });
  assert.equal(r.json.items.length, 1);
  const h = await history(no);
  assert.equal(h.length, h0 + 1);
  assert.equal(h.at(-1).action, 'contact');
  assert.deepEqual(h.at(-1).changes.contacts[0], null);
  assert.equal(h.at(-1).changes.contacts[1].summary, '电话致歉,承诺周五前送达');
  const before = s.snapshot();
  assert422(await s.api('POST', `/api/v1/cases/${no}/contacts`, { token: admin, body: { method: 'pigeon', summary: 'x' } }), 'method');
  assert422(await s.api('POST', `/api/v1/cases/${no}/contacts`, { token: admin, body: { method: 'phone' } }), 'summary');
  assert422(await s.api('POST', `/api/v1/cases/${no}/contacts`, { token: admin, body: { method: 'phone', summary: 'x', direction: 'sideways' } }), 'direction');
  assert422(await s.api('POST', `/api/v1/cases/${no}/contacts`, { token: admin, body: { method: 'phone', summary: 'x', at: new Date(Date.now() + 86400_000).toISOString() } }), 'at');
  assert422(await s.api('POST', `/api/v1/cases/${no}/contacts`, { token: admin, body: { method: 'phone', summary: 'x', mood: 'angry' } }), 'mood');
  assert.deepEqual(s.snapshot(), before);
});

test('promises: create, list, settle kept=true (200), settle again → 409; each in the history', async () => {
  const no = fx.C.case_no;
  const h0 = (await history(no)).length;
  let r = await s.api('POST', `/api/v1/cases/${no}/promises`, { token: admin, body: { promise: '周五前送达并赠送代金券', due_at: '2026-04-03T18:00:00+08:00' } });
  assert.equal(r.status, 201, r.text);
  const p = r.json.promise;
  assert.ok(Number.isInteger(p.id));
  assert.equal(p.promise, '周五前送达并赠送代金券');
  assert.equal(Date.parse(p.due_at), Date.parse('2026-04-03T18:00:00+08:00'));
  assert.equal(p.kept, null);
  assert.equal(p.by, 'admin');
  r = await s.api('GET', `/api/v1/cases/${no}/promises`, { token: admin });
  assert.equal(r.json.items.length, 1);
  assert.equal(r.json.items[0].kept, null);

  r = await s.api('PATCH', `/api/v1/cases/${no}/promises/${p.id}`, { token: admin, body: { kept: true } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.promise.kept, true);
  assert.match(r.json.promise.settled_at, RFC3339);
  const before = s.snapshot();
  r = await s.api('PATCH', `/api/v1/cases/${no}/promises/${p.id}`, { token: admin, body: { kept: false } });
  assertError(r, 409);
  r = await s.api('PATCH', `/api/v1/cases/${no}/promises/${p.id}`, { token: admin, body: { kept: true } });
  assertError(r, 409);
  assert.deepEqual(s.snapshot(), before, 'a second settlement changes nothing');
  r = await s.api('GET', `/api/v1/cases/${no}/promises`, { token: admin });
  assert.equal(r.json.items[0].kept, true);

  const h = await history(no);
  assert.equal(h.length, h0 + 2);
  assert.equal(h.at(-2).action, 'promise');
  assert.equal(h.at(-2).changes.promises[1].promise, '周五前送达并赠送代金券');
  assert.equal(h.at(-1).action, 'promise_kept');
  assert.deepEqual(Object.values(h.at(-1).changes), [[null, true]]);

  // validation and unknown promises
  const before2 = s.snapshot();
  assert422(await s.api('POST', `/api/v1/cases/${no}/promises`, { token: admin, body: { promise: 'x' } }), 'due_at');
  assert422(await s.api('POST', `/api/v1/cases/${no}/promises`, { token: admin, body: { promise: 'x', due_at: 'friday' } }), 'due_at');
  assert422(await s.api('POST', `/api/v1/cases/${no}/promises`, { token: admin, body: { due_at: '2026-04-03T18:00:00+08:00' } }), 'promise');
  assert422(await s.api('PATCH', `/api/v1/cases/${no}/promises/${p.id}`, { token: admin, body: { kept: 'yes' } }), 'kept');
  assertError(await s.api('PATCH', `/api/v1/cases/${no}/promises/999999`, { token: admin, body: { kept: true } }), 404);
  assertError(await s.api('PATCH', `/api/v1/cases/${no}/promises/abc`, { token: admin, body: { kept: true } }), 404);
  // a promise of another case is not reachable through this one
  const other = await s.api('POST', `/api/v1/cases/${fx.B.case_no}/promises`, { token: admin, body: { promise: 'y', due_at: '2026-04-03T18:00:00+08:00' } });
  assert.equal(other.status, 201);
  const before3 = s.snapshot();
  assertError(await s.api('PATCH', `/api/v1/cases/${no}/promises/${other.json.promise.id}`, { token: admin, body: { kept: true } }), 404);
  assert.deepEqual(s.snapshot(), before3);
  assert.equal(before2.cases, before3.cases);
});

test('concurrent PATCHes of different fields all land (no lost update), one history entry each', async () => {
  const c = await register(caseBody({ outlet: units['SH-4S-PD'].id }));
  const flags = FLAGS.slice(0, 8);
  const rs = await Promise.all(flags.map((f) => s.api('PATCH', `/api/v1/cases/${c.case_no}`, { token: admin, body: { flags: { [f]: true } } })));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  const after = (await s.api('GET', `/api/v1/cases/${c.case_no}`, { token: admin })).json.case;
  for (const f of flags) assert.equal(after.flags[f], true, `flags.${f} kept`);
  const h = await history(c.case_no);
  const updates = h.filter((x) => x.action === 'update');
  assert.equal(updates.length, flags.length);
  // grading may add grade/grade_reasons to an entry; the flags themselves land once each
  const flagKeys = (u) => Object.keys(u.changes).filter((k) => k.startsWith('flags.'));
  assert.deepEqual(updates.map(flagKeys).flat().sort(), flags.map((f) => `flags.${f}`).sort());
  for (const u of updates) {
    for (const k of flagKeys(u)) assert.deepEqual(u.changes[k], [false, true]);
    assert.deepEqual(Object.keys(u.changes).filter((k) => !k.startsWith('flags.') && !['grade', 'grade_reasons', 'escalation_tier'].includes(k)), []);
  }
  assert.equal(after.grade, 'g4', 'injury, fire, accident or property damage make it g4');
});

test('a promise settled by 10 concurrent requests: exactly one 200, the rest 409', async () => {
  const c = await register(caseBody({ outlet: units['SH-4S-PD'].id }));
  const p = await s.api('POST', `/api/v1/cases/${c.case_no}/promises`, { token: admin, body: { promise: '三天内回电', due_at: '2026-12-01T10:00:00+08:00' } });
  assert.equal(p.status, 201);
  const rs = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    s.api('PATCH', `/api/v1/cases/${c.case_no}/promises/${p.json.promise.id}`, { token: admin, body: { kept: i % 2 === 0 } })));
  const statuses = rs.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, ...Array(9).fill(409)]);
  const winner = rs.find((r) => r.status === 200).json.promise.kept;
  const h = await history(c.case_no);
  assert.equal(h.filter((x) => x.action.startsWith('promise_')).length, 1);
  assert.equal(h.at(-1).action, winner ? 'promise_kept' : 'promise_broken');
});

test('evidence: multipart upload → 201 with sha256, size, content_type; listed, downloadable, in the history', async () => {
  const { createHash } = await import('node:crypto');
  const no = fx.C.case_no;
  const h0 = (await history(no)).length;
  const content = Buffer.from('快递签收单扫描件\nsigned 2026-04-02\n');
  const form = new FormData();
  form.append('file', new Blob([content], { type: 'text/plain' }), '签收单.txt');
  let r = await s.api('POST', `/api/v1/cases/${no}/evidence`, { token: admin, form });
  assert.equal(r.status, 201, r.text);
  const ev = r.json.evidence ?? r.json;
  assert.equal(ev.sha256, createHash('sha256').update(content).digest('hex'));
  assert.equal(ev.size, content.length);
  assert.equal(ev.content_type, 'text/plain');
  r = await s.api('GET', `/api/v1/cases/${no}/evidence`, { token: admin });
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 1);
  assert.equal(r.json.items[0].sha256, ev.sha256);
  const id = r.json.items[0].id;
  const res = await fetch(`${s.url}/api/v1/cases/${no}/evidence/${id}`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.status, 200);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(content), 'the same bytes come back');
  const h = await history(no);
  assert.equal(h.length, h0 + 1);
  assert.equal(h.at(-1).action, 'evidence');

  // refusals change nothing
  const auditor = await s.login('auditor');
  const agent = await s.login('agent.shpd'); // the case is at a Guangzhou outlet
  const before = s.snapshot();
  const bad = new FormData();
  bad.append('file', new Blob([Buffer.from('MZ')], { type: 'application/x-msdownload' }), 'x.exe');
  assert422(await s.api('POST', `/api/v1/cases/${no}/evidence`, { token: admin, form: bad }), 'file');
  const empty = new FormData();
  empty.append('note', 'no file here');
  r = await s.api('POST', `/api/v1/cases/${no}/evidence`, { token: admin, form: empty });
  assertError(r, 422);
  assertError(await s.api('POST', `/api/v1/cases/${no}/evidence`, { token: admin, body: { file: 'x' } }), 400);
  assertError(await s.api('POST', `/api/v1/cases/${no}/evidence`, { token: auditor, form }), 403);
  assertError(await s.api('POST', `/api/v1/cases/${no}/evidence`, { token: agent, form }), 404);
  assertError(await s.api('GET', `/api/v1/cases/${no}/evidence/${id}`, { token: agent }), 404);
  assertError(await s.api('GET', `/api/v1/cases/${no}/evidence/999999`, { token: admin }), 404);
  assert.deepEqual(s.snapshot(), before);
});

test('the history is append-only in the store: UPDATE and DELETE fail; cases are never deleted', async () => {
  const before = s.snapshot();
  const rows0 = s.sql('SELECT id, case_id, at, actor, action, changes FROM case_history ORDER BY id');
  let w = sqlWrite(s.db, "UPDATE case_history SET actor = 'mallory' WHERE id = 1");
  assert.equal(w.ok, false, 'UPDATE on case_history must fail');
  assert.match(w.stderr, /append-only|abort|constraint/i);
  w = sqlWrite(s.db, 'DELETE FROM case_history WHERE id = 1');
  assert.equal(w.ok, false, 'DELETE on case_history must fail');
  w = sqlWrite(s.db, 'DELETE FROM case_history');
  assert.equal(w.ok, false);
  w = sqlWrite(s.db, `DELETE FROM cases WHERE case_no = '${fx.D.case_no}'`);
  assert.equal(w.ok, false, 'cases are never deleted');
  w = sqlWrite(s.db, `UPDATE cases SET case_no = 'TS20990100001' WHERE case_no = '${fx.D.case_no}'`);
  assert.equal(w.ok, false, 'case numbers never change');
  assert.deepEqual(s.sql('SELECT id, case_id, at, actor, action, changes FROM case_history ORDER BY id'), rows0);
  assert.deepEqual(s.snapshot(), before);
  // the API has no way to change or delete history either
  assert.equal((await s.api('DELETE', `/api/v1/cases/${fx.A.case_no}/history`, { token: admin })).status, 405);
  assert.equal((await s.api('PATCH', `/api/v1/cases/${fx.A.case_no}/history`, { token: admin, body: {} })).status, 405);
  assert.equal((await s.api('DELETE', `/api/v1/cases/${fx.A.case_no}`, { token: admin })).status, 405);
});

test('long Chinese texts are kept whole, at their character limits, and refused past them', async () => {
  const c = await register(caseBody({ outlet: units['SH-4S-PD'].id }));
  const sup = await s.login('sup.east');
  const long = '包装强度不足导致破损'.repeat(200); // 2000 characters, 6000 bytes
  let r = await s.api('POST', `/api/v1/cases/${c.case_no}/improvements`, {
    token: sup, body: { kind: 'process', description: long, owner: 'mgr.aftersales', due_on: '2026-12-31' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.improvement.description, long, 'not cut, not broken mid-character');
  const person = '服'.repeat(100);
  r = await s.api('POST', `/api/v1/cases/${c.case_no}/penalties`, {
    token: sup, body: { person, kind: 'notice', reason: long } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.penalty.person, person);
  assert.equal(r.json.penalty.reason, long);
  r = await s.api('POST', `/api/v1/cases/${c.case_no}/penalties`, {
    token: sup, body: { person: '服'.repeat(101), kind: 'notice', reason: 'x' } });
  assert422(r, 'person');
});

test('grading: flags a person records (rework) and three departments involved raise the grade, with their reasons', async () => {
  const sup = await s.login('sup.east');
  const c = await register(caseBody({ outlet: units['SH-4S-PD'].id, category: 'delivery', flags: { rework: true } }), sup);
  assert.equal(c.grade, 'g2');
  assert.ok(c.grade_reasons.some((x) => x.rule === 'rework' && x.grade === 'g2'));
  let r = await s.api('POST', `/api/v1/cases/${c.case_no}/actions/accept`, { token: sup });
  assert.equal(r.status, 200, r.text);
  const depts = [units.LOGISTICS.id, units.QA.id, units.AFTERSALES.id];
  for (const [i, dept] of depts.entries()) {
    r = await s.api('POST', `/api/v1/cases/${c.case_no}/actions/assign`, { token: sup, body: { dept } });
    assert.equal(r.status, 200, r.text);
    const fired = r.json.case.grade_reasons.some((x) => x.rule === 'three_departments');
    assert.equal(fired, i === 2, `after ${i + 1} departments`);
  }
  assert.equal(r.json.case.grade, 'g3');
});

test('SIGTERM after all of the above: exit code 0, no sanitizer report (leaks, memory errors)', async () => {
  await assertCleanShutdown(s);
});

