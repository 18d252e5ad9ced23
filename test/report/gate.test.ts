// The release gate on hand-made allure-results: it fails for each thing the policy requires
// (a failed or missing scenario, a missing board, a brick, short sweep coverage, a flaky pass),
// passes a clean run, and refuses an invalid policy naming the file and JSON pointer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeResults, type FakeResult } from './allure-fixture.ts';
import { readResults } from '../../harness/report/allure-results.ts';
import { evaluateGate, formatGate } from '../../harness/report/gate.ts';
import { loadPolicy, resolvePolicy, validatePolicy, PolicyError, type GatePolicy } from '../../harness/report/gate-policy.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'ota-hil-gate-'));
let n = 0;

const POLICY: GatePolicy = {
  boards: ['sim/mcuboot-1'],
  scenarios: [{ title: '^power loss during the download › ', why: 'a cut mid-download keeps the running image' }, { title: '^a withheld commit reverts' }],
  sweeps: { minCoverage: 1 },
};

const clean: FakeResult[] = [
  { describe: 'power loss during the download', title: 'cut at 50% keeps the baseline', faults: ['cut at 50% of download'] },
  { title: 'a withheld commit reverts to the baseline' },
  { title: 'an optional extra', status: 'failed', message: 'not required' },
];

function judge(results: FakeResult[], policy: GatePolicy = POLICY, candidate?: string) {
  const dir = path.join(tmp, `results-${n++}`);
  writeResults(dir, results);
  const read = readResults([dir]);
  assert.deepEqual(read.warnings, []);
  return evaluateGate(resolvePolicy(policy), read.results, { candidate });
}

void test('a clean run passes; an unrequired failure is listed but does not fail the gate', () => {
  const v = judge(clean);
  assert.equal(v.pass, true, formatGate(v));
  assert.equal(v.candidates.length, 1);
  assert.match(v.candidates[0]!.summary, /^candidate 1\.1\.0: PASS/);
  const table = formatGate(v);
  assert.match(table, /\| 1\.1\.0 +\| sim\/mcuboot-1 \| power loss during the download › cut at 50% keeps the baseline \| passed \| yes/);
  assert.match(table, /an optional extra +\| FAILED \| +\|/);
});

void test('a required scenario that failed fails the gate, naming board, scenario and why', () => {
  const v = judge([{ ...clean[0]!, status: 'failed', message: 'Error: expected mcuboot-1 to boot 1.0.0 (event normal); it booted nothing (event brick)\n  0.9s  E: Unable to find bootable image' }, clean[1]!]);
  assert.equal(v.pass, false);
  assert.deepEqual(v.problems.map((p) => p.rule), ['scenario']);
  assert.equal(
    v.problems[0]!.message,
    '"power loss during the download › cut at 50% keeps the baseline" on sim/mcuboot-1 failed: Error: expected mcuboot-1 to boot 1.0.0 (event normal); it booted nothing (event brick) (required: a cut mid-download keeps the running image)',
  );
  assert.equal(v.candidates[0]!.summary, 'candidate 1.1.0: FAIL — 1 required scenario(s) failed or missing on sim/mcuboot-1');
});

void test('a required board without results, and a required scenario not run on a board, fail', () => {
  const v = judge([...clean.map((r) => ({ ...r, board: 'other-1' })), { ...clean[0]!, board: 'other-2' }]);
  assert.equal(v.pass, false);
  assert.deepEqual(v.problems.map((p) => p.message), [
    'required board sim/mcuboot-1 has no results',
    'required scenario /^a withheld commit reverts/ did not run on sim/other-2',
  ]);
});

void test('a brick in any boots.json fails the gate unless the policy only reports bricks', () => {
  const bricked = [clean[0]!, { ...clean[1]!, boots: [{ event: 'trial' }, { event: 'brick', slot: 'none', version: null, startLine: 42 }] }];
  const v = judge(bricked);
  assert.equal(v.pass, false);
  assert.deepEqual(v.problems.map((p) => [p.rule, p.message]), [['brick', 'BRICK on sim/mcuboot-1 in "a withheld commit reverts to the baseline" (1 boot(s) with event brick at console line 42)']]);
  assert.match(formatGate(v), /\| 1 BRICK \|/);
  assert.equal(judge(bricked, { ...POLICY, bricks: 'report' }).pass, true);
});

void test('sweeps must reach the minimum coverage and must report it', () => {
  const sweep = (s: Partial<FakeResult>): FakeResult => ({ title: 'sweep: a cut at every flash write of the swap', ...s });
  assert.equal(judge([...clean, sweep({ sweep: '412/412' })]).pass, true);
  const short = judge([...clean, sweep({ sweep: '400/412' })]);
  assert.deepEqual(short.problems.map((p) => p.message), ['sweep "sweep: a cut at every flash write of the swap" on sim/mcuboot-1 covered 400/412, below the required 100%']);
  assert.match(judge([...clean, sweep({})]).problems[0]!.message, /reports no coverage \(label sweep-coverage\)/);
  assert.match(judge([...clean, sweep({ sweep: 'all' })]).problems[0]!.message, /label sweep-coverage is "all", expected "covered\/total"/);
  // A labelled sweep counts as a sweep whatever its title; 97% passes a 0.95 policy.
  assert.equal(judge([...clean, { title: 'cut points', sweep: '400/412' }], { ...POLICY, sweeps: { minCoverage: 0.95 } }).pass, true);
});

void test('a retry that passed is flaky: it fails a required scenario unless the policy allows it', () => {
  const historyId = 'same-test';
  const retried: FakeResult[] = [{ ...clean[0]!, historyId, status: 'failed', message: 'first try', stop: 1 }, { ...clean[0]!, historyId, status: 'passed', stop: 2 }, clean[1]!];
  const v = judge(retried);
  assert.equal(v.pass, false);
  assert.match(v.problems[0]!.message, /passed only after 1 failed attempt\(s\)/);
  assert.equal(v.candidates[0]!.rows.length, 2, 'retries are one row');
  assert.equal(judge(retried, { ...POLICY, flaky: 'pass' }).pass, true);
});

void test('a skipped required scenario is not proven', () => {
  const v = judge([clean[0]!, { ...clean[1]!, status: 'skipped', message: 'mcuboot cannot roll back an unconfirmed image' }]);
  assert.match(v.problems[0]!.message, /was skipped: mcuboot cannot roll back/);
  assert.equal(judge([clean[0]!, { ...clean[1]!, status: 'skipped' }], { ...POLICY, skipped: 'pass' }).pass, true);
});

void test('each candidate is judged on its own; --candidate picks one; no results is a failure', () => {
  const both = [...clean, ...clean.map((r) => ({ ...r, candidate: '1.2.0-rc1', status: 'failed' as const }))];
  const v = judge(both);
  assert.deepEqual(v.candidates.map((c) => [c.candidate, c.pass]), [['1.1.0', true], ['1.2.0-rc1', false]]);
  assert.equal(v.pass, false);
  assert.equal(judge(both, POLICY, '1.1.0').pass, true);
  const none = judge([], POLICY);
  assert.equal(none.pass, false);
  assert.match(formatGate(none), /gate: FAIL — no results: nothing ran/);
});

void test('an invalid policy is refused with the file and a JSON pointer per problem', () => {
  const file = path.join(tmp, 'bad.policy.json');
  writeFileSync(file, JSON.stringify({ boards: 'sim/mcuboot-1', scenarios: [{ title: 'cut at (50%' }, { name: 'x' }], bricks: 'maybe', extra: 1 }));
  assert.throws(() => loadPolicy(file), (e: unknown) => {
    assert.ok(e instanceof PolicyError);
    const msg = e.message;
    assert.ok(msg.startsWith(`${file}: invalid gate policy\n`), msg);
    assert.match(msg, /\n {2}\/boards: Expected array/);
    assert.match(msg, /\n {2}\/scenarios\/1\/title: missing required field/);
    assert.match(msg, /\n {2}\/scenarios\/1\/name: unknown field/);
    assert.match(msg, /\n {2}\/bricks: expected one of: "fail" \| "report"/);
    assert.match(msg, /\n {2}\/extra: unknown field/);
    return true;
  });
  // Regexes are checked once the shape is right.
  assert.throws(() => validatePolicy({ boards: [], scenarios: [{ title: 'cut at (50%' }] }, 'p.json'), /p\.json: invalid gate policy\n {2}\/scenarios\/0\/title: not a valid regular expression/);
  writeFileSync(file, '{ "boards": [');
  assert.throws(() => loadPolicy(file), /bad\.policy\.json: invalid gate policy\n {2}\/: not valid JSON/);
});

void test('the repository policy is valid', () => {
  const p = resolvePolicy(loadPolicy('gate.policy.json'));
  assert.ok(p.scenarios.length >= 3);
});

void test('npm run gate: writes gate.json and gate.md, prints the table, exits 1 on failure and 2 on a bad policy', () => {
  const results = path.join(tmp, 'cli-results');
  const out = path.join(tmp, 'cli-out');
  writeResults(results, [{ ...clean[0]!, status: 'failed', message: 'boom' }, clean[1]!]);
  const policy = path.join(tmp, 'cli.policy.json');
  writeFileSync(policy, JSON.stringify(POLICY));
  const run = (...args: string[]) => spawnSync(process.execPath, ['bin/ota-hil.mjs', 'gate', ...args], { encoding: 'utf8' });
  const r = run('--results', results, '--policy', policy, '--out', out);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /candidate 1\.1\.0: FAIL/);
  assert.match(r.stdout, /\| candidate \| board/);
  const json = JSON.parse(readFileSync(path.join(out, 'gate.json'), 'utf8')) as { pass: boolean; candidates: { rows: unknown[] }[]; problems: { rule: string }[] };
  assert.equal(json.pass, false);
  assert.equal(json.candidates[0]!.rows.length, 2);
  assert.deepEqual(json.problems.map((p) => p.rule), ['scenario']);
  assert.match(readFileSync(path.join(out, 'gate.md'), 'utf8'), /FAILED/);

  writeResults(path.join(tmp, 'cli-ok'), clean);
  assert.equal(run('--results', path.join(tmp, 'cli-ok'), '--policy', policy, '--out', out).status, 0);

  writeFileSync(policy, JSON.stringify({ ...POLICY, sweeps: { minCoverage: 2 } }));
  const bad = run('--results', results, '--policy', policy, '--out', out);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /cli\.policy\.json: invalid gate policy\n {2}\/sweeps\/minCoverage: Expected number to be less or equal to 1/);
});
