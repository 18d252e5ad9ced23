// Reads a run's allure-results back into what the gate judges: one entry per scenario and board,
// with its labels, final status across retries, sweep coverage and the bricks its boots.json
// attachments record. Only the files allure-playwright writes; no report needs generating.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ATTACHMENT, LABEL, parseCoverage, type Coverage } from './vocabulary.ts';

export type Status = 'passed' | 'failed' | 'broken' | 'skipped' | 'unknown';

export interface ScenarioResult {
  /** "describe › title", without the spec file. */
  title: string;
  rig: string;
  board: string;
  candidate: string;
  baseline: string;
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
  statusDetails?: { message?: string };
}

export interface ReadResults {
  results: ScenarioResult[];
  /** Files that could not be read: reported, never fatal (one broken file must not hide the rest). */
  warnings: string[];
}

export function readResults(dirs: string[]): ReadResults {
  const warnings: string[] = [];
  const raw: { r: RawResult; dir: string; file: string }[] = [];
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
  // Retries of one test share its history id; the last attempt decides, earlier ones make it flaky.
  // The candidate is part of the key: its version is kept out of the history id on purpose.
  const groups = new Map<string, typeof raw>();
  for (const x of raw) {
    const key = `${x.r.historyId ?? `${x.r.fullName}|${labelOf(x.r, LABEL.board)}`}|${labelOf(x.r, LABEL.candidate)}`;
    groups.set(key, [...(groups.get(key) ?? []), x]);
  }
  const results = [...groups.values()].map((attempts) => {
    attempts.sort((a, b) => (a.r.stop ?? 0) - (b.r.stop ?? 0));
    const last = attempts[attempts.length - 1]!;
    const status = toStatus(last.r.status);
    const result = toScenario(last.r, last.dir, last.file, warnings);
    result.status = status;
    result.attempts = attempts.length;
    result.flaky = status === 'passed' && attempts.some((a) => toStatus(a.r.status) === 'failed' || toStatus(a.r.status) === 'broken');
    return result;
  });
  results.sort((a, b) => a.candidate.localeCompare(b.candidate) || a.board.localeCompare(b.board) || a.title.localeCompare(b.title));
  return { results, warnings };
}

function toScenario(r: RawResult, dir: string, file: string, warnings: string[]): ScenarioResult {
  const sweepLabel = labelOf(r, LABEL.sweepCoverage) ?? null;
  const board = labelOf(r, LABEL.board) ?? '(no board label)';
  return {
    title: scenarioTitle(r),
    rig: labelOf(r, LABEL.rig) ?? '',
    board,
    candidate: labelOf(r, LABEL.candidate) ?? '(no candidate label)',
    baseline: labelOf(r, LABEL.baseline) ?? '',
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
