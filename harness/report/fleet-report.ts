// A fleet result in the report: labelled like every result (rig, board "fleet", stacks, transports,
// versions) plus the fleet summary as a label the gate reads; attached: the states-over-time
// picture (also the description), each board's outcome, and every board's console log.
import type { TestInfo } from '@playwright/test';
import * as allure from 'allure-js-commons';
import type { Fleet } from '../fleet/fleet.ts';
import { outcomes, summarize, summaryLine } from '../fleet/verdict.ts';
import { renderFleet } from './fleet-picture.ts';
import { timelineHtml } from './board-report.ts';
import { LABEL } from './vocabulary.ts';

export const FLEET_BOARD = 'fleet';

export async function labelFleet(fleet: Fleet): Promise<void> {
  await allure.parentSuite(fleet.rig.name);
  await allure.suite(FLEET_BOARD);
  await allure.label(LABEL.rig, fleet.rig.name);
  await allure.label(LABEL.board, FLEET_BOARD);
  for (const stack of new Set(fleet.boards.map((b) => b.stack))) await allure.label(LABEL.stack, stack);
  for (const kind of new Set(fleet.boards.map((b) => b.ota.kind))) await allure.label(LABEL.transport, kind);
  const first = fleet.boards[0]?.images;
  if (first?.baseline) await allure.label(LABEL.baseline, first.baseline.version);
  if (first?.candidate) await allure.label(LABEL.candidate, first.candidate.version);
}

export async function attachFleet(testInfo: TestInfo, fleet: Fleet): Promise<void> {
  for (const [i, r] of fleet.rollouts.entries()) {
    const n = fleet.rollouts.length > 1 ? ` ${i + 1}` : '';
    const s = summarize(r);
    await allure.label(LABEL.fleet, JSON.stringify(s));
    const svg = renderFleet(r.records(), r.now(), `rollout${n}: ${summaryLine(s)}`);
    await testInfo.attach(`fleet${n}.svg`, { body: svg, contentType: 'image/svg+xml' });
    await testInfo.attach(`fleet${n}.json`, { body: JSON.stringify({ summary: s, boards: outcomes(r), excluded: r.excluded, history: r.records() }, null, 2), contentType: 'application/json' });
    if (i === 0) await allure.descriptionHtml(timelineHtml(svg));
  }
  for (const b of fleet.boards) await testInfo.attach(`${b.name} console.log`, { body: b.console.transcript(), contentType: 'text/plain' });
}
