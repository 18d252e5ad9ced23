// End-to-end flows of the simulated MCUboot board: download over HTTP, trial boot, revert,
// confirm, rejected images, and power cuts during the download.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Board, BASELINE, BRICK, CANDIDATE, VERSION, cleanup, serve } from './mcuboot-helpers.ts';
import type { ImageBuild } from '../../harness/sim/stack.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';

afterEach(cleanup);

/** Install the baseline, boot it, download `candidate` and wait for the boot that follows. */
async function upgrade(candidate: ImageBuild | Uint8Array, config: SimConfig = {}) {
  const board = new Board(config);
  board.install(BASELINE);
  const image = candidate instanceof Uint8Array ? candidate : board.image(candidate);
  const server = await serve(image);
  board.device.powerOn();
  await board.waitFor(/Firmware version 1\.1\.0/);
  const m = board.mark();
  board.send(`ota ${server.url}`);
  await board.waitFor(/Test upgrade requested, rebooting/, m, 10_000);
  await server.close();
  return { board, m };
}

test('clean test upgrade: the candidate boots as a trial after "Swap type: test"', async () => {
  const { board, m } = await upgrade(CANDIDATE);
  const at = await board.waitFor(/Firmware version 1\.2\.0/, m);
  const log = board.since(m);
  assert.match(log, /Downloaded 40552\/40552 bytes/); // 0x200 header + 40000 body + 40 TLV bytes
  assert.match(log, /I: Image index: 0, Swap type: test\r?\nI: Starting swap using scratch algorithm\./);
  assert.match(log, /I: Image version: v1\.2\.0\nI: Jumping to the first image slot/);
  assert.ok(at > board.lines.findIndex((l, i) => i >= m && /Swap type: test/.test(l)));
  const v = board.inspect();
  assert.equal(v.version, '1.2.0');
  assert.match(v.detail, /copy_done=0x1, image_ok=0x3/); // trial: not confirmed yet
  assert.equal(board.device.flash.stats.dirtyPrograms, 0);
  await board.powerOff();
});

test('no confirm + power cycle: "Swap type: revert" and the baseline runs again, confirmed', async () => {
  const { board, m } = await upgrade(CANDIDATE);
  await board.waitFor(/Firmware version 1\.2\.0/, m);
  const m2 = await board.powerCycle();
  await board.waitFor(/Firmware version 1\.1\.0/, m2);
  assert.match(board.since(m2), /Primary image: magic=good, swap_type=0x2, copy_done=0x1, image_ok=0x3/);
  assert.match(board.since(m2), /Swap type: revert/);
  assert.match(board.inspect().detail, /image_ok=0x1/);
  // Reverted for good: another cycle is a plain boot.
  const m3 = await board.powerCycle();
  await board.waitFor(/Firmware version 1\.1\.0/, m3);
  assert.match(board.since(m3), /Swap type: none/);
  await board.powerOff();
});

test('images of different sizes (as in the sim rig) swap and revert intact', async () => {
  const { board, m } = await upgrade({ ...CANDIDATE, size: 48000 });
  await board.waitFor(/Firmware version 1\.2\.0/, m);
  assert.match(board.inspect().detail, /secondary v1\.1\.0 hash ok/);
  const m2 = await board.powerCycle();
  await board.waitFor(/Firmware version 1\.1\.0/, m2);
  assert.match(board.inspect().detail, /primary v1\.1\.0 \(1\.1\.0\) hash ok.*secondary v1\.2\.0 hash ok/);
  await board.powerOff();
});

test('confirm over the shell + reboot: "Swap type: none" and the candidate stays', async () => {
  const { board, m } = await upgrade(CANDIDATE);
  await board.waitFor(/Firmware version 1\.2\.0/, m);
  const m2 = board.mark();
  board.send('mcuboot confirm');
  await board.waitFor(/<inf> app: Image confirmed/, m2);
  board.send('reboot');
  await board.waitFor(/Firmware version 1\.2\.0/, m2 + 2);
  const m3 = await board.powerCycle();
  await board.waitFor(VERSION, m3);
  assert.match(board.since(m3), /Primary image: magic=good, swap_type=0x2, copy_done=0x1, image_ok=0x1/);
  assert.match(board.since(m3), /Swap type: none/);
  assert.match(board.since(m3), /Firmware version 1\.2\.0/);
  await board.powerOff();
});

test('a self-confirming candidate stays after a power cycle', async () => {
  const { board, m } = await upgrade({ ...CANDIDATE, version: '1.3.0', confirm: 'self' });
  await board.waitFor(/Image confirmed/, m);
  const m2 = await board.powerCycle();
  await board.waitFor(VERSION, m2);
  assert.match(board.since(m2), /Swap type: none[\s\S]*Firmware version 1\.3\.0/);
  await board.powerOff();
});

test('corrupt candidate (one body byte flipped): rejected, scrambled, the baseline stays', async () => {
  const board0 = new Board();
  const bad = board0.image(CANDIDATE);
  bad[20000] = bad[20000]! ^ 0x01;
  const { board, m } = await upgrade(bad);
  await board.waitFor(VERSION, m);
  const log = board.since(m);
  assert.match(log, /Swap type: test\nE: Image in the secondary slot is not valid!/);
  assert.doesNotMatch(log, /Starting swap/);
  assert.match(log, /Firmware version 1\.1\.0/);
  assert.match(board.inspect().detail, /secondary empty/);
  // The request is gone: the next boot does not try again.
  const m2 = await board.powerCycle();
  await board.waitFor(VERSION, m2);
  assert.match(board.since(m2), /Swap type: none/);
  await board.powerOff();
});

test('mutant no-hash-check boots the corrupt candidate', async () => {
  const board0 = new Board();
  const bad = board0.image(CANDIDATE);
  bad[20000] = bad[20000]! ^ 0x01;
  const { board, m } = await upgrade(bad, { mutant: 'no-hash-check' });
  await board.waitFor(VERSION, m);
  assert.match(board.since(m), /Firmware version 1\.2\.0/);
  assert.equal(board.inspect().slot, 'none'); // ground truth: the hash is wrong
  await board.powerOff();
});

test('a crashing candidate faults, resets, and is reverted', async () => {
  const { board, m } = await upgrade({ version: '1.2.0-crash', boot: 'crash' });
  await board.waitFor(/Firmware version 1\.1\.0/, m);
  const log = board.since(m);
  assert.match(log, /Image version: v1\.2\.0[\s\S]*Firmware version 1\.2\.0-crash[\s\S]*ZEPHYR FATAL ERROR 0: CPU exception on CPU 0/);
  assert.match(log, /FATAL[\s\S]*Swap type: revert[\s\S]*Firmware version 1\.1\.0/);
  await board.powerOff();
});

test('a hanging candidate is reset by the watchdog and reverted', async () => {
  const { board, m } = await upgrade({ version: '1.2.0-hang', boot: 'hang' });
  await board.waitFor(/Firmware version 1\.1\.0/, m);
  assert.match(board.since(m), /Firmware version 1\.2\.0-hang\n\*\*\* Booting MCUboot[\s\S]*Swap type: revert/);
  await board.powerOff();
});

test('mutant revert-skipped keeps an unconfirmed candidate after a power cycle', async () => {
  const { board, m } = await upgrade(CANDIDATE, { mutant: 'revert-skipped' });
  await board.waitFor(/Firmware version 1\.2\.0/, m);
  const m2 = await board.powerCycle();
  await board.waitFor(VERSION, m2);
  assert.match(board.since(m2), /Swap type: none[\s\S]*Firmware version 1\.2\.0/);
  await board.powerOff();
});

for (const fraction of [0.05, 0.5, 0.95]) {
  test(`power cut at ${fraction * 100}% of the download keeps the baseline`, async () => {
    const board = new Board();
    board.install(BASELINE);
    const image = board.image(CANDIDATE);
    const stallAt = Math.floor(image.length * fraction);
    const server = await serve(image, { stallAt });
    board.device.powerOn();
    await board.waitFor(/Firmware version 1\.1\.0/);
    board.send(`ota ${server.url}`);
    const deadline = Date.now() + 5000;
    while (server.served() < stallAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, 20)); // let the device write what it got
    const m = await board.powerCycle();
    await board.waitFor(VERSION, m);
    assert.match(board.since(m), /Swap type: none[\s\S]*Firmware version 1\.1\.0/);
    assert.equal(board.inspect().version, '1.1.0');
    await board.powerOff();
    await server.close();
  });
}

test('a dropped connection and an HTTP error are reported and the old image keeps running', async () => {
  const board = new Board();
  board.install(BASELINE);
  const image = board.image(CANDIDATE);
  const dropped = await serve(image, { dropAt: 10_000 });
  const missing = await serve(image, { status: 404 });
  board.device.powerOn();
  await board.waitFor(/Firmware version 1\.1\.0/);
  let m = board.mark();
  board.send(`ota ${dropped.url}`);
  await board.waitFor(/<err> app: Download failed: /, m);
  m = board.mark();
  board.send(`ota ${missing.url}`);
  await board.waitFor(/<err> app: Download failed: HTTP 404/, m);
  m = board.mark();
  board.send('frobnicate');
  await board.waitFor(/^frobnicate: command not found$/, m);
  board.send('mcuboot');
  await board.waitFor(/<inf> mcuboot_util: Image index: 0, Swap type: none/, m);
  const m2 = await board.powerCycle();
  await board.waitFor(VERSION, m2);
  assert.match(board.since(m2), /Swap type: none[\s\S]*Firmware version 1\.1\.0/);
  await board.powerOff();
  await dropped.close();
  await missing.close();
});

test('an empty primary slot halts with "Unable to find bootable image"', async () => {
  const board = new Board();
  board.device.powerOn();
  const at = await board.waitFor(BRICK);
  assert.equal(board.lines[at - 1], 'I: Image index: 0, Swap type: none');
  assert.match(board.since(0), /Boot source: primary slot/);
  assert.doesNotMatch(board.since(0), /not valid/);
  assert.equal(board.inspect().slot, 'none');
  await board.powerOff();
});

test('an unknown mutant or an unimplemented swap algorithm is refused by name', () => {
  assert.throws(() => new Board({ mutant: 'nope' }), /unknown mutant 'nope'.*swap-not-resumed/);
  assert.throws(() => new Board({ swap: 'offset' as never }), /sim\.swap 'offset' is not implemented; use 'scratch' or 'move'/);
});
