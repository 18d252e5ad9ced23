// Sweep throughput: MCUboot swap using scratch, 512 KiB slots, 4 KiB sectors, 8-byte writes, an
// image that nearly fills the slot; the whole update with a withheld commit (download, test swap,
// trial boot, revert), cut after and torn during every flash operation. BENCH_SWEEP_STRIDE=N runs
// every Nth operation only (a quick look); the figures then say so.
import { Board } from '../harness/fixtures/board.ts';
import { recordUpdate } from '../harness/faults/record.ts';
import { availableParallelism } from 'node:os';
import { sweepThreads } from '../harness/faults/sweep-threads.ts';
import { summarizeSweep } from '../harness/faults/summary.ts';
import { mcubootRig } from './rigs.ts';
import { figure } from './stats.ts';

export async function benchSweep(): Promise<void> {
  const stride = Number(process.env.BENCH_SWEEP_STRIDE ?? 1);
  const rig = mcubootRig('bench-sweep', { slotSize: 512 * 1024, sectorSize: 4096, timeScale: 1000 }, { baseline: 460_000, candidate: 480_000 });
  const board = await Board.open(rig, rig.boards[0]!);
  let rec;
  try {
    rec = await recordUpdate(board, { flow: 'withhold', baseline: board.images.baseline!, candidate: board.images.candidate! });
  } finally {
    await board.close();
  }
  if (!rec.result.ok) throw new Error(`the uninterrupted update did not revert: ${rec.result.boots.join(' → ')}`);
  const phases: Record<string, number> = {};
  for (const o of rec.ops) phases[o.phase] = (phases[o.phase] ?? 0) + 1;
  let done = 0;
  const threads = Number(process.env.BENCH_SWEEP_THREADS ?? availableParallelism());
  const r = await sweepThreads(rec, {
    threads,
    filter: stride > 1 ? (p) => p.op % stride === 0 : undefined,
    onResult: () => {
      if (++done % 2000 === 0) process.stdout.write(`    … ${done} cut points\n`);
    },
  });
  const s = summarizeSweep(r);
  figure('flash operations (download/swap/revert)', `${rec.ops.length} (${Object.entries(phases).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  figure('cut points run', `${r.covered}${stride > 1 ? ` (every ${stride}th operation of ${r.total})` : ` of ${r.total}`}`);
  figure('cut points per second', `${s.pointsPerSecond} (${threads} thread${threads > 1 ? 's' : ''}, 8 forks in flight each)`);
  figure('sweep wall time', `${s.seconds} s${stride > 1 ? `; all ${r.total} points ≈ ${Math.round(r.total / s.pointsPerSecond)} s` : ''}`);
  figure('outcomes', Object.entries(s.byOutcome).map(([k, v]) => `${k} ${v}`).join(', '));
  figure('recording the update once (timeScale 1000)', `${(rec.ms / 1000).toFixed(1)} s`);
}
