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

/* Chromium, headless, with one page (1280×800 unless told, zh-CN, Asia/Shanghai) that
 * records every console error (and the Vue / vue-i18n / CSP warnings), page error, failed
 * request and HTTP answer ≥ 400. expectProblem(re) marks one the test caused on purpose;
 * unexpected() lists the rest. */
export async function openBrowser(contextOptions = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...contextOptions,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  const expected = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || (m.type() === 'warning' && /intlify|vue-i18n|\[Vue warn\]|Content Security Policy/i.test(m.text())))
      problems.push(`console ${m.type()}: ${m.text()} @ ${m.location()?.url ?? ''}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (!/net::ERR_ABORTED/.test(r.failure()?.errorText ?? '')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return {
    browser,
    context,
    page,
    expectProblem: (re) => expected.push(re),
    unexpected: () => problems.filter((p) => !expected.some((re) => re.test(p))),
    shot: (name) => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true, animations: 'disabled' }),
  };
}

/* Logs in through the login page as username and waits for the workbench. */
export async function loginAs(page, url, username, password) {
  await page.goto(`${url}/login`);
  await page.getByLabel(/^(用户名|Username)$/).fill(username);
  await page.getByLabel(/^(密码|Password)$/).fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/workbench/);
}
