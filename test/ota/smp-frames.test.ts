// SMP framing against fixtures built from the protocol documents (SMP header layout, "SMP over
// console", CRC16-CCITT with seed 0 whose check value for "123456789" is 0x31C3), and CBOR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmpDeframer, crc16Ccitt, decodeSmp, encodeSmp, frameSmp, MAX_FRAME } from '../../harness/ota/proto/smp.ts';
import { decodeCbor, encodeCbor } from '../../harness/ota/proto/cbor.ts';

const line = (l: Uint8Array) => Buffer.from(l).toString('latin1');

test('CRC16-CCITT check value', () => {
  assert.equal(crc16Ccitt(Buffer.from('123456789')), 0x31c3);
});

test('echo request: 8-byte header, CBOR {"d":"hi"}, one console frame', () => {
  const pkt = encodeSmp({ op: 2, group: 0, id: 0, seq: 0 }, { d: 'hi' });
  assert.deepEqual([...pkt], [0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0xa1, 0x61, 0x64, 0x62, 0x68, 0x69]);
  assert.deepEqual(frameSmp(pkt).map(line), ['\x06\x09ABACAAAGAAAAAKFhZGJoaQkX']);
});

test('image state read (group 1, id 0, seq 7) with an empty map', () => {
  const pkt = encodeSmp({ op: 0, group: 1, id: 0, seq: 7 }, {});
  assert.deepEqual(frameSmp(pkt).map(line), ['\x06\x09AAsAAAABAAEHAKADbg==']);
  const d = new SmpDeframer();
  let got: Uint8Array | null = null;
  assert.equal(d.push('\x06\x09AAsAAAABAAEHAKADbg==\r', (p) => (got = p)), true);
  assert.deepEqual(decodeSmp(got!), { header: { op: 0, version: 0, flags: 0, len: 1, group: 1, seq: 7, id: 0 }, body: {} });
});

test('a large upload packet: lines of at most 127 bytes, continuation markers, CRC never split', () => {
  for (const size of [80, 89, 90, 91, 92, 93, 200, 513, 1000]) {
    const pkt = encodeSmp({ op: 2, group: 1, id: 1, seq: 3 }, { off: 0, data: new Uint8Array(size).map((_, i) => i & 0xff) });
    const lines = frameSmp(pkt);
    lines.forEach((l, i) => {
      assert.ok(l.length + 1 <= MAX_FRAME, `line ${i} of ${size}: ${l.length + 1} bytes`);
      assert.deepEqual([...l.subarray(0, 2)], i === 0 ? [0x06, 0x09] : [0x04, 0x14]);
      if (i < lines.length - 1) assert.equal((l.length - 2) % 4, 0);
      if (i < lines.length - 1) assert.ok(!line(l).includes('='), 'only the last frame is padded');
    });
    const last = Buffer.from(line(lines.at(-1)!).slice(2), 'base64');
    assert.ok(last.length >= 2, 'the CRC is whole in the last frame');
    const d = new SmpDeframer();
    let out: Uint8Array | null = null;
    for (const l of lines) d.push(l, (p) => (out = p));
    assert.deepEqual(out, pkt, `round trip of ${size}`);
  }
});

test('corrupt frames are consumed but dropped', () => {
  const [l] = frameSmp(encodeSmp({ op: 2, group: 0, id: 0, seq: 1 }, { d: 'x' }));
  const bad = Buffer.from(l!);
  bad[5] = bad[5] === 0x41 ? 0x42 : 0x41;
  const errors: string[] = [];
  assert.equal(new SmpDeframer().push(bad, () => assert.fail('no packet'), (e) => errors.push(e)), true);
  assert.deepEqual(errors, ['CRC mismatch']);
  assert.equal(new SmpDeframer().push('uart:~$ help', () => undefined), false);
});

test('CBOR: the values SMP uses, indefinite maps as zcbor emits them', () => {
  const v = { rc: 0, off: 70000, images: [{ slot: 1, hash: Uint8Array.of(1, 2), pending: true, version: '1.2.3' }], n: -5 };
  assert.deepEqual(decodeCbor(encodeCbor(v)), v);
  assert.deepEqual([...encodeCbor({ off: 24 })], [0xa1, 0x63, 0x6f, 0x66, 0x66, 0x18, 0x18]);
  assert.deepEqual(decodeCbor(Uint8Array.of(0xbf, 0x62, 0x72, 0x63, 0x00, 0xff)), { rc: 0 });
  assert.deepEqual(decodeCbor(Uint8Array.of(0xf9, 0x3c, 0x00)), 1);
});
