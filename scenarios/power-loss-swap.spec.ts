import { test, expect, promisesOf } from '../harness/index.ts';

test.describe('power loss during the swap', () => {
  // Wall-clock delays after the bootloader announces the swap; each must land inside it.
  for (const delayMs of [15, 40, 70]) {
    test(`cut ${delayMs} ms into the swap`, async ({ board, images, report }) => {
      await report.fault(`power cut ${delayMs} ms into the swap`);
      const promised = promisesOf(board.stack);
      const outcome = promised.cutDuringSwap;
      test.skip(outcome === null || promised.swapStarts === null, `${board.stack} has no swap or copy phase`);
      await board.install(images.baseline!);
      const ota = await board.ota.start(images.candidate!);
      await ota.delivered();
      await board.console.expect(promised.swapStarts!);
      await new Promise((r) => setTimeout(r, delayMs));
      await board.power.cut();
      await board.power.restore();
      if (outcome && 'brickRisk' in outcome) {
        await expect(board).toBoot({ event: 'brick' });
      } else {
        await expect(board).toBoot({ version: images[outcome!.runs]!.version, event: outcome!.event });
      }
    });
  }
});
