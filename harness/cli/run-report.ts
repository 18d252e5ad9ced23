// After a scenario run (or a merge of several rig hosts): mark passes on retry flaky, judge the
// results with the release gate (its verdict goes into the results), generate the Allure report,
// and say where both are. One verdict: what this prints is what the report's overview shows.
import path from 'node:path';
import { markFlakyRetries } from '../report/allure-results.ts';
import { generateAllureReport, type Generated } from '../report/allure-generate.ts';
import { judge, shortVerdict, type GateRun } from './gate.ts';
import { defaultPolicyFile } from '../report/gate-policy.ts';
import { processIo, type CliIo } from './io.ts';

export function reportRun(reports: string, policy = defaultPolicyFile(), io: CliIo = processIo): { gate: GateRun | null; report: Generated } {
  const results = path.join(reports, 'allure-results');
  const flaky = markFlakyRetries(results);
  if (flaky) io.stdout.write(`${flaky} result(s) passed only on a retry: marked flaky\n`);
  const gate = judge({ results: [results], policy, out: reports, intoResults: true }, io);
  const report = generateAllureReport(reports);
  if (gate) io.stdout.write(`\n${shortVerdict(gate.verdict)}  (the table: npm run gate; ${gate.files.map(shortPath).join(', ')})\n`);
  if (report.ok) io.stdout.write(`\nAllure report: ${report.open}${report.open.endsWith('.html') ? '  (one file: open it in a browser)' : ''}\n`);
  else io.stderr.write(`\nota-hil: the Allure report could not be generated:\n${report.stderr}`);
  return { gate, report };
}

function shortPath(f: string): string {
  const r = path.relative(process.cwd(), f);
  return r.startsWith('..') ? f : r;
}
