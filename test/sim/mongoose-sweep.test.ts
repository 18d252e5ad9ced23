// Power-cut sweeps over the Mongoose OS ESP32 board: lose power before (or in the middle of) every
// flash operation of an update, of its commit and of a revert; whatever the cut, the board must
// come back on the baseline or the candidate, never bricked, and an update nobody committed must
// never become permanent. A seeded ordering bug in the updater must fail the same sweep.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mongooseOsStack } from '../../harness/sim/stacks/mongoose-os/index.ts';
import { cleanup } from './mongoose-helpers.ts';
import { capture, points, sweep, type Capture, type CutResult, type Target } from './mongoose-sweep-kit.ts';

const target: Target = {
  stack: mongooseOsStack,
  config: {},
  trialMark: /, first boot$/m,
  controlBelow: 0x10000,
};
const OLD = '1.0.0';
const NEW = '1.1.0';

let c: Capture;
before(async () => {
  c = await capture(target);
  await cleanup();
});
after(cleanup);

/** Without a commit the baseline must come back by the second power cycle; a candidate boot is a trial. */
const updateOk = (trialMark: RegExp) => (r: CutResult): boolean =>
  (r.recovery === OLD || (r.recovery === NEW && trialMark.test(r.recoveryLog))) && r.after === OLD && r.third === OLD;
/** A cut commit may be lost or kept, but the board settles on one image and never bricks. */
const commitOk = (r: CutResult): boolean => [OLD, NEW].includes(r.recovery) && [OLD, NEW].includes(r.after) && r.after === r.third;
const revertOk = (r: CutResult): boolean => r.recovery === OLD && r.after === OLD && r.third === OLD;

test('an update, its commit and a revert take a plausible number of flash operations', (t) => {
  t.diagnostic(`update ${c.updateOps} ops (download ${c.downloadOps}), commit ${c.commitOps}, revert ${c.revertOps}`);
  assert.ok(c.downloadOps > 20 && c.updateOps < 400, JSON.stringify(c.updateOps));
  assert.equal(c.commitOps, 3, 'commit: otadata erase + program, NVS flag');
  assert.ok(c.revertOps >= 2);
});

test('update: every cut (clean and torn) ends on the baseline or a trial of the candidate, then the baseline', async () => {
  const { bad, results } = await sweep(target, c, 'update', points(c.updateOps), updateOk(target.trialMark));
  assert.deepEqual(bad, []);
  // Both outcomes happen: early cuts keep the baseline, cuts after the switch give a trial first.
  assert.ok(results.some((r) => r.recovery === NEW) && results.some((r) => r.recovery === OLD));
});

test('commit: every cut ends settled on the baseline or the candidate, never bricked', async () => {
  const { bad, results } = await sweep(target, c, 'commit', points(c.commitOps), commitOk);
  assert.deepEqual(bad, []);
  assert.ok(results.some((r) => r.third === NEW), 'some cut must come after the commit took effect');
  assert.ok(results.some((r) => r.third === OLD), 'a cut before the otadata write must lose the commit');
});

test('revert: every cut ends on the baseline', async () => {
  const { bad } = await sweep(target, c, 'revert', points(c.revertOps), revertOk);
  assert.deepEqual(bad, []);
});

test('mutant flag-after-otadata: the update sweep finds a cut that makes the candidate permanent', async () => {
  const mt: Target = { ...target, config: { mutant: 'flag-after-otadata' } };
  const mc = await capture(mt);
  const ns = points(mc.updateOps).filter((n) => n > mc.downloadOps - 2);
  const { bad } = await sweep(mt, mc, 'update', ns, updateOk(target.trialMark));
  assert.ok(bad.some((b) => /1\.1\.0 → 1\.1\.0 → 1\.1\.0/.test(b)), `mutant not caught: ${bad.join('; ') || 'no failures'}`);
});
