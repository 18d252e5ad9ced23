// SHA-256 for simulated firmware checking images in flash. A sweep's forks check the same images
// over and over (every boot validates the primary slot), so digests of large inputs are kept with
// a copy of the input: a byte compare (memcmp) costs a tenth of the hash, and a hit is exact.
import { createHash } from 'node:crypto';

const MIN = 4096;
const MAX_BYTES = 4 * 1024 * 1024;
const cache = new Map<string, { bytes: Uint8Array; digest: Uint8Array }[]>();
let held = 0;

export function sha256(data: Uint8Array): Uint8Array {
  if (data.length < MIN) return createHash('sha256').update(data).digest();
  const key = sampleKey(data);
  const bucket = cache.get(key);
  const hit = bucket?.find((e) => Buffer.compare(e.bytes, data) === 0);
  if (hit) return hit.digest.slice();
  const digest = createHash('sha256').update(data).digest();
  const list = bucket ?? [];
  list.push({ bytes: data.slice(), digest: digest.slice() });
  cache.delete(key);
  cache.set(key, list); // most recent last
  held += data.length;
  for (const [k, l] of cache) {
    if (held <= MAX_BYTES) break;
    cache.delete(k);
    for (const e of l) held -= e.bytes.length;
  }
  return digest;
}

/** Length and a few spread words: picks the bucket; the compare decides. */
function sampleKey(data: Uint8Array): string {
  let h = data.length | 0;
  const step = Math.max(1, Math.floor(data.length / 256));
  for (let i = 0; i < data.length; i += step) h = Math.imul(h ^ data[i]!, 0x01000193);
  return `${data.length}.${h >>> 0}`;
}
