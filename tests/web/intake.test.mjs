// The intake screen (登记投诉, web/src/views/IntakeView.vue) against the real server: `tousu serve`
// on a temporary demo database (uploads limited to 1 MiB, so that the server itself refuses a
// bigger file), Debian's chromium at 1280×800, zh-CN, Asia/Shanghai. An outlet's agent
// (agent.shpd, 上海浦东华信大众4S店) registers a complaint by keyboard only; the related cases of
// a demo customer appear as their phone is typed, equal to the API's answer; a value the server
// refuses is shown at its field and nothing is created; evidence dropped on the page is
// uploaded once the case exists (and a refused upload leaves the case as it is); the screen in
// English. Screenshots: tests/web/out/3x-intake-*.png.
//
// Run: TOUSU_BIN=/abs/tousu [TOUSU_WEB_DIR=/abs/dist] node --test --test-concurrency=1 tests/web/intake.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, assertCleanShutdown, shanghaiDate } from '../api/lib.mjs';
import { WEB_DIR, openBrowser, loginAs } from './browser.mjs';
import { yuanToCents, phoneOk, emailOk, caseBody, blankForm, check, relatedDraft, evidenceType, categoryTree, allowedOutlets } from '../../web/src/components/intake/intake.js';

const AGENT = { username: 'agent.shpd', password: 'demo-agent-2026' };
const MAX_UPLOAD = 1024 * 1024;

// a 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

let s;
let token; // the agent's, for the API's side
let me; // the agent (GET /auth/me)
let demoCases; // the cases the agent may see before the tests register any
let b; // {browser, context, page, expectProblem, unexpected, shot, …}
let context;
let page;
const expectProblem = (re) => b.expectProblem(re);

async function shot(name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await b.shot(`3x-intake-${name}`);
}

async function assertNoSideScroll(screen) {
  const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(sw <= cw, `${screen}: the page is ${sw}px wide in a ${cw}px window`);
}

/* Every control of the page has an accessible name. */
async function assertNamed(screen) {
  const tree = await page.locator('body').ariaSnapshot();
  const unnamed = tree
    .split('\n')
    .filter((l) => /- (combobox|textbox|button|link|radio|checkbox|spinbutton|listbox|menuitem|img)\b/.test(l))
    .filter((l) => !/- \w+ "[^"]+"/.test(l) && !/- \w+ '[^']+'/.test(l));
  assert.deepEqual(unnamed, [], `${screen}: controls without an accessible name`);
}

async function api(method, p, body) {
  const r = await s.api(method, p, { token, body });
  return r;
}

/* The field (data-field, an API path) that has the keyboard focus. */
const focused = () => page.evaluate(() => document.activeElement?.closest('[data-field]')?.dataset.field ?? null);

/* Presses Tab until the focus is in the field (at most 40 times). */
async function tabTo(field) {
  for (let i = 0; i < 40; i++) {
    if ((await focused()) === field) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${field} (focus is in ${await focused()})`);
}

/* Types into a filterable picker that has the focus and takes the first match with Enter. */
async function pick(text) {
  await page.keyboard.type(text);
  await page.locator('.el-select-dropdown__item.is-hovering:visible', { hasText: text }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function openIntake() {
  await page.goto(`${s.url}/intake`);
  await page.getByTestId('intake-form').waitFor();
  // the lists have arrived: the receiving outlet shows the agent's own
  await page.waitForFunction(() => !document.querySelector('[data-field=outlet] .el-select__wrapper .is-transparent'));
}

/* The newest case the agent may see. */
async function newest() {
  const r = await api('GET', '/api/v1/cases?per_page=1');
  assert.equal(r.status, 200);
  return { no: r.json.items[0]?.case_no, total: r.json.total };
}

before(async () => {
  s = await startServer({ args: ['--web-dir', WEB_DIR, '--max-upload', String(MAX_UPLOAD)] });
  token = await s.login(AGENT.username, AGENT.password);
  me = (await api('GET', '/api/v1/auth/me')).json.user;
  demoCases = (await api('GET', '/api/v1/cases?per_page=100')).json.items;
  b = await openBrowser({}, { timeout: 20000 });
  ({ context, page } = b);
  context.on('page', (p) => b.watch(p)); // a case opened from the related list, too
  // log in (the form, not by keyboard: the keyboard is for the intake)
  await loginAs(page, s.url, AGENT.username, AGENT.password, { redirect: '/intake' });
});

after(async () => {
  await b?.browser.close();
  if (s) await assertCleanShutdown(s);
});

test('the rules of the form: yuan to cents exactly, the server\'s formats, the bodies sent', () => {
  assert.deepEqual(yuanToCents('1234.56'), { cents: 123456 });
  assert.deepEqual(yuanToCents('0.1'), { cents: 10 });
  assert.deepEqual(yuanToCents('0.29'), { cents: 29 }); // 0.29 * 100 is 28.999… as a float
  assert.deepEqual(yuanToCents('1,234.5'), { cents: 123450 });
  assert.deepEqual(yuanToCents('¥ 80'), { cents: 8000 });
  assert.deepEqual(yuanToCents('\uffe5\uff11\uff12\uff13\uff14\uff0e\uff15'), { cents: 123450 }); // full-width
  assert.deepEqual(yuanToCents('100000000000'), { cents: 10_000_000_000_000 });
  assert.deepEqual(yuanToCents('100000000000.01'), { error: 'range' });
  assert.deepEqual(yuanToCents('1.234'), { error: 'format' });
  assert.deepEqual(yuanToCents('-5'), { error: 'format' });
  assert.deepEqual(yuanToCents(''), { cents: null });
  // src/core/text.c: ts_phone_ok, ts_email_ok
  for (const p of ['13800138000', '+86 (21) 5555-0000', '110']) assert.ok(phoneOk(p), p);
  for (const p of ['12', '1a3', '---', '1'.repeat(33)]) assert.ok(!phoneOk(p), p);
  for (const e of ['a@b.cn', 'zhang.san@example.com']) assert.ok(emailOk(e), e);
  for (const e of ['a@b', 'a@@b.cn', '@b.cn', 'a@.cn', 'a@b.', 'a b@c.cn']) assert.ok(!emailOk(e), e);
  // the page checks only what the server requires; formats are the server's to refuse
  const f = blankForm({ channel: 'phone' });
  assert.deepEqual(Object.keys(check(f, { outletRequired: true })).sort(), ['complainant.name', 'description', 'outlet']);
  f.complainant.name = ' 张三 ';
  f.complainant.email = 'not-an-address';
  f.description = '电饭煲不加热';
  f.claimed = '12.3';
  f.flags.injury = true;
  assert.deepEqual(check(f), {});
  const b = caseBody(f);
  assert.equal(b.complainant.name, '张三');
  assert.equal(b.complainant.email, 'not-an-address');
  assert.equal(b.claimed_cents, 1230);
  assert.equal(b.flags.injury, true);
  assert.equal(b.flags.fire, false);
  assert.equal(b.subject, undefined, 'no empty strings sent');
  assert.equal(b.title, undefined);
  // a half-typed phone is left out of the lookup (the server would answer 422)
  const d = blankForm();
  assert.equal(relatedDraft(d), null);
  d.complainant.phone = '13';
  assert.equal(relatedDraft(d), null);
  d.complainant.phone = '138';
  assert.deepEqual(relatedDraft(d), { complainant: { phone: '138' }, channel: 'phone' });
  assert.equal(evidenceType('录音.m4a', 'audio/x-m4a'), 'audio/mp4');
  assert.equal(evidenceType('scan.PDF', ''), 'application/pdf');
  assert.equal(evidenceType('tool.exe', 'application/x-msdownload'), null);
  const tree = categoryTree([
    { code: 'b', parent: 'a', name_zh: '乙', name_en: 'B' },
    { code: 'a', parent: null, name_zh: '甲', name_en: 'A' },
    { code: 'c', parent: null, name_zh: '丙', name_en: 'C' },
  ]);
  assert.deepEqual(tree.map((c) => [c.code, c.depth]), [['a', 0], ['b', 1], ['c', 0]]);
  const units = [
    { id: 1, kind: 'company', path: '/1/' },
    { id: 2, kind: 'region', path: '/1/2/' },
    { id: 3, kind: 'outlet', path: '/1/2/3/' },
    { id: 4, kind: 'outlet', path: '/1/4/' },
  ];
  assert.deepEqual(allowedOutlets(units, { roles: ['supervisor'], unit: 2 }).map((u) => u.id), [3]);
  assert.deepEqual(allowedOutlets(units, { roles: ['agent'], unit: 3 }).map((u) => u.id), [3]);
  assert.deepEqual(allowedOutlets(units, { roles: ['general_manager'], unit: 1 }).map((u) => u.id), [3, 4]);
});

test('keyboard only: an outlet agent registers a letter received yesterday; the number shown is the API\'s newest case, its fields as typed', async () => {
  await openIntake();
  await assertNoSideScroll('the empty form');
  await assertNamed('the empty form');
  assert.equal(await focused(), 'complainant.phone', 'the phone field has the focus on arrival');
  assert.match(await page.getByTestId('intake-shortcuts').innerText(), /Ctrl\s*\+\s*Enter/);
  await shot('empty');

  const before = await newest();
  const phone = `139${String(Date.now()).slice(-8)}`;
  const yesterday = shanghaiDate(-1);
  const k = page.keyboard;
  // 1 the customer
  await k.type(phone);
  await k.press('Tab');
  await k.type('钱测试');
  await k.press('Tab');
  await k.type('M-2026-0815');
  await k.press('Tab');
  await k.type('qian.test@example.com');
  await tabTo('complainant.level');
  await k.press('Space'); // VIP
  await tabTo('complainant.contact_pref');
  await pick('微信');
  await tabTo('complainant.address');
  await k.type('上海市浦东新区测试路 8 号');
  // 2 the subject, by its shortcut
  await k.press('Alt+2');
  assert.equal(await focused(), 'subject.product');
  await k.type('帕萨特 2026 款');
  await k.press('Tab');
  await k.type('B2026-11');
  await k.press('Tab');
  await k.type('SO-2026-8899');
  await k.press('Tab');
  await k.type('沪A·T1234');
  await tabTo('subject.employee');
  await k.type('服务顾问小王');
  // 3 the complaint
  await k.press('Alt+3');
  assert.equal(await focused(), 'channel');
  await pick('信函');
  await k.press('Tab');
  assert.equal(await focused(), 'category');
  await pick('维修质量');
  await tabTo('title');
  await k.type('保养后刹车异响');
  await k.press('Tab');
  assert.equal(await focused(), 'received_at');
  await k.type(`${yesterday} 09:30`);
  await k.press('Enter');
  await tabTo('description');
  await k.type('来信称保养后刹车有异响。');
  await k.press('Enter');
  await k.type('要求免费复检并赔偿误工费。');
  await k.press('Tab');
  assert.equal(await focused(), 'demands');
  await pick('换货');
  await pick('赔偿');
  await k.press('Escape');
  await tabTo('claimed_cents');
  await k.type('1234.56');
  assert.equal((await page.getByTestId('f-claimed-preview').innerText()).trim(), '¥1,234.56');
  // 4 the flags
  await k.press('Alt+4');
  assert.equal(await focused(), 'flags.injury');
  await tabTo('flags.safety_related');
  await k.press('Space');
  await tabTo('flags.media_threat');
  await k.press('Space');

  // save: Ctrl+Enter
  const posted = page.waitForResponse((r) => r.url().endsWith('/api/v1/cases') && r.request().method() === 'POST');
  await k.press('Control+Enter');
  assert.equal((await posted).status(), 201);
  await page.getByTestId('saved').waitFor();
  const no = (await page.getByTestId('saved-case-no').innerText()).trim();
  const after = await newest();
  assert.equal(no, after.no, 'the number shown is the newest case');
  assert.equal(after.total, before.total + 1);

  const c = (await api('GET', `/api/v1/cases/${no}`)).json.case;
  assert.deepEqual(
    { ...c.complainant },
    { name: '钱测试', phone, email: 'qian.test@example.com', customer_id: 'M-2026-0815', vip: true, vvip: false, address: '上海市浦东新区测试路 8 号', contact_pref: 'wechat' },
  );
  assert.equal(c.subject.product, '帕萨特 2026 款');
  assert.equal(c.subject.batch, 'B2026-11');
  assert.equal(c.subject.order_no, 'SO-2026-8899');
  assert.equal(c.subject.plate, '沪A·T1234');
  assert.equal(c.subject.employee, '服务顾问小王');
  assert.equal(c.subject.vin, null);
  assert.equal(c.channel, 'letter');
  assert.equal(c.external, false);
  assert.equal(c.category, 'repair_quality');
  assert.equal(c.title, '保养后刹车异响');
  assert.equal(c.description, '来信称保养后刹车有异响。\n要求免费复检并赔偿误工费。');
  assert.deepEqual(c.demands, ['exchange', 'compensation']);
  assert.equal(c.claimed_cents, 123456);
  assert.equal(c.received_at, `${yesterday}T09:30:00+08:00`);
  assert.equal(c.outlet, me.unit, 'the agent\'s own outlet');
  assert.equal(c.owner, AGENT.username);
  const on = Object.entries(c.flags).filter(([, v]) => v).map(([f]) => f).sort();
  assert.deepEqual(on, ['media_threat', 'safety_related']);

  // what the page says is what the server decided
  assert.equal(await page.getByTestId('saved-grade').getAttribute('data-grade'), c.grade);
  const rules = await page.locator('[data-testid=saved-reasons] li').evaluateAll((els) => els.map((e) => e.dataset.rule));
  assert.deepEqual(rules, c.grade_reasons.map((r) => r.rule));
  assert.ok(c.grade_reasons.length > 0, 'the flags fired a grading rule');
  const units = (await api('GET', '/api/v1/org/units?per_page=500')).json.items;
  const dept = units.find((u) => u.id === c.dept);
  assert.equal((await page.getByTestId('saved-dept').innerText()).trim(), dept ? dept.name : '未匹配分派规则，待主管分派');
  assert.equal((await page.getByTestId('saved-outlet').innerText()).trim(), units.find((u) => u.id === c.outlet).name);
  assert.equal((await page.getByTestId('saved-received').innerText()).trim(), `${yesterday} 09:30`);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.closest('[data-testid]')?.dataset.testid), 'saved-copy');
  // beside it now: the new case's own related cases
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid=related-panel]');
    return p?.dataset.loading === 'false' && p.dataset.state === 'ok';
  });
  const rel = (await api('GET', `/api/v1/cases/${no}/related`)).json;
  for (const g of ['customer', 'subject', 'similar'])
    assert.deepEqual(await page.locator(`[data-testid=related-${g}-item]`).evaluateAll((els) => els.map((e) => e.dataset.caseNo)), rel[g].map((x) => x.case_no), g);
  await assertNoSideScroll('saved');
  await assertNamed('saved');
  await shot('saved');

  // Alt+N: the next complaint, the channel kept, the focus back on the phone
  await k.press('Alt+N');
  await page.getByTestId('intake-form').waitFor();
  assert.equal(await focused(), 'complainant.phone');
  assert.equal(await page.getByTestId('f-phone').inputValue(), '');
  assert.equal(await page.locator('[data-field=channel] .el-select__placeholder:not(.is-transparent)').innerText(), '信函');
});

test('the related panel: a demo customer\'s earlier cases and open cases on the same subject, as the API answers them', async () => {
  await openIntake();
  // a demo case the agent may see, and its customer's phone
  const demo = demoCases.find((c) => c.complainant.phone);
  assert.ok(demo, 'a case with a phone at the agent\'s outlet');
  // another customer's open complaint on the same product, received today (a group complaint?)
  const product = `电饭煲 X${Date.now() % 100000}`;
  const other = await api('POST', '/api/v1/cases', { channel: 'phone', complainant: { name: '孙其他', phone: '13711112222' }, subject: { product }, description: '同款电饭煲不加热。' });
  assert.equal(other.status, 201, other.text);

  assert.equal(await page.getByTestId('related-idle').count(), 1, 'nothing looked up before anything is typed');
  await page.keyboard.type(demo.complainant.phone.slice(0, 2)); // too short to look up by
  await page.waitForTimeout(700);
  assert.equal(await page.getByTestId('related-idle').count(), 1);
  const req = page.waitForRequest((r) => r.url().endsWith('/api/v1/intake/related') && r.method() === 'POST' && JSON.parse(r.postData()).complainant?.phone === demo.complainant.phone);
  await page.keyboard.type(demo.complainant.phone.slice(2));
  const sent = JSON.parse((await req).postData());
  await page.getByTestId('related-customer-item').first().waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=related-panel]')?.dataset.loading === 'false');
  const shown = async (group) => page.locator(`[data-testid=related-${group}-item]`).evaluateAll((els) => els.map((e) => e.dataset.caseNo));
  const answer = (await api('POST', '/api/v1/intake/related', sent)).json;
  assert.deepEqual(await shown('customer'), answer.customer.map((c) => c.case_no));
  assert.ok(answer.customer.some((c) => c.case_no === demo.case_no), 'the demo case is the customer\'s');
  const item = page.locator(`[data-testid=related-customer-item][data-case-no="${demo.case_no}"]`);
  const text = await item.innerText();
  assert.ok(text.includes(demo.title), 'its title');
  assert.ok(text.includes(demo.received_at.slice(0, 10)), 'its received date');
  assert.ok(text.includes({ received: '已登记', accepted: '已受理', investigating: '调查处理中' }[demo.status] ?? ''), 'its status');
  assert.equal(await item.locator('.grade-tag').getAttribute('data-grade'), demo.grade);

  // the subject: typing the product finds the other customer's open case
  await page.keyboard.press('Alt+2');
  const req2 = page.waitForRequest((r) => r.url().endsWith('/api/v1/intake/related') && JSON.parse(r.postData()).subject?.product === product);
  await page.keyboard.type(product);
  const sent2 = JSON.parse((await req2).postData());
  await page.locator(`[data-testid=related-subject-item][data-case-no="${other.json.case.case_no}"]`).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=related-panel]')?.dataset.loading === 'false');
  const answer2 = (await api('POST', '/api/v1/intake/related', sent2)).json;
  assert.deepEqual(await shown('customer'), answer2.customer.map((c) => c.case_no));
  assert.deepEqual(await shown('subject'), answer2.subject.map((c) => c.case_no));
  assert.match(await page.getByTestId('related-subject').innerText(), /可能是群诉/);
  await page.keyboard.press('Alt+1');
  await page.keyboard.press('Tab');
  await page.keyboard.type('吴振华');
  await assertNoSideScroll('the form with related cases');
  await shot('related');

  // a case opens in a new tab (the form stays), by keyboard: Alt+6, Tab, Enter
  await page.keyboard.press('Alt+6');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'related-link');
  const target = (await page.evaluate(() => document.activeElement.textContent)).trim();
  assert.ok(answer2.customer.some((c) => c.case_no === target));
  const popup = context.waitForEvent('page');
  await page.keyboard.press('Enter');
  const tab = await popup;
  await tab.getByTestId('case-title-no').waitFor();
  assert.equal((await tab.getByTestId('case-title-no').innerText()).trim(), target, 'the new tab has the session and the case');
  await tab.close();
  assert.equal(await page.getByTestId('f-name').inputValue(), '吴振华', 'the form is as it was');

  // the product removed: the subject list goes, "none found" would be quiet
  await page.keyboard.press('Alt+2');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => !document.querySelector('[data-testid=related-subject]'));
});

test('a value the server refuses is shown at its field, the focus goes there, and nothing is created', async () => {
  await openIntake();
  const before = await newest();
  let posts = 0;
  const count = (r) => {
    if (r.url().endsWith('/api/v1/cases') && r.method() === 'POST') posts++;
  };
  page.on('request', count);

  // what the server requires is checked on the page first: no request
  await page.keyboard.press('Control+Enter');
  await page.getByTestId('intake-error').waitFor();
  assert.equal(posts, 0);
  assert.equal(await focused(), 'complainant.name');
  assert.match(await page.locator('[data-field="complainant.name"] .el-form-item__error').innerText(), /必填/);
  assert.match(await page.locator('[data-field="description"] .el-form-item__error').innerText(), /必填/);

  // a malformed e-mail: the server's 422, at the field
  await page.keyboard.type('周测试');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('zhou@@example');
  assert.equal(await focused(), 'complainant.email');
  await page.keyboard.press('Alt+3');
  await tabTo('description');
  await page.keyboard.type('店员态度恶劣。');
  await tabTo('claimed_cents');
  await page.keyboard.type('12.345'); // three decimals: the page cannot read it as cents
  expectProblem(/HTTP 422: .*\/api\/v1\/cases$/);
  expectProblem(/console error: Failed to load resource: the server responded with a status of 422/);
  await page.keyboard.press('Control+Enter');
  assert.equal(posts, 0, 'the amount is checked on the page');
  assert.equal(await focused(), 'claimed_cents');
  assert.match(await page.locator('[data-field=claimed_cents] .el-form-item__error').innerText(), /两位小数/);
  await page.keyboard.press('Backspace');

  const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/cases') && r.request().method() === 'POST');
  await page.keyboard.press('Alt+S');
  const res = await answered;
  assert.equal(res.status(), 422);
  assert.deepEqual(Object.keys((await res.json()).error.details), ['complainant.email']);
  await page.locator('[data-field="complainant.email"] .el-form-item__error').waitFor();
  assert.equal((await page.locator('[data-field="complainant.email"] .el-form-item__error').innerText()).trim(), '请输入有效的电子邮件地址');
  assert.equal(await focused(), 'complainant.email', 'the focus is on the bad field');
  assert.match(await page.getByTestId('intake-error').innerText(), /未登记/);
  assert.equal(await page.getByTestId('saved').count(), 0);
  const after = await newest();
  assert.deepEqual(after, before, 'no case was created');
  await assertNoSideScroll('the refused form');
  await shot('422');

  // corrected: the message goes as the field changes, and the case is registered
  await page.keyboard.press('Control+A');
  await page.keyboard.type('zhou@example.com');
  await page.locator('[data-field="complainant.email"] .el-form-item__error').waitFor({ state: 'detached' });
  await page.keyboard.press('Control+Enter');
  await page.getByTestId('saved').waitFor();
  const no = (await page.getByTestId('saved-case-no').innerText()).trim();
  const c = (await api('GET', `/api/v1/cases/${no}`)).json.case;
  assert.equal(c.complainant.email, 'zhou@example.com');
  assert.equal(c.claimed_cents, 1234);
  assert.equal(c.channel, 'phone');
  assert.equal((await newest()).total, before.total + 1);
  page.off('request', count);
});

test('evidence dropped or chosen waits for the case, then is uploaded file by file; a file the server refuses leaves the case as it is', async () => {
  await openIntake();
  await page.keyboard.press('Tab');
  await page.keyboard.type('郑测试');
  await page.keyboard.press('Alt+3');
  await tabTo('description');
  await page.keyboard.type('附上照片和说明。');

  // chosen: the upload's own file input
  const input = page.locator('[data-testid=evidence-drop] input[type=file]');
  await input.setInputFiles({ name: '照片.png', mimeType: 'image/png', buffer: PNG });
  // dropped: a real drop event with a DataTransfer, on the drop area
  const note = '客户来电记录：刹车异响，已约复检。\n';
  const big = crypto.randomBytes(MAX_UPLOAD + 4096); // over this server's max_upload
  await page.evaluate(
    ({ note, bigB64 }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([note], '说明.txt', { type: 'text/plain' }));
      dt.items.add(new File([Uint8Array.from(atob(bigB64), (ch) => ch.charCodeAt(0))], '录音.mp3', { type: 'audio/mpeg' }));
      dt.items.add(new File(['MZ'], 'tool.exe', { type: 'application/x-msdownload' }));
      const el = document.querySelector('[data-testid=evidence-drop] .el-upload-dragger');
      el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { note, bigB64: big.toString('base64') },
  );
  await page.locator('[data-testid=evidence-item]').nth(3).waitFor();
  const names = await page.locator('[data-testid=evidence-item]').evaluateAll((els) => els.map((e) => e.dataset.name));
  assert.deepEqual(names, ['照片.png', '说明.txt', '录音.mp3', 'tool.exe']);
  assert.match(await page.locator('[data-testid=evidence-item][data-name="tool.exe"]').innerText(), /不支持该文件类型/);
  // nothing is sent before the case exists
  assert.equal(await page.getByTestId('evidence-count').innerText(), '已添加 4 个文件');
  await shot('evidence');

  expectProblem(/HTTP 413: .*\/api\/v1\/cases\/TS\d+\/evidence$/);
  expectProblem(/console error: Failed to load resource: the server responded with a status of 413/);
  await page.keyboard.press('Control+Enter');
  await page.getByTestId('saved').waitFor();
  const no = (await page.getByTestId('saved-case-no').innerText()).trim();
  await page.locator('[data-testid=saved-file][data-name="照片.png"][data-state=done]').waitFor();
  await page.locator('[data-testid=saved-file][data-name="说明.txt"][data-state=done]').waitFor();
  await page.locator('[data-testid=saved-file][data-name="录音.mp3"][data-state=failed]').waitFor();
  assert.match(await page.locator('[data-testid=saved-file][data-name="录音.mp3"]').innerText(), /上传失败/);
  assert.equal(await page.locator('[data-testid=saved-file][data-name="tool.exe"]').count(), 0, 'a refused type is not sent');
  const warn = await page.getByTestId('saved-upload-failed').innerText();
  assert.ok(warn.includes(no) && /已登记成功/.test(warn) && /1 个文件上传失败/.test(warn), warn);

  const c = (await api('GET', `/api/v1/cases/${no}`)).json.case;
  assert.equal(c.description, '附上照片和说明。');
  const ev = Object.fromEntries(c.evidence.map((e) => [e.filename, e]));
  assert.deepEqual(Object.keys(ev).sort(), ['照片.png', '说明.txt'].sort());
  assert.equal(ev['照片.png'].size, PNG.length);
  assert.equal(ev['照片.png'].sha256, sha256(PNG));
  assert.equal(ev['照片.png'].content_type, 'image/png');
  const noteBytes = Buffer.from(note, 'utf8');
  assert.equal(ev['说明.txt'].size, noteBytes.length);
  assert.equal(ev['说明.txt'].sha256, sha256(noteBytes));
  assert.equal(ev['说明.txt'].content_type, 'text/plain');
  await assertNoSideScroll('saved with evidence');
  await shot('evidence-saved');

  // trying again fails the same way, and the case stays
  await page.getByTestId('saved-retry').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=saved-file][data-name="录音.mp3"][data-state=failed]').waitFor();
  await page.getByTestId('saved-upload-failed').waitFor();
  assert.equal((await api('GET', `/api/v1/cases/${no}`)).json.case.evidence.length, 2);
});

test('unsaved input is not lost by accident: Alt+N and leaving the page ask first', async () => {
  await openIntake();
  await page.keyboard.type('13900001111');
  await page.keyboard.press('Alt+N');
  const box = page.locator('.el-message-box');
  await box.waitFor();
  assert.match(await box.innerText(), /尚未保存/);
  await page.keyboard.press('Escape');
  await box.waitFor({ state: 'hidden' });
  assert.equal(await page.getByTestId('f-phone').inputValue(), '13900001111');
  // leaving by the menu: stay
  await page.getByTestId('nav-workbench').click();
  await box.waitFor();
  await box.getByRole('button', { name: '留在本页' }).click();
  await box.waitFor({ state: 'hidden' });
  assert.match(page.url(), /\/intake$/);
  assert.equal(await page.getByTestId('f-phone').inputValue(), '13900001111');
  // Alt+N confirmed: a blank form, the focus on the phone
  await page.keyboard.press('Alt+N');
  await box.getByRole('button', { name: '清空' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=f-phone]')?.value === '');
  assert.equal(await focused(), 'complainant.phone');
  // nothing typed: leaving asks nothing
  await page.getByTestId('nav-workbench').click();
  await page.waitForURL(/\/workbench/);
  assert.equal(await box.count(), 0);
});

test('English: the screen in English, every label translated', async () => {
  await openIntake();
  await page.getByTestId('lang-en').click();
  await page.getByText('Customer name').waitFor();
  // the screen's own words (labels, titles, buttons, hints, placeholders), not the data
  const words = await page.evaluate(() => {
    const sel = '.el-form-item__label, legend, h1, h2, h3, button, .el-checkbox__label, .section-hint, [data-testid=intake-shortcuts], [data-testid=related-idle], .el-upload-dragger';
    const out = [...document.querySelectorAll(`[data-testid=intake-page] :is(${sel})`)].map((e) => e.innerText);
    for (const i of document.querySelectorAll('[data-testid=intake-page] input, [data-testid=intake-page] textarea')) if (i.placeholder) out.push(i.placeholder);
    return out;
  });
  const han = words.filter((w) => /\p{Script=Han}/u.test(w));
  assert.deepEqual(han, [], 'Chinese left on the English screen');
  const text = words.join('\n');
  for (const w of ['Customer name', 'What it is about', 'The complaint', 'Risk flags', 'Evidence', 'Related cases', 'Personal injury', 'Media threat', 'Amount claimed (yuan)', 'Save'])
    assert.ok(text.includes(w), w);
  assert.equal(await page.locator('[data-field=channel] .el-select__placeholder:not(.is-transparent)').innerText(), 'Phone hotline');
  await page.getByTestId('f-phone').fill('13800138007');
  await page.getByTestId('related-customer-item').first().waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=related-panel]')?.dataset.loading === 'false');
  assert.match(await page.getByTestId('related-customer').innerText(), /repeat complaint/);
  await assertNoSideScroll('English');
  await assertNamed('English');
  await shot('en');
  await page.getByTestId('lang-zh').click();
  await page.getByText('客户姓名').waitFor();
});

test('a role that may not register (the auditor) is told so, and is shown no form', async () => {
  const p = await context.newPage();
  try {
    await p.goto(`${s.url}/login?redirect=/intake`);
    await p.evaluate(() => sessionStorage.clear());
    await loginAs(p, s.url, 'auditor', 'demo-audit-2026', { redirect: '/intake' });
    await p.getByTestId('intake-may-not').waitFor();
    assert.match(await p.getByTestId('intake-may-not').innerText(), /不能登记投诉/);
    assert.equal(await p.getByTestId('intake-form').count(), 0);
    assert.equal(await p.getByTestId('related-panel').count(), 0);
  } finally {
    await p.close();
  }
});

test('no console errors, page errors or failed requests on the intake screen', () => {
  assert.deepEqual(b.unexpected(), []);
});
