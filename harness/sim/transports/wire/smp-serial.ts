// The device's half of mcumgr's serial transport (Zephyr's SMP-over-console), written apart from
// the harness's client codec. A packet travels as [total u16 BE][packet][crc16 BE], where total
// counts packet and CRC; the stream is base64-encoded into lines of at most 127 bytes: a 2-byte
// marker (06 09 for the first, 04 14 for each continuation), whole base64 quanta, a newline.
// CRC-16/XMODEM (CRC-ITU-T as Zephyr's crc16_itu_t computes it: poly 0x1021, init 0).

const MARK_FIRST = [0x06, 0x09] as const;
const MARK_NEXT = [0x04, 0x14] as const;
/** MCUMGR_SERIAL_MAX_FRAME, including the marker and the newline. */
const FRAME_LIMIT = 127;
/** Raw bytes per line: as many whole base64 quanta as fit between marker and newline. */
const RAW_PER_LINE = Math.floor((FRAME_LIMIT - 3) / 4) * 3;

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 8;
    for (let j = 0; j < 8; j++) r = (r << 1) ^ (r & 0x8000 ? 0x1021 : 0);
    t[i] = r & 0xffff;
  }
  return t;
})();

export function crcItuT(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >> 8) ^ b) & 0xff]!) & 0xffff;
  return crc;
}

/** SMP's 8-byte header, as smp_hdr lays it out (big-endian length and group). */
export interface SmpHdr {
  op: number;
  ver: number;
  flags: number;
  group: number;
  seq: number;
  id: number;
}

export function parseSmp(pkt: Uint8Array): { hdr: SmpHdr; payload: Uint8Array } | null {
  if (pkt.length < 8) return null;
  const len = (pkt[2]! << 8) | pkt[3]!;
  if (pkt.length !== 8 + len) return null;
  const hdr = { op: pkt[0]! & 7, ver: (pkt[0]! >> 3) & 3, flags: pkt[1]!, group: (pkt[4]! << 8) | pkt[5]!, seq: pkt[6]!, id: pkt[7]! };
  return { hdr, payload: pkt.subarray(8) };
}

export function buildSmp(hdr: SmpHdr, payload: Uint8Array): Uint8Array {
  const pkt = new Uint8Array(8 + payload.length);
  pkt.set([(hdr.op & 7) | ((hdr.ver & 3) << 3), hdr.flags, payload.length >> 8, payload.length & 0xff, hdr.group >> 8, hdr.group & 0xff, hdr.seq, hdr.id]);
  pkt.set(payload, 8);
  return pkt;
}

/** Lines (without their newline) that carry `pkt` to the host. */
export function smpLinesOut(pkt: Uint8Array): string[] {
  const total = pkt.length + 2;
  const crc = crcItuT(pkt);
  const stream = Buffer.concat([Buffer.from([total >> 8, total & 0xff]), Buffer.from(pkt), Buffer.from([crc >> 8, crc & 0xff])]);
  const lines: string[] = [];
  for (let at = 0; at < stream.length; at += RAW_PER_LINE) {
    const mark = at === 0 ? MARK_FIRST : MARK_NEXT;
    lines.push(String.fromCharCode(...mark) + stream.subarray(at, at + RAW_PER_LINE).toString('base64'));
  }
  return lines;
}

/** Reassembles packets from console lines, as mcumgr_serial_process_frag does. */
export class SmpLineIn {
  private got: Buffer | null = null;
  private need = 0;

  /**
   * Null when `line` is no SMP frame (the shell gets it); otherwise the packet it completed, or
   * 'partial' while more lines are due, or 'dropped' when the frame or packet was bad.
   */
  feed(line: string): Uint8Array | 'partial' | 'dropped' | null {
    const c0 = line.charCodeAt(0);
    const c1 = line.charCodeAt(1);
    const first = c0 === MARK_FIRST[0] && c1 === MARK_FIRST[1];
    if (!first && !(c0 === MARK_NEXT[0] && c1 === MARK_NEXT[1])) return null;
    const text = line.slice(2).trimEnd();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) return this.drop();
    const raw = Buffer.from(text, 'base64');
    if (first) {
      if (raw.length < 2) return this.drop();
      this.need = raw.readUInt16BE(0);
      this.got = raw.subarray(2);
    } else if (this.got) this.got = Buffer.concat([this.got, raw]);
    else return 'dropped';
    if (this.got.length < this.need) return 'partial';
    const whole = this.got;
    this.got = null;
    // A packet followed by its CRC checks to zero.
    if (whole.length !== this.need || whole.length < 2 || crcItuT(whole) !== 0) return 'dropped';
    return new Uint8Array(whole.subarray(0, whole.length - 2));
  }

  private drop(): 'dropped' {
    this.got = null;
    return 'dropped';
  }
}
