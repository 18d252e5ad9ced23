// Signed updates, as the Arduino core's Updater does them when a sketch is built with a public
// key: the image is followed by its signature and a u32 signature length. The simulator signs
// with a fixed test key (ECDSA P-256 over SHA-256); it guards nothing and is no secret.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { SimDeviceConfig } from '../../stack.ts';

/** Whether the board's firmware is built with a public key (the rig's firmware.signed; on unless it says not). */
export const signedBuild = (config: Pick<SimDeviceConfig, 'firmware'>): boolean => config.firmware?.signed !== false;

const TEST_KEY = {
  kty: 'EC',
  crv: 'P-256',
  x: 'AQ-IU5Qf00oDH2y9sO0dac4Iwy8xCBxjiTM1oZKYu_A',
  y: 'mtsHaArqHkA6xjk3_EazCTvj4DBlURxU-JMeo3W4DMg',
  d: 'lv0WK2Z-Q5wRZ_lpRj7kJqqUztKJfzA0bfLIJXypALM',
} as const;

/** r || s, 32 bytes each: a fixed length, so the trailer is always the same size. */
export const SIGNATURE_LEN = 64;

let keys: { priv: KeyObject; pub: KeyObject } | null = null;
function keyPair() {
  keys ??= {
    priv: createPrivateKey({ key: TEST_KEY, format: 'jwk' }),
    pub: createPublicKey({ key: { kty: TEST_KEY.kty, crv: TEST_KEY.crv, x: TEST_KEY.x, y: TEST_KEY.y }, format: 'jwk' }),
  };
  return keys;
}

/** What signing.py does at build time: bin || signature || u32 length (little-endian). */
export function appendSignature(bin: Uint8Array): Uint8Array {
  const sig = sign('sha256', bin, { key: keyPair().priv, dsaEncoding: 'ieee-p1363' });
  const out = new Uint8Array(bin.length + sig.length + 4);
  out.set(bin);
  out.set(sig, bin.length);
  new DataView(out.buffer).setUint32(bin.length + sig.length, sig.length, true);
  return out;
}

/** The sketch's compiled-in verifier. */
export function verifySignature(data: Uint8Array, sig: Uint8Array): boolean {
  try {
    return verify('sha256', data, { key: keyPair().pub, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return false;
  }
}
