// `ota-hil gate` after a run whose report exists: when its verdict differs from the one the results
// held (another policy, say), it generates the report again, so the report's overview and the
// terminal say the same; when the verdict is unchanged it leaves the report alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGate } from '../../harness/cli/gate.ts';
import { generateAllureReport } from '../../harness/report/allure-generate.ts';
import { writeResults } from './allure-fixture.ts';

/** What the report's overview shows: its variables (the verdict line and counts) and global attachments. */
function overview(reports: string): { variables: Record<string, string>; globals: string } {
  const widgets = path.join(reports, 'allure-report', 'widgets');
  return { variables: JSON.parse(readFileSync(path.join(widgets, 'variables.json'), 'utf8')) as Record<string, string>, globals: readFileSync(path.join(widgets, 'globals.json'), 'utf8') };
}

function gate(reports: string, policy: string): { code: number; out: string } {
  let out = '';
  const w = { write: (s: string) => ((out += s), true) };
  const code = runGate({ results: [path.join(reports, 'allure-results')], policy, out: reports }, { stdout: w, stderr: w });
  return { code, out };
}

void test('a changed verdict generates the report again; an unchanged one does not', (t) => {
  const single = process.env.OTA_HIL_REPORT_SINGLE_FILE;
  process.env.OTA_HIL_REPORT_SINGLE_FILE = '0'; // its widgets are files to read, no browser needed
  t.after(() => (single === undefined ? delete process.env.OTA_HIL_REPORT_SINGLE_FILE : (process.env.OTA_HIL_REPORT_SINGLE_FILE = single)));
  const reports = mkdtempSync(path.join(tmpdir(), 'ota-hil-gate-report-'));
  const risk = { label: 'documented-risk' as const, description: 'particle: a cut mid-swap may leave safe mode' };
  writeResults(path.join(reports, 'allure-results'), [
    { describe: 'power loss during the download', title: 'cut at 50% keeps the baseline' },
    { describe: 'power loss during the download', title: 'cut at 50% keeps the baseline', board: 'particle-1' },
    { describe: 'power loss during the swap', title: 'cut 15 ms into the swap', board: 'particle-1', risks: [risk], boots: [{ event: 'brick', slot: 'safe-mode', version: null }] },
  ]);
  const policy = (risks: 'accept' | 'fail') => {
    const file = path.join(reports, `policy-${risks}.json`);
    writeFileSync(file, JSON.stringify({ boards: ['sim/mcuboot-1'], scenarios: [{ title: '^power loss during the download › ' }], risks }));
    return file;
  };

  // The run: its verdict goes into the results, then the report is generated from them.
  const passing = gate(reports, policy('accept'));
  assert.equal(passing.code, 0, passing.out);
  assert.ok(generateAllureReport(reports).ok);
  const before = overview(reports);
  assert.match(before.variables['release gate']!, /^PASS — 3 result\(s\)/);
  assert.match(before.globals, /release gate: PASS/);

  const failing = gate(reports, policy('fail'));
  assert.equal(failing.code, 1, failing.out);
  assert.match(failing.out, /the Allure report now shows this verdict/);
  const after = overview(reports);
  assert.equal(after.variables['release gate'], 'FAIL — 1 documented risk(s) failing by policy on sim/particle-1');
  assert.equal(after.variables['documented risks'], '1 (0 accepted, 1 failing by policy)');
  assert.match(after.globals, /release gate: FAIL/);
  assert.doesNotMatch(after.globals, /release gate: PASS/);

  const index = path.join(reports, 'allure-report', 'index.html');
  const generated = statSync(index).mtimeMs;
  const again = gate(reports, policy('fail'));
  assert.equal(again.code, 1);
  assert.doesNotMatch(again.out, /the Allure report now shows/);
  assert.equal(statSync(index).mtimeMs, generated, 'the same verdict leaves the report as it was');
});
