// End-to-end flows of the simulated ESP-IDF board: esp_https_ota into the passive slot, one
// PENDING_VERIFY trial boot, confirm or silent revert, corrupt images refused before any reboot,
// crash and hang reverted by the bootloader, and otadata checked byte by byte in flash.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_UP, BASELINE, Board, CANDIDATE, cleanup, nextApp, serve, startOta, VERSION } from './esp-idf-helpers.ts';
import { ENTRY_SIZE, OtaState, decodeEntry, seqCrc } from '../../harness/sim/stacks/esp-idf/otadata.ts';
import type { ImageBuild, SimDeviceConfig } from '../../harness/sim/stack.ts';

afterEach(cleanup);

const OTADATA = 0xd000;
const entry = (board: Board, i: 0 | 1) => decodeEntry(board.device.flash.read(OTADATA + i * 0x1000, ENTRY_SIZE));

/** Baseline in factory, candidate delivered; resolves once the candidate's trial boot is up. */
async function update(candidate: ImageBuild | Uint8Array = CANDIDATE, config: SimDeviceConfig = {}) {
  const board = new Board(config);
  const server = await serve(candidate instanceof Uint8Array ? candidate : board.image(candidate));
  const m = await startOta(board, BASELINE, server.url);
  return { board, m, server };
}

test('clean update: written to ota_0, validated twice, one PENDING_VERIFY trial boot, confirmed, then VALID for good', async () => {
  const { board, m } = await update();
  const trial = await nextApp(board, m);
  assert.deepEqual([trial.part, trial.state], ['ota_0', 'PENDING_VERIFY']);
  const log = board.since(m);
  assert.match(log, /I \(\d+\) esp_https_ota: Starting OTA\.\.\.\nI \(\d+\) esp_https_ota: Writing to <ota_0> partition at offset 0x30000/);
  // esp_ota_end and esp_ota_set_boot_partition each verify: segment lines twice, no "load" in the app.
  assert.equal(log.match(/esp_image: segment 0: paddr=00030020 vaddr=3f400020 size=\w+h \(\s*\d+\) map/g)?.length, 3);
  assert.match(log, /esp_image: segment 1: paddr=\w+ vaddr=3ffb0000 size=\w+h \(\s*\d+\) \n/);
  assert.match(log, /OTA Succeed, Rebooting\.\.\.\nets Jun {2}8 2016 00:22:57\n\nrst:0xc \(SW_CPU_RESET\),boot:0x13 \(SPI_FAST_FLASH_BOOT\)/);
  assert.match(log, /esp_image: segment 1: paddr=\w+ vaddr=3ffb0000 size=\w+h \(\s*\d+\) load\n[\s\S]*boot: Loaded app from partition at offset 0x30000/);
  assert.match(log, /app_init: App version: {6}1\.1\.0/);
  // otadata in flash: the bootloader turned NEW into PENDING_VERIFY; the crc covers the seq only.
  const e = entry(board, 0);
  assert.deepEqual([e.seq, e.state, e.crc], [1, OtaState.PENDING_VERIFY, 0x4743989a]);
  assert.equal(entry(board, 1).seq, 0xffffffff);

  const c = board.mark();
  board.send('ota confirm');
  await board.waitFor(/esp_ota_mark_app_valid_cancel_rollback: app marked valid/, c);
  assert.deepEqual([entry(board, 0).state, entry(board, 0).crc], [OtaState.VALID, 0x4743989a]);
  for (let i = 0; i < 2; i++) {
    const p = await board.powerCycle();
    const up = await nextApp(board, p);
    assert.deepEqual([up.part, up.state], ['ota_0', 'VALID']);
    assert.match(board.since(p), /rst:0x1 \(POWERON_RESET\)[\s\S]*Loaded app from partition at offset 0x30000/);
  }
  assert.equal(board.inspect().slot, 'ota_0');
  assert.equal(board.device.flash.stats.dirtyPrograms, 0);
});

test('withheld commit: the next boot aborts the trial silently and the factory app runs again', async () => {
  const { board, m } = await update();
  await nextApp(board, m);
  const p = await board.powerCycle();
  const up = await nextApp(board, p);
  assert.deepEqual([up.part, up.state], ['factory', null]);
  const log = board.since(p);
  assert.match(log, /boot: Defaulting to factory image\n[\s\S]*Loaded app from partition at offset 0x10000/);
  assert.doesNotMatch(log, /ABORTED|PENDING_VERIFY/, 'rollback is silent at INFO');
  assert.deepEqual([entry(board, 0).seq, entry(board, 0).state], [1, OtaState.ABORTED]);
  const p2 = await board.powerCycle();
  assert.equal((await nextApp(board, p2)).part, 'factory');
  assert.equal(board.inspect().version, '1.0.0');
});

test('a corrupt image is refused by esp_ota_end: no reboot, otadata untouched, the app keeps running', async () => {
  const image = new Board().image(CANDIDATE);
  image[Math.floor(image.length / 2)]! ^= 0x5a; // what the harness's corrupted() does
  const { board, m } = await update(image);
  await board.waitFor(/Command returned non-zero error code: 0x1 \(ERROR\)/, m);
  const log = board.since(m);
  assert.match(log, /E \(\d+\) ota_hil: Firmware upgrade failed \(ESP_ERR_OTA_VALIDATE_FAILED\)\nCommand returned/);
  assert.match(log, /E \(\d+\) esp_image: Checksum failed\. Calculated 0x[0-9a-f]+ read 0x[0-9a-f]+\nE \(\d+\) esp_https_ota: Image validation failed, image is corrupted/);
  await new Promise((r) => setTimeout(r, 50));
  assert.doesNotMatch(board.since(m), /rst:|OTA Succeed/);
  assert.equal(entry(board, 0).seq, 0xffffffff);
  const s = board.mark();
  board.send('ota status');
  await board.waitFor(/otadata\[1\] empty/, s);
  const p = await board.powerCycle();
  assert.equal((await nextApp(board, p)).part, 'factory');
});

test('a corrupt image whose hash alone is wrong (checksum intact) is refused with "Image hash failed"', async () => {
  const image = new Board().image(CANDIDATE);
  image[image.length - 1]! ^= 0x01; // last byte of the appended SHA-256
  const { board, m } = await update(image);
  await board.waitFor(/E \(\d+\) esp_image: Image hash failed - image is corrupt/, m);
  await board.waitFor(/Firmware upgrade failed/, m);
  assert.doesNotMatch(board.since(m), /rst:/);
});

test('mutant no-image-verify: the corrupt image is activated and the board reboots (caught: the promise is no-reboot)', async () => {
  const image = new Board().image(CANDIDATE);
  image[Math.floor(image.length / 2)]! ^= 0x5a;
  const { board, m } = await update(image, { mutant: 'no-image-verify' });
  await board.waitFor(/rst:0xc \(SW_CPU_RESET\)/, m);
  // The bootloader still verifies: it rejects slot 0 and falls back to factory.
  await board.waitFor(/E \(\d+\) boot: OTA app partition slot 0 is not bootable/, m);
  assert.equal((await nextApp(board, m)).part, 'factory');
});

test('an image without the 0xE9 magic is refused at its first write', async () => {
  const { board, m } = await update(new Uint8Array(8192).fill(0x42));
  await board.waitFor(/E \(\d+\) esp_ota_ops: OTA image has invalid magic byte \(expected 0xE9, saw 0x42\)/, m);
  await board.waitFor(/Firmware upgrade failed/, m);
});

test('a crashing candidate panics once (Guru Meditation, SW_CPU_RESET) and the bootloader goes back to factory', async () => {
  const { board, m } = await update({ version: '1.2.0-crash', boot: 'crash', confirm: 'wait' });
  const trial = await nextApp(board, m);
  assert.deepEqual([trial.part, trial.state], ['ota_0', 'PENDING_VERIFY']);
  const back = await nextApp(board, trial.at + 1);
  assert.equal(back.part, 'factory');
  const log = board.since(trial.at);
  assert.match(log, /Guru Meditation Error: Core {2}0 panic'ed \(LoadProhibited\)[\s\S]*Rebooting\.\.\.\nets Jun {2}8 2016 00:22:57\n\nrst:0xc \(SW_CPU_RESET\)/);
  assert.match(log, /Defaulting to factory image/);
  assert.equal(entry(board, 0).state, OtaState.ABORTED);
});

test('built without rollback: the new image is set UNDEFINED, runs with no trial, stays unconfirmed across power cycles', async () => {
  const { board, m } = await update(CANDIDATE, { firmware: { rollback: false } });
  const first = await nextApp(board, m);
  assert.deepEqual([first.part, first.state], ['ota_0', 'UNDEFINED']);
  assert.doesNotMatch(board.since(m), /Trial boot/);
  assert.deepEqual([entry(board, 0).seq, entry(board, 0).state], [1, OtaState.UNDEFINED]);
  for (let i = 0; i < 2; i++) {
    const up = await nextApp(board, await board.powerCycle());
    assert.deepEqual([up.part, up.state], ['ota_0', 'UNDEFINED'], 'no ABORTED, no revert: nothing was pending');
  }
  assert.equal(entry(board, 0).state, OtaState.UNDEFINED);
});

test('built without rollback: a crashing candidate panics and boots again, forever', async () => {
  const { board, m } = await update({ version: '1.2.0-crash', boot: 'crash', confirm: 'wait' }, { firmware: { rollback: false } });
  let at = m;
  for (let i = 0; i < 3; i++) {
    const up = await nextApp(board, at);
    assert.equal(up.part, 'ota_0', `boot ${i + 1} runs the crashing image again`);
    await board.waitFor(/Guru Meditation Error/, up.at);
    at = up.at + 1;
  }
  assert.doesNotMatch(board.since(m), /Defaulting to factory image/);
});

test('a hanging candidate is aborted by the task watchdog and reverted', async () => {
  const { board, m } = await update({ version: '1.2.0-hang', boot: 'hang', confirm: 'wait' });
  const trial = await nextApp(board, m);
  const back = await nextApp(board, trial.at + 1);
  assert.equal(back.part, 'factory');
  assert.match(board.since(trial.at), /E \(\d+\) task_wdt: Task watchdog got triggered[\s\S]*abort\(\) was called at PC 0x[0-9a-f]+ on core 0[\s\S]*rst:0xc \(SW_CPU_RESET\)/);
});

test('a self-confirming candidate marks itself valid at boot and stays', async () => {
  const { board, m } = await update({ ...CANDIDATE, confirm: 'self' });
  await board.waitFor(/esp_ota_mark_app_valid_cancel_rollback: app marked valid/, m);
  const p = await board.powerCycle();
  const up = await nextApp(board, p);
  assert.deepEqual([up.part, up.state], ['ota_0', 'VALID']);
});

test('from ota_0 the next update goes to ota_1 through the inactive sector (seq 2); its revert returns to ota_0, not factory', async () => {
  const { board, m } = await update({ ...CANDIDATE, confirm: 'self' });
  await nextApp(board, m);
  const next = await serve(board.image({ version: '1.2.0', boot: 'ok', confirm: 'wait' }));
  const m2 = board.mark();
  board.send(`ota ${next.url}`);
  const trial = await nextApp(board, m2);
  assert.deepEqual([trial.part, trial.state], ['ota_1', 'PENDING_VERIFY']);
  assert.match(board.since(m2), /Writing to <ota_1> partition at offset 0x50000/);
  assert.deepEqual([entry(board, 0).seq, entry(board, 0).state], [1, OtaState.VALID], 'the active sector is never touched');
  assert.deepEqual([entry(board, 1).seq, entry(board, 1).state, entry(board, 1).crc], [2, OtaState.PENDING_VERIFY, seqCrc(2)]);
  const p = await board.powerCycle();
  const back = await nextApp(board, p);
  assert.deepEqual([back.part, back.state], ['ota_0', 'VALID']);
  assert.match(board.since(p), /app_init: App version: {6}1\.1\.0/);
});

test('a trial image cannot start another update; `ota rollback` marks it INVALID and restarts into the previous app', async () => {
  const { board, m } = await update({ ...CANDIDATE, confirm: 'self' });
  await nextApp(board, m);
  const next = await serve(board.image({ version: '1.2.0', boot: 'ok', confirm: 'wait' }));
  const m2 = board.mark();
  board.send(`ota ${next.url}`);
  await nextApp(board, m2);
  const m3 = board.mark();
  board.send(`ota ${next.url}`);
  await board.waitFor(/E \(\d+\) esp_ota_ops: Running app has not confirmed state \(ESP_OTA_IMG_PENDING_VERIFY\)/, m3);
  board.send('ota rollback');
  await board.waitFor(/I \(\d+\) esp_ota_ops: Rollback to previously worked partition\. Restart\./, m3);
  const back = await nextApp(board, m3 + 3);
  assert.equal(back.part, 'ota_0');
  assert.equal(entry(board, 1).state, OtaState.INVALID);
});

test('mutant no-abort-pending: an unconfirmed candidate keeps booting after a power cycle (caught)', async () => {
  const { board, m } = await update(CANDIDATE, { mutant: 'no-abort-pending' });
  await nextApp(board, m);
  const p = await board.powerCycle();
  const up = await nextApp(board, p);
  assert.deepEqual([up.part, up.state], ['ota_0', 'PENDING_VERIFY'], 'the seeded bug shows');
});

test('a cut mid-download leaves garbage in ota_0 that the next update simply rewrites', async () => {
  const board = new Board();
  const image = board.image(CANDIDATE);
  const stalled = await serve(image, { stallAt: 20_000 });
  const m = await startOta(board, BASELINE, stalled.url);
  await board.waitFor(/Writing to <ota_0>/, m);
  await new Promise((r) => setTimeout(r, 30));
  const p = await board.powerCycle();
  assert.equal((await nextApp(board, p)).part, 'factory');
  const good = await serve(image);
  const m2 = board.mark();
  board.send(`ota ${good.url}`);
  const trial = await nextApp(board, m2);
  assert.deepEqual([trial.part, trial.state], ['ota_0', 'PENDING_VERIFY']);
  assert.equal(board.device.flash.stats.dirtyPrograms, 0);
});

test('HTTP errors and a dropped connection fail the update; the app keeps running', async () => {
  const board = new Board();
  const image = board.image(CANDIDATE);
  const missing = await serve(image, { status: 404 });
  const dropped = await serve(image, { dropAt: 10_000 });
  const m = await startOta(board, BASELINE, missing.url);
  await board.waitFor(/esp_https_ota: HTTP 404/, m);
  board.send(`ota ${dropped.url}`);
  await board.waitFor(/E \(\d+\) ota_hil: Complete data was not received\./, m);
  board.send('frobnicate');
  await board.waitFor(/^Unrecognized command$/, m);
  assert.doesNotMatch(board.since(m), /rst:/);
  assert.equal(board.lines.filter((l) => VERSION.test(l)).length, 1);
});

test('a damaged partition table: "Incorrect MD5 checksum", the bootloader resets over and over; an erased one has no app', async () => {
  const board = new Board();
  board.install(BASELINE);
  const label = board.device.flash.read(0x8000 + 12, 4);
  label[0] = label[0]! & 0xf7; // one bit of entry 0's label cleared: 'nvs' becomes 'fvs'
  board.device.flash.program(0x8000 + 12, label);
  const m = board.mark();
  board.device.powerOn();
  await board.waitFor(/E \(\d+\) flash_parts: Incorrect MD5 checksum/, m);
  await board.waitFor(/E \(\d+\) boot: load partition table error!/, m);
  await board.waitFor(/rst:0x3 \(SW_RESET\)/, m);
  assert.doesNotMatch(board.since(m), APP_UP);
  assert.equal(board.inspect().slot, 'none');
  await board.powerOff();

  board.device.flash.erase(0x8000, 0x1000);
  const m2 = board.mark();
  board.device.powerOn();
  await board.waitFor(/No bootable app partitions/, m2);
  assert.match(board.since(m2), /boot: ## Label {12}Usage {10}Type ST Offset {3}Length\nI \(\d+\) boot: End of partition table\nE \(\d+\) boot: No bootable app partitions in the partition table/);
  await board.waitFor(/rst:0x3 \(SW_RESET\)/, m2);
});

test('bad configuration is refused by name', () => {
  assert.throws(() => new Board({ mutant: 'nope' }), /unknown mutant 'nope'; valid mutants: crc-not-checked/);
  assert.throws(() => new Board({ swap: 'scratch' }), /sim\.swap 'scratch' does not apply/);
  assert.throws(() => new Board({ sectorSize: 8192 }), /sectorSize must be 4096/);
  assert.throws(() => new Board({ slotSize: 0x18000 }), /multiple of 0x10000/);
  assert.throws(() => new Board().image({ version: 'a-version-string-longer-than-31-chars' }), /does not fit esp_app_desc_t/);
});
