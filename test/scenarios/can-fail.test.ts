// The scenarios must be able to fail: run them as a user would (Playwright CLI) against a
// simulated bootloader with a seeded bug, and check the failure says what was expected and what
// booted. Also: a malformed rig file stops the run with the file and field, not a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { playwrightTest, resultOf, simRig, type Run } from '../helpers/playwright-run.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-can-fail-'));
const SWAP_CUT = 'cut 40 ms into the swap';

// The mutant board and the correct one in one Playwright run (a project each, from two rig files),
// on the same cut into the swap: one start-up for both, and the JSON report tells them apart.
let swapRun: Run | undefined;
function mutantAndCorrect(): Run {
  swapRun ??= playwrightTest(['scenarios/power-loss-swap.spec.ts', '-g', SWAP_CUT], {
    dir,
    rigs: [simRig(dir, { board: 'mcuboot-1', rig: 'sim-mutant', mutant: 'swap-not-resumed' }), simRig(dir, { board: 'mcuboot-1' })],
  });
  return swapRun;
}

test('a bootloader whose swap does not resume fails the mid-swap scenario, saying what booted', () => {
  const run = mutantAndCorrect();
  assert.notEqual(run.status, 0, `the mutant passed the mid-swap scenario:\n${run.out}`);
  const mutant = resultOf(run, 'sim-mutant/mcuboot-1', SWAP_CUT);
  assert.equal(mutant.status, 'unexpected', `the mutant passed:\n${run.out}`);
  assert.match(mutant.error, /expected mcuboot-1 to boot 1\.1\.0 \(event swap-resumed\); it booted/);
  assert.doesNotMatch(mutant.error.match(/it booted [^\n]*/)![0], /1\.1\.0 from primary \(event swap-resumed\)/);
  assert.ok(run.out.includes('expected mcuboot-1 to boot 1.1.0 (event swap-resumed); it booted'), 'the line reporter printed it');
});

test('the correct bootloader passes the same scenario (no false alarm)', () => {
  const run = mutantAndCorrect();
  assert.equal(resultOf(run, 'sim/mcuboot-1', SWAP_CUT).status, 'expected', run.out);
});

test('a malformed rig file names the file and field, without a stack trace', () => {
  const rig = path.join(dir, 'malformed.json');
  const data = JSON.parse(readFileSync(simRig(dir, { board: 'mcuboot-1' }), 'utf8')) as { boards: Record<string, unknown>[] };
  data.boards[0]!.power = { kind: 'relay' };
  writeFileSync(rig, JSON.stringify(data));
  const { status, out, results } = playwrightTest([], { dir, rigs: [rig] });
  assert.notEqual(status, 0);
  assert.deepEqual(results, [], 'nothing ran');
  assert.ok(out.includes(`${rig}: invalid rig file`), out);
  assert.match(out, /\/boards\/0\/power\/kind: unknown kind "relay"/);
  assert.doesNotMatch(out, /^\s+at .*\(.*:\d+:\d+\)$/m, 'no stack trace');
});
