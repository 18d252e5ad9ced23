// Sweep throughput: MCUboot swap using scratch, 4 KiB sectors, 8-byte writes, images that nearly
// fill the slot (460/512 and 480/512 of it); the whole update with a withheld commit (download,
// test swap, trial boot, revert), cut after and torn during every flash operation. Each sweep runs
// in a child process of its own, so its peak memory and CPU time are its own. Figures: per-point
// cost on one thread at 64–512 KiB slots (the growth shows), and the whole 512 KiB sweep on every
// core, each with its CPU time and the load average (the machine may be shared). BENCH_SWEEP_STRIDE=N
// runs every Nth operation only (a quick look; the figures say so).
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Board } from '../harness/fixtures/board.ts';
import { recordUpdate } from '../harness/faults/record.ts';
import { sweepThreads } from '../harness/faults/sweep-threads.ts';
import { mcubootRig } from './rigs.ts';
import { figure, type Figures } from './stats.ts';

export interface SweepFigures {
  kib: number;
  threads: number;
  stride: number;
  ops: number;
  points: number;
  /** Wall ms, and CPU ms of the whole process (every thread). */
  ms: number;
  cpuMs: number;
  peakMb: number;
  byOutcome: Record<string, number>;
}

const SLOTS = [64, 128, 256, 512] as const;

/** One sweep in this process (the child's side). */
export async function measureSweep(kib: number, threads: number, stride = 1): Promise<SweepFigures> {
  const slot = kib * 1024;
  const rig = mcubootRig(`bench-sweep-${kib}k`, { slotSize: slot, sectorSize: 4096, timeScale: 1000 }, { baseline: Math.round((slot * 460) / 512), candidate: Math.round((slot * 480) / 512) });
  const board = await Board.open(rig, rig.boards[0]!);
  let rec;
  try {
    rec = await recordUpdate(board, { flow: 'withhold', baseline: board.images.baseline!, candidate: board.images.candidate! });
  } finally {
    await board.close();
  }
  if (!rec.result.ok) throw new Error(`the uninterrupted update did not revert: ${rec.result.boots.join(' → ')}`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await sweepThreads(rec, { threads, filter: stride > 1 ? (p) => p.op % stride === 0 : undefined });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const byOutcome: Record<string, number> = {};
  for (const p of r.results) byOutcome[p.outcome] = (byOutcome[p.outcome] ?? 0) + 1;
  return { kib, threads, stride, ops: rec.ops.length, points: r.covered, ms, cpuMs: (cpu.user + cpu.system) / 1000, peakMb: process.resourceUsage().maxRSS / 1024, byOutcome };
}

function child(kib: number, threads: number, stride: number): SweepFigures {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(kib), String(threads), String(stride)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`sweep ${kib} KiB on ${threads} thread(s) failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as SweepFigures;
}

const perPoint = (f: SweepFigures) => `${(f.ms / f.points).toFixed(2)} ms wall, ${(f.cpuMs / f.points).toFixed(2)} ms CPU`;

const load = () => loadavg()[0]!.toFixed(1);

export function benchSweep(out: Figures): void {
  const stride = Number(process.env.BENCH_SWEEP_STRIDE ?? 1);
  const sampled = stride > 1 ? ` (every ${stride}th operation)` : '';
  const bySlot: Record<string, number> = {};
  const cpuBySlot: Record<string, number> = {};
  const loads = [load()];
  for (const kib of SLOTS) {
    const f = child(kib, 1, stride);
    bySlot[kib] = +(f.ms / f.points).toFixed(3);
    cpuBySlot[kib] = +(f.cpuMs / f.points).toFixed(3);
    loads.push(load());
    figure(`${kib} KiB slots, one thread, per cut point`, `${perPoint(f)} (${f.points} points${sampled}, ${f.ops} operations; load ${loads[loads.length - 1]})`);
    if (kib === 64) out.sweep_64k_ms_per_point = bySlot[kib];
  }
  out.sweep_ms_per_point_by_slot = bySlot;
  out.sweep_cpu_ms_per_point_by_slot = cpuBySlot;
  const threads = Number(process.env.BENCH_SWEEP_THREADS ?? availableParallelism());
  const f = child(512, threads, stride);
  out.sweep_512k_s = +(f.ms / 1000).toFixed(1);
  out.sweep_512k_points = f.points;
  out.sweep_512k_peak_mb = Math.round(f.peakMb);
  out.sweep_512k_cpu_s = +(f.cpuMs / 1000).toFixed(1);
  loads.push(load());
  out.sweep_load = loads.join(' → ');
  figure(`512 KiB sweep, ${threads} threads`, `${(f.ms / 1000).toFixed(1)} s wall, ${(f.cpuMs / 1000).toFixed(1)} s CPU, ${f.points} points${sampled}, peak ${Math.round(f.peakMb)} MB; load ${loads[loads.length - 1]}`);
  figure('  outcomes', Object.entries(f.byOutcome).map(([k, v]) => `${k} ${v}`).join(', '));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kib, threads, stride] = process.argv.slice(2).map(Number);
  process.stdout.write(`${JSON.stringify(await measureSweep(kib!, threads!, stride))}\n`);
  process.exit();
}
