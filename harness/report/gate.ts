// The release gate: judges a run's results against the policy, per candidate version. A candidate
// passes when every required board has results, every required scenario ran and passed on every
// board, sweeps reached their coverage, and no boot bricked. The verdict lists each problem in
// words a firmware team can act on, and a table of candidate × board × scenario.
import type { ResolvedPolicy } from './gate-policy.ts';
import type { ScenarioResult, Status } from './allure-results.ts';
import { formatCoverage } from './vocabulary.ts';
import { fleetProblems, isFleetResult } from './gate-fleet.ts';

export interface GateRow {
  candidate: string;
  board: string;
  scenario: string;
  status: Status | 'flaky';
  /** Policy patterns this scenario satisfies; empty when it is informational only. */
  required: string[];
  sweep: string | null;
  bricks: number;
  attempts: number;
  message: string;
}

export interface GateProblem {
  candidate: string;
  board: string | null;
  scenario: string | null;
  rule: 'results' | 'board' | 'scenario' | 'sweep' | 'brick' | 'fleet';
  message: string;
}

export interface CandidateVerdict {
  candidate: string;
  pass: boolean;
  boards: string[];
  rows: GateRow[];
  problems: GateProblem[];
  summary: string;
}

export interface GateVerdict {
  pass: boolean;
  candidates: CandidateVerdict[];
  problems: GateProblem[];
}

const boardKey = (r: ScenarioResult) => (r.rig ? `${r.rig}/${r.board}` : r.board);
const onBoard = (r: ScenarioResult, board: string) => r.board === board || boardKey(r) === board;

export function evaluateGate(policy: ResolvedPolicy, results: ScenarioResult[], opts: { candidate?: string } = {}): GateVerdict {
  const chosen = opts.candidate ? results.filter((r) => r.candidate === opts.candidate) : results;
  if (chosen.length === 0) {
    const problem: GateProblem = {
      candidate: opts.candidate ?? '',
      board: null,
      scenario: null,
      rule: 'results',
      message: opts.candidate ? `no results for candidate ${opts.candidate}` : 'no results: nothing ran, so nothing is proven',
    };
    return { pass: false, candidates: [], problems: [problem] };
  }
  const versions = [...new Set(chosen.map((r) => r.candidate))].sort();
  const candidates = versions.map((v) => judgeCandidate(policy, v, chosen.filter((r) => r.candidate === v)));
  return { pass: candidates.every((c) => c.pass), candidates, problems: candidates.flatMap((c) => c.problems) };
}

function judgeCandidate(policy: ResolvedPolicy, candidate: string, results: ScenarioResult[]): CandidateVerdict {
  const problems: GateProblem[] = [];
  const problem = (rule: GateProblem['rule'], board: string | null, scenario: string | null, message: string) =>
    problems.push({ candidate, board, scenario, rule, message });

  for (const b of policy.boards) {
    if (!results.some((r) => onBoard(r, b))) problem('board', b, null, `required board ${b} has no results`);
  }
  const boards = [...new Set(results.map(boardKey))].sort();
  for (const p of fleetProblems(policy.fleet, results, boardKey)) problem('fleet', p.board, p.scenario, p.message);
  for (const s of policy.scenarios) {
    for (const board of [...new Set(results.filter((r) => !isFleetResult(r)).map(boardKey))].sort()) {
      const runs = results.filter((r) => boardKey(r) === board && s.title.test(r.title));
      if (runs.length === 0) {
        problem('scenario', board, s.source, `required scenario /${s.source}/ did not run on ${board}${s.why ? ` (${s.why})` : ''}`);
        continue;
      }
      for (const r of runs.filter((x) => !satisfies(policy, x))) {
        const how = r.flaky ? `passed only after ${r.attempts - 1} failed attempt(s)` : r.status === 'skipped' ? `was skipped${r.message ? `: ${r.message}` : ''}` : `${r.status}${r.message ? `: ${r.message}` : ''}`;
        problem('scenario', board, r.title, `"${r.title}" on ${board} ${how}${s.why ? ` (required: ${s.why})` : ''}`);
      }
    }
  }
  for (const r of results) {
    const isSweep = r.sweepLabel !== null || (policy.sweeps?.title.test(r.title) ?? false);
    if (!isSweep || !policy.sweeps) continue;
    if (!r.sweep) {
      problem('sweep', boardKey(r), r.title, `sweep "${r.title}" on ${boardKey(r)} reports no coverage${r.sweepLabel ? ` (label sweep-coverage is "${r.sweepLabel}", expected "covered/total")` : ' (label sweep-coverage)'}`);
    } else if (r.sweep.covered / r.sweep.total < policy.sweeps.minCoverage) {
      problem('sweep', boardKey(r), r.title, `sweep "${r.title}" on ${boardKey(r)} covered ${formatCoverage(r.sweep)}, below the required ${(policy.sweeps.minCoverage * 100).toFixed(1).replace(/\.0$/, '')}%`);
    }
  }
  for (const r of results.filter((x) => x.bricks.length > 0)) {
    const where = r.bricks.map((b) => `console line ${b.line}`).join(', ');
    const message = `BRICK on ${boardKey(r)} in "${r.title}" (${r.bricks.length} boot(s) with event brick at ${where})`;
    if (policy.bricks === 'fail') problem('brick', boardKey(r), r.title, message);
  }

  const rows = results.map<GateRow>((r) => ({
    candidate,
    board: boardKey(r),
    scenario: r.title,
    status: r.flaky ? 'flaky' : r.status,
    required: policy.scenarios.filter((s) => s.title.test(r.title)).map((s) => s.source),
    sweep: r.sweep ? formatCoverage(r.sweep) : r.sweepLabel,
    bricks: r.bricks.length,
    attempts: r.attempts,
    message: r.message,
  }));
  const pass = problems.length === 0;
  const summary = pass
    ? `candidate ${candidate}: PASS — ${results.length} result(s) on ${boards.length} board(s); every required scenario passed`
    : `candidate ${candidate}: FAIL — ${summarize(problems)}`;
  return { candidate, pass, boards, rows, problems, summary };
}

/** "2 required scenario(s) failed or missing on rig-b/mcuboot-b; 1 brick on rig-b/mcuboot-b". */
function summarize(problems: GateProblem[]): string {
  const on = (ps: GateProblem[]) => [...new Set(ps.map((p) => p.board).filter(Boolean))].join(', ');
  const parts: string[] = [];
  const of = (rule: GateProblem['rule']) => problems.filter((p) => p.rule === rule);
  if (of('scenario').length) parts.push(`${of('scenario').length} required scenario(s) failed or missing on ${on(of('scenario'))}`);
  if (of('brick').length) parts.push(`${of('brick').length} brick(s) on ${on(of('brick'))}`);
  if (of('sweep').length) parts.push(`${of('sweep').length} sweep(s) short of coverage on ${on(of('sweep'))}`);
  if (of('board').length) parts.push(`no results from required board(s) ${on(of('board'))}`);
  if (of('fleet').length) parts.push(`${of('fleet').length} rollout problem(s) on ${on(of('fleet'))}`);
  return parts.join('; ');
}

function satisfies(policy: ResolvedPolicy, r: ScenarioResult): boolean {
  if (r.status === 'skipped') return policy.skipped === 'pass';
  if (r.status !== 'passed') return false;
  return !r.flaky || policy.flaky === 'pass';
}

/** A Markdown table, padded so it also reads in a terminal; then the problems and the verdict. */
export function formatGate(v: GateVerdict): string {
  const head = ['candidate', 'board', 'scenario', 'status', 'required', 'sweep', 'bricks'];
  const body = v.candidates.flatMap((c) =>
    c.rows.map((r) => [r.candidate, r.board, clip(r.scenario, 72), r.status === 'passed' ? 'passed' : r.status.toUpperCase(), r.required.length ? 'yes' : '', r.sweep ?? '', r.bricks ? `${r.bricks} BRICK` : '0']),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line), ''];
  if (v.problems.length) {
    out.push('Problems:');
    for (const p of v.problems) out.push(`  - ${p.candidate ? `[${p.candidate}] ` : ''}${p.message}`);
    out.push('');
  }
  if (v.candidates.length === 0) out.push(`gate: FAIL — ${v.problems[0]?.message ?? 'no results'}`);
  for (const c of v.candidates) out.push(c.summary);
  return out.join('\n') + '\n';
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
