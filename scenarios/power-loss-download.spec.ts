import { test, expect } from '../harness/index.ts';

test.describe('power loss during the download', { tag: ['@download-cut', '@power-cut'] }, () => {
  for (const fraction of [0.05, 0.5, 0.99]) {
    test(`cut at ${fraction * 100}% keeps the baseline`, async ({ board, images, report }) => {
      await report.fault(`power cut at ${fraction * 100}% of the download`);
      await board.install(images.baseline!);
      const ota = await board.ota.start(images.candidate!);
      await ota.reached({ fraction }); // served bytes, not a sleep
      await board.power.cut();
      await board.power.restore();
      await expect(board).toBoot({ version: images.baseline!.version, event: 'normal' });
    });
  }
});
