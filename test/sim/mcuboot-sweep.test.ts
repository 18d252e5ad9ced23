// Power-cut sweeps over the MCUboot swap: for many flash-operation indices N, lose power before
// operation N (or in the middle of it: half a program, a half-erased sector), power on again and
// check that the board ends up running the baseline or the candidate, never bricked, and that an
// unconfirmed candidate still reverts to an intact baseline. Seeded bootloader bugs must fail it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Board, cleanup } from './mcuboot-helpers.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import { layoutFor } from '../../harness/sim/stacks/mcuboot/layout.ts';
import { trailerOffsets } from '../../harness/sim/stacks/mcuboot/trailer.ts';
import { FULL, SWEEP_CONFIG, capture, cutAt, indices, opIndexOf, opsFrom, sweepFailures, type Snapshots } from './mcuboot-sweep-kit.ts';


let snaps: Snapshots;
let swapOps = 0;
let revertOps = 0;

before(async () => {
  snaps = await capture(SWEEP_CONFIG);
  const board = new Board(SWEEP_CONFIG);
  swapOps = await opsFrom(board, snaps.pending);
  revertOps = await opsFrom(board, snaps.trial);
  await cleanup();
});
after(cleanup);

test('a test swap and a revert take a few hundred flash operations at 128 KiB slots', (t) => {
  t.diagnostic(`test swap: ${swapOps} flash ops; revert: ${revertOps} flash ops`);
  assert.ok(swapOps > 100 && swapOps < 2000, `test swap took ${swapOps} ops`);
  assert.ok(revertOps > 100 && revertOps < 2000, `revert took ${revertOps} ops`);
});

for (const torn of [false, true]) {
  test(`test swap, ${torn ? 'torn' : 'clean'} cuts: baseline or candidate runs, never a brick, and the baseline survives`, async () => {
    const board = new Board(SWEEP_CONFIG);
    const bad: string[] = [];
    let fresh = 0;
    let resumed = 0;
    let dirty = 0;
    for (const n of indices(swapOps, FULL ? 1 : torn ? 4 : 3, torn ? 1 : 0)) {
      const r = await cutAt(board, snaps.pending, n, torn);
      if (!['1.1.0', '1.2.0'].includes(r.recovery) || r.after !== '1.1.0') bad.push(`N=${n}: ${r.recovery} then ${r.after}`);
      dirty += r.dirty;
      // A resume never consults the swap table, so it prints no "Swap type:" line.
      if (/Swap type: test/.test(r.recoveryLog)) fresh++;
      else if (/Boot source: (scratch|primary slot)\nI: Starting swap using scratch algorithm\./.test(r.recoveryLog)) resumed++;
    }
    assert.deepEqual(bad, []);
    assert.ok(fresh > 0 && resumed > 0, `fresh restarts ${fresh}, resumes ${resumed}`);
    assert.equal(dirty, 0, 'programmed over unerased cells');
  });
}

test('cuts before the scratch trailer restart with "Swap type: test"; after it, no "Swap type:" line', async () => {
  const board = new Board(SWEEP_CONFIG);
  const first = await cutAt(board, snaps.pending, 1, false);
  assert.match(first.recoveryLog, /Boot source: primary slot\nI: Image index: 0, Swap type: test\nI: Starting swap/);
  // Scratch trailer written, no step recorded yet: the swap restarts from its saved type, silently.
  const l = layoutFor(board.config);
  const magicOp = await opIndexOf(board, snaps.pending, (op) => op.kind === 'program' && op.addr === trailerOffsets.magicOff(l.scratch!));
  assert.ok(magicOp <= 5, `scratch magic written at op ${magicOp}`);
  const restart = await cutAt(board, snaps.pending, magicOp + 1, false);
  assert.match(restart.recoveryLog, /Scratch: magic=good[^\n]*\nI: Boot source: scratch\nI: Starting swap using scratch algorithm\./);
  assert.doesNotMatch(restart.recoveryLog, /Swap type:/);
  assert.equal(restart.recovery, '1.2.0');
  const mid = await cutAt(board, snaps.pending, Math.floor(swapOps / 2), false);
  assert.match(mid.recoveryLog, /Boot source: primary slot\nI: Starting swap using scratch algorithm\./);
  assert.doesNotMatch(mid.recoveryLog, /Swap type:/);
  assert.equal(mid.recovery, '1.2.0');
});

test('revert: a torn erase of the primary trailer sector reads "magic=bad"; the swap resumes from scratch', async () => {
  const board = new Board(SWEEP_CONFIG);
  const l = layoutFor(board.config);
  // In a revert the primary trailer holds the trial's state, so half-erased it is garbage.
  const n = await opIndexOf(board, snaps.trial, (op) => op.kind === 'erase' && op.addr === l.primary.off + l.slotSize - l.sectorSize);
  const r = await cutAt(board, snaps.trial, n, true);
  assert.match(r.recoveryLog, /Primary image: magic=bad[^\n]*\nI: Scratch: magic=good[^\n]*\nI: Boot source: scratch\nI: Starting swap using scratch algorithm\./);
  assert.equal(r.recovery, '1.1.0');
});

test('a torn copy_done write (the last op of the swap) reverts before the candidate ever runs', async () => {
  const board = new Board(SWEEP_CONFIG);
  // The flag byte lands, the rest of the write unit does not.
  const r = await cutAt(board, snaps.pending, swapOps, true, 0.5);
  assert.match(r.recoveryLog, /Swap type: revert/);
  assert.equal(r.recovery, '1.1.0');
});

for (const torn of [false, true]) {
  test(`revert, ${torn ? 'torn' : 'clean'} cuts: the baseline always comes back`, async () => {
    const board = new Board(SWEEP_CONFIG);
    const bad: string[] = [];
    for (const n of indices(revertOps, FULL ? 1 : 4, torn ? 2 : 0)) {
      const r = await cutAt(board, snaps.trial, n, torn);
      if (r.recovery !== '1.1.0' || r.after !== '1.1.0' || r.dirty) bad.push(`N=${n}: ${r.recovery} then ${r.after}, ${r.dirty} dirty`);
    }
    assert.deepEqual(bad, []);
  });
}

for (const geometry of [
  { slotSize: 65536, writeSize: 4 },
  { slotSize: 65536, sectorSize: 8192, writeSize: 1 },
]) {
  test(`geometry ${JSON.stringify(geometry)}: sampled clean and torn cuts never brick`, async () => {
    assert.deepEqual(await sweepFailures(geometry, FULL ? 1 : 9), []);
  });
}

// Images that fill the slot up to the trailer: the last sector's bytes really move, so a swap that
// loses track of the trailer sector's progress shows.
test('slot-filling images, 32 KiB slots: clean and torn cuts of the test swap and of the revert are safe', async () => {
  const config: SimConfig = { ...SWEEP_CONFIG, slotSize: 32768 };
  const layout = layoutFor(config);
  const body = layout.maxImageSize - layout.headerSize - 40;
  const s = await capture(config, body);
  const board = new Board(config);
  const bad: string[] = [];
  for (const [what, snap, ok] of [
    ['swap', s.pending, ['1.1.0', '1.2.0']],
    ['revert', s.trial, ['1.1.0']],
  ] as const) {
    const total = await opsFrom(board, snap);
    for (const torn of [false, true]) {
      for (const n of indices(total, FULL ? 1 : 4, torn ? 1 : 0)) {
        const r = await cutAt(board, snap, n, torn);
        if (!(ok as readonly string[]).includes(r.recovery) || r.after !== '1.1.0' || r.dirty) {
          bad.push(`${what} N=${n}${torn ? ' torn' : ''}: ${r.recovery} then ${r.after}, ${r.dirty} dirty`);
        }
      }
    }
  }
  assert.deepEqual(bad, []);
});

for (const mutant of ['swap-not-resumed', 'copy-done-first', 'record-before-copy']) {
  test(`mutant ${mutant}: some mid-swap cut bricks the board or loses an image`, async (t) => {
    const bad = await sweepFailures({ mutant }, 11);
    t.diagnostic(`${bad.length} bad cut points, e.g. ${bad.slice(0, 3).join('; ')}`);
    assert.ok(bad.length > 0, `${mutant} survived every cut`);
  });
}
