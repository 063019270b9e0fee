// The demo cases replayed to the outcome their seeds tell (data/demo.json, ../shared/seeds/*.txt).
// Each of the 16 demo complaints is driven through its whole lifecycle by the people the seed and
// the organisation name: the receiving outlet's agent accepts, the responsible department's handler
// investigates and proposes, someone with the approval authority for the cost and the grade
// (DOMAIN §6) approves, the solution is carried out and the loss booked in cents, the customer is
// followed up, improvement actions and penalties (proposed → approved → executed) are recorded, the
// case is closed with its lessons, and a g2+ case is written up, anonymised, for the case library.
// At every step: status, grade and its reasons, the actor's allowed actions, the authority refusals
// (403 with required_role, nothing changed), the loss total, and at the end the history — one
// entry per step, with its actor and action, oldest first.
//
// Amounts: where a seed gives one it is used exactly (freight: ¥3,000 + ¥1,000 and goods ¥81,000;
// ring-back tone: ¥5 a month, ¥60 a year). Where a seed names a cost without a figure (a discount,
// a waived fee, a gift) the test uses a round sample amount and says so ("示例金额").
//
// The last tests show where the server departs from DOMAIN.md (they fail until it is fixed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, assertError, unitsByCode, caseRows, shanghaiDate, assertCleanShutdown } from './lib.mjs';

const DEMO = JSON.parse(fs.readFileSync(new URL('../../data/demo.json', import.meta.url), 'utf8'));
const ROLE = Object.fromEntries(DEMO.users.map((u) => [u.username, u.roles[0]]));

// Each demo case by a short key and a fragment of its seed (the "seed" field of data/demo.json).
const SEED_OF = {
  freight: '[案例1] 储运公司运送货物毁损', // 000
  ktv: '中秋节酒楼ktv包间被转订', // 000
  ringback: '彩铃业务未经同意开通', // 000
  suit: '西装腋下撕裂', // 000
  shampoo: '洗发水过敏', // 000
  bank: '理财贵宾卡', // 000
  aircon: '空调异响', // 000, 上海大众汇编1
  flashlight: '手电筒礼品', // 汇编2
  airbag: '安全气囊灯报警', // 汇编3
  battery: '驾校桑塔纳教练车电瓶', // 汇编4
  cvjoint: '球笼损坏抛锚', // 汇编5
  waiting: '保养等待2小时', // 汇编6
  band: '智能手环充电故障', // 003 案例一
  office: '被遗忘的办公用品订单', // 003 案例二
  hotelcall: '转错电话', // 002 酒店案例一
  signoff: '为什么不可以签单', // 002 酒店案例二
};

// ---- the domain's rules, written out from DOMAIN.md / API.md ------------------------------------

const FROM = {
  accept: ['received'],
  assign: ['accepted', 'investigating'],
  propose: ['investigating'],
  approve: ['proposed'],
  send_back: ['proposed'],
  resolve: ['approved'],
  follow_up: ['resolved'],
  close: ['resolved'],
  reject: ['received', 'accepted', 'investigating'],
  suspend: ['accepted', 'investigating', 'proposed', 'approved', 'resolved'],
  resume: ['pending'],
  reopen: ['resolved', 'closed', 'rejected'],
  withdraw: ['received', 'accepted', 'investigating', 'proposed', 'approved', 'resolved', 'pending'],
  regrade: ['received', 'accepted', 'investigating', 'proposed', 'approved', 'resolved', 'pending', 'closed', 'rejected'],
};
const FRONT = ['agent', 'supervisor', 'dept_manager', 'general_manager', 'admin'];
const HANDLE = ['handler', 'supervisor', 'dept_manager', 'general_manager', 'admin'];
const WORK = ['agent', 'handler', 'supervisor', 'dept_manager', 'general_manager', 'admin'];
const MANAGE = ['supervisor', 'dept_manager', 'general_manager', 'admin'];
const WHO = {
  accept: FRONT, assign: FRONT, propose: HANDLE, approve: HANDLE, send_back: HANDLE, resolve: WORK, follow_up: WORK,
  close: WORK, reject: WORK, suspend: WORK, resume: WORK, reopen: FRONT, withdraw: WORK, regrade: MANAGE,
};
const expectedAllowed = (status, role) => Object.keys(FROM).filter((a) => FROM[a].includes(status) && WHO[a].includes(role)).sort();

// Approval authority (核决权限, DOMAIN §6, defaults of m003): ≤ ¥500 handler, ≤ ¥5,000 supervisor,
// ≤ ¥50,000 department manager, above: general manager; g3/g4 need at least a department manager.
const LIMITS = [['handler', 50000, 2], ['supervisor', 500000, 2], ['dept_manager', 5000000, 4], ['general_manager', null, 4]];
function requiredRole(cost, grade) {
  const g = Number(grade[1]);
  for (const [role, max, maxGrade] of LIMITS) if ((max === null || cost <= max) && g <= maxGrade) return role;
  return null;
}
// The cost of a proposal: the common items plus its dearest alternative (option A/B, DOMAIN §6).
function proposalCost(solutions) {
  let common = 0;
  const opt = {};
  for (const s of solutions) {
    if (s.option) opt[s.option] = (opt[s.option] ?? 0) + (s.amount_cents ?? 0);
    else common += s.amount_cents ?? 0;
  }
  return common + Math.max(0, ...Object.values(opt));
}

// Grading (DOMAIN §4, rules of m004) of a demo case as loaded: the rule ids that must fire.
const FLAG_GRADE = {
  safety_related: 'g2', media_threat: 'g3', media_exposure: 'g3', regulator_threat: 'g3', lawsuit_threat: 'g3',
  injury: 'g4', fire: 'g4', accident: 'g4', property_damage: 'g4', lawsuit_filed: 'g4', regulator_investigation: 'g4',
};
const EXTERNAL = ['regulator_12315', 'consumer_association', 'miit', 'media', 'court', 'leadership_referral', 'group_hotline'];
const DAY = 86400000;
function expectedGrading(d) {
  const rules = {};
  for (const [f, on] of Object.entries(d.flags ?? {})) if (on) rules[f] = FLAG_GRADE[f];
  if (EXTERNAL.includes(d.channel)) rules.external_channel = 'g3';
  if ((d.claimed_cents ?? 0) >= 5000000) rules.major_loss = 'g3';
  if (Date.now() - Date.parse(d.received_at) > 30 * DAY) rules.open_over_30_days = 'g3';
  const grade = Object.values(rules).reduce((m, g) => (g > m ? g : m), 'g1');
  return { grade, rules };
}
const gradeLevel = (g) => Number(g[1]);

// ---- server, people, cases ---------------------------------------------------------------------

let s, units;
const tokens = {};
const CASE = {}; // key -> {no, demo}
const extraFindings = {}; // values a later test looks at

async function tk(user) {
  if (!tokens[user]) tokens[user] = await s.login(user);
  return tokens[user];
}
async function api(method, path, user, body) {
  return s.api(method, path, { token: await tk(user), body });
}

before(async () => {
  s = await startServer();
  units = await unitsByCode(s, await tk('admin'));
  const r = await api('GET', '/api/v1/cases?per_page=100', 'admin');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, DEMO.cases.length);
  for (const [key, frag] of Object.entries(SEED_OF)) {
    const demo = DEMO.cases.filter((c) => c.seed.includes(frag));
    assert.equal(demo.length, 1, `one demo case for ${frag}`);
    const listed = r.json.items.filter((c) => c.title === demo[0].title);
    assert.equal(listed.length, 1, `the demo case "${demo[0].title}" is in the list once`);
    CASE[key] = { no: listed[0].case_no, demo: demo[0] };
  }
  assert.equal(Object.keys(CASE).length, 16);
});

after(async () => {
  await assertCleanShutdown(s);
});

const isTime = (v) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/.test(v);
const ACTION_OF_STEP = { approve: 'penalty_approved', execute: 'penalty_executed', cancel: 'penalty_cancelled' };

/* One demo case being replayed: every write goes through here, so the history can be checked
 * against what was done, step by step. */
class Story {
  constructor(key) {
    this.key = key;
    this.no = CASE[key].no;
    this.demo = CASE[key].demo;
    this.log = []; // [actor, action, statusBefore, statusAfter]
    this.status = 'received';
  }

  async get(user = 'admin') {
    const r = await api('GET', `/api/v1/cases/${this.no}`, user);
    assert.equal(r.status, 200, r.text);
    return r.json.case;
  }

  /* The case as loaded: received, graded by the rules the demo data makes fire, escalated. */
  async checkLoaded() {
    const c = await this.get();
    const want = expectedGrading(this.demo);
    assert.equal(c.status, 'received');
    assert.equal(c.grade, want.grade, `${this.key}: grade as loaded (${JSON.stringify(c.grade_reasons)})`);
    const got = Object.fromEntries(c.grade_reasons.map((g) => [g.rule, g.grade]));
    assert.deepEqual(got, want.rules, `${this.key}: the rules behind the grade`);
    for (const g of c.grade_reasons) assert.ok(g.text && typeof g.text === 'string', 'each grade reason is explained');
    assert.equal(c.external, EXTERNAL.includes(this.demo.channel));
    assert.equal(c.channel, this.demo.channel);
    assert.equal(c.outlet, units[this.demo.outlet].id);
    assert.equal(c.dept, units[this.demo.dept].id);
    assert.equal(c.owner, this.demo.registered_by, 'the first receiver owns the case (首问负责制)');
    assert.equal(c.received_at, this.demo.received_at);
    assert.equal(c.complainant.name, this.demo.complainant.name);
    assert.deepEqual(c.loss.total_cents, 0);
    // Escalation (DOMAIN §4): every tier the grade reached was told.
    const n = await api('GET', `/api/v1/cases/${this.no}/notices`, 'admin');
    assert.equal(n.status, 200, n.text);
    const targets = new Set(n.json.items.map((x) => x.target));
    const tiers = { g2: ['region', 'unit:QA'], g3: ['unit:CR', 'unit:LEGAL', 'unit:PR'], g4: ['role:general_manager', 'unit:MGMT'] };
    for (const [g, ts] of Object.entries(tiers))
      for (const t of ts)
        assert.equal(targets.has(t), gradeLevel(c.grade) >= gradeLevel(g), `${this.key} (${c.grade}): notice to ${t} for ${g}`);
    if (c.grade === 'g4') assert.ok(n.json.items.some((x) => x.recipient === 'user:gm'), 'g4: the general manager is told at once');
    return c;
  }

  /* A lifecycle step that must succeed. */
  async act(action, body, user, expect = {}) {
    const r = await api('POST', `/api/v1/cases/${this.no}/actions/${action}`, user, body);
    assert.equal(r.status, 200, `${this.key}: ${action} by ${user}: ${r.text}`);
    const c = r.json.case;
    assert.equal(c.case_no, this.no);
    if (expect.status) assert.equal(c.status, expect.status, `${this.key}: status after ${action}`);
    assert.deepEqual([...c.allowed_actions].sort(), expectedAllowed(c.status, ROLE[user]),
      `${this.key}: allowed actions of ${user} (${ROLE[user]}) in ${c.status}`);
    this.log.push([user, action, this.status, c.status]);
    this.status = c.status;
    return c;
  }

  /* A request that must be refused, leaving the case and the store as they were. */
  async refused(method, path, body, user, status) {
    const before = caseRows(s.db, this.no);
    const r = await api(method, path, user, body);
    const e = assertError(r, status);
    assert.equal(caseRows(s.db, this.no), before, `${this.key}: a refused ${method} ${path} changed the case`);
    return e;
  }

  /* Approval beyond the caller's authority: 403 naming the role that has it (DOMAIN §6). */
  async approveRefused(user, role) {
    const e = await this.refused('POST', `/api/v1/cases/${this.no}/actions/approve`, undefined, user, 403);
    assert.equal(e.details?.required_role, role, `${this.key}: approve by ${user} names the role needed: ${JSON.stringify(e)}`);
    return e;
  }

  async patch(body, user) {
    const r = await api('PATCH', `/api/v1/cases/${this.no}`, user, body);
    assert.equal(r.status, 200, `${this.key}: PATCH by ${user}: ${r.text}`);
    this.log.push([user, 'update']);
    return r.json.case;
  }

  async contact(body, user) {
    const r = await api('POST', `/api/v1/cases/${this.no}/contacts`, user, body);
    assert.equal(r.status, 201, `${this.key}: contact by ${user}: ${r.text}`);
    this.log.push([user, 'contact']);
    return r.json.contact;
  }

  async note(text, user) {
    const r = await api('POST', `/api/v1/cases/${this.no}/notes`, user, { text });
    assert.equal(r.status, 201, `${this.key}: note by ${user}: ${r.text}`);
    this.log.push([user, 'note']);
    return r.json.note;
  }

  async promise(promise, due_at, user) {
    const r = await api('POST', `/api/v1/cases/${this.no}/promises`, user, { promise, due_at });
    assert.equal(r.status, 201, `${this.key}: promise by ${user}: ${r.text}`);
    this.log.push([user, 'promise']);
    return r.json.promise;
  }

  /* Settles the (open) promise whose text contains fragment. */
  async settle(fragment, kept, user) {
    const c = await this.get(user);
    const p = c.promises.filter((x) => x.promise.includes(fragment));
    assert.equal(p.length, 1, `${this.key}: one promise "${fragment}"`);
    assert.equal(p[0].kept, null, 'still open');
    const r = await api('PATCH', `/api/v1/cases/${this.no}/promises/${p[0].id}`, user, { kept });
    assert.equal(r.status, 200, `${this.key}: settle promise by ${user}: ${r.text}`);
    assert.equal(r.json.promise.kept, kept);
    assert.ok(isTime(r.json.promise.settled_at));
    this.log.push([user, kept ? 'promise_kept' : 'promise_broken']);
  }

  async improvement(kind, description, owner, user, days = 30) {
    const r = await api('POST', `/api/v1/cases/${this.no}/improvements`, user, { kind, description, owner, due_on: shanghaiDate(days) });
    assert.equal(r.status, 201, `${this.key}: improvement by ${user}: ${r.text}`);
    const im = r.json.improvement;
    assert.equal(im.status, 'open');
    assert.equal(im.owner, owner);
    assert.equal(im.kind, kind);
    this.log.push([user, 'improvement']);
    return im;
  }

  /* A penalty (问责, DOMAIN §6) for a responsible person: proposed → approved → executed. */
  async penalty(body, proposer, approver, executor) {
    const r = await api('POST', `/api/v1/cases/${this.no}/penalties`, proposer, body);
    assert.equal(r.status, 201, `${this.key}: penalty by ${proposer}: ${r.text}`);
    let p = r.json.penalty;
    assert.equal(p.status, 'proposed');
    assert.equal(p.proposed_by, proposer);
    assert.equal(p.case_no, this.no);
    this.log.push([proposer, 'penalty_proposed']);
    if (approver) p = await this.penaltyStep(p, 'approve', approver, 'approved');
    if (executor) p = await this.penaltyStep(p, 'execute', executor, 'executed');
    return p;
  }

  async penaltyStep(p, step, user, status) {
    const r = await api('POST', `/api/v1/cases/${this.no}/penalties/${p.id}/${step}`, user);
    assert.equal(r.status, 200, `${this.key}: penalty ${step} by ${user}: ${r.text}`);
    const q = r.json.penalty;
    assert.equal(q.status, status);
    if (status === 'approved') assert.equal(q.approved_by, user);
    if (status === 'executed') {
      assert.equal(q.executed_by, user);
      assert.ok(isTime(q.executed_at));
    }
    this.log.push([user, ACTION_OF_STEP[step]]);
    return q;
  }

  /* Solution proposed by the handler: the case now shows this proposal's items. */
  async propose(solutions, user, note) {
    const body = { solutions };
    if (note) body.note = note;
    const c = await this.act('propose', body, user, { status: 'proposed' });
    assert.deepEqual(c.solutions.map((x) => [x.type, x.amount_cents ?? 0, x.option || null]),
      solutions.map((x) => [x.type, x.amount_cents ?? 0, x.option ?? null]), `${this.key}: the proposal as stored`);
    return c;
  }

  /* Resolve with the customer's consent, follow up, close (DOMAIN §3, §7). */
  async finish({ resolver, option, followUp, closer, summary, lessons, beforeClose }) {
    const body = { customer_consent: true };
    if (option) body.option = option;
    let c = await this.act('resolve', body, resolver, { status: 'resolved' });
    assert.equal(c.customer_consent, true);
    if (option) assert.equal(c.chosen_option, option);
    assert.ok(isTime(c.resolved_at));
    assert.equal(Date.parse(c.follow_up.due_at) - Date.parse(c.resolved_at), 24 * 3600 * 1000, 'follow-up due 24 h after resolution');
    c = await this.act('follow_up', followUp.body, followUp.user, { status: 'resolved' });
    assert.equal(c.satisfaction, followUp.body.satisfaction);
    assert.equal(c.follow_up.by, followUp.user);
    assert.equal(c.follow_up.method, followUp.body.method);
    if (beforeClose) await beforeClose(c);
    c = await this.act('close', { summary, lessons }, closer, { status: 'closed' });
    assert.ok(isTime(c.closed_at));
    assert.equal(c.summary, summary);
    assert.equal(c.lessons, lessons);
    return c;
  }

  /* The history: the registration, then exactly the steps taken here, each with its actor, and
   * every status change recorded as before → after. */
  async checkHistory() {
    const r = await api('GET', `/api/v1/cases/${this.no}/history`, 'auditor');
    assert.equal(r.status, 200, r.text);
    // the people's steps; the clocks' own entries ("overdue", by "system") are not theirs
    let items = r.json.items.filter((i) => i.actor !== 'system');
    assert.equal(items[0].action, 'register');
    assert.equal(items[0].actor, this.demo.registered_by);
    // the demo's own notes, contacts and promises follow the registration in the history
    const loaded = (this.demo.notes?.length ?? 0) + (this.demo.contacts?.length ?? 0) + (this.demo.promises?.length ?? 0);
    assert.deepEqual(items.slice(1, 1 + loaded).map((i) => i.action).sort(),
      [...Array(this.demo.notes?.length ?? 0).fill('note'), ...Array(this.demo.contacts?.length ?? 0).fill('contact'),
       ...Array(this.demo.promises?.length ?? 0).fill('promise')].sort(), `${this.key}: the demo's items are in the history`);
    items = [items[0], ...items.slice(1 + loaded)];
    assert.deepEqual(items.slice(1).map((i) => [i.actor, i.action]), this.log.map((l) => [l[0], l[1]]),
      `${this.key}: one history entry per step, in order`);
    items.slice(1).forEach((it, i) => {
      assert.ok(isTime(it.at), 'each entry has its time');
      assert.equal(typeof it.changes, 'object');
      const [, , from, to] = this.log[i];
      if (from !== undefined && from !== to) assert.deepEqual(it.changes.status, [from, to], `${this.key}: entry ${i + 1} (${it.action}) records the status change`);
    });
    for (let i = 1; i < items.length; i++) assert.ok(items[i].at >= items[i - 1].at, 'oldest first');
    return items;
  }

  /* A library write-up by the management reviewer (DOMAIN §10), published and readable by an agent.
   * Returns what leaked (names, phones, plates, e-mails the text must not carry). */
  async writeup(sections, reader) {
    const r = await api('POST', `/api/v1/cases/${this.no}/writeup`, 'reviewer', sections);
    assert.equal(r.status, 201, `${this.key}: write-up: ${r.text}`);
    const w = r.json.writeup;
    assert.equal(w.status, 'draft');
    assert.equal(w.case_no, this.no);
    assert.equal(w.created_by, 'reviewer');
    this.log.push(['reviewer', 'writeup']);
    const p = await api('POST', `/api/v1/library/${w.id}/publish`, 'reviewer');
    assert.equal(p.status, 200, `${this.key}: publish: ${p.text}`);
    assert.equal(p.json.writeup.status, 'published');
    assert.ok(isTime(p.json.writeup.published_at));
    this.log.push(['reviewer', 'writeup_published']);
    const g = await api('GET', `/api/v1/library/${w.id}`, reader);
    assert.equal(g.status, 200, `${this.key}: a published write-up is there for ${reader}: ${g.text}`);
    this.writeupId = w.id;
    return { writeup: g.json.writeup, leaks: leaks(g.json.writeup, this.demo) };
  }
}

/* What of the complainant a write-up still shows: name, phone, e-mail, plate. */
function leaks(w, d) {
  const text = ['title', 'scenario', 'analysis', 'correct_practice', 'solution'].map((k) => w[k]).join('\n');
  const bad = [d.complainant.name, d.complainant.phone, d.complainant.email, d.subject?.plate,
    d.subject?.plate?.split('·')[1]].filter(Boolean);
  return bad.filter((x) => text.includes(x));
}

function checkLoss(c, parts) {
  const names = ['compensation', 'refund', 'discount', 'repair', 'goods', 'freight', 'gift', 'other'];
  let sum = 0;
  for (const n of names) {
    const want = parts[n] ?? 0;
    assert.equal(c.loss[`${n}_cents`], want, `loss.${n}_cents`);
    sum += want;
  }
  assert.equal(c.loss.total_cents, sum, 'loss.total_cents is the exact sum of its parts');
  return sum;
}

function checkRejected(c, reason, answer) {
  assert.equal(c.status, 'rejected');
  assert.equal(c.validity, 'invalid');
  assert.equal(c.invalid_reason, reason);
  assert.equal(c.reply_to_customer, answer);
  assert.ok(isTime(c.closed_at));
}

const agentOf = (outletCode) => DEMO.users.find((u) => u.unit === outletCode && u.roles.includes('agent')).username;

// =================================================================================================
// 000 [案例1] 储运公司运送货物毁损: packaging too weak, ¥90,000 of goods damaged. The freight
// department found ¥3,000 of repairable goods and ¥81,000 beyond repair; with the customer's
// consent: repair cost and compensation ¥4,000 together, and the destroyed goods re-shipped.
// ¥85,000 is beyond a department manager's ¥50,000: the general manager approves.
// =================================================================================================
test('000 案例1 储运货物毁损: repair + compensation ¥4,000, re-ship ¥81,000, approved by the general manager', async () => {
  const st = new Story('freight');
  const c0 = await st.checkLoaded();
  assert.equal(c0.claimed_cents, 9000000);
  assert.ok(c0.grade_reasons.some((g) => g.rule === 'major_loss'), 'a claim of ¥90,000 is a major loss (≥ ¥50,000)');

  await st.act('accept', { note: '客户投诉管理部门受理,登记客户投诉记录表' }, 'agent.shlog', { status: 'accepted' });
  let c = await st.act('assign', { handler: 'handler.logistics' }, 'agent.shlog', { status: 'investigating' });
  assert.equal(c.dept, units.LOGISTICS.id, 'delivery routes to the storage & transport department');
  assert.equal(c.handler, 'handler.logistics');

  c = await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'method', service_stage: 'logistics' }, 'handler.logistics');
  assert.equal(c.responsibility, 'ours');
  const solutions = [
    { type: 'repair', amount_cents: 300000, description: '轻微变形货物(10%)的修理费用3000元' },
    { type: 'compensation', amount_cents: 100000, description: '赔偿经济损失1000元(与修理费两项共计4000元)' },
    { type: 'reship', amount_cents: 8100000, description: '补发毁损严重无法恢复价值的货物,价值8.1万元' },
  ];
  await st.propose(solutions, 'handler.logistics', '包装强度过低导致运输事故,责任在我方,承担全部经济责任');
  const cost = proposalCost(solutions);
  assert.equal(cost, 8500000);
  assert.equal(requiredRole(cost, c.grade), 'general_manager');
  await st.approveRefused('handler.logistics', 'general_manager');
  await st.approveRefused('mgr.logistics', 'general_manager');
  c = await st.act('approve', { note: '经有关管理部门研究,同意赔付并补发' }, 'gm', { status: 'approved' });

  // carried out: the payments and the re-shipment, booked as losses — in whole cents; the total is derived
  let e = await st.refused('PATCH', `/api/v1/cases/${st.no}`, { loss: { repair_cents: 300000.5 } }, 'handler.logistics', 422);
  assert.ok('loss.repair_cents' in e.details, JSON.stringify(e));
  e = await st.refused('PATCH', `/api/v1/cases/${st.no}`, { loss: { total_cents: 8500000 } }, 'handler.logistics', 422);
  assert.ok('loss.total_cents' in e.details, JSON.stringify(e));
  c = await st.patch({ loss: { repair_cents: 300000, compensation_cents: 100000, goods_cents: 8100000, attributed_to: 'ours' } }, 'handler.logistics');
  assert.equal(checkLoss(c, { repair: 300000, compensation: 100000, goods: 8100000 }), 8500000);
  assert.equal(c.loss.attributed_to, 'ours');
  await st.settle('两项共计4000元', true, 'handler.logistics');
  await st.settle('补发毁损货物', true, 'handler.logistics');
  await st.improvement('process', '制定货物包装强度标准,按货物类别与运输方式核定包装等级,发运前抽检', 'mgr.logistics', 'handler.logistics');

  c = await st.finish({
    resolver: 'agent.shlog',
    followUp: { user: 'agent.shlog', body: { satisfaction: 5, method: 'phone', comment: '定期回访,客户确认补发货物已到货完好,对处理表示信任' } },
    closer: 'agent.shlog',
    summary: '赔付修理费及经济损失共4000元,补发毁损货物8.1万元;客户同意并确认到货。',
    lessons: '货物包装强度必须与运输条件匹配;赔偿主动、及时,才能挽留老客户。',
  });
  assert.equal(c.grade, 'g3');
  assert.equal(c.improvements.length, 1, 'a g3 case closes with its improvement action');
  const { leaks: leaked } = await st.writeup({
    title: '储运公司运送货物毁损',
    scenario: '老客户陈志强(电话13800138001)来电投诉:货值30万元,完好率70%,缺损9万元,要求赔偿。',
    analysis: '储运公司对货物的包装强度过低,导致运输途中发生事故,责任在我方。',
    correct_practice: '包装标准与运输条件匹配;受理后立即转货运部调查。',
    solution: '支付修理费及经济损失共4000元,补发毁损货物;定期回访了解到货情况。',
  }, 'agent.hotline');
  await st.checkHistory();
  assert.deepEqual(leaked, [], 'the write-up shows no name, phone or plate of the customer');
});


// =================================================================================================
// 000 案例分析2 中秋节酒楼ktv包间被转订: the waiter gave the booked KTV room away; the guests want a
// discount or they will go to the consumer association (a threat: g3). The manager admits the
// fault, apologises, says the waiter has been criticised; the guests calm down and pay the bill.
// =================================================================================================
test('000 案例分析2 KTV包间被转订: apology, the waiter noticed (penalty executed), booking rule; no discount', async () => {
  const st = new Story('ktv');
  const c0 = await st.checkLoaded();
  assert.equal(c0.flags.regulator_threat, true);
  assert.ok(c0.grade_reasons.some((g) => g.rule === 'regulator_threat' && g.grade === 'g3'), 'a threat to go to 消协 is g3');

  await st.act('accept', undefined, 'agent.tjrest', { status: 'accepted' });
  let c = await st.act('assign', { handler: 'handler.hotel' }, 'agent.tjrest', { status: 'investigating' });
  assert.equal(c.dept, units.HOSPITALITY.id, 'booking routes to hospitality');
  await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'people_standards', psychology: ['respect', 'vent'] }, 'handler.hotel');
  const solutions = [
    { type: 'apology', description: '经理当面承认错误并道歉' },
    { type: 'explanation', description: '说明已批评擅自转订包间的服务员' },
  ];
  await st.propose(solutions, 'handler.hotel');
  assert.equal(requiredRole(0, 'g3'), 'dept_manager');
  await st.approveRefused('handler.hotel', 'dept_manager'); // cost 0, but g3
  await st.approveRefused('sup.north', 'dept_manager');
  await st.act('approve', undefined, 'mgr.hospitality', { status: 'approved' });
  await st.contact({ method: 'visit', direction: 'outbound', summary: '经理到场致歉并与客人交流,客人情绪平复,主动结账' }, 'agent.tjrest');

  const p = await st.penalty({ person: '下午当班接订包间的服务员', kind: 'notice', reason: '未与原订客人沟通,擅自将已预订的KTV包间转给后来客人' },
    'handler.hotel', 'mgr.hospitality', 'sup.north');
  assert.equal(p.kind, 'notice');
  await st.settle('对擅自转订包间的服务员进行内部处理', true, 'handler.hotel');
  await st.improvement('rule', '完善包间预订保留规则:已预订包间的变更须先征得原订客人同意', 'mgr.hospitality', 'handler.hotel');
  c = await st.get();
  checkLoss(c, {}); // the guests paid the full bill: no discount, no loss
  c = await st.finish({
    resolver: 'agent.tjrest',
    followUp: { user: 'agent.tjrest', body: { satisfaction: 4, method: 'phone', comment: '电话告知对服务员的处理结果,客人表示谅解' } },
    closer: 'agent.tjrest',
    summary: '经理当面道歉并说明已批评当事服务员,客人谅解后按原价结账。',
    lessons: '有约在先不得擅自更换包间;投诉现场由经理亲自处理,真诚沟通能化解不满。',
  });
  const { leaks: leaked } = await st.writeup({
    title: '中秋节KTV包间被转订',
    scenario: '赵海峰(13800138002)一行预订的KTV包间被服务员擅自转给后来的客人,结账时要求打折,否则投诉消协。',
    analysis: '服务员自作主张,在有约在先的情况下擅自更换包间。',
    correct_practice: '预订的包间不得擅自转让;确需变更须征得原订客人同意。',
    solution: '经理亲自道歉、批评当事服务员;完善包间预订保留规则。',
  }, 'agent.tjrest');
  await st.checkHistory();
  assert.deepEqual(leaked, []);
});

// =================================================================================================
// 000 案例分析2 彩铃业务未经同意开通: the ring-back tone was switched on without the customer's
// consent; the hotline insisted it was bundled until March and offered ¥5 a month back (¥60). The
// customer wanted none of it (the refused solution goes back to investigation); the quality review
// found the agent's handling wrong. The right outcome: cancel, refund the ¥5 already charged,
// apologise; the outbound sales agent is held accountable, the hotline trained.
// =================================================================================================
test('000 案例分析2 彩铃未经同意开通: the ¥60 rebate refused, then cancel + refund ¥5 + apology', async () => {
  const st = new Story('ringback');
  await st.checkLoaded();
  await st.act('accept', undefined, 'agent.gztel', { status: 'accepted' });
  let c = await st.act('assign', { handler: 'handler.telecom' }, 'agent.gztel', { status: 'investigating' });
  assert.equal(c.dept, units.TELECOM.id, 'unauthorised activation routes to the telecom business department');

  // proposal 1: what the hotline offered on the phone
  const first = [
    { type: 'explanation', description: '彩铃业务已捆绑至2027年3月,期间不能取消' },
    { type: 'compensation', amount_cents: 6000, description: '自2026年5月1日起每月1日返还5元话费抵扣彩铃费,共60元' },
  ];
  await st.propose(first, 'handler.telecom');
  await st.approveRefused('handler.telecom', 'dept_manager'); // ¥60 is within a handler's ¥500, but the case is g3
  await st.approveRefused('sup.south', 'dept_manager');
  await st.act('approve', undefined, 'gm', { status: 'approved' }); // no telecom department manager: the GM
  // the customer does not accept: back to investigation (DOMAIN §6)
  c = await st.act('resolve', { customer_consent: false, note: '客户坚持不要该业务,不接受返还话费方案' }, 'agent.gztel', { status: 'investigating' });
  assert.equal(c.customer_consent, false);
  assert.equal(c.resolved_at, null);

  await st.note('质检意见:未调取外呼录音核实客户是否同意;服务用语不规范、未报工号、多次打断客户、未提出合理方案。', 'reviewer');
  c = await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'people_standards', service_stage: 'sales' }, 'handler.telecom');
  assert.equal(c.validity, 'valid');
  const second = [
    { type: 'refund', amount_cents: 500, description: '立即取消彩铃业务,退还已扣彩铃费5元' },
    { type: 'apology', description: '就未经同意开通及接线服务不当向客户道歉' },
  ];
  c = await st.propose(second, 'handler.telecom');
  assert.equal(c.proposal_no, 2, 'the second proposal');
  assert.equal(c.solutions.length, 2, 'the case shows the current proposal only');
  await st.approveRefused('handler.telecom', 'dept_manager');
  await st.act('approve', undefined, 'gm', { status: 'approved' });
  c = await st.patch({ loss: { refund_cents: 500, attributed_to: 'ours' } }, 'handler.telecom');
  checkLoss(c, { refund: 500 });

  await st.penalty({ person: '外呼营销坐席(女)', kind: 'notice', reason: '客户仅表示考虑,未明确同意即开通彩铃业务' }, 'handler.telecom', 'sup.south', 'sup.south');
  await st.improvement('training', '接线服务规范培训:报工号、倾听不打断、提出合理解决方案', 'handler.telecom', 'handler.telecom');
  await st.improvement('process', '外呼营销开通业务须有客户明确同意的录音,投诉时先调取录音核实', 'handler.telecom', 'handler.telecom', 45);
  c = await st.finish({
    resolver: 'agent.gztel',
    followUp: { user: 'agent.gztel', body: { satisfaction: 4, method: 'phone', comment: '确认彩铃已取消、5元已退回' } },
    closer: 'agent.gztel',
    summary: '取消未经同意开通的彩铃业务,退还已扣费用5元并致歉;外呼坐席通报处理。',
    lessons: '未经客户明确同意不得开通业务;接线时要倾听、核实录音并提出合理方案,不可推脱。',
  });
  assert.equal(c.reopen_count, 0, 'a refused solution is not a reopening');
  const { leaks: leaked } = await st.writeup({
    title: '彩铃业务未经同意开通',
    scenario: '黄志明来电(13800138003)称未同意即被开通彩铃并扣费,客服坚持业务已捆绑不能取消。',
    analysis: '服务用语不规范,没有报工号;没有遵守倾听原则;没有提出合理的解决方案。',
    correct_practice: '尊重客户、倾听不满、核实录音,未经同意开通的业务立即取消并退费。',
    solution: '取消业务、退费5元、道歉;外呼坐席通报,接线人员培训。',
  }, 'agent.gztel');
  await st.checkHistory();
  assert.deepEqual(leaked, []);
});

// =================================================================================================
// 000 案例分析3 北京某店西装腋下撕裂: sweat stains under the arms — the suit was worn for heavy
// activity without a shirt; the lining meets the 2.5–3 cm standard and the fabric was tested. The
// complaint is not valid (the customer's use); the customer is told so politely, and offered a new
// lining (lining at the customer's cost, the work at the company's).
// =================================================================================================
test('000 案例分析3 西装腋下撕裂: not valid (customer_use), answered politely with the lining offer', async () => {
  const st = new Story('suit');
  await st.checkLoaded();
  await st.act('accept', undefined, 'agent.bjds', { status: 'accepted' });
  // the case belongs to the retail goods department (its dept in the demo data), not to QA (the rule)
  let c = await st.act('assign', { dept: units.RETAIL.id, handler: 'handler.retail' }, 'agent.bjds', { status: 'investigating' });
  assert.equal(c.dept, units.RETAIL.id);
  await st.patch({ root_cause: 'customer', responsibility: 'customer', service_stage: 'sales' }, 'handler.retail');
  // a reason that is not one of the invalid reasons is refused
  const bad = await st.refused('POST', `/api/v1/cases/${st.no}/actions/reject`, { reason: 'bad_luck', answer: '…' }, 'handler.retail', 422);
  assert.ok('reason' in bad.details);
  const answer = '按国际标准西服里衬伸缩缝为2.5-3cm,本款在2.5cm之上,符合标准;面料经质监局检测,如不放心可送检,若有问题由我方承担检测费。'
    + '腋下撕裂与穿着方式有关。可将西装退回公司为您更换内衬,内衬费用由您承担,加工费由公司承担。';
  c = await st.act('reject', { reason: 'customer_use', answer }, 'handler.retail', { status: 'rejected' });
  checkRejected(c, 'customer_use', answer);
  c = await st.get('agent.bjds');
  assert.deepEqual(c.allowed_actions, ['reopen'], 'a rejected case can only be reopened by the front office');
  // g3 and rejected: seed 000 teaches with this very case, so the library takes it too
  assert.equal(c.grade, 'g3');
  const w = await api('POST', `/api/v1/cases/${st.no}/writeup`, 'reviewer', {});
  assert.equal(w.status, 201, w.text);
  assert.ok(!w.json.writeup.scenario.includes(c.complainant.name), 'anonymised');
  st.log.push(['reviewer', 'writeup']);
  await st.checkHistory();
});

// =================================================================================================
// 000 案例分析4 花王洗发水过敏: a customer with allergic skin (injury flag: g4, the crisis group at
// once). The crisis group was formed that night, flew to the customer, apologised, and promised
// lifetime free products; the cause was the customer's special constitution — not a product fault —
// and it led to a new anti-allergy product. Handled generously although not valid.
// =================================================================================================
test('000 案例分析4 洗发水过敏: g4 crisis, cause allergy_constitution, apology + lifetime products, new product line', async () => {
  const st = new Story('shampoo');
  const c0 = await st.checkLoaded();
  assert.equal(c0.grade, 'g4');
  assert.ok(c0.grade_reasons.some((g) => g.rule === 'injury' && g.grade === 'g4'), 'personal injury is g4');
  assert.ok(c0.grade_reasons.some((g) => g.rule === 'external_channel'), 'the group hotline is an external channel');

  await st.act('accept', undefined, 'agent.gzds', { status: 'accepted' });
  let c = await st.act('assign', { handler: 'handler.qa' }, 'mgr.qa', { status: 'investigating' });
  assert.equal(c.dept, units.QA.id, 'product quality routes to the quality management department');
  c = await st.patch({ validity: 'invalid', invalid_reason: 'allergy_constitution', root_cause: 'customer', responsibility: 'customer_ours' }, 'handler.qa');
  assert.equal(c.invalid_reason, 'allergy_constitution');
  const solutions = [
    { type: 'apology', description: '当晚成立危机公关小组,连夜乘飞机登门拜访、道歉' },
    { type: 'gift', amount_cents: 30000, description: '承诺终身免费使用本品牌产品(首批产品,示例金额300元)' },
  ];
  await st.propose(solutions, 'handler.qa');
  await st.approveRefused('handler.qa', 'dept_manager'); // ¥300: a handler's amount, but g4
  await st.act('approve', undefined, 'mgr.qa', { status: 'approved' });
  c = await st.patch({ loss: { gift_cents: 30000, attributed_to: 'customer_ours' } }, 'handler.qa');
  checkLoss(c, { gift: 30000 });
  await st.settle('终身免费使用', true, 'mgr.qa');
  await st.improvement('other', '立项开发针对特殊过敏肤质人群的防过敏洗发产品', 'mgr.qa', 'handler.qa', 90);
  c = await st.finish({
    resolver: 'handler.qa',
    followUp: { user: 'agent.hotline', body: { satisfaction: 5, method: 'phone', comment: '客户感谢公司连夜登门,愿意继续使用本品牌' } },
    closer: 'agent.hotline',
    summary: '当晚成立危机公关小组,连夜登门道歉,承诺终身免费使用本品牌产品;原因为客户特殊过敏肤质。',
    lessons: '投诉不过夜;挑剔的客户是推动产品改进的力量,由此发现特殊肤质人群的新需求。',
  });
  assert.equal(c.validity, 'invalid');
  const { leaks: leaked } = await st.writeup({
    title: '洗发水过敏投诉',
    scenario: '林晓雯女士(13800138005)晚间来电:使用洗发水后头皮发痒并出现红色小颗粒。',
    analysis: '本品以往从未出现此类问题;原因为客户属特殊过敏肤质。',
    correct_practice: '不把投诉留到第二天;危机公关小组当晚处理,登门道歉。',
    solution: '承诺终身免费使用本品牌产品;立项开发防过敏产品。',
  }, 'agent.gzds');
  await st.checkHistory();
  assert.deepEqual(leaked, []);
});

// =================================================================================================
// 000 案例分析5 中行开封分行理财贵宾卡: the branch was right — the card needs ¥200,000 of monthly
// average assets. The "complaint" (in quotes in the seed) was a request for help; the deputy
// manager called, explained the next morning, and the customer qualified the same afternoon.
// =================================================================================================
test('000 案例分析5 理财贵宾卡: a request, not a valid complaint — explained (misunderstanding)', async () => {
  const st = new Story('bank');
  const c0 = await st.checkLoaded();
  assert.equal(c0.nature, 'request');
  await st.act('accept', undefined, 'agent.kfbank', { status: 'accepted' });
  let c = await st.act('assign', { dept: units.BANKING.id, handler: 'handler.banking' }, 'agent.kfbank', { status: 'investigating' });
  assert.equal(c.handler, 'handler.banking');
  await st.contact({ at: '2026-02-25T14:00:00+08:00', method: 'visit', direction: 'inbound', summary: '客户下午将他行存款转入本行,以20万元购买理财产品,当天拿到理财贵宾卡' }, 'handler.banking');
  const answer = '理财贵宾卡办理起点为个人月均金融资产20万元(存款、基金、保险、理财产品、国债等),网点解释无误;已当面耐心说明办理条件。';
  c = await st.act('reject', { reason: 'misunderstanding', nature: 'request', answer }, 'handler.banking', { status: 'rejected' });
  checkRejected(c, 'misunderstanding', answer);
  assert.equal(c.nature, 'request');
  const w = await api('POST', `/api/v1/cases/${st.no}/writeup`, 'reviewer', {});
  assert.equal(w.status, 201, w.text); // rejected g3 cases are written up too
  st.log.push(['reviewer', 'writeup']);
  await st.checkHistory();
});

// =================================================================================================
// 上海大众汇编1 空调异响/鼓风机报错零件价格: the first check missed the fault, the quality check let it
// through, the advisor quoted the wrong part price (¥200 → over ¥1,000). Apology, the real price
// list, a technical explanation, a discount on the repair, an internal notice; training.
// =================================================================================================
test('上海大众汇编1 鼓风机报价反复: apology, explanation, discount; notice for the advisor; three improvements', async () => {
  const st = new Story('aircon');
  await st.checkLoaded();
  await st.act('accept', undefined, 'agent.shpd', { status: 'accepted' });
  let c = await st.act('assign', { handler: 'handler.aftersales' }, 'agent.shpd', { status: 'investigating' });
  assert.equal(c.dept, units.AFTERSALES.id, 'repair quality routes to after-sales');
  await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'people_skill', service_stage: 'repair', psychology: ['balance'] }, 'handler.aftersales');
  const solutions = [
    { type: 'apology', description: '服务经理与客户沟通致歉' },
    { type: 'explanation', description: '提供零件实际价格收费标准,就鼓风机损坏与保养检查的关系作技术解释' },
    { type: 'discount', amount_cents: 30000, description: '本次鼓风机更换维修收费适当优惠(示例金额300元)' },
  ];
  await st.propose(solutions, 'handler.aftersales');
  await st.approveRefused('handler.aftersales', 'dept_manager');
  await st.approveRefused('sup.east', 'dept_manager'); // ¥300 is within a supervisor's ¥5,000, but g3
  await st.act('approve', undefined, 'mgr.aftersales', { status: 'approved' });
  c = await st.patch({ loss: { discount_cents: 30000, attributed_to: 'ours' } }, 'handler.aftersales');
  checkLoss(c, { discount: 30000 });
  await st.settle('给予适当优惠', true, 'handler.aftersales');
  await st.penalty({ person: '服务顾问', kind: 'notice', reason: '报错零件价格导致报价反复,客户抱怨升级为投诉' }, 'handler.aftersales', 'mgr.aftersales', 'sup.east');
  await st.improvement('training', '加强维修机工业务能力培训', 'mgr.aftersales', 'handler.aftersales');
  await st.improvement('process', '加强维修工作质量检验把关规范(交车前质检)', 'mgr.aftersales', 'handler.aftersales');
  await st.improvement('training', '服务接待人员业务知识培训和服务责任心教育', 'mgr.aftersales', 'handler.aftersales');
  c = await st.finish({
    resolver: 'agent.shpd',
    followUp: { user: 'agent.shpd', body: { satisfaction: 4, method: 'phone', comment: '空调已无异响,客户接受优惠' } },
    closer: 'agent.shpd',
    summary: '致歉,提供实际价格标准并作技术解释,鼓风机更换收费给予优惠;内部通告服务顾问。',
    lessons: '检修要彻底、交车前质检到位、报价准确,避免抱怨升级。',
  });
  assert.equal(c.improvements.length, 3);
  assert.equal(c.penalties[0].status, 'executed');
  const { leaks: leaked } = await st.writeup({
    title: '空调异响/鼓风机报错零件价格',
    scenario: '吴振华(13800138007)的车辆沪A·K3M27保养检修后空调仍异响,鼓风机报价由约200元改为1000多元。',
    analysis: '检查判断不彻底;交车前质检不到位;报错零件价格。',
    correct_practice: '彻底排除故障隐患,质检把关,准确报价。',
    solution: '致歉、价格标准、技术解释、收费优惠;培训与质检规范。',
  }, 'agent.shpd');
  await st.checkHistory();
  assert.deepEqual(leaked, []);
});

// =================================================================================================
// 上海大众汇编2 检测活动手电筒礼品: the station said on the phone there were flashlights left, then
// had none; the receptionist only argued. The customer wants respect: apologies from the manager and
// the receptionist, a remedy (a flashlight), the internal handling told.
// =================================================================================================
test('上海大众汇编2 手电筒礼品: apologies and the promised flashlight; notice; training and booking process', async () => {
  const st = new Story('flashlight');
  await st.checkLoaded();
  await st.act('accept', undefined, 'agent.shmh', { status: 'accepted' });
  // the demo data gives after-sales (the station's service); the category's rule would say CR
  let c = await st.act('assign', { dept: units.AFTERSALES.id, handler: 'handler.aftersales' }, 'agent.shmh', { status: 'investigating' });
  assert.equal(c.dept, units.AFTERSALES.id);
  await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'people_attitude', service_stage: 'booking', psychology: ['respect'] }, 'handler.aftersales');
  const solutions = [
    { type: 'apology', description: '服务经理电话致歉,当事接待人员当面致歉' },
    { type: 'gift', amount_cents: 5000, description: '调配上海大众手电筒礼品送至客户(示例金额50元)' },
    { type: 'explanation', description: '告知内部处理方式,诚恳表达接受监督的意愿' },
  ];
  await st.propose(solutions, 'handler.aftersales');
  await st.approveRefused('sup.east', 'dept_manager');
  await st.act('approve', undefined, 'mgr.aftersales', { status: 'approved' });
  c = await st.patch({ loss: { gift_cents: 5000, attributed_to: 'ours' } }, 'handler.aftersales');
  checkLoss(c, { gift: 5000 });
  await st.settle('调配手电筒礼品送至客户', true, 'agent.shmh');
  await st.penalty({ person: '闵行4S店业务接待', kind: 'notice', reason: '未积极弥补过失,一味辩解,加剧客户抱怨' }, 'handler.aftersales', 'mgr.aftersales', 'sup.east');
  await st.improvement('training', '员工服务理念与沟通技巧培训', 'mgr.aftersales', 'handler.aftersales');
  await st.improvement('process', '完善预约登记管理流程:登记预约客户信息并保留礼品,明示礼品发放数量', 'mgr.aftersales', 'handler.aftersales');
  await st.finish({
    resolver: 'agent.shmh',
    followUp: { user: 'agent.hotline', body: { satisfaction: 4, method: 'phone', comment: '客户已收到手电筒,接受道歉' } },
    closer: 'agent.hotline',
    summary: '服务经理与当事接待人员分别致歉,送达手电筒礼品,告知内部处理结果。',
    lessons: '答复客户的礼品要登记并保留;出现过失时积极补救,不辩解。',
  });
  const { leaks: leaked } = await st.writeup({
    title: '检测活动手电筒礼品',
    scenario: '郑丽娟(13800138008)电话确认有手电筒礼品后驾车(沪B·7Q2K5)到店,检测完被告知已发完。',
    analysis: '预约管理问题;服务态度问题。客户主要是潜在的受尊重需求。',
    correct_practice: '登记预约客户信息并保留礼品;明示礼品发放数量;做好沟通补救。',
    solution: '致歉、送达礼品、告知内部处理;培训与预约流程。',
  }, 'agent.shmh');
  await st.checkHistory();
  assert.deepEqual(leaked, []);
});

// =================================================================================================
// 上海大众汇编3 安全气囊灯报警/连接线接错: the passenger airbag connector was wired wrongly after an
// accident repair (safety system: g2 by itself; the group hotline makes it g3), and the station still
// charged for the call-out. Apology, the fault fixed, the call-out fee waived, the technician
// educated internally; skills and standards training.
// =================================================================================================
test('上海大众汇编3 气囊连接线接错: safety_related, fee waived, technician noticed, training', async () => {
  const st = new Story('airbag');
  const c0 = await st.checkLoaded();
  assert.ok(c0.grade_reasons.some((g) => g.rule === 'safety_related' && g.grade === 'g2'), 'a safety system failure is g2');
  await st.act('accept', undefined, 'agent.bj4s', { status: 'accepted' });
  let c = await st.act('assign', { handler: 'handler.aftersales' }, 'agent.bj4s', { status: 'investigating' });
  assert.equal(c.dept, units.AFTERSALES.id);
  await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'people_skill', service_stage: 'repair', psychology: ['balance'] }, 'handler.aftersales');
  const solutions = [
    { type: 'apology', description: '服务经理上门就维修技术及质量问题致歉' },
    { type: 'repair', amount_cents: 0, description: '更换副气囊发生器连接线,消除故障(已完成)' },
    { type: 'free_service', amount_cents: 30000, description: '减免本次上门抢修费用(示例金额300元)' },
  ];
  await st.propose(solutions, 'handler.aftersales');
  await st.approveRefused('handler.aftersales', 'dept_manager');
  await st.approveRefused('sup.north', 'dept_manager');
  await st.act('approve', undefined, 'mgr.aftersales', { status: 'approved' });
  c = await st.patch({ loss: { other_cents: 30000, attributed_to: 'ours' } }, 'handler.aftersales');
  checkLoss(c, { other: 30000 });
  await st.settle('免除本次上门抢修费用', true, 'handler.aftersales');
  await st.penalty({ person: '北京朝阳4S店维修当事人(更换气囊的维修技师)', kind: 'notice', reason: '非规范维修操作,副气囊发生器连接线接线错误,造成安全系统故障隐患' },
    'handler.aftersales', 'mgr.aftersales', 'sup.north');
  await st.improvement('training', '加强当事人维修技能专业培训', 'mgr.aftersales', 'handler.aftersales');
  await st.improvement('training', '加强员工维修、服务规范培训(安全系统维修须按规范作业)', 'mgr.aftersales', 'handler.aftersales');
  await st.finish({
    resolver: 'agent.bj4s',
    followUp: { user: 'agent.hotline', body: { satisfaction: 4, method: 'phone', comment: '气囊灯未再报警,客户接受免费处理' } },
    closer: 'agent.hotline',
    summary: '上门致歉,更换连接线排除故障,免除抢修费用;当事技师内部教育。',
    lessons: '安全系统必须规范维修;客户反映问题先核实自身原因,不可先收费。',
  });
  const { leaks: leaked } = await st.writeup({
    title: '安全气囊灯报警/连接线接错',
    scenario: '马建军(13800138009)的车辆京N·5N8T1事故后更换主副气囊,使用一段时间后气囊灯报警。',
    analysis: '非规范维修操作造成故障隐患;未核实自身问题即收取抢修费。',
    correct_practice: '规范维修;先核实自身问题再谈费用。',
    solution: '致歉、排除故障、减免费用、当事人教育;技能与规范培训。',
  }, 'agent.bj4s');
  await st.checkHistory();
  assert.deepEqual(leaked, []);
});

// =================================================================================================
// 上海大众汇编4 驾校桑塔纳教练车电瓶质量担保: the battery of a driving-school car was refused warranty
// (wrongly taken for a commercial vehicle) and charged; the station then would refund only against
// the old battery — which the station itself had kept. That condition is sent back; the solution:
// refund the fee, extra compensation (free service, four-wheel alignment, a gift), a visit to
// apologise, and the staff who charged it held accountable (a fine, approved and executed).
// =================================================================================================
test('上海大众汇编4 驾校电瓶: old-battery condition sent back; refund + free services + gift; fine executed', async () => {
  const st = new Story('battery');
  await st.checkLoaded();
  await st.act('accept', undefined, agentOf('ZZ-4S-01'), { status: 'accepted' });
  let c = await st.act('assign', { handler: 'handler.aftersales2' }, 'agent.zz4s', { status: 'investigating' });
  assert.equal(c.dept, units.AFTERSALES.id, 'warranty routes to after-sales');
  assert.equal(c.handler, 'handler.aftersales2');

  // what the station first offered: a refund against the old battery
  await st.propose([{ type: 'refund', amount_cents: 45000, description: '客户将旧电瓶带回后退还电瓶费用(示例金额450元)' }], 'handler.aftersales2');
  c = await st.act('send_back', { reason: '旧电瓶是维修站更换时留下的,客户手中并无旧件,不得以此为条件拒退费用' }, 'mgr.aftersales', { status: 'investigating' });
  assert.equal(c.solutions.length, 1, 'the sent-back proposal stays on record');

  await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'people_skill', service_stage: 'reception' }, 'handler.aftersales2');
  const solutions = [
    { type: 'refund', amount_cents: 45000, description: '退还按营运车辆误收的电瓶更换费用(示例金额450元)' },
    { type: 'free_service', amount_cents: 30000, description: '赠送一次保养及免费四轮定位(示例金额300元)' },
    { type: 'gift', amount_cents: 5000, description: '礼品(示例金额50元)' },
    { type: 'apology', description: '上门道歉沟通' },
  ];
  c = await st.propose(solutions, 'handler.aftersales2');
  assert.equal(c.proposal_no, 2);
  await st.approveRefused('handler.aftersales2', 'dept_manager'); // ¥800: beyond a handler's ¥500, and g3
  await st.approveRefused('sup.central', 'dept_manager'); // within a supervisor's ¥5,000, but g3
  await st.act('approve', undefined, 'mgr.aftersales', { status: 'approved' });
  await st.promise('上门致歉并当面退还电瓶费用', '2026-12-31T18:00:00+08:00', 'handler.aftersales2');
  c = await st.patch({ loss: { refund_cents: 45000, gift_cents: 35000, attributed_to: 'ours' } }, 'handler.aftersales2');
  assert.equal(checkLoss(c, { refund: 45000, gift: 35000 }), 80000, 'gifts and free services are counted');
  await st.settle('上门致歉并当面退还电瓶费用', true, 'agent.zz4s');

  // the staff who charged it: a fine, proposed → approved → executed
  const p0 = await st.penalty({ person: '郑州4S店业务接待(索赔)', kind: 'fine', amount_cents: 20000,
    reason: '不熟悉索赔政策,将教练车按营运车辆拒保并误收电瓶费用;又以无旧件为由拒不退费(示例罚款200元)' }, 'handler.aftersales');
  assert.equal(p0.amount_cents, 20000);
  await st.refused('POST', `/api/v1/cases/${st.no}/penalties/${p0.id}/approve`, undefined, 'handler.aftersales2', 403); // handlers do not decide penalties
  await st.refused('POST', `/api/v1/cases/${st.no}/penalties/${p0.id}/execute`, undefined, 'mgr.aftersales', 409); // not approved yet
  let pending = await api('GET', '/api/v1/penalties/pending', 'mgr.aftersales');
  assert.ok(pending.json.items.some((x) => x.id === p0.id), 'a proposed penalty is in the never-executed list');
  const p1 = await st.penaltyStep(p0, 'approve', 'mgr.aftersales', 'approved');
  pending = await api('GET', '/api/v1/penalties/pending', 'sup.central');
  assert.ok(pending.json.items.some((x) => x.id === p0.id && x.status === 'approved'), 'approved and not executed: still listed');
  await st.penaltyStep(p1, 'execute', 'sup.central', 'executed');
  pending = await api('GET', '/api/v1/penalties/pending', 'admin');
  assert.ok(!pending.json.items.some((x) => x.id === p0.id), 'executed: no longer pending');

  await st.improvement('training', '加强当事人索赔政策专业知识及责任意识培训', 'mgr.aftersales', 'handler.aftersales2');
  await st.improvement('process', '改进投诉处理方式:责任在我方时不得向客户附加退费条件', 'mgr.aftersales', 'handler.aftersales2');
  c = await st.finish({
    resolver: 'agent.zz4s',
    followUp: { user: 'agent.hotline', body: { satisfaction: 4, method: 'phone', comment: '费用已退还,驾校接受补偿' } },
    closer: 'agent.hotline',
    summary: '退还误收电瓶费用,赠送保养、四轮定位及礼品,上门道歉;当事业务接待罚款。',
    lessons: '熟悉质量担保政策;自身原因造成的问题不得让客户承担条件。',
  });
  assert.equal(c.penalties.length, 1);
  assert.equal(c.penalties[0].status, 'executed');
  const { leaks: leaked } = await st.writeup({
    title: '驾校桑塔纳教练车电瓶质量担保',
    scenario: '驾校联系人李国栋(电话13800138010)投诉:教练车豫A·2387学电瓶被按营运车辆拒保并自费更换,要求退费。',
    analysis: '业务人员不熟悉索赔政策而误收费用;以没有旧件为由不退费,导致客户持续投诉。',
    correct_practice: '教练车按非营运车辆享受质量担保;及时退还多收费用。',
    solution: '退费、额外补偿、上门道歉、当事人处罚;培训与投诉处理方式改进。',
  }, 'agent.zz4s');
  await st.checkHistory();
  assert.deepEqual(leaked, [], 'no name, phone or plate (a coach plate ends in 学) in the write-up');
});

// =================================================================================================
// 上海大众汇编5 球笼损坏抛锚救援/质量担保: 乙站 (Taicang) would not send a rescue, so the customer had a
// roadside shop fix it and lost the warranty; 甲站 (Suzhou) advised but never followed up. 乙站
// (mainly responsible) apologises, pays the customer's repair and the original part, its duty person
// is held accountable; 甲站 checks the car for free, waives the labour, apologises.
// =================================================================================================
test('上海大众汇编5 球笼抛锚: two stations share the cost; duty person noticed; 24-hour rescue process', async () => {
  const st = new Story('cvjoint');
  await st.checkLoaded();
  await st.act('accept', undefined, 'agent.suz', { status: 'accepted' });
  let c = await st.act('assign', { handler: 'handler.aftersales2' }, 'agent.suz', { status: 'investigating' });
  assert.equal(c.dept, units.AFTERSALES.id, 'rescue routes to after-sales');
  await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'method', service_stage: 'after_sales' }, 'handler.aftersales2');
  const solutions = [
    { type: 'apology', description: '乙站(太仓)与甲站(苏州)分别与客户沟通致歉' },
    { type: 'compensation', amount_cents: 40000, description: '乙站承担客户自行维修产生的费用(示例金额400元)' },
    { type: 'repair', amount_cents: 80000, description: '乙站承担更换原厂球笼零件的费用(示例金额800元)' },
    { type: 'free_service', amount_cents: 20000, description: '甲站免费检查外部维修情况并免去更换原厂零件的工时费(示例金额200元)' },
  ];
  await st.propose(solutions, 'handler.aftersales2');
  await st.approveRefused('sup.east', 'dept_manager');
  await st.act('approve', undefined, 'mgr.aftersales', { status: 'approved' });
  c = await st.patch({ loss: { compensation_cents: 40000, repair_cents: 80000, other_cents: 20000, attributed_to: 'ours' } }, 'handler.aftersales2');
  checkLoss(c, { compensation: 40000, repair: 80000, other: 20000 });
  await st.settle('3个工作日内给客户答复处理方案', false, 'sup.east'); // the answer took far longer
  await st.penalty({ person: '太仓华信大众特约维修站24小时值班人员', kind: 'notice', reason: '就近客户紧急施救要求未主动解决,导致客户只能自行修理而失去质量担保' },
    'handler.aftersales', 'mgr.aftersales', 'sup.east');
  await st.improvement('process', '强化24小时紧急救援服务规范与流程(就近站必须施救,无法出车须主动说明并联络客服中心协调)', 'mgr.aftersales', 'handler.aftersales2');
  await st.improvement('training', '加强24小时值班人员的客户意识培训', 'mgr.aftersales', 'handler.aftersales2');
  await st.finish({
    resolver: 'agent.suz',
    followUp: { user: 'agent.hotline', body: { satisfaction: 4, method: 'phone', comment: '费用已承担,已换原厂球笼,恢复质量担保' } },
    closer: 'agent.hotline',
    summary: '乙站致歉并承担自行维修及原厂零件费用,甲站免费检查、免工时费并致歉;乙站值班人员通报。',
    lessons: '接到老客户救援需求应主动联系就近站并跟踪到底;就近站必须实施紧急救援。',
  });
  const { leaks: leaked } = await st.writeup({
    title: '球笼损坏抛锚救援/质量担保',
    scenario: '徐卫东(13800138011)驾车苏E·6H9D2外出至太仓球笼损坏抛锚,乙站不出车,客户自行修理后被拒绝质量担保。',
    analysis: '乙站对就近客户施救未主动解决;甲站未跟踪客户问题的解决情况。',
    correct_practice: '甲站主动联系就近站施救;无法解决则联络客服中心统一协调。',
    solution: '两站分别致歉并承担相应费用;救援流程与值班培训。',
  }, 'agent.suz');
  await st.checkHistory();
  assert.deepEqual(leaked, []);
});

// =================================================================================================
// 上海大众汇编6 保养等待2小时: told one hour, waited two. The advisor apologises and explains, the
// labour is partly waived, the best mechanic takes the car at once, the customer becomes a VIP who
// books by phone; receptionist training and the reception–workshop hand-over.
// =================================================================================================
test('上海大众汇编6 保养等待2小时: apology, labour waived, customer made VIP; two improvements', async () => {
  const st = new Story('waiting');
  await st.checkLoaded();
  await st.act('accept', undefined, 'agent.bj4s', { status: 'accepted' });
  let c = await st.act('assign', { dept: units.AFTERSALES.id, handler: 'handler.aftersales' }, 'agent.bj4s', { status: 'investigating' });
  assert.equal(c.dept, units.AFTERSALES.id);
  c = await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'method', service_stage: 'preparation', complainant: { vip: true } }, 'handler.aftersales');
  assert.equal(c.complainant.vip, true, 'the customer is made a VIP (the seed)');
  assert.ok(!c.grade_reasons.some((g) => g.rule === 'vvip'), 'VIP is not VVIP');
  const solutions = [
    { type: 'apology', description: '服务顾问主动致歉并说明原因' },
    { type: 'discount', amount_cents: 10000, description: '适当减免保养工时费(示例金额100元)' },
    { type: 'free_service', amount_cents: 0, description: '立即安排技术优秀的维修机工保养;今后电话预约' },
  ];
  await st.propose(solutions, 'handler.aftersales');
  await st.approveRefused('sup.north', 'dept_manager');
  await st.act('approve', undefined, 'mgr.aftersales', { status: 'approved' });
  c = await st.patch({ loss: { discount_cents: 10000, attributed_to: 'ours' } }, 'handler.aftersales');
  checkLoss(c, { discount: 10000 });
  await st.finish({
    beforeClose: async (cur) => {
      // a g3 case closes only with its lessons and at least one improvement action (DOMAIN §3, §6)
      assert.equal(cur.grade, 'g3');
      const e = await st.refused('POST', `/api/v1/cases/${st.no}/actions/close`, { summary: '已处理' }, 'agent.hotline', 422);
      assert.ok('lessons' in e.details && 'improvements' in e.details, JSON.stringify(e));
      await st.improvement('training', '加强服务接待人员服务责任心教育和培训(正确预估保养时间)', 'mgr.aftersales', 'handler.aftersales');
      const e2 = await st.refused('POST', `/api/v1/cases/${st.no}/actions/close`, { summary: '已处理' }, 'agent.hotline', 422);
      assert.ok('lessons' in e2.details && !('improvements' in e2.details), JSON.stringify(e2));
      await st.improvement('process', '改进服务接待与维修车间的衔接规范,加强前后台信息交流', 'mgr.aftersales', 'handler.aftersales');
    },
    resolver: 'agent.bj4s',
    followUp: { user: 'agent.hotline', body: { satisfaction: 5, method: 'phone', comment: '保养已完成,客户接受VIP电话预约' } },
    closer: 'agent.hotline',
    summary: '服务顾问致歉,减免部分工时费,立即安排优秀机工保养,客户列为VIP。',
    lessons: '正确预估并兑现时间承诺;接待与车间信息要衔接。',
  });
  const { leaks: leaked } = await st.writeup({
    title: '保养等待2小时',
    scenario: '高雅琴(13800138012)驾车京A·8R6F3保养,被告知约1小时,等待2小时仍未安排。',
    analysis: '服务准备环节安排不合理;没有兑现时间承诺。',
    correct_practice: '正确预估时间并事先说明;合理安排,缩短等待。',
    solution: '致歉、减免工时费、立即保养、列为VIP;培训与衔接规范。',
  }, 'agent.bj4s');
  await st.checkHistory();
  assert.deepEqual(leaked, []);
});

// =================================================================================================
// 003 案例一 智能手环充电故障: already on social media (g3). The supervisor offers two options —
// A: a new band sent at once as a spare while the original is repaired, postage both ways paid;
// B: return and refund plus a voucher. The customer chooses A; the factory finds a solder flaw and
// a brand-new main unit replaces it; the customer deletes the negative post.
// =================================================================================================
test('003 案例一 智能手环: options A/B, the customer chooses A; new main unit; negative post deleted', async () => {
  const st = new Story('band');
  const c0 = await st.checkLoaded();
  assert.ok(c0.grade_reasons.some((g) => g.rule === 'media_exposure' && g.grade === 'g3'), 'exposed on social media: g3');
  await st.act('accept', undefined, 'agent.szxdigi', { status: 'accepted' });
  let c = await st.act('assign', { dept: units.RETAIL.id, handler: 'handler.retail' }, 'agent.szxdigi', { status: 'investigating' });
  assert.equal(c.dept, units.RETAIL.id);
  await st.patch({ validity: 'valid', responsibility: 'supplier', root_cause: 'machine', service_stage: 'after_sales', psychology: ['respect', 'recognition'] }, 'sup.south');
  const solutions = [
    { option: 'A', type: 'reship', amount_cents: 0, description: '立即邮寄全新同型号手环作备用,原手环修复或换新后寄回备用机' },
    { option: 'A', type: 'exchange', amount_cents: 89900, description: '原手环返厂检测,修复或更换新机(示例金额899元)' },
    { option: 'A', type: 'free_service', amount_cents: 4000, description: '往返邮费由公司承担(示例金额40元)' },
    { option: 'B', type: 'return', amount_cents: 0, description: '退货' },
    { option: 'B', type: 'refund', amount_cents: 89900, description: '退款(示例金额899元)' },
    { option: 'B', type: 'compensation', amount_cents: 10000, description: '额外提供购物券补偿(示例金额100元)' },
    { type: 'apology', description: '客服主管亲自致电致歉,24小时内给出初步检测结果说明' },
  ];
  await st.propose(solutions, 'sup.south'); // the customer-service supervisor stepped in (the seed)
  const cost = proposalCost(solutions);
  assert.equal(cost, 99900, 'the dearer option counts');
  await st.approveRefused('sup.south', 'dept_manager'); // the seed's supervisor decided; at g3 DOMAIN wants a manager
  await st.act('approve', undefined, 'gm', { status: 'approved' });
  // the customer must say which option: none, or one that is not there, is refused
  let e = await st.refused('POST', `/api/v1/cases/${st.no}/actions/resolve`, { customer_consent: true }, 'sup.south', 422);
  assert.ok('option' in e.details);
  e = await st.refused('POST', `/api/v1/cases/${st.no}/actions/resolve`, { customer_consent: true, option: 'C' }, 'sup.south', 422);
  assert.ok('option' in e.details);
  await st.note('返厂加急检测:某元件焊接点存在微小瑕疵,属个案;为客户更换全新主机(非翻新机)。', 'handler.retail');
  c = await st.patch({ loss: { goods_cents: 89900, freight_cents: 4000, attributed_to: 'supplier' } }, 'handler.retail');
  checkLoss(c, { goods: 89900, freight: 4000 });
  await st.settle('更换全新主机', true, 'handler.retail');
  await st.improvement('process', '门店与客服中心信息同步与处理流程衔接', 'sup.south', 'handler.retail');
  await st.improvement('other', '新品上市初期问题预判与应急预案', 'sup.south', 'handler.retail');
  await st.improvement('rule', '研究扩大一线客服处理权限与资源', 'sup.south', 'handler.retail', 60);
  c = await st.finish({
    resolver: 'sup.south',
    option: 'A',
    followUp: { user: 'agent.szxdigi', body: { satisfaction: 5, method: 'phone', comment: '新设备使用正常;客户主动删除社交媒体负面帖子并肯定处理效率' } },
    closer: 'agent.szxdigi',
    summary: '客户选择方案A:当天寄出备用手环,返厂检测为焊接点微小瑕疵(个案),更换全新主机并取回备用机。',
    lessons: '情绪优先、快速响应与升级;主动担责与透明;个性化方案。',
  });
  assert.equal(c.chosen_option, 'A');
  const { leaks: leaked } = await st.writeup({
    title: '智能设备故障引发的信任危机',
    scenario: '何嘉欣(13800138013,hejiaxin@example.com)购买的新款智能手环一周后充电故障,门店告知返厂约两周,客户在社交媒体发声。',
    analysis: '批次性软件或硬件小概率问题的可能;返厂周期过长。',
    correct_practice: '安抚情绪,快速升级,提供个性化方案。',
    solution: '方案A/B供选择,客户选A;更换全新主机;门店与客服中心信息同步。',
  }, 'agent.szxdigi');
  await st.checkHistory();
  assert.deepEqual(leaked, []);
});

// =================================================================================================
// 003 案例二 被遗忘的办公用品订单: the order sat as "abnormal" after a system upgrade; the online
// service answered "已催促仓库" twice without following up. The customer had already chased it on
// the 10th and 11th. The seed breaks off there; the demo data's promise says: shipped that night, a
// special car to the meeting by noon. Improvements: stock data after upgrades, real follow-through.
// =================================================================================================
test('003 案例二 办公用品订单: earlier chases recorded, expedited delivery by special car, process fixes', async () => {
  const st = new Story('office');
  await st.checkLoaded();
  await st.act('accept', undefined, 'agent.shoffice', { status: 'accepted' });
  // the customer's earlier chases through the online service (the seed): recorded on this case
  await st.contact({ at: '2026-11-10T10:00:00+08:00', method: 'portal', direction: 'inbound', summary: '客户在线催单,在线客服答复“已催促仓库,请耐心等待”' }, 'agent.shoffice');
  await st.contact({ at: '2026-11-11T15:00:00+08:00', method: 'portal', direction: 'inbound', summary: '客户再次在线催单,仍答复“已催促仓库”,无实际结果' }, 'agent.shoffice');
  extraFindings.officeGradeAfterChases = (await st.get()).grade_reasons;
  let c = await st.act('assign', { dept: units.ORDER.id, handler: 'handler.order' }, 'agent.shoffice', { status: 'investigating' });
  assert.equal(c.dept, units.ORDER.id);
  await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'method', service_stage: 'logistics' }, 'handler.order');
  const solutions = [
    { type: 'apology', description: '对订单延误影响会议准备深表歉意' },
    { type: 'explanation', description: '说明延误原因:系统升级后特殊规格商品库存信息未更新,订单卡在审核环节' },
    { type: 'free_service', amount_cents: 30000, description: '当晚加急出库,专车次日中午前送达会议地点(示例金额300元)' },
  ];
  await st.propose(solutions, 'handler.order');
  c = await st.get();
  const role = requiredRole(proposalCost(solutions), c.grade);
  // an agent never approves; whoever the authority falls to does
  const e = await st.refused('POST', `/api/v1/cases/${st.no}/actions/approve`, undefined, 'agent.shoffice', 403);
  assert.equal(e.details?.required_role, undefined, 'refused for the role, not for a limit');
  const approver = { handler: 'handler.order', supervisor: 'sup.east', dept_manager: 'gm', general_manager: 'gm' }[role];
  if (role !== 'handler') await st.approveRefused('handler.order', role);
  await st.act('approve', undefined, approver, { status: 'approved' });
  c = await st.patch({ loss: { freight_cents: 30000, attributed_to: 'ours' } }, 'handler.order');
  checkLoss(c, { freight: 30000 });
  await st.settle('专车于次日中午前送达', true, 'handler.order');
  await st.improvement('process', '系统升级后核对库存信息;异常订单自动预警并限时处理', 'handler.order', 'handler.order');
  await st.improvement('training', '在线客服“已催促”须有实际跟进和回复,不得空口答复', 'agent.shoffice', 'handler.order');
  c = await st.finish({
    resolver: 'agent.shoffice',
    followUp: { user: 'agent.shoffice', body: { satisfaction: 4, method: 'phone', comment: '货物已在会议前送达' } },
    closer: 'agent.shoffice',
    summary: '订单当晚加急出库,专车于会议前送达并致歉;查明系统升级致订单卡在审核环节。',
    lessons: '流程衔接要有人跟进到底;“已催促”不能代替处理。',
  });
  if (gradeLevel(c.grade) >= 2) {
    const { leaks: leaked } = await st.writeup({ scenario: '冯思远(13800138014)订购的会议用办公用品第四天仍未发出。' }, 'agent.shoffice');
    assert.deepEqual(leaked, []);
  } else {
    const w = await st.refused('POST', `/api/v1/cases/${st.no}/writeup`, {}, 'reviewer', 409);
    assert.match(w.message, /g2/);
  }
  await st.checkHistory();
});

// =================================================================================================
// 002 酒店案例一 转错电话,夫妻不和你们赔吗?: the night operator put a call for the former guest
// through to room 3115 without checking the name. Method two: a deep apology, explain to Mrs Liu
// with his consent, a certificate that he left at 21:00, thanks for telling us; the transfer
// procedure must check the guest's name.
// =================================================================================================
test('002 酒店案例一 转错电话: apology and explanation to Mrs Liu, certificate; transfer procedure fixed', async () => {
  const st = new Story('hotelcall');
  await st.checkLoaded();
  await st.act('accept', undefined, 'agent.shhotel', { status: 'accepted' });
  let c = await st.act('assign', { dept: units.HOSPITALITY.id, handler: 'handler.hotel' }, 'agent.shhotel', { status: 'investigating' });
  assert.equal(c.dept, units.HOSPITALITY.id);
  await st.patch({ validity: 'valid', responsibility: 'ours', root_cause: 'people_standards', psychology: ['respect', 'vent'] }, 'handler.hotel');
  const solutions = [
    { type: 'apology', description: '向刘先生深表歉意,酒店对无意中影响其夫妻感情负责' },
    { type: 'explanation', description: '征得同意后向刘太太解释来龙去脉,出具刘先生当晚21:00已退房离店的证明' },
  ];
  await st.propose(solutions, 'handler.hotel');
  await st.approveRefused('handler.hotel', 'dept_manager');
  await st.act('approve', undefined, 'mgr.hospitality', { status: 'approved' });
  await st.contact({ method: 'phone', direction: 'outbound', summary: '征得刘先生同意后致电刘太太说明经过,并寄出退房证明' }, 'agent.shhotel');
  await st.settle('出具刘先生10月16日21:00已退房离店的证明', true, 'agent.shhotel');
  await st.improvement('process', '总机转接操作规范:转接前核对住客姓名,已退房房间来电先确认', 'mgr.hospitality', 'handler.hotel');
  c = await st.get();
  checkLoss(c, {});
  await st.finish({
    resolver: 'agent.shhotel',
    followUp: { user: 'agent.shhotel', body: { satisfaction: 4, method: 'phone', comment: '误会已解除,刘先生感谢酒店的处理' } },
    closer: 'agent.shhotel',
    summary: '向刘志远先生(13800138015)致歉,征得同意后向刘太太解释并出具退房证明;感谢其及时告知。',
    lessons: '操作规范不能忽略关键细节;重视每一起投诉,将坏事变为好事。',
  });
  // written up from the case itself (no sections given): the draft must be anonymised too —
  // the title says 刘先生, the summary his full name and phone
  const r = await api('POST', `/api/v1/cases/${st.no}/writeup`, 'reviewer', {});
  assert.equal(r.status, 201, r.text);
  const w = r.json.writeup;
  st.log.push(['reviewer', 'writeup']);
  assert.ok(w.scenario.length > 0 && w.solution.length > 0, 'the draft is filled from the case');
  const text = [w.title, w.scenario, w.analysis, w.correct_practice, w.solution].join('\n');
  // the customer's name in every form the case uses: full name, phone, 刘先生, his wife 刘太太; the other guest 孙小姐
  const leaked = ['刘志远', '13800138015', '刘先生', '刘太太', '孙小姐'].filter((x) => text.includes(x));
  const hidden = await api('GET', `/api/v1/library/${w.id}`, 'agent.shhotel');
  assert.equal(hidden.status, 404, 'a draft is not shown to agents');
  const p = await api('POST', `/api/v1/library/${w.id}/publish`, 'reviewer');
  assert.equal(p.status, 200, p.text);
  st.log.push(['reviewer', 'writeup_published']);
  await st.checkHistory();
  assert.deepEqual(leaked, [], `the draft written from the case shows the customer: ${text}`);
});

// =================================================================================================
// 002 酒店案例二 为什么不可以签单: the credit group refused the sign-off because the amount and the
// signer did not match the records (the rule protects the account); the meal was paid and refunded
// two days later. Explained jointly, apologised, 12 % off this meal (8.8折); finance proposes
// temporary cards for the account's signers. The guest left satisfied.
// =================================================================================================
test('002 酒店案例二 签单被拒: joint explanation, apology, 8.8折 on the meal; signer cards', async () => {
  const st = new Story('signoff');
  await st.checkLoaded();
  await st.act('accept', undefined, 'agent.shhotel', { status: 'accepted' });
  let c = await st.act('assign', { handler: 'handler.finance' }, 'agent.shhotel', { status: 'investigating' });
  assert.equal(c.dept, units.FINANCE.id, 'billing routes to finance (credit settlement)');
  await st.patch({ validity: 'partly_valid', responsibility: 'ours', root_cause: 'method', service_stage: 'delivery' }, 'handler.finance');
  const bill = 250000; // 示例金额: the seed gives no bill; ¥2,500
  const discount = Math.round(bill * 0.12); // 8.8折 = 12 % off
  const solutions = [
    { type: 'apology', description: '餐务中心与信用结算组共同向客人致歉' },
    { type: 'explanation', description: '说明所报内存金额与签单人姓名与原始记录不符,为维护内存安全执行的制度' },
    { type: 'discount', amount_cents: discount, description: '给予该单位本次用餐8.8折优惠' },
  ];
  await st.propose(solutions, 'handler.finance');
  c = await st.get();
  const role = requiredRole(discount, c.grade);
  const e = await st.refused('POST', `/api/v1/cases/${st.no}/actions/approve`, undefined, 'agent.shhotel', 403);
  assert.equal(e.details?.required_role, undefined);
  const adm = await st.refused('POST', `/api/v1/cases/${st.no}/actions/approve`, undefined, 'admin', 403);
  assert.equal(adm.details?.required_role, undefined, 'administrators do not approve money');
  const approver = { handler: 'handler.finance', supervisor: 'sup.east', dept_manager: 'gm', general_manager: 'gm' }[role];
  if (role !== 'handler') await st.approveRefused('handler.finance', role);
  await st.act('approve', undefined, approver, { status: 'approved' });
  c = await st.patch({ loss: { discount_cents: discount, attributed_to: 'ours' } }, 'handler.finance');
  checkLoss(c, { discount: 30000 });
  await st.settle('8.8折优惠', true, 'handler.finance');
  await st.improvement('process', '向各内存单位签单人发放临时卡片,出示卡片签单同样有效', 'handler.finance', 'handler.finance');
  await st.improvement('process', '加强餐务中心与信用结算组的协调与合作', 'mgr.hospitality', 'handler.finance');
  c = await st.finish({
    resolver: 'agent.shhotel',
    followUp: { user: 'agent.shhotel', body: { satisfaction: 5, method: 'phone', comment: '宾客满意而归' } },
    closer: 'agent.shhotel',
    summary: '共同解释缘由并致歉,本次用餐8.8折优惠;财务部推出签单临时卡片。',
    lessons: '制度执行与服务补救并重;部门间加强协调。',
  });
  if (gradeLevel(c.grade) >= 2) {
    const { leaks: leaked } = await st.writeup({ scenario: '钱伟(13800138016)所在单位签单被拒后要求折扣。' }, 'agent.shhotel');
    assert.deepEqual(leaked, []);
  } else {
    const w = await st.refused('POST', `/api/v1/cases/${st.no}/writeup`, {}, 'reviewer', 409);
    assert.match(w.message, /g2/);
  }
  await st.checkHistory();
});

test('the whole demo set replayed: every case finished as its seed tells', async () => {
  const r = await api('GET', '/api/v1/cases?per_page=100', 'auditor');
  assert.equal(r.status, 200, r.text);
  const byNo = Object.fromEntries(r.json.items.map((c) => [c.case_no, c]));
  const want = { suit: 'rejected', bank: 'rejected' };
  for (const [key, { no }] of Object.entries(CASE)) assert.equal(byNo[no].status, want[key] ?? 'closed', `${key} (${no})`);
  // the library holds the published write-ups, searchable by their words (DOMAIN §10)
  const lib = await api('GET', `/api/v1/library?q=${encodeURIComponent('电瓶')}`, 'agent.hotline');
  assert.equal(lib.status, 200, lib.text);
  assert.ok(lib.json.items.some((w) => w.case_no === CASE.battery.no && w.status === 'published'), 'found by 电瓶');
  const all = await api('GET', '/api/v1/library?per_page=100', 'agent.hotline');
  assert.ok(all.json.items.length >= 11, `the g2+ closed cases are in the library: ${all.json.items.length}`);
  for (const w of all.json.items) assert.equal(w.status, 'published', 'an agent sees published write-ups only');
});

// =================================================================================================
// Where the server departs from DOMAIN.md (these fail until it is fixed; see the messages).
// =================================================================================================

test('DOMAIN §4 g2: a customer who raised it ≥ 2 times without a result (003 案例二) is graded g2', async () => {
  // The office-order customer chased the order on the 10th and 11th (recorded above as inbound
  // contacts on the case) and called again on the 12th: three times without a result. DOMAIN §4
  // lists "the customer raised it ≥ 2 times without a result" as a g2 trigger; the server's rule
  // (repeat_complainant_2_90d) counts separate cases by phone only, so one case with repeated
  // contacts stays g1.
  const reasons = extraFindings.officeGradeAfterChases;
  assert.ok(reasons, 'the office-order story ran');
  const c = await (new Story('office')).get();
  const raised = c.grade_reasons.filter((g) => g.rule !== 'open_over_30_days' && gradeLevel(g.grade) >= 2);
  assert.ok(gradeLevel(c.grade) >= 2 && raised.length > 0,
    `POST /cases/${c.case_no}/contacts ×2 (inbound, the customer chasing) → expected grade ≥ g2 with a reason; got ${c.grade} ${JSON.stringify(c.grade_reasons.map((g) => g.rule))}`);
});

test('DOMAIN §6 loss accounting: a case does not close with its approved solution\'s cost left out of the losses', async () => {
  // 002's audit: losses under-reported because returns and freight were left out — "the system must
  // make that impossible". Replayed on a new complaint of the 000 freight story: the re-shipment of
  // ¥81,000 is approved and carried out, nobody books it, and the case closes.
  const reg = await api('POST', '/api/v1/cases', 'agent.shlog', {
    channel: 'phone', category: 'delivery', title: '储运货物毁损(损失未入账复核)',
    complainant: { name: '复核客户', phone: '13911112222' },
    description: '运送来的货物包装破损,部分商品毁损,要求补发。',
    demands: ['compensation'],
  });
  assert.equal(reg.status, 201, reg.text);
  const no = reg.json.case.case_no;
  const step = async (action, body, user) => {
    const r = await api('POST', `/api/v1/cases/${no}/actions/${action}`, user, body);
    assert.equal(r.status, 200, `${action}: ${r.text}`);
    return r.json.case;
  };
  await step('accept', undefined, 'agent.shlog');
  await step('assign', { handler: 'handler.logistics' }, 'agent.shlog');
  const solutions = [{ type: 'reship', amount_cents: 8100000, description: '补发毁损货物8.1万元' }];
  await step('propose', { solutions }, 'handler.logistics');
  await step('approve', undefined, 'gm');
  await step('resolve', { customer_consent: true }, 'agent.shlog');
  await step('follow_up', { satisfaction: 4, method: 'phone' }, 'agent.shlog');
  const im = await api('POST', `/api/v1/cases/${no}/improvements`, 'handler.logistics', { kind: 'process', description: '包装标准', owner: 'mgr.logistics', due_on: shanghaiDate(30) });
  assert.equal(im.status, 201, im.text);
  const r = await api('POST', `/api/v1/cases/${no}/actions/close`, 'agent.shlog', { summary: '已补发', lessons: '包装' });
  const closed = r.status === 200 ? r.json.case : null;
  assert.ok(r.status !== 200 || closed.loss.total_cents >= 8100000,
    `POST /cases/${no}/actions/close after an approved reship of 8100000 cents with no loss booked → expected a refusal (422) or the reship counted in loss; got ${r.status} with loss.total_cents=${closed?.loss.total_cents}`);
});

test('DOMAIN §10 anonymised: a phone written with spaces does not survive into a write-up', async () => {
  // Chinese mobile numbers are commonly written 138 0013 8013; the write-up must not carry them.
  const id = (await api('GET', `/api/v1/library?q=${encodeURIComponent('智能')}`, 'reviewer')).json.items.find((w) => w.case_no === CASE.band.no)?.id;
  assert.ok(id, 'the band write-up exists');
  const scenario = '客户(手机 138 0013 8013,亦作 +86 138-0013-8013)购买的智能手环充电故障。';
  const r = await api('PATCH', `/api/v1/library/${id}`, 'reviewer', { scenario });
  assert.equal(r.status, 200, r.text);
  const got = r.json.writeup.scenario;
  assert.ok(!/138\D{0,3}0013\D{0,3}8013/.test(got), `PATCH /library/${id} {scenario: "${scenario}"} → expected no phone; got "${got}"`);
});

test('DOMAIN §5 clocks: the battery case, open since 2025-10-27 (g3: resolve within 15 working days), shows its breached clock',
  async () => {
    const r = await api('GET', `/api/v1/cases/${CASE.battery.no}/history`, 'auditor');
    assert.equal(r.status, 200);
    const c = await (new Story('battery')).get();
    assert.ok(c.clocks.some((k) => k.state === 'breached'),
      `GET /cases/${c.case_no} → expected a clock in state "breached" (received ${c.received_at}, closed ${c.closed_at}); got clocks=${JSON.stringify(c.clocks)}`);
  });
