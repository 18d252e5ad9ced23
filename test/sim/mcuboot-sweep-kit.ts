// Power-cut sweep kit for the simulated MCUboot board: capture flash at the interesting moments
// of a real OTA, then restore it, cut power at flash op N (clean or torn), and see what boots.
import assert from 'node:assert/strict';
import { Board, BASELINE, CANDIDATE, VERSION, BRICK, bootOnce, serve, until, type Outcome } from './mcuboot-helpers.ts';
import { armFrom, tornFraction } from './stack-kit.ts';
import type { FlashOp, FlashSnapshot } from '../../harness/sim/flash.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import { layoutFor } from '../../harness/sim/stacks/mcuboot/layout.ts';
import { trailerOffsets } from '../../harness/sim/stacks/mcuboot/trailer.ts';

/** A full sweep (every op, clean and torn) when set; otherwise a dense sample. */
export const FULL = process.env.OTA_HIL_FULL_SWEEP === '1';

export interface Snapshots {
  /** Upgrade requested (secondary trailer written), before the rebooting bootloader swaps. */
  pending: FlashSnapshot;
  /** The candidate runs as a trial (unconfirmed). */
  trial: FlashSnapshot;
  /** The baseline runs again after the revert. */
  reverted: FlashSnapshot;
}

/** Drive one real OTA on a board and keep the flash at the interesting moments. */
export async function capture(config: SimConfig, bodySize?: number): Promise<Snapshots> {
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

export interface CutResult {
  n: number;
  torn: boolean;
  recovery: Outcome;
  after: Outcome;
  recoveryLog: string;
  /** Programs onto unerased cells during the cut run and the two boots after it. */
  dirty: number;
}

/** Restore `snap`, lose power at op N after it, boot twice more and report what ran. */
export async function cutAt(board: Board, snap: FlashSnapshot, n: number, torn: boolean, fraction?: number): Promise<CutResult> {
  const flash = board.device.flash;
  // Vary how far a torn operation got: a torn 8-byte record may land its first byte or not.
  armFrom(board, snap, n, torn, fraction ?? tornFraction(n));
  board.device.powerOn();
  // Either the cut fires (the board powers itself off) or the app comes up first.
  await until(() => !board.device.powered || board.lines.slice(-3).some((l) => VERSION.test(l) || BRICK.test(l)));
  await board.powerOff();
  flash.armCut(null);
  const recovery = await bootOnce(board);
  const next = await bootOnce(board);
  const dirty = flash.stats.dirtyPrograms - snap.counters.dirtyPrograms;
  return { n, torn, recovery: recovery.outcome, after: next.outcome, recoveryLog: recovery.log, dirty };
}

/** Ops the bootloader performs from `snap` until the app runs (no cut). */
export async function opsFrom(board: Board, snap: FlashSnapshot): Promise<number> {
  board.device.flash.restore(snap);
  await bootOnce(board);
  return board.device.flash.stats.ops - snap.counters.ops;
}

export function indices(total: number, step: number, offset = 0): number[] {
  const out: number[] = [];
  for (let n = 1 + offset; n <= total + 1; n += step) out.push(n);
  if (!out.includes(total)) out.push(total); // the final trailer write is the interesting one
  return out;
}

/** Index (after `snap`) of the first flash op matching `pred` in an uncut boot from `snap`. */
export async function opIndexOf(board: Board, snap: FlashSnapshot, pred: (op: FlashOp) => boolean): Promise<number> {
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

export const SWEEP_CONFIG: SimConfig = { timeScale: 100_000 };

/** Sweep the test swap of a board built with `config`; returns the cut points that went wrong. */
export async function sweepFailures(config: SimConfig, step: number, bodySize?: number): Promise<string[]> {
  const s = await capture({ ...SWEEP_CONFIG, ...config }, bodySize);
  const board = new Board({ ...SWEEP_CONFIG, ...config });
  const total = await opsFrom(board, s.pending);
  const bad: string[] = [];
  for (const torn of [false, true]) {
    for (const n of indices(total, step, torn ? 1 : 0)) {
      const r = await cutAt(board, s.pending, n, torn);
      if (!['1.1.0', '1.2.0'].includes(r.recovery) || r.after !== '1.1.0' || r.dirty) {
        bad.push(`N=${n}${torn ? ' torn' : ''}: ${r.recovery} then ${r.after}${r.dirty ? `, ${r.dirty} dirty programs` : ''}`);
      }
    }
  }
  return bad;
}

