// `npm run scenarios`: run the scenario suite, then always generate the Allure report (a red run
// needs its report most), and exit with the suite's status. OTA_HIL_REPORTS moves the output.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const reports = process.env.OTA_HIL_REPORTS ?? 'reports';
const args = process.argv.slice(2);
rmSync(`${reports}/allure-results`, { recursive: true, force: true });
const run = spawnSync('npx', ['playwright', 'test', ...args], { stdio: 'inherit' });
// Allure 3 does not clear its output: a report generated over an old one stays hidden under it.
rmSync(`${reports}/allure-report`, { recursive: true, force: true });
const gen = spawnSync('npx', ['allure', 'generate', `${reports}/allure-results`], { stdio: ['ignore', 'ignore', 'inherit'] });
if (gen.status === 0) process.stdout.write(`\nAllure report: ${reports}/allure-report/index.html  (open it: npm run report:open)\n`);
else process.stderr.write('\nota-hil: the Allure report could not be generated (see above)\n');
process.exit(run.status ?? 1);
