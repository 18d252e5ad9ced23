// mcumgr SMP: the 8-byte header and the console framing (Zephyr mcumgr serial transport,
// "SMP over console"): a packet travels as [len u16 BE][packet][crc16 BE], base64-encoded in
// lines of at most 127 bytes, the first starting 0x06 0x09, continuations 0x04 0x14, each ending
// in a newline. The CRC is CRC16-CCITT (poly 0x1021, seed 0), over the packet only; len counts
// packet + CRC. Frames are split as Zephyr's mcumgr_serial_tx_pkt splits them, so what the
// simulated device prints is byte-for-byte what a real one prints.
import { decodeCbor, encodeCbor, type CborValue } from './cbor.ts';

export const SmpOp = { READ: 0, READ_RSP: 1, WRITE: 2, WRITE_RSP: 3 } as const;
export const SmpGroup = { OS: 0, IMAGE: 1 } as const;
export const OsId = { ECHO: 0, RESET: 5 } as const;
export const ImageId = { STATE: 0, UPLOAD: 1, ERASE: 5 } as const;
/** MGMT_ERR_* as mcumgr prints them. */
export const SmpRc = { OK: 0, EUNKNOWN: 1, ENOMEM: 2, EINVAL: 3, ETIMEOUT: 4, ENOENT: 5, EBADSTATE: 6, EMSGSIZE: 7, ENOTSUP: 8, ECORRUPT: 9, EBUSY: 10 } as const;

export interface SmpHeader {
  op: number;
  /** SMP version: 0 (original) or 1 (SMP v2, bits 3-4 of the first byte). */
  version: number;
  flags: number;
  len: number;
  group: number;
  seq: number;
  id: number;
}

export interface SmpPacket {
  header: SmpHeader;
  body: Record<string, CborValue>;
}

export const HDR_PKT = Uint8Array.of(0x06, 0x09);
export const HDR_FRAG = Uint8Array.of(0x04, 0x14);
/** MCUMGR_SERIAL_MAX_FRAME: marker + base64 + newline. */
export const MAX_FRAME = 127;

export function crc16Ccitt(data: Uint8Array, seed = 0): number {
  let crc = seed;
  for (const b of data) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export function encodeSmp(h: Omit<SmpHeader, 'len' | 'version' | 'flags'> & Partial<Pick<SmpHeader, 'version' | 'flags'>>, body: Record<string, CborValue>): Uint8Array {
  const payload = encodeCbor(body);
  const out = new Uint8Array(8 + payload.length);
  const dv = new DataView(out.buffer);
  out[0] = (h.op & 0x07) | (((h.version ?? 0) & 0x03) << 3);
  out[1] = h.flags ?? 0;
  dv.setUint16(2, payload.length);
  dv.setUint16(4, h.group);
  out[6] = h.seq & 0xff;
  out[7] = h.id & 0xff;
  out.set(payload, 8);
  return out;
}

export function decodeSmp(pkt: Uint8Array): SmpPacket {
  if (pkt.length < 8) throw new Error(`SMP packet of ${pkt.length} bytes is shorter than its header`);
  const dv = new DataView(pkt.buffer, pkt.byteOffset, pkt.byteLength);
  const header: SmpHeader = {
    op: pkt[0]! & 0x07,
    version: (pkt[0]! >> 3) & 0x03,
    flags: pkt[1]!,
    len: dv.getUint16(2),
    group: dv.getUint16(4),
    seq: pkt[6]!,
    id: pkt[7]!,
  };
  if (pkt.length !== 8 + header.len) throw new Error(`SMP header says ${header.len} body bytes, packet has ${pkt.length - 8}`);
  const body = header.len ? decodeCbor(pkt.subarray(8)) : {};
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) throw new Error('SMP body is not a CBOR map');
  return { header, body };
}

/** One packet as console lines (each without its trailing newline), split as Zephyr does. */
export function frameSmp(pkt: Uint8Array): Uint8Array[] {
  const crc = crc16Ccitt(pkt);
  const lines: Uint8Array[] = [];
  let off = 0;
  const maxInput = ((MAX_FRAME - 3) >> 2) * 3; // 93 raw bytes fit in 124 base64 characters
  while (off < pkt.length || lines.length === 0) {
    const first = lines.length === 0;
    const raw: number[] = [];
    let room = maxInput;
    if (first) {
      raw.push(((pkt.length + 2) >> 8) & 0xff, (pkt.length + 2) & 0xff);
      room -= 2;
    }
    const left = pkt.length - off;
    // The CRC may not straddle two frames: the frame that cannot hold data and CRC holds less.
    if (left + 2 <= room) {
      raw.push(...pkt.subarray(off), crc >> 8, crc & 0xff);
      off = pkt.length;
    } else {
      let take = Math.min(room, left) - (room - left === 0 || room - left === 1 ? 1 : 0);
      take -= (take + raw.length) % 3; // whole base64 groups only, except in the last frame
      raw.push(...pkt.subarray(off, off + take));
      off += take;
    }
    const b64 = Buffer.from(raw).toString('base64');
    lines.push(Uint8Array.from([...(first ? HDR_PKT : HDR_FRAG), ...Buffer.from(b64, 'latin1')]));
  }
  return lines;
}

/** Reassembles packets from console lines; lines that are not SMP frames are left to others. */
export class SmpDeframer {
  private buf: number[] | null = null;
  private want = 0;

  /** True when `line` is an SMP frame (consumed); `onPacket` gets each complete, CRC-checked packet. */
  push(line: Uint8Array | string, onPacket: (pkt: Uint8Array) => void, onError?: (why: string) => void): boolean {
    const bytes = typeof line === 'string' ? Buffer.from(line, 'latin1') : Buffer.from(line);
    const isPkt = bytes[0] === 0x06 && bytes[1] === 0x09;
    const isFrag = bytes[0] === 0x04 && bytes[1] === 0x14;
    if (!isPkt && !isFrag) return false;
    const text = bytes.subarray(2).toString('latin1').replace(/[\r\n]+$/, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
      this.buf = null;
      onError?.('frame is not base64');
      return true;
    }
    const data = [...Buffer.from(text, 'base64')];
    if (isPkt) {
      if (data.length < 2) {
        this.buf = null;
        onError?.('first frame without a length');
        return true;
      }
      this.want = (data[0]! << 8) | data[1]!;
      this.buf = data.slice(2);
    } else if (this.buf) {
      this.buf.push(...data);
    } else {
      onError?.('continuation frame without a first frame');
      return true;
    }
    if (this.buf.length < this.want) return true;
    const all = Uint8Array.from(this.buf);
    this.buf = null;
    if (all.length > this.want) onError?.(`packet longer (${all.length}) than its length field (${this.want})`);
    else if (all.length < 2 || crc16Ccitt(all) !== 0) onError?.('CRC mismatch');
    else onPacket(all.subarray(0, all.length - 2));
    return true;
  }
}
