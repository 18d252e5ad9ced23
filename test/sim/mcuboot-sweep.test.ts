// Power-cut sweeps over the MCUboot swap: for many flash-operation indices N, lose power before
// operation N (or in the middle of it: half a program, a half-erased sector), power on again and
// check that the board ends up running the baseline or the candidate, never bricked, and that an
// unconfirmed candidate still reverts to an intact baseline. Seeded bootloader bugs must fail it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Board, BASELINE, CANDIDATE, VERSION, BRICK, bootOnce, cleanup, serve, until, type Outcome } from './mcuboot-helpers.ts';
import type { FlashOp, FlashSnapshot } from '../../harness/sim/flash.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import { layoutFor } from '../../harness/sim/stacks/mcuboot/layout.ts';
import { trailerOffsets } from '../../harness/sim/stacks/mcuboot/trailer.ts';


/** A full sweep (every op, clean and torn) when set; otherwise a dense sample. */
const FULL = process.env.OTAHIL_FULL_SWEEP === '1';

const TORN_FRACTIONS = [0.5, 0.1, 0.9, 0.05, 0.6];


interface Snapshots {
  /** Upgrade requested (secondary trailer written), before the rebooting bootloader swaps. */
  pending: FlashSnapshot;
  /** The candidate runs as a trial (unconfirmed). */
  trial: FlashSnapshot;
  /** The baseline runs again after the revert. */
  reverted: FlashSnapshot;
}

/** Drive one real OTA on a board and keep the flash at the interesting moments. */
async function capture(config: SimConfig, bodySize?: number): Promise<Snapshots> {
  const board = new Board(config);
  board.install({ ...BASELINE, size: bodySize });
  const server = await serve(board.image({ ...CANDIDATE, size: bodySize }));
  const layout = layoutFor(board.config);
  const swapInfo = trailerOffsets.swapInfoOff(layout.secondary);
  let pending: FlashSnapshot | null = null;
  board.device.flash.onOp = (op) => {
    // boot_set_pending writes swap_info last: from here on the request is complete.
    if (op.kind === 'program' && op.addr === swapInfo) pending = board.device.flash.snapshot();
  };
  board.device.powerOn();
  await board.waitFor(/Firmware version 1\.1\.0/);
  const m = board.mark();
  board.send(`ota ${server.url}`);
  await board.waitFor(/Firmware version 1\.2\.0/, m, 10_000);
  board.device.flash.onOp = null;
  const trial = board.device.flash.snapshot();
  await board.powerOff();
  const m2 = board.mark();
  board.device.powerOn();
  await board.waitFor(/Firmware version 1\.1\.0/, m2);
  const reverted = board.device.flash.snapshot();
  await board.powerOff();
  await server.close();
  assert.ok(pending, 'the upgrade request was never written');
  return { pending, trial, reverted };
}

interface CutResult {
  n: number;
  torn: boolean;
  recovery: Outcome;
  after: Outcome;
  recoveryLog: string;
}

/** Restore `snap`, lose power at op N after it, boot twice more and report what ran. */
async function cutAt(board: Board, snap: FlashSnapshot, n: number, torn: boolean, fraction?: number): Promise<CutResult> {
  const flash = board.device.flash;
  flash.restore(snap);
  // Vary how far a torn operation got: a torn 8-byte record may land its first byte or not.
  flash.armCut({ atOp: snap.counters.ops + n, torn, fraction: fraction ?? TORN_FRACTIONS[n % TORN_FRACTIONS.length]! });
  board.device.powerOn();
  // Either the cut fires (the board powers itself off) or the app comes up first.
  await until(() => !board.device.powered || board.lines.slice(-3).some((l) => VERSION.test(l) || BRICK.test(l)));
  await board.powerOff();
  flash.armCut(null);
  const recovery = await bootOnce(board);
  const next = await bootOnce(board);
  return { n, torn, recovery: recovery.outcome, after: next.outcome, recoveryLog: recovery.log };
}

/** Ops the bootloader performs from `snap` until the app runs (no cut). */
async function opsFrom(board: Board, snap: FlashSnapshot): Promise<number> {
  board.device.flash.restore(snap);
  await bootOnce(board);
  return board.device.flash.stats.ops - snap.counters.ops;
}

function indices(total: number, step: number, offset = 0): number[] {
  const out: number[] = [];
  for (let n = 1 + offset; n <= total + 1; n += step) out.push(n);
  if (!out.includes(total)) out.push(total); // the final trailer write is the interesting one
  return out;
}

const SWEEP_CONFIG: SimConfig = { timeScale: 100_000 };
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
    for (const n of indices(swapOps, FULL ? 1 : torn ? 3 : 2, torn ? 1 : 0)) {
      const r = await cutAt(board, snaps.pending, n, torn);
      if (!['1.1.0', '1.2.0'].includes(r.recovery) || r.after !== '1.1.0') bad.push(`N=${n}: ${r.recovery} then ${r.after}`);
      // A resume never consults the swap table, so it prints no "Swap type:" line.
      if (/Swap type: test/.test(r.recoveryLog)) fresh++;
      else if (/Boot source: (scratch|primary slot)\nI: Starting swap using scratch algorithm\./.test(r.recoveryLog)) resumed++;
    }
    assert.deepEqual(bad, []);
    assert.ok(fresh > 0 && resumed > 0, `fresh restarts ${fresh}, resumes ${resumed}`);

    assert.equal(board.device.flash.stats.dirtyPrograms - snaps.pending.counters.dirtyPrograms, 0, 'programmed over unerased cells');
  });
}

test('early cuts restart the swap with a new "Swap type: test"; a cut after the status is saved resumes', async () => {
  const board = new Board(SWEEP_CONFIG);
  const first = await cutAt(board, snaps.pending, 1, false);
  assert.match(first.recoveryLog, /Boot source: primary slot\nI: Image index: 0, Swap type: test\nI: Starting swap/);
  const mid = await cutAt(board, snaps.pending, Math.floor(swapOps / 2), false);
  assert.match(mid.recoveryLog, /Boot source: primary slot\nI: Starting swap using scratch algorithm\./);
  assert.doesNotMatch(mid.recoveryLog, /Swap type:/);
  assert.equal(mid.recovery, '1.2.0');
});

/** Index (after `snap`) of the first flash op matching `pred` in an uncut boot from `snap`. */
async function opIndexOf(board: Board, snap: FlashSnapshot, pred: (op: FlashOp) => boolean): Promise<number> {
  let found = 0;
  board.device.flash.onOp = (op, n) => {
    if (!found && pred(op)) found = n - snap.counters.ops;
  };
  board.device.flash.restore(snap);
  await bootOnce(board);
  board.device.flash.onOp = null;
  assert.ok(found > 0, 'operation not found');
  return found;
}

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
      if (r.recovery !== '1.1.0' || r.after !== '1.1.0') bad.push(`N=${n}: ${r.recovery} then ${r.after}`);
    }
    assert.deepEqual(bad, []);
  });
}

/** Sweep the test swap of a board built with `config`; returns the cut points that went wrong. */
async function sweepFailures(config: SimConfig, step: number, bodySize?: number): Promise<string[]> {
  const s = await capture({ ...SWEEP_CONFIG, ...config }, bodySize);
  const board = new Board({ ...SWEEP_CONFIG, ...config });
  const total = await opsFrom(board, s.pending);
  const bad: string[] = [];
  for (const torn of [false, true]) {
    for (const n of indices(total, step, torn ? 1 : 0)) {
      const r = await cutAt(board, s.pending, n, torn);
      if (!['1.1.0', '1.2.0'].includes(r.recovery) || r.after !== '1.1.0') bad.push(`N=${n}${torn ? ' torn' : ''}: ${r.recovery} then ${r.after}`);
    }
  }
  return bad;
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
  const body = layout.maxImageSize - 32 - 40;
  const s = await capture(config, body);
  const board = new Board(config);
  const bad: string[] = [];
  for (const [what, snap, ok] of [
    ['swap', s.pending, ['1.1.0', '1.2.0']],
    ['revert', s.trial, ['1.1.0']],
  ] as const) {
    const total = await opsFrom(board, snap);
    for (const torn of [false, true]) {
      for (const n of indices(total, FULL ? 1 : 3, torn ? 1 : 0)) {
        const r = await cutAt(board, snap, n, torn);
        if (!(ok as readonly string[]).includes(r.recovery) || r.after !== '1.1.0') bad.push(`${what} N=${n}${torn ? ' torn' : ''}: ${r.recovery} then ${r.after}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

for (const mutant of ['swap-not-resumed', 'copy-done-first', 'record-before-copy']) {
  test(`mutant ${mutant}: some mid-swap cut bricks the board or loses an image`, async (t) => {
    const bad = await sweepFailures({ mutant }, 7);
    t.diagnostic(`${bad.length} bad cut points, e.g. ${bad.slice(0, 3).join('; ')}`);
    assert.ok(bad.length > 0, `${mutant} survived every cut`);
  });
}
