// The filesystem of one slot. Real Mongoose OS mounts SPIFFS or LittleFS; their internals are not
// what OTA safety is about, so this is a small log-structured store with the property that
// matters: each file write is one append that a power cut tears but never spreads beyond. A
// record is [len u16][~len u16][crc32 u32][flags u8][nameLen u8][name][data], padded to the
// write unit; the newest intact record of a name wins, a torn one is skipped.
import { crc32 } from 'node:zlib';
import type { DeviceFlash } from '../../stack.ts';
import type { Area } from './platform.ts';

const HEADER = 10;
const DELETED = 1;
const MAX_RECORD = 0xffff;

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

export interface FsView {
  files: Map<string, Uint8Array>;
  /** Offset inside the area where the next record goes. */
  free: number;
  /** Records that failed their CRC (torn appends). */
  torn: number;
}

function record(name: string, data: Uint8Array, flags: number, writeSize: number): Uint8Array {
  const n = Buffer.from(name, 'utf8');
  if (n.length === 0 || n.length > 255) throw new Error(`bad file name '${name}'`);
  const len = HEADER + n.length + data.length;
  if (len > MAX_RECORD) throw new Error(`${name}: ${data.length} bytes is too large for one record`);
  const out = new Uint8Array(Math.ceil(len / writeSize) * writeSize).fill(0xff);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, len, true);
  dv.setUint16(2, ~len & 0xffff, true);
  out[8] = flags;
  out[9] = n.length;
  out.set(n, HEADER);
  out.set(data, HEADER + n.length);
  dv.setUint32(4, crc32(out.subarray(8, len)), true);
  return out;
}

/** The bytes of a filesystem holding `files`: what an image's fs part carries. */
export function fsImage(files: Record<string, string | Uint8Array>, writeSize: number): Uint8Array {
  const parts = Object.entries(files).map(([name, data]) =>
    record(name, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, 0, writeSize),
  );
  return Buffer.concat(parts);
}

export function readFs(flash: Reader, area: Area, writeSize: number): FsView {
  const raw = flash.read(area.off, area.size);
  const dv = new DataView(raw.buffer);
  const files = new Map<string, Uint8Array>();
  let torn = 0;
  let p = 0;
  while (p + HEADER <= raw.length) {
    const len = dv.getUint16(p, true);
    if (len === 0xffff && dv.getUint16(p + 2, true) === 0xffff) break; // erased: the end
    if ((~len & 0xffff) !== dv.getUint16(p + 2, true) || len < HEADER || p + len > raw.length) {
      // A header torn mid-write can only be the last thing appended: nothing valid follows.
      torn++;
      p = endOfData(raw, writeSize);
      break;
    }
    const nameLen = raw[p + 9]!;
    if (HEADER + nameLen <= len && crc32(raw.subarray(p + 8, p + len)) === dv.getUint32(p + 4, true)) {
      const name = Buffer.from(raw.subarray(p + HEADER, p + HEADER + nameLen)).toString('utf8');
      if (raw[p + 8]! & DELETED) files.delete(name);
      else files.set(name, raw.slice(p + HEADER + nameLen, p + len));
    } else {
      torn++;
    }
    p += Math.ceil(len / writeSize) * writeSize;
  }
  return { files, free: Math.min(p, raw.length), torn };
}

function endOfData(raw: Uint8Array, writeSize: number): number {
  let last = raw.length - 1;
  while (last >= 0 && raw[last] === 0xff) last--;
  return Math.ceil((last + 1) / writeSize) * writeSize;
}

/** A mounted filesystem: reads come from the mount-time view, writes append to flash. */
export class MosFs {
  private view: FsView;

  constructor(
    private readonly flash: DeviceFlash,
    private readonly area: Area,
    private readonly writeSize: number,
  ) {
    this.view = readFs(flash, area, writeSize);
  }

  get torn(): number {
    return this.view.torn;
  }

  names(): string[] {
    return [...this.view.files.keys()].sort();
  }

  get(name: string): Uint8Array | undefined {
    return this.view.files.get(name);
  }

  async put(name: string, data: Uint8Array): Promise<void> {
    await this.append(record(name, data, 0, this.writeSize));
    this.view.files.set(name, data.slice());
  }

  async remove(name: string): Promise<boolean> {
    if (!this.view.files.has(name)) return false;
    await this.append(record(name, new Uint8Array(0), DELETED, this.writeSize));
    this.view.files.delete(name);
    return true;
  }

  private async append(rec: Uint8Array): Promise<void> {
    if (this.view.free + rec.length > this.area.size) throw new Error('no space left on the filesystem');
    const at = this.view.free;
    this.view.free += rec.length; // even if torn, this space is spent
    await this.flash.program(this.area.off + at, rec);
  }
}
