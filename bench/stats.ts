// Small helpers for printing benchmark figures (never asserted: figures only).
import { readFileSync } from 'node:fs';
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summary(samples: readonly number[]): { n: number; p50: number; p99: number; max: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

export const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

export function figure(name: string, value: string): void {
  process.stdout.write(`  ${name.padEnd(44)} ${value}\n`);
}

/** What reports/bench.json holds: the figures the speed targets are stated in. */
export interface Figures {
  sweep_64k_ms_per_point?: number;
  sweep_512k_s?: number;
  sweep_512k_points?: number;
  sweep_512k_peak_mb?: number;
  sweep_ms_per_point_by_slot?: Record<string, number>;
  /** CPU beside wall (the machine is shared): per point on one thread, and the 512 KiB sweep's seconds on every thread. */
  sweep_cpu_ms_per_point_by_slot?: Record<string, number>;
  sweep_512k_cpu_s?: number;
  /** 1-minute load average over the sweep figures (first to last), so a slow wall figure can be read. */
  sweep_load?: string;
  scenarios_s?: number;
  npm_test_s?: number;
  /** Validating a 60,000-board rig (issue 14). */
  rig_60k_validate_s?: number;
  /** A fresh process importing the rig loader and validating rigs/sim.json (median of 3), and its memory then. */
  rig_load_ms?: number;
  rig_load_rss_mb?: number;
  /** CPU of the whole `ota-hil help` / `ota-hil rig validate rigs/sim.json` process (median of 3). */
  cli_help_cpu_ms?: number;
  cli_rig_validate_cpu_ms?: number;
  /** CPU of the Playwright runner listing the stock library, and of a worker running a test that opens no board (median of 3). */
  pw_list_cpu_ms?: number;
  pw_worker_cpu_ms?: number;
  /** Corpus logs of each stack grown a line at a time: the follower's CPU, and a full parse at every line's. */
  bootlog_follow_cpu_ms?: number;
  bootlog_full_cpu_ms?: number;
}

/** Targets (issue 15): wall figures on 2 cores, lower is better. */
export const TARGETS: Partial<Record<keyof Figures, number>> = {
  sweep_64k_ms_per_point: 0.5,
  sweep_512k_s: 45,
  sweep_512k_peak_mb: 300,
  scenarios_s: 90,
  npm_test_s: 120,
  rig_60k_validate_s: 5,
};

/** CPU seconds used so far by this process's waited-for children (Linux /proc; null elsewhere). */
export function childCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}
