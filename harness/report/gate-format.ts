// The gate's verdict in the forms people and tools read: a padded Markdown table with the risks,
// problems and verdict (terminal, gate.md), JUnit XML (CI systems show it natively), and the
// Allure report's share (global errors and a global attachment, and the overview's variables).
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CandidateVerdict, GateRisk, GateVerdict, RowVerdict } from './gate.ts';
import { esc as x } from './timeline.ts';

const SHOWN: Record<RowVerdict, string> = {
  passed: 'passed',
  risk: 'RISK',
  'not-applicable': 'n/a',
  flaky: 'FLAKY',
  skipped: 'SKIPPED',
  failed: 'FAILED',
  broken: 'BROKEN',
  unknown: 'UNKNOWN',
};

/** A Markdown table, padded so it also reads in a terminal; then the risks, the problems and the verdict. */
export function formatGate(v: GateVerdict): string {
  const head = ['candidate', 'board', 'scenario', 'verdict', 'required', 'sweep', 'bricks'];
  const body = v.candidates.flatMap((c) => c.rows.map((r) => [r.candidate, r.board, clip(r.scenario, 72), SHOWN[r.verdict], r.required.length ? 'yes' : '', r.sweep ?? '', r.bricks ? `${r.bricks} BRICK` : '0']));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line), ''];
  const risks = v.candidates.flatMap((c) => c.risks);
  if (risks.length) out.push(...formatRisks(risks), '');
  if (v.problems.length) {
    out.push('Problems:');
    for (const p of v.problems) out.push(`  - ${p.candidate ? `[${p.candidate}] ` : ''}${p.message}`);
    out.push('');
  }
  if (v.candidates.length === 0) out.push(`gate: FAIL — ${v.problems[0]?.message ?? 'no results'}`);
  for (const c of v.candidates) out.push(c.summary);
  return out.join('\n') + '\n';
}

/** Risks grouped by what they are, each with its verdict and every board and scenario that showed it. */
export function formatRisks(risks: readonly GateRisk[]): string[] {
  const out = ['Documented risks (a stack\'s known weakness, shown by the scenario; judged by the policy\'s "risks"):'];
  const groups = new Map<string, GateRisk[]>();
  for (const k of risks) {
    const key = `${k.verdict === 'accept' ? 'accepted' : 'FAILS'} (${k.pointer}) · ${k.label}: ${k.description}`;
    groups.set(key, [...(groups.get(key) ?? []), k]);
  }
  for (const [key, ks] of groups) {
    out.push(`  - ${key}`);
    const boards = [...new Set(ks.map((k) => k.board))];
    for (const b of boards) out.push(`      ${b}: ${ks.filter((k) => k.board === b).map((k) => k.scenario).join('; ')}`);
  }
  return out;
}

/** JUnit XML: a suite per candidate, a case per result (n/a as skipped; a risk passes or fails by policy), and one per rule problem. */
export function gateJunit(v: GateVerdict): string {
  const suites = v.candidates.map((c) => junitSuite(c));
  if (v.candidates.length === 0) {
    suites.push(`  <testsuite name="release gate" tests="1" failures="1" skipped="0">\n    <testcase classname="gate" name="results"><failure message="${x(v.problems[0]?.message ?? 'no results')}"/></testcase>\n  </testsuite>`);
  }
  const tests = v.candidates.reduce((n, c) => n + c.rows.length + 1, 0) || 1;
  const failures = v.candidates.length ? v.candidates.reduce((n, c) => n + failingCases(c), 0) : 1;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ota-hil release gate" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}

function failingCases(c: CandidateVerdict): number {
  const failingRows = c.rows.filter((r) => c.problems.some((p) => p.board === r.board && p.scenario === r.scenario)).length;
  return failingRows + (c.pass ? 0 : 1);
}

function junitSuite(c: CandidateVerdict): string {
  const name = c.candidate ? `candidate ${c.candidate}` : 'this run';
  const cases = c.rows.map((r) => {
    const own = c.problems.filter((p) => p.board === r.board && p.scenario === r.scenario);
    const risks = c.risks.filter((k) => k.board === r.board && k.scenario === r.scenario);
    const attrs = `classname="${x(`gate.${r.board}`)}" name="${x(r.scenario)}"`;
    const parts: string[] = [];
    if (own.length) parts.push(`<failure message="${x(own[0]!.message)}" type="${own[0]!.rule}">${x(own.map((p) => p.message).join('\n'))}</failure>`);
    else if (r.verdict === 'not-applicable') parts.push(`<skipped message="${x(`not applicable: ${r.message}`)}"/>`);
    else if (r.verdict === 'skipped' || r.verdict === 'failed' || r.verdict === 'broken') parts.push(`<skipped message="${x(`${r.verdict}, not required: ${r.message}`)}"/>`);
    if (risks.length) parts.push(`<system-out>${x(risks.map((k) => `documented risk (${k.verdict === 'accept' ? 'accepted' : 'fails'} by ${k.pointer}): ${k.label}: ${k.description}`).join('\n'))}</system-out>`);
    return parts.length ? `    <testcase ${attrs}>${parts.join('')}</testcase>` : `    <testcase ${attrs}/>`;
  });
  // Problems that belong to no result (a board without results, a required scenario that never ran).
  const loose = c.problems.filter((p) => !c.rows.some((r) => r.board === p.board && r.scenario === p.scenario));
  const verdict = c.pass ? `    <testcase classname="gate" name="verdict"><system-out>${x(c.summary)}</system-out></testcase>` : `    <testcase classname="gate" name="verdict"><failure message="${x(c.summary)}">${x([c.summary, ...loose.map((p) => p.message)].join('\n'))}</failure></testcase>`;
  const skipped = c.rows.filter((r) => ['not-applicable', 'skipped', 'failed', 'broken'].includes(r.verdict) && !c.problems.some((p) => p.board === r.board && p.scenario === r.scenario)).length;
  return `  <testsuite name="${x(`release gate: ${name}`)}" tests="${c.rows.length + 1}" failures="${failingCases(c)}" skipped="${skipped}">\n${[...cases, verdict].join('\n')}\n  </testsuite>`;
}

/** The gate's file in allure-results: allurerc.mjs reads it for the overview's variables. */
export const GATE_RESULTS_FILE = 'ota-hil-gate.json';
const GLOBALS_SUFFIX = '-ota-hil-gate-globals.json';

/**
 * Puts the verdict into a results dir before the report is generated: a global attachment (the
 * table and reasons), a global error per problem, and the verdict line and counts for the
 * overview's variables. Replaces what an earlier gate run put there; returns whether it changed.
 */
export function writeGateIntoResults(dir: string, v: GateVerdict, table: string): boolean {
  const variables = reportVariables(v);
  const file = path.join(dir, GATE_RESULTS_FILE);
  const before = (() => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  })();
  const json = JSON.stringify({ pass: v.pass, variables }, null, 2) + '\n';
  for (const f of readdirSync(dir).filter((n) => n.endsWith(GLOBALS_SUFFIX) || n.startsWith('ota-hil-gate-table-'))) rmSync(path.join(dir, f), { force: true });
  const id = randomUUID();
  const source = `ota-hil-gate-table-${id}.txt`;
  writeFileSync(path.join(dir, source), table);
  const globals = {
    attachments: [{ name: `release gate: ${v.pass ? 'PASS' : 'FAIL'} (the verdict, its table, risks and problems)`, source, type: 'text/plain', timestamp: Date.now() }],
    errors: v.problems.map((p) => ({ message: `release gate: ${p.message}`, timestamp: Date.now() })),
  };
  writeFileSync(path.join(dir, `${id}${GLOBALS_SUFFIX}`), JSON.stringify(globals));
  writeFileSync(file, json);
  return before !== json;
}

/** What the report's overview shows as variables: the verdict line per candidate, then the counts. */
export function reportVariables(v: GateVerdict): Record<string, string> {
  const out: Record<string, string> = {};
  if (v.candidates.length === 0) out['release gate'] = `FAIL — ${v.problems[0]?.message ?? 'no results'}`;
  for (const c of v.candidates) {
    const key = v.candidates.length > 1 ? `release gate (${c.candidate})` : 'release gate';
    out[key] = c.summary.replace(/^[^:]*: /, '');
    const k = v.candidates.length > 1 ? ` (${c.candidate})` : '';
    out[`passed${k}`] = String(c.counts.passed);
    out[`documented risks${k}`] = `${c.counts.risks}${c.risks.length ? ` (${c.risks.filter((r) => r.verdict === 'accept').length} accepted, ${c.risks.filter((r) => r.verdict === 'fail').length} failing by policy)` : ''}`;
    out[`failed${k}`] = String(c.counts.failed);
    if (c.counts.flaky) out[`flaky${k}`] = String(c.counts.flaky);
    out[`not applicable${k}`] = String(c.counts.notApplicable);
    if (c.counts.skipped) out[`skipped${k}`] = String(c.counts.skipped);
  }
  return out;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
