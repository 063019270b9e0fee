// The web application against the real server: `tousu serve --web-dir web/dist` on a
// temporary demo database, plain HTTP checks of the static serving, then Debian's chromium
// (headless, 1280×800) driven by playwright-core through the main screens. Screenshots of
// each screen go to tests/web/out/ (not committed).
//
// Builds nothing: `make test` builds web/dist first (or `make web`).
// Run: TOUSU_BIN=/abs/tousu [TOUSU_WEB_DIR=/abs/web/dist] [CHROMIUM=/usr/bin/chromium] \
//      node --test --test-concurrency=1 tests/web/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, rawRequest, assertCleanShutdown, tmpDir, Server, prepareDb, shanghaiYearMonth, caseBody } from '../api/lib.mjs';
import { WEB_DIR, OUT, openBrowser } from './browser.mjs';


const SUP = { username: 'sup.east', password: 'demo-super-2026' };

let s; // the server
let token; // sup.east's token, for the API's side of each comparison
let b; // {browser, page, expectProblem, unexpected, shot, …}: console errors, page errors, failed requests
let page;
const expectProblem = (re) => b.expectProblem(re); // what a test caused on purpose (a wrong password's 401 …)
const shot = (name) => b.shot(name);

/* The "YYYY-MM" of the month before the current one, by the local calendar (as the page
 * computes its default). */
function lastMonth() {
  const ym = shanghaiYearMonth(); // the browser runs in Asia/Shanghai too
  const d = new Date(Date.UTC(Number(ym.slice(0, 4)), Number(ym.slice(4)) - 2, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
const thisMonth = () => `${shanghaiYearMonth().slice(0, 4)}-${shanghaiYearMonth().slice(4)}`;

async function get(p) {
  const r = await s.api('GET', p, { token });
  assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
  return r.json;
}

/* Every control and image of the page has an accessible name (the accessibility tree as
 * chromium computes it: no unnamed textbox, combobox, button, link, radio or image). */
async function assertNamed(screen) {
  const tree = await page.locator('body').ariaSnapshot();
  const unnamed = tree
    .split('\n')
    .filter((l) => /- (combobox|textbox|button|link|radio|checkbox|spinbutton|listbox|menuitem|img)\b/.test(l))
    .filter((l) => !/- \w+ "[^"]+"/.test(l) && !/- \w+ '[^']+'/.test(l));
  const lines = tree.split('\n');
  const where = lines.flatMap((l, i) => (unnamed.includes(l) ? [lines.slice(Math.max(0, i - 6), i + 2).join('\n')] : []));
  assert.deepEqual(unnamed, [], `${screen}: controls without an accessible name, in:\n${where.join('\n----\n')}`);
}

/* Waits until the workbench's table shows the rows of the API's answer. */
async function waitForTable() {
  await page.waitForFunction(() => !document.querySelector('[data-testid=case-table] .el-loading-mask'));
}

before(async () => {
  s = await startServer({ args: ['--web-dir', WEB_DIR] });
  token = await s.login(SUP.username, SUP.password);
  // the HTTP answers of /auth/login and /auth/me are not counted (their console lines are)
  b = await openBrowser({ acceptDownloads: true }, { ignoreHttp: /\/api\/v1\/auth\/(login|me)/ });
  ({ page } = b);
});

after(async () => {
  await b?.browser.close();
  if (s) await assertCleanShutdown(s);
});

// ---- static serving, over plain HTTP ----------------------------------------------------

test('static: index, assets and other files with their types, caching and security headers', async () => {
  const index = fs.readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1];
  const css = /href="(\/assets\/[^"]+\.css)"/.exec(index)?.[1];
  assert.ok(js && css, 'index.html names a script and a stylesheet under /assets/');

  for (const p of ['/', '/index.html']) {
    const r = await fetch(s.url + p);
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.match(r.headers.get('content-security-policy'), /script-src 'self';/);
    assert.match(r.headers.get('content-security-policy'), /style-src 'self' 'unsafe-inline'/);
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('referrer-policy'), 'same-origin');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('etag'), /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(await r.text(), index);
  }
  const expect = [
    [js, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
    [css, 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['/favicon.svg', 'image/svg+xml', 'no-cache'],
    ['/robots.txt', 'text/plain; charset=utf-8', 'no-cache'],
  ];
  for (const [p, type, cache] of expect) {
    const r = await fetch(s.url + p);
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.get('content-type'), type, p);
    assert.equal(r.headers.get('cache-control'), cache, p);
    assert.equal(r.headers.get('x-frame-options'), null, `${p}: the HTML headers are for HTML`);
    assert.ok(body.equals(fs.readFileSync(path.join(WEB_DIR, p))), `${p}: the file's bytes`);
  }
});

test('static: ETag and If-None-Match answer 304; HEAD has the length and no body', async () => {
  const index = fs.readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(index)[1];
  for (const p of [js, '/', '/workbench']) {
    const r1 = await fetch(s.url + p);
    await r1.arrayBuffer();
    const etag = r1.headers.get('etag');
    assert.ok(etag, p);
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const r2 = await fetch(s.url + p, { headers: { 'If-None-Match': inm } });
      assert.equal(r2.status, 304, `${p} If-None-Match: ${inm}`);
      assert.equal((await r2.arrayBuffer()).byteLength, 0);
      assert.equal(r2.headers.get('etag'), etag);
      assert.equal(r2.headers.get('cache-control'), r1.headers.get('cache-control'));
    }
    const r3 = await fetch(s.url + p, { headers: { 'If-None-Match': '"something-else"' } });
    assert.equal(r3.status, 200);
    await r3.arrayBuffer();
  }
  const head = await rawRequest(s, 'HEAD', js);
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers['content-length']), fs.statSync(path.join(WEB_DIR, js)).size);
  assert.equal(head.text, '');
});

test('static: the SPA fallback answers index.html for client routes, 404 for missing files', async () => {
  const index = fs.readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
  for (const p of ['/workbench', '/cases/TS20261100001', '/dashboard?month=2026-10', '/login', '/some/deep/route/']) {
    const r = await fetch(s.url + p);
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8', p);
    assert.equal(r.headers.get('cache-control'), 'no-cache', p);
    assert.equal(await r.text(), index, p);
  }
  for (const p of ['/assets/nothing-here.js', '/nothing.css', '/a/b/c.png', '/.env', '/.git/config', '/index.html.bak']) {
    const r = await fetch(s.url + p);
    assert.equal(r.status, 404, p);
    assert.equal((await r.json()).error.code, 'not_found', p);
    assert.equal(r.headers.get('cache-control'), 'no-store', p);
  }
  // the API keeps its own answers
  let r = await s.api('GET', '/api/v1/nothing-here');
  assert.equal(r.status, 404);
  assert.equal(r.json.error.message, 'no such resource');
  r = await s.api('GET', '/api');
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  r = await s.api('DELETE', '/healthz');
  assert.equal(r.status, 405);
  assert.equal((await s.api('GET', '/healthz')).json.status, 'ok');
  r = await s.api('GET', '/api/v1/cases');
  assert.equal(r.status, 401, 'the API still wants a token');
  // only GET and HEAD outside the API
  r = await s.api('POST', '/workbench', { body: {} });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET, HEAD');
  assert.equal(r.json.error.code, 'method_not_allowed');
});

test('static: traversal attempts answer 400 or 404 and never a file outside web_dir', async () => {
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0];
  const paths = [
    '/../etc/passwd',
    '/../../../../../../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/assets/../../../../etc/passwd',
    '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%5c..%5c..%5cetc%5cpasswd',
    '/assets\\..\\..\\etc\\passwd',
    '/./index.html',
    '/assets/./x.js',
    '/assets/%01.js',
    `/${'a/'.repeat(600)}x.js`,
  ];
  for (const p of paths) {
    const r = await rawRequest(s, 'GET', p);
    assert.ok(r.status === 400 || r.status === 404, `${p}: ${r.status}`);
    assert.ok(!r.text.includes(passwd), `${p} answered /etc/passwd`);
    assert.ok(!r.text.includes('<!doctype html>'), `${p} answered a page`);
  }
  // a %00 ends the path (libmicrohttpd decodes it before tousu sees it): what is left is an
  // ordinary path — here a client route, so the application's page — and never the file
  for (const p of ['/etc/passwd%00.js', '/../etc/passwd%00', '/assets/x.js%00/../../etc/passwd', '/%00']) {
    const r = await rawRequest(s, 'GET', p);
    assert.ok([200, 400, 404].includes(r.status), `${p}: ${r.status}`);
    assert.ok(!r.text.includes(passwd), `${p} answered /etc/passwd`);
    if (r.status === 200) assert.equal(r.text, fs.readFileSync(path.join(WEB_DIR, 'index.html'), 'latin1'), p);
  }
  // %2e%2e decoded is "..": a malformed path, not a missing file
  assert.equal((await rawRequest(s, 'GET', '/%2e%2e/etc/passwd')).status, 400);
  assert.equal((await rawRequest(s, 'GET', '/assets/..%2f..%2fetc%2fpasswd')).status, 400);
});

test('static: a symbolic link out of web_dir is not followed; an empty web_dir turns serving off', async () => {
  const dir = tmpDir();
  const web = path.join(dir, 'web');
  fs.mkdirSync(path.join(web, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(web, 'assets', 'app-1234.js'), 'export {};\n');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret outside web_dir');
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(web, 'assets', 'secret.txt'));
  fs.symlinkSync(dir, path.join(web, 'up'));
  fs.symlinkSync(path.join(web, 'assets', 'app-1234.js'), path.join(web, 'inside.js')); // stays inside: served
  const db = prepareDb(dir, { demo: false });
  const t = new Server(db, dir, ['--web-dir', web]);
  await t.start();
  try {
    for (const p of ['/assets/secret.txt', '/up/secret.txt']) {
      const r = await rawRequest(t, 'GET', p);
      assert.equal(r.status, 404, p);
      assert.ok(!r.text.includes('secret outside'), p);
    }
    assert.ok(t.logLines().some((l) => l.msg === 'static file outside web_dir refused'), 'the refusal is logged');
    // links whose target stays inside the directory are served
    const inside = await fetch(t.url + '/inside.js');
    assert.equal(inside.status, 200);
    assert.equal(await inside.text(), 'export {};\n');
    assert.equal((await fetch(t.url + '/up/web/index.html')).status, 200);
  } finally {
    await t.stop();
  }

  // --web-dir "" (and a directory that does not exist): the API only, one log line
  for (const webDir of ['', path.join(dir, 'missing')]) {
    const u = new Server(db, dir, ['--web-dir', webDir]);
    await u.start();
    try {
      const r = await u.api('GET', '/');
      assert.equal(r.status, 404);
      assert.equal(r.json.error.message, 'no such resource');
      assert.equal((await u.api('GET', '/workbench')).status, 404);
      const lines = u.logLines().filter((l) => l.msg === 'web application not served');
      assert.equal(lines.length, 1, JSON.stringify(lines));
    } finally {
      await u.stop();
    }
  }
});

// ---- the application in chromium ------------------------------------------------------------

test('login: an unknown session goes to the login page; a wrong password is refused', async () => {
  await page.goto(`${s.url}/workbench`);
  await page.waitForURL(/\/login\?redirect=/);
  await page.getByTestId('login-username').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.equal(await page.title(), '登录 · 投诉管理 tousu');
  await assertNamed('login');
  await shot('01-login');

  await page.getByLabel('用户名').fill(SUP.username);
  await page.getByLabel('密码', { exact: true }).fill('not-the-password');
  expectProblem(/401.*\/api\/v1\/auth\/login/);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').waitFor();
  assert.match(await page.getByTestId('login-error').innerText(), /用户名或密码错误/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('tousu.token')), null);
});

test('login: the supervisor logs in and lands on the workbench with the API\'s cases', async () => {
  await page.getByLabel('密码', { exact: true }).fill(SUP.password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/workbench$/);
  await page.getByTestId('case-no').first().waitFor();
  await waitForTable();
  assert.ok(await page.evaluate(() => sessionStorage.getItem('tousu.token')), 'the token is in sessionStorage');

  const me = (await get('/api/v1/auth/me')).user;
  assert.equal(await page.getByTestId('user-name').innerText(), me.display_name);
  assert.match(await page.getByTestId('user').innerText(), /主管/);

  // a supervisor of a region lands on the queue of every case they may see, nearest due first
  const list = await get('/api/v1/cases?sort=due&page=1&per_page=20');
  assert.ok(list.items.length > 0, 'the supervisor sees demo cases');
  const shown = await page.getByTestId('case-no').allInnerTexts();
  assert.deepEqual(shown, list.items.map((c) => c.case_no), 'the rows are the API\'s page, in its order');
  assert.match(await page.getByTestId('queue-tab-all').innerText(), /全部/);
  assert.match(await page.getByTestId('case-total').innerText(), new RegExp(`共 ${list.total} 件`));
  assert.match(await page.getByTestId('pager').innerText(), new RegExp(`共 ${list.total} 条`));

  // grades in their colours, overdue rows marked
  const colours = { g1: 'rgb(250, 219, 20)', g2: 'rgb(250, 140, 22)', g3: 'rgb(207, 19, 34)', g4: 'rgb(92, 0, 17)' };
  const tags = await page.locator('[data-testid=case-table] .grade-tag').evaluateAll((els) =>
    els.map((e) => [e.dataset.grade, getComputedStyle(e).backgroundColor]),
  );
  assert.equal(tags.length, list.items.length);
  tags.forEach(([g, bg], i) => {
    assert.equal(g, list.items[i].grade);
    assert.equal(bg, colours[g], `grade ${g} colour`);
  });
  assert.equal(await page.locator('[data-testid=case-table] tr.row-overdue').count(), list.items.filter((c) => c.overdue).length);
  assert.equal(await page.title(), '工作台 · 投诉管理 tousu');
  await assertNamed('workbench');
  await shot('02-workbench');
});

test('workbench: filters in the URL go to the server, and paging follows its total', async () => {
  // a URL with filters and no queue (the dashboard's links) searches every case, newest first
  for (const q of ['grade=g3', 'overdue=true', 'status=received&grade=g1', 'q=%E9%A4%90']) {
    await page.goto(`${s.url}/workbench?${q}`);
    const api = await get(`/api/v1/cases?${q}&page=1&per_page=20`);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=case-total]')?.textContent.includes(`共 ${n} 件`),
      api.total,
    );
    await waitForTable();
    assert.deepEqual(await page.getByTestId('case-no').allInnerTexts(), api.items.map((c) => c.case_no), q);
  }
  // the filter form writes the URL: choose 严重 in the grade select, search
  await page.goto(`${s.url}/workbench`);
  await waitForTable();
  await page.getByTestId('filter-grade').click();
  await page.getByRole('option', { name: '严重' }).click();
  await page.keyboard.press('Escape');
  await page.getByTestId('filter-apply').click();
  await page.waitForURL(/grade=g3/);
  // the form keeps the queue (all) and its order (nearest due first)
  assert.equal(new URL(page.url()).searchParams.get('queue'), 'all');
  const g3 = await get('/api/v1/cases?grade=g3&sort=due&per_page=20');
  await page.waitForFunction((n) => document.querySelector('[data-testid=case-total]')?.textContent.includes(`共 ${n} 件`), g3.total);
  await waitForTable();
  assert.deepEqual(await page.getByTestId('case-no').allInnerTexts(), g3.items.map((c) => c.case_no));
  await shot('03-workbench-filtered');
  await page.getByTestId('filter-reset').click();
  await page.waitForURL(/\/workbench$/);
});

test('workbench: paging is the server\'s (page and per_page in the URL)', async () => {
  // enough cases for three pages of 20: register more at an outlet of the supervisor's region
  const me = (await get('/api/v1/auth/me')).user;
  const outlet = (await get('/api/v1/org/units?per_page=500')).items.find((u) => u.kind === 'outlet' && u.path.includes(`/${me.unit}/`));
  assert.ok(outlet, 'an outlet under the supervisor');
  const have = (await get('/api/v1/cases?per_page=1')).total;
  for (let i = have; i < 45; i++) {
    const r = await s.api('POST', '/api/v1/cases', { token, body: caseBody({ outlet: outlet.id, title: `分页测试 ${i}`, category: 'other' }) });
    assert.equal(r.status, 201, r.text);
  }
  await page.goto(`${s.url}/workbench`);
  await waitForTable();
  const p1 = await get('/api/v1/cases?sort=due&page=1&per_page=20');
  assert.ok(p1.total >= 45);
  await page.waitForFunction((n) => document.querySelector('[data-testid=case-total]')?.textContent.includes(`共 ${n} 件`), p1.total);
  await waitForTable();
  assert.deepEqual(await page.getByTestId('case-no').allInnerTexts(), p1.items.map((c) => c.case_no));
  await page.getByTestId('pager').locator('.btn-next').click();
  await page.waitForURL(/page=2/);
  const p2 = await get('/api/v1/cases?sort=due&page=2&per_page=20');
  await page.waitForFunction((first) => document.querySelector('[data-testid=case-no]')?.textContent === first, p2.items[0].case_no);
  assert.deepEqual(await page.getByTestId('case-no').allInnerTexts(), p2.items.map((c) => c.case_no));
  // 50 a page: one page holds them all; the URL says so, and a reload keeps it
  await page.getByTestId('pager').locator('.el-pagination__sizes .el-select').click();
  await page.getByRole('option', { name: '50条/页' }).click();
  await page.waitForURL(/per_page=50/);
  await page.reload();
  const all = await get('/api/v1/cases?sort=due&page=1&per_page=50');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=case-no]').length === n, all.items.length);
  assert.deepEqual(await page.getByTestId('case-no').allInnerTexts(), all.items.map((c) => c.case_no));
  await page.goto(`${s.url}/workbench`);
  await waitForTable();
});

test('language: English and back; the choice is kept across a reload', async () => {
  await page.goto(`${s.url}/workbench`);
  await waitForTable();
  await page.getByTestId('lang-en').click();
  await page.getByRole('heading', { name: 'Workbench' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.evaluate(() => localStorage.getItem('tousu.lang')), 'en');
  const list = await get('/api/v1/cases?sort=due&page=1&per_page=20');
  assert.match(await page.getByTestId('case-total').innerText(), new RegExp(`${list.total} cases`));
  assert.match(await page.getByTestId('queue-tabs').innerText(), /My cases[\s\S]*All/);
  assert.match(await page.getByTestId('user').innerText(), /Supervisor/);
  const nav = await page.locator('.shell-menu').innerText();
  for (const w of ['Workbench', 'Intake', 'Dashboard', 'Library', 'Administration']) assert.ok(nav.includes(w), w);
  assert.match(await page.getByTestId('pager').innerText(), /Total/, 'Element Plus speaks English too');
  assert.equal(await page.title(), 'Workbench · Complaint Management tousu');
  const han = await page.locator('.shell-header, .filters, thead').evaluateAll((els) => els.map((e) => e.innerText).join('\n'));
  // Only data may be Chinese now (names of the user, cases, units): the header, filters
  // and column heads are English, except the language switch's own "中文".
  assert.ok(!/\p{Script=Han}/u.test(han.replace('中文', '').replace(/王立新[^\n]*/u, '')), `Chinese left in the English UI:\n${han}`);
  await shot('04-workbench-en');
  await page.reload();
  await page.getByRole('heading', { name: 'Workbench' }).waitFor();
  await page.getByTestId('lang-zh').click();
  await page.getByRole('heading', { name: '工作台' }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('tousu.lang')), 'zh-CN');
});

test('case page: the case\'s fields and its whole history, as the API has them', async () => {
  await page.goto(`${s.url}/workbench`);
  await waitForTable();
  const no = (await page.getByTestId('case-no').first().innerText()).trim();
  await page.getByTestId('case-no').first().click();
  await page.waitForURL(new RegExp(`/cases/${no}$`));
  await page.getByTestId('case-title-no').waitFor();
  const c = (await get(`/api/v1/cases/${no}`)).case;
  const h = await get(`/api/v1/cases/${no}/history`);
  assert.equal(await page.getByTestId('case-title-no').innerText(), c.case_no);
  assert.equal(await page.getByTestId('case-title').innerText(), c.title ?? '—');
  assert.equal(await page.getByTestId('case-description').innerText(), c.description);
  assert.equal(await page.locator('[data-testid=case-history] .el-timeline-item').count(), h.items.length);
  assert.match(await page.getByTestId('case-history').innerText(), /登记/);
  assert.equal(await page.title(), '投诉详情 · 投诉管理 tousu');
  // the notices and other parts load on their own: their spinners (unnamed images) gone first
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask, .el-skeleton'));
  await assertNamed('case');
  await shot('05-case');
  // a reload of the case's URL works (the server's SPA fallback), and back goes to the list
  await page.reload();
  await page.getByTestId('case-title-no').waitFor();
  await page.getByTestId('case-back').click();
  await page.waitForURL(/\/workbench/);

  // a case the supervisor may not see, or that does not exist: a polite 404
  await page.goto(`${s.url}/cases/TS19990100001`);
  await page.locator('[role=alert]').waitFor();
  assert.match(await page.locator('[role=alert]').innerText(), /TS19990100001/);
  expectProblem(/404.*\/api\/v1\/cases\/TS19990100001/);
});

test('dashboard: last month by default; a month\'s figures equal the API\'s report; charts drawn', async () => {
  await page.getByTestId('nav-dashboard').click();
  await page.waitForURL(/\/dashboard$/);
  const lm = lastMonth();
  const def = await get(`/api/v1/reports/monthly?month=${lm}`);
  await page.getByTestId('report-scope').waitFor();
  assert.match(await page.getByTestId('report-scope').innerText(), new RegExp(`${def.period.from_date} 至 ${def.period.to_date}`));
  assert.equal(await page.getByLabel('统计月份').inputValue(), lm);

  // the demo cases were received this month (and the months before it)
  const month = thisMonth();
  await page.goto(`${s.url}/dashboard?month=${month}`);
  const rep = await get(`/api/v1/reports/monthly?month=${month}`);
  await page.waitForFunction((f) => document.querySelector('[data-testid=report-scope]')?.textContent.includes(f), rep.period.from_date);
  const x = rep.summary;
  const want = {
    received: x.received,
    finished: x.finished,
    closed_share_pct: x.closed_share_pct,
    open_at_end: x.open_at_end,
    external: x.external,
    avg_hours: x.handling.avg_hours,
    satisfaction_rate_pct: x.satisfaction.rate_pct,
    loss_total_cents: x.loss_total_cents,
  };
  for (const [k, v] of Object.entries(want)) {
    const got = await page.getByTestId(`sum-${k}`).getAttribute('data-value');
    assert.equal(got, v === null ? '' : String(v), `summary ${k}`);
  }
  assert.ok(x.received > 0, 'the demo has cases this month');
  assert.match(await page.getByTestId('sum-received').innerText(), new RegExp(`受理量\\s*${x.received}`));

  // every chart with data draws on its canvas: pixels that are not background
  for (const id of ['chart-trend', 'chart-category', 'chart-grade', 'chart-channel', 'chart-sla']) {
    const canvas = page.getByTestId(id).locator('canvas').first();
    await canvas.waitFor();
    await page.waitForFunction(
      (el) => {
        const c = el.getContext('2d');
        const d = c.getImageData(0, 0, el.width, el.height).data;
        let ink = 0;
        for (let i = 0; i < d.length; i += 16) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) ink++;
        return ink > 50;
      },
      await canvas.elementHandle(),
    );
  }
  const aria = await page.getByTestId('chart-trend').locator('[role=img]').getAttribute('aria-label');
  assert.match(aria, /近 12 个月趋势/);
  await page.mouse.move(0, 0);
  await assertNamed('dashboard');
  await shot('07-dashboard');
  // in English: the figures' names, the charts' titles and series
  await page.getByTestId('lang-en').click();
  await page.getByRole('heading', { name: 'Last 12 months' }).waitFor();
  assert.match(await page.getByTestId('sum-received').innerText(), new RegExp(`Received\\s*${x.received}`));
  assert.match(await page.getByTestId('chart-trend').locator('[role=img]').getAttribute('aria-label'), /Last 12 months/);
  await page.waitForTimeout(400); // the charts redraw with the new names
  await assertNamed('dashboard in English');
  await shot('08-dashboard-en');
  await page.getByTestId('lang-zh').click();
  await page.getByRole('heading', { name: '近 12 个月趋势' }).waitFor();
});

test('dashboard: a chart leads to the workbench, filtered to its value and month', async () => {
  const month = thisMonth();
  const rep = await get(`/api/v1/reports/monthly?month=${month}`);
  const { from_date: from, to_date: to } = rep.period;

  // a click on the grade ring, just right of its top: the first (largest) grade
  const grade = rep.by.grade[0].code;
  const ring = page.getByTestId('chart-grade').locator('canvas').first();
  await ring.scrollIntoViewIfNeeded();
  const box = await ring.boundingBox();
  const r = (Math.min(box.width, box.height) / 2) * 0.52;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height * 0.44;
  await page.mouse.click(cx + r * Math.sin(0.15), cy - r * Math.cos(0.15));
  await page.waitForURL(/\/workbench\?/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('grade'), grade);
  assert.equal(url.searchParams.get('from'), from);
  assert.equal(url.searchParams.get('to'), to);
  const api = await get(`/api/v1/cases?grade=${grade}&from=${from}&to=${to}&per_page=20`);
  await page.waitForFunction((n) => document.querySelector('[data-testid=case-total]')?.textContent.includes(`共 ${n} 件`), api.total);
  await waitForTable();
  assert.deepEqual(await page.getByTestId('case-no').allInnerTexts(), api.items.map((c) => c.case_no));

  // the same by keyboard: the category chart's links
  await page.goBack();
  await page.getByTestId('chart-category').waitFor();
  const cat = rep.by.category.find((c) => c.code !== 'none');
  const link = page.getByTestId('chart-category').locator('.chart-link').first();
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/category=/);
  assert.equal(new URL(page.url()).searchParams.get('category'), cat.code);
  const api2 = await get(`/api/v1/cases?category=${cat.code}&from=${from}&to=${to}&per_page=20`);
  await page.waitForFunction((n) => document.querySelector('[data-testid=case-total]')?.textContent.includes(`共 ${n} 件`), api2.total);
  assert.ok(api2.total >= 1);
});

test('dashboard: the report downloads as CSV, PDF and XLSX through the token', async () => {
  const month = thisMonth();
  await page.goto(`${s.url}/dashboard?month=${month}`);
  await page.getByTestId('report-scope').waitFor();
  const magic = { csv: Buffer.from('\ufeff汇总'), pdf: Buffer.from('%PDF-'), xlsx: Buffer.from('PK') };
  for (const f of ['csv', 'pdf', 'xlsx']) {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), page.getByTestId(`download-${f}`).click()]);
    assert.match(dl.suggestedFilename(), new RegExp(`^tousu-report-${month}-\\d+\\.${f}$`));
    const file = path.join(OUT, `report.${f}`);
    await dl.saveAs(file);
    const bytes = fs.readFileSync(file);
    assert.ok(bytes.subarray(0, magic[f].length).equals(magic[f]), `${f} starts with its magic`);
    fs.rmSync(file);
  }
});

test('session: logout ends it; a revoked token sends the user back to the login page', async () => {
  await page.getByTestId('logout').click();
  await page.waitForURL(/\/login$/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('tousu.token')), null);
  await page.goto(`${s.url}/dashboard`);
  await page.waitForURL(/\/login\?redirect=(%2F|\/)dashboard/);

  // log in again (coming back to the dashboard), then the token dies on the server
  await page.getByLabel('用户名').fill(SUP.username);
  await page.getByLabel('密码', { exact: true }).fill(SUP.password);
  // the dashboard's calls (today's panel, the month's report, the bell) must have been
  // answered before the token dies, or one's 401 ends the session (a race, not what this
  // test looks at)
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/dashboard$/);
  await page.getByTestId('today-intake').waitFor();
  await page.getByTestId('summary-cards').waitFor();
  await page.waitForLoadState('networkidle');
  const t = await page.evaluate(() => sessionStorage.getItem('tousu.token'));
  assert.ok(t, 'the new session has its token');
  assert.equal((await s.api('POST', '/api/v1/auth/logout', { token: t })).status, 204);
  expectProblem(/401.*\/api\/v1\/(cases|config|org)/); // what the workbench asked with the dead token
  await page.getByTestId('nav-workbench').click();
  await page.waitForURL(/\/login\?redirect=(%2F|\/)workbench&expired=1/);
  await page.getByText('登录已过期，请重新登录').waitFor();

  // a dead token found at page load: the same, straight to the login page
  await page.evaluate(() => sessionStorage.setItem('tousu.token', 'x'.repeat(43)));
  expectProblem(/401.*\/api\/v1\/auth\/me/);
  await page.goto(`${s.url}/dashboard?month=2026-01`);
  await page.waitForURL(/\/login\?redirect=(%2F|\/)dashboard(%3F|\?)month(%3D|=)2026-01&expired=1/);
  await page.getByText('登录已过期，请重新登录').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('tousu.token')), null);
});

test('no console errors, page errors or failed requests during the whole visit', () => {
  assert.deepEqual(b.unexpected(), []);
});
