// End-to-end flows of the simulated Mongoose OS ESP8266 board (Cesanta's rBoot): the first boot
// of an update counted by rBoot, the fallback on the second unconfirmed attempt, commit, the
// commit watchdog, the filesystem merge, bad ROMs and a lost boot config.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { rbootStack } from '../../harness/sim/stacks/rboot/index.ts';
import { rbootLayout } from '../../harness/sim/stacks/rboot/layout.ts';
import { mongooseOsStack } from '../../harness/sim/stacks/mongoose-os/index.ts';
import { CANDIDATE, cleanup, serve } from './mongoose-helpers.ts';
import { baselineUp, crashingCandidate, mergedFiles, parsed, update, upFrom, withheldCommit } from './mongoose-flows.ts';

afterEach(cleanup);
const stack = rbootStack;

test('clean update: "First boot, attempt 0" + "Boot is unconfirmed", then OTA.Commit makes rom1 stay', async () => {
  const board = await baselineUp(stack);
  const m = await update(board);
  assert.equal(await upFrom(board, m), '1.1.0');
  assert.match(board.since(m), /rBoot v1\.2\.1 - richardaburton@gmail\.com[\s\S]*\nFirst boot, attempt 0\r?\nBoot is unconfirmed\r?\nBooting rom 1 \(0x48000\)\./);
  assert.match(board.since(m), /Arming commit watchdog for 300 seconds/);
  assert.match(board.inspect().detail, /rboot_config current=1 previous=0 first_boot=1 attempts=1 fw_updated=1/);
  assert.deepEqual((await board.call('OTA.GetBootState')).result, { active_slot: 1, is_committed: false, revert_slot: 0, commit_timeout: 300 });
  const c = board.mark();
  await board.call('OTA.Commit');
  assert.match(board.since(c), /Committed slot 1/);
  assert.match(board.inspect().detail, /current=1 previous=0 first_boot=0 attempts=0 fw_updated=0/);
  for (let i = 0; i < 2; i++) {
    const p = await board.powerCycle();
    assert.equal(await upFrom(board, p), '1.1.0');
    assert.doesNotMatch(board.since(p), /First boot/);
  }
  assert.deepEqual(parsed(board, 'rboot'), [
    ['rom0', 'normal', '1.0.0'],
    ['rom1', 'trial', '1.1.0'],
    ['rom1', 'normal', '1.1.0'],
    ['rom1', 'normal', '1.1.0'],
  ]);
  assert.deepEqual(parsed(board, 'mongoose-os').map((b) => b[2]), ['otahil 1.0.0', 'otahil 1.1.0', 'otahil 1.1.0', 'otahil 1.1.0']);
  assert.equal(board.device.flash.stats.dirtyPrograms, 0);
});

test('withheld commit: the second attempt falls back inside rBoot; the app then clears is_first_boot', async () => {
  assert.deepEqual(await withheldCommit(stack), ['1.1.0', '1.0.0', '1.0.0']);
  const board = await baselineUp(stack);
  await upFrom(board, await update(board));
  const p = await board.powerCycle();
  assert.equal(await upFrom(board, p), '1.0.0');
  assert.match(board.since(p), /First boot, attempt 1\r?\nBoot failed, fallback to fw #0\r?\nBooting rom 0 \(0x8000\)\./);
  assert.match(board.since(p), /Update was not committed, running rom 0/);
  assert.match(board.inspect().detail, /current=0 previous=0 first_boot=0 attempts=0 fw_updated=0/);
  const q = await board.powerCycle();
  assert.equal(await upFrom(board, q), '1.0.0');
  assert.doesNotMatch(board.since(q), /First boot/);
  assert.deepEqual(parsed(board, 'rboot').map((b) => b.slice(0, 2)), [['rom0', 'normal'], ['rom1', 'trial'], ['rom0', 'revert'], ['rom0', 'normal']]);
});

test('commit timeout expiry reverts through the app: "Update commit timeout expired", rom 0 without a fallback', async () => {
  const board = await baselineUp(stack);
  const m = await update(board, CANDIDATE, 300);
  assert.equal(await upFrom(board, m), '1.1.0');
  await board.waitFor(/Update commit timeout expired/, m, 5000);
  const at = await board.waitFor(/Reverting to slot 0/, m);
  assert.equal(await upFrom(board, at), '1.0.0');
  assert.doesNotMatch(board.since(at), /First boot|Boot failed/);
  assert.deepEqual(parsed(board, 'rboot').map((b) => b.slice(0, 2)), [['rom0', 'normal'], ['rom1', 'trial'], ['rom0', 'revert']]);
});

test('filesystem merge on the first boot', async () => {
  const f = await mergedFiles(stack);
  assert.deepEqual([f.conf9, f.conf0, f.index], ['{"device":"lab-7"}', '{"v":"1.1.0"}', 'old page']);
  assert.match(f.log, /Copying conf9\.json/);
});

test('corrupt and foreign images are refused before any reboot', async () => {
  const board = await baselineUp(stack);
  const flipped = board.image(CANDIDATE).slice();
  flipped[Math.floor(flipped.length / 2)]! ^= 0x5a;
  for (const [image, why] of [[flipped, /CRC mismatch|Invalid checksum/], [mongooseOsStack.buildImage(CANDIDATE, board.config), /Wrong platform: esp32/]] as const) {
    const server = await serve(image);
    const m = board.mark();
    const r = await board.call('OTA.Update', { url: server.url, commit_timeout: 300 }, 10_000);
    assert.match(r.error?.message ?? '', why);
    assert.doesNotMatch(board.since(m), /Rebooting|Boot config/);
    await server.close();
  }
  assert.equal(await upFrom(board, await board.powerCycle()), '1.0.0');
});

test('a crashing candidate: attempt 0 crashes, attempt 1 falls back', async () => {
  const { versions, log } = await crashingCandidate(stack);
  assert.deepEqual(versions, ['1.2.0', '1.0.0']);
  assert.match(log, /Fatal exception 28[\s\S]*rst cause:2[\s\S]*First boot, attempt 1\r?\nBoot failed, fallback to fw #0/);
});

test('a bad ROM: "Rom 1 is bad." and rBoot boots the other one, rewriting current_rom', async () => {
  const board = await baselineUp(stack);
  await upFrom(board, await update(board));
  await board.call('OTA.Commit');
  await board.powerOff();
  board.device.flash.program(rbootLayout(board.config).slots[1]!.app.off + 0x2000, new Uint8Array(16).fill(0));
  const m = board.mark();
  board.device.powerOn();
  assert.equal(await upFrom(board, m), '1.0.0');
  assert.match(board.since(m), /Rom 1 is bad\.\r?\nBooting rom 0 \(0x8000\)\./);
  assert.deepEqual(parsed(board, 'rboot', m), [['rom0', 'rollback', '1.0.0']]);
  assert.match(board.inspect().detail, /current=0/);
});

test('a lost boot config: "Writing default boot config." and rom 0', async () => {
  const board = await baselineUp(stack);
  await board.powerOff();
  board.device.flash.erase(0x1000, 4096);
  const m = board.mark();
  board.device.powerOn();
  assert.equal(await upFrom(board, m), '1.0.0');
  assert.match(board.since(m), /Writing default boot config\.\r?\nBooting rom 0/);
});
