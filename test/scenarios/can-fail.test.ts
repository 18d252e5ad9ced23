// The scenarios must be able to fail: run them as a user would (Playwright CLI) against a
// simulated bootloader with a seeded bug, and check the failure says what was expected and what
// booted. Also: a malformed rig file stops the run with the file and field, not a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-can-fail-'));

function rigWith(edit: (rig: { boards: Record<string, unknown>[] } & Record<string, unknown>) => void): string {
  const rig = JSON.parse(readFileSync('rigs/sim.json', 'utf8'));
  rig.boards = [rig.boards.find((b: { stack: string }) => b.stack === 'mcuboot')];
  edit(rig);
  const file = path.join(dir, `rig-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(rig));
  return file;
}

function playwright(rig: string, ...args: string[]) {
  const json = path.join(dir, `results-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync('npx', ['playwright', 'test', '--reporter=line,json', ...args], {
    encoding: 'utf8',
    env: { ...process.env, OTA_HIL_RIG: rig, OTA_HIL_REPORTS: path.join(dir, 'reports'), PLAYWRIGHT_JSON_OUTPUT_FILE: json, CI: '' },
    timeout: 180_000,
  });
  let results: { project: string; title: string; status: string }[] = [];
  try {
    results = collect(JSON.parse(readFileSync(json, 'utf8')) as Suite);
  } catch {
    // no report: a run that never started (the malformed rig); its output says why
  }
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, results };
}

interface Suite {
  title: string;
  suites?: Suite[];
  specs?: { title: string; tests: { projectName: string; status: string }[] }[];
}

/** Every test of Playwright's JSON report: its project, title and status (expected, unexpected, skipped, flaky). */
function collect(s: Suite): { project: string; title: string; status: string }[] {
  const own = (s.specs ?? []).flatMap((sp) => sp.tests.map((t) => ({ project: t.projectName, title: sp.title, status: t.status })));
  return [...own, ...(s.suites ?? []).flatMap(collect)];
}

// The mutant board and the correct one in one Playwright run (a project each, from two rig files):
// the suite pays one Playwright start-up for both, and the JSON report tells the projects apart.
let swapRun: ReturnType<typeof playwright> | undefined;
function mutantAndCorrect(): ReturnType<typeof playwright> {
  if (swapRun) return swapRun;
  const mutant = rigWith((r) => {
    r.name = 'sim-mutant';
    (r.boards[0]!.sim as Record<string, unknown>).mutant = 'swap-not-resumed';
  });
  const correct = rigWith(() => undefined);
  swapRun = playwright(`${mutant},${correct}`, 'scenarios/power-loss-swap.spec.ts');
  return swapRun;
}

test('a bootloader whose swap does not resume fails the mid-swap scenario, saying what booted', () => {
  const { status, out, results } = mutantAndCorrect();
  assert.notEqual(status, 0, `the mutant passed the mid-swap scenario:\n${out}`);
  const mutant = results.filter((r) => r.project === 'sim-mutant/mcuboot-1');
  assert.equal(mutant.length, 3, out);
  assert.ok(mutant.some((r) => r.status === 'unexpected'), `the mutant passed every cut:\n${out}`);
  assert.match(out, /expected mcuboot-1 to boot 1\.1\.0 \(event swap-resumed\); it booted/);
  assert.doesNotMatch(out.match(/it booted [^\n]*/)![0], /1\.1\.0 from primary \(event swap-resumed\)/);
});

test('the correct bootloader passes the same scenario (no false alarm)', () => {
  const { out, results } = mutantAndCorrect();
  const correct = results.filter((r) => r.project === 'sim/mcuboot-1');
  assert.deepEqual(
    correct.map((r) => r.status),
    ['expected', 'expected', 'expected'],
    out,
  );
});

test('a malformed rig file names the file and field, without a stack trace', () => {
  const rig = rigWith((r) => {
    r.boards[0]!.power = { kind: 'relay' };
  });
  const { status, out } = playwright(rig);
  assert.notEqual(status, 0);
  assert.ok(out.includes(`${rig}: invalid rig file`), out);
  assert.match(out, /\/boards\/0\/power\/kind: unknown kind "relay"/);
  assert.doesNotMatch(out, /^\s+at .*\(.*:\d+:\d+\)$/m, 'no stack trace');
});
