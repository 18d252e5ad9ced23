// ESP-IDF otadata: two sectors, each starting with an esp_ota_select_entry_t {ota_seq u32,
// seq_label[20], ota_state u32, crc u32}; the CRC covers ota_seq only. The bootloader boots slot
// (seq - 1) % app_count of the valid entry with the larger seq, or app_0 when neither is valid
// (no factory partition in Mongoose OS layouts). Setting the boot partition erases the sector
// that does not hold the active entry and writes the next seq there, so a cut leaves the other.
import type { DeviceFlash } from '../../stack.ts';
import type { Area } from './platform.ts';
// The same entry encoding as the ESP-IDF simulator's: one format, one codec.
import { decodeEntry, encodeEntry, ENTRY_SIZE, newEntry, OtaState, seqCrc, UNSET } from '../esp-idf/otadata.ts';

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

export interface OtaEntry {
  seq: number;
  valid: boolean;
  /** Raw words, for inspect's detail. */
  raw: { seq: number; crc: number };
}

export interface OtaSelection {
  /** Index (0, 1) of the copy holding the active entry; -1 when none is valid. */
  copy: number;
  seq: number;
  /** The slot the bootloader boots. */
  slot: number;
  entries: [OtaEntry, OtaEntry];
}

function readEntry(flash: Reader, addr: number): OtaEntry {
  const { seq, crc } = decodeEntry(flash.read(addr, ENTRY_SIZE));
  return { seq, valid: seq !== UNSET && crc === seqCrc(seq), raw: { seq, crc } };
}

export function selectOtadata(flash: Reader, area: Area, sectorSize: number, appCount: number): OtaSelection {
  const entries: [OtaEntry, OtaEntry] = [readEntry(flash, area.off), readEntry(flash, area.off + sectorSize)];
  let copy = -1;
  entries.forEach((e, i) => {
    if (e.valid && (copy < 0 || e.seq > entries[copy]!.seq)) copy = i;
  });
  if (copy < 0) return { copy, seq: 0, slot: 0, entries };
  const seq = entries[copy]!.seq;
  return { copy, seq, slot: (seq - 1) % appCount, entries };
}

/** esp_ota_set_boot_partition: the next seq that names `slot`, into the other copy (state UNDEFINED: Mongoose OS does its own rollback, not IDF's). */
export async function setBootSlot(flash: DeviceFlash, area: Area, sectorSize: number, appCount: number, slot: number): Promise<void> {
  const cur = selectOtadata(flash, area, sectorSize, appCount);
  let seq = cur.copy < 0 ? 1 : cur.seq + 1;
  while ((seq - 1) % appCount !== slot) seq++;
  const copy = cur.copy < 0 ? 0 : 1 - cur.copy;
  await writeEntry(flash, area.off + copy * sectorSize, sectorSize, seq, OtaState.UNDEFINED);
}

/**
 * The bootloader's set_actual_ota_seq: neither copy was valid (otadata as first flashed) and it
 * booted an OTA slot, so it records that slot in copy 0 as VALID — a write at first boot.
 */
export async function setActualSeq(flash: DeviceFlash, area: Area, sectorSize: number, slot: number): Promise<number> {
  const seq = slot + 1;
  await writeEntry(flash, area.off, sectorSize, seq, OtaState.VALID);
  return seq;
}

async function writeEntry(flash: DeviceFlash, addr: number, sectorSize: number, seq: number, state: number): Promise<void> {
  await flash.erase(addr, sectorSize);
  await flash.program(addr, encodeEntry(newEntry(seq, state)));
}
