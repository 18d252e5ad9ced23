import { test, expect } from '../harness/index.ts';

test('a confirmed update boots, then stays after more reboots', { tag: '@clean-update' }, async ({ board, images }) => {
  const { baseline, candidate } = images;
  const promised = board.promises;
  await board.install(baseline!);
  await board.ota.run(candidate!, { commit: 'confirm' });
  await expect(board).toBoot({ version: candidate!.version, event: promised.firstBoot.event });
  for (let i = 0; i < 2; i++) {
    await board.power.cycle();
    await expect(board).toBoot({ version: candidate!.version, event: 'normal' });
  }
});
