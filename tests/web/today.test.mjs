// The dashboard's "today" panel (docs/web.md §3): live counts equal to the API's totals,
// each a link to the workbench with the same filters; the open cases by age and grade equal
// to the current month's report, each bar leading to exactly its cases; the overdue list.
// The real server on a temporary demo database, Debian's chromium through playwright-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, assertCleanShutdown, shanghaiYearMonth } from '../api/lib.mjs';
import { OUT, WEB_DIR, openBrowser, loginAs } from './browser.mjs';

let s;
let token;
let b; // {browser, page, …}
const OPEN = 'received,accepted,investigating,proposed,approved,resolved,pending';

fs.mkdirSync(OUT, { recursive: true });

before(async () => {
  s = await startServer({ args: ['--web-dir', WEB_DIR] });
  token = await s.login('sup.east', 'demo-super-2026');
  b = await openBrowser();
});

after(async () => {
  await b?.browser.close();
  if (s) await assertCleanShutdown(s);
});

async function get(p) {
  const r = await s.api('GET', p, { token });
  assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
  return r.json;
}
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const tile = async (key) => Number(await b.page.getByTestId(`today-${key}`).getAttribute('data-value'));

test('the tiles equal the API\'s totals and lead to the workbench with the same filters', async () => {
  const { page } = b;
  await loginAs(page, s.url, 'sup.east', 'demo-super-2026');
  await page.goto(`${s.url}/dashboard`);
  await page.getByTestId('today-intake').waitFor();
  const d = today();
  const want = {
    intake: (await get(`/api/v1/cases?from=${d}&to=${d}&per_page=1`)).total,
    open: (await get(`/api/v1/cases?status=${OPEN}&per_page=1`)).total,
    overdue: (await get(`/api/v1/cases?status=${OPEN}&overdue=true&per_page=1`)).total,
    proposed: (await get('/api/v1/cases?status=proposed&per_page=1')).total,
    pending: (await get('/api/v1/cases?status=pending&per_page=1')).total,
  };
  for (const [k, v] of Object.entries(want)) assert.equal(await tile(k), v, k);
  assert.ok(want.open > 0 && want.overdue > 0, `the demo has open and overdue cases in the East: ${JSON.stringify(want)}`);
  assert.match(await page.getByTestId('today').innerText(), /今日概览[\s\S]*今日受理[\s\S]*处理中[\s\S]*已超时/);
  await b.shot('09-dashboard-today');

  // the overdue tile → the workbench with those filters, the same total
  await page.getByTestId('today-overdue').click();
  await page.waitForURL(/\/workbench\?/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('overdue'), 'true');
  assert.equal(url.searchParams.get('status'), OPEN);
  await page.waitForFunction((n) => document.querySelector('[data-testid=case-total]')?.textContent.includes(String(n)), want.overdue);
});

test('the overdue list holds the most urgent overdue cases, as the API orders them', async () => {
  const { page } = b;
  await page.goto(`${s.url}/dashboard`);
  await page.getByTestId('overdue-table').waitFor();
  const api = await get(`/api/v1/cases?status=${OPEN}&overdue=true&sort=due&per_page=8`);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=overdue-case]').length === n, api.items.length);
  assert.deepEqual(await page.getByTestId('overdue-case').allInnerTexts(), api.items.map((c) => c.case_no));
  await page.getByTestId('overdue-case').first().click();
  await page.waitForURL(new RegExp(`/cases/${api.items[0].case_no}$`));
  await page.getByTestId('case-title-no').waitFor();
});

test('open cases by age and grade: the current month\'s backlog; each link opens exactly its cases', async () => {
  const { page } = b;
  await page.goto(`${s.url}/dashboard`);
  await page.getByTestId('chart-age').waitFor();
  const ym = shanghaiYearMonth();
  const report = await get(`/api/v1/reports/monthly?month=${ym.slice(0, 4)}-${ym.slice(4)}`);
  const bl = report.backlog;
  assert.ok(bl.total > 0);
  const links = page.getByTestId('chart-age').locator('a');
  const n = await links.count();
  const cells = bl.buckets.flatMap((x) => ['g1', 'g2', 'g3', 'g4'].filter((g) => x[g] > 0).map((g) => x[g]));
  assert.equal(n, cells.length, 'one link per bucket and grade with cases');
  // every link's workbench total equals the report's count for that bucket and grade
  for (let i = 0; i < n; i++) {
    const link = links.nth(i);
    const text = await link.innerText();
    const count = Number(/\((\d+)\)$/.exec(text)[1]);
    assert.equal(count, cells[i], text);
    const href = await link.getAttribute('href');
    const q = new URL(href, s.url).search;
    const api = await get(`/api/v1/cases${q}&per_page=1`);
    assert.equal(api.total, count, `${text}: ${q} lists ${api.total}`);
  }
  await links.first().click();
  await page.waitForURL(/\/workbench\?.*grade=g/);
});

test('English: the panel speaks English', async () => {
  const { page } = b;
  await page.goto(`${s.url}/dashboard`);
  await page.getByTestId('lang-en').click();
  await page.getByText('Received today').waitFor();
  assert.match(await page.getByTestId('today').innerText(), /Today[\s\S]*Open[\s\S]*Overdue/);
  await b.shot('10-dashboard-today-en');
  await page.getByTestId('lang-zh').click();
  await page.getByText('今日受理').waitFor();
});

test('no console errors, page errors or failed requests', () => {
  assert.deepEqual(b.unexpected(), []);
});
