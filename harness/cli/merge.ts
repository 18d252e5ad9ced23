// `ota-hil merge DIR...` (npm run merge -- DIR...): one report and one verdict for a run spread
// over several rig hosts. Each DIR is a host's OTA_HIL_REPORTS dir (run with OTA_HIL_BLOB=1 for
// the Playwright side). Allure results are merged, the blobs go through `playwright
// merge-reports`, the gate judges the merged results (its verdict goes into them) and the Allure
// report is generated once (with history); the exit status is the gate's.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findHostOutput, gatherBlobs, mergeAllureResults } from '../report/merge-results.ts';
import { generateAllureReport } from '../report/allure-generate.ts';
import { markFlakyRetries } from '../report/allure-results.ts';
import { judge } from './gate.ts';
import { playwrightCli } from './scenarios.ts';
import { defaultPolicyFile } from '../report/gate-policy.ts';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil merge DIR... [--out DIR] [--policy FILE] [--no-gate]
  DIR              a rig host's reports dir (allure-results/, blob-report/) or an allure-results dir
  --out DIR        merged allure-results, allure-report, history.jsonl, playwright-report, gate.json
                   (default reports)
  --policy FILE    release policy for the gate (default gate.policy.json here, else ota-hil's own)
  --no-gate        merge and report only; exit 0 when that worked
`;

export function mergeCommand(argv: string[], io: CliIo = processIo): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', default: 'reports' },
        policy: { type: 'string' },
        'no-gate': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (e) {
    return usage(io, (e as Error).message);
  }
  const { values: o, positionals: dirs } = parsed;
  if (o.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (dirs.length === 0) return usage(io, 'name at least one host dir to merge');
  const out = path.resolve(o.out);
  const merged = path.join(out, 'allure-results');
  const hosts = dirs.map(findHostOutput);
  for (const h of hosts) {
    if (!h.allureResults) return usage(io, `${h.dir}: no allure results (expected ${path.join(h.dir, 'allure-results')}/*-result.json)`);
    if ([out, merged].includes(path.resolve(h.allureResults)) || path.resolve(h.dir) === out) {
      return usage(io, `${h.dir} is also the output: merge into another --out (the output's results are replaced)`);
    }
  }
  const log = (s: string) => io.stdout.write(`merge: ${s}\n`);

  let t = performance.now();
  const m = mergeAllureResults(hosts.map((h) => h.allureResults!), merged);
  for (const w of m.warnings) io.stderr.write(`merge: warning: ${w}\n`);
  log(`${m.results} results from ${hosts.length} host(s) into ${merged} (${secs(performance.now() - t)})`);

  const blobs = hosts.flatMap((h) => h.blobs);
  if (blobs.length) {
    t = performance.now();
    const ok = mergeBlobs(io, hosts, out);
    if (!ok) return 1;
    log(`${blobs.length} Playwright blob(s) into ${path.join(out, 'playwright-report')} (${secs(performance.now() - t)})`);
  } else {
    log('no Playwright blob reports (run the hosts with OTA_HIL_BLOB=1 for a merged Playwright report)');
  }

  markFlakyRetries(merged);
  const gate = o['no-gate'] ? null : judge({ results: [merged], policy: o.policy ?? defaultPolicyFile(), out, intoResults: true }, io);
  if (!o['no-gate'] && !gate) return 2;
  const gen = generateAllureReport(out);
  if (!gen.ok) {
    io.stderr.write(`merge: the Allure report could not be generated:\n${gen.stderr}`);
    return 1;
  }
  log(`Allure report ${gen.open} (${secs(gen.ms)})`);
  if (!gate) return 0;
  io.stdout.write(gate.table);
  io.stdout.write(`\ngate: ${gate.verdict.pass ? 'PASS' : 'FAIL'}  (${gate.files.join(', ')})\n`);
  return gate.verdict.pass ? 0 : 1;
}

function mergeBlobs(io: CliIo, hosts: ReturnType<typeof findHostOutput>[], out: string): boolean {
  const dir = path.join(out, 'blob-report-merged');
  gatherBlobs(hosts, dir);
  let cli;
  try {
    cli = playwrightCli();
  } catch (e) {
    io.stderr.write(`merge: ${(e as Error).message}\n`);
    return false;
  }
  // The project's Playwright, run by this Node (npx would add an npm process).
  const r = spawnSync(process.execPath, [cli, 'merge-reports', '--reporter', 'html', dir], {
    encoding: 'utf8',
    env: { ...process.env, PLAYWRIGHT_HTML_OUTPUT_DIR: path.join(out, 'playwright-report'), PLAYWRIGHT_HTML_OPEN: 'never' },
  });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) io.stderr.write(`merge: playwright merge-reports failed:\n${r.stdout}${r.stderr}`);
  return r.status === 0;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function usage(io: CliIo, why: string): number {
  io.stderr.write(`ota-hil merge: ${why}\n${USAGE}`);
  return 2;
}
