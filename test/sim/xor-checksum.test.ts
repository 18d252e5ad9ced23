// The ESP image checksum a word at a time gives what the ROM's byte loop gives, at any length and
// alignment. Images are built and checked with the same function, so only this catches it wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { xorBytes } from '../../harness/sim/xor-checksum.ts';

test('xorBytes: the byte-by-byte XOR from the seed, for every length 0-40 and offset 0-3', () => {
  const data = new Uint8Array(randomBytes(4096));
  for (let off = 0; off < 4; off++) {
    for (const len of [...Array.from({ length: 41 }, (_, i) => i), 1023, 4092]) {
      const b = data.subarray(off, off + len);
      let want = 0xef;
      for (const x of b) want ^= x;
      assert.equal(xorBytes(b, 0xef), want, `offset ${off}, length ${len}`);
    }
  }
  assert.equal(xorBytes(Uint8Array.of(0x01, 0x02, 0x04, 0x08, 0x10), 0xef), 0xef ^ 0x1f);
});
