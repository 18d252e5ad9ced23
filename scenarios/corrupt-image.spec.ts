import { test, expect } from '../harness/index.ts';
import { describeBoot } from '../harness/fixtures/to-boot.ts';
import { deviceMs, SIM_WINDOW_FLOOR_MS } from '../harness/fixtures/device-time.ts';

const NO_REBOOT_WINDOW_MS = 3000;
/** Receiving the rest and checking the image (board time); it bounds only a board that never decides. */
const VERDICT_TIMEOUT_MS = 60_000;
const VERDICT_FLOOR_MS = 30_000;

test('a corrupt image is rejected and the baseline stays, or its installation is shown', { tag: '@corrupt-image' }, async ({ board, images, report }) => {
  await report.fault('corrupt image delivered (one byte flipped)');
  const outcome = board.promises.corruptImage;
  await board.install(images.baseline!);
  const from = board.console.lines.length;
  await board.ota.run(images.candidate!.corrupted(), { commit: 'withhold' });
  if (outcome !== 'no-reboot' && 'brickRisk' in outcome) {
    // Nothing on this board checks the image itself: it is installed over the only copy. The
    // harness shows what then boots and labels the risk for the release gate.
    await report.brickRisk(`${board.stack}: an image corrupt at its source is installed (only the transfer's MD5 is checked); what runs then is unknown`);
    await expect(board).toBoot({ event: board.promises.firstBoot.event }); // installed: the update went through
    return;
  }
  if (outcome !== 'no-reboot') await expect(board).toBoot({ version: images[outcome.runs]!.version, event: outcome.event });
  else {
    const after = () => board.boots.all().filter((b) => b.startLine >= from);
    const refusal = board.promises.refusal;
    if (refusal) {
      // The served bytes say nothing about when the board has them all and has checked them (a
      // loaded host's simulation falls seconds behind): wait for the board's own verdict, its
      // refusal or a reboot into the image, so no window can close before the board decided.
      const refused = () => board.console.lines.slice(from).some((l) => refusal.test(l.text));
      await board.console.waitFor(() => refused() || after().length > 0 || undefined, deviceMs(board.config, VERDICT_TIMEOUT_MS, VERDICT_FLOOR_MS), `refusal of the corrupt image (${String(refusal)}) nor reboot`);
    }
    // Refused before any reboot: give a wrongly accepted image time to reboot the board (board time), then look.
    if (after().length === 0) await new Promise((r) => setTimeout(r, deviceMs(board.config, NO_REBOOT_WINDOW_MS, SIM_WINDOW_FLOOR_MS)));
    // A wrongly accepted image may still be booting, or crashing in a loop, when the window closes:
    // only then, wait until its boots settle (console lines, not a clock), so the failure says what they came to.
    const boots = after().length > 0 ? await board.boots.settledSince(from, deviceMs(board.config, VERDICT_TIMEOUT_MS, VERDICT_FLOOR_MS)) : [];
    expect(boots.map(describeBoot), `${board.stack} refuses a corrupt image without a reboot`).toEqual([]);
  }
  await board.power.cycle();
  await expect(board).toBoot({ version: images.baseline!.version, event: 'normal' });
});
