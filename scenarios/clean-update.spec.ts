import { test, expect } from '../harness/index.ts';

test('a confirmed update boots as a trial, then stays after more reboots', async ({ board, images }) => {
  await board.install(images.baseline!);
  await board.ota.run(images.candidate!, { commit: 'confirm' });
  await expect(board).toBoot({ version: images.candidate!.version, event: 'trial' });
  for (let i = 0; i < 2; i++) {
    await board.power.cycle();
    await expect(board).toBoot({ version: images.candidate!.version, event: 'normal' });
  }
});
