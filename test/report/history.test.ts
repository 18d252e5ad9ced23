// Nightly history: two runs of `npm run scenarios` into one reports dir leave two history lines,
// and the second report shows the first run in each test's history (and is itself fresh: Allure
// does not clear its output, so a report generated over an old one would stay hidden).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { otaHil } from '../helpers/ota-hil.ts';

const reports = mkdtempSync(path.join(tmpdir(), 'ota-hil-history-'));
const history = path.join(mkdtempSync(path.join(tmpdir(), 'ota-hil-ci-cache-')), 'history.jsonl');

/** `npm run scenarios` (ota-hil scenarios, in this process; Playwright in its own, its output on ours). */
async function nightly(): Promise<void> {
  // The multi-file report: its data files hold each result's history. The history file where CI would keep it.
  const r = await otaHil(['scenarios', '-g', 'cut at 50%', 'scenarios/power-loss-download.spec.ts'], { OTA_HIL_REPORTS: reports, OTA_HIL_HISTORY: history, OTA_HIL_REPORT_SINGLE_FILE: '0', OTA_HIL_BOARDS: 'name=mcuboot-1', CI: '' });
  assert.equal(r.status, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, new RegExp(`Allure report: npx allure open ${reports}/allure-report`));
}

interface ReportResult {
  name: string;
  start: number;
  history: { status: string; start: number }[];
}

function reportResults(): ReportResult[] {
  const dir = path.join(reports, 'allure-report', 'data', 'test-results');
  return readdirSync(dir).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ReportResult);
}

void test('history accumulates across two nightly runs', { timeout: 240_000 }, async () => {
  await nightly();
  const first = reportResults();
  assert.equal(first.length, 1);
  assert.deepEqual(first[0]!.history, [], 'a first run has no history');
  await nightly();
  const lines = readFileSync(history, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2, 'one history line per run');
  const second = reportResults();
  assert.equal(second.length, 1, 'the report holds this run only');
  assert.ok(second[0]!.start > first[0]!.start, 'the report on top is the new one');
  assert.equal(second[0]!.history.length, 1);
  assert.equal(second[0]!.history[0]!.status, 'passed');
  assert.equal(second[0]!.history[0]!.start, first[0]!.start, 'its history entry is the first run');
});
