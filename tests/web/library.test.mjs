// The case library screens (docs/web.md): the empty state that says how write-ups come to
// be, the list equal to GET /api/v1/library, search with highlighted snippets, a write-up
// in full with its source case when the user may see it, writing up a case, editing and
// publishing by a permitted role (the API's state changes), an agent who sees published
// write-ups only and no publish control, English. Against the real `tousu serve` on a
// temporary demo database, in Debian's chromium at 1280×800. Screenshots tests/web/out/8x-*.
//
// Run: TOUSU_BIN=/abs/tousu TOUSU_WEB_DIR=/abs/dist node --test --test-concurrency=1 tests/web/library.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertCleanShutdown, demoPassword } from '../api/lib.mjs';
import { WEB_DIR, launchBrowser, loginAs, screenshot as shot } from './browser.mjs';

let s;
let b; // {browser, newPage, expectProblem, unexpected, …}
const tokens = {};
const expectProblem = (re) => b.expectProblem(re);
const units = {};
const w = {}; // the write-ups made: name → writeup

async function api(user, method, p, body) {
  tokens[user] ??= await s.login(user);
  return s.api(method, p, { token: tokens[user], body });
}
async function get(user, p) {
  const r = await api(user, 'GET', p);
  assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
  return r.json;
}

async function openAs(user) {
  const page = await b.newPage();
  await loginAs(page, s.url, user, demoPassword(user), { redirect: '/library' });
  await waitForList(page);
  return page;
}

async function waitForList(page) {
  await page.getByTestId('lib-results').waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid=lib-results] .el-loading-mask'));
}

/* The cards shown are the API's page, in its order. */
async function assertList(page, user, query, what) {
  const list = await get(user, `/api/v1/library?${query ? `${query}&` : ''}page=1&per_page=10`);
  await page.waitForFunction((n) => document.querySelector('[data-testid=lib-total]')?.textContent.includes(`共 ${n} 篇`), list.total);
  await waitForList(page);
  await page
    .waitForFunction((ids) => JSON.stringify([...document.querySelectorAll('[data-testid=lib-item]')].map((e) => Number(e.dataset.id))) === JSON.stringify(ids), list.items.map((x) => x.id))
    .catch(() => {});
  assert.deepEqual(await page.getByTestId('lib-title').allInnerTexts(), list.items.map((x) => x.title), what);
  const ids = await page.getByTestId('lib-item').evaluateAll((els) => els.map((e) => Number(e.dataset.id)));
  assert.deepEqual(ids, list.items.map((x) => x.id), what);
  return list;
}

async function assertNoSideScroll(page, screen) {
  const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(sw <= cw, `${screen}: the page is ${sw}px wide in a ${cw}px window`);
}

async function assertNamed(page, screen) {
  const tree = await page.locator('body').ariaSnapshot();
  const unnamed = tree
    .split('\n')
    .filter((l) => /- (combobox|textbox|button|link|radio|checkbox|spinbutton|listbox|menuitem|img)\b/.test(l))
    .filter((l) => !/- \w+ "[^"]+"/.test(l) && !/- \w+ '[^']+'/.test(l));
  assert.deepEqual(unnamed, [], `${screen}: controls without an accessible name`);
}

/* Rejects a g2+ case (as the general manager, who sees every case) and writes it up as user. */
async function writeUp(no, user) {
  const c = (await get('gm', `/api/v1/cases/${no}`)).case;
  if (c.status !== 'rejected') {
    const r = await api('gm', 'POST', `/api/v1/cases/${no}/actions/reject`, { reason: 'misunderstanding', answer: '经核实系误解，已向客户解释清楚。' });
    assert.equal(r.status, 200, r.text);
  }
  const r = await api(user, 'POST', `/api/v1/cases/${no}/writeup`);
  assert.equal(r.status, 201, r.text);
  return r.json.writeup;
}

before(async () => {
  s = await startServer({ args: ['--web-dir', WEB_DIR] });
  b = await launchBrowser({ timeout: 20000 });
  for (const u of (await get('admin', '/api/v1/org/units?per_page=500')).items) if (u.code) units[u.code] = u;
});

after(async () => {
  await b?.browser.close();
  if (s) await assertCleanShutdown(s);
});

test('an empty library explains how write-ups come to be', async () => {
  assert.equal((await get('admin', '/api/v1/library')).total, 0, 'the demo has no write-ups');
  for (const user of ['sup.east', 'agent.shpd']) {
    const page = await openAs(user);
    await page.getByTestId('lib-empty').waitFor();
    const text = await page.getByTestId('lib-empty').innerText();
    assert.match(text, /案例库还没有可查看的案例/);
    assert.match(text, /已结案或判定不成立、等级为较重（g2）及以上的投诉/);
    // the roles that may write up a case are told how, and have the button
    assert.equal(await page.getByTestId('lib-new').count(), user === 'sup.east' ? 1 : 0);
    if (user === 'sup.east') {
      assert.match(text, /编写案例/);
      await shot(page, '80-library-empty');
    }
    await assertNamed(page, `empty library ${user}`);
    await page.context().close();
  }
});

test('the list equals the API (drafts for the supervisor), with each write-up\'s lesson', async () => {
  // write-ups of g2+ cases: two in the East region (sup.east's), one elsewhere
  const all = (await get('admin', '/api/v1/cases?per_page=100')).items;
  const east = (c) => units.EAST && c.outlet && Object.values(units).find((u) => u.id === c.outlet)?.path.includes(`/${units.EAST.id}/`);
  const ac = all.find((c) => c.title?.includes('空调'));
  assert.ok(ac && east(ac), 'the air-conditioning case of Pudong');
  const north = all.find((c) => ['g2', 'g3', 'g4'].includes(c.grade) && !east(c));
  const log = all.find((c) => c.title?.includes('储运') && ['g2', 'g3', 'g4'].includes(c.grade));
  assert.ok(north && log, 'g2+ cases to write up');
  w.ac = await writeUp(ac.case_no, 'sup.east');
  w.north = await writeUp(north.case_no, 'gm');
  w.log = await writeUp(log.case_no, 'sup.east');
  // lessons for two of them, published by the management department
  for (const [k, text] of [
    ['ac', '检修前先向客户确认故障现象；零件报价须经系统核对后再告知客户，报错价格时应主动致歉并按首次报价处理。'],
    ['north', '接到投诉后 24 小时内回复客户，并由主管跟进直至结案。'],
  ]) {
    const r = await api('reviewer', 'PATCH', `/api/v1/library/${w[k].id}`, { correct_practice: text });
    assert.equal(r.status, 200, r.text);
    w[k] = r.json.writeup;
  }
  for (const k of ['ac', 'north']) {
    const r = await api('reviewer', 'POST', `/api/v1/library/${w[k].id}/publish`);
    assert.equal(r.status, 200, r.text);
    w[k] = r.json.writeup;
  }

  const page = await openAs('sup.east');
  const list = await assertList(page, 'sup.east', '', 'sup.east sees every write-up');
  assert.equal(list.total, 3);
  // drafts marked, the lesson of each card from the write-up itself
  const drafts = await page.getByTestId('lib-item').evaluateAll((els) => els.filter((e) => e.querySelector('[data-testid=lib-item-draft]')).map((e) => Number(e.dataset.id)));
  assert.deepEqual(drafts, list.items.filter((x) => x.status === 'draft').map((x) => x.id));
  const acCard = page.locator(`[data-testid=lib-item][data-id="${w.ac.id}"]`);
  await acCard.getByTestId('lib-lesson').waitFor();
  assert.match(await acCard.getByTestId('lib-lesson').innerText(), /^正确做法：检修前先向客户确认故障现象/);
  assert.equal(await acCard.locator('.grade-tag').getAttribute('data-grade'), w.ac.grade);
  await assertNamed(page, 'library');
  await assertNoSideScroll(page, 'library');
  await shot(page, '81-library-list');
  await page.context().close();
});

test('search narrows the list to the API\'s matches, with highlighted snippets; no match says so', async () => {
  const page = await openAs('sup.east');
  await page.getByTestId('lib-q').fill('空调');
  await page.getByTestId('lib-search').click();
  await page.waitForURL(/q=%E7%A9%BA%E8%B0%83/);
  const hits = await assertList(page, 'sup.east', 'q=%E7%A9%BA%E8%B0%83', 'search 空调');
  const all = await get('sup.east', '/api/v1/library');
  assert.ok(hits.total >= 1 && hits.total < all.total, 'the search narrows the list');
  const marks = await page.getByTestId('lib-snippet').first().locator('mark').allInnerTexts();
  assert.ok(marks.length > 0 && marks.every((m) => m === '空调'), `highlighted: ${marks}`);
  // the snippet's text is the API's, without its markup
  const plain = hits.items[0].snippet.replace(/<\/?mark>/g, '').replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'");
  assert.equal(await page.getByTestId('lib-snippet').first().innerText(), plain);
  assert.match(await page.getByTestId('lib-found').innerText(), /与“空调”相关的案例 1 篇/);
  await shot(page, '82-library-search');

  await page.getByTestId('lib-q').fill('不存在的词语组合');
  await page.getByTestId('lib-search').click();
  await page.getByTestId('lib-empty').waitFor();
  assert.match(await page.getByTestId('lib-empty').innerText(), /没有找到与“不存在的词语组合”相关的案例/);
  await page.getByTestId('lib-reset').click();
  await page.waitForURL(/\/library$/);
  await assertList(page, 'sup.east', '', 'cleared');
  await page.context().close();
});

test('a write-up in full: its sections as the API has them, the source case when the user may see it', async () => {
  const page = await openAs('sup.east');
  await page.locator(`[data-testid=lib-item][data-id="${w.ac.id}"]`).getByTestId('lib-title').click();
  await page.waitForURL(new RegExp(`/library/${w.ac.id}$`));
  await page.getByTestId('lib-detail-title').waitFor();
  const full = (await get('sup.east', `/api/v1/library/${w.ac.id}`)).writeup;
  assert.equal(await page.getByTestId('lib-detail-title').innerText(), full.title);
  for (const sec of ['scenario', 'analysis', 'correct_practice', 'solution']) {
    if (full[sec]) assert.equal(await page.getByTestId(`lib-text-${sec}`).innerText(), full[sec], sec);
    else assert.match(await page.getByTestId(`lib-section-${sec}`).innerText(), /未填写/, sec);
  }
  assert.equal(await page.getByTestId('lib-status').getAttribute('data-status'), 'published');
  // sup.east sees the Pudong case: a link to it
  assert.equal(await page.getByTestId('lib-case-link').innerText(), full.case_no);
  assert.equal(await page.getByTestId('lib-case-link').getAttribute('href'), `/cases/${full.case_no}`);
  // published: no publish button, a word on why there is no way back
  assert.equal(await page.getByTestId('lib-publish').count(), 0);
  await page.getByTestId('lib-no-unpublish').waitFor();
  await assertNamed(page, 'write-up');
  await assertNoSideScroll(page, 'write-up');
  await shot(page, '83-library-detail');
  // a write-up from elsewhere: its case is outside sup.east's place, so no link
  await page.goto(`${s.url}/library/${w.north.id}`);
  await page.getByTestId('lib-detail-title').waitFor();
  await page.getByTestId('lib-case-hidden').waitFor();
  assert.equal(await page.getByTestId('lib-case-link').count(), 0);
  assert.equal((await api('sup.east', 'GET', `/api/v1/cases/${w.north.case_no}`)).status, 404, 'indeed outside');
  // an id that does not exist
  expectProblem(/404.*\/api\/v1\/library\/99999$/);
  await page.goto(`${s.url}/library/99999`);
  await page.getByTestId('lib-notfound').waitFor();
  await page.context().close();
});

test('a permitted role writes up a case, edits the draft (anonymised) and publishes it: the API changes', async () => {
  const page = await openAs('sup.east');
  // write up a case from the library: a case written up already is refused at the field
  await page.getByTestId('lib-new').click();
  await page.getByTestId('lib-new-no').fill(w.ac.case_no);
  expectProblem(new RegExp(`409.*/api/v1/cases/${w.ac.case_no}/writeup`));
  await page.getByTestId('lib-new-ok').click();
  await page.getByTestId('lib-new-dialog').getByText('这件投诉不能编写案例').waitFor();
  const all = (await get('admin', '/api/v1/cases?per_page=100')).items;
  const hotel = all.find((c) => c.title?.includes('3115') && ['g2', 'g3', 'g4'].includes(c.grade));
  assert.ok(hotel, 'the hotel case (East region, g2+)');
  assert.equal((await api('gm', 'POST', `/api/v1/cases/${hotel.case_no}/actions/reject`, { reason: 'misunderstanding', answer: '已向客人解释。' })).status, 200);
  await page.getByTestId('lib-new-no').fill(hotel.case_no.toLowerCase());
  await page.getByTestId('lib-new-ok').click();
  await page.waitForURL(/\/library\/\d+$/);
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  const draft = (await get('sup.east', `/api/v1/library/${id}`)).writeup;
  assert.equal(draft.case_no, hotel.case_no);
  assert.equal(draft.status, 'draft');
  await page.getByTestId('lib-detail-title').waitFor();
  assert.equal(await page.getByTestId('lib-status').getAttribute('data-status'), 'draft');

  // edit: the correct practice, with a phone number the server anonymises
  await page.getByTestId('lib-edit').click();
  await page.getByTestId('lib-edit-form').waitFor();
  await page.getByTestId('lib-edit-correct_practice').fill('转接电话前先核对住客姓名与房号；如需回电可拨 13812345678 联系前台。');
  await page.getByTestId('lib-edit-title').fill('');
  await page.getByTestId('lib-edit-save').click();
  await page.getByTestId('lib-edit-form').getByText('此项不能为空').waitFor(); // a title is required
  await page.getByTestId('lib-edit-title').fill('深夜转错电话引发住客误会');
  await shot(page, '84-library-edit');
  await page.getByTestId('lib-edit-save').click();
  await page.getByTestId('lib-text-correct_practice').waitFor();
  const edited = (await get('sup.east', `/api/v1/library/${id}`)).writeup;
  assert.equal(edited.title, '深夜转错电话引发住客误会');
  assert.match(edited.correct_practice, /\[电话\]/);
  assert.ok(!edited.correct_practice.includes('13812345678'));
  assert.equal(await page.getByTestId('lib-text-correct_practice').innerText(), edited.correct_practice);
  assert.equal(await page.getByTestId('lib-detail-title').innerText(), edited.title);

  // publish
  await page.getByTestId('lib-publish').click();
  await page.getByRole('dialog').getByRole('button', { name: '发布' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=lib-status]')?.dataset.status === 'published');
  const pub = (await get('agent.shpd', `/api/v1/library/${id}`)).writeup; // an agent can read it now
  assert.equal(pub.status, 'published');
  assert.ok(pub.published_at);
  assert.equal(await page.getByTestId('lib-publish').count(), 0);
  w.hotel = pub;
  await page.context().close();
});

test('an agent sees published write-ups only, and no publish or edit control', async () => {
  const page = await openAs('agent.shpd');
  const list = await assertList(page, 'agent.shpd', '', 'the agent\'s library');
  assert.ok(list.items.every((x) => x.status === 'published'));
  assert.ok(!list.items.some((x) => x.id === w.log.id), 'the draft is not listed');
  assert.equal(await page.getByTestId('lib-new').count(), 0);
  assert.equal(await page.getByTestId('lib-item-draft').count(), 0);
  await page.locator(`[data-testid=lib-item][data-id="${w.ac.id}"]`).getByTestId('lib-title').click();
  await page.getByTestId('lib-detail-title').waitFor();
  assert.equal(await page.getByTestId('lib-publish').count(), 0);
  assert.equal(await page.getByTestId('lib-edit').count(), 0);
  assert.equal(await page.getByTestId('lib-no-unpublish').count(), 0);
  // the case was received at the agent's own outlet: the link is there
  await page.getByTestId('lib-case-link').waitFor();
  // a draft's address: not found for an agent
  expectProblem(new RegExp(`404.*/api/v1/library/${w.log.id}$`));
  assert.equal((await api('agent.shpd', 'GET', `/api/v1/library/${w.log.id}`)).status, 404);
  await page.goto(`${s.url}/library/${w.log.id}`);
  await page.getByTestId('lib-notfound').waitFor();
  await shot(page, '85-library-agent-draft');
  await page.context().close();
});

test('English: the library and a write-up in English', async () => {
  const page = await openAs('sup.east');
  await page.getByTestId('lang-en').click();
  await page.getByRole('heading', { name: 'Library' }).waitFor();
  const list = await get('sup.east', '/api/v1/library?per_page=10');
  await page.waitForFunction((n) => document.querySelector('[data-testid=lib-total]')?.textContent.includes(`${n} write-ups`), list.total);
  const ui = await page.locator('.page-head, .lib-intro, .lib-search, .lib-meta .lib-date, .lib-lesson-label, [data-testid=lib-item-draft]').evaluateAll((els) => els.map((e) => e.innerText).join('\n'));
  assert.ok(!/\p{Script=Han}/u.test(ui), `Chinese left in the English library:\n${ui}`);
  await assertNamed(page, 'library in English');
  await shot(page, '86-library-en');
  await page.goto(`${s.url}/library/${w.log.id}`);
  await page.getByTestId('lib-detail-title').waitFor();
  await page.getByRole('heading', { name: 'What happened' }).waitFor();
  await page.getByRole('button', { name: 'Publish' }).waitFor();
  const chrome = await page.locator('.detail-head .el-tag, .detail-head .el-button, .card-title, .el-descriptions__label, .anon-note, [data-testid=lib-back]').evaluateAll((els) => els.map((e) => e.innerText).join('\n'));
  assert.ok(!/\p{Script=Han}/u.test(chrome), `Chinese left in the English write-up:\n${chrome}`);
  await shot(page, '87-library-detail-en');
  await page.getByTestId('lang-zh').click();
  await page.getByRole('heading', { name: '情景回放' }).waitFor();
  await page.context().close();
});

test('no console errors, page errors or failed requests in the library', () => {
  assert.deepEqual(b.unexpected(), []);
});
