// One Allure report per run, with history: the package's allurerc.mjs puts report and history.jsonl
// under OTA_HIL_REPORTS (the history elsewhere with OTA_HIL_HISTORY), so a merged run keeps its
// own history next to its report. The report is a single index.html by default (it opens from
// the file system; OTA_HIL_REPORT_SINGLE_FILE=0 writes the multi-file report, which needs a server).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';

// Allure runs where the user is; only its config is the package's.
const ALLURERC = path.join(PACKAGE_ROOT, 'allurerc.mjs');
/** Allure's CLI, from this package's dependency (npx from a user's folder might fetch another). */
const ALLURE_CLI = path.join(path.dirname(createRequire(import.meta.url).resolve('allure')), '..', 'cli.js');

export interface Generated {
  ok: boolean;
  ms: number;
  report: string;
  /** How to open it: the file, or the command that serves it. */
  open: string;
  stderr: string;
}

export function singleFileReport(): boolean {
  return process.env.OTA_HIL_REPORT_SINGLE_FILE !== '0';
}

export function generateAllureReport(reportsDir: string, opts: { singleFile?: boolean } = {}): Generated {
  const single = opts.singleFile ?? singleFileReport();
  const reports = path.resolve(reportsDir);
  const report = path.join(reports, 'allure-report');
  // Allure 3 does not clear its output: a report generated over an old one stays hidden under it.
  rmSync(report, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [ALLURE_CLI, 'generate', '--config', ALLURERC, path.join(reports, 'allure-results')], {
    encoding: 'utf8',
    env: { ...process.env, OTA_HIL_REPORTS: reports, OTA_HIL_REPORT_SINGLE_FILE: single ? '1' : '0' },
  });
  const index = path.join(report, 'index.html');
  if (r.status === 0 && existsSync(index)) dropAnalytics(index);
  const rel = path.relative(process.cwd(), report);
  const open = single ? index : `npx allure open ${rel && !rel.startsWith('..') ? rel : report}`;
  return { ok: r.status === 0, ms: performance.now() - t0, report, open, stderr: r.stderr ?? '' };
}

/**
 * The report template loads Google's tag manager: a lab report must not call a third party (and
 * must render on a machine without Internet). Its script tags are removed; nothing else uses them.
 */
export function dropAnalytics(index: string): void {
  const html = readFileSync(index, 'utf8');
  const cleaned = html.replace(/\s*<script async src="https:\/\/www\.googletagmanager\.com\/[^"]*"><\/script>\s*<script>[^<]*?gtag\([^<]*?<\/script>/, '');
  if (cleaned !== html) writeFileSync(index, cleaned);
}
