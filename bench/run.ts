// `npm run bench`: every benchmark, figures printed (never asserted), then a table of the speed
// targets; reports/bench.json receives those figures (merged into the file's earlier ones when
// BENCH_ONLY=sweep,suite,console,... picks some). BENCH_SWEEP_STRIDE=N samples the sweeps.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { benchSweep } from './sweep.bench.ts';
import { benchConsole } from './console.bench.ts';
import { benchLatency } from './latency.bench.ts';
import { benchOverhead } from './overhead.bench.ts';
import { benchSuite } from './suite.bench.ts';
import { TARGETS, type Figures } from './stats.ts';
import { benchRig } from './rig.bench.ts';
import { benchFleet } from './fleet.bench.ts';
import { benchBootlog } from './bootlog.bench.ts';
import { benchStartup } from './startup.bench.ts';

const OUT = `${process.env.OTA_HIL_REPORTS ?? 'reports'}/bench.json`;
const figures: Figures = {};
const all: Record<string, (out: Figures) => void | Promise<void>> = {
  sweep: benchSweep,
  console: benchConsole,
  latency: benchLatency,
  overhead: benchOverhead,
  suite: benchSuite,
  rig: benchRig,
  fleet: benchFleet,
  bootlog: benchBootlog,
  startup: benchStartup,
};
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
process.stdout.write(`ota-hil benchmarks — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0]!.toFixed(1)}\n`);
for (const [name, fn] of Object.entries(all)) {
  if (only && !only.includes(name)) continue;
  process.stdout.write(`\n${name}\n`);
  const t0 = performance.now();
  try {
    await fn(figures);
  } catch (e) {
    process.stdout.write(`  FAILED: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
  process.stdout.write(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}

let earlier: Figures = {};
try {
  earlier = JSON.parse(readFileSync(OUT, 'utf8')) as Figures;
} catch {
  // first run
}
const merged: Figures = { ...earlier, ...figures };
mkdirSync(OUT.slice(0, OUT.lastIndexOf('/')), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(merged, null, 2)}\n`);
process.stdout.write(`\n${'figure'.padEnd(28)} ${'value'.padStart(12)}  target   (load ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores)\n`);
for (const [k, v] of Object.entries(merged)) {
  const target = TARGETS[k as keyof Figures];
  const value = typeof v === 'object' ? Object.entries(v as Record<string, number>).map(([s, x]) => `${s}:${x}`).join(' ') : String(v);
  const mark = target === undefined ? '' : `≤ ${target}${(v as number) <= target ? '' : '  (missed)'}`;
  process.stdout.write(`${k.padEnd(28)} ${value.padStart(12)}  ${mark}${k in figures ? '' : '  (earlier run)'}\n`);
}
process.stdout.write(`\nwritten: ${OUT}\n`);
process.exit();
