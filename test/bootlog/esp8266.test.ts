// ESP8266 stacks on synthetic captures: the Arduino core's eboot, upstream rBoot, and Mongoose OS
// on Cesanta's rBoot (including the commit-timeout revert).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { esp8266ArduinoParser } from '../../harness/bootlog/esp8266-arduino.ts';
import { mongooseOsParser } from '../../harness/bootlog/mongoose-os.ts';
import { rbootParser } from '../../harness/bootlog/rboot.ts';
import { detectStack } from '../../harness/bootlog/registry.ts';
import { restful } from '../../harness/fixtures/boots.ts';
import { final, log } from './helpers.ts';

const ROM = (cause = 2, mode = '3,6') => ['', ` ets Jan  8 2013,rst cause:${cause}, boot mode:(${mode})`, '', 'load 0x4010f000, len 3584, room 16 ', 'tail 0', 'chksum 0xb0', 'csum 0xb0'];

void test('eboot "@cp:0" then "ld" after an update is a swap to the new sketch; "~ld" is a normal boot', () => {
  const lines = [
    'My Sketch 1.0.0',
    'Update Success: 10755',
    'Rebooting...',
    ...ROM(2),
    'v4f4fbf2a',
    '@cp:0',
    'ld',
    'My Sketch 1.1.0',
    ...ROM(1),
    'v4f4fbf2a',
    '~ld',
    'My Sketch 1.1.0',
    'IP address: 192.168.1.62',
  ];
  const boots = esp8266ArduinoParser.parse(lines);
  assert.deepEqual(
    boots.map((b) => [b.slot, b.event, b.version]),
    [
      ['sketch', 'normal', '1.0.0'],
      ['sketch', 'swap', '1.1.0'],
      ['sketch', 'normal', '1.1.0'],
    ],
  );
  assert.equal(boots[0]?.notes.includes('the sketch was already running when the capture began'), true, 'the sketch running before the first reset is a boot seen in part');
  assert.equal(boots[1]?.startLine, 4);
  assert.equal(detectStack(lines), 'esp8266-arduino');
});

void test('a failed eboot copy is reported, not guessed; repeated load failures are a brick', () => {
  const failed = [...ROM(4), '@cp:4'];
  const [f] = esp8266ArduinoParser.parse(failed);
  assert.equal(f?.slot, null);
  assert.equal(f?.event, 'unknown');
  assert.ok(f?.notes.some((n) => /cp:4 \(write failed\)/.test(n)), JSON.stringify(f?.notes));

  const loop = [1, 2, 3].flatMap(() => [...ROM(2), '~ld', 'e:2']);
  assert.deepEqual(final('esp8266-arduino', loop), { slot: 'none', event: 'brick', version: null });
});

void test('a corrupt sketch copied by eboot crashes in a loop: its boots come to rest only as a brick, however the lines are timed', () => {
  const crash = ['', 'Exception (0):', 'epc1=0x40100000 epc2=0x00000000 epc3=0x00000000 excvaddr=0x00000000 depc=0x00000000', '', '>>>stack>>>', 'ctx: cont', '<<<stack<<<'];
  const lines = ['Update Success: 1538', 'Rebooting...', ...ROM(2), 'v4841544f', '@cp:B0', 'ld', ...crash, ...[1, 2, 3].flatMap(() => [...ROM(2), 'v4841544f', '~ld', ...crash])];
  // At every line a wait may look: between a crash and the next boot's banner each boot is
  // complete, but the board has not come to rest until the parser calls the loop a brick.
  const rests = lines.map((_, n) => esp8266ArduinoParser.parse(lines.slice(0, n + 1)).slice(1)).filter((boots) => boots.length > 0 && restful(boots));
  assert.ok(rests.length > 0, 'the whole loop is at rest');
  for (const boots of rests) assert.equal(boots.at(-1)?.event, 'brick', JSON.stringify(boots.map((b) => [b.event, b.complete, b.notes])));
  const upAgain = esp8266ArduinoParser.parse([...lines.slice(0, 8), 'ld', 'OTA-HIL Sketch 1.1.0', 'IP address: 127.0.0.1']).slice(1);
  assert.ok(restful(upAgain), 'a sketch that came up is at rest');
});

void test('boot mode (1,x) with no eboot output: the ROM waits in download mode, brick', () => {
  const lines = log(`
    ets Jan  8 2013,rst cause:2, boot mode:(1,6)

    ets Jan  8 2013,rst cause:4, boot mode:(1,6)

    wdt reset
  `);
  assert.deepEqual(final('esp8266-arduino', lines), { slot: 'none', event: 'brick', version: null });
});

void test('rBoot: swap to another ROM, temp-ROM trial then back (revert), bad ROM falls back (rollback)', () => {
  const rb = (rom: number, extra: string[] = [], app = 'Firmware version 1.0.0') => [
    ...ROM(2).slice(0, 3),
    'rBoot v1.4.2 - richardaburton@gmail.com',
    'Flash Size:   32 Mbit',
    'Flash Mode:   DIO',
    'Flash Speed:  40 MHz',
    '',
    ...extra,
    `Booting rom ${rom} at ${rom ? '102000' : '2000'}, load addr ${rom ? '102010' : '2010'}.`,
    app,
  ];
  const lines = [
    ...rb(0),
    ...rb(1, [], 'Firmware version 1.1.0'),
    ...rb(0, ['Booting temp rom.'], 'Firmware version 1.0.0'),
    ...rb(1, [], 'Firmware version 1.1.0'),
    ...rb(0, ['Rom 1 at 102000 is bad.'], 'Firmware version 1.0.0'),
  ];
  assert.deepEqual(
    rbootParser.parse(lines).map((b) => [b.slot, b.event, b.version]),
    [
      ['rom0', 'normal', '1.0.0'],
      ['rom1', 'swap', '1.1.0'],
      ['rom0', 'trial', '1.0.0'],
      ['rom1', 'revert', '1.1.0'],
      ['rom0', 'rollback', '1.0.0'],
    ],
  );
  assert.equal(detectStack(lines), 'rboot');
  assert.equal(final('esp8266-arduino', lines).slot, null, 'rBoot output is not an eboot sketch');
  assert.deepEqual(final('rboot', [...rb(0).slice(0, 8), 'No good rom available.']), { slot: 'none', event: 'brick', version: null });
});

const MOS = (rom: number, version: string, extra: string[] = [], app: string[] = []) => [
  'rBoot v1.2.1 - richardaburton@gmail.com',
  'Flash Size:   16 Mbit',
  'Flash Mode:   DIO',
  'Flash Speed:  80 MHz',
  'rBoot Option: Big flash',
  '',
  ...extra,
  `Booting rom ${rom} (0x${rom ? '108000' : '8000'}).`,
  `[Jun 25 20:14:54.264] esp_main.c:172          switch1 ${version} (20200517-133521/${version}-gb343c96-master)`,
  '[Jun 25 20:14:54.270] esp_main.c:174          Mongoose OS 2.17.0 (20200517-133521/2.17.0-gc31a745)',
  ...app,
];

void test('Mongoose OS: first unconfirmed boot is a trial; the commit timeout reverts on the next boot', () => {
  const lines = [
    ...MOS(0, '1.0.0', [], ['[Jun 25 20:15:00.000] mgos_ota_core.c:100   Update finished, result 1 (Success)']),
    ...MOS(1, '1.1.0', ['First boot, attempt 0', 'Boot is unconfirmed'], [
      '[Jun 25 20:15:10.000] mgos_ota_core.c:200   Arming commit watchdog for 60 seconds',
      '[Jun 25 20:16:10.000] mgos_ota_core.c:210   Update commit timeout expired',
    ]),
    ...MOS(0, '1.0.0'),
  ];
  const boots = mongooseOsParser.parse(lines);
  assert.deepEqual(
    boots.map((b) => [b.slot, b.event, b.version]),
    [
      ['rom0', 'normal', 'switch1 1.0.0'],
      ['rom1', 'trial', 'switch1 1.1.0'],
      ['rom0', 'revert', 'switch1 1.0.0'],
    ],
  );
  assert.ok(boots[1]?.notes.some((n) => /commit watchdog armed: 60 s/.test(n)));
  assert.equal(detectStack(lines), 'mongoose-os');
});

void test('Mongoose OS: the second unconfirmed attempt falls back inside rBoot; a committed trial stays', () => {
  const fallback = MOS(0, '1.0.0', ['First boot, attempt 1', 'Boot failed, fallback to fw #0']);
  assert.deepEqual(final('mongoose-os', fallback), { slot: 'rom0', event: 'revert', version: 'switch1 1.0.0' });

  const committed = [...MOS(1, '1.1.0', ['First boot, attempt 0', 'Boot is unconfirmed']), ...MOS(1, '1.1.0')];
  assert.deepEqual(final('mongoose-os', committed), { slot: 'rom1', event: 'normal', version: 'switch1 1.1.0' });
});

void test('Mongoose OS on the ESP32: ESP-IDF bootloader, slot from "Boot partition:", first boot then "Reverting to slot"', () => {
  const esp32 = (offset: string, part: string, version: string, first: boolean, app: string[] = []) => [
    'ets Jun  8 2016 00:22:57',
    'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
    'I (29) boot: ESP-IDF v3.3.1 2nd stage bootloader',
    `I (90) boot: Loaded app from partition at offset ${offset}`,
    `[Mar 10 10:00:00.000] esp32_main.c:130      myapp ${version} (20200310-100000/${version}-g123)`,
    `[Mar 10 10:00:00.000] esp32_main.c:131      Mongoose OS 2.17.0 (20200310-100000/2.17.0-g456)${first ? ', first boot' : ''}`,
    '[Mar 10 10:00:00.000] esp32_main.c:133      ESP-IDF v3.3.1',
    `[Mar 10 10:00:00.000] esp32_main.c:135      Boot partition: ${part}; flash: 4M; RAM: 290000 total, 250000 free`,
    ...app,
  ];
  const lines = [
    ...esp32('0x10000', 'app_0', '1.0.0', false),
    ...esp32('0x190000', 'app_1', '1.1.0', true, ['[Mar 10 10:05:00.000] mgos_ota_core.c:500   Reverting to slot 0']),
    ...esp32('0x10000', 'app_0', '1.0.0', false),
  ];
  assert.equal(detectStack(lines), 'mongoose-os');
  assert.deepEqual(
    mongooseOsParser.parse(lines).map((b) => [b.slot, b.event, b.version]),
    [
      ['app_0', 'normal', 'myapp 1.0.0'],
      ['app_1', 'trial', 'myapp 1.1.0'],
      ['app_0', 'revert', 'myapp 1.0.0'],
    ],
  );
  // Settled only once the slot is named, not at the Mongoose OS line.
  const partial = mongooseOsParser.parse(esp32('0x10000', 'app_0', '1.0.0', false).slice(0, 7));
  assert.equal(partial[0]?.complete, false);
});
