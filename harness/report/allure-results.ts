// Reads a run's allure-results back into what the gate judges: one entry per scenario and board,
// with its labels, final status across retries, why it cannot apply (when it cannot), its
// documented risks, sweep coverage and the bricks its boots.json attachments record. Only the
// files allure-playwright writes; no report needs generating. Also marks a pass on retry flaky in
// those files, so the report shows what the gate judges.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ATTACHMENT, LABEL, RISK_LABELS, parseCoverage, type Coverage, type RiskLabel } from './vocabulary.ts';

export type Status = 'passed' | 'failed' | 'broken' | 'skipped' | 'unknown';

export interface ScenarioResult {
  /** "describe › title", without the spec file. */
  title: string;
  rig: string;
  /** The board label; else the Playwright project ("rig/board"); '' when neither says. */
  board: string;
  /** Null when the result carries no candidate label: it belongs to every candidate of the run. */
  candidate: string | null;
  baseline: string;
  /** Why the scenario cannot apply to this board (label not-applicable); null for any other result. */
  notApplicable: string | null;
  /** Documented risks the result shows (labels brick-risk, documented-risk). */
  risks: { label: RiskLabel; description: string }[];
  faults: string[];
  /** Status of the last attempt. */
  status: Status;
  /** Passed on the last attempt after failing an earlier one. */
  flaky: boolean;
  attempts: number;
  /** First line of the failure message, when it failed. */
  message: string;
  sweep: Coverage | null;
  /** Label present but not "covered/total". */
  sweepLabel: string | null;
  bricks: { board: string; line: number; version: string | null }[];
  /** Rollout summaries (label `fleet`, JSON), for the gate's fleet rule. */
  fleet: string[];
  /** Which results directory and file it came from (for the gate's report). */
  file: string;
}

interface RawStep {
  attachments?: { name: string; source: string; type?: string }[];
  steps?: RawStep[];
}

interface RawResult extends RawStep {
  name?: string;
  fullName?: string;
  historyId?: string;
  status?: string;
  stop?: number;
  labels?: { name: string; value: string }[];
  parameters?: { name: string; value: string }[];
  statusDetails?: { message?: string; flaky?: boolean };
}

export interface ReadResults {
  results: ScenarioResult[];
  /** Files that could not be read: reported, never fatal (one broken file must not hide the rest). */
  warnings: string[];
}

type Raw = { r: RawResult; dir: string; file: string };

export function readResults(dirs: string[]): ReadResults {
  const warnings: string[] = [];
  const results = attemptGroups(readRaw(dirs, warnings)).map((attempts) => {
    const last = attempts[attempts.length - 1]!;
    const status = toStatus(last.r.status);
    const result = toScenario(last.r, last.dir, last.file, warnings);
    result.status = status;
    result.attempts = attempts.length;
    result.flaky = status === 'passed' && attempts.some((a) => toStatus(a.r.status) === 'failed' || toStatus(a.r.status) === 'broken');
    return result;
  });
  results.sort((a, b) => (a.candidate ?? '').localeCompare(b.candidate ?? '') || a.board.localeCompare(b.board) || a.title.localeCompare(b.title));
  return { results, warnings };
}

/**
 * Sets statusDetails.flaky on the last attempt of every test that passed only on a retry, in the
 * result files themselves: Allure then shows it flaky, as the gate judges it. Returns how many.
 */
export function markFlakyRetries(dir: string): number {
  let n = 0;
  for (const attempts of attemptGroups(readRaw([dir], []))) {
    const last = attempts[attempts.length - 1]!;
    const earlierFailed = attempts.slice(0, -1).some((a) => a.r.status === 'failed' || a.r.status === 'broken');
    if (last.r.status !== 'passed' || !earlierFailed || last.r.statusDetails?.flaky) continue;
    last.r.statusDetails = { ...last.r.statusDetails, flaky: true };
    writeFileSync(last.file, JSON.stringify(last.r));
    n++;
  }
  return n;
}

function readRaw(dirs: string[], warnings: string[]): Raw[] {
  const raw: Raw[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => f.endsWith('-result.json'));
    } catch (e) {
      warnings.push(`${dir}: cannot read: ${(e as Error).message}`);
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        raw.push({ r: JSON.parse(readFileSync(file, 'utf8')) as RawResult, dir, file });
      } catch (e) {
        warnings.push(`${file}: ${(e as Error).message}`);
      }
    }
  }
  return raw;
}

/** Retries of one test share its history id; the candidate is part of the key (its version is kept out of the history id on purpose). Each group by stop time. */
function attemptGroups(raw: Raw[]): Raw[][] {
  const groups = new Map<string, Raw[]>();
  for (const x of raw) {
    const key = `${x.r.historyId ?? `${x.r.fullName}|${labelOf(x.r, LABEL.board)}`}|${labelOf(x.r, LABEL.candidate)}`;
    groups.set(key, [...(groups.get(key) ?? []), x]);
  }
  return [...groups.values()].map((g) => g.sort((a, b) => (a.r.stop ?? 0) - (b.r.stop ?? 0)));
}

function toScenario(r: RawResult, dir: string, file: string, warnings: string[]): ScenarioResult {
  const sweepLabel = labelOf(r, LABEL.sweepCoverage) ?? null;
  // A result that failed before its board fixture ran has no board label; its project says which.
  const project = r.parameters?.find((p) => p.name === 'Project')?.value ?? '';
  const slash = project.indexOf('/');
  const rig = labelOf(r, LABEL.rig) ?? (slash > 0 ? project.slice(0, slash) : '');
  const board = labelOf(r, LABEL.board) ?? (slash > 0 ? project.slice(slash + 1) : project);
  return {
    title: scenarioTitle(r),
    rig,
    board,
    candidate: labelOf(r, LABEL.candidate) ?? null,
    baseline: labelOf(r, LABEL.baseline) ?? '',
    notApplicable: labelOf(r, LABEL.notApplicable) ?? null,
    risks: (r.labels ?? []).flatMap((l) => ((RISK_LABELS as readonly string[]).includes(l.name) ? [{ label: l.name as RiskLabel, description: l.value }] : [])),
    faults: (r.labels ?? []).filter((l) => l.name === LABEL.fault).map((l) => l.value),
    status: toStatus(r.status),
    flaky: false,
    attempts: 1,
    message: (r.statusDetails?.message ?? '').split('\n').find((l) => l.trim()) ?? '',
    sweep: sweepLabel === null ? null : parseCoverage(sweepLabel),
    sweepLabel,
    bricks: bricksOf(r, dir, board, warnings),
    fleet: (r.labels ?? []).filter((l) => l.name === LABEL.fleet).map((l) => l.value),
    file,
  };
}

/** "power-loss-download.spec.ts › power loss during the download › cut at 5%" → without the file. */
export function scenarioTitle(r: { name?: string; fullName?: string }): string {
  const parts = (r.fullName ?? '').split(' › ');
  if (parts.length > 1 && /\.[cm]?[jt]sx?$/.test(parts[0]!)) parts.shift();
  return parts.join(' › ') || r.name || '(untitled)';
}

function labelOf(r: RawResult, name: string): string | undefined {
  return r.labels?.find((l) => l.name === name)?.value;
}

function toStatus(s: string | undefined): Status {
  return s === 'passed' || s === 'failed' || s === 'broken' || s === 'skipped' ? s : 'unknown';
}

function attachmentsOf(s: RawStep): { name: string; source: string }[] {
  return [...(s.attachments ?? []), ...(s.steps ?? []).flatMap(attachmentsOf)];
}

function bricksOf(r: RawResult, dir: string, board: string, warnings: string[]): ScenarioResult['bricks'] {
  const out: ScenarioResult['bricks'] = [];
  for (const a of attachmentsOf(r).filter((x) => x.name === ATTACHMENT.boots)) {
    let boots: unknown;
    try {
      boots = JSON.parse(readFileSync(path.join(dir, a.source), 'utf8'));
    } catch (e) {
      warnings.push(`${path.join(dir, a.source)}: ${(e as Error).message}`);
      continue;
    }
    if (!Array.isArray(boots)) continue;
    for (const b of boots as { event?: string; startLine?: number; version?: string | null }[]) {
      if (b?.event === 'brick') out.push({ board, line: b.startLine ?? -1, version: b.version ?? null });
    }
  }
  return out;
}
