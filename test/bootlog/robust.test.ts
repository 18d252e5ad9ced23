// Garbage, binary, truncated and mixed input never makes a parser throw, and garbage never
// yields a slot. Plus line normalization and the two simulator-defined formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StackName } from '../../harness/rig/schema.ts';
import { readFileSync } from 'node:fs';
import { BOOT_EVENTS, type Boot } from '../../harness/bootlog/boot.ts';
import { decodeConsole, keywordVersion, splitLines, trailingVersion } from '../../harness/bootlog/lines.ts';
import { formatLine } from '../../harness/bootlog/format.ts';
import { detectStack, parsers, stackNames, summarize } from '../../harness/bootlog/registry.ts';
import { final, log } from './helpers.ts';
import { loadCorpus } from './corpus-score.ts';

/** Deterministic bytes (xorshift32) so a failure reproduces. */
function noise(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function checkBoots(boots: Boot[], n: number, what: string): void {
  let last = -1;
  boots.forEach((b, i) => {
    assert.equal(b.index, i, what);
    assert.ok(b.startLine > last && b.startLine <= b.endLine && b.endLine < n, `${what}: boot ${i} range ${b.startLine}-${b.endLine}`);
    last = b.endLine;
    assert.ok((BOOT_EVENTS as readonly string[]).includes(b.event), `${what}: event ${b.event}`);
    assert.equal(typeof b.complete, 'boolean');
    for (const e of b.evidence) assert.ok(Number.isInteger(e) && e >= 0 && e < n, `${what}: evidence ${e}`);
  });
}

void test('random bytes: every parser returns no slot and an unknown final verdict, and nothing throws', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const lines = splitLines(decodeConsole(noise(seed, 4000 + seed * 97)));
    assert.equal(detectStack(lines), null, `seed ${seed}`);
    for (const stack of stackNames) {
      const s = summarize(stack, lines);
      checkBoots(s.boots, lines.length, `${stack} seed ${seed}`);
      assert.deepEqual(s.final, { slot: null, event: 'unknown', version: null }, `${stack} seed ${seed}`);
    }
  }
});

void test('degenerate input: empty, blank, huge line, NULs, holes in the array', () => {
  const huge = 'x'.repeat(2_000_000);
  const holey = ['I: Starting bootloader'] as string[];
  holey[5] = 'I: Jumping to the first image slot';
  const inputs: string[][] = [[], [''], ['   ', '\t'], [huge], ['\0\0\0', '\x1b[0;32mI (27) boot: \x1b[0m'], holey, [undefined as unknown as string]];
  for (const lines of inputs) {
    for (const stack of stackNames) {
      const p = parsers[stack];
      assert.doesNotThrow(() => p?.parse(lines), stack);
      assert.doesNotThrow(() => p?.detect(lines), stack);
      checkBoots(p?.parse(lines) ?? [], lines.length, stack);
    }
  }
  assert.deepEqual(summarize('mcuboot', []).final, { slot: null, event: 'unknown', version: null });
});

const samples = loadCorpus();

void test('every prefix of every corpus log (cut mid-line too) parses without throwing, with sane boots', () => {
  assert.ok(samples.length > 0);
  for (const { id, file } of samples) {
    const bytes = readFileSync(file);
    const step = Math.max(7, Math.ceil(bytes.length / 40));
    for (let cut = 0; cut <= bytes.length; cut += step) {
      const text = decodeConsole(bytes.subarray(0, cut));
      const lines = splitLines(text);
      for (const stack of stackNames) {
        const boots = parsers[stack]?.parse(lines) ?? [];
        checkBoots(boots, lines.length, `${id} cut ${cut} as ${stack}`);
        // A version is always one the cut input prints (a prefix never invents the rest).
        for (const b of boots) if (b.version) assert.ok(text.includes(b.version.split(' ').pop() ?? b.version), `${id} cut ${cut} as ${stack}: version ${b.version} not in the input`);
      }
    }
  }
});

void test('mixed input: two stacks in one capture and binary noise between boots', () => {
  const mcuboot = log(`
    I: Starting bootloader
    I: Image index: 0, Swap type: none
    I: Bootloader chainload address offset: 0x20000
    I: Jumping to the first image slot
    Firmware version 1.0.0
  `);
  const junk = splitLines(decodeConsole(noise(7, 600)));
  const lines = [...junk, ...mcuboot, ...junk, ...mcuboot];
  assert.equal(detectStack(lines), 'mcuboot');
  const s = summarize('mcuboot', lines);
  assert.equal(s.boots.length, 2);
  assert.deepEqual(s.final, { slot: 'primary', event: 'normal', version: '1.0.0' });
  // The wrong parser on this capture must not invent a slot.
  for (const stack of ['esp-idf', 'rboot', 'esp8266-arduino', 'zerynth', 'particle'] as const) assert.equal(final(stack, lines).slot, null, stack);
});

void test('format layer: stamps, colours, RTT, quotes and indentation peeled; level and tag recorded', () => {
  const f = (raw: string) => {
    const l = formatLine(raw);
    return [l.text, l.level, l.tag];
  };
  assert.deepEqual(f('[Jun 25 20:14:54.126] rBoot v1.2.1 - richardaburton@gmail.com'), ['rBoot v1.2.1 - richardaburton@gmail.com', null, null]);
  assert.deepEqual(f('> > [esp32s3] [INF] Image index: 0, Swap type: perm'), ['Image index: 0, Swap type: perm', 'I', null]);
  assert.deepEqual(f('\x1b[0;32mI (288) boot: Loaded app from partition at offset 0x1d0000\x1b[0m\r'), ['Loaded app from partition at offset 0x1d0000', 'I', 'boot']);
  assert.deepEqual(f('\u241b[0;32mI (288) boot: Loaded app\u241b[0m'), ['Loaded app', 'I', 'boot'], 'printed ESC renderings');
  assert.deepEqual(f('[0;33mW (12) boot: bad[0m'), ['bad', 'W', 'boot'], 'ESC byte lost in a paste');
  assert.deepEqual(f('[00:00:00.004,000] <inf> mcuboot: Starting bootloader'), ['Starting bootloader', 'I', 'mcuboot']);
  assert.deepEqual(f('00> [00:00:00.004,000] <wrn> mcuboot: Swap type: test'), ['Swap type: test', 'W', 'mcuboot'], 'RTT channel');
  assert.deepEqual(f('00> I: Swap type: test'), ['Swap type: test', 'I', null]);
  assert.deepEqual(f('19:38:35.755 > I (5409) esp_ota_ops: Rollback'), ['Rollback', 'I', 'esp_ota_ops']);
  assert.deepEqual(f('[Mar 03 12:01:33.120] W (12) boot: x'), ['x', 'W', 'boot']);
  assert.deepEqual(f('I (12:01:33.120) app_init: App version:      1.0.0'), ['App version:      1.0.0', 'I', 'app_init']);
  assert.deepEqual(f('0000012345 [system] INFO: Device OS 5.5.0'), ['Device OS 5.5.0', 'I', 'system']);
  assert.deepEqual(f('[    0.123456] [INF] Starting bootloader'), ['Starting bootloader', 'I', null]);
  assert.deepEqual(f('esp_main.c:172          switch1 2.0.1 (x)'), ['switch1 2.0.1 (x)', null, 'esp_main.c']);
  assert.deepEqual(f('I (123) esp_main.c:172   switch1 2.0.1 (x)'), ['switch1 2.0.1 (x)', 'I', 'esp_main.c']);
  assert.deepEqual(f('\tI: \0Jumping to the first image slot'), ['Jumping to the first image slot', 'I', null]);
  assert.deepEqual(f('    uart:~$ *** Booting Zephyr OS build v3.2.99 ***'), ['*** Booting Zephyr OS build v3.2.99 ***', null, null]);
  assert.deepEqual(f('   0.169s  I (279) boot:  4 ota_0            OTA app          00 10 00030000 00020000'), ['4 ota_0            OTA app          00 10 00030000 00020000', 'I', 'boot']);
  // Lines that only look like wrappers stay as they are.
  assert.deepEqual(f('pbl: Particle bootloader'), ['pbl: Particle bootloader', null, null]);
  assert.deepEqual(f('e:3'), ['e:3', null, null]);
  assert.ok(formatLine('[00:00:00.004,000] <inf> mcuboot: x').wrappers.includes('zephyr-timestamp'));
  assert.equal(formatLine('[00:00:00.004,000] <inf> mcuboot: x').stamp, '[00:00:00.004,000]');
  assert.equal(decodeConsole(new Uint8Array([0x41, 0xff, 0x42])), 'A\u00ffB', 'invalid UTF-8 falls back to latin1');
});

void test('a last boot is complete only once the app is up (its version visible), not at the kernel banner', () => {
  const cases: [StackName, string[], number][] = [
    ['mcuboot', ['I: Starting bootloader', 'I: Image index: 0, Swap type: none', 'I: Jumping to the first image slot', '*** Booting Zephyr OS build v3.7.0 ***', '<inf> app: Firmware version 1.1.0'], 4],
    ['esp-idf', ['I (27) boot: ESP-IDF v5.3 2nd stage bootloader', 'I (287) boot: Loaded app from partition at offset 0x20000', 'I (449) cpu_start: Pro cpu start user code', 'I (449) app_init: Application information:', 'I (453) app_init: App version:      1.1.0', 'I (562) main_task: Calling app_main()', 'I (570) app: running partition ota_0, state ESP_OTA_IMG_PENDING_VERIFY'], 6],
    ['mongoose-os', ['rBoot v1.2.1 - richardaburton@gmail.com', 'Booting rom 0 (0x8000).', 'esp_main.c:172          switch1 2.0.1 (20200517-133521/2.0.1-gb343c96-master)', 'esp_main.c:174          Mongoose OS 2.17.0 (20200517-133521/2.17.0-gc31a745)'], 3],
  ];
  for (const [stack, lines, upAt] of cases) {
    for (let n = 1; n <= lines.length; n++) {
      const s = summarize(stack, lines.slice(0, n));
      const last = s.boots.at(-1);
      assert.equal(last?.complete, n > upAt, `${stack} after ${n} lines: ${JSON.stringify(last)}`);
      if (last?.complete) assert.notEqual(last.version, null, stack);
    }
  }
});

void test('version extraction: app versions yes; IP addresses, SDK, OS and bootloader versions no', () => {
  assert.equal(trailingVersion('Arduino OTA Test 1.0.1'), '1.0.1');
  assert.equal(trailingVersion('IP address: 192.168.1.62'), null);
  assert.equal(trailingVersion('SDK:2.2.1(cfd48f3)/Core:2.4.2'), null);
  assert.equal(keywordVersion('Version: 0.0.0+0, board: nrf9160dk_nrf9160'), '0.0.0+0');
  assert.equal(keywordVersion('<inf> app: Firmware version 1.2.0-crash'), '1.2.0-crash');
  assert.equal(keywordVersion('Image version: v1.1.0'), null);
  assert.equal(keywordVersion('SDK version:2.2.1'), null);
  assert.equal(keywordVersion('Zephyr version 3.7.0'), null);
  // A sketch that prints its address before its banner still gets the banner's version.
  const lines = [' ets Jan  8 2013,rst cause:2, boot mode:(3,6)', '~ld', 'IP address: 10.0.0.2', 'Sketch 2.3.4'];
  assert.equal(final('esp8266-arduino', lines).version, '2.3.4');
});

void test('Zerynth-style simulator format: testing mode, then restoring previous firmware', () => {
  const lines = log(`
    zbl: Zerynth bootloader
    zbl: boot bytecode slot 0, vm slot 0
    zapp: version 1.0.0
    zfota: attempt bytecode slot 1
    zbl: Zerynth bootloader
    zbl: testing mode
    zbl: boot bytecode slot 1, vm slot 0
    zapp: version 1.1.0
    zbl: Zerynth bootloader
    zbl: restoring previous firmware
    zbl: boot bytecode slot 0, vm slot 0
    zapp: version 1.0.0
    zbl: Zerynth bootloader
    zbl: resuming firmware swap
  `);
  const s = summarize('zerynth', lines);
  assert.deepEqual(
    s.boots.map((b) => [b.slot, b.event, b.version, b.complete]),
    [
      ['bc0', 'normal', '1.0.0', true],
      ['bc1', 'trial', '1.1.0', true],
      ['bc0', 'revert', '1.0.0', true],
      [null, 'unknown', null, false],
    ],
  );
  assert.equal(detectStack(lines), 'zerynth');
  assert.deepEqual(final('zerynth', ['zbl: Zerynth bootloader', 'zbl: no valid firmware']), { slot: 'none', event: 'brick', version: null });
});

void test('Particle-style simulator format: module applied is a swap; safe mode is slot safe-mode, event brick', () => {
  const lines = log(`
    pbl: Particle bootloader
    sys: Device OS 5.5.0
    sys: user firmware running
    app: version 1.0.0
    sys: firmware_update begin
    sys: firmware_update complete
    pbl: Particle bootloader
    pbl: applying OTA module
    sys: Device OS 5.5.0
    sys: user firmware running
    app: version 1.1.0
    pbl: Particle bootloader
    sys: Device OS 5.5.0
    sys: safe mode
  `);
  const s = summarize('particle', lines);
  assert.deepEqual(
    s.boots.map((b) => [b.slot, b.event, b.version]),
    [
      ['user', 'normal', '1.0.0'],
      ['user', 'swap', '1.1.0'],
      ['safe-mode', 'brick', null],
    ],
  );
  assert.ok(s.boots[2]?.notes.some((n) => /recoverable/.test(n)));
  assert.equal(detectStack(lines), 'particle');
});
