// What a programmer does (install: bootloader, partition table, app in factory, otadata blank, as
// `idf.py flash` leaves a board) and what a debugger reads back (inspect). inspect is the ground
// truth for cross-checking console verdicts: it applies the real otadata rules and verifies
// images fully, whatever bug a mutant seeds into the firmware.
import type { NorFlash } from '../../flash.ts';
import type { FlashVerdict } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { BOOTLOADER_OFFSET, PARTITION_TABLE_OFFSET, layoutFor } from './layout.ts';
import { buildBootloaderImage, readAppInfo } from './app-desc.ts';
import { encodeTable, partitionSet, readTable, type PartitionEntry } from './partition-table.ts';
import { activeOtadata, describeEntry, entryAt, readOtadata, selectInvalid } from './otadata.ts';
import { verifyImage } from './image.ts';

export function install(flash: NorFlash, image: Uint8Array, config: SimConfig): void {
  const layout = layoutFor(config);
  const factory = layout.table.find((p) => p.label === 'factory')!;
  if (image.length > factory.size) throw new Error(`esp-idf install: ${image.length}-byte image does not fit the 0x${factory.size.toString(16)}-byte factory partition`);
  flash.erase(0, layout.flashSize);
  const put = (addr: number, data: Uint8Array) => {
    const len = Math.ceil(data.length / layout.writeSize) * layout.writeSize;
    const padded = new Uint8Array(len).fill(0xff);
    padded.set(data);
    flash.program(addr, padded);
  };
  put(BOOTLOADER_OFFSET, buildBootloaderImage(config));
  put(PARTITION_TABLE_OFFSET, encodeTable(layout.table));
  put(factory.offset, image);
}

export function inspect(flash: NorFlash, config: SimConfig): FlashVerdict {
  const layout = layoutFor(config);
  const table = readTable(flash, PARTITION_TABLE_OFFSET, layout.flashSize);
  if (!table.ok) return { slot: 'none', version: null, detail: `partition table: ${table.error}` };
  const parts = partitionSet(table.parts);
  const notes: string[] = [];
  // The bootloader's choice with the state as it is in flash now (no rewrites: a PENDING_VERIFY
  // entry is the image running its trial).
  let start = -1;
  if (parts.otadata && parts.ota.length) {
    const entries = readOtadata(flash, parts.otadata);
    notes.push(describeEntry(0, entries[0]), describeEntry(1, entries[1]));
    const active = selectInvalid(entries[0]) && selectInvalid(entries[1]) ? -1 : activeOtadata(entries, { checkCrc: true });
    if (active >= 0) start = ((entryAt(entries, active).seq - 1) >>> 0) % parts.ota.length;
  }
  const order: number[] = [];
  for (let n = start; n >= -1; n--) order.push(n);
  for (let n = start + 1; n < parts.ota.length; n++) order.push(n);
  for (const n of order) {
    const part: PartitionEntry | undefined = n === -1 ? (parts.factory ?? undefined) : parts.ota[n];
    if (!part) continue;
    const check = verifyImage(flash, part.offset, part.size, { mode: 'verify' });
    if (!check.ok) {
      notes.push(`${part.label}: ${check.erased ? 'empty' : check.error}`);
      continue;
    }
    const app = readAppInfo(flash, part.offset);
    const behaviour = app?.sim ? `boot=${app.sim.boot} confirm=${app.sim.confirm}` : 'not a simulated app';
    notes.push(`runs ${part.label} v${app?.desc.version ?? '?'} (image ok, ${behaviour})`);
    return { slot: part.label, version: app?.desc.version ?? null, detail: notes.join('; ') };
  }
  notes.push('no bootable app partition');
  return { slot: 'none', version: null, detail: notes.join('; ') };
}
