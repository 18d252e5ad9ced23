// Labels and attachments for a board's result: who ran it (rig, board, stack, transport, tags),
// for which release (baseline → candidate versions), and what happened (console log, parsed
// boots, OTA progress, the timeline picture).
import type { TestInfo } from '@playwright/test';
import * as allure from 'allure-js-commons';
import type { Rig } from '../rig/load.ts';
import type { BoardConfig } from '../rig/schema.ts';
import type { Board } from '../fixtures/board.ts';
import { ATTACHMENT, LABEL, type RiskLabel } from './vocabulary.ts';
import { collectTimeline } from './timeline-collect.ts';
import { esc, renderTimeline } from './timeline.ts';
import { risksOf, type Picture, type ScenarioReport } from './scenario-report.ts';

// In one message each: every Allure call is a Playwright attachment step (a stack trace captured).
export async function labelBoard(rig: Rig, config: BoardConfig): Promise<void> {
  await allure.labels(
    { name: allure.LabelName.PARENT_SUITE, value: rig.name },
    { name: allure.LabelName.SUITE, value: config.name },
    { name: LABEL.rig, value: rig.name },
    { name: LABEL.board, value: config.name },
    { name: LABEL.stack, value: config.stack },
    { name: LABEL.transport, value: config.transport.kind },
    ...Object.entries(config.tags ?? {}).map(([k, v]) => ({ name: allure.LabelName.TAG, value: `${k}=${v}` })),
  );
}

/**
 * The rig's "baseline" and "candidate" images are the release this result speaks for. Labelled
 * from the rig before the board opens: a result that fails to open its board still belongs to it.
 */
export async function labelVersions(images: Partial<Record<string, { version: string }>>): Promise<void> {
  const { baseline, candidate } = images;
  const versions = [...(baseline ? [{ name: LABEL.baseline, value: baseline.version }] : []), ...(candidate ? [{ name: LABEL.candidate, value: candidate.version }] : [])];
  if (versions.length) await allure.labels(...versions);
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
 * Each attachment on its own: a broken picture must not cost the console log. The result's
 * description is on the Overview tab: its documented risks first, then its pictures (a sweep's),
 * then the timeline, so none is one click and one expand away.
 */
export async function attachBoard(testInfo: TestInfo, board: Board, report: ScenarioReport): Promise<void> {
  board.otaLog.stop();
  let svg = '';
  const parts: [string, string, () => string | Buffer][] = [
    [ATTACHMENT.timeline, 'image/svg+xml', () => (svg = timelineSvg(board, report.faults))],
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
  await allure.descriptionHtml(overviewHtml(risksOf(testInfo.annotations), report.pictures, svg));
}

/** Risks, pictures and the timeline as the result's description (Allure shows it in a sandboxed frame, sanitized). */
export function overviewHtml(risks: readonly { label: RiskLabel; description: string }[], pictures: readonly Picture[], timeline: string): string {
  const banners = risks.map(
    (r) => `<p style="background:#fff3e0;border-left:4px solid #ffa000;padding:6px 10px;margin:0 0 8px;font-family:system-ui,sans-serif"><b>⚠ documented risk (${r.label})</b>: ${esc(r.description)}</p>`,
  );
  return [...banners, ...pictures.map((p) => svgImg(p.svg, p.name)), ...(timeline ? [timelineHtml(timeline)] : [])].join('\n');
}

export function timelineHtml(svg: string): string {
  return svgImg(svg, 'timeline: power, OTA progress, boots, harness actions');
}

/** An <img> with the SVG inline: a sandboxed description frame loads nothing else. */
function svgImg(svg: string, alt: string): string {
  return `<img alt="${esc(alt)}" style="max-width:100%" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`;
}
