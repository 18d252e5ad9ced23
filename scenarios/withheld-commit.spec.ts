import { test, expect } from '../harness/index.ts';

test('a withheld commit reverts to the baseline', { tag: '@withheld-commit' }, async ({ board, images, report }) => {
  await report.fault('commit withheld, then power cycles');
  const promised = board.promises;
  const outcome = promised.withheldCommit;
  await report.notApplicable(outcome === null, `${board.stack}${board.config.firmware?.rollback === false ? ' built without rollback' : ''} cannot roll back an unconfirmed image`);
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

test('a candidate that crashes at boot is reverted without help, or its boot loop is shown', { tag: '@crash' }, async ({ board, images, report }) => {
  await report.fault('candidate crashes at boot, commit withheld');
  const promised = board.promises;
  const outcome = promised.crashingCandidate;
  test.skip(!images.crashing, 'the rig has no "crashing" image');
  await report.notApplicable(outcome === null, `${board.stack} promises nothing about an image that crashes at boot`);
  await board.install(images.baseline!);
  const from = board.console.lines.length;
  await board.ota.run(images.crashing!, { commit: 'withhold' });
  if ('brickRisk' in outcome!) {
    // Nothing on this board can revert a crashing image: the harness shows the boot loop, and
    // labels the risk for the release gate, instead of passing a scenario that expects nothing.
    await report.brickRisk(`${board.stack}: an update whose image crashes at boot leaves the board boot-looping; nothing reverts it`);
    await expect(board).toBoot({ version: images.crashing!.version, event: promised.firstBoot.event });
    // Then the same image again and again, each boot ending in its crash: a boot loop.
    for (let i = 0; i < 3; i++) await board.boots.next();
    const seen = board.boots
      .all()
      .filter((b) => b.startLine >= from)
      .slice(0, 3)
      .map((b) => `${b.version ?? '?'}: ${b.notes.find((n) => n.startsWith('app crashed')) ?? 'no crash'}`);
    const crashed = new RegExp(`^${images.crashing!.version.replaceAll('.', '\\.')}: app crashed`);
    expect(seen, 'the crashing image boots, crashes, and boots again').toEqual([0, 1, 2].map(() => expect.stringMatching(crashed)));
    return;
  }
  await expect(board).toBoot({ event: promised.firstBoot.event });
  await expect(board).toBoot({ version: images.baseline!.version, event: outcome!.event });
});
