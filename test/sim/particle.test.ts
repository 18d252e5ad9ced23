// The simulated Particle-style board end to end: the application keeps running during the
// download, nothing changes until the module is verified, the bootloader copies it, a cut in that
// copy ends in safe mode (and a new download recovers), updates can be deferred, and the seeded
// bugs are caught.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Board, cleanup, final, sleep, until } from './stack-kit.ts';
import { CANDIDATE, UP, pBoard, ready, settleP } from './particle-helpers.ts';
import { layoutFor } from '../../harness/sim/stacks/particle/layout.ts';

afterEach(cleanup);

test('the application keeps running while a module downloads, and nothing changes until it is whole', async () => {
  const board = pBoard();
  const image = board.image(CANDIDATE);
  const server = await ready(board, image, { stallAt: 10_000 });
  const m = board.mark();
  board.send(`ota ${server.url}`);
  await board.waitFor(/^sys: firmware_update begin$/, m);
  assert.ok(await until(() => server.served() >= 10_000));
  board.send('status');
  await board.waitFor(/^app: running, version 1\.0\.0, updates enabled$/, m);
  assert.match(board.inspect().detail, /module slot unused/);
  await board.powerOff();
  assert.deepEqual(final(await settleP(board)), ['user', 'normal', '1.0.0']);
});

test('a verified module is applied by the bootloader after the reset; a power cycle is a plain boot', async () => {
  const board = pBoard();
  const server = await ready(board, board.image(CANDIDATE));
  const m = board.mark();
  board.send(`ota ${server.url}`);
  await board.waitFor(/^app: version 1\.1\.0$/, m, 10_000);
  assert.match(
    board.since(m),
    /sys: firmware_update begin\n(?:sys: firmware_update progress \d+%\n){3}sys: firmware_update complete\nsys: resetting to apply the update\npbl: Particle bootloader\npbl: applying OTA module\nsys: Device OS 5\.5\.0\nsys: user firmware running\napp: version 1\.1\.0/,
  );
  assert.deepEqual(final(board.boots(m)), ['user', 'swap', '1.1.0']);
  assert.match(board.inspect().detail, /module slot unused/);
  assert.equal(board.device.flash.stats.dirtyPrograms, 0);
  await board.powerOff();
  assert.deepEqual(final(await settleP(board)), ['user', 'normal', '1.1.0']);
});

test('a corrupt module fails its CRC after the download: no slot, no reset', async () => {
  const board = pBoard();
  const bad = board.image(CANDIDATE);
  bad[9000] = bad[9000]! ^ 4;
  const server = await ready(board, bad);
  const m = board.mark();
  board.send(`ota ${server.url}`);
  await board.waitFor(/^sys: firmware_update failed: CRC mismatch$/, m, 10_000);
  await sleep(30);
  assert.doesNotMatch(board.since(m), /pbl:/);
  assert.match(board.inspect().detail, /module slot unused/);
});

test('updates disabled: the update is pending, nothing downloads, no reset; enabled again, it applies', async () => {
  const board = pBoard();
  const server = await ready(board, board.image(CANDIDATE));
  const m = board.mark();
  board.send('updates disable');
  await board.waitFor(/^sys: updates disabled$/, m);
  board.send(`ota ${server.url}`);
  await board.waitFor(/^sys: firmware_update_pending$/, m);
  await sleep(300); // 60 s of device time
  board.send('status');
  await board.waitFor(/^app: running, version 1\.0\.0, updates disabled, update pending$/, m);
  assert.equal(server.requests(), 0);
  assert.doesNotMatch(board.since(m), /pbl:/);
  board.send('updates enable');
  await board.waitFor(/^app: version 1\.1\.0$/, m, 10_000);
  assert.deepEqual(final(board.boots(m)), ['user', 'swap', '1.1.0']);
});

/** Update, with a power cut a few operations into the bootloader's copy into the user slot. */
async function cutInCopy(board: Board, after = 6): Promise<void> {
  const l = layoutFor(board.config);
  const flash = board.device.flash;
  let armed = false;
  flash.onOp = (op, n) => {
    // The first erase of the user slot is the copy's start (the download only writes the OTA region).
    if (!armed && op.kind === 'erase' && op.addr === l.user) {
      armed = true;
      flash.armCut({ atOp: n + after });
    }
  };
  const server = await ready(board, board.image(CANDIDATE));
  board.send(`ota ${server.url}`);
  assert.ok(await until(() => !board.device.powered, 10_000), board.since(0));
  flash.onOp = null;
  await board.powerOff();
}

test('a cut during the copy ends in safe mode; a new download from safe mode recovers', async () => {
  const board = pBoard();
  await cutInCopy(board);
  const boots = await settleP(board);
  assert.deepEqual(final(boots), ['safe-mode', 'brick', null]);
  assert.match(boots.at(-1)!.notes.join(), /recoverable/);
  assert.equal(board.inspect().slot, 'safe-mode');
  const { serve } = await import('./stack-kit.ts');
  const server = await serve(board.image(CANDIDATE));
  board.device.powerOn();
  const m = board.mark();
  await board.waitFor(/^sys: safe mode$/, m);
  board.send(`ota ${server.url}`);
  await board.waitFor(/^app: version 1\.1\.0$/, m, 10_000);
  assert.deepEqual(final(board.boots(m)), ['user', 'swap', '1.1.0']);
  await board.powerOff();
  assert.equal(board.inspect().version, '1.1.0');
});

test('mutant slot-marked-after-copy: a cut copy is retried and the candidate runs instead of safe mode', async () => {
  const board = pBoard({ mutant: 'slot-marked-after-copy' });
  await cutInCopy(board);
  assert.deepEqual(final(await settleP(board)), ['user', 'swap', '1.1.0']);
});

test('mutant no-verify: a corrupt module is set, copied and then refused by Device OS: safe mode', async () => {
  const board = pBoard({ mutant: 'no-verify' });
  const bad = board.image(CANDIDATE);
  bad[9000] = bad[9000]! ^ 4;
  const server = await ready(board, bad);
  const m = board.mark();
  board.send(`ota ${server.url}`);
  await board.waitFor(/^sys: safe mode$/, m, 10_000);
  assert.deepEqual(final(board.boots(m)), ['safe-mode', 'brick', null]);
});

test('mutant updates-not-deferred: with updates disabled the device still downloads and resets', async () => {
  const board = pBoard({ mutant: 'updates-not-deferred' });
  const server = await ready(board, board.image(CANDIDATE));
  const m = board.mark();
  board.send('updates disable');
  board.send(`ota ${server.url}`);
  await board.waitFor(/^app: version 1\.1\.0$/, m, 10_000);
  assert.doesNotMatch(board.since(m), /firmware_update_pending/);
});

test('an unknown mutant or a bad geometry is refused by name', () => {
  assert.throws(() => pBoard({ mutant: 'nope' }), /unknown mutant 'nope'.*slot-marked-after-copy/);
  assert.throws(() => pBoard({ slotSize: 5000 }), /slotSize must be a multiple of sectorSize/);
  assert.ok(UP.test('sys: safe mode'));
});
