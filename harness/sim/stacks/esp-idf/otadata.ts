// otadata: two flash sectors, each holding one esp_ota_select_entry_t at its start
// {u32 ota_seq; u8 seq_label[20]; u32 ota_state; u32 crc}. The crc covers ota_seq only
// (esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4)), so a state change keeps the crc and a torn or
// half-erased entry is caught only through its seq. Rules from bootloader_common*.c.
import type { DeviceFlash } from '../../stack.ts';
import type { PartitionEntry } from './partition-table.ts';
import { SECTOR_SIZE } from './layout.ts';

export const ENTRY_SIZE = 32;
export const UNSET = 0xffffffff;

export const OtaState = {
  NEW: 0,
  PENDING_VERIFY: 1,
  VALID: 2,
  INVALID: 3,
  ABORTED: 4,
  UNDEFINED: 0xffffffff,
} as const;

export interface OtaEntry {
  seq: number;
  label: Uint8Array;
  state: number;
  crc: number;
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

/** The ROM's crc32_le: the register starts at ~crc and the result is inverted again. */
export function crc32Le(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (c & 1 ? 0xedb88320 : 0);
  }
  return ~c >>> 0;
}

/** bootloader_common_ota_select_crc. */
export function seqCrc(seq: number): number {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, seq >>> 0, true);
  return crc32Le(UNSET, b);
}

export function stateName(state: number): string {
  const names: Record<number, string> = { 0: 'NEW', 1: 'PENDING_VERIFY', 2: 'VALID', 3: 'INVALID', 4: 'ABORTED', [UNSET]: 'UNDEFINED' };
  return names[state >>> 0] ?? `0x${(state >>> 0).toString(16)}`;
}

export function encodeEntry(e: OtaEntry): Uint8Array {
  const out = new Uint8Array(ENTRY_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, e.seq >>> 0, true);
  out.set(e.label.subarray(0, 20), 4);
  dv.setUint32(24, e.state >>> 0, true);
  dv.setUint32(28, e.crc >>> 0, true);
  return out;
}

export function decodeEntry(raw: Uint8Array): OtaEntry {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return { seq: dv.getUint32(0, true), label: raw.slice(4, 24), state: dv.getUint32(24, true), crc: dv.getUint32(28, true) };
}

/** A fresh entry: label bytes stay erased, as esp_ota_ops leaves them. */
export function newEntry(seq: number, state: number, base?: OtaEntry): OtaEntry {
  return { seq: seq >>> 0, label: base ? base.label.slice() : new Uint8Array(20).fill(0xff), state: state >>> 0, crc: seqCrc(seq) };
}

/** entries[i] for a computed index (0 or 1). */
export function entryAt(entries: readonly [OtaEntry, OtaEntry], i: number): OtaEntry {
  return i === 0 ? entries[0] : entries[1];
}

export function readOtadata(flash: Reader, part: PartitionEntry): [OtaEntry, OtaEntry] {
  return [decodeEntry(flash.read(part.offset, ENTRY_SIZE)), decodeEntry(flash.read(part.offset + SECTOR_SIZE, ENTRY_SIZE))];
}

export interface EntryRules {
  /** Mutant crc-not-checked: the crc is never compared. */
  checkCrc: boolean;
}

/** bootloader_common_ota_select_invalid: note it never looks at the crc. */
export function selectInvalid(e: OtaEntry): boolean {
  return e.seq === UNSET || e.state === OtaState.INVALID || e.state === OtaState.ABORTED;
}

/** bootloader_common_ota_select_valid. */
export function selectValid(e: OtaEntry, rules: EntryRules): boolean {
  return e.seq !== UNSET && (!rules.checkCrc || e.crc === seqCrc(e.seq)) && e.state !== OtaState.INVALID && e.state !== OtaState.ABORTED;
}

/** bootloader_common_get_active_otadata: the valid entry with the highest seq, or -1. */
export function activeOtadata(entries: readonly [OtaEntry, OtaEntry], rules: EntryRules): number {
  const v0 = selectValid(entries[0], rules);
  const v1 = selectValid(entries[1], rules);
  if (v0 && v1) return Math.max(entries[0].seq, entries[1].seq) === entries[0].seq ? 0 : 1;
  return v0 ? 0 : v1 ? 1 : -1;
}

/** write_otadata / rewrite_ota_seq: erase the entry's whole sector, then write the 32 bytes. */
export async function writeEntry(flash: DeviceFlash, part: PartitionEntry, index: number, e: OtaEntry): Promise<void> {
  const at = part.offset + index * SECTOR_SIZE;
  await flash.erase(at, SECTOR_SIZE);
  await flash.program(at, encodeEntry(e));
}

export function describeEntry(i: number, e: OtaEntry, rules: EntryRules = { checkCrc: true }): string {
  if (e.seq === UNSET && e.state === UNSET && e.crc === UNSET) return `otadata[${i}] empty`;
  const crc = e.crc === seqCrc(e.seq) ? 'crc ok' : 'crc BAD';
  return `otadata[${i}] seq=${e.seq} ${stateName(e.state)} ${crc}${selectValid(e, rules) ? '' : ' (not valid)'}`;
}
