import { test, expect } from '../harness/index.ts';
import { deviceMs, SIM_WINDOW_FLOOR_MS } from '../harness/fixtures/device-time.ts';

// A Particle-style device can defer updates while it is busy (System.disableUpdates()): the update
// is reported pending and the device does not reboot; once updates are enabled again it applies.
const WINDOW_MS = 3000;

test('with updates disabled the device does not reboot; once enabled the update applies', { tag: ['@particle', '@deferred-update'] }, async ({ board, images, report }) => {
  await report.notApplicable(board.stack !== 'particle', `${board.stack} cannot defer an update`);
  await report.fault(`update sent while updates are disabled, ${WINDOW_MS} ms watched for a reboot`);
  const { baseline, candidate } = images;
  await board.install(baseline!);
  await board.console.send('updates disable');
  await board.console.expect(/updates disabled/);
  const from = board.console.lines.length;
  const ota = await board.ota.start(candidate!);
  // The pending report, or a reboot: a device that applies the update anyway ends the wait there.
  const rebooted = () => board.boots.all().filter((b) => b.startLine >= from);
  const pending = /firmware_update_pending/;
  await board.console.waitFor(() => rebooted().length > 0 || board.console.lines.slice(from).some((l) => pending.test(l.text)) || undefined, 30_000, `line matching ${String(pending)}, nor a reboot`);
  if (rebooted().length === 0) await new Promise((r) => setTimeout(r, deviceMs(board.config, WINDOW_MS, SIM_WINDOW_FLOOR_MS))); // board time
  // A reboot: let it settle (console lines, not a clock), so the failure says what it came to.
  const boots = rebooted().length > 0 ? await board.boots.settledSince(from, 30_000) : [];
  expect(boots.map((b) => `${b.version ?? '?'} (${b.event}) at console line ${b.startLine}`), 'no reboot while updates are disabled').toEqual([]);
  const probe = board.console.lines.length;
  await board.console.send('status');
  await board.console.expect(new RegExp(`version ${baseline!.version.replace(/\./g, '\\.')}\\b.*update pending`), { from: probe, timeout: 5000 });
  await board.console.send('updates enable');
  await ota.delivered();
  await expect(board).toBoot({ version: candidate!.version, event: board.promises.firstBoot.event });
});
