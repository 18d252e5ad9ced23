import { test, expect } from '../harness/index.ts';

test('a corrupt image is rejected and the baseline stays', async ({ board, images }) => {
  await board.install(images.baseline!);
  await board.ota.run(images.candidate!.corrupted(), { commit: 'withhold' });
  await expect(board).toBoot({ version: images.baseline!.version, event: 'rollback' });
  await board.power.cycle();
  await expect(board).toBoot({ version: images.baseline!.version, event: 'normal' });
});
