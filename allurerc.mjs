// Allure 3 report settings: history accumulates one line per generated run, next to the report.
// OTA_HIL_REPORTS moves both (as it moves the results), e.g. for a merge of several rig hosts.
const reports = process.env.OTA_HIL_REPORTS ?? './reports';

export default {
  name: 'ota-hil',
  output: `${reports}/allure-report`,
  historyPath: `${reports}/history.jsonl`,
  // Runner noise; rig, board, stack, transport, tags, baseline, candidate, fault come first then.
  hideLabels: ['language', 'framework', 'package', 'titlePath', 'thread', '_fallbackTestCaseId'],
  plugins: {
    // The tree as the lab thinks of it: rig › board › describe › scenario.
    awesome: { options: { reportName: 'ota-hil', groupBy: ['parentSuite', 'suite', 'subSuite'] } },
  },
};
