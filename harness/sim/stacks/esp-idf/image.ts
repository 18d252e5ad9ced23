// The ESP image format (esp_image_format.h / esp_image_format.c): a 24-byte header with magic 0xE9,
// segments {u32 load_addr; u32 data_len; data}, zero padding to a 16-byte boundary ending in an
// XOR checksum byte (seed 0xEF), then a SHA-256 of everything before it. Verification follows
// image_load: header, segments, checksum, hash, each failure with the line esp_image logs.
import { createHash } from 'node:crypto';
import { xorBytes } from '../../xor-checksum.ts';

export const ESP_IMAGE_MAGIC = 0xe9;
export const HEADER_SIZE = 24;
export const SEGMENT_HEADER_SIZE = 8;
export const MAX_SEGMENTS = 16;
const CHECKSUM_SEED = 0xef;
const HASH_LEN = 32;
/** esp_chip_id_t of the simulated chip (ESP32). */
export const CHIP_ID_ESP32 = 0;
const SPI_MODE_NAMES = ['QIO', 'QOUT', 'DIO', 'DOUT', 'FAST_READ', 'SLOW_READ'];

export interface SegmentSpec {
  addr: number;
  data: Uint8Array;
}

export interface ImageHeader {
  magic: number;
  segmentCount: number;
  spiMode: number;
  spiSpeed: number;
  spiSize: number;
  entry: number;
  chipId: number;
  hashAppended: boolean;
}

export interface SegmentInfo {
  index: number;
  /** Flash address of the segment's data. */
  paddr: number;
  vaddr: number;
  len: number;
  /** Mapped through the cache (flash rodata/text) rather than copied to RAM. */
  map: boolean;
}

/** DROM and IROM windows of the ESP32: segments there are mapped, the others loaded. */
export function isMapped(vaddr: number): boolean {
  return (vaddr >= 0x3f400000 && vaddr < 0x3f800000) || (vaddr >= 0x400d0000 && vaddr < 0x40400000);
}

export function spiModeName(mode: number): string {
  return SPI_MODE_NAMES[mode] ?? `mode ${mode}`;
}

/** esptool's elf2image output: header, segments, padding + checksum, appended SHA-256. */
export function assembleImage(segments: readonly SegmentSpec[], entry: number, spiSizeCode: number): Uint8Array {
  let len = HEADER_SIZE;
  for (const s of segments) {
    if (s.data.length % 4) throw new Error(`esp image: segment at 0x${s.addr.toString(16)} has unaligned length ${s.data.length}`);
    len += SEGMENT_HEADER_SIZE + s.data.length;
  }
  const padded = (len + 1 + 15) & ~15;
  const img = new Uint8Array(padded + HASH_LEN);
  const dv = new DataView(img.buffer);
  img[0] = ESP_IMAGE_MAGIC;
  img[1] = segments.length;
  img[2] = 2; // DIO
  img[3] = (spiSizeCode << 4) | 0; // 40 MHz
  dv.setUint32(4, entry, true);
  img[8] = 0xee; // wp_pin: not used
  dv.setUint16(12, CHIP_ID_ESP32, true);
  dv.setUint16(17, 399, true); // max_chip_rev_full v3.99
  img[23] = 1; // hash_appended
  let o = HEADER_SIZE;
  let sum = CHECKSUM_SEED;
  for (const s of segments) {
    dv.setUint32(o, s.addr, true);
    dv.setUint32(o + 4, s.data.length, true);
    img.set(s.data, o + SEGMENT_HEADER_SIZE);
    sum = xorBytes(s.data, sum);
    o += SEGMENT_HEADER_SIZE + s.data.length;
  }
  img[padded - 1] = sum;
  img.set(sha256(img.subarray(0, padded)), padded);
  return img;
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

export function parseHeader(raw: Uint8Array): ImageHeader {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return {
    magic: raw[0]!,
    segmentCount: raw[1]!,
    spiMode: raw[2]!,
    spiSpeed: raw[3]! & 0xf,
    spiSize: raw[3]! >> 4,
    entry: dv.getUint32(4, true),
    chipId: dv.getUint16(12, true),
    hashAppended: raw[23] === 1,
  };
}

export type ImageCheck =
  | { ok: true; header: ImageHeader; segments: SegmentInfo[]; length: number }
  | { ok: false; erased: boolean; error: string };

export interface VerifyOptions {
  /** 'load' in the bootloader (load segments say "load"), 'verify' in esp_ota_end. */
  mode: 'load' | 'verify';
  /** Receives each "segment N: paddr=…" line as image_load logs it. */
  onSegment?: (line: string) => void;
  /** Skip checksum and hash (a mutant's missing verification; the ground truth never skips). */
  skipIntegrity?: boolean;
}

/** image_load on the image at `off` inside a partition of `partSize` bytes. */
export function verifyImage(flash: Reader, off: number, partSize: number, opts: VerifyOptions): ImageCheck {
  const raw = flash.read(off, HEADER_SIZE);
  const header = parseHeader(raw);
  const fail = (error: string): ImageCheck => ({ ok: false, erased: raw.every((b) => b === 0xff), error });
  const at = `image at 0x${off.toString(16)}`;
  if (header.magic !== ESP_IMAGE_MAGIC) return fail(`${at} has invalid magic byte (nothing flashed here?)`);
  if (header.spiMode > 5) return fail(`${at} has invalid SPI mode ${header.spiMode}`);
  if (header.chipId !== CHIP_ID_ESP32) return fail(`mismatch chip ID, expected ${CHIP_ID_ESP32}, found ${header.chipId}`);
  if (header.segmentCount > MAX_SEGMENTS) return fail(`${at} segment count ${header.segmentCount} exceeds max ${MAX_SEGMENTS}`);
  const segments: SegmentInfo[] = [];
  let pos = HEADER_SIZE;
  let sum = CHECKSUM_SEED;
  const tooLong = (len: number) => fail(`Image length ${len} doesn't fit in partition length ${partSize}`);
  for (let i = 0; i < header.segmentCount; i++) {
    if (pos + SEGMENT_HEADER_SIZE > partSize) return tooLong(pos + SEGMENT_HEADER_SIZE);
    const sh = new DataView(flash.read(off + pos, SEGMENT_HEADER_SIZE).buffer);
    const vaddr = sh.getUint32(0, true);
    const len = sh.getUint32(4, true);
    if (len % 4) return fail(`unaligned segment length 0x${len.toString(16)}`);
    const dataAt = pos + SEGMENT_HEADER_SIZE;
    if (dataAt + len > partSize) return tooLong(dataAt + len);
    const seg: SegmentInfo = { index: i, paddr: off + dataAt, vaddr, len, map: isMapped(vaddr) };
    segments.push(seg);
    opts.onSegment?.(segmentLine(seg, opts.mode));
    sum = xorBytes(flash.read(off + dataAt, len), sum);
    pos = dataAt + len;
  }
  const length = (pos + 1 + 15) & ~15;
  if (length + (header.hashAppended ? HASH_LEN : 0) > partSize) return tooLong(length);
  if (!opts.skipIntegrity) {
    const read = flash.read(off + length - 1, 1)[0]!;
    if (read !== sum) return fail(`Checksum failed. Calculated 0x${sum.toString(16)} read 0x${read.toString(16)}`);
    if (header.hashAppended) {
      const want = sha256(flash.read(off, length));
      if (!Buffer.from(want).equals(Buffer.from(flash.read(off + length, HASH_LEN)))) return fail('Image hash failed - image is corrupt');
    }
  }
  return { ok: true, header, segments, length: length + (header.hashAppended ? HASH_LEN : 0) };
}

/** "segment %d: paddr=%08x vaddr=%08x size=%05xh (%6d) %s": a verify-only pass loads nothing. */
export function segmentLine(s: SegmentInfo, mode: 'load' | 'verify'): string {
  const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
  const how = s.map ? 'map' : mode === 'load' ? 'load' : '';
  return `segment ${s.index}: paddr=${h(s.paddr, 8)} vaddr=${h(s.vaddr, 8)} size=${h(s.len, 5)}h (${String(s.len).padStart(6)}) ${how}`;
}

export function sha256(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}
