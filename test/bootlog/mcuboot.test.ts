// MCUboot parser on synthetic captures built from the strings MCUboot and Zephyr print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mcubootParser } from '../../harness/bootlog/mcuboot.ts';
import { detectStack, summarize } from '../../harness/bootlog/registry.ts';
import { final, log } from './helpers.ts';

const BOOT = (swap: string, app: string[] = ['Firmware version 1.1.0']) => [
  '*** Booting MCUboot v2.1.0 ***',
  'I: Starting bootloader',
  'I: Primary image: magic=good, swap_type=0x1, copy_done=0x3, image_ok=0x3',
  'I: Boot source: none',
  ...(swap ? [swap] : []),
  'I: Bootloader chainload address offset: 0x20000',
  'I: Jumping to the first image slot',
  '*** Booting Zephyr OS build v3.7.0 ***',
  ...app,
];

void test('old MCUboot prints "Swap type: test" without "Image index:": still a trial', () => {
  const lines = log(`
    I: Starting bootloader
    I: Swap type: test
    I: Starting swap using scratch algorithm.
    I: Bootloader chainload address offset: 0x20000
    I: Jumping to the first image slot
    *** Booting Zephyr OS build v2.7.0 ***
    Firmware version 1.1.0
  `);
  assert.deepEqual(final('mcuboot', lines), { slot: 'primary', event: 'trial', version: '1.1.0' });
  assert.equal(detectStack(lines), 'mcuboot');
});

void test('app-side mcuboot_util and mcumgr "Swap type:" lines are not bootloader decisions', () => {
  const before = log(`
    [00:00:10.000,000] <inf> mcuboot_util: Image index: 0, Swap type: none
    I: Image index: 0, Swap type: none
    I: Image index: 0, Swap type: test
  `);
  // Only the app speaks: it runs from the primary slot, and what the bootloader did is not shown.
  assert.deepEqual(final('mcuboot', before), { slot: 'primary', event: 'unknown', version: null });

  // The same lines printed by an app that is already running belong to that boot's app phase.
  const during = [...BOOT('I: Image index: 0, Swap type: none'), '[00:00:05.000,000] <inf> mcuboot_util: Swap type: revert', 'I: Image index: 0, Swap type: test'];
  const boots = mcubootParser.parse(during);
  assert.equal(boots.length, 1);
  assert.equal(boots[0]?.event, 'normal');

  // …and before a real reset they do not change what the bootloader then decides.
  const both = [...before, ...BOOT('I: Image index: 0, Swap type: test')];
  const b2 = mcubootParser.parse(both);
  assert.equal(b2.length, 1);
  assert.equal(b2[0]?.event, 'trial');
  assert.equal(b2[0]?.startLine, before.length);
});

void test('a resumed swap logs no "Swap type:" line: swap-resumed', () => {
  const lines = log(`
    *** Booting MCUboot v2.1.0 ***
    I: Starting bootloader
    I: Primary image: magic=bad, swap_type=0x1, copy_done=0x3, image_ok=0x3
    I: Scratch: magic=good, swap_type=0x2, copy_done=0x3, image_ok=0x3
    I: Boot source: scratch
    I: Starting swap using scratch algorithm.
    I: Bootloader chainload address offset: 0x20000
    I: Image version: v1.1.0
    I: Jumping to the first image slot
  `);
  const [b] = mcubootParser.parse(lines);
  assert.equal(b?.event, 'swap-resumed');
  assert.equal(b?.slot, 'primary');
  assert.equal(b?.version, '1.1.0', "the bootloader's 'Image version: v1.1.0' when the app prints none");
  assert.equal(b?.complete, false, 'the app has not printed anything yet');
});

void test('an unconfirmed trial followed by "Swap type: revert": trial, then revert to the old version', () => {
  const lines = [
    ...BOOT('I: Image index: 0, Swap type: test', ['Firmware version 1.1.0', 'uart:~$ reboot']),
    ...BOOT('I: Image index: 0, Swap type: revert', ['[00:00:00.012,000] <inf> app: Firmware version 1.0.0']),
  ];
  const s = summarize('mcuboot', lines);
  assert.deepEqual(
    s.boots.map((b) => [b.event, b.version]),
    [['trial', '1.1.0'], ['revert', '1.0.0']],
  );
  assert.deepEqual(s.final, { slot: 'primary', event: 'revert', version: '1.0.0' });
  assert.ok(s.boots[1]?.evidence.some((i) => /Swap type: revert/.test(lines[i] ?? '')), 'evidence quotes the swap type line');
});

void test('an invalid secondary image is rejected and the old one kept: rollback', () => {
  const lines = BOOT('I: Image index: 0, Swap type: test', ['Firmware version 1.0.0']);
  lines.splice(5, 0, 'E: Image in the secondary slot is not valid!');
  assert.deepEqual(final('mcuboot', lines), { slot: 'primary', event: 'rollback', version: '1.0.0' });
});

void test('"Unable to find bootable image": slot none, brick', () => {
  const lines = log(`
    *** Booting MCUboot v2.1.0 ***
    I: Starting bootloader
    I: Primary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3
    I: Boot source: primary slot
    I: Image index: 0, Swap type: none
    E: Unable to find bootable image
  `);
  const [b] = mcubootParser.parse(lines);
  assert.deepEqual([b?.slot, b?.event, b?.complete], ['none', 'brick', true]);
});

void test('an app crash is a note on an otherwise unchanged boot; the same crash three times is a boot loop', () => {
  const crash = ['[00:00:00.012,000] <inf> app: Firmware version 1.2.0-crash', '[00:00:00.042,000] <err> os: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0', '[00:00:00.042,000] <err> os: Resetting system'];
  const one = mcubootParser.parse(BOOT('I: Image index: 0, Swap type: test', crash));
  assert.equal(one[0]?.event, 'trial');
  assert.equal(one[0]?.version, '1.2.0-crash');
  assert.equal(one[0]?.complete, true);
  assert.ok(one[0]?.notes.includes('app crashed: ZEPHYR FATAL ERROR'), JSON.stringify(one[0]?.notes));

  const loop = [1, 2, 3].flatMap(() => BOOT('I: Image index: 0, Swap type: none', crash));
  assert.deepEqual(final('mcuboot', loop), { slot: 'none', event: 'brick', version: '1.2.0-crash' });
  // Two crashes are not yet a loop.
  assert.equal(final('mcuboot', loop.slice(0, (loop.length * 2) / 3)).event, 'normal');
});

void test('a capture that ends inside the bootloader is incomplete; once the bootloader decided, the slot is primary', () => {
  const lines = BOOT('I: Image index: 0, Swap type: test').slice(0, 5);
  const [b] = mcubootParser.parse(lines);
  assert.equal(b?.complete, false);
  assert.equal(b?.slot, 'primary', 'swap modes run the primary slot whatever they decided');
  assert.equal(b?.event, 'trial', 'the bootloader already decided');
  // Before any decision: nothing is known.
  const [early] = mcubootParser.parse(lines.slice(0, 2));
  assert.deepEqual([early?.slot, early?.event, early?.complete], [null, 'unknown', false]);
});

void test('NCS prints "*** Booting … ***" for bootloader and app; the Espressif port has vendor prefixes', () => {
  const ncs = log(`
    *** Booting nRF Connect SDK v2.5.2 ***
    I: Starting bootloader
    I: Primary image: magic=good, swap_type=0x1, copy_done=0x1, image_ok=0x1
    I: Image index: 0, Swap type: none
    I: Bootloader chainload address offset: 0xc000
    *** Booting nRF Connect SDK v2.5.2 ***
    Version: 2.0.0+3, board: nrf5340dk
    *** Booting nRF Connect SDK v2.5.2 ***
    I: Starting bootloader
    I: Primary image: magic=good, swap_type=0x1, copy_done=0x1, image_ok=0x1
    I: Image index: 0, Swap type: none
    I: Bootloader chainload address offset: 0xc000
    *** Booting nRF Connect SDK v2.5.2 ***
    Version: 2.0.0+3, board: nrf5340dk
  `);
  const boots = mcubootParser.parse(ncs);
  assert.deepEqual(boots.map((b) => [b.startLine, b.version]), [[0, '2.0.0+3'], [7, '2.0.0+3']]);

  const esp = log(`
    [Jun 25 20:14:54.126] [esp32s3] [INF] *** Booting MCUboot build v2.1.0-133-g33de65ce ***
    [Jun 25 20:14:54.127] [esp32s3] [INF] Image index: 0, Swap type: perm
    [Jun 25 20:14:54.128] [esp32s3] [INF] Starting swap using scratch algorithm.
    [Jun 25 20:14:54.129] [esp32s3] [INF] Loading image 0 - slot 0 from flash, area id: 1
    [Jun 25 20:14:54.130] Firmware version 3.0.0
  `);
  assert.deepEqual(final('mcuboot', esp), { slot: 'primary', event: 'swap', version: '3.0.0' });
});
