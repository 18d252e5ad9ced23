import { test, expect } from '../harness/index.ts';

// A Zerynth-style board keeps new firmware in testing mode until it reaches its device manager.
// While the harness blocks that connection the firmware stays unaccepted; once the connection is
// let through it becomes permanent and survives power cycles.
const BLOCKED_MS = 2000;

test('new firmware waits in testing mode while the device manager is blocked, and is kept once reached', { tag: ['@zerynth', '@withheld-commit'] }, async ({ board, images, report }) => {
  const commit = board.config.commit;
  await report.notApplicable(commit?.kind !== 'device-manager', `${board.name} does not commit through a device manager`);
  await report.fault(`device manager blocked for ${BLOCKED_MS} ms after the update, then reachable`);
  const { baseline, candidate } = images;
  await board.install(baseline!);
  await board.ota.run(candidate!, { commit: 'withhold' });
  await expect(board).toBoot({ version: candidate!.version, event: board.promises.firstBoot.event });
  const from = board.console.lines.length;
  await new Promise((r) => setTimeout(r, BLOCKED_MS));
  const accepted = new RegExp((commit?.kind === 'device-manager' && commit.expect) || 'zfota: accepted');
  const early = board.console.lines.slice(from).find((l) => accepted.test(l.text));
  expect(early?.text, 'accepted while the device manager was blocked').toBeUndefined();
  await board.commit();
  for (let i = 0; i < 2; i++) {
    await board.power.cycle();
    await expect(board).toBoot({ version: candidate!.version, event: 'normal' });
  }
});
