// Scenario runner: the stock scenario library (scenarios/) on every board of the rigs.
// Rigs: OTA_HIL_RIG (comma-separated rig files, default rigs/sim.json).
// Boards: OTA_HIL_BOARDS, a tag filter such as "arch=esp8266,stack=esp-idf".
// Output: OTA_HIL_REPORTS (default reports/) receives allure-results and test-results, and with
// OTA_HIL_BLOB=1 a Playwright blob report for `npm run merge`.
import { otaHilConfig } from './harness/config.ts';

export default otaHilConfig();
