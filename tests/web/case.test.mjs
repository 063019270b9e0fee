// The case page (投诉详情, web/src/views/CaseView.vue and web/src/components/case/) against the
// real server: `tousu serve` on a temporary demo database, Debian's chromium at 1280×800 in
// Asia/Shanghai. One demo case is taken through its lifecycle by the API first (accepted,
// assigned, a proposal with options A/B approved, resolved with option B, followed up, a loss,
// psychology tags, penalties, an improvement action, a photo) so that every section has
// something to show; the page must show what the API answers. Then the forms (a note, a
// contact, a promise; a 422 at its field; an approval), evidence previews (a PNG, a PDF and an
// MP3 uploaded through the page), the live countdown, read-only roles and English.
// Screenshots tests/web/out/4x-case-*.png.
//
// Run: TOUSU_BIN=/abs/tousu [TOUSU_WEB_DIR=/abs/web/dist] [CHROMIUM=/usr/bin/chromium] \
//      node --test --test-concurrency=1 tests/web/case.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertCleanShutdown, caseBody, demoPassword, sleep } from '../api/lib.mjs';
import { WEB_DIR, launchBrowser, loginAs, screenshot } from './browser.mjs';

let s;
let b; // {browser, newPage, expectProblem, unexpected, …}
const tokens = {};
const expectProblem = (re) => b.expectProblem(re);
let NO; // the rich case
const pages = [];

// a 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/* A minimal valid PDF: one empty 200×200 page, with a correct cross-reference table. */
function minimalPdf() {
  const objs = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>'];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/* A short valid MP3: MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, mono) of silence —
 * header FF FB 90 C4, 417 bytes a frame. The staff upload takes the declared type
 * (audio/mpeg); the bytes are a real stream all the same. */
function silentMp3(frames = 40) {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc4]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

async function api(user, method, p, body) {
  const r = await s.api(method, `/api/v1${p}`, { token: tokens[user], body });
  return r;
}
async function get(p, user = 'sup.east') {
  const r = await api(user, 'GET', p);
  assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
  return r.json;
}
async function ok(user, method, p, body) {
  const r = await api(user, method, p, body);
  assert.ok(r.status === 200 || r.status === 201, `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

/* A new page (its own session) logged in as user through the login form. */
async function openAs(user, { lang } = {}) {
  const page = await b.newPage({ acceptDownloads: true }, user);
  if (lang) await page.context().addInitScript((l) => localStorage.setItem('tousu.lang', l), lang);
  await loginAs(page, s.url, user, demoPassword(user));
  pages.push(page);
  return page;
}

async function openCase(page, no, tab) {
  await page.goto(`${s.url}/cases/${no}${tab ? `?tab=${tab}` : ''}`);
  await page.getByTestId('case-title-no').waitFor();
  await page.waitForFunction(() => !document.querySelector('.case-page .el-loading-mask:not([style*="display: none"])'));
}

async function tab(page, name) {
  await page.getByTestId(`tab-${name}`).click();
  await page.waitForURL(name === 'overview' ? /\/cases\/[A-Z0-9]+$/ : new RegExp(`tab=${name}`));
}

async function shot(page, name, fullPage = true) {
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name, { fullPage });
}

/* Every control and image of the page has an accessible name. */
async function assertNamed(page, screen) {
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask')); // its spinner has no name
  const tree = await page.locator('body').ariaSnapshot();
  const unnamed = tree
    .split('\n')
    .filter((l) => /- (combobox|textbox|button|link|radio|checkbox|spinbutton|listbox|menuitem|img)\b/.test(l))
    .filter((l) => !/- \w+ "[^"]+"/.test(l) && !/- \w+ '[^']+'/.test(l));
  assert.deepEqual(unnamed, [], `${screen}: controls without an accessible name\n${tree}`);
}

async function assertNoSideScroll(page, screen) {
  const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(sw <= cw, `${screen}: the page is ${sw}px wide in a ${cw}px window`);
}

/* The text box of a form control (the data-testid sits on the <input>/<textarea> itself or on
 * its wrapper, depending on the component). */
const field = (page, id) => page.locator(`:is(input, textarea)[data-testid="${id}"], [data-testid="${id}"] :is(input, textarea)`).first();
const texts = async (loc) => (await loc.allInnerTexts()).map((x) => x.trim());
const sorted = (a) => [...a].sort();

before(async () => {
  s = await startServer({ args: ['--web-dir', WEB_DIR] });
  for (const u of ['sup.east', 'agent.shhotel', 'auditor']) tokens[u] = await s.login(u);
  b = await launchBrowser({ timeout: 20000 });

  // the hotel's billing complaint, taken through its lifecycle so that every section has data
  const list = await get('/cases?per_page=100');
  NO = list.items.find((c) => c.title?.includes('签单')).case_no;
  const A = (action, body = {}) => ok('sup.east', 'POST', `/cases/${NO}/actions/${action}`, body);
  await A('accept');
  await A('assign');
  await A('propose', {
    solutions: [
      { type: 'apology' },
      { type: 'discount', amount_cents: 30000, option: 'A' },
      { type: 'gift', amount_cents: 20000, option: 'B', description: '果篮' },
      { type: 'refund', amount_cents: 20050, option: 'B' },
    ],
    note: '方案经餐务中心确认',
  });
  await A('approve', { note: '同意' });
  await A('resolve', { customer_consent: true, option: 'B' });
  await ok('sup.east', 'PATCH', `/cases/${NO}`, {
    psychology: ['respect', 'balance'],
    root_cause: 'people_standards',
    responsibility: 'ours',
    service_stage: 'delivery',
    loss: { freight_cents: 1500, attributed_to: 'ours' },
  });
  await A('follow_up', { satisfaction: 4, method: 'phone', comment: '处理及时，满意' });
  await ok('sup.east', 'POST', `/cases/${NO}/penalties`, { person: '餐务中心王经理', kind: 'fine', amount_cents: 50000, reason: '未按制度核实签单人' });
  await ok('agent.shhotel', 'POST', `/cases/${NO}/penalties`, { person: '前台李某', kind: 'notice', reason: '解释不到位' });
  await ok('sup.east', 'POST', `/cases/${NO}/improvements`, { kind: 'process', description: '向内存单位签单人发放临时卡片', owner: 'handler.finance', due_on: '2026-12-31' });
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), '收条.png');
  const up = await s.api('POST', `/api/v1/cases/${NO}/evidence`, { token: tokens['sup.east'], form });
  assert.equal(up.status, 201, up.text);
});

after(async () => {
  await b?.browser.close();
  if (s) await assertCleanShutdown(s);
});

let sup; // sup.east's page

test('the page shows the case as the API answers it: record, items, solutions, loss, penalties, history', async () => {
  sup = await openAs('sup.east');
  const c = (await get(`/cases/${NO}`)).case;
  const hist = await get(`/cases/${NO}/history`);
  const notices = await get(`/cases/${NO}/notices?per_page=200`);
  await openCase(sup, NO);

  // header and summary strip
  assert.equal(await sup.getByTestId('case-title-no').innerText(), NO);
  assert.equal(await sup.getByTestId('case-title').innerText(), c.title);
  assert.equal(await sup.getByTestId('case-status').innerText(), '已解决待回访');
  assert.equal(await sup.getByTestId('summary-channel').innerText(), '电话热线');
  assert.equal(await sup.getByTestId('summary-owner').innerText(), c.owner);
  assert.equal(await sup.getByTestId('summary-received').innerText(), c.received_at.slice(0, 16).replace('T', ' '));
  assert.match(await sup.getByTestId('summary-clock').innerText(), /无进行中的时限/); // every clock has stopped

  // overview: the record, clocks, grade reasons, notices, psychology with advice
  assert.equal(await sup.getByTestId('case-description').innerText(), c.description);
  assert.equal(await sup.getByTestId('complainant-name').innerText(), c.complainant.name);
  assert.equal(await sup.getByTestId('clock-row').count(), c.clocks.length);
  assert.equal(await sup.locator('[data-testid=grade-reasons] li').count(), c.grade_reasons.length);
  assert.match(await sup.getByTestId('grade-reasons').innerText(), new RegExp(c.grade_reasons[0].text));
  assert.equal(await sup.getByTestId('notice-row').count(), notices.total);
  assert.equal(await sup.getByTestId('psychology-item').count(), 2);
  const psy = await sup.getByTestId('case-psychology').innerText();
  for (const p of c.psychology_advice) {
    assert.ok(psy.includes(p.name_zh), p.name_zh);
    assert.ok(psy.includes(p.advice_zh.slice(0, 20)), p.tag);
  }
  await assertNamed(sup, 'overview');
  await assertNoSideScroll(sup, 'overview');
  await shot(sup, '40-case-overview');

  // handling: solutions and their approval, follow-up, contacts, promises, notes
  await tab(sup, 'handling');
  assert.equal(await sup.locator('[data-testid=solution-table] .el-table__body tr').count(), c.solutions.length);
  assert.deepEqual(await texts(sup.getByTestId('solution-type')), ['道歉', '折价', '赠品', '退款']);
  assert.deepEqual(await texts(sup.getByTestId('solution-amount')), ['¥0.00', '¥300.00', '¥200.00', '¥200.50']);
  const totals = await sup.locator('[data-testid=solution-totals] [data-option]').evaluateAll((els) => els.map((e) => [e.dataset.option, Number(e.dataset.cents)]));
  assert.deepEqual(totals, [['A', 30000], ['B', 40050]]);
  assert.equal(await sup.getByTestId('approval-state').innerText(), '已批准');
  assert.equal(await sup.getByTestId('approved-by').innerText(), 'sup.east');
  assert.equal(await sup.getByTestId('customer-consent').innerText(), '客户同意，选择方案B');
  assert.match(await sup.getByTestId('follow-up-satisfaction').innerText(), /4 分/);
  assert.equal(await sup.getByTestId('contact-item').count(), c.contacts.length);
  assert.deepEqual(sorted(await texts(sup.getByTestId('contact-summary'))), sorted(c.contacts.map((x) => x.summary)));
  assert.equal(await sup.getByTestId('promise-item').count(), c.promises.length);
  assert.deepEqual(sorted(await texts(sup.getByTestId('promise-text'))), sorted(c.promises.map((x) => x.promise)));
  assert.equal(await sup.getByTestId('note-item').count(), c.notes.length);
  assert.deepEqual(sorted(await texts(sup.getByTestId('note-text-shown'))), sorted(c.notes.map((x) => x.text)));
  await assertNamed(sup, 'handling');
  await assertNoSideScroll(sup, 'handling');
  await shot(sup, '41-case-handling');

  // evidence
  await tab(sup, 'evidence');
  assert.deepEqual(await texts(sup.getByTestId('evidence-name')), c.evidence.map((e) => e.filename));

  // loss and accountability
  await tab(sup, 'accountability');
  const loss = await sup.getByTestId('loss-row').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.dataset.key, Number(e.dataset.cents)])));
  let sum = 0;
  for (const k of ['compensation', 'refund', 'discount', 'repair', 'goods', 'freight', 'gift', 'other']) {
    assert.equal(loss[k], c.loss[`${k}_cents`], k);
    sum += loss[k];
  }
  assert.equal(c.loss.total_cents, sum);
  assert.equal(Number(await sup.getByTestId('loss-total').getAttribute('data-cents')), c.loss.total_cents);
  assert.equal(await sup.getByTestId('loss-total').innerText(), '¥415.50');
  assert.equal(await sup.getByTestId('loss-attributed').innerText(), '我方');
  assert.deepEqual(await texts(sup.getByTestId('penalty-person')), c.penalties.map((p) => p.person));
  assert.deepEqual(await sup.getByTestId('penalty-status').evaluateAll((els) => els.map((e) => e.dataset.status)), c.penalties.map((p) => p.status));
  assert.deepEqual(await texts(sup.getByTestId('improvement-text')), c.improvements.map((x) => x.description));
  // sup.east may approve the agent's proposal, not his own
  assert.equal(await sup.getByTestId('penalty-approve').count(), 1);
  await assertNamed(sup, 'accountability');
  await assertNoSideScroll(sup, 'accountability');
  await shot(sup, '43-case-accountability');

  // history: one timeline item per entry, who did what, before → after
  await tab(sup, 'history');
  assert.equal(await sup.locator('[data-testid=case-history] .el-timeline-item').count(), hist.total);
  const h = await sup.getByTestId('case-history').innerText();
  assert.match(h, /登记/);
  assert.match(h, /批准方案/);
  assert.match(h, /已受理\s*→\s*调查处理中/);
  await shot(sup, '44-case-history');
});

test('a note, a contact and a promise added through the forms: shown, and the API has them', async () => {
  await openCase(sup, NO, 'handling');
  const before = (await get(`/cases/${NO}`)).case;

  // note
  await field(sup, 'note-text').fill('客户要求书面致歉函，已转餐务中心');
  await sup.getByTestId('note-submit').click();
  await sup.getByTestId('note-text-shown').filter({ hasText: '客户要求书面致歉函，已转餐务中心' }).waitFor();

  // contact: the page's own check first (no request), then the real one
  let posts = 0;
  const count = (r) => {
    if (r.method() === 'POST' && /\/contacts$/.test(r.url())) posts++;
  };
  sup.on('request', count);
  await sup.getByTestId('contact-add').click();
  const dlg = sup.getByTestId('contact-dialog');
  await sup.getByTestId('contact-submit').click();
  await dlg.locator('.el-form-item__error', { hasText: '此项为必填项' }).waitFor();
  assert.equal(posts, 0, 'nothing sent while the form is incomplete');
  await assertNamed(sup, 'contact form');
  await field(sup, 'contact-summary-input').fill('电话告知致歉函将于明日寄出，客户表示认可');
  await sup.getByTestId('contact-submit').click();
  await sup.getByTestId('contact-summary').filter({ hasText: '电话告知致歉函将于明日寄出' }).waitFor();
  assert.equal(posts, 1);
  sup.off('request', count);

  // promise
  await sup.getByTestId('promise-add').click();
  await field(sup, 'promise-input').fill('12月1日前寄出书面致歉函');
  await sup.getByTestId('promise-submit').click();
  await sup.getByTestId('promise-text').filter({ hasText: '12月1日前寄出书面致歉函' }).waitFor();

  const after = (await get(`/cases/${NO}`)).case;
  assert.equal(after.notes.length, before.notes.length + 1);
  assert.equal(after.contacts.length, before.contacts.length + 1);
  assert.equal(after.promises.length, before.promises.length + 1);
  const note = after.notes.at(-1);
  assert.equal(note.text, '客户要求书面致歉函，已转餐务中心');
  assert.equal(note.author, 'sup.east');
  const contact = after.contacts.find((x) => x.summary.startsWith('电话告知致歉函'));
  assert.deepEqual([contact.method, contact.direction, contact.reached, contact.by], ['phone', 'outbound', true, 'sup.east']);
  const promise = after.promises.at(-1);
  assert.equal(promise.promise, '12月1日前寄出书面致歉函');
  assert.match(promise.due_at, /T18:00:00\+08:00$/); // tomorrow 18:00, the form's default, in the organisation's zone
  assert.equal(promise.kept, null);
  assert.equal(await sup.getByTestId('note-item').count(), after.notes.length);
  assert.equal(await sup.getByTestId('contact-item').count(), after.contacts.length);
  assert.equal(await sup.getByTestId('promise-item').count(), after.promises.length);
  // the history shows the three writes
  assert.equal(await sup.locator('[data-testid=case-history] .el-timeline-item').count(), (await get(`/cases/${NO}/history`)).total);

  // the promise settled as kept, once
  const item = sup.getByTestId('promise-item').filter({ hasText: '12月1日前寄出书面致歉函' });
  await item.getByTestId('promise-kept').click();
  await item.getByTestId('promise-state').filter({ hasText: '已兑现' }).waitFor();
  assert.equal((await get(`/cases/${NO}`)).case.promises.find((p) => p.id === promise.id).kept, true);

  // the note deleted again by its author
  const mine = sup.getByTestId('note-item').filter({ hasText: '客户要求书面致歉函' });
  await mine.getByTestId('note-delete').click();
  await sup.locator('.el-popconfirm').getByRole('button', { name: '删除' }).click();
  await mine.waitFor({ state: 'detached' });
  assert.equal((await get(`/cases/${NO}`)).case.notes.length, before.notes.length);
});

test('the server\'s 422 is shown at its field and nothing is written', async () => {
  await openCase(sup, NO, 'accountability');
  const before = (await get(`/cases/${NO}`)).case.improvements.length;
  await sup.getByTestId('improvement-add').click();
  const dlg = sup.getByTestId('improvement-dialog');
  // the owner: picked from the department's people, or typed (a new entry)
  const pickOwner = async (name) => {
    await field(sup, 'improvement-owner').click();
    await field(sup, 'improvement-owner').fill(name);
    await sup.keyboard.press('Enter');
    await dlg.locator('.el-select__selected-item', { hasText: name }).first().waitFor();
  };
  await field(sup, 'improvement-description').fill('前台签单核验流程培训');
  await pickOwner('nobody.here');
  expectProblem(/HTTP 422: .*\/improvements$/);
  expectProblem(/422 \(Unprocessable (Entity|Content)\)/);
  await sup.getByTestId('improvement-submit').click();
  const err = dlg.locator('.el-form-item.is-error', { hasText: '负责人' }).locator('.el-form-item__error');
  await err.waitFor();
  assert.equal((await err.innerText()).trim(), '不是有效的在职用户');
  await assertNamed(sup, 'improvement form');
  await shot(sup, '45-case-422', false);
  assert.equal((await get(`/cases/${NO}`)).case.improvements.length, before, 'nothing written');

  // a real owner: saved, the dialog closes, the list shows it
  await pickOwner('handler.hotel');
  await sup.getByTestId('improvement-submit').click();
  await sup.getByTestId('improvement-text').filter({ hasText: '前台签单核验流程培训' }).waitFor();
  const imp = (await get(`/cases/${NO}`)).case.improvements;
  assert.equal(imp.length, before + 1);
  assert.equal(imp.at(-1).owner, 'handler.hotel');
  assert.equal(imp.at(-1).status, 'open');
});

test('penalties: the supervisor approves the agent\'s proposal; the API has it approved', async () => {
  await openCase(sup, NO, 'accountability');
  const row = sup.locator('[data-testid=penalty-table] .el-table__row').filter({ hasText: '前台李某' });
  await row.getByTestId('penalty-approve').click();
  await row.locator('[data-testid=penalty-status][data-status=approved]').waitFor();
  const p = (await get(`/cases/${NO}`)).case.penalties.find((x) => x.person === '前台李某');
  assert.equal(p.status, 'approved');
  assert.equal(p.approved_by, 'sup.east');
  assert.equal(await row.getByTestId('penalty-execute').count(), 1);
});

test('evidence: a PNG, a PDF and an MP3 uploaded by drag-and-drop\'s input; previews from blob: URLs', async () => {
  await openCase(sup, NO, 'evidence');
  const before = (await get(`/cases/${NO}`)).case.evidence.length;
  await sup.locator('[data-testid=case-evidence] input[type=file]').setInputFiles([
    { name: '现场照片.png', mimeType: 'image/png', buffer: PNG },
    { name: '致歉函.pdf', mimeType: 'application/pdf', buffer: minimalPdf() },
    { name: '通话录音.mp3', mimeType: 'audio/mpeg', buffer: silentMp3() },
  ]);
  await sup.waitForFunction((n) => document.querySelectorAll('[data-testid=evidence-item]').length === n, before + 3);
  const ev = (await get(`/cases/${NO}`)).case.evidence;
  assert.equal(ev.length, before + 3);
  assert.deepEqual(
    sorted(ev.slice(before).map((e) => `${e.filename} ${e.content_type}`)),
    sorted(['现场照片.png image/png', '致歉函.pdf application/pdf', '通话录音.mp3 audio/mpeg']),
  );

  // the photo: a thumbnail drawn from a blob: URL, opening the viewer
  const img = sup.locator('[data-testid=evidence-item][data-name="现场照片.png"] img');
  await img.waitFor();
  await sup.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  assert.match(await img.getAttribute('src'), /^blob:/);
  assert.ok((await img.evaluate((el) => el.naturalWidth)) > 0);
  await img.click();
  await sup.locator('.el-image-viewer__wrapper').waitFor();
  await sup.keyboard.press('Escape');
  await sup.locator('.el-image-viewer__wrapper').waitFor({ state: 'detached' });

  // the recording: an audio player on a blob: URL
  const audio = sup.locator('[data-testid=evidence-item][data-name="通话录音.mp3"] audio');
  await audio.waitFor();
  const audioSrc = await audio.getAttribute('src');
  assert.match(audioSrc, /^blob:/);
  assert.equal(await audio.evaluate((el) => el.controls), true);

  // the PDF: in a frame on a blob: URL
  await sup.locator('[data-testid=evidence-item][data-name="致歉函.pdf"]').getByTestId('evidence-open').click();
  const frame = sup.getByTestId('evidence-frame');
  await frame.waitFor();
  assert.match(await frame.getAttribute('src'), /^blob:/);
  await assertNamed(sup, 'evidence');
  await shot(sup, '42-case-evidence-pdf', false);
  await sup.locator('[data-testid=evidence-frame-dialog] .el-dialog__headerbtn').click();
  await frame.waitFor({ state: 'detached' });
  await assertNoSideScroll(sup, 'evidence');
  await shot(sup, '42-case-evidence');

  // leaving the page revokes the object URLs: the recording's URL no longer reads
  await sup.getByTestId('case-back').click();
  await sup.waitForURL(/\/workbench/);
  expectProblem(/ERR_FILE_NOT_FOUND|Failed to fetch|blob:/);
  const gone = await sup.evaluate((u) => fetch(u).then(() => 'readable', () => 'revoked'), audioSrc);
  assert.equal(gone, 'revoked');
});

test('the nearest open clock counts down live; an overdue one reads red', async () => {
  // a fresh complaint: its acknowledge and resolve clocks are running
  const created = await ok('agent.shhotel', 'POST', '/cases', caseBody({ title: '房间空调不制冷' }));
  const no = created.case.case_no;
  await openCase(sup, no);
  const cd = sup.locator('[data-testid=summary-clock] [data-testid=clock-countdown]');
  await cd.waitFor();
  const first = await cd.innerText();
  assert.match(first, /^剩余 (\d+天 )?\d{2}:\d{2}:\d{2}$/);
  assert.equal(await cd.getAttribute('data-kind'), 'ok');
  await sleep(2500);
  const second = await cd.innerText();
  assert.notEqual(second, first, 'the countdown moved');
  const secs = (x) => {
    const m = /(?:(\d+)天 )?(\d{2}):(\d{2}):(\d{2})/.exec(x);
    return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  };
  const dt = secs(first) - secs(second);
  assert.ok(dt >= 1 && dt <= 6, `it counted down ${dt} s in 2.5 s`);
  // the clock shown is the open clock due soonest
  const c = (await get(`/cases/${no}`)).case;
  const open = c.clocks.filter((x) => !x.stopped_at && x.due_at).sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  assert.equal(await sup.getByTestId('summary-clock').getAttribute('data-clock'), open[0].name);
  await shot(sup, '46-case-countdown');

  // a demo complaint left unanswered for weeks: its open clock is overdue, in red
  const old = (await get('/cases?per_page=100')).items.find((x) => x.status === 'received' && x.overdue).case_no;
  await openCase(sup, old);
  const late = sup.locator('[data-testid=summary-clock] [data-testid=clock-countdown]');
  assert.equal(await late.getAttribute('data-kind'), 'breached');
  assert.match(await late.innerText(), /^已超时 /);
  assert.equal(await late.evaluate((el) => getComputedStyle(el).color), 'rgb(168, 7, 26)');
});

test('an auditor sees the whole case but no form; a reviewer may add notes and evidence only', async () => {
  const aud = await openAs('auditor');
  const c = (await get(`/cases/${NO}`, 'auditor')).case;
  await openCase(aud, NO, 'handling');
  assert.equal(await aud.getByTestId('note-item').count(), c.notes.length);
  assert.equal(await aud.getByTestId('contact-item').count(), c.contacts.length);
  for (const id of ['note-form', 'contact-add', 'promise-add', 'promise-kept', 'note-delete']) assert.equal(await aud.getByTestId(id).count(), 0, id);
  await shot(aud, '47-case-auditor');
  await tab(aud, 'evidence');
  assert.equal(await aud.getByTestId('evidence-item').count(), c.evidence.length);
  assert.equal(await aud.locator('[data-testid=case-evidence] input[type=file]').count(), 0);
  await tab(aud, 'accountability');
  assert.equal(await aud.getByTestId('penalty-person').count(), c.penalties.length);
  for (const id of ['penalty-add', 'penalty-approve', 'penalty-execute', 'penalty-cancel', 'improvement-add', 'improvement-done']) assert.equal(await aud.getByTestId(id).count(), 0, id);
  await aud.context().close();

  const rev = await openAs('reviewer');
  await openCase(rev, NO, 'handling');
  assert.equal(await rev.getByTestId('note-form').count(), 1);
  for (const id of ['contact-add', 'promise-add']) assert.equal(await rev.getByTestId(id).count(), 0, id);
  await tab(rev, 'evidence');
  assert.equal(await rev.locator('[data-testid=case-evidence] input[type=file]').count(), 1);
  await tab(rev, 'accountability');
  for (const id of ['penalty-add', 'penalty-approve', 'improvement-add']) assert.equal(await rev.getByTestId(id).count(), 0, id);
  await rev.context().close();
});

test('in English: every tab in English, no Chinese in the page\'s own words', async () => {
  const en = await openAs('sup.east', { lang: 'en' });
  await openCase(en, NO);
  assert.equal(await en.getByTestId('tab-overview').innerText(), 'Overview');
  assert.equal(await en.getByTestId('case-status').innerText(), 'Resolved');
  assert.match(await en.getByTestId('case-psychology').innerText(), /Wants respect/);
  await shot(en, '48-case-en');
  await tab(en, 'handling');
  assert.deepEqual(await texts(en.getByTestId('solution-type')), ['Apology', 'Discount', 'Gift', 'Refund']);
  assert.equal(await en.getByTestId('customer-consent').innerText(), 'The customer agreed and chose option B');
  await tab(en, 'accountability');
  assert.equal(await en.getByTestId('loss-attributed').innerText(), 'Ours');
  await shot(en, '49-case-en-accountability');
  // the page's labels carry no Chinese (case data and unit names stay as written)
  const labels = await en.locator('.case-page .card-title, .case-page .el-tabs__item, .case-page .summary-item dt, .case-page th, .case-page .el-descriptions__label').allInnerTexts();
  const han = labels.filter((x) => /\p{Script=Han}/u.test(x));
  assert.deepEqual(han, []);
  await en.context().close();
});

test('no console errors, page errors or failed requests', () => {
  assert.deepEqual(b.unexpected(), []);
});
