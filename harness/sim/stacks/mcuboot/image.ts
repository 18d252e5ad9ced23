// MCUboot image format (header, body, TLV area with a SHA256 TLV), plus the simulated app's
// behaviour encoded in the body so that the firmware reads it back from flash, never from JS state.
import { sha256 } from '../../digest.ts';
import type { ImageBuild } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { fillNoise, mulberry32 } from '../../flash.ts';
import { layoutFor } from './layout.ts';

export const IMAGE_MAGIC = 0x96f3b83d;
/** The header struct; builds pad it to ih_hdr_size (layout.headerSize) with zeros, as imgtool does. */
export const IMAGE_HEADER_SIZE = 32;
export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;
export const TLV_SHA256 = 0x10;
/** TLV info (4) + one SHA256 entry (4 + 32). */
const TLV_AREA_SIZE = 4 + 4 + 32;
export const APP_MARKER = 'OTAHIL-SIMAPP\0';
export const DEFAULT_BODY_SIZE = 40000;

export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  build: number;
}

export interface ImageHeader {
  magic: number;
  loadAddr: number;
  hdrSize: number;
  protectTlvSize: number;
  imgSize: number;
  flags: number;
  version: ImageVersion;
}

export interface AppInfo {
  version: string;
  boot: 'ok' | 'crash' | 'hang';
  confirm: 'self' | 'wait';
}

/** "1.2.0-crash" → 1.2.0 build 0; "1.2.3+7" → build 7. The suffix lives only in the body JSON. */
export function parseVersion(text: string): ImageVersion {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\+(\d+))?/.exec(text);
  if (!m) throw new Error(`mcuboot image: version '${text}' does not start with major[.minor[.revision]]`);
  const v = { major: Number(m[1]), minor: Number(m[2] ?? 0), revision: Number(m[3] ?? 0), build: Number(m[4] ?? 0) };
  if (v.major > 255 || v.minor > 255 || v.revision > 65535 || v.build > 0xffffffff) {
    throw new Error(`mcuboot image: version '${text}' does not fit ih_ver (u8.u8.u16+u32)`);
  }
  return v;
}

export function formatVersion(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}`;
}

export function buildImage(build: ImageBuild, config: SimConfig): Uint8Array {
  const layout = layoutFor(config);
  const ver = parseVersion(build.version);
  const info: AppInfo = { version: build.version, boot: build.boot ?? 'ok', confirm: build.confirm ?? 'wait' };
  const size = build.size ?? DEFAULT_BODY_SIZE;
  const meta = Buffer.from(APP_MARKER + JSON.stringify(info) + '\0', 'utf8');
  if (meta.length > size) throw new Error(`mcuboot image ${build.version}: body size ${size} is smaller than its ${meta.length}-byte descriptor`);
  const hdrSize = layout.headerSize;
  const total = hdrSize + size + TLV_AREA_SIZE;
  if (total > layout.maxImageSize) {
    throw new Error(
      `mcuboot image ${build.version}: ${total} bytes do not fit the ${layout.slotSize}-byte slot minus its ${layout.trailerSize}-byte trailer (max ${layout.maxImageSize})`,
    );
  }
  const img = new Uint8Array(total);
  const dv = new DataView(img.buffer);
  dv.setUint32(0, IMAGE_MAGIC, true);
  dv.setUint32(4, 0, true); // ih_load_addr
  dv.setUint16(8, hdrSize, true);
  dv.setUint16(10, 0, true); // ih_protect_tlv_size
  dv.setUint32(12, size, true);
  dv.setUint32(16, 0, true); // ih_flags
  dv.setUint8(20, ver.major);
  dv.setUint8(21, ver.minor);
  dv.setUint16(22, ver.revision, true);
  dv.setUint32(24, ver.build, true);
  img.set(meta, hdrSize);
  // Filler differs per version so two builds never share sectors by accident.
  fillNoise(img.subarray(hdrSize + meta.length, hdrSize + size), mulberry32(hashString(build.version) ^ size));
  const tlv = hdrSize + size;
  dv.setUint16(tlv, TLV_INFO_MAGIC, true);
  dv.setUint16(tlv + 2, TLV_AREA_SIZE, true);
  dv.setUint16(tlv + 4, TLV_SHA256, true);
  dv.setUint16(tlv + 6, 32, true);
  img.set(sha256(img.subarray(0, tlv)), tlv + 8);
  return img;
}

export function parseHeader(bytes: Uint8Array): ImageHeader {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    magic: dv.getUint32(0, true),
    loadAddr: dv.getUint32(4, true),
    hdrSize: dv.getUint16(8, true),
    protectTlvSize: dv.getUint16(10, true),
    imgSize: dv.getUint32(12, true),
    flags: dv.getUint32(16, true),
    version: { major: dv.getUint8(20), minor: dv.getUint8(21), revision: dv.getUint16(22, true), build: dv.getUint32(24, true) },
  };
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
  view?(addr: number, len: number): Uint8Array;
}

export type ImageCheck =
  | { ok: true; header: ImageHeader; size: number }
  | { ok: false; erased: boolean; reason: string; header: ImageHeader | null };

/**
 * Validate the image at `off` (a slot start) the way bootutil does: header magic, sizes that stay
 * inside the slot, a TLV area with a SHA256 entry that matches header + body.
 */
export function checkImage(flash: Reader, off: number, maxSize: number, opts: { hash: boolean } = { hash: true }): ImageCheck {
  const raw = flash.read(off, IMAGE_HEADER_SIZE);
  if (raw.every((b) => b === 0xff)) return { ok: false, erased: true, reason: 'header erased', header: null };
  const header = parseHeader(raw);
  const fail = (reason: string): ImageCheck => ({ ok: false, erased: false, reason, header });
  if (header.magic !== IMAGE_MAGIC) return fail(`bad image magic 0x${header.magic.toString(16)}`);
  if (header.hdrSize < IMAGE_HEADER_SIZE) return fail(`header size ${header.hdrSize}`);
  const tlvOff = header.hdrSize + header.imgSize + header.protectTlvSize;
  if (tlvOff + 4 > maxSize) return fail(`image size ${header.imgSize} does not fit the slot`);
  const info = new DataView(flash.read(off + tlvOff, 4).buffer);
  if (info.getUint16(0, true) !== TLV_INFO_MAGIC) return fail('no TLV info');
  const tlvTot = info.getUint16(2, true);
  if (tlvTot < 4 || tlvOff + tlvTot > maxSize) return fail(`TLV area size ${tlvTot}`);
  const size = tlvOff + tlvTot;
  const tlvs = flash.read(off + tlvOff + 4, tlvTot - 4);
  const dv = new DataView(tlvs.buffer);
  let digest: Uint8Array | null = null;
  for (let p = 0; p + 4 <= tlvs.length; ) {
    const type = dv.getUint16(p, true);
    const len = dv.getUint16(p + 2, true);
    if (p + 4 + len > tlvs.length) return fail('truncated TLV');
    if (type === TLV_SHA256 && len === 32) digest = tlvs.subarray(p + 4, p + 4 + len);
    p += 4 + len;
  }
  if (!digest) return fail('no SHA256 TLV');
  if (opts.hash) {
    const actual = sha256(flash.view ? flash.view(off, tlvOff) : flash.read(off, tlvOff));
    if (!Buffer.from(actual).equals(Buffer.from(digest))) return fail('SHA256 mismatch');
  }
  return { ok: true, header, size };
}

/** Bytes the swap must move for this slot's image; 0 when there is no image header. */
export function imageSizeInSlot(flash: Reader, off: number, maxSize: number): number {
  const header = parseHeader(flash.read(off, IMAGE_HEADER_SIZE));
  if (header.magic !== IMAGE_MAGIC) return 0;
  const tlvOff = header.hdrSize + header.imgSize + header.protectTlvSize;
  if (tlvOff + 4 > maxSize) return maxSize;
  const info = new DataView(flash.read(off + tlvOff, 4).buffer);
  const tot = info.getUint16(0, true) === TLV_INFO_MAGIC ? info.getUint16(2, true) : 0;
  return Math.min(tlvOff + tot, maxSize);
}

/** What the app finds in its own body; null when the body is not a simulated app (garbage). */
export function readAppInfo(flash: Reader, off: number, maxSize: number): AppInfo | null {
  const header = parseHeader(flash.read(off, IMAGE_HEADER_SIZE));
  if (header.magic !== IMAGE_MAGIC || header.hdrSize < IMAGE_HEADER_SIZE || header.hdrSize + 512 > maxSize) return null;
  const head = Buffer.from(flash.read(off + header.hdrSize, Math.min(512, maxSize - header.hdrSize)));
  if (!head.subarray(0, APP_MARKER.length).equals(Buffer.from(APP_MARKER, 'utf8'))) return null;
  const end = head.indexOf(0, APP_MARKER.length);
  if (end < 0) return null;
  try {
    const v = JSON.parse(head.subarray(APP_MARKER.length, end).toString('utf8')) as Partial<AppInfo>;
    if (typeof v.version !== 'string') return null;
    const boot = v.boot === 'crash' || v.boot === 'hang' ? v.boot : v.boot === 'ok' ? 'ok' : null;
    const confirm = v.confirm === 'self' ? 'self' : 'wait';
    return boot ? { version: v.version, boot, confirm } : null;
  } catch {
    return null;
  }
}

export { sha256 };

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
