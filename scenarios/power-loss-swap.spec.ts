import { test, expect } from '../harness/index.ts';
import { installWindowRisk } from '../harness/faults/recover.ts';

test.describe('power loss during the swap', { tag: ['@swap-cut', '@power-cut'] }, () => {
  // Wall-clock delays after the bootloader announces the swap; each must land inside it.
  for (const delayMs of [15, 40, 70]) {
    test(`cut ${delayMs} ms into the swap`, async ({ board, images, report }) => {
      await report.fault(`power cut ${delayMs} ms into the swap`);
      const promised = board.promises;
      const outcome = promised.cutDuringSwap;
      await report.notApplicable(outcome === null || promised.swapStarts === null, `${board.stack} has no swap or copy phase`);
      await board.install(images.baseline!);
      const ota = await board.ota.start(images.candidate!);
      await ota.delivered();
      await board.console.expect(promised.swapStarts!);
      await new Promise((r) => setTimeout(r, delayMs));
      await board.power.cut();
      await board.power.restore();
      if (outcome && 'brickRisk' in outcome) {
        // No safe copy on this stack: the harness must show the brick, and label the risk for the gate.
        await report.risk(installWindowRisk(board.stack, outcome));
        await expect(board).toBoot({ event: 'brick' });
      } else {
        const { runs, slot, event } = outcome!;
        // A documented state that is no image (Particle's safe mode): shown as the risk it is.
        if (runs === 'none') await report.risk(installWindowRisk(board.stack, outcome!));
        await expect(board).toBoot({ version: runs === 'none' ? undefined : images[runs]!.version, slot, event });
        if (slot === 'safe-mode') {
          // Safe mode is recoverable: the same update, sent again, must apply.
          await board.ota.run(images.candidate!, { commit: 'withhold' });
          await expect(board).toBoot({ version: images.candidate!.version, event: promised.firstBoot.event });
        }
      }
    });
  }
});
