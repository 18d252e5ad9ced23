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
  const r = spawnSync('npx', ['playwright', 'test', '--reporter=line', ...args], {
    encoding: 'utf8',
    env: { ...process.env, OTA_HIL_RIG: rig, OTA_HIL_REPORTS: path.join(dir, 'reports'), CI: '' },
    timeout: 180_000,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

test('a bootloader whose swap does not resume fails the mid-swap scenario, saying what booted', () => {
  const rig = rigWith((r) => {
    (r.boards[0]!.sim as Record<string, unknown>).mutant = 'swap-not-resumed';
  });
  const { status, out } = playwright(rig, 'scenarios/power-loss-swap.spec.ts');
  assert.notEqual(status, 0, `the mutant passed the mid-swap scenario:\n${out}`);
  assert.match(out, /expected mcuboot-1 to boot 1\.1\.0 \(event swap-resumed\); it booted/);
  assert.doesNotMatch(out.match(/it booted [^\n]*/)![0], /1\.1\.0 from primary \(event swap-resumed\)/);
});

test('the correct bootloader passes the same scenario (no false alarm)', () => {
  const { status, out } = playwright(rigWith(() => undefined), 'scenarios/power-loss-swap.spec.ts');
  assert.equal(status, 0, out);
  assert.match(out, /3 passed/);
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
