// The simulated Zerynth firmware file: a 64-byte header (magic "ZFW1", sizes, version, SHA-256
// over header and body) and a body whose start describes what the simulated firmware does.
import { createHash } from 'node:crypto';
import type { ImageBuild } from '../../stack.ts';
import { fillNoise, mulberry32 } from '../../flash.ts';

const MAGIC = Buffer.from('ZFW1', 'latin1');
export const HEADER_SIZE = 64;
const MARKER = Buffer.from('OTAHIL-ZAPP\0', 'latin1');
export const DEFAULT_BODY_SIZE = 40000;

export interface AppInfo {
  version: string;
  boot: 'ok' | 'crash' | 'hang';
  confirm: 'self' | 'wait';
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

export function buildImage(build: ImageBuild, maxSize: number): Uint8Array {
  const info: AppInfo = { version: build.version, boot: build.boot ?? 'ok', confirm: build.confirm ?? 'wait' };
  const size = build.size ?? DEFAULT_BODY_SIZE;
  const meta = Buffer.from(MARKER.toString('latin1') + JSON.stringify(info) + '\0', 'utf8');
  if (Buffer.byteLength(build.version) > 15) throw new Error(`zerynth image: version '${build.version}' is longer than 15 bytes`);
  if (meta.length > size) throw new Error(`zerynth image ${build.version}: body size ${size} is smaller than its ${meta.length}-byte descriptor`);
  if (HEADER_SIZE + size > maxSize) throw new Error(`zerynth image ${build.version}: ${HEADER_SIZE + size} bytes do not fit the ${maxSize}-byte slot`);
  const img = new Uint8Array(HEADER_SIZE + size);
  const dv = new DataView(img.buffer);
  img.set(MAGIC, 0);
  dv.setUint32(4, HEADER_SIZE, true);
  dv.setUint32(8, size, true);
  img.set(Buffer.from(build.version, 'utf8'), 16);
  img.set(meta, HEADER_SIZE);
  fillNoise(img.subarray(HEADER_SIZE + meta.length), mulberry32(hashString(build.version) ^ size));
  img.set(digest(img), 32);
  return img;
}

function digest(img: Uint8Array): Uint8Array {
  return createHash('sha256').update(img.subarray(0, 32)).update(img.subarray(HEADER_SIZE)).digest();
}

export type ImageCheck = { ok: true; size: number; version: string } | { ok: false; erased: boolean; reason: string };

/** Header sane and SHA-256 matching: what the app checks before rebooting and the bootloader before swapping or jumping. */
export function checkImage(flash: Reader, off: number, maxSize: number): ImageCheck {
  const h = flash.read(off, HEADER_SIZE);
  if (h.every((b) => b === 0xff)) return { ok: false, erased: true, reason: 'empty' };
  const fail = (reason: string): ImageCheck => ({ ok: false, erased: false, reason });
  if (!Buffer.from(h.subarray(0, 4)).equals(MAGIC)) return fail('no firmware header');
  const dv = new DataView(h.buffer);
  const body = dv.getUint32(8, true);
  if (dv.getUint32(4, true) !== HEADER_SIZE || body > maxSize - HEADER_SIZE) return fail('bad header sizes');
  const img = flash.read(off, HEADER_SIZE + body);
  if (!Buffer.from(digest(img)).equals(Buffer.from(h.subarray(32, 64)))) return fail('integrity check failed (sha256)');
  const end = h.indexOf(0, 16);
  return { ok: true, size: HEADER_SIZE + body, version: Buffer.from(h.subarray(16, end < 16 || end > 32 ? 32 : end)).toString('utf8') };
}

/** Size the header claims (for planning a swap); 0 when there is no header. */
export function claimedSize(flash: Reader, off: number, maxSize: number): number {
  const h = flash.read(off, 12);
  if (!Buffer.from(h.subarray(0, 4)).equals(MAGIC)) return 0;
  return Math.min(HEADER_SIZE + new DataView(h.buffer).getUint32(8, true), maxSize);
}

/** What the firmware finds in its own body; null when it is not a simulated firmware. */
export function readAppInfo(flash: Reader, off: number): AppInfo | null {
  const head = Buffer.from(flash.read(off + HEADER_SIZE, 512));
  if (!head.subarray(0, MARKER.length).equals(MARKER)) return null;
  const end = head.indexOf(0, MARKER.length);
  try {
    const v = JSON.parse(head.subarray(MARKER.length, end).toString('utf8')) as Partial<AppInfo>;
    if (typeof v.version !== 'string') return null;
    return { version: v.version, boot: v.boot === 'crash' || v.boot === 'hang' ? v.boot : 'ok', confirm: v.confirm === 'self' ? 'self' : 'wait' };
  } catch {
    return null;
  }
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
