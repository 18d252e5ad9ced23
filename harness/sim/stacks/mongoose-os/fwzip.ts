// Mongoose OS firmware comes as a ZIP (fw.zip: manifest.json first, then the parts it lists).
// build() writes a real, stored (uncompressed) ZIP that unzip(1) lists; ZipReader reads one as
// it streams in, the way the on-device updater does: headers are parsed, entry data passes
// straight through to the caller, and each entry's CRC-32 is checked at its end.
import { crc32 } from 'node:zlib';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const EOCD = 0x06054b50;
const LOCAL_SIZE = 30;

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

/** A stored ZIP holding `entries` in order. */
export function buildZip(entries: readonly ZipEntry[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.data);
    const h = Buffer.alloc(LOCAL_SIZE);
    h.writeUInt32LE(LOCAL, 0);
    h.writeUInt16LE(10, 4); // version needed: 1.0 (stored)
    h.writeUInt16LE(0, 6); // flags: sizes are in this header, no data descriptor
    h.writeUInt16LE(0, 8); // method: stored
    h.writeUInt16LE(0, 10); // time
    h.writeUInt16LE(0x5c21, 12); // date: 2026-01-01
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(e.data.length, 18);
    h.writeUInt32LE(e.data.length, 22);
    h.writeUInt16LE(name.length, 26);
    h.writeUInt16LE(0, 28);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(CENTRAL, 0);
    c.writeUInt16LE(20, 4);
    h.copy(c, 6, 4, 30); // version needed .. name length, extra length
    c.writeUInt32LE(offset, 42);
    locals.push(h, name, Buffer.from(e.data));
    centrals.push(c, name);
    offset += LOCAL_SIZE + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

export class ZipError extends Error {}

export interface ZipSink {
  entryStart(name: string, size: number): Promise<void>;
  entryData(data: Uint8Array): Promise<void>;
  entryEnd(name: string): Promise<void>;
}

/** Streaming reader for stored entries; rejects what the updater cannot write as it comes. */
export class ZipReader {
  private head: Uint8Array = new Uint8Array(0);
  private entry: { name: string; left: number; crc: number; expected: number } | null = null;
  private done = false;
  received = 0;

  constructor(private readonly sink: ZipSink) {}

  /** The central directory was reached: every entry arrived. */
  get complete(): boolean {
    return this.done;
  }

  async push(chunk: Uint8Array): Promise<void> {
    this.received += chunk.length;
    let p = 0;
    while (p < chunk.length && !this.done) {
      const e = this.entry;
      if (e) {
        const n = Math.min(e.left, chunk.length - p);
        const part = chunk.subarray(p, p + n);
        e.crc = crc32(part, e.crc);
        e.left -= n;
        p += n;
        await this.sink.entryData(part);
        if (e.left === 0) {
          this.entry = null;
          if (e.crc !== e.expected) throw new ZipError(`${e.name}: CRC mismatch`);
          await this.sink.entryEnd(e.name);
        }
        continue;
      }
      // Collect a whole local header (fixed part, then name and extra field) before acting on it.
      const want = this.head.length < LOCAL_SIZE ? LOCAL_SIZE : this.headerSize();
      const n = Math.min(want - this.head.length, chunk.length - p);
      this.head = concat(this.head, chunk.subarray(p, p + n));
      p += n;
      if (this.head.length >= 4) {
        const sig = view(this.head).getUint32(0, true);
        if (sig === CENTRAL || sig === EOCD) {
          this.done = true; // the rest is the directory: nothing more to write
          break;
        }
        if (sig !== LOCAL) throw new ZipError(`not a ZIP entry at byte ${this.received - chunk.length + p - this.head.length}`);
      }
      if (this.head.length >= LOCAL_SIZE && this.head.length === this.headerSize()) await this.open();
    }
  }

  private headerSize(): number {
    const dv = view(this.head);
    return LOCAL_SIZE + dv.getUint16(26, true) + dv.getUint16(28, true);
  }

  private async open(): Promise<void> {
    const dv = view(this.head);
    const flags = dv.getUint16(6, true);
    const method = dv.getUint16(8, true);
    const size = dv.getUint32(18, true);
    const name = Buffer.from(this.head.subarray(LOCAL_SIZE, LOCAL_SIZE + dv.getUint16(26, true))).toString('utf8');
    if (method !== 0) throw new ZipError(`${name}: compression method ${method} is not supported`);
    if (flags & 0x8 || dv.getUint32(22, true) !== size) throw new ZipError(`${name}: sizes not in the local header`);
    this.head = new Uint8Array(0);
    this.entry = { name, left: size, crc: 0, expected: dv.getUint32(14, true) };
    await this.sink.entryStart(name, size);
    if (size === 0) {
      this.entry = null;
      await this.sink.entryEnd(name);
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
