// Hostile and broken input: malformed JSON, wrong shapes and types, invalid UTF-8, bodies
// over --max-body, unknown fields, SQL injection in every list filter, unknown or broken
// query parameters. Every refusal is a 4xx (never a 500), and changes nothing in the store.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assert422, unitsByCode, caseBody, rawRequest, listAll, assertCleanShutdown } from './lib.mjs';

let s, admin, units, caseNo, adminTotal;
const MAX_BODY = 1048576;

before(async () => {
  s = await startServer();
  admin = await s.login('admin');
  units = await unitsByCode(s, admin);
  const r = await s.api('POST', '/api/v1/cases', { token: admin, body: caseBody({ outlet: units['SH-4S-PD'].id }) });
  assert.equal(r.status, 201);
  caseNo = r.json.case.case_no;
  adminTotal = (await listAll(s, admin)).total;
});
beforeEach(async () => {
  await s?.ensureUp();
});
after(async () => {
  await s?.stop();
});

/* The JSON-body endpoints under test, with a token, a valid body, and wrong-type bodies
 * with the field each must name. */
function endpoints() {
  return [
    {
      name: 'POST /cases', method: 'POST', path: '/api/v1/cases', token: admin,
      valid: caseBody({ outlet: units['SH-4S-PD'].id }),
      wrongTypes: [
        [{ ...caseBody({ outlet: units['SH-4S-PD'].id }), description: 42 }, 'description'],
        [{ ...caseBody({ outlet: units['SH-4S-PD'].id }), channel: ['phone'] }, 'channel'],
        [{ ...caseBody(), outlet: String(units['SH-4S-PD'].id) }, 'outlet'],
        [{ ...caseBody({ outlet: units['SH-4S-PD'].id }), flags: { fire: 'yes' } }, 'flags.fire'],
        [{ ...caseBody({ outlet: units['SH-4S-PD'].id }), complainant: { name: { first: 'a' } } }, 'complainant.name'],
        [{ ...caseBody({ outlet: units['SH-4S-PD'].id }), claimed_cents: true }, 'claimed_cents'],
      ],
      unknown: [{ ...caseBody({ outlet: units['SH-4S-PD'].id }), priority: 'high' }, 'priority'],
    },
    {
      name: 'PATCH /cases/{no}', method: 'PATCH', path: `/api/v1/cases/${caseNo}`, token: admin,
      valid: { title: 'ok' },
      wrongTypes: [
        [{ title: 7 }, 'title'],
        [{ dept: 'AFTERSALES' }, 'dept'],
        [{ complainant: { vip: 'true' } }, 'complainant.vip'],
        [{ loss: { refund_cents: '100' } }, 'loss.refund_cents'],
        [{ demands: { refund: true } }, 'demands'],
        [{ received_at: 1700000000 }, 'received_at'],
      ],
      unknown: [{ title: 'x', assignee: 'gm' }, 'assignee'],
    },
    {
      name: 'POST /users', method: 'POST', path: '/api/v1/users', token: admin,
      valid: { username: 'bad.input.user', password: 'password-123', display_name: 'x', roles: ['agent'], unit: units['SH-4S-PD'].id },
      wrongTypes: [
        [{ username: 5, password: 'password-123', display_name: 'x', roles: ['agent'], unit: units['SH-4S-PD'].id }, 'username'],
        [{ username: 'u.x', password: 'password-123', display_name: 'x', roles: 'agent', unit: units['SH-4S-PD'].id }, 'roles'],
        [{ username: 'u.x', password: 'password-123', display_name: 'x', roles: ['agent'], unit: '20' }, 'unit'],
        [{ username: 'u.x', password: ['password-123'], display_name: 'x', roles: ['agent'], unit: units['SH-4S-PD'].id }, 'password'],
        [{ username: 'u.x', password: 'password-123', display_name: 1, roles: ['agent'], unit: units['SH-4S-PD'].id }, 'display_name'],
      ],
      unknown: [{ username: 'u.x', password: 'password-123', display_name: 'x', roles: ['agent'], unit: units['SH-4S-PD'].id, admin: true }, 'admin'],
    },
    {
      name: 'POST /org/units', method: 'POST', path: '/api/v1/org/units', token: admin,
      valid: { name: 'ok unit', kind: 'region', parent: units.HQ.id },
      wrongTypes: [
        [{ name: 1, kind: 'region', parent: units.HQ.id }, 'name'],
        [{ name: 'x', kind: ['region'], parent: units.HQ.id }, 'kind'],
        [{ name: 'x', kind: 'region', parent: String(units.HQ.id) }, 'parent'],
        [{ name: 'x', kind: 'region', parent: units.HQ.id, code: 5 }, 'code'],
      ],
      unknown: [{ name: 'x', kind: 'region', parent: units.HQ.id, manager: 'gm' }, 'manager'],
    },
    {
      name: 'POST /auth/login', method: 'POST', path: '/api/v1/auth/login', token: undefined,
      valid: { username: 'nobody.here', password: 'whatever-pw' },
      wrongTypes: [
        [{ username: ['admin'], password: 'demo-admin-2026' }, 'username'],
        [{ username: 'admin', password: 12345678 }, 'password'],
        [{ username: null, password: 'x' }, 'username'],
      ],
      unknown: [{ username: 'admin', password: 'demo-admin-2026', otp: '123456' }, 'otp'],
    },
    {
      name: 'POST /cases/{no}/notes', method: 'POST', path: `/api/v1/cases/${caseNo}/notes`, token: admin,
      valid: { text: 'a note' },
      wrongTypes: [
        [{ text: 1 }, 'text'],
        [{ text: ['a'] }, 'text'],
        [{ text: { a: 1 } }, 'text'],
      ],
      unknown: [{ text: 'x', visibility: 'public' }, 'visibility'],
    },
  ];
}

async function unchanged(label, f) {
  const before = s.snapshot();
  await f();
  assert.deepEqual(s.snapshot(), before, `${label}: the store changed`);
}

const send = (ep, rawBody, extra = {}) => s.api(ep.method, ep.path, { token: ep.token, rawBody, ...extra });

test('malformed JSON → 400, nothing written', async () => {
  const bodies = ['{', '{"a":', '{"description": "x",}', "{'a': 1}", '{"a" 1}', 'nul', '{"a":1}}', '{"a":1} trailing', '\u00ef\u00bb\u00bf{}',
    '{"a":"\\ud800"}', '{"a":"\\x41"}', '{"a":1e999999}', '{"a":123456789012345678901234567890}', '{"a":"b\\u0000c"}'];
  for (const ep of endpoints()) {
    await unchanged(ep.name, async () => {
      for (const b of bodies) {
        const r = await send(ep, b);
        assertError(r, 400);
      }
    });
  }
});

test('JSON that is not an object → 400', async () => {
  for (const ep of endpoints()) {
    await unchanged(ep.name, async () => {
      for (const b of ['[]', '[{"text":"x"}]', '"text"', '42', 'null', 'true', '[1,2,3]']) {
        assertError(await send(ep, b), 400);
      }
    });
  }
});

test('empty body → 400', async () => {
  for (const ep of endpoints()) {
    await unchanged(ep.name, async () => {
      assertError(await send(ep, ''), 400);
      assertError(await s.api(ep.method, ep.path, { token: ep.token }), 400);
      assertError(await send(ep, '   \n\t '), 400);
    });
  }
});

test('invalid UTF-8 in the body → 400 (raw bytes 0xff 0xfe, overlongs, surrogates, truncation)', async () => {
  const prefix = Buffer.from('{"text":"', 'latin1');
  const suffix = Buffer.from('"}', 'latin1');
  const bads = [[0xff, 0xfe], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe4, 0xb8], [0x80]];
  for (const ep of endpoints()) {
    await unchanged(ep.name, async () => {
      for (const bytes of bads) {
        const body = Buffer.concat([prefix, Buffer.from(bytes), suffix]);
        assertError(await send(ep, body), 400);
      }
      // invalid bytes in a key, and as the whole body
      assertError(await send(ep, Buffer.concat([Buffer.from('{"'), Buffer.from([0xff]), Buffer.from('":1}')])), 400);
      assertError(await send(ep, Buffer.from([0xff, 0xfe, 0x7b, 0x7d])), 400);
    });
  }
});

test('wrong types → 422 with details naming the field', async () => {
  for (const ep of endpoints()) {
    await unchanged(ep.name, async () => {
      for (const [body, field] of ep.wrongTypes) {
        assert422(await s.api(ep.method, ep.path, { token: ep.token, body }), field);
      }
    });
  }
});

test('unknown fields → 422 naming them', async () => {
  for (const ep of endpoints()) {
    await unchanged(ep.name, async () => {
      const [body, field] = ep.unknown;
      assert422(await s.api(ep.method, ep.path, { token: ep.token, body }), field);
    });
  }
});

test('deeply nested JSON and duplicate keys are refused without harm', async () => {
  for (const ep of endpoints()) {
    await unchanged(ep.name, async () => {
      const deep = '{"a":' + '['.repeat(100000) + ']'.repeat(100000) + '}';
      assertError(await send(ep, deep), 400);
      const deepObj = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
      const r = await send(ep, deepObj);
      assert.ok(r.status === 400 || r.status === 422, `${ep.name} deep objects: ${r.status}`);
      const dup = await send(ep, '{"text":"a","text":"b"}');
      assert.ok(dup.status === 400 || dup.status === 422, `${ep.name} duplicate keys: ${dup.status}`);
    });
  }
  assert.equal((await s.api('GET', '/healthz')).status, 200);
});

test('a body over --max-body (1 MiB) with Content-Length → 413 with the error shape, before the body is sent', async () => {
  // A careful client (Expect: 100-continue) sends the headers and waits: the server must
  // refuse from the declared length alone, without a 100 Continue and without the body.
  for (const ep of endpoints()) {
    await unchanged(ep.name, async () => {
      for (const len of [MAX_BODY + 1, 50 * MAX_BODY]) {
        const r = await rawRequest(s, ep.method, ep.path, {
          token: ep.token, contentLength: len, body: '', headers: { Expect: '100-continue' }, timeoutMs: 5000,
        });
        assert.equal(r.status, 413, `${ep.name} (${len} bytes): got ${r.status || 'no answer within 5 s'}: ${r.raw.slice(0, 120)}`);
        assert.ok(!/^HTTP\/1\.1 100/.test(r.raw), 'no 100 Continue first');
        const j = JSON.parse(r.text);
        assert.equal(typeof j.error.code, 'string');
        assert.equal(typeof j.error.message, 'string');
      }
    });
  }
  assert.equal((await s.api('GET', '/healthz')).status, 200, 'the server lives on');
});

test('an eager client (fetch) that sends an oversized body right away still gets the 413 (150 tries)', async () => {
  // fetch writes the body without waiting. A server that answers 413 and closes at once,
  // with the body still arriving, resets the connection and the client may see EPIPE /
  // ECONNRESET instead of the answer (RFC 9112 §9.6: close in stages, lingering close).
  const eps = endpoints();
  const outcomes = {};
  await unchanged('eager', async () => {
    for (let i = 0; i < 150; i++) {
      const ep = eps[i % eps.length];
      const json = Buffer.from(JSON.stringify(ep.valid));
      const pad = MAX_BODY + 1 + (i % 5) * 65536 - json.length;
      const body = Buffer.concat([json.subarray(0, -1), Buffer.alloc(pad, 0x20), Buffer.from('}')]);
      let k;
      try {
        const r = await send(ep, body);
        k = String(r.status);
        if (r.status === 413) assert.equal(typeof r.json.error.code, 'string');
      } catch (e) {
        k = /\((\w+)\)/.exec(e.message)?.[1] ?? 'network error';
      }
      outcomes[k] = (outcomes[k] ?? 0) + 1;
    }
  });
  assert.deepEqual(outcomes, { 413: 150 }, `answers to oversized eager uploads: ${JSON.stringify(outcomes)}`);
});

test('a body over --max-body sent chunked (no Content-Length) → 413', async () => {
  const body = Buffer.alloc(MAX_BODY + 4096, 0x20);
  await unchanged('chunked', async () => {
    const r = await rawRequest(s, 'POST', '/api/v1/cases', { token: admin, body, chunked: true });
    assert.equal(r.status, 413, `expected 413, got ${r.status || 'no response (connection closed)'}`);
  });
});

test('a body just under --max-body is read (not 413)', async () => {
  const json = JSON.stringify({ text: 'padded note' });
  const body = Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.alloc(MAX_BODY - json.length, 0x20), Buffer.from('}')]);
  assert.equal(body.length, MAX_BODY);
  const r = await s.api('POST', `/api/v1/cases/${caseNo}/notes`, { token: admin, rawBody: body });
  assert.equal(r.status, 201, r.text);
});

test('request headers over 32 KiB → 431, and the server lives on', async () => {
  await unchanged('big header', async () => {
    const r = await rawRequest(s, 'GET', '/api/v1/cases', { token: admin, headers: { 'X-Padding': 'a'.repeat(40 * 1024) } });
    assert.equal(r.status, 431, `got ${r.status || 'no response'}`);
  });
  assert.equal((await s.api('GET', '/healthz')).status, 200);
});

/* ---- query strings ------------------------------------------------------------------------------------------ */

const INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE cases; --",
  '"; DROP TABLE cases; --',
  "%' UNION SELECT password_hash FROM users --",
  "1 UNION SELECT * FROM users",
  "1) OR (1=1",
  "received' OR 'a'='a",
  "admin'--",
  "1; DELETE FROM case_history",
  '%',
  '_',
  "\\' OR 1=1 --",
  '1 OR 1=1',
  '*',
];
const LIST_PARAMS = ['status', 'grade', 'category', 'channel', 'outlet', 'dept', 'owner', 'handler', 'overdue', 'from', 'to', 'q', 'page', 'per_page', 'sort'];

test('SQL injection strings in every list filter → 422 or a normal result, never 500; store unchanged', async () => {
  const tables0 = s.sql("SELECT name FROM sqlite_master WHERE type IN ('table','trigger') ORDER BY name");
  await unchanged('injection', async () => {
    for (const p of LIST_PARAMS) {
      for (const inj of INJECTIONS) {
        const r = await s.api('GET', `/api/v1/cases?${p}=${encodeURIComponent(inj)}`, { token: admin });
        // 422 (invalid value, also for one too long for its parameter) or a normal result
        assert.ok([200, 422].includes(r.status), `${p}=${inj}: ${r.status} ${r.text.slice(0, 200)}`);
        if (r.status === 422) {
          assert.ok(p in r.json.error.details, `${p}=${inj}: details name ${p}`);
        } else {
          assert.ok(Array.isArray(r.json.items));
          assert.ok(r.json.total <= adminTotal, `${p}=${inj}: no extra rows`);
          for (const c of r.json.items) assert.match(c.case_no, /^TS\d{11,}$/, 'only case rows');
          if (p === 'q' && !['%', '_', '*'].includes(inj)) assert.equal(r.json.total, 0, `q=${inj} matches nothing`);
          assert.ok(!r.text.includes('$argon2'), 'no password hashes leak');
        }
      }
    }
    // every filter at once, each with an injection
    const qs = LIST_PARAMS.map((p) => `${p}=${encodeURIComponent(INJECTIONS[0])}`).join('&');
    const r = await s.api('GET', `/api/v1/cases?${qs}`, { token: admin });
    assert.ok([200, 400, 422].includes(r.status), `all filters: ${r.status}`);
    // injection through path parameters
    for (const inj of INJECTIONS) {
      const e = encodeURIComponent(inj);
      for (const p of [`/api/v1/cases/${e}`, `/api/v1/cases/${e}/history`, `/api/v1/users/${e}`, `/api/v1/org/units/${e}`]) {
        const x = await s.api('GET', p, { token: admin });
        assert.ok(x.status === 404 || x.status === 400, `${p}: ${x.status}`);
      }
      const x = await s.api('PATCH', `/api/v1/cases/${caseNo}/promises/${e}`, { token: admin, body: { kept: true } });
      assert.ok(x.status === 404 || x.status === 400, `promise id ${inj}: ${x.status}`);
    }
    // and through JSON string values, stored as plain text
    const login = await s.api('POST', '/api/v1/auth/login', { body: { username: "admin' --", password: "' OR '1'='1" } });
    assert.ok(login.status === 401 || login.status === 422, `login injection: ${login.status}`);
  });
  assert.deepEqual(s.sql("SELECT name FROM sqlite_master WHERE type IN ('table','trigger') ORDER BY name"), tables0);
  // an injection string is stored verbatim as data when it is valid text
  const r = await s.api('POST', '/api/v1/cases', { token: admin, body: caseBody({ outlet: units['SH-4S-PD'].id, description: "'; DROP TABLE cases; --" }) });
  assert.equal(r.status, 201);
  const back = await s.api('GET', `/api/v1/cases?q=${encodeURIComponent("'; DROP TABLE cases; --")}`, { token: admin });
  assert.equal(back.json.total, 1);
  assert.equal(back.json.items[0].description, "'; DROP TABLE cases; --");
  adminTotal += 1;
});

test('an unknown query parameter → 400 naming it', async () => {
  await unchanged('unknown param', async () => {
    for (const q of ['foo=1', 'status=received&foo=1', 'order_by=id', 'limit=10', 'PAGE=1', 'q=a&q2=b', 'per_page=5&offset=10']) {
      const r = await s.api('GET', `/api/v1/cases?${q}`, { token: admin });
      assertError(r, 400);
    }
    const r = await s.api('GET', '/api/v1/cases?colour=red', { token: admin });
    assert.equal(r.json.error.details.parameter, 'colour');
  });
});

test('invalid UTF-8 in a query value (%FF) or key, or in the path → 400', async () => {
  await unchanged('utf8 query', async () => {
    for (const p of LIST_PARAMS) {
      for (const bad of ['%FF', 'abc%FE%FF', '%C0%AF', '%ED%A0%80', '%E4%B8']) {
        const r = await s.api('GET', `/api/v1/cases?${p}=${bad}`, { token: admin });
        assertError(r, 400);
      }
    }
    assertError(await s.api('GET', '/api/v1/cases?%FF=1', { token: admin }), 400);
    assertError(await s.api('GET', '/api/v1/cases/%FF%FE', { token: admin }), 400);
    assertError(await s.api('GET', '/api/v1/users/%FF', { token: admin }), 400);
    // valid multi-byte UTF-8 is fine
    const ok = await s.api('GET', `/api/v1/cases?q=${encodeURIComponent('刹车')}`, { token: admin });
    assert.equal(ok.status, 200);
  });
});

test('over-long and odd query values → 400/422, never 500', async () => {
  await unchanged('long query', async () => {
    const cases = [
      `q=${'a'.repeat(101)}`, `q=${'a'.repeat(5000)}`, `status=${'received,'.repeat(200)}received`, `owner=${'a'.repeat(65)}`,
      'page=99999999999999999999', 'per_page=1e2', 'outlet=-1', 'outlet=0', 'dept=1.0', 'overdue=TRUE', 'from=2026-02-30',
      'to=2026-11-22T25:00:00+08:00', 'q=a%00b', 'q=%0A', 'status=', 'q=', 'status=received,,closed', 'category=A',
    ];
    for (const q of cases) {
      const r = await s.api('GET', `/api/v1/cases?${q}`, { token: admin });
      assert.ok([200, 400, 422].includes(r.status), `${q}: ${r.status} ${r.text.slice(0, 120)}`);
    }
    for (const q of ['per_page=501', 'per_page=1000000', 'page=-1', 'overdue=1']) {
      assert.equal((await s.api('GET', `/api/v1/cases?${q}`, { token: admin })).status, 422, q);
    }
  });
});

test('SIGTERM after all of the above: exit code 0, no sanitizer report (leaks, memory errors)', async () => {
  await assertCleanShutdown(s);
});
