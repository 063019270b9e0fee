// The administration screens (系统管理, /admin/<section>) against the real server: `tousu serve
// --web-dir …` on a temporary demo database, Debian's chromium driven by playwright-core at
// 1280×800 in Chinese (and English). For each section: what the screen lists equals the API's
// answer; a change made through the form is what the API then answers; an invalid input is
// refused at its field (by the page's own check, or the server's 422/409) and nothing is
// written. A non-administrator sees "administrators only" and no data is requested.
// Screenshots: tests/web/out/6x-admin-*.png and 6xx-admin-*.png.
//
// Run: TOUSU_BIN=/abs/tousu [TOUSU_WEB_DIR=/abs/dist] [CHROMIUM=/usr/bin/chromium] \
//      node --test --test-concurrency=1 tests/web/admin.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertCleanShutdown } from '../api/lib.mjs';
import { WEB_DIR, openBrowser, loginAs } from './browser.mjs';

let s;
let token; // the administrator's, for the API's side
let b; // {browser, page, problems, expectProblem, unexpected, shot, …}
let page;
const expectProblem = (re) => b.expectProblem(re);
const requests = []; // every API request the page made: "METHOD path"

/* fullPage for a screen; the window only for a dialog or drawer (they are fixed to it) */
async function shot(name, { full = true } = {}) {
  await page.mouse.move(0, 0);
  await b.shot(name, { fullPage: full });
}

async function api(method, p, body) {
  return s.api(method, p, { token, body });
}
async function get(p) {
  const r = await api('GET', p);
  assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
  return r.json;
}
async function all(p) {
  const sep = p.includes('?') ? '&' : '?';
  const r = await get(`${p}${sep}per_page=500`);
  assert.ok(r.items.length === r.total, `${p}: one page holds everything`);
  return r.items;
}

/* The page never scrolls sideways. */
async function assertNoSideScroll(screen) {
  const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(sw <= cw, `${screen}: the page is ${sw}px wide in a ${cw}px window`);
}

/* Every control of the page has an accessible name (chromium's accessibility tree). */
async function assertNamed(screen) {
  const tree = await page.locator('body').ariaSnapshot();
  const unnamed = tree
    .split('\n')
    .filter((l) => /- (combobox|textbox|button|link|radio|checkbox|spinbutton|listbox|menuitem|img|switch|tree|treeitem)\b/.test(l))
    .filter((l) => !/- \w+ "[^"]+"/.test(l) && !/- \w+ '[^']+'/.test(l));
  assert.deepEqual(unnamed, [], `${screen}: controls without an accessible name`);
}

/* No loading mask left in the section. */
async function idle() {
  await page.waitForFunction(() => ![...document.querySelectorAll('.admin-content .el-loading-mask')].some((m) => m.offsetParent !== null));
}

async function open(section, query = '') {
  await page.goto(`${s.url}/admin/${section}${query}`);
  await page.getByTestId(`admin-section-${section}`).waitFor();
  await idle();
}

/* The <input> of an Element Plus control carrying data-testid (on the input or its wrapper). */
function input(id) {
  return page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();
}
function textarea(id) {
  return page.locator(`textarea[data-testid="${id}"], [data-testid="${id}"] textarea`).first();
}
async function choose(id, optionName) {
  await page.getByTestId(id).click();
  await page.getByRole('option', { name: optionName, exact: true }).last().click();
}
async function fieldError(dialogId) {
  await page.getByTestId(dialogId).locator('.el-form-item__error').first().waitFor(); // shown 100 ms after the state changes
  await page.waitForTimeout(150);
  return (await page.getByTestId(dialogId).locator('.el-form-item__error').allInnerTexts()).join(' | ');
}
async function confirmBox() {
  await page.locator('.el-message-box__btns .el-button--primary').click();
}
async function login(username, password) {
  await page.goto(`${s.url}/login`);
  await page.evaluate(() => sessionStorage.clear());
  await loginAs(page, s.url, username, password);
}

before(async () => {
  s = await startServer({ args: ['--web-dir', WEB_DIR] });
  token = await s.login('admin');
  b = await openBrowser({}, { timeout: 20000 });
  ({ page } = b);
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/')) requests.push(`${r.method()} ${u.pathname}`);
  });
});

after(async () => {
  await b?.browser.close();
  if (s) await assertCleanShutdown(s);
});

// ---- who may ----------------------------------------------------------------------------

test('a non-administrator sees "administrators only", and no administration data is requested', async () => {
  await login('sup.east', 'demo-super-2026');
  await page.waitForLoadState('networkidle');
  const before = requests.length;
  await page.goto(`${s.url}/admin/users`);
  await page.getByTestId('admin-only').waitFor();
  assert.match(await page.getByTestId('admin-only').innerText(), /仅限系统管理员/);
  assert.match(await page.getByTestId('admin-only').innerText(), /系统管理页面只对系统管理员开放/);
  assert.equal(await page.getByTestId('users-table').count(), 0);
  await page.waitForLoadState('networkidle');
  // what the screens would read (the frame's own lists, units and channels, are everyone's)
  const asked = requests.slice(before).filter((r) => /\/api\/v1\/(users|config\/(settings|grading-rules|routes|approval-limits|escalation|service-stages)|calendar|webhooks|letter-templates)/.test(r));
  assert.deepEqual(asked, [], 'nothing of the administration is requested');
  assert.deepEqual(b.problems, [], 'no refused request');
  await assertNoSideScroll('administrators only');
  await shot('60-admin-only');
  await page.getByTestId('admin-only-back').click();
  await page.waitForURL(/\/workbench/);
});

// ---- users ------------------------------------------------------------------------------

test('users: /admin opens the first section; the table is the API\'s users', async () => {
  await login('admin', 'demo-admin-2026');
  await page.goto(`${s.url}/admin`);
  await page.waitForURL(/\/admin\/users$/);
  await page.getByTestId('admin-section-users').waitFor();
  await idle();
  const users = await all('/api/v1/users');
  const units = await all('/api/v1/org/units');
  assert.match(await page.getByTestId('users-count').innerText(), new RegExp(`共 ${users.length} 个用户`));
  const shown = await page.getByTestId('user-username').allInnerTexts();
  assert.deepEqual(shown, users.slice(0, 20).map((u) => u.username), 'the first page, in the API\'s order');
  // the admin row: roles translated, the unit by name and code
  const row = page.locator('[data-testid=users-table] .el-table__row', { has: page.getByText('admin', { exact: true }) }).first();
  assert.equal((await row.getByTestId('user-roles').innerText()).trim(), '系统管理员');
  const hq = units.find((u) => u.code === 'HQ');
  assert.equal((await row.getByTestId('user-unit').innerText()).trim(), `${hq.name} (HQ)`);
  assert.match(await page.getByTestId('users-pager').innerText(), new RegExp(`共 ${users.length} 条`));
  // filtering by role: the API's supervisors
  await choose('users-role-filter', '主管');
  assert.deepEqual(await page.getByTestId('user-username').allInnerTexts(), users.filter((u) => u.roles.includes('supervisor')).map((u) => u.username));
  await page.getByTestId('users-role-filter').hover();
  await page.getByTestId('users-role-filter').locator('.el-select__clear, .el-icon.el-select__clear').first().click();
  await assertNoSideScroll('users');
  await assertNamed('users');
  await shot('61-admin-users');
});

test('users: a new user through the form; a bad username and a taken one are refused at the field', async () => {
  const units = await all('/api/v1/org/units');
  const qa = units.find((u) => u.code === 'QA');
  const snap0 = s.snapshot();
  await page.getByTestId('users-new').click();
  await page.getByTestId('user-dialog').waitFor();
  await input('user-form-username').fill('Bad Name');
  await input('user-form-name').fill('测试员');
  await input('user-form-email').fill('not-an-address');
  await input('user-form-password').fill('short');
  await input('user-form-password2').fill('short');
  const posts = requests.length;
  await page.getByTestId('user-form-save').click();
  await page.getByTestId('user-dialog').getByText('请选择所属单位').waitFor();
  await page.getByTestId('user-dialog').getByText('请至少选择一个角色').waitFor();
  const errs = await fieldError('user-dialog');
  assert.match(errs, /1–64 位小写字母/);
  assert.match(errs, /请输入有效的电子邮箱地址/);
  assert.match(errs, /密码 8 到 256 个字符/);
  assert.match(errs, /请至少选择一个角色/);
  assert.match(errs, /请选择所属单位/);
  assert.equal(requests.slice(posts).filter((r) => r.startsWith('POST')).length, 0, 'the page\'s own checks send nothing');

  // a username that is taken: the server's 409 at the username
  await input('user-form-username').fill('admin');
  await input('user-form-email').fill('qa.tester@example.com');
  await input('user-form-password').fill('a-good-password-1');
  await input('user-form-password2').fill('a-good-password-1');
  await page.getByTestId('user-form-roles').click();
  await page.getByRole('option', { name: '经办人', exact: true }).click();
  await page.getByRole('option', { name: '主管', exact: true }).click();
  await page.getByTestId('user-dialog').locator('.el-form-item__label', { hasText: '用户名' }).click();
  await page.getByTestId('user-form-unit').first().click();
  await page.locator('.el-select-dropdown .unit-opt', { hasText: `${qa.name} (QA)` }).first().click();
  expectProblem(/409.*\/api\/v1\/users$/);
  await page.getByTestId('user-form-save').click();
  await page.getByTestId('user-form-error').waitFor();
  assert.match(await page.getByTestId('user-form-error').innerText(), /该用户名已被使用/);
  assert.match(await fieldError('user-dialog'), /该用户名已被使用/);
  assert.deepEqual(s.snapshot(), snap0, 'a refused write changes nothing');
  await shot('62-admin-user-dialog', { full: false });

  await input('user-form-username').fill('qa.tester');
  await page.getByTestId('user-form-save').click();
  await page.getByTestId('user-dialog').waitFor({ state: 'hidden' });
  await idle();
  const u = (await get('/api/v1/users/qa.tester')).user;
  assert.equal(u.display_name, '测试员');
  assert.equal(u.email, 'qa.tester@example.com');
  assert.deepEqual([...u.roles].sort(), ['handler', 'supervisor']);
  assert.equal(u.unit, qa.id);
  assert.equal(u.disabled, false);
  assert.match(await page.getByTestId('users-count').innerText(), new RegExp(`共 ${snap0.users + 1} 个用户`));
  // the new user can log in with the password typed
  const r = await s.api('POST', '/api/v1/auth/login', { body: { username: 'qa.tester', password: 'a-good-password-1' } });
  assert.equal(r.status, 200);
});

test('users: edit roles and unit, reset a password; the last administrator is protected (409)', async () => {
  await input('users-search').fill('qa.tester');
  await page.getByTestId('user-edit-qa.tester').click();
  await page.getByTestId('user-dialog').waitFor();
  await input('user-form-name').fill('测试员（已改）');
  // roles: drop supervisor
  await page.getByTestId('user-form-roles').locator('.el-tag', { hasText: '主管' }).locator('.el-tag__close').click();
  await page.getByTestId('user-form-disabled').click();
  await page.getByTestId('user-form-save').click();
  await page.getByTestId('user-dialog').waitFor({ state: 'hidden' });
  await idle();
  const u = (await get('/api/v1/users/qa.tester')).user;
  assert.equal(u.display_name, '测试员（已改）');
  assert.deepEqual(u.roles, ['handler']);
  assert.equal(u.disabled, true);
  assert.equal((await page.getByTestId('user-state').first().innerText()).trim(), '停用');

  // a new password: short is refused on the page, a good one ends up working
  await page.getByTestId('user-password-qa.tester').click();
  await page.getByTestId('password-dialog').waitFor();
  await input('password-new').fill('1234567');
  await input('password-new2').fill('1234567');
  await page.getByTestId('password-save').click();
  await page.getByTestId('password-dialog').getByText('密码 8 到 256 个字符，不能含控制字符').first().waitFor();
  assert.match(await fieldError('password-dialog'), /密码 8 到 256 个字符/);
  await input('password-new').fill('another-password-2');
  await input('password-new2').fill('another-password-2');
  await page.getByTestId('password-save').click();
  await page.getByTestId('password-dialog').waitFor({ state: 'hidden' });
  await api('PATCH', '/api/v1/users/qa.tester', { disabled: false });
  assert.equal((await s.api('POST', '/api/v1/auth/login', { body: { username: 'qa.tester', password: 'another-password-2' } })).status, 200);

  // the last administrator: disabling oneself is warned about, then refused by the server
  await input('users-search').fill('admin');
  const snap0 = s.snapshot();
  await page.getByTestId('user-edit-admin').click();
  await page.getByTestId('user-dialog').waitFor();
  await page.getByTestId('user-form-disabled').click();
  await page.getByTestId('user-form-save').click();
  await page.locator('.el-message-box').getByText('您正在停用自己的账号').waitFor();
  expectProblem(/409.*\/api\/v1\/users\/admin$/);
  await confirmBox();
  await page.getByTestId('user-form-error').waitFor();
  assert.match(await page.getByTestId('user-form-error').innerText(), /至少要保留一名启用的系统管理员/);
  assert.match(await fieldError('user-dialog'), /至少要保留一名启用的系统管理员/);
  await shot('610-admin-last-admin', { full: false });
  assert.deepEqual(s.snapshot(), snap0);
  assert.equal((await get('/api/v1/users/admin')).user.disabled, false);
  await page.keyboard.press('Escape');
  await page.getByTestId('user-dialog').waitFor({ state: 'hidden' });
});

// ---- organisation -------------------------------------------------------------------------

test('org: the tree is the API\'s units; a child unit added; a bad and a taken code refused', async () => {
  await open('org');
  const units = await all('/api/v1/org/units');
  assert.match(await page.getByTestId('org-count').innerText(), new RegExp(`共 ${units.length} 个单位`));
  const companies = units.filter((u) => u.kind === 'company').length;
  const outlets = units.filter((u) => u.kind === 'outlet').length;
  assert.match(await page.getByTestId('org').innerText(), new RegExp(`公司 ${companies} · 区域 \\d+ · 网点 ${outlets} · 部门 \\d+`));
  // every unit is a node of the tree (the company and regions expanded)
  const qa = units.find((u) => u.code === 'QA');
  const east = units.find((u) => u.code === 'EAST');
  const shpd = units.find((u) => u.code === 'SH-4S-PD');
  for (const u of [qa, east, shpd]) assert.match(await page.getByTestId(`org-node-${u.id}`).innerText(), new RegExp(u.code));
  await page.getByTestId(`org-node-${qa.id}`).click();
  assert.equal((await page.getByTestId('org-detail-name').innerText()).trim(), qa.name);
  assert.equal((await page.getByTestId('org-detail-code').innerText()).trim(), 'QA');
  await assertNamed('org');
  await shot('63-admin-org');

  // a child department under QA: first a code with a space (the page), then a taken one (409)
  const snap0 = s.snapshot();
  await page.getByTestId('org-add').click();
  await page.getByTestId('org-dialog').waitFor();
  assert.equal(await page.getByTestId('org-form-kind').locator('label').count(), 1, 'only a department fits under a department');
  await input('org-form-name').fill('质量检测组');
  await input('org-form-code').fill('qa lab');
  await page.getByTestId('org-form-save').click();
  await page.getByTestId('org-dialog').getByText('1–32 位大写字母、数字、_ 或 -，全局唯一').nth(1).waitFor();
  assert.equal(await input('org-form-code').inputValue(), 'QA LAB', 'codes are typed in capitals');
  await input('org-form-code').fill('HQ');
  expectProblem(/409.*\/api\/v1\/org\/units$/);
  await page.getByTestId('org-form-save').click();
  await page.getByTestId('org-form-error').waitFor();
  assert.match(await fieldError('org-dialog'), /该编码已被其他单位使用/);
  assert.deepEqual(s.snapshot(), snap0);
  await input('org-form-code').fill('QA-LAB');
  await page.getByTestId('org-form-save').click();
  await page.getByTestId('org-dialog').waitFor({ state: 'hidden' });
  await idle();
  const after = await all('/api/v1/org/units');
  const lab = after.find((u) => u.code === 'QA-LAB');
  assert.ok(lab, 'the API has the new unit');
  assert.deepEqual([lab.name, lab.kind, lab.parent], ['质量检测组', 'department', qa.id]);
  assert.equal((await page.getByTestId('org-detail-name').innerText()).trim(), '质量检测组', 'the new unit is selected');

  // rename it
  await page.getByTestId('org-edit').click();
  await page.getByTestId('org-dialog').waitFor();
  await input('org-form-name').fill('质量检测室');
  await page.getByTestId('org-form-save').click();
  await page.getByTestId('org-dialog').waitFor({ state: 'hidden' });
  await idle();
  assert.equal((await get(`/api/v1/org/units/${lab.id}`)).unit.name, '质量检测室');
  assert.match(await page.getByTestId(`org-node-${lab.id}`).innerText(), /质量检测室/);
});

// ---- configured lists ---------------------------------------------------------------------

test('lists: categories and channels as the API has them; add, rename, retire; bad codes refused', async () => {
  await open('lists');
  const cats = await all('/api/v1/config/categories');
  assert.match(await page.getByTestId('lists-count').innerText(), new RegExp(`启用中 ${cats.length} 项`));
  assert.deepEqual(await page.getByTestId('list-code').allInnerTexts(), cats.map((c) => c.code));
  assert.deepEqual(await page.getByTestId('list-name-zh').allInnerTexts(), cats.map((c) => c.name_zh));
  await assertNamed('lists');
  await shot('64-admin-lists');

  // a sub-category of product quality; a bad code first (the page), then a good one
  const snap0 = s.snapshot();
  await page.getByTestId('lists-new').click();
  await page.getByTestId('list-dialog').waitFor();
  await input('list-form-code').fill('Bad Code');
  await page.getByTestId('list-form-save').click();
  await page.getByTestId('list-dialog').getByText('1–64 位小写字母、数字、_ 或 -；保存后不能修改').nth(1).waitFor();
  assert.match(await fieldError('list-dialog'), /此项必填/, 'the names are required too');
  await input('list-form-code').fill('product_quality');
  await page.getByTestId('list-form-save').click();
  await page.getByTestId('list-dialog').getByText('该编码已在列表中，请直接编辑它').waitFor();
  assert.deepEqual(s.snapshot(), snap0);
  assert.equal((await all('/api/v1/config/categories')).length, cats.length);
  await input('list-form-code').fill('battery_life');
  await input('list-form-name-zh').fill('电池续航');
  await input('list-form-name-en').fill('Battery life');
  await choose('list-form-parent', '产品质量 (product_quality)');
  await page.getByTestId('list-form-save').click();
  await page.getByTestId('list-dialog').waitFor({ state: 'hidden' });
  await idle();
  let now = await all('/api/v1/config/categories');
  const bat = now.find((c) => c.code === 'battery_life');
  assert.deepEqual([bat?.name_zh, bat?.name_en, bat?.parent], ['电池续航', 'Battery life', 'product_quality']);
  assert.match(await page.getByTestId('lists-count').innerText(), new RegExp(`启用中 ${cats.length + 1} 项`));

  // renamed: the order kept (its sort number offered as its place)
  await page.getByTestId('list-edit-staff_skill').click();
  await page.getByTestId('list-dialog').waitFor();
  await input('list-form-name-en').fill('Staff skills');
  await page.getByTestId('list-form-save').click();
  await page.getByTestId('list-dialog').waitFor({ state: 'hidden' });
  await idle();
  now = await all('/api/v1/config/categories');
  assert.equal(now.find((c) => c.code === 'staff_skill').name_en, 'Staff skills');
  assert.equal(now.findIndex((c) => c.code === 'staff_skill'), cats.findIndex((c) => c.code === 'staff_skill'), 'same place');

  // retired after a confirmation: gone from the API's list
  await page.getByTestId('list-retire-battery_life').click();
  await page.locator('.el-message-box').getByText('电池续航').waitFor();
  await confirmBox();
  await page.getByTestId('list-retire-battery_life').waitFor({ state: 'detached' });
  assert.equal((await all('/api/v1/config/categories')).some((c) => c.code === 'battery_life'), false);

  // the channels tab is in the URL
  await page.getByRole('tab', { name: '投诉渠道' }).click();
  await page.waitForURL(/list=channels/);
  await idle();
  const chans = await all('/api/v1/config/channels');
  assert.deepEqual(await page.getByTestId('list-code').allInnerTexts(), chans.map((c) => c.code));
  await open('lists', '?list=service-stages');
  const stages = await all('/api/v1/config/service-stages');
  assert.deepEqual(await page.getByTestId('list-name-zh').allInnerTexts(), stages.map((c) => c.name_zh));
});

// ---- grading rules ------------------------------------------------------------------------

test('grading: the rules with readable conditions; one edited; a reason too long is refused', async () => {
  await open('grading');
  const rules = await all('/api/v1/config/grading-rules');
  assert.match(await page.getByTestId('grading-count').innerText(), new RegExp(`共 ${rules.length} 条`));
  assert.deepEqual(await page.getByTestId('rule-id').allInnerTexts(), rules.map((r) => r.id));
  const conds = await page.getByTestId('rule-condition').allInnerTexts();
  const major = rules.findIndex((r) => r.kind === 'loss_above');
  assert.match(conds[major], new RegExp(`超过 ¥${(rules[major].params.cents / 100).toLocaleString('en-US')}\\.00`));
  const flag = rules.findIndex((r) => r.id === 'media_threat');
  assert.equal(conds[flag], '投诉带有“扬言曝光”标记');
  const sim = rules.findIndex((r) => r.kind === 'similar_cases');
  assert.equal(conds[sim], `${rules[sim].params.days} 天内同一对象同类投诉至少 ${rules[sim].params.count} 起`);
  await assertNamed('grading');
  await shot('65-admin-grading');

  const before = rules.find((r) => r.id === 'similar_5_in_7d');
  await page.getByTestId('rule-edit-similar_5_in_7d').click();
  await page.getByTestId('rule-dialog').waitFor();
  await input('rule-form-text-zh').fill('超'.repeat(90)); // 270 bytes
  await page.getByTestId('rule-form-save').click();
  await page.getByTestId('rule-dialog').getByText('过长：最多 255 字节（一个汉字占 3 字节）').waitFor();
  assert.deepEqual((await all('/api/v1/config/grading-rules')).find((r) => r.id === before.id), before, 'nothing written');
  await input('rule-form-text-zh').fill('7天内4起以上同类投诉');
  await input('rule-form-text-en').fill('4 or more similar cases within 7 days');
  await input('rule-form-count').fill('4');
  await input('rule-form-count').press('Tab');
  assert.equal((await page.getByTestId('rule-form-preview').innerText()).trim(), '7 天内同一对象同类投诉至少 4 起');
  await page.getByTestId('rule-form-save').click();
  await page.getByTestId('rule-dialog').waitFor({ state: 'hidden' });
  await idle();
  const after = (await all('/api/v1/config/grading-rules')).find((r) => r.id === before.id);
  assert.deepEqual(after, { ...before, params: { count: 4, days: 7 }, text_zh: '7天内4起以上同类投诉', text_en: '4 or more similar cases within 7 days' });
});

// ---- routing ------------------------------------------------------------------------------

test('routing: the rules in the order tried; one added and one deleted; a department is required', async () => {
  await open('routing');
  const routes = await all('/api/v1/config/routes');
  const units = await all('/api/v1/org/units');
  const cats = await all('/api/v1/config/categories');
  assert.match(await page.getByTestId('routing-count').innerText(), new RegExp(`共 ${routes.length} 条规则`));
  const depts = await page.getByTestId('route-dept').allInnerTexts();
  assert.deepEqual(depts, routes.map((r) => { const u = units.find((x) => x.id === r.dept); return `${u.name} (${u.code})`; }));
  assert.deepEqual(await page.getByTestId('route-category').allInnerTexts(), routes.map((r) => cats.find((c) => c.code === r.category)?.name_zh ?? '任意类别'));
  await assertNamed('routing');
  await shot('600-admin-routing');

  const snap0 = s.snapshot();
  await page.getByTestId('routing-new').click();
  await page.getByTestId('route-dialog').waitFor();
  await page.getByTestId('route-form-save').click();
  await page.getByTestId('route-dialog').getByText('请选择一个部门（类型为“部门”的单位）').waitFor();
  assert.equal((await all('/api/v1/config/routes')).length, routes.length);
  assert.deepEqual(s.snapshot(), snap0);
  const east = units.find((u) => u.code === 'EAST');
  const cr = units.find((u) => u.code === 'CR');
  await choose('route-form-category', '其他');
  await page.getByTestId('route-form-unit').first().click();
  await page.locator('.el-select-dropdown .unit-opt', { hasText: `${east.name} (EAST)` }).first().click();
  await choose('route-form-dept', `${cr.name} (CR)`);
  await input('route-form-priority').fill('50');
  await input('route-form-priority').press('Tab');
  await page.getByTestId('route-form-save').click();
  await page.getByTestId('route-dialog').waitFor({ state: 'hidden' });
  await idle();
  const now = await all('/api/v1/config/routes');
  assert.equal(now.length, routes.length + 1);
  const added = now.find((r) => !routes.some((x) => x.id === r.id));
  assert.deepEqual({ ...added, id: 0 }, { id: 0, category: 'other', unit: east.id, dept: cr.id, priority: 50 });
  assert.match(await page.getByTestId('routing-count').innerText(), new RegExp(`共 ${routes.length + 1} 条规则`));

  await page.getByTestId(`route-delete-${added.id}`).click();
  await page.locator('.el-message-box').getByText('已分派的投诉不受影响').waitFor();
  await confirmBox();
  await page.getByTestId(`route-delete-${added.id}`).waitFor({ state: 'detached' });
  assert.deepEqual(await all('/api/v1/config/routes'), routes);
});

// ---- approval limits ----------------------------------------------------------------------

test('approval: limits shown in yuan; one changed exactly to the fen; a bad amount refused', async () => {
  await open('approval');
  const limits = await all('/api/v1/config/approval-limits');
  const amounts = await page.getByTestId('limit-amount').allInnerTexts();
  assert.deepEqual(amounts, limits.map((l) => (l.max_cents === null ? '不限金额' : `¥${(l.max_cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`)));
  assert.deepEqual(await page.getByTestId('limit-role').allInnerTexts(), limits.map((l) => ({ handler: '经办人', supervisor: '主管', dept_manager: '部门经理', general_manager: '总经理' })[l.role]));
  await assertNamed('approval');
  await shot('601-admin-approval');

  await page.getByTestId('limit-edit-supervisor').click();
  await page.getByTestId('limit-dialog').waitFor();
  await input('limit-form-yuan').fill('8000.123');
  await page.getByTestId('limit-form-save').click();
  await page.getByTestId('limit-dialog').getByText('请输入金额（元），最多两位小数').first().waitFor();
  assert.deepEqual(await all('/api/v1/config/approval-limits'), limits, 'nothing written');
  await input('limit-form-yuan').fill('8,000.10');
  await page.getByTestId('limit-form-grade').getByText('严重').click();
  await page.getByTestId('limit-form-save').click();
  await page.getByTestId('limit-dialog').waitFor({ state: 'hidden' });
  await idle();
  const sup = (await all('/api/v1/config/approval-limits')).find((l) => l.role === 'supervisor');
  assert.deepEqual(sup, { role: 'supervisor', max_cents: 800010, max_grade: 'g3' });
  assert.ok((await page.getByTestId('limit-amount').allInnerTexts()).includes('¥8,000.10'));
});

// ---- clocks and escalation ------------------------------------------------------------------

test('clocks: the rules and their limits per grade; one edited; no grade at all refused; the warning point', async () => {
  await open('clocks');
  const clocks = await all('/api/v1/config/clocks');
  assert.match(await page.getByTestId('clocks-count').innerText(), new RegExp(`共 ${clocks.length} 个时限`));
  assert.deepEqual(await page.getByTestId('clock-name').allInnerTexts(), clocks.map((c) => c.name));
  const unit = { min: '分钟', h: '小时', d: '天', wh: '工作小时', wd: '工作日' };
  assert.deepEqual(await page.getByTestId('clock-limit-g4').allInnerTexts(), clocks.map((c) => (c.limits?.g4 ? `${c.limits.g4.amount} ${unit[c.limits.g4.unit]}` : '—')));
  await assertNamed('clocks');
  await shot('66-admin-clocks');

  const before = clocks.find((c) => c.name === 'follow_up');
  await page.getByTestId('clock-edit-follow_up').click();
  await page.getByTestId('clock-drawer').waitFor();
  for (const g of ['g1', 'g2', 'g3', 'g4']) await page.getByTestId(`clock-form-on-${g}`).click();
  await page.getByTestId('clock-form-save').click();
  await page.getByTestId('clock-drawer').getByText('请至少为一个等级设置期限').waitFor();
  assert.deepEqual((await all('/api/v1/config/clocks')).find((c) => c.name === 'follow_up'), before, 'nothing written');
  for (const g of ['g1', 'g2', 'g3', 'g4']) await page.getByTestId(`clock-form-on-${g}`).click();
  await input('clock-form-amount-g1').fill('2');
  await input('clock-form-amount-g1').press('Tab');
  await choose('clock-form-unit-g1', '工作日');
  await shot('608-admin-clock-drawer', { full: false });
  await page.getByTestId('clock-form-save').click();
  await page.getByTestId('clock-drawer').waitFor({ state: 'hidden' });
  await idle();
  const after = (await all('/api/v1/config/clocks')).find((c) => c.name === 'follow_up');
  assert.deepEqual(after, { ...before, limits: { ...before.limits, g1: { amount: 2, unit: 'wd', unreachable_amount: null } } });

  // the warning point (setting sla_warn_pct)
  await input('clocks-warn-input').fill('75');
  await input('clocks-warn-input').press('Tab');
  await page.getByTestId('clocks-warn-save').click();
  await page.getByText('预警点已改为 75%').waitFor();
  assert.equal((await all('/api/v1/config/settings')).find((x) => x.key === 'sla_warn_pct').value, 75);
});

test('escalation: the targets per grade as the API has them; a role added to a grade', async () => {
  await open('escalation');
  const tiers = await all('/api/v1/config/escalation');
  for (const g of ['g1', 'g2', 'g3', 'g4']) {
    const shown = await page.getByTestId(`tier-${g}`).locator('[data-target]').evaluateAll((els) => els.map((e) => e.dataset.target));
    assert.deepEqual(shown, tiers.filter((x) => x.grade === g).map((x) => x.target), g);
  }
  assert.match(await page.getByTestId('tier-g4').innerText(), /角色：总经理/);
  await assertNamed('escalation');
  await shot('602-admin-escalation');
  await page.getByTestId('tier-edit-g1').click();
  await page.getByTestId('tier-dialog').waitFor();
  await page.getByTestId('tier-form-roles').click();
  await page.getByRole('option', { name: '管理部', exact: true }).click();
  await page.getByTestId('tier-dialog').locator('.el-form-item__label').first().click();
  await page.getByTestId('tier-form-save').click();
  await page.getByTestId('tier-dialog').waitFor({ state: 'hidden' });
  await idle();
  const g1 = (await all('/api/v1/config/escalation')).filter((x) => x.grade === 'g1').map((x) => x.target);
  assert.deepEqual(g1.sort(), ['outlet', 'role:reviewer']);
  assert.match(await page.getByTestId('tier-g1').innerText(), /角色：管理部/);
});

// ---- the working calendar -------------------------------------------------------------------

test('calendar: the year as the API has it; a day set and put back; a bad import refused by line; the due calculator', async () => {
  await open('calendar', '?year=2026');
  const cal = (await get('/api/v1/calendar?year=2026')).calendar;
  const hol = cal.days.filter((d) => d.kind === 'holiday').length;
  const mk = cal.days.filter((d) => d.kind === 'workday').length;
  assert.match(await page.getByTestId('cal-count').innerText(), new RegExp(`放假 ${hol} 天 · 调休上班 ${mk} 天`));
  assert.equal((await page.getByTestId('cal-hours-text').innerText()).trim(), cal.hours);
  assert.deepEqual(await page.getByTestId('cal-day-date').allInnerTexts(), cal.days.map((d) => d.date));
  const state = (d) => page.locator(`[data-date="${d}"]`).getAttribute('data-state');
  assert.equal(await state('2026-10-01'), 'holiday');
  assert.equal(await state('2026-10-10'), 'workday'); // a Saturday worked
  assert.equal(await state('2026-10-11'), 'off');
  assert.equal(await state('2026-10-12'), 'work');
  await assertNamed('calendar');
  await shot('67-admin-calendar');

  // a Thursday made a holiday, then back to normal
  await page.locator('[data-date="2026-12-31"]').click();
  await page.getByTestId('day-dialog').waitFor();
  await input('day-form-name').fill('年终盘点');
  await page.getByTestId('day-form-save').click();
  await page.getByTestId('day-dialog').waitFor({ state: 'hidden' });
  await page.waitForFunction(() => document.querySelector('[data-date="2026-12-31"]')?.dataset.state === 'holiday');
  assert.deepEqual((await get('/api/v1/calendar?year=2026')).calendar.days.at(-1), { date: '2026-12-31', kind: 'holiday', name: '年终盘点' });
  await page.getByTestId('cal-clear-2026-12-31').click();
  await confirmBox();
  await page.waitForFunction(() => document.querySelector('[data-date="2026-12-31"]')?.dataset.state === 'work');
  assert.deepEqual((await get('/api/v1/calendar?year=2026')).calendar.days, cal.days);

  // an import with a bad line: refused whole, the line named
  await page.getByTestId('cal-next').click();
  await page.waitForURL(/year=2027/);
  await idle();
  await page.getByTestId('cal-no-list').waitFor();
  await page.getByTestId('cal-import').click();
  await page.getByTestId('import-dialog').waitFor();
  await textarea('import-text').fill('# 2027\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n2027-02-06,workday,春节调休\n');
  expectProblem(/422.*\/api\/v1\/calendar\/import$/);
  await page.getByTestId('import-save').click();
  await page.getByTestId('import-errors').waitFor();
  assert.equal((await page.getByTestId('import-errors').innerText()).trim(), '第 3 行：日期须为真实存在的 YYYY-MM-DD');
  assert.match(await fieldError('import-dialog'), /未导入任何日期/);
  await shot('609-admin-import-error', { full: false });
  assert.deepEqual((await get('/api/v1/calendar?year=2027')).calendar.days, []);
  await textarea('import-text').fill('# 2027\n2027-01-01,holiday,元旦\n2027-02-06\t班\t春节调休\n');
  await page.getByTestId('import-save').click();
  await page.getByTestId('import-dialog').waitFor({ state: 'hidden' });
  await page.waitForFunction(() => document.querySelector('[data-date="2027-02-06"]')?.dataset.state === 'workday');
  assert.deepEqual((await get('/api/v1/calendar?year=2027')).calendar.days, [
    { date: '2027-01-01', kind: 'holiday', name: '元旦' },
    { date: '2027-02-06', kind: 'workday', name: '春节调休' },
  ]);

  // the due time of 2 working days from 2026-09-30 17:00 (国庆节 in between)
  await input('due-start').fill('2026-09-30 17:00');
  await input('due-start').press('Enter');
  await input('due-amount').fill('2');
  await input('due-amount').press('Tab');
  await page.getByTestId('due-calc').click();
  await page.getByTestId('due-result').waitFor();
  const due = await get('/api/v1/calendar/due?start=2026-09-30T17:00:00%2B08:00&amount=2&unit=wd');
  assert.equal(due.due_at, '2026-10-09T17:00:00+08:00');
  assert.equal((await page.getByTestId('due-at').innerText()).trim(), '2026-10-09 17:00');
  assert.match(await page.getByTestId('due-result').innerText(), /共计 16 个工作小时/);
});

// ---- letter templates ---------------------------------------------------------------------

test('letters: the templates by code and language; one edited; an unknown variable refused; a case\'s letter', async () => {
  await open('letters');
  const tpls = await all('/api/v1/letter-templates');
  assert.match(await page.getByTestId('letters-count').innerText(), new RegExp(`共 ${tpls.length} 个模板`));
  assert.deepEqual(await page.getByTestId('letter-code').allInnerTexts(), tpls.map((x) => x.code));
  assert.deepEqual(await page.getByTestId('letter-subject').allInnerTexts(), tpls.map((x) => x.subject));
  await page.getByTestId('letters-lang').getByText('英文').click();
  assert.equal(await page.getByTestId('letter-code').count(), tpls.filter((x) => x.lang === 'en').length);
  await page.getByTestId('letters-lang').getByText('全部').click();
  await assertNamed('letters');
  await shot('68-admin-letters');

  const before = tpls.find((x) => x.code === 'result' && x.lang === 'zh');
  await page.getByTestId('letter-edit-result-zh').click();
  await page.getByTestId('letter-drawer').waitFor();
  await input('letter-form-subject').fill('投诉处理结果通知（{{case_nom}}）');
  await page.getByTestId('letter-form-save').click();
  await page.getByTestId('letter-drawer').getByText('未知变量 case_nom（第 10 个字符）').waitFor();
  assert.deepEqual((await all('/api/v1/letter-templates')).find((x) => x.code === 'result' && x.lang === 'zh'), before, 'nothing written');
  await input('letter-form-subject').fill('处理结果通知 ');
  await input('letter-form-subject').press('End');
  await page.getByTestId('letter-var-case_no').click();
  assert.equal(await input('letter-form-subject').inputValue(), '处理结果通知 {{case_no}}');
  assert.match(await page.getByTestId('letter-preview').innerText(), /处理结果通知 投诉编号/);
  await page.getByTestId('letter-form-save').click();
  await page.getByText('已保存模板 result（中文）').waitFor();
  const after = (await all('/api/v1/letter-templates')).find((x) => x.code === 'result' && x.lang === 'zh');
  assert.equal(after.subject, '处理结果通知 {{case_no}}');
  assert.equal(after.body, before.body);
  assert.equal(after.updated_by, 'admin');

  // the saved template for a real case (nothing sent)
  const c = (await get('/api/v1/cases?per_page=1')).items[0];
  await input('letter-case-no').fill(c.case_no);
  await page.getByTestId('letter-render').click();
  await page.getByTestId('letter-rendered').waitFor();
  const letter = (await get(`/api/v1/cases/${c.case_no}/letters/result?lang=zh`)).letter;
  assert.equal(letter.subject, `处理结果通知 ${c.case_no}`);
  assert.match(await page.getByTestId('letter-rendered').innerText(), new RegExp(`处理结果通知 ${c.case_no}`));
  await shot('607-admin-letter-drawer', { full: false });
  await page.keyboard.press('Escape');
  await page.getByTestId('letter-drawer').waitFor({ state: 'hidden' });
});

// ---- webhooks and settings --------------------------------------------------------------------

test('webhooks: a subscription added and ended; a bad URL and a short secret refused', async () => {
  await open('webhooks');
  assert.match(await page.getByTestId('webhooks-count').innerText(), /共 0 个订阅/);
  await page.getByTestId('webhooks-new').click();
  await page.getByTestId('webhook-dialog').waitFor();
  await input('webhook-form-url').fill('ftp://example.com/hook');
  await input('webhook-form-secret').fill('too-short');
  await page.getByTestId('webhook-form-save').click();
  await page.getByTestId('webhook-dialog').getByText('以 http:// 或 https:// 开头的地址').first().waitFor();
  assert.match(await fieldError('webhook-dialog'), /16–200 个字符/);
  assert.deepEqual(await all('/api/v1/webhooks'), []);
  await input('webhook-form-url').fill('https://hooks.example.com/tousu');
  await input('webhook-form-secret').fill('a-secret-of-enough-length');
  await page.getByTestId('webhook-form-all').click();
  await page.getByTestId('webhook-form-kinds').getByText('超时', { exact: true }).click();
  await page.getByTestId('webhook-form-kinds').getByText('月度报告').click();
  await page.getByTestId('webhook-form-save').click();
  await page.getByTestId('webhook-dialog').waitFor({ state: 'hidden' });
  await idle();
  const hooks = await all('/api/v1/webhooks');
  assert.equal(hooks.length, 1);
  assert.deepEqual([hooks[0].url, hooks[0].events], ['https://hooks.example.com/tousu', 'sla_breach,monthly_report']);
  assert.deepEqual(await page.getByTestId('webhook-url').allInnerTexts(), ['https://hooks.example.com/tousu']);
  await shot('604-admin-webhooks');
  await page.getByTestId(`webhook-delete-${hooks[0].id}`).click();
  await confirmBox();
  await page.getByTestId(`webhook-delete-${hooks[0].id}`).waitFor({ state: 'detached' });
  assert.deepEqual(await all('/api/v1/webhooks'), []);
});

test('settings: the values as the API has them, in their units; one changed', async () => {
  await open('settings');
  const st = Object.fromEntries((await all('/api/v1/config/settings')).map((x) => [x.key, x.value]));
  assert.deepEqual((await page.getByTestId('setting-key').allInnerTexts()).sort(), Object.keys(st).sort());
  assert.equal(await page.getByTestId('setting-value-hr_review_threshold_cents').innerText(), `¥${(st.hr_review_threshold_cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
  assert.equal(await page.getByTestId('setting-value-sla_warn_pct').innerText(), `${st.sla_warn_pct}%`);
  assert.equal(await page.getByTestId('setting-value-report_recipient_roles').innerText(), '总经理、管理部');
  await assertNamed('settings');
  await shot('603-admin-settings');
  await page.getByTestId('setting-edit-pending_reminder_day').click();
  await page.getByTestId('setting-dialog').waitFor();
  await input('setting-form-value').fill('6');
  await input('setting-form-value').press('Tab');
  await page.getByTestId('setting-form-save').click();
  await page.getByTestId('setting-dialog').waitFor({ state: 'hidden' });
  await idle();
  assert.equal((await all('/api/v1/config/settings')).find((x) => x.key === 'pending_reminder_day').value, 6);
  assert.equal(await page.getByTestId('setting-value-pending_reminder_day').innerText(), '每月 6 日');
});

// ---- English --------------------------------------------------------------------------------

test('in English: the sections, their tables and the calendar', async () => {
  await open('users');
  await page.getByTestId('lang-en').click();
  await page.getByText('Users and roles').first().waitFor();
  const users = await all('/api/v1/users');
  assert.match(await page.getByTestId('users-count').innerText(), new RegExp(`${users.length} users`));
  assert.match(await page.getByTestId('admin-nav-calendar').innerText(), /Working calendar/);
  const row = page.locator('[data-testid=users-table] .el-table__row', { has: page.getByText('admin', { exact: true }) }).first();
  assert.equal((await row.getByTestId('user-roles').innerText()).trim(), 'Administrator');
  await assertNoSideScroll('users, English');
  await shot('69-admin-users-en');
  await open('calendar', '?year=2026');
  assert.match(await page.getByTestId('cal-count').innerText(), /holidays · \d+ make-up working days/);
  assert.equal(await page.locator('[data-date="2026-10-01"]').getAttribute('aria-label'), 'Thursday, October 1, 2026, Holiday, 国庆节');
  await shot('605-admin-calendar-en');
  await open('grading');
  assert.match((await page.getByTestId('rule-condition').allInnerTexts()).join('\n'), /The case is flagged/);
  await shot('606-admin-grading-en');
  await page.getByTestId('lang-zh').click();
  await page.getByText('定级规则').first().waitFor();
});

test('no console errors, page errors or failed requests in the administration', () => {
  assert.deepEqual(b.unexpected(), []);
});
