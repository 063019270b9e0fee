// Full-text search (issue 7): GET /cases?q=, GET /search, POST /intake/related,
// GET /cases/{no}/related, GET /groups, GET /library?q=, and `tousu search` — against a real
// server, with cases registered here whose Chinese texts say exactly what each query must find.
// The demo's own cases are left alone: every expectation for the administrator is "what the
// query found before the fixtures were registered, plus exactly these fixtures".
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  BIN, Server, startServer, tmpDir, prepareDb, assertError, assert422, unitsByCode, listAll, caseBody, shanghaiDate,
  sqlWrite, assertCleanShutdown,
} from './lib.mjs';

let s, units;
const tok = {};
const fx = {}; // fixture cases by key
const baseline = {}; // q → the administrator's matches before the fixtures existed
const USERS = ['admin', 'gm', 'auditor', 'reviewer', 'agent.shpd', 'agent.bj4s', 'agent.hotline', 'sup.east', 'sup.north',
  'handler.aftersales', 'handler.retail'];

const enc = encodeURIComponent;
const nosOf = (items) => items.map((c) => c.case_no).sort();
const keysOf = (nos) => nos.map((no) => Object.keys(fx).find((k) => fx[k].case_no === no) ?? no).sort();
const atDaysAgo = (d) => `${shanghaiDate(-d)}T10:00:00+08:00`;
const shDate = (iso) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
  .format(new Date(iso));

async function register(user, body) {
  const r = await s.api('POST', '/api/v1/cases', { token: tok[user], body });
  assert.equal(r.status, 201, `register by ${user}: ${r.text}`);
  return r.json.case;
}

async function act(user, no, action, body = {}) {
  const r = await s.api('POST', `/api/v1/cases/${no}/actions/${action}`, { token: tok[user], body });
  assert.equal(r.status, 200, `${action} by ${user} on ${no}: ${r.text}`);
  return r.json.case;
}

/* Every match of GET /cases?q= (all pages). */
async function listQ(token, q, extra = '') {
  const items = [];
  let total;
  for (let page = 1; ; page++) {
    const r = await s.api('GET', `/api/v1/cases?q=${enc(q)}${extra}&per_page=500&page=${page}`, { token });
    assert.equal(r.status, 200, `GET /cases?q=${q}${extra}: ${r.text}`);
    total = r.json.total;
    items.push(...r.json.items);
    if (items.length >= total || r.json.items.length === 0) break;
  }
  assert.equal(items.length, total, `/cases?q=${q}: the pages hold total items`);
  return { total, nos: nosOf(items), items };
}

/* Every case match of GET /search?q= (all pages). */
async function searchQ(token, q, extra = '') {
  const items = [];
  let total;
  for (let page = 1; ; page++) {
    const r = await s.api('GET', `/api/v1/search?q=${enc(q)}&in=cases${extra}&per_page=500&page=${page}`, { token });
    assert.equal(r.status, 200, `GET /search?q=${q}${extra}: ${r.text}`);
    total = r.json.cases.total;
    assert.equal(r.json.cases.total_exact, true, `/search?q=${q}: a fixture's count is exact`);
    items.push(...r.json.cases.items);
    if (items.length >= total || r.json.cases.items.length === 0) break;
  }
  assert.equal(items.length, total, `/search?q=${q}: the pages hold total items`);
  return { total, nos: nosOf(items), items };
}

/* `tousu search check` on a database (the server may hold it: the CLI opens its own connection). */
function searchCheck(db) {
  const r = spawnSync(BIN, ['search', 'check', '--db', db], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tousu search check: exit ${r.status}\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^ok: (\d+) cases, \1 indexed; (\d+) write-ups, \2 indexed/, r.stdout);
  return r.stdout;
}

/* A snippet is HTML: only <mark>…</mark> as tags, everything else escaped, the word marked. */
function assertSnippet(snippet, word, where) {
  assert.equal(typeof snippet, 'string', `${where}: snippet`);
  assert.ok(snippet.includes('<mark>'), `${where}: a word is marked: ${snippet}`);
  const bare = snippet.replace(/<\/?mark>/g, '');
  assert.ok(!/[<>]/.test(bare), `${where}: no other tag in the snippet: ${snippet}`);
  assert.equal((snippet.match(/<mark>/g) ?? []).length, (snippet.match(/<\/mark>/g) ?? []).length, `${where}: balanced marks`);
  if (word) {
    const marked = [...snippet.matchAll(/<mark>(.*?)<\/mark>/g)].map((m) => m[1]).join('');
    assert.ok(marked.includes(word), `${where}: ${word} is marked: ${snippet}`);
  }
}

const unescapeHtml = (t) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
  .replace(/&amp;/g, '&');

// ---- the fixtures ----------------------------------------------------------------------------

/* What the administrator must find: each query and the fixtures among its matches (the demo's
 * own matches are whatever the query found before the fixtures were registered). */
const FIND = [
  ['空调', ['AC']],
  ['退款', ['CL', 'RF']],
  ['异响', ['AC']], // ICU: 异|响, found as the phrase of both
  ['彩铃', ['CL']],
  ['王经理', ['AC', 'CL']], // AC writes 王經理 (traditional), CL 王经理
  ['王經理', ['AC', 'CL']],
  ['KFR-35GW', ['AC']], // AC: ＫＦＲ－３５ＧＷ (full width)
  ['ｋｆｒ－３５ｇｗ', ['AC']],
  ['ＫＦＲ－７２ＬＷ', ['HW']], // HW: KFR-72LW (half width)
  ['kfr', ['AC', 'HW']],
  ['x200', ['AC']],
  ['X200', ['AC']],
  ['Ｘ２００', ['AC']],
  ['Ｘ３００', ['HW']],
  ['x300', ['HW']],
  ['IPHONE', ['RF']],
  ['iphone', ['RF']],
  ['iphon*', ['RF']],
  ['JD2026103100123', ['AC']],
  ['jd2026103100123', ['AC']],
  ['JD2026*', ['AC']],
  ['沪A12345', ['AC']],
  ['CD888', ['RF']], // plate 京B·CD888
  ['京B·CD888', ['RF']],
  ['"空调 不制冷"', ['AC']],
  ['“空调不制冷”', ['AC']],
  ['「空调 不制冷」', ['AC']],
  ['"不制冷 空调"', []], // the words are there, not in this order
  ['空调 异响', ['AC']],
  ['空调 彩铃', []], // every word must match
  ['退款 -彩铃', ['RF']],
  ['退款 －彩铃', ['RF']],
  ['phone:13912345678', ['AC']], // stored as 139-1234-5678
  ['phone:139-1234-5678', ['AC']],
  ['电话:139-1234-5678', ['AC']],
  ['手机：13912345678', ['AC']],
  ['phone:1391234*', ['AC']],
  ['phone:02088886666', ['CL']],
  ['phone:020-8888-6666', ['CL']],
  ['电话:13800001111', ['RF']],
  ['phone:"139 1234 5678"', ['AC']],
  ['空调 -phone:139*', []],
  ['空调 -phone:138*', ['AC']],
  ['网点:浦东旗舰店', ['HW']],
  ['门店:"浦东 旗舰店"', ['HW']],
  ['outlet:空调', []],
  ['order:JD2026103100123', ['AC']],
  ['订单:TB2026110500456', ['RF']],
  ['order:沪A12345', []], // a plate, not an order number
  ['product:kfr-35gw', ['AC']],
  ['型号:ＫＦＲ', ['AC', 'HW']],
  ['产品:格力', ['AC']],
  ['plate:CD888', ['RF']],
  ['车牌:沪A12345', ['AC']],
  ['plate:JD2026103100123', []],
  ['name:王经理', ['AC']], // CL names 王经理 in its text, not as the complainant
  ['姓名:李先生', ['RF']],
  ['客户:张女士', ['CL']],
  ['name:彩铃', []],
  ['alert', ['RF']],
  ['<script>', ['RF']],
  ['蜂鸣器', ['P1', 'P2', 'P3', 'P4']],
  ['蜂鸣器 -仪表盘', ['P2', 'P3', 'P4']],
];

before(async () => {
  s = await startServer();
  for (const u of USERS) tok[u] = await s.login(u);
  units = await unitsByCode(s, tok.admin);
  for (const [q] of FIND) baseline[q] = (await listQ(tok.admin, q)).nos;

  // ---- words, names, numbers (section 1) ----
  fx.AC = await register('agent.shpd', caseBody({
    channel: 'phone',
    category: 'product_quality',
    dept: units.AFTERSALES.id,
    title: '空调不制冷',
    complainant: { name: '王經理', phone: '139-1234-5678' },
    subject: { product: '格力空调 ＫＦＲ－３５ＧＷ', order_no: 'JD2026103100123', plate: '沪A12345' },
    description: '王經理反映：新装的空调开机后异响不断，室外机震动明显，遥控器型号Ｘ２００失灵。',
  }));
  fx.RF = await register('agent.bj4s', caseBody({
    channel: 'web',
    category: 'billing',
    dept: units.FINANCE.id,
    title: '定金迟迟未到账',
    complainant: { name: '李先生', phone: '13800001111', customer_id: 'CUST-7001' },
    subject: { product: '帕萨特定金', order_no: 'TB2026110500456', plate: '京B·CD888' },
    description: '李先生称三周前申请退款，至今未到账。赠送的iPhone支架也未收到。<script>alert(1)</script> & "引号"',
  }));
  fx.CL = await register('admin', caseBody({
    channel: 'phone',
    category: 'unauthorised_activation',
    outlet: units['GZ-TEL-01'].id,
    dept: units.TELECOM.id,
    title: '未经同意开通彩铃',
    complainant: { name: '张女士', phone: '020-8888-6666' },
    description: '张女士称营业厅王经理未经同意为其开通彩铃业务并按月扣费，要求全额退款。',
  }));
  fx.HW = await register('agent.shpd', caseBody({
    channel: 'walk_in',
    title: '净化器滤网破损',
    complainant: { name: '周先生', phone: '13600002222' },
    subject: { product: 'KFR-72LW 空气净化器', outlet: '浦东旗舰店' },
    description: '客户在门店购买的净化器滤网破损，型号X300，要求更换。',
  }));

  // ---- places, and the list's other filters (sections 1 and 3): one word, four outlets ----
  fx.P1 = await register('agent.shpd', caseBody({
    channel: 'phone', dept: units.AFTERSALES.id, received_at: atDaysAgo(20),
    complainant: { name: '浦东车主', phone: '13600003331' }, description: '仪表盘蜂鸣器持续报警，4S店检查后仍未解决。',
  }));
  fx.P2 = await register('admin', caseBody({
    channel: 'walk_in', outlet: units['BJ-4S-01'].id, dept: units.RETAIL.id, received_at: atDaysAgo(10),
    complainant: { name: '朝阳车主', phone: '13600003332' }, description: '倒车雷达蜂鸣器不响，险些剐蹭。',
  }));
  fx.P3 = await register('admin', caseBody({
    channel: 'web', outlet: units['GZ-DS-01'].id,
    complainant: { name: '天河顾客', phone: '13600003333' }, description: '购买的烤箱蜂鸣器声音过大。',
  }));
  fx.P4 = await register('sup.east', caseBody({
    channel: 'phone', outlet: units['SUZ-4S-01'].id, dept: units.QA.id, received_at: atDaysAgo(5),
    complainant: { name: '苏州车主', phone: '13600003334' }, description: '安全带未系蜂鸣器误报。',
  }));
  fx.P1 = await act('agent.shpd', fx.P1.case_no, 'accept', {});
  fx.P4 = await act('sup.east', fx.P4.case_no, 'regrade', { grade: 'g2', reason: '测试定级' });
});
beforeEach(async () => {
  await s?.ensureUp();
});
after(async () => {
  await s?.stop();
});

// ---- 1. what a query finds ------------------------------------------------------------------------

test('GET /cases?q= and GET /search?q= find exactly the cases whose words match (admin)', async () => {
  const fixtureNos = new Set(Object.values(fx).map((c) => c.case_no));
  for (const [q, keys] of FIND) {
    const want = [...new Set([...baseline[q], ...keys.map((k) => fx[k].case_no)])].sort();
    const list = await listQ(tok.admin, q);
    assert.deepEqual(keysOf(list.nos), keysOf(want), `/cases?q=${q}`);
    assert.equal(list.total, want.length, `/cases?q=${q}: total`);
    const found = await searchQ(tok.admin, q);
    assert.deepEqual(keysOf(found.nos), keysOf(want), `/search?q=${q}`);
    assert.equal(found.total, want.length, `/search?q=${q}: total`);
    // best first, each with its snippet
    for (let i = 1; i < found.items.length; i++) {
      assert.ok(found.items[i - 1].score >= found.items[i].score, `/search?q=${q}: best first`);
    }
    for (const it of found.items) {
      assert.equal(typeof it.score, 'number');
      if (fixtureNos.has(it.case_no)) assertSnippet(it.snippet, null, `/search?q=${q} ${it.case_no}`);
    }
  }
});

test('the index\'s scope words (o<unit>, d<unit>, u<hex of a username>) are never found by what a user types', async () => {
  // every case is at some outlet under unit 1 and owned by someone: were those words
  // searchable, o1 or d1 would find every case, and a model number "D7" a department's
  for (const q of ['o1', 'd1', 'O1', 'scope', `u${Buffer.from('agent.shpd').toString('hex').toUpperCase()}`]) {
    for (const user of ['admin', 'agent.shpd']) {
      const r = await s.api('GET', `/api/v1/search?q=${enc(q)}`, { token: tok[user] });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.cases.total, 0, `${user}: ${q} finds nothing`);
      assert.equal((await listQ(tok[user], q)).total, 0, `${user}: /cases?q=${q} finds nothing`);
    }
  }
});

test('a case number is found by q; /search items have the summary fields', async () => {
  for (const k of ['AC', 'RF', 'CL']) {
    const no = fx[k].case_no;
    assert.deepEqual((await listQ(tok.admin, no)).nos, [no]);
    const r = await s.api('GET', `/api/v1/search?q=${no}`, { token: tok.admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.q, no);
    assert.deepEqual(r.json.cases.items.map((c) => c.case_no), [no]);
    const it = r.json.cases.items[0];
    for (const f of ['case_no', 'title', 'status', 'grade', 'channel', 'received_at', 'complainant', 'overdue', 'score', 'snippet']) {
      assert.ok(f in it, `search item has ${f}: ${JSON.stringify(it)}`);
    }
    assert.equal(it.title, fx[k].title);
    assert.equal(it.complainant, fx[k].complainant.name);
    assert.equal(it.status, fx[k].status);
    assert.equal(r.json.cases.page, 1);
    assert.equal(r.json.cases.per_page, 20, 'a page of 20 by default');
    assert.ok(Array.isArray(r.json.library.items), 'the library part by default');
  }
});

test('snippets: the matched word between <mark> and </mark>, the case text HTML-escaped', async () => {
  const checks = [
    ['王经理', 'AC', '王經理'], // the text as written, traditional
    ['Ｘ２００', 'AC', 'Ｘ２００'],
    ['x200', 'AC', 'Ｘ２００'],
    ['KFR-35GW', 'AC', 'ＫＦＲ－３５ＧＷ'],
    ['彩铃', 'CL', '彩铃'],
    ['iphone', 'RF', 'iPhone'],
    ['CD888', 'RF', 'CD888'],
  ];
  for (const [q, k, marked] of checks) {
    const r = await s.api('GET', `/api/v1/search?q=${enc(q)}&in=cases&per_page=100`, { token: tok.admin });
    assert.equal(r.status, 200, r.text);
    const it = r.json.cases.items.find((c) => c.case_no === fx[k].case_no);
    assert.ok(it, `${q} finds ${k}`);
    assertSnippet(it.snippet, marked, `${q} → ${k}`);
  }
  // the description holds <script>alert(1)</script> & "引号": it comes back escaped
  for (const q of ['alert', '<script>', 'script']) {
    const r = await s.api('GET', `/api/v1/search?q=${enc(q)}&in=cases`, { token: tok.admin });
    assert.equal(r.status, 200, r.text);
    const it = r.json.cases.items.find((c) => c.case_no === fx.RF.case_no);
    assert.ok(it, `${q} finds RF`);
    assertSnippet(it.snippet, q === 'alert' ? 'alert' : 'script', `${q} → RF`);
    assert.ok(!it.snippet.includes('<script'), `no live tag: ${it.snippet}`);
    assert.ok(it.snippet.includes('&lt;'), `escaped: ${it.snippet}`);
    // the snippet is a piece of the text as written
    for (const piece of unescapeHtml(it.snippet.replace(/<\/?mark>/g, '')).split('…')) {
      assert.ok(fx.RF.description.includes(piece.trim()), `"${piece.trim()}" is from the description`);
    }
  }
  const r = await s.api('GET', `/api/v1/search?q=${enc('引号')}&in=cases`, { token: tok.admin });
  const it = r.json.cases.items.find((c) => c.case_no === fx.RF.case_no);
  assert.ok(it.snippet.includes('&quot;') && it.snippet.includes('&amp;'), `quotes and ampersands escaped: ${it.snippet}`);
  // /cases?q= returns the stored text untouched (it is JSON, not HTML)
  const l = await listQ(tok.admin, 'alert');
  assert.equal(l.items.find((c) => c.case_no === fx.RF.case_no).description, fx.RF.description);
});

test('q combines with the list\'s other filters: status, grade, channel, from/to; and with paging', async () => {
  const q = '蜂鸣器';
  const P = ['P1', 'P2', 'P3', 'P4'];
  const cases = [
    ['&status=accepted', ['P1']],
    ['&status=received', ['P2', 'P3', 'P4']],
    ['&grade=g2', ['P4']],
    ['&channel=walk_in', ['P2']],
    ['&channel=phone,web', ['P1', 'P3', 'P4']],
    [`&from=${shanghaiDate(-12)}&to=${shanghaiDate(-1)}`, ['P2', 'P4']],
    [`&from=${shanghaiDate(-30)}&to=${shanghaiDate(-15)}`, ['P1']],
    [`&to=${shanghaiDate(-30)}`, []],
    [`&outlet=${units.EAST.id}`, ['P1', 'P4']],
    [`&dept=${units.RETAIL.id}`, ['P2']],
    ['&owner=sup.east', ['P4']],
  ];
  for (const [extra, keys] of cases) {
    // the fixtures say what to expect; the list without q agrees
    const want = keys.map((k) => fx[k].case_no).sort();
    const l = await listQ(tok.admin, q, extra);
    assert.deepEqual(keysOf(l.nos), keysOf(want), `/cases?q=${q}${extra}`);
    const sr = await searchQ(tok.admin, q, extra);
    assert.deepEqual(keysOf(sr.nos), keysOf(want), `/search?q=${q}${extra}`);
    const plain = nosOf((await listAll(s, tok.admin, extra.slice(1))).items);
    const fixtures = P.map((k) => fx[k].case_no);
    assert.deepEqual(plain.filter((no) => fixtures.includes(no)), want, `the list ${extra} without q agrees`);
  }
  // pages of one: each match once, total on every page, an empty page after the last
  for (const ep of ['cases', 'search']) {
    const seen = [];
    for (let page = 1; page <= 5; page++) {
      const url = ep === 'cases' ? `/api/v1/cases?q=${enc(q)}&per_page=1&page=${page}` : `/api/v1/search?q=${enc(q)}&in=cases&per_page=1&page=${page}`;
      const r = await s.api('GET', url, { token: tok.admin });
      assert.equal(r.status, 200, r.text);
      const body = ep === 'cases' ? r.json : r.json.cases;
      assert.equal(body.total, 4, `${ep} page ${page}: total`);
      assert.equal(body.page, page);
      assert.equal(body.per_page, 1);
      assert.equal(body.items.length, page <= 4 ? 1 : 0, `${ep} page ${page}: items`);
      seen.push(...body.items.map((c) => c.case_no));
    }
    assert.deepEqual(keysOf(seen.sort()), P, `${ep}: the pages hold each match once`);
  }
  // a filter that excludes everything still answers 200 with total 0
  const r = await s.api('GET', `/api/v1/search?q=${enc(q)}&status=closed`, { token: tok.admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.cases.total, 0);
});

test('a word the dictionary keeps inside a longer one: found by itself (the long word\'s bigrams), the longer word or a prefix (docs/search.md §12)', async () => {
  const c = await register('agent.shpd', caseBody({ channel: 'phone', description: '冰箱冷藏室结冰，补送的牡丹花苗也枯死了。总经理从来没有回电。' }));
  for (const q of ['冷藏室', '冷藏', '冷藏*', '牡丹花苗', '牡丹', '牡丹*', '冰箱 结冰', '"冷藏室结冰"', '经理', '没有', '从来没有', '总经理']) {
    assert.ok((await listQ(tok.admin, q)).nos.includes(c.case_no), `/cases?q=${q}`);
    assert.ok((await searchQ(tok.admin, q)).nos.includes(c.case_no), `/search?q=${q}`);
  }
});

test('GET /search?in=: cases, library or both', async () => {
  let r = await s.api('GET', `/api/v1/search?q=${enc('空调')}&in=cases`, { token: tok.admin });
  assert.equal(r.status, 200, r.text);
  assert.ok('cases' in r.json && !('library' in r.json), JSON.stringify(Object.keys(r.json)));
  r = await s.api('GET', `/api/v1/search?q=${enc('空调')}&in=library`, { token: tok.admin });
  assert.equal(r.status, 200, r.text);
  assert.ok('library' in r.json && !('cases' in r.json), JSON.stringify(Object.keys(r.json)));
  for (const both of ['cases,library', 'library,cases']) {
    r = await s.api('GET', `/api/v1/search?q=${enc('空调')}&in=${both}`, { token: tok.admin });
    assert.equal(r.status, 200, r.text);
    assert.ok('library' in r.json && 'cases' in r.json);
  }
  // the library has no fields: phone:abc is plain text there (as GET /library?q= takes it),
  // while for cases it has no digits to search for
  r = await s.api('GET', `/api/v1/search?q=${enc('phone:abc')}&in=library`, { token: tok.admin });
  assert.equal(r.status, 200, r.text);
  assert.equal((await s.api('GET', `/api/v1/library?q=${enc('phone:abc')}`, { token: tok.admin })).status, 200);
  assert422(await s.api('GET', `/api/v1/search?q=${enc('phone:abc')}&in=cases`, { token: tok.admin }), 'q');
});

// ---- 2. validation, and inputs that must never break the server -----------------------------------

test('bad q → 422 naming q, the store unchanged; unknown keys → 400; bad in → 422; /search needs q', async () => {
  const before = s.snapshot();
  const bad = [
    '', ' ', '\u3000', '!!!', '，。、？', '()', '*', '""', '-退款', '-退款 -彩铃', '－退款', '"空调', '空调 “异响', '「空调',
    Array.from({ length: 17 }, (_, i) => `词${i}`).join(' '),
    '空'.repeat(85) + 'xx', // 257 bytes
    'x'.repeat(300),
    'x'.repeat(1100),
    'phone:abc',
  ];
  for (const q of bad) {
    for (const p of ['/api/v1/cases', '/api/v1/search']) {
      const r = await s.api('GET', `${p}?q=${enc(q)}`, { token: tok.admin });
      assert422(r, 'q');
      assert.equal(typeof r.json.error.details.q, 'string', `${p}?q=${JSON.stringify(q)}`);
    }
  }
  // the limits themselves are fine: 16 terms, 256 bytes
  for (const q of [Array.from({ length: 16 }, (_, i) => `词${i}`).join(' '), '空'.repeat(85) + 'x']) {
    assert.equal(Buffer.byteLength(q) <= 256, true);
    for (const p of ['/api/v1/cases', '/api/v1/search']) {
      const r = await s.api('GET', `${p}?q=${enc(q)}`, { token: tok.admin });
      assert.equal(r.status, 200, `${p}?q=${q}: ${r.text}`);
    }
  }
  // punctuation-only terms do not count against the 16
  const q17 = [...Array.from({ length: 16 }, (_, i) => `词${i}`), '!!!'].join(' ');
  assert.equal((await s.api('GET', `/api/v1/search?q=${enc(q17)}`, { token: tok.admin })).status, 200);
  for (const p of ['/api/v1/cases?q=a&colour=red', '/api/v1/search?q=a&colour=red', '/api/v1/search?q=a&sort=x',
    `/api/v1/cases/${fx.AC.case_no}/related?q=a`, '/api/v1/groups?q=a', '/api/v1/library?q=a&x=1']) {
    assertError(await s.api('GET', p, { token: tok.admin }), 400);
  }
  for (const v of ['', 'all', 'notes', 'cases,notes', 'CASES', 'cases,']) {
    assert422(await s.api('GET', `/api/v1/search?q=a&in=${enc(v)}`, { token: tok.admin }), 'in');
  }
  assert422(await s.api('GET', '/api/v1/search', { token: tok.admin }), 'q');
  assert422(await s.api('GET', '/api/v1/search?in=cases', { token: tok.admin }), 'q');
  // other bad filters are named beside q
  assert422(await s.api('GET', `/api/v1/search?q=a&status=nope&per_page=0`, { token: tok.admin }), 'status', 'per_page');
  assert422(await s.api('GET', `/api/v1/cases?q=${enc('"')}&grade=g9`, { token: tok.admin }), 'q', 'grade');
  assertError(await s.api('GET', `/api/v1/search?q=a`, {}), 401);
  assertError(await s.api('GET', `/api/v1/search?q=%FF`, { token: tok.admin }), 400);
  assert.deepEqual(s.snapshot(), before);
});

test('FTS5 syntax, quotes, backslashes, SQL, emoji, control characters: 200 or 4xx, never 500', async () => {
  const nasty = [
    'AND', 'OR', 'NOT', 'NEAR', '空调 AND 退款', '空调 OR 退款', 'NOT 空调', '空调 NOT 退款', 'NEAR(空调 退款)', 'NEAR(空调', '(空调',
    '空调)', '^空调', '空调^', '*空调', '空调**', 'a:b', ':空调', '空调:', '{title}:空调', '{title body}: 空调', 'title:空调',
    'case_fts:空调', 'rank:1', 'rowid:1', '-', '--', '- 空调', '-"空调"', '"', "'", '"\'"', '“', '”空调“', '」', '\\', '\\"空调\\"', '空调\\',
    "'; DROP TABLE cases; --", '" OR 1=1 --', 'x") OR ("1"="1', '%', '_', '%_%', '😀', '😀空调', '空调😀退款', '👨‍👩‍👧', '\u0001',
    '\u0007空调', '空调\u001b[31m', '\u007f', '\u200b', '\u200b空调\u200b', '\ufeff空调', 'a\tb', '空\n调', '\u2028',
    'phone:', 'phone:-', 'phone:"', 'phone:""', 'phone:*', 'phone:😀', '电话:１３９', 'order:"JD', 'order:*', 'name:NEAR(', 'plate:·',
    'outlet:网点', '网点:浦东', 'x:y:z', '::', '：：', '"空调"*', '空调*"', '"""', '""""', 'a"b', '"a" "b"', '"a""b"', '*"a"',
    'NEAR("空调" "退款", 2)', '空调 + 退款', '空调 | 退款', '{', '}', '[', ']', '&', '&amp;', '<mark>', '</mark>',
    '\ue000空调\ue001', '\ue000', '\ue001',
  ];
  for (const q of nasty) {
    for (const p of ['/api/v1/cases', '/api/v1/search', '/api/v1/library']) {
      const r = await s.api('GET', `${p}?q=${enc(q)}`, { token: tok.admin });
      assert.ok([200, 400, 422].includes(r.status), `${p}?q=${JSON.stringify(q)} → ${r.status}: ${r.text}`);
      if (r.status !== 200) assertError(r, r.status);
    }
  }
  // a NUL in the query string, and bytes that are not UTF-8
  for (const raw of ['a%00b', '%00', '%C0%80', '%ED%A0%80', '%F0%9F', 'a%FFb']) {
    for (const p of ['/api/v1/cases', '/api/v1/search', '/api/v1/library']) {
      const r = await s.api('GET', `${p}?q=${raw}`, { token: tok.admin });
      assert.ok([200, 400, 422].includes(r.status), `${p}?q=${raw} → ${r.status}: ${r.text}`);
    }
  }
  // drafts with the same kind of text: the similar-text query is built from them
  for (const d of ['AND OR NOT NEAR( ) ^ * : { }', '"\'\\ 😀 \u0001', '" OR 1=1 --', '空调"退款', '\ue000\ue001']) {
    const r = await s.api('POST', '/api/v1/intake/related', {
      token: tok['agent.shpd'], body: { description: d, title: d, subject: { order_no: d, plate: d, product: d } },
    });
    assert.ok([200, 422].includes(r.status), `intake/related ${JSON.stringify(d)} → ${r.status}: ${r.text}`);
  }
  assert.equal(s.exit, null, 'the server is still up');
  assert.equal((await s.api('GET', '/healthz')).status, 200);
});

// ---- 3. what each caller may find ---------------------------------------------------------------

test('search respects role and place exactly like the list; /search and /cases?q= agree', async () => {
  const queries = ['蜂鸣器', '空调', '退款', '彩铃', '王经理', 'kfr', '蜂鸣器 -仪表盘'];
  const adminHits = {};
  for (const q of queries) adminHits[q] = (await listQ(tok.admin, q)).nos;
  for (const u of USERS) {
    const visible = new Set(nosOf((await listAll(s, tok[u])).items));
    for (const q of queries) {
      const want = adminHits[q].filter((no) => visible.has(no));
      const l = await listQ(tok[u], q);
      assert.deepEqual(l.nos, want, `${u}: /cases?q=${q} = what ${u} may see of the matches`);
      const sr = await searchQ(tok[u], q);
      assert.equal(sr.total, l.total, `${u}: /search total = /cases?q= total for ${q}`);
      assert.deepEqual(sr.nos, want, `${u}: /search?q=${q}`);
    }
  }
  // spelled out for the fixtures of 蜂鸣器: P1 SH-4S-PD (after-sales), P2 BJ-4S-01 (retail),
  // P3 GZ-DS-01, P4 SUZ-4S-01 (QA)
  const expect = {
    'agent.shpd': ['P1'], 'agent.bj4s': ['P2'], 'sup.east': ['P1', 'P4'], 'sup.north': ['P2'],
    'handler.aftersales': ['P1'], 'handler.retail': ['P2'], admin: ['P1', 'P2', 'P3', 'P4'], auditor: ['P1', 'P2', 'P3', 'P4'],
    gm: ['P1', 'P2', 'P3', 'P4'], 'agent.hotline': ['P1', 'P2', 'P3', 'P4'],
  };
  for (const [u, keys] of Object.entries(expect)) {
    const got = (await searchQ(tok[u], '蜂鸣器')).nos.filter((no) => ['P1', 'P2', 'P3', 'P4'].some((k) => fx[k].case_no === no));
    assert.deepEqual(keysOf(got), keys, `${u} finds by 蜂鸣器`);
  }
  // a case number of another outlet finds nothing, the same way as a number that does not exist
  const r = await s.api('GET', `/api/v1/search?q=${fx.RF.case_no}`, { token: tok['agent.shpd'] });
  assert.equal(r.status, 200);
  assert.equal(r.json.cases.total, 0);
  assert.deepEqual((await listQ(tok['agent.shpd'], `phone:${fx.RF.complainant.phone}`)).nos, []);
  assert.deepEqual((await listQ(tok['agent.bj4s'], `phone:${fx.RF.complainant.phone}`)).nos, [fx.RF.case_no]);
});

test('intake/related and /groups do not show another outlet\'s cases: they count as hidden', async () => {
  const draft = { channel: 'phone', complainant: { name: '王經理', phone: '139-1234-5678' } };
  // AC was received at SH-4S-PD: agent.bj4s may not see it
  let r = await s.api('POST', '/api/v1/intake/related', { token: tok['agent.bj4s'], body: draft });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.customer, []);
  assert.equal(r.json.hidden, 1, 'the other outlet\'s case is counted, not shown');
  for (const u of ['agent.shpd', 'sup.east', 'admin']) {
    r = await s.api('POST', '/api/v1/intake/related', { token: tok[u], body: draft });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.customer.map((c) => c.case_no), [fx.AC.case_no], u);
    assert.equal(r.json.hidden, 0, u);
  }
  // sup.north sees the north, not the east
  r = await s.api('POST', '/api/v1/intake/related', { token: tok['sup.north'], body: { complainant: { name: 'x', phone: '13800001111' } } });
  assert.deepEqual(r.json.customer.map((c) => c.case_no), [fx.RF.case_no]);
  r = await s.api('POST', '/api/v1/intake/related', { token: tok['sup.north'], body: draft });
  assert.deepEqual(r.json.customer, []);
  assert.equal(r.json.hidden, 1);
  // the reviewer sees every case; the auditor, who writes nothing, does not draft complaints
  r = await s.api('POST', '/api/v1/intake/related', { token: tok.reviewer, body: draft });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.customer.map((c) => c.case_no), [fx.AC.case_no]);
  assertError(await s.api('POST', '/api/v1/intake/related', { token: tok.auditor, body: draft }), 403);
  // a case's related list: 404 when the case is not the caller's to see
  assertError(await s.api('GET', `/api/v1/cases/${fx.AC.case_no}/related`, { token: tok['agent.bj4s'] }), 404);
  assertError(await s.api('GET', `/api/v1/cases/${fx.AC.case_no}/related`, { token: tok['handler.retail'] }), 404);
  assert.equal((await s.api('GET', `/api/v1/cases/${fx.AC.case_no}/related`, { token: tok.auditor })).status, 200);
  assertError(await s.api('GET', `/api/v1/cases/TS20990199999/related`, { token: tok.admin }), 404);
});

// ---- 4. the index follows every change at once ------------------------------------------------------

test('PATCH: a case is found by its new words at once, no longer by its old ones', async () => {
  const c = await register('agent.shpd', caseBody({
    channel: 'phone', title: '仙人掌盆栽枯萎',
    complainant: { name: '孔女士', phone: '135-5555-0000' },
    subject: { product: '仙人掌盆栽', order_no: 'IC-ORDER-1100' },
    description: '客户反映门店赠送的仙人掌盆栽一周后枯萎。',
  }));
  fx.IC = c;
  const no = c.case_no;
  const finds = async (q, user = 'agent.shpd') => (await listQ(tok[user], q)).nos.includes(no)
    && (await searchQ(tok[user], q)).nos.includes(no);
  const absent = async (q, user = 'agent.shpd') => !(await listQ(tok[user], q)).nos.includes(no)
    && !(await searchQ(tok[user], q)).nos.includes(no);
  for (const q of ['仙人掌', 'phone:13555550000', 'order:IC-ORDER-1100', 'name:孔女士']) assert.ok(await finds(q), `found by ${q}`);
  searchCheck(s.db);

  let r = await s.api('PATCH', `/api/v1/cases/${no}`, { token: tok['agent.shpd'], body: { description: '客户反映门店赠送的向日葵盆栽一周后枯萎。' } });
  assert.equal(r.status, 200, r.text);
  assert.ok(await finds('向日葵'), 'the new description');
  assert.ok(await finds('仙人掌'), 'the title and product still say 仙人掌');
  assert.ok(await absent('"仙人掌 盆栽 一周"'), 'the old description is gone');
  r = await s.api('PATCH', `/api/v1/cases/${no}`, {
    token: tok['agent.shpd'],
    body: { title: '向日葵盆栽枯萎', subject: { product: '向日葵盆栽', order_no: 'IC-ORDER-2200' }, complainant: { phone: '135-5555-0001', name: '孔太太' } },
  });
  assert.equal(r.status, 200, r.text);
  for (const q of ['仙人掌', 'phone:13555550000', 'order:IC-ORDER-1100', 'name:孔女士']) assert.ok(await absent(q), `no longer found by ${q}`);
  for (const q of ['向日葵 盆栽', 'product:向日葵', 'phone:135-5555-0001', 'order:IC-ORDER-2200', 'name:孔太太', '"向日葵盆栽枯萎"']) {
    assert.ok(await finds(q), `found by ${q}`);
  }
  assert.ok(await finds('向日葵', 'sup.east'));
  assert.ok(await absent('向日葵', 'agent.bj4s'), 'still only where it may be seen');
  searchCheck(s.db);
});

test('notes: searchable; deleted by the author (200) they are gone; another user → 403 and kept', async () => {
  const no = fx.IC.case_no;
  const finds = async (q) => {
    const a = (await listQ(tok.admin, q)).nos.includes(no);
    const b = (await searchQ(tok.admin, q)).nos.includes(no);
    assert.equal(a, b, `/cases?q=${q} and /search agree`);
    return a;
  };
  let r = await s.api('POST', `/api/v1/cases/${no}/notes`, { token: tok['agent.shpd'], body: { text: '客户补充：郁金香花束也已枯萎。' } });
  assert.equal(r.status, 201, r.text);
  const note = r.json.note;
  assert.ok(await finds('郁金香'), 'a note is searchable at once');
  const sr = await s.api('GET', `/api/v1/search?q=${enc('郁金香')}&in=cases`, { token: tok['agent.shpd'] });
  assertSnippet(sr.json.cases.items.find((c) => c.case_no === no).snippet, '郁金香', 'note snippet');
  searchCheck(s.db);

  // not the author, not an administrator: 403, the note stays (and stays found)
  let before = s.snapshot();
  r = await s.api('DELETE', `/api/v1/cases/${no}/notes/${note.id}`, { token: tok['sup.east'] });
  assertError(r, 403);
  assert.deepEqual(s.snapshot(), before);
  assert.ok(await finds('郁金香'), 'still found after a refused delete');
  assertError(await s.api('DELETE', `/api/v1/cases/${no}/notes/${note.id}`, { token: tok.auditor }), 403);
  assertError(await s.api('DELETE', `/api/v1/cases/${no}/notes/${note.id}`, { token: tok['agent.bj4s'] }), 404, 'not_found');
  assertError(await s.api('DELETE', `/api/v1/cases/${fx.RF.case_no}/notes/${note.id}`, { token: tok.admin }), 404); // another case
  assertError(await s.api('DELETE', `/api/v1/cases/${no}/notes/abc`, { token: tok['agent.shpd'] }), 404);
  assertError(await s.api('DELETE', `/api/v1/cases/${no}/notes/99999999`, { token: tok['agent.shpd'] }), 404);
  assert.deepEqual(s.snapshot(), before);
  assert.ok(await finds('郁金香'));

  // its author: 200, gone from the notes and from the index
  r = await s.api('DELETE', `/api/v1/cases/${no}/notes/${note.id}`, { token: tok['agent.shpd'] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { note: { id: note.id, deleted: true } });
  assert.ok(!(await finds('郁金香')), 'a deleted note is no longer found');
  const notes = await s.api('GET', `/api/v1/cases/${no}/notes`, { token: tok.admin });
  assert.ok(!notes.json.items.some((n) => n.id === note.id));
  assertError(await s.api('DELETE', `/api/v1/cases/${no}/notes/${note.id}`, { token: tok['agent.shpd'] }), 404);
  const h = await s.api('GET', `/api/v1/cases/${no}/history`, { token: tok.admin });
  const del = h.json.items.filter((e) => e.action === 'note_deleted');
  assert.equal(del.length, 1, JSON.stringify(h.json.items.slice(-2)));
  assert.equal(del[0].actor, 'agent.shpd');
  assert.deepEqual(del[0].changes, { [`notes.${note.id}`]: [{ author: 'agent.shpd', at: note.at }, null] });
  assert.ok(!JSON.stringify(del[0]).includes('郁金香'), 'the entry keeps who and when, never the text');
  searchCheck(s.db);

  // an administrator may delete anyone's note; nobody else may delete an administrator's
  r = await s.api('POST', `/api/v1/cases/${no}/notes`, { token: tok['sup.east'], body: { text: '主管备注：客户还想要薰衣草。' } });
  assert.equal(r.status, 201, r.text);
  const supNote = r.json.note;
  assert.ok(await finds('薰衣草'));
  assertError(await s.api('DELETE', `/api/v1/cases/${no}/notes/${supNote.id}`, { token: tok['agent.shpd'] }), 403);
  assert.ok(await finds('薰衣草'));
  r = await s.api('DELETE', `/api/v1/cases/${no}/notes/${supNote.id}`, { token: tok.admin });
  assert.equal(r.status, 200, r.text);
  assert.ok(!(await finds('薰衣草')));
  // one note of two deleted: the other's words stay
  const n1 = (await s.api('POST', `/api/v1/cases/${no}/notes`, { token: tok['agent.shpd'], body: { text: '备注一：百合' } })).json.note;
  const n2 = (await s.api('POST', `/api/v1/cases/${no}/notes`, { token: tok['agent.shpd'], body: { text: '备注二：康乃馨' } })).json.note;
  assert.ok(await finds('百合') && await finds('康乃馨'));
  assert.equal((await s.api('DELETE', `/api/v1/cases/${no}/notes/${n1.id}`, { token: tok['agent.shpd'] })).status, 200);
  assert.ok(!(await finds('百合')) && await finds('康乃馨'));
  assert.ok(n2.id);
  searchCheck(s.db);
});

test('contacts, promises and proposed solutions are searchable', async () => {
  const no = fx.IC.case_no;
  const finds = async (q) => (await searchQ(tok.admin, q)).nos.includes(no) && (await listQ(tok.admin, q)).nos.includes(no);
  assert.ok(!(await finds('牡丹')) && !(await finds('茉莉')) && !(await finds('玫瑰')));
  let r = await s.api('POST', `/api/v1/cases/${no}/contacts`, {
    token: tok['agent.shpd'], body: { method: 'phone', direction: 'outbound', summary: '已致电客户，约定补送牡丹。' },
  });
  assert.equal(r.status, 201, r.text);
  assert.ok(await finds('牡丹'), 'a contact\'s summary');
  searchCheck(s.db);
  r = await s.api('POST', `/api/v1/cases/${no}/promises`, {
    token: tok['agent.shpd'], body: { promise: '三日内补送茉莉。', due_at: `${shanghaiDate(3)}T18:00:00+08:00` },
  });
  assert.equal(r.status, 201, r.text);
  assert.ok(await finds('茉莉'), 'a promise');
  searchCheck(s.db);
  await act('agent.shpd', no, 'accept', {});
  await act('sup.east', no, 'assign', { dept: units.AFTERSALES.id, handler: 'handler.aftersales' });
  await act('handler.aftersales', no, 'propose', { solutions: [{ type: 'apology', description: '赠送玫瑰，并致歉。' }] });
  assert.ok(await finds('玫瑰'), 'a proposed solution');
  // the handler it went to finds it now too
  assert.ok((await searchQ(tok['handler.aftersales'], '玫瑰')).nos.includes(no));
  searchCheck(s.db);
});

// ---- 6. related cases at intake and on a case ------------------------------------------------------

const RELPHONE = '137-0000-9999';
const BATCH = 'PB-2026-0042';

async function relatedFixtures() {
  if (fx.R1) return;
  const shpd = units['SH-4S-PD'].id;
  // the same customer: R1 open on the batch, R2 rejected long ago, R3 by customer id, H1 at another outlet
  fx.R1 = await register('agent.shpd', caseBody({
    channel: 'phone', complainant: { name: '赵女士', phone: RELPHONE },
    subject: { product: '洗碗机', batch: BATCH, order_no: 'ORD-R1-001' }, description: '洗碗机第二次漏水，厨房地面积水。',
  }));
  fx.R2 = await register('agent.shpd', caseBody({
    channel: 'phone', received_at: atDaysAgo(60), complainant: { name: '赵女士', phone: RELPHONE },
    description: '上次购买的抽油烟机安装孔位不对。',
  }));
  await act('agent.shpd', fx.R2.case_no, 'reject', { reason: 'misunderstanding', answer: '经核实系误解,已向客户解释。' });
  fx.R3 = await register('agent.shpd', caseBody({
    channel: 'walk_in', complainant: { name: '赵女士（会员）', phone: '13911112222', customer_id: 'VIP-88001' },
    description: '会员积分未到账。',
  }));
  fx.R4 = await register('agent.shpd', caseBody({ channel: 'walk_in', complainant: { name: '钱多多' }, description: '排队时间太长。' }));
  fx.H1 = await register('agent.bj4s', caseBody({ channel: 'phone', complainant: { name: '赵女士', phone: RELPHONE }, description: '北京门店的会员卡无法使用。' }));
  // the same subject, other customers: S1 by batch, S2 by order number; S3 rejected, S4 too old
  fx.S1 = await register('admin', caseBody({
    channel: 'phone', outlet: shpd, complainant: { name: '邻居甲', phone: '13700001001' },
    subject: { product: '洗碗机', batch: BATCH }, description: '同批次机器门封条脱落。',
  }));
  fx.S2 = await register('agent.shpd', caseBody({
    channel: 'web', complainant: { name: '邻居乙', phone: '13700001002' },
    subject: { product: '消毒柜', order_no: 'ORD-7788-1' }, description: '订单发错了颜色。',
  }));
  fx.S3 = await register('agent.shpd', caseBody({
    channel: 'web', complainant: { name: '邻居丙', phone: '13700001003' },
    subject: { product: '洗碗机', batch: BATCH }, description: '门封条有异味。',
  }));
  await act('agent.shpd', fx.S3.case_no, 'reject', { reason: 'misunderstanding', answer: '经核实系误解,已向客户解释。' });
  fx.S4 = await register('agent.shpd', caseBody({
    channel: 'web', received_at: atDaysAgo(40), complainant: { name: '邻居丁', phone: '13700001004' },
    subject: { product: '洗碗机', batch: BATCH }, description: '门封条老化。',
  }));
  // similar words, nothing else in common
  fx.T1 = await register('agent.shpd', caseBody({
    channel: 'phone', complainant: { name: '燃气用户', phone: '13700001005' }, description: '燃气热水器点火后有爆燃声，吓坏了老人。',
  }));
}

const DRAFT = () => ({
  channel: 'phone',
  outlet: units['SH-4S-PD'].id,
  complainant: { name: '赵女士', phone: RELPHONE, customer_id: 'VIP-88001' },
  subject: { product: '洗碗机', batch: BATCH, order_no: 'ORD-7788-1' },
  description: '燃气热水器爆燃，洗碗机也漏水。',
});

test('intake/related: the customer\'s cases, open cases on the subject, similar texts, hidden; each case once', async () => {
  await relatedFixtures();
  const r = await s.api('POST', '/api/v1/intake/related', { token: tok.admin, body: DRAFT() });
  assert.equal(r.status, 200, r.text);
  const j = r.json;
  for (const k of ['customer', 'subject', 'similar', 'library']) assert.ok(Array.isArray(j[k]), `${k} is a list`);
  assert.equal(j.hidden, 0, 'the administrator sees everything');
  assert.equal(j.days, 30);
  assert.equal(j.subject_key, `batch:${BATCH}`);
  // the customer: any time, open and finished, newest first
  assert.deepEqual(keysOf(j.customer.map((c) => c.case_no)), ['H1', 'R1', 'R2', 'R3']);
  const cu = Object.fromEntries(j.customer.map((c) => [keysOf([c.case_no])[0], c]));
  assert.equal(cu.R1.open, true);
  assert.equal(cu.R2.open, false, 'a rejected case is the customer\'s too');
  assert.equal(cu.R2.status, 'rejected');
  assert.ok(cu.R1.why.includes('phone') && cu.R2.why.includes('phone') && cu.H1.why.includes('phone'));
  assert.deepEqual(cu.R3.why, ['customer_id']);
  const ids = j.customer.map((c) => Number(c.case_no.slice(8)));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
  // the subject: open, in the last 30 days, not the customer's own (they are listed above)
  assert.deepEqual(keysOf(j.subject.map((c) => c.case_no)), ['S1', 'S2']);
  const su = Object.fromEntries(j.subject.map((c) => [keysOf([c.case_no])[0], c]));
  assert.deepEqual(su.S1.why, ['subject']);
  assert.deepEqual(su.S2.why, ['order_no_or_plate']);
  for (const c of j.subject) assert.equal(c.open, true);
  // similar words
  const t1 = j.similar.find((c) => c.case_no === fx.T1.case_no);
  assert.ok(t1, `T1 is similar: ${JSON.stringify(j.similar.map((c) => c.case_no))}`);
  assert.equal(typeof t1.score, 'number');
  assert.ok(t1.score > 0);
  for (let i = 1; i < j.similar.length; i++) assert.ok(j.similar[i - 1].score >= j.similar[i].score, 'best first');
  for (const c of j.similar) assert.equal(c.open, true, 'similar cases are open ones');
  // never S3 (rejected) or S4 (received 40 days ago) on the subject or text
  const all = [...j.customer, ...j.subject, ...j.similar].map((c) => c.case_no);
  assert.equal(new Set(all).size, all.length, `each case in one list only: ${JSON.stringify(all)}`);
  assert.ok(!all.includes(fx.S3.case_no) && !all.includes(fx.S4.case_no), 'a finished or old case is not on the subject');
  for (const c of [...j.customer, ...j.subject, ...j.similar]) {
    for (const f of ['case_no', 'title', 'status', 'grade', 'channel', 'received_at', 'complainant', 'overdue', 'open', 'why']) {
      assert.ok(f in c, `related item has ${f}`);
    }
  }
});

test('intake/related for an agent: exactly the administrator\'s lists cut to what the agent may see; the rest is hidden', async () => {
  await relatedFixtures();
  const adm = (await s.api('POST', '/api/v1/intake/related', { token: tok.admin, body: DRAFT() })).json;
  for (const u of ['agent.shpd', 'sup.east', 'agent.bj4s', 'sup.north', 'agent.hotline', 'gm']) {
    const visible = new Set(nosOf((await listAll(s, tok[u])).items));
    const r = await s.api('POST', '/api/v1/intake/related', { token: tok[u], body: DRAFT() });
    assert.equal(r.status, 200, `${u}: ${r.text}`);
    let hidden = 0;
    for (const k of ['customer', 'subject', 'similar']) {
      const want = adm[k].filter((c) => visible.has(c.case_no));
      hidden += adm[k].length - want.length;
      assert.deepEqual(r.json[k].map((c) => c.case_no), want.map((c) => c.case_no), `${u}: ${k}`);
      assert.deepEqual(r.json[k].map((c) => c.why), want.map((c) => c.why), `${u}: ${k} why`);
    }
    assert.equal(r.json.hidden, hidden, `${u}: hidden counts what is not shown`);
  }
  const a = (await s.api('POST', '/api/v1/intake/related', { token: tok['agent.shpd'], body: DRAFT() })).json;
  assert.ok(!a.customer.some((c) => c.case_no === fx.H1.case_no), 'the other outlet\'s case of the same customer is not listed');
  assert.ok(a.hidden >= 1);
});

test('intake/related "why" names only what matched', async () => {
  await relatedFixtures();
  // by phone only: neither the draft nor R1 has a customer id
  let r = await s.api('POST', '/api/v1/intake/related', { token: tok['agent.shpd'], body: { complainant: { name: '某人', phone: RELPHONE } } });
  assert.equal(r.status, 200, r.text);
  const r1 = r.json.customer.find((c) => c.case_no === fx.R1.case_no);
  assert.deepEqual(r1.why, ['phone'], `POST /intake/related {complainant:{phone:'${RELPHONE}'}}: R1 has no customer_id`);
  // by name at the outlet only: R4 has neither phone nor customer id
  r = await s.api('POST', '/api/v1/intake/related', {
    token: tok['agent.shpd'], body: { outlet: units['SH-4S-PD'].id, complainant: { name: '钱多多' } },
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.customer.map((c) => c.case_no), [fx.R4.case_no]);
  assert.deepEqual(r.json.customer[0].why, ['name_outlet']);
});

test('intake/related: the name alone matches only at the same outlet; a bad draft → 422 like registering it', async () => {
  await relatedFixtures();
  let r = await s.api('POST', '/api/v1/intake/related', {
    token: tok.admin, body: { outlet: units['SH-4S-PD'].id, complainant: { name: '钱多多' } },
  });
  assert.deepEqual(r.json.customer.map((c) => c.case_no), [fx.R4.case_no]);
  assert.ok(r.json.customer[0].why.includes('name_outlet'));
  r = await s.api('POST', '/api/v1/intake/related', { token: tok.admin, body: { outlet: units['SH-4S-MH'].id, complainant: { name: '钱多多' } } });
  assert.deepEqual(r.json.customer, [], 'the same name at another outlet is someone else');
  r = await s.api('POST', '/api/v1/intake/related', { token: tok.admin, body: { complainant: { name: '钱多多' } } });
  assert.deepEqual(r.json.customer, [], 'a name without an outlet');
  // an empty draft: nothing to compare
  r = await s.api('POST', '/api/v1/intake/related', { token: tok['agent.shpd'], body: {} });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.customer, r.json.subject, r.json.similar, r.json.library, r.json.hidden], [[], [], [], [], 0]);

  const before = s.snapshot();
  const bad = [
    [{ channel: 'carrier_pigeon' }, 'channel'],
    [{ complainant: { name: 'x', phone: 'call me' } }, 'complainant.phone'],
    [{ complainant: { name: 'x', email: 'nope' } }, 'complainant.email'],
    [{ complainant: 'Mr X' }, 'complainant'],
    [{ category: 'nonsense' }, 'category'],
    [{ outlet: units.AFTERSALES.id }, 'outlet'],
    [{ received_at: 'yesterday' }, 'received_at'],
    [{ claimed_cents: -1 }, 'claimed_cents'],
    [{ description: 'x'.repeat(20001) }, 'description'],
    [{ colour: 'red' }, 'colour'],
    [{ status: 'closed' }, 'status'],
  ];
  for (const [body, field] of bad) {
    const r1 = await s.api('POST', '/api/v1/intake/related', { token: tok['agent.shpd'], body });
    const e = assert422(r1, field);
    // registering the same body names the same problem
    const r2 = await s.api('POST', '/api/v1/cases', { token: tok['agent.shpd'], body: { ...caseBody(), ...body } });
    const e2 = assert422(r2, field);
    assert.equal(e.details[field], e2.details[field], `${field}: the same message`);
  }
  assertError(await s.api('POST', '/api/v1/intake/related', { token: tok['agent.shpd'], rawBody: '{not json' }), 400);
  assertError(await s.api('POST', '/api/v1/intake/related', { token: tok['agent.shpd'], rawBody: '[1,2]' }), 400);
  assertError(await s.api('POST', '/api/v1/intake/related', { body: {} }), 401);
  assert.deepEqual(s.snapshot(), before, 'a related lookup writes nothing');
});

test('related: two open cases on one batch (no order number, no plate) are each other\'s subject', async () => {
  const mk = (i) => register('agent.shpd', caseBody({
    channel: 'phone', complainant: { name: `同批次${i}`, phone: `1370000400${i}` }, subject: { product: '电饭煲', batch: 'RB-2026-0501' },
    description: '电饭煲内胆涂层脱落。',
  }));
  const a = await mk(1);
  const b = await mk(2);
  for (const [x, y] of [[a, b], [b, a]]) {
    const r = await s.api('GET', `/api/v1/cases/${x.case_no}/related`, { token: tok['agent.shpd'] });
    assert.equal(r.status, 200, `GET /cases/${x.case_no}/related: ${r.text}`);
    assert.deepEqual(r.json.subject.map((c) => c.case_no), [y.case_no]);
    assert.deepEqual(r.json.subject[0].why, ['subject']);
  }
  const r = await s.api('POST', '/api/v1/intake/related', { token: tok['agent.shpd'], body: { subject: { product: '电饭煲', batch: 'RB-2026-0501' } } });
  assert.equal(r.status, 200, `POST /intake/related {subject:{batch}}: ${r.text}`);
  assert.deepEqual(r.json.subject.map((c) => c.case_no).sort(), [a.case_no, b.case_no].sort());
});

test('GET /cases/{no}/related: the same lists for a stored case, never the case itself', async () => {
  await relatedFixtures();
  const r = await s.api('GET', `/api/v1/cases/${fx.R1.case_no}/related`, { token: tok.admin });
  assert.equal(r.status, 200, r.text);
  const j = r.json;
  const all = [...j.customer, ...j.subject, ...j.similar].map((c) => c.case_no);
  assert.ok(!all.includes(fx.R1.case_no), 'not the case itself');
  assert.equal(new Set(all).size, all.length, 'each case once');
  assert.deepEqual(keysOf(j.customer.map((c) => c.case_no)), ['H1', 'R2']);
  assert.deepEqual(keysOf(j.subject.map((c) => c.case_no)), ['S1']);
  assert.equal(j.subject_key, `batch:${BATCH}`);
  assert.equal(j.hidden, 0);
  // the agent of R1's outlet: H1 (Beijing) is hidden
  const a = await s.api('GET', `/api/v1/cases/${fx.R1.case_no}/related`, { token: tok['agent.shpd'] });
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(keysOf(a.json.customer.map((c) => c.case_no)), ['R2']);
  assert.ok(a.json.hidden >= 1);
  // a case with similar words finds T1 and not itself
  const t = await s.api('GET', `/api/v1/cases/${fx.T1.case_no}/related`, { token: tok.admin });
  assert.ok(!t.json.similar.some((c) => c.case_no === fx.T1.case_no));
  assertError(await s.api('GET', `/api/v1/cases/${fx.R1.case_no}/related`, { token: tok['agent.bj4s'] }), 404);
  assertError(await s.api('GET', `/api/v1/cases/${fx.R1.case_no}/related`, {}), 401);
});

// ---- 7. group complaints ---------------------------------------------------------------------------

test('GET /groups: open cases on one batch from several customers; finished cases leave the group', async () => {
  const GB = 'GB-2026-1118';
  const key = `batch:${GB}`;
  const reg = (i, extra = {}) => register('agent.shpd', caseBody({
    channel: 'phone', complainant: { name: `保温杯客户${i}`, phone: `1370000200${i}` },
    subject: { product: '保温杯', batch: GB }, description: '保温杯漏水烫手。', ...extra,
  }));
  const g = [await reg(1), await reg(2), await reg(3, { received_at: atDaysAgo(2) }), await reg(4), await reg(5, { received_at: atDaysAgo(40) })];
  const group = async (query = '', user = 'admin') => {
    const r = await s.api('GET', `/api/v1/groups${query}`, { token: tok[user] });
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json.items));
    return r.json.items.find((x) => x.subject_key === key);
  };
  let x = await group();
  assert.ok(x, 'the batch is a group');
  assert.equal(x.kind, 'batch');
  assert.equal(x.value, GB);
  assert.equal(x.cases, 4, 'four open cases in the last 30 days');
  assert.equal(x.customers, 4);
  assert.deepEqual([...x.case_nos].sort(), g.slice(0, 4).map((c) => c.case_no).sort());
  assert.equal(x.trend.reduce((n, d) => n + d.cases, 0), x.cases, 'the trend sums to the cases');
  const days = {};
  for (const c of g.slice(0, 4)) days[shDate(c.received_at)] = (days[shDate(c.received_at)] ?? 0) + 1;
  assert.deepEqual(x.trend, Object.keys(days).sort().map((date) => ({ date, cases: days[date] })), 'cases per day, oldest first');
  assert.ok(Date.parse(x.first_at) <= Date.parse(x.last_at));
  assert.equal(Date.parse(x.first_at), Date.parse(g[2].received_at));
  // a longer window takes in the old one; a higher minimum drops the group
  x = await group('?days=60');
  assert.equal(x.cases, 5);
  assert.equal(x.trend.reduce((n, d) => n + d.cases, 0), 5);
  assert.equal(await group('?min=5'), undefined);
  assert.equal((await group('?min=5&days=60')).cases, 5);
  let r = await s.api('GET', '/api/v1/groups?limit=1&min=2', { token: tok.admin });
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 1);
  assert.equal(r.json.days, 30);
  assert.equal(r.json.min, 2);
  // where it may be seen: SH-4S-PD's agent and the east's supervisor, not Beijing
  assert.equal((await group('', 'agent.shpd')).cases, 4);
  assert.equal((await group('', 'sup.east')).cases, 4);
  assert.equal((await group('', 'auditor')).cases, 4);
  assert.equal(await group('', 'agent.bj4s'), undefined);
  assert.equal(await group('', 'sup.north'), undefined);
  assert.equal(await group('', 'handler.retail'), undefined);

  // close one (the whole way), reject another: two remain
  const no = g[0].case_no;
  const note = await s.api('POST', `/api/v1/cases/${no}/notes`, { token: tok['agent.shpd'], body: { text: '关闭前的备注：银杏。' } });
  assert.equal(note.status, 201, note.text);
  await act('agent.shpd', no, 'accept', {});
  await act('sup.east', no, 'assign', { dept: units.AFTERSALES.id, handler: 'handler.aftersales' });
  await act('handler.aftersales', no, 'propose', { solutions: [{ type: 'apology', description: '致歉并更换保温杯' }] });
  await act('gm', no, 'approve', {});
  await act('agent.shpd', no, 'resolve', { customer_consent: true });
  await act('agent.shpd', no, 'follow_up', { satisfaction: 5, method: 'phone' });
  const cur = (await s.api('GET', `/api/v1/cases/${no}`, { token: tok.admin })).json.case;
  if (cur.grade !== 'g1') {
    const imp = await s.api('POST', `/api/v1/cases/${no}/improvements`, {
      token: tok['handler.aftersales'], body: { kind: 'training', description: '保温杯质检培训', owner: 'handler.aftersales', due_on: shanghaiDate(30) },
    });
    assert.equal(imp.status, 201, imp.text);
  }
  const closed = await act('agent.shpd', no, 'close', { summary: '已更换', lessons: '加强出厂检验' });
  assert.equal(closed.status, 'closed');
  // a note on a closed case may still be taken back, and leaves the index
  assert.deepEqual((await searchQ(tok.admin, '银杏')).nos, [no]);
  r = await s.api('DELETE', `/api/v1/cases/${no}/notes/${note.json.note.id}`, { token: tok['agent.shpd'] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual((await searchQ(tok.admin, '银杏')).nos, []);
  x = await group();
  assert.equal(x.cases, 3);
  assert.ok(!x.case_nos.includes(no), 'a closed case leaves the group');
  assert.equal(x.trend.reduce((n, d) => n + d.cases, 0), 3);
  await act('agent.shpd', g[1].case_no, 'reject', { reason: 'misunderstanding', answer: '经核实系误解,已向客户解释。' });
  assert.equal(await group(), undefined, 'two open cases are no group at the default minimum of 3');
  x = await group('?min=2');
  assert.deepEqual([...x.case_nos].sort(), [g[2].case_no, g[3].case_no].sort());
  assert.equal(x.cases, 2);

  const before = s.snapshot();
  for (const [q, field] of [['days=0', 'days'], ['days=367', 'days'], ['days=x', 'days'], ['days=-1', 'days'], ['min=1', 'min'],
    ['min=1001', 'min'], ['min=', 'min'], ['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=1.5', 'limit']]) {
    assert422(await s.api('GET', `/api/v1/groups?${q}`, { token: tok.admin }), field);
  }
  assertError(await s.api('GET', '/api/v1/groups?day=3', { token: tok.admin }), 400);
  assertError(await s.api('GET', '/api/v1/groups', {}), 401);
  assert.deepEqual(s.snapshot(), before);
});

// ---- 8. the library ----------------------------------------------------------------------------------

async function writeup(sections, publish) {
  const c = await register('agent.shpd', caseBody({ channel: 'phone', complainant: { name: '案例客户', phone: '13700003000' }, description: sections.scenario }));
  await act('sup.east', c.case_no, 'regrade', { grade: 'g2', reason: '测试定级' });
  await act('agent.shpd', c.case_no, 'reject', { reason: 'misunderstanding', answer: '经核实系误解,已向客户解释。' });
  let r = await s.api('POST', `/api/v1/cases/${c.case_no}/writeup`, { token: tok.reviewer, body: sections });
  assert.equal(r.status, 201, r.text);
  const w = r.json.writeup;
  if (publish) {
    r = await s.api('POST', `/api/v1/library/${w.id}/publish`, { token: tok.reviewer });
    assert.equal(r.status, 200, r.text);
    return r.json.writeup;
  }
  return w;
}

test('library: write-ups found by Chinese words with a snippet; drafts only for the roles that see drafts; like a case → related', async () => {
  await relatedFixtures();
  const pub = await writeup({
    title: '洗碗机漏水的处理', scenario: '顾客反映新购洗碗机漏水严重，地板受潮。', analysis: '安装环节密封圈未压紧。',
    correct_practice: '上门检查密封圈并更换。', solution: '更换密封圈并致歉。',
  }, true);
  const draft = await writeup({
    title: '燃气灶点火困难', scenario: '顾客反映燃气灶点火困难。', analysis: '电池电量不足。', correct_practice: '指导更换电池。',
    solution: '上门演示更换方法。',
  }, false);
  const lib = async (user, q) => {
    const r = await s.api('GET', q ? `/api/v1/library?q=${enc(q)}` : '/api/v1/library?per_page=500', { token: tok[user] });
    assert.equal(r.status, 200, r.text);
    return r.json.items;
  };
  for (const q of ['洗碗机', '密封圈', '"密封圈 未 压紧"', '地板受潮', '洗碗机 -燃气灶']) {
    const items = await lib('agent.shpd', q);
    const w = items.find((x) => x.id === pub.id);
    assert.ok(w, `${q} finds the published write-up`);
    assert.equal(w.status, 'published');
    assert.equal(w.case_no, pub.case_no);
    assertSnippet(w.snippet, null, `library ${q}`);
  }
  assertSnippet((await lib('agent.shpd', '密封圈')).find((x) => x.id === pub.id).snippet, '密封圈', 'library 密封圈');
  // each item carries the start of its lesson (the first section written), with or without q
  for (const q of ['', '洗碗机']) {
    const w = (await lib('agent.shpd', q)).find((x) => x.id === pub.id);
    assert.equal(w.excerpt_section, 'correct_practice', q);
    assert.equal(w.excerpt, '上门检查密封圈并更换。', q);
  }
  // the write-up says whether the caller may open its source case (the place rule)
  const visible = async (user) => (await s.api('GET', `/api/v1/library/${pub.id}`, { token: tok[user] })).json.writeup.case_visible;
  assert.equal(await visible('agent.shpd'), true, 'the outlet\'s own agent');
  assert.equal(await visible('admin'), true);
  assert.equal(await visible('handler.aftersales'), false, 'a handler of another department');
  assert.ok(!(await lib('agent.shpd', '洗碗机 燃气灶')).some((x) => x.id === pub.id), 'every word must match');
  assert.ok(!(await lib('agent.shpd', '"压紧 密封圈"')).some((x) => x.id === pub.id), 'a phrase in order');
  // a draft: for the library's editors and the auditor, not for agents and handlers
  for (const u of ['reviewer', 'sup.east', 'gm', 'admin', 'auditor']) {
    const w = (await lib(u, '燃气灶')).find((x) => x.id === draft.id);
    assert.ok(w, `${u} finds the draft`);
    assert.equal(w.status, 'draft');
  }
  for (const u of ['agent.shpd', 'handler.aftersales', 'agent.hotline']) {
    assert.ok(!(await lib(u, '燃气灶')).some((x) => x.id === draft.id), `${u} does not find the draft`);
    const r = await s.api('GET', `/api/v1/search?q=${enc('燃气灶')}&in=library`, { token: tok[u] });
    assert.ok(!r.json.library.items.some((x) => x.id === draft.id), `${u}: /search does not show the draft`);
  }
  let r = await s.api('GET', `/api/v1/search?q=${enc('燃气灶')}&in=library`, { token: tok.reviewer });
  assert.ok(r.json.library.items.some((x) => x.id === draft.id));
  r = await s.api('GET', `/api/v1/search?q=${enc('密封圈')}`, { token: tok['agent.shpd'] });
  assert.equal(r.status, 200, r.text);
  const w = r.json.library.items.find((x) => x.id === pub.id);
  assert.ok(w, '/search shows the write-up beside the cases');
  assertSnippet(w.snippet, '密封圈', '/search library');
  assert.equal(r.json.library.total, r.json.library.items.length);
  // like a case: the related lists of a leaking dishwasher show the published write-up, not the draft
  r = await s.api('GET', `/api/v1/cases/${fx.R1.case_no}/related`, { token: tok['agent.shpd'] });
  assert.equal(r.status, 200, r.text);
  const rel = r.json.library.find((x) => x.id === pub.id);
  assert.ok(rel, `R1's related library: ${JSON.stringify(r.json.library)}`);
  assert.equal(rel.case_no, pub.case_no);
  assert.equal(rel.title, pub.title);
  assert.equal(typeof rel.score, 'number');
  assertSnippet(rel.snippet, null, 'related library');
  r = await s.api('POST', '/api/v1/intake/related', { token: tok['agent.shpd'], body: { description: '新买的洗碗机漏水，地板都湿了' } });
  assert.ok(r.json.library.some((x) => x.id === pub.id), 'a draft complaint finds the write-up');
  r = await s.api('POST', '/api/v1/intake/related', { token: tok['agent.shpd'], body: { description: '燃气灶点火困难' } });
  assert.ok(!r.json.library.some((x) => x.id === draft.id), 'never a draft');
  r = await s.api('POST', '/api/v1/intake/related', { token: tok.admin, body: { description: '燃气灶点火困难' } });
  assert.ok(!r.json.library.some((x) => x.id === draft.id), 'not even for the administrator');
  // published later: found from then on
  r = await s.api('POST', `/api/v1/library/${draft.id}/publish`, { token: tok.reviewer });
  assert.equal(r.status, 200, r.text);
  assert.ok((await lib('agent.shpd', '燃气灶')).some((x) => x.id === draft.id));
  // edited: found by the new words only
  r = await s.api('PATCH', `/api/v1/library/${draft.id}`, { token: tok.reviewer, body: { analysis: '打火针积碳。' } });
  assert.equal(r.status, 200, r.text);
  assert.ok((await lib('agent.shpd', '积碳')).some((x) => x.id === draft.id));
  assert.ok(!(await lib('agent.shpd', '电池电量')).some((x) => x.id === draft.id));
  searchCheck(s.db);
});

// ---- 9. the command line -------------------------------------------------------------------------------

test('tousu search find | check | rebuild on the server\'s database; a bad query exits 2', async () => {
  let r = spawnSync(BIN, ['search', 'find', '空调', '--db', s.db], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const m = /^(\d+) cases match\n/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(Number(m[1]), (await listQ(tok.admin, '空调')).total);
  assert.match(r.stdout, new RegExp(`^${fx.AC.case_no} .*\\[空调\\]`, 'm'));
  r = spawnSync(BIN, ['search', 'find', 'phone:139-1234-5678', '--db', s.db], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^1 cases match\n/);
  assert.ok(r.stdout.includes(fx.AC.case_no));
  r = spawnSync(BIN, ['search', 'find', '"不制冷 空调"', '--db', s.db], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `${baseline['"不制冷 空调"'].length} cases match\n`);
  for (const bad of ['"空调', '-空调', '!!!', '', 'x'.repeat(300)]) {
    r = spawnSync(BIN, ['search', 'find', bad, '--db', s.db], { encoding: 'utf8' });
    assert.equal(r.status, 2, `find ${JSON.stringify(bad)}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.length > 0);
  }
  for (const args of [['search'], ['search', 'nope'], ['search', 'find']]) {
    r = spawnSync(BIN, [...args, '--db', s.db], { encoding: 'utf8' });
    assert.equal(r.status, 2, args.join(' '));
  }
  const out = searchCheck(s.db);
  const [, n] = /^ok: (\d+) cases/.exec(out);
  assert.equal(Number(n), s.sql('SELECT count(*) AS n FROM cases')[0].n);
  r = spawnSync(BIN, ['search', 'rebuild', '--db', s.db], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^indexed ${n} cases and \\d+ library write-ups`));
  searchCheck(s.db);
  // the server goes on finding (and indexing) after the rebuild under it
  assert.ok((await listQ(tok.admin, '空调')).nos.includes(fx.AC.case_no));
  const c = await register('agent.shpd', caseBody({ channel: 'phone', description: '重建之后登记的风信子投诉。' }));
  assert.deepEqual((await searchQ(tok.admin, '风信子')).nos, [c.case_no]);
  searchCheck(s.db);
});

// ---- 5. a crash in the middle of writing ----------------------------------------------------------------

test('kill -9 during a burst of registrations and notes: after the restart the index agrees and every acknowledged write is found', async () => {
  const dir = tmpDir();
  const db = prepareDb(dir);
  let k = new Server(db, dir);
  await k.start();
  try {
    const t = await k.login('admin');
    const base = await k.api('POST', '/api/v1/cases', { token: t, body: caseBody({ outlet: 20, description: '备注的底案' }) });
    assert.equal(base.status, 201, base.text);
    const baseNo = base.json.case.case_no;
    const word = (kind, i) => `${kind}${1000 + i}zq`; // one ICU token: letters and digits
    const regs = Array.from({ length: 40 }, (_, i) => k
      .api('POST', '/api/v1/cases', { token: t, body: caseBody({ outlet: 20, complainant: { name: `断电${i}` }, description: `断电测试 ${word('reg', i)}` }) })
      .then((r) => ({ i, status: r.status, case_no: r.json?.case?.case_no }))
      .catch(() => ({ i, status: 0 })));
    const notes = Array.from({ length: 20 }, (_, i) => k
      .api('POST', `/api/v1/cases/${baseNo}/notes`, { token: t, body: { text: `断电备注 ${word('note', i)}` } })
      .then((r) => ({ i, status: r.status }))
      .catch(() => ({ i, status: 0 })));
    const all = [...regs, ...notes];
    // kill once a few are acknowledged, with the rest still in flight
    let acked = 0;
    await new Promise((resolve) => {
      for (const p of all) p.then((r) => { if (r.status === 201 && ++acked === 8) resolve(); });
      Promise.all(all).then(resolve);
    });
    await k.kill9();
    const doneRegs = await Promise.all(regs);
    const doneNotes = await Promise.all(notes);
    for (const r of [...doneRegs, ...doneNotes]) assert.ok([0, 201].includes(r.status), `an answer before the kill: ${JSON.stringify(r)}`);
    const okRegs = doneRegs.filter((r) => r.status === 201);
    const okNotes = doneNotes.filter((r) => r.status === 201);
    assert.ok(okRegs.length + okNotes.length >= 8);

    searchCheck(db); // the server is down: the CLI alone
    k = new Server(db, dir);
    await k.start();
    searchCheck(db);
    const t2 = await k.login('admin');
    for (const r of okRegs) {
      const f = await k.api('GET', `/api/v1/search?q=${word('reg', r.i)}&in=cases`, { token: t2 });
      assert.equal(f.status, 200, f.text);
      assert.deepEqual(f.json.cases.items.map((c) => c.case_no), [r.case_no], `acknowledged case ${r.case_no} found by ${word('reg', r.i)}`);
      const l = await k.api('GET', `/api/v1/cases?q=${word('reg', r.i)}`, { token: t2 });
      assert.deepEqual(l.json.items.map((c) => c.case_no), [r.case_no]);
    }
    for (const r of okNotes) {
      const f = await k.api('GET', `/api/v1/search?q=${word('note', r.i)}&in=cases`, { token: t2 });
      assert.deepEqual(f.json.cases.items.map((c) => c.case_no), [baseNo], `acknowledged note ${r.i} found`);
    }
    // whatever else was stored is indexed too: every stored case and note is found by its word
    const stored = k.sql("SELECT case_no, description FROM cases WHERE description LIKE '断电测试 %'");
    assert.ok(stored.length >= okRegs.length);
    for (const row of stored) {
      const w = row.description.split(' ')[1];
      const f = await k.api('GET', `/api/v1/cases?q=${w}`, { token: t2 });
      assert.deepEqual(f.json.items.map((c) => c.case_no), [row.case_no], `stored ${row.case_no} found by ${w}`);
    }
    for (const row of k.sql("SELECT text FROM case_notes WHERE text LIKE '断电备注 %'")) {
      const w = row.text.split(' ')[1];
      const f = await k.api('GET', `/api/v1/cases?q=${w}`, { token: t2 });
      assert.deepEqual(f.json.items.map((c) => c.case_no), [baseNo], `stored note found by ${w}`);
    }
    // and it goes on indexing
    const after = await k.api('POST', '/api/v1/cases', { token: t2, body: caseBody({ outlet: 20, description: '重启后 reboot7zq' }) });
    assert.equal(after.status, 201);
    const f = await k.api('GET', '/api/v1/search?q=reboot7zq&in=cases', { token: t2 });
    assert.deepEqual(f.json.cases.items.map((c) => c.case_no), [after.json.case.case_no]);
    await k.stop();

    // a damaged index is told apart, and rebuilt
    const copy = path.join(dir, 'copy.db');
    fs.copyFileSync(db, copy);
    const w = sqlWrite(copy, `DELETE FROM case_fts_content WHERE id = (SELECT max(id) FROM cases)`);
    assert.ok(w.ok, w.stderr);
    let r = spawnSync(BIN, ['search', 'check', '--db', copy], { encoding: 'utf8' });
    assert.equal(r.status, 1, `a damaged index: ${r.stdout}${r.stderr}`);
    assert.ok(!r.stdout.startsWith('ok'), r.stdout);
    r = spawnSync(BIN, ['search', 'rebuild', '--db', copy], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    searchCheck(copy);
    r = spawnSync(BIN, ['search', 'find', 'reboot7zq', '--db', copy], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^1 cases match\n/);
  } finally {
    if (k.proc && !k.exit) await k.kill9();
  }
});

test('SIGTERM after all of the above: exit code 0, no sanitizer report (leaks, memory errors)', async () => {
  searchCheck(s.db);
  await assertCleanShutdown(s);
});
