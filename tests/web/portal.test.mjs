// The customer portal's pages (docs/web.md §4, docs/portal.md) against the real server:
// `tousu serve --web-dir web/dist` on a temporary demo database, Debian's chromium driven by
// playwright-core at a phone's size (375×740) and at 1280×800. A customer opens the portal from
// the login page, submits a complaint with a file, reads the case number and access code,
// and follows the case; a wrong code gets the neutral message. Screenshots to tests/web/out/.
//
// Run: TOUSU_BIN=/abs/tousu [TOUSU_WEB_DIR=/abs/web/dist] [CHROMIUM=/usr/bin/chromium] \
//      node --test --test-concurrency=1 tests/web/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertCleanShutdown } from '../api/lib.mjs';
import { WEB_DIR, PHONE, openBrowser } from './browser.mjs';


// a 1×1 PNG: the server tells the type by its bytes
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let s;
let admin; // the administrator's token, for the API's side
let b; // {browser, page, expectProblem, unexpected, shot, …}
let page;
const expectProblem = (re) => b.expectProblem(re);
const shot = (name) => b.shot(name);
let submitted; // {case_no, access_code} as read from the page

/* The page never scrolls sideways: nothing wider than the viewport. */
async function assertNoSideScroll(screen) {
  const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(sw <= cw, `${screen}: the page is ${sw}px wide in a ${cw}px window`);
}

before(async () => {
  s = await startServer({ args: ['--web-dir', WEB_DIR] });
  admin = await s.login('admin'); // the demo's administrator
  b = await openBrowser(PHONE);
  ({ page } = b);
});

after(async () => {
  await b?.browser.close();
  if (s) await assertCleanShutdown(s);
});

test('the login page links to the portal; the portal is public and has no staff menu', async () => {
  await page.goto(`${s.url}/login`);
  const link = page.getByTestId('login-portal-link');
  assert.equal((await link.innerText()).trim(), '客户投诉入口');
  await link.click();
  await page.waitForURL(/\/portal$/);
  await page.getByTestId('portal-form').waitFor();
  assert.equal(await page.locator('.shell-menu, .shell-header').count(), 0, 'no staff frame');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('tousu.token')), null);
  // a deep portal path stays in the portal (no login asked)
  await page.goto(`${s.url}/portal/nothing-here`);
  await page.waitForURL(/\/portal$/);
  await page.getByTestId('portal-form').waitFor();
  assert.match(await page.title(), /提交投诉/);
});

test('at 375×740 a customer submits a complaint: checks in place, then the number and the code', async () => {
  await page.goto(`${s.url}/portal`);
  await page.getByTestId('portal-form').waitFor();
  // the outlets arrive from the public list
  const outlets = (await s.api('GET', '/api/v1/portal/outlets?per_page=500')).json.items;
  assert.ok(outlets.length > 0);
  await shot('20-portal-form-mobile');
  await assertNoSideScroll('the form');

  // nothing filled: the page's own checks, no request made
  await page.getByTestId('portal-submit').click();
  await page.getByText('请输入姓名').waitFor();
  await page.getByText('请描述您遇到的问题').waitFor();
  await page.getByText('请先勾选同意，我们才能处理您的投诉').waitFor();

  await page.getByTestId('portal-name').fill('李先生');
  await page.getByTestId('portal-phone').fill('12');
  await page.getByTestId('portal-outlet').click();
  await page.getByRole('option', { name: outlets[0].name, exact: true }).click();
  await page.getByTestId('portal-product').fill('55寸电视');
  await page.getByTestId('portal-order').fill('JD-2026-7788');
  await page.getByTestId('portal-description').fill('电视用了三天就黑屏了，希望尽快维修。');
  await page.getByTestId('portal-file').setInputFiles({ name: '发票.png', mimeType: 'image/png', buffer: PNG });
  await page.getByTestId('portal-consent').click();

  // the server refuses the phone: its detail shown at the field
  expectProblem(/422.*\/api\/v1\/portal\/complaints$/); // HTTP 422 and its console line
  await page.getByTestId('portal-submit').click();
  await page.getByText('请输入有效的手机号码').waitFor();
  await page.getByTestId('portal-error').waitFor();
  await shot('21-portal-form-422-mobile');

  const phone = String(13900000000 + Math.floor(Math.random() * 90000000));
  await page.getByTestId('portal-phone').fill(phone);
  await page.getByTestId('portal-submit').click();
  await page.getByTestId('portal-done').waitFor();
  submitted = {
    case_no: (await page.getByTestId('portal-case-no').innerText()).trim(),
    access_code: (await page.getByTestId('portal-code').innerText()).trim(),
  };
  assert.match(submitted.case_no, /^TS\d{11}$/);
  assert.match(submitted.access_code, /^[2-9A-HJ-NP-Z]{8}$/);
  await page.getByText('请妥善保存投诉编号和查询码').waitFor();
  await page.getByText('证据材料已上传。').waitFor();
  await shot('22-portal-done-mobile');
  await assertNoSideScroll('the answer');

  // the staff's side: the case exists, from the web channel, with the customer's data and file
  const c = await s.api('GET', `/api/v1/cases/${submitted.case_no}`, { token: admin });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.case.channel, 'web');
  assert.equal(c.json.case.status, 'received');
  assert.equal(c.json.case.owner, 'portal');
  assert.match(JSON.stringify(c.json.case), /JD-2026-7788/);
  const ev = await s.api('GET', `/api/v1/cases/${submitted.case_no}/evidence`, { token: admin });
  assert.equal(ev.status, 200, ev.text);
  assert.ok(ev.json.items.some((e) => e.filename === '发票.png' && e.by === 'portal'), ev.text);

  // the link leads to the progress, already filled in
  await page.getByTestId('portal-track-link').click();
  await page.waitForURL(/\/portal\/track\?case_no=/);
  await page.getByTestId('track-status').waitFor();
  assert.match(await page.getByTestId('track-status').innerText(), /我们已收到您的投诉/);
  assert.ok(!page.url().includes(submitted.access_code), 'the code is never in the URL');
  assert.equal(await page.evaluate(() => history.state?.code ?? null), null, 'the code is dropped from the history once used');
});

test('at 375×740 the progress page: number + code → the status in plain words; a wrong code → the neutral message', async () => {
  assert.ok(submitted, 'the previous test submitted a complaint');
  await page.goto(`${s.url}/portal/track`);
  await page.getByTestId('track-form').waitFor();
  await page.getByTestId('track-case-no').fill(submitted.case_no);
  await page.getByTestId('track-code').fill(submitted.access_code.toLowerCase());
  await page.getByTestId('track-submit').click();
  await page.getByTestId('track-view').waitFor();
  const api = (await s.api('GET', `/api/v1/portal/complaints/${submitted.case_no}?code=${submitted.access_code}`)).json;
  assert.equal(api.status, 'received');
  assert.equal((await page.getByTestId('track-status').innerText()).trim(), api.status_text.zh);
  assert.match(await page.getByTestId('track-timeline').innerText(), /已收到/);
  assert.match(await page.getByTestId('track-evidence').innerText(), /发票\.png/);
  assert.equal(await page.getByTestId('track-followup').count(), 0, 'no survey before the case is resolved');
  await assertNoSideScroll('the progress');
  await shot('23-portal-track-mobile');

  // English: the API's English words
  await page.getByTestId('lang-en').click();
  await page.getByText('Check a complaint\'s progress').waitFor();
  assert.equal((await page.getByTestId('track-status').innerText()).trim(), api.status_text.en);
  assert.match(api.status_text.en, /received/);
  assert.match(await page.getByTestId('track-timeline').innerText(), /Received/);
  await shot('24-portal-track-mobile-en');
  await page.getByTestId('lang-zh').click();

  // a wrong code: one neutral message, the view gone
  const wrong = submitted.access_code[0] === '2' ? `3${submitted.access_code.slice(1)}` : `2${submitted.access_code.slice(1)}`;
  expectProblem(/404.*\/api\/v1\/portal\/complaints\/TS\d+\?code=/);
  await page.getByTestId('track-code').fill(wrong);
  await page.getByTestId('track-submit').click();
  await page.getByTestId('track-error').waitFor();
  assert.equal((await page.getByTestId('track-error').innerText()).trim(), '未找到该投诉，请核对编号和查询码');
  assert.equal(await page.getByTestId('track-view').count(), 0);
  await shot('25-portal-track-wrong-mobile');
});

test('at 1280×800 the form and the progress page', async () => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${s.url}/portal`);
  await page.getByTestId('portal-form').waitFor();
  await assertNoSideScroll('the form, wide');
  await shot('26-portal-form-desktop');
  await page.goto(`${s.url}/portal/track?case_no=${submitted.case_no}`);
  await page.getByTestId('track-code').fill(submitted.access_code);
  await page.getByTestId('track-submit').click();
  await page.getByTestId('track-view').waitFor();
  await shot('27-portal-track-desktop');
});

test('no console errors, page errors or failed requests in the portal', () => {
  assert.deepEqual(b.unexpected(), []);
});
