// One Allure report per run, with history: the repo's allurerc.mjs puts report and history.jsonl
// under OTA_HIL_REPORTS, so a merged run keeps its own history next to its report.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Generated {
  ok: boolean;
  ms: number;
  report: string;
  stderr: string;
}

export function generateAllureReport(reportsDir: string): Generated {
  const reports = path.resolve(reportsDir);
  const report = path.join(reports, 'allure-report');
  // Allure 3 does not clear its output: a report generated over an old one stays hidden under it.
  rmSync(report, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync('npx', ['allure', 'generate', path.join(reports, 'allure-results')], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, OTA_HIL_REPORTS: reports },
  });
  return { ok: r.status === 0, ms: performance.now() - t0, report, stderr: r.stderr ?? '' };
}
