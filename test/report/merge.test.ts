// Many rig hosts, one verdict: two simulated rigs run as separate `npx playwright test` processes
// (each with its own OTA_HIL_RIG and OTA_HIL_REPORTS, as on two lab hosts); rig B's bootloader
// has a seeded bug. `npm run merge` must give one Allure report and one Playwright report holding
// both hosts, and one gate verdict that fails naming rig B's board and scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeResults } from './allure-fixture.ts';
import { mergeAllureResults } from '../../harness/report/merge-results.ts';
import { playwrightTestAsync, simRig, type Run } from '../helpers/playwright-run.ts';
import { otaHil } from '../helpers/ota-hil.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'ota-hil-merge-'));

/** One lab host: its own Playwright process, rig and reports dir (with its blob). Only one scenario
 * of each kind the policy below requires (the point is the merge, not the library: the whole of
 * it took minutes here); one worker each, as the two hosts run side by side. */
function host(name: string, mutant?: string): Promise<Run> {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  const rig = simRig(dir, { board: 'mcuboot-1', rig: `rig-${name.slice(-1)}`, name: `mcuboot-${name.slice(-1)}`, mutant });
  return playwrightTestAsync(['--workers=1', '-g', 'cut 40 ms into the swap|cut at 50% keeps the baseline', 'scenarios/power-loss-'], { dir, rigs: [rig], json: false, env: { OTA_HIL_BLOB: '1' } });
}

/** `ota-hil ARGS`, main() in this process (test/helpers/ota-hil.ts): output and exit code as a user gets them. */
async function ota(...args: string[]) {
  // The multi-file report: its data files name each result's labels.
  const r = await otaHil(args, { OTA_HIL_REPORT_SINGLE_FILE: '0' });
  return { status: r.status, stdout: r.out, stderr: r.err };
}

void test('two rig hosts merge into one Allure report, one Playwright report and one gate verdict', { timeout: 300_000 }, async () => {
  const [a, b] = await Promise.all([host('host-a'), host('host-b', 'swap-not-resumed')]);
  assert.equal(a.status, 0, a.out);
  assert.notEqual(b.status, 0, `rig B's seeded bug went unnoticed:\n${b.out}`);
  // (a filtered run's blob is report-<hash>.zip)
  for (const h of ['host-a', 'host-b']) assert.ok(readdirSync(path.join(tmp, h, 'reports', 'blob-report')).some((f) => f.endsWith('.zip')), `${h} wrote a blob report`);

  const policy = path.join(tmp, 'policy.json');
  writeFileSync(policy, JSON.stringify({ boards: ['rig-a/mcuboot-a', 'rig-b/mcuboot-b'], scenarios: [{ title: '^power loss during the swap › ' }, { title: '^power loss during the download › ' }] }));
  const out = path.join(tmp, 'merged');
  const t0 = performance.now();
  const m = await ota('merge', path.join(tmp, 'host-a', 'reports'), path.join(tmp, 'host-b', 'reports'), '--out', out, '--policy', policy);
  const mergeMs = performance.now() - t0;
  process.stdout.write(`# merge of 2 hosts took ${(mergeMs / 1000).toFixed(1)} s\n${m.stdout.split('\n').filter((l) => l.startsWith('merge:')).map((l) => `# ${l}`).join('\n')}\n`);
  assert.equal(m.status, 1, `the gate must fail on rig B:\n${m.stdout}\n${m.stderr}`);

  // One Allure report with both hosts' results.
  const results = readdirSync(path.join(out, 'allure-results')).filter((f) => f.endsWith('-result.json'));
  const hostResults = ['host-a', 'host-b'].map((h) => readdirSync(path.join(tmp, h, 'reports', 'allure-results')).filter((f) => f.endsWith('-result.json')).length);
  assert.equal(results.length, hostResults[0]! + hostResults[1]!);
  const reportResults = readdirSync(path.join(out, 'allure-report', 'data', 'test-results')).map(
    (f) => JSON.parse(readFileSync(path.join(out, 'allure-report', 'data', 'test-results', f), 'utf8')) as { labels: { name: string; value: string }[] },
  );
  assert.equal(reportResults.length, results.length);
  const boards = new Set(reportResults.map((r) => r.labels.find((l) => l.name === 'board')?.value));
  assert.deepEqual([...boards].sort(), ['mcuboot-a', 'mcuboot-b']);
  assert.equal(readFileSync(path.join(out, 'history.jsonl'), 'utf8').trim().split('\n').length, 1, 'generated once');

  // One Playwright report from both blobs.
  assert.ok(existsSync(path.join(out, 'playwright-report', 'index.html')));

  // One verdict: rig A passes its part, rig B's swap scenarios fail, by name.
  const gate = JSON.parse(readFileSync(path.join(out, 'gate.json'), 'utf8')) as { pass: boolean; candidates: { boards: string[] }[]; problems: { board: string; scenario: string; rule: string }[] };
  assert.equal(gate.pass, false);
  assert.deepEqual(gate.candidates[0]!.boards, ['rig-a/mcuboot-a', 'rig-b/mcuboot-b']);
  assert.ok(gate.problems.length > 0);
  assert.ok(gate.problems.every((p) => p.board === 'rig-b/mcuboot-b'), JSON.stringify(gate.problems));
  assert.ok(gate.problems.some((p) => p.rule === 'scenario' && /^power loss during the swap › /.test(p.scenario)));
  assert.match(m.stdout, /candidate 1\.1\.0: FAIL — \d required scenario\(s\) failed, skipped or missing on rig-b\/mcuboot-b/);

  // The same merged results judged only on what rig B got right pass (--results picks the dir);
  // a brick rig B's bug may leave is then reported, not fatal. (--no-report: the verdict only, not
  // the merged report generated again with it, which nothing here looks at: 2 s.)
  writeFileSync(policy, JSON.stringify({ boards: ['rig-a/mcuboot-a', 'rig-b/mcuboot-b'], scenarios: [{ title: '^power loss during the download › ' }], bricks: 'report' }));
  const g = await ota('gate', '--results', path.join(out, 'allure-results'), '--policy', policy, '--out', path.join(tmp, 'gate-download'), '--no-report');
  assert.equal(g.status, 0, g.stdout);
});

void test('merge refuses to overwrite an input and unites environment.properties', async () => {
  const a = path.join(tmp, 'unit-a', 'allure-results');
  const b = path.join(tmp, 'unit-b', 'allure-results');
  writeResults(a, [{ title: 'x', board: 'a-1' }]);
  writeResults(b, [{ title: 'x', board: 'b-1' }]);
  writeFileSync(path.join(a, 'environment.properties'), 'host=a\nnode=20\n');
  writeFileSync(path.join(b, 'environment.properties'), 'host=b\nnode=20\n');
  const into = path.join(tmp, 'unit-out', 'allure-results');
  const r = mergeAllureResults([a, b], into);
  assert.equal(r.results, 2);
  assert.deepEqual(r.warnings, []);
  assert.equal(readFileSync(path.join(into, 'environment.properties'), 'utf8'), 'host=a\nnode=20\nhost=b\n');

  const same = await ota('merge', path.join(tmp, 'unit-a'), '--out', path.join(tmp, 'unit-a'));
  assert.equal(same.status, 2);
  assert.match(same.stderr, /is also the output/);
  const none = await ota('merge', path.join(tmp, 'nowhere'));
  assert.equal(none.status, 2);
  assert.match(none.stderr, /nowhere: no allure results/);
});
