// A sweep's cut points by outcome, for the report: JSON (counts per phase and outcome, every failing
// point with the boots it saw and a fault plan that replays it through the harness), a small text
// table for the terminal, CSV tables for the report, and the data of the sweep's picture.
import type { FaultPlan } from './plan.ts';
import type { PointResult, SweepResult } from './sweep.ts';
import { PHASES } from './phases.ts';
import type { PointClass, SweepPictureData } from '../report/sweep-picture.ts';

export interface SweepFailure {
  what: string;
  phase: string;
  outcome: string;
  detail: string;
  boots: string[];
  /** The same cut as a fault plan: `runPlan` replays it on the simulated board, end to end. */
  plan: FaultPlan;
}

export interface SweepSummary {
  board: string;
  stack: string;
  flow: string;
  ops: number;
  total: number;
  covered: number;
  seconds: number;
  pointsPerSecond: number;
  byOutcome: Record<string, number>;
  byPhase: Record<string, Record<string, number>>;
  failures: SweepFailure[];
}

export function summarizeSweep(r: SweepResult): SweepSummary {
  const byOutcome: Record<string, number> = {};
  const byPhase: Record<string, Record<string, number>> = {};
  for (const p of r.results) {
    byOutcome[p.outcome] = (byOutcome[p.outcome] ?? 0) + 1;
    const row = (byPhase[p.phase] ??= {});
    row[p.outcome] = (row[p.outcome] ?? 0) + 1;
  }
  return {
    board: r.board,
    stack: r.stack,
    flow: r.flow,
    ops: r.ops,
    total: r.total,
    covered: r.covered,
    seconds: +(r.ms / 1000).toFixed(2),
    pointsPerSecond: Math.round(r.covered / (r.ms / 1000)),
    byOutcome,
    byPhase,
    failures: r.failures.map((p) => ({ what: p.what, phase: p.phase, outcome: p.outcome, detail: p.detail, boots: p.boots, plan: replayPlan(r, p) })),
  };
}

/** Clean after op N is a cut before op N+1; torn is torn during op N. */
export function replayPlan(r: Pick<SweepResult, 'board' | 'flow'>, p: PointResult): FaultPlan {
  const cut = p.torn ? { kind: 'flash-op' as const, op: p.op, torn: true, fraction: p.fraction ?? 0.5 } : { kind: 'flash-op' as const, op: p.op + 1 };
  return { name: `sweep ${r.board} ${r.flow}: ${p.what}`, commit: r.flow, cuts: [cut] };
}

/** Phase rows by outcome columns, then the first failing points. */
export function sweepTable(s: SweepSummary, maxFailures = 20): string {
  const outcomes = Object.keys(s.byOutcome).sort();
  const phases = PHASES.filter((p) => s.byPhase[p]);
  const head = ['phase', 'points', ...outcomes];
  const rows = phases.map((ph) => {
    const row = s.byPhase[ph]!;
    return [ph, String(Object.values(row).reduce((a, b) => a + b, 0)), ...outcomes.map((o) => String(row[o] ?? 0))];
  });
  rows.push(['all', String(s.covered), ...outcomes.map((o) => String(s.byOutcome[o]))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [
    `${s.board} (${s.stack}), ${s.flow === 'confirm' ? 'update then commit' : 'withheld commit, revert'}: ${s.ops} flash operations, ${s.covered}/${s.total} cut points in ${s.seconds} s (${s.pointsPerSecond}/s)`,
    fmt(head),
    ...rows.map(fmt),
  ];
  if (s.failures.length) {
    out.push('', `${s.failures.length} cut point(s) broke the promise:`);
    for (const f of s.failures.slice(0, maxFailures)) out.push(`  ${f.what} [${f.phase}]: ${f.outcome} — ${f.detail}`);
    if (s.failures.length > maxFailures) out.push(`  … and ${s.failures.length - maxFailures} more (sweep-failures.json)`);
  }
  return out.join('\n');
}

/** Outcomes by class: an image the promise allows, a documented risk, or a failure. */
export function pointClass(p: Pick<PointResult, 'outcome' | 'ok'>): PointClass {
  if (p.outcome === 'baseline' || p.outcome === 'candidate') return p.ok ? p.outcome : 'failure';
  return p.ok ? 'risk' : 'failure';
}

/** The picture's data: every point at its operation, failures numbered in `r.failures` order (as their fault plans). */
export function sweepPictureData(r: SweepResult, phases: readonly string[]): SweepPictureData {
  const number = new Map(r.failures.map((p, i) => [p, i + 1]));
  const flow = r.flow === 'confirm' ? 'update then commit' : 'withheld commit, revert';
  return {
    title: `${r.board} (${r.stack}) · power-cut sweep · ${flow}`,
    subtitle: `${r.ops} flash operations, ${r.covered}/${r.total} cut points run; each cell a cut after (clean) or during (torn) an operation, coloured by how the board ended`,
    ops: r.ops,
    phases: [...phases],
    total: r.total,
    points: r.results.map((p) => ({
      op: p.op,
      torn: p.torn,
      cls: pointClass(p),
      text: `${p.what} [${p.phase}]: ${p.outcome}${p.detail ? ` — ${p.detail}` : ''}`,
      failure: number.get(p),
    })),
  };
}

/** Phase rows by outcome columns, as CSV (a table attachment). */
export function sweepCsv(s: SweepSummary): string {
  const outcomes = Object.keys(s.byOutcome).sort();
  const rows = PHASES.filter((p) => s.byPhase[p]).map((ph) => [ph, ...outcomes.map((o) => String(s.byPhase[ph]![o] ?? 0))]);
  rows.push(['all', ...outcomes.map((o) => String(s.byOutcome[o]))]);
  return csv([['phase', ...outcomes], ...rows]);
}

/** Every failing point: its number in the picture, where the cut hit, how it ended, and the plan that replays it. */
export function failuresCsv(s: SweepSummary): string {
  return csv([['#', 'cut point', 'phase', 'outcome', 'detail', 'boots', 'fault plan (runPlan)'], ...s.failures.map((f, i) => [`#${i + 1}`, f.what, f.phase, f.outcome, f.detail, f.boots.join(' → '), JSON.stringify(f.plan)])]);
}

function csv(rows: string[][]): string {
  return rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\n') + '\n';
}
