// Scenario runner. Rigs: OTA_HIL_RIG (comma-separated rig files, default rigs/sim.json).
// Boards: OTA_HIL_BOARDS, a tag filter such as "arch=esp8266,stack=esp-idf".
// Output: OTA_HIL_REPORTS (default reports/) receives allure-results and test-results, and with
// OTA_HIL_BLOB=1 a Playwright blob report for `npm run merge`.
import { defineConfig } from '@playwright/test';
import { rigProjects, exitOnRigError } from './harness/rig/projects.ts';
import type { BoardOptions } from './harness/fixtures/test.ts';
import { sigtermStopsRunner } from './harness/power/safe-state.ts';

sigtermStopsRunner();

const reports = process.env.OTA_HIL_REPORTS ?? 'reports';
const rigs = (process.env.OTA_HIL_RIG ?? 'rigs/sim.json').split(',').filter(Boolean);
let projects;
try {
  projects = rigProjects(rigs, process.env.OTA_HIL_BOARDS);
} catch (e) {
  exitOnRigError(e);
}

export default defineConfig<object, BoardOptions>({
  testDir: 'scenarios',
  outputDir: `${reports}/test-results`,
  timeout: 120_000,
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  reporter: [
    ['list'],
    ['allure-playwright', { resultsDir: `${reports}/allure-results`, detail: true, suiteTitle: false }],
    // A rig host's share of a multi-host run: `npm run merge` combines the hosts' blobs.
    ...(process.env.OTA_HIL_BLOB ? [['blob', { outputDir: `${reports}/blob-report` }] as const] : []),
  ],
  projects,
});
