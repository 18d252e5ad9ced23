import { test, expect } from '../harness/index.ts';

test('a withheld commit reverts to the baseline', async ({ board, images }) => {
  await board.install(images.baseline!);
  await board.ota.run(images.candidate!, { commit: 'withhold' });
  await expect(board).toBoot({ version: images.candidate!.version, event: 'trial' });
  await board.power.cycle();
  await expect(board).toBoot({ version: images.baseline!.version, event: 'revert' });
  await board.power.cycle();
  await expect(board).toBoot({ version: images.baseline!.version, event: 'normal' });
});

test('a candidate that crashes at boot is reverted without help', async ({ board, images }) => {
  test.skip(!images.crashing, 'the rig has no "crashing" image');
  await board.install(images.baseline!);
  await board.ota.run(images.crashing!, { commit: 'withhold' });
  await expect(board).toBoot({ event: 'trial' });
  await expect(board).toBoot({ version: images.baseline!.version, event: 'revert' });
});
