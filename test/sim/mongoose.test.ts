// End-to-end flows of the simulated Mongoose OS ESP32 board: OTA.Update over HTTP, the trial
// boot with its tombstone, commit, withheld commit, commit-timeout expiry, OTA.Revert, the
// filesystem merge, refused images; the console is read as the harness reads it.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mongooseOsStack } from '../../harness/sim/stacks/mongoose-os/index.ts';
import { Board, BASELINE, CANDIDATE, cleanup, serve } from './mongoose-helpers.ts';
import { baselineUp, crashingCandidate, mergedFiles, parsed, update, upFrom, withheldCommit } from './mongoose-flows.ts';
import { rbootStack } from '../../harness/sim/stacks/rboot/index.ts';

afterEach(cleanup);
const stack = mongooseOsStack;

test('clean update: trial boot tombstones itself at once, OTA.Commit makes it stay', async () => {
  const board = await baselineUp(stack);
  const m = await update(board);
  assert.equal(await upFrom(board, m), '1.1.0');
  const trial = board.since(m);
  assert.match(trial, /I \(\d+\) boot: Loaded app from partition at offset 0x40000/);
  assert.match(trial, /esp32_updater\.c:\d+\s+Setting boot partition to app_0/); // the tombstone
  assert.match(trial, /Mongoose OS 2\.20\.0 \([^)]*\), first boot\r?\n.*ESP-IDF v4\.4\.3\r?\n.*Boot partition: app_1;/);
  assert.match(trial, /Arming commit watchdog for 300 seconds/);
  assert.match(board.inspect().detail, /app_1 runs, trial \(tombstoned/);
  assert.deepEqual((await board.call('OTA.GetBootState')).result, { active_slot: 1, is_committed: false, revert_slot: 0, commit_timeout: 300 });

  const c = board.mark();
  assert.deepEqual((await board.call('OTA.Commit')).result, null);
  assert.match(board.since(c), /Setting boot partition to app_1\r?\n.*Committed slot 1/);
  assert.deepEqual((await board.call('OTA.GetBootState')).result, { active_slot: 1, is_committed: true, revert_slot: 0, commit_timeout: 0 });
  for (let i = 0; i < 2; i++) {
    const p = await board.powerCycle();
    assert.equal(await upFrom(board, p), '1.1.0');
    assert.doesNotMatch(board.since(p), /first boot|Setting boot partition/);
  }
  assert.deepEqual(parsed(board, 'mongoose-os'), [
    ['app_0', 'normal', 'otahil 1.0.0'],
    ['app_1', 'trial', 'otahil 1.1.0'],
    ['app_1', 'normal', 'otahil 1.1.0'],
    ['app_1', 'normal', 'otahil 1.1.0'],
  ]);
  assert.deepEqual(board.inspect(), { slot: 'app_1', version: '1.1.0', detail: board.inspect().detail });
  assert.equal(board.device.flash.stats.dirtyPrograms, 0);
});

test('withheld commit: the next power cycle runs the baseline (revert), and it stays', async () => {
  assert.deepEqual(await withheldCommit(stack), ['1.1.0', '1.0.0', '1.0.0']);
  const board = await baselineUp(stack);
  await upFrom(board, await update(board));
  const p = await board.powerCycle();
  assert.equal(await upFrom(board, p), '1.0.0');
  assert.match(board.since(p), /Update to slot 1 was not committed, running slot 0/);
  assert.deepEqual(parsed(board, 'mongoose-os').map((b) => b[1]), ['normal', 'trial', 'revert']);
  assert.match(board.inspect().detail, /app_0 runs, committed; .*mgos\/update=0x0/);
});

test('commit timeout expiry: "Update commit timeout expired", revert and reboot into the baseline', async () => {
  const board = await baselineUp(stack, { timeScale: 1000 });
  const m = await update(board, CANDIDATE, 300); // 300 simulated seconds: 0.3 s here
  assert.equal(await upFrom(board, m), '1.1.0');
  const t0 = Date.now();
  await board.waitFor(/Update commit timeout expired/, m, 5000);
  assert.ok(Date.now() - t0 > 100, 'the watchdog fired far too early');
  const at = await board.waitFor(/Reverting to slot 0/, m);
  assert.equal(await upFrom(board, at), '1.0.0');
  assert.deepEqual(parsed(board, 'mongoose-os').map((b) => b.slice(0, 2)), [['app_0', 'normal'], ['app_1', 'trial'], ['app_0', 'revert']]);
});

test('OTA.Revert during the trial reboots into the baseline; on a committed image it is refused', async () => {
  const board = await baselineUp(stack);
  assert.match((await board.call('OTA.Revert')).error?.message ?? '', /committed/);
  const m = await update(board);
  await upFrom(board, m);
  board.send('OTA.Revert');
  const at = await board.waitFor(/Reverting to slot 0/, m);
  assert.equal(await upFrom(board, at), '1.0.0');
});

test('commit_timeout 0: the first boot commits itself (auto-commit)', async () => {
  const board = await baselineUp(stack);
  const m = await update(board, CANDIDATE, 0);
  assert.equal(await upFrom(board, m), '1.1.0');
  assert.match(board.since(m), /Committed slot 1/);
  assert.doesNotMatch(board.since(m), /Arming commit watchdog/);
  assert.equal(await upFrom(board, await board.powerCycle()), '1.1.0');
});

test('filesystem merge: device files survive, files shipped in the image win', async () => {
  const f = await mergedFiles(stack);
  assert.equal(f.conf9, '{"device":"lab-7"}');
  assert.equal(f.conf0, '{"v":"1.1.0"}');
  assert.equal(f.index, 'old page'); // the candidate does not ship index.html: carried over
  assert.match(f.log, /Copying conf9\.json/);
  assert.doesNotMatch(f.log, /Copying conf0\.json/);
});

test('corrupt or foreign images are refused before any reboot', async () => {
  const board = await baselineUp(stack);
  const good = board.image(CANDIDATE);
  const flipped = good.slice();
  flipped[Math.floor(flipped.length / 2)]! ^= 0x5a;
  const foreign = rbootStack.buildImage(CANDIDATE, board.config);
  for (const [image, why] of [[flipped, /CRC mismatch|Invalid checksum/], [foreign, /Wrong platform: esp8266/], [good.subarray(0, 20000), /Premature end|truncated/]] as const) {
    const server = await serve(image);
    const m = board.mark();
    const r = await board.call('OTA.Update', { url: server.url, commit_timeout: 300 }, 10_000);
    assert.match(r.error?.message ?? '', why, JSON.stringify(r));
    assert.match(board.since(m), /Update finished, result -1/);
    assert.doesNotMatch(board.since(m), /Rebooting|Setting boot partition/);
    await server.close();
  }
  assert.equal(await upFrom(board, await board.powerCycle()), '1.0.0');
  assert.match(board.inspect().detail, /otadata copy 0 seq 1 → app_0/);
});

test('first boot after mos flash: otadata is empty, the bootloader tries OTA 0 and records it, once', async () => {
  const board = new Board(stack, {});
  board.install(BASELINE);
  board.device.powerOn();
  assert.equal(await board.version(0), '1.0.0');
  const first = board.since(0);
  assert.match(first, /I \(\d+\) boot: No factory image, trying OTA 0\r?\n/);
  assert.match(first, /boot: Loaded app from partition at offset 0x[0-9a-f]+\r?\n.*boot: Set actual ota_seq=1 in otadata\[0\]/);
  assert.match(board.inspect().detail, /otadata copy 0 seq 1 → app_0/);
  const p = await board.powerCycle();
  assert.equal(await upFrom(board, p), '1.0.0');
  assert.doesNotMatch(board.since(p), /No factory image|Set actual ota_seq/);
});

test('nothing bootable: the bootloader resets and the ROM starts over, again and again', async () => {
  const board = new Board(stack, {});
  const broken = board.image(BASELINE).slice();
  broken[Math.floor(broken.length / 2)]! ^= 0x5a;
  board.install(broken);
  board.device.powerOn();
  await board.waitFor(/rst:0x3 \(SW_RESET\)/, 0, 5000);
  const second = board.mark();
  await board.waitFor(/No bootable app partitions in the partition table/, second, 5000);
  await board.waitFor(/rst:0x3 \(SW_RESET\)/, second, 5000);
  await board.powerOff();
  const bricks = parsed(board, 'mongoose-os').filter(([slot, event]) => slot === 'none' && event === 'brick');
  assert.ok(bricks.length >= 2, JSON.stringify(parsed(board, 'mongoose-os')));
});

test('a second update is refused while the first is not committed', async () => {
  const board = await baselineUp(stack);
  await upFrom(board, await update(board));
  const server = await serve(board.image({ ...CANDIDATE, version: '1.2.0' }));
  const r = await board.call('OTA.Update', { url: server.url }, 10_000);
  assert.match(r.error?.message ?? '', /Previous update has not been committed yet/);
});

test('a candidate that crashes at boot is reverted without help', async () => {
  const { versions, log } = await crashingCandidate(stack);
  assert.deepEqual(versions, ['1.2.0', '1.0.0']);
  assert.match(log, /Guru Meditation Error/);
  assert.match(log, /rst:0xc \(SW_CPU_RESET\)/);
});

test('a bad image in the chosen slot: the bootloader falls through to the other slot', async () => {
  const board = await baselineUp(stack);
  await upFrom(board, await update(board));
  await board.call('OTA.Commit');
  await board.powerOff();
  board.device.flash.program(0x40000 + 0x4000, new Uint8Array(16).fill(0)); // damage app_1
  const m = board.mark();
  board.device.powerOn();
  assert.equal(await upFrom(board, m), '1.0.0');
  assert.match(board.since(m), /esp_image: Checksum failed[^\n]*\r?\nE \(\d+\) boot: OTA app partition slot 1 is not bootable/);
  assert.equal(board.inspect().slot, 'app_0');
});

test('install and boot also work with a programmer-flashed baseline that ships no files', async () => {
  const board = new Board(stack);
  board.install({ ...BASELINE, files: undefined });
  board.device.powerOn();
  await upFrom(board, 0);
  assert.deepEqual((await board.call('FS.List')).result, ['conf0.json']);
  assert.match((await board.readFile('conf0.json')) ?? '', /"version":"1\.0\.0"/);
});
