// Report steps for the harness's phases (install, OTA, cut, boot, verdict). Board code also runs
// outside Playwright (unit tests, tools), where there is no Allure runtime: there a step is just
// its body. The fixture switches steps on for the tests it serves.
import * as allure from 'allure-js-commons';

let enabled = false;

/** Called by the Playwright fixture: from now on phases become Allure steps. */
export function enableReportSteps(): void {
  enabled = true;
}

/** Whether this process reports to Allure (a Playwright worker with the fixture loaded). */
export function reportingEnabled(): boolean {
  return enabled;
}

export interface PhaseContext {
  /** Rename the step once its outcome is known (e.g. which boot was seen). */
  rename(name: string): Promise<void>;
}

export async function phase<T>(name: string, body: (ctx: PhaseContext) => Promise<T>): Promise<T> {
  if (!enabled) return body({ rename: async () => {} });
  return allure.step(name, (ctx) => body({ rename: async (n) => ctx.displayName(n) }));
}

/** A step that already happened: a verdict, recorded passed or failed without wrapping code. */
export async function outcome(name: string, passed: boolean): Promise<void> {
  if (!enabled) return;
  await allure.logStep(name, passed ? allure.Status.PASSED : allure.Status.FAILED);
}
