// The release gate: judges a run's results against the policy, per candidate version. Each result
// gets one verdict, the one the report shows (categories, allurerc.mjs): failed, flaky, documented
// risk, passed, not applicable (the board cannot do what the scenario asks: never a failure) or
// skipped (not proven). A candidate passes when every required board has results, every required
// scenario passed or cannot apply on every board, sweeps reached their coverage, no boot bricked
// outside a documented risk, and every documented risk is one the policy accepts.
import type { ResolvedPolicy, ResolvedRiskRule } from './gate-policy.ts';
import type { ScenarioResult, Status } from './allure-results.ts';
import { formatCoverage, type RiskLabel } from './vocabulary.ts';
import { fleetProblems, isFleetResult } from './gate-fleet.ts';

export type RowVerdict = Exclude<Status, 'skipped'> | 'skipped' | 'not-applicable' | 'flaky' | 'risk';

export interface GateRisk {
  candidate: string;
  board: string;
  scenario: string;
  label: RiskLabel;
  description: string;
  verdict: 'accept' | 'fail';
  /** The policy entry that decided it ("/risks/default", "/risks/rules/0"). */
  pointer: string;
}

export interface GateRow {
  candidate: string;
  board: string;
  scenario: string;
  verdict: RowVerdict;
  /** Policy patterns this scenario satisfies; empty when it is informational only. */
  required: string[];
  sweep: string | null;
  bricks: number;
  attempts: number;
  /** The failure's first line, why it cannot apply, or its risks. */
  message: string;
}

export interface GateProblem {
  candidate: string;
  board: string | null;
  scenario: string | null;
  rule: 'results' | 'board' | 'scenario' | 'sweep' | 'brick' | 'risk' | 'fleet';
  message: string;
}

export interface Counts {
  total: number;
  passed: number;
  risks: number;
  failed: number;
  flaky: number;
  notApplicable: number;
  skipped: number;
}

export interface CandidateVerdict {
  /** '' when no result names a candidate (a rig without a "candidate" image). */
  candidate: string;
  pass: boolean;
  boards: string[];
  rows: GateRow[];
  problems: GateProblem[];
  risks: GateRisk[];
  counts: Counts;
  summary: string;
}

export interface GateVerdict {
  pass: boolean;
  candidates: CandidateVerdict[];
  problems: GateProblem[];
}

const boardKey = (r: ScenarioResult) => (r.rig ? `${r.rig}/${r.board}` : r.board);
const onBoard = (r: { rig: string; board: string }, board: string) => r.board === board || `${r.rig}/${r.board}` === board;

/** The result's one verdict; the report's categories (allurerc.mjs) sort by the same rules. */
export function verdictOf(r: ScenarioResult): RowVerdict {
  if (r.status === 'passed') return r.flaky ? 'flaky' : r.risks.length ? 'risk' : 'passed';
  if (r.status === 'skipped') return r.notApplicable !== null ? 'not-applicable' : 'skipped';
  return r.status;
}

export function evaluateGate(policy: ResolvedPolicy, results: ScenarioResult[], opts: { candidate?: string } = {}): GateVerdict {
  const named = [...new Set(results.flatMap((r) => (r.candidate === null ? [] : [r.candidate])))].sort();
  const versions = opts.candidate ? [opts.candidate] : named.length ? named : [''];
  const candidates = versions
    // A result without a candidate label belongs to the run, so to every candidate judged in it.
    .map((v) => ({ v, own: results.filter((r) => r.candidate === v || r.candidate === null) }))
    .filter(({ v, own }) => own.length > 0 && (v === '' || own.some((r) => r.candidate === v)))
    .map(({ v, own }) => judgeCandidate(policy, v, own));
  if (candidates.length === 0) {
    const problem: GateProblem = {
      candidate: opts.candidate ?? '',
      board: null,
      scenario: null,
      rule: 'results',
      message: opts.candidate ? `no results for candidate ${opts.candidate}` : 'no results: nothing ran, so nothing is proven',
    };
    return { pass: false, candidates: [], problems: [problem] };
  }
  return { pass: candidates.every((c) => c.pass), candidates, problems: candidates.flatMap((c) => c.problems) };
}

function judgeCandidate(policy: ResolvedPolicy, candidate: string, results: ScenarioResult[]): CandidateVerdict {
  const problems: GateProblem[] = [];
  const problem = (rule: GateProblem['rule'], board: string | null, scenario: string | null, message: string) => problems.push({ candidate, board, scenario, rule, message });
  const required = (r: ScenarioResult) => policy.scenarios.filter((s) => s.title.test(r.title));

  for (const r of results.filter((x) => x.board === '')) {
    problem('results', null, r.title, `"${r.title}" (${r.file}) names no board (no board label, no Playwright project): it cannot be judged`);
  }
  const judged = results.filter((r) => r.board !== '');
  for (const b of policy.boards) {
    if (!judged.some((r) => onBoard(r, b))) problem('board', b, null, `required board ${b} has no results`);
  }
  const boards = [...new Set(judged.map(boardKey))].sort();
  // A fleet rollout is many boards in one test: judged by the fleet rule, not the per-board scenarios.
  for (const p of fleetProblems(policy.fleet, judged, boardKey)) problem('fleet', p.board, p.scenario, p.message);
  const scenarioBoards = [...new Set(judged.filter((r) => !isFleetResult(r)).map(boardKey))].sort();

  for (const s of policy.scenarios) {
    for (const board of scenarioBoards) {
      const runs = judged.filter((r) => boardKey(r) === board && s.title.test(r.title));
      if (runs.length === 0) {
        problem('scenario', board, s.source, `required scenario /${s.source}/ did not run on ${board}${s.why ? ` (${s.why})` : ''}`);
        continue;
      }
      for (const r of runs) {
        const how = unproven(policy, r);
        if (how) problem('scenario', board, r.title, `"${r.title}" on ${board} ${how}${s.why ? ` (required: ${s.why})` : ''}`);
      }
    }
  }

  for (const r of judged) {
    const isSweep = r.sweepLabel !== null || (policy.sweeps?.title.test(r.title) ?? false);
    if (!isSweep || !policy.sweeps || r.notApplicable !== null) continue;
    if (r.status === 'skipped') {
      if (policy.skipped === 'fail' && required(r).length === 0) problem('sweep', boardKey(r), r.title, `sweep "${r.title}" on ${boardKey(r)} was skipped${r.message ? `: ${r.message}` : ''}; its cut points are unproven`);
    } else if (!r.sweep) {
      problem('sweep', boardKey(r), r.title, `sweep "${r.title}" on ${boardKey(r)} reports no coverage${r.sweepLabel ? ` (label sweep-coverage is "${r.sweepLabel}", expected "covered/total")` : ' (label sweep-coverage)'}`);
    } else if (r.sweep.covered / r.sweep.total < policy.sweeps.minCoverage) {
      problem('sweep', boardKey(r), r.title, `sweep "${r.title}" on ${boardKey(r)} covered ${formatCoverage(r.sweep)}, below the required ${(policy.sweeps.minCoverage * 100).toFixed(1).replace(/\.0$/, '')}%`);
    }
  }

  // A brick the scenario labelled as a documented risk is judged as that risk; any other is a brick.
  for (const r of judged.filter((x) => x.bricks.length > 0 && x.risks.length === 0)) {
    const where = r.bricks.map((b) => `console line ${b.line}`).join(', ');
    if (policy.bricks === 'fail') problem('brick', boardKey(r), r.title, `BRICK on ${boardKey(r)} in "${r.title}" (${r.bricks.length} boot(s) with event brick at ${where}), not a risk its stack documents`);
  }

  const risks: GateRisk[] = judged
    .filter((r) => verdictOf(r) === 'risk')
    .flatMap((r) =>
      r.risks.map((k) => {
        const rule = riskRule(policy.risks, r, k);
        return { candidate, board: boardKey(r), scenario: r.title, label: k.label, description: k.description, verdict: rule.verdict, pointer: rule.pointer };
      }),
    );
  for (const k of risks.filter((x) => x.verdict === 'fail')) {
    problem('risk', k.board, k.scenario, `documented risk on ${k.board} in "${k.scenario}" fails by policy (${k.pointer}): ${k.label}: ${k.description}`);
  }

  const rows = judged.map<GateRow>((r) => {
    const verdict = verdictOf(r);
    return {
      candidate,
      board: boardKey(r),
      scenario: r.title,
      verdict,
      required: required(r).map((s) => s.source),
      sweep: r.sweep ? formatCoverage(r.sweep) : r.sweepLabel,
      bricks: r.bricks.length,
      attempts: r.attempts,
      message: verdict === 'not-applicable' ? r.notApplicable! : verdict === 'risk' ? r.risks.map((k) => `${k.label}: ${k.description}`).join('; ') : r.message,
    };
  });
  const counts = countRows(rows);
  const pass = problems.length === 0;
  const name = candidate ? `candidate ${candidate}` : 'this run (no candidate image)';
  const accepted = risks.filter((k) => k.verdict === 'accept').length;
  const summary = pass
    ? `${name}: PASS — ${describeCounts(counts)}; every required scenario passed or cannot apply to its board${accepted ? `; ${accepted} documented risk(s) accepted by policy` : ''}`
    : `${name}: FAIL — ${summarize(problems)}`;
  return { candidate, pass, boards, rows, problems, risks, counts, summary };
}

/** Why a required run proves nothing, or null when it does (passed, or cannot apply, or a risk judged on its own). */
function unproven(policy: ResolvedPolicy, r: ScenarioResult): string | null {
  switch (verdictOf(r)) {
    case 'passed':
    case 'risk':
    case 'not-applicable':
      return null;
    case 'flaky':
      return policy.flaky === 'pass' ? null : `passed only after ${r.attempts - 1} failed attempt(s)`;
    case 'skipped':
      return policy.skipped === 'pass' ? null : `was skipped${r.message ? `: ${r.message}` : ''} (not marked not applicable: unproven)`;
    default:
      return `${r.status}${r.message ? `: ${r.message}` : ''}`;
  }
}

function riskRule(rules: ResolvedRiskRule[], r: ScenarioResult, k: { label: string; description: string }): ResolvedRiskRule {
  return rules.find(
    (x) =>
      (x.label === undefined || x.label === k.label) &&
      (x.board === undefined || onBoard(r, x.board)) &&
      (x.scenario === undefined || x.scenario.test(r.title)) &&
      (x.risk === undefined || x.risk.test(k.description)),
  )!;
}

export function countRows(rows: readonly { verdict: RowVerdict }[]): Counts {
  const n = (...v: RowVerdict[]) => rows.filter((r) => v.includes(r.verdict)).length;
  return {
    total: rows.length,
    passed: n('passed'),
    risks: n('risk'),
    failed: n('failed', 'broken', 'unknown'),
    flaky: n('flaky'),
    notApplicable: n('not-applicable'),
    skipped: n('skipped'),
  };
}

/** "150 passed, 14 documented risk(s), 88 not applicable" (zero counts left out, but always passed and failed). */
export function describeCounts(c: Counts): string {
  const parts = [`${c.passed} passed`, `${c.failed} failed`];
  if (c.risks) parts.push(`${c.risks} documented risk(s)`);
  if (c.flaky) parts.push(`${c.flaky} flaky`);
  if (c.notApplicable) parts.push(`${c.notApplicable} not applicable`);
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  return `${c.total} result(s): ${parts.join(', ')}`;
}

/** "2 required scenario(s) failed or missing on rig-b/mcuboot-b; 1 brick on rig-b/mcuboot-b". */
function summarize(problems: GateProblem[]): string {
  const on = (ps: GateProblem[]) => [...new Set(ps.map((p) => p.board).filter(Boolean))].join(', ');
  const of = (rule: GateProblem['rule']) => problems.filter((p) => p.rule === rule);
  const parts: string[] = [];
  if (of('scenario').length) parts.push(`${of('scenario').length} required scenario(s) failed, skipped or missing on ${on(of('scenario'))}`);
  if (of('risk').length) parts.push(`${of('risk').length} documented risk(s) failing by policy on ${on(of('risk'))}`);
  if (of('brick').length) parts.push(`${of('brick').length} brick(s) outside a documented risk on ${on(of('brick'))}`);
  if (of('sweep').length) parts.push(`${of('sweep').length} sweep(s) short of coverage on ${on(of('sweep'))}`);
  if (of('board').length) parts.push(`no results from required board(s) ${on(of('board'))}`);
  if (of('fleet').length) parts.push(`${of('fleet').length} rollout problem(s) on ${on(of('fleet'))}`);
  if (of('results').length) parts.push(`${of('results').length} result(s) that name no board`);
  return parts.join('; ');
}
