// The web application's strings: zh-CN.json and en.json have the same keys, no empty
// value, English has no Chinese left in it (every string translated), and every key the
// code names literally exists. Needs no server and no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const WEB = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../../web');
const load = (name) => JSON.parse(fs.readFileSync(path.join(WEB, 'src/i18n', name), 'utf8'));
const PARTS = fs.existsSync(path.join(WEB, 'src/i18n/parts')) ? fs.readdirSync(path.join(WEB, 'src/i18n/parts')).filter((f) => f.endsWith('.json')) : [];

/* A language's messages: the core file and every parts/<screen>.<lang>.json merged by
 * top-level key, as web/src/i18n/index.js merges them; a part may not redefine a key. */
function language(lang) {
  const out = load(`${lang}.json`);
  for (const f of PARTS.filter((f) => f.endsWith(`.${lang}.json`)).sort()) {
    for (const [k, v] of Object.entries(load(`parts/${f}`))) {
      if (k in out) throw new Error(`parts/${f} redefines the top-level key "${k}"`);
      out[k] = v;
    }
  }
  return out;
}
const zh = language('zh-CN');
const en = language('en');

test('each part of the messages exists in both languages', () => {
  const screens = (lang) => PARTS.filter((f) => f.endsWith(`.${lang}.json`)).map((f) => f.slice(0, -`.${lang}.json`.length)).sort();
  assert.deepEqual(screens('en'), screens('zh-CN'));
  assert.equal(PARTS.length, screens('en').length * 2, `a file in src/i18n/parts is neither .zh-CN.json nor .en.json: ${PARTS.join(', ')}`);
});

/* {"a": {"b": "x"}} → Map "a.b" → "x" */
function flatten(obj, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v, key, out);
    else out.set(key, v);
  }
  return out;
}
const ZH = flatten(zh);
const EN = flatten(en);

// Strings that are the same in both languages on purpose: language names, file formats,
// VIP grades, codes.
const SAME = new Set(['lang.zh', 'lang.en', 'field.complainant_vip', 'field.complainant_vvip', 'field.subject_sku']);

test('zh-CN.json and en.json have the same keys', () => {
  const onlyZh = [...ZH.keys()].filter((k) => !EN.has(k));
  const onlyEn = [...EN.keys()].filter((k) => !ZH.has(k));
  assert.deepEqual(onlyZh, [], `keys missing from en.json: ${onlyZh.join(', ')}`);
  assert.deepEqual(onlyEn, [], `keys missing from zh-CN.json: ${onlyEn.join(', ')}`);
  assert.ok(ZH.size > 100, `only ${ZH.size} keys?`);
});

test('every string is translated: no empty value, no Chinese in English, Chinese differs', () => {
  const han = /\p{Script=Han}/u;
  for (const [k, v] of ZH) {
    assert.equal(typeof v, 'string', `zh-CN ${k}`);
    assert.ok(v.trim(), `zh-CN ${k} is empty`);
  }
  for (const [k, v] of EN) {
    assert.equal(typeof v, 'string', `en ${k}`);
    assert.ok(v.trim(), `en ${k} is empty`);
    if (k !== 'lang.zh') assert.ok(!han.test(v), `en ${k} is not translated: ${v}`);
  }
  const same = [...ZH].filter(([k, v]) => v === EN.get(k) && !SAME.has(k)).map(([k]) => k);
  assert.deepEqual(same, [], `the same text in both languages: ${same.join(', ')}`);
});

test('placeholders match between the languages, and no message uses vue-i18n syntax by accident', () => {
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [k, v] of ZH) {
    assert.deepEqual(names(EN.get(k)), names(v), `placeholders of ${k}`);
    // "@" starts a linked message, "|" separates plurals, "$" is reserved
    for (const s of [v, EN.get(k)]) assert.ok(!/[@|$]/.test(s), `${k} holds @, | or $: ${s}`);
  }
});

test('every key the source names literally exists in both files', () => {
  const roots = new Set(Object.keys(zh));
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(vue|js)$/.test(e.name)) files.push(p);
    }
  };
  walk(path.join(WEB, 'src'));
  const missing = [];
  let seen = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/['"`]([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9_]+)+)['"`]/g)) {
      const key = m[1];
      if (!roots.has(key.split('.')[0])) continue; // file names, packages, CSS
      seen++;
      if (!ZH.has(key) || !EN.has(key)) missing.push(`${path.relative(WEB, f)}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(seen > 100, `only ${seen} keys found in the source?`);
});

test('no Chinese text is written into the components themselves', () => {
  const han = /\p{Script=Han}/u;
  const bad = [];
  const check = (rel) => {
    const p = path.join(WEB, rel);
    if (fs.statSync(p).isDirectory()) {
      for (const name of fs.readdirSync(p)) check(path.join(rel, name));
      return;
    }
    if (!/\.(vue|js)$/.test(rel)) return;
    fs.readFileSync(p, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$|<!--.*?-->/g, '');
        if (han.test(code) && !/^\s*(\*|\/\*)/.test(line)) bad.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
  };
  for (const dir of ['src/views', 'src/components']) check(dir);
  assert.deepEqual(bad, []);
});
