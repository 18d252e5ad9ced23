import { test, expect, promisesOf } from '../harness/index.ts';

test('a withheld commit reverts to the baseline', async ({ board, images, report }) => {
  await report.fault('commit withheld, then power cycles');
  const promised = promisesOf(board.stack);
  const outcome = promised.withheldCommit;
  test.skip(outcome === null, `${board.stack} cannot roll back an unconfirmed image`);
  await board.install(images.baseline!);
  await board.ota.run(images.candidate!, { commit: 'withhold' });
  await expect(board).toBoot({ version: images.candidate!.version, event: promised.firstBoot.event });
  for (let i = 1; i < promised.unconfirmedBoots; i++) {
    await board.power.cycle();
    await expect(board).toBoot({ version: images.candidate!.version });
  }
  await board.power.cycle();
  await expect(board).toBoot({ version: images[outcome!.runs]!.version, event: outcome!.event });
  await board.power.cycle();
  await expect(board).toBoot({ version: images[outcome!.runs]!.version, event: 'normal' });
});

test('a candidate that crashes at boot is reverted without help', async ({ board, images, report }) => {
  await report.fault('candidate crashes at boot, commit withheld');
  const promised = promisesOf(board.stack);
  test.skip(!images.crashing, 'the rig has no "crashing" image');
  test.skip(promised.withheldCommit === null, `${board.stack} cannot roll back an unconfirmed image`);
  await board.install(images.baseline!);
  await board.ota.run(images.crashing!, { commit: 'withhold' });
  await expect(board).toBoot({ event: promised.firstBoot.event });
  await expect(board).toBoot({ version: images.baseline!.version, event: promised.withheldCommit!.event });
});
