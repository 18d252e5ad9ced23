// The exhaustive power-cut sweep over a recorded update. Cut points: after each of the update's N
// flash operations (0..N, a clean cut between operations) and during each of them (torn, once per
// configured fraction). Each point forks: the flash at that point is rebuilt from the recording
// (the running image plus the journal, never by replaying firmware), a fresh device boots from it
// and is recovered the way the harness recovers a board. Forks run concurrently in this process
// at a large timeScale, so simulated time stays ordered while waits cost almost nothing.
import type { FlashCounters } from '../sim/flash.ts';
import { Fork, type ForkSetup, type TornOp } from './fork.ts';
import { recover, type Outcome } from './recover.ts';
import { RecoveryMemo } from './memo.ts';
import { ReadMemo } from './read-memo.ts';

/** Neighbouring cut points handed out together (see sweep()). */
const BLOCK = 32;
import { expectationFor, type Phase } from './phases.ts';
import type { RecordedOp, Recording } from './record.ts';

export interface CutPoint {
  /** Clean: power lost after `op` operations (0 = before the first). Torn: lost during operation `op`. */
  op: number;
  torn: boolean;
  /** How far a torn operation got. */
  fraction?: number;
}

export interface PointResult extends CutPoint {
  phase: Phase;
  /** The cut in words, with the operation it hit. */
  what: string;
  outcome: Outcome;
  ok: boolean;
  boots: string[];
  detail: string;
}

export interface SweepOptions {
  /** Torn variants per operation: how far each got (default [0.5]). */
  fractions?: readonly number[];
  /**
   * Forks in flight at once (default 2): overlaps their few real waits (a fork whose device went
   * quiet). Each holds two flash images (its own, and its place in the journal), so more cost
   * memory; 8 made no sweep of the sim stacks faster, mutants and hanging images included.
   */
  concurrency?: number;
  /** Simulated seconds per wall second in the forks (default 100 000). */
  timeScale?: number;
  /** Wall ms of silence after which a boot counts as stuck (default 100). */
  quietMs?: number;
  /** Run only these points (the rest count as not covered). */
  filter?: (p: CutPoint) => boolean;
  /** Stop once this many points failed (the rest count as not covered): a mutant run needs one. */
  stopAfterFailures?: number;
  /** Run only every `count`th point from `index` (one thread's share; see sweep-threads.ts). */
  shard?: { index: number; count: number };
  onResult?: (r: PointResult) => void;
  /** Share recoveries between forks that power on with the same flash (default on; false: every fork recovers in full). */
  memo?: boolean;
}

export interface SweepResult {
  board: string;
  stack: string;
  flow: Recording['flow'];
  ops: number;
  /** Cut points in the sweep. */
  total: number;
  /** Cut points run. */
  covered: number;
  results: PointResult[];
  failures: PointResult[];
  ms: number;
}

export function cutPointCount(ops: number, fractions = 1): number {
  return ops + 1 + ops * fractions;
}

export async function sweep(rec: Recording, opts: SweepOptions = {}): Promise<SweepResult> {
  const t0 = performance.now();
  await rec.stack.loadBoot?.(); // in a fresh thread too: each fork's first boot starts at once
  const fractions = opts.fractions ?? [0.5];
  const setup: ForkSetup = {
    stack: rec.stack,
    config: { ...rec.config, timeScale: opts.timeScale ?? 100_000 },
    parser: rec.parser,
    commit: rec.commit,
    quietMs: opts.quietMs ?? 100,
  };
  const results: PointResult[] = [];
  const shard = opts.shard;
  const concurrency = Math.max(1, opts.concurrency ?? 2);
  const memo = opts.memo === false ? undefined : { power: new RecoveryMemo(), reads: new ReadMemo<Recalled>(rec.base.bytes, rec.ops) };
  let failed = 0;
  const enough = () => opts.stopAfterFailures !== undefined && failed >= opts.stopAfterFailures;
  // Points go out in runs of BLOCK neighbours (threads, then forks in flight, take turns by run):
  // neighbours mostly recover alike, and a run's later forks find its first one's recovery.
  const worker = async (w: number) => {
    let seq = 0;
    const mine = (p: CutPoint) => {
      const block = Math.floor(seq++ / BLOCK);
      if (shard && block % shard.count !== shard.index) return false;
      const local = shard ? Math.floor(block / shard.count) : block;
      return local % concurrency === w && (!opts.filter || opts.filter(p));
    };
    const points = forkStates(rec, fractions, mine);
    // The generator advances only between forks; each fork copies the image before the next step.
    for (let it = points.next(); !it.done && !enough(); it = points.next()) {
      const r = await runPoint(rec, setup, it.value, memo);
      if (!r.ok) failed++;
      results.push(r);
      opts.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  results.sort((a, b) => a.op - b.op || Number(a.torn) - Number(b.torn) || (a.fraction ?? 0) - (b.fraction ?? 0));
  return {
    board: rec.board,
    stack: rec.stack.name,
    flow: rec.flow,
    ops: rec.ops.length,
    total: cutPointCount(rec.ops.length, fractions.length),
    covered: results.length,
    results,
    failures: results.filter((r) => !r.ok),
    ms: performance.now() - t0,
  };
}

interface ForkState {
  point: CutPoint;
  bytes: Uint8Array;
  counters: FlashCounters;
  torn?: TornOp;
}

/** Walk the journal once, yielding every cut point with the flash as it stood there. */
function* forkStates(rec: Recording, fractions: readonly number[], filter?: (p: CutPoint) => boolean): Generator<ForkState> {
  const image = rec.base.bytes.slice();
  const { ops } = rec;
  for (let n = 0; n <= ops.length; n++) {
    if (n > 0) apply(image, ops[n - 1]!);
    const counters = n === 0 ? rec.base.counters : ops[n - 1]!.after;
    const clean: CutPoint = { op: n, torn: false };
    if (!filter || filter(clean)) yield { point: clean, bytes: image, counters };
    const next = ops[n];
    if (!next) continue;
    for (const fraction of fractions) {
      const point: CutPoint = { op: n + 1, torn: true, fraction };
      if (!filter || filter(point)) yield { point, bytes: image, counters, torn: { ...next, fraction } };
    }
  }
}

/** The flash a fork of `point` starts from (rebuilt from scratch; the sweep walks the journal once instead). */
export function stateAt(rec: Recording, point: CutPoint): { bytes: Uint8Array; counters: FlashCounters; torn?: TornOp } {
  const n = point.torn ? point.op - 1 : point.op;
  const bytes = rec.base.bytes.slice();
  for (let i = 0; i < n; i++) apply(bytes, rec.ops[i]!);
  const counters = n === 0 ? rec.base.counters : rec.ops[n - 1]!.after;
  return point.torn ? { bytes, counters, torn: { ...rec.ops[n]!, fraction: point.fraction ?? 0.5 } } : { bytes, counters };
}

function apply(image: Uint8Array, op: RecordedOp): void {
  if (op.kind === 'erase') image.fill(0xff, op.addr, op.addr + op.len);
  else image.set(op.data!, op.addr);
}

type Recalled = Pick<PointResult, 'outcome' | 'ok' | 'boots' | 'detail'>;

async function runPoint(rec: Recording, setup: ForkSetup, s: ForkState, memo?: { power: RecoveryMemo; reads: ReadMemo<Recalled> }): Promise<PointResult> {
  const { point } = s;
  const op = rec.ops[Math.max(0, point.op - 1)];
  const phase: Phase = op?.phase ?? 'download';
  const at = { ...point, phase, what: describePoint(rec, point) };
  const where = { state: point.torn ? point.op - 1 : point.op, torn: point.torn, fraction: point.fraction };
  const known = memo?.reads.get(where);
  if (known) return { ...at, ...known, boots: [...known.boots] };
  const fork = new Fork(setup, `${rec.board}~${point.torn ? 't' : 'c'}${point.op}`, s.bytes, s.counters, s.torn);
  try {
    const reads = memo ? fork.watchReads() : null;
    const r = await recover(fork, rec.versions, expectationFor(rec.flow, phase, rec.promises), { memo: memo?.power });
    const recalled: Recalled = { outcome: r.outcome, ok: r.ok, boots: r.boots, detail: r.detail };
    if (reads) memo!.reads.add(reads, recalled, where);
    return { ...at, ...recalled, boots: [...r.boots] };
  } finally {
    fork.dispose();
  }
}

export function describePoint(rec: Recording, p: CutPoint): string {
  const op = rec.ops[p.op - 1];
  const desc = op ? `${op.kind} 0x${op.addr.toString(16)}+${op.len}` : '';
  if (p.torn) return `torn during op ${p.op} (${desc}, ${Math.round((p.fraction ?? 0.5) * 100)}% done)`;
  return p.op === 0 ? 'before the first operation' : `after op ${p.op} (${desc})`;
}
