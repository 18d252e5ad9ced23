import { test, expect, promisesOf } from '../harness/index.ts';

test('a corrupt image is rejected and the baseline stays', async ({ board, images }) => {
  const outcome = promisesOf(board.stack).corruptImage;
  await board.install(images.baseline!);
  await board.ota.run(images.candidate!.corrupted(), { commit: 'withhold' });
  if (outcome !== 'no-reboot') await expect(board).toBoot({ version: images[outcome.runs]!.version, event: outcome.event });
  await board.power.cycle();
  await expect(board).toBoot({ version: images.baseline!.version, event: 'normal' });
});
