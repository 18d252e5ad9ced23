// The sweep spread over threads (one event loop per core): this one and pooled worker threads
// (worker-pool.ts). Each worker thread rebuilds the recording from plain data — stack, parser and
// promises by name — and runs its share of the cut points (every Nth run of them); results stream
// back as they come.
import type { FlashSnapshot } from '../sim/flash.ts';
import type { CommitConfig, StackName } from '../rig/schema.ts';
import type { SimDeviceConfig } from '../sim/stack.ts';
import { simStack } from '../sim/registry.ts';
import { parserFor } from '../bootlog/registry.ts';
import { promisesOf } from '../fixtures/promises.ts';
import { sweep, type CutPoint, type PointResult, type SweepOptions, type SweepResult } from './sweep.ts';
import type { RecordedOp, Recording } from './record.ts';
import type { Flow, Versions } from './recover.ts';
import { runOnThread } from './worker-pool.ts';

/** What crosses to a thread: data only. */
export interface PortableRecording {
  board: string;
  stack: StackName;
  config: SimDeviceConfig;
  commit: CommitConfig | undefined;
  versions: Versions;
  flow: Flow;
  base: FlashSnapshot;
  ops: RecordedOp[];
}

export type ThreadOptions = Omit<SweepOptions, 'filter' | 'onResult' | 'shard'> & { shard: { index: number; count: number }; only?: string[] };

export const pointKey = (p: CutPoint) => `${p.op}${p.torn ? `t${p.fraction ?? 0.5}` : ''}`;

export async function fromPortable(p: PortableRecording): Promise<Recording> {
  return {
    ...p,
    stack: await simStack(p.stack, p.board),
    parser: parserFor(p.stack),
    promises: promisesOf(p.stack, p.config.firmware),
    console: [],
    result: { outcome: 'baseline', ok: true, boots: [], detail: '' },
    ms: 0,
  };
}

/** Like sweep(), on `threads` threads: this one and `threads` - 1 pooled worker threads. */
export async function sweepThreads(rec: Recording, opts: SweepOptions & { threads?: number } = {}): Promise<SweepResult> {
  const threads = opts.threads ?? 1;
  if (threads <= 1) return sweep(rec, opts);
  const t0 = performance.now();
  const portable: PortableRecording = {
    board: rec.board,
    stack: rec.stack.name,
    config: rec.config,
    commit: rec.commit,
    versions: rec.versions,
    flow: rec.flow,
    base: rec.base,
    ops: rec.ops,
  };
  let only: string[] | undefined;
  if (opts.filter) {
    // A filter cannot cross threads: send the points it keeps.
    only = [];
    const fractions = opts.fractions ?? [0.5];
    for (let n = 0; n <= rec.ops.length; n++) {
      const ps: CutPoint[] = [{ op: n, torn: false }, ...(n < rec.ops.length ? fractions.map((fraction) => ({ op: n + 1, torn: true, fraction })) : [])];
      for (const p of ps) if (opts.filter(p)) only.push(pointKey(p));
    }
  }
  const { filter, onResult, threads: _t, ...rest } = opts;
  const results: PointResult[] = [];
  const take = (r: PointResult) => {
    results.push(r);
    onResult?.(r);
  };
  // Share 0 runs here: this thread would only wait meanwhile, and one thread fewer is its memory saved.
  const parts = await Promise.all([
    sweep(rec, { ...rest, filter, shard: { index: 0, count: threads }, onResult: take }),
    ...Array.from({ length: threads - 1 }, (_, i) =>
      runOnThread({ rec: portable, opts: { ...rest, shard: { index: i + 1, count: threads }, only } }, (m) => {
        if (m.type === 'result') take(m.r as PointResult);
      }),
    ),
  ]);
  results.sort((a, b) => a.op - b.op || Number(a.torn) - Number(b.torn) || (a.fraction ?? 0) - (b.fraction ?? 0));
  return {
    board: rec.board,
    stack: rec.stack.name,
    flow: rec.flow,
    ops: rec.ops.length,
    total: parts[0].total,
    covered: results.length,
    results,
    failures: results.filter((r) => !r.ok),
    ms: performance.now() - t0,
  };
}

/** A worker thread's side: called from sweep-worker.mjs. */
export async function threadMain(rec: PortableRecording, opts: ThreadOptions, post: (m: unknown) => void): Promise<void> {
  const only = opts.only ? new Set(opts.only) : null;
  const r = await sweep(await fromPortable(rec), {
    ...opts,
    filter: only ? (p) => only.has(pointKey(p)) : undefined,
    onResult: (x) => post({ type: 'result', r: x }),
  });
  post({ type: 'done', total: r.total });
}
