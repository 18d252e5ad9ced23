// Labels and attachments for a board's result: who ran it (rig, board, stack, transport, tags),
// for which release (baseline → candidate versions), and what happened (console log, parsed
// boots, OTA progress, the timeline picture).
import type { TestInfo } from '@playwright/test';
import * as allure from 'allure-js-commons';
import type { Rig } from '../rig/load.ts';
import type { BoardConfig } from '../rig/schema.ts';
import type { Board } from '../fixtures/board.ts';
import type { ImageSet } from '../fixtures/images.ts';
import { ATTACHMENT, LABEL } from './vocabulary.ts';
import { collectTimeline } from './timeline-collect.ts';
import { renderTimeline } from './timeline.ts';

export async function labelBoard(rig: Rig, config: BoardConfig): Promise<void> {
  await allure.parentSuite(rig.name);
  await allure.suite(config.name);
  await allure.label(LABEL.rig, rig.name);
  await allure.label(LABEL.board, config.name);
  await allure.label(LABEL.stack, config.stack);
  await allure.label(LABEL.transport, config.transport.kind);
  for (const [k, v] of Object.entries(config.tags ?? {})) await allure.tag(`${k}=${v}`);
}

/** The rig's "baseline" and "candidate" images are the release this result speaks for. */
export async function labelVersions(images: ImageSet): Promise<void> {
  const { baseline, candidate } = images;
  if (baseline) await allure.label(LABEL.baseline, baseline.version);
  if (candidate) await allure.label(LABEL.candidate, candidate.version);
  // Shown with the result; excluded from the history id so a new candidate keeps the history.
  if (baseline || candidate) await allure.parameter('firmware', `${baseline?.version ?? '?'} → ${candidate?.version ?? '?'}`, { excluded: true });
}

export function timelineSvg(board: Board, faults: readonly string[]): string {
  return renderTimeline(
    collectTimeline({
      board: board.name,
      faults,
      versions: { baseline: board.images.baseline?.version, candidate: board.images.candidate?.version },
      events: board.console.events,
      lines: board.console.lines,
      boots: board.boots.all(),
      ota: board.otaLog.samples,
      endMs: board.console.now(),
    }),
  );
}

/**
 * Each attachment on its own: a broken picture must not cost the console log. The timeline is
 * also the result's description, so it is on the Overview tab, not one click and one expand away.
 */
export async function attachBoard(testInfo: TestInfo, board: Board, faults: readonly string[]): Promise<void> {
  board.otaLog.stop();
  let svg = '';
  const parts: [string, string, () => string | Buffer][] = [
    [ATTACHMENT.timeline, 'image/svg+xml', () => (svg = timelineSvg(board, faults))],
    [ATTACHMENT.console, 'text/plain', () => board.console.transcript()],
    [ATTACHMENT.consoleRaw, 'application/octet-stream', () => board.console.rawBytes()],
    [ATTACHMENT.boots, 'application/json', () => JSON.stringify(board.boots.all(), null, 2)],
    [ATTACHMENT.otaProgress, 'application/json', () => JSON.stringify(board.otaLog.samples)],
  ];
  for (const [name, contentType, body] of parts) {
    let text: string | Buffer;
    try {
      text = body();
    } catch (e) {
      await testInfo.attach(`${name} (failed)`, { body: `could not build ${name}: ${(e as Error).stack ?? String(e)}`, contentType: 'text/plain' });
      continue;
    }
    await testInfo.attach(name, { body: text, contentType });
  }
  if (svg) await allure.descriptionHtml(timelineHtml(svg));
}

/** An <img> with the SVG inline: Allure shows descriptions in a sandboxed frame, sanitized. */
export function timelineHtml(svg: string): string {
  return `<img alt="timeline: power, OTA progress, boots, harness actions" style="max-width:100%" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`;
}
