// Precompressed files (docs/web.md §2): the build writes FILE.br and FILE.gz next to each
// text file of the application; `tousu serve` answers them in place of FILE to a client whose
// Accept-Encoding takes the coding, and FILE itself to any other. Over plain HTTP (raw
// sockets: fetch would decompress and send its own Accept-Encoding), on a copy of the built
// directory so that a stale variant can be made.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer, assertCleanShutdown, rawRequest, tmpDir } from '../api/lib.mjs';
import { WEB_DIR } from './browser.mjs';

let s;
let dir; // the copy served
let big; // the largest script, "/assets/…js"

before(async () => {
  dir = path.join(tmpDir(), 'dist');
  fs.cpSync(WEB_DIR, dir, { recursive: true, preserveTimestamps: true });
  const scripts = fs.readdirSync(path.join(dir, 'assets')).filter((f) => f.endsWith('.js'));
  big = `/assets/${scripts.sort((a, b) => fs.statSync(path.join(dir, 'assets', b)).size - fs.statSync(path.join(dir, 'assets', a)).size)[0]}`;
  s = await startServer({ args: ['--web-dir', dir] });
});

after(async () => {
  if (s) await assertCleanShutdown(s);
});

const file = (p) => fs.readFileSync(path.join(dir, p));
const get = (p, headers = {}, method = 'GET') => rawRequest(s, method, p, { headers });
const bytes = (r) => Buffer.from(r.text, 'latin1');

test('the build wrote .br and .gz next to every text file of 1 KiB or more, and they decompress to it', () => {
  let n = 0;
  for (const f of fs.readdirSync(path.join(dir, 'assets'))) {
    if (!/\.(js|css)$/.test(f)) continue;
    const raw = file(`assets/${f}`);
    if (raw.length < 1024) continue;
    n++;
    assert.deepEqual(zlib.brotliDecompressSync(file(`assets/${f}.br`)), raw, `${f}.br`);
    assert.deepEqual(zlib.gunzipSync(file(`assets/${f}.gz`)), raw, `${f}.gz`);
    assert.ok(file(`assets/${f}.br`).length < raw.length * 0.9);
  }
  assert.ok(n >= 5, `only ${n} compressible files?`);
});

test('Accept-Encoding br → the .br file, gzip → the .gz file, none → the file; types and caching kept', async () => {
  const raw = file(big.slice(1));
  const cases = [
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['gzip, deflate', 'gzip'],
    ['GZIP', 'gzip'],
    ['br;q=0, gzip;q=0.5', 'gzip'],
    ['*', 'br'],
    ['br;q=0, gzip;q=0', null],
    ['identity', null],
    ['deflate', null],
    [null, null],
  ];
  for (const [ae, coding] of cases) {
    const r = await get(big, ae === null ? {} : { 'Accept-Encoding': ae });
    assert.equal(r.status, 200, `${ae}`);
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8', `${ae}`);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(r.headers.vary, 'Accept-Encoding', `${ae}: Vary`);
    assert.equal(r.headers['content-encoding'], coding ?? undefined, `${ae}: the coding`);
    const body = bytes(r);
    const plain = coding === 'br' ? zlib.brotliDecompressSync(body) : coding === 'gzip' ? zlib.gunzipSync(body) : body;
    assert.deepEqual(plain, raw, `${ae}: the same script`);
    assert.equal(Number(r.headers['content-length']), body.length);
    if (coding) assert.match(r.headers.etag, new RegExp(`-${coding}"$`), 'each representation its own ETag');
    else assert.match(r.headers.etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
  }
});

test('ETags per representation: 304 only for the one the client holds; HEAD tells the compressed length', async () => {
  const br = await get(big, { 'Accept-Encoding': 'br' });
  const plain = await get(big);
  assert.notEqual(br.headers.etag, plain.headers.etag);
  let r = await get(big, { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag });
  assert.equal(r.status, 304);
  assert.equal(r.headers['content-encoding'], 'br');
  r = await get(big, { 'Accept-Encoding': 'br', 'If-None-Match': plain.headers.etag });
  assert.equal(r.status, 200, 'the identity ETag does not validate the br body');
  r = await get(big, { 'If-None-Match': plain.headers.etag });
  assert.equal(r.status, 304);
  r = await get(big, { 'Accept-Encoding': 'gzip' }, 'HEAD');
  assert.equal(r.status, 200);
  assert.equal(Number(r.headers['content-length']), file(`${big.slice(1)}.gz`).length);
  assert.equal(r.text, '');
});

test('a variant older than its file (left from another build) is not used; a missing one neither', async () => {
  const f = path.join(dir, big.slice(1));
  const old = new Date(Date.now() - 3600e3);
  fs.utimesSync(`${f}.br`, old, old);
  let r = await get(big, { 'Accept-Encoding': 'br, gzip' });
  assert.equal(r.headers['content-encoding'], 'gzip', 'the stale .br is skipped, the .gz taken');
  fs.rmSync(`${f}.gz`);
  r = await get(big, { 'Accept-Encoding': 'br, gzip' });
  assert.equal(r.headers['content-encoding'], undefined);
  assert.deepEqual(bytes(r), file(big.slice(1)));
});

test('small files and the application page are sent as they are, with Vary', async () => {
  for (const p of ['/index.html', '/workbench', '/favicon.svg']) {
    const r = await get(p, { 'Accept-Encoding': 'gzip, br' });
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.vary, 'Accept-Encoding', p);
    const name = p === '/workbench' ? 'index.html' : p.slice(1);
    if (!fs.existsSync(path.join(dir, `${name}.br`))) assert.equal(r.headers['content-encoding'], undefined, p);
  }
  // a variant asked for by name is just a file (no double coding)
  const r = await get(`${big}.br`, { 'Accept-Encoding': 'br' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.headers['content-type'], 'application/octet-stream');
});
