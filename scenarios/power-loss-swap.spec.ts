import { test, expect } from '../harness/index.ts';

test.describe('power loss during the swap', () => {
  // Wall-clock delays after the bootloader announces the swap; each must land inside it.
  for (const delayMs of [15, 40, 70]) {
    test(`cut ${delayMs} ms into the swap: the swap resumes and the candidate boots`, async ({ board, images }) => {
      await board.install(images.baseline!);
      const ota = await board.ota.start(images.candidate!);
      await ota.delivered();
      await board.console.expect(/Starting swap using \w+ algorithm/);
      await new Promise((r) => setTimeout(r, delayMs));
      await board.power.cut();
      await board.power.restore();
      await expect(board).toBoot({ version: images.candidate!.version, event: 'swap-resumed' });
    });
  }
});
