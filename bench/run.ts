// `npm run bench`: every benchmark, figures printed (never asserted). BENCH_ONLY=sweep,console,...
// picks some; BENCH_SWEEP_STRIDE=N samples the sweep benchmark.
import os from 'node:os';
import { benchSweep } from './sweep.bench.ts';
import { benchConsole } from './console.bench.ts';
import { benchLatency } from './latency.bench.ts';
import { benchOverhead } from './overhead.bench.ts';
import { benchSuite } from './suite.bench.ts';

const all: Record<string, () => void | Promise<void>> = {
  sweep: benchSweep,
  console: benchConsole,
  latency: benchLatency,
  overhead: benchOverhead,
  suite: benchSuite,
};
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
process.stdout.write(`ota-hil benchmarks — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0]!.toFixed(1)}\n`);
for (const [name, fn] of Object.entries(all)) {
  if (only && !only.includes(name)) continue;
  process.stdout.write(`\n${name}\n`);
  const t0 = performance.now();
  try {
    await fn();
  } catch (e) {
    process.stdout.write(`  FAILED: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
  process.stdout.write(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
process.exit();
