// Power cuts at every flash operation of the Zerynth-style bootloader's swap and of its restore,
// clean and torn. The promise: a cut swap resumes (or, before its first journal entry, starts
// again) and the new firmware comes up in testing mode; a cut restore finishes and the previous
// firmware comes back. All state is in flash, so one board is rewound to a snapshot per cut.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Board, armFrom, cleanup, final, until } from './stack-kit.ts';
import { CANDIDATE, UP, settleZ, startFota, zBoard } from './zerynth-helpers.ts';
import type { FlashSnapshot } from '../../harness/sim/flash.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import { layoutFor } from '../../harness/sim/stacks/zerynth/layout.ts';

afterEach(cleanup);

const FRACTIONS = [0.5, 0.1, 0.9, 0.3];
/** Simulated time as fast as the host runs it: a settle's quiet (5 simulated seconds) is one poll. */
const SWEEP: SimConfig = { timeScale: 100_000 };

/** Flash right after the "pending" record (before the swapping reboot), and in testing mode. */
async function capture(config: SimConfig): Promise<{ pending: FlashSnapshot; testing: FlashSnapshot }> {
  const board = zBoard(config);
  const l = layoutFor(board.config);
  let pending: FlashSnapshot | null = null;
  board.device.flash.onOp = (op) => {
    if (!pending && op.kind === 'program' && l.records.includes(op.addr)) pending = board.device.flash.snapshot();
  };
  const m = await startFota(board, board.image(CANDIDATE));
  await board.waitFor(/^zdm: not provisioned/, m, 10_000);
  board.device.flash.onOp = null;
  await board.powerOff();
  assert.ok(pending, 'the pending record was never written');
  return { pending, testing: board.device.flash.snapshot() };
}

/** Operations a boot from `snap` performs until the firmware is up. */
async function opsFrom(board: Board, snap: FlashSnapshot): Promise<number> {
  board.device.flash.restore(snap);
  await settleZ(board);
  return board.device.flash.stats.ops - snap.counters.ops;
}

/** Every cut point from `snap`: the boot after the cut must end as `want`, the one after as `then`. Returns the failures and how many cuts really fired (a cut that never fires tests nothing). */
async function sweep(config: SimConfig, which: 'pending' | 'testing', want: (v: string) => boolean, then: string, stopAfter = Infinity): Promise<{ bad: string[]; points: number; total: number }> {
  const snaps = await capture(config);
  const snap = snaps[which];
  const board = zBoard(config);
  const total = await opsFrom(board, snap);
  const bad: string[] = [];
  let fired = 0;
  for (let n = 1; n <= total && bad.length < stopAfter; n++) {
    for (const torn of [false, true]) {
      armFrom(board, snap, n, torn, FRACTIONS[n % FRACTIONS.length]);
      const m = board.mark();
      board.device.powerOn();
      assert.ok(await until(() => !board.device.powered || board.lines.slice(m).some((x) => UP.test(x)), 5000));
      if (!board.device.powered) fired++;
      await board.powerOff();
      board.device.flash.armCut(null);
      const first = final(await settleZ(board)).join();
      const second = final(await settleZ(board)).join();
      if (!want(first) || second !== then) bad.push(`op ${n}/${total}${torn ? ' torn' : ''}: ${first} then ${second}`);
    }
  }
  return { bad, points: fired, total: total * 2 };
}

const trialOfCandidate = (v: string) => v === 'bc0,trial,1.1.0' || v === 'bc0,swap-resumed,1.1.0';

test('a cut anywhere in the swap: the new firmware comes up in testing mode; unaccepted, the next boot restores the old one', async () => {
  const { bad, points, total } = await sweep(SWEEP, 'pending', trialOfCandidate, 'bc0,revert,1.0.0');
  assert.deepEqual(bad, []);
  assert.equal(points, total, 'every armed cut fired');
  assert.ok(points > 150, `${points} cut points`);
});

test('a cut anywhere in the restore: the previous firmware comes back and stays', async () => {
  const { bad, points, total } = await sweep(SWEEP, 'testing', (v) => v === 'bc0,revert,1.0.0', 'bc0,normal,1.0.0');
  assert.deepEqual(bad, []);
  assert.equal(points, total, 'every armed cut fired');
});

test('the sweep catches the seeded swap bugs (journal-before-copy, no-resume)', async () => {
  for (const mutant of ['journal-before-copy', 'no-resume']) {
    const { bad } = await sweep({ ...SWEEP, mutant }, 'pending', trialOfCandidate, 'bc0,revert,1.0.0', 1);
    assert.ok(bad.length > 0, `${mutant} passed the swap sweep`);
  }
});
