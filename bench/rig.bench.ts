// Rig loading: a fresh process importing the loader and validating rigs/sim.json; and validation
// time on a large rig: 60,000 boards (copies of rigs/sim-pty.json's board), once
// valid and once with an unknown field on every board (60,000 problems to collect and de-duplicate).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RigError, validateRig } from '../harness/rig/load.ts';
import type { Figures } from './stats.ts';

export function benchRig(out: Figures): void {
  const runs = [0, 1, 2]
    .map(() => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'test/rig/fixtures/load-rig-child.mjs', 'rigs/sim.json'], { encoding: 'utf8' })) as { importMs: number; validateMs: number; rssMb: number })
    .sort((a, b) => a.importMs + a.validateMs - (b.importMs + b.validateMs));
  const mid = runs[1]!;
  out.rig_load_ms = mid.importMs + mid.validateMs;
  out.rig_load_rss_mb = mid.rssMb;
  process.stdout.write(`  fresh process, import the rig loader + validate rigs/sim.json: ${mid.importMs} + ${mid.validateMs} ms, ${mid.rssMb} MB RSS\n`);

  const base = JSON.parse(readFileSync('rigs/sim-pty.json', 'utf8')) as { boards: Record<string, unknown>[] };
  for (const bad of [false, true]) {
    const boards = Array.from({ length: 60_000 }, (_, i) => ({ ...base.boards[0], name: `b${i}`, ...(bad ? { colour: 'red' } : {}) }));
    const t0 = performance.now();
    let problems = 0;
    try {
      validateRig({ ...base, boards }, 'big.json');
    } catch (e) {
      problems = (e as RigError).problems.length;
    }
    const secs = (performance.now() - t0) / 1000;
    if (!bad) out.rig_60k_validate_s = Math.round(secs * 10) / 10;
    process.stdout.write(`  60,000-board rig, ${bad ? `one unknown field per board (${problems} problems)` : 'valid'}: ${secs.toFixed(2)} s\n`);
  }
}
