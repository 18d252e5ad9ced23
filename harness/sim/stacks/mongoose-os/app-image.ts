// Espressif application images as the ROM and second stages check them: magic 0xE9, segment
// count, flash parameters, entry point (ESP32: plus a 16-byte extended header), segments of
// {load address, length, data}, a checksum byte (0xEF XOR every segment byte) at the end of a
// 16-byte block, and on the ESP32 a SHA-256 of all of it appended. The simulated firmware's
// behaviour is a descriptor at the start of the first segment, so the app reads it from flash.
import { createHash } from 'node:crypto';
import { fillNoise, mulberry32 } from '../../flash.ts';
import { xorBytes } from '../../xor-checksum.ts';

export type Chip = 'esp32' | 'esp8266';
export const ESP_IMAGE_MAGIC = 0xe9;
const CHECKSUM_SEED = 0xef;
const MARKER = 'OTAHIL-MOSAPP\0';
export const MOS_VERSION = '2.20.0';

export interface AppDescriptor {
  /** The version as the rig declares it: '1.1.0', or 'otahil 1.1.0' with the app name. */
  declared: string;
  app: string;
  version: string;
  boot: 'ok' | 'crash' | 'hang';
  confirm: 'self' | 'wait';
}

const headerSize = (chip: Chip) => (chip === 'esp32' ? 24 : 8);
const LOAD_ADDR = { esp32: 0x3f400020, esp8266: 0x40100000 } as const;
const ENTRY = { esp32: 0x40081000, esp8266: 0x40100004 } as const;

/** 'otahil 1.1.0' → app otahil, version 1.1.0; a bare '1.1.0' runs as app 'otahil'. */
export function splitDeclared(declared: string): { app: string; version: string } {
  const m = /^(\S+)\s+(\S+)$/.exec(declared.trim());
  return m ? { app: m[1]!, version: m[2]! } : { app: 'otahil', version: declared.trim() };
}

export function buildAppImage(chip: Chip, d: AppDescriptor, bodySize: number): Uint8Array {
  const meta = Buffer.from(MARKER + JSON.stringify(d) + '\0', 'utf8');
  const segLen = Math.ceil(Math.max(bodySize, meta.length) / 4) * 4;
  const hs = headerSize(chip);
  const unpadded = hs + 8 + segLen + 1;
  const total = Math.ceil(unpadded / 16) * 16 + (chip === 'esp32' ? 32 : 0);
  const img = new Uint8Array(total);
  const dv = new DataView(img.buffer);
  img[0] = ESP_IMAGE_MAGIC;
  img[1] = 1; // segments
  img[2] = 2; // SPI mode DIO
  img[3] = 0x20; // flash size / frequency
  dv.setUint32(4, ENTRY[chip], true);
  if (chip === 'esp32') img[23] = 1; // hash_appended
  dv.setUint32(hs, LOAD_ADDR[chip], true);
  dv.setUint32(hs + 4, segLen, true);
  const seg = img.subarray(hs + 8, hs + 8 + segLen);
  seg.set(meta);
  // Filler differs per version so two builds never share flash contents by accident.
  fillNoise(seg.subarray(meta.length), mulberry32(hash(d.declared) ^ segLen));
  const sum = xorBytes(seg, CHECKSUM_SEED);
  const checksumAt = Math.ceil(unpadded / 16) * 16 - 1;
  img[checksumAt] = sum;
  if (chip === 'esp32') img.set(createHash('sha256').update(img.subarray(0, checksumAt + 1)).digest(), checksumAt + 1);
  return img;
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

export type ImageCheck = { ok: true; size: number } | { ok: false; erased: boolean; reason: string };

/** What the bootloader checks before it jumps: header, segment bounds, checksum, SHA-256. */
export function checkAppImage(flash: Reader, off: number, maxSize: number, chip: Chip): ImageCheck {
  const hs = headerSize(chip);
  const head = flash.read(off, hs);
  if (head.every((b) => b === 0xff)) return { ok: false, erased: true, reason: 'erased' };
  const fail = (reason: string): ImageCheck => ({ ok: false, erased: false, reason });
  if (head[0] !== ESP_IMAGE_MAGIC) return fail(`bad magic 0x${head[0]!.toString(16)}`);
  const segments = head[1]!;
  if (segments === 0 || segments > 16) return fail(`${segments} segments`);
  let p = hs;
  let sum = CHECKSUM_SEED;
  for (let s = 0; s < segments; s++) {
    if (p + 8 > maxSize) return fail('segment header past the partition end');
    const len = new DataView(flash.read(off + p + 4, 4).buffer).getUint32(0, true);
    if (len > maxSize || p + 8 + len > maxSize) return fail(`segment ${s} length ${len}`);
    sum = xorBytes(flash.read(off + p + 8, len), sum);
    p += 8 + len;
  }
  const checksumAt = Math.ceil((p + 1) / 16) * 16 - 1;
  if (checksumAt >= maxSize) return fail('checksum past the partition end');
  if (flash.read(off + checksumAt, 1)[0] !== sum) return fail('checksum mismatch');
  let size = checksumAt + 1;
  if (chip === 'esp32' && head[23] === 1) {
    if (size + 32 > maxSize) return fail('hash past the partition end');
    const digest = createHash('sha256').update(flash.read(off, size)).digest();
    if (!digest.equals(Buffer.from(flash.read(off + size, 32)))) return fail('image hash failed');
    size += 32;
  }
  return { ok: true, size };
}

/** The descriptor the app finds at its own start; null when the bytes are not a simulated app. */
export function readDescriptor(flash: Reader, off: number, chip: Chip): AppDescriptor | null {
  const head = Buffer.from(flash.read(off + headerSize(chip) + 8, 512));
  if (!head.subarray(0, MARKER.length).equals(Buffer.from(MARKER, 'utf8'))) return null;
  const end = head.indexOf(0, MARKER.length);
  if (end < 0) return null;
  try {
    const d = JSON.parse(head.subarray(MARKER.length, end).toString('utf8')) as Partial<AppDescriptor>;
    if (typeof d.declared !== 'string' || typeof d.app !== 'string' || typeof d.version !== 'string') return null;
    const boot = d.boot === 'crash' || d.boot === 'hang' ? d.boot : 'ok';
    return { declared: d.declared, app: d.app, version: d.version, boot, confirm: d.confirm === 'self' ? 'self' : 'wait' };
  } catch {
    return null;
  }
}

export function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
