// The CBOR subset SMP bodies use (RFC 8949): unsigned/negative integers, byte and text strings,
// arrays, maps, false/true/null, and decoding of floats and indefinite lengths, which zcbor
// (Zephyr) emits for maps. Small and dependency-free: a full library buys nothing SMP needs.

export type CborValue = number | bigint | string | Uint8Array | boolean | null | undefined | CborValue[] | { [key: string]: CborValue };

export class CborError extends Error {
  override name = 'CborError';
}

export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  write(out, value);
  return Uint8Array.from(out);
}

function head(out: number[], major: number, n: number | bigint): void {
  const v = BigInt(n);
  const m = major << 5;
  if (v < 24n) out.push(m | Number(v));
  else if (v < 0x100n) out.push(m | 24, Number(v));
  else if (v < 0x10000n) out.push(m | 25, Number(v >> 8n), Number(v & 0xffn));
  else if (v < 0x100000000n) out.push(m | 26, ...[24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)));
  else out.push(m | 27, ...[56n, 48n, 40n, 32n, 24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)));
}

function write(out: number[], v: CborValue): void {
  if (v === null || v === undefined) out.push(0xf6);
  else if (v === false) out.push(0xf4);
  else if (v === true) out.push(0xf5);
  else if (typeof v === 'number' || typeof v === 'bigint') {
    if (typeof v === 'number' && !Number.isInteger(v)) throw new CborError(`cannot encode non-integer ${v}`);
    const b = BigInt(v);
    if (b >= 0n) head(out, 0, b);
    else head(out, 1, -1n - b);
  } else if (typeof v === 'string') {
    const bytes = new TextEncoder().encode(v);
    head(out, 3, bytes.length);
    out.push(...bytes);
  } else if (v instanceof Uint8Array) {
    head(out, 2, v.length);
    for (const b of v) out.push(b);
  } else if (Array.isArray(v)) {
    head(out, 4, v.length);
    for (const x of v) write(out, x);
  } else {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    head(out, 5, entries.length);
    for (const [k, x] of entries) {
      write(out, k);
      write(out, x);
    }
  }
}

const BREAK = Symbol('break');

export function decodeCbor(bytes: Uint8Array): CborValue {
  const r = new Reader(bytes);
  const v = r.item();
  if (v === BREAK) throw new CborError('unexpected break');
  if (r.pos !== bytes.length) throw new CborError(`${bytes.length - r.pos} trailing bytes`);
  return v;
}

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}

  private byte(): number {
    if (this.pos >= this.b.length) throw new CborError('truncated');
    return this.b[this.pos++]!;
  }

  private uint(info: number): number | bigint {
    if (info < 24) return info;
    const n = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (!n) throw new CborError(`bad additional info ${info}`);
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.byte());
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  private bytesOf(len: number): Uint8Array {
    if (this.pos + len > this.b.length) throw new CborError('truncated string');
    const s = this.b.slice(this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  private chunks(major: number): Uint8Array {
    const parts: Uint8Array[] = [];
    for (;;) {
      const v = this.item();
      if (v === BREAK) break;
      if (major === 2 && v instanceof Uint8Array) parts.push(v);
      else if (major === 3 && typeof v === 'string') parts.push(new TextEncoder().encode(v));
      else throw new CborError('bad chunk in indefinite string');
    }
    return Uint8Array.from(parts.flatMap((p) => [...p]));
  }

  item(): CborValue | typeof BREAK {
    const ib = this.byte();
    const major = ib >> 5;
    const info = ib & 0x1f;
    const indefinite = info === 31;
    switch (major) {
      case 0:
        return this.uint(info);
      case 1: {
        const u = this.uint(info);
        return typeof u === 'bigint' ? -1n - u : -1 - u;
      }
      case 2:
      case 3: {
        const raw = indefinite ? this.chunks(major) : this.bytesOf(Number(this.uint(info)));
        return major === 2 ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw);
      }
      case 4: {
        const out: CborValue[] = [];
        const n = indefinite ? Infinity : Number(this.uint(info));
        for (let i = 0; i < n; i++) {
          const v = this.item();
          if (v === BREAK) break;
          out.push(v);
        }
        return out;
      }
      case 5: {
        const out: Record<string, CborValue> = {};
        const n = indefinite ? Infinity : Number(this.uint(info));
        for (let i = 0; i < n; i++) {
          const k = this.item();
          if (k === BREAK) break;
          const v = this.item();
          if (v === BREAK) throw new CborError('break inside a map entry');
          out[typeof k === 'string' ? k : JSON.stringify(k, (_, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))] = v;
        }
        return out;
      }
      case 6:
        this.uint(info); // a tag: SMP does not use them; keep the tagged value
        return this.item();
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22 || info === 23) return info === 22 ? null : undefined;
        if (info === 31) return BREAK;
        const dv = (n: number) => new DataView(this.bytesOf(n).buffer);
        if (info === 25) return halfToNumber(dv(2).getUint16(0));
        if (info === 26) return dv(4).getFloat32(0);
        if (info === 27) return dv(8).getFloat64(0);
        throw new CborError(`unsupported simple value ${info}`);
      }
    }
  }
}

function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}
