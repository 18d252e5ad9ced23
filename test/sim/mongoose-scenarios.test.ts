// The Playwright scenarios, run as a user runs them, against the Mongoose OS boards built with a
// seeded bug: each must fail and say what booted. The correct boards pass the same scenarios.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-mongoose-'));

function rigWith(board: string, mutant?: string): string {
  const rig = JSON.parse(readFileSync('rigs/sim.json', 'utf8'));
  rig.boards = rig.boards.filter((b: { name: string }) => b.name === board);
  assert.equal(rig.boards.length, 1, `rigs/sim.json has no board ${board}`);
  if (mutant) rig.boards[0].sim.mutant = mutant;
  const file = path.join(dir, `rig-${board}-${mutant ?? 'ok'}.json`);
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

test('mongoose-1 without the tombstone fails the withheld-commit scenario: the candidate keeps running', () => {
  const { status, out } = playwright(rigWith('mongoose-1', 'no-tombstone'), 'scenarios/withheld-commit.spec.ts', '-g', 'withheld commit reverts');
  assert.notEqual(status, 0, out);
  assert.match(out, /expected mongoose-1 to boot 1\.0\.0 \(event revert\); it booted otahil 1\.1\.0 from app_1 \(event trial\)/);
});

test('rboot-1 whose boot attempts are not persisted fails the withheld-commit scenario', () => {
  const { status, out } = playwright(rigWith('rboot-1', 'attempts-not-persisted'), 'scenarios/withheld-commit.spec.ts', '-g', 'withheld commit reverts');
  assert.notEqual(status, 0, out);
  assert.match(out, /expected rboot-1 to boot 1\.0\.0 \(event revert\); it booted 1\.1\.0 from rom1 \(event trial\)/);
});

test('a board that skips the filesystem merge fails the fs-merge scenario; the correct one passes', () => {
  const bad = playwright(rigWith('mongoose-1', 'no-fs-merge'), 'scenarios/mongoose-fs-merge.spec.ts');
  assert.notEqual(bad.status, 0, bad.out);
  assert.match(bad.out, /conf9\.json carried over by the merge/);
  const good = playwright(rigWith('rboot-1'), 'scenarios/mongoose-fs-merge.spec.ts');
  assert.equal(good.status, 0, good.out);
  assert.match(good.out, /1 passed/);
});

test('commit-before-selftest: the crashing candidate is made permanent, which the crash scenario catches', () => {
  const { status, out } = playwright(rigWith('rboot-1', 'commit-before-selftest'), 'scenarios/withheld-commit.spec.ts', '-g', 'crashes at boot');
  assert.notEqual(status, 0, out);
  assert.match(out, /expected rboot-1 to boot 1\.0\.0 \(event revert\); it booted/);
});
