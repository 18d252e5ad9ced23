// `ota-hil gate`: judge a run's allure-results against gate.policy.json. Writes gate.json (for
// machines) and gate.md (the table, for people), prints the table, and exits 1 when the policy
// is not met, 2 when it cannot judge (bad policy, bad arguments).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadPolicy, PolicyError, resolvePolicy } from '../report/gate-policy.ts';
import { readResults } from '../report/allure-results.ts';
import { evaluateGate, formatGate } from '../report/gate.ts';

const USAGE = `usage: ota-hil gate [--results DIR]... [--policy FILE] [--out DIR] [--candidate VERSION]
  --results DIR        allure-results to judge; repeat for several (default reports/allure-results)
  --policy FILE        the release policy (default gate.policy.json)
  --out DIR            where gate.json and gate.md go (default reports)
  --candidate VERSION  judge only this candidate version (default: every candidate found)
`;

export function gateCommand(argv: string[]): number {
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      options: {
        results: { type: 'string', multiple: true },
        policy: { type: 'string', default: 'gate.policy.json' },
        out: { type: 'string', default: 'reports' },
        candidate: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }).values;
  } catch (e) {
    process.stderr.write(`ota-hil gate: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  return runGate({ results: opts.results ?? ['reports/allure-results'], policy: opts.policy, out: opts.out, candidate: opts.candidate });
}

export function runGate(o: { results: string[]; policy: string; out: string; candidate?: string }): number {
  let policy;
  try {
    policy = resolvePolicy(loadPolicy(o.policy));
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    process.stderr.write(`ota-hil gate: ${e.message}\n`);
    return 2;
  }
  const { results, warnings } = readResults(o.results);
  for (const w of warnings) process.stderr.write(`ota-hil gate: warning: ${w}\n`);
  const verdict = evaluateGate(policy, results, { candidate: o.candidate });
  const table = formatGate(verdict);
  mkdirSync(o.out, { recursive: true });
  const { pass, ...detail } = verdict;
  const json = { pass, generatedAt: new Date().toISOString(), policy: path.resolve(o.policy), results: o.results.map((d) => path.resolve(d)), warnings, ...detail };
  writeFileSync(path.join(o.out, 'gate.json'), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(path.join(o.out, 'gate.md'), table);
  process.stdout.write(table);
  process.stdout.write(`\ngate: ${verdict.pass ? 'PASS' : 'FAIL'}  (${path.join(o.out, 'gate.json')}, ${path.join(o.out, 'gate.md')})\n`);
  return verdict.pass ? 0 : 1;
}
