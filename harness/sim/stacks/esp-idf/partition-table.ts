// The binary partition table at 0x8000 (esp_partition_info_t, 32 bytes each, then an MD5 entry),
// as gen_esp32part.py writes it and esp_partition_table_verify reads it.
import { createHash } from 'node:crypto';

export const PART_TYPE = { APP: 0x00, DATA: 0x01 } as const;
export const PART_SUBTYPE = {
  FACTORY: 0x00,
  OTA_0: 0x10,
  TEST: 0x20,
  OTA_DATA: 0x00,
  PHY: 0x01,
  NVS: 0x02,
  NVS_KEYS: 0x04,
  EFUSE: 0x05,
} as const;
export const PARTITION_MAGIC = 0x50aa;
export const PARTITION_MAGIC_MD5 = 0xebeb;
export const PARTITION_TABLE_MAX_LEN = 0xc00;
const ENTRY = 32;

export interface PartitionEntry {
  label: string;
  type: number;
  subtype: number;
  offset: number;
  size: number;
  flags: number;
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

export function isOtaApp(p: PartitionEntry): boolean {
  return p.type === PART_TYPE.APP && p.subtype >= PART_SUBTYPE.OTA_0 && p.subtype < PART_SUBTYPE.TEST;
}

export function encodeTable(parts: readonly PartitionEntry[]): Uint8Array {
  const out = new Uint8Array(PARTITION_TABLE_MAX_LEN).fill(0xff);
  const dv = new DataView(out.buffer);
  parts.forEach((p, i) => {
    const o = i * ENTRY;
    dv.setUint16(o, PARTITION_MAGIC, true);
    dv.setUint8(o + 2, p.type);
    dv.setUint8(o + 3, p.subtype);
    dv.setUint32(o + 4, p.offset, true);
    dv.setUint32(o + 8, p.size, true);
    out.fill(0, o + 12, o + 28);
    out.set(Buffer.from(p.label.slice(0, 15), 'latin1'), o + 12);
    dv.setUint32(o + 28, p.flags, true);
  });
  const md5At = parts.length * ENTRY;
  dv.setUint16(md5At, PARTITION_MAGIC_MD5, true);
  out.set(createHash('md5').update(out.subarray(0, md5At)).digest(), md5At + 16);
  return out;
}

export type TableRead = { ok: true; parts: PartitionEntry[] } | { ok: false; error: string };

/** esp_partition_table_verify + the entries; `error` is the line the bootloader logs. */
export function readTable(flash: Reader, offset: number, flashSize: number): TableRead {
  const raw = flash.read(offset, PARTITION_TABLE_MAX_LEN);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const parts: PartitionEntry[] = [];
  for (let o = 0; o + ENTRY <= raw.length; o += ENTRY) {
    const magic = dv.getUint16(o, true);
    if (magic === PARTITION_MAGIC) {
      const p: PartitionEntry = {
        type: dv.getUint8(o + 2),
        subtype: dv.getUint8(o + 3),
        offset: dv.getUint32(o + 4, true),
        size: dv.getUint32(o + 8, true),
        label: Buffer.from(raw.subarray(o + 12, o + 28)).toString('latin1').replace(/\0.*$/s, ''),
        flags: dv.getUint32(o + 28, true),
      };
      if (p.offset + p.size > flashSize) {
        return { ok: false, error: `partition ${parts.length} invalid - offset 0x${p.offset.toString(16)} size 0x${p.size.toString(16)} exceeds flash chip size 0x${flashSize.toString(16)}` };
      }
      parts.push(p);
    } else if (magic === PARTITION_MAGIC_MD5) {
      const want = createHash('md5').update(raw.subarray(0, o)).digest();
      if (!want.equals(Buffer.from(raw.subarray(o + 16, o + 32)))) return { ok: false, error: 'Incorrect MD5 checksum' };
    } else if (magic === 0xffff && dv.getUint8(o + 2) === 0xff && dv.getUint8(o + 3) === 0xff) {
      return { ok: true, parts };
    } else {
      return { ok: false, error: `partition ${parts.length} invalid magic number 0x${magic.toString(16)}` };
    }
  }
  return { ok: true, parts };
}

/** The "Usage" column of the bootloader's table printout. */
export function usageOf(p: PartitionEntry): string {
  if (p.type === PART_TYPE.APP) {
    if (p.subtype === PART_SUBTYPE.FACTORY) return 'factory app';
    if (p.subtype === PART_SUBTYPE.TEST) return 'test app';
    return isOtaApp(p) ? 'OTA app' : 'Unknown app';
  }
  if (p.type === PART_TYPE.DATA) {
    const data: Record<number, string> = { 0x00: 'OTA data', 0x01: 'RF data', 0x02: 'WiFi data', 0x04: 'NVS keys', 0x05: 'efuse' };
    return data[p.subtype] ?? 'Unknown data';
  }
  return 'Unknown';
}

/** One row as bootloader_utility.c prints it: "%2d %-16s %-16s %02x %02x %08x %08x". */
export function tableRow(i: number, p: PartitionEntry): string {
  const h2 = (n: number) => n.toString(16).padStart(2, '0');
  const h8 = (n: number) => n.toString(16).padStart(8, '0');
  return `${String(i).padStart(2)} ${p.label.padEnd(16)} ${usageOf(p).padEnd(16)} ${h2(p.type)} ${h2(p.subtype)} ${h8(p.offset)} ${h8(p.size)}`;
}

/** What firmware derives from the table: the otadata, factory, and OTA app partitions in subtype order. */
export interface PartitionSet {
  all: PartitionEntry[];
  otadata: PartitionEntry | null;
  factory: PartitionEntry | null;
  ota: PartitionEntry[];
}

export function partitionSet(parts: PartitionEntry[]): PartitionSet {
  const ota = parts.filter(isOtaApp).sort((a, b) => a.subtype - b.subtype);
  return {
    all: parts,
    otadata: parts.find((p) => p.type === PART_TYPE.DATA && p.subtype === PART_SUBTYPE.OTA_DATA) ?? null,
    factory: parts.find((p) => p.type === PART_TYPE.APP && p.subtype === PART_SUBTYPE.FACTORY) ?? null,
    ota,
  };
}
