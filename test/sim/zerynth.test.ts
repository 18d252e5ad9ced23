// The simulated Zerynth-style board end to end: verified download, bootloader swap with the
// backup, testing mode until the device manager accepts the connection, restore on a reset in
// testing mode, refused images, and the seeded bugs.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, final, sleep, until } from './stack-kit.ts';
import { BASELINE, CANDIDATE, UP, deviceManager, settleZ, startFota, zBoard } from './zerynth-helpers.ts';
import { layoutFor } from '../../harness/sim/stacks/zerynth/layout.ts';

afterEach(cleanup);

test('update: verified, swapped with a backup, testing mode; refused by the blocked device manager, accepted once let through', async () => {
  const dm = await deviceManager();
  try {
    const board = zBoard();
    const m = await startFota(board, board.image(CANDIDATE), dm);
    await board.waitFor(/^zdm: connecting to /, m, 10_000);
    const log = board.since(m);
    assert.match(log, /zfota: downloaded 20064 bytes\nzfota: firmware verified, rebooting to swap\nzbl: Zerynth bootloader\nzbl: fota record: seq 1, state pending\nzbl: swapping firmware \(5 chunks\)\nzbl: swap done\nzbl: testing mode\nzbl: boot bytecode slot 0, vm slot 0\nzapp: version 1\.1\.0/);
    assert.deepEqual(final(board.boots(m)), ['bc0', 'trial', '1.1.0']);
    assert.ok(await until(() => dm.refused.length >= 2), 'the board retries while the device manager refuses');
    assert.match(board.since(m), /zdm: connection to 127\.0\.0\.1:\d+ failed, retrying in 2 s/);
    assert.doesNotMatch(board.since(m), /zfota: accepted/);
    dm.allow();
    await board.waitFor(/^zfota: accepted$/, m, 5000);
    assert.match(dm.accepted[0]!, /^HELLO sim-1 1\.1\.0 testing$/);
    assert.match(board.inspect().detail, /record seq 3 idle.*filesystem copy: 1\.0\.0/);
    assert.equal(board.device.flash.stats.dirtyPrograms, 0);
    const boots = await (async () => {
      await board.powerOff();
      return settleZ(board);
    })();
    assert.deepEqual(final(boots), ['bc0', 'normal', '1.1.0']);
  } finally {
    await dm.close();
  }
});

test('no acceptance, then a power cycle: the backup is restored ("restoring previous firmware"), and stays', async () => {
  const dm = await deviceManager();
  try {
    const board = zBoard();
    const m = await startFota(board, board.image(CANDIDATE), dm);
    await board.waitFor(/^zdm: connecting/, m, 10_000);
    await board.powerOff();
    const boots = await settleZ(board);
    assert.deepEqual(final(boots), ['bc0', 'revert', '1.0.0']);
    assert.deepEqual(final(await settleZ(board)), ['bc0', 'normal', '1.0.0']);
    assert.match(board.inspect().detail, /filesystem copy: 1\.1\.0/);
  } finally {
    await dm.close();
  }
});

test('a warm reset in testing mode restores the previous firmware too; so does a crash of the new firmware', async () => {
  const board = zBoard();
  const m = await startFota(board, board.image(CANDIDATE));
  await board.waitFor(/^zdm: not provisioned/, m, 10_000);
  const m2 = board.mark();
  board.send('reboot');
  await board.waitFor(UP, m2);
  assert.match(board.since(m2), /zbl: restoring previous firmware\n[\s\S]*zapp: version 1\.0\.0/);
  assert.deepEqual(final(board.boots(m2)), ['bc0', 'revert', '1.0.0']);

  const crash = zBoard();
  const c = await startFota(crash, crash.image({ version: '1.2.0-crash', boot: 'crash', size: 18000 }));
  await crash.waitFor(/zapp: version 1\.0\.0/, c + 3, 10_000);
  assert.match(crash.since(c), /zapp: version 1\.2\.0-crash\nzapp: HardFault[\s\S]*zbl: restoring previous firmware/);
});

test('a corrupt image is rejected before the reboot; the running firmware stays', async () => {
  const board = zBoard();
  const bad = board.image(CANDIDATE);
  bad[10_000] = bad[10_000]! ^ 1;
  const m = await startFota(board, bad);
  await board.waitFor(/^zfota: firmware rejected before reboot: integrity check failed \(sha256\)$/, m, 10_000);
  await sleep(30);
  assert.doesNotMatch(board.since(m), /zbl:/);
  await board.powerOff();
  assert.deepEqual(final(await settleZ(board)), ['bc0', 'normal', '1.0.0']);
});

test('a power cut mid-download changes nothing the bootloader acts on', async () => {
  const board = zBoard();
  const image = board.image(CANDIDATE);
  const m = await startFota(board, image, undefined, { stallAt: 12_000 });
  await board.waitFor(/^zfota: downloading/, m);
  await sleep(50);
  await board.powerOff();
  assert.deepEqual(final(await settleZ(board)), ['bc0', 'normal', '1.0.0']);
  assert.match(board.inspect().detail, /record seq 0 idle/);
});

test('mutant accept-without-connect: the new firmware accepts itself, so a power cycle keeps it', async () => {
  const board = zBoard({ mutant: 'accept-without-connect' });
  const m = await startFota(board, board.image(CANDIDATE));
  await board.waitFor(/^zfota: accepted$/, m, 10_000);
  await board.powerOff();
  assert.deepEqual(final(await settleZ(board)), ['bc0', 'normal', '1.1.0']);
});

test('mutant no-resume: a swap cut halfway starts over and leaves no valid firmware', async () => {
  const l = layoutFor({});
  const board = zBoard({ mutant: 'no-resume' });
  let journal = 0;
  board.device.flash.onOp = (op) => {
    if (op.kind === 'program' && op.addr >= l.journal && op.addr < l.journal + l.sectorSize && ++journal === 8) board.device.flash.armCut({ atOp: board.device.flash.stats.ops + 3 });
  };
  const m = await startFota(board, board.image(CANDIDATE));
  assert.ok(await until(() => !board.device.powered, 10_000), board.since(m));
  board.device.flash.onOp = null;
  await board.powerOff();
  const boots = await settleZ(board);
  assert.deepEqual(final(boots), ['none', 'brick', null]);
  assert.equal(board.inspect().slot, 'none');
});

test('an unknown mutant or an impossible geometry is refused by name', () => {
  assert.throws(() => zBoard({ mutant: 'nope' }), /unknown mutant 'nope'.*no-resume/);
  assert.throws(() => zBoard({ slotSize: 4096 * 400, sectorSize: 4096, writeSize: 8 }), /journal/);
  assert.equal(BASELINE.version, '1.0.0');
});
