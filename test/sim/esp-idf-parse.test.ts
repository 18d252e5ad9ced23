// The simulator's own console read back by the boot-log parser, as QA would read a capture:
// `ota-hil parse-bootlog FILE --stack auto --json` on whole runs, and the live case where lines
// arrive one by one and a verdict is taken as soon as a boot settles.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASELINE, Board, CANDIDATE, cleanup, nextApp, serve, startOta } from './esp-idf-helpers.ts';
import { espIdfParser } from '../../harness/bootlog/esp-idf.ts';
import type { ImageBuild } from '../../harness/sim/stack.ts';
import { otaHil } from '../helpers/ota-hil.ts';

after(cleanup);

const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-espidf-'));

interface Summary {
  stack: string;
  boots: { slot: string | null; event: string; version: string | null }[];
  final: { slot: string | null; event: string; version: string | null };
}

/** `ota-hil parse-bootlog FILE --stack auto --json` (main() in this process: test/helpers/ota-hil.ts). */
async function parseBootlog(name: string, lines: string[]): Promise<Summary> {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join('\r\n') + '\r\n');
  const r = await otaHil(['parse-bootlog', file, '--stack', 'auto', '--json']);
  assert.equal(r.status, 0, r.err);
  return JSON.parse(r.out) as Summary;
}

const shape = (s: Summary) => s.boots.map((b) => `${b.slot} ${b.event} ${b.version}`);

/** Baseline in factory, `candidate` delivered, its trial boot up. */
async function toTrial(candidate: ImageBuild = CANDIDATE): Promise<Board> {
  const board = new Board();
  const server = await serve(board.image(candidate));
  const m = await startOta(board, BASELINE, server.url);
  await nextApp(board, m);
  return board;
}

test('withheld commit: normal, trial, revert (silent at INFO, the offset goes back), normal', async () => {
  const board = await toTrial();
  await nextApp(board, await board.powerCycle());
  await nextApp(board, await board.powerCycle());
  const s = await parseBootlog('revert.log', board.lines);
  assert.equal(s.stack, 'esp-idf');
  assert.deepEqual(shape(s), ['factory normal 1.0.0', 'ota_0 trial 1.1.0', 'factory revert 1.0.0', 'factory normal 1.0.0']);
  assert.deepEqual(s.final, { slot: 'factory', event: 'normal', version: '1.0.0' });
});

test('confirmed update: the trial, then ota_0 as a normal boot', async () => {
  const board = await toTrial();
  const c = board.mark();
  board.send('ota confirm');
  await board.waitFor(/app marked valid/, c);
  await nextApp(board, await board.powerCycle());
  const s = await parseBootlog('confirmed.log', board.lines);
  assert.deepEqual(shape(s), ['factory normal 1.0.0', 'ota_0 trial 1.1.0', 'ota_0 normal 1.1.0']);
});

test('a crashing candidate: trial (with the panic as a note), then revert to factory', async () => {
  const board = await toTrial({ version: '1.2.0-crash', boot: 'crash', confirm: 'wait' });
  const panic = await board.waitFor(/Guru Meditation Error/);
  await nextApp(board, panic);
  const s = await parseBootlog('crash.log', board.lines);
  assert.deepEqual(shape(s), ['factory normal 1.0.0', 'ota_0 trial 1.2.0-crash', 'factory revert 1.0.0']);
});

test('a second update lands in ota_1; a refused corrupt image leaves the slot alone', async () => {
  const board = await toTrial({ ...CANDIDATE, confirm: 'self' });
  const next = await serve(board.image({ version: '1.2.0', boot: 'ok', confirm: 'self' }));
  const m = board.mark();
  board.send(`ota ${next.url}`);
  await nextApp(board, m);
  const bad = board.image({ version: '1.3.0', boot: 'ok', confirm: 'wait' });
  bad[20_000]! ^= 0x01;
  const corrupt = await serve(bad);
  const m2 = board.mark();
  board.send(`ota ${corrupt.url}`);
  await board.waitFor(/Firmware upgrade failed/, m2);
  await nextApp(board, await board.powerCycle());
  const s = await parseBootlog('second.log', board.lines);
  assert.deepEqual(shape(s), ['factory normal 1.0.0', 'ota_0 trial 1.1.0', 'ota_1 trial 1.2.0', 'ota_1 normal 1.2.0']);
  assert.deepEqual(s.final, { slot: 'ota_1', event: 'normal', version: '1.2.0' });
});

test('lines arriving one by one: the trial boot settles only with its version and its PENDING_VERIFY report', async () => {
  const board = await toTrial();
  const lines = board.lines;
  let settledAs: string | null = null;
  for (let n = 1; n <= lines.length && settledAs === null; n++) {
    const boots = espIdfParser.parse(lines.slice(0, n));
    const b = boots[1];
    if (b && (b.complete || boots.length > 2)) settledAs = `${b.slot} ${b.event} ${b.version}`;
  }
  assert.equal(settledAs, 'ota_0 trial 1.1.0');
});
