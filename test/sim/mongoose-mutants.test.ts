// Each seeded bug of the Mongoose OS ESP32 board is caught by the flow that exposes it, and the
// correct build passes that same flow (so the check is not vacuous). flag-after-otadata is caught
// by the power-cut sweep (mongoose-sweep.test.ts).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mongooseOsStack } from '../../harness/sim/stacks/mongoose-os/index.ts';
import { cleanup } from './mongoose-helpers.ts';
import { crashingCandidate, mergedFiles, withheldCommit } from './mongoose-flows.ts';

afterEach(cleanup);
const stack = mongooseOsStack;

test('every mutant is named and described; an unknown one fails when the board is built', () => {
  assert.deepEqual(Object.keys(stack.mutants).sort(), ['commit-before-selftest', 'flag-after-otadata', 'no-fs-merge', 'no-tombstone']);
  assert.throws(() => stack.flashGeometry({ mutant: 'no-tombstones' }), /unknown mutant 'no-tombstones'; valid mutants: /);
});

test('no-tombstone: a reset before the commit keeps running the uncommitted image', async () => {
  assert.deepEqual(await withheldCommit(stack), ['1.1.0', '1.0.0', '1.0.0']);
  const mutant = await withheldCommit(stack, { mutant: 'no-tombstone' });
  assert.notDeepEqual(mutant, ['1.1.0', '1.0.0', '1.0.0']);
  assert.equal(mutant[1], '1.1.0');
});

test('commit-before-selftest: a candidate that crashes at boot is committed and loops', async () => {
  assert.deepEqual((await crashingCandidate(stack)).versions, ['1.2.0', '1.0.0']);
  const { versions, log } = await crashingCandidate(stack, { mutant: 'commit-before-selftest' });
  assert.ok(!versions.includes('1.0.0'), `mutant reverted: ${versions.join(', ')}`);
  assert.match(log, /Committed slot 1[\s\S]*Guru Meditation Error[\s\S]*Guru Meditation Error/);
});

test('no-fs-merge: the device config written on the baseline is gone after the update', async () => {
  assert.equal((await mergedFiles(stack)).conf9, '{"device":"lab-7"}');
  const f = await mergedFiles(stack, { mutant: 'no-fs-merge' });
  assert.equal(f.conf9, null);
  assert.doesNotMatch(f.log, /Copying/);
});
