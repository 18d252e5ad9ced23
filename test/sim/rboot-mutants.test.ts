// Each seeded bug of the Mongoose OS ESP8266 board (rBoot and the app) is caught by the flow that
// exposes it, next to the correct build passing the same flow.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { rbootStack } from '../../harness/sim/stacks/rboot/index.ts';
import { cleanup } from './mongoose-helpers.ts';
import { baselineUp, crashingCandidate, mergedFiles, update, upFrom, withheldCommit } from './mongoose-flows.ts';

afterEach(cleanup);
const stack = rbootStack;

test('every mutant is named; an unknown one fails when the board is built', () => {
  assert.deepEqual(Object.keys(stack.mutants).sort(), ['attempts-not-persisted', 'commit-before-selftest', 'fallback-on-first-boot', 'no-fs-merge']);
  assert.throws(() => stack.flashGeometry({ mutant: 'no-tombstone' }), /unknown mutant 'no-tombstone'/);
});

test('attempts-not-persisted: every power cycle is "First boot, attempt 0" again, never a fallback', async () => {
  assert.deepEqual(await withheldCommit(stack), ['1.1.0', '1.0.0', '1.0.0']);
  assert.deepEqual(await withheldCommit(stack, { mutant: 'attempts-not-persisted' }), ['1.1.0', '1.1.0', '1.1.0']);
});

test('fallback-on-first-boot: the candidate never gets its trial', async () => {
  const board = await baselineUp(stack, { mutant: 'fallback-on-first-boot' });
  const m = await update(board);
  assert.equal(await upFrom(board, m), '1.0.0');
  assert.match(board.since(m), /First boot, attempt 0\r?\nBoot failed, fallback to fw #0/);
});

test('commit-before-selftest: a crashing candidate is committed, so rBoot never falls back', async () => {
  assert.deepEqual((await crashingCandidate(stack)).versions, ['1.2.0', '1.0.0']);
  const { versions } = await crashingCandidate(stack, { mutant: 'commit-before-selftest' });
  assert.deepEqual(versions, ['1.2.0', '1.2.0', '1.2.0', '1.2.0']);
});

test('no-fs-merge: conf9.json is lost', async () => {
  assert.equal((await mergedFiles(stack, { mutant: 'no-fs-merge' })).conf9, null);
});
