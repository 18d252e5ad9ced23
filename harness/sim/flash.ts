// A byte-level NOR flash. Erased cells read 0xFF, programming can only clear bits, erase works on
// whole aligned sectors, programs are aligned to the write unit. Every operation is counted, and
// power can be lost before operation N or during it (torn): a torn program leaves a prefix of its
// bytes, a torn erase leaves the sector indeterminate (some bits raised, neither old nor erased).

/** Thrown by the thousand in a sweep and always caught by the simulator: no stack trace is captured. */
export class PowerLoss extends Error {
  constructor(readonly where = 'power lost') {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(where);
    Error.stackTraceLimit = limit;
  }
}
PowerLoss.prototype.name = 'PowerLoss';

export interface FlashGeometry {
  size: number;
  sectorSize: number;
  writeSize: number;
}

export interface FlashCounters {
  ops: number;
  erases: number;
  programs: number;
  /** Programs onto cells that were not erased: a bootloader bug on real NOR. */
  dirtyPrograms: number;
}

/** Lose power before flash operation `atOp` (1-based), or during it when `torn` is set. */
export interface CutPlan {
  atOp: number;
  torn?: boolean;
  /** How far a torn operation got, 0..1 (default 0.5). */
  fraction?: number;
}

export type FlashOp =
  | { kind: 'erase'; addr: number; len: number }
  | { kind: 'program'; addr: number; len: number };

export interface FlashSnapshot {
  bytes: Uint8Array;
  counters: FlashCounters;
}

export class NorFlash {
  readonly geometry: FlashGeometry;
  private bytes: Uint8Array;
  /** The same bytes as 32-bit words, to test a program's target for erased cells four at a time. */
  private words: Uint32Array;
  private counters: FlashCounters = { ops: 0, erases: 0, programs: 0, dirtyPrograms: 0 };
  private cut: CutPlan | null = null;
  private rng: () => number;
  /** Sees which of the content the device depended on (a sweep's memo); erases make content new. */
  watch: { read(addr: number, len: number): void; erase(addr: number, len: number): void } | null = null;
  /** Called after every completed operation; sweeps use it to fork snapshots. */
  onOp: ((op: FlashOp, n: number) => void) | null = null;

  /** `image`, when given, becomes the flash's content without a copy (a sweep's forks reuse buffers). */
  constructor(geometry: FlashGeometry, seed = 1, image?: { bytes: Uint8Array; counters: FlashCounters }) {
    const { size, sectorSize, writeSize } = geometry;
    if (size % sectorSize !== 0) throw new Error(`flash size ${size} is not a multiple of the sector size ${sectorSize}`);
    if (sectorSize % writeSize !== 0) throw new Error(`sector size ${sectorSize} is not a multiple of the write size ${writeSize}`);
    if (image && image.bytes.length !== size) throw new Error(`flash image of ${image.bytes.length} bytes for a ${size}-byte device`);
    this.geometry = { ...geometry };
    this.bytes = image?.bytes ?? new Uint8Array(size).fill(0xff);
    if (image) this.counters = { ...image.counters };
    this.words = wordsOf(this.bytes);
    this.rng = mulberry32(seed);
  }

  get stats(): Readonly<FlashCounters> {
    return { ...this.counters };
  }

  read(addr: number, len: number): Uint8Array {
    this.checkRange(addr, len);
    this.watch?.read(addr, len);
    return this.bytes.slice(addr, addr + len);
  }

  /**
   * The bytes without a copy: valid until the next operation on that range, never to be written
   * through (and its `.buffer` is the whole device). For copies and hashes on hot paths.
   */
  view(addr: number, len: number): Uint8Array {
    this.checkRange(addr, len);
    this.watch?.read(addr, len);
    return this.bytes.subarray(addr, addr + len);
  }

  /** Give up the buffer (a sweep reuses it); the device is unusable afterwards. */
  release(): Uint8Array {
    const b = this.bytes;
    this.bytes = new Uint8Array(0);
    this.words = new Uint32Array(0);
    return b;
  }

  /** Arm a one-shot power cut. */
  armCut(plan: CutPlan | null): void {
    this.cut = plan;
  }

  /** The cut still armed, or null once it fired (or none was). */
  get armedCut(): Readonly<CutPlan> | null {
    return this.cut;
  }

  erase(addr: number, len: number): void {
    const { sectorSize } = this.geometry;
    this.checkRange(addr, len);
    if (addr % sectorSize || len % sectorSize || len === 0) {
      throw new Error(`erase 0x${addr.toString(16)}+0x${len.toString(16)} is not aligned to the 0x${sectorSize.toString(16)} sector`);
    }
    const torn = this.beforeOp();
    if (torn !== null) {
      const stop = addr + Math.floor((len / sectorSize) * torn) * sectorSize;
      this.bytes.fill(0xff, addr, stop);
      // The sector being erased when power went: bits partly raised, neither old nor erased.
      const end = Math.min(stop + sectorSize, addr + len);
      for (let i = stop; i < end; i++) this.bytes[i] = this.bytes[i]! | Math.floor(this.rng() * 256);
      if (end > stop && this.bytes.subarray(stop, end).every((b) => b === 0xff)) this.bytes[stop] = 0x7f;
      throw new PowerLoss(`power lost during erase at 0x${addr.toString(16)}`);
    }
    this.watch?.erase(addr, len);
    this.bytes.fill(0xff, addr, addr + len);
    this.counters.erases++;
    this.afterOp({ kind: 'erase', addr, len });
  }

  program(addr: number, data: Uint8Array): void {
    const { writeSize } = this.geometry;
    this.checkRange(addr, data.length);
    if (addr % writeSize || data.length % writeSize || data.length === 0) {
      throw new Error(`program 0x${addr.toString(16)}+${data.length} is not aligned to the ${writeSize}-byte write unit`);
    }
    const torn = this.beforeOp();
    const n = torn === null ? data.length : Math.floor(data.length * torn);
    this.watch?.read(addr, n); // the result (and the dirty count) depends on what was there
    if (this.erased(addr, n)) {
      this.bytes.set(n === data.length ? data : data.subarray(0, n), addr); // onto erased cells: old & data is data
    } else {
      const b = this.bytes;
      for (let i = 0; i < n; i++) {
        const old = b[addr + i]!;
        if (old !== 0xff && (old & data[i]!) !== data[i]) this.counters.dirtyPrograms++;
        b[addr + i] = old & data[i]!; // NOR programming can only clear bits
      }
    }
    if (torn !== null) throw new PowerLoss(`power lost during program at 0x${addr.toString(16)}`);
    this.counters.programs++;
    this.afterOp({ kind: 'program', addr, len: data.length });
  }

  snapshot(): FlashSnapshot {
    this.watch?.read(0, this.bytes.length);
    return { bytes: this.bytes.slice(), counters: { ...this.counters } };
  }

  restore(s: FlashSnapshot): void {
    if (s.bytes.length === this.bytes.length) this.bytes.set(s.bytes);
    else {
      this.bytes = s.bytes.slice();
      this.words = wordsOf(this.bytes);
    }
    this.counters = { ...s.counters };
    this.cut = null;
  }

  /** Returns null to proceed, or the completed fraction of a torn operation (after which power is lost). */
  private beforeOp(): number | null {
    const n = this.counters.ops + 1;
    const cut = this.cut;
    if (!cut || cut.atOp !== n) {
      this.counters.ops = n;
      return null;
    }
    this.cut = null;
    if (!cut.torn) throw new PowerLoss(`power lost before flash operation ${n}`);
    this.counters.ops = n;
    return tornFraction(cut.fraction);
  }

  private afterOp(op: FlashOp): void {
    this.onOp?.(op, this.counters.ops);
  }

  private erased(addr: number, n: number): boolean {
    if ((addr & 3) === 0 && this.words.length) {
      const w = this.words;
      const end = (addr + n) >> 2;
      for (let i = addr >> 2; i < end; i++) if (w[i] !== 0xffffffff) return false;
      for (let i = end << 2; i < addr + n; i++) if (this.bytes[i] !== 0xff) return false;
      return true;
    }
    for (let i = addr; i < addr + n; i++) if (this.bytes[i] !== 0xff) return false;
    return true;
  }

  private checkRange(addr: number, len: number): void {
    if (addr < 0 || len < 0 || addr + len > this.bytes.length) {
      throw new Error(`flash access 0x${addr.toString(16)}+0x${len.toString(16)} is outside the 0x${this.bytes.length.toString(16)}-byte device`);
    }
  }
}

/** How far a torn operation got: never all of it. */
const tornFraction = (fraction = 0.5) => Math.min(Math.max(fraction, 0), 0.999);

/** The bytes a program of `len` bytes torn at `fraction` has written (a prefix). */
export const tornProgramLength = (len: number, fraction?: number) => Math.floor(len * tornFraction(fraction));

function wordsOf(bytes: Uint8Array): Uint32Array {
  return bytes.byteOffset % 4 ? new Uint32Array(0) : new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
}

/** Fills `bytes` with one draw of `rng` per byte: the filler of every simulated image, reproducible from its seed. */
export function fillNoise(bytes: Uint8Array, rng: () => number): Uint8Array {
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rng() * 256);
  return bytes;
}

/** Small seeded PRNG so torn erases are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
