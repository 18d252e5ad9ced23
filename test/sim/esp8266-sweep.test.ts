// Power cuts at every flash operation of an ESP8266 Arduino update, clean and torn. During the
// download (staging below the filesystem) nothing the sketch runs from changes: the old sketch
// boots. During eboot's copy the RTC command is lost with the power, so eboot boots a half-copied
// sketch: the harness must see a brick, never a running sketch on broken flash. (Only at the
// edges — nothing copied yet, or only bytes past the image left — does a whole sketch run.)
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, final, recordOps, until } from './stack-kit.ts';
import { CANDIDATE, UP, espBoard, settleEsp, startUpdate } from './esp8266-helpers.ts';
import { FS_START, SECTOR } from '../../harness/sim/stacks/esp8266-arduino/layout.ts';

afterEach(cleanup);

/** Numbers of every flash operation of an uncut update, split into staging and copy. */
async function plan(): Promise<{ staging: number[]; copy: number[] }> {
  const board = espBoard();
  const ops = recordOps(board);
  const m = await startUpdate(board, board.image(CANDIDATE));
  await board.waitFor(/OTA-HIL Sketch 1\.1\.0/, m, 10_000);
  await board.powerOff();
  const staging = ops.filter((o) => o.addr >= FS_START - 0x40000 && o.addr < FS_START).map((o) => o.n);
  const copy = ops.filter((o) => o.n > staging.at(-1)! && o.addr < FS_START - 0x40000).map((o) => o.n);
  assert.ok(copy.length >= 8 && staging.length >= 8, JSON.stringify(ops));
  assert.equal(ops.find((o) => o.n === copy[0])?.addr, SECTOR, 'the copy starts by erasing the sketch header sector');
  return { staging, copy };
}

/** Update with a cut armed at op `n`; then power on and let the board settle. */
async function cutAt(n: number, torn: boolean, fraction: number) {
  const board = espBoard();
  board.device.flash.armCut({ atOp: n, torn, fraction });
  const m = await startUpdate(board, board.image(CANDIDATE));
  assert.ok(await until(() => !board.device.powered, 10_000), `the cut at op ${n} never fired:\n${board.since(m)}`);
  await board.powerOff();
  const boots = await settleEsp(board);
  return { verdict: final(boots), flash: board.inspect() };
}

test('a cut at any operation of the download keeps the old sketch', async () => {
  const { staging } = await plan();
  const bad: string[] = [];
  for (const n of staging) {
    for (const torn of [false, true]) {
      const r = await cutAt(n, torn, 0.5);
      if (r.verdict.join() !== 'sketch,normal,1.0.0') bad.push(`op ${n}${torn ? ' torn' : ''}: ${r.verdict.join()}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('a cut at any operation of the eboot copy is a brick unless it changed nothing that runs; never a pass on broken flash', async () => {
  const { copy } = await plan();
  const bad: string[] = [];
  let bricks = 0;
  for (const [i, n] of copy.entries()) {
    for (const torn of [false, true]) {
      const r = await cutAt(n, torn, [0.5, 0.1, 0.9][i % 3]!);
      const where = `copy op ${i + 1}/${copy.length}${torn ? ' torn' : ''}: ${r.verdict.join()} (flash: ${r.flash.detail})`;
      const [slot, event, version] = r.verdict;
      if (slot === 'none' && event === 'brick') {
        bricks++;
        if (r.flash.slot !== 'none') bad.push(`${where}: brick on a whole sketch`);
      } else if (slot === 'sketch' && event === 'normal' && version === r.flash.version) {
        // Only the edges: nothing copied yet, or the tail past the image was all that was left.
        const edge = (version === '1.0.0' && i === 0 && !torn) || (version === '1.1.0' && i === copy.length - 1);
        if (!edge) bad.push(`${where}: runs a sketch in the middle of the copy`);
      } else bad.push(where);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(bricks >= copy.length * 2 - 3, `${bricks} bricks out of ${copy.length * 2} cuts`);
});

test('the uncut update boots the candidate (the sweep above is not vacuous)', async () => {
  const board = espBoard();
  const m = await startUpdate(board, board.image(CANDIDATE));
  await board.waitFor(UP, m + 5, 10_000);
  await board.waitFor(/OTA-HIL Sketch 1\.1\.0/, m);
  assert.deepEqual(final(board.boots(m)), ['sketch', 'swap', '1.1.0']);
});
