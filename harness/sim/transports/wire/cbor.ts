// CBOR as the device's zcbor sees it (RFC 8949), written for the simulated mcumgr server and
// deliberately apart from the harness's client codec: a mistake common to both could never show.
// Decodes what clients send (definite and indefinite containers, tags skipped, floats); encodes
// the device's replies with definite lengths, as Zephyr's smp_svr does.

export type Cbor = number | string | Uint8Array | boolean | null | undefined | Cbor[] | { [key: string]: Cbor };

export class CborSyntax extends Error {
  override name = 'CborSyntax';
}

interface Cursor {
  buf: Uint8Array;
  at: number;
}

const STOP = Symbol('stop');

function take(c: Cursor, n: number): Uint8Array {
  if (c.at + n > c.buf.length) throw new CborSyntax(`needs ${n} bytes at ${c.at}, has ${c.buf.length - c.at}`);
  const out = c.buf.subarray(c.at, c.at + n);
  c.at += n;
  return out;
}

/** The argument of an initial byte; lengths beyond 2^53 are refused (no device has that memory). */
function argument(c: Cursor, low: number): number {
  if (low < 24) return low;
  const width = { 24: 1, 25: 2, 26: 4, 27: 8 }[low];
  if (width === undefined) throw new CborSyntax(`reserved additional info ${low}`);
  let v = 0;
  for (const b of take(c, width)) v = v * 256 + b;
  if (!Number.isSafeInteger(v)) throw new CborSyntax('integer beyond 2^53');
  return v;
}

function half(bits: number): number {
  const e = (bits >> 10) & 31;
  const f = bits & 1023;
  const v = e === 0 ? f * 2 ** -24 : e === 31 ? (f ? NaN : Infinity) : (1024 + f) * 2 ** (e - 25);
  return bits & 0x8000 ? -v : v;
}

function value(c: Cursor): Cbor | typeof STOP {
  const ib = take(c, 1)[0]!;
  const major = ib >> 5;
  const low = ib & 31;
  if (major === 7) {
    if (low === 20 || low === 21) return low === 21;
    if (low === 22) return null;
    if (low === 23) return undefined;
    if (low === 31) return STOP;
    const dv = (n: number) => new DataView(c.buf.buffer, c.buf.byteOffset + c.at - n, n);
    if (low === 25) return take(c, 2) && half(dv(2).getUint16(0));
    if (low === 26) return take(c, 4) && dv(4).getFloat32(0);
    if (low === 27) return take(c, 8) && dv(8).getFloat64(0);
    throw new CborSyntax(`simple value ${low}`);
  }
  if (major === 6) {
    argument(c, low);
    return value(c);
  }
  const open = low === 31;
  if (major === 0) return argument(c, low);
  if (major === 1) return -1 - argument(c, low);
  if (major === 2 || major === 3) {
    let raw: Uint8Array;
    if (!open) raw = take(c, argument(c, low)).slice();
    else {
      const parts: number[] = [];
      for (let p = value(c); p !== STOP; p = value(c)) {
        if (major === 2 && p instanceof Uint8Array) parts.push(...p);
        else if (major === 3 && typeof p === 'string') parts.push(...new TextEncoder().encode(p));
        else throw new CborSyntax('foreign chunk in an indefinite string');
      }
      raw = Uint8Array.from(parts);
    }
    return major === 2 ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw);
  }
  const count = open ? -1 : argument(c, low);
  if (major === 4) {
    const list: Cbor[] = [];
    for (let i = 0; i !== count; i++) {
      const v = value(c);
      if (v === STOP) {
        if (open) break;
        throw new CborSyntax('break in a definite array');
      }
      list.push(v);
    }
    return list;
  }
  // major 5: keys that are not text are kept under their JSON text (SMP uses text keys only).
  const map: Record<string, Cbor> = {};
  for (let i = 0; i !== count; i++) {
    const k = value(c);
    if (k === STOP) {
      if (open) break;
      throw new CborSyntax('break in a definite map');
    }
    const v = value(c);
    if (v === STOP) throw new CborSyntax('map key without a value');
    map[typeof k === 'string' ? k : JSON.stringify(k instanceof Uint8Array ? [...k] : k)] = v;
  }
  return map;
}

export function cborDecode(buf: Uint8Array): Cbor {
  const c: Cursor = { buf, at: 0 };
  const v = value(c);
  if (v === STOP) throw new CborSyntax('stray break');
  if (c.at !== buf.length) throw new CborSyntax(`${buf.length - c.at} bytes after the item`);
  return v;
}

function typed(out: number[], major: number, n: number): void {
  const t = major << 5;
  if (n < 24) out.push(t | n);
  else if (n <= 0xff) out.push(t | 24, n);
  else if (n <= 0xffff) out.push(t | 25, n >> 8, n & 0xff);
  else if (n <= 0xffffffff) out.push(t | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else {
    const hi = Math.floor(n / 2 ** 32);
    out.push(t | 27, hi >>> 24, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff);
    const lo = n >>> 0;
    out.push(lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
  }
}

function put(out: number[], v: Cbor): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new CborSyntax(`the device encodes integers only, not ${v}`);
    if (v >= 0) typed(out, 0, v);
    else typed(out, 1, -1 - v);
  } else if (typeof v === 'string') {
    const b = new TextEncoder().encode(v);
    typed(out, 3, b.length);
    out.push(...b);
  } else if (v instanceof Uint8Array) {
    typed(out, 2, v.length);
    out.push(...v);
  } else if (typeof v === 'boolean') out.push(v ? 0xf5 : 0xf4);
  else if (v === null || v === undefined) out.push(0xf6);
  else if (Array.isArray(v)) {
    typed(out, 4, v.length);
    v.forEach((x) => put(out, x));
  } else {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    typed(out, 5, keys.length);
    for (const k of keys) {
      put(out, k);
      put(out, v[k]);
    }
  }
}

export function cborEncode(v: Cbor): Uint8Array {
  const out: number[] = [];
  put(out, v);
  return Uint8Array.from(out);
}
