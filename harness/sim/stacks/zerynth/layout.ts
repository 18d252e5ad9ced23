// Flash map of the simulated Zerynth-style board: two FOTA-record sectors (the newest valid record
// wins), the swap journal, one scratch sector, the device-manager provisioning sector, the
// executable firmware slot and the filesystem area that receives downloads and keeps the backup.
import type { SimConfig } from '../../../rig/schema.ts';

export interface Layout {
  readonly sectorSize: number;
  readonly writeSize: number;
  readonly slotSize: number;
  readonly records: readonly [number, number];
  readonly journal: number;
  readonly scratch: number;
  readonly provision: number;
  /** Where the firmware runs from. */
  readonly firmware: number;
  /** The filesystem area: the downloaded image, and after a swap the previous firmware (backup). */
  readonly staging: number;
  readonly flashSize: number;
  /** Journal entries available: one 'begun', then three per swapped chunk. */
  readonly journalEntries: number;
}

const BASE = 0x8000; // below: the bootloader itself

export function layoutFor(config: SimConfig): Layout {
  const sectorSize = config.sectorSize ?? 4096;
  const writeSize = config.writeSize ?? 4;
  const slotSize = config.slotSize ?? 131072;
  const bad = (why: string): never => {
    throw new Error(`zerynth simulator: invalid geometry (slotSize ${slotSize}, sectorSize ${sectorSize}, writeSize ${writeSize}): ${why}`);
  };
  if (config.swap !== undefined) bad('sim.swap does not apply (the bootloader always swaps with the backup)');
  if (![1, 2, 4, 8].includes(writeSize)) bad('writeSize must be 1, 2, 4 or 8');
  if (sectorSize < 256 || sectorSize % writeSize) bad('sectorSize must be at least 256 and a multiple of writeSize');
  if (slotSize % sectorSize || slotSize < 2 * sectorSize) bad('slotSize must be a multiple of sectorSize, at least two sectors');
  const journalEntries = sectorSize / writeSize;
  if ((slotSize / sectorSize) * 3 + 1 > journalEntries) bad('the swap journal (one sector) cannot hold three records per slot sector');
  const at = (i: number) => Math.ceil(BASE / sectorSize) * sectorSize + i * sectorSize;
  const firmware = Math.ceil(at(5) / 0x10000) * 0x10000;
  const staging = firmware + slotSize;
  return {
    sectorSize,
    writeSize,
    slotSize,
    records: [at(0), at(1)],
    journal: at(2),
    scratch: at(3),
    provision: at(4),
    firmware,
    staging,
    flashSize: staging + slotSize,
    journalEntries,
  };
}

export const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/** A padded program of `value` at `addr`: whole write units, the rest left erased. */
export async function programPadded(flash: { program(addr: number, data: Uint8Array): Promise<void> }, l: Layout, addr: number, value: Uint8Array): Promise<void> {
  const buf = new Uint8Array(roundUp(value.length, l.writeSize)).fill(0xff);
  buf.set(value);
  await flash.program(addr, buf);
}
