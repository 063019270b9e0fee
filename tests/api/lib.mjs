// Shared helpers of the black-box API tests: start a real tousu server on a temporary
// database, talk to it over HTTP, look at its SQLite file with the sqlite3 CLI.
//
// Run: TOUSU_BIN=/abs/path/to/tousu node --test --test-concurrency=1 tests/api/
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

export const BIN = process.env.TOUSU_BIN;
if (!BIN) throw new Error('set TOUSU_BIN to the absolute path of the tousu binary');
if (!fs.existsSync(BIN)) throw new Error(`TOUSU_BIN=${BIN} does not exist`);

// Demo users (data/demo.json).
export const PW = {
  admin: 'demo-admin-2026',
  gm: 'demo-gm-2026',
  reviewer: 'demo-review-2026',
  auditor: 'demo-audit-2026',
  agent: 'demo-agent-2026',
  supervisor: 'demo-super-2026',
  manager: 'demo-manager-2026',
  handler: 'demo-handler-2026',
};
export function demoPassword(username) {
  if (username === 'admin' || username === 'gm' || username === 'reviewer' || username === 'auditor')
    return PW[username];
  if (username.startsWith('agent.')) return PW.agent;
  if (username.startsWith('sup.')) return PW.supervisor;
  if (username.startsWith('mgr.')) return PW.manager;
  if (username.startsWith('handler.')) return PW.handler;
  throw new Error(`no demo password for ${username}`);
}
export const DEMO_CASES = 16;

// Temporary directories are removed when the test process exits (TOUSU_KEEP_TMP=1 keeps
// them, to look at a database after a failure).
const tmpDirs = [];
const liveServers = new Set();
process.on('exit', () => {
  for (const p of liveServers) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  if (process.env.TOUSU_KEEP_TMP) return;
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

export function tmpDir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tousu-api-'));
  tmpDirs.push(d);
  return d;
}

// Runs a tousu CLI command synchronously; returns stdout.
export function cli(args, opts = {}) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/* Prepares a database in dir: the demo organisation (default) or an empty one with one
 * administrator. Returns the database path. */
export function prepareDb(dir, { demo = true, admin = 'root', password = 'root-password-1' } = {}) {
  const db = path.join(dir, 't.db');
  if (demo) {
    const out = cli(['demo', '--db', db, '--pwhash', 'min']);
    assert.match(out, /Loaded \d+ units, \d+ users and \d+ cases/);
  } else {
    cli(['init', '--admin', admin, '--password', password, '--company', 'Test Co', '--db', db, '--pwhash', 'min']);
  }
  return db;
}

/* A running `tousu serve`. */
export class Server {
  constructor(db, dir, extraArgs = []) {
    this.db = db;
    this.dir = dir;
    this.extraArgs = extraArgs;
    this.stderr = '';
    this.stdout = '';
    this.proc = null;
    this.exit = null; // {code, signal} once exited
  }

  async start() {
    const args = ['serve', '--db', this.db, '--port', '0', '--pwhash', 'min', ...this.extraArgs];
    const p = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    liveServers.add(p);
    p.on('exit', () => liveServers.delete(p));
    this.proc = p;
    this.exit = null;
    this.stopped = false;
    this.runStderr = ''; // this process's stderr (this.stderr keeps earlier runs too)
    this.exited = new Promise((resolve) => {
      p.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    p.stdout.on('data', (d) => (this.stdout += d));
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not listen:\n${this.stderr}`)), 15000);
      p.stderr.on('data', (d) => {
        this.stderr += d;
        this.runStderr += d;
        for (const line of this.runStderr.split('\n')) {
          if (!line.includes('"listening"')) continue;
          try {
            const j = JSON.parse(line);
            if (j.msg === 'listening') {
              clearTimeout(timer);
              resolve(j.port);
            }
          } catch {}
        }
      });
      p.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${code}, ${signal}) before listening:\n${this.stderr}`));
      });
    });
    assert.ok(Number.isInteger(port) && port > 0, 'listening line has a port');
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  // The interesting part of stderr after a crash: the sanitizer report, or the tail.
  crashReport() {
    const err = this.runStderr ?? this.stderr;
    const m = /ERROR: \w+Sanitizer/.exec(err);
    const i = m ? m.index : -1;
    const j = err.indexOf('runtime error:');
    const k = i >= 0 ? i : j;
    return k >= 0 ? err.slice(Math.max(0, k - 200), k + 3500) : err.slice(-3000);
  }

  // The JSON lines of stderr (non-JSON lines, e.g. sanitizer output, are skipped).
  logLines() {
    const out = [];
    for (const line of this.stderr.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line));
      } catch {}
    }
    return out;
  }

  async waitLog(pred, timeoutMs = 3000) {
    const t0 = Date.now();
    for (;;) {
      const hit = this.logLines().find(pred);
      if (hit) return hit;
      if (Date.now() - t0 > timeoutMs) return undefined;
      await sleep(20);
    }
  }

  /* Restarts the server on the same database if it has died (a crash fails the test that
   * caused it, not every later test of the file). Sessions live in the database, so tokens
   * stay valid. */
  async ensureUp() {
    if (this.proc && this.exit && !this.stopped) {
      this.crashes = (this.crashes ?? 0) + 1;
      await this.start();
    }
  }

  /* SIGTERM, wait for the exit, and check that it was clean (code 0). */
  async stop() {
    if (!this.proc || this.exit) return this.exit;
    this.stopped = true;
    this.proc.kill('SIGTERM');
    const ex = await withTimeout(this.exited, 20000, 'server did not exit after SIGTERM');
    assert.equal(ex.signal, null, `server died by signal ${ex.signal}\n${this.crashReport()}`);
    assert.equal(ex.code, 0, `server exit code ${ex.code}\n${this.crashReport()}`);
    return ex;
  }

  async kill9() {
    this.proc.kill('SIGKILL');
    return withTimeout(this.exited, 10000, 'server did not die on SIGKILL');
  }

  /* HTTP: returns {status, json, text, headers}. body is JSON-encoded; rawBody is sent as is
   * (string or Buffer); form is a FormData sent as multipart/form-data. */
  async api(method, p, { token, body, rawBody, form, headers = {} } = {}) {
    const h = { ...headers };
    let payload;
    if (form !== undefined) {
      payload = form; // FormData: fetch sets the multipart content type and boundary
    } else if (rawBody !== undefined) {
      payload = rawBody;
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
    if (token) h.authorization = `Bearer ${token}`;
    let res;
    try {
      res = await fetch(this.url + p, { method, headers: h, body: payload });
    } catch (e) {
      await sleep(100);
      const state = this.exit ? `server exited ${JSON.stringify(this.exit)}` : 'server still running';
      throw new Error(`${method} ${p}: ${e.message} (${e.cause?.code ?? e.cause?.message ?? ''}); ${state}\n${this.crashReport()}`);
    }
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  }

  async login(username, password = demoPassword(username)) {
    const r = await this.api('POST', '/api/v1/auth/login', { body: { username, password } });
    assert.equal(r.status, 200, `login ${username}: ${r.text}`);
    assert.equal(typeof r.json.token, 'string');
    return r.json.token;
  }

  sql(query) {
    return sql(this.db, query);
  }

  snapshot() {
    return snapshot(this.db);
  }
}

/* Makes a temp dir, a demo (or init) database, and starts a server on it. */
/* The last test of a file: SIGTERM, exit code 0, and no sanitizer report from this run. */
export async function assertCleanShutdown(server) {
  await server.stop();
  const m = /ERROR: \w+Sanitizer[^]*/.exec(server.runStderr);
  assert.ok(!m, `sanitizer report at shutdown:\n${m?.[0].slice(0, 3000)}`);
}

export async function startServer({ demo = true, args = [], init = {} } = {}) {
  const dir = tmpDir();
  const db = prepareDb(dir, { demo, ...init });
  const s = new Server(db, dir, args);
  await s.start();
  return s;
}

/* sqlite3 -json on the database, read-only; returns the rows. */
export function sql(db, query, { readonly = true } = {}) {
  const args = ['-json', '-cmd', '.timeout 5000'];
  if (readonly) args.unshift('-readonly');
  const out = execFileSync('sqlite3', [...args, db, query], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.trim() ? JSON.parse(out) : [];
}

/* Runs a write statement with the sqlite3 CLI (not read-only); returns {ok, stderr}. */
export function sqlWrite(db, query) {
  try {
    execFileSync('sqlite3', ['-cmd', '.timeout 5000', '-bail', db, query], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, stderr: '' };
  } catch (e) {
    return { ok: false, stderr: String(e.stderr) };
  }
}

/* Everything a bad request must not change: row counts and change stamps of the tables. */
export function snapshot(db) {
  const rows = sql(
    db,
    `SELECT
      (SELECT count(*) FROM cases) AS cases,
      (SELECT coalesce(sum(updated_at),0) || ':' || coalesce(max(id),0) FROM cases) AS cases_stamp,
      (SELECT count(*) FROM case_history) AS case_history,
      (SELECT count(*) FROM users) AS users,
      (SELECT coalesce(sum(updated_at),0) || ':' || group_concat(username || '/' || roles || '/' || disabled || '/' || coalesce(unit_id,'') || '/' || display_name || '/' || password_hash, ',') FROM users) AS users_stamp,
      (SELECT count(*) FROM org_units) AS org_units,
      (SELECT group_concat(id || '/' || name || '/' || coalesce(code,''), ',') FROM org_units) AS units_stamp,
      (SELECT count(*) FROM sessions) AS sessions,
      (SELECT count(*) FROM case_notes) AS notes,
      (SELECT count(*) FROM case_contacts) AS contacts,
      (SELECT count(*) || ':' || coalesce(sum(coalesce(kept,-1)),0) FROM case_promises) AS promises,
      (SELECT coalesce(sum(last),0) FROM case_counters) AS counters`,
  );
  const snap = rows[0];
  // long fingerprints as short hashes, so a failed comparison stays readable
  for (const k of ['users_stamp', 'units_stamp'])
    snap[k] = crypto.createHash('sha256').update(String(snap[k])).digest('hex').slice(0, 16);
  return snap;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function withTimeout(p, ms, what) {
  let t;
  return Promise.race([
    p,
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error(what)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

/* The current year-month in the organisation's zone (Asia/Shanghai): "YYYYMM". */
export function shanghaiYearMonth(d = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(d);
  const y = parts.find((p) => p.type === 'year').value;
  const m = parts.find((p) => p.type === 'month').value;
  return `${y}${m}`;
}

/* A minimal valid registration body. */
export function caseBody(extra = {}) {
  return {
    channel: 'phone',
    complainant: { name: '测试客户', phone: '13900000000' },
    description: 'The product broke after two days.',
    ...extra,
  };
}

/* Map of unit code -> unit object (GET /org/units). */
export async function unitsByCode(server, token) {
  const r = await server.api('GET', '/api/v1/org/units', { token });
  assert.equal(r.status, 200);
  const m = {};
  for (const u of r.json.items) if (u.code) m[u.code] = u;
  return m;
}

/* Every case the token may see (walks the pages). */
export async function listAll(server, token, query = '') {
  const items = [];
  for (let page = 1; ; page++) {
    const sep = query ? '&' : '';
    const r = await server.api('GET', `/api/v1/cases?${query}${sep}per_page=500&page=${page}`, { token });
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    if (items.length >= r.json.total || r.json.items.length === 0) return { items, total: r.json.total };
  }
}

/* Asserts an error reply of the API's shape with the given status (and code, if given). */
export function assertError(r, status, code) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.ok(r.json && r.json.error, `error body expected: ${r.text}`);
  assert.equal(typeof r.json.error.code, 'string');
  assert.match(r.json.error.code, /^[a-z][a-z0-9_]*$/);
  assert.equal(typeof r.json.error.message, 'string');
  if (code) assert.equal(r.json.error.code, code);
  return r.json.error;
}

/* Asserts a 422 whose details name each of the given fields. */
export function assert422(r, ...fields) {
  const e = assertError(r, 422);
  assert.equal(typeof e.details, 'object', `details expected: ${r.text}`);
  for (const f of fields) assert.ok(f in e.details, `details should name ${f}: ${r.text}`);
  return e;
}

/* A raw HTTP/1.1 request over a socket, for what fetch cannot do well (a body the server
 * refuses half-way, chunked uploads). Resolves {status, headers, text, raw}; status is 0 if
 * the server answered nothing (closed the connection without a response). */
export async function rawRequest(server, method, p, { token, contentLength, body, chunked = false, headers = {}, timeoutMs = 20000 } = {}) {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const sock = net.connect(server.port, '127.0.0.1');
    const parts = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const raw = Buffer.concat(parts).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
      const [head, ...rest] = raw.split('\r\n\r\n');
      const hdrs = {};
      for (const line of head.split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) hdrs[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: m ? Number(m[1]) : 0, headers: hdrs, text: rest.join('\r\n\r\n'), raw });
    };
    sock.setTimeout(timeoutMs, () => sock.destroy());
    sock.on('data', (d) => parts.push(d));
    sock.on('error', () => {});
    sock.on('close', finish);
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body ?? '');
    let head = `${method} ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n`;
    if (token) head += `Authorization: Bearer ${token}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    if (chunked) head += 'Transfer-Encoding: chunked\r\n';
    else head += `Content-Length: ${contentLength ?? buf.length}\r\n`;
    head += '\r\n';
    sock.write(head);
    // The body in pieces, stopping quietly if the server closes the connection.
    const piece = 64 * 1024;
    let off = 0;
    const pump = () => {
      while (off < buf.length && !sock.destroyed) {
        const chunk = buf.subarray(off, off + piece);
        off += chunk.length;
        const data = chunked ? Buffer.concat([Buffer.from(chunk.length.toString(16) + '\r\n'), chunk, Buffer.from('\r\n')]) : chunk;
        if (!sock.write(data)) {
          sock.once('drain', pump);
          return;
        }
      }
      if (chunked && !sock.destroyed) sock.write('0\r\n\r\n');
    };
    pump();
  });
}

/* Everything the store holds about one case, as text: its row in cases, its history and its
 * solutions, plus the table-wide counts of those three tables (so a refused action that wrote
 * to another case shows too). Equal before and after = the case is unchanged. */
export function caseRows(db, caseNo) {
  if (!/^[A-Za-z0-9]+$/.test(caseNo)) throw new Error(`not a case number: ${caseNo}`);
  const id = `(SELECT id FROM cases WHERE case_no = '${caseNo}')`;
  const q = `SELECT * FROM cases WHERE case_no = '${caseNo}';
    SELECT * FROM case_history WHERE case_id = ${id} ORDER BY id;
    SELECT * FROM case_solutions WHERE case_id = ${id} ORDER BY id;
    SELECT (SELECT count(*) FROM cases), (SELECT coalesce(sum(updated_at),0) FROM cases),
      (SELECT count(*) FROM case_history), (SELECT count(*) FROM case_solutions);`;
  const out = execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', '-cmd', '.mode quote', '-cmd', '.headers on', db, q], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!out.includes(`'${caseNo}'`)) throw new Error(`case ${caseNo} is not in the store`);
  return out;
}

/* A calendar date "YYYY-MM-DD" in the organisation's zone (Asia/Shanghai), offset by whole days
 * from today. */
export function shanghaiDate(offsetDays = 0, d = new Date()) {
  const t = new Date(d.getTime() + offsetDays * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
}
