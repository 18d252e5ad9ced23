// On-flash structures of the simulated ESP-IDF board checked against known values: the otadata crc
// (esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4)), entry layout and selection rules, the partition
// table and its printout, and the ESP image checksum and hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OtaState, activeOtadata, crc32Le, decodeEntry, encodeEntry, newEntry, seqCrc, selectInvalid, selectValid, type OtaEntry } from '../../harness/sim/stacks/esp-idf/otadata.ts';
import { encodeTable, readTable, tableRow, PART_TYPE, PART_SUBTYPE } from '../../harness/sim/stacks/esp-idf/partition-table.ts';
import { verifyImage, segmentLine } from '../../harness/sim/stacks/esp-idf/image.ts';
import { buildAppImage, readAppInfo } from '../../harness/sim/stacks/esp-idf/app-desc.ts';
import { layoutFor } from '../../harness/sim/stacks/esp-idf/layout.ts';

const mem = (bytes: Uint8Array, base = 0) => ({ read: (a: number, n: number) => bytes.slice(a - base, a - base + n) });

test('otadata crc: the ROM crc32_le with UINT32_MAX over ota_seq only (seq 1 → 0x4743989a, seq 2 → 0x55f63774)', () => {
  assert.equal(crc32Le(0, new TextEncoder().encode('123456789')), 0xcbf43926, 'crc32_le(0, …) is the standard CRC-32');
  assert.equal(seqCrc(1), 0x4743989a);
  assert.equal(seqCrc(2), 0x55f63774);
  const e = newEntry(1, OtaState.NEW);
  assert.equal({ ...e, state: OtaState.VALID }.crc, e.crc, 'a state change keeps the crc');
});

test('otadata entry layout: u32 seq, 20-byte label, u32 state, u32 crc, little endian', () => {
  const raw = encodeEntry(newEntry(2, OtaState.PENDING_VERIFY));
  assert.equal(raw.length, 32);
  assert.deepEqual([...raw.subarray(0, 4)], [2, 0, 0, 0]);
  assert.ok(raw.subarray(4, 24).every((b) => b === 0xff), 'seq_label stays erased');
  assert.deepEqual([...raw.subarray(24, 28)], [1, 0, 0, 0]);
  assert.deepEqual([...raw.subarray(28, 32)], [0x74, 0x37, 0xf6, 0x55]);
  assert.deepEqual(decodeEntry(raw), newEntry(2, OtaState.PENDING_VERIFY));
});

test('otadata selection: the highest valid seq wins; bad crc, INVALID and ABORTED never count; "invalid" ignores the crc', () => {
  const rules = { checkCrc: true };
  const e = (seq: number, state: number, crc?: number): OtaEntry => ({ ...newEntry(seq, state), ...(crc === undefined ? {} : { crc }) });
  const blank = decodeEntry(new Uint8Array(32).fill(0xff));
  assert.equal(activeOtadata([e(1, OtaState.VALID), e(2, OtaState.NEW)], rules), 1);
  assert.equal(activeOtadata([e(3, OtaState.VALID), e(2, OtaState.VALID)], rules), 0);
  assert.equal(activeOtadata([e(1, OtaState.VALID), e(2, OtaState.ABORTED)], rules), 0);
  assert.equal(activeOtadata([e(1, OtaState.VALID), e(2, OtaState.NEW, 0x1234)], rules), 0, 'a torn entry loses');
  assert.equal(activeOtadata([blank, blank], rules), -1);
  assert.equal(activeOtadata([e(1, OtaState.VALID), e(2, OtaState.NEW, 0x1234)], { checkCrc: false }), 1, 'the crc-not-checked mutant believes it');
  assert.equal(selectInvalid(e(5, OtaState.UNDEFINED, 0x1234)), false, 'bootloader_common_ota_select_invalid does not look at the crc');
  assert.equal(selectValid(e(5, OtaState.UNDEFINED, 0x1234), rules), false);
  assert.equal(selectInvalid(blank) && selectInvalid(e(1, OtaState.INVALID)), true);
});

test('partition table: gen_esp32part format with MD5, rows printed exactly as the bootloader does', () => {
  const parts = layoutFor({}).table;
  const raw = encodeTable(parts);
  assert.deepEqual([...raw.subarray(0, 4)], [0xaa, 0x50, PART_TYPE.DATA, PART_SUBTYPE.NVS]);
  const read = readTable(mem(raw, 0x8000), 0x8000, 0x100000);
  assert.ok(read.ok);
  assert.deepEqual(read.parts, parts);
  // The row from a real ESP32 log (bootlogs/espidf-09.log).
  assert.equal(tableRow(0, parts[0]!), ' 0 nvs              WiFi data        01 02 00009000 00004000');
  assert.equal(tableRow(3, parts[3]!), ' 3 factory          factory app      00 00 00010000 00020000');
  raw[12] = 0x66;
  const bad = readTable(mem(raw, 0x8000), 0x8000, 0x100000);
  assert.deepEqual(bad, { ok: false, error: 'Incorrect MD5 checksum' });
});

test('ESP image: magic 0xE9, checksum and appended SHA-256 verify; any flipped byte is caught; the app descriptor reads back', () => {
  const img = buildAppImage({ version: '1.2.3', boot: 'crash', confirm: 'self', size: 4096 }, {});
  assert.equal(img[0], 0xe9);
  assert.equal((img.length - 32) % 16, 0, 'padded to 16 bytes before the hash');
  const ok = verifyImage(mem(img), 0, 0x20000, { mode: 'load' });
  assert.ok(ok.ok);
  assert.equal(segmentLine(ok.segments[0]!, 'load'), 'segment 0: paddr=00000020 vaddr=3f400020 size=00664h (  1636) map');
  assert.equal(segmentLine(ok.segments[1]!, 'verify'), 'segment 1: paddr=0000068c vaddr=3ffb0000 size=00198h (   408) ');
  const info = readAppInfo(mem(img), 0);
  assert.deepEqual([info?.desc.version, info?.desc.project, info?.sim], ['1.2.3', 'ota_hil_sim', { boot: 'crash', confirm: 'self' }]);
  for (const at of [0, 1, 2, 24, 40, 300, 2000, img.length - 40, img.length - 33, img.length - 1]) {
    const bad = img.slice();
    bad[at]! ^= 0x10;
    const r = verifyImage(mem(bad), 0, 0x20000, { mode: 'verify' });
    assert.equal(r.ok, false, `byte ${at} flipped`);
  }
  const noHash = img.slice();
  noHash[2000]! ^= 0x10;
  assert.match((verifyImage(mem(noHash), 0, 0x20000, { mode: 'verify' }) as { error: string }).error, /^Checksum failed\. Calculated 0x[0-9a-f]+ read 0x[0-9a-f]+$/);
  assert.ok(verifyImage(mem(noHash), 0, 0x20000, { mode: 'verify', skipIntegrity: true }).ok, 'what the no-image-verify mutant sees');
});
