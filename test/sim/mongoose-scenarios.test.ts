// The Playwright scenarios, run as a user runs them, against the Mongoose OS boards built with a
// seeded bug: each must fail and say what booted. The correct boards pass the same scenarios.
// One run serves every case: each board is a project of its own rig (named after its bug), and
// -g gives each project only its scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { playwrightTest, resultOf, simRig, type Run } from '../helpers/playwright-run.ts';

const WITHHELD = 'a withheld commit reverts';
const CRASH = 'a candidate that crashes at boot';
const FS_MERGE = 'device config survives an update';
const CASES = [
  { board: 'mongoose-1', mutant: 'no-tombstone', spec: 'withheld-commit', title: WITHHELD },
  { board: 'rboot-1', mutant: 'attempts-not-persisted', spec: 'withheld-commit', title: WITHHELD },
  { board: 'mongoose-1', mutant: 'no-fs-merge', spec: 'mongoose-fs-merge', title: FS_MERGE },
  { board: 'rboot-1', mutant: undefined, spec: 'mongoose-fs-merge', title: FS_MERGE },
  { board: 'rboot-1', mutant: 'commit-before-selftest', spec: 'withheld-commit', title: CRASH },
];
const project = (c: (typeof CASES)[number]) => `${c.mutant ?? 'sim'}/${c.board}`;

let run: Run | undefined;
function once(): Run {
  if (run) return run;
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-mongoose-'));
  const rigs = CASES.map((c) => simRig(dir, { board: c.board, rig: c.mutant ?? 'sim', mutant: c.mutant }));
  const grep = CASES.map((c) => `^${project(c)} scenarios/${c.spec}\\.spec\\.ts ${c.title}`).join('|');
  const specs = [...new Set(CASES.map((c) => `scenarios/${c.spec}.spec.ts`))];
  run = playwrightTest(['--workers', '2', '-g', grep, ...specs], { dir, rigs, timeoutMs: 300_000 });
  assert.equal(run.results.length, CASES.length, run.out);
  return run;
}

function failed(p: string, title: string): string {
  const r = resultOf(once(), p, title);
  assert.equal(r.status, 'unexpected', `${p} passed "${title}":\n${once().out}`);
  return r.error;
}

test('mongoose-1 without the tombstone fails the withheld-commit scenario: the candidate keeps running', () => {
  assert.match(failed('no-tombstone/mongoose-1', WITHHELD), /expected mongoose-1 to boot 1\.0\.0 \(event revert\); it booted otahil 1\.1\.0 from app_1 \(event trial\)/);
});

test('rboot-1 whose boot attempts are not persisted fails the withheld-commit scenario', () => {
  assert.match(failed('attempts-not-persisted/rboot-1', WITHHELD), /expected rboot-1 to boot 1\.0\.0 \(event revert\); it booted 1\.1\.0 from rom1 \(event trial\)/);
});

test('a board that skips the filesystem merge fails the fs-merge scenario; the correct one passes', () => {
  assert.match(failed('no-fs-merge/mongoose-1', FS_MERGE), /conf9\.json carried over by the merge/);
  assert.equal(resultOf(once(), 'sim/rboot-1', FS_MERGE).status, 'expected', once().out);
});

test('commit-before-selftest: the crashing candidate is made permanent, which the crash scenario catches', () => {
  assert.match(failed('commit-before-selftest/rboot-1', CRASH), /expected rboot-1 to boot 1\.0\.0 \(event revert\); it booted/);
});

test('the run fails, and its output says so', () => {
  assert.notEqual(once().status, 0);
  assert.match(once().out, /\n {2}4 failed\n/);
  assert.match(once().out, /\n {2}1 passed/);
});
