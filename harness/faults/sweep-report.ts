// What a sweep leaves in the report: its picture (every cut point by phase and outcome) on the
// Overview, the phase × outcome table and the failing points as CSV tables, a fault-plan
// attachment per failing point (numbered as in the picture) that replays it through runPlan, the
// documented risk when points ended in the stack's install window, and its coverage for the gate.
import { test } from '@playwright/test';
import type { ScenarioReport } from '../report/scenario-report.ts';
import { renderSweepPicture } from '../report/sweep-picture.ts';
import { failuresCsv, pointClass, summarizeSweep, sweepCsv, sweepPictureData, type SweepSummary } from './summary.ts';
import { installWindowRisk } from './recover.ts';
import type { Recording } from './record.ts';
import type { SweepResult } from './sweep.ts';

/** Fault plans attached one by one; the rest are in sweep-failures.json. */
const PLAN_ATTACHMENTS = 20;

export async function reportSweep(report: ScenarioReport, rec: Recording, result: SweepResult): Promise<SweepSummary> {
  const summary = summarizeSweep(result);
  const info = test.info();
  await report.picture('sweep.svg', renderSweepPicture(sweepPictureData(result, rec.ops.map((o) => o.phase))));
  await info.attach('sweep-summary.csv', { body: sweepCsv(summary), contentType: 'text/csv' });
  await info.attach('sweep-summary.json', { body: JSON.stringify({ ...summary, failures: summary.failures.length }, null, 2), contentType: 'application/json' });
  if (summary.failures.length) {
    await info.attach('sweep-failures.csv', { body: failuresCsv(summary), contentType: 'text/csv' });
    await info.attach('sweep-failures.json', { body: JSON.stringify(summary.failures, null, 2), contentType: 'application/json' });
    for (const [i, f] of summary.failures.slice(0, PLAN_ATTACHMENTS).entries()) {
      await info.attach(`fault-plan #${i + 1} (${f.what}).json`, { body: JSON.stringify(f.plan, null, 2), contentType: 'application/json' });
    }
  }
  const window = rec.promises.cutDuringSwap;
  if (window && result.results.some((p) => pointClass(p) === 'risk')) await report.risk(installWindowRisk(result.stack, window));
  await report.sweep(result.covered, result.total);
  return summary;
}
