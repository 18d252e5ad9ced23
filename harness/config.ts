// The Playwright config of an ota-hil run, from rig files: one project per rig board running the
// given specs, and, when asked, the stock scenario library (this package's scenarios/) against
// the same boards, chosen by title or tag. A firmware repository's playwright.config.ts is then
//   export default otaHilConfig({ testDir: 'tests/ota', stock: { grep: /confirmed update|withheld/ }, kinds: { power: [myPdu] } });
// Environment: OTA_HIL_RIG, OTA_HIL_BOARDS, OTA_HIL_REPORTS, OTA_HIL_BLOB, CI (README's table).
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type PlaywrightTestConfig, type Project } from '@playwright/test';
import { rigProjects, exitOnRigError } from './rig/projects.ts';
import { registerKinds, type UserKinds } from './rig/extend.ts';
import type { BoardOptions } from './fixtures/test.ts';
import { sigtermStopsRunner } from './power/safe-state.ts';

/** The runner's full rig check (images built), beside this module: .ts in the repository, .js in the package. */
const RIG_CHECK = fileURLToPath(new URL(`./rig/runner-check${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url));

/** The stock scenario library: the scenarios this package ships, beside this module's folder. */
export const STOCK_SCENARIOS = fileURLToPath(new URL('../scenarios', import.meta.url));

export interface OtaHilConfigOptions {
  /** Rig files (default: OTA_HIL_RIG, comma-separated, else rigs/sim.json). */
  rigs?: string[];
  /** Your own specs; omit to run only the stock library. */
  testDir?: string;
  /** Run the stock library too; `grep` picks scenarios by title or @tag, `grepInvert` leaves some out. */
  stock?: boolean | { grep?: RegExp | RegExp[]; grepInvert?: RegExp | RegExp[] };
  /** Power drivers, transports, installers, commit methods of your own (harness/rig/kind.ts). */
  kinds?: UserKinds;
  /** Anything else for Playwright; wins over what is built here. */
  playwright?: PlaywrightTestConfig<object, BoardOptions>;
}

/** Who ran it, on what: the report's overview shows it (and a merge unites the hosts'). */
function environmentInfo(rigs: string[]): Record<string, string> {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const e = process.env;
  const ciRun = e.OTA_HIL_CI_RUN_URL ?? (e.GITHUB_RUN_ID ? `${e.GITHUB_SERVER_URL}/${e.GITHUB_REPOSITORY}/actions/runs/${e.GITHUB_RUN_ID}` : (e.CI_JOB_URL ?? e.BUILD_URL));
  const info: Record<string, string> = {
    'rig host': hostname(),
    rigs: rigs.join(', '),
    commit: git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? ' (with local changes)' : ''),
    node: process.version,
  };
  if (e.OTA_HIL_BOARDS) info.boards = e.OTA_HIL_BOARDS;
  if (ciRun) info['CI run'] = ciRun;
  return info;
}

export function otaHilConfig(opts: OtaHilConfigOptions = {}): PlaywrightTestConfig<object, BoardOptions> {
  registerKinds(opts.kinds);
  sigtermStopsRunner();
  const reports = process.env.OTA_HIL_REPORTS ?? 'reports';
  const rigs = opts.rigs ?? (process.env.OTA_HIL_RIG ?? 'rigs/sim.json').split(',').filter(Boolean);
  let boards: Project<object, BoardOptions>[] = [];
  try {
    boards = rigProjects(rigs, process.env.OTA_HIL_BOARDS);
  } catch (e) {
    exitOnRigError(e);
  }
  const stock = opts.stock === true ? {} : opts.stock || undefined;
  const projects: Project<object, BoardOptions>[] = [];
  for (const b of boards) {
    if (opts.testDir) projects.push({ ...b, testDir: opts.testDir });
    if (stock || !opts.testDir) projects.push({ ...b, name: opts.testDir ? `${b.name}/stock` : b.name, testDir: STOCK_SCENARIOS, ...stock });
  }
  // Two workers per core (Playwright's default is half a core): each worker simulates boards of its
  // own, and a simulated board spends about half its time waiting (flash timings, boots in its own
  // time), so one per core leaves the cores idle. A real board's project keeps to one worker (rigProjects).
  const asked = opts.playwright?.workers;
  const workers = typeof asked === 'number' ? asked : 2 * (process.env.CI ? 2 : availableParallelism());
  // A worker serves one project (board); starting one costs ~2.5 s of CPU. Unlimited, every worker
  // would take a share of each board in turn and restart at each; limited to its share of the
  // workers, a worker stays with a board until its scenarios are done (ten starts, not twenty).
  const share = Math.max(1, Math.floor(workers / projects.length));
  for (const p of projects) p.workers ??= share;
  return defineConfig<object, BoardOptions>({
    outputDir: `${reports}/test-results`,
    timeout: 120_000,
    fullyParallel: true,
    workers: asked ?? workers,
    reporter: [
      ['list'],
      // By path: Playwright resolves a reporter's name from the user's folder, where only a hoisting
      // package manager puts this package's dependency.
      [createRequire(import.meta.url).resolve('allure-playwright'), { resultsDir: `${reports}/allure-results`, detail: true, suiteTitle: false, environmentInfo: environmentInfo(rigs) }],
      // A rig host's share of a multi-host run: `npm run merge` combines the hosts' blobs.
      ...(process.env.OTA_HIL_BLOB ? [['blob', { outputDir: `${reports}/blob-report` }] as const] : []),
    ],
    projects,
    ...opts.playwright,
    globalSetup: [RIG_CHECK, ...[opts.playwright?.globalSetup ?? []].flat()],
  });
}
