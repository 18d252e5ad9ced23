// Writes allure-results the way allure-playwright does for a board scenario (labels, parameters,
// attachments nested under the board fixture's teardown step), so report tools can be tested
// without running boards.
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID, createHash } from 'node:crypto';
import path from 'node:path';

export interface FakeResult {
  title: string;
  describe?: string;
  file?: string;
  rig?: string;
  board?: string;
  candidate?: string;
  baseline?: string;
  status?: 'passed' | 'failed' | 'broken' | 'skipped';
  message?: string;
  faults?: string[];
  sweep?: string;
  boots?: { event: string; slot?: string | null; version?: string | null; startLine?: number }[];
  timelineSvg?: string;
  console?: string;
  /** Label not-applicable: why the scenario cannot apply (a skipped result). */
  notApplicable?: string;
  risks?: { label: 'brick-risk' | 'documented-risk'; description: string }[];
  /** A rollout summary (the fleet label's JSON). */
  fleet?: string;
  /** Leave out the candidate label (a result that failed before its board opened, say). */
  noCandidate?: true;
  /** Leave out the board and rig labels (only the Playwright project names the board). */
  noBoard?: true;
  /** Leave out the Playwright project too. */
  noProject?: true;
  /** Same value for retries of one test (default: derived from title and board). */
  historyId?: string;
  stop?: number;
}

export function writeResults(dir: string, results: FakeResult[]): void {
  mkdirSync(dir, { recursive: true });
  let clock = 1_800_000_000_000;
  for (const r of results) {
    const rig = r.rig ?? 'sim';
    const board = r.board ?? 'mcuboot-1';
    const file = r.file ?? 'scenario.spec.ts';
    const attach = (name: string, type: string, ext: string, body: string) => {
      const source = `${randomUUID()}-attachment.${ext}`;
      writeFileSync(path.join(dir, source), body);
      return { name, source, type };
    };
    const attachments = [
      ...(r.timelineSvg !== undefined ? [attach('timeline.svg', 'image/svg+xml', 'svg', r.timelineSvg)] : []),
      attach('console.log', 'text/plain', 'txt', r.console ?? '   0.001s  *** Booting Zephyr OS ***\n'),
      attach('boots.json', 'application/json', 'json', JSON.stringify((r.boots ?? [{ event: 'normal' }]).map((b, index) => ({ index, slot: 'primary', version: '1.0.0', startLine: 0, endLine: 1, evidence: [], complete: true, notes: [], ...b })))),
    ];
    const labels = [
      ['language', 'javascript'],
      ['framework', 'playwright'],
      ['parentSuite', rig],
      ['suite', board],
      ...(r.describe ? [['subSuite', r.describe]] : []),
      ...(r.noBoard ? [] : [['rig', rig], ['board', board]]),
      ['stack', 'mcuboot'],
      ['transport', 'http-pull'],
      ['baseline', r.baseline ?? '1.0.0'],
      ...(r.noCandidate ? [] : [['candidate', r.candidate ?? '1.1.0']]),
      ...(r.faults ?? []).map((f) => ['fault', f]),
      ...(r.sweep !== undefined ? [['sweep-coverage', r.sweep]] : []),
      ...(r.notApplicable !== undefined ? [['not-applicable', r.notApplicable]] : []),
      ...(r.risks ?? []).map((k) => [k.label, k.description]),
      ...(r.fleet !== undefined ? [['fleet', r.fleet]] : []),
    ].map(([name, value]) => ({ name: name!, value: value! }));
    const fullName = [file, r.describe, r.title].filter(Boolean).join(' › ');
    const historyId = r.historyId ?? createHash('md5').update(`${fullName}|${rig}/${board}`).digest('hex');
    const start = (clock += 1000);
    const stop = r.stop ?? (clock += 500);
    const status = r.status ?? 'passed';
    const result = {
      uuid: randomUUID(),
      name: r.title,
      fullName,
      historyId,
      testCaseId: historyId.slice(0, 16),
      status,
      statusDetails: r.message ? { message: r.message } : {},
      stage: 'finished',
      start,
      stop,
      labels,
      parameters: r.noProject ? [] : [{ name: 'Project', value: `${rig}/${board}` }],
      links: [],
      attachments: [],
      steps: [
        { name: 'install baseline 1.0.0', status: 'passed', stage: 'finished', steps: [], attachments: [], parameters: [], start, stop: start + 10 },
        {
          name: 'After Hooks',
          status: 'passed',
          stage: 'finished',
          parameters: [],
          attachments: [],
          start: stop - 5,
          stop,
          steps: [{ name: 'Fixture "board"', status: 'passed', stage: 'finished', parameters: [], start: stop - 5, stop, attachments: [], steps: attachments.map((a) => ({ name: a.name, parameters: [], attachments: [a], steps: [] })) }],
        },
      ],
    };
    writeFileSync(path.join(dir, `${result.uuid}-result.json`), JSON.stringify(result));
  }
}
