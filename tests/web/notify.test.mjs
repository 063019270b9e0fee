// The notification bell in the header (docs/web.md §3): the unread count and the newest
// notifications equal to GET /api/v1/notifications; opening one marks it read and goes to
// its case; "mark all read" empties the badge. The server runs with --test-clock so that a
// clock can run out: a case is registered, time moves three days on, the scheduler runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, assertCleanShutdown, caseBody, unitsByCode } from '../api/lib.mjs';
import { OUT, WEB_DIR, openBrowser, loginAs } from './browser.mjs';

const AGENT = ['agent.shpd', 'demo-agent-2026'];
let s;
let token;
let b;
let caseNo;

fs.mkdirSync(OUT, { recursive: true });

before(async () => {
  s = await startServer({ args: ['--web-dir', WEB_DIR, '--test-clock'] });
  token = await s.login(...AGENT);
  const units = await unitsByCode(s, token);
  const now = Date.now();
  const at = (ms) => s.api('PUT', '/api/v1/test/clock', { body: { now: new Date(ms).toISOString() } });
  assert.equal((await at(now)).status, 200);
  const r = await s.api('POST', '/api/v1/cases', { token, body: caseBody({ outlet: units['SH-4S-PD'].id, title: '通知测试' }) });
  assert.equal(r.status, 201, r.text);
  caseNo = r.json.case.case_no;
  assert.equal((await at(now + 3 * 86400e3)).status, 200);
  assert.equal((await s.api('POST', '/api/v1/test/tick')).status, 200);
  token = await s.login(...AGENT); // three days on, the first session has expired
  b = await openBrowser();
});

after(async () => {
  await b?.browser.close();
  if (s) await assertCleanShutdown(s);
});

const mine = async () => (await s.api('GET', '/api/v1/notifications?limit=20', { token })).json;

test('the badge counts the unread notifications; the list is the API\'s, newest first', async () => {
  const api = await mine();
  assert.ok(api.unread > 0, `the agent has unread notifications after the tick: ${JSON.stringify(api)}`);
  assert.ok(api.items.some((n) => n.case_no === caseNo));
  const { page } = b;
  await loginAs(page, s.url, ...AGENT);
  const badge = page.getByTestId('notify-count').locator('sup');
  await badge.waitFor();
  assert.equal((await badge.innerText()).trim(), String(api.unread > 99 ? '99+' : api.unread));
  assert.match(await page.getByTestId('notify-bell').getAttribute('aria-label'), new RegExp(`${api.unread} 条未读`));
  await page.getByTestId('notify-bell').click();
  await page.getByTestId('notify-panel').waitFor();
  await page.getByTestId('notify-item').first().waitFor();
  const titles = await page.locator('[data-testid=notify-item] .notify-title').allInnerTexts();
  assert.deepEqual(titles, api.items.map((n) => n.title));
  await b.shot('11-notifications');
});

test('opening a notification marks it read and shows its case', async () => {
  const { page } = b;
  const before = await mine();
  const first = before.items[0];
  await page.getByTestId('notify-item').first().click();
  await page.waitForURL(new RegExp(`/cases/${first.case_no}$`));
  await page.getByTestId('case-title-no').waitFor();
  const after = await mine();
  assert.equal(after.unread, before.unread - 1);
  assert.ok(after.items.find((n) => n.id === first.id).read_at, 'read on the server');
});

test('mark all read empties the badge, here and on the server', async () => {
  const { page } = b;
  await page.getByTestId('notify-bell').click();
  await page.getByTestId('notify-read-all').click();
  await page.getByTestId('notify-count').locator('sup').waitFor({ state: 'hidden' });
  assert.equal((await mine()).unread, 0);
  await page.keyboard.press('Escape');
});

test('no console errors, page errors or failed requests', () => {
  assert.deepEqual(b.unexpected(), []);
});
