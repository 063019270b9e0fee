// What the browser tests share: where the built application and the screenshots are, and
// Debian's chromium driven by playwright-core. playwright-core is a devDependency of web/
// (one package-lock.json, one npm ci); it never downloads a browser: it drives the one
// given as executablePath (CHROMIUM, default /usr/bin/chromium).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../..');
export const WEB_DIR = process.env.TOUSU_WEB_DIR ?? path.join(REPO, 'web/dist');
export const OUT = path.join(HERE, 'out');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

if (!fs.existsSync(path.join(WEB_DIR, 'index.html')))
  throw new Error(`${WEB_DIR}/index.html is missing: build the web application first (make web)`);
if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/deps.sh test)`);

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
const requireWeb = createRequire(path.join(REPO, 'web/package.json'));
export const { chromium } = requireWeb('playwright-core');

fs.mkdirSync(OUT, { recursive: true });

/* The usual context: 1280×800, zh-CN, Asia/Shanghai (what contextOptions add or replace). */
const CONTEXT = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
/* A phone: contextOptions for a customer at 375×740. */
export const PHONE = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/* A picture of page in OUT/<name>.png: the whole page, or only the window (fullPage false). */
export function screenshot(page, name, { fullPage = true } = {}) {
  return page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage, animations: 'disabled' });
}

/* Chromium, headless, with no page yet, and one list of problems: every console error (and
 * the Vue / vue-i18n / CSP warnings), page error, failed request and HTTP answer ≥ 400 (but
 * those whose URL matches ignoreHttp) of each page watched. watch(page, who) adds a page (its
 * lines prefixed "who: "); newPage(contextOptions, who) opens one in a context of its own,
 * watched, with the default timeout. expectProblem(re) marks a problem the test caused on
 * purpose; unexpected() lists the rest; problems and expected are the lists themselves. */
export async function launchBrowser({ timeout = 15000, ignoreHttp } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const problems = [];
  const expected = [];
  const watch = (page, who) => {
    const add = (line) => problems.push(who ? `${who}: ${line}` : line);
    page.on('console', (m) => {
      if (m.type() === 'error' || (m.type() === 'warning' && /intlify|vue-i18n|\[Vue warn\]|Content Security Policy/i.test(m.text())))
        add(`console ${m.type()}: ${m.text()} @ ${m.location()?.url ?? ''}`);
    });
    page.on('pageerror', (e) => add(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      if (!/net::ERR_ABORTED/.test(r.failure()?.errorText ?? '')) add(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !ignoreHttp?.test(r.url())) add(`HTTP ${r.status()}: ${r.url()}`);
    });
  };
  const newPage = async (contextOptions = {}, who) => {
    const context = await browser.newContext({ ...CONTEXT, ...contextOptions });
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    watch(page, who);
    return page;
  };
  return {
    browser,
    newPage,
    watch,
    problems,
    expected,
    expectProblem: (re) => expected.push(re),
    unexpected: () => problems.filter((p) => !expected.some((re) => re.test(p))),
  };
}

/* launchBrowser(options) with one page already open (newPage(contextOptions, options.who)):
 * page, its context, and shot(name, {fullPage}) for screenshot(page, …). */
export async function openBrowser(contextOptions = {}, options = {}) {
  const b = await launchBrowser(options);
  const page = await b.newPage(contextOptions, options.who);
  return { ...b, context: page.context(), page, shot: (name, o) => screenshot(page, name, o) };
}

/* Logs in through the login page as username and waits for the workbench (or, given
 * redirect, a path such as '/intake', for that page). */
export async function loginAs(page, url, username, password, { redirect } = {}) {
  await page.goto(redirect ? `${url}/login?redirect=${encodeURIComponent(redirect)}` : `${url}/login`);
  await page.getByLabel(/^(用户名|Username)$/).fill(username);
  await page.getByLabel(/^(密码|Password)$/).fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(redirect ? (u) => u.pathname === redirect : /\/workbench/);
}
