// The FOTA record and the swap journal, both in flash.
// Record: 32 bytes {magic "ZREC", seq, state, size, chunks, crc32} in one of two sectors; an update
// erases and writes the sector not holding the newest record, so a cut leaves the previous record
// valid. Journal: one write unit per completed swap step, in order; the bootloader resumes at the
// first erased unit. Provisioning: the device manager's address, written once over the console.
import { crc32 } from 'node:zlib';
import type { DeviceFlash } from '../../stack.ts';
import { programPadded, type Layout } from './layout.ts';

const MAGIC = 0x4345525a; // "ZREC"
const RECORD_SIZE = 32;

export const State = { IDLE: 0, PENDING: 1, TESTING: 2, REVERTING: 3 } as const;
export type State = (typeof State)[keyof typeof State];
export const stateName = (s: State) => (['idle', 'pending', 'testing', 'reverting'] as const)[s];

export interface FotaRecord {
  seq: number;
  state: State;
  /** Size of the image being swapped in (bytes). */
  size: number;
  /** Chunks (sectors) the swap exchanges. */
  chunks: number;
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

function decode(b: Uint8Array): FotaRecord | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint32(0, true) !== MAGIC || dv.getUint32(28, true) !== crc32(b.subarray(0, 28))) return null;
  const state = dv.getUint8(8);
  if (state > State.REVERTING) return null;
  return { seq: dv.getUint32(4, true), state: state as State, size: dv.getUint32(12, true), chunks: dv.getUint32(16, true) };
}

/** The newest valid record and the sector it is in; none yet means idle. */
export function readRecord(flash: Reader, l: Layout): { rec: FotaRecord; sector: number | null } {
  let best: { rec: FotaRecord; sector: number | null } = { rec: { seq: 0, state: State.IDLE, size: 0, chunks: 0 }, sector: null };
  for (const sector of l.records) {
    const rec = decode(flash.read(sector, RECORD_SIZE));
    if (rec && (best.sector === null || rec.seq > best.rec.seq)) best = { rec, sector };
  }
  return best;
}

/** Write the next record (seq + 1) into the other sector: erase, then one program. */
export async function writeRecord(flash: DeviceFlash, l: Layout, next: Omit<FotaRecord, 'seq'>): Promise<FotaRecord> {
  const { rec, sector } = readRecord(flash, l);
  const target = sector === l.records[0] ? l.records[1] : l.records[0];
  const b = new Uint8Array(RECORD_SIZE);
  const dv = new DataView(b.buffer);
  const out: FotaRecord = { ...next, seq: rec.seq + 1 };
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, out.seq, true);
  dv.setUint8(8, out.state);
  dv.setUint32(12, out.size, true);
  dv.setUint32(16, out.chunks, true);
  dv.setUint32(28, crc32(b.subarray(0, 28)), true);
  await flash.erase(target, l.sectorSize);
  await programPadded(flash, l, target, b);
  return out;
}

/** Steps recorded as done: entries are written in order, and a torn entry still means its step finished. */
export function journalDone(flash: Reader, l: Layout): number {
  const bytes = flash.read(l.journal, l.sectorSize);
  let k = 0;
  while (k < l.journalEntries && !bytes.subarray(k * l.writeSize, (k + 1) * l.writeSize).every((b) => b === 0xff)) k++;
  return k;
}

export async function journalRecord(flash: DeviceFlash, l: Layout, step: number): Promise<void> {
  await flash.program(l.journal + step * l.writeSize, new Uint8Array(l.writeSize).fill(0x00));
}

export const eraseJournal = (flash: DeviceFlash, l: Layout) => flash.erase(l.journal, l.sectorSize);

const PROVISION_MAGIC = 0x504d445a; // "ZDMP"

export function readEndpoint(flash: Reader, l: Layout): string | null {
  const h = flash.read(l.provision, 8);
  const dv = new DataView(h.buffer);
  const len = dv.getUint16(4, true);
  if (dv.getUint32(0, true) !== PROVISION_MAGIC || len > 200) return null;
  const body = flash.read(l.provision + 8, len + 4);
  if (new DataView(body.buffer).getUint32(len, true) !== crc32(body.subarray(0, len))) return null;
  return Buffer.from(body.subarray(0, len)).toString('utf8');
}

export async function writeEndpoint(flash: DeviceFlash, l: Layout, endpoint: string): Promise<void> {
  const s = Buffer.from(endpoint, 'utf8');
  const b = new Uint8Array(8 + s.length + 4);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, PROVISION_MAGIC, true);
  dv.setUint16(4, s.length, true);
  b.set(s, 8);
  dv.setUint32(8 + s.length, crc32(s), true);
  await flash.erase(l.provision, l.sectorSize);
  await programPadded(flash, l, l.provision, b);
}
