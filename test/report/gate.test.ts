// The release gate on hand-made allure-results: it fails for each thing the policy requires
// (a failed or missing scenario, a missing board, a brick outside a documented risk, short sweep
// coverage, a flaky pass, a skip that is not "not applicable", a risk the policy fails), passes a
// clean run, tells "not applicable" from "skipped", judges documented risks by policy, invents no
// candidate or board, writes JUnit and the report's share, and refuses an invalid policy naming
// the file and JSON pointer. Each rule has a test that fails when the rule is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { otaHil } from '../helpers/ota-hil.ts';
import { writeResults, type FakeResult } from './allure-fixture.ts';
import { markFlakyRetries, readResults } from '../../harness/report/allure-results.ts';
import { evaluateGate, verdictOf } from '../../harness/report/gate.ts';
import { formatGate, gateJunit, reportVariables, writeGateIntoResults } from '../../harness/report/gate-format.ts';
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
  assert.match(table, /\| 1\.1\.0 +\| sim\/mcuboot-1 \| power loss during the download › cut at 50% keeps the baseline \| passed +\| yes/);
  assert.match(table, /an optional extra +\| FAILED +\| +\|/);
});

void test('a required scenario that failed fails the gate, naming board, scenario and why', () => {
  const v = judge([{ ...clean[0]!, status: 'failed', message: 'Error: expected mcuboot-1 to boot 1.0.0 (event normal); it booted nothing (event brick)\n  0.9s  E: Unable to find bootable image' }, clean[1]!]);
  assert.equal(v.pass, false);
  assert.deepEqual(v.problems.map((p) => p.rule), ['scenario']);
  assert.equal(
    v.problems[0]!.message,
    '"power loss during the download › cut at 50% keeps the baseline" on sim/mcuboot-1 failed: Error: expected mcuboot-1 to boot 1.0.0 (event normal); it booted nothing (event brick) (required: a cut mid-download keeps the running image)',
  );
  assert.equal(v.candidates[0]!.summary, 'candidate 1.1.0: FAIL — 1 required scenario(s) failed, skipped or missing on sim/mcuboot-1');
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
  assert.deepEqual(v.problems.map((p) => [p.rule, p.message]), [['brick', 'BRICK on sim/mcuboot-1 in "a withheld commit reverts to the baseline" (1 boot(s) with event brick at console line 42), not a risk its stack documents']]);
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
  // The report shows it flaky too: the last attempt's file is marked, once.
  const dir = path.join(tmp, `results-${n++}`);
  writeResults(dir, retried);
  assert.equal(markFlakyRetries(dir), 1);
  assert.equal(markFlakyRetries(dir), 0);
  const marked = readdirSync(dir).filter((f) => f.endsWith('-result.json')).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { status: string; stop: number; statusDetails: { flaky?: boolean } });
  assert.deepEqual(marked.filter((r) => r.statusDetails.flaky).map((r) => [r.status, r.stop]), [['passed', 2]]);
});

void test('a skipped required scenario is not proven', () => {
  const v = judge([clean[0]!, { ...clean[1]!, status: 'skipped', message: 'the rig has no "crashing" image' }]);
  assert.equal(v.pass, false);
  assert.match(v.problems[0]!.message, /was skipped: the rig has no "crashing" image \(not marked not applicable: unproven\)/);
  assert.equal(judge([clean[0]!, { ...clean[1]!, status: 'skipped' }], { ...POLICY, skipped: 'pass' }).pass, true);
});

void test('a required scenario that is not applicable to its board is never a failure, and is shown as such', () => {
  const na: FakeResult = { ...clean[1]!, board: 'esp-idf-2', status: 'skipped', message: 'not applicable: esp-idf built without rollback cannot roll back', notApplicable: 'esp-idf built without rollback cannot roll back an unconfirmed image' };
  const v = judge([...clean, { ...clean[0]!, board: 'esp-idf-2' }, na]);
  assert.equal(v.pass, true, formatGate(v));
  const row = v.candidates[0]!.rows.find((r) => r.board === 'sim/esp-idf-2' && r.scenario === na.title)!;
  assert.equal(row.verdict, 'not-applicable');
  assert.equal(row.message, 'esp-idf built without rollback cannot roll back an unconfirmed image');
  assert.equal(v.candidates[0]!.counts.notApplicable, 1);
  assert.match(formatGate(v), /a withheld commit reverts to the baseline +\| n\/a +\| yes/);
  assert.match(v.candidates[0]!.summary, /1 not applicable/);
  // The same skip without its not-applicable label is a plain skip: it fails.
  const { notApplicable: _, ...plain } = na;
  assert.equal(judge([...clean, { ...clean[0]!, board: 'esp-idf-2' }, plain]).pass, false);
});

void test('a sweep that cannot apply needs no coverage; a sweep skipped for any other reason fails under skipped: fail', () => {
  const sweep: FakeResult = { title: 'power-cut sweep › every cut point of an update with a withheld commit', status: 'skipped' };
  const na = judge([...clean, { ...sweep, notApplicable: 'esp8266-arduino cannot roll back an unconfirmed image' }]);
  assert.equal(na.pass, true, formatGate(na));
  const skipped = judge([...clean, sweep]);
  assert.deepEqual(skipped.problems.map((p) => p.rule), ['sweep']);
  assert.match(skipped.problems[0]!.message, /was skipped; its cut points are unproven/);
  assert.equal(judge([...clean, sweep], { ...POLICY, skipped: 'pass' }).pass, true);
});

const copyRisk = { label: 'brick-risk' as const, description: 'esp8266-arduino: a power cut while the bootloader installs the update can leave no runnable firmware' };
const safeMode = { label: 'documented-risk' as const, description: 'particle: an interruption while the bootloader installs the update leaves the board in safe-mode until the update is sent again' };
const risky: FakeResult[] = [
  ...clean,
  { ...clean[0]!, board: 'esp8266-1' },
  { ...clean[0]!, board: 'particle-1' },
  { describe: 'power loss during the swap', title: 'cut 15 ms into the swap', board: 'esp8266-1', risks: [copyRisk], boots: [{ event: 'brick', slot: 'none', version: null, startLine: 31 }] },
  { describe: 'power loss during the swap', title: 'cut 15 ms into the swap', board: 'particle-1', risks: [safeMode], boots: [{ event: 'brick', slot: 'safe-mode', version: null, startLine: 12 }] },
];
const riskPolicy: GatePolicy = { ...POLICY, scenarios: [POLICY.scenarios[0]!], risks: 'accept' };

void test('documented risks are their own verdict: listed, and accepted by policy (their bricks are the risk, not a brick failure)', () => {
  const v = judge(risky, riskPolicy);
  assert.equal(v.pass, true, formatGate(v));
  const c = v.candidates[0]!;
  assert.deepEqual(c.risks.map((k) => [k.board, k.scenario, k.label, k.verdict, k.pointer]), [
    ['sim/esp8266-1', 'power loss during the swap › cut 15 ms into the swap', 'brick-risk', 'accept', '/risks'],
    ['sim/particle-1', 'power loss during the swap › cut 15 ms into the swap', 'documented-risk', 'accept', '/risks'],
  ]);
  assert.equal(c.counts.risks, 2);
  assert.equal(c.counts.passed, 4, 'a risk is not counted as a pass');
  assert.match(c.summary, /^candidate 1\.1\.0: PASS — 7 result\(s\): 4 passed, 1 failed, 2 documented risk\(s\); every required scenario passed or cannot apply to its board; 2 documented risk\(s\) accepted by policy$/);
  const text = formatGate(v);
  assert.match(text, /cut 15 ms into the swap +\| RISK/);
  assert.match(text, /- accepted \(\/risks\) · brick-risk: esp8266-arduino: a power cut .*\n {6}sim\/esp8266-1: power loss during the swap › cut 15 ms into the swap/);
});

void test('a policy that fails risks fails the gate, naming each board, scenario and risk', () => {
  const v = judge(risky, { ...riskPolicy, risks: 'fail' });
  assert.equal(v.pass, false);
  assert.deepEqual(v.problems.map((p) => [p.rule, p.board, p.scenario]), [
    ['risk', 'sim/esp8266-1', 'power loss during the swap › cut 15 ms into the swap'],
    ['risk', 'sim/particle-1', 'power loss during the swap › cut 15 ms into the swap'],
  ]);
  assert.match(v.problems[0]!.message, /^documented risk on sim\/esp8266-1 in "power loss during the swap › cut 15 ms into the swap" fails by policy \(\/risks\): brick-risk: esp8266-arduino/);
  assert.equal(v.candidates[0]!.summary, 'candidate 1.1.0: FAIL — 2 documented risk(s) failing by policy on sim/esp8266-1, sim/particle-1');
  // No policy entry: a risk nobody accepted fails.
  const { risks: _, ...silent } = riskPolicy;
  assert.equal(judge(risky, silent).pass, false);
});

void test('risk rules decide per label, per board, per scenario and per risk; the first match wins, else the default', () => {
  const rules = (r: Exclude<GatePolicy['risks'], string | undefined>['rules']) => judge(risky, { ...riskPolicy, risks: { default: 'accept', rules: r } });
  const failing = (v: ReturnType<typeof judge>) => v.problems.map((p) => `${p.board} ${p.message.match(/\((\/risks[^)]*)\)/)![1]}`);
  assert.deepEqual(failing(rules([{ label: 'brick-risk', verdict: 'fail' }])), ['sim/esp8266-1 /risks/rules/0']);
  assert.deepEqual(failing(rules([{ board: 'particle-1', verdict: 'fail' }])), ['sim/particle-1 /risks/rules/0']);
  assert.deepEqual(failing(rules([{ board: 'sim/particle-1', verdict: 'fail' }])), ['sim/particle-1 /risks/rules/0']);
  assert.deepEqual(failing(rules([{ risk: 'safe-mode', verdict: 'fail' }])), ['sim/particle-1 /risks/rules/0']);
  assert.deepEqual(failing(rules([{ scenario: 'cut \\d+ ms into', verdict: 'fail' }])), ['sim/esp8266-1 /risks/rules/0', 'sim/particle-1 /risks/rules/0']);
  assert.deepEqual(failing(rules([{ board: 'esp8266-1', verdict: 'accept' }, { verdict: 'fail' }])), ['sim/particle-1 /risks/rules/1']);
  const v = judge(risky, { ...riskPolicy, risks: { default: 'fail', rules: [{ label: 'documented-risk', verdict: 'accept' }] } });
  assert.deepEqual(failing(v), ['sim/esp8266-1 /risks/default']);
});

void test('no phantom candidate or board: an unlabelled result joins its run, the project names its board, and one naming nothing is a problem', () => {
  const v = judge([...clean, { title: 'a confirmed update boots', status: 'failed', message: 'rig file unreadable', noCandidate: true, noBoard: true }]);
  assert.deepEqual(v.candidates.map((c) => c.candidate), ['1.1.0']);
  assert.ok(v.candidates[0]!.rows.some((r) => r.board === 'sim/mcuboot-1' && r.scenario === 'a confirmed update boots' && r.verdict === 'failed'));
  assert.doesNotMatch(formatGate(v), /no candidate label|no board label/);
  const nowhere = judge([...clean, { title: 'orphan', noBoard: true, noProject: true }]);
  assert.deepEqual(nowhere.problems.map((p) => p.rule), ['results']);
  assert.match(nowhere.problems[0]!.message, /^"orphan" \(.*-result\.json\) names no board/);
  // A run whose rig has no candidate image is judged as the run.
  const run = judge(clean.map((r) => ({ ...r, noCandidate: true as const })));
  assert.deepEqual(run.candidates.map((c) => c.candidate), ['']);
  assert.match(run.candidates[0]!.summary, /^this run \(no candidate image\): PASS/);
});

void test('a fleet rollout is judged as a result, not asked for the per-board scenarios', () => {
  const v = judge([...clean, { title: 'rollout to arch=esp8266', board: 'fleet', fleet: '{"boards":3}' }]);
  assert.equal(v.pass, true, formatGate(v));
  assert.ok(v.candidates[0]!.rows.some((r) => r.board === 'sim/fleet' && r.verdict === 'passed'));
  assert.equal(judge([...clean, { title: 'rollout to arch=esp8266', board: 'fleet' }]).pass, false, 'without its fleet label it is a board missing its scenarios');
});

void test('each result has one verdict, the one the report\'s categories give it', () => {
  const dir = path.join(tmp, `results-${n++}`);
  writeResults(dir, [
    { title: 'p' },
    { title: 'f', status: 'failed' },
    { title: 'b', status: 'broken' },
    { title: 'r', risks: [copyRisk] },
    { title: 'rf', status: 'failed', risks: [copyRisk] },
    { title: 'na', status: 'skipped', notApplicable: 'x' },
    { title: 's', status: 'skipped' },
    { title: 'fl', historyId: 'fl', status: 'failed', stop: 1 },
    { title: 'fl', historyId: 'fl', status: 'passed', stop: 2 },
  ]);
  const verdicts = Object.fromEntries(readResults([dir]).results.map((r) => [r.title, verdictOf(r)]));
  assert.deepEqual(verdicts, { p: 'passed', f: 'failed', b: 'broken', r: 'risk', rf: 'failed', na: 'not-applicable', s: 'skipped', fl: 'flaky' });
});

void test('JUnit XML: a case per result and a verdict case; problems fail, not-applicable skips, risks are written out', () => {
  const v = judge(risky, { ...riskPolicy, risks: { default: 'accept', rules: [{ board: 'particle-1', verdict: 'fail' }] } });
  const xml = gateJunit(v);
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="ota-hil release gate" tests="8" failures="2">/);
  assert.equal((xml.match(/<testcase /g) ?? []).length, 8);
  assert.match(xml, /<testcase classname="gate\.sim\/particle-1" name="power loss during the swap › cut 15 ms into the swap"><failure message="documented risk on sim\/particle-1 [^"]*" type="risk">/);
  assert.match(xml, /<testcase classname="gate\.sim\/esp8266-1" name="power loss during the swap › cut 15 ms into the swap"><system-out>documented risk \(accepted by \/risks\/default\): brick-risk: esp8266-arduino/);
  assert.match(xml, /<testcase classname="gate" name="verdict"><failure message="candidate 1\.1\.0: FAIL — 1 documented risk\(s\) failing by policy on sim\/particle-1">/);
  assert.match(xml, /name="an optional extra"><skipped message="failed, not required: not required"\/>/);
  const na = gateJunit(judge([...clean, { ...clean[1]!, board: 'b2', status: 'skipped', notApplicable: 'no rollback & no "trial"' }, { ...clean[0]!, board: 'b2' }]));
  assert.match(na, /<skipped message="not applicable: no rollback &amp; no &quot;trial&quot;"\/>/);
  assert.match(na, /failures="0"/);
});

void test('the verdict goes into the results for the report: a global attachment, a global error per problem, the overview variables', () => {
  const dir = path.join(tmp, `results-${n++}`);
  writeResults(dir, risky);
  const v = evaluateGate(resolvePolicy({ ...riskPolicy, risks: { default: 'accept', rules: [{ board: 'particle-1', verdict: 'fail' }] } }), readResults([dir]).results);
  assert.equal(writeGateIntoResults(dir, v, formatGate(v)), true);
  assert.equal(writeGateIntoResults(dir, v, formatGate(v)), false, 'the same verdict again changes nothing');
  const globals = readdirSync(dir).filter((f) => f.endsWith('-globals.json'));
  assert.equal(globals.length, 1, 'an earlier verdict is replaced, not added to');
  const g = JSON.parse(readFileSync(path.join(dir, globals[0]!), 'utf8')) as { attachments: { name: string; source: string }[]; errors: { message: string }[] };
  assert.match(g.attachments[0]!.name, /^release gate: FAIL/);
  assert.match(readFileSync(path.join(dir, g.attachments[0]!.source), 'utf8'), /candidate 1\.1\.0: FAIL/);
  assert.deepEqual(g.errors.map((e) => e.message), [v.problems[0]!.message].map((m) => `release gate: ${m}`));
  const vars = (JSON.parse(readFileSync(path.join(dir, 'ota-hil-gate.json'), 'utf8')) as { variables: Record<string, string> }).variables;
  assert.deepEqual(vars, reportVariables(v));
  assert.deepEqual(vars, {
    'release gate': 'FAIL — 1 documented risk(s) failing by policy on sim/particle-1',
    passed: '4',
    'documented risks': '2 (1 accepted, 1 failing by policy)',
    failed: '1',
    'not applicable': '0',
  });
  assert.equal(readResults([dir]).results.length, risky.length, 'the gate\'s files are no results');
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

void test('npm run gate: writes gate.json and gate.md, prints the table, exits 1 on failure and 2 on a bad policy', async () => {
  const results = path.join(tmp, 'cli-results');
  const out = path.join(tmp, 'cli-out');
  writeResults(results, [{ ...clean[0]!, status: 'failed', message: 'boom' }, clean[1]!]);
  const policy = path.join(tmp, 'cli.policy.json');
  writeFileSync(policy, JSON.stringify(POLICY));
  // main() in this process (test/helpers/ota-hil.ts): output and exit code as `ota-hil gate` gives them.
  const run = async (...args: string[]) => {
    const r = await otaHil(['gate', ...args]);
    return { status: r.status, stdout: r.out, stderr: r.err };
  };
  const r = await run('--results', results, '--policy', policy, '--out', out);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /candidate 1\.1\.0: FAIL/);
  assert.match(r.stdout, /\| candidate \| board/);
  assert.match(readFileSync(path.join(out, 'gate.junit.xml'), 'utf8'), /<failure message="&quot;power loss during the download › cut at 50% keeps the baseline&quot; on sim\/mcuboot-1 failed: boom/);
  const json = JSON.parse(readFileSync(path.join(out, 'gate.json'), 'utf8')) as { pass: boolean; candidates: { rows: unknown[] }[]; problems: { rule: string }[] };
  assert.equal(json.pass, false);
  assert.equal(json.candidates[0]!.rows.length, 2);
  assert.deepEqual(json.problems.map((p) => p.rule), ['scenario']);
  assert.match(readFileSync(path.join(out, 'gate.md'), 'utf8'), /FAILED/);

  writeResults(path.join(tmp, 'cli-ok'), clean);
  assert.equal((await run('--results', path.join(tmp, 'cli-ok'), '--policy', policy, '--out', out)).status, 0);

  writeFileSync(policy, JSON.stringify({ ...POLICY, sweeps: { minCoverage: 2 } }));
  const bad = await run('--results', results, '--policy', policy, '--out', out);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /cli\.policy\.json: invalid gate policy\n {2}\/sweeps\/minCoverage: Expected number to be less or equal to 1/);
});
