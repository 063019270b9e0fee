// The case lifecycle over HTTP (DOMAIN §3, §6, §7; API.md "Actions"):
// POST /api/v1/cases/{case_no}/actions/{action}. The transition matrix is written out here,
// from the domain, on purpose independently of the server's own table: every state × every
// action, the effects of each action, approval authority by cost and grade, who may act,
// bad input, and the history each step leaves. Every refusal must leave the store unchanged.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, assertError, assert422, unitsByCode, caseBody, caseRows, shanghaiDate, rawRequest, assertCleanShutdown,
} from './lib.mjs';

let s, units;
const tok = {};
const USERS = ['admin', 'gm', 'reviewer', 'auditor', 'agent.shpd', 'agent.bj4s', 'sup.east', 'sup.north', 'mgr.aftersales',
  'mgr.qa', 'handler.aftersales', 'handler.qa', 'handler.retail'];
// The roles of the users above (data/demo.json).
const ROLE_OF = {
  admin: 'admin', gm: 'general_manager', reviewer: 'reviewer', auditor: 'auditor', 'agent.shpd': 'agent', 'agent.bj4s': 'agent',
  'sup.east': 'supervisor', 'sup.north': 'supervisor', 'mgr.aftersales': 'dept_manager', 'mgr.qa': 'dept_manager',
  'handler.aftersales': 'handler', 'handler.qa': 'handler', 'handler.retail': 'handler',
};

// ---- the expected lifecycle (DOMAIN §3, API.md) --------------------------------------------

const STATES = ['received', 'accepted', 'investigating', 'proposed', 'approved', 'resolved', 'closed', 'rejected', 'pending',
  'withdrawn'];
const ACTIONS = ['accept', 'assign', 'propose', 'approve', 'send_back', 'resolve', 'follow_up', 'close', 'reject', 'suspend',
  'resume', 'reopen', 'withdraw', 'regrade'];
const OPEN = ['received', 'accepted', 'investigating', 'proposed', 'approved', 'resolved', 'pending'];
// from-states of each action
const FROM = {
  accept: ['received'],
  assign: ['accepted', 'investigating'], // (re)assignment while investigating
  propose: ['investigating'],
  approve: ['proposed'],
  send_back: ['proposed'],
  resolve: ['approved'],
  follow_up: ['resolved'],
  close: ['resolved'],
  reject: ['received', 'accepted', 'investigating'], // judged not valid before a solution exists
  suspend: ['accepted', 'investigating', 'proposed', 'approved', 'resolved'],
  resume: ['pending'],
  reopen: ['resolved', 'closed', 'rejected'],
  withdraw: OPEN,
  regrade: [...OPEN, 'closed', 'rejected'], // the grade of a finished case can still be corrected; not a withdrawn one
};
// who may: front office (intake and routing), handling (investigation, solutions), everyone who
// works cases, supervisors and above. Reviewer and auditor never act.
const FRONT = ['agent', 'supervisor', 'dept_manager', 'general_manager', 'admin'];
const HANDLE = ['handler', 'supervisor', 'dept_manager', 'general_manager', 'admin'];
const WORK = ['agent', 'handler', 'supervisor', 'dept_manager', 'general_manager', 'admin'];
const MANAGE = ['supervisor', 'dept_manager', 'general_manager', 'admin'];
const ROLES = {
  accept: FRONT, assign: FRONT, propose: HANDLE, approve: HANDLE, send_back: HANDLE, resolve: WORK, follow_up: WORK,
  close: WORK, reject: WORK, suspend: WORK, resume: WORK, reopen: FRONT, withdraw: WORK, regrade: MANAGE,
};
const expectedAllowed = (state, role) => ACTIONS.filter((a) => FROM[a].includes(state) && (!role || ROLES[a].includes(role))).sort();

// ---- helpers ------------------------------------------------------------------------------

const tomorrow = () => shanghaiDate(1);
const SMALL = [{ type: 'repair', amount_cents: 10000, description: '更换刹车片' }]; // ¥100

// Every case has its own complainant and no subject, so the cross-case grading rules (the same
// customer again, the same subject from several customers, similar cases) never touch the
// grade these tests reason about.
let serial = 0;
const phoneBase = 13700000000 + Math.floor(Math.random() * 9000) * 1000;
async function register(extra = {}, user = 'agent.shpd') {
  serial += 1;
  const r = await s.api('POST', '/api/v1/cases', {
    token: tok[user],
    body: caseBody({ category: 'product_quality', complainant: { name: `生命周期测试${serial}`, phone: String(phoneBase + serial) }, ...extra }),
  });
  assert.equal(r.status, 201, `register: ${r.text}`);
  return r.json.case.case_no;
}

function act(no, action, body, user) {
  assert.ok(tok[user], `no token for ${user}`);
  return s.api('POST', `/api/v1/cases/${no}/actions/${action}`, { token: tok[user], body });
}

async function ok(no, action, body, user) {
  const r = await act(no, action, body, user);
  assert.equal(r.status, 200, `${action} by ${user} on ${no}: ${r.text}`);
  assert.equal(r.json.case.case_no, no);
  return r.json.case;
}

async function getCase(no, user = 'gm') {
  const r = await s.api('GET', `/api/v1/cases/${no}`, { token: tok[user] });
  assert.equal(r.status, 200, r.text);
  return r.json.case;
}

async function history(no) {
  const r = await s.api('GET', `/api/v1/cases/${no}/history`, { token: tok.gm });
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

const rows = (no) => caseRows(s.db, no);

/* Sends a request that must be refused and checks that nothing in the store moved. */
async function refused(no, fn, status, code) {
  const before = rows(no);
  const g0 = s.snapshot();
  const r = await fn();
  const e = assertError(r, status, code);
  assert.equal(rows(no), before, `a refused request (${r.status}) changed the case in the store`);
  assert.deepEqual(s.snapshot(), g0, 'a refused request changed the store');
  return { r, e };
}

const assignBody = () => ({ dept: units.AFTERSALES.id, handler: 'handler.aftersales' });

/* An improvement action (CAPA, DOMAIN §6): a case of grade g2 or above closes only with one. */
async function capa(no, user = 'handler.aftersales') {
  const r = await s.api('POST', `/api/v1/cases/${no}/improvements`, {
    token: tok[user],
    body: { kind: 'training', description: '刹车系统专项培训', owner: 'handler.aftersales', due_on: shanghaiDate(30) },
  });
  assert.equal(r.status, 201, `improvement on ${no}: ${r.text}`);
  return r.json.improvement;
}

/* A fresh case driven into state through the API with realistic users. */
async function drive(state, { solutions = SMALL, grade, approver = 'handler.aftersales', closeBody } = {}) {
  const no = await register();
  if (grade) await ok(no, 'regrade', { grade, reason: '测试定级' }, 'sup.east');
  const step = {
    accept: () => ok(no, 'accept', {}, 'agent.shpd'),
    assign: () => ok(no, 'assign', assignBody(), 'sup.east'),
    propose: () => ok(no, 'propose', { solutions }, 'handler.aftersales'),
    approve: () => ok(no, 'approve', {}, approver),
    resolve: () => ok(no, 'resolve', { customer_consent: true }, 'agent.shpd'),
    follow_up: () => ok(no, 'follow_up', { satisfaction: 5, method: 'phone' }, 'agent.shpd'),
    close: async () => {
      if (grade && grade !== 'g1') await capa(no);
      return ok(no, 'close', closeBody ?? { summary: '已处理完毕', lessons: '加强检查' }, 'agent.shpd');
    },
    reject: () => ok(no, 'reject', { reason: 'misunderstanding', answer: '经核实系误解,已向客户解释。' }, 'agent.shpd'),
    suspend: () => ok(no, 'suspend', { reason: '等待配件', remind_on: tomorrow() }, 'agent.shpd'),
    withdraw: () => ok(no, 'withdraw', {}, 'agent.shpd'),
  };
  const PATH = {
    received: [],
    accepted: ['accept'],
    investigating: ['accept', 'assign'],
    proposed: ['accept', 'assign', 'propose'],
    approved: ['accept', 'assign', 'propose', 'approve'],
    resolved: ['accept', 'assign', 'propose', 'approve', 'resolve'],
    closed: ['accept', 'assign', 'propose', 'approve', 'resolve', 'follow_up', 'close'],
    rejected: ['accept', 'reject'],
    pending: ['accept', 'assign', 'suspend'],
    withdrawn: ['withdraw'],
  };
  for (const a of PATH[state]) await step[a]();
  const c = await getCase(no);
  assert.equal(c.status, state, `drive ${no} to ${state}`);
  return no;
}

before(async () => {
  s = await startServer();
  for (const u of USERS) tok[u] = await s.login(u);
  units = await unitsByCode(s, tok.admin);
});
beforeEach(async () => {
  await s?.ensureUp();
});
after(async () => {
  await s?.stop();
});

// ---- 1. the transition matrix -----------------------------------------------------------------

// For each action: who tries it (a user holding one of the action's roles who sees the case in
// every state: its owner, the supervisor of its region, the general manager) and a valid body.
const PROBE = {
  accept: ['agent.shpd', () => ({ note: '已向客户发出受理函' })],
  assign: ['sup.east', () => ({ dept: units.QA.id, handler: 'handler.qa' })],
  propose: ['gm', () => ({ solutions: [{ type: 'apology' }, { type: 'refund', amount_cents: 2000 }] })],
  approve: ['gm', () => ({})],
  send_back: ['sup.east', () => ({ reason: '方案不完整' })],
  resolve: ['agent.shpd', () => ({ customer_consent: true })],
  follow_up: ['agent.shpd', () => ({ satisfaction: 4, method: 'phone', comment: '满意' })],
  close: ['agent.shpd', () => ({ summary: '处理完毕', follow_up_waived_reason: '客户不愿回访' })],
  reject: ['agent.shpd', () => ({ reason: 'misunderstanding', answer: '经核实系误解,已向客户耐心解释。' })],
  suspend: ['agent.shpd', () => ({ reason: '客户联系不上', remind_on: tomorrow() })],
  resume: ['agent.shpd', () => ({})],
  reopen: ['agent.shpd', () => ({ reason: '客户再次来电' })],
  withdraw: ['agent.shpd', () => ({ reason: '客户撤回' })],
  regrade: ['sup.east', () => ({ grade: 'g2', reason: '同一问题反复投诉' })],
};
// The state each allowed probe leads to (drive() suspends from investigating).
const TO = {
  accept: 'accepted', assign: 'investigating', propose: 'proposed', approve: 'approved', send_back: 'investigating',
  resolve: 'resolved', close: 'closed', reject: 'rejected', suspend: 'pending', resume: 'investigating',
  reopen: 'investigating', withdraw: 'withdrawn',
};

test('sanity of the expected matrix: 14 actions, 10 states, every state but withdrawn has a way on', () => {
  assert.equal(ACTIONS.length, 14);
  assert.equal(STATES.length, 10);
  for (const st of STATES) if (st !== 'withdrawn') assert.ok(expectedAllowed(st).length > 0, st);
  assert.deepEqual(expectedAllowed('withdrawn'), []);
});

test('transition matrix: every action in every state (allowed → done, else 409 and nothing changes)', async (t) => {
  for (const state of STATES) {
    await t.test(state, async () => {
      // the refused ones, all on one case
      const no = await drive(state);
      const c = await getCase(no);
      assert.deepEqual([...c.allowed_actions].sort(), expectedAllowed(state, 'general_manager'),
        `allowed_actions of a ${state} case (seen by the general manager)`);
      const agentView = await getCase(no, 'agent.shpd');
      assert.deepEqual([...agentView.allowed_actions].sort(), expectedAllowed(state, 'agent'),
        `allowed_actions of a ${state} case seen by its agent`);
      for (const action of ACTIONS) {
        if (FROM[action].includes(state)) continue;
        const [user, body] = PROBE[action];
        const { e } = await refused(no, () => act(no, action, body(), user), 409);
        assert.equal(e.details?.status, state, `${action} in ${state}: details.status`);
        assert.equal(e.details?.action, action);
        assert.ok(Array.isArray(e.details?.allowed), `${action} in ${state}: details.allowed must be a list`);
        assert.deepEqual([...e.details.allowed].sort(), expectedAllowed(state, ROLE_OF[user]),
          `${action} in ${state} by ${user}: details.allowed`);
      }
      // the allowed ones, each on a fresh case in that state
      for (const action of ACTIONS) {
        if (!FROM[action].includes(state)) continue;
        const fresh = await drive(state);
        const [user, body] = PROBE[action];
        const h0 = (await history(fresh)).length;
        const r = await act(fresh, action, body(), user);
        assert.equal(r.status, 200, `${action} in ${state} by ${user}: ${r.text}`);
        const want = TO[action] ?? state;
        assert.equal(r.json.case.status, want, `${action} from ${state}`);
        assert.equal((await getCase(fresh)).status, want, `${action} from ${state} (read back)`);
        assert.equal((await history(fresh)).length, h0 + 1, `${action} from ${state}: one history entry`);
      }
    });
  }
});

// ---- 2. the effects of each action ----------------------------------------------------------

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
function recent(ts, what) {
  assert.match(String(ts), RFC3339, what);
  const dt = Math.abs(Date.parse(ts) - Date.now());
  assert.ok(dt < 120000, `${what} = ${ts} should be now`);
}

test('accept: status accepted and accepted_at set (only once: a second accept is 409)', async () => {
  const no = await register();
  assert.equal((await getCase(no)).accepted_at, null);
  const c = await ok(no, 'accept', {}, 'agent.shpd');
  assert.equal(c.status, 'accepted');
  recent(c.accepted_at, 'accepted_at');
  await refused(no, () => act(no, 'accept', {}, 'agent.shpd'), 409);
});

test('assign: department and handler set, investigating; reassignment; bad department/handler → 422', async () => {
  // no department named and no routing rule for the case (it has no category) → 422 dept
  const nocat = await register({ category: undefined });
  await ok(nocat, 'accept', {}, 'agent.shpd');
  await refused(nocat, () => act(nocat, 'assign', {}, 'sup.east'), 422).then(({ e }) => assert.ok('dept' in e.details));
  // no department named, the category routes it (data/demo.json: product_quality → QA)
  const routed = await drive('accepted');
  const rc = await ok(routed, 'assign', {}, 'sup.east');
  assert.equal(rc.status, 'investigating');
  assert.equal(rc.dept, units.QA.id);
  const no = await drive('accepted');
  await refused(no, () => act(no, 'assign', { dept: units['SH-4S-PD'].id }, 'sup.east'), 422)
    .then(({ e }) => assert.ok('dept' in e.details, 'an outlet is not a department'));
  await refused(no, () => act(no, 'assign', { dept: 999999 }, 'sup.east'), 422).then(({ e }) => assert.ok('dept' in e.details));
  await refused(no, () => act(no, 'assign', { dept: String(units.QA.id) }, 'sup.east'), 422)
    .then(({ e }) => assert.ok('dept' in e.details));
  await refused(no, () => act(no, 'assign', { dept: units.QA.id, handler: 'no.such.user' }, 'sup.east'), 422)
    .then(({ e }) => assert.ok('handler' in e.details));
  await refused(no, () => act(no, 'assign', { dept: units.QA.id, handler: 42 }, 'sup.east'), 422)
    .then(({ e }) => assert.ok('handler' in e.details));
  const c = await ok(no, 'assign', assignBody(), 'sup.east');
  assert.equal(c.status, 'investigating');
  assert.equal(c.dept, units.AFTERSALES.id);
  assert.equal(c.handler, 'handler.aftersales');
  recent(c.assigned_at, 'assigned_at');
  // the assigned handler now sees and works the case
  assert.equal((await getCase(no, 'handler.aftersales')).status, 'investigating');
  // reassignment while investigating
  const c2 = await ok(no, 'assign', { dept: units.QA.id, handler: 'handler.qa' }, 'sup.east');
  assert.equal(c2.status, 'investigating');
  assert.equal(c2.dept, units.QA.id);
  assert.equal(c2.handler, 'handler.qa');
});

test('assign: moving a case to another department without naming a handler does not leave the old department\'s handler on it', async () => {
  const no = await drive('investigating'); // AFTERSALES, handler.aftersales
  const c = await ok(no, 'assign', { dept: units.QA.id }, 'sup.east');
  assert.equal(c.dept, units.QA.id);
  assert.notEqual(c.handler, 'handler.aftersales', 'the after-sales handler is not the handler of a QA case');
  // and so he no longer works it: the case is outside his department and no longer his
  await refused(no, () => act(no, 'propose', { solutions: SMALL }, 'handler.aftersales'), 404);
});

test('assign: naming only a new handler keeps the case in its department', async () => {
  const no = await drive('investigating'); // AFTERSALES (not where the category routes: QA), handler.aftersales
  const c = await ok(no, 'assign', { handler: 'handler.aftersales2' }, 'sup.east');
  assert.equal(c.dept, units.AFTERSALES.id, 'the department stays');
  assert.equal(c.handler, 'handler.aftersales2');
  // naming the same department without a handler keeps the handler
  const c2 = await ok(no, 'assign', { dept: units.AFTERSALES.id }, 'sup.east');
  assert.equal(c2.handler, 'handler.aftersales2');
});

test('assign: the handler must be someone who may work the case in that department', async () => {
  const no = await drive('accepted');
  for (const [handler, why] of [
    ['reviewer', 'the reviewer may take no action at all'],
    ['auditor', 'the auditor is read-only'],
    ['handler.aftersales', 'a handler of another department (the case goes to QA)'],
  ]) {
    const { e } = await refused(no, () => act(no, 'assign', { dept: units.QA.id, handler }, 'sup.east'), 422);
    assert.ok('handler' in e.details, `${handler}: ${why}: ${JSON.stringify(e.details)}`);
  }
  const c = await ok(no, 'assign', { dept: units.QA.id, handler: 'handler.qa' }, 'sup.east');
  assert.equal(c.handler, 'handler.qa');
});

test('concurrent requests for the same step: exactly one succeeds, the others are 409, one history entry', async () => {
  const no = await register();
  const h0 = (await history(no)).length;
  const rs = await Promise.all(Array.from({ length: 8 }, () => act(no, 'accept', {}, 'agent.shpd')));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409, 409, 409]);
  assert.equal((await history(no)).length, h0 + 1);
  const n2 = await drive('proposed');
  const both = await Promise.all([act(n2, 'approve', {}, 'handler.aftersales'), act(n2, 'send_back', { reason: '重做' }, 'sup.east')]);
  assert.deepEqual(both.map((r) => r.status).sort(), [200, 409]);
  const st = (await getCase(n2)).status;
  assert.ok(st === 'approved' || st === 'investigating', st);
});

test('propose: solutions stored and shown; send_back → investigating; a second proposal is number 2 and replaces the first', async () => {
  const no = await drive('investigating');
  const first = [
    { type: 'repair', amount_cents: 30000, description: '免费维修' },
    { type: 'apology', description: '书面道歉' },
  ];
  let c = await ok(no, 'propose', { solutions: first }, 'handler.aftersales');
  assert.equal(c.status, 'proposed');
  assert.equal(c.proposal_no, 1);
  c = await getCase(no);
  assert.deepEqual(c.solutions.map((x) => [x.type, x.amount_cents, x.description, x.option ?? null]),
    [['repair', 30000, '免费维修', null], ['apology', 0, '书面道歉', null]]);
  // send_back needs a reason
  await refused(no, () => act(no, 'send_back', {}, 'sup.east'), 422).then(({ e }) => assert.ok('reason' in e.details));
  await refused(no, () => act(no, 'send_back', { reason: '' }, 'sup.east'), 422).then(({ e }) => assert.ok('reason' in e.details));
  c = await ok(no, 'send_back', { reason: '赔偿偏低,重新协商' }, 'sup.east');
  assert.equal(c.status, 'investigating');
  c = await ok(no, 'propose', { solutions: [{ type: 'exchange', amount_cents: 45000, description: '换新' }] }, 'handler.aftersales');
  assert.equal(c.proposal_no, 2);
  c = await getCase(no);
  assert.equal(c.proposal_no, 2);
  assert.deepEqual(c.solutions.map((x) => [x.type, x.amount_cents]), [['exchange', 45000]], 'the case shows the current proposal');
  // the store keeps both proposals
  const stored = s.sql(`SELECT proposal_no, type, amount_cents FROM case_solutions
    WHERE case_id = (SELECT id FROM cases WHERE case_no = '${no}') ORDER BY id`);
  assert.deepEqual(stored.map((x) => [x.proposal_no, x.type, x.amount_cents]),
    [[1, 'repair', 30000], [1, 'apology', 0], [2, 'exchange', 45000]]);
});

test('propose: invalid solutions → 422 naming the item, nothing stored', async () => {
  const no = await drive('investigating');
  const bad = [
    [{ solutions: [] }, 'solutions'],
    [{ solutions: {} }, 'solutions'],
    [{ solutions: 'repair' }, 'solutions'],
    [{}, 'solutions'],
    [{ solutions: [{ type: 'bribe', amount_cents: 1 }] }, 'solutions[0].type'],
    [{ solutions: [{ amount_cents: 1 }] }, 'solutions[0].type'],
    [{ solutions: [{ type: 'refund', amount_cents: -1 }] }, 'solutions[0].amount_cents'],
    [{ solutions: [{ type: 'refund', amount_cents: 1.5 }] }, 'solutions[0].amount_cents'],
    [{ solutions: [{ type: 'refund', amount_cents: '100' }] }, 'solutions[0].amount_cents'],
    [{ solutions: [{ type: 'refund' }, { type: 'gift', colour: 'red' }] }, 'solutions[1].colour'],
    [{ solutions: [{ type: 'refund', option: 'ABCDEFGHIJ' }] }, 'solutions[0].option'],
    [{ solutions: ['refund'] }, 'solutions[0]'],
    [{ solutions: Array.from({ length: 21 }, () => ({ type: 'apology' })) }, 'solutions'],
  ];
  for (const [body, field] of bad) {
    const { e } = await refused(no, () => act(no, 'propose', body, 'handler.aftersales'), 422);
    assert.ok(field in e.details, `${JSON.stringify(body).slice(0, 80)}: details should name ${field}: ${JSON.stringify(e.details)}`);
  }
  assert.equal((await getCase(no)).status, 'investigating');
});

async function proposed(solutions, grade) {
  return drive('proposed', { solutions, grade });
}

async function approveRefused(no, user, requiredRole) {
  const { e } = await refused(no, () => act(no, 'approve', {}, user), 403);
  assert.equal(e.details?.required_role, requiredRole, `approve by ${user}: ${JSON.stringify(e)}`);
}

test('approval authority by cost (DOMAIN §6): handler ≤ ¥500, supervisor ≤ ¥5,000, dept manager ≤ ¥50,000, above: GM', async () => {
  const cost = (cents) => [{ type: 'compensation', amount_cents: cents }];
  // ¥400: the handler
  let no = await proposed(cost(40000));
  assert.equal((await ok(no, 'approve', {}, 'handler.aftersales')).status, 'approved');
  // ¥500 exactly: still the handler
  no = await proposed(cost(50000));
  await ok(no, 'approve', {}, 'handler.aftersales');
  // ¥500.01: a supervisor
  no = await proposed(cost(50001));
  await approveRefused(no, 'handler.aftersales', 'supervisor');
  // ¥3,000
  no = await proposed(cost(300000));
  await approveRefused(no, 'handler.aftersales', 'supervisor');
  assert.equal((await ok(no, 'approve', {}, 'sup.east')).status, 'approved');
  // ¥5,000 exactly: the supervisor
  no = await proposed(cost(500000));
  await ok(no, 'approve', {}, 'sup.east');
  // ¥30,000
  no = await proposed(cost(3000000));
  await approveRefused(no, 'handler.aftersales', 'dept_manager');
  await approveRefused(no, 'sup.east', 'dept_manager');
  await ok(no, 'approve', {}, 'mgr.aftersales');
  // ¥50,000 exactly: the department manager
  no = await proposed(cost(5000000));
  await ok(no, 'approve', {}, 'mgr.aftersales');
  // ¥80,000
  no = await proposed(cost(8000000));
  await approveRefused(no, 'sup.east', 'general_manager');
  await approveRefused(no, 'mgr.aftersales', 'general_manager');
  assert.equal((await ok(no, 'approve', {}, 'gm')).status, 'approved');
});

test('approval authority by grade: g3/g4 always need at least a department manager; g2 does not', async () => {
  for (const grade of ['g3', 'g4']) {
    const no = await proposed(SMALL, grade); // ¥100
    assert.equal((await getCase(no)).grade, grade);
    await approveRefused(no, 'handler.aftersales', 'dept_manager');
    await approveRefused(no, 'sup.east', 'dept_manager');
    assert.equal((await ok(no, 'approve', {}, 'mgr.aftersales')).status, 'approved');
  }
  const no = await proposed(SMALL, 'g2');
  await ok(no, 'approve', {}, 'handler.aftersales');
});

test('approval authority with alternatives A/B: cost = common items + the most expensive option', async () => {
  // common ¥100 + A ¥300 / B ¥350 = ¥450 (not the sum of everything, ¥750): the handler may
  let no = await proposed([
    { type: 'apology', amount_cents: 10000 },
    { type: 'refund', amount_cents: 30000, option: 'A' },
    { type: 'exchange', amount_cents: 35000, option: 'B' },
  ]);
  await ok(no, 'approve', {}, 'handler.aftersales');
  // common ¥150 + A (¥200 + ¥200 = ¥400) / B ¥300: the option's whole sum counts → ¥550, a supervisor
  no = await proposed([
    { type: 'apology', amount_cents: 15000 },
    { type: 'refund', amount_cents: 20000, option: 'A' },
    { type: 'gift', amount_cents: 20000, option: 'A' },
    { type: 'exchange', amount_cents: 30000, option: 'B' },
  ]);
  await approveRefused(no, 'handler.aftersales', 'supervisor');
  await ok(no, 'approve', {}, 'sup.east');
});

test('approve: administrators never approve (403, nothing changes); reviewer and auditor neither', async () => {
  const no = await proposed(SMALL);
  const { e } = await refused(no, () => act(no, 'approve', {}, 'admin'), 403);
  // the refusal says why: not "beyond your authority, a handler is needed" (an admin is refused
  // whatever the amount; that answer would send them looking for a handler role)
  assert.equal(e.details?.required_role, undefined, `admin refusal: ${JSON.stringify(e)}`);
  await refused(no, () => act(no, 'approve', {}, 'reviewer'), 403);
  await refused(no, () => act(no, 'approve', {}, 'auditor'), 403);
  assert.equal((await getCase(no)).status, 'proposed');
});

test('resolve: customer refuses → back to investigating, consent recorded false, no resolution time', async () => {
  const no = await drive('approved');
  const c = await ok(no, 'resolve', { customer_consent: false, note: '客户不接受维修方案' }, 'agent.shpd');
  assert.equal(c.status, 'investigating');
  assert.equal(c.customer_consent, false);
  assert.equal(c.resolved_at, null);
  assert.equal(c.follow_up.due_at, null);
  // a new proposal clears the earlier answer
  const c2 = await ok(no, 'propose', { solutions: [{ type: 'exchange', amount_cents: 40000 }] }, 'handler.aftersales');
  assert.equal(c2.proposal_no, 2);
  assert.equal(c2.customer_consent, null);
});

test('resolve: bad customer_consent → 422; option only for a proposal with alternatives', async () => {
  const no = await drive('approved');
  for (const body of [{}, { customer_consent: null }, { customer_consent: 'yes' }, { customer_consent: 1 }]) {
    const { e } = await refused(no, () => act(no, 'resolve', body, 'agent.shpd'), 422);
    assert.ok('customer_consent' in e.details, JSON.stringify(body));
  }
  const { e } = await refused(no, () => act(no, 'resolve', { customer_consent: true, option: 'A' }, 'agent.shpd'), 422);
  assert.ok('option' in e.details, 'no alternatives were proposed');
});

test('resolve with alternatives: option required, must be one of them; chosen_option kept; follow-up due 24 h later', async () => {
  const no = await drive('approved', {
    solutions: [
      { type: 'apology', amount_cents: 0 },
      { type: 'refund', amount_cents: 20000, option: 'A' },
      { type: 'exchange', amount_cents: 25000, option: 'B' },
    ],
  });
  let { e } = await refused(no, () => act(no, 'resolve', { customer_consent: true }, 'agent.shpd'), 422);
  assert.ok('option' in e.details);
  ({ e } = await refused(no, () => act(no, 'resolve', { customer_consent: true, option: 'C' }, 'agent.shpd'), 422));
  assert.ok('option' in e.details);
  ({ e } = await refused(no, () => act(no, 'resolve', { customer_consent: true, option: 2 }, 'agent.shpd'), 422));
  assert.ok('option' in e.details);
  const c = await ok(no, 'resolve', { customer_consent: true, option: 'B' }, 'agent.shpd');
  assert.equal(c.status, 'resolved');
  assert.equal(c.customer_consent, true);
  assert.equal(c.chosen_option, 'B');
  recent(c.resolved_at, 'resolved_at');
  assert.match(c.follow_up.due_at, RFC3339);
  assert.equal(Date.parse(c.follow_up.due_at) - Date.parse(c.resolved_at), 24 * 3600 * 1000, 'follow-up due 24 h after resolution');
  const back = await getCase(no);
  assert.equal(back.chosen_option, 'B');
  assert.equal(back.follow_up.due_at, c.follow_up.due_at);
});

test('follow_up: satisfaction 1..5 and a contact method are required and checked', async () => {
  const no = await drive('resolved');
  const bad = [
    [{ method: 'phone' }, 'satisfaction'],
    [{ satisfaction: 0, method: 'phone' }, 'satisfaction'],
    [{ satisfaction: 6, method: 'phone' }, 'satisfaction'],
    [{ satisfaction: 3.5, method: 'phone' }, 'satisfaction'],
    [{ satisfaction: '4', method: 'phone' }, 'satisfaction'],
    [{ satisfaction: 4 }, 'method'],
    [{ satisfaction: 4, method: 'pigeon' }, 'method'],
    [{ satisfaction: 4, method: 5 }, 'method'],
    [{ satisfaction: 4, method: 'phone', comment: 7 }, 'comment'],
  ];
  for (const [body, field] of bad) {
    const { e } = await refused(no, () => act(no, 'follow_up', body, 'agent.shpd'), 422);
    assert.ok(field in e.details, `${JSON.stringify(body)} should name ${field}: ${JSON.stringify(e.details)}`);
  }
  // satisfied: stays resolved, the result is recorded
  const c = await ok(no, 'follow_up', { satisfaction: 3, method: 'wechat', comment: '还可以' }, 'agent.shpd');
  assert.equal(c.status, 'resolved');
  assert.equal(c.satisfaction, 3);
  assert.equal(c.reopen_count, 0);
  assert.equal(c.follow_up.method, 'wechat');
  assert.equal(c.follow_up.comment, '还可以');
  assert.equal(c.follow_up.by, 'agent.shpd');
  recent(c.follow_up.at, 'follow_up.at');
  assert.equal(c.grade, 'g1');
});

test('follow_up: dissatisfied (≤ 2) reopens: investigating, reopen_count + 1, one grade up, follow_up and reopen in history', async () => {
  for (const score of [2, 1]) {
    const no = await drive('resolved');
    const h0 = await history(no);
    const c = await ok(no, 'follow_up', { satisfaction: score, method: 'phone', comment: '很不满意' }, 'agent.shpd');
    assert.equal(c.status, 'investigating');
    assert.equal(c.reopen_count, 1);
    assert.equal(c.satisfaction, score);
    assert.equal(c.grade, 'g2');
    assert.ok(c.grade_reasons.some((g) => g.grade === 'g2'), `grade_reasons explains the raise: ${JSON.stringify(c.grade_reasons)}`);
    const h = await history(no);
    assert.equal(h.length, h0.length + 2, 'a reopening follow-up leaves two entries');
    const [fu, re] = h.slice(-2);
    assert.equal(fu.action, 'follow_up');
    assert.equal(re.action, 'reopen');
    assert.equal(fu.actor, 'agent.shpd');
    assert.equal(re.actor, 'agent.shpd');
    assert.deepEqual(fu.changes.status ?? re.changes.status, ['resolved', 'investigating']);
  }
  // g4 stays g4
  const no = await drive('resolved', { grade: 'g4', approver: 'mgr.aftersales' });
  const c = await ok(no, 'follow_up', { satisfaction: 1, method: 'visit' }, 'agent.shpd');
  assert.equal(c.grade, 'g4');
  assert.equal(c.reopen_count, 1);
  assert.equal(c.status, 'investigating');
});

test('close: needs the follow-up (or the reason to waive it) and a summary; g2+ needs lessons learned and an improvement action', async () => {
  // g1 without follow-up
  let no = await drive('resolved');
  let { e } = await refused(no, () => act(no, 'close', { summary: '已处理' }, 'agent.shpd'), 422);
  assert.ok('follow_up_waived_reason' in e.details);
  ({ e } = await refused(no, () => act(no, 'close', { follow_up_waived_reason: '客户拒绝回访' }, 'agent.shpd'), 422));
  assert.ok('summary' in e.details);
  ({ e } = await refused(no, () => act(no, 'close', { summary: '', follow_up_waived_reason: '客户拒绝回访' }, 'agent.shpd'), 422));
  assert.ok('summary' in e.details);
  let c = await ok(no, 'close', { summary: '已处理', follow_up_waived_reason: '客户拒绝回访' }, 'agent.shpd');
  assert.equal(c.status, 'closed');
  assert.equal(c.follow_up.waived_reason, '客户拒绝回访');
  assert.equal(c.summary, '已处理');
  recent(c.closed_at, 'closed_at');
  // g1 after the follow-up: no waiver needed, no lessons needed
  no = await drive('resolved');
  await ok(no, 'follow_up', { satisfaction: 5, method: 'phone' }, 'agent.shpd');
  c = await ok(no, 'close', { summary: '客户满意' }, 'agent.shpd');
  assert.equal(c.status, 'closed');
  assert.equal(c.lessons, null);
  // g2: lessons learned and at least one (not cancelled) improvement action required
  no = await drive('resolved', { grade: 'g2' });
  await ok(no, 'follow_up', { satisfaction: 4, method: 'phone' }, 'agent.shpd');
  ({ e } = await refused(no, () => act(no, 'close', { summary: '已处理' }, 'agent.shpd'), 422));
  assert.ok('lessons' in e.details && 'improvements' in e.details, JSON.stringify(e.details));
  ({ e } = await refused(no, () => act(no, 'close', { summary: '已处理', lessons: '出厂前增加刹车检测' }, 'agent.shpd'), 422));
  assert.ok('improvements' in e.details, JSON.stringify(e.details));
  const im = await capa(no);
  const cancel = await s.api('PATCH', `/api/v1/cases/${no}/improvements/${im.id}`, { token: tok['handler.aftersales'], body: { status: 'cancelled' } });
  assert.equal(cancel.status, 200, cancel.text);
  ({ e } = await refused(no, () => act(no, 'close', { summary: '已处理', lessons: '出厂前增加刹车检测' }, 'agent.shpd'), 422));
  assert.ok('improvements' in e.details, `a cancelled improvement action does not count: ${JSON.stringify(e.details)}`);
  await capa(no);
  ({ e } = await refused(no, () => act(no, 'close', { summary: '已处理' }, 'agent.shpd'), 422));
  assert.ok('lessons' in e.details, JSON.stringify(e.details));
  c = await ok(no, 'close', { summary: '已处理', lessons: '出厂前增加刹车检测' }, 'agent.shpd');
  assert.equal(c.status, 'closed');
  assert.equal(c.lessons, '出厂前增加刹车检测');
  recent(c.closed_at, 'closed_at');
  const back = await getCase(no);
  assert.equal(back.status, 'closed');
  assert.equal(back.closed_at, c.closed_at);
});

test('close after a reopening: the follow-up of the earlier resolution does not count for the new one', async () => {
  // resolved → dissatisfied follow-up (reopens, g2) → proposed → approved → resolved again
  const no = await drive('resolved');
  await ok(no, 'follow_up', { satisfaction: 1, method: 'phone' }, 'agent.shpd');
  await ok(no, 'propose', { solutions: [{ type: 'exchange', amount_cents: 20000 }] }, 'handler.aftersales');
  await ok(no, 'approve', {}, 'handler.aftersales');
  const c = await ok(no, 'resolve', { customer_consent: true }, 'agent.shpd');
  assert.equal(c.status, 'resolved');
  assert.equal(c.grade, 'g2');
  await capa(no); // so that only the follow-up can be missing
  // the new resolution's follow-up has not been done: closing must need it (or a waiver)
  const { e } = await refused(no, () => act(no, 'close', { summary: '换新后解决', lessons: '加强质检' }, 'agent.shpd'), 422);
  assert.ok('follow_up_waived_reason' in e.details, JSON.stringify(e.details));
});

test('reject: the reason is one of the invalid reasons, an answer is required; sets validity invalid', async () => {
  const REASONS = ['customer_use', 'allergy_constitution', 'normal_characteristic', 'packaging_redesign', 'misunderstanding',
    'beyond_reasonable', 'other'];
  const probe = await drive('accepted');
  for (const [body, field] of [
    [{ answer: '说明' }, 'reason'],
    [{ reason: 'bogus', answer: '说明' }, 'reason'],
    [{ reason: 7, answer: '说明' }, 'reason'],
    [{ reason: 'customer_use' }, 'answer'],
    [{ reason: 'customer_use', answer: '' }, 'answer'],
    [{ reason: 'customer_use', answer: '说明', nature: 'nonsense' }, 'nature'],
  ]) {
    const { e } = await refused(probe, () => act(probe, 'reject', body, 'agent.shpd'), 422);
    assert.ok(field in e.details, `${JSON.stringify(body)} → ${JSON.stringify(e.details)}`);
  }
  for (const reason of REASONS) {
    const no = await register();
    const answer = `您好,经核实(${reason}),投诉不成立,感谢您的理解。`;
    const c = await ok(no, 'reject', { reason, answer }, 'agent.shpd');
    assert.equal(c.status, 'rejected');
    assert.equal(c.validity, 'invalid');
    assert.equal(c.invalid_reason, reason);
    assert.equal(c.reply_to_customer, answer);
  }
  const c = await ok(probe, 'reject', { reason: 'beyond_reasonable', answer: '要求超出合同约定。', nature: 'abnormal' }, 'agent.shpd');
  assert.equal(c.nature, 'abnormal');
});

test('suspend: reason and a remind_on date not in the past; resume returns to exactly where it was', async () => {
  const no = await drive('investigating');
  for (const [body, field] of [
    [{ reason: '等配件' }, 'remind_on'],
    [{ reason: '等配件', remind_on: 'next week' }, 'remind_on'],
    [{ reason: '等配件', remind_on: '2027-13-01' }, 'remind_on'],
    [{ reason: '等配件', remind_on: '2027-02-30' }, 'remind_on'],
    [{ reason: '等配件', remind_on: `${tomorrow()}T09:00:00+08:00` }, 'remind_on'],
    [{ reason: '等配件', remind_on: shanghaiDate(-1) }, 'remind_on'],
    [{ reason: '等配件', remind_on: 20270101 }, 'remind_on'],
    [{ remind_on: tomorrow() }, 'reason'],
    [{ reason: '', remind_on: tomorrow() }, 'reason'],
  ]) {
    const { e } = await refused(no, () => act(no, 'suspend', body, 'agent.shpd'), 422);
    assert.ok(field in e.details, `${JSON.stringify(body)} → ${JSON.stringify(e.details)}`);
  }
  // today (in the organisation's zone) is not the past
  const today = await ok(no, 'suspend', { reason: '客户出差', remind_on: shanghaiDate(0) }, 'agent.shpd');
  assert.equal(today.pending.remind_on, shanghaiDate(0));
  await ok(no, 'resume', {}, 'agent.shpd');

  for (const from of ['accepted', 'investigating', 'proposed', 'approved', 'resolved']) {
    const n = await drive(from);
    const before = await getCase(n);
    const p = await ok(n, 'suspend', { reason: '零件在途', remind_on: tomorrow() }, 'agent.shpd');
    assert.equal(p.status, 'pending');
    assert.deepEqual(p.pending, { from, reason: '零件在途', remind_on: tomorrow() });
    const r = await ok(n, 'resume', {}, 'agent.shpd');
    assert.equal(r.status, from, `resume from a case suspended in ${from}`);
    assert.deepEqual(r.pending, { from: null, reason: null, remind_on: null });
    assert.equal(r.proposal_no, before.proposal_no);
    assert.deepEqual(r.solutions, before.solutions);
  }
  // and work goes on from there: a proposal suspended and resumed can be approved
  const n = await drive('proposed');
  await ok(n, 'suspend', { reason: '等待审批人', remind_on: tomorrow() }, 'agent.shpd');
  await ok(n, 'resume', {}, 'agent.shpd');
  assert.equal((await ok(n, 'approve', {}, 'handler.aftersales')).status, 'approved');
});

test('reopen: from resolved, closed and rejected → investigating, reopen_count + 1, one grade up (g4 stays g4)', async () => {
  for (const from of ['resolved', 'closed', 'rejected']) {
    const no = await drive(from);
    await refused(no, () => act(no, 'reopen', {}, 'agent.shpd'), 422).then(({ e }) => assert.ok('reason' in e.details));
    const c = await ok(no, 'reopen', { reason: '客户再次投诉' }, 'agent.shpd');
    assert.equal(c.status, 'investigating', from);
    assert.equal(c.reopen_count, 1);
    assert.equal(c.grade, 'g2');
    assert.equal(c.closed_at, null, `${from}: a reopened case is not closed`);
    // and again: g3, count 2
    if (from === 'closed') {
      await ok(no, 'propose', { solutions: SMALL }, 'handler.aftersales');
      await ok(no, 'approve', {}, 'handler.aftersales');
      await ok(no, 'resolve', { customer_consent: true }, 'agent.shpd');
      const c2 = await ok(no, 'reopen', { reason: '第二次' }, 'agent.shpd');
      assert.equal(c2.reopen_count, 2);
      assert.equal(c2.grade, 'g3');
    }
  }
  const no = await drive('closed', { grade: 'g4', approver: 'mgr.aftersales' });
  const c = await ok(no, 'reopen', { reason: '客户再次投诉' }, 'agent.shpd');
  assert.equal(c.grade, 'g4');
  assert.equal(c.reopen_count, 1);
});

test('withdraw: from every open state, with the reason kept; a withdrawn case is finished', async () => {
  for (const from of OPEN) {
    const no = await drive(from);
    const c = await ok(no, 'withdraw', { reason: '客户已与门店和解' }, 'agent.shpd');
    assert.equal(c.status, 'withdrawn', from);
    assert.equal(c.withdraw_reason, '客户已与门店和解');
    for (const a of ['resume', 'reopen', 'regrade', 'withdraw']) await refused(no, () => act(no, a, PROBE[a][1](), PROBE[a][0]), 409);
  }
});

test('withdraw from pending: the case is no longer pending (its pending reason and reminder go)', async () => {
  const no = await drive('pending');
  const c = await ok(no, 'withdraw', { reason: '客户撤诉' }, 'agent.shpd');
  assert.equal(c.status, 'withdrawn');
  assert.deepEqual(c.pending, { from: null, reason: null, remind_on: null }, 'a withdrawn case has no pending reminder left');
});

test('regrade: supervisor and above only; up or down; grade_reasons records rule "regrade", the reason and who', async () => {
  const no = await drive('investigating');
  await refused(no, () => act(no, 'regrade', { grade: 'g3', reason: 'x' }, 'agent.shpd'), 403);
  await refused(no, () => act(no, 'regrade', { grade: 'g3', reason: 'x' }, 'handler.aftersales'), 403);
  for (const [body, field] of [
    [{ grade: 'g5', reason: 'x' }, 'grade'],
    [{ grade: 3, reason: 'x' }, 'grade'],
    [{ grade: 'G3', reason: 'x' }, 'grade'],
    [{ reason: 'x' }, 'grade'],
    [{ grade: 'g3' }, 'reason'],
    [{ grade: 'g3', reason: '' }, 'reason'],
  ]) {
    const { e } = await refused(no, () => act(no, 'regrade', body, 'sup.east'), 422);
    assert.ok(field in e.details, `${JSON.stringify(body)} → ${JSON.stringify(e.details)}`);
  }
  let c = await ok(no, 'regrade', { grade: 'g3', reason: '客户威胁投诉12315' }, 'sup.east');
  assert.equal(c.grade, 'g3');
  assert.equal(c.status, 'investigating');
  let last = c.grade_reasons.at(-1);
  assert.deepEqual({ rule: last.rule, grade: last.grade, by: last.by, text: last.text },
    { rule: 'regrade', grade: 'g3', by: 'sup.east', text: '客户威胁投诉12315' });
  c = await ok(no, 'regrade', { grade: 'g1', reason: '经核实无外部投诉' }, 'mgr.aftersales');
  assert.equal(c.grade, 'g1', 'a person may lower a grade');
  last = c.grade_reasons.at(-1);
  assert.deepEqual({ rule: last.rule, grade: last.grade, by: last.by, text: last.text },
    { rule: 'regrade', grade: 'g1', by: 'mgr.aftersales', text: '经核实无外部投诉' });
  assert.equal(c.grade_reasons.filter((g) => g.rule === 'regrade').length, 2, 'earlier reasons are kept');
  c = await ok(no, 'regrade', { grade: 'g4', reason: '客户受伤' }, 'gm');
  assert.equal(c.grade, 'g4');
  assert.equal((await getCase(no)).grade, 'g4');
});

test('regrade: a grade a person lowered stays lowered through later steps', async () => {
  const no = await register({ flags: { safety_related: true } });
  assert.equal((await getCase(no)).grade, 'g2', 'a safety-related case is g2 by the grading rules');
  await ok(no, 'regrade', { grade: 'g1', reason: '经检测与安全系统无关' }, 'sup.east');
  await ok(no, 'accept', {}, 'agent.shpd');
  await ok(no, 'assign', assignBody(), 'sup.east');
  const c = await ok(no, 'propose', { solutions: SMALL }, 'handler.aftersales');
  assert.equal(c.grade, 'g1');
});

// ---- 3. roles and places ------------------------------------------------------------------

test('the auditor and the reviewer get 403 on every action, in every state they could apply to', async () => {
  const cases = {};
  for (const st of ['received', 'investigating', 'proposed', 'approved', 'resolved', 'closed', 'pending']) cases[st] = await drive(st);
  for (const user of ['auditor', 'reviewer']) {
    for (const action of ACTIONS) {
      const st = FROM[action].find((x) => cases[x]) ;
      const no = cases[st];
      const body = action === 'propose' ? { solutions: SMALL } : PROBE[action][1]();
      await refused(no, () => act(no, action, body, user), 403);
    }
  }
});

test('an agent accepts, resolves and closes, but may not propose, approve, send back or regrade', async () => {
  const no = await drive('received');
  await ok(no, 'accept', {}, 'agent.shpd');
  await refused(no, () => act(no, 'assign', { dept: units.AFTERSALES.id, handler: 'handler.aftersales' }, 'handler.aftersales'), 404); // not yet his
  await ok(no, 'assign', assignBody(), 'agent.shpd');
  await refused(no, () => act(no, 'propose', { solutions: SMALL }, 'agent.shpd'), 403);
  await ok(no, 'propose', { solutions: SMALL }, 'handler.aftersales');
  await refused(no, () => act(no, 'approve', {}, 'agent.shpd'), 403);
  await refused(no, () => act(no, 'send_back', { reason: '不行' }, 'agent.shpd'), 403);
  await refused(no, () => act(no, 'regrade', { grade: 'g2', reason: '升级' }, 'agent.shpd'), 403);
  await ok(no, 'approve', {}, 'handler.aftersales');
  await ok(no, 'resolve', { customer_consent: true }, 'agent.shpd');
  await ok(no, 'follow_up', { satisfaction: 5, method: 'sms' }, 'agent.shpd');
  assert.equal((await ok(no, 'close', { summary: '客户满意' }, 'agent.shpd')).status, 'closed');
});

test('a handler proposes and approves within limits, but may not accept, assign, reopen or regrade', async () => {
  const no = await drive('investigating');
  await refused(no, () => act(no, 'assign', { dept: units.QA.id }, 'handler.aftersales'), 403);
  await refused(no, () => act(no, 'regrade', { grade: 'g2', reason: '升级' }, 'handler.aftersales'), 403);
  const r = await drive('resolved');
  await refused(r, () => act(r, 'reopen', { reason: '再开' }, 'handler.aftersales'), 403);
  // a received case is not the handler's yet (404), an accepted one neither: give him one he sees
  const a = await register({ dept: units.AFTERSALES.id });
  await refused(a, () => act(a, 'accept', {}, 'handler.aftersales'), 403);
});

test('a case outside the caller\'s place answers 404 on every action, and a missing case 404 too', async () => {
  const no = await drive('proposed');
  for (const user of ['agent.bj4s', 'sup.north', 'handler.retail', 'mgr.qa']) {
    for (const action of ACTIONS) {
      const body = action === 'propose' ? { solutions: SMALL } : PROBE[action][1]();
      await refused(no, () => act(no, action, body, user), 404);
    }
  }
  const missing = `TS${'209901'}99999`;
  await refused(no, () => act(missing, 'accept', {}, 'gm'), 404);
  await refused(no, () => act('not-a-case', 'accept', {}, 'gm'), 404);
});

// ---- 4. bad input -----------------------------------------------------------------------

test('unknown action → 404; unknown body member → 422 naming it; nothing changes', async () => {
  const no = await drive('received');
  for (const name of ['frobnicate', 'Accept', 'accept ', 'approve2', '']) {
    const p = `/api/v1/cases/${no}/actions/${encodeURIComponent(name)}`;
    const before = rows(no);
    const r = await s.api('POST', p, { token: tok.gm, body: {} });
    assert.ok(r.status === 404 || (name === '' && r.status === 405), `${JSON.stringify(name)}: ${r.status} ${r.text}`);
    assert.equal(rows(no), before);
  }
  for (const action of ACTIONS) {
    const [user] = PROBE[action];
    const st = await drive(FROM[action][0] === 'received' ? 'received' : FROM[action].includes('investigating') ? 'investigating' : FROM[action][0]);
    const body = { ...PROBE[action][1](), colour: 'blue' };
    const { e } = await refused(st, () => act(st, action, body, user), 422);
    assert.ok('colour' in e.details, `${action}: details should name colour: ${JSON.stringify(e.details)}`);
  }
});

test('wrong types → 422; malformed JSON, non-object bodies, invalid UTF-8 → 400; nothing changes', async () => {
  const no = await drive('approved');
  for (const [action, body, field] of [
    ['resolve', { customer_consent: 'true' }, 'customer_consent'],
    ['resolve', { customer_consent: true, note: 12 }, 'note'],
    ['resolve', { customer_consent: true, note: 'x'.repeat(2001) }, 'note'],
    ['withdraw', { reason: 5 }, 'reason'],
    ['withdraw', { reason: ['a'] }, 'reason'],
    ['suspend', { reason: { a: 1 }, remind_on: tomorrow() }, 'reason'],
    ['regrade', { grade: null, reason: 'x' }, 'grade'],
  ]) {
    const { e } = await refused(no, () => act(no, action, body, action === 'regrade' ? 'sup.east' : 'agent.shpd'), 422);
    assert.ok(field in e.details, `${action} ${JSON.stringify(body).slice(0, 60)}: ${JSON.stringify(e.details)}`);
  }
  const path = `/api/v1/cases/${no}/actions/resolve`;
  for (const raw of ['{"customer_consent": true', '{customer_consent: true}', 'true', '[]', '"x"', 'null',
    '{"customer_consent": true, "customer_consent": false}']) {
    await refused(no, () => s.api('POST', path, { token: tok['agent.shpd'], rawBody: raw }), 400);
  }
  await refused(no, () => s.api('POST', path, { token: tok['agent.shpd'], rawBody: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }), 400);
  // no token → 401
  await refused(no, () => s.api('POST', path, { body: { customer_consent: true } }), 401);
  assert.equal((await getCase(no)).status, 'approved');
});

test('actions that need nothing accept an empty body; those that need members answer 422 without one', async () => {
  const no = await register();
  const r = await rawRequest(s, 'POST', `/api/v1/cases/${no}/actions/accept`, { token: tok['agent.shpd'], body: '' });
  assert.equal(r.status, 200, r.text);
  assert.equal((await getCase(no)).status, 'accepted');
  const { e } = await refused(no, () => rawRequest(s, 'POST', `/api/v1/cases/${no}/actions/suspend`, { token: tok['agent.shpd'], body: '' })
    .then((x) => ({ ...x, json: JSON.parse(x.text) })), 422);
  assert.ok('reason' in e.details && 'remind_on' in e.details, JSON.stringify(e.details));
});

// ---- 5. history -------------------------------------------------------------------------

test('history: each successful action adds exactly one entry with actor, action, status before → after, note and reason', async () => {
  const no = await register();
  const steps = [
    ['accept', { note: '受理函已发出' }, 'agent.shpd', ['received', 'accepted']],
    ['assign', { ...assignBody(), note: '转售后' }, 'sup.east', ['accepted', 'investigating']],
    ['regrade', { grade: 'g2', reason: '安全相关' }, 'sup.east', null],
    ['suspend', { reason: '等待检测报告', remind_on: tomorrow() }, 'agent.shpd', ['investigating', 'pending']],
    ['resume', { note: '报告已到' }, 'agent.shpd', ['pending', 'investigating']],
    ['propose', { solutions: [{ type: 'repair', amount_cents: 20000 }] }, 'handler.aftersales', ['investigating', 'proposed']],
    ['send_back', { reason: '先与客户确认' }, 'sup.east', ['proposed', 'investigating']],
    ['propose', { solutions: [{ type: 'repair', amount_cents: 25000 }], note: '第二版' }, 'handler.aftersales', ['investigating', 'proposed']],
    ['approve', { note: '同意' }, 'handler.aftersales', ['proposed', 'approved']],
    ['resolve', { customer_consent: true }, 'agent.shpd', ['approved', 'resolved']],
    ['follow_up', { satisfaction: 4, method: 'phone' }, 'agent.shpd', null],
    ['improvement'],
    ['close', { summary: '已修复', lessons: '加强刹车出厂检测' }, 'agent.shpd', ['resolved', 'closed']],
    ['reopen', { reason: '同一故障复发' }, 'agent.shpd', ['closed', 'investigating']],
    ['withdraw', { reason: '客户撤诉' }, 'agent.shpd', ['investigating', 'withdrawn']],
  ];
  let h = await history(no);
  assert.equal(h.length, 1, 'registration is the first entry');
  for (const [action, body, user, status] of steps) {
    if (action === 'improvement') {
      await capa(no); // not a lifecycle step (g2 closes only with one)
      h = await history(no);
      continue;
    }
    await ok(no, action, body, user);
    const h2 = await history(no);
    assert.equal(h2.length, h.length + 1, `${action}: exactly one new entry`);
    assert.deepEqual(h2.slice(0, h.length), h, `${action}: earlier entries unchanged`);
    const e = h2.at(-1);
    assert.equal(e.action, action);
    assert.equal(e.actor, user);
    assert.match(e.at, RFC3339);
    assert.equal(typeof e.changes, 'object');
    if (status) assert.deepEqual(e.changes.status, status, `${action}: status before → after`);
    else assert.equal(e.changes.status, undefined, `${action}: the status did not change`);
    if (body.note) assert.deepEqual(e.changes.note, [null, body.note], `${action}: note in the history`);
    if (typeof body.reason === 'string') assert.deepEqual(e.changes.reason, [null, body.reason], `${action}: reason in the history`);
    h = h2;
  }
  const byAction = Object.fromEntries(h.map((e) => [e.action, e]));
  assert.deepEqual(byAction.regrade.changes.grade, ['g1', 'g2']);
  assert.deepEqual(byAction.assign.changes.handler, [null, 'handler.aftersales']);
  assert.equal(byAction.assign.changes.dept?.[1], units.AFTERSALES.id, JSON.stringify(byAction.assign.changes));
  assert.deepEqual(byAction.follow_up.changes.satisfaction, [null, 4]);
  assert.deepEqual(h.filter((e) => e.action === 'propose').map((e) => e.changes.proposal_no), [[null, 1], [1, 2]]);
  assert.deepEqual(byAction.reopen.changes.reopen_count, [0, 1]);
  // the store agrees: append-only rows, one per entry
  const stored = s.sql(`SELECT action, actor FROM case_history WHERE case_id = (SELECT id FROM cases WHERE case_no = '${no}') ORDER BY id`);
  assert.deepEqual(stored.map((x) => [x.action, x.actor]), h.map((e) => [e.action, e.actor]));
});

test('history: refused actions leave no entry (409, 403, 422, 404)', async () => {
  const no = await drive('proposed', { solutions: [{ type: 'compensation', amount_cents: 300000 }] });
  const h0 = await history(no);
  await refused(no, () => act(no, 'accept', {}, 'agent.shpd'), 409);
  await refused(no, () => act(no, 'approve', {}, 'handler.aftersales'), 403);
  await refused(no, () => act(no, 'send_back', {}, 'sup.east'), 422);
  await refused(no, () => act(no, 'approve', {}, 'agent.bj4s'), 404);
  assert.deepEqual(await history(no), h0);
});

test('last: clean shutdown', async () => {
  await assertCleanShutdown(s);
});
