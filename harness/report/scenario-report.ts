// What a scenario tells the report beyond what the harness sees: the fault plan in words and, for
// sweeps, how much of the sweep ran. `await report.fault('cut at 50% of download')` labels the
// result (QA filters by it; the timeline shows it in its title).
import * as allure from 'allure-js-commons';
import { test } from '@playwright/test';
import { LABEL, formatCoverage } from './vocabulary.ts';

export class ScenarioReport {
  readonly faults: string[] = [];

  async fault(plan: string): Promise<void> {
    this.faults.push(plan);
    await allure.label(LABEL.fault, plan);
  }

  /**
   * The scenario shows a weakness the stack has by design (nothing reverts a crashing image, a cut
   * during a copy leaves nothing runnable): labelled and annotated, so QA and the gate see it.
   */
  async brickRisk(description: string): Promise<void> {
    test.info().annotations.push({ type: LABEL.brickRisk, description });
    await allure.label(LABEL.brickRisk, description);
  }

  /**
   * A sweep (e.g. a cut at every flash write) reports how many of its points it exercised; the
   * release gate holds it to the policy's minimum coverage.
   */
  async sweep(covered: number, total: number): Promise<void> {
    if (!Number.isInteger(covered) || !Number.isInteger(total) || total <= 0 || covered < 0 || covered > total) {
      throw new Error(`report.sweep(${covered}, ${total}): expected 0 <= covered <= total, total > 0`);
    }
    await allure.label(LABEL.sweepCoverage, formatCoverage({ covered, total }));
  }
}
