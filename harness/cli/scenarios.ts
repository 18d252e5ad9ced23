// `ota-hil scenarios [playwright test args...]` (and the repository's `npm run scenarios`): run the
// scenarios with the Playwright of the project it is run from, then always judge them with the
// release gate and generate the Allure report (a red run needs its report most), and exit with
// the suite's status (`ota-hil gate` exits with the gate's). OTA_HIL_REPORTS moves the output.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { reportRun } from './run-report.ts';
import { processIo, type CliIo } from './io.ts';

/** The project's own @playwright/test (the one its config and specs load), else this package's. */
export function playwrightCli(): string {
  for (const from of [path.join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      return createRequire(from).resolve('@playwright/test/cli');
    } catch {
      // not installed there: try the next
    }
  }
  throw new Error('ota-hil scenarios: @playwright/test is not installed (npm i -D @playwright/test)');
}

export function scenariosCommand(args: string[], io: CliIo = processIo): number {
  const reports = process.env.OTA_HIL_REPORTS ?? 'reports';
  let cli;
  try {
    cli = playwrightCli();
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  // Listing or asking for help runs nothing: no verdict, no report, and the last run's results stay.
  const runs = !args.some((a) => a === '--list' || a === '--help' || a === '-h');
  if (runs) {
    rmSync(path.join(reports, 'allure-results'), { recursive: true, force: true });
    rmSync(path.join(reports, 'live'), { recursive: true, force: true });
  }
  const run = spawnSync(process.execPath, [cli, 'test', ...args], { stdio: 'inherit' });
  if (runs) reportRun(reports, undefined, io);
  return run.status ?? 1;
}
