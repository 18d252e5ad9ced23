import { test, expect, promisesOf } from '../harness/index.ts';

test('a corrupt image is rejected and the baseline stays', async ({ board, images, report }) => {
  await report.fault('corrupt image delivered (one byte flipped)');
  const outcome = promisesOf(board.stack).corruptImage;
  await board.install(images.baseline!);
  await board.ota.run(images.candidate!.corrupted(), { commit: 'withhold' });
  if (outcome !== 'no-reboot') await expect(board).toBoot({ version: images[outcome.runs]!.version, event: outcome.event });
  await board.power.cycle();
  await expect(board).toBoot({ version: images.baseline!.version, event: 'normal' });
});
