// Wall time of the two suites on this machine: `npm run scenarios` on the default simulated rig
// (every scenario, every simulated board, sweeps included; reports to a temporary directory) and
// `npm test`. The CPU seconds beside them say how much of the wall time was waiting or starved
// (a shared machine inflates wall time, not CPU time).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { childCpuSeconds, figure, type Figures } from './stats.ts';

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): { secs: number; cpu: number | null; status: number | null; tail: string } {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const cpu1 = childCpuSeconds();
  const out = `${r.stdout}\n${r.stderr}`.trim().split('\n');
  return { secs: (performance.now() - t0) / 1000, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, status: r.status, tail: out.slice(-12).join('\n') };
}

const cpuText = (cpu: number | null) => (cpu === null ? '' : `, ${cpu.toFixed(0)} s CPU`);

export function benchSuite(out: Figures): void {
  const reports = mkdtempSync(path.join(tmpdir(), 'ota-hil-bench-suite-'));
  const s = timed(process.execPath, ['harness/cli/scenarios.mjs'], { OTA_HIL_REPORTS: reports, CI: '' });
  out.scenarios_s = Math.round(s.secs);
  const passed = /(\d+) passed/.exec(s.tail)?.[1];
  const failed = /(\d+) failed/.exec(s.tail)?.[1];
  figure('npm run scenarios', `${s.secs.toFixed(0)} s wall${cpuText(s.cpu)} (exit ${s.status}; ${passed ?? '?'} passed${failed ? `, ${failed} failed` : ''})`);
  const t = timed('npm', ['test'], {});
  out.npm_test_s = Math.round(t.secs);
  const pass = /# pass (\d+)/.exec(t.tail)?.[1];
  const fail = /# fail (\d+)/.exec(t.tail)?.[1];
  figure('npm test', `${t.secs.toFixed(0)} s wall${cpuText(t.cpu)} (exit ${t.status}; ${pass ?? '?'} passed, ${fail ?? '?'} failed)`);
}
