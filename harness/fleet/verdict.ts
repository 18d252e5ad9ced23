// The fleet verdict: each target's outcome, read from its rollout record (which the console and
// the transport decided), and the summary QA and the gate read: how many boards run the candidate,
// the baseline, deferred, bricked, failed, and how long the fleet took to converge.
import type { BoardRecord, Rollout } from './rollout.ts';

export interface FleetSummary {
  targets: number;
  onCandidate: number;
  onBaseline: number;
  deferred: number;
  bricked: number;
  failed: number;
  /** Targets whose commit was withheld on purpose (meant to revert). */
  withheld: number;
  /** Boards the filter left out (never offered the release). */
  excluded: number;
  /** ms from start until every target settled; null if it never did. */
  timeToConvergeMs: number | null;
  /** onCandidate / (targets - withheld): of the boards meant to take the candidate, how many did. */
  convergedFraction: number;
}

export interface BoardOutcome {
  board: string;
  stack: string;
  state: BoardRecord['state'];
  runs: 'candidate' | 'baseline' | 'other' | 'nothing';
  version: string | null;
  attempts: number;
  bricked: boolean;
}

export function outcomes(r: Rollout): BoardOutcome[] {
  return r.records().map((rec) => ({
    board: rec.board,
    stack: rec.stack,
    state: rec.state,
    runs: rec.bricked ? 'nothing' : rec.onCandidate ? 'candidate' : rec.onBaseline ? 'baseline' : 'other',
    version: rec.version,
    attempts: rec.attempts,
    bricked: rec.bricked,
  }));
}

export function summarize(r: Rollout): FleetSummary {
  const o = outcomes(r);
  const n = (f: (x: BoardOutcome) => boolean) => o.filter(f).length;
  const onCandidate = n((x) => x.runs === 'candidate');
  const withheld = r.withheld().length;
  const meant = o.length - withheld;
  return {
    targets: o.length,
    onCandidate,
    onBaseline: n((x) => x.runs === 'baseline'),
    deferred: n((x) => x.state === 'deferred'),
    bricked: n((x) => x.bricked),
    failed: n((x) => x.state === 'failed' && !x.bricked),
    withheld,
    excluded: r.excluded.length,
    timeToConvergeMs: r.timeToConvergeMs,
    convergedFraction: meant > 0 ? Math.min(onCandidate, meant) / meant : 1,
  };
}

export function summaryLine(s: FleetSummary): string {
  const t = s.timeToConvergeMs === null ? 'not converged' : `converged in ${(s.timeToConvergeMs / 1000).toFixed(1)} s`;
  return `${s.onCandidate}/${s.targets} on candidate, ${s.onBaseline} on baseline, ${s.deferred} deferred, ${s.bricked} bricked, ${s.failed} failed, ${s.withheld} withheld on purpose, ${s.excluded} not targeted; ${t}`;
}
