// Nightly runs. History: two runs of `npm run scenarios` into one reports dir leave two history
// lines, and the second report shows the first run in each test's history (and is itself fresh:
// Allure does not clear its output, so a report generated over an old one would stay hidden).
// The live view: the first run is followed from another process, `ota-hil console BOARD --follow`,
// which prints the board's console with the harness's notes as the run writes them to
// <reports>/live/<rig>/<board>.log (test/cli/console-follow.test.ts tests the follower on
// hand-written files). One run serves both: a scenario run costs ~4 s of CPU here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { liveLogPath } from '../../harness/report/live-log.ts';
import { until } from '../console/device-end.ts';
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

interface FirstRun {
  /** The report's results after it. */
  results: ReportResult[];
  /** What the follower printed to stdout and stderr, and how it exited on Ctrl-C. */
  out: string;
  err: string;
  code: number | null;
  /** The live log as the run left it. */
  log: string;
  /** Why waiting for the follower to print the whole log failed (this run's history is still judged). */
  incomplete?: Error;
}

let first: Promise<FirstRun> | undefined;
/** The first nightly run, with a follower started before it (as in another terminal). */
function firstRun(): Promise<FirstRun> {
  first ??= (async () => {
    const follower = spawn(process.execPath, ['bin/ota-hil.mjs', 'console', 'mcuboot-1', '--follow', '--reports', reports], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    follower.stdout.on('data', (b: Buffer) => (out += b.toString()));
    follower.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exit = new Promise<number | null>((r) => follower.on('exit', r));
    try {
      await nightly();
      const file = liveLogPath(reports, 'sim', 'mcuboot-1');
      // (the run blocked this process: what the follower printed meanwhile waits in its pipe)
      const incomplete = await until(() => existsSync(file) && out.length >= readFileSync(file, 'utf8').length, 10_000, 'the follower to print the whole log').then(
        () => undefined,
        (e: Error) => e,
      );
      const seen = out;
      follower.kill('SIGINT');
      const code = await exit;
      return { results: reportResults(), out: seen, err, code, log: existsSync(file) ? readFileSync(file, 'utf8') : '', incomplete };
    } finally {
      follower.kill();
    }
  })();
  return first;
}

void test('a nightly run followed from another terminal: console lines with power, OTA progress, cut and verdict notes', { timeout: 180_000 }, async () => {
  const { out, err, code, log, incomplete } = await firstRun();
  if (incomplete) throw incomplete;
  assert.equal(code, 0, err);
  assert.match(err, /waiting for /, 'started before the run wrote anything');
  assert.equal(out, log, 'the follower printed the whole log, as written');
  for (const re of [
    /──── sim\/mcuboot-1 › power loss during the download › cut at 50% keeps the baseline \(w\d+\) ────/,
    /## install baseline 1\.0\.0/,
    /## power on\n/,
    /(?:I: |<inf> mcuboot: )Starting bootloader/, // mcuboot-1 prints the Zephyr full format
    /## ota progress: candidate 1\.1\.0 at the cut: 50% \(\d+\/\d+ B\), transferring/,
    /## power off\n/,
    /## verdict: pass — expected mcuboot-1 to boot 1\.0\.0/,
    /──── end: passed ────/,
  ]) {
    assert.match(out, re);
  }
  // In the order it happened: the cut before the verdict, the verdict before the end.
  assert.ok(out.indexOf('at the cut') < out.indexOf('## verdict: pass') && out.indexOf('## verdict: pass') < out.indexOf('end: passed'));
});

void test('history accumulates across two nightly runs', { timeout: 240_000 }, async () => {
  const { results: firstResults } = await firstRun();
  assert.equal(firstResults.length, 1);
  assert.deepEqual(firstResults[0]!.history, [], 'a first run has no history');
  await nightly();
  const lines = readFileSync(history, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2, 'one history line per run');
  const second = reportResults();
  assert.equal(second.length, 1, 'the report holds this run only');
  assert.ok(second[0]!.start > firstResults[0]!.start, 'the report on top is the new one');
  assert.equal(second[0]!.history.length, 1);
  assert.equal(second[0]!.history[0]!.status, 'passed');
  assert.equal(second[0]!.history[0]!.start, firstResults[0]!.start, 'its history entry is the first run');
});
