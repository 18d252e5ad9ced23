// Rig loading: a fresh process importing the loader and validating rigs/sim.json; and validation
// time on a large rig: 60,000 boards (copies of rigs/sim-pty.json's board, as parsed from a file), once
// valid and once with an unknown field on every board (60,000 problems to collect and de-duplicate).
// And the CLI as a user starts it: `ota-hil help` and `ota-hil rig validate rigs/sim.json`, CPU of
// the whole process (tsx in the repository; the installed package runs compiled JavaScript).
import { execFileSync, spawnSync } from 'node:child_process';
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

  // The process's own CPU, printed at its exit by a preload: one figure whatever the machine's load.
  const atExit = `data:text/javascript,${encodeURIComponent("process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`cpu_ms=${Math.round((u.user + u.system) / 1000)}\\n`); });")}`;
  const cliCpu = (args: string[]) => {
    const ms = [0, 1, 2].map(() => Number(/cpu_ms=(\d+)/.exec(spawnSync(process.execPath, ['--import', atExit, 'bin/ota-hil.mjs', ...args], { encoding: 'utf8' }).stderr)![1]));
    return ms.sort((a, b) => a - b)[1]!;
  };
  out.cli_help_cpu_ms = cliCpu(['help']);
  out.cli_rig_validate_cpu_ms = cliCpu(['rig', 'validate', 'rigs/sim.json']);
  process.stdout.write(`  ota-hil help: ${out.cli_help_cpu_ms} ms CPU; ota-hil rig validate rigs/sim.json: ${out.cli_rig_validate_cpu_ms} ms CPU\n`);

  const base = JSON.parse(readFileSync('rigs/sim-pty.json', 'utf8')) as { boards: Record<string, unknown>[] };
  for (const bad of [false, true]) {
    // Through JSON, as a rig file is read: every board its own objects, none shared.
    const rig = JSON.parse(JSON.stringify({ ...base, boards: Array.from({ length: 60_000 }, (_, i) => ({ ...base.boards[0], name: `b${i}`, ...(bad ? { colour: 'red' } : {}) })) })) as unknown;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let problems = 0;
    try {
      validateRig(rig, 'big.json');
    } catch (e) {
      problems = (e as RigError).problems.length;
    }
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (!bad) out.rig_60k_validate_s = Math.round(secs * 10) / 10;
    process.stdout.write(`  60,000-board rig, ${bad ? `one unknown field per board (${problems} problems)` : 'valid'}: ${secs.toFixed(2)} s (${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU)\n`);
  }
}
