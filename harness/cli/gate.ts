// `ota-hil gate`: judge a run's allure-results against gate.policy.json. Writes gate.json (for
// machines), gate.md (the table, for people) and gate.junit.xml (for CI), puts the verdict into the
// results (the Allure report's overview shows it) and, when the report next to them exists and the
// verdict changed, generates it again: the terminal, the files, CI and the report say the same.
// Exits 1 when the policy is not met, 2 when it cannot judge (bad policy, bad arguments).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultPolicyFile, loadPolicy, PolicyError, resolvePolicy } from '../report/gate-policy.ts';
import { readResults } from '../report/allure-results.ts';
import { evaluateGate, type GateVerdict } from '../report/gate.ts';
import { formatGate, formatRisks, gateJunit, writeGateIntoResults } from '../report/gate-format.ts';
import { generateAllureReport } from '../report/allure-generate.ts';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil gate [--results DIR]... [--policy FILE] [--out DIR] [--candidate VERSION] [--no-report]
  --results DIR        allure-results to judge; repeat for several (default reports/allure-results)
  --policy FILE        the release policy (default gate.policy.json here, else ota-hil's own)
  --out DIR            where gate.json, gate.md and gate.junit.xml go (default reports)
  --candidate VERSION  judge only this candidate version (default: every candidate found)
  --no-report          leave the results and the Allure report as they are
`;

export function gateCommand(argv: string[], io: CliIo = processIo): number {
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      options: {
        results: { type: 'string', multiple: true },
        policy: { type: 'string' },
        out: { type: 'string', default: 'reports' },
        candidate: { type: 'string' },
        'no-report': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }).values;
  } catch (e) {
    io.stderr.write(`ota-hil gate: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  return runGate({ results: opts.results ?? ['reports/allure-results'], policy: opts.policy ?? defaultPolicyFile(), out: opts.out, candidate: opts.candidate, report: !opts['no-report'] }, io);
}

export interface GateRun {
  verdict: GateVerdict;
  table: string;
  files: string[];
  /** The verdict in the results differs from what was there (the report shows an older one). */
  changed: boolean;
}

/** Judge and write the verdict everywhere it goes; null (after saying why) when it cannot judge. */
export function judge(o: { results: string[]; policy: string; out: string; candidate?: string; intoResults: boolean }, io: CliIo = processIo): GateRun | null {
  let policy;
  try {
    policy = resolvePolicy(loadPolicy(o.policy));
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    io.stderr.write(`ota-hil gate: ${e.message}\n`);
    return null;
  }
  const { results, warnings } = readResults(o.results);
  for (const w of warnings) io.stderr.write(`ota-hil gate: warning: ${w}\n`);
  const verdict = evaluateGate(policy, results, { candidate: o.candidate });
  const table = formatGate(verdict);
  mkdirSync(o.out, { recursive: true });
  const { pass, ...detail } = verdict;
  const json = { pass, generatedAt: new Date().toISOString(), policy: path.resolve(o.policy), results: o.results.map((d) => path.resolve(d)), warnings, ...detail };
  const files = ['gate.json', 'gate.md', 'gate.junit.xml'].map((f) => path.join(o.out, f));
  writeFileSync(files[0]!, JSON.stringify(json, null, 2) + '\n');
  writeFileSync(files[1]!, table);
  writeFileSync(files[2]!, gateJunit(verdict));
  // One results dir is one report: the verdict goes where the report is generated from.
  const changed = o.intoResults && o.results.length === 1 && existsSync(o.results[0]!) ? writeGateIntoResults(o.results[0]!, verdict, table) : false;
  return { verdict, table, files, changed };
}

export function runGate(o: { results: string[]; policy: string; out: string; candidate?: string; report?: boolean }, io: CliIo = processIo): number {
  const run = judge({ ...o, intoResults: o.report !== false }, io);
  if (!run) return 2;
  io.stdout.write(run.table);
  // The report next to the results shows the verdict those results held when it was generated.
  const reports = path.dirname(path.resolve(o.results[0]!));
  if (run.changed && path.basename(o.results[0]!) === 'allure-results' && existsSync(path.join(reports, 'allure-report'))) {
    const gen = generateAllureReport(reports);
    io.stdout.write(gen.ok ? `\nthe Allure report now shows this verdict: ${gen.open}\n` : `\nota-hil gate: the Allure report could not be generated again:\n${gen.stderr}`);
  }
  io.stdout.write(`\ngate: ${run.verdict.pass ? 'PASS' : 'FAIL'}  (${run.files.join(', ')})\n`);
  return run.verdict.pass ? 0 : 1;
}

/** The verdict in a few lines (after a scenario run, whose list already showed every result). */
export function shortVerdict(v: GateVerdict): string {
  const out: string[] = [];
  const risks = v.candidates.flatMap((c) => c.risks);
  if (risks.length) out.push(...formatRisks(risks));
  if (v.problems.length) out.push('Problems:', ...v.problems.map((p) => `  - ${p.candidate ? `[${p.candidate}] ` : ''}${p.message}`));
  if (v.candidates.length === 0) out.push(`release gate: FAIL — ${v.problems[0]?.message ?? 'no results'}`);
  for (const c of v.candidates) out.push(`release gate: ${c.summary}`);
  return out.join('\n') + '\n';
}
