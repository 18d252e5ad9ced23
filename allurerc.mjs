// Allure 3 report settings: history accumulates one line per generated run.
export default {
  name: 'ota-hil',
  output: './reports/allure-report',
  historyPath: './reports/history.jsonl',
};
