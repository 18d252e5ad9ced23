// `npm run scenarios`: run the scenario suite, then always judge it with the release gate and
// generate the Allure report (a red run needs its report most), and exit with the suite's status
// (`npm run gate` exits with the gate's). OTA_HIL_REPORTS moves the output.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { register } from 'tsx/esm/api';

const reports = process.env.OTA_HIL_REPORTS ?? 'reports';
const args = process.argv.slice(2);
rmSync(`${reports}/allure-results`, { recursive: true, force: true });
rmSync(`${reports}/live`, { recursive: true, force: true });
const run = spawnSync('npx', ['playwright', 'test', ...args], { stdio: 'inherit' });
register();
const { reportRun } = await import('./run-report.ts');
reportRun(reports);
process.exit(run.status ?? 1);
