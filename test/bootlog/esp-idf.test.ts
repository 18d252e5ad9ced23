// ESP-IDF parser on synthetic captures: slots through the printed partition table, and trial /
// silent rollback inferred from how 'Loaded app from partition at offset' moves between boots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { espIdfParser } from '../../harness/bootlog/esp-idf.ts';
import { detectStack } from '../../harness/bootlog/registry.ts';
import { final } from './helpers.ts';

const TABLE = [
  'I (49) boot: Partition Table:',
  'I (52) boot: ## Label            Usage          Type ST Offset   Length',
  'I (58) boot:  0 nvs              WiFi data        01 02 00009000 00006000',
  'I (65) boot:  1 otadata          OTA data         01 00 0000f000 00002000',
  'I (71) boot:  2 ota_0            OTA app          00 10 00020000 001b0000',
  'I (78) boot:  3 ota_1            OTA app          00 11 001d0000 001b0000',
  'I (84) boot: End of partition table',
];

function boot(opts: { offset: string; version: string; table?: boolean; reset?: string; app?: string[] }): string[] {
  return [
    'ESP-ROM:esp32s3-20210327',
    'Build:Mar 27 2021',
    `rst:${opts.reset ?? '0x1 (POWERON)'},boot:0x8 (SPI_FAST_FLASH_BOOT)`,
    'entry 0x403c8928',
    'I (27) boot: ESP-IDF v5.3 2nd stage bootloader',
    ...(opts.table === false ? [] : TABLE),
    `I (287) boot: Loaded app from partition at offset ${opts.offset}`,
    'I (449) cpu_start: Pro cpu start user code',
    `I (453) app_init: App version:      ${opts.version}`,
    ...(opts.app ?? []),
  ];
}

const OTA_TO_1 = ['I (5142) esp_https_ota: Starting OTA...', 'I (5142) esp_https_ota: Writing to <ota_1> partition at offset 0x1d0000', 'I (30292) ota: OTA Succeed, Rebooting...'];

void test('trial, then a silent ABORTED rollback: the offset returns to the previous slot → revert', () => {
  const lines = [
    ...boot({ offset: '0x20000', version: '1.0.0', app: OTA_TO_1 }),
    ...boot({ offset: '0x1d0000', version: '1.1.0', table: false, reset: '0xc (RTC_SW_CPU_RST)', app: ['W (500) ota: image state ESP_OTA_IMG_PENDING_VERIFY, running diagnostics'] }),
    ...boot({ offset: '0x20000', version: '1.0.0', reset: '0x1 (POWERON)' }),
  ];
  const boots = espIdfParser.parse(lines);
  assert.deepEqual(
    boots.map((b) => [b.slot, b.event, b.version]),
    [
      ['ota_0', 'normal', '1.0.0'],
      ['ota_1', 'trial', '1.1.0'],
      ['ota_0', 'revert', '1.0.0'],
    ],
  );
  assert.ok(boots[2]?.evidence.some((i) => /offset 0x20000/.test(lines[i] ?? '')));
  assert.equal(detectStack(lines), 'esp-idf');
});

void test('without a PENDING_VERIFY line the new image is a swap, and going back after it is still a revert', () => {
  const lines = [...boot({ offset: '0x20000', version: '1.0.0', app: OTA_TO_1 }), ...boot({ offset: '0x1d0000', version: '1.1.0' }), ...boot({ offset: '0x20000', version: '1.0.0' })];
  assert.deepEqual(
    espIdfParser.parse(lines).map((b) => b.event),
    ['normal', 'swap', 'revert'],
  );
});

void test('an app-requested rollback is a rollback (the contract), a bootloader ABORTED mark a revert; a new OTA back is a swap', () => {
  const requested = [
    ...boot({ offset: '0x20000', version: '1.0.0', app: OTA_TO_1 }),
    ...boot({ offset: '0x1d0000', version: '1.1.0', app: ['E (900) app: self test failed', 'I (905) esp_ota_ops: Rollback to previously worked partition. Restart.'] }),
    ...boot({ offset: '0x20000', version: '1.0.0' }),
  ];
  assert.equal(final('esp-idf', requested).event, 'rollback');

  const backAgain = [
    ...boot({ offset: '0x20000', version: '1.0.0', app: OTA_TO_1 }),
    ...boot({ offset: '0x1d0000', version: '1.1.0', app: ['I (5142) esp_https_ota: Writing to <ota_0> partition at offset 0x20000'] }),
    ...boot({ offset: '0x20000', version: '1.2.0' }),
  ];
  assert.deepEqual(final('esp-idf', backAgain), { slot: 'ota_0', event: 'swap', version: '1.2.0' });
});

void test('a bootloader-only update staged in ota_0 does not move the boot slot', () => {
  const lines = [
    ...boot({ offset: '0x1d0000', version: '1.1.0', app: ['I (5061) esp_https_ota: Writing to <ota_0> partition at offset 0x20000'] }),
    ...boot({ offset: '0x1d0000', version: '1.1.0' }),
  ];
  assert.deepEqual(final('esp-idf', lines), { slot: 'ota_1', event: 'normal', version: '1.1.0' });
});

void test('no partition table in the log: the slot is null, never a guessed standard offset', () => {
  const lines = [...boot({ offset: '0x10000', version: '1.0.0', table: false }), ...boot({ offset: '0x110000', version: '1.1.0', table: false })];
  const boots = espIdfParser.parse(lines);
  assert.deepEqual(boots.map((b) => b.slot), [null, null]);
  assert.equal(boots[1]?.event, 'swap', 'events still follow the offset');
  assert.ok(boots[1]?.notes.some((n) => /not in a printed partition table/.test(n)));
});

void test('a rejected OTA candidate before loading the other slot is a rollback; old IDF prints the version under cpu_start', () => {
  const lines = [
    'ets Jun  8 2016 00:22:57',
    '',
    'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
    'I (29) boot: ESP-IDF v3.3 2nd stage bootloader',
    ...TABLE,
    'E (40) esp_image: image at 0x1d0000 has invalid magic byte (nothing flashed here?)',
    'E (45) boot: OTA app partition slot 1 is not bootable',
    'I (90) boot: Loaded app from partition at offset 0x20000',
    'I (120) cpu_start: App version:      v3.3-dirty',
  ];
  assert.deepEqual(final('esp-idf', lines), { slot: 'ota_0', event: 'rollback', version: 'v3.3-dirty' });
});

void test('an app panic is a note; "No bootable app partitions" is a brick; a truncated bootloader is incomplete', () => {
  const panic = boot({ offset: '0x20000', version: '1.0.0', app: ["Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled."] });
  const [p] = espIdfParser.parse(panic);
  assert.deepEqual([p?.slot, p?.event, p?.complete], ['ota_0', 'normal', true]);
  assert.ok(p?.notes.includes('app crashed: Guru Meditation Error'));

  const none = [...boot({ offset: '0x20000', version: '1.0.0' }).slice(0, 5), ...TABLE, 'E (101) boot: No bootable app partitions in the partition table'];
  assert.deepEqual(final('esp-idf', none), { slot: 'none', event: 'brick', version: null });

  const cut = boot({ offset: '0x20000', version: '1.0.0' }).slice(0, 8);
  const [c] = espIdfParser.parse(cut);
  assert.deepEqual([c?.slot, c?.event, c?.complete], [null, 'unknown', false]);
});
