// NVS, reduced to what Mongoose OS keeps there for updates (the u32 'mgos/update'). Real NVS has
// page states, entry-state bitmaps and hashed keys; what OTA safety depends on is kept: a value
// is an appended 32-byte entry with its own CRC, so a torn write leaves the previous value; a
// full page is copied into a fresh page (higher page seq) before the old one is erased, and a
// reader merges every valid page oldest first, so no cut loses a value.
import { crc32 } from 'node:zlib';
import type { DeviceFlash } from '../../stack.ts';
import type { Area } from './platform.ts';

const ENTRY = 32;
const PAGE_MAGIC = 0x4e565350; // 'NVSP'
const KEY_LEN = 24;

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

interface Page {
  index: number;
  seq: number;
  /** Offset of the first erased entry in the page; the page size when full. */
  free: number;
  values: Map<string, number>;
}

function crcOf(bytes: Uint8Array): number {
  return crc32(bytes);
}

function pageHeader(seq: number): Uint8Array {
  const h = new Uint8Array(ENTRY).fill(0xff);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, PAGE_MAGIC, true);
  dv.setUint32(4, seq, true);
  dv.setUint32(8, crcOf(h.subarray(0, 8)), true);
  return h;
}

function entry(key: string, value: number): Uint8Array {
  const e = new Uint8Array(ENTRY).fill(0xff);
  const k = Buffer.from(key, 'utf8');
  if (k.length > KEY_LEN - 1) throw new Error(`NVS key too long: ${key}`);
  e.fill(0, 0, KEY_LEN);
  e.set(k);
  const dv = new DataView(e.buffer);
  dv.setUint32(KEY_LEN, value >>> 0, true);
  dv.setUint32(KEY_LEN + 4, crcOf(e.subarray(0, KEY_LEN + 4)), true);
  return e;
}

function readPage(flash: Reader, area: Area, sectorSize: number, index: number): Page | null {
  const raw = flash.read(area.off + index * sectorSize, sectorSize);
  const dv = new DataView(raw.buffer);
  if (dv.getUint32(0, true) !== PAGE_MAGIC || dv.getUint32(8, true) !== crcOf(raw.subarray(0, 8))) return null;
  const values = new Map<string, number>();
  let free = sectorSize;
  for (let p = ENTRY; p + ENTRY <= sectorSize; p += ENTRY) {
    const e = raw.subarray(p, p + ENTRY);
    if (e.every((b) => b === 0xff)) {
      free = p;
      break;
    }
    // A torn entry fails its CRC and is skipped; its space stays spent.
    if (dv.getUint32(p + KEY_LEN + 4, true) !== crcOf(e.subarray(0, KEY_LEN + 4))) continue;
    const end = e.indexOf(0);
    values.set(Buffer.from(e.subarray(0, end < 0 || end > KEY_LEN ? KEY_LEN : end)).toString('utf8'), dv.getUint32(p + KEY_LEN, true));
  }
  return { index, seq: dv.getUint32(4, true), free, values };
}

function pages(flash: Reader, area: Area, sectorSize: number): Page[] {
  const out: Page[] = [];
  for (let i = 0; i < area.size / sectorSize; i++) {
    const p = readPage(flash, area, sectorSize, i);
    if (p) out.push(p);
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** Every key's newest value. */
export function nvsRead(flash: Reader, area: Area, sectorSize: number): Map<string, number> {
  const all = new Map<string, number>();
  for (const p of pages(flash, area, sectorSize)) for (const [k, v] of p.values) all.set(k, v);
  return all;
}

export async function nvsSet(flash: DeviceFlash, area: Area, sectorSize: number, key: string, value: number): Promise<void> {
  const ps = pages(flash, area, sectorSize);
  const active = ps[ps.length - 1];
  if (active && active.free + ENTRY <= sectorSize) {
    await flash.program(area.off + active.index * sectorSize + active.free, entry(key, value));
    return;
  }
  // No page yet, or the active one is full: start the next page with every live value.
  const live = nvsRead(flash, area, sectorSize);
  live.set(key, value);
  const count = area.size / sectorSize;
  const index = active ? (active.index + 1) % count : 0;
  const base = area.off + index * sectorSize;
  await flash.erase(base, sectorSize);
  await flash.program(base, pageHeader((active?.seq ?? 0) + 1));
  let p = ENTRY;
  for (const [k, v] of live) {
    await flash.program(base + p, entry(k, v));
    p += ENTRY;
  }
  for (const old of ps) if (old.index !== index) await flash.erase(area.off + old.index * sectorSize, sectorSize);
}
