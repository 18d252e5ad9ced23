// The ESP image checksum (ROM 'csum': seed 0xEF, XOR of every segment byte), shared by the simulated
// stacks that boot ESP images (ESP-IDF, ESP8266 Arduino, Mongoose OS) and rBoot's config sector.
// A word at a time: every simulated boot checks its slots, so this runs over whole images.

/** `sum` XOR every byte of `b`, as a byte. */
export function xorBytes(b: Uint8Array, sum: number): number {
  // Words only where the bytes start on a word (a flash read does); else byte by byte.
  const n = b.byteOffset % 4 === 0 ? b.length >> 2 : 0;
  let w = 0;
  if (n) {
    const words = new Uint32Array(b.buffer, b.byteOffset, n);
    for (let i = 0; i < n; i++) w ^= words[i]!;
  }
  sum ^= (w ^ (w >>> 8) ^ (w >>> 16) ^ (w >>> 24)) & 0xff;
  for (let i = n * 4; i < b.length; i++) sum ^= b[i]!;
  return sum & 0xff;
}
