// Small helpers for printing benchmark figures (never asserted: figures only).
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
