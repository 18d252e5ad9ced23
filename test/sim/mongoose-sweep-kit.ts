// Power-cut sweeps for the Mongoose OS boards: record the flash at the interesting moments of a
// real update, then replay the update (or the commit, or the revert) from there with power lost
// before flash operation N, or in the middle of it (torn), and see what boots afterwards.
import assert from 'node:assert/strict';
import type { FlashSnapshot } from '../../harness/sim/flash.ts';
import type { SimStack } from '../../harness/sim/stack.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import { Board, BRICK, CANDIDATE, VERSION, serve, until, type ImageServer } from './mongoose-helpers.ts';
import { armFrom, bootOnceWith, tornFraction } from './stack-kit.ts';
import { INIT_DONE, baselineUp, upFrom } from './mongoose-flows.ts';

export const TORN_FRACTIONS = [0.5, 0.1, 0.9, 0.02, 0.6];
/** Fast simulated time, and a commit timeout that cannot expire while a sweep step looks. */
export const SWEEP_CONFIG: SimConfig = { timeScale: 20_000 };
const COMMIT_TIMEOUT = 3600;

export interface Target {
  stack: SimStack;
  config: SimConfig;
  /** A line only a trial boot prints. */
  trialMark: RegExp;
  /** Boot control (NVS and otadata, rboot_config) lies below this address; the slots above. */
  controlBelow: number;
}

export interface Capture {
  /** Baseline up, conf9.json written: where an update starts. */
  base: FlashSnapshot;
  /** After the update's last boot-control write: complete, the reboot not yet done. */
  pending: FlashSnapshot;
  /** Operations from base until the trial boot is up (download, switch, first-boot work). */
  updateOps: number;
  /** Of those, the download's (before the first boot-control write). */
  downloadOps: number;
  /** The flash's operation count when the trial is up (booted from pending, uncut). */
  trialOps: number;
  commitOps: number;
  revertOps: number;
  image: Uint8Array;
}

export async function capture(t: Target): Promise<Capture> {
  const config = { ...SWEEP_CONFIG, ...t.config };
  const board = await baselineUp(t.stack, config);
  const flash = board.device.flash;
  const base = flash.snapshot();
  const image = board.image(CANDIDATE);
  const server = await serve(image);
  let pending: FlashSnapshot | null = null;
  let firstControl = 0;
  const m = board.mark();
  // The last boot-control write before the app says it reboots completes the update.
  // Asked at every flash op: lines already read are not read again.
  let read = m;
  let rebootSaid = false;
  const rebooting = () => {
    for (; !rebootSaid && read < board.lines.length; read++) rebootSaid = /Rebooting in 100 ms/.test(board.lines[read]!);
    return rebootSaid;
  };
  flash.onOp = (op, n) => {
    if (op.addr >= t.controlBelow || rebooting()) return;
    if (!firstControl) firstControl = n;
    pending = flash.snapshot();
  };
  board.send(`OTA.Update ${JSON.stringify({ url: server.url, commit_timeout: COMMIT_TIMEOUT })}`);
  const at = await board.waitFor(/Rebooting in 100 ms/, m, 10_000);
  assert.equal(await upFrom(board, at + 1), '1.1.0');
  flash.onOp = null;
  assert.ok(pending, 'the switch to the new slot was never written');
  const p: FlashSnapshot = pending;
  const updateOps = flash.stats.ops - base.counters.ops;
  const trialOps = flash.stats.ops;
  const before = flash.stats.ops;
  await board.call('OTA.Commit');
  const commitOps = flash.stats.ops - before;
  await board.powerOff();
  await server.close();
  const revertOps = await opsOf(t, p, (b) => b.send('OTA.Revert'));
  return { base, pending: p, updateOps, downloadOps: firstControl - base.counters.ops - 1, trialOps, commitOps, revertOps, image };
}

/** Boot from `pending` into the trial, run `action`, count its operations until the next app is up. */
async function opsOf(t: Target, pending: FlashSnapshot, action: (b: Board) => void): Promise<number> {
  const board = new Board(t.stack, { ...SWEEP_CONFIG, ...t.config });
  board.device.flash.restore(pending);
  board.device.powerOn();
  await upFrom(board, 0);
  const before = board.device.flash.stats.ops;
  const m = board.mark();
  action(board);
  await upFrom(board, m + 1);
  const n = board.device.flash.stats.ops - before;
  await board.powerOff();
  return n;
}

export type Outcome = string;

/** An app fully up (its version, then Init done), a brick, or 'stuck': what a boot's console shows. */
function outcomeOf(lines: string[]): Outcome {
  let outcome: Outcome = 'stuck';
  let v: string | null = null;
  for (const line of lines) {
    const hit = VERSION.exec(line);
    if (hit) v = hit[1]!;
    else if (v && INIT_DONE.test(line)) outcome = v;
    else if (BRICK.test(line) && !/is bad/.test(line)) outcome = 'brick';
  }
  return outcome;
}

/** Power on, wait for an app to be fully up (or a brick), power off. */
export const bootOnce = (board: Board): Promise<{ outcome: Outcome; log: string }> => bootOnceWith(board, outcomeOf);

export interface CutResult {
  n: number;
  torn: boolean;
  /** What came up first after the cut, then after one and two more power cycles. */
  recovery: Outcome;
  after: Outcome;
  third: Outcome;
  recoveryLog: string;
  dirty: number;
}

export type Phase = 'update' | 'commit' | 'revert';

/**
 * Replay `phase` with power lost at its operation n: 'update' from the baseline (OTA.Update),
 * 'commit' and 'revert' from the trial (OTA.Commit, OTA.Revert).
 */
export async function cutAt(board: Board, t: Target, c: Capture, server: ImageServer, phase: Phase, n: number, torn: boolean): Promise<CutResult> {
  const flash = board.device.flash;
  const start = phase === 'update' ? c.base : c.pending;
  const offset = phase === 'update' ? 0 : c.trialOps - start.counters.ops;
  armFrom(board, start, offset + n, torn, tornFraction(n, TORN_FRACTIONS));
  const m = board.mark();
  board.device.powerOn();
  const up = await board.waitFor(INIT_DONE, m, 5000).catch(() => -1);
  if (up >= 0 && board.device.powered) {
    const from = board.mark();
    if (phase === 'update') board.send(`OTA.Update ${JSON.stringify({ url: server.url, commit_timeout: COMMIT_TIMEOUT })}`);
    else board.send(phase === 'commit' ? 'OTA.Commit' : 'OTA.Revert');
    // Either the cut fires (the board powers itself off) or the phase completes first.
    // From `after` on, not from the first line: the board's console holds every earlier cut's lines.
    const seen = (re: RegExp, after = from): number => {
      for (let i = after; i < board.lines.length; i++) if (re.test(board.lines[i]!)) return i;
      return -1;
    };
    const complete = (): boolean => {
      if (phase === 'commit') return seen(/^\{"id":\d+,/) >= 0;
      const next = seen(phase === 'update' ? t.trialMark : /Reverting to slot/);
      return next >= 0 && seen(INIT_DONE, next) >= 0;
    };
    await until(() => !board.device.powered || complete(), 5000);
  }
  await board.powerOff();
  flash.armCut(null);
  const recovery = await bootOnce(board);
  const after = await bootOnce(board);
  const third = await bootOnce(board);
  return { n, torn, recovery: recovery.outcome, after: after.outcome, third: third.outcome, recoveryLog: recovery.log, dirty: flash.stats.dirtyPrograms - start.counters.dirtyPrograms };
}

/** Every cut point of a phase of `total` operations, and one past its end (no cut at all). */
export function points(total: number): number[] {
  return Array.from({ length: total + 1 }, (_, i) => i + 1);
}

/** Run a sweep and return the cut points that broke `ok`. */
export async function sweep(t: Target, c: Capture, phase: Phase, ns: number[], ok: (r: CutResult) => boolean): Promise<{ bad: string[]; results: CutResult[] }> {
  const board = new Board(t.stack, { ...SWEEP_CONFIG, ...t.config });
  const server = await serve(c.image);
  const bad: string[] = [];
  const results: CutResult[] = [];
  for (const torn of [false, true]) {
    for (const n of ns) {
      const r = await cutAt(board, t, c, server, phase, n, torn);
      results.push(r);
      if (!ok(r) || r.dirty) bad.push(`${phase} N=${n}${torn ? ' torn' : ''}: ${r.recovery} → ${r.after} → ${r.third}${r.dirty ? `, ${r.dirty} dirty programs` : ''}`);
    }
  }
  await server.close();
  return { bad, results };
}
