// Allure 3 report settings. OTA_HIL_REPORTS moves report and results (e.g. for a merge of several
// rig hosts); OTA_HIL_HISTORY moves the history (one line per generated run), e.g. to a path CI
// restores before the run and saves after it, so the trend spans CI runs.
import { readFileSync } from 'node:fs';

const reports = process.env.OTA_HIL_REPORTS ?? './reports';

/** The release gate's verdict and counts, written into the results just before generation (ota-hil gate). */
function gateVariables() {
  try {
    return JSON.parse(readFileSync(`${reports}/allure-results/ota-hil-gate.json`, 'utf8')).variables ?? {};
  } catch {
    return {};
  }
}

const passed = ['passed'];
const risk = (label) => ({ statuses: passed, labels: { [label]: /./ } });

export default {
  name: 'ota-hil',
  output: `${reports}/allure-report`,
  historyPath: process.env.OTA_HIL_HISTORY ?? `${reports}/history.jsonl`,
  // Runner noise; rig, board, stack, transport, tags, baseline, candidate, fault come first then.
  hideLabels: ['language', 'framework', 'package', 'titlePath', 'thread', '_fallbackTestCaseId'],
  // Shown on the overview: the release gate's verdict, and how many results passed, failed, are documented risks.
  variables: gateVariables(),
  // Every result in exactly one category, by the rules the release gate judges with (harness/report/gate.ts
  // verdictOf): the overview's Categories tab shows passes, failures and documented risks apart.
  categories: {
    rules: [
      { id: 'failed', name: 'Failed', matchers: { statuses: ['failed', 'broken', 'unknown'] }, groupBy: [{ label: 'board' }], expand: true },
      { id: 'flaky', name: 'Flaky: passed only on a retry', matchers: { statuses: passed, flaky: true }, groupBy: [{ label: 'board' }], groupByMessage: false, expand: true },
      { id: 'risk', name: 'Documented risks: passed as the stack documents, not as safe', matchers: [risk('brick-risk'), risk('documented-risk')], groupBy: [{ label: 'board' }], groupByMessage: false, expand: true },
      { id: 'passed', name: 'Passed', matchers: { statuses: passed }, groupBy: [{ label: 'board' }], groupByMessage: false },
      { id: 'not-applicable', name: 'Not applicable to the board (its stack or build rules it out)', matchers: { statuses: ['skipped'], labels: { 'not-applicable': /./ } }, groupBy: [{ label: 'board' }] },
      { id: 'skipped', name: 'Skipped: not proven', matchers: { statuses: ['skipped'] }, groupBy: [{ label: 'board' }], expand: true },
    ],
  },
  plugins: {
    // The tree as the lab thinks of it: rig › board › describe › scenario. One index.html that
    // opens from the file system, unless OTA_HIL_REPORT_SINGLE_FILE=0 (then: npx allure open DIR).
    awesome: {
      options: {
        reportName: 'ota-hil',
        singleFile: process.env.OTA_HIL_REPORT_SINGLE_FILE !== '0',
        groupBy: ['parentSuite', 'suite', 'subSuite'],
      },
    },
  },
};
