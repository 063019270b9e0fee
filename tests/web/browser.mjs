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
