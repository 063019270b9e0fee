// The tousu binary's subcommands, run as a newcomer or an operator would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = process.env.TOUSU_BIN;
assert.ok(BIN, 'TOUSU_BIN must name the tousu binary');

function tousu(args, env = {}) {
  const r = spawnSync(BIN, [...args, '--pwhash', 'min'], {
    encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function sql(db, q) {
  const r = spawnSync('sqlite3', ['-json', db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tousu-cli-'));
const db = path.join(dir, 'cli.db');

test('version and help', () => {
  const v = tousu(['version']);
  assert.equal(v.code, 0);
  assert.match(v.out, /^tousu \d+\.\d+\.\d+/);
  const h = tousu(['--help']);
  assert.equal(h.code, 0);
  for (const word of ['serve', 'init', 'user add', 'demo', 'migrate', '--db', '--port', 'TOUSU_'])
    assert.ok(h.out.includes(word), `--help mentions ${word}`);
});

test('bad command lines are refused with exit code 2', () => {
  assert.equal(tousu(['bogus']).code, 2);
  assert.equal(tousu(['serve', '--port', '99999']).code, 2);
  assert.equal(tousu(['serve', '--case-prefix', 'ts']).code, 2);
  assert.equal(tousu(['serve', '--nonsense', '1']).code, 2);
  assert.equal(tousu(['serve', '--timezone', 'Mars/Base']).code, 2);
  assert.equal(tousu(['serve', '--production', 'true', '--test-clock']).code, 2);
});

test('init creates the first administrator once', () => {
  const r = tousu(['init', '--db', db, '--admin', 'root', '--password', 'root-pass-1', '--company', '测试集团']);
  assert.equal(r.code, 0, r.err);
  // besides the administrator only the portal's system user (migration 12), which cannot log in
  assert.deepEqual(sql(db, "select username, roles from users where username != 'portal'"), [{ username: 'root', roles: 128 }]);
  assert.deepEqual(sql(db, "select disabled, password_hash from users where username = 'portal'"), [{ disabled: 1, password_hash: '!locked' }]);
  assert.equal(sql(db, "select name from org_units where kind='company'")[0].name, '测试集团');
  const hash = sql(db, "select password_hash from users where username = 'root'")[0].password_hash;
  assert.match(hash, /^\$argon2id\$/);
  assert.ok(!hash.includes('root-pass-1'));
  const again = tousu(['init', '--db', db, '--admin', 'other', '--password', 'other-pass-1']);
  assert.equal(again.code, 1);
  assert.equal(sql(db, "select count(*) n from users where username != 'portal'")[0].n, 1);
});

test('user add, list, disable, enable, reset-password', () => {
  let r = tousu(['user', 'add', '--db', db, '--username', 'wang', '--password', 'wang-pass-1',
    '--name', '王经理', '--roles', 'supervisor,agent', '--unit', '1']);
  assert.equal(r.code, 0, r.err);
  r = tousu(['user', 'add', '--db', db, '--username', 'wang', '--password', 'wang-pass-1',
    '--roles', 'agent', '--unit', '1']);
  assert.equal(r.code, 1, 'duplicate username');
  r = tousu(['user', 'add', '--db', db, '--username', 'Bad Name', '--password', 'short',
    '--roles', 'king', '--unit', '1']);
  assert.equal(r.code, 2);
  assert.match(r.err, /username/);
  assert.match(r.err, /password/);
  assert.match(r.err, /roles/);
  r = tousu(['user', 'add', '--db', db, '--username', 'li', '--password', 'li-pass-11',
    '--roles', 'agent', '--unit', '999']);
  assert.equal(r.code, 2, 'unknown unit');
  r = tousu(['user', 'list', '--db', db]);
  assert.equal(r.code, 0);
  assert.match(r.out, /wang\s+王经理/);
  assert.match(r.out, /agent supervisor/);
  assert.equal(tousu(['user', 'disable', 'wang', '--db', db]).code, 0);
  assert.equal(sql(db, "select disabled from users where username='wang'")[0].disabled, 1);
  assert.equal(tousu(['user', 'enable', 'wang', '--db', db]).code, 0);
  assert.equal(sql(db, "select disabled from users where username='wang'")[0].disabled, 0);
  const before = sql(db, "select password_hash from users where username='wang'")[0].password_hash;
  assert.equal(tousu(['user', 'reset-password', 'wang', '--password', 'new-pass-22', '--db', db]).code, 0);
  const after = sql(db, "select password_hash from users where username='wang'")[0].password_hash;
  assert.notEqual(before, after);
  assert.equal(tousu(['user', 'reset-password', 'wang', '--password', 'short', '--db', db]).code, 2);
  assert.equal(tousu(['user', 'disable', 'nobody', '--db', db]).code, 2);
});

test('the last administrator cannot be disabled', () => {
  const r = tousu(['user', 'disable', 'root', '--db', db]);
  assert.equal(r.code, 1);
  assert.equal(sql(db, "select disabled from users where username='root'")[0].disabled, 0);
});

test('migrate reports the schema version and is idempotent', () => {
  const a = tousu(['migrate', '--db', db]);
  assert.equal(a.code, 0);
  const m = a.out.match(/schema version (\d+) \(this build knows (\d+)\)/);
  assert.ok(m);
  assert.equal(m[1], m[2]);
  const n = sql(db, 'select count(*) n from schema_migrations')[0].n;
  assert.equal(tousu(['migrate', '--db', db]).code, 0);
  assert.equal(sql(db, 'select count(*) n from schema_migrations')[0].n, n);
});

test('demo loads the seeds once, and settings come from file and environment', () => {
  const ddb = path.join(dir, 'demo.db');
  const conf = path.join(dir, 'tousu.conf');
  fs.writeFileSync(conf, `# demo settings\ndb = ${ddb}\ncase_prefix = KF\n`);
  const r = tousu(['demo', '--config', conf]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /admin\s+demo-admin-2026/);
  const cases = sql(ddb, 'select case_no from cases order by id');
  assert.ok(cases.length >= 16, 'the seeds are loaded');
  cases.forEach((c, i) => assert.match(c.case_no, new RegExp(`^KF\\d{6}${String(i + 1).padStart(5, '0')}$`)));
  assert.equal(sql(ddb, "select count(*) n from case_history where action='register'")[0].n, cases.length);
  const again = tousu(['demo'], { TOUSU_CONFIG: conf });
  assert.equal(again.code, 0);
  assert.match(again.out, /already loaded/);
  assert.equal(sql(ddb, 'select count(*) n from cases')[0].n, cases.length);
  // the environment overrides the file, flags override both
  const env = tousu(['migrate', '--config', conf], { TOUSU_DB: path.join(dir, 'env.db') });
  assert.equal(env.code, 0);
  assert.ok(fs.existsSync(path.join(dir, 'env.db')));
  const bad = tousu(['migrate'], { TOUSU_CONFIG: conf, TOUSU_PORT: 'eighty' });
  assert.equal(bad.code, 2);
});

test('a config file with a bad line is refused', () => {
  const conf = path.join(dir, 'bad.conf');
  fs.writeFileSync(conf, 'port 8080\n');
  const r = tousu(['migrate', '--config', conf]);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.conf:1/);
});

test('config: lists, grading rules, approval limits and settings are read and changed from the CLI', () => {
  const cdb = path.join(dir, 'config.db');
  assert.equal(tousu(['migrate', '--db', cdb]).code, 0);
  let r = tousu(['config', 'put', 'categories', 'brake_noise', '--db', cdb, '--json',
    '{"name_zh":"制动异响","name_en":"Brake noise","parent":"repair_quality"}']);
  assert.equal(r.code, 0, r.err);
  assert.equal(sql(cdb, "select parent_code from categories where code='brake_noise'")[0].parent_code, 'repair_quality');
  r = tousu(['config', 'put', 'categories', 'repair_quality', '--db', cdb, '--json',
    '{"name_zh":"维修质量","name_en":"Repair quality","parent":"brake_noise"}']);
  assert.equal(r.code, 2, 'a cycle is refused');
  r = tousu(['config', 'put', 'approval-limits', 'supervisor', '--db', cdb, '--json', '{"max_cents":800000,"max_grade":"g2"}']);
  assert.equal(r.code, 0, r.err);
  assert.equal(sql(cdb, "select max_cents from approval_limits where role='supervisor'")[0].max_cents, 800000);
  assert.equal(tousu(['config', 'put', 'approval-limits', 'auditor', '--db', cdb, '--json', '{"max_cents":1,"max_grade":"g1"}']).code, 2);
  r = tousu(['config', 'put', 'settings', 'hr_review_threshold_cents', '--db', cdb, '--json', '{"value":100000000}']);
  assert.equal(r.code, 0, r.err);
  assert.equal(sql(cdb, "select value from settings where key='hr_review_threshold_cents'")[0].value, '100000000');
  assert.equal(tousu(['config', 'put', 'settings', 'nonsense', '--db', cdb, '--json', '{"value":1}']).code, 2);
  r = tousu(['config', 'put', 'grading-rules', 'vip_g2', '--db', cdb, '--json',
    '{"grade":"g2","kind":"vvip","params":{},"text_zh":"贵宾","text_en":"VIP"}']);
  assert.equal(r.code, 0, r.err);
  const rules = JSON.parse(tousu(['config', 'list', 'grading-rules', '--db', cdb]).out);
  assert.ok(rules.some((x) => x.id === 'vip_g2' && x.grade === 'g2'));
  assert.equal(tousu(['config', 'put', 'grading-rules', 'bad', '--db', cdb, '--json', '{"grade":"g9","kind":"vvip"}']).code, 2);
  r = tousu(['config', 'put', 'escalation', 'g2', '--db', cdb, '--json', '{"targets":["region","unit:QA","role:dept_manager"]}']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(sql(cdb, "select target from escalation_tiers where grade='g2' order by target").map((x) => x.target),
    ['region', 'role:dept_manager', 'unit:QA']);
  assert.equal(tousu(['config', 'put', 'escalation', 'g2', '--db', cdb, '--json', '{"targets":["mars"]}']).code, 2);
  assert.equal(sql(cdb, "select count(*) n from escalation_tiers where grade='g2'")[0].n, 3, 'a refusal changes nothing');
});

test('calendar: import a year all or nothing, set the hours, show it', () => {
  const cdb = path.join(dir, 'calendar.db');
  assert.equal(tousu(['migrate', '--db', cdb]).code, 0);
  const year = path.join(dir, '2027.csv');
  fs.writeFileSync(year, '# 2027 (a test list)\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n\n2027-02-07\t休\t春节\n');
  let r = tousu(['calendar', 'import', year, '--db', cdb]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /imported 3 days/);
  assert.deepEqual(sql(cdb, "select day, working, name from calendar_days where day like '2027%' order by day"), [
    { day: '2027-01-01', working: 0, name: '元旦' },
    { day: '2027-02-06', working: 1, name: '春节调休' },
    { day: '2027-02-07', working: 0, name: '春节' },
  ]);
  // one bad line: nothing of the file is stored, and the line is named
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, '2027-10-01,holiday,国庆节\n2027-02-30,holiday,不存在的日子\n');
  r = tousu(['calendar', 'import', bad, '--db', cdb]);
  assert.equal(r.code, 2);
  assert.match(r.err, /line 2/);
  assert.equal(sql(cdb, "select count(*) n from calendar_days where day = '2027-10-01'")[0].n, 0, 'all or nothing');
  r = tousu(['calendar', 'hours', '08:30-12:00,13:30-17:30', '--weekdays', '1,2,3,4,5,6', '--db', cdb]);
  assert.equal(r.code, 0, r.err);
  assert.equal(tousu(['calendar', 'hours', '18:00-09:00', '--db', cdb]).code, 2);
  const shown = JSON.parse(tousu(['calendar', 'show', '2027', '--db', cdb]).out);
  assert.equal(shown.hours, '08:30-12:00,13:30-17:30');
  assert.deepEqual(shown.weekdays, [1, 2, 3, 4, 5, 6]);
  assert.equal(shown.days.length, 3);
  assert.equal(shown.zone, 'Asia/Shanghai');
});

test('tick runs the background jobs once, and a second tick finds nothing more to do', () => {
  const tdb = path.join(dir, 'tick.db');
  assert.equal(tousu(['demo', '--db', tdb]).code, 0);
  // the demo's cases were received weeks before they were loaded: their clocks ran out
  let r = tousu(['tick', '--db', tdb]);
  assert.equal(r.code, 0, r.err);
  const moved = Number(/clocks moved on (\d+) cases/.exec(r.out)?.[1]);
  assert.ok(moved > 0, r.out);
  const breached = sql(tdb, "select count(*) n from case_clocks where state = 'breached'")[0].n;
  const notes = sql(tdb, 'select count(*) n from notifications')[0].n;
  assert.ok(breached > 0 && notes > 0);
  assert.equal(sql(tdb, "select count(*) n from case_clocks where next_at <= strftime('%s','now')")[0].n, 0,
    'nothing left due');
  r = tousu(['tick', '--db', tdb]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /clocks moved on 0 cases/);
  assert.equal(sql(tdb, 'select count(*) n from notifications')[0].n, notes, 'nothing written twice');
});
