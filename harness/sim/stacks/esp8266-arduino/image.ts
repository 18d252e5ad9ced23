// The firmware file the Arduino core builds for the ESP8266: eboot's sector, then the sketch as an
// ESP8266 v1 image (header 0xE9, segments, XOR checksum), then — for a signed sketch — the
// signature. The sketch's irom0 segment (mapped from flash, never loaded by eboot) comes first, as
// elf2bin.py lays it out; the IRAM/DRAM segments eboot loads come after it. The simulated sketch's
// behaviour lives in a descriptor at the start of irom0, with a digest of the whole sketch: the
// simulator's stand-in for "this code is one consistent build" (no real component checks it).
import { createHash } from 'node:crypto';
import type { ImageBuild, SimDeviceConfig } from '../../stack.ts';
import { fillNoise, mulberry32 } from '../../flash.ts';
import { xorBytes } from '../../xor-checksum.ts';
import { APP_START, FLASH_SIZE, FLASH_SIZE_CODE, FS_START, SECTOR, roundUp } from './layout.ts';
import { appendSignature, signedBuild } from './signing.ts';

export const ESP_MAGIC = 0xe9;
export const EBOOT_ADDR = 0x4010f000;
export const IROM_ADDR = 0x40201010;
const MARKER = Buffer.from('OTAHIL-SKETCH\0', 'latin1');
const DIGEST_OFF = 8 + 8 + MARKER.length; // from the image start: header, irom0 header, marker
export const DEFAULT_IROM_SIZE = 40000;

export interface SketchInfo {
  version: string;
  boot: 'ok' | 'crash' | 'hang';
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
  /** Without a copy, where the flash offers it (NorFlash, a device's flash). */
  view?(addr: number, len: number): Uint8Array;
}

interface Segment {
  addr: number;
  data: Uint8Array;
}

/** An ESP8266 v1 image: 8-byte header, segments, zero pad, XOR checksum as the 16-byte-aligned last byte. */
function espImage(entry: number, segments: Segment[]): Uint8Array {
  let len = 8;
  for (const s of segments) len += 8 + s.data.length;
  const out = new Uint8Array(roundUp(len + 1, 16));
  const dv = new DataView(out.buffer);
  out.set([ESP_MAGIC, segments.length, 2 /* DIO */, (FLASH_SIZE_CODE << 4) | 0 /* 40 MHz */]);
  dv.setUint32(4, entry, true);
  let pos = 8;
  let sum = 0xef;
  for (const s of segments) {
    dv.setUint32(pos, s.addr, true);
    dv.setUint32(pos + 4, s.data.length, true);
    out.set(s.data, pos + 8);
    sum = xorBytes(s.data, sum);
    pos += 8 + s.data.length;
  }
  out[out.length - 1] = sum;
  return out;
}

const noise = (seed: number, len: number): Uint8Array => fillNoise(new Uint8Array(len), mulberry32(seed));

/** eboot as every build ships it: identical bytes in every image, so a copy skips its sector ('B'). */
export const EBOOT_SECTOR: Uint8Array = (() => {
  const img = espImage(EBOOT_ADDR, [{ addr: EBOOT_ADDR, data: noise(0xeb00, 3584) }]);
  const sector = new Uint8Array(SECTOR).fill(0xff);
  sector.set(img);
  return sector;
})();

/** Largest file whose staged copy still fits between a sketch of the same size and the filesystem. */
export const MAX_BIN = Math.floor(FS_START / 2 / SECTOR) * SECTOR;

export function buildSketch(build: ImageBuild, config: SimDeviceConfig = {}): Uint8Array {
  const info: SketchInfo = { version: build.version, boot: build.boot ?? 'ok' };
  const json = Buffer.from(JSON.stringify(info) + '\0', 'utf8');
  const size = roundUp(build.size ?? DEFAULT_IROM_SIZE, 4);
  const head = MARKER.length + 32 + json.length;
  if (size < head) throw new Error(`esp8266-arduino image ${build.version}: body size ${size} is smaller than its ${head}-byte descriptor`);
  const seed = hashString(build.version) ^ size;
  const irom = noise(seed, size);
  irom.set(MARKER, 0);
  irom.fill(0, MARKER.length, MARKER.length + 32);
  irom.set(json, MARKER.length + 32);
  const app = espImage(0x40100004, [
    { addr: IROM_ADDR, data: irom },
    { addr: 0x40100000, data: noise(seed + 1, 2048) }, // .text (IRAM)
    { addr: 0x3ffe8000, data: noise(seed + 2, 256) }, // .data
    { addr: 0x3ffe8100, data: noise(seed + 3, 1024) }, // .rodata
  ]);
  app.set(sha256(app), DIGEST_OFF);
  const bin = new Uint8Array(SECTOR + app.length);
  bin.set(EBOOT_SECTOR);
  bin.set(app, APP_START);
  // A signed build appends its signature; the core's default build ships the bare binary.
  const signed = signedBuild(config) ? appendSignature(bin) : bin;
  if (signed.length > MAX_BIN) {
    throw new Error(`esp8266-arduino image ${build.version}: ${signed.length} bytes; OTA needs room for two copies below the filesystem (max ${MAX_BIN})`);
  }
  return signed;
}

export interface ImageLayout {
  entry: number;
  segments: { addr: number; size: number; off: number }[];
  /** Absolute end (exclusive) including the checksum pad. */
  end: number;
  checksum: number;
}

/** Walk the v1 image at `at` as far as `limit` allows; null when it is not one. */
export function walkImage(flash: Reader, at: number, limit = FLASH_SIZE): ImageLayout | null {
  if (at + 8 > limit) return null;
  const h = flash.read(at, 8);
  const n = h[1]!;
  if (h[0] !== ESP_MAGIC || n === 0 || n > 16) return null;
  const entry = new DataView(h.buffer).getUint32(4, true);
  const segments: ImageLayout['segments'] = [];
  let pos = at + 8;
  for (let i = 0; i < n; i++) {
    if (pos + 8 > limit) return null;
    const dv = new DataView(flash.read(pos, 8).buffer);
    const addr = dv.getUint32(0, true);
    const size = dv.getUint32(4, true);
    if (size > limit - pos - 8) return null;
    segments.push({ addr, size, off: pos + 8 });
    pos += 8 + size;
  }
  const end = roundUp(pos + 1, 16);
  if (end > limit) return null;
  return { entry, segments, end, checksum: flash.read(end - 1, 1)[0]! };
}

/** XOR checksum over the segments' data, as the ROM computes it ('csum'). */
export function computeChecksum(flash: Reader, layout: ImageLayout): number {
  let sum = 0xef;
  for (const s of layout.segments) sum = xorBytes(flash.read(s.off, s.size), sum);
  return sum;
}

export type Runnable = { ok: true; info: SketchInfo; end: number } | { ok: false; reason: string };

/** Would the sketch at APP_START run as a real build? Used by the simulated CPU and by inspect. */
export function runnableSketch(flash: Reader): Runnable {
  const layout = walkImage(flash, APP_START);
  if (!layout) return { ok: false, reason: 'no sketch image header at 0x1000' };
  const irom = layout.segments[0]!;
  if (irom.addr !== IROM_ADDR || irom.size < MARKER.length + 34) return { ok: false, reason: 'first segment is not the irom0 text' };
  const head = Buffer.from(flash.read(irom.off, Math.min(irom.size, 1024)));
  if (!head.subarray(0, MARKER.length).equals(MARKER)) return { ok: false, reason: 'irom0 does not start with a sketch' };
  const len = layout.end - APP_START;
  const bytes = flash.view?.(APP_START, len) ?? flash.read(APP_START, len);
  // The verdict is a function of these bytes alone: one seen before is answered by comparing them.
  const at = checked.findIndex((c) => c.bytes.length === len && Buffer.compare(c.bytes, bytes) === 0);
  if (at >= 0) {
    const known = checked.splice(at, 1)[0]!;
    checked.push(known); // the least recently seen goes first
    return known.result;
  }
  const result = checkSketch(bytes, head, layout.end);
  if (checked.length >= CHECKED_MAX) checked.shift();
  checked.push({ bytes: bytes.slice(), result });
  return result;
}

/**
 * Sketches already checked, by their exact bytes: a sweep boots the same few builds thousands of
 * times (a ~300 KB SHA-256 each), and comparing the bytes costs a small fraction of hashing them.
 */
const checked: { bytes: Uint8Array; result: Runnable }[] = [];
const CHECKED_MAX = 8;

function checkSketch(bytes: Uint8Array, head: Buffer, end: number): Runnable {
  const app = bytes.slice();
  const want = app.slice(DIGEST_OFF, DIGEST_OFF + 32);
  app.fill(0, DIGEST_OFF, DIGEST_OFF + 32);
  if (!Buffer.from(sha256(app)).equals(Buffer.from(want))) return { ok: false, reason: 'the code in flash is not one build (half-copied or corrupt)' };
  const jsonStart = MARKER.length + 32;
  const jsonEnd = head.indexOf(0, jsonStart);
  try {
    const v = JSON.parse(head.subarray(jsonStart, jsonEnd).toString('utf8')) as Partial<SketchInfo>;
    if (typeof v.version !== 'string') return { ok: false, reason: 'descriptor without a version' };
    const boot = v.boot === 'crash' || v.boot === 'hang' ? v.boot : 'ok';
    return { ok: true, info: { version: v.version, boot }, end };
  } catch {
    return { ok: false, reason: 'unreadable descriptor' };
  }
}

export function sha256(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
