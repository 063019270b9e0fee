// A complaint from the customer portal to closure, through the case page's lifecycle actions
// (web/src/components/case/CaseActions.vue and Action*.vue) against the real server:
// `tousu serve` on a temporary demo database, Debian's chromium driven by playwright-core —
// the customer at 375×740, each member of staff in a context of their own at 1280×800.
//
// The story: a customer submits through /portal; the outlet's agent finds the case on the
// workbench, accepts it and assigns it to a department and handler by keyboard only; the
// handler records the investigation (edit) and proposes a solution (a 422 for no items and
// for a negative amount first); the supervisor's approval is refused as beyond authority
// (403 with the role needed), the department manager approves; the handler records the
// customer's consent while the agent's dialog is open, so the agent meets a 409; the customer
// answers the follow-up survey on the portal; the agent closes the case. After each staff
// step the customer's progress page shows the state in the API's plain words and nothing
// internal. Screenshots tests/web/out/5x-lifecycle-*.png.
//
// Run: TOUSU_BIN=/abs/tousu [TOUSU_WEB_DIR=/abs/web/dist] node --test --test-concurrency=1 tests/web/lifecycle.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertCleanShutdown } from '../api/lib.mjs';
import { WEB_DIR, PHONE, openBrowser, loginAs, screenshot } from './browser.mjs';

// a 1×1 PNG: the server tells the type by its bytes
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const OUTLET = '上海浦东华信大众4S店';
const DEPT = '汽车售后服务部(售后技术支持科)';
const NOTES = {
  accept: '已致电客户确认受理编号',
  assign: '请售后技术支持科尽快检测',
  approve: '同意方案，尽快落实',
};

let s;
let admin; // the administrator's token, for the API's side
let b; // {browser, page, newPage, problems, expected, expectProblem, unexpected, …}
const contexts = [];
const expectProblem = (re) => b.expectProblem(re);
let customer; // the customer's page (375×740)
const staff = {}; // username → page (1280×800)
let caseNo;
let code;

/* A screen as a whole page; a dialog as the window shows it (its overlay is fixed, so a
 * whole-page picture would cut it at the window's height). */
async function shot(page, name) {
  const modal = await page.locator('.el-overlay-dialog:visible').count();
  await screenshot(page, name, { fullPage: !modal });
}

async function assertNoSideScroll(page, screen) {
  const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(sw <= cw, `${screen}: the page is ${sw}px wide in a ${cw}px window`);
}

const api = (method, p, token, body) => s.api(method, p, { token, body });
async function caseAs(token) {
  const r = await api('GET', `/api/v1/cases/${caseNo}`, token);
  assert.equal(r.status, 200, r.text);
  return r.json.case;
}
async function historyOf() {
  const r = await api('GET', `/api/v1/cases/${caseNo}/history?per_page=500`, admin);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

/* A member of staff logs in through the login page, in a context of their own. */
async function staffPage(username, password) {
  const page = await b.newPage({}, username);
  contexts.push(page.context());
  await loginAs(page, s.url, username, password);
  staff[username] = page;
  return page;
}

async function openCase(page, no = caseNo) {
  await page.goto(`${s.url}/cases/${no}`);
  await page.getByTestId('case-title-no').waitFor();
  await page.getByTestId('case-actions').waitFor({ state: 'attached' });
}

const dialog = (page) => page.locator('.el-dialog[data-testid="action-dialog"]');
async function dialogOpen(page, action) {
  const d = dialog(page);
  await d.waitFor({ state: 'visible' });
  if (action) assert.equal(await d.getAttribute('data-action'), action);
  // the dialog's first field has the focus once it has opened
  await page.waitForFunction(() => !!document.activeElement?.closest('.action-form'));
  return d;
}
async function dialogClosed(page) {
  await dialog(page).waitFor({ state: 'hidden' });
}
/* Waits (briefly) until the element with testid has the keyboard focus. */
async function focused(page, testid) {
  await page
    .waitForFunction((id) => document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') === id, testid, { timeout: 5000 })
    .catch(() => {});
  assert.equal(await activeTestId(page), testid);
}
const activeTestId = (page) => page.evaluate(() => document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? null);

/* Tab (only the keyboard) until the element with testid has the focus. */
async function tabTo(page, testid, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === testid) return;
  }
  assert.fail(`${testid} is not reachable with Tab`);
}

/* Picks an option of an Element Plus select by its visible text. */
async function pick(page, testid, option) {
  await page.getByTestId(testid).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/* The staff step's result as the customer sees it: the progress page at 375×740 equal to the
 * portal API's status_text, and none of the staff's data. */
const SECRETS = ['handler.aftersales', 'agent.shpd', 'sup.east', 'mgr.aftersales', '张鹏', '许国强', DEPT, '人员（技能）', 'people_skill', '我方', NOTES.accept, NOTES.assign, NOTES.approve, '内部备注', '80050', '800.50'];
async function customerSees(status, screenshot) {
  await customer.goto(`${s.url}/portal/track?case_no=${caseNo}`);
  await customer.getByTestId('track-code').fill(code);
  await customer.getByTestId('track-submit').click();
  await customer.getByTestId('track-view').waitFor();
  const r = await s.api('GET', `/api/v1/portal/complaints/${caseNo}?code=${code}`);
  assert.equal(r.status, 200, r.text);
  const view = r.json;
  assert.equal(view.status, status);
  await customer.waitForFunction((want) => document.querySelector('[data-testid="track-status"]')?.innerText.trim() === want, view.status_text.zh);
  assert.equal((await customer.getByTestId('track-status').innerText()).trim(), view.status_text.zh);
  const text = await customer.locator('body').innerText();
  const json = JSON.stringify(view);
  for (const secret of SECRETS) {
    assert.ok(!text.includes(secret), `the customer's page shows "${secret}"`);
    assert.ok(!json.includes(secret), `the portal's answer holds "${secret}"`);
  }
  await assertNoSideScroll(customer, `the progress page (${status})`);
  if (screenshot) await shot(customer, screenshot);
  return view;
}

before(async () => {
  s = await startServer({ args: ['--web-dir', WEB_DIR] });
  admin = await s.login('admin');
  b = await openBrowser(PHONE, { who: 'customer', timeout: 20000 });
  contexts.push(b.context);
  customer = b.page;
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await b?.browser.close();
  if (s) await assertCleanShutdown(s);
});

test('1. a customer submits a complaint on the portal and notes the number and the code', async () => {
  await customer.goto(`${s.url}/portal`);
  await customer.getByTestId('portal-form').waitFor();
  await customer.getByTestId('portal-name').fill('王女士');
  await customer.getByTestId('portal-phone').fill(String(13900000000 + Math.floor(Math.random() * 90000000)));
  await customer.getByTestId('portal-outlet').click();
  await customer.getByRole('option', { name: OUTLET, exact: true }).click();
  await customer.getByTestId('portal-plate').fill('沪A·12345').catch(() => {});
  await customer.getByTestId('portal-description').fill('车辆保养后空调仍有异响，两次返修都没有解决，希望彻底修好并给个说法。');
  await customer.getByTestId('portal-file').setInputFiles({ name: '异响录像截图.png', mimeType: 'image/png', buffer: PNG });
  await customer.getByTestId('portal-consent').click();
  await customer.getByTestId('portal-submit').click();
  await customer.getByTestId('portal-done').waitFor();
  caseNo = (await customer.getByTestId('portal-case-no').innerText()).trim();
  code = (await customer.getByTestId('portal-code').innerText()).trim();
  assert.match(caseNo, /^TS\d{11}$/);
  assert.match(code, /^[2-9A-HJ-NP-Z]{8}$/);
  await customer.getByText('证据材料已上传。').waitFor();
  await shot(customer, '50-lifecycle-portal-submitted');

  const c = await caseAs(admin);
  assert.equal(c.status, 'received');
  assert.equal(c.channel, 'web');
  await customerSees('received', '59-lifecycle-portal-1-received');
});

test('2. the agent finds the case on the workbench, accepts and assigns it — by keyboard only', async () => {
  const page = await staffPage('agent.shpd', 'demo-agent-2026');
  await page.goto(`${s.url}/workbench?q=${caseNo}`);
  const link = page.getByTestId('case-no').filter({ hasText: caseNo });
  await link.first().waitFor();
  await link.first().click();
  await page.waitForURL(new RegExp(`/cases/${caseNo}$`));
  await page.getByTestId('case-title-no').waitFor();

  // the buttons are the API's allowed_actions for this user: accept leads, the rest under "more"
  const token = await s.login('agent.shpd');
  const before0 = await caseAs(token);
  assert.deepEqual(before0.allowed_actions, ['accept', 'reject', 'withdraw']);
  const primary = page.getByTestId('action-accept');
  await primary.waitFor();
  assert.match(await primary.getAttribute('class'), /el-button--primary/);
  assert.equal((await primary.innerText()).trim(), '受理');
  // the "more" menu opens from the keyboard too: Enter, arrows, Esc
  await page.getByTestId('action-more').focus();
  await page.keyboard.press('Enter');
  const menu = page.locator('.el-dropdown-menu').filter({ has: page.locator('[data-testid="action-reject"]') });
  await menu.waitFor();
  assert.deepEqual(await menu.locator('[data-testid^="action-"]').evaluateAll((els) => els.map((e) => [e.dataset.testid, e.innerText.trim()])), [
    ['action-reject', '判定不成立'],
    ['action-withdraw', '撤诉'],
  ]);
  await focused(page, 'action-reject');
  await page.keyboard.press('ArrowDown');
  await focused(page, 'action-withdraw');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden' });
  await focused(page, 'action-more');
  assert.equal(await page.getByTestId('action-edit').count(), 1, 'the agent may edit');
  await assertNoSideScroll(page, 'the case page');

  // from the top of the page: Tab to 受理, Enter opens its dialog with the note focused;
  // Esc cancels and nothing changes
  await page.goto(`${s.url}/cases/${caseNo}`);
  await page.getByTestId('action-accept').waitFor();
  await tabTo(page, 'action-accept');
  await page.keyboard.press('Enter');
  await dialogOpen(page, 'accept');
  await focused(page, 'af-note');
  await page.keyboard.press('Escape');
  await dialogClosed(page);
  assert.equal((await caseAs(admin)).status, 'received');

  await tabTo(page, 'action-accept');
  await page.keyboard.press('Enter');
  await dialogOpen(page, 'accept');
  await focused(page, 'af-note');
  await page.keyboard.type(NOTES.accept);
  await shot(page, '51-lifecycle-accept-dialog');
  await page.keyboard.press('Control+Enter');
  await dialogClosed(page);
  await page.locator('.el-message--success').filter({ hasText: '已完成：受理' }).waitFor();
  let c = await caseAs(token);
  assert.equal(c.status, 'accepted');
  assert.deepEqual(c.allowed_actions, ['assign', 'reject', 'suspend', 'withdraw']);
  await page.getByTestId('case-status').filter({ hasText: '已受理' }).waitFor();
  const hist = await historyOf();
  const acc = hist.find((h) => h.action === 'accept');
  assert.equal(acc.actor, 'agent.shpd');
  assert.deepEqual(acc.changes.note, [null, NOTES.accept]);
  await customerSees('accepted', '59-lifecycle-portal-2-accepted');

  // assign: Tab to 分派 (now the lead), the department by typing its name, the handler from
  // the department's assignees, a note, Ctrl+Enter — no mouse
  await tabTo(page, 'action-assign');
  await page.keyboard.press('Enter');
  await dialogOpen(page, 'assign');
  const units = (await api('GET', '/api/v1/org/units?per_page=500', token)).json.items;
  const dept = units.find((u) => u.name === DEPT);
  const assignees = (await api('GET', `/api/v1/org/units/${dept.id}/assignees`, token)).json.items;
  assert.ok(assignees.some((u) => u.username === 'handler.aftersales'));
  const loaded = page.waitForResponse((r) => r.url().includes(`/api/v1/org/units/${dept.id}/assignees`) && r.status() === 200);
  await page.keyboard.type('汽车售后');
  await page.getByRole('option', { name: DEPT, exact: true }).waitFor();
  await page.keyboard.press('Enter');
  await loaded;
  assert.match(await page.getByTestId('af-dept').innerText(), /汽车售后服务部/);
  await page.keyboard.press('Tab');
  await focused(page, 'af-handler');
  await page.keyboard.type('handler.aftersales');
  // every assignee of the department is offered, and only they
  const offered = await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').count();
  assert.ok(offered >= 1);
  await page.keyboard.press('Enter');
  await page.getByTestId('af-handler').filter({ hasText: 'handler.aftersales' }).waitFor();
  await page.keyboard.press('Tab');
  await focused(page, 'af-note');
  await page.keyboard.type(NOTES.assign);
  await shot(page, '52-lifecycle-assign-dialog');
  await page.keyboard.press('Control+Enter');
  await dialogClosed(page);
  c = await caseAs(token);
  assert.equal(c.status, 'investigating');
  assert.equal(c.dept, dept.id);
  assert.equal(c.handler, 'handler.aftersales');
  await page.getByTestId('case-status').filter({ hasText: '调查处理中' }).waitFor();
  await customerSees('investigating', '59-lifecycle-portal-3-investigating');
});

test('3. the handler records the investigation and proposes a solution; 422s are shown at their fields and change nothing', async () => {
  const page = await staffPage('handler.aftersales', 'demo-handler-2026');
  const token = await s.login('handler.aftersales');
  await openCase(page);
  assert.deepEqual((await caseAs(token)).allowed_actions, ['propose', 'reject', 'suspend', 'withdraw']);
  await page.getByTestId('action-propose').waitFor();

  // the investigation: classification by the edit dialog (PATCH)
  await page.getByTestId('action-edit').click();
  await dialogOpen(page, 'edit');
  await pick(page, 'af-validity', '成立');
  await pick(page, 'af-nature', '有效投诉');
  await pick(page, 'af-root_cause', '人员（技能）');
  await pick(page, 'af-responsibility', '我方');
  await page.getByTestId('af-service_stage').click();
  await page.getByRole('option', { name: '维修', exact: true }).click();
  await page.getByTestId('af-psychology-respect').click();
  await page.getByTestId('af-psychology-compensation').click();
  await page.getByTestId('af-loss-freight_cents').fill('35.5');
  await page.getByTestId('af-loss-total').filter({ hasText: '¥35.50' }).waitFor();
  await shot(page, '53-lifecycle-edit-dialog');
  await page.getByTestId('action-submit').click();
  await dialogClosed(page);
  await page.locator('.el-message--success').filter({ hasText: '已保存修改' }).waitFor();
  let c = await caseAs(token);
  assert.equal(c.status, 'investigating');
  assert.equal(c.validity, 'valid');
  assert.equal(c.nature, 'complaint');
  assert.equal(c.root_cause, 'people_skill');
  assert.equal(c.responsibility, 'ours');
  assert.equal(c.service_stage, 'repair');
  assert.deepEqual([...c.psychology].sort(), ['compensation', 'respect']);
  assert.equal(c.loss.freight_cents, 3550);
  const upd = (await historyOf()).filter((h) => h.action === 'update');
  assert.equal(upd.length, 1);
  assert.deepEqual(upd[0].changes.root_cause, [null, 'people_skill']);
  await customerSees('investigating');

  // propose with no items: the server's 422 at the items, nothing changed
  const hist0 = (await historyOf()).length;
  await page.getByTestId('action-propose').click();
  await dialogOpen(page, 'propose');
  await focused(page, 'af-solution-0-type');
  expectProblem(/422.*\/actions\/propose/);
  await page.getByTestId('af-solution-0-remove').click();
  await page.getByTestId('action-submit').click();
  await page.getByTestId('action-error').waitFor();
  const block = page.getByTestId('af-solutions');
  await block.locator('.el-form-item__error').first().waitFor();
  assert.equal((await block.locator('.el-form-item__error').first().innerText()).trim(), '方案须有 1 至 20 项');
  c = await caseAs(token);
  assert.equal(c.status, 'investigating');
  assert.equal(c.proposal_no, null);
  assert.equal((await historyOf()).length, hist0);

  // a negative amount: the 422 names solutions[0].amount_cents, shown at that row's amount
  await page.getByTestId('af-solution-add').click();
  await pick(page, 'af-solution-0-type', '维修');
  await page.getByTestId('af-solution-0-amount').fill('-50');
  await page.getByTestId('action-submit').click();
  const amountItem = page.locator('.el-form-item.is-error').filter({ has: page.getByTestId('af-solution-0-amount') });
  await amountItem.waitFor();
  assert.equal((await amountItem.locator('.el-form-item__error').innerText()).trim(), '金额须为 0 或以上');
  assert.equal(await dialog(page).isVisible(), true, 'the dialog stays open');
  assert.equal(await page.getByTestId('af-solution-0-amount').inputValue(), '-50', "the user's input stays");
  await shot(page, '54-lifecycle-propose-422');
  c = await caseAs(token);
  assert.equal(c.status, 'investigating');
  assert.equal((await historyOf()).length, hist0);

  // the proposal: a repair common to both options, A = compensation, B = free service
  await page.getByTestId('af-solution-0-amount').fill('800.50');
  await page.getByTestId('af-solution-0-description').fill('免费更换鼓风机并检测空调系统');
  await page.getByTestId('af-solution-add').click();
  await pick(page, 'af-solution-1-type', '赔偿');
  await page.getByTestId('af-solution-1-amount').fill('6,000');
  await pick(page, 'af-solution-1-option', '方案 A');
  await page.getByTestId('af-solution-1-description').fill('补偿车辆使用不便');
  await page.getByTestId('af-solution-add').click();
  await pick(page, 'af-solution-2-type', '免费服务');
  await page.getByTestId('af-solution-2-amount').fill('3000');
  await pick(page, 'af-solution-2-option', '方案 B');
  await page.getByTestId('af-solution-2-description').fill('两次免费保养');
  assert.equal((await page.getByTestId('af-solution-total').innerText()).trim(), '合计 ¥9,800.50');
  assert.match(await page.getByTestId('af-solution-cost').innerText(), /¥6,800\.50/);
  // approval limits: ¥6,800.50 is beyond a supervisor's ¥5,000 — a department manager
  const limits = (await api('GET', '/api/v1/config/approval-limits', token)).json.items;
  assert.ok(limits.find((l) => l.role === 'supervisor').max_cents < 680050);
  assert.ok(limits.find((l) => l.role === 'dept_manager').max_cents >= 680050);
  const approver = await page.getByTestId('af-solution-approver').innerText();
  assert.match(approver, /需由 部门经理 或以上审批/);
  assert.match(approver, /超出您的审批权限/);
  await page.getByTestId('af-note').fill('内部备注：已检测鼓风机轴承磨损');
  await shot(page, '55-lifecycle-propose-dialog');
  await page.getByTestId('action-submit').click();
  await dialogClosed(page);
  c = await caseAs(token);
  assert.equal(c.status, 'proposed');
  assert.equal(c.proposal_no, 1);
  assert.deepEqual(
    c.solutions.map((x) => [x.type, x.amount_cents, x.option, x.description]),
    [
      ['repair', 80050, null, '免费更换鼓风机并检测空调系统'],
      ['compensation', 600000, 'A', '补偿车辆使用不便'],
      ['free_service', 300000, 'B', '两次免费保养'],
    ],
  );
  await page.getByTestId('case-status').filter({ hasText: '方案待审批' }).waitFor();
  const view = await customerSees('proposed', '59-lifecycle-portal-4-proposed');
  assert.deepEqual(view.solutions, [], 'no solution shown before it is approved');
});

test('4. the supervisor is refused as beyond authority (403, the role needed); the department manager approves', async () => {
  const page = await staffPage('sup.east', 'demo-super-2026');
  const token = await s.login('sup.east');
  await openCase(page);
  assert.ok((await caseAs(token)).allowed_actions.includes('approve'));
  await page.getByTestId('action-approve').click();
  await dialogOpen(page, 'approve');
  const d = dialog(page);
  // the proposal, its cost and the supervisor's authority
  assert.match(await d.getByTestId('af-proposal').innerText(), /免费更换鼓风机并检测空调系统/);
  assert.match(await d.getByTestId('af-proposal-cost').innerText(), /¥6,800\.50/);
  const authority = await d.getByTestId('af-authority').innerText();
  assert.match(authority, /主管：¥5,000\.00 以内，等级不超过较重/);
  assert.match(authority, /超出您的审批权限/);

  expectProblem(/403.*\/actions\/approve/);
  await page.getByTestId('action-submit').click();
  await page.getByTestId('action-error').waitFor();
  assert.equal((await page.getByTestId('action-error').locator('.el-alert__title').innerText()).trim(), '超出您的审批权限：此方案需由“部门经理”或以上审批');
  assert.equal(await d.isVisible(), true);
  await shot(page, '56-lifecycle-approve-403');
  assert.equal((await caseAs(token)).status, 'proposed', 'nothing changed');
  await page.getByTestId('action-cancel').click();
  await dialogClosed(page);

  // the same dialog in English
  await page.getByTestId('lang-en').click();
  await page.getByTestId('action-approve').filter({ hasText: 'Approve' }).waitFor().catch(() => {});
  await page.getByTestId('action-approve').click();
  await dialogOpen(page, 'approve');
  assert.match(await d.getByTestId('af-authority').innerText(), /Beyond your approval authority/);
  assert.match(await d.getByTestId('af-authority').innerText(), /Department manager/);
  await shot(page, '57-lifecycle-approve-en');
  await page.keyboard.press('Escape');
  await dialogClosed(page);
  await page.getByTestId('lang-zh').click();

  // the department manager of the department approves, with a note
  const mgr = await staffPage('mgr.aftersales', 'demo-manager-2026');
  await openCase(mgr);
  await mgr.getByTestId('action-approve').click();
  await dialogOpen(mgr, 'approve');
  assert.match(await dialog(mgr).getByTestId('af-authority-verdict').innerText(), /在您的审批权限内/);
  await focused(mgr, 'af-note');
  await mgr.keyboard.type(NOTES.approve);
  await mgr.keyboard.press('Control+Enter');
  await dialogClosed(mgr);
  await mgr.getByTestId('case-status').filter({ hasText: '方案已批准' }).waitFor();
  const c = await caseAs(admin);
  assert.equal(c.status, 'approved');
  const ap = (await historyOf()).filter((h) => h.action === 'approve');
  assert.equal(ap.length, 1, 'the refused approval wrote nothing');
  assert.equal(ap[0].actor, 'mgr.aftersales');

  const view = await customerSees('approved', '59-lifecycle-portal-5-approved');
  // the customer sees both options; money only where the customer receives it
  const sol = await customer.getByTestId('track-solutions').innerText();
  assert.match(sol, /赔偿/);
  assert.match(sol, /¥6,000\.00/);
  assert.match(sol, /免费服务/);
  assert.equal(view.solutions.length, 3);
});

test('5. the customer accepts option A: the handler records it while the agent\'s dialog is open — the agent meets a 409', async () => {
  const agent = staff['agent.shpd'];
  const handler = staff['handler.aftersales'];
  await openCase(agent);
  await agent.getByTestId('action-resolve').click();
  await dialogOpen(agent, 'resolve');
  await agent.getByTestId('af-customer_consent-yes').click();
  await agent.getByTestId('af-option-A').click();

  // meanwhile the handler records the same answer
  await openCase(handler);
  await handler.getByTestId('action-resolve').click();
  await dialogOpen(handler, 'resolve');
  assert.match(await dialog(handler).getByTestId('af-proposal').innerText(), /两次免费保养/);
  // consent without choosing an option: the page asks for it first
  await handler.getByTestId('af-customer_consent-yes').click();
  await handler.getByTestId('action-submit').click();
  const optionItem = handler.locator('.el-form-item.is-error').filter({ has: handler.getByTestId('af-option') });
  await optionItem.locator('.el-form-item__error').waitFor();
  assert.equal((await optionItem.locator('.el-form-item__error').innerText()).trim(), '此项为必填项');
  await handler.getByTestId('af-option-A').click();
  await handler.getByTestId('action-submit').click();
  await dialogClosed(handler);
  await handler.getByTestId('case-status').filter({ hasText: '已解决待回访' }).waitFor();

  // the agent's submit: 409, the state now and the actions allowed now; the page reloads the case
  expectProblem(/409.*\/actions\/resolve/);
  await agent.getByTestId('action-submit').click();
  const err = agent.getByTestId('action-error');
  await err.waitFor();
  const now = await caseAs(await s.login('agent.shpd'));
  assert.equal(now.status, 'resolved');
  const text = await err.innerText();
  assert.match(text, /投诉状态已经变化（现在是“已解决待回访”）/);
  const names = { follow_up: '记录回访', close: '结案', suspend: '挂起（未了事宜）', reopen: '重新打开', withdraw: '撤诉' };
  assert.match(text, new RegExp(`现在可执行的操作：${now.allowed_actions.map((a) => names[a]).join('、').replace(/[()（）]/g, '.')}`));
  assert.equal(await agent.getByTestId('action-submit').isDisabled(), true);
  await agent.getByTestId('case-status').filter({ hasText: '已解决待回访' }).waitFor();
  await shot(agent, '58-lifecycle-resolve-409');
  await agent.getByTestId('action-cancel').click();
  await dialogClosed(agent);
  // behind the dialog the buttons follow the new state
  await agent.getByTestId('action-follow_up').waitFor();

  const c = await caseAs(admin);
  assert.equal(c.customer_consent, true);
  assert.equal(c.chosen_option, 'A');
  assert.equal(c.loss.repair_cents, 80050);
  assert.equal(c.loss.compensation_cents, 600000);
  assert.equal((await historyOf()).filter((h) => h.action === 'resolve').length, 1);

  const view = await customerSees('resolved', '59-lifecycle-portal-6-resolved');
  assert.equal(view.follow_up_awaited, true);
  await customer.getByTestId('track-followup').waitFor();
});

test('6. the customer answers the follow-up survey on the progress page', async () => {
  await customer.getByTestId('track-rate').locator('.el-rate__item').nth(4).click();
  await customer.getByTestId('track-comment').fill('处理及时，师傅很专业，满意。');
  await customer.getByTestId('track-followup-submit').click();
  await customer.getByTestId('track-followup-done').waitFor();
  const c = await caseAs(admin);
  assert.equal(c.status, 'resolved');
  assert.equal(c.satisfaction, 5);
  assert.equal(c.follow_up.method, 'portal');
  assert.equal(c.follow_up.comment, '处理及时，师傅很专业，满意。');
  const view = await customerSees('resolved', '59-lifecycle-portal-7-answered');
  assert.equal(view.follow_up_awaited, false);
  assert.equal(await customer.getByTestId('track-followup').count(), 0);
});

test('7. the agent closes the case with a summary', async () => {
  const page = staff['agent.shpd'];
  await openCase(page);
  const close = page.getByTestId('action-close');
  await close.waitFor();
  assert.match(await close.getAttribute('class'), /el-button--primary/, 'close leads once the follow-up is recorded');
  await close.click();
  await dialogOpen(page, 'close');
  assert.match(await page.getByTestId('af-followup-done').innerText(), /满意度 5 分（客户自助评价）/);
  assert.equal(await page.getByTestId('af-follow_up_waived_reason').count(), 0, 'no waiver asked after a follow-up');
  await focused(page, 'af-summary');
  // the summary is required: the page says so before sending anything
  await page.getByTestId('action-submit').click();
  await page.locator('.el-form-item.is-error').filter({ has: page.getByTestId('af-summary') }).waitFor();
  await page.getByTestId('af-summary').fill('更换鼓风机后异响消除，按方案 A 赔偿 6000 元，客户满意。');
  await page.getByTestId('af-lessons').fill('返修两次未根治，技师须按标准流程做整体检测。');
  await page.getByTestId('action-submit').click();
  await dialogClosed(page);
  await page.getByTestId('case-status').filter({ hasText: '已结案' }).waitFor();
  // a closed case: no edit; reopen is what is left for an agent
  assert.equal(await page.getByTestId('action-edit').count(), 0);
  await page.getByTestId('action-reopen').waitFor();
  await shot(page, '59-lifecycle-closed');
  await customerSees('closed', '59-lifecycle-portal-8-closed');
});

test('the end state through the API: closed, satisfaction, solutions, the history in order', async () => {
  const c = await caseAs(admin);
  assert.equal(c.status, 'closed');
  assert.equal(c.satisfaction, 5);
  assert.equal(c.dept !== null, true);
  assert.equal(c.handler, 'handler.aftersales');
  assert.equal(c.summary, '更换鼓风机后异响消除，按方案 A 赔偿 6000 元，客户满意。');
  assert.equal(c.lessons, '返修两次未根治，技师须按标准流程做整体检测。');
  assert.ok(c.closed_at);
  assert.equal(c.loss.total_cents, 80050 + 600000 + 3550);
  assert.deepEqual(
    c.solutions.map((x) => [x.type, x.amount_cents, x.option]),
    [
      ['repair', 80050, null],
      ['compensation', 600000, 'A'],
      ['free_service', 300000, 'B'],
    ],
  );
  const steps = new Set(['register', 'evidence', 'accept', 'assign', 'update', 'propose', 'approve', 'send_back', 'resolve', 'follow_up', 'reopen', 'close']);
  const hist = (await historyOf()).filter((h) => steps.has(h.action));
  assert.deepEqual(
    hist.map((h) => [h.action, h.actor]),
    [
      ['register', 'portal'],
      ['evidence', 'portal'],
      ['accept', 'agent.shpd'],
      ['assign', 'agent.shpd'],
      ['update', 'handler.aftersales'],
      ['propose', 'handler.aftersales'],
      ['approve', 'mgr.aftersales'],
      ['resolve', 'handler.aftersales'],
      ['follow_up', 'portal'],
      ['close', 'agent.shpd'],
    ],
  );
  assert.deepEqual(hist.find((h) => h.action === 'assign').changes.note, [null, NOTES.assign]);
  assert.deepEqual(hist.find((h) => h.action === 'approve').changes.note, [null, NOTES.approve]);
});

/* ---- the other actions, each with its own form, on cases registered through the API ---- */

/* A case of the agent's outlet, driven through the API to `upto` (received … resolved). */
async function apiCase(upto) {
  const agent = await s.login('agent.shpd');
  const r = await api('POST', '/api/v1/cases', agent, { channel: 'phone', complainant: { name: '测试客户', phone: String(13700000000 + Math.floor(Math.random() * 90000000)) }, description: '门店服务问题，客户来电投诉。' });
  assert.equal(r.status, 201, r.text);
  const no = r.json.case.case_no;
  const steps = [
    ['accept', agent, {}],
    ['assign', agent, { dept: 9, handler: 'handler.aftersales' }],
    ['propose', await s.login('handler.aftersales'), { solutions: [{ type: 'apology' }, { type: 'gift', amount_cents: 10000, description: '赠送保养券' }] }],
    ['approve', await s.login('sup.east'), {}],
    ['resolve', agent, { customer_consent: true }],
  ];
  const upTo = { received: 0, accepted: 1, investigating: 2, proposed: 3, approved: 4, resolved: 5 }[upto];
  for (const [action, token, body] of steps.slice(0, upTo)) {
    const a = await api('POST', `/api/v1/cases/${no}/actions/${action}`, token, body);
    assert.equal(a.status, 200, `${action}: ${a.text}`);
  }
  return no;
}
const caseOf = async (no) => (await api('GET', `/api/v1/cases/${no}`, admin)).json.case;

/* Opens an action's dialog from the "more" menu. */
async function fromMenu(page, action) {
  await page.getByTestId('action-more').click();
  const item = page.locator(`.el-dropdown-menu [data-testid="action-${action}"]`);
  await item.waitFor();
  await item.click();
  return dialogOpen(page, action);
}
async function requiredAt(page, testid) {
  const item = page.locator('.el-form-item.is-error').filter({ has: page.getByTestId(testid) });
  await item.locator('.el-form-item__error').waitFor();
  assert.equal((await item.locator('.el-form-item__error').innerText()).trim(), '此项为必填项');
}
const tomorrow = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 36 * 3600 * 1000));

test('the other actions, each with its form: suspend, resume, regrade, reject, reopen, withdraw', async () => {
  const page = staff['sup.east'];
  const no = await apiCase('accepted');
  await openCase(page, no);
  await page.getByTestId('action-assign').waitFor();

  // suspend: reason and reminder date required; the page says so before sending
  await fromMenu(page, 'suspend');
  await focused(page, 'af-reason');
  await page.keyboard.type('等待配件到货');
  await page.getByTestId('action-submit').click();
  await requiredAt(page, 'af-remind_on');
  assert.equal((await caseOf(no)).status, 'accepted');
  const date = tomorrow();
  const input = page.getByTestId('af-remind_on').locator('input');
  await input.fill(date);
  await input.press('Enter');
  // the field's error goes once it is filled
  await page.locator('.el-form-item.is-error').filter({ has: page.getByTestId('af-remind_on') }).waitFor({ state: 'detached' });
  await page.getByTestId('af-note').click();
  await shot(page, '59-lifecycle-suspend-dialog');
  await page.getByTestId('action-submit').click();
  await dialogClosed(page);
  let c = await caseOf(no);
  assert.equal(c.status, 'pending');
  assert.deepEqual([c.pending.reason, c.pending.remind_on, c.pending.from], ['等待配件到货', date, 'accepted']);

  // resume leads when pending: note only, Ctrl+Enter
  await page.getByTestId('action-resume').click();
  await dialogOpen(page, 'resume');
  await focused(page, 'af-note');
  await page.keyboard.press('Control+Enter');
  await dialogClosed(page);
  assert.equal((await caseOf(no)).status, 'accepted');

  // regrade: the grade and the reason
  await page.getByTestId('case-status').filter({ hasText: '已受理' }).waitFor();
  await fromMenu(page, 'regrade');
  await pick(page, 'af-grade', '较重');
  await page.getByTestId('af-reason').fill('客户多次来电，情绪激动');
  await page.getByTestId('action-submit').click();
  await dialogClosed(page);
  c = await caseOf(no);
  assert.equal(c.grade, 'g2');
  assert.deepEqual(c.grade_reasons.at(-1), { rule: 'regrade', grade: 'g2', text: '客户多次来电，情绪激动', by: 'sup.east' });

  // reject: the invalid reason, the answer to the customer, the nature
  await fromMenu(page, 'reject');
  await pick(page, 'af-reason', '误解');
  await page.getByTestId('af-answer').fill('经核实系对保修条款的误解，已向客户详细说明。');
  await pick(page, 'af-nature', '需求（咨询、求助、发泄）');
  await page.getByTestId('action-submit').click();
  await dialogClosed(page);
  c = await caseOf(no);
  assert.deepEqual([c.status, c.validity, c.invalid_reason, c.nature, c.reply_to_customer], ['rejected', 'invalid', 'misunderstanding', 'request', '经核实系对保修条款的误解，已向客户详细说明。']);
  assert.equal(await page.getByTestId('action-edit').count(), 0, 'a rejected case is not edited');

  // reopen leads on a rejected case
  await page.getByTestId('action-reopen').click();
  await dialogOpen(page, 'reopen');
  await page.keyboard.type('客户提供了新的证据');
  await page.keyboard.press('Control+Enter');
  await dialogClosed(page);
  c = await caseOf(no);
  assert.deepEqual([c.status, c.reopen_count, c.grade], ['investigating', 1, 'g3']);

  // withdraw: the reason is optional; a withdrawn case has no action left
  await fromMenu(page, 'withdraw');
  await page.getByTestId('action-submit').click();
  await dialogClosed(page);
  c = await caseOf(no);
  assert.equal(c.status, 'withdrawn');
  await page.getByTestId('case-status').filter({ hasText: '已撤诉' }).waitFor();
  assert.equal(await page.locator('[data-testid^="action-"]:visible').count(), 0);
});

test('send back, the administrator refused as approver, a follow-up by phone, a close without follow-up', async () => {
  // the administrator may not approve: 403, said in place
  const no = await apiCase('proposed');
  const adminPage = await staffPage('admin', 'demo-admin-2026');
  await openCase(adminPage, no);
  await adminPage.getByTestId('action-approve').click();
  await dialogOpen(adminPage, 'approve');
  expectProblem(/403.*\/actions\/approve/);
  await adminPage.getByTestId('action-submit').click();
  await adminPage.getByTestId('action-error').waitFor();
  assert.equal((await adminPage.getByTestId('action-error').locator('.el-alert__title').innerText()).trim(), '系统管理员不能审批处理方案，请由主管或经理审批');
  await adminPage.keyboard.press('Escape');
  await dialogClosed(adminPage);
  assert.equal((await caseOf(no)).status, 'proposed');

  // send back: the reason is required
  const page = staff['sup.east'];
  await openCase(page, no);
  await fromMenu(page, 'send_back');
  await page.getByTestId('action-submit').click();
  await requiredAt(page, 'af-reason');
  await page.getByTestId('af-reason').fill('赠品价值偏低，请重新核算');
  await page.getByTestId('action-submit').click();
  await dialogClosed(page);
  let c = await caseOf(no);
  assert.equal(c.status, 'investigating');
  assert.deepEqual((await api('GET', `/api/v1/cases/${no}/history`, admin)).json.items.at(-1).changes.reason, [null, '赠品价值偏低，请重新核算']);

  // a resolved case: the follow-up by phone, rated with the keyboard
  const done = await apiCase('resolved');
  await openCase(page, done);
  await page.getByTestId('action-follow_up').click();
  await dialogOpen(page, 'follow_up');
  await focused(page, 'af-satisfaction');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await pick(page, 'af-method', '电话');
  await page.getByTestId('af-comment').fill('客户表示基本满意');
  await shot(page, '59-lifecycle-follow-up-dialog');
  await page.getByTestId('action-submit').click();
  await dialogClosed(page);
  c = await caseOf(done);
  assert.deepEqual([c.status, c.satisfaction, c.follow_up.method, c.follow_up.comment, c.follow_up.by], ['resolved', 4, 'phone', '客户表示基本满意', 'sup.east']);

  // another resolved case closed without a follow-up: the waiver's reason is asked for
  const waived = await apiCase('resolved');
  await openCase(page, waived);
  await page.getByTestId('action-follow_up').waitFor();
  await fromMenu(page, 'close');
  await page.getByTestId('af-summary').fill('已致歉并赠送保养券。');
  await page.getByTestId('action-submit').click();
  await requiredAt(page, 'af-follow_up_waived_reason');
  await page.getByTestId('af-follow_up_waived_reason').fill('客户明确拒绝回访');
  await page.getByTestId('action-submit').click();
  await dialogClosed(page);
  c = await caseOf(waived);
  assert.deepEqual([c.status, c.summary, c.follow_up.waived_reason], ['closed', '已致歉并赠送保养券。', '客户明确拒绝回访']);
});

test('no console errors, page errors or failed requests but the 422s, 403 and 409 provoked', () => {
  assert.deepEqual(b.unexpected(), []);
  for (const re of b.expected) assert.ok(b.problems.some((p) => re.test(p)), `the expected problem ${re} happened`);
});
