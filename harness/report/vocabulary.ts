// The names the report and the release gate agree on. Scenarios write these labels and
// attachments; `ota-hil gate` reads them back from allure-results, so both sides import them here.

export const LABEL = {
  rig: 'rig',
  board: 'board',
  stack: 'stack',
  transport: 'transport',
  /** The fault plan in words, e.g. "cut at 50% of download" (several when a scenario has several). */
  fault: 'fault',
  /** Versions of the rig's "baseline" and "candidate" images: the release a run speaks for. */
  baseline: 'baseline',
  candidate: 'candidate',
  /** A sweep scenario's coverage as "covered/total", e.g. "412/412" cut points exercised. */
  sweepCoverage: 'sweep-coverage',
  /** A weakness the stack documents, shown rather than passed over (e.g. a power cut during eboot's copy). */
  brickRisk: 'brick-risk',
  /** A fleet rollout's summary as JSON (harness/fleet/verdict.ts FleetSummary): the gate's fleet rule reads it. */
  fleet: 'fleet',
  /** A documented state that is not a brick but not the old or new image either (Particle's safe mode). */
  documentedRisk: 'documented-risk',
  /**
   * Why a skipped scenario cannot apply to this board (its stack's promises or its build rule it
   * out): never a failure. A skip without it is a scenario that did not prove what it should.
   */
  notApplicable: 'not-applicable',
} as const;

/** The labels that make a passing result a documented risk (the gate's `risks` policy judges them). */
export const RISK_LABELS = [LABEL.brickRisk, LABEL.documentedRisk] as const;
export type RiskLabel = (typeof RISK_LABELS)[number];

export const ATTACHMENT = {
  console: 'console.log',
  /** Every byte the console received, as received: for garbage, encodings and escape codes. */
  consoleRaw: 'console.raw',
  boots: 'boots.json',
  timeline: 'timeline.svg',
  otaProgress: 'ota-progress.json',
} as const;

export interface Coverage {
  covered: number;
  total: number;
}

export function formatCoverage(c: Coverage): string {
  return `${c.covered}/${c.total}`;
}

/** "412/412" → {covered: 412, total: 412}; anything else → null (a malformed label is no coverage). */
export function parseCoverage(text: string): Coverage | null {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return null;
  const covered = Number(m[1]);
  const total = Number(m[2]);
  return total > 0 && covered <= total ? { covered, total } : null;
}
