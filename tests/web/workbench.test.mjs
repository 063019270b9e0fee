// The workbench as a work queue (docs/web.md): the queues of a supervisor, a handler and an
// agent, each equal to GET /api/v1/cases with the queue's filter and sort=due; the nearest
// clock counting down, amber from its warning point and red once due (the browser's clock
// driven by playwright); saved views kept in localStorage across a reload; bulk assign by
// sup.east with a refused case reported; English. Against the real `tousu serve` on a
// temporary demo database, in Debian's chromium at 1280×800. Screenshots tests/web/out/7x-*.
//
// Run: TOUSU_BIN=/abs/tousu TOUSU_WEB_DIR=/abs/dist node --test --test-concurrency=1 tests/web/workbench.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertCleanShutdown, caseBody, demoPassword } from '../api/lib.mjs';
import { WEB_DIR, launchBrowser, loginAs, screenshot as shot } from './browser.mjs';

let s;
let b; // {browser, newPage, expectProblem, unexpected, …}
const tokens = {};
const expectProblem = (re) => b.expectProblem(re);
const units = {}; // code → unit
const made = {}; // what the tests registered: name → case_no

async function api(user, method, p, body) {
  tokens[user] ??= await s.login(user);
  return s.api(method, p, { token: tokens[user], body });
}
async function get(user, p) {
  const r = await api(user, 'GET', p);
  assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
  return r.json;
}

/* A fresh browser context logged in as the user, on the workbench. */
async function openAs(user, { clock } = {}) {
  const page = await b.newPage();
  if (clock) await page.clock.install({ time: clock });
  await loginAs(page, s.url, user, demoPassword(user));
  await waitForTable(page);
  return page;
}

async function waitForTable(page) {
  await page.getByTestId('case-table').waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid=case-table] .el-loading-mask'));
}

/* The rows shown equal the API's page for the same query (order included). */
async function assertRows(page, user, query, what) {
  const list = await get(user, `/api/v1/cases?${[query, 'page=1&per_page=20'].filter((x) => x && x !== '&').join('&').replace(/^&|&(?=&)/g, '')}`);
  await page.waitForFunction((n) => document.querySelector('[data-testid=case-total]')?.textContent.includes(`共 ${n} 件`), list.total);
  await waitForTable(page);
  await page.waitForFunction(
    (nos) => JSON.stringify([...document.querySelectorAll('[data-testid=case-no]')].map((a) => a.textContent.trim())) === JSON.stringify(nos),
    list.items.map((c) => c.case_no),
  ).catch(() => {});
  assert.deepEqual(await page.getByTestId('case-no').allInnerTexts(), list.items.map((c) => c.case_no), what);
  return list;
}

async function assertNoSideScroll(page, screen) {
  const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(sw <= cw, `${screen}: the page is ${sw}px wide in a ${cw}px window`);
}

/* Every control has an accessible name. */
async function assertNamed(page, screen) {
  const tree = await page.locator('body').ariaSnapshot();
  const unnamed = tree
    .split('\n')
    .filter((l) => /- (combobox|textbox|button|link|radio|checkbox|spinbutton|listbox|menuitem|img|tab)\b/.test(l))
    .filter((l) => !/- \w+ "[^"]+"/.test(l) && !/- \w+ '[^']+'/.test(l));
  assert.deepEqual(unnamed, [], `${screen}: controls without an accessible name`);
}

/* The level the page must show for a case at the browser time nowMs. */
function expectedLevel(c, nowMs) {
  const open = c.clocks.filter((k) => !k.stopped_at && (k.state === 'running' || k.state === 'breached') && k.due_at);
  if (!open.length) return c.clocks.some((k) => !k.stopped_at && k.state === 'paused') ? 'paused' : 'none';
  const k = open.reduce((a, b) => (Date.parse(b.due_at) < Date.parse(a.due_at) ? b : a));
  if (k.state === 'breached' || nowMs >= Date.parse(k.due_at)) return 'breached';
  if (k.warn_at && nowMs >= Date.parse(k.warn_at)) return 'warn';
  return 'ok';
}
function nearest(c) {
  const open = c.clocks.filter((k) => !k.stopped_at && (k.state === 'running' || k.state === 'breached') && k.due_at);
  return open.reduce((a, b) => (Date.parse(b.due_at) < Date.parse(a.due_at) ? b : a));
}

before(async () => {
  s = await startServer({ args: ['--web-dir', WEB_DIR] });
  b = await launchBrowser({ timeout: 20000 });
  for (const u of (await get('admin', '/api/v1/org/units?per_page=500')).items) if (u.code) units[u.code] = u;

  // Cases of today, received by agent.shpd at its outlet (the 首问 owner): running clocks.
  const reg = async (name, extra = {}) => {
    const r = await api('agent.shpd', 'POST', '/api/v1/cases', caseBody({ title: `工作台测试 ${name}`, category: 'other', ...extra }));
    assert.equal(r.status, 201, r.text);
    made[name] = r.json.case.case_no;
    return r.json.case;
  };
  for (const n of ['甲', '乙', '丙', '丁', '戊']) await reg(n);
  // accepted by the supervisor: 甲 乙 丙 may be assigned; 丁 goes to the after-sales department
  for (const n of ['甲', '乙', '丙', '丁']) assert.equal((await api('sup.east', 'POST', `/api/v1/cases/${made[n]}/actions/accept`, {})).status, 200);
  const r = await api('sup.east', 'POST', `/api/v1/cases/${made['丁']}/actions/assign`, { dept: units.AFTERSALES.id, handler: 'handler.aftersales' });
  assert.equal(r.status, 200, r.text);
});

after(async () => {
  await b?.browser.close();
  if (s) await assertCleanShutdown(s);
});

test('each queue tab equals the API\'s answer for the same query, nearest due first', async () => {
  const cases = [
    { user: 'sup.east', tabs: { mine: 'handler=sup.east', all: '' }, landing: 'all' },
    { user: 'handler.aftersales', tabs: { mine: 'handler=handler.aftersales', dept: `dept=${units.AFTERSALES.id}`, all: '' }, landing: 'mine' },
    { user: 'agent.shpd', tabs: { owned: 'owner=agent.shpd', outlet: `outlet=${units['SH-4S-PD'].id}`, all: '' }, landing: 'owned' },
  ];
  for (const { user, tabs, landing } of cases) {
    const page = await openAs(user);
    // the tabs that make sense for this user, and no others
    const shown = await page.locator('[data-testid^=queue-tab-]').evaluateAll((els) => els.map((e) => e.dataset.testid.slice('queue-tab-'.length)));
    assert.deepEqual(shown, Object.keys(tabs), `${user}'s queues`);
    // the bare /workbench is the user's own queue
    await assertRows(page, user, `${tabs[landing]}&sort=due`, `${user} lands on ${landing}`);
    assert.equal(await page.locator(`.queue-tabs .el-tabs__item.is-active [data-testid=queue-tab-${landing}]`).count(), 1, `${user}: ${landing} is the active tab`);
    for (const [id, filter] of Object.entries(tabs)) {
      await page.getByTestId(`queue-tab-${id}`).click();
      if (id !== landing) await page.waitForURL(new RegExp(`queue=${id}`));
      else await page.waitForURL((u) => !u.searchParams.has('queue'));
      const list = await assertRows(page, user, `${filter}&sort=due`, `${user} ${id}`);
      // the badge counts the queue's open cases, as the API does
      assert.equal((await page.getByTestId(`queue-count-${id}`).innerText()).trim(), String(list.total), `${user} ${id} count`);
      // every row has its nearest clock, as the API's clocks say
      const clocks = await page.getByTestId('clock-cell').evaluateAll((els) => els.map((e) => e.dataset.clock ?? ''));
      assert.deepEqual(clocks, list.items.map((c) => nearest(c).name), `${user} ${id} clocks`);
    }
    // newest first: every case, closed ones included
    await page.getByTestId(`queue-tab-${landing}`).click();
    await page.getByTestId('sort-newest').click();
    await page.waitForURL(/sort=newest/);
    await assertRows(page, user, tabs[landing], `${user} ${landing} newest`);
    // only the roles that may assign see the bulk controls
    assert.equal(await page.getByTestId('bulk-assign').count(), user === 'sup.east' ? 1 : 0, `${user} bulk assign`);
    if (user === 'handler.aftersales') {
      await page.getByTestId('queue-tab-dept').click();
      await page.getByTestId('filter-more').click();
      await page.getByTestId('more-filters').waitFor();
      assert.equal(await page.getByTestId('filter-dept').inputValue(), units.AFTERSALES.name, 'the queue\'s department shown, fixed');
      await shot(page, '71-workbench-handler-dept');
    }
    if (user === 'agent.shpd') await shot(page, '72-workbench-agent');
    await assertNoSideScroll(page, user);
    await page.context().close();
  }
});

test('a link with filters and no queue is a search of everything, newest first (the dashboard\'s links, ?q=<case no>)', async () => {
  const page = await openAs('sup.east');
  await page.goto(`${s.url}/workbench?q=${made['甲']}`);
  await assertRows(page, 'sup.east', `q=${made['甲']}`, 'q=case number');
  await page.getByTestId('case-no').first().click();
  await page.waitForURL(new RegExp(`/cases/${made['甲']}$`));
  await page.goto(`${s.url}/workbench?grade=g3&overdue=true`);
  await assertRows(page, 'sup.east', 'grade=g3&overdue=true', 'dashboard-like link');
  assert.match(await page.locator('[data-testid=sort-newest]').getAttribute('class'), /is-active/);
  await page.context().close();
});

test('the countdown ticks; amber from the warning point, red and "overdue" once due, as the clocks say', async () => {
  const start = Date.now();
  const page = await openAs('sup.east', { clock: start });
  await page.goto(`${s.url}/workbench?queue=all`);
  const list = await assertRows(page, 'sup.east', 'sort=due', 'all, due');
  const mine = list.items.find((c) => c.case_no === made['戊']);
  assert.ok(mine, 'the new case is in the queue');
  const row = page.locator('[data-testid=case-table] tbody tr', { has: page.getByText(made['戊'], { exact: true }) });
  const k = nearest(mine);

  /* the levels and row highlights of every row, at browser time t */
  async function checkLevels(t, what) {
    const want = list.items.map((c) => expectedLevel(c, t));
    await page.waitForFunction(
      (w) => JSON.stringify([...document.querySelectorAll('[data-testid=case-table] [data-testid=clock-cell]')].map((e) => e.dataset.level)) === JSON.stringify(w),
      want,
    ).catch(() => {});
    const got = await page.locator('[data-testid=case-table] [data-testid=clock-cell]').evaluateAll((els) => els.map((e) => e.dataset.level));
    assert.deepEqual(got, want, `levels ${what}`);
    const classes = await page.locator('[data-testid=case-table] tbody tr').evaluateAll((els) => els.map((e) => e.className));
    classes.forEach((cls, i) => {
      const c = list.items[i];
      assert.equal(/row-overdue/.test(cls), c.overdue, `${c.case_no} overdue row ${what}`);
      assert.equal(/row-neardue/.test(cls), !c.overdue && (want[i] === 'warn' || want[i] === 'breached'), `${c.case_no} near-due row ${what}`);
    });
    // the colours: red for breached, amber for near due
    const colours = await page.locator('[data-testid=case-table] [data-testid=clock-left]').evaluateAll((els) => els.map((e) => getComputedStyle(e).color));
    const red = 'rgb(168, 7, 26)';
    const amber = 'rgb(173, 78, 0)';
    want.filter((l) => l !== 'none' && l !== 'paused').forEach((l, i) => {
      if (l === 'breached') assert.equal(colours[i], red, `red ${i} ${what}`);
      if (l === 'warn') assert.equal(colours[i], amber, `amber ${i} ${what}`);
    });
  }

  await checkLevels(start, 'now');
  const before1 = await row.getByTestId('clock-left').innerText();
  assert.match(before1, /^剩 /);
  await page.waitForTimeout(1500);
  // an hour and a minute later the text is different (hours or days move)
  await page.clock.fastForward('01:01:00');
  await page.waitForFunction(
    ([no, old]) => {
      const tr = [...document.querySelectorAll('[data-testid=case-table] tbody tr')].find((r) => r.textContent.includes(no));
      return tr && tr.querySelector('[data-testid=clock-left]').textContent !== old;
    },
    [made['戊'], before1],
  );
  const after1 = await row.getByTestId('clock-left').innerText();
  assert.notEqual(after1, before1, 'the countdown moved');
  await shot(page, '70-workbench-queue');

  // past the warning point of the new case's nearest clock: amber, the row highlighted
  const warnAt = Date.parse(k.warn_at) + 60_000;
  await page.clock.setSystemTime(warnAt);
  await page.waitForFunction(
    (no) => [...document.querySelectorAll('[data-testid=case-table] tbody tr')].find((r) => r.textContent.includes(no))?.querySelector('[data-level=warn]'),
    made['戊'],
  );
  await checkLevels(warnAt, 'after the warning point');
  assert.match(await row.getAttribute('class'), /row-neardue/);
  assert.match(await row.getByTestId('clock-left').innerText(), /^剩 /);
  await shot(page, '73-workbench-neardue');

  // past its due time: red, "已超时 …", counting up
  const dueAt = Date.parse(k.due_at) + 2 * 3600_000 + 5 * 60_000;
  await page.clock.setSystemTime(dueAt);
  await page.waitForFunction(
    (no) => [...document.querySelectorAll('[data-testid=case-table] tbody tr')].find((r) => r.textContent.includes(no))?.querySelector('[data-level=breached]'),
    made['戊'],
  );
  await checkLevels(dueAt, 'after the due time');
  assert.match(await row.getByTestId('clock-left').innerText(), /^已超时 2小时5分$|^已超时 2小时[0-9]+分$/);
  await page.context().close();
});

test('saved views: saved under a name, kept across a reload, restore queue, filters and order; renamed and deleted', async () => {
  const page = await openAs('sup.east');
  // choose 严重 and newest in the form, search
  await page.getByTestId('filter-grade').click();
  await page.getByRole('option', { name: '严重' }).click();
  await page.keyboard.press('Escape');
  await page.getByTestId('filter-apply').click();
  await page.waitForURL(/grade=g3/);
  await page.getByTestId('sort-newest').click();
  await page.waitForURL(/sort=newest/);
  await assertRows(page, 'sup.east', 'grade=g3', 'g3 newest');
  await page.getByTestId('view-save').click();
  await page.getByTestId('view-name').fill('严重投诉（最新）');
  await page.getByTestId('view-save-ok').click();
  await page.getByTestId('view-chip').filter({ hasText: '严重投诉（最新）' }).waitFor();
  // a second view: the overdue cases of all, due order
  await page.goto(`${s.url}/workbench?queue=all&overdue=true`);
  await waitForTable(page);
  await page.getByTestId('view-save').click();
  await page.getByTestId('view-name').fill('严重投诉（最新）');
  await page.getByTestId('view-save-ok').click();
  await page.getByText('已有同名视图，请换一个名称').waitFor(); // the name is taken
  await page.getByTestId('view-name').fill('超时');
  await page.getByTestId('view-save-ok').click();
  await page.getByTestId('view-chip').filter({ hasText: '超时' }).waitFor();

  const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('tousu.views.sup.east')));
  assert.deepEqual(
    stored.map((v) => [v.name, v.query]),
    [
      ['严重投诉（最新）', { queue: 'all', sort: 'newest', grade: 'g3' }],
      ['超时', { queue: 'all', overdue: 'true' }],
    ],
  );

  // back to the plain workbench, reload: the views are still there and restore everything
  await page.goto(`${s.url}/workbench`);
  await waitForTable(page); // settled before the reload (a reload in the middle of loading raced)
  await page.reload({ waitUntil: 'networkidle' });
  await waitForTable(page);
  assert.deepEqual(await page.getByTestId('view-chip').allInnerTexts(), ['严重投诉（最新）', '超时']);
  await page.getByTestId('view-chip').filter({ hasText: '严重投诉（最新）' }).click();
  await page.waitForURL(/grade=g3/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('queue'), 'all');
  assert.equal(url.searchParams.get('sort'), 'newest');
  await assertRows(page, 'sup.east', 'grade=g3', 'the view restored');
  assert.match(await page.getByTestId('filter-grade').innerText(), /严重/, 'the form shows the filter');
  assert.match(await page.getByTestId('sort-newest').getAttribute('class'), /is-active/);
  assert.equal(await page.getByTestId('view-chip').filter({ hasText: '严重投诉（最新）' }).getAttribute('aria-pressed'), 'true');
  await page.getByTestId('view-chip').filter({ hasText: '超时' }).click();
  await page.waitForURL(/overdue=true/);
  await assertRows(page, 'sup.east', 'overdue=true&sort=due', 'the second view');
  await shot(page, '74-workbench-views');

  // rename the first, delete the second
  await page.getByTestId('view-manage').click();
  const dlg = page.getByTestId('view-manage-dialog');
  await dlg.getByTestId('view-rename-input').first().fill('严重（新）');
  await dlg.getByTestId('view-rename').first().click();
  await page.getByTestId('view-chip').filter({ hasText: '严重（新）' }).waitFor();
  await dlg.getByTestId('view-delete').nth(1).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=view-chip]').length === 1);
  await page.keyboard.press('Escape');
  await page.reload();
  await waitForTable(page);
  assert.deepEqual(await page.getByTestId('view-chip').allInnerTexts(), ['严重（新）']);
  const kept = JSON.parse(await page.evaluate(() => localStorage.getItem('tousu.views.sup.east')));
  assert.deepEqual(kept.map((v) => [v.name, v.query]), [['严重（新）', { queue: 'all', sort: 'newest', grade: 'g3' }]]);
  await page.context().close();
});

test('bulk assign by sup.east: two cases assigned (the API shows dept and handler), a refused one reported', async () => {
  const page = await openAs('sup.east');
  await page.goto(`${s.url}/workbench?queue=all&status=accepted,received&sort=newest`);
  const list = await assertRows(page, 'sup.east', 'status=accepted,received', 'accepted and received');
  // only accepted (or investigating) cases can be ticked; the others are disabled, with a reason
  const ticks = await page.locator('[data-testid=case-table] tbody tr').evaluateAll((rows) =>
    rows.map((r) => (r.querySelector('[data-testid=row-select]') ? 'on' : r.querySelector('[data-testid=row-select-off]') ? 'off' : '?')),
  );
  assert.deepEqual(ticks, list.items.map((c) => (c.status === 'accepted' || c.status === 'investigating' ? 'on' : 'off')));
  await page.getByTestId('row-select-off').first().hover();
  await page.getByRole('tooltip').filter({ hasText: '不能分派' }).waitFor();

  const pick = ['甲', '乙', '丙'].map((n) => made[n]);
  for (const no of pick) {
    const tr = page.locator('[data-testid=case-table] tbody tr', { has: page.getByText(no, { exact: true }) });
    await tr.getByTestId('row-select').click();
  }
  assert.match(await page.getByTestId('selected-count').innerText(), /已选 3 件/);
  // meanwhile someone withdraws 丙: its assign will be refused
  assert.equal((await api('sup.east', 'POST', `/api/v1/cases/${made['丙']}/actions/withdraw`, { reason: '客户撤诉' })).status, 200);
  expectProblem(new RegExp(`409.*/api/v1/cases/${made['丙']}/actions/assign`));

  await page.getByTestId('bulk-assign').click();
  const dlg = page.getByTestId('assign-dialog');
  await dlg.waitFor();
  await page.getByTestId('assign-run').click(); // no department yet: said at the field
  await dlg.getByText('请选择责任部门').waitFor();
  await page.getByTestId('assign-dept').click();
  await page.getByRole('option', { name: units.AFTERSALES.name }).click();
  const assignees = (await get('sup.east', `/api/v1/org/units/${units.AFTERSALES.id}/assignees`)).items;
  const h = assignees.find((u) => u.username === 'handler.aftersales');
  await page.getByTestId('assign-handler').click();
  await page.getByRole('option', { name: `${h.display_name} (${h.username})` }).click();
  await shot(page, '75-workbench-assign');
  await page.getByTestId('assign-run').click();
  await page.getByTestId('assign-summary').waitFor();
  assert.match(await page.getByTestId('assign-summary').innerText(), /成功 2 件，失败 1 件/);
  assert.match(await dlg.locator('.assign-intro').innerText(), /选中的 3 件投诉/, 'the dialog still speaks of the cases it assigned');
  const res = await page.getByTestId('assign-result').evaluateAll((els) => els.map((e) => [e.dataset.case, e.dataset.state, e.innerText]));
  // in the order of the rows (newest first), each with its answer
  assert.deepEqual(res.map((r) => r.slice(0, 2)), [
    [made['丙'], 'error'],
    [made['乙'], 'ok'],
    [made['甲'], 'ok'],
  ]);
  assert.match(res[0][2], /当前状态“已撤诉”不能分派/);
  await shot(page, '76-workbench-assign-results');

  // the API has the department and the handler; the refused case is unchanged
  for (const n of ['甲', '乙']) {
    const c = (await get('sup.east', `/api/v1/cases/${made[n]}`)).case;
    assert.equal(c.dept, units.AFTERSALES.id, `${n} dept`);
    assert.equal(c.handler, 'handler.aftersales', `${n} handler`);
    assert.equal(c.status, 'investigating');
  }
  const c3 = (await get('sup.east', `/api/v1/cases/${made['丙']}`)).case;
  assert.equal(c3.status, 'withdrawn');
  assert.equal(c3.handler, null);
  // the list was reloaded: the assigned cases now show their handler
  await page.getByTestId('assign-close').click();
  await assertRows(page, 'sup.east', 'status=accepted,received', 'reloaded');
  assert.equal(await page.getByTestId('case-table').getByText(made['甲'], { exact: true }).count(), 0, 'no longer accepted');
  await page.goto(`${s.url}/workbench?queue=all&handler=handler.aftersales`);
  await assertRows(page, 'sup.east', 'handler=handler.aftersales&sort=due', 'by handler');
  assert.ok((await page.getByTestId('case-no').allInnerTexts()).includes(made['甲']));
  await page.context().close();
});

test('English: the queues, filters, clocks and views in English; a screenshot', async () => {
  const page = await openAs('sup.east');
  await page.getByTestId('lang-en').click();
  await page.getByRole('heading', { name: 'Workbench' }).waitFor();
  const list = await get('sup.east', '/api/v1/cases?sort=due&per_page=20');
  await page.waitForFunction((n) => document.querySelector('[data-testid=case-total]')?.textContent.includes(`${n} cases`), list.total);
  assert.match(await page.getByTestId('queue-tabs').innerText(), /My cases[\s\S]*All/);
  assert.match(await page.getByTestId('sort-toggle').innerText(), /Due soonest[\s\S]*Newest/);
  const lefts = await page.getByTestId('clock-left').allInnerTexts();
  assert.ok(lefts.length > 0 && lefts.every((x) => /^(Overdue by |.* left$)/.test(x)), lefts.join(' | '));
  await page.getByTestId('filter-more').click();
  const ui = await page.locator('.queue-bar, .queue-desc, .saved-views, .filters, thead, .wb-toolbar').evaluateAll((els) => els.map((e) => e.innerText).join('\n'));
  assert.ok(!/\p{Script=Han}/u.test(ui), `Chinese left in the English workbench:\n${ui}`);
  await assertNamed(page, 'workbench in English');
  await assertNoSideScroll(page, 'workbench in English');
  await shot(page, '77-workbench-en');
  await page.getByTestId('lang-zh').click();
  await page.getByRole('heading', { name: '工作台' }).waitFor();
  await assertNamed(page, 'workbench');
  await page.context().close();
});

test('no console errors, page errors or failed requests on the workbench', () => {
  assert.deepEqual(b.unexpected(), []);
});
