// What a scenario tells the report beyond what the harness sees: the fault plan in words, a risk
// the stack documents, that the scenario cannot apply to this board and, for sweeps, how much of
// the sweep ran and its picture. `await report.fault('cut at 50% of download')` labels the result
// (QA filters by it; the timeline shows it in its title).
import * as allure from 'allure-js-commons';
import { test } from '@playwright/test';
import { LABEL, RISK_LABELS, formatCoverage, type RiskLabel } from './vocabulary.ts';
import { reportingEnabled } from './step.ts';

/** A picture shown on the result's Overview (above the timeline) and attached as SVG. */
export interface Picture {
  name: string;
  svg: string;
}

export class ScenarioReport {
  readonly faults: string[] = [];
  readonly pictures: Picture[] = [];

  async fault(plan: string): Promise<void> {
    this.faults.push(plan);
    await allure.label(LABEL.fault, plan);
  }

  /**
   * The scenario shows a weakness the stack has by design (nothing reverts a crashing image, a cut
   * during a copy leaves nothing runnable): labelled and annotated, so QA and the gate see it.
   */
  async brickRisk(description: string): Promise<void> {
    await this.risk({ label: LABEL.brickRisk, description });
  }

  /**
   * A documented risk of either kind: brick-risk, or documented-risk (a documented state that is
   * neither image nor a brick, such as Particle's safe mode). Shown at the top of the result.
   */
  async risk(r: { label: RiskLabel; description: string }): Promise<void> {
    await recordRisk(r.label, r.description);
  }

  /**
   * Skips the scenario when `condition` holds because it cannot apply to this board: the stack
   * promises no such behaviour, or the board's build rules it out. The reason is recorded
   * (label not-applicable), so the release gate tells it from a skip that left something unproven.
   */
  async notApplicable(condition: boolean, reason: string): Promise<void> {
    if (!condition) return;
    await allure.label(LABEL.notApplicable, reason);
    test.skip(true, `not applicable: ${reason}`);
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

  /** A result picture (a sweep's cut points): attached now, and put on the Overview with the timeline. */
  async picture(name: string, svg: string): Promise<void> {
    this.pictures.push({ name, svg });
    await test.info().attach(name, { body: svg, contentType: 'image/svg+xml' });
  }
}

/**
 * Labels the running result with a documented risk, where the harness judges one (a fault plan
 * that ended in the stack's documented brick window); a no-op outside a reporting test.
 */
export async function recordRisk(label: RiskLabel, description: string): Promise<void> {
  if (!reportingEnabled()) return;
  const notes = test.info().annotations;
  if (notes.some((a) => a.type === label && a.description === description)) return;
  notes.push({ type: label, description });
  await allure.label(label, description);
}

/** The risks recorded for the running result (annotations), for its Overview. */
export function risksOf(annotations: readonly { type: string; description?: string }[]): { label: RiskLabel; description: string }[] {
  return annotations.flatMap((a) => ((RISK_LABELS as readonly string[]).includes(a.type) ? [{ label: a.type as RiskLabel, description: a.description ?? '' }] : []));
}
