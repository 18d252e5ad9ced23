// Power cuts at every flash operation of the download and of the upgrade request: the baseline
// must survive; the request counts once the secondary magic is complete (then a trial follows).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Board, BASELINE, CANDIDATE, bootOnce, cleanup, serve, until } from './mcuboot-helpers.ts';
import { armFrom } from './stack-kit.ts';
import { layoutFor } from '../../harness/sim/stacks/mcuboot/layout.ts';
import { trailerOffsets } from '../../harness/sim/stacks/mcuboot/trailer.ts';

after(cleanup);

test('a cut at any flash op of the download or the request keeps the baseline; a complete magic makes it a trial', async (t) => {
  const config = { timeScale: 100_000 };
  const board = new Board(config);
  board.install(BASELINE);
  const ready = board.device.flash.snapshot();
  const server = await serve(board.image(CANDIDATE));
  const secondary = layoutFor(config).secondary;

  // One uncut run to count the ops and find the request's writes (magic, then swap_info).
  let magicOp = 0;
  let total = 0;
  board.device.flash.onOp = (op, n) => {
    if (op.kind === 'program' && op.addr === trailerOffsets.magicOff(secondary)) magicOp = n - ready.counters.ops;
    if (op.kind === 'program' && op.addr === trailerOffsets.swapInfoOff(secondary)) total = n - ready.counters.ops;
  };
  const runOta = async (): Promise<void> => {
    const m = board.mark();
    board.device.powerOn();
    await board.waitFor(/Firmware version 1\.1\.0/, m);
    board.send(`ota ${server.url}`);
    // Until the cut fires, or the request is complete and the board reboots into the swap.
    await until(() => !board.device.powered || board.lines.slice(m).some((l) => /Test upgrade requested/.test(l)));
    await board.powerOff();
  };
  await runOta();
  board.device.flash.onOp = null;
  t.diagnostic(`download + request: ${total} flash ops; secondary magic at op ${magicOp}`);
  assert.ok(magicOp > 50 && total === magicOp + 1, `magic written at op ${magicOp}, swap_info at ${total}`);

  const bad: string[] = [];
  for (const torn of [false, true]) {
    for (let n = 1; n <= total + 1; n++) {
      armFrom(board, ready, n, torn);
      await runOta();
      board.device.flash.armCut(null);
      const recovery = await bootOnce(board);
      const next = await bootOnce(board);
      // Before the magic is whole the request does not exist (a torn magic reads "bad"); once it
      // is, the image is tested once, with or without swap_info.
      const requested = n > magicOp;
      const want = requested ? '1.2.0' : '1.1.0';
      const swap = requested ? 'test' : 'none';
      if (recovery.outcome !== want || next.outcome !== '1.1.0' || !recovery.log.includes(`Swap type: ${swap}`)) {
        bad.push(`N=${n}${torn ? ' torn' : ''}: ${recovery.outcome} then ${next.outcome}`);
      }
    }
  }
  assert.deepEqual(bad, []);
  await server.close();
});
